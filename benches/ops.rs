//! Everything around verification, so nobody regresses it unseen: key loading, JWKS parsing,
//! scope checks, token generation (JWTs and opaque tokens) and grant exchanges. One group per
//! operation, one id per case; every result is asserted once outside the timed loop. The
//! `oversized/*` group refuses 2 MiB and 64 MiB inputs side by side: equal times show that the
//! refusal costs time proportional to the limit, not to the input (`tests/limits.rs` shows the
//! same for memory).
//! Every group name ends with the backend (`key_load/ring`, `key_load/aws-lc-rs`).
//! `dpop/<backend>` times DPoP proofs (RFC 9449) beside a plain JWT verification of a token of
//! about the same size with the same key type, in the same run: `cargo bench --bench ops --
//! dpop` (the issue 17 target, validate ≤ 1.10× verify, is settled by paired rounds in
//! `paired.rs`, `-- DPoP`).
//! Run: `cargo bench --bench ops` or `cargo bench --bench ops --features aws-lc`.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use tessera::SystemRandom;
use tessera::dpop::{ProofValidator, create_proof};
use tessera::grant::{AuthorizeOutcome, Client, Issuer, Policy, PolicyConfig};
use tessera::jwt::{self, Algorithm, Header, Key, KeySet};
use tessera::pkce::CodeVerifier;
use tessera::scope::{Implications, ScopeSet};
use tessera::token::{Pepper, Peppers, TokenFormat, TokenKind};
use tessera::wire::{AuthorizeRequest, TokenRequest};

const NOW: i64 = 1_800_000_000;
const ISS: &str = "https://as.example";
const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

const RSA: &[u8] = include_bytes!("../tests/data/keys/rsa2048.pkcs8.pem");
const RSA_PUB: &[u8] = include_bytes!("../tests/data/keys/rsa2048.spki.pem");
const P256: &[u8] = include_bytes!("../tests/data/keys/p256.pkcs8.pem");
const P256_PUB: &[u8] = include_bytes!("../tests/data/keys/p256.spki.pem");
const ED25519: &[u8] = include_bytes!("../tests/data/keys/ed25519.pkcs8.pem");

/// A group name with the backend `tessera` is built with: `key_load/ring`,
/// `key_load/aws-lc-rs`.
fn group(name: &str) -> String {
    format!("{name}/{}", tessera::backend().name())
}

fn keys(c: &mut Criterion) {
    let mut g = c.benchmark_group(group("key_load"));
    let cases: [(&str, &[u8], Option<Algorithm>); 5] = [
        ("rsa2048_pkcs8_pem", RSA, Some(Algorithm::RS256)),
        ("rsa2048_spki_pem", RSA_PUB, Some(Algorithm::RS256)),
        ("p256_pkcs8_pem", P256, None),
        ("p256_spki_pem", P256_PUB, None),
        ("ed25519_pkcs8_pem", ED25519, None),
    ];
    for (id, pem, alg) in cases {
        assert!(Key::from_pem(pem, alg).is_ok());
        g.bench_function(id, |b| b.iter(|| Key::from_pem(black_box(pem), alg)));
    }
    assert!(Key::hmac(SECRET, Algorithm::HS256).is_ok());
    g.bench_function("hmac_hs256", |b| {
        b.iter(|| Key::hmac(black_box(SECRET), Algorithm::HS256))
    });
    let jwk = Key::from_pem(P256_PUB, None).unwrap().public_jwk().unwrap();
    let jwk = serde_json::to_vec(&jwk).unwrap();
    assert!(Key::from_jwk(&jwk, None).is_ok());
    g.bench_function("p256_jwk", |b| {
        b.iter(|| Key::from_jwk(black_box(&jwk), None))
    });
    g.finish();

    // A typical JWKS: two RSA keys, one P-256, one Ed25519, each with a kid.
    let set: Vec<Key> = [
        (RSA_PUB, Some(Algorithm::RS256), "rsa-1"),
        (RSA_PUB, Some(Algorithm::PS256), "rsa-2"),
        (P256_PUB, None, "ec-1"),
        (ED25519, None, "ed-1"),
    ]
    .into_iter()
    .map(|(pem, alg, kid)| {
        let key = Key::from_pem(pem, alg).unwrap().with_kid(kid);
        if key.is_private() {
            key.public_key().unwrap()
        } else {
            key
        }
    })
    .collect();
    let jwks = jwt::jwks(&set).unwrap();
    assert_eq!(
        KeySet::from_jwks(jwks.as_bytes(), &[])
            .unwrap()
            .keys()
            .len(),
        4
    );
    let mut g = c.benchmark_group(group("jwks"));
    g.bench_function("parse_4_keys", |b| {
        b.iter(|| KeySet::from_jwks(black_box(jwks.as_bytes()), &[]))
    });
    g.bench_function("serialise_4_keys", |b| {
        b.iter(|| jwt::jwks(black_box(&set)))
    });
    g.finish();
}

fn scopes(c: &mut Criterion) {
    let granted = ScopeSet::parse("jobs:* records:read users:read billing:read reports:*").unwrap();
    let requested = ScopeSet::parse("jobs:read jobs:write reports:read records:read").unwrap();
    let imp = Implications::none().wildcard_actions();
    assert!(granted.covers(&requested, &imp));
    let text: String = ["jobs", "records", "users", "billing", "reports"]
        .iter()
        .flat_map(|r| ["read", "write", "admin", "list", "delete"].map(|a| format!("{r}:{a}")))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(ScopeSet::parse(&text).unwrap().len(), 25);
    let mut g = c.benchmark_group(group("scope"));
    g.bench_function("parse_25", |b| b.iter(|| ScopeSet::parse(black_box(&text))));
    g.bench_function("covers_wildcards", |b| {
        b.iter(|| black_box(&granted).covers(black_box(&requested), &imp))
    });
    g.bench_function("narrow", |b| {
        b.iter(|| black_box(&granted).narrow(black_box(&requested), &imp))
    });
    g.finish();
}

fn generation(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let claims = serde_json::json!({
        "iss": ISS, "sub": "user-1234", "aud": "api", "exp": NOW + 600, "iat": NOW,
        "jti": "000000000000000001", "scope": "jobs:read jobs:write",
    });
    let mut g = c.benchmark_group(group("sign"));
    for (id, key) in [
        ("HS256", Key::hmac(SECRET, Algorithm::HS256).unwrap()),
        ("RS256", Key::from_pem(RSA, Some(Algorithm::RS256)).unwrap()),
        ("ES256", Key::from_pem(P256, None).unwrap()),
        ("EdDSA", Key::from_pem(ED25519, None).unwrap()),
    ] {
        let header = Header::new().typ("at+jwt");
        assert!(jwt::sign(&key, &header, &claims, &rng).is_ok());
        g.bench_function(id, |b| {
            b.iter(|| jwt::sign(&key, &header, black_box(&claims), &rng))
        });
    }
    g.finish();

    let format = TokenFormat::new("tsr").unwrap();
    let peppers = Peppers::new(Pepper::new("p1", &[7u8; 32]).unwrap());
    let token = format.generate(TokenKind::RefreshToken, &rng).unwrap();
    let hash = peppers.lookup(token.as_str());
    assert!(peppers.verify(token.as_str(), &hash).is_ok());
    let mut g = c.benchmark_group(group("opaque_token"));
    g.bench_function("generate", |b| {
        b.iter(|| format.generate(TokenKind::RefreshToken, &rng))
    });
    g.bench_function("check_and_lookup", |b| {
        b.iter(|| peppers.check_and_lookup(&format, black_box(token.as_str()), None))
    });
    g.bench_function("verify_hash", |b| {
        b.iter(|| peppers.verify(black_box(token.as_str()), &hash))
    });
    g.finish();
}

fn grants(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let policy = Policy::new(PolicyConfig::new(ISS, vec!["api".to_owned()])).unwrap();
    let key = Key::from_pem(P256, None).unwrap().with_kid("k1");
    let peppers = Peppers::new(Pepper::new("p1", &[1u8; 32]).unwrap());
    let secret = "conf-secret-0123456789";
    let client = Client::from_json(&format!(
        r#"{{"client_id":"conf","kind":"confidential","redirect_uris":["https://conf.example/cb"],
            "allowed_scope":"read write",
            "grant_types":["authorization_code","refresh_token","client_credentials"],
            "secret_hash":"{}"}}"#,
        peppers.lookup(secret)
    ))
    .unwrap();
    let issuer = Issuer::new(policy, key, peppers).unwrap();
    let auth = issuer
        .authenticate(Some(&client), "conf", Some(secret))
        .unwrap();
    let verifier = CodeVerifier::generate(&rng).unwrap();
    let request = AuthorizeRequest {
        response_type: "code".to_owned(),
        client_id: "conf".to_owned(),
        redirect_uri: Some("https://conf.example/cb".to_owned()),
        scope: Some("read write".to_owned()),
        state: Some("xyz".to_owned()),
        code_challenge: Some(verifier.challenge_s256()),
        code_challenge_method: Some("S256".to_owned()),
        nonce: None,
        dpop_jkt: None,
    };
    let authorize = || issuer.authorize(Some(&client), &request, "user-42", NOW, &rng);
    let AuthorizeOutcome::Granted {
        redirect, state, ..
    } = authorize()
    else {
        panic!("authorization refused")
    };
    let code = redirect.param("code").unwrap();
    let redeem = TokenRequest::AuthorizationCode {
        code,
        redirect_uri: Some("https://conf.example/cb".to_owned()),
        code_verifier: Some(verifier.as_str().to_owned()),
        client_id: None,
    };
    let exchanged = issuer.token(&auth, Some(&state), &redeem, None, NOW + 1, &rng);
    let tokens = exchanged.result.unwrap();
    let family = exchanged.state.unwrap();
    let refresh = TokenRequest::RefreshToken {
        refresh_token: tokens.refresh_token.unwrap(),
        scope: None,
    };
    assert!(
        issuer
            .token(&auth, Some(&family), &refresh, None, NOW + 2, &rng)
            .result
            .is_ok()
    );
    let cc = TokenRequest::ClientCredentials {
        scope: Some("read".to_owned()),
    };
    assert!(
        issuer
            .token(&auth, None, &cc, None, NOW, &rng)
            .result
            .is_ok()
    );

    let mut g = c.benchmark_group(group("grant"));
    g.bench_function("authenticate_client_secret", |b| {
        b.iter(|| issuer.authenticate(Some(&client), "conf", Some(black_box(secret))))
    });
    g.bench_function("authorize_code", |b| b.iter(authorize));
    g.bench_function("exchange_code", |b| {
        b.iter(|| issuer.token(&auth, Some(&state), black_box(&redeem), None, NOW + 1, &rng))
    });
    g.bench_function("refresh", |b| {
        b.iter(|| {
            issuer.token(
                &auth,
                Some(&family),
                black_box(&refresh),
                None,
                NOW + 2,
                &rng,
            )
        })
    });
    g.bench_function("client_credentials", |b| {
        b.iter(|| issuer.token(&auth, None, black_box(&cc), None, NOW, &rng))
    });
    g.finish();
}

/// DPoP proofs (RFC 9449) per algorithm: `create/<alg>` ([`create_proof`]), `validate/<alg>`
/// (a fresh proof at the token endpoint, no access token), `validate_ath/<alg>` (a proof with
/// `ath` at a resource server, checked against the access token), and `jwt_verify/<alg>`: a
/// plain JWT of about the proof's size (header + claims ≈ 300 bytes), verified with the same
/// kind of key by a `Verifier` (policy `iss` + `aud` + `exp`, the headline's), for the ratio.
fn dpop(c: &mut Criterion) {
    const HTU: &str = "https://server.example.com/token";
    const API: &str = "https://resource.example.org/protectedresource";
    const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    let rng = SystemRandom::new();
    let validator = ProofValidator::new();
    let mut g = c.benchmark_group(group("dpop"));
    for (alg, pem) in [("ES256", P256), ("EdDSA", ED25519)] {
        let key = Key::from_pem(pem, None).unwrap();
        let jkt = key.thumbprint().unwrap();
        let proof = create_proof(&key, "POST", HTU, NOW, &rng, None, None).unwrap();
        let ath_proof = create_proof(&key, "GET", API, NOW, &rng, None, Some(TOKEN)).unwrap();
        // A plain JWT of about the proof's size: the proof's header carries the public JWK.
        let claims = serde_json::json!({
            "iss": ISS, "sub": "user-1234", "aud": "api", "exp": NOW + 600, "iat": NOW,
            "jti": "0123456789abcdef0123", "client_id": "client-0123456789",
            "scope": "jobs:read jobs:write records:read records:write users:read",
        });
        let jwt = jwt::sign(&key, &Header::new().typ("at+jwt"), &claims, &rng).unwrap();
        let verifier = jwt::Verifier::builder(key.public_key().unwrap())
            .issuer(ISS)
            .audience("api")
            .build()
            .unwrap();
        assert_eq!(
            validator
                .validate(&proof, "POST", HTU, NOW, None)
                .unwrap()
                .jkt(),
            jkt
        );
        assert_eq!(
            validator
                .validate(&ath_proof, "GET", API, NOW, Some(TOKEN))
                .unwrap()
                .jkt(),
            jkt
        );
        assert!(verifier.verify(&jwt, NOW).is_ok());
        eprintln!(
            "dpop {alg}: proof {} bytes (with ath {}), JWT {} bytes",
            proof.len(),
            ath_proof.len(),
            jwt.len()
        );
        g.bench_function(format!("jwt_verify/{alg}"), |b| {
            b.iter(|| verifier.verify(black_box(&jwt), NOW))
        });
        g.bench_function(format!("validate/{alg}"), |b| {
            b.iter(|| validator.validate(black_box(&proof), "POST", HTU, NOW, None))
        });
        g.bench_function(format!("validate_ath/{alg}"), |b| {
            b.iter(|| validator.validate(black_box(&ath_proof), "GET", API, NOW, Some(TOKEN)))
        });
        g.bench_function(format!("create/{alg}"), |b| {
            b.iter(|| create_proof(&key, "POST", black_box(HTU), NOW, &rng, None, None))
        });
    }
    g.finish();
}

/// Oversized inputs are refused by their length: 2 MiB and 64 MiB cost the same.
fn oversized(c: &mut Criterion) {
    use tessera::ErrorKind;
    use tessera::grant::GrantState;
    use tessera::jwt::Verifier;
    use tessera::wire::Form;
    let verifier = Verifier::new(Key::hmac(SECRET, Algorithm::HS256).unwrap());
    let mut g = c.benchmark_group(group("oversized"));
    for (size, mib) in [("2MiB", 2usize), ("64MiB", 64)] {
        let input = "a".repeat(mib << 20);
        type Refuse<'a> = Box<dyn Fn(&str) -> ErrorKind + 'a>;
        let cases: [(&str, Refuse); 5] = [
            (
                "verify",
                Box::new(|t: &str| verifier.verify(t, NOW).unwrap_err().kind()),
            ),
            (
                "jwks",
                Box::new(|t: &str| KeySet::from_jwks(t.as_bytes(), &[]).unwrap_err().kind()),
            ),
            (
                "pem",
                Box::new(|t: &str| Key::from_pem(t.as_bytes(), None).unwrap_err().kind()),
            ),
            (
                "form",
                Box::new(|t: &str| Form::parse(t.as_bytes()).unwrap_err().kind()),
            ),
            (
                "grant_state",
                Box::new(|t: &str| GrantState::from_json(t).unwrap_err().kind()),
            ),
        ];
        for (id, refuse) in &cases {
            assert_eq!(refuse(&input), ErrorKind::TooLarge, "{id} {size}");
            g.bench_function(format!("{id}/{size}"), |b| {
                b.iter(|| refuse(black_box(&input)))
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30);
    targets = keys, scopes, generation, grants, dpop, oversized
}
criterion_main!(benches);
