//! C ABI for opaque tokens (`<prefix>_<kind>_<body><check>`), their pepper-keyed lookup hashes
//! (`tessera_peppers`) and PKCE (RFC 7636). Conventions: see the module documentation of `ffi`
//! (README "API conventions").

use std::ffi::c_char;

use crate::SystemRandom;

use super::{
    TesseraResult, borrow, borrow_mut, boundary, bytes, free, new_handle, opt_str, output, req_str,
    tag, text, write_out,
};
use crate::pkce::{self, ChallengeMethod, CodeVerifier, PkcePolicy};
use crate::token::{LookupHash, Pepper, Peppers, TokenFormat, TokenKind};
use crate::{Error, ErrorKind};

/// A pepper rotation set: the current pepper (for new lookup hashes) and older ones (so stored
/// hashes still verify). Thread-safe once configured: `tessera_peppers_add_previous` is the
/// only function that changes it, and must not run while the handle is used elsewhere.
pub struct tessera_peppers {
    _private: [u8; 0],
}

/// A presented opaque token as text. Bytes that are not UTF-8 cannot be a token of any format,
/// so they are `MalformedOpaqueToken` like any other grammar error.
///
/// # Safety
/// As for [`bytes`].
unsafe fn token_text<'a>(p: *const u8, len: usize) -> Result<&'a str, Error> {
    // SAFETY: forwarded.
    std::str::from_utf8(unsafe { bytes(p, len) }?)
        .map_err(|_| Error::new(ErrorKind::MalformedOpaqueToken, "token is not UTF-8 text"))
}

fn kind(name: Option<&str>) -> Result<Option<TokenKind>, Error> {
    name.map(str::parse).transpose()
}

// ---- opaque tokens ---------------------------------------------------------------------------

/// Generates an opaque token `<prefix>_<kind>_<43 base62><6 base62 checksum>` from 32 bytes of
/// the system random number generator. `prefix` is the deployment's prefix (1 to 16 of
/// `[a-z0-9]`, starting with a letter); `kind` is "ac" (authorization code), "rt" (refresh
/// token), "ak" (API key) or "at" (opaque access token); both are required, and anything else is
/// `TESSERA_RESULT_INVALID_ARGUMENT`.
///
/// Every token of a prefix has the same length, `strlen(prefix) + 53`. On
/// `TESSERA_RESULT_BUFFER_TOO_SMALL` nothing was kept: the retry generates a different token.
/// Show the token to its owner once and store only its lookup hash (`tessera_peppers_lookup`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_token_generate(
    prefix: *const c_char,
    kind: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 4.
        unsafe {
            let format = TokenFormat::new(req_str(prefix)?)?;
            let kind: TokenKind = req_str(kind)?.parse()?;
            let token = format.generate(kind, &SystemRandom::new())?;
            write_out(token.as_str().as_bytes(), out, cap, out_len)
        }
    })
}

/// Checks a presented token offline, before any lookup, and writes its two-letter kind ("ac",
/// "rt", "ak" or "at"). In order: grammar (`TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN`: length,
/// `prefix`, separators, alphabet), kind (`TESSERA_RESULT_WRONG_TOKEN_KIND` when
/// `expected_kind` is given and differs; NULL accepts any kind), checksum
/// (`TESSERA_RESULT_TOKEN_CHECKSUM`). Passing says the token is well formed, not that it exists.
/// A bad `prefix` or `expected_kind` is `TESSERA_RESULT_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_token_check(
    prefix: *const c_char,
    token: *const u8,
    token_len: usize,
    expected_kind: *const c_char,
    out_kind: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output(out_kind, cap, out_len, || {
            let format = TokenFormat::new(req_str(prefix)?)?;
            let expected = kind(opt_str(expected_kind)?)?;
            Ok(format
                .check(token_text(token, token_len)?, expected)?
                .code())
        })
    }
}

// ---- peppers ---------------------------------------------------------------------------------

/// A pepper set whose current pepper is `secret` (at least 32 bytes, else
/// `TESSERA_RESULT_WEAK_KEY`; copied, and wiped when the handle is freed) named `key_id` (1 to
/// 64 printable ASCII characters without spaces, else `TESSERA_RESULT_INVALID_ARGUMENT`). The
/// key id is stored beside every lookup hash so peppers can rotate. On success `*out` is a new
/// handle to free with `tessera_peppers_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_peppers_new(
    key_id: *const c_char,
    secret: *const u8,
    secret_len: usize,
    out: *mut *mut tessera_peppers,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            let pepper = Pepper::new(req_str(key_id)?, bytes(secret, secret_len)?)?;
            new_handle(tag::PEPPERS, Peppers::new(pepper), out)
        }
    })
}

/// Adds an older pepper, kept so that hashes stored under it still verify
/// (`tessera_peppers_verify`) until the host re-hashes them. Same rules as
/// `tessera_peppers_new`; a key id already in the set is `TESSERA_RESULT_INVALID_ARGUMENT`.
///
/// This changes the handle: call it while configuring, before the handle is shared with other
/// threads; it must not run concurrently with any other use of the handle. Issuers copy the
/// peppers when built (`tessera_issuer_new`), so later additions do not reach them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_peppers_add_previous(
    peppers: *mut tessera_peppers,
    key_id: *const c_char,
    secret: *const u8,
    secret_len: usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 6; exclusivity is the caller's promise (documented above).
        unsafe {
            let set: &mut Peppers = borrow_mut(tag::PEPPERS, peppers)?;
            let pepper = Pepper::new(req_str(key_id)?, bytes(secret, secret_len)?)?;
            *set = set.clone().with_previous(pepper)?;
            Ok(())
        }
    })
}

/// The shape of the functions that write a lookup hash: the peppers behind `peppers` in, the
/// hash `lookup` makes of them written in its text form `<key_id>:<base64url>`.
///
/// # Safety
/// Conventions 4 and 6 for `peppers`, `out`, `cap` and `out_len`.
pub(super) unsafe fn lookup_output(
    peppers: *const tessera_peppers,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    lookup: impl FnOnce(&Peppers) -> Result<LookupHash, Error>,
) -> TesseraResult {
    // SAFETY: forwarded.
    unsafe {
        output(out, cap, out_len, || {
            Ok(lookup(borrow(tag::PEPPERS, peppers)?)?.to_string())
        })
    }
}

/// Writes the lookup hash of `token` under the current pepper, in its text form
/// `<key_id>:<base64url of HMAC-SHA-256(pepper, token)>`: what the host stores and indexes
/// instead of the token. The token is any UTF-8 text (`TESSERA_RESULT_INVALID_UTF8` otherwise);
/// check its format first with `tessera_token_check` or use `tessera_peppers_check_and_lookup`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_peppers_lookup(
    peppers: *const tessera_peppers,
    token: *const u8,
    token_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        lookup_output(peppers, out, cap, out_len, |set| {
            Ok(set.lookup(text(token, token_len)?))
        })
    }
}

/// Checks that `stored` (a lookup hash in text form, as written by `tessera_peppers_lookup`) is
/// the hash of `token`: picks the pepper by the stored key id, recomputes and compares in
/// constant time. `TESSERA_RESULT_OK` on a match; `TESSERA_RESULT_TOKEN_MISMATCH` when the hash
/// differs or its key id is not in the set; `TESSERA_RESULT_INVALID_ARGUMENT` when `stored` is
/// not a lookup hash.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_peppers_verify(
    peppers: *const tessera_peppers,
    token: *const u8,
    token_len: usize,
    stored: *const u8,
    stored_len: usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 6.
        unsafe {
            let set: &Peppers = borrow(tag::PEPPERS, peppers)?;
            let stored: LookupHash = text(stored, stored_len)?.parse()?;
            set.verify(text(token, token_len)?, &stored)
        }
    })
}

/// Everything before the database, in one call: `tessera_token_check` (grammar, kind when
/// `expected_kind` is not NULL, checksum; same result codes), then the lookup hash under the
/// current pepper, written as by `tessera_peppers_lookup`. Hosts that still keep hashes under
/// older peppers look those up separately.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_peppers_check_and_lookup(
    peppers: *const tessera_peppers,
    prefix: *const c_char,
    token: *const u8,
    token_len: usize,
    expected_kind: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        lookup_output(peppers, out, cap, out_len, |set| {
            let format = TokenFormat::new(req_str(prefix)?)?;
            let expected = kind(opt_str(expected_kind)?)?;
            set.check_and_lookup(&format, token_text(token, token_len)?, expected)
        })
    }
}

/// Frees a pepper set (its secrets are wiped). NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_peppers_free(peppers: *mut tessera_peppers) {
    // SAFETY: convention 7.
    unsafe { free::<Peppers, _>(tag::PEPPERS, peppers) }
}

// ---- PKCE ------------------------------------------------------------------------------------

/// Writes a new PKCE code verifier (RFC 7636 §4.1): 32 bytes of the system random number
/// generator in base64url, always 43 characters. On `TESSERA_RESULT_BUFFER_TOO_SMALL` nothing
/// was kept: the retry generates a different verifier.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_pkce_verifier_new(
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        let verifier = CodeVerifier::generate(&SystemRandom::new())?;
        // SAFETY: convention 4.
        unsafe { write_out(verifier.as_str().as_bytes(), out, cap, out_len) }
    })
}

/// Writes the S256 code challenge of `verifier`: `BASE64URL(SHA256(verifier))`, 43 characters
/// (RFC 7636 §4.2). A verifier that is not 43 to 128 characters of `[A-Za-z0-9-._~]` is
/// `TESSERA_RESULT_INVALID_PKCE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_pkce_challenge(
    verifier: *const u8,
    verifier_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 4.
        unsafe {
            let verifier = CodeVerifier::new(pkce_text(verifier, verifier_len)?)?;
            write_out(verifier.challenge_s256().as_bytes(), out, cap, out_len)
        }
    })
}

/// PKCE input as text: bytes that are not UTF-8 break the RFC 7636 grammar.
///
/// # Safety
/// As for [`bytes`].
unsafe fn pkce_text<'a>(p: *const u8, len: usize) -> Result<&'a str, Error> {
    // SAFETY: forwarded.
    std::str::from_utf8(unsafe { bytes(p, len) }?).map_err(|_| {
        Error::new(
            ErrorKind::InvalidPkce,
            "PKCE value is not ASCII (RFC 7636 section 4.1)",
        )
    })
}

/// The token endpoint's PKCE check (RFC 7636 §4.6): `TESSERA_RESULT_OK` when `verifier` matches
/// `challenge` under `method` ("S256" or "plain", exactly; required), compared in constant
/// time. `TESSERA_RESULT_PKCE_MISMATCH` when it does not match (answer `invalid_grant`);
/// `TESSERA_RESULT_INVALID_PKCE` for a malformed verifier or challenge, an unknown method, or
/// "plain" when `allow_plain` is false (RFC 7636 §7.2: allow it only for clients that cannot do
/// SHA-256).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_pkce_verify(
    verifier: *const u8,
    verifier_len: usize,
    challenge: *const u8,
    challenge_len: usize,
    method: *const c_char,
    allow_plain: bool,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: convention 3.
        unsafe {
            let method: ChallengeMethod = req_str(method)?.parse()?;
            let policy = if allow_plain {
                PkcePolicy::new().allowing_plain()
            } else {
                PkcePolicy::new()
            };
            pkce::verify(
                pkce_text(verifier, verifier_len)?,
                pkce_text(challenge, challenge_len)?,
                method,
                &policy,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use std::ptr::{null, null_mut};

    use super::super::call_out;
    use super::*;

    const OK: TesseraResult = TesseraResult::OK;

    fn code(kind: ErrorKind) -> TesseraResult {
        TesseraResult(kind.code())
    }

    fn generate(prefix: &std::ffi::CStr, kind: &std::ffi::CStr) -> Result<String, u32> {
        // SAFETY: NUL-terminated strings; buffers from `call_out`.
        call_out(|o, c, l| unsafe {
            tessera_token_generate(prefix.as_ptr(), kind.as_ptr(), o, c, l)
        })
        .map(|b| String::from_utf8(b).unwrap())
    }

    fn check(token: &str, expected: Option<&std::ffi::CStr>) -> Result<String, u32> {
        let expected = expected.map_or(null(), |e| e.as_ptr());
        // SAFETY: as above.
        call_out(|o, c, l| unsafe {
            tessera_token_check(
                c"tsr".as_ptr(),
                token.as_ptr(),
                token.len(),
                expected,
                o,
                c,
                l,
            )
        })
        .map(|b| String::from_utf8(b).unwrap())
    }

    fn peppers(
        key_id: &std::ffi::CStr,
        secret: &[u8],
    ) -> Result<*mut tessera_peppers, TesseraResult> {
        let mut out = null_mut();
        // SAFETY: valid inputs.
        match unsafe {
            tessera_peppers_new(key_id.as_ptr(), secret.as_ptr(), secret.len(), &mut out)
        } {
            OK => Ok(out),
            e => {
                assert!(out.is_null());
                Err(e)
            }
        }
    }

    fn lookup(p: *const tessera_peppers, token: &str) -> Result<String, u32> {
        // SAFETY: live handle; buffers from `call_out`.
        call_out(|o, c, l| unsafe {
            tessera_peppers_lookup(p, token.as_ptr(), token.len(), o, c, l)
        })
        .map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn generate_and_check() {
        let token = generate(c"tsr", c"rt").unwrap();
        assert!(token.starts_with("tsr_rt_"));
        assert_eq!(token.len(), 3 + 53);
        assert_eq!(check(&token, None).unwrap(), "rt");
        assert_eq!(check(&token, Some(c"rt")).unwrap(), "rt");
        assert_eq!(
            check(&token, Some(c"ac")).unwrap_err(),
            ErrorKind::WrongTokenKind.code()
        );
        assert_eq!(
            check(&token, Some(c"xx")).unwrap_err(),
            ErrorKind::InvalidArgument.code()
        );
        // A typo breaks the checksum.
        let mut typo = token.clone().into_bytes();
        let last = typo.len() - 10;
        typo[last] = if typo[last] == b'A' { b'B' } else { b'A' };
        let typo = String::from_utf8(typo).unwrap();
        assert_eq!(
            check(&typo, None).unwrap_err(),
            ErrorKind::TokenChecksum.code()
        );
        assert_eq!(
            check("tsr_rt_short", None).unwrap_err(),
            ErrorKind::MalformedOpaqueToken.code()
        );
        let mut len = 0usize;
        let mut buf = [0u8; 8];
        // SAFETY: valid buffers; non-UTF-8 token bytes.
        unsafe {
            assert_eq!(
                tessera_token_check(
                    c"tsr".as_ptr(),
                    b"\xff\xfe".as_ptr(),
                    2,
                    null(),
                    buf.as_mut_ptr(),
                    8,
                    &mut len
                ),
                code(ErrorKind::MalformedOpaqueToken)
            );
            assert_eq!(
                tessera_token_check(
                    null(),
                    b"x".as_ptr(),
                    1,
                    null(),
                    buf.as_mut_ptr(),
                    8,
                    &mut len
                ),
                code(ErrorKind::NullPointer)
            );
        }
        assert_eq!(
            generate(c"Tsr", c"rt").unwrap_err(),
            ErrorKind::InvalidArgument.code()
        );
        assert_eq!(
            generate(c"tsr", c"zz").unwrap_err(),
            ErrorKind::InvalidArgument.code()
        );
        // SAFETY: NULL arguments.
        unsafe {
            assert_eq!(
                tessera_token_generate(c"tsr".as_ptr(), null(), buf.as_mut_ptr(), 8, &mut len),
                code(ErrorKind::NullPointer)
            );
        }
        for kind in [c"ac", c"ak", c"at"] {
            let t = generate(c"k9", kind).unwrap();
            assert_eq!(t.len(), 2 + 53);
        }
    }

    #[test]
    fn peppers_rotate() {
        assert_eq!(
            peppers(c"p1", &[1; 31]).unwrap_err(),
            code(ErrorKind::WeakKey)
        );
        assert_eq!(
            peppers(c"has space", &[1; 32]).unwrap_err(),
            code(ErrorKind::InvalidArgument)
        );
        let old = peppers(c"p1", &[1; 32]).unwrap();
        let token = generate(c"tsr", c"rt").unwrap();
        let stored_old = lookup(old, &token).unwrap();
        assert!(stored_old.starts_with("p1:"));
        assert_eq!(stored_old.len(), 3 + 43);

        let set = peppers(c"p2", &[2; 32]).unwrap();
        // SAFETY: live handles, valid inputs.
        unsafe {
            // Before rotation the old hash is unknown to the new set.
            assert_eq!(
                tessera_peppers_verify(
                    set,
                    token.as_ptr(),
                    token.len(),
                    stored_old.as_ptr(),
                    stored_old.len()
                ),
                code(ErrorKind::TokenMismatch)
            );
            assert_eq!(
                tessera_peppers_add_previous(set, c"p1".as_ptr(), [1u8; 32].as_ptr(), 32),
                OK
            );
            assert_eq!(
                tessera_peppers_add_previous(set, c"p1".as_ptr(), [3u8; 32].as_ptr(), 32),
                code(ErrorKind::InvalidArgument),
                "duplicate key id"
            );
            assert_eq!(
                tessera_peppers_verify(
                    set,
                    token.as_ptr(),
                    token.len(),
                    stored_old.as_ptr(),
                    stored_old.len()
                ),
                OK
            );
            let other = "tsr_rt_other";
            assert_eq!(
                tessera_peppers_verify(
                    set,
                    other.as_ptr(),
                    other.len(),
                    stored_old.as_ptr(),
                    stored_old.len()
                ),
                code(ErrorKind::TokenMismatch)
            );
            let junk = "not a hash";
            assert_eq!(
                tessera_peppers_verify(set, token.as_ptr(), token.len(), junk.as_ptr(), junk.len()),
                code(ErrorKind::InvalidArgument)
            );
        }
        // New hashes use the current pepper.
        let stored_new = lookup(set, &token).unwrap();
        assert!(stored_new.starts_with("p2:"));
        // SAFETY: as above.
        let checked = call_out(|o, c, l| unsafe {
            tessera_peppers_check_and_lookup(
                set,
                c"tsr".as_ptr(),
                token.as_ptr(),
                token.len(),
                c"rt".as_ptr(),
                o,
                c,
                l,
            )
        });
        assert_eq!(String::from_utf8(checked.unwrap()).unwrap(), stored_new);
        // SAFETY: as above.
        let wrong = call_out(|o, c, l| unsafe {
            tessera_peppers_check_and_lookup(
                set,
                c"tsr".as_ptr(),
                token.as_ptr(),
                token.len(),
                c"ac".as_ptr(),
                o,
                c,
                l,
            )
        });
        assert_eq!(wrong.unwrap_err(), ErrorKind::WrongTokenKind.code());
        // SAFETY: handles of the wrong kind; frees.
        unsafe {
            let mut n = 0usize;
            let mut scopes = null_mut();
            assert_eq!(
                super::super::tessera_scopes_parse(null(), 0, &mut scopes),
                OK
            );
            assert_eq!(
                tessera_peppers_lookup(scopes.cast(), b"x".as_ptr(), 1, null_mut(), 0, &mut n),
                code(ErrorKind::WrongHandle)
            );
            assert_eq!(
                tessera_peppers_add_previous(scopes.cast(), c"p3".as_ptr(), [3u8; 32].as_ptr(), 32),
                code(ErrorKind::WrongHandle)
            );
            super::super::tessera_scopes_free(scopes);
            tessera_peppers_free(old);
            tessera_peppers_free(set);
            tessera_peppers_free(null_mut());
        }
    }

    #[test]
    fn pkce() {
        // SAFETY: buffers from `call_out`.
        let verifier = call_out(|o, c, l| unsafe { tessera_pkce_verifier_new(o, c, l) }).unwrap();
        assert_eq!(verifier.len(), 43);
        // SAFETY: as above.
        let challenge = call_out(|o, c, l| unsafe {
            tessera_pkce_challenge(verifier.as_ptr(), verifier.len(), o, c, l)
        })
        .unwrap();
        assert_eq!(challenge.len(), 43);
        // RFC 7636 Appendix B.
        let v = b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let c = b"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        // SAFETY: as above.
        let got =
            call_out(|o, cap, l| unsafe { tessera_pkce_challenge(v.as_ptr(), v.len(), o, cap, l) });
        assert_eq!(got.unwrap(), c);
        // SAFETY: valid inputs.
        unsafe {
            let s256 = c"S256".as_ptr();
            let plain = c"plain".as_ptr();
            assert_eq!(
                tessera_pkce_verify(v.as_ptr(), v.len(), c.as_ptr(), c.len(), s256, false),
                OK
            );
            assert_eq!(
                tessera_pkce_verify(
                    verifier.as_ptr(),
                    verifier.len(),
                    challenge.as_ptr(),
                    challenge.len(),
                    s256,
                    false
                ),
                OK
            );
            assert_eq!(
                tessera_pkce_verify(
                    verifier.as_ptr(),
                    verifier.len(),
                    c.as_ptr(),
                    c.len(),
                    s256,
                    false
                ),
                code(ErrorKind::PkceMismatch)
            );
            assert_eq!(
                tessera_pkce_verify(v.as_ptr(), v.len(), v.as_ptr(), v.len(), plain, false),
                code(ErrorKind::InvalidPkce)
            );
            assert_eq!(
                tessera_pkce_verify(v.as_ptr(), v.len(), v.as_ptr(), v.len(), plain, true),
                OK
            );
            assert_eq!(
                tessera_pkce_verify(
                    v.as_ptr(),
                    v.len(),
                    c.as_ptr(),
                    c.len(),
                    c"s256".as_ptr(),
                    false
                ),
                code(ErrorKind::InvalidPkce)
            );
            assert_eq!(
                tessera_pkce_verify(v.as_ptr(), v.len(), c.as_ptr(), c.len(), null(), false),
                code(ErrorKind::NullPointer)
            );
            assert_eq!(
                tessera_pkce_verify(b"short".as_ptr(), 5, c.as_ptr(), c.len(), s256, false),
                code(ErrorKind::InvalidPkce)
            );
            let mut len = 0usize;
            assert_eq!(
                tessera_pkce_challenge(b"\xff".as_ptr(), 1, null_mut(), 0, &mut len),
                code(ErrorKind::InvalidPkce)
            );
        }
    }
}
