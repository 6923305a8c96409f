//! C ABI for verifier policies and verifiers: the builder that collects a policy before the
//! keys are known, and the immutable verifiers built from it. Conventions: see the module
//! documentation of `ffi` (README "API conventions").

use std::ffi::c_char;
use std::sync::Arc;

use super::{TesseraResult, borrow, borrow_mut, boundary, free, new_handle, req_str, tag};
use crate::Error;
use crate::jwt::{Algorithm, Key, KeySet, Limits, Verifier, VerifierBuilder};

use super::{tessera_key, tessera_keyset, tessera_verifier, tessera_verifier_builder};

/// What a verifier handle holds: the verifier behind an `Arc`, so a batch job can share it
/// with the pool's workers (every `borrow` of `tag::VERIFIER` must name this type).
pub(super) type VerifierHandle = Arc<Verifier>;

// ---- verifier builder ------------------------------------------------------------------------

/// One recorded policy setting (applied when the verifier is built).
#[derive(Clone, Debug)]
enum Setting {
    Issuer(String),
    Audience(String),
    Subject(String),
    Typ(String),
    Leeway(u64),
    MaxAge(u64),
    RequireExp(bool),
    Require(String),
    Critical(String),
    AcceptAnyAudience,
    Algorithm(Algorithm),
    MaxTokenLen(usize),
    MaxHeaderLen(usize),
    MaxClaims(usize),
}

#[derive(Default)]
struct Builder {
    settings: Vec<Setting>,
}

impl Builder {
    fn build(&self, mut b: VerifierBuilder) -> Result<Verifier, Error> {
        let mut limits = Limits::default();
        let mut algs = Vec::new();
        for s in self.settings.iter().cloned() {
            b = match s {
                Setting::Issuer(v) => b.issuer(v),
                Setting::Audience(v) => b.audience(v),
                Setting::Subject(v) => b.subject(v),
                Setting::Typ(v) => b.typ(v),
                Setting::Leeway(v) => b.leeway(v),
                Setting::MaxAge(v) => b.max_age(v),
                Setting::RequireExp(v) => b.require_exp(v),
                Setting::Require(v) => b.require(v),
                Setting::Critical(v) => b.critical(v),
                Setting::AcceptAnyAudience => b.accept_any_audience(),
                Setting::Algorithm(a) => {
                    algs.push(a);
                    b
                }
                Setting::MaxTokenLen(n) => {
                    limits.max_token_len = n;
                    b
                }
                Setting::MaxHeaderLen(n) => {
                    limits.max_header_len = n;
                    b
                }
                Setting::MaxClaims(n) => {
                    limits.max_claims = n;
                    b
                }
            };
        }
        if !algs.is_empty() {
            b = b.algorithms(&algs);
        }
        b.limits(limits).build()
    }
}

/// A new, empty verifier policy builder (defaults as documented for `tessera::jwt::Verifier`:
/// `exp` required, 30 s leeway, no issuer/audience/subject/typ expected).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_new(
    out: *mut *mut tessera_verifier_builder,
) -> TesseraResult {
    // SAFETY: convention 5.
    boundary(|| unsafe { new_handle(tag::BUILDER, Builder::default(), out) })
}

fn record(b: *mut tessera_verifier_builder, setting: Result<Setting, Error>) -> TesseraResult {
    boundary(|| {
        // SAFETY: convention 6; builders are used from one thread at a time.
        let builder: &mut Builder = unsafe { borrow_mut(tag::BUILDER, b) }?;
        builder.settings.push(setting?);
        Ok(())
    })
}

fn record_str(
    builder: *mut tessera_verifier_builder,
    value: *const c_char,
    setting: fn(String) -> Setting,
) -> TesseraResult {
    // SAFETY: convention 3.
    let value = unsafe { req_str(value) }.map(|v| setting(v.to_owned()));
    record(builder, value)
}

/// Accepts tokens whose `iss` is `issuer` (call several times for any-of). Implies `iss`
/// is required.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_add_issuer(
    builder: *mut tessera_verifier_builder,
    issuer: *const c_char,
) -> TesseraResult {
    record_str(builder, issuer, Setting::Issuer)
}

/// Accepts tokens with `audience` among their `aud` values (call several times for
/// any-of). Implies `aud` is required.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_add_audience(
    builder: *mut tessera_verifier_builder,
    audience: *const c_char,
) -> TesseraResult {
    record_str(builder, audience, Setting::Audience)
}

/// Requires `sub` to equal `subject`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_set_subject(
    builder: *mut tessera_verifier_builder,
    subject: *const c_char,
) -> TesseraResult {
    record_str(builder, subject, Setting::Subject)
}

/// Requires header `typ` (case-insensitive, optional `application/` prefix), e.g. "at+jwt".
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_set_typ(
    builder: *mut tessera_verifier_builder,
    typ: *const c_char,
) -> TesseraResult {
    record_str(builder, typ, Setting::Typ)
}

/// Requires the claim `name` to be present.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_require_claim(
    builder: *mut tessera_verifier_builder,
    name: *const c_char,
) -> TesseraResult {
    record_str(builder, name, Setting::Require)
}

/// Declares the `crit` header extension `name` understood.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_add_critical(
    builder: *mut tessera_verifier_builder,
    name: *const c_char,
) -> TesseraResult {
    record_str(builder, name, Setting::Critical)
}

/// Restricts accepted algorithms to an allow-list (call once per algorithm).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_add_algorithm(
    builder: *mut tessera_verifier_builder,
    alg: *const c_char,
) -> TesseraResult {
    // SAFETY: convention 3.
    let alg = unsafe { req_str(alg) }.and_then(|a| a.parse().map(Setting::Algorithm));
    record(builder, alg)
}

/// Clock-skew allowance in seconds (default 30, at most 300: larger values fail at build).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_set_leeway(
    builder: *mut tessera_verifier_builder,
    seconds: u64,
) -> TesseraResult {
    record(builder, Ok(Setting::Leeway(seconds)))
}

/// Rejects tokens whose `iat` is more than `seconds` old; requires `iat`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_set_max_age(
    builder: *mut tessera_verifier_builder,
    seconds: u64,
) -> TesseraResult {
    record(builder, Ok(Setting::MaxAge(seconds)))
}

/// Whether `exp` is required (default true).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_set_require_exp(
    builder: *mut tessera_verifier_builder,
    required: bool,
) -> TesseraResult {
    record(builder, Ok(Setting::RequireExp(required)))
}

/// Accepts tokens carrying `aud` even when no audience is expected (RFC 7519 §4.1.3 says to
/// reject; only for verifiers that serve every audience).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_accept_any_audience(
    builder: *mut tessera_verifier_builder,
) -> TesseraResult {
    record(builder, Ok(Setting::AcceptAnyAudience))
}

/// Longest token accepted in bytes (default 16384); longer is `TESSERA_RESULT_TOO_LARGE`,
/// before anything is decoded. Zero is refused when the verifier is built.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_set_max_token_len(
    builder: *mut tessera_verifier_builder,
    max: usize,
) -> TesseraResult {
    record(builder, Ok(Setting::MaxTokenLen(max)))
}

/// Longest encoded header accepted in bytes (default 4096); longer is
/// `TESSERA_RESULT_TOO_LARGE`, before anything is decoded. Zero is refused when the verifier is
/// built.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_set_max_header_len(
    builder: *mut tessera_verifier_builder,
    max: usize,
) -> TesseraResult {
    record(builder, Ok(Setting::MaxHeaderLen(max)))
}

/// Most members the claims set (the payload's top-level JSON object) may have (default 256);
/// more is `TESSERA_RESULT_TOO_LARGE`, found while reading, at the first member too many.
/// Zero is refused when the verifier is built (`TESSERA_RESULT_INVALID_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_set_max_claims(
    builder: *mut tessera_verifier_builder,
    max: usize,
) -> TesseraResult {
    record(builder, Ok(Setting::MaxClaims(max)))
}

/// Frees a builder. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_builder_free(builder: *mut tessera_verifier_builder) {
    // SAFETY: convention 7.
    unsafe { free::<Builder, _>(tag::BUILDER, builder) }
}

/// Builds a verifier for one key with the builder's policy. The builder is not consumed (free
/// it separately; it can build more verifiers); the key is shared, not copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_new_with_key(
    builder: *const tessera_verifier_builder,
    key: *const tessera_key,
    out: *mut *mut tessera_verifier,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let b: &Builder = borrow(tag::BUILDER, builder)?;
            let key: &Key = borrow(tag::KEY, key)?;
            new_handle(
                tag::VERIFIER,
                VerifierHandle::new(b.build(Verifier::builder(key.clone()))?),
                out,
            )
        }
    })
}

/// Builds a verifier for a key set with the builder's policy (as for
/// `tessera_verifier_new_with_key`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_new_with_keyset(
    builder: *const tessera_verifier_builder,
    set: *const tessera_keyset,
    out: *mut *mut tessera_verifier,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let b: &Builder = borrow(tag::BUILDER, builder)?;
            let set: &KeySet = borrow(tag::KEYSET, set)?;
            new_handle(
                tag::VERIFIER,
                VerifierHandle::new(b.build(Verifier::builder(set.clone()))?),
                out,
            )
        }
    })
}

/// Frees a verifier. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verifier_free(verifier: *mut tessera_verifier) {
    // SAFETY: convention 7.
    unsafe { free::<VerifierHandle, _>(tag::VERIFIER, verifier) }
}
