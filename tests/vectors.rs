//! RFC and Wycheproof test vectors from `tests/data/` (copied from `shared/vectors/`, see
//! `tests/data/README.md`).
//!
//! Like ring's harness, every RFC vector file must be consumed completely: a member the test did
//! not read fails the test, so a vector can never be silently half-checked. Every positive vector
//! is re-run with one bit flipped and must then fail.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Map, Value};
use tessera::ErrorKind;
use tessera::SystemRandom;
use tessera::jwt::{self, Algorithm, Key, KeySet, Verifier};

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

/// A vector whose members must all be consumed.
struct Vector {
    name: String,
    map: Map<String, Value>,
    used: BTreeSet<String>,
}

impl Vector {
    fn load(file: &str) -> Vector {
        let text = std::fs::read_to_string(data(&format!("rfc/{file}"))).unwrap();
        let Value::Object(map) = serde_json::from_str(&text).unwrap() else {
            panic!("{file}: not an object")
        };
        let mut v = Vector {
            name: file.into(),
            map,
            used: BTreeSet::new(),
        };
        // Provenance members are documentation, not test data.
        for m in ["source", "notes", "verified", "verified_with"] {
            let _ = v.get(m);
        }
        v
    }

    fn get(&mut self, member: &str) -> Value {
        let _ = self.used.insert(member.into());
        self.map
            .get(member)
            .cloned()
            .unwrap_or_else(|| panic!("{}: no member {member}", self.name))
    }

    fn str(&mut self, member: &str) -> String {
        self.get(member)
            .as_str()
            .unwrap_or_else(|| panic!("{}: {member} not a string", self.name))
            .to_owned()
    }

    fn jwk(&mut self, member: &str) -> Vec<u8> {
        serde_json::to_vec(&self.get(member)).unwrap()
    }

    fn finish(self) {
        let unused: Vec<&String> = self
            .map
            .keys()
            .filter(|k| !self.used.contains(*k))
            .collect();
        assert!(
            unused.is_empty(),
            "{}: members not consumed by the test: {unused:?}",
            self.name
        );
    }
}

/// Flips one bit in every position class of a token (header, payload, signature) and checks
/// that each mutation is rejected.
fn assert_bit_flips_rejected(name: &str, token: &str, verify: impl Fn(&[u8]) -> bool) {
    let bytes = token.as_bytes();
    let dots: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'.')
        .map(|(i, _)| i)
        .collect();
    let positions = [
        0,
        dots[0] / 2,
        dots[0] + 1 + (dots[1] - dots[0]) / 2,
        dots[1] + 1,
        bytes.len() - 2,
    ];
    for pos in positions {
        for bit in [0x01u8, 0x02, 0x20] {
            let mut mutated = bytes.to_vec();
            mutated[pos] ^= bit;
            if mutated == bytes {
                continue;
            }
            assert!(
                !verify(&mutated),
                "{name}: flipping bit {bit:#x} at {pos} was accepted"
            );
        }
    }
}

/// Checks a compact JWS vector: verification, payload, bit flips, and (when deterministic)
/// byte-for-byte signing.
fn check_jws(file: &str, alg: Algorithm) {
    let mut v = Vector::load(file);
    assert_eq!(v.str("kind"), "jws");
    assert_eq!(v.str("alg"), alg.as_str());
    assert_eq!(v.str("serialization"), "compact");
    assert_eq!(v.str("expect"), "valid");
    let private = Key::from_jwk(&v.jwk("key"), Some(alg)).unwrap();
    let public = if v.map.contains_key("public_key") {
        Key::from_jwk(&v.jwk("public_key"), Some(alg)).unwrap()
    } else if private.is_symmetric() {
        private.clone()
    } else {
        private.public_key().unwrap()
    };
    let token = v.str("token");
    let payload = v.str("payload");
    let header = v.str("protected_header");

    let jws = jwt::verify_jws(&public, token.as_bytes()).unwrap();
    assert_eq!(jws.payload(), payload.as_bytes(), "{file}");
    assert_eq!(jws.header().alg(), Some(alg));
    assert_bit_flips_rejected(file, &token, |t| jwt::verify_jws(&public, t).is_ok());

    let rng = SystemRandom::new();
    let fresh = jwt::sign_jws(&private, header.as_bytes(), payload.as_bytes(), &rng).unwrap();
    if v.get("deterministic").as_bool().unwrap() {
        assert_eq!(
            fresh, token,
            "{file}: signing must reproduce the RFC token byte for byte"
        );
    } else {
        assert_ne!(fresh, token, "{file}: randomized signature repeated");
    }
    assert_eq!(
        jwt::verify_jws(&public, fresh.as_bytes())
            .unwrap()
            .payload(),
        payload.as_bytes()
    );

    if v.map.contains_key("jwt_exp") {
        // A JWT: valid just before exp, expired at exp (RFC 7519 §4.1.4), on a pinned clock.
        let exp = v.get("jwt_exp").as_i64().unwrap();
        let verifier = Verifier::builder(public.clone())
            .issuer("joe")
            .leeway(0)
            .build()
            .unwrap();
        let verified = verifier.verify(&token, exp - 1).unwrap();
        assert_eq!(verified.registered().exp, Some(exp));
        assert_eq!(
            verified.claims()["http://example.com/is_root"],
            Value::Bool(true)
        );
        assert_eq!(
            verifier.verify(&token, exp).unwrap_err().kind(),
            ErrorKind::Expired
        );
    }
    v.finish();
}

#[test]
fn rfc7515_a1_hs256() {
    check_jws("rfc7515_a1_hs256.json", Algorithm::HS256);
}

#[test]
fn rfc7515_a2_rs256() {
    check_jws("rfc7515_a2_rs256.json", Algorithm::RS256);
}

#[test]
fn rfc7515_a3_es256() {
    check_jws("rfc7515_a3_es256.json", Algorithm::ES256);
}

#[test]
fn rfc8037_a4_ed25519() {
    check_jws("rfc8037_a4_ed25519.json", Algorithm::EdDSA);
}

#[test]
fn rfc7520_4_1_rs256() {
    check_jws("rfc7520_4_1_rs256.json", Algorithm::RS256);
}

#[test]
fn rfc7520_4_2_ps384() {
    check_jws("rfc7520_4_2_ps384.json", Algorithm::PS384);
}

#[test]
fn rfc7520_4_4_hs256() {
    check_jws("rfc7520_4_4_hs256.json", Algorithm::HS256);
}

#[test]
fn rfc8037_ed25519_fully_specified_identifier() {
    // RFC 9864: `Ed25519` names the same computation as RFC 8037's `EdDSA` with Ed25519.
    let mut v = Vector::load("rfc8037_a4_ed25519.json");
    let key = Key::from_jwk(&v.jwk("key"), Some(Algorithm::Ed25519)).unwrap();
    assert_eq!(key.alg(), Algorithm::Ed25519);
    let payload = v.str("payload");
    let token = jwt::sign_jws(
        &key,
        br#"{"alg":"Ed25519"}"#,
        payload.as_bytes(),
        &SystemRandom::new(),
    )
    .unwrap();
    // Same signature bytes as the RFC's EdDSA token (Ed25519 is deterministic), other header.
    let rfc = v.str("token");
    assert_ne!(token, rfc);
    let public = Key::from_jwk(&v.jwk("public_key"), Some(Algorithm::Ed25519)).unwrap();
    assert!(jwt::verify_jws(&public, token.as_bytes()).is_ok());
    assert!(
        jwt::verify_jws(&public, rfc.as_bytes()).is_ok(),
        "EdDSA accepted by an Ed25519-bound key"
    );
}

#[test]
fn rfc7515_a5_unsecured_is_rejected_under_every_rfc_key() {
    let mut v = Vector::load("rfc7515_a5_unsecured_none.json");
    assert_eq!(v.str("kind"), "jws");
    assert_eq!(v.str("alg"), "none");
    assert_eq!(v.str("expect"), "invalid");
    assert_eq!(v.get("key"), Value::Null);
    let token = v.str("token");
    let _ = (
        v.str("payload"),
        v.str("protected_header"),
        v.str("serialization"),
    );
    let keys = [
        ("rfc7515_a1_hs256.json", Some(Algorithm::HS256)),
        ("rfc7515_a2_rs256.json", Some(Algorithm::RS256)),
        ("rfc7515_a3_es256.json", None),
        ("rfc8037_a4_ed25519.json", None),
    ];
    for (file, alg) in keys {
        let key = Key::from_jwk(&Vector::load(file).jwk("key"), alg).unwrap();
        let err = jwt::verify_jws(&key, token.as_bytes()).unwrap_err();
        // The token has an empty signature part: rejected before `alg` is even read.
        assert_eq!(err.kind(), ErrorKind::MalformedToken, "{file}");
        let with_sig = format!("{token}AAAA");
        let err = jwt::verify_jws(&key, with_sig.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm, "{file}");
    }
    v.finish();
}

#[test]
fn rfc7520_4_5_detached_content_is_rejected_by_a_compact_verifier() {
    let mut v = Vector::load("rfc7520_4_5_hs256_detached.json");
    assert_eq!(v.str("serialization"), "compact-detached");
    assert_eq!(v.get("requires"), serde_json::json!(["detached-content"]));
    assert_eq!(v.str("expect_if_unsupported"), "invalid");
    let _ = (
        v.str("kind"),
        v.str("alg"),
        v.str("expect"),
        v.get("deterministic"),
        v.str("protected_header"),
    );
    let key = Key::from_jwk(&v.jwk("key"), None).unwrap();
    let token = v.str("token");
    assert_eq!(
        jwt::verify_jws(&key, token.as_bytes()).unwrap_err().kind(),
        ErrorKind::InvalidSignature
    );
    // Re-attaching the detached payload makes it an ordinary, valid compact JWS.
    let payload = v.str("payload");
    let mut parts = token.split('.');
    let (h, _, s) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let attached = format!("{h}.{}.{s}", base64url(payload.as_bytes()));
    assert_eq!(
        jwt::verify_jws(&key, attached.as_bytes())
            .unwrap()
            .payload(),
        payload.as_bytes()
    );
    v.finish();
}

fn base64url(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

#[test]
fn rfc7520_4_6_and_4_7_json_serializations_are_rejected() {
    for (file, derived_valid) in [
        ("rfc7520_4_6_hs256_json_protected_alg_only.json", true),
        ("rfc7520_4_7_hs256_json_unprotected_only.json", false),
    ] {
        let mut v = Vector::load(file);
        assert_eq!(v.str("serialization"), "flattened-json");
        assert_eq!(v.str("expect_if_unsupported"), "invalid");
        let _ = (
            v.str("kind"),
            v.str("alg"),
            v.str("expect"),
            v.get("deterministic"),
            v.get("requires"),
        );
        let key = Key::from_jwk(&v.jwk("key"), None).unwrap();
        let token = v.str("token");
        let err = jwt::verify_jws(&key, token.as_bytes()).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::MalformedToken | ErrorKind::InvalidBase64
            ),
            "{file}: {err:?}"
        );
        let derived = v.str("derived_compact");
        let result = jwt::verify_jws(&key, derived.as_bytes());
        if derived_valid {
            assert_eq!(result.unwrap().payload(), v.str("payload").as_bytes());
        } else {
            assert_eq!(v.str("derived_compact_expect"), "invalid");
            assert_eq!(
                result.unwrap_err().kind(),
                ErrorKind::MalformedToken,
                "{file}"
            );
            let _ = v.str("payload");
        }
        v.finish();
    }
}

#[test]
fn rfc7638_and_rfc8037_thumbprints() {
    for file in ["rfc7638_3_1_thumbprint.json", "rfc8037_a3_thumbprint.json"] {
        let mut v = Vector::load(file);
        assert_eq!(v.str("kind"), "jwk-thumbprint");
        assert_eq!(v.str("hash_alg"), "SHA-256");
        assert_eq!(v.str("expect"), "valid");
        let _ = (v.get("token"), v.get("payload"));
        let key = Key::from_jwk(&v.jwk("key"), Some(Algorithm::RS256))
            .or_else(|_| Key::from_jwk(&v.jwk("key"), None))
            .unwrap();
        let expected = v.str("thumbprint");
        assert_eq!(key.thumbprint().unwrap(), expected, "{file}");
        let canonical = v.str("canonical_json");
        let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
        assert_eq!(base64url(digest.as_ref()), expected);
        if v.map.contains_key("thumbprint_octets") {
            let octets: Vec<u8> = serde_json::from_value(v.get("thumbprint_octets")).unwrap();
            assert_eq!(octets, digest.as_ref());
        } else {
            let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(v.str("thumbprint_hex"), hex);
        }
        // The thumbprint of the public half is the same.
        if !key.is_symmetric() {
            assert_eq!(key.public_key().unwrap().thumbprint().unwrap(), expected);
        }
        v.finish();
    }
}

// ---------------------------------------------------------------------------------------------
// Wycheproof

/// Wycheproof cases where tessera's verdict differs from the file's, each with the reason
/// (see tests/data/wycheproof/README.md). Everything else must match the file exactly.
const WYCHEPROOF_ANOMALIES: &[(u64, bool, &str)] = &[
    (
        346,
        false,
        "RFC 7520 4.2 PS384 token, but Wycheproof gave the key alg PS256: the key decides the algorithm",
    ),
    (350, false, "same as 346 with key_ops"),
    (
        367,
        true,
        "upstream data bug C2SP/wycheproof#236: byte-identical to valid tcId 357",
    ),
    (
        370,
        true,
        "upstream data bug C2SP/wycheproof#236: byte-identical to valid tcId 357",
    ),
    (
        372,
        false,
        "a '?' inside a segment: strict base64url rejects it (RFC 7515 MACs the literal input)",
    ),
    (
        373,
        false,
        "a '?' inside a segment: strict base64url rejects it (RFC 7515 MACs the literal input)",
    ),
];

struct Tally {
    total: usize,
    agreed: usize,
    anomalies: usize,
}

fn wycheproof_verdict(key: &Value, jws: &Value) -> bool {
    let Some(token) = jws.as_str() else {
        return false; // JSON serialization: not a compact JWS.
    };
    let key_bytes = serde_json::to_vec(key).unwrap();
    if key.get("keys").is_some() {
        match KeySet::from_jwks(&key_bytes, &[]) {
            Ok(set) => Verifier::new(set).verify_jws(token).is_ok(),
            Err(_) => false,
        }
    } else {
        match Key::from_jwk(&key_bytes, None) {
            Ok(k) => jwt::verify_jws(&k, token.as_bytes()).is_ok(),
            Err(_) => false,
        }
    }
}

fn run_wycheproof(file: &str, anomalies: &[(u64, bool, &str)]) -> Tally {
    let text = std::fs::read_to_string(data(&format!("wycheproof/{file}"))).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut tally = Tally {
        total: 0,
        agreed: 0,
        anomalies: 0,
    };
    let mut seen_anomalies = BTreeSet::new();
    for group in doc["testGroups"].as_array().unwrap() {
        let key = group.get("public").unwrap_or(&group["private"]);
        for case in group["tests"].as_array().unwrap() {
            let id = case["tcId"].as_u64().unwrap();
            let expected = match case["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("tcId {id}: unexpected result {other}"),
            };
            let ours = wycheproof_verdict(key, &case["jws"]);
            tally.total += 1;
            if let Some((_, verdict, why)) = anomalies.iter().find(|(a, _, _)| *a == id) {
                assert_eq!(
                    ours, *verdict,
                    "{file} tcId {id}: documented anomaly ({why}) changed"
                );
                assert_ne!(
                    ours, expected,
                    "{file} tcId {id}: listed as an anomaly but agrees with the file"
                );
                let _ = seen_anomalies.insert(id);
                tally.anomalies += 1;
            } else {
                assert_eq!(
                    ours, expected,
                    "{file} tcId {id} ({}): expected {expected}",
                    case["comment"]
                );
                tally.agreed += 1;
            }
        }
    }
    assert_eq!(
        seen_anomalies.len(),
        anomalies.len(),
        "{file}: an anomaly id is not in the file"
    );
    tally
}

/// The ES512 (P-521) cases: the RFC 7520 §4.3 token under the RFC's P-521 key, to which
/// Wycheproof added the unregistered `"alg":"ES521"`.
const WYCHEPROOF_ES512: &[(u64, bool, &str)] = &[
    (
        347,
        false,
        "the key's alg is the unregistered ES521: refused as an unknown algorithm (with ring, P-521 is unavailable too)",
    ),
    (351, false, "same as 347 with key_ops"),
];

#[test]
fn wycheproof_json_web_signature() {
    let mut anomalies = WYCHEPROOF_ANOMALIES.to_vec();
    anomalies.extend_from_slice(WYCHEPROOF_ES512);
    let t = run_wycheproof("json_web_signature_test.json", &anomalies);
    assert_eq!(t.total, 401);
    assert_eq!(t.agreed + t.anomalies, t.total);
    println!(
        "json_web_signature_test.json: {}/{} agree, {} documented anomalies",
        t.agreed, t.total, t.anomalies
    );
}

/// Wycheproof's two ES512 cases without the unregistered `"alg":"ES521"` that makes them
/// anomalies: with aws-lc the RFC 7520 §4.3 token verifies as ES512 under the P-521 key, and a
/// flipped signature bit does not; with ring the key is `UnsupportedKey`.
#[test]
fn wycheproof_es512_cases_verify_without_the_unregistered_alg() {
    let text = std::fs::read_to_string(data("wycheproof/json_web_signature_test.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut seen = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        for case in group["tests"].as_array().unwrap() {
            let id = case["tcId"].as_u64().unwrap();
            if !WYCHEPROOF_ES512.iter().any(|(a, _, _)| *a == id) {
                continue;
            }
            seen += 1;
            let mut key = group["public"].clone();
            assert_eq!(key["alg"], "ES521", "tcId {id}");
            let _ = key.as_object_mut().unwrap().remove("alg");
            let token = case["jws"].as_str().unwrap();
            match Key::from_jwk(&serde_json::to_vec(&key).unwrap(), None) {
                Ok(k) => {
                    assert!(Algorithm::ES512.is_supported(), "tcId {id}");
                    assert_eq!(k.alg(), Algorithm::ES512);
                    assert!(jwt::verify_jws(&k, token.as_bytes()).is_ok(), "tcId {id}");
                    assert_bit_flips_rejected(&format!("tcId {id}"), token, |t| {
                        jwt::verify_jws(&k, t).is_ok()
                    });
                }
                Err(e) => {
                    assert!(!Algorithm::ES512.is_supported(), "tcId {id}: {e}");
                    assert_eq!(e.kind(), tessera::ErrorKind::UnsupportedKey);
                }
            }
        }
    }
    assert_eq!(seen, 2);
}

#[test]
fn wycheproof_json_web_key() {
    let t = run_wycheproof("json_web_key_test.json", &[]);
    assert_eq!(t.total, 26);
    assert_eq!(t.agreed, 26);
    println!("json_web_key_test.json: {}/{} agree", t.agreed, t.total);
}

#[test]
fn wycheproof_key_set_rejections_have_the_right_reason() {
    let text = std::fs::read_to_string(data("wycheproof/json_web_key_test.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut reasons = std::collections::BTreeMap::new();
    for group in doc["testGroups"].as_array().unwrap() {
        let key = group.get("public").unwrap_or(&group["private"]);
        let bytes = serde_json::to_vec(key).unwrap();
        for case in group["tests"].as_array().unwrap() {
            let id = case["tcId"].as_u64().unwrap();
            let kind = match KeySet::from_jwks(&bytes, &[]) {
                Err(e) => Some(e.kind()),
                Ok(set) => Verifier::new(set)
                    .verify_jws(case["jws"].as_str().unwrap())
                    .err()
                    .map(|e| e.kind()),
            };
            let _ = reasons.insert(id, kind);
        }
    }
    use ErrorKind::*;
    let expect: &[(u64, ErrorKind)] = &[
        (1, AmbiguousKeySet),
        (3, InvalidSignature),
        (4, AmbiguousKeySet),
        (6, KeyNotFound),
        (7, WeakKey),
        (8, WeakKey),
        (9, WeakKey),
        (10, WeakKey),
        (11, WeakKey),
        (12, WeakKey),
        (16, WeakKey),
        (17, WeakKey),
        (18, WeakKey),
        (19, KeyNotFound),
        (20, KeyNotFound),
        (21, KeyNotFound),
        (22, InvalidKey),
        (23, InvalidKey),
        (24, InvalidKey),
        (25, KeyNotFound),
        (26, KeyNotFound),
    ];
    for (id, kind) in expect {
        assert_eq!(reasons[id], Some(*kind), "tcId {id}");
    }
    for id in [2, 5, 13, 14, 15] {
        assert_eq!(reasons[&id], None, "tcId {id} must verify");
    }
}
