//! A bounded, time-windowed, in-memory record of single-use values (DPoP proof `jti`s,
//! RFC 9449 §11.1; client assertion `jti`s, RFC 7523 §3 item 7) for single-process hosts and
//! tests. Hosts with several processes keep the same record in their shared store.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::proof::Proof;
use crate::crypto::{SecureRandom, digest};
pub use crate::limits::MAX_REPLAY_CAPACITY;
use crate::{Error, ErrorKind, Result};

/// Shards of a [`ReplayCache`]: concurrent checks contend only within one.
const SHARDS: usize = 16;

/// An entry's key: 128 bits of a salted SHA-256 of (scope, value).
type Fingerprint = [u8; 16];

/// The fingerprints are already uniform (salted SHA-256): the map uses 8 of their bytes as the
/// hash instead of hashing again.
#[derive(Clone, Copy, Default)]
struct Prehashed;

#[derive(Default)]
struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(word);
        }
    }
}

impl BuildHasher for Prehashed {
    type Hasher = PrehashedHasher;
    fn build_hasher(&self) -> PrehashedHasher {
        PrehashedHasher::default()
    }
}

#[derive(Default)]
struct Shard {
    /// Each recorded value and until when it is refused.
    until: HashMap<Fingerprint, i64, Prehashed>,
    /// Insertion order, for eviction.
    order: VecDeque<(Fingerprint, i64)>,
}

impl Shard {
    /// Drops the oldest entry: from `order`, and from `until` when it is still that entry
    /// (then `Some` with its expiry; `None` for a stale order entry or an empty shard).
    fn pop_oldest(&mut self) -> Option<Option<i64>> {
        let (fp, until) = self.order.pop_front()?;
        if self.until.get(&fp) == Some(&until) {
            let _ = self.until.remove(&fp);
            return Some(Some(until));
        }
        Some(None)
    }
}

/// Remembers single-use values (a DPoP proof's `jti`) until they expire, and refuses a second
/// use: [`ErrorKind::DpopReplay`].
///
/// - **Bounded**: at most `capacity` entries (in 16 shards), so memory stays bounded whatever
///   arrives: about 80 bytes per entry, under 100 MB for 1,000,000. Expired entries are
///   dropped as new ones arrive; when the cache is full of live entries, the oldest of the
///   shard a new value lands in is dropped and counted in [`ReplayCache::evicted_live`]. A value evicted alive
///   could be replayed, so size the cache for the peak rate times the window (1,000 proofs/s
///   with a ±60 s window: 120,000) and watch that counter.
/// - **Keyed**: values are stored as 128-bit fingerprints of a SHA-256 salted with 32 random
///   bytes drawn at construction, so nobody can aim values at one bucket.
/// - **Thread-safe**: `&self` methods, a mutex per shard.
///
/// ```
/// use tessera::dpop::ReplayCache;
/// let rng = tessera::SystemRandom::new();
/// let cache = ReplayCache::new(100_000, &rng)?;
/// cache.check_and_record("jkt-1", "jti-1", 1_800_000_060, 1_800_000_000)?;
/// assert!(cache.check_and_record("jkt-1", "jti-1", 1_800_000_060, 1_800_000_001).is_err());
/// // Once expired, the value is forgotten.
/// cache.check_and_record("jkt-1", "jti-1", 1_800_000_200, 1_800_000_061)?;
/// # Ok::<(), tessera::Error>(())
/// ```
pub struct ReplayCache {
    shards: Box<[Mutex<Shard>]>,
    capacity: usize,
    /// Entries held, across shards.
    total: AtomicUsize,
    salt: [u8; 32],
    evicted_live: AtomicU64,
}

impl std::fmt::Debug for ReplayCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayCache")
            .field("capacity", &self.capacity())
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl ReplayCache {
    /// A cache of at most `capacity` entries (1 to [`MAX_REPLAY_CAPACITY`], else
    /// [`ErrorKind::InvalidArgument`]), salted from `rng`. Nothing is allocated up front.
    pub fn new(capacity: usize, rng: &dyn SecureRandom) -> Result<ReplayCache> {
        if !(1..=MAX_REPLAY_CAPACITY).contains(&capacity) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the replay cache capacity is 1 to 16777216",
            ));
        }
        let mut salt = [0u8; 32];
        rng.fill(&mut salt)?;
        let shards = (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect();
        Ok(ReplayCache {
            shards,
            capacity,
            total: AtomicUsize::new(0),
            salt,
            evicted_live: AtomicU64::new(0),
        })
    }

    /// The most entries the cache holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entries held now, expired ones not yet dropped included.
    pub fn len(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many entries were dropped before they expired, because their shard was full.
    pub fn evicted_live(&self) -> u64 {
        self.evicted_live.load(Ordering::Relaxed)
    }

    fn fingerprint(&self, scope: &str, value: &str) -> Fingerprint {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(&self.salt);
        ctx.update(&u64::try_from(scope.len()).unwrap_or(u64::MAX).to_be_bytes());
        ctx.update(scope.as_bytes());
        ctx.update(value.as_bytes());
        let full = ctx.finish();
        let mut fp = [0u8; 16];
        fp.copy_from_slice(&full.as_ref()[..16]);
        fp
    }

    /// Records `value` (within `scope`, e.g. the proof's `jkt` or a client id) as used until
    /// `until`, at `now`; [`ErrorKind::DpopReplay`] if it is already recorded and not expired
    /// (then nothing changes). `until` before `now` records nothing.
    pub fn check_and_record(&self, scope: &str, value: &str, until: i64, now: i64) -> Result<()> {
        let fp = self.fingerprint(scope, value);
        let index = usize::from(fp[15]) % SHARDS;
        let mut shard = lock(&self.shards[index]);
        if let Some(&seen_until) = shard.until.get(&fp) {
            if seen_until >= now {
                return Err(Error::new(
                    ErrorKind::DpopReplay,
                    "this jti was used before",
                ));
            }
        }
        // Drop expired entries from the front.
        while shard.order.front().is_some_and(|&(_, u)| u < now) {
            if let Some(Some(_)) = shard.pop_oldest() {
                let _ = self.total.fetch_sub(1, Ordering::Relaxed);
            }
        }
        if until < now {
            return Ok(());
        }
        // Make room: at most `capacity` entries across the shards, the oldest of this shard
        // going first (a shard with nothing to give lets the total pass by at most one per
        // shard).
        while self.total.load(Ordering::Relaxed) >= self.capacity {
            match shard.pop_oldest() {
                Some(Some(u)) => {
                    let _ = self.total.fetch_sub(1, Ordering::Relaxed);
                    if u >= now {
                        let _ = self.evicted_live.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Some(None) => {}
                None => break,
            }
        }
        // Order entries left behind by values recorded again after they expired: compact
        // when they outnumber the live ones, so `order` stays within twice `until`.
        if shard.order.len() > 2 * shard.until.len() + 16 {
            let Shard { until: live, order } = &mut *shard;
            order.retain(|(fp, u)| live.get(fp) == Some(u));
        }
        if shard.until.insert(fp, until).is_none() {
            let _ = self.total.fetch_add(1, Ordering::Relaxed);
        }
        shard.order.push_back((fp, until));
        Ok(())
    }

    /// [`ReplayCache::check_and_record`] for a validated DPoP proof: its `jti` within its
    /// `jkt`, until [`Proof::replay_until`].
    pub fn check_proof(&self, proof: &Proof, now: i64) -> Result<()> {
        self.check_and_record(proof.jkt(), proof.jti(), proof.replay_until(), now)
    }
}

/// Locks `mutex`, also after a panic in another holder: the dpop module's shared state (replay
/// shards, the validator's header slots) is only ever made incomplete by one, never wrong (at
/// worst an entry is missing), so the lock keeps serving.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::DeterministicRandom;

    #[test]
    fn refuses_replays_forgets_expired_and_stays_bounded() {
        let rng = DeterministicRandom::new(1);
        let cache = ReplayCache::new(160, &rng).unwrap();
        assert_eq!(cache.capacity(), 160);
        let now = 1_000;
        cache.check_and_record("k", "a", now + 60, now).unwrap();
        assert_eq!(
            cache
                .check_and_record("k", "a", now + 60, now + 10)
                .unwrap_err()
                .kind(),
            ErrorKind::DpopReplay
        );
        // Another scope is another value; the scope/value split is unambiguous.
        cache.check_and_record("k2", "a", now + 60, now).unwrap();
        cache.check_and_record("k", "2a", now + 60, now).unwrap();
        // Expired: accepted again.
        cache
            .check_and_record("k", "a", now + 200, now + 61)
            .unwrap();
        // Past `until`: nothing recorded.
        cache.check_and_record("k", "old", now - 1, now).unwrap();
        cache.check_and_record("k", "old", now - 1, now).unwrap();
        // Flood with live entries: bounded, oldest evicted and counted.
        for i in 0..10_000 {
            cache
                .check_and_record("k", &i.to_string(), now + 1_000, now + 100)
                .unwrap();
        }
        assert!(cache.len() <= 160 + SHARDS, "{}", cache.len());
        assert!(cache.evicted_live() > 9_000);
        // The newest are still refused.
        assert!(
            cache
                .check_and_record("k", "9999", now + 1_000, now + 100)
                .is_err()
        );
        // Later, everything expires and is dropped as new values arrive.
        for i in 0..1_000 {
            cache
                .check_and_record("z", &i.to_string(), now + 5_000, now + 2_000)
                .unwrap();
        }
        assert!(cache.len() <= 160);
        assert!(
            cache
                .check_and_record("k", "9999", now + 3_000, now + 2_000)
                .is_ok()
        );
    }

    #[test]
    fn capacity_limits() {
        let rng = DeterministicRandom::new(1);
        assert!(ReplayCache::new(0, &rng).is_err());
        assert!(ReplayCache::new(MAX_REPLAY_CAPACITY + 1, &rng).is_err());
        assert_eq!(ReplayCache::new(1, &rng).unwrap().capacity(), 1);
    }
}
