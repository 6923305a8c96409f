//! The authorization endpoint (RFC 6749 §4.1.1–§4.1.2.1, §4.2.1–§4.2.2.1; RFC 7636 §4.3–§4.4).

use std::fmt;

use crate::crypto::SecureRandom;

use crate::dpop::Confirmation;
use crate::pkce::{self, ChallengeMethod};
use crate::scope::ScopeSet;
use crate::token::TokenKind;
use crate::wire::{
    AuthorizeErrorRedirect, AuthorizeRequest, Form, ResponseMode, redirect_uri_matches,
    redirect_with,
};
use crate::{Error, ErrorKind, Result};

use super::client::{Client, ClientKind, GrantType};
use super::exchange::grant_scope;
use super::issue::{Grantee, after, new_family_id};
use super::state::{CodeRecord, GrantKind, GrantState, PkceChallenge, TokenStatus};
use super::{Effect, Issuer, oauth, server_error};

/// Where the authorization endpoint sends the user agent back to the client.
///
/// `Debug` shows the redirect URI and mode, not `location` (it carries the code or token).
#[derive(Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The redirect URI: the one the request presented (matched against the registration), or
    /// the client's only registered one when the request had none.
    pub redirect_uri: String,
    /// [`ResponseMode::Query`] for the code flow, [`ResponseMode::Fragment`] for the implicit one.
    pub mode: ResponseMode,
    /// The URI to redirect to (302 or 303): `redirect_uri` with the response parameters.
    pub location: String,
}

impl Redirect {
    /// A response parameter as the client will read it, decoded from `location` (the query for
    /// [`ResponseMode::Query`], the fragment for [`ResponseMode::Fragment`]).
    pub fn param(&self, name: &str) -> Option<String> {
        let part = match self.mode {
            ResponseMode::Query => {
                let before_fragment = self.location.split('#').next().unwrap_or_default();
                before_fragment.split_once('?')?.1
            }
            ResponseMode::Fragment => self.location.split_once('#')?.1,
        };
        Form::parse(part.as_bytes())
            .ok()?
            .get(name)
            .map(str::to_owned)
    }
}

impl fmt::Debug for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redirect")
            .field("redirect_uri", &self.redirect_uri)
            .field("mode", &self.mode)
            .field("location", &"<redacted>")
            .finish()
    }
}

/// What the authorization endpoint decided (RFC 6749 §4.1.2, §4.1.2.1, §4.2.2, §4.2.2.1).
#[derive(Debug)]
#[must_use = "a granted authorization carries a new family to save"]
pub enum AuthorizeOutcome {
    /// Show this error to the user; **never redirect** (RFC 6749 §4.1.2.1): the client is
    /// unknown, or the redirect URI is missing, unregistered or malformed, so the redirect
    /// target cannot be trusted. [`ErrorKind::OauthInvalidRequest`] (or
    /// [`ErrorKind::InvalidArgument`] for a host mistake such as an empty subject).
    Fatal(Error),
    /// Redirect with `error`, `error_description`, `state` and `iss` (RFC 9207). The error is
    /// one of those §4.1.2.1 allows.
    Rejected {
        /// The error.
        error: Error,
        /// Where to send it.
        redirect: Redirect,
    },
    /// Redirect with the code (or, implicit grant, the access token), `state` and `iss`. Save
    /// `state` (a new family, version 1) and apply `effects` first.
    Granted {
        /// Where to send it.
        redirect: Redirect,
        /// The new family (boxed: it is much larger than the other variants).
        state: Box<GrantState>,
        /// An [`Effect::Index`] for the code (none for the implicit grant).
        effects: Vec<Effect>,
    },
}

/// What a valid authorization request asks for.
struct Checked<'a> {
    target: Target<'a>,
    implicit: bool,
    scope: ScopeSet,
    pkce: Option<PkceChallenge>,
    dpop_jkt: Option<String>,
}

/// The client and the redirect target, once both are trusted.
struct Target<'a> {
    client: &'a Client,
    redirect_uri: String,
    redirect_uri_sent: bool,
    mode: ResponseMode,
}

fn fatal(detail: &'static str) -> AuthorizeOutcome {
    AuthorizeOutcome::Fatal(Error::new(ErrorKind::OauthInvalidRequest, detail))
}

fn invalid_request(detail: &str) -> Error {
    Error::with_detail(ErrorKind::OauthInvalidRequest, detail)
}

impl Issuer {
    /// Validates an authorization request before the user is asked (RFC 6749 §4.1.1, §4.2.1),
    /// and returns the scope to show on the consent page, or the outcome to answer with right
    /// away ([`AuthorizeOutcome::Fatal`] or [`AuthorizeOutcome::Rejected`]).
    ///
    /// Checks, in order:
    ///
    /// 1. fatal (never redirected): the client is known and is the request's `client_id`; the
    ///    `redirect_uri`, when present, matches a registered one exactly (RFC 9700 §2.1, with the
    ///    RFC 8252 §7.3 loopback port exception, [`redirect_uri_matches`]); when absent, the
    ///    client has exactly one registered (RFC 6749 §3.1.2.3);
    /// 2. redirected: `response_type` is `code` or `token` (`unsupported_response_type`), and
    ///    the client may use that grant (`unauthorized_client`);
    /// 3. the scope: the request's, or the client's `default_scope` when omitted (RFC 6749
    ///    §3.3; without a default, `invalid_scope`), non-empty and within the client's
    ///    `allowed_scope` under the policy's implications (`invalid_scope`);
    /// 4. PKCE, for `code` (`invalid_request`): a `code_challenge` must satisfy RFC 7636 §4.2
    ///    for its method, which defaults to `plain` when omitted (§4.3) and `plain` is refused
    ///    unless `allow_plain_pkce`; a method without a challenge is refused; a missing challenge
    ///    is refused for public clients (`require_pkce_for_public`, default on, RFC 9700
    ///    §2.1.1) and for confidential ones when `require_pkce_for_confidential`
    ///    (RFC 7636 §4.4.1);
    /// 5. `dpop_jkt` (RFC 9449 §10), for `code`: when present, a base64url SHA-256 thumbprint
    ///    (43 characters), else `invalid_request`. The code is then bound to that key: its
    ///    redemption needs a DPoP proof made with it ([`Issuer::token`]). The implicit grant
    ///    ignores it.
    pub fn check_authorize(
        &self,
        client: Option<&Client>,
        request: &AuthorizeRequest,
    ) -> std::result::Result<ScopeSet, AuthorizeOutcome> {
        self.check(client, request).map(|checked| checked.scope)
    }

    /// The authorization endpoint after `subject` (the authenticated resource owner) approved
    /// the request: [`Issuer::check_authorize`], then
    ///
    /// - `code`: a new family (version 1) holding the code's lookup hash, redirect URI, PKCE
    ///   challenge, `dpop_jkt` and scope; the code (shown once, [`Policy`](super::Policy)
    ///   `code_lifetime`) goes back in the query with `state` and `iss` (RFC 6749 §4.1.2,
    ///   RFC 9207);
    /// - `token` (implicit, RFC 6749 §4.2.2): an access token, no refresh token, in the
    ///   fragment with `token_type`, `expires_in`, `scope`, `state` and `iss`; the family holds
    ///   its `jti`.
    pub fn authorize(
        &self,
        client: Option<&Client>,
        request: &AuthorizeRequest,
        subject: &str,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> AuthorizeOutcome {
        if subject.is_empty() {
            return AuthorizeOutcome::Fatal(Error::new(
                ErrorKind::InvalidArgument,
                "the subject must not be empty",
            ));
        }
        let checked = match self.check(client, request) {
            Ok(checked) => checked,
            Err(outcome) => return outcome,
        };
        let issued = if checked.implicit {
            self.issue_implicit(&checked, request, subject, now, rng)
        } else {
            let grant = CodeGrant {
                client: checked.target.client,
                scope: checked.scope.clone(),
                redirect_uri: checked.target.redirect_uri.clone(),
                redirect_uri_sent: checked.target.redirect_uri_sent,
                pkce: checked.pkce.clone(),
                dpop_jkt: checked.dpop_jkt.clone(),
            };
            self.issue_code(grant, subject, now, rng)
                .map(|(code, state, effects)| {
                    let params = self.params(&[("code", &code)], request);
                    (params, state, effects)
                })
        };
        let target = &checked.target;
        let built = issued.and_then(|(params, state, effects)| {
            let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let location =
                redirect_with(&target.redirect_uri, &pairs, target.mode).map_err(|_| {
                    invalid_request("the registered redirect URI cannot carry a response")
                })?;
            Ok((location, state, effects))
        });
        match built {
            Ok((location, state, effects)) => AuthorizeOutcome::Granted {
                redirect: Redirect {
                    redirect_uri: target.redirect_uri.clone(),
                    mode: target.mode,
                    location,
                },
                state: Box::new(state),
                effects,
            },
            Err(error) => self.reject(target, request, error),
        }
    }

    /// The authorization endpoint after the resource owner refused: `access_denied` by
    /// redirect (RFC 6749 §4.1.2.1), or [`AuthorizeOutcome::Fatal`] when the client or
    /// redirect URI cannot be trusted.
    pub fn deny(&self, client: Option<&Client>, request: &AuthorizeRequest) -> AuthorizeOutcome {
        match self.target(client, request) {
            Ok(target) => self.reject(
                &target,
                request,
                oauth(
                    ErrorKind::OauthAccessDenied,
                    "the resource owner denied the request",
                ),
            ),
            Err(outcome) => outcome,
        }
    }

    fn target<'a>(
        &self,
        client: Option<&'a Client>,
        request: &AuthorizeRequest,
    ) -> std::result::Result<Target<'a>, AuthorizeOutcome> {
        let Some(client) = client else {
            return Err(fatal("unknown client_id"));
        };
        if client.client_id != request.client_id {
            return Err(fatal("the registration is not the requested client's"));
        }
        let (redirect_uri, redirect_uri_sent) = match request.redirect_uri.as_deref() {
            Some(presented) => {
                if !client
                    .redirect_uris
                    .iter()
                    .any(|registered| redirect_uri_matches(registered, presented))
                {
                    return Err(fatal("redirect_uri is not registered for this client"));
                }
                (presented.to_owned(), true)
            }
            None => match client.redirect_uris.as_slice() {
                [only] => (only.clone(), false),
                _ => {
                    return Err(fatal(
                        "redirect_uri is required unless exactly one is registered",
                    ));
                }
            },
        };
        let mode = if request.response_type == "token" {
            ResponseMode::Fragment
        } else {
            ResponseMode::Query
        };
        Ok(Target {
            client,
            redirect_uri,
            redirect_uri_sent,
            mode,
        })
    }

    fn check<'a>(
        &self,
        client: Option<&'a Client>,
        request: &AuthorizeRequest,
    ) -> std::result::Result<Checked<'a>, AuthorizeOutcome> {
        let target = self.target(client, request)?;
        let implicit = match request.response_type.as_str() {
            "code" => false,
            "token" => true,
            _ => {
                let error = oauth(
                    ErrorKind::OauthUnsupportedResponseType,
                    "response_type must be code or token",
                );
                return Err(self.reject(&target, request, error));
            }
        };
        let grant = if implicit {
            GrantType::Implicit
        } else {
            GrantType::AuthorizationCode
        };
        if !target.client.allows(grant) {
            let error = oauth(
                ErrorKind::OauthUnauthorizedClient,
                "the client may not use this response_type",
            );
            return Err(self.reject(&target, request, error));
        }
        let scope = match grant_scope(self, target.client, request.scope.as_deref()) {
            Ok(scope) => scope,
            Err(error) => return Err(self.reject(&target, request, error)),
        };
        let pkce = if implicit {
            None
        } else {
            match self.check_pkce(target.client, request) {
                Ok(pkce) => pkce,
                Err(error) => return Err(self.reject(&target, request, error)),
            }
        };
        let dpop_jkt = match request.dpop_jkt.as_deref() {
            Some(jkt) if !implicit => match Confirmation::jkt(jkt) {
                Ok(_) => Some(jkt.to_owned()),
                Err(_) => {
                    let error = invalid_request(
                        "dpop_jkt is not a base64url SHA-256 thumbprint (RFC 9449 section 10)",
                    );
                    return Err(self.reject(&target, request, error));
                }
            },
            _ => None,
        };
        Ok(Checked {
            target,
            implicit,
            scope,
            pkce,
            dpop_jkt,
        })
    }

    fn check_pkce(
        &self,
        client: &Client,
        request: &AuthorizeRequest,
    ) -> Result<Option<PkceChallenge>> {
        let config = self.policy.config();
        match (
            request.code_challenge.as_deref(),
            request.code_challenge_method.as_deref(),
        ) {
            (Some(challenge), method) => {
                let method = match method {
                    None => ChallengeMethod::Plain,
                    Some(name) => name
                        .parse()
                        .map_err(|e: Error| invalid_request(e.detail()))?,
                };
                pkce::validate_challenge(challenge, method, &self.policy.pkce())
                    .map_err(|e| invalid_request(e.detail()))?;
                Ok(Some(PkceChallenge::new(challenge.to_owned(), method)))
            }
            (None, Some(_)) => Err(invalid_request(
                "code_challenge_method without code_challenge",
            )),
            (None, None) => {
                let required = match client.kind {
                    ClientKind::Public => config.require_pkce_for_public,
                    ClientKind::Confidential => config.require_pkce_for_confidential,
                };
                if required {
                    Err(invalid_request(
                        "code_challenge is required (RFC 7636 section 4.4.1, RFC 9700 section 2.1.1)",
                    ))
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// `extra`, then `state` (if the request had one) and `iss` (RFC 9207).
    fn params(
        &self,
        extra: &[(&'static str, &str)],
        request: &AuthorizeRequest,
    ) -> Vec<(&'static str, String)> {
        let mut params: Vec<(&'static str, String)> =
            extra.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        if let Some(state) = &request.state {
            params.push(("state", state.clone()));
        }
        params.push(("iss", self.policy.config().issuer.clone()));
        params
    }

    fn reject(
        &self,
        target: &Target<'_>,
        request: &AuthorizeRequest,
        error: Error,
    ) -> AuthorizeOutcome {
        let location = AuthorizeErrorRedirect::from_error(&error)
            .state(request.state.as_deref())
            .iss(&self.policy.config().issuer)
            .mode(target.mode)
            .build(&target.redirect_uri);
        match location {
            Ok(location) => AuthorizeOutcome::Rejected {
                error,
                redirect: Redirect {
                    redirect_uri: target.redirect_uri.clone(),
                    mode: target.mode,
                    location,
                },
            },
            Err(_) => fatal("the registered redirect URI cannot carry a response"),
        }
    }

    /// The implicit grant's access token (RFC 6749 §4.2.2) and its one-token family.
    #[allow(clippy::type_complexity)]
    fn issue_implicit(
        &self,
        checked: &Checked<'_>,
        request: &AuthorizeRequest,
        subject: &str,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Result<(Vec<(&'static str, String)>, GrantState, Vec<Effect>)> {
        let client = checked.target.client;
        let family_id = new_family_id(rng).map_err(|e| server_error(&e))?;
        let who = Grantee {
            family_id: &family_id,
            client_id: &client.client_id,
            subject,
        };
        let tokens = self.mint_access_token(&who, &checked.scope, None, now, rng)?;
        let mut state = GrantState::new(
            family_id,
            GrantKind::Implicit,
            &client.client_id,
            subject,
            checked.scope.clone(),
            now,
            tokens.expires_at,
        );
        state.push_access(tokens.jti.clone(), now, tokens.expires_at);
        let expires_in = tokens.expires_in.to_string();
        let scope = tokens.scope.to_scope_string();
        let params = self.params(
            &[
                ("access_token", &tokens.access_token),
                ("token_type", "Bearer"),
                ("expires_in", &expires_in),
                ("scope", &scope),
            ],
            request,
        );
        Ok((params, state, Vec::new()))
    }
}

/// A validated code request, ready to be granted.
pub(crate) struct CodeGrant<'a> {
    pub(crate) client: &'a Client,
    pub(crate) scope: ScopeSet,
    pub(crate) redirect_uri: String,
    pub(crate) redirect_uri_sent: bool,
    pub(crate) pkce: Option<PkceChallenge>,
    pub(crate) dpop_jkt: Option<String>,
}

impl Issuer {
    /// Issues an authorization code for a validated request: a new family (version 1) holding
    /// the code's lookup hash, and the [`Effect::Index`] for it. Returns the code, shown once.
    pub(crate) fn issue_code(
        &self,
        grant: CodeGrant<'_>,
        subject: &str,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Result<(String, GrantState, Vec<Effect>)> {
        let config = self.policy.config();
        let family_id = new_family_id(rng).map_err(|e| server_error(&e))?;
        let (code, lookup) = self.mint_opaque(TokenKind::AuthorizationCode, rng)?;
        let code_expires = after(now, config.code_lifetime);
        // The absolute expiry of any refresh token; a family that never gets one is purged
        // earlier anyway (`GrantState::purge_at` follows the tokens actually issued).
        let mut state = GrantState::new(
            family_id,
            GrantKind::AuthorizationCode,
            &grant.client.client_id,
            subject,
            grant.scope,
            now,
            after(now, config.refresh_absolute_lifetime),
        );
        state.set_code(CodeRecord {
            lookup: lookup.clone(),
            redirect_uri: grant.redirect_uri,
            redirect_uri_sent: grant.redirect_uri_sent,
            pkce: grant.pkce,
            issued_at: now,
            expires_at: code_expires,
            status: TokenStatus::Active,
            used_at: None,
            dpop_jkt: grant.dpop_jkt,
        });
        let effects = vec![Effect::Index {
            lookup,
            family_id: state.family_id().to_owned(),
            kind: TokenKind::AuthorizationCode,
        }];
        Ok((code, state, effects))
    }
}
