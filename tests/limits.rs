//! Every documented limit (`docs/LIMITS.md`), tested at and just past its boundary: exactly at
//! the limit the input is not refused for its size, one past it is refused with the typed error
//! (`ErrorKind::TooLarge`, or the kind the limit has always had). Through the Rust API and, for
//! the verifier's limits and the loaders, through the C ABI.
//!
//! Oversized inputs must cost time and memory proportional to the limit, not to the input: a
//! counting global allocator (per thread, as in `alloc.rs`) shows that 64 MiB tokens, JWKS
//! documents, form bodies, key files and grant states, a 1 MiB scope string and 100 000-deep
//! nesting are refused while allocating at most a small bound. Time is measured where timings
//! belong, in a benchmark: `cargo bench --bench ops -- oversized` refuses the same 64 MiB inputs
//! beside 2 MiB ones.

#![allow(clippy::unwrap_used, clippy::panic)]

mod abi;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::CString;
use std::ptr::{null, null_mut};
use std::sync::OnceLock;

use serde_json::json;
use tessera::ErrorKind;
use tessera::SystemRandom;
use tessera::ffi::*;
use tessera::grant::{
    AuthorizeOutcome, Client, GrantState, Issuer, MAX_JSON_INPUT_LEN, MAX_STATE_JSON_LEN, Policy,
};
use tessera::jwt::{
    self, Algorithm, Key, KeySet, Limits, MAX_JSON_DEPTH, MAX_JWK_LEN, MAX_JWKS_KEYS, MAX_JWKS_LEN,
    MAX_KEY_INPUT, RSA_MAX_BITS, Verifier,
};
use tessera::scope::{MAX_SCOPE_LEN, MAX_SCOPE_STRING, MAX_SCOPES, ScopeSet};
use tessera::token::{Pepper, Peppers};
use tessera::wire::{
    self, AuthorizeRequest, Form, MAX_FORM_BYTES, MAX_FORM_PARAMS, MAX_HEADER_BYTES,
    MAX_PARAM_NAME_BYTES,
};

// ---- counting allocator ------------------------------------------------------------------------

struct Counting;

thread_local! {
    /// Bytes requested on this thread (allocations and the new sizes of reallocations).
    static BYTES: Cell<usize> = const { Cell::new(0) };
}

fn count(bytes: usize) {
    let _ = BYTES.try_with(|c| c.set(c.get() + bytes));
}

// SAFETY: forwards to the system allocator; counting touches only a const-initialised
// thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What refusing an oversized input may allocate: an error's detail text and little more.
const SMALL: usize = 4096;

/// Runs `f`, asserting it allocated at most `bound` bytes on this thread.
#[track_caller]
fn within<R>(bound: usize, what: &str, f: impl FnOnce() -> R) -> R {
    let _ = huge();
    let before = BYTES.with(Cell::get);
    let r = f();
    let used = BYTES.with(Cell::get) - before;
    assert!(
        used <= bound,
        "{what}: allocated {used} bytes, more than {bound}"
    );
    r
}

/// 64 MiB of `a` (valid UTF-8, not valid anything else), shared by the tests. Made outside
/// the measured calls (see [`within`]).
fn huge_str() -> &'static str {
    static HUGE: OnceLock<String> = OnceLock::new();
    HUGE.get_or_init(|| "a".repeat(64 << 20))
}

fn huge() -> &'static [u8] {
    huge_str().as_bytes()
}

#[track_caller]
fn kind<T: std::fmt::Debug>(r: tessera::Result<T>) -> ErrorKind {
    r.unwrap_err().kind()
}

#[track_caller]
fn too_large<T: std::fmt::Debug>(r: tessera::Result<T>, what: &str) {
    assert_eq!(kind(r), ErrorKind::TooLarge, "{what}");
}

#[track_caller]
fn not_too_large<T>(r: tessera::Result<T>, what: &str) {
    if let Err(e) = r {
        assert_ne!(e.kind(), ErrorKind::TooLarge, "{what}: {e}");
    }
}

const NOW: i64 = 1_800_000_000;
const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

fn rng() -> SystemRandom {
    SystemRandom::new()
}

fn hmac() -> Key {
    Key::hmac(SECRET, Algorithm::HS256).unwrap()
}

fn verifier(limits: Limits) -> Verifier {
    Verifier::builder(hmac()).limits(limits).build().unwrap()
}

/// A signed token whose claims are `claims` (JSON text, used byte for byte, not checked).
fn token_raw(header: &str, claims: &str) -> String {
    jwt::sign_jws(&hmac(), header.as_bytes(), claims.as_bytes(), &rng()).unwrap()
}

fn token(claims: &str) -> String {
    token_raw(r#"{"alg":"HS256"}"#, claims)
}

/// A claims set of exactly `n` members: `exp` and `n - 1` others, each `extra` after the
/// first few when given (to push the reader off its fast path).
fn claims_with(n: usize, extra: Option<&str>) -> String {
    let mut s = format!(r#"{{"exp":{}"#, NOW + 60);
    for i in 1..n {
        match extra {
            Some(v) if i == 1 => s.push_str(&format!(r#","m{i}":"{v}""#)),
            _ => s.push_str(&format!(r#","m{i}":{i}"#)),
        }
    }
    s.push('}');
    s
}

// ---- the verifier: token, header, claims, depth ----------------------------------------------------

#[test]
fn the_default_verifier_limits_are_documented_values() {
    let l = Limits::default();
    assert_eq!(l.max_token_len, 16 * 1024);
    assert_eq!(l.max_header_len, 4 * 1024);
    assert_eq!(l.max_claims, 256);
    assert_eq!(
        (
            Limits::DEFAULT_MAX_TOKEN_LEN,
            Limits::DEFAULT_MAX_HEADER_LEN,
            Limits::DEFAULT_MAX_CLAIMS
        ),
        (l.max_token_len, l.max_header_len, l.max_claims)
    );
    assert_eq!(MAX_JSON_DEPTH, 32);
    // Zero limits are refused when the verifier is built.
    for l in [
        Limits {
            max_token_len: 0,
            ..Limits::default()
        },
        Limits {
            max_header_len: 0,
            ..Limits::default()
        },
        Limits {
            max_claims: 0,
            ..Limits::default()
        },
    ] {
        assert_eq!(
            kind(Verifier::builder(hmac()).limits(l).build()),
            ErrorKind::InvalidArgument
        );
    }
}

#[test]
fn token_length_at_and_past_the_default_limit() {
    // A valid token of exactly 16 KiB: pad a claim until the length is exact.
    let v = verifier(Limits::default());
    let exact = (0..400)
        .map(|extra| {
            token(&format!(
                r#"{{"exp":{},"pad":"{}"}}"#,
                NOW + 60,
                "p".repeat(12_000 + extra)
            ))
        })
        .find(|t| t.len() == Limits::DEFAULT_MAX_TOKEN_LEN)
        .expect("some padding gives exactly 16 KiB");
    assert!(v.verify(&exact, NOW).is_ok());
    assert!(v.verify_with(&exact, NOW, |_| ()).is_ok());
    // One byte more (an extra signature character): refused for its size, before decoding.
    too_large(v.verify(format!("{exact}A"), NOW), "16 KiB + 1");
    too_large(
        v.verify_with(format!("{exact}A"), NOW, |_| ()),
        "16 KiB + 1",
    );
    // A custom limit, at and past.
    let at = verifier(Limits {
        max_token_len: exact.len() - 1,
        ..Limits::default()
    });
    too_large(at.verify(&exact, NOW), "custom limit + 1");
    let short = token(&claims_with(1, None));
    let at = verifier(Limits {
        max_token_len: short.len(),
        ..Limits::default()
    });
    assert!(at.verify(&short, NOW).is_ok());
}

#[test]
fn header_length_at_and_past_the_limit() {
    // 3072 bytes of header JSON are exactly 4096 base64url characters.
    let pad = 3072 - r#"{"alg":"HS256","x":""}"#.len();
    let header = format!(r#"{{"alg":"HS256","x":"{}"}}"#, "h".repeat(pad));
    assert_eq!(header.len(), 3072);
    let t = token_raw(&header, &claims_with(1, None));
    assert_eq!(t.find('.'), Some(Limits::DEFAULT_MAX_HEADER_LEN));
    assert!(verifier(Limits::default()).verify(&t, NOW).is_ok());
    let tight = verifier(Limits {
        max_header_len: Limits::DEFAULT_MAX_HEADER_LEN - 1,
        ..Limits::default()
    });
    too_large(tight.verify(&t, NOW), "header 4096 > 4095");
    // The default, one past (not even base64url: refused before decoding).
    let bad = format!("{}.e30.sig", "h".repeat(Limits::DEFAULT_MAX_HEADER_LEN + 1));
    too_large(verifier(Limits::default()).verify(&bad, NOW), "header 4097");
    let bad = format!("{}.e30.sig", "h".repeat(Limits::DEFAULT_MAX_HEADER_LEN));
    not_too_large(verifier(Limits::default()).verify(&bad, NOW), "header 4096");
}

#[test]
fn claims_count_at_and_past_the_limit_on_both_reading_paths() {
    let v = verifier(Limits::default());
    // `None`: the fast reader; a surrogate escape pushes the claims to the strict parser.
    for extra in [None, Some(r"\ud83d\ude00")] {
        let at = token(&claims_with(256, extra));
        let verified = v.verify(&at, NOW).unwrap();
        assert_eq!(verified.claims().len(), 256);
        assert!(v.verify_with(&at, NOW, |c| assert!(c.has("m255"))).is_ok());
        let over = token(&claims_with(257, extra));
        too_large(v.verify(&over, NOW), "257 claims");
        too_large(v.verify_with(&over, NOW, |_| ()), "257 claims");
        // A custom limit.
        let three = verifier(Limits {
            max_claims: 3,
            ..Limits::default()
        });
        assert!(three.verify(token(&claims_with(3, extra)), NOW).is_ok());
        too_large(three.verify(token(&claims_with(4, extra)), NOW), "4 > 3");
        let more = verifier(Limits {
            max_claims: 257,
            ..Limits::default()
        });
        assert!(more.verify(&over, NOW).is_ok());
    }
    // Members of nested objects do not count.
    let nested = format!(
        r#"{{"exp":{},"o":{{{}}}}}"#,
        NOW + 60,
        (0..300)
            .map(|i| format!(r#""k{i}":{i}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    assert!(v.verify(token(&nested), NOW).is_ok());
    // Decoding without verification applies the default.
    too_large(
        jwt::dangerous::decode_unverified(token(&claims_with(257, None))),
        "unverified",
    );
    assert!(jwt::dangerous::decode_unverified(token(&claims_with(256, None))).is_ok());
    // A forged token with too many claims reports the signature, not the claims.
    let t = token(&claims_with(300, None));
    let dot = t.rfind('.').unwrap();
    let flip = if &t[dot + 1..dot + 2] == "A" {
        "B"
    } else {
        "A"
    };
    let forged = format!("{}{flip}{}", &t[..=dot], &t[dot + 2..]);
    assert_eq!(kind(v.verify(&forged, NOW)), ErrorKind::InvalidSignature);
}

#[test]
fn ten_thousand_claims_are_refused_at_the_first_one_too_many() {
    let claims = claims_with(10_000, None);
    let t = token(&claims);
    let big = Limits {
        max_token_len: 1 << 20,
        ..Limits::default()
    };
    let v = verifier(big);
    // The payload is decoded once (its length); reading it keeps at most the names of
    // `max_claims` members (twice: the fast reader gives up at the first one too many, and the
    // strict parser reads up to there again), never one per member.
    let bound = claims.len() + 32 * 1024;
    too_large(within(bound, "verify", || v.verify(&t, NOW)), "10k claims");
    too_large(
        within(bound, "verify_with", || v.verify_with(&t, NOW, |_| ())),
        "10k claims",
    );
    let strict = token(&claims_with(10_000, Some(r"\ud83d\ude00")));
    too_large(
        within(bound, "strict", || v.verify(&strict, NOW)),
        "10k claims, strict",
    );
}

#[test]
fn json_depth_at_and_past_the_limit() {
    let v = verifier(Limits::default());
    // The claims object is level 1; 31 nested arrays make 32 levels.
    let nest = |n: usize| {
        format!(
            r#"{{"exp":{},"a":{}{}}}"#,
            NOW + 60,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    assert!(v.verify(token(&nest(MAX_JSON_DEPTH - 1)), NOW).is_ok());
    assert_eq!(
        kind(v.verify(token(&nest(MAX_JSON_DEPTH)), NOW)),
        ErrorKind::TooDeep
    );
    // In a header too.
    let header = |n: usize| {
        format!(
            r#"{{"alg":"HS256","x":{}{}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    let claims = claims_with(1, None);
    assert!(
        v.verify(token_raw(&header(MAX_JSON_DEPTH - 1), &claims), NOW)
            .is_ok()
    );
    // Too deep to sign: the header is read (and refused) before the signature is checked.
    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    };
    let unsigned = format!("{}.{}.c2ln", b64(&header(MAX_JSON_DEPTH)), b64(&claims));
    assert_eq!(kind(v.verify(&unsigned, NOW)), ErrorKind::TooDeep);
    // And in JSON read by itself.
    let object = |n: usize| format!(r#"{{"a":{}{}}}"#, "[".repeat(n), "]".repeat(n));
    assert!(jwt::parse_json_object(object(MAX_JSON_DEPTH - 1).as_bytes()).is_ok());
    assert_eq!(
        kind(jwt::parse_json_object(object(MAX_JSON_DEPTH).as_bytes())),
        ErrorKind::TooDeep
    );
}

#[test]
fn hundred_thousand_deep_nesting_is_refused_at_the_limit() {
    let deep = format!(
        r#"{{"exp":{},"a":{}{}}}"#,
        NOW + 60,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    // Plain JSON: refused at depth 32, keeping nothing.
    assert_eq!(
        kind(within(SMALL, "parse_json_object", || {
            jwt::parse_json_object(deep.as_bytes())
        })),
        ErrorKind::TooDeep
    );
    let open = "[".repeat(100_000);
    assert_eq!(
        kind(within(SMALL, "open brackets", || {
            jwt::parse_json_object(open.as_bytes())
        })),
        ErrorKind::TooDeep
    );
    // In a signed token (the limits raised so the size admits it): the payload is decoded once.
    let t = token(&deep);
    let v = verifier(Limits {
        max_token_len: 1 << 20,
        ..Limits::default()
    });
    let bound = deep.len() + 16 * 1024;
    assert_eq!(
        kind(within(bound, "verify", || v.verify(&t, NOW))),
        ErrorKind::TooDeep
    );
    assert_eq!(
        kind(within(bound, "verify_with", || v.verify_with(
            &t,
            NOW,
            |_| ()
        ))),
        ErrorKind::TooDeep
    );
}

#[test]
fn a_64_mib_token_is_refused_by_its_length() {
    let v = verifier(Limits::default());
    too_large(within(SMALL, "verify", || v.verify(huge(), NOW)), "64 MiB");
    too_large(
        within(SMALL, "verify_with", || v.verify_with(huge(), NOW, |_| ())),
        "64 MiB",
    );
    too_large(
        within(SMALL, "verify_jws", || jwt::verify_jws(&hmac(), huge())),
        "64 MiB",
    );
    too_large(
        within(SMALL, "decode_unverified", || {
            jwt::dangerous::decode_unverified(huge())
        }),
        "64 MiB",
    );
    let set = Verifier::new(KeySet::new(vec![hmac()]).unwrap());
    too_large(
        within(SMALL, "key set", || set.verify(huge(), NOW)),
        "64 MiB",
    );
}

// ---- the verifier's limits through the C ABI ---------------------------------------------------------

#[test]
fn verifier_limits_through_the_c_abi() {
    let key = abi::hmac_key(SECRET, c"HS256");
    let set_limit =
        |f: unsafe extern "C" fn(*mut tessera_verifier_builder, usize) -> TesseraResult,
         n: usize| {
            let b = abi::builder();
            // SAFETY: a live builder.
            abi::ok(unsafe { f(b.0, n) });
            abi::verifier_for_key(&b, &key)
        };
    let default = abi::verifier_for_key(&abi::builder(), &key).unwrap();
    let too = abi::code(ErrorKind::TooLarge).0;

    // Claims: 256 by default, then custom.
    let at = abi::sign(&key, &claims_with(256, None));
    let over = abi::sign(&key, &claims_with(257, None));
    assert!(abi::verify(&default, at.as_bytes(), NOW).is_ok());
    assert_eq!(abi::verify(&default, over.as_bytes(), NOW), Err(too));
    let v = set_limit(tessera_verifier_builder_set_max_claims, 257).unwrap();
    assert!(abi::verify(&v, over.as_bytes(), NOW).is_ok());
    let v = set_limit(tessera_verifier_builder_set_max_claims, 3).unwrap();
    let three = abi::sign(&key, &claims_with(3, None));
    let four = abi::sign(&key, &claims_with(4, None));
    assert!(abi::verify(&v, three.as_bytes(), NOW).is_ok());
    assert_eq!(abi::verify(&v, four.as_bytes(), NOW), Err(too));
    assert_eq!(
        set_limit(tessera_verifier_builder_set_max_claims, 0).err(),
        Some(abi::code(ErrorKind::InvalidArgument))
    );

    // Token length.
    let v = set_limit(tessera_verifier_builder_set_max_token_len, three.len()).unwrap();
    assert!(abi::verify(&v, three.as_bytes(), NOW).is_ok());
    let v = set_limit(tessera_verifier_builder_set_max_token_len, three.len() - 1).unwrap();
    assert_eq!(abi::verify(&v, three.as_bytes(), NOW), Err(too));

    // Header length.
    let header_len = three.find('.').unwrap();
    let v = set_limit(tessera_verifier_builder_set_max_header_len, header_len).unwrap();
    assert!(abi::verify(&v, three.as_bytes(), NOW).is_ok());
    let v = set_limit(tessera_verifier_builder_set_max_header_len, header_len - 1).unwrap();
    assert_eq!(abi::verify(&v, three.as_bytes(), NOW), Err(too));

    // 64 MiB: refused by its length, allocating nothing proportional to it.
    let r = within(SMALL, "tessera_verify 64 MiB", || {
        abi::verify(&default, huge(), NOW)
    });
    assert_eq!(r, Err(too));
    // And 10 000 claims with the length raised.
    let v = set_limit(tessera_verifier_builder_set_max_token_len, 1 << 20).unwrap();
    let many = abi::sign(&key, &claims_with(10_000, None));
    let r = within(many.len() + 32 * 1024, "tessera_verify 10k claims", || {
        abi::verify(&v, many.as_bytes(), NOW)
    });
    assert_eq!(r, Err(too));
}

// ---- keys: JWKS, JWK, PEM/DER, RSA --------------------------------------------------------------------

fn ed25519_keys(n: usize) -> Vec<Key> {
    (0..n)
        .map(|i| {
            Key::generate(Algorithm::EdDSA, &rng())
                .unwrap()
                .with_kid(format!("k{i}"))
                .public_key()
                .unwrap()
        })
        .collect()
}

/// `text` padded with trailing spaces (insignificant JSON whitespace) to exactly `len` bytes.
fn padded(text: &str, len: usize) -> Vec<u8> {
    assert!(text.len() <= len);
    let mut v = text.as_bytes().to_vec();
    v.resize(len, b' ');
    v
}

#[test]
fn jwks_size_and_key_count_at_and_past_the_limits() {
    assert_eq!((MAX_JWKS_LEN, MAX_JWKS_KEYS), (256 * 1024, 64));
    let keys = ed25519_keys(MAX_JWKS_KEYS + 1);
    let doc = jwt::jwks(&keys[..MAX_JWKS_KEYS]).unwrap();
    let set = KeySet::from_jwks(doc.as_bytes(), &[]).unwrap();
    assert_eq!(set.keys().len(), MAX_JWKS_KEYS);
    assert_eq!(
        KeySet::new(keys[..MAX_JWKS_KEYS].to_vec())
            .unwrap()
            .keys()
            .len(),
        64
    );
    let doc65 = jwt::jwks(&keys).unwrap();
    too_large(KeySet::from_jwks(doc65.as_bytes(), &[]), "65 keys");
    too_large(KeySet::new(keys.clone()), "65 keys");
    // Size: exactly 256 KiB (padded with whitespace) loads; one byte more does not.
    let at = padded(&doc, MAX_JWKS_LEN);
    assert_eq!(KeySet::from_jwks(&at, &[]).unwrap().keys().len(), 64);
    let over = padded(&doc, MAX_JWKS_LEN + 1);
    too_large(KeySet::from_jwks(&over, &[]), "256 KiB + 1");
    // 64 MiB.
    too_large(
        within(SMALL, "from_jwks 64 MiB", || KeySet::from_jwks(huge(), &[])),
        "64 MiB JWKS",
    );
    // Through the C ABI.
    let load = |doc: &[u8]| {
        let mut out = null_mut();
        // SAFETY: valid inputs and out-pointer.
        let r = unsafe { tessera_keyset_from_jwks(doc.as_ptr(), doc.len(), null(), &mut out) };
        // SAFETY: NULL or a live handle.
        unsafe { tessera_keyset_free(out) };
        r
    };
    abi::ok(load(&at));
    assert_eq!(load(&over), abi::code(ErrorKind::TooLarge));
    assert_eq!(load(doc65.as_bytes()), abi::code(ErrorKind::TooLarge));
    let r = within(SMALL, "tessera_keyset_from_jwks 64 MiB", || load(huge()));
    assert_eq!(r, abi::code(ErrorKind::TooLarge));
}

#[test]
fn jwk_and_key_file_sizes_at_and_past_the_limits() {
    assert_eq!((MAX_JWK_LEN, MAX_KEY_INPUT), (32 * 1024, 64 * 1024));
    let key = &ed25519_keys(1)[0];
    let jwk = serde_json::to_string(&key.public_jwk().unwrap()).unwrap();
    assert!(Key::from_jwk(&padded(&jwk, MAX_JWK_LEN), None).is_ok());
    too_large(
        Key::from_jwk(&padded(&jwk, MAX_JWK_LEN + 1), None),
        "JWK 32 KiB + 1",
    );
    too_large(
        within(SMALL, "from_jwk 64 MiB", || Key::from_jwk(huge(), None)),
        "64 MiB JWK",
    );

    let pem = key.public_key_pem().unwrap();
    let mut at = padded(&pem, MAX_KEY_INPUT);
    at[pem.len()..].fill(b'\n');
    assert!(Key::from_pem(&at, None).is_ok());
    let mut over = padded(&pem, MAX_KEY_INPUT + 1);
    over[pem.len()..].fill(b'\n');
    too_large(Key::from_pem(&over, None), "PEM 64 KiB + 1");
    not_too_large(
        Key::from_der(&vec![0x30; MAX_KEY_INPUT], None),
        "DER 64 KiB",
    );
    too_large(
        Key::from_der(&vec![0x30; MAX_KEY_INPUT + 1], None),
        "DER 64 KiB + 1",
    );
    too_large(
        within(SMALL, "from_pem 64 MiB", || Key::from_pem(huge(), None)),
        "64 MiB PEM",
    );
    too_large(
        within(SMALL, "from_der 64 MiB", || Key::from_der(huge(), None)),
        "64 MiB DER",
    );
    // Through the C ABI.
    let mut out = null_mut();
    // SAFETY: valid inputs and out-pointer.
    let r = within(SMALL, "tessera_key_from_pem 64 MiB", || unsafe {
        tessera_key_from_pem(huge().as_ptr(), huge().len(), null(), &mut out)
    });
    assert_eq!(r, abi::code(ErrorKind::TooLarge));
    assert!(out.is_null());
    // SAFETY: as above.
    let r = unsafe { tessera_key_from_der(huge().as_ptr(), huge().len(), null(), &mut out) };
    assert_eq!(r, abi::code(ErrorKind::TooLarge));
    // SAFETY: as above.
    let r = unsafe { tessera_key_from_jwk(huge().as_ptr(), huge().len(), null(), &mut out) };
    assert_eq!(r, abi::code(ErrorKind::TooLarge));
}

/// A public RSA JWK with an odd modulus of exactly `bits` bits (not a real key: only its size
/// and shape are checked when it is loaded).
fn rsa_jwk(bits: usize) -> String {
    use base64::Engine as _;
    let mut n = vec![0x5Au8; bits.div_ceil(8)];
    let top = bits - (n.len() - 1) * 8; // bits used in the first byte, 1..=8
    n[0] = (0xFFu16 >> (8 - top)) as u8 | (1 << (top - 1));
    *n.last_mut().unwrap() |= 1;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    json!({"kty": "RSA", "alg": "RS256", "n": b64.encode(&n), "e": "AQAB"}).to_string()
}

#[test]
fn rsa_modulus_size_at_and_past_the_limit() {
    assert_eq!(RSA_MAX_BITS, 8192);
    let at = Key::from_jwk(rsa_jwk(RSA_MAX_BITS).as_bytes(), None);
    assert!(at.is_ok(), "{at:?}");
    assert_eq!(
        kind(Key::from_jwk(rsa_jwk(RSA_MAX_BITS + 1).as_bytes(), None)),
        ErrorKind::UnsupportedKey
    );
}

// ---- scopes ----------------------------------------------------------------------------------------------

#[test]
fn scope_limits_at_and_past_the_boundary() {
    assert_eq!(
        (MAX_SCOPES, MAX_SCOPE_LEN, MAX_SCOPE_STRING),
        (256, 256, 16 * 1024)
    );
    let scopes = |n: usize| {
        (0..n)
            .map(|i| format!("s{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(ScopeSet::parse(&scopes(256)).unwrap().len(), 256);
    too_large(ScopeSet::parse(&scopes(257)), "257 scopes");
    assert!(ScopeSet::parse(&"t".repeat(256)).is_ok());
    too_large(ScopeSet::parse(&"t".repeat(257)), "scope of 257 bytes");
    // A string of exactly 16 KiB: 63 tokens of 256 bytes, one of 193, 63 spaces.
    let long = |last: usize| {
        let mut tokens: Vec<String> = (0..63)
            .map(|i| format!("{i:03}{}", "x".repeat(253)))
            .collect();
        tokens.push("y".repeat(last));
        tokens.join(" ")
    };
    assert_eq!(long(193).len(), MAX_SCOPE_STRING);
    assert_eq!(ScopeSet::parse(&long(193)).unwrap().len(), 64);
    too_large(ScopeSet::parse(&long(194)), "16 KiB + 1");
    // 1 MiB: refused by its length.
    let mib = &huge_str()[..1 << 20];
    too_large(
        within(SMALL, "parse 1 MiB", || ScopeSet::parse(mib)),
        "1 MiB scope",
    );
    // Scope claims: the same limits across every claim.
    let claims = json!({"scope": scopes(200), "scp": (200..257).map(|i| format!("s{i}")).collect::<Vec<_>>()});
    too_large(
        ScopeSet::from_claims(claims.as_object().unwrap()),
        "257 scopes in claims",
    );
    let claims = json!({"scope": scopes(200), "scp": (200..256).map(|i| format!("s{i}")).collect::<Vec<_>>()});
    assert_eq!(
        ScopeSet::from_claims(claims.as_object().unwrap())
            .unwrap()
            .len(),
        256
    );
    // Through the C ABI.
    let parse = |s: &[u8]| {
        let mut out = null_mut();
        // SAFETY: valid inputs and out-pointer.
        let r = unsafe { tessera_scopes_parse(s.as_ptr(), s.len(), &mut out) };
        // SAFETY: NULL or a live handle.
        unsafe { tessera_scopes_free(out) };
        r
    };
    abi::ok(parse(long(193).as_bytes()));
    assert_eq!(parse(long(194).as_bytes()), abi::code(ErrorKind::TooLarge));
    let r = within(SMALL, "tessera_scopes_parse 64 MiB", || parse(huge()));
    assert_eq!(r, abi::code(ErrorKind::TooLarge));
}

// ---- wire formats ------------------------------------------------------------------------------------------

#[test]
fn form_limits_at_and_past_the_boundary() {
    assert_eq!(
        (MAX_FORM_BYTES, MAX_FORM_PARAMS, MAX_PARAM_NAME_BYTES),
        (64 * 1024, 64, 128)
    );
    let body = |len: usize| format!("a={}", "v".repeat(len - 2));
    assert_eq!(
        Form::parse(body(MAX_FORM_BYTES).as_bytes())
            .unwrap()
            .get("a")
            .map(str::len),
        Some(MAX_FORM_BYTES - 2)
    );
    too_large(
        Form::parse(body(MAX_FORM_BYTES + 1).as_bytes()),
        "64 KiB + 1",
    );
    let params = |n: usize| {
        (0..n)
            .map(|i| format!("p{i}=v"))
            .collect::<Vec<_>>()
            .join("&")
    };
    assert!(Form::parse(params(64).as_bytes()).is_ok());
    too_large(Form::parse(params(65).as_bytes()), "65 parameters");
    let name = |n: usize| format!("{}=v", "n".repeat(n));
    assert!(Form::parse(name(128).as_bytes()).is_ok());
    too_large(Form::parse(name(129).as_bytes()), "name of 129 bytes");
    // A percent-encoded name is limited by its decoded length.
    let encoded = format!("{}=v", "%6E".repeat(128));
    assert!(Form::parse(encoded.as_bytes()).is_ok());
    too_large(
        Form::parse(format!("{}=v", "%6E".repeat(129)).as_bytes()),
        "decoded 129",
    );
    // 64 MiB.
    too_large(
        within(SMALL, "Form::parse 64 MiB", || Form::parse(huge())),
        "64 MiB form",
    );
    // Through the C ABI.
    let r = within(SMALL, "tessera_form_parse 64 MiB", || {
        // SAFETY: valid inputs; buffers from `call_out`.
        abi::call_out(|o, c, l| unsafe {
            tessera_form_parse(huge().as_ptr(), huge().len(), o, c, l)
        })
    });
    assert_eq!(r, Err(ErrorKind::TooLarge.code()));
    // SAFETY: as above.
    let r = abi::call_out(|o, c, l| unsafe {
        let b = params(65);
        tessera_form_parse(b.as_ptr(), b.len(), o, c, l)
    });
    assert_eq!(r, Err(ErrorKind::TooLarge.code()));
}

#[test]
fn authorization_header_at_and_past_the_limit() {
    assert_eq!(MAX_HEADER_BYTES, 8 * 1024);
    let header = |len: usize| format!("Bearer {}", "t".repeat(len - 7));
    let at = header(MAX_HEADER_BYTES);
    assert_eq!(
        wire::bearer_token(Some(&at)).unwrap().map(str::len),
        Some(MAX_HEADER_BYTES - 7)
    );
    too_large(
        wire::bearer_token(Some(&header(MAX_HEADER_BYTES + 1))),
        "8 KiB + 1",
    );
    too_large(
        within(SMALL, "bearer_token 64 MiB", || {
            wire::bearer_token(Some(huge_str()))
        }),
        "64 MiB header",
    );
    // Through the C ABI, where the header is a NUL-terminated string: only the first
    // 8 KiB + 1 bytes are read.
    let bearer = |h: &CString| {
        // SAFETY: a NUL-terminated string; buffers from `call_out`.
        abi::call_out(|o, c, l| unsafe { tessera_bearer_token(h.as_ptr(), o, c, l) })
    };
    let at = CString::new(at).unwrap();
    assert_eq!(bearer(&at).unwrap().len(), MAX_HEADER_BYTES - 7);
    let over = CString::new(header(MAX_HEADER_BYTES + 1)).unwrap();
    assert_eq!(bearer(&over), Err(ErrorKind::TooLarge.code()));
    let big = CString::new(header(16 << 20)).unwrap();
    assert_eq!(
        within(SMALL, "tessera_bearer_token 16 MiB", || bearer(&big)),
        Err(ErrorKind::TooLarge.code())
    );
    // The client-authentication parsers read the header the same way.
    let form = b"grant_type=client_credentials";
    // SAFETY: valid inputs; buffers from `call_out`.
    let r = abi::call_out(|o, c, l| unsafe {
        tessera_token_request_parse(form.as_ptr(), form.len(), big.as_ptr(), o, c, l)
    });
    assert_eq!(r, Err(ErrorKind::TooLarge.code()));
}

// ---- grant state and the other JSON inputs --------------------------------------------------------------

const APP: &str = r#"{"client_id":"app","kind":"public","redirect_uris":["https://app.example/cb"],
    "allowed_scope":"read write","grant_types":["authorization_code","refresh_token"]}"#;
const POLICY: &str = r#"{"issuer":"https://as.example","audiences":["api"]}"#;

/// A real grant state (a family after authorization), as JSON.
fn state_json() -> String {
    let rng = rng();
    let issuer = Issuer::new(
        Policy::from_json(POLICY).unwrap(),
        Key::generate(Algorithm::ES256, &rng).unwrap(),
        Peppers::new(Pepper::new("p1", &[7u8; 32]).unwrap()),
    )
    .unwrap();
    let client = Client::from_json(APP).unwrap();
    let request = AuthorizeRequest {
        response_type: "code".into(),
        client_id: "app".into(),
        redirect_uri: Some("https://app.example/cb".into()),
        scope: Some("read".into()),
        state: None,
        code_challenge: Some(
            tessera::pkce::CodeVerifier::generate(&rng)
                .unwrap()
                .challenge_s256(),
        ),
        code_challenge_method: Some("S256".into()),
        nonce: None,
        dpop_jkt: None,
    };
    let AuthorizeOutcome::Granted { state, .. } =
        issuer.authorize(Some(&client), &request, "user-42", NOW, &rng)
    else {
        panic!("refused")
    };
    state.to_json()
}

#[test]
fn grant_state_size_at_and_past_the_limit() {
    assert_eq!((MAX_STATE_JSON_LEN, MAX_JSON_INPUT_LEN), (1 << 20, 1 << 20));
    let state = state_json();
    let at = String::from_utf8(padded(&state, MAX_STATE_JSON_LEN)).unwrap();
    assert_eq!(GrantState::from_json(&at).unwrap().to_json(), state);
    let over = String::from_utf8(padded(&state, MAX_STATE_JSON_LEN + 1)).unwrap();
    too_large(GrantState::from_json(&over), "state 1 MiB + 1");
    too_large(
        within(SMALL, "GrantState::from_json 64 MiB", || {
            GrantState::from_json(huge_str())
        }),
        "64 MiB state",
    );
    // Clients and policies: the same 1 MiB.
    let client = String::from_utf8(padded(APP, MAX_JSON_INPUT_LEN)).unwrap();
    assert!(Client::from_json(&client).is_ok());
    let client = String::from_utf8(padded(APP, MAX_JSON_INPUT_LEN + 1)).unwrap();
    too_large(Client::from_json(&client), "client 1 MiB + 1");
    too_large(
        within(SMALL, "Client::from_json 64 MiB", || {
            Client::from_json(huge_str())
        }),
        "64 MiB client",
    );
    too_large(
        within(SMALL, "Policy::from_json 64 MiB", || {
            Policy::from_json(huge_str())
        }),
        "64 MiB policy",
    );
}

#[test]
fn grant_json_inputs_through_the_c_abi() {
    let key = abi::generated_key(c"ES256");
    let mut peppers = null_mut();
    let mut issuer = null_mut();
    let secret = [7u8; 32];
    // SAFETY: valid inputs and out-pointer.
    abi::ok(unsafe { tessera_peppers_new(c"p1".as_ptr(), secret.as_ptr(), 32, &mut peppers) });
    let peppers = abi::PeppersH(peppers);
    // SAFETY: as above.
    unsafe {
        abi::ok(tessera_issuer_new(
            POLICY.as_ptr(),
            POLICY.len(),
            key.0,
            peppers.0,
            &mut issuer,
        ));
    }
    let issuer = abi::IssuerH(issuer);
    let revoke = |state: &[u8]| {
        // SAFETY: live handle, valid inputs; buffers from `call_out`.
        abi::call_json(|o, c, l| unsafe {
            tessera_issuer_revoke_family(issuer.0, state.as_ptr(), state.len(), NOW, o, c, l)
        })
    };
    let state = state_json();
    let at = revoke(&padded(&state, MAX_STATE_JSON_LEN)).unwrap();
    assert_eq!(at["state"]["status"]["state"], "revoked", "{at}");
    assert_eq!(
        revoke(&padded(&state, MAX_STATE_JSON_LEN + 1)),
        Err(ErrorKind::TooLarge.code())
    );
    assert_eq!(
        within(SMALL, "tessera_issuer_revoke_family 64 MiB", || revoke(
            huge()
        )),
        Err(ErrorKind::TooLarge.code())
    );
    // The token endpoint: every JSON input is bounded before it is read.
    let form = b"grant_type=client_credentials&client_id=app";
    // SAFETY: valid inputs; buffers from `call_json`.
    let parsed = abi::call_json(|o, c, l| unsafe {
        tessera_token_request_parse(form.as_ptr(), form.len(), null(), o, c, l)
    })
    .unwrap();
    let (auth, request) = (
        parsed["client_auth"].to_string(),
        parsed["request"].to_string(),
    );
    let (auth, request) = (auth.as_bytes(), request.as_bytes());
    let token = |client: &[u8], auth: &[u8], state: &[u8], request: &[u8]| {
        abi::issuer_token(&issuer, client, auth, state, request, NOW)
    };
    let big = huge();
    for (what, r) in [
        ("client", token(big, auth, b"", request)),
        ("client_auth", token(APP.as_bytes(), big, b"", request)),
        ("state", token(APP.as_bytes(), auth, big, request)),
        ("request", token(APP.as_bytes(), auth, b"", big)),
    ] {
        assert_eq!(r, Err(ErrorKind::TooLarge.code()), "{what}");
    }
    let r = within(SMALL, "tessera_issuer_token 64 MiB", || {
        token(APP.as_bytes(), auth, big, request)
    });
    assert_eq!(r, Err(ErrorKind::TooLarge.code()));
    // Scope policies and claims sets.
    let mut out = null_mut();
    // SAFETY: valid inputs and out-pointer.
    let r = within(SMALL, "tessera_scope_policy_from_json 64 MiB", || unsafe {
        tessera_scope_policy_from_json(big.as_ptr(), big.len(), &mut out)
    });
    assert_eq!(r, abi::code(ErrorKind::TooLarge));
    let mut out = null_mut();
    // SAFETY: as above.
    let r = within(SMALL, "tessera_scopes_from_claims 64 MiB", || unsafe {
        tessera_scopes_from_claims(big.as_ptr(), big.len(), &mut out)
    });
    assert_eq!(r, abi::code(ErrorKind::TooLarge));
}

// ---- the documentation -------------------------------------------------------------------------------

/// `docs/LIMITS.md` is checked against `src/limits.rs`, where every limit is defined, by that
/// module's own unit test (every constant named with its value). What it cannot see from there:
/// a verifier's default `Limits` are those documented constants.
#[test]
fn default_verifier_limits_are_the_documented_constants() {
    let d = Limits::default();
    assert_eq!(
        (d.max_token_len, d.max_header_len, d.max_claims),
        (
            Limits::DEFAULT_MAX_TOKEN_LEN,
            Limits::DEFAULT_MAX_HEADER_LEN,
            Limits::DEFAULT_MAX_CLAIMS
        )
    );
    let doc = include_str!("../docs/LIMITS.md");
    assert!(doc.contains("16 KiB (`jwt::Limits::DEFAULT_MAX_TOKEN_LEN`)"));
}
