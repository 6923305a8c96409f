//! Scope grammar, limits, implication, down-scoping and scope claims.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tessera::ErrorKind;
use tessera::scope::{Implications, MAX_SCOPE_LEN, MAX_SCOPE_STRING, MAX_SCOPES, Scope, ScopeSet};

fn set(s: &str) -> ScopeSet {
    ScopeSet::parse(s).unwrap()
}

fn scope(s: &str) -> Scope {
    Scope::new(s).unwrap()
}

fn kind_of<T: std::fmt::Debug>(r: tessera::Result<T>) -> ErrorKind {
    r.unwrap_err().kind()
}

fn claims(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

/// `n` distinct tokens of exactly `len` bytes each (`len` >= 3).
fn distinct_tokens(n: usize, len: usize) -> Vec<String> {
    (0..n).map(|i| format!("{i:0>len$}")).collect()
}

// ---- grammar ---------------------------------------------------------------------------------

#[test]
fn every_byte_at_the_nqchar_boundaries() {
    // (byte, allowed): the edges of %x21 / %x23-5B / %x5D-7E and their neighbours.
    let cases = [
        (0x20u8, false),
        (0x21, true),
        (0x22, false),
        (0x23, true),
        (0x5B, true),
        (0x5C, false),
        (0x5D, true),
        (0x7E, true),
        (0x7F, false),
        (0x09, false),
        (0x00, false),
    ];
    for (byte, allowed) in cases {
        let text = format!("ab{}", char::from(byte));
        let result = Scope::new(&text);
        assert_eq!(result.is_ok(), allowed, "byte {byte:#04x}");
        if !allowed {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidScope);
            assert!(
                err.detail().contains(&format!("U+{byte:04X}")),
                "{byte:#04x}: {}",
                err.detail()
            );
            assert!(err.detail().contains("byte 2"), "{}", err.detail());
        }
    }
}

#[test]
fn quote_and_backslash_are_named_by_code_point_and_position() {
    let err = ScopeSet::parse("job:read a\"b").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidScope);
    assert!(err.detail().contains("U+0022"), "{}", err.detail());
    assert!(err.detail().contains("byte 10"), "{}", err.detail());
    assert!(!err.detail().contains("a\"b"), "{}", err.detail());

    let err = ScopeSet::parse("x\\").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidScope);
    assert!(err.detail().contains("U+005C"), "{}", err.detail());
    assert!(err.detail().contains("byte 1"), "{}", err.detail());
}

#[test]
fn non_ascii_is_rejected_with_its_code_point() {
    let err = ScopeSet::parse("ok caf\u{e9}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidScope);
    assert!(err.detail().contains("U+00E9"), "{}", err.detail());
    assert!(err.detail().contains("byte 6"), "{}", err.detail());
}

#[test]
fn separators_are_exactly_one_space() {
    assert_eq!(set("a b").len(), 2);
    for (bad, position) in [
        (" a", "byte 0"),
        ("a ", "byte 1"),
        ("a  b", "byte 2"),
        (" ", "byte 0"),
        ("a\tb", "byte 1"),
        ("a\nb", "byte 1"),
        ("a\u{a0}b", "byte 1"),
    ] {
        let err = ScopeSet::parse(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidScope, "{bad:?}");
        assert!(err.detail().contains(position), "{bad:?}: {}", err.detail());
    }
    assert!(
        ScopeSet::parse("a\tb")
            .unwrap_err()
            .detail()
            .contains("U+0009")
    );
}

#[test]
fn empty_string_is_the_empty_set_but_an_empty_token_is_not_a_scope() {
    let empty = set("");
    assert!(empty.is_empty());
    assert_eq!(empty.len(), 0);
    assert_eq!(empty.to_string(), "");
    assert_eq!(kind_of(Scope::new("")), ErrorKind::InvalidScope);
}

#[test]
fn scope_from_str_display_and_order() {
    let s: Scope = "job:read".parse().unwrap();
    assert_eq!(s.as_str(), "job:read");
    assert_eq!(s.to_string(), "job:read");
    assert!(scope("A") < scope("a"));
    assert!(scope("job") < scope("job:read"));
    assert_eq!(kind_of("a b".parse::<Scope>()), ErrorKind::InvalidScope);
}

// ---- limits ----------------------------------------------------------------------------------

#[test]
fn token_length_limit_at_and_past() {
    let at = "a".repeat(MAX_SCOPE_LEN);
    let past = "a".repeat(MAX_SCOPE_LEN + 1);
    assert_eq!(scope(&at).as_str().len(), MAX_SCOPE_LEN);
    assert_eq!(kind_of(Scope::new(&past)), ErrorKind::TooLarge);
    assert_eq!(set(&format!("x {at}")).len(), 2);
    assert_eq!(
        kind_of(ScopeSet::parse(&format!("x {past}"))),
        ErrorKind::TooLarge
    );
    assert_eq!(kind_of(ScopeSet::parse(&past)), ErrorKind::TooLarge);
}

#[test]
fn scope_count_limit_at_and_past() {
    let at = distinct_tokens(MAX_SCOPES, 4).join(" ");
    assert_eq!(set(&at).len(), MAX_SCOPES);
    let past = distinct_tokens(MAX_SCOPES + 1, 4).join(" ");
    assert_eq!(kind_of(ScopeSet::parse(&past)), ErrorKind::TooLarge);
    // Duplicates count: the limit is on what was sent, checked before deduplication.
    let duplicates = vec!["a"; MAX_SCOPES + 1].join(" ");
    assert_eq!(kind_of(ScopeSet::parse(&duplicates)), ErrorKind::TooLarge);
    assert_eq!(set(&vec!["a"; MAX_SCOPES].join(" ")).len(), 1);
}

#[test]
fn string_length_limit_at_and_past() {
    // 64 tokens: 63 of 255 bytes and one of 256 bytes, with 63 spaces = 16384 bytes.
    let mut tokens = distinct_tokens(63, 255);
    tokens.push("z".repeat(256));
    let at = tokens.join(" ");
    assert_eq!(at.len(), MAX_SCOPE_STRING);
    assert_eq!(set(&at).len(), 64);

    // One byte longer, otherwise valid (every token still within its limit).
    let mut tokens = distinct_tokens(62, 255);
    tokens.push("y".repeat(256));
    tokens.push("z".repeat(256));
    let past = tokens.join(" ");
    assert!(past.len() > MAX_SCOPE_STRING);
    let mut exact_past = past.clone();
    exact_past.truncate(MAX_SCOPE_STRING + 1);
    assert_eq!(exact_past.len(), MAX_SCOPE_STRING + 1);
    assert_eq!(kind_of(ScopeSet::parse(&exact_past)), ErrorKind::TooLarge);

    // The length check comes before the grammar.
    let garbage = "\"".repeat(MAX_SCOPE_STRING + 1);
    assert_eq!(kind_of(ScopeSet::parse(&garbage)), ErrorKind::TooLarge);
    let garbage = "\"".repeat(MAX_SCOPE_STRING);
    assert_eq!(kind_of(ScopeSet::parse(&garbage)), ErrorKind::InvalidScope);
}

// ---- the set ---------------------------------------------------------------------------------

#[test]
fn normalised_dedup_sorted_and_equal_sets_serialise_equally() {
    let a = set("b a c a");
    let b = set("c b a");
    assert_eq!(a, b);
    assert_eq!(a.to_string(), "a b c");
    assert_eq!(a.to_scope_string(), b.to_scope_string());
    assert_eq!(a.to_claim_value(), json!("a b c"));
    let names: Vec<&str> = a.iter().map(Scope::as_str).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

#[test]
fn set_operations() {
    let mut s = set("job:read");
    assert!(s.contains("job:read"));
    assert!(!s.contains("job"));
    assert!(s.insert(scope("job:write")));
    assert!(!s.insert(scope("job:write")));
    assert_eq!(s.len(), 2);

    let other = set("job:write recording:read");
    assert_eq!(s.union(&other), set("job:read job:write recording:read"));
    assert_eq!(s.intersection(&other), set("job:write"));
    assert_eq!(s.intersection(&set("x")), ScopeSet::new());

    let collected: ScopeSet = ["z", "y", "z"].iter().map(|t| scope(t)).collect();
    assert_eq!(collected.to_string(), "y z");
    let mut extended = collected.clone();
    extended.extend([scope("a")]);
    assert_eq!(extended.to_string(), "a y z");
    let owned: Vec<Scope> = extended.into_iter().collect();
    assert_eq!(owned, [scope("a"), scope("y"), scope("z")]);
    assert_eq!("b a".parse::<ScopeSet>().unwrap(), set("a b"));
}

#[test]
fn serde_is_the_space_delimited_string() {
    let s = set("b a");
    assert_eq!(serde_json::to_string(&s).unwrap(), "\"a b\"");
    let back: ScopeSet = serde_json::from_str("\"b a\"").unwrap();
    assert_eq!(back, s);
    assert!(serde_json::from_str::<ScopeSet>("\"a  b\"").is_err());
    assert!(serde_json::from_str::<ScopeSet>("[\"a\"]").is_err());
    let empty: ScopeSet = serde_json::from_str("\"\"").unwrap();
    assert!(empty.is_empty());
    assert_eq!(serde_json::to_string(&scope("x:y")).unwrap(), "\"x:y\"");
    assert_eq!(
        serde_json::from_str::<Scope>("\"x:y\"").unwrap(),
        scope("x:y")
    );
    assert!(serde_json::from_str::<Scope>("\"x y\"").is_err());
}

// ---- implication -----------------------------------------------------------------------------

#[test]
fn without_configuration_only_equality_implies() {
    let imp = Implications::none();
    assert!(imp.implies(&scope("job:read"), &scope("job:read")));
    assert!(!imp.implies(&scope("job"), &scope("job:read")));
    assert!(!imp.implies(&scope("job:*"), &scope("job:read")));
    assert!(imp.implies(&scope("job:*"), &scope("job:*")));
    assert!(!imp.implies(&scope("all"), &scope("job:read")));
    assert!(!imp.implies(&scope("job:write"), &scope("job:read")));
}

#[test]
fn wildcard_actions() {
    let imp = Implications::none().wildcard_actions();
    assert!(imp.implies(&scope("job:*"), &scope("job:read")));
    assert!(imp.implies(&scope("job:*"), &scope("job:*")));
    assert!(imp.implies(&scope("job:*"), &scope("job:read:own")));
    assert!(!imp.implies(&scope("job:*"), &scope("job")));
    assert!(!imp.implies(&scope("job:*"), &scope("jobs:read")));
    assert!(!imp.implies(&scope("job:*"), &scope("recording:read")));
    assert!(!imp.implies(&scope("job:read"), &scope("job:*")));
    // `:*` alone is not structured, so it is not a wildcard.
    assert!(!imp.implies(&scope(":*"), &scope(":read")));
    // `*:read` is a literal: wildcards are on actions only.
    assert!(!imp.implies(&scope("*:read"), &scope("job:read")));
}

#[test]
fn superscope_implies_everything_and_only_it_does() {
    let imp = Implications::none().superscope("all").unwrap();
    for requested in ["job:read", "x", "all", "job:*"] {
        assert!(imp.implies(&scope("all"), &scope(requested)), "{requested}");
    }
    assert!(!imp.implies(&scope("job:read"), &scope("all")));
    assert!(!imp.implies(&scope("alll"), &scope("x")));
    assert_eq!(
        kind_of(Implications::none().superscope("a b")),
        ErrorKind::InvalidScope
    );
}

#[test]
fn rules_are_transitive_and_directed() {
    let imp = Implications::none()
        .rule("admin", "job:write")
        .unwrap()
        .rule("job:write", "job:read")
        .unwrap()
        .rule("job:read", "job:list")
        .unwrap();
    assert!(imp.implies(&scope("admin"), &scope("job:list")));
    assert!(imp.implies(&scope("job:write"), &scope("job:list")));
    assert!(!imp.implies(&scope("job:read"), &scope("job:write")));
    assert!(!imp.implies(&scope("job:list"), &scope("admin")));
    assert_eq!(
        kind_of(Implications::none().rule("ok", "not ok")),
        ErrorKind::InvalidScope
    );
    assert_eq!(
        kind_of(Implications::none().rule("", "ok")),
        ErrorKind::InvalidScope
    );
}

#[test]
fn cycles_terminate() {
    let imp = Implications::none()
        .rule("a", "b")
        .unwrap()
        .rule("b", "c")
        .unwrap()
        .rule("c", "a")
        .unwrap()
        .rule("c", "c")
        .unwrap();
    for (g, r) in [("a", "c"), ("c", "b"), ("b", "a")] {
        assert!(imp.implies(&scope(g), &scope(r)), "{g} => {r}");
    }
    assert!(!imp.implies(&scope("a"), &scope("d")));
    assert!(set("a").covers(&set("a b c"), &imp));
    assert!(!set("a").covers(&set("a b c d"), &imp));
}

#[test]
fn wildcards_rules_and_superscopes_compose() {
    let imp = Implications::none()
        .wildcard_actions()
        .superscope("root")
        .unwrap()
        .rule("job:admin", "billing:read")
        .unwrap()
        .rule("ops", "job:*")
        .unwrap()
        .rule("break:glass", "root")
        .unwrap();
    // job:* implies job:admin (wildcard), which implies billing:read (rule).
    assert!(imp.implies(&scope("job:*"), &scope("billing:read")));
    // ops implies job:* (rule), which implies any job action (wildcard).
    assert!(imp.implies(&scope("ops"), &scope("job:delete")));
    assert!(imp.implies(&scope("ops"), &scope("billing:read")));
    assert!(!imp.implies(&scope("ops"), &scope("billing:write")));
    // A rule leading to a superscope grants everything.
    assert!(imp.implies(&scope("break:*"), &scope("anything")));
    // Without wildcards, the same rules do not chain through job:*.
    let literal = Implications::none()
        .rule("job:admin", "billing:read")
        .unwrap();
    assert!(!literal.implies(&scope("job:*"), &scope("billing:read")));
}

fn github_like() -> Implications {
    Implications::none()
        .wildcard_actions()
        .superscope("all")
        .unwrap()
        .rule("job:write", "job:read")
        .unwrap()
}

#[test]
fn covers_and_check_covers() {
    let imp = github_like();
    let granted = set("job:write recording:*");
    assert!(granted.covers(&set("job:read job:write recording:x"), &imp));
    assert!(granted.covers(&ScopeSet::new(), &imp));
    assert!(!granted.covers(&set("job:read z:a b:a"), &imp));
    granted.check_covers(&set("recording:play"), &imp).unwrap();

    // The first uncovered scope in the set's order (b:a) is given by its position, never by
    // its text: the detail may reach a client as `error_description` (issue 14 §2).
    let err = granted
        .check_covers(&set("z:a job:read b:a"), &imp)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ScopeNotGranted);
    assert_eq!(err.detail(), "requested scope 1 of 3 is not granted");

    // Long scopes are not copied at all.
    let long = "q".repeat(MAX_SCOPE_LEN);
    let err = granted.check_covers(&set(&long), &imp).unwrap_err();
    assert!(!err.detail().contains("qqq"), "{}", err.detail());

    assert!(set("all").covers(&set("anything at:all"), &imp));
    assert!(!ScopeSet::new().covers(&set("x"), &imp));
}

#[test]
fn narrow_requires_cover_and_returns_the_request() {
    let imp = github_like();
    let granted = set("job:write recording:*");
    let narrowed = granted
        .narrow(&set("recording:read job:read"), &imp)
        .unwrap();
    assert_eq!(narrowed, set("job:read recording:read"));
    assert_eq!(
        kind_of(granted.narrow(&set("job:read billing:read"), &imp)),
        ErrorKind::ScopeNotGranted
    );
    // Narrowing never widens: the result is the request, not the grant.
    assert!(!narrowed.contains("job:write"));
    assert_eq!(
        granted.narrow(&ScopeSet::new(), &imp).unwrap(),
        ScopeSet::new()
    );
}

#[test]
fn reduce_drops_implied_scopes() {
    let imp = github_like();
    assert_eq!(
        set("job:read job:write recording:* recording:read x").reduce(&imp),
        set("job:write recording:* x")
    );
    assert_eq!(set("all job:read z").reduce(&imp), set("all"));
    assert_eq!(set("job:read").reduce(&imp), set("job:read"));
    assert_eq!(ScopeSet::new().reduce(&imp), ScopeSet::new());
    // Without configuration nothing is dropped.
    let s = set("job job:* job:read all");
    assert_eq!(s.reduce(&Implications::none()), s);
}

#[test]
fn reduce_keeps_the_first_of_mutually_implying_scopes() {
    let imp = Implications::none()
        .rule("write", "read")
        .unwrap()
        .rule("read", "write")
        .unwrap()
        .rule("b", "c")
        .unwrap()
        .rule("c", "b")
        .unwrap()
        .rule("a", "b")
        .unwrap();
    assert_eq!(set("write read").reduce(&imp), set("read"));
    // a implies b and c; b and c imply each other but not a.
    assert_eq!(set("c b a").reduce(&imp), set("a"));
    assert_eq!(set("c b").reduce(&imp), set("b"));
}

#[test]
fn reduce_covers_what_the_original_covers() {
    let imp = github_like();
    let original = set("all job:read job:write recording:* recording:x");
    let reduced = original.reduce(&imp);
    assert!(reduced.covers(&original, &imp));
    assert!(original.covers(&reduced, &imp));
    assert!(reduced.len() < original.len());
}

#[test]
fn implications_are_send_sync_and_reusable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Implications>();
    assert_send_sync::<ScopeSet>();
    assert_send_sync::<Scope>();
}

// ---- claims ----------------------------------------------------------------------------------

#[test]
fn claims_in_every_accepted_shape() {
    let expected = set("job:read job:write");
    let shapes = [
        json!({"scope": "job:write job:read"}),
        json!({"scope": ["job:write", "job:read"]}),
        json!({"scp": ["job:write", "job:read"]}),
        json!({"scp": "job:write job:read"}),
        json!({"scope": [{"actions": ["job:write", "job:read"]}]}),
        json!({"scp": [{"actions": ["job:write"]}, {"actions": ["job:read"], "type": "x"}]}),
        json!({"scope": [{"resource": "job", "actions": ["write", "read"]}]}),
        json!({"scope": ["job:write", {"actions": ["job:read"]}]}),
        json!({"scope": "job:write", "scp": ["job:read"]}),
    ];
    for shape in shapes {
        let got = ScopeSet::from_claims(&claims(shape.clone())).unwrap();
        assert_eq!(got, expected, "{shape}");
    }
}

#[test]
fn claims_absent_or_empty_are_the_empty_set() {
    assert!(ScopeSet::from_claims(&Map::new()).unwrap().is_empty());
    assert!(
        ScopeSet::from_claims(&claims(json!({"sub": "x"})))
            .unwrap()
            .is_empty()
    );
    assert!(
        ScopeSet::from_claims(&claims(json!({"scope": ""})))
            .unwrap()
            .is_empty()
    );
    assert!(
        ScopeSet::from_claims(&claims(json!({"scp": []})))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn claims_of_the_wrong_type() {
    for bad in [
        json!({"scope": null}),
        json!({"scope": 5}),
        json!({"scope": true}),
        json!({"scope": {"actions": ["a"]}}),
        json!({"scp": [1]}),
        json!({"scp": [null]}),
        json!({"scp": [["a"]]}),
        json!({"scope": [{"action": ["a"]}]}),
        json!({"scope": [{"actions": "a"}]}),
        json!({"scope": [{"actions": [1]}]}),
        json!({"scope": [{"resource": 1, "actions": ["a"]}]}),
        json!({"scope": "ok", "scp": 1}),
    ] {
        assert_eq!(
            kind_of(ScopeSet::from_claims(&claims(bad.clone()))),
            ErrorKind::InvalidClaimType,
            "{bad}"
        );
    }
}

#[test]
fn claims_with_bad_scopes() {
    for bad in [
        json!({"scope": "a  b"}),
        json!({"scope": ["a b"]}),
        json!({"scope": [""]}),
        json!({"scp": ["a\"b"]}),
        json!({"scope": [{"actions": ["a b"]}]}),
        json!({"scope": [{"resource": "job:x", "actions": ["read"]}]}),
        json!({"scope": [{"resource": "job", "actions": [""]}]}),
        json!({"scope": [{"resource": "", "actions": ["read"]}]}),
        json!({"scope": [{"resource": "job", "actions": ["re ad"]}]}),
    ] {
        assert_eq!(
            kind_of(ScopeSet::from_claims(&claims(bad.clone()))),
            ErrorKind::InvalidScope,
            "{bad}"
        );
    }
}

#[test]
fn claim_limits_apply_to_both_claims_together() {
    let half: Vec<String> = distinct_tokens(MAX_SCOPES / 2, 4);
    let ok = json!({"scope": half.join(" "), "scp": half});
    assert_eq!(
        ScopeSet::from_claims(&claims(ok)).unwrap().len(),
        MAX_SCOPES / 2
    );

    let all = distinct_tokens(MAX_SCOPES, 4);
    let at = json!({"scp": all});
    assert_eq!(
        ScopeSet::from_claims(&claims(at)).unwrap().len(),
        MAX_SCOPES
    );

    let past = json!({"scope": "extra", "scp": distinct_tokens(MAX_SCOPES, 4)});
    assert_eq!(
        kind_of(ScopeSet::from_claims(&claims(past))),
        ErrorKind::TooLarge
    );

    let long_array = json!({"scp": vec!["a"; MAX_SCOPES + 1]});
    assert_eq!(
        kind_of(ScopeSet::from_claims(&claims(long_array))),
        ErrorKind::TooLarge
    );

    let long_actions = json!({"scp": [{"actions": vec!["a"; MAX_SCOPES + 1]}]});
    assert_eq!(
        kind_of(ScopeSet::from_claims(&claims(long_actions))),
        ErrorKind::TooLarge
    );

    let long_token = json!({"scp": ["a".repeat(MAX_SCOPE_LEN + 1)]});
    assert_eq!(
        kind_of(ScopeSet::from_claims(&claims(long_token))),
        ErrorKind::TooLarge
    );

    let long_joined =
        json!({"scp": [{"resource": "r", "actions": ["a".repeat(MAX_SCOPE_LEN - 1)]}]});
    assert_eq!(
        kind_of(ScopeSet::from_claims(&claims(long_joined))),
        ErrorKind::TooLarge
    );
    let joined_at = json!({"scp": [{"resource": "r", "actions": ["a".repeat(MAX_SCOPE_LEN - 2)]}]});
    assert_eq!(ScopeSet::from_claims(&claims(joined_at)).unwrap().len(), 1);

    // 64 tokens of 256 bytes: 16447 bytes once joined, over the string limit.
    let wide = json!({"scp": distinct_tokens(64, 256)});
    assert_eq!(
        kind_of(ScopeSet::from_claims(&claims(wide))),
        ErrorKind::TooLarge
    );
    let narrow = json!({"scp": distinct_tokens(63, 256)});
    assert_eq!(ScopeSet::from_claims(&claims(narrow)).unwrap().len(), 63);
}

#[test]
fn claim_value_round_trips_through_from_claims() {
    let s = set("job:read recording:* x");
    let mut map = Map::new();
    let _ = map.insert("scope".to_owned(), s.to_claim_value());
    assert_eq!(ScopeSet::from_claims(&map).unwrap(), s);
}

// ---- properties ------------------------------------------------------------------------------

fn token_strategy() -> impl Strategy<Value = String> {
    // NQCHAR only, including the awkward ones next to the excluded bytes.
    proptest::string::string_regex("[!#-\\[\\]-~]{1,12}").unwrap()
}

proptest! {
    #[test]
    fn parse_serialise_parse_is_stable(tokens in proptest::collection::vec(token_strategy(), 0..20)) {
        let text = tokens.join(" ");
        let parsed = ScopeSet::parse(&text).unwrap();
        let serialised = parsed.to_string();
        let reparsed = ScopeSet::parse(&serialised).unwrap();
        prop_assert_eq!(&reparsed, &parsed);
        prop_assert_eq!(reparsed.to_string(), serialised.clone());

        // Equal to the normalised form: sorted by bytes, deduplicated.
        let mut normal = tokens.clone();
        normal.sort();
        normal.dedup();
        prop_assert_eq!(serialised, normal.join(" "));
        prop_assert_eq!(parsed.len(), normal.len());
    }

    #[test]
    fn parse_never_panics_and_accepts_only_the_grammar(text in ".{0,40}") {
        let valid = !text.is_empty()
            && text.split(' ').all(|t| {
                !t.is_empty()
                    && t.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
            });
        let result = ScopeSet::parse(&text);
        if text.is_empty() {
            prop_assert!(result.unwrap().is_empty());
        } else {
            prop_assert_eq!(result.is_ok(), valid);
            if let Err(e) = result {
                prop_assert_eq!(e.kind(), ErrorKind::InvalidScope);
            }
        }
    }

    #[test]
    fn reduce_preserves_coverage(tokens in proptest::collection::vec("(job|rec|all|x):(read|write|\\*)|all|x", 0..8)) {
        let imp = github_like().rule("rec:write", "job:write").unwrap().rule("x", "rec:*").unwrap();
        let original: ScopeSet = tokens.iter().map(|t| scope(t)).collect();
        let reduced = original.reduce(&imp);
        prop_assert!(reduced.covers(&original, &imp));
        prop_assert!(original.covers(&reduced, &imp));
        prop_assert!(reduced.len() <= original.len());
        for s in reduced.iter() {
            prop_assert!(original.contains(s.as_str()));
            // No kept scope is implied by another kept scope.
            for t in reduced.iter() {
                if s != t {
                    prop_assert!(!imp.implies(t, s), "{} implies {}", t, s);
                }
            }
        }
    }
}
