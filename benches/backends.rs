//! The two cryptographic backends side by side in one process (issue #16): `tessera` built with
//! `--features aws-lc` and `tessera_ring`, the same sources built with `ring`
//! (`tests/ring-backend`). Every row is a paired time ratio (`common/pair.rs`): the two sides run
//! alternately, about 4 ms each, for 101 rounds, and the median round's ratio is reported with
//! the 10th–90th percentile of the rounds. All ratios are time over time, so below 1 means the
//! left side is faster.
//!
//! 1. Per algorithm and token size: `verify_with` on aws-lc over `verify_with` on ring, the same
//!    token and the same policy (`iss` + `aud` + `exp`). Targets: ES384 ≤ 0.40 and EdDSA ≤ 0.90
//!    on the 690-byte claims; HS256, RS256 and ES256 ≤ 1.05 (no more than 5 % slower).
//!    Then each backend's own check alone (`crypto` in `verify.rs`), aws-lc over ring, to tell
//!    the cryptography's share from tessera's.
//! 2. Per backend: `verify_with` over that backend's own floor (its raw MAC check plus
//!    base64url and a `serde_json` parse of the claims, `benches/common/mod.rs`) for HS256's
//!    small token (≤ 1.05), the small token of typical peer benchmarks (≤ 1.05) and the large
//!    token (≤ 0.70).
//! 3. ES512 and ES256K (aws-lc only): median nanoseconds per `verify_with`, beside ES256 and
//!    ES384 on the same backend.
//!
//! Run: `cargo bench --bench backends --features aws-lc` (about a minute; prints Markdown
//! tables).
//! Extra arguments keep the rows whose label contains one of them:
//! `cargo bench --bench backends --features aws-lc -- ES384 floor`.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::hint::black_box;

use common::pair::{Row, absolute, filter, listing, paired};
use common::{
    ALGS, AUD, ISS, NOW, Raw, SECRET, Shape, fixture, floor_shape, sig_parts, sign_claims,
    sign_shape,
};
use tessera::jwt::{Algorithm, Key, Verifier};

/// Rounds per ratio.
const ROUNDS: usize = 101;
/// About 4 ms per side per round.
const SIDE_NS: f64 = 4e6;

/// The target for aws-lc over ring on `alg` with a token of `shape`, if it sets one.
fn target(alg: Algorithm, shape: Shape) -> Option<f64> {
    match (alg, shape) {
        (Algorithm::ES384, Shape::Large) => Some(0.40),
        (Algorithm::EdDSA, Shape::Large) => Some(0.90),
        (Algorithm::HS256 | Algorithm::RS256 | Algorithm::ES256, _) => Some(1.05),
        _ => None,
    }
}

/// `tessera_ring`'s verifier for the fixture key of `alg`, with the policy of `shape`.
fn ring_verifier(key: &Key, shape: Shape) -> tessera_ring::jwt::Verifier {
    use tessera_ring::jwt::{Algorithm as RingAlg, Key as RingKey};
    let alg: RingAlg = key.alg().as_str().parse().unwrap();
    let key = if key.is_symmetric() {
        RingKey::hmac(SECRET, alg).unwrap()
    } else {
        RingKey::from_pem(key.public_key_pem().unwrap().as_bytes(), Some(alg)).unwrap()
    };
    let builder = tessera_ring::jwt::Verifier::builder(key);
    match shape {
        Shape::Peer => builder.build().unwrap(),
        Shape::Small | Shape::Large => builder.issuer(ISS).audience(AUD).build().unwrap(),
    }
}

fn print(title: &str, rows: &[Row], left: &str, right: &str) {
    if rows.is_empty() {
        return;
    }
    println!("\n{title}\n");
    println!(
        "| ratio | median | 10th–90th percentile | rounds meeting the target | {left} ns | \
         {right} ns | target met (median) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    for r in rows {
        let (met, target) = if r.target.is_empty() {
            ("—".to_owned(), "no target".to_owned())
        } else {
            (
                if r.median_meets() { "yes" } else { "**no**" }.to_owned(),
                format!("{}/{} ({})", r.met, r.rounds, r.target),
            )
        };
        println!(
            "| {} | {:.2} | {:.2}–{:.2} | {target} | {:.0} | {:.0} | {met} |",
            r.what, r.median, r.p10, r.p90, r.base_ns, r.ours_ns
        );
    }
}

fn main() {
    if listing() {
        return;
    }
    let wanted = filter();
    let (aws, ring) = (tessera::backend(), tessera_ring::backend());
    assert_eq!(aws.name(), "aws-lc-rs", "build with --features aws-lc");
    assert_eq!(ring.name(), "ring");
    println!("Backends: `tessera` on {aws}, `tessera_ring` on {ring}; {ROUNDS} rounds per row.");

    // 1. aws-lc over ring, per algorithm and size.
    let mut rows = Vec::new();
    for alg in ALGS {
        let f = fixture(alg);
        for shape in [Shape::Small, Shape::Large] {
            let label = format!("{} {}: aws-lc / ring", alg.as_str(), shape.name());
            if !wanted(&label) {
                continue;
            }
            let token = sign_shape(&f, 1, shape);
            let rv = ring_verifier(&f.key, shape);
            let ours = |t: &str| f.verify_with_ok(shape, t);
            let theirs = |t: &str| rv.verify_with(t, NOW, |c| c.exp()).is_ok();
            let goal = target(alg, shape);
            let mut row = paired(
                &format!("{label} `verify_with`"),
                goal.unwrap_or(1.0),
                false,
                ROUNDS,
                SIDE_NS,
                &mut || ours(black_box(&token)),
                &mut || theirs(black_box(&token)),
            );
            if goal.is_none() {
                row.target.clear();
            }
            rows.push(row);
        }
    }
    print(
        "aws-lc over ring: time of `verify_with` on aws-lc / on ring (below 1: aws-lc faster)",
        &rows,
        "aws-lc",
        "ring",
    );

    // 1b. The backends' own checks alone (inputs decoded, keys prepared once as each backend
    // allows: `common::Raw`), to tell the cryptography's share of the rows above from
    // tessera's.
    let mut rows = Vec::new();
    for alg in ALGS {
        let label = format!("{} raw check: aws-lc / ring", alg.as_str());
        if !wanted(&label) {
            continue;
        }
        let f = fixture(alg);
        let ring_raw = Raw::new("ring", alg);
        let token = sign_shape(&f, 1, Shape::Small);
        let (input, sig) = sig_parts(&token);
        let mut row = paired(
            &label,
            1.0,
            false,
            ROUNDS,
            SIDE_NS,
            &mut || f.raw.verify(black_box(input.as_bytes()), black_box(&sig)),
            &mut || ring_raw.verify(black_box(input.as_bytes()), black_box(&sig)),
        );
        row.target.clear();
        rows.push(row);
    }
    print(
        "The backends' own checks: time of aws-lc's / ring's (small token's signing input)",
        &rows,
        "aws-lc",
        "ring",
    );

    // 2. Each backend's verify_with over its own floor, HS256.
    let f = fixture(Algorithm::HS256);
    let ring_raw = Raw::new("ring", Algorithm::HS256);
    let mut rows = Vec::new();
    for shape in Shape::ALL {
        let token = sign_shape(&f, 1, shape);
        let goal = if shape == Shape::Large { 0.70 } else { 1.05 };
        let label = format!("HS256 {}: `verify_with` / floor", shape.name());
        let rv = ring_verifier(&f.key, shape);
        if wanted(&format!("aws-lc {label}")) {
            rows.push(paired(
                &format!("aws-lc {label}"),
                goal,
                false,
                ROUNDS,
                SIDE_NS,
                &mut || f.verify_with_ok(shape, black_box(&token)),
                &mut || f.floor_ok(shape, black_box(&token)),
            ));
        }
        if wanted(&format!("ring {label}")) {
            rows.push(paired(
                &format!("ring {label}"),
                goal,
                false,
                ROUNDS,
                SIDE_NS,
                &mut || rv.verify_with(black_box(&token), NOW, |c| c.exp()).is_ok(),
                &mut || floor_shape(&ring_raw, shape, black_box(&token)),
            ));
        }
    }
    print(
        "Each backend against its own floor: time of `verify_with` / time of the floor",
        &rows,
        "`verify_with`",
        "floor",
    );

    // 3. Absolute times on aws-lc, the curves ring lacks beside the ones it has.
    let rng = tessera::SystemRandom::new();
    let mut lines = Vec::new();
    for alg in [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::ES256K,
    ] {
        if !wanted(&format!("{} absolute", alg.as_str())) {
            continue;
        }
        let key = Key::generate(alg, &rng).unwrap();
        let verifier = Verifier::builder(key.public_key().unwrap())
            .issuer(ISS)
            .audience(AUD)
            .build()
            .unwrap();
        let mut ns = Vec::new();
        for shape in [Shape::Small, Shape::Large] {
            let token = sign_claims(&key, &common::shape_claims(1, shape));
            ns.push(absolute(ROUNDS, SIDE_NS, &mut || {
                verifier
                    .verify_with(black_box(&token), NOW, |c| c.exp())
                    .is_ok()
            }));
        }
        lines.push(format!(
            "| {} | {:.1} | {:.1} |",
            alg.as_str(),
            ns[0] / 1e3,
            ns[1] / 1e3
        ));
    }
    if !lines.is_empty() {
        println!(
            "\nAbsolute times on aws-lc (median µs per `verify_with` over {ROUNDS} rounds; \
             ES512 and ES256K exist only there; fresh keys)\n"
        );
        println!("| alg | small µs | large µs |");
        println!("|---|---:|---:|");
        for l in lines {
            println!("{l}");
        }
    }
}
