//! JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1, RFC 9864 §2.2) and their mapping onto `ring`.

use std::fmt;
use std::str::FromStr;

use crate::crypto::{hmac, signature};

use crate::{Error, ErrorKind, Result};

/// A JWS signature algorithm that tessera implements.
///
/// `none` does not exist here: there is no way to express an unsecured JWS. ES512 (P-521),
/// ES256K and Ed448 are not available in `ring`; parsing their names gives
/// [`ErrorKind::UnsupportedAlgorithm`] with a detail that says so.
///
/// `Ed25519` is the fully specified identifier of RFC 9864 for what RFC 8037 calls `EdDSA` with
/// an Ed25519 key; a key bound to either identifier verifies tokens carrying either, and signs
/// with the one it is bound to.
///
/// ```
/// use tessera::jwt::{Algorithm, KeyFamily};
/// let alg: Algorithm = "PS256".parse()?;
/// assert_eq!(alg.family(), KeyFamily::Rsa);
/// assert_eq!("none".parse::<Algorithm>().unwrap_err().kind(), tessera::ErrorKind::UnsupportedAlgorithm);
/// assert!(Algorithm::EdDSA.accepts(Algorithm::Ed25519));
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(clippy::upper_case_acronyms)]
pub enum Algorithm {
    /// HMAC using SHA-256.
    HS256,
    /// HMAC using SHA-384.
    HS384,
    /// HMAC using SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 using SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 using SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 using SHA-512.
    RS512,
    /// RSASSA-PSS using SHA-256 and MGF1 with SHA-256.
    PS256,
    /// RSASSA-PSS using SHA-384 and MGF1 with SHA-384.
    PS384,
    /// RSASSA-PSS using SHA-512 and MGF1 with SHA-512.
    PS512,
    /// ECDSA using P-256 and SHA-256.
    ES256,
    /// ECDSA using P-384 and SHA-384.
    ES384,
    /// EdDSA (RFC 8037) with an Ed25519 key.
    EdDSA,
    /// Ed25519, the fully specified identifier of RFC 9864.
    Ed25519,
}

/// The family of keys an algorithm needs.
///
/// ```
/// use tessera::jwt::{Algorithm, KeyFamily};
/// assert_eq!(Algorithm::ES384.family(), KeyFamily::P384);
/// assert_eq!(Algorithm::default_for(KeyFamily::P256), Some(Algorithm::ES256));
/// assert_eq!(Algorithm::default_for(KeyFamily::Rsa), None); // RS* or PS*: the caller decides
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyFamily {
    /// A shared secret (`kty: oct`).
    Hmac,
    /// An RSA key (`kty: RSA`).
    Rsa,
    /// A P-256 key (`kty: EC`, `crv: P-256`).
    P256,
    /// A P-384 key (`kty: EC`, `crv: P-384`).
    P384,
    /// An Ed25519 key (`kty: OKP`, `crv: Ed25519`).
    Ed25519,
}

impl Algorithm {
    /// Every supported algorithm.
    pub const ALL: [Algorithm; 13] = [
        Self::HS256,
        Self::HS384,
        Self::HS512,
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
        Self::Ed25519,
    ];

    /// The `alg` header value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
            Self::Ed25519 => "Ed25519",
        }
    }

    /// The key family this algorithm needs.
    pub const fn family(self) -> KeyFamily {
        match self {
            Self::HS256 | Self::HS384 | Self::HS512 => KeyFamily::Hmac,
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512 => {
                KeyFamily::Rsa
            }
            Self::ES256 => KeyFamily::P256,
            Self::ES384 => KeyFamily::P384,
            Self::EdDSA | Self::Ed25519 => KeyFamily::Ed25519,
        }
    }

    /// Whether a key bound to `self` accepts a token whose header says `header`. Only `EdDSA`
    /// and `Ed25519` are interchangeable (the same computation under two names); every other
    /// algorithm accepts only itself.
    pub const fn accepts(self, header: Algorithm) -> bool {
        matches!(
            (self, header),
            (Self::EdDSA | Self::Ed25519, Self::EdDSA | Self::Ed25519)
        ) || self as u8 == header as u8
    }

    /// The length in bytes of a signature for keys of this algorithm, when fixed
    /// (`None` for RSA, where it equals the modulus length).
    pub const fn signature_len(self) -> Option<usize> {
        match self {
            Self::HS256 => Some(32),
            Self::HS384 => Some(48),
            Self::HS512 => Some(64),
            Self::ES256 => Some(64),
            Self::ES384 => Some(96),
            Self::EdDSA | Self::Ed25519 => Some(64),
            _ => None,
        }
    }

    /// The algorithm a key of `family` gets when the caller binds none, if unambiguous
    /// (EC curves and Ed25519). RSA and HMAC keys need an explicit algorithm.
    pub const fn default_for(family: KeyFamily) -> Option<Algorithm> {
        match family {
            KeyFamily::P256 => Some(Self::ES256),
            KeyFamily::P384 => Some(Self::ES384),
            KeyFamily::Ed25519 => Some(Self::EdDSA),
            KeyFamily::Hmac | KeyFamily::Rsa => None,
        }
    }

    pub(crate) fn hmac_algorithm(self) -> Option<hmac::Algorithm> {
        match self {
            Self::HS256 => Some(hmac::HMAC_SHA256),
            Self::HS384 => Some(hmac::HMAC_SHA384),
            Self::HS512 => Some(hmac::HMAC_SHA512),
            _ => None,
        }
    }

    /// The minimum HMAC secret length (the hash output size, RFC 7518 §3.2).
    pub(crate) fn hmac_min_len(self) -> usize {
        self.hmac_algorithm()
            .map_or(0, |a| a.digest_algorithm().output_len())
    }

    pub(crate) fn rsa_verify(self) -> Option<&'static signature::RsaParameters> {
        match self {
            Self::RS256 => Some(&signature::RSA_PKCS1_2048_8192_SHA256),
            Self::RS384 => Some(&signature::RSA_PKCS1_2048_8192_SHA384),
            Self::RS512 => Some(&signature::RSA_PKCS1_2048_8192_SHA512),
            Self::PS256 => Some(&signature::RSA_PSS_2048_8192_SHA256),
            Self::PS384 => Some(&signature::RSA_PSS_2048_8192_SHA384),
            Self::PS512 => Some(&signature::RSA_PSS_2048_8192_SHA512),
            _ => None,
        }
    }

    pub(crate) fn rsa_sign(self) -> Option<&'static dyn signature::RsaEncoding> {
        match self {
            Self::RS256 => Some(&signature::RSA_PKCS1_SHA256),
            Self::RS384 => Some(&signature::RSA_PKCS1_SHA384),
            Self::RS512 => Some(&signature::RSA_PKCS1_SHA512),
            Self::PS256 => Some(&signature::RSA_PSS_SHA256),
            Self::PS384 => Some(&signature::RSA_PSS_SHA384),
            Self::PS512 => Some(&signature::RSA_PSS_SHA512),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    /// Parses an `alg` value, case-sensitively (RFC 7515 §4.1.1: `alg` is case-sensitive).
    fn from_str(s: &str) -> Result<Self> {
        Algorithm::parse_name(
            s,
            "unknown algorithm name (names are case-sensitive: HS256, RS256, ES256, EdDSA, ...)",
        )
    }
}

impl Algorithm {
    /// The `alg` of a token's protected header: as [`Algorithm::from_str`], with a detail that
    /// names the member, never its value.
    pub(crate) fn from_header(s: &str) -> Result<Self> {
        Algorithm::parse_name(s, "header \"alg\" names an unsupported algorithm")
    }

    /// Parses an algorithm name; `unknown` is the detail for a name tessera does not know.
    /// The details are fixed texts: the name itself is never copied into them.
    fn parse_name(s: &str, unknown: &'static str) -> Result<Self> {
        if let Some(alg) = Self::ALL.iter().copied().find(|a| a.as_str() == s) {
            return Ok(alg);
        }
        let why = match s {
            "ES512" => "ES512 (P-521) is not available in ring",
            "ES256K" => "ES256K (secp256k1) is not available in ring",
            "Ed448" => "Ed448 is not available in ring",
            _ if s.eq_ignore_ascii_case("none") => "unsecured JWS (`none`) is never accepted",
            _ => unknown,
        };
        Err(Error::new(ErrorKind::UnsupportedAlgorithm, why))
    }
}

impl serde::Serialize for Algorithm {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Algorithm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>().unwrap(), alg);
        }
    }

    #[test]
    fn none_and_unavailable_algorithms_are_typed_errors() {
        for name in [
            "none", "None", "NONE", "nOnE", "ES512", "ES256K", "Ed448", "hs256", "", "RSA1_5",
        ] {
            let err = name.parse::<Algorithm>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm, "{name}");
        }
        assert!(
            "ES512"
                .parse::<Algorithm>()
                .unwrap_err()
                .detail()
                .contains("ring")
        );
    }

    #[test]
    fn only_eddsa_names_are_interchangeable() {
        for a in Algorithm::ALL {
            for b in Algorithm::ALL {
                let same = a == b
                    || (a.family() == KeyFamily::Ed25519 && b.family() == KeyFamily::Ed25519);
                assert_eq!(a.accepts(b), same, "{a} {b}");
            }
        }
    }
}
