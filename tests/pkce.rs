//! RFC 7636: the Appendix B vector, grammar boundaries, policy and mismatches.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use serde_json::Value;
use tessera::ErrorKind;
use tessera::pkce::{
    self, ChallengeMethod, CodeVerifier, PkcePolicy, S256_CHALLENGE_LEN, VERIFIER_MAX_LEN,
    VERIFIER_MIN_LEN,
};

const STRICT: PkcePolicy = PkcePolicy::new();
const LENIENT: PkcePolicy = PkcePolicy::new().allowing_plain();

fn kind_of<T: std::fmt::Debug>(r: tessera::Result<T>) -> ErrorKind {
    r.unwrap_err().kind()
}

struct Vector {
    verifier_octets: Vec<u8>,
    verifier: String,
    sha256_octets: Vec<u8>,
    method: String,
    challenge: String,
}

/// Reads the vector and fails if it has a member this test does not consume (ring's rule).
fn rfc7636_vector() -> Vector {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/rfc/rfc7636_b_pkce_s256.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let Value::Object(mut v) = serde_json::from_str(&text).unwrap() else {
        panic!("vector is not an object");
    };
    let mut take = |name: &str| v.remove(name).unwrap_or_else(|| panic!("missing {name}"));
    let octets = |value: Value| -> Vec<u8> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|n| u8::try_from(n.as_u64().unwrap()).unwrap())
            .collect()
    };
    let string = |value: Value| value.as_str().unwrap().to_owned();
    assert_eq!(take("kind"), "pkce");
    assert_eq!(take("expect"), "valid");
    let vector = Vector {
        verifier_octets: octets(take("code_verifier_octets")),
        verifier: string(take("code_verifier")),
        sha256_octets: octets(take("sha256_octets")),
        method: string(take("code_challenge_method")),
        challenge: string(take("code_challenge")),
    };
    // Descriptive members carry no test data.
    for descriptive in [
        "source",
        "key",
        "token",
        "payload",
        "notes",
        "verified",
        "verified_with",
    ] {
        let _ = v.remove(descriptive);
    }
    assert!(
        v.is_empty(),
        "unconsumed members: {:?}",
        v.keys().collect::<Vec<_>>()
    );
    vector
}

#[test]
fn rfc7636_appendix_b() {
    let v = rfc7636_vector();
    assert_eq!(URL_SAFE_NO_PAD.encode(&v.verifier_octets), v.verifier);
    let verifier = CodeVerifier::new(&v.verifier).unwrap();
    assert_eq!(verifier.as_str(), v.verifier);
    assert_eq!(URL_SAFE_NO_PAD.encode(&v.sha256_octets), v.challenge);
    assert_eq!(verifier.challenge_s256(), v.challenge);
    let method: ChallengeMethod = v.method.parse().unwrap();
    assert_eq!(method, ChallengeMethod::S256);
    pkce::validate_challenge(&v.challenge, method, &STRICT).unwrap();
    pkce::verify(&v.verifier, &v.challenge, method, &STRICT).unwrap();
}

#[test]
#[allow(deprecated)] // ring's only fixed-output SecureRandom lives in its deprecated test module.
fn generate_encodes_the_random_octets() {
    let v = rfc7636_vector();
    let rng = ring::test::rand::FixedSliceRandom {
        bytes: &v.verifier_octets,
    };
    let verifier = CodeVerifier::generate(&rng).unwrap();
    assert_eq!(verifier.as_str(), v.verifier);
    assert_eq!(verifier.challenge_s256(), v.challenge);
}

/// Every one-bit change of the verifier or the challenge fails.
#[test]
fn rfc7636_one_bit_flips_fail() {
    let v = rfc7636_vector();
    let flip = |text: &str, pos: usize, bit: u8| -> Option<String> {
        let mut bytes = text.as_bytes().to_vec();
        bytes[pos] ^= 1 << bit;
        String::from_utf8(bytes).ok()
    };
    for pos in 0..v.verifier.len() {
        for bit in 0..8 {
            if let Some(bad) = flip(&v.verifier, pos, bit) {
                let result = pkce::verify(&bad, &v.challenge, ChallengeMethod::S256, &STRICT);
                assert!(result.is_err(), "verifier {pos}/{bit}");
            }
        }
    }
    for pos in 0..v.challenge.len() {
        for bit in 0..8 {
            if let Some(bad) = flip(&v.challenge, pos, bit) {
                let result = pkce::verify(&v.verifier, &bad, ChallengeMethod::S256, &STRICT);
                assert!(result.is_err(), "challenge {pos}/{bit}");
            }
        }
    }
}

/// A one-character change that keeps the grammar is a mismatch, not a grammar error.
#[test]
fn rfc7636_one_char_changes_are_mismatches() {
    let v = rfc7636_vector();
    let replace = |text: &str, pos: usize| {
        let mut bytes = text.as_bytes().to_vec();
        bytes[pos] = if bytes[pos] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    };
    for pos in 0..v.verifier.len() {
        let bad = replace(&v.verifier, pos);
        assert_eq!(
            kind_of(pkce::verify(
                &bad,
                &v.challenge,
                ChallengeMethod::S256,
                &STRICT
            )),
            ErrorKind::PkceMismatch,
            "verifier {pos}"
        );
    }
    // The last challenge character also carries padding bits; the others are free.
    for pos in 0..S256_CHALLENGE_LEN - 1 {
        let bad = replace(&v.challenge, pos);
        assert_eq!(
            kind_of(pkce::verify(
                &v.verifier,
                &bad,
                ChallengeMethod::S256,
                &STRICT
            )),
            ErrorKind::PkceMismatch,
            "challenge {pos}"
        );
    }
    // Appending a character makes the verifier a different (valid) verifier.
    let longer = format!("{}a", v.verifier);
    assert_eq!(
        kind_of(pkce::verify(
            &longer,
            &v.challenge,
            ChallengeMethod::S256,
            &STRICT
        )),
        ErrorKind::PkceMismatch
    );
}

// ---- grammar ---------------------------------------------------------------------------------

#[test]
fn verifier_length_boundaries() {
    for len in [VERIFIER_MIN_LEN, 64, VERIFIER_MAX_LEN] {
        assert!(CodeVerifier::new(&"a".repeat(len)).is_ok(), "{len}");
    }
    let short = CodeVerifier::new(&"a".repeat(VERIFIER_MIN_LEN - 1)).unwrap_err();
    assert_eq!(short.kind(), ErrorKind::InvalidPkce);
    assert!(
        short.detail().contains("shorter than 43"),
        "{}",
        short.detail()
    );
    let long = CodeVerifier::new(&"a".repeat(VERIFIER_MAX_LEN + 1)).unwrap_err();
    assert_eq!(long.kind(), ErrorKind::InvalidPkce);
    assert!(
        long.detail().contains("longer than 128"),
        "{}",
        long.detail()
    );
    assert_eq!(kind_of(CodeVerifier::new("")), ErrorKind::InvalidPkce);
    // Length is checked before the alphabet.
    let huge = "%".repeat(100_000);
    assert!(
        CodeVerifier::new(&huge)
            .unwrap_err()
            .detail()
            .contains("longer")
    );
}

#[test]
fn verifier_alphabet() {
    let base = "a".repeat(VERIFIER_MIN_LEN - 1);
    for ok in ['A', 'Z', 'a', 'z', '0', '9', '-', '.', '_', '~'] {
        assert!(CodeVerifier::new(&format!("{base}{ok}")).is_ok(), "{ok:?}");
    }
    for (bad, code) in [
        ('+', "U+002B"),
        ('/', "U+002F"),
        ('=', "U+003D"),
        (' ', "U+0020"),
        ('%', "U+0025"),
        ('!', "U+0021"),
        ('\u{0}', "U+0000"),
        ('\u{7f}', "U+007F"),
        ('é', "U+00E9"),
    ] {
        let err = CodeVerifier::new(&format!("{base}{bad}")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPkce, "{bad:?}");
        assert!(err.detail().contains(code), "{}", err.detail());
        assert!(err.detail().contains("byte 42"), "{}", err.detail());
        assert!(err.detail().contains("outside"), "{}", err.detail());
    }
}

#[test]
fn s256_challenge_grammar() {
    let v = rfc7636_vector();
    let c = &v.challenge;
    let check = |text: &str| pkce::validate_challenge(text, ChallengeMethod::S256, &STRICT);
    check(c).unwrap();
    assert_eq!(kind_of(check(&c[..42])), ErrorKind::InvalidPkce);
    assert_eq!(kind_of(check(&format!("{c}A"))), ErrorKind::InvalidPkce);
    assert_eq!(kind_of(check(&format!("{c}="))), ErrorKind::InvalidPkce);
    assert_eq!(kind_of(check("")), ErrorKind::InvalidPkce);
    for bad in ['+', '/', '=', '.', '~', ' '] {
        let text = format!("{bad}{}", &c[1..]);
        let err = check(&text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPkce, "{bad:?}");
        assert!(err.detail().contains("byte 0"), "{}", err.detail());
    }
    // The last character must leave the two padding bits zero: 'M' (12) is fine, 'N' (13) not.
    assert!(c.ends_with('M'));
    let noisy = format!("{}N", &c[..42]);
    let err = check(&noisy).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPkce);
    assert!(err.detail().contains("canonical"), "{}", err.detail());
    // A verifier is not an S256 challenge.
    assert_eq!(kind_of(check(&"a".repeat(64))), ErrorKind::InvalidPkce);
}

#[test]
fn plain_challenge_follows_the_verifier_grammar() {
    let check = |text: &str| pkce::validate_challenge(text, ChallengeMethod::Plain, &LENIENT);
    check(&"a".repeat(VERIFIER_MIN_LEN)).unwrap();
    check(&"~".repeat(VERIFIER_MAX_LEN)).unwrap();
    let err = check(&"a".repeat(VERIFIER_MIN_LEN - 1)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPkce);
    assert!(err.detail().contains("code_challenge"), "{}", err.detail());
    assert_eq!(
        kind_of(check(&"a".repeat(VERIFIER_MAX_LEN + 1))),
        ErrorKind::InvalidPkce
    );
    assert_eq!(
        kind_of(check(&format!("{}+", "a".repeat(50)))),
        ErrorKind::InvalidPkce
    );
}

// ---- methods and policy ----------------------------------------------------------------------

#[test]
fn method_names_are_exact() {
    for method in [ChallengeMethod::S256, ChallengeMethod::Plain] {
        assert_eq!(method.as_str().parse::<ChallengeMethod>(), Ok(method));
        assert_eq!(method.to_string(), method.as_str());
    }
    assert_eq!(ChallengeMethod::S256.as_str(), "S256");
    assert_eq!(ChallengeMethod::Plain.as_str(), "plain");
    for bad in ["s256", "PLAIN", "Plain", "", "S256 ", "S512", "none"] {
        assert_eq!(
            kind_of(bad.parse::<ChallengeMethod>()),
            ErrorKind::InvalidPkce,
            "{bad:?}"
        );
    }
}

#[test]
fn plain_only_when_allowed() {
    let verifier = "x".repeat(50);
    let err = pkce::verify(&verifier, &verifier, ChallengeMethod::Plain, &STRICT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPkce);
    assert!(err.detail().contains("not allowed"), "{}", err.detail());
    assert_eq!(
        kind_of(pkce::validate_challenge(
            &verifier,
            ChallengeMethod::Plain,
            &PkcePolicy::default()
        )),
        ErrorKind::InvalidPkce
    );
    pkce::verify(&verifier, &verifier, ChallengeMethod::Plain, &LENIENT).unwrap();
    let other = "y".repeat(50);
    assert_eq!(
        kind_of(pkce::verify(
            &other,
            &verifier,
            ChallengeMethod::Plain,
            &LENIENT
        )),
        ErrorKind::PkceMismatch
    );
    let prefix = "x".repeat(49);
    assert_eq!(
        kind_of(pkce::verify(
            &prefix,
            &verifier,
            ChallengeMethod::Plain,
            &LENIENT
        )),
        ErrorKind::PkceMismatch
    );
}

#[test]
fn method_confusion_fails() {
    let v = rfc7636_vector();
    // The S256 challenge presented as the verifier under plain, and the verifier as an S256
    // challenge.
    assert_eq!(
        kind_of(pkce::verify(
            &v.challenge,
            &v.challenge,
            ChallengeMethod::S256,
            &STRICT
        )),
        ErrorKind::PkceMismatch
    );
    assert_eq!(
        kind_of(pkce::verify(
            &v.verifier,
            &v.challenge,
            ChallengeMethod::Plain,
            &LENIENT
        )),
        ErrorKind::PkceMismatch
    );
}

#[test]
fn verifier_grammar_is_checked_first() {
    let v = rfc7636_vector();
    let err = pkce::verify("short", &v.challenge, ChallengeMethod::S256, &STRICT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPkce);
    assert!(err.detail().contains("code_verifier"), "{}", err.detail());
    let err = pkce::verify(&v.verifier, "short", ChallengeMethod::S256, &STRICT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPkce);
    assert!(err.detail().contains("code_challenge"), "{}", err.detail());
}

#[test]
fn generated_verifiers() {
    let rng = tessera::SystemRandom::new();
    let a = CodeVerifier::generate(&rng).unwrap();
    let b = CodeVerifier::generate(&rng).unwrap();
    assert_eq!(a.as_str().len(), 43);
    assert_ne!(a.as_str(), b.as_str());
    assert!(CodeVerifier::new(a.as_str()).is_ok());
    pkce::verify(
        a.as_str(),
        &a.challenge_s256(),
        ChallengeMethod::S256,
        &STRICT,
    )
    .unwrap();
    assert_eq!(
        kind_of(pkce::verify(
            b.as_str(),
            &a.challenge_s256(),
            ChallengeMethod::S256,
            &STRICT
        )),
        ErrorKind::PkceMismatch
    );
    let shown = format!("{a:?}");
    assert!(!shown.contains(a.as_str()), "{shown}");
}

proptest! {
    #[test]
    fn any_valid_verifier_matches_only_its_own_challenge(
        verifier in "[A-Za-z0-9._~-]{43,128}",
        other in "[A-Za-z0-9._~-]{43,128}",
    ) {
        let v = CodeVerifier::new(&verifier).unwrap();
        let challenge = v.challenge_s256();
        prop_assert_eq!(challenge.len(), S256_CHALLENGE_LEN);
        prop_assert!(pkce::validate_challenge(&challenge, ChallengeMethod::S256, &STRICT).is_ok());
        prop_assert!(pkce::verify(&verifier, &challenge, ChallengeMethod::S256, &STRICT).is_ok());
        prop_assert!(pkce::verify(&verifier, &verifier, ChallengeMethod::Plain, &LENIENT).is_ok());
        if other != verifier {
            prop_assert_eq!(
                kind_of(pkce::verify(&other, &challenge, ChallengeMethod::S256, &STRICT)),
                ErrorKind::PkceMismatch
            );
            prop_assert_eq!(
                kind_of(pkce::verify(&other, &verifier, ChallengeMethod::Plain, &LENIENT)),
                ErrorKind::PkceMismatch
            );
        }
    }

    #[test]
    fn never_panics(verifier in ".{0,200}", challenge in ".{0,200}") {
        for method in [ChallengeMethod::S256, ChallengeMethod::Plain] {
            let _ = pkce::verify(&verifier, &challenge, method, &LENIENT);
            let _ = pkce::validate_challenge(&challenge, method, &STRICT);
        }
        let _ = CodeVerifier::new(&verifier);
        let _ = verifier.parse::<ChallengeMethod>();
    }
}
