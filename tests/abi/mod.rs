//! Shared by the integration tests that call the C ABI from Rust (`limits.rs`,
//! `abi_robustness.rs`, `concurrency.rs`): owned handles that free themselves, and the two-call
//! buffer protocol of API convention 4.

#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::ffi::{CStr, c_char};
use std::ptr::{null, null_mut};

use serde_json::Value;
use tessera::ErrorKind;
use tessera::ffi::*;

/// The code of an error kind, as the ABI returns it.
pub fn code(kind: ErrorKind) -> TesseraResult {
    TesseraResult(kind.code())
}

/// Panics unless `r` is `TESSERA_RESULT_OK`, naming the code.
#[track_caller]
pub fn ok(r: TesseraResult) {
    assert_eq!(r, TesseraResult(TESSERA_RESULT_OK), "{}", name(r));
}

/// The stable name of a result code.
pub fn name(r: TesseraResult) -> String {
    // SAFETY: static NUL-terminated string.
    unsafe { CStr::from_ptr(tessera_result_name(r.0)) }
        .to_string_lossy()
        .into_owned()
}

/// Calls a function writing to a caller buffer as a C caller would: first with `(NULL, 0)`,
/// then with a buffer of exactly the reported size. `Err(code)` when it fails; checks that
/// nothing was written on failure.
pub fn call_out(f: impl Fn(*mut u8, usize, *mut usize) -> TesseraResult) -> Result<Vec<u8>, u32> {
    let mut len = usize::MAX;
    match f(null_mut(), 0, &mut len) {
        TesseraResult(TESSERA_RESULT_OK) => {
            assert_eq!(len, 0);
            Ok(Vec::new())
        }
        TesseraResult(c) if c == ErrorKind::BufferTooSmall.code() => {
            let mut buf = vec![0u8; len];
            let mut got = usize::MAX;
            let r = f(buf.as_mut_ptr(), buf.len(), &mut got);
            assert_eq!(r, TesseraResult(TESSERA_RESULT_OK), "{}", name(r));
            assert_eq!(got, len);
            Ok(buf)
        }
        TesseraResult(c) => {
            assert_eq!(len, usize::MAX, "out_len untouched on failure");
            Err(c)
        }
    }
}

/// [`call_out`] for JSON output.
pub fn call_json(f: impl Fn(*mut u8, usize, *mut usize) -> TesseraResult) -> Result<Value, u32> {
    call_out(f).map(|b| serde_json::from_slice(&b).expect("output is JSON"))
}

macro_rules! owned {
    ($name:ident, $raw:ty, $free:ident) => {
        /// An owned handle, freed on drop.
        pub struct $name(pub *mut $raw);
        // SAFETY: the library documents these handles as immutable and thread-safe.
        unsafe impl Send for $name {}
        // SAFETY: as above.
        unsafe impl Sync for $name {}
        impl Drop for $name {
            fn drop(&mut self) {
                // SAFETY: a live handle of this kind, freed once.
                unsafe { $free(self.0) }
            }
        }
    };
}

owned!(KeyH, tessera_key, tessera_key_free);
owned!(KeySetH, tessera_keyset, tessera_keyset_free);
owned!(VerifierH, tessera_verifier, tessera_verifier_free);
owned!(PeppersH, tessera_peppers, tessera_peppers_free);
owned!(IssuerH, tessera_issuer, tessera_issuer_free);
owned!(
    BuilderH,
    tessera_verifier_builder,
    tessera_verifier_builder_free
);

/// `tessera_issuer_token` with byte inputs (client id, client authentication JSON, state JSON,
/// request JSON), through [`call_json`].
pub fn issuer_token(
    issuer: &IssuerH,
    client: &[u8],
    auth: &[u8],
    state: &[u8],
    request: &[u8],
    now: i64,
) -> Result<Value, u32> {
    // SAFETY: a live handle and byte inputs that outlive the call; buffers from `call_json`.
    call_json(|o, c, l| unsafe {
        tessera_issuer_token(
            issuer.0,
            client.as_ptr(),
            client.len(),
            auth.as_ptr(),
            auth.len(),
            state.as_ptr(),
            state.len(),
            request.as_ptr(),
            request.len(),
            now,
            o,
            c,
            l,
        )
    })
}

/// An HMAC key from `secret`.
pub fn hmac_key(secret: &[u8], alg: &CStr) -> KeyH {
    let mut k = null_mut();
    // SAFETY: valid inputs and out-pointer.
    ok(unsafe { tessera_key_hmac(secret.as_ptr(), secret.len(), alg.as_ptr(), &mut k) });
    KeyH(k)
}

/// A fresh key of `alg`.
pub fn generated_key(alg: &CStr) -> KeyH {
    let mut k = null_mut();
    // SAFETY: valid inputs and out-pointer.
    ok(unsafe { tessera_key_generate(alg.as_ptr(), &mut k) });
    KeyH(k)
}

/// A new, empty verifier builder.
pub fn builder() -> BuilderH {
    let mut b = null_mut();
    // SAFETY: valid out-pointer.
    ok(unsafe { tessera_verifier_builder_new(&mut b) });
    BuilderH(b)
}

/// A verifier for `key` built by `b`.
pub fn verifier_for_key(b: &BuilderH, key: &KeyH) -> Result<VerifierH, TesseraResult> {
    let mut v = null_mut();
    // SAFETY: live handles, valid out-pointer.
    let r = unsafe { tessera_verifier_new_with_key(b.0, key.0, &mut v) };
    if r == TesseraResult(TESSERA_RESULT_OK) {
        Ok(VerifierH(v))
    } else {
        assert!(v.is_null(), "no handle on failure");
        Err(r)
    }
}

/// A verifier for `set` built by `b`.
pub fn verifier_for_set(b: &BuilderH, set: &KeySetH) -> VerifierH {
    let mut v = null_mut();
    // SAFETY: live handles, valid out-pointer.
    ok(unsafe { tessera_verifier_new_with_keyset(b.0, set.0, &mut v) });
    VerifierH(v)
}

/// `tessera_verify_batch` over `ptrs[i]` of `lens[i]` bytes, which must return OK: the codes.
pub fn verify_batch(
    v: *const tessera_verifier,
    ptrs: &[*const u8],
    lens: &[usize],
    now: i64,
    threads: usize,
) -> Vec<u32> {
    assert_eq!(ptrs.len(), lens.len());
    let mut results = vec![u32::MAX; ptrs.len()];
    // SAFETY: `v` is a live verifier; arrays of `ptrs.len()` tokens (each NULL or `lens[i]`
    // readable bytes, the caller's promise), lengths and result slots.
    ok(unsafe {
        tessera_verify_batch(
            v,
            ptrs.as_ptr(),
            lens.as_ptr(),
            ptrs.len(),
            now,
            threads,
            results.as_mut_ptr(),
        )
    });
    results
}

/// `tessera_verify`: the claims JSON, or the failing code.
pub fn verify(v: &VerifierH, token: &[u8], now: i64) -> Result<Vec<u8>, u32> {
    // SAFETY: live handle, valid inputs; buffers from `call_out`.
    call_out(|o, c, l| unsafe { tessera_verify(v.0, token.as_ptr(), token.len(), now, o, c, l) })
}

/// Signs `claims` (JSON) with `key`, header `{"typ":"JWT"}`.
pub fn sign(key: &KeyH, claims: &str) -> String {
    let header = br#"{"typ":"JWT"}"#;
    // SAFETY: live handle, valid inputs; buffers from `call_out`.
    let token = call_out(|o, c, l| unsafe {
        tessera_sign(
            key.0,
            header.as_ptr(),
            header.len(),
            claims.as_ptr(),
            claims.len(),
            o,
            c,
            l,
        )
    })
    .unwrap();
    String::from_utf8(token).unwrap()
}

/// A C string pointer or NULL.
pub fn opt_ptr(s: Option<&CStr>) -> *const c_char {
    s.map_or(null(), CStr::as_ptr)
}
