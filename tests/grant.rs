//! Integration tests for `tessera::grant`: every grant walked through its happy path and every
//! rejection, asserting the exact error kind (hence RFC 6749 code and HTTP status), the new state
//! (statuses, version) and the effects. Test names cite the RFC requirement they check.

#![allow(clippy::unwrap_used, clippy::panic)]

use proptest::prelude::*;
use serde_json::Value;
use tessera::SystemRandom;
use tessera::dpop::Confirmation;
use tessera::grant::{
    AuthMethod, AuthorizeOutcome, Client, ClientKind, Effect, FamilyStatus, GrantKind, GrantState,
    GrantType, Issuer, Locator, Outcome, Policy, PolicyConfig, RevocationReason, TokenStatus,
    Tokens,
};
use tessera::jwt::{Algorithm, Key, Verifier};
use tessera::pkce::CodeVerifier;
use tessera::scope::ScopeSet;
use tessera::token::{Pepper, Peppers, TokenKind};
use tessera::wire::{
    AuthorizeRequest, ClientAuth, ErrorResponse, Form, ResponseMode, TokenRequest, client_auth,
};
use tessera::{Error, ErrorKind};

const NOW: i64 = 1_800_000_000;
const ISS: &str = "https://as.example";
const DAY: i64 = 86_400;
const SECRET: &str = "conf-secret-0123456789";
const PUB_CB: &str = "https://app.example/cb";
const CONF_CB: &str = "https://conf.example/cb";
/// RFC 7638 §3.1's example thumbprint, and another one.
const JKT: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
const OTHER_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

// ---- fixture ------------------------------------------------------------------------------------

struct Env {
    issuer: Issuer,
    rng: SystemRandom,
    public: Client,
    conf: Client,
    implicit: Client,
}

fn peppers() -> Peppers {
    Peppers::new(Pepper::new("p2", &[2u8; 32]).unwrap())
        .with_previous(Pepper::new("p1", &[1u8; 32]).unwrap())
        .unwrap()
}

fn env_with(tweak: impl FnOnce(&mut PolicyConfig)) -> Env {
    let rng = SystemRandom::new();
    let mut config = PolicyConfig::new(ISS, vec!["api".to_owned()]);
    tweak(&mut config);
    let policy = Policy::new(config).unwrap();
    let key = Key::generate(Algorithm::ES256, &rng)
        .unwrap()
        .with_kid("k1");
    let peppers = peppers();
    // The secret was hashed under the previous pepper: it must still verify.
    let old = Peppers::new(Pepper::new("p1", &[1u8; 32]).unwrap());
    let public = Client::from_json(&format!(
        r#"{{"client_id":"pub","kind":"public",
            "redirect_uris":["{PUB_CB}","http://127.0.0.1/cb"],
            "allowed_scope":"read write","default_scope":"read",
            "grant_types":["authorization_code","refresh_token"]}}"#
    ))
    .unwrap();
    let conf = Client::from_json(&format!(
        r#"{{"client_id":"conf","kind":"confidential","redirect_uris":["{CONF_CB}"],
            "allowed_scope":"read write",
            "grant_types":["authorization_code","refresh_token","client_credentials"],
            "secret_hash":"{}"}}"#,
        old.lookup(SECRET)
    ))
    .unwrap();
    let implicit = Client::from_json(
        r#"{"client_id":"imp","kind":"public","redirect_uris":["https://spa.example/cb"],
            "allowed_scope":"read","grant_types":["implicit"]}"#,
    )
    .unwrap();
    Env {
        issuer: Issuer::new(policy, key, peppers).unwrap(),
        rng,
        public,
        conf,
        implicit,
    }
}

fn env() -> Env {
    env_with(|_| {})
}

fn kind<T: std::fmt::Debug>(r: &tessera::Result<T>) -> ErrorKind {
    r.as_ref().unwrap_err().kind()
}

/// The (error code, HTTP status) the host sends for this error.
fn wire(err: &Error) -> (&'static str, u16) {
    let r = ErrorResponse::from_error(err);
    (r.error(), r.http_status())
}

fn access_verifier(issuer: &Issuer, typ: &str) -> Verifier {
    Verifier::builder(issuer.signing_key().public_key().unwrap())
        .issuer(ISS)
        .audience("api")
        .typ(typ)
        .build()
        .unwrap()
}

impl Env {
    fn client(&self, id: &str) -> &Client {
        match id {
            "pub" => &self.public,
            "conf" => &self.conf,
            "imp" => &self.implicit,
            _ => panic!("no client {id}"),
        }
    }

    /// A valid authorization request for `client_id` (S256 PKCE for `pub`).
    fn request(&self, client_id: &str, verifier: &CodeVerifier) -> AuthorizeRequest {
        let (cb, pkce) = match client_id {
            "pub" => (PUB_CB, true),
            "conf" => (CONF_CB, false),
            _ => ("https://spa.example/cb", false),
        };
        AuthorizeRequest {
            response_type: if client_id == "imp" { "token" } else { "code" }.to_owned(),
            client_id: client_id.to_owned(),
            redirect_uri: Some(cb.to_owned()),
            scope: Some(
                if client_id == "imp" {
                    "read"
                } else {
                    "read write"
                }
                .to_owned(),
            ),
            state: Some("xyz".to_owned()),
            code_challenge: pkce.then(|| verifier.challenge_s256()),
            code_challenge_method: pkce.then(|| "S256".to_owned()),
            nonce: None,
            dpop_jkt: None,
        }
    }

    fn authorize(&self, request: &AuthorizeRequest) -> AuthorizeOutcome {
        self.issuer.authorize(
            Some(self.client(&request.client_id)),
            request,
            "user-42",
            NOW,
            &self.rng,
        )
    }

    /// Authorize for `client_id`; returns the code, the verifier and the new family.
    fn code(&self, client_id: &str) -> (String, CodeVerifier, GrantState) {
        let verifier = CodeVerifier::generate(&self.rng).unwrap();
        let AuthorizeOutcome::Granted {
            redirect, state, ..
        } = self.authorize(&self.request(client_id, &verifier))
        else {
            panic!("authorization refused")
        };
        (redirect.param("code").unwrap(), verifier, *state)
    }

    fn auth(&self, client_id: &str) -> tessera::grant::AuthenticatedClient<'_> {
        let client = self.client(client_id);
        let secret = (client.kind == ClientKind::Confidential).then_some(SECRET);
        self.issuer
            .authenticate(Some(client), client_id, secret)
            .unwrap()
    }

    fn redeem(&self, code: &str, verifier: Option<&CodeVerifier>, cb: &str) -> TokenRequest {
        TokenRequest::AuthorizationCode {
            code: code.to_owned(),
            redirect_uri: Some(cb.to_owned()),
            code_verifier: verifier.map(|v| v.as_str().to_owned()),
            client_id: None,
        }
    }

    fn token(
        &self,
        client_id: &str,
        state: Option<&GrantState>,
        request: &TokenRequest,
        now: i64,
    ) -> Outcome<Tokens> {
        self.issuer
            .token(&self.auth(client_id), state, request, None, now, &self.rng)
    }

    /// A public client's family after the code exchange: tokens and state (version 2).
    fn exchanged(&self) -> (Tokens, GrantState) {
        let (code, verifier, state) = self.code("pub");
        let out = self.token(
            "pub",
            Some(&state),
            &self.redeem(&code, Some(&verifier), PUB_CB),
            NOW + 1,
        );
        (out.result.unwrap(), out.state.unwrap())
    }
}

fn refresh_request(token: &str, scope: Option<&str>) -> TokenRequest {
    TokenRequest::RefreshToken {
        refresh_token: token.to_owned(),
        scope: scope.map(str::to_owned),
    }
}

fn statuses(state: &GrantState) -> Vec<TokenStatus> {
    state.refresh_tokens().iter().map(|r| r.status).collect()
}

// ---- authorization endpoint ----------------------------------------------------------------------

#[derive(Debug)]
enum Expect {
    Fatal(ErrorKind),
    Rejected(ErrorKind, ResponseMode),
    Granted,
}

#[test]
fn authorization_endpoint_table() {
    use ErrorKind as K;
    use Expect::{Fatal, Granted, Rejected};
    use ResponseMode::{Fragment, Query};
    type Tweak = fn(&mut AuthorizeRequest);
    let cases: &[(&str, &str, Tweak, Expect)] = &[
        ("happy path, S256", "pub", |_| {}, Granted),
        (
            "RFC 9449 §10: a dpop_jkt thumbprint binds the code",
            "pub",
            |r| r.dpop_jkt = Some(JKT.into()),
            Granted,
        ),
        (
            "RFC 9449 §10: dpop_jkt must be a SHA-256 thumbprint",
            "pub",
            |r| r.dpop_jkt = Some("not-a-thumbprint".into()),
            Rejected(K::OauthInvalidRequest, Query),
        ),
        (
            "RFC 9449 §10: dpop_jkt with stray bits",
            "pub",
            |r| r.dpop_jkt = Some(format!("{}B", &JKT[..42])),
            Rejected(K::OauthInvalidRequest, Query),
        ),
        // RFC 6749 §4.1.2.1: client and redirect URI problems are never redirected.
        (
            "client_id differs from the registration",
            "pub",
            |r| r.client_id = "other".into(),
            Fatal(K::OauthInvalidRequest),
        ),
        (
            "unregistered redirect_uri",
            "pub",
            |r| r.redirect_uri = Some("https://evil.example/cb".into()),
            Fatal(K::OauthInvalidRequest),
        ),
        (
            "RFC 9700 §2.1: exact match, no trailing slash",
            "pub",
            |r| r.redirect_uri = Some(format!("{PUB_CB}/")),
            Fatal(K::OauthInvalidRequest),
        ),
        (
            "exact match, no extra query",
            "pub",
            |r| r.redirect_uri = Some(format!("{PUB_CB}?x=1")),
            Fatal(K::OauthInvalidRequest),
        ),
        (
            "exact match, case matters",
            "pub",
            |r| r.redirect_uri = Some("https://APP.example/cb".into()),
            Fatal(K::OauthInvalidRequest),
        ),
        (
            "RFC 6749 §3.1.2: no fragment",
            "pub",
            |r| r.redirect_uri = Some(format!("{PUB_CB}#f")),
            Fatal(K::OauthInvalidRequest),
        ),
        (
            "RFC 8252 §7.3: loopback port may vary",
            "pub",
            |r| r.redirect_uri = Some("http://127.0.0.1:49152/cb".into()),
            Granted,
        ),
        (
            "loopback: path must match",
            "pub",
            |r| r.redirect_uri = Some("http://127.0.0.1:49152/other".into()),
            Fatal(K::OauthInvalidRequest),
        ),
        (
            "localhost is not a loopback literal",
            "pub",
            |r| r.redirect_uri = Some("http://localhost:49152/cb".into()),
            Fatal(K::OauthInvalidRequest),
        ),
        (
            "RFC 6749 §3.1.2.3: several registered, none sent",
            "pub",
            |r| r.redirect_uri = None,
            Fatal(K::OauthInvalidRequest),
        ),
        (
            "one registered, none sent",
            "conf",
            |r| r.redirect_uri = None,
            Granted,
        ),
        // Redirected errors.
        (
            "unsupported response_type",
            "pub",
            |r| r.response_type = "id_token".into(),
            Rejected(K::OauthUnsupportedResponseType, Query),
        ),
        (
            "implicit not registered: fragment",
            "pub",
            |r| r.response_type = "token".into(),
            Rejected(K::OauthUnauthorizedClient, Fragment),
        ),
        (
            "scope outside the client's",
            "pub",
            |r| r.scope = Some("read admin".into()),
            Rejected(K::OauthInvalidScope, Query),
        ),
        (
            "scope breaking RFC 6749 §3.3",
            "pub",
            |r| r.scope = Some("read  write".into()),
            Rejected(K::OauthInvalidScope, Query),
        ),
        (
            "scope omitted: the client's default",
            "pub",
            |r| r.scope = None,
            Granted,
        ),
        (
            "scope omitted, no default",
            "conf",
            |r| r.scope = None,
            Rejected(K::OauthInvalidScope, Query),
        ),
        (
            "RFC 9700 §2.1.1: public clients must use PKCE",
            "pub",
            |r| {
                r.code_challenge = None;
                r.code_challenge_method = None;
            },
            Rejected(K::OauthInvalidRequest, Query),
        ),
        (
            "RFC 7636 §4.3: method defaults to plain, refused",
            "pub",
            |r| r.code_challenge_method = None,
            Rejected(K::OauthInvalidRequest, Query),
        ),
        (
            "plain refused by default",
            "pub",
            |r| {
                r.code_challenge = Some("a".repeat(43));
                r.code_challenge_method = Some("plain".into());
            },
            Rejected(K::OauthInvalidRequest, Query),
        ),
        (
            "RFC 7636 §4.2: S256 challenge is 43 characters",
            "pub",
            |r| r.code_challenge = Some("a".repeat(42)),
            Rejected(K::OauthInvalidRequest, Query),
        ),
        (
            "unknown method",
            "pub",
            |r| r.code_challenge_method = Some("S512".into()),
            Rejected(K::OauthInvalidRequest, Query),
        ),
        (
            "method case matters",
            "pub",
            |r| r.code_challenge_method = Some("s256".into()),
            Rejected(K::OauthInvalidRequest, Query),
        ),
        (
            "method without challenge",
            "pub",
            |r| r.code_challenge = None,
            Rejected(K::OauthInvalidRequest, Query),
        ),
        (
            "confidential without PKCE by default",
            "conf",
            |_| {},
            Granted,
        ),
        ("implicit happy path", "imp", |_| {}, Granted),
        (
            "implicit: scope outside, in the fragment",
            "imp",
            |r| r.scope = Some("write".into()),
            Rejected(K::OauthInvalidScope, Fragment),
        ),
        (
            "implicit client asking for a code",
            "imp",
            |r| r.response_type = "code".into(),
            Rejected(K::OauthUnauthorizedClient, Query),
        ),
    ];
    let e = env();
    for (name, client_id, tweak, expect) in cases {
        let verifier = CodeVerifier::generate(&e.rng).unwrap();
        let mut request = e.request(client_id, &verifier);
        tweak(&mut request);
        let outcome =
            e.issuer
                .authorize(Some(e.client(client_id)), &request, "user-42", NOW, &e.rng);
        match (expect, &outcome) {
            (Fatal(k), AuthorizeOutcome::Fatal(err)) => assert_eq!(err.kind(), *k, "{name}"),
            (Rejected(k, mode), AuthorizeOutcome::Rejected { error, redirect }) => {
                assert_eq!(error.kind(), *k, "{name}");
                assert_eq!(redirect.mode, *mode, "{name}");
                assert_eq!(
                    redirect.param("error").as_deref(),
                    k.oauth_error(),
                    "{name}"
                );
                // RFC 6749 §4.1.2.1: state echoed; RFC 9207: iss.
                assert_eq!(redirect.param("state").as_deref(), Some("xyz"), "{name}");
                assert_eq!(redirect.param("iss").as_deref(), Some(ISS), "{name}");
                assert_eq!(redirect.param("code"), None, "{name}");
                // Same check ahead of consent.
                let early = e
                    .issuer
                    .check_authorize(Some(e.client(client_id)), &request)
                    .unwrap_err();
                assert!(matches!(early, AuthorizeOutcome::Rejected { .. }), "{name}");
            }
            (
                Granted,
                AuthorizeOutcome::Granted {
                    redirect,
                    state,
                    effects,
                },
            ) => {
                assert_eq!(state.version(), 1, "{name}");
                assert_eq!(state.client_id(), *client_id, "{name}");
                assert_eq!(state.subject(), "user-42", "{name}");
                assert_eq!(redirect.param("state").as_deref(), Some("xyz"), "{name}");
                assert_eq!(redirect.param("iss").as_deref(), Some(ISS), "{name}");
                if let Some(presented) = &request.redirect_uri {
                    assert_eq!(&redirect.redirect_uri, presented, "{name}");
                    assert!(redirect.location.starts_with(presented.as_str()), "{name}");
                }
                let early = e
                    .issuer
                    .check_authorize(Some(e.client(client_id)), &request)
                    .unwrap();
                assert_eq!(&early, state.scope(), "{name}");
                assert_eq!(
                    GrantState::from_json(&state.to_json()).unwrap(),
                    **state,
                    "{name}"
                );
                if request.response_type == "code" {
                    let code = redirect.param("code").unwrap();
                    assert_eq!(redirect.mode, ResponseMode::Query);
                    let record = state.code().unwrap();
                    assert_eq!(record.status, TokenStatus::Active);
                    assert_eq!(record.expires_at, NOW + 60);
                    assert_eq!(record.redirect_uri_sent, request.redirect_uri.is_some());
                    // Only the lookup hash is stored, and indexed.
                    assert!(!state.to_json().contains(&code), "{name}");
                    let Locator::Lookup { lookup, kind } = e.issuer.locate(&code, NOW).unwrap()
                    else {
                        panic!("{name}")
                    };
                    assert_eq!(kind, TokenKind::AuthorizationCode);
                    assert_eq!(
                        effects,
                        &[Effect::Index {
                            lookup,
                            family_id: state.family_id().to_owned(),
                            kind: TokenKind::AuthorizationCode,
                        }],
                        "{name}"
                    );
                }
            }
            (expect, outcome) => panic!("{name}: expected {expect:?}, got {outcome:?}"),
        }
    }
}

#[test]
fn unknown_client_is_fatal_and_never_redirected() {
    let e = env();
    let v = CodeVerifier::generate(&e.rng).unwrap();
    let request = e.request("pub", &v);
    let out = e.issuer.authorize(None, &request, "user-42", NOW, &e.rng);
    let AuthorizeOutcome::Fatal(err) = out else {
        panic!("{out:?}")
    };
    assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest);
    assert!(matches!(
        e.issuer.deny(None, &request),
        AuthorizeOutcome::Fatal(_)
    ));
    assert!(matches!(
        e.issuer.check_authorize(None, &request),
        Err(AuthorizeOutcome::Fatal(_))
    ));
}

#[test]
fn denial_is_access_denied_by_redirect() {
    let e = env();
    let v = CodeVerifier::generate(&e.rng).unwrap();
    let request = e.request("pub", &v);
    let AuthorizeOutcome::Rejected { error, redirect } = e.issuer.deny(Some(&e.public), &request)
    else {
        panic!()
    };
    assert_eq!(error.kind(), ErrorKind::OauthAccessDenied);
    assert!(
        redirect
            .location
            .starts_with("https://app.example/cb?error=access_denied&"),
        "{}",
        redirect.location
    );
    // The loopback exception still applies to where a denial goes.
    let mut loopback = request.clone();
    loopback.redirect_uri = Some("http://127.0.0.1:5000/cb".into());
    let AuthorizeOutcome::Rejected { redirect, .. } = e.issuer.deny(Some(&e.public), &loopback)
    else {
        panic!()
    };
    assert!(redirect.location.starts_with("http://127.0.0.1:5000/cb?"));
}

#[test]
fn empty_subject_is_a_host_error() {
    let e = env();
    let v = CodeVerifier::generate(&e.rng).unwrap();
    let out = e
        .issuer
        .authorize(Some(&e.public), &e.request("pub", &v), "", NOW, &e.rng);
    let AuthorizeOutcome::Fatal(err) = out else {
        panic!()
    };
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn pkce_policy_switches() {
    // plain allowed when configured (RFC 7636 §4.2), and redeemable with the verifier itself.
    let e = env_with(|c| c.allow_plain_pkce = true);
    let verifier = CodeVerifier::generate(&e.rng).unwrap();
    let mut request = e.request("pub", &verifier);
    request.code_challenge = Some(verifier.as_str().to_owned());
    request.code_challenge_method = None; // RFC 7636 §4.3: plain
    let AuthorizeOutcome::Granted {
        redirect, state, ..
    } = e.authorize(&request)
    else {
        panic!()
    };
    let code = redirect.param("code").unwrap();
    let out = e.token(
        "pub",
        Some(&state),
        &e.redeem(&code, Some(&verifier), PUB_CB),
        NOW,
    );
    assert!(out.result.is_ok());

    // Confidential clients must use PKCE when the policy says so (RFC 9700 §2.1.1).
    let e = env_with(|c| c.require_pkce_for_confidential = true);
    let v = CodeVerifier::generate(&e.rng).unwrap();
    let out = e.authorize(&e.request("conf", &v));
    let AuthorizeOutcome::Rejected { error, .. } = out else {
        panic!()
    };
    assert_eq!(error.kind(), ErrorKind::OauthInvalidRequest);

    // Public clients may skip it only if the policy allows.
    let e = env_with(|c| c.require_pkce_for_public = false);
    let mut request = e.request("pub", &v);
    request.code_challenge = None;
    request.code_challenge_method = None;
    assert!(matches!(
        e.authorize(&request),
        AuthorizeOutcome::Granted { .. }
    ));
}

#[test]
fn implicit_grant_issues_an_access_token_in_the_fragment() {
    let e = env();
    let v = CodeVerifier::generate(&e.rng).unwrap();
    let AuthorizeOutcome::Granted {
        redirect,
        state,
        effects,
    } = e.authorize(&e.request("imp", &v))
    else {
        panic!()
    };
    assert_eq!(redirect.mode, ResponseMode::Fragment);
    assert!(
        redirect
            .location
            .starts_with("https://spa.example/cb#access_token=")
    );
    assert_eq!(redirect.param("token_type").as_deref(), Some("Bearer"));
    assert_eq!(redirect.param("expires_in").as_deref(), Some("300"));
    assert_eq!(redirect.param("scope").as_deref(), Some("read"));
    // RFC 6749 §4.2.2: no refresh token.
    assert_eq!(redirect.param("refresh_token"), None);
    assert!(effects.is_empty());
    assert_eq!(state.kind(), GrantKind::Implicit);
    assert_eq!(state.access_tokens().len(), 1);
    let token = redirect.param("access_token").unwrap();
    let verified = access_verifier(&e.issuer, "at+jwt")
        .verify(&token, NOW)
        .unwrap();
    assert_eq!(verified.registered().sub.as_deref(), Some("user-42"));
    assert!(e.issuer.introspect(Some(&state), &token, NOW).active);
}

// ---- client authentication -----------------------------------------------------------------------

#[test]
fn client_authentication_rfc6749_2_3_1() {
    let e = env();
    let auth = e
        .issuer
        .authenticate(Some(&e.conf), "conf", Some(SECRET))
        .unwrap();
    assert_eq!(auth.method(), AuthMethod::Secret);
    assert_eq!(auth.client_id(), "conf");
    let public = e.issuer.authenticate(Some(&e.public), "pub", None).unwrap();
    assert_eq!(public.method(), AuthMethod::None);

    let failures: &[(Option<&Client>, &str, Option<&str>)] = &[
        (Some(&e.conf), "conf", Some("wrong")),
        (Some(&e.conf), "conf", Some("")),
        (Some(&e.conf), "conf", None), // §3.2.1: confidential clients MUST authenticate
        (Some(&e.conf), "pub", Some(SECRET)),
        (None, "nobody", Some(SECRET)),
        (None, "nobody", None),
        (Some(&e.public), "pub", Some("anything")),
    ];
    for (client, id, secret) in failures {
        let err = e.issuer.authenticate(*client, id, *secret).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidClient, "{id} {secret:?}");
        assert_eq!(wire(&err), ("invalid_client", 401));
        // Every 401 carries a challenge (RFC 9110 §15.5.2), whichever method was used.
        assert_eq!(
            ErrorResponse::for_token_endpoint(&err, ISS).www_authenticate(),
            Some(format!("Basic realm=\"{ISS}\"").as_str()),
            "{id} {secret:?}"
        );
    }
    let mut no_hash = e.conf.clone();
    no_hash.secret_hash = None;
    assert_eq!(
        e.issuer
            .authenticate(Some(&no_hash), "conf", Some(SECRET))
            .unwrap_err()
            .kind(),
        ErrorKind::OauthInvalidClient
    );
}

#[test]
fn client_authentication_from_wire() {
    let e = env();
    let form = Form::parse(
        format!("grant_type=client_credentials&scope=read&client_id=conf&client_secret={SECRET}")
            .as_bytes(),
    )
    .unwrap();
    let presented = client_auth(None, &form).unwrap();
    assert!(matches!(presented, ClientAuth::Post { .. }));
    let auth = e
        .issuer
        .authenticate(
            Some(&e.conf),
            presented.client_id(),
            presented.client_secret(),
        )
        .unwrap();
    let request = TokenRequest::from_form(&form).unwrap();
    let out = e.issuer.token(&auth, None, &request, None, NOW, &e.rng);
    assert!(out.result.is_ok());
}

#[test]
fn client_json_is_strict() {
    for text in [
        r#"{"client_id":"a","kind":"public","allowed_scope":"x","grant_types":[],"extra":1}"#,
        r#"{"client_id":"a","kind":"secret","allowed_scope":"x","grant_types":[]}"#,
        r#"{"client_id":"a","kind":"public","allowed_scope":"x  y","grant_types":[]}"#,
        r#"{"client_id":"a","kind":"public","allowed_scope":"x","grant_types":["password"]}"#,
        r#"{"client_id":"a","kind":"public","allowed_scope":"x","grant_types":[],"secret_hash":"nope"}"#,
    ] {
        assert_eq!(
            Client::from_json(text).unwrap_err().kind(),
            ErrorKind::InvalidJson,
            "{text}"
        );
    }
    let e = env();
    assert_eq!(Client::from_json(&e.conf.to_json()).unwrap(), e.conf);
    let hash = e.conf.secret_hash.as_ref().unwrap().to_string();
    assert!(!format!("{:?}", e.conf).contains(&hash));
}

// ---- authorization code exchange -------------------------------------------------------------------

#[test]
fn code_exchange_happy_path_rfc9068_access_token() {
    let e = env();
    let (code, verifier, state) = e.code("pub");
    let out = e.token(
        "pub",
        Some(&state),
        &e.redeem(&code, Some(&verifier), PUB_CB),
        NOW + 5,
    );
    let tokens = out.result.unwrap();
    let next = out.state.unwrap();
    assert_eq!(next.version(), 2);
    assert_eq!(next.family_id(), state.family_id());
    let record = next.code().unwrap();
    assert_eq!(
        (record.status, record.used_at),
        (TokenStatus::Consumed, Some(NOW + 5))
    );
    assert_eq!(statuses(&next), [TokenStatus::Active]);
    let rt = tokens.refresh_token.clone().unwrap();
    assert!(rt.starts_with("tsr_rt_"));
    assert!(!next.to_json().contains(&rt));
    let Locator::Lookup { lookup, .. } = e.issuer.locate(&rt, NOW).unwrap() else {
        panic!()
    };
    assert_eq!(
        out.effects,
        [Effect::Index {
            lookup,
            family_id: state.family_id().to_owned(),
            kind: TokenKind::RefreshToken,
        }]
    );
    assert_eq!(next.refresh_tokens()[0].expires_at, NOW + 5 + 30 * DAY);
    assert_eq!(next.expires_at(), NOW + 90 * DAY);

    // RFC 9068 §2.1, §2.2.
    let verified = access_verifier(&e.issuer, "at+jwt")
        .verify(&tokens.access_token, NOW + 5)
        .unwrap();
    assert_eq!(verified.header().typ_value(), Some("at+jwt"));
    assert_eq!(verified.header().kid_value(), Some("k1"));
    let claims = verified.claims();
    for member in [
        "iss",
        "exp",
        "aud",
        "sub",
        "client_id",
        "iat",
        "jti",
        "scope",
    ] {
        assert!(claims.contains_key(member), "{member}");
    }
    assert_eq!(claims["iss"], ISS);
    assert_eq!(claims["aud"], "api");
    assert_eq!(claims["sub"], "user-42");
    assert_eq!(claims["client_id"], "pub");
    assert_eq!(claims["scope"], "read write");
    assert_eq!(claims["iat"], NOW + 5);
    assert_eq!(claims["exp"], NOW + 5 + 300);
    assert_eq!(claims["jti"].as_str(), Some(tokens.jti.as_str()));
    assert_eq!(next.access_tokens()[0].jti, tokens.jti);

    // RFC 6749 §5.1 via wire.
    let response = tokens.to_response();
    assert_eq!(response.token_type, "Bearer");
    assert_eq!(response.expires_in, 300);
    assert_eq!(response.scope.as_deref(), Some("read write"));
    assert_eq!(response.refresh_token.as_deref(), Some(rt.as_str()));
    assert!(!format!("{tokens:?}").contains(&rt));
}

/// What a failed redemption does to the code.
#[derive(Debug, PartialEq)]
enum After {
    /// No new state.
    Unchanged,
    /// New state, the code revoked (burned).
    Burned,
}

#[test]
fn code_exchange_rejections_table() {
    use After::{Burned, Unchanged};
    use ErrorKind as K;
    struct Case {
        name: &'static str,
        client: &'static str,
        /// Rewrites the token request (code, verifier) and the time.
        request: fn(&Env, &str, &CodeVerifier) -> (TokenRequest, i64),
        expect: ErrorKind,
        after: After,
    }
    fn ok(e: &Env, code: &str, v: &CodeVerifier) -> TokenRequest {
        e.redeem(code, Some(v), PUB_CB)
    }
    let cases = [
        Case {
            name: "RFC 7636 §4.6: wrong verifier",
            client: "pub",
            request: |e, c, _| {
                let other = CodeVerifier::generate(&e.rng).unwrap();
                (e.redeem(c, Some(&other), PUB_CB), NOW)
            },
            expect: K::OauthInvalidGrant,
            after: Burned,
        },
        Case {
            name: "RFC 7636 §4.5: verifier missing",
            client: "pub",
            request: |e, c, _| (e.redeem(c, None, PUB_CB), NOW),
            expect: K::OauthInvalidGrant,
            after: Burned,
        },
        Case {
            name: "RFC 7636 §4.1: verifier grammar",
            client: "pub",
            request: |_, c, _| {
                (
                    TokenRequest::AuthorizationCode {
                        code: c.to_owned(),
                        redirect_uri: Some(PUB_CB.into()),
                        code_verifier: Some("short".into()),
                        client_id: None,
                    },
                    NOW,
                )
            },
            expect: K::OauthInvalidGrant,
            after: Burned,
        },
        Case {
            name: "RFC 6749 §4.1.3: redirect_uri missing though sent",
            client: "pub",
            request: |_, c, v| {
                (
                    TokenRequest::AuthorizationCode {
                        code: c.to_owned(),
                        redirect_uri: None,
                        code_verifier: Some(v.as_str().into()),
                        client_id: None,
                    },
                    NOW,
                )
            },
            expect: K::OauthInvalidGrant,
            after: Burned,
        },
        Case {
            name: "RFC 6749 §4.1.3: redirect_uri not identical",
            client: "pub",
            request: |e, c, v| (e.redeem(c, Some(v), "http://127.0.0.1/cb"), NOW),
            expect: K::OauthInvalidGrant,
            after: Burned,
        },
        Case {
            name: "RFC 6749 §4.1.3: code issued to another client",
            client: "conf",
            request: |e, c, v| (ok(e, c, v), NOW),
            expect: K::OauthInvalidGrant,
            after: Burned,
        },
        Case {
            name: "RFC 6749 §4.1.2: expired code",
            client: "pub",
            request: |e, c, v| (ok(e, c, v), NOW + 60),
            expect: K::OauthInvalidGrant,
            after: Unchanged,
        },
        Case {
            name: "malformed code",
            client: "pub",
            request: |e, c, v| (ok(e, &format!("{c}x"), v), NOW),
            expect: K::OauthInvalidGrant,
            after: Unchanged,
        },
        Case {
            name: "checksum broken",
            client: "pub",
            request: |e, c, v| {
                let mut bad = c.to_owned();
                let last = bad.pop().unwrap();
                bad.push(if last == 'a' { 'b' } else { 'a' });
                (ok(e, &bad, v), NOW)
            },
            expect: K::OauthInvalidGrant,
            after: Unchanged,
        },
        Case {
            name: "another family's code",
            client: "pub",
            request: |e, _, v| {
                let (other, _, _) = e.code("pub");
                (ok(e, &other, v), NOW)
            },
            expect: K::OauthInvalidGrant,
            after: Unchanged,
        },
        Case {
            name: "a refresh token as a code",
            client: "pub",
            request: |e, _, v| {
                let (tokens, _) = e.exchanged();
                (ok(e, &tokens.refresh_token.unwrap(), v), NOW)
            },
            expect: K::OauthInvalidGrant,
            after: Unchanged,
        },
        Case {
            name: "refresh grant type on a code family",
            client: "pub",
            request: |_, c, _| (refresh_request(c, None), NOW),
            expect: K::OauthInvalidGrant,
            after: Unchanged,
        },
    ];
    let e = env();
    for case in cases {
        let (code, verifier, state) = e.code("pub");
        let (request, now) = (case.request)(&e, &code, &verifier);
        let out = e.token(case.client, Some(&state), &request, now);
        assert_eq!(kind(&out.result), case.expect, "{}", case.name);
        assert_eq!(
            wire(out.result.as_ref().unwrap_err()),
            ("invalid_grant", 400),
            "{}",
            case.name
        );
        assert!(out.effects.is_empty(), "{}", case.name);
        match case.after {
            Unchanged => assert!(out.state.is_none(), "{}", case.name),
            Burned => {
                let burned = out.state.unwrap();
                assert_eq!(burned.version(), 2, "{}", case.name);
                assert!(burned.is_active(), "{}", case.name);
                assert_eq!(
                    burned.code().unwrap().status,
                    TokenStatus::Revoked,
                    "{}",
                    case.name
                );
                // The right request no longer works, and changes nothing.
                let again = e.token("pub", Some(&burned), &ok(&e, &code, &verifier), NOW);
                assert_eq!(kind(&again.result), K::OauthInvalidGrant, "{}", case.name);
                assert!(!again.changes_state(), "{}", case.name);
            }
        }
    }
}

#[test]
fn burning_can_be_turned_off() {
    let e = env_with(|c| c.burn_code_on_failed_redemption = false);
    let (code, verifier, state) = e.code("pub");
    let out = e.token("pub", Some(&state), &e.redeem(&code, None, PUB_CB), NOW);
    assert_eq!(kind(&out.result), ErrorKind::OauthInvalidGrant);
    assert!(out.state.is_none());
    let out = e.token(
        "pub",
        Some(&state),
        &e.redeem(&code, Some(&verifier), PUB_CB),
        NOW,
    );
    assert!(out.result.is_ok());
}

#[test]
fn code_lifetime_is_exclusive_and_configurable() {
    let e = env_with(|c| c.code_lifetime = 600);
    let (code, verifier, state) = e.code("pub");
    assert_eq!(state.code().unwrap().expires_at, NOW + 600);
    let request = e.redeem(&code, Some(&verifier), PUB_CB);
    let late = e.token("pub", Some(&state), &request, NOW + 600);
    assert_eq!(kind(&late.result), ErrorKind::OauthInvalidGrant);
    assert!(
        e.token("pub", Some(&state), &request, NOW + 599)
            .result
            .is_ok()
    );
}

#[test]
fn rfc9700_downgrade_verifier_without_challenge() {
    let e = env();
    let (code, _, state) = e.code("conf"); // no challenge
    assert!(state.code().unwrap().pkce.is_none());
    let v = CodeVerifier::generate(&e.rng).unwrap();
    let out = e.token(
        "conf",
        Some(&state),
        &e.redeem(&code, Some(&v), CONF_CB),
        NOW,
    );
    assert_eq!(kind(&out.result), ErrorKind::OauthInvalidGrant);
    assert_eq!(
        out.state.unwrap().code().unwrap().status,
        TokenStatus::Revoked
    );
}

#[test]
fn redirect_uri_may_be_omitted_when_it_was_not_sent() {
    let e = env();
    let v = CodeVerifier::generate(&e.rng).unwrap();
    let mut request = e.request("conf", &v);
    request.redirect_uri = None;
    let AuthorizeOutcome::Granted {
        redirect, state, ..
    } = e.authorize(&request)
    else {
        panic!()
    };
    let code = redirect.param("code").unwrap();
    let omit = TokenRequest::AuthorizationCode {
        code: code.clone(),
        redirect_uri: None,
        code_verifier: None,
        client_id: None,
    };
    assert!(e.token("conf", Some(&state), &omit, NOW).result.is_ok());
    // Sent anyway, it must be identical.
    let (code, _, state) = {
        let AuthorizeOutcome::Granted {
            redirect, state, ..
        } = e.authorize(&request)
        else {
            panic!()
        };
        (redirect.param("code").unwrap(), (), *state)
    };
    let wrong = e.redeem(&code, None, "https://conf.example/other");
    assert_eq!(
        kind(&e.token("conf", Some(&state), &wrong, NOW).result),
        ErrorKind::OauthInvalidGrant
    );
}

#[test]
fn code_replay_revokes_the_family_rfc6749_4_1_2_rfc9700_4_5() {
    let e = env();
    let (code, verifier, state) = e.code("pub");
    let redeem = e.redeem(&code, Some(&verifier), PUB_CB);
    let first = e.token("pub", Some(&state), &redeem, NOW + 1);
    let t1 = first.result.unwrap();
    let s2 = first.state.unwrap();
    let refreshed = e.token(
        "pub",
        Some(&s2),
        &refresh_request(t1.refresh_token.as_deref().unwrap(), None),
        NOW + 2,
    );
    let t2 = refreshed.result.unwrap();
    let s3 = refreshed.state.unwrap();

    let replay = e.token("pub", Some(&s3), &redeem, NOW + 3);
    assert_eq!(kind(&replay.result), ErrorKind::OauthInvalidGrant);
    let s4 = replay.state.unwrap();
    assert_eq!(s4.version(), 4);
    assert_eq!(
        s4.status(),
        FamilyStatus::Revoked {
            reason: RevocationReason::CodeReplay,
            at: NOW + 3
        }
    );
    assert_eq!(statuses(&s4), [TokenStatus::Consumed, TokenStatus::Revoked]);
    assert!(
        s4.access_tokens()
            .iter()
            .all(|a| a.status == TokenStatus::Revoked)
    );
    let [
        Effect::RevokeFamily {
            family_id,
            reason,
            access_tokens,
            lookups,
        },
    ] = &replay.effects[..]
    else {
        panic!("{:?}", replay.effects)
    };
    assert_eq!(family_id, state.family_id());
    assert_eq!(*reason, RevocationReason::CodeReplay);
    let jtis: Vec<&str> = access_tokens.iter().map(|a| a.jti.as_str()).collect();
    assert_eq!(jtis, [t1.jti.as_str(), t2.jti.as_str()]);
    assert_eq!(access_tokens[0].expires_at, t1.expires_at);
    assert_eq!(lookups.len(), 3); // the code and both refresh tokens

    // Everything of the family is dead now.
    let rt = refresh_request(t2.refresh_token.as_deref().unwrap(), None);
    let dead = e.token("pub", Some(&s4), &rt, NOW + 4);
    assert_eq!(kind(&dead.result), ErrorKind::OauthInvalidGrant);
    assert!(!dead.changes_state());
    for token in [
        &t1.access_token,
        &t2.access_token,
        &t2.refresh_token.unwrap(),
    ] {
        assert!(!e.issuer.introspect(Some(&s4), token, NOW + 4).active);
    }
    // Replaying again changes nothing more.
    let again = e.token("pub", Some(&s4), &redeem, NOW + 5);
    assert_eq!(kind(&again.result), ErrorKind::OauthInvalidGrant);
    assert!(!again.changes_state());
}

#[test]
fn compare_and_swap_race_loser_sees_the_consumed_code() {
    let e = env();
    let (code, verifier, state) = e.code("pub");
    let redeem = e.redeem(&code, Some(&verifier), PUB_CB);
    // Two requests load version 1 at once; both compute version 2.
    let a = e.token("pub", Some(&state), &redeem, NOW + 1);
    let b = e.token("pub", Some(&state), &redeem, NOW + 1);
    assert_eq!(a.state.as_ref().unwrap().version(), 2);
    assert_eq!(b.state.as_ref().unwrap().version(), 2);
    // The host's compare-and-swap lets one win; the loser reloads and retries: a replay.
    let winner = a.state.unwrap();
    let retry = e.token("pub", Some(&winner), &redeem, NOW + 1);
    assert_eq!(kind(&retry.result), ErrorKind::OauthInvalidGrant);
    assert!(!retry.state.unwrap().is_active());
}

#[test]
fn token_endpoint_grant_type_permissions() {
    let e = env();
    let (code, verifier, state) = e.code("pub");
    let mut no_code = e.public.clone();
    no_code.grant_types = vec![GrantType::RefreshToken];
    let auth = e.issuer.authenticate(Some(&no_code), "pub", None).unwrap();
    let out = e.issuer.token(
        &auth,
        Some(&state),
        &e.redeem(&code, Some(&verifier), PUB_CB),
        None,
        NOW,
        &e.rng,
    );
    assert_eq!(kind(&out.result), ErrorKind::OauthUnauthorizedClient);
    assert_eq!(
        wire(out.result.as_ref().unwrap_err()),
        ("unauthorized_client", 400)
    );

    // Without the refresh_token grant type no refresh token is issued.
    let mut code_only = e.public.clone();
    code_only.grant_types = vec![GrantType::AuthorizationCode];
    let auth = e
        .issuer
        .authenticate(Some(&code_only), "pub", None)
        .unwrap();
    let v = CodeVerifier::generate(&e.rng).unwrap();
    let AuthorizeOutcome::Granted {
        redirect, state, ..
    } = e.issuer.authorize(
        Some(&code_only),
        &e.request("pub", &v),
        "user-42",
        NOW,
        &e.rng,
    )
    else {
        panic!()
    };
    // Without refresh, the family is needed only as long as its code.
    assert_eq!(state.purge_at(), NOW + 60);
    let code = redirect.param("code").unwrap();
    let out = e.issuer.token(
        &auth,
        Some(&state),
        &e.redeem(&code, Some(&v), PUB_CB),
        None,
        NOW,
        &e.rng,
    );
    let tokens = out.result.unwrap();
    assert!(tokens.refresh_token.is_none());
    assert!(out.effects.is_empty());
    let state = out.state.unwrap();
    assert_eq!(state.purge_at(), NOW + 300);
    let rt = refresh_request("tsr_rt_x", None);
    let out = e.issuer.token(&auth, Some(&state), &rt, None, NOW, &e.rng);
    assert_eq!(kind(&out.result), ErrorKind::OauthUnauthorizedClient);

    // No family found by the host: invalid_grant.
    for request in [e.redeem(&code, None, PUB_CB), refresh_request("x", None)] {
        let out = e.token("pub", None, &request, NOW);
        assert_eq!(kind(&out.result), ErrorKind::OauthInvalidGrant);
    }
}

// ---- refresh ---------------------------------------------------------------------------------------

#[test]
fn refresh_rotates_and_keeps_the_absolute_expiry_rfc9700_4_14_2() {
    let e = env();
    let (t1, s2) = e.exchanged();
    let rt1 = t1.refresh_token.unwrap();
    let out = e.token("pub", Some(&s2), &refresh_request(&rt1, None), NOW + 100);
    let t2 = out.result.unwrap();
    let s3 = out.state.unwrap();
    assert_eq!(s3.version(), 3);
    let rt2 = t2.refresh_token.clone().unwrap();
    assert_ne!(rt1, rt2);
    assert_eq!(statuses(&s3), [TokenStatus::Consumed, TokenStatus::Active]);
    assert_eq!(s3.refresh_tokens()[0].successor, Some(2));
    assert_eq!(s3.refresh_tokens()[0].used_at, Some(NOW + 100));
    assert_eq!(s3.expires_at(), s2.expires_at());
    assert_eq!(t2.scope.to_string(), "read write");
    assert_eq!(s3.access_tokens().len(), 2);
    assert!(matches!(
        &out.effects[..],
        [Effect::Index {
            kind: TokenKind::RefreshToken,
            ..
        }]
    ));
    // A rotated token keeps working.
    let out = e.token("pub", Some(&s3), &refresh_request(&rt2, None), NOW + 200);
    assert!(out.result.is_ok());
}

#[test]
fn refresh_rejections_table() {
    use ErrorKind as K;
    type Make = fn(&Env, &str) -> (&'static str, TokenRequest, i64);
    let cases: &[(&str, Make, ErrorKind)] = &[
        (
            "RFC 6749 §6: escalation",
            |_, rt| ("pub", refresh_request(rt, Some("read admin")), NOW),
            K::OauthInvalidScope,
        ),
        (
            "RFC 6749 §3.3: bad scope grammar",
            |_, rt| ("pub", refresh_request(rt, Some(" read")), NOW),
            K::OauthInvalidScope,
        ),
        (
            "idle expiry",
            |_, rt| ("pub", refresh_request(rt, None), NOW + 1 + 30 * DAY),
            K::OauthInvalidGrant,
        ),
        (
            "malformed",
            |_, rt| ("pub", refresh_request(&rt[1..], None), NOW),
            K::OauthInvalidGrant,
        ),
        (
            "unknown to the family",
            |e, _| {
                let (other, _) = e.exchanged();
                (
                    "pub",
                    refresh_request(&other.refresh_token.unwrap(), None),
                    NOW,
                )
            },
            K::OauthInvalidGrant,
        ),
        (
            "a code as a refresh token",
            |e, _| {
                let (code, _, _) = e.code("pub");
                ("pub", refresh_request(&code, None), NOW)
            },
            K::OauthInvalidGrant,
        ),
    ];
    let e = env();
    for (name, make, expect) in cases {
        let (tokens, state) = e.exchanged();
        let (client, request, now) = make(&e, tokens.refresh_token.as_deref().unwrap());
        let out = e.token(client, Some(&state), &request, now);
        assert_eq!(kind(&out.result), *expect, "{name}");
        assert!(!out.changes_state(), "{name}");
    }
}

#[test]
fn refresh_narrows_the_access_token_not_the_grant() {
    let e = env();
    let (t1, s2) = e.exchanged();
    let rt = t1.refresh_token.unwrap();
    let out = e.token(
        "pub",
        Some(&s2),
        &refresh_request(&rt, Some("read")),
        NOW + 10,
    );
    let t2 = out.result.unwrap();
    let s3 = out.state.unwrap();
    assert_eq!(t2.scope.to_string(), "read");
    assert_eq!(t2.to_response().scope.as_deref(), Some("read"));
    assert_eq!(s3.scope().to_string(), "read write");
    let claims = access_verifier(&e.issuer, "at+jwt")
        .verify(&t2.access_token, NOW + 10)
        .unwrap()
        .into_claims();
    assert_eq!(claims["scope"], "read");
    // The next refresh may ask for the full grant again.
    let out = e.token(
        "pub",
        Some(&s3),
        &refresh_request(t2.refresh_token.as_deref().unwrap(), Some("read write")),
        NOW + 20,
    );
    assert_eq!(out.result.unwrap().scope.to_string(), "read write");
}

#[test]
fn refresh_respects_a_shrunk_registration() {
    let e = env();
    let (t1, s2) = e.exchanged();
    let mut shrunk = e.public.clone();
    shrunk.allowed_scope = ScopeSet::parse("read").unwrap();
    let auth = e.issuer.authenticate(Some(&shrunk), "pub", None).unwrap();
    let rt = t1.refresh_token.unwrap();
    let out = e.issuer.token(
        &auth,
        Some(&s2),
        &refresh_request(&rt, None),
        None,
        NOW,
        &e.rng,
    );
    assert_eq!(kind(&out.result), ErrorKind::OauthInvalidScope);
    let out = e.issuer.token(
        &auth,
        Some(&s2),
        &refresh_request(&rt, Some("read")),
        None,
        NOW,
        &e.rng,
    );
    assert!(out.result.is_ok());
}

#[test]
fn refresh_reuse_revokes_the_family_rfc9700_4_14_2() {
    let e = env();
    let (t1, s2) = e.exchanged();
    let rt1 = t1.refresh_token.unwrap();
    let out = e.token("pub", Some(&s2), &refresh_request(&rt1, None), NOW + 10);
    let t2 = out.result.unwrap();
    let s3 = out.state.unwrap();
    // The stolen rt1 comes back.
    let reuse = e.token("pub", Some(&s3), &refresh_request(&rt1, None), NOW + 20);
    assert_eq!(kind(&reuse.result), ErrorKind::OauthInvalidGrant);
    let s4 = reuse.state.unwrap();
    assert_eq!(s4.version(), 4);
    assert_eq!(
        s4.status(),
        FamilyStatus::Revoked {
            reason: RevocationReason::RefreshReuse,
            at: NOW + 20
        }
    );
    assert_eq!(statuses(&s4), [TokenStatus::Consumed, TokenStatus::Revoked]);
    let [Effect::RevokeFamily { access_tokens, .. }] = &reuse.effects[..] else {
        panic!()
    };
    assert_eq!(access_tokens.len(), 2);
    // The legitimate holder of rt2 is out too.
    let rt2 = t2.refresh_token.unwrap();
    let out = e.token("pub", Some(&s4), &refresh_request(&rt2, None), NOW + 30);
    assert_eq!(kind(&out.result), ErrorKind::OauthInvalidGrant);
    assert!(!out.changes_state());
}

#[test]
fn refresh_by_another_client_revokes_the_family_rfc9700_4_14_2() {
    let e = env();
    // An active, a consumed and an idle-expired token alike: each has leaked once another
    // client presents it, so each revokes the family.
    for (name, rotate, at) in [
        ("active", false, NOW + 10),
        ("consumed", true, NOW + 10),
        ("idle-expired", false, NOW + 1 + 30 * DAY),
    ] {
        let (t1, mut state) = e.exchanged();
        let stolen = t1.refresh_token.unwrap();
        // The token the legitimate client holds when the theft is noticed.
        let mut held = stolen.clone();
        if rotate {
            let out = e.token(
                "pub",
                Some(&state),
                &refresh_request(&stolen, None),
                NOW + 5,
            );
            held = out.result.unwrap().refresh_token.unwrap();
            state = out.state.unwrap();
        }
        let out = e.token("conf", Some(&state), &refresh_request(&stolen, None), at);
        assert_eq!(kind(&out.result), ErrorKind::OauthInvalidGrant, "{name}");
        let err = out.result.as_ref().unwrap_err();
        assert_eq!(wire(err), ("invalid_grant", 400), "{name}");
        let revoked = out.state.expect("the revoked state must be persisted");
        assert_eq!(revoked.version(), state.version() + 1, "{name}");
        assert_eq!(
            revoked.status(),
            FamilyStatus::Revoked {
                reason: RevocationReason::RefreshClientMismatch,
                at
            },
            "{name}"
        );
        assert!(
            statuses(&revoked).iter().all(|s| *s != TokenStatus::Active),
            "{name}"
        );
        // Revocation first; pruning may forget expired tokens after it.
        let [Effect::RevokeFamily { family_id, .. }, ..] = &out.effects[..] else {
            panic!("{name}: {:?}", out.effects)
        };
        assert_eq!(family_id, revoked.family_id(), "{name}");
        // The legitimate client is out too.
        let after = e.token("pub", Some(&revoked), &refresh_request(&held, None), at + 1);
        assert_eq!(kind(&after.result), ErrorKind::OauthInvalidGrant, "{name}");
        assert!(!after.changes_state(), "{name}");
    }
    // The state round-trips with the new reason.
    let (t, state) = e.exchanged();
    let out = e.token(
        "conf",
        Some(&state),
        &refresh_request(&t.refresh_token.unwrap(), None),
        NOW + 10,
    );
    let json = out.state.unwrap().to_json();
    assert!(
        json.contains(r#""reason":"refresh_client_mismatch""#),
        "{json}"
    );
    assert_eq!(
        GrantState::from_json(&json).unwrap().status(),
        FamilyStatus::Revoked {
            reason: RevocationReason::RefreshClientMismatch,
            at: NOW + 10
        }
    );
}

#[test]
fn absolute_expiry_survives_rotation() {
    let e = env();
    let (t, mut state) = e.exchanged();
    let mut rt = t.refresh_token.unwrap();
    let absolute = state.expires_at();
    assert_eq!(absolute, NOW + 90 * DAY);
    for day in [29, 58, 87] {
        let out = e.token(
            "pub",
            Some(&state),
            &refresh_request(&rt, None),
            NOW + day * DAY,
        );
        rt = out.result.unwrap().refresh_token.unwrap();
        state = out.state.unwrap();
        assert_eq!(state.expires_at(), absolute);
        let last = state.refresh_tokens().last().unwrap();
        assert_eq!(last.expires_at, (NOW + day * DAY + 30 * DAY).min(absolute));
    }
    let out = e.token("pub", Some(&state), &refresh_request(&rt, None), absolute);
    assert_eq!(kind(&out.result), ErrorKind::OauthInvalidGrant);
    assert!(!e.issuer.introspect(Some(&state), &rt, absolute).active);
    assert!(e.issuer.introspect(Some(&state), &rt, absolute - 1).active);
}

#[test]
fn without_rotation_confidential_clients_keep_their_token() {
    let e = env_with(|c| c.rotate_refresh_tokens = false);
    let (code, _, state) = e.code("conf");
    let out = e.token("conf", Some(&state), &e.redeem(&code, None, CONF_CB), NOW);
    let rt = out.result.unwrap().refresh_token.unwrap();
    let mut state = out.state.unwrap();
    for i in 1..=3 {
        let now = NOW + i * 20 * DAY;
        let out = e.token("conf", Some(&state), &refresh_request(&rt, None), now);
        let tokens = out.result.unwrap();
        assert!(
            tokens.refresh_token.is_none(),
            "RFC 6749 §6: MAY issue a new one"
        );
        assert!(out.effects.is_empty());
        state = out.state.unwrap();
        assert_eq!(statuses(&state), [TokenStatus::Active]);
        // The idle expiry slides, capped by the absolute one.
        assert_eq!(
            state.refresh_tokens()[0].expires_at,
            (now + 30 * DAY).min(NOW + 90 * DAY)
        );
    }
    // Public clients rotate regardless (RFC 9700 §4.14.2).
    let (t, s) = e.exchanged();
    let out = e.token(
        "pub",
        Some(&s),
        &refresh_request(t.refresh_token.as_deref().unwrap(), None),
        NOW + 2,
    );
    assert!(out.result.unwrap().refresh_token.is_some());
}

#[test]
fn grace_window_is_a_benign_retry_once_and_reuse_after() {
    let e = env_with(|c| c.refresh_reuse_grace_seconds = 30);
    let (t1, s2) = e.exchanged();
    let rt1 = t1.refresh_token.unwrap();
    let out = e.token("pub", Some(&s2), &refresh_request(&rt1, None), NOW + 100);
    let rt2 = out.result.unwrap().refresh_token.unwrap();
    let s3 = out.state.unwrap();

    // The response was lost; the client retries rt1 within the window.
    let retry = e.token("pub", Some(&s3), &refresh_request(&rt1, None), NOW + 110);
    let rt3 = retry.result.unwrap().refresh_token.unwrap();
    let s4 = retry.state.unwrap();
    assert!(s4.is_active());
    assert_eq!(
        statuses(&s4),
        [
            TokenStatus::Consumed,
            TokenStatus::Superseded,
            TokenStatus::Active
        ]
    );
    assert!(!e.issuer.introspect(Some(&s4), &rt2, NOW + 111).active);
    assert!(e.issuer.introspect(Some(&s4), &rt3, NOW + 111).active);

    // Had rt2 been used already, the retry would be reuse.
    let used = e.token("pub", Some(&s3), &refresh_request(&rt2, None), NOW + 105);
    let s3b = used.state.unwrap();
    let late = e.token("pub", Some(&s3b), &refresh_request(&rt1, None), NOW + 110);
    assert_eq!(kind(&late.result), ErrorKind::OauthInvalidGrant);
    assert!(!late.state.unwrap().is_active());

    // Past the window: reuse.
    let late = e.token("pub", Some(&s3), &refresh_request(&rt1, None), NOW + 130);
    assert_eq!(kind(&late.result), ErrorKind::OauthInvalidGrant);
    assert!(!late.state.unwrap().is_active());

    // With the default (0) there is no window at all.
    let e = env();
    let (t1, s2) = e.exchanged();
    let rt1 = t1.refresh_token.unwrap();
    let s3 = e
        .token("pub", Some(&s2), &refresh_request(&rt1, None), NOW + 100)
        .state
        .unwrap();
    let instant = e.token("pub", Some(&s3), &refresh_request(&rt1, None), NOW + 100);
    assert!(!instant.state.unwrap().is_active());
}

// ---- client credentials ------------------------------------------------------------------------------

#[test]
fn client_credentials_rfc6749_4_4() {
    let e = env();
    let cc = |scope: Option<&str>| TokenRequest::ClientCredentials {
        scope: scope.map(str::to_owned),
    };
    let out = e.token("conf", None, &cc(Some("read")), NOW);
    let tokens = out.result.unwrap();
    assert!(tokens.refresh_token.is_none(), "RFC 6749 §4.4.3");
    let state = out.state.unwrap();
    assert_eq!(state.version(), 1);
    assert_eq!(state.kind(), GrantKind::ClientCredentials);
    assert_eq!(state.subject(), "conf");
    assert_eq!(state.expires_at(), NOW + 300);
    assert!(out.effects.is_empty());
    let claims = access_verifier(&e.issuer, "at+jwt")
        .verify(&tokens.access_token, NOW)
        .unwrap()
        .into_claims();
    assert_eq!(claims["sub"], "conf");
    assert_eq!(claims["client_id"], "conf");
    assert_eq!(claims["scope"], "read");

    use ErrorKind as K;
    let cases: &[(&str, TokenRequest, ErrorKind)] = &[
        ("conf", cc(None), K::OauthInvalidScope), // no default scope
        ("conf", cc(Some("admin")), K::OauthInvalidScope),
        ("conf", cc(Some("a\"b")), K::OauthInvalidScope),
        ("pub", cc(Some("read")), K::OauthUnauthorizedClient), // public: §4.4 confidential only
    ];
    for (client, request, expect) in cases {
        let out = e.token(client, None, request, NOW);
        assert_eq!(kind(&out.result), *expect, "{client} {request:?}");
        assert!(!out.changes_state());
    }
    let mut no_grant = e.conf.clone();
    no_grant.grant_types = vec![GrantType::AuthorizationCode];
    let auth = e
        .issuer
        .authenticate(Some(&no_grant), "conf", Some(SECRET))
        .unwrap();
    let out = e
        .issuer
        .token(&auth, None, &cc(Some("read")), None, NOW, &e.rng);
    assert_eq!(kind(&out.result), ErrorKind::OauthUnauthorizedClient);

    let mut with_default = e.conf.clone();
    with_default.default_scope = Some(ScopeSet::parse("write").unwrap());
    let auth = e
        .issuer
        .authenticate(Some(&with_default), "conf", Some(SECRET))
        .unwrap();
    let out = e.issuer.token(&auth, None, &cc(None), None, NOW, &e.rng);
    assert_eq!(out.result.unwrap().scope.to_string(), "write");
}

// ---- engine tokens ---------------------------------------------------------------------------------

#[test]
fn engine_tokens_are_down_scoped_and_typed_apart() {
    let e = env_with(|c| c.implications.wildcard_actions = true);
    let parent = ScopeSet::parse("job:* read").unwrap();
    let requested = ScopeSet::parse("job:run").unwrap();
    let engine = e
        .issuer
        .issue_engine_token(&parent, &requested, "user-42", "runner", NOW, &e.rng)
        .unwrap();
    assert_eq!(engine.expires_at, NOW + 300);
    let public = e.issuer.signing_key().public_key().unwrap();
    let engine_verifier = Verifier::builder(public.clone())
        .issuer(ISS)
        .audience("runner")
        .typ("engine+jwt")
        .build()
        .unwrap();
    let verified = engine_verifier.verify(&engine.token, NOW).unwrap();
    assert_eq!(verified.claims()["scope"], "job:run");
    assert_eq!(verified.claims()["sub"], "user-42");

    // RFC 8725 §3.11: an access-token verifier refuses an engine token, and vice versa.
    let at_verifier = Verifier::builder(public)
        .issuer(ISS)
        .audience("runner")
        .typ("at+jwt")
        .build()
        .unwrap();
    assert_eq!(
        at_verifier.verify(&engine.token, NOW).unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    let (tokens, _) = e.exchanged();
    let engine_for_api = Verifier::builder(e.issuer.signing_key().public_key().unwrap())
        .issuer(ISS)
        .audience("api")
        .typ("engine+jwt")
        .build()
        .unwrap();
    assert_eq!(
        engine_for_api
            .verify(&tokens.access_token, NOW + 1)
            .unwrap_err()
            .kind(),
        ErrorKind::TypeMismatch
    );
    // The issuer's own locate() refuses engine tokens as access tokens too.
    assert_eq!(
        e.issuer.locate(&engine.token, NOW).unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );

    // Escalation and empty requests.
    for requested in ["write", "job:run write"] {
        let err = e
            .issuer
            .issue_engine_token(
                &parent,
                &ScopeSet::parse(requested).unwrap(),
                "user-42",
                "runner",
                NOW,
                &e.rng,
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidScope, "{requested}");
    }
    let err = e
        .issuer
        .issue_engine_token(&parent, &ScopeSet::new(), "u", "runner", NOW, &e.rng)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OauthInvalidScope);
    let err = e
        .issuer
        .issue_engine_token(&parent, &requested, "", "runner", NOW, &e.rng)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn long_lived_access_tokens_are_expressible() {
    let e = env_with(|c| c.access_token_lifetime = 7 * 86_400);
    let (tokens, _) = e.exchanged();
    assert_eq!(tokens.expires_in, 604_800);
    let claims = access_verifier(&e.issuer, "at+jwt")
        .verify(&tokens.access_token, NOW + 6 * DAY)
        .unwrap()
        .into_claims();
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        604_800
    );
}

#[test]
fn several_audiences_become_an_array() {
    let e = env_with(|c| c.audiences = vec!["api".into(), "media".into()]);
    let (tokens, state) = e.exchanged();
    let claims = access_verifier(&e.issuer, "at+jwt")
        .verify(&tokens.access_token, NOW + 1)
        .unwrap()
        .into_claims();
    assert_eq!(claims["aud"], serde_json::json!(["api", "media"]));
    let info = e
        .issuer
        .introspect(Some(&state), &tokens.access_token, NOW + 1);
    let json: Value = serde_json::from_str(&info.to_json()).unwrap();
    assert_eq!(json["aud"], serde_json::json!(["api", "media"]));
}

// ---- revocation (RFC 7009) ------------------------------------------------------------------------

#[test]
fn revoking_a_refresh_token_revokes_the_family_rfc7009_2_1() {
    let e = env();
    let (tokens, state) = e.exchanged();
    let rt = tokens.refresh_token.unwrap();
    let out = e.issuer.revoke(&e.auth("pub"), Some(&state), &rt, NOW + 10);
    assert!(out.result.is_ok());
    let revoked = out.state.unwrap();
    assert_eq!(revoked.version(), 3);
    assert_eq!(
        revoked.status(),
        FamilyStatus::Revoked {
            reason: RevocationReason::ClientRequest,
            at: NOW + 10
        }
    );
    let [
        Effect::RevokeFamily {
            access_tokens,
            lookups,
            ..
        },
    ] = &out.effects[..]
    else {
        panic!()
    };
    // §2.1: SHOULD also invalidate the access tokens of the same grant.
    assert_eq!(access_tokens[0].jti, tokens.jti);
    assert_eq!(lookups.len(), 2);
    assert!(!e.issuer.introspect(Some(&revoked), &rt, NOW + 11).active);
    assert!(
        !e.issuer
            .introspect(Some(&revoked), &tokens.access_token, NOW + 11)
            .active
    );
    let out = e.token("pub", Some(&revoked), &refresh_request(&rt, None), NOW + 12);
    assert_eq!(kind(&out.result), ErrorKind::OauthInvalidGrant);
    // Revoking again is fine and changes nothing.
    let again = e
        .issuer
        .revoke(&e.auth("pub"), Some(&revoked), &rt, NOW + 13);
    assert!(again.result.is_ok() && !again.changes_state());
}

#[test]
fn revoking_an_access_token_revokes_only_it() {
    let e = env();
    let (tokens, state) = e.exchanged();
    let out = e
        .issuer
        .revoke(&e.auth("pub"), Some(&state), &tokens.access_token, NOW + 10);
    let next = out.state.unwrap();
    assert!(next.is_active());
    assert_eq!(next.access_tokens()[0].status, TokenStatus::Revoked);
    assert_eq!(
        out.effects,
        [Effect::RevokeAccessTokens {
            family_id: state.family_id().to_owned(),
            access_tokens: vec![tessera::grant::RevokedAccessToken {
                jti: tokens.jti.clone(),
                expires_at: tokens.expires_at,
            }],
        }]
    );
    assert!(
        !e.issuer
            .introspect(Some(&next), &tokens.access_token, NOW + 11)
            .active
    );
    let rt = tokens.refresh_token.unwrap();
    assert!(e.issuer.introspect(Some(&next), &rt, NOW + 11).active);
    assert!(
        e.token("pub", Some(&next), &refresh_request(&rt, None), NOW + 12)
            .result
            .is_ok()
    );
}

#[test]
fn revocation_no_ops_rfc7009_2_2() {
    let e = env();
    let (tokens, state) = e.exchanged();
    let (code, _, code_state) = e.code("pub");
    let rt = tokens.refresh_token.clone().unwrap();
    let cases: &[(&str, &str, Option<&GrantState>, &str, i64)] = &[
        ("another client's token", "conf", Some(&state), &rt, NOW),
        (
            "another client's access token",
            "conf",
            Some(&state),
            &tokens.access_token,
            NOW,
        ),
        ("no family found", "pub", None, &rt, NOW),
        ("garbage", "pub", Some(&state), "garbage", NOW),
        (
            "an authorization code",
            "pub",
            Some(&code_state),
            &code,
            NOW,
        ),
        (
            "an expired access token",
            "pub",
            Some(&state),
            &tokens.access_token,
            NOW + 301,
        ),
        ("another family's token", "pub", Some(&code_state), &rt, NOW),
    ];
    for (name, client, state, token, now) in cases {
        let out = e.issuer.revoke(&e.auth(client), *state, token, *now);
        assert!(out.result.is_ok(), "{name}");
        assert!(!out.changes_state(), "{name}");
    }
}

#[test]
fn host_revocation() {
    let e = env();
    let (tokens, state) = e.exchanged();
    let out = e.issuer.revoke_family(&state, NOW + 5);
    let revoked = out.state.unwrap();
    assert_eq!(
        revoked.status(),
        FamilyStatus::Revoked {
            reason: RevocationReason::Host,
            at: NOW + 5
        }
    );
    assert!(matches!(&out.effects[..], [Effect::RevokeFamily { .. }]));
    assert!(!e.issuer.revoke_family(&revoked, NOW + 6).changes_state());
    let rt = refresh_request(tokens.refresh_token.as_deref().unwrap(), None);
    assert_eq!(
        kind(&e.token("pub", Some(&revoked), &rt, NOW + 7).result),
        ErrorKind::OauthInvalidGrant
    );
}

// ---- introspection (RFC 7662) -----------------------------------------------------------------------

#[test]
fn introspection_of_active_tokens_rfc7662_2_2() {
    let e = env();
    let (tokens, state) = e.exchanged();
    let at = e
        .issuer
        .introspect(Some(&state), &tokens.access_token, NOW + 2);
    let json: Value = serde_json::from_str(&at.to_json()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "active": true, "scope": "read write", "client_id": "pub", "sub": "user-42",
            "exp": NOW + 1 + 300, "iat": NOW + 1, "token_type": "Bearer", "iss": ISS,
            "aud": "api", "jti": tokens.jti,
        })
    );
    let rt = e.issuer.introspect(
        Some(&state),
        tokens.refresh_token.as_deref().unwrap(),
        NOW + 2,
    );
    let json: Value = serde_json::from_str(&rt.to_json()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "active": true, "scope": "read write", "client_id": "pub", "sub": "user-42",
            "exp": NOW + 1 + 30 * DAY, "iat": NOW + 1, "iss": ISS,
        })
    );
}

#[test]
fn introspection_inactive_is_exactly_active_false() {
    let e = env();
    let (t1, s2) = e.exchanged();
    let rt1 = t1.refresh_token.clone().unwrap();
    let out = e.token("pub", Some(&s2), &refresh_request(&rt1, None), NOW + 10);
    let s3 = out.state.unwrap();
    let (code, _, code_state) = e.code("pub");
    let (other, other_state) = e.exchanged();
    let engine = e
        .issuer
        .issue_engine_token(s3.scope(), s3.scope(), "user-42", "api", NOW, &e.rng)
        .unwrap();
    let cases: &[(&str, Option<&GrantState>, &str, i64)] = &[
        ("consumed refresh token", Some(&s3), &rt1, NOW + 11),
        (
            "expired access token",
            Some(&s3),
            &t1.access_token,
            NOW + 1 + 300,
        ),
        (
            "access token with another family's state",
            Some(&other_state),
            &t1.access_token,
            NOW + 11,
        ),
        (
            "refresh token with another family's state",
            Some(&other_state),
            &rt1,
            NOW + 11,
        ),
        ("no state", None, &other.access_token, NOW + 11),
        ("authorization code", Some(&code_state), &code, NOW),
        ("garbage", Some(&s3), "not a token", NOW),
        ("engine token", Some(&s3), &engine.token, NOW),
        ("empty", Some(&s3), "", NOW),
    ];
    for (name, state, token, now) in cases {
        let info = e.issuer.introspect(*state, token, *now);
        assert_eq!(info.to_json(), r#"{"active":false}"#, "{name}");
    }
}

// ---- locate -----------------------------------------------------------------------------------------

#[test]
fn locate_finds_the_family_of_every_token() {
    let e = env();
    let (tokens, state) = e.exchanged();
    let Locator::Family { family_id, jti } =
        e.issuer.locate(&tokens.access_token, NOW + 1).unwrap()
    else {
        panic!()
    };
    assert_eq!(family_id, state.family_id());
    assert_eq!(jti, tokens.jti);
    let rt = tokens.refresh_token.unwrap();
    let Locator::Lookup { lookup, kind } = e.issuer.locate(&rt, NOW).unwrap() else {
        panic!()
    };
    assert_eq!(kind, TokenKind::RefreshToken);
    assert_eq!(lookup, state.refresh_tokens()[0].lookup);
    assert_eq!(lookup.key_id(), "p2"); // the current pepper

    let format = e.issuer.policy().token_format();
    let api_key = format.generate(TokenKind::ApiKey, &e.rng).unwrap();
    assert_eq!(
        e.issuer.locate(api_key.as_str(), NOW).unwrap_err().kind(),
        ErrorKind::WrongTokenKind
    );
    assert_eq!(
        e.issuer
            .locate(&tokens.access_token, NOW + 301)
            .unwrap_err()
            .kind(),
        ErrorKind::Expired
    );
    assert!(e.issuer.locate("tsr_rt_short", NOW).is_err());
    assert!(e.issuer.locate("", NOW).is_err());
}

// ---- state JSON ------------------------------------------------------------------------------------

#[test]
fn state_json_round_trips_at_every_step() {
    let e = env_with(|c| c.refresh_reuse_grace_seconds = 10);
    let (code, verifier, s1) = e.code("pub");
    let out = e.token(
        "pub",
        Some(&s1),
        &e.redeem(&code, Some(&verifier), PUB_CB),
        NOW,
    );
    let rt = out.result.unwrap().refresh_token.unwrap();
    let s2 = out.state.unwrap();
    let s3 = e
        .token("pub", Some(&s2), &refresh_request(&rt, None), NOW + 1)
        .state
        .unwrap();
    let s4 = e
        .token("pub", Some(&s3), &refresh_request(&rt, None), NOW + 2)
        .state
        .unwrap();
    let s5 = e.issuer.revoke_family(&s4, NOW + 3).state.unwrap();
    for state in [&s1, &s2, &s3, &s4, &s5] {
        let json = state.to_json();
        let back = GrantState::from_json(&json).unwrap();
        assert_eq!(&back, state);
        assert_eq!(back.to_json(), json);
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["v"], 1);
        assert_eq!(v["version"], state.version());
    }
    let v: Value = serde_json::from_str(&s5.to_json()).unwrap();
    assert_eq!(
        v["status"],
        serde_json::json!({"state": "revoked", "reason": "host", "at": NOW + 3})
    );
    assert_eq!(v["code"]["pkce"]["method"], "S256");
    assert_eq!(v["refresh_tokens"][1]["status"], "superseded");
}

fn sample_state() -> String {
    let e = env();
    let (_, state) = e.exchanged();
    state.to_json()
}

#[test]
fn state_json_versions_and_tampering() {
    let json = sample_state();
    let mut v: Value = serde_json::from_str(&json).unwrap();
    for unknown in [0, 2, 99] {
        v["v"] = unknown.into();
        assert_eq!(
            GrantState::from_json(&v.to_string()).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
    }
    v["v"] = 1.into();
    let tampered: &[(&str, Value)] = &[
        ("v", "1".into()),
        ("version", "2".into()),
        ("version", 0.into()),
        ("version", (-1).into()),
        ("family_id", "short".into()),
        ("family_id", 7.into()),
        ("kind", "password".into()),
        ("client_id", "".into()),
        ("subject", Value::Null),
        ("scope", "a  b".into()),
        ("created_at", 1.5.into()),
        ("expires_at", 0.into()),
        ("status", serde_json::json!({"state": "paused"})),
        ("status", serde_json::json!({"state": "revoked"})),
        ("status", "active".into()),
        ("code", serde_json::json!({})),
        ("refresh_tokens", serde_json::json!({})),
        ("refresh_tokens", serde_json::json!([1])),
        ("access_tokens", serde_json::json!([{"jti": 1}])),
        ("extra", 1.into()),
    ];
    for (member, value) in tampered {
        let mut t = v.clone();
        t[*member] = value.clone();
        assert_eq!(
            GrantState::from_json(&t.to_string()).unwrap_err().kind(),
            ErrorKind::InvalidJson,
            "{member} = {value}"
        );
    }
    let mut missing = v.clone();
    missing.as_object_mut().unwrap().remove("v");
    assert_eq!(
        GrantState::from_json(&missing.to_string())
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidJson
    );
    // Nested records.
    let nested: &[(&str, &str, Value)] = &[
        ("code", "lookup", "p1:nothash".into()),
        ("code", "status", "used".into()),
        (
            "code",
            "pkce",
            serde_json::json!({"challenge": "x", "method": "S512"}),
        ),
        ("code", "redirect_uri_sent", "yes".into()),
    ];
    for (outer, inner, value) in nested {
        let mut t = v.clone();
        t[*outer][*inner] = value.clone();
        assert_eq!(
            GrantState::from_json(&t.to_string()).unwrap_err().kind(),
            ErrorKind::InvalidJson,
            "{outer}.{inner} = {value}"
        );
    }
    let mut t = v.clone();
    t["refresh_tokens"][0]["successor"] = 1.into();
    assert_eq!(
        GrantState::from_json(&t.to_string()).unwrap_err().kind(),
        ErrorKind::InvalidJson
    );
    let mut t = v.clone();
    let first = t["refresh_tokens"][0].clone();
    t["refresh_tokens"].as_array_mut().unwrap().push(first);
    assert_eq!(
        GrantState::from_json(&t.to_string()).unwrap_err().kind(),
        ErrorKind::InvalidJson
    );
    // Duplicate members, truncation, other shapes.
    let dup = json.replacen("\"version\":2", "\"version\":2,\"version\":3", 1);
    assert_ne!(dup, json);
    assert_eq!(
        GrantState::from_json(&dup).unwrap_err().kind(),
        ErrorKind::DuplicateMember
    );
    for text in [&json[..json.len() - 1], "", "[]", "null", "{}"] {
        assert_eq!(
            GrantState::from_json(text).unwrap_err().kind(),
            ErrorKind::InvalidJson,
            "{text}"
        );
    }
    let huge = format!("{}{}", " ".repeat(1 << 20), json);
    assert_eq!(
        GrantState::from_json(&huge).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
}

#[test]
fn effects_as_json() {
    let e = env();
    let (_, verifier, _) = e.code("pub");
    let AuthorizeOutcome::Granted { effects, state, .. } =
        e.authorize(&e.request("pub", &verifier))
    else {
        panic!()
    };
    let json = serde_json::to_value(&effects).unwrap();
    assert_eq!(json[0]["effect"], "index");
    assert_eq!(json[0]["kind"], "ac");
    assert_eq!(json[0]["family_id"], state.family_id());
    assert!(json[0]["lookup"].as_str().unwrap().starts_with("p2:"));
    let out = e.issuer.revoke_family(&state, NOW);
    let json = serde_json::to_value(&out.effects).unwrap();
    assert_eq!(json[0]["effect"], "revoke_family");
    assert_eq!(json[0]["reason"], "host");
    assert_eq!(json[0]["access_tokens"], serde_json::json!([]));
    assert_eq!(json[0]["lookups"].as_array().unwrap().len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any byte edit or truncation of a state is either a valid state or a typed error.
    #[test]
    fn state_json_mutations_never_panic(index in 0usize..4096, byte in any::<u8>(), cut in any::<bool>()) {
        let json = SAMPLE.with(|s| s.clone());
        let mut bytes = json.into_bytes();
        let at = index % bytes.len();
        if cut {
            bytes.truncate(at);
        } else {
            bytes[at] = byte;
        }
        if let Ok(text) = String::from_utf8(bytes) {
            match GrantState::from_json(&text) {
                Ok(state) => prop_assert!(GrantState::from_json(&state.to_json()).is_ok()),
                Err(err) => prop_assert!(matches!(
                    err.kind(),
                    ErrorKind::InvalidJson | ErrorKind::Unsupported
                )),
            }
        }
    }
}

thread_local! {
    static SAMPLE: String = sample_state();
}

// ---- DPoP (RFC 9449) and certificate binding (RFC 8705) ---------------------------------------

fn jkt(thumbprint: &str) -> Confirmation {
    Confirmation::jkt(thumbprint).unwrap()
}

impl Env {
    fn token_bound(
        &self,
        client_id: &str,
        state: Option<&GrantState>,
        request: &TokenRequest,
        cnf: Option<&Confirmation>,
        now: i64,
    ) -> Outcome<Tokens> {
        self.issuer
            .token(&self.auth(client_id), state, request, cnf, now, &self.rng)
    }
}

#[test]
fn rfc9449_dpop_flow_end_to_end() {
    let e = env();
    // The authorization request binds the code to the key (RFC 9449 §10), read from the query.
    let verifier = CodeVerifier::generate(&e.rng).unwrap();
    let query = format!(
        "response_type=code&client_id=pub&redirect_uri=https%3A%2F%2Fapp.example%2Fcb\
         &scope=read&code_challenge={}&code_challenge_method=S256&dpop_jkt={JKT}",
        verifier.challenge_s256()
    );
    let request = AuthorizeRequest::from_form(&Form::parse(query.as_bytes()).unwrap()).unwrap();
    assert_eq!(request.dpop_jkt.as_deref(), Some(JKT));
    let AuthorizeOutcome::Granted {
        redirect, state, ..
    } = e.authorize(&request)
    else {
        panic!("refused")
    };
    let state = *state;
    assert_eq!(state.code().unwrap().dpop_jkt.as_deref(), Some(JKT));
    let code = redirect.param("code").unwrap();
    let redeem = e.redeem(&code, Some(&verifier), PUB_CB);

    // Redeemed with the key: a DPoP token (RFC 9449 §5) carrying cnf.jkt (§6.1).
    let out = e.token_bound("pub", Some(&state), &redeem, Some(&jkt(JKT)), NOW + 1);
    let tokens = out.result.unwrap();
    let state = out.state.unwrap();
    assert_eq!(tokens.token_type(), "DPoP");
    assert_eq!(tokens.cnf, Some(jkt(JKT)));
    let body: Value = serde_json::from_str(&tokens.to_response().to_json()).unwrap();
    assert_eq!(body["token_type"], "DPoP");
    let verified = access_verifier(&e.issuer, "at+jwt")
        .verify(&tokens.access_token, NOW + 2)
        .unwrap();
    assert_eq!(
        Confirmation::from_claims(verified.claims()).unwrap(),
        Some(jkt(JKT))
    );
    // Introspection returns the binding (RFC 9449 §6.2).
    let info = e
        .issuer
        .introspect(Some(&state), &tokens.access_token, NOW + 2);
    let info: Value = serde_json::from_str(&info.to_json()).unwrap();
    assert_eq!(info["cnf"]["jkt"], JKT);
    assert_eq!(info["token_type"], "DPoP");

    // The refresh token is bound to the key (public client, RFC 9449 §5).
    assert_eq!(state.dpop_jkt(), Some(JKT));
    let rt = tokens.refresh_token.unwrap();
    for cnf in [None, Some(jkt(OTHER_JKT))] {
        let out = e.token_bound(
            "pub",
            Some(&state),
            &refresh_request(&rt, None),
            cnf.as_ref(),
            NOW + 3,
        );
        let err = out.result.as_ref().unwrap_err();
        assert_eq!(wire(err), ("invalid_grant", 400));
        assert!(!out.changes_state(), "{cnf:?}");
    }
    let out = e.token_bound(
        "pub",
        Some(&state),
        &refresh_request(&rt, Some("read")),
        Some(&jkt(JKT)),
        NOW + 3,
    );
    assert_eq!(out.result.unwrap().token_type(), "DPoP");
    // States written before the binding existed still read: no dpop_jkt member.
    let (_, _, plain) = e.code("pub");
    let json = plain.to_json();
    assert!(!json.contains("dpop_jkt"));
    assert_eq!(GrantState::from_json(&json).unwrap(), plain);
    assert_eq!(
        GrantState::from_json(&out.state.unwrap().to_json())
            .unwrap()
            .dpop_jkt(),
        Some(JKT)
    );
}

#[test]
fn rfc9449_10_dpop_jkt_code_without_the_key_is_burned() {
    let e = env();
    let verifier = CodeVerifier::generate(&e.rng).unwrap();
    let mut request = e.request("pub", &verifier);
    request.dpop_jkt = Some(JKT.to_owned());
    let AuthorizeOutcome::Granted {
        redirect, state, ..
    } = e.authorize(&request)
    else {
        panic!("refused")
    };
    let redeem = e.redeem(&redirect.param("code").unwrap(), Some(&verifier), PUB_CB);
    let out = e.token_bound("pub", Some(&state), &redeem, Some(&jkt(OTHER_JKT)), NOW + 1);
    let err = out.result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OauthInvalidGrant);
    assert!(err.detail().contains("dpop_jkt"), "{err:?}");
    let burned = out.state.unwrap();
    assert_eq!(burned.code().unwrap().status, TokenStatus::Revoked);
    let again = e.token_bound("pub", Some(&burned), &redeem, Some(&jkt(JKT)), NOW + 2);
    assert_eq!(kind(&again.result), ErrorKind::OauthInvalidGrant);
    // And with no key at all.
    let verifier = CodeVerifier::generate(&e.rng).unwrap();
    let mut request = e.request("pub", &verifier);
    request.dpop_jkt = Some(JKT.to_owned());
    let AuthorizeOutcome::Granted {
        redirect, state, ..
    } = e.authorize(&request)
    else {
        panic!("refused")
    };
    let redeem = e.redeem(&redirect.param("code").unwrap(), Some(&verifier), PUB_CB);
    let out = e.token("pub", Some(&state), &redeem, NOW + 1);
    assert_eq!(kind(&out.result), ErrorKind::OauthInvalidGrant);
    assert_eq!(
        out.state.unwrap().code().unwrap().status,
        TokenStatus::Revoked
    );
}

#[test]
fn rfc9449_confidential_refresh_tokens_stay_unbound() {
    let e = env();
    let (code, _, state) = e.code("conf");
    let out = e.token_bound(
        "conf",
        Some(&state),
        &e.redeem(&code, None, CONF_CB),
        Some(&jkt(JKT)),
        NOW + 1,
    );
    let tokens = out.result.unwrap();
    let state = out.state.unwrap();
    assert_eq!(tokens.token_type(), "DPoP");
    assert_eq!(state.dpop_jkt(), None);
    let out = e.token(
        "conf",
        Some(&state),
        &refresh_request(tokens.refresh_token.as_deref().unwrap(), None),
        NOW + 2,
    );
    let refreshed = out.result.unwrap();
    assert_eq!((refreshed.token_type(), refreshed.cnf), ("Bearer", None));
}

#[test]
fn rfc9449_5_2_dpop_bound_access_tokens_client() {
    let mut e = env();
    e.conf.dpop_bound_access_tokens = true;
    let cc = TokenRequest::ClientCredentials {
        scope: Some("read".into()),
    };
    let out = e.token("conf", None, &cc, NOW);
    assert!(!out.changes_state());
    let err = out.result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DpopProofRequired);
    assert_eq!(wire(&err), ("invalid_dpop_proof", 400));
    let cert = Confirmation::certificate(&[0x30, 0x00]).unwrap();
    let out = e.token_bound("conf", None, &cc, Some(&cert), NOW);
    assert_eq!(kind(&out.result), ErrorKind::DpopProofRequired);
    let out = e.token_bound("conf", None, &cc, Some(&jkt(JKT)), NOW);
    assert_eq!(out.result.unwrap().token_type(), "DPoP");
}

#[test]
fn rfc8705_3_1_certificate_bound_token_is_bearer() {
    let e = env();
    let cert = Confirmation::certificate(&[0x30, 0x03, 0x02, 0x01, 0x07]).unwrap();
    let cc = TokenRequest::ClientCredentials {
        scope: Some("read".into()),
    };
    let out = e.token_bound("conf", None, &cc, Some(&cert), NOW);
    let tokens = out.result.unwrap();
    let state = out.state.unwrap();
    assert_eq!(tokens.token_type(), "Bearer");
    let verified = access_verifier(&e.issuer, "at+jwt")
        .verify(&tokens.access_token, NOW + 1)
        .unwrap();
    assert_eq!(
        Confirmation::from_claims(verified.claims()).unwrap(),
        Some(cert.clone())
    );
    let info = e
        .issuer
        .introspect(Some(&state), &tokens.access_token, NOW + 1);
    assert_eq!(info.cnf, Some(cert));
    assert_eq!(info.token_type.as_deref(), Some("Bearer"));
    assert!(info.to_json().contains(r#""cnf":{"x5t#S256":""#));
}
