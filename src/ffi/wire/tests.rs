//! Tests of the C ABI in `ffi/wire.rs`, called as a C caller would.

use std::ptr::{null, null_mut};

use super::super::{call_json, call_out};
use super::*;

fn code(kind: ErrorKind) -> u32 {
    kind.code()
}

fn form(body: &str) -> Result<Value, u32> {
    // SAFETY: valid input; buffers from `call_json`.
    call_json(|o, c, l| unsafe { tessera_form_parse(body.as_ptr(), body.len(), o, c, l) })
}

#[test]
fn forms() {
    assert_eq!(
        form("a=1&b=x+y&c=&d=%3A").unwrap(),
        json!({"a": "1", "b": "x y", "d": ":"})
    );
    assert_eq!(form("").unwrap(), json!({}));
    assert_eq!(
        form("a=1&a=2").unwrap_err(),
        code(ErrorKind::OauthInvalidRequest)
    );
    assert_eq!(
        form("a=%zz").unwrap_err(),
        code(ErrorKind::OauthInvalidRequest)
    );
    let mut len = 0usize;
    // SAFETY: NULL with a length.
    let r = unsafe { tessera_form_parse(null(), 4, null_mut(), 0, &mut len) };
    assert_eq!(r, TesseraResult(code(ErrorKind::NullPointer)));
}

#[test]
fn requests() {
    let q =
        "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=xyz";
    // SAFETY: valid inputs; buffers from `call_json`.
    let got = call_json(|o, c, l| unsafe {
        tessera_authorize_request_parse(q.as_ptr(), q.len(), o, c, l)
    });
    assert_eq!(
        got.unwrap(),
        json!({"response_type": "code", "client_id": "app",
               "redirect_uri": "https://app.example/cb", "state": "xyz"})
    );
    let q = "response_type=code";
    // SAFETY: as above.
    let got = call_json(|o, c, l| unsafe {
        tessera_authorize_request_parse(q.as_ptr(), q.len(), o, c, l)
    });
    assert_eq!(got.unwrap_err(), code(ErrorKind::OauthInvalidRequest));

    let basic = c"Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3";
    let token = |body: &str, header: Option<&std::ffi::CStr>| {
        let header = header.map_or(null(), |h| h.as_ptr());
        // SAFETY: as above.
        call_json(|o, c, l| unsafe {
            tessera_token_request_parse(body.as_ptr(), body.len(), header, o, c, l)
        })
    };
    assert_eq!(
        token("grant_type=client_credentials&scope=a+b", Some(basic)).unwrap(),
        json!({"request": {"grant_type": "client_credentials", "scope": "a b"},
               "client_auth": {"method": "client_secret_basic", "client_id": "s6BhdRkqt3",
                               "client_secret": "7Fjfp0ZBr1KtDRbnfVdmIw"}})
    );
    assert_eq!(
        token(
            "grant_type=refresh_token&refresh_token=r&client_id=app",
            None
        )
        .unwrap(),
        json!({"request": {"grant_type": "refresh_token", "refresh_token": "r"},
               "client_auth": {"method": "none", "client_id": "app"}})
    );
    assert_eq!(
        token("grant_type=client_credentials&client_secret=x", Some(basic)).unwrap_err(),
        code(ErrorKind::OauthInvalidRequest)
    );
    assert_eq!(
        token("grant_type=client_credentials", Some(c"Bearer abc")).unwrap_err(),
        code(ErrorKind::OauthInvalidClient)
    );
    assert_eq!(
        token("grant_type=password&client_id=app", None).unwrap_err(),
        code(ErrorKind::OauthUnsupportedGrantType)
    );
    assert_eq!(
        token("grant_type=client_credentials", None).unwrap_err(),
        code(ErrorKind::OauthInvalidClient)
    );

    let body = "token=abc&token_type_hint=refresh_token&client_id=app&client_secret=s";
    // SAFETY: as above.
    let got = call_json(|o, c, l| unsafe {
        tessera_revocation_request_parse(body.as_ptr(), body.len(), null(), o, c, l)
    });
    assert_eq!(
        got.unwrap(),
        json!({"request": {"token": "abc", "token_type_hint": "refresh_token"},
               "client_auth": {"method": "client_secret_post", "client_id": "app",
                               "client_secret": "s"}})
    );
    let body = "token=abc";
    // SAFETY: as above.
    let got = call_json(|o, c, l| unsafe {
        tessera_introspection_request_parse(body.as_ptr(), body.len(), o, c, l)
    });
    assert_eq!(got.unwrap(), json!({"token": "abc"}));
    let body = "token_type_hint=x";
    // SAFETY: as above.
    let got = call_json(|o, c, l| unsafe {
        tessera_introspection_request_parse(body.as_ptr(), body.len(), o, c, l)
    });
    assert_eq!(got.unwrap_err(), code(ErrorKind::OauthInvalidRequest));
}

#[test]
fn bearer() {
    let read = |header: *const c_char| {
        // SAFETY: NUL-terminated or NULL header; buffers from `call_out`.
        call_out(|o, c, l| unsafe { tessera_bearer_token(header, o, c, l) })
    };
    assert_eq!(
        read(c"Bearer mF_9.B5f-4.1JqM".as_ptr()).unwrap(),
        b"mF_9.B5f-4.1JqM"
    );
    assert_eq!(read(null()).unwrap(), b"");
    assert_eq!(read(c"".as_ptr()).unwrap(), b"");
    assert_eq!(read(c"Basic Zm9vOmJhcg==".as_ptr()).unwrap(), b"");
    assert_eq!(
        read(c"Bearer a,b".as_ptr()).unwrap_err(),
        code(ErrorKind::OauthInvalidRequest)
    );
    // SAFETY: as above.
    let challenge =
        call_out(|o, c, l| unsafe { tessera_bearer_challenge(c"api".as_ptr(), o, c, l) });
    assert_eq!(challenge.unwrap(), br#"Bearer realm="api""#);
    // SAFETY: NULL realm.
    let r = unsafe { tessera_bearer_challenge(null(), null_mut(), 0, null_mut()) };
    assert_eq!(r, TesseraResult(code(ErrorKind::NullPointer)));
}

#[test]
fn error_responses() {
    let response = |c: u32, d: *const c_char, realm: *const c_char| {
        // SAFETY: NULL or NUL-terminated strings; buffers from `call_json`.
        call_json(|o, cap, l| unsafe { tessera_error_response(c, d, realm, o, cap, l) })
    };
    let v = response(
        code(ErrorKind::OauthInvalidClient),
        c"unknown client".as_ptr(),
        c"as".as_ptr(),
    )
    .unwrap();
    assert_eq!(v["status"], 401);
    assert_eq!(
        v["body"],
        json!({"error": "invalid_client", "error_description": "unknown client"})
    );
    let headers = v["headers"].as_array().unwrap();
    assert!(headers.contains(&json!(["Cache-Control", "no-store"])));
    assert!(headers.contains(&json!(["WWW-Authenticate", "Basic realm=\"as\""])));
    // Every 401 carries a challenge: no realm, no 401 response.
    for kind in [ErrorKind::OauthInvalidClient, ErrorKind::OauthInvalidToken] {
        assert_eq!(
            response(code(kind), null(), null()).unwrap_err(),
            code(ErrorKind::InvalidArgument)
        );
    }
    let v = response(code(ErrorKind::OauthInvalidToken), null(), c"as".as_ptr()).unwrap();
    assert!(v["headers"].as_array().unwrap().contains(&json!([
        "WWW-Authenticate",
        "Bearer realm=\"as\", error=\"invalid_token\""
    ])));
    // Non-OAuth codes are mapped; no description, no challenge for other errors.
    let v = response(code(ErrorKind::PkceMismatch), null(), c"as".as_ptr()).unwrap();
    assert_eq!(v["status"], 400);
    assert_eq!(v["body"], json!({"error": "invalid_grant"}));
    assert_eq!(v["headers"].as_array().unwrap().len(), 3);
    let v = response(code(ErrorKind::Panic), c"secret detail".as_ptr(), null()).unwrap();
    assert_eq!(v["status"], 500);
    assert_eq!(v["body"]["error"], "server_error");
    assert_eq!(
        response(0, null(), null()).unwrap_err(),
        code(ErrorKind::InvalidArgument)
    );
    assert_eq!(
        response(9999, null(), null()).unwrap_err(),
        code(ErrorKind::InvalidArgument)
    );

    let resource = |c: u32, scope: *const c_char| {
        // SAFETY: as above.
        call_json(|o, cap, l| unsafe {
            tessera_resource_error_response(c, null(), c"api".as_ptr(), scope, o, cap, l)
        })
    };
    let v = resource(code(ErrorKind::Expired), null()).unwrap();
    assert_eq!(v["status"], 401);
    assert_eq!(v["body"], json!({"error": "invalid_token"}));
    assert!(v["headers"].as_array().unwrap().contains(&json!([
        "WWW-Authenticate",
        "Bearer realm=\"api\", error=\"invalid_token\""
    ])));
    let v = resource(code(ErrorKind::ScopeNotGranted), c"job:write".as_ptr()).unwrap();
    assert_eq!(v["status"], 403);
    assert!(v["headers"].as_array().unwrap().contains(&json!([
        "WWW-Authenticate",
        "Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"job:write\""
    ])));
}

#[test]
fn redirects() {
    let build = |base: &std::ffi::CStr, params: &str, mode: *const c_char| {
        // SAFETY: valid inputs; buffers from `call_out`.
        call_out(|o, c, l| unsafe {
            tessera_redirect_uri(base.as_ptr(), params.as_ptr(), params.len(), mode, o, c, l)
        })
        .map(|b| String::from_utf8(b).unwrap())
    };
    assert_eq!(
        build(
            c"https://c.example/cb?t=7",
            r#"{"state":"x y","code":"c"}"#,
            null()
        )
        .unwrap(),
        "https://c.example/cb?t=7&state=x+y&code=c",
        "parameters keep the object's order"
    );
    assert_eq!(
        build(
            c"https://c.example/cb",
            r#"{"access_token":"a"}"#,
            c"fragment".as_ptr()
        )
        .unwrap(),
        "https://c.example/cb#access_token=a"
    );
    assert_eq!(
        build(c"https://c.example/cb", "", null()).unwrap(),
        "https://c.example/cb"
    );
    assert_eq!(
        build(c"https://c.example/cb", r#"{"a":"1","a":"2"}"#, null()).unwrap_err(),
        code(ErrorKind::InvalidJson)
    );
    assert_eq!(
        build(c"https://c.example/cb", r#"{"a":1}"#, null()).unwrap_err(),
        code(ErrorKind::InvalidJson)
    );
    assert_eq!(
        build(c"https://c.example/cb", r#"["a"]"#, null()).unwrap_err(),
        code(ErrorKind::InvalidJson)
    );
    assert_eq!(
        build(c"https://c.example/cb#f", "{}", null()).unwrap_err(),
        code(ErrorKind::InvalidArgument)
    );
    assert_eq!(
        build(c"https://c.example/cb", "{}", c"form_post".as_ptr()).unwrap_err(),
        code(ErrorKind::InvalidArgument)
    );
    let mut yes = false;
    // SAFETY: NUL-terminated strings, valid out-pointer.
    unsafe {
        assert_eq!(
            tessera_redirect_uri_matches(
                c"http://127.0.0.1/cb".as_ptr(),
                c"http://127.0.0.1:5000/cb".as_ptr(),
                &mut yes
            ),
            TesseraResult::OK
        );
        assert!(yes);
        assert_eq!(
            tessera_redirect_uri_matches(
                c"https://a.example/cb".as_ptr(),
                c"https://a.example/cb/".as_ptr(),
                &mut yes
            ),
            TesseraResult::OK
        );
        assert!(!yes);
        assert_eq!(
            tessera_redirect_uri_matches(null(), c"x".as_ptr(), &mut yes),
            TesseraResult(code(ErrorKind::NullPointer))
        );
    }
}

#[test]
fn metadata() {
    let normalise = |json: &str| {
        // SAFETY: valid input; buffers from `call_out`.
        call_out(|o, c, l| unsafe { tessera_server_metadata(json.as_ptr(), json.len(), o, c, l) })
            .map(|b| String::from_utf8(b).unwrap())
    };
    assert_eq!(
        normalise(r#"{"response_types_supported":["code"],"scopes_supported":[],"issuer":"https://as.example","x":1}"#)
            .unwrap(),
        r#"{"issuer":"https://as.example","response_types_supported":["code"],"x":1}"#
    );
    assert_eq!(
        normalise(r#"{"issuer":"http://as.example","response_types_supported":["code"]}"#)
            .unwrap_err(),
        code(ErrorKind::InvalidArgument)
    );
    assert_eq!(
        normalise(r#"{"issuer":"https://as.example"}"#).unwrap_err(),
        code(ErrorKind::InvalidArgument)
    );
    assert_eq!(
        normalise(r#"{"issuer":7}"#).unwrap_err(),
        code(ErrorKind::InvalidJson)
    );
    assert_eq!(normalise("{").unwrap_err(), code(ErrorKind::InvalidJson));
}

#[test]
fn metadata_url() {
    let url = |issuer: *const c_char| {
        // SAFETY: NUL-terminated or NULL input; buffers from `call_out`.
        call_out(|o, c, l| unsafe { tessera_server_metadata_url(issuer, o, c, l) })
            .map(|b| String::from_utf8(b).unwrap())
    };
    assert_eq!(
        url(c"http://127.0.0.1:8000/tenants/beta/".as_ptr()).unwrap(),
        "http://127.0.0.1:8000/.well-known/oauth-authorization-server/tenants/beta/"
    );
    assert_eq!(
        url(c"https://as.example".as_ptr()).unwrap(),
        "https://as.example/.well-known/oauth-authorization-server"
    );
    assert_eq!(
        url(c"https://as.example/t?x".as_ptr()).unwrap_err(),
        code(ErrorKind::InvalidArgument)
    );
    assert_eq!(url(null()).unwrap_err(), code(ErrorKind::NullPointer));
    let long = std::ffi::CString::new(format!("https://as.example/{}", "a".repeat(9000))).unwrap();
    assert_eq!(url(long.as_ptr()).unwrap_err(), code(ErrorKind::TooLarge));
}

#[test]
fn access_token_scheme_rfc9449_7_1() {
    let read = |header: *const c_char| {
        let dpop = std::cell::Cell::new(false);
        // SAFETY: NUL-terminated or NULL header; buffers from `call_out`.
        let token = call_out(|o, c, l| unsafe {
            let mut is_dpop = false;
            let r = tessera_access_token(header, &mut is_dpop, o, c, l);
            if r == TesseraResult::OK {
                dpop.set(is_dpop);
            }
            r
        });
        token.map(|t| (dpop.get(), t))
    };
    assert_eq!(
        read(c"DPoP Kz~8mXK1EalY".as_ptr()).unwrap(),
        (true, b"Kz~8mXK1EalY".to_vec())
    );
    assert_eq!(
        read(c"bearer mF_9.B5f-4.1JqM".as_ptr()).unwrap(),
        (false, b"mF_9.B5f-4.1JqM".to_vec())
    );
    assert_eq!(read(null()).unwrap(), (false, Vec::new()));
    assert_eq!(
        read(c"Basic Zm9vOmJhcg==".as_ptr()).unwrap(),
        (false, Vec::new())
    );
    for bad in [c"DPoP", c"DPoP a b", c"dpop a,b"] {
        assert_eq!(
            read(bad.as_ptr()).unwrap_err(),
            code(ErrorKind::OauthInvalidRequest)
        );
    }
    // `dpop` is required, and untouched on failure.
    let mut len = 0usize;
    // SAFETY: NULL `dpop`.
    let r =
        unsafe { tessera_access_token(c"DPoP x".as_ptr(), null_mut(), null_mut(), 0, &mut len) };
    assert_eq!(r, TesseraResult(code(ErrorKind::NullPointer)));
    let mut dpop = true;
    let mut buf = [0u8; 2];
    // SAFETY: a buffer too small.
    let r = unsafe {
        tessera_access_token(
            c"DPoP abcdef".as_ptr(),
            &mut dpop,
            buf.as_mut_ptr(),
            2,
            &mut len,
        )
    };
    assert_eq!(r, TesseraResult(code(ErrorKind::BufferTooSmall)));
    assert_eq!((len, buf), (6, [0, 0]));
    // SAFETY: as above.
    let r = unsafe {
        tessera_access_token(
            c"Bearer a".as_ptr(),
            &mut dpop,
            buf.as_mut_ptr(),
            2,
            &mut len,
        )
    };
    assert_eq!((r, dpop, len), (TesseraResult::OK, false, 1));
}

#[test]
fn dpop_challenges() {
    let challenge = |realm: *const c_char, algs: *const c_char, bearer: bool| {
        // SAFETY: NUL-terminated or NULL strings; buffers from `call_out`.
        call_out(|o, c, l| unsafe { tessera_dpop_challenge(realm, algs, bearer, o, c, l) })
            .map(|b| String::from_utf8(b).unwrap())
    };
    assert_eq!(
        challenge(null(), c"ES256 PS256".as_ptr(), false).unwrap(),
        r#"DPoP algs="ES256 PS256""#
    );
    assert_eq!(
        challenge(c"api".as_ptr(), c" ES256  ".as_ptr(), true).unwrap(),
        r#"DPoP realm="api", algs="ES256", Bearer realm="api""#
    );
    assert_eq!(challenge(null(), null(), false).unwrap(), "DPoP");
    assert_eq!(
        challenge(null(), null(), true).unwrap_err(),
        code(ErrorKind::InvalidArgument)
    );
    assert_eq!(
        challenge(null(), c"HS256".as_ptr(), false).unwrap_err(),
        code(ErrorKind::InvalidArgument)
    );
    assert_eq!(
        challenge(null(), c"ES256 nope".as_ptr(), false).unwrap_err(),
        code(ErrorKind::UnsupportedAlgorithm)
    );

    let resource = |c: u32, scope: *const c_char, bearer: bool| {
        // SAFETY: as above.
        call_json(|o, cap, l| unsafe {
            tessera_resource_error_response_dpop(
                c,
                c"bad".as_ptr(),
                c"api".as_ptr(),
                scope,
                c"ES256".as_ptr(),
                bearer,
                o,
                cap,
                l,
            )
        })
    };
    let header = |v: &Value| {
        v["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0] == "WWW-Authenticate")
            .map(|h| h[1].as_str().unwrap().to_owned())
    };
    let v = resource(code(ErrorKind::DpopSignature), null(), true).unwrap();
    assert_eq!(v["status"], 401);
    assert_eq!(v["body"]["error"], "invalid_dpop_proof");
    assert_eq!(
        header(&v).unwrap(),
        r#"DPoP realm="api", error="invalid_dpop_proof", error_description="bad", algs="ES256", Bearer realm="api""#
    );
    let v = resource(code(ErrorKind::DpopNonceRequired), null(), false).unwrap();
    assert_eq!(
        (v["status"].as_u64(), v["body"]["error"].as_str()),
        (Some(401), Some("use_dpop_nonce"))
    );
    assert_eq!(
        header(&v).unwrap(),
        r#"DPoP realm="api", error="use_dpop_nonce", error_description="bad", algs="ES256""#
    );
    let v = resource(code(ErrorKind::ScopeNotGranted), c"write".as_ptr(), true).unwrap();
    assert_eq!(v["status"], 403);
    let h = header(&v).unwrap();
    assert!(
        h.starts_with(r#"DPoP realm="api", error="insufficient_scope""#),
        "{h}"
    );
    assert!(h.ends_with(r#"Bearer realm="api", error="insufficient_scope", error_description="bad", scope="write""#), "{h}");
    let v = resource(code(ErrorKind::Panic), null(), true).unwrap();
    assert_eq!((v["status"].as_u64(), header(&v)), (Some(500), None));
    // SAFETY: NULL realm with bearer.
    let r = call_json(|o, cap, l| unsafe {
        tessera_resource_error_response_dpop(
            code(ErrorKind::DpopAth),
            null(),
            null(),
            null(),
            null(),
            true,
            o,
            cap,
            l,
        )
    });
    assert_eq!(r.unwrap_err(), code(ErrorKind::InvalidArgument));
    // The Bearer-only function gives DPoP errors their 401 and a challenge too.
    // SAFETY: as above.
    let v = call_json(|o, cap, l| unsafe {
        tessera_resource_error_response(
            code(ErrorKind::DpopReplay),
            null(),
            c"api".as_ptr(),
            null(),
            o,
            cap,
            l,
        )
    })
    .unwrap();
    assert_eq!(v["status"], 401);
    assert_eq!(
        header(&v).unwrap(),
        r#"DPoP realm="api", error="invalid_dpop_proof""#
    );
}

#[test]
fn metadata_sender_constraints() {
    let normalise = |json: &str| {
        // SAFETY: valid input; buffers from `call_out`.
        call_out(|o, c, l| unsafe { tessera_server_metadata(json.as_ptr(), json.len(), o, c, l) })
            .map(|b| String::from_utf8(b).unwrap())
    };
    assert_eq!(
        normalise(r#"{"tls_client_certificate_bound_access_tokens":true,"dpop_signing_alg_values_supported":["ES256"],"issuer":"https://as.example","response_types_supported":["code"]}"#).unwrap(),
        r#"{"issuer":"https://as.example","response_types_supported":["code"],"dpop_signing_alg_values_supported":["ES256"],"tls_client_certificate_bound_access_tokens":true}"#
    );
    assert_eq!(
        normalise(r#"{"tls_client_certificate_bound_access_tokens":false,"dpop_signing_alg_values_supported":[],"issuer":"https://as.example","response_types_supported":["code"]}"#).unwrap(),
        r#"{"issuer":"https://as.example","response_types_supported":["code"]}"#
    );
    assert_eq!(
        normalise(r#"{"dpop_signing_alg_values_supported":["HS256"],"issuer":"https://as.example","response_types_supported":["code"]}"#).unwrap_err(),
        code(ErrorKind::InvalidArgument)
    );
    assert_eq!(
        normalise(r#"{"tls_client_certificate_bound_access_tokens":"yes","issuer":"https://as.example","response_types_supported":["code"]}"#).unwrap_err(),
        code(ErrorKind::InvalidJson)
    );
}
