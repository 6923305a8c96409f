//! The bodies of tessera's fuzz targets: one `pub fn <target>(data: &[u8])` per target.
//!
//! This file is plain Rust over the public API of `tessera` (and `ring`, `serde_json`), so it is
//! compiled twice: by the cargo-fuzz binaries in `fuzz/fuzz_targets/` (through `fuzz/src/lib.rs`)
//! and by the root crate's `tests/fuzz_corpus.rs` (`#[path]` include), which replays the
//! committed corpora through the same functions on the stable toolchain.
//!
//! Every target asserts invariants, not just the absence of panics: errors are typed (never the
//! panic kind, with a bounded detail), round trips are equal, a verified token's claims re-parse
//! to what was verified, the fast claim scanner agrees with the `serde_json` path, and the C ABI
//! agrees with the Rust API it wraps.

#![allow(clippy::unwrap_used, clippy::panic, clippy::missing_panics_doc)]

use std::ffi::{CStr, c_char};
use std::sync::OnceLock;

use serde_json::{Map, Value};
use tessera::SystemRandom;
use tessera::grant::{
    AuthorizeOutcome, Client, ClientKind, GrantState, GrantType, Issuer, Locator, Outcome, Policy,
};
use tessera::jwt::{
    self, Algorithm, Header, Key, KeySet, Limits, MAX_LEEWAY, RegisteredClaims, Verifier, dangerous,
};
use tessera::pkce::{self, ChallengeMethod, CodeVerifier, PkcePolicy};
use tessera::scope::{Implications, Scope, ScopeSet};
use tessera::token::{LookupHash, Pepper, Peppers, TokenFormat, TokenKind};
use tessera::wire::{
    self, AuthorizeRequest, Form, IntrospectionRequest, RevocationRequest, TokenRequest,
};
use tessera::{Error, ErrorKind, ffi};

/// The clock of every target (2027-01-15), inside the validity of the seed tokens.
pub const NOW: i64 = 1_800_000_000;

/// Longest error detail allowed: the crate's own bound, [`tessera::MAX_DETAIL_LEN`].
const MAX_DETAIL_BYTES: usize = tessera::MAX_DETAIL_LEN;

// ---------------------------------------------------------------------------------------------
// Shared helpers and fixtures

/// An error must be typed: not the panic kind, with a short detail.
fn typed(e: &Error) {
    assert_ne!(e.kind(), ErrorKind::Panic, "{e:?}");
    assert!(
        e.detail().len() <= MAX_DETAIL_BYTES,
        "detail too long: {e:?}"
    );
    assert_eq!(ErrorKind::from_code(e.code()), Some(e.kind()));
}

/// `Some(value)` on success; on failure checks that the error is typed and returns `None`.
fn ok<T>(r: tessera::Result<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            typed(&e);
            None
        }
    }
}

/// The first byte (the selector) and the rest; `None` for an empty input.
fn split_first(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(b, rest)| (*b, rest))
}

/// The rest split at NUL bytes into exactly `N` parts (missing parts are empty; the last part
/// keeps any further NULs).
fn parts<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut out = [&[][..]; N];
    let mut rest = data;
    for (i, slot) in out.iter_mut().enumerate() {
        if i + 1 == N {
            *slot = rest;
            break;
        }
        match rest.iter().position(|&b| b == 0) {
            Some(p) => {
                *slot = &rest[..p];
                rest = &rest[p + 1..];
            }
            None => {
                *slot = rest;
                rest = &[];
            }
        }
    }
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The test keys of `tests/data/keys`, loaded once, each with a `kid`.
pub struct TestKeys {
    /// HS256, 32-byte secret.
    pub hs256: Key,
    /// HS512, 64-byte secret.
    pub hs512: Key,
    /// ES256 (P-256 PKCS#8).
    pub es256: Key,
    /// ES384 (P-384 PKCS#8).
    pub es384: Key,
    /// EdDSA (Ed25519 PKCS#8).
    pub eddsa: Key,
    /// RS256 (RSA-2048 PKCS#8).
    pub rs256: Key,
    /// PS256 (the same RSA key).
    pub ps256: Key,
    /// ES512 (P-521 PKCS#8), with the aws-lc backend only.
    pub es512: Option<Key>,
    /// ES256K (secp256k1 PKCS#8), with the aws-lc backend only.
    pub es256k: Option<Key>,
}

/// The PEM texts of the test keys (the same files the integration tests load).
pub const P256_PKCS8: &[u8] = include_bytes!("../../tests/data/keys/p256.pkcs8.pem");
/// P-384 PKCS#8.
pub const P384_PKCS8: &[u8] = include_bytes!("../../tests/data/keys/p384.pkcs8.pem");
/// Ed25519 PKCS#8.
pub const ED25519_PKCS8: &[u8] = include_bytes!("../../tests/data/keys/ed25519.pkcs8.pem");
/// RSA-2048 PKCS#8.
pub const RSA2048_PKCS8: &[u8] = include_bytes!("../../tests/data/keys/rsa2048.pkcs8.pem");
/// P-521 PKCS#8 (ES512, aws-lc backend only).
pub const P521_PKCS8: &[u8] = include_bytes!("../../tests/data/keys/p521.pkcs8.pem");
/// secp256k1 PKCS#8 (ES256K, aws-lc backend only).
pub const SECP256K1_PKCS8: &[u8] = include_bytes!("../../tests/data/keys/secp256k1.pkcs8.pem");
/// The HS256 secret of the targets.
pub const HS256_SECRET: &[u8; 32] = b"tessera-fuzz-hs256-secret-32byte";
/// The HS512 secret of the targets.
pub const HS512_SECRET: &[u8; 64] =
    b"tessera-fuzz-hs512-secret-64-bytes-long-enough-for-sha512-output";

/// The test keys (private), built once.
pub fn keys() -> &'static TestKeys {
    static KEYS: OnceLock<TestKeys> = OnceLock::new();
    KEYS.get_or_init(|| TestKeys {
        hs256: Key::hmac(HS256_SECRET, Algorithm::HS256)
            .unwrap()
            .with_kid("hs"),
        hs512: Key::hmac(HS512_SECRET, Algorithm::HS512)
            .unwrap()
            .with_kid("hs512"),
        es256: Key::from_pem(P256_PKCS8, Some(Algorithm::ES256))
            .unwrap()
            .with_kid("es"),
        es384: Key::from_pem(P384_PKCS8, Some(Algorithm::ES384))
            .unwrap()
            .with_kid("es384"),
        eddsa: Key::from_pem(ED25519_PKCS8, Some(Algorithm::EdDSA))
            .unwrap()
            .with_kid("ed"),
        rs256: Key::from_pem(RSA2048_PKCS8, Some(Algorithm::RS256))
            .unwrap()
            .with_kid("rs"),
        ps256: Key::from_pem(RSA2048_PKCS8, Some(Algorithm::PS256))
            .unwrap()
            .with_kid("ps"),
        es512: Algorithm::ES512.is_supported().then(|| {
            Key::from_pem(P521_PKCS8, Some(Algorithm::ES512))
                .unwrap()
                .with_kid("es512")
        }),
        es256k: Algorithm::ES256K.is_supported().then(|| {
            Key::from_pem(SECP256K1_PKCS8, Some(Algorithm::ES256K))
                .unwrap()
                .with_kid("es256k")
        }),
    })
}

fn rng() -> &'static SystemRandom {
    static RNG: OnceLock<SystemRandom> = OnceLock::new();
    RNG.get_or_init(SystemRandom::new)
}

/// The verification keys the `verify` target chooses from: five single keys and one key set
/// (ES256, EdDSA, RS256, ES384, and with the aws-lc backend ES512 and ES256K: a set may not mix
/// HMAC and asymmetric keys).
const VERIFY_KEYS: usize = 6;
/// The verifier policies it chooses from.
const VERIFY_POLICIES: usize = 8;
/// The clocks it chooses from.
const CLOCKS: [i64; 5] = [NOW, 0, -1, i64::MAX, i64::MIN];

fn verification_keys(i: usize) -> tessera::jwt::VerificationKeys {
    let k = keys();
    let public = |key: &Key| key.public_key().unwrap();
    match i {
        0 => k.hs256.clone().into(),
        1 => public(&k.es256).into(),
        2 => public(&k.eddsa).into(),
        3 => public(&k.rs256).into(),
        4 => public(&k.ps256).into(),
        _ => KeySet::new(
            [&k.es256, &k.eddsa, &k.rs256, &k.es384]
                .into_iter()
                .chain(k.es512.iter())
                .chain(k.es256k.iter())
                .map(public)
                .collect(),
        )
        .unwrap()
        .into(),
    }
}

fn verifier(key: usize, policy: usize) -> Verifier {
    let b = Verifier::builder(verification_keys(key));
    let b = match policy {
        0 => b,
        1 => b.issuer("https://as.example").audience("api"),
        2 => b.typ("at+jwt").leeway(0),
        3 => b.critical("exp_ext").require("jti"),
        4 => b.leeway(MAX_LEEWAY).max_age(60).require_exp(false),
        5 => b.accept_any_audience().subject("user-1"),
        6 => b
            .algorithms(&[
                Algorithm::HS256,
                Algorithm::ES256,
                Algorithm::EdDSA,
                Algorithm::RS256,
                Algorithm::PS256,
            ])
            .limits(Limits {
                max_token_len: 1024,
                max_header_len: 128,
                max_claims: 8,
            }),
        _ => b
            .issuer("https://as.example")
            .audience("api")
            .subject("user-1")
            .typ("at+jwt")
            .require("scope"),
    };
    b.build().unwrap()
}

fn verifiers() -> &'static [Verifier] {
    static VERIFIERS: OnceLock<Vec<Verifier>> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        (0..VERIFY_POLICIES)
            .flat_map(|p| (0..VERIFY_KEYS).map(move |k| verifier(k, p)))
            .collect()
    })
}

/// What the fast path (`verify_with`) sees of the registered claims.
fn scanned(c: &jwt::Claims<'_>) -> RegisteredClaims {
    c.to_registered()
}

/// Verifies `token` on every path and checks they agree: `verify` (claims through
/// `serde_json`), `verify_with` (the stack-decoded fast scanner), `verify_jws` (signature only)
/// and `dangerous::decode_unverified`. Returns the verified claims, if any.
fn verify_all_paths(v: &Verifier, token: &[u8], now: i64) -> Option<Map<String, Value>> {
    let full = v.verify(token, now);
    let fast = v.verify_with(token, now, scanned);
    match (&full, &fast) {
        (Ok(verified), Ok(reg)) => {
            assert_eq!(
                verified.registered(),
                reg,
                "fast and full paths read differently"
            );
        }
        (Err(a), Err(b)) => {
            typed(a);
            assert_eq!(
                a.kind(),
                b.kind(),
                "fast and full paths disagree: {a:?} / {b:?}"
            );
        }
        _ => panic!("fast and full paths disagree: {full:?} / {fast:?}"),
    }
    let verified = full.ok()?;
    // The signature verified, so the JWS layer agrees and gives the same octets.
    let jws = v.verify_jws(token).unwrap();
    assert_eq!(jws.payload(), verified.payload());
    assert_eq!(jws.header(), verified.header());
    // The claims re-parse, strictly and with serde_json, to the same map.
    let claims = verified.claims().clone();
    assert_eq!(jwt::parse_json_object(verified.payload()).unwrap(), claims);
    let loose: Map<String, Value> = serde_json::from_slice(verified.payload()).unwrap();
    assert_eq!(loose, claims);
    assert_eq!(
        &RegisteredClaims::from_claims(&claims).unwrap(),
        verified.registered()
    );
    let unverified = dangerous::decode_unverified(token).unwrap();
    assert_eq!(unverified.claims, claims);
    assert_eq!(&unverified.header, verified.header());
    Some(claims)
}

// ---------------------------------------------------------------------------------------------
// JWT

/// `verify`: a compact token (the input after the first byte) verified with one of six key
/// choices (HS256, ES256, EdDSA, RS256, PS256, or an asymmetric key set selected by `kid`, which
/// with the aws-lc backend holds ES512 and ES256K keys too) under one of eight
/// policies (iss/aud, typ without leeway, crit + required claim, maximum leeway + max age, sub,
/// algorithm allow-list + small limits, everything), at one of five clocks — all derived from
/// the first byte. Asserts that the full and fast paths agree, that errors are typed, and that
/// a verified token's claims re-parse to the same values on every path.
pub fn verify(data: &[u8]) {
    let Some((sel, token)) = split_first(data) else {
        return;
    };
    let sel = usize::from(sel);
    let key = sel % VERIFY_KEYS;
    let policy = (sel / VERIFY_KEYS) % VERIFY_POLICIES;
    let now = CLOCKS[(sel / (VERIFY_KEYS * VERIFY_POLICIES)) % CLOCKS.len()];
    let v = &verifiers()[policy * VERIFY_KEYS + key];
    if let Some(claims) = verify_all_paths(v, token, now) {
        // A token that verifies must stop verifying when any byte of its signature changes.
        let mut forged = token.to_vec();
        let last = forged.len() - 1;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        if let Err(e) = v.verify(&forged, now) {
            typed(&e);
        } else {
            // Only the unused low bits of the last base64url character could change nothing,
            // and strict base64url rejects those: a forged token never verifies.
            panic!("a token with a changed signature verified: {claims:?}");
        }
    }
}

/// `header`: header and claims parsing. The input is read as a JSON object by
/// `jwt::parse_json_object` (compared with `serde_json`: strict parsing may refuse more, never
/// accept what serde refuses, and reads the same values), as a JOSE header by
/// `Header::from_json` (whose `to_json` must round-trip), as a claims set by
/// `RegisteredClaims::from_claims` and `ScopeSet::from_claims`, and, base64url-encoded into an
/// unsigned compact token, by `dangerous::decode_unverified`.
pub fn header(data: &[u8]) {
    let strict = ok(jwt::parse_json_object(data));
    let loose = serde_json::from_slice::<Value>(data);
    if let Some(map) = &strict {
        match &loose {
            Ok(Value::Object(m)) => assert_eq!(m, map, "strict and serde read different values"),
            other => panic!("strict parser accepted what serde_json refuses: {other:?}"),
        }
        if let Some(reg) = ok(RegisteredClaims::from_claims(map)) {
            // Re-serialising the claims reads back the same registered claims.
            let again = serde_json::to_vec(map).unwrap();
            let map2 = jwt::parse_json_object(&again).unwrap();
            assert_eq!(RegisteredClaims::from_claims(&map2).unwrap(), reg);
        }
        let _ = ok(ScopeSet::from_claims(map));
    }
    if let Some(h) = ok(Header::from_json(data)) {
        assert!(
            strict.is_some(),
            "a header parsed from text that is not a strict object"
        );
        let json = serde_json::to_vec(&h.to_json()).unwrap();
        let h2 = Header::from_json(&json).unwrap();
        assert_eq!(h2, h);
        assert_eq!(h2.to_json(), h.to_json());
    }
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut token = b64.encode(data);
    token.push('.');
    token.push_str(&b64.encode(data));
    token.push_str(".c2ln");
    if let Some(u) = ok(dangerous::decode_unverified(&token)) {
        let map = strict.expect("decode_unverified accepted a non-strict object");
        assert_eq!(u.claims, map);
    }
    // And the raw input taken as a compact token.
    if let Some(u) = ok(dangerous::decode_unverified(data)) {
        let json = serde_json::to_vec(&u.claims).unwrap();
        assert_eq!(jwt::parse_json_object(&json).unwrap(), u.claims);
    }
}

/// Hand-made protected headers for `header_paths`: every member the readers treat specially
/// (`b64`, `crit`, `zip`, `jwk`, `x5c`), in odd types, orders, spellings and duplicates. The
/// seed corpus and the root crate's differential proptest both start from these (the corpus
/// replay, which includes this file too, does not use them).
#[allow(dead_code)]
pub fn header_shapes() -> Vec<&'static str> {
    vec![
        r#"{"alg":"HS256"}"#,
        r#"{"alg":"ES256","typ":"at+jwt","kid":"k1"}"#,
        r#"{"kid":"k1","typ":"JWT","alg":"EdDSA"}"#,
        r#"{"alg":"HS256","b64":true}"#,
        r#"{"alg":"HS256","b64":false}"#,
        r#"{"alg":"HS256","b64":"false"}"#,
        r#"{"alg":"HS256","b64":null}"#,
        r#"{"alg":"HS256","b64":[false]}"#,
        r#"{"alg":"HS256","b64":{"x":false}}"#,
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
        r#"{"alg":"HS256","b64":true,"crit":["b64"]}"#,
        r#"{"alg":"HS256","b64":true,"b64":true}"#,
        r#"{"alg":"HS256","b\u0036\u0034":false}"#,
        r#"{"\u0061lg":"HS256","b64":true}"#,
        r#"{"alg":"HS256","crit":["exp-ext"],"exp-ext":1}"#,
        r#"{"alg":"HS256","crit":["exp-ext"]}"#,
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":"exp-ext","exp-ext":1}"#,
        r#"{"alg":"HS256","crit":["alg"]}"#,
        r#"{"alg":"HS256","crit":["x","x"],"x":1}"#,
        r#"{"alg":"HS256","crit":[1],"x":1}"#,
        r#"{"alg":"HS256","crit":["\u00e9"],"\u00e9":1}"#,
        r#"{"alg":"HS256","zip":"DEF"}"#,
        r#"{"alg":"HS256","zip":"DEF","crit":["zip"]}"#,
        r#"{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}"#,
        r#"{"alg":"ES256","jwk":{"kty":"EC","kty":"RSA"}}"#,
        r#"{"alg":"RS256","x5c":["MIIB","MIIC"]}"#,
        r#"{"alg":"RS256","x5c":"MIIB"}"#,
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","kid":"a","kid":"b"}"#,
        r#"{"alg":"HS256","typ":1}"#,
        r#"{"alg":"HS256","kid":null}"#,
        r#"{"alg":"HS256","cty":["JWT"]}"#,
        r#"{"alg":1}"#,
        r#"{"alg":"none"}"#,
        r#"{"alg":"ZZMARKERZZ"}"#,
        r#"{"typ":"JWT"}"#,
        r#"{"alg":"HS\u0032\u0035\u0036","k\u0069d":"k\"1"}"#,
        r#" { "alg" : "HS256" , "b64" : true } "#,
        r#"{"alg":"HS256","nested":{"a":{"b":[1,2,{"c":null}]}}}"#,
        r#"{"alg":"HS256","nested":{"a":1,"a":2}}"#,
        r#"{"alg":"HS256","n":1e400}"#,
        r#"{"alg":"HS256","n":-0}"#,
        r#"{"alg":"HS256",}"#,
        r#"["alg","HS256"]"#,
    ]
}

/// The `crit` extension names a `header_paths` input declares understood, by selector.
const UNDERSTOOD: [&[&str]; 4] = [
    &[],
    &["exp-ext"],
    &["b64", "zip", "exp-ext"],
    &["x", "y", "é"],
];

/// Target `header_paths` (differential): one protected header read through every path a
/// verifier can take: the fast reader (with the strict parser behind it where it gives up) and
/// the strict parser alone, each keeping extension members or not (`jwt::header_paths`).
/// The selector's low bits choose the understood `crit` names.
///
/// Asserts one verdict: all four reads succeed or fail with the same error kind; when they
/// succeed, the typed members (`alg`, `typ`, `cty`, `kid`, `crit`) are equal, the two reads that
/// keep extension members keep the same ones (`b64` among them), and the two that do not keep
/// none. Errors are typed.
pub fn header_paths(data: &[u8]) {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let understood: Vec<String> = UNDERSTOOD[usize::from(sel) % UNDERSTOOD.len()]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    check_header_paths(bytes, &understood);
}

/// The assertions of [`header_paths`], shared with the root crate's differential proptest.
pub fn check_header_paths(bytes: &[u8], understood: &[String]) {
    let [fast, strict, fast_kept, strict_kept] = jwt::header_paths(bytes, understood);
    let verdict = |r: &tessera::Result<Header>| r.as_ref().map(|_| ()).map_err(Error::kind);
    for (name, other) in [
        ("strict", &strict),
        ("fast, extensions kept", &fast_kept),
        ("strict, extensions kept", &strict_kept),
    ] {
        assert_eq!(
            verdict(&fast),
            verdict(other),
            "the fast path and the {name} path disagree on {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    match (fast, strict, fast_kept, strict_kept) {
        (Ok(a), Ok(b), Ok(c), Ok(d)) => {
            let typed = |h: &Header| {
                (
                    h.alg(),
                    h.typ_value().map(str::to_owned),
                    h.cty_value().map(str::to_owned),
                    h.kid_value().map(str::to_owned),
                    h.crit_values().to_vec(),
                )
            };
            for h in [&b, &c, &d] {
                assert_eq!(typed(&a), typed(h), "typed members differ");
            }
            assert!(a.extra_members().is_empty() && b.extra_members().is_empty());
            assert_eq!(
                c.extra_members(),
                d.extra_members(),
                "the fast path kept other extension members than the strict parser"
            );
            // What the strict parser keeps is every member but the typed ones.
            let all = jwt::parse_json_object(bytes).unwrap();
            let untyped = all
                .keys()
                .filter(|k| !["alg", "typ", "cty", "kid", "crit"].contains(&k.as_str()))
                .count();
            assert_eq!(d.extra_members().len(), untyped);
        }
        (Err(a), Err(b), Err(c), Err(d)) => {
            for e in [&a, &b, &c, &d] {
                typed(e);
            }
        }
        _ => unreachable!("verdicts were compared above"),
    }
}

/// The algorithm hints of the `jwk` and `key` targets: ES512 and ES256K are refused with ring
/// (`UnsupportedKey` or `KeyAlgorithmMismatch`, typed like every error) and bind P-521 and
/// secp256k1 keys with aws-lc.
const ALG_CHOICES: [Option<Algorithm>; 12] = [
    None,
    Some(Algorithm::ES256),
    Some(Algorithm::RS256),
    Some(Algorithm::EdDSA),
    Some(Algorithm::HS256),
    Some(Algorithm::PS384),
    Some(Algorithm::ES384),
    Some(Algorithm::Ed25519),
    Some(Algorithm::HS512),
    Some(Algorithm::RS512),
    Some(Algorithm::ES512),
    Some(Algorithm::ES256K),
];

/// Checks a loaded key: its public half exports to DER, PEM and a JWK that load back to a key
/// with the same algorithm, public DER and thumbprint; a private key's PKCS#8 and private JWK
/// load back too.
fn check_key(key: &Key) {
    assert!(key.alg().family() == key.family());
    if key.is_symmetric() {
        assert!(key.public_key().is_err());
        if let Some(jwk) = ok(key.private_jwk()) {
            let back = Key::from_jwk(jwk.as_bytes(), None).unwrap();
            assert_eq!(back.alg(), key.alg());
        }
        return;
    }
    let Some(public) = ok(key.public_key()) else {
        return;
    };
    assert!(!public.is_private());
    assert_eq!(public.alg(), key.alg());
    let der = public.public_key_der().unwrap();
    let from_der = Key::from_der(&der, Some(key.alg())).unwrap();
    assert_eq!(from_der.public_key_der().unwrap(), der);
    let pem = public.public_key_pem().unwrap();
    let from_pem = Key::from_pem(pem.as_bytes(), Some(key.alg())).unwrap();
    assert_eq!(from_pem.public_key_der().unwrap(), der);
    let thumb = public.thumbprint().unwrap();
    let jwk = public.public_jwk().unwrap();
    let jwk_text = serde_json::to_vec(&jwk).unwrap();
    let from_jwk = Key::from_jwk(&jwk_text, None).unwrap();
    assert_eq!(from_jwk.thumbprint().unwrap(), thumb);
    assert_eq!(from_jwk.public_key_der().unwrap(), der);
    if key.is_private() {
        if let Some(p8) = ok(key.private_key_der()) {
            let back = Key::from_der(&p8, Some(key.alg())).unwrap();
            assert!(back.is_private());
            assert_eq!(back.public_key_der().unwrap(), der);
        }
        if let Some(jwk) = ok(key.private_jwk()) {
            let back = Key::from_jwk(jwk.as_bytes(), Some(key.alg())).unwrap();
            assert_eq!(back.public_key_der().unwrap(), der);
        }
    }
}

/// `jwk`: the input after the first byte as a JWK (`Key::from_jwk`, with an algorithm hint
/// chosen by the first byte) and as a JWKS (`KeySet::from_jwks`, with default algorithms chosen
/// by the first byte). Asserts typed errors, the key round trips of `check_key`, and that a
/// loaded key set is non-empty and re-exports to a JWKS that loads the same keys.
pub fn jwk(data: &[u8]) {
    let Some((sel, doc)) = split_first(data) else {
        return;
    };
    let alg = ALG_CHOICES[usize::from(sel) % ALG_CHOICES.len()];
    if let Some(key) = ok(Key::from_jwk(doc, alg)) {
        if let Some(a) = alg {
            assert_eq!(key.alg(), a);
        }
        check_key(&key);
    }
    let defaults: &[Algorithm] = match (sel / 16) % 4 {
        0 => &[],
        1 => &[Algorithm::RS256, Algorithm::PS256],
        2 => &[Algorithm::ES256, Algorithm::HS256, Algorithm::ES256K],
        _ => &[
            Algorithm::EdDSA,
            Algorithm::RS512,
            Algorithm::ES384,
            Algorithm::ES512,
        ],
    };
    if let Some(set) = ok(KeySet::from_jwks(doc, defaults)) {
        assert!(!set.keys().is_empty());
        for key in set.keys() {
            assert!(!key.is_private() || key.is_symmetric() || key.public_key().is_ok());
        }
        let keys = set.keys();
        let shared_kid = keys
            .iter()
            .enumerate()
            .any(|(i, a)| a.kid().is_some() && keys[..i].iter().any(|b| b.kid() == a.kid()));
        match set.to_jwks() {
            Ok(jwks) => {
                // What the set writes, it loads again: the same keys, in order.
                assert!(!shared_kid);
                let again = KeySet::from_jwks(jwks.as_bytes(), defaults).unwrap();
                assert_eq!(again.keys().len(), keys.len());
                for (a, b) in again.keys().iter().zip(keys) {
                    assert_eq!(a.alg(), b.alg());
                    assert_eq!(a.kid(), b.kid());
                    assert_eq!(a.public_key_der().unwrap(), b.public_key_der().unwrap());
                }
            }
            Err(e) => {
                typed(&e);
                assert!(
                    (shared_kid && e.kind() == ErrorKind::AmbiguousKeySet)
                        || (keys[0].is_symmetric() && e.kind() == ErrorKind::NoPublicKey),
                    "{e:?}"
                );
            }
        }
    }
}

/// `key`: the input after the first byte through every key loader (`Key::from_pem`,
/// `Key::from_der`, `Key::hmac`) with an algorithm chosen by the first byte; a loaded key must
/// pass the round trips of `check_key`, and a key bound to an algorithm must report it.
pub fn key(data: &[u8]) {
    let Some((sel, bytes)) = split_first(data) else {
        return;
    };
    let alg = ALG_CHOICES[usize::from(sel) % ALG_CHOICES.len()];
    for loaded in [Key::from_pem(bytes, alg), Key::from_der(bytes, alg)] {
        if let Some(key) = ok(loaded) {
            if let Some(a) = alg {
                assert_eq!(key.alg(), a);
            }
            check_key(&key);
        }
    }
    if let Some(a) = alg {
        if let Some(key) = ok(Key::hmac(bytes, a)) {
            assert!(key.is_symmetric() && key.alg() == a);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scopes

fn implications(sel: u8) -> Implications {
    match sel % 4 {
        0 => Implications::none(),
        1 => Implications::none().wildcard_actions(),
        2 => Implications::none()
            .superscope("all")
            .unwrap()
            .rule("admin", "job:read")
            .unwrap(),
        _ => Implications::none()
            .wildcard_actions()
            .superscope("root")
            .unwrap()
            .rule("write", "read")
            .unwrap(),
    }
}

/// Parses a scope string and checks the round trip: serialising and parsing again gives the
/// same set and the same string; every element is a valid scope token on its own.
fn scope_round_trip(s: &str) -> Option<ScopeSet> {
    let set = ok(ScopeSet::parse(s))?;
    let out = set.to_scope_string();
    let again = ScopeSet::parse(&out).unwrap();
    assert_eq!(again, set);
    assert_eq!(again.to_scope_string(), out);
    assert_eq!(set.to_string(), out);
    for scope in &set {
        assert_eq!(Scope::new(scope.as_str()).unwrap(), *scope);
        assert!(set.contains(scope.as_str()));
    }
    let json = serde_json::to_string(&set).unwrap();
    assert_eq!(serde_json::from_str::<ScopeSet>(&json).unwrap(), set);
    assert_eq!(set.iter().count(), set.len());
    Some(set)
}

/// `scope`: two scope strings (split at the first NUL) and an implication table chosen by the
/// first byte. Asserts the round trip of each, that a set covers itself and its reduction (and
/// the reduction covers it), that `narrow` succeeds exactly when `covers` holds and returns a
/// covered set, that `check_covers` agrees with `covers` with a typed `ScopeNotGranted`-style
/// error, the union/intersection laws, and that the input read as a claims set gives a scope
/// set that round-trips.
pub fn scope(data: &[u8]) {
    let Some((sel, rest)) = split_first(data) else {
        return;
    };
    let imp = implications(sel);
    let [a, b] = parts::<2>(rest);
    let (Some(granted), Some(requested)) = (scope_round_trip(&text(a)), scope_round_trip(&text(b)))
    else {
        if let Some(map) = ok(jwt::parse_json_object(rest)) {
            if let Some(set) = ok(ScopeSet::from_claims(&map)) {
                let _ = scope_round_trip(&set.to_scope_string()).unwrap();
            }
        }
        return;
    };
    assert!(granted.covers(&granted, &imp));
    assert!(granted.covers(&ScopeSet::default(), &imp));
    let reduced = granted.reduce(&imp);
    assert!(reduced.len() <= granted.len());
    assert!(granted.covers(&reduced, &imp), "reduce added scopes");
    assert!(reduced.covers(&granted, &imp), "reduce lost scopes");
    let covers = granted.covers(&requested, &imp);
    match granted.check_covers(&requested, &imp) {
        Ok(()) => assert!(covers),
        Err(e) => {
            typed(&e);
            assert!(!covers);
        }
    }
    match granted.narrow(&requested, &imp) {
        Ok(narrowed) => {
            assert!(covers);
            assert!(granted.covers(&narrowed, &imp));
        }
        Err(e) => {
            typed(&e);
            assert!(!covers);
        }
    }
    let union = granted.union(&requested);
    let inter = granted.intersection(&requested);
    assert!(union.covers(&granted, &Implications::none()));
    assert!(union.covers(&requested, &Implications::none()));
    assert!(granted.covers(&inter, &Implications::none()));
    assert!(requested.covers(&inter, &Implications::none()));
    assert_eq!(union.len() + inter.len(), granted.len() + requested.len());
    assert_eq!(granted.union(&requested), requested.union(&granted));
    // Claims shapes: the set as a `scope` string, as an `scp` array.
    let mut claims = Map::new();
    let _ = claims.insert("scope".into(), Value::String(granted.to_scope_string()));
    if !granted.is_empty() {
        assert_eq!(ScopeSet::from_claims(&claims).unwrap(), granted);
    }
    let mut claims = Map::new();
    let _ = claims.insert("scp".into(), granted.to_claim_value());
    if let Some(set) = ok(ScopeSet::from_claims(&claims)) {
        assert_eq!(set, granted);
    }
}

/// `scope_roundtrip` (differential): parse → serialise → parse is stable, for the input as a
/// scope string and for a scope string assembled from the input's bytes with every kind of
/// separator; whatever parses serialises to a normal form (single spaces, sorted, no
/// duplicates) that parses to the same set.
pub fn scope_roundtrip(data: &[u8]) {
    let s = text(data);
    if let Some(set) = scope_round_trip(&s) {
        let out = set.to_scope_string();
        assert!(!out.contains("  ") && !out.starts_with(' ') && !out.ends_with(' '));
        let tokens: Vec<&str> = out.split(' ').filter(|t| !t.is_empty()).collect();
        assert_eq!(tokens.len(), set.len());
        let mut dedup = tokens.clone();
        dedup.dedup();
        assert_eq!(dedup, tokens, "serialised scope string repeats a token");
        // Reordering the tokens, and repeating them while the count stays within
        // `MAX_SCOPES` (which counts tokens as written, before duplicates are dropped), gives
        // the same set.
        let mut reversed = tokens.clone();
        reversed.reverse();
        if 2 * tokens.len() <= tessera::scope::MAX_SCOPES {
            reversed.extend(tokens.iter().copied());
        }
        assert_eq!(ScopeSet::parse(&reversed.join(" ")).unwrap(), set);
    }
    // Each whitespace-free piece of the input alone.
    for piece in s.split(|c: char| c.is_whitespace()).take(16) {
        if let Some(one) = ok(Scope::new(piece)) {
            let set = ScopeSet::parse(piece).unwrap();
            assert_eq!(set.len(), 1);
            assert_eq!(one.as_str(), piece);
            if let (Some(r), Some(a)) = (one.resource(), one.action()) {
                assert_eq!(format!("{r}:{a}"), piece);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Opaque tokens and PKCE

fn peppers() -> &'static (TokenFormat, Peppers, Pepper) {
    static P: OnceLock<(TokenFormat, Peppers, Pepper)> = OnceLock::new();
    P.get_or_init(|| {
        let old = Pepper::new("p1", &[1u8; 32]).unwrap();
        let current = Pepper::new("p2", &[2u8; 40]).unwrap();
        let peppers = Peppers::new(current).with_previous(old.clone()).unwrap();
        (TokenFormat::new("tsr").unwrap(), peppers, old)
    })
}

const KINDS: [Option<TokenKind>; 5] = [
    None,
    Some(TokenKind::AuthorizationCode),
    Some(TokenKind::RefreshToken),
    Some(TokenKind::ApiKey),
    Some(TokenKind::AccessToken),
];

/// `token`: opaque tokens and PKCE. The input after the first byte is checked as a token
/// (`TokenFormat::check` with an expected kind from the first byte, `check_and_lookup`), its
/// lookup hash must verify under the current and the previous pepper and not under the other
/// one, a lookup-hash text is parsed and must print back identically, a token made from the
/// input's first 32 bytes must pass the check, and the input split at a NUL is a PKCE verifier
/// and challenge (a valid verifier matches its own S256 challenge and plain form).
pub fn token(data: &[u8]) {
    let Some((sel, rest)) = split_first(data) else {
        return;
    };
    let (format, peppers, old) = peppers();
    let expected = KINDS[usize::from(sel) % KINDS.len()];
    let s = text(rest);
    if let Some(kind) = ok(format.check(&s, expected)) {
        assert!(expected.is_none_or(|e| e == kind));
        assert_eq!(s.len(), format.token_len());
        let lookup = peppers.check_and_lookup(format, &s, expected).unwrap();
        assert_eq!(lookup, peppers.lookup(&s));
    }
    // Lookup hashes of anything verify under their own pepper only.
    let current = peppers.lookup(&s);
    peppers.verify(&s, &current).unwrap();
    let previous = old.lookup(&s);
    peppers.verify(&s, &previous).unwrap();
    assert!(peppers.needs_rehash(&previous) && !peppers.needs_rehash(&current));
    let crossed = LookupHash::new(old.key_id(), *current.hash()).unwrap();
    typed(&peppers.verify(&s, &crossed).unwrap_err());
    let text_form = current.to_string();
    assert_eq!(text_form.parse::<LookupHash>().unwrap(), current);
    if let Some(parsed) = ok(s.parse::<LookupHash>()) {
        assert_eq!(parsed.to_string().parse::<LookupHash>().unwrap(), parsed);
        if let Err(e) = peppers.verify(&s, &parsed) {
            typed(&e);
        }
    }
    if rest.len() >= 32 {
        let random: [u8; 32] = rest[..32].try_into().unwrap();
        let kind = KINDS[1 + usize::from(sel) % 4].unwrap();
        let made = format.from_random_bytes(kind, &random);
        assert_eq!(format.check(made.as_str(), Some(kind)).unwrap(), kind);
        assert_eq!(made.kind(), kind);
    }
    // PKCE.
    let [verifier, challenge] = parts::<2>(rest);
    let (verifier, challenge) = (text(verifier), text(challenge));
    let policy = if sel & 0x80 != 0 {
        PkcePolicy::new().allowing_plain()
    } else {
        PkcePolicy::new()
    };
    for method in [ChallengeMethod::S256, ChallengeMethod::Plain] {
        let _ = ok(pkce::validate_challenge(&challenge, method, &policy));
        let _ = ok(pkce::verify(&verifier, &challenge, method, &policy));
    }
    if let Some(v) = ok(CodeVerifier::new(&verifier)) {
        let c = v.challenge_s256();
        pkce::verify(&verifier, &c, ChallengeMethod::S256, &policy).unwrap();
        let plain = pkce::verify(&verifier, &verifier, ChallengeMethod::Plain, &policy);
        assert_eq!(plain.is_ok(), policy.allow_plain);
    }
}

// ---------------------------------------------------------------------------------------------
// Wire formats

/// `wire`: form bodies and `Authorization` headers. The input after the first byte is split at
/// NULs into a header and a body. The body is parsed as a form (whose pairs re-encode and
/// re-parse to the same form) and read as an authorize, token, revocation and introspection
/// request (a token request must re-serialise through serde to itself); the header is read as
/// Bearer and Basic credentials and, with the form, as client authentication; the header is
/// also read as a redirect URI, which must match itself.
pub fn wire(data: &[u8]) {
    let Some((sel, rest)) = split_first(data) else {
        return;
    };
    let [header, body] = parts::<2>(rest);
    let header = text(header);
    let body = if sel & 1 == 0 { body } else { rest };
    if let Some(form) = ok(Form::parse(body)) {
        let pairs: Vec<(&str, &str)> = form.iter().collect();
        assert_eq!(pairs.len(), form.len());
        let encoded = wire::encode_form(&pairs);
        let again = Form::parse(encoded.as_bytes()).unwrap();
        assert_eq!(again.iter().collect::<Vec<_>>(), pairs);
        for (name, value) in &pairs {
            assert_eq!(form.get(name), Some(*value));
        }
        let _ = ok(AuthorizeRequest::from_form(&form));
        if let Some(req) = ok(TokenRequest::from_form(&form)) {
            let json = serde_json::to_string(&req).unwrap();
            assert_eq!(serde_json::from_str::<TokenRequest>(&json).unwrap(), req);
            assert!(matches!(
                req.grant_type(),
                "authorization_code" | "refresh_token" | "client_credentials"
            ));
        }
        if let Some(req) = ok(RevocationRequest::from_form(&form)) {
            assert!(!req.token.is_empty());
        }
        let _ = ok(IntrospectionRequest::from_form(&form));
        let auth_header = (sel & 2 == 0).then_some(header.as_str());
        if let Some(auth) = ok(wire::client_auth(auth_header, &form)) {
            assert!(!auth.client_id().is_empty());
        }
    }
    if let Some(Some(tok)) = ok(wire::bearer_token(Some(&header))) {
        assert!(!tok.is_empty() && header.contains(tok));
    }
    assert!(matches!(wire::bearer_token(None), Ok(None)));
    let _ = ok(wire::basic_credentials(&header));
    if let Some(uri) = ok(wire::parse_redirect_uri(&header)) {
        assert!(!uri.scheme().is_empty());
        let _ = uri.is_loopback();
        assert!(wire::redirect_uri_matches(&header, &header) || uri.is_loopback());
    }
    let _ = wire::redirect_uri_matches(&header, &text(body));
    let _ = wire::scope_if_different(&header, Some(&text(body)));
}

// ---------------------------------------------------------------------------------------------
// Grants

/// The grant fixtures: an issuer (ES256 key from `tests/data/keys`, two peppers) and three
/// clients (public, confidential with a secret, confidential service).
pub struct GrantFixture {
    /// The issuer.
    pub issuer: Issuer,
    /// `app` (public), `web` (confidential, secret `web-secret`), `svc` (client credentials).
    pub clients: [Client; 3],
    /// A verifier for the issuer's access tokens.
    pub verifier: Verifier,
}

/// The client secret of `web` and `svc`.
pub const CLIENT_SECRET: &str = "client-secret-of-the-fuzz-fixture";

/// The grant fixtures, built once.
pub fn grant_fixture() -> &'static GrantFixture {
    static F: OnceLock<GrantFixture> = OnceLock::new();
    F.get_or_init(|| {
        let policy = Policy::from_json(
            r#"{"issuer":"https://as.example","audiences":["api"],"refresh_reuse_grace_seconds":5,
                "implications":{"wildcard_actions":true,"superscopes":["all"]}}"#,
        )
        .or_else(|_| Policy::from_json(r#"{"issuer":"https://as.example","audiences":["api"]}"#))
        .unwrap();
        let peppers = Peppers::new(Pepper::new("p2", &[2u8; 32]).unwrap())
            .with_previous(Pepper::new("p1", &[1u8; 32]).unwrap())
            .unwrap();
        let key = keys().es256.clone();
        let verifier = Verifier::builder(key.public_key().unwrap())
            .issuer("https://as.example")
            .audience("api")
            .typ("at+jwt")
            .build()
            .unwrap();
        let issuer = Issuer::new(policy, key, peppers).unwrap();
        let secret_hash = Some(issuer.peppers().lookup(CLIENT_SECRET));
        let scope = |s: &str| ScopeSet::parse(s).unwrap();
        let app = Client {
            client_id: "app".into(),
            kind: ClientKind::Public,
            redirect_uris: vec![
                "https://app.example/cb".into(),
                "http://127.0.0.1/cb".into(),
            ],
            allowed_scope: scope("read write job:read job:write"),
            default_scope: None,
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            secret_hash: None,
            dpop_bound_access_tokens: false,
        };
        let web = Client {
            client_id: "web".into(),
            kind: ClientKind::Confidential,
            redirect_uris: vec!["https://web.example/cb".into()],
            allowed_scope: scope("read write all"),
            default_scope: Some(scope("read")),
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            secret_hash: secret_hash.clone(),
            dpop_bound_access_tokens: false,
        };
        let svc = Client {
            client_id: "svc".into(),
            kind: ClientKind::Confidential,
            redirect_uris: vec![],
            allowed_scope: scope("job:* read"),
            default_scope: Some(scope("read")),
            grant_types: vec![GrantType::ClientCredentials],
            secret_hash,
            dpop_bound_access_tokens: false,
        };
        GrantFixture {
            issuer,
            clients: [app, web, svc],
            verifier,
        }
    })
}

/// A state that crosses the host as JSON must read back to itself.
fn state_round_trip(state: &GrantState) {
    let json = state.to_json();
    let back = GrantState::from_json(&json).unwrap();
    assert_eq!(&back, state);
    assert_eq!(back.to_json(), json);
}

/// A new state round-trips, and its version follows the loaded one.
fn check_state(state: &GrantState, previous: Option<&GrantState>) {
    state_round_trip(state);
    match previous {
        Some(p) if p.family_id() == state.family_id() => {
            assert_eq!(state.version(), p.version() + 1, "version must step by one");
            assert!(
                p.is_active() || !state.is_active(),
                "a revoked family came back"
            );
        }
        _ => assert_eq!(state.version(), 1, "a new family starts at version 1"),
    }
}

fn check_outcome<T>(out: &Outcome<T>, previous: Option<&GrantState>) {
    if let Err(e) = &out.result {
        typed(e);
    }
    if let Some(state) = &out.state {
        check_state(state, previous);
    }
}

fn check_tokens(f: &GrantFixture, tokens: &tessera::grant::Tokens, now: i64) {
    let verified = f.verifier.verify(&tokens.access_token, now).unwrap();
    assert_eq!(
        verified.registered().jti.as_deref(),
        Some(tokens.jti.as_str())
    );
    assert_eq!(verified.registered().exp, Some(tokens.expires_at));
    let locator = f.issuer.locate(&tokens.access_token, now).unwrap();
    assert!(matches!(locator, Locator::Family { jti, .. } if jti == tokens.jti));
    if let Some(rt) = &tokens.refresh_token {
        let locator = f.issuer.locate(rt, now).unwrap();
        assert!(matches!(
            locator,
            Locator::Lookup {
                kind: TokenKind::RefreshToken,
                ..
            }
        ));
    }
    let _ = tokens.to_response().to_json();
}

fn check_authorize_outcome(out: &AuthorizeOutcome) -> Option<(String, GrantState)> {
    match out {
        AuthorizeOutcome::Fatal(e) => {
            typed(e);
            None
        }
        AuthorizeOutcome::Rejected { error, redirect } => {
            typed(error);
            assert!(redirect.location.starts_with(&redirect.redirect_uri));
            assert!(redirect.param("error").is_some());
            None
        }
        AuthorizeOutcome::Granted {
            redirect, state, ..
        } => {
            check_state(state, None);
            assert!(redirect.location.starts_with(&redirect.redirect_uri));
            redirect.param("code").map(|code| (code, (**state).clone()))
        }
    }
}

/// `grant`: every grant function. The first byte selects the function (and the client), the
/// rest is split at NULs into a state (JSON) or query, a request (form body or JSON), and a
/// third argument (subject, token, secret). Asserts typed errors, that any new state
/// round-trips through JSON with its version one above the loaded one (1 for a new family) and
/// never reactivates a revoked family, and that issued access tokens verify and locate their
/// family. Selector 13 runs a scenario instead: authorize with the input's query, then a
/// sequence of token-endpoint operations (redeem, replay, refresh, reuse, revoke, introspect)
/// chosen by the input's bytes, with the real code and refresh tokens.
pub fn grant(data: &[u8]) {
    let Some((sel, rest)) = split_first(data) else {
        return;
    };
    let f = grant_fixture();
    let issuer = &f.issuer;
    let op = sel % 14;
    let client = match (sel / 14) % 4 {
        3 => None,
        i => Some(&f.clients[usize::from(i)]),
    };
    let [a, b, c] = parts::<3>(rest);
    let (a_text, b_text, c_text) = (text(a), text(b), text(c));
    let state = || ok(GrantState::from_json(&a_text));
    let authenticated = |cl: Option<&'static Client>| {
        let cl = cl?;
        let secret = (cl.kind == ClientKind::Confidential).then_some(CLIENT_SECRET);
        Some(
            issuer
                .authenticate(Some(cl), &cl.client_id, secret)
                .unwrap(),
        )
    };
    let authorize_request =
        || ok(Form::parse(a)).and_then(|form| ok(AuthorizeRequest::from_form(&form)));
    match op {
        0 => {
            if let Some(req) = authorize_request() {
                match issuer.check_authorize(client, &req) {
                    Ok(scope) => {
                        let _ = scope_round_trip(&scope.to_scope_string()).unwrap();
                    }
                    Err(out) => {
                        assert!(!matches!(out, AuthorizeOutcome::Granted { .. }));
                        let _ = check_authorize_outcome(&out);
                    }
                }
            }
        }
        1 => {
            if let Some(req) = authorize_request() {
                let checked = issuer.check_authorize(client, &req).is_ok();
                let out = issuer.authorize(client, &req, &b_text, NOW, rng());
                let granted = check_authorize_outcome(&out);
                if granted.is_some() {
                    assert!(checked, "authorize granted what check_authorize refused");
                }
            }
        }
        2 => {
            if let Some(req) = authorize_request() {
                let out = issuer.deny(client, &req);
                assert!(!matches!(out, AuthorizeOutcome::Granted { .. }));
                let _ = check_authorize_outcome(&out);
            }
        }
        3 | 4 => {
            let Some(auth) = authenticated(client) else {
                return;
            };
            let request = if op == 3 {
                ok(Form::parse(b)).and_then(|form| ok(TokenRequest::from_form(&form)))
            } else {
                serde_json::from_slice::<TokenRequest>(b).ok()
            };
            let Some(request) = request else { return };
            let loaded = state();
            let out = issuer.token(&auth, loaded.as_ref(), &request, None, NOW, rng());
            check_outcome(&out, loaded.as_ref());
            if let Ok(tokens) = &out.result {
                check_tokens(f, tokens, NOW);
            }
        }
        5 => {
            let Some(auth) = authenticated(client) else {
                return;
            };
            let loaded = state();
            let out = issuer.revoke(&auth, loaded.as_ref(), &b_text, NOW);
            check_outcome(&out, loaded.as_ref());
        }
        6 => {
            if let Some(loaded) = state() {
                let out = issuer.revoke_family(&loaded, NOW);
                check_outcome(&out, Some(&loaded));
                if let Some(s) = &out.state {
                    assert!(!s.is_active());
                }
            }
        }
        7 => {
            let loaded = state();
            let intro = issuer.introspect(loaded.as_ref(), &b_text, NOW);
            let json = intro.to_json();
            let v: Value = serde_json::from_str(&json).unwrap();
            assert_eq!(v["active"], Value::Bool(intro.active));
            if loaded.is_none() {
                assert!(!intro.active);
            }
        }
        8 => {
            let (Some(parent), Some(requested)) =
                (ok(ScopeSet::parse(&a_text)), ok(ScopeSet::parse(&b_text)))
            else {
                return;
            };
            if let Some(t) =
                ok(issuer.issue_engine_token(&parent, &requested, &c_text, "engine", NOW, rng()))
            {
                assert!(parent.covers(&t.scope, issuer.policy().implications()));
                let claims = dangerous::decode_unverified(&t.token).unwrap().claims;
                assert_eq!(claims["sub"], Value::String(c_text.clone()));
            }
        }
        9 => {
            if let Some(Locator::Lookup { kind, .. }) = ok(issuer.locate(&a_text, NOW)) {
                assert!(matches!(
                    kind,
                    TokenKind::AuthorizationCode | TokenKind::RefreshToken
                ));
            }
        }
        10 => {
            let secret = (!b.is_empty()).then_some(b_text.as_str());
            if let Some(auth) = ok(issuer.authenticate(client, &a_text, secret)) {
                let cl = client.unwrap();
                assert_eq!(auth.client_id(), a_text);
                assert_eq!(cl.client_id, a_text);
            }
            let _ = ok(tessera::grant::authenticate_client(
                client,
                &a_text,
                secret,
                issuer.peppers(),
            ));
        }
        11 => {
            if let Some(s) = state() {
                state_round_trip(&s);
                let _ = s.purge_at();
            }
        }
        12 => {
            if let Some(policy) = ok(Policy::from_json(&a_text)) {
                let json = policy.to_json();
                let again = Policy::from_json(&json).unwrap();
                assert_eq!(again.to_json(), json);
                let _ = ok(Issuer::new(
                    policy,
                    keys().es256.clone(),
                    issuer.peppers().clone(),
                ));
            }
            if let Some(cl) = ok(Client::from_json(&b_text)) {
                let json = cl.to_json();
                assert_eq!(Client::from_json(&json).unwrap().to_json(), json);
            }
        }
        _ => scenario(f, client, a, b),
    }
}

/// Authorizes with `query`, then runs the operations named by `script` with the real tokens.
fn scenario(f: &GrantFixture, client: Option<&'static Client>, query: &[u8], script: &[u8]) {
    let issuer = &f.issuer;
    let client = client.unwrap_or(&f.clients[0]);
    let verifier = CodeVerifier::new("dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    // The query is the input's, with PKCE added for the public client unless it sent its own.
    let mut q = text(query);
    if !q.contains("code_challenge") && client.kind == ClientKind::Public {
        q.push_str("&code_challenge=");
        q.push_str(&verifier.challenge_s256());
        q.push_str("&code_challenge_method=S256");
    }
    let Some(req) =
        ok(Form::parse(q.as_bytes())).and_then(|form| ok(AuthorizeRequest::from_form(&form)))
    else {
        return;
    };
    let out = issuer.authorize(Some(client), &req, "user-1", NOW, rng());
    let Some((code, mut state)) = check_authorize_outcome(&out) else {
        return;
    };
    let secret = (client.kind == ClientKind::Confidential).then_some(CLIENT_SECRET);
    let auth = issuer
        .authenticate(Some(client), &client.client_id, secret)
        .unwrap();
    let mut now = NOW;
    let mut refresh: Vec<String> = Vec::new();
    let mut access: Vec<String> = Vec::new();
    for &step in script.iter().take(16) {
        now += i64::from(step >> 4) * 7;
        let request = match step % 8 {
            0 | 1 => TokenRequest::AuthorizationCode {
                code: code.clone(),
                redirect_uri: req.redirect_uri.clone(),
                code_verifier: (step % 8 == 0 || req.code_challenge.is_some())
                    .then(|| verifier.as_str().to_owned()),
                client_id: None,
            },
            2 | 3 => {
                let Some(rt) = (if step % 8 == 2 {
                    refresh.last()
                } else {
                    refresh.first()
                }) else {
                    continue;
                };
                TokenRequest::RefreshToken {
                    refresh_token: rt.clone(),
                    scope: (step & 0x10 != 0).then(|| "read".to_owned()),
                }
            }
            4 => {
                let token = refresh
                    .last()
                    .or(access.last())
                    .cloned()
                    .unwrap_or_default();
                let out = issuer.revoke(&auth, Some(&state), &token, now);
                check_outcome(&out, Some(&state));
                if let Some(s) = out.state {
                    state = s;
                }
                continue;
            }
            5 => {
                for token in refresh.iter().chain(&access).chain([&code]) {
                    let intro = issuer.introspect(Some(&state), token, now);
                    if intro.active {
                        assert!(state.is_active());
                    }
                }
                continue;
            }
            6 => {
                let out = issuer.revoke_family(&state, now);
                check_outcome(&out, Some(&state));
                if let Some(s) = out.state {
                    state = s;
                }
                continue;
            }
            _ => {
                for token in refresh.iter().chain(&access) {
                    let _ = ok(issuer.locate(token, now));
                }
                continue;
            }
        };
        let out = issuer.token(&auth, Some(&state), &request, None, now, rng());
        check_outcome(&out, Some(&state));
        let was_active = state.is_active();
        if let Some(s) = out.state {
            state = s;
        }
        if let Ok(tokens) = out.result {
            assert!(
                was_active && state.is_active(),
                "tokens from a revoked family"
            );
            check_tokens(f, &tokens, now);
            access.push(tokens.access_token);
            if let Some(rt) = tokens.refresh_token {
                refresh.push(rt);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The C ABI

const PANIC: u32 = 3;
const BUFFER_TOO_SMALL: u32 = 2;
const NULL_POINTER: u32 = 4;

/// The lengths the ABI target passes for an input of `n` bytes: every length up to 64, then
/// a spread including the boundaries (never past the buffer).
fn lengths(n: usize) -> Vec<usize> {
    if n <= 64 {
        (0..=n).collect()
    } else {
        let mut v: Vec<usize> = (0..=8).chain((1..8).map(|i| n * i / 8)).collect();
        v.extend([n - 2, n - 1, n]);
        v.sort_unstable();
        v.dedup();
        v
    }
}

fn code_of<T>(r: &tessera::Result<T>) -> u32 {
    r.as_ref().map_or_else(Error::code, |_| 0)
}

type Loader = unsafe extern "C" fn(
    *const u8,
    usize,
    *const c_char,
    *mut *mut ffi::tessera_key,
) -> ffi::TesseraResult;

/// Calls a key loader of the ABI with `bytes` and checks it against the Rust loader: the same
/// code, a non-NULL handle exactly on success (freed here), and with a NULL `out` the Rust
/// error or `NULL_POINTER`.
fn abi_key_loader(
    loader: Loader,
    rust: impl Fn(&[u8]) -> tessera::Result<Key>,
    bytes: &[u8],
    alg: Option<&CStr>,
) {
    let alg_ptr = alg.map_or(std::ptr::null(), CStr::as_ptr);
    let expected = code_of(&rust(bytes));
    let mut out: *mut ffi::tessera_key = std::ptr::null_mut();
    // SAFETY: `bytes` is a live slice of `bytes.len()` bytes; `alg_ptr` is NULL or a C string.
    let code = unsafe { loader(bytes.as_ptr(), bytes.len(), alg_ptr, &mut out) }.0;
    assert_ne!(code, PANIC);
    assert_eq!(code, expected, "ABI and Rust loaders disagree");
    assert_eq!(code == 0, !out.is_null());
    // SAFETY: `out` is NULL or a handle this call created.
    unsafe { ffi::tessera_key_free(out) };
    // SAFETY: as above, with a NULL output pointer.
    let code = unsafe { loader(bytes.as_ptr(), bytes.len(), alg_ptr, std::ptr::null_mut()) }.0;
    assert_eq!(
        code,
        if expected == 0 {
            NULL_POINTER
        } else {
            expected
        }
    );
}

struct AbiVerifier {
    ptr: *mut ffi::tessera_verifier,
    rust: Verifier,
}
// SAFETY: verifier handles are immutable and thread-safe (ABI convention 7).
unsafe impl Send for AbiVerifier {}
// SAFETY: as above.
unsafe impl Sync for AbiVerifier {}

/// ABI verifiers (HS256 key, ES256 key, a key set) with the default policy, and the Rust
/// verifiers with the same keys and policy.
fn abi_verifiers() -> &'static [AbiVerifier] {
    static V: OnceLock<Vec<AbiVerifier>> = OnceLock::new();
    V.get_or_init(|| {
        let mut builder = std::ptr::null_mut();
        // SAFETY: valid out pointer.
        assert_eq!(
            unsafe { ffi::tessera_verifier_builder_new(&mut builder) }.0,
            0
        );
        let mut out = Vec::new();
        let mut hs = std::ptr::null_mut();
        // SAFETY: a live secret, a C string, a valid out pointer.
        let code = unsafe {
            ffi::tessera_key_hmac(
                HS256_SECRET.as_ptr(),
                HS256_SECRET.len(),
                c"HS256".as_ptr(),
                &mut hs,
            )
        };
        assert_eq!(code.0, 0);
        let mut es = std::ptr::null_mut();
        // SAFETY: as above.
        let code = unsafe {
            ffi::tessera_key_from_pem(
                P256_PKCS8.as_ptr(),
                P256_PKCS8.len(),
                c"ES256".as_ptr(),
                &mut es,
            )
        };
        assert_eq!(code.0, 0);
        for (handle, rust) in [
            (hs, Key::hmac(HS256_SECRET, Algorithm::HS256).unwrap()),
            (
                es,
                Key::from_pem(P256_PKCS8, Some(Algorithm::ES256)).unwrap(),
            ),
        ] {
            let mut v = std::ptr::null_mut();
            // SAFETY: live handles and a valid out pointer.
            assert_eq!(
                unsafe { ffi::tessera_verifier_new_with_key(builder, handle, &mut v) }.0,
                0
            );
            out.push(AbiVerifier {
                ptr: v,
                rust: Verifier::new(rust),
            });
            // SAFETY: the verifier shares the key; the handle is ours to free.
            unsafe { ffi::tessera_key_free(handle) };
        }
        let k = keys();
        let jwks = jwt::jwks(&[k.es256.public_key().unwrap(), k.eddsa.public_key().unwrap()]);
        let jwks = jwks.unwrap();
        let mut set = std::ptr::null_mut();
        // SAFETY: a live buffer, NULL default algorithms, a valid out pointer.
        let code = unsafe {
            ffi::tessera_keyset_from_jwks(jwks.as_ptr(), jwks.len(), std::ptr::null(), &mut set)
        };
        assert_eq!(code.0, 0);
        let mut v = std::ptr::null_mut();
        // SAFETY: live handles and a valid out pointer.
        assert_eq!(
            unsafe { ffi::tessera_verifier_new_with_keyset(builder, set, &mut v) }.0,
            0
        );
        let rust = KeySet::from_jwks(jwks.as_bytes(), &[]).unwrap();
        out.push(AbiVerifier {
            ptr: v,
            rust: Verifier::new(rust),
        });
        // SAFETY: ours to free; the verifier keeps what it needs.
        unsafe {
            ffi::tessera_keyset_free(set);
            ffi::tessera_verifier_builder_free(builder);
        }
        out
    })
}

/// An output buffer as the C ABI takes it: NULL when it has no room (capacity 0).
fn out_ptr(buf: &mut [u8]) -> *mut u8 {
    if buf.is_empty() {
        std::ptr::null_mut()
    } else {
        buf.as_mut_ptr()
    }
}

/// Calls `tessera_verify` (then `tessera_verify_result` and `tessera_verify_explain`) on
/// `token` with output buffers of several sizes and checks it against the Rust verifier: the same code; on success claims that parse as a JSON object
/// and a length within the buffer; `BUFFER_TOO_SMALL` (with the needed size, which then
/// succeeds) exactly when the token is valid and the buffer short.
fn abi_verify(v: &AbiVerifier, token: &[u8], now: i64) {
    let rust = v.rust.verify(token, now);
    let expected = code_of(&rust);
    let ptr = if token.is_empty() {
        std::ptr::null()
    } else {
        token.as_ptr()
    };
    let needed = rust.as_ref().map_or(0, |ok| ok.payload().len());
    for cap in [0usize, 1, needed.saturating_sub(1), needed, 4096] {
        let mut buf = vec![0u8; cap];
        let out_ptr = out_ptr(&mut buf);
        let mut out_len = usize::MAX;
        // SAFETY: a live verifier, `token_len` readable bytes at `ptr` (or NULL with 0), `cap`
        // writable bytes at `out_ptr` (or NULL with 0), a valid length pointer.
        let code = unsafe {
            ffi::tessera_verify(v.ptr, ptr, token.len(), now, out_ptr, cap, &mut out_len)
        }
        .0;
        assert_ne!(code, PANIC);
        if expected != 0 {
            assert_eq!(code, expected, "ABI and Rust verify disagree");
            assert_eq!(out_len, usize::MAX, "an output was written on failure");
        } else if cap < needed {
            assert_eq!(code, BUFFER_TOO_SMALL);
            assert_eq!(out_len, needed);
        } else {
            assert_eq!(code, 0);
            assert_eq!(out_len, needed);
            assert_eq!(&buf[..out_len], rust.as_ref().unwrap().payload());
            let _ = jwt::parse_json_object(&buf[..out_len]).unwrap();
        }
    }
    // SAFETY: as above, without output.
    let code = unsafe { ffi::tessera_verify_result(v.ptr, ptr, token.len(), now) }.0;
    assert_eq!(code, expected);
    // `tessera_verify_explain`: the same code, and the Rust error's detail (or its kind's
    // description when it has none), cut at a character boundary to the buffer.
    let detail = match &rust {
        Ok(_) => String::new(),
        Err(e) if e.detail().is_empty() => e.kind().description().to_owned(),
        Err(e) => e.detail().to_owned(),
    };
    for cap in [0usize, 1, 7, detail.len(), 256] {
        let mut buf = vec![0u8; cap];
        let out_ptr = out_ptr(&mut buf);
        let mut out_len = usize::MAX;
        // SAFETY: as above; `cap` writable bytes at `out_ptr` (or NULL with 0).
        let code = unsafe {
            ffi::tessera_verify_explain(v.ptr, ptr, token.len(), now, out_ptr, cap, &mut out_len)
        }
        .0;
        assert_eq!(code, expected, "explain and Rust verify disagree");
        assert_eq!(out_len, detail.len());
        let written = (0..=cap.min(detail.len()))
            .rev()
            .find(|&i| detail.is_char_boundary(i))
            .unwrap_or(0);
        assert_eq!(&buf[..written], &detail.as_bytes()[..written]);
    }
}

/// The algorithm arguments of the `ffi` target (ES512 and ES256K: `UnsupportedAlgorithm` with
/// ring, from the ABI and the Rust API alike).
const ABI_ALGS: [Option<&CStr>; 9] = [
    None,
    Some(c"ES256"),
    Some(c"RS256"),
    Some(c"EdDSA"),
    Some(c"HS256"),
    Some(c"PS512"),
    Some(c"ES384"),
    Some(c"ES512"),
    Some(c"ES256K"),
];

/// `ffi`: the C ABI itself. The first byte selects a function (`tessera_verify` with one of
/// three verifiers, `tessera_key_from_pem`, `_from_der`, `_from_jwk`, `tessera_key_hmac`,
/// `tessera_keyset_from_jwks`) and an algorithm argument; the function is called with the rest
/// of the input at every length from 0 up to its length (a spread of lengths for long inputs,
/// never past the buffer), with NULL and length 0, and with too-small output buffers. Asserts
/// that no call panics, that each returns exactly the code of the Rust function it wraps, that
/// outputs are written only on success, and frees every handle.
pub fn ffi(data: &[u8]) {
    let Some((sel, rest)) = split_first(data) else {
        return;
    };
    let alg = ABI_ALGS[usize::from(sel / 8) % ABI_ALGS.len()];
    // The name as the Rust API reads it: an algorithm the backend lacks is its error.
    let rust_alg = alg
        .map(|a| a.to_str().unwrap().parse::<Algorithm>())
        .transpose();
    let mut inputs: Vec<&[u8]> = lengths(rest.len())
        .into_iter()
        .map(|n| &rest[..n])
        .collect();
    inputs.push(&[]);
    for input in inputs {
        match sel % 8 {
            0..=2 => {
                let v = &abi_verifiers()[usize::from(sel % 8)];
                abi_verify(v, input, NOW);
            }
            3 => abi_key_loader(
                ffi::tessera_key_from_pem,
                |b| Key::from_pem(b, rust_alg.clone()?),
                input,
                alg,
            ),
            4 => abi_key_loader(
                ffi::tessera_key_from_der,
                |b| Key::from_der(b, rust_alg.clone()?),
                input,
                alg,
            ),
            5 => abi_key_loader(
                ffi::tessera_key_from_jwk,
                |b| Key::from_jwk(b, rust_alg.clone()?),
                input,
                alg,
            ),
            6 => {
                let (c_alg, r_alg) = match sel / 8 % 3 {
                    0 => (c"HS256", Algorithm::HS256),
                    1 => (c"HS384", Algorithm::HS384),
                    _ => (c"HS512", Algorithm::HS512),
                };
                abi_key_loader(
                    ffi::tessera_key_hmac,
                    |b| Key::hmac(b, r_alg),
                    input,
                    Some(c_alg),
                );
            }
            _ => {
                let (c_algs, r_algs): (Option<&CStr>, &[Algorithm]) = match sel / 8 % 3 {
                    0 => (None, &[]),
                    1 => (Some(c"RS256,PS256"), &[Algorithm::RS256, Algorithm::PS256]),
                    _ => (Some(c"ES256"), &[Algorithm::ES256]),
                };
                let expected = code_of(&KeySet::from_jwks(input, r_algs));
                let mut out = std::ptr::null_mut();
                let p = if input.is_empty() {
                    std::ptr::null()
                } else {
                    input.as_ptr()
                };
                // SAFETY: `input.len()` readable bytes at `p` (or NULL with 0), a C string or
                // NULL, a valid out pointer.
                let code = unsafe {
                    ffi::tessera_keyset_from_jwks(
                        p,
                        input.len(),
                        c_algs.map_or(std::ptr::null(), CStr::as_ptr),
                        &mut out,
                    )
                }
                .0;
                assert_ne!(code, PANIC);
                assert_eq!(code, expected);
                assert_eq!(code == 0, !out.is_null());
                // SAFETY: NULL or a handle this call created.
                unsafe { ffi::tessera_keyset_free(out) };
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Differential: sign, then verify

/// Builds a claims object from arbitrary bytes: the input itself when it is a strict JSON
/// object, otherwise members `c0`, `c1`, ... holding the input's NUL-separated pieces as
/// strings, numbers, booleans, arrays or nested objects (chosen by each piece's first byte).
fn claims_from(data: &[u8]) -> Map<String, Value> {
    if let Ok(map) = jwt::parse_json_object(data) {
        return map;
    }
    let mut map = Map::new();
    for (i, piece) in data.split(|&b| b == 0).take(32).enumerate() {
        let s = text(piece);
        let v = match piece.first().map_or(0, |b| b % 6) {
            0 => Value::String(s),
            1 => Value::from(i64::from_le_bytes(pad8(piece))),
            2 => serde_json::Number::from_f64(f64::from_le_bytes(pad8(piece)))
                .map_or(Value::Null, Value::Number),
            3 => Value::Bool(piece.len() % 2 == 0),
            4 => Value::Array(s.chars().map(|c| Value::String(c.to_string())).collect()),
            _ => {
                let mut inner = Map::new();
                let _ = inner.insert(s.clone(), Value::String(s));
                Value::Object(inner)
            }
        };
        let _ = map.insert(format!("c{i}"), v);
    }
    map
}

fn pad8(b: &[u8]) -> [u8; 8] {
    let mut out = [0u8; 8];
    let n = b.len().min(8);
    out[..n].copy_from_slice(&b[..n]);
    out
}

/// `roundtrip` (differential): sign-then-verify for any claims. The first byte picks the key
/// (HS256, HS512, ES256, ES384, EdDSA; with the aws-lc backend, bit 0x40 makes ES256 ES256K and
/// ES384 ES512) and the mode. Mode 1: the claims built from the input
/// (`claims_from`) with the registered claims the policy checks set so that validation passes
/// (`iss`, `aud`, `sub`, `exp`, `iat`; no `nbf`), signed with `jwt::sign` and a `typ`, `kid`
/// and critical extension: verification must succeed on every path and give back exactly the
/// signed claims. Mode 2: the raw input signed as claims text with `jwt::sign_json` (which must
/// accept every strict JSON object) and verified without an `exp` requirement for any audience: success gives
/// back the very bytes and the strictly parsed map; failure must be a claims error that the
/// `serde_json` reading of the claims explains.
pub fn roundtrip(data: &[u8]) {
    let Some((sel, rest)) = split_first(data) else {
        return;
    };
    let k = keys();
    // Bit 0x40 turns ES256 into ES256K and ES384 into ES512 where the backend has them.
    let other_curve = sel & 0x40 != 0;
    let key = match sel % 5 {
        0 => &k.hs256,
        1 => &k.hs512,
        2 if other_curve => k.es256k.as_ref().unwrap_or(&k.es256),
        2 => &k.es256,
        3 if other_curve => k.es512.as_ref().unwrap_or(&k.es384),
        3 => &k.es384,
        _ => &k.eddsa,
    };
    let public = if key.is_symmetric() {
        key.clone()
    } else {
        key.public_key().unwrap()
    };
    if sel & 0x80 == 0 {
        let mut claims = claims_from(rest);
        for (name, value) in [
            ("iss", Value::from("https://as.example")),
            ("aud", Value::from(vec!["other", "api"])),
            ("sub", Value::from("user-1")),
            ("exp", Value::from(NOW + 300)),
            ("iat", Value::from(NOW - 5)),
        ] {
            let _ = claims.insert(name.into(), value);
        }
        let _ = claims.remove("nbf");
        let header = Header::new()
            .typ("at+jwt")
            .crit(["exp_ext"])
            .extra("exp_ext", Value::from(1))
            .unwrap();
        let token = match jwt::sign(key, &header, &claims, rng()) {
            Ok(t) => t,
            Err(e) => {
                // The only refusal: a claims set too large for the token limits.
                typed(&e);
                assert_eq!(e.kind(), ErrorKind::TooLarge, "{e:?}");
                return;
            }
        };
        let v = Verifier::builder(public)
            .issuer("https://as.example")
            .audience("api")
            .subject("user-1")
            .typ("at+jwt")
            .critical("exp_ext")
            .build()
            .unwrap();
        match verify_all_paths(&v, token.as_bytes(), NOW) {
            Some(verified) => assert_eq!(verified, claims),
            None => {
                let e = v.verify(&token, NOW).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::TooLarge, "signed claims failed: {e:?}");
            }
        }
    } else {
        let Ok(map) = jwt::parse_json_object(rest) else {
            let e = jwt::sign_json(key, &Header::new(), rest, rng()).unwrap_err();
            typed(&e);
            return;
        };
        let token = match jwt::sign_json(key, &Header::new(), rest, rng()) {
            Ok(t) => t,
            Err(e) => {
                typed(&e);
                assert_eq!(e.kind(), ErrorKind::TooLarge, "{e:?}");
                return;
            }
        };
        let v = Verifier::builder(public)
            .require_exp(false)
            .accept_any_audience()
            .build()
            .unwrap();
        match verify_all_paths(&v, token.as_bytes(), NOW) {
            Some(verified) => {
                assert_eq!(verified, map);
                assert_eq!(v.verify(&token, NOW).unwrap().payload(), rest);
            }
            None => {
                let e = v.verify(&token, NOW).unwrap_err();
                assert!(
                    matches!(
                        e.kind(),
                        ErrorKind::TooLarge
                            | ErrorKind::Expired
                            | ErrorKind::NotYetValid
                            | ErrorKind::IssuedInFuture
                            | ErrorKind::InvalidClaimType
                    ),
                    "raw claims failed: {e:?}"
                );
                if e.kind() == ErrorKind::InvalidClaimType {
                    // Some registered claim has the wrong JSON type: the map reading agrees,
                    // or `aud` holds a non-string.
                    let reg = RegisteredClaims::from_claims(&map);
                    assert!(reg.is_err() || map.get("aud").is_some(), "{e:?}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// dpop

/// The RFC 9449 examples' request URIs and access token, which the `dpop` target's selector
/// can pick instead of the input's own.
const DPOP_URIS: [&str; 2] = [
    "https://server.example.com/token",
    "https://resource.example.org/protectedresource",
];
/// The access token of RFC 9449 §7.1.
pub const DPOP_ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
/// The clocks the `dpop` target validates at: the targets' `NOW` (proofs made by the seeds) and
/// the `iat`s of the RFC 9449 example proofs (§4.1, §7.1, §5).
pub const DPOP_CLOCKS: [i64; 4] = [NOW, 1_562_262_616, 1_562_262_618, 1_562_265_296];

/// `dpop`: the input after the selector byte, split at NULs into `proof`, `htm`, `htu` and
/// `token`, through `dpop::ProofValidator::validate` (the default validator, and one that
/// allows ES256 only with a 10 s window), and `htu` through `dpop::normalize_htu`. Selector
/// bits: 0–1 the clock ([`DPOP_CLOCKS`]); 2 `htm` is `POST`/`GET` (by bit 3) instead of the
/// input's; 4 `htu` is one of [`DPOP_URIS`] (by bit 5) instead of the input's; 6 no access
/// token; 7 the RFC's access token instead of the input's.
///
/// Asserts: no panic; errors typed, and of the DPoP kinds (or `invalid_argument` for a request
/// method or URI the host got wrong); an accepted proof has a 43-character `jkt` (base64url of
/// SHA-256), a `jti` of 1 to 64 bytes, the request's method, an `htu` that normalises to the
/// request's, an `iat` within the window and `replay_until = iat + window`; validating again
/// gives the same proof; a normalised URI normalises to itself.
pub fn dpop(data: &[u8]) {
    use tessera::dpop::{MAX_JTI_LEN, ProofValidator, normalize_htu};
    static STRICT: OnceLock<ProofValidator> = OnceLock::new();
    let Some((sel, rest)) = split_first(data) else {
        return;
    };
    let [proof, htm, htu, token] = parts::<4>(rest);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (proof, htm, htu, token) = (text(proof), text(htm), text(htu), text(token));
    let now = DPOP_CLOCKS[usize::from(sel & 3)];
    let htm = match (sel >> 2) & 3 {
        1 => "POST".to_owned(),
        3 => "GET".to_owned(),
        _ => htm,
    };
    let htu = match (sel >> 4) & 3 {
        1 => DPOP_URIS[0].to_owned(),
        3 => DPOP_URIS[1].to_owned(),
        _ => htu,
    };
    let token = match sel >> 6 {
        1 => None,
        2 | 3 => Some(DPOP_ACCESS_TOKEN.to_owned()),
        _ => Some(token),
    };
    let normalized = ok(normalize_htu(&htu));
    if let Some(n) = &normalized {
        assert_eq!(
            normalize_htu(n).unwrap(),
            *n,
            "normal form is a fixed point"
        );
    }
    let strict = STRICT.get_or_init(|| {
        ProofValidator::builder()
            .algorithms(&[Algorithm::ES256])
            .iat_window(10)
            .max_len(2048)
            .build()
            .unwrap()
    });
    for validator in [&ProofValidator::new(), strict] {
        let result = validator.validate(&proof, &htm, &htu, now, token.as_deref());
        let checked = match result {
            Ok(checked) => checked,
            Err(e) => {
                typed(&e);
                let name = e.kind().name();
                assert!(
                    name.starts_with("dpop_") || e.kind() == ErrorKind::InvalidArgument,
                    "{e:?}"
                );
                continue;
            }
        };
        let window = i64::try_from(validator.iat_window()).unwrap();
        assert_eq!(checked.jkt().len(), 43, "{checked:?}");
        assert!(
            checked
                .jkt()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert!(!checked.jti().is_empty() && checked.jti().len() <= MAX_JTI_LEN);
        assert_eq!(checked.htm(), htm);
        assert_eq!(
            normalize_htu(checked.htu()).unwrap(),
            normalized
                .clone()
                .expect("an accepted proof's request URI normalises")
        );
        assert!((checked.iat() - now).abs() <= window);
        assert_eq!(checked.replay_until(), checked.iat() + window);
        assert!(validator.algorithms().contains(&checked.alg()));
        let again = validator
            .validate(&proof, &htm, &htu, now, token.as_deref())
            .unwrap();
        assert_eq!(again, checked);
    }
}
