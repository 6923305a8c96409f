//! Fixtures shared by the verification benches (`verify.rs`, criterion timings, and
//! `instructions.rs`, callgrind instruction counts): the keys, the small and large claims
//! sets, and every contender (ring alone, the floor, jsonwebtoken 9, tessera's Rust and C
//! entry points) written once, so both benches measure exactly the same work.

#![allow(dead_code)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use serde::Deserialize;
use tessera::ffi;
use tessera::jwt::{self, Algorithm, Header, Key, Verifier};

pub const NOW: i64 = 1_800_000_000;
pub const ISS: &str = "https://as.example";
pub const AUD: &str = "api";
pub const SECRET: &[u8; 64] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

const RSA: &str = include_str!("../../tests/data/keys/rsa2048.pkcs8.pem");
const RSA_PUB: &str = include_str!("../../tests/data/keys/rsa2048.spki.pem");
const P256: &str = include_str!("../../tests/data/keys/p256.pkcs8.pem");
const P256_PUB: &str = include_str!("../../tests/data/keys/p256.spki.pem");
const P384: &str = include_str!("../../tests/data/keys/p384.pkcs8.pem");
const P384_PUB: &str = include_str!("../../tests/data/keys/p384.spki.pem");
const ED25519: &str = include_str!("../../tests/data/keys/ed25519.pkcs8.pem");
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

/// The claims as an owned struct: what the floor and jsonwebtoken deserialise into.
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

/// Everything one algorithm needs: tessera's signing key and verifier, ring's raw material,
/// jsonwebtoken's key.
pub struct Fixture {
    pub alg: Algorithm,
    pub key: Key,
    pub verifier: Verifier,
    pub ring: RingKey,
    pub jwt_key: jsonwebtoken::DecodingKey,
    pub jwt_validation: jsonwebtoken::Validation,
}

pub enum RingKey {
    Hmac(hmac::Key),
    Rsa(
        signature::RsaPublicKeyComponents<Vec<u8>>,
        &'static signature::RsaParameters,
    ),
    Unparsed(&'static dyn signature::VerificationAlgorithm, Vec<u8>),
}

impl RingKey {
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            RingKey::Hmac(key) => hmac::verify(key, msg, sig).is_ok(),
            RingKey::Rsa(components, params) => components.verify(params, msg, sig).is_ok(),
            RingKey::Unparsed(alg, public) => signature::UnparsedPublicKey::new(*alg, public)
                .verify(msg, sig)
                .is_ok(),
        }
    }
}

fn pkcs8(pem: &str, alg: Algorithm) -> Vec<u8> {
    Key::from_pem(pem.as_bytes(), Some(alg))
        .unwrap()
        .private_key_der()
        .unwrap()
        .to_vec()
}

pub fn fixture(alg: Algorithm) -> Fixture {
    use jsonwebtoken::{Algorithm as J, DecodingKey};
    let (key, ring, jwt_key, jalg) = match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            let (ring_alg, jalg) = match alg {
                Algorithm::HS256 => (hmac::HMAC_SHA256, J::HS256),
                Algorithm::HS384 => (hmac::HMAC_SHA384, J::HS384),
                _ => (hmac::HMAC_SHA512, J::HS512),
            };
            (
                Key::hmac(SECRET, alg).unwrap(),
                RingKey::Hmac(hmac::Key::new(ring_alg, SECRET)),
                DecodingKey::from_secret(SECRET),
                jalg,
            )
        }
        Algorithm::RS256 | Algorithm::PS256 => {
            let pair = RsaKeyPair::from_pkcs8(&pkcs8(RSA, alg)).unwrap();
            let components: signature::RsaPublicKeyComponents<Vec<u8>> = pair.public().into();
            let (params, jalg): (&'static signature::RsaParameters, _) = if alg == Algorithm::RS256
            {
                (&signature::RSA_PKCS1_2048_8192_SHA256, J::RS256)
            } else {
                (&signature::RSA_PSS_2048_8192_SHA256, J::PS256)
            };
            (
                Key::from_pem(RSA.as_bytes(), Some(alg)).unwrap(),
                RingKey::Rsa(components, params),
                DecodingKey::from_rsa_pem(RSA_PUB.as_bytes()).unwrap(),
                jalg,
            )
        }
        Algorithm::ES256 | Algorithm::ES384 => {
            let (pem, public, signing, verifying, jalg): (
                _,
                _,
                _,
                &'static dyn signature::VerificationAlgorithm,
                _,
            ) = if alg == Algorithm::ES256 {
                (
                    P256,
                    P256_PUB,
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &signature::ECDSA_P256_SHA256_FIXED,
                    J::ES256,
                )
            } else {
                (
                    P384,
                    P384_PUB,
                    &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                    &signature::ECDSA_P384_SHA384_FIXED,
                    J::ES384,
                )
            };
            let pair =
                EcdsaKeyPair::from_pkcs8(signing, &pkcs8(pem, alg), &SystemRandom::new()).unwrap();
            (
                Key::from_pem(pem.as_bytes(), Some(alg)).unwrap(),
                RingKey::Unparsed(verifying, pair.public_key().as_ref().to_vec()),
                DecodingKey::from_ec_pem(public.as_bytes()).unwrap(),
                jalg,
            )
        }
        Algorithm::EdDSA => {
            let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8(ED25519, alg)).unwrap();
            (
                Key::from_pem(ED25519.as_bytes(), Some(alg)).unwrap(),
                RingKey::Unparsed(&signature::ED25519, pair.public_key().as_ref().to_vec()),
                DecodingKey::from_ed_pem(ED25519_PUB.as_bytes()).unwrap(),
                J::EdDSA,
            )
        }
        other => panic!("{other} is not benchmarked"),
    };
    let verifying = if key.is_symmetric() {
        key.clone()
    } else {
        key.public_key().unwrap()
    };
    let verifier = Verifier::builder(verifying)
        .issuer(ISS)
        .audience(AUD)
        .build()
        .unwrap();
    // The same policy in jsonwebtoken: exp required and checked, iss and aud, 30 s leeway.
    let mut jwt_validation = jsonwebtoken::Validation::new(jalg);
    jwt_validation.set_issuer(&[ISS]);
    jwt_validation.set_audience(&[AUD]);
    jwt_validation.leeway = 30;
    Fixture {
        alg,
        key,
        verifier,
        ring,
        jwt_key,
        jwt_validation,
    }
}

pub fn sign(f: &Fixture, n: u64, large: bool) -> String {
    jwt::sign_json(
        &f.key,
        &Header::new().typ("JWT"),
        claims(n, large).as_bytes(),
        &SystemRandom::new(),
    )
    .unwrap()
}

/// The floor: split, decode all three parts, check the signature, parse the claims.
pub fn floor(ring: &RingKey, token: &str) -> Option<Owned> {
    let (signing_input, sig) = token.rsplit_once('.')?;
    let (header, payload) = signing_input.split_once('.')?;
    let _header = URL_SAFE_NO_PAD.decode(header).ok()?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    if !ring.verify(signing_input.as_bytes(), &sig) {
        return None;
    }
    let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&payload).ok()
}

pub fn sig_parts(token: &str) -> (&str, Vec<u8>) {
    let (signing_input, sig) = token.rsplit_once('.').unwrap();
    (signing_input, URL_SAFE_NO_PAD.decode(sig).unwrap())
}

/// A C ABI verifier handle for `key` with the bench policy.
pub fn c_verifier(key: &Key) -> *mut ffi::tessera_verifier {
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
