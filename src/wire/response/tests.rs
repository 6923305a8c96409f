//! Unit tests of `wire::response`: token, error and introspection responses, challenges.

use super::*;

#[test]
fn token_response_omits_absent_members() {
    let json = TokenResponse::bearer("at", 60).to_json();
    assert_eq!(
        json,
        r#"{"access_token":"at","token_type":"Bearer","expires_in":60}"#
    );
    let parsed: TokenResponse = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed, TokenResponse::bearer("at", 60));
    assert_eq!(parsed.http_status(), 200);
    assert_eq!(
        parsed.headers(),
        [
            ("Content-Type", "application/json;charset=UTF-8"),
            ("Cache-Control", "no-store"),
            ("Pragma", "no-cache"),
        ]
    );
    let shown = format!(
        "{:?}",
        TokenResponse::bearer("s3cr3t", 1).with_refresh_token("rt0")
    );
    assert!(
        !shown.contains("s3cr3t") && !shown.contains("rt0"),
        "{shown}"
    );
}

#[test]
fn scope_comparison_is_by_set() {
    assert_eq!(scope_if_different("a b", Some("b  a a")), None);
    assert_eq!(
        scope_if_different("a a b", Some("a")).as_deref(),
        Some("a b")
    );
    assert_eq!(scope_if_different("a", Some("")).as_deref(), Some("a"));
    assert_eq!(scope_if_different("", Some("a")), None);
    assert_eq!(scope_if_different("", None), None);
    assert_eq!(
        scope_if_different("b a", Some("a b c")).as_deref(),
        Some("b a")
    );
}

#[test]
fn description_is_sanitized_and_bounded() {
    let r = ErrorResponse::new(ErrorKind::OauthInvalidRequest, Some("a\"b\\c\u{e9}\n~ !"));
    assert_eq!(r.description(), Some("a?b?c??~ !"));
    let long = "x".repeat(10_000);
    let r = ErrorResponse::new(ErrorKind::OauthInvalidRequest, Some(&long));
    assert_eq!(r.description().map(str::len), Some(MAX_DESCRIPTION_BYTES));
    assert_eq!(
        ErrorResponse::new(ErrorKind::OauthInvalidRequest, Some("")).description(),
        None
    );
    assert_eq!(
        ErrorResponse::new(ErrorKind::OauthInvalidGrant, None).to_json(),
        r#"{"error":"invalid_grant"}"#
    );
}

#[test]
fn non_oauth_kinds_are_mapped() {
    let r = ErrorResponse::from_error(&Error::new(ErrorKind::RandomFailure, "rng broke"));
    assert_eq!(
        (r.error(), r.http_status(), r.description()),
        ("server_error", 500, None)
    );
    let r = ErrorResponse::from_error(&Error::new(ErrorKind::PkceMismatch, "no match"));
    assert_eq!((r.error(), r.http_status()), ("invalid_grant", 400));
    assert_eq!(r.description(), Some("no match"));
    let r = ErrorResponse::new(ErrorKind::ScopeNotGranted, None);
    assert_eq!(r.error(), "invalid_scope");
}

#[test]
fn every_kind_maps_into_the_oauth_block() {
    for &kind in ErrorKind::ALL {
        assert!(token_error_for(kind).oauth_error().is_some(), "{kind:?}");
        let rs = resource_error_for(kind);
        assert!(
            matches!(
                rs,
                ErrorKind::OauthInvalidRequest
                    | ErrorKind::OauthInvalidToken
                    | ErrorKind::OauthInsufficientScope
                    | ErrorKind::OauthServerError
                    | ErrorKind::OauthTemporarilyUnavailable
                    | ErrorKind::OauthInvalidDpopProof
                    | ErrorKind::OauthUseDpopNonce
            ),
            "{kind:?} -> {rs:?}"
        );
        let az = authorize_error_for(kind);
        assert!(
            matches!(
                az,
                ErrorKind::OauthInvalidRequest
                    | ErrorKind::OauthUnauthorizedClient
                    | ErrorKind::OauthAccessDenied
                    | ErrorKind::OauthUnsupportedResponseType
                    | ErrorKind::OauthInvalidScope
                    | ErrorKind::OauthServerError
                    | ErrorKind::OauthTemporarilyUnavailable
            ),
            "{kind:?} -> {az:?}"
        );
    }
}

#[test]
fn chosen_mappings() {
    assert_eq!(
        resource_error_for(ErrorKind::Expired),
        ErrorKind::OauthInvalidToken
    );
    assert_eq!(
        resource_error_for(ErrorKind::InvalidSignature),
        ErrorKind::OauthInvalidToken
    );
    assert_eq!(
        resource_error_for(ErrorKind::ScopeNotGranted),
        ErrorKind::OauthInsufficientScope
    );
    assert_eq!(
        resource_error_for(ErrorKind::InvalidScope),
        ErrorKind::OauthInvalidToken
    );
    assert_eq!(
        resource_error_for(ErrorKind::WeakKey),
        ErrorKind::OauthServerError
    );
    assert_eq!(
        resource_error_for(ErrorKind::OauthInvalidGrant),
        ErrorKind::OauthInvalidToken
    );
    assert_eq!(
        token_error_for(ErrorKind::Expired),
        ErrorKind::OauthInvalidGrant
    );
    assert_eq!(
        token_error_for(ErrorKind::TooLarge),
        ErrorKind::OauthInvalidRequest
    );
    assert_eq!(
        authorize_error_for(ErrorKind::OauthInvalidGrant),
        ErrorKind::OauthInvalidRequest
    );
    assert_eq!(
        authorize_error_for(ErrorKind::OauthInsufficientScope),
        ErrorKind::OauthInvalidScope
    );
    assert_eq!(
        authorize_error_for(ErrorKind::Panic),
        ErrorKind::OauthServerError
    );
}

#[test]
fn quoting_escapes_and_blocks_injection() {
    assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    assert_eq!(quoted("x\r\nSet-Cookie: y"), "\"x??Set-Cookie: y\"");
    assert_eq!(quoted("\u{e9}"), "\"?\"");
}

#[test]
fn every_401_carries_a_challenge_rfc9110_15_5_2() {
    for &kind in ErrorKind::ALL {
        let err = Error::new(kind, "d");
        for response in [
            ErrorResponse::for_token_endpoint(&err, "as"),
            ErrorResponse::for_resource(&err).with_challenge("as"),
            ErrorResponse::new(kind, None).with_challenge("as"),
        ] {
            assert_eq!(
                response.http_status() == 401,
                response.www_authenticate().is_some(),
                "{kind:?}: {response:?}"
            );
        }
    }
    let client = Error::new(
        ErrorKind::OauthInvalidClient,
        "client authentication failed",
    );
    assert_eq!(
        ErrorResponse::for_token_endpoint(&client, "https://as.example").www_authenticate(),
        Some(r#"Basic realm="https://as.example""#)
    );
    let token = Error::new(ErrorKind::OauthInvalidToken, "d");
    assert_eq!(
        ErrorResponse::for_token_endpoint(&token, "r").www_authenticate(),
        Some(r#"Bearer realm="r", error="invalid_token", error_description="d""#)
    );
    // An existing challenge stays.
    let r = ErrorResponse::new(ErrorKind::OauthInvalidToken, None)
        .with_bearer_challenge("api", None)
        .with_challenge("other");
    assert_eq!(
        r.www_authenticate(),
        Some(r#"Bearer realm="api", error="invalid_token""#)
    );
}

#[test]
fn challenges_only_for_their_codes() {
    let r = ErrorResponse::new(ErrorKind::OauthInvalidGrant, None).with_basic_challenge("r");
    assert_eq!(r.www_authenticate(), None);
    let r = ErrorResponse::new(ErrorKind::OauthServerError, None).with_bearer_challenge("r", None);
    assert_eq!(r.www_authenticate(), None);
    let r = ErrorResponse::new(ErrorKind::OauthInvalidRequest, None)
        .with_bearer_challenge("r", Some("s"));
    assert_eq!(
        r.www_authenticate(),
        Some(r#"Bearer realm="r", error="invalid_request""#)
    );
    assert_eq!(r.headers().len(), 4);
    assert_eq!(
        ErrorResponse::new(ErrorKind::OauthInvalidRequest, None)
            .headers()
            .len(),
        3
    );
}

// ---- DPoP (RFC 9449 §7.1, §9) ----------------------------------------------------------------

use crate::jwt::Algorithm;

#[test]
fn dpop_errors_are_401_at_a_resource_server_and_400_at_the_token_endpoint() {
    for kind in [
        ErrorKind::DpopSignature,
        ErrorKind::DpopReplay,
        ErrorKind::DpopProofRequired,
        ErrorKind::OauthInvalidDpopProof,
    ] {
        let err = Error::new(kind, "d");
        let rs = ErrorResponse::for_resource(&err);
        assert_eq!(
            (rs.error(), rs.http_status()),
            ("invalid_dpop_proof", 401),
            "{kind:?}"
        );
        let rs = ErrorResponse::resource(kind, None);
        assert_eq!(rs.http_status(), 401, "{kind:?}");
        let at = ErrorResponse::from_error(&err);
        assert_eq!(
            (at.error(), at.http_status()),
            ("invalid_dpop_proof", 400),
            "{kind:?}"
        );
        assert_eq!(
            ErrorResponse::for_token_endpoint(&err, "as").www_authenticate(),
            None
        );
    }
    for kind in [
        ErrorKind::DpopNonceRequired,
        ErrorKind::DpopNonceInvalid,
        ErrorKind::OauthUseDpopNonce,
    ] {
        let err = Error::new(kind, "d");
        let rs = ErrorResponse::for_resource(&err);
        assert_eq!(
            (rs.error(), rs.http_status()),
            ("use_dpop_nonce", 401),
            "{kind:?}"
        );
        assert_eq!(
            ErrorResponse::from_error(&err).http_status(),
            400,
            "{kind:?}"
        );
    }
    assert_eq!(ErrorKind::OauthInvalidDpopProof.http_status(), Some(400));
    // Other kinds keep their status at a resource server.
    let rs = ErrorResponse::for_resource(&Error::new(ErrorKind::Expired, "d"));
    assert_eq!((rs.error(), rs.http_status()), ("invalid_token", 401));
    let rs = ErrorResponse::resource(ErrorKind::ScopeNotGranted, None);
    assert_eq!((rs.error(), rs.http_status()), ("insufficient_scope", 403));
    // The default challenge of a resource server's DPoP error is DPoP.
    let rs = ErrorResponse::for_resource(&Error::new(ErrorKind::DpopNonceRequired, "need one"))
        .with_challenge("api");
    assert_eq!(
        rs.www_authenticate(),
        Some(r#"DPoP realm="api", error="use_dpop_nonce", error_description="need one""#)
    );
}

#[test]
fn dpop_challenge_strings() {
    let algs = [Algorithm::ES256, Algorithm::PS256];
    assert_eq!(dpop_challenge(None, &algs), r#"DPoP algs="ES256 PS256""#);
    assert_eq!(
        dpop_challenge(Some("api"), &algs),
        r#"DPoP realm="api", algs="ES256 PS256""#
    );
    assert_eq!(
        dpop_challenge(Some("a\"b\r\n"), &[]),
        r#"DPoP realm="a\"b??""#
    );
    assert_eq!(dpop_challenge(None, &[]), "DPoP");
    let r = ErrorResponse::resource(ErrorKind::DpopSignature, Some("bad proof"))
        .with_dpop_challenge(Some("api"), &algs);
    assert_eq!(
        r.www_authenticate(),
        Some(
            r#"DPoP realm="api", error="invalid_dpop_proof", error_description="bad proof", algs="ES256 PS256""#
        )
    );
    assert_eq!(r.http_status(), 401);
    // Marked as a resource server's response even when built with `new`.
    let r = ErrorResponse::new(ErrorKind::OauthUseDpopNonce, None).with_dpop_challenge(None, &[]);
    assert_eq!(
        (r.http_status(), r.www_authenticate()),
        (401, Some(r#"DPoP error="use_dpop_nonce""#))
    );
    for kind in [
        ErrorKind::OauthInvalidToken,
        ErrorKind::OauthInvalidRequest,
        ErrorKind::OauthInsufficientScope,
    ] {
        let r = ErrorResponse::new(kind, None).with_dpop_challenge(Some("r"), &[]);
        assert_eq!(
            r.www_authenticate(),
            Some(format!("DPoP realm=\"r\", error=\"{}\"", r.error()).as_str())
        );
    }
    for kind in [
        ErrorKind::OauthServerError,
        ErrorKind::OauthTemporarilyUnavailable,
    ] {
        let r = ErrorResponse::new(kind, None).with_dpop_challenge(Some("r"), &algs);
        assert_eq!(r.www_authenticate(), None, "{kind:?}");
    }
}

#[test]
fn dpop_challenge_comes_before_bearer() {
    let algs = [Algorithm::ES256];
    let r = ErrorResponse::for_resource(&Error::new(ErrorKind::DpopBoundToken, "bound"))
        .with_challenges("api", Some(&algs), None);
    assert_eq!(
        r.www_authenticate(),
        Some(
            r#"DPoP realm="api", error="invalid_token", error_description="bound", algs="ES256", Bearer realm="api", error="invalid_token", error_description="bound""#
        )
    );
    // A DPoP error: the Bearer challenge is bare.
    let r = ErrorResponse::for_resource(&Error::new(ErrorKind::DpopAth, "ath")).with_challenges(
        "api",
        Some(&algs),
        None,
    );
    assert_eq!(
        r.www_authenticate(),
        Some(
            r#"DPoP realm="api", error="invalid_dpop_proof", error_description="ath", algs="ES256", Bearer realm="api""#
        )
    );
    assert_eq!(r.http_status(), 401);
    // insufficient_scope: scope in both, quoted and sanitized.
    let r = ErrorResponse::resource(ErrorKind::ScopeNotGranted, None).with_challenges(
        "api",
        Some(&algs),
        Some("read \"x\"\n"),
    );
    let challenge = r.www_authenticate().unwrap();
    assert!(challenge.starts_with("DPoP "), "{challenge}");
    assert_eq!(
        challenge.matches(r#"scope="read ?x??""#).count(),
        2,
        "{challenge}"
    );
    assert!(
        challenge.find("DPoP").unwrap() < challenge.find("Bearer").unwrap(),
        "{challenge}"
    );
    // Without DPoP: the Bearer challenge alone, as before.
    let r =
        ErrorResponse::resource(ErrorKind::Expired, Some("old")).with_challenges("api", None, None);
    assert_eq!(
        r.www_authenticate(),
        Some(r#"Bearer realm="api", error="invalid_token", error_description="old""#)
    );
    // No challenge for server errors.
    let r = ErrorResponse::resource(ErrorKind::RandomFailure, None).with_challenges(
        "api",
        Some(&algs),
        None,
    );
    assert_eq!((r.www_authenticate(), r.http_status()), (None, 500));
}

#[test]
fn token_type_follows_the_binding() {
    let r = TokenResponse::bearer("at", 60).with_token_type("DPoP");
    assert_eq!(
        r.to_json(),
        r#"{"access_token":"at","token_type":"DPoP","expires_in":60}"#
    );
}
