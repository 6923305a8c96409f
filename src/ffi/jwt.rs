//! C ABI for the JWT core: keys, key sets, signing, verifiers and verification (single, fast
//! and batch). Conventions: see the module documentation of `ffi` (README "API conventions").

use std::ffi::c_char;
use std::sync::Arc;

use ring::rand::SystemRandom;

use super::{
    TesseraResult, borrow, borrow_mut, boundary, bytes, free_handle, new_handle, null, opt_str,
    pool, req_str, tag, write_out, write_value,
};
use crate::jwt::{
    self, Algorithm, Header, Key, KeySet, Limits, Verified, Verifier, VerifierBuilder,
};
use crate::{Error, ErrorKind};

/// What a verifier handle holds: the verifier behind an `Arc`, so a batch job can share it
/// with the pool's workers (every `borrow` of `tag::VERIFIER` must name this type).
type VerifierHandle = Arc<Verifier>;

/// A signing or verification key bound to one algorithm. Immutable: thread-safe.
pub struct tessera_key {
    _private: [u8; 0],
}

/// A set of verification keys (JWKS). Immutable: thread-safe.
pub struct tessera_keyset {
    _private: [u8; 0],
}

/// Collects a verifier's policy before the keys are known. Not thread-safe.
pub struct tessera_verifier_builder {
    _private: [u8; 0],
}

/// An immutable verifier (keys + policy). Thread-safe: share one across threads.
pub struct tessera_verifier {
    _private: [u8; 0],
}

/// The result of a successful verification: header, registered claims, full claims.
/// Immutable: thread-safe.
pub struct tessera_verified {
    _private: [u8; 0],
}

fn parse_alg(name: Option<&str>) -> Result<Option<Algorithm>, Error> {
    name.map(str::parse).transpose()
}

// ---- keys ------------------------------------------------------------------------------------

/// Loads a key from PEM (PKCS#8, PKCS#1, SEC1, SPKI or X.509 certificate; no certificate
/// validation). `alg` (NULL for the key type's default: ES256, ES384, EdDSA; required for RSA)
/// binds the algorithm. On success `*out` is a new handle to free with `tessera_key_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_from_pem(
    pem: *const u8,
    pem_len: usize,
    alg: *const c_char,
    out: *mut *mut tessera_key,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            let key = Key::from_pem(bytes(pem, pem_len)?, parse_alg(opt_str(alg)?)?)?;
            new_handle(tag::KEY, key, out)
        }
    })
}

/// Loads a key from DER (PKCS#8, PKCS#1, SEC1, SPKI or X.509), recognised by structure.
/// `alg` as for `tessera_key_from_pem`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_from_der(
    der: *const u8,
    der_len: usize,
    alg: *const c_char,
    out: *mut *mut tessera_key,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            let key = Key::from_der(bytes(der, der_len)?, parse_alg(opt_str(alg)?)?)?;
            new_handle(tag::KEY, key, out)
        }
    })
}

/// Loads a key from a JWK (JSON text). `alg` (NULL allowed) binds keys without an `alg`
/// member; when both are present they must agree.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_from_jwk(
    jwk: *const u8,
    jwk_len: usize,
    alg: *const c_char,
    out: *mut *mut tessera_key,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            let key = Key::from_jwk(bytes(jwk, jwk_len)?, parse_alg(opt_str(alg)?)?)?;
            new_handle(tag::KEY, key, out)
        }
    })
}

/// An HMAC key (`alg` is "HS256", "HS384" or "HS512") from a secret at least as long as the
/// hash output. The secret is copied; the copy is wiped when the key is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_hmac(
    secret: *const u8,
    secret_len: usize,
    alg: *const c_char,
    out: *mut *mut tessera_key,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            let alg: Algorithm = req_str(alg)?.parse()?;
            let key = Key::hmac(bytes(secret, secret_len)?, alg)?;
            new_handle(tag::KEY, key, out)
        }
    })
}

/// Generates a key (ES256, ES384, EdDSA, Ed25519, HS256/384/512) from the system random
/// number generator. RSA generation is `TESSERA_RESULT_UNSUPPORTED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_generate(
    alg: *const c_char,
    out: *mut *mut tessera_key,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            let alg: Algorithm = req_str(alg)?.parse()?;
            new_handle(tag::KEY, Key::generate(alg, &SystemRandom::new())?, out)
        }
    })
}

/// A new handle for the same key with key id `kid` (the original handle is unchanged). An
/// empty `kid` is `TESSERA_RESULT_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_with_kid(
    key: *const tessera_key,
    kid: *const c_char,
    out: *mut *mut tessera_key,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 5 and 6.
        unsafe {
            let key: &Key = borrow(tag::KEY, key)?;
            let kid = req_str(kid)?;
            if kid.is_empty() {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "kid must not be empty",
                ));
            }
            new_handle(tag::KEY, key.clone().with_kid(kid), out)
        }
    })
}

/// A new handle for the public half of an asymmetric key (`TESSERA_RESULT_NO_PUBLIC_KEY` for
/// HMAC keys).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_public(
    key: *const tessera_key,
    out: *mut *mut tessera_key,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let key: &Key = borrow(tag::KEY, key)?;
            new_handle(tag::KEY, key.public_key()?, out)
        }
    })
}

/// Frees a key. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_free(key: *mut tessera_key) {
    // SAFETY: convention 7.
    let _ = boundary(|| {
        unsafe { free_handle::<Key, _>(tag::KEY, key) };
        Ok(())
    });
}

/// Writes the key's algorithm name ("ES256", ...) to the buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_alg(
    key: *const tessera_key,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    key_text(key, out, cap, out_len, |k| Ok(k.alg().as_str().into()))
}

/// Writes the key id to the buffer (empty when the key has none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_kid(
    key: *const tessera_key,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    key_text(key, out, cap, out_len, |k| {
        Ok(k.kid().unwrap_or_default().into())
    })
}

/// Writes whether the key can sign (holds private or secret material) to `*out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_is_private(
    key: *const tessera_key,
    out: *mut bool,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let key: &Key = borrow(tag::KEY, key)?;
            write_value(out, key.is_private())
        }
    })
}

/// Writes the public JWK (JSON) of an asymmetric key.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_public_jwk(
    key: *const tessera_key,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    key_text(key, out, cap, out_len, |k| {
        serde_json::to_vec(&k.public_jwk()?).map_err(|_| Error::from(ErrorKind::InvalidArgument))
    })
}

/// Writes the private JWK (JSON, secret members included) of a private or HMAC key.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_private_jwk(
    key: *const tessera_key,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    key_text(key, out, cap, out_len, |k| {
        Ok(k.private_jwk()?.as_bytes().to_vec())
    })
}

/// Writes the public key as a `PUBLIC KEY` PEM block.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_public_pem(
    key: *const tessera_key,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    key_text(key, out, cap, out_len, |k| {
        Ok(k.public_key_pem()?.into_bytes())
    })
}

/// Writes the private key as a PKCS#8 `PRIVATE KEY` PEM block (asymmetric keys only).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_private_pem(
    key: *const tessera_key,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    key_text(key, out, cap, out_len, |k| {
        Ok(k.private_key_pem()?.as_bytes().to_vec())
    })
}

/// Writes the RFC 7638 thumbprint (SHA-256, base64url).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_thumbprint(
    key: *const tessera_key,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    key_text(key, out, cap, out_len, |k| Ok(k.thumbprint()?.into_bytes()))
}

fn key_text(
    key: *const tessera_key,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    f: impl FnOnce(&Key) -> Result<Vec<u8>, Error>,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 4 and 6.
        unsafe {
            let key: &Key = borrow(tag::KEY, key)?;
            let text = zeroize::Zeroizing::new(f(key)?);
            write_out(&text, out, cap, out_len)
        }
    })
}

/// Reads an array of `count` key handles.
///
/// # Safety
/// `keys` must be NULL (with `count` 0) or point to `count` handle pointers.
unsafe fn key_array(keys: *const *const tessera_key, count: usize) -> Result<Vec<Key>, Error> {
    // SAFETY: forwarded to the caller.
    let handles = unsafe { super::slice(keys, count) }?;
    handles
        .iter()
        // SAFETY: each element must be a live key handle (convention 6).
        .map(|&h| unsafe { borrow::<Key, _>(tag::KEY, h) }.cloned())
        .collect()
}

/// Writes the public JWKS document of `count` keys (what an authorization server serves at
/// its `jwks_uri`). HMAC keys are `TESSERA_RESULT_NO_PUBLIC_KEY`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_jwks(
    keys: *const *const tessera_key,
    count: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 4 and 6.
        unsafe {
            let keys = key_array(keys, count)?;
            write_out(jwt::jwks(&keys)?.as_bytes(), out, cap, out_len)
        }
    })
}

// ---- key sets --------------------------------------------------------------------------------

fn alg_list(list: Option<&str>) -> Result<Vec<Algorithm>, Error> {
    list.unwrap_or_default()
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}

/// Parses a JWKS document. `default_algs` (NULL or a comma- or space-separated list such as
/// "RS256,PS256") binds keys that have no `alg`. Keys that cannot verify signatures are
/// skipped; a document with none is `TESSERA_RESULT_KEY_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_keyset_from_jwks(
    jwks: *const u8,
    jwks_len: usize,
    default_algs: *const c_char,
    out: *mut *mut tessera_keyset,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            let algs = alg_list(opt_str(default_algs)?)?;
            let set = KeySet::from_jwks(bytes(jwks, jwks_len)?, &algs)?;
            new_handle(tag::KEYSET, set, out)
        }
    })
}

/// A key set from `count` key handles (copied; the handles stay the caller's).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_keyset_new(
    keys: *const *const tessera_key,
    count: usize,
    out: *mut *mut tessera_keyset,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 5 and 6.
        unsafe {
            let set = KeySet::new(key_array(keys, count)?)?;
            new_handle(tag::KEYSET, set, out)
        }
    })
}

/// Writes the number of usable keys in the set to `*out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_keyset_len(
    set: *const tessera_keyset,
    out: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let set: &KeySet = borrow(tag::KEYSET, set)?;
            write_value(out, set.keys().len())
        }
    })
}

/// Writes the set's public JWKS document.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_keyset_to_jwks(
    set: *const tessera_keyset,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 4 and 6.
        unsafe {
            let set: &KeySet = borrow(tag::KEYSET, set)?;
            write_out(set.to_jwks()?.as_bytes(), out, cap, out_len)
        }
    })
}

/// Frees a key set. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_keyset_free(set: *mut tessera_keyset) {
    let _ = boundary(|| {
        // SAFETY: convention 7.
        unsafe { free_handle::<KeySet, _>(tag::KEYSET, set) };
        Ok(())
    });
}

// ---- signing ---------------------------------------------------------------------------------

/// Signs a JWT. `header_json` is a JSON object of header members (`typ`, `kid`, `cty`, `crit`,
/// extras; `(NULL, 0)` for none — `alg` always comes from the key, `kid` from the key unless
/// given); `claims_json` is the claims set, used byte for byte (a JSON object without duplicate
/// members). Writes the compact token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_sign(
    key: *const tessera_key,
    header_json: *const u8,
    header_len: usize,
    claims_json: *const u8,
    claims_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 4 and 6.
        unsafe {
            let key: &Key = borrow(tag::KEY, key)?;
            let header_bytes = bytes(header_json, header_len)?;
            let header = if header_bytes.is_empty() {
                Header::new()
            } else {
                Header::from_json(header_bytes)?
            };
            let token = jwt::sign_json(
                key,
                &header,
                bytes(claims_json, claims_len)?,
                &SystemRandom::new(),
            )?;
            write_out(token.as_bytes(), out, cap, out_len)
        }
    })
}

/// Signs arbitrary protected-header and payload octets into a compact JWS (the header octets
/// are used exactly; their `alg` must be the key's).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_sign_jws(
    key: *const tessera_key,
    protected_header: *const u8,
    header_len: usize,
    payload: *const u8,
    payload_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 4 and 6.
        unsafe {
            let key: &Key = borrow(tag::KEY, key)?;
            let token = jwt::sign_jws(
                key,
                bytes(protected_header, header_len)?,
                bytes(payload, payload_len)?,
                &SystemRandom::new(),
            )?;
            write_out(token.as_bytes(), out, cap, out_len)
        }
    })
}

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
    let _ = boundary(|| {
        // SAFETY: convention 7.
        unsafe { free_handle::<Builder, _>(tag::BUILDER, builder) };
        Ok(())
    });
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
    let _ = boundary(|| {
        // SAFETY: convention 7.
        unsafe { free_handle::<VerifierHandle, _>(tag::VERIFIER, verifier) };
        Ok(())
    });
}

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
    boundary(|| {
        // SAFETY: conventions 4 and 6.
        unsafe {
            let v: &Verified = borrow(tag::VERIFIED, verified)?;
            write_out(&f(v)?, out, cap, out_len)
        }
    })
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
    let _ = boundary(|| {
        // SAFETY: convention 7.
        unsafe { free_handle::<Verified, _>(tag::VERIFIED, verified) };
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

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
