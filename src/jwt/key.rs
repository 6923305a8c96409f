//! Keys: one [`Key`] type bound to exactly one algorithm at construction (RFC 8725 §3.1), loaded
//! from HMAC secrets (RFC 7518 §3.2), PKCS#8, PKCS#1, SEC1, SPKI and X.509 (PEM or DER), or
//! JWK (see `jwk.rs`), and generated for HMAC, ECDSA and Ed25519 (and RSA with aws-lc).
//! ES512 (P-521) and ES256K (secp256k1, RFC 8812) keys load only with the `aws-lc` backend, and
//! ML-DSA (FIPS 204) keys only with the `ml-dsa` feature.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::alg::{Algorithm, KeyFamily};
use super::der::{self, ParsedDer, PrivateDer, PublicDer};
use crate::crypto::{
    self, Curve, EcdsaSigner, Ed25519Signer, KeyRejected, MlDsa, MlDsaSigner, RsaSigner,
    SecureRandom, Verifier, hmac,
};
use crate::{Error, ErrorKind, Result};

mod checks;
mod sign;

pub(super) use checks::check_ec_point;
use checks::{check_ed25519_public, check_rsa_public};

pub use crate::limits::{RSA_MAX_BITS, RSA_MIN_BITS};

/// What a key may be used for, from JWK `use` / `key_ops` (RFC 7517 §4.2, §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Usage {
    pub(crate) sign: bool,
    pub(crate) verify: bool,
}

impl Usage {
    pub(crate) const ANY: Usage = Usage {
        sign: true,
        verify: true,
    };
}

/// The key material. Every asymmetric key carries a [`Verifier`]: its public key prepared
/// once, at load, for its algorithm.
///
/// The variants differ in size (aws-lc's `hmac::Key` holds two hash states inline): the enum
/// lives once per key behind an `Arc`, and boxing a field would add a pointer chase to every
/// verification.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Material {
    Hmac {
        secret: Zeroizing<Vec<u8>>,
        key: hmac::Key,
    },
    RsaPrivate {
        pair: RsaSigner,
        pkcs8: Zeroizing<Vec<u8>>,
        n: Vec<u8>,
        e: Vec<u8>,
        verifier: Verifier,
    },
    RsaPublic {
        n: Vec<u8>,
        e: Vec<u8>,
        verifier: Verifier,
    },
    EcPrivate {
        pair: EcdsaSigner,
        pkcs8: Zeroizing<Vec<u8>>,
        family: KeyFamily,
        verifier: Verifier,
    },
    EcPublic {
        family: KeyFamily,
        point: Vec<u8>,
        verifier: Verifier,
    },
    EdPrivate {
        pair: Ed25519Signer,
        pkcs8: Zeroizing<Vec<u8>>,
        verifier: Verifier,
    },
    EdPublic {
        x: Vec<u8>,
        verifier: Verifier,
    },
    MlDsaPrivate {
        pair: MlDsaSigner,
        pkcs8: Zeroizing<Vec<u8>>,
        family: KeyFamily,
        verifier: Verifier,
    },
    MlDsaPublic {
        family: KeyFamily,
        public: Vec<u8>,
        verifier: Verifier,
    },
}

/// A signing or verification key bound to one [`Algorithm`].
///
/// The key decides the algorithm: a token whose header names another algorithm is rejected
/// with [`ErrorKind::AlgorithmMismatch`] before any cryptography runs, so algorithm-confusion
/// attacks (an HMAC token checked against an RSA public key, `none`, ...) cannot be expressed.
///
/// Keys are immutable, cheap to clone (the material is shared), `Send + Sync`, and never show
/// secret material in `Debug`; secret bytes kept by tessera (HMAC secrets, PKCS#8 documents) are
/// wiped on drop. The expanded key state inside the backend's own key types is wiped by
/// aws-lc when it frees them, and not by `ring`, which offers no way to wipe it.
///
/// Certificates: [`Key::from_pem`] and [`Key::from_der`] accept an X.509 certificate and take
/// its subject public key. **No chain, validity period, name or usage of the certificate is
/// checked**: trust in the certificate is the host's decision.
///
/// ```
/// use tessera::jwt::{Algorithm, Key};
/// let key = Key::hmac(b"a-32-byte-or-longer-shared-secret!", Algorithm::HS256)?;
/// assert_eq!(key.alg(), Algorithm::HS256);
/// assert!(!format!("{key:?}").contains("shared-secret"));
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone)]
pub struct Key {
    alg: Algorithm,
    kid: Option<Arc<str>>,
    usage: Usage,
    pub(crate) material: Arc<Material>,
}

/// A key the backend refused. Every rule with its own kind (RSA modulus size, exponent, ROCA,
/// EC points off the curve) is checked before the backend sees the key, so what the backend
/// still refuses is malformed or inconsistent material: [`ErrorKind::InvalidKey`], whatever the
/// backend's reason says.
pub(crate) fn rejected(e: KeyRejected) -> Error {
    Error::with_detail(
        ErrorKind::InvalidKey,
        format!("key rejected by {}: {e}", crypto::backend().name()),
    )
}

/// The error for a key of a family the build lacks (P-521 and secp256k1 with `ring`; ML-DSA
/// without the `ml-dsa` feature).
pub(crate) fn family_unsupported(family: KeyFamily) -> Error {
    if family.ml_dsa().is_some() {
        return Error::with_detail(
            ErrorKind::UnsupportedKey,
            format!(
                "{} keys need the ml-dsa feature (on the aws-lc backend)",
                family_name(family)
            ),
        );
    }
    Error::with_detail(
        ErrorKind::UnsupportedKey,
        format!(
            "{} keys need the aws-lc backend; this build uses ring",
            family_name(family)
        ),
    )
}

/// The ML-DSA parameter set of a family that the build implements.
pub(crate) fn supported_ml_dsa(family: KeyFamily) -> Result<MlDsa> {
    match family.ml_dsa() {
        Some(level) if level.is_supported() => Ok(level),
        Some(_) => Err(family_unsupported(family)),
        None => Err(Error::new(ErrorKind::InvalidKey, "not an ML-DSA key")),
    }
}

/// The verifier of an RSA key for `alg` (an RS* or PS* algorithm).
fn rsa_verifier(alg: Algorithm, n: &[u8], e: &[u8]) -> Result<Verifier> {
    let scheme = alg.rsa_scheme().ok_or(Error::new(
        ErrorKind::KeyAlgorithmMismatch,
        "not an RSA algorithm",
    ))?;
    Verifier::rsa(scheme, n, e).map_err(rejected)
}

/// The curve of an EC family that the backend implements.
pub(crate) fn supported_curve(family: KeyFamily) -> Result<Curve> {
    match family.curve() {
        Some(curve) if curve.is_supported() => Ok(curve),
        Some(_) => Err(family_unsupported(family)),
        None => Err(Error::new(ErrorKind::InvalidKey, "not an EC key")),
    }
}

/// Binds an algorithm to a key of `family`: the caller's choice if compatible, else the
/// family's unambiguous default.
pub(crate) fn bind(family: KeyFamily, requested: Option<Algorithm>) -> Result<Algorithm> {
    match requested {
        Some(alg) if alg.family() == family => Ok(alg),
        Some(alg) => Err(Error::with_detail(
            ErrorKind::KeyAlgorithmMismatch,
            format!("a {} key cannot be used with {alg}", family_name(family)),
        )),
        None => Algorithm::default_for(family).ok_or_else(|| match family {
            KeyFamily::Rsa => Error::new(
                ErrorKind::KeyAlgorithmMismatch,
                "RSA keys need an explicit algorithm (RS256, RS384, RS512, PS256, PS384 or PS512)",
            ),
            _ => Error::new(
                ErrorKind::KeyAlgorithmMismatch,
                "HMAC keys need an explicit algorithm (HS256, HS384 or HS512)",
            ),
        }),
    }
}

pub(crate) fn family_name(family: KeyFamily) -> &'static str {
    match family {
        KeyFamily::Hmac => "HMAC",
        KeyFamily::Rsa => "RSA",
        KeyFamily::P256 => "P-256",
        KeyFamily::P384 => "P-384",
        KeyFamily::P521 => "P-521",
        KeyFamily::Secp256k1 => "secp256k1",
        KeyFamily::Ed25519 => "Ed25519",
        KeyFamily::MlDsa44 => "ML-DSA-44",
        KeyFamily::MlDsa65 => "ML-DSA-65",
        KeyFamily::MlDsa87 => "ML-DSA-87",
    }
}

fn strip_zeros(v: &[u8]) -> Vec<u8> {
    let skip = v.iter().take_while(|&&b| b == 0).count();
    v[skip..].to_vec()
}

/// The length in bytes of one coordinate (and of the private scalar) of an EC key: 32, 48,
/// 66 (P-521: 521 bits, RFC 7518 §6.2.1.2) or 32 (secp256k1).
pub(crate) fn ec_coordinate_len(family: KeyFamily) -> usize {
    match family {
        KeyFamily::P384 => 48,
        KeyFamily::P521 => 66,
        _ => 32,
    }
}

impl Key {
    fn new(alg: Algorithm, material: Material) -> Key {
        Key {
            alg,
            kid: None,
            usage: Usage::ANY,
            material: Arc::new(material),
        }
    }

    /// An HMAC key (`HS256`, `HS384`, `HS512`) from a shared secret. The secret must be at
    /// least as long as the hash output (32, 48 or 64 bytes; RFC 7518 §3.2), else
    /// [`ErrorKind::WeakKey`].
    pub fn hmac(secret: &[u8], alg: Algorithm) -> Result<Key> {
        let ring_alg = alg.hmac_algorithm().ok_or_else(|| {
            Error::with_detail(
                ErrorKind::KeyAlgorithmMismatch,
                format!("a shared secret cannot be used with {alg}"),
            )
        })?;
        if secret.len() < alg.hmac_min_len() {
            return Err(Error::with_detail(
                ErrorKind::WeakKey,
                format!(
                    "{alg} secret of {} bytes; at least {} are required (RFC 7518 section 3.2)",
                    secret.len(),
                    alg.hmac_min_len()
                ),
            ));
        }
        Ok(Key::new(
            alg,
            Material::Hmac {
                secret: Zeroizing::new(secret.to_vec()),
                key: hmac::Key::new(ring_alg, secret),
            },
        ))
    }

    /// Generates a new key: a random HMAC secret as long as the hash output, or an ECDSA
    /// (ES256, ES384, and with aws-lc ES512 and ES256K) or Ed25519 key pair. With the `aws-lc`
    /// backend an RSA algorithm gets a new 2048-bit RSA key (use [`Key::generate_rsa`] for
    /// another size); `ring` cannot generate RSA keys ([`ErrorKind::Unsupported`]): generate one
    /// with OpenSSL and import it. An algorithm the backend lacks is
    /// [`ErrorKind::UnsupportedAlgorithm`].
    ///
    /// An HMAC secret is drawn from `rng`; EC, Ed25519 and RSA key pairs are generated inside
    /// the backend, from its own system generator (see [`crate::crypto`]).
    pub fn generate(alg: Algorithm, rng: &dyn SecureRandom) -> Result<Key> {
        if !alg.is_supported() {
            return Err(Error::with_detail(
                ErrorKind::UnsupportedAlgorithm,
                format!("{alg} needs the aws-lc backend; this build uses ring"),
            ));
        }
        let rand_err = |_| {
            Error::new(
                ErrorKind::RandomFailure,
                "the random number generator failed",
            )
        };
        let pkcs8 = match alg.family() {
            KeyFamily::Hmac => {
                let mut secret = Zeroizing::new(vec![0u8; alg.hmac_min_len()]);
                rng.fill(&mut secret).map_err(rand_err)?;
                return Key::hmac(&secret, alg);
            }
            KeyFamily::Rsa => return Key::generate_rsa(alg, 2048),
            KeyFamily::P256 | KeyFamily::P384 | KeyFamily::P521 | KeyFamily::Secp256k1 => {
                EcdsaSigner::generate_pkcs8(supported_curve(alg.family())?)
                    .ok_or_else(|| family_unsupported(alg.family()))??
            }
            KeyFamily::Ed25519 => Ed25519Signer::generate_pkcs8()?,
            KeyFamily::MlDsa44 | KeyFamily::MlDsa65 | KeyFamily::MlDsa87 => {
                MlDsaSigner::generate_pkcs8(supported_ml_dsa(alg.family())?)
                    .ok_or_else(|| family_unsupported(alg.family()))??
            }
        };
        Key::from_private_der(
            PrivateDer {
                family: alg.family(),
                pkcs8,
            },
            Some(alg),
        )
    }

    /// Generates a new RSA key of `bits` bits (2048, 3072 or 4096) for an RS* or PS*
    /// algorithm, with the `aws-lc` backend. `ring` cannot generate RSA keys
    /// ([`ErrorKind::Unsupported`], with a detail naming the OpenSSL command that makes one);
    /// another size is [`ErrorKind::Unsupported`] too.
    pub fn generate_rsa(alg: Algorithm, bits: usize) -> Result<Key> {
        if alg.family() != KeyFamily::Rsa {
            return Err(Error::with_detail(
                ErrorKind::KeyAlgorithmMismatch,
                format!("{alg} is not an RSA algorithm"),
            ));
        }
        if !matches!(bits, 2048 | 3072 | 4096) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "RSA keys are generated with 2048, 3072 or 4096 bits",
            ));
        }
        let pkcs8 = crypto::generate_rsa_pkcs8(bits).ok_or(Error::new(
            ErrorKind::Unsupported,
            "RSA key generation is not available in ring (it is with the aws-lc backend); \
             generate a key with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072` \
             and import it with Key::from_pem",
        ))??;
        Key::from_private_der(
            PrivateDer {
                family: KeyFamily::Rsa,
                pkcs8,
            },
            Some(alg),
        )
    }

    /// Loads a key from PEM: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1),
    /// `EC PRIVATE KEY` (SEC1), `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1) or
    /// `CERTIFICATE` (its subject public key; no certificate validation). The first PEM block is
    /// used. `alg` binds the algorithm; `None` binds the key type's unambiguous default
    /// (P-256 → ES256, P-384 → ES384, P-521 → ES512, secp256k1 → ES256K, Ed25519 → EdDSA) and
    /// is an error for RSA. P-521 and secp256k1 keys need the `aws-lc` backend: with `ring` they
    /// are [`ErrorKind::UnsupportedKey`] in every container.
    pub fn from_pem(pem: &[u8], alg: Option<Algorithm>) -> Result<Key> {
        let (label, der) = der::pem(pem)?;
        let parsed = match label.as_str() {
            "PRIVATE KEY" => ParsedDer::Private(der::pkcs8(&der)?),
            "RSA PRIVATE KEY" => ParsedDer::Private(der::pkcs8_from_pkcs1(&der)?),
            "EC PRIVATE KEY" => ParsedDer::Private(der::pkcs8_from_sec1(&der)?),
            "PUBLIC KEY" => ParsedDer::Public(der::spki(&der)?),
            "RSA PUBLIC KEY" => ParsedDer::Public(der::rsa_public_pkcs1(&der)?),
            "CERTIFICATE" => ParsedDer::Public(der::certificate_spki(&der)?),
            "ENCRYPTED PRIVATE KEY" => {
                return Err(Error::new(
                    ErrorKind::UnsupportedKey,
                    "encrypted PKCS#8 keys are not supported",
                ));
            }
            _ => {
                return Err(Error::new(
                    ErrorKind::InvalidKey,
                    "the PEM label is not one of PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, \
                     PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE",
                ));
            }
        };
        Key::from_parsed(parsed, alg)
    }

    /// Loads a key from DER, recognising PKCS#8, PKCS#1 (private or public), SEC1, SPKI and
    /// X.509 certificates by their structure. `alg` as for [`Key::from_pem`].
    pub fn from_der(der: &[u8], alg: Option<Algorithm>) -> Result<Key> {
        if der.len() > der::MAX_KEY_INPUT {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "key input larger than 64 KiB",
            ));
        }
        Key::from_parsed(der::parse_any(der)?, alg)
    }

    fn from_parsed(parsed: ParsedDer, alg: Option<Algorithm>) -> Result<Key> {
        match parsed {
            ParsedDer::Private(p) => Key::from_private_der(p, alg),
            ParsedDer::Public(p) => Key::from_public_der(p, alg),
        }
    }

    pub(crate) fn from_private_der(p: PrivateDer, alg: Option<Algorithm>) -> Result<Key> {
        let alg = bind(p.family, alg)?;
        let material = match p.family {
            KeyFamily::Rsa => {
                // The modulus rules first, from the DER itself: their kinds (WeakKey for a
                // short modulus, UnsupportedKey past 8192 bits) are tessera's, not ring's.
                if let Ok(parts) = der::rsa_private_parts(&p.pkcs8)
                    && let [n, e, ..] = parts.as_slice()
                {
                    check_rsa_public(&strip_zeros(n), &strip_zeros(e))?;
                }
                let pair = RsaSigner::from_pkcs8(&p.pkcs8).map_err(rejected)?;
                let (n, e) = pair.public_components();
                let (n, e) = (strip_zeros(&n), strip_zeros(&e));
                check_rsa_public(&n, &e)?;
                let verifier = rsa_verifier(alg, &n, &e)?;
                Material::RsaPrivate {
                    pair,
                    pkcs8: p.pkcs8,
                    n,
                    e,
                    verifier,
                }
            }
            KeyFamily::P256 | KeyFamily::P384 | KeyFamily::P521 | KeyFamily::Secp256k1 => {
                let curve = supported_curve(p.family)?;
                let pair = EcdsaSigner::from_pkcs8(curve, &p.pkcs8).map_err(rejected)?;
                check_ec_point(p.family, pair.public_point())?;
                let verifier = Verifier::ecdsa(curve, pair.public_point()).map_err(rejected)?;
                Material::EcPrivate {
                    pair,
                    pkcs8: p.pkcs8,
                    family: p.family,
                    verifier,
                }
            }
            KeyFamily::Ed25519 => {
                let pair = Ed25519Signer::from_pkcs8(&p.pkcs8).map_err(rejected)?;
                let verifier = Verifier::ed25519(pair.public_key()).map_err(rejected)?;
                Material::EdPrivate {
                    pair,
                    pkcs8: p.pkcs8,
                    verifier,
                }
            }
            KeyFamily::MlDsa44 | KeyFamily::MlDsa65 | KeyFamily::MlDsa87 => {
                let level = supported_ml_dsa(p.family)?;
                let pair = MlDsaSigner::from_pkcs8(level, &p.pkcs8).map_err(rejected)?;
                let verifier = Verifier::ml_dsa(level, pair.public_key()).map_err(rejected)?;
                Material::MlDsaPrivate {
                    pair,
                    pkcs8: p.pkcs8,
                    family: p.family,
                    verifier,
                }
            }
            KeyFamily::Hmac => {
                return Err(Error::new(ErrorKind::InvalidKey, "not an asymmetric key"));
            }
        };
        Ok(Key::new(alg, material))
    }

    pub(crate) fn from_public_der(p: PublicDer, alg: Option<Algorithm>) -> Result<Key> {
        match p {
            PublicDer::Rsa { n, e } => {
                let alg = bind(KeyFamily::Rsa, alg)?;
                let (n, e) = (strip_zeros(&n), strip_zeros(&e));
                check_rsa_public(&n, &e)?;
                let verifier = rsa_verifier(alg, &n, &e)?;
                Ok(Key::new(alg, Material::RsaPublic { n, e, verifier }))
            }
            PublicDer::Ec { family, point } => {
                let alg = bind(family, alg)?;
                let curve = supported_curve(family)?;
                check_ec_point(family, &point)?;
                let verifier = Verifier::ecdsa(curve, &point).map_err(rejected)?;
                Ok(Key::new(
                    alg,
                    Material::EcPublic {
                        family,
                        point,
                        verifier,
                    },
                ))
            }
            PublicDer::Ed25519(x) => {
                let alg = bind(KeyFamily::Ed25519, alg)?;
                check_ed25519_public(&x)?;
                let verifier = Verifier::ed25519(&x).map_err(rejected)?;
                Ok(Key::new(alg, Material::EdPublic { x, verifier }))
            }
            PublicDer::MlDsa { family, public } => {
                let alg = bind(family, alg)?;
                let level = supported_ml_dsa(family)?;
                if public.len() != level.public_key_len() {
                    return Err(Error::with_detail(
                        ErrorKind::InvalidKey,
                        format!(
                            "an {} public key is {} bytes",
                            family_name(family),
                            level.public_key_len()
                        ),
                    ));
                }
                let verifier = Verifier::ml_dsa(level, &public).map_err(rejected)?;
                Ok(Key::new(
                    alg,
                    Material::MlDsaPublic {
                        family,
                        public,
                        verifier,
                    },
                ))
            }
        }
    }

    /// The same key with a key id (`kid`), emitted in token headers and JWKs.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Key {
        self.kid = Some(Arc::from(kid.into()));
        self
    }

    pub(crate) fn with_usage(mut self, usage: Usage) -> Key {
        self.usage = usage;
        self
    }

    /// The same key material bound to another algorithm of the same family, with every
    /// load-time rule of that algorithm applied again.
    ///
    /// - An RSA key moves freely between RS256, RS384, RS512, PS256, PS384 and PS512 (one key
    ///   used for both RS256 and PS256 becomes two keys): the modulus rules (at least
    ///   [`RSA_MIN_BITS`] bits, the exponent, ROCA) are the same for all six.
    /// - An HMAC key is derived again for the new hash, so an `HS512` key really computes
    ///   HMAC-SHA-512, and the secret must be as long as the new hash output: a 32-byte secret
    ///   made for HS256 cannot become HS384 or HS512 ([`ErrorKind::WeakKey`]).
    /// - An EC key cannot change curve, and EdDSA has one algorithm: any other algorithm is
    ///   [`ErrorKind::KeyAlgorithmMismatch`], as it is across families.
    ///
    /// The `kid` and the permitted uses are kept.
    ///
    /// ```
    /// use tessera::ErrorKind;
    /// use tessera::jwt::{Algorithm, Key};
    /// let hs256 = Key::hmac(&[7u8; 32], Algorithm::HS256)?;
    /// assert_eq!(hs256.with_alg(Algorithm::HS512).unwrap_err().kind(), ErrorKind::WeakKey);
    /// let hs512 = Key::hmac(&[7u8; 64], Algorithm::HS256)?.with_alg(Algorithm::HS512)?;
    /// assert_eq!(hs512.alg(), Algorithm::HS512);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn with_alg(self, alg: Algorithm) -> Result<Key> {
        let alg = bind(self.family(), Some(alg))?;
        if alg == self.alg {
            return Ok(self);
        }
        match &*self.material {
            Material::Hmac { secret, .. } => {
                let rebound = Key::hmac(secret, alg)?;
                Ok(Key {
                    kid: self.kid,
                    usage: self.usage,
                    ..rebound
                })
            }
            // RSA: every RS*/PS* algorithm has the same key rules; the key is loaded again so
            // that its verifier is prepared for the new padding and hash.
            Material::RsaPrivate { pkcs8, .. } => {
                let rebound = Key::from_private_der(
                    PrivateDer {
                        family: KeyFamily::Rsa,
                        pkcs8: pkcs8.clone(),
                    },
                    Some(alg),
                )?;
                Ok(Key {
                    kid: self.kid,
                    usage: self.usage,
                    ..rebound
                })
            }
            Material::RsaPublic { n, e, .. } => {
                let verifier = rsa_verifier(alg, n, e)?;
                let material = Material::RsaPublic {
                    n: n.clone(),
                    e: e.clone(),
                    verifier,
                };
                Ok(Key {
                    alg,
                    material: Arc::new(material),
                    ..self
                })
            }
            // EC and EdDSA: `bind` kept the family, and each family has exactly one algorithm
            // (EdDSA and Ed25519 are two names of one).
            _ => Ok(Key { alg, ..self }),
        }
    }

    /// The algorithm this key is bound to.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key family (HMAC, RSA, P-256, P-384, P-521, secp256k1, Ed25519, ML-DSA).
    pub fn family(&self) -> KeyFamily {
        self.alg.family()
    }

    /// Whether the key holds private (or secret) material and can sign.
    pub fn is_private(&self) -> bool {
        !matches!(
            &*self.material,
            Material::RsaPublic { .. }
                | Material::EcPublic { .. }
                | Material::EdPublic { .. }
                | Material::MlDsaPublic { .. }
        )
    }

    /// Whether this is a symmetric (HMAC) key.
    pub fn is_symmetric(&self) -> bool {
        matches!(&*self.material, Material::Hmac { .. })
    }

    /// The public half of an asymmetric key (same algorithm and `kid`), for verifiers and
    /// JWKS. HMAC keys have none ([`ErrorKind::NoPublicKey`]).
    pub fn public_key(&self) -> Result<Key> {
        let material = match &*self.material {
            Material::Hmac { .. } => {
                return Err(Error::new(
                    ErrorKind::NoPublicKey,
                    "HMAC keys have no public form",
                ));
            }
            Material::RsaPublic { .. }
            | Material::EcPublic { .. }
            | Material::EdPublic { .. }
            | Material::MlDsaPublic { .. } => {
                return Ok(self.clone());
            }
            _ => Key::from_public_der(self.public_der()?, Some(self.alg))?.material,
        };
        Ok(Key {
            alg: self.alg,
            kid: self.kid.clone(),
            usage: self.usage,
            material,
        })
    }

    pub(crate) fn public_der(&self) -> Result<PublicDer> {
        Ok(match &*self.material {
            Material::Hmac { .. } => {
                return Err(Error::new(
                    ErrorKind::NoPublicKey,
                    "HMAC keys have no public form",
                ));
            }
            Material::RsaPrivate { n, e, .. } | Material::RsaPublic { n, e, .. } => {
                PublicDer::Rsa {
                    n: n.clone(),
                    e: e.clone(),
                }
            }
            Material::EcPrivate { pair, family, .. } => PublicDer::Ec {
                family: *family,
                point: pair.public_point().to_vec(),
            },
            Material::EcPublic { family, point, .. } => PublicDer::Ec {
                family: *family,
                point: point.clone(),
            },
            Material::EdPrivate { pair, .. } => PublicDer::Ed25519(pair.public_key().to_vec()),
            Material::EdPublic { x, .. } => PublicDer::Ed25519(x.clone()),
            Material::MlDsaPrivate { pair, family, .. } => PublicDer::MlDsa {
                family: *family,
                public: pair.public_key().to_vec(),
            },
            Material::MlDsaPublic { family, public, .. } => PublicDer::MlDsa {
                family: *family,
                public: public.clone(),
            },
        })
    }

    /// The public key as SubjectPublicKeyInfo DER.
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        Ok(der::spki_der(&self.public_der()?))
    }

    /// The public key as a `PUBLIC KEY` PEM block.
    pub fn public_key_pem(&self) -> Result<String> {
        Ok(der::to_pem("PUBLIC KEY", &self.public_key_der()?).to_string())
    }

    /// The private key as PKCS#8 DER (asymmetric private keys only).
    pub fn private_key_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        match &*self.material {
            Material::RsaPrivate { pkcs8, .. }
            | Material::EcPrivate { pkcs8, .. }
            | Material::EdPrivate { pkcs8, .. }
            | Material::MlDsaPrivate { pkcs8, .. } => Ok(pkcs8.clone()),
            Material::Hmac { .. } => Err(Error::new(
                ErrorKind::NoPublicKey,
                "HMAC secrets have no PKCS#8 form",
            )),
            _ => Err(Error::new(ErrorKind::NotPrivateKey, "this is a public key")),
        }
    }

    /// The private key as a `PRIVATE KEY` (PKCS#8) PEM block.
    pub fn private_key_pem(&self) -> Result<Zeroizing<String>> {
        Ok(der::to_pem("PRIVATE KEY", &self.private_key_der()?))
    }

    pub(crate) fn hmac_secret(&self) -> Option<&[u8]> {
        match &*self.material {
            Material::Hmac { secret, .. } => Some(secret),
            _ => None,
        }
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &*self.material {
            Material::Hmac { .. } => "HMAC secret (redacted)",
            Material::RsaPrivate { .. } => "RSA private key (redacted)",
            Material::RsaPublic { .. } => "RSA public key",
            Material::EcPrivate { .. } => "EC private key (redacted)",
            Material::EcPublic { .. } => "EC public key",
            Material::EdPrivate { .. } => "Ed25519 private key (redacted)",
            Material::EdPublic { .. } => "Ed25519 public key",
            Material::MlDsaPrivate { .. } => "ML-DSA private key (redacted)",
            Material::MlDsaPublic { .. } => "ML-DSA public key",
        };
        f.debug_struct("Key")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("material", &what)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SystemRandom;

    #[test]
    fn hmac_secret_length_is_enforced() {
        for (alg, min) in [
            (Algorithm::HS256, 32),
            (Algorithm::HS384, 48),
            (Algorithm::HS512, 64),
        ] {
            assert_eq!(
                Key::hmac(&vec![1; min - 1], alg).unwrap_err().kind(),
                ErrorKind::WeakKey
            );
            assert!(Key::hmac(&vec![1; min], alg).is_ok());
            assert_eq!(Key::hmac(&[], alg).unwrap_err().kind(), ErrorKind::WeakKey);
        }
        assert_eq!(
            Key::hmac(&[1; 64], Algorithm::RS256).unwrap_err().kind(),
            ErrorKind::KeyAlgorithmMismatch
        );
    }

    /// RSA generation: a clear error with ring, a working 2048-bit key with aws-lc.
    #[test]
    fn rsa_generation_follows_the_backend() {
        match Key::generate(Algorithm::PS256, &SystemRandom::new()) {
            Ok(key) => {
                assert_eq!(crypto::backend().name(), "aws-lc-rs");
                assert_eq!(key.alg(), Algorithm::PS256);
                let Material::RsaPrivate { n, .. } = &*key.material else {
                    panic!("not an RSA private key");
                };
                assert_eq!(n.len(), 256);
            }
            Err(err) => {
                assert_eq!(crypto::backend().name(), "ring");
                assert_eq!(err.kind(), ErrorKind::Unsupported);
                assert!(err.detail().contains("openssl"));
            }
        }
        assert_eq!(
            Key::generate_rsa(Algorithm::RS256, 1024)
                .unwrap_err()
                .kind(),
            ErrorKind::Unsupported
        );
        assert_eq!(
            Key::generate_rsa(Algorithm::ES256, 2048)
                .unwrap_err()
                .kind(),
            ErrorKind::KeyAlgorithmMismatch
        );
    }

    #[test]
    fn debug_never_shows_secrets() {
        let key = Key::hmac(b"0123456789abcdef0123456789abcdef", Algorithm::HS256).unwrap();
        let dbg = format!("{key:?}");
        assert!(!dbg.contains("0123456789"), "{dbg}");
        let ec = Key::generate(Algorithm::ES256, &SystemRandom::new()).unwrap();
        let pkcs8 = ec.private_key_der().unwrap();
        let dbg = format!("{ec:?}");
        assert!(dbg.contains("redacted"));
        assert!(!dbg.contains(&format!("{:?}", &pkcs8[..8])));
    }
}
