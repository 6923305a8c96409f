//! JWT verification, the headline number: tessera beside the physical floor and beside
//! `jsonwebtoken` 9 (its `ring` backend), measured in one run, on the backend `tessera` is
//! built with (`ring` by default, `aws-lc-rs` with `--features aws-lc`).
//!
//! Per backend × algorithm × token shape, one criterion group
//! `verify/<backend>/<alg>/<shape>` with these ids:
//! - `crypto`: the backend's own signature or MAC check alone, inputs already decoded (the
//!   same backend as tessera's: `ring` or `aws-lc-rs`);
//! - `floor`: split + base64url decode of the three parts + that check + `serde_json` parse of
//!   the claims into an owned struct (no header parsing, no validation: a lower bound);
//! - `jsonwebtoken9`: `jsonwebtoken::decode` into the same struct, validating `exp` (and `iss`,
//!   `aud` for the small and large tokens);
//! - `tessera_verify`: `Verifier::verify` (owned `Verified`), same policy;
//! - `tessera_verify_with`: `Verifier::verify_with`, the borrowed-claims path;
//! - `tessera_c_abi`: `tessera_verify_result` through the `extern "C"` function.
//!
//! Shapes: `small` and `large` for every algorithm, `peer` (the small token of typical peer
//! benchmarks) for HS256. Then `verify_batch/<backend>/<alg>`: 1024 distinct tokens through
//! `tessera_verify_batch` on one thread and on every core.
//!
//! Every result is asserted valid once, outside the timed loop. Tokens are signed with the
//! fixture keys of `tests/data/keys`. Run: `cargo bench --bench verify` or
//! `cargo bench --bench verify --features aws-lc`.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{
    ALGS, NOW, Shape, backend, c_verifier_for, c_verify, c_verify_batch, fixture, sig_parts, sign,
    sign_shape,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tessera::jwt::Algorithm;

/// The shapes measured for `alg`: the peer token for HS256 only.
fn shapes(alg: Algorithm) -> &'static [Shape] {
    if alg == Algorithm::HS256 {
        &[Shape::Small, Shape::Peer, Shape::Large]
    } else {
        &[Shape::Small, Shape::Large]
    }
}

fn verify(c: &mut Criterion) {
    eprintln!("verify: backend {}", tessera::backend());
    for alg in ALGS {
        let f = fixture(alg);
        for &shape in shapes(alg) {
            let cv = c_verifier_for(&f.key, shape);
            let token = sign_shape(&f, 1, shape);
            let verifier = f.verifier_for(shape);
            let (signing_input, sig) = sig_parts(&token);
            // Outside the timed loops: every contender accepts this token.
            assert!(f.raw.verify(signing_input.as_bytes(), &sig));
            assert!(f.floor_ok(shape, &token));
            assert!(f.jwt_ok(shape, &token));
            assert!(
                verifier
                    .verify(&token, NOW)
                    .unwrap()
                    .registered()
                    .sub
                    .is_some()
            );
            assert!(
                verifier
                    .verify_with(&token, NOW, |c| c.sub().is_some())
                    .unwrap()
            );
            assert_eq!(c_verify(cv, &token), 0);

            let mut g = c.benchmark_group(format!(
                "verify/{}/{}/{}",
                backend(),
                alg.as_str(),
                shape.name()
            ));
            g.throughput(Throughput::Elements(1));
            g.bench_function("crypto", |b| {
                b.iter(|| {
                    f.raw
                        .verify(black_box(signing_input.as_bytes()), black_box(&sig))
                })
            });
            g.bench_function("floor", |b| b.iter(|| f.floor_ok(shape, black_box(&token))));
            g.bench_function("jsonwebtoken9", |b| {
                b.iter(|| f.jwt_ok(shape, black_box(&token)))
            });
            g.bench_function("tessera_verify", |b| {
                b.iter(|| verifier.verify(black_box(&token), NOW))
            });
            g.bench_function("tessera_verify_with", |b| {
                b.iter(|| verifier.verify_with(black_box(&token), NOW, |c| c.exp()))
            });
            g.bench_function("tessera_c_abi", |b| {
                b.iter(|| c_verify(cv, black_box(&token)))
            });
            g.finish();
        }
    }
}

/// 1024 distinct tokens through `tessera_verify_batch`, on one thread and on every core.
fn batch(c: &mut Criterion) {
    const N: usize = 1024;
    for alg in [Algorithm::HS256, Algorithm::ES256] {
        let f = fixture(alg);
        let cv = c_verifier_for(&f.key, Shape::Small);
        let tokens: Vec<String> = (0..N as u64).map(|n| sign(&f, n, false)).collect();
        let ptrs: Vec<*const u8> = tokens.iter().map(|t| t.as_ptr()).collect();
        let lens: Vec<usize> = tokens.iter().map(String::len).collect();
        let run = |threads: usize, results: &mut [u32]| {
            c_verify_batch(cv, &ptrs, &lens, threads, results)
        };
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let mut results = vec![u32::MAX; N];
        for threads in [1, 0] {
            results.fill(u32::MAX);
            assert_eq!(run(threads, &mut results), 0);
            assert!(results.iter().all(|&r| r == 0), "every token verifies");
        }
        let mut g = c.benchmark_group(format!("verify_batch/{}/{}", backend(), alg.as_str()));
        g.throughput(Throughput::Elements(N as u64));
        g.measurement_time(Duration::from_secs(3));
        g.bench_function(BenchmarkId::new("threads", 1), |b| {
            b.iter(|| run(1, black_box(&mut results)))
        });
        g.bench_function(BenchmarkId::new("threads", format!("all_{cores}")), |b| {
            b.iter(|| run(0, black_box(&mut results)))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(50);
    targets = verify, batch
}
criterion_main!(benches);
