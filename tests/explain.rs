//! `tessera_verify_explain`: the same verdict as `tessera_verify_result`, plus the failure's
//! detail text, cut at a character boundary to the caller's buffer, with its full length.

#![allow(clippy::unwrap_used, clippy::panic)]

mod abi;

use std::ptr::{null, null_mut};

use tessera::ErrorKind;
use tessera::ffi::*;

const NOW: i64 = 1_800_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

/// Calls `tessera_verify_explain` with a `cap`-byte buffer: the code, the bytes written and
/// the reported full length.
fn explain(v: *const tessera_verifier, token: &[u8], cap: usize) -> (u32, Vec<u8>, usize) {
    let mut buf = vec![0xAAu8; cap];
    let mut n = usize::MAX;
    // SAFETY: a live verifier (or NULL, which is refused), a live token, `cap` writable bytes.
    let r = unsafe {
        tessera_verify_explain(
            v,
            token.as_ptr(),
            token.len(),
            NOW,
            if cap == 0 {
                null_mut()
            } else {
                buf.as_mut_ptr()
            },
            cap,
            &mut n,
        )
    };
    let written = buf.iter().take_while(|&&b| b != 0xAA).count();
    buf.truncate(written);
    (r.0, buf, n)
}

fn verifier() -> (abi::KeyH, abi::VerifierH) {
    let key = abi::hmac_key(SECRET, c"HS256");
    let b = abi::builder();
    // SAFETY: a live builder, a NUL-terminated string.
    abi::ok(unsafe { tessera_verifier_builder_add_audience(b.0, c"api".as_ptr()) });
    let v = abi::verifier_for_key(&b, &key).unwrap();
    (key, v)
}

#[test]
fn explain_gives_the_verdict_of_verify_result_and_says_why() {
    let (key, v) = verifier();
    let tokens = [
        abi::sign(&key, &format!(r#"{{"aud":"api","exp":{}}}"#, NOW + 60)),
        abi::sign(&key, &format!(r#"{{"aud":"api","exp":{}}}"#, NOW - 600)),
        abi::sign(&key, r#"{"aud":"api"}"#),
        abi::sign(&key, &format!(r#"{{"aud":"web","exp":{}}}"#, NOW + 60)),
        abi::sign(
            &abi::hmac_key(b"another secret, also 32 bytes!!!", c"HS256"),
            &format!(r#"{{"aud":"api","exp":{}}}"#, NOW + 60),
        ),
        "not.a.token".to_owned(),
        String::new(),
    ];
    for token in &tokens {
        // SAFETY: a live verifier and token.
        let want = unsafe { tessera_verify_result(v.0, token.as_ptr(), token.len(), NOW) }.0;
        let (code, detail, n) = explain(v.0, token.as_bytes(), 256);
        assert_eq!(code, want, "{token}");
        if want == TESSERA_RESULT_OK {
            assert!(detail.is_empty() && n == 0, "{token}");
        } else {
            let detail = String::from_utf8(detail).unwrap();
            assert!(!detail.is_empty(), "every failure says why: {token}");
            assert_eq!(n, detail.len());
            assert!(detail.len() <= 163);
            assert!(!detail.contains(token.as_str()) || token.is_empty());
        }
    }
    let why = |t: &str| String::from_utf8(explain(v.0, t.as_bytes(), 256).1).unwrap();
    assert_eq!(why(&tokens[1]), "the token has expired");
    assert!(why(&tokens[2]).contains("exp"));
    assert!(why(&tokens[3]).contains("aud"));
    assert!(why(&tokens[4]).contains("signature"));
}

#[test]
fn a_small_buffer_gets_a_prefix_cut_at_a_character_boundary_and_the_full_length() {
    let (key, v) = verifier();
    let expired = abi::sign(&key, &format!(r#"{{"aud":"api","exp":{}}}"#, NOW - 600));
    let (code, full, n) = explain(v.0, expired.as_bytes(), 256);
    assert_eq!(code, ErrorKind::Expired.code());
    assert_eq!(n, full.len());
    for cap in [0, 1, 5, n - 1, n, n + 1] {
        let (code, part, len) = explain(v.0, expired.as_bytes(), cap);
        assert_eq!(code, ErrorKind::Expired.code(), "cap {cap}");
        assert_eq!(len, n, "the full length whatever the buffer");
        assert_eq!(part, full[..cap.min(n)], "cap {cap}");
    }
    // A detail with multi-byte characters is never split: a verifier that requires a claim
    // named "café→ü" reports it by name, and every prefix written is the longest one that
    // ends at a character boundary within the buffer.
    let b = abi::builder();
    // SAFETY: a live builder, NUL-terminated strings.
    unsafe {
        abi::ok(tessera_verifier_builder_add_audience(b.0, c"api".as_ptr()));
        abi::ok(tessera_verifier_builder_require_claim(
            b.0,
            c"café→ü".as_ptr(),
        ));
    }
    let strict = abi::verifier_for_key(&b, &key).unwrap();
    let token = abi::sign(&key, &format!(r#"{{"aud":"api","exp":{}}}"#, NOW + 60));
    let (code, full, n) = explain(strict.0, token.as_bytes(), 256);
    assert_eq!(code, ErrorKind::MissingClaim.code());
    let full = String::from_utf8(full).unwrap();
    assert!(full.contains("café→ü"), "{full}");
    for cap in 0..=n {
        let (_, part, len) = explain(strict.0, token.as_bytes(), cap);
        assert_eq!(len, n);
        let boundary = (0..=cap).rev().find(|&i| full.is_char_boundary(i)).unwrap();
        assert_eq!(part, full.as_bytes()[..boundary], "cap {cap}");
    }
}

#[test]
fn bad_arguments_are_codes_with_a_detail_too() {
    let (key, v) = verifier();
    let token = abi::sign(&key, &format!(r#"{{"aud":"api","exp":{}}}"#, NOW + 60));
    // A NULL verifier.
    let (code, detail, n) = explain(null(), token.as_bytes(), 256);
    assert_eq!(code, ErrorKind::NullPointer.code());
    assert!(!detail.is_empty() && n == detail.len());
    // A NULL buffer with a capacity is refused before anything is verified.
    let mut n = usize::MAX;
    // SAFETY: NULL output with a non-zero capacity, which must be refused.
    let r = unsafe {
        tessera_verify_explain(v.0, token.as_ptr(), token.len(), NOW, null_mut(), 8, &mut n)
    };
    assert_eq!(r.0, ErrorKind::NullPointer.code());
    assert_eq!(n, usize::MAX, "nothing written");
    // `out_len` may be NULL.
    let mut buf = [0u8; 64];
    // SAFETY: a live verifier and token, a 64-byte buffer, no length wanted.
    let r = unsafe {
        tessera_verify_explain(
            v.0,
            b"x.y".as_ptr(),
            3,
            NOW,
            buf.as_mut_ptr(),
            buf.len(),
            null_mut(),
        )
    };
    assert_eq!(r.0, ErrorKind::MalformedToken.code());
    assert_ne!(buf[0], 0);
}
