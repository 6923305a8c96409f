//! The JOSE header (RFC 7515 §4.1, RFC 7519 §5): building it for signing and reading it strictly
//! when verifying. `crit` is processed as RFC 7515 §4.1.11 requires; embedded keys (`jwk`,
//! `jku`, `x5u`, `x5c`) are kept only as data and never used to pick or trust a key
//! (RFC 8725 §3.10).

use std::borrow::Cow;

use serde::de::MapAccess;
use serde_json::{Map, Value};

use super::alg::Algorithm;
use super::json::{Members, Names, Skip, Strs, parse_object, scan_object};
use super::member::{Classify, IsFalse, List, ListShape, TEXT, Text, built, taken};
use super::scan::{self, Fields, Taken, Want};
use crate::{Error, ErrorKind, Result};

/// Header parameters registered by RFC 7515/7516/7519 that may not appear in `crit`.
const REGISTERED: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc",
    "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
];

/// Members with a typed field in [`Header`].
const TYPED: &[&str] = &["alg", "typ", "cty", "kid", "crit"];

/// A JOSE header.
///
/// For signing, build one with [`Header::new`] and the setters; `alg` always comes from the key
/// and `kid` from the key unless set here. A verified token gives back the parsed header.
///
/// ```
/// use tessera::jwt::Header;
/// let h = Header::new().typ("at+jwt").extra("x-tenant", "acme")?;
/// assert_eq!(h.typ_value(), Some("at+jwt"));
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    alg: Option<Algorithm>,
    typ: Option<String>,
    cty: Option<String>,
    kid: Option<String>,
    crit: Vec<String>,
    extra: Map<String, Value>,
}

impl Header {
    /// An empty header (the signer adds `alg`, and `kid` when the key has one).
    pub fn new() -> Header {
        Header::default()
    }

    /// Sets `typ` (e.g. `JWT`, `at+jwt`).
    pub fn typ(mut self, typ: impl Into<String>) -> Header {
        self.typ = Some(typ.into());
        self
    }

    /// Sets `cty`.
    pub fn cty(mut self, cty: impl Into<String>) -> Header {
        self.cty = Some(cty.into());
        self
    }

    /// Sets `kid`, overriding the key's.
    pub fn kid(mut self, kid: impl Into<String>) -> Header {
        self.kid = Some(kid.into());
        self
    }

    /// Sets `crit`: extension members the recipient must understand (each must also be set
    /// with [`Header::extra`]).
    pub fn crit<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Header {
        self.crit = names.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an extra member. `alg`, `typ`, `cty`, `kid` and `crit` have their own setters
    /// ([`ErrorKind::InvalidArgument`] here).
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Result<Header> {
        let name = name.into();
        if TYPED.contains(&name.as_str()) {
            return Err(Error::with_detail(
                ErrorKind::InvalidArgument,
                format!("set {name:?} with its own setter"),
            ));
        }
        let _ = self.extra.insert(name, value.into());
        Ok(self)
    }

    /// A header for signing from a JSON object: `typ`, `cty` and `kid` must be strings, `crit`
    /// an array of strings, `alg` (optional) must name the signing key's algorithm; every other
    /// member is kept as an extra member. Used by the C ABI, the bindings and the CLI.
    ///
    /// ```
    /// use tessera::jwt::Header;
    /// let h = Header::from_json(br#"{"typ":"at+jwt","x-tenant":"acme"}"#)?;
    /// assert_eq!(h.typ_value(), Some("at+jwt"));
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn from_json(json: &[u8]) -> Result<Header> {
        Header::from_map(parse_object(json)?)
    }

    /// Splits a JSON object into the typed members (checking their JSON types) and the rest.
    fn from_map(mut map: Map<String, Value>) -> Result<Header> {
        let alg = match map.remove("alg") {
            None => None,
            Some(Value::String(s)) => Some(Algorithm::from_header(&s)?),
            Some(_) => {
                return Err(Error::new(
                    ErrorKind::InvalidHeader,
                    "\"alg\" must be a string",
                ));
            }
        };
        let mut text = |name: &'static str| -> Result<Option<String>> {
            match map.remove(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(Error::with_detail(
                    ErrorKind::InvalidHeader,
                    format!("{name:?} must be a string"),
                )),
            }
        };
        let (typ, cty, kid) = (text("typ")?, text("cty")?, text("kid")?);
        let crit = match map.remove("crit") {
            None => Vec::new(),
            Some(Value::Array(items)) if !items.is_empty() => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(Error::new(
                        ErrorKind::InvalidHeader,
                        "\"crit\" must list strings",
                    )),
                })
                .collect::<Result<_>>()?,
            Some(_) => {
                return Err(Error::new(
                    ErrorKind::InvalidHeader,
                    "\"crit\" must be a non-empty array",
                ));
            }
        };
        Ok(Header {
            alg,
            typ,
            cty,
            kid,
            crit,
            extra: map,
        })
    }

    /// The algorithm (always present on a parsed header).
    pub fn alg(&self) -> Option<Algorithm> {
        self.alg
    }

    /// The `typ` value.
    pub fn typ_value(&self) -> Option<&str> {
        self.typ.as_deref()
    }

    /// The `cty` value.
    pub fn cty_value(&self) -> Option<&str> {
        self.cty.as_deref()
    }

    /// The `kid` value.
    pub fn kid_value(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The `crit` names.
    pub fn crit_values(&self) -> &[String] {
        &self.crit
    }

    /// Every other member (including untrusted `jwk`, `jku`, `x5u`, `x5c`).
    pub fn extra_members(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// The header as a JSON object.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        if let Some(alg) = self.alg {
            let _ = map.insert("alg".into(), alg.as_str().into());
        }
        for (name, value) in [("typ", &self.typ), ("cty", &self.cty), ("kid", &self.kid)] {
            if let Some(v) = value {
                let _ = map.insert(name.into(), v.as_str().into());
            }
        }
        if !self.crit.is_empty() {
            let _ = map.insert("crit".into(), self.crit.clone().into());
        }
        for (k, v) in &self.extra {
            let _ = map.insert(k.clone(), v.clone());
        }
        map
    }

    /// Serialises the header for signing with `alg` and the key's `kid`, `alg` first.
    pub(crate) fn encode(&self, alg: Algorithm, key_kid: Option<&str>) -> Result<Vec<u8>> {
        if self.alg.is_some_and(|a| a != alg) {
            return Err(Error::new(
                ErrorKind::AlgorithmMismatch,
                "the header's alg differs from the key's",
            ));
        }
        for name in &self.crit {
            if REGISTERED.contains(&name.as_str()) || !self.extra.contains_key(name) {
                return Err(Error::with_detail(
                    ErrorKind::InvalidArgument,
                    format!(
                        "crit name {:?} must be an extension member that is present",
                        crate::error::snippet(name)
                    ),
                ));
            }
        }
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(b"{\"alg\":\"");
        out.extend_from_slice(alg.as_str().as_bytes());
        out.push(b'"');
        let kid = self.kid.as_deref().or(key_kid);
        let mut member = |name: &str, value: &Value| -> Result<()> {
            out.push(b',');
            serde_json::to_writer(&mut out, name)
                .map_err(|_| Error::new(ErrorKind::InvalidArgument, "header"))?;
            out.push(b':');
            serde_json::to_writer(&mut out, value)
                .map_err(|_| Error::new(ErrorKind::InvalidArgument, "header"))
        };
        for (name, value) in [
            ("typ", self.typ.as_deref()),
            ("kid", kid),
            ("cty", self.cty.as_deref()),
        ] {
            if let Some(v) = value {
                member(name, &Value::String(v.to_owned()))?;
            }
        }
        if !self.crit.is_empty() {
            member("crit", &Value::from(self.crit.clone()))?;
        }
        for (k, v) in &self.extra {
            member(k, v)?;
        }
        out.push(b'}');
        Ok(out)
    }

    /// Parses a decoded protected header strictly. `understood` lists the extension names the
    /// caller processes; any other `crit` entry fails.
    pub(crate) fn parse(bytes: &[u8], understood: &[String]) -> Result<Header> {
        Ok(HeaderRef::parse(bytes, understood, true)?.into_owned())
    }
}

/// The header members as read in one pass, checked only once the whole text is well-formed.
#[derive(Debug, Default)]
struct RawHeader<'de> {
    alg: Text<'de>,
    typ: Text<'de>,
    cty: Text<'de>,
    kid: Text<'de>,
    crit: List<'de>,
    b64_false: bool,
    keep_extra: bool,
    has_extra: bool,
    extra: Map<String, Value>,
}

impl<'de> Fields<'de> for RawHeader<'de> {
    fn want(&mut self, name: &str) -> Want {
        match name {
            "alg" => Want::Value(0),
            "typ" => Want::Value(1),
            "cty" => Want::Value(2),
            "kid" => Want::Value(3),
            // Not a typed field: an extension member like any other, which the strict
            // reader keeps when extension members are kept (the `b64` rule reads it too).
            "b64" => {
                self.has_extra = true;
                Want::Value(4)
            }
            "crit" => Want::StrList(5),
            _ => {
                self.has_extra = true;
                Want::Skip
            }
        }
    }

    fn take(&mut self, id: u8, value: Taken<'de>) {
        match id {
            0 => self.alg = taken(TEXT, value),
            1 => self.typ = taken(TEXT, value),
            2 => self.cty = taken(TEXT, value),
            3 => self.kid = taken(TEXT, value),
            4 => self.b64_false = taken(IsFalse, value),
            _ => self.crit = taken(ListShape, value),
        }
    }
}

impl<'de> Members<'de> for RawHeader<'de> {
    fn member<A: MapAccess<'de>>(
        &mut self,
        name: &str,
        map: &mut A,
    ) -> std::result::Result<(), A::Error> {
        let text = Classify(TEXT);
        match name {
            "alg" => self.alg = map.next_value_seed(text)?,
            "typ" => self.typ = map.next_value_seed(text)?,
            "cty" => self.cty = map.next_value_seed(text)?,
            "kid" => self.kid = map.next_value_seed(text)?,
            "crit" => self.crit = map.next_value_seed(Classify(ListShape))?,
            _ if self.keep_extra => {
                let value = map.next_value_seed(super::json::Strict { depth: 1 })?;
                if name == "b64" {
                    self.b64_false = built(IsFalse, &value);
                }
                let _ = self.extra.insert(name.to_owned(), value);
            }
            "b64" => self.b64_false = map.next_value_seed(Classify(IsFalse))?,
            _ => map.next_value_seed(Skip { depth: 1 })?,
        }
        Ok(())
    }
}

/// A protected header read and checked in one pass, borrowing its strings from the decoded
/// header where it can; extension members are kept only when asked for.
#[derive(Debug)]
pub(crate) struct HeaderRef<'de> {
    pub(crate) alg: Algorithm,
    pub(crate) typ: Option<Cow<'de, str>>,
    pub(crate) cty: Option<Cow<'de, str>>,
    pub(crate) kid: Option<Cow<'de, str>>,
    /// `crit` and the kept extension members, when there are any.
    rest: Option<Box<Rest<'de>>>,
}

/// What few headers carry, kept out of line: a [`HeaderRef`] is made and moved on every
/// verification, and without these it is a third of the size (no copy through `memcpy`).
#[derive(Debug)]
struct Rest<'de> {
    crit: Strs<'de, 4>,
    extra: Map<String, Value>,
}

impl<'de> HeaderRef<'de> {
    /// Reads a decoded protected header with exactly the checks (and errors, in the same order)
    /// of `Header::from_map` followed by the `crit` and `b64` rules; `keep_extra` keeps the
    /// extension members for [`HeaderRef::into_owned`].
    pub(crate) fn parse(
        bytes: &'de [u8],
        understood: &[String],
        keep_extra: bool,
    ) -> Result<HeaderRef<'de>> {
        HeaderRef::parse_via(bytes, understood, keep_extra, true)
    }

    /// [`HeaderRef::parse`], with the fast reader tried first only when `fast` is set: the
    /// differential tests read every header both ways and demand one verdict.
    fn parse_via(
        bytes: &'de [u8],
        understood: &[String],
        keep_extra: bool,
        fast: bool,
    ) -> Result<HeaderRef<'de>> {
        let fresh = || RawHeader {
            keep_extra,
            ..RawHeader::default()
        };
        let (mut raw, mut names) = (fresh(), Names::new());
        // The fast reader first; the strict parser decides whatever it gives up on, and builds
        // extension members when they are to be kept.
        if !fast
            || scan::object(bytes, &mut raw, &mut names).is_none()
            || (keep_extra && raw.has_extra)
        {
            (raw, names) = (fresh(), Names::new());
            scan_object(bytes, &mut raw, &mut names)?;
        }
        let alg = match raw.alg {
            Text::Absent => None,
            Text::Str(s) => Some(Algorithm::from_header(&s)?),
            Text::Wrong => {
                return Err(Error::new(
                    ErrorKind::InvalidHeader,
                    "\"alg\" must be a string",
                ));
            }
        };
        let text = |name: &'static str| {
            move || {
                Error::with_detail(
                    ErrorKind::InvalidHeader,
                    format!("{name:?} must be a string"),
                )
            }
        };
        let typ = raw.typ.get(text("typ"))?;
        let cty = raw.cty.get(text("cty"))?;
        let kid = raw.kid.get(text("kid"))?;
        let crit = match raw.crit {
            List::Absent => Strs::new(),
            List::Strs(strs) => strs,
            List::NotStrings => {
                return Err(Error::new(
                    ErrorKind::InvalidHeader,
                    "\"crit\" must list strings",
                ));
            }
            List::Wrong => {
                return Err(Error::new(
                    ErrorKind::InvalidHeader,
                    "\"crit\" must be a non-empty array",
                ));
            }
        };
        let Some(alg) = alg else {
            return Err(Error::new(
                ErrorKind::InvalidHeader,
                "the header has no \"alg\"",
            ));
        };
        for (i, name) in crit.iter().enumerate() {
            // Every registered name (the typed members among them) fails first, so "present
            // as an extension member" is "present".
            if REGISTERED.contains(&name)
                || !names.contains(name)
                || crit.iter().take(i).any(|n| n == name)
            {
                return Err(Error::new(
                    ErrorKind::InvalidHeader,
                    "\"crit\" lists a registered, absent or repeated name",
                ));
            }
            if !understood.iter().any(|u| u == name) {
                return Err(Error::new(
                    ErrorKind::UnsupportedCritical,
                    "header \"crit\" names an extension that is not understood",
                ));
            }
        }
        if raw.b64_false {
            return Err(Error::new(
                ErrorKind::UnsupportedCritical,
                "unencoded payloads (RFC 7797) are not supported",
            ));
        }
        let rest = (crit.len() > 0 || !raw.extra.is_empty()).then(|| {
            Box::new(Rest {
                crit,
                extra: raw.extra,
            })
        });
        Ok(HeaderRef {
            alg,
            typ,
            cty,
            kid,
            rest,
        })
    }

    /// A header of `alg` and optionally `typ` and `kid`, nothing else: what
    /// [`HeaderRef::parse`] returns for such a header (the known-headers shortcut).
    pub(crate) fn simple(
        alg: Algorithm,
        typ: Option<Cow<'de, str>>,
        kid: Option<Cow<'de, str>>,
    ) -> HeaderRef<'de> {
        HeaderRef {
            alg,
            typ,
            cty: None,
            kid,
            rest: None,
        }
    }

    /// Whether this header has nothing but `alg`, `typ` and `kid`.
    pub(crate) fn is_simple(&self) -> bool {
        self.cty.is_none() && self.rest.is_none()
    }

    /// The owned [`Header`] (extension members only when parsed with `keep_extra`).
    pub(crate) fn into_owned(self) -> Header {
        let (crit, extra) = match self.rest {
            Some(rest) => (rest.crit.into_owned(), rest.extra),
            None => (Vec::new(), Map::new()),
        };
        Header {
            alg: Some(self.alg),
            typ: self.typ.map(Cow::into_owned),
            cty: self.cty.map(Cow::into_owned),
            kid: self.kid.map(Cow::into_owned),
            crit,
            extra,
        }
    }
}

/// Not part of the API (hidden from the docs, free to change): reads a protected header through
/// each of the verifier's paths, for the differential proptest and fuzz target.
///
/// Returns four results, in this order: the fast reader (falling back to the strict parser
/// where it gives up, as verification does) and the strict parser alone, each without and with
/// extension members kept. Every header must get one verdict from all four: the same error
/// kind, or headers with the same typed members, and the same extension members from the two
/// that keep them.
#[doc(hidden)]
pub fn header_paths(bytes: &[u8], understood: &[String]) -> [Result<Header>; 4] {
    let read = |keep_extra, fast| {
        HeaderRef::parse_via(bytes, understood, keep_extra, fast).map(HeaderRef::into_owned)
    };
    [
        read(false, true),
        read(false, false),
        read(true, true),
        read(true, false),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        let h = Header::new().typ("JWT").kid("k1").extra("x", 1).unwrap();
        let bytes = h.encode(Algorithm::HS256, None).unwrap();
        assert!(bytes.starts_with(br#"{"alg":"HS256""#));
        let parsed = Header::parse(&bytes, &[]).unwrap();
        assert_eq!(parsed.alg(), Some(Algorithm::HS256));
        assert_eq!(parsed.kid_value(), Some("k1"));
        assert_eq!(parsed.extra_members().get("x"), Some(&Value::from(1)));
    }

    #[test]
    fn crit_rules() {
        let u = vec!["exp-ext".to_owned()];
        assert!(Header::parse(br#"{"alg":"HS256","crit":["exp-ext"],"exp-ext":1}"#, &u).is_ok());
        let e = |json: &[u8]| Header::parse(json, &u).unwrap_err().kind();
        assert_eq!(
            e(br#"{"alg":"HS256","crit":["other"],"other":1}"#),
            ErrorKind::UnsupportedCritical
        );
        assert_eq!(e(br#"{"alg":"HS256","crit":[]}"#), ErrorKind::InvalidHeader);
        assert_eq!(
            e(br#"{"alg":"HS256","crit":["exp-ext"]}"#),
            ErrorKind::InvalidHeader
        );
        assert_eq!(
            e(br#"{"alg":"HS256","crit":["alg"]}"#),
            ErrorKind::InvalidHeader
        );
        assert_eq!(
            e(br#"{"alg":"HS256","crit":"exp-ext","exp-ext":1}"#),
            ErrorKind::InvalidHeader
        );
        assert_eq!(
            e(br#"{"alg":"HS256","crit":[1]}"#),
            ErrorKind::InvalidHeader
        );
        assert_eq!(
            e(br#"{"alg":"HS256","b64":false,"crit":["b64"]}"#),
            ErrorKind::UnsupportedCritical
        );
    }

    #[test]
    fn header_types_are_strict() {
        let e = |json: &[u8]| Header::parse(json, &[]).unwrap_err().kind();
        assert_eq!(e(br#"{"typ":"JWT"}"#), ErrorKind::InvalidHeader);
        assert_eq!(e(br#"{"alg":["HS256"]}"#), ErrorKind::InvalidHeader);
        assert_eq!(e(br#"{"alg":"none"}"#), ErrorKind::UnsupportedAlgorithm);
        assert_eq!(e(br#"{"alg":"HS256","kid":7}"#), ErrorKind::InvalidHeader);
        assert_eq!(
            e(br#"{"alg":"HS256","typ":null}"#),
            ErrorKind::InvalidHeader
        );
        assert_eq!(
            e(br#"{"alg":"HS256","alg":"RS256"}"#),
            ErrorKind::DuplicateMember
        );
        assert_eq!(e(br#"["alg"]"#), ErrorKind::InvalidJson);
    }

    #[test]
    fn extra_cannot_shadow_typed_members() {
        assert_eq!(
            Header::new().extra("alg", "none").unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            Header::new()
                .crit(["alg"])
                .encode(Algorithm::HS256, None)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidArgument
        );
    }
}

#[cfg(test)]
mod fast_reader_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Whatever the fast reader accepts in a header, the strict parser accepts and reads
        /// the same way.
        #[test]
        fn fast_reader_agrees_with_the_strict_parser(text in scan::texts::text()) {
            let mut raw = RawHeader::default();
            let mut names = Names::new();
            if scan::object(&text, &mut raw, &mut names).is_some() {
                let fast = format!("{raw:?}");
                let mut raw = RawHeader::default();
                let mut strict_names = Names::new();
                let strict = scan_object(&text, &mut raw, &mut strict_names);
                prop_assert!(strict.is_ok(), "{:?}", String::from_utf8_lossy(&text));
                // The strict parser does not track extension members; the rest must agree.
                raw.has_extra = fast.contains("has_extra: true");
                prop_assert_eq!(fast, format!("{raw:?}"));
            }
        }
    }
}
