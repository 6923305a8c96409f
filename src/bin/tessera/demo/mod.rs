//! `tessera demo`: the whole story of an authorization server, a client app and an API, run in
//! memory through the library and printed as a walkthrough.
//!
//! Nothing here is demo-only logic: the authorization server is [`Issuer`] with a "host" made of
//! a few maps (grant families by id, a lookup-hash index, an access-token deny list, opaque
//! tokens by lookup hash), requests and responses go through [`tessera::wire`], and the API
//! verifies with a [`Verifier`] built from the published JWKS. The clock is fixed (1800000000,
//! 2027-01-15 08:00:00 UTC) so the output reads the same on every run; keys and tokens are fresh
//! each time.
//!
//! `story.rs` tells steps 1 to 10 (the code flow with PKCE, refresh, reuse detection, client
//! credentials, engine tokens, API keys); `more.rs` steps 11 to 14 (the implicit flow, a
//! `.default` URI scope, a platform's token API, an ES512 key when the backend has P-521);
//! `bound.rs` step 15 (DPoP: a proof, a refused replay, a key-bound token at the API).
//! This file holds the in-memory servers and the output. The walkthrough names the
//! cryptographic backend it runs on ([`tessera::backend`]).

mod bound;
mod more;
mod story;

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clap::Args;
use serde_json::{Value, json};
use tessera::grant::{
    AuthorizeOutcome, Client, ClientKind, Effect, GrantState, GrantType, Issuer, Locator, Policy,
    Redirect, RevocationReason, Tokens,
};
use tessera::jwt::{self, Algorithm, Header, Key, KeySet, Verifier, dangerous};
use tessera::pkce::CodeVerifier;
use tessera::scope::{Implications, ScopeSet};
use tessera::token::{Pepper, Peppers, TokenKind};
use tessera::wire::{
    AuthorizeRequest, ErrorResponse, Form, TokenRequest, bearer_token, client_auth, encode_form,
};
use tessera::{Error, ErrorKind};
use tessera::{SecureRandom, SystemRandom};

use crate::fail::Failure;
use crate::inout::out;

/// The demo's fixed clock: 2027-01-15 08:00:00 UTC.
const T0: i64 = 1_800_000_000;
/// The authorization server.
const ISSUER: &str = "https://auth.example";
/// The API's audience.
const API: &str = "media-api";
/// The public client's redirect URI.
const REDIRECT: &str = "https://app.example/callback";
/// The legacy single-page app's redirect URI (implicit flow).
const SPA_REDIRECT: &str = "https://spa.example/";
/// The `.default` URI scope an M2M client asks for (Microsoft identity platform style): "every
/// permission registered for this resource". To tessera it is one RFC 6749 §3.3 scope-token.
const DOT_DEFAULT: &str = "https://api.example.com/.default";
/// What an organisation may put in the tokens it mints through the platform's token API.
const ORG_SCOPE: &str = "job:read job:write recording:read";
/// The shortest text the walkthrough shortens.
const SHORTEN_FROM: usize = 40;

/// `tessera demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Print tokens, codes and secrets whole (by default long ones are shortened as `abc…`).
    #[arg(long)]
    full: bool,
}

/// An HTTP-like response of the in-memory servers.
struct Response {
    status: u16,
    body: String,
    challenge: Option<String>,
}

impl Response {
    /// A token endpoint error: a 401 carries its challenge whichever way the client
    /// authenticated (RFC 6749 §5.2, RFC 9110 §15.5.2).
    fn error(err: &Error, realm: &str) -> Response {
        let response = ErrorResponse::for_token_endpoint(err, realm);
        Response {
            status: response.http_status(),
            body: response.to_json(),
            challenge: response.www_authenticate().map(str::to_owned),
        }
    }
}

/// What the API knows about an opaque API key or access token, found by its lookup hash.
struct OpaqueRow {
    /// The platform's id for the token (the `{id}` of `DELETE /api/tokens/{id}`), if any.
    id: Option<String>,
    owner: String,
    scope: ScopeSet,
    /// When it stops working (Unix seconds); `None` for API keys, which live until revoked.
    expires_at: Option<i64>,
}

/// The authorization server, its host storage, the API and the output.
struct Demo {
    rng: SystemRandom,
    full: bool,
    text: String,
    /// Secrets and tokens to shorten in the output: (whole, shortened).
    secrets: Vec<(String, String)>,
    issuer: Issuer,
    clients: BTreeMap<String, Client>,
    /// Grant families by id (what a database row would hold).
    families: BTreeMap<String, GrantState>,
    /// Lookup hash → family id, for codes and refresh tokens.
    index: BTreeMap<String, String>,
    /// Revoked access tokens (`jti`), until they expire.
    deny_list: BTreeSet<String>,
    /// Opaque API keys and access tokens by lookup hash.
    opaque: BTreeMap<String, OpaqueRow>,
    /// The API's verifier for RFC 9068 access tokens, from the JWKS.
    api_verifier: Verifier,
    /// A processing engine's verifier for engine tokens, from the same JWKS.
    engine_verifier: Verifier,
}

fn demo_bug(what: &str) -> Failure {
    Failure::kind(ErrorKind::Unsupported, format!("demo: {what}"))
}

/// `Key: value` lines indent under a step.
const INDENT: &str = "      ";

impl Demo {
    // ---- output -------------------------------------------------------------------------

    fn line(&mut self, text: &str) {
        let shown = self.shorten(text);
        self.text.push_str(&shown);
        self.text.push('\n');
    }

    fn step(&mut self, n: u32, at: i64, title: &str) {
        let clock = if at == T0 {
            "t+0s".to_owned()
        } else {
            format!("t+{}s", at - T0)
        };
        self.line("");
        self.line(&format!("── {n}. {title} ({clock})"));
    }

    fn sent(&mut self, text: &str) {
        self.line(&format!("  → {text}"));
    }

    fn came_back(&mut self, text: &str) {
        self.line(&format!("  ← {text}"));
    }

    fn who(&mut self, who: &str, text: &str) {
        self.line(&format!("  {who:<6} {text}"));
    }

    fn response(&mut self, response: &Response) {
        let reason = match response.status {
            200 => "OK",
            201 => "Created",
            204 => "No Content",
            302 => "Found",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            _ => "",
        };
        if response.body.is_empty() {
            self.came_back(&format!("{} {reason}", response.status));
        } else {
            self.came_back(&format!("{} {reason}  {}", response.status, response.body));
        }
        if let Some(challenge) = &response.challenge {
            self.line(&format!("{INDENT}   WWW-Authenticate: {challenge}"));
        }
    }

    /// Registers a secret or token for shortening in the output.
    fn secret(&mut self, whole: &str) {
        if whole.len() >= SHORTEN_FROM && !self.secrets.iter().any(|(w, _)| w == whole) {
            let head: String = whole.chars().take(18).collect();
            self.secrets.push((whole.to_owned(), format!("{head}…")));
        }
    }

    fn shorten(&self, text: &str) -> String {
        if self.full {
            return text.to_owned();
        }
        let mut text = text.to_owned();
        for (whole, short) in &self.secrets {
            text = text.replace(whole.as_str(), short);
        }
        text
    }

    // ---- the host -----------------------------------------------------------------------

    /// The authorization endpoint after `user-42` approved: `Issuer::authorize`, the redirect
    /// shown and the new family persisted. Returns the redirect and its parameter `param` (the
    /// code, or the implicit grant's access token), kept out of the printed text.
    fn authorize_approved(
        &mut self,
        client: &Client,
        request: &AuthorizeRequest,
        t: i64,
        param: &str,
    ) -> Result<(Redirect, String), Failure> {
        let AuthorizeOutcome::Granted {
            redirect,
            state,
            effects,
        } = self
            .issuer
            .authorize(Some(client), request, "user-42", t, &self.rng)
        else {
            return Err(demo_bug("the authorization was not granted"));
        };
        let value = redirect
            .param(param)
            .ok_or_else(|| demo_bug("the redirect lacks its response parameter"))?;
        self.secret(&value);
        self.came_back(&format!("302 Found  Location: {}", redirect.location));
        self.persist(Some(*state), &effects);
        Ok((redirect, value))
    }

    /// Applies what a grant operation asked the host to persist, and says what it did.
    fn persist(&mut self, state: Option<GrantState>, effects: &[Effect]) {
        if let Some(state) = state {
            let id = state.family_id().to_owned();
            let previous = self.families.get(&id).map_or(0, GrantState::version);
            let refresh: Vec<String> = state
                .refresh_tokens()
                .iter()
                .map(|r| format!("rt#{} {}", r.seq, status_name(&r.status)))
                .collect();
            let family = match state.status() {
                tessera::grant::FamilyStatus::Active => "active".to_owned(),
                tessera::grant::FamilyStatus::Revoked { reason, .. } => {
                    format!("REVOKED ({})", reason_name(&reason))
                }
            };
            let mut summary = if previous == 0 {
                format!(
                    "saved a new grant family {} (version {}): {family}",
                    short_id(&id),
                    state.version()
                )
            } else {
                format!(
                    "saved family {} version {previous} → {} (compare-and-swap): {family}",
                    short_id(&id),
                    state.version()
                )
            };
            if !refresh.is_empty() {
                summary.push_str(&format!("; {}", refresh.join(", ")));
            }
            self.who("host", &summary);
            let _ = self.families.insert(id, state);
        }
        for effect in effects {
            match effect {
                Effect::Index {
                    lookup,
                    family_id,
                    kind,
                } => {
                    self.who(
                        "host",
                        &format!(
                            "indexed the {}'s lookup hash {lookup} → family {}",
                            kind_name(*kind),
                            short_id(family_id)
                        ),
                    );
                    let _ = self.index.insert(lookup.to_string(), family_id.clone());
                }
                Effect::Unindex { lookup, .. } => {
                    let _ = self.index.remove(&lookup.to_string());
                }
                Effect::RevokeFamily {
                    family_id,
                    reason,
                    access_tokens,
                    lookups,
                } => {
                    for token in access_tokens {
                        let _ = self.deny_list.insert(token.jti.clone());
                    }
                    self.who(
                        "host",
                        &format!(
                            "family {} revoked ({}): {} access token(s) deny-listed until they \
                             expire, {} code/refresh hash(es) dead",
                            short_id(family_id),
                            reason_name(reason),
                            access_tokens.len(),
                            lookups.len()
                        ),
                    );
                }
                Effect::RevokeAccessTokens { access_tokens, .. } => {
                    for token in access_tokens {
                        let _ = self.deny_list.insert(token.jti.clone());
                    }
                }
                _ => {}
            }
        }
    }

    /// The family of a presented code, refresh token or access token, via [`Issuer::locate`]
    /// and the index.
    fn locate(&self, token: &str, now: i64) -> Option<GrantState> {
        let family_id = match self.issuer.locate(token, now).ok()? {
            Locator::Lookup { lookup, .. } => self.index.get(&lookup.to_string())?.clone(),
            Locator::Family { family_id, .. } => family_id,
        };
        self.families.get(&family_id).cloned()
    }

    /// The token endpoint: form body and optional Basic header in, JSON out.
    fn token_endpoint(
        &mut self,
        basic: Option<&str>,
        body: &str,
        now: i64,
    ) -> (Response, Option<Tokens>) {
        self.token_endpoint_bound(basic, body, now, None)
    }

    /// [`Demo::token_endpoint`] for a request whose DPoP proof (or client certificate) the
    /// host checked: the tokens are bound to `cnf` (RFC 9449 §5, RFC 8705 §3).
    fn token_endpoint_bound(
        &mut self,
        basic: Option<&str>,
        body: &str,
        now: i64,
        cnf: Option<&tessera::dpop::Confirmation>,
    ) -> (Response, Option<Tokens>) {
        let realm = "auth.example";
        let parsed = Form::parse(body.as_bytes()).and_then(|form| {
            let auth = client_auth(basic, &form)?;
            let request = TokenRequest::from_form(&form)?;
            Ok((auth, request))
        });
        let (auth, request) = match parsed {
            Ok(parsed) => parsed,
            Err(e) => return (Response::error(&e, realm), None),
        };
        let client = self.clients.get(auth.client_id()).cloned();
        let authenticated =
            match self
                .issuer
                .authenticate(client.as_ref(), auth.client_id(), auth.client_secret())
            {
                Ok(client) => client,
                Err(e) => return (Response::error(&e, realm), None),
            };
        let state = match &request {
            TokenRequest::AuthorizationCode { code, .. } => self.locate(code, now),
            TokenRequest::RefreshToken { refresh_token, .. } => self.locate(refresh_token, now),
            TokenRequest::ClientCredentials { .. } => None,
        };
        let outcome = self.issuer.token(
            &authenticated,
            state.as_ref(),
            &request,
            cnf,
            now,
            &self.rng,
        );
        let result = outcome.result;
        self.persist(outcome.state, &outcome.effects);
        match result {
            Ok(tokens) => {
                self.secret(&tokens.access_token);
                if let Some(rt) = &tokens.refresh_token {
                    self.secret(rt);
                }
                let response = Response {
                    status: 200,
                    body: tokens.to_response().to_json(),
                    challenge: None,
                };
                (response, Some(tokens))
            }
            Err(e) => (Response::error(&e, realm), None),
        }
    }

    /// A request to the API, sent and answered on the page: the request line, then the API's
    /// response to `authorization` for a route that needs `needs`.
    fn call_api(&mut self, request: &str, authorization: &str, needs: &str, now: i64) {
        self.sent(request);
        let response = self.api(authorization, needs, now);
        self.response(&response);
    }

    /// The API: a Bearer access token (RFC 9068 JWT), opaque access token or API key, and the
    /// scope the route needs.
    fn api(&mut self, authorization: &str, needs: &str, now: i64) -> Response {
        match self.api_check(authorization, needs, now) {
            Ok(body) => Response {
                status: 200,
                body: body.to_string(),
                challenge: None,
            },
            Err(e) => {
                let response =
                    ErrorResponse::for_resource(&e).with_bearer_challenge(API, Some(needs));
                Response {
                    status: response.http_status(),
                    body: response.to_json(),
                    challenge: response.www_authenticate().map(str::to_owned),
                }
            }
        }
    }

    fn api_check(&self, authorization: &str, needs: &str, now: i64) -> Result<Value, Error> {
        let token = bearer_token(Some(authorization))?.ok_or(Error::new(
            ErrorKind::OauthInvalidRequest,
            "a Bearer token is required",
        ))?;
        let needs = ScopeSet::parse(needs)?;
        let format = self.issuer.policy().token_format();
        if token.starts_with(&format!("{}_", format.prefix())) {
            // An API key or opaque access token: shape, kind and checksum offline, then one
            // lookup by hash. A revoked token's row is gone, so it is unknown.
            let lookup = self
                .issuer
                .peppers()
                .check_and_lookup(format, token, None)?;
            let row = self.opaque.get(&lookup.to_string()).ok_or(Error::new(
                ErrorKind::OauthInvalidToken,
                "unknown or revoked token",
            ))?;
            if row.expires_at.is_some_and(|exp| now >= exp) {
                return Err(Error::new(
                    ErrorKind::OauthInvalidToken,
                    "the token has expired",
                ));
            }
            row.scope.check_covers(&needs, &Implications::none())?;
            return Ok(json!({"owner": row.owner, "scope": row.scope.to_scope_string()}));
        }
        let verified = self.api_verifier.verify(token, now)?;
        if let Some(jti) = &verified.registered().jti {
            if self.deny_list.contains(jti) {
                return Err(Error::new(
                    ErrorKind::OauthInvalidToken,
                    "the token was revoked",
                ));
            }
        }
        let scope = ScopeSet::from_claims(verified.claims())?;
        scope.check_covers(&needs, &Implications::none())?;
        Ok(json!({
            "sub": verified.registered().sub,
            "client_id": verified.claims().get("client_id"),
            "scope": scope.to_scope_string(),
        }))
    }
}

fn short_id(id: &str) -> String {
    id.chars().take(8).collect::<String>() + "…"
}

fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::AuthorizationCode => "code",
        TokenKind::RefreshToken => "refresh token",
        TokenKind::ApiKey => "API key",
        TokenKind::AccessToken => "access token",
    }
}

fn status_name(status: &tessera::grant::TokenStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{status:?}"))
}

fn reason_name(reason: &RevocationReason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{reason:?}"))
}

/// A random secret: 32 bytes, base64url.
fn random_secret(rng: &SystemRandom) -> Result<String, Failure> {
    let mut bytes = [0u8; 32];
    rng.fill(&mut bytes)
        .map_err(|_| Failure::kind(ErrorKind::RandomFailure, "the random generator failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Decoded header and claims of a JWT, for display (it was just issued or verified).
fn jwt_parts(token: &str) -> Result<(Value, Value), Failure> {
    let parts = dangerous::decode_unverified(token)?;
    Ok((
        Value::Object(parts.header.to_json()),
        Value::Object(parts.claims),
    ))
}

/// `tessera demo`.
pub fn demo(args: &DemoArgs) -> Result<(), Failure> {
    let mut demo = setup(args.full)?;
    let result = story::walkthrough(&mut demo);
    out(demo.text.trim_end())?;
    result
}

fn setup(full: bool) -> Result<Demo, Failure> {
    let rng = SystemRandom::new();
    let key = Key::generate(Algorithm::ES256, &rng)?.with_kid("demo-2027-01");
    let pepper = Pepper::new("p1", random_secret(&rng)?.as_bytes())?;
    let policy = Policy::from_json(&format!(
        r#"{{"issuer":"{ISSUER}","audiences":["{API}"],"token_prefix":"tes",
            "access_token_lifetime":300,"code_lifetime":60}}"#
    ))?;
    let issuer = Issuer::new(policy, key.clone(), Peppers::new(pepper))?;
    let jwks = jwt::jwks(std::slice::from_ref(&key))?;
    let keys = KeySet::from_jwks(jwks.as_bytes(), &[])?;
    let api_verifier = Verifier::builder(keys.clone())
        .issuer(ISSUER)
        .audience(API)
        .typ("at+jwt")
        .build()?;
    let engine_verifier = Verifier::builder(keys)
        .issuer(ISSUER)
        .audience(API)
        .typ("engine+jwt")
        .build()?;
    Ok(Demo {
        rng,
        full,
        text: String::new(),
        secrets: Vec::new(),
        issuer,
        clients: BTreeMap::new(),
        families: BTreeMap::new(),
        index: BTreeMap::new(),
        deny_list: BTreeSet::new(),
        opaque: BTreeMap::new(),
        api_verifier,
        engine_verifier,
    })
}
