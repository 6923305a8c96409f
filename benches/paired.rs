//! The ratios of issues #7 and #16 on one backend, timed as paired measurements: the two sides of each ratio run
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
//! (`benches/common/mod.rs`), on the backend `tessera` is built with (the floor uses the same
//! backend; every label names it); the timing itself is `common/pair.rs`. Every result is
//! asserted valid before timing. Run: `cargo bench --bench paired` (ring) or
//! `cargo bench --bench paired --features aws-lc` (about 50 s; prints a Markdown table), or
//! with filters: `cargo bench --bench paired -- batch` or `-- "HS256 large"`. The two
//! backends side by side in one process: `benches/backends.rs`.
//!
//! Issue 17's target, `-- DPoP`: validating a DPoP proof (RFC 9449, at the token endpoint, and
//! with `ath` at a resource server) costs at most 1.10× verifying a JWT of about the same size
//! with the same kind of key (`Verifier::verify`, policy `iss` + `aud` + `exp`), for ES256 and
//! EdDSA.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::hint::black_box;

use common::pair::{Clock, Row, filter, listing, paired, paired_on};
use common::{
    AUD, ISS, NOW, Shape, backend, c_verifier, c_verifier_for, c_verify, c_verify_batch, fixture,
    sign,
};
use tessera::SystemRandom;
use tessera::dpop::{ProofValidator, create_proof};
use tessera::jwt::Algorithm;

/// Rounds per ratio.
const ROUNDS: usize = 61;
/// About 2 ms per side per round.
const SIDE_NS: f64 = 2e6;

/// The DPoP rows' token endpoint, resource and access token (RFC 9449's examples).
const HTU: &str = "https://server.example.com/token";
const API_URI: &str = "https://resource.example.org/protectedresource";
const ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

/// Claims for a JWT of about a DPoP proof's size (ES256: a 446-byte proof, a 440-byte JWT;
/// the proof's header carries the public JWK), under the small token's policy.
fn dpop_sized_claims() -> String {
    format!(
        r#"{{"iss":"{ISS}","sub":"user-1234","aud":"{AUD}","exp":{},"iat":{NOW},"jti":"000000000000000001","client_id":"client-0123456789","scope":"jobs:read jobs:write records:read records:write users:read"}}"#,
        NOW + 600
    )
}

fn main() {
    if listing() {
        // `cargo test --benches` asks harness-less benches to list themselves; nothing to run.
        return;
    }
    let wanted = filter();
    let b = backend();
    println!(
        "Backend: {} (floor and raw check on the same backend; jsonwebtoken 9 on ring)\n",
        tessera::backend()
    );
    let f = fixture(Algorithm::HS256);
    let mut rows: Vec<Row> = Vec::new();
    for shape in Shape::ALL {
        let size = shape.name();
        if !wanted(&format!("HS256 {size}")) {
            continue;
        }
        let token = common::sign_shape(&f, 1, shape);
        let cv = c_verifier_for(&f.key, shape);
        let ours_ok = |t: &str| f.verify_with_ok(shape, t);
        // Note the ratio orientation in the labels: "floor / verify_with" >= 1 means tessera
        // is at or below the floor; the target "≤ 0.7× the floor" is "floor / verify_with
        // ≥ 1.43", "≤ 1.05× the floor" is "≥ 0.952".
        let (floor_target, label) = match shape {
            Shape::Small => (1.0, "floor / `verify_with` (at or below the floor)"),
            Shape::Peer => (0.952, "floor / `verify_with` (≤ 1.05× the floor)"),
            Shape::Large => (1.43, "floor / `verify_with` (≤ 0.70× the floor)"),
        };
        rows.push(paired(
            &format!("{b} HS256 {size}: {label}"),
            floor_target,
            true,
            ROUNDS,
            SIDE_NS,
            &mut || f.floor_ok(shape, black_box(&token)),
            &mut || ours_ok(black_box(&token)),
        ));
        rows.push(paired(
            &format!("{b} HS256 {size}: jsonwebtoken 9 / `verify_with` (≥ 2× faster)"),
            2.0,
            true,
            ROUNDS,
            SIDE_NS,
            &mut || f.jwt_ok(shape, black_box(&token)),
            &mut || ours_ok(black_box(&token)),
        ));
        rows.push(paired(
            &format!("{b} HS256 {size}: C ABI / `verify_with` (time ratio, for the 60 ns target)"),
            1.0,
            false,
            ROUNDS,
            SIDE_NS,
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
        rows.push(paired_on(
            Clock::Wall,
            &format!(
                "{b} {} batch of 1,024: 1 thread / all {cores} (≥ 1.9× on 2 cores)",
                alg.as_str()
            ),
            1.9,
            true,
            ROUNDS,
            SIDE_NS,
            &mut one,
            &mut all,
        ));
    }
    for alg in [Algorithm::ES256, Algorithm::EdDSA] {
        let name = alg.as_str();
        if !wanted(&format!("{name} DPoP")) {
            continue;
        }
        let f = fixture(alg);
        let jwt = common::sign_claims(&f.key, &dpop_sized_claims());
        let validator = ProofValidator::new();
        let proof =
            create_proof(&f.key, "POST", HTU, NOW, &SystemRandom::new(), None, None).unwrap();
        let ath_proof = create_proof(
            &f.key,
            "GET",
            API_URI,
            NOW,
            &SystemRandom::new(),
            None,
            Some(ACCESS_TOKEN),
        )
        .unwrap();
        println!(
            "{name}: proof {} bytes, with ath {}, JWT {} bytes",
            proof.len(),
            ath_proof.len(),
            jwt.len()
        );
        let mut verify = || f.verify_ok(Shape::Small, black_box(&jwt));
        let mut validate = || {
            validator
                .validate(black_box(&proof), "POST", HTU, NOW, None)
                .is_ok()
        };
        let mut validate_ath = || {
            validator
                .validate(
                    black_box(&ath_proof),
                    "GET",
                    API_URI,
                    NOW,
                    Some(ACCESS_TOKEN),
                )
                .is_ok()
        };
        rows.push(paired(
            &format!("{b} {name} DPoP: JWT `verify` / `validate` (≤ 1.10×: ≥ 0.909)"),
            0.909,
            true,
            ROUNDS,
            SIDE_NS,
            &mut verify,
            &mut validate,
        ));
        rows.push(paired(
            &format!("{b} {name} DPoP: JWT `verify` / `validate` with ath (≤ 1.10×: ≥ 0.909)"),
            0.909,
            true,
            ROUNDS,
            SIDE_NS,
            &mut verify,
            &mut validate_ath,
        ));
        // A key the validator has not seen: a fresh validator each time, so the header is
        // parsed, the key built and checked, and the thumbprint computed (a client's first
        // request; later ones are the rows above).
        let mut first_sight = || {
            ProofValidator::new()
                .validate(black_box(&proof), "POST", HTU, NOW, None)
                .is_ok()
        };
        rows.push(paired(
            &format!("{b} {name} DPoP: JWT `verify` / `validate`, first sight of the key (≤ 1.10×: ≥ 0.909)"),
            0.909,
            true,
            ROUNDS,
            SIDE_NS,
            &mut verify,
            &mut first_sight,
        ));
    }
    println!("| ratio (target) | median | 10th–90th percentile | rounds meeting the target |");
    println!("|---|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {:.2} | {:.2}–{:.2} | {}/{} ({}) |",
            r.what, r.median, r.p10, r.p90, r.met, r.rounds, r.target
        );
    }
}
