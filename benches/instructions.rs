//! Instructions per verification, counted by valgrind's callgrind: the same contenders, keys
//! and tokens as `verify.rs`, counted instead of timed, on the backend `tessera` is built with
//! (the `crypto` and `floor` contenders use the same backend; the table names it in its
//! first column).
//!
//! Timings on a shared two-core machine move by several percent between runs, which is the
//! size of the differences the performance targets are about (the C ABI's 60 ns, the 3 % over
//! ring). An instruction count does not move: the same binary, inputs and iteration count give
//! the same total whatever else the machine is doing. Each contender runs in a child process
//! under callgrind twice, `LOW` and `HIGH` iterations of the same token, and the difference
//! divided by `HIGH - LOW` is its cost per verification (set-up cancels out).
//!
//! Caveat: under valgrind, both backends pick SHA-2 code without the SHA extensions (valgrind
//! does not emulate them), so the HMAC rows count more instructions for the hash than real
//! hardware runs; the non-crypto part, which is what tessera controls, is counted exactly.
//!
//! Run: `cargo bench --bench instructions [--features aws-lc]` (needs valgrind; prints a
//! Markdown table; without
//! valgrind it fails with exit code 2 and says so, having measured nothing). Extra
//! arguments filter the algorithms: `cargo bench --bench instructions -- HS256 ES256`. With
//! `TESSERA_CALLGRIND_DIR=dir` set, each child's profile is kept in `dir` for
//! `callgrind_annotate`.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::hint::black_box;
use std::process::Command;

use common::{ALGS, Shape, backend, c_verifier_for, c_verify, fixture, sig_parts, sign_shape};
use tessera::jwt::Algorithm;

/// What the child process runs, in the order of the table's columns.
const CONTENDERS: [&str; 6] = [
    "crypto",
    "floor",
    "jsonwebtoken9",
    "tessera_verify",
    "tessera_verify_with",
    "tessera_c_abi",
];

/// The environment variable that makes this binary a child: `contender alg size low|high`.
const CHILD: &str = "TESSERA_INSTRUCTIONS_CHILD";

/// Iterations of the low and high runs, by algorithm (slow algorithms get fewer).
fn iterations(alg: Algorithm) -> (u64, u64) {
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => (200, 2_200),
        Algorithm::ES384 => (2, 12),
        _ => (10, 60),
    }
}

fn main() {
    match std::env::var(CHILD) {
        Ok(spec) => child(&spec),
        Err(_) => parent(),
    }
}

/// Runs one contender `n` times over the token given in the environment.
fn child(spec: &str) {
    let parts: Vec<&str> = spec.split(' ').collect();
    let [contender, alg, size, n] = parts[..] else {
        panic!("bad child spec {spec:?}")
    };
    let alg: Algorithm = alg.parse().unwrap();
    let shape = Shape::parse(size);
    let n: u64 = n.parse().unwrap();
    let f = fixture(alg);
    let cv = c_verifier_for(&f.key, shape);
    // The parent signs once and hands the token down, so both runs see the same bytes.
    let token = std::env::var(format!("{CHILD}_TOKEN_{size}")).unwrap();
    let (signing_input, sig) = sig_parts(&token);
    let mut ok = 0u64;
    for _ in 0..n {
        let good = match contender {
            "crypto" => f
                .raw
                .verify(black_box(signing_input.as_bytes()), black_box(&sig)),
            "floor" => f.floor_ok(shape, black_box(&token)),
            "jsonwebtoken9" => f.jwt_ok(shape, black_box(&token)),
            "tessera_verify" => f.verify_ok(shape, black_box(&token)),
            "tessera_verify_with" => f.verify_with_ok(shape, black_box(&token)),
            "tessera_c_abi" => c_verify(cv, black_box(&token)) == 0,
            other => panic!("unknown contender {other}"),
        };
        ok += u64::from(good);
    }
    // Every iteration must have verified: a count of failures would be meaningless.
    assert_eq!(
        ok, n,
        "{contender} {alg} {size}: not every verification passed"
    );
}

/// Instructions of one child run under callgrind.
fn count(spec: &str, tokens: &[(String, String)]) -> u64 {
    let exe = std::env::current_exe().unwrap();
    // `TESSERA_CALLGRIND_DIR=dir` keeps each child's profile (for `callgrind_annotate`).
    let out_file = match std::env::var("TESSERA_CALLGRIND_DIR") {
        Ok(dir) => format!("{dir}/{}.out", spec.replace(' ', "-")),
        Err(_) => "/dev/null".to_owned(),
    };
    let mut cmd = Command::new("valgrind");
    cmd.args([
        "--tool=callgrind",
        &format!("--callgrind-out-file={out_file}"),
    ])
    .arg(&exe)
    .env(CHILD, spec);
    for (name, token) in tokens {
        cmd.env(name, token);
    }
    let out = cmd.output().expect("valgrind runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child {spec} failed:\n{stderr}");
    let refs = stderr
        .lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .unwrap_or_else(|| panic!("no instruction count in:\n{stderr}"));
    refs.trim().replace(',', "").parse().unwrap()
}

/// Exit code when valgrind cannot run: nothing was measured, so the bench must not pass.
const EXIT_NO_VALGRIND: i32 = 2;

/// Stops the bench, non-zero, when `valgrind --version` does not run: without valgrind there is
/// nothing to count, and exiting 0 would read as a measurement.
fn require_valgrind() {
    let problem = match Command::new("valgrind").arg("--version").output() {
        Ok(out) if out.status.success() => return,
        Ok(out) => format!("`valgrind --version` failed ({})", out.status),
        Err(e) => format!("valgrind cannot be run ({e})"),
    };
    eprintln!(
        "error: instructions: {problem}; this bench counts instructions under valgrind's \
         callgrind and measured nothing. Install valgrind (Debian/Ubuntu: \
         `sudo apt-get install valgrind`) or run the timing benches instead \
         (`cargo bench --bench verify`)."
    );
    std::process::exit(EXIT_NO_VALGRIND);
}

fn parent() {
    require_valgrind();
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let b = backend();
    println!(
        "Backend: {} (`crypto` and `floor` on it; jsonwebtoken 9 on ring)\n",
        tessera::backend()
    );
    println!(
        "| backend | alg | size | crypto | floor | jsonwebtoken 9 | `verify` | `verify_with` | \
         C ABI | `verify_with` / floor | `verify_with` − crypto | floor − crypto | \
         C ABI − `verify_with` |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for alg in ALGS {
        if !filter.is_empty() && !filter.iter().any(|f| f == alg.as_str()) {
            continue;
        }
        let f = fixture(alg);
        // The peer token for HS256 only.
        let shapes: &[Shape] = if alg == Algorithm::HS256 {
            &[Shape::Small, Shape::Peer, Shape::Large]
        } else {
            &[Shape::Small, Shape::Large]
        };
        let tokens: Vec<(String, String)> = shapes
            .iter()
            .map(|&s| (format!("{CHILD}_TOKEN_{}", s.name()), sign_shape(&f, 1, s)))
            .collect();
        let (low, high) = iterations(alg);
        for size in shapes.iter().map(|s| s.name()) {
            let per: Vec<u64> = CONTENDERS
                .iter()
                .map(|c| {
                    let a = count(&format!("{c} {} {size} {low}", alg.as_str()), &tokens);
                    let b = count(&format!("{c} {} {size} {high}", alg.as_str()), &tokens);
                    b.saturating_sub(a) / (high - low)
                })
                .collect();
            let [crypto, floor, jwt, verify, with, cabi] = per[..] else {
                unreachable!()
            };
            let signed = |a: u64, b: u64| i128::from(a) - i128::from(b);
            println!(
                "| {b} | {} | {size} | {crypto} | {floor} | {jwt} | {verify} | {with} | {cabi} | {:.2} | {} | {} | {:+} |",
                alg.as_str(),
                with as f64 / floor as f64,
                signed(with, crypto),
                signed(floor, crypto),
                signed(cabi, with),
            );
        }
    }
}
