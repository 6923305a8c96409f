//! Scopes: RFC 6749 §3.3 scope strings, normalised scope sets, `resource:action` scopes with a
//! host-configured implication table, and the scope claims of access tokens (RFC 9068 §2.2.3).
//!
//! - [`Scope`] is one scope token, `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )` (RFC 6749 §3.3).
//! - [`ScopeSet`] is a normalised set of scopes: deduplicated and sorted by byte order, so equal sets
//!   serialise to the same space-delimited string. [`ScopeSet::parse`] accepts exactly
//!   `scope = scope-token *( SP scope-token )`, or the empty string for "no scope".
//! - [`Implications`] says which granted scope implies which requested one. Nothing is implied by the
//!   shape of a string unless the host configures it: `job:*` implies `job:read` only with
//!   [`Implications::wildcard_actions`], `all` implies everything only with
//!   [`Implications::superscope`], and `job:write` implies `job:read` only with
//!   [`Implications::rule`].
//! - [`ScopeSet::covers`], [`ScopeSet::narrow`] and [`ScopeSet::reduce`] are the subset checks
//!   used for down-scoping (refresh, task-scoped tokens, reduced API keys) and for normalising on
//!   issue.
//! - [`ScopeSet::from_claims`] reads `scope` / `scp` in their common JSON shapes;
//!   [`ScopeSet::to_claim_value`] writes the RFC 9068 §2.2.3 space-delimited string.
//!
//! Input sizes are bounded before any allocation proportional to the input: see [`MAX_SCOPES`],
//! [`MAX_SCOPE_LEN`] and [`MAX_SCOPE_STRING`].
//!
//! ```
//! use tessera::scope::{Implications, ScopeSet};
//! use tessera::ErrorKind;
//!
//! let imp = Implications::none()
//!     .wildcard_actions()
//!     .superscope("all")?
//!     .rule("job:write", "job:read")?;
//!
//! // Normalised: deduplicated and sorted.
//! let granted = ScopeSet::parse("recording:* job:write recording:*")?;
//! assert_eq!(granted.to_string(), "job:write recording:*");
//!
//! // Down-scoping a refresh: every requested scope must be implied by the grant.
//! let requested = ScopeSet::parse("recording:delete job:read")?;
//! assert!(granted.covers(&requested, &imp));
//! assert_eq!(granted.narrow(&requested, &imp)?.to_string(), "job:read recording:delete");
//!
//! let err = granted.check_covers(&ScopeSet::parse("billing:read")?, &imp).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::ScopeNotGranted);
//!
//! // RFC 6749 §3.3 grammar: one space between tokens, no quotes or backslashes.
//! assert_eq!(ScopeSet::parse("job:read  job:write").unwrap_err().kind(), ErrorKind::InvalidScope);
//! # Ok::<(), tessera::Error>(())
//! ```

mod claims;
mod implications;

use std::borrow::Borrow;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

pub use crate::limits::{MAX_SCOPE_LEN, MAX_SCOPE_STRING, MAX_SCOPES};
use crate::{Error, ErrorKind, Result};
use claims::read_claim;
pub use implications::Implications;
use implications::Reach;

/// Whether `b` is an RFC 6749 §3.3 `NQCHAR`: `%x21 / %x23-5B / %x5D-7E`.
pub(crate) const fn is_nqchar(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

/// Names the character at byte `pos` of `text` as `U+XXXX`, without echoing it.
///
/// Used by every grammar error that points at a character (scopes, PKCE).
pub(crate) fn describe_char(text: &str, pos: usize) -> String {
    let code = text
        .get(pos..)
        .and_then(|rest| rest.chars().next())
        .map(u32::from)
        .or_else(|| text.as_bytes().get(pos).map(|&b| u32::from(b)))
        .unwrap_or(0);
    format!("U+{code:04X}")
}

fn bad_char(text: &str, pos: usize) -> Error {
    Error::with_detail(
        ErrorKind::InvalidScope,
        format!(
            "character {} at byte {pos} is not allowed in a scope token",
            describe_char(text, pos)
        ),
    )
}

/// One validated scope token (RFC 6749 §3.3 `scope-token`).
///
/// Ordered by bytes, like the `str` it holds. A scope of the form `resource:action` (split at the
/// first `:`, both parts non-empty) is a structured scope; see [`Scope::resource`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope(String);

impl Scope {
    /// Validates one scope token: 1 to [`MAX_SCOPE_LEN`] bytes of `%x21 / %x23-5B / %x5D-7E`.
    ///
    /// Errors: [`ErrorKind::TooLarge`] past the length limit, else [`ErrorKind::InvalidScope`]
    /// naming the first offending character (as `U+XXXX`) and its byte position.
    pub fn new(token: &str) -> Result<Scope> {
        if token.is_empty() {
            return Err(Error::new(ErrorKind::InvalidScope, "empty scope token"));
        }
        if token.len() > MAX_SCOPE_LEN {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "scope token longer than 256 bytes",
            ));
        }
        if let Some(pos) = token.bytes().position(|b| !is_nqchar(b)) {
            return Err(bad_char(token, pos));
        }
        Ok(Scope(token.to_owned()))
    }

    /// The scope token as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For `resource:action`, the part before the first `:`; `None` when the scope has no `:` or
    /// either part would be empty (`job`, `:read`, `job:`).
    pub fn resource(&self) -> Option<&str> {
        self.split().map(|(resource, _)| resource)
    }

    /// For `resource:action`, the part after the first `:` (it may itself contain `:`); `None`
    /// when the scope is not structured (see [`Scope::resource`]).
    pub fn action(&self) -> Option<&str> {
        self.split().map(|(_, action)| action)
    }

    fn split(&self) -> Option<(&str, &str)> {
        self.0
            .split_once(':')
            .filter(|(resource, action)| !resource.is_empty() && !action.is_empty())
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Scope {
    type Err = Error;
    fn from_str(s: &str) -> Result<Scope> {
        Scope::new(s)
    }
}

impl AsRef<str> for Scope {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

// Sound: `Scope`'s Eq, Ord and Hash are those of the `String` it wraps, which agree with `str`'s.
impl Borrow<str> for Scope {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Scope {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Scope, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scope;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 6749 scope token")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scope, E> {
                Scope::new(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Checks a whole scope string without allocating and returns how many tokens it holds.
fn scan_scope_string(s: &str) -> Result<usize> {
    if s.len() > MAX_SCOPE_STRING {
        return Err(Error::new(
            ErrorKind::TooLarge,
            "scope string longer than 16384 bytes",
        ));
    }
    if s.is_empty() {
        return Ok(0);
    }
    let mut count = 0usize;
    let mut start = 0usize;
    for (i, b) in s.bytes().enumerate() {
        if b == b' ' {
            if i == start {
                return Err(if i == 0 {
                    Error::new(ErrorKind::InvalidScope, "leading space at byte 0")
                } else {
                    Error::with_detail(
                        ErrorKind::InvalidScope,
                        format!("double space at byte {i}: exactly one space separates scopes"),
                    )
                });
            }
            count += 1;
            if count > MAX_SCOPES {
                return Err(Error::new(ErrorKind::TooLarge, "more than 256 scopes"));
            }
            start = i + 1;
        } else if !is_nqchar(b) {
            return Err(bad_char(s, i));
        } else if i - start >= MAX_SCOPE_LEN {
            return Err(Error::with_detail(
                ErrorKind::TooLarge,
                format!("scope token at byte {start} is longer than 256 bytes"),
            ));
        }
    }
    if start == s.len() {
        return Err(Error::with_detail(
            ErrorKind::InvalidScope,
            format!("trailing space at byte {}", s.len() - 1),
        ));
    }
    count += 1;
    if count > MAX_SCOPES {
        return Err(Error::new(ErrorKind::TooLarge, "more than 256 scopes"));
    }
    Ok(count)
}

/// Gathers scopes from untrusted input, enforcing the limits across all of it before allocating.
#[derive(Default)]
struct Collector {
    set: BTreeSet<Scope>,
    /// Tokens seen so far, duplicates included.
    tokens: usize,
    /// Length of the space-delimited string of every token seen so far.
    bytes: usize,
}

impl Collector {
    /// Reserves room for `tokens` more tokens spanning `bytes` bytes (separators included).
    fn account(&mut self, tokens: usize, bytes: usize) -> Result<()> {
        if tokens == 0 {
            return Ok(());
        }
        let separator = usize::from(self.tokens > 0);
        let tokens = self.tokens.saturating_add(tokens);
        let bytes = self.bytes.saturating_add(separator).saturating_add(bytes);
        if tokens > MAX_SCOPES {
            return Err(Error::new(ErrorKind::TooLarge, "more than 256 scopes"));
        }
        if bytes > MAX_SCOPE_STRING {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "scopes longer than 16384 bytes in all",
            ));
        }
        self.tokens = tokens;
        self.bytes = bytes;
        Ok(())
    }

    fn add_string(&mut self, s: &str) -> Result<()> {
        let count = scan_scope_string(s)?;
        self.account(count, s.len())?;
        if count > 0 {
            // Every token was validated by the scan.
            self.set
                .extend(s.split(' ').map(|token| Scope(token.to_owned())));
        }
        Ok(())
    }

    fn add_token(&mut self, token: &str) -> Result<()> {
        self.account(1, token.len())?;
        let _ = self.set.insert(Scope::new(token)?);
        Ok(())
    }
}

/// A normalised set of scopes: deduplicated and sorted by byte order.
///
/// Its text form (`Display`, [`ScopeSet::to_scope_string`], serde) is the RFC 6749 §3.3 /
/// RFC 9068 §2.2.3 space-delimited string; the empty set is the empty string. Equal sets have
/// equal text forms.
///
/// The size limits apply to what is parsed from untrusted input ([`ScopeSet::parse`],
/// [`ScopeSet::from_claims`], deserialisation); sets the host builds with
/// [`ScopeSet::insert`], [`ScopeSet::union`] or `collect` are not limited.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScopeSet {
    scopes: BTreeSet<Scope>,
}

impl ScopeSet {
    /// The empty set.
    pub const fn new() -> ScopeSet {
        ScopeSet {
            scopes: BTreeSet::new(),
        }
    }

    /// Parses an RFC 6749 §3.3 scope string: `scope-token *( SP scope-token )`, exactly one space
    /// between tokens, no leading or trailing space, no tabs.
    ///
    /// The empty string parses to the empty set (a request without a scope); what an absent scope
    /// means is the host's policy (RFC 6749 §3.3).
    ///
    /// Errors: [`ErrorKind::TooLarge`] if the string is longer than [`MAX_SCOPE_STRING`] (checked
    /// first), has more than [`MAX_SCOPES`] tokens or a token longer than [`MAX_SCOPE_LEN`];
    /// [`ErrorKind::InvalidScope`] naming the offending character (`U+XXXX`) or space and its byte
    /// position.
    pub fn parse(s: &str) -> Result<ScopeSet> {
        let mut collector = Collector::default();
        collector.add_string(s)?;
        Ok(ScopeSet {
            scopes: collector.set,
        })
    }

    /// The scopes, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Scope> + ExactSizeIterator + Clone {
        self.scopes.iter()
    }

    /// How many distinct scopes the set holds.
    pub fn len(&self) -> usize {
        self.scopes.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty()
    }

    /// Whether the set holds exactly this scope (no implication; see [`ScopeSet::covers`]).
    pub fn contains(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// Adds a scope; returns whether it was new.
    pub fn insert(&mut self, scope: Scope) -> bool {
        self.scopes.insert(scope)
    }

    /// Every scope in either set.
    pub fn union(&self, other: &ScopeSet) -> ScopeSet {
        self.scopes.union(&other.scopes).cloned().collect()
    }

    /// The scopes present, literally, in both sets (no implication).
    pub fn intersection(&self, other: &ScopeSet) -> ScopeSet {
        self.scopes.intersection(&other.scopes).cloned().collect()
    }

    /// The RFC 9068 §2.2.3 space-delimited string (the same as `Display`).
    pub fn to_scope_string(&self) -> String {
        self.to_string()
    }

    /// The `scope` claim value: the space-delimited string as a JSON string (RFC 9068 §2.2.3).
    pub fn to_claim_value(&self) -> Value {
        Value::String(self.to_scope_string())
    }

    /// Whether every requested scope is implied by some scope of this (granted) set.
    pub fn covers(&self, requested: &ScopeSet, imp: &Implications) -> bool {
        let reach = imp.reach(self.scopes.iter());
        requested.iter().all(|r| reach.covers(r))
    }

    /// Like [`ScopeSet::covers`], as a `Result`: [`ErrorKind::ScopeNotGranted`] giving the
    /// position (from 1, in the set's order) of the first requested scope that is not covered.
    /// The detail never copies the scope itself: it may reach a client as `error_description`.
    pub fn check_covers(&self, requested: &ScopeSet, imp: &Implications) -> Result<()> {
        let reach = imp.reach(self.scopes.iter());
        match requested.iter().position(|r| !reach.covers(r)) {
            None => Ok(()),
            Some(i) => Err(Error::with_detail(
                ErrorKind::ScopeNotGranted,
                format!(
                    "requested scope {} of {} is not granted",
                    i + 1,
                    requested.len()
                ),
            )),
        }
    }

    /// Down-scoping (refresh, task-scoped tokens, reduced API keys): the requested set, provided
    /// this (granted) set covers it, else [`ErrorKind::ScopeNotGranted`] as in
    /// [`ScopeSet::check_covers`].
    pub fn narrow(&self, requested: &ScopeSet, imp: &Implications) -> Result<ScopeSet> {
        self.check_covers(requested, imp)?;
        Ok(requested.clone())
    }

    /// Normalises on issue: drops every scope implied by another scope of the set (`job:read` next
    /// to `job:write` when `job:write` implies it). Of scopes that imply each other, the first in
    /// byte order is kept. The result covers exactly what the set covers.
    pub fn reduce(&self, imp: &Implications) -> ScopeSet {
        let reaches: Vec<(&Scope, Reach<'_>)> = self
            .scopes
            .iter()
            .map(|s| (s, imp.reach(std::iter::once(s))))
            .collect();
        reaches
            .iter()
            .filter(|(s, s_reach)| {
                !reaches.iter().any(|(t, t_reach)| {
                    t != s && t_reach.covers(s) && !(s < t && s_reach.covers(t))
                })
            })
            .map(|(s, _)| (*s).clone())
            .collect()
    }

    /// Reads the scopes of a JWT claims object.
    ///
    /// Accepted, for each of `scope` and `scp`:
    /// - a space-delimited string, parsed as by [`ScopeSet::parse`] (RFC 9068 §2.2.3, and `scp` as
    ///   Azure AD writes it);
    /// - an array whose elements are each either a string holding exactly one scope token, or an
    ///   object `{"actions": ["job:read", ...]}`; an object may also carry
    ///   `"resource": "job"`, and then each action is a verb joined to it as `job:<action>`
    ///   (the resource must be a scope token without `:`). Other members of such objects are
    ///   ignored.
    ///
    /// When both `scope` and `scp` are present the result is their union. When neither is, the
    /// result is the empty set. The size limits apply to both claims together.
    ///
    /// Errors: [`ErrorKind::InvalidClaimType`] for any other JSON type (including `null`),
    /// [`ErrorKind::InvalidScope`] and [`ErrorKind::TooLarge`] as in [`ScopeSet::parse`].
    pub fn from_claims(claims: &Map<String, Value>) -> Result<ScopeSet> {
        let mut collector = Collector::default();
        for name in ["scope", "scp"] {
            if let Some(value) = claims.get(name) {
                read_claim(&mut collector, name, value)?;
            }
        }
        Ok(ScopeSet {
            scopes: collector.set,
        })
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for scope in &self.scopes {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            f.write_str(scope.as_str())?;
        }
        Ok(())
    }
}

impl FromStr for ScopeSet {
    type Err = Error;
    fn from_str(s: &str) -> Result<ScopeSet> {
        ScopeSet::parse(s)
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> ScopeSet {
        ScopeSet {
            scopes: iter.into_iter().collect(),
        }
    }
}

impl Extend<Scope> for ScopeSet {
    fn extend<I: IntoIterator<Item = Scope>>(&mut self, iter: I) {
        self.scopes.extend(iter);
    }
}

impl IntoIterator for ScopeSet {
    type Item = Scope;
    type IntoIter = std::collections::btree_set::IntoIter<Scope>;
    fn into_iter(self) -> Self::IntoIter {
        self.scopes.into_iter()
    }
}

impl<'a> IntoIterator for &'a ScopeSet {
    type Item = &'a Scope;
    type IntoIter = std::collections::btree_set::Iter<'a, Scope>;
    fn into_iter(self) -> Self::IntoIter {
        self.scopes.iter()
    }
}

impl serde::Serialize for ScopeSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ScopeSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<ScopeSet, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ScopeSet;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 6749 space-delimited scope string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ScopeSet, E> {
                ScopeSet::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests;
