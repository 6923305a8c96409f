//! The token endpoint: authorization code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5–§4.6),
//! refresh (RFC 6749 §6, RFC 9700 §4.14.2) and client credentials (RFC 6749 §4.4).

use crate::crypto::SecureRandom;

use crate::dpop::Confirmation;
use crate::pkce;
use crate::scope::ScopeSet;
use crate::token::TokenKind;
use crate::wire::TokenRequest;
use crate::{Error, ErrorKind, Result};

use super::client::{AuthenticatedClient, ClientKind, GrantType};
use super::issue::{Grantee, Tokens, after, new_family_id};
use super::state::{GrantKind, GrantState, RevocationReason, TokenStatus};
use super::{Effect, Issuer, Outcome, oauth, server_error};

/// The parameters of a refresh.
struct Refresh<'a> {
    token: &'a str,
    scope: Option<&'a str>,
}

/// The DPoP key thumbprint of a binding, if it has one.
fn dpop_key(cnf: Option<&Confirmation>) -> Option<&str> {
    cnf.and_then(|c| c.jkt.as_deref())
}

/// The parameters of an authorization code redemption.
struct Redemption<'a> {
    code: &'a str,
    redirect_uri: Option<&'a str>,
    code_verifier: Option<&'a str>,
}

/// A requested scope: absent or empty is `None`; bad grammar is `invalid_scope`.
pub(crate) fn requested_scope(raw: Option<&str>) -> Result<Option<ScopeSet>> {
    match raw {
        None | Some("") => Ok(None),
        Some(text) => ScopeSet::parse(text)
            .map(Some)
            .map_err(|e| Error::with_detail(ErrorKind::OauthInvalidScope, e.detail())),
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
            ErrorKind::OauthInvalidScope,
            "scope is required: the client has no default scope",
        ))?,
    };
    if scope.is_empty() {
        return Err(oauth(ErrorKind::OauthInvalidScope, "the scope is empty"));
    }
    client
        .allowed_scope
        .check_covers(&scope, issuer.policy.implications())
        .map_err(|e| Error::with_detail(ErrorKind::OauthInvalidScope, e.detail()))?;
    Ok(scope)
}

fn invalid_grant(detail: &'static str) -> Error {
    oauth(ErrorKind::OauthInvalidGrant, detail)
}

/// Refuses with `invalid_grant` and revokes the family (a replayed code, a reused or leaked
/// refresh token): the outcome carries the revoked state and its [`Effect::RevokeFamily`].
fn refuse_and_revoke<T>(
    state: &GrantState,
    reason: RevocationReason,
    detail: &'static str,
    now: i64,
    history: usize,
) -> Outcome<T> {
    let mut next = state.next();
    let mut effects = vec![next.revoke_family(reason, now)];
    effects.extend(next.prune(now, history));
    Outcome::fail_with(invalid_grant(detail), next, effects)
}

impl Issuer {
    /// The token endpoint (RFC 6749 §3.2): redeems a code, uses a refresh token, or runs the
    /// client credentials grant, for a client that passed [`authenticate_client`] and a request
    /// the wire layer read ([`TokenRequest::from_form`]).
    ///
    /// `state` is the family [`Issuer::locate`] found for the code or refresh token (`None` if
    /// the host's index has no entry: `invalid_grant`); client credentials ignore it. The
    /// checks and their order are in the [module documentation](crate::grant#the-token-endpoint).
    ///
    /// `cnf` is what the access token is bound to (`None`: a bearer token): the host validated
    /// the request's DPoP proof (RFC 9449 §4.3) and passes its key thumbprint as `jkt`, and/or
    /// the thumbprint of the mutual-TLS client certificate as `x5t#S256` (RFC 8705 §3). The
    /// access token then carries it as its `cnf` claim, and the response's `token_type` is
    /// `DPoP` when `jkt` is set. See [DPoP and certificate binding](crate::grant#dpop-and-certificate-binding)
    /// for the rules it enforces.
    ///
    /// [`authenticate_client`]: super::authenticate_client
    pub fn token(
        &self,
        client: &AuthenticatedClient<'_>,
        state: Option<&GrantState>,
        request: &TokenRequest,
        cnf: Option<&Confirmation>,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Outcome<Tokens> {
        if client.client().dpop_bound_access_tokens && dpop_key(cnf).is_none() {
            return Outcome::fail(Error::new(
                ErrorKind::DpopProofRequired,
                "the client uses dpop_bound_access_tokens: a DPoP proof is required (RFC 9449 section 5.2)",
            ));
        }
        match request {
            TokenRequest::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
                ..
            } => {
                let Some(state) = state else {
                    return Outcome::fail(invalid_grant("unknown authorization code"));
                };
                let redemption = Redemption {
                    code,
                    redirect_uri: redirect_uri.as_deref(),
                    code_verifier: code_verifier.as_deref(),
                };
                self.exchange_code(client, state, &redemption, cnf, now, rng)
            }
            TokenRequest::RefreshToken {
                refresh_token,
                scope,
            } => {
                let Some(state) = state else {
                    return Outcome::fail(invalid_grant("unknown refresh token"));
                };
                let refresh = Refresh {
                    token: refresh_token,
                    scope: scope.as_deref(),
                };
                self.refresh(client, state, &refresh, cnf, now, rng)
            }
            TokenRequest::ClientCredentials { scope } => {
                self.client_credentials(client, scope.as_deref(), cnf, now, rng)
            }
        }
    }

    /// RFC 6749 §4.1.3; see the module documentation for the order of checks.
    fn exchange_code(
        &self,
        client: &AuthenticatedClient<'_>,
        state: &GrantState,
        request: &Redemption<'_>,
        cnf: Option<&Confirmation>,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Outcome<Tokens> {
        let registration = client.client();
        if !registration.allows(GrantType::AuthorizationCode) {
            return Outcome::fail(oauth(
                ErrorKind::OauthUnauthorizedClient,
                "the client may not use the authorization_code grant",
            ));
        }
        if state.kind() != GrantKind::AuthorizationCode {
            return Outcome::fail(invalid_grant("not an authorization code grant"));
        }
        if self
            .policy
            .token_format()
            .check(request.code, Some(TokenKind::AuthorizationCode))
            .is_err()
        {
            return Outcome::fail(invalid_grant("malformed authorization code"));
        }
        let Some(code) = state.code() else {
            return Outcome::fail(invalid_grant("unknown authorization code"));
        };
        if self.peppers.verify(request.code, &code.lookup).is_err() {
            return Outcome::fail(invalid_grant("unknown authorization code"));
        }
        if !state.is_active() {
            return Outcome::fail(invalid_grant("the grant has been revoked"));
        }
        match code.status {
            TokenStatus::Active => {}
            TokenStatus::Consumed => {
                return refuse_and_revoke(
                    state,
                    RevocationReason::CodeReplay,
                    "authorization code already used; the grant is revoked",
                    now,
                    self.policy.config().refresh_history,
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
        let redirect_ok = match request.redirect_uri {
            Some(sent) => sent == code.redirect_uri,
            None => !code.redirect_uri_sent,
        };
        if !redirect_ok {
            return burn(invalid_grant(
                "redirect_uri is missing or differs from the authorization request",
            ));
        }
        match (&code.pkce, request.code_verifier) {
            (Some(challenge), Some(verifier)) => {
                if let Err(e) = pkce::verify(
                    verifier,
                    &challenge.challenge,
                    challenge.method,
                    &self.policy.pkce(),
                ) {
                    return burn(Error::with_detail(ErrorKind::OauthInvalidGrant, e.detail()));
                }
            }
            (Some(_), None) => {
                return burn(invalid_grant(
                    "code_verifier is required (RFC 7636 section 4.5)",
                ));
            }
            (None, Some(_)) => {
                return burn(invalid_grant(
                    "code_verifier sent for a code issued without a challenge (RFC 9700 section 2.1.1)",
                ));
            }
            (None, None) => {}
        }
        if let Some(bound) = code.dpop_jkt.as_deref() {
            match dpop_key(cnf) {
                None => {
                    return burn(invalid_grant(
                        "the code is bound with dpop_jkt: a DPoP proof is required (RFC 9449 section 10)",
                    ));
                }
                Some(jkt) if jkt != bound => {
                    return burn(invalid_grant(
                        "the DPoP proof key is not the dpop_jkt of the authorization request (RFC 9449 section 10)",
                    ));
                }
                Some(_) => {}
            }
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
        let mut tokens = match self.mint_access_token(&who, state.scope(), cnf, now, rng) {
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
            // RFC 9449 §5: a public client's refresh tokens are bound to its DPoP key.
            if let (ClientKind::Public, Some(jkt)) = (registration.kind, dpop_key(cnf)) {
                next.bind_refresh_tokens(jkt.to_owned());
            }
        }
        effects.extend(next.prune(now, self.policy.config().refresh_history));
        Outcome {
            result: Ok(tokens),
            state: Some(next),
            effects,
        }
    }

    /// RFC 6749 §6; see the module documentation for the order of checks and the grace window.
    fn refresh(
        &self,
        client: &AuthenticatedClient<'_>,
        state: &GrantState,
        request: &Refresh<'_>,
        cnf: Option<&Confirmation>,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Outcome<Tokens> {
        let (refresh_token, requested) = (request.token, request.scope);
        let registration = client.client();
        let config = self.policy.config();
        if !registration.allows(GrantType::RefreshToken) {
            return Outcome::fail(oauth(
                ErrorKind::OauthUnauthorizedClient,
                "the client may not use the refresh_token grant",
            ));
        }
        if self
            .policy
            .token_format()
            .check(refresh_token, Some(TokenKind::RefreshToken))
            .is_err()
        {
            return Outcome::fail(invalid_grant("malformed refresh token"));
        }
        let Some(index) = state.find_refresh(&self.peppers, refresh_token) else {
            return Outcome::fail(invalid_grant("unknown refresh token"));
        };
        let Some(record) = state.refresh_tokens().get(index) else {
            return Outcome::fail(invalid_grant("unknown refresh token"));
        };
        if !state.is_active() {
            return Outcome::fail(invalid_grant("the grant has been revoked"));
        }
        if state.client_id() != client.client_id() {
            // A live family's token in another client's hands has leaked (RFC 9700 §4.14.2):
            // whoever else holds it must lose it too.
            return refuse_and_revoke(
                state,
                RevocationReason::RefreshClientMismatch,
                "the refresh token was issued to another client; the grant is revoked",
                now,
                config.refresh_history,
            );
        }
        if let Some(bound) = state.dpop_jkt() {
            if dpop_key(cnf) != Some(bound) {
                return Outcome::fail(invalid_grant(
                    "the refresh token is bound to a DPoP key: the proof is missing or made with another key (RFC 9449 section 5)",
                ));
            }
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
                        return refuse_and_revoke(
                            state,
                            RevocationReason::RefreshReuse,
                            "refresh token already used; the grant is revoked",
                            now,
                            config.refresh_history,
                        );
                    }
                }
            }
            TokenStatus::Revoked => {
                return Outcome::fail(invalid_grant("refresh token revoked"));
            }
        }

        let scope = match requested_scope(requested) {
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
            return Outcome::fail(Error::with_detail(ErrorKind::OauthInvalidScope, e.detail()));
        }

        let who = Grantee {
            family_id: state.family_id(),
            client_id: state.client_id(),
            subject: state.subject(),
        };
        let mut tokens = match self.mint_access_token(&who, &scope, cnf, now, rng) {
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

    /// RFC 6749 §4.4; see the module documentation.
    fn client_credentials(
        &self,
        client: &AuthenticatedClient<'_>,
        requested: Option<&str>,
        cnf: Option<&Confirmation>,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Outcome<Tokens> {
        let registration = client.client();
        if registration.kind != ClientKind::Confidential
            || !registration.allows(GrantType::ClientCredentials)
        {
            return Outcome::fail(oauth(
                ErrorKind::OauthUnauthorizedClient,
                "the client may not use the client_credentials grant",
            ));
        }
        let scope = match grant_scope(self, registration, requested) {
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
        let tokens = match self.mint_access_token(&who, &scope, cnf, now, rng) {
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
