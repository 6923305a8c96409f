//! JWT verification and claim validation (RFC 7519 §4.1, §7.2; RFC 8725 §3; RFC 9068 §4):
//! an immutable [`Verifier`] built once from a key or key set and a policy with safe,
//! documented defaults, taking `now` as an argument.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::alg::Algorithm;
use super::header::{Header, HeaderRef, Text, TextSeed};
use super::json::{
    Members, Names, Skip, Strs, b64_decode, b64_decode_into, parse_object, scan_object,
};
use super::jwk::KeySet;
use super::jws::{self, HeaderBuf, Keys, Limits};
use super::key::Key;
use super::known::KnownHeaders;
use super::scan::{self, Fields, Taken, Want};
use crate::{Error, ErrorKind, Result};

/// Default clock-skew allowance, in seconds.
pub const DEFAULT_LEEWAY: u64 = 30;
/// Largest leeway a policy accepts, in seconds (five minutes).
pub const MAX_LEEWAY: u64 = 300;
/// The last NumericDate tessera accepts in `exp`, `nbf` and `iat`: 9999-12-31T23:59:59Z, in
/// Unix seconds. A NumericDate outside `0..=MAX_NUMERIC_DATE` (a negative one, one in
/// milliseconds such as `1800000000000`, `1e300`) is [`ErrorKind::InvalidClaimType`] naming the
/// claim: a token that says it lives until the year 59000 is a bug, not a long-lived token.
pub const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

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

fn type_error(name: &'static str, want: &'static str) -> Error {
    Error::with_detail(
        ErrorKind::InvalidClaimType,
        format!("claim {name:?} must be {want}"),
    )
}

fn number_date(n: &Number, name: &'static str, round_up: bool) -> Result<i64> {
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

fn numeric_date(
    claims: &Map<String, Value>,
    name: &'static str,
    round_up: bool,
) -> Result<Option<i64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => number_date(n, name, round_up).map(Some),
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

// ---- one pass over the claims set --------------------------------------------------------------
//
// The verifier reads the claims set once, with the strict rules of `parse_object` (duplicates
// rejected at every depth, nesting bounded, an object at the top), keeping only the registered
// claims (borrowed from the payload) and the member names; every other member is walked and
// dropped. Type errors are collected and reported after the text is known to be well-formed,
// in the order `RegisteredClaims::from_claims` checks them, so the errors are those of
// `parse_object` followed by `from_claims`.

/// A NumericDate member: absent, a JSON number, or another JSON type.
#[derive(Debug, Default)]
enum Date {
    #[default]
    Absent,
    Num(Number),
    Wrong,
}

impl Date {
    fn get(&self, name: &'static str, round_up: bool) -> Result<Option<i64>> {
        match self {
            Date::Absent => Ok(None),
            Date::Num(n) => number_date(n, name, round_up).map(Some),
            Date::Wrong => Err(type_error(name, "a number (NumericDate)")),
        }
    }
}

#[derive(Clone, Copy)]
struct DateSeed;

impl<'de> DeserializeSeed<'de> for DateSeed {
    type Value = Date;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Date, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DateSeed {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Date, E> {
        Ok(Date::Wrong)
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Date, E> {
        Ok(Date::Num(Number::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Date, E> {
        Ok(Date::Num(Number::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Date, E> {
        // As the strict parser does: a float JSON cannot represent becomes null (a type error).
        Ok(Number::from_f64(v).map_or(Date::Wrong, Date::Num))
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Date, E> {
        Ok(Date::Wrong)
    }
    fn visit_unit<E>(self) -> std::result::Result<Date, E> {
        Ok(Date::Wrong)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Date, A::Error> {
        Skip { depth: 1 }.visit_seq(seq).map(|()| Date::Wrong)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Date, A::Error> {
        Skip { depth: 1 }.visit_map(map).map(|()| Date::Wrong)
    }
}

/// The `aud` member: absent, its strings, or a value of another shape.
#[derive(Debug, Default)]
enum Aud<'de> {
    #[default]
    Absent,
    List(Strs<'de, 4>),
    Wrong,
}

#[derive(Clone, Copy)]
struct AudSeed;

impl<'de> DeserializeSeed<'de> for AudSeed {
    type Value = Aud<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Aud<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Aud<'de> {
    fn one(s: Cow<'de, str>) -> Aud<'de> {
        let mut list = Strs::new();
        list.push(s);
        Aud::List(list)
    }
}

impl<'de> Visitor<'de> for AudSeed {
    type Value = Aud<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Aud<'de>, E> {
        Ok(Aud::Wrong)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Aud<'de>, E> {
        Ok(Aud::Wrong)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Aud<'de>, E> {
        Ok(Aud::Wrong)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Aud<'de>, E> {
        Ok(Aud::Wrong)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Aud<'de>, E> {
        Ok(Aud::one(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Aud<'de>, E> {
        Ok(Aud::one(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Aud<'de>, E> {
        Ok(Aud::one(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> std::result::Result<Aud<'de>, E> {
        Ok(Aud::Wrong)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Aud<'de>, A::Error> {
        // The array is a member value (depth 1); its elements sit at depth 2. Every element is
        // read, even after a non-string, so a later duplicate still reports as one.
        let mut list = Strs::new();
        let mut strings = true;
        while let Some(item) = seq.next_element_seed(TextSeed { depth: 2 })? {
            match item {
                Text::Str(s) if strings => list.push(s),
                _ => strings = false,
            }
        }
        Ok(if strings { Aud::List(list) } else { Aud::Wrong })
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Aud<'de>, A::Error> {
        Skip { depth: 1 }.visit_map(map).map(|()| Aud::Wrong)
    }
}

/// The registered claims as read in one pass, not yet type-checked.
#[derive(Debug, Default)]
struct RawClaims<'de> {
    iss: Text<'de>,
    sub: Text<'de>,
    aud: Aud<'de>,
    exp: Date,
    nbf: Date,
    iat: Date,
    jti: Text<'de>,
}

impl<'de> Members<'de> for RawClaims<'de> {
    fn member<A: MapAccess<'de>>(
        &mut self,
        name: &str,
        map: &mut A,
    ) -> std::result::Result<(), A::Error> {
        let text = TextSeed { depth: 1 };
        match name {
            "iss" => self.iss = map.next_value_seed(text)?,
            "sub" => self.sub = map.next_value_seed(text)?,
            "jti" => self.jti = map.next_value_seed(text)?,
            "aud" => self.aud = map.next_value_seed(AudSeed)?,
            "exp" => self.exp = map.next_value_seed(DateSeed)?,
            "nbf" => self.nbf = map.next_value_seed(DateSeed)?,
            "iat" => self.iat = map.next_value_seed(DateSeed)?,
            _ => map.next_value_seed(Skip { depth: 1 })?,
        }
        Ok(())
    }
}

impl<'de> Fields<'de> for RawClaims<'de> {
    fn want(&mut self, name: &str) -> Want {
        match name {
            "iss" => Want::Value(0),
            "sub" => Want::Value(1),
            "jti" => Want::Value(2),
            "exp" => Want::Value(3),
            "nbf" => Want::Value(4),
            "iat" => Want::Value(5),
            "aud" => Want::StrList(6),
            _ => Want::Skip,
        }
    }

    fn take(&mut self, id: u8, value: Taken<'de>) {
        let text = |v| match v {
            Taken::Value(scan::Value::Str(s)) => Text::Str(s),
            _ => Text::Wrong,
        };
        let date = |v| match v {
            Taken::Value(scan::Value::Num(n)) => Date::Num(n),
            _ => Date::Wrong,
        };
        match id {
            0 => self.iss = text(value),
            1 => self.sub = text(value),
            2 => self.jti = text(value),
            3 => self.exp = date(value),
            4 => self.nbf = date(value),
            5 => self.iat = date(value),
            _ => {
                self.aud = match value {
                    Taken::Value(scan::Value::Str(s)) => Aud::one(s),
                    Taken::List {
                        items,
                        strings: true,
                    } => Aud::List(items),
                    _ => Aud::Wrong,
                }
            }
        }
    }
}

/// Reads the registered claims and the member names of a claims set: the fast reader first,
/// the strict parser for whatever it gives up on (which then decides, with its errors).
fn read_claims<'p>(payload: &'p [u8], names: &mut Names<'p, 32>) -> Result<RawClaims<'p>> {
    let mut raw = RawClaims::default();
    if scan::object(payload, &mut raw, names).is_none() {
        (raw, *names) = (RawClaims::default(), names.emptied());
        scan_object(payload, &mut raw, names)?;
    }
    Ok(raw)
}

/// The claims of a token that verified, borrowed from the token's decoded octets: the typed
/// registered claims (read in the same single pass that checked the whole claims set strictly),
/// the names of all members, a few header values, and the claims set's JSON octets for
/// reading anything else with [`Claims::deserialize`]. Given by [`Verifier::verify_with`].
///
/// ```
/// use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
/// #[derive(serde::Deserialize)]
/// struct Custom<'a> { scope: &'a str }
/// let key = Key::hmac(&[3u8; 32], Algorithm::HS256)?;
/// let claims = serde_json::json!({"sub": "u1", "aud": ["api", "web"], "scope": "job:read", "exp": 100});
/// let token = jwt::sign(&key, &Header::new().typ("JWT"), &claims, &ring::rand::SystemRandom::new())?;
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
    iss: Option<Cow<'a, str>>,
    sub: Option<Cow<'a, str>>,
    aud: Strs<'a, 4>,
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
    jti: Option<Cow<'a, str>>,
    names: &'a Names<'a, 32>,
    payload: &'a [u8],
}

impl<'a> Claims<'a> {
    /// Reads a claims set in one pass, with the errors of `parse_object` then
    /// `RegisteredClaims::from_claims`.
    fn read(
        header: &'a HeaderRef<'a>,
        payload: &'a [u8],
        names: &'a mut Names<'a, 32>,
    ) -> Result<Claims<'a>> {
        let raw = read_claims(payload, names)?;
        let names = &*names;
        let aud = match raw.aud {
            Aud::Absent => Strs::new(),
            Aud::List(list) => list,
            Aud::Wrong => return Err(type_error("aud", "a string or an array of strings")),
        };
        let text = |name: &'static str| move || type_error(name, "a string");
        Ok(Claims {
            alg: header.alg,
            typ: header.typ.as_deref(),
            kid: header.kid.as_deref(),
            iss: raw.iss.get(text("iss"))?,
            sub: raw.sub.get(text("sub"))?,
            aud,
            exp: raw.exp.get("exp", false)?,
            nbf: raw.nbf.get("nbf", true)?,
            iat: raw.iat.get("iat", false)?,
            jti: raw.jti.get(text("jti"))?,
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
        self.iss.as_deref()
    }

    /// `sub`.
    pub fn sub(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// `aud` values (a single string is one value; none when absent).
    pub fn aud(&self) -> impl Iterator<Item = &str> + Clone {
        self.aud.iter()
    }

    /// `exp`, in Unix seconds (fractions rounded down).
    pub fn exp(&self) -> Option<i64> {
        self.exp
    }

    /// `nbf`, in Unix seconds (fractions rounded up).
    pub fn nbf(&self) -> Option<i64> {
        self.nbf
    }

    /// `iat`, in Unix seconds (fractions rounded down).
    pub fn iat(&self) -> Option<i64> {
        self.iat
    }

    /// `jti`.
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
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
        RegisteredClaims {
            iss: self.iss.as_deref().map(str::to_owned),
            sub: self.sub.as_deref().map(str::to_owned),
            aud: self.aud.iter().map(str::to_owned).collect(),
            exp: self.exp,
            nbf: self.nbf,
            iat: self.iat,
            jti: self.jti.as_deref().map(str::to_owned),
        }
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
            .field("exp", &self.exp)
            .field("nbf", &self.nbf)
            .field("iat", &self.iat)
            .field("jti", &self.jti())
            .finish_non_exhaustive()
    }
}

fn deserialize_claims<'a, T: Deserialize<'a>>(payload: &'a [u8]) -> Result<T> {
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
            Policy { typ, ..self.policy },
            expected_typ.as_deref(),
        ))
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
    /// The headers this verifier's tokens usually carry, parsed ahead of time.
    known: KnownHeaders,
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
#[derive(Clone)]
pub struct Verified {
    header: Header,
    registered: RegisteredClaims,
    /// The claims set as a map, parsed from `payload` on first use: verification itself reads
    /// the payload in one pass without building it.
    claims: OnceLock<Map<String, Value>>,
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

    /// The full claims set as parsed JSON (parsed on first call, then kept).
    pub fn claims(&self) -> &Map<String, Value> {
        self.claims.get_or_init(|| parse_claims(&self.payload))
    }

    /// The claims set as the JSON octets that were signed.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Deserialises the claims into `T`, borrowing strings from the verified payload where
    /// `T` allows (`&str` fields) so nothing is copied.
    pub fn deserialize<'a, T: Deserialize<'a>>(&'a self) -> Result<T> {
        deserialize_claims(&self.payload)
    }

    /// The full claims set, consuming the result.
    pub fn into_claims(self) -> Map<String, Value> {
        match self.claims.into_inner() {
            Some(claims) => claims,
            None => parse_claims(&self.payload),
        }
    }
}

/// The map of a payload that verification already read under the same strict rules, so it
/// cannot fail (an empty map if it ever did).
fn parse_claims(payload: &[u8]) -> Map<String, Value> {
    parse_object(payload).unwrap_or_default()
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("header", &self.header)
            .field("registered", &self.registered)
            .field("claims", self.claims())
            .field("payload", &self.payload)
            .finish()
    }
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
        Verifier::assemble(keys.into().0, Policy::default(), None)
    }

    /// A verifier of `keys` under `policy`, with the headers it will usually see prepared
    /// (`typ` as the caller configured it, before normalisation).
    fn assemble(keys: Source, policy: Policy, typ: Option<&str>) -> Verifier {
        let typs: Vec<&str> = typ.into_iter().chain(policy.typ.as_deref()).collect();
        let known = match &keys {
            Source::One(k) => KnownHeaders::new([k], &typs, &policy.critical),
            Source::Set(s) => KnownHeaders::new(s.keys(), &typs, &policy.critical),
        };
        Verifier {
            keys,
            policy,
            known,
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
        let mut buf = HeaderBuf::new();
        let signed = self.signature(token.as_ref(), true, &mut buf)?;
        let payload = b64_decode(signed.payload_b64)?;
        self.check_alg(signed.header.alg)?;
        Ok(jws::jws(signed.header.into_owned(), payload))
    }

    fn signature<'t, 'b>(
        &'b self,
        token: &'t [u8],
        keep_extra: bool,
        buf: &'b mut HeaderBuf,
    ) -> Result<jws::Signed<'t, 'b>> {
        jws::verify_signature(
            self.jws_keys(),
            token,
            &self.policy.limits,
            &self.policy.critical,
            keep_extra,
            Some(&self.known),
            buf,
        )
    }

    /// The extra algorithm allow-list, checked once the signature verified and the payload
    /// decoded (as it always was).
    fn check_alg(&self, alg: Algorithm) -> Result<()> {
        if !self.policy.algorithms.is_empty() && !self.policy.algorithms.contains(&alg) {
            return Err(Error::new(
                ErrorKind::AlgorithmMismatch,
                "algorithm not in the verifier's allow-list",
            ));
        }
        Ok(())
    }

    /// Verifies a JWT at time `now` (Unix seconds): signature first, then the claims under the
    /// policy. The token may be given as `&str` or bytes.
    pub fn verify(&self, token: impl AsRef<[u8]>, now: i64) -> Result<Verified> {
        let mut buf = HeaderBuf::new();
        let signed = self.signature(token.as_ref(), true, &mut buf)?;
        let payload = b64_decode(signed.payload_b64)?;
        self.check_alg(signed.header.alg)?;
        let registered = {
            let mut names = Names::with_max(self.policy.limits.max_claims);
            let claims = Claims::read(&signed.header, &payload, &mut names)?;
            self.validate(&claims, now)?;
            claims.to_registered()
        };
        Ok(Verified {
            header: signed.header.into_owned(),
            registered,
            claims: OnceLock::new(),
            payload,
        })
    }

    /// Verifies a JWT at time `now` exactly as [`Verifier::verify`] does (same checks, same
    /// errors), then calls `f` with the [`Claims`], borrowed from the token's decoded octets,
    /// and returns what `f` returns. The fast path: the header, signature and (up to 2 KiB)
    /// claims set are decoded on the stack, and the claims set is read once without building
    /// a map, so a typical token is verified without touching the heap.
    ///
    /// ```
    /// use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
    /// let key = Key::hmac(&[7u8; 32], Algorithm::HS256)?;
    /// let rng = ring::rand::SystemRandom::new();
    /// let token = jwt::sign(&key, &Header::new(), &serde_json::json!({"sub": "a", "exp": 2_000}), &rng)?;
    /// let verifier = Verifier::new(key);
    /// let sub_len = verifier.verify_with(&token, 1_000, |claims| claims.sub().map_or(0, str::len))?;
    /// assert_eq!(sub_len, 1);
    /// assert_eq!(verifier.verify_with(&token, 2_030, |_| ()).unwrap_err().kind(), tessera::ErrorKind::Expired);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn verify_with<R>(
        &self,
        token: impl AsRef<[u8]>,
        now: i64,
        f: impl FnOnce(&Claims<'_>) -> R,
    ) -> Result<R> {
        let mut buf = HeaderBuf::new();
        let signed = self.signature(token.as_ref(), false, &mut buf)?;
        let (mut stack, mut heap) = ([0u8; 2048], Vec::new());
        let payload = b64_decode_into(signed.payload_b64, &mut stack, &mut heap)?;
        self.check_alg(signed.header.alg)?;
        let mut names = Names::with_max(self.policy.limits.max_claims);
        let claims = Claims::read(&signed.header, payload, &mut names)?;
        self.validate(&claims, now)?;
        Ok(f(&claims))
    }

    fn validate(&self, c: &Claims<'_>, now: i64) -> Result<()> {
        let p = &self.policy;
        let leeway = i64::try_from(p.leeway).unwrap_or(i64::MAX);
        if let Some(expected) = &p.typ {
            match c.typ {
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
        match c.exp {
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
        if c.nbf.is_some_and(|nbf| now.saturating_add(leeway) < nbf) {
            return Err(Error::new(
                ErrorKind::NotYetValid,
                "the token is not valid yet (nbf)",
            ));
        }
        if c.iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
            return Err(Error::new(
                ErrorKind::IssuedInFuture,
                "the token was issued in the future (iat)",
            ));
        }
        if let Some(max_age) = p.max_age {
            let iat = c.iat.ok_or(Error::new(
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
            match c.iss() {
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
        let has_aud = c.has("aud");
        if !p.audiences.is_empty() {
            if !has_aud {
                return Err(Error::new(
                    ErrorKind::MissingClaim,
                    "claim \"aud\" is required",
                ));
            }
            if !c.aud().any(|a| p.audiences.iter().any(|e| e == a)) {
                return Err(Error::new(
                    ErrorKind::AudienceMismatch,
                    "no audience is accepted",
                ));
            }
        } else if has_aud && !p.accept_any_audience {
            return Err(Error::new(
                ErrorKind::AudienceMismatch,
                "the token names an audience and the verifier expects none (RFC 7519 section 4.1.3)",
            ));
        }
        if let Some(subject) = &p.subject {
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
        for name in &p.required {
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

/// Decoding without verification, for debugging tools only.
pub mod dangerous {
    use super::*;
    use crate::jwt::json::check_object_members;

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
        let header_bytes = b64_decode(parts.header_b64)?;
        let header_map = parse_object(&header_bytes)?;
        let crit: Vec<String> = match header_map.get("crit") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let header = Header::parse(&header_bytes, &crit)?;
        let payload = b64_decode(parts.payload_b64)?;
        // The same member limit as verification, checked while reading (before the map is built).
        check_object_members(&payload, Limits::default().max_claims)?;
        let claims = parse_object(&payload)?;
        Ok(Unverified { header, claims })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the fast reader and the strict parser read from `text`: `None` when the fast
    /// reader gives up.
    fn both(text: &[u8]) -> (Option<String>, Result<String>) {
        let mut raw = RawClaims::default();
        let mut names = Names::new();
        let fast = scan::object(text, &mut raw, &mut names)
            .map(|()| format!("{raw:?} {:?}", names_of(&names)));
        let mut raw = RawClaims::default();
        let mut names = Names::new();
        let strict = scan_object(text, &mut raw, &mut names)
            .map(|()| format!("{raw:?} {:?}", names_of(&names)));
        (fast, strict)
    }

    fn names_of(names: &Names<'_, 32>) -> Vec<bool> {
        [
            "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "x", "scope", "a\"b", "", "é",
        ]
        .iter()
        .map(|n| names.contains(n))
        .collect()
    }

    #[test]
    fn fast_reader_reads_the_bench_claims() {
        let text = br#"{"iss":"https://as.example","sub":"user-1234","aud":["api","x"],"exp":1800000600,"iat":1800000000.5,"jti":"a\u00e9\/","nbf":-5,"x":{"y":[1,2,{"z":null}]}}"#;
        let (fast, strict) = both(text);
        assert_eq!(fast.as_deref(), Some(strict.unwrap().as_str()));
    }

    /// The comparison below is not vacuous: the fast reader takes most texts the strict parser
    /// takes, and the generator makes both kinds.
    #[test]
    fn fast_reader_takes_most_valid_texts() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut valid, mut fast) = (0, 0);
        for _ in 0..2000 {
            let text = scan::texts::text().new_tree(&mut runner).unwrap().current();
            let (f, strict) = both(&text);
            valid += usize::from(strict.is_ok());
            fast += usize::from(f.is_some());
        }
        assert!(valid > 200 && valid < 1800, "{valid} valid of 2000");
        assert!(
            fast * 10 > valid * 6,
            "fast reader took {fast} of {valid} valid texts"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Whatever the fast reader accepts, the strict parser accepts and reads the same way.
        #[test]
        fn fast_reader_agrees_with_the_strict_parser(text in scan::texts::text()) {
            let (fast, strict) = both(&text);
            if let Some(fast) = fast {
                prop_assert_eq!(Some(fast), strict.ok());
            }
        }
    }
}
