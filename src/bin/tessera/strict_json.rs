//! Strict parsing of the `--claims` JSON: an object, no duplicate member names at any depth (as
//! the library requires of claims it signs, RFC 7519 §4), nesting within the library's limit.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use tessera::jwt::MAX_JSON_DEPTH;
use tessera::{Error, ErrorKind};

/// A JSON value read by [`StrictVisitor`].
struct Strict(Value);

/// Visits a JSON value, refusing duplicate member names and nesting deeper than
/// [`MAX_JSON_DEPTH`].
struct StrictVisitor {
    depth: usize,
}

/// Seed carrying the depth into nested values.
struct StrictSeed {
    depth: usize,
}

impl<'de> de::DeserializeSeed<'de> for StrictSeed {
    type Value = Strict;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor { depth: self.depth })
    }
}

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor { depth: 0 })
    }
}

impl StrictVisitor {
    fn nested<E: de::Error>(&self) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > MAX_JSON_DEPTH {
            return Err(E::custom(format!(
                "nesting deeper than {MAX_JSON_DEPTH} levels"
            )));
        }
        Ok(depth)
    }
}

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let depth = self.nested()?;
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element_seed(StrictSeed { depth })? {
            items.push(item);
        }
        Ok(Strict(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Strict, A::Error> {
        let depth = self.nested()?;
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            if map.contains_key(&name) {
                return Err(de::Error::custom(format!(
                    "duplicate member {:?}",
                    name.chars().take(32).collect::<String>()
                )));
            }
            let Strict(value) = access.next_value_seed(StrictSeed { depth })?;
            let _ = map.insert(name, value);
        }
        Ok(Strict(Value::Object(map)))
    }
}

/// Parses `text` as a JSON object, strictly.
pub fn object(text: &str) -> Result<Map<String, Value>, Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Strict::deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(Strict(Value::Object(map))) => Ok(map),
        Ok(_) => Err(Error::new(
            ErrorKind::InvalidJson,
            "claims: not a JSON object",
        )),
        Err(e) => {
            let kind = if e.to_string().starts_with("duplicate member") {
                ErrorKind::DuplicateMember
            } else {
                ErrorKind::InvalidJson
            };
            Err(Error::with_detail(kind, format!("claims: {e}")))
        }
    }
}
