//! The worker threads behind `tessera_verify_batch`: started once, on the first batch that
//! asks for more than one thread, and parked between batches.
//!
//! Starting and joining a thread costs 0.2–0.4 ms on the two-core VMs we measure on, which is a
//! quarter of a 1,024-token HS256 batch. A parked worker wakes in tens of microseconds. The pool
//! holds one worker per available core minus one, because the calling thread works too.
//!
//! A batch is handed to the workers through one shared slot (the latest job and a sequence
//! number). Waking a parked worker costs tens of microseconds, during which the caller works
//! alone, so a worker that finishes a job first spins for up to [`WORKER_SPIN`] watching the
//! sequence number, and only then parks: back-to-back batches (a loaded server, a benchmark)
//! find it awake. That is the pool's bounded CPU cost: after each multi-threaded batch, each
//! worker that took part burns at most [`WORKER_SPIN`] of one core before it parks. Likewise the
//! caller, once no block is left to take, spins for up to [`CALLER_SPIN`] waiting for the
//! workers' last blocks before it sleeps on a condition variable. Blocks shrink as the work
//! runs out (guided sizes), so those last blocks are short.
//!
//! Safety and liveness do not depend on the workers:
//! - A job borrows the caller's tokens (the pointer and length arrays and the bytes they
//!   describe) through raw pointers; it owns everything else (an `Arc` of the verifier, the
//!   counters and the result slots). A thread reads token memory only for a block it claimed
//!   with `start < n`, and [`run`] does not return (not even by unwinding) before `finished ==
//!   n`, which counts completed blocks only (a block that panicked included). A worker that
//!   comes late claims `start >= n` and returns without touching token memory; it may still
//!   hold the job's `Arc`, whose token pointers may dangle by then but are never read again.
//!   Results go to slots the job owns and are copied out once, by the caller.
//! - Work is handed out in blocks from a shared counter, and the caller takes blocks like any
//!   worker. If no worker ever wakes, the caller does every block itself. That happens, for
//!   example, in a child process forked after the pool started, where the workers do not exist.
//!   The caller only ever `try_lock`s the shared slot (a bounded number of times), so not even a
//!   slot lock held by a worker at the moment of the fork can block it.
//! - A panic while verifying a block is caught on the thread that works it. That block's tokens
//!   get the `Panic` code and the thread lives on, so the caller never waits for a block that
//!   will not finish.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, TryLockError};
use std::time::{Duration, Instant};

use crate::ErrorKind;
use crate::jwt::Verifier;

/// The largest block of tokens handed out at once: small enough to balance, large enough that
/// the shared counter is touched rarely. Blocks shrink towards 1 as the work runs out.
const BLOCK: usize = 16;

/// How long a worker that finished a job looks for the next one before it parks.
const WORKER_SPIN: Duration = Duration::from_micros(100);

/// How long the caller, with no block left to take, spins for the workers' last blocks before
/// it sleeps on the job's condition variable.
const CALLER_SPIN: Duration = Duration::from_micros(50);

/// How many times the caller tries the shared slot's lock before it gives up on the workers
/// for this batch and works alone.
const PUBLISH_TRIES: usize = 200;

/// Spins until `ready()` or until `limit` has passed; whether `ready()` held. The clock is
/// read once every 32 checks.
fn spin_until(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        for _ in 0..32 {
            if ready() {
                return true;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= limit {
            return ready();
        }
    }
}

/// Locks `m`, ignoring poisoning: nothing guarded here is left half-updated by a panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A value alone on its cache line, so that the counters every thread writes do not slow down
/// the reads of the job's other fields.
#[repr(align(64))]
struct Padded<T>(T);

/// The caller's token arrays, borrowed without a lifetime: `n` pointers at `ptrs` and `n`
/// lengths at `lens`, each pair NULL or `len` readable bytes.
struct Tokens {
    ptrs: *const *const u8,
    lens: *const usize,
    n: usize,
}

// SAFETY: `Tokens` is only read (never written through), and only by `Job::work`, for indices
// of a block claimed with `start < n`. The caller of `run` (which made the `Tokens` from
// memory it promises stays readable for the whole call) does not return, not even by
// unwinding, until `finished == n`, i.e. until every claimed block is complete; after that,
// every claim gives `start >= n` and nothing dereferences these pointers again. So the memory
// is only read by other threads while the caller guarantees it, and reading shared bytes from
// several threads at once is sound.
unsafe impl Send for Tokens {}
// SAFETY: as for `Send`: shared, read-only access within the caller's guarantee.
unsafe impl Sync for Tokens {}

impl Tokens {
    /// The `i`-th token, or the error its arguments give (a NULL pointer with a non-zero
    /// length: `NullPointer`, exactly as `tessera_verify_result` would say).
    ///
    /// # Safety
    /// `i < n`, within a block claimed with `start < n` of a job whose `run` has not returned.
    unsafe fn get(&self, i: usize) -> Result<&[u8], crate::Error> {
        debug_assert!(i < self.n);
        // SAFETY: `i < n`, so both reads are within the caller's arrays, which (like the bytes
        // they describe) stay readable until `run` returns (see `Send for Tokens`).
        unsafe { super::bytes(*self.ptrs.add(i), *self.lens.add(i)) }
    }
}

/// One batch: the verifier, the borrowed tokens, the result slots and the counters.
pub(crate) struct Job {
    verifier: Arc<Verifier>,
    tokens: Tokens,
    now: i64,
    /// Threads expected to work (for the guided block size).
    threads: usize,
    /// How many more workers may join.
    seats: AtomicUsize,
    next: Padded<AtomicUsize>,
    finished: Padded<AtomicUsize>,
    results: Vec<AtomicU32>,
    /// Set (under `done`) by a caller about to sleep on `all_done`.
    sleeping: AtomicBool,
    done: Mutex<()>,
    all_done: Condvar,
}

impl Job {
    /// A job over the caller's `tokens[i]` of `lens[i]` bytes, for `threads` threads.
    ///
    /// # Safety
    /// `tokens` and `lens` have the same length; each `(tokens[i], lens[i])` is NULL or
    /// `lens[i]` readable bytes; the arrays and those bytes stay readable (and unwritten)
    /// until `wait` has returned, and `wait` is called before they are freed (even when
    /// unwinding).
    unsafe fn new(
        verifier: Arc<Verifier>,
        tokens: &[*const u8],
        lens: &[usize],
        now: i64,
        threads: usize,
    ) -> Job {
        let n = tokens.len().min(lens.len());
        Job {
            verifier,
            tokens: Tokens {
                ptrs: tokens.as_ptr(),
                lens: lens.as_ptr(),
                n,
            },
            now,
            threads: threads.max(1),
            seats: AtomicUsize::new(threads.saturating_sub(1)),
            next: Padded(AtomicUsize::new(0)),
            finished: Padded(AtomicUsize::new(0)),
            results: (0..n).map(|_| AtomicU32::new(0)).collect(),
            sleeping: AtomicBool::new(false),
            done: Mutex::new(()),
            all_done: Condvar::new(),
        }
    }

    /// Claims the next block, guided: a share of what is left, between 1 and `BLOCK` tokens.
    fn claim(&self) -> Option<Range<usize>> {
        let n = self.tokens.n;
        let left = n.saturating_sub(self.next.0.load(Ordering::Relaxed));
        let size = (left / (4 * self.threads)).clamp(1, BLOCK);
        // A stale `left` only makes the block bigger or smaller than planned; `end` is clamped.
        let start = self.next.0.fetch_add(size, Ordering::Relaxed);
        (start < n).then(|| start..(start + size).min(n))
    }

    /// Whether a worker may join (`threads - 1` seats per job).
    fn take_seat(&self) -> bool {
        self.seats
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| s.checked_sub(1))
            .is_ok()
    }

    /// Takes and verifies blocks until none is left.
    fn work(&self) {
        while let Some(block) = self.claim() {
            let count = block.len();
            let verified = catch_unwind(AssertUnwindSafe(|| {
                for i in block.clone() {
                    // SAFETY: `i` is in a block claimed with `start < n`, and `run` waits for
                    // this block before it returns (see `Send for Tokens`).
                    let input = unsafe { self.tokens.get(i) };
                    let code = super::jwt::verify_code(&self.verifier, input, self.now);
                    self.results[i].store(code, Ordering::Relaxed);
                }
            }));
            if verified.is_err() {
                for slot in &self.results[block] {
                    slot.store(ErrorKind::Panic.code(), Ordering::Relaxed);
                }
            }
            // Release: the result stores above happen before the count that announces them.
            // SeqCst: with the caller's SeqCst store of `sleeping` and load of `finished`, at
            // least one side sees the other (the caller sees `n`, or we see it sleeping).
            let before = self.finished.0.fetch_add(count, Ordering::SeqCst);
            if before + count == self.tokens.n && self.sleeping.load(Ordering::SeqCst) {
                let _guard = lock(&self.done);
                self.all_done.notify_all();
            }
        }
    }

    /// Waits until every token has its result: spins a little, then sleeps.
    fn wait(&self) {
        let n = self.tokens.n;
        // Acquire pairs with the workers' Release: their result stores are visible after.
        if spin_until(CALLER_SPIN, || self.finished.0.load(Ordering::Acquire) >= n) {
            return;
        }
        let mut guard = lock(&self.done);
        self.sleeping.store(true, Ordering::SeqCst);
        while self.finished.0.load(Ordering::SeqCst) < n {
            guard = self.all_done.wait(guard).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// The codes, once `wait` has returned.
    fn codes(&self) -> Vec<u32> {
        self.results
            .iter()
            .map(|r| r.load(Ordering::Relaxed))
            .collect()
    }
}

/// Waits for the job when dropped, so that `run` cannot return, not even by unwinding, while a
/// worker may still read the caller's tokens.
struct WaitOnDrop<'a>(&'a Job);

impl Drop for WaitOnDrop<'_> {
    fn drop(&mut self) {
        self.0.wait();
    }
}

/// What the shared slot holds: the latest job, until its caller clears it.
struct Slot {
    job: Option<Arc<Job>>,
    /// Workers asleep on `Pool::wake`.
    sleepers: usize,
}

/// The workers and the slot through which they get jobs.
struct Pool {
    slot: Mutex<Slot>,
    /// Bumped (under `slot`) with every job put in the slot; workers spin on it.
    seq: AtomicU64,
    wake: Condvar,
    workers: usize,
}

impl Pool {
    /// A worker's life: wait for a new job (spin, then park), join it if a seat is free, work.
    fn serve(&self) {
        // From 0, so a worker that starts after the first job was published still sees it.
        let mut seen = 0;
        loop {
            let spun = spin_until(WORKER_SPIN, || self.seq.load(Ordering::Relaxed) != seen);
            // The lock orders everything the caller did before publishing before our reads.
            let mut slot = lock(&self.slot);
            if !spun {
                while self.seq.load(Ordering::Relaxed) == seen {
                    slot.sleepers += 1;
                    slot = self.wake.wait(slot).unwrap_or_else(|p| p.into_inner());
                    slot.sleepers -= 1;
                }
            }
            seen = self.seq.load(Ordering::Relaxed);
            let job = slot.job.clone();
            drop(slot);
            if let Some(job) = job.filter(|j| j.take_seat()) {
                job.work();
            }
        }
    }

    /// Puts `job` in the slot and wakes sleeping workers as needed. Gives up (the caller then
    /// works alone) if the lock stays taken, as it may forever in a forked child.
    fn publish(&self, job: &Arc<Job>, helpers: usize) {
        for _ in 0..PUBLISH_TRIES {
            let mut slot = match self.slot.try_lock() {
                Ok(slot) => slot,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => {
                    std::hint::spin_loop();
                    continue;
                }
            };
            slot.job = Some(Arc::clone(job));
            let _ = self.seq.fetch_add(1, Ordering::Release);
            for _ in 0..slot.sleepers.min(helpers) {
                self.wake.notify_one();
            }
            return;
        }
    }

    /// Empties the slot if it still holds `job`, so the verifier is not kept alive by it.
    fn retract(&self, job: &Arc<Job>) {
        let mut slot = match self.slot.try_lock() {
            Ok(slot) => slot,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            // A later batch replaces it; a worker that takes it meanwhile finds no block left.
            Err(TryLockError::WouldBlock) => return,
        };
        if slot.job.as_ref().is_some_and(|j| Arc::ptr_eq(j, job)) {
            slot.job = None;
        }
    }
}

/// The pool, started on first use with one worker per available core minus one.
fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    static STARTED: OnceLock<()> = OnceLock::new();
    let pool = POOL.get_or_init(|| Pool {
        slot: Mutex::new(Slot {
            job: None,
            sleepers: 0,
        }),
        seq: AtomicU64::new(0),
        wake: Condvar::new(),
        workers: super::jwt::cores().saturating_sub(1),
    });
    let () = *STARTED.get_or_init(|| {
        for i in 0..pool.workers {
            // A worker that cannot start is simply not there: the caller does its share.
            let _ = std::thread::Builder::new()
                .name(format!("tessera-verify-{i}"))
                .spawn(move || pool.serve());
        }
    });
    pool
}

/// Verifies `tokens[i]` of `lens[i]` bytes at `now` on the calling thread and up to
/// `threads - 1` pool workers; one code per token.
///
/// # Safety
/// `tokens` and `lens` have the same length, and each `(tokens[i], lens[i])` is NULL or
/// `lens[i]` bytes that stay readable (and unwritten) until this returns.
pub(crate) unsafe fn run(
    verifier: Arc<Verifier>,
    tokens: &[*const u8],
    lens: &[usize],
    now: i64,
    threads: usize,
) -> Vec<u32> {
    let pool = pool();
    let helpers = threads.saturating_sub(1).min(pool.workers);
    // SAFETY: the caller's promise, and the guard waits for every block before we return,
    // even when unwinding.
    let job = Arc::new(unsafe { Job::new(verifier, tokens, lens, now, helpers + 1) });
    let waiting = WaitOnDrop(&job);
    if helpers > 0 {
        pool.publish(&job, helpers);
    }
    job.work();
    drop(waiting);
    if helpers > 0 {
        pool.retract(&job);
    }
    job.codes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::{self, Algorithm, Header, Key};

    #[test]
    fn a_job_gives_every_token_its_own_code_whoever_works_it() {
        let key = Key::hmac(&[5; 32], Algorithm::HS256).unwrap();
        let rng = ring::rand::SystemRandom::new();
        let tokens: Vec<String> = (0..100)
            .map(|i| {
                let exp = if i % 3 == 0 { 10 } else { 2_000 };
                let claims = serde_json::json!({"exp": exp, "n": i});
                jwt::sign(&key, &Header::new(), &claims, &rng).unwrap()
            })
            .collect();
        let verifier = Arc::new(Verifier::new(key));
        let mut ptrs: Vec<*const u8> = tokens.iter().map(|t| t.as_ptr()).collect();
        let mut lens: Vec<usize> = tokens.iter().map(String::len).collect();
        ptrs[7] = std::ptr::null();
        ptrs[8] = b"not.a.token".as_ptr();
        lens[8] = 11;
        ptrs[9] = std::ptr::null();
        lens[9] = 0;
        let expected: Vec<u32> = ptrs
            .iter()
            .zip(&lens)
            .map(|(&p, &l)| {
                // SAFETY: each pair is NULL or a live token of that length.
                let input = unsafe { crate::ffi::bytes(p, l) };
                super::super::jwt::verify_code(&verifier, input, 1_000)
            })
            .collect();
        assert!(expected.contains(&ErrorKind::Expired.code()));
        assert_eq!(expected[7], ErrorKind::NullPointer.code());
        assert_ne!(expected[8], crate::ffi::TESSERA_RESULT_OK);
        for threads in [1, 2, 4, 64] {
            for _ in 0..20 {
                // SAFETY: `tokens` outlive the call.
                let got = unsafe { run(Arc::clone(&verifier), &ptrs, &lens, 1_000, threads) };
                assert_eq!(got, expected, "{threads} threads");
            }
        }
        // Batches far apart, so the workers have parked in between and must be woken.
        for _ in 0..5 {
            std::thread::sleep(WORKER_SPIN * 10);
            // SAFETY: `tokens` outlive the call.
            let got = unsafe { run(Arc::clone(&verifier), &ptrs, &lens, 1_000, 2) };
            assert_eq!(got, expected, "after a pause");
        }
        // Without any worker (as in a forked child), the caller does all the work.
        // SAFETY: `tokens` outlive the job, and nothing but this thread works it.
        let job = unsafe { Job::new(Arc::clone(&verifier), &ptrs, &lens, 1_000, 2) };
        job.work();
        job.wait();
        assert_eq!(job.codes(), expected);
        // An empty job finishes at once.
        // SAFETY: no tokens.
        assert!(unsafe { run(verifier, &[], &[], 1_000, 2) }.is_empty());
    }

    #[test]
    fn guided_blocks_cover_every_token_once_and_shrink_at_the_end() {
        let verifier = Arc::new(Verifier::new(
            Key::hmac(&[5; 32], Algorithm::HS256).unwrap(),
        ));
        let ptrs = vec![std::ptr::null::<u8>(); 1000];
        let lens = vec![0; 1000];
        // SAFETY: NULL tokens of length 0 are never read; only `claim` is called.
        let job = unsafe { Job::new(verifier, &ptrs, &lens, 0, 2) };
        let mut blocks = Vec::new();
        while let Some(block) = job.claim() {
            blocks.push(block);
        }
        assert_eq!(blocks.first(), Some(&(0..BLOCK)));
        assert_eq!(blocks.last().map(|b| b.len()), Some(1));
        assert!(blocks.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(blocks.last().map(|b| b.end), Some(1000));
        assert!(job.claim().is_none(), "a late claim finds nothing");
    }
}
