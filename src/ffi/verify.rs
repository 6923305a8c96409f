//! C ABI for verification: single tokens (fast, explained and full), JWS payloads, batches on
//! the worker pool, and the accessors of a verified result. Conventions: see the module
//! documentation of `ffi` (README "API conventions").

use std::ffi::c_char;
use std::sync::Arc;

use super::{
    TesseraResult, borrow, boundary, bytes, free, new_handle, null, output_from, pool, req_str,
    tag, write_out, write_value,
};
use crate::jwt::{Verified, Verifier};
use crate::{Error, ErrorKind};

use super::verifier::VerifierHandle;
use super::{tessera_verified, tessera_verifier};

// ---- verification ----------------------------------------------------------------------------

/// Verifies a JWT at `now` (Unix seconds) and writes its claims set (the signed JSON text).
/// On `TESSERA_RESULT_BUFFER_TOO_SMALL` the token was valid; retry with the reported size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verify(
    verifier: *const tessera_verifier,
    token: *const u8,
    token_len: usize,
    now: i64,
    claims_out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 4 and 6.
        unsafe {
            let v: &VerifierHandle = borrow(tag::VERIFIER, verifier)?;
            v.verify_with(bytes(token, token_len)?, now, |claims| {
                write_out(claims.payload(), claims_out, cap, out_len)
            })?
        }
    })
}

/// Verifies a JWT at `now` and returns only the result code (the fast path: nothing is
/// copied out).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verify_result(
    verifier: *const tessera_verifier,
    token: *const u8,
    token_len: usize,
    now: i64,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 6.
        unsafe {
            let v: &VerifierHandle = borrow(tag::VERIFIER, verifier)?;
            v.verify_with(bytes(token, token_len)?, now, |_| ())
        }
    })
}

/// Verifies a JWT at `now` exactly as `tessera_verify_result` does and returns the same code;
/// when that code is not `TESSERA_RESULT_OK`, also writes why, as the failure's detail text
/// (for example `claim "exp" is required`) to `detail_out`. The text is for logs and
/// developers, while programs branch on the code: UTF-8, not NUL-terminated, composed by
/// tessera (it names the rule and the member, never a value copied from the token) and at most
/// `TESSERA_MAX_DETAIL_LEN` bytes, so a buffer of that size always holds it whole. A smaller
/// `cap` gets the text cut at a character boundary (fewer than `cap` bytes may be written);
/// `out_len` (may be NULL) receives its full length, 0 on success.
/// `detail_out` may be NULL when `cap` is 0. A NULL `detail_out` with a non-zero `cap`
/// returns `TESSERA_RESULT_NULL_POINTER` without verifying.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verify_explain(
    verifier: *const tessera_verifier,
    token: *const u8,
    token_len: usize,
    now: i64,
    detail_out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        if detail_out.is_null() && cap > 0 {
            return Err(null());
        }
        // SAFETY: conventions 3 and 6.
        let verdict = unsafe {
            borrow(tag::VERIFIER, verifier)
                .and_then(|v: &VerifierHandle| v.verify_with(bytes(token, token_len)?, now, |_| ()))
        };
        // An error without a detail of its own is described by its kind.
        let detail = match &verdict {
            Ok(()) => "",
            Err(e) if e.detail().is_empty() => e.kind().description(),
            Err(e) => e.detail(),
        };
        let mut n = detail.len().min(cap);
        while !detail.is_char_boundary(n) {
            n -= 1;
        }
        if n > 0 {
            // SAFETY: `detail_out` is non-NULL (checked) with room for `cap >= n` bytes, the
            // caller's promise; `detail` is tessera's own memory.
            unsafe { std::ptr::copy_nonoverlapping(detail.as_ptr(), detail_out, n) };
        }
        if !out_len.is_null() {
            // SAFETY: non-NULL; the caller promises it is writable.
            unsafe { *out_len = detail.len() };
        }
        verdict
    })
}

/// Verifies `count` tokens (`tokens[i]` of `lens[i]` bytes) at `now`, writing one result code
/// per token to `results[i]`, on up to `threads` threads (0: one per available core). Returns
/// `TESSERA_RESULT_OK` when the arguments were valid — each token's own verdict is in
/// `results`. A NULL token with a non-zero length gets `TESSERA_RESULT_NULL_POINTER` in its slot.
/// The calling thread works too; the others come from a pool of worker threads started by the
/// first multi-threaded batch (`threads` = 1 never starts it), which spin up to 100 µs for the
/// next batch and then park. Batches of fewer than 64 tokens run on the calling thread alone.
/// The tokens are read in place, by every thread, until the call returns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verify_batch(
    verifier: *const tessera_verifier,
    tokens: *const *const u8,
    lens: *const usize,
    count: usize,
    now: i64,
    threads: usize,
    results: *mut u32,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 5 and 6; `results` must have room for `count` codes.
        unsafe {
            let v: &VerifierHandle = borrow(tag::VERIFIER, verifier)?;
            let tokens = super::slice(tokens, count)?;
            let lens = super::slice(lens, count)?;
            if results.is_null() && count > 0 {
                return Err(null());
            }
            // The tokens themselves are checked (NULL with a non-zero length) one by one, as
            // they are verified.
            let codes = verify_many(v, tokens, lens, now, threads);
            if count > 0 {
                std::ptr::copy_nonoverlapping(codes.as_ptr(), results, count);
            }
            Ok(())
        }
    })
}

/// The result code of verifying one batch input (a token, or the error its arguments gave).
fn verify_code(v: &Verifier, input: Result<&[u8], Error>, now: i64) -> u32 {
    input
        .and_then(|token| v.verify_with(token, now, |_| ()))
        .map_or_else(|e| e.code(), |()| super::TESSERA_RESULT_OK)
}

/// The caller's token arrays, borrowed without a lifetime: `n` pointers at `ptrs` and `n`
/// lengths at `lens`, each pair NULL or `len` readable bytes.
struct Tokens {
    ptrs: *const *const u8,
    lens: *const usize,
    n: usize,
}

// SAFETY: `Tokens` is only read (never written through), and only by `Tokens::get`, inside the
// job that `verify_many` hands to `pool::run`. `pool::run` calls that job only with `i < n`
// and never after it has returned or unwound (its documented guarantee), and `verify_many`'s
// caller promises the memory stays readable until then. So the memory is only read by other
// threads while the caller guarantees it, and reading shared bytes from several threads at
// once is sound.
unsafe impl Send for Tokens {}
// SAFETY: as for `Send`: shared, read-only access within the caller's guarantee.
unsafe impl Sync for Tokens {}

impl Tokens {
    /// The `i`-th token, or the error its arguments give (a NULL pointer with a non-zero
    /// length: `NullPointer`, exactly as `tessera_verify_result` would say).
    ///
    /// # Safety
    /// `i < n`, and the memory the `Tokens` were made from is still readable.
    unsafe fn get(&self, i: usize) -> Result<&[u8], Error> {
        debug_assert!(i < self.n);
        // SAFETY: `i < n`, so both reads are within the caller's arrays, which (like the bytes
        // they describe) are readable by the caller's promise.
        unsafe { bytes(*self.ptrs.add(i), *self.lens.add(i)) }
    }
}

/// Verifies many tokens (`tokens[i]` of `lens[i]` bytes) on up to `threads` threads (0: all
/// cores), one code per token: on the calling thread alone for small batches, else with the
/// pool's parked workers.
///
/// # Safety
/// `tokens` and `lens` have the same length, and each `(tokens[i], lens[i])` is NULL or
/// `lens[i]` bytes that stay readable (and unwritten) until this returns.
pub(crate) unsafe fn verify_many(
    v: &Arc<Verifier>,
    tokens: &[*const u8],
    lens: &[usize],
    now: i64,
    threads: usize,
) -> Vec<u32> {
    let threads = match threads {
        0 => pool::cores(),
        n => n,
    };
    // Below a few dozen tokens per thread, handing work out costs more than it saves.
    let threads = threads.min(tokens.len() / 32).max(1);
    if threads == 1 {
        return tokens
            .iter()
            .zip(lens)
            // SAFETY: the caller's promise.
            .map(|(&t, &l)| verify_code(v, unsafe { bytes(t, l) }, now))
            .collect();
    }
    let n = tokens.len().min(lens.len());
    let tokens = Tokens {
        ptrs: tokens.as_ptr(),
        lens: lens.as_ptr(),
        n,
    };
    let verifier = Arc::clone(v);
    pool::run(n, threads, move |i| {
        // SAFETY: `pool::run` calls this only with `i < n` and only before it returns, while
        // the caller's promise holds (see `Send for Tokens`).
        let input = unsafe { tokens.get(i) };
        verify_code(&verifier, input, now)
    })
}

/// Verifies only the signature (no claim checks) and writes the payload octets, for JWS
/// payloads that are not JWT claims sets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verify_jws(
    verifier: *const tessera_verifier,
    token: *const u8,
    token_len: usize,
    payload_out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 4 and 6.
        unsafe {
            let v: &VerifierHandle = borrow(tag::VERIFIER, verifier)?;
            let jws = v.verify_jws(bytes(token, token_len)?)?;
            write_out(jws.payload(), payload_out, cap, out_len)
        }
    })
}

/// Verifies a JWT at `now` and returns a handle to the verified result, for the accessors
/// below. Free it with `tessera_verified_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verify_full(
    verifier: *const tessera_verifier,
    token: *const u8,
    token_len: usize,
    now: i64,
    out: *mut *mut tessera_verified,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 5 and 6.
        unsafe {
            let v: &VerifierHandle = borrow(tag::VERIFIER, verifier)?;
            new_handle(tag::VERIFIED, v.verify(bytes(token, token_len)?, now)?, out)
        }
    })
}

fn verified_text(
    verified: *const tessera_verified,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    f: impl FnOnce(&Verified) -> Result<Vec<u8>, Error>,
) -> TesseraResult {
    // SAFETY: conventions 4 and 6.
    unsafe { output_from(tag::VERIFIED, verified, out, cap, out_len, f) }
}

fn json(value: &impl serde::Serialize) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|_| Error::from(ErrorKind::InvalidArgument))
}

fn missing(name: &'static str) -> Error {
    Error::with_detail(ErrorKind::MissingClaim, format!("claim {name:?} is absent"))
}

/// Writes the full claims set (JSON object).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_claims(
    verified: *const tessera_verified,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    verified_text(verified, out, cap, out_len, |v| Ok(v.payload().to_vec()))
}

/// Writes the protected header (JSON object).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_header(
    verified: *const tessera_verified,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    verified_text(verified, out, cap, out_len, |v| json(&v.header().to_json()))
}

/// Writes the JSON value of claim `name`; an absent claim is `TESSERA_RESULT_MISSING_CLAIM`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_claim(
    verified: *const tessera_verified,
    name: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 4 and 6.
        unsafe {
            let v: &Verified = borrow(tag::VERIFIED, verified)?;
            let name = req_str(name)?;
            let value = v.claims().get(name).ok_or_else(|| {
                Error::with_detail(
                    ErrorKind::MissingClaim,
                    format!("claim {:?} is absent", crate::error::snippet(name)),
                )
            })?;
            write_out(&json(value)?, out, cap, out_len)
        }
    })
}

fn string_claim(
    verified: *const tessera_verified,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    name: &'static str,
    field: fn(&Verified) -> Option<&String>,
) -> TesseraResult {
    verified_text(verified, out, cap, out_len, |v| {
        field(v)
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| missing(name))
    })
}

/// Writes `iss` (UTF-8); absent is `TESSERA_RESULT_MISSING_CLAIM`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_iss(
    verified: *const tessera_verified,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    string_claim(verified, out, cap, out_len, "iss", |v| {
        v.registered().iss.as_ref()
    })
}

/// Writes `sub` (UTF-8); absent is `TESSERA_RESULT_MISSING_CLAIM`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_sub(
    verified: *const tessera_verified,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    string_claim(verified, out, cap, out_len, "sub", |v| {
        v.registered().sub.as_ref()
    })
}

/// Writes `jti` (UTF-8); absent is `TESSERA_RESULT_MISSING_CLAIM`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_jti(
    verified: *const tessera_verified,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    string_claim(verified, out, cap, out_len, "jti", |v| {
        v.registered().jti.as_ref()
    })
}

/// Writes `aud` as a JSON array of strings (a single string becomes one element; absent is
/// `[]`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_aud(
    verified: *const tessera_verified,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    verified_text(verified, out, cap, out_len, |v| json(&v.registered().aud))
}

fn time_claim(
    verified: *const tessera_verified,
    out: *mut i64,
    name: &'static str,
    field: fn(&Verified) -> Option<i64>,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let v: &Verified = borrow(tag::VERIFIED, verified)?;
            write_value(out, field(v).ok_or_else(|| missing(name))?)
        }
    })
}

/// Writes `exp` (Unix seconds); absent is `TESSERA_RESULT_MISSING_CLAIM`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_exp(
    verified: *const tessera_verified,
    out: *mut i64,
) -> TesseraResult {
    time_claim(verified, out, "exp", |v| v.registered().exp)
}

/// Writes `nbf` (Unix seconds); absent is `TESSERA_RESULT_MISSING_CLAIM`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_nbf(
    verified: *const tessera_verified,
    out: *mut i64,
) -> TesseraResult {
    time_claim(verified, out, "nbf", |v| v.registered().nbf)
}

/// Writes `iat` (Unix seconds); absent is `TESSERA_RESULT_MISSING_CLAIM`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_iat(
    verified: *const tessera_verified,
    out: *mut i64,
) -> TesseraResult {
    time_claim(verified, out, "iat", |v| v.registered().iat)
}

/// Frees a verified result. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_free(verified: *mut tessera_verified) {
    // SAFETY: convention 7.
    unsafe { free::<Verified, _>(tag::VERIFIED, verified) }
}

#[cfg(test)]
mod tests {
    use crate::SystemRandom;

    use super::*;
    use crate::jwt::{self, Algorithm, Header, Key};

    #[test]
    fn a_batch_gives_every_token_its_own_code_on_any_number_of_threads() {
        let key = Key::hmac(&[5; 32], Algorithm::HS256).unwrap();
        let rng = SystemRandom::new();
        let tokens: Vec<String> = (0..100)
            .map(|i| {
                let exp = if i % 3 == 0 { 10 } else { 2_000 };
                let claims = serde_json::json!({"exp": exp, "n": i});
                jwt::sign(&key, &Header::new(), &claims, &rng).unwrap()
            })
            .collect();
        let verifier = Arc::new(Verifier::new(key));
        let mut ptrs: Vec<*const u8> = tokens.iter().map(|t| t.as_ptr()).collect();
        let mut lens: Vec<usize> = tokens.iter().map(String::len).collect();
        ptrs[7] = std::ptr::null();
        ptrs[8] = b"not.a.token".as_ptr();
        lens[8] = 11;
        ptrs[9] = std::ptr::null();
        lens[9] = 0;
        let expected: Vec<u32> = ptrs
            .iter()
            .zip(&lens)
            .map(|(&p, &l)| {
                // SAFETY: each pair is NULL or a live token of that length.
                let input = unsafe { bytes(p, l) };
                verify_code(&verifier, input, 1_000)
            })
            .collect();
        assert!(expected.contains(&ErrorKind::Expired.code()));
        assert_eq!(expected[7], ErrorKind::NullPointer.code());
        assert_ne!(expected[8], super::super::TESSERA_RESULT_OK);
        for threads in [0, 1, 2, 4, 64] {
            for _ in 0..20 {
                // SAFETY: `tokens` outlive the call.
                let got = unsafe { verify_many(&verifier, &ptrs, &lens, 1_000, threads) };
                assert_eq!(got, expected, "{threads} threads");
            }
        }
    }
}
