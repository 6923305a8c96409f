//! JWT verification, the headline number: tessera beside the physical floor and beside
//! `jsonwebtoken` 9 (its `ring` backend), measured in one run.
//!
//! Per algorithm × token size, one criterion group `verify/<alg>/<size>` with these ids:
//! - `ring_crypto`: `ring`'s signature or MAC check alone, inputs already decoded;
//! - `floor`: split + base64url decode of the three parts + `ring` + `serde_json` parse of the
//!   claims into an owned struct (no header parsing, no validation: a lower bound);
//! - `jsonwebtoken9`: `jsonwebtoken::decode` into the same struct, validating `exp`, `iss`, `aud`;
//! - `tessera_verify`: `Verifier::verify` (owned `Verified`), same policy (`iss`, `aud`, `exp`);
//! - `tessera_verify_with`: `Verifier::verify_with`, the borrowed-claims path;
//! - `tessera_c_abi`: `tessera_verify_result` through the `extern "C"` function.
//!
//! Then `verify_batch/<alg>`: 1024 distinct tokens through `tessera_verify_batch` on one thread
//! and on every core.
//!
//! Every result is asserted valid once, outside the timed loop. Tokens are signed with the
//! fixture keys of `tests/data/keys`. Run: `cargo bench --bench verify`.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{
    ALGS, NOW, Owned, c_verifier, c_verify, c_verify_batch, fixture, floor, sig_parts, sign,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tessera::jwt::Algorithm;
fn verify(c: &mut Criterion) {
    for alg in ALGS {
        let f = fixture(alg);
        let cv = c_verifier(&f.key);
        for (size, large) in [("small", false), ("large", true)] {
            let token = sign(&f, 1, large);
            let (signing_input, sig) = sig_parts(&token);
            // Outside the timed loops: every contender accepts this token.
            assert!(f.ring.verify(signing_input.as_bytes(), &sig));
            assert!(floor(&f.ring, &token).is_some());
            let decoded =
                jsonwebtoken::decode::<Owned>(&token, &f.jwt_key, &f.jwt_validation).unwrap();
            assert_eq!(decoded.claims.sub, "user-1234");
            assert_eq!(
                f.verifier
                    .verify(&token, NOW)
                    .unwrap()
                    .registered()
                    .sub
                    .as_deref(),
                Some("user-1234")
            );
            assert!(
                f.verifier
                    .verify_with(&token, NOW, |c| c.sub() == Some("user-1234"))
                    .unwrap()
            );
            assert_eq!(c_verify(cv, &token), 0);

            let mut g = c.benchmark_group(format!("verify/{}/{size}", alg.as_str()));
            g.throughput(Throughput::Elements(1));
            g.bench_function("ring_crypto", |b| {
                b.iter(|| {
                    f.ring
                        .verify(black_box(signing_input.as_bytes()), black_box(&sig))
                })
            });
            g.bench_function("floor", |b| b.iter(|| floor(&f.ring, black_box(&token))));
            g.bench_function("jsonwebtoken9", |b| {
                b.iter(|| {
                    jsonwebtoken::decode::<Owned>(black_box(&token), &f.jwt_key, &f.jwt_validation)
                })
            });
            g.bench_function("tessera_verify", |b| {
                b.iter(|| f.verifier.verify(black_box(&token), NOW))
            });
            g.bench_function("tessera_verify_with", |b| {
                b.iter(|| f.verifier.verify_with(black_box(&token), NOW, |c| c.exp()))
            });
            g.bench_function("tessera_c_abi", |b| {
                b.iter(|| c_verify(cv, black_box(&token)))
            });
            g.finish();
        }
        let _ = f.alg;
    }
}

/// 1024 distinct tokens through `tessera_verify_batch`, on one thread and on every core.
fn batch(c: &mut Criterion) {
    const N: usize = 1024;
    for alg in [Algorithm::HS256, Algorithm::ES256] {
        let f = fixture(alg);
        let cv = c_verifier(&f.key);
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
        let mut g = c.benchmark_group(format!("verify_batch/{}", alg.as_str()));
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
