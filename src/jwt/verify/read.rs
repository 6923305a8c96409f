//! One pass over a claims set (RFC 7519 §7.2 steps 9–10, with the strict JSON rules of
//! RFC 7515 §5.2 and RFC 8725 §3.2): the fast reader first, the strict parser for whatever it
//! gives up on, keeping the registered claims and every member name.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

use super::claims::{number_date, type_error};
use crate::Result;
use crate::jwt::header::{Text, TextSeed};
use crate::jwt::json::{Members, Names, Skip, Strs, scan_object};
use crate::jwt::scan::{self, Fields, Taken, Want};

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
pub(super) enum Date {
    #[default]
    Absent,
    Num(Number),
    Wrong,
}

impl Date {
    pub(super) fn get(&self, name: &'static str, round_up: bool) -> Result<Option<i64>> {
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
pub(super) enum Aud<'de> {
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
pub(super) struct RawClaims<'de> {
    pub(super) iss: Text<'de>,
    pub(super) sub: Text<'de>,
    pub(super) aud: Aud<'de>,
    pub(super) exp: Date,
    pub(super) nbf: Date,
    pub(super) iat: Date,
    pub(super) jti: Text<'de>,
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
pub(super) fn read_claims<'p>(
    payload: &'p [u8],
    names: &mut Names<'p, 32>,
) -> Result<RawClaims<'p>> {
    let mut raw = RawClaims::default();
    if scan::object(payload, &mut raw, names).is_none() {
        (raw, *names) = (RawClaims::default(), names.emptied());
        scan_object(payload, &mut raw, names)?;
    }
    Ok(raw)
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
