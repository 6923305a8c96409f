//! Strict JSON for JOSE: objects with duplicate member names are rejected at every depth
//! (RFC 7515 §5.2 step 4, RFC 7519 §4 allow either rejection or "last wins"; tessera rejects,
//! so two parsers can never disagree on a claim), nesting is bounded, and the top level must be
//! an object where the RFCs say so. Strict base64url (RFC 7515 §2, RFC 4648 §5 without padding)
//! lives here too.

use std::fmt;

use base64::Engine as _;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::{Error, ErrorKind, Result};

/// Deepest nesting of arrays and objects accepted in a header, claims set or JWK.
pub const MAX_JSON_DEPTH: usize = 32;

const DUPLICATE: &str = "\u{1}duplicate member";
const TOO_DEEP: &str = "\u{1}nesting too deep";

/// base64url without padding, rejecting non-zero trailing bits (strict, RFC 7515 §2).
pub(crate) const B64: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Decodes strict base64url.
pub(crate) fn b64_decode(input: &[u8]) -> Result<Vec<u8>> {
    B64.decode(input)
        .map_err(|_| Error::new(ErrorKind::InvalidBase64, "not strict base64url"))
}

/// Encodes base64url without padding.
pub(crate) fn b64_encode(input: &[u8]) -> String {
    B64.encode(input)
}

struct Strict {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        if self.depth >= MAX_JSON_DEPTH {
            return Err(serde::de::Error::custom(TOO_DEEP));
        }
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Strict {
            depth: self.depth + 1,
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        if self.depth >= MAX_JSON_DEPTH {
            return Err(serde::de::Error::custom(TOO_DEEP));
        }
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(DUPLICATE));
            }
            let v = map.next_value_seed(Strict {
                depth: self.depth + 1,
            })?;
            let _ = out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

fn map_error(e: &serde_json::Error) -> Error {
    let msg = e.to_string();
    if msg.starts_with(DUPLICATE) {
        Error::new(
            ErrorKind::DuplicateMember,
            "a JSON object has a member name twice",
        )
    } else if msg.starts_with(TOO_DEEP) || msg.starts_with("recursion limit") {
        Error::new(ErrorKind::TooDeep, "JSON nesting deeper than 32 levels")
    } else {
        Error::with_detail(
            ErrorKind::InvalidJson,
            format!("malformed JSON at line {} column {}", e.line(), e.column()),
        )
    }
}

/// Parses any JSON value strictly.
pub(crate) fn parse_value(bytes: &[u8]) -> Result<Value> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = Strict { depth: 0 }
        .deserialize(&mut de)
        .map_err(|e| map_error(&e))?;
    de.end().map_err(|e| map_error(&e))?;
    Ok(v)
}

/// Parses a JSON text that must be an object.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>> {
    match parse_value(bytes)? {
        Value::Object(m) => Ok(m),
        _ => Err(Error::new(
            ErrorKind::InvalidJson,
            "JSON text is not an object",
        )),
    }
}

/// Checks a JSON document strictly against duplicates and depth without keeping it.
pub(crate) fn check_object(bytes: &[u8]) -> Result<()> {
    parse_object(bytes).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_rejected_at_every_depth() {
        assert_eq!(
            parse_object(br#"{"a":1,"a":2}"#).unwrap_err().kind(),
            ErrorKind::DuplicateMember
        );
        assert_eq!(
            parse_object(br#"{"x":{"a":1,"b":{"c":1,"c":1}}}"#)
                .unwrap_err()
                .kind(),
            ErrorKind::DuplicateMember
        );
        // Escaped spelling of the same name is the same name.
        assert_eq!(
            parse_object(br#"{"alg":1,"\u0061lg":2}"#)
                .unwrap_err()
                .kind(),
            ErrorKind::DuplicateMember
        );
        assert!(parse_object(br#"{"a":1,"A":2}"#).is_ok());
    }

    #[test]
    fn depth_is_bounded() {
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH - 1),
            "]".repeat(MAX_JSON_DEPTH - 1)
        );
        assert!(parse_object(format!("{{\"a\":{ok}}}").as_bytes()).is_ok());
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH),
            "]".repeat(MAX_JSON_DEPTH)
        );
        assert_eq!(
            parse_object(format!("{{\"a\":{deep}}}").as_bytes())
                .unwrap_err()
                .kind(),
            ErrorKind::TooDeep
        );
        let huge = "[".repeat(100_000);
        assert_eq!(
            parse_value(huge.as_bytes()).unwrap_err().kind(),
            ErrorKind::TooDeep
        );
    }

    #[test]
    fn non_objects_and_trailing_data_rejected() {
        for bad in [
            &b"[]"[..],
            b"1",
            b"\"s\"",
            b"{} {}",
            b"{",
            b"",
            b"{\"a\":1,}",
        ] {
            assert_eq!(
                parse_object(bad).unwrap_err().kind(),
                ErrorKind::InvalidJson,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn base64url_is_strict() {
        assert_eq!(b64_decode(b"Zm9v").unwrap(), b"foo");
        for bad in [
            &b"Zm9v="[..],
            b"Zm9=",
            b"Zm+v",
            b"Zm/v",
            b"Zm9 v",
            b"Zh",
            b"Z",
        ] {
            assert_eq!(
                b64_decode(bad).unwrap_err().kind(),
                ErrorKind::InvalidBase64,
                "{bad:?}"
            );
        }
    }
}
