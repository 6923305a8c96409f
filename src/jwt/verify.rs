//! JWT verification and claim validation (RFC 7519 §4.1, §7.2; RFC 8725 §3; RFC 9068 §4):
//! an immutable [`Verifier`] built once from a key or key set and a policy with safe,
//! documented defaults, taking `now` as an argument.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::alg::Algorithm;
use super::header::Header;
use super::json::parse_object;
use super::jwk::KeySet;
use super::jws::{self, Keys, Limits};
use super::key::Key;
use crate::{Error, ErrorKind, Result};

/// Default clock-skew allowance, in seconds.
pub const DEFAULT_LEEWAY: u64 = 30;
/// Largest leeway a policy accepts, in seconds (five minutes).
pub const MAX_LEEWAY: u64 = 300;

/// The registered claims of RFC 7519 §4.1, typed. Each was checked to have its registered JSON
/// type: strings for `iss`, `sub`, `jti`; a string or array of strings for `aud`; numbers
/// (NumericDate, fractions allowed) for `exp`, `nbf`, `iat`.
///
/// ```
/// use tessera::jwt::RegisteredClaims;
/// let claims = serde_json::json!({"aud": "api", "exp": 1.5, "sub": "u"});
/// let reg = RegisteredClaims::from_claims(claims.as_object().unwrap())?;
/// assert_eq!((reg.aud, reg.exp), (vec!["api".to_owned()], Some(1)));
/// let bad = serde_json::json!({"exp": "1"});
/// assert!(RegisteredClaims::from_claims(bad.as_object().unwrap()).is_err());
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegisteredClaims {
    /// `iss`.
    pub iss: Option<String>,
    /// `sub`.
    pub sub: Option<String>,
    /// `aud`, as a list (a single string becomes one entry).
    pub aud: Vec<String>,
    /// `exp`, in Unix seconds (fractions rounded down).
    pub exp: Option<i64>,
    /// `nbf`, in Unix seconds (fractions rounded up).
    pub nbf: Option<i64>,
    /// `iat`, in Unix seconds (fractions rounded down).
    pub iat: Option<i64>,
    /// `jti`.
    pub jti: Option<String>,
}

fn type_error(name: &'static str, want: &'static str) -> Error {
    Error::with_detail(
        ErrorKind::InvalidClaimType,
        format!("claim {name:?} must be {want}"),
    )
}

fn numeric_date(
    claims: &Map<String, Value>,
    name: &'static str,
    round_up: bool,
) -> Result<Option<i64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i))
            } else if n.as_u64().is_some() {
                Ok(Some(i64::MAX))
            } else {
                let f = n
                    .as_f64()
                    .filter(|f| f.is_finite())
                    .ok_or_else(|| type_error(name, "a number"))?;
                let f = if round_up { f.ceil() } else { f.floor() };
                // Saturating conversion: out-of-range dates clamp to the extremes.
                #[allow(clippy::cast_possible_truncation)]
                Ok(Some(f as i64))
            }
        }
        Some(_) => Err(type_error(name, "a number (NumericDate)")),
    }
}

fn string_claim(claims: &Map<String, Value>, name: &'static str) -> Result<Option<String>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(type_error(name, "a string")),
    }
}

impl RegisteredClaims {
    /// Reads and type-checks the registered claims of a claims set.
    pub fn from_claims(claims: &Map<String, Value>) -> Result<RegisteredClaims> {
        let aud = match claims.get("aud") {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| type_error("aud", "a string or an array of strings"))
                })
                .collect::<Result<_>>()?,
            Some(_) => return Err(type_error("aud", "a string or an array of strings")),
        };
        Ok(RegisteredClaims {
            iss: string_claim(claims, "iss")?,
            sub: string_claim(claims, "sub")?,
            aud,
            exp: numeric_date(claims, "exp", false)?,
            nbf: numeric_date(claims, "nbf", true)?,
            iat: numeric_date(claims, "iat", false)?,
            jti: string_claim(claims, "jti")?,
        })
    }
}

/// The validation policy of a [`Verifier`], with these defaults:
///
/// | rule | default |
/// |---|---|
/// | `exp` | required; rejected when `now >= exp + leeway` |
/// | `nbf` | checked when present: rejected when `now + leeway < nbf` |
/// | `iat` | checked when present: rejected when more than `leeway` in the future |
/// | leeway | [`DEFAULT_LEEWAY`] (30 s), at most [`MAX_LEEWAY`] |
/// | `iss`, `sub`, `typ` | not checked unless expected; an expected value must be present |
/// | `aud` | a token carrying `aud` is rejected unless an expected audience matches (RFC 7519 §4.1.3), or [`VerifierBuilder::accept_any_audience`] was set |
/// | max age | none; when set, `iat` is required |
/// | `crit` | no extension understood: any `crit` is rejected |
/// | sizes | [`Limits::default`] |
#[derive(Clone, Debug)]
struct Policy {
    leeway: u64,
    issuers: Vec<String>,
    audiences: Vec<String>,
    accept_any_audience: bool,
    subject: Option<String>,
    typ: Option<String>,
    require_exp: bool,
    max_age: Option<u64>,
    required: Vec<String>,
    critical: Vec<String>,
    algorithms: Vec<Algorithm>,
    limits: Limits,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
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

#[derive(Clone, Debug)]
enum Source {
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
/// let key = Key::generate(Algorithm::ES256, &ring::rand::SystemRandom::new())?;
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
    policy: Policy,
}

impl VerifierBuilder {
    /// Accepts tokens whose `iss` is `issuer` (may be called several times: any of them).
    /// Implies `iss` is required.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.policy.issuers.push(issuer.into());
        self
    }

    /// Accepts tokens with `audience` among their `aud` values (may be called several times:
    /// any of them). Implies `aud` is required.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.policy.audiences.push(audience.into());
        self
    }

    /// Accepts a token carrying an `aud` claim even when no expected audience was configured.
    /// Only for verifiers that really serve every audience; RFC 7519 §4.1.3 says to reject.
    pub fn accept_any_audience(mut self) -> Self {
        self.policy.accept_any_audience = true;
        self
    }

    /// Requires `sub` to equal `subject`.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.policy.subject = Some(subject.into());
        self
    }

    /// Requires the header `typ` to be `typ`, compared case-insensitively and ignoring an
    /// `application/` prefix (RFC 7515 §4.1.9), e.g. `at+jwt` for RFC 9068 access tokens.
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.policy.typ = Some(typ.into());
        self
    }

    /// Clock-skew allowance in seconds for `exp`, `nbf`, `iat` and max age
    /// (default [`DEFAULT_LEEWAY`], at most [`MAX_LEEWAY`]).
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.policy.leeway = seconds;
        self
    }

    /// Whether `exp` is required (default `true`). Turning it off accepts never-expiring
    /// tokens; `exp` is still checked when present.
    pub fn require_exp(mut self, required: bool) -> Self {
        self.policy.require_exp = required;
        self
    }

    /// Rejects tokens whose `iat` is more than `seconds` in the past; requires `iat`.
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.policy.max_age = Some(seconds);
        self
    }

    /// Requires the claim `name` to be present (any value).
    pub fn require(mut self, name: impl Into<String>) -> Self {
        self.policy.required.push(name.into());
        self
    }

    /// Declares the `crit` header extension `name` understood by the caller (RFC 7515
    /// §4.1.11); tokens listing any other critical extension are rejected.
    pub fn critical(mut self, name: impl Into<String>) -> Self {
        self.policy.critical.push(name.into());
        self
    }

    /// Restricts the accepted algorithms further (the keys already decide; this is an extra
    /// allow-list, e.g. to accept only the RS256 keys of a mixed JWKS).
    pub fn algorithms(mut self, algs: &[Algorithm]) -> Self {
        self.policy.algorithms = algs.to_vec();
        self
    }

    /// Size limits checked before decoding (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.policy.limits = limits;
        self
    }

    /// Builds the verifier, checking the policy ([`ErrorKind::InvalidArgument`] for an empty
    /// expected value, a leeway above [`MAX_LEEWAY`] or zero limits).
    pub fn build(self) -> Result<Verifier> {
        let p = &self.policy;
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
        if p.limits.max_token_len == 0 || p.limits.max_header_len == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "size limits must be positive",
            ));
        }
        let typ = p.typ.as_deref().map(normalise_typ);
        Ok(Verifier {
            keys: self.keys,
            policy: Policy { typ, ..self.policy },
        })
    }
}

fn normalise_typ(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => lower,
    }
}

/// An immutable, reusable JWT verifier: keys plus a validation policy. `Send + Sync`; build it
/// once and share it.
///
/// Verification order (RFC 8725 §3.1–3.4): size limits; strict split and base64url; strict
/// header (algorithm known and bound to the key, `crit` understood); signature; then claims.
/// A forged token therefore reports [`ErrorKind::InvalidSignature`] whatever its claims say.
///
/// ```
/// use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
/// let key = Key::hmac(&[7u8; 32], Algorithm::HS256)?;
/// let rng = ring::rand::SystemRandom::new();
/// let token = jwt::sign(&key, &Header::new(), &serde_json::json!({"sub": "a", "exp": 2_000}), &rng)?;
/// let verifier = Verifier::builder(key).subject("a").build()?;
/// assert!(verifier.verify(&token, 1_000).is_ok());
/// assert_eq!(verifier.verify(&token, 2_030).unwrap_err().kind(), tessera::ErrorKind::Expired);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    keys: Source,
    policy: Policy,
}

/// A verified JWT: header, typed registered claims and the full claims set.
///
/// ```
/// use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
/// #[derive(serde::Deserialize)]
/// struct Claims<'a> { sub: &'a str, scope: &'a str }
/// let key = Key::hmac(&[3u8; 32], Algorithm::HS256)?;
/// let claims = serde_json::json!({"sub": "u1", "scope": "job:read", "exp": 100});
/// let token = jwt::sign(&key, &Header::new(), &claims, &ring::rand::SystemRandom::new())?;
/// let verified = Verifier::new(key).verify(&token, 0)?;
/// let borrowed: Claims<'_> = verified.deserialize()?; // no copies
/// assert_eq!((borrowed.sub, borrowed.scope), ("u1", "job:read"));
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verified {
    header: Header,
    registered: RegisteredClaims,
    claims: Map<String, Value>,
    payload: Vec<u8>,
}

impl Verified {
    /// The protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The registered claims, typed.
    pub fn registered(&self) -> &RegisteredClaims {
        &self.registered
    }

    /// The full claims set as parsed JSON.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The claims set as the JSON octets that were signed.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Deserialises the claims into `T`, borrowing strings from the verified payload where
    /// `T` allows (`&str` fields) so nothing is copied.
    pub fn deserialize<'a, T: Deserialize<'a>>(&'a self) -> Result<T> {
        serde_json::from_slice(&self.payload).map_err(|e| {
            Error::with_detail(
                ErrorKind::InvalidClaimType,
                format!(
                    "claims do not fit the type: {}",
                    crate::error::snippet(&e.to_string())
                ),
            )
        })
    }

    /// The full claims set, consuming the result.
    pub fn into_claims(self) -> Map<String, Value> {
        self.claims
    }
}

impl Verifier {
    /// Starts building a verifier for `keys` (a [`Key`] or a [`KeySet`]).
    pub fn builder(keys: impl Into<VerificationKeys>) -> VerifierBuilder {
        VerifierBuilder {
            keys: keys.into().0,
            policy: Policy::default(),
        }
    }

    /// A verifier with the default policy.
    pub fn new(keys: impl Into<VerificationKeys>) -> Verifier {
        Verifier {
            keys: keys.into().0,
            policy: Policy::default(),
        }
    }

    fn jws_keys(&self) -> Keys<'_> {
        match &self.keys {
            Source::One(k) => Keys::One(k),
            Source::Set(s) => Keys::Set(s),
        }
    }

    /// Verifies the signature only and returns the header and payload octets (for JWS
    /// payloads that are not JWT claims sets).
    pub fn verify_jws(&self, token: impl AsRef<[u8]>) -> Result<jws::Jws> {
        let (header, payload) = self.verify_signature(token.as_ref())?;
        Ok(jws::jws(header, payload))
    }

    fn verify_signature(&self, token: &[u8]) -> Result<(Header, Vec<u8>)> {
        let (header, payload) = jws::verify_compact(
            self.jws_keys(),
            token,
            &self.policy.limits,
            &self.policy.critical,
        )?;
        if !self.policy.algorithms.is_empty()
            && !header
                .alg()
                .is_some_and(|a| self.policy.algorithms.contains(&a))
        {
            return Err(Error::new(
                ErrorKind::AlgorithmMismatch,
                "algorithm not in the verifier's allow-list",
            ));
        }
        Ok((header, payload))
    }

    /// Verifies a JWT at time `now` (Unix seconds): signature first, then the claims under the
    /// policy. The token may be given as `&str` or bytes.
    pub fn verify(&self, token: impl AsRef<[u8]>, now: i64) -> Result<Verified> {
        let (header, payload) = self.verify_signature(token.as_ref())?;
        let claims = parse_object(&payload)?;
        let registered = RegisteredClaims::from_claims(&claims)?;
        self.validate(&header, &registered, &claims, now)?;
        Ok(Verified {
            header,
            registered,
            claims,
            payload,
        })
    }

    fn validate(
        &self,
        header: &Header,
        reg: &RegisteredClaims,
        claims: &Map<String, Value>,
        now: i64,
    ) -> Result<()> {
        let p = &self.policy;
        let leeway = i64::try_from(p.leeway).unwrap_or(i64::MAX);
        if let Some(expected) = &p.typ {
            match header.typ_value() {
                Some(typ) if normalise_typ(typ) == *expected => {}
                Some(_) => {
                    return Err(Error::new(
                        ErrorKind::TypeMismatch,
                        "header typ is not the expected type",
                    ));
                }
                None => return Err(Error::new(ErrorKind::TypeMismatch, "header typ is missing")),
            }
        }
        match reg.exp {
            Some(exp) if now >= exp.saturating_add(leeway) => {
                return Err(Error::new(ErrorKind::Expired, "the token has expired"));
            }
            None if p.require_exp => {
                return Err(Error::new(
                    ErrorKind::MissingClaim,
                    "claim \"exp\" is required",
                ));
            }
            _ => {}
        }
        if reg.nbf.is_some_and(|nbf| now.saturating_add(leeway) < nbf) {
            return Err(Error::new(
                ErrorKind::NotYetValid,
                "the token is not valid yet (nbf)",
            ));
        }
        if reg.iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
            return Err(Error::new(
                ErrorKind::IssuedInFuture,
                "the token was issued in the future (iat)",
            ));
        }
        if let Some(max_age) = p.max_age {
            let iat = reg.iat.ok_or(Error::new(
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
        if !p.issuers.is_empty() {
            match &reg.iss {
                Some(iss) if p.issuers.iter().any(|i| i == iss) => {}
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
        if !p.audiences.is_empty() {
            if !claims.contains_key("aud") {
                return Err(Error::new(
                    ErrorKind::MissingClaim,
                    "claim \"aud\" is required",
                ));
            }
            if !reg.aud.iter().any(|a| p.audiences.contains(a)) {
                return Err(Error::new(
                    ErrorKind::AudienceMismatch,
                    "no audience is accepted",
                ));
            }
        } else if claims.contains_key("aud") && !p.accept_any_audience {
            return Err(Error::new(
                ErrorKind::AudienceMismatch,
                "the token names an audience and the verifier expects none (RFC 7519 §4.1.3)",
            ));
        }
        if let Some(subject) = &p.subject {
            match &reg.sub {
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
        for name in &p.required {
            if !claims.contains_key(name) {
                return Err(Error::with_detail(
                    ErrorKind::MissingClaim,
                    format!("claim {:?} is required", crate::error::snippet(name)),
                ));
            }
        }
        Ok(())
    }
}

/// Decoding without verification, for debugging tools only.
pub mod dangerous {
    use super::*;

    /// A token's header and claims, **not verified**: nothing here may be trusted.
    ///
    /// ```
    /// use tessera::jwt::dangerous::decode_unverified;
    /// let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
    /// let unverified = decode_unverified(token)?;
    /// assert_eq!(unverified.claims["sub"], "x"); // for debugging only: nothing is verified
    /// # Ok::<(), tessera::Error>(())
    /// ```
    #[derive(Clone, Debug)]
    pub struct Unverified {
        /// The header, parsed strictly but not authenticated.
        pub header: Header,
        /// The claims set, parsed strictly but not authenticated.
        pub claims: Map<String, Value>,
    }

    /// Decodes a compact JWT's header and claims **without verifying the signature**, with
    /// the same strict parsing and default size limits as verification. Never use the result
    /// for an authorization decision.
    pub fn decode_unverified(token: impl AsRef<[u8]>) -> Result<Unverified> {
        let parts = jws::split(token.as_ref(), &Limits::default())?;
        let header_bytes = super::super::json::b64_decode(parts.header_b64)?;
        let header_map = parse_object(&header_bytes)?;
        let crit: Vec<String> = match header_map.get("crit") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let header = Header::parse(&header_bytes, &crit)?;
        let claims = parse_object(&super::super::json::b64_decode(parts.payload_b64)?)?;
        Ok(Unverified { header, claims })
    }
}
