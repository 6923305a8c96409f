//! Token revocation (RFC 7009) and introspection (RFC 7662).

use serde::{Serialize, Serializer};

use crate::dpop::Confirmation;
use crate::jwt::Verified;
use crate::scope::ScopeSet;
use crate::token::TokenKind;

use super::client::AuthenticatedClient;
use super::issue::family_of_jti;
use super::state::{GrantState, RevocationReason, TokenStatus};
use super::{Effect, Issuer, Outcome, RevokedAccessToken};

/// An RFC 7662 §2.2 introspection response. Inactive is exactly `{"active":false}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Introspection {
    /// Whether the token is active.
    pub active: bool,
    /// The token's scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeSet>,
    /// The client the token was issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The resource owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Expiry (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Issue time (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// `Bearer` for access tokens, `DPoP` for access tokens bound to a DPoP key (RFC 9449
    /// §6.2); absent for refresh tokens (RFC 7662 refers to the access token types of RFC 6749
    /// §7.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// The issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The audiences (access tokens): one is written as a string, several as an array.
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "one_or_many")]
    pub aud: Vec<String>,
    /// The token's `jti` (access tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// What a sender-constrained access token is bound to, its `cnf` claim: `{"jkt": ...}`
    /// (RFC 9449 §6.2) and/or `{"x5t#S256": ...}` (RFC 8705 §3.2). A resource server that
    /// introspects checks the presented proof against it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
}

fn one_or_many<S: Serializer>(aud: &[String], s: S) -> Result<S::Ok, S::Error> {
    match aud {
        [one] => s.serialize_str(one),
        many => many.serialize(s),
    }
}

impl Introspection {
    /// `{"active": false}`.
    pub fn inactive() -> Introspection {
        Introspection::default()
    }

    /// The RFC 7662 §2.2 JSON body.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| r#"{"active":false}"#.to_owned())
    }
}

/// What a presented token is within a family.
enum Found {
    /// The refresh token at this index.
    Refresh(usize),
    /// A verified access token naming this family.
    Access {
        jti: String,
        verified: Box<Verified>,
    },
    /// Not a token of this family (or a code, or malformed, or expired).
    Nothing,
}

impl Issuer {
    fn find(&self, state: &GrantState, token: &str, now: i64) -> Found {
        let format = self.policy.token_format();
        if format.check(token, None).is_ok() {
            if format.check(token, Some(TokenKind::RefreshToken)).is_err() {
                return Found::Nothing;
            }
            return match state.find_refresh(&self.peppers, token) {
                Some(index) => Found::Refresh(index),
                None => Found::Nothing,
            };
        }
        let Ok(verified) = self.access_verifier.verify(token, now) else {
            return Found::Nothing;
        };
        let jti = verified.registered().jti.clone().unwrap_or_default();
        if family_of_jti(&jti) != Some(state.family_id()) {
            return Found::Nothing;
        }
        Found::Access {
            jti,
            verified: Box::new(verified),
        }
    }

    /// Revokes a token at the client's request (RFC 7009 §2.1). Always succeeds (§2.2: invalid
    /// or unknown tokens do not cause an error); the outcome says what to persist.
    ///
    /// - `state` is the family [`Issuer::locate`] found (`None` if none): no state, no change.
    /// - A token issued to another client is left alone, and the answer is still 200, so the
    ///   endpoint does not tell a client whether someone else's token is valid.
    /// - A refresh token of the family (in any status) revokes the whole family and, as §2.1
    ///   says it SHOULD, its access tokens: [`Effect::RevokeFamily`].
    /// - An access token of the family is revoked alone: [`Effect::RevokeAccessTokens`]. An
    ///   expired one needs nothing.
    /// - Anything else (codes, unknown or malformed tokens, an already revoked family): no
    ///   change.
    pub fn revoke(
        &self,
        client: &AuthenticatedClient<'_>,
        state: Option<&GrantState>,
        token: &str,
        now: i64,
    ) -> Outcome<()> {
        let unchanged = || Outcome {
            result: Ok(()),
            state: None,
            effects: Vec::new(),
        };
        let Some(state) = state else {
            return unchanged();
        };
        if state.client_id() != client.client_id() || !state.is_active() {
            return unchanged();
        }
        match self.find(state, token, now) {
            Found::Nothing => unchanged(),
            Found::Refresh(_) => self.revoke_with(state, RevocationReason::ClientRequest, now),
            Found::Access { jti, verified } => {
                let expires_at = verified.registered().exp.unwrap_or(now);
                let mut next = state.next();
                match next.access_mut(&jti) {
                    Some(record) if record.status == TokenStatus::Revoked => return unchanged(),
                    Some(record) => record.status = TokenStatus::Revoked,
                    None => {
                        let iat = verified.registered().iat.unwrap_or(now);
                        next.push_access(jti.clone(), iat, expires_at);
                        if let Some(record) = next.access_mut(&jti) {
                            record.status = TokenStatus::Revoked;
                        }
                    }
                }
                let mut effects = vec![Effect::RevokeAccessTokens {
                    family_id: state.family_id().to_owned(),
                    access_tokens: vec![RevokedAccessToken { jti, expires_at }],
                }];
                effects.extend(next.prune(now, self.policy.config().refresh_history));
                Outcome {
                    result: Ok(()),
                    state: Some(next),
                    effects,
                }
            }
        }
    }

    /// Revokes a whole family at the host's initiative (logout everywhere, a password change,
    /// an administrator): [`RevocationReason::Host`]. No change if it is already revoked.
    pub fn revoke_family(&self, state: &GrantState, now: i64) -> Outcome<()> {
        if !state.is_active() {
            return Outcome {
                result: Ok(()),
                state: None,
                effects: Vec::new(),
            };
        }
        self.revoke_with(state, RevocationReason::Host, now)
    }

    fn revoke_with(&self, state: &GrantState, reason: RevocationReason, now: i64) -> Outcome<()> {
        let mut next = state.next();
        let mut effects = vec![next.revoke_family(reason, now)];
        effects.extend(next.prune(now, self.policy.config().refresh_history));
        Outcome {
            result: Ok(()),
            state: Some(next),
            effects,
        }
    }

    /// Introspects a token (RFC 7662 §2.2) against the family [`Issuer::locate`] found.
    ///
    /// Active only if the family is active and:
    /// - a refresh token: it is one of the family's, active, and neither its idle nor the
    ///   family's absolute expiry has passed. Members: `scope` (the grant's), `client_id`,
    ///   `sub`, `exp`, `iat`, `iss`;
    /// - an access token: it verifies as this issuer's RFC 9068 token at `now` (no leeway), names
    ///   this family, and was not revoked. Members: `scope`, `client_id`, `sub`, `exp`, `iat`,
    ///   `iss`, `aud`, `jti`, `token_type` (`Bearer`, or `DPoP` when bound to a DPoP key), and
    ///   `cnf` for a sender-constrained token (RFC 9449 §6.2, RFC 8705 §3.2).
    ///
    /// Everything else (expired, revoked, consumed, superseded, codes, unknown, malformed, no
    /// state) is exactly `{"active": false}`: the response does not say why (§2.2).
    pub fn introspect(&self, state: Option<&GrantState>, token: &str, now: i64) -> Introspection {
        let Some(state) = state else {
            return Introspection::inactive();
        };
        if !state.is_active() {
            return Introspection::inactive();
        }
        let issuer = Some(self.policy.config().issuer.clone());
        match self.find(state, token, now) {
            Found::Nothing => Introspection::inactive(),
            Found::Refresh(index) => {
                let Some(record) = state.refresh_tokens().get(index) else {
                    return Introspection::inactive();
                };
                let live = record.status == TokenStatus::Active
                    && now < record.expires_at
                    && now < state.expires_at();
                if !live {
                    return Introspection::inactive();
                }
                Introspection {
                    active: true,
                    scope: Some(state.scope().clone()),
                    client_id: Some(state.client_id().to_owned()),
                    sub: Some(state.subject().to_owned()),
                    exp: Some(record.expires_at.min(state.expires_at())),
                    iat: Some(record.issued_at),
                    token_type: None,
                    iss: issuer,
                    aud: Vec::new(),
                    jti: None,
                    cnf: None,
                }
            }
            Found::Access { jti, verified } => {
                if state
                    .access(&jti)
                    .is_some_and(|a| a.status != TokenStatus::Active)
                {
                    return Introspection::inactive();
                }
                let claims = verified.claims();
                let client_id = claims.get("client_id").and_then(|v| v.as_str());
                if client_id != Some(state.client_id()) {
                    return Introspection::inactive();
                }
                let Ok(scope) = ScopeSet::from_claims(claims) else {
                    return Introspection::inactive();
                };
                let Ok(cnf) = Confirmation::from_claims(claims) else {
                    return Introspection::inactive();
                };
                let reg = verified.registered();
                Introspection {
                    active: true,
                    scope: Some(scope),
                    client_id: client_id.map(str::to_owned),
                    sub: reg.sub.clone(),
                    exp: reg.exp,
                    iat: reg.iat,
                    token_type: Some(super::issue::token_type_of(cnf.as_ref()).to_owned()),
                    iss: issuer,
                    aud: reg.aud.clone(),
                    jti: Some(jti),
                    cnf,
                }
            }
        }
    }
}
