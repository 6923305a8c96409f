//! Unit tests of the state machines, below the authorization endpoint.

use crate::SystemRandom;

use super::authorize::CodeGrant;
use super::*;
use crate::ErrorKind;
use crate::jwt::Algorithm;
use crate::pkce::{ChallengeMethod, CodeVerifier};
use crate::scope::ScopeSet;
use crate::token::Pepper;
use crate::wire::TokenRequest;

const NOW: i64 = 1_800_000_000;

struct Fx {
    issuer: Issuer,
    rng: SystemRandom,
}

fn fx(tweak: impl FnOnce(&mut PolicyConfig)) -> Fx {
    let rng = SystemRandom::new();
    let mut config = PolicyConfig::new("https://as.example", vec!["api".to_owned()]);
    tweak(&mut config);
    let policy = Policy::new(config).unwrap();
    let peppers = Peppers::new(Pepper::new("p1", &[1u8; 32]).unwrap());
    let key = Key::generate(Algorithm::ES256, &rng).unwrap();
    Fx {
        issuer: Issuer::new(policy, key, peppers).unwrap(),
        rng,
    }
}

fn client(kind: ClientKind) -> Client {
    Client {
        client_id: "app".to_owned(),
        kind,
        redirect_uris: vec!["https://app.example/cb".to_owned()],
        allowed_scope: ScopeSet::parse("read write").unwrap(),
        default_scope: None,
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        secret_hash: None,
        dpop_bound_access_tokens: false,
    }
}

impl Fx {
    fn code(&self, client: &Client, verifier: Option<&CodeVerifier>) -> (String, GrantState) {
        let grant = CodeGrant {
            client,
            scope: ScopeSet::parse("read write").unwrap(),
            redirect_uri: "https://app.example/cb".to_owned(),
            redirect_uri_sent: true,
            pkce: verifier.map(|v| PkceChallenge::new(v.challenge_s256(), ChallengeMethod::S256)),
            dpop_jkt: None,
        };
        let (code, state, effects) = self
            .issuer
            .issue_code(grant, "user", NOW, &self.rng)
            .unwrap();
        assert_eq!(effects.len(), 1);
        (code, state)
    }

    fn redeem(&self, code: &str, verifier: Option<&CodeVerifier>) -> TokenRequest {
        TokenRequest::AuthorizationCode {
            code: code.to_owned(),
            redirect_uri: Some("https://app.example/cb".to_owned()),
            code_verifier: verifier.map(|v| v.as_str().to_owned()),
            client_id: None,
        }
    }
}

#[test]
fn exchange_then_replay_revokes_everything() {
    let f = fx(|_| {});
    let app = client(ClientKind::Public);
    let auth = AuthenticatedClient::for_tests(&app);
    let v = CodeVerifier::generate(&f.rng).unwrap();
    let (code, s1) = f.code(&app, Some(&v));
    let out = f.issuer.token(
        &auth,
        Some(&s1),
        &f.redeem(&code, Some(&v)),
        None,
        NOW + 1,
        &f.rng,
    );
    let tokens = out.result.unwrap();
    let s2 = out.state.unwrap();
    assert_eq!(s2.version(), 2);
    assert_eq!(s2.code().unwrap().status, TokenStatus::Consumed);
    assert_eq!(s2.refresh_tokens().len(), 1);
    assert_eq!(s2.access_tokens().len(), 1);
    assert!(tokens.refresh_token.is_some());
    assert!(matches!(
        &out.effects[..],
        [Effect::Index {
            kind: TokenKind::RefreshToken,
            ..
        }]
    ));

    let out = f.issuer.token(
        &auth,
        Some(&s2),
        &f.redeem(&code, Some(&v)),
        None,
        NOW + 2,
        &f.rng,
    );
    assert_eq!(out.result.unwrap_err().kind(), ErrorKind::OauthInvalidGrant);
    let s3 = out.state.unwrap();
    assert_eq!(s3.version(), 3);
    assert_eq!(
        s3.status(),
        FamilyStatus::Revoked {
            reason: RevocationReason::CodeReplay,
            at: NOW + 2
        }
    );
    assert_eq!(s3.refresh_tokens()[0].status, TokenStatus::Revoked);
    let Effect::RevokeFamily {
        access_tokens,
        lookups,
        ..
    } = &out.effects[0]
    else {
        panic!("{:?}", out.effects)
    };
    assert_eq!(access_tokens[0].jti, tokens.jti);
    assert_eq!(lookups.len(), 2);
}

#[test]
fn grace_retry_supersedes_the_unused_successor() {
    let f = fx(|c| c.refresh_reuse_grace_seconds = 10);
    let app = client(ClientKind::Public);
    let auth = AuthenticatedClient::for_tests(&app);
    let (code, s) = f.code(&app, None);
    let out = f
        .issuer
        .token(&auth, Some(&s), &f.redeem(&code, None), None, NOW, &f.rng);
    let rt1 = out.result.unwrap().refresh_token.unwrap();
    let s = out.state.unwrap();
    let req = |t: &str| TokenRequest::RefreshToken {
        refresh_token: t.to_owned(),
        scope: None,
    };
    let out = f
        .issuer
        .token(&auth, Some(&s), &req(&rt1), None, NOW + 100, &f.rng);
    let rt2 = out.result.unwrap().refresh_token.unwrap();
    let s = out.state.unwrap();
    // Lost response: retry rt1 within the window.
    let out = f
        .issuer
        .token(&auth, Some(&s), &req(&rt1), None, NOW + 105, &f.rng);
    let rt3 = out.result.unwrap().refresh_token.unwrap();
    let s = out.state.unwrap();
    let statuses: Vec<_> = s.refresh_tokens().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            TokenStatus::Consumed,
            TokenStatus::Superseded,
            TokenStatus::Active
        ]
    );
    assert_eq!(s.refresh_tokens()[0].successor, Some(3));
    assert_eq!(s.refresh_tokens()[1].successor, Some(3));
    // The superseded rt2 is reuse.
    let out = f
        .issuer
        .token(&auth, Some(&s), &req(&rt2), None, NOW + 106, &f.rng);
    assert_eq!(out.result.unwrap_err().kind(), ErrorKind::OauthInvalidGrant);
    assert!(!out.state.unwrap().is_active());
    // rt3 was fine before that.
    let out = f
        .issuer
        .token(&auth, Some(&s), &req(&rt3), None, NOW + 107, &f.rng);
    assert!(out.result.is_ok());
    // Outside the window a retry of rt1 is reuse.
    let out = f
        .issuer
        .token(&auth, Some(&s), &req(&rt1), None, NOW + 111, &f.rng);
    assert_eq!(out.result.unwrap_err().kind(), ErrorKind::OauthInvalidGrant);
    assert!(matches!(
        out.state.unwrap().status(),
        FamilyStatus::Revoked {
            reason: RevocationReason::RefreshReuse,
            ..
        }
    ));
}

#[test]
fn history_is_bounded_and_unindexed() {
    let f = fx(|c| c.refresh_history = 2);
    let app = client(ClientKind::Public);
    let auth = AuthenticatedClient::for_tests(&app);
    let (code, s) = f.code(&app, None);
    let out = f
        .issuer
        .token(&auth, Some(&s), &f.redeem(&code, None), None, NOW, &f.rng);
    let mut rt = out.result.unwrap().refresh_token.unwrap();
    let mut s = out.state.unwrap();
    let mut unindexed = 0;
    for i in 1..=5 {
        let req = TokenRequest::RefreshToken {
            refresh_token: rt,
            scope: None,
        };
        let out = f.issuer.token(&auth, Some(&s), &req, None, NOW + i, &f.rng);
        rt = out.result.unwrap().refresh_token.unwrap();
        unindexed += out
            .effects
            .iter()
            .filter(|e| matches!(e, Effect::Unindex { .. }))
            .count();
        s = out.state.unwrap();
        assert!(s.refresh_tokens().len() <= 3);
    }
    assert_eq!(unindexed, 3);
    assert_eq!(s.refresh_tokens().last().unwrap().seq, 6);
    assert_eq!(GrantState::from_json(&s.to_json()).unwrap(), s);
}

#[test]
fn access_token_records_expire_from_the_state() {
    let f = fx(|c| c.access_token_lifetime = 10);
    let app = client(ClientKind::Public);
    let auth = AuthenticatedClient::for_tests(&app);
    let (code, s) = f.code(&app, None);
    let out = f
        .issuer
        .token(&auth, Some(&s), &f.redeem(&code, None), None, NOW, &f.rng);
    let rt = out.result.unwrap().refresh_token.unwrap();
    let s = out.state.unwrap();
    let req = TokenRequest::RefreshToken {
        refresh_token: rt,
        scope: None,
    };
    let out = f
        .issuer
        .token(&auth, Some(&s), &req, None, NOW + 20, &f.rng);
    let s = out.state.unwrap();
    assert_eq!(s.access_tokens().len(), 1);
    assert_eq!(s.access_tokens()[0].issued_at, NOW + 20);
}

#[test]
fn state_checks() {
    let f = fx(|_| {});
    let app = client(ClientKind::Public);
    let (_, mut s) = f.code(&app, None);
    s.set_version_for_tests(0);
    assert_eq!(
        GrantState::from_json(&s.to_json()).unwrap_err().kind(),
        ErrorKind::InvalidJson
    );
}

// ---- DPoP (RFC 9449) and certificate (RFC 8705) binding -------------------------------------

const JKT_A: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
const JKT_B: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

fn jkt(thumbprint: &str) -> Confirmation {
    Confirmation::jkt(thumbprint).unwrap()
}

fn refresh_request(token: &str) -> TokenRequest {
    TokenRequest::RefreshToken {
        refresh_token: token.to_owned(),
        scope: None,
    }
}

impl Fx {
    /// A code whose authorization request carried `dpop_jkt`.
    fn code_bound(&self, client: &Client, dpop_jkt: &str) -> (String, GrantState) {
        let grant = CodeGrant {
            client,
            scope: ScopeSet::parse("read write").unwrap(),
            redirect_uri: "https://app.example/cb".to_owned(),
            redirect_uri_sent: true,
            pkce: None,
            dpop_jkt: Some(dpop_jkt.to_owned()),
        };
        let (code, state, _) = self
            .issuer
            .issue_code(grant, "user", NOW, &self.rng)
            .unwrap();
        (code, state)
    }

    /// The verified claims of an access token this issuer minted.
    fn claims(&self, token: &str) -> serde_json::Map<String, serde_json::Value> {
        self.issuer
            .access_verifier
            .verify(token, NOW + 100)
            .unwrap()
            .claims()
            .clone()
    }
}

use crate::dpop::Confirmation;

#[test]
fn dpop_bound_access_token_carries_cnf_and_token_type_rfc9449_5_6_1() {
    let f = fx(|_| {});
    let app = client(ClientKind::Public);
    let auth = AuthenticatedClient::for_tests(&app);
    let (code, s) = f.code(&app, None);
    let cnf = jkt(JKT_A);
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &f.redeem(&code, None),
        Some(&cnf),
        NOW,
        &f.rng,
    );
    let tokens = out.result.unwrap();
    assert_eq!(tokens.cnf.as_ref(), Some(&cnf));
    assert_eq!(tokens.token_type(), "DPoP");
    let claims = f.claims(&tokens.access_token);
    assert_eq!(claims["cnf"], serde_json::json!({ "jkt": JKT_A }));
    let body = tokens.to_response().to_json();
    assert!(body.contains(r#""token_type":"DPoP""#), "{body}");
    // Unbound: Bearer, no cnf.
    let (code, s) = f.code(&app, None);
    let out = f
        .issuer
        .token(&auth, Some(&s), &f.redeem(&code, None), None, NOW, &f.rng);
    let tokens = out.result.unwrap();
    assert_eq!(tokens.token_type(), "Bearer");
    assert!(!f.claims(&tokens.access_token).contains_key("cnf"));
    assert!(
        tokens
            .to_response()
            .to_json()
            .contains(r#""token_type":"Bearer""#)
    );
}

#[test]
fn certificate_bound_token_is_bearer_with_x5t_rfc8705_3_1() {
    let f = fx(|_| {});
    let mut svc = client(ClientKind::Confidential);
    svc.grant_types = vec![GrantType::ClientCredentials];
    let auth = AuthenticatedClient::for_tests(&svc);
    let cnf = Confirmation::certificate(&[0x30, 0x03, 0x02, 0x01, 0x05]).unwrap();
    let request = TokenRequest::ClientCredentials {
        scope: Some("read".into()),
    };
    let out = f
        .issuer
        .token(&auth, None, &request, Some(&cnf), NOW, &f.rng);
    let tokens = out.result.unwrap();
    assert_eq!(tokens.token_type(), "Bearer");
    let x5t = cnf.x5t_s256.clone().unwrap();
    assert_eq!(
        f.claims(&tokens.access_token)["cnf"],
        serde_json::json!({ "x5t#S256": x5t })
    );
    // Both bindings at once: DPoP.
    let both = Confirmation::new(Some(JKT_A.into()), Some(x5t.clone())).unwrap();
    let tokens = f
        .issuer
        .token(&auth, None, &request, Some(&both), NOW, &f.rng)
        .result
        .unwrap();
    assert_eq!(tokens.token_type(), "DPoP");
    assert_eq!(
        f.claims(&tokens.access_token)["cnf"],
        serde_json::json!({ "jkt": JKT_A, "x5t#S256": x5t })
    );
}

#[test]
fn dpop_jkt_bound_code_needs_that_key_rfc9449_10() {
    let f = fx(|_| {});
    let app = client(ClientKind::Public);
    let auth = AuthenticatedClient::for_tests(&app);
    for (cnf, rule) in [
        (None, "DPoP proof is required"),
        (Some(jkt(JKT_B)), "not the dpop_jkt"),
        (
            Some(Confirmation::certificate(&[0x30, 0x00]).unwrap()),
            "DPoP proof is required",
        ),
    ] {
        let (code, s) = f.code_bound(&app, JKT_A);
        assert_eq!(s.code().unwrap().dpop_jkt.as_deref(), Some(JKT_A));
        let out = f.issuer.token(
            &auth,
            Some(&s),
            &f.redeem(&code, None),
            cnf.as_ref(),
            NOW,
            &f.rng,
        );
        let err = out.result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidGrant);
        assert!(err.detail().contains(rule), "{err:?}");
        assert!(err.detail().contains("RFC 9449 section 10"), "{err:?}");
        // Burned, as other failed redemptions are.
        let burned = out.state.unwrap();
        assert_eq!(burned.code().unwrap().status, TokenStatus::Revoked);
        let retry = f.issuer.token(
            &auth,
            Some(&burned),
            &f.redeem(&code, None),
            Some(&jkt(JKT_A)),
            NOW,
            &f.rng,
        );
        assert_eq!(
            retry.result.unwrap_err().kind(),
            ErrorKind::OauthInvalidGrant
        );
    }
    // Without burning, nothing changes.
    let f2 = fx(|c| c.burn_code_on_failed_redemption = false);
    let (code, s) = f2.code_bound(&app, JKT_A);
    let out = f2
        .issuer
        .token(&auth, Some(&s), &f2.redeem(&code, None), None, NOW, &f2.rng);
    assert!(out.result.is_err() && !out.changes_state());
    // The right key redeems it.
    let (code, s) = f.code_bound(&app, JKT_A);
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &f.redeem(&code, None),
        Some(&jkt(JKT_A)),
        NOW,
        &f.rng,
    );
    assert_eq!(out.result.unwrap().token_type(), "DPoP");
    // The state JSON keeps the binding and reads back.
    let state = out.state.unwrap();
    assert_eq!(GrantState::from_json(&state.to_json()).unwrap(), state);
}

#[test]
fn public_client_refresh_tokens_are_bound_to_the_dpop_key_rfc9449_5() {
    let f = fx(|_| {});
    let app = client(ClientKind::Public);
    let auth = AuthenticatedClient::for_tests(&app);
    let (code, s) = f.code(&app, None);
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &f.redeem(&code, None),
        Some(&jkt(JKT_A)),
        NOW,
        &f.rng,
    );
    let rt = out.result.unwrap().refresh_token.unwrap();
    let s = out.state.unwrap();
    assert_eq!(s.dpop_jkt(), Some(JKT_A));
    for cnf in [
        None,
        Some(jkt(JKT_B)),
        Some(Confirmation::certificate(&[0x30, 0x00]).unwrap()),
    ] {
        let out = f.issuer.token(
            &auth,
            Some(&s),
            &refresh_request(&rt),
            cnf.as_ref(),
            NOW + 1,
            &f.rng,
        );
        let err = out.result.as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidGrant, "{cnf:?}");
        assert!(err.detail().contains("RFC 9449 section 5"), "{err:?}");
        assert!(!out.changes_state(), "no state change: {cnf:?}");
    }
    // A reused (consumed) token without the key does not revoke the family either.
    let ok = f.issuer.token(
        &auth,
        Some(&s),
        &refresh_request(&rt),
        Some(&jkt(JKT_A)),
        NOW + 2,
        &f.rng,
    );
    let tokens = ok.result.unwrap();
    assert_eq!(tokens.token_type(), "DPoP");
    let s2 = ok.state.unwrap();
    assert_eq!(s2.dpop_jkt(), Some(JKT_A), "rotation keeps the binding");
    let replay = f.issuer.token(
        &auth,
        Some(&s2),
        &refresh_request(&rt),
        None,
        NOW + 3,
        &f.rng,
    );
    assert!(replay.result.is_err() && !replay.changes_state());
    // With the key, reuse is reuse: the family is revoked.
    let replay = f.issuer.token(
        &auth,
        Some(&s2),
        &refresh_request(&rt),
        Some(&jkt(JKT_A)),
        NOW + 3,
        &f.rng,
    );
    assert!(!replay.state.unwrap().is_active());
    // The successor works with the key.
    let rt2 = tokens.refresh_token.unwrap();
    let out = f.issuer.token(
        &auth,
        Some(&s2),
        &refresh_request(&rt2),
        Some(&jkt(JKT_A)),
        NOW + 4,
        &f.rng,
    );
    assert!(out.result.is_ok());
}

#[test]
fn unbound_public_family_stays_unbound() {
    let f = fx(|_| {});
    let app = client(ClientKind::Public);
    let auth = AuthenticatedClient::for_tests(&app);
    let (code, s) = f.code(&app, None);
    let out = f
        .issuer
        .token(&auth, Some(&s), &f.redeem(&code, None), None, NOW, &f.rng);
    let rt = out.result.unwrap().refresh_token.unwrap();
    let s = out.state.unwrap();
    assert_eq!(s.dpop_jkt(), None);
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &refresh_request(&rt),
        Some(&jkt(JKT_B)),
        NOW + 1,
        &f.rng,
    );
    let tokens = out.result.unwrap();
    assert_eq!(tokens.token_type(), "DPoP");
    let s = out.state.unwrap();
    assert_eq!(s.dpop_jkt(), None, "a later proof does not bind the family");
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &refresh_request(&tokens.refresh_token.unwrap()),
        None,
        NOW + 2,
        &f.rng,
    );
    assert_eq!(out.result.unwrap().token_type(), "Bearer");
}

#[test]
fn confidential_client_refresh_tokens_stay_unbound() {
    let f = fx(|_| {});
    let app = client(ClientKind::Confidential);
    let auth = AuthenticatedClient::for_tests(&app);
    let (code, s) = f.code(&app, None);
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &f.redeem(&code, None),
        Some(&jkt(JKT_A)),
        NOW,
        &f.rng,
    );
    let rt = out.result.unwrap().refresh_token.unwrap();
    let s = out.state.unwrap();
    assert_eq!(s.dpop_jkt(), None);
    // Without a proof: a bearer access token.
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &refresh_request(&rt),
        None,
        NOW + 1,
        &f.rng,
    );
    let tokens = out.result.unwrap();
    assert_eq!(tokens.token_type(), "Bearer");
    let s = out.state.unwrap();
    // With another key: the access token gets that request's binding.
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &refresh_request(&tokens.refresh_token.unwrap()),
        Some(&jkt(JKT_B)),
        NOW + 2,
        &f.rng,
    );
    let tokens = out.result.unwrap();
    assert_eq!(
        f.claims(&tokens.access_token)["cnf"],
        serde_json::json!({ "jkt": JKT_B })
    );
}

#[test]
fn dpop_bound_access_tokens_client_needs_a_proof_rfc9449_5_2() {
    let f = fx(|_| {});
    let mut app = client(ClientKind::Public);
    app.dpop_bound_access_tokens = true;
    let auth = AuthenticatedClient::for_tests(&app);
    let (code, s) = f.code(&app, None);
    for cnf in [
        None,
        Some(Confirmation::certificate(&[0x30, 0x00]).unwrap()),
    ] {
        let out = f.issuer.token(
            &auth,
            Some(&s),
            &f.redeem(&code, None),
            cnf.as_ref(),
            NOW,
            &f.rng,
        );
        assert!(!out.changes_state());
        let err = out.result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DpopProofRequired);
        assert_eq!(
            crate::wire::token_error_for(err.kind()).oauth_error(),
            Some("invalid_dpop_proof")
        );
        let response = crate::wire::ErrorResponse::from_error(&err);
        assert_eq!(
            (response.error(), response.http_status()),
            ("invalid_dpop_proof", 400)
        );
    }
    // Also for client credentials and refresh, before anything else.
    let mut svc = client(ClientKind::Confidential);
    svc.grant_types = vec![GrantType::ClientCredentials];
    svc.dpop_bound_access_tokens = true;
    let svc_auth = AuthenticatedClient::for_tests(&svc);
    let cc = TokenRequest::ClientCredentials {
        scope: Some("read".into()),
    };
    let out = f.issuer.token(&svc_auth, None, &cc, None, NOW, &f.rng);
    assert_eq!(out.result.unwrap_err().kind(), ErrorKind::DpopProofRequired);
    assert!(
        f.issuer
            .token(&svc_auth, None, &cc, Some(&jkt(JKT_A)), NOW, &f.rng)
            .result
            .is_ok()
    );
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &f.redeem(&code, None),
        Some(&jkt(JKT_A)),
        NOW,
        &f.rng,
    );
    assert_eq!(out.result.unwrap().token_type(), "DPoP");
    // The registration JSON: the member is read, and omitted when false.
    let json = app.to_json();
    assert!(
        json.contains(r#""dpop_bound_access_tokens":true"#),
        "{json}"
    );
    assert_eq!(Client::from_json(&json).unwrap(), app);
    assert!(!client(ClientKind::Public).to_json().contains("dpop_bound"));
}

#[test]
fn introspection_returns_cnf_rfc9449_6_2() {
    let f = fx(|_| {});
    let app = client(ClientKind::Public);
    let auth = AuthenticatedClient::for_tests(&app);
    let (code, s) = f.code(&app, None);
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &f.redeem(&code, None),
        Some(&jkt(JKT_A)),
        NOW,
        &f.rng,
    );
    let tokens = out.result.unwrap();
    let s = out.state.unwrap();
    let info = f.issuer.introspect(Some(&s), &tokens.access_token, NOW + 1);
    assert!(info.active);
    assert_eq!(info.cnf, Some(jkt(JKT_A)));
    assert_eq!(info.token_type.as_deref(), Some("DPoP"));
    let json = info.to_json();
    assert!(
        json.contains(&format!(r#""cnf":{{"jkt":"{JKT_A}"}}"#)),
        "{json}"
    );
    // The refresh token has no cnf member; an unbound access token neither.
    let rt = tokens.refresh_token.unwrap();
    assert_eq!(f.issuer.introspect(Some(&s), &rt, NOW + 1).cnf, None);
    let out = f.issuer.token(
        &auth,
        Some(&s),
        &refresh_request(&rt),
        Some(&jkt(JKT_A)),
        NOW + 1,
        &f.rng,
    );
    let s = out.state.unwrap();
    let tokens = out.result.unwrap();
    assert!(
        f.issuer
            .introspect(Some(&s), &tokens.access_token, NOW + 1)
            .active
    );
}

#[test]
fn state_dpop_jkt_members_are_checked() {
    let f = fx(|_| {});
    let app = client(ClientKind::Public);
    let (_, s) = f.code_bound(&app, JKT_A);
    let json = s.to_json();
    assert!(json.contains(&format!(r#""dpop_jkt":"{JKT_A}""#)), "{json}");
    let bad = json.replace(JKT_A, "short");
    assert_eq!(
        GrantState::from_json(&bad).unwrap_err().kind(),
        ErrorKind::InvalidJson
    );
    let (_, plain) = f.code(&app, None);
    assert!(!plain.to_json().contains("dpop_jkt"));
}
