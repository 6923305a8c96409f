//! The `ring` backend (the default): HMAC, SHA-2, RSA PKCS#1 v1.5 and PSS, ECDSA on P-256 and
//! P-384, Ed25519. `ring` has no P-521, no secp256k1 and no RSA key generation, and no way to
//! keep a parsed public key: each verification parses the key again.

use zeroize::Zeroizing;

use ring::signature::{self, KeyPair as _};

use super::{BACKEND_RANDOM_FAILED, Curve, KeyRejected, MlDsa, RANDOM_FAILED, RsaScheme};
use crate::Result;

/// The backend crate.
pub(crate) const NAME: &str = "ring";
/// Its version, from the build's `Cargo.lock` (see `build.rs`).
pub(crate) const VERSION: &str = env!("TESSERA_RING_VERSION");
/// `NAME VERSION`, NUL-terminated.
pub(crate) const DESCRIPTION_NUL: &str = concat!("ring ", env!("TESSERA_RING_VERSION"), "\0");

/// `ring` has no FIPS mode.
pub(crate) fn is_fips() -> bool {
    false
}

/// P-256 and P-384 only.
pub(crate) const fn supports(curve: Curve) -> bool {
    matches!(curve, Curve::P256 | Curve::P384)
}

/// `ring` has no ML-DSA.
pub(crate) const fn supports_ml_dsa() -> bool {
    false
}

/// HMAC (RFC 2104) over SHA-2: keys, tags, and constant-time tag verification.
pub(crate) mod hmac {
    pub(crate) use ring::hmac::{
        Algorithm, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512, Key, sign, verify,
    };
}

/// One-shot message digests.
pub(crate) mod digest {
    pub(crate) use ring::digest::{Context, SHA256, digest};
}

/// The system generator.
pub(crate) type SystemRandom = ring::rand::SystemRandom;

/// Fills `dest` from the system generator.
#[inline]
pub(crate) fn fill(rng: &SystemRandom, dest: &mut [u8]) -> Result<()> {
    ring::rand::SecureRandom::fill(rng, dest).map_err(|_| RANDOM_FAILED)
}

fn rejected(e: ring::error::KeyRejected) -> KeyRejected {
    KeyRejected(e.to_string().into())
}

const NO_CURVE: KeyRejected = KeyRejected(std::borrow::Cow::Borrowed(
    "the curve is not available in ring",
));

fn ecdsa_signing(curve: Curve) -> Option<&'static signature::EcdsaSigningAlgorithm> {
    match curve {
        Curve::P256 => Some(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
        Curve::P384 => Some(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
        Curve::P521 | Curve::Secp256k1 => None,
    }
}

fn ecdsa_verification(curve: Curve) -> Option<&'static signature::EcdsaVerificationAlgorithm> {
    match curve {
        Curve::P256 => Some(&signature::ECDSA_P256_SHA256_FIXED),
        Curve::P384 => Some(&signature::ECDSA_P384_SHA384_FIXED),
        Curve::P521 | Curve::Secp256k1 => None,
    }
}

fn rsa_parameters(scheme: RsaScheme) -> &'static signature::RsaParameters {
    match scheme {
        RsaScheme::Pkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        RsaScheme::Pkcs1Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        RsaScheme::Pkcs1Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        RsaScheme::PssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        RsaScheme::PssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        RsaScheme::PssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
    }
}

fn rsa_encoding(scheme: RsaScheme) -> &'static dyn signature::RsaEncoding {
    match scheme {
        RsaScheme::Pkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
        RsaScheme::Pkcs1Sha384 => &signature::RSA_PKCS1_SHA384,
        RsaScheme::Pkcs1Sha512 => &signature::RSA_PKCS1_SHA512,
        RsaScheme::PssSha256 => &signature::RSA_PSS_SHA256,
        RsaScheme::PssSha384 => &signature::RSA_PSS_SHA384,
        RsaScheme::PssSha512 => &signature::RSA_PSS_SHA512,
    }
}

/// An ECDSA private key.
pub(crate) struct EcdsaSigner(signature::EcdsaKeyPair);

impl EcdsaSigner {
    /// The key in a PKCS#8 document (with its public key) on `curve`.
    pub(crate) fn from_pkcs8(curve: Curve, pkcs8: &[u8]) -> Result<Self, KeyRejected> {
        let alg = ecdsa_signing(curve).ok_or(NO_CURVE)?;
        signature::EcdsaKeyPair::from_pkcs8(alg, pkcs8, &SystemRandom::new())
            .map(EcdsaSigner)
            .map_err(rejected)
    }

    /// A new key on `curve` as a PKCS#8 document, from the system generator. `None` when the
    /// curve is not available.
    pub(crate) fn generate_pkcs8(curve: Curve) -> Option<Result<Zeroizing<Vec<u8>>>> {
        let alg = ecdsa_signing(curve)?;
        Some(
            signature::EcdsaKeyPair::generate_pkcs8(alg, &SystemRandom::new())
                .map(|doc| Zeroizing::new(doc.as_ref().to_vec()))
                .map_err(|_| BACKEND_RANDOM_FAILED),
        )
    }

    /// The uncompressed public point.
    pub(crate) fn public_point(&self) -> &[u8] {
        self.0.public_key().as_ref()
    }

    /// A fixed-width `r || s` signature of `msg`.
    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        self.0
            .sign(&SystemRandom::new(), msg)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| BACKEND_RANDOM_FAILED)
    }
}

/// An Ed25519 private key.
pub(crate) struct Ed25519Signer(signature::Ed25519KeyPair);

impl Ed25519Signer {
    /// The key in a PKCS#8 v1 or v2 document (a v2 public key must match).
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, KeyRejected> {
        signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
            .map(Ed25519Signer)
            .map_err(rejected)
    }

    /// A new key as a PKCS#8 document, from the system generator.
    pub(crate) fn generate_pkcs8() -> Result<Zeroizing<Vec<u8>>> {
        signature::Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map(|doc| Zeroizing::new(doc.as_ref().to_vec()))
            .map_err(|_| BACKEND_RANDOM_FAILED)
    }

    /// The 32-byte public key.
    pub(crate) fn public_key(&self) -> &[u8] {
        self.0.public_key().as_ref()
    }

    /// The 64-byte signature of `msg`.
    pub(crate) fn sign(&self, msg: &[u8]) -> Vec<u8> {
        self.0.sign(msg).as_ref().to_vec()
    }
}

/// An RSA private key.
pub(crate) struct RsaSigner(signature::RsaKeyPair);

impl RsaSigner {
    /// The key in a PKCS#8 document.
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, KeyRejected> {
        signature::RsaKeyPair::from_pkcs8(pkcs8)
            .map(RsaSigner)
            .map_err(rejected)
    }

    /// The modulus and public exponent, big-endian (possibly with leading zeros).
    pub(crate) fn public_components(&self) -> (Vec<u8>, Vec<u8>) {
        let comps: signature::RsaPublicKeyComponents<Vec<u8>> = self.0.public().into();
        (comps.n, comps.e)
    }

    /// The signature of `msg` under `scheme`.
    pub(crate) fn sign(&self, scheme: RsaScheme, msg: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0u8; self.0.public().modulus_len()];
        self.0
            .sign(rsa_encoding(scheme), &SystemRandom::new(), msg, &mut sig)
            .map_err(|_| BACKEND_RANDOM_FAILED)?;
        Ok(sig)
    }
}

const NO_ML_DSA: KeyRejected = KeyRejected(std::borrow::Cow::Borrowed(
    "ML-DSA is not available in ring",
));

/// An ML-DSA private key: `ring` has none, so no value of this type exists.
pub(crate) enum MlDsaSigner {}

impl MlDsaSigner {
    /// Always refused: `ring` has no ML-DSA.
    pub(crate) fn from_pkcs8(_: MlDsa, _: &[u8]) -> Result<Self, KeyRejected> {
        Err(NO_ML_DSA)
    }

    /// Always refused: `ring` has no ML-DSA.
    pub(crate) fn from_seed(_: MlDsa, _: &[u8]) -> Result<Self, KeyRejected> {
        Err(NO_ML_DSA)
    }

    /// `None`: `ring` has no ML-DSA.
    pub(crate) fn generate_pkcs8(_: MlDsa) -> Option<Result<Zeroizing<Vec<u8>>>> {
        None
    }

    /// Unreachable: no value exists.
    pub(crate) fn pkcs8(&self) -> Result<Zeroizing<Vec<u8>>> {
        match *self {}
    }

    /// Unreachable: no value exists.
    pub(crate) fn public_key(&self) -> &[u8] {
        match *self {}
    }

    /// Unreachable: no value exists.
    pub(crate) fn sign(&self, _: &[u8]) -> Result<Vec<u8>> {
        match *self {}
    }
}

/// A new RSA key of `bits` bits as PKCS#8: `ring` cannot generate RSA keys (`None`).
pub(crate) fn generate_rsa_pkcs8(_bits: usize) -> Option<Result<Zeroizing<Vec<u8>>>> {
    None
}

/// A public key for one algorithm. `ring` 0.17 has no parsed form for verification, so this
/// keeps the bytes and `ring` parses them at each verification.
pub(crate) enum Verifier {
    Rsa {
        params: &'static signature::RsaParameters,
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ecdsa {
        alg: &'static signature::EcdsaVerificationAlgorithm,
        point: Vec<u8>,
    },
    Ed25519 {
        x: Vec<u8>,
    },
}

impl Verifier {
    /// An RSA public key (big-endian modulus and exponent, without leading zeros) for `scheme`.
    pub(crate) fn rsa(scheme: RsaScheme, n: &[u8], e: &[u8]) -> Result<Self, KeyRejected> {
        Ok(Verifier::Rsa {
            params: rsa_parameters(scheme),
            n: n.to_vec(),
            e: e.to_vec(),
        })
    }

    /// An uncompressed EC point on `curve`, for ECDSA with the curve's hash.
    pub(crate) fn ecdsa(curve: Curve, point: &[u8]) -> Result<Self, KeyRejected> {
        Ok(Verifier::Ecdsa {
            alg: ecdsa_verification(curve).ok_or(NO_CURVE)?,
            point: point.to_vec(),
        })
    }

    /// A 32-byte Ed25519 public key.
    pub(crate) fn ed25519(x: &[u8]) -> Result<Self, KeyRejected> {
        Ok(Verifier::Ed25519 { x: x.to_vec() })
    }

    /// Always refused: `ring` has no ML-DSA.
    pub(crate) fn ml_dsa(_: MlDsa, _: &[u8]) -> Result<Self, KeyRejected> {
        Err(NO_ML_DSA)
    }

    /// Whether `sig` is a valid signature of `msg`.
    #[inline]
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            Verifier::Rsa { params, n, e } => signature::RsaPublicKeyComponents {
                n: &n[..],
                e: &e[..],
            }
            .verify(params, msg, sig)
            .is_ok(),
            Verifier::Ecdsa { alg, point } => signature::UnparsedPublicKey::new(*alg, point)
                .verify(msg, sig)
                .is_ok(),
            Verifier::Ed25519 { x } => signature::UnparsedPublicKey::new(&signature::ED25519, x)
                .verify(msg, sig)
                .is_ok(),
        }
    }
}

/// Test oracle: whether `ring`'s ECDH accepts `point` as a peer key on `curve` (`None` for a
/// curve `ring` lacks).
#[cfg(test)]
pub(crate) fn ecdh_accepts(curve: Curve, point: &[u8]) -> Option<bool> {
    use ring::agreement;
    let alg = match curve {
        Curve::P256 => &agreement::ECDH_P256,
        Curve::P384 => &agreement::ECDH_P384,
        Curve::P521 | Curve::Secp256k1 => return None,
    };
    let ours = agreement::EphemeralPrivateKey::generate(alg, &SystemRandom::new()).ok()?;
    Some(
        agreement::agree_ephemeral(ours, &agreement::UnparsedPublicKey::new(alg, point), |_| ())
            .is_ok(),
    )
}
