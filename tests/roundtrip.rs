//! Property tests: sign → verify round trips for every algorithm with arbitrary claims, single-byte
//! tampering is always rejected, and key exports (JWK, PEM, DER) load back as the same key.
//!
//! RSA uses one 2048-bit fixture key (`tests/data/attacks/rsa2048.pem`, see the README there),
//! loaded once; `ring` cannot generate RSA keys. Case counts are kept modest so the file runs in
//! a few seconds in debug builds.
//!
//! Every strategy draws from the algorithms the backend of the build implements
//! ([`Algorithm::supported`]): with aws-lc that includes ES512 (P-521) and ES256K (secp256k1).

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tessera::ErrorKind;
use tessera::SystemRandom;
use tessera::jwt::{self, Algorithm, Header, Key, KeySet, Limits, Verifier};

const NOW: i64 = 1_800_000_000;
const RSA2048: &[u8] = include_bytes!("data/attacks/rsa2048.pem");
const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

fn rng() -> SystemRandom {
    SystemRandom::new()
}

fn rsa_key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| Key::from_pem(RSA2048, Some(Algorithm::RS256)).expect("rsa2048.pem"))
}

/// A signing key for `alg`: fresh for HMAC, EC and Ed25519, the fixture for RSA.
fn key_for(alg: Algorithm) -> Key {
    match alg {
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => rsa_key().clone().with_alg(alg).unwrap(),
        _ => Key::generate(alg, &rng()).unwrap(),
    }
}

/// The key a verifier holds for `key`.
fn verification_key(key: &Key) -> Key {
    if key.is_symmetric() {
        key.clone()
    } else {
        key.public_key().unwrap()
    }
}

fn any_alg() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::supported().to_vec())
}

/// One of `list`, among those the backend implements.
fn algs(list: &[Algorithm]) -> impl Strategy<Value = Algorithm> + use<> {
    let supported: Vec<Algorithm> = list.iter().copied().filter(|a| a.is_supported()).collect();
    prop::sample::select(supported)
}

/// The ECDSA algorithms (ES512 and ES256K need the aws-lc backend; `algs` leaves them out with
/// ring).
const EC_ALGS: [Algorithm; 4] = [
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::ES512,
    Algorithm::ES256K,
];

/// Arbitrary text: any Unicode scalar values, control characters and quotes included.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::string::string_regex(&format!("(?s).{{0,{max}}}")).unwrap()
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Decimal fractions with few digits; arbitrary doubles are covered by the float tests
        // at the end.
        any::<i32>().prop_map(|m| Value::from(f64::from(m) / 1000.0)),
        text(24).prop_map(Value::String),
    ]
}

/// Arbitrary JSON: leaves, nested arrays and objects (depth well under the 32 limit).
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(text(10), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A claims set: arbitrary private claims plus well-typed registered claims, always with a
/// valid `exp`.
fn claims() -> impl Strategy<Value = Map<String, Value>> {
    (
        prop::collection::btree_map(text(16), json_value(), 0..8),
        1i64..10_000_000,
        prop::option::of(text(20)),
        prop::option::of(text(20)),
        prop::option::of(prop::collection::vec(text(12), 1..4)),
        prop::option::of(-1_000_000i64..=0),
        prop::option::of(text(20)),
    )
        .prop_map(|(private, exp, iss, sub, aud, iat, jti)| {
            let mut claims: Map<String, Value> = private
                .into_iter()
                .filter(|(k, _)| !REGISTERED.contains(&k.as_str()))
                .collect();
            let _ = claims.insert("exp".into(), json!(NOW + exp));
            if let Some(iss) = iss {
                let _ = claims.insert("iss".into(), iss.into());
            }
            if let Some(sub) = sub {
                let _ = claims.insert("sub".into(), sub.into());
            }
            if let Some(aud) = aud {
                let aud = if aud.len() == 1 {
                    Value::from(aud[0].clone())
                } else {
                    Value::from(aud)
                };
                let _ = claims.insert("aud".into(), aud);
            }
            if let Some(iat) = iat {
                let _ = claims.insert("iat".into(), json!(NOW + iat));
                let _ = claims.insert("nbf".into(), json!(NOW + iat));
            }
            if let Some(jti) = jti {
                let _ = claims.insert("jti".into(), jti.into());
            }
            claims
        })
}

/// A verifier that expects exactly what `claims` carries (so every check runs and passes).
fn verifier_for(key: &Key, claims: &Map<String, Value>) -> Verifier {
    let mut b = Verifier::builder(verification_key(key)).limits(Limits {
        max_token_len: 1 << 20,
        max_header_len: 4096,
        ..Limits::default()
    });
    if let Some(Value::String(iss)) = claims.get("iss").filter(|v| v != &&json!("")) {
        b = b.issuer(iss.clone());
    }
    if let Some(Value::String(sub)) = claims.get("sub").filter(|v| v != &&json!("")) {
        b = b.subject(sub.clone());
    }
    match claims.get("aud") {
        Some(Value::String(aud)) if !aud.is_empty() => b = b.audience(aud.clone()),
        Some(Value::Array(auds)) => match auds
            .iter()
            .filter_map(Value::as_str)
            .find(|a| !a.is_empty())
        {
            Some(aud) => b = b.audience(aud.to_owned()),
            None => b = b.accept_any_audience(),
        },
        Some(_) => b = b.accept_any_audience(),
        None => {}
    }
    b.build().unwrap()
}

fn sign(key: &Key, header: &Header, claims: &Map<String, Value>) -> String {
    jwt::sign(key, header, claims, &rng()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Sign → verify
// ---------------------------------------------------------------------------------------------

fn check_round_trip(alg: Algorithm, claims: &Map<String, Value>, typ: &str, kid: &str) {
    let key = key_for(alg).with_kid(kid);
    let header = Header::new().typ(typ);
    let token = sign(&key, &header, claims);
    let verified = verifier_for(&key, claims)
        .verify(&token, NOW)
        .unwrap_or_else(|e| panic!("{alg}: {e:?}\nclaims: {claims:?}"));
    assert_eq!(verified.claims(), claims, "{alg}");
    assert_eq!(
        verified.payload(),
        serde_json::to_vec(claims).unwrap().as_slice()
    );
    assert_eq!(verified.header().alg(), Some(alg));
    assert_eq!(verified.header().typ_value(), Some(typ));
    assert_eq!(verified.header().kid_value(), Some(kid));
    let reg = verified.registered();
    assert_eq!(reg.exp, claims["exp"].as_i64());
    assert_eq!(
        reg.iss.as_deref(),
        claims.get("iss").and_then(Value::as_str)
    );
    assert_eq!(
        reg.sub.as_deref(),
        claims.get("sub").and_then(Value::as_str)
    );
    // The same token through a key set holding the key.
    let set = KeySet::new(vec![verification_key(&key)]).unwrap();
    let via_set = Verifier::builder(set)
        .accept_any_audience()
        .limits(Limits {
            max_token_len: 1 << 20,
            max_header_len: 4096,
            ..Limits::default()
        })
        .build()
        .unwrap()
        .verify(&token, NOW)
        .unwrap();
    assert_eq!(via_set.claims(), claims);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_algorithm_round_trips_arbitrary_claims(
        alg in any_alg(),
        claims in claims(),
        typ in prop::string::string_regex("[A-Za-z0-9+/.-]{1,16}").unwrap(),
        kid in text(16),
    ) {
        check_round_trip(alg, &claims, &typ, &kid);
    }

    #[test]
    fn hmac_round_trips(
        alg in algs(&[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512]),
        claims in claims(),
    ) {
        check_round_trip(alg, &claims, "JWT", "h");
    }

    #[test]
    fn ec_and_ed25519_round_trip(
        alg in algs(&[
            Algorithm::ES256, Algorithm::ES384, Algorithm::ES512, Algorithm::ES256K,
            Algorithm::EdDSA, Algorithm::Ed25519,
        ]),
        claims in claims(),
    ) {
        check_round_trip(alg, &claims, "at+jwt", "e");
    }

    #[test]
    fn raw_jws_round_trips_arbitrary_payload_bytes(
        alg in algs(&[
            Algorithm::HS256, Algorithm::ES256, Algorithm::ES512, Algorithm::ES256K,
            Algorithm::EdDSA,
        ]),
        payload in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let key = key_for(alg);
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        let token = jwt::sign_jws(&key, header.as_bytes(), &payload, &rng()).unwrap();
        let jws = jwt::verify_jws(&verification_key(&key), token.as_bytes()).unwrap();
        prop_assert_eq!(jws.payload(), payload.as_slice());
        prop_assert_eq!(jws.header().alg(), Some(alg));
    }
}

proptest! {
    // RSA signing is the slow part: fewer cases, one signature per case.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn rsa_round_trips(
        alg in algs(&[
            Algorithm::RS256, Algorithm::RS384, Algorithm::RS512,
            Algorithm::PS256, Algorithm::PS384, Algorithm::PS512,
        ]),
        claims in claims(),
    ) {
        check_round_trip(alg, &claims, "JWT", "r");
    }
}

// ---------------------------------------------------------------------------------------------
// Any single-byte change is rejected
// ---------------------------------------------------------------------------------------------

fn check_tamper(alg: Algorithm, claims: &Map<String, Value>, pos: prop::sample::Index, byte: u8) {
    let key = key_for(alg).with_kid("t");
    let token = sign(&key, &Header::new().typ("JWT"), claims).into_bytes();
    let verifier = verifier_for(&key, claims);
    assert!(verifier.verify(&token, NOW).is_ok());
    let i = pos.index(token.len());
    if token[i] == byte {
        return; // not a change
    }
    let mut tampered = token.clone();
    tampered[i] = byte;
    let result = verifier.verify(&tampered, NOW);
    assert!(
        result.is_err(),
        "{alg}: byte {i} ({:?} -> {:?}) accepted: {}",
        token[i] as char,
        byte as char,
        String::from_utf8_lossy(&tampered)
    );
    // The signature-only path rejects it too (except where only the claims make it invalid,
    // which cannot happen: every byte of the token is covered by the signature or is the
    // signature).
    assert!(jwt::verify_jws(&verification_key(&key), &tampered).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tampering_hmac_tokens_is_detected(
        alg in algs(&[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512]),
        claims in claims(),
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        check_tamper(alg, &claims, pos, byte);
    }

    #[test]
    fn tampering_ec_tokens_is_detected(
        alg in algs(&EC_ALGS),
        claims in claims(),
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        check_tamper(alg, &claims, pos, byte);
    }

    #[test]
    fn tampering_ed25519_tokens_is_detected(
        alg in algs(&[Algorithm::EdDSA, Algorithm::Ed25519]),
        claims in claims(),
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        check_tamper(alg, &claims, pos, byte);
    }

    /// Tampering where it matters most: the last characters (signature tail, trailing bits).
    #[test]
    fn tampering_the_signature_tail_is_detected(
        alg in algs(&[
            Algorithm::HS256, Algorithm::ES256, Algorithm::ES512, Algorithm::ES256K,
            Algorithm::EdDSA,
        ]),
        from_end in 1usize..6,
        byte in any::<u8>(),
    ) {
        let key = key_for(alg);
        let claims: Map<String, Value> = json!({"exp": NOW + 60}).as_object().unwrap().clone();
        let token = sign(&key, &Header::new(), &claims).into_bytes();
        let i = token.len() - from_end;
        prop_assume!(token[i] != byte);
        let mut tampered = token;
        tampered[i] = byte;
        prop_assert!(Verifier::new(verification_key(&key)).verify(&tampered, NOW).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn tampering_rsa_tokens_is_detected(
        alg in algs(&[
            Algorithm::RS256, Algorithm::RS384, Algorithm::RS512,
            Algorithm::PS256, Algorithm::PS384, Algorithm::PS512,
        ]),
        claims in claims(),
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        check_tamper(alg, &claims, pos, byte);
    }
}

// ---------------------------------------------------------------------------------------------
// Key export round trips
// ---------------------------------------------------------------------------------------------

fn claims_map() -> Map<String, Value> {
    json!({"sub": "export", "exp": NOW + 60})
        .as_object()
        .unwrap()
        .clone()
}

/// `other` is the same key as `key`: same algorithm and thumbprint, and each verifies the
/// other's tokens (when it can sign).
fn assert_same_key(key: &Key, other: &Key, what: &str) {
    let alg = key.alg();
    assert_eq!(other.alg(), alg, "{alg} {what}");
    assert_eq!(
        other.thumbprint().unwrap(),
        key.thumbprint().unwrap(),
        "{alg} {what}"
    );
    let token = sign(key, &Header::new(), &claims_map());
    let verified = Verifier::new(verification_key(other))
        .verify(&token, NOW)
        .unwrap_or_else(|e| panic!("{alg} {what}: {e:?}"));
    assert_eq!(verified.claims(), &claims_map());
    if other.is_private() {
        let back = sign(other, &Header::new(), &claims_map());
        assert!(
            Verifier::new(verification_key(key))
                .verify(&back, NOW)
                .is_ok(),
            "{alg} {what}"
        );
    }
}

fn check_exports(key: &Key) {
    let alg = key.alg();
    let key = key.clone().with_kid("export-kid");

    // private JWK → from_jwk (the JWK carries alg and kid).
    let private_jwk = key.private_jwk().unwrap();
    let from_private_jwk = Key::from_jwk(private_jwk.as_bytes(), None).unwrap();
    assert!(from_private_jwk.is_private());
    assert_eq!(from_private_jwk.kid(), Some("export-kid"));
    assert_same_key(&key, &from_private_jwk, "private JWK");
    assert_eq!(
        Key::from_jwk(private_jwk.as_bytes(), Some(alg))
            .unwrap()
            .thumbprint()
            .unwrap(),
        key.thumbprint().unwrap()
    );
    // Re-exporting gives the same JWK.
    let again: Value = serde_json::from_str(&from_private_jwk.private_jwk().unwrap()).unwrap();
    let first: Value = serde_json::from_str(&private_jwk).unwrap();
    assert_eq!(again, first, "{alg} private JWK re-export");

    if key.is_symmetric() {
        for (what, kind) in [
            (
                "public_key",
                key.public_key().map(|_| ()).unwrap_err().kind(),
            ),
            (
                "public_jwk",
                key.public_jwk().map(|_| ()).unwrap_err().kind(),
            ),
            (
                "public_key_pem",
                key.public_key_pem().map(|_| ()).unwrap_err().kind(),
            ),
            (
                "private_key_pem",
                key.private_key_pem().map(|_| ()).unwrap_err().kind(),
            ),
        ] {
            assert_eq!(kind, ErrorKind::NoPublicKey, "{alg} {what}");
        }
        assert!(jwt::jwks(std::slice::from_ref(&key)).is_err());
        return;
    }

    // private PEM / DER → from_pem / from_der.
    let private_pem = key.private_key_pem().unwrap();
    let from_pem = Key::from_pem(private_pem.as_bytes(), Some(alg)).unwrap();
    assert!(from_pem.is_private());
    assert_same_key(&key, &from_pem, "private PEM");
    let from_der = Key::from_der(&key.private_key_der().unwrap(), Some(alg)).unwrap();
    assert_same_key(&key, &from_der, "private DER");
    assert_eq!(&*from_pem.private_key_pem().unwrap(), &*private_pem);

    // public PEM / DER → from_pem / from_der.
    let public_pem = key.public_key_pem().unwrap();
    let from_public_pem = Key::from_pem(public_pem.as_bytes(), Some(alg)).unwrap();
    assert!(!from_public_pem.is_private());
    assert_same_key(&key, &from_public_pem, "public PEM");
    assert_eq!(from_public_pem.public_key_pem().unwrap(), public_pem);
    let from_public_der = Key::from_der(&key.public_key_der().unwrap(), Some(alg)).unwrap();
    assert_same_key(&key, &from_public_der, "public DER");

    // public JWK → from_jwk.
    let public_jwk = serde_json::to_vec(&Value::Object(key.public_jwk().unwrap())).unwrap();
    let from_public_jwk = Key::from_jwk(&public_jwk, None).unwrap();
    assert!(!from_public_jwk.is_private());
    assert_eq!(from_public_jwk.kid(), Some("export-kid"));
    assert_same_key(&key, &from_public_jwk, "public JWK");
    assert_eq!(
        from_public_jwk.public_jwk().unwrap(),
        key.public_jwk().unwrap()
    );
    // The public JWK has no private member.
    for member in ["d", "p", "q", "dp", "dq", "qi", "k"] {
        assert!(
            !key.public_jwk().unwrap().contains_key(member),
            "{alg} {member}"
        );
    }

    // JWKS → KeySet.
    let doc = jwt::jwks(std::slice::from_ref(&key)).unwrap();
    let set = KeySet::from_jwks(doc.as_bytes(), &[]).unwrap();
    assert_eq!(set.keys().len(), 1);
    assert_same_key(&key, &set.keys()[0], "JWKS");

    // Public keys have no private form.
    let public = key.public_key().unwrap();
    assert_eq!(
        public.private_jwk().map(|_| ()).unwrap_err().kind(),
        ErrorKind::NotPrivateKey
    );
    assert_eq!(
        public.private_key_pem().map(|_| ()).unwrap_err().kind(),
        ErrorKind::NotPrivateKey
    );
    assert_eq!(
        jwt::sign(&public, &Header::new(), &claims_map(), &rng())
            .unwrap_err()
            .kind(),
        ErrorKind::NotPrivateKey
    );
}

#[test]
fn every_algorithm_exports_and_reimports() {
    for alg in Algorithm::ALL {
        if alg.is_supported() {
            check_exports(&key_for(alg));
        } else {
            // ES512 and ES256K with ring.
            let err = Key::generate(alg, &rng()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm, "{alg}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn generated_keys_export_and_reimport(
        alg in algs(&[
            Algorithm::HS256, Algorithm::HS384, Algorithm::HS512,
            Algorithm::ES256, Algorithm::ES384, Algorithm::ES512, Algorithm::ES256K,
            Algorithm::EdDSA, Algorithm::Ed25519,
        ]),
    ) {
        check_exports(&key_for(alg));
    }

    #[test]
    fn hmac_secrets_of_any_sufficient_length_round_trip(
        alg in algs(&[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512]),
        secret in prop::collection::vec(any::<u8>(), 64..200),
    ) {
        let key = Key::hmac(&secret, alg).unwrap();
        check_exports(&key);
        let jwk: Value = serde_json::from_str(&key.private_jwk().unwrap()).unwrap();
        let k = jwk["k"].as_str().unwrap();
        use base64::Engine as _;
        prop_assert_eq!(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(k).unwrap(),
            secret
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Known bug: floating-point claims do not round-trip exactly
// ---------------------------------------------------------------------------------------------

/// Signs `value` as a claim and returns the claim as the verifier reports it.
fn float_claim_after_round_trip(value: f64) -> Value {
    let key = key_for(Algorithm::HS256);
    let claims = json!({"exp": NOW + 60, "x": value});
    let token = jwt::sign(&key, &Header::new(), &claims, &rng()).unwrap();
    let verified = Verifier::new(key).verify(&token, NOW).unwrap();
    verified.claims()["x"].clone()
}

/// The signer writes a double with its shortest round-trip representation (ryu); the verifier
/// must parse it back exactly (serde_json's `float_roundtrip` feature; its default parser can
/// land one ulp off).
#[test]
fn float_claims_round_trip_exactly() {
    for value in [
        2.640_739_249_060_199e247,
        -4.137_051_942_260_916_4e188,
        1.797_693_134_862_315_7e308,
        5e-324,
        0.1,
    ] {
        assert_eq!(
            float_claim_after_round_trip(value),
            Value::from(value),
            "{value:e}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_float_claims_round_trip_exactly(
        value in any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()),
    ) {
        prop_assert_eq!(float_claim_after_round_trip(value), Value::from(value));
    }
}
