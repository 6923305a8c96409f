//! The authorization endpoint (RFC 6749 §4.1.1–§4.1.2.1, §4.2.1–§4.2.2.1; RFC 7636 §4.3–§4.4).

use ring::rand::SecureRandom;

use crate::Result;
use crate::scope::ScopeSet;
use crate::token::TokenKind;

use super::client::{Client, GrantType};
use super::issue::{after, new_family_id};
use super::state::{CodeRecord, GrantKind, GrantState, PkceChallenge, TokenStatus};
use super::{Effect, Issuer, server_error};

/// A validated code request, ready to be granted.
#[allow(dead_code)] // the public entry point comes with the wire layer
pub(crate) struct CodeGrant<'a> {
    pub(crate) client: &'a Client,
    pub(crate) scope: ScopeSet,
    pub(crate) redirect_uri: String,
    pub(crate) redirect_uri_sent: bool,
    pub(crate) pkce: Option<PkceChallenge>,
}

#[allow(dead_code)] // the public entry point comes with the wire layer
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
        let expires_at = if grant.client.allows(GrantType::RefreshToken) {
            after(now, config.refresh_absolute_lifetime)
        } else {
            code_expires
        };
        let mut state = GrantState::new(
            family_id,
            GrantKind::AuthorizationCode,
            &grant.client.client_id,
            subject,
            grant.scope,
            now,
            expires_at,
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
        });
        let effects = vec![Effect::Index {
            lookup,
            family_id: state.family_id().to_owned(),
            kind: TokenKind::AuthorizationCode,
        }];
        Ok((code, state, effects))
    }
}
