//! C ABI for the JWT core: the handle types, keys, key sets and signing (verifiers are in
//! `verifier.rs`, verification in `verify.rs`). Conventions: see the module documentation of `ffi` (README "API conventions").

use std::ffi::c_char;

use crate::SystemRandom;

use super::{
    TesseraResult, borrow, boundary, bytes, free, new_handle, opt_str, output, output_from,
    output_handle, req_str, tag, write_value,
};
use crate::jwt::{self, Algorithm, Header, Key, KeySet};
use crate::{Error, ErrorKind};

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

/// The shape of the key loaders: an encoded key and an optional algorithm name in, a new key
/// handle out.
///
/// # Safety
/// Conventions 3 and 5 for `(input, len)`, `alg` and `out`.
unsafe fn load_key(
    input: *const u8,
    len: usize,
    alg: *const c_char,
    out: *mut *mut tessera_key,
    load: fn(&[u8], Option<Algorithm>) -> Result<Key, Error>,
) -> TesseraResult {
    // SAFETY: forwarded.
    unsafe {
        output_handle(tag::KEY, out, || {
            load(bytes(input, len)?, parse_alg(opt_str(alg)?)?)
        })
    }
}

// ---- keys ------------------------------------------------------------------------------------

/// Loads a key from PEM (PKCS#8, PKCS#1, SEC1, SPKI or X.509 certificate; no certificate
/// validation). `alg` (NULL for the key type's default: ES256, ES384, EdDSA, and with the
/// aws-lc backend ES512 and ES256K; required for RSA) binds the algorithm. On success `*out`
/// is a new handle to free with `tessera_key_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_from_pem(
    pem: *const u8,
    pem_len: usize,
    alg: *const c_char,
    out: *mut *mut tessera_key,
) -> TesseraResult {
    // SAFETY: conventions 3 and 5.
    unsafe { load_key(pem, pem_len, alg, out, Key::from_pem) }
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
    // SAFETY: conventions 3 and 5.
    unsafe { load_key(der, der_len, alg, out, Key::from_der) }
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
    // SAFETY: conventions 3 and 5.
    unsafe { load_key(jwk, jwk_len, alg, out, Key::from_jwk) }
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
    // SAFETY: conventions 3 and 5.
    unsafe {
        output_handle(tag::KEY, out, || {
            let alg: Algorithm = req_str(alg)?.parse()?;
            Key::hmac(bytes(secret, secret_len)?, alg)
        })
    }
}

/// Generates a key (ES256, ES384, EdDSA, Ed25519, HS256/384/512) from the system random
/// number generator. With the aws-lc backend (see `tessera_backend`) also ES512 and ES256K
/// keys, and 2048-bit RSA keys for RS256/384/512 and PS256/384/512. With `ring`, ES512 and
/// ES256K are `TESSERA_RESULT_UNSUPPORTED_ALGORITHM` and RSA generation is
/// `TESSERA_RESULT_UNSUPPORTED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_key_generate(
    alg: *const c_char,
    out: *mut *mut tessera_key,
) -> TesseraResult {
    // SAFETY: conventions 3 and 5.
    unsafe {
        output_handle(tag::KEY, out, || {
            Key::generate(req_str(alg)?.parse()?, &SystemRandom::new())
        })
    }
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
    unsafe { free::<Key, _>(tag::KEY, key) }
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
    // SAFETY: conventions 4 and 6. The text (it may be a private key) is wiped once written.
    unsafe {
        output_from(tag::KEY, key, out, cap, out_len, |k: &Key| {
            f(k).map(zeroize::Zeroizing::new)
        })
    }
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
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        output(out, cap, out_len, || {
            let keys = key_array(keys, count)?;
            jwt::jwks(&keys)
        })
    }
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
    // SAFETY: conventions 4 and 6.
    unsafe { output_from(tag::KEYSET, set, out, cap, out_len, KeySet::to_jwks) }
}

/// Frees a key set. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_keyset_free(set: *mut tessera_keyset) {
    // SAFETY: convention 7.
    unsafe { free::<KeySet, _>(tag::KEYSET, set) }
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
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        output(out, cap, out_len, || {
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
            Ok(token)
        })
    }
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
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        output(out, cap, out_len, || {
            let key: &Key = borrow(tag::KEY, key)?;
            let token = jwt::sign_jws(
                key,
                bytes(protected_header, header_len)?,
                bytes(payload, payload_len)?,
                &SystemRandom::new(),
            )?;
            Ok(token)
        })
    }
}
