//! Opaque tokens: authorization codes, refresh tokens, API keys and opaque access tokens, with
//! keyed lookup hashes so the host never stores a token.
//!
//! A token reads `<prefix>_<kind>_<body><check>`:
//!
//! - `prefix`: chosen per deployment ([`TokenFormat::new`]), 1 to 16 of `[a-z0-9]`, starting
//!   with a letter, so a leaked token says where it came from (secret scanners key on it);
//! - `kind`: [`TokenKind`], `ac` (authorization code, RFC 6749 §4.1.2), `rt` (refresh token,
//!   RFC 6749 §1.5), `ak` (API key) or `at` (opaque access token, RFC 6749 §1.4);
//! - `body`: 32 random bytes as a big-endian number in base62 (`0-9A-Za-z`), always 43
//!   characters, left-padded with `0` (256 bits of entropy, RFC 6749 §10.10 asks for at least
//!   128);
//! - `check`: CRC-32 (IEEE 802.3, as in zlib and PNG) of everything before it, in 6 base62
//!   characters, so mistyped or truncated tokens are refused offline.
//!
//! [`TokenFormat::check`] takes a token apart in the order the design fixes: grammar
//! ([`ErrorKind::MalformedOpaqueToken`]), kind ([`ErrorKind::WrongTokenKind`]), checksum
//! ([`ErrorKind::TokenChecksum`]). The host then stores and looks up only
//! [`LookupHash`] = HMAC-SHA-256(pepper, token) tagged with the pepper's key id, so peppers can
//! rotate ([`Peppers`]); [`Peppers::check_and_lookup`] does all of it before any database access.
//!
//! ```
//! use tessera::SystemRandom;
//! use tessera::ErrorKind;
//! use tessera::token::{Pepper, Peppers, TokenFormat, TokenKind};
//!
//! let rng = SystemRandom::new();
//! let format = TokenFormat::new("tsr")?;
//! let peppers = Peppers::new(Pepper::new("2026-11", &[7u8; 32])?);
//!
//! // Issue: show the token once, store only the lookup hash.
//! let token = format.generate(TokenKind::RefreshToken, &rng)?;
//! assert!(token.as_str().starts_with("tsr_rt_"));
//! let stored = peppers.lookup(token.as_str()).to_string();
//!
//! // Redeem: reject garbage offline, then find the row by its lookup hash.
//! let lookup = peppers.check_and_lookup(&format, token.as_str(), Some(TokenKind::RefreshToken))?;
//! assert_eq!(lookup.to_string(), stored);
//! peppers.verify(token.as_str(), &stored.parse()?)?;
//!
//! // A refresh token is not an authorization code.
//! let err = format.check(token.as_str(), Some(TokenKind::AuthorizationCode)).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::WrongTokenKind);
//! # Ok::<(), tessera::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use crate::crypto::SecureRandom;
use crate::crypto::hmac;
use crate::{Error, ErrorKind, Result};

/// Random bytes in a token body.
pub const RANDOM_LEN: usize = 32;

/// Length of a token body: base62 digits of a 256-bit number (62^43 > 2^256 > 62^42).
pub const BODY_LEN: usize = 43;

/// Length of the checksum: base62 digits of a 32-bit CRC (62^6 > 2^32 > 62^5).
pub const CHECK_LEN: usize = 6;

pub use crate::limits::{MAX_KEY_ID_LEN, MAX_PREFIX_LEN, MIN_PEPPER_LEN};

/// Base62 digits in ASCII order, so comparing fixed-width digit strings compares their values.
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The body of 2^256 - 1, the largest value 32 bytes can hold.
const MAX_BODY: &[u8; BODY_LEN] = b"yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp1";

/// Length of a base64url (unpadded) SHA-256 output.
const HASH_B64_LEN: usize = 43;

fn is_base62(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn base62_digit(value: u16) -> u8 {
    ALPHABET.get(usize::from(value)).copied().unwrap_or(b'0')
}

/// 32 bytes, read as a big-endian number, in 43 base62 digits.
fn encode_body(random: &[u8; RANDOM_LEN]) -> Zeroizing<[u8; BODY_LEN]> {
    let mut number = Zeroizing::new(*random);
    let mut out = Zeroizing::new([b'0'; BODY_LEN]);
    for slot in out.iter_mut().rev() {
        // Long division of `number` by 62; the remainder is the next digit.
        let mut rem: u16 = 0;
        for byte in number.iter_mut() {
            let acc = (rem << 8) | u16::from(*byte); // rem < 62, so acc < 62 * 256
            let [_, quotient] = (acc / 62).to_be_bytes(); // acc / 62 < 256
            *byte = quotient;
            rem = acc % 62;
        }
        *slot = base62_digit(rem);
    }
    out
}

/// A CRC in 6 base62 digits.
fn encode_check(crc: u32) -> [u8; CHECK_LEN] {
    let mut n = crc;
    let mut out = [b'0'; CHECK_LEN];
    for slot in out.iter_mut().rev() {
        let digit = u16::try_from(n % 62).unwrap_or(0);
        *slot = base62_digit(digit);
        n /= 62;
    }
    out
}

/// CRC-32 as in IEEE 802.3, zlib and PNG: reflected, polynomial 0xEDB88320, initial value and
/// final xor 0xFFFFFFFF. Bitwise, without branches on the data.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

pub use crate::crypto::constant_time_eq;

/// What an opaque token is for; its two-letter code is part of the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenKind {
    /// An authorization code (`ac`), RFC 6749 §4.1.2.
    AuthorizationCode,
    /// A refresh token (`rt`), RFC 6749 §1.5.
    RefreshToken,
    /// An API key (`ak`), shown once at creation.
    ApiKey,
    /// An opaque access token (`at`), RFC 6749 §1.4.
    AccessToken,
}

impl TokenKind {
    /// Every kind.
    pub const ALL: [TokenKind; 4] = [
        TokenKind::AuthorizationCode,
        TokenKind::RefreshToken,
        TokenKind::ApiKey,
        TokenKind::AccessToken,
    ];

    /// The two-letter code: `ac`, `rt`, `ak` or `at`.
    pub const fn code(self) -> &'static str {
        match self {
            TokenKind::AuthorizationCode => "ac",
            TokenKind::RefreshToken => "rt",
            TokenKind::ApiKey => "ak",
            TokenKind::AccessToken => "at",
        }
    }

    fn from_code_bytes(code: &[u8]) -> Option<TokenKind> {
        match code {
            b"ac" => Some(TokenKind::AuthorizationCode),
            b"rt" => Some(TokenKind::RefreshToken),
            b"ak" => Some(TokenKind::ApiKey),
            b"at" => Some(TokenKind::AccessToken),
            _ => None,
        }
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for TokenKind {
    type Err = Error;
    /// Parses a two-letter code; [`ErrorKind::InvalidArgument`] for anything else.
    fn from_str(s: &str) -> Result<TokenKind> {
        TokenKind::from_code_bytes(s.as_bytes()).ok_or(Error::new(
            ErrorKind::InvalidArgument,
            "token kind must be one of ac, rt, ak, at",
        ))
    }
}

/// The token format of one deployment: its prefix.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TokenFormat {
    prefix: String,
}

impl TokenFormat {
    /// A format with this prefix: 1 to [`MAX_PREFIX_LEN`] of `[a-z0-9]`, starting with a letter.
    /// [`ErrorKind::InvalidArgument`] otherwise.
    pub fn new(prefix: &str) -> Result<TokenFormat> {
        if prefix.is_empty() || prefix.len() > MAX_PREFIX_LEN {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "token prefix must be 1 to 16 characters",
            ));
        }
        if !prefix
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase())
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "token prefix must start with a letter a-z",
            ));
        }
        if !prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "token prefix must be made of a-z and 0-9",
            ));
        }
        Ok(TokenFormat {
            prefix: prefix.to_owned(),
        })
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The exact length of every token of this format.
    pub fn token_len(&self) -> usize {
        // prefix, "_", kind, "_", body, check
        self.prefix.len() + 1 + 2 + 1 + BODY_LEN + CHECK_LEN
    }

    /// A new token of `kind` from 32 bytes of `rng`. [`ErrorKind::RandomFailure`] if the
    /// generator fails.
    pub fn generate(&self, kind: TokenKind, rng: &dyn SecureRandom) -> Result<OpaqueToken> {
        let mut random = Zeroizing::new([0u8; RANDOM_LEN]);
        rng.fill(random.as_mut()).map_err(|_| {
            Error::new(
                ErrorKind::RandomFailure,
                "could not draw random bytes for a token",
            )
        })?;
        Ok(self.from_random_bytes(kind, &random))
    }

    /// The token of `kind` whose body encodes `random`, for callers that bring their own
    /// randomness (the C ABI, known-answer tests). The bytes must come from a cryptographically
    /// secure generator; prefer [`TokenFormat::generate`].
    pub fn from_random_bytes(&self, kind: TokenKind, random: &[u8; RANDOM_LEN]) -> OpaqueToken {
        let mut text = Zeroizing::new(String::with_capacity(self.token_len()));
        text.push_str(&self.prefix);
        text.push('_');
        text.push_str(kind.code());
        text.push('_');
        text.extend(encode_body(random).iter().map(|&b| char::from(b)));
        let check = encode_check(crc32(text.as_bytes()));
        text.extend(check.iter().map(|&b| char::from(b)));
        OpaqueToken {
            text,
            kind,
            prefix_len: self.prefix.len(),
        }
    }

    /// Checks a presented token and returns its kind, in this order:
    ///
    /// 1. grammar: exact length (checked first, so the work is bounded), prefix, separators, kind
    ///    code, base62 alphabet, body no larger than 2^256 - 1 →
    ///    [`ErrorKind::MalformedOpaqueToken`];
    /// 2. kind, when `expected` is given → [`ErrorKind::WrongTokenKind`];
    /// 3. checksum → [`ErrorKind::TokenChecksum`].
    ///
    /// Passing says only that the token is well formed; whether it exists is the lookup's job.
    pub fn check(&self, token: &str, expected: Option<TokenKind>) -> Result<TokenKind> {
        let malformed = |detail| Error::new(ErrorKind::MalformedOpaqueToken, detail);
        let bytes = token.as_bytes();
        if bytes.len() != self.token_len() {
            return Err(malformed("wrong length for this token format"));
        }
        let p = self.prefix.len();
        if bytes.get(..p) != Some(self.prefix.as_bytes()) {
            return Err(malformed("prefix does not match this deployment"));
        }
        if bytes.get(p) != Some(&b'_') || bytes.get(p + 3) != Some(&b'_') {
            return Err(malformed("missing '_' separator"));
        }
        let kind = bytes
            .get(p + 1..p + 3)
            .and_then(TokenKind::from_code_bytes)
            .ok_or(malformed("unknown token kind"))?;
        let body_start = p + 4;
        let check_start = body_start + BODY_LEN;
        let (Some(body), Some(check), Some(covered)) = (
            bytes.get(body_start..check_start),
            bytes.get(check_start..),
            bytes.get(..check_start),
        ) else {
            return Err(malformed("wrong length for this token format"));
        };
        if !body.iter().chain(check).all(|&b| is_base62(b)) {
            return Err(malformed("character outside base62 in body or checksum"));
        }
        // Fixed width and ASCII-ordered digits: byte order is numeric order.
        if body > MAX_BODY.as_slice() {
            return Err(malformed("body is larger than 256 bits"));
        }
        if let Some(expected) = expected {
            if expected != kind {
                return Err(Error::with_detail(
                    ErrorKind::WrongTokenKind,
                    format!("expected a token of kind {expected}, got {kind}"),
                ));
            }
        }
        if encode_check(crc32(covered)) != check {
            return Err(Error::new(
                ErrorKind::TokenChecksum,
                "checksum does not match (mistyped or truncated token)",
            ));
        }
        Ok(kind)
    }
}

/// A freshly generated token. Its text is wiped from memory on drop and never shown by `Debug`.
///
/// Show it to its owner once; store only its [`LookupHash`].
pub struct OpaqueToken {
    text: Zeroizing<String>,
    kind: TokenKind,
    prefix_len: usize,
}

impl OpaqueToken {
    /// The token text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The token's kind.
    pub fn kind(&self) -> TokenKind {
        self.kind
    }
}

impl fmt::Debug for OpaqueToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpaqueToken")
            .field("kind", &self.kind)
            .field("prefix", &self.text.get(..self.prefix_len).unwrap_or(""))
            .finish_non_exhaustive()
    }
}

/// Whether `key_id` is 1 to [`MAX_KEY_ID_LEN`] printable ASCII characters without spaces.
fn check_key_id(key_id: &str) -> Result<()> {
    if key_id.is_empty() || key_id.len() > MAX_KEY_ID_LEN {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "pepper key id must be 1 to 64 characters",
        ));
    }
    if !key_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "pepper key id must be printable ASCII without spaces",
        ));
    }
    Ok(())
}

/// A server-side secret (a pepper) for lookup hashes, with the key id stored beside each hash.
///
/// The secret is wiped on drop and never shown by `Debug`. (ring's HMAC key schedule, built per
/// call, is not wiped.)
#[derive(Clone)]
pub struct Pepper {
    key_id: String,
    secret: Zeroizing<Vec<u8>>,
}

impl Pepper {
    /// A pepper named `key_id` (1 to [`MAX_KEY_ID_LEN`] printable ASCII characters, no spaces;
    /// else [`ErrorKind::InvalidArgument`]) with a secret of at least [`MIN_PEPPER_LEN`] bytes
    /// (else [`ErrorKind::WeakKey`]).
    pub fn new(key_id: &str, secret: &[u8]) -> Result<Pepper> {
        check_key_id(key_id)?;
        if secret.len() < MIN_PEPPER_LEN {
            return Err(Error::new(
                ErrorKind::WeakKey,
                "pepper secret must be at least 32 bytes",
            ));
        }
        Ok(Pepper {
            key_id: key_id.to_owned(),
            secret: Zeroizing::new(secret.to_vec()),
        })
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    fn key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.secret)
    }

    /// HMAC-SHA-256(secret, token), tagged with this pepper's key id.
    pub fn lookup(&self, token: &str) -> LookupHash {
        let tag = hmac::sign(&self.key(), token.as_bytes());
        let mut hash = [0u8; 32];
        for (out, byte) in hash.iter_mut().zip(tag.as_ref()) {
            *out = *byte;
        }
        LookupHash {
            key_id: self.key_id.clone(),
            hash,
        }
    }

    /// Whether `stored.hash` is this pepper's HMAC of `token`, compared in constant time. Ignores
    /// the key id.
    fn verify_hash(&self, token: &str, stored: &LookupHash) -> bool {
        hmac::verify(&self.key(), token.as_bytes(), &stored.hash).is_ok()
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pepper")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// What the host stores instead of a token: the key id of the pepper and HMAC-SHA-256(pepper,
/// token).
///
/// Text form (`Display` / `FromStr`): `<key_id>:<base64url of the hash, unpadded>`. Equality is
/// ordinary (for indexes and maps); to authenticate a token use [`Peppers::verify`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LookupHash {
    key_id: String,
    hash: [u8; 32],
}

impl LookupHash {
    /// A lookup hash from its parts (e.g. two database columns); [`ErrorKind::InvalidArgument`]
    /// if the key id breaks the rule of [`Pepper::new`].
    pub fn new(key_id: &str, hash: [u8; 32]) -> Result<LookupHash> {
        check_key_id(key_id)?;
        Ok(LookupHash {
            key_id: key_id.to_owned(),
            hash,
        })
    }

    /// The key id of the pepper that made this hash.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The HMAC-SHA-256 output.
    pub fn hash(&self) -> &[u8; 32] {
        &self.hash
    }

    /// The hash in lowercase hex (64 characters; without the key id).
    pub fn to_hex(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(64);
        for byte in self.hash {
            for nibble in [byte >> 4, byte & 0x0F] {
                out.push(char::from(
                    HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                ));
            }
        }
        out
    }
}

impl fmt::Display for LookupHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.key_id, URL_SAFE_NO_PAD.encode(self.hash))
    }
}

impl FromStr for LookupHash {
    type Err = Error;
    /// Parses `<key_id>:<43 base64url characters>` (the key id may itself contain `:`);
    /// [`ErrorKind::InvalidArgument`] otherwise.
    fn from_str(s: &str) -> Result<LookupHash> {
        let bad = |detail| Error::new(ErrorKind::InvalidArgument, detail);
        if s.len() > MAX_KEY_ID_LEN + 1 + HASH_B64_LEN {
            return Err(bad("lookup hash text too long"));
        }
        let (key_id, encoded) = s
            .rsplit_once(':')
            .ok_or(bad("lookup hash text must be <key_id>:<base64url hash>"))?;
        check_key_id(key_id)?;
        if encoded.len() != HASH_B64_LEN {
            return Err(bad("lookup hash must be 43 base64url characters"));
        }
        let decoded = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| bad("lookup hash is not canonical base64url"))?;
        let hash: [u8; 32] = decoded
            .try_into()
            .map_err(|_| bad("lookup hash must be 32 bytes"))?;
        Ok(LookupHash {
            key_id: key_id.to_owned(),
            hash,
        })
    }
}

/// A pepper rotation set: the current pepper, used for every new lookup hash, and older ones,
/// kept so hashes stored under them still verify until the host re-hashes them.
#[derive(Clone, Debug)]
pub struct Peppers {
    current: Pepper,
    previous: Vec<Pepper>,
}

impl Peppers {
    /// A set with only `current`.
    pub fn new(current: Pepper) -> Peppers {
        Peppers {
            current,
            previous: Vec::new(),
        }
    }

    /// Adds an older pepper. [`ErrorKind::InvalidArgument`] if its key id is already in the set.
    pub fn with_previous(mut self, pepper: Pepper) -> Result<Peppers> {
        if self.get(pepper.key_id()).is_some() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "duplicate pepper key id",
            ));
        }
        self.previous.push(pepper);
        Ok(self)
    }

    /// The pepper for new lookup hashes.
    pub fn current(&self) -> &Pepper {
        &self.current
    }

    /// The pepper with this key id, if the set holds it.
    pub fn get(&self, key_id: &str) -> Option<&Pepper> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|p| p.key_id == key_id)
    }

    /// The lookup hash of `token` under the current pepper.
    pub fn lookup(&self, token: &str) -> LookupHash {
        self.current.lookup(token)
    }

    /// Whether `stored` was made with an older pepper, so the host should replace it with
    /// [`Peppers::lookup`] the next time it sees the token.
    pub fn needs_rehash(&self, stored: &LookupHash) -> bool {
        stored.key_id != self.current.key_id
    }

    /// Checks that `stored` is the lookup hash of `token`: picks the pepper by `stored`'s key id,
    /// recomputes the HMAC and compares in constant time. [`ErrorKind::TokenMismatch`] if the key
    /// id is unknown or the hash differs.
    pub fn verify(&self, token: &str, stored: &LookupHash) -> Result<()> {
        let pepper = self.get(&stored.key_id).ok_or(Error::new(
            ErrorKind::TokenMismatch,
            "lookup hash made with an unknown pepper",
        ))?;
        if pepper.verify_hash(token, stored) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::TokenMismatch,
                "token does not match its lookup hash",
            ))
        }
    }

    /// Everything before the database: [`TokenFormat::check`] (grammar, kind, checksum), then the
    /// lookup hash under the current pepper. Hosts that keep hashes under older peppers look those
    /// up with [`Pepper::lookup`] of each.
    pub fn check_and_lookup(
        &self,
        format: &TokenFormat,
        token: &str,
        expected: Option<TokenKind>,
    ) -> Result<LookupHash> {
        let _ = format.check(token, expected)?;
        Ok(self.lookup(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"a"), 0xE8B7_BE43);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn max_body_is_the_encoding_of_all_ones() {
        assert_eq!(&*encode_body(&[0xFF; RANDOM_LEN]), MAX_BODY);
    }

    #[test]
    fn body_encoding_edges() {
        assert_eq!(&*encode_body(&[0; RANDOM_LEN]), &[b'0'; BODY_LEN]);
        let mut one = [0u8; RANDOM_LEN];
        one[31] = 1;
        let mut expected = [b'0'; BODY_LEN];
        expected[42] = b'1';
        assert_eq!(&*encode_body(&one), &expected);
        one[31] = 62;
        expected[41] = b'1';
        expected[42] = b'0';
        assert_eq!(&*encode_body(&one), &expected);
        one[31] = 61;
        let mut expected = [b'0'; BODY_LEN];
        expected[42] = b'z';
        assert_eq!(&*encode_body(&one), &expected);
    }

    #[test]
    fn check_encoding_edges() {
        assert_eq!(&encode_check(0), b"000000");
        assert_eq!(&encode_check(61), b"00000z");
        assert_eq!(&encode_check(62), b"000010");
        // 2^32 - 1 = 4 * 62^5 + ...: the widest CRC still fits in six digits.
        assert_eq!(&encode_check(u32::MAX), b"4gfFC3");
    }

    #[test]
    fn alphabet_is_ascii_ordered() {
        assert!(ALPHABET.windows(2).all(|w| w[0] < w[1]));
        assert!(ALPHABET.iter().all(|&b| is_base62(b)));
        assert_eq!((0u8..=255).filter(|&b| is_base62(b)).count(), 62);
    }

    #[test]
    fn constant_time_eq_cases() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"\x80bc", b"\x00bc"));
    }
}
