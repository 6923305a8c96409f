//! Server nonces without storage (RFC 9449 §8, §9): a nonce is an HMAC over a time step, so any
//! process holding the key can check it, and it expires by itself after two steps.

use std::fmt;

use zeroize::Zeroizing;

use crate::crypto::{constant_time_eq, hmac};
use crate::jwt::{b64_decode, b64_encode};
pub use crate::limits::MIN_NONCE_KEY_LEN;
use crate::{Error, ErrorKind, Result};

/// Default time step of a [`NonceIssuer`] (300 seconds): a nonce is accepted for 5 to 10
/// minutes.
pub const DEFAULT_NONCE_STEP: u64 = 300;

/// Bytes of the HMAC tag kept in a nonce (128 bits).
const TAG_LEN: usize = 16;

/// Domain separation of the MAC input, so the key cannot be misused for other MACs.
const LABEL: &[u8] = b"tessera dpop-nonce v1\0";

/// Makes and checks DPoP nonces (`DPoP-Nonce`, RFC 9449 §8) from an HMAC-SHA-256 key and a
/// time step: the nonce at `now` is `base64url(step ‖ HMAC(key, label ‖ step)[..16])` with
/// `step = floor(now / step_seconds)`, and [`NonceIssuer::check`] accepts the nonces of the
/// current and the previous step. Nothing is stored; every process with the same key and step
/// agrees. Rotate the key to invalidate every outstanding nonce.
///
/// ```
/// use tessera::dpop::NonceIssuer;
/// let issuer = NonceIssuer::new(&[7u8; 32], 300)?;
/// let nonce = issuer.nonce(1_800_000_000);
/// issuer.check(&nonce, 1_800_000_100)?;          // same step
/// issuer.check(&nonce, 1_800_000_400)?;          // the next one
/// assert!(issuer.check(&nonce, 1_800_000_700).is_err()); // two steps on: stale
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone)]
pub struct NonceIssuer {
    key: hmac::Key,
    secret: Zeroizing<Vec<u8>>,
    step: u64,
}

impl fmt::Debug for NonceIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonceIssuer")
            .field("step", &self.step)
            .finish_non_exhaustive()
    }
}

impl PartialEq for NonceIssuer {
    fn eq(&self, other: &Self) -> bool {
        self.step == other.step && constant_time_eq(&self.secret, &other.secret)
    }
}

impl NonceIssuer {
    /// An issuer with HMAC key `secret` (at least [`MIN_NONCE_KEY_LEN`] bytes, else
    /// [`ErrorKind::WeakKey`]) and a step of `step_seconds` (1 to 86,400, else
    /// [`ErrorKind::InvalidArgument`]).
    pub fn new(secret: &[u8], step_seconds: u64) -> Result<NonceIssuer> {
        if secret.len() < MIN_NONCE_KEY_LEN {
            return Err(Error::new(
                ErrorKind::WeakKey,
                "a DPoP nonce key needs at least 32 bytes",
            ));
        }
        if !(1..=86_400).contains(&step_seconds) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the DPoP nonce step is 1 to 86400 seconds",
            ));
        }
        Ok(NonceIssuer {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            secret: Zeroizing::new(secret.to_vec()),
            step: step_seconds,
        })
    }

    /// The time step, in seconds.
    pub fn step_seconds(&self) -> u64 {
        self.step
    }

    fn step_at(&self, now: i64) -> i64 {
        now.div_euclid(i64::try_from(self.step).unwrap_or(i64::MAX))
    }

    fn tag(&self, step: i64) -> [u8; TAG_LEN] {
        let mut input = Vec::with_capacity(LABEL.len() + 8);
        input.extend_from_slice(LABEL);
        input.extend_from_slice(&step.to_be_bytes());
        let full = hmac::sign(&self.key, &input);
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full.as_ref()[..TAG_LEN]);
        tag
    }

    /// The nonce to send at `now` (the `DPoP-Nonce` header value): 32 base64url characters.
    pub fn nonce(&self, now: i64) -> String {
        let step = self.step_at(now);
        let mut raw = [0u8; 8 + TAG_LEN];
        raw[..8].copy_from_slice(&step.to_be_bytes());
        raw[8..].copy_from_slice(&self.tag(step));
        b64_encode(&raw)
    }

    /// Accepts a nonce made at `now`'s step or the one before; anything else is
    /// [`ErrorKind::DpopNonceInvalid`] (answer `use_dpop_nonce` with a fresh nonce).
    pub fn check(&self, nonce: &str, now: i64) -> Result<()> {
        const STALE: Error = Error::new(
            ErrorKind::DpopNonceInvalid,
            "the DPoP nonce is not one this server issued recently",
        );
        if nonce.len() != 32 {
            return Err(STALE);
        }
        let raw = b64_decode(nonce.as_bytes()).map_err(|_| STALE)?;
        let (step, tag) = raw.split_at(8);
        let mut step_bytes = [0u8; 8];
        step_bytes.copy_from_slice(step);
        let step = i64::from_be_bytes(step_bytes);
        let current = self.step_at(now);
        if step != current && step != current.saturating_sub(1) {
            return Err(STALE);
        }
        if !constant_time_eq(&self.tag(step), tag) {
            return Err(STALE);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_forgeries() {
        let issuer = NonceIssuer::new(&[1u8; 32], 60).unwrap();
        let now = 1_800_000_020;
        let nonce = issuer.nonce(now);
        assert_eq!(nonce.len(), 32);
        assert!(crate::dpop::proof::is_nonce(&nonce));
        issuer.check(&nonce, now).unwrap();
        issuer.check(&nonce, now + 60).unwrap();
        for later in [now + 120, now - 60] {
            assert_eq!(
                issuer.check(&nonce, later).unwrap_err().kind(),
                ErrorKind::DpopNonceInvalid
            );
        }
        let other = NonceIssuer::new(&[2u8; 32], 60).unwrap();
        assert!(other.check(&nonce, now).is_err());
        let mut forged = nonce.into_bytes();
        forged[31] = if forged[31] == b'A' { b'B' } else { b'A' };
        assert!(
            issuer
                .check(std::str::from_utf8(&forged).unwrap(), now)
                .is_err()
        );
        for bad in ["", "x", &"A".repeat(32), &"é".repeat(16)] {
            assert!(issuer.check(bad, now).is_err(), "{bad}");
        }
        assert_eq!(
            NonceIssuer::new(&[0; 31], 60).unwrap_err().kind(),
            ErrorKind::WeakKey
        );
        assert!(NonceIssuer::new(&[0; 32], 0).is_err());
        assert!(NonceIssuer::new(&[0; 32], 86_401).is_err());
        // Negative clocks floor, not truncate.
        let n = issuer.nonce(-1);
        issuer.check(&n, -1).unwrap();
    }
}
