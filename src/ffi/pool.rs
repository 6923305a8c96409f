//! The worker threads behind `tessera_verify_batch`: started once, on the first batch that
//! asks for more than one thread, and parked between batches.
//!
//! Starting and joining a thread costs 0.2–0.4 ms on the two-core VMs we measure on, which is a
//! quarter of a 1,024-token HS256 batch. A parked worker wakes in tens of microseconds. The pool
//! holds one worker per available core minus one, because the calling thread works too.
//!
//! Safety and liveness do not depend on the workers:
//! - A job owns everything it touches (an `Arc` of the verifier and a copy of the token bytes),
//!   so a worker that wakes late never sees freed memory.
//! - Work is handed out in blocks from a shared counter, and the caller takes blocks like any
//!   worker. If no worker ever wakes, the caller does every block itself. That happens, for
//!   example, in a child process forked after the pool started, where the workers do not exist.
//! - A panic while verifying a block is caught on the worker. That block's tokens get the
//!   `Panic` code and the worker lives on, so the caller never waits for a block that will not
//!   finish.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use crate::ErrorKind;
use crate::jwt::Verifier;

/// Tokens handed out per block: small enough to balance, large enough that the shared counter
/// is touched rarely.
const BLOCK: usize = 16;

/// One batch: the verifier, the tokens (as spans of one buffer, or an error code decided
/// before verification), the result slots and the completion count.
pub(crate) struct Job {
    verifier: Arc<Verifier>,
    data: Vec<u8>,
    spans: Vec<Result<(usize, usize), u32>>,
    now: i64,
    next: AtomicUsize,
    results: Vec<AtomicU32>,
    finished: AtomicUsize,
    done: Mutex<()>,
    all_done: Condvar,
}

impl Job {
    /// A job over `inputs`, whose bytes are copied so that the job outlives the caller's
    /// borrows.
    pub(crate) fn new(
        verifier: Arc<Verifier>,
        inputs: &[Result<&[u8], crate::Error>],
        now: i64,
    ) -> Job {
        let total = inputs
            .iter()
            .map(|i| i.as_ref().map_or(0, |t| t.len()))
            .sum();
        let mut data = Vec::with_capacity(total);
        let spans = inputs
            .iter()
            .map(|input| match input {
                Ok(token) => {
                    let start = data.len();
                    data.extend_from_slice(token);
                    Ok((start, data.len()))
                }
                Err(e) => Err(e.code()),
            })
            .collect();
        Job {
            verifier,
            data,
            spans,
            now,
            next: AtomicUsize::new(0),
            results: (0..inputs.len()).map(|_| AtomicU32::new(0)).collect(),
            finished: AtomicUsize::new(0),
            done: Mutex::new(()),
            all_done: Condvar::new(),
        }
    }

    /// Takes and verifies blocks until none is left.
    fn work(&self) {
        let n = self.spans.len();
        loop {
            let start = self.next.fetch_add(BLOCK, Ordering::Relaxed);
            if start >= n {
                return;
            }
            let end = (start + BLOCK).min(n);
            let verified = catch_unwind(AssertUnwindSafe(|| {
                for i in start..end {
                    let code = match self.spans[i] {
                        Ok((a, b)) => self
                            .verifier
                            .verify_with(&self.data[a..b], self.now, |_| ())
                            .map_or_else(|e| e.code(), |()| super::TESSERA_RESULT_OK),
                        Err(code) => code,
                    };
                    self.results[i].store(code, Ordering::Relaxed);
                }
            }));
            if verified.is_err() {
                for slot in &self.results[start..end] {
                    slot.store(ErrorKind::Panic.code(), Ordering::Relaxed);
                }
            }
            // Release: the result stores above happen before the count that announces them.
            let before = self.finished.fetch_add(end - start, Ordering::Release);
            if before + (end - start) == n {
                let _guard = self.done.lock().unwrap_or_else(|p| p.into_inner());
                self.all_done.notify_all();
            }
        }
    }

    /// Waits until every token has its result, then returns the codes.
    fn results(&self) -> Vec<u32> {
        let n = self.spans.len();
        let mut guard = self.done.lock().unwrap_or_else(|p| p.into_inner());
        // Acquire pairs with the workers' Release: their result stores are visible below.
        while self.finished.load(Ordering::Acquire) < n {
            guard = self.all_done.wait(guard).unwrap_or_else(|p| p.into_inner());
        }
        drop(guard);
        self.results
            .iter()
            .map(|r| r.load(Ordering::Relaxed))
            .collect()
    }
}

/// The parked workers, one channel each.
struct Pool {
    workers: Vec<Sender<Arc<Job>>>,
}

/// The pool, started on first use with one worker per available core minus one.
fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let workers = super::jwt::cores().saturating_sub(1);
        let workers = (0..workers)
            .filter_map(|i| {
                let (send, receive) = channel::<Arc<Job>>();
                std::thread::Builder::new()
                    .name(format!("tessera-verify-{i}"))
                    .spawn(move || {
                        while let Ok(job) = receive.recv() {
                            job.work();
                        }
                    })
                    // A worker that cannot start is simply not there: the caller does its share.
                    .ok()
                    .map(|_| send)
            })
            .collect();
        Pool { workers }
    })
}

/// Runs `job` on the calling thread and up to `threads - 1` pool workers; one code per token.
pub(crate) fn run(job: Job, threads: usize) -> Vec<u32> {
    let job = Arc::new(job);
    let pool = pool();
    for worker in pool.workers.iter().take(threads.saturating_sub(1)) {
        // A worker that is gone leaves its share to the others and the caller.
        let _ = worker.send(Arc::clone(&job));
    }
    job.work();
    job.results()
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
        let mut inputs: Vec<Result<&[u8], crate::Error>> =
            tokens.iter().map(|t| Ok(t.as_bytes())).collect();
        inputs[7] = Err(crate::Error::new(ErrorKind::NullPointer, ""));
        inputs[8] = Ok(b"not.a.token");
        let expected: Vec<u32> = inputs
            .iter()
            .map(|input| match input {
                Ok(t) => verifier
                    .verify_with(t, 1_000, |_| ())
                    .map_or_else(|e| e.code(), |()| 0),
                Err(e) => e.code(),
            })
            .collect();
        assert!(expected.contains(&ErrorKind::Expired.code()));
        assert_eq!(expected[7], ErrorKind::NullPointer.code());
        for threads in [1, 2, 4, 64] {
            let job = Job::new(Arc::clone(&verifier), &inputs, 1_000);
            assert_eq!(run(job, threads), expected, "{threads} threads");
        }
        // Without any worker (as in a forked child), the caller does all the work.
        let job = Job::new(Arc::clone(&verifier), &inputs, 1_000);
        job.work();
        assert_eq!(job.results(), expected);
        // An empty job finishes at once.
        assert!(run(Job::new(verifier, &[], 1_000), 2).is_empty());
    }
}
