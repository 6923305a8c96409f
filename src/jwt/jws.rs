//! The JWS compact serialization (RFC 7515 §3.1, §5.1, §5.2, §7.1): signing over arbitrary
//! protected-header and payload octets, and strict parsing and verification where the key
//! decides the algorithm. Sizes are checked before any decoding.

use crate::crypto::SecureRandom;

use super::b64::{Room, b64_decode, b64_encode};
use super::header::{Header, HeaderRef};
use super::json::parse_object;
use super::jwk::KeySet;
use super::key::Key;
use super::known::KnownHeaders;
use crate::{Error, ErrorKind, Result};

/// Size limits of a [`crate::jwt::Verifier`]: token and header lengths are checked before
/// anything is decoded, the number of claims while the claims set is read (at the first member
/// too many, before it is kept). Every one is [`ErrorKind::TooLarge`] when exceeded, and must
/// be positive. The limits of the whole crate are listed in the crate docs
/// ([`crate#limits`]) and in `docs/LIMITS.md`.
///
/// Build with struct update syntax so fields added later keep their defaults:
///
/// ```
/// use tessera::jwt::{Algorithm, Key, Limits, Verifier};
/// let key = Key::hmac(&[1u8; 32], Algorithm::HS256)?;
/// let verifier = Verifier::builder(key).limits(Limits { max_token_len: 4096, ..Limits::default() }).build()?;
/// let huge = "a".repeat(5000);
/// assert_eq!(verifier.verify(&huge, 0).unwrap_err().kind(), tessera::ErrorKind::TooLarge);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest token accepted, in bytes (default [`Limits::DEFAULT_MAX_TOKEN_LEN`], 16 KiB).
    pub max_token_len: usize,
    /// Longest encoded protected header accepted, in bytes (default
    /// [`Limits::DEFAULT_MAX_HEADER_LEN`], 4 KiB).
    pub max_header_len: usize,
    /// Most members the claims set (the top-level JSON object of the payload) may have
    /// (default [`Limits::DEFAULT_MAX_CLAIMS`], 256). Nested objects are bounded by the token
    /// length and [`crate::jwt::MAX_JSON_DEPTH`].
    pub max_claims: usize,
}

impl Limits {
    /// Default [`Limits::max_token_len`]: 16 KiB.
    pub const DEFAULT_MAX_TOKEN_LEN: usize = crate::limits::DEFAULT_MAX_TOKEN_LEN;
    /// Default [`Limits::max_header_len`]: 4 KiB.
    pub const DEFAULT_MAX_HEADER_LEN: usize = crate::limits::DEFAULT_MAX_HEADER_LEN;
    /// Default [`Limits::max_claims`]: 256 members.
    pub const DEFAULT_MAX_CLAIMS: usize = crate::limits::DEFAULT_MAX_CLAIMS;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_token_len: Limits::DEFAULT_MAX_TOKEN_LEN,
            max_header_len: Limits::DEFAULT_MAX_HEADER_LEN,
            max_claims: Limits::DEFAULT_MAX_CLAIMS,
        }
    }
}

/// The three parts of a compact JWS, still encoded.
#[derive(Debug)]
pub(crate) struct Compact<'a> {
    pub(crate) header_b64: &'a [u8],
    pub(crate) payload_b64: &'a [u8],
    pub(crate) sig_b64: &'a [u8],
    pub(crate) signing_input: &'a [u8],
}

/// Splits a compact JWS into its parts: exactly three, header and signature non-empty.
pub(crate) fn split<'a>(token: &'a [u8], limits: &Limits) -> Result<Compact<'a>> {
    if token.len() > limits.max_token_len {
        return Err(Error::with_detail(
            ErrorKind::TooLarge,
            format!("token longer than {} bytes", limits.max_token_len),
        ));
    }
    let mut dots = memchr::memchr_iter(b'.', token);
    let (first, second, third) = (dots.next(), dots.next(), dots.next());
    let (Some(first), Some(second), None) = (first, second, third) else {
        return Err(Error::new(
            ErrorKind::MalformedToken,
            "a compact JWS has exactly three parts",
        ));
    };
    let header_b64 = &token[..first];
    let payload_b64 = &token[first + 1..second];
    let sig_b64 = &token[second + 1..];
    if header_b64.is_empty() {
        return Err(Error::new(
            ErrorKind::MalformedToken,
            "the header part is empty",
        ));
    }
    if sig_b64.is_empty() {
        return Err(Error::new(
            ErrorKind::MalformedToken,
            "the signature part is empty (unsecured JWS)",
        ));
    }
    if header_b64.len() > limits.max_header_len {
        return Err(Error::with_detail(
            ErrorKind::TooLarge,
            format!("header longer than {} bytes", limits.max_header_len),
        ));
    }
    Ok(Compact {
        header_b64,
        payload_b64,
        sig_b64,
        signing_input: &token[..second],
    })
}

/// Where verification keys come from.
#[derive(Clone, Copy)]
pub(crate) enum Keys<'a> {
    One(&'a Key),
    Set(&'a KeySet),
}

/// Room for a decoded protected header: none until a header the verifier did not prepare
/// (`known.rs`) needs decoding, then 512 bytes on the stack unless it is unusually large.
pub(crate) struct HeaderBuf(Room<0, 512>);

impl HeaderBuf {
    #[inline]
    pub(crate) fn new() -> HeaderBuf {
        HeaderBuf(Room::new())
    }
}

/// A compact JWS whose signature verified: its header (decoded into a [`HeaderBuf`]) and its
/// payload, still encoded.
pub(crate) struct Signed<'t, 'b> {
    pub(crate) header: HeaderRef<'b>,
    pub(crate) payload_b64: &'t [u8],
}

/// Verifies a compact JWS: parse, pick the key, check the signature. Nothing about the payload
/// is trusted or even decoded before the signature verifies. The header and signature are
/// decoded once, without touching the heap unless they are unusually large; a header found in
/// `known` is not decoded at all (its parse was done, by the same parser, ahead of time).
pub(crate) fn verify_signature<'t, 'b>(
    keys: Keys<'_>,
    token: &'t [u8],
    limits: &Limits,
    understood: &[String],
    keep_extra: bool,
    known: Option<&'b KnownHeaders>,
    buf: &'b mut HeaderBuf,
) -> Result<Signed<'t, 'b>> {
    let parts = split(token, limits)?;
    let header = match known.and_then(|k| k.get(parts.header_b64)) {
        Some(header) => header,
        None => {
            let header_bytes = buf.0.decode(parts.header_b64)?;
            HeaderRef::parse(header_bytes, understood, keep_extra)?
        }
    };
    let alg = header.alg;
    // 136 bytes hold every HMAC, ECDSA (P-521: 132) and Ed25519 signature, 512 every RSA one
    // up to RSA-4096.
    let mut sig_room = Room::<136, 512>::new();
    let sig = sig_room.decode(parts.sig_b64)?;
    match keys {
        Keys::One(key) => key.verify_input(alg, parts.signing_input, sig)?,
        Keys::Set(set) => {
            let kid = header.kid.as_deref();
            let mut candidates = set.candidates(kid, alg).peekable();
            if candidates.peek().is_none() {
                let kid_known =
                    kid.is_some_and(|kid| set.keys().iter().any(|k| k.kid() == Some(kid)));
                return Err(if kid_known {
                    Error::with_detail(
                        ErrorKind::AlgorithmMismatch,
                        format!("no key with this kid is bound to {alg}"),
                    )
                } else {
                    Error::with_detail(
                        ErrorKind::KeyNotFound,
                        format!("no key for this kid and {alg}"),
                    )
                });
            }
            let mut result = Err(Error::new(ErrorKind::InvalidSignature, ""));
            for key in candidates {
                result = key.verify_input(alg, parts.signing_input, sig);
                if result.is_ok() {
                    break;
                }
            }
            result?;
        }
    }
    Ok(Signed {
        header,
        payload_b64: parts.payload_b64,
    })
}

/// Verifies a compact JWS and returns the header and the payload octets.
pub(crate) fn verify_compact(
    keys: Keys<'_>,
    token: &[u8],
    limits: &Limits,
    understood: &[String],
) -> Result<(Header, Vec<u8>)> {
    let mut buf = HeaderBuf::new();
    let signed = verify_signature(keys, token, limits, understood, true, None, &mut buf)?;
    let payload = b64_decode(signed.payload_b64)?;
    Ok((signed.header.into_owned(), payload))
}

/// A verified JWS: its protected header and payload octets.
///
/// ```
/// use tessera::jwt::{self, Algorithm, Key};
/// let key = Key::hmac(&[9u8; 32], Algorithm::HS256)?;
/// let rng = tessera::SystemRandom::new();
/// let token = jwt::sign_jws(&key, br#"{"alg":"HS256"}"#, b"any payload", &rng)?;
/// let jws = jwt::verify_jws(&key, token.as_bytes())?;
/// assert_eq!(jws.payload(), b"any payload");
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Jws {
    header: Header,
    payload: Vec<u8>,
}

impl Jws {
    /// The protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The payload octets.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload, consuming the result.
    pub fn into_payload(self) -> Vec<u8> {
        self.payload
    }
}

/// Signs arbitrary protected-header and payload octets into a compact JWS (RFC 7515 §5.1).
///
/// The header octets are used exactly as given (so RFC 7515 A.1, whose header contains line
/// breaks, reproduces byte for byte); they must be a JSON object whose `alg` is the key's.
pub fn sign_jws(
    key: &Key,
    protected_header: &[u8],
    payload: &[u8],
    rng: &dyn SecureRandom,
) -> Result<String> {
    let header = parse_object(protected_header)?;
    match header.get("alg") {
        None => {
            return Err(Error::new(
                ErrorKind::InvalidHeader,
                "the header has no \"alg\"",
            ));
        }
        Some(serde_json::Value::String(name)) => {
            let alg: super::Algorithm = name.parse()?;
            if !key.alg().accepts(alg) {
                return Err(Error::new(
                    ErrorKind::AlgorithmMismatch,
                    "the header's alg must be the key's algorithm",
                ));
            }
        }
        Some(_) => {
            return Err(Error::new(
                ErrorKind::InvalidHeader,
                "\"alg\" must be a string",
            ));
        }
    }
    let mut out = b64_encode(protected_header);
    out.push('.');
    out.push_str(&b64_encode(payload));
    let sig = key.sign_input(out.as_bytes(), rng)?;
    out.push('.');
    out.push_str(&b64_encode(&sig));
    Ok(out)
}

/// Verifies a compact JWS with one key and default [`Limits`], without looking at the payload
/// (use [`crate::jwt::Verifier`] for JWTs). No `crit` extension is understood.
pub fn verify_jws(key: &Key, token: &[u8]) -> Result<Jws> {
    let (header, payload) = verify_compact(Keys::One(key), token, &Limits::default(), &[])?;
    Ok(Jws { header, payload })
}

pub(crate) fn jws(header: Header, payload: Vec<u8>) -> Jws {
    Jws { header, payload }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_counts_parts_and_limits_sizes() {
        let l = Limits::default();
        assert!(split(b"a.b.c", &l).is_ok());
        assert!(split(b"a..c", &l).is_ok());
        for bad in [
            &b"a.b"[..],
            b"a.b.c.d",
            b"abc",
            b".b.c",
            b"a.b.",
            b"",
            b"..",
            b"a.b.c.d.e",
        ] {
            assert_eq!(
                split(bad, &l).unwrap_err().kind(),
                ErrorKind::MalformedToken,
                "{bad:?}"
            );
        }
        let small = Limits {
            max_token_len: 10,
            max_header_len: 3,
            ..Limits::default()
        };
        assert!(split(b"abc.d.efgh", &small).is_ok());
        assert_eq!(
            split(b"abc.d.efghi", &small).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
        assert_eq!(
            split(b"abcd.d.efg", &small).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }
}
