//! The one place that names the cryptographic backend (`ring`): HMAC, digests, signature
//! verification and signing key pairs, key-rejection errors, constant-time comparison and
//! randomness. Every other module reaches the backend through `crate::crypto`, so choosing a
//! different backend changes this module only; a test fails if any other file in `src/` (the
//! command-line tool aside) names the backend.
//!
//! The layer is thin on purpose: re-exports, type aliases and small inline functions, with no
//! allocation and no dynamic dispatch added on the verify path.
//!
//! Randomness comes through tessera's own [`SecureRandom`] trait, so no backend type appears in
//! the public API. It is implemented for [`SystemRandom`] (the backend's system generator), for
//! `ring::rand::SystemRandom` itself (so callers that pass it keep compiling), and for
//! [`DeterministicRandom`] (tests only). Randomness that tessera draws itself (HMAC secrets,
//! opaque tokens, PKCE verifiers, grant ids) comes from the caller's generator. Randomness the
//! backend draws inside its own operations (EC and Ed25519 key generation, ECDSA nonces, RSA
//! signing) comes from the backend's system generator: `ring` accepts no generator but its own.

use std::sync::atomic::{AtomicU64, Ordering};

use zeroize::Zeroizing;

use crate::{Error, ErrorKind, Result};

/// HMAC (RFC 2104) over SHA-2: keys, tags, and constant-time tag verification.
pub(crate) mod hmac {
    pub(crate) use ring::hmac::{
        Algorithm, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512, Key, sign, verify,
    };
}

/// One-shot message digests.
pub(crate) mod digest {
    pub(crate) use ring::digest::{SHA256, digest};
}

/// Signature verification algorithms and signing key pairs: RSA PKCS#1 v1.5 and PSS, ECDSA
/// P-256/P-384 with fixed-length signatures, Ed25519.
pub(crate) mod signature {
    pub(crate) use ring::signature::{
        ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED,
        ECDSA_P384_SHA384_FIXED_SIGNING, ED25519, EcdsaKeyPair, EcdsaSigningAlgorithm,
        EcdsaVerificationAlgorithm, Ed25519KeyPair, KeyPair, RSA_PKCS1_2048_8192_SHA256,
        RSA_PKCS1_2048_8192_SHA384, RSA_PKCS1_2048_8192_SHA512, RSA_PKCS1_SHA256, RSA_PKCS1_SHA384,
        RSA_PKCS1_SHA512, RSA_PSS_2048_8192_SHA256, RSA_PSS_2048_8192_SHA384,
        RSA_PSS_2048_8192_SHA512, RSA_PSS_SHA256, RSA_PSS_SHA384, RSA_PSS_SHA512, RsaEncoding,
        RsaKeyPair, RsaParameters, RsaPublicKeyComponents, UnparsedPublicKey,
    };
}

/// Ephemeral ECDH, used only by tests as an oracle for public-key validation.
#[cfg(test)]
pub(crate) mod agreement {
    pub(crate) use ring::agreement::{
        ECDH_P256, ECDH_P384, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral,
    };
}

/// The reason the backend refused key material.
pub(crate) type KeyRejected = ring::error::KeyRejected;

/// The backend's own system generator, for the randomness the backend draws inside its own
/// operations (key generation, ECDSA nonces, RSA signing). `ring` takes no other generator there.
pub(crate) type BackendRandom = ring::rand::SystemRandom;

/// The error of the backend's generator failing inside key generation.
const KEYGEN_RANDOM_FAILED: Error = Error::new(
    ErrorKind::RandomFailure,
    "the random number generator failed",
);

/// A new ECDSA key pair for `alg` as a PKCS#8 document, from the backend's generator.
pub(crate) fn generate_ecdsa_pkcs8(
    alg: &'static signature::EcdsaSigningAlgorithm,
) -> Result<Zeroizing<Vec<u8>>> {
    let doc = ring::signature::EcdsaKeyPair::generate_pkcs8(alg, &BackendRandom::new())
        .map_err(|_| KEYGEN_RANDOM_FAILED)?;
    Ok(Zeroizing::new(doc.as_ref().to_vec()))
}

/// A new Ed25519 key pair as a PKCS#8 document, from the backend's generator.
pub(crate) fn generate_ed25519_pkcs8() -> Result<Zeroizing<Vec<u8>>> {
    let doc = ring::signature::Ed25519KeyPair::generate_pkcs8(&BackendRandom::new())
        .map_err(|_| KEYGEN_RANDOM_FAILED)?;
    Ok(Zeroizing::new(doc.as_ref().to_vec()))
}

/// A source of cryptographically secure random bytes.
///
/// Every Rust API of tessera that needs randomness takes `&dyn SecureRandom`. Use
/// [`SystemRandom`] in production. `ring::rand::SystemRandom` implements it too, so code written
/// against earlier versions keeps compiling.
pub trait SecureRandom: Send + Sync {
    /// Fills `dest` with random bytes. [`ErrorKind::RandomFailure`] if the generator fails;
    /// `dest` is then unspecified and must not be used.
    fn fill(&self, dest: &mut [u8]) -> Result<()>;
}

/// The error of a failed backend generator.
const RANDOM_FAILED: Error = Error::new(
    ErrorKind::RandomFailure,
    "the system random number generator failed",
);

/// The operating system's generator, through the backend. Cheap to create and to copy; holds no
/// state of its own.
#[derive(Clone, Debug)]
pub struct SystemRandom(ring::rand::SystemRandom);

impl SystemRandom {
    /// The system generator.
    #[inline]
    pub fn new() -> SystemRandom {
        SystemRandom(ring::rand::SystemRandom::new())
    }
}

impl Default for SystemRandom {
    #[inline]
    fn default() -> SystemRandom {
        SystemRandom::new()
    }
}

impl SecureRandom for SystemRandom {
    #[inline]
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        ring::rand::SecureRandom::fill(&self.0, dest).map_err(|_| RANDOM_FAILED)
    }
}

impl SecureRandom for ring::rand::SystemRandom {
    #[inline]
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        ring::rand::SecureRandom::fill(self, dest).map_err(|_| RANDOM_FAILED)
    }
}

/// `ring`'s fixed-output test generator, so tests written against it keep compiling.
#[allow(deprecated)]
impl SecureRandom for ring::test::rand::FixedSliceRandom<'_> {
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        ring::rand::SecureRandom::fill(self, dest).map_err(|_| RANDOM_FAILED)
    }
}

/// A deterministic generator, **for tests only**: it is not random, and anything made with it
/// (tokens, secrets, verifiers) is predictable from its seed. Never use it in production.
///
/// The same seed gives the same byte stream (SplitMix64), whatever the sizes of the calls that
/// consume it.
/// Randomness drawn inside the backend (EC and Ed25519 key generation, ECDSA nonces, RSA
/// signing) does not come from the caller's generator and stays random; see the
/// [module docs](self).
#[derive(Debug)]
pub struct DeterministicRandom {
    seed: u64,
    /// Bytes drawn so far, to continue a partly used 8-byte block.
    drawn: AtomicU64,
}

impl DeterministicRandom {
    /// A generator whose output is fixed by `seed`.
    pub fn new(seed: u64) -> DeterministicRandom {
        DeterministicRandom {
            seed,
            drawn: AtomicU64::new(0),
        }
    }

    /// Block `i` of the stream (SplitMix64 of `seed + (i + 1) * gamma`).
    fn block(seed: u64, i: u64) -> [u8; 8] {
        let mut z = seed.wrapping_add(i.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)).to_le_bytes()
    }
}

impl SecureRandom for DeterministicRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        let seed = self.seed;
        let start = self.drawn.fetch_add(dest.len() as u64, Ordering::Relaxed);
        for (k, byte) in dest.iter_mut().enumerate() {
            let pos = start + k as u64;
            *byte = DeterministicRandom::block(seed, pos / 8)[(pos % 8) as usize];
        }
        Ok(())
    }
}

/// Compares two byte strings in time that depends only on their lengths, not their contents.
///
/// Different lengths compare unequal at once: lengths are not secret here (tokens, PKCE
/// challenges and digests have public, fixed lengths).
#[inline]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_random_is_a_fixed_stream() {
        let (a, b) = (DeterministicRandom::new(7), DeterministicRandom::new(7));
        let mut whole = [0u8; 20];
        a.fill(&mut whole).unwrap();
        let mut parts = [0u8; 20];
        let (x, y) = parts.split_at_mut(3);
        b.fill(x).unwrap();
        b.fill(y).unwrap();
        assert_eq!(whole, parts);
        let mut other = [0u8; 20];
        DeterministicRandom::new(8).fill(&mut other).unwrap();
        assert_ne!(whole, other);
        let mut next = [0u8; 20];
        a.fill(&mut next).unwrap();
        assert_ne!(whole, next);
    }

    #[test]
    fn system_random_fills() {
        let mut buf = [0u8; 32];
        SecureRandom::fill(&SystemRandom::new(), &mut buf).unwrap();
        assert_ne!(buf, [0u8; 32]);
    }

    /// Files under `src/` other than this module and the command-line tool that name the
    /// backend's crate path (`ring::`).
    fn files_naming_the_backend(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
            if rel.starts_with("src/crypto") || rel.starts_with("src/bin") {
                continue;
            }
            if path.is_dir() {
                files_naming_the_backend(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let named = line.match_indices("ring::").any(|(i, _)| {
                        !line[..i]
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    });
                    if named || line.trim_start().starts_with("use ring") {
                        out.push(format!("{}:{}: {}", rel.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }

    /// The contract "one place names the backend": only `src/crypto/` says `ring::`.
    #[test]
    fn only_the_crypto_module_names_the_backend() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        files_naming_the_backend(&src, &mut found);
        assert!(
            found.is_empty(),
            "only src/crypto/ may name the backend; found:\n{}",
            found.join("\n")
        );
    }
}
