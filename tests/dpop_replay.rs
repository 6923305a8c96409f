//! The DPoP replay cache at the size the issue names: 1,000,000 entries held in bounded memory
//! (measured with a byte-counting global allocator), and eviction when full and over time.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use tessera::ErrorKind;
use tessera::crypto::DeterministicRandom;
use tessera::dpop::ReplayCache;

/// Live heap bytes of the whole process (this file holds one test, so nothing else runs).
static LIVE: AtomicUsize = AtomicUsize::new(0);

struct Counting;

// SAFETY: forwards to the system allocator and only updates an atomic counter.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        let _ = LIVE.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MB: usize = 1024 * 1024;

#[test]
fn a_million_entries_in_bounded_memory_then_eviction() {
    const N: usize = 1_000_000;
    let rng = DeterministicRandom::new(7);
    let base = LIVE.load(Ordering::Relaxed);
    let cache = ReplayCache::new(N, &rng).unwrap();
    let now = 1_800_000_000;
    let mut jti = String::with_capacity(16);
    for i in 0..N {
        jti.clear();
        jti.push_str(&i.to_string());
        cache.check_and_record("jkt", &jti, now + 120, now).unwrap();
    }
    assert_eq!(cache.len(), N);
    assert_eq!(cache.evicted_live(), 0);
    let full = LIVE.load(Ordering::Relaxed) - base;
    println!("1,000,000 entries: {} MB", full / MB);
    assert!(full < 128 * MB, "{} MB", full / MB);
    // Every one of them is refused a second time (sampled).
    for i in (0..N).step_by(9_973) {
        let e = cache
            .check_and_record("jkt", &i.to_string(), now + 120, now + 1)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DpopReplay);
    }
    // Full of live entries: new ones evict the oldest, memory stays where it was.
    for i in N..N + 100_000 {
        cache
            .check_and_record("jkt", &i.to_string(), now + 120, now + 2)
            .unwrap();
    }
    assert!(cache.len() <= cache.capacity());
    assert!(cache.evicted_live() >= 90_000, "{}", cache.evicted_live());
    let after = LIVE.load(Ordering::Relaxed) - base;
    assert!(after <= full + full / 8, "{} MB after eviction", after / MB);
    // The newest are still refused; the oldest were evicted.
    assert!(
        cache
            .check_and_record("jkt", &(N + 99_999).to_string(), now + 120, now + 3)
            .is_err()
    );
    // Once the window has passed, new values push out expired ones: no live eviction.
    let evicted = cache.evicted_live();
    for i in 0..50_000 {
        cache
            .check_and_record("other", &i.to_string(), now + 400, now + 300)
            .unwrap();
    }
    assert_eq!(cache.evicted_live(), evicted);
    drop(cache);
    let freed = LIVE.load(Ordering::Relaxed).saturating_sub(base);
    assert!(freed < MB, "{freed} bytes left after drop");
}
