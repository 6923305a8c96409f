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
        .token(&auth, Some(&s), &f.redeem(&code, None), NOW, &f.rng);
    let rt1 = out.result.unwrap().refresh_token.unwrap();
    let s = out.state.unwrap();
    let req = |t: &str| TokenRequest::RefreshToken {
        refresh_token: t.to_owned(),
        scope: None,
    };
    let out = f
        .issuer
        .token(&auth, Some(&s), &req(&rt1), NOW + 100, &f.rng);
    let rt2 = out.result.unwrap().refresh_token.unwrap();
    let s = out.state.unwrap();
    // Lost response: retry rt1 within the window.
    let out = f
        .issuer
        .token(&auth, Some(&s), &req(&rt1), NOW + 105, &f.rng);
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
        .token(&auth, Some(&s), &req(&rt2), NOW + 106, &f.rng);
    assert_eq!(out.result.unwrap_err().kind(), ErrorKind::OauthInvalidGrant);
    assert!(!out.state.unwrap().is_active());
    // rt3 was fine before that.
    let out = f
        .issuer
        .token(&auth, Some(&s), &req(&rt3), NOW + 107, &f.rng);
    assert!(out.result.is_ok());
    // Outside the window a retry of rt1 is reuse.
    let out = f
        .issuer
        .token(&auth, Some(&s), &req(&rt1), NOW + 111, &f.rng);
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
        .token(&auth, Some(&s), &f.redeem(&code, None), NOW, &f.rng);
    let mut rt = out.result.unwrap().refresh_token.unwrap();
    let mut s = out.state.unwrap();
    let mut unindexed = 0;
    for i in 1..=5 {
        let req = TokenRequest::RefreshToken {
            refresh_token: rt,
            scope: None,
        };
        let out = f.issuer.token(&auth, Some(&s), &req, NOW + i, &f.rng);
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
        .token(&auth, Some(&s), &f.redeem(&code, None), NOW, &f.rng);
    let rt = out.result.unwrap().refresh_token.unwrap();
    let s = out.state.unwrap();
    let req = TokenRequest::RefreshToken {
        refresh_token: rt,
        scope: None,
    };
    let out = f.issuer.token(&auth, Some(&s), &req, NOW + 20, &f.rng);
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
