//! Unit tests of `scope`: the grammar, sets, claims and implications.

use super::*;

fn set(s: &str) -> ScopeSet {
    ScopeSet::parse(s).unwrap()
}

fn scope(s: &str) -> Scope {
    Scope::new(s).unwrap()
}

#[test]
fn nqchar_matches_the_rfc_ranges() {
    for b in 0u8..=255 {
        let expected = b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b);
        assert_eq!(is_nqchar(b), expected, "byte {b:#04x}");
    }
}

#[test]
fn scan_counts_tokens_including_duplicates() {
    assert_eq!(scan_scope_string("").unwrap(), 0);
    assert_eq!(scan_scope_string("a").unwrap(), 1);
    assert_eq!(scan_scope_string("a a b").unwrap(), 3);
}

#[test]
fn describe_char_names_code_points() {
    assert_eq!(describe_char("a\"b", 1), "U+0022");
    assert_eq!(describe_char("aé", 1), "U+00E9");
    assert_eq!(describe_char("a\u{1F600}", 1), "U+1F600");
    assert_eq!(describe_char("ab", 7), "U+0000");
}

#[test]
fn collector_counts_separators_across_inputs() {
    let mut c = Collector::default();
    c.account(1, 10).unwrap();
    c.account(2, 5).unwrap();
    assert_eq!((c.tokens, c.bytes), (3, 16));
    c.account(0, 0).unwrap();
    assert_eq!((c.tokens, c.bytes), (3, 16));
    let mut c = Collector::default();
    c.account(1, MAX_SCOPE_STRING).unwrap();
    assert_eq!(c.account(1, 0).unwrap_err().kind(), ErrorKind::TooLarge);
}

#[test]
fn reach_walks_cycles_once() {
    let imp = Implications::none()
        .rule("a", "b")
        .unwrap()
        .rule("b", "c")
        .unwrap()
        .rule("c", "a")
        .unwrap();
    let a = scope("a");
    let reach = imp.reach(std::iter::once(&a));
    let names: Vec<&str> = reach.nodes.iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert!(!reach.everything);
}

#[test]
fn reduce_keeps_first_of_equivalent_scopes() {
    let imp = Implications::none()
        .rule("x", "y")
        .unwrap()
        .rule("y", "x")
        .unwrap();
    assert_eq!(set("y x").reduce(&imp), set("x"));
    assert_eq!(set("y").reduce(&imp), set("y"));
}

#[test]
fn structured_parts() {
    assert_eq!(scope("job:read").resource(), Some("job"));
    assert_eq!(scope("job:read").action(), Some("read"));
    assert_eq!(scope("a:b:c").resource(), Some("a"));
    assert_eq!(scope("a:b:c").action(), Some("b:c"));
    for unstructured in ["job", ":read", "job:", ":"] {
        assert_eq!(scope(unstructured).resource(), None, "{unstructured}");
        assert_eq!(scope(unstructured).action(), None, "{unstructured}");
    }
}
