//! Strict JSON for JOSE: objects with duplicate member names are rejected at every depth
//! (RFC 7515 §5.2 step 4, RFC 7519 §4 allow either rejection or "last wins"; tessera rejects,
//! so two parsers can never disagree on a claim), nesting is bounded, and the top level must be
//! an object where the RFCs say so.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::member::{Classify, Shape};
use crate::{Error, ErrorKind, Result};

pub use crate::limits::MAX_JSON_DEPTH;

/// Why the strict reader refused the text: a typed reason, kept beside the serde error.
///
/// serde's visitors can only fail with the deserializer's own error type, whose one custom
/// constructor takes a message. So a visitor that refuses a text records the [`Refusal`] here,
/// on the thread that is reading, and [`map_error`] takes it back: errors are classified by
/// this value, never by their message text. Each reading entry point clears it first, so a
/// refusal never outlives the parse that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    Duplicate,
    TooDeep,
    TooMany,
}

thread_local! {
    static REFUSAL: std::cell::Cell<Option<Refusal>> = const { std::cell::Cell::new(None) };
}

/// Records `why` and returns the serde error that unwinds the reader.
fn refuse<E: serde::de::Error>(why: Refusal) -> E {
    REFUSAL.with(|r| r.set(Some(why)));
    E::custom(match why {
        Refusal::Duplicate => "duplicate member",
        Refusal::TooDeep => "nesting too deep",
        Refusal::TooMany => "too many members",
    })
}

/// Forgets any refusal left by an earlier read on this thread.
fn clear_refusal() {
    REFUSAL.with(|r| r.set(None));
}

/// Builds a [`Value`] at `depth` under the strict rules (duplicates, nesting).
pub(crate) struct Strict {
    pub(crate) depth: usize,
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
            return Err(refuse(Refusal::TooDeep));
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
            return Err(refuse(Refusal::TooDeep));
        }
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(refuse(Refusal::Duplicate));
            }
            let v = map.next_value_seed(Strict {
                depth: self.depth + 1,
            })?;
            let _ = out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// A JSON string, borrowed from the input when it has no escapes, unescaped otherwise.
pub(crate) struct CowStr;

impl<'de> DeserializeSeed<'de> for CowStr {
    type Value = Cow<'de, str>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for CowStr {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// A few strings kept without touching the heap: the first `N` inline, the rest in a `Vec`.
#[derive(Clone, Debug)]
pub(crate) struct Strs<'de, const N: usize> {
    inline: [Cow<'de, str>; N],
    len: usize,
    more: Vec<Cow<'de, str>>,
}

impl<'de, const N: usize> Strs<'de, N> {
    pub(crate) fn new() -> Self {
        Strs {
            inline: [const { Cow::Borrowed("") }; N],
            len: 0,
            more: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, s: Cow<'de, str>) {
        if self.len < N {
            self.inline[self.len] = s;
            self.len += 1;
        } else {
            self.more.push(s);
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + Clone {
        self.inline[..self.len]
            .iter()
            .chain(&self.more)
            .map(|s| s.as_ref())
    }

    pub(crate) fn len(&self) -> usize {
        self.len + self.more.len()
    }

    pub(crate) fn into_owned(self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.len());
        out.extend(
            self.inline
                .into_iter()
                .take(self.len)
                .chain(self.more)
                .map(Cow::into_owned),
        );
        out
    }
}

/// The member names of one JSON object, for rejecting duplicates without touching the heap
/// for the first `N` names spelled without escapes: each is kept as a slice of the text with
/// a fingerprint (its length and first seven bytes), found through a 64-slot open-addressing
/// table of fingerprint hashes, so adding a name costs one or two probes whatever the number
/// of members; the other names go to an ordered set. It holds at most `max` names: readers ask
/// [`Names::full`] before adding one, so an object with more members is refused at member
/// `max + 1`, before anything of it is kept.
#[derive(Debug)]
pub(crate) struct Names<'de, const N: usize> {
    /// For each hash slot, 1 + the index of the inline name there, or 0 when free.
    slots: [u8; SLOTS],
    prints: [u64; N],
    inline: [&'de str; N],
    len: usize,
    more: BTreeSet<Cow<'de, str>>,
    max: usize,
}

/// Hash slots of [`Names`]: a power of two, at least twice any inline capacity `N`, so the
/// table is at most half full and a probe sequence is short.
const SLOTS: usize = 64;

/// The length and first seven bytes of a name, in one word.
fn fingerprint(name: &str) -> u64 {
    let b = name.as_bytes();
    let head = match b.get(..8) {
        // One fixed-size load, no call to `memcpy`.
        Some(eight) => {
            let mut w = [0u8; 8];
            w.copy_from_slice(eight);
            u64::from_le_bytes(w)
        }
        None => b.iter().rev().fold(0, |acc, &c| acc << 8 | u64::from(c)),
    };
    head << 8 | b.len() as u64 & 0xFF
}

/// The first slot to probe for a fingerprint (Fibonacci hashing: the top six bits of the
/// product).
fn slot_of(print: u64) -> usize {
    (print.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
}

impl<'de, const N: usize> Names<'de, N> {
    pub(crate) fn new() -> Self {
        Self::with_max(usize::MAX)
    }

    /// An empty set that holds at most `max` names.
    pub(crate) fn with_max(max: usize) -> Self {
        const { assert!(N <= SLOTS / 2, "the hash table must stay at most half full") };
        Names {
            slots: [0; SLOTS],
            prints: [0; N],
            inline: [""; N],
            len: 0,
            more: BTreeSet::new(),
            max,
        }
    }

    /// The same limit, no names.
    pub(crate) fn emptied(&self) -> Self {
        Self::with_max(self.max)
    }

    /// Whether the object already has its `max` names, so one more member is too many.
    pub(crate) fn full(&self) -> bool {
        self.len + self.more.len() >= self.max
    }

    /// Adds a member name; `false` when the object already had it. Always inlined: it runs
    /// once per member, and the copy of the reader in tessera's own code (the C ABI's path)
    /// otherwise calls it (about 15 instructions a member).
    #[inline(always)]
    pub(crate) fn insert(&mut self, name: Cow<'de, str>) -> bool {
        let print = fingerprint(&name);
        let free = match self.probe(print, &name) {
            Ok(_) => return false,
            Err(free) => free,
        };
        if !self.more.is_empty() && self.more.contains(name.as_ref()) {
            return false;
        }
        match name {
            Cow::Borrowed(name) if self.len < N => {
                self.prints[self.len] = print;
                self.inline[self.len] = name;
                self.len += 1;
                #[allow(
                    clippy::cast_possible_truncation,
                    reason = "len <= N <= SLOTS / 2 < 256"
                )]
                {
                    self.slots[free] = self.len as u8;
                }
                true
            }
            name => self.more.insert(name),
        }
    }

    /// The slot of inline name `name` (`Ok`), or the free slot that ends its probe sequence
    /// (`Err`). The table is never more than half full, so a free slot always ends it.
    #[inline]
    fn probe(&self, print: u64, name: &str) -> std::result::Result<usize, usize> {
        let mut at = slot_of(print);
        loop {
            match usize::from(self.slots[at]) {
                0 => return Err(at),
                i if self.prints[i - 1] == print && self.inline[i - 1] == name => return Ok(at),
                _ => at = (at + 1) % SLOTS,
            }
        }
    }

    /// Whether the object has a member `name`.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.probe(fingerprint(name), name).is_ok()
            || (!self.more.is_empty() && self.more.contains(name))
    }
}

fn too_deep<E: serde::de::Error>(depth: usize) -> std::result::Result<(), E> {
    if depth >= MAX_JSON_DEPTH {
        Err(refuse(Refusal::TooDeep))
    } else {
        Ok(())
    }
}

/// Walks a JSON value at `depth` without keeping it, under the same rules as [`parse_value`]
/// (duplicate members rejected at every depth, nesting bounded): what the verifier does with
/// members it does not need.
#[derive(Clone, Copy)]
pub(crate) struct Skip {
    pub(crate) depth: usize,
}

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        too_deep(self.depth)?;
        let inner = Skip {
            depth: self.depth + 1,
        };
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        too_deep(self.depth)?;
        let mut names = Names::<'de, 8>::new();
        while let Some(key) = map.next_key_seed(CowStr)? {
            if !names.insert(key) {
                return Err(refuse(Refusal::Duplicate));
            }
            map.next_value_seed(Skip {
                depth: self.depth + 1,
            })?;
        }
        Ok(())
    }
}

/// What a caller keeps of the members of a top-level JSON object, read in one pass.
pub(crate) trait Members<'de> {
    /// Reads the value of member `name` (not a duplicate) with `map.next_value_seed`, at
    /// depth 1 (e.g. [`Skip`] `{ depth: 1 }` for a member it does not need).
    fn member<A: MapAccess<'de>>(
        &mut self,
        name: &str,
        map: &mut A,
    ) -> std::result::Result<(), A::Error>;
}

/// The top level of a JSON text, read into `M` (member names into `names`) when it is an
/// object; `false` when it is not.
struct TopLevel<'m, 'n, 'de, M>(&'m mut M, &'n mut Names<'de, 32>);

impl<'de, M: Members<'de>> Shape<'de> for TopLevel<'_, '_, 'de, M> {
    type Out = bool;
    fn depth(&self) -> usize {
        0
    }
    fn other(self) -> bool {
        false
    }
    fn map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<bool, A::Error> {
        while let Some(key) = map.next_key_seed(CowStr)? {
            if self.1.full() {
                return Err(refuse(Refusal::TooMany));
            }
            if !self.1.insert(key.clone()) {
                return Err(refuse(Refusal::Duplicate));
            }
            self.0.member(&key, &mut map)?;
        }
        Ok(true)
    }
}

/// Reads a JSON text that must be an object in one pass, member by member into `members` and
/// member names into `names` (which must be empty), under exactly the rules of
/// [`parse_object`] (same errors, in the same order), without building a [`Value`]. An object
/// with more members than `names` holds is [`ErrorKind::TooLarge`], at the first member too
/// many.
pub(crate) fn scan_object<'de, M: Members<'de>>(
    bytes: &'de [u8],
    members: &mut M,
    names: &mut Names<'de, 32>,
) -> Result<()> {
    clear_refusal();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let object = Classify(TopLevel(members, names))
        .deserialize(&mut de)
        .map_err(|e| map_error(&e))?;
    de.end().map_err(|e| map_error(&e))?;
    if object {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidJson,
            "JSON text is not an object",
        ))
    }
}

/// Keeps nothing of an object's members: [`scan_object`] as a strict check.
struct Nothing;

impl<'de> Members<'de> for Nothing {
    fn member<A: MapAccess<'de>>(
        &mut self,
        _: &str,
        map: &mut A,
    ) -> std::result::Result<(), A::Error> {
        map.next_value_seed(Skip { depth: 1 })
    }
}

fn map_error(e: &serde_json::Error) -> Error {
    match REFUSAL.with(std::cell::Cell::take) {
        Some(Refusal::Duplicate) => Error::new(
            ErrorKind::DuplicateMember,
            "a JSON object has a member name twice",
        ),
        Some(Refusal::TooMany) => Error::new(
            ErrorKind::TooLarge,
            "a JSON object has more members than the limit",
        ),
        Some(Refusal::TooDeep) => {
            Error::new(ErrorKind::TooDeep, "JSON nesting deeper than 32 levels")
        }
        // serde_json's own recursion limit (128) lies past ours: every nested value is read by
        // a visitor that counts depth, so what is left is malformed text.
        None => Error::with_detail(
            ErrorKind::InvalidJson,
            format!("malformed JSON at line {} column {}", e.line(), e.column()),
        ),
    }
}

/// Parses any JSON value strictly.
pub(crate) fn parse_value(bytes: &[u8]) -> Result<Value> {
    clear_refusal();
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
    check_object_members(bytes, usize::MAX)
}

/// [`check_object`], also refusing an object of more than `max_members` members
/// ([`ErrorKind::TooLarge`], at the first member too many).
pub(crate) fn check_object_members(bytes: &[u8], max_members: usize) -> Result<()> {
    scan_object(bytes, &mut Nothing, &mut Names::<32>::with_max(max_members))
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
    fn member_count_is_bounded_at_the_top_level_only() {
        let two = br#"{"a":1,"b":{"c":1,"d":2,"e":3}}"#;
        assert!(check_object_members(two, 2).is_ok());
        assert_eq!(
            check_object_members(two, 1).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
        assert!(check_object_members(b"{}", 1).is_ok());
        // Refused at the first member too many, before the rest is read: the malformed tail
        // after it is never reached.
        assert_eq!(
            check_object_members(br#"{"a":1,"b":2,"c":"#, 1)
                .unwrap_err()
                .kind(),
            ErrorKind::TooLarge
        );
        // A duplicate within the limit is still a duplicate.
        assert_eq!(
            check_object_members(br#"{"a":1,"a":2}"#, 5)
                .unwrap_err()
                .kind(),
            ErrorKind::DuplicateMember
        );
        let mut names = Names::<2>::with_max(2);
        assert!(!names.full());
        assert!(names.insert(Cow::Borrowed("x")) && names.insert(Cow::Borrowed("y")));
        assert!(names.full());
        assert!(!names.emptied().full());
    }

    /// Every name is found again, whichever store holds it (inline slots, hashed by
    /// fingerprint, or the ordered set past `N` and for escaped spellings), including names
    /// that share a fingerprint (same length, same first seven bytes) and the empty name.
    #[test]
    fn names_find_every_duplicate_in_every_store() {
        let mut spelled: Vec<String> = (0..150).map(|i| format!("claim_{i:03}")).collect();
        spelled.extend((0..40).map(|i| format!("{i}")));
        spelled.extend(
            ["", "a", "abcdefg", "abcdefgh", "abcdefgi", "abcdefgh_long"].map(String::from),
        );
        for owned_every in [0usize, 2, 3] {
            let mut names = Names::<'_, 32>::new();
            fn cow(owned_every: usize, i: usize, n: &str) -> Cow<'_, str> {
                if owned_every != 0 && i % owned_every == 0 {
                    Cow::Owned(n.to_owned())
                } else {
                    Cow::Borrowed(n)
                }
            }
            for (i, n) in spelled.iter().enumerate() {
                assert!(!names.contains(n), "{n:?} before it was added");
                assert!(names.insert(cow(owned_every, i, n)), "{n:?} is new");
            }
            for (i, n) in spelled.iter().enumerate() {
                assert!(names.contains(n), "{n:?}");
                // Seen again, borrowed or owned, it is a duplicate.
                assert!(!names.insert(Cow::Borrowed(n)), "{n:?} twice");
                assert!(
                    !names.insert(cow(owned_every, i + 1, n)),
                    "{n:?} twice, other spelling"
                );
            }
            assert!(!names.contains("claim_150") && !names.contains("abcdefgj"));
        }
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
}
