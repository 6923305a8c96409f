//! `tessera bench`: JWT verification throughput per algorithm on this machine, on one thread and
//! on every core.
//!
//! What is timed is the whole of [`Verifier::verify`]: size checks, base64url, header and claims
//! parsing, the signature, and the claim checks of a typical access-token policy (issuer,
//! audience, `typ`, `exp`). Half of each algorithm's time runs on one thread, half on
//! `available_parallelism()` threads sharing one verifier.

use std::hint::black_box;
use std::io::IsTerminal;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::json;
use tessera::SystemRandom;
use tessera::jwt::{self, Algorithm, Header, Key, Verifier};

use crate::fail::Failure;
use crate::inout::out;
use crate::jwt_cmd::parse_alg;

/// A test-only RSA-2048 key (the crate's fixture `tests/data/keys/rsa2048.pkcs8.pem`): `ring`
/// cannot generate RSA keys, and the benchmark only needs one to time verification.
const RSA_FIXTURE: &str = include_str!("../../../tests/data/keys/rsa2048.pkcs8.pem");

/// The algorithms timed by default (RS384/RS512 and PS384/PS512 cost about what RS256 and
/// PS256 do; name them with --alg to time them).
const DEFAULT_ALGS: [Algorithm; 8] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Timed by default too when the backend implements them (aws-lc).
const DEFAULT_IF_SUPPORTED: [Algorithm; 2] = [Algorithm::ES512, Algorithm::ES256K];

/// Verifications between two looks at the clock.
const BATCH: u64 = 8;

/// `tessera bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Seconds per algorithm (fractions allowed), split between the one-thread and the
    /// all-cores runs.
    #[arg(long, value_name = "N", default_value_t = 0.5, value_parser = parse_seconds)]
    seconds: f64,
    /// Time only this algorithm; repeat for several (default: HS256 HS384 HS512 RS256 PS256
    /// ES256 ES384 EdDSA, and ES512 ES256K with the aws-lc backend).
    #[arg(long, value_parser = parse_alg)]
    alg: Vec<Algorithm>,
}

/// Parses `--seconds`: a positive number of seconds, at most an hour.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => Ok(s),
        _ => Err("expected a number of seconds above 0 and at most 3600, e.g. 0.5".into()),
    }
}

/// A key for `alg`: generated, or the RSA fixture.
fn key_for(alg: Algorithm) -> Result<Key, Failure> {
    let rng = SystemRandom::new();
    match alg.family() {
        jwt::KeyFamily::Rsa => Ok(Key::from_pem(RSA_FIXTURE.as_bytes(), Some(alg))?),
        _ => Ok(Key::generate(alg, &rng)?),
    }
}

/// Verifications per thread until `deadline`.
fn run_until(verifier: &Verifier, token: &str, now: i64, deadline: Instant) -> u64 {
    let mut ops = 0;
    while Instant::now() < deadline {
        for _ in 0..BATCH {
            let _ = black_box(verifier.verify(black_box(token), now));
        }
        ops += BATCH;
    }
    ops
}

/// Throughput on `threads` threads for `time`: (operations, elapsed).
fn measure(
    verifier: &Verifier,
    token: &str,
    now: i64,
    threads: usize,
    time: Duration,
) -> (u64, Duration) {
    let start = Instant::now();
    let deadline = start + time;
    let ops = if threads == 1 {
        run_until(verifier, token, now, deadline)
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| s.spawn(|| run_until(verifier, token, now, deadline)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        })
    };
    (ops, start.elapsed())
}

/// Progress on stderr: rewritten in place on a terminal, one line each otherwise.
struct Progress {
    tty: bool,
}

impl Progress {
    fn show(&self, text: &str) {
        use std::io::Write;
        let mut err = std::io::stderr();
        if self.tty {
            let _ = write!(err, "\r\x1b[2K{text}");
            let _ = err.flush();
        } else {
            let _ = writeln!(err, "{text}");
        }
    }

    fn done(&self) {
        use std::io::Write;
        if self.tty {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// Formats an integer with thousands separators.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Operations per second, rounded.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
fn per_second(ops: u64, elapsed: Duration) -> u64 {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        return 0;
    }
    (ops as f64 / secs).round() as u64
}

/// Runs the benchmark and prints a table.
pub fn bench(args: &BenchArgs) -> Result<(), Failure> {
    let algs: Vec<Algorithm> = if args.alg.is_empty() {
        DEFAULT_ALGS
            .into_iter()
            .chain(
                DEFAULT_IF_SUPPORTED
                    .into_iter()
                    .filter(|a| a.is_supported()),
            )
            .collect()
    } else {
        args.alg.clone()
    };
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let half = Duration::from_secs_f64(args.seconds / 2.0);
    let progress = Progress {
        tty: std::io::stderr().is_terminal(),
    };
    let now: i64 = 1_800_000_000;
    let claims = json!({
        "iss": "https://auth.example", "sub": "user-42", "aud": "media-api",
        "iat": now, "exp": now + 300, "scope": "job:read recording:read",
        "client_id": "s6BhdRkqt3", "jti": "bench-0001",
    });

    out(&format!(
        "tessera bench: Verifier::verify (parse, signature, claims) of an RFC 9068 access token\n\
         on {}, {} s per algorithm, {cores} core{} available\n",
        tessera::backend(),
        args.seconds,
        if cores == 1 { "" } else { "s" }
    ))?;
    out(&format!(
        "{:<8} {:>10} {:>18} {:>22}",
        "alg",
        "ns/op",
        "ops/s (1 thread)",
        format!(
            "ops/s ({cores} thread{})",
            if cores == 1 { "" } else { "s" }
        ),
    ))?;
    for (i, &alg) in algs.iter().enumerate() {
        let key = key_for(alg)?.with_kid("bench");
        let token = jwt::sign(
            &key,
            &Header::new().typ("at+jwt"),
            &claims,
            &SystemRandom::new(),
        )?;
        let verifier = Verifier::builder(key.public_key().unwrap_or(key))
            .issuer("https://auth.example")
            .audience("media-api")
            .typ("at+jwt")
            .build()?;
        // One real verification first: a benchmark of failures would be meaningless.
        let _ = verifier.verify(&token, now)?;
        let step = format!("bench: [{}/{}] {alg}", i + 1, algs.len());
        progress.show(&format!("{step}: 1 thread ..."));
        let (ops1, t1) = measure(&verifier, &token, now, 1, half);
        progress.show(&format!("{step}: {cores} threads ..."));
        let (ops_n, t_n) = measure(&verifier, &token, now, cores, half);
        progress.done();
        let single = per_second(ops1, t1);
        let ns_per_op = if ops1 == 0 {
            0
        } else {
            u64::try_from(t1.as_nanos() / u128::from(ops1)).unwrap_or(u64::MAX)
        };
        out(&format!(
            "{:<8} {:>10} {:>18} {:>22}",
            alg.as_str(),
            grouped(ns_per_op),
            grouped(single),
            grouped(per_second(ops_n, t_n)),
        ))?;
    }
    Ok(())
}
