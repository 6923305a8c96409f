//! Key files, recognised by their content:
//!
//! - JSON with a `keys` array: a JWKS (RFC 7517 §5);
//! - other JSON: one JWK (public or private; `kty: oct` for HMAC);
//! - text with `-----BEGIN`: PEM (PKCS#8, PKCS#1, SEC1, SPKI or an X.509 certificate, whose
//!   public key is used without any certificate validation);
//! - anything else: DER of the same structures.
//!
//! The algorithm comes from `--alg` or the key (a JWK's `alg`, the EC curve, Ed25519); never from
//! a token. An RSA or HMAC key that neither decides is a usage error (exit 2).

use std::path::Path;

use serde_json::{Map, Value};
use tessera::ErrorKind;
use tessera::jwt::{Algorithm, Key, KeySet};

use crate::fail::Failure;
use crate::inout::{read_file, warn};

/// What a key file holds.
pub enum KeyFile {
    /// One key.
    One(Key),
    /// A key set (from a JWKS document).
    Set(KeySet),
}

/// The container a key file's bytes are in.
enum Container {
    Jwks(Map<String, Value>),
    Jwk,
    Pem,
    Der,
}

fn container(bytes: &[u8]) -> Container {
    let text = bytes.trim_ascii_start();
    if text.starts_with(b"{") {
        // A lenient look for `keys`; the library parses strictly afterwards.
        match serde_json::from_slice::<Map<String, Value>>(text) {
            Ok(map) if map.contains_key("keys") => Container::Jwks(map),
            _ => Container::Jwk,
        }
    } else if text.windows(10).any(|w| w == b"-----BEGIN") {
        Container::Pem
    } else {
        Container::Der
    }
}

/// Turns a library error about a key file into a failure naming the file. A key whose algorithm
/// nothing decided (`alg` was not given) is a usage error that says to pass `--alg`.
fn key_error(path: &Path, err: &tessera::Error, alg: Option<Algorithm>) -> Failure {
    if err.kind() == ErrorKind::KeyAlgorithmMismatch && alg.is_none() {
        Failure::usage(format!("{}: {}; pass --alg", path.display(), err.detail()))
    } else {
        Failure::lib(err).in_file(path)
    }
}

fn load_one(path: &Path, bytes: &[u8], alg: Option<Algorithm>) -> Result<Key, Failure> {
    let loaded = match container(bytes) {
        Container::Jwks(map) => return single_from_jwks(path, &map, alg),
        Container::Jwk => Key::from_jwk(bytes.trim_ascii(), alg),
        Container::Pem => Key::from_pem(bytes, alg),
        Container::Der => Key::from_der(bytes, alg),
    };
    loaded.map_err(|e| key_error(path, &e, alg))
}

fn single_from_jwks(
    path: &Path,
    map: &Map<String, Value>,
    alg: Option<Algorithm>,
) -> Result<Key, Failure> {
    match map.get("keys") {
        Some(Value::Array(keys)) if keys.len() == 1 => match keys.first() {
            Some(Value::Object(jwk)) => {
                Key::from_jwk_value(jwk, alg).map_err(|e| key_error(path, &e, alg))
            }
            _ => Err(
                Failure::kind(ErrorKind::InvalidKey, "the JWKS entry is not an object")
                    .in_file(path),
            ),
        },
        Some(Value::Array(keys)) => Err(Failure::usage(format!(
            "{}: a JWKS of {} keys; this command needs one key (a JWK, PEM or DER file)",
            path.display(),
            keys.len()
        ))),
        _ => Err(Failure::kind(
            ErrorKind::InvalidKey,
            "a JWKS document needs a \"keys\" array",
        )
        .in_file(path)),
    }
}

/// Loads the one key of a key file (a JWKS holding exactly one key counts).
pub fn load_key(path: &Path, alg: Option<Algorithm>) -> Result<Key, Failure> {
    let bytes = read_file(path)?;
    load_one(path, &bytes, alg)
}

/// Loads a key file for verification: one key, or a key set when the file is a JWKS (`alg` then
/// binds the keys that carry no `alg`). Skipped JWKS entries are reported on stderr.
pub fn load_verification_keys(path: &Path, alg: Option<Algorithm>) -> Result<KeyFile, Failure> {
    let bytes = read_file(path)?;
    match container(&bytes) {
        Container::Jwks(_) => load_set(path, &bytes, alg).map(KeyFile::Set),
        _ => load_one(path, &bytes, alg).map(KeyFile::One),
    }
}

/// Loads a file that must be a JWKS document (`--jwks`).
pub fn load_jwks(path: &Path, alg: Option<Algorithm>) -> Result<KeySet, Failure> {
    let bytes = read_file(path)?;
    match container(&bytes) {
        Container::Jwks(_) => load_set(path, &bytes, alg),
        Container::Jwk => Err(Failure::usage(format!(
            "{}: a single JWK, not a JWKS document; use --key",
            path.display()
        ))),
        _ => Err(Failure::usage(format!(
            "{}: not a JWKS document (JSON with a \"keys\" array); use --key for PEM or DER",
            path.display()
        ))),
    }
}

fn load_set(path: &Path, bytes: &[u8], alg: Option<Algorithm>) -> Result<KeySet, Failure> {
    let algs: Vec<Algorithm> = alg.into_iter().collect();
    let set = KeySet::from_jwks(bytes.trim_ascii(), &algs).map_err(|e| {
        let failure = Failure::lib(&e).in_file(path);
        if e.kind() == ErrorKind::KeyNotFound && alg.is_none() && e.detail().contains("algorithm") {
            failure.hint("keys without \"alg\" need --alg")
        } else {
            failure
        }
    })?;
    for skipped in set.skipped() {
        warn(&format!(
            "{}: skipped key {}: {}",
            path.display(),
            skipped
                .kid
                .as_deref()
                .map_or_else(|| "without kid".to_owned(), |kid| format!("{kid:?}")),
            skipped.reason
        ));
    }
    Ok(set)
}

/// All keys of a key file (one, or every key of a JWKS), for `tessera jwks`. Since one `--alg`
/// serves several files, it binds only keys of its own family (and JWKS keys without `alg`).
pub fn load_all(path: &Path, alg: Option<Algorithm>) -> Result<Vec<Key>, Failure> {
    let bytes = read_file(path)?;
    let is_jwk = match container(&bytes) {
        Container::Jwks(_) => return Ok(load_set(path, &bytes, alg)?.keys().to_vec()),
        Container::Jwk => true,
        Container::Pem | Container::Der => false,
    };
    let key = match (load_one(path, &bytes, None), alg) {
        // Nothing in the key decides: --alg does.
        (Err(f), Some(alg)) if f.code() == "usage" => load_one(path, &bytes, Some(alg))?,
        // A PEM or DER key of the same family took its default (Ed25519 → EdDSA): --alg wins.
        // A JWK's own `alg` is kept.
        (Ok(key), Some(alg)) if !is_jwk && key.family() == alg.family() => key
            .with_alg(alg)
            .map_err(|e| Failure::lib(&e).in_file(path))?,
        (loaded, _) => loaded?,
    };
    Ok(vec![key])
}

/// An HMAC key from a file of raw secret bytes (used exactly as they are, newline included).
pub fn load_secret(path: &Path, alg: Option<Algorithm>) -> Result<Key, Failure> {
    let alg = alg.unwrap_or(Algorithm::HS256);
    if alg.family() != tessera::jwt::KeyFamily::Hmac {
        return Err(Failure::usage(format!(
            "--secret-file is a shared secret for HS256, HS384 or HS512, not {alg}; use --key"
        )));
    }
    let secret = zeroize::Zeroizing::new(read_file(path)?);
    Key::hmac(&secret, alg).map_err(|e| Failure::lib(&e).in_file(path))
}
