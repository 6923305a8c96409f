//! The quick start: an authorization server issues an RFC 9068 access token, an API verifies it.
//!
//! Run with `cargo run --release --example quickstart`.

use tessera::SystemRandom;
use tessera::jwt::{self, Algorithm, Header, Key, KeySet, Verifier};

fn main() -> Result<(), tessera::Error> {
    let rng = SystemRandom::new();
    // The clock is the caller's: tessera never reads it.
    let now = 1_800_000_000;

    // Authorization server: one signing key, its public JWKS served at `jwks_uri`.
    let signing_key = Key::generate(Algorithm::ES256, &rng)?.with_kid("2026-11");
    let jwks = jwt::jwks(std::slice::from_ref(&signing_key))?;
    println!("jwks_uri document:\n  {jwks}\n");

    let claims = serde_json::json!({
        "iss": "https://auth.example",
        "sub": "user-42",
        "aud": "media-api",
        "client_id": "web-app",
        "iat": now,
        "exp": now + 300,
        "jti": "a1b2c3",
        "scope": "job:read recording:read",
    });
    let token = jwt::sign(&signing_key, &Header::new().typ("at+jwt"), &claims, &rng)?;
    println!(
        "access token (RFC 9068, {} bytes):\n  {token}\n",
        token.len()
    );

    // Resource server: builds one verifier from the JWKS at start-up and reuses it.
    let keys = KeySet::from_jwks(jwks.as_bytes(), &[])?;
    let verifier = Verifier::builder(keys)
        .issuer("https://auth.example")
        .audience("media-api")
        .typ("at+jwt")
        .build()?;
    let verified = verifier.verify(&token, now + 10)?;
    println!(
        "verified: sub={:?} scope={:?} exp={:?}",
        verified.registered().sub,
        verified.claims().get("scope"),
        verified.registered().exp
    );

    // Ten minutes later the same token is refused, with a typed error.
    let err = verifier.verify(&token, now + 600).unwrap_err();
    println!("ten minutes later: {} (code {})", err, err.code());

    // A tampered token fails on the signature, before any claim is looked at.
    let mut forged = token.clone().into_bytes();
    let last = forged.len() - 5;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let err = verifier.verify(&forged, now + 10).unwrap_err();
    println!("tampered: {} (code {})", err, err.code());
    Ok(())
}
