//! Adversarial tests for the JWT core: one test (or table) per threat class of RFC 8725 and per
//! family of JWT CVEs seen in other libraries. Every rejection asserts the exact `ErrorKind`.
//!
//! Tokens an honest signer would never produce (duplicate header members, non-canonical
//! base64url, `alg: none` with a real MAC, ...) are built by hand and, where the point is that
//! the signature is *valid*, signed directly with `ring` (with `aws-lc-rs` for ES512 and ES256K,
//! which ring lacks) over the hand-made signing input, so the rejection provably comes from the
//! parser and not from the signature check.
//!
//! The key families are those of the build: with the aws-lc backend the victims, curve and
//! signature tests include P-521 (ES512) and secp256k1 (ES256K).

use std::fmt::Debug;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use serde_json::{Map, Value, json};
use tessera::ErrorKind;
use tessera::SystemRandom;
use tessera::jwt::{self, Algorithm, Header, Key, KeySet, Limits, Verifier, VerifierBuilder};

/// The verifier's clock in every test.
const NOW: i64 = 1_800_000_000;
const ISS: &str = "https://as.example";
const AUD: &str = "api";

const RSA2048: &[u8] = include_bytes!("data/attacks/rsa2048.pem");
const RSA2048_PUB: &[u8] = include_bytes!("data/attacks/rsa2048_pub.pem");
const RSA2048_PKCS1_PUB: &[u8] = include_bytes!("data/attacks/rsa2048_pkcs1_pub.pem");
const RSA2048_ATTACKER: &[u8] = include_bytes!("data/attacks/rsa2048_attacker.pem");
const ATTACKER_CERT: &[u8] = include_bytes!("data/attacks/attacker_cert.pem");
const RSA1024: &[u8] = include_bytes!("data/attacks/rsa1024.pem");
const RSA1024_PKCS1: &[u8] = include_bytes!("data/attacks/rsa1024_pkcs1.pem");
const RSA1024_PUB: &[u8] = include_bytes!("data/attacks/rsa1024_pub.pem");

/// Order n of the P-256 group, big-endian.
const P256_N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];
/// Order n of the P-384 group, big-endian.
const P384_N: [u8; 48] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC7, 0x63, 0x4D, 0x81, 0xF4, 0x37, 0x2D, 0xDF,
    0x58, 0x1A, 0x0D, 0xB2, 0x48, 0xB0, 0xA7, 0x7A, 0xEC, 0xEC, 0x19, 0x6A, 0xCC, 0xC5, 0x29, 0x73,
];
/// Order n of the P-521 group, big-endian (66 bytes, as in a JWS signature).
const P521_N: [u8; 66] = [
    0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFA, 0x51, 0x86, 0x87, 0x83, 0xBF, 0x2F, 0x96, 0x6B, 0x7F, 0xCC, 0x01, 0x48, 0xF7, 0x09,
    0xA5, 0xD0, 0x3B, 0xB5, 0xC9, 0xB8, 0x89, 0x9C, 0x47, 0xAE, 0xBB, 0x6F, 0xB7, 0x1E, 0x91, 0x38,
    0x64, 0x09,
];
/// Order n of the secp256k1 group, big-endian.
const SECP256K1_N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
    0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
];
/// Order L of the Ed25519 group, little-endian (as S is encoded in a signature).
const ED25519_L_LE: [u8; 32] = [
    0xED, 0xD3, 0xF5, 0x5C, 0x1A, 0x63, 0x12, 0x58, 0xD6, 0x9C, 0xF7, 0xA2, 0xDE, 0xF9, 0xDE, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn rng() -> SystemRandom {
    SystemRandom::new()
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text)
        .expect("test data is base64url")
}

/// The error kind of a result that must be an error.
#[track_caller]
fn kind<T: Debug>(r: tessera::Result<T>) -> ErrorKind {
    match r {
        Ok(v) => panic!("expected an error, got Ok({v:?})"),
        Err(e) => e.kind(),
    }
}

/// Asserts that `r` is an error of kind `want`; `what` names the case in the failure message.
#[track_caller]
fn expect<T: Debug>(r: tessera::Result<T>, want: ErrorKind, what: impl std::fmt::Display) {
    match r {
        Ok(v) => panic!("{what}: expected {want:?}, got Ok({v:?})"),
        Err(e) => assert_eq!(e.kind(), want, "{what}: {e:?}"),
    }
}

fn rsa_private() -> Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| Key::from_pem(RSA2048, Some(Algorithm::RS256)).expect("rsa2048.pem"))
        .clone()
}

fn rsa_attacker() -> Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| {
        Key::from_pem(RSA2048_ATTACKER, Some(Algorithm::RS256)).expect("rsa2048_attacker.pem")
    })
    .clone()
}

fn hmac_key() -> Key {
    Key::hmac(b"0123456789abcdef0123456789abcdef-victim", Algorithm::HS256).unwrap()
}

/// A signing key and the key a verifier holds for it (the same key for HMAC).
struct Victim {
    name: &'static str,
    signer: Key,
    verifier: Key,
}

fn victims() -> Vec<Victim> {
    let rng = rng();
    let mut out = vec![Victim {
        name: "HS256",
        signer: hmac_key(),
        verifier: hmac_key(),
    }];
    let mut signers = vec![
        ("RS256", rsa_private()),
        ("PS256", rsa_private().with_alg(Algorithm::PS256).unwrap()),
        ("ES256", Key::generate(Algorithm::ES256, &rng).unwrap()),
        ("ES384", Key::generate(Algorithm::ES384, &rng).unwrap()),
        ("EdDSA", Key::generate(Algorithm::EdDSA, &rng).unwrap()),
    ];
    // The curves of the aws-lc backend.
    for (name, alg) in [("ES512", Algorithm::ES512), ("ES256K", Algorithm::ES256K)] {
        if alg.is_supported() {
            signers.push((name, Key::generate(alg, &rng).unwrap()));
        }
    }
    for (name, signer) in signers {
        let verifier = signer.public_key().unwrap();
        out.push(Victim {
            name,
            signer,
            verifier,
        });
    }
    out
}

fn claims() -> Value {
    json!({"iss": ISS, "sub": "user-1", "aud": AUD, "exp": NOW + 300, "iat": NOW - 10})
}

fn claims_b64() -> String {
    b64(serde_json::to_vec(&claims()).unwrap())
}

fn sign(key: &Key, claims: &Value) -> String {
    jwt::sign(key, &Header::new().typ("JWT"), claims, &rng()).unwrap()
}

fn verifier(keys: impl Into<tessera::jwt::VerificationKeys>) -> Verifier {
    Verifier::builder(keys)
        .issuer(ISS)
        .audience(AUD)
        .build()
        .unwrap()
}

/// The raw signature of `msg` with `key`, computed with `ring` directly (not through tessera),
/// so tokens the library would refuse to produce can still carry a valid signature.
fn raw_signature(key: &Key, msg: &[u8]) -> Vec<u8> {
    match key.alg() {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            let jwk: Value = serde_json::from_str(&key.private_jwk().unwrap()).unwrap();
            let secret = unb64(jwk["k"].as_str().unwrap());
            raw_hmac(key.alg(), &secret, msg)
        }
        Algorithm::ES256 | Algorithm::ES384 => {
            let alg = if key.alg() == Algorithm::ES256 {
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING
            } else {
                &signature::ECDSA_P384_SHA384_FIXED_SIGNING
            };
            let der = key.private_key_der().unwrap();
            let pair =
                EcdsaKeyPair::from_pkcs8(alg, &der, &ring::rand::SystemRandom::new()).unwrap();
            pair.sign(&ring::rand::SystemRandom::new(), msg)
                .unwrap()
                .as_ref()
                .to_vec()
        }
        Algorithm::ES512 | Algorithm::ES256K => aws_lc_ecdsa(key, msg, false),
        Algorithm::EdDSA | Algorithm::Ed25519 => {
            let der = key.private_key_der().unwrap();
            let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).unwrap();
            pair.sign(msg).as_ref().to_vec()
        }
        alg => {
            let encoding: &'static dyn signature::RsaEncoding = match alg {
                Algorithm::RS256 => &signature::RSA_PKCS1_SHA256,
                Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
                Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
                Algorithm::PS256 => &signature::RSA_PSS_SHA256,
                Algorithm::PS384 => &signature::RSA_PSS_SHA384,
                _ => &signature::RSA_PSS_SHA512,
            };
            let der = key.private_key_der().unwrap();
            let pair = RsaKeyPair::from_pkcs8(&der).unwrap();
            let mut sig = vec![0; pair.public().modulus_len()];
            pair.sign(encoding, &ring::rand::SystemRandom::new(), msg, &mut sig)
                .unwrap();
            sig
        }
    }
}

/// An ECDSA signature of `msg` made with `aws-lc-rs` directly, for the curves `ring` lacks
/// (ES512, ES256K): fixed-width `r || s`, or DER when `asn1`.
fn aws_lc_ecdsa(key: &Key, msg: &[u8], asn1: bool) -> Vec<u8> {
    use aws_lc_rs::signature as aws;
    let alg = match (key.alg(), asn1) {
        (Algorithm::ES512, false) => &aws::ECDSA_P521_SHA512_FIXED_SIGNING,
        (Algorithm::ES512, true) => &aws::ECDSA_P521_SHA512_ASN1_SIGNING,
        (Algorithm::ES256K, false) => &aws::ECDSA_P256K1_SHA256_FIXED_SIGNING,
        (Algorithm::ES256K, true) => &aws::ECDSA_P256K1_SHA256_ASN1_SIGNING,
        (alg, _) => panic!("{alg}: signed with ring"),
    };
    aws::EcdsaKeyPair::from_pkcs8(alg, &key.private_key_der().unwrap())
        .unwrap()
        .sign(&aws_lc_rs::rand::SystemRandom::new(), msg)
        .unwrap()
        .as_ref()
        .to_vec()
}

/// The ECDSA algorithms of this build with the order n of their group: ES512 and ES256K with
/// the aws-lc backend.
fn ecdsa_orders() -> Vec<(Algorithm, &'static [u8])> {
    [
        (Algorithm::ES256, &P256_N[..]),
        (Algorithm::ES384, &P384_N[..]),
        (Algorithm::ES512, &P521_N[..]),
        (Algorithm::ES256K, &SECP256K1_N[..]),
    ]
    .into_iter()
    .filter(|(alg, _)| alg.is_supported())
    .collect()
}

fn raw_hmac(alg: Algorithm, secret: &[u8], msg: &[u8]) -> Vec<u8> {
    let ring_alg = match alg {
        Algorithm::HS256 => ring::hmac::HMAC_SHA256,
        Algorithm::HS384 => ring::hmac::HMAC_SHA384,
        _ => ring::hmac::HMAC_SHA512,
    };
    ring::hmac::sign(&ring::hmac::Key::new(ring_alg, secret), msg)
        .as_ref()
        .to_vec()
}

/// `header_b64.payload_b64.signature`, signed with `ring` over exactly these two parts.
fn sign_raw(key: &Key, header_b64: &str, payload_b64: &str) -> String {
    let input = format!("{header_b64}.{payload_b64}");
    let sig = raw_signature(key, input.as_bytes());
    format!("{input}.{}", b64(sig))
}

/// A token over arbitrary header and payload octets, signed with `ring`.
fn sign_bytes(key: &Key, header: &[u8], payload: &[u8]) -> String {
    sign_raw(key, &b64(header), &b64(payload))
}

/// Replaces the signature part of `token`.
fn with_signature(token: &str, sig: &[u8]) -> String {
    let (input, _) = token.rsplit_once('.').unwrap();
    format!("{input}.{}", b64(sig))
}

fn signature_of(token: &str) -> Vec<u8> {
    unb64(token.rsplit_once('.').unwrap().1)
}

fn parts(token: &str) -> (String, String, String) {
    let mut it = token.split('.');
    let p = (
        it.next().unwrap().to_owned(),
        it.next().unwrap().to_owned(),
        it.next().unwrap().to_owned(),
    );
    assert!(it.next().is_none());
    p
}

/// a - b for big-endian numbers of the same length, a >= b.
fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    assert_eq!(a.len(), b.len());
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for i in (0..a.len()).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = u8::try_from(d).unwrap();
    }
    assert_eq!(borrow, 0, "a < b");
    out
}

/// a + b for little-endian numbers of the same length (no overflow out of the top byte).
fn add_le(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut carry = 0u16;
    for i in 0..a.len() {
        let s = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = (s & 0xFF) as u8;
        carry = s >> 8;
    }
    assert_eq!(carry, 0);
    out
}

fn jwk_text(key: &Key) -> String {
    serde_json::to_string(&Value::Object(key.public_jwk().unwrap())).unwrap()
}

fn jwk_member(key: &Key, name: &str) -> Vec<u8> {
    unb64(key.public_jwk().unwrap()[name].as_str().unwrap())
}

fn pem_body_der(pem: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(pem).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    STANDARD.decode(body).unwrap()
}

// ---------------------------------------------------------------------------------------------
// 1. `alg: none` (RFC 8725 §2.1, §3.1; CVE-2015-9235 and many others)
// ---------------------------------------------------------------------------------------------

#[test]
fn alg_none_in_every_spelling_is_rejected_by_every_verifier() {
    let victims = victims();
    let spellings = [
        "none",
        "None",
        "NONE",
        "nOnE",
        "NoNe",
        "none ",
        " none",
        "none\u{0}",
        "",
    ];
    for v in &victims {
        let single = verifier(v.verifier.clone());
        let set_kid = verifier(KeySet::new(vec![v.verifier.clone().with_kid("victim")]).unwrap());
        let set_nokid = verifier(KeySet::new(vec![v.verifier.clone()]).unwrap());
        for spelling in spellings {
            for kid in [None, Some("victim")] {
                let mut header = json!({"alg": spelling, "typ": "JWT"});
                if let Some(kid) = kid {
                    header["kid"] = kid.into();
                }
                let header_b64 = b64(serde_json::to_vec(&header).unwrap());
                let input = format!("{header_b64}.{}", claims_b64());
                let what = format!("{} alg={spelling:?} kid={kid:?}", v.name);

                // The unsecured JWS form: an empty signature part.
                let unsecured = format!("{input}.");
                for ver in [&single, &set_kid, &set_nokid] {
                    expect(
                        ver.verify(&unsecured, NOW),
                        ErrorKind::MalformedToken,
                        format!("{what} empty sig"),
                    );
                }
                expect(
                    jwt::verify_jws(&v.verifier, unsecured.as_bytes()),
                    ErrorKind::MalformedToken,
                    format!("{what} verify_jws empty sig"),
                );

                // Non-empty signatures: garbage, and a genuine signature by the victim's own
                // key over this very signing input (what a confused library would check).
                let genuine = raw_signature(&v.signer, input.as_bytes());
                for sig in [b"sig".to_vec(), vec![0u8; 64], genuine] {
                    let token = format!("{input}.{}", b64(&sig));
                    for ver in [&single, &set_kid, &set_nokid] {
                        expect(
                            ver.verify(&token, NOW),
                            ErrorKind::UnsupportedAlgorithm,
                            format!("{what} sig len {}", sig.len()),
                        );
                    }
                    expect(
                        jwt::verify_jws(&v.verifier, token.as_bytes()),
                        ErrorKind::UnsupportedAlgorithm,
                        format!("{what} verify_jws"),
                    );
                }
            }
        }
    }
}

#[test]
fn alg_none_cannot_be_produced_or_bound() {
    let key = hmac_key();
    for spelling in ["none", "None", "NONE", "nOnE"] {
        expect(
            spelling.parse::<Algorithm>(),
            ErrorKind::UnsupportedAlgorithm,
            spelling,
        );
        let header = format!(r#"{{"alg":"{spelling}"}}"#);
        expect(
            jwt::sign_jws(&key, header.as_bytes(), b"{}", &rng()),
            ErrorKind::UnsupportedAlgorithm,
            spelling,
        );
        // A JWK that asks for `none`.
        let jwk = format!(
            r#"{{"kty":"oct","k":"{}","alg":"{spelling}"}}"#,
            b64([7u8; 32])
        );
        expect(
            Key::from_jwk(jwk.as_bytes(), None),
            ErrorKind::UnsupportedAlgorithm,
            spelling,
        );
    }
    // `Header::extra` cannot smuggle an `alg` in.
    expect(
        Header::new().extra("alg", "none"),
        ErrorKind::InvalidArgument,
        "extra alg",
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Algorithm confusion: HMAC keyed with the verifier's public key
//    (CVE-2015-9235, CVE-2016-10555, CVE-2016-5431, CVE-2022-29217, CVE-2024-54150)
// ---------------------------------------------------------------------------------------------

/// Every byte string an attacker might feed to HMAC as "the public key".
fn public_key_renderings(v: &Victim) -> Vec<(String, Vec<u8>)> {
    let key = &v.verifier;
    let pem = key.public_key_pem().unwrap();
    let der = key.public_key_der().unwrap();
    let jwk = key.public_jwk().unwrap();
    let mut out = vec![
        ("SPKI PEM".to_owned(), pem.as_bytes().to_vec()),
        (
            "SPKI PEM without final newline".to_owned(),
            pem.trim_end().as_bytes().to_vec(),
        ),
        (
            "SPKI PEM with CRLF".to_owned(),
            pem.replace('\n', "\r\n").into_bytes(),
        ),
        ("SPKI DER".to_owned(), der.clone()),
        ("JWK JSON".to_owned(), jwk_text(key).into_bytes()),
        (
            "JWK JSON pretty".to_owned(),
            serde_json::to_vec_pretty(&Value::Object(jwk.clone())).unwrap(),
        ),
        (
            "SPKI PEM base64 body".to_owned(),
            STANDARD.encode(&der).into_bytes(),
        ),
    ];
    match key.family() {
        tessera::jwt::KeyFamily::Rsa => {
            let n = jwk_member(key, "n");
            out.push(("RSA PKCS#1 PEM".to_owned(), RSA2048_PKCS1_PUB.to_vec()));
            out.push(("RSA SPKI PEM (openssl)".to_owned(), RSA2048_PUB.to_vec()));
            out.push(("RSA PKCS#1 DER".to_owned(), pem_body_der(RSA2048_PKCS1_PUB)));
            out.push(("RSA n".to_owned(), n.clone()));
            out.push(("RSA 0||n".to_owned(), [&[0u8][..], &n].concat()));
            out.push(("RSA n base64url".to_owned(), b64(&n).into_bytes()));
        }
        tessera::jwt::KeyFamily::P256
        | tessera::jwt::KeyFamily::P384
        | tessera::jwt::KeyFamily::P521
        | tessera::jwt::KeyFamily::Secp256k1 => {
            let x = jwk_member(key, "x");
            let y = jwk_member(key, "y");
            out.push((
                "EC raw uncompressed point".to_owned(),
                [&[4u8][..], &x, &y].concat(),
            ));
            out.push(("EC x||y".to_owned(), [&x[..], &y].concat()));
            out.push(("EC x".to_owned(), x));
        }
        tessera::jwt::KeyFamily::Ed25519 => {
            let x = jwk_member(key, "x");
            out.push(("Ed25519 raw x".to_owned(), x.clone()));
            out.push(("Ed25519 x base64url".to_owned(), b64(&x).into_bytes()));
        }
        tessera::jwt::KeyFamily::MlDsa44
        | tessera::jwt::KeyFamily::MlDsa65
        | tessera::jwt::KeyFamily::MlDsa87 => {
            let public = jwk_member(key, "pub");
            out.push(("ML-DSA raw pub".to_owned(), public.clone()));
            out.push(("ML-DSA pub base64url".to_owned(), b64(&public).into_bytes()));
        }
        tessera::jwt::KeyFamily::Hmac => unreachable!(),
    }
    out
}

#[test]
fn hmac_token_keyed_with_the_public_key_is_an_algorithm_mismatch() {
    for v in victims().iter().filter(|v| !v.verifier.is_symmetric()) {
        let single = verifier(v.verifier.clone());
        let set_kid = verifier(KeySet::new(vec![v.verifier.clone().with_kid("victim")]).unwrap());
        let set_nokid = verifier(KeySet::new(vec![v.verifier.clone()]).unwrap());
        let jwks_doc = jwt::jwks(&[v.verifier.clone().with_kid("victim")]).unwrap();
        let from_jwks = verifier(KeySet::from_jwks(jwks_doc.as_bytes(), &[]).unwrap());
        for (format, secret) in public_key_renderings(v) {
            for hs in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
                for kid in [None, Some("victim")] {
                    let mut header = json!({"alg": hs.as_str(), "typ": "JWT"});
                    if let Some(kid) = kid {
                        header["kid"] = kid.into();
                    }
                    let input = format!(
                        "{}.{}",
                        b64(serde_json::to_vec(&header).unwrap()),
                        claims_b64()
                    );
                    let mac = raw_hmac(hs, &secret, input.as_bytes());
                    let token = format!("{input}.{}", b64(mac));
                    let what = format!("{} {hs} keyed with {format}, kid {kid:?}", v.name);
                    expect(
                        single.verify(&token, NOW),
                        ErrorKind::AlgorithmMismatch,
                        &what,
                    );
                    expect(
                        jwt::verify_jws(&v.verifier, token.as_bytes()),
                        ErrorKind::AlgorithmMismatch,
                        &what,
                    );
                    // A key set: with the victim's kid the kid is known but bound to another
                    // algorithm; without a kid no key is bound to HS*.
                    let set_kind = if kid.is_some() {
                        ErrorKind::AlgorithmMismatch
                    } else {
                        ErrorKind::KeyNotFound
                    };
                    expect(set_kid.verify(&token, NOW), set_kind, &what);
                    expect(from_jwks.verify(&token, NOW), set_kind, &what);
                    expect(set_nokid.verify(&token, NOW), ErrorKind::KeyNotFound, &what);
                }
            }
        }
    }
}

#[test]
fn public_keys_cannot_become_hmac_keys() {
    for v in victims().iter().filter(|v| !v.verifier.is_symmetric()) {
        let pem = v.verifier.public_key_pem().unwrap();
        let der = v.verifier.public_key_der().unwrap();
        let private_pem = v.signer.private_key_pem().unwrap();
        for hs in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let what = format!("{} as {hs}", v.name);
            expect(
                Key::from_pem(pem.as_bytes(), Some(hs)),
                ErrorKind::KeyAlgorithmMismatch,
                &what,
            );
            expect(
                Key::from_pem(private_pem.as_bytes(), Some(hs)),
                ErrorKind::KeyAlgorithmMismatch,
                &what,
            );
            expect(
                Key::from_der(&der, Some(hs)),
                ErrorKind::KeyAlgorithmMismatch,
                &what,
            );
            expect(
                Key::from_jwk(jwk_text(&v.verifier).as_bytes(), Some(hs)),
                ErrorKind::KeyAlgorithmMismatch,
                &what,
            );
            // The JWK itself claims an HMAC algorithm.
            let mut jwk = v.verifier.public_jwk().unwrap();
            let _ = jwk.insert("alg".into(), hs.as_str().into());
            let text = serde_json::to_vec(&Value::Object(jwk.clone())).unwrap();
            expect(
                Key::from_jwk(&text, None),
                ErrorKind::KeyAlgorithmMismatch,
                &what,
            );
            // In a JWKS such a key is skipped, and a JWKS of only such keys has no key.
            let doc = json!({"keys": [Value::Object(jwk)]}).to_string();
            expect(
                KeySet::from_jwks(doc.as_bytes(), &[hs]),
                ErrorKind::KeyNotFound,
                &what,
            );
        }
        if v.verifier.family() == tessera::jwt::KeyFamily::Rsa {
            expect(
                Key::from_pem(RSA2048_PKCS1_PUB, Some(Algorithm::HS256)),
                ErrorKind::KeyAlgorithmMismatch,
                "PKCS#1 public PEM as HS256",
            );
            expect(
                Key::from_der(&pem_body_der(RSA2048_PKCS1_PUB), Some(Algorithm::HS256)),
                ErrorKind::KeyAlgorithmMismatch,
                "PKCS#1 public DER as HS256",
            );
        }
    }
    // And the other way: a shared secret cannot be bound to an asymmetric algorithm.
    // (ES512 and ES256K too: with ring no key at all can be bound to them.)
    for alg in [
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::ES256K,
        Algorithm::EdDSA,
    ] {
        expect(
            Key::hmac(&[7u8; 64], alg),
            ErrorKind::KeyAlgorithmMismatch,
            alg,
        );
        let jwk = format!(r#"{{"kty":"oct","k":"{}"}}"#, b64([7u8; 64]));
        expect(
            Key::from_jwk(jwk.as_bytes(), Some(alg)),
            ErrorKind::KeyAlgorithmMismatch,
            alg,
        );
    }
}

#[test]
fn asymmetric_token_against_an_hmac_verifier_is_an_algorithm_mismatch() {
    // The reverse confusion: the verifier holds a secret, the token names an asymmetric alg.
    let hmac = verifier(hmac_key());
    for v in victims().iter().filter(|v| !v.verifier.is_symmetric()) {
        let token = sign(&v.signer, &claims());
        expect(
            hmac.verify(&token, NOW),
            ErrorKind::AlgorithmMismatch,
            v.name,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Wrong curve
// ---------------------------------------------------------------------------------------------

#[test]
fn wrong_curve_tokens_and_keys_are_rejected() {
    let rng = rng();
    let p256 = Key::generate(Algorithm::ES256, &rng).unwrap();
    let p384 = Key::generate(Algorithm::ES384, &rng).unwrap();
    let t256 = sign(&p256, &claims());
    let t384 = sign(&p384, &claims());
    expect(
        verifier(p256.public_key().unwrap()).verify(&t384, NOW),
        ErrorKind::AlgorithmMismatch,
        "ES384 token, P-256 key",
    );
    expect(
        verifier(p384.public_key().unwrap()).verify(&t256, NOW),
        ErrorKind::AlgorithmMismatch,
        "ES256 token, P-384 key",
    );
    // A P-384 signature under an ES256 header, for the P-256 key: wrong length.
    let (h, p, _) = parts(&t256);
    let forged = sign_raw(&p384, &h, &p);
    expect(
        verifier(p256.public_key().unwrap()).verify(&forged, NOW),
        ErrorKind::InvalidSignature,
        "P-384 signature with ES256 header",
    );

    // JWKs whose `crv` lies about the coordinates.
    let mut lying = p384.public_jwk().unwrap();
    let _ = lying.insert("crv".into(), "P-256".into());
    let _ = lying.remove("alg");
    expect(
        Key::from_jwk_value(&lying, None),
        ErrorKind::InvalidKey,
        "P-384 coordinates claiming P-256",
    );
    let _ = lying.insert("alg".into(), "ES256".into());
    expect(
        Key::from_jwk_value(&lying, None),
        ErrorKind::InvalidKey,
        "P-384 coordinates claiming P-256 with alg ES256",
    );
    let mut lying = p256.public_jwk().unwrap();
    let _ = lying.insert("crv".into(), "P-384".into());
    let _ = lying.remove("alg");
    expect(
        Key::from_jwk_value(&lying, None),
        ErrorKind::InvalidKey,
        "P-256 coordinates claiming P-384",
    );
    // A private P-384 JWK relabelled P-256.
    let mut private: Map<String, Value> =
        serde_json::from_str(&p384.private_jwk().unwrap()).unwrap();
    let _ = private.insert("crv".into(), "P-256".into());
    let _ = private.insert("alg".into(), "ES256".into());
    expect(
        Key::from_jwk_value(&private, None),
        ErrorKind::InvalidKey,
        "private P-384 claiming P-256",
    );
    // A correct P-256 JWK bound to ES384.
    let mut mismatched = p256.public_jwk().unwrap();
    let _ = mismatched.insert("alg".into(), "ES384".into());
    expect(
        Key::from_jwk_value(&mismatched, None),
        ErrorKind::KeyAlgorithmMismatch,
        "P-256 JWK with alg ES384",
    );
    expect(
        Key::from_pem(
            p256.public_key_pem().unwrap().as_bytes(),
            Some(Algorithm::ES384),
        ),
        ErrorKind::KeyAlgorithmMismatch,
        "P-256 PEM bound to ES384",
    );
    // Invalid-curve points: y changed so the point is off the curve; x and y swapped.
    for (name, key) in [("P-256", &p256), ("P-384", &p384)] {
        let mut off = key.public_jwk().unwrap();
        let mut y = jwk_member(key, "y");
        *y.last_mut().unwrap() ^= 1;
        let _ = off.insert("y".into(), b64(&y).into());
        expect(
            Key::from_jwk_value(&off, None),
            ErrorKind::InvalidKey,
            format!("{name} point off the curve"),
        );
        let mut zero = key.public_jwk().unwrap();
        let len = y.len();
        let _ = zero.insert("x".into(), b64(vec![0u8; len]).into());
        let _ = zero.insert("y".into(), b64(vec![0u8; len]).into());
        expect(
            Key::from_jwk_value(&zero, None),
            ErrorKind::InvalidKey,
            format!("{name} (0, 0)"),
        );
    }
    // P-521 and secp256k1 points off their curve: invalid with aws-lc, an unsupported curve
    // with ring. Key-agreement curves are not signature keys.
    let aws_lc_curve = if Algorithm::ES512.is_supported() {
        ErrorKind::InvalidKey
    } else {
        ErrorKind::UnsupportedKey
    };
    for (jwk, want) in [
        (
            json!({"kty":"EC","crv":"P-521","x":b64([1u8;66]),"y":b64([1u8;66])}),
            aws_lc_curve,
        ),
        (
            json!({"kty":"EC","crv":"secp256k1","x":b64([1u8;32]),"y":b64([1u8;32])}),
            aws_lc_curve,
        ),
        (
            json!({"kty":"OKP","crv":"X25519","x":b64([9u8;32])}),
            ErrorKind::UnsupportedKey,
        ),
        (
            json!({"kty":"OKP","crv":"Ed448","x":b64([9u8;57])}),
            ErrorKind::UnsupportedKey,
        ),
    ] {
        expect(
            Key::from_jwk(jwk.to_string().as_bytes(), None),
            want,
            jwk.to_string(),
        );
    }
}

/// Every pair of ECDSA curves of the build, including the two with 64-byte signatures (P-256
/// and secp256k1) and the two with 66-byte coordinates or 132-byte signatures: a token of one
/// curve under a key of another is an algorithm mismatch, whatever verifier holds the key; the
/// same signature relabelled with the key's own `alg` is an invalid signature; coordinates of
/// one curve under another's `crv` are an invalid key.
#[test]
fn ecdsa_curves_never_stand_in_for_each_other() {
    let rng = rng();
    let keys: Vec<Key> = ecdsa_orders()
        .into_iter()
        .map(|(alg, _)| Key::generate(alg, &rng).unwrap().with_kid("ec"))
        .collect();
    assert_eq!(
        keys.len(),
        if Algorithm::ES512.is_supported() {
            4
        } else {
            2
        }
    );
    for signer in &keys {
        let token = sign(signer, &claims());
        let (_, p, s) = parts(&token);
        for victim in keys.iter().filter(|k| k.alg() != signer.alg()) {
            let public = victim.public_key().unwrap();
            let what = format!("{} token, {} key", signer.alg(), victim.alg());
            for v in [
                verifier(public.clone()),
                verifier(KeySet::new(vec![public.clone()]).unwrap()),
            ] {
                expect(v.verify(&token, NOW), ErrorKind::AlgorithmMismatch, &what);
            }
            expect(
                jwt::verify_jws(&public, token.as_bytes()),
                ErrorKind::AlgorithmMismatch,
                &what,
            );
            // The signature under the victim's own alg (and its kid).
            let header = b64(format!(r#"{{"alg":"{}","kid":"ec"}}"#, victim.alg()));
            expect(
                verifier(public.clone()).verify(format!("{header}.{p}.{s}"), NOW),
                ErrorKind::InvalidSignature,
                format!("{what}, relabelled"),
            );
            // The signer's coordinates under the victim's curve name.
            let mut lying = signer.public_jwk().unwrap();
            let _ = lying.remove("alg");
            let _ = lying.insert("crv".into(), victim.public_jwk().unwrap()["crv"].clone());
            expect(
                Key::from_jwk_value(&lying, None),
                ErrorKind::InvalidKey,
                format!("{what}: coordinates under the other crv"),
            );
        }
        // In one key set with every curve under the same kid, each token finds its own key.
        let set = KeySet::new(keys.iter().map(|k| k.public_key().unwrap()).collect()).unwrap();
        let verified = verifier(set).verify(&token, NOW).unwrap();
        assert_eq!(verified.header().alg(), Some(signer.alg()));
    }
}

// ---------------------------------------------------------------------------------------------
// 4. ECDSA signature encoding and malleability (CVE-2022-21449 "psychic signatures")
// ---------------------------------------------------------------------------------------------

#[test]
fn ecdsa_signature_encodings_and_psychic_signatures_are_rejected() {
    let rng = rng();
    for (alg, n) in ecdsa_orders() {
        let key = Key::generate(alg, &rng).unwrap();
        let public = key.public_key().unwrap();
        let single = verifier(public.clone());
        let set = verifier(KeySet::new(vec![public.clone()]).unwrap());
        let token = sign(&key, &claims());
        assert!(single.verify(&token, NOW).is_ok());
        let sig = signature_of(&token);
        let len = n.len();
        assert_eq!(sig.len(), 2 * len);
        let (r, s) = sig.split_at(len);

        // The same signature DER-encoded (what JCA/OpenSSL produce), by ring's ASN.1 signer
        // (aws-lc-rs's for the curves ring lacks).
        let (input, _) = token.rsplit_once('.').unwrap();
        let der_sig = match alg {
            Algorithm::ES256 | Algorithm::ES384 => {
                let asn1 = if alg == Algorithm::ES256 {
                    &signature::ECDSA_P256_SHA256_ASN1_SIGNING
                } else {
                    &signature::ECDSA_P384_SHA384_ASN1_SIGNING
                };
                EcdsaKeyPair::from_pkcs8(
                    asn1,
                    &key.private_key_der().unwrap(),
                    &ring::rand::SystemRandom::new(),
                )
                .unwrap()
                .sign(&ring::rand::SystemRandom::new(), input.as_bytes())
                .unwrap()
                .as_ref()
                .to_vec()
            }
            _ => aws_lc_ecdsa(&key, input.as_bytes(), true),
        };

        let zero = vec![0u8; len];
        let mut one = vec![0u8; len];
        *one.last_mut().unwrap() = 1;
        let n_minus_1 = sub_be(n, &one);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("DER-encoded", der_sig),
            ("one byte short", sig[..sig.len() - 1].to_vec()),
            ("one byte long", [&sig[..], &[0]].concat()),
            ("leading zero", [&[0u8][..], &sig].concat()),
            ("r only", r.to_vec()),
            ("r = s = 0 (CVE-2022-21449)", vec![0u8; 2 * len]),
            ("r = 0", [&zero[..], s].concat()),
            ("s = 0", [r, &zero[..]].concat()),
            ("r = s = 1", [&one[..], &one].concat()),
            ("r = n", [n, s].concat()),
            ("s = n", [r, n].concat()),
            ("r = s = n", [n, n].concat()),
            ("r = n - 1", [&n_minus_1[..], s].concat()),
            ("r = s = 0xFF..", vec![0xFF; 2 * len]),
            ("r and s swapped", [s, r].concat()),
            ("doubled", [&sig[..], &sig].concat()),
        ];
        for (what, bad) in cases {
            let forged = with_signature(&token, &bad);
            let what = format!("{alg} {what}");
            expect(
                single.verify(&forged, NOW),
                ErrorKind::InvalidSignature,
                &what,
            );
            expect(set.verify(&forged, NOW), ErrorKind::InvalidSignature, &what);
            expect(
                jwt::verify_jws(&public, forged.as_bytes()),
                ErrorKind::InvalidSignature,
                &what,
            );
        }
        // A zero-length signature is an empty part: the unsecured form.
        let (input, _) = token.rsplit_once('.').unwrap();
        expect(
            single.verify(format!("{input}."), NOW),
            ErrorKind::MalformedToken,
            format!("{alg} empty signature"),
        );
    }
}

/// (r, n - s) is a second valid ECDSA signature of the same message. RFC 7518 §3.4 does not
/// require low-s (unlike Bitcoin's BIP 62/146), nor does RFC 8812 for ES256K, and neither
/// backend's ECDSA verification enforces it, so the high-s twin verifies on every curve: a JWS is therefore *not* a unique string for its content,
/// and applications must not use the token text as a replay or revocation key (use `jti`).
#[test]
fn ecdsa_high_s_twin_behaviour_is_pinned() {
    let rng = rng();
    for (alg, n) in ecdsa_orders() {
        let key = Key::generate(alg, &rng).unwrap();
        let v = verifier(key.public_key().unwrap());
        let token = sign(&key, &claims());
        let sig = signature_of(&token);
        let (r, s) = sig.split_at(n.len());
        let twin = with_signature(&token, &[r, &sub_be(n, s)].concat());
        assert_ne!(twin, token);
        let verified = v
            .verify(&twin, NOW)
            .expect("the backend accepts the (r, n - s) twin of a valid ECDSA signature");
        assert_eq!(verified.claims(), v.verify(&token, NOW).unwrap().claims());
    }
}

#[test]
fn ed25519_non_canonical_and_degenerate_signatures_are_rejected() {
    let key = Key::generate(Algorithm::EdDSA, &rng()).unwrap();
    let public = key.public_key().unwrap();
    let v = verifier(public.clone());
    let token = sign(&key, &claims());
    assert!(v.verify(&token, NOW).is_ok());
    let sig = signature_of(&token);
    let (r, s) = sig.split_at(32);
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "S + L (malleated, non-canonical S)",
            [r, &add_le(s, &ED25519_L_LE)].concat(),
        ),
        ("S = L", [r, &ED25519_L_LE[..]].concat()),
        ("all zero", vec![0u8; 64]),
        ("R = identity, S = 0", [&identity[..], &[0u8; 32]].concat()),
        ("63 bytes", sig[..63].to_vec()),
        ("65 bytes", [&sig[..], &[0]].concat()),
        ("R only", r.to_vec()),
    ];
    for (what, bad) in cases {
        let forged = with_signature(&token, &bad);
        expect(v.verify(&forged, NOW), ErrorKind::InvalidSignature, what);
    }
}

/// A small-order Ed25519 public key (here the identity point) makes the signature
/// (R = identity, S = 0) valid for *every* message. Such a key is never the output of honest
/// key generation; a verifier should refuse to load it (Wycheproof and libsodium do).
#[test]
fn ed25519_small_order_public_keys_are_refused() {
    let mut identity = [0u8; 32];
    identity[0] = 1; // (0, 1): order 1
    let order4 = [0u8; 32]; // y = 0: a point of order 4
    let mut order2 = [0xFFu8; 32]; // y = p - 1 = -1: (0, -1), order 2
    order2[0] = 0xEC;
    order2[31] = 0x7F;
    let non_canonical = [0xFFu8; 32]; // y = 2^255 - 1 >= p
    for (what, x) in [
        ("identity", identity),
        ("order 4", order4),
        ("order 2", order2),
        ("non-canonical y", non_canonical),
    ] {
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(x)}).to_string();
        expect(
            Key::from_jwk(jwk.as_bytes(), None),
            ErrorKind::InvalidKey,
            what,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 5. RSA
// ---------------------------------------------------------------------------------------------

#[test]
fn rsa_signature_sizes_and_values_are_checked() {
    let key = rsa_private();
    let public = key.public_key().unwrap();
    let single = verifier(public.clone());
    let token = sign(&key, &claims());
    assert!(single.verify(&token, NOW).is_ok());
    let sig = signature_of(&token);
    assert_eq!(sig.len(), 256);
    let n = jwk_member(&public, "n");
    let mut one = vec![0u8; 256];
    one[255] = 1;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("one byte short", sig[..255].to_vec()),
        ("one byte short (leading byte dropped)", sig[1..].to_vec()),
        ("one byte long", [&sig[..], &[0]].concat()),
        ("one byte long (leading zero)", [&[0u8][..], &sig].concat()),
        ("all zero", vec![0u8; 256]),
        ("one", one.clone()),
        ("equal to the modulus", n.clone()),
        ("modulus - 1", sub_be(&n, &one)),
        ("all 0xFF (above the modulus)", vec![0xFF; 256]),
        ("257 bytes, leading 1", [&[1u8][..], &sig].concat()),
        ("empty-ish", vec![0u8]),
    ];
    for (what, bad) in cases {
        let forged = with_signature(&token, &bad);
        expect(
            single.verify(&forged, NOW),
            ErrorKind::InvalidSignature,
            what,
        );
    }
}

#[test]
fn rsa_pkcs1_and_pss_are_not_interchangeable() {
    let rs256 = rsa_private();
    let ps256 = rsa_private().with_alg(Algorithm::PS256).unwrap();
    let rs_token = sign(&rs256, &claims());
    let ps_token = sign(&ps256, &claims());
    let rs_verifier = verifier(rs256.public_key().unwrap());
    let ps_verifier = verifier(ps256.public_key().unwrap());
    assert!(rs_verifier.verify(&rs_token, NOW).is_ok());
    assert!(ps_verifier.verify(&ps_token, NOW).is_ok());
    expect(
        ps_verifier.verify(&rs_token, NOW),
        ErrorKind::AlgorithmMismatch,
        "RS256 token, PS256 key",
    );
    expect(
        rs_verifier.verify(&ps_token, NOW),
        ErrorKind::AlgorithmMismatch,
        "PS256 token, RS256 key",
    );
    // Every other pair of RSA algorithms.
    let rsa_algs = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ];
    let public = rsa_private().public_key().unwrap();
    for token_alg in rsa_algs {
        let header = format!(r#"{{"alg":"{token_alg}"}}"#);
        // The signature does not matter: the algorithm is checked first.
        let token = format!("{}.{}.{}", b64(&header), claims_b64(), b64([1u8; 256]));
        for key_alg in rsa_algs.iter().filter(|a| **a != token_alg) {
            let v = verifier(public.clone().with_alg(*key_alg).unwrap());
            expect(
                v.verify(&token, NOW),
                ErrorKind::AlgorithmMismatch,
                format!("{token_alg} token, {key_alg} key"),
            );
        }
    }
    // A PKCS#1 v1.5 signature under a PS256 header (and vice versa): the header claims the
    // key's algorithm, the padding is the other scheme.
    let (h_ps, p, _) = parts(&ps_token);
    let pkcs1_sig = raw_signature(&rs256, format!("{h_ps}.{p}").as_bytes());
    expect(
        ps_verifier.verify(format!("{h_ps}.{p}.{}", b64(pkcs1_sig)), NOW),
        ErrorKind::InvalidSignature,
        "PKCS#1 v1.5 signature under PS256",
    );
    let (h_rs, p, _) = parts(&rs_token);
    let pss_sig = raw_signature(&ps256, format!("{h_rs}.{p}").as_bytes());
    expect(
        rs_verifier.verify(format!("{h_rs}.{p}.{}", b64(pss_sig)), NOW),
        ErrorKind::InvalidSignature,
        "PSS signature under RS256",
    );
}

#[test]
fn weak_rsa_keys_are_refused_on_load() {
    for (what, pem) in [
        ("1024-bit PKCS#8", RSA1024),
        ("1024-bit PKCS#1", RSA1024_PKCS1),
        ("1024-bit SPKI", RSA1024_PUB),
    ] {
        for alg in [Algorithm::RS256, Algorithm::PS256] {
            expect(
                Key::from_pem(pem, Some(alg)),
                ErrorKind::WeakKey,
                format!("{what} {alg}"),
            );
        }
        expect(
            Key::from_der(&pem_body_der(pem), Some(Algorithm::RS256)),
            ErrorKind::WeakKey,
            format!("{what} DER"),
        );
    }
    // The 1024-bit public key as a JWK, alone and in a JWKS (weak keys fail the document).
    let der = pem_body_der(RSA1024_PUB);
    // SPKI for a 1024-bit key: the modulus is the 129-byte INTEGER (with its leading 0).
    let pos = der
        .windows(3)
        .position(|w| w == [0x02, 0x81, 0x81])
        .expect("modulus INTEGER");
    let n = &der[pos + 4..pos + 3 + 129];
    assert_eq!(n.len(), 128);
    let jwk = json!({"kty": "RSA", "n": b64(n), "e": "AQAB", "alg": "RS256"});
    expect(
        Key::from_jwk(jwk.to_string().as_bytes(), None),
        ErrorKind::WeakKey,
        "1024-bit JWK",
    );
    expect(
        KeySet::from_jwks(json!({"keys": [jwk]}).to_string().as_bytes(), &[]),
        ErrorKind::WeakKey,
        "1024-bit key in a JWKS",
    );

    // Bad public exponents on the good 2048-bit modulus.
    let good = rsa_private().public_key().unwrap();
    let n = jwk_member(&good, "n");
    for (what, e) in [
        ("e = 1", vec![1u8]),
        ("e = 0", vec![0u8]),
        ("e empty", vec![]),
        ("e = 2", vec![2u8]),
        ("e = 65538 (even)", vec![1, 0, 2]),
        ("e = 2^34 + 1", vec![4, 0, 0, 0, 1]),
        ("e = 0x0000000001 (1, padded)", vec![0, 0, 0, 0, 1]),
    ] {
        let jwk = json!({"kty": "RSA", "n": b64(&n), "e": b64(&e), "alg": "RS256"});
        expect(
            Key::from_jwk(jwk.to_string().as_bytes(), None),
            ErrorKind::WeakKey,
            what,
        );
    }
    // e = 3 is small but legal (RFC 7518 does not forbid it).
    let e3 = json!({"kty": "RSA", "n": b64(&n), "e": "Aw", "alg": "RS256"});
    assert!(Key::from_jwk(e3.to_string().as_bytes(), None).is_ok());

    // A 2047-bit modulus, and an even modulus.
    let mut short = n.clone();
    short[0] &= 0x7F;
    let jwk = json!({"kty": "RSA", "n": b64(&short), "e": "AQAB", "alg": "RS256"});
    expect(
        Key::from_jwk(jwk.to_string().as_bytes(), None),
        ErrorKind::WeakKey,
        "2047-bit modulus",
    );
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xFE;
    let jwk = json!({"kty": "RSA", "n": b64(&even), "e": "AQAB", "alg": "RS256"});
    expect(
        Key::from_jwk(jwk.to_string().as_bytes(), None),
        ErrorKind::InvalidKey,
        "even modulus",
    );

    // A modulus with the ROCA fingerprint (CVE-2017-15361): 65537^129 is odd, 2065 bits, and
    // its residue modulo every small prime lies in the subgroup generated by 65537.
    let mut roca = vec![1u8];
    for _ in 0..129 {
        let mut carry = 0u32;
        for b in roca.iter_mut().rev() {
            let v = u32::from(*b) * 65537 + carry;
            *b = (v & 0xFF) as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            roca.insert(0, (carry & 0xFF) as u8);
            carry >>= 8;
        }
    }
    assert!(roca.len() * 8 >= 2048);
    let jwk = json!({"kty": "RSA", "n": b64(&roca), "e": "AQAB", "alg": "RS256"});
    expect(
        Key::from_jwk(jwk.to_string().as_bytes(), None),
        ErrorKind::WeakKey,
        "ROCA modulus",
    );
}

// ---------------------------------------------------------------------------------------------
// 6. `crit` (RFC 7515 §4.1.11) and `b64` (RFC 7797)
// ---------------------------------------------------------------------------------------------

#[test]
fn critical_header_rules() {
    let key = hmac_key();
    let tok = |header: &str| jwt::sign_jws(&key, header.as_bytes(), &claims_to_vec(), &rng());
    let plain = verifier(key.clone());
    let declared = Verifier::builder(key.clone())
        .issuer(ISS)
        .audience(AUD)
        .critical("exp-ext")
        .critical("b64")
        .build()
        .unwrap();

    let unknown = tok(r#"{"alg":"HS256","crit":["exp-ext"],"exp-ext":1}"#).unwrap();
    expect(
        plain.verify(&unknown, NOW),
        ErrorKind::UnsupportedCritical,
        "undeclared crit",
    );
    expect(
        jwt::verify_jws(&key, unknown.as_bytes()),
        ErrorKind::UnsupportedCritical,
        "verify_jws understands no crit",
    );
    assert!(declared.verify(&unknown, NOW).is_ok());
    let other = tok(r#"{"alg":"HS256","crit":["exp-ext","other"],"exp-ext":1,"other":2}"#).unwrap();
    expect(
        declared.verify(&other, NOW),
        ErrorKind::UnsupportedCritical,
        "one of two crit names undeclared",
    );

    for (header, what) in [
        (r#"{"alg":"HS256","crit":["alg"]}"#, "crit names alg"),
        (
            r#"{"alg":"HS256","crit":["kid"],"kid":"x"}"#,
            "crit names kid",
        ),
        (r#"{"alg":"HS256","crit":["crit"]}"#, "crit names crit"),
        (r#"{"alg":"HS256","crit":[]}"#, "empty crit"),
        (
            r#"{"alg":"HS256","crit":["exp-ext"]}"#,
            "crit member absent",
        ),
        (
            r#"{"alg":"HS256","crit":"exp-ext","exp-ext":1}"#,
            "crit a string",
        ),
        (r#"{"alg":"HS256","crit":[1]}"#, "crit lists a number"),
        (r#"{"alg":"HS256","crit":null}"#, "crit null"),
        (
            r#"{"alg":"HS256","crit":{"exp-ext":1},"exp-ext":1}"#,
            "crit an object",
        ),
    ] {
        let token = tok(header).unwrap();
        expect(plain.verify(&token, NOW), ErrorKind::InvalidHeader, what);
        expect(declared.verify(&token, NOW), ErrorKind::InvalidHeader, what);
    }

    // A repeated name: the first occurrence is checked against the understood names before the
    // repeat is seen, so an undeclared name reports UnsupportedCritical and a declared one
    // InvalidHeader. Rejected either way.
    let repeated = tok(r#"{"alg":"HS256","crit":["exp-ext","exp-ext"],"exp-ext":1}"#).unwrap();
    expect(
        plain.verify(&repeated, NOW),
        ErrorKind::UnsupportedCritical,
        "crit name repeated, undeclared",
    );
    expect(
        declared.verify(&repeated, NOW),
        ErrorKind::InvalidHeader,
        "crit name repeated, declared",
    );

    // Unencoded payloads (RFC 7797) are refused, whether or not `b64` is declared critical.
    for header in [
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
        r#"{"alg":"HS256","b64":false}"#,
    ] {
        let token = tok(header).unwrap();
        expect(
            plain.verify(&token, NOW),
            ErrorKind::UnsupportedCritical,
            header,
        );
        expect(
            declared.verify(&token, NOW),
            ErrorKind::UnsupportedCritical,
            header,
        );
    }
}

fn claims_to_vec() -> Vec<u8> {
    serde_json::to_vec(&claims()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// 7. Keys embedded in the token (RFC 8725 §3.10; CVE-2018-0114, CVE-2023-xxxx jku/x5u tricks)
// ---------------------------------------------------------------------------------------------

#[test]
fn embedded_keys_are_never_trusted() {
    let rng = rng();
    let cert_der = pem_body_der(ATTACKER_CERT);
    let pairs: Vec<(&str, Key, Key)> = vec![
        ("RS256", rsa_private(), rsa_attacker()),
        (
            "ES256",
            Key::generate(Algorithm::ES256, &rng).unwrap(),
            Key::generate(Algorithm::ES256, &rng).unwrap(),
        ),
        (
            "EdDSA",
            Key::generate(Algorithm::EdDSA, &rng).unwrap(),
            Key::generate(Algorithm::EdDSA, &rng).unwrap(),
        ),
        (
            "HS256",
            hmac_key(),
            Key::generate(Algorithm::HS256, &rng).unwrap(),
        ),
    ];
    // With aws-lc, P-521 and secp256k1 too.
    let pairs: Vec<(&str, Key, Key)> = pairs
        .into_iter()
        .chain(
            [("ES512", Algorithm::ES512), ("ES256K", Algorithm::ES256K)]
                .into_iter()
                .filter(|(_, alg)| alg.is_supported())
                .map(|(name, alg)| {
                    (
                        name,
                        Key::generate(alg, &rng).unwrap(),
                        Key::generate(alg, &rng).unwrap(),
                    )
                }),
        )
        .collect();
    for (name, victim, attacker) in pairs {
        let victim_public = if victim.is_symmetric() {
            victim.clone()
        } else {
            victim.public_key().unwrap()
        };
        let embedded = if attacker.is_symmetric() {
            let k: Value = serde_json::from_str(&attacker.private_jwk().unwrap()).unwrap();
            k
        } else {
            Value::Object(attacker.public_jwk().unwrap())
        };
        let single = verifier(victim_public.clone());
        let set_kid =
            verifier(KeySet::new(vec![victim_public.clone().with_kid("victim")]).unwrap());
        let set_nokid = verifier(KeySet::new(vec![victim_public.clone()]).unwrap());
        let headers: Vec<(&str, Header)> = vec![
            ("jwk", Header::new().extra("jwk", embedded.clone()).unwrap()),
            (
                "jku",
                Header::new()
                    .extra("jku", "https://attacker.example/jwks.json")
                    .unwrap(),
            ),
            (
                "x5u",
                Header::new()
                    .extra("x5u", "https://attacker.example/cert.pem")
                    .unwrap(),
            ),
            (
                "x5c",
                Header::new()
                    .extra("x5c", json!([STANDARD.encode(&cert_der)]))
                    .unwrap(),
            ),
            (
                "all",
                Header::new()
                    .extra("jwk", embedded.clone())
                    .unwrap()
                    .extra("jku", "https://attacker.example/jwks.json")
                    .unwrap()
                    .extra("x5c", json!([STANDARD.encode(&cert_der)]))
                    .unwrap(),
            ),
        ];
        for (what, header) in headers {
            let what = format!("{name} with {what}");
            // Control: the same header signed by the victim verifies (the members are inert).
            let honest = jwt::sign(&victim, &header, &claims(), &rng).unwrap();
            let verified = single.verify(&honest, NOW).unwrap();
            assert!(!verified.header().extra_members().is_empty());

            let forged = jwt::sign(&attacker, &header, &claims(), &rng).unwrap();
            expect(
                single.verify(&forged, NOW),
                ErrorKind::InvalidSignature,
                &what,
            );
            expect(
                jwt::verify_jws(&victim_public, forged.as_bytes()),
                ErrorKind::InvalidSignature,
                &what,
            );
            expect(
                set_nokid.verify(&forged, NOW),
                ErrorKind::InvalidSignature,
                &what,
            );
            // With the victim's kid: that key is used, not the embedded one.
            let forged_kid =
                jwt::sign(&attacker, &header.clone().kid("victim"), &claims(), &rng).unwrap();
            expect(
                set_kid.verify(&forged_kid, NOW),
                ErrorKind::InvalidSignature,
                &what,
            );
            // With the attacker's own kid: no such key in the set.
            let forged_own =
                jwt::sign(&attacker, &header.clone().kid("attacker"), &claims(), &rng).unwrap();
            expect(
                set_kid.verify(&forged_own, NOW),
                ErrorKind::KeyNotFound,
                &what,
            );
            // A kid-less key set falls back to its kid-less keys, never to the header's key.
            expect(
                set_nokid.verify(&forged_own, NOW),
                ErrorKind::InvalidSignature,
                &what,
            );
        }
    }
}

#[test]
fn kid_is_matched_exactly() {
    let key = Key::generate(Algorithm::ES256, &rng())
        .unwrap()
        .with_kid("k1");
    let set = verifier(KeySet::new(vec![key.public_key().unwrap()]).unwrap());
    for kid in [
        "K1",
        "k1 ",
        " k1",
        "k1\u{0}",
        "k",
        "k11",
        "../k1",
        "k1' OR '1'='1",
        "\u{43a}1",
    ] {
        let token = jwt::sign(&key, &Header::new().kid(kid), &claims(), &rng()).unwrap();
        expect(set.verify(&token, NOW), ErrorKind::KeyNotFound, kid);
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Duplicate members (RFC 7515 §5.2, RFC 7519 §4; parser-differential attacks)
// ---------------------------------------------------------------------------------------------

#[test]
fn duplicate_members_are_rejected_even_with_a_valid_signature() {
    let rng = rng();
    let hs = hmac_key();
    let ed = Key::generate(Algorithm::EdDSA, &rng).unwrap();
    for key in [&hs, &ed] {
        let public = if key.is_symmetric() {
            key.clone()
        } else {
            key.public_key().unwrap()
        };
        let alg = key.alg().as_str();
        let v = verifier(public.clone());
        let good_claims = claims_to_vec();
        let headers = [
            format!(r#"{{"alg":"{alg}","alg":"{alg}"}}"#),
            format!(r#"{{"alg":"{alg}","alg":"none"}}"#),
            format!(r#"{{"alg":"none","alg":"{alg}"}}"#),
            format!(r#"{{"alg":"{alg}","\u0061lg":"none"}}"#),
            format!(r#"{{"\u0061\u006c\u0067":"{alg}","alg":"{alg}"}}"#),
            format!(r#"{{"alg":"{alg}","kid":"a","kid":"b"}}"#),
            format!(r#"{{"alg":"{alg}","typ":"JWT","typ":"at+jwt"}}"#),
            format!(r#"{{"alg":"{alg}","crit":["x"],"x":1,"x":2}}"#),
            format!(r#"{{"alg":"{alg}","jwk":{{"kty":"oct","kty":"RSA"}}}}"#),
        ];
        for header in &headers {
            let token = sign_bytes(key, header.as_bytes(), &good_claims);
            expect(v.verify(&token, NOW), ErrorKind::DuplicateMember, header);
            expect(
                jwt::verify_jws(&public, token.as_bytes()),
                ErrorKind::DuplicateMember,
                header,
            );
            // The signer refuses to produce such a header in the first place.
            expect(
                jwt::sign_jws(key, header.as_bytes(), &good_claims, &rng),
                ErrorKind::DuplicateMember,
                header,
            );
        }
        let exp = NOW + 300;
        let payloads = [
            format!(r#"{{"iss":"{ISS}","aud":"{AUD}","exp":{exp},"exp":{exp}}}"#),
            format!(r#"{{"iss":"{ISS}","aud":"{AUD}","exp":1,"exp":{exp}}}"#),
            format!(r#"{{"iss":"{ISS}","aud":"{AUD}","exp":{exp},"sub":"a","sub":"b"}}"#),
            format!(r#"{{"iss":"{ISS}","aud":"{AUD}","exp":{exp},"\u0073ub":"a","sub":"a"}}"#),
            format!(r#"{{"iss":"{ISS}","iss":"https://evil.example","aud":"{AUD}","exp":{exp}}}"#),
            format!(r#"{{"iss":"{ISS}","aud":"{AUD}","aud":["other"],"exp":{exp}}}"#),
            format!(r#"{{"iss":"{ISS}","aud":"{AUD}","exp":{exp},"x":{{"a":1,"a":2}}}}"#),
            format!(r#"{{"iss":"{ISS}","aud":"{AUD}","exp":{exp},"x":[{{"a":1,"a":2}}]}}"#),
        ];
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        for payload in &payloads {
            // sign_jws signs arbitrary payload octets: the signature is valid.
            let token = jwt::sign_jws(key, header.as_bytes(), payload.as_bytes(), &rng).unwrap();
            assert!(jwt::verify_jws(&public, token.as_bytes()).is_ok());
            expect(v.verify(&token, NOW), ErrorKind::DuplicateMember, payload);
            // The JWT signer refuses them.
            expect(
                jwt::sign_json(key, &Header::new(), payload.as_bytes(), &rng),
                ErrorKind::DuplicateMember,
                payload,
            );
        }
        // Same-looking but distinct names are not duplicates.
        let distinct =
            format!(r#"{{"iss":"{ISS}","aud":"{AUD}","exp":{exp},"sub":"a","Sub":"b"}}"#);
        let token = jwt::sign_jws(key, header.as_bytes(), distinct.as_bytes(), &rng).unwrap();
        assert!(v.verify(&token, NOW).is_ok());
    }
}

// ---------------------------------------------------------------------------------------------
// 9. Claim type confusion
// ---------------------------------------------------------------------------------------------

#[test]
fn registered_claims_of_the_wrong_type_are_rejected() {
    let key = hmac_key();
    let lenient = Verifier::builder(key.clone())
        .accept_any_audience()
        .build()
        .unwrap();
    let strict = Verifier::builder(key.clone())
        .issuer(ISS)
        .audience(AUD)
        .subject("user-1")
        .build()
        .unwrap();
    let exp = NOW + 300;
    let cases: Vec<(&str, Value)> = vec![
        ("exp string", json!({"exp": "9999999999"})),
        ("exp null", json!({"exp": null})),
        ("exp true", json!({"exp": true})),
        ("exp array", json!({"exp": [exp]})),
        ("exp object", json!({"exp": {"value": exp}})),
        ("nbf string", json!({"exp": exp, "nbf": "0"})),
        ("nbf null", json!({"exp": exp, "nbf": null})),
        ("iat array", json!({"exp": exp, "iat": []})),
        ("iat string", json!({"exp": exp, "iat": "now"})),
        ("aud number", json!({"exp": exp, "aud": 7})),
        ("aud mixed array", json!({"exp": exp, "aud": [AUD, 7]})),
        ("aud nested array", json!({"exp": exp, "aud": [[AUD]]})),
        ("aud null", json!({"exp": exp, "aud": null})),
        ("aud object", json!({"exp": exp, "aud": {"aud": AUD}})),
        (
            "aud array with null",
            json!({"exp": exp, "aud": [AUD, null]}),
        ),
        ("iss array", json!({"exp": exp, "iss": [ISS]})),
        ("iss null", json!({"exp": exp, "iss": null})),
        ("iss number", json!({"exp": exp, "iss": 1})),
        ("sub number", json!({"exp": exp, "sub": 1})),
        ("sub bool", json!({"exp": exp, "sub": true})),
        ("jti object", json!({"exp": exp, "jti": {}})),
        ("jti number", json!({"exp": exp, "jti": 12345})),
    ];
    for (what, claims) in cases {
        let token = sign(&key, &claims);
        expect(
            lenient.verify(&token, NOW),
            ErrorKind::InvalidClaimType,
            what,
        );
        expect(
            strict.verify(&token, NOW),
            ErrorKind::InvalidClaimType,
            what,
        );
    }
    // An empty audience array is well-typed but names nobody.
    let token = sign(
        &key,
        &json!({"iss": ISS, "sub": "user-1", "aud": [], "exp": exp}),
    );
    expect(
        strict.verify(&token, NOW),
        ErrorKind::AudienceMismatch,
        "aud []",
    );
    // A JSON number too large for f64 is not JSON tessera accepts.
    let header = br#"{"alg":"HS256"}"#;
    let token = jwt::sign_jws(&key, header, br#"{"exp":1e400}"#, &rng()).unwrap();
    expect(
        lenient.verify(&token, NOW),
        ErrorKind::InvalidJson,
        "exp 1e400",
    );
    // Unregistered claims may have any type.
    let token = sign(
        &key,
        &json!({"exp": exp, "scope": 7, "roles": {"admin": true}, "nonce": null}),
    );
    assert!(lenient.verify(&token, NOW).is_ok());
}

// ---------------------------------------------------------------------------------------------
// 10. iss / aud / sub / typ: exact matching, presence implied by expectation
// ---------------------------------------------------------------------------------------------

#[test]
fn issuer_audience_and_subject_match_exactly() {
    let key = hmac_key();
    let v = Verifier::builder(key.clone())
        .issuer(ISS)
        .audience(AUD)
        .subject("user-1")
        .build()
        .unwrap();
    let base = claims();
    let with = |name: &str, value: Value| {
        let mut c = base.clone();
        c[name] = value;
        sign(&key, &c)
    };
    let without = |name: &str| {
        let mut c = base.clone();
        let _ = c.as_object_mut().unwrap().remove(name);
        sign(&key, &c)
    };
    assert!(v.verify(sign(&key, &base), NOW).is_ok());

    for iss in [
        "https://as.example.evil",
        "https://as.example/",
        "HTTPS://AS.EXAMPLE",
        "https://AS.example",
        "https://as.exampl",
        "https://as.example ",
        " https://as.example",
        "https://as.example\u{0}",
        "https://as.example#",
        "https://as.example?",
        "https://as.example:443",
        "http://as.example",
        "https://\u{430}s.example",
        "https://evil.example/https://as.example",
        "",
    ] {
        expect(
            v.verify(with("iss", iss.into()), NOW),
            ErrorKind::IssuerMismatch,
            format!("iss {iss:?}"),
        );
    }
    for aud in [
        json!("ap"),
        json!("api2"),
        json!("API"),
        json!("api "),
        json!(" api"),
        json!("api,other"),
        json!("other api"),
        json!(["apix"]),
        json!(["x", "y"]),
        json!(["a", "p", "i"]),
        json!(""),
    ] {
        expect(
            v.verify(with("aud", aud.clone()), NOW),
            ErrorKind::AudienceMismatch,
            format!("aud {aud}"),
        );
    }
    assert!(v.verify(with("aud", json!(["x", AUD])), NOW).is_ok());
    for sub in ["user-10", "USER-1", "user-1 ", "user", ""] {
        expect(
            v.verify(with("sub", sub.into()), NOW),
            ErrorKind::SubjectMismatch,
            format!("sub {sub:?}"),
        );
    }
    for name in ["iss", "aud", "sub"] {
        expect(
            v.verify(without(name), NOW),
            ErrorKind::MissingClaim,
            format!("{name} absent"),
        );
    }
    // Several accepted issuers and audiences: any one of them.
    let multi = Verifier::builder(key.clone())
        .issuer("https://a.example")
        .issuer(ISS)
        .audience("x")
        .audience(AUD)
        .build()
        .unwrap();
    assert!(multi.verify(sign(&key, &base), NOW).is_ok());

    // RFC 7519 §4.1.3: a token naming an audience is rejected by a verifier that expects none…
    let no_aud = Verifier::builder(key.clone()).issuer(ISS).build().unwrap();
    expect(
        no_aud.verify(sign(&key, &base), NOW),
        ErrorKind::AudienceMismatch,
        "aud present, none expected",
    );
    expect(
        no_aud.verify(with("aud", json!([])), NOW),
        ErrorKind::AudienceMismatch,
        "aud [] present, none expected",
    );
    // …unless the verifier opts in to serving every audience.
    let any = Verifier::builder(key.clone())
        .issuer(ISS)
        .accept_any_audience()
        .build()
        .unwrap();
    assert!(any.verify(sign(&key, &base), NOW).is_ok());
    assert!(no_aud.verify(without("aud"), NOW).is_ok());

    // Empty expected values are a configuration error, not "match anything".
    for b in [
        Verifier::builder(key.clone()).issuer(""),
        Verifier::builder(key.clone()).audience(""),
        Verifier::builder(key.clone()).subject(""),
        Verifier::builder(key.clone()).typ(""),
        Verifier::builder(key.clone()).require(""),
    ] {
        expect(b.build(), ErrorKind::InvalidArgument, "empty expectation");
    }
    // require(name): presence of any value.
    let needs_jti = Verifier::builder(key.clone())
        .accept_any_audience()
        .require("jti")
        .build()
        .unwrap();
    expect(
        needs_jti.verify(sign(&key, &base), NOW),
        ErrorKind::MissingClaim,
        "jti required",
    );
    assert!(needs_jti.verify(with("jti", "j-1".into()), NOW).is_ok());
}

// ---------------------------------------------------------------------------------------------
// 11. Time claims
// ---------------------------------------------------------------------------------------------

fn hs_token(claims: Value) -> String {
    sign(&hmac_key(), &claims)
}

fn timed(leeway: u64) -> VerifierBuilder {
    Verifier::builder(hmac_key()).leeway(leeway)
}

#[test]
fn expiry_boundaries() {
    let strict = timed(0).build().unwrap();
    let default = Verifier::new(hmac_key());
    // now >= exp means expired.
    expect(
        strict.verify(hs_token(json!({"exp": NOW})), NOW),
        ErrorKind::Expired,
        "exp = now",
    );
    assert!(
        strict
            .verify(hs_token(json!({"exp": NOW + 1})), NOW)
            .is_ok()
    );
    expect(
        strict.verify(hs_token(json!({"exp": NOW - 1})), NOW),
        ErrorKind::Expired,
        "exp = now - 1",
    );
    // Default leeway 30 s.
    assert!(
        default
            .verify(hs_token(json!({"exp": NOW - 29})), NOW)
            .is_ok()
    );
    expect(
        default.verify(hs_token(json!({"exp": NOW - 30})), NOW),
        ErrorKind::Expired,
        "exp = now - leeway",
    );
    // Leeway 300 (the maximum), and above it is refused at build time.
    let wide = timed(300).build().unwrap();
    assert!(
        wide.verify(hs_token(json!({"exp": NOW - 299})), NOW)
            .is_ok()
    );
    expect(
        wide.verify(hs_token(json!({"exp": NOW - 300})), NOW),
        ErrorKind::Expired,
        "exp = now - 300",
    );
    expect(timed(301).build(), ErrorKind::InvalidArgument, "leeway 301");
    expect(
        timed(u64::MAX).build(),
        ErrorKind::InvalidArgument,
        "leeway u64::MAX",
    );
    // exp is required by default; require_exp(false) accepts tokens without it.
    expect(
        default.verify(hs_token(json!({"sub": "x"})), NOW),
        ErrorKind::MissingClaim,
        "no exp",
    );
    let no_exp = timed(0).require_exp(false).build().unwrap();
    assert!(no_exp.verify(hs_token(json!({"sub": "x"})), NOW).is_ok());
    expect(
        no_exp.verify(hs_token(json!({"exp": NOW})), NOW),
        ErrorKind::Expired,
        "exp still checked when not required",
    );
}

#[test]
fn not_before_and_issued_at_boundaries() {
    let strict = timed(0).build().unwrap();
    let default = Verifier::new(hmac_key());
    let exp = NOW + 1000;
    assert!(
        strict
            .verify(hs_token(json!({"exp": exp, "nbf": NOW})), NOW)
            .is_ok()
    );
    expect(
        strict.verify(hs_token(json!({"exp": exp, "nbf": NOW + 1})), NOW),
        ErrorKind::NotYetValid,
        "nbf = now + 1",
    );
    assert!(
        default
            .verify(hs_token(json!({"exp": exp, "nbf": NOW + 30})), NOW)
            .is_ok()
    );
    expect(
        default.verify(hs_token(json!({"exp": exp, "nbf": NOW + 31})), NOW),
        ErrorKind::NotYetValid,
        "nbf = now + leeway + 1",
    );
    // iat in the future.
    assert!(
        strict
            .verify(hs_token(json!({"exp": exp, "iat": NOW})), NOW)
            .is_ok()
    );
    expect(
        strict.verify(hs_token(json!({"exp": exp, "iat": NOW + 1})), NOW),
        ErrorKind::IssuedInFuture,
        "iat = now + 1",
    );
    assert!(
        default
            .verify(hs_token(json!({"exp": exp, "iat": NOW + 30})), NOW)
            .is_ok()
    );
    expect(
        default.verify(hs_token(json!({"exp": exp, "iat": NOW + 31})), NOW),
        ErrorKind::IssuedInFuture,
        "iat = now + leeway + 1",
    );
}

#[test]
fn max_age_boundaries() {
    let exp = NOW + 1000;
    let strict = timed(0).max_age(600).build().unwrap();
    assert!(
        strict
            .verify(hs_token(json!({"exp": exp, "iat": NOW - 600})), NOW)
            .is_ok()
    );
    expect(
        strict.verify(hs_token(json!({"exp": exp, "iat": NOW - 601})), NOW),
        ErrorKind::TooOld,
        "iat = now - max_age - 1",
    );
    expect(
        strict.verify(hs_token(json!({"exp": exp})), NOW),
        ErrorKind::MissingClaim,
        "max age needs iat",
    );
    let lenient = timed(30).max_age(600).build().unwrap();
    assert!(
        lenient
            .verify(hs_token(json!({"exp": exp, "iat": NOW - 630})), NOW)
            .is_ok()
    );
    expect(
        lenient.verify(hs_token(json!({"exp": exp, "iat": NOW - 631})), NOW),
        ErrorKind::TooOld,
        "iat = now - max_age - leeway - 1",
    );
    let zero = timed(0).max_age(0).build().unwrap();
    assert!(
        zero.verify(hs_token(json!({"exp": exp, "iat": NOW})), NOW)
            .is_ok()
    );
    expect(
        zero.verify(hs_token(json!({"exp": exp, "iat": NOW - 1})), NOW),
        ErrorKind::TooOld,
        "max age 0",
    );
    let huge = timed(0).max_age(u64::MAX).build().unwrap();
    assert!(
        huge.verify(hs_token(json!({"exp": exp, "iat": 0})), NOW)
            .is_ok()
    );
    // Issued before the epoch: not a NumericDate at all.
    expect(
        huge.verify(hs_token(json!({"exp": exp, "iat": i64::MIN})), NOW),
        ErrorKind::InvalidClaimType,
        "iat i64::MIN, max age u64::MAX",
    );
}

#[test]
fn dates_outside_the_numericdate_range_are_type_errors() {
    let strict = timed(0).build().unwrap();
    let key = hmac_key();
    let raw = |claims: &str| {
        jwt::sign_jws(&key, br#"{"alg":"HS256"}"#, claims.as_bytes(), &rng()).unwrap()
    };
    // Issue 14 §3: a NumericDate is a finite number in 0..=253402300799
    // (9999-12-31T23:59:59Z). Past that (a millisecond timestamp, 1e300, u64::MAX) or before
    // the epoch, the claim is mistyped, whatever the clock says.
    let far = NOW + 1000;
    for value in [
        "253402300800",         // the last second + 1
        "253402300799.5",       // past the last second, before rounding
        "1800000000000",        // milliseconds: the year 59000
        "9223372036854775807",  // i64::MAX
        "18446744073709551615", // u64::MAX
        "18446744073709551616", // u64::MAX + 1 (parsed as a float)
        "100000000000000000000000000",
        "1e300",
        "1.7976931348623157e308",
        "-1",
        "-0.5",
        "-1e300",
        "-9223372036854775808",
    ] {
        for claims in [
            format!(r#"{{"exp":{value}}}"#),
            format!(r#"{{"exp":{far},"nbf":{value}}}"#),
            format!(r#"{{"exp":{far},"iat":{value}}}"#),
        ] {
            for now in [NOW, 0, i64::MAX - 1] {
                let err = strict.verify(raw(&claims), now).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::InvalidClaimType, "{claims} at {now}");
                let name = claims
                    .rsplit_once("\":")
                    .unwrap()
                    .0
                    .rsplit_once('"')
                    .unwrap()
                    .1;
                assert!(
                    err.detail().contains(&format!("{name:?}")),
                    "{claims}: {err}"
                );
            }
        }
    }
    // The edges themselves are dates: the last second, the epoch, fractions inside.
    assert!(strict.verify(raw(r#"{"exp":253402300799}"#), NOW).is_ok());
    assert!(strict.verify(raw(r#"{"exp":253402300798.9}"#), NOW).is_ok());
    expect(
        strict.verify(raw(r#"{"exp":253402300799}"#), 253_402_300_799),
        ErrorKind::Expired,
        "exp at the last second",
    );
    for exp in ["0", "0.5", "-0.0", "1e3"] {
        expect(
            strict.verify(raw(&format!(r#"{{"exp":{exp}}}"#)), NOW),
            ErrorKind::Expired,
            format!("exp {exp}"),
        );
    }
    expect(
        strict.verify(raw(&format!(r#"{{"exp":{far},"nbf":253402300799}}"#)), NOW),
        ErrorKind::NotYetValid,
        "nbf at the last second",
    );
    assert!(
        strict
            .verify(raw(&format!(r#"{{"exp":{far},"nbf":0,"iat":0.25}}"#)), NOW)
            .is_ok()
    );
    expect(
        strict.verify(raw(&format!(r#"{{"exp":{far},"iat":253402300799}}"#)), NOW),
        ErrorKind::IssuedInFuture,
        "iat at the last second",
    );
    let aged = timed(0).max_age(60).build().unwrap();
    expect(
        aged.verify(raw(&format!(r#"{{"exp":{far},"iat":0}}"#)), NOW),
        ErrorKind::TooOld,
        "iat 0",
    );
    // Extreme clocks.
    let default = Verifier::new(hmac_key());
    let epoch = raw(&format!(r#"{{"exp":{far},"nbf":0,"iat":0}}"#));
    for now in [i64::MIN, i64::MIN + 1, -31] {
        expect(
            default.verify(&epoch, now),
            ErrorKind::NotYetValid,
            format!("now {now}"),
        );
    }
    assert!(default.verify(&epoch, -30).is_ok());
    expect(
        aged.verify(raw(&format!(r#"{{"exp":{far},"iat":0}}"#)), i64::MIN),
        ErrorKind::IssuedInFuture,
        "iat 0 at i64::MIN",
    );
    expect(
        aged.verify(raw(&format!(r#"{{"exp":{far},"iat":0}}"#)), NOW),
        ErrorKind::TooOld,
        "iat 0 at NOW",
    );
    expect(
        default.verify(raw(&format!(r#"{{"exp":{far}}}"#)), i64::MAX),
        ErrorKind::Expired,
        "now i64::MAX",
    );

    // Fractions: exp and iat round down, nbf rounds up (the documented, conservative choice
    // for exp and nbf).
    expect(
        strict.verify(raw(&format!(r#"{{"exp":{NOW}.5}}"#)), NOW),
        ErrorKind::Expired,
        "exp now + 0.5 rounds down to now",
    );
    assert!(
        strict
            .verify(raw(&format!(r#"{{"exp":{}.5}}"#, NOW + 1)), NOW)
            .is_ok()
    );
    expect(
        strict.verify(raw(&format!(r#"{{"exp":{far},"nbf":{NOW}.25}}"#)), NOW),
        ErrorKind::NotYetValid,
        "nbf now + 0.25 rounds up",
    );
    assert!(
        strict
            .verify(
                raw(&format!(r#"{{"exp":{far},"nbf":{}.75}}"#, NOW - 1)),
                NOW
            )
            .is_ok()
    );
    // iat rounds down: an iat less than a second in the future is accepted even with no
    // leeway (it is only ever compared with a positive tolerance in practice).
    assert!(
        strict
            .verify(raw(&format!(r#"{{"exp":{far},"iat":{NOW}.9}}"#)), NOW)
            .is_ok()
    );
    expect(
        strict.verify(raw(&format!(r#"{{"exp":{far},"iat":{}.1}}"#, NOW + 1)), NOW),
        ErrorKind::IssuedInFuture,
        "iat now + 1.1",
    );
    // The typed view reports the rounded values.
    let v = strict
        .verify(
            raw(&format!(
                r#"{{"exp":{}.9,"nbf":{}.1,"iat":{}.9}}"#,
                far,
                NOW - 10,
                NOW - 10
            )),
            NOW,
        )
        .unwrap();
    assert_eq!(v.registered().exp, Some(far));
    assert_eq!(v.registered().nbf, Some(NOW - 9));
    assert_eq!(v.registered().iat, Some(NOW - 10));
}

// ---------------------------------------------------------------------------------------------
// 12. typ (RFC 8725 §3.11, RFC 9068 §4)
// ---------------------------------------------------------------------------------------------

#[test]
fn explicit_typ_is_enforced() {
    let key = hmac_key();
    let at = Verifier::builder(key.clone())
        .issuer(ISS)
        .audience(AUD)
        .typ("at+jwt")
        .build()
        .unwrap();
    let at_prefixed = Verifier::builder(key.clone())
        .issuer(ISS)
        .audience(AUD)
        .typ("application/at+jwt")
        .build()
        .unwrap();
    let with_typ = |typ: &str| jwt::sign(&key, &Header::new().typ(typ), &claims(), &rng()).unwrap();
    for typ in [
        "at+jwt",
        "AT+JWT",
        "At+Jwt",
        "application/at+jwt",
        "APPLICATION/AT+JWT",
        "Application/at+JWT",
    ] {
        assert!(at.verify(with_typ(typ), NOW).is_ok(), "{typ}");
        assert!(at_prefixed.verify(with_typ(typ), NOW).is_ok(), "{typ}");
    }
    for typ in [
        "jwt",
        "JWT",
        "at+jwt ",
        " at+jwt",
        "at+jwt\u{0}",
        "at+jw",
        "at+jwtx",
        "at+jwt+x",
        "at-jwt",
        "application/jwt",
        "application/application/at+jwt",
        "application/ at+jwt",
        "applicationat+jwt",
        "x-application/at+jwt",
        "",
    ] {
        expect(
            at.verify(with_typ(typ), NOW),
            ErrorKind::TypeMismatch,
            format!("typ {typ:?}"),
        );
        expect(
            at_prefixed.verify(with_typ(typ), NOW),
            ErrorKind::TypeMismatch,
            format!("typ {typ:?}"),
        );
    }
    // Missing typ.
    let bare = jwt::sign(&key, &Header::new(), &claims(), &rng()).unwrap();
    expect(at.verify(&bare, NOW), ErrorKind::TypeMismatch, "typ absent");
    // typ of the wrong JSON type is a malformed header.
    let header = br#"{"alg":"HS256","typ":["at+jwt"]}"#;
    let token = jwt::sign_jws(&key, header, &claims_to_vec(), &rng()).unwrap();
    expect(
        at.verify(&token, NOW),
        ErrorKind::InvalidHeader,
        "typ array",
    );
    // A verifier that does not ask for a typ accepts any.
    assert!(verifier(key.clone()).verify(with_typ("jwt"), NOW).is_ok());
}

// ---------------------------------------------------------------------------------------------
// 13. Signature before claims (RFC 8725 §3.4): no oracle on unauthenticated content
// ---------------------------------------------------------------------------------------------

#[test]
fn forged_tokens_report_invalid_signature_whatever_their_claims() {
    let rng = rng();
    for v in victims() {
        let ver = verifier(v.verifier.clone());
        let attacker = match v.signer.alg() {
            Algorithm::RS256 => rsa_attacker(),
            Algorithm::PS256 => rsa_attacker().with_alg(Algorithm::PS256).unwrap(),
            alg => Key::generate(alg, &rng).unwrap(),
        };
        let header = format!(r#"{{"alg":"{}"}}"#, v.signer.alg());
        let bad_claims: Vec<(&str, Vec<u8>)> = vec![
            ("expired", serde_json::to_vec(&json!({"exp": 1})).unwrap()),
            (
                "wrong issuer",
                serde_json::to_vec(&json!({"iss": "evil", "exp": NOW + 60})).unwrap(),
            ),
            (
                "no exp",
                serde_json::to_vec(&json!({"iss": ISS, "aud": AUD})).unwrap(),
            ),
            (
                "wrong types",
                serde_json::to_vec(&json!({"exp": "soon", "aud": 7})).unwrap(),
            ),
            ("not json", b"garbage \xff\xfe".to_vec()),
            ("not an object", b"[1,2,3]".to_vec()),
            ("duplicates", br#"{"exp":1,"exp":2}"#.to_vec()),
            (
                "deep",
                format!("{{\"a\":{}{}}}", "[".repeat(40), "]".repeat(40)).into_bytes(),
            ),
            ("empty", Vec::new()),
        ];
        for (what, payload) in &bad_claims {
            let forged = sign_bytes(&attacker, header.as_bytes(), payload);
            expect(
                ver.verify(&forged, NOW),
                ErrorKind::InvalidSignature,
                format!("{} {what}", v.name),
            );
        }
        // A payload part that is not even base64url: the signature fails first.
        let forged = sign_raw(&attacker, &b64(&header), "!!not*base64!!");
        expect(
            ver.verify(&forged, NOW),
            ErrorKind::InvalidSignature,
            format!("{} payload not base64url", v.name),
        );
        // A genuine token with its claims edited (exp pushed forward).
        let token = sign(
            &v.signer,
            &json!({"iss": ISS, "aud": AUD, "exp": NOW - 100}),
        );
        let (h, _, s) = parts(&token);
        let edited =
            b64(serde_json::to_vec(&json!({"iss": ISS, "aud": AUD, "exp": NOW + 100})).unwrap());
        expect(
            ver.verify(format!("{h}.{edited}.{s}"), NOW),
            ErrorKind::InvalidSignature,
            format!("{} edited claims", v.name),
        );
        expect(
            ver.verify(&token, NOW),
            ErrorKind::Expired,
            format!("{} genuine expired", v.name),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 14. Structure: sizes, parts, base64url, JSON
// ---------------------------------------------------------------------------------------------

#[test]
fn oversized_inputs_are_rejected_before_decoding() {
    let v = verifier(hmac_key());
    let huge_a = "a".repeat(10 * 1024 * 1024);
    expect(v.verify(&huge_a, NOW), ErrorKind::TooLarge, "10 MB of a");
    let mb_dots = ".".repeat(1024 * 1024);
    expect(v.verify(&mb_dots, NOW), ErrorKind::TooLarge, "1 MB of dots");
    let dots = ".".repeat(100_000);
    expect(v.verify(&dots, NOW), ErrorKind::TooLarge, "100k dots");
    expect(
        jwt::verify_jws(&hmac_key(), huge_a.as_bytes()),
        ErrorKind::TooLarge,
        "verify_jws 10 MB",
    );
    let set = verifier(KeySet::new(vec![hmac_key()]).unwrap());
    expect(set.verify(&mb_dots, NOW), ErrorKind::TooLarge, "key set");

    // The default limits: 16 KiB token, 4 KiB encoded header.
    let limits = Limits::default();
    assert_eq!(limits.max_token_len, 16 * 1024);
    assert_eq!(limits.max_header_len, 4 * 1024);
    let token = format!(
        "{}.{}.{}",
        "e".repeat(100),
        "a".repeat(16 * 1024 - 200),
        "s".repeat(98)
    );
    assert_eq!(token.len(), 16 * 1024);
    assert_ne!(kind(v.verify(&token, NOW)), ErrorKind::TooLarge);
    let token = format!("{token}s");
    expect(v.verify(&token, NOW), ErrorKind::TooLarge, "16 KiB + 1");

    // A long header with a valid signature.
    let key = hmac_key();
    let header = format!(r#"{{"alg":"HS256","x":"{}"}}"#, "a".repeat(3100));
    let token = jwt::sign_jws(&key, header.as_bytes(), &claims_to_vec(), &rng()).unwrap();
    assert!(parts(&token).0.len() > 4096);
    expect(v.verify(&token, NOW), ErrorKind::TooLarge, "header > 4 KiB");
    let header = format!(r#"{{"alg":"HS256","x":"{}"}}"#, "a".repeat(3000));
    let token = jwt::sign_jws(&key, header.as_bytes(), &claims_to_vec(), &rng()).unwrap();
    assert!(parts(&token).0.len() <= 4096);
    assert!(v.verify(&token, NOW).is_ok());
}

#[test]
fn custom_limits_are_honoured_at_and_past_the_boundary() {
    let key = hmac_key();
    let token = sign(&key, &claims());
    let header_len = parts(&token).0.len();
    let with = |max_token_len, max_header_len| {
        Verifier::builder(key.clone())
            .issuer(ISS)
            .audience(AUD)
            .limits(Limits {
                max_token_len,
                max_header_len,
                ..Limits::default()
            })
            .build()
            .unwrap()
    };
    assert!(with(token.len(), header_len).verify(&token, NOW).is_ok());
    expect(
        with(token.len() - 1, header_len).verify(&token, NOW),
        ErrorKind::TooLarge,
        "token one byte over",
    );
    expect(
        with(token.len(), header_len - 1).verify(&token, NOW),
        ErrorKind::TooLarge,
        "header one byte over",
    );
    // Raising the limits admits larger tokens.
    let big_claims = json!({"iss": ISS, "aud": AUD, "exp": NOW + 60, "blob": "x".repeat(40_000)});
    let big = sign(&key, &big_claims);
    expect(
        verifier(key.clone()).verify(&big, NOW),
        ErrorKind::TooLarge,
        "40 KB under defaults",
    );
    assert!(with(big.len(), 4096).verify(&big, NOW).is_ok());
    // Zero limits are refused.
    for (t, h) in [(0, 10), (10, 0), (0, 0)] {
        expect(
            Verifier::builder(key.clone())
                .limits(Limits {
                    max_token_len: t,
                    max_header_len: h,
                    ..Limits::default()
                })
                .build(),
            ErrorKind::InvalidArgument,
            format!("limits {t}/{h}"),
        );
    }
}

#[test]
fn wrong_number_of_parts_is_malformed() {
    let key = hmac_key();
    let v = verifier(key.clone());
    let token = sign(&key, &claims());
    let (h, p, s) = parts(&token);
    let jwe_header = b64(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#);
    for (what, bad) in [
        ("empty", String::new()),
        ("one part", h.clone()),
        ("two parts", format!("{h}.{p}")),
        ("two parts, sig as payload", format!("{h}.{s}")),
        ("four parts", format!("{h}.{p}.{s}.{s}")),
        ("trailing dot", format!("{token}.")),
        ("leading dot", format!(".{token}")),
        ("five parts (JWE)", format!("{jwe_header}.a.b.c.d")),
        (
            "five parts, JWE of real parts",
            format!("{h}.{p}.{s}.{p}.{s}"),
        ),
        ("empty header", format!(".{p}.{s}")),
        ("empty signature", format!("{h}.{p}.")),
        ("only dots", "..".to_owned()),
        ("three dots", "...".to_owned()),
    ] {
        expect(v.verify(&bad, NOW), ErrorKind::MalformedToken, what);
        expect(
            jwt::verify_jws(&key, bad.as_bytes()),
            ErrorKind::MalformedToken,
            what,
        );
    }
    // An empty payload part is structurally fine and signed; it is not a JSON object.
    let empty = jwt::sign_jws(&key, br#"{"alg":"HS256"}"#, b"", &rng()).unwrap();
    assert!(parts(&empty).1.is_empty());
    expect(
        v.verify(&empty, NOW),
        ErrorKind::InvalidJson,
        "empty payload",
    );
    assert!(jwt::verify_jws(&key, empty.as_bytes()).is_ok());
}

const B64_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The same part with a non-zero bit among the unused trailing bits of its last character
/// (None when the length leaves no unused bits).
fn with_trailing_bit(part: &str) -> Option<String> {
    if part.len() % 4 == 0 {
        return None;
    }
    let mut bytes = part.as_bytes().to_vec();
    let last = bytes.last_mut().unwrap();
    let idx = B64_ALPHABET.iter().position(|c| c == last).unwrap();
    assert_eq!(idx & 1, 0, "canonical encodings have zero trailing bits");
    *last = B64_ALPHABET[idx | 1];
    Some(String::from_utf8(bytes).unwrap())
}

/// JSON text whose base64url has an unused-bits tail and both `-` and `_` (via U+FFFF, whose
/// UTF-8 EF BF BF encodes as `77-_` when aligned).
fn awkward_json(prefix: &str) -> Vec<u8> {
    for before in 0..3 {
        for after in 0..3 {
            let text = format!(
                "{prefix}{},\"x\":\"\u{ffff}\"{}}}",
                " ".repeat(before),
                " ".repeat(after)
            );
            let enc = b64(&text);
            if enc.contains('-') && enc.contains('_') && enc.len() % 4 != 0 {
                return text.into_bytes();
            }
        }
    }
    panic!("no padding gives an awkward encoding for {prefix}")
}

#[test]
fn non_canonical_base64url_is_rejected_in_every_part() {
    let key = hmac_key();
    let v = Verifier::builder(key.clone())
        .issuer(ISS)
        .audience(AUD)
        .build()
        .unwrap();
    let header = awkward_json(r#"{"alg":"HS256""#);
    let claims_text = serde_json::to_string(&claims()).unwrap();
    let payload = awkward_json(&claims_text[..claims_text.len() - 1]);
    let (h, p) = (b64(&header), b64(&payload));
    let good = sign_raw(&key, &h, &p);
    assert!(v.verify(&good, NOW).is_ok(), "control token");
    let s = parts(&good).2;

    let std_alphabet = |part: &str| part.replace('-', "+").replace('_', "/");
    let padded = |part: &str| {
        let mut out = part.to_owned();
        while out.len() % 4 != 0 {
            out.push('=');
        }
        out
    };
    let variants = |part: &str| -> Vec<(&'static str, String)> {
        let mid = part.len() / 2;
        let mut out = vec![
            ("padding", padded(part)),
            ("single =", format!("{part}=")),
            ("standard alphabet", std_alphabet(part)),
            ("space inside", format!("{} {}", &part[..mid], &part[mid..])),
            (
                "newline inside",
                format!("{}\n{}", &part[..mid], &part[mid..]),
            ),
            (
                "CRLF inside",
                format!("{}\r\n{}", &part[..mid], &part[mid..]),
            ),
            ("tab inside", format!("{}\t{}", &part[..mid], &part[mid..])),
            ("trailing space", format!("{part} ")),
            ("leading space", format!(" {part}")),
            ("non-ASCII", format!("{}é{}", &part[..mid], &part[mid..])),
            ("percent-encoded", format!("{part}%3D")),
            ("impossible length", {
                let mut out = part.to_owned();
                while out.len() % 4 != 1 {
                    out.push('A');
                }
                out
            }),
        ];
        if let Some(t) = with_trailing_bit(part) {
            out.push(("non-zero trailing bits", t));
        }
        // A signature may happen to contain no `-`/`_` (then "standard alphabet" is a no-op).
        out.retain(|(_, v)| v != part);
        out
    };
    for (what, bad_h) in variants(&h) {
        // The header is decoded before anything else: any signature will do.
        expect(
            v.verify(format!("{bad_h}.{p}.{s}"), NOW),
            ErrorKind::InvalidBase64,
            format!("header {what}"),
        );
    }
    for (what, bad_p) in variants(&p) {
        // The payload is decoded after the signature: sign the malformed text itself.
        let token = sign_raw(&key, &h, &bad_p);
        expect(
            v.verify(&token, NOW),
            ErrorKind::InvalidBase64,
            format!("payload {what}"),
        );
    }
    for (what, bad_s) in variants(&s) {
        expect(
            v.verify(format!("{h}.{p}.{bad_s}"), NOW),
            ErrorKind::InvalidBase64,
            format!("signature {what}"),
        );
    }
    assert!(
        with_trailing_bit(&s).is_some(),
        "HS256 MACs end in 2 spare bits"
    );
    // Whitespace around the whole token.
    for bad in [format!("{good}\n"), format!(" {good}"), format!("{good} ")] {
        expect(v.verify(&bad, NOW), ErrorKind::InvalidBase64, "whitespace");
    }
    // For every algorithm family, a signature with a trailing bit set is not the same signature.
    for victim in victims() {
        let token = sign(&victim.signer, &claims());
        let (h, p, s) = parts(&token);
        if let Some(t) = with_trailing_bit(&s) {
            expect(
                verifier(victim.verifier.clone()).verify(format!("{h}.{p}.{t}"), NOW),
                ErrorKind::InvalidBase64,
                format!("{} signature trailing bits", victim.name),
            );
        }
    }
}

#[test]
fn headers_and_payloads_that_are_not_objects_are_invalid_json() {
    let key = hmac_key();
    let v = verifier(key.clone());
    let sig = b64([1u8; 32]);
    for header in [
        &b"[]"[..],
        b"\"x\"",
        b"1",
        b"null",
        b"true",
        b"{\"alg\":\"HS256\"} x",
        b"{\"alg\":\"HS256\"}{}",
        b"{\"alg\":\"HS256\",}",
        b"{\"alg\":'HS256'}",
        b"{\"alg\":\"HS256\"",
        b"\xff\xfe",
        b"{\"alg\":\"HS\xff\"}",
        b"{\"alg\":\"HS256\",\"x\":\"\\ud800\"}",
        b" ",
    ] {
        let token = format!("{}.{}.{sig}", b64(header), claims_b64());
        expect(
            v.verify(&token, NOW),
            ErrorKind::InvalidJson,
            String::from_utf8_lossy(header),
        );
    }
    for (header, what) in [
        (r#"{"typ":"JWT"}"#, "no alg"),
        (r#"{"alg":7}"#, "alg number"),
        (r#"{"alg":null}"#, "alg null"),
        (r#"{"alg":["HS256"]}"#, "alg array"),
        (r#"{"alg":"HS256","kid":7}"#, "kid number"),
        (r#"{"alg":"HS256","cty":{}}"#, "cty object"),
        (r#"{}"#, "empty header"),
    ] {
        let token = format!("{}.{}.{sig}", b64(header), claims_b64());
        expect(v.verify(&token, NOW), ErrorKind::InvalidHeader, what);
    }
    for (header, what) in [
        (r#"{"alg":"hs256"}"#, "lowercase alg"),
        (r#"{"alg":"HS256 "}"#, "alg with space"),
        (r#"{"alg":"Ed448"}"#, "Ed448"),
        (r#"{"alg":"ES521"}"#, "ES521"),
        (r#"{"alg":"es256k"}"#, "lowercase ES256K"),
        (r#"{"alg":"RSA-OAEP"}"#, "JWE alg"),
        (r#"{"alg":"dir"}"#, "dir"),
    ] {
        let token = format!("{}.{}.{sig}", b64(header), claims_b64());
        expect(v.verify(&token, NOW), ErrorKind::UnsupportedAlgorithm, what);
    }
    // ES512 and ES256K: unsupported with ring; with aws-lc, not this HS256 key's algorithm.
    for alg in [Algorithm::ES512, Algorithm::ES256K] {
        let token = format!(
            "{}.{}.{sig}",
            b64(format!(r#"{{"alg":"{alg}"}}"#)),
            claims_b64()
        );
        let want = if alg.is_supported() {
            ErrorKind::AlgorithmMismatch
        } else {
            ErrorKind::UnsupportedAlgorithm
        };
        expect(v.verify(&token, NOW), want, alg);
    }
    // Payloads that are not JSON objects, under a valid signature.
    for payload in [
        &b"[]"[..],
        b"\"x\"",
        b"1",
        b"null",
        b"{\"exp\":1} {}",
        b"not json",
        b"\xff",
    ] {
        let token = jwt::sign_jws(&key, br#"{"alg":"HS256"}"#, payload, &rng()).unwrap();
        expect(
            v.verify(&token, NOW),
            ErrorKind::InvalidJson,
            String::from_utf8_lossy(payload),
        );
    }
}

#[test]
fn nesting_depth_is_bounded() {
    let key = hmac_key();
    let v = Verifier::builder(key.clone())
        .limits(Limits {
            max_token_len: 1 << 20,
            max_header_len: 1 << 20,
            ..Limits::default()
        })
        .build()
        .unwrap();
    let exp = NOW + 60;
    let nested = |depth: usize| -> Vec<u8> {
        format!(
            "{{\"exp\":{exp},\"a\":{}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        )
        .into_bytes()
    };
    let nested_objects = |depth: usize| -> Vec<u8> {
        format!(
            "{{\"exp\":{exp},\"a\":{}1{}}}",
            "{\"b\":".repeat(depth),
            "}".repeat(depth)
        )
        .into_bytes()
    };
    let header = br#"{"alg":"HS256"}"#;
    let signed = |payload: &[u8]| jwt::sign_jws(&key, header, payload, &rng()).unwrap();
    // The claims object is level 1: 31 more levels are fine, 32 are too many.
    assert_eq!(jwt::MAX_JSON_DEPTH, 32);
    assert!(v.verify(signed(&nested(31)), NOW).is_ok());
    assert!(v.verify(signed(&nested_objects(31)), NOW).is_ok());
    for depth in [32, 33, 100, 10_000] {
        expect(
            v.verify(signed(&nested(depth)), NOW),
            ErrorKind::TooDeep,
            format!("arrays {depth}"),
        );
        expect(
            v.verify(signed(&nested_objects(depth)), NOW),
            ErrorKind::TooDeep,
            format!("objects {depth}"),
        );
    }
    // The JWT signer refuses too-deep claims.
    expect(
        jwt::sign_json(&key, &Header::new(), &nested(40), &rng()),
        ErrorKind::TooDeep,
        "sign_json deep",
    );
    // Deep headers, before the signature.
    let deep_header = format!(
        "{{\"alg\":\"HS256\",\"x\":{}{}}}",
        "[".repeat(40),
        "]".repeat(40)
    );
    let token = format!("{}.{}.{}", b64(&deep_header), claims_b64(), b64([0u8; 32]));
    expect(v.verify(&token, NOW), ErrorKind::TooDeep, "deep header");
}

// ---------------------------------------------------------------------------------------------
// 15. Key sets and JWKS documents
// ---------------------------------------------------------------------------------------------

#[test]
fn key_set_selection_errors() {
    let rng = rng();
    let es = Key::generate(Algorithm::ES256, &rng)
        .unwrap()
        .with_kid("ec-1");
    let ed = Key::generate(Algorithm::EdDSA, &rng)
        .unwrap()
        .with_kid("ed-1");
    let set = KeySet::new(vec![es.public_key().unwrap(), ed.public_key().unwrap()]).unwrap();
    let v = verifier(set.clone());
    assert!(v.verify(sign(&es, &claims()), NOW).is_ok());
    assert!(v.verify(sign(&ed, &claims()), NOW).is_ok());

    // Unknown kid.
    let stranger = Key::generate(Algorithm::ES256, &rng)
        .unwrap()
        .with_kid("nope");
    expect(
        v.verify(sign(&stranger, &claims()), NOW),
        ErrorKind::KeyNotFound,
        "unknown kid",
    );
    // No kid and no key bound to the algorithm.
    let es384 = Key::generate(Algorithm::ES384, &rng).unwrap();
    expect(
        v.verify(sign(&es384, &claims()), NOW),
        ErrorKind::KeyNotFound,
        "no key for ES384",
    );
    // Known kid, other algorithm.
    let es384_as_ec1 = es384.clone().with_kid("ec-1");
    expect(
        v.verify(sign(&es384_as_ec1, &claims()), NOW),
        ErrorKind::AlgorithmMismatch,
        "kid ec-1 with ES384",
    );
    // Known kid, right algorithm, wrong key.
    let impostor = Key::generate(Algorithm::ES256, &rng)
        .unwrap()
        .with_kid("ec-1");
    expect(
        v.verify(sign(&impostor, &claims()), NOW),
        ErrorKind::InvalidSignature,
        "kid ec-1, other P-256 key",
    );
    // No kid: every key bound to the algorithm is tried, the impostor still fails.
    let no_kid = jwt::sign(
        &Key::generate(Algorithm::ES256, &rng).unwrap(),
        &Header::new(),
        &claims(),
        &rng,
    )
    .unwrap();
    expect(
        v.verify(&no_kid, NOW),
        ErrorKind::InvalidSignature,
        "no kid, other P-256 key",
    );
    // The verifier's allow-list narrows a mixed set.
    let only_ed = Verifier::builder(set)
        .issuer(ISS)
        .audience(AUD)
        .algorithms(&[Algorithm::EdDSA])
        .build()
        .unwrap();
    assert!(only_ed.verify(sign(&ed, &claims()), NOW).is_ok());
    expect(
        only_ed.verify(sign(&es, &claims()), NOW),
        ErrorKind::AlgorithmMismatch,
        "ES256 outside the allow-list",
    );
}

#[test]
fn key_set_construction_errors() {
    let rng = rng();
    let hs = hmac_key().with_kid("h");
    let rsa = rsa_private().public_key().unwrap().with_kid("r");
    let es = Key::generate(Algorithm::ES256, &rng).unwrap();
    expect(
        KeySet::new(vec![hs.clone(), rsa.clone()]),
        ErrorKind::AmbiguousKeySet,
        "HMAC + RSA",
    );
    expect(
        KeySet::new(vec![es.public_key().unwrap(), hs.clone()]),
        ErrorKind::AmbiguousKeySet,
        "EC + HMAC",
    );
    expect(
        KeySet::new(vec![rsa.clone(), rsa.clone()]),
        ErrorKind::AmbiguousKeySet,
        "duplicate kid",
    );
    let other_rsa = rsa_attacker().public_key().unwrap().with_kid("r");
    expect(
        KeySet::new(vec![rsa.clone(), other_rsa]),
        ErrorKind::AmbiguousKeySet,
        "duplicate kid, different keys",
    );
    expect(KeySet::new(vec![]), ErrorKind::KeyNotFound, "empty set");
    let many: Vec<Key> = (0..=jwt::MAX_JWKS_KEYS)
        .map(|i| es.public_key().unwrap().with_kid(format!("k{i}")))
        .collect();
    expect(KeySet::new(many), ErrorKind::TooLarge, "65 keys");

    // JWKS documents.
    let es_jwk = |kid: &str| {
        let mut m = es.public_key().unwrap().with_kid(kid).public_jwk().unwrap();
        let _ = m.remove("use");
        Value::Object(m)
    };
    let oct = json!({"kty": "oct", "k": b64([7u8; 32]), "alg": "HS256", "kid": "o"});
    let doc = |keys: Vec<Value>| json!({ "keys": keys }).to_string().into_bytes();

    expect(
        KeySet::from_jwks(&doc(vec![es_jwk("a"), oct.clone()]), &[]),
        ErrorKind::AmbiguousKeySet,
        "JWKS mixing oct and EC",
    );
    expect(
        KeySet::from_jwks(&doc(vec![es_jwk("a"), es_jwk("a")]), &[]),
        ErrorKind::AmbiguousKeySet,
        "JWKS duplicate kid",
    );

    // `use: enc` and `key_ops` without verify are skipped and reported.
    let mut enc = es_jwk("enc-key");
    enc["use"] = "enc".into();
    let mut sign_only = es_jwk("sign-only");
    sign_only["key_ops"] = json!(["sign"]);
    let mut encrypt_ops = es_jwk("encrypt-ops");
    encrypt_ops["key_ops"] = json!(["encrypt", "wrapKey"]);
    let set =
        KeySet::from_jwks(&doc(vec![enc, sign_only, encrypt_ops, es_jwk("good")]), &[]).unwrap();
    assert_eq!(set.keys().len(), 1);
    assert_eq!(set.keys()[0].kid(), Some("good"));
    let skipped: Vec<(Option<&str>, ErrorKind)> = set
        .skipped()
        .iter()
        .map(|s| (s.kid.as_deref(), s.reason.kind()))
        .collect();
    assert_eq!(
        skipped,
        vec![
            (Some("enc-key"), ErrorKind::KeyUsage),
            (Some("sign-only"), ErrorKind::KeyUsage),
            (Some("encrypt-ops"), ErrorKind::KeyUsage),
        ]
    );
    // A token naming a skipped key finds nothing.
    let skipped_kid = es.clone().with_kid("sign-only");
    expect(
        verifier(set).verify(sign(&skipped_kid, &claims()), NOW),
        ErrorKind::KeyNotFound,
        "kid of a skipped key",
    );

    // A single key with key_ops ["sign"] cannot verify; ["verify"] cannot sign.
    let mut private: Map<String, Value> = serde_json::from_str(&es.private_jwk().unwrap()).unwrap();
    let _ = private.remove("use");
    let _ = private.insert("key_ops".into(), json!(["sign"]));
    let sign_only = Key::from_jwk_value(&private, None).unwrap();
    let token = sign(&sign_only, &claims());
    expect(
        verifier(sign_only.clone()).verify(&token, NOW),
        ErrorKind::KeyUsage,
        "key_ops [sign] verifying",
    );
    let _ = private.insert("key_ops".into(), json!(["verify"]));
    let verify_only = Key::from_jwk_value(&private, None).unwrap();
    expect(
        jwt::sign(&verify_only, &Header::new(), &claims(), &rng),
        ErrorKind::KeyUsage,
        "key_ops [verify] signing",
    );
    assert!(verifier(verify_only).verify(&token, NOW).is_ok());
    let _ = private.remove("key_ops");
    let _ = private.insert("use".into(), "enc".into());
    expect(
        Key::from_jwk_value(&private, None),
        ErrorKind::KeyUsage,
        "use enc",
    );

    // Only unsupported keys: nothing to verify with.
    let mut unsupported = vec![
        json!({"kty":"OKP","crv":"X25519","x":b64([9u8;32]),"kid":"x"}),
        json!({"kty":"OKP","crv":"Ed448","x":b64([9u8;57]),"kid":"ed448"}),
        json!({"kty":"foo","kid":"foo"}),
        json!({"kty":"EC","crv":"P-256","x":"AA","y":"AA","alg":"ES521","kid":"es521"}),
    ];
    // A P-521 key and an ES512 `alg` are unsupported with ring only. With aws-lc the same
    // entries are malformed keys of a supported type, which fail the whole document.
    let p521 = json!({"kty":"EC","crv":"P-521","x":b64([1u8;66]),"y":b64([1u8;66]),"kid":"p521"});
    let es512 = json!({"kty":"EC","crv":"P-256","x":"AA","y":"AA","alg":"ES512","kid":"es512"});
    if Algorithm::ES512.is_supported() {
        for entry in [p521, es512] {
            let with = doc(vec![entry.clone(), es_jwk("good")]);
            expect(
                KeySet::from_jwks(&with, &[]),
                ErrorKind::InvalidKey,
                format!("malformed {entry}"),
            );
        }
    } else {
        unsupported.extend([p521, es512]);
    }
    let set = KeySet::from_jwks(&doc([&unsupported[..], &[es_jwk("good")]].concat()), &[]).unwrap();
    assert_eq!(set.keys().len(), 1);
    assert_eq!(set.skipped().len(), unsupported.len());
    expect(
        KeySet::from_jwks(&doc(unsupported), &[]),
        ErrorKind::KeyNotFound,
        "only unsupported keys",
    );
    // RSA keys without alg and no default: nothing to bind.
    let mut rsa_jwk = rsa.public_jwk().unwrap();
    let _ = rsa_jwk.remove("alg");
    expect(
        KeySet::from_jwks(&doc(vec![Value::Object(rsa_jwk.clone())]), &[]),
        ErrorKind::KeyNotFound,
        "RSA without alg",
    );
    let bound = KeySet::from_jwks(
        &doc(vec![Value::Object(rsa_jwk)]),
        &[Algorithm::RS256, Algorithm::PS256],
    )
    .unwrap();
    assert_eq!(bound.keys().len(), 2);
    expect(
        KeySet::from_jwks(&doc(vec![]), &[]),
        ErrorKind::KeyNotFound,
        "no keys",
    );

    // Size limits of a JWKS document.
    let many: Vec<Value> = (0..=jwt::MAX_JWKS_KEYS)
        .map(|i| es_jwk(&format!("k{i}")))
        .collect();
    expect(
        KeySet::from_jwks(&doc(many), &[]),
        ErrorKind::TooLarge,
        "65 JWKs",
    );
    let padded = format!(
        r#"{{"keys":[{}],"pad":"{}"}}"#,
        es_jwk("a"),
        "x".repeat(jwt::MAX_JWKS_LEN)
    );
    expect(
        KeySet::from_jwks(padded.as_bytes(), &[]),
        ErrorKind::TooLarge,
        "JWKS > 256 KiB",
    );
    let huge_jwk = format!(r#"{{"kty":"oct","k":"{}"}}"#, "A".repeat(jwt::MAX_JWK_LEN));
    expect(
        Key::from_jwk(huge_jwk.as_bytes(), Some(Algorithm::HS256)),
        ErrorKind::TooLarge,
        "JWK > 32 KiB",
    );
    // Structure of the document.
    for (bad, want) in [
        (&b"[]"[..], ErrorKind::InvalidJson),
        (b"{}", ErrorKind::InvalidKey),
        (br#"{"keys":{}}"#, ErrorKind::InvalidKey),
        (br#"{"keys":[1]}"#, ErrorKind::InvalidKey),
        (br#"{"keys":[],"keys":[]}"#, ErrorKind::DuplicateMember),
    ] {
        expect(
            KeySet::from_jwks(bad, &[]),
            want,
            String::from_utf8_lossy(bad),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 16. Key material never appears in Debug output
// ---------------------------------------------------------------------------------------------

/// Every rendering of `secret` a careless Debug impl might print.
fn renderings(secret: &[u8]) -> Vec<String> {
    let head = &secret[..secret.len().min(12)];
    let hex: String = head.iter().map(|b| format!("{b:02x}")).collect();
    let dec: Vec<String> = head.iter().map(u8::to_string).collect();
    let mut out = vec![
        hex.clone(),
        hex.to_uppercase(),
        dec.join(", "),
        dec.join(","),
        format!("{head:?}"),
        b64(head)[..12].to_owned(),
        STANDARD.encode(head)[..12].to_owned(),
        b64(secret),
        STANDARD.encode(secret),
    ];
    if let Ok(text) = std::str::from_utf8(head) {
        out.push(text.to_owned());
    }
    out
}

#[track_caller]
fn assert_no_secret(debug: &str, secret: &[u8], what: &str) {
    for r in renderings(secret) {
        assert!(
            !debug.contains(&r),
            "{what}: Debug output contains a rendering of the secret ({r:?}): {debug}"
        );
    }
}

#[test]
fn debug_output_never_contains_key_material() {
    let rng = rng();
    let secret = b"hmac-secret-never-print-me-0123456789";
    let hs = Key::hmac(secret, Algorithm::HS256).unwrap();
    let mut cases: Vec<(String, Key, Vec<Vec<u8>>)> =
        vec![("HMAC".into(), hs.clone(), vec![secret.to_vec()])];
    let mut keys = vec![
        rsa_private(),
        Key::generate(Algorithm::EdDSA, &rng).unwrap(),
    ];
    keys.extend(
        ecdsa_orders()
            .into_iter()
            .map(|(alg, _)| Key::generate(alg, &rng).unwrap()),
    );
    for key in keys {
        let jwk: Value = serde_json::from_str(&key.private_jwk().unwrap()).unwrap();
        let secrets: Vec<Vec<u8>> = ["d", "p", "q", "dp", "dq", "qi"]
            .iter()
            .filter_map(|m| jwk[*m].as_str().map(unb64))
            .collect();
        cases.push((format!("{}", key.alg()), key, secrets));
    }
    for (what, key, secrets) in &cases {
        let keyed = key.clone().with_kid("debug-kid");
        let set = if key.is_symmetric() {
            KeySet::new(vec![keyed.clone()]).unwrap()
        } else {
            KeySet::new(vec![keyed.clone(), key.public_key().unwrap()]).unwrap()
        };
        let verifier_one = Verifier::builder(keyed.clone())
            .issuer(ISS)
            .build()
            .unwrap();
        let verifier_set = Verifier::new(set.clone());
        let builder = Verifier::builder(keyed.clone());
        let debugs = [
            format!("{key:?}"),
            format!("{keyed:#?}"),
            format!("{set:?}"),
            format!("{set:#?}"),
            format!("{verifier_one:?}"),
            format!("{verifier_set:#?}"),
            format!("{builder:?}"),
        ];
        for debug in &debugs {
            assert!(debug.contains("redacted"), "{what}: {debug}");
            for secret in secrets {
                assert_no_secret(debug, secret, what);
            }
        }
        // Display of the errors a key can produce does not echo it either.
        if let Err(e) = jwt::verify_jws(key, b"a.b.c") {
            assert_no_secret(&format!("{e:?} {e}"), &secrets[0], what);
        }
    }
    // A rejected HMAC secret is not echoed in the error.
    let short = b"short-secret-0123";
    let err = Key::hmac(short, Algorithm::HS256).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WeakKey);
    assert_no_secret(&format!("{err:?} {err}"), short, "weak HMAC error");
    let jwk = format!(r#"{{"kty":"oct","k":"{}","alg":"HS256"}}"#, b64(short));
    let err = Key::from_jwk(jwk.as_bytes(), None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WeakKey);
    assert_no_secret(&format!("{err:?} {err}"), short, "weak HMAC JWK error");
}
