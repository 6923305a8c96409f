//! Protected headers a verifier expects, encoded ahead of time: the shortcut that lets the
//! common token skip decoding and parsing its header (RFC 7515 §5.2 steps 2–4).
//!
//! Nearly every token a verifier sees carries one of a handful of headers: its key's `alg`,
//! perhaps the key's `kid`, perhaps a `typ` (`JWT` or the type the verifier expects), in the
//! member orders the common libraries write. [`KnownHeaders`] builds each such header when the
//! verifier is built, encodes it to base64url, and reads it with the same strict parser a token
//! header goes through. A token whose header part equals one of these byte for byte then gets
//! that parse result, so the outcome is the one the full path would reach by construction; any
//! other header takes the full path.

use std::borrow::Cow;
use std::collections::HashSet;

use super::b64::b64_encode;
use super::header::HeaderRef;
use super::{Algorithm, Key};

/// At most this many headers are prepared per verifier (a large key set gets the most likely
/// shapes of its first keys; the others take the full path).
const MAX_ENTRIES: usize = 512;

/// The `typ` values prepared besides the verifier's own expected type.
const COMMON_TYPES: [&str; 1] = ["JWT"];

/// Every order of up to three members.
const ORDERS: [&[&[usize]]; 4] = [
    &[],
    &[&[0]],
    &[&[0, 1], &[1, 0]],
    &[
        &[0, 1, 2],
        &[0, 2, 1],
        &[1, 0, 2],
        &[1, 2, 0],
        &[2, 0, 1],
        &[2, 1, 0],
    ],
];

/// One prepared header: its encoded form and what the strict parser made of it.
#[derive(Clone, Debug)]
struct Entry {
    b64: Box<[u8]>,
    alg: Algorithm,
    typ: Option<Box<str>>,
    kid: Option<Box<str>>,
}

/// The prepared headers of one verifier, sorted by encoded length then bytes.
#[derive(Clone, Debug, Default)]
pub(crate) struct KnownHeaders {
    entries: Vec<Entry>,
}

impl KnownHeaders {
    /// Prepares the headers that `keys` would see: each algorithm a key accepts, with and
    /// without the key's `kid`, with no `typ`, `JWT` or one of `typs` (the verifier's expected
    /// type as configured and as normalised), in every member order. `understood` is the verifier's `crit` list (the
    /// prepared headers have no `crit`, so it changes nothing, but the parse is the real one).
    pub(crate) fn new<'k>(
        keys: impl IntoIterator<Item = &'k Key>,
        typs: &[&str],
        understood: &[String],
    ) -> KnownHeaders {
        let mut entries: Vec<Entry> = Vec::new();
        let mut seen: HashSet<Box<[u8]>> = HashSet::new();
        let mut types: Vec<Option<&str>> = vec![None];
        types.extend(COMMON_TYPES.iter().map(|t| Some(*t)));
        for &t in typs {
            if !types.contains(&Some(t)) {
                types.push(Some(t));
            }
        }
        'keys: for key in keys {
            let algs = Algorithm::ALL.into_iter().filter(|a| key.alg().accepts(*a));
            for alg in algs {
                let kids: &[Option<&str>] = match key.kid() {
                    Some(kid) => &[None, Some(kid)],
                    None => &[None],
                };
                for &kid in kids {
                    for &typ in &types {
                        let mut members = vec![("alg", alg.as_str())];
                        members.extend(typ.map(|t| ("typ", t)));
                        members.extend(kid.map(|k| ("kid", k)));
                        for order in ORDERS[members.len()] {
                            if entries.len() == MAX_ENTRIES {
                                break 'keys;
                            }
                            if let Some(entry) = prepare(&members, order, understood) {
                                if seen.insert(entry.b64.clone()) {
                                    entries.push(entry);
                                }
                            }
                        }
                    }
                }
            }
        }
        entries.sort_by(|a, b| (a.b64.len(), &a.b64).cmp(&(b.b64.len(), &b.b64)));
        KnownHeaders { entries }
    }

    /// The parsed header whose encoded form is exactly `header_b64`, when it was prepared.
    pub(crate) fn get(&self, header_b64: &[u8]) -> Option<HeaderRef<'_>> {
        let at = self
            .entries
            .binary_search_by(|e| {
                e.b64
                    .len()
                    .cmp(&header_b64.len())
                    .then_with(|| e.b64[..].cmp(header_b64))
            })
            .ok()?;
        let e = &self.entries[at];
        Some(HeaderRef::simple(
            e.alg,
            e.typ.as_deref().map(Cow::Borrowed),
            e.kid.as_deref().map(Cow::Borrowed),
        ))
    }

    /// How many headers are prepared.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The prepared encoded headers (for tests).
    #[cfg(test)]
    pub(crate) fn encoded(&self) -> impl Iterator<Item = &[u8]> {
        self.entries.iter().map(|e| &e.b64[..])
    }
}

/// Writes `members` in `order` as a JSON object, encodes it and reads it back with the strict
/// header parser; `None` when the parser refuses it (then the full path decides).
fn prepare(members: &[(&str, &str)], order: &[usize], understood: &[String]) -> Option<Entry> {
    let mut json = Vec::with_capacity(64);
    json.push(b'{');
    for (i, &at) in order.iter().enumerate() {
        let (name, value) = members[at];
        if i > 0 {
            json.push(b',');
        }
        serde_json::to_writer(&mut json, name).ok()?;
        json.push(b':');
        serde_json::to_writer(&mut json, value).ok()?;
    }
    json.push(b'}');
    let parsed = HeaderRef::parse(&json, understood, false).ok()?;
    if !parsed.is_simple() {
        return None;
    }
    Some(Entry {
        b64: b64_encode(&json).into_bytes().into_boxed_slice(),
        alg: parsed.alg,
        typ: parsed.typ.map(|t| t.into()),
        kid: parsed.kid.map(|k| k.into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::b64::b64_decode;

    fn keys() -> Vec<Key> {
        vec![
            Key::hmac(&[1; 32], Algorithm::HS256)
                .unwrap()
                .with_kid("k1"),
            Key::hmac(&[2; 64], Algorithm::HS512).unwrap(),
            Key::hmac(&[3; 32], Algorithm::HS256)
                .unwrap()
                .with_kid("quote\"and\\slash/é"),
        ]
    }

    #[test]
    fn every_prepared_header_reads_as_the_full_parser_reads_it() {
        let keys = keys();
        let known = KnownHeaders::new(&keys, &["at+jwt"], &[]);
        // The first key: 3 types (none, JWT, at+jwt) in 1+2+2 orders without its kid and
        // 2+6+6 with it: 19. The second (HS512, no kid): 5. The third shares the first's
        // kid-less headers: 14 more.
        assert_eq!(known.len(), 19 + 5 + 14);
        for b64 in known.encoded() {
            let fast = known.get(b64).unwrap();
            let json = b64_decode(b64).unwrap();
            let full = HeaderRef::parse(&json, &[], false).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{full:?}"));
        }
    }

    #[test]
    fn the_common_shapes_are_prepared() {
        let keys = keys();
        let known = KnownHeaders::new(&keys, &[], &[]);
        for json in [
            r#"{"alg":"HS256"}"#,
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"typ":"JWT","alg":"HS256"}"#,
            r#"{"alg":"HS256","kid":"k1","typ":"JWT"}"#,
            r#"{"kid":"k1","alg":"HS256"}"#,
            r#"{"alg":"HS512","typ":"JWT"}"#,
            r#"{"alg":"HS256","typ":"JWT","kid":"quote\"and\\slash/é"}"#,
        ] {
            let b64 = b64_encode(json.as_bytes());
            let fast = known
                .get(b64.as_bytes())
                .unwrap_or_else(|| panic!("{json}"));
            let full = HeaderRef::parse(json.as_bytes(), &[], false).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{full:?}"), "{json}");
        }
    }

    #[test]
    fn other_headers_are_not_known() {
        let keys = keys();
        let known = KnownHeaders::new(&keys, &[], &[]);
        for json in [
            r#"{"alg":"HS384"}"#,
            r#"{"alg":"HS256","kid":"k2"}"#,
            r#"{"alg":"HS256", "typ":"JWT"}"#,
            r#"{"alg":"HS256","typ":"JWT","cty":"JWT"}"#,
            r#"{"alg":"HS512","kid":"k1"}"#,
            r#"{"alg":"HS256","typ":"at+jwt"}"#,
        ] {
            assert!(
                known.get(b64_encode(json.as_bytes()).as_bytes()).is_none(),
                "{json}"
            );
        }
        assert!(known.get(b"").is_none());
    }

    #[test]
    fn ed25519_keys_get_both_names_and_the_size_is_bounded() {
        let key = Key::generate(Algorithm::EdDSA, &crate::SystemRandom::new()).unwrap();
        let known = KnownHeaders::new([&key], &[], &[]);
        for json in [r#"{"alg":"EdDSA"}"#, r#"{"alg":"Ed25519","typ":"JWT"}"#] {
            assert!(known.get(b64_encode(json.as_bytes()).as_bytes()).is_some());
        }
        let many: Vec<Key> = (0..100)
            .map(|i| {
                Key::hmac(&[9; 32], Algorithm::HS256)
                    .unwrap()
                    .with_kid(format!("k{i}"))
            })
            .collect();
        assert_eq!(
            KnownHeaders::new(&many, &["at+jwt"], &[]).len(),
            MAX_ENTRIES
        );
    }
}
