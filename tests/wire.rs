//! Integration tests for `tessera::wire`: every RFC requirement the module implements, the
//! limits at and past their boundary, and property tests for the form codec.

#![allow(clippy::unwrap_used, clippy::panic)]

use base64::Engine as _;
use proptest::prelude::*;
use tessera::jwt::Algorithm;
use tessera::wire::{
    AuthScheme, AuthorizeErrorRedirect, AuthorizeRequest, ClientAuth, ErrorResponse, Form,
    IntrospectionRequest, MAX_FORM_BYTES, MAX_FORM_PARAMS, MAX_HEADER_BYTES, MAX_PARAM_NAME_BYTES,
    MAX_URI_BYTES, ResponseMode, RevocationRequest, ServerMetadata, TokenRequest, TokenResponse,
    access_token, basic_credentials, bearer_challenge, bearer_token, client_auth, dpop_challenge,
    encode_form, parse_redirect_uri, redirect_uri_matches, redirect_with, resource_error_for,
    scope_if_different,
};
use tessera::{Error, ErrorKind};

fn form(body: &str) -> Form {
    Form::parse(body.as_bytes()).unwrap()
}

fn basic_header(encoded_id: &str, encoded_secret: &str) -> String {
    let raw = format!("{encoded_id}:{encoded_secret}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// The wire answer (code, status) for an error at the token endpoint.
fn answer(err: &Error) -> (&'static str, u16) {
    let response = ErrorResponse::from_error(err);
    (response.error(), response.http_status())
}

// ---- RFC 6749 §3.1 / §3.2: parameters -----------------------------------------------------------

#[test]
fn duplicate_parameter_is_invalid_request_400() {
    let err = Form::parse(b"grant_type=client_credentials&scope=a&scope=b").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest);
    assert!(
        err.detail().contains("scope"),
        "detail names the parameter: {err:?}"
    );
    assert_eq!(answer(&err), ("invalid_request", 400));
    let body = ErrorResponse::from_error(&err).to_json();
    assert!(
        body.starts_with(r#"{"error":"invalid_request","error_description":"#),
        "{body}"
    );
}

#[test]
fn empty_parameter_is_omitted() {
    let f = form("grant_type=authorization_code&code=abc&redirect_uri=&code_verifier=");
    assert_eq!(f.get("redirect_uri"), None);
    let req = TokenRequest::from_form(&f).unwrap();
    assert_eq!(
        req,
        TokenRequest::AuthorizationCode {
            code: "abc".into(),
            redirect_uri: None,
            code_verifier: None,
            client_id: None,
        }
    );
    // A required parameter sent empty is missing.
    let err =
        TokenRequest::from_form(&form("grant_type=refresh_token&refresh_token=")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest);
    assert!(err.detail().contains("refresh_token"));
}

#[test]
fn unknown_parameters_are_ignored() {
    let f = form("grant_type=client_credentials&foo=bar&scope=a");
    assert_eq!(f.get("foo"), Some("bar"));
    assert_eq!(
        TokenRequest::from_form(&f).unwrap(),
        TokenRequest::ClientCredentials {
            scope: Some("a".into())
        }
    );
}

#[test]
fn bad_encoding_is_invalid_request_400() {
    for body in [&b"code=%G1"[..], b"code=%", b"code=%C3", b"co%FFde=1"] {
        let err = Form::parse(body).unwrap_err();
        assert_eq!(answer(&err), ("invalid_request", 400), "{body:?}");
    }
}

#[test]
fn grant_type_errors() {
    let err = TokenRequest::from_form(&form("code=x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest);
    assert!(err.detail().contains("grant_type"));
    assert_eq!(answer(&err), ("invalid_request", 400));
    let err = TokenRequest::from_form(&form(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=d",
    ))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OauthUnsupportedGrantType);
    assert_eq!(answer(&err), ("unsupported_grant_type", 400));
}

#[test]
fn authorize_request_missing_parameters() {
    let err = AuthorizeRequest::from_form(&form("response_type=code")).unwrap_err();
    assert!(err.detail().contains("client_id"));
    assert_eq!(answer(&err), ("invalid_request", 400));
    let req = AuthorizeRequest::from_form(&form(
        "response_type=code&client_id=s6BhdRkqt3&state=xyz\
         &redirect_uri=https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb",
    ))
    .unwrap();
    assert_eq!(
        req.redirect_uri.as_deref(),
        Some("https://client.example.com/cb")
    );
    assert_eq!(req.nonce, None);
}

#[test]
fn revocation_and_introspection_require_token() {
    let err = RevocationRequest::from_form(&form("token_type_hint=refresh_token")).unwrap_err();
    assert_eq!(answer(&err), ("invalid_request", 400));
    let err = IntrospectionRequest::from_form(&form("")).unwrap_err();
    assert_eq!(answer(&err), ("invalid_request", 400));
    let req = RevocationRequest::from_form(&form(
        "token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token",
    ))
    .unwrap();
    assert_eq!(req.token, "45ghiukldjahdnhzdauz");
}

// ---- Limits --------------------------------------------------------------------------------------

#[test]
fn body_limit_at_and_past() {
    let at = format!("a={}", "x".repeat(MAX_FORM_BYTES - 2));
    assert_eq!(at.len(), MAX_FORM_BYTES);
    assert_eq!(
        Form::parse(at.as_bytes()).unwrap().get("a").map(str::len),
        Some(MAX_FORM_BYTES - 2)
    );
    let past = format!("{at}x");
    let err = Form::parse(past.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge);
    assert_eq!(answer(&err), ("invalid_request", 400));
}

#[test]
fn parameter_count_limit_at_and_past() {
    let params = |n: usize| {
        (0..n)
            .map(|i| format!("p{i}=v"))
            .collect::<Vec<_>>()
            .join("&")
    };
    assert_eq!(
        Form::parse(params(MAX_FORM_PARAMS).as_bytes())
            .unwrap()
            .len(),
        MAX_FORM_PARAMS
    );
    let err = Form::parse(params(MAX_FORM_PARAMS + 1).as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge);
    // Parameters sent empty still count: they cost parsing work.
    let empties = (0..=MAX_FORM_PARAMS)
        .map(|i| format!("e{i}="))
        .collect::<Vec<_>>()
        .join("&");
    assert_eq!(
        Form::parse(empties.as_bytes()).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
}

#[test]
fn name_limit_at_and_past() {
    let at = "n".repeat(MAX_PARAM_NAME_BYTES);
    assert_eq!(form(&format!("{at}=1")).get(&at), Some("1"));
    let past = "n".repeat(MAX_PARAM_NAME_BYTES + 1);
    assert_eq!(
        Form::parse(format!("{past}=1").as_bytes())
            .unwrap_err()
            .kind(),
        ErrorKind::TooLarge
    );
    // The limit is on the decoded name: 128 escaped bytes are fine, 129 are not.
    let escaped_at = "%41".repeat(MAX_PARAM_NAME_BYTES);
    assert_eq!(
        form(&format!("{escaped_at}=1")).get(&"A".repeat(MAX_PARAM_NAME_BYTES)),
        Some("1")
    );
    let escaped_past = "%41".repeat(MAX_PARAM_NAME_BYTES + 1);
    assert_eq!(
        Form::parse(format!("{escaped_past}=1").as_bytes())
            .unwrap_err()
            .kind(),
        ErrorKind::TooLarge
    );
    // Multi-byte characters count in bytes.
    let two_byte_at = "é".repeat(MAX_PARAM_NAME_BYTES / 2);
    assert!(Form::parse(format!("{two_byte_at}=1").as_bytes()).is_ok());
    assert!(Form::parse(format!("{two_byte_at}%C3%A9=1").as_bytes()).is_err());
}

#[test]
fn header_limit_at_and_past() {
    let token_at = "a".repeat(MAX_HEADER_BYTES - "Bearer ".len());
    let at = format!("Bearer {token_at}");
    assert_eq!(at.len(), MAX_HEADER_BYTES);
    assert_eq!(bearer_token(Some(&at)).unwrap(), Some(token_at.as_str()));
    let past = format!("{at}a");
    assert_eq!(
        bearer_token(Some(&past)).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
    // Same limit for Basic, at the token endpoint too.
    let long_basic = format!("Basic {}", "A".repeat(MAX_HEADER_BYTES));
    assert_eq!(
        basic_credentials(&long_basic).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
    let err = client_auth(Some(&long_basic), &Form::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge);
    // An oversized header of another scheme is still refused before it is looked at.
    let other = format!("Digest {}", "a".repeat(MAX_HEADER_BYTES));
    assert_eq!(
        bearer_token(Some(&other)).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
}

#[test]
fn uri_limit_at_and_past() {
    let prefix = "https://c.example/";
    let at = format!("{prefix}{}", "p".repeat(MAX_URI_BYTES - prefix.len()));
    assert!(parse_redirect_uri(&at).is_ok());
    let past = format!("{at}p");
    assert_eq!(
        parse_redirect_uri(&past).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
}

// ---- RFC 6749 §2.3.1: client authentication ------------------------------------------------------

#[test]
fn basic_credentials_are_form_decoded() {
    // id "my:client+1" and secret "p+ss w:rd%" as form-urlencoded before base64.
    let id = encode_form(&[("", "my:client+1")]);
    let secret = encode_form(&[("", "p+ss w:rd%")]);
    let (id, secret) = (id.trim_start_matches('='), secret.trim_start_matches('='));
    assert_eq!((id, secret), ("my%3Aclient%2B1", "p%2Bss+w%3Ard%25"));
    let header = basic_header(id, secret);
    assert_eq!(
        basic_credentials(&header).unwrap(),
        ("my:client+1".to_owned(), "p+ss w:rd%".to_owned())
    );
    let auth = client_auth(Some(&header), &Form::default()).unwrap();
    assert_eq!(
        auth,
        ClientAuth::Basic {
            client_id: "my:client+1".into(),
            client_secret: "p+ss w:rd%".into()
        }
    );
    // A body client_id equal to the decoded Basic id is accepted.
    let body = encode_form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "my:client+1"),
    ]);
    assert!(client_auth(Some(&header), &form(&body)).is_ok());
}

#[test]
fn scheme_names_are_case_insensitive() {
    let encoded = base64::engine::general_purpose::STANDARD.encode("app:pw");
    for scheme in ["Basic", "basic", "BASIC", "bAsIc"] {
        let header = format!("{scheme} {encoded}");
        assert_eq!(
            basic_credentials(&header).unwrap(),
            ("app".into(), "pw".into()),
            "{scheme}"
        );
    }
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        assert_eq!(
            bearer_token(Some(&format!("{scheme} tok"))).unwrap(),
            Some("tok"),
            "{scheme}"
        );
    }
}

#[test]
fn two_authentication_methods_are_invalid_request_400() {
    let header = basic_header("app", "pw");
    let err = client_auth(
        Some(&header),
        &form("grant_type=client_credentials&client_secret=pw"),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest);
    assert_eq!(answer(&err), ("invalid_request", 400));
    let err = client_auth(Some(&header), &form("client_id=someone-else")).unwrap_err();
    assert_eq!(answer(&err), ("invalid_request", 400));
}

#[test]
fn malformed_basic_is_invalid_client_401_with_challenge() {
    // base64("app:pw") is well-formed: the control case.
    assert_eq!(
        client_auth(Some("Basic YXBwOnB3"), &Form::default())
            .unwrap()
            .client_id(),
        "app"
    );
    // No colon, bad base64, nothing, another scheme.
    for header in ["Basic", "Basic %%%", "Basic YXBw", "Negotiate abc"] {
        let err = client_auth(Some(header), &Form::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidClient, "{header:?}");
        let response = ErrorResponse::from_error(&err).with_basic_challenge("tessera \"prod\"");
        assert_eq!(
            (response.error(), response.http_status()),
            ("invalid_client", 401)
        );
        assert_eq!(
            response.www_authenticate(),
            Some(r#"Basic realm="tessera \"prod\"""#)
        );
        assert!(response.headers().contains(&(
            "WWW-Authenticate",
            r#"Basic realm="tessera \"prod\"""#.to_owned()
        )));
    }
}

#[test]
fn public_client_and_no_authentication() {
    let auth = client_auth(
        None,
        &form("grant_type=authorization_code&code=c&client_id=app"),
    )
    .unwrap();
    assert_eq!(
        auth,
        ClientAuth::None {
            client_id: "app".into()
        }
    );
    assert_eq!(auth.method(), "none");
    let err = client_auth(None, &form("grant_type=client_credentials")).unwrap_err();
    assert_eq!(answer(&err), ("invalid_client", 401));
    // No header was used, so no challenge is due; the caller does not add one.
    assert_eq!(ErrorResponse::from_error(&err).www_authenticate(), None);
}

// ---- RFC 6750: bearer tokens and resource-server challenges -------------------------------------

#[test]
fn bearer_token_grammar() {
    assert_eq!(
        bearer_token(Some("Bearer mF_9.B5f-4.1JqM")).unwrap(),
        Some("mF_9.B5f-4.1JqM")
    );
    assert_eq!(
        bearer_token(Some("Bearer a~b+c/d==")).unwrap(),
        Some("a~b+c/d==")
    );
    for bad in [
        "Bearer a=b",
        "Bearer a b",
        "Bearer \"abc\"",
        "Bearer",
        "Bearer ===",
        "Bearer ab;c",
    ] {
        let err = bearer_token(Some(bad)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest, "{bad:?}");
        let response = ErrorResponse::for_resource(&err).with_bearer_challenge("api", None);
        assert_eq!(response.http_status(), 400);
        assert!(
            response
                .www_authenticate()
                .unwrap()
                .contains(r#"error="invalid_request""#)
        );
    }
}

#[test]
fn missing_credentials_get_a_challenge_without_error_code() {
    for header in [None, Some(""), Some("Basic YXBwOnB3")] {
        assert_eq!(bearer_token(header).unwrap(), None, "{header:?}");
    }
    assert_eq!(bearer_challenge("example"), r#"Bearer realm="example""#);
}

#[test]
fn invalid_token_challenge_format() {
    let err = Error::new(ErrorKind::Expired, "The access token expired");
    let response = ErrorResponse::for_resource(&err).with_bearer_challenge("example", Some("x"));
    assert_eq!(response.error(), "invalid_token");
    assert_eq!(response.http_status(), 401);
    // RFC 6750 §3 example, byte for byte. `scope` is only for insufficient_scope.
    assert_eq!(
        response.www_authenticate(),
        Some(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#
        )
    );
}

#[test]
fn insufficient_scope_challenge_format() {
    let err = Error::new(ErrorKind::ScopeNotGranted, "needs \"job:write\"");
    let response =
        ErrorResponse::for_resource(&err).with_bearer_challenge("api", Some("job:write job:read"));
    assert_eq!(
        (response.error(), response.http_status()),
        ("insufficient_scope", 403)
    );
    assert_eq!(
        response.www_authenticate(),
        Some(
            r#"Bearer realm="api", error="insufficient_scope", error_description="needs ?job:write?", scope="job:write job:read""#
        )
    );
}

#[test]
fn resource_mapping() {
    let cases = [
        (ErrorKind::InvalidSignature, "invalid_token", 401),
        (ErrorKind::MalformedToken, "invalid_token", 401),
        (ErrorKind::Expired, "invalid_token", 401),
        (ErrorKind::AudienceMismatch, "invalid_token", 401),
        (ErrorKind::KeyNotFound, "invalid_token", 401),
        (ErrorKind::TokenChecksum, "invalid_token", 401),
        (ErrorKind::ScopeNotGranted, "insufficient_scope", 403),
        (ErrorKind::OauthInvalidRequest, "invalid_request", 400),
        (ErrorKind::InvalidArgument, "server_error", 500),
    ];
    for (kind, code, status) in cases {
        let response = ErrorResponse::for_resource(&Error::from(kind));
        assert_eq!(
            (response.error(), response.http_status()),
            (code, status),
            "{kind:?}"
        );
        assert_eq!(resource_error_for(kind).oauth_error(), Some(code));
    }
    // A server error gets no challenge and no description.
    let response = ErrorResponse::for_resource(&Error::new(ErrorKind::WeakKey, "key 3 is short"))
        .with_bearer_challenge("api", None);
    assert_eq!(
        (response.www_authenticate(), response.description()),
        (None, None)
    );
}

#[test]
fn error_codes_and_statuses() {
    let cases = [
        (ErrorKind::OauthInvalidRequest, "invalid_request", 400),
        (ErrorKind::OauthInvalidClient, "invalid_client", 401),
        (ErrorKind::OauthInvalidGrant, "invalid_grant", 400),
        (
            ErrorKind::OauthUnauthorizedClient,
            "unauthorized_client",
            400,
        ),
        (
            ErrorKind::OauthUnsupportedGrantType,
            "unsupported_grant_type",
            400,
        ),
        (ErrorKind::OauthInvalidScope, "invalid_scope", 400),
        (ErrorKind::OauthServerError, "server_error", 500),
        (
            ErrorKind::OauthTemporarilyUnavailable,
            "temporarily_unavailable",
            503,
        ),
        (ErrorKind::PkceMismatch, "invalid_grant", 400),
        (ErrorKind::TokenMismatch, "invalid_grant", 400),
        (ErrorKind::ScopeNotGranted, "invalid_scope", 400),
        (ErrorKind::Panic, "server_error", 500),
    ];
    for (kind, code, status) in cases {
        let response = ErrorResponse::new(kind, None);
        assert_eq!(
            (response.error(), response.http_status()),
            (code, status),
            "{kind:?}"
        );
        assert_eq!(response.to_json(), format!(r#"{{"error":"{code}"}}"#));
    }
}

#[test]
fn error_description_charset() {
    let response = ErrorResponse::new(
        ErrorKind::OauthInvalidRequest,
        Some("bad \"value\" \\ here\r\n\u{7f}\u{2028}é ok"),
    );
    let description = response.description().unwrap();
    assert!(
        description
            .bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5b | 0x5d..=0x7e))
    );
    assert_eq!(description, "bad ?value? ? here????? ok");
    let json: serde_json::Value = serde_json::from_str(&response.to_json()).unwrap();
    assert_eq!(json["error_description"], description);
}

// ---- RFC 6749 §5.1: token response ---------------------------------------------------------------

#[test]
fn token_response_shape_and_headers() {
    let response = TokenResponse::bearer("at", 3600)
        .with_refresh_token("rt")
        .with_scope(scope_if_different("read write", Some("write read")));
    let json: serde_json::Value = serde_json::from_str(&response.to_json()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt"})
    );
    let headers = response.headers();
    assert!(headers.contains(&("Cache-Control", "no-store")));
    assert!(headers.contains(&("Pragma", "no-cache")));
    assert!(headers.contains(&("Content-Type", "application/json;charset=UTF-8")));
    // Error responses carry the same headers (RFC 6749 §5.2).
    let error_headers = ErrorResponse::new(ErrorKind::OauthInvalidGrant, None).headers();
    for (name, value) in headers {
        assert!(error_headers.contains(&(name, value.to_owned())));
    }
}

#[test]
fn scope_required_when_different() {
    assert_eq!(scope_if_different("a b", Some("b a")), None);
    assert_eq!(scope_if_different("a", Some("a b")).as_deref(), Some("a"));
    assert_eq!(scope_if_different("a b", Some("a")).as_deref(), Some("a b"));
    assert_eq!(scope_if_different("a", None).as_deref(), Some("a"));
    let json = TokenResponse::bearer("at", 1)
        .with_scope(scope_if_different("a", Some("a b")))
        .to_json();
    assert!(json.ends_with(r#""scope":"a"}"#), "{json}");
}

// ---- RFC 6749 §3.1.2, §4.1.2, §4.2.2: redirects --------------------------------------------------

#[test]
fn redirect_retains_registered_query() {
    let to = redirect_with(
        "https://client.example/cb?tenant=7&lang=en",
        &[("code", "c1"), ("state", "s")],
        ResponseMode::Query,
    )
    .unwrap();
    assert_eq!(
        to,
        "https://client.example/cb?tenant=7&lang=en&code=c1&state=s"
    );
    let uri = parse_redirect_uri(&to).unwrap();
    let query = form(uri.query().unwrap());
    assert_eq!(
        (query.get("tenant"), query.get("code")),
        (Some("7"), Some("c1"))
    );
}

#[test]
fn redirect_fragment_mode() {
    let to = redirect_with(
        "https://client.example/cb?x=1",
        &[
            ("access_token", "2YotnFZFEjr1zCsicMWpAA"),
            ("state", "xyz"),
            ("token_type", "Bearer"),
        ],
        ResponseMode::Fragment,
    )
    .unwrap();
    assert_eq!(
        to,
        "https://client.example/cb?x=1#access_token=2YotnFZFEjr1zCsicMWpAA&state=xyz&token_type=Bearer"
    );
}

#[test]
fn redirect_encodes_special_characters() {
    let state = "a b&c=d#e?f/g+h%i\u{e9}\"<>";
    let to = redirect_with(
        "https://c.example/cb",
        &[("state", state)],
        ResponseMode::Query,
    )
    .unwrap();
    assert_eq!(
        to,
        "https://c.example/cb?state=a+b%26c%3Dd%23e%3Ff%2Fg%2Bh%25i%C3%A9%22%3C%3E"
    );
    // The result is itself a valid redirect URI whose query decodes back to the value.
    let uri = parse_redirect_uri(&to).unwrap();
    assert_eq!(form(uri.query().unwrap()).get("state"), Some(state));
}

#[test]
fn redirect_base_with_fragment_is_invalid_argument() {
    let err = redirect_with(
        "https://c.example/cb#frag",
        &[("code", "c")],
        ResponseMode::Query,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = AuthorizeErrorRedirect::new(ErrorKind::OauthAccessDenied)
        .build("https://c.example/cb#")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn authorize_error_redirect_carries_state_and_iss() {
    let to = AuthorizeErrorRedirect::from_error(&Error::new(
        ErrorKind::OauthUnsupportedResponseType,
        "response_type token is not enabled",
    ))
    .state(Some("af0ifjsldkj"))
    .iss("https://as.example")
    .build("https://client.example/cb?x=1")
    .unwrap();
    let uri = parse_redirect_uri(&to).unwrap();
    let query = form(uri.query().unwrap());
    assert_eq!(query.get("x"), Some("1"));
    assert_eq!(query.get("error"), Some("unsupported_response_type"));
    assert_eq!(
        query.get("error_description"),
        Some("response_type token is not enabled")
    );
    assert_eq!(query.get("state"), Some("af0ifjsldkj"));
    assert_eq!(query.get("iss"), Some("https://as.example"));
    // No state in the request: none in the response.
    let to = AuthorizeErrorRedirect::new(ErrorKind::OauthAccessDenied)
        .state(None)
        .build("https://client.example/cb")
        .unwrap();
    assert_eq!(to, "https://client.example/cb?error=access_denied");
}

// ---- RFC 8252 §7.3: loopback redirect matching ---------------------------------------------------

#[test]
fn loopback_port_exception() {
    // Any port for http loopback IP literals.
    assert!(redirect_uri_matches(
        "http://127.0.0.1/callback",
        "http://127.0.0.1:49152/callback"
    ));
    assert!(redirect_uri_matches(
        "http://127.0.0.1:1234/callback",
        "http://127.0.0.1/callback"
    ));
    assert!(redirect_uri_matches(
        "http://[::1]:80/callback",
        "http://[::1]:65000/callback"
    ));
    // Not for localhost, other hosts, or https.
    assert!(!redirect_uri_matches(
        "http://localhost/callback",
        "http://localhost:49152/callback"
    ));
    assert!(!redirect_uri_matches(
        "http://127.0.0.2/callback",
        "http://127.0.0.2:49152/callback"
    ));
    assert!(!redirect_uri_matches(
        "https://127.0.0.1/callback",
        "https://127.0.0.1:8443/callback"
    ));
    assert!(!redirect_uri_matches(
        "http://app.example/cb",
        "http://app.example:8080/cb"
    ));
    assert!(!redirect_uri_matches(
        "https://app.example/cb",
        "https://app.example:443/cb"
    ));
    // Everything but the port must still match.
    assert!(!redirect_uri_matches(
        "http://127.0.0.1/callback",
        "http://127.0.0.1:1/other"
    ));
    assert!(!redirect_uri_matches(
        "http://127.0.0.1/cb?a=1",
        "http://127.0.0.1:1/cb?a=2"
    ));
    assert!(!redirect_uri_matches(
        "http://127.0.0.1/cb",
        "http://127.0.0.1:1/cb?a=1"
    ));
    assert!(!redirect_uri_matches(
        "http://127.0.0.1/cb",
        "http://127.0.0.1:1/cb#f"
    ));
    // Exact match otherwise.
    assert!(redirect_uri_matches(
        "com.example.app:/oauth2redirect",
        "com.example.app:/oauth2redirect"
    ));
    assert!(!redirect_uri_matches(
        "https://app.example/cb",
        "https://app.example/cb?x"
    ));
}

#[test]
fn redirect_uri_inspection() {
    let uri = parse_redirect_uri("http://[::1]:8080/cb?a=b").unwrap();
    assert_eq!(uri.host(), Some("[::1]"));
    assert_eq!(uri.port(), Some(8080));
    assert!(uri.is_loopback());
    assert!(
        parse_redirect_uri("http://localhost/cb")
            .unwrap()
            .is_loopback()
    );
    assert!(
        !parse_redirect_uri("https://localhost/cb")
            .unwrap()
            .is_loopback()
    );
    for bad in [
        "/cb",
        "https://c.example/cb#x",
        "https://evil.example@good.example/",
    ] {
        let err = parse_redirect_uri(bad).unwrap_err();
        assert_eq!(answer(&err), ("invalid_request", 400), "{bad}");
    }
}

// ---- RFC 8414: metadata --------------------------------------------------------------------------

#[test]
fn metadata_issuer_rules() {
    let base = ServerMetadata {
        response_types_supported: vec!["code".into()],
        ..ServerMetadata::new("https://as.example")
    };
    assert!(base.validate().is_ok());
    for bad in [
        "http://as.example",
        "https://as.example?tenant=1",
        "https://as.example#x",
    ] {
        let err = ServerMetadata {
            issuer: bad.into(),
            ..base.clone()
        }
        .to_json()
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad}");
    }
    // http only for loopback, for local testing.
    assert!(
        ServerMetadata {
            issuer: "http://127.0.0.1:8080".into(),
            ..base.clone()
        }
        .validate()
        .is_ok()
    );
    let json: serde_json::Value = serde_json::from_str(
        &ServerMetadata {
            token_endpoint: Some("https://as.example/token".into()),
            grant_types_supported: vec!["authorization_code".into(), "refresh_token".into()],
            ..base
        }
        .to_json()
        .unwrap(),
    )
    .unwrap();
    assert_eq!(json["issuer"], "https://as.example");
    assert_eq!(
        json["response_types_supported"],
        serde_json::json!(["code"])
    );
    assert!(json.get("jwks_uri").is_none() && json.get("scopes_supported").is_none());
}

// ---- JSON shapes for the C ABI -------------------------------------------------------------------

#[test]
fn json_round_trips() {
    let req = TokenRequest::AuthorizationCode {
        code: "c".into(),
        redirect_uri: Some("https://c.example/cb".into()),
        code_verifier: None,
        client_id: Some("app".into()),
    };
    let json = serde_json::to_string(&req).unwrap();
    assert_eq!(
        json,
        r#"{"grant_type":"authorization_code","code":"c","redirect_uri":"https://c.example/cb","client_id":"app"}"#
    );
    assert_eq!(serde_json::from_str::<TokenRequest>(&json).unwrap(), req);
    let auth = ClientAuth::Post {
        client_id: "app".into(),
        client_secret: "pw".into(),
    };
    let json = serde_json::to_string(&auth).unwrap();
    assert_eq!(
        json,
        r#"{"method":"client_secret_post","client_id":"app","client_secret":"pw"}"#
    );
    assert_eq!(serde_json::from_str::<ClientAuth>(&json).unwrap(), auth);
}

// ---- Properties ----------------------------------------------------------------------------------

proptest! {
    #[test]
    fn form_round_trips(pairs in proptest::collection::btree_map("(?s).{0,30}", "(?s).{1,40}", 0..=MAX_FORM_PARAMS)) {
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let encoded = encode_form(&borrowed);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"*-._+%=&".contains(&b)));
        let parsed = Form::parse(encoded.as_bytes()).unwrap();
        prop_assert_eq!(parsed.iter().collect::<Vec<_>>(), borrowed);
    }

    #[test]
    fn redirect_query_round_trips(state in "(?s).{1,64}", code in "[A-Za-z0-9_-]{1,43}") {
        let to = redirect_with("https://c.example/cb?k=v", &[("code", &code), ("state", &state)], ResponseMode::Query).unwrap();
        let uri = parse_redirect_uri(&to).unwrap();
        let query = Form::parse(uri.query().unwrap().as_bytes()).unwrap();
        prop_assert_eq!(query.get("k"), Some("v"));
        prop_assert_eq!(query.get("code"), Some(code.as_str()));
        prop_assert_eq!(query.get("state"), Some(state.as_str()));
    }

    #[test]
    fn basic_round_trips(id in "[\\x20-\\x7e]{1,40}", secret in "[\\x20-\\x7e]{1,40}") {
        let header = basic_header(
            encode_form(&[("", &id)]).trim_start_matches('='),
            encode_form(&[("", &secret)]).trim_start_matches('='),
        );
        prop_assert_eq!(basic_credentials(&header).unwrap(), (id, secret));
    }

    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Form::parse(&bytes);
        let text = String::from_utf8_lossy(&bytes);
        let _ = bearer_token(Some(&text));
        let _ = basic_credentials(&text);
        let _ = parse_redirect_uri(&text);
        let _ = redirect_uri_matches(&text, &text);
        let _ = redirect_with(&text, &[("a", "b")], ResponseMode::Query);
    }

    #[test]
    fn uri_like_input_never_panics(text in "[a-z]{1,5}:(//)?[a-z0-9.:\\[\\]@%]{0,20}[/?#a-z0-9%]{0,20}") {
        if let Ok(uri) = parse_redirect_uri(&text) {
            prop_assert!(!text.contains('#'));
            prop_assert!(redirect_uri_matches(&text, &text));
            let _ = uri.is_loopback();
        }
    }
}

// ---- DPoP (RFC 9449 §7.1, §9) ------------------------------------------------------------------

/// A resource server that accepts Bearer and DPoP tokens, as a host writes it: the token and
/// its scheme, then (here) a check that fails with `err`; answers (status, WWW-Authenticate).
fn resource_server(authorization: Option<&str>, err: Option<Error>) -> (u16, Option<String>) {
    let algs = [Algorithm::ES256, Algorithm::EdDSA];
    let answer = |err: &Error| {
        let r = ErrorResponse::for_resource(err).with_challenges("api", Some(&algs), Some("read"));
        (r.http_status(), r.www_authenticate().map(str::to_owned))
    };
    match access_token(authorization) {
        Ok(None) => (
            401,
            Some(format!(
                "{}, {}",
                dpop_challenge(Some("api"), &algs),
                bearer_challenge("api")
            )),
        ),
        Ok(Some(_)) => match err {
            None => (200, None),
            Some(err) => answer(&err),
        },
        Err(err) => answer(&err),
    }
}

#[test]
fn rfc9449_7_1_access_token_schemes() {
    assert_eq!(
        access_token(Some("DPoP Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU")).unwrap(),
        Some((
            AuthScheme::Dpop,
            "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
        ))
    );
    assert_eq!(
        access_token(Some("BEARER abc")).unwrap(),
        Some((AuthScheme::Bearer, "abc"))
    );
    for absent in [None, Some(""), Some("Basic YTpi"), Some("DPoPabc")] {
        assert_eq!(access_token(absent).unwrap(), None, "{absent:?}");
    }
    for bad in ["DPoP", "DPoP  ", "DPoP a b", "DPoP a=b=", "DPoP \"x\""] {
        let err = access_token(Some(bad)).unwrap_err();
        assert_eq!(answer(&err), ("invalid_request", 400), "{bad}");
    }
    // Details never echo the credentials.
    let err = access_token(Some("DPoP s3cr3t-Zq9 x")).unwrap_err();
    assert!(!err.detail().contains("s3cr3t"), "{err:?}");
    let at_limit = format!("DPoP {}", "a".repeat(MAX_HEADER_BYTES - 5));
    assert!(access_token(Some(&at_limit)).unwrap().is_some());
    let past = format!("DPoP {}", "a".repeat(MAX_HEADER_BYTES - 4));
    assert_eq!(
        access_token(Some(&past)).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
}

#[test]
fn rfc9449_7_1_challenges_list_dpop_before_bearer() {
    let (status, challenge) = resource_server(None, None);
    assert_eq!(status, 401);
    assert_eq!(
        challenge.as_deref(),
        Some(r#"DPoP realm="api", algs="ES256 EdDSA", Bearer realm="api""#)
    );
    let (status, challenge) = resource_server(
        Some("DPoP abc"),
        Some(Error::new(ErrorKind::DpopSignature, "bad proof")),
    );
    assert_eq!(status, 401);
    assert_eq!(
        challenge.as_deref(),
        Some(
            r#"DPoP realm="api", error="invalid_dpop_proof", error_description="bad proof", algs="ES256 EdDSA", Bearer realm="api""#
        )
    );
    // RFC 9449 §9: a nonce is required, 401 at a resource server.
    let (status, challenge) = resource_server(
        Some("DPoP abc"),
        Some(Error::new(ErrorKind::DpopNonceRequired, "nonce")),
    );
    assert_eq!(status, 401);
    assert!(
        challenge
            .unwrap()
            .starts_with(r#"DPoP realm="api", error="use_dpop_nonce""#)
    );
    // RFC 9449 §7.2: a DPoP-bound token sent as a bearer token is invalid_token.
    let (status, challenge) = resource_server(
        Some("Bearer abc"),
        Some(Error::new(ErrorKind::DpopBoundToken, "bound")),
    );
    let challenge = challenge.unwrap();
    assert_eq!(status, 401);
    assert!(
        challenge.starts_with(r#"DPoP realm="api", error="invalid_token""#),
        "{challenge}"
    );
    assert!(
        challenge.contains(r#", Bearer realm="api", error="invalid_token""#),
        "{challenge}"
    );
    // A malformed header: 400 invalid_request, challenges in the same order.
    let (status, challenge) = resource_server(Some("DPoP a b"), None);
    assert_eq!(status, 400);
    let challenge = challenge.unwrap();
    assert!(challenge.find("DPoP").unwrap() < challenge.find("Bearer").unwrap());
    // Quoting: no header injection through the description.
    let (_, challenge) = resource_server(
        Some("DPoP abc"),
        Some(Error::new(ErrorKind::DpopAth, "x\"\r\ny")),
    );
    assert!(challenge.unwrap().contains(r#"error_description="x???y""#));
}

#[test]
fn rfc9449_dpop_errors_are_400_at_the_token_endpoint() {
    for kind in [ErrorKind::DpopProofRequired, ErrorKind::DpopNonceInvalid] {
        let err = Error::new(kind, "d");
        let r = ErrorResponse::for_token_endpoint(&err, "https://as.example");
        assert_eq!(r.http_status(), 400, "{kind:?}");
        assert_eq!(r.www_authenticate(), None);
        assert_eq!(ErrorResponse::for_resource(&err).http_status(), 401);
    }
}

#[test]
fn rfc9449_5_token_response_type() {
    let r = TokenResponse::bearer("at", 60).with_token_type("DPoP");
    assert!(r.to_json().contains(r#""token_type":"DPoP""#));
}

#[test]
fn rfc9449_5_1_and_rfc8705_3_3_metadata() {
    let mut m = ServerMetadata::new("https://as.example");
    m.response_types_supported = vec!["code".into()];
    m.dpop_signing_alg_values_supported = vec!["ES256".into(), "PS256".into()];
    m.tls_client_certificate_bound_access_tokens = true;
    let json: serde_json::Value = serde_json::from_str(&m.to_json().unwrap()).unwrap();
    assert_eq!(
        json["dpop_signing_alg_values_supported"],
        serde_json::json!(["ES256", "PS256"])
    );
    assert_eq!(json["tls_client_certificate_bound_access_tokens"], true);
    m.dpop_signing_alg_values_supported = vec!["HS512".into()];
    assert!(m.validate().is_err());
}
