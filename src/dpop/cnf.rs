//! The `cnf` (confirmation) claim of a sender-constrained access token: RFC 7800 §3.1 with the
//! members RFC 9449 §6.1 (`jkt`, the RFC 7638 thumbprint of a DPoP key) and RFC 8705 §3.1
//! (`x5t#S256`, the SHA-256 thumbprint of a client certificate) define.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto::digest;
use crate::jwt::{b64_encode, der_sequence, is_b64_sha256};
pub use crate::limits::MAX_CERTIFICATE_LEN;
use crate::{Error, ErrorKind, Result};

/// What a sender-constrained token is bound to: its `cnf` claim (RFC 7800 §3.1).
///
/// - `jkt`: the RFC 7638 SHA-256 thumbprint of the client's DPoP public key (RFC 9449 §6.1);
/// - `x5t#S256`: the SHA-256 thumbprint of the DER client certificate of a mutual-TLS
///   connection (RFC 8705 §3.1).
///
/// At least one is present. It serialises as the claim value, `{"jkt": "..."}`,
/// `{"x5t#S256": "..."}` or both; [`Confirmation::from_claims`] reads it back from verified
/// claims, refusing members of the wrong type.
///
/// ```
/// use tessera::dpop::Confirmation;
///
/// let cnf = Confirmation::jkt("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I")?;
/// assert_eq!(cnf.to_value().to_string(), r#"{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}"#);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawConfirmation")]
pub struct Confirmation {
    /// The DPoP key thumbprint (RFC 9449 §6.1), if bound to a DPoP key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
    /// The certificate thumbprint (RFC 8705 §3.1), if bound to a client certificate.
    #[serde(rename = "x5t#S256", skip_serializing_if = "Option::is_none")]
    pub x5t_s256: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfirmation {
    jkt: Option<String>,
    #[serde(rename = "x5t#S256")]
    x5t_s256: Option<String>,
}

impl TryFrom<RawConfirmation> for Confirmation {
    type Error = Error;
    fn try_from(raw: RawConfirmation) -> Result<Confirmation> {
        Confirmation::new(raw.jkt, raw.x5t_s256)
    }
}

fn check_thumbprint(value: &str, what: &'static str) -> Result<()> {
    if !is_b64_sha256(value) {
        return Err(Error::with_detail(
            ErrorKind::InvalidArgument,
            format!("{what} must be a base64url SHA-256 thumbprint (43 characters)"),
        ));
    }
    Ok(())
}

impl Confirmation {
    /// A confirmation with the given members, each a base64url SHA-256 thumbprint; at least one.
    pub fn new(jkt: Option<String>, x5t_s256: Option<String>) -> Result<Confirmation> {
        if jkt.is_none() && x5t_s256.is_none() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a confirmation needs \"jkt\" or \"x5t#S256\"",
            ));
        }
        if let Some(jkt) = &jkt {
            check_thumbprint(jkt, "\"jkt\"")?;
        }
        if let Some(x5t) = &x5t_s256 {
            check_thumbprint(x5t, "\"x5t#S256\"")?;
        }
        Ok(Confirmation { jkt, x5t_s256 })
    }

    /// Bound to the DPoP key of RFC 7638 thumbprint `jkt` (what [`Proof::jkt`](super::Proof::jkt)
    /// returns).
    pub fn jkt(jkt: impl Into<String>) -> Result<Confirmation> {
        Confirmation::new(Some(jkt.into()), None)
    }

    /// Bound to the client certificate `der` (RFC 8705 §3.1): `x5t#S256` is the base64url
    /// SHA-256 of the DER bytes. The certificate must be one DER `SEQUENCE` (the TLS stack's
    /// certificate as is), at most [`MAX_CERTIFICATE_LEN`] bytes.
    pub fn certificate(der: &[u8]) -> Result<Confirmation> {
        Ok(Confirmation {
            jkt: None,
            x5t_s256: Some(certificate_thumbprint(der)?),
        })
    }

    /// This confirmation with the certificate `der` bound as well.
    pub fn with_certificate(mut self, der: &[u8]) -> Result<Confirmation> {
        self.x5t_s256 = Some(certificate_thumbprint(der)?);
        Ok(self)
    }

    /// The `cnf` claim of verified `claims`: `Ok(None)` when there is none; an error of kind
    /// [`ErrorKind::InvalidClaimType`] when it is not an object of thumbprint strings.
    pub fn from_claims(claims: &Map<String, Value>) -> Result<Option<Confirmation>> {
        let Some(cnf) = claims.get("cnf") else {
            return Ok(None);
        };
        let Value::Object(cnf) = cnf else {
            return Err(Error::new(
                ErrorKind::InvalidClaimType,
                "claim \"cnf\" is not an object",
            ));
        };
        let member = |name: &str| -> Result<Option<String>> {
            match cnf.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::with_detail(
                    ErrorKind::InvalidClaimType,
                    format!("claim \"cnf\" member \"{name}\" is not a string"),
                )),
            }
        };
        let (jkt, x5t) = (member("jkt")?, member("x5t#S256")?);
        if jkt.is_none() && x5t.is_none() {
            // Other confirmation methods (RFC 7800 `jwk`, `jku`, `kid`) are not ones tessera
            // can check: treat the token as bound to something unknown.
            return Err(Error::new(
                ErrorKind::UnboundToken,
                "claim \"cnf\" has neither \"jkt\" nor \"x5t#S256\"",
            ));
        }
        Confirmation::new(jkt, x5t)
            .map(Some)
            .map_err(|e| Error::with_detail(ErrorKind::InvalidClaimType, e.detail().to_owned()))
    }

    /// The claim value: `{"jkt": "..."}`, `{"x5t#S256": "..."}` or both.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        if let Some(jkt) = &self.jkt {
            let _ = map.insert("jkt".into(), Value::String(jkt.clone()));
        }
        if let Some(x5t) = &self.x5t_s256 {
            let _ = map.insert("x5t#S256".into(), Value::String(x5t.clone()));
        }
        Value::Object(map)
    }
}

/// The RFC 8705 §3.1 thumbprint of a DER certificate: base64url(SHA-256(der)), after checking
/// that `der` is exactly one DER `SEQUENCE` of at most [`MAX_CERTIFICATE_LEN`] bytes.
pub fn certificate_thumbprint(der: &[u8]) -> Result<String> {
    if der.len() > MAX_CERTIFICATE_LEN {
        return Err(Error::new(
            ErrorKind::TooLarge,
            "the client certificate exceeds 64 KiB",
        ));
    }
    if der_sequence(der).is_err() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "the client certificate is not one DER SEQUENCE",
        ));
    }
    Ok(b64_encode(digest::digest(&digest::SHA256, der).as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_round_trip_and_refusals() {
        let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
        let cnf = Confirmation::jkt(jkt).unwrap();
        let text = serde_json::to_string(&cnf).unwrap();
        assert_eq!(text, format!(r#"{{"jkt":"{jkt}"}}"#));
        assert_eq!(serde_json::from_str::<Confirmation>(&text).unwrap(), cnf);
        assert!(serde_json::from_str::<Confirmation>("{}").is_err());
        assert!(serde_json::from_str::<Confirmation>(r#"{"jkt":"short"}"#).is_err());
        assert!(serde_json::from_str::<Confirmation>(r#"{"jkt":"x","other":1}"#).is_err());
        assert!(Confirmation::jkt(format!("{}=", &jkt[..42])).is_err());
    }

    #[test]
    fn certificate_thumbprints_need_one_der_sequence() {
        // A short SEQUENCE and a long-form one.
        let short = [0x30, 0x03, 0x02, 0x01, 0x05];
        let cnf = Confirmation::certificate(&short).unwrap();
        assert_eq!(cnf.x5t_s256.as_deref().map(str::len), Some(43));
        let mut long = vec![0x30, 0x81, 0x80];
        long.extend([0u8; 0x80]);
        assert!(certificate_thumbprint(&long).is_ok());
        for bad in [
            &[][..],
            &[0x31, 0x00],
            &[0x30, 0x02, 0x00],
            &[0x30, 0x81, 0x05, 0, 0, 0, 0, 0],
            &[0x30, 0x80, 0x00, 0x00],
            &[0x30, 0x00, 0x00],
        ] {
            assert!(certificate_thumbprint(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn from_claims_reads_and_refuses() {
        let claims = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            Confirmation::from_claims(&claims(serde_json::json!({"sub": "a"}))).unwrap(),
            None
        );
        let kind = |v: Value| Confirmation::from_claims(&claims(v)).unwrap_err().kind();
        assert_eq!(
            kind(serde_json::json!({"cnf": "x"})),
            ErrorKind::InvalidClaimType
        );
        assert_eq!(
            kind(serde_json::json!({"cnf": {"jkt": 5}})),
            ErrorKind::InvalidClaimType
        );
        assert_eq!(
            kind(serde_json::json!({"cnf": {"jkt": "abc"}})),
            ErrorKind::InvalidClaimType
        );
        assert_eq!(
            kind(serde_json::json!({"cnf": {"jwk": {}}})),
            ErrorKind::UnboundToken
        );
    }
}
