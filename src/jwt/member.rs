//! Member values classified by their JSON shape, for the one-pass readers of protected headers
//! (RFC 7515 §4.1) and claims sets (RFC 7519 §4.1): each [`Shape`] says what a member keeps of
//! each JSON type (a string, a number, `false`, a list of strings) and what every other value
//! becomes. One shape decides one member rule for both readers: the strict `serde_json` parser
//! reads a value through [`Classify`], the fast reader ([`super::scan`]) hands its [`Taken`]
//! value to [`taken`], and both end in the same method of the same shape.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::json::{Skip, Strs};
use super::scan::{self, Taken};
use crate::{Error, Result};

/// What a reader keeps of one JSON value, by its type. Every method not overridden gives
/// [`Shape::other`]; arrays and objects a shape does not keep are walked strictly (duplicates
/// rejected, nesting bounded) at [`Shape::depth`] and then are [`Shape::other`].
pub(crate) trait Shape<'de>: Sized {
    /// What the value becomes.
    type Out;
    /// Whether an array is read as a list of strings for [`Shape::list`] (else it is walked
    /// and is [`Shape::other`]).
    const LIST: bool = false;

    /// The nesting depth of the value: 1 for a member of a top-level object.
    fn depth(&self) -> usize {
        1
    }
    /// Any value the shape does not keep.
    fn other(self) -> Self::Out;
    /// `true` or `false`.
    fn boolean(self, _: bool) -> Self::Out {
        self.other()
    }
    /// A number, as the strict parser builds it.
    fn number(self, _: Number) -> Self::Out {
        self.other()
    }
    /// A string (`s` makes it, so a shape that does not keep strings copies nothing).
    fn string(self, _s: impl FnOnce() -> Cow<'de, str>) -> Self::Out {
        self.other()
    }
    /// An array (only when [`Shape::LIST`]): its strings, and whether every element was one.
    fn list(self, _items: Strs<'de, 4>, _strings: bool) -> Self::Out {
        self.other()
    }
    /// An object.
    fn map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Out, A::Error> {
        Skip {
            depth: self.depth(),
        }
        .visit_map(map)
        .map(|()| self.other())
    }
}

/// Reads one JSON value with the strict parser into what the shape `S` keeps of it.
#[derive(Clone, Copy)]
pub(crate) struct Classify<S>(pub(crate) S);

impl<'de, S: Shape<'de>> DeserializeSeed<'de> for Classify<S> {
    type Value = S::Out;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<S::Out, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: Shape<'de>> Visitor<'de> for Classify<S> {
    type Value = S::Out;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<S::Out, E> {
        Ok(self.0.boolean(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<S::Out, E> {
        Ok(self.0.number(Number::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<S::Out, E> {
        Ok(self.0.number(Number::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<S::Out, E> {
        // As the strict parser does: a float JSON cannot represent becomes null (another type).
        Ok(match Number::from_f64(v) {
            Some(n) => self.0.number(n),
            None => self.0.other(),
        })
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<S::Out, E> {
        Ok(self.0.string(|| Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<S::Out, E> {
        Ok(self.0.string(|| Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<S::Out, E> {
        Ok(self.0.string(|| Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> std::result::Result<S::Out, E> {
        Ok(self.0.other())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<S::Out, A::Error> {
        let depth = self.0.depth();
        if !S::LIST {
            Skip { depth }.visit_seq(seq)?;
            return Ok(self.0.other());
        }
        // Every element is read, even after a non-string, so a later duplicate member still
        // reports as one.
        let (mut items, mut strings) = (Strs::new(), true);
        while let Some(item) = seq.next_element_seed(Classify(TextAt(depth + 1)))? {
            match item {
                Text::Str(s) if strings => items.push(s),
                _ => strings = false,
            }
        }
        Ok(self.0.list(items, strings))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<S::Out, A::Error> {
        self.0.map(map)
    }
}

/// What the shape `shape` keeps of a value the fast reader took: the same methods the strict
/// parser's [`Classify`] calls.
pub(crate) fn taken<'de, S: Shape<'de>>(shape: S, value: Taken<'de>) -> S::Out {
    match value {
        Taken::Value(scan::Value::Str(s)) => shape.string(|| s),
        Taken::Value(scan::Value::Num(n)) => shape.number(n),
        Taken::Value(scan::Value::False) => shape.boolean(false),
        Taken::Value(scan::Value::Other) => shape.other(),
        Taken::List { items, strings } => shape.list(items, strings),
    }
}

/// What the shape `shape` keeps of a value already built (an extension member the header
/// reader keeps): the same methods again, so a rule read from a built value cannot differ.
pub(crate) fn built<'v, S: Shape<'v>>(shape: S, value: &'v Value) -> S::Out {
    match value {
        Value::Bool(v) => shape.boolean(*v),
        Value::Number(n) => shape.number(n.clone()),
        Value::String(s) => shape.string(|| Cow::Borrowed(s)),
        Value::Array(elements) if S::LIST => {
            let (mut items, mut strings) = (Strs::new(), true);
            for element in elements {
                match element {
                    Value::String(s) if strings => items.push(Cow::Borrowed(s)),
                    _ => strings = false,
                }
            }
            shape.list(items, strings)
        }
        Value::Null | Value::Array(_) | Value::Object(_) => shape.other(),
    }
}

/// A member that must be a string: absent, a string, or some other JSON value (a type error,
/// reported once the whole text is known to be well-formed).
#[derive(Debug, Default)]
pub(crate) enum Text<'de> {
    #[default]
    Absent,
    Str(Cow<'de, str>),
    Wrong,
}

impl<'de> Text<'de> {
    /// `Ok(None)` when absent, the string, or `err()` for another JSON type.
    pub(crate) fn get(self, err: impl FnOnce() -> Error) -> Result<Option<Cow<'de, str>>> {
        match self {
            Text::Absent => Ok(None),
            Text::Str(s) => Ok(Some(s)),
            Text::Wrong => Err(err()),
        }
    }

    /// The string, if the member is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Text::Str(s) => Some(s),
            Text::Absent | Text::Wrong => None,
        }
    }
}

/// The [`Text`] shape of a value at a given depth.
#[derive(Clone, Copy)]
pub(crate) struct TextAt(pub(crate) usize);

/// The [`Text`] shape of a member value.
pub(crate) const TEXT: TextAt = TextAt(1);

impl<'de> Shape<'de> for TextAt {
    type Out = Text<'de>;
    fn depth(&self) -> usize {
        self.0
    }
    fn other(self) -> Text<'de> {
        Text::Wrong
    }
    fn string(self, s: impl FnOnce() -> Cow<'de, str>) -> Text<'de> {
        Text::Str(s())
    }
}

/// A NumericDate member (RFC 7519 §2): absent, a JSON number, or another JSON type.
#[derive(Debug, Default)]
pub(crate) enum Date {
    #[default]
    Absent,
    Num(Number),
    Wrong,
}

/// The [`Date`] shape of a member value.
#[derive(Clone, Copy)]
pub(crate) struct DateShape;

impl Shape<'_> for DateShape {
    type Out = Date;
    fn other(self) -> Date {
        Date::Wrong
    }
    fn number(self, n: Number) -> Date {
        Date::Num(n)
    }
}

/// A member that must be a string or an array of strings (`aud`, RFC 7519 §4.1.3): absent,
/// its strings, or a value of another shape.
#[derive(Debug, Default)]
pub(crate) enum StrOrList<'de> {
    #[default]
    Absent,
    List(Strs<'de, 4>),
    Wrong,
}

/// The [`StrOrList`] shape of a member value.
#[derive(Clone, Copy)]
pub(crate) struct StrOrListShape;

impl<'de> Shape<'de> for StrOrListShape {
    type Out = StrOrList<'de>;
    const LIST: bool = true;
    fn other(self) -> StrOrList<'de> {
        StrOrList::Wrong
    }
    fn string(self, s: impl FnOnce() -> Cow<'de, str>) -> StrOrList<'de> {
        let mut list = Strs::new();
        list.push(s());
        StrOrList::List(list)
    }
    fn list(self, items: Strs<'de, 4>, strings: bool) -> StrOrList<'de> {
        if strings {
            StrOrList::List(items)
        } else {
            StrOrList::Wrong
        }
    }
}

/// A member that must be a non-empty array of strings (`crit`, RFC 7515 §4.1.11): absent, the
/// strings, an array with a non-string, or some other JSON value (the empty array among them).
#[derive(Debug, Default)]
pub(crate) enum List<'de> {
    #[default]
    Absent,
    Strs(Strs<'de, 4>),
    NotStrings,
    Wrong,
}

/// The [`List`] shape of a member value.
#[derive(Clone, Copy)]
pub(crate) struct ListShape;

impl<'de> Shape<'de> for ListShape {
    type Out = List<'de>;
    const LIST: bool = true;
    fn other(self) -> List<'de> {
        List::Wrong
    }
    fn list(self, items: Strs<'de, 4>, strings: bool) -> List<'de> {
        match (strings, items.len()) {
            (false, _) => List::NotStrings,
            (true, 0) => List::Wrong,
            (true, _) => List::Strs(items),
        }
    }
}

/// Whether a member is exactly `false` (the RFC 7797 `b64` test).
#[derive(Clone, Copy)]
pub(crate) struct IsFalse;

impl Shape<'_> for IsFalse {
    type Out = bool;
    fn other(self) -> bool {
        false
    }
    fn boolean(self, v: bool) -> bool {
        !v
    }
}
