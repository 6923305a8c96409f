//! The two backends side by side in one process (issue 16, "same verdicts"): `tessera` is built
//! with the backend of this test run (aws-lc under `cargo test --all-features`, ring by
//! default), and `tessera_ring` is the same sources built again with ring
//! (`tests/ring-backend`). Every input goes through both, and both must give the same result
//! code, the same public key bytes and the same claims; the only difference allowed is the one
//! the contract names: what ring lacks (P-521, secp256k1) it refuses with `UnsupportedKey` or
//! `UnsupportedAlgorithm` and a detail that names the aws-lc backend.
//!
//! Inputs: every key fixture (PEM and DER, every algorithm binding) and thousands of mutations
//! of them; every Wycheproof JWK and JWS case; the hostile tokens of issue 14; and tokens each
//! backend signs, verified by the other, intact and with every signature bit flipped at a few
//! positions. Under default features both sides are ring, and the test still checks that the
//! harness itself sees identical verdicts.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// One engine's outcome: `Ok(bytes)` (a public key, claims, a signature...) or the result code
/// and detail of the error.
type Outcome = Result<Vec<u8>, (u32, String)>;

/// The same operations for both crates, written once.
macro_rules! engine {
    ($name:ident, $krate:ident) => {
        mod $name {
            use super::Outcome;
            use $krate::jwt::{self, Algorithm, Header, Key, KeySet, Verifier};

            fn fail(e: $krate::Error) -> (u32, String) {
                (e.kind().code(), e.detail().to_owned())
            }

            fn alg(name: Option<&str>) -> Result<Option<Algorithm>, (u32, String)> {
                name.map(|n| n.parse::<Algorithm>())
                    .transpose()
                    .map_err(fail)
            }

            /// The backend's name.
            #[allow(dead_code)]
            pub fn backend() -> &'static str {
                $krate::backend().name()
            }

            /// Loads a key from PEM or DER and returns its public SPKI DER (or, for a secret,
            /// its algorithm's name).
            pub fn load(bytes: &[u8], pem: bool, alg_name: Option<&str>) -> Outcome {
                let alg = alg(alg_name)?;
                let key = if pem {
                    Key::from_pem(bytes, alg)
                } else {
                    Key::from_der(bytes, alg)
                }
                .map_err(fail)?;
                describe(&key)
            }

            fn describe(key: &Key) -> Outcome {
                let mut out = key.alg().as_str().as_bytes().to_vec();
                out.push(b':');
                if !key.is_symmetric() {
                    out.extend(key.public_key_der().map_err(fail)?);
                    out.extend(key.thumbprint().map_err(fail)?.as_bytes());
                }
                Ok(out)
            }

            /// The verdict on a compact JWS under a JWK or JWKS (as Wycheproof gives them):
            /// the payload, or the error.
            pub fn verify_with_jwk(key: &[u8], jwks: bool, token: &[u8]) -> Outcome {
                if jwks {
                    let set = KeySet::from_jwks(key, &[]).map_err(fail)?;
                    Verifier::new(set)
                        .verify_jws(token)
                        .map(|j| j.payload().to_vec())
                        .map_err(fail)
                } else {
                    let key = Key::from_jwk(key, None).map_err(fail)?;
                    jwt::verify_jws(&key, token)
                        .map(|j| j.payload().to_vec())
                        .map_err(fail)
                }
            }

            /// Verifies `token` with the full claim rules of the hostile-token verifier.
            pub fn verify_claims(jwks: &[u8], token: &[u8], now: i64) -> Outcome {
                let verifier = Verifier::builder(KeySet::from_jwks(jwks, &[]).map_err(fail)?)
                    .issuer("https://as.example")
                    .audience("api")
                    .subject("user-1")
                    .typ("at+jwt")
                    .require("scope")
                    .max_age(3600)
                    .build()
                    .map_err(fail)?;
                let verified = verifier.verify(token, now).map_err(fail)?;
                Ok(serde_json::to_vec(verified.claims()).unwrap())
            }

            /// Signs `claims` with the private key in `pkcs8` (DER) bound to `alg_name`.
            pub fn sign(pkcs8: &[u8], alg_name: &str, claims: &str) -> Outcome {
                let key = Key::from_der(pkcs8, alg(Some(alg_name))?).map_err(fail)?;
                let claims: serde_json::Value = serde_json::from_str(claims).unwrap();
                let rng = $krate::SystemRandom::new();
                jwt::sign(&key, &Header::new().typ("JWT"), &claims, &rng)
                    .map(String::into_bytes)
                    .map_err(fail)
            }

            /// Verifies `token` with the public key in `spki` (DER) bound to `alg_name`.
            pub fn verify_spki(spki: &[u8], alg_name: &str, token: &[u8]) -> Outcome {
                let key = Key::from_der(spki, alg(Some(alg_name))?).map_err(fail)?;
                jwt::verify_jws(&key, token)
                    .map(|j| j.payload().to_vec())
                    .map_err(fail)
            }

            /// A new private key for `alg_name`, as PKCS#8 DER, and its public SPKI DER.
            pub fn generate(alg_name: &str) -> Result<(Vec<u8>, Vec<u8>), (u32, String)> {
                let alg = alg(Some(alg_name))?.unwrap();
                let key = Key::generate(alg, &$krate::SystemRandom::new()).map_err(fail)?;
                Ok((
                    key.private_key_der().map_err(fail)?.to_vec(),
                    key.public_key_der().map_err(fail)?,
                ))
            }
        }
    };
}

engine!(ours, tessera);
engine!(ring_build, tessera_ring);

/// The result codes ring may give where the other backend has the algorithm or curve.
const UNSUPPORTED: [tessera::ErrorKind; 2] = [
    tessera::ErrorKind::UnsupportedKey,
    tessera::ErrorKind::UnsupportedAlgorithm,
];

/// Counts of the comparisons made, reported at the end of each test.
#[derive(Default)]
struct Tally {
    same: usize,
    ring_lacks: usize,
}

impl Tally {
    /// Compares two outcomes: equal, or ring refusing what only the other backend has.
    fn check(&mut self, what: &str, ours: &Outcome, ring: &Outcome) {
        let ring_unsupported = |r: &Outcome| match r {
            Err((code, detail)) => {
                UNSUPPORTED.iter().any(|k| k.code() == *code) && detail.contains("aws-lc")
            }
            Ok(_) => false,
        };
        let same = match (ours, ring) {
            (Ok(a), Ok(b)) => a == b,
            (Err((a, _)), Err((b, _))) => a == b,
            _ => false,
        };
        if same {
            self.same += 1;
        } else if ours::backend() != "ring" && ring_unsupported(ring) {
            self.ring_lacks += 1;
        } else {
            panic!(
                "{what}: {} says {}, ring says {}",
                ours::backend(),
                show(ours),
                show(ring)
            );
        }
    }
}

fn show(o: &Outcome) -> String {
    match o {
        Ok(bytes) => format!("ok ({} bytes)", bytes.len()),
        Err((code, detail)) => format!(
            "{} ({detail})",
            tessera::ErrorKind::from_code(*code).map_or("?", |k| k.name())
        ),
    }
}

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

/// Every key fixture (PEM and DER files), as (name, bytes, is PEM).
fn key_fixtures() -> Vec<(String, Vec<u8>, bool)> {
    let mut out = Vec::new();
    for dir in ["keys", "attacks"] {
        let mut entries: Vec<_> = std::fs::read_dir(data(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let pem = name.ends_with(".pem");
            if pem || name.ends_with(".der") {
                out.push((format!("{dir}/{name}"), std::fs::read(&path).unwrap(), pem));
            }
        }
    }
    assert!(out.len() >= 20, "the key fixtures are missing");
    out
}

/// Bindings each fixture is tried with: the default, every algorithm name (the wrong ones
/// give `KeyAlgorithmMismatch` on both sides), and an unknown name.
const BINDINGS: [Option<&str>; 19] = [
    None,
    Some("HS256"),
    Some("RS256"),
    Some("RS384"),
    Some("RS512"),
    Some("PS256"),
    Some("PS384"),
    Some("PS512"),
    Some("ES256"),
    Some("ES384"),
    Some("ES512"),
    Some("ES256K"),
    Some("EdDSA"),
    Some("Ed25519"),
    Some("HS384"),
    Some("HS512"),
    Some("none"),
    Some("ES521"),
    Some("ML-DSA-44"),
];

#[test]
fn key_fixtures_load_alike_under_every_binding() {
    let mut tally = Tally::default();
    for (name, bytes, pem) in key_fixtures() {
        for binding in BINDINGS {
            let what = format!("{name} bound to {binding:?}");
            tally.check(
                &what,
                &ours::load(&bytes, pem, binding),
                &ring_build::load(&bytes, pem, binding),
            );
        }
    }
    println!(
        "{} comparisons agree; {} are algorithms ring lacks",
        tally.same, tally.ring_lacks
    );
}

/// Each fixture's DER with every byte changed in turn (three ways), and truncated at every
/// length: malformed, inconsistent and off-curve material must get the same result code from
/// both backends.
#[test]
fn mutated_keys_get_the_same_verdicts() {
    let mut tally = Tally::default();
    for name in [
        "keys/p256.pkcs8.pem",
        "keys/p256.spki.pem",
        "keys/p384.pkcs8.pem",
        "keys/p384.spki.pem",
        "keys/ed25519.pkcs8.pem",
        "keys/ed25519.spki.pem",
        "keys/rsa2048.spki.pem",
        "keys/rsa2048.pkcs8.pem",
    ] {
        let pem = std::fs::read(data(name)).unwrap();
        let der = pem_body(&pem);
        // RSA private keys are slow to load: every fourth byte is enough there.
        let step = if name.contains("rsa2048.pkcs8") { 4 } else { 1 };
        for i in (0..der.len()).step_by(step) {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut m = der.clone();
                m[i] ^= flip;
                let what = format!("{name}: byte {i} ^ {flip:#04x}");
                tally.check(
                    &what,
                    &ours::load(&m, false, None),
                    &ring_build::load(&m, false, None),
                );
            }
        }
        for len in (0..der.len()).step_by(step.max(3)) {
            let what = format!("{name}: truncated to {len}");
            tally.check(
                &what,
                &ours::load(&der[..len], false, None),
                &ring_build::load(&der[..len], false, None),
            );
        }
    }
    println!(
        "{} comparisons agree; {} are curves ring lacks",
        tally.same, tally.ring_lacks
    );
    assert!(tally.same > 4_000);
}

/// The base64 body of the first PEM block, decoded.
fn pem_body(pem: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let text = std::str::from_utf8(pem).unwrap();
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

#[test]
fn wycheproof_cases_get_the_same_verdicts() {
    let mut tally = Tally::default();
    let mut cases = 0;
    for file in ["json_web_signature_test.json", "json_web_key_test.json"] {
        let text = std::fs::read_to_string(data(&format!("wycheproof/{file}"))).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        for group in doc["testGroups"].as_array().unwrap() {
            let key = group.get("public").unwrap_or(&group["private"]);
            let key_bytes = serde_json::to_vec(key).unwrap();
            let jwks = key.get("keys").is_some();
            for case in group["tests"].as_array().unwrap() {
                let Some(token) = case["jws"].as_str() else {
                    continue;
                };
                cases += 1;
                let what = format!("{file} tcId {}", case["tcId"]);
                tally.check(
                    &what,
                    &ours::verify_with_jwk(&key_bytes, jwks, token.as_bytes()),
                    &ring_build::verify_with_jwk(&key_bytes, jwks, token.as_bytes()),
                );
            }
        }
    }
    assert!(cases > 400);
    println!(
        "{cases} Wycheproof cases: {} agree, {} need what ring lacks",
        tally.same, tally.ring_lacks
    );
}

/// The hostile tokens of issue 14 (every verification error path), through the full claim
/// rules of their verifier, and the result code the file records.
#[test]
fn hostile_tokens_get_the_same_verdicts() {
    use base64::Engine as _;
    let jwks = format!(
        r#"{{"keys":[{{"kty":"oct","kid":"k1","alg":"HS256","k":"{}"}}]}}"#,
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(b"tessera-hostile-token-test-secret")
    );
    let text = std::fs::read_to_string(data("hostile/tokens.txt")).unwrap();
    let mut tally = Tally::default();
    for line in text.lines() {
        let (code, token) = line.split_once(' ').unwrap();
        let ours = ours::verify_claims(jwks.as_bytes(), token.as_bytes(), 1_800_000_000);
        let ring = ring_build::verify_claims(jwks.as_bytes(), token.as_bytes(), 1_800_000_000);
        tally.check(&format!("hostile token {token:.60}"), &ours, &ring);
        let got = ours.as_ref().err().map_or(0, |(c, _)| *c);
        assert_eq!(got.to_string(), code, "{token:.60}");
    }
    assert!(tally.same > 50);
}

/// Claims of the cross-signed tokens.
const CLAIMS: &str = r#"{"iss":"https://as.example","sub":"user-1","aud":"api","exp":4000000000,"scope":"job:read"}"#;

/// Flips one bit of the signature at a few positions.
fn signature_flips(token: &[u8]) -> Vec<Vec<u8>> {
    let dot = token.iter().rposition(|&b| b == b'.').unwrap();
    let sig_len = token.len() - dot - 1;
    [0, sig_len / 3, sig_len / 2, sig_len - 2]
        .into_iter()
        .map(|i| {
            let mut t = token.to_vec();
            // Flip a bit that keeps the character inside the base64url alphabet.
            t[dot + 1 + i] = match t[dot + 1 + i] {
                b'A' => b'B',
                b'B' => b'A',
                c => {
                    if c.is_ascii_alphanumeric() && c != b'Z' && c != b'z' && c != b'9' {
                        c + 1
                    } else {
                        b'A'
                    }
                }
            };
            t
        })
        .collect()
}

/// Keys generated by one backend sign tokens the other verifies, for every algorithm ring
/// has (and the new ones, which ring refuses). Tampered signatures fail on both.
#[test]
fn tokens_cross_between_the_backends() {
    let mut tally = Tally::default();
    let rsa = pem_body(&std::fs::read(data("keys/rsa2048.pkcs8.pem")).unwrap());
    let rsa_spki = pem_body(&std::fs::read(data("keys/rsa2048.spki.pem")).unwrap());
    for alg in [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "ES256K",
        "EdDSA", "Ed25519",
    ] {
        let (pkcs8, spki) = if alg.starts_with('R') || alg.starts_with('P') {
            (rsa.clone(), rsa_spki.clone())
        } else {
            match ours::generate(alg) {
                Ok(pair) => pair,
                Err(e) => {
                    // Only ring may lack it, and then ring must lack it too.
                    assert_eq!(ours::backend(), "ring", "{alg}: {e:?}");
                    tally.check(alg, &Err(e), &ring_build::generate(alg).map(|(a, _)| a));
                    continue;
                }
            }
        };
        for (signer, verifier) in [("ours", "ring"), ("ring", "ours")] {
            let token = if signer == "ours" {
                ours::sign(&pkcs8, alg, CLAIMS)
            } else {
                ring_build::sign(&pkcs8, alg, CLAIMS)
            };
            let token = match token {
                Ok(t) => t,
                Err(e) => {
                    // ring cannot load the key of a curve it lacks.
                    tally.check(
                        &format!("{alg} signed by {signer}"),
                        &Ok(Vec::new()),
                        &Err(e),
                    );
                    continue;
                }
            };
            let verify = |t: &[u8]| {
                if verifier == "ring" {
                    ring_build::verify_spki(&spki, alg, t)
                } else {
                    ours::verify_spki(&spki, alg, t)
                }
            };
            let other = |t: &[u8]| {
                if verifier == "ring" {
                    ours::verify_spki(&spki, alg, t)
                } else {
                    ring_build::verify_spki(&spki, alg, t)
                }
            };
            let what = format!("{alg} signed by {signer}, verified by {verifier}");
            let (by_ours, by_ring) = if verifier == "ring" {
                (other(&token), verify(&token))
            } else {
                (verify(&token), other(&token))
            };
            tally.check(&what, &by_ours, &by_ring);
            if let Ok(payload) = &by_ours {
                let claims: Value = serde_json::from_slice(payload).unwrap();
                assert_eq!(
                    claims,
                    serde_json::from_str::<Value>(CLAIMS).unwrap(),
                    "{what}"
                );
            }
            for bad in signature_flips(&token) {
                let (a, b) = (
                    ours::verify_spki(&spki, alg, &bad),
                    ring_build::verify_spki(&spki, alg, &bad),
                );
                tally.check(&format!("{what}, tampered"), &a, &b);
                assert!(a.is_err(), "{what}: a tampered signature verified");
            }
        }
    }
    println!(
        "{} comparisons agree; {} are algorithms ring lacks",
        tally.same, tally.ring_lacks
    );
}
