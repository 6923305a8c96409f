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
//! The pool knows nothing of what it computes: a job is `n` slots and a function that computes
//! one slot's `u32` (for `tessera_verify_batch`, a token's result code; see `ffi::jwt`).
//!
//! Safety and liveness do not depend on the workers:
//! - [`run`] calls the job's function only for an index of a block claimed with `start < n`, and
//!   does not return (not even by unwinding) before `finished == n`, which counts completed
//!   blocks only (a block that panicked included). A worker that comes late claims `start >= n`
//!   and returns without calling the function; it may still hold the job's `Arc`, whose
//!   function is never called again. So a function may read memory that stays valid only until
//!   `run` returns (the batch reads the caller's tokens in place). Results go to slots the job
//!   owns and are copied out once, by the caller.
//! - Work is handed out in blocks from a shared counter, and the caller takes blocks like any
//!   worker. If no worker ever wakes, the caller does every block itself. That happens, for
//!   example, in a child process forked after the pool started, where the workers do not exist.
//!   The caller only ever `try_lock`s the shared slot (a bounded number of times), so not even a
//!   slot lock held by a worker at the moment of the fork can block it.
//! - A panic while computing a block is caught on the thread that works it. That block's slots
//!   get the `Panic` code and the thread lives on, so the caller never waits for a block that
//!   will not finish.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, TryLockError};
use std::time::{Duration, Instant};

use crate::ErrorKind;

/// The largest block of slots handed out at once: small enough to balance, large enough that
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

/// One batch: the function that computes a slot, the result slots and the counters.
struct Job<F> {
    compute: F,
    /// The number of slots.
    n: usize,
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

/// What the workers see of a job, whatever it computes.
trait Task: Send + Sync {
    /// Whether a worker may join (`threads - 1` seats per job).
    fn take_seat(&self) -> bool;
    /// Takes and computes blocks until none is left.
    fn work(&self);
}

impl<F: Fn(usize) -> u32 + Send + Sync> Task for Job<F> {
    fn take_seat(&self) -> bool {
        self.seats
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| s.checked_sub(1))
            .is_ok()
    }

    fn work(&self) {
        while let Some(block) = self.claim() {
            let count = block.len();
            let computed = catch_unwind(AssertUnwindSafe(|| {
                for i in block.clone() {
                    let code = (self.compute)(i);
                    self.results[i].store(code, Ordering::Relaxed);
                }
            }));
            if computed.is_err() {
                for slot in &self.results[block] {
                    slot.store(ErrorKind::Panic.code(), Ordering::Relaxed);
                }
            }
            // Release: the result stores above happen before the count that announces them.
            // SeqCst: with the caller's SeqCst store of `sleeping` and load of `finished`, at
            // least one side sees the other (the caller sees `n`, or we see it sleeping).
            let before = self.finished.0.fetch_add(count, Ordering::SeqCst);
            if before + count == self.n && self.sleeping.load(Ordering::SeqCst) {
                let _guard = lock(&self.done);
                self.all_done.notify_all();
            }
        }
    }
}

impl<F> Job<F> {
    /// A job of `n` slots, each computed by `compute(i)`, for `threads` threads.
    fn new(compute: F, n: usize, threads: usize) -> Job<F> {
        Job {
            compute,
            n,
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

    /// Claims the next block, guided: a share of what is left, between 1 and `BLOCK` slots.
    fn claim(&self) -> Option<Range<usize>> {
        let n = self.n;
        let left = n.saturating_sub(self.next.0.load(Ordering::Relaxed));
        let size = (left / (4 * self.threads)).clamp(1, BLOCK);
        // A stale `left` only makes the block bigger or smaller than planned; `end` is clamped.
        let start = self.next.0.fetch_add(size, Ordering::Relaxed);
        (start < n).then(|| start..(start + size).min(n))
    }

    /// Waits until every slot has its result: spins a little, then sleeps.
    fn wait(&self) {
        let n = self.n;
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
/// worker may still be computing a slot.
struct WaitOnDrop<'a, F>(&'a Job<F>);

impl<F> Drop for WaitOnDrop<'_, F> {
    fn drop(&mut self) {
        self.0.wait();
    }
}

/// What the shared slot holds: the latest job, until its caller clears it.
struct Slot {
    job: Option<Arc<dyn Task>>,
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
    fn publish(&self, job: &Arc<dyn Task>, helpers: usize) {
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

    /// Empties the slot if it still holds `job`, so what the job owns is not kept alive by it.
    fn retract(&self, job: &Arc<dyn Task>) {
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
        workers: cores().saturating_sub(1),
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

/// The number of cores, asked once per process: on Linux, `available_parallelism` reads the
/// cgroup files (about 70 µs a call here), and a batch is no place for file I/O.
pub(crate) fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// Computes `compute(i)` for every `i < n` on the calling thread and up to `threads - 1` pool
/// workers; one result per slot (`ErrorKind::Panic`'s code for the slots of a block in which
/// `compute` panicked).
///
/// Guarantee (see the module documentation): `compute` is called only with `i < n`, at most
/// once per `i`, and never after `run` has returned or unwound; so it may read memory that is
/// valid only for the duration of this call.
pub(crate) fn run<F>(n: usize, threads: usize, compute: F) -> Vec<u32>
where
    F: Fn(usize) -> u32 + Send + Sync + 'static,
{
    let pool = pool();
    let helpers = threads.saturating_sub(1).min(pool.workers);
    let job = Arc::new(Job::new(compute, n, helpers + 1));
    // The guard waits for every block before we return, even when unwinding.
    let waiting = WaitOnDrop(&job);
    let task: Arc<dyn Task> = Arc::clone(&job) as Arc<dyn Task>;
    if helpers > 0 {
        pool.publish(&task, helpers);
    }
    job.work();
    drop(waiting);
    if helpers > 0 {
        pool.retract(&task);
    }
    job.codes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compute(i: usize) -> u32 {
        u32::try_from(i * 7 % 13).unwrap()
    }

    #[test]
    fn a_job_gives_every_slot_its_own_code_whoever_works_it() {
        let expected: Vec<u32> = (0..100).map(compute).collect();
        for threads in [1, 2, 4, 64] {
            for _ in 0..20 {
                assert_eq!(run(100, threads, compute), expected, "{threads} threads");
            }
        }
        // Batches far apart, so the workers have parked in between and must be woken.
        for _ in 0..5 {
            std::thread::sleep(WORKER_SPIN * 10);
            assert_eq!(run(100, 2, compute), expected, "after a pause");
        }
        // Without any worker (as in a forked child), the caller does all the work.
        let job = Job::new(compute, 100, 2);
        job.work();
        job.wait();
        assert_eq!(job.codes(), expected);
        // An empty job finishes at once.
        assert!(run(0, 2, compute).is_empty());
    }

    #[test]
    fn a_panicking_block_gets_the_panic_code_and_the_rest_are_computed() {
        let panic = ErrorKind::Panic.code();
        let got = run(200, 4, |i| {
            assert_ne!(i, 150, "slot 150 panics");
            compute(i)
        });
        assert_eq!(got[150], panic);
        for (i, &code) in got.iter().enumerate() {
            assert!(code == compute(i) || code == panic, "slot {i}");
        }
        assert_eq!(got[0], compute(0), "the first block does not hold slot 150");
    }

    #[test]
    fn guided_blocks_cover_every_slot_once_and_shrink_at_the_end() {
        let job = Job::new(compute, 1000, 2);
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
