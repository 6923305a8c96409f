//! The token endpoint: authorization code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5–§4.6),
//! refresh (RFC 6749 §6, RFC 9700 §4.14.2) and client credentials (RFC 6749 §4.4).

use std::fmt;

use ring::rand::SecureRandom;
use serde::{Deserialize, Serialize};

use crate::pkce;
use crate::scope::ScopeSet;
use crate::token::TokenKind;
use crate::{Error, ErrorKind, Result};

use super::client::{AuthenticatedClient, ClientKind, GrantType};
use super::issue::{Grantee, Tokens, after, new_family_id};
use super::state::{GrantKind, GrantState, RevocationReason, TokenStatus};
use super::{Effect, Issuer, Outcome, oauth, server_error};

/// A `grant_type=authorization_code` request (RFC 6749 §4.1.3, RFC 7636 §4.5), after the wire
/// layer read it. `Debug` redacts the code and verifier.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// `code`.
    pub code: String,
    /// `redirect_uri`, if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// `code_verifier`, if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<String>,
}

impl fmt::Debug for CodeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeRequest")
            .field("code", &"<redacted>")
            .field("redirect_uri", &self.redirect_uri)
            .field(
                "code_verifier",
                &self.code_verifier.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A `grant_type=refresh_token` request (RFC 6749 §6). `Debug` redacts the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// `refresh_token`.
    pub refresh_token: String,
    /// `scope`, if sent: a narrower scope for the new access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("refresh_token", &"<redacted>")
            .field("scope", &self.scope)
            .finish()
    }
}

/// A `grant_type=client_credentials` request (RFC 6749 §4.4.2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientCredentialsRequest {
    /// `scope`, if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// A requested scope: absent or empty is `None`; bad grammar is `invalid_scope`.
pub(crate) fn requested_scope(raw: Option<&str>) -> Result<Option<ScopeSet>> {
    match raw {
        None | Some("") => Ok(None),
        Some(text) => ScopeSet::parse(text)
            .map(Some)
            .map_err(|e| Error::with_detail(ErrorKind::OAuthInvalidScope, e.detail())),
    }
}

/// The scope of a new grant: the request's (or the client's default when omitted, RFC 6749
/// §3.3), which must be non-empty and within what the client may be granted.
pub(crate) fn grant_scope(
    issuer: &Issuer,
    client: &super::Client,
    raw: Option<&str>,
) -> Result<ScopeSet> {
    let scope = match requested_scope(raw)? {
        Some(scope) => scope,
        None => client.default_scope.clone().ok_or(oauth(
            ErrorKind::OAuthInvalidScope,
            "scope is required: the client has no default scope",
        ))?,
    };
    if scope.is_empty() {
        return Err(oauth(ErrorKind::OAuthInvalidScope, "the scope is empty"));
    }
    client
        .allowed_scope
        .check_covers(&scope, issuer.policy.implications())
        .map_err(|e| Error::with_detail(ErrorKind::OAuthInvalidScope, e.detail()))?;
    Ok(scope)
}

fn invalid_grant(detail: &'static str) -> Error {
    oauth(ErrorKind::OAuthInvalidGrant, detail)
}

impl Issuer {
    /// Redeems an authorization code (RFC 6749 §4.1.3) found in `state`.
    ///
    /// Checks, in order (every failure is `invalid_grant` unless noted):
    ///
    /// 1. the client may use `authorization_code` (else `unauthorized_client`), the family is an
    ///    authorization code family and the code is well formed, is this family's code (constant
    ///    time) — none of these change state;
    /// 2. a revoked family refuses; a **consumed** code is a replay: the family is revoked and
    ///    the outcome carries the revoked state and an [`Effect::RevokeFamily`] listing every
    ///    token (RFC 6749 §4.1.2, RFC 9700 §4.5); a burned code refuses;
    /// 3. an expired code refuses (nothing to burn);
    /// 4. then, burning the code on failure when `burn_code_on_failed_redemption` (the default):
    ///    the code was issued to this client; `redirect_uri` is present and identical if the
    ///    authorization request had one (and identical when sent anyway); PKCE: a stored
    ///    challenge needs a matching `code_verifier` (RFC 7636 §4.6), and a verifier for a code
    ///    issued without a challenge is refused as a downgrade (RFC 9700 §2.1.1).
    ///
    /// On success the code is consumed, an RFC 9068 access token is issued for the granted
    /// scope, and a refresh token when the client may use `refresh_token` (its lookup hash in
    /// the state and an [`Effect::Index`]).
    pub fn exchange_code(
        &self,
        client: &AuthenticatedClient<'_>,
        state: &GrantState,
        request: &CodeRequest,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Outcome<Tokens> {
        let registration = client.client();
        if !registration.allows(GrantType::AuthorizationCode) {
            return Outcome::fail(oauth(
                ErrorKind::OAuthUnauthorizedClient,
                "the client may not use the authorization_code grant",
            ));
        }
        if state.kind() != GrantKind::AuthorizationCode {
            return Outcome::fail(invalid_grant("not an authorization code grant"));
        }
        if self
            .policy
            .token_format()
            .check(&request.code, Some(TokenKind::AuthorizationCode))
            .is_err()
        {
            return Outcome::fail(invalid_grant("malformed authorization code"));
        }
        let Some(code) = state.code() else {
            return Outcome::fail(invalid_grant("unknown authorization code"));
        };
        if self.peppers.verify(&request.code, &code.lookup).is_err() {
            return Outcome::fail(invalid_grant("unknown authorization code"));
        }
        if !state.is_active() {
            return Outcome::fail(invalid_grant("the grant has been revoked"));
        }
        match code.status {
            TokenStatus::Active => {}
            TokenStatus::Consumed => {
                let mut next = state.next();
                let effect = next.revoke_family(RevocationReason::CodeReplay, now);
                let mut effects = vec![effect];
                effects.extend(next.prune(now, self.policy.config().refresh_history));
                return Outcome::fail_with(
                    invalid_grant("authorization code already used; the grant is revoked"),
                    next,
                    effects,
                );
            }
            TokenStatus::Superseded | TokenStatus::Revoked => {
                return Outcome::fail(invalid_grant("authorization code revoked"));
            }
        }
        if now >= code.expires_at {
            return Outcome::fail(invalid_grant("authorization code expired"));
        }

        let burn = |error: Error| -> Outcome<Tokens> {
            if !self.policy.config().burn_code_on_failed_redemption {
                return Outcome::fail(error);
            }
            let mut next = state.next();
            if let Some(code) = next.code_mut() {
                code.status = TokenStatus::Revoked;
                code.used_at = Some(now);
            }
            Outcome::fail_with(error, next, Vec::new())
        };
        if state.client_id() != client.client_id() {
            return burn(invalid_grant(
                "the authorization code was issued to another client",
            ));
        }
        let redirect_ok = match request.redirect_uri.as_deref() {
            Some(sent) => sent == code.redirect_uri,
            None => !code.redirect_uri_sent,
        };
        if !redirect_ok {
            return burn(invalid_grant(
                "redirect_uri is missing or differs from the authorization request",
            ));
        }
        match (&code.pkce, request.code_verifier.as_deref()) {
            (Some(challenge), Some(verifier)) => {
                if let Err(e) = pkce::verify(
                    verifier,
                    &challenge.challenge,
                    challenge.method,
                    &self.policy.pkce(),
                ) {
                    return burn(Error::with_detail(ErrorKind::OAuthInvalidGrant, e.detail()));
                }
            }
            (Some(_), None) => {
                return burn(invalid_grant("code_verifier is required (RFC 7636 §4.5)"));
            }
            (None, Some(_)) => {
                return burn(invalid_grant(
                    "code_verifier sent for a code issued without a challenge (RFC 9700 §2.1.1)",
                ));
            }
            (None, None) => {}
        }

        let mut next = state.next();
        if let Some(code) = next.code_mut() {
            code.status = TokenStatus::Consumed;
            code.used_at = Some(now);
        }
        let who = Grantee {
            family_id: state.family_id(),
            client_id: state.client_id(),
            subject: state.subject(),
        };
        let mut tokens = match self.mint_access_token(&who, state.scope(), now, rng) {
            Ok(tokens) => tokens,
            Err(e) => return Outcome::fail(e),
        };
        next.push_access(tokens.jti.clone(), now, tokens.expires_at);
        let mut effects = Vec::new();
        if registration.allows(GrantType::RefreshToken) {
            let (token, lookup) = match self.mint_opaque(TokenKind::RefreshToken, rng) {
                Ok(pair) => pair,
                Err(e) => return Outcome::fail(e),
            };
            let _ = next.push_refresh(
                lookup.clone(),
                now,
                self.policy.config().refresh_idle_lifetime,
            );
            effects.push(Effect::Index {
                lookup,
                family_id: state.family_id().to_owned(),
                kind: TokenKind::RefreshToken,
            });
            tokens.refresh_token = Some(token);
        }
        effects.extend(next.prune(now, self.policy.config().refresh_history));
        Outcome {
            result: Ok(tokens),
            state: Some(next),
            effects,
        }
    }

    /// Uses a refresh token of `state` (RFC 6749 §6).
    ///
    /// Checks, in order (failures are `invalid_grant` unless noted; only reuse changes state):
    ///
    /// 1. the client may use `refresh_token` (else `unauthorized_client`); the token is well
    ///    formed and one of this family's (constant time); the family is not revoked; the token
    ///    was issued to this client;
    /// 2. status: an active token proceeds. A **consumed** or **superseded** token is reuse: the
    ///    family is revoked, with the revoked state and an [`Effect::RevokeFamily`] in the
    ///    outcome (RFC 9700 §4.14.2) — except the benign retry below. A revoked token refuses;
    /// 3. expiry: the token's idle expiry and the family's absolute expiry;
    /// 4. scope: omitted means the granted scope; otherwise it must be covered by the granted
    ///    scope and by the client's current `allowed_scope` (else `invalid_scope`). The new access
    ///    token carries the requested scope; the grant keeps its scope.
    ///
    /// Rotation: when `rotate_refresh_tokens` is on, and always for public clients (RFC 9700
    /// §4.14.2 allows no other protection here), the presented token becomes consumed and a new
    /// one is issued with the family's absolute expiry unchanged. Without rotation no refresh
    /// token is returned (the client keeps its own) and the token's idle expiry slides.
    ///
    /// Grace window (`refresh_reuse_grace_seconds` > 0): when the presented token was rotated at
    /// most that long ago and its successor has never been used, the request is a client retry
    /// after a lost response. Only the successor's hash is known, so it cannot be sent again;
    /// instead the successor is marked superseded and a fresh refresh token (and access token)
    /// is issued. If the retry came from a thief instead, the legitimate client's next use of the
    /// superseded token counts as reuse and revokes the family.
    pub fn refresh(
        &self,
        client: &AuthenticatedClient<'_>,
        state: &GrantState,
        request: &RefreshRequest,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Outcome<Tokens> {
        let registration = client.client();
        let config = self.policy.config();
        if !registration.allows(GrantType::RefreshToken) {
            return Outcome::fail(oauth(
                ErrorKind::OAuthUnauthorizedClient,
                "the client may not use the refresh_token grant",
            ));
        }
        if self
            .policy
            .token_format()
            .check(&request.refresh_token, Some(TokenKind::RefreshToken))
            .is_err()
        {
            return Outcome::fail(invalid_grant("malformed refresh token"));
        }
        let Some(index) = state.find_refresh(&self.peppers, &request.refresh_token) else {
            return Outcome::fail(invalid_grant("unknown refresh token"));
        };
        let Some(record) = state.refresh_tokens().get(index) else {
            return Outcome::fail(invalid_grant("unknown refresh token"));
        };
        if !state.is_active() {
            return Outcome::fail(invalid_grant("the grant has been revoked"));
        }
        if state.client_id() != client.client_id() {
            return Outcome::fail(invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        let mut grace_successor = None;
        match record.status {
            TokenStatus::Active => {
                if now >= record.expires_at || now >= state.expires_at() {
                    return Outcome::fail(invalid_grant("refresh token expired"));
                }
            }
            TokenStatus::Consumed | TokenStatus::Superseded => {
                let grace = i64::try_from(config.refresh_reuse_grace_seconds).unwrap_or(0);
                let successor = record
                    .successor
                    .and_then(|seq| state.refresh_by_seq(seq))
                    .filter(|(_, s)| s.status == TokenStatus::Active);
                let within = record
                    .used_at
                    .is_some_and(|used| now < used.saturating_add(grace));
                match successor {
                    Some((successor_index, _))
                        if record.status == TokenStatus::Consumed
                            && grace > 0
                            && within
                            && now < state.expires_at() =>
                    {
                        grace_successor = Some(successor_index);
                    }
                    _ => {
                        let mut next = state.next();
                        let effect = next.revoke_family(RevocationReason::RefreshReuse, now);
                        let mut effects = vec![effect];
                        effects.extend(next.prune(now, config.refresh_history));
                        return Outcome::fail_with(
                            invalid_grant("refresh token already used; the grant is revoked"),
                            next,
                            effects,
                        );
                    }
                }
            }
            TokenStatus::Revoked => {
                return Outcome::fail(invalid_grant("refresh token revoked"));
            }
        }

        let scope = match requested_scope(request.scope.as_deref()) {
            Ok(Some(requested)) => requested,
            Ok(None) => state.scope().clone(),
            Err(e) => return Outcome::fail(e),
        };
        let imp = self.policy.implications();
        if let Err(e) = state
            .scope()
            .check_covers(&scope, imp)
            .and_then(|()| registration.allowed_scope.check_covers(&scope, imp))
        {
            return Outcome::fail(Error::with_detail(ErrorKind::OAuthInvalidScope, e.detail()));
        }

        let who = Grantee {
            family_id: state.family_id(),
            client_id: state.client_id(),
            subject: state.subject(),
        };
        let mut tokens = match self.mint_access_token(&who, &scope, now, rng) {
            Ok(tokens) => tokens,
            Err(e) => return Outcome::fail(e),
        };
        let mut next = state.next();
        next.push_access(tokens.jti.clone(), now, tokens.expires_at);
        let mut effects = Vec::new();
        let rotate = config.rotate_refresh_tokens
            || registration.kind == ClientKind::Public
            || grace_successor.is_some();
        if rotate {
            let (token, lookup) = match self.mint_opaque(TokenKind::RefreshToken, rng) {
                Ok(pair) => pair,
                Err(e) => return Outcome::fail(e),
            };
            let seq = next.push_refresh(lookup.clone(), now, config.refresh_idle_lifetime);
            if let Some(successor) = grace_successor.and_then(|i| next.refresh_mut(i)) {
                successor.status = TokenStatus::Superseded;
                successor.used_at = Some(now);
                successor.successor = Some(seq);
            }
            if let Some(old) = next.refresh_mut(index) {
                if old.status == TokenStatus::Active {
                    old.status = TokenStatus::Consumed;
                    old.used_at = Some(now);
                }
                old.successor = Some(seq);
            }
            effects.push(Effect::Index {
                lookup,
                family_id: state.family_id().to_owned(),
                kind: TokenKind::RefreshToken,
            });
            tokens.refresh_token = Some(token);
        } else if let Some(old) = next.refresh_mut(index) {
            old.expires_at = after(now, config.refresh_idle_lifetime).min(state.expires_at());
        }
        effects.extend(next.prune(now, config.refresh_history));
        Outcome {
            result: Ok(tokens),
            state: Some(next),
            effects,
        }
    }

    /// The client credentials grant (RFC 6749 §4.4): an access token for the client itself
    /// (`sub` = `client_id`), no refresh token (§4.4.3).
    ///
    /// Only confidential clients that may use `client_credentials`: a public client (which
    /// authenticated by id alone) or a client without the grant type gets
    /// `unauthorized_client`. The scope is the request's, or the client's `default_scope` when
    /// omitted, within its `allowed_scope` (else `invalid_scope`).
    ///
    /// The outcome's state is a new family holding the access token's `jti`; store it if these
    /// tokens must be revocable and introspectable, otherwise it may be dropped.
    pub fn client_credentials(
        &self,
        client: &AuthenticatedClient<'_>,
        request: &ClientCredentialsRequest,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Outcome<Tokens> {
        let registration = client.client();
        if registration.kind != ClientKind::Confidential
            || !registration.allows(GrantType::ClientCredentials)
        {
            return Outcome::fail(oauth(
                ErrorKind::OAuthUnauthorizedClient,
                "the client may not use the client_credentials grant",
            ));
        }
        let scope = match grant_scope(self, registration, request.scope.as_deref()) {
            Ok(scope) => scope,
            Err(e) => return Outcome::fail(e),
        };
        let family_id = match new_family_id(rng) {
            Ok(id) => id,
            Err(e) => return Outcome::fail(server_error(&e)),
        };
        let who = Grantee {
            family_id: &family_id,
            client_id: client.client_id(),
            subject: client.client_id(),
        };
        let tokens = match self.mint_access_token(&who, &scope, now, rng) {
            Ok(tokens) => tokens,
            Err(e) => return Outcome::fail(e),
        };
        let mut state = GrantState::new(
            family_id,
            GrantKind::ClientCredentials,
            client.client_id(),
            client.client_id(),
            scope,
            now,
            tokens.expires_at,
        );
        state.push_access(tokens.jti.clone(), now, tokens.expires_at);
        Outcome {
            result: Ok(tokens),
            state: Some(state),
            effects: Vec::new(),
        }
    }
}
