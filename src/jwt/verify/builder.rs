//! Building a [`Verifier`]: the keys it verifies with ([`VerificationKeys`]) and the
//! [`VerifierBuilder`] that sets its claim rules, checks them once (RFC 8725 §3.1: the
//! algorithm allow-list must leave a key usable) and prepares the headers it expects.

use super::rules::{ClaimRules, normalise_typ};
use super::{MAX_LEEWAY, Verifier};
use crate::jwt::alg::Algorithm;
use crate::jwt::jwk::KeySet;
use crate::jwt::jws::Limits;
use crate::jwt::key::Key;
use crate::jwt::known::KnownHeaders;
use crate::{Error, ErrorKind, Result};

#[derive(Clone, Debug)]
pub(super) enum Source {
    One(Key),
    Set(KeySet),
}

impl From<Key> for Source {
    fn from(k: Key) -> Self {
        Source::One(k)
    }
}

impl From<KeySet> for Source {
    fn from(s: KeySet) -> Self {
        Source::Set(s)
    }
}

/// What a [`Verifier`] verifies with: a single [`Key`] or a [`KeySet`].
///
/// ```
/// use tessera::jwt::{Algorithm, Key, KeySet, Verifier};
/// let a = Key::hmac(&[1u8; 32], Algorithm::HS256)?.with_kid("a");
/// let b = Key::hmac(&[2u8; 32], Algorithm::HS256)?.with_kid("b");
/// let _one = Verifier::new(a.clone());
/// let _set = Verifier::new(KeySet::new(vec![a, b])?);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct VerificationKeys(Source);

impl From<Key> for VerificationKeys {
    fn from(k: Key) -> Self {
        VerificationKeys(Source::One(k))
    }
}

impl From<KeySet> for VerificationKeys {
    fn from(s: KeySet) -> Self {
        VerificationKeys(Source::Set(s))
    }
}

/// Builds a [`Verifier`]. Every setter documents its default in [`Verifier`]'s table.
///
/// ```
/// use tessera::jwt::{Algorithm, Key, Verifier};
/// let key = Key::generate(Algorithm::ES256, &tessera::SystemRandom::new())?;
/// let verifier = Verifier::builder(key.public_key()?)
///     .issuer("https://as.example")
///     .audience("api")
///     .typ("at+jwt")
///     .leeway(10)
///     .max_age(3600)
///     .require("jti")
///     .build()?;
/// # let _ = verifier;
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct VerifierBuilder {
    keys: Source,
    rules: ClaimRules,
}

impl VerifierBuilder {
    /// Accepts tokens whose `iss` is `issuer` (may be called several times: any of them).
    /// Implies `iss` is required.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.rules.issuers.push(issuer.into());
        self
    }

    /// Accepts tokens with `audience` among their `aud` values (may be called several times:
    /// any of them). Implies `aud` is required.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.rules.audiences.push(audience.into());
        self
    }

    /// Accepts a token carrying an `aud` claim even when no expected audience was configured.
    /// Only for verifiers that really serve every audience; RFC 7519 §4.1.3 says to reject.
    pub fn accept_any_audience(mut self) -> Self {
        self.rules.accept_any_audience = true;
        self
    }

    /// Requires `sub` to equal `subject`.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.rules.subject = Some(subject.into());
        self
    }

    /// Requires the header `typ` to be `typ`, compared case-insensitively and ignoring an
    /// `application/` prefix (RFC 7515 §4.1.9), e.g. `at+jwt` for RFC 9068 access tokens.
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.rules.typ = Some(typ.into());
        self
    }

    /// Clock-skew allowance in seconds for `exp`, `nbf`, `iat` and max age
    /// (default [`DEFAULT_LEEWAY`](super::DEFAULT_LEEWAY), at most [`MAX_LEEWAY`]).
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.rules.leeway = seconds;
        self
    }

    /// Whether `exp` is required (default `true`). Turning it off accepts never-expiring
    /// tokens; `exp` is still checked when present.
    pub fn require_exp(mut self, required: bool) -> Self {
        self.rules.require_exp = required;
        self
    }

    /// Rejects tokens whose `iat` is more than `seconds` in the past; requires `iat`.
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.rules.max_age = Some(seconds);
        self
    }

    /// Requires the claim `name` to be present (any value).
    pub fn require(mut self, name: impl Into<String>) -> Self {
        self.rules.required.push(name.into());
        self
    }

    /// Declares the `crit` header extension `name` understood by the caller (RFC 7515
    /// §4.1.11); tokens listing any other critical extension are rejected.
    pub fn critical(mut self, name: impl Into<String>) -> Self {
        self.rules.critical.push(name.into());
        self
    }

    /// Restricts the accepted algorithms further (the keys already decide; this is an extra
    /// allow-list, e.g. to accept only the RS256 keys of a mixed JWKS).
    pub fn algorithms(mut self, algs: &[Algorithm]) -> Self {
        self.rules.algorithms = algs.to_vec();
        self
    }

    /// Size limits checked before decoding (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.rules.limits = limits;
        self
    }

    /// Builds the verifier, checking the policy ([`ErrorKind::InvalidArgument`] for an empty
    /// expected value, a leeway above [`MAX_LEEWAY`] or zero limits).
    pub fn build(self) -> Result<Verifier> {
        let p = &self.rules;
        let empty = p
            .issuers
            .iter()
            .chain(&p.audiences)
            .chain(&p.subject)
            .chain(&p.typ)
            .chain(&p.required)
            .any(String::is_empty);
        if empty {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "expected claim values must not be empty",
            ));
        }
        if !p.algorithms.is_empty() {
            let bound: Vec<Algorithm> = match &self.keys {
                Source::One(k) => vec![k.alg()],
                Source::Set(s) => s.keys().iter().map(Key::alg).collect(),
            };
            if !bound
                .iter()
                .any(|k| p.algorithms.iter().any(|a| k.accepts(*a)))
            {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "the algorithm allow-list excludes every key's algorithm",
                ));
            }
        }
        if p.leeway > MAX_LEEWAY {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "leeway above 300 seconds",
            ));
        }
        if p.limits.max_token_len == 0 || p.limits.max_header_len == 0 || p.limits.max_claims == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "size limits must be positive",
            ));
        }
        let expected_typ = p.typ.clone();
        let typ = p.typ.as_deref().map(normalise_typ);
        Ok(Verifier::assemble(
            self.keys,
            ClaimRules { typ, ..self.rules },
            expected_typ.as_deref(),
        ))
    }
}

impl Verifier {
    /// Starts building a verifier for `keys` (a [`Key`] or a [`KeySet`]).
    pub fn builder(keys: impl Into<VerificationKeys>) -> VerifierBuilder {
        VerifierBuilder {
            keys: keys.into().0,
            rules: ClaimRules::default(),
        }
    }

    /// A verifier with the default policy.
    pub fn new(keys: impl Into<VerificationKeys>) -> Verifier {
        Verifier::assemble(keys.into().0, ClaimRules::default(), None)
    }

    /// A verifier of `keys` under `policy`, with the headers it will usually see prepared
    /// (`typ` as the caller configured it, before normalisation).
    fn assemble(keys: Source, rules: ClaimRules, typ: Option<&str>) -> Verifier {
        let typs: Vec<&str> = typ.into_iter().chain(rules.typ.as_deref()).collect();
        let known = match &keys {
            Source::One(k) => KnownHeaders::new([k], &typs, &rules.critical),
            Source::Set(s) => KnownHeaders::new(s.keys(), &typs, &rules.critical),
        };
        Verifier { keys, rules, known }
    }
}
