//! Signing and verifying with a [`Key`] (RFC 7515 §5.1 step 5, §5.2 step 8; RFC 7518 §3.2–§3.5,
//! RFC 8037 §3.1): the key's own algorithm signs, and a signature verifies only when the
//! header's `alg` is the one the key is bound to (RFC 8725 §3.1). HMAC tags are compared in
//! constant time by the backend.

use crate::crypto::{SecureRandom, hmac};

use super::{Key, Material};
use crate::jwt::alg::Algorithm;
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
        match &*self.material {
            Material::Hmac { key, .. } => Ok(hmac::sign(key, signing_input).as_ref().to_vec()),
            Material::RsaPrivate { pair, .. } => {
                let scheme = self.alg.rsa_scheme().ok_or(Error::new(
                    ErrorKind::KeyAlgorithmMismatch,
                    "not an RSA algorithm",
                ))?;
                pair.sign(scheme, signing_input)
            }
            Material::EcPrivate { pair, .. } => pair.sign(signing_input),
            Material::EdPrivate { pair, .. } => Ok(pair.sign(signing_input)),
            Material::MlDsaPrivate { pair, .. } => pair.sign(signing_input),
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
            Material::RsaPrivate { n, verifier, .. } | Material::RsaPublic { n, verifier, .. } => {
                sig.len() == n.len() && verifier.verify(signing_input, sig)
            }
            Material::EcPrivate { verifier, .. }
            | Material::EcPublic { verifier, .. }
            | Material::EdPrivate { verifier, .. }
            | Material::EdPublic { verifier, .. }
            | Material::MlDsaPrivate { verifier, .. }
            | Material::MlDsaPublic { verifier, .. } => {
                Some(sig.len()) == self.alg.signature_len() && verifier.verify(signing_input, sig)
            }
        };
        if ok { Ok(()) } else { Err(BAD) }
    }
}
