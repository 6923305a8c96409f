//! JSON Web Tokens: JWS compact signing and verification on `ring` (RFC 7515, RFC 7519), with
//! keys from secrets, PEM/DER, JWK and JWKS (RFC 7517, RFC 7518, RFC 8037), RFC 7638
//! thumbprints, and claim validation that is safe by default (RFC 8725, RFC 9068).
//!
//! Safe by default:
//! - The key decides the algorithm. A [`Key`] is bound to one [`Algorithm`] when it is built;
//!   a token whose header names another is rejected before any cryptography. `none` does not
//!   exist. Keys are never taken from token headers (`jwk`, `jku`, `x5u`, `x5c` are ignored).
//! - Parsing is strict: exactly three parts, strict base64url, sizes checked before decoding,
//!   header and claims must be JSON objects without duplicate members, unknown `crit`
//!   extensions rejected.
//! - The signature is checked before any claim; claims of the wrong JSON type are errors;
//!   `exp` is required; expected `iss`/`aud`/`sub`/`typ` values imply presence.
//!
//! Where each part lives: `jws.rs` (RFC 7515 compact form), `header.rs` (RFC 7515 §4.1 header),
//! `member.rs` (the one classifier of header and claim member values), `json.rs` (strict JSON),
//! `scan.rs` (the fast reader of the same JSON subset), `b64.rs` (strict base64url), `alg.rs`
//! (RFC 7518 algorithms), `key.rs` with `key/checks.rs` and `key/sign.rs` (keys, their
//! validation, signing), `der.rs` and `ec.rs` (key encodings, EC point checks), `jwk.rs`
//! (RFC 7517 JWK/JWKS, RFC 7638 thumbprints), `known.rs` (prepared headers), and `verify/`
//! (RFC 7519 validation, whose module doc maps each rule to its function).
//!
//! ```
//! use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
//! use tessera::SystemRandom;
//!
//! let rng = SystemRandom::new();
//! let key = Key::generate(Algorithm::EdDSA, &rng)?.with_kid("k1");
//! let now = 1_800_000_000;
//! let claims = serde_json::json!({"iss": "https://as.example", "aud": "api", "exp": now + 60});
//! let token = jwt::sign(&key, &Header::new().typ("JWT"), &claims, &rng)?;
//!
//! let verifier = Verifier::builder(key.public_key()?).issuer("https://as.example").audience("api").build()?;
//! let verified = verifier.verify(&token, now)?;
//! assert_eq!(verified.header().kid_value(), Some("k1"));
//! # Ok::<(), tessera::Error>(())
//! ```

mod alg;
mod b64;
mod der;
mod ec;
mod header;
mod json;
mod jwk;
mod jws;
mod key;
mod known;
mod member;
mod scan;
mod verify;

use serde::Serialize;

pub use alg::{Algorithm, KeyFamily};
pub use der::MAX_KEY_INPUT;
pub use header::Header;
#[doc(hidden)]
pub use header::header_paths;
pub use json::MAX_JSON_DEPTH;
pub use jwk::{KeySet, MAX_JWK_LEN, MAX_JWKS_KEYS, MAX_JWKS_LEN, SkippedKey, jwks};
pub use jws::{Jws, Limits, sign_jws, verify_jws};
pub use key::{Key, RSA_MAX_BITS, RSA_MIN_BITS};
pub use verify::{
    Claims, DEFAULT_LEEWAY, MAX_LEEWAY, MAX_NUMERIC_DATE, RegisteredClaims, VerificationKeys,
    Verified, Verifier, VerifierBuilder, dangerous,
};

use crate::crypto::SecureRandom;
use crate::{Error, ErrorKind, Result};
pub(crate) use b64::{b64_decode, b64_encode, is_b64_sha256};
pub(crate) use der::sequence as der_sequence;
pub(crate) use jws::split as split_compact;

/// Parses JSON text that must be an object, strictly: duplicate member names at any depth are
/// [`ErrorKind::DuplicateMember`], nesting deeper than [`MAX_JSON_DEPTH`] is
/// [`ErrorKind::TooDeep`] — the same rules verification applies to headers and claims.
///
/// ```
/// let claims = tessera::jwt::parse_json_object(br#"{"sub":"a"}"#)?;
/// assert_eq!(claims["sub"], "a");
/// assert!(tessera::jwt::parse_json_object(br#"{"a":1,"a":2}"#).is_err());
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn parse_json_object(json: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>> {
    json::parse_object(json)
}

/// Signs a JWT: `header` (with `alg` from the key and `kid` from the key unless set) over
/// `claims`, any `serde::Serialize` value that serialises to a JSON object.
pub fn sign<T: Serialize + ?Sized>(
    key: &Key,
    header: &Header,
    claims: &T,
    rng: &dyn SecureRandom,
) -> Result<String> {
    let payload = serde_json::to_vec(claims).map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            "the claims do not serialise to JSON",
        )
    })?;
    sign_json(key, header, &payload, rng)
}

/// Signs a JWT whose claims are given as JSON text, used byte for byte. The text must be a
/// JSON object without duplicate members.
pub fn sign_json(
    key: &Key,
    header: &Header,
    claims_json: &[u8],
    rng: &dyn SecureRandom,
) -> Result<String> {
    json::check_object(claims_json)
        .map_err(|e| Error::with_detail(e.kind(), format!("claims: {}", e.detail())))?;
    let header = header.encode(key.alg(), key.kid())?;
    sign_jws(key, &header, claims_json, rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shareable<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn core_types_are_send_sync_and_cheap_to_share() {
        shareable::<Key>();
        shareable::<KeySet>();
        shareable::<Verifier>();
        shareable::<Verified>();
        shareable::<Header>();
        shareable::<Error>();
    }

    #[test]
    fn sign_json_rejects_non_objects_and_duplicates() {
        let key = Key::hmac(&[5u8; 32], Algorithm::HS256).unwrap();
        let rng = crate::SystemRandom::new();
        for (claims, kind) in [
            (&b"[1]"[..], ErrorKind::InvalidJson),
            (b"{\"a\":1,\"a\":2}", ErrorKind::DuplicateMember),
            (b"{", ErrorKind::InvalidJson),
        ] {
            assert_eq!(
                sign_json(&key, &Header::new(), claims, &rng)
                    .unwrap_err()
                    .kind(),
                kind
            );
        }
        assert_eq!(
            sign(&key, &Header::new(), &5, &rng).unwrap_err().kind(),
            ErrorKind::InvalidJson
        );
    }
}
