//! Minting: RFC 9068 access tokens, task-scoped engine tokens, opaque codes and refresh tokens,
//! family ids and `jti`s.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use crate::crypto::SecureRandom;
use crate::dpop::Confirmation;
use crate::jwt::{self, Header};
use crate::scope::ScopeSet;
use crate::token::{LookupHash, TokenKind};
use crate::wire::TokenResponse;
use crate::{Error, ErrorKind, Result};

use super::state::{FAMILY_ID_LEN, is_base64url, is_family_id};
use super::{Issuer, oauth, policy::AT_TYP, server_error};

/// Random bytes behind a family id.
const FAMILY_RANDOM: usize = 16;
/// Random bytes behind the part of a `jti` after the family id.
const JTI_RANDOM: usize = 12;

fn random_text(rng: &dyn SecureRandom, buf: &mut [u8]) -> Result<String> {
    rng.fill(buf)
        .map_err(|_| Error::new(ErrorKind::RandomFailure, "random generator failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// A new family id: 16 random bytes, 22 base64url characters.
pub(crate) fn new_family_id(rng: &dyn SecureRandom) -> Result<String> {
    random_text(rng, &mut [0u8; FAMILY_RANDOM])
}

/// `<family id>.<16 base64url characters>`: unique, and names the family of the token.
fn new_jti(family_id: &str, rng: &dyn SecureRandom) -> Result<String> {
    Ok(format!(
        "{family_id}.{}",
        random_text(rng, &mut [0u8; JTI_RANDOM])?
    ))
}

/// The family a `jti` made by [`new_jti`] belongs to.
pub(crate) fn family_of_jti(jti: &str) -> Option<&str> {
    let (family, rest) = jti.split_at_checked(FAMILY_ID_LEN)?;
    let random = rest.strip_prefix('.')?;
    (is_family_id(family) && random.len() == 16 && is_base64url(random)).then_some(family)
}

/// `now + seconds`, saturating.
pub(crate) fn after(now: i64, seconds: u64) -> i64 {
    now.saturating_add(i64::try_from(seconds).unwrap_or(i64::MAX))
}

/// Tokens issued at the token endpoint (or, implicit grant, the authorization endpoint).
/// `Debug` redacts the tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    /// The RFC 9068 JWT access token, of type [`Tokens::token_type`].
    pub access_token: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// A new refresh token, if one was issued (show it once; only its hash is kept).
    pub refresh_token: Option<String>,
    /// The scope of the access token.
    pub scope: ScopeSet,
    /// The access token's `jti`.
    pub jti: String,
    /// The access token's `exp`.
    pub expires_at: i64,
    /// What the access token is bound to, its `cnf` claim (RFC 9449 §6.1, RFC 8705 §3.1):
    /// the binding the token request carried, `None` for a bearer token.
    pub cnf: Option<Confirmation>,
}

impl Tokens {
    /// The `token_type` of the access token: `DPoP` when it is bound to a DPoP key
    /// (`cnf.jkt`, RFC 9449 §5), else `Bearer` (RFC 6750), including tokens bound only to a
    /// client certificate (RFC 8705 §3 keeps the `Bearer` type).
    pub fn token_type(&self) -> &'static str {
        token_type_of(self.cnf.as_ref())
    }

    /// The RFC 6749 §5.1 response, with [`Tokens::token_type`]. `scope` is always written:
    /// §5.1 makes it REQUIRED when it differs from the request, and writing it is never wrong.
    pub fn to_response(&self) -> TokenResponse {
        let response = TokenResponse::bearer(self.access_token.clone(), self.expires_in)
            .with_token_type(self.token_type())
            .with_scope(Some(self.scope.to_scope_string()).filter(|s| !s.is_empty()));
        match &self.refresh_token {
            Some(token) => response.with_refresh_token(token.clone()),
            None => response,
        }
    }
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("scope", &self.scope)
            .field("jti", &self.jti)
            .field("cnf", &self.cnf)
            .finish()
    }
}

/// `DPoP` for a binding to a DPoP key, else `Bearer`.
pub(crate) fn token_type_of(cnf: Option<&Confirmation>) -> &'static str {
    if cnf.is_some_and(|c| c.jkt.is_some()) {
        "DPoP"
    } else {
        "Bearer"
    }
}

/// A task-scoped engine token (see [`Issuer::issue_engine_token`]). `Debug` redacts the token.
#[derive(Clone, PartialEq, Eq)]
pub struct EngineToken {
    /// The JWT.
    pub token: String,
    /// Its `exp`.
    pub expires_at: i64,
    /// Its scope.
    pub scope: ScopeSet,
    /// Its `jti`.
    pub jti: String,
}

impl fmt::Debug for EngineToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineToken")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("jti", &self.jti)
            .finish()
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum Audience<'a> {
    One(&'a str),
    Many(&'a [String]),
}

/// RFC 9068 §2.2 claims.
#[derive(Serialize)]
struct AccessClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: Audience<'a>,
    client_id: &'a str,
    iat: i64,
    exp: i64,
    jti: &'a str,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cnf: Option<&'a Confirmation>,
}

#[derive(Serialize)]
struct EngineClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: &'a str,
    scope: String,
}

/// Who an access token is for.
pub(crate) struct Grantee<'a> {
    pub(crate) family_id: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) subject: &'a str,
}

impl Issuer {
    /// Signs an RFC 9068 access token for `scope`, with the `cnf` claim when bound (RFC 9449
    /// §6.1, RFC 8705 §3.1); errors are `server_error`.
    pub(crate) fn mint_access_token(
        &self,
        who: &Grantee<'_>,
        scope: &ScopeSet,
        cnf: Option<&Confirmation>,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Result<Tokens> {
        let config = self.policy.config();
        let jti = new_jti(who.family_id, rng).map_err(|e| server_error(&e))?;
        let exp = after(now, config.access_token_lifetime);
        let aud = match config.audiences.as_slice() {
            [one] => Audience::One(one),
            many => Audience::Many(many),
        };
        let claims = AccessClaims {
            iss: &config.issuer,
            sub: who.subject,
            aud,
            client_id: who.client_id,
            iat: now,
            exp,
            jti: &jti,
            scope: scope.to_scope_string(),
            cnf,
        };
        let token = jwt::sign(&self.key, &Header::new().typ(AT_TYP), &claims, rng)
            .map_err(|e| server_error(&e))?;
        Ok(Tokens {
            access_token: token,
            expires_in: config.access_token_lifetime,
            refresh_token: None,
            scope: scope.clone(),
            jti,
            expires_at: exp,
            cnf: cnf.cloned(),
        })
    }

    /// A new opaque token of `kind` and its lookup hash; errors are `server_error`.
    pub(crate) fn mint_opaque(
        &self,
        kind: TokenKind,
        rng: &dyn SecureRandom,
    ) -> Result<(String, LookupHash)> {
        let token = self
            .policy
            .token_format()
            .generate(kind, rng)
            .map_err(|e| server_error(&e))?;
        let lookup = self.peppers.lookup(token.as_str());
        Ok((token.as_str().to_owned(), lookup))
    }

    /// A task-scoped engine token: a short-lived JWT (`engine_token_lifetime`) whose header `typ`
    /// is the policy's `engine_token_typ`, for `subject` at `audience`, carrying `requested`,
    /// which must be covered by `parent_scope` under the policy's implications (down-scoping:
    /// a task gets at most what its parent grant holds).
    ///
    /// Because its `typ` differs from `at+jwt`, a verifier for access tokens (`typ("at+jwt")`)
    /// refuses it with [`ErrorKind::TypeMismatch`], and a verifier for engine tokens refuses
    /// access tokens the same way (RFC 8725 §3.11).
    ///
    /// Errors: [`ErrorKind::OauthInvalidScope`] when `requested` is empty or not covered;
    /// [`ErrorKind::InvalidArgument`] for an empty `subject` or `audience`;
    /// [`ErrorKind::OauthServerError`] if randomness or signing fails.
    #[allow(clippy::too_many_arguments)]
    pub fn issue_engine_token(
        &self,
        parent_scope: &ScopeSet,
        requested: &ScopeSet,
        subject: &str,
        audience: &str,
        now: i64,
        rng: &dyn SecureRandom,
    ) -> Result<EngineToken> {
        if subject.is_empty() || audience.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "engine token subject and audience must not be empty",
            ));
        }
        if requested.is_empty() {
            return Err(oauth(
                ErrorKind::OauthInvalidScope,
                "an engine token needs a scope",
            ));
        }
        parent_scope
            .check_covers(requested, self.policy.implications())
            .map_err(|e| Error::with_detail(ErrorKind::OauthInvalidScope, e.detail()))?;
        let config = self.policy.config();
        let jti = random_text(rng, &mut [0u8; FAMILY_RANDOM]).map_err(|e| server_error(&e))?;
        let exp = after(now, config.engine_token_lifetime);
        let claims = EngineClaims {
            iss: &config.issuer,
            sub: subject,
            aud: audience,
            iat: now,
            exp,
            jti: &jti,
            scope: requested.to_scope_string(),
        };
        let header = Header::new().typ(config.engine_token_typ.clone());
        let token = jwt::sign(&self.key, &header, &claims, rng).map_err(|e| server_error(&e))?;
        Ok(EngineToken {
            token,
            expires_at: exp,
            scope: requested.clone(),
            jti,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jti_names_its_family() {
        let rng = crate::SystemRandom::new();
        let family = new_family_id(&rng).unwrap();
        assert_eq!(family.len(), FAMILY_ID_LEN);
        let jti = new_jti(&family, &rng).unwrap();
        assert_eq!(family_of_jti(&jti), Some(family.as_str()));
        for bad in [
            "",
            "short.AAAAAAAAAAAAAAAA",
            &family,
            &format!("{family}."),
            &format!("{family}.AAAA"),
            &format!("{family}xAAAAAAAAAAAAAAAA"),
            &format!("{family}.AAAAAAAAAAAAAAA="),
            "ééééééééééééééééééééééé.AAAAAAAAAAAAAAAA",
        ] {
            assert_eq!(family_of_jti(bad), None, "{bad}");
        }
    }

    #[test]
    fn after_saturates() {
        assert_eq!(after(i64::MAX - 1, 10), i64::MAX);
        assert_eq!(after(10, u64::MAX), i64::MAX);
        assert_eq!(after(10, 5), 15);
    }
}
