//! The issue #7 ratios, timed as paired measurements: the two sides of each ratio run
//! alternately, a few milliseconds each, for many rounds, and each round gives one ratio.
//!
//! Criterion (`verify.rs`) times each contender for seconds, one after the other. On a shared
//! VM whose speed drifts by 10–30 % over seconds, two contenders timed a minute apart can
//! differ by more than the gap being measured, so a ratio of two criterion medians moves by
//! ±20 % between runs. Here both sides of a round run within a few milliseconds of each other
//! and under the same conditions, so the drift cancels in the round's ratio; the median over
//! rounds and its spread (the 10th–90th percentile of the rounds) are reported. Which side
//! runs first alternates between rounds.
//!
//! Same contenders, keys and tokens as `verify.rs` and `instructions.rs`
//! (`benches/common/mod.rs`); every result is asserted valid before timing. Run:
//! `cargo bench --bench paired` (about 40 s; prints a Markdown table), or with filters:
//! `cargo bench --bench paired -- batch` or `-- "HS256 large"`.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::hint::black_box;
use std::time::Instant;

use common::{NOW, Owned, c_verifier, c_verify, c_verify_batch, fixture, floor, sign};
use tessera::jwt::Algorithm;

/// Rounds per ratio.
const ROUNDS: usize = 61;

/// Nanoseconds per call of `f`, timed over `iters` calls.
fn time(iters: u32, f: &mut dyn FnMut() -> bool) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        assert!(black_box(f()), "every call must succeed");
    }
    start.elapsed().as_nanos() as f64 / f64::from(iters)
}

/// How many calls of `f` take about `target_ns`.
fn calibrate(target_ns: f64, f: &mut dyn FnMut() -> bool) -> u32 {
    let _warm = time(50, f);
    let per = time(200, f).max(1.0);
    (target_ns / per).clamp(1.0, 1e7) as u32
}

/// One row: the median over rounds of `time(base) / time(ours)`, with the 10th and 90th
/// percentiles and the share of rounds at or beyond `target` (`higher`: ratio >= target,
/// else ratio <= target).
struct Row {
    what: String,
    target: String,
    p10: f64,
    median: f64,
    p90: f64,
    met: usize,
}

fn paired(
    what: &str,
    target: f64,
    higher: bool,
    base: &mut dyn FnMut() -> bool,
    ours: &mut dyn FnMut() -> bool,
) -> Row {
    // About 2 ms per side per round.
    let (nb, no) = (calibrate(2e6, base), calibrate(2e6, ours));
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            let (b, o) = if round % 2 == 0 {
                let b = time(nb, base);
                (b, time(no, ours))
            } else {
                let o = time(no, ours);
                (time(nb, base), o)
            };
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
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        // `cargo test --benches` asks harness-less benches to list themselves; nothing to run.
        return;
    }
    // Extra arguments keep only the rows whose label contains one of them.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted =
        |label: &str| filter.is_empty() || filter.iter().any(|f| label.contains(f.as_str()));
    let f = fixture(Algorithm::HS256);
    let cv = c_verifier(&f.key);
    let mut rows = Vec::new();
    for (size, large) in [("small", false), ("large", true)] {
        if !wanted(&format!("HS256 {size}")) {
            continue;
        }
        let token = sign(&f, 1, large);
        let floor_ok = |t: &str| floor(&f.ring, t).is_some();
        let jwt_ok =
            |t: &str| jsonwebtoken::decode::<Owned>(t, &f.jwt_key, &f.jwt_validation).is_ok();
        let ours_ok = |t: &str| f.verifier.verify_with(t, NOW, |c| c.exp()).is_ok();
        // Note the ratio orientation in the labels: "floor / verify_with" >= 1 means tessera
        // is at or below the floor; the target "≤ 0.8× the floor" is "floor / verify_with
        // ≥ 1.25".
        let (floor_target, label) = if large {
            (1.25, "floor / `verify_with` (≤ 0.8× the floor)")
        } else {
            (1.0, "floor / `verify_with` (at or below the floor)")
        };
        rows.push(paired(
            &format!("HS256 {size}: {label}"),
            floor_target,
            true,
            &mut || floor_ok(black_box(&token)),
            &mut || ours_ok(black_box(&token)),
        ));
        rows.push(paired(
            &format!("HS256 {size}: jsonwebtoken 9 / `verify_with` (≥ 2× faster)"),
            2.0,
            true,
            &mut || jwt_ok(black_box(&token)),
            &mut || ours_ok(black_box(&token)),
        ));
        rows.push(paired(
            &format!("HS256 {size}: C ABI / `verify_with` (time ratio, for the 60 ns target)"),
            1.0,
            false,
            &mut || c_verify(cv, black_box(&token)) == 0,
            &mut || ours_ok(black_box(&token)),
        ));
    }
    for alg in [Algorithm::HS256, Algorithm::ES256] {
        if !wanted(&format!("{} batch", alg.as_str())) {
            continue;
        }
        let f = fixture(alg);
        let cv = c_verifier(&f.key);
        let tokens: Vec<String> = (0..1024).map(|n| sign(&f, n, false)).collect();
        let ptrs: Vec<*const u8> = tokens.iter().map(|t| t.as_ptr()).collect();
        let lens: Vec<usize> = tokens.iter().map(String::len).collect();
        let run = |threads: usize, results: &mut [u32]| {
            c_verify_batch(cv, &ptrs, &lens, threads, results) == 0
                && results.iter().all(|&r| r == 0)
        };
        let (mut r1, mut r2) = (vec![u32::MAX; tokens.len()], vec![u32::MAX; tokens.len()]);
        let mut one = || run(1, &mut r1);
        let mut all = || run(0, &mut r2);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        rows.push(paired(
            &format!(
                "{} batch of 1,024: 1 thread / all {cores} (≥ 1.9× on 2 cores)",
                alg.as_str()
            ),
            1.9,
            true,
            &mut one,
            &mut all,
        ));
    }
    println!("| ratio (target) | median | 10th–90th percentile | rounds meeting the target |");
    println!("|---|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {:.2} | {:.2}–{:.2} | {}/{ROUNDS} ({}) |",
            r.what, r.median, r.p10, r.p90, r.met, r.target
        );
    }
}
