//! JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1, RFC 8812 §3.2, RFC 9864 §2.2) and their
//! mapping onto the cryptographic backend (`crate::crypto`).

use std::fmt;
use std::str::FromStr;

use crate::crypto::{Curve, MlDsa, RsaScheme, hmac};

use crate::{Error, ErrorKind, Result};

/// A JWS signature algorithm that tessera implements.
///
/// `none` does not exist here: there is no way to express an unsecured JWS. ES512 (P-521) and
/// ES256K (secp256k1) need the `aws-lc` backend: in a build with `ring` they exist as values but
/// [`Algorithm::is_supported`] is `false`, parsing their names gives
/// [`ErrorKind::UnsupportedAlgorithm`], and no key can be bound to them. Ed448 is not
/// implemented by either backend.
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
    /// ECDSA using P-521 and SHA-512 (RFC 7518 §3.4; `aws-lc` backend only).
    ES512,
    /// ECDSA using secp256k1 and SHA-256 (RFC 8812 §3.2; `aws-lc` backend only).
    ES256K,
    /// EdDSA (RFC 8037) with an Ed25519 key.
    EdDSA,
    /// Ed25519, the fully specified identifier of RFC 9864.
    Ed25519,
    /// ML-DSA-44 (FIPS 204; `ML-DSA-44` in draft-ietf-cose-dilithium; the `ml-dsa` feature).
    MlDsa44,
    /// ML-DSA-65 (FIPS 204; `ML-DSA-65`; the `ml-dsa` feature).
    MlDsa65,
    /// ML-DSA-87 (FIPS 204; `ML-DSA-87`; the `ml-dsa` feature).
    MlDsa87,
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
    /// A P-521 key (`kty: EC`, `crv: P-521`; `aws-lc` backend only).
    P521,
    /// A secp256k1 key (`kty: EC`, `crv: secp256k1`, RFC 8812 §3.1; `aws-lc` backend only).
    Secp256k1,
    /// An Ed25519 key (`kty: OKP`, `crv: Ed25519`).
    Ed25519,
    /// An ML-DSA-44 key (`kty: AKP`, `alg: ML-DSA-44`; the `ml-dsa` feature).
    MlDsa44,
    /// An ML-DSA-65 key (`kty: AKP`, `alg: ML-DSA-65`; the `ml-dsa` feature).
    MlDsa65,
    /// An ML-DSA-87 key (`kty: AKP`, `alg: ML-DSA-87`; the `ml-dsa` feature).
    MlDsa87,
}

impl Algorithm {
    /// Every algorithm tessera knows, whether or not the backend of this build implements it
    /// (see [`Algorithm::supported`]).
    pub const ALL: [Algorithm; 18] = [
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
        Self::ES512,
        Self::ES256K,
        Self::EdDSA,
        Self::Ed25519,
        Self::MlDsa44,
        Self::MlDsa65,
        Self::MlDsa87,
    ];

    /// The algorithms the backend of this build implements: with `ring`, all of
    /// [`Algorithm::ALL`] but ES512, ES256K and ML-DSA; with `aws-lc`, all but ML-DSA, which
    /// needs the `ml-dsa` feature as well.
    ///
    /// ```
    /// use tessera::jwt::Algorithm;
    /// assert!(Algorithm::supported().contains(&Algorithm::ES256));
    /// assert_eq!(
    ///     Algorithm::supported().contains(&Algorithm::ES512),
    ///     tessera::backend().name() == "aws-lc-rs"
    /// );
    /// ```
    pub fn supported() -> &'static [Algorithm] {
        const fn count() -> usize {
            let mut n = 0;
            let mut i = 0;
            while i < Algorithm::ALL.len() {
                if Algorithm::ALL[i].is_supported() {
                    n += 1;
                }
                i += 1;
            }
            n
        }
        const SUPPORTED: [Algorithm; count()] = {
            let mut out = [Algorithm::HS256; count()];
            let (mut i, mut n) = (0, 0);
            while i < Algorithm::ALL.len() {
                if Algorithm::ALL[i].is_supported() {
                    out[n] = Algorithm::ALL[i];
                    n += 1;
                }
                i += 1;
            }
            out
        };
        &SUPPORTED
    }

    /// Whether the backend of this build implements this algorithm (`false` for ES512 and
    /// ES256K with `ring`, and for ML-DSA without the `ml-dsa` feature).
    pub const fn is_supported(self) -> bool {
        self.family().is_supported()
    }

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
            Self::ES512 => "ES512",
            Self::ES256K => "ES256K",
            Self::EdDSA => "EdDSA",
            Self::Ed25519 => "Ed25519",
            Self::MlDsa44 => "ML-DSA-44",
            Self::MlDsa65 => "ML-DSA-65",
            Self::MlDsa87 => "ML-DSA-87",
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
            Self::ES512 => KeyFamily::P521,
            Self::ES256K => KeyFamily::Secp256k1,
            Self::EdDSA | Self::Ed25519 => KeyFamily::Ed25519,
            Self::MlDsa44 => KeyFamily::MlDsa44,
            Self::MlDsa65 => KeyFamily::MlDsa65,
            Self::MlDsa87 => KeyFamily::MlDsa87,
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
            Self::ES512 => Some(132),
            Self::ES256K => Some(64),
            Self::EdDSA | Self::Ed25519 => Some(64),
            Self::MlDsa44 => Some(MlDsa::L44.signature_len()),
            Self::MlDsa65 => Some(MlDsa::L65.signature_len()),
            Self::MlDsa87 => Some(MlDsa::L87.signature_len()),
            _ => None,
        }
    }

    /// The algorithm a key of `family` gets when the caller binds none, if unambiguous
    /// (EC curves and Ed25519). RSA and HMAC keys need an explicit algorithm.
    pub const fn default_for(family: KeyFamily) -> Option<Algorithm> {
        match family {
            KeyFamily::P256 => Some(Self::ES256),
            KeyFamily::P384 => Some(Self::ES384),
            KeyFamily::P521 => Some(Self::ES512),
            KeyFamily::Secp256k1 => Some(Self::ES256K),
            KeyFamily::Ed25519 => Some(Self::EdDSA),
            KeyFamily::MlDsa44 => Some(Self::MlDsa44),
            KeyFamily::MlDsa65 => Some(Self::MlDsa65),
            KeyFamily::MlDsa87 => Some(Self::MlDsa87),
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

    /// The RSA signature scheme of an RS* or PS* algorithm.
    pub(crate) const fn rsa_scheme(self) -> Option<RsaScheme> {
        match self {
            Self::RS256 => Some(RsaScheme::Pkcs1Sha256),
            Self::RS384 => Some(RsaScheme::Pkcs1Sha384),
            Self::RS512 => Some(RsaScheme::Pkcs1Sha512),
            Self::PS256 => Some(RsaScheme::PssSha256),
            Self::PS384 => Some(RsaScheme::PssSha384),
            Self::PS512 => Some(RsaScheme::PssSha512),
            _ => None,
        }
    }
}

impl KeyFamily {
    /// The elliptic curve of an ECDSA key family.
    pub(crate) const fn curve(self) -> Option<Curve> {
        match self {
            KeyFamily::P256 => Some(Curve::P256),
            KeyFamily::P384 => Some(Curve::P384),
            KeyFamily::P521 => Some(Curve::P521),
            KeyFamily::Secp256k1 => Some(Curve::Secp256k1),
            _ => None,
        }
    }

    /// The ML-DSA parameter set of an ML-DSA key family.
    pub(crate) const fn ml_dsa(self) -> Option<MlDsa> {
        match self {
            KeyFamily::MlDsa44 => Some(MlDsa::L44),
            KeyFamily::MlDsa65 => Some(MlDsa::L65),
            KeyFamily::MlDsa87 => Some(MlDsa::L87),
            _ => None,
        }
    }

    /// Whether the backend of this build can load keys of this family (`false` for P-521 and
    /// secp256k1 with `ring`, and for ML-DSA without the `ml-dsa` feature).
    pub const fn is_supported(self) -> bool {
        match (self.curve(), self.ml_dsa()) {
            (Some(curve), _) => curve.is_supported(),
            (_, Some(level)) => level.is_supported(),
            _ => true,
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
            if alg.is_supported() {
                return Ok(alg);
            }
            return Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                match alg {
                    Self::ES512 => "ES512 (P-521) needs the aws-lc backend; this build uses ring",
                    Self::ES256K => {
                        "ES256K (secp256k1) needs the aws-lc backend; this build uses ring"
                    }
                    _ => "ML-DSA needs the ml-dsa feature (on the aws-lc backend)",
                },
            ));
        }
        let why = match s {
            "Ed448" => "Ed448 is not available in tessera's backends",
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
        for alg in Algorithm::supported() {
            assert_eq!(alg.as_str().parse::<Algorithm>().unwrap(), *alg);
        }
    }

    #[test]
    fn none_and_unavailable_algorithms_are_typed_errors() {
        for name in [
            "none", "None", "NONE", "nOnE", "Ed448", "hs256", "", "RSA1_5", "es512", "ES256k",
        ] {
            let err = name.parse::<Algorithm>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm, "{name}");
        }
    }

    /// ES512 and ES256K: available exactly with aws-lc; with ring, a typed error that names
    /// the backend that has them.
    #[test]
    fn the_new_curves_follow_the_backend() {
        let aws_lc = cfg!(feature = "aws-lc");
        let ml_dsa = cfg!(feature = "ml-dsa");
        assert_eq!(
            Algorithm::supported().len(),
            13 + if aws_lc { 2 } else { 0 } + if ml_dsa { 3 } else { 0 }
        );
        for alg in [Algorithm::MlDsa44, Algorithm::MlDsa65, Algorithm::MlDsa87] {
            assert_eq!(alg.is_supported(), ml_dsa);
            assert_eq!(alg.as_str().parse::<Algorithm>().is_ok(), ml_dsa);
            assert_eq!(Algorithm::default_for(alg.family()), Some(alg));
        }
        assert_eq!(Algorithm::MlDsa65.as_str(), "ML-DSA-65");
        assert_eq!(Algorithm::MlDsa87.signature_len(), Some(4627));
        for (alg, family) in [
            (Algorithm::ES512, KeyFamily::P521),
            (Algorithm::ES256K, KeyFamily::Secp256k1),
        ] {
            assert_eq!(alg.is_supported(), aws_lc);
            assert_eq!(family.is_supported(), aws_lc);
            assert_eq!(alg.family(), family);
            assert_eq!(Algorithm::default_for(family), Some(alg));
            match alg.as_str().parse::<Algorithm>() {
                Ok(parsed) => assert!(aws_lc && parsed == alg),
                Err(err) => {
                    assert!(!aws_lc);
                    assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
                    assert!(err.detail().contains("aws-lc"), "{}", err.detail());
                }
            }
        }
        assert_eq!(Algorithm::ES512.signature_len(), Some(132));
        assert_eq!(Algorithm::ES256K.signature_len(), Some(64));
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
