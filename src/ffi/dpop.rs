//! C ABI for sender-constrained tokens (`tessera::dpop`): DPoP proofs (RFC 9449) — creating
//! them, validating them, server nonces and the replay cache — and checking a token's `cnf`
//! binding at a resource server (RFC 9449 §7, RFC 8705 §3). Conventions: see the module
//! documentation of `ffi` (README "API conventions").
//!
//! The host's steps are on `tessera_dpop_validator`, so that they are in the header.

use std::ffi::c_char;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    TesseraResult, borrow, boundary, bytes, free, opt_borrow, opt_str, opt_text, output,
    output_from, output_handle, output_json, req_str, tag, text, too_long_json, write_value,
};
use super::{tessera_key, tessera_verified};
use crate::SystemRandom;
use crate::dpop::{
    self, NonceIssuer, Presentation, Proof, ProofValidator, ReplayCache, certificate_thumbprint,
};
use crate::grant::json_error;
use crate::jwt::{Algorithm, Key, Verified};
use crate::{Error, ErrorKind};

/// A DPoP server-nonce issuer (RFC 9449 §8, §9): an HMAC key and a time step; the nonce of a
/// step is accepted during that step and the next. Nothing is stored, so every process with
/// the same key and step agrees. Immutable: thread-safe.
pub struct tessera_dpop_nonce_issuer {
    _private: [u8; 0],
}

/// Checks DPoP proofs (RFC 9449 §4.3). Immutable: thread-safe; build one and share it.
///
/// What the host does for a request that carries a `DPoP` header:
///
/// 1. **One proof**: more than one `DPoP` header is `invalid_dpop_proof`; none, where DPoP is
///    required, too.
/// 2. **Validate** it with `tessera_dpop_validate`: the method, the full request URI (query and
///    fragment are ignored), `now`, and at a resource server the access token from
///    `Authorization: DPoP <token>`. Each failed rule has its own code, 800 to 811 (see
///    `tessera_dpop_validate`).
/// 3. **Refuse replays** (RFC 9449 §11.1): the engine stores nothing. Record the proof's `jti`
///    (within its `jkt`) until its `replay_until` and refuse a second use:
///    `tessera_replay_cache_check_proof` does this in one process; several processes share a
///    store (a unique key with a time to live).
/// 4. **Nonces**, when the validator requires them: answer `TESSERA_RESULT_DPOP_NONCE_REQUIRED`
///    and `TESSERA_RESULT_DPOP_NONCE_INVALID` with `use_dpop_nonce` and the header
///    `DPoP-Nonce: <tessera_dpop_validator_nonce>`; the client retries with that nonce.
/// 5. At a **resource server**, `tessera_dpop_check_binding` matches the proof's key (or the
///    TLS client certificate) to the access token's `cnf`.
///
/// `tessera_error_response` and `tessera_resource_error_response` map every code to the error
/// to send (`invalid_dpop_proof`, `use_dpop_nonce` or `invalid_token`).
pub struct tessera_dpop_validator {
    _private: [u8; 0],
}

/// A DPoP proof that passed `tessera_dpop_validate`: its key thumbprint (`jkt`), `jti`, `iat`,
/// `nonce`, `alg`, `htm`, `htu` and `replay_until`. Immutable: thread-safe.
pub struct tessera_dpop_proof {
    _private: [u8; 0],
}

/// A bounded in-memory replay cache for single-use values (a DPoP proof's `jti`, a client
/// assertion's `jti`): at most `capacity` entries, each kept until its expiry, the oldest
/// dropped first when full. Thread-safe: any number of threads may use one cache at once
/// (it locks internally); the functions that record take a non-`const` handle because they
/// change it. One process only: several processes need a shared store.
pub struct tessera_replay_cache {
    _private: [u8; 0],
}

// ---- proofs (the client) ---------------------------------------------------------------------

/// Makes a DPoP proof (RFC 9449 §4.2) for one HTTP request, signed with the private `key`: a
/// JWS whose header has `typ: "dpop+jwt"`, the key's `alg` and its public `jwk`, and whose
/// claims are `jti` (16 random bytes from the system generator, base64url), `htm` (`htm`, an
/// HTTP method such as "POST"), `htu` (`htu`, the absolute request URI, written without its
/// query and fragment), `iat` = `now`, `nonce` when `nonce` is not NULL (the server's last
/// `DPoP-Nonce`) and `ath` when `(access_token, access_token_len)` is not empty (a request to a
/// resource server; `(NULL, 0)` is none).
///
/// Errors: `TESSERA_RESULT_NOT_PRIVATE_KEY` for a public key,
/// `TESSERA_RESULT_KEY_ALGORITHM_MISMATCH` for an HMAC key, `TESSERA_RESULT_INVALID_ARGUMENT`
/// when `htm` is not a method token, `htu` not an absolute `http(s)` URI or `nonce` not
/// `1*NQCHAR`; `TESSERA_RESULT_INVALID_UTF8` for an access token that is not UTF-8. On
/// `TESSERA_RESULT_BUFFER_TOO_SMALL` nothing was kept: the retry makes another proof (a new
/// `jti`, a new signature) of the same length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_proof_create(
    key: *const tessera_key,
    htm: *const c_char,
    htu: *const c_char,
    now: i64,
    nonce: *const c_char,
    access_token: *const u8,
    access_token_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        output(out, cap, out_len, || {
            let key: &Key = borrow(tag::KEY, key)?;
            dpop::create_proof(
                key,
                req_str(htm)?,
                req_str(htu)?,
                now,
                &SystemRandom::new(),
                opt_str(nonce)?,
                opt_text(access_token, access_token_len)?,
            )
        })
    }
}

/// Writes the `ath` of an access token (RFC 9449 §4.2): base64url(SHA-256(token)), 43
/// characters. A token that is not UTF-8 is `TESSERA_RESULT_INVALID_UTF8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_ath(
    access_token: *const u8,
    access_token_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output(out, cap, out_len, || {
            Ok(dpop::ath(text(access_token, access_token_len)?))
        })
    }
}

// ---- nonces ----------------------------------------------------------------------------------

/// A nonce issuer with HMAC key `secret` (at least 32 bytes, else `TESSERA_RESULT_WEAK_KEY`;
/// copied, and wiped when the handle is freed) and a time step of `step_seconds` (1 to
/// 86,400, else `TESSERA_RESULT_INVALID_ARGUMENT`; 300 is a good default: a nonce is then
/// accepted for 5 to 10 minutes). On success `*out` is a new handle to free with
/// `tessera_dpop_nonce_issuer_free`. Rotate the key to invalidate every outstanding nonce.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_nonce_issuer_new(
    secret: *const u8,
    secret_len: usize,
    step_seconds: u64,
    out: *mut *mut tessera_dpop_nonce_issuer,
) -> TesseraResult {
    // SAFETY: conventions 3 and 5.
    unsafe {
        output_handle(tag::NONCE_ISSUER, out, || {
            NonceIssuer::new(bytes(secret, secret_len)?, step_seconds)
        })
    }
}

/// Writes the nonce to send at `now` (the `DPoP-Nonce` header value): 32 base64url
/// characters, the same for every call within one time step.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_nonce_issuer_nonce(
    issuer: *const tessera_dpop_nonce_issuer,
    now: i64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 4 and 6.
    unsafe {
        output_from(
            tag::NONCE_ISSUER,
            issuer,
            out,
            cap,
            out_len,
            |i: &NonceIssuer| Ok(i.nonce(now)),
        )
    }
}

/// `TESSERA_RESULT_OK` when `nonce` was made by `issuer` at `now`'s time step or the one
/// before; anything else is `TESSERA_RESULT_DPOP_NONCE_INVALID` (answer `use_dpop_nonce` with a
/// fresh nonce). `tessera_dpop_validate` runs this check itself when its validator requires
/// nonces.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_nonce_issuer_check(
    issuer: *const tessera_dpop_nonce_issuer,
    nonce: *const u8,
    nonce_len: usize,
    now: i64,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 6.
        unsafe {
            let issuer: &NonceIssuer = borrow(tag::NONCE_ISSUER, issuer)?;
            // Bytes that are not UTF-8 are no nonce this issuer made.
            let nonce = std::str::from_utf8(bytes(nonce, nonce_len)?).unwrap_or_default();
            issuer.check(nonce, now)
        }
    })
}

/// Frees a nonce issuer (its key is wiped). NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_nonce_issuer_free(issuer: *mut tessera_dpop_nonce_issuer) {
    // SAFETY: convention 7.
    unsafe { free::<NonceIssuer, _>(tag::NONCE_ISSUER, issuer) }
}

// ---- the validator ---------------------------------------------------------------------------

/// The validator's settings, as JSON; every member optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidatorConfig {
    algorithms: Option<Vec<String>>,
    iat_window: Option<u64>,
    max_len: Option<usize>,
}

/// A proof validator. `config_json` is a JSON object, every member optional; `(NULL, 0)` or
/// `{}` is the defaults:
///
/// ```json
/// {"algorithms": ["ES256", "EdDSA", ...], "iat_window": 60, "max_len": 8192}
/// ```
///
/// - `algorithms`: the algorithms proofs may use; default: every asymmetric algorithm of this
///   build except ML-DSA (ES256, ES384, EdDSA, RS256/384/512, PS256/384/512, and ES512 and
///   ES256K with aws-lc-rs). HMAC algorithms are `TESSERA_RESULT_INVALID_ARGUMENT`, an
///   algorithm this build lacks `TESSERA_RESULT_UNSUPPORTED_ALGORITHM`.
/// - `iat_window`: the accepted distance between a proof's `iat` and `now`, in seconds, both
///   ways (default 60, at most 3600).
/// - `max_len`: the largest proof accepted, in bytes (default 8192, 1 to 65536).
///
/// `nonce_issuer`: NULL for no server nonce; otherwise every proof needs a nonce this issuer
/// made recently (RFC 9449 §8, §9). The validator keeps its own copy: the issuer handle may be
/// freed afterwards.
///
/// A `config_json` that is not such an object (malformed, an unknown member, a member of the
/// wrong type) is `TESSERA_RESULT_INVALID_JSON`, one with a repeated member
/// `TESSERA_RESULT_DUPLICATE_MEMBER`. On success `*out` is a new handle to free with
/// `tessera_dpop_validator_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_validator_new(
    config_json: *const u8,
    config_len: usize,
    nonce_issuer: *const tessera_dpop_nonce_issuer,
    out: *mut *mut tessera_dpop_validator,
) -> TesseraResult {
    // SAFETY: conventions 3, 5 and 6.
    unsafe {
        output_handle(tag::DPOP_VALIDATOR, out, || {
            too_long_json(config_len)?;
            let raw = bytes(config_json, config_len)?;
            let config = if raw.is_empty() {
                ValidatorConfig {
                    algorithms: None,
                    iat_window: None,
                    max_len: None,
                }
            } else {
                let map = crate::jwt::parse_json_object(raw)?;
                serde_json::from_value(Value::Object(map))
                    .map_err(|e| json_error("DPoP validator config", &e))?
            };
            let issuer: Option<&NonceIssuer> = opt_borrow(tag::NONCE_ISSUER, nonce_issuer)?;
            let mut b = ProofValidator::builder();
            if let Some(names) = &config.algorithms {
                let algs = names
                    .iter()
                    .map(|n| n.parse())
                    .collect::<Result<Vec<Algorithm>, Error>>()?;
                b = b.algorithms(&algs);
            }
            if let Some(w) = config.iat_window {
                b = b.iat_window(w);
            }
            if let Some(n) = config.max_len {
                b = b.max_len(n);
            }
            if let Some(issuer) = issuer {
                b = b.require_nonce(issuer.clone());
            }
            b.build()
        })
    }
}

/// Writes the `DPoP-Nonce` value to send at `now`: with every `use_dpop_nonce` error, and on
/// successful responses to keep the client's nonce fresh. Writes nothing (`*out_len` = 0) when
/// the validator requires no nonce.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_validator_nonce(
    validator: *const tessera_dpop_validator,
    now: i64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 4 and 6.
    unsafe {
        output_from(
            tag::DPOP_VALIDATOR,
            validator,
            out,
            cap,
            out_len,
            |v: &ProofValidator| Ok(v.nonce(now).unwrap_or_default()),
        )
    }
}

/// Writes the algorithms the validator accepts, space-separated ("ES256 ES384 EdDSA ..."):
/// the `algs` of a `WWW-Authenticate: DPoP` challenge, and (as a JSON array) the
/// `dpop_signing_alg_values_supported` of server metadata.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_validator_algorithms(
    validator: *const tessera_dpop_validator,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 4 and 6.
    unsafe {
        output_from(
            tag::DPOP_VALIDATOR,
            validator,
            out,
            cap,
            out_len,
            |v: &ProofValidator| {
                let names: Vec<&str> = v.algorithms().iter().map(|a| a.as_str()).collect();
                Ok(names.join(" "))
            },
        )
    }
}

/// Validates `proof` (the `DPoP` header value) for a request with method `htm` to `htu` (the
/// full request URI; query and fragment are ignored, scheme and host compared
/// case-insensitively, default ports and dot segments normalised) at `now`. At a resource
/// server pass the access token of `Authorization: DPoP <token>` as `(access_token,
/// access_token_len)`, so its `ath` is checked; `(NULL, 0)` at the token endpoint.
///
/// On success `*out` is a new `tessera_dpop_proof` (free it with `tessera_dpop_proof_free`);
/// the host must still refuse a replay (`tessera_replay_cache_check_proof`). The rules run in
/// this order, each failure its own code:
///
/// | rule (RFC 9449 §4.3) | code |
/// |---|---|
/// | one compact JWS (strict base64url, JSON objects without duplicates, no `crit`) within `max_len` | `TESSERA_RESULT_DPOP_MALFORMED` |
/// | header `typ` is `dpop+jwt` | `TESSERA_RESULT_DPOP_TYPE` |
/// | `alg` asymmetric and allowed | `TESSERA_RESULT_DPOP_ALGORITHM` |
/// | `jwk` present, public only, a valid key for `alg` | `TESSERA_RESULT_DPOP_KEY` |
/// | the signature verifies with `jwk` | `TESSERA_RESULT_DPOP_SIGNATURE` |
/// | `jti` present, 1 to 64 bytes | `TESSERA_RESULT_DPOP_JTI` |
/// | `htm` is the request method | `TESSERA_RESULT_DPOP_METHOD` |
/// | `htu` is the request URI | `TESSERA_RESULT_DPOP_URI` |
/// | `iat` within the window around `now` | `TESSERA_RESULT_DPOP_IAT` |
/// | a nonce, when required, and one the issuer made recently | `TESSERA_RESULT_DPOP_NONCE_REQUIRED`, `TESSERA_RESULT_DPOP_NONCE_INVALID` |
/// | with an access token: `ath` is its hash | `TESSERA_RESULT_DPOP_ATH` |
///
/// Send `use_dpop_nonce` for the two nonce codes, `invalid_dpop_proof` for the others. Proof
/// bytes that are not UTF-8 are `TESSERA_RESULT_DPOP_MALFORMED`, an access token that is not
/// UTF-8 `TESSERA_RESULT_DPOP_ATH` (no proof can carry its hash). An `htm` that is not a method
/// token or an `htu` that is not an absolute `http(s)` URI is the host's mistake:
/// `TESSERA_RESULT_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_validate(
    validator: *const tessera_dpop_validator,
    proof: *const u8,
    proof_len: usize,
    htm: *const c_char,
    htu: *const c_char,
    access_token: *const u8,
    access_token_len: usize,
    now: i64,
    out: *mut *mut tessera_dpop_proof,
) -> TesseraResult {
    // SAFETY: conventions 3, 5 and 6.
    unsafe {
        output_handle(tag::DPOP_PROOF, out, || {
            let validator: &ProofValidator = borrow(tag::DPOP_VALIDATOR, validator)?;
            let (htm, htu) = (req_str(htm)?, req_str(htu)?);
            let proof = std::str::from_utf8(bytes(proof, proof_len)?).map_err(|_| {
                Error::new(ErrorKind::DpopMalformed, "the DPoP proof is not UTF-8 text")
            })?;
            let token = bytes(access_token, access_token_len)?;
            let token = if token.is_empty() {
                None
            } else {
                Some(std::str::from_utf8(token).map_err(|_| {
                    Error::new(ErrorKind::DpopAth, "the access token is not UTF-8 text")
                })?)
            };
            validator.validate(proof, htm, htu, now, token)
        })
    }
}

/// Frees a validator. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_validator_free(validator: *mut tessera_dpop_validator) {
    // SAFETY: convention 7.
    unsafe { free::<ProofValidator, _>(tag::DPOP_VALIDATOR, validator) }
}

// ---- validated proofs ------------------------------------------------------------------------

/// The JSON of a validated proof.
fn proof_json(p: &Proof) -> Value {
    json!({
        "jkt": p.jkt(),
        "jti": p.jti(),
        "iat": p.iat(),
        "nonce": p.nonce(),
        "alg": p.alg().as_str(),
        "htm": p.htm(),
        "htu": p.htu(),
        "replay_until": p.replay_until(),
    })
}

/// Writes a validated proof as JSON:
///
/// ```json
/// {"jkt": "...", "jti": "...", "iat": 1562262616, "nonce": null, "alg": "ES256",
///  "htm": "POST", "htu": "https://server.example.com/token", "replay_until": 1562262676}
/// ```
///
/// `jkt` is the RFC 7638 thumbprint of the proof's key (bind tokens with `{"cnf": {"jkt":
/// ...}}`, RFC 9449 §6.1); `nonce` is null when the proof had none; `htu` is as the proof sent
/// it; `replay_until` (Unix seconds) is how long to remember `jti`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_proof_json(
    proof: *const tessera_dpop_proof,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 4 and 6.
    unsafe {
        output_json(out, cap, out_len, || {
            let p: &Proof = borrow(tag::DPOP_PROOF, proof)?;
            Ok(proof_json(p))
        })
    }
}

/// Writes the proof key's RFC 7638 SHA-256 thumbprint (43 base64url characters): the `jkt` to
/// bind tokens to, and the scope of the proof's `jti` for replay checks.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_proof_jkt(
    proof: *const tessera_dpop_proof,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 4 and 6.
    unsafe {
        output_from(tag::DPOP_PROOF, proof, out, cap, out_len, |p: &Proof| {
            Ok(p.jkt().to_owned())
        })
    }
}

/// Frees a validated proof. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_proof_free(proof: *mut tessera_dpop_proof) {
    // SAFETY: convention 7.
    unsafe { free::<Proof, _>(tag::DPOP_PROOF, proof) }
}

// ---- replay ----------------------------------------------------------------------------------

/// A replay cache of at most `capacity` entries (1 to 16,777,216, else
/// `TESSERA_RESULT_INVALID_ARGUMENT`; about 100 bytes each once used, nothing allocated up
/// front), salted from the system random number generator. Size it for the proofs accepted
/// within one `iat` window (twice the window, in fact): when it is full the oldest entry is
/// dropped, live or not. On success `*out` is a new handle to free with
/// `tessera_replay_cache_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_replay_cache_new(
    capacity: usize,
    out: *mut *mut tessera_replay_cache,
) -> TesseraResult {
    // SAFETY: convention 5.
    unsafe {
        output_handle(tag::REPLAY_CACHE, out, || {
            ReplayCache::new(capacity, &SystemRandom::new())
        })
    }
}

/// Records `value` within `scope` (e.g. a proof's `jti` within its `jkt`, or an assertion's
/// `jti` within its client id) as used until `until`, at `now`: `TESSERA_RESULT_OK` the first
/// time, `TESSERA_RESULT_DPOP_REPLAY` when it is recorded and not expired (then nothing
/// changes). An `until` before `now` records nothing. `scope` and `value` are UTF-8 text
/// (`(NULL, 0)` is empty). Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_replay_cache_check_and_record(
    cache: *mut tessera_replay_cache,
    scope: *const u8,
    scope_len: usize,
    value: *const u8,
    value_len: usize,
    until: i64,
    now: i64,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 6; the cache locks internally, so a shared borrow is enough.
        unsafe {
            let cache: &ReplayCache = borrow(tag::REPLAY_CACHE, cache.cast_const())?;
            cache.check_and_record(text(scope, scope_len)?, text(value, value_len)?, until, now)
        }
    })
}

/// `tessera_replay_cache_check_and_record` for a validated proof: its `jti` within its `jkt`,
/// until its `replay_until`. `TESSERA_RESULT_DPOP_REPLAY` for a proof seen before (answer
/// `invalid_dpop_proof`). Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_replay_cache_check_proof(
    cache: *mut tessera_replay_cache,
    proof: *const tessera_dpop_proof,
    now: i64,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: convention 6; as above.
        unsafe {
            let cache: &ReplayCache = borrow(tag::REPLAY_CACHE, cache.cast_const())?;
            let proof: &Proof = borrow(tag::DPOP_PROOF, proof)?;
            cache.check_proof(proof, now)
        }
    })
}

/// Writes the cache's statistics: `*len` the entries held now (expired ones not yet dropped
/// included), `*capacity` the most it holds (the requested capacity rounded up to its shard
/// count), `*evicted_live` how many entries were dropped before they expired because the cache
/// was full (a non-zero value means the cache is too small: a replay could pass). All three
/// pointers are required.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_replay_cache_stats(
    cache: *const tessera_replay_cache,
    len: *mut usize,
    capacity: *mut usize,
    evicted_live: *mut u64,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 5 and 6.
        unsafe {
            let cache: &ReplayCache = borrow(tag::REPLAY_CACHE, cache)?;
            if len.is_null() || capacity.is_null() || evicted_live.is_null() {
                return Err(super::null());
            }
            write_value(len, cache.len())?;
            write_value(capacity, cache.capacity())?;
            write_value(evicted_live, cache.evicted_live())
        }
    })
}

/// Frees a replay cache. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_replay_cache_free(cache: *mut tessera_replay_cache) {
    // SAFETY: convention 7.
    unsafe { free::<ReplayCache, _>(tag::REPLAY_CACHE, cache) }
}

// ---- binding (the resource server) -----------------------------------------------------------

/// The resource server's binding check (RFC 9449 §7.1–§7.2, RFC 8705 §3): whether an access
/// token whose verified claims are `claims_json` (a JSON object, e.g. from
/// `tessera_verified_claims`) was presented the way its `cnf` requires. `proof` is the
/// validated proof of an `Authorization: DPoP` request — validated *with this access token*,
/// so its `ath` matched — or NULL for `Authorization: Bearer`. `(client_cert_der, cert_len)`
/// is the DER client certificate of a mutual-TLS connection, `(NULL, 0)` for none.
///
/// On success writes the binding as JSON — `{"jkt": "..."}`, `{"x5t#S256": "..."}`, both, or
/// `null` for an unbound token — and refuses:
///
/// | token | presented | code |
/// |---|---|---|
/// | `cnf.jkt` | Bearer (`proof` NULL) | `TESSERA_RESULT_DPOP_BOUND_TOKEN` |
/// | `cnf.jkt` | a proof by another key | `TESSERA_RESULT_DPOP_KEY_MISMATCH` |
/// | no `cnf.jkt` | a proof | `TESSERA_RESULT_DPOP_KEY_MISMATCH` |
/// | `cnf.x5t#S256` | no certificate, or another one | `TESSERA_RESULT_CERTIFICATE_MISMATCH` |
/// | no `cnf` | Bearer, `require_bound` true | `TESSERA_RESULT_UNBOUND_TOKEN` |
///
/// A `cnf` that is not an object of thumbprints is `TESSERA_RESULT_INVALID_CLAIM_TYPE`, one
/// with only methods tessera cannot check `TESSERA_RESULT_UNBOUND_TOKEN`; claims that are not a
/// JSON object `TESSERA_RESULT_INVALID_JSON` (`TESSERA_RESULT_DUPLICATE_MEMBER` for a repeated
/// member). `tessera_resource_error_response` maps the codes
/// to `invalid_token` or `invalid_dpop_proof`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_check_binding(
    claims_json: *const u8,
    claims_len: usize,
    proof: *const tessera_dpop_proof,
    client_cert_der: *const u8,
    cert_len: usize,
    require_bound: bool,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        output_json(out, cap, out_len, || {
            too_long_json(claims_len)?;
            let claims = crate::jwt::parse_json_object(bytes(claims_json, claims_len)?)?;
            let proof: Option<&Proof> = opt_borrow(tag::DPOP_PROOF, proof)?;
            let presentation = proof.map_or(Presentation::Bearer, Presentation::Dpop);
            let cert = bytes(client_cert_der, cert_len)?;
            let cert = (!cert.is_empty()).then_some(cert);
            let cnf = dpop::check_binding(&claims, presentation, cert, require_bound)?;
            Ok(cnf.map_or(Value::Null, |c| c.to_value()))
        })
    }
}

/// `tessera_dpop_check_binding` for a token verified by `tessera_verify_full`: the claims are
/// read from the `verified` handle instead of JSON text.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_verified_check_binding(
    verified: *const tessera_verified,
    proof: *const tessera_dpop_proof,
    client_cert_der: *const u8,
    cert_len: usize,
    require_bound: bool,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        output_json(out, cap, out_len, || {
            let verified: &Verified = borrow(tag::VERIFIED, verified)?;
            let claims = verified.claims();
            let proof: Option<&Proof> = opt_borrow(tag::DPOP_PROOF, proof)?;
            let presentation = proof.map_or(Presentation::Bearer, Presentation::Dpop);
            let cert = bytes(client_cert_der, cert_len)?;
            let cert = (!cert.is_empty()).then_some(cert);
            let cnf = dpop::check_binding(claims, presentation, cert, require_bound)?;
            Ok(cnf.map_or(Value::Null, |c| c.to_value()))
        })
    }
}

/// Writes the RFC 8705 §3.1 thumbprint of a DER certificate (the `x5t#S256` of a `cnf`):
/// base64url(SHA-256(der)), 43 characters. `der` must be exactly one DER `SEQUENCE` (the TLS
/// stack's certificate as is), else `TESSERA_RESULT_INVALID_ARGUMENT`; over 64 KiB is
/// `TESSERA_RESULT_TOO_LARGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_certificate_thumbprint(
    der: *const u8,
    der_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output(out, cap, out_len, || {
            certificate_thumbprint(bytes(der, der_len)?)
        })
    }
}

#[cfg(test)]
mod tests;
