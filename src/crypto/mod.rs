//! The one place that names the cryptographic backend: `ring` (the default feature `ring`) or
//! `aws-lc-rs` (the feature `aws-lc`, chosen when both are enabled). HMAC, digests, signature
//! verification and signing key pairs, key-rejection errors, constant-time comparison and
//! randomness. Every other module reaches the backend through `crate::crypto`, so choosing a
//! backend changes this module only; a test fails if any other file in `src/` names either
//! crate.
//!
//! The backends live in `ring.rs` and `aws_lc.rs`, which offer the same crate-private items:
//! `hmac` and `digest` (the two crates share that API), the signing key types `EcdsaSigner`,
//! `Ed25519Signer`, `RsaSigner` and `MlDsaSigner` (which `ring` cannot construct), and
//! `Verifier`, a public key parsed for one algorithm.
//! The layer adds no allocation and no dynamic dispatch on the verify path. Where the backend
//! can parse a public key once and keep it (aws-lc's `ParsedPublicKey`), `Verifier` does so
//! at load time; `ring` 0.17 has no such API and parses the key at each verification.
//!
//! Randomness comes through tessera's own [`SecureRandom`] trait, so no backend type appears in
//! the public API. It is implemented for [`SystemRandom`] (the backend's system generator), for
//! the system generators of `ring` and `aws-lc-rs` themselves when those crates are built (so
//! callers that pass them keep compiling), and for [`DeterministicRandom`] (tests only).
//! Randomness that tessera draws itself (HMAC secrets, opaque tokens, PKCE verifiers, grant
//! ids) comes from the caller's generator. Randomness the backend draws inside its own
//! operations (EC and Ed25519 key generation, ECDSA nonces, RSA signing) comes from the
//! backend's system generator: neither backend accepts another generator there.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, ErrorKind, Result};

#[cfg(not(any(feature = "ring", feature = "aws-lc")))]
compile_error!(
    "tessera needs a cryptographic backend: enable the `ring` feature (the default) or the \
     `aws-lc` feature (for example `cargo build --features aws-lc`, or \
     `default-features = false, features = [\"aws-lc\"]` in Cargo.toml)"
);

#[cfg(feature = "aws-lc")]
#[path = "aws_lc.rs"]
mod backend;
#[cfg(all(feature = "ring", not(feature = "aws-lc")))]
#[path = "ring.rs"]
mod backend;

#[cfg(test)]
pub(crate) use backend::ecdh_accepts;
pub(crate) use backend::{
    EcdsaSigner, Ed25519Signer, MlDsaSigner, RsaSigner, SystemRandom as BackendSystemRandom,
    Verifier, digest, generate_rsa_pkcs8, hmac,
};

/// The elliptic curves of ECDSA keys (RFC 7518 §3.4, RFC 8812 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Curve {
    /// P-256 (secp256r1), for ES256.
    P256,
    /// P-384 (secp384r1), for ES384.
    P384,
    /// P-521 (secp521r1), for ES512.
    P521,
    /// secp256k1, for ES256K.
    Secp256k1,
}

impl Curve {
    /// Whether the backend of this build implements the curve.
    pub(crate) const fn is_supported(self) -> bool {
        backend::supports(self)
    }
}

/// The ML-DSA parameter sets (FIPS 204 §4): post-quantum signatures, in the `aws-lc` backend
/// with the `ml-dsa` feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum MlDsa {
    /// ML-DSA-44 (NIST security category 2).
    L44,
    /// ML-DSA-65 (category 3).
    L65,
    /// ML-DSA-87 (category 5).
    L87,
}

impl MlDsa {
    /// Whether this build implements ML-DSA (the `ml-dsa` feature, on the aws-lc backend).
    pub(crate) const fn is_supported(self) -> bool {
        backend::supports_ml_dsa()
    }

    /// The signature length in bytes (FIPS 204 Table 2).
    pub(crate) const fn signature_len(self) -> usize {
        match self {
            MlDsa::L44 => 2420,
            MlDsa::L65 => 3309,
            MlDsa::L87 => 4627,
        }
    }

    /// The public key length in bytes (FIPS 204 Table 2).
    pub(crate) const fn public_key_len(self) -> usize {
        match self {
            MlDsa::L44 => 1312,
            MlDsa::L65 => 1952,
            MlDsa::L87 => 2592,
        }
    }

    /// The length of the private seed `ξ` (FIPS 204 Algorithm 1): 32 bytes.
    pub(crate) const SEED_LEN: usize = 32;
}

/// An RSA signature scheme: the padding and the hash (RFC 7518 §3.3, §3.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum RsaScheme {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Pkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Pkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Pkcs1Sha512,
    /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256.
    PssSha256,
    /// RSASSA-PSS with SHA-384 and MGF1 with SHA-384.
    PssSha384,
    /// RSASSA-PSS with SHA-512 and MGF1 with SHA-512.
    PssSha512,
}

/// The backend refused key material; the reason is the backend's own short text.
#[derive(Clone, Debug)]
pub(crate) struct KeyRejected(pub(crate) std::borrow::Cow<'static, str>);

impl fmt::Display for KeyRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The error of the backend's generator failing inside its own operation (key generation,
/// ECDSA and RSA signing).
pub(crate) const BACKEND_RANDOM_FAILED: Error = Error::new(
    ErrorKind::RandomFailure,
    "the random number generator failed",
);

/// The cryptographic backend this build of tessera links: its crate and version.
///
/// ```
/// let backend = tessera::backend();
/// assert!(["ring", "aws-lc-rs"].contains(&backend.name()));
/// assert_eq!(backend.to_string(), format!("{} {}", backend.name(), backend.version()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backend {
    name: &'static str,
    version: &'static str,
}

impl Backend {
    /// The backend crate: `"ring"` or `"aws-lc-rs"`.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The version of the backend crate this build linked, from the build's `Cargo.lock`
    /// (or the version requirement, prefixed with `^`, when the build script found none).
    pub const fn version(&self) -> &'static str {
        self.version
    }

    /// Whether the backend runs in a FIPS 140-3 validated mode. Always `false` with `ring`;
    /// with aws-lc, `true` only when `aws-lc-rs` was built with its own `fips` feature.
    pub fn is_fips(&self) -> bool {
        backend::is_fips()
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.version)
    }
}

/// The backend of this build as `"name version"` (`"ring 0.17.14"`, `"aws-lc-rs 1.19.0"`),
/// NUL-terminated, for the C ABI.
pub(crate) const BACKEND_STRING_NUL: &str = backend::DESCRIPTION_NUL;

/// The cryptographic backend this build links.
pub const fn backend() -> Backend {
    Backend {
        name: backend::NAME,
        version: backend::VERSION,
    }
}

/// A source of cryptographically secure random bytes.
///
/// Every Rust API of tessera that needs randomness takes `&dyn SecureRandom`. Use
/// [`SystemRandom`] in production. `ring::rand::SystemRandom` (when the `ring` feature is on)
/// and `aws_lc_rs::rand::SystemRandom` (with `aws-lc`) implement it too, so code written against
/// earlier versions keeps compiling.
pub trait SecureRandom: Send + Sync {
    /// Fills `dest` with random bytes. [`ErrorKind::RandomFailure`] if the generator fails;
    /// `dest` is then unspecified and must not be used.
    fn fill(&self, dest: &mut [u8]) -> Result<()>;
}

/// The error of a failed system generator.
pub(crate) const RANDOM_FAILED: Error = Error::new(
    ErrorKind::RandomFailure,
    "the system random number generator failed",
);

/// The operating system's generator, through the backend. Cheap to create and to copy; holds no
/// state of its own.
#[derive(Clone, Debug)]
pub struct SystemRandom(BackendSystemRandom);

impl SystemRandom {
    /// The system generator.
    #[inline]
    pub fn new() -> SystemRandom {
        SystemRandom(BackendSystemRandom::new())
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
        backend::fill(&self.0, dest)
    }
}

/// `ring`'s system generator, so callers that pass it keep compiling.
#[cfg(feature = "ring")]
impl SecureRandom for ring::rand::SystemRandom {
    #[inline]
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        ring::rand::SecureRandom::fill(self, dest).map_err(|_| RANDOM_FAILED)
    }
}

/// `ring`'s fixed-output test generator, so tests written against it keep compiling.
#[cfg(feature = "ring")]
#[allow(deprecated)]
impl SecureRandom for ring::test::rand::FixedSliceRandom<'_> {
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        ring::rand::SecureRandom::fill(self, dest).map_err(|_| RANDOM_FAILED)
    }
}

/// `aws-lc-rs`'s system generator, so callers that pass it can.
#[cfg(feature = "aws-lc")]
impl SecureRandom for aws_lc_rs::rand::SystemRandom {
    #[inline]
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        aws_lc_rs::rand::SecureRandom::fill(self, dest).map_err(|_| RANDOM_FAILED)
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

    /// Files under `src/` other than this module that name a backend crate (`ring::`,
    /// `aws_lc_rs::`).
    fn files_naming_the_backend(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
            if rel.starts_with("src/crypto") {
                continue;
            }
            if path.is_dir() {
                files_naming_the_backend(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let named = ["ring::", "aws_lc_rs::"].iter().any(|name| {
                        line.match_indices(name).any(|(i, _)| {
                            !line[..i]
                                .chars()
                                .next_back()
                                .is_some_and(|c| c.is_alphanumeric() || c == '_')
                        })
                    });
                    let used = ["use ring", "use aws_lc_rs"]
                        .iter()
                        .any(|u| line.trim_start().starts_with(u));
                    if named || used {
                        out.push(format!("{}:{}: {}", rel.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }

    /// The contract "one place names the backend": only `src/crypto/` says `ring::` or
    /// `aws_lc_rs::`, the command-line tool included.
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
