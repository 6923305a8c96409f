//! Opaque token format, checks, lookup hashes and pepper rotation.
//!
//! Known answers were computed independently (Python `zlib.crc32`, `hmac`, `base64`).

use proptest::prelude::*;
use tessera::ErrorKind;
use tessera::SystemRandom;
use tessera::token::{
    BODY_LEN, CHECK_LEN, LookupHash, MAX_KEY_ID_LEN, MAX_PREFIX_LEN, MIN_PEPPER_LEN, Pepper,
    Peppers, RANDOM_LEN, TokenFormat, TokenKind, constant_time_eq,
};

fn format(prefix: &str) -> TokenFormat {
    TokenFormat::new(prefix).unwrap()
}

fn counting_bytes() -> [u8; RANDOM_LEN] {
    std::array::from_fn(|i| u8::try_from(i).unwrap())
}

fn kind_of<T: std::fmt::Debug>(r: tessera::Result<T>) -> ErrorKind {
    r.unwrap_err().kind()
}

const KAT_RT: &str = "tsr_rt_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf4ECk20";
const KAT_ZERO: &str = "a_ak_00000000000000000000000000000000000000000001qwkre";
const KAT_MAX: &str = "x1234567890abcde_at_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp14SGLTp";
/// Bodies above 2^256 - 1, each with a correct checksum.
const OVERFLOW_Z: &str = "tsr_ak_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz1BSkmJ";
const OVERFLOW_MAX_PLUS_ONE: &str = "tsr_ak_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp20JeGum";

// ---- format ----------------------------------------------------------------------------------

#[test]
fn known_answers() {
    let t = format("tsr").from_random_bytes(TokenKind::RefreshToken, &counting_bytes());
    assert_eq!(t.as_str(), KAT_RT);
    assert_eq!(t.kind(), TokenKind::RefreshToken);
    let t = format("a").from_random_bytes(TokenKind::ApiKey, &[0; RANDOM_LEN]);
    assert_eq!(t.as_str(), KAT_ZERO);
    let t = format("x1234567890abcde").from_random_bytes(TokenKind::AccessToken, &[0xFF; 32]);
    assert_eq!(t.as_str(), KAT_MAX);
    assert_eq!(
        format("x1234567890abcde").check(KAT_MAX, Some(TokenKind::AccessToken)),
        Ok(TokenKind::AccessToken)
    );
}

#[test]
#[allow(deprecated)] // ring's only fixed-output SecureRandom lives in its deprecated test module.
fn generate_uses_the_rng_bytes() {
    let bytes = counting_bytes();
    let rng = ring::test::rand::FixedSliceRandom { bytes: &bytes };
    let t = format("tsr")
        .generate(TokenKind::RefreshToken, &rng)
        .unwrap();
    assert_eq!(t.as_str(), KAT_RT);
}

#[test]
fn generated_tokens_have_the_documented_shape() {
    let rng = SystemRandom::new();
    for prefix in ["a", "tsr", "x1234567890abcde"] {
        let f = format(prefix);
        for kind in TokenKind::ALL {
            let t = f.generate(kind, &rng).unwrap();
            let text = t.as_str();
            assert_eq!(text.len(), f.token_len());
            assert_eq!(text.len(), prefix.len() + 4 + BODY_LEN + CHECK_LEN);
            assert!(text.starts_with(&format!("{prefix}_{}_", kind.code())));
            let tail = &text[prefix.len() + 4..];
            assert!(tail.bytes().all(|b| b.is_ascii_alphanumeric()), "{text}");
            assert_eq!(f.check(text, Some(kind)), Ok(kind));
            assert_eq!(f.check(text, None), Ok(kind));
        }
    }
    let a = format("tsr").generate(TokenKind::ApiKey, &rng).unwrap();
    let b = format("tsr").generate(TokenKind::ApiKey, &rng).unwrap();
    assert_ne!(a.as_str(), b.as_str());
}

#[test]
fn prefix_grammar_at_the_boundaries() {
    for ok in ["a", "z", "a0", "tsr", &"a".repeat(MAX_PREFIX_LEN), "abc123"] {
        assert_eq!(format(ok).prefix(), ok);
    }
    for bad in [
        "",
        &"a".repeat(MAX_PREFIX_LEN + 1),
        "1abc",
        "0",
        "Abc",
        "aBc",
        "a-b",
        "a_b",
        "a b",
        "é",
        "a\u{0}",
    ] {
        assert_eq!(
            kind_of(TokenFormat::new(bad)),
            ErrorKind::InvalidArgument,
            "{bad:?}"
        );
    }
}

#[test]
fn token_kind_codes() {
    let codes: Vec<&str> = TokenKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(codes, ["ac", "rt", "ak", "at"]);
    for kind in TokenKind::ALL {
        assert_eq!(kind.code().parse::<TokenKind>(), Ok(kind));
        assert_eq!(kind.to_string(), kind.code());
    }
    for bad in ["", "AC", "a", "acx", "xx", " ac"] {
        assert_eq!(
            kind_of(bad.parse::<TokenKind>()),
            ErrorKind::InvalidArgument,
            "{bad:?}"
        );
    }
}

#[test]
fn debug_does_not_show_the_token() {
    let t = format("tsr").from_random_bytes(TokenKind::ApiKey, &counting_bytes());
    let shown = format!("{t:?}");
    assert!(shown.contains("ApiKey"), "{shown}");
    assert!(shown.contains("tsr"), "{shown}");
    let body = &t.as_str()[7..];
    assert!(!shown.contains(&body[..8]), "{shown}");
}

// ---- check order -----------------------------------------------------------------------------

#[test]
fn wrong_length_is_malformed_before_anything_else() {
    let f = format("tsr");
    let t = KAT_RT;
    assert_eq!(
        kind_of(f.check(&t[..t.len() - 1], None)),
        ErrorKind::MalformedOpaqueToken
    );
    assert_eq!(
        kind_of(f.check(&format!("{t}0"), None)),
        ErrorKind::MalformedOpaqueToken
    );
    assert_eq!(kind_of(f.check("", None)), ErrorKind::MalformedOpaqueToken);
    let huge = "a".repeat(1 << 20);
    let err = f.check(&huge, Some(TokenKind::ApiKey)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedOpaqueToken);
    assert!(err.detail().len() < 80);
    // Right byte length, but not ASCII.
    let mut non_ascii = t[..t.len() - 2].to_owned();
    non_ascii.push('é');
    assert_eq!(non_ascii.len(), t.len());
    assert_eq!(
        kind_of(f.check(&non_ascii, None)),
        ErrorKind::MalformedOpaqueToken
    );
}

#[test]
fn prefix_separators_kind_and_alphabet_are_grammar() {
    let f = format("tsr");
    let t = KAT_RT;
    let replace = |pos: usize, with: &str| format!("{}{with}{}", &t[..pos], &t[pos + 1..]);
    // Another deployment's prefix of the same length.
    assert_eq!(
        kind_of(format("tss").check(t, None)),
        ErrorKind::MalformedOpaqueToken
    );
    assert_eq!(
        kind_of(f.check(&replace(0, "T"), None)),
        ErrorKind::MalformedOpaqueToken
    );
    assert_eq!(
        kind_of(f.check(&replace(3, "-"), None)),
        ErrorKind::MalformedOpaqueToken
    );
    assert_eq!(
        kind_of(f.check(&replace(6, "-"), None)),
        ErrorKind::MalformedOpaqueToken
    );
    // Unknown kind code, even when a kind is expected.
    let unknown = replace(4, "x");
    assert_eq!(
        kind_of(f.check(&unknown, Some(TokenKind::RefreshToken))),
        ErrorKind::MalformedOpaqueToken
    );
    assert_eq!(
        kind_of(f.check(&replace(5, "T"), None)),
        ErrorKind::MalformedOpaqueToken
    );
    // Non-base62 in the body and in the checksum.
    for pos in [7, 7 + BODY_LEN - 1, 7 + BODY_LEN, t.len() - 1] {
        for bad in ["-", "_", "+", "/", "=", " "] {
            assert_eq!(
                kind_of(f.check(&replace(pos, bad), Some(TokenKind::RefreshToken))),
                ErrorKind::MalformedOpaqueToken,
                "{pos} {bad}"
            );
        }
    }
}

#[test]
fn bodies_above_256_bits_are_malformed_even_with_a_good_checksum() {
    let f = format("tsr");
    assert_eq!(
        kind_of(f.check(OVERFLOW_Z, None)),
        ErrorKind::MalformedOpaqueToken
    );
    assert_eq!(
        kind_of(f.check(OVERFLOW_MAX_PLUS_ONE, None)),
        ErrorKind::MalformedOpaqueToken
    );
    // The largest body is fine.
    let max = f.from_random_bytes(TokenKind::ApiKey, &[0xFF; RANDOM_LEN]);
    assert_eq!(f.check(max.as_str(), None), Ok(TokenKind::ApiKey));
}

#[test]
fn kind_is_checked_before_the_checksum() {
    let f = format("tsr");
    assert_eq!(
        kind_of(f.check(KAT_RT, Some(TokenKind::AuthorizationCode))),
        ErrorKind::WrongTokenKind
    );
    let mut broken = KAT_RT.to_owned();
    let last = broken.pop().unwrap();
    broken.push(if last == '0' { '1' } else { '0' });
    assert_eq!(
        kind_of(f.check(&broken, Some(TokenKind::AuthorizationCode))),
        ErrorKind::WrongTokenKind
    );
    assert_eq!(
        kind_of(f.check(&broken, Some(TokenKind::RefreshToken))),
        ErrorKind::TokenChecksum
    );
    assert_eq!(kind_of(f.check(&broken, None)), ErrorKind::TokenChecksum);
    // Relabelling the kind breaks the checksum (the kind is covered by it).
    let relabelled = KAT_RT.replacen("_rt_", "_ac_", 1);
    assert_eq!(
        kind_of(f.check(&relabelled, Some(TokenKind::AuthorizationCode))),
        ErrorKind::TokenChecksum
    );
}

#[test]
fn checksum_covers_prefix_and_body() {
    let f = format("tsr");
    // Swap two adjacent, different body characters: same alphabet, same length.
    let mut bytes = KAT_RT.as_bytes().to_vec();
    let i = (7..7 + BODY_LEN - 1)
        .find(|&i| bytes[i] != bytes[i + 1])
        .unwrap();
    bytes.swap(i, i + 1);
    let swapped = String::from_utf8(bytes).unwrap();
    assert_eq!(kind_of(f.check(&swapped, None)), ErrorKind::TokenChecksum);
}

// ---- peppers and lookup hashes ---------------------------------------------------------------

fn pepper(id: &str, fill: u8) -> Pepper {
    Pepper::new(id, &[fill; MIN_PEPPER_LEN]).unwrap()
}

#[test]
fn lookup_hash_known_answer() {
    let secret: Vec<u8> = (100u8..132).collect();
    let p = Pepper::new("k1", &secret).unwrap();
    let h = p.lookup(KAT_RT);
    assert_eq!(h.key_id(), "k1");
    assert_eq!(
        h.to_hex(),
        "4fe3676b3b76deb1a832ef9a512e46728a91f4baec6f4a0f62fc78282913b878"
    );
    assert_eq!(
        h.to_string(),
        "k1:T-Nnazt23rGoMu-aUS5GcoqR9Lrsb0oPYvx4KCkTuHg"
    );
    assert_eq!(h.to_string().parse::<LookupHash>(), Ok(h.clone()));
    assert_eq!(LookupHash::new("k1", *h.hash()), Ok(h));
}

#[test]
fn pepper_rules() {
    assert_eq!(
        kind_of(Pepper::new("k", &[1; MIN_PEPPER_LEN - 1])),
        ErrorKind::WeakKey
    );
    assert!(Pepper::new("k", &[1; MIN_PEPPER_LEN]).is_ok());
    assert!(Pepper::new(&"k".repeat(MAX_KEY_ID_LEN), &[1; 32]).is_ok());
    assert!(Pepper::new("!~:", &[1; 32]).is_ok());
    for bad in [
        "",
        &"k".repeat(MAX_KEY_ID_LEN + 1),
        "a b",
        "é",
        "a\tb",
        "a\u{7f}",
    ] {
        assert_eq!(
            kind_of(Pepper::new(bad, &[1; 32])),
            ErrorKind::InvalidArgument,
            "{bad:?}"
        );
        assert_eq!(
            kind_of(LookupHash::new(bad, [0; 32])),
            ErrorKind::InvalidArgument
        );
    }
    // The key id is checked before the secret.
    assert_eq!(
        kind_of(Pepper::new("", &[1; 3])),
        ErrorKind::InvalidArgument
    );
    let shown = format!("{:?}", Pepper::new("k9", &[0xAB; 32]).unwrap());
    assert!(shown.contains("k9"), "{shown}");
    // The secret bytes (0xAB = 171) appear in no form.
    assert!(!shown.contains("171") && !shown.contains("AB"), "{shown}");
}

#[test]
fn lookup_hash_text_is_strict() {
    let good = pepper("k1", 1).lookup("t").to_string();
    let (_, encoded) = good.rsplit_once(':').unwrap();
    let bad = [
        encoded.to_owned(),                      // no key id
        format!(":{encoded}"),                   // empty key id
        format!("k1:{}", &encoded[1..]),         // too short
        format!("k1:{encoded}A"),                // too long
        format!("k1:{encoded}="),                // padded
        format!("k1:{}+", &encoded[..42]),       // standard alphabet
        format!("k 1:{encoded}"),                // space in key id
        format!("{}:{encoded}", "k".repeat(65)), // key id too long
        String::new(),
        "x".repeat(10_000),
    ];
    for text in bad {
        let err = text.parse::<LookupHash>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{text:?}");
        assert!(err.detail().len() < 80);
    }
    // Non-canonical: the last character carries two bits that must be zero.
    let last = encoded.as_bytes()[42];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let value = alphabet.iter().position(|&c| c == last).unwrap();
    assert_eq!(value & 3, 0);
    let noisy = format!("k1:{}{}", &encoded[..42], char::from(alphabet[value | 1]));
    assert_eq!(
        kind_of(noisy.parse::<LookupHash>()),
        ErrorKind::InvalidArgument
    );
    // A key id may contain ':'; the hash follows the last one.
    let with_colon = pepper("a:b", 1).lookup("t");
    assert_eq!(with_colon.to_string().parse::<LookupHash>(), Ok(with_colon));
}

#[test]
fn verify_and_rotation() {
    let old = pepper("2025", 1);
    let new = pepper("2026", 2);
    let token = KAT_RT;
    let stored_old = old.lookup(token);

    let peppers = Peppers::new(new.clone())
        .with_previous(old.clone())
        .unwrap();
    assert_eq!(peppers.current().key_id(), "2026");
    // A token hashed with the old pepper still verifies ...
    peppers.verify(token, &stored_old).unwrap();
    assert!(peppers.needs_rehash(&stored_old));
    // ... while new lookups use the current pepper.
    let fresh = peppers.lookup(token);
    assert_eq!(fresh.key_id(), "2026");
    assert_eq!(fresh, new.lookup(token));
    assert_ne!(fresh.hash(), stored_old.hash());
    assert!(!peppers.needs_rehash(&fresh));
    peppers.verify(token, &fresh).unwrap();

    // Once the old pepper is retired, its hashes no longer verify.
    let retired = Peppers::new(new.clone());
    assert_eq!(
        kind_of(retired.verify(token, &stored_old)),
        ErrorKind::TokenMismatch
    );
    // A hash labelled with a known key id but made with another secret.
    let forged = LookupHash::new("2026", *stored_old.hash()).unwrap();
    assert_eq!(
        kind_of(peppers.verify(token, &forged)),
        ErrorKind::TokenMismatch
    );
    // Another token.
    let other = format("tsr").from_random_bytes(TokenKind::RefreshToken, &[9; 32]);
    assert_eq!(
        kind_of(peppers.verify(other.as_str(), &fresh)),
        ErrorKind::TokenMismatch
    );
    // Duplicate key ids are refused.
    assert_eq!(
        kind_of(Peppers::new(new).with_previous(pepper("2026", 3))),
        ErrorKind::InvalidArgument
    );
    assert!(peppers.get("2025").is_some());
    assert!(peppers.get("2024").is_none());
}

#[test]
fn check_and_lookup_rejects_garbage_first() {
    let f = format("tsr");
    let peppers = Peppers::new(pepper("k", 5));
    let lookup = peppers
        .check_and_lookup(&f, KAT_RT, Some(TokenKind::RefreshToken))
        .unwrap();
    assert_eq!(lookup, peppers.lookup(KAT_RT));
    assert_eq!(
        kind_of(peppers.check_and_lookup(&f, "garbage", None)),
        ErrorKind::MalformedOpaqueToken
    );
    assert_eq!(
        kind_of(peppers.check_and_lookup(&f, KAT_RT, Some(TokenKind::ApiKey))),
        ErrorKind::WrongTokenKind
    );
    let broken = KAT_RT.replacen("003a", "003b", 1);
    assert_eq!(
        kind_of(peppers.check_and_lookup(&f, &broken, None)),
        ErrorKind::TokenChecksum
    );
}

#[test]
fn constant_time_eq_is_plain_equality() {
    assert!(constant_time_eq(b"same", b"same"));
    assert!(!constant_time_eq(b"same", b"Same"));
    assert!(!constant_time_eq(b"same", b"sam"));
    assert!(constant_time_eq(b"", b""));
}

#[test]
fn types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TokenFormat>();
    assert_send_sync::<Peppers>();
    assert_send_sync::<Pepper>();
    assert_send_sync::<LookupHash>();
}

// ---- properties ------------------------------------------------------------------------------

fn kind_strategy() -> impl Strategy<Value = TokenKind> {
    prop::sample::select(TokenKind::ALL.to_vec())
}

#[derive(Debug, Clone)]
enum Edit {
    Substitute(usize, char),
    Delete(usize),
    Insert(usize, char),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    // Mostly characters a typo would produce, sometimes any character at all.
    let ch = prop_oneof![
        4 => proptest::char::range('0', 'z'),
        1 => any::<char>(),
    ];
    prop_oneof![
        (any::<usize>(), ch.clone()).prop_map(|(i, c)| Edit::Substitute(i, c)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), ch).prop_map(|(i, c)| Edit::Insert(i, c)),
    ]
}

/// Applies the edit to an ASCII token; `None` when a substitution would not change it.
fn apply(token: &str, edit: &Edit) -> Option<String> {
    let mut chars: Vec<char> = token.chars().collect();
    match *edit {
        Edit::Substitute(i, c) => {
            let i = i % chars.len();
            if chars[i] == c {
                return None;
            }
            chars[i] = c;
        }
        Edit::Delete(i) => {
            let _ = chars.remove(i % chars.len());
        }
        Edit::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
    }
    Some(chars.into_iter().collect())
}

proptest! {
    #[test]
    fn a_token_passes_its_own_check_and_any_one_edit_fails(
        prefix in "[a-z][a-z0-9]{0,15}",
        random in any::<[u8; 32]>(),
        kind in kind_strategy(),
        edit in edit_strategy(),
    ) {
        let f = TokenFormat::new(&prefix).unwrap();
        let token = f.from_random_bytes(kind, &random);
        prop_assert_eq!(f.check(token.as_str(), Some(kind)), Ok(kind));
        prop_assert_eq!(f.check(token.as_str(), None), Ok(kind));
        if let Some(edited) = apply(token.as_str(), &edit) {
            prop_assert!(f.check(&edited, None).is_err(), "{} passed", edited);
            prop_assert!(f.check(&edited, Some(kind)).is_err(), "{} passed", edited);
        }
    }

    #[test]
    fn check_never_panics(prefix in "[a-z][a-z0-9]{0,15}", text in ".{0,100}") {
        let f = TokenFormat::new(&prefix).unwrap();
        let _ = f.check(&text, None);
        let _ = f.check(&text, Some(TokenKind::ApiKey));
        let _ = text.parse::<LookupHash>();
    }

    #[test]
    fn lookup_hash_round_trip_and_rotation(
        token in "[ -~]{0,80}",
        other in "[ -~]{0,80}",
        old_secret in any::<[u8; 32]>(),
        new_secret in any::<[u8; 32]>(),
    ) {
        prop_assume!(old_secret != new_secret);
        let old = Pepper::new("old", &old_secret).unwrap();
        let new = Pepper::new("new", &new_secret).unwrap();
        let peppers = Peppers::new(new).with_previous(old.clone()).unwrap();

        let stored = peppers.lookup(&token);
        prop_assert_eq!(stored.key_id(), "new");
        let text = stored.to_string();
        let parsed: LookupHash = text.parse().unwrap();
        prop_assert_eq!(&parsed, &stored);
        prop_assert!(peppers.verify(&token, &parsed).is_ok());

        let legacy = old.lookup(&token);
        prop_assert!(peppers.verify(&token, &legacy).is_ok());
        prop_assert!(peppers.needs_rehash(&legacy));
        prop_assert_ne!(legacy.hash(), stored.hash());

        if other != token {
            prop_assert_eq!(peppers.verify(&other, &stored).unwrap_err().kind(), ErrorKind::TokenMismatch);
            prop_assert_eq!(peppers.verify(&other, &legacy).unwrap_err().kind(), ErrorKind::TokenMismatch);
        }
    }
}
