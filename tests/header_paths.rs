//! Differential: every protected header gets one verdict on every path a verifier can take
//! (issue 14 §5). The fast reader (`jwt::scan`, with the strict parser behind it where it gives
//! up), the strict parser alone, each keeping extension members or not, must agree: the same
//! error kind, or the same typed members and the same extension members. The assertions are
//! the `header_paths` fuzz target's own (`fuzz/src/targets.rs`, included here), driven by
//! generated headers: `b64`, `crit`, `zip`, `jwk`, `x5c`, duplicates, escaped names, odd
//! types, orders and whitespace.

#[allow(unsafe_code, dead_code)]
#[path = "../fuzz/src/targets.rs"]
mod targets;

use proptest::prelude::*;

/// A JSON value of an odd or expected type for a header member.
fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("null".to_owned()),
        Just("0".to_owned()),
        Just("-0".to_owned()),
        Just("1.5e3".to_owned()),
        Just(r#""HS256""#.to_owned()),
        Just(r#""ES256""#.to_owned()),
        Just(r#""none""#.to_owned()),
        Just(r#""DEF""#.to_owned()),
        Just(r#""b64""#.to_owned()),
        Just(r#""exp-ext""#.to_owned()),
        Just(r#""x""#.to_owned()),
        Just(r#""\u0078""#.to_owned()),
        Just(r#""a\"b\\c""#.to_owned()),
        Just(r#""é""#.to_owned()),
        "\"[a-z0-9+]{0,6}\"",
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((name(), inner), 0..3).prop_map(|m| {
                let members: Vec<String> = m.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// A member name, spelled plainly or with escapes.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(r#""alg""#.to_owned()),
        Just(r#""typ""#.to_owned()),
        Just(r#""kid""#.to_owned()),
        Just(r#""cty""#.to_owned()),
        Just(r#""crit""#.to_owned()),
        Just(r#""b64""#.to_owned()),
        Just(r#""b\u0036\u0034""#.to_owned()),
        Just(r#""\u0061lg""#.to_owned()),
        Just(r#""zip""#.to_owned()),
        Just(r#""jwk""#.to_owned()),
        Just(r#""x5c""#.to_owned()),
        Just(r#""exp-ext""#.to_owned()),
        Just(r#""x""#.to_owned()),
        Just(r#""é""#.to_owned()),
        Just(r#""""#.to_owned()),
    ]
}

/// A header: a valid `alg` most of the time, then members in any order, with duplicates,
/// separated by varying whitespace.
fn header() -> impl Strategy<Value = String> {
    (
        prop::option::weighted(0.8, prop::sample::select(vec!["HS256", "ES256", "EdDSA"])),
        prop::collection::vec((name(), value()), 0..6),
        prop::sample::select(vec!["", " ", "\n", "\t "]),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(alg, members, ws, at)| {
            let mut parts: Vec<String> = members
                .into_iter()
                .map(|(k, v)| format!("{k}{ws}:{ws}{v}"))
                .collect();
            if let Some(alg) = alg {
                let i = at.index(parts.len() + 1);
                parts.insert(i, format!(r#""alg":"{alg}""#));
            }
            format!("{ws}{{{ws}{}{ws}}}{ws}", parts.join(&format!(",{ws}")))
        })
}

fn understood(sel: usize) -> Vec<String> {
    [
        &[][..],
        &["exp-ext"],
        &["b64", "zip", "exp-ext", "x"],
        &["é", "x"],
    ][sel % 4]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

#[test]
fn hand_made_headers_get_one_verdict() {
    for shape in targets::header_shapes() {
        for sel in 0..4 {
            targets::check_header_paths(shape.as_bytes(), &understood(sel));
        }
    }
}

/// The regression of issue 14 §5: the fast reader dropped `b64` from the kept extension
/// members, where the strict parser keeps it.
#[test]
fn b64_is_kept_on_every_path() {
    let [_, _, fast, strict] = tessera::jwt::header_paths(br#"{"alg":"HS256","b64":true}"#, &[]);
    let (fast, strict) = (fast.unwrap(), strict.unwrap());
    assert_eq!(
        fast.extra_members().get("b64"),
        Some(&serde_json::Value::Bool(true))
    );
    assert_eq!(fast, strict);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn generated_headers_get_one_verdict(h in header(), sel in 0usize..4) {
        targets::check_header_paths(h.as_bytes(), &understood(sel));
    }
}
