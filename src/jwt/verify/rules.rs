//! The claim rules of a [`Verifier`](super::Verifier) (RFC 7519 §4.1, §7.2 step 10;
//! RFC 8725 §3.8–§3.11; RFC 9068 §4): what the builder configured, and one function per rule,
//! run in [`ClaimRules::check`]'s fixed order once the signature has verified.

use super::DEFAULT_LEEWAY;
#[cfg(doc)]
use super::MAX_LEEWAY;
use super::claims::Claims;
use crate::jwt::alg::Algorithm;
use crate::jwt::jws::Limits;
use crate::{Error, ErrorKind, Result};

/// The claim-validation rules of a [`Verifier`](super::Verifier), with these defaults:
///
/// | rule | default |
/// |---|---|
/// | `exp` | required; rejected when `now >= exp + leeway` |
/// | `nbf` | checked when present: rejected when `now + leeway < nbf` |
/// | `iat` | checked when present: rejected when more than `leeway` in the future |
/// | leeway | [`DEFAULT_LEEWAY`] (30 s), at most [`MAX_LEEWAY`] |
/// | `iss`, `sub`, `typ` | not checked unless expected; an expected value must be present |
/// | `aud` | a token carrying `aud` is rejected unless an expected audience matches (RFC 7519 §4.1.3), or [`VerifierBuilder::accept_any_audience`](super::VerifierBuilder::accept_any_audience) was set |
/// | max age | none; when set, `iat` is required |
/// | `crit` | no extension understood: any `crit` is rejected |
/// | sizes | [`Limits::default`] |
#[derive(Clone, Debug)]
pub(super) struct ClaimRules {
    pub(super) leeway: u64,
    pub(super) issuers: Vec<String>,
    pub(super) audiences: Vec<String>,
    pub(super) accept_any_audience: bool,
    pub(super) subject: Option<String>,
    pub(super) typ: Option<String>,
    pub(super) require_exp: bool,
    pub(super) max_age: Option<u64>,
    pub(super) required: Vec<String>,
    pub(super) critical: Vec<String>,
    pub(super) algorithms: Vec<Algorithm>,
    pub(super) limits: Limits,
}

impl Default for ClaimRules {
    fn default() -> Self {
        ClaimRules {
            leeway: DEFAULT_LEEWAY,
            issuers: Vec::new(),
            audiences: Vec::new(),
            accept_any_audience: false,
            subject: None,
            typ: None,
            require_exp: true,
            max_age: None,
            required: Vec::new(),
            critical: Vec::new(),
            algorithms: Vec::new(),
            limits: Limits::default(),
        }
    }
}

impl ClaimRules {
    /// Checks the claims of a token whose signature verified at time `now`, rule by rule in
    /// this order (the first failure is reported): `typ`, `exp`, `nbf`, `iat`, max age, `iss`,
    /// `aud`, `sub`, required claims.
    pub(super) fn check(&self, c: &Claims<'_>, now: i64) -> Result<()> {
        let leeway = i64::try_from(self.leeway).unwrap_or(i64::MAX);
        self.check_typ(c)?;
        self.check_exp(c, now, leeway)?;
        check_nbf(c, now, leeway)?;
        check_iat(c, now, leeway)?;
        self.check_max_age(c, now, leeway)?;
        self.check_iss(c)?;
        self.check_aud(c)?;
        self.check_sub(c)?;
        self.check_required(c)
    }

    /// RFC 7515 §4.1.9, RFC 8725 §3.11, RFC 9068 §4: an expected header `typ` must be present
    /// and match.
    fn check_typ(&self, c: &Claims<'_>) -> Result<()> {
        if let Some(expected) = &self.typ {
            match c.typ() {
                Some(typ) if typ_matches(typ, expected) => {}
                Some(_) => {
                    return Err(Error::new(
                        ErrorKind::TypeMismatch,
                        "header typ is not the expected type",
                    ));
                }
                None => return Err(Error::new(ErrorKind::TypeMismatch, "header typ is missing")),
            }
        }
        Ok(())
    }

    /// RFC 7519 §4.1.4: `exp` (required unless turned off) must be after `now - leeway`.
    fn check_exp(&self, c: &Claims<'_>, now: i64, leeway: i64) -> Result<()> {
        match c.exp() {
            Some(exp) if now >= exp.saturating_add(leeway) => {
                Err(Error::new(ErrorKind::Expired, "the token has expired"))
            }
            None if self.require_exp => Err(Error::new(
                ErrorKind::MissingClaim,
                "claim \"exp\" is required",
            )),
            _ => Ok(()),
        }
    }

    /// Max age (RFC 9068 §4 lets a resource server bound it): `iat` required, no older than
    /// the configured age plus leeway.
    fn check_max_age(&self, c: &Claims<'_>, now: i64, leeway: i64) -> Result<()> {
        if let Some(max_age) = self.max_age {
            let iat = c.iat().ok_or(Error::new(
                ErrorKind::MissingClaim,
                "claim \"iat\" is required by max age",
            ))?;
            let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
            if now.saturating_sub(leeway) > iat.saturating_add(max_age) {
                return Err(Error::new(
                    ErrorKind::TooOld,
                    "the token is older than the maximum age",
                ));
            }
        }
        Ok(())
    }

    /// RFC 7519 §4.1.1, RFC 8725 §3.8: an expected issuer implies `iss` is present and one
    /// of them.
    fn check_iss(&self, c: &Claims<'_>) -> Result<()> {
        if !self.issuers.is_empty() {
            match c.iss() {
                Some(iss) if self.issuers.iter().any(|i| i == iss) => {}
                Some(_) => {
                    return Err(Error::new(ErrorKind::IssuerMismatch, "issuer not accepted"));
                }
                None => {
                    return Err(Error::new(
                        ErrorKind::MissingClaim,
                        "claim \"iss\" is required",
                    ));
                }
            }
        }
        Ok(())
    }

    /// RFC 7519 §4.1.3, RFC 8725 §3.9: an expected audience implies `aud` is present and
    /// names one of them (any-of); a token naming an audience is rejected when none is
    /// expected, unless every audience is accepted.
    fn check_aud(&self, c: &Claims<'_>) -> Result<()> {
        let has_aud = c.has("aud");
        if !self.audiences.is_empty() {
            if !has_aud {
                return Err(Error::new(
                    ErrorKind::MissingClaim,
                    "claim \"aud\" is required",
                ));
            }
            if !c.aud().any(|a| self.audiences.iter().any(|e| e == a)) {
                return Err(Error::new(
                    ErrorKind::AudienceMismatch,
                    "no audience is accepted",
                ));
            }
        } else if has_aud && !self.accept_any_audience {
            return Err(Error::new(
                ErrorKind::AudienceMismatch,
                "the token names an audience and the verifier expects none (RFC 7519 section 4.1.3)",
            ));
        }
        Ok(())
    }

    /// RFC 7519 §4.1.2: an expected subject implies `sub` is present and equal.
    fn check_sub(&self, c: &Claims<'_>) -> Result<()> {
        if let Some(subject) = &self.subject {
            match c.sub() {
                Some(sub) if sub == subject => {}
                Some(_) => {
                    return Err(Error::new(
                        ErrorKind::SubjectMismatch,
                        "subject not accepted",
                    ));
                }
                None => {
                    return Err(Error::new(
                        ErrorKind::MissingClaim,
                        "claim \"sub\" is required",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Required claims: each named member must be present, whatever its value.
    fn check_required(&self, c: &Claims<'_>) -> Result<()> {
        for name in &self.required {
            if !c.has(name) {
                return Err(Error::with_detail(
                    ErrorKind::MissingClaim,
                    format!("claim {:?} is required", crate::error::snippet(name)),
                ));
            }
        }
        Ok(())
    }
}

/// RFC 7519 §4.1.5: a present `nbf` must not be after `now + leeway`.
fn check_nbf(c: &Claims<'_>, now: i64, leeway: i64) -> Result<()> {
    if c.nbf().is_some_and(|nbf| now.saturating_add(leeway) < nbf) {
        return Err(Error::new(
            ErrorKind::NotYetValid,
            "the token is not valid yet (nbf)",
        ));
    }
    Ok(())
}

/// RFC 7519 §4.1.6: a present `iat` must not be after `now + leeway`.
fn check_iat(c: &Claims<'_>, now: i64, leeway: i64) -> Result<()> {
    if c.iat().is_some_and(|iat| iat > now.saturating_add(leeway)) {
        return Err(Error::new(
            ErrorKind::IssuedInFuture,
            "the token was issued in the future (iat)",
        ));
    }
    Ok(())
}

/// Whether a header `typ` is the expected one (already normalised by [`normalise_typ`]):
/// compared case-insensitively, ignoring an `application/` prefix, without allocating.
fn typ_matches(typ: &str, expected: &str) -> bool {
    const PREFIX: &[u8] = b"application/";
    let bytes = typ.as_bytes();
    let rest = match bytes.get(..PREFIX.len()) {
        Some(head) if head.eq_ignore_ascii_case(PREFIX) => &bytes[PREFIX.len()..],
        _ => bytes,
    };
    rest.eq_ignore_ascii_case(expected.as_bytes())
}

/// An expected `typ` as [`typ_matches`] compares it: lower case, without an `application/`
/// prefix (RFC 7515 §4.1.9).
pub(super) fn normalise_typ(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => lower,
    }
}
