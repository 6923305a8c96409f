//! Fixtures shared by the verification benches (`verify.rs`, criterion timings; `paired.rs` and
//! `backends.rs`, paired time ratios; `instructions.rs`, callgrind instruction counts): the keys,
//! the token shapes, and every contender (the backend's raw check, the floor, jsonwebtoken 9,
//! tessera's Rust and C entry points) written once, so every bench measures exactly the same
//! work.
//!
//! The backend's raw check and the floor use the backend that `tessera` itself is built with
//! (`tessera::backend()`): `ring` by default, `aws-lc-rs` with `--features aws-lc`. Each is
//! given its key the fastest way that backend allows: `ring` 0.17 keeps RSA components and
//! unparsed EC/Ed25519 keys (it has no other verification API), `aws-lc-rs` a
//! `ParsedPublicKey` made once. jsonwebtoken 9 always runs on `ring` (it has no other backend).

#![allow(dead_code)]

pub mod pair;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
use tessera::{SystemRandom, ffi};

pub const NOW: i64 = 1_800_000_000;
pub const ISS: &str = "https://as.example";
pub const AUD: &str = "api";
pub const SECRET: &[u8; 64] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

pub const RSA: &str = include_str!("../../tests/data/keys/rsa2048.pkcs8.pem");
const RSA_PUB: &str = include_str!("../../tests/data/keys/rsa2048.spki.pem");
pub const P256: &str = include_str!("../../tests/data/keys/p256.pkcs8.pem");
const P256_PUB: &str = include_str!("../../tests/data/keys/p256.spki.pem");
pub const P384: &str = include_str!("../../tests/data/keys/p384.pkcs8.pem");
const P384_PUB: &str = include_str!("../../tests/data/keys/p384.spki.pem");
pub const ED25519: &str = include_str!("../../tests/data/keys/ed25519.pkcs8.pem");
const ED25519_PUB: &str = include_str!("../../tests/data/keys/ed25519.spki.pem");

pub const ALGS: [Algorithm; 8] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The backend of the `tessera` build being measured, as the benches label it (`ring`,
/// `aws-lc-rs`).
pub fn backend() -> &'static str {
    tessera::backend().name()
}

/// The token shapes the benches verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// tessera's small access token: 119 bytes of claims (`iss`, `sub`, `aud`, `exp`, `iat`,
    /// `jti`), verified with the policy `iss` + `aud` + `exp`.
    Small,
    /// The small token of typical peer benchmarks (jwt.io's example plus `exp`): 85 bytes of
    /// claims `{"sub":"1234567890","name":"John Doe","admin":true,"iat":1516239022,"exp":..}`,
    /// verified with the default policy (`exp` required and checked); the floor deserialises
    /// it into a matching five-field struct ([`Peer`]).
    Peer,
    /// 690 bytes of claims: [`Shape::Small`]'s plus `client_id`, 25 scopes, `roles`, `amr` and
    /// other strings, same policy.
    Large,
}

impl Shape {
    pub const ALL: [Shape; 3] = [Shape::Small, Shape::Peer, Shape::Large];

    pub fn name(self) -> &'static str {
        match self {
            Shape::Small => "small",
            Shape::Peer => "peer",
            Shape::Large => "large",
        }
    }

    pub fn parse(name: &str) -> Shape {
        Shape::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .unwrap_or_else(|| panic!("unknown token shape {name:?}"))
    }
}

/// 25 `resource:action` scopes.
fn scopes() -> String {
    let resources = [
        "jobs", "records", "users", "billing", "reports", "projects", "files", "alerts", "teams",
        "audit", "streams", "hooks", "tokens",
    ];
    let all: Vec<String> = resources
        .iter()
        .flat_map(|r| ["read", "write"].map(|a| format!("{r}:{a}")))
        .take(25)
        .collect();
    all.join(" ")
}

/// The claims set of token number `n` in `shape` (the peer shape ignores `n`).
pub fn shape_claims(n: u64, shape: Shape) -> String {
    match shape {
        Shape::Small => claims(n, false),
        Shape::Large => claims(n, true),
        Shape::Peer => format!(
            r#"{{"sub":"1234567890","name":"John Doe","admin":true,"iat":1516239022,"exp":{}}}"#,
            NOW + 600
        ),
    }
}

/// The claims set of token number `n`: small (119 bytes) or large (690 bytes, 25 scopes).
pub fn claims(n: u64, large: bool) -> String {
    let small = format!(
        r#""iss":"{ISS}","sub":"user-1234","aud":"{AUD}","exp":{},"iat":{NOW},"jti":"{n:018}""#,
        NOW + 600
    );
    if !large {
        return format!("{{{small}}}");
    }
    format!(
        r#"{{{small},"client_id":"app-5f3c9a","scope":"{}","tenant":"acme-corp","roles":["admin","ops","support"],"auth_time":1799999000,"acr":"urn:mace:incommon:iap:silver","amr":["pwd","otp"],"sid":"f1d2d2f924e986ac86fdf7b36c94bcdf32beec","locale":"en-GB","zoneinfo":"Europe/London"}}"#,
        scopes()
    )
}

/// The claims as an owned struct: what the floor and jsonwebtoken deserialise the small and
/// large tokens into.
#[allow(dead_code)]
#[derive(Deserialize)]
pub struct Owned {
    iss: String,
    pub sub: String,
    aud: String,
    exp: i64,
    iat: i64,
    jti: String,
    client_id: Option<String>,
    scope: Option<String>,
    tenant: Option<String>,
    roles: Option<Vec<String>>,
    auth_time: Option<i64>,
    acr: Option<String>,
    amr: Option<Vec<String>>,
    sid: Option<String>,
    locale: Option<String>,
    zoneinfo: Option<String>,
}

/// The peer token's claims, as peer benchmarks deserialise them.
#[allow(dead_code)]
#[derive(Deserialize)]
pub struct Peer {
    pub sub: String,
    name: String,
    admin: bool,
    iat: i64,
    exp: i64,
}

/// Everything one algorithm needs: tessera's signing key and verifiers, the backend's raw key,
/// jsonwebtoken's key.
pub struct Fixture {
    pub alg: Algorithm,
    pub key: Key,
    /// Policy `iss` + `aud` + `exp` (the small and large tokens).
    pub verifier: Verifier,
    /// The default policy, `exp` required (the peer token).
    pub peer_verifier: Verifier,
    /// The raw key of the backend `tessera` is built with.
    pub raw: Raw,
    pub jwt_key: jsonwebtoken::DecodingKey,
    pub jwt_validation: jsonwebtoken::Validation,
    pub jwt_peer_validation: jsonwebtoken::Validation,
}

/// A backend's own MAC or signature check, its key prepared once the fastest way the backend
/// allows.
#[allow(
    clippy::large_enum_variant,
    reason = "made once per bench; boxing would add a pointer to the measured check"
)]
pub enum Raw {
    Ring(RingKey),
    AwsLc(AwsLcKey),
}

pub enum RingKey {
    Hmac(ring::hmac::Key),
    /// ring 0.17 has no parsed RSA public key: the components are parsed at each check.
    Rsa(
        ring::signature::RsaPublicKeyComponents<Vec<u8>>,
        &'static ring::signature::RsaParameters,
    ),
    Unparsed(&'static dyn ring::signature::VerificationAlgorithm, Vec<u8>),
}

#[allow(
    clippy::large_enum_variant,
    reason = "made once per bench; boxing would add a pointer to the measured check"
)]
pub enum AwsLcKey {
    Hmac(aws_lc_rs::hmac::Key),
    /// Parsed once, here.
    Parsed(aws_lc_rs::signature::ParsedPublicKey),
}

impl Raw {
    /// The raw key of `alg`'s fixture key for `backend` (`"ring"` or `"aws-lc-rs"`).
    pub fn new(backend: &str, alg: Algorithm) -> Raw {
        match backend {
            "ring" => Raw::Ring(ring_key(alg)),
            "aws-lc-rs" => Raw::AwsLc(aws_lc_key(alg)),
            other => panic!("no raw key for backend {other}"),
        }
    }

    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            Raw::Ring(RingKey::Hmac(key)) => ring::hmac::verify(key, msg, sig).is_ok(),
            Raw::Ring(RingKey::Rsa(components, params)) => {
                components.verify(params, msg, sig).is_ok()
            }
            Raw::Ring(RingKey::Unparsed(alg, public)) => {
                ring::signature::UnparsedPublicKey::new(*alg, public)
                    .verify(msg, sig)
                    .is_ok()
            }
            Raw::AwsLc(AwsLcKey::Hmac(key)) => aws_lc_rs::hmac::verify(key, msg, sig).is_ok(),
            Raw::AwsLc(AwsLcKey::Parsed(key)) => key.verify_sig(msg, sig).is_ok(),
        }
    }
}

/// The fixture key's PKCS#8 document (for the backends' own key-pair parsers).
fn pkcs8(alg: Algorithm) -> Vec<u8> {
    let pem = match alg {
        Algorithm::RS256 | Algorithm::PS256 => RSA,
        Algorithm::ES256 => P256,
        Algorithm::ES384 => P384,
        Algorithm::EdDSA => ED25519,
        other => panic!("{other} has no PKCS#8 fixture"),
    };
    Key::from_pem(pem.as_bytes(), Some(alg))
        .unwrap()
        .private_key_der()
        .unwrap()
        .to_vec()
}

fn ring_key(alg: Algorithm) -> RingKey {
    use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
    match alg {
        Algorithm::HS256 => RingKey::Hmac(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET)),
        Algorithm::HS384 => RingKey::Hmac(ring::hmac::Key::new(ring::hmac::HMAC_SHA384, SECRET)),
        Algorithm::HS512 => RingKey::Hmac(ring::hmac::Key::new(ring::hmac::HMAC_SHA512, SECRET)),
        Algorithm::RS256 | Algorithm::PS256 => {
            let pair = RsaKeyPair::from_pkcs8(&pkcs8(alg)).unwrap();
            let params: &'static signature::RsaParameters = if alg == Algorithm::RS256 {
                &signature::RSA_PKCS1_2048_8192_SHA256
            } else {
                &signature::RSA_PSS_2048_8192_SHA256
            };
            RingKey::Rsa(pair.public().into(), params)
        }
        Algorithm::ES256 | Algorithm::ES384 => {
            let (signing, verifying): (_, &'static dyn signature::VerificationAlgorithm) =
                if alg == Algorithm::ES256 {
                    (
                        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                        &signature::ECDSA_P256_SHA256_FIXED,
                    )
                } else {
                    (
                        &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                        &signature::ECDSA_P384_SHA384_FIXED,
                    )
                };
            let pair =
                EcdsaKeyPair::from_pkcs8(signing, &pkcs8(alg), &ring::rand::SystemRandom::new())
                    .unwrap();
            RingKey::Unparsed(verifying, pair.public_key().as_ref().to_vec())
        }
        Algorithm::EdDSA => {
            let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8(alg)).unwrap();
            RingKey::Unparsed(&signature::ED25519, pair.public_key().as_ref().to_vec())
        }
        other => panic!("{other} is not benchmarked"),
    }
}

fn aws_lc_key(alg: Algorithm) -> AwsLcKey {
    use aws_lc_rs::hmac;
    use aws_lc_rs::signature::{
        self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
        RsaPublicKeyComponents,
    };
    let parsed = match alg {
        Algorithm::HS256 => return AwsLcKey::Hmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET)),
        Algorithm::HS384 => return AwsLcKey::Hmac(hmac::Key::new(hmac::HMAC_SHA384, SECRET)),
        Algorithm::HS512 => return AwsLcKey::Hmac(hmac::Key::new(hmac::HMAC_SHA512, SECRET)),
        Algorithm::RS256 | Algorithm::PS256 => {
            let pair = RsaKeyPair::from_pkcs8(&pkcs8(alg)).unwrap();
            let params = if alg == Algorithm::RS256 {
                &signature::RSA_PKCS1_2048_8192_SHA256
            } else {
                &signature::RSA_PSS_2048_8192_SHA256
            };
            RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key())
                .to_parsed_public_key(params)
                .unwrap()
        }
        Algorithm::ES256 | Algorithm::ES384 => {
            let (signing, verifying) = if alg == Algorithm::ES256 {
                (
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &signature::ECDSA_P256_SHA256_FIXED,
                )
            } else {
                (
                    &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                    &signature::ECDSA_P384_SHA384_FIXED,
                )
            };
            let pair = EcdsaKeyPair::from_pkcs8(signing, &pkcs8(alg)).unwrap();
            ParsedPublicKey::new(verifying, pair.public_key().as_ref()).unwrap()
        }
        Algorithm::EdDSA => {
            let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8(alg)).unwrap();
            ParsedPublicKey::new(&signature::ED25519, pair.public_key().as_ref()).unwrap()
        }
        other => panic!("{other} is not benchmarked"),
    };
    AwsLcKey::Parsed(parsed)
}

/// tessera's fixture key for `alg` (a signing key).
pub fn fixture_key(alg: Algorithm) -> Key {
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Key::hmac(SECRET, alg).unwrap(),
        Algorithm::RS256 | Algorithm::PS256 => Key::from_pem(RSA.as_bytes(), Some(alg)).unwrap(),
        Algorithm::ES256 => Key::from_pem(P256.as_bytes(), Some(alg)).unwrap(),
        Algorithm::ES384 => Key::from_pem(P384.as_bytes(), Some(alg)).unwrap(),
        Algorithm::EdDSA => Key::from_pem(ED25519.as_bytes(), Some(alg)).unwrap(),
        other => panic!("{other} is not benchmarked"),
    }
}

pub fn fixture(alg: Algorithm) -> Fixture {
    use jsonwebtoken::{Algorithm as J, DecodingKey};
    let (jwt_key, jalg) = match alg {
        Algorithm::HS256 => (DecodingKey::from_secret(SECRET), J::HS256),
        Algorithm::HS384 => (DecodingKey::from_secret(SECRET), J::HS384),
        Algorithm::HS512 => (DecodingKey::from_secret(SECRET), J::HS512),
        Algorithm::RS256 => (
            DecodingKey::from_rsa_pem(RSA_PUB.as_bytes()).unwrap(),
            J::RS256,
        ),
        Algorithm::PS256 => (
            DecodingKey::from_rsa_pem(RSA_PUB.as_bytes()).unwrap(),
            J::PS256,
        ),
        Algorithm::ES256 => (
            DecodingKey::from_ec_pem(P256_PUB.as_bytes()).unwrap(),
            J::ES256,
        ),
        Algorithm::ES384 => (
            DecodingKey::from_ec_pem(P384_PUB.as_bytes()).unwrap(),
            J::ES384,
        ),
        Algorithm::EdDSA => (
            DecodingKey::from_ed_pem(ED25519_PUB.as_bytes()).unwrap(),
            J::EdDSA,
        ),
        other => panic!("{other} is not benchmarked"),
    };
    let key = fixture_key(alg);
    let verifying = if key.is_symmetric() {
        key.clone()
    } else {
        key.public_key().unwrap()
    };
    let verifier = Verifier::builder(verifying.clone())
        .issuer(ISS)
        .audience(AUD)
        .build()
        .unwrap();
    let peer_verifier = Verifier::builder(verifying).build().unwrap();
    // The same policies in jsonwebtoken: exp required and checked, 30 s leeway (tessera's
    // default leeway is 30 s too); iss and aud for the small and large tokens.
    let mut jwt_peer_validation = jsonwebtoken::Validation::new(jalg);
    jwt_peer_validation.leeway = 30;
    let mut jwt_validation = jwt_peer_validation.clone();
    jwt_validation.set_issuer(&[ISS]);
    jwt_validation.set_audience(&[AUD]);
    Fixture {
        alg,
        key,
        verifier,
        peer_verifier,
        raw: Raw::new(backend(), alg),
        jwt_key,
        jwt_validation,
        jwt_peer_validation,
    }
}

/// Signs token number `n` of `shape` (header `{"alg":..,"typ":"JWT"}`).
pub fn sign_shape(f: &Fixture, n: u64, shape: Shape) -> String {
    sign_claims(&f.key, &shape_claims(n, shape))
}

/// Signs token number `n`, small or large.
pub fn sign(f: &Fixture, n: u64, large: bool) -> String {
    sign_claims(&f.key, &claims(n, large))
}

/// Signs `claims` with `key` (header `{"alg":..,"typ":"JWT"}`).
pub fn sign_claims(key: &Key, claims: &str) -> String {
    jwt::sign_json(
        key,
        &Header::new().typ("JWT"),
        claims.as_bytes(),
        &SystemRandom::new(),
    )
    .unwrap()
}

impl Fixture {
    /// The verifier whose policy `shape`'s tokens are checked with.
    pub fn verifier_for(&self, shape: Shape) -> &Verifier {
        match shape {
            Shape::Peer => &self.peer_verifier,
            Shape::Small | Shape::Large => &self.verifier,
        }
    }

    /// tessera's borrowed path on a token of `shape`.
    pub fn verify_with_ok(&self, shape: Shape, token: &str) -> bool {
        self.verifier_for(shape)
            .verify_with(token, NOW, |c| c.exp())
            .is_ok()
    }

    /// tessera's owned path on a token of `shape`.
    pub fn verify_ok(&self, shape: Shape, token: &str) -> bool {
        self.verifier_for(shape).verify(token, NOW).is_ok()
    }

    /// The floor on a token of `shape`, into that shape's struct.
    pub fn floor_ok(&self, shape: Shape, token: &str) -> bool {
        floor_shape(&self.raw, shape, token)
    }

    /// jsonwebtoken 9 on a token of `shape`, into that shape's struct.
    pub fn jwt_ok(&self, shape: Shape, token: &str) -> bool {
        match shape {
            Shape::Peer => {
                jsonwebtoken::decode::<Peer>(token, &self.jwt_key, &self.jwt_peer_validation)
                    .is_ok()
            }
            Shape::Small | Shape::Large => {
                jsonwebtoken::decode::<Owned>(token, &self.jwt_key, &self.jwt_validation).is_ok()
            }
        }
    }
}

/// The floor over `raw` on a token of `shape`, into that shape's struct ([`Peer`] or
/// [`Owned`]).
pub fn floor_shape(raw: &Raw, shape: Shape, token: &str) -> bool {
    match shape {
        Shape::Peer => floor::<Peer>(raw, token).is_some(),
        Shape::Small | Shape::Large => floor::<Owned>(raw, token).is_some(),
    }
}

/// The floor: split, decode all three parts, check the signature with the backend's raw key,
/// parse the claims into `T`.
pub fn floor<T: DeserializeOwned>(raw: &Raw, token: &str) -> Option<T> {
    let (signing_input, sig) = token.rsplit_once('.')?;
    let (header, payload) = signing_input.split_once('.')?;
    let _header = URL_SAFE_NO_PAD.decode(header).ok()?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    if !raw.verify(signing_input.as_bytes(), &sig) {
        return None;
    }
    let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&payload).ok()
}

pub fn sig_parts(token: &str) -> (&str, Vec<u8>) {
    let (signing_input, sig) = token.rsplit_once('.').unwrap();
    (signing_input, URL_SAFE_NO_PAD.decode(sig).unwrap())
}

/// A C ABI verifier handle for `key` with the policy of the small and large tokens.
pub fn c_verifier(key: &Key) -> *mut ffi::tessera_verifier {
    c_verifier_for(key, Shape::Small)
}

/// A C ABI verifier handle for `key` with the policy of `shape`'s tokens.
pub fn c_verifier_for(key: &Key, shape: Shape) -> *mut ffi::tessera_verifier {
    let pem;
    let mut handle = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; the handles are freed never (bench lifetime).
    unsafe {
        let mut k = std::ptr::null_mut();
        if key.is_symmetric() {
            let alg = std::ffi::CString::new(key.alg().as_str()).unwrap();
            assert_eq!(
                ffi::tessera_key_hmac(SECRET.as_ptr(), SECRET.len(), alg.as_ptr(), &mut k).0,
                0
            );
        } else {
            pem = key.public_key_pem().unwrap();
            let alg = std::ffi::CString::new(key.alg().as_str()).unwrap();
            assert_eq!(
                ffi::tessera_key_from_pem(pem.as_ptr(), pem.len(), alg.as_ptr(), &mut k).0,
                0
            );
        }
        let mut b = std::ptr::null_mut();
        assert_eq!(ffi::tessera_verifier_builder_new(&mut b).0, 0);
        if shape != Shape::Peer {
            let iss = std::ffi::CString::new(ISS).unwrap();
            let aud = std::ffi::CString::new(AUD).unwrap();
            assert_eq!(
                ffi::tessera_verifier_builder_add_issuer(b, iss.as_ptr()).0,
                0
            );
            assert_eq!(
                ffi::tessera_verifier_builder_add_audience(b, aud.as_ptr()).0,
                0
            );
        }
        assert_eq!(ffi::tessera_verifier_new_with_key(b, k, &mut handle).0, 0);
        ffi::tessera_verifier_builder_free(b);
        ffi::tessera_key_free(k);
    }
    handle
}

pub fn c_verify(v: *const ffi::tessera_verifier, token: &str) -> u32 {
    // SAFETY: `v` is a live verifier handle; the token outlives the call.
    unsafe { ffi::tessera_verify_result(v, token.as_ptr(), token.len(), NOW).0 }
}

/// `tokens` through `tessera_verify_batch` on `threads` threads (0: every core), codes into
/// `results`; the call's own result code.
pub fn c_verify_batch(
    v: *const ffi::tessera_verifier,
    ptrs: &[*const u8],
    lens: &[usize],
    threads: usize,
    results: &mut [u32],
) -> u32 {
    assert!(ptrs.len() == lens.len() && results.len() >= ptrs.len());
    // SAFETY: `v` is a live verifier handle; `ptrs`/`lens` describe tokens that outlive the
    // call; `results` has room for one code per token.
    unsafe {
        ffi::tessera_verify_batch(
            v,
            ptrs.as_ptr(),
            lens.as_ptr(),
            ptrs.len(),
            NOW,
            threads,
            results.as_mut_ptr(),
        )
        .0
    }
}
