//! DPoP (RFC 9449) and certificate binding (RFC 8705 §3) through the public API: the RFC's
//! example proofs, one crafted failing proof for every rule of §4.3, the nonce flow of §8, the
//! resource server's binding checks, and a property test (a proof `create_proof` makes
//! validates, and any single change to it fails).

#![allow(clippy::unwrap_used, clippy::panic)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use serde_json::{Value, json};

use tessera::dpop::{
    self, Confirmation, NonceIssuer, Presentation, ProofValidator, ReplayCache, check_binding,
    create_proof,
};
use tessera::jwt::{self, Algorithm, Key};
use tessera::wire::{ErrorResponse, resource_error_for, token_error_for};
use tessera::{ErrorKind, SystemRandom};

const HTU: &str = "https://server.example.com/token";
const NOW: i64 = 1_800_000_000;

fn examples() -> Value {
    serde_json::from_str(include_str!("data/rfc9449/examples.json")).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn es256() -> Key {
    Key::from_pem(include_bytes!("data/keys/p256.pkcs8.pem"), None).unwrap()
}

/// The public JWK members of `key`, as a proof header carries them.
fn public_members(key: &Key) -> Value {
    let mut jwk = key.public_jwk().unwrap();
    for m in ["alg", "use", "kid"] {
        jwk.remove(m);
    }
    Value::Object(jwk)
}

/// A proof with exactly this header and these claims, signed by `signer` (whose algorithm must
/// be the header's).
fn craft(signer: &Key, header: &Value, claims: &Value) -> String {
    let rng = SystemRandom::new();
    jwt::sign_jws(
        signer,
        header.to_string().as_bytes(),
        claims.to_string().as_bytes(),
        &rng,
    )
    .unwrap()
}

fn good_header(key: &Key) -> Value {
    json!({"typ": "dpop+jwt", "alg": key.alg().as_str(), "jwk": public_members(key)})
}

fn good_claims() -> Value {
    json!({"jti": "j-1", "htm": "POST", "htu": HTU, "iat": NOW})
}

fn kind_of(proof: &str) -> ErrorKind {
    ProofValidator::new()
        .validate(proof, "POST", HTU, NOW, None)
        .unwrap_err()
        .kind()
}

#[test]
fn rfc9449_example_proofs_validate() {
    let ex = examples();
    let key = Key::from_jwk(ex["jwk"].to_string().as_bytes(), None).unwrap();
    assert_eq!(key.thumbprint().unwrap(), ex["jkt"]);
    assert_eq!(
        dpop::ath(ex["access_token"].as_str().unwrap()),
        ex["ath"].as_str().unwrap()
    );
    for case in ex["proofs"].as_array().unwrap() {
        let proof = case["proof"].as_str().unwrap();
        let iat = case["iat"].as_i64().unwrap();
        let (htm, htu) = (case["htm"].as_str().unwrap(), case["htu"].as_str().unwrap());
        let token = case["access_token"].as_str();
        let checked = ProofValidator::new()
            .validate(proof, htm, htu, iat + 5, token)
            .unwrap_or_else(|e| panic!("{}: {e}", case["figure"]));
        assert_eq!(checked.jkt(), ex["jkt"]);
        assert_eq!(checked.jti(), case["jti"]);
        assert_eq!(checked.iat(), iat);
        assert_eq!(checked.htm(), htm);
        assert_eq!(checked.replay_until(), iat + 60);
        assert_eq!(
            checked.confirmation(),
            Confirmation::jkt(ex["jkt"].as_str().unwrap()).unwrap()
        );
        // The request URI in another spelling of the same resource, with a query.
        let upper = htu
            .replacen("https://", "HTTPS://", 1)
            .replacen(".example", ".EXAMPLE", 1);
        let variant = format!("{upper}?foo=bar#x").replacen(".com/", ".com:443/", 1);
        ProofValidator::new()
            .validate(proof, htm, &variant, iat, token)
            .unwrap_or_else(|e| panic!("{variant}: {e}"));
        // A flipped bit anywhere fails (the signature, the claims, the header).
        let bytes = proof.as_bytes();
        for i in (0..bytes.len()).step_by(7) {
            if bytes[i] == b'.' {
                continue;
            }
            let mut bad = bytes.to_vec();
            bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
            let bad = String::from_utf8(bad).unwrap();
            assert!(
                ProofValidator::new()
                    .validate(&bad, htm, htu, iat, token)
                    .is_err(),
                "{} byte {i}",
                case["figure"]
            );
        }
    }
    // Figure 13 at a resource server: `ath` is required and checked.
    let fig13 = &ex["proofs"][2];
    let (proof, iat) = (
        fig13["proof"].as_str().unwrap(),
        fig13["iat"].as_i64().unwrap(),
    );
    let validate = |token| {
        ProofValidator::new().validate(proof, "GET", fig13["htu"].as_str().unwrap(), iat, token)
    };
    assert_eq!(
        validate(Some("another token")).unwrap_err().kind(),
        ErrorKind::DpopAth
    );
    assert!(
        validate(None).is_ok(),
        "ath is ignored without an access token"
    );
}

#[test]
fn every_rule_has_its_failing_proof() {
    let key = es256();
    let ok = craft(&key, &good_header(&key), &good_claims());
    ProofValidator::new()
        .validate(&ok, "POST", HTU, NOW, None)
        .unwrap();

    let with_header = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut h = good_header(&key);
        f(h.as_object_mut().unwrap());
        craft(&key, &h, &good_claims())
    };
    let with_claims = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut c = good_claims();
        f(c.as_object_mut().unwrap());
        craft(&key, &good_header(&key), &c)
    };

    // Rule 2: one well-formed JWS.
    let parts: Vec<&str> = ok.split('.').collect();
    for bad in [
        String::new(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{ok}.x"),
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.", parts[0], parts[1]),
        format!("{}.{}.{}", b64(b"not json"), parts[1], parts[2]),
        "a".repeat(9000),
    ] {
        assert_eq!(kind_of(&bad), ErrorKind::DpopMalformed, "{bad:.60}");
    }
    // Signed, but the claims are not one JSON object without duplicates.
    let rng = SystemRandom::new();
    let header = good_header(&key).to_string();
    for claims in [
        &b"[1]"[..],
        b"{\"jti\":\"a\",\"jti\":\"b\"}",
        b"not json",
        b"",
    ] {
        let bad = jwt::sign_jws(&key, header.as_bytes(), claims, &rng).unwrap();
        assert_eq!(kind_of(&bad), ErrorKind::DpopMalformed, "{claims:?}");
    }
    // A changed payload without a new signature is a signature failure (checked first).
    let unsigned = format!("{}.{}.{}", parts[0], b64(b"[1]"), parts[2]);
    assert_eq!(kind_of(&unsigned), ErrorKind::DpopSignature);
    let dup = format!(
        "{}.{}.{}",
        b64(br#"{"typ":"dpop+jwt","typ":"dpop+jwt","alg":"ES256"}"#),
        parts[1],
        parts[2]
    );
    assert_eq!(kind_of(&dup), ErrorKind::DpopMalformed);
    let crit = with_header(&|h| {
        h.insert("crit".into(), json!(["exp"]));
        h.insert("exp".into(), json!(1));
    });
    assert_eq!(kind_of(&crit), ErrorKind::DpopMalformed);

    // Rule 4: typ, exactly.
    for typ in [
        None,
        Some("JWT"),
        Some("DPoP+JWT"),
        Some("application/dpop+jwt"),
    ] {
        let p = with_header(&|h| match typ {
            None => {
                h.remove("typ");
            }
            Some(t) => {
                h.insert("typ".into(), json!(t));
            }
        });
        assert_eq!(kind_of(&p), ErrorKind::DpopType, "{typ:?}");
    }

    // Rule 5: asymmetric, allowed algorithms only.
    let hmac = Key::hmac(&[7u8; 32], Algorithm::HS256).unwrap();
    let mut h = good_header(&key);
    h["alg"] = json!("HS256");
    assert_eq!(
        kind_of(&craft(&hmac, &h, &good_claims())),
        ErrorKind::DpopAlgorithm
    );
    let none = format!(
        "{}.{}.{}",
        b64(
            json!({"typ":"dpop+jwt","alg":"none","jwk":public_members(&key)})
                .to_string()
                .as_bytes()
        ),
        parts[1],
        parts[2]
    );
    assert_eq!(kind_of(&none), ErrorKind::DpopAlgorithm);
    let no_alg = format!(
        "{}.{}.{}",
        b64(json!({"typ":"dpop+jwt","jwk":public_members(&key)})
            .to_string()
            .as_bytes()),
        parts[1],
        parts[2]
    );
    assert_eq!(kind_of(&no_alg), ErrorKind::DpopAlgorithm);
    let only_eddsa = ProofValidator::builder()
        .algorithms(&[Algorithm::EdDSA])
        .build()
        .unwrap();
    assert_eq!(
        only_eddsa
            .validate(&ok, "POST", HTU, NOW, None)
            .unwrap_err()
            .kind(),
        ErrorKind::DpopAlgorithm
    );

    // Rule 7: a public jwk, valid for alg.
    let p384 = Key::from_pem(include_bytes!("data/keys/p384.pkcs8.pem"), None).unwrap();
    for (name, p) in [
        (
            "no jwk",
            with_header(&|h| {
                h.remove("jwk");
            }),
        ),
        (
            "jwk not an object",
            with_header(&|h| {
                h.insert("jwk".into(), json!("x"));
            }),
        ),
        (
            "private member d",
            with_header(&|h| {
                h["jwk"]["d"] = json!("AAAA");
            }),
        ),
        (
            "symmetric jwk",
            with_header(&|h| {
                h.insert("jwk".into(), json!({"kty": "oct", "k": b64(&[1u8; 32])}));
            }),
        ),
        (
            "another curve",
            with_header(&|h| {
                h.insert("jwk".into(), public_members(&p384));
            }),
        ),
        (
            "point off the curve",
            with_header(&|h| {
                h["jwk"]["y"] = json!(b64(&[1u8; 32]));
            }),
        ),
    ] {
        assert_eq!(kind_of(&p), ErrorKind::DpopKey, "{name}");
    }

    // Rule 6: the signature, with that jwk.
    let other = Key::generate(Algorithm::ES256, &SystemRandom::new()).unwrap();
    let mut h = good_header(&key);
    h["jwk"] = public_members(&other);
    assert_eq!(
        kind_of(&craft(&key, &h, &good_claims())),
        ErrorKind::DpopSignature
    );

    // Rule 3: jti.
    for jti in [
        None,
        Some(json!("")),
        Some(json!("x".repeat(65))),
        Some(json!(5)),
    ] {
        let p = with_claims(&|c| match &jti {
            None => {
                c.remove("jti");
            }
            Some(v) => {
                c.insert("jti".into(), v.clone());
            }
        });
        assert_eq!(kind_of(&p), ErrorKind::DpopJti, "{jti:?}");
    }
    let p = with_claims(&|c| {
        c.insert("jti".into(), json!("x".repeat(64)));
    });
    ProofValidator::new()
        .validate(&p, "POST", HTU, NOW, None)
        .unwrap();

    // Rule 8: htm.
    for htm in [
        None,
        Some(json!("post")),
        Some(json!("GET")),
        Some(json!(["POST"])),
    ] {
        let p = with_claims(&|c| match &htm {
            None => {
                c.remove("htm");
            }
            Some(v) => {
                c.insert("htm".into(), v.clone());
            }
        });
        assert_eq!(kind_of(&p), ErrorKind::DpopMethod, "{htm:?}");
    }

    // Rule 9: htu.
    for htu in [
        None,
        Some(json!("https://server.example.com/token2")),
        Some(json!("https://evil.example.com/token")),
        Some(json!("http://server.example.com/token")),
        Some(json!("https://server.example.com:8443/token")),
        Some(json!("/token")),
        Some(json!(1)),
    ] {
        let p = with_claims(&|c| match &htu {
            None => {
                c.remove("htu");
            }
            Some(v) => {
                c.insert("htu".into(), v.clone());
            }
        });
        assert_eq!(kind_of(&p), ErrorKind::DpopUri, "{htu:?}");
    }
    for same in [
        "https://server.example.com:443/token",
        "HTTPS://Server.Example.COM/token",
        "https://server.example.com/a/../token",
        "https://server.example.com/%74oken",
    ] {
        let p = with_claims(&|c| {
            c.insert("htu".into(), json!(same));
        });
        ProofValidator::new()
            .validate(&p, "POST", HTU, NOW, None)
            .unwrap_or_else(|e| panic!("{same}: {e}"));
    }

    // Rule 11: iat, ±60 s by default.
    for iat in [
        None,
        Some(json!("1800000000")),
        Some(json!(NOW - 61)),
        Some(json!(NOW + 61)),
        Some(json!(-5)),
    ] {
        let p = with_claims(&|c| match &iat {
            None => {
                c.remove("iat");
            }
            Some(v) => {
                c.insert("iat".into(), v.clone());
            }
        });
        assert_eq!(kind_of(&p), ErrorKind::DpopIat, "{iat:?}");
    }
    for iat in [json!(NOW - 60), json!(NOW + 60), json!(NOW as f64 + 0.5)] {
        let p = with_claims(&|c| {
            c.insert("iat".into(), iat.clone());
        });
        ProofValidator::new()
            .validate(&p, "POST", HTU, NOW, None)
            .unwrap();
    }
    let narrow = ProofValidator::builder().iat_window(5).build().unwrap();
    let old = with_claims(&|c| {
        c.insert("iat".into(), json!(NOW - 6));
    });
    assert_eq!(
        narrow
            .validate(&old, "POST", HTU, NOW, None)
            .unwrap_err()
            .kind(),
        ErrorKind::DpopIat
    );

    // Rule 12: ath with an access token.
    let token = "an-access-token";
    let v = ProofValidator::new();
    assert_eq!(
        v.validate(&ok, "POST", HTU, NOW, Some(token))
            .unwrap_err()
            .kind(),
        ErrorKind::DpopAth
    );
    let wrong = with_claims(&|c| {
        c.insert("ath".into(), json!(dpop::ath("another")));
    });
    assert_eq!(
        v.validate(&wrong, "POST", HTU, NOW, Some(token))
            .unwrap_err()
            .kind(),
        ErrorKind::DpopAth
    );
    let right = with_claims(&|c| {
        c.insert("ath".into(), json!(dpop::ath(token)));
    });
    v.validate(&right, "POST", HTU, NOW, Some(token)).unwrap();

    // The host's own mistakes are not the client's.
    assert_eq!(
        v.validate(&ok, "PO ST", HTU, NOW, None).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        v.validate(&ok, "POST", "/token", NOW, None)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn nonce_flow_rfc9449_section_8() {
    let rng = SystemRandom::new();
    let client = es256();
    let issuer = NonceIssuer::new(&[9u8; 32], 300).unwrap();
    let server = ProofValidator::builder()
        .require_nonce(issuer.clone())
        .build()
        .unwrap();
    assert!(server.requires_nonce());
    // 1. The client sends a proof without a nonce: use_dpop_nonce, with a nonce to use.
    let first = create_proof(&client, "POST", HTU, NOW, &rng, None, None).unwrap();
    let err = server.validate(&first, "POST", HTU, NOW, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DpopNonceRequired);
    assert_eq!(
        token_error_for(err.kind()).oauth_error(),
        Some("use_dpop_nonce")
    );
    assert_eq!(
        resource_error_for(err.kind()).oauth_error(),
        Some("use_dpop_nonce")
    );
    let nonce = server.nonce(NOW).unwrap();
    // The error responses carry it as DPoP-Nonce: 400 at the token endpoint, 401 at a resource.
    let at_token = ErrorResponse::from_error(&err).with_dpop_nonce(server.nonce(NOW).as_deref());
    assert_eq!(
        (at_token.error(), at_token.http_status()),
        ("use_dpop_nonce", 400)
    );
    assert!(at_token.headers().contains(&("DPoP-Nonce", nonce.clone())));
    let at_rs = ErrorResponse::for_resource(&err)
        .with_challenges("api", Some(&[Algorithm::ES256]), None)
        .with_dpop_nonce(Some(&nonce));
    assert_eq!(at_rs.http_status(), 401);
    assert!(at_rs.www_authenticate().unwrap().starts_with("DPoP "));
    assert_eq!(at_rs.dpop_nonce(), Some(nonce.as_str()));
    assert_eq!(
        ErrorResponse::from_error(&err)
            .with_dpop_nonce(Some("bad nonce"))
            .dpop_nonce(),
        None
    );
    // 2. It retries with the nonce: accepted, and the nonce is returned.
    let second = create_proof(&client, "POST", HTU, NOW + 1, &rng, Some(&nonce), None).unwrap();
    let checked = server
        .validate(&second, "POST", HTU, NOW + 1, None)
        .unwrap();
    assert_eq!(checked.nonce(), Some(nonce.as_str()));
    // 3. A nonce the server did not make, or a stale one, is use_dpop_nonce again.
    let rfc_nonce = examples()["nonce"].as_str().unwrap().to_owned();
    let forged = create_proof(&client, "POST", HTU, NOW, &rng, Some(&rfc_nonce), None).unwrap();
    assert_eq!(
        server
            .validate(&forged, "POST", HTU, NOW, None)
            .unwrap_err()
            .kind(),
        ErrorKind::DpopNonceInvalid
    );
    let later = NOW + 700;
    let stale = create_proof(&client, "POST", HTU, later, &rng, Some(&nonce), None).unwrap();
    assert_eq!(
        server
            .validate(&stale, "POST", HTU, later, None)
            .unwrap_err()
            .kind(),
        ErrorKind::DpopNonceInvalid
    );
    // A server that does not require nonces passes the client's through.
    let plain = ProofValidator::new()
        .validate(&forged, "POST", HTU, NOW, None)
        .unwrap();
    assert_eq!(plain.nonce(), Some(rfc_nonce.as_str()));
}

#[test]
fn create_proof_makes_rfc_shaped_proofs() {
    let rng = SystemRandom::new();
    let mut keys = vec![
        es256(),
        Key::from_pem(include_bytes!("data/keys/p384.pkcs8.pem"), None).unwrap(),
        Key::from_pem(include_bytes!("data/keys/ed25519.pkcs8.pem"), None).unwrap(),
    ];
    let rsa = include_bytes!("data/keys/rsa2048.pkcs8.pem");
    for alg in [Algorithm::RS256, Algorithm::PS256, Algorithm::PS512] {
        keys.push(Key::from_pem(rsa, Some(alg)).unwrap());
    }
    for alg in [Algorithm::ES512, Algorithm::ES256K] {
        if alg.is_supported() {
            keys.push(Key::generate(alg, &rng).unwrap());
        }
    }
    for key in keys {
        let token = "tok";
        let proof = create_proof(
            &key,
            "GET",
            "https://api.example/r?q=1#f",
            NOW,
            &rng,
            Some("n-1"),
            Some(token),
        )
        .unwrap();
        let parts: Vec<&str> = proof.split('.').collect();
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], key.alg().as_str());
        let jwk = header["jwk"].as_object().unwrap();
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(!jwk.contains_key(private), "{private}");
        }
        assert!(!jwk.contains_key("kid") && !jwk.contains_key("use"));
        assert_eq!(claims["htm"], "GET");
        assert_eq!(
            claims["htu"], "https://api.example/r",
            "query and fragment dropped"
        );
        assert_eq!(claims["iat"], NOW);
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["ath"], dpop::ath(token));
        let jti = URL_SAFE_NO_PAD
            .decode(claims["jti"].as_str().unwrap())
            .unwrap();
        assert_eq!(jti.len(), dpop::JTI_BYTES);
        let checked = ProofValidator::new()
            .validate(&proof, "GET", "https://api.example/r", NOW, Some(token))
            .unwrap_or_else(|e| panic!("{}: {e}", key.alg()));
        assert_eq!(checked.jkt(), key.thumbprint().unwrap());
        assert_eq!(checked.alg(), key.alg());
    }
    // Refusals.
    let key = es256();
    let hmac = Key::hmac(&[1u8; 32], Algorithm::HS256).unwrap();
    let kind = |r: tessera::Result<String>| r.unwrap_err().kind();
    assert_eq!(
        kind(create_proof(&hmac, "GET", HTU, NOW, &rng, None, None)),
        ErrorKind::KeyAlgorithmMismatch
    );
    assert_eq!(
        kind(create_proof(
            &key.public_key().unwrap(),
            "GET",
            HTU,
            NOW,
            &rng,
            None,
            None
        )),
        ErrorKind::NotPrivateKey
    );
    for (htm, htu, nonce, token) in [
        ("", HTU, None, None),
        ("G ET", HTU, None, None),
        ("GET", "ftp://x/", None, None),
        ("GET", "/relative", None, None),
        ("GET", HTU, Some("has space"), None),
        ("GET", HTU, Some("\"q\""), None),
        ("GET", HTU, None, Some("")),
    ] {
        assert_eq!(
            kind(create_proof(&key, htm, htu, NOW, &rng, nonce, token)),
            ErrorKind::InvalidArgument
        );
    }
}

#[test]
fn validator_builder_refuses_bad_settings() {
    assert!(ProofValidator::builder().algorithms(&[]).build().is_err());
    assert!(
        ProofValidator::builder()
            .algorithms(&[Algorithm::HS256])
            .build()
            .is_err()
    );
    assert!(ProofValidator::builder().iat_window(3601).build().is_err());
    assert!(ProofValidator::builder().max_len(0).build().is_err());
    assert!(
        ProofValidator::builder()
            .max_len(dpop::MAX_PROOF_LEN + 1)
            .build()
            .is_err()
    );
    let defaults = ProofValidator::new();
    for alg in defaults.algorithms() {
        assert!(alg.is_supported() && alg.family() != tessera::jwt::KeyFamily::Hmac);
    }
    assert!(defaults.algorithms().contains(&Algorithm::ES256));
    assert!(defaults.algorithms().contains(&Algorithm::EdDSA));
    assert!(defaults.algorithms().contains(&Algorithm::PS256));
    assert_eq!(defaults.nonce(NOW), None);
    if !Algorithm::ES512.is_supported() {
        assert_eq!(
            ProofValidator::builder()
                .algorithms(&[Algorithm::ES512])
                .build()
                .unwrap_err()
                .kind(),
            ErrorKind::UnsupportedAlgorithm
        );
    }
}

#[test]
fn dpop_kinds_map_to_the_rfc_error_codes() {
    for kind in ErrorKind::ALL
        .iter()
        .copied()
        .filter(|k| (800..=814).contains(&k.code()))
    {
        let expected = match kind {
            ErrorKind::DpopNonceRequired | ErrorKind::DpopNonceInvalid => "use_dpop_nonce",
            _ => "invalid_dpop_proof",
        };
        assert_eq!(
            token_error_for(kind).oauth_error(),
            Some(expected),
            "{kind:?}"
        );
        assert_eq!(
            resource_error_for(kind).oauth_error(),
            Some(expected),
            "{kind:?}"
        );
    }
    for kind in [
        ErrorKind::DpopBoundToken,
        ErrorKind::UnboundToken,
        ErrorKind::CertificateMismatch,
    ] {
        assert_eq!(
            resource_error_for(kind).oauth_error(),
            Some("invalid_token"),
            "{kind:?}"
        );
    }
}

#[test]
fn resource_server_binding_rules() {
    let rng = SystemRandom::new();
    let key = es256();
    let token = "the-access-token";
    let uri = "https://api.example/v1/things";
    let proof = create_proof(&key, "GET", uri, NOW, &rng, None, Some(token)).unwrap();
    let checked = ProofValidator::new()
        .validate(&proof, "GET", uri, NOW, Some(token))
        .unwrap();
    let other_key = Key::generate(Algorithm::ES256, &rng).unwrap();
    let other_proof = create_proof(&other_key, "GET", uri, NOW, &rng, None, Some(token)).unwrap();
    let other = ProofValidator::new()
        .validate(&other_proof, "GET", uri, NOW, Some(token))
        .unwrap();
    let claims = |v: Value| v.as_object().unwrap().clone();
    let bound = claims(json!({"cnf": {"jkt": key.thumbprint().unwrap()}}));
    let unbound = claims(json!({"sub": "x"}));
    let kind = |r: tessera::Result<Option<Confirmation>>| r.unwrap_err().kind();

    assert_eq!(
        check_binding(&bound, Presentation::Dpop(&checked), None, false).unwrap(),
        Some(checked.confirmation())
    );
    assert_eq!(
        kind(check_binding(&bound, Presentation::Bearer, None, false)),
        ErrorKind::DpopBoundToken
    );
    assert_eq!(
        kind(check_binding(
            &bound,
            Presentation::Dpop(&other),
            None,
            false
        )),
        ErrorKind::DpopKeyMismatch
    );
    assert_eq!(
        kind(check_binding(
            &unbound,
            Presentation::Dpop(&checked),
            None,
            false
        )),
        ErrorKind::DpopKeyMismatch
    );
    assert_eq!(
        check_binding(&unbound, Presentation::Bearer, None, false).unwrap(),
        None
    );
    assert_eq!(
        kind(check_binding(&unbound, Presentation::Bearer, None, true)),
        ErrorKind::UnboundToken
    );
    assert_eq!(
        kind(check_binding(
            &claims(json!({"cnf": 1})),
            Presentation::Bearer,
            None,
            false
        )),
        ErrorKind::InvalidClaimType
    );

    // RFC 8705 §3: certificate-bound.
    let cert = include_bytes!("data/keys/p256.cert.pem");
    let der = pem_body(cert);
    let other_cert = pem_body(include_bytes!("data/keys/p521.cert.pem"));
    let cnf = Confirmation::certificate(&der).unwrap();
    let mtls = claims(json!({"cnf": cnf.to_value()}));
    assert_eq!(
        check_binding(&mtls, Presentation::Bearer, Some(&der), true).unwrap(),
        Some(cnf.clone())
    );
    assert_eq!(
        kind(check_binding(&mtls, Presentation::Bearer, None, false)),
        ErrorKind::CertificateMismatch
    );
    assert_eq!(
        kind(check_binding(
            &mtls,
            Presentation::Bearer,
            Some(&other_cert),
            false
        )),
        ErrorKind::CertificateMismatch
    );
    assert_eq!(
        kind(check_binding(
            &mtls,
            Presentation::Bearer,
            Some(b"junk"),
            false
        )),
        ErrorKind::CertificateMismatch
    );
    // Both bindings at once: both must hold.
    let both = Confirmation::jkt(key.thumbprint().unwrap())
        .unwrap()
        .with_certificate(&der)
        .unwrap();
    let both = claims(json!({"cnf": both.to_value()}));
    check_binding(&both, Presentation::Dpop(&checked), Some(&der), true).unwrap();
    assert_eq!(
        kind(check_binding(
            &both,
            Presentation::Dpop(&checked),
            None,
            true
        )),
        ErrorKind::CertificateMismatch
    );
    for kind in [
        ErrorKind::DpopBoundToken,
        ErrorKind::CertificateMismatch,
        ErrorKind::UnboundToken,
    ] {
        assert_eq!(resource_error_for(kind), ErrorKind::OauthInvalidToken);
    }
    assert_eq!(dpop::single_header(&[]).unwrap(), None);
    assert_eq!(dpop::single_header(&["a"]).unwrap(), Some("a"));
    assert_eq!(
        dpop::single_header(&["a", "b"]).unwrap_err().kind(),
        ErrorKind::DpopMalformed
    );
}

/// The DER inside a PEM certificate.
fn pem_body(pem: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(pem).unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

#[test]
fn replay_cache_refuses_a_second_use_of_a_proof() {
    let rng = SystemRandom::new();
    let proof = create_proof(&es256(), "POST", HTU, NOW, &rng, None, None).unwrap();
    let checked = ProofValidator::new()
        .validate(&proof, "POST", HTU, NOW, None)
        .unwrap();
    let cache = ReplayCache::new(1000, &rng).unwrap();
    cache.check_proof(&checked, NOW).unwrap();
    let again = ProofValidator::new()
        .validate(&proof, "POST", HTU, NOW + 30, None)
        .unwrap();
    assert_eq!(
        cache.check_proof(&again, NOW + 30).unwrap_err().kind(),
        ErrorKind::DpopReplay
    );
    assert_eq!(
        token_error_for(ErrorKind::DpopReplay).oauth_error(),
        Some("invalid_dpop_proof")
    );
    // Once the proof can no longer validate, its jti may be forgotten.
    assert_eq!(
        ProofValidator::new()
            .validate(&proof, "POST", HTU, NOW + 61, None)
            .unwrap_err()
            .kind(),
        ErrorKind::DpopIat
    );
}

fn mutate(proof: &str, index: usize, replacement: u8) -> Option<String> {
    let mut bytes = proof.as_bytes().to_vec();
    let i = index % bytes.len();
    if bytes[i] == replacement {
        return None;
    }
    bytes[i] = replacement;
    String::from_utf8(bytes).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A proof `create_proof` makes validates; any single changed byte makes it fail.
    #[test]
    fn made_proofs_validate_and_single_changes_fail(
        seed in any::<u64>(),
        path in "[a-z]{1,12}",
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
        with_token in any::<bool>(),
        index in any::<usize>(),
        replacement in prop::sample::select(b"AZaz09-_.=+/ \"{}".to_vec()),
    ) {
        let rng = tessera::crypto::DeterministicRandom::new(seed);
        let key = Key::from_pem(include_bytes!("data/keys/ed25519.pkcs8.pem"), None).unwrap();
        let htu = format!("https://rs.example/{path}");
        let token = with_token.then_some("tok-123");
        let proof = create_proof(&key, method, &htu, NOW, &rng, None, token).unwrap();
        let v = ProofValidator::new();
        let checked = v.validate(&proof, method, &htu, NOW, token).unwrap();
        prop_assert_eq!(checked.jkt(), key.thumbprint().unwrap());
        if let Some(bad) = mutate(&proof, index, replacement) {
            prop_assert!(v.validate(&bad, method, &htu, NOW, token).is_err(), "{}", bad);
        }
    }
}

#[test]
fn resource_verifier_checks_token_proof_and_binding_together() {
    use tessera::dpop::ResourceVerifier;
    use tessera::jwt::{Header, Verifier};
    use tessera::wire::{AuthScheme, access_token};

    let rng = SystemRandom::new();
    let as_key = Key::generate(Algorithm::ES256, &rng).unwrap();
    let client = es256();
    let uri = "https://api.example/v1/me?page=2";
    let mint = |extra: Value, exp: i64| {
        let mut claims =
            json!({"iss": "https://as.example", "aud": "api", "exp": exp, "sub": "u1"});
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        jwt::sign(&as_key, &Header::new().typ("at+jwt"), &claims, &rng).unwrap()
    };
    let verifier = Verifier::builder(as_key.public_key().unwrap())
        .issuer("https://as.example")
        .audience("api")
        .build()
        .unwrap();
    let rs = ResourceVerifier::new(verifier, ProofValidator::new());
    let bound = mint(
        json!({"cnf": {"jkt": client.thumbprint().unwrap()}}),
        NOW + 60,
    );
    let unbound = mint(json!({}), NOW + 60);
    let proof_for =
        |token: &str| create_proof(&client, "GET", uri, NOW, &rng, None, Some(token)).unwrap();
    let kind = |r: tessera::Result<tessera::dpop::Authorized>| r.unwrap_err().kind();

    let header = format!("DPoP {bound}");
    let (scheme, token) = access_token(Some(&header)).unwrap().unwrap();
    let ok = rs
        .verify(
            scheme,
            token,
            Some(&proof_for(&bound)),
            "GET",
            uri,
            None,
            NOW,
        )
        .unwrap();
    assert_eq!(ok.scheme(), AuthScheme::Dpop);
    assert_eq!(ok.claims()["sub"], "u1");
    assert_eq!(ok.proof().unwrap().jkt(), client.thumbprint().unwrap());
    assert_eq!(
        ok.confirmation().unwrap().jkt.as_deref(),
        Some(client.thumbprint().unwrap().as_str())
    );

    // Bearer with a bound token; DPoP without a proof; a proof made for another token.
    assert_eq!(
        kind(rs.verify(AuthScheme::Bearer, &bound, None, "GET", uri, None, NOW)),
        ErrorKind::DpopBoundToken
    );
    assert_eq!(
        kind(rs.verify(AuthScheme::Dpop, &bound, None, "GET", uri, None, NOW)),
        ErrorKind::DpopProofRequired
    );
    assert_eq!(
        kind(rs.verify(
            AuthScheme::Dpop,
            &bound,
            Some(&proof_for(&unbound)),
            "GET",
            uri,
            None,
            NOW
        )),
        ErrorKind::DpopAth
    );
    // Another method, another key.
    assert_eq!(
        kind(rs.verify(
            AuthScheme::Dpop,
            &bound,
            Some(&proof_for(&bound)),
            "POST",
            uri,
            None,
            NOW
        )),
        ErrorKind::DpopMethod
    );
    let stranger = Key::generate(Algorithm::ES256, &rng).unwrap();
    let foreign = create_proof(&stranger, "GET", uri, NOW, &rng, None, Some(&bound)).unwrap();
    assert_eq!(
        kind(rs.verify(
            AuthScheme::Dpop,
            &bound,
            Some(&foreign),
            "GET",
            uri,
            None,
            NOW
        )),
        ErrorKind::DpopKeyMismatch
    );
    // The token is checked first: an expired bound token is invalid_token whatever the proof.
    let expired = mint(
        json!({"cnf": {"jkt": client.thumbprint().unwrap()}}),
        NOW - 100,
    );
    let e = kind(rs.verify(
        AuthScheme::Dpop,
        &expired,
        Some(&proof_for(&expired)),
        "GET",
        uri,
        None,
        NOW,
    ));
    assert_eq!(e, ErrorKind::Expired);
    assert_eq!(resource_error_for(e).oauth_error(), Some("invalid_token"));
    // Unbound tokens: fine as Bearer, refused under DPoP, refused when binding is required.
    rs.verify(AuthScheme::Bearer, &unbound, None, "GET", uri, None, NOW)
        .unwrap();
    assert_eq!(
        kind(rs.verify(
            AuthScheme::Dpop,
            &unbound,
            Some(&proof_for(&unbound)),
            "GET",
            uri,
            None,
            NOW
        )),
        ErrorKind::DpopKeyMismatch
    );
    let strict = rs.clone().require_sender_constrained(true);
    assert_eq!(
        kind(strict.verify(AuthScheme::Bearer, &unbound, None, "GET", uri, None, NOW)),
        ErrorKind::UnboundToken
    );
    // Certificate-bound (RFC 8705): accepted only over a connection with that certificate.
    let der = pem_body(include_bytes!("data/keys/p256.cert.pem"));
    let mtls = mint(
        json!({"cnf": Confirmation::certificate(&der).unwrap().to_value()}),
        NOW + 60,
    );
    strict
        .verify(AuthScheme::Bearer, &mtls, None, "GET", uri, Some(&der), NOW)
        .unwrap();
    assert_eq!(
        kind(strict.verify(AuthScheme::Bearer, &mtls, None, "GET", uri, None, NOW)),
        ErrorKind::CertificateMismatch
    );
}

#[test]
fn repeated_headers_give_the_same_verdicts() {
    // A validator prepares each header once; every verdict must be what a fresh one says.
    let rng = SystemRandom::new();
    let v = ProofValidator::new();
    let keys: Vec<Key> = (0..100)
        .map(|_| Key::generate(Algorithm::ES256, &rng).unwrap())
        .collect();
    for round in 0..3 {
        for key in &keys {
            let proof = create_proof(key, "POST", HTU, NOW + round, &rng, None, None).unwrap();
            let checked = v.validate(&proof, "POST", HTU, NOW + round, None).unwrap();
            assert_eq!(checked.jkt(), key.thumbprint().unwrap());
            // Same header, another signature: still checked.
            let mut parts: Vec<String> = proof.split('.').map(str::to_owned).collect();
            let other = create_proof(&keys[0], "POST", HTU, NOW, &rng, None, None).unwrap();
            parts[2] = other.split('.').nth(2).unwrap().to_owned();
            if key.thumbprint().unwrap() != keys[0].thumbprint().unwrap() {
                assert_eq!(
                    v.validate(&parts.join("."), "POST", HTU, NOW + round, None)
                        .unwrap_err()
                        .kind(),
                    ErrorKind::DpopSignature
                );
            }
        }
    }
    // A header refused stays refused; one validator's algorithms never leak into another's.
    let key = es256();
    let proof = create_proof(&key, "POST", HTU, NOW, &rng, None, None).unwrap();
    v.validate(&proof, "POST", HTU, NOW, None).unwrap();
    let eddsa_only = ProofValidator::builder()
        .algorithms(&[Algorithm::EdDSA])
        .build()
        .unwrap();
    for _ in 0..2 {
        assert_eq!(
            eddsa_only
                .validate(&proof, "POST", HTU, NOW, None)
                .unwrap_err()
                .kind(),
            ErrorKind::DpopAlgorithm
        );
    }
    let clone = v.clone();
    clone.validate(&proof, "POST", HTU, NOW, None).unwrap();
    // Validators built from clones of one builder never share what they prepared.
    let builder = ProofValidator::builder();
    let es = builder
        .clone()
        .algorithms(&[Algorithm::ES256])
        .build()
        .unwrap();
    let ed = builder.algorithms(&[Algorithm::EdDSA]).build().unwrap();
    es.validate(&proof, "POST", HTU, NOW, None).unwrap();
    assert_eq!(
        ed.validate(&proof, "POST", HTU, NOW, None)
            .unwrap_err()
            .kind(),
        ErrorKind::DpopAlgorithm
    );
}
