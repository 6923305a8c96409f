//! Stress: many threads share one verifier, one key set and one issuer — as C ABI handles and as
//! Rust values behind an `Arc` — verifying a deterministic mix of valid and invalid tokens
//! (wrong signature, expired, wrong audience, unknown key) and running whole grant families
//! (authorize → code exchange → refresh with rotation → reuse detection), each on its own
//! state. Every single result is checked against the expected one. `tessera_verify_batch` is
//! called from several threads at once too. Sized to take a few seconds in a debug build.

#![allow(clippy::unwrap_used, clippy::panic)]

mod abi;

use std::ptr::null_mut;
use std::sync::{Arc, Barrier};
use std::thread;

use serde_json::{Value, json};
use tessera::ErrorKind;
use tessera::SystemRandom;
use tessera::ffi::*;
use tessera::grant::{
    AuthorizeOutcome, Client, FamilyStatus, GrantState, Issuer, Policy, RevocationReason,
};
use tessera::jwt::{self, Algorithm, Header, Key, KeySet, Verifier};
use tessera::pkce::CodeVerifier;
use tessera::token::{Pepper, Peppers};
use tessera::wire::{AuthorizeRequest, TokenRequest};

const THREADS: usize = 8;
const ROUNDS: usize = 200;
const NOW: i64 = 1_800_000_000;
const ISS: &str = "https://as.example";
const AUD: &str = "api";

/// A token and what verifying it at `NOW` must give: its claims, or the error.
struct Case {
    token: String,
    expect: Result<Value, ErrorKind>,
}

/// Signs `claims` with `key` (the keys carry their `kid`).
fn sign(key: &Key, claims: &Value) -> String {
    jwt::sign(key, &Header::new().typ("JWT"), claims, &SystemRandom::new()).unwrap()
}

fn claims(sub: usize, aud: &str, exp: i64) -> Value {
    json!({"iss": ISS, "sub": format!("user-{sub}"), "aud": aud, "exp": exp, "iat": NOW - 10})
}

/// The shared keys: three in the key set (P-256, and with the aws-lc backend P-521 and
/// secp256k1, else P-256 and P-384), one impostor reusing the first one's `kid`, one with a
/// `kid` the set does not know, and one P-256 key claiming the third one's `kid`.
struct Keys {
    k1: Key,
    k2: Key,
    k3: Key,
    impostor: Key,
    stranger: Key,
    wrong_curve: Key,
}

fn keys() -> Keys {
    let rng = SystemRandom::new();
    let make = |alg: Algorithm, kid: &str| Key::generate(alg, &rng).unwrap().with_kid(kid);
    let aws_lc = Algorithm::ES512.is_supported();
    Keys {
        k1: make(Algorithm::ES256, "k1"),
        k2: make(
            if aws_lc {
                Algorithm::ES512
            } else {
                Algorithm::ES256
            },
            "k2",
        ),
        k3: make(
            if aws_lc {
                Algorithm::ES256K
            } else {
                Algorithm::ES384
            },
            "k3",
        ),
        impostor: make(Algorithm::ES256, "k1"),
        stranger: make(Algorithm::ES256, "k9"),
        wrong_curve: make(Algorithm::ES256, "k3"),
    }
}

/// The public keys of the key set.
fn set_keys(k: &Keys) -> Vec<Key> {
    [&k.k1, &k.k2, &k.k3]
        .map(|key| key.public_key().unwrap())
        .to_vec()
}

/// The mix of tokens, with the verdicts of a verifier over the set {k1, k2, k3} that expects
/// `ISS` and `AUD`.
fn cases(k: &Keys) -> Vec<Case> {
    let mut out = Vec::new();
    for i in 0..6 {
        let good = claims(i, AUD, NOW + 300);
        out.push(Case {
            token: sign(&k.k1, &good),
            expect: Ok(good.clone()),
        });
        out.push(Case {
            token: sign(&k.k2, &good),
            expect: Ok(good.clone()),
        });
        out.push(Case {
            token: sign(&k.k3, &good),
            expect: Ok(good.clone()),
        });
        out.push(Case {
            token: sign(&k.impostor, &good),
            expect: Err(ErrorKind::InvalidSignature),
        });
        out.push(Case {
            token: sign(&k.wrong_curve, &good),
            expect: Err(ErrorKind::AlgorithmMismatch),
        });
        out.push(Case {
            token: sign(&k.stranger, &good),
            expect: Err(ErrorKind::KeyNotFound),
        });
        out.push(Case {
            token: sign(&k.k1, &claims(i, AUD, NOW - 300)),
            expect: Err(ErrorKind::Expired),
        });
        out.push(Case {
            token: sign(&k.k2, &claims(i, "other-api", NOW + 300)),
            expect: Err(ErrorKind::AudienceMismatch),
        });
    }
    // A tampered payload (signature of another token).
    let a = sign(&k.k1, &claims(100, AUD, NOW + 300));
    let b = sign(&k.k1, &claims(101, AUD, NOW + 300));
    let a_head = a.rsplit_once('.').unwrap().0;
    let b_sig = b.rsplit_once('.').unwrap().1;
    out.push(Case {
        token: format!("{a_head}.{b_sig}"),
        expect: Err(ErrorKind::InvalidSignature),
    });
    out
}

fn rust_verifier(k: &Keys) -> Verifier {
    let set = KeySet::new(set_keys(k)).unwrap();
    Verifier::builder(set)
        .issuer(ISS)
        .audience(AUD)
        .build()
        .unwrap()
}

fn abi_verifier(k: &Keys) -> (abi::KeySetH, abi::VerifierH) {
    let jwks = jwt::jwks(&set_keys(k)).unwrap();
    let mut set = null_mut();
    // SAFETY: valid inputs and out-pointer.
    abi::ok(unsafe {
        tessera_keyset_from_jwks(jwks.as_ptr(), jwks.len(), std::ptr::null(), &mut set)
    });
    let set = abi::KeySetH(set);
    let b = abi::builder();
    // SAFETY: a live builder, NUL-terminated strings.
    unsafe {
        abi::ok(tessera_verifier_builder_add_issuer(
            b.0,
            c"https://as.example".as_ptr(),
        ));
        abi::ok(tessera_verifier_builder_add_audience(b.0, c"api".as_ptr()));
    }
    let v = abi::verifier_for_set(&b, &set);
    (set, v)
}

/// Checks one C ABI verification against its case.
#[track_caller]
fn check_abi(v: &abi::VerifierH, case: &Case, ctx: &str) {
    let got = abi::verify(v, case.token.as_bytes(), NOW);
    match (&case.expect, got) {
        (Ok(claims), Ok(bytes)) => {
            assert_eq!(
                &serde_json::from_slice::<Value>(&bytes).unwrap(),
                claims,
                "{ctx}"
            );
        }
        (Err(kind), Err(code)) => assert_eq!(code, kind.code(), "{ctx}"),
        (want, got) => panic!("{ctx}: expected {want:?}, got {got:?}"),
    }
    // SAFETY: live handle, valid input.
    let code = unsafe { tessera_verify_result(v.0, case.token.as_ptr(), case.token.len(), NOW) };
    let want = case
        .expect
        .as_ref()
        .map_or_else(|k| k.code(), |_| TESSERA_RESULT_OK);
    assert_eq!(code.0, want, "{ctx} (result only)");
}

/// Checks one Rust verification against its case.
#[track_caller]
fn check_rust(v: &Verifier, case: &Case, ctx: &str) {
    match (&case.expect, v.verify(&case.token, NOW)) {
        (Ok(claims), Ok(verified)) => {
            assert_eq!(&Value::Object(verified.claims().clone()), claims, "{ctx}");
        }
        (Err(kind), Err(e)) => assert_eq!(e.kind(), *kind, "{ctx}: {e}"),
        (want, got) => panic!("{ctx}: expected {want:?}, got {got:?}"),
    }
}

#[test]
fn shared_verifiers_from_many_threads_check_every_result() {
    let k = keys();
    let cases = Arc::new(cases(&k));
    let rust = Arc::new(rust_verifier(&k));
    let (_set, abi_v) = abi_verifier(&k);
    let abi_v = Arc::new(abi_v);
    let start = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (cases, rust, abi_v, start) = (
                Arc::clone(&cases),
                Arc::clone(&rust),
                Arc::clone(&abi_v),
                Arc::clone(&start),
            );
            thread::spawn(move || {
                let _ = start.wait();
                let mut checked = 0usize;
                for round in 0..ROUNDS {
                    // A different, deterministic walk through the cases on every thread.
                    let case = &cases[(t * 7 + round * 5) % cases.len()];
                    let ctx = format!("thread {t} round {round}");
                    check_abi(&abi_v, case, &ctx);
                    check_rust(&rust, case, &ctx);
                    checked += 1;
                }
                checked
            })
        })
        .collect();
    let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(total, THREADS * ROUNDS);
}

#[test]
fn verify_batch_from_several_threads_at_once() {
    let k = keys();
    let cases = Arc::new(cases(&k));
    let (_set, abi_v) = abi_verifier(&k);
    let abi_v = Arc::new(abi_v);
    let start = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (cases, abi_v, start) =
                (Arc::clone(&cases), Arc::clone(&abi_v), Arc::clone(&start));
            thread::spawn(move || {
                // Each thread its own rotation of the cases, 64 tokens, verified on 2 threads.
                let picked: Vec<&Case> = (0..64)
                    .map(|i| &cases[(i + t * 11) % cases.len()])
                    .collect();
                let ptrs: Vec<*const u8> = picked.iter().map(|c| c.token.as_ptr()).collect();
                let lens: Vec<usize> = picked.iter().map(|c| c.token.len()).collect();
                let _ = start.wait();
                for round in 0..3 {
                    let results = abi::verify_batch(abi_v.0, &ptrs, &lens, NOW, 2);
                    for (i, (case, got)) in picked.iter().zip(&results).enumerate() {
                        let want = case
                            .expect
                            .as_ref()
                            .map_or_else(|k| k.code(), |_| TESSERA_RESULT_OK);
                        assert_eq!(*got, want, "thread {t} round {round} token {i}");
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn verify_batch_with_null_and_bad_inputs_from_several_threads_gives_each_token_its_code() {
    let k = keys();
    let cases = Arc::new(cases(&k));
    let (_set, abi_v) = abi_verifier(&k);
    let abi_v = Arc::new(abi_v);
    let start = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (cases, abi_v, start) =
                (Arc::clone(&cases), Arc::clone(&abi_v), Arc::clone(&start));
            thread::spawn(move || {
                // 160 inputs (enough for the pool): cases, NULL tokens with and without a
                // length, truncated tokens and tokens of length 0.
                let mut ptrs = Vec::new();
                let mut lens = Vec::new();
                for i in 0..160 {
                    let token = &cases[(i * 3 + t) % cases.len()].token;
                    let (p, l) = match (i + t) % 7 {
                        1 => (std::ptr::null(), token.len()),
                        2 => (std::ptr::null(), 0),
                        3 => (token.as_ptr(), token.len() / 2),
                        4 => (token.as_ptr(), 0),
                        _ => (token.as_ptr(), token.len()),
                    };
                    ptrs.push(p);
                    lens.push(l);
                }
                // What `tessera_verify_result` says of each input on its own.
                let want: Vec<u32> = ptrs
                    .iter()
                    .zip(&lens)
                    // SAFETY: each pair is NULL or a live token prefix of that length.
                    .map(|(&p, &l)| unsafe { tessera_verify_result(abi_v.0, p, l, NOW) }.0)
                    .collect();
                assert!(want.contains(&ErrorKind::NullPointer.code()));
                assert!(want.contains(&TESSERA_RESULT_OK));
                let _ = start.wait();
                for threads in [0, 1, 2, 3, 0, 2] {
                    let results = abi::verify_batch(abi_v.0, &ptrs, &lens, NOW, threads);
                    for (i, (got, want)) in results.iter().zip(&want).enumerate() {
                        assert_eq!(got, want, "thread {t}, {threads} threads, input {i}");
                        if ptrs[i].is_null() && lens[i] > 0 {
                            assert_eq!(*got, ErrorKind::NullPointer.code());
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

// ---- grant families ----------------------------------------------------------------------------------

const POLICY: &str = r#"{"issuer":"https://as.example","audiences":["api"]}"#;
const APP: &str = r#"{"client_id":"app","kind":"public","redirect_uris":["https://app.example/cb"],
    "allowed_scope":"read write","grant_types":["authorization_code","refresh_token"]}"#;
const FAMILIES: usize = 4;

/// One whole family through the Rust API: authorize, exchange, refresh twice (rotation), then
/// the first refresh token again (reuse: the family is revoked), and every step checked.
fn rust_family(issuer: &Issuer, client: &Client, access: &Verifier, t: usize, n: usize) {
    let rng = SystemRandom::new();
    let ctx = format!("rust thread {t} family {n}");
    let sub = format!("user-{t}-{n}");
    let verifier = CodeVerifier::generate(&rng).unwrap();
    let request = AuthorizeRequest {
        response_type: "code".into(),
        client_id: "app".into(),
        redirect_uri: Some("https://app.example/cb".into()),
        scope: Some("read write".into()),
        state: Some(format!("s{t}{n}")),
        code_challenge: Some(verifier.challenge_s256()),
        code_challenge_method: Some("S256".into()),
        nonce: None,
        dpop_jkt: None,
    };
    let AuthorizeOutcome::Granted {
        redirect, state, ..
    } = issuer.authorize(Some(client), &request, &sub, NOW, &rng)
    else {
        panic!("{ctx}: authorization refused")
    };
    assert_eq!(redirect.param("state"), Some(format!("s{t}{n}")), "{ctx}");
    let code = redirect.param("code").unwrap();
    let auth = issuer.authenticate(Some(client), "app", None).unwrap();
    let exchange = TokenRequest::AuthorizationCode {
        code,
        redirect_uri: Some("https://app.example/cb".into()),
        code_verifier: Some(verifier.as_str().to_owned()),
        client_id: None,
    };
    let out = issuer.token(&auth, Some(&state), &exchange, None, NOW + 1, &rng);
    let t1 = out.result.unwrap();
    let s2: GrantState = out.state.unwrap();
    assert_eq!(s2.version(), 2, "{ctx}");
    // The access token verifies and names this thread's user.
    let verified = access.verify(&t1.access_token, NOW + 2).unwrap();
    assert_eq!(
        verified.registered().sub.as_deref(),
        Some(sub.as_str()),
        "{ctx}"
    );
    let refresh = |token: &str| TokenRequest::RefreshToken {
        refresh_token: token.to_owned(),
        scope: None,
    };
    let rt1 = t1.refresh_token.unwrap();
    let out = issuer.token(&auth, Some(&s2), &refresh(&rt1), None, NOW + 10, &rng);
    let t2 = out.result.unwrap();
    let s3 = out.state.unwrap();
    assert_eq!(s3.version(), 3, "{ctx}");
    let rt2 = t2.refresh_token.unwrap();
    assert_ne!(rt1, rt2, "{ctx}: rotation");
    // The code again: refused. rt1 again: reuse, the family is revoked.
    let out = issuer.token(&auth, Some(&s3), &refresh(&rt1), None, NOW + 20, &rng);
    assert_eq!(
        out.result.unwrap_err().kind(),
        ErrorKind::OauthInvalidGrant,
        "{ctx}"
    );
    let s4 = out.state.unwrap();
    assert_eq!(
        s4.status(),
        FamilyStatus::Revoked {
            reason: RevocationReason::RefreshReuse,
            at: NOW + 20
        },
        "{ctx}"
    );
    let out = issuer.token(&auth, Some(&s4), &refresh(&rt2), None, NOW + 30, &rng);
    assert_eq!(
        out.result.unwrap_err().kind(),
        ErrorKind::OauthInvalidGrant,
        "{ctx}"
    );
}

/// The same family through the C ABI (JSON in, JSON out).
fn abi_family(issuer: &abi::IssuerH, t: usize, n: usize) {
    let ctx = format!("abi thread {t} family {n}");
    // SAFETY: buffers from `call_out`.
    let verifier = abi::call_out(|o, c, l| unsafe { tessera_pkce_verifier_new(o, c, l) }).unwrap();
    // SAFETY: as above.
    let challenge = abi::call_out(|o, c, l| unsafe {
        tessera_pkce_challenge(verifier.as_ptr(), verifier.len(), o, c, l)
    })
    .unwrap();
    let verifier = String::from_utf8(verifier).unwrap();
    let request = json!({"response_type": "code", "client_id": "app",
        "redirect_uri": "https://app.example/cb", "scope": "read",
        "code_challenge": String::from_utf8(challenge).unwrap(),
        "code_challenge_method": "S256"})
    .to_string();
    let sub = std::ffi::CString::new(format!("user-{t}-{n}")).unwrap();
    // SAFETY: live handle, valid inputs; buffers from `call_json`.
    let granted = abi::call_json(|o, c, l| unsafe {
        tessera_issuer_authorize(
            issuer.0,
            APP.as_ptr(),
            APP.len(),
            request.as_ptr(),
            request.len(),
            sub.as_ptr(),
            NOW,
            o,
            c,
            l,
        )
    })
    .unwrap();
    assert_eq!(granted["outcome"], "granted", "{ctx}: {granted}");
    let location = granted["redirect"]["location"].as_str().unwrap();
    let code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .unwrap()
        .to_owned();
    let token = |state: &Value, body: String, now: i64| -> Value {
        // SAFETY: valid inputs; buffers from `call_json`.
        let parsed = abi::call_json(|o, c, l| unsafe {
            tessera_token_request_parse(body.as_ptr(), body.len(), std::ptr::null(), o, c, l)
        })
        .unwrap();
        let (auth, request, state) = (
            parsed["client_auth"].to_string(),
            parsed["request"].to_string(),
            state.to_string(),
        );
        abi::issuer_token(
            issuer,
            APP.as_bytes(),
            auth.as_bytes(),
            state.as_bytes(),
            request.as_bytes(),
            now,
        )
        .unwrap()
    };
    let exchanged = token(
        &granted["state"],
        format!(
            "grant_type=authorization_code&code={code}&code_verifier={verifier}\
             &client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        ),
        NOW + 1,
    );
    assert_eq!(exchanged["ok"], true, "{ctx}: {exchanged}");
    assert_eq!(exchanged["state"]["version"], 2, "{ctx}");
    let rt1 = exchanged["response"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = |rt: &str| format!("grant_type=refresh_token&refresh_token={rt}&client_id=app");
    let rotated = token(&exchanged["state"], refresh(&rt1), NOW + 10);
    assert_eq!(rotated["ok"], true, "{ctx}: {rotated}");
    assert_eq!(rotated["state"]["version"], 3, "{ctx}");
    let rt2 = rotated["response"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(rt1, rt2, "{ctx}: rotation");
    let reused = token(&rotated["state"], refresh(&rt1), NOW + 20);
    assert_eq!(reused["ok"], false, "{ctx}");
    assert_eq!(reused["error"]["error"], "invalid_grant", "{ctx}");
    assert_eq!(reused["state"]["status"]["state"], "revoked", "{ctx}");
    assert_eq!(reused["effects"][0]["effect"], "revoke_family", "{ctx}");
    assert_eq!(reused["effects"][0]["reason"], "refresh_reuse", "{ctx}");
    let after = token(&reused["state"], refresh(&rt2), NOW + 30);
    assert_eq!(after["ok"], false, "{ctx}");
    assert_eq!(after["error"]["error"], "invalid_grant", "{ctx}");
}

#[test]
fn shared_issuers_from_many_threads_run_whole_families() {
    let rng = SystemRandom::new();
    let signing = Key::generate(Algorithm::ES256, &rng)
        .unwrap()
        .with_kid("as1");
    let peppers = || Peppers::new(Pepper::new("p1", &[7u8; 32]).unwrap());
    let issuer = Arc::new(
        Issuer::new(
            Policy::from_json(POLICY).unwrap(),
            signing.clone(),
            peppers(),
        )
        .unwrap(),
    );
    let client = Arc::new(Client::from_json(APP).unwrap());
    let access = Arc::new(
        Verifier::builder(signing.public_key().unwrap())
            .issuer(ISS)
            .audience(AUD)
            .typ("at+jwt")
            .build()
            .unwrap(),
    );

    let abi_key = abi::generated_key(c"ES256");
    let mut abi_peppers = null_mut();
    let secret = [7u8; 32];
    // SAFETY: valid inputs and out-pointer.
    abi::ok(unsafe { tessera_peppers_new(c"p1".as_ptr(), secret.as_ptr(), 32, &mut abi_peppers) });
    let abi_peppers = abi::PeppersH(abi_peppers);
    let mut abi_issuer = null_mut();
    // SAFETY: as above.
    abi::ok(unsafe {
        tessera_issuer_new(
            POLICY.as_ptr(),
            POLICY.len(),
            abi_key.0,
            abi_peppers.0,
            &mut abi_issuer,
        )
    });
    let abi_issuer = Arc::new(abi::IssuerH(abi_issuer));

    let start = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (issuer, client, access, abi_issuer, start) = (
                Arc::clone(&issuer),
                Arc::clone(&client),
                Arc::clone(&access),
                Arc::clone(&abi_issuer),
                Arc::clone(&start),
            );
            thread::spawn(move || {
                let _ = start.wait();
                for n in 0..FAMILIES {
                    rust_family(&issuer, &client, &access, t, n);
                    abi_family(&abi_issuer, t, n);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}
