//! One pass over a claims set (RFC 7519 §7.2 steps 9–10, with the strict JSON rules of
//! RFC 7515 §5.2 and RFC 8725 §3.2): the fast reader first, the strict parser for whatever it
//! gives up on, keeping the registered claims and every member name.

use serde::de::MapAccess;

use crate::Result;
use crate::jwt::json::{Members, Names, Skip, scan_object};
use serde_json::{Map, Value};

use crate::jwt::member::{
    Classify, Date, DateShape, Shape, StrOrList, StrOrListShape, TEXT, Text, built, taken,
};
use crate::jwt::scan::{self, Fields, Taken, Want};

// ---- one pass over the claims set --------------------------------------------------------------
//
// The verifier reads the claims set once, with the strict rules of `parse_object` (duplicates
// rejected at every depth, nesting bounded, an object at the top), keeping only the registered
// claims (borrowed from the payload) and the member names; every other member is walked and
// dropped. Type errors are collected and reported after the text is known to be well-formed,
// in the order `RegisteredClaims::from_claims` checks them, so the errors are those of
// `parse_object` followed by `from_claims`.

/// The registered claims as read in one pass, not yet type-checked.
#[derive(Debug, Default)]
pub(super) struct RawClaims<'de> {
    pub(super) iss: Text<'de>,
    pub(super) sub: Text<'de>,
    pub(super) aud: StrOrList<'de>,
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
        let text = Classify(TEXT);
        let date = Classify(DateShape);
        match name {
            "iss" => self.iss = map.next_value_seed(text)?,
            "sub" => self.sub = map.next_value_seed(text)?,
            "jti" => self.jti = map.next_value_seed(text)?,
            "aud" => self.aud = map.next_value_seed(Classify(StrOrListShape))?,
            "exp" => self.exp = map.next_value_seed(date)?,
            "nbf" => self.nbf = map.next_value_seed(date)?,
            "iat" => self.iat = map.next_value_seed(date)?,
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
        match id {
            0 => self.iss = taken(TEXT, value),
            1 => self.sub = taken(TEXT, value),
            2 => self.jti = taken(TEXT, value),
            3 => self.exp = taken(DateShape, value),
            4 => self.nbf = taken(DateShape, value),
            5 => self.iat = taken(DateShape, value),
            _ => self.aud = taken(StrOrListShape, value),
        }
    }
}

impl<'a> RawClaims<'a> {
    /// The registered claims of a claims set already parsed, classified by the same shapes.
    pub(super) fn of_map(claims: &'a Map<String, Value>) -> RawClaims<'a> {
        fn get<'a, S: Shape<'a>>(claims: &'a Map<String, Value>, name: &str, shape: S) -> S::Out
        where
            S::Out: Default,
        {
            claims
                .get(name)
                .map_or_else(S::Out::default, |v| built(shape, v))
        }
        RawClaims {
            iss: get(claims, "iss", TEXT),
            sub: get(claims, "sub", TEXT),
            aud: get(claims, "aud", StrOrListShape),
            exp: get(claims, "exp", DateShape),
            nbf: get(claims, "nbf", DateShape),
            iat: get(claims, "iat", DateShape),
            jti: get(claims, "jti", TEXT),
        }
    }
}

/// Reads the registered claims into `raw` (empty) and the member names into `names` (empty):
/// the fast reader first, the strict parser for whatever it gives up on (which then decides,
/// with its errors). Both are the caller's, so what is read stays where it was written.
#[inline]
pub(super) fn read_claims<'p>(
    payload: &'p [u8],
    raw: &mut RawClaims<'p>,
    names: &mut Names<'p, 32>,
) -> Result<()> {
    if scan::object(payload, raw, names).is_none() {
        (*raw, *names) = (RawClaims::default(), names.emptied());
        scan_object(payload, raw, names)?;
    }
    Ok(())
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
