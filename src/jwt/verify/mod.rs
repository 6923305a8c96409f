//! JWT verification and claim validation (RFC 7519 §4.1, §7.2; RFC 8725 §3; RFC 9068 §4):
//! an immutable [`Verifier`] built once from a key or key set and claim rules with safe,
//! documented defaults, taking `now` as an argument.
//!
//! | rule | enforced by |
//! |---|---|
//! | sizes before decoding (RFC 8725 §3.1, §3.2) | `jws::split` (token, header); [`Limits::max_claims`](crate::jwt::Limits::max_claims), counted by `Names::with_max` while `read::read_claims` reads |
//! | strict compact form and base64url (RFC 7515 §3.1, §2) | `jws::split`, `b64::b64_decode` |
//! | alg/key binding, no `none` (RFC 8725 §3.1, RFC 7515 §5.2 steps 6–8) | `Algorithm::from_header`, `jws::verify_signature` and `Key::verify_input` (with [`Algorithm::accepts`](crate::jwt::Algorithm::accepts)); the extra allow-list in `Verifier::check_alg` |
//! | header member types, `crit` (RFC 7515 §4.1.11), `b64` (RFC 7797) | the shapes of `member.rs` (`TextAt`, `ListShape`, `IsFalse`), then `HeaderRef::parse_via` in `header.rs`; prepared headers (`known.rs`) go through the same parser |
//! | signature before any claim (RFC 7519 §7.2 steps 7–10) | [`Verifier::verify`], [`Verifier::verify_with`] |
//! | claims set a JSON object, duplicates rejected, nesting bounded (RFC 7519 §7.2 step 10, RFC 8725 §3.2) | `read::read_claims` (the fast reader `scan::object`, then `json::scan_object`) |
//! | claim types: `iss`, `sub`, `jti` strings; `aud` a string or array of strings (RFC 7519 §4.1.1–§4.1.3, §4.1.7) | classified by the shapes of `member.rs` (`TextAt`, `StrOrListShape`, `DateShape`), decided by `claims::typed` for [`Claims`] and [`RegisteredClaims::from_claims`] alike |
//! | NumericDate type and range 0..=[`MAX_NUMERIC_DATE`] (RFC 7519 §2) | `claims::number_date` |
//! | `typ` (RFC 7515 §4.1.9, RFC 8725 §3.11, RFC 9068 §4) | `ClaimRules::check_typ` |
//! | `exp` (RFC 7519 §4.1.4) | `ClaimRules::check_exp` |
//! | `nbf` (RFC 7519 §4.1.5) | `rules::check_nbf` |
//! | `iat` (RFC 7519 §4.1.6) | `rules::check_iat` |
//! | max age (RFC 9068 §4) | `ClaimRules::check_max_age` |
//! | `iss` (RFC 7519 §4.1.1, RFC 8725 §3.8) | `ClaimRules::check_iss` |
//! | `aud` (RFC 7519 §4.1.3, RFC 8725 §3.9) | `ClaimRules::check_aud` |
//! | `sub` (RFC 7519 §4.1.2) | `ClaimRules::check_sub` |
//! | required claims | `ClaimRules::check_required` |
//! | leeway at most [`MAX_LEEWAY`], non-empty expected values, usable allow-list | [`VerifierBuilder::build`] |
//!
//! The files: `builder.rs` (keys and [`VerifierBuilder`]), `rules.rs` (`ClaimRules`, one
//! function per rule, run by `ClaimRules::check`), `claims.rs` ([`Claims`],
//! [`RegisteredClaims`] and their type rules), `read.rs` (the one pass over a claims set),
//! `dangerous.rs` (decoding without verification); this file holds [`Verifier`]'s verification
//! entry points and [`Verified`].

mod builder;
mod claims;
pub mod dangerous;
mod read;
mod rules;

use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

pub use builder::{VerificationKeys, VerifierBuilder};
pub use claims::{Claims, RegisteredClaims};

use super::alg::Algorithm;
use super::b64::{Room, b64_decode};
use super::header::Header;
use super::json::{Names, parse_object};
use super::jws::{self, HeaderBuf, Keys};
use super::known::KnownHeaders;
use crate::{Error, ErrorKind, Result};
use builder::Source;
use claims::deserialize_claims;
use read::RawClaims;
use rules::ClaimRules;

pub use crate::limits::{DEFAULT_LEEWAY, MAX_LEEWAY, MAX_NUMERIC_DATE};

/// An immutable, reusable JWT verifier: keys plus a validation policy. `Send + Sync`; build it
/// once and share it.
///
/// Verification order (RFC 8725 §3.1–3.4): size limits; strict split and base64url; strict
/// header (algorithm known and bound to the key, `crit` understood); signature; then claims.
/// A forged token therefore reports [`ErrorKind::InvalidSignature`] whatever its claims say.
///
/// ```
/// use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
/// let key = Key::hmac(&[7u8; 32], Algorithm::HS256)?;
/// let rng = tessera::SystemRandom::new();
/// let token = jwt::sign(&key, &Header::new(), &serde_json::json!({"sub": "a", "exp": 2_000}), &rng)?;
/// let verifier = Verifier::builder(key).subject("a").build()?;
/// assert!(verifier.verify(&token, 1_000).is_ok());
/// assert_eq!(verifier.verify(&token, 2_030).unwrap_err().kind(), tessera::ErrorKind::Expired);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    keys: Source,
    rules: ClaimRules,
    /// The headers this verifier's tokens usually carry, parsed ahead of time.
    known: KnownHeaders,
}

/// A verified JWT: header, typed registered claims and the full claims set.
///
/// ```
/// use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
/// #[derive(serde::Deserialize)]
/// struct Claims<'a> { sub: &'a str, scope: &'a str }
/// let key = Key::hmac(&[3u8; 32], Algorithm::HS256)?;
/// let claims = serde_json::json!({"sub": "u1", "scope": "job:read", "exp": 100});
/// let token = jwt::sign(&key, &Header::new(), &claims, &tessera::SystemRandom::new())?;
/// let verified = Verifier::new(key).verify(&token, 0)?;
/// let borrowed: Claims<'_> = verified.deserialize()?; // no copies
/// assert_eq!((borrowed.sub, borrowed.scope), ("u1", "job:read"));
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone)]
pub struct Verified {
    header: Header,
    registered: RegisteredClaims,
    /// The claims set as a map, parsed from `payload` on first use: verification itself reads
    /// the payload in one pass without building it.
    claims: OnceLock<Map<String, Value>>,
    payload: Vec<u8>,
}

impl Verified {
    /// The protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The registered claims, typed.
    pub fn registered(&self) -> &RegisteredClaims {
        &self.registered
    }

    /// The full claims set as parsed JSON (parsed on first call, then kept).
    pub fn claims(&self) -> &Map<String, Value> {
        self.claims.get_or_init(|| parse_claims(&self.payload))
    }

    /// The claims set as the JSON octets that were signed.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Deserialises the claims into `T`, borrowing strings from the verified payload where
    /// `T` allows (`&str` fields) so nothing is copied.
    pub fn deserialize<'a, T: Deserialize<'a>>(&'a self) -> Result<T> {
        deserialize_claims(&self.payload)
    }

    /// The full claims set, consuming the result.
    pub fn into_claims(self) -> Map<String, Value> {
        match self.claims.into_inner() {
            Some(claims) => claims,
            None => parse_claims(&self.payload),
        }
    }
}

/// The map of a payload that verification already read under the same strict rules, so it
/// cannot fail (an empty map if it ever did).
fn parse_claims(payload: &[u8]) -> Map<String, Value> {
    parse_object(payload).unwrap_or_default()
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("header", &self.header)
            .field("registered", &self.registered)
            .field("claims", self.claims())
            .field("payload", &self.payload)
            .finish()
    }
}

impl Verifier {
    fn jws_keys(&self) -> Keys<'_> {
        match &self.keys {
            Source::One(k) => Keys::One(k),
            Source::Set(s) => Keys::Set(s),
        }
    }

    /// Verifies the signature only and returns the header and payload octets (for JWS
    /// payloads that are not JWT claims sets).
    pub fn verify_jws(&self, token: impl AsRef<[u8]>) -> Result<jws::Jws> {
        let mut buf = HeaderBuf::new();
        let signed = self.signature(token.as_ref(), true, &mut buf)?;
        let payload = b64_decode(signed.payload_b64)?;
        self.check_alg(signed.header.alg)?;
        Ok(jws::jws(signed.header.into_owned(), payload))
    }

    fn signature<'t, 'b>(
        &'b self,
        token: &'t [u8],
        keep_extra: bool,
        buf: &'b mut HeaderBuf,
    ) -> Result<jws::Signed<'t, 'b>> {
        jws::verify_signature(
            self.jws_keys(),
            token,
            &self.rules.limits,
            &self.rules.critical,
            keep_extra,
            Some(&self.known),
            buf,
        )
    }

    /// The extra algorithm allow-list, checked once the signature verified and the payload
    /// decoded (as it always was).
    fn check_alg(&self, alg: Algorithm) -> Result<()> {
        if !self.rules.algorithms.is_empty() && !self.rules.algorithms.contains(&alg) {
            return Err(Error::new(
                ErrorKind::AlgorithmMismatch,
                "algorithm not in the verifier's allow-list",
            ));
        }
        Ok(())
    }

    /// Verifies a JWT at time `now` (Unix seconds): signature first, then the claims under the
    /// policy. The token may be given as `&str` or bytes.
    pub fn verify(&self, token: impl AsRef<[u8]>, now: i64) -> Result<Verified> {
        let mut buf = HeaderBuf::new();
        let signed = self.signature(token.as_ref(), true, &mut buf)?;
        let payload = b64_decode(signed.payload_b64)?;
        self.check_alg(signed.header.alg)?;
        let registered = {
            let (mut raw, mut names) = (
                RawClaims::default(),
                Names::with_max(self.rules.limits.max_claims),
            );
            let claims = Claims::read(&signed.header, &payload, &mut raw, &mut names)?;
            self.rules.check(&claims, now)?;
            claims.to_registered()
        };
        Ok(Verified {
            header: signed.header.into_owned(),
            registered,
            claims: OnceLock::new(),
            payload,
        })
    }

    /// Verifies a JWT at time `now` exactly as [`Verifier::verify`] does (same checks, same
    /// errors), then calls `f` with the [`Claims`], borrowed from the token's decoded octets,
    /// and returns what `f` returns. The fast path: the header, signature and (up to 2 KiB)
    /// claims set are decoded on the stack, and the claims set is read once without building
    /// a map, so a typical token is verified without touching the heap.
    ///
    /// ```
    /// use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
    /// let key = Key::hmac(&[7u8; 32], Algorithm::HS256)?;
    /// let rng = tessera::SystemRandom::new();
    /// let token = jwt::sign(&key, &Header::new(), &serde_json::json!({"sub": "a", "exp": 2_000}), &rng)?;
    /// let verifier = Verifier::new(key);
    /// let sub_len = verifier.verify_with(&token, 1_000, |claims| claims.sub().map_or(0, str::len))?;
    /// assert_eq!(sub_len, 1);
    /// assert_eq!(verifier.verify_with(&token, 2_030, |_| ()).unwrap_err().kind(), tessera::ErrorKind::Expired);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn verify_with<R>(
        &self,
        token: impl AsRef<[u8]>,
        now: i64,
        f: impl FnOnce(&Claims<'_>) -> R,
    ) -> Result<R> {
        let mut buf = HeaderBuf::new();
        let signed = self.signature(token.as_ref(), false, &mut buf)?;
        // A short claims set in 256 bytes, up to 2 KiB on the stack too, longer ones on the heap.
        let mut room = Room::<256, 2048>::new();
        let payload = room.decode(signed.payload_b64)?;
        self.check_alg(signed.header.alg)?;
        let (mut raw, mut names) = (
            RawClaims::default(),
            Names::with_max(self.rules.limits.max_claims),
        );
        let claims = Claims::read(&signed.header, payload, &mut raw, &mut names)?;
        self.rules.check(&claims, now)?;
        Ok(f(&claims))
    }
}
