//! The claims of a verified token (RFC 7519 §4.1): [`RegisteredClaims`], owned and typed, and
//! [`Claims`], borrowed from the token's decoded octets; the type rules of the registered
//! claims (RFC 7519 §2 NumericDate, §4.1.1–§4.1.7) and their errors.

use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Number, Value};

use super::MAX_NUMERIC_DATE;
use super::read::{RawClaims, read_claims};
use crate::jwt::alg::Algorithm;
use crate::jwt::header::HeaderRef;
use crate::jwt::json::Names;
use crate::jwt::member::{Date, StrOrList, Text};
use crate::{Error, ErrorKind, Result};

/// The registered claims of RFC 7519 §4.1, typed. Each was checked to have its registered JSON
/// type: strings for `iss`, `sub`, `jti`; a string or array of strings for `aud`; numbers
/// (NumericDate, fractions allowed) from 0 to [`MAX_NUMERIC_DATE`] for `exp`, `nbf`, `iat`.
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

pub(super) fn type_error(name: &'static str, want: &'static str) -> Error {
    Error::with_detail(
        ErrorKind::InvalidClaimType,
        format!("claim {name:?} must be {want}"),
    )
}

pub(super) fn number_date(n: &Number, name: &'static str, round_up: bool) -> Result<i64> {
    let out_of_range = || {
        Error::with_detail(
            ErrorKind::InvalidClaimType,
            format!(
                "claim {name:?} must be a NumericDate from 0 to 253402300799 \
                 (9999-12-31T23:59:59Z), in seconds"
            ),
        )
    };
    if let Some(i) = n.as_i64() {
        (0..=MAX_NUMERIC_DATE)
            .contains(&i)
            .then_some(i)
            .ok_or_else(out_of_range)
    } else if n.as_u64().is_some() {
        Err(out_of_range())
    } else {
        let f = n
            .as_f64()
            .filter(|f| f.is_finite())
            .ok_or_else(|| type_error(name, "a number"))?;
        // The comparison is made on the value itself, before rounding: 253402300799.5 is past
        // the last second, -0.5 before the first.
        #[allow(clippy::cast_precision_loss)]
        if !(0.0..=MAX_NUMERIC_DATE as f64).contains(&f) {
            return Err(out_of_range());
        }
        let f = if round_up { f.ceil() } else { f.floor() };
        // In range, so the conversion is exact.
        #[allow(clippy::cast_possible_truncation)]
        Ok(f as i64)
    }
}

/// A NumericDate claim (RFC 7519 §2), absent, or a type error naming it.
fn date_claim(date: &Date, name: &'static str, round_up: bool) -> Result<Option<i64>> {
    match date {
        Date::Absent => Ok(None),
        Date::Num(n) => number_date(n, name, round_up).map(Some),
        Date::Wrong => Err(type_error(name, "a number (NumericDate)")),
    }
}

/// The registered claims with their registered JSON types (RFC 7519 §4.1.1–§4.1.7): the
/// strings stay in the [`RawClaims`] the reader wrote (borrowed from the payload where they
/// could be), checked to be strings; the NumericDates as seconds.
struct Typed<'a> {
    raw: &'a RawClaims<'a>,
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
}

/// The one type check of the registered claims, for verification and for
/// [`RegisteredClaims::from_claims`] alike: errors in the order `aud`, `iss`, `sub`, `exp`,
/// `nbf`, `iat`, `jti`.
fn typed<'a>(raw: &'a RawClaims<'a>) -> Result<Typed<'a>> {
    if let StrOrList::Wrong = raw.aud {
        return Err(type_error("aud", "a string or an array of strings"));
    }
    let text = |t: &Text<'_>, name: &'static str| match t {
        Text::Wrong => Err(type_error(name, "a string")),
        Text::Absent | Text::Str(_) => Ok(()),
    };
    text(&raw.iss, "iss")?;
    text(&raw.sub, "sub")?;
    let exp = date_claim(&raw.exp, "exp", false)?;
    let nbf = date_claim(&raw.nbf, "nbf", true)?;
    let iat = date_claim(&raw.iat, "iat", false)?;
    text(&raw.jti, "jti")?;
    Ok(Typed { raw, exp, nbf, iat })
}

impl RegisteredClaims {
    /// Reads and type-checks the registered claims of a claims set.
    pub fn from_claims(claims: &Map<String, Value>) -> Result<RegisteredClaims> {
        typed(&RawClaims::of_map(claims)).map(|t| t.to_registered())
    }
}

impl<'a> Typed<'a> {
    fn iss(&self) -> Option<&'a str> {
        self.raw.iss.as_str()
    }

    fn sub(&self) -> Option<&'a str> {
        self.raw.sub.as_str()
    }

    fn jti(&self) -> Option<&'a str> {
        self.raw.jti.as_str()
    }

    /// The `aud` values (none when absent).
    fn aud(&self) -> impl Iterator<Item = &'a str> + Clone {
        let list = match &self.raw.aud {
            StrOrList::List(list) => Some(list),
            StrOrList::Absent | StrOrList::Wrong => None,
        };
        list.into_iter().flat_map(|l| l.iter())
    }

    /// The claims, owned.
    fn to_registered(&self) -> RegisteredClaims {
        RegisteredClaims {
            iss: self.iss().map(str::to_owned),
            sub: self.sub().map(str::to_owned),
            aud: self.aud().map(str::to_owned).collect(),
            exp: self.exp,
            nbf: self.nbf,
            iat: self.iat,
            jti: self.jti().map(str::to_owned),
        }
    }
}

/// The claims of a token that verified, borrowed from the token's decoded octets: the typed
/// registered claims (read in the same single pass that checked the whole claims set strictly),
/// the names of all members, a few header values, and the claims set's JSON octets for
/// reading anything else with [`Claims::deserialize`]. Given by [`Verifier::verify_with`](super::Verifier::verify_with).
///
/// ```
/// use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
/// #[derive(serde::Deserialize)]
/// struct Custom<'a> { scope: &'a str }
/// let key = Key::hmac(&[3u8; 32], Algorithm::HS256)?;
/// let claims = serde_json::json!({"sub": "u1", "aud": ["api", "web"], "scope": "job:read", "exp": 100});
/// let token = jwt::sign(&key, &Header::new().typ("JWT"), &claims, &tessera::SystemRandom::new())?;
/// let verifier = Verifier::builder(key).audience("api").build()?;
/// let (sub, scope) = verifier.verify_with(&token, 0, |c| -> tessera::Result<_> {
///     assert_eq!(c.aud().collect::<Vec<_>>(), ["api", "web"]);
///     assert_eq!((c.typ(), c.exp(), c.has("scope")), (Some("JWT"), Some(100), true));
///     Ok((c.sub().map(str::to_owned), c.deserialize::<Custom<'_>>()?.scope.to_owned()))
/// })??;
/// assert_eq!((sub.as_deref(), scope.as_str()), (Some("u1"), "job:read"));
/// # Ok::<(), tessera::Error>(())
/// ```
pub struct Claims<'a> {
    alg: Algorithm,
    typ: Option<&'a str>,
    kid: Option<&'a str>,
    registered: Typed<'a>,
    names: &'a Names<'a, 32>,
    payload: &'a [u8],
}

impl<'a> Claims<'a> {
    /// Reads a claims set in one pass, with the errors of `parse_object` then
    /// `RegisteredClaims::from_claims`, into the caller's `raw` and `names` (both empty), which
    /// the claims then borrow.
    #[inline]
    pub(super) fn read(
        header: &'a HeaderRef<'a>,
        payload: &'a [u8],
        raw: &'a mut RawClaims<'a>,
        names: &'a mut Names<'a, 32>,
    ) -> Result<Claims<'a>> {
        read_claims(payload, raw, names)?;
        let names = &*names;
        let registered = typed(raw)?;
        Ok(Claims {
            alg: header.alg,
            typ: header.typ.as_deref(),
            kid: header.kid.as_deref(),
            registered,
            names,
            payload,
        })
    }

    /// The header's `alg`.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The header's `typ`.
    pub fn typ(&self) -> Option<&'a str> {
        self.typ
    }

    /// The header's `kid`.
    pub fn kid(&self) -> Option<&'a str> {
        self.kid
    }

    /// `iss`.
    pub fn iss(&self) -> Option<&str> {
        self.registered.iss()
    }

    /// `sub`.
    pub fn sub(&self) -> Option<&str> {
        self.registered.sub()
    }

    /// `aud` values (a single string is one value; none when absent).
    pub fn aud(&self) -> impl Iterator<Item = &str> + Clone {
        self.registered.aud()
    }

    /// `exp`, in Unix seconds (fractions rounded down).
    pub fn exp(&self) -> Option<i64> {
        self.registered.exp
    }

    /// `nbf`, in Unix seconds (fractions rounded up).
    pub fn nbf(&self) -> Option<i64> {
        self.registered.nbf
    }

    /// `iat`, in Unix seconds (fractions rounded down).
    pub fn iat(&self) -> Option<i64> {
        self.registered.iat
    }

    /// `jti`.
    pub fn jti(&self) -> Option<&str> {
        self.registered.jti()
    }

    /// Whether the claims set has a member `name` (any value).
    pub fn has(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// The claims set as the JSON octets that were signed.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// Deserialises the claims into `T`, borrowing strings from the verified payload where
    /// `T` allows (`&str` fields).
    pub fn deserialize<T: Deserialize<'a>>(&self) -> Result<T> {
        deserialize_claims(self.payload)
    }

    /// The registered claims, owned.
    pub fn to_registered(&self) -> RegisteredClaims {
        self.registered.to_registered()
    }
}

impl fmt::Debug for Claims<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("alg", &self.alg)
            .field("typ", &self.typ)
            .field("kid", &self.kid)
            .field("iss", &self.iss())
            .field("sub", &self.sub())
            .field("aud", &self.aud().collect::<Vec<_>>())
            .field("exp", &self.registered.exp)
            .field("nbf", &self.registered.nbf)
            .field("iat", &self.registered.iat)
            .field("jti", &self.jti())
            .finish_non_exhaustive()
    }
}

pub(super) fn deserialize_claims<'a, T: Deserialize<'a>>(payload: &'a [u8]) -> Result<T> {
    serde_json::from_slice(payload).map_err(|e| {
        // serde's message quotes the offending value; the detail gives only its class and place.
        use serde_json::error::Category;
        let class = match e.classify() {
            Category::Data => "a member is missing or of the wrong type",
            Category::Syntax | Category::Eof | Category::Io => "malformed JSON",
        };
        Error::with_detail(
            ErrorKind::InvalidClaimType,
            format!(
                "claims do not fit the type: {class} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}
