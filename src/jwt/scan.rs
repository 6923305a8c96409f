//! A fast, conservative reader for the JSON of headers and claims sets on the verification path.
//!
//! It accepts a strict subset of what [`super::json`] accepts and reads it to the same values:
//! an object at the top, no duplicate member names at any depth, nesting below
//! [`MAX_JSON_DEPTH`], valid UTF-8 without control characters in strings, the standard escapes
//! (but not `\u` escapes of surrogates), and numbers of at most 20 significant digits and
//! 3 exponent digits (integers that fit `i64`/`u64`, or finite floats). Anything else — every
//! malformed text, and the few valid ones outside the subset — makes it give up (`None`) and
//! the caller reads the text again with the `serde_json`-based strict parser, which decides and
//! reports exactly as before. So the fast path changes speed, never a result: the tests compare
//! the two readers on generated texts.

use std::borrow::Cow;

use serde_json::Number;

use super::json::{MAX_JSON_DEPTH, Names};

/// Broadcasts a byte to all eight lanes of a `u64`.
const fn lanes(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

const HIGHS: u64 = lanes(0x80);

/// The high bit of each byte of `v` below `n` (`n` <= 128), possibly with false ones above the
/// first true one: the classic SWAR test, so the lowest flag marks the first such byte.
const fn less(v: u64, n: u8) -> u64 {
    v.wrapping_sub(lanes(n)) & !v & HIGHS
}

/// The eight bytes of `chunk` (of length 8) as a word.
fn word(chunk: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    u64::from_le_bytes(w)
}

/// A JSON number as the strict parser would build it.
pub(crate) type Num = Number;

/// A member value as the claims and header readers want it.
pub(crate) enum Value<'a> {
    Str(Cow<'a, str>),
    Num(Num),
    False,
    /// Anything else (already walked and checked).
    Other,
}

/// What a reader of a top-level object does with each member.
pub(crate) trait Fields<'a> {
    /// How to read the value of member `name`.
    fn want(&mut self, name: &str) -> Want;
    /// Receives the value of the member [`Want::Value`] or [`Want::StrList`] named `id`.
    fn take(&mut self, id: u8, value: Taken<'a>);
}

/// How a member's value is to be read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Walked and checked, not kept.
    Skip,
    /// A scalar value (strings, numbers, `false`; anything else is [`Value::Other`]), for the
    /// field the reader calls `id`.
    Value(u8),
    /// A string or an array of strings, for the field `id`.
    StrList(u8),
}

/// A member value handed to [`Fields::take`].
pub(crate) enum Taken<'a> {
    Value(Value<'a>),
    /// An array whose elements were all strings (`strings` false when one was not; the array
    /// is then fully walked but its strings are not all kept).
    List {
        items: super::json::Strs<'a, 4>,
        strings: bool,
    },
}

/// A reader over a text already known to be UTF-8 (checked once, up front), so strings are
/// slices of it between ASCII quotes.
struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    fn literal(&mut self, lit: &[u8]) -> Option<()> {
        let end = self.i + lit.len();
        (self.b.get(self.i..end)? == lit).then(|| self.i = end)
    }

    /// A string; the reader is at its opening quote.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.i;
        loop {
            // Eight bytes at a time while none is a quote, a backslash or a control character.
            while let Some(chunk) = self.b.get(self.i..self.i + 8) {
                let v = word(chunk);
                let stop = less(v ^ lanes(b'"'), 1) | less(v ^ lanes(b'\\'), 1) | less(v, 0x20);
                if stop != 0 {
                    // Little-endian: the lowest flag is the first quote, backslash or control.
                    self.i += (stop.trailing_zeros() / 8) as usize;
                    break;
                }
                self.i += 8;
            }
            match self.peek()? {
                b'"' => break,
                b'\\' => return self.escaped(start),
                c if c < 0x20 => return None,
                _ => self.i += 1,
            }
        }
        let s = self.s.get(start..self.i)?;
        self.i += 1;
        Some(Cow::Borrowed(s))
    }

    /// The rest of a string with escapes, from `start` (the reader is at a backslash).
    fn escaped(&mut self, start: usize) -> Option<Cow<'a, str>> {
        let mut out = String::with_capacity(self.i - start + 16);
        let mut run = start;
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    out.push_str(self.s.get(run..self.i)?);
                    self.i += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    out.push_str(self.s.get(run..self.i)?);
                    let e = *self.b.get(self.i + 1)?;
                    self.i += 2;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self.s.get(self.i..self.i + 4)?;
                            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                                return None;
                            }
                            self.i += 4;
                            // Surrogates (paired or not) are left to the strict parser.
                            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                        }
                        _ => return None,
                    });
                    run = self.i;
                }
                c if c < 0x20 => return None,
                _ => self.i += 1,
            }
        }
    }

    /// A number, as the strict parser builds it; `None` outside the fast subset.
    fn number(&mut self) -> Option<Num> {
        let start = self.i;
        let neg = self.eat(b'-').is_some();
        let int_start = self.i;
        // The integer part's value, accumulated while scanning (exact up to 19 digits).
        let mut int = 0u64;
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    int = int.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                    self.i += 1;
                }
            }
            _ => return None,
        }
        let int_digits = self.i - int_start;
        if !neg && int_digits <= 19 && !matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            // The common case, a non-negative integer below 10^19: no second pass.
            return Some(Number::from(int));
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            let frac = self.i;
            while let Some(b'0'..=b'9') = self.peek() {
                self.i += 1;
            }
            if self.i == frac || self.i - frac + int_digits > 20 {
                return None;
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            let exp = self.i;
            while let Some(b'0'..=b'9') = self.peek() {
                self.i += 1;
            }
            if self.i == exp || self.i - exp > 3 {
                return None;
            }
            float = true;
        }
        if int_digits > 20 {
            return None;
        }
        let text = self.s.get(start..self.i)?;
        if float {
            // Correctly rounded, as serde_json's `float_roundtrip` parse; -0.0 and friends are
            // left to the strict parser.
            let f: f64 = text.parse().ok()?;
            if !f.is_finite() || (neg && f == 0.0) {
                return None;
            }
            return Number::from_f64(f);
        }
        if neg {
            // "-0" is a float to serde_json: leave it to the strict parser.
            let v: i64 = text.parse().ok()?;
            if v == 0 {
                return None;
            }
            Some(Number::from(v))
        } else {
            Some(Number::from(text.parse::<u64>().ok()?))
        }
    }

    /// Walks any value at `depth`, checking it.
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(depth),
            b'[' => {
                if depth >= MAX_JSON_DEPTH {
                    return None;
                }
                self.i += 1;
                self.ws();
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.ws();
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number().map(drop),
        }
    }

    /// Walks a nested object at `depth`, rejecting duplicate member names.
    fn object(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_JSON_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        let mut names = Names::<'a, 8>::new();
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            if !names.insert(key) {
                return None;
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            self.skip(depth + 1)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A scalar member value (depth 1); containers are walked and give [`Value::Other`].
    fn value(&mut self) -> Option<Value<'a>> {
        Some(match self.peek()? {
            b'"' => Value::Str(self.string()?),
            b'f' => {
                self.literal(b"false")?;
                Value::False
            }
            b'-' | b'0'..=b'9' => Value::Num(self.number()?),
            _ => {
                self.skip(1)?;
                Value::Other
            }
        })
    }

    /// A string or an array (depth 1) whose elements are kept while they are strings.
    fn str_list(&mut self) -> Option<Taken<'a>> {
        if self.peek()? != b'[' {
            return self.value().map(Taken::Value);
        }
        self.i += 1;
        let mut items = super::json::Strs::new();
        let mut strings = true;
        self.ws();
        if self.eat(b']').is_none() {
            loop {
                self.ws();
                if strings && self.peek()? == b'"' {
                    items.push(self.string()?);
                } else {
                    strings = false;
                    self.skip(2)?;
                }
                self.ws();
                match self.peek()? {
                    b',' => self.i += 1,
                    b']' => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        Some(Taken::List { items, strings })
    }
}

/// Reads a JSON text that must be an object, handing the members `fields` asks for to it and
/// recording every member name in `names`. `None`: outside the fast subset (or invalid, or
/// with more members than `names` holds): read it with the strict parser instead (`fields` and
/// `names` may then hold partial results).
pub(crate) fn object<'a, F: Fields<'a>>(
    text: &'a [u8],
    fields: &mut F,
    names: &mut Names<'a, 32>,
) -> Option<()> {
    // UTF-8 once for the whole text: outside strings only ASCII is valid JSON anyway.
    let s = std::str::from_utf8(text).ok()?;
    let mut r = Reader {
        s,
        b: s.as_bytes(),
        i: 0,
    };
    r.ws();
    r.eat(b'{')?;
    r.ws();
    if r.eat(b'}').is_none() {
        loop {
            r.ws();
            let key = r.string()?;
            let want = fields.want(&key);
            if names.full() || !names.insert(key) {
                return None;
            }
            r.ws();
            r.eat(b':')?;
            r.ws();
            match want {
                Want::Skip => r.skip(1)?,
                Want::Value(id) => {
                    let v = r.value()?;
                    fields.take(id, Taken::Value(v));
                }
                Want::StrList(id) => {
                    let v = r.str_list()?;
                    fields.take(id, v);
                }
            }
            r.ws();
            match r.peek()? {
                b',' => r.i += 1,
                b'}' => {
                    r.i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    r.ws();
    (r.i == text.len()).then_some(())
}

/// Generated JSON-like texts for comparing the fast reader with the strict parser: valid
/// objects in many spellings (escapes, numbers at the edges, deep nesting, duplicates), then
/// the same with one byte changed, inserted or deleted.
#[cfg(test)]
pub(crate) mod texts {
    use proptest::prelude::*;

    fn key() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            r#""iss""#,
            r#""sub""#,
            r#""aud""#,
            r#""exp""#,
            r#""nbf""#,
            r#""iat""#,
            r#""jti""#,
            r#""alg""#,
            r#""typ""#,
            r#""kid""#,
            r#""cty""#,
            r#""crit""#,
            r#""b64""#,
            r#""x""#,
            r#""scope""#,
            r#""\u0061ud""#,
            r#""\u0065xp""#,
            r#""a\"b""#,
            r#""""#,
            r#""ex\/p""#,
            r#""é""#,
            r#""\u00e9""#,
        ])
        .prop_map(str::to_owned)
    }

    fn leaf() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "null",
            "true",
            "false",
            "0",
            "-0",
            "-0.0",
            "0.0",
            "1",
            "-1",
            "1.5",
            "-1.5e3",
            "1e400",
            "1E-400",
            "1e-320",
            "18446744073709551615",
            "18446744073709551616",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "1800000000",
            "1800000000.9",
            "-1800000000.5",
            "0.1",
            "00",
            "01",
            "1.",
            "-",
            "1e",
            "2e+3",
            "2E-3",
            "1e0001",
            "123456789012345678901234",
            "12345678901234567890.5",
            "0.12345678901234567890123",
            r#""api""#,
            r#""a\nb""#,
            r#""\ud83d\ude00""#,
            r#""\ud800""#,
            r#""\udc00x""#,
            r#""é""#,
            r#""\u00e9""#,
            "\"a\tb\"",
            r#""\x""#,
            r#""\/""#,
            r#""\u0000""#,
            r#""\u00""#,
            r#""https:\/\/as""#,
            r#""JWT""#,
            r#""HS256""#,
            r#""none""#,
            r#""a b c d e f g h i j k l""#,
            r#""0123456789abcdef0123456789""#,
            "[]",
            "{}",
            r#"["a","b"]"#,
            r#"["a",1]"#,
            r#"[1,"a"]"#,
            "[[]]",
        ])
        .prop_map(str::to_owned)
    }

    fn value() -> impl Strategy<Value = String> {
        leaf().prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec((key(), inner), 0..4).prop_map(|m| {
                    let m: Vec<String> = m.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    format!("{{{}}}", m.join(","))
                }),
                (28usize..36).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
                (28usize..36).prop_map(|n| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))),
            ]
        })
    }

    /// A text that is, or nearly is, a JSON object.
    pub(crate) fn text() -> impl Strategy<Value = Vec<u8>> {
        let object = prop::collection::vec(
            (
                key(),
                value(),
                prop::sample::select(vec!["", " ", "\n\t", "\r "]),
            ),
            0..8,
        )
        .prop_map(|m| {
            let m: Vec<String> = m
                .into_iter()
                .map(|(k, v, w)| format!("{w}{k}{w}:{w}{v}{w}"))
                .collect();
            format!("{{{}}}", m.join(","))
        });
        let top = prop_oneof![
            8 => object,
            1 => value(),
            1 => object_then(" {}"),
        ];
        (
            top,
            prop::option::of((any::<prop::sample::Index>(), 0u8..3, any::<u8>())),
        )
            .prop_map(|(text, edit)| {
                let mut bytes = text.into_bytes();
                if let Some((at, op, byte)) = edit {
                    let i = at.index(bytes.len() + 1);
                    let byte = *[byte, b'"', b'\\', b',', b'}', b']', b'.', 0xff, 0xc3]
                        .get(usize::from(byte) % 9)
                        .unwrap_or(&byte);
                    match op {
                        0 if i < bytes.len() => bytes[i] = byte,
                        1 if i < bytes.len() => {
                            let _ = bytes.remove(i);
                        }
                        _ => bytes.insert(i, byte),
                    }
                }
                bytes
            })
    }

    fn object_then(tail: &'static str) -> impl Strategy<Value = String> {
        (key(), leaf()).prop_map(move |(k, v)| format!("{{{k}:{v}}}{tail}"))
    }
}
