//! The JOSE header (RFC 7515 §4.1, RFC 7519 §5): building it for signing and reading it strictly
//! when verifying. `crit` is processed as RFC 7515 §4.1.11 requires; embedded keys (`jwk`,
//! `jku`, `x5u`, `x5c`) are kept only as data and never used to pick or trust a key
//! (RFC 8725 §3.10).

use serde_json::{Map, Value};

use super::alg::Algorithm;
use super::json::parse_object;
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
            Some(Value::String(s)) => Some(s.parse::<Algorithm>()?),
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
        let header = Header::from_map(parse_object(bytes)?)?;
        if header.alg.is_none() {
            return Err(Error::new(
                ErrorKind::InvalidHeader,
                "the header has no \"alg\"",
            ));
        }
        for (i, name) in header.crit.iter().enumerate() {
            if REGISTERED.contains(&name.as_str())
                || !header.extra.contains_key(name)
                || header.crit[..i].contains(name)
            {
                return Err(Error::new(
                    ErrorKind::InvalidHeader,
                    "\"crit\" lists a registered, absent or repeated name",
                ));
            }
            if !understood.contains(name) {
                return Err(Error::with_detail(
                    ErrorKind::UnsupportedCritical,
                    format!(
                        "critical extension {:?} is not understood",
                        crate::error::snippet(name)
                    ),
                ));
            }
        }
        if matches!(header.extra.get("b64"), Some(Value::Bool(false))) {
            return Err(Error::new(
                ErrorKind::UnsupportedCritical,
                "unencoded payloads (RFC 7797) are not supported",
            ));
        }
        Ok(header)
    }
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
