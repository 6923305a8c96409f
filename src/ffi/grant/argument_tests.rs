//! Tests of the C ABI in `ffi/grant.rs`: argument errors, locate refusals and engine tokens,
//! and sharing an issuer between threads (the fixture is in `tests.rs`).

use std::ptr::{null, null_mut};

use super::super::{call_json, tessera_key_free, tessera_key_public};
use super::tests::{APP, Fixture, NOW, POLICY, code, code_request, locate};
use super::*;

#[test]
fn locate_refusals_and_engine_tokens() {
    let f = Fixture::new();
    for junk in [&b"tsr_rt_short"[..], b"not-a-jwt", b"\xff"] {
        // SAFETY: live handle; buffers from `call_json`.
        let none = call_json(|o, c, l| unsafe {
            tessera_issuer_locate(f.issuer, junk.as_ptr(), junk.len(), NOW, o, c, l)
        })
        .unwrap();
        assert_eq!(none["locator"], "none");
        assert!(none["error"]["code"].is_u64());
    }

    let engine = |parent: &std::ffi::CStr, requested: &std::ffi::CStr| {
        // SAFETY: as above.
        call_json(|o, c, l| unsafe {
            tessera_issuer_engine_token(
                f.issuer,
                parent.as_ptr(),
                requested.as_ptr(),
                c"task-7".as_ptr(),
                c"engine".as_ptr(),
                NOW,
                o,
                c,
                l,
            )
        })
    };
    let minted = engine(c"read write", c"read").unwrap();
    assert_eq!(minted["scope"], "read");
    assert_eq!(minted["expires_at"], NOW + 300);
    assert_eq!(minted["token"].as_str().unwrap().split('.').count(), 3);
    // An engine token is not an access token.
    let located = locate(&f, minted["token"].as_str().unwrap(), NOW);
    assert_eq!(located["locator"], "none");
    assert_eq!(located["error"]["name"], "type_mismatch");
    assert_eq!(
        engine(c"read", c"write").unwrap_err(),
        ErrorKind::OauthInvalidScope.code()
    );
    assert_eq!(
        engine(c"read", c"").unwrap_err(),
        ErrorKind::OauthInvalidScope.code()
    );
    assert_eq!(
        engine(c"read  write", c"read").unwrap_err(),
        ErrorKind::InvalidScope.code()
    );
}

#[test]
fn argument_errors_are_result_codes() {
    let f = Fixture::new();
    let request = code_request("x").to_string();
    let mut len = 0usize;
    let run = |issuer: *const tessera_issuer,
               client: &str,
               request: &str,
               subject: *const c_char|
     -> TesseraResult {
        let mut len = usize::MAX;
        // SAFETY: valid or NULL inputs.
        let r = unsafe {
            tessera_issuer_authorize(
                issuer,
                client.as_ptr(),
                client.len(),
                request.as_ptr(),
                request.len(),
                subject,
                NOW,
                null_mut(),
                0,
                &mut len,
            )
        };
        if r != code(ErrorKind::BufferTooSmall) {
            assert_eq!(len, usize::MAX, "out_len untouched on failure");
        }
        r
    };
    let subject = c"user-42".as_ptr();
    assert_eq!(
        run(null(), APP, &request, subject),
        code(ErrorKind::NullPointer)
    );
    assert_eq!(
        run(f.peppers.cast(), APP, &request, subject),
        code(ErrorKind::WrongHandle)
    );
    assert_eq!(
        run(f.issuer, APP, &request, null()),
        code(ErrorKind::NullPointer)
    );
    assert_eq!(
        run(f.issuer, APP, &request, c"".as_ptr()),
        code(ErrorKind::InvalidArgument)
    );
    assert_eq!(
        run(f.issuer, "{", &request, subject),
        code(ErrorKind::InvalidJson)
    );
    assert_eq!(
        run(f.issuer, APP, r#"{"client_id":"app"}"#, subject),
        code(ErrorKind::InvalidJson)
    );
    assert_eq!(
        run(
            f.issuer,
            APP,
            r#"{"response_type":"code","client_id":"app","x":1}"#,
            subject
        ),
        code(ErrorKind::InvalidJson)
    );
    // A valid call with a zero buffer reports the size.
    assert_eq!(
        run(f.issuer, APP, &request, subject),
        code(ErrorKind::BufferTooSmall)
    );

    let auth = r#"{"method":"none","client_id":"app"}"#;
    let req = r#"{"grant_type":"refresh_token","refresh_token":"x"}"#;
    let token_with = |auth: &str, state: &str, req: &str| {
        let mut len = 0usize;
        // SAFETY: valid inputs.
        unsafe {
            tessera_issuer_token(
                f.issuer,
                APP.as_ptr(),
                APP.len(),
                auth.as_ptr(),
                auth.len(),
                state.as_ptr(),
                state.len(),
                req.as_ptr(),
                req.len(),
                NOW,
                null_mut(),
                0,
                &mut len,
            )
        }
    };
    assert_eq!(token_with(auth, "", req), code(ErrorKind::BufferTooSmall));
    assert_eq!(
        token_with("", "", req),
        code(ErrorKind::InvalidJson),
        "client_auth required"
    );
    assert_eq!(
        token_with(auth, "", ""),
        code(ErrorKind::InvalidJson),
        "request required"
    );
    assert_eq!(
        token_with(r#"{"method":"magic","client_id":"app"}"#, "", req),
        code(ErrorKind::InvalidJson)
    );
    assert_eq!(
        token_with(auth, r#"{"v":2}"#, req),
        code(ErrorKind::Unsupported)
    );
    assert_eq!(
        token_with(auth, r#"{"v":1}"#, req),
        code(ErrorKind::InvalidJson)
    );

    // Issuer construction.
    let mut issuer = null_mut();
    let mut public = null_mut();
    // SAFETY: live handles, valid inputs.
    unsafe {
        assert_eq!(tessera_key_public(f.key, &mut public), TesseraResult::OK);
        assert_eq!(
            tessera_issuer_new(
                POLICY.as_ptr(),
                POLICY.len(),
                public,
                f.peppers,
                &mut issuer
            ),
            code(ErrorKind::NotPrivateKey)
        );
        assert_eq!(
            tessera_issuer_new(
                POLICY.as_ptr(),
                POLICY.len(),
                f.peppers.cast(),
                f.peppers,
                &mut issuer
            ),
            code(ErrorKind::WrongHandle)
        );
        let bad = r#"{"issuer":"https://as.example","audiences":["api"],"surprise":1}"#;
        assert_eq!(
            tessera_issuer_new(bad.as_ptr(), bad.len(), f.key, f.peppers, &mut issuer),
            code(ErrorKind::InvalidJson)
        );
        let bad = r#"{"issuer":"https://as.example","audiences":["api"],"code_lifetime":0}"#;
        assert_eq!(
            tessera_issuer_new(bad.as_ptr(), bad.len(), f.key, f.peppers, &mut issuer),
            code(ErrorKind::InvalidArgument)
        );
        assert!(issuer.is_null());
        tessera_key_free(public);
        tessera_issuer_free(null_mut());
        // The wrong free function ignores the handle.
        tessera_issuer_free(f.peppers.cast());
        assert_eq!(
            tessera_issuer_locate(f.issuer, b"x".as_ptr(), 1, NOW, null_mut(), 0, &mut len),
            code(ErrorKind::BufferTooSmall)
        );
    }
}

#[test]
fn issuer_is_shared_between_threads() {
    let f = Fixture::new();
    let issuer = f.issuer as usize;
    std::thread::scope(|s| {
        for _ in 0..4 {
            let _ = s.spawn(move || {
                let issuer = issuer as *const tessera_issuer;
                // SAFETY: the issuer is live for the scope and immutable.
                let minted = call_json(|o, c, l| unsafe {
                    tessera_issuer_engine_token(
                        issuer,
                        c"read".as_ptr(),
                        c"read".as_ptr(),
                        c"t".as_ptr(),
                        c"a".as_ptr(),
                        NOW,
                        o,
                        c,
                        l,
                    )
                });
                assert!(minted.is_ok());
            });
        }
    });
}
