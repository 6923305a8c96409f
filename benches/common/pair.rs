//! Paired time ratios, shared by `paired.rs` and `backends.rs`: the two sides of a ratio run
//! alternately, a few milliseconds each, for many rounds, and each round gives one ratio.
//!
//! Criterion times each contender for seconds, one after the other. On a shared VM whose speed
//! drifts by 10–30 % over seconds, two contenders timed a minute apart can differ by more than
//! the gap being measured. Here both sides of a round run within a few milliseconds of each
//! other and under the same conditions, so the drift cancels in the round's ratio; the median
//! over rounds and its spread (the 10th–90th percentile of the rounds) are reported. Which side
//! runs first alternates between rounds.
//!
//! Single-threaded work is timed with the thread's own CPU clock ([`Clock::Thread`], Linux's
//! `CLOCK_THREAD_CPUTIME_ID`): while other processes run on the machine, a round in which the
//! thread is descheduled for a while does not count that while. Work spread over threads (the
//! batch rows) is timed with the wall clock ([`Clock::Wall`]).

use std::hint::black_box;
use std::time::Instant;

/// Which clock times a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Elapsed real time.
    Wall,
    /// The calling thread's CPU time (elapsed real time where there is no such clock).
    Thread,
}

/// The calling thread's CPU time in nanoseconds.
#[cfg(target_os = "linux")]
fn thread_ns() -> Option<f64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then_some(ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64)
}

#[cfg(not(target_os = "linux"))]
fn thread_ns() -> Option<f64> {
    None
}

/// Nanoseconds per call of `f`, timed over `iters` calls on `clock`.
pub fn time_on(clock: Clock, iters: u32, f: &mut dyn FnMut() -> bool) -> f64 {
    let thread_start = if clock == Clock::Thread {
        thread_ns()
    } else {
        None
    };
    let start = Instant::now();
    for _ in 0..iters {
        assert!(black_box(f()), "every call must succeed");
    }
    let elapsed = match thread_start.zip(thread_ns()) {
        Some((a, b)) => b - a,
        None => start.elapsed().as_nanos() as f64,
    };
    elapsed / f64::from(iters)
}

/// Nanoseconds per call of `f` on the thread's CPU clock, timed over `iters` calls.
pub fn time(iters: u32, f: &mut dyn FnMut() -> bool) -> f64 {
    time_on(Clock::Thread, iters, f)
}

/// How many calls of `f` take about `target_ns`.
pub fn calibrate(target_ns: f64, f: &mut dyn FnMut() -> bool) -> u32 {
    let _warm = time_on(Clock::Wall, 50, f);
    let per = time_on(Clock::Wall, 200, f).max(1.0);
    (target_ns / per).clamp(1.0, 1e7) as u32
}

/// One ratio: the median over rounds of `time(base) / time(ours)`, with the 10th and 90th
/// percentiles, the share of rounds at or beyond the target, and each side's median time.
pub struct Row {
    pub what: String,
    /// `≥ x` or `≤ x`.
    pub target: String,
    pub p10: f64,
    pub median: f64,
    pub p90: f64,
    /// Rounds meeting the target.
    pub met: usize,
    pub rounds: usize,
    /// Median nanoseconds per call of `base` and of `ours` over the rounds.
    pub base_ns: f64,
    pub ours_ns: f64,
}

impl Row {
    /// Whether the median meets the target.
    pub fn median_meets(&self) -> bool {
        let (op, x) = self.target.split_once(' ').unwrap();
        let x: f64 = x.parse().unwrap();
        if op == "≥" {
            self.median >= x
        } else {
            self.median <= x
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `rounds` rounds of `base` and `ours`, each side timed on the thread's CPU clock for about
/// `side_ns` per round. `higher`: the target is met by a ratio `>= target`, else by a ratio
/// `<= target`.
pub fn paired(
    what: &str,
    target: f64,
    higher: bool,
    rounds: usize,
    side_ns: f64,
    base: &mut dyn FnMut() -> bool,
    ours: &mut dyn FnMut() -> bool,
) -> Row {
    paired_on(
        Clock::Thread,
        what,
        target,
        higher,
        rounds,
        side_ns,
        base,
        ours,
    )
}

/// [`paired`] on `clock` ([`Clock::Wall`] for work spread over threads).
#[allow(clippy::too_many_arguments)]
pub fn paired_on(
    clock: Clock,
    what: &str,
    target: f64,
    higher: bool,
    rounds: usize,
    side_ns: f64,
    base: &mut dyn FnMut() -> bool,
    ours: &mut dyn FnMut() -> bool,
) -> Row {
    let time = |n: u32, f: &mut dyn FnMut() -> bool| time_on(clock, n, f);
    let (nb, no) = (calibrate(side_ns, base), calibrate(side_ns, ours));
    let (mut bs, mut os) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|round| {
            let (b, o) = if round % 2 == 0 {
                let b = time(nb, base);
                (b, time(no, ours))
            } else {
                let o = time(no, ours);
                (time(nb, base), o)
            };
            bs.push(b);
            os.push(o);
            b / o
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    let met = ratios
        .iter()
        .filter(|&&r| if higher { r >= target } else { r <= target })
        .count();
    Row {
        what: what.to_owned(),
        target: format!("{} {target}", if higher { "≥" } else { "≤" }),
        p10: at(0.1),
        median: at(0.5),
        p90: at(0.9),
        met,
        rounds,
        base_ns: median(bs),
        ours_ns: median(os),
    }
}

/// The median over `rounds` rounds of the nanoseconds per call of `f`, each round about
/// `side_ns` long.
pub fn absolute(rounds: usize, side_ns: f64, f: &mut dyn FnMut() -> bool) -> f64 {
    let n = calibrate(side_ns, f);
    median((0..rounds).map(|_| time(n, f)).collect())
}

/// The benches' filter: extra command-line arguments keep only the rows whose label contains
/// one of them (`cargo bench --bench paired -- "HS256 large"`).
pub fn filter() -> impl Fn(&str) -> bool {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    move |label: &str| filter.is_empty() || filter.iter().any(|f| label.contains(f.as_str()))
}

/// Whether `cargo test --benches` asked this harness-less bench to list itself (nothing to
/// run then).
pub fn listing() -> bool {
    std::env::args().any(|a| a == "--list")
}
