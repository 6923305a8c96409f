//! Proof Key for Code Exchange (RFC 7636).
//!
//! - [`CodeVerifier`]: the client's secret, RFC 7636 §4.1: 43 to 128 characters of
//!   `[A-Za-z0-9-._~]`; [`CodeVerifier::generate`] draws 32 random bytes and base64url-encodes
//!   them to 43 characters, as §4.1 recommends.
//! - [`ChallengeMethod`]: `S256` (§4.2: `BASE64URL(SHA256(ASCII(code_verifier)))`, always 43
//!   characters) or `plain` (the challenge is the verifier).
//! - [`validate_challenge`] for the authorization endpoint (§4.3, §4.4) and [`verify`] for the
//!   token endpoint (§4.6), under a [`PkcePolicy`] that refuses `plain` unless the host allows it
//!   (§4.2 and §7.2: `plain` only for clients that cannot do SHA-256).
//!
//! Grammar errors are [`ErrorKind::InvalidPkce`] with a detail naming the broken rule; a verifier
//! that does not match is [`ErrorKind::PkceMismatch`] (the host answers `invalid_grant`, §4.6),
//! compared in constant time.
//!
//! ```
//! use tessera::SystemRandom;
//! use tessera::ErrorKind;
//! use tessera::pkce::{self, ChallengeMethod, CodeVerifier, PkcePolicy};
//!
//! // Client: keep the verifier, send the challenge with the authorization request.
//! let verifier = CodeVerifier::generate(&SystemRandom::new())?;
//! let challenge = verifier.challenge_s256();
//!
//! // Authorization endpoint: check the challenge before storing it with the code.
//! let policy = PkcePolicy::default();
//! pkce::validate_challenge(&challenge, ChallengeMethod::S256, &policy)?;
//! let err = pkce::validate_challenge(&challenge, ChallengeMethod::Plain, &policy).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidPkce); // plain is off by default
//!
//! // Token endpoint: the verifier must match the stored challenge.
//! pkce::verify(verifier.as_str(), &challenge, ChallengeMethod::S256, &policy)?;
//!
//! // RFC 7636 Appendix B.
//! pkce::verify(
//!     "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
//!     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
//!     "S256".parse::<ChallengeMethod>()?,
//!     &policy,
//! )?;
//! # Ok::<(), tessera::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use crate::crypto::SecureRandom;
use crate::crypto::digest;
use crate::scope::describe_char;
use crate::token::constant_time_eq;
use crate::{Error, ErrorKind, Result};

pub use crate::limits::{VERIFIER_MAX_LEN, VERIFIER_MIN_LEN};

/// Length of an `S256` code challenge: 32 bytes in unpadded base64url (RFC 7636 §4.2).
pub const S256_CHALLENGE_LEN: usize = 43;

/// Random bytes behind a generated verifier (RFC 7636 §4.1 recommends 32).
const VERIFIER_RANDOM_LEN: usize = 32;

/// `unreserved` of RFC 3986 §2.3, the code verifier alphabet (RFC 7636 §4.1).
const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The base64url alphabet (RFC 4648 §5).
const fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')
}

fn invalid(detail: &'static str) -> Error {
    Error::new(ErrorKind::InvalidPkce, detail)
}

/// Checks the §4.1 grammar for `what` ("code_verifier" or "code_challenge"): length first, so an
/// oversized input is not scanned.
fn check_verifier_grammar(text: &str, what: &'static str) -> Result<()> {
    if text.len() < VERIFIER_MIN_LEN {
        return Err(Error::with_detail(
            ErrorKind::InvalidPkce,
            format!("{what} is shorter than 43 characters (RFC 7636 section 4.1)"),
        ));
    }
    if text.len() > VERIFIER_MAX_LEN {
        return Err(Error::with_detail(
            ErrorKind::InvalidPkce,
            format!("{what} is longer than 128 characters (RFC 7636 section 4.1)"),
        ));
    }
    if let Some(pos) = text.bytes().position(|b| !is_unreserved(b)) {
        return Err(Error::with_detail(
            ErrorKind::InvalidPkce,
            format!(
                "{what} has {} at byte {pos}, outside [A-Za-z0-9-._~] (RFC 7636 section 4.1)",
                describe_char(text, pos)
            ),
        ));
    }
    Ok(())
}

/// Checks an `S256` challenge: exactly 43 base64url characters encoding 32 bytes canonically.
fn check_s256_grammar(challenge: &str) -> Result<()> {
    if challenge.len() != S256_CHALLENGE_LEN {
        return Err(invalid(
            "S256 code_challenge must be exactly 43 base64url characters (RFC 7636 section 4.2)",
        ));
    }
    if let Some(pos) = challenge.bytes().position(|b| !is_base64url(b)) {
        return Err(Error::with_detail(
            ErrorKind::InvalidPkce,
            format!(
                "S256 code_challenge has {} at byte {pos}, outside base64url (RFC 7636 section 4.2)",
                describe_char(challenge, pos)
            ),
        ));
    }
    // 43 characters hold 258 bits; the last two must be zero for a 32-byte value.
    match URL_SAFE_NO_PAD.decode(challenge) {
        Ok(bytes) if bytes.len() == 32 => Ok(()),
        _ => Err(invalid(
            "S256 code_challenge is not the canonical base64url of 32 bytes (RFC 7636 section 4.2)",
        )),
    }
}

/// The code challenge method (RFC 7636 §4.3 `code_challenge_method`).
///
/// When a request has a `code_challenge` but no method, RFC 7636 §4.3 says the method is
/// `plain`; hosts map that case to [`ChallengeMethod::Plain`], which [`PkcePolicy`] refuses by
/// default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChallengeMethod {
    /// `S256`: the challenge is `BASE64URL(SHA256(ASCII(code_verifier)))`.
    S256,
    /// `plain`: the challenge is the verifier.
    Plain,
}

impl ChallengeMethod {
    /// The wire name: `S256` or `plain`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChallengeMethod::S256 => "S256",
            ChallengeMethod::Plain => "plain",
        }
    }
}

impl fmt::Display for ChallengeMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChallengeMethod {
    type Err = Error;
    /// Parses `S256` or `plain`, exactly (case matters); [`ErrorKind::InvalidPkce`] otherwise.
    fn from_str(s: &str) -> Result<ChallengeMethod> {
        match s {
            "S256" => Ok(ChallengeMethod::S256),
            "plain" => Ok(ChallengeMethod::Plain),
            _ => Err(invalid(
                "code_challenge_method must be \"S256\" or \"plain\" (RFC 7636 section 4.3)",
            )),
        }
    }
}

/// A PKCE code verifier (RFC 7636 §4.1). Wiped from memory on drop; `Debug` does not show it.
#[derive(Clone)]
pub struct CodeVerifier(Zeroizing<String>);

impl CodeVerifier {
    /// A new verifier: 32 bytes from `rng`, base64url-encoded to 43 characters (RFC 7636 §4.1).
    /// [`ErrorKind::RandomFailure`] if the generator fails.
    pub fn generate(rng: &dyn SecureRandom) -> Result<CodeVerifier> {
        let mut random = Zeroizing::new([0u8; VERIFIER_RANDOM_LEN]);
        rng.fill(random.as_mut()).map_err(|_| {
            Error::new(
                ErrorKind::RandomFailure,
                "could not draw random bytes for a code verifier",
            )
        })?;
        Ok(CodeVerifier(Zeroizing::new(
            URL_SAFE_NO_PAD.encode(random.as_ref()),
        )))
    }

    /// A verifier from text; [`ErrorKind::InvalidPkce`] unless it is 43 to 128 characters of
    /// `[A-Za-z0-9-._~]`.
    pub fn new(verifier: &str) -> Result<CodeVerifier> {
        check_verifier_grammar(verifier, "code_verifier")?;
        Ok(CodeVerifier(Zeroizing::new(verifier.to_owned())))
    }

    /// The verifier text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `S256` challenge: `BASE64URL(SHA256(ASCII(code_verifier)))`, 43 characters.
    pub fn challenge_s256(&self) -> String {
        s256(&self.0)
    }
}

impl fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeVerifier(..)")
    }
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
}

/// What the server accepts.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PkcePolicy {
    /// Accept the `plain` method. Default `false`: RFC 7636 §7.2 and RFC 9700 §2.1.1 ask for
    /// `S256`; allow `plain` only for clients that cannot compute SHA-256.
    pub allow_plain: bool,
}

impl PkcePolicy {
    /// The default policy: `S256` only.
    pub const fn new() -> PkcePolicy {
        PkcePolicy { allow_plain: false }
    }

    /// This policy with the `plain` method allowed.
    #[must_use]
    pub const fn allowing_plain(mut self) -> PkcePolicy {
        self.allow_plain = true;
        self
    }

    fn check_method(&self, method: ChallengeMethod) -> Result<()> {
        if method == ChallengeMethod::Plain && !self.allow_plain {
            return Err(invalid(
                "the plain code_challenge_method is not allowed by policy (RFC 7636 section 7.2)",
            ));
        }
        Ok(())
    }
}

/// For the authorization endpoint: checks a `code_challenge` for `method` (an `S256` challenge is
/// exactly 43 base64url characters encoding 32 bytes; a `plain` one follows the verifier
/// grammar), then that the policy allows the method. [`ErrorKind::InvalidPkce`] otherwise.
pub fn validate_challenge(
    challenge: &str,
    method: ChallengeMethod,
    policy: &PkcePolicy,
) -> Result<()> {
    match method {
        ChallengeMethod::S256 => check_s256_grammar(challenge)?,
        ChallengeMethod::Plain => check_verifier_grammar(challenge, "code_challenge")?,
    }
    policy.check_method(method)
}

/// For the token endpoint (RFC 7636 §4.6): checks the verifier's grammar, the challenge (as in
/// [`validate_challenge`], including the policy), then compares in constant time.
///
/// [`ErrorKind::InvalidPkce`] for a grammar or policy violation, [`ErrorKind::PkceMismatch`] if
/// the verifier does not match the challenge.
pub fn verify(
    verifier: &str,
    challenge: &str,
    method: ChallengeMethod,
    policy: &PkcePolicy,
) -> Result<()> {
    check_verifier_grammar(verifier, "code_verifier")?;
    validate_challenge(challenge, method, policy)?;
    let matches = match method {
        ChallengeMethod::S256 => constant_time_eq(s256(verifier).as_bytes(), challenge.as_bytes()),
        ChallengeMethod::Plain => constant_time_eq(verifier.as_bytes(), challenge.as_bytes()),
    };
    if matches {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::PkceMismatch,
            "code_verifier does not match code_challenge",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_is_exactly_rfc3986() {
        let expected: Vec<u8> = (b'A'..=b'Z')
            .chain(b'a'..=b'z')
            .chain(b'0'..=b'9')
            .chain(*b"-._~")
            .collect();
        let mut got: Vec<u8> = (0u8..=255).filter(|&b| is_unreserved(b)).collect();
        let mut want = expected;
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want);
    }

    #[test]
    fn base64url_alphabet() {
        assert_eq!((0u8..=255).filter(|&b| is_base64url(b)).count(), 64);
        assert!(!is_base64url(b'+') && !is_base64url(b'/') && !is_base64url(b'='));
    }

    #[test]
    fn default_policy_refuses_plain() {
        assert!(!PkcePolicy::default().allow_plain);
        assert_eq!(PkcePolicy::new(), PkcePolicy::default());
        assert!(PkcePolicy::new().allowing_plain().allow_plain);
    }
}
