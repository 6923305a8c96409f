//! Issue 16's contract for the curves of the `aws-lc` backend, P-521 (ES512, RFC 7518 §3.4) and
//! secp256k1 (ES256K, RFC 8812): keys in every format tessera reads and writes (PKCS#8, SEC1,
//! SPKI and X.509 as PEM and DER, JWK with 66-byte P-521 members, JWKS), generation, export and
//! the RFC 7638 thumbprint; and with `ring`, `UnsupportedAlgorithm` / `UnsupportedKey` for all
//! of it.
//!
//! Every test runs on both backends and asserts what the backend it runs on must do: the full
//! behaviour with aws-lc, the typed refusal (whose detail names aws-lc) with ring. Nothing is
//! skipped.
//!
//! Fixtures: `tests/data/keys/{p521,secp256k1}.*`, made with OpenSSL, and `curves.json`, the same
//! keys as JWKs with their thumbprints and joserfc-signed tokens, computed by joserfc and
//! `cryptography` without tessera (`make_curves.py`; commands in the README there).

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use tessera::ErrorKind;
use tessera::SystemRandom;
use tessera::jwt::{self, Algorithm, Header, Key, KeyFamily, KeySet, Verifier};

const NOW: i64 = 1_800_000_000;

/// One of the two curves.
#[derive(Clone, Copy, Debug)]
struct Curve {
    /// The fixture file stem and the key's name in `curves.json`.
    stem: &'static str,
    alg: Algorithm,
    family: KeyFamily,
    crv: &'static str,
    /// Bytes of one coordinate and of the private scalar (RFC 7518 §6.2.1.2, §6.2.2.1).
    size: usize,
    /// The AlgorithmIdentifier of its SPKI (id-ecPublicKey and the named curve), DER.
    alg_id: &'static [u8],
    /// The field prime p, big-endian, `size` bytes.
    p: &'static str,
}

const P521: Curve = Curve {
    stem: "p521",
    alg: Algorithm::ES512,
    family: KeyFamily::P521,
    crv: "P-521",
    size: 66,
    alg_id: &[
        0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x05, 0x2B, 0x81,
        0x04, 0x00, 0x23,
    ],
    p: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\
        ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
};

const SECP256K1: Curve = Curve {
    stem: "secp256k1",
    alg: Algorithm::ES256K,
    family: KeyFamily::Secp256k1,
    crv: "secp256k1",
    size: 32,
    alg_id: &[
        0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x05, 0x2B, 0x81,
        0x04, 0x00, 0x0A,
    ],
    p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
};

const CURVES: [Curve; 2] = [P521, SECP256K1];

/// The key containers made by OpenSSL: private ones, then public ones.
const PRIVATE_FILES: [&str; 4] = ["pkcs8.pem", "pkcs8.der", "sec1.pem", "sec1.der"];
const PUBLIC_FILES: [&str; 4] = ["spki.pem", "spki.der", "cert.pem", "cert.der"];

fn aws_lc() -> bool {
    let on = cfg!(feature = "aws-lc");
    assert_eq!(Algorithm::ES512.is_supported(), on);
    assert_eq!(Algorithm::ES256K.is_supported(), on);
    assert_eq!(
        tessera::backend().name(),
        if on { "aws-lc-rs" } else { "ring" }
    );
    on
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/keys")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load_file(name: &str, alg: Option<Algorithm>) -> tessera::Result<Key> {
    let bytes = fixture(name);
    if name.ends_with(".der") {
        Key::from_der(&bytes, alg)
    } else {
        Key::from_pem(&bytes, alg)
    }
}

/// `curves.json`: the fixtures as computed by joserfc and `cryptography`.
fn independent() -> Value {
    serde_json::from_slice(&fixture("curves.json")).unwrap()
}

/// The independent record of one curve's key.
fn record(c: Curve) -> Value {
    independent()["keys"][c.stem].clone()
}

/// Every form of the fixture key of `c`, named, with whether it is private: the OpenSSL files
/// and the independent JWKs.
fn all_forms(c: Curve, alg: Option<Algorithm>) -> Vec<(String, bool, tessera::Result<Key>)> {
    let rec = record(c);
    let mut out = Vec::new();
    for (files, private) in [(&PRIVATE_FILES, true), (&PUBLIC_FILES, false)] {
        for suffix in files {
            let name = format!("{}.{suffix}", c.stem);
            let key = load_file(&name, alg);
            out.push((name, private, key));
        }
    }
    for (member, private) in [("private_jwk", true), ("public_jwk", false)] {
        let text = serde_json::to_vec(&rec[member]).unwrap();
        out.push((
            format!("{} {member}", c.stem),
            private,
            Key::from_jwk(&text, alg),
        ));
    }
    out
}

/// With ring: the error of a key of `c` in any form, which names the backend that has it.
#[track_caller]
fn assert_unsupported_key(c: Curve, what: &str, result: tessera::Result<Key>) {
    let err = result.map(|_| ()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedKey, "{what}: {err:?}");
    assert!(
        err.detail().contains("aws-lc") && err.detail().contains(c.crv),
        "{what}: {}",
        err.detail()
    );
}

#[track_caller]
fn expect<T: std::fmt::Debug>(
    r: tessera::Result<T>,
    want: ErrorKind,
    what: impl std::fmt::Display,
) {
    match r {
        Ok(v) => panic!("{what}: expected {want:?}, got Ok({v:?})"),
        Err(e) => assert_eq!(e.kind(), want, "{what}: {e:?}"),
    }
}

fn claims() -> Value {
    json!({"iss": "https://as.example", "sub": "user-1", "exp": NOW + 600})
}

/// Claims the joserfc verifier accepts too.
fn at_claims() -> Value {
    json!({"iss": "https://as.example", "aud": "api", "exp": NOW + 600})
}

fn sign(key: &Key) -> String {
    jwt::sign(key, &Header::new(), &claims(), &SystemRandom::new()).unwrap()
}

fn signature_of(token: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(token.rsplit_once('.').unwrap().1)
        .unwrap()
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// One DER TLV (lengths below 64 KiB).
fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let len = value.len();
    let mut out = vec![tag];
    match len {
        0..0x80 => out.push(len as u8),
        0x80..0x100 => out.extend([0x81, len as u8]),
        _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(value);
    out
}

/// The SubjectPublicKeyInfo DER of an arbitrary point encoding on the curve of `c`.
fn spki_of(c: Curve, point: &[u8]) -> Vec<u8> {
    tlv(
        0x30,
        &[c.alg_id, &tlv(0x03, &[&[0u8][..], point].concat())].concat(),
    )
}

/// The public JWK members of `key` that define it (no `alg`, `use`, `kid`).
fn defining_members(jwk: &Map<String, Value>) -> Map<String, Value> {
    jwk.iter()
        .filter(|(k, _)| !["alg", "use", "kid"].contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The backend decides
// ---------------------------------------------------------------------------------------------

/// ES512 and ES256K exist with aws-lc only: names, families, generation and token headers.
#[test]
fn algorithms_follow_the_backend() {
    let aws_lc = aws_lc();
    let rng = SystemRandom::new();
    for c in CURVES {
        assert_eq!(Algorithm::supported().contains(&c.alg), aws_lc, "{}", c.alg);
        assert_eq!(c.family.is_supported(), aws_lc);
        assert_eq!(c.alg.family(), c.family);
        assert_eq!(Algorithm::default_for(c.family), Some(c.alg));
        let name = c.alg.as_str();
        let generated = Key::generate(c.alg, &rng);
        // A token header naming the algorithm, under a verifier for a key of another curve.
        let p256 = Key::generate(Algorithm::ES256, &rng).unwrap();
        let header = b64(format!(r#"{{"alg":"{name}","typ":"JWT"}}"#));
        let forged = format!(
            "{header}.{}.{}",
            b64(claims().to_string()),
            b64(vec![7u8; c.alg.signature_len().unwrap()])
        );
        let set = KeySet::new(vec![p256.public_key().unwrap().with_kid("k")]).unwrap();
        if aws_lc {
            assert_eq!(name.parse::<Algorithm>().unwrap(), c.alg);
            let key = generated.unwrap();
            assert_eq!((key.alg(), key.family()), (c.alg, c.family));
            expect(
                Verifier::new(p256.clone()).verify(&forged, NOW),
                ErrorKind::AlgorithmMismatch,
                name,
            );
            expect(
                jwt::verify_jws(&p256, forged.as_bytes()),
                ErrorKind::AlgorithmMismatch,
                name,
            );
            // A key set has no key for the algorithm.
            expect(
                Verifier::new(set).verify(&forged, NOW),
                ErrorKind::KeyNotFound,
                name,
            );
        } else {
            let err = name.parse::<Algorithm>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
            assert!(err.detail().contains("aws-lc"), "{}", err.detail());
            let err = generated.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm, "{err:?}");
            assert!(err.detail().contains("aws-lc"), "{}", err.detail());
            for result in [
                Verifier::new(p256.clone()).verify(&forged, NOW).map(|_| ()),
                Verifier::new(set).verify(&forged, NOW).map(|_| ()),
                jwt::verify_jws(&p256, forged.as_bytes()).map(|_| ()),
            ] {
                expect(result, ErrorKind::UnsupportedAlgorithm, name);
            }
            // No key can be bound to it: an HMAC secret neither.
            expect(
                Key::hmac(&[7u8; 64], c.alg),
                ErrorKind::KeyAlgorithmMismatch,
                name,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

/// PKCS#8, SEC1, SPKI and certificates (PEM and DER) and the independent JWKs all hold one key:
/// the same public key, the same thumbprint (the independently computed one), the curve's
/// algorithm by default.
#[test]
fn every_format_holds_the_same_key() {
    let aws_lc = aws_lc();
    for c in CURVES {
        let rec = record(c);
        let spki = fixture(&format!("{}.spki.der", c.stem));
        for bind in [None, Some(c.alg)] {
            for (name, private, key) in all_forms(c, bind) {
                if !aws_lc {
                    assert_unsupported_key(c, &name, key);
                    continue;
                }
                let key = key.unwrap_or_else(|e| panic!("{name}: {e:?}"));
                assert_eq!(key.alg(), c.alg, "{name}");
                assert_eq!(key.family(), c.family, "{name}");
                assert_eq!(key.is_private(), private, "{name}");
                assert_eq!(key.thumbprint().unwrap(), rec["thumbprint"], "{name}");
                // tessera writes the SPKI OpenSSL wrote, byte for byte.
                assert_eq!(key.public_key_der().unwrap(), spki, "{name}");
                assert_eq!(
                    Value::Object(defining_members(&key.public_jwk().unwrap())),
                    rec["public_jwk"],
                    "{name}"
                );
            }
        }
    }
}

/// Binding another algorithm is `KeyAlgorithmMismatch` in every format (with ring, the key is
/// refused either way).
#[test]
fn only_the_curves_algorithm_binds() {
    let aws_lc = aws_lc();
    for c in CURVES {
        for wrong in Algorithm::ALL.into_iter().filter(|a| *a != c.alg) {
            for (name, _, key) in all_forms(c, Some(wrong)) {
                let err = key.map(|_| ()).unwrap_err();
                if aws_lc {
                    assert_eq!(
                        err.kind(),
                        ErrorKind::KeyAlgorithmMismatch,
                        "{name} {wrong}"
                    );
                } else {
                    assert!(
                        matches!(
                            err.kind(),
                            ErrorKind::KeyAlgorithmMismatch | ErrorKind::UnsupportedKey
                        ),
                        "{name} {wrong}: {err:?}"
                    );
                }
            }
            // A JWK whose own `alg` names another algorithm. The `alg` is read first (an
            // algorithm the build lacks, such as ML-DSA without its feature), then the curve.
            let mut jwk = record(c)["public_jwk"].as_object().unwrap().clone();
            let _ = jwk.insert("alg".into(), wrong.as_str().into());
            let want = if !wrong.is_supported() {
                ErrorKind::UnsupportedAlgorithm
            } else if aws_lc {
                ErrorKind::KeyAlgorithmMismatch
            } else {
                ErrorKind::UnsupportedKey
            };
            expect(
                Key::from_jwk_value(&jwk, None),
                want,
                format!("{} JWK with alg {wrong}", c.stem),
            );
        }
        if aws_lc {
            // Rebinding a loaded key never changes its curve.
            let key = load_file(&format!("{}.pkcs8.pem", c.stem), None).unwrap();
            for wrong in Algorithm::ALL.into_iter().filter(|a| *a != c.alg) {
                expect(
                    key.clone().with_alg(wrong),
                    ErrorKind::KeyAlgorithmMismatch,
                    format!("{} -> {wrong}", c.stem),
                );
            }
            assert_eq!(key.with_alg(c.alg).unwrap().alg(), c.alg);
        } else {
            // A JWK naming the curve's own algorithm: the `alg` is read first.
            let mut jwk = record(c)["public_jwk"].as_object().unwrap().clone();
            let _ = jwk.insert("alg".into(), c.alg.as_str().into());
            expect(
                Key::from_jwk_value(&jwk, None),
                ErrorKind::UnsupportedAlgorithm,
                c.alg,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Signing and verification
// ---------------------------------------------------------------------------------------------

/// Every private form signs, and every form verifies what each signed, including key sets built
/// from the independent JWKS (selected by `kid`) and from tessera's own JWKS. Signatures are
/// 132 bytes (P-521) and 64 bytes (secp256k1).
#[test]
fn every_private_form_signs_for_every_public_form() {
    let aws_lc = aws_lc();
    let jwks = independent()["jwks"].to_string();
    let from_independent = KeySet::from_jwks(jwks.as_bytes(), &[]);
    if !aws_lc {
        // Both keys are skipped (their `alg` is unsupported) and nothing usable is left.
        let err = from_independent.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyNotFound, "{err:?}");
        assert!(err.detail().contains("aws-lc"), "{}", err.detail());
        for c in CURVES {
            for (name, _, key) in all_forms(c, None) {
                assert_unsupported_key(c, &name, key);
            }
        }
        return;
    }
    let from_independent = from_independent.unwrap();
    assert_eq!(from_independent.keys().len(), 2);
    assert!(from_independent.skipped().is_empty());
    for c in CURVES {
        let forms: Vec<(String, bool, Key)> = all_forms(c, None)
            .into_iter()
            .map(|(name, private, key)| (name, private, key.unwrap()))
            .collect();
        // tessera's own JWKS of the key (from the PKCS#8 PEM).
        let ours = jwt::jwks(&[forms[0].2.clone().with_kid(c.stem)]).unwrap();
        let ours = KeySet::from_jwks(ours.as_bytes(), &[]).unwrap();
        for (signer_name, _, signer) in forms.iter().filter(|(_, private, _)| *private) {
            for signer in [signer.clone(), signer.clone().with_kid(c.stem)] {
                let token = sign(&signer);
                assert_eq!(
                    signature_of(&token).len(),
                    c.size * 2,
                    "{signer_name}: the signature is r || s"
                );
                assert_eq!(c.alg.signature_len(), Some(c.size * 2));
                for (verifier_name, _, verifier) in &forms {
                    let verified = Verifier::new(verifier.clone())
                        .verify(&token, NOW)
                        .unwrap_or_else(|e| panic!("{signer_name} → {verifier_name}: {e:?}"));
                    assert_eq!(Value::Object(verified.claims().clone()), claims());
                    assert_eq!(verified.header().alg(), Some(c.alg));
                    jwt::verify_jws(verifier, token.as_bytes()).unwrap();
                }
                for set in [&from_independent, &ours] {
                    let verified = Verifier::new(set.clone())
                        .verify(&token, NOW)
                        .unwrap_or_else(|e| panic!("{signer_name} → key set: {e:?}"));
                    assert_eq!(verified.header().kid_value(), signer.kid());
                }
                // A token that claims the other curve's kid finds a key of another algorithm.
                let other = if c.stem == "p521" {
                    "secp256k1"
                } else {
                    "p521"
                };
                let stray = jwt::sign(
                    &signer,
                    &Header::new().kid(other),
                    &claims(),
                    &SystemRandom::new(),
                )
                .unwrap();
                expect(
                    Verifier::new(from_independent.clone()).verify(&stray, NOW),
                    ErrorKind::AlgorithmMismatch,
                    format!("{signer_name} with kid {other}"),
                );
            }
        }
    }
}

/// A verifier for the joserfc tokens' claims.
fn joserfc_verifier(keys: impl Into<tessera::jwt::VerificationKeys>) -> Verifier {
    Verifier::builder(keys)
        .issuer("https://as.example")
        .audience("api")
        .typ("at+jwt")
        .build()
        .unwrap()
}

/// joserfc's ES512 and ES256K tokens verify with the fixture keys in every public form (aws-lc),
/// and are an unsupported algorithm for ring.
#[test]
fn joserfc_tokens_verify() {
    let aws_lc = aws_lc();
    let doc = independent();
    let set = KeySet::from_jwks(doc["jwks"].to_string().as_bytes(), &[]);
    for c in CURVES {
        let rec = record(c);
        let token = rec["token"].as_str().unwrap();
        assert_eq!(rec["alg"], c.alg.as_str());
        if !aws_lc {
            let p256 = load_file("p256.spki.pem", None).unwrap();
            expect(
                joserfc_verifier(p256).verify(token, NOW),
                ErrorKind::UnsupportedAlgorithm,
                c.alg,
            );
            continue;
        }
        assert_eq!(signature_of(token).len(), 2 * c.size);
        let mut verifiers: Vec<(String, Verifier)> = all_forms(c, None)
            .into_iter()
            .map(|(name, _, key)| (name, joserfc_verifier(key.unwrap())))
            .collect();
        verifiers.push((
            "independent JWKS".into(),
            joserfc_verifier(set.clone().unwrap()),
        ));
        for (name, verifier) in verifiers {
            let verified = verifier
                .verify(token, NOW)
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(Value::Object(verified.claims().clone()), doc["claims"]);
            assert_eq!(verified.header().kid_value(), Some(c.stem));
            assert_eq!(verified.header().typ_value(), Some("at+jwt"));
        }
        // One flipped signature bit, anywhere, and it does not.
        let public = load_file(&format!("{}.spki.pem", c.stem), None).unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = unb64(sig);
        for bit in (0..sig.len() * 8).step_by(7) {
            let mut flipped = sig.clone();
            flipped[bit / 8] ^= 0x80 >> (bit % 8);
            expect(
                joserfc_verifier(public.clone()).verify(format!("{input}.{}", b64(&flipped)), NOW),
                ErrorKind::InvalidSignature,
                format!("{} bit {bit}", c.alg),
            );
        }
    }
}

/// tessera's signatures are what another implementation expects, and the other way round:
/// aws-lc-rs, called directly with the independent JWK's coordinates, verifies tessera's
/// tokens (so the hash is SHA-512 for P-521 and SHA-256 for secp256k1, and the encoding the
/// fixed-width `r || s` of RFC 7518 §3.4); a token aws-lc-rs signs with the OpenSSL key verifies
/// in tessera with aws-lc, and is an unsupported algorithm with ring.
#[test]
fn signatures_agree_with_aws_lc_rs_called_directly() {
    use aws_lc_rs::signature as aws;
    let aws_lc = aws_lc();
    for c in CURVES {
        let (verifying, signing) = if c.size == 66 {
            (
                &aws::ECDSA_P521_SHA512_FIXED,
                &aws::ECDSA_P521_SHA512_FIXED_SIGNING,
            )
        } else {
            (
                &aws::ECDSA_P256K1_SHA256_FIXED,
                &aws::ECDSA_P256K1_SHA256_FIXED_SIGNING,
            )
        };
        let jwk = &record(c)["public_jwk"];
        let point = [
            &[4u8][..],
            &unb64(jwk["x"].as_str().unwrap()),
            &unb64(jwk["y"].as_str().unwrap()),
        ]
        .concat();
        let outside = aws::UnparsedPublicKey::new(verifying, &point);

        // aws-lc-rs signs, tessera verifies.
        let pair =
            aws::EcdsaKeyPair::from_pkcs8(signing, &fixture(&format!("{}.pkcs8.der", c.stem)))
                .unwrap();
        let input = format!(
            "{}.{}",
            b64(format!(r#"{{"alg":"{}","typ":"JWT"}}"#, c.alg)),
            b64(claims().to_string())
        );
        let sig = pair
            .sign(&aws_lc_rs::rand::SystemRandom::new(), input.as_bytes())
            .unwrap();
        assert_eq!(sig.as_ref().len(), 2 * c.size);
        let token = format!("{input}.{}", b64(sig.as_ref()));
        let public = load_file(&format!("{}.spki.pem", c.stem), None);
        if !aws_lc {
            assert_unsupported_key(c, "spki.pem", public);
            expect(
                Verifier::new(load_file("p256.spki.pem", None).unwrap()).verify(&token, NOW),
                ErrorKind::UnsupportedAlgorithm,
                c.alg,
            );
            continue;
        }
        let verified = Verifier::new(public.unwrap()).verify(&token, NOW).unwrap();
        assert_eq!(Value::Object(verified.claims().clone()), claims());

        // tessera signs (every private form), aws-lc-rs verifies.
        for (name, _, key) in all_forms(c, None).into_iter().filter(|f| f.1) {
            let token = sign(&key.unwrap());
            let (input, sig) = token.rsplit_once('.').unwrap();
            outside
                .verify(input.as_bytes(), &unb64(sig))
                .unwrap_or_else(|_| panic!("{name}: aws-lc-rs refuses tessera's signature"));
        }
    }
}

/// Tokens never cross curves: every pair of EC keys of the build, including P-256 against
/// ES256K (both 64-byte signatures), is an algorithm mismatch; a signature from the other curve
/// put under the key's own `alg` is an invalid signature.
#[test]
fn tokens_do_not_cross_curves() {
    let aws_lc = aws_lc();
    let rng = SystemRandom::new();
    let ec_algs: Vec<Algorithm> = [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::ES256K,
    ]
    .into_iter()
    .filter(|a| a.is_supported())
    .collect();
    assert_eq!(ec_algs.len(), if aws_lc { 4 } else { 2 });
    let keys: Vec<Key> = ec_algs
        .iter()
        .map(|a| Key::generate(*a, &rng).unwrap())
        .collect();
    for signer in &keys {
        let token = sign(signer);
        for verifier in &keys {
            let public = verifier.public_key().unwrap();
            let result = Verifier::new(public.clone()).verify(&token, NOW);
            if signer.alg() == verifier.alg() {
                assert!(result.is_ok(), "{}", signer.alg());
                continue;
            }
            let what = format!("{} token, {:?} key", signer.alg(), verifier.family());
            expect(result, ErrorKind::AlgorithmMismatch, &what);
            expect(
                jwt::verify_jws(&public, token.as_bytes()),
                ErrorKind::AlgorithmMismatch,
                &what,
            );
            // The same signature under the verifier's own algorithm.
            let header = b64(format!(r#"{{"alg":"{}"}}"#, verifier.alg()));
            let (_, payload, sig) = {
                let mut it = token.split('.');
                (it.next(), it.next().unwrap(), it.next().unwrap())
            };
            let relabelled = format!("{header}.{payload}.{sig}");
            expect(
                Verifier::new(public).verify(&relabelled, NOW),
                ErrorKind::InvalidSignature,
                format!("{what}, relabelled"),
            );
        }
    }
    // A key set holding a P-256 and a secp256k1 key under one kid: each token finds its own.
    if aws_lc {
        let p256 = Key::generate(Algorithm::ES256, &rng).unwrap().with_kid("k");
        let k1 = Key::generate(Algorithm::ES256K, &rng)
            .unwrap()
            .with_kid("k");
        let set = KeySet::new(vec![p256.public_key().unwrap(), k1.public_key().unwrap()]).unwrap();
        for key in [&p256, &k1] {
            let verified = Verifier::new(set.clone()).verify(sign(key), NOW).unwrap();
            assert_eq!(verified.header().alg(), Some(key.alg()));
        }
        let only_p256 = KeySet::new(vec![p256.public_key().unwrap()]).unwrap();
        expect(
            Verifier::new(only_p256).verify(sign(&k1), NOW),
            ErrorKind::AlgorithmMismatch,
            "ES256K token, P-256 key set",
        );
        // The verifier's allow-list narrows the mixed set to one curve.
        let only_k1 = Verifier::builder(set)
            .algorithms(&[Algorithm::ES256K])
            .build()
            .unwrap();
        only_k1.verify(sign(&k1), NOW).unwrap();
        expect(
            only_k1.verify(sign(&p256), NOW),
            ErrorKind::AlgorithmMismatch,
            "ES256 outside an ES256K allow-list",
        );
    } else {
        // With ring an allow-list of the new algorithms excludes every key there can be.
        let p256 = Key::generate(Algorithm::ES256, &rng).unwrap();
        for alg in [Algorithm::ES512, Algorithm::ES256K] {
            expect(
                Verifier::builder(p256.public_key().unwrap())
                    .algorithms(&[alg])
                    .build(),
                ErrorKind::InvalidArgument,
                alg,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Export and generation
// ---------------------------------------------------------------------------------------------

/// Exports: public and private PEM, DER and JWK load back as the same key and export the same
/// bytes again; JWK members have the curve's exact size (66 bytes for P-521, `d` included; 32
/// for secp256k1) and the private JWK is the independent one.
#[test]
fn exports_round_trip_with_exact_member_sizes() {
    let aws_lc = aws_lc();
    for c in CURVES {
        let rec = record(c);
        let loaded = load_file(&format!("{}.sec1.pem", c.stem), None);
        if !aws_lc {
            assert_unsupported_key(c, "sec1.pem", loaded);
            continue;
        }
        check_exports(c, &loaded.unwrap().with_kid("x"));
        // The private JWK is exactly the one joserfc and `cryptography` computed.
        let private: Map<String, Value> = serde_json::from_str(
            &load_file(&format!("{}.pkcs8.der", c.stem), None)
                .unwrap()
                .private_jwk()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            Value::Object(defining_members(&private)),
            rec["private_jwk"]
        );
        assert_eq!(private["alg"], c.alg.as_str());
        assert_eq!(private["use"], "sig");
    }
}

/// The export checks shared by fixture and generated keys.
fn check_exports(c: Curve, key: &Key) {
    let thumb = key.thumbprint().unwrap();
    let token = sign(key);
    let verifies = |k: &Key, what: &str| {
        assert_eq!(k.thumbprint().unwrap(), thumb, "{what}");
        assert_eq!(k.alg(), c.alg, "{what}");
        Verifier::new(k.clone())
            .verify(&token, NOW)
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
        if k.is_private() {
            Verifier::new(key.clone())
                .verify(sign(k), NOW)
                .unwrap_or_else(|e| panic!("{what} signs: {e:?}"));
        }
    };

    // JWK members: exact sizes.
    let public_jwk = key.public_jwk().unwrap();
    assert_eq!(public_jwk["kty"], "EC");
    assert_eq!(public_jwk["crv"], c.crv);
    assert_eq!(public_jwk["alg"], c.alg.as_str());
    assert_eq!(public_jwk["kid"], "x");
    assert!(!public_jwk.contains_key("d"));
    let private_jwk: Map<String, Value> =
        serde_json::from_str(&key.private_jwk().unwrap()).unwrap();
    for member in ["x", "y"] {
        assert_eq!(
            unb64(public_jwk[member].as_str().unwrap()).len(),
            c.size,
            "{member}"
        );
        assert_eq!(private_jwk[member], public_jwk[member]);
    }
    assert_eq!(unb64(private_jwk["d"].as_str().unwrap()).len(), c.size, "d");

    // Each export loads back as the same key, and exports the same again.
    let from_private_jwk = Key::from_jwk(key.private_jwk().unwrap().as_bytes(), None).unwrap();
    assert!(from_private_jwk.is_private());
    assert_eq!(from_private_jwk.kid(), Some("x"));
    assert_eq!(
        *from_private_jwk.private_jwk().unwrap(),
        *key.private_jwk().unwrap()
    );
    verifies(&from_private_jwk, "private JWK");
    let from_public_jwk = Key::from_jwk(&serde_json::to_vec(&public_jwk).unwrap(), None).unwrap();
    assert!(!from_public_jwk.is_private());
    assert_eq!(from_public_jwk.public_jwk().unwrap(), public_jwk);
    verifies(&from_public_jwk, "public JWK");

    let private_pem = key.private_key_pem().unwrap();
    assert!(private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let from_private_pem = Key::from_pem(private_pem.as_bytes(), None).unwrap();
    assert_eq!(*from_private_pem.private_key_pem().unwrap(), *private_pem);
    verifies(&from_private_pem, "private PEM");
    let private_der = key.private_key_der().unwrap();
    let from_private_der = Key::from_der(&private_der, Some(c.alg)).unwrap();
    assert_eq!(*from_private_der.private_key_der().unwrap(), *private_der);
    verifies(&from_private_der, "private DER");

    let public_pem = key.public_key_pem().unwrap();
    assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    let from_public_pem = Key::from_pem(public_pem.as_bytes(), None).unwrap();
    assert_eq!(from_public_pem.public_key_pem().unwrap(), public_pem);
    verifies(&from_public_pem, "public PEM");
    let public_der = key.public_key_der().unwrap();
    assert_eq!(
        public_der.len(),
        fixture(&format!("{}.spki.der", c.stem)).len()
    );
    let from_public_der = Key::from_der(&public_der, None).unwrap();
    assert_eq!(from_public_der.public_key_der().unwrap(), public_der);
    verifies(&from_public_der, "public DER");
    assert_eq!(
        key.public_key().unwrap().public_key_der().unwrap(),
        public_der
    );

    // The JWKS document, and a key set from it.
    let doc = jwt::jwks(std::slice::from_ref(key)).unwrap();
    assert!(!doc.contains("\"d\""), "the JWKS leaks d");
    let set = KeySet::from_jwks(doc.as_bytes(), &[]).unwrap();
    assert_eq!(set.keys().len(), 1);
    assert_eq!(set.to_jwks().unwrap(), doc);
    verifies(&set.keys()[0], "JWKS");
    Verifier::new(set).verify(&token, NOW).unwrap();

    // The public half cannot sign or export a private form.
    let public = key.public_key().unwrap();
    expect(
        jwt::sign(&public, &Header::new(), &claims(), &SystemRandom::new()),
        ErrorKind::NotPrivateKey,
        "public key signs",
    );
    expect(
        public.private_jwk(),
        ErrorKind::NotPrivateKey,
        "public private_jwk",
    );
    expect(
        public.private_key_der(),
        ErrorKind::NotPrivateKey,
        "public private_key_der",
    );
}

/// `Key::generate` makes working keys of both curves (aws-lc), each new; ring refuses.
#[test]
fn generated_keys_sign_and_export() {
    let aws_lc = aws_lc();
    let rng = SystemRandom::new();
    for c in CURVES {
        let generated = Key::generate(c.alg, &rng);
        if !aws_lc {
            let err = generated.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
            assert!(err.detail().contains("aws-lc"), "{}", err.detail());
            continue;
        }
        let key = generated.unwrap();
        assert!(key.is_private());
        assert_eq!((key.alg(), key.family()), (c.alg, c.family));
        let token = sign(&key);
        assert_eq!(signature_of(&token).len(), 2 * c.size);
        check_exports(c, &key.clone().with_kid("x"));
        // Another call, another key.
        let other = Key::generate(c.alg, &rng).unwrap();
        assert_ne!(other.thumbprint().unwrap(), key.thumbprint().unwrap());
        expect(
            Verifier::new(other.public_key().unwrap()).verify(&token, NOW),
            ErrorKind::InvalidSignature,
            "another generated key",
        );
        // ECDSA is randomised: two signatures of one input differ, both verify.
        let again = sign(&key);
        assert_ne!(signature_of(&again), signature_of(&token));
    }
}

/// Keys whose `d`, `x` and `y` begin with zero bytes (`*-zeros.pkcs8.pem`, made by
/// `make_curves.py`): the JWK members keep the curve's full size, so the JWKs and the RFC 7638
/// thumbprint are the independent ones, and the PKCS#8 round trip keeps the key.
#[test]
fn leading_zero_bytes_are_kept() {
    let aws_lc = aws_lc();
    for c in CURVES {
        let stem = format!("{}-zeros", c.stem);
        let rec = &independent()["keys"][&stem];
        let loaded = load_file(&format!("{stem}.pkcs8.pem"), None);
        if !aws_lc {
            assert_unsupported_key(c, &stem, loaded);
            assert_unsupported_key(
                c,
                &stem,
                Key::from_jwk(rec["private_jwk"].to_string().as_bytes(), None),
            );
            continue;
        }
        let key = loaded.unwrap();
        let private: Map<String, Value> =
            serde_json::from_str(&key.private_jwk().unwrap()).unwrap();
        for member in ["d", "x", "y"] {
            let bytes = unb64(private[member].as_str().unwrap());
            assert_eq!(bytes.len(), c.size, "{stem} {member}");
            assert_eq!(
                bytes[0], 0,
                "{stem} {member}: the fixture's first byte is zero"
            );
        }
        assert_eq!(
            Value::Object(defining_members(&private)),
            rec["private_jwk"]
        );
        assert_eq!(
            Value::Object(defining_members(&key.public_jwk().unwrap())),
            rec["public_jwk"]
        );
        assert_eq!(key.thumbprint().unwrap(), rec["thumbprint"]);
        check_exports(c, &key.clone().with_kid("x"));
        // The independent private JWK loads as the same key and verifies joserfc's token.
        let from_jwk = Key::from_jwk(rec["private_jwk"].to_string().as_bytes(), None).unwrap();
        assert_eq!(from_jwk.thumbprint().unwrap(), rec["thumbprint"]);
        assert_eq!(
            *from_jwk.private_jwk().unwrap(),
            *key.private_jwk().unwrap()
        );
        let token = rec["token"].as_str().unwrap();
        joserfc_verifier(from_jwk.public_key().unwrap())
            .verify(token, NOW)
            .unwrap();
        // A SEC1 key whose `d` lost its leading zero bytes (RFC 5915 §3 fixes the length, some
        // encoders drop them) is the same key, and its JWK `d` gets them back.
        let d = unb64(private["d"].as_str().unwrap());
        let spki = key.public_key_der().unwrap();
        let point = &spki[spki.len() - 1 - 2 * c.size..];
        let curve_oid = &c.alg_id[c.alg_id.len() - 7..];
        let strip = d.iter().take_while(|&&b| b == 0).count();
        assert!(strip >= 1);
        let sec1 = tlv(
            0x30,
            &[
                tlv(0x02, &[1]),
                tlv(0x04, &d[strip..]),
                tlv(0xA0, curve_oid),
                tlv(0xA1, &tlv(0x03, &[&[0u8][..], point].concat())),
            ]
            .concat(),
        );
        let short = Key::from_der(&sec1, None).unwrap();
        assert_eq!(*short.private_jwk().unwrap(), *key.private_jwk().unwrap());
        Verifier::new(key.clone())
            .verify(sign(&short), NOW)
            .unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Invalid keys
// ---------------------------------------------------------------------------------------------

/// Points that are not valid public keys, as SPKI DER and as JWK: off the curve, a coordinate
/// equal to or above p, the wrong length, the point at infinity: `InvalidKey`; a compressed
/// point (the OpenSSL fixture and a hand-made one): `UnsupportedKey`. With ring every one of
/// them is `UnsupportedKey`, naming aws-lc.
#[test]
fn invalid_points_are_refused() {
    let aws_lc = aws_lc();
    for c in CURVES {
        let rec = &record(c)["public_jwk"];
        let x = unb64(rec["x"].as_str().unwrap());
        let y = unb64(rec["y"].as_str().unwrap());
        let point = [&[4u8][..], &x, &y].concat();
        assert_eq!(
            spki_of(c, &point),
            fixture(&format!("{}.spki.der", c.stem)),
            "the hand-made SPKI is OpenSSL's"
        );
        let p = hex(c.p);
        assert_eq!(p.len(), c.size);
        let mut y_flipped = y.clone();
        *y_flipped.last_mut().unwrap() ^= 1;
        let zero = vec![0u8; c.size];
        let ones = vec![0xFFu8; c.size];
        let mut one = zero.clone();
        *one.last_mut().unwrap() = 1;
        // (x + p, y): the curve equation still holds mod p; only the range check refuses it.
        // It fits in the coordinate's size for P-521 (p < 2^521, the size is 528 bits).
        let x_plus_p = add_be(&x, &p);
        let mut cases: Vec<(&str, Vec<u8>, Vec<u8>)> = vec![
            ("off the curve", x.clone(), y_flipped),
            ("x = p", p.clone(), y.clone()),
            ("y = p", x.clone(), p.clone()),
            ("x = y = p", p.clone(), p.clone()),
            ("x = 2^n - 1", ones.clone(), y.clone()),
            ("y = 2^n - 1", x.clone(), ones),
            ("(0, 0)", zero.clone(), zero.clone()),
            ("(0, 1)", zero.clone(), one),
            ("x and y swapped", y.clone(), x.clone()),
        ];
        if let Some(x_plus_p) = x_plus_p {
            cases.push(("x + p", x_plus_p, y.clone()));
        }
        if c.size == 66 {
            // A coordinate of 2^521 or more: the top byte above 0x01.
            let mut high = x.clone();
            high[0] |= 0x02;
            cases.push(("x >= 2^521", high, y.clone()));
        }
        for (what, bad_x, bad_y) in &cases {
            let what = format!("{} {what}", c.crv);
            let spki = spki_of(c, &[&[4u8][..], bad_x, bad_y].concat());
            let jwk = json!({"kty": "EC", "crv": c.crv, "x": b64(bad_x), "y": b64(bad_y)});
            for (form, result) in [
                ("SPKI", Key::from_der(&spki, None)),
                ("JWK", Key::from_jwk(jwk.to_string().as_bytes(), None)),
            ] {
                if aws_lc {
                    expect(result, ErrorKind::InvalidKey, format!("{what} {form}"));
                } else {
                    assert_unsupported_key(c, &format!("{what} {form}"), result);
                }
            }
        }

        // Shapes: wrong lengths, the point at infinity, the hybrid encoding.
        let short = [&[4u8][..], &x[1..], &y[1..]].concat();
        let long = [&[4u8][..], &[0], &x, &[0], &y].concat();
        let mut hybrid = point.clone();
        hybrid[0] = 6 | (y[y.len() - 1] & 1);
        for (what, bytes) in [
            ("short coordinates", short),
            ("long coordinates", long),
            ("point at infinity", vec![0]),
            ("empty", vec![]),
            ("no y", [&[4u8][..], &x].concat()),
            ("hybrid", hybrid),
        ] {
            let result = Key::from_der(&spki_of(c, &bytes), None);
            if aws_lc {
                expect(result, ErrorKind::InvalidKey, format!("{} {what}", c.crv));
            } else {
                assert_unsupported_key(c, what, result);
            }
        }

        // Compressed points: OpenSSL's `-conv_form compressed` SPKI, and the same by hand.
        let compressed = [&[2 | (y[y.len() - 1] & 1)][..], &x].concat();
        for (what, result) in [
            (
                "OpenSSL compressed SPKI",
                load_file(&format!("{}.spki-compressed.pem", c.stem), None),
            ),
            (
                "hand-made compressed SPKI",
                Key::from_der(&spki_of(c, &compressed), None),
            ),
        ] {
            if aws_lc {
                expect(
                    result,
                    ErrorKind::UnsupportedKey,
                    format!("{} {what}", c.crv),
                );
            } else {
                assert_unsupported_key(c, what, result);
            }
        }
    }
}

/// `a + b` for equal-length big-endian numbers, if it fits in that length.
fn add_be(a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; a.len()];
    let mut carry = 0u16;
    for i in (0..a.len()).rev() {
        let v = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = (v & 0xFF) as u8;
        carry = v >> 8;
    }
    (carry == 0).then_some(out)
}

/// JWK members of the wrong size: a P-521 JWK with 65-byte coordinates (a leading zero byte
/// dropped, a common encoder bug) or a 65-byte `d`, and secp256k1 members of 31 or 33 bytes,
/// are `InvalidKey`; so are a `d` that is not the private key of `x`, `y`, a zero `d`, and JWKs
/// whose `crv` lies about the coordinates.
#[test]
fn jwk_members_of_the_wrong_size_or_key_are_refused() {
    let aws_lc = aws_lc();
    for c in CURVES {
        let private = record(c)["private_jwk"].as_object().unwrap().clone();
        let member = |name: &str| unb64(private[name].as_str().unwrap());
        let with = |name: &str, value: Vec<u8>| {
            let mut jwk = private.clone();
            let _ = jwk.insert(name.into(), b64(value).into());
            jwk
        };
        let public = |jwk: &Map<String, Value>| {
            let mut jwk = jwk.clone();
            let _ = jwk.remove("d");
            jwk
        };
        let mut cases: Vec<(String, Map<String, Value>)> = Vec::new();
        for name in ["x", "y", "d"] {
            let value = member(name);
            cases.push((
                format!("{name} one byte short"),
                with(name, value[1..].to_vec()),
            ));
            cases.push((
                format!("{name} one byte long"),
                with(name, [&[0u8][..], &value].concat()),
            ));
            if name != "d" {
                cases.push((
                    format!("public {name} one byte short"),
                    public(&with(name, value[1..].to_vec())),
                ));
            }
        }
        if c.size == 66 {
            // The fixture's coordinates start with 0x00 or 0x01: the RFC 7518 §6.2.1.2 size
            // keeps that byte, and an encoder that strips it writes 65 bytes.
            let x = member("x");
            let y = member("y");
            assert!(x[0] <= 1 && y[0] <= 1);
            assert_eq!((x.len(), y.len(), member("d").len()), (66, 66, 66));
            let jwk = json!({"kty": "EC", "crv": "P-521", "x": b64(&x[1..]), "y": b64(&y[1..])});
            cases.push((
                "P-521 with 65-byte x and y".into(),
                jwk.as_object().unwrap().clone(),
            ));
        }
        // A `d` that belongs to another key, zero, and all ones (at least the group order).
        let mut other_d = member("d");
        *other_d.last_mut().unwrap() ^= 1;
        cases.push(("d of another key".into(), with("d", other_d)));
        cases.push(("d = 0".into(), with("d", vec![0u8; c.size])));
        cases.push(("d = 2^n - 1".into(), with("d", vec![0xFFu8; c.size])));
        for (what, jwk) in cases {
            let result = Key::from_jwk_value(&jwk, None);
            if aws_lc {
                expect(result, ErrorKind::InvalidKey, format!("{} {what}", c.crv));
            } else {
                assert_unsupported_key(c, &what, result);
            }
        }
    }
    // Coordinates under another curve's name.
    let p256 = Key::from_pem(&fixture("p256.spki.pem"), None).unwrap();
    let p256_jwk = p256.public_jwk().unwrap();
    for (what, mut jwk, crv) in [
        (
            "P-521 coordinates as secp256k1",
            record(P521)["public_jwk"].as_object().unwrap().clone(),
            "secp256k1",
        ),
        (
            "secp256k1 coordinates as P-521",
            record(SECP256K1)["public_jwk"].as_object().unwrap().clone(),
            "P-521",
        ),
        (
            "secp256k1 coordinates as P-256",
            record(SECP256K1)["public_jwk"].as_object().unwrap().clone(),
            "P-256",
        ),
        (
            "P-256 coordinates as secp256k1",
            p256_jwk.clone(),
            "secp256k1",
        ),
        ("P-256 coordinates as P-521", p256_jwk, "P-521"),
    ] {
        let _ = jwk.insert("crv".into(), crv.into());
        let _ = jwk.remove("alg");
        let result = Key::from_jwk_value(&jwk, None);
        if aws_lc || crv == "P-256" {
            // P-256 exists in both backends, and the secp256k1 point is not on it.
            expect(result, ErrorKind::InvalidKey, what);
        } else {
            let c = if crv == "P-521" { P521 } else { SECP256K1 };
            assert_unsupported_key(c, what, result);
        }
    }
}

/// With ring, a JWKS holding a P-521 key and a P-256 key keeps the P-256 key and reports the
/// P-521 key in `skipped()` (`KeySet::from_jwks` skips keys of an unsupported curve or
/// algorithm); a JWKS of only such keys has no usable key. With aws-lc both keys are used.
#[test]
fn jwks_with_a_key_the_backend_lacks() {
    let aws_lc = aws_lc();
    let p256 = Key::from_pem(&fixture("p256.pkcs8.pem"), None)
        .unwrap()
        .with_kid("p256");
    let p256_token = jwt::sign(
        &p256,
        &Header::new().typ("at+jwt"),
        &at_claims(),
        &SystemRandom::new(),
    )
    .unwrap();
    for c in CURVES {
        let mut jwk = record(c)["public_jwk"].as_object().unwrap().clone();
        let _ = jwk.insert("kid".into(), c.stem.into());
        let mut jwk_with_alg = jwk.clone();
        let _ = jwk_with_alg.insert("alg".into(), c.alg.as_str().into());
        for (entry, skipped_kind) in [
            (jwk, ErrorKind::UnsupportedKey),
            (jwk_with_alg, ErrorKind::UnsupportedAlgorithm),
        ] {
            let doc = json!({"keys": [entry, p256.public_jwk().unwrap()]}).to_string();
            let set = KeySet::from_jwks(doc.as_bytes(), &[]).unwrap();
            let verifier = joserfc_verifier(set.clone());
            verifier.verify(&p256_token, NOW).unwrap();
            let token = record(c)["token"].as_str().unwrap().to_owned();
            if aws_lc {
                assert_eq!(set.keys().len(), 2);
                assert!(set.skipped().is_empty());
                assert_eq!(set.keys()[0].alg(), c.alg);
                assert_eq!(set.keys()[0].kid(), Some(c.stem));
                verifier.verify(&token, NOW).unwrap();
            } else {
                assert_eq!(set.keys().len(), 1);
                assert_eq!(set.keys()[0].kid(), Some("p256"));
                assert_eq!(set.skipped().len(), 1);
                let skipped = &set.skipped()[0];
                assert_eq!(skipped.kid.as_deref(), Some(c.stem));
                assert_eq!(skipped.reason.kind(), skipped_kind);
                assert!(skipped.reason.detail().contains("aws-lc"));
                expect(
                    verifier.verify(&token, NOW),
                    ErrorKind::UnsupportedAlgorithm,
                    c.alg,
                );
                // Alone, nothing usable is left.
                let alone = json!({"keys": [record(c)["public_jwk"]]}).to_string();
                let err = KeySet::from_jwks(alone.as_bytes(), &[]).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::KeyNotFound);
                assert!(err.detail().contains("aws-lc"), "{}", err.detail());
            }
        }
    }
}

/// Truncated and corrupted fixtures of the new curves are typed errors, never panics.
#[test]
fn truncated_and_corrupted_containers_never_panic() {
    let aws_lc = aws_lc();
    for c in CURVES {
        for suffix in ["pkcs8.der", "sec1.der", "spki.der", "cert.der"] {
            let der = fixture(&format!("{}.{suffix}", c.stem));
            for cut in [0, 1, 2, 10, der.len() / 2, der.len() - 1] {
                let err = Key::from_der(&der[..cut], None).map(|_| ()).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::InvalidKey, "{suffix} cut {cut}");
            }
            for i in 0..der.len() {
                let mut flipped = der.clone();
                flipped[i] ^= 0x01;
                // Any outcome but a panic; a flip that still loads must be a key of the curve.
                if let Ok(key) = Key::from_der(&flipped, None) {
                    assert!(aws_lc, "{suffix} byte {i}");
                    assert!(
                        [c.family, KeyFamily::P256, KeyFamily::P384].contains(&key.family()),
                        "{suffix} byte {i}: {:?}",
                        key.family()
                    );
                }
            }
        }
    }
}
