//! Key loading from every container users hold keys in (OpenSSL-made fixtures in
//! `tests/data/keys/`), export round trips, JWKS building, key generation, and interop with
//! joserfc tokens. The P-521 and secp256k1 keys of the aws-lc backend have their own file,
//! `tests/curves.rs`.

use std::path::PathBuf;

use serde_json::Value;
use tessera::ErrorKind;
use tessera::SystemRandom;
use tessera::jwt::{self, Algorithm, Header, Key, KeyFamily, KeySet, Verifier};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/keys")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(name: &str, alg: Option<Algorithm>) -> tessera::Result<Key> {
    let bytes = fixture(name);
    if name.ends_with(".der") {
        Key::from_der(&bytes, alg)
    } else {
        Key::from_pem(&bytes, alg)
    }
}

/// Every container of one key pair: private forms sign, every form verifies, all agree on the
/// thumbprint.
fn check_family(private: &[&str], public: &[&str], alg: Algorithm, family: KeyFamily) {
    let rng = SystemRandom::new();
    let first = load(private[0], Some(alg)).unwrap();
    let thumb = first.thumbprint().unwrap();
    let claims = serde_json::json!({"sub": "s", "exp": 2_000_000_000});
    for name in private {
        let key = load(name, Some(alg)).unwrap();
        assert!(key.is_private(), "{name}");
        assert_eq!(key.family(), family, "{name}");
        assert_eq!(key.thumbprint().unwrap(), thumb, "{name}");
        let token = jwt::sign(&key, &Header::new(), &claims, &rng).unwrap();
        for verifier_name in private.iter().chain(public) {
            let v = load(verifier_name, Some(alg)).unwrap();
            assert_eq!(v.thumbprint().unwrap(), thumb, "{verifier_name}");
            Verifier::new(v)
                .verify(&token, 1_000_000_000)
                .unwrap_or_else(|e| panic!("{name} → {verifier_name}: {e}"));
        }
    }
    for name in public {
        let key = load(name, Some(alg)).unwrap();
        assert!(!key.is_private(), "{name}");
        let err = jwt::sign(&key, &Header::new(), &claims, &rng).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotPrivateKey, "{name}");
    }
}

/// The tags of the first elements of the outer SEQUENCE of `der`, a leading one-byte INTEGER
/// (a version) followed by its value.
fn outer_tags(der: &[u8]) -> Vec<u8> {
    fn split(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = data.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let n = usize::from(first & 0x7F);
            let len = rest
                .get(..n)?
                .iter()
                .fold(0, |acc, &b| acc << 8 | usize::from(b));
            (len, &rest[n..])
        };
        Some((tag, rest.get(..len)?, &rest[len..]))
    }
    let (tag, mut inner, rest) = split(der).unwrap();
    assert_eq!((tag, rest.len()), (0x30, 0), "one SEQUENCE");
    let mut tags = Vec::new();
    while let Some((tag, value, rest)) = split(inner).filter(|_| tags.len() < 6) {
        tags.push(tag);
        if tag == 0x02 && value.len() == 1 && tags.len() == 1 {
            tags.push(value[0]);
        }
        inner = rest;
    }
    tags
}

/// Each DER fixture is the container its name says, and the same key as its PEM sibling (OpenSSL
/// 3.0's `pkey -outform DER` silently writes PKCS#1 or SEC1, and once made a `pkcs8.der` that
/// was PKCS#1).
#[test]
fn fixtures_are_the_containers_their_names_say() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/keys");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".der") else {
            continue;
        };
        let der = fixture(&name);
        let tags = outer_tags(&der);
        // PKCS#8: version 0, AlgorithmIdentifier, key. SEC1: version 1, d. PKCS#1 private:
        // version 0, n. SPKI: AlgorithmIdentifier, key. Certificate: tbs, algorithm, signature.
        let want: &[u8] = match stem.rsplit('.').next().unwrap() {
            "pkcs8" => &[0x02, 0, 0x30, 0x04],
            "sec1" => &[0x02, 1, 0x04, 0xA0, 0xA1],
            "pkcs1" => &[0x02, 0, 0x02, 0x02],
            "spki" => &[0x30, 0x03],
            "cert" => &[0x30, 0x30, 0x03],
            other => panic!("{name}: unknown container {other}"),
        };
        assert!(tags.starts_with(want), "{name}: {tags:02x?}");
        if let Ok(pem) = std::fs::read_to_string(dir.join(format!("{stem}.pem"))) {
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            use base64::Engine as _;
            let from_pem = base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap();
            assert_eq!(from_pem, der, "{name} is not the DER of {stem}.pem");
        }
        checked += 1;
    }
    assert!(checked >= 13, "{checked} DER fixtures");
}

#[test]
fn rsa_in_every_container() {
    check_family(
        &[
            "rsa2048.pkcs8.pem",
            "rsa2048.pkcs1.pem",
            "rsa2048.pkcs8.der",
            "rsa2048.pkcs1.der",
        ],
        &[
            "rsa2048.spki.pem",
            "rsa2048.spki.der",
            "rsa2048.pkcs1pub.pem",
            "rsa2048.cert.pem",
            "rsa2048.cert.der",
        ],
        Algorithm::PS256,
        KeyFamily::Rsa,
    );
}

#[test]
fn p256_in_every_container() {
    check_family(
        &["p256.pkcs8.pem", "p256.sec1.pem", "p256.sec1.der"],
        &["p256.spki.pem", "p256.cert.pem"],
        Algorithm::ES256,
        KeyFamily::P256,
    );
}

#[test]
fn p384_in_every_container() {
    check_family(
        &["p384.pkcs8.pem", "p384.sec1.pem"],
        &["p384.spki.pem"],
        Algorithm::ES384,
        KeyFamily::P384,
    );
}

#[test]
fn ed25519_in_every_container() {
    check_family(
        &["ed25519.pkcs8.pem"],
        &["ed25519.spki.pem", "ed25519.cert.pem"],
        Algorithm::EdDSA,
        KeyFamily::Ed25519,
    );
}

#[test]
fn algorithm_binding_from_the_key_type() {
    assert_eq!(
        load("p256.pkcs8.pem", None).unwrap().alg(),
        Algorithm::ES256
    );
    assert_eq!(load("p384.spki.pem", None).unwrap().alg(), Algorithm::ES384);
    assert_eq!(
        load("ed25519.spki.pem", None).unwrap().alg(),
        Algorithm::EdDSA
    );
    assert_eq!(
        load("ed25519.spki.pem", Some(Algorithm::Ed25519))
            .unwrap()
            .alg(),
        Algorithm::Ed25519
    );
    // P-521 and secp256k1 (aws-lc only): ES512 and ES256K.
    for (name, alg) in [
        ("p521.spki.pem", Algorithm::ES512),
        ("secp256k1.spki.pem", Algorithm::ES256K),
    ] {
        match load(name, None) {
            Ok(key) => assert_eq!((key.alg(), alg.is_supported()), (alg, true), "{name}"),
            Err(err) => {
                assert!(!alg.is_supported(), "{name}: {err:?}");
                assert_eq!(err.kind(), ErrorKind::UnsupportedKey, "{name}");
            }
        }
    }
    // RSA: RS* or PS* is the caller's choice, never guessed.
    assert_eq!(
        load("rsa2048.spki.pem", None).unwrap_err().kind(),
        ErrorKind::KeyAlgorithmMismatch
    );
    for (name, wrong) in [
        ("rsa2048.spki.pem", Algorithm::ES256),
        ("p256.spki.pem", Algorithm::ES384),
        ("p256.spki.pem", Algorithm::ES256K),
        ("p256.spki.pem", Algorithm::ES512),
        ("p384.spki.pem", Algorithm::ES256),
        ("p384.spki.pem", Algorithm::ES512),
        ("rsa2048.spki.pem", Algorithm::ES512),
        ("ed25519.spki.pem", Algorithm::ES256),
        ("rsa2048.pkcs8.pem", Algorithm::HS256),
        ("p256.pkcs8.pem", Algorithm::HS256),
    ] {
        assert_eq!(
            load(name, Some(wrong)).unwrap_err().kind(),
            ErrorKind::KeyAlgorithmMismatch,
            "{name} {wrong}"
        );
    }
}

#[test]
fn unsupported_and_weak_keys_are_typed_errors() {
    // P-521 needs the aws-lc backend (tests/curves.rs has the rest).
    let p521 = load("p521.sec1.pem", None);
    assert_eq!(p521.is_ok(), cfg!(feature = "aws-lc"), "{p521:?}");
    match p521 {
        Ok(key) => assert_eq!(key.alg(), Algorithm::ES512),
        Err(err) => assert_eq!(err.kind(), ErrorKind::UnsupportedKey),
    }
    assert_eq!(
        load("ed448.pkcs8.pem", None).unwrap_err().kind(),
        ErrorKind::UnsupportedKey
    );
    assert_eq!(
        load("rsa2048.encrypted.pem", Some(Algorithm::RS256))
            .unwrap_err()
            .kind(),
        ErrorKind::UnsupportedKey
    );
    assert_eq!(
        load("rsa1024.pkcs8.pem", Some(Algorithm::RS256))
            .unwrap_err()
            .kind(),
        ErrorKind::WeakKey
    );
    // Garbage and truncation never panic.
    let der = fixture("rsa2048.pkcs8.der");
    for cut in [0, 1, 2, 10, der.len() / 2, der.len() - 1] {
        let err = Key::from_der(&der[..cut], Some(Algorithm::RS256)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidKey),
            "cut {cut}: {err:?}"
        );
    }
    assert_eq!(
        Key::from_pem(b"not a pem", None).unwrap_err().kind(),
        ErrorKind::InvalidKey
    );
    assert_eq!(
        Key::from_der(&vec![0x30; 70_000], None).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
}

#[test]
fn export_round_trips_for_every_family() {
    let rng = SystemRandom::new();
    let mut keys = vec![
        load("rsa2048.pkcs8.pem", Some(Algorithm::RS384)).unwrap(),
        load("p256.sec1.pem", None).unwrap(),
        load("p384.pkcs8.pem", None).unwrap(),
        load("ed25519.pkcs8.pem", None).unwrap(),
        Key::generate(Algorithm::ES256, &rng).unwrap(),
        Key::generate(Algorithm::Ed25519, &rng).unwrap(),
    ];
    // Every family of the build: P-521 and secp256k1 with aws-lc, loaded and generated.
    if cfg!(feature = "aws-lc") {
        keys.push(load("p521.sec1.pem", None).unwrap());
        keys.push(load("secp256k1.pkcs8.der", None).unwrap());
        keys.push(Key::generate(Algorithm::ES512, &rng).unwrap());
        keys.push(Key::generate(Algorithm::ES256K, &rng).unwrap());
        keys.push(Key::generate(Algorithm::PS384, &rng).unwrap());
    }
    for key in keys {
        let key = key.with_kid("k");
        let alg = key.alg();
        let thumb = key.thumbprint().unwrap();
        let private_jwk = key.private_jwk().unwrap();
        let from_jwk = Key::from_jwk(private_jwk.as_bytes(), None).unwrap();
        assert_eq!(from_jwk.alg(), alg);
        assert_eq!(from_jwk.kid(), Some("k"));
        assert_eq!(from_jwk.thumbprint().unwrap(), thumb);
        let from_pem = Key::from_pem(key.private_key_pem().unwrap().as_bytes(), Some(alg)).unwrap();
        assert_eq!(from_pem.thumbprint().unwrap(), thumb);
        let public_pem =
            Key::from_pem(key.public_key_pem().unwrap().as_bytes(), Some(alg)).unwrap();
        let public_jwk = key.public_jwk().unwrap();
        assert_eq!(public_jwk["use"], "sig");
        assert_eq!(public_jwk["alg"], alg.as_str());
        assert!(!public_jwk.contains_key("d"), "public JWK leaks d");
        let public_from_jwk =
            Key::from_jwk(&serde_json::to_vec(&public_jwk).unwrap(), None).unwrap();
        let token = jwt::sign(
            &from_jwk,
            &Header::new(),
            &serde_json::json!({"exp": 10}),
            &rng,
        )
        .unwrap();
        for verifier in [key.clone(), from_pem, public_pem, public_from_jwk] {
            assert!(Verifier::new(verifier).verify(&token, 0).is_ok());
        }
    }
}

#[test]
fn hmac_keys_export_and_never_publish() {
    let rng = SystemRandom::new();
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let key = Key::generate(alg, &rng).unwrap();
        let jwk = key.private_jwk().unwrap();
        let parsed: Value = serde_json::from_str(&jwk).unwrap();
        assert_eq!(parsed["kty"], "oct");
        let again = Key::from_jwk(jwk.as_bytes(), None).unwrap();
        assert_eq!(again.thumbprint().unwrap(), key.thumbprint().unwrap());
        assert_eq!(key.public_jwk().unwrap_err().kind(), ErrorKind::NoPublicKey);
        assert_eq!(key.public_key().unwrap_err().kind(), ErrorKind::NoPublicKey);
        assert_eq!(
            jwt::jwks(&[key]).unwrap_err().kind(),
            ErrorKind::NoPublicKey
        );
    }
}

#[test]
fn jwks_document_round_trips_and_selects_by_kid() {
    let rng = SystemRandom::new();
    let a = Key::generate(Algorithm::ES256, &rng).unwrap().with_kid("a");
    let b = load("rsa2048.pkcs8.pem", Some(Algorithm::RS256))
        .unwrap()
        .with_kid("b");
    let c = Key::generate(Algorithm::EdDSA, &rng).unwrap().with_kid("c");
    let doc = jwt::jwks(&[a.clone(), b.clone(), c.clone()]).unwrap();
    assert!(!doc.contains("\"d\""), "JWKS leaks private members");
    let set = KeySet::from_jwks(doc.as_bytes(), &[]).unwrap();
    assert_eq!(set.keys().len(), 3);
    let verifier = Verifier::new(set);
    for key in [&a, &b, &c] {
        let token = jwt::sign(key, &Header::new(), &serde_json::json!({"exp": 10}), &rng).unwrap();
        assert!(verifier.verify(&token, 0).is_ok(), "{:?}", key.kid());
        // A token claiming another key's kid fails.
        let other = if key.kid() == Some("a") { "c" } else { "a" };
        let forged = jwt::sign(
            key,
            &Header::new().kid(other),
            &serde_json::json!({"exp": 10}),
            &rng,
        )
        .unwrap();
        assert!(verifier.verify(&forged, 0).is_err());
    }
}

#[test]
fn jwks_keys_without_alg_take_the_callers_binding() {
    let rsa = load("rsa2048.spki.pem", Some(Algorithm::RS256)).unwrap();
    let mut jwk = rsa.public_jwk().unwrap();
    let _ = jwk.remove("alg");
    let _ = jwk.insert("kid".into(), "r".into());
    let doc = serde_json::json!({"keys": [jwk]}).to_string();
    // No binding: the RSA key is skipped, and with nothing usable the set is refused.
    let err = KeySet::from_jwks(doc.as_bytes(), &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KeyNotFound);
    // Bound to RS256 and PS256: one entry per algorithm.
    let set = KeySet::from_jwks(doc.as_bytes(), &[Algorithm::RS256, Algorithm::PS256]).unwrap();
    let algs: Vec<Algorithm> = set.keys().iter().map(Key::alg).collect();
    assert_eq!(algs, [Algorithm::RS256, Algorithm::PS256]);
    // The header never picks: an RS512 token under this set is refused.
    let private = load("rsa2048.pkcs8.pem", Some(Algorithm::RS512))
        .unwrap()
        .with_kid("r");
    let token = jwt::sign(
        &private,
        &Header::new(),
        &serde_json::json!({"exp": 10}),
        &SystemRandom::new(),
    )
    .unwrap();
    assert_eq!(
        Verifier::new(set).verify(&token, 0).unwrap_err().kind(),
        ErrorKind::AlgorithmMismatch
    );
}

#[test]
fn joserfc_tokens_verify() {
    let doc: Value = serde_json::from_slice(&fixture("interop.json")).unwrap();
    let tokens = doc["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 9);
    for t in tokens {
        let alg: Algorithm = t["alg"].as_str().unwrap().parse().unwrap();
        let pem = t["key"].as_str().unwrap().replace("pkcs8", "spki");
        let key = load(&pem, Some(alg)).unwrap();
        let verifier = Verifier::builder(key)
            .issuer("https://as.example")
            .audience("api")
            .typ("at+jwt")
            .build()
            .unwrap();
        let verified = verifier
            .verify(t["token"].as_str().unwrap(), 1_800_000_000)
            .unwrap();
        assert_eq!(
            Value::Object(verified.claims().clone()),
            doc["claims"],
            "{alg}"
        );
        assert_eq!(verified.registered().sub.as_deref(), Some("user-1"));
    }
}

/// Issue 14 §1: rebinding re-derives the key for the new algorithm and re-applies every
/// load-time rule. An HMAC key made for HS256 once kept SHA-256 under an `HS512` label.
#[test]
fn rebinding_rederives_hmac_keys_and_keeps_their_rules() {
    let rng = SystemRandom::new();
    let claims = serde_json::json!({"sub": "s", "exp": 2_000_000_000});
    // A 32-byte secret is enough for HS256 only.
    let short = Key::hmac(&[7u8; 32], Algorithm::HS256).unwrap();
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        assert_eq!(
            short.clone().with_alg(alg).unwrap_err().kind(),
            ErrorKind::WeakKey,
            "{alg}"
        );
    }
    // A 64-byte secret can become HS512, and then really is HMAC-SHA-512.
    let secret = [9u8; 64];
    let rebound = Key::hmac(&secret, Algorithm::HS256)
        .unwrap()
        .with_kid("k1")
        .with_alg(Algorithm::HS512)
        .unwrap();
    assert_eq!(
        (rebound.alg(), rebound.kid()),
        (Algorithm::HS512, Some("k1"))
    );
    let token = jwt::sign(&rebound, &Header::new(), &claims, &rng).unwrap();
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let expected = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA512, &secret),
        signing_input.as_bytes(),
    );
    use base64::Engine as _;
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signature)
        .unwrap();
    assert_eq!(signature, expected.as_ref(), "HS512 must be HMAC-SHA-512");
    let direct = Key::hmac(&secret, Algorithm::HS512).unwrap();
    let verifier = Verifier::builder(KeySet::new(vec![direct]).unwrap())
        .build()
        .unwrap();
    verifier.verify(&token, 1_800_000_000).unwrap();
    // And back: the rebound key verifies nothing signed with SHA-256 under its label.
    let hs256 = Key::hmac(&secret, Algorithm::HS256).unwrap().with_kid("k1");
    let back = rebound.with_alg(Algorithm::HS256).unwrap();
    let t256 = jwt::sign(&hs256, &Header::new(), &claims, &rng).unwrap();
    assert_eq!(
        t256,
        jwt::sign(&back, &Header::new(), &claims, &rng).unwrap()
    );
}

/// Issue 14 §1: EC keys never change curve, EdDSA keys never leave EdDSA, nothing crosses
/// families; RSA keys move between every RS* and PS* algorithm (the docs say so), and sign
/// with the new padding and hash.
#[test]
fn rebinding_keeps_families_and_curves() {
    let rng = SystemRandom::new();
    for (name, wrong) in [
        ("p256.pkcs8.pem", Algorithm::ES384),
        ("p384.pkcs8.pem", Algorithm::ES256),
        ("p256.spki.pem", Algorithm::EdDSA),
        ("ed25519.pkcs8.pem", Algorithm::ES256),
        ("rsa2048.pkcs8.pem", Algorithm::HS256),
        ("rsa2048.spki.pem", Algorithm::ES256),
    ] {
        let key = load(name, None).or_else(|_| load(name, Some(Algorithm::RS256)));
        assert_eq!(
            key.unwrap().with_alg(wrong).unwrap_err().kind(),
            ErrorKind::KeyAlgorithmMismatch,
            "{name} -> {wrong}"
        );
    }
    assert_eq!(
        Key::hmac(&[1u8; 64], Algorithm::HS512)
            .unwrap()
            .with_alg(Algorithm::RS256)
            .unwrap_err()
            .kind(),
        ErrorKind::KeyAlgorithmMismatch
    );
    let claims = serde_json::json!({"sub": "s", "exp": 2_000_000_000});
    let rsa = load("rsa2048.pkcs8.pem", Some(Algorithm::RS256)).unwrap();
    for alg in [
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        let token = jwt::sign(
            &rsa.clone().with_alg(alg).unwrap(),
            &Header::new(),
            &claims,
            &rng,
        )
        .unwrap();
        let public = load("rsa2048.spki.pem", Some(alg)).unwrap();
        let verifier = Verifier::builder(KeySet::new(vec![public]).unwrap())
            .build()
            .unwrap();
        verifier.verify(&token, 1_800_000_000).unwrap();
    }
}

/// RSA key generation: with aws-lc, `Key::generate` makes a 2048-bit key and
/// `Key::generate_rsa` a 3072-bit one; their tokens verify with the public key loaded back from
/// the exported SPKI (PEM and DER) and with ring directly, from the JWK's `n` and `e`. ring
/// cannot generate RSA keys: `Unsupported`, with the OpenSSL command in the detail.
#[test]
fn rsa_key_generation_follows_the_backend() {
    let rng = SystemRandom::new();
    let claims = serde_json::json!({"sub": "s", "exp": 2_000_000_000});
    let generated = Key::generate(Algorithm::RS256, &rng);
    if !cfg!(feature = "aws-lc") {
        for result in [generated, Key::generate_rsa(Algorithm::PS256, 3072)] {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Unsupported);
            assert!(err.detail().contains("openssl"), "{}", err.detail());
        }
    }
    for (result, alg, bytes) in [
        (Key::generate(Algorithm::RS256, &rng), Algorithm::RS256, 256),
        (
            Key::generate_rsa(Algorithm::PS256, 3072),
            Algorithm::PS256,
            384,
        ),
    ] {
        assert_eq!(
            result.is_ok(),
            cfg!(feature = "aws-lc"),
            "{alg}: {result:?}"
        );
        let Ok(key) = result else {
            continue;
        };
        assert!(key.is_private());
        assert_eq!((key.alg(), key.family()), (alg, KeyFamily::Rsa));
        let jwk = key.public_jwk().unwrap();
        use base64::Engine as _;
        let decode = |m: &str| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(jwk[m].as_str().unwrap())
                .unwrap()
        };
        let (n, e) = (decode("n"), decode("e"));
        assert_eq!(
            n.len(),
            bytes,
            "{alg}: the modulus has exactly the asked size"
        );
        assert!(n[0] & 0x80 != 0 && n[n.len() - 1] & 1 == 1, "{alg}");
        assert_eq!(e, [1, 0, 1], "{alg}: e = 65537");
        let token = jwt::sign(&key, &Header::new(), &claims, &rng).unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(sig)
            .unwrap();
        assert_eq!(sig.len(), bytes);
        for public in [
            Key::from_pem(key.public_key_pem().unwrap().as_bytes(), Some(alg)).unwrap(),
            Key::from_der(&key.public_key_der().unwrap(), Some(alg)).unwrap(),
            Key::from_jwk(&serde_json::to_vec(&jwk).unwrap(), None).unwrap(),
        ] {
            assert!(!public.is_private());
            assert_eq!(public.thumbprint().unwrap(), key.thumbprint().unwrap());
            Verifier::new(public)
                .verify(&token, 1_000_000_000)
                .unwrap_or_else(|e| panic!("{alg}: {e:?}"));
        }
        // ring, from n and e alone, agrees.
        let params = if alg == Algorithm::RS256 {
            &ring::signature::RSA_PKCS1_2048_8192_SHA256
        } else {
            &ring::signature::RSA_PSS_2048_8192_SHA256
        };
        ring::signature::RsaPublicKeyComponents { n: &n, e: &e }
            .verify(params, input.as_bytes(), &sig)
            .unwrap_or_else(|_| panic!("{alg}: ring refuses the signature"));
        // The private key round-trips through PKCS#8 and signs for the original.
        let again = Key::from_pem(key.private_key_pem().unwrap().as_bytes(), Some(alg)).unwrap();
        Verifier::new(key.public_key().unwrap())
            .verify(
                jwt::sign(&again, &Header::new(), &claims, &rng).unwrap(),
                1_000_000_000,
            )
            .unwrap();
    }
    // Sizes other than 2048, 3072 and 4096, and non-RSA algorithms, are refused on both.
    for bits in [0, 1024, 2047, 2049, 8192] {
        assert_eq!(
            Key::generate_rsa(Algorithm::RS256, bits)
                .unwrap_err()
                .kind(),
            ErrorKind::Unsupported,
            "{bits}"
        );
    }
    for alg in [Algorithm::ES256, Algorithm::HS256, Algorithm::EdDSA] {
        assert_eq!(
            Key::generate_rsa(alg, 2048).unwrap_err().kind(),
            ErrorKind::KeyAlgorithmMismatch,
            "{alg}"
        );
    }
}
