//! The resource server's side of sender-constrained tokens: a token bound with `cnf.jkt` is
//! accepted only with the `DPoP` scheme and a proof by that key (RFC 9449 §7.1, §7.2), one bound
//! with `cnf.x5t#S256` only over a TLS connection with that client certificate (RFC 8705 §3).

use serde_json::{Map, Value};

use super::cnf::{Confirmation, certificate_thumbprint};
use super::proof::{Proof, ProofValidator};
use crate::crypto::constant_time_eq;
use crate::jwt::{Verified, Verifier};
use crate::wire::AuthScheme;
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

/// A request to a protected resource that passed [`ResourceVerifier::verify`]: the verified
/// access token, how it was presented, and the proof and binding that go with it.
#[derive(Clone, Debug)]
pub struct Authorized {
    verified: Verified,
    scheme: AuthScheme,
    proof: Option<Proof>,
    cnf: Option<Confirmation>,
}

impl Authorized {
    /// The verified access token (header and claims).
    pub fn verified(&self) -> &Verified {
        &self.verified
    }

    /// The verified claims.
    pub fn claims(&self) -> &Map<String, Value> {
        self.verified.claims()
    }

    /// The scheme the token came with.
    pub fn scheme(&self) -> AuthScheme {
        self.scheme
    }

    /// The validated DPoP proof, for the `DPoP` scheme. **Refuse its replay**: record
    /// [`Proof::jti`] until [`Proof::replay_until`] ([`ReplayCache`](super::ReplayCache)).
    pub fn proof(&self) -> Option<&Proof> {
        self.proof.as_ref()
    }

    /// The token's binding, if it is sender-constrained.
    pub fn confirmation(&self) -> Option<&Confirmation> {
        self.cnf.as_ref()
    }
}

/// The resource server's verifier of sender-constrained access tokens: a JWT
/// [`Verifier`](crate::jwt::Verifier) for the token, a [`ProofValidator`] for the `DPoP`
/// proof, and the binding rules of [`check_binding`], in one call per request.
///
/// [`ResourceVerifier::verify`] takes what the host parsed from the request:
/// [`crate::wire::access_token`] gives the scheme and the token (when it gives none, answer 401
/// with [`crate::wire::dpop_challenge`] and the Bearer challenge and no error code), and the
/// one `DPoP` header ([`single_header`]). It then
///
/// 1. verifies the token (signature, then claims) — failures are `invalid_token`;
/// 2. for the `DPoP` scheme, validates the proof for this method and URI *with this token*
///    (so `ath` must match; a missing proof is [`ErrorKind::DpopProofRequired`]);
/// 3. applies [`check_binding`]: the proof's key is the token's `cnf.jkt`, a DPoP-bound token
///    is refused as `Bearer`, a certificate-bound one needs its certificate, and an unbound
///    token is refused when [`ResourceVerifier::require_sender_constrained`] is set.
///
/// The proof's replay is left to the host: see [`Authorized::proof`].
///
/// ```
/// use tessera::dpop::{ProofValidator, ResourceVerifier, create_proof};
/// use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
/// use tessera::wire::{AuthScheme, access_token};
///
/// let rng = tessera::SystemRandom::new();
/// let now = 1_800_000_000;
/// let as_key = Key::generate(Algorithm::ES256, &rng)?;
/// let client_key = Key::generate(Algorithm::ES256, &rng)?;
/// let claims = serde_json::json!({"iss": "https://as.example", "aud": "api", "exp": now + 60,
///     "cnf": {"jkt": client_key.thumbprint()?}});
/// let token = jwt::sign(&as_key, &Header::new().typ("at+jwt"), &claims, &rng)?;
///
/// let rs = ResourceVerifier::new(
///     Verifier::builder(as_key.public_key()?).issuer("https://as.example").audience("api").build()?,
///     ProofValidator::new(),
/// );
/// let authorization = format!("DPoP {token}");
/// let proof = create_proof(&client_key, "GET", "https://api.example/me", now, &rng, None, Some(&token))?;
/// let (scheme, token) = access_token(Some(&authorization))?.expect("a token");
/// let ok = rs.verify(scheme, token, Some(&proof), "GET", "https://api.example/me", None, now)?;
/// assert_eq!(ok.scheme(), AuthScheme::Dpop);
/// // The same token as a bearer token is refused (RFC 9449 §7.2).
/// assert!(rs.verify(AuthScheme::Bearer, token, None, "GET", "https://api.example/me", None, now).is_err());
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ResourceVerifier {
    verifier: Verifier,
    proofs: ProofValidator,
    require_bound: bool,
}

impl ResourceVerifier {
    /// A verifier of tokens with `verifier` and of proofs with `proofs`; unbound bearer tokens
    /// are accepted unless [`ResourceVerifier::require_sender_constrained`] says otherwise.
    pub fn new(verifier: Verifier, proofs: ProofValidator) -> ResourceVerifier {
        ResourceVerifier {
            verifier,
            proofs,
            require_bound: false,
        }
    }

    /// Refuse tokens without a `cnf` binding ([`ErrorKind::UnboundToken`], `invalid_token`).
    pub fn require_sender_constrained(mut self, required: bool) -> ResourceVerifier {
        self.require_bound = required;
        self
    }

    /// The proof validator (for the `algs` of the challenge and for nonces).
    pub fn proofs(&self) -> &ProofValidator {
        &self.proofs
    }

    /// The token verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Verifies one request: the token presented with `scheme`, the `DPoP` header value
    /// `proof` (if any), the request's `method` and full `uri`, the mutual-TLS client
    /// certificate (DER) if any, at `now`. The steps are in the
    /// [type documentation](ResourceVerifier); each failure keeps its own [`ErrorKind`], which
    /// [`crate::wire::resource_error_for`] maps to `invalid_token`, `invalid_dpop_proof` or
    /// `use_dpop_nonce`.
    #[allow(clippy::too_many_arguments)]
    pub fn verify(
        &self,
        scheme: AuthScheme,
        token: &str,
        proof: Option<&str>,
        method: &str,
        uri: &str,
        client_certificate: Option<&[u8]>,
        now: i64,
    ) -> Result<Authorized> {
        let verified = self.verifier.verify(token, now)?;
        let proof = match scheme {
            AuthScheme::Dpop => {
                let proof = proof.ok_or(Error::new(
                    ErrorKind::DpopProofRequired,
                    "the DPoP scheme needs a DPoP proof header",
                ))?;
                Some(self.proofs.validate(proof, method, uri, now, Some(token))?)
            }
            AuthScheme::Bearer => None,
        };
        let presentation = match &proof {
            Some(p) => Presentation::Dpop(p),
            None => Presentation::Bearer,
        };
        let cnf = check_binding(
            verified.claims(),
            presentation,
            client_certificate,
            self.require_bound,
        )?;
        Ok(Authorized {
            verified,
            scheme,
            proof,
            cnf,
        })
    }
}
