//! ML-DSA-44/65/87 (FIPS 204) JWS signatures, with the JOSE names and the `AKP` JWK of
//! draft-ietf-cose-dilithium, behind the `ml-dsa` feature (aws-lc backend). With the feature:
//! generation, signing and verification, every key format (SPKI and PKCS#8, PEM and DER, the
//! AKP JWK with its seed), the RFC 7638 thumbprint over `alg`, `kty` and `pub`, the refusals,
//! and interop with an independent implementation (Python `cryptography` on OpenSSL). Without
//! it, every ML-DSA name and key is a typed "unsupported" error.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use tessera::jwt::{self, Algorithm, Header, Key, KeySet, Verifier};
use tessera::{ErrorKind, SystemRandom};

const LEVELS: [(Algorithm, &str, usize, usize); 3] = [
    (Algorithm::MlDsa44, "ML-DSA-44", 1312, 2420),
    (Algorithm::MlDsa65, "ML-DSA-65", 1952, 3309),
    (Algorithm::MlDsa87, "ML-DSA-87", 2592, 4627),
];

const NOW: i64 = 1_800_000_000;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

fn claims() -> Value {
    json!({"iss": "https://as.example", "sub": "engine-7", "aud": "api", "exp": NOW + 600})
}

fn verifier(key: Key) -> Verifier {
    Verifier::builder(key)
        .issuer("https://as.example")
        .audience("api")
        .build()
        .unwrap()
}

#[test]
#[cfg_attr(feature = "ml-dsa", ignore = "the ml-dsa feature is on")]
fn without_the_feature_ml_dsa_is_a_typed_error() {
    for (alg, name, _, _) in LEVELS {
        assert!(!alg.is_supported());
        let err = name.parse::<Algorithm>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
        assert!(err.detail().contains("ml-dsa"), "{}", err.detail());
        let err = Key::generate(alg, &SystemRandom::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
        let jwk = json!({"kty": "AKP", "alg": name, "pub": b64(&[1; 1312])}).to_string();
        assert_eq!(
            Key::from_jwk(jwk.as_bytes(), None).unwrap_err().kind(),
            ErrorKind::UnsupportedAlgorithm
        );
    }
}

#[test]
#[cfg_attr(not(feature = "ml-dsa"), ignore = "needs the ml-dsa feature")]
fn every_level_signs_verifies_and_round_trips_every_format() {
    let rng = SystemRandom::new();
    for (alg, name, pub_len, sig_len) in LEVELS {
        let key = Key::generate(alg, &rng).unwrap().with_kid("pq-1");
        assert_eq!(key.alg(), alg);
        let token = jwt::sign(&key, &Header::new().typ("at+jwt"), &claims(), &rng).unwrap();
        let sig = unb64(token.rsplit('.').next().unwrap());
        assert_eq!(sig.len(), sig_len, "{name}");
        let header: Value =
            serde_json::from_slice(&unb64(token.split('.').next().unwrap())).unwrap();
        assert_eq!(header["alg"], name);

        // Every public and private form verifies the token and keeps the algorithm.
        let public = key.public_key().unwrap();
        let jwk = key.public_jwk().unwrap();
        assert_eq!(jwk["kty"], "AKP");
        assert_eq!(jwk["alg"], name);
        assert_eq!(unb64(jwk["pub"].as_str().unwrap()).len(), pub_len);
        assert!(jwk.get("priv").is_none());
        let private_jwk = key.private_jwk().unwrap();
        let private_value: Value = serde_json::from_str(&private_jwk).unwrap();
        assert_eq!(unb64(private_value["priv"].as_str().unwrap()).len(), 32);
        let forms = [
            Key::from_pem(public.public_key_pem().unwrap().as_bytes(), None).unwrap(),
            Key::from_der(&public.public_key_der().unwrap(), None).unwrap(),
            Key::from_pem(key.private_key_pem().unwrap().as_bytes(), None).unwrap(),
            Key::from_der(&key.private_key_der().unwrap(), None).unwrap(),
            Key::from_jwk_value(&jwk, None).unwrap(),
            Key::from_jwk(private_jwk.as_bytes(), None).unwrap(),
        ];
        for (i, form) in forms.into_iter().enumerate() {
            assert_eq!(form.alg(), alg, "{name} form {i}");
            assert_eq!(
                form.public_key_der().unwrap(),
                public.public_key_der().unwrap()
            );
            assert_eq!(form.thumbprint().unwrap(), key.thumbprint().unwrap());
            let verified = verifier(form.clone()).verify(&token, NOW).unwrap();
            assert_eq!(verified.claims()["sub"], "engine-7");
            if form.is_private() {
                // The reloaded private key signs tokens the original public key accepts.
                let again = jwt::sign(&form, &Header::new(), &claims(), &rng).unwrap();
                assert!(verifier(public.clone()).verify(&again, NOW).is_ok());
            }
        }

        // Through a JWKS, by kid.
        let jwks = jwt::jwks(std::slice::from_ref(&key)).unwrap();
        let set = KeySet::from_jwks(jwks.as_bytes(), &[]).unwrap();
        assert!(verifier_for_set(set).verify(&token, NOW).is_ok());

        // RFC 7638 thumbprint over the required members alg, kty, pub, in that order.
        let canonical = format!(
            r#"{{"alg":"{name}","kty":"AKP","pub":"{}"}}"#,
            jwk["pub"].as_str().unwrap()
        );
        let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
        assert_eq!(key.thumbprint().unwrap(), b64(digest.as_ref()));

        // A tampered signature, and the signature of another message, fail.
        let (input, sig_b64) = token.rsplit_once('.').unwrap();
        let mut bad = unb64(sig_b64);
        bad[sig_len / 2] ^= 0x01;
        let tampered = format!("{input}.{}", b64(&bad));
        assert_eq!(
            verifier(public.clone())
                .verify(&tampered, NOW)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidSignature
        );
    }
}

fn verifier_for_set(set: KeySet) -> Verifier {
    Verifier::builder(set)
        .issuer("https://as.example")
        .audience("api")
        .build()
        .unwrap()
}

#[test]
#[cfg_attr(not(feature = "ml-dsa"), ignore = "needs the ml-dsa feature")]
fn levels_do_not_cross_and_akp_jwks_are_checked() {
    let rng = SystemRandom::new();
    let k44 = Key::generate(Algorithm::MlDsa44, &rng).unwrap();
    let k65 = Key::generate(Algorithm::MlDsa65, &rng).unwrap();
    let token44 = jwt::sign(&k44, &Header::new(), &claims(), &rng).unwrap();
    assert_eq!(
        verifier(k65.public_key().unwrap())
            .verify(&token44, NOW)
            .unwrap_err()
            .kind(),
        ErrorKind::AlgorithmMismatch
    );
    // Another key of the same level: the signature fails.
    let other44 = Key::generate(Algorithm::MlDsa44, &rng).unwrap();
    assert_eq!(
        verifier(other44.public_key().unwrap())
            .verify(&token44, NOW)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidSignature
    );
    // Binding another algorithm to an ML-DSA key is a mismatch.
    assert_eq!(
        k44.clone().with_alg(Algorithm::MlDsa65).unwrap_err().kind(),
        ErrorKind::KeyAlgorithmMismatch
    );

    let jwk = k44.public_jwk().unwrap();
    let public = jwk["pub"].as_str().unwrap().to_owned();
    let private: Value = serde_json::from_str(&k44.private_jwk().unwrap()).unwrap();
    let seed = private["priv"].as_str().unwrap().to_owned();
    let load = |v: Value| Key::from_jwk(v.to_string().as_bytes(), None);
    // alg is required for AKP.
    let err = load(json!({"kty": "AKP", "pub": public})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey);
    // An AKP key for a non-ML-DSA algorithm.
    let err = load(json!({"kty": "AKP", "alg": "ES256", "pub": public})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedKey);
    // The public key of another level's length.
    let err = load(json!({"kty": "AKP", "alg": "ML-DSA-65", "pub": public})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey);
    // A seed that is not 32 bytes, and a seed that does not match `pub`.
    let err = load(json!({"kty": "AKP", "alg": "ML-DSA-44", "pub": public, "priv": b64(&[7; 31])}))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey);
    let err = load(json!({"kty": "AKP", "alg": "ML-DSA-44", "pub": public, "priv": b64(&[7; 32])}))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey);
    // The right seed loads, and the caller's binding must agree with the JWK's alg.
    let good = json!({"kty": "AKP", "alg": "ML-DSA-44", "pub": public, "priv": seed});
    assert!(load(good.clone()).is_ok());
    let err = Key::from_jwk(good.to_string().as_bytes(), Some(Algorithm::MlDsa87)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KeyAlgorithmMismatch);
    // Debug never shows the seed.
    let reloaded = load(good).unwrap();
    assert!(!format!("{reloaded:?}").contains(&seed));
}

/// A Python interpreter whose `cryptography` has ML-DSA (OpenSSL 3.5 or later underneath). The
/// test fails, never skips, when there is none.
fn python_with_ml_dsa() -> String {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let probe = Command::new(&python)
        .args([
            "-c",
            "from cryptography.hazmat.primitives.asymmetric import mldsa; \
             mldsa.MLDSA44PrivateKey.from_seed_bytes(bytes(32))",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        probe.status.success(),
        "the ML-DSA interop test needs Python `cryptography` with ML-DSA (cryptography 46 or \
         later on OpenSSL 3.5 or later): `{python} -m pip install -U cryptography`\n{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    python
}

/// Keys from one seed are the same in tessera and in Python `cryptography`; each side's
/// signatures verify on the other; PKCS#8 and SPKI from `cryptography` load in tessera.
#[test]
#[cfg_attr(not(feature = "ml-dsa"), ignore = "needs the ml-dsa feature")]
fn interop_with_python_cryptography() {
    let python = python_with_ml_dsa();
    let rng = SystemRandom::new();
    for (alg, name, _, _) in LEVELS {
        let level = &name[7..];
        let seed: Vec<u8> = (0u8..32)
            .map(|i| i.wrapping_mul(7).wrapping_add(level.len() as u8))
            .collect();
        let jwk_pub = {
            // The public key cryptography derives from the seed, via tessera's AKP JWK check.
            let script = format!(
                "import base64, sys\n\
                 from cryptography.hazmat.primitives.asymmetric import mldsa\n\
                 from cryptography.hazmat.primitives import serialization as s\n\
                 k = mldsa.MLDSA{level}PrivateKey.from_seed_bytes(bytes.fromhex('{}'))\n\
                 e = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()\n\
                 msg = sys.argv[1].encode()\n\
                 print(e(k.public_key().public_bytes_raw()))\n\
                 print(e(k.sign(msg)))\n\
                 print(e(k.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption())))\n\
                 print(e(k.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)))\n",
                seed.iter().map(|b| format!("{b:02x}")).collect::<String>()
            );
            let key = Key::from_jwk(
                json!({"kty": "AKP", "alg": name, "pub": b64(&[0; 1]), "priv": b64(&seed)})
                    .to_string()
                    .as_bytes(),
                None,
            );
            // `pub` is wrong on purpose above: the error proves the seed was checked against
            // it, and the right `pub` comes from Python.
            assert_eq!(key.unwrap_err().kind(), ErrorKind::InvalidKey);
            let header = b64(format!(r#"{{"alg":"{name}"}}"#).as_bytes());
            let payload = b64(claims().to_string().as_bytes());
            let input = format!("{header}.{payload}");
            let out = Command::new(&python)
                .args(["-c", &script, &input])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8(out.stdout).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let (public, py_sig, pkcs8, spki) = (lines[0], lines[1], lines[2], lines[3]);

            // Same key from the same seed.
            let ours = Key::from_jwk(
                json!({"kty": "AKP", "alg": name, "pub": public, "priv": b64(&seed)})
                    .to_string()
                    .as_bytes(),
                None,
            )
            .unwrap();
            assert_eq!(ours.alg(), alg);
            // cryptography's PKCS#8 and SPKI load, and are the same key.
            let from_pkcs8 = Key::from_der(&unb64(pkcs8), None).unwrap();
            let from_spki = Key::from_der(&unb64(spki), None).unwrap();
            assert_eq!(from_pkcs8.public_key_der().unwrap(), unb64(spki));
            assert_eq!(from_spki.public_key_der().unwrap(), unb64(spki));
            assert_eq!(ours.public_key_der().unwrap(), unb64(spki));
            // cryptography's signature verifies in tessera.
            let token = format!("{input}.{py_sig}");
            assert!(
                verifier(from_spki.clone()).verify(&token, NOW).is_ok(),
                "{name}: a cryptography signature"
            );
            // tessera's signature verifies in cryptography.
            let ours_token = jwt::sign(&ours, &Header::new(), &claims(), &rng).unwrap();
            let (our_input, our_sig) = ours_token.rsplit_once('.').unwrap();
            let check = format!(
                "import base64, sys\n\
                 from cryptography.hazmat.primitives.asymmetric import mldsa\n\
                 d = lambda t: base64.urlsafe_b64decode(t + '=' * (-len(t) % 4))\n\
                 k = mldsa.MLDSA{level}PublicKey.from_public_bytes(d(sys.argv[1]))\n\
                 k.verify(d(sys.argv[3]), sys.argv[2].encode())\n\
                 print('ok')\n"
            );
            let out = Command::new(&python)
                .args(["-c", &check, public, our_input, our_sig])
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stdout.starts_with(b"ok"),
                "{name}: cryptography refused tessera's signature: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            public.to_owned()
        };
        assert!(!jwk_pub.is_empty());
    }
}
