//! Strict JSON for JOSE: objects with duplicate member names are rejected at every depth
//! (RFC 7515 §5.2 step 4, RFC 7519 §4 allow either rejection or "last wins"; tessera rejects,
//! so two parsers can never disagree on a claim), nesting is bounded, and the top level must be
//! an object where the RFCs say so. Strict base64url (RFC 7515 §2, RFC 4648 §5 without padding)
//! lives here too.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use base64::Engine as _;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::member::{Classify, Shape};
use crate::{Error, ErrorKind, Result};

/// Deepest nesting of arrays and objects accepted in a header, claims set or JWK.
pub const MAX_JSON_DEPTH: usize = 32;

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

/// base64url without padding, rejecting non-zero trailing bits (strict, RFC 7515 §2).
pub(crate) const B64: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The same language as [`B64`], decoded with the widest vector unit the CPU has (AVX2 on
/// x86-64, NEON on aarch64, detected once) and the scalar engine elsewhere: 32 characters per
/// step instead of 8, for the long payloads of large claims sets. The `base64` crate keeps the
/// `unsafe` of its intrinsics behind this safe engine.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
static B64_WIDE_ENGINE: std::sync::LazyLock<base64::engine::simd::Simd> =
    std::sync::LazyLock::new(|| {
        base64::engine::simd::Simd::url_safe(base64::engine::general_purpose::NO_PAD)
    });

/// Inputs at least this long go to the vector engine: payloads, even small ones (a 119-byte
/// claims set is 159 characters and decodes in ~260 fewer instructions there). Shorter texts,
/// such as HMAC and ECDSA signatures, stay on the eight-character loop, which needs no set-up
/// and whose strictness checks are the same.
const WIDE_FROM: usize = 128;

/// What every strict base64url decoder here reports.
const BAD_BASE64: Error = Error::new(ErrorKind::InvalidBase64, "not strict base64url");

/// Decodes strict base64url.
pub(crate) fn b64_decode(input: &[u8]) -> Result<Vec<u8>> {
    let mut out = vec![0; base64::decoded_len_estimate(input.len())];
    let n = b64_decode_slice(input, &mut out).ok_or(BAD_BASE64)?;
    out.truncate(n);
    Ok(out)
}

/// Strict base64url into `out`, which has room for `decoded_len_estimate` octets: texts of
/// [`WIDE_FROM`] characters or more on the vector engine, shorter ones on the eight-character
/// loop, and whatever either refuses decided by [`B64`]. The decoded length, or `None` when
/// the input is not strict base64url.
fn b64_decode_slice(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let fast = if input.len() >= WIDE_FROM {
        b64_decode_wide(input, out)
    } else {
        b64_decode_fast(input, out)
    };
    fast.or_else(|| B64.decode_slice(input, out).ok())
}

/// Strict base64url into `out` with the vector engine: the decoded length, or `None` when the
/// input is not strict base64url or `out` is too small.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn b64_decode_wide(input: &[u8], out: &mut [u8]) -> Option<usize> {
    B64_WIDE_ENGINE.decode_slice(input, out).ok()
}

/// Without a vector engine for this architecture, long texts take the eight-character loop.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn b64_decode_wide(input: &[u8], out: &mut [u8]) -> Option<usize> {
    b64_decode_fast(input, out)
}

/// The base64url alphabet's values; 0xFF for every other byte (including `=`).
const B64_VALUES: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut table = [0xFF; 256];
    let mut i = 0u8;
    while i < 64 {
        table[alphabet[i as usize] as usize] = i;
        i += 1;
    }
    table
};

/// [`B64_VALUES`] widened for the eight-character loop: a valid character's value, or all bits
/// from 6 up set for any other byte. OR-ing a character into an accumulator that is then shifted
/// left by 6 keeps those bits set, so after eight characters the accumulator is below 2^48
/// exactly when all eight were valid: the validity check rides on the decoding.
const B64_WIDE: [u64; 256] = {
    let mut table = [!0x3F_u64; 256];
    let mut i = 0;
    while i < 256 {
        if B64_VALUES[i] != 0xFF {
            table[i] = B64_VALUES[i] as u64;
        }
        i += 1;
    }
    table
};

/// Strict base64url without padding (the language [`B64`] accepts: alphabet only, a length
/// that is not 1 mod 4, zero trailing bits) into `out`: the decoded length, or `None` when the
/// input is not strict base64url or `out` is too small.
fn b64_decode_fast(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let v = |c: u8| B64_VALUES[usize::from(c)];
    let full = input.len() / 4;
    let tail_len = input.len() % 4;
    if tail_len == 1 {
        return None;
    }
    let n = full * 3 + tail_len.saturating_sub(1);
    let out = out.get_mut(..n)?;
    let (quads, tail) = input.split_at(full * 4);
    let (whole, rest) = out.split_at_mut(full * 3);
    let mut bad = 0u8;
    // Eight characters (six octets) at a time, each block written as one 8-byte store whose
    // last two bytes the next block (or the 4-character loop) overwrites; the final two
    // quads always go through the 4-character loop, so no store passes `whole`.
    let eights = (quads.len() / 8).saturating_sub(1);
    let w = |c: u8| B64_WIDE[usize::from(c)];
    let mut wide_bad = 0u64;
    for (k, e) in quads[..eights * 8].chunks_exact(8).enumerate() {
        let acc = [e[1], e[2], e[3], e[4], e[5], e[6], e[7]]
            .iter()
            .fold(w(e[0]), |acc, &c| acc << 6 | w(c));
        wide_bad |= acc;
        whole[6 * k..6 * k + 8].copy_from_slice(&(acc << 16).to_be_bytes());
    }
    if wide_bad >> 48 != 0 {
        return None;
    }
    let (quads, whole) = (&quads[eights * 8..], &mut whole[eights * 6..]);
    for (q, o) in quads.chunks_exact(4).zip(whole.chunks_exact_mut(3)) {
        let (a, b, c, d) = (v(q[0]), v(q[1]), v(q[2]), v(q[3]));
        bad |= a | b | c | d;
        let word = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
        let [_, x, y, z] = word.to_be_bytes();
        o.copy_from_slice(&[x, y, z]);
    }
    match *tail {
        [] => {}
        [a, b] => {
            let (a, b) = (v(a), v(b));
            bad |= a | b | if b & 0x0F != 0 { 0x80 } else { 0 };
            rest[0] = a << 2 | b >> 4;
        }
        [a, b, c] => {
            let (a, b, c) = (v(a), v(b), v(c));
            bad |= a | b | c | if c & 0x03 != 0 { 0x80 } else { 0 };
            rest[0] = a << 2 | b >> 4;
            rest[1] = b << 4 | c >> 2;
        }
        _ => return None,
    }
    (bad & 0x80 == 0).then_some(n)
}

/// Decodes strict base64url into `stack` when it fits, else into `heap` (the same decoders as
/// [`b64_decode`]), returning the octets.
pub(crate) fn b64_decode_into<'b>(
    input: &[u8],
    stack: &'b mut [u8],
    heap: &'b mut Vec<u8>,
) -> Result<&'b [u8]> {
    if base64::decoded_len_estimate(input.len()) <= stack.len() {
        let n = b64_decode_slice(input, stack).ok_or(BAD_BASE64)?;
        Ok(&stack[..n])
    } else {
        *heap = b64_decode(input)?;
        Ok(heap)
    }
}

/// Encodes base64url without padding.
pub(crate) fn b64_encode(input: &[u8]) -> String {
    B64.encode(input)
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

    /// Adds a member name; `false` when the object already had it.
    #[inline]
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8192))]

        /// The same on long texts with one arbitrary byte anywhere (the eight-character loop).
        #[test]
        fn fast_base64_matches_the_engine_on_long_texts(
            text in "[A-Za-z0-9_\\-]{0,200}",
            at in 0usize..200,
            byte in proptest::prelude::any::<u8>(),
        ) {
            let mut bytes = text.into_bytes();
            if !bytes.is_empty() && at % 3 != 0 {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            let mut out = [0u8; 256];
            let fast = b64_decode_fast(&bytes, &mut out).map(|n| out[..n].to_vec());
            proptest::prop_assert_eq!(fast, B64.decode(&bytes).ok());
        }

        /// The vector engine and both entry points that use it (`b64_decode` and
        /// `b64_decode_into`, stack and heap) accept exactly what the scalar engine accepts,
        /// with the same octets: texts across `WIDE_FROM` and several 32-character blocks, with
        /// up to two arbitrary bytes anywhere (in a block, in the tail, in the last quad's
        /// trailing bits) and every length mod 4.
        #[test]
        fn wide_base64_matches_the_engine(
            text in "[A-Za-z0-9_\\-]{100,400}",
            edits in proptest::collection::vec(
                (0usize..400, proptest::prelude::any::<u8>()),
                0..3,
            ),
        ) {
            let mut bytes = text.into_bytes();
            for (at, byte) in edits {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            let expected = B64.decode(&bytes).ok();
            #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
            {
                let mut out = [0u8; 320];
                let wide = b64_decode_wide(&bytes, &mut out).map(|n| out[..n].to_vec());
                proptest::prop_assert_eq!(&wide, &expected);
            }
            proptest::prop_assert_eq!(&b64_decode(&bytes).ok(), &expected);
            let (mut stack, mut heap) = ([0u8; 320], Vec::new());
            let into = b64_decode_into(&bytes, &mut stack, &mut heap).ok().map(<[u8]>::to_vec);
            proptest::prop_assert_eq!(&into, &expected);
            let (mut small, mut heap) = ([0u8; 16], Vec::new());
            let into = b64_decode_into(&bytes, &mut small, &mut heap).ok().map(<[u8]>::to_vec);
            proptest::prop_assert_eq!(&into, &expected);
        }

        /// The fast decoder accepts exactly what the engine accepts, with the same octets.
        #[test]
        fn fast_base64_matches_the_engine(
            text in "[A-Za-z0-9_\\-]{0,40}[A-Za-z0-9_\\-=+/. ]{0,2}[A-Za-z0-9_\\-]{0,3}"
        ) {
            let mut out = [0u8; 64];
            let fast = b64_decode_fast(text.as_bytes(), &mut out).map(|n| out[..n].to_vec());
            proptest::prop_assert_eq!(fast, B64.decode(text.as_bytes()).ok());
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
