//! OAuth 2.0 grants as pure state machines: state in, request in, decision out, with the new
//! state and the effects the host must apply.
//!
//! | piece | implements |
//! |---|---|
//! | [`Issuer::check_authorize`], [`Issuer::authorize`], [`Issuer::deny`] | RFC 6749 §3.1.2.3, §3.3, §4.1.1–§4.1.2.1, §4.2.1–§4.2.2.1; RFC 7636 §4.3–§4.4.1; RFC 9207; RFC 9700 §2.1 |
//! | [`Issuer::token`], code exchange | RFC 6749 §4.1.3–§4.1.4, §4.1.2 (single use, replay revokes); RFC 7636 §4.5–§4.6; RFC 9700 §2.1.1, §4.5 |
//! | [`Issuer::token`], refresh | RFC 6749 §6; RFC 9700 §4.14.2 (rotation; reuse, or use by another client, revokes the family) |
//! | [`Issuer::token`], client credentials | RFC 6749 §4.4 |
//! | [`authenticate_client`] | RFC 6749 §2.3.1, §3.2.1 |
//! | access tokens | RFC 9068 §2 (`typ: at+jwt`; `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`, `jti`, `scope`) |
//! | [`Issuer::issue_engine_token`] | task-scoped, down-scoped JWTs of another `typ` (RFC 8725 §3.11) |
//! | [`Issuer::revoke`], [`Issuer::revoke_family`] | RFC 7009 §2.1–§2.2 |
//! | [`Issuer::introspect`] | RFC 7662 §2.2; RFC 9449 §6.2 and RFC 8705 §3.2 (`cnf`) |
//! | [`Issuer::token`] with a [`Confirmation`](crate::dpop::Confirmation) | RFC 9449 §5 (`token_type: DPoP`, public clients' refresh tokens bound), §5.2 (`dpop_bound_access_tokens`), §6.1 (`cnf.jkt`), §10 (`dpop_jkt`); RFC 8705 §3.1 (`cnf.x5t#S256`) |
//!
//! Requests come typed from [`crate::wire`] ([`AuthorizeRequest`](crate::wire::AuthorizeRequest),
//! [`TokenRequest`](crate::wire::TokenRequest), the client id and secret of
//! [`ClientAuth`](crate::wire::ClientAuth)); answers go back through it
//! ([`Tokens::to_response`], [`Redirect::location`],
//! [`ErrorResponse::from_error`](crate::wire::ErrorResponse::from_error)).
//!
//! ## The model
//!
//! The engine stores nothing. Every token of a *grant family* (the code, each rotated refresh
//! token and each access token minted from them) is described by one [`GrantState`], kept by the
//! host as JSON under [`GrantState::family_id`]. Opaque tokens appear in it only as keyed lookup
//! hashes ([`crate::token`]); access tokens only by `jti`.
//!
//! 1. The host finds the family of a presented token with [`Issuer::locate`]: an opaque code or
//!    refresh token gives a lookup hash to resolve through the host's index (filled from
//!    [`Effect::Index`]); a JWT access token names its family in its `jti`.
//! 2. It loads the state and calls the operation, passing `now` and a random number generator.
//! 3. It applies the [`Outcome`]: saves [`Outcome::state`] (when `Some`) with a compare-and-swap
//!    on [`GrantState::version`] (the new version is the old plus one; a new family starts at 1),
//!    applies [`Outcome::effects`], then answers with [`Outcome::result`].
//!
//! Failures can change state: a burned code, or a family revoked because a code was replayed or a
//! refresh token reused or presented by another client. Then the outcome carries the error *and* the state and effects, and the
//! host must persist them before answering. If the compare-and-swap loses a race, the host
//! reloads and calls again; the second call sees the token consumed.
//!
//! Errors are the OAuth kinds of [`ErrorKind`] (`invalid_grant`,
//! `invalid_client`, ...), whose [`oauth_error`](crate::ErrorKind::oauth_error) and
//! [`http_status`](crate::ErrorKind::http_status) are what the host sends. Error details name
//! the rule that failed; they are for logs, and never contain a token.
//!
//! ## The token endpoint
//!
//! [`Issuer::token`] runs after [`authenticate_client`] (`invalid_client`, 401). For each grant,
//! in order (failures are `invalid_grant` unless noted):
//!
//! **Authorization code** (RFC 6749 §4.1.3):
//! 1. the client may use `authorization_code` (else `unauthorized_client`); the family is an
//!    authorization code family; the code is well formed and is this family's code, compared in
//!    constant time; the family is not revoked. None of these change state.
//! 2. A **consumed** code is a replay: the family is revoked (RFC 6749 §4.1.2, RFC 9700 §4.5) and
//!    the outcome carries the revoked state and an [`Effect::RevokeFamily`] listing every token.
//!    A burned or revoked code refuses; an expired one refuses (nothing to burn).
//! 3. Then, burning the code on failure (`burn_code_on_failed_redemption`, default on): the code
//!    was issued to this client; `redirect_uri` is present and identical when the authorization
//!    request had one (and identical if sent anyway); PKCE: a stored challenge needs a matching
//!    `code_verifier` (RFC 7636 §4.6), and a verifier for a code issued without a challenge is a
//!    downgrade (RFC 9700 §2.1.1).
//! 4. Success: the code is consumed; an RFC 9068 access token for the granted scope; a refresh
//!    token when the client may use `refresh_token` (an [`Effect::Index`] for it).
//!
//! **Refresh** (RFC 6749 §6):
//! 1. the client may use `refresh_token` (else `unauthorized_client`); the token is well formed
//!    and one of the family's (constant time); the family is not revoked. None of these change
//!    state.
//! 2. The token was issued to this client. One presented by another authenticated client has
//!    leaked, whatever its status or expiry: the family is revoked (RFC 9700 §4.14.2,
//!    [`RevocationReason::RefreshClientMismatch`]) with state and [`Effect::RevokeFamily`] in
//!    the outcome, as for reuse.
//! 3. An active token proceeds unless its idle expiry or the family's absolute expiry has
//!    passed. A **consumed** or **superseded** token is reuse: the family is revoked
//!    (RFC 9700 §4.14.2), with state and [`Effect::RevokeFamily`] in the outcome, except for the
//!    grace retry below. A revoked token refuses.
//! 4. Scope: omitted means the granted scope; otherwise it must be covered by the granted scope
//!    and by the client's current `allowed_scope` (else `invalid_scope`). The access token gets
//!    the requested scope; the grant keeps its own.
//! 5. Rotation, when `rotate_refresh_tokens` (default) and always for public clients: the token
//!    is consumed and a successor issued, keeping the family's absolute expiry. Without rotation
//!    no refresh token is returned (the client keeps its own) and the idle expiry slides.
//!
//! *Grace window* (`refresh_reuse_grace_seconds`, default 0 = off): a consumed token presented
//! again within that many seconds of its rotation, whose successor has never been used, is taken
//! as a retry after a lost response. Only the successor's hash is stored, so it cannot be sent
//! again; instead the successor is marked superseded and a fresh refresh token and access token
//! are issued. If the retry came from a thief, the legitimate client's next use of the
//! superseded token counts as reuse and revokes the family; if the thief keeps the new token,
//! its next use after the legitimate client's does the same.
//!
//! Used refresh tokens are remembered for reuse detection up to `refresh_history` (default 32)
//! and while unexpired; forgotten ones get an [`Effect::Unindex`], and presenting one is an
//! unknown token (`invalid_grant`) without revocation.
//!
//! **Client credentials** (RFC 6749 §4.4): confidential clients with the grant type only
//! (else `unauthorized_client`); the scope is the request's or the client's `default_scope`,
//! within its `allowed_scope` (`invalid_scope`); `sub` is the client id; no refresh token
//! (§4.4.3). The outcome's state is a one-token family: store it if these tokens must be
//! revocable and introspectable.
//!
//! ## DPoP and certificate binding
//!
//! The host validates the request's DPoP proof (RFC 9449 §4.3, [`crate::dpop`]) and, with
//! mutual TLS, takes the client certificate's thumbprint (RFC 8705 §3); it passes what the
//! token is to be bound to as the `cnf` argument of [`Issuer::token`] (a [`Confirmation`](crate::dpop::Confirmation)),
//! `None` for a bearer token. Then:
//!
//! 1. A client registered with `dpop_bound_access_tokens` (RFC 9449 §5.2) needs `cnf.jkt`:
//!    without it the request fails with [`ErrorKind::DpopProofRequired`] (`invalid_dpop_proof`,
//!    400) before anything else, and nothing changes.
//! 2. Code exchange: a code whose authorization request carried `dpop_jkt` (RFC 9449 §10)
//!    needs `cnf.jkt` equal to it; a missing or different key is `invalid_grant` and burns the
//!    code like the other failures of step 3 above (checked after PKCE).
//! 3. A **public** client that gets a refresh token with `cnf.jkt` at the code exchange has the
//!    family's refresh tokens bound to that key ([`GrantState::dpop_jkt`], RFC 9449 §5): every
//!    later refresh needs `cnf.jkt` equal to it, else `invalid_grant` without any change of
//!    state (checked after the client check of refresh step 2, before reuse detection, so a
//!    thief without the key can neither use nor burn the token). A family that started unbound
//!    stays unbound. Confidential clients' refresh tokens stay unbound: client
//!    authentication binds them.
//! 4. Every access token minted with a binding (code exchange, refresh, client credentials)
//!    carries it as its `cnf` claim (RFC 9449 §6.1, RFC 8705 §3.1), and [`Tokens::cnf`] holds
//!    it. Its `token_type` is `DPoP` when `cnf.jkt` is set (RFC 9449 §5), `Bearer` otherwise
//!    (also for a certificate-only binding, RFC 8705). At a refresh, the access token gets that
//!    request's binding.
//! 5. [`Issuer::introspect`] returns `cnf` (and `token_type: DPoP`) for bound access tokens.
//!
//! ## Example
//!
//! ```
//! use tessera::SystemRandom;
//! use tessera::grant::{AuthorizeOutcome, Client, Effect, Issuer, Locator, Policy};
//! use tessera::jwt::{Algorithm, Key};
//! use tessera::pkce::CodeVerifier;
//! use tessera::token::{Pepper, Peppers};
//! use tessera::wire::{AuthorizeRequest, Form, TokenRequest};
//! use tessera::ErrorKind;
//!
//! let rng = SystemRandom::new();
//! let policy = Policy::from_json(r#"{"issuer":"https://as.example","audiences":["api"]}"#)?;
//! let peppers = Peppers::new(Pepper::new("p1", &[7u8; 32])?);
//! let issuer = Issuer::new(policy, Key::generate(Algorithm::ES256, &rng)?, peppers)?;
//! let app = Client::from_json(r#"{"client_id":"app","kind":"public",
//!     "redirect_uris":["https://app.example/cb"],"allowed_scope":"read write",
//!     "grant_types":["authorization_code","refresh_token"]}"#)?;
//! let now = 1_800_000_000;
//!
//! // Authorization endpoint, once the user approved.
//! let verifier = CodeVerifier::generate(&rng)?;
//! let query = format!(
//!     "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb\
//!      &scope=read&state=xyz&code_challenge={}&code_challenge_method=S256",
//!     verifier.challenge_s256(),
//! );
//! let request = AuthorizeRequest::from_form(&Form::parse(query.as_bytes())?)?;
//! let AuthorizeOutcome::Granted { redirect, state, effects } =
//!     issuer.authorize(Some(&app), &request, "user-42", now, &rng)
//! else {
//!     panic!("refused")
//! };
//! // Save `state` under its family id, index the code's lookup hash (`effects`), then
//! // redirect to `redirect.location`.
//! assert!(matches!(effects[0], Effect::Index { .. }));
//! assert_eq!(redirect.param("state").as_deref(), Some("xyz"));
//! let code = redirect.param("code").unwrap();
//!
//! // Token endpoint: authenticate, locate the family, redeem.
//! let client = issuer.authenticate(Some(&app), "app", None)?;
//! let Locator::Lookup { lookup, .. } = issuer.locate(&code, now)? else { panic!() };
//! assert!(effects.contains(&Effect::Index {
//!     lookup, family_id: state.family_id().into(), kind: tessera::token::TokenKind::AuthorizationCode,
//! }));
//! let redeem = TokenRequest::AuthorizationCode {
//!     code,
//!     redirect_uri: Some("https://app.example/cb".into()),
//!     code_verifier: Some(verifier.as_str().into()),
//!     client_id: Some("app".into()),
//! };
//! let out = issuer.token(&client, Some(&state), &redeem, None, now + 5, &rng);
//! let tokens = out.result?;
//! let state = out.state.unwrap(); // compare-and-swap: version 1 -> 2
//! assert_eq!(state.version(), 2);
//! let body = tokens.to_response().to_json();
//! assert!(body.contains(r#""token_type":"Bearer""#) && body.contains(r#""scope":"read""#));
//!
//! // Refresh: the token rotates.
//! let refresh = TokenRequest::RefreshToken { refresh_token: tokens.refresh_token.unwrap(), scope: None };
//! let out = issuer.token(&client, Some(&state), &refresh, None, now + 60, &rng);
//! assert!(out.result?.refresh_token.is_some());
//! let state = out.state.unwrap();
//!
//! // A replayed code revokes the whole family: save the state, deny-list the access tokens.
//! let out = issuer.token(&client, Some(&state), &redeem, None, now + 70, &rng);
//! assert_eq!(out.result.unwrap_err().kind(), ErrorKind::OauthInvalidGrant);
//! assert!(!out.state.unwrap().is_active());
//! let Effect::RevokeFamily { access_tokens, .. } = &out.effects[0] else { panic!() };
//! assert_eq!(access_tokens.len(), 2);
//! # Ok::<(), tessera::Error>(())
//! ```

mod authorize;
mod client;
mod exchange;
mod issue;
mod policy;
mod revoke;
mod state;

use std::fmt;

use serde::Serialize;

use crate::jwt::{Key, Verifier};
pub use crate::limits::MAX_JSON_INPUT_LEN;
use crate::token::{LookupHash, Peppers, TokenKind};
use crate::{Error, ErrorKind, Result};

pub use authorize::{AuthorizeOutcome, Redirect};
pub use client::{
    AuthMethod, AuthenticatedClient, Client, ClientKind, GrantType, authenticate_client,
};
pub use issue::{EngineToken, Tokens};
pub use policy::{
    ImplicationsConfig, MAX_ACCESS_TOKEN_LIFETIME, MAX_CODE_LIFETIME, MAX_ENGINE_TOKEN_LIFETIME,
    MAX_REFRESH_HISTORY, MAX_REFRESH_LIFETIME, MAX_REFRESH_REUSE_GRACE, Policy, PolicyConfig,
};
pub use revoke::Introspection;
pub use state::{
    AccessTokenRecord, CodeRecord, FamilyStatus, GrantKind, GrantState, MAX_ACCESS_TOKEN_RECORDS,
    MAX_STATE_JSON_LEN, PkceChallenge, RefreshRecord, RevocationReason, STATE_FORMAT, TokenStatus,
};

/// What a grant operation decided: the answer, plus what the host must persist.
///
/// Apply it in this order: save `state` (if `Some`) with a compare-and-swap on the loaded
/// version, apply `effects`, then answer with `result`. `state` and `effects` may be present
/// even when `result` is an error (a burned code, a revoked family).
#[must_use = "the new state and effects must be persisted"]
#[derive(Debug)]
pub struct Outcome<T> {
    /// The response to send, or the OAuth error.
    pub result: Result<T>,
    /// The new state to save (version = loaded version + 1, or 1 for a new family); `None` when
    /// nothing changed.
    pub state: Option<GrantState>,
    /// What else the host must do.
    pub effects: Vec<Effect>,
}

impl<T> Outcome<T> {
    /// A failure that changes nothing.
    pub(crate) fn fail(error: Error) -> Outcome<T> {
        Outcome {
            result: Err(error),
            state: None,
            effects: Vec::new(),
        }
    }

    /// A failure the host must persist.
    pub(crate) fn fail_with(error: Error, state: GrantState, effects: Vec<Effect>) -> Outcome<T> {
        Outcome {
            result: Err(error),
            state: Some(state),
            effects,
        }
    }

    /// Whether the host has anything to persist.
    pub fn changes_state(&self) -> bool {
        self.state.is_some() || !self.effects.is_empty()
    }
}

/// An access token the host may deny-list until it expires (resource servers that check a
/// deny list refuse it; the others let it run out, which is why access tokens are short).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RevokedAccessToken {
    /// Its `jti`.
    pub jti: String,
    /// Its `exp`: the deny-list entry may be dropped after this.
    pub expires_at: i64,
}

/// Something the host must do besides saving the state. As JSON: `{"effect": "index", ...}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Effect {
    /// Index `lookup` → `family_id`, so that the token (a code or refresh token) can be found
    /// when it is presented. Keep it as long as the family ([`GrantState::purge_at`]).
    Index {
        /// The token's lookup hash.
        #[serde(with = "lookup_text")]
        lookup: LookupHash,
        /// Its family.
        family_id: String,
        /// `ac` or `rt`.
        #[serde(with = "kind_text")]
        kind: TokenKind,
    },
    /// The family forgot this token (an old used refresh token): its index entry may go.
    Unindex {
        /// The token's lookup hash.
        #[serde(with = "lookup_text")]
        lookup: LookupHash,
        /// Its family.
        family_id: String,
        /// `ac` or `rt`.
        #[serde(with = "kind_text")]
        kind: TokenKind,
    },
    /// The whole family was revoked: the state now says so; deny-list `access_tokens`.
    RevokeFamily {
        /// The family.
        family_id: String,
        /// Why.
        reason: RevocationReason,
        /// Its access tokens that had not yet expired.
        access_tokens: Vec<RevokedAccessToken>,
        /// The lookup hashes of its code and refresh tokens (all dead now).
        #[serde(with = "lookup_text::list")]
        lookups: Vec<LookupHash>,
    },
    /// Single access tokens were revoked (RFC 7009 on an access token): deny-list them.
    RevokeAccessTokens {
        /// The family.
        family_id: String,
        /// The tokens.
        access_tokens: Vec<RevokedAccessToken>,
    },
}

/// Where the host finds the state of a presented token (see [`Issuer::locate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Locator {
    /// An opaque code or refresh token: look the family id up in the index by this hash.
    Lookup {
        /// The lookup hash under the current pepper.
        lookup: LookupHash,
        /// `ac` or `rt`.
        kind: TokenKind,
    },
    /// A JWT access token whose signature, issuer, audience, type and expiry check out: load
    /// this family directly.
    Family {
        /// The family id.
        family_id: String,
        /// The token's `jti`.
        jti: String,
    },
}

/// The token issuer of one authorization server: the policy, the access-token signing key and
/// the lookup-hash peppers, checked once and then immutable (`Send + Sync`). Every grant
/// operation is a method taking the state, the request, `now` and a random number generator;
/// none does I/O.
///
/// To rotate the signing key or the peppers, build a new issuer (cloning the policy is cheap).
#[derive(Clone)]
pub struct Issuer {
    policy: Policy,
    key: Key,
    peppers: Peppers,
    access_verifier: Verifier,
}

impl fmt::Debug for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("issuer", &self.policy.config().issuer)
            .field("key", &self.key)
            .field("peppers", &self.peppers)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// An issuer signing access tokens with `signing_key` (a private or HMAC key; its `kid`, if
    /// any, goes in the header) and hashing opaque tokens with `peppers`.
    ///
    /// Errors: [`ErrorKind::NotPrivateKey`] for a public key.
    pub fn new(policy: Policy, signing_key: Key, peppers: Peppers) -> Result<Issuer> {
        if !signing_key.is_private() {
            return Err(Error::new(
                ErrorKind::NotPrivateKey,
                "the access token signing key must be private",
            ));
        }
        let verifying = if signing_key.is_symmetric() {
            signing_key.clone()
        } else {
            signing_key.public_key()?
        };
        let config = policy.config();
        let mut builder = Verifier::builder(verifying)
            .issuer(config.issuer.clone())
            .typ(policy::AT_TYP)
            .leeway(0)
            .require("jti")
            .require("client_id");
        for audience in &config.audiences {
            builder = builder.audience(audience.clone());
        }
        let access_verifier = builder.build()?;
        Ok(Issuer {
            policy,
            key: signing_key,
            peppers,
            access_verifier,
        })
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The peppers.
    pub fn peppers(&self) -> &Peppers {
        &self.peppers
    }

    /// The signing key.
    pub fn signing_key(&self) -> &Key {
        &self.key
    }

    /// [`authenticate_client`] with this issuer's peppers.
    pub fn authenticate<'c>(
        &self,
        client: Option<&'c Client>,
        presented_id: &str,
        presented_secret: Option<&str>,
    ) -> Result<AuthenticatedClient<'c>> {
        authenticate_client(client, presented_id, presented_secret, &self.peppers)
    }

    /// Where to find the state of a presented token.
    ///
    /// - An opaque token of this deployment's format: after the grammar and checksum checks of
    ///   [`TokenFormat::check`](crate::token::TokenFormat::check), its lookup hash under the
    ///   current pepper (codes and refresh tokens only; other kinds are
    ///   [`ErrorKind::WrongTokenKind`]).
    /// - Anything else is taken as an RFC 9068 access token and verified as this issuer's
    ///   (signature, `iss`, `aud`, `typ: at+jwt`, `exp` without leeway); its `jti` names its
    ///   family.
    ///
    /// An error means no state can matter: answer a revocation with 200 and an introspection
    /// with `{"active": false}`.
    pub fn locate(&self, token: &str, now: i64) -> Result<Locator> {
        let format = self.policy.token_format();
        if token
            .strip_prefix(format.prefix())
            .is_some_and(|rest| rest.starts_with('_'))
        {
            let kind = format.check(token, None)?;
            if !matches!(kind, TokenKind::AuthorizationCode | TokenKind::RefreshToken) {
                return Err(Error::new(
                    ErrorKind::WrongTokenKind,
                    "not an authorization code or refresh token",
                ));
            }
            return Ok(Locator::Lookup {
                lookup: self.peppers.lookup(token),
                kind,
            });
        }
        let verified = self.access_verifier.verify(token, now)?;
        let jti = verified.registered().jti.clone().unwrap_or_default();
        let family_id = issue::family_of_jti(&jti)
            .ok_or(Error::new(
                ErrorKind::MalformedToken,
                "the jti does not name a grant family",
            ))?
            .to_owned();
        Ok(Locator::Family { family_id, jti })
    }
}

/// An error of the OAuth block with a fixed detail.
pub(crate) fn oauth(kind: ErrorKind, detail: &'static str) -> Error {
    Error::new(kind, detail)
}

/// An internal failure (random generator, signing) as `server_error`, naming the cause.
pub(crate) fn server_error(e: &Error) -> Error {
    Error::with_detail(
        ErrorKind::OauthServerError,
        format!("could not issue a token: {}", e.kind().name()),
    )
}

/// A JSON error of `what` as [`ErrorKind::InvalidJson`], without echoing input.
pub(crate) fn json_error(what: &str, e: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    let class = match e.classify() {
        Category::Io => "I/O error",
        Category::Syntax => "malformed JSON",
        Category::Data => "a member is missing, unknown, repeated or of the wrong type",
        Category::Eof => "truncated JSON",
    };
    Error::with_detail(
        ErrorKind::InvalidJson,
        format!("{what}: {class} (line {}, column {})", e.line(), e.column()),
    )
}

/// Reads JSON text into `T` strictly: the text must be an object (serde alone would fill a
/// struct from an array, by field order), and duplicate member names are refused at every depth
/// ([`ErrorKind::DuplicateMember`]), as everywhere else tessera reads JSON. Texts longer than
/// [`MAX_JSON_INPUT_LEN`] are [`ErrorKind::TooLarge`], before anything is read.
pub(crate) fn from_json_object<T: serde::de::DeserializeOwned>(
    what: &str,
    json: &[u8],
) -> Result<T> {
    if json.len() > MAX_JSON_INPUT_LEN {
        return Err(Error::with_detail(
            ErrorKind::TooLarge,
            format!("{what}: JSON text over 1 MiB"),
        ));
    }
    let map = crate::jwt::parse_json_object(json)
        .map_err(|e| Error::with_detail(e.kind(), format!("{what}: {}", e.detail())))?;
    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| json_error(what, &e))
}

/// Serde for [`LookupHash`] as its text form `<key_id>:<base64url>`.
pub(crate) mod lookup_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::token::LookupHash;

    pub(crate) fn serialize<S: Serializer>(h: &LookupHash, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(h)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<LookupHash, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom("not a lookup hash <key_id>:<base64url>"))
    }

    pub(crate) mod option {
        use serde::{Deserialize, Deserializer, Serializer};

        use crate::token::LookupHash;

        pub(crate) fn serialize<S: Serializer>(
            h: &Option<LookupHash>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match h {
                Some(h) => s.collect_str(h),
                None => s.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<LookupHash>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(text) => text.parse().map(Some).map_err(|_| {
                    serde::de::Error::custom("not a lookup hash <key_id>:<base64url>")
                }),
            }
        }
    }

    pub(crate) mod list {
        use serde::Serializer;
        use serde::ser::SerializeSeq;

        use crate::token::LookupHash;

        pub(crate) fn serialize<S: Serializer>(
            hashes: &[LookupHash],
            s: S,
        ) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(hashes.len()))?;
            for h in hashes {
                seq.serialize_element(&h.to_string())?;
            }
            seq.end()
        }
    }
}

/// Serde for [`TokenKind`] as its two-letter code.
mod kind_text {
    use serde::Serializer;

    use crate::token::TokenKind;

    pub(crate) fn serialize<S: Serializer>(k: &TokenKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(k.code())
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod send_sync {
    use super::*;

    #[test]
    fn issuer_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Issuer>();
        check::<Policy>();
        check::<GrantState>();
    }
}
