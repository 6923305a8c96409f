//! The resource server's side of sender-constrained tokens: a token bound with `cnf.jkt` is
//! accepted only with the `DPoP` scheme and a proof by that key (RFC 9449 §7.1, §7.2), one bound
//! with `cnf.x5t#S256` only over a TLS connection with that client certificate (RFC 8705 §3).

use serde_json::{Map, Value};

use super::cnf::{Confirmation, certificate_thumbprint};
use super::proof::Proof;
use crate::crypto::constant_time_eq;
use crate::{Error, ErrorKind, Result};

/// How an access token was presented to a resource server.
#[derive(Clone, Copy, Debug)]
pub enum Presentation<'a> {
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1).
    Bearer,
    /// `Authorization: DPoP <token>` with a `DPoP` proof that passed
    /// [`ProofValidator::validate`](super::ProofValidator::validate) *with this access token*
    /// (so its `ath` matched).
    Dpop(&'a Proof),
}

/// Checks that a verified access token's `claims` were presented the way their `cnf` binding
/// requires, and returns the binding:
///
/// | token | presented | result |
/// |---|---|---|
/// | `cnf.jkt` | `Bearer` | [`ErrorKind::DpopBoundToken`] (RFC 9449 §7.2) |
/// | `cnf.jkt` | `DPoP`, proof by another key | [`ErrorKind::DpopKeyMismatch`] |
/// | `cnf.jkt` | `DPoP`, proof by that key | accepted |
/// | no `cnf.jkt` | `DPoP` | [`ErrorKind::DpopKeyMismatch`] (the token is not DPoP-bound) |
/// | `cnf.x5t#S256` | no certificate, or another one | [`ErrorKind::CertificateMismatch`] (RFC 8705 §3) |
/// | no `cnf` | `Bearer` | accepted, unless `require_bound`: [`ErrorKind::UnboundToken`] |
///
/// `client_certificate` is the DER certificate of the mutual-TLS connection, if any. A `cnf`
/// that is not an object of thumbprints is [`ErrorKind::InvalidClaimType`]; one with only
/// methods tessera cannot check is [`ErrorKind::UnboundToken`]. Every refusal maps to
/// `invalid_token` or `invalid_dpop_proof` with [`crate::wire::resource_error_for`].
pub fn check_binding(
    claims: &Map<String, Value>,
    presentation: Presentation<'_>,
    client_certificate: Option<&[u8]>,
    require_bound: bool,
) -> Result<Option<Confirmation>> {
    let cnf = Confirmation::from_claims(claims)?;
    let Some(cnf) = cnf else {
        if let Presentation::Dpop(_) = presentation {
            return Err(Error::new(
                ErrorKind::DpopKeyMismatch,
                "the access token is not bound to a DPoP key",
            ));
        }
        if require_bound {
            return Err(Error::new(
                ErrorKind::UnboundToken,
                "the access token is not sender-constrained",
            ));
        }
        return Ok(None);
    };
    match (&cnf.jkt, presentation) {
        (Some(_), Presentation::Bearer) => {
            return Err(Error::new(
                ErrorKind::DpopBoundToken,
                "a DPoP-bound access token needs the DPoP scheme and a proof",
            ));
        }
        (Some(jkt), Presentation::Dpop(proof)) => {
            if !constant_time_eq(jkt.as_bytes(), proof.jkt().as_bytes()) {
                return Err(Error::new(
                    ErrorKind::DpopKeyMismatch,
                    "the DPoP proof's key is not the one the access token is bound to",
                ));
            }
        }
        (None, Presentation::Dpop(_)) => {
            return Err(Error::new(
                ErrorKind::DpopKeyMismatch,
                "the access token is not bound to a DPoP key",
            ));
        }
        (None, Presentation::Bearer) => {}
    }
    if let Some(x5t) = &cnf.x5t_s256 {
        let Some(der) = client_certificate else {
            return Err(Error::new(
                ErrorKind::CertificateMismatch,
                "the access token is bound to a client certificate and none was presented",
            ));
        };
        let presented = certificate_thumbprint(der).map_err(|e| {
            Error::with_detail(
                ErrorKind::CertificateMismatch,
                format!("the client certificate: {}", e.detail()),
            )
        })?;
        if !constant_time_eq(x5t.as_bytes(), presented.as_bytes()) {
            return Err(Error::new(
                ErrorKind::CertificateMismatch,
                "the client certificate is not the one the access token is bound to",
            ));
        }
    }
    Ok(Some(cnf))
}

/// The one `DPoP` header value of a request (RFC 9449 §4.3 rule 1): `Ok(None)` for none,
/// the value for one, [`ErrorKind::DpopMalformed`] for more than one.
pub fn single_header<'a>(values: &[&'a str]) -> Result<Option<&'a str>> {
    match values {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(Error::new(
            ErrorKind::DpopMalformed,
            "the request has more than one DPoP header",
        )),
    }
}
