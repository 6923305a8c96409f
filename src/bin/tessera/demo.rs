//! `tessera demo`: the whole story of an authorization server, a client app and an API, run in
//! memory through the library and printed as a walkthrough.
//!
//! Nothing here is demo-only logic: the authorization server is [`Issuer`] with a "host" made of
//! a few maps (grant families by id, a lookup-hash index, an access-token deny list, opaque
//! tokens by lookup hash), requests and responses go through [`tessera::wire`], and the API
//! verifies with a [`Verifier`] built from the published JWKS. The clock is fixed (1800000000,
//! 2027-01-15 08:00:00 UTC) so the output reads the same on every run; keys and tokens are fresh
//! each time.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clap::Args;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};
use tessera::grant::{
    AuthorizeOutcome, Client, ClientKind, Effect, GrantState, GrantType, Issuer, Locator, Policy,
    Redirect, RevocationReason, Tokens,
};
use tessera::jwt::{self, Algorithm, Key, KeySet, Verifier, dangerous};
use tessera::pkce::CodeVerifier;
use tessera::scope::{Implications, ScopeSet};
use tessera::token::{Pepper, Peppers, TokenKind};
use tessera::wire::{
    AuthorizeRequest, ErrorResponse, Form, TokenRequest, bearer_token, client_auth, encode_form,
};
use tessera::{Error, ErrorKind};

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
        let outcome = self
            .issuer
            .token(&authenticated, state.as_ref(), &request, now, &self.rng);
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
    let result = walkthrough(&mut demo);
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

#[allow(clippy::too_many_lines)]
fn walkthrough(d: &mut Demo) -> Result<(), Failure> {
    d.line("tessera demo: an OAuth 2.0 authorization server, a client app and an API, in memory");
    d.line(
        "  clock fixed at 1800000000 (2027-01-15 08:00:00 UTC); keys and tokens are new each run",
    );
    if !d.full {
        d.line("  long tokens and secrets are shortened as abc…; `tessera demo --full` prints them whole");
    }

    // 1. The authorization server.
    d.step(1, T0, "The authorization server starts");
    let jwks = jwt::jwks(std::slice::from_ref(d.issuer.signing_key()))?;
    d.who(
        "AS",
        "signs access tokens with a new ES256 key, kid \"demo-2027-01\"",
    );
    d.who("AS", &format!("policy {}", d.issuer.policy().to_json()));
    d.sent("GET /.well-known/jwks.json   (the API fetches the public key once)");
    d.came_back(&format!("200 OK  {jwks}"));

    // 2. Two clients register.
    d.step(2, T0, "Two clients register");
    let app = Client {
        client_id: "media-app".into(),
        kind: ClientKind::Public,
        redirect_uris: vec![REDIRECT.into()],
        allowed_scope: ScopeSet::parse("job:read job:write recording:read")?,
        default_scope: None,
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        secret_hash: None,
    };
    let farm_secret = random_secret(&d.rng)?;
    let farm = Client {
        client_id: "render-farm".into(),
        kind: ClientKind::Confidential,
        redirect_uris: Vec::new(),
        allowed_scope: ScopeSet::parse("job:read job:write recording:read")?,
        default_scope: Some(ScopeSet::parse("job:read")?),
        grant_types: vec![GrantType::ClientCredentials],
        secret_hash: Some(d.issuer.peppers().lookup(&farm_secret)),
    };
    d.who("public", "media-app, a native app: PKCE, no secret");
    d.line(&format!("{INDENT}   stored {}", app.to_json()));
    d.who(
        "conf.",
        "render-farm, a backend service: client credentials with a secret",
    );
    d.line(&format!("{INDENT}   its secret, shown once: {farm_secret}"));
    d.line(&format!(
        "{INDENT}   stored {}   (a keyed hash, never the secret)",
        farm.to_json()
    ));
    let _ = d.clients.insert(app.client_id.clone(), app.clone());
    let _ = d.clients.insert(farm.client_id.clone(), farm.clone());

    // 3. Authorization request with PKCE.
    let t = T0 + 1;
    d.step(
        3,
        t,
        "user-42 signs in to media-app: an authorization request with PKCE",
    );
    let verifier = CodeVerifier::generate(&d.rng)?;
    let challenge = verifier.challenge_s256();
    d.who(
        "app",
        &format!("code_verifier  {}   (kept by the app)", verifier.as_str()),
    );
    d.who(
        "app",
        &format!("code_challenge {challenge}   (S256 of the verifier)"),
    );
    let query = encode_form(&[
        ("response_type", "code"),
        ("client_id", "media-app"),
        ("redirect_uri", REDIRECT),
        ("scope", "recording:read job:read"),
        ("state", "af0ifjsldkj"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    d.sent(&format!("GET /authorize?{query}"));
    let request = AuthorizeRequest::from_form(&Form::parse(query.as_bytes())?)?;
    let consent = match d.issuer.check_authorize(Some(&app), &request) {
        Ok(scope) => scope,
        Err(_) => return Err(demo_bug("the authorization request was refused")),
    };
    d.who(
        "AS",
        &format!("consent screen: media-app asks for \"{consent}\"; user-42 approves"),
    );
    let (redirect, code) = d.authorize_approved(&app, &request, t, "code")?;
    d.who(
        "app",
        &format!(
            "state matches; iss is {} (RFC 9207: the answer is from the server it asked)",
            redirect.param("iss").unwrap_or_default()
        ),
    );

    // 4. The code is exchanged.
    let t = T0 + 3;
    d.step(
        4,
        t,
        "media-app exchanges the code (with its PKCE verifier)",
    );
    let body = encode_form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.as_str()),
        ("client_id", "media-app"),
    ]);
    d.sent(&format!("POST /token  {body}"));
    d.who(
        "AS",
        "finds the family by the code's lookup hash; checks client, redirect URI, PKCE",
    );
    let (response, tokens) = d.token_endpoint(None, &body, t);
    d.response(&response);
    let first = tokens.ok_or_else(|| demo_bug("the code exchange failed"))?;
    let rt1 = first
        .refresh_token
        .clone()
        .ok_or_else(|| demo_bug("no refresh token"))?;
    let (header, claims) = jwt_parts(&first.access_token)?;
    d.who("app", "reads the access token (an RFC 9068 JWT):");
    d.line(&format!("{INDENT}   header {header}"));
    d.line(&format!("{INDENT}   claims {claims}"));
    // A second redemption of the same code would be a replay (and revoke the family):
    // the refresh-token replay below shows that path.

    // 5. The API.
    let t = T0 + 10;
    d.step(5, t, "media-app calls the API with the access token");
    let bearer = format!("Bearer {}", first.access_token);
    d.sent(&format!("GET /recordings   Authorization: {bearer}"));
    d.who(
        "API",
        "verifies against the JWKS: ES256 signature, iss, aud \"media-api\", typ at+jwt, exp; scope",
    );
    let response = d.api(&bearer, "recording:read", t);
    d.response(&response);
    d.sent(&format!(
        "DELETE /recordings/7   Authorization: {bearer}   (needs recording:delete)"
    ));
    let response = d.api(&bearer, "recording:delete", t);
    d.response(&response);

    // 6. Refresh with rotation.
    let t = T0 + 240;
    d.step(
        6,
        t,
        "Four minutes later media-app refreshes: the refresh token rotates",
    );
    let body = encode_form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt1),
        ("client_id", "media-app"),
    ]);
    d.sent(&format!("POST /token  {body}"));
    let (response, tokens) = d.token_endpoint(None, &body, t);
    d.response(&response);
    let second = tokens.ok_or_else(|| demo_bug("the refresh failed"))?;
    let rt2 = second
        .refresh_token
        .clone()
        .ok_or_else(|| demo_bug("no rotated refresh token"))?;
    d.who(
        "app",
        "keeps the new refresh token; the old one is now consumed",
    );

    // 7. Replay of the old refresh token.
    let t = T0 + 250;
    d.step(
        7,
        t,
        "Someone replays the OLD refresh token (stolen from the app)",
    );
    let body = encode_form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt1),
        ("client_id", "media-app"),
    ]);
    d.sent(&format!("POST /token  {body}"));
    let (response, _) = d.token_endpoint(None, &body, t);
    d.response(&response);
    d.who(
        "AS",
        "a consumed refresh token came back: reuse (RFC 9700 §4.14.2); the whole family is revoked",
    );
    let body = encode_form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt2),
        ("client_id", "media-app"),
    ]);
    d.sent(&format!("POST /token  {body}   (the app's current token)"));
    let (response, _) = d.token_endpoint(None, &body, t + 1);
    d.response(&response);
    let bearer = format!("Bearer {}", second.access_token);
    d.sent(&format!(
        "GET /recordings   Authorization: {bearer}   (the newest access token)"
    ));
    let response = d.api(&bearer, "recording:read", t + 2);
    d.response(&response);
    let state = d.locate(&second.access_token, t + 2);
    let introspection = d
        .issuer
        .introspect(state.as_ref(), &second.access_token, t + 2);
    d.sent(&format!(
        "POST /introspect  {}",
        encode_form(&[("token", &second.access_token)])
    ));
    d.came_back(&format!("200 OK  {}", introspection.to_json()));
    d.who("app", "must send user-42 through /authorize again");

    // 8. Client credentials.
    let t = T0 + 300;
    d.step(
        8,
        t,
        "render-farm gets a token of its own: client credentials",
    );
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("render-farm:{farm_secret}"))
    );
    d.secret(&basic["Basic ".len()..]);
    let body = encode_form(&[
        ("grant_type", "client_credentials"),
        ("scope", "job:read recording:read"),
    ]);
    d.sent(&format!("POST /token  Authorization: {basic}   {body}"));
    let (response, tokens) = d.token_endpoint(Some(&basic), &body, t);
    d.response(&response);
    let service = tokens.ok_or_else(|| demo_bug("client credentials failed"))?;
    d.who(
        "AS",
        "no refresh token: the client can always ask again (RFC 6749 §4.4.3)",
    );
    let wrong = format!("Basic {}", STANDARD.encode("render-farm:not-the-secret"));
    d.sent(&format!(
        "POST /token  Authorization: {wrong}   {body}   (a wrong secret)"
    ));
    let (response, _) = d.token_endpoint(Some(&wrong), &body, t);
    d.response(&response);

    // 9. A task-scoped engine token.
    let t = T0 + 310;
    d.step(
        9,
        t,
        "render-farm starts a transcoding task: a task-scoped engine token",
    );
    let task_scope = ScopeSet::parse("recording:read")?;
    let engine = d.issuer.issue_engine_token(
        &service.scope,
        &task_scope,
        "task:transcode-991",
        API,
        t,
        &d.rng,
    )?;
    d.secret(&engine.token);
    let (header, claims) = jwt_parts(&engine.token)?;
    d.who(
        "AS",
        &format!(
            "issued for task:transcode-991, down-scoped from \"{}\"",
            service.scope
        ),
    );
    d.line(&format!("{INDENT}   header {header}"));
    d.line(&format!("{INDENT}   claims {claims}"));
    let bearer = format!("Bearer {}", engine.token);
    d.sent(&format!(
        "GET /recordings   Authorization: {bearer}   (the task tries the user API)"
    ));
    let response = d.api(&bearer, "recording:read", t + 1);
    d.response(&response);
    d.who(
        "API",
        "refuses it: typ engine+jwt is not at+jwt (RFC 8725 §3.11), so a task token is never a user token",
    );
    match d.engine_verifier.verify(&engine.token, t + 1) {
        Ok(verified) => d.who(
            "engine",
            &format!(
                "its own verifier (typ engine+jwt) accepts it: sub {}, scope \"{}\"",
                verified.registered().sub.as_deref().unwrap_or_default(),
                verified
                    .claims()
                    .get("scope")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ),
        ),
        Err(e) => return Err(Failure::lib(&e)),
    }
    match d.issuer.issue_engine_token(
        &service.scope,
        &ScopeSet::parse("job:write")?,
        "task:transcode-991",
        API,
        t,
        &d.rng,
    ) {
        Ok(_) => return Err(demo_bug("an engine token exceeded its parent scope")),
        Err(e) => d.who(
            "AS",
            &format!(
                "asked for \"job:write\" (beyond the grant): {}: {e}",
                e.kind().name()
            ),
        ),
    }

    // 10. An API key.
    let t = T0 + 320;
    d.step(10, t, "An organisation creates an API key");
    let format = d.issuer.policy().token_format().clone();
    let api_key = format.generate(TokenKind::ApiKey, &d.rng)?;
    let lookup = d.issuer.peppers().lookup(api_key.as_str());
    d.who("AS", &format!("the key, shown once: {}", api_key.as_str()));
    d.who(
        "host",
        &format!("stores only its lookup hash {lookup} → acme-studios, scope \"job:read\""),
    );
    let _ = d.opaque.insert(
        lookup.to_string(),
        OpaqueRow {
            id: None,
            owner: "acme-studios".into(),
            scope: ScopeSet::parse("job:read")?,
            expires_at: None,
        },
    );
    let bearer = format!("Bearer {}", api_key.as_str());
    d.sent(&format!("GET /jobs   Authorization: {bearer}"));
    d.who(
        "API",
        "checks prefix, kind and checksum offline, then looks the hash up",
    );
    let response = d.api(&bearer, "job:read", t);
    d.response(&response);
    let mut typo: Vec<char> = api_key.as_str().chars().collect();
    let at = typo.len() - 12;
    typo[at] = if typo[at] == 'x' { 'y' } else { 'x' };
    let typo: String = typo.into_iter().collect();
    let bearer = format!("Bearer {typo}");
    d.sent(&format!(
        "GET /jobs   Authorization: {bearer}   (one character mistyped)"
    ));
    let response = d.api(&bearer, "job:read", t);
    d.response(&response);
    d.who(
        "API",
        "refused by the CRC-32 checksum before any database lookup",
    );

    implicit_flow(d)?;
    dot_default_scope(d)?;
    token_api(d)?;

    d.line("");
    d.line("done: every step ran through the tessera library, with no network and no storage.");
    Ok(())
}

/// Step 11: the implicit flow (RFC 6749 §4.2): the access token comes back in the redirect
/// fragment, with no refresh token; RFC 9700 §2.1.2 deprecates it.
fn implicit_flow(d: &mut Demo) -> Result<(), Failure> {
    let t = T0 + 330;
    d.step(
        11,
        t,
        "A legacy single-page app signs user-42 in with the implicit flow (deprecated)",
    );
    let spa = Client {
        client_id: "legacy-spa".into(),
        kind: ClientKind::Public,
        redirect_uris: vec![SPA_REDIRECT.into()],
        allowed_scope: ScopeSet::parse("recording:read")?,
        default_scope: None,
        grant_types: vec![GrantType::Implicit],
        secret_hash: None,
    };
    d.who(
        "public",
        "legacy-spa, registered for the implicit grant only (response_type=token)",
    );
    d.line(&format!("{INDENT}   stored {}", spa.to_json()));
    let _ = d.clients.insert(spa.client_id.clone(), spa.clone());
    d.who(
        "AS",
        "WARNING: RFC 9700 §2.1.2: the implicit grant SHOULD NOT be used: the token travels in \
         the URL, can leak and be replayed, and cannot be sender-constrained; new apps use the \
         code flow with PKCE (step 3)",
    );
    let query = encode_form(&[
        ("response_type", "token"),
        ("client_id", "legacy-spa"),
        ("redirect_uri", SPA_REDIRECT),
        ("scope", "recording:read"),
        ("state", "n-0S6_WzA2Mj"),
    ]);
    d.sent(&format!("GET /authorize?{query}"));
    let request = AuthorizeRequest::from_form(&Form::parse(query.as_bytes())?)?;
    let (redirect, access_token) = d.authorize_approved(&spa, &request, t, "access_token")?;
    let refresh = match redirect.param("refresh_token") {
        Some(_) => return Err(demo_bug("the implicit grant returned a refresh token")),
        None => "no refresh_token (RFC 6749 §4.2.2)",
    };
    d.who(
        "spa",
        &format!(
            "reads the token from the fragment (#…, never sent to a server); {refresh}: when it \
             expires, user-42 goes through /authorize again"
        ),
    );
    let bearer = format!("Bearer {access_token}");
    d.sent(&format!("GET /recordings   Authorization: {bearer}"));
    let response = d.api(&bearer, "recording:read", t + 1);
    d.response(&response);
    // A client not registered for the implicit grant cannot switch to it.
    let query = encode_form(&[
        ("response_type", "token"),
        ("client_id", "media-app"),
        ("redirect_uri", REDIRECT),
        ("scope", "job:read"),
        ("state", "xyz"),
    ]);
    d.sent(&format!("GET /authorize?{query}   (media-app tries it)"));
    let request = AuthorizeRequest::from_form(&Form::parse(query.as_bytes())?)?;
    let app = d.clients.get("media-app").cloned();
    match d.issuer.check_authorize(app.as_ref(), &request) {
        Err(AuthorizeOutcome::Rejected { redirect, .. }) => {
            d.came_back(&format!("302 Found  Location: {}", redirect.location));
            d.who(
                "AS",
                "media-app is not registered for the implicit grant: the error goes back in the \
                 fragment",
            );
        }
        _ => return Err(demo_bug("media-app was allowed the implicit grant")),
    }
    Ok(())
}

/// Step 12: an M2M client asks for a `.default` URI scope with client credentials.
fn dot_default_scope(d: &mut Demo) -> Result<(), Failure> {
    let t = T0 + 340;
    d.step(
        12,
        t,
        "report-daemon asks for a .default URI scope: client credentials",
    );
    let secret = random_secret(&d.rng)?;
    let daemon = Client {
        client_id: "report-daemon".into(),
        kind: ClientKind::Confidential,
        redirect_uris: Vec::new(),
        allowed_scope: ScopeSet::parse(DOT_DEFAULT)?,
        default_scope: None,
        grant_types: vec![GrantType::ClientCredentials],
        secret_hash: Some(d.issuer.peppers().lookup(&secret)),
    };
    d.who(
        "conf.",
        "report-daemon, a backend job: client credentials, one URI scope",
    );
    d.line(&format!("{INDENT}   its secret, shown once: {secret}"));
    d.line(&format!("{INDENT}   stored {}", daemon.to_json()));
    let _ = d.clients.insert(daemon.client_id.clone(), daemon);
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("report-daemon:{secret}"))
    );
    d.secret(&basic["Basic ".len()..]);
    let body = encode_form(&[("grant_type", "client_credentials"), ("scope", DOT_DEFAULT)]);
    d.sent(&format!("POST /token  Authorization: {basic}   {body}"));
    let (response, tokens) = d.token_endpoint(Some(&basic), &body, t);
    d.response(&response);
    let tokens = tokens.ok_or_else(|| demo_bug("the .default scope was refused"))?;
    let (_, claims) = jwt_parts(&tokens.access_token)?;
    d.line(&format!("{INDENT}   claims {claims}"));
    d.who(
        "AS",
        &format!(
            "\"{DOT_DEFAULT}\" is one RFC 6749 §3.3 scope-token: granted because it is in \
             the client's allowed_scope; what it stands for is the API's to decide"
        ),
    );
    let bearer = format!("Bearer {}", tokens.access_token);
    d.sent(&format!(
        "GET /reports   Authorization: {bearer}   (needs {DOT_DEFAULT})"
    ));
    let response = d.api(&bearer, DOT_DEFAULT, t + 1);
    d.response(&response);
    Ok(())
}

/// Step 13: a platform's token-management API: mint a scoped opaque access token with a TTL,
/// use it, `DELETE /api/tokens/{id}`, and the API refusing it afterwards.
fn token_api(d: &mut Demo) -> Result<(), Failure> {
    let t = T0 + 350;
    d.step(
        13,
        t,
        "acme-studios mints a CI token on the platform, then deletes it",
    );
    let ttl: i64 = 3600;
    let request = json!({"name": "ci-deploy", "scope": "job:write job:read", "ttl": ttl});
    d.sent(&format!(
        "POST /api/tokens  {request}   (an acme-studios admin, signed in to the platform)"
    ));
    let scope = ScopeSet::parse("job:write job:read")?;
    ScopeSet::parse(ORG_SCOPE)?.check_covers(&scope, &Implications::none())?;
    d.who(
        "host",
        &format!("the scope is valid and within what acme-studios may grant (\"{ORG_SCOPE}\")"),
    );
    let format = d.issuer.policy().token_format().clone();
    let token = format.generate(TokenKind::AccessToken, &d.rng)?;
    let lookup = d.issuer.peppers().lookup(token.as_str());
    d.secret(token.as_str());
    let id = "tok_7Hq2";
    let expires_at = t + ttl;
    let _ = d.opaque.insert(
        lookup.to_string(),
        OpaqueRow {
            id: Some(id.into()),
            owner: "acme-studios".into(),
            scope: scope.clone(),
            expires_at: Some(expires_at),
        },
    );
    d.who(
        "host",
        &format!(
            "a new opaque access token (kind at); stores only its lookup hash {lookup} → \
             {id}, acme-studios, scope \"{scope}\", expires_at {expires_at}"
        ),
    );
    let body = json!({
        "id": id,
        "token": token.as_str(),
        "scope": scope.to_scope_string(),
        "expires_at": expires_at,
    });
    d.response(&Response {
        status: 201,
        body: body.to_string(),
        challenge: None,
    });
    d.who("ci", "keeps the token (shown once) in its secret store");
    let bearer = format!("Bearer {}", token.as_str());
    let t = T0 + 400;
    d.sent(&format!(
        "POST /jobs   Authorization: {bearer}   (needs job:write)"
    ));
    d.who(
        "API",
        "prefix, kind and checksum offline; the hash finds the row; not expired; scope",
    );
    let response = d.api(&bearer, "job:write", t);
    d.response(&response);

    let t = T0 + 900;
    d.sent(&format!(
        "DELETE /api/tokens/{id}   (the admin revokes it; t+{}s)",
        t - T0
    ));
    let before = d.opaque.len();
    d.opaque
        .retain(|_, row| row.id.as_deref() != Some(id) || row.owner != "acme-studios");
    if d.opaque.len() + 1 != before {
        return Err(demo_bug("the token row was not deleted"));
    }
    d.who(
        "host",
        &format!(
            "deletes the row of {id} (its lookup hash {lookup}): the engine stores nothing, so \
             revoking an opaque token is forgetting its hash"
        ),
    );
    d.response(&Response {
        status: 204,
        body: String::new(),
        challenge: None,
    });
    d.sent(&format!(
        "POST /jobs   Authorization: {bearer}   (the same token)"
    ));
    let response = d.api(&bearer, "job:write", t + 1);
    d.response(&response);
    d.who(
        "API",
        "a well-formed token with no row: refused at once, long before its TTL ran out",
    );
    Ok(())
}
