//! OAuth 2.0 grants as pure state machines: state in, request in, decision out, with the new
//! state and the effects the host must apply.
//!
//! | piece | implements |
//! |---|---|
//! | [`Issuer::authorize`], [`Issuer::deny`] | RFC 6749 §3.1.2.3, §4.1.1–§4.1.2.1, §4.2.1–§4.2.2.1; RFC 7636 §4.3–§4.4.1; RFC 9700 §2.1 |
//! | [`Issuer::exchange_code`] | RFC 6749 §4.1.3–§4.1.4, §4.1.2 (single use, replay revokes); RFC 7636 §4.5–§4.6; RFC 9700 §2.1.1, §4.5 |
//! | [`Issuer::refresh`] | RFC 6749 §6; RFC 9700 §4.14.2 (rotation, reuse revokes the family) |
//! | [`Issuer::client_credentials`] | RFC 6749 §4.4 |
//! | [`authenticate_client`] | RFC 6749 §2.3.1, §3.2.1 |
//! | access tokens | RFC 9068 §2 (`typ: at+jwt`; `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`, `jti`, `scope`) |
//! | [`Issuer::issue_engine_token`] | task-scoped, down-scoped JWTs of another `typ` (RFC 8725 §3.11) |
//! | [`Issuer::revoke`], [`Issuer::revoke_family`] | RFC 7009 §2.1–§2.2 |
//! | [`Issuer::introspect`] | RFC 7662 §2.2 |
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
//! refresh token reused. Then the outcome carries the error *and* the state and effects, and the
//! host must persist them before answering. If the compare-and-swap loses a race, the host
//! reloads and calls again; the second call sees the token consumed.
//!
//! Errors are the OAuth kinds of [`ErrorKind`](crate::ErrorKind) (`invalid_grant`,
//! `invalid_client`, ...), whose [`oauth_error`](crate::ErrorKind::oauth_error) and
//! [`http_status`](crate::ErrorKind::http_status) are what the host sends.
//!
//! ## Example: client credentials, introspection, revocation
//!
//! ```
//! use ring::rand::SystemRandom;
//! use tessera::grant::*;
//! use tessera::jwt::{Algorithm, Key};
//! use tessera::token::{Pepper, Peppers};
//!
//! let rng = SystemRandom::new();
//! let policy = Policy::from_json(r#"{"issuer":"https://as.example","audiences":["api"]}"#)?;
//! let peppers = Peppers::new(Pepper::new("p1", &[7u8; 32])?);
//! // The host stores only the secret's lookup hash.
//! let secret_hash = peppers.lookup("s3cret").to_string();
//! let issuer = Issuer::new(policy, Key::generate(Algorithm::ES256, &rng)?, peppers)?;
//! let worker = Client::from_json(&format!(r#"{{"client_id":"worker","kind":"confidential",
//!     "allowed_scope":"jobs:read jobs:write","grant_types":["client_credentials"],
//!     "secret_hash":"{secret_hash}"}}"#))?;
//! let now = 1_800_000_000;
//!
//! let client = issuer.authenticate(Some(&worker), "worker", Some("s3cret"))?;
//! let request = ClientCredentialsRequest { scope: Some("jobs:read".into()) };
//! let out = issuer.client_credentials(&client, &request, now, &rng);
//! let tokens = out.result?;
//! let state = out.state.unwrap(); // a new family, version 1
//! assert!(tokens.refresh_token.is_none());
//!
//! // Introspection finds the family through the token's jti.
//! let Locator::Family { family_id, .. } = issuer.locate(&tokens.access_token, now)? else { panic!() };
//! assert_eq!(family_id, state.family_id());
//! let info = issuer.introspect(Some(&state), &tokens.access_token, now + 1);
//! assert!(info.active);
//! assert_eq!(info.sub.as_deref(), Some("worker"));
//!
//! // RFC 7009: revoke it; the host saves the new state and deny-lists the jti.
//! let out = issuer.revoke(&client, Some(&state), &tokens.access_token, now + 2);
//! let state = out.state.unwrap();
//! assert!(matches!(out.effects[0], Effect::RevokeAccessTokens { .. }));
//! assert_eq!(issuer.introspect(Some(&state), &tokens.access_token, now + 3).to_json(), r#"{"active":false}"#);
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
use crate::token::{LookupHash, Peppers, TokenKind};
use crate::{Error, ErrorKind, Result};

pub use client::{
    AuthMethod, AuthenticatedClient, Client, ClientKind, GrantType, authenticate_client,
};
pub use exchange::{ClientCredentialsRequest, CodeRequest, RefreshRequest};
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
        ErrorKind::OAuthServerError,
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
