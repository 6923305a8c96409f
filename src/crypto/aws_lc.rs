//! The `aws-lc-rs` backend (feature `aws-lc`): everything the `ring` backend does, plus ECDSA on
//! P-521 (ES512) and secp256k1 (ES256K), and RSA key generation. Public keys are parsed once,
//! when a key is loaded (`ParsedPublicKey`), never at each verification.

use zeroize::Zeroizing;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{self, KeyPair as _};

use super::{BACKEND_RANDOM_FAILED, Curve, KeyRejected, MlDsa, RANDOM_FAILED, RsaScheme};
use crate::Result;

/// The backend crate.
pub(crate) const NAME: &str = "aws-lc-rs";
/// Its version, from the build's `Cargo.lock` (see `build.rs`).
pub(crate) const VERSION: &str = env!("TESSERA_AWS_LC_RS_VERSION");
/// `NAME VERSION`, NUL-terminated.
pub(crate) const DESCRIPTION_NUL: &str =
    concat!("aws-lc-rs ", env!("TESSERA_AWS_LC_RS_VERSION"), "\0");

/// Whether AWS-LC runs in its FIPS mode (only when `aws-lc-rs` was built with `fips`).
pub(crate) fn is_fips() -> bool {
    aws_lc_rs::try_fips_mode().is_ok()
}

/// Every curve tessera knows.
pub(crate) const fn supports(curve: Curve) -> bool {
    matches!(
        curve,
        Curve::P256 | Curve::P384 | Curve::P521 | Curve::Secp256k1
    )
}

/// ML-DSA when the `ml-dsa` feature is on (aws-lc-rs has it in its stable API since 1.18; the
/// feature keeps the JOSE algorithms, still an IETF draft, opt-in).
pub(crate) const fn supports_ml_dsa() -> bool {
    cfg!(feature = "ml-dsa")
}

/// HMAC (RFC 2104) over SHA-2: keys, tags, and constant-time tag verification.
pub(crate) mod hmac {
    pub(crate) use aws_lc_rs::hmac::{
        Algorithm, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512, Key, sign, verify,
    };
}

/// One-shot message digests.
pub(crate) mod digest {
    pub(crate) use aws_lc_rs::digest::{Context, SHA256, digest};
}

/// The system generator.
pub(crate) type SystemRandom = aws_lc_rs::rand::SystemRandom;

/// Fills `dest` from the system generator.
#[inline]
pub(crate) fn fill(rng: &SystemRandom, dest: &mut [u8]) -> Result<()> {
    aws_lc_rs::rand::SecureRandom::fill(rng, dest).map_err(|_| RANDOM_FAILED)
}

fn rejected(e: aws_lc_rs::error::KeyRejected) -> KeyRejected {
    KeyRejected(e.to_string().into())
}

fn ecdsa_signing(curve: Curve) -> &'static signature::EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
        Curve::Secp256k1 => &signature::ECDSA_P256K1_SHA256_FIXED_SIGNING,
    }
}

fn ecdsa_verification(curve: Curve) -> &'static signature::EcdsaVerificationAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
        Curve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
        Curve::Secp256k1 => &signature::ECDSA_P256K1_SHA256_FIXED,
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
        signature::EcdsaKeyPair::from_pkcs8(ecdsa_signing(curve), pkcs8)
            .map(EcdsaSigner)
            .map_err(rejected)
    }

    /// A new key on `curve` as a PKCS#8 document, from the system generator.
    pub(crate) fn generate_pkcs8(curve: Curve) -> Option<Result<Zeroizing<Vec<u8>>>> {
        Some(
            signature::EcdsaKeyPair::generate_pkcs8(ecdsa_signing(curve), &SystemRandom::new())
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
        let comps = signature::RsaPublicKeyComponents::<Vec<u8>>::from(self.0.public_key());
        (comps.n, comps.e)
    }

    /// The signature of `msg` under `scheme`.
    pub(crate) fn sign(&self, scheme: RsaScheme, msg: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0u8; self.0.public_modulus_len()];
        self.0
            .sign(rsa_encoding(scheme), &SystemRandom::new(), msg, &mut sig)
            .map_err(|_| BACKEND_RANDOM_FAILED)?;
        Ok(sig)
    }
}

fn ml_dsa_signing(level: MlDsa) -> &'static signature::PqdsaSigningAlgorithm {
    match level {
        MlDsa::L44 => &signature::ML_DSA_44_SIGNING,
        MlDsa::L65 => &signature::ML_DSA_65_SIGNING,
        MlDsa::L87 => &signature::ML_DSA_87_SIGNING,
    }
}

fn ml_dsa_verification(level: MlDsa) -> &'static signature::PqdsaVerificationAlgorithm {
    match level {
        MlDsa::L44 => &signature::ML_DSA_44,
        MlDsa::L65 => &signature::ML_DSA_65,
        MlDsa::L87 => &signature::ML_DSA_87,
    }
}

const NO_ML_DSA: KeyRejected = KeyRejected(std::borrow::Cow::Borrowed(
    "ML-DSA needs the ml-dsa feature",
));

/// An ML-DSA private key (FIPS 204).
pub(crate) struct MlDsaSigner(signature::PqdsaKeyPair);

impl MlDsaSigner {
    /// The key in a PKCS#8 document (seed, expanded key, or both).
    pub(crate) fn from_pkcs8(level: MlDsa, pkcs8: &[u8]) -> Result<Self, KeyRejected> {
        if !supports_ml_dsa() {
            return Err(NO_ML_DSA);
        }
        signature::PqdsaKeyPair::from_pkcs8(ml_dsa_signing(level), pkcs8)
            .map(MlDsaSigner)
            .map_err(rejected)
    }

    /// The key derived from its 32-byte seed (FIPS 204 Algorithm 6, `ML-DSA.KeyGen_internal`).
    pub(crate) fn from_seed(level: MlDsa, seed: &[u8]) -> Result<Self, KeyRejected> {
        if !supports_ml_dsa() {
            return Err(NO_ML_DSA);
        }
        signature::PqdsaKeyPair::from_seed(ml_dsa_signing(level), seed)
            .map(MlDsaSigner)
            .map_err(rejected)
    }

    /// A new key as a PKCS#8 document (seed form), from the system generator.
    pub(crate) fn generate_pkcs8(level: MlDsa) -> Option<Result<Zeroizing<Vec<u8>>>> {
        if !supports_ml_dsa() {
            return None;
        }
        Some(
            signature::PqdsaKeyPair::generate(ml_dsa_signing(level))
                .and_then(|pair| pair.to_pkcs8v1())
                .map(|doc| Zeroizing::new(doc.as_ref().to_vec()))
                .map_err(|_| BACKEND_RANDOM_FAILED),
        )
    }

    /// The key as a PKCS#8 document in seed form.
    pub(crate) fn pkcs8(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.0
            .to_pkcs8v1()
            .map(|doc| Zeroizing::new(doc.as_ref().to_vec()))
            .map_err(|_| {
                crate::Error::new(
                    crate::ErrorKind::Unsupported,
                    "this ML-DSA key has no seed to export",
                )
            })
    }

    /// The public key.
    pub(crate) fn public_key(&self) -> &[u8] {
        self.0.public_key().as_ref()
    }

    /// The signature of `msg` (empty context string).
    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0u8; self.0.algorithm().signature_len()];
        let len = self
            .0
            .sign(msg, &mut sig)
            .map_err(|_| BACKEND_RANDOM_FAILED)?;
        sig.truncate(len);
        Ok(sig)
    }
}

/// A new RSA key of `bits` bits (2048, 3072 or 4096) as PKCS#8, from the system generator;
/// `None` for another size.
pub(crate) fn generate_rsa_pkcs8(bits: usize) -> Option<Result<Zeroizing<Vec<u8>>>> {
    let size = match bits {
        2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
        3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
        4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
        _ => return None,
    };
    Some(
        signature::RsaKeyPair::generate(size)
            .and_then(|pair| pair.as_der())
            .map(|der| Zeroizing::new(der.as_ref().to_vec()))
            .map_err(|_| BACKEND_RANDOM_FAILED),
    )
}

/// A public key for one algorithm, parsed once by AWS-LC.
pub(crate) struct Verifier(signature::ParsedPublicKey);

impl Verifier {
    /// An RSA public key (big-endian modulus and exponent, without leading zeros) for `scheme`.
    pub(crate) fn rsa(scheme: RsaScheme, n: &[u8], e: &[u8]) -> Result<Self, KeyRejected> {
        signature::RsaPublicKeyComponents { n, e }
            .to_parsed_public_key(rsa_parameters(scheme))
            .map(Verifier)
            .map_err(rejected)
    }

    /// An uncompressed EC point on `curve`, for ECDSA with the curve's hash.
    pub(crate) fn ecdsa(curve: Curve, point: &[u8]) -> Result<Self, KeyRejected> {
        signature::ParsedPublicKey::new(ecdsa_verification(curve), point)
            .map(Verifier)
            .map_err(rejected)
    }

    /// A 32-byte Ed25519 public key.
    pub(crate) fn ed25519(x: &[u8]) -> Result<Self, KeyRejected> {
        signature::ParsedPublicKey::new(&signature::ED25519, x)
            .map(Verifier)
            .map_err(rejected)
    }

    /// An ML-DSA public key.
    pub(crate) fn ml_dsa(level: MlDsa, public: &[u8]) -> Result<Self, KeyRejected> {
        if !supports_ml_dsa() {
            return Err(NO_ML_DSA);
        }
        signature::ParsedPublicKey::new(ml_dsa_verification(level), public)
            .map(Verifier)
            .map_err(rejected)
    }

    /// Whether `sig` is a valid signature of `msg`.
    #[inline]
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.0.verify_sig(msg, sig).is_ok()
    }
}

/// Test oracle: whether AWS-LC's ECDH accepts `point` as a peer key on `curve` (`None` for
/// secp256k1, which has no ECDH here).
#[cfg(test)]
pub(crate) fn ecdh_accepts(curve: Curve, point: &[u8]) -> Option<bool> {
    use aws_lc_rs::agreement;
    let alg = match curve {
        Curve::P256 => &agreement::ECDH_P256,
        Curve::P384 => &agreement::ECDH_P384,
        Curve::P521 => &agreement::ECDH_P521,
        Curve::Secp256k1 => return None,
    };
    let ours = agreement::EphemeralPrivateKey::generate(alg, &SystemRandom::new()).ok()?;
    Some(
        agreement::agree_ephemeral(
            ours,
            agreement::UnparsedPublicKey::new(alg, point),
            (),
            |_| Ok(()),
        )
        .is_ok(),
    )
}
