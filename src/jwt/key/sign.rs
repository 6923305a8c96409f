//! Signing and verifying with a [`Key`] (RFC 7515 §5.1 step 5, §5.2 step 8; RFC 7518 §3.2–§3.5,
//! RFC 8037 §3.1): the key's own algorithm signs, and a signature verifies only when the
//! header's `alg` is the one the key is bound to (RFC 8725 §3.1). HMAC tags are compared in
//! constant time by `ring`.

use crate::crypto::hmac;
use crate::crypto::signature::{self, KeyPair as _};
use crate::crypto::{BackendRandom, SecureRandom};

use super::{Key, Material, ec_coordinate_len};
use crate::jwt::alg::{Algorithm, KeyFamily};
use crate::{Error, ErrorKind, Result};

impl Key {
    /// Signs `signing_input` (the ASCII `BASE64URL(header).BASE64URL(payload)`). The
    /// randomness of RSA and ECDSA signing is drawn inside the backend, from its own system
    /// generator ([`crate::crypto`]); HMAC and Ed25519 signing use none.
    pub(crate) fn sign_input(
        &self,
        signing_input: &[u8],
        _rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>> {
        if !self.usage.sign {
            return Err(Error::new(
                ErrorKind::KeyUsage,
                "the key's use/key_ops do not allow signing",
            ));
        }
        let rand_err = |_| {
            Error::new(
                ErrorKind::RandomFailure,
                "signing failed: the random number generator failed",
            )
        };
        match &*self.material {
            Material::Hmac { key, .. } => Ok(hmac::sign(key, signing_input).as_ref().to_vec()),
            Material::RsaPrivate { pair, .. } => {
                let encoding = self.alg.rsa_sign().ok_or(Error::new(
                    ErrorKind::KeyAlgorithmMismatch,
                    "not an RSA algorithm",
                ))?;
                let mut sig = vec![0u8; pair.public().modulus_len()];
                pair.sign(encoding, &BackendRandom::new(), signing_input, &mut sig)
                    .map_err(rand_err)?;
                Ok(sig)
            }
            Material::EcPrivate { pair, .. } => Ok(pair
                .sign(&BackendRandom::new(), signing_input)
                .map_err(rand_err)?
                .as_ref()
                .to_vec()),
            Material::EdPrivate { pair, .. } => Ok(pair.sign(signing_input).as_ref().to_vec()),
            _ => Err(Error::new(
                ErrorKind::NotPrivateKey,
                "signing needs a private key",
            )),
        }
    }

    /// Verifies `signature` over `signing_input` for a token whose header says `header_alg`.
    pub(crate) fn verify_input(
        &self,
        header_alg: Algorithm,
        signing_input: &[u8],
        sig: &[u8],
    ) -> Result<()> {
        if !self.alg.accepts(header_alg) {
            return Err(Error::with_detail(
                ErrorKind::AlgorithmMismatch,
                format!(
                    "token alg {header_alg} but the key is bound to {}",
                    self.alg
                ),
            ));
        }
        if !self.usage.verify {
            return Err(Error::new(
                ErrorKind::KeyUsage,
                "the key's use/key_ops do not allow verification",
            ));
        }
        const BAD: Error = Error::new(ErrorKind::InvalidSignature, "");
        let ok = match &*self.material {
            Material::Hmac { key, .. } => {
                sig.len() == self.alg.signature_len().unwrap_or(0)
                    && hmac::verify(key, signing_input, sig).is_ok()
            }
            Material::RsaPrivate { n, e, .. } | Material::RsaPublic { n, e } => {
                let params = self.alg.rsa_verify().ok_or(BAD)?;
                sig.len() == n.len()
                    && signature::RsaPublicKeyComponents {
                        n: &n[..],
                        e: &e[..],
                    }
                    .verify(params, signing_input, sig)
                    .is_ok()
            }
            Material::EcPrivate { pair, family, .. } => {
                verify_ec(*family, pair.public_key().as_ref(), signing_input, sig)
            }
            Material::EcPublic { family, point } => verify_ec(*family, point, signing_input, sig),
            Material::EdPrivate { pair, .. } => {
                verify_ed(pair.public_key().as_ref(), signing_input, sig)
            }
            Material::EdPublic { x } => verify_ed(x, signing_input, sig),
        };
        if ok { Ok(()) } else { Err(BAD) }
    }
}

fn verify_ec(family: KeyFamily, point: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let alg: &'static signature::EcdsaVerificationAlgorithm = if family == KeyFamily::P384 {
        &signature::ECDSA_P384_SHA384_FIXED
    } else {
        &signature::ECDSA_P256_SHA256_FIXED
    };
    sig.len() == 2 * ec_coordinate_len(family)
        && signature::UnparsedPublicKey::new(alg, point)
            .verify(msg, sig)
            .is_ok()
}

fn verify_ed(x: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    sig.len() == 64
        && signature::UnparsedPublicKey::new(&signature::ED25519, x)
            .verify(msg, sig)
            .is_ok()
}
