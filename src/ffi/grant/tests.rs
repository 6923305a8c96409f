//! Tests of the C ABI in `ffi/grant.rs`, called as a C caller would: the fixture and helpers,
//! and the flows (code, refresh, client credentials, authorize refusals, revocation). Argument
//! errors, locate and engine tokens are in `argument_tests.rs`.

use std::ptr::{null, null_mut};

use super::super::{
    call_json, call_out, tessera_key_free, tessera_key_generate, tessera_peppers_free,
    tessera_peppers_new, tessera_pkce_challenge, tessera_pkce_verifier_new,
    tessera_token_request_parse,
};
use super::*;
use crate::wire::Form;

pub(super) const NOW: i64 = 1_800_000_000;
pub(super) const POLICY: &str = r#"{"issuer":"https://as.example","audiences":["api"]}"#;
pub(super) const APP: &str = r#"{"client_id":"app","kind":"public",
    "redirect_uris":["https://app.example/cb"],"allowed_scope":"read write",
    "grant_types":["authorization_code","refresh_token"]}"#;

pub(super) fn code(kind: ErrorKind) -> TesseraResult {
    TesseraResult(kind.code())
}

pub(super) struct Fixture {
    pub(super) key: *mut tessera_key,
    pub(super) peppers: *mut tessera_peppers,
    pub(super) issuer: *mut tessera_issuer,
}

impl Fixture {
    pub(super) fn new() -> Fixture {
        let mut key = null_mut();
        let mut peppers = null_mut();
        let mut issuer = null_mut();
        // SAFETY: valid inputs and out-pointers.
        unsafe {
            assert_eq!(
                tessera_key_generate(c"ES256".as_ptr(), &mut key),
                TesseraResult::OK
            );
            let secret = [7u8; 32];
            assert_eq!(
                tessera_peppers_new(c"p1".as_ptr(), secret.as_ptr(), 32, &mut peppers),
                TesseraResult::OK
            );
            assert_eq!(
                tessera_issuer_new(POLICY.as_ptr(), POLICY.len(), key, peppers, &mut issuer),
                TesseraResult::OK
            );
        }
        Fixture {
            key,
            peppers,
            issuer,
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // SAFETY: handles made in `new`, freed once.
        unsafe {
            tessera_issuer_free(self.issuer);
            tessera_peppers_free(self.peppers);
            tessera_key_free(self.key);
        }
    }
}

pub(super) fn authorize(f: &Fixture, client: &str, request: &Value) -> Value {
    let request = request.to_string();
    // SAFETY: live handle, valid inputs; buffers from `call_json`.
    call_json(|o, c, l| unsafe {
        tessera_issuer_authorize(
            f.issuer,
            client.as_ptr(),
            client.len(),
            request.as_ptr(),
            request.len(),
            c"user-42".as_ptr(),
            NOW,
            o,
            c,
            l,
        )
    })
    .unwrap()
}

pub(super) fn check_authorize(f: &Fixture, client: &str, request: &Value) -> Value {
    let request = request.to_string();
    // SAFETY: live handle, valid inputs; buffers from `call_json`.
    call_json(|o, c, l| unsafe {
        tessera_issuer_check_authorize(
            f.issuer,
            client.as_ptr(),
            client.len(),
            request.as_ptr(),
            request.len(),
            o,
            c,
            l,
        )
    })
    .unwrap()
}

pub(super) fn token(
    f: &Fixture,
    client: &str,
    state: Option<&Value>,
    body: &str,
    now: i64,
) -> Value {
    // SAFETY: valid inputs; buffers from `call_json`.
    let parsed = call_json(|o, c, l| unsafe {
        tessera_token_request_parse(body.as_ptr(), body.len(), null(), o, c, l)
    })
    .unwrap();
    let auth = parsed["client_auth"].to_string();
    let request = parsed["request"].to_string();
    let state = state.map(Value::to_string).unwrap_or_default();
    // SAFETY: as above.
    call_json(|o, c, l| unsafe {
        tessera_issuer_token(
            f.issuer,
            client.as_ptr(),
            client.len(),
            auth.as_ptr(),
            auth.len(),
            state.as_ptr(),
            state.len(),
            request.as_ptr(),
            request.len(),
            now,
            o,
            c,
            l,
        )
    })
    .unwrap()
}

pub(super) fn locate(f: &Fixture, token: &str, now: i64) -> Value {
    // SAFETY: as above.
    call_json(|o, c, l| unsafe {
        tessera_issuer_locate(f.issuer, token.as_ptr(), token.len(), now, o, c, l)
    })
    .unwrap()
}

pub(super) fn introspect(f: &Fixture, state: &Value, token: &str, now: i64) -> Value {
    let state = state.to_string();
    // SAFETY: as above.
    call_json(|o, c, l| unsafe {
        tessera_issuer_introspect(
            f.issuer,
            state.as_ptr(),
            state.len(),
            token.as_ptr(),
            token.len(),
            now,
            o,
            c,
            l,
        )
    })
    .unwrap()
}

pub(super) fn param(location: &str, name: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    Form::parse(query.as_bytes())
        .ok()?
        .get(name)
        .map(str::to_owned)
}

pub(super) fn pkce_pair() -> (String, String) {
    // SAFETY: buffers from `call_out`.
    let verifier = call_out(|o, c, l| unsafe { tessera_pkce_verifier_new(o, c, l) }).unwrap();
    // SAFETY: as above.
    let challenge = call_out(|o, c, l| unsafe {
        tessera_pkce_challenge(verifier.as_ptr(), verifier.len(), o, c, l)
    })
    .unwrap();
    (
        String::from_utf8(verifier).unwrap(),
        String::from_utf8(challenge).unwrap(),
    )
}

pub(super) fn code_request(challenge: &str) -> Value {
    json!({"response_type": "code", "client_id": "app",
           "redirect_uri": "https://app.example/cb", "scope": "read", "state": "xyz",
           "code_challenge": challenge, "code_challenge_method": "S256"})
}

#[test]
fn code_flow_refresh_replay_and_introspection() {
    let f = Fixture::new();
    let (verifier, challenge) = pkce_pair();
    let request = code_request(&challenge);

    // Before consent: the scope to show.
    let checked = check_authorize(&f, APP, &request);
    assert_eq!(checked["outcome"], "ok");
    assert_eq!(checked["scope"], "read");

    let granted = authorize(&f, APP, &request);
    assert_eq!(granted["outcome"], "granted", "{granted}");
    assert_eq!(granted["error"], Value::Null);
    assert_eq!(granted["redirect"]["mode"], "query");
    assert_eq!(
        granted["redirect"]["redirect_uri"],
        "https://app.example/cb"
    );
    let location = granted["redirect"]["location"].as_str().unwrap();
    assert_eq!(param(location, "state").as_deref(), Some("xyz"));
    assert_eq!(
        param(location, "iss").as_deref(),
        Some("https://as.example")
    );
    let auth_code = param(location, "code").unwrap();
    let state = &granted["state"];
    assert_eq!(state["v"], 1);
    assert_eq!(state["version"], 1);
    let family = state["family_id"].as_str().unwrap();
    let effects = granted["effects"].as_array().unwrap();
    assert_eq!(effects.len(), 1);
    assert_eq!(effects[0]["effect"], "index");
    assert_eq!(effects[0]["kind"], "ac");
    assert_eq!(effects[0]["family_id"], family);

    // The host finds the family of the code through the index.
    let located = locate(&f, &auth_code, NOW + 1);
    assert_eq!(located["locator"], "lookup");
    assert_eq!(located["kind"], "ac");
    assert_eq!(located["lookup"], effects[0]["lookup"]);

    let body = format!(
        "grant_type=authorization_code&code={auth_code}&code_verifier={verifier}\
         &client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
    );
    let redeemed = token(&f, APP, Some(state), &body, NOW + 5);
    assert_eq!(redeemed["ok"], true, "{redeemed}");
    assert_eq!(redeemed["error"], Value::Null);
    let response = &redeemed["response"];
    assert_eq!(response["token_type"], "Bearer");
    assert_eq!(response["expires_in"], 300);
    assert_eq!(response["scope"], "read");
    let access = response["access_token"].as_str().unwrap().to_owned();
    let refresh = response["refresh_token"].as_str().unwrap().to_owned();
    let state = redeemed["state"].clone();
    assert_eq!(state["version"], 2);
    assert_eq!(redeemed["effects"][0]["effect"], "index");
    assert_eq!(redeemed["effects"][0]["kind"], "rt");

    // An access token names its family.
    let located = locate(&f, &access, NOW + 6);
    assert_eq!(located["locator"], "family");
    assert_eq!(located["family_id"], family);

    let active = introspect(&f, &state, &access, NOW + 10);
    assert_eq!(active["active"], true);
    assert_eq!(active["client_id"], "app");
    assert_eq!(active["sub"], "user-42");
    assert_eq!(active["token_type"], "Bearer");
    let active = introspect(&f, &state, &refresh, NOW + 10);
    assert_eq!(active["active"], true);
    assert_eq!(active["scope"], "read");

    // Refresh rotates.
    let body = format!("grant_type=refresh_token&refresh_token={refresh}&client_id=app");
    let rotated = token(&f, APP, Some(&state), &body, NOW + 60);
    assert_eq!(rotated["ok"], true, "{rotated}");
    assert!(rotated["response"]["refresh_token"].is_string());
    let state = rotated["state"].clone();
    assert_eq!(state["version"], 3);

    // A replayed code is refused *and* revokes the family: state and effects to persist.
    let body = format!(
        "grant_type=authorization_code&code={auth_code}&code_verifier={verifier}\
         &client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
    );
    let replay = token(&f, APP, Some(&state), &body, NOW + 70);
    assert_eq!(replay["ok"], false);
    assert_eq!(replay["response"], Value::Null);
    let error = &replay["error"];
    assert_eq!(error["code"], ErrorKind::OauthInvalidGrant.code());
    assert_eq!(error["name"], "oauth_invalid_grant");
    assert_eq!(error["error"], "invalid_grant");
    assert_eq!(error["status"], 400);
    assert_eq!(error["www_authenticate"], Value::Null);
    assert!(error["description"].is_string());
    assert_eq!(replay["state"]["version"], 4);
    assert_eq!(replay["state"]["status"]["state"], "revoked");
    let effect = &replay["effects"][0];
    assert_eq!(effect["effect"], "revoke_family");
    assert_eq!(effect["reason"], "code_replay");
    assert_eq!(effect["access_tokens"].as_array().unwrap().len(), 2);

    // Everything of a revoked family is inactive: exactly {"active":false}.
    let state = replay["state"].clone();
    let text = state.to_string();
    // SAFETY: live handle; buffers from `call_out`.
    let raw = call_out(|o, c, l| unsafe {
        tessera_issuer_introspect(
            f.issuer,
            text.as_ptr(),
            text.len(),
            access.as_ptr(),
            access.len(),
            NOW + 80,
            o,
            c,
            l,
        )
    })
    .unwrap();
    assert_eq!(raw, br#"{"active":false}"#);
    // No state, junk, non-UTF-8: inactive too.
    // SAFETY: as above.
    let raw = call_out(|o, c, l| unsafe {
        tessera_issuer_introspect(f.issuer, null(), 0, b"\xff".as_ptr(), 1, NOW, o, c, l)
    })
    .unwrap();
    assert_eq!(raw, br#"{"active":false}"#);
}

#[test]
fn client_credentials_and_client_authentication() {
    let f = Fixture::new();
    let secret = "s3cret-value";
    // SAFETY: live handle; buffers from `call_out`.
    let hash = call_out(|o, c, l| unsafe {
        tessera_client_secret_hash(f.peppers, secret.as_ptr(), secret.len(), o, c, l)
    })
    .unwrap();
    let hash = String::from_utf8(hash).unwrap();
    assert!(hash.starts_with("p1:"));
    let svc = json!({"client_id": "svc", "kind": "confidential", "allowed_scope": "read write",
                     "default_scope": "read", "grant_types": ["client_credentials"],
                     "secret_hash": hash})
    .to_string();

    let ok = token(
        &f,
        &svc,
        None,
        "grant_type=client_credentials&scope=write&client_id=svc&client_secret=s3cret-value",
        NOW,
    );
    assert_eq!(ok["ok"], true, "{ok}");
    assert_eq!(ok["response"]["scope"], "write");
    assert_eq!(ok["response"].get("refresh_token"), None);
    assert_eq!(ok["state"]["kind"], "client_credentials");

    // Wrong secret in the body: invalid_client, 401 with the Basic challenge all the same
    // (RFC 9110 §15.5.2, RFC 6749 §5.2), nothing to persist.
    let bad = token(
        &f,
        &svc,
        None,
        "grant_type=client_credentials&client_id=svc&client_secret=wrong",
        NOW,
    );
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["error"]["error"], "invalid_client");
    assert_eq!(bad["error"]["status"], 401);
    assert_eq!(
        bad["error"]["www_authenticate"],
        r#"Basic realm="https://as.example""#
    );
    assert_eq!(bad["state"], Value::Null);
    assert_eq!(bad["effects"], json!([]));

    // Wrong secret over HTTP Basic: the Basic challenge comes with it.
    let auth = json!({"method": "client_secret_basic", "client_id": "svc",
                      "client_secret": "wrong"})
    .to_string();
    let request = r#"{"grant_type":"client_credentials"}"#;
    // SAFETY: live handle, valid inputs; buffers from `call_json`.
    let bad = call_json(|o, c, l| unsafe {
        tessera_issuer_token(
            f.issuer,
            svc.as_ptr(),
            svc.len(),
            auth.as_ptr(),
            auth.len(),
            null(),
            0,
            request.as_ptr(),
            request.len(),
            NOW,
            o,
            c,
            l,
        )
    })
    .unwrap();
    assert_eq!(
        bad["error"]["www_authenticate"],
        r#"Basic realm="https://as.example""#
    );

    // Unknown client: (NULL, 0) registration.
    let unknown = token(
        &f,
        "",
        None,
        "grant_type=client_credentials&client_id=who&client_secret=x",
        NOW,
    );
    assert_eq!(unknown["error"]["error"], "invalid_client");
    assert_eq!(
        unknown["error"]["www_authenticate"],
        r#"Basic realm="https://as.example""#
    );
    // A confidential client that sent no secret at all: the same 401 with its challenge.
    let none = token(
        &f,
        &svc,
        None,
        "grant_type=client_credentials&client_id=svc",
        NOW,
    );
    assert_eq!(
        (&none["error"]["status"], &none["error"]["www_authenticate"]),
        (&json!(401), &json!(r#"Basic realm="https://as.example""#))
    );

    // A secret that HTTP cannot carry is refused when hashed.
    let mut len = 0usize;
    // SAFETY: valid inputs.
    unsafe {
        assert_eq!(
            tessera_client_secret_hash(f.peppers, b"a\nb".as_ptr(), 3, null_mut(), 0, &mut len),
            code(ErrorKind::InvalidArgument)
        );
        assert_eq!(
            tessera_client_secret_hash(f.peppers, null(), 0, null_mut(), 0, &mut len),
            code(ErrorKind::InvalidArgument)
        );
        assert_eq!(
            tessera_client_secret_hash(f.issuer.cast(), b"x".as_ptr(), 1, null_mut(), 0, &mut len),
            code(ErrorKind::WrongHandle)
        );
    }
}

#[test]
fn authorize_refusals() {
    let f = Fixture::new();
    let (_, challenge) = pkce_pair();

    // An unknown client is fatal: never redirect.
    let fatal = authorize(&f, "", &code_request(&challenge));
    assert_eq!(fatal["outcome"], "fatal");
    assert_eq!(fatal["redirect"], Value::Null);
    assert_eq!(fatal["error"]["error"], "invalid_request");

    // An unregistered redirect URI too.
    let mut request = code_request(&challenge);
    request["redirect_uri"] = json!("https://evil.example/cb");
    assert_eq!(authorize(&f, APP, &request)["outcome"], "fatal");

    // A scope the client may not have: redirected with invalid_scope.
    let mut request = code_request(&challenge);
    request["scope"] = json!("admin");
    let rejected = authorize(&f, APP, &request);
    assert_eq!(rejected["outcome"], "rejected");
    assert_eq!(rejected["state"], Value::Null);
    let location = rejected["redirect"]["location"].as_str().unwrap();
    assert_eq!(param(location, "error").as_deref(), Some("invalid_scope"));
    assert_eq!(rejected["error"]["error"], "invalid_scope");
    assert_eq!(param(location, "state").as_deref(), Some("xyz"));

    // A public client without PKCE: invalid_request by redirect.
    let mut request = code_request(&challenge);
    let _ = request.as_object_mut().unwrap().remove("code_challenge");
    let _ = request
        .as_object_mut()
        .unwrap()
        .remove("code_challenge_method");
    let rejected = authorize(&f, APP, &request);
    assert_eq!(rejected["outcome"], "rejected");
    assert_eq!(rejected["error"]["error"], "invalid_request");

    // check_authorize reports refusals in the same shape.
    let checked = check_authorize(&f, APP, &request);
    assert_eq!(checked["outcome"], "rejected");
    assert_eq!(checked["scope"], Value::Null);

    // The user said no.
    let text = code_request(&challenge).to_string();
    // SAFETY: as above.
    let denied = call_json(|o, c, l| unsafe {
        tessera_issuer_deny(
            f.issuer,
            APP.as_ptr(),
            APP.len(),
            text.as_ptr(),
            text.len(),
            o,
            c,
            l,
        )
    })
    .unwrap();
    assert_eq!(denied["outcome"], "rejected");
    assert_eq!(denied["error"]["error"], "access_denied");
    let location = denied["redirect"]["location"].as_str().unwrap();
    assert_eq!(param(location, "error").as_deref(), Some("access_denied"));
}

#[test]
fn revocation() {
    let f = Fixture::new();
    let (verifier, challenge) = pkce_pair();
    let granted = authorize(&f, APP, &code_request(&challenge));
    let location = granted["redirect"]["location"].as_str().unwrap();
    let auth_code = param(location, "code").unwrap();
    let body = format!(
        "grant_type=authorization_code&code={auth_code}&code_verifier={verifier}\
         &client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
    );
    let redeemed = token(&f, APP, Some(&granted["state"]), &body, NOW + 5);
    let refresh = redeemed["response"]["refresh_token"].as_str().unwrap();
    let state = redeemed["state"].to_string();
    let auth = r#"{"method":"none","client_id":"app"}"#;

    let revoke = |client: &str, auth: &str, token: &[u8]| {
        // SAFETY: live handle, valid inputs; buffers from `call_json`.
        call_json(|o, c, l| unsafe {
            tessera_issuer_revoke(
                f.issuer,
                client.as_ptr(),
                client.len(),
                auth.as_ptr(),
                auth.len(),
                state.as_ptr(),
                state.len(),
                token.as_ptr(),
                token.len(),
                NOW + 10,
                o,
                c,
                l,
            )
        })
        .unwrap()
    };
    let revoked = revoke(APP, auth, refresh.as_bytes());
    assert_eq!(revoked["ok"], true);
    assert_eq!(revoked["state"]["status"]["state"], "revoked");
    assert_eq!(revoked["effects"][0]["effect"], "revoke_family");
    assert_eq!(revoked["effects"][0]["reason"], "client_request");

    // Unknown and non-UTF-8 tokens: 200, nothing changes.
    for junk in [&b"nonsense"[..], b"\xff\xfe"] {
        let nothing = revoke(APP, auth, junk);
        assert_eq!(nothing["ok"], true);
        assert_eq!(nothing["state"], Value::Null);
        assert_eq!(nothing["effects"], json!([]));
    }
    // Unknown client: invalid_client.
    let refused = revoke("", auth, refresh.as_bytes());
    assert_eq!(refused["ok"], false);
    assert_eq!(refused["error"]["status"], 401);

    // Host-initiated revocation.
    // SAFETY: live handle, valid inputs.
    let family = call_json(|o, c, l| unsafe {
        tessera_issuer_revoke_family(f.issuer, state.as_ptr(), state.len(), NOW + 10, o, c, l)
    })
    .unwrap();
    assert_eq!(family["effects"][0]["reason"], "host");
    let revoked_state = family["state"].to_string();
    // SAFETY: as above.
    let again = call_json(|o, c, l| unsafe {
        tessera_issuer_revoke_family(
            f.issuer,
            revoked_state.as_ptr(),
            revoked_state.len(),
            NOW + 11,
            o,
            c,
            l,
        )
    })
    .unwrap();
    assert_eq!(again, json!({"state": null, "effects": []}));
}

/// `tessera_issuer_token_bound`: the result code and, on success, the outcome.
pub(super) fn token_bound(
    f: &Fixture,
    client: &str,
    state: Option<&Value>,
    body: &str,
    cnf: Option<&str>,
    now: i64,
) -> Result<Value, u32> {
    // SAFETY: valid inputs; buffers from `call_json`.
    let parsed = call_json(|o, c, l| unsafe {
        tessera_token_request_parse(body.as_ptr(), body.len(), null(), o, c, l)
    })
    .unwrap();
    let auth = parsed["client_auth"].to_string();
    let request = parsed["request"].to_string();
    let state = state.map(Value::to_string).unwrap_or_default();
    let (cnf_ptr, cnf_len) = cnf.map_or((null(), 0), |c| (c.as_ptr(), c.len()));
    // SAFETY: as above.
    call_json(|o, c, l| unsafe {
        tessera_issuer_token_bound(
            f.issuer,
            client.as_ptr(),
            client.len(),
            auth.as_ptr(),
            auth.len(),
            state.as_ptr(),
            state.len(),
            request.as_ptr(),
            request.len(),
            cnf_ptr,
            cnf_len,
            now,
            o,
            c,
            l,
        )
    })
}

#[test]
fn dpop_bound_tokens_rfc9449() {
    const JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    const OTHER: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    let cnf = format!(r#"{{"jkt":"{JKT}"}}"#);
    let other = format!(r#"{{"jkt":"{OTHER}"}}"#);
    let f = Fixture::new();
    let (verifier, challenge) = pkce_pair();
    let mut request = code_request(&challenge);
    request["dpop_jkt"] = JKT.into();
    let granted = authorize(&f, APP, &request);
    assert_eq!(granted["state"]["code"]["dpop_jkt"], JKT, "{granted}");
    let location = granted["redirect"]["location"].as_str().unwrap();
    let auth_code = param(location, "code").unwrap();
    let body = format!(
        "grant_type=authorization_code&code={auth_code}&code_verifier={verifier}\
         &client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
    );
    // A malformed binding is an argument error: nothing written.
    for bad in [
        r#"{"jkt":"short"}"#,
        "{}",
        r#"{"jkt":5}"#,
        "[",
        r#"{"x":1}"#,
    ] {
        assert_eq!(
            token_bound(&f, APP, Some(&granted["state"]), &body, Some(bad), NOW + 5).unwrap_err(),
            ErrorKind::InvalidJson.code(),
            "{bad}"
        );
    }
    // Another key: invalid_grant, the code burned (a new state to save).
    let refused = token_bound(
        &f,
        APP,
        Some(&granted["state"]),
        &body,
        Some(&other),
        NOW + 5,
    )
    .unwrap();
    assert_eq!(refused["ok"], false);
    assert_eq!(refused["error"]["error"], "invalid_grant");
    assert_eq!(refused["state"]["code"]["status"], "revoked");
    // The unbound shortcut is the same as (NULL, 0): no key, refused.
    let refused = token(&f, APP, Some(&granted["state"]), &body, NOW + 5);
    assert_eq!(refused["error"]["error"], "invalid_grant");
    // The right key.
    let redeemed =
        token_bound(&f, APP, Some(&granted["state"]), &body, Some(&cnf), NOW + 5).unwrap();
    assert_eq!(redeemed["ok"], true, "{redeemed}");
    assert_eq!(redeemed["response"]["token_type"], "DPoP");
    let state = redeemed["state"].clone();
    assert_eq!(state["dpop_jkt"], JKT);
    let access = redeemed["response"]["access_token"].as_str().unwrap();
    let info = introspect(&f, &state, access, NOW + 6);
    assert_eq!(info["active"], true);
    assert_eq!(info["token_type"], "DPoP");
    assert_eq!(info["cnf"], json!({ "jkt": JKT }));
    // The public client's refresh token is bound to the key.
    let refresh = redeemed["response"]["refresh_token"].as_str().unwrap();
    let body = format!("grant_type=refresh_token&refresh_token={refresh}&client_id=app");
    for binding in [None, Some(other.as_str())] {
        let out = token_bound(&f, APP, Some(&state), &body, binding, NOW + 7).unwrap();
        assert_eq!(out["error"]["error"], "invalid_grant", "{out}");
        assert_eq!((&out["state"], &out["effects"]), (&Value::Null, &json!([])));
    }
    let out = token_bound(&f, APP, Some(&state), &body, Some(&cnf), NOW + 7).unwrap();
    assert_eq!(out["response"]["token_type"], "DPoP", "{out}");

    // dpop_bound_access_tokens: no proof, invalid_dpop_proof (400) and no change.
    let svc = r#"{"client_id":"svc","kind":"public","allowed_scope":"read",
        "default_scope":"read","grant_types":["authorization_code"],
        "redirect_uris":["https://svc.example/cb"],"dpop_bound_access_tokens":true}"#;
    let out = token_bound(
        &f,
        svc,
        Some(&granted["state"]),
        "grant_type=authorization_code&code=x&client_id=svc",
        None,
        NOW,
    )
    .unwrap();
    assert_eq!(out["ok"], false);
    assert_eq!(out["error"]["code"], ErrorKind::DpopProofRequired.code());
    assert_eq!(out["error"]["error"], "invalid_dpop_proof");
    assert_eq!(out["error"]["status"], 400);
    assert_eq!(out["error"]["www_authenticate"], Value::Null);
    assert_eq!((&out["state"], &out["effects"]), (&Value::Null, &json!([])));
}
