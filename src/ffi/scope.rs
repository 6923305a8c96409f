//! C ABI for scopes: normalised scope sets (`tessera_scopes`) and implication tables
//! (`tessera_scope_policy`). Conventions: see the module documentation of `ffi` (README "API
//! conventions").

use std::collections::BTreeMap;
use std::ffi::c_char;

use serde::Deserialize;

use super::{
    TesseraResult, borrow, boundary, bytes, free, new_handle, opt_borrow, output_from, req_str,
    tag, text, too_long_json, write_value,
};
use crate::Error;
use crate::grant::ImplicationsConfig;
use crate::scope::{Implications, ScopeSet};

/// A normalised scope set (deduplicated, sorted by byte order). Immutable: thread-safe.
pub struct tessera_scopes {
    _private: [u8; 0],
}

/// A scope implication table (which granted scope implies which requested one). Immutable:
/// thread-safe.
pub struct tessera_scope_policy {
    _private: [u8; 0],
}

/// `rules` of a scope policy: `[["granted", "implied"], ...]`, or the object form of the grant
/// policy's `implications` member, `{"granted": ["implied", ...]}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Rules {
    Pairs(Vec<(String, String)>),
    Map(BTreeMap<String, Vec<String>>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyJson {
    #[serde(default)]
    wildcard_actions: bool,
    #[serde(default)]
    superscopes: Vec<String>,
    #[serde(default)]
    rules: Option<Rules>,
}

fn policy_from_json(json: &[u8]) -> Result<Implications, Error> {
    if json.is_empty() {
        return Ok(Implications::none());
    }
    let parsed: PolicyJson = crate::grant::from_json_object("scope policy", json)?;
    let mut config = ImplicationsConfig {
        wildcard_actions: parsed.wildcard_actions,
        superscopes: parsed.superscopes,
        rules: BTreeMap::new(),
    };
    match parsed.rules {
        None => {}
        Some(Rules::Map(map)) => config.rules = map,
        Some(Rules::Pairs(pairs)) => {
            for (granted, implied) in pairs {
                config.rules.entry(granted).or_default().push(implied);
            }
        }
    }
    config.build()
}

/// Runs `f` with the implications of `policy` (NULL: a scope implies only itself).
fn with_policy<R>(
    policy: *const tessera_scope_policy,
    f: impl FnOnce(&Implications) -> Result<R, Error>,
) -> Result<R, Error> {
    // SAFETY: convention 6: `policy` is NULL or a live handle for the duration of the call.
    let imp: Option<&Implications> = unsafe { opt_borrow(tag::SCOPE_POLICY, policy) }?;
    match imp {
        Some(imp) => f(imp),
        None => f(&Implications::none()),
    }
}

// ---- scope policies --------------------------------------------------------------------------

/// Builds a scope implication table from JSON:
/// `{"wildcard_actions": true, "superscopes": ["all"], "rules": [["job:write", "job:read"]]}`.
/// Every member is optional; `rules` may also be the object form used by the grant policy's
/// `implications` member, `{"job:write": ["job:read"]}`. `(NULL, 0)` is the table in which a
/// scope implies only itself. Nothing is implied unless configured: `wildcard_actions` makes
/// `R:*` imply every `R:x`, a superscope implies every scope, a rule makes its first scope imply
/// its second (transitively).
///
/// Errors: `TESSERA_RESULT_INVALID_JSON` for malformed JSON, unknown members or wrong types;
/// `TESSERA_RESULT_INVALID_SCOPE` (or `TOO_LARGE`) for a name that is not a scope token. On
/// success `*out` is a new handle to free with `tessera_scope_policy_free`; it is immutable and
/// may be shared between threads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scope_policy_from_json(
    json: *const u8,
    json_len: usize,
    out: *mut *mut tessera_scope_policy,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            too_long_json(json_len)?;
            let imp = policy_from_json(bytes(json, json_len)?)?;
            new_handle(tag::SCOPE_POLICY, imp, out)
        }
    })
}

/// Frees a scope policy. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scope_policy_free(policy: *mut tessera_scope_policy) {
    // SAFETY: convention 7.
    unsafe { free::<Implications, _>(tag::SCOPE_POLICY, policy) }
}

// ---- scope sets ------------------------------------------------------------------------------

/// Parses an RFC 6749 §3.3 scope string (`scope-token *( SP scope-token )`: exactly one space
/// between tokens, no leading or trailing space). The empty string (or `(NULL, 0)`) is the empty
/// set. Errors: `TESSERA_RESULT_INVALID_SCOPE`, `TESSERA_RESULT_TOO_LARGE` (more than 256 scopes,
/// a token over 256 bytes or a string over 16 KiB), `TESSERA_RESULT_INVALID_UTF8`. On success
/// `*out` is a new handle to free with `tessera_scopes_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scopes_parse(
    scope: *const u8,
    scope_len: usize,
    out: *mut *mut tessera_scopes,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            // The size first, so an oversized input is not even scanned for UTF-8.
            if scope_len > crate::limits::MAX_SCOPE_STRING {
                return Err(Error::new(
                    crate::ErrorKind::TooLarge,
                    "scope string longer than 16 KiB",
                ));
            }
            let set = ScopeSet::parse(text(scope, scope_len)?)?;
            new_handle(tag::SCOPES, set, out)
        }
    })
}

/// Reads the scopes of a JWT claims set (a JSON object, e.g. from `tessera_verified_claims`):
/// `scope` and `scp`, each a space-delimited string or an array of scope strings (or of
/// `{"resource": "job", "actions": ["read"]}` objects); both present means their union, neither
/// means the empty set. Errors: `TESSERA_RESULT_INVALID_JSON` (not a JSON object),
/// `TESSERA_RESULT_INVALID_CLAIM_TYPE` (a claim of another type), `INVALID_SCOPE`, `TOO_LARGE`.
/// On success `*out` is a new handle to free with `tessera_scopes_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scopes_from_claims(
    claims_json: *const u8,
    claims_len: usize,
    out: *mut *mut tessera_scopes,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            too_long_json(claims_len)?;
            let claims = crate::jwt::parse_json_object(bytes(claims_json, claims_len)?)?;
            new_handle(tag::SCOPES, ScopeSet::from_claims(&claims)?, out)
        }
    })
}

/// Writes the set as its RFC 6749 §3.3 / RFC 9068 §2.2.3 string: scopes in byte order, one
/// space apart (empty for the empty set). Equal sets write equal strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scopes_to_string(
    scopes: *const tessera_scopes,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 4 and 6.
    unsafe {
        output_from(tag::SCOPES, scopes, out, cap, out_len, |set: &ScopeSet| {
            Ok(set.to_scope_string())
        })
    }
}

/// Writes the number of distinct scopes in the set to `*out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scopes_len(
    scopes: *const tessera_scopes,
    out: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let set: &ScopeSet = borrow(tag::SCOPES, scopes)?;
            write_value(out, set.len())
        }
    })
}

/// Writes to `*out` whether the set holds exactly `scope` (no implication: see
/// `tessera_scopes_covers`). `scope` is a NUL-terminated string and must not be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scopes_contains(
    scopes: *const tessera_scopes,
    scope: *const c_char,
    out: *mut bool,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 5 and 6.
        unsafe {
            let set: &ScopeSet = borrow(tag::SCOPES, scopes)?;
            write_value(out, set.contains(req_str(scope)?))
        }
    })
}

/// Writes to `*out` whether every scope of `requested` is implied by some scope of `granted`
/// under `policy` (NULL: a scope implies only itself). An empty `requested` is always covered.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scopes_covers(
    granted: *const tessera_scopes,
    requested: *const tessera_scopes,
    policy: *const tessera_scope_policy,
    out: *mut bool,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let granted: &ScopeSet = borrow(tag::SCOPES, granted)?;
            let requested: &ScopeSet = borrow(tag::SCOPES, requested)?;
            let covered = with_policy(policy, |imp| Ok(granted.covers(requested, imp)))?;
            write_value(out, covered)
        }
    })
}

/// As `tessera_scopes_covers`, as a result code: `TESSERA_RESULT_OK` when `granted` covers
/// `requested` under `policy` (NULL: none), `TESSERA_RESULT_SCOPE_NOT_GRANTED` when it does not.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scopes_check(
    granted: *const tessera_scopes,
    requested: *const tessera_scopes,
    policy: *const tessera_scope_policy,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: convention 6.
        unsafe {
            let granted: &ScopeSet = borrow(tag::SCOPES, granted)?;
            let requested: &ScopeSet = borrow(tag::SCOPES, requested)?;
            with_policy(policy, |imp| granted.check_covers(requested, imp))
        }
    })
}

/// Down-scoping (refresh, task-scoped tokens, reduced API keys): a new handle holding
/// `requested`, provided `granted` covers it under `policy` (NULL: none), else
/// `TESSERA_RESULT_SCOPE_NOT_GRANTED` and nothing is written. Free the new handle with
/// `tessera_scopes_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scopes_narrow(
    granted: *const tessera_scopes,
    requested: *const tessera_scopes,
    policy: *const tessera_scope_policy,
    out: *mut *mut tessera_scopes,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let granted: &ScopeSet = borrow(tag::SCOPES, granted)?;
            let requested: &ScopeSet = borrow(tag::SCOPES, requested)?;
            let narrowed = with_policy(policy, |imp| granted.narrow(requested, imp))?;
            new_handle(tag::SCOPES, narrowed, out)
        }
    })
}

/// Normalises on issue: a new handle holding the set without every scope implied by another of
/// its scopes under `policy` (NULL: none, so the set is copied unchanged). Of scopes that imply
/// each other the first in byte order is kept. Free the new handle with `tessera_scopes_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scopes_reduce(
    scopes: *const tessera_scopes,
    policy: *const tessera_scope_policy,
    out: *mut *mut tessera_scopes,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let set: &ScopeSet = borrow(tag::SCOPES, scopes)?;
            let reduced = with_policy(policy, |imp| Ok(set.reduce(imp)))?;
            new_handle(tag::SCOPES, reduced, out)
        }
    })
}

/// Frees a scope set. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_scopes_free(scopes: *mut tessera_scopes) {
    // SAFETY: convention 7.
    unsafe { free::<ScopeSet, _>(tag::SCOPES, scopes) }
}

#[cfg(test)]
mod tests {
    use std::ptr::{null, null_mut};

    use super::super::call_out;
    use super::*;
    use crate::ErrorKind;

    const OK: TesseraResult = TesseraResult::OK;

    fn code(kind: ErrorKind) -> TesseraResult {
        TesseraResult(kind.code())
    }

    fn parse(text: &str) -> *mut tessera_scopes {
        let mut out = null_mut();
        // SAFETY: valid input and out-pointer.
        assert_eq!(
            unsafe { tessera_scopes_parse(text.as_ptr(), text.len(), &mut out) },
            OK
        );
        out
    }

    fn policy(json: &str) -> Result<*mut tessera_scope_policy, TesseraResult> {
        let mut out = null_mut();
        // SAFETY: valid input and out-pointer.
        match unsafe { tessera_scope_policy_from_json(json.as_ptr(), json.len(), &mut out) } {
            OK => Ok(out),
            err => {
                assert!(out.is_null(), "nothing written on failure");
                Err(err)
            }
        }
    }

    fn to_string(s: *const tessera_scopes) -> String {
        // SAFETY: `s` is live; buffers come from `call_out`.
        let out = call_out(|o, c, l| unsafe { tessera_scopes_to_string(s, o, c, l) });
        String::from_utf8(out.unwrap()).unwrap()
    }

    #[test]
    fn parse_normalises_and_reports_grammar_errors() {
        let s = parse("job:write recording:* job:write");
        assert_eq!(to_string(s), "job:write recording:*");
        let mut n = 0usize;
        // SAFETY: live handle, valid out-pointers, NUL-terminated strings.
        unsafe {
            assert_eq!(tessera_scopes_len(s, &mut n), OK);
            assert_eq!(n, 2);
            let mut yes = false;
            assert_eq!(
                tessera_scopes_contains(s, c"job:write".as_ptr(), &mut yes),
                OK
            );
            assert!(yes);
            assert_eq!(
                tessera_scopes_contains(s, c"job:read".as_ptr(), &mut yes),
                OK
            );
            assert!(!yes);
            assert_eq!(
                tessera_scopes_contains(s, null(), &mut yes),
                code(ErrorKind::NullPointer)
            );
            assert_eq!(
                tessera_scopes_len(s, null_mut()),
                code(ErrorKind::NullPointer)
            );
            tessera_scopes_free(s);

            let mut out = null_mut();
            let bad = "a  b";
            assert_eq!(
                tessera_scopes_parse(bad.as_ptr(), bad.len(), &mut out),
                code(ErrorKind::InvalidScope)
            );
            assert!(out.is_null());
            assert_eq!(
                tessera_scopes_parse(b"\xff".as_ptr(), 1, &mut out),
                code(ErrorKind::InvalidUtf8)
            );
            assert_eq!(
                tessera_scopes_parse(null(), 3, &mut out),
                code(ErrorKind::NullPointer)
            );
            // (NULL, 0) is the empty scope string: the empty set.
            assert_eq!(tessera_scopes_parse(null(), 0, &mut out), OK);
            assert_eq!(to_string(out), "");
            tessera_scopes_free(out);
            tessera_scopes_free(null_mut());
        }
    }

    #[test]
    fn to_string_reports_the_size_when_the_buffer_is_small() {
        let s = parse("b a");
        let mut buf = [0u8; 2];
        let mut len = 0usize;
        // SAFETY: live handle, buffer of `buf.len()` bytes.
        unsafe {
            assert_eq!(
                tessera_scopes_to_string(s, buf.as_mut_ptr(), buf.len(), &mut len),
                code(ErrorKind::BufferTooSmall)
            );
            assert_eq!(len, 3);
            assert_eq!(
                tessera_scopes_to_string(s, null_mut(), 0, null_mut()),
                code(ErrorKind::NullPointer)
            );
            tessera_scopes_free(s);
        }
    }

    #[test]
    fn claims() {
        let json = r#"{"scope":"a b","scp":["c",{"resource":"job","actions":["read"]}]}"#;
        let mut out = null_mut();
        // SAFETY: valid inputs and out-pointer.
        unsafe {
            assert_eq!(
                tessera_scopes_from_claims(json.as_ptr(), json.len(), &mut out),
                OK
            );
            assert_eq!(to_string(out), "a b c job:read");
            tessera_scopes_free(out);
            let mut out = null_mut();
            for (bad, kind) in [
                (r#"{"scope":7}"#, ErrorKind::InvalidClaimType),
                ("[]", ErrorKind::InvalidJson),
                ("{", ErrorKind::InvalidJson),
                (r#"{"scope":"a  b"}"#, ErrorKind::InvalidScope),
            ] {
                assert_eq!(
                    tessera_scopes_from_claims(bad.as_ptr(), bad.len(), &mut out),
                    code(kind),
                    "{bad}"
                );
                assert!(out.is_null());
            }
        }
    }

    #[test]
    fn covers_check_narrow_reduce() {
        let imp = policy(
            r#"{"wildcard_actions":true,"superscopes":["all"],"rules":[["job:write","job:read"]]}"#,
        )
        .unwrap();
        let granted = parse("job:write recording:*");
        let requested = parse("job:read recording:delete");
        let other = parse("billing:read");
        let mut yes = false;
        // SAFETY: live handles and valid out-pointers.
        unsafe {
            assert_eq!(tessera_scopes_covers(granted, requested, imp, &mut yes), OK);
            assert!(yes);
            // NULL policy: only literal scopes.
            assert_eq!(
                tessera_scopes_covers(granted, requested, null(), &mut yes),
                OK
            );
            assert!(!yes);
            assert_eq!(tessera_scopes_check(granted, requested, imp), OK);
            assert_eq!(
                tessera_scopes_check(granted, other, imp),
                code(ErrorKind::ScopeNotGranted)
            );
            assert_eq!(
                tessera_scopes_check(granted, requested, null()),
                code(ErrorKind::ScopeNotGranted)
            );

            let mut narrowed = null_mut();
            assert_eq!(
                tessera_scopes_narrow(granted, requested, imp, &mut narrowed),
                OK
            );
            assert_eq!(to_string(narrowed), "job:read recording:delete");
            tessera_scopes_free(narrowed);
            let mut none = null_mut();
            assert_eq!(
                tessera_scopes_narrow(granted, other, imp, &mut none),
                code(ErrorKind::ScopeNotGranted)
            );
            assert!(none.is_null());

            let wide = parse("job:read job:write recording:* recording:read");
            let mut reduced = null_mut();
            assert_eq!(tessera_scopes_reduce(wide, imp, &mut reduced), OK);
            assert_eq!(to_string(reduced), "job:write recording:*");
            tessera_scopes_free(reduced);
            assert_eq!(tessera_scopes_reduce(wide, null(), &mut reduced), OK);
            assert_eq!(
                to_string(reduced),
                "job:read job:write recording:* recording:read"
            );
            tessera_scopes_free(reduced);
            tessera_scopes_free(wide);

            // A scope handle where a policy handle belongs, and the other way round.
            assert_eq!(
                tessera_scopes_covers(granted, requested, granted.cast(), &mut yes),
                code(ErrorKind::WrongHandle)
            );
            assert_eq!(
                tessera_scopes_check(imp.cast(), requested, null()),
                code(ErrorKind::WrongHandle)
            );
            // Freeing with the wrong function is ignored (the tag does not match).
            tessera_scope_policy_free(granted.cast());
            assert_eq!(to_string(granted), "job:write recording:*");

            for h in [granted, requested, other] {
                tessera_scopes_free(h);
            }
            tessera_scope_policy_free(imp);
        }
    }

    #[test]
    fn policy_json() {
        // The object form of the grant policy's `implications` member works too.
        let imp = policy(r#"{"rules":{"a":["b","c"]}}"#).unwrap();
        let granted = parse("a");
        let requested = parse("b c");
        // SAFETY: live handles.
        unsafe {
            assert_eq!(tessera_scopes_check(granted, requested, imp), OK);
            tessera_scope_policy_free(imp);
            // (NULL, 0) is the empty table.
            let mut none = null_mut();
            assert_eq!(tessera_scope_policy_from_json(null(), 0, &mut none), OK);
            assert_eq!(
                tessera_scopes_check(granted, requested, none),
                code(ErrorKind::ScopeNotGranted)
            );
            tessera_scope_policy_free(none);
            tessera_scopes_free(granted);
            tessera_scopes_free(requested);
            assert_eq!(
                tessera_scope_policy_from_json(null(), 0, null_mut()),
                code(ErrorKind::NullPointer)
            );
        }
        for (bad, kind) in [
            (r#"{"surprise":true}"#, ErrorKind::InvalidJson),
            (r#"{"wildcard_actions":"yes"}"#, ErrorKind::InvalidJson),
            (r#"{"rules":[["a"]]}"#, ErrorKind::InvalidJson),
            (r#"{"superscopes":["a b"]}"#, ErrorKind::InvalidScope),
            (r#"{"rules":[["a","b c"]]}"#, ErrorKind::InvalidScope),
            ("nope", ErrorKind::InvalidJson),
        ] {
            assert_eq!(policy(bad).unwrap_err(), code(kind), "{bad}");
        }
    }
}
