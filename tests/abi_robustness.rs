//! A panic inside an exported function comes back as `TESSERA_RESULT_PANIC` — never an abort,
//! never an unwind into C — with nothing written to the outputs, and the handles it was given
//! keep working. The panic is made by the test-only hook of the `test-hooks` feature
//! (`tessera::ffi::hooks`, not part of the C ABI), which makes the next exported function
//! called on this thread panic inside its panic boundary.
//!
//! Needs `--features test-hooks` (`cargo test --all-features` has it).

#![allow(clippy::unwrap_used, clippy::panic)]

mod abi;

use std::ptr::{null, null_mut};

use serde_json::json;
use tessera::ErrorKind;
use tessera::ffi::hooks;
use tessera::ffi::*;

const NOW: i64 = 1_800_000_000;
const PANIC: TesseraResult = TesseraResult(ErrorKind::Panic.code());
const SENTINEL: usize = 0xDEAD_BEEF;

/// Calls `f` with the hook armed: it must return `TESSERA_RESULT_PANIC`, and the hook must
/// have fired (so it fired inside this call, not later).
#[track_caller]
fn panics(f: impl FnOnce() -> TesseraResult) {
    hooks::panic_at_next_boundary();
    assert!(hooks::armed());
    let r = f();
    assert!(!hooks::armed(), "the hook fired");
    assert_eq!(r, PANIC, "{}", abi::name(r));
}

#[test]
fn the_panic_code_is_the_documented_one() {
    assert_eq!(PANIC.0, 3);
    assert_eq!(abi::name(PANIC), "panic");
}

#[test]
fn a_panic_in_verify_is_a_code_and_the_verifier_still_works() {
    let key = abi::hmac_key(&[9u8; 32], c"HS256");
    let verifier = abi::verifier_for_key(&abi::builder(), &key).unwrap();
    let claims = json!({"sub": "a", "exp": NOW + 60}).to_string();
    let token = abi::sign(&key, &claims);

    let mut out = [0xAAu8; 256];
    let mut out_len = SENTINEL;
    panics(|| {
        // SAFETY: live handle, valid inputs and buffers.
        unsafe {
            tessera_verify(
                verifier.0,
                token.as_ptr(),
                token.len(),
                NOW,
                out.as_mut_ptr(),
                out.len(),
                &mut out_len,
            )
        }
    });
    assert_eq!(out, [0xAA; 256], "nothing written");
    assert_eq!(out_len, SENTINEL, "length not written");
    // SAFETY: as above.
    panics(|| unsafe { tessera_verify_result(verifier.0, token.as_ptr(), token.len(), NOW) });

    // The same handle, the same thread: business as usual.
    assert_eq!(
        abi::verify(&verifier, token.as_bytes(), NOW).unwrap(),
        claims.as_bytes()
    );
    // SAFETY: as above.
    abi::ok(unsafe { tessera_verify_result(verifier.0, token.as_ptr(), token.len(), NOW) });

    // The batch entry point too: no result slot written.
    let tokens = [token.as_ptr(), token.as_ptr()];
    let lens = [token.len(), token.len()];
    let mut results = [u32::MAX; 2];
    panics(|| {
        // SAFETY: valid arrays of two.
        unsafe {
            tessera_verify_batch(
                verifier.0,
                tokens.as_ptr(),
                lens.as_ptr(),
                2,
                NOW,
                1,
                results.as_mut_ptr(),
            )
        }
    });
    assert_eq!(results, [u32::MAX; 2]);
    // SAFETY: as above.
    abi::ok(unsafe {
        tessera_verify_batch(
            verifier.0,
            tokens.as_ptr(),
            lens.as_ptr(),
            2,
            NOW,
            2,
            results.as_mut_ptr(),
        )
    });
    assert_eq!(results, [TESSERA_RESULT_OK; 2]);
}

#[test]
fn a_panic_in_a_key_loader_writes_no_handle() {
    let key = abi::generated_key(c"ES256");
    let pem = {
        // SAFETY: live handle; buffers from `call_out`.
        abi::call_out(|o, c, l| unsafe { tessera_key_public_pem(key.0, o, c, l) }).unwrap()
    };
    let sentinel = SENTINEL as *mut tessera_key;
    let mut out = sentinel;
    // SAFETY: valid inputs and out-pointer.
    panics(|| unsafe {
        tessera_key_from_pem(pem.as_ptr(), pem.len(), c"ES256".as_ptr(), &mut out)
    });
    assert_eq!(out, sentinel, "no handle written");
    // SAFETY: as above.
    panics(|| unsafe { tessera_key_generate(c"ES256".as_ptr(), &mut out) });
    assert_eq!(out, sentinel);
    let mut set = SENTINEL as *mut tessera_keyset;
    let keys = [key.0.cast_const()];
    // SAFETY: an array of one live key.
    panics(|| unsafe { tessera_keyset_new(keys.as_ptr(), 1, &mut set) });
    assert_eq!(set, SENTINEL as *mut tessera_keyset);

    // Loading works afterwards, and the key it loads verifies what the original signs.
    // SAFETY: as above.
    abi::ok(unsafe { tessera_key_from_pem(pem.as_ptr(), pem.len(), c"ES256".as_ptr(), &mut out) });
    let loaded = abi::KeyH(out);
    let token = abi::sign(&key, r#"{"exp":1800000060}"#);
    let v = abi::verifier_for_key(&abi::builder(), &loaded).unwrap();
    assert!(abi::verify(&v, token.as_bytes(), NOW).is_ok());
    // A panic while freeing leaks the handle rather than crash (and frees nothing twice).
    let mut spare = null_mut();
    // SAFETY: valid out-pointer.
    abi::ok(unsafe { tessera_key_generate(c"EdDSA".as_ptr(), &mut spare) });
    hooks::panic_at_next_boundary();
    // SAFETY: a live handle; the panic happens before it is touched.
    unsafe { tessera_key_free(spare) };
    assert!(!hooks::armed());
    // Still live: usable, then freed for real.
    // SAFETY: as above.
    let alg = abi::call_out(|o, c, l| unsafe { tessera_key_alg(spare, o, c, l) }).unwrap();
    assert_eq!(alg, b"EdDSA");
    // SAFETY: freed once.
    unsafe { tessera_key_free(spare) };
}

const POLICY: &str = r#"{"issuer":"https://as.example","audiences":["api"]}"#;
const APP: &str = r#"{"client_id":"app","kind":"public","redirect_uris":["https://app.example/cb"],
    "allowed_scope":"read write","grant_types":["authorization_code","refresh_token"]}"#;

#[test]
fn a_panic_in_a_grant_function_writes_no_outcome_and_the_issuer_still_works() {
    let key = abi::generated_key(c"ES256");
    let mut peppers = null_mut();
    let secret = [7u8; 32];
    // SAFETY: valid inputs and out-pointer.
    abi::ok(unsafe { tessera_peppers_new(c"p1".as_ptr(), secret.as_ptr(), 32, &mut peppers) });
    let peppers = abi::PeppersH(peppers);
    let mut issuer = SENTINEL as *mut tessera_issuer;
    // SAFETY: as above.
    panics(|| unsafe {
        tessera_issuer_new(POLICY.as_ptr(), POLICY.len(), key.0, peppers.0, &mut issuer)
    });
    assert_eq!(issuer, SENTINEL as *mut tessera_issuer);
    // SAFETY: as above.
    abi::ok(unsafe {
        tessera_issuer_new(POLICY.as_ptr(), POLICY.len(), key.0, peppers.0, &mut issuer)
    });
    let issuer = abi::IssuerH(issuer);

    let request = json!({"response_type": "code", "client_id": "app",
        "redirect_uri": "https://app.example/cb", "scope": "read",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256"})
    .to_string();
    let authorize = |out: *mut u8, cap: usize, out_len: *mut usize| {
        // SAFETY: live handle, valid inputs; the caller's buffers.
        unsafe {
            tessera_issuer_authorize(
                issuer.0,
                APP.as_ptr(),
                APP.len(),
                request.as_ptr(),
                request.len(),
                c"user-42".as_ptr(),
                NOW,
                out,
                cap,
                out_len,
            )
        }
    };
    let mut out = vec![0x55u8; 4096];
    let mut out_len = SENTINEL;
    panics(|| authorize(out.as_mut_ptr(), out.len(), &mut out_len));
    assert!(out.iter().all(|&b| b == 0x55), "nothing written");
    assert_eq!(out_len, SENTINEL);
    // A state-taking function: no outcome either.
    panics(|| {
        // SAFETY: live handle, NULL state (none), valid buffers.
        unsafe {
            tessera_issuer_revoke_family(
                issuer.0,
                null(),
                0,
                NOW,
                out.as_mut_ptr(),
                out.len(),
                &mut out_len,
            )
        }
    });
    assert_eq!(out_len, SENTINEL);

    // The issuer grants as before.
    let granted = abi::call_json(authorize).unwrap();
    assert_eq!(granted["outcome"], "granted", "{granted}");
    assert_eq!(granted["state"]["version"], 1);
}

#[test]
fn a_panic_in_a_dpop_function_writes_nothing_and_the_handles_still_work() {
    let key = abi::generated_key(c"ES256");
    let htu = c"https://server.example.com/token";
    let mut proof = vec![0x55u8; 2048];
    let mut len = SENTINEL;
    // SAFETY: live handle, valid inputs and buffers.
    let create = |out: *mut u8, cap: usize, out_len: *mut usize| unsafe {
        tessera_dpop_proof_create(
            key.0,
            c"POST".as_ptr(),
            htu.as_ptr(),
            NOW,
            null(),
            null(),
            0,
            out,
            cap,
            out_len,
        )
    };
    panics(|| create(proof.as_mut_ptr(), proof.len(), &mut len));
    assert!(proof.iter().all(|&b| b == 0x55) && len == SENTINEL);
    let proof = abi::call_out(create).unwrap();

    let mut validator = SENTINEL as *mut tessera_dpop_validator;
    // SAFETY: defaults, valid out-pointer.
    panics(|| unsafe { tessera_dpop_validator_new(null(), 0, null(), &mut validator) });
    assert_eq!(validator, SENTINEL as *mut tessera_dpop_validator);
    // SAFETY: as above.
    abi::ok(unsafe { tessera_dpop_validator_new(null(), 0, null(), &mut validator) });
    let mut checked = SENTINEL as *mut tessera_dpop_proof;
    // SAFETY: live handle, valid inputs.
    let validate = |out: *mut *mut tessera_dpop_proof| unsafe {
        tessera_dpop_validate(
            validator,
            proof.as_ptr(),
            proof.len(),
            c"POST".as_ptr(),
            htu.as_ptr(),
            null(),
            0,
            NOW,
            out,
        )
    };
    panics(|| validate(&mut checked));
    assert_eq!(checked, SENTINEL as *mut tessera_dpop_proof);
    abi::ok(validate(&mut checked));

    let mut cache = null_mut();
    // SAFETY: valid out-pointer.
    abi::ok(unsafe { tessera_replay_cache_new(100, &mut cache) });
    // SAFETY: live handles.
    panics(|| unsafe { tessera_replay_cache_check_proof(cache, checked, NOW) });
    // Nothing was recorded: the first real check passes, the second is the replay.
    // SAFETY: as above.
    unsafe {
        abi::ok(tessera_replay_cache_check_proof(cache, checked, NOW));
        assert_eq!(
            tessera_replay_cache_check_proof(cache, checked, NOW),
            abi::code(ErrorKind::DpopReplay)
        );
        tessera_replay_cache_free(cache);
        tessera_dpop_proof_free(checked);
        tessera_dpop_validator_free(validator);
    }
}
