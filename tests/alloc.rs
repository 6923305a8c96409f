//! Heap allocations per verification, counted by a counting global allocator (per thread, so
//! the other tests running beside it do not disturb the count).
//!
//! Target (issue #7): at most 2 heap allocations per HS256 verification on the borrowed-claims
//! path (`Verifier::verify_with`). The counts of every algorithm, on both paths, are printed
//! (`cargo test --test alloc -- --nocapture`) and bounded here so a regression fails.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use tessera::SystemRandom;
use tessera::jwt::{self, Algorithm, Header, Key, Verifier};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards to the system allocator; counting touches only a const-initialised
// thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap allocations (including reallocations) made by `f` on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    (ALLOCATIONS.with(Cell::get) - before, r)
}

const NOW: i64 = 1_800_000_000;
const ISS: &str = "https://as.example";
const SECRET: &[u8; 64] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn key(alg: Algorithm) -> Key {
    let pem: &[u8] = match alg.family() {
        jwt::KeyFamily::Hmac => return Key::hmac(SECRET, alg).unwrap(),
        jwt::KeyFamily::Rsa => include_bytes!("data/keys/rsa2048.pkcs8.pem"),
        jwt::KeyFamily::P256 => include_bytes!("data/keys/p256.pkcs8.pem"),
        jwt::KeyFamily::P384 => include_bytes!("data/keys/p384.pkcs8.pem"),
        jwt::KeyFamily::Ed25519 => include_bytes!("data/keys/ed25519.pkcs8.pem"),
        jwt::KeyFamily::P521 => include_bytes!("data/keys/p521.pkcs8.pem"),
        jwt::KeyFamily::Secp256k1 => include_bytes!("data/keys/secp256k1.pkcs8.pem"),
        jwt::KeyFamily::MlDsa44 | jwt::KeyFamily::MlDsa65 | jwt::KeyFamily::MlDsa87 => {
            return Key::generate(alg, &SystemRandom::new()).unwrap();
        }
    };
    Key::from_pem(pem, Some(alg)).unwrap()
}

/// The bench's claims: small (119 bytes) or large (25 scopes, 690 bytes).
fn claims(large: bool) -> String {
    let small = format!(
        r#""iss":"{ISS}","sub":"user-1234","aud":"api","exp":{},"iat":{NOW},"jti":"{:018}""#,
        NOW + 600,
        1
    );
    if !large {
        return format!("{{{small}}}");
    }
    let scope: Vec<String> = [
        "jobs", "records", "users", "billing", "reports", "projects", "files", "alerts", "teams",
        "audit", "streams", "hooks", "tokens",
    ]
    .iter()
    .flat_map(|r| ["read", "write"].map(|a| format!("{r}:{a}")))
    .take(25)
    .collect();
    format!(
        r#"{{{small},"client_id":"app-5f3c9a","scope":"{}","tenant":"acme-corp","roles":["admin","ops","support"],"auth_time":1799999000,"acr":"urn:mace:incommon:iap:silver","amr":["pwd","otp"],"sid":"f1d2d2f924e986ac86fdf7b36c94bcdf32beec","locale":"en-GB","zoneinfo":"Europe/London"}}"#,
        scope.join(" ")
    )
}

#[test]
fn allocations_per_verification() {
    let rng = SystemRandom::new();
    println!("alg      size   verify_with  verify");
    for alg in [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::ES256K,
        Algorithm::EdDSA,
    ] {
        // ES512 and ES256K with the aws-lc backend only.
        if !alg.is_supported() {
            assert!(Key::generate(alg, &rng).is_err(), "{alg}");
            continue;
        }
        let key = key(alg);
        let public = if key.is_symmetric() {
            key.clone()
        } else {
            key.public_key().unwrap()
        };
        let verifier = Verifier::builder(public)
            .issuer(ISS)
            .audience("api")
            .build()
            .unwrap();
        for (size, large) in [("small", false), ("large", true)] {
            let text = claims(large);
            assert_eq!(text.len(), if large { 690 } else { 119 });
            let token =
                jwt::sign_json(&key, &Header::new().typ("JWT"), text.as_bytes(), &rng).unwrap();
            // Warm up once (lazy one-time initialisation inside ring is not per verification).
            assert!(verifier.verify(&token, NOW).is_ok());
            let (borrowed, sub) = allocations(|| {
                verifier
                    .verify_with(&token, NOW, |c| c.sub() == Some("user-1234"))
                    .unwrap()
            });
            assert!(sub);
            let (owned, verified) = allocations(|| verifier.verify(&token, NOW).unwrap());
            drop(verified);
            println!("{:<8} {size:<6} {borrowed:>11}  {owned:>6}", alg.as_str());
            if alg.family() == jwt::KeyFamily::Hmac {
                assert!(
                    borrowed <= 2,
                    "{alg} {size}: {borrowed} allocations on the borrowed path (target: at most 2)"
                );
            }
            // Today: none of tessera's own, whatever ring needs (RSA allocates its big numbers).
            assert!(
                borrowed <= 8,
                "{alg} {size}: {borrowed} allocations on the borrowed path"
            );
            assert!(
                owned <= borrowed + 8,
                "{alg} {size}: {owned} allocations on the owned path"
            );
        }
    }
}
