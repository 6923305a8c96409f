//! Sender-constrained access tokens, for clients, authorization servers and resource servers:
//! DPoP (RFC 9449) and certificate-bound tokens (RFC 8705 §3). No I/O: `now` and randomness are
//! passed in, and replay state is the host's.
//!
//! | piece | implements |
//! |---|---|
//! | [`create_proof`], [`ath`] | RFC 9449 §4.1–§4.2 (the client) |
//! | [`ProofValidator`], [`Proof`], [`normalize_htu`], [`single_header`] | RFC 9449 §4.3 (every rule), RFC 3986 §6.2.2–§6.2.3 |
//! | [`NonceIssuer`] | RFC 9449 §8, §9 (server nonces, without storage) |
//! | [`ReplayCache`] | RFC 9449 §11.1 (one process; several share a store) |
//! | [`Confirmation`] | RFC 7800 §3.1, RFC 9449 §6.1 (`jkt`), RFC 8705 §3.1 (`x5t#S256`) |
//! | [`check_binding`], [`ResourceVerifier`] | RFC 9449 §7.1–§7.2, RFC 8705 §3 (the resource server) |
//!
//! The authorization server binds tokens through [`crate::grant`]: the host validates the
//! proof, then passes [`Proof::confirmation`] (or [`Confirmation::certificate`] for mutual TLS)
//! to the token endpoint, which puts it in the access token's `cnf` and answers
//! `token_type: "DPoP"`.
//!
//! ## What the host does
//!
//! 1. **One proof.** Take the request's `DPoP` headers; more than one is an error
//!    ([`single_header`]).
//! 2. **Validate** it with a [`ProofValidator`] built once: the method, the full request URI
//!    (the engine drops query and fragment and normalises), `now`, and at a resource server the
//!    access token from `Authorization: DPoP <token>`.
//! 3. **Refuse replays.** The engine returns the proof's `jti` and how long it stays valid
//!    ([`Proof::replay_until`]); the host must refuse a `jti` it has seen before within that
//!    time, with `invalid_dpop_proof`. [`ReplayCache`] does this in one process.
//! 4. **Nonces**, when the validator requires them: answer `use_dpop_nonce` errors with the
//!    header `DPoP-Nonce: <ProofValidator::nonce(now)>`; send a fresh one on other responses
//!    too when convenient.
//! 5. At a **resource server**, [`ResourceVerifier`] verifies the token, validates the proof
//!    with its `ath`, and matches the proof's key (or the TLS client certificate) to the
//!    token's `cnf` ([`check_binding`], for tokens verified some other way, e.g. introspected).
//!    A 401 carries the challenges of [`crate::wire::ErrorResponse::with_challenges`], `DPoP`
//!    first.
//!
//! Every failure has its own [`ErrorKind`](crate::ErrorKind) (800–817), which
//! [`crate::wire::token_error_for`] and [`crate::wire::resource_error_for`] map to
//! `invalid_dpop_proof`, `use_dpop_nonce` or `invalid_token`.
//!
//! ```
//! use tessera::dpop::{Presentation, ProofValidator, ReplayCache, check_binding, create_proof};
//! use tessera::jwt::{Algorithm, Key};
//!
//! let rng = tessera::SystemRandom::new();
//! let now = 1_800_000_000;
//! // The client.
//! let client_key = Key::generate(Algorithm::ES256, &rng)?;
//! let token = "an-access-token";
//! let proof = create_proof(&client_key, "GET", "https://api.example/v1/me?x=1", now, &rng, None, Some(token))?;
//! // The resource server.
//! let validator = ProofValidator::new();
//! let replay = ReplayCache::new(100_000, &rng)?;
//! let checked = validator.validate(&proof, "GET", "https://api.example/v1/me?x=1", now, Some(token))?;
//! replay.check_proof(&checked, now)?;
//! let claims = serde_json::json!({"cnf": {"jkt": client_key.thumbprint()?}});
//! check_binding(claims.as_object().unwrap(), Presentation::Dpop(&checked), None, true)?;
//! assert!(replay.check_proof(&checked, now).is_err()); // the same proof again
//! # Ok::<(), tessera::Error>(())
//! ```

mod cnf;
mod htu;
mod nonce;
mod proof;
mod replay;
mod resource;

pub use cnf::{Confirmation, MAX_CERTIFICATE_LEN, certificate_thumbprint};
pub use htu::{MAX_HTU_LEN, normalize_htu};
pub use nonce::{DEFAULT_NONCE_STEP, MIN_NONCE_KEY_LEN, NonceIssuer};
pub use proof::{
    DEFAULT_IAT_WINDOW, DEFAULT_MAX_PROOF_LEN, DPOP_TYP, JTI_BYTES, MAX_IAT_WINDOW, MAX_JTI_LEN,
    MAX_NONCE_LEN, MAX_PROOF_LEN, Proof, ProofValidator, ProofValidatorBuilder, ath, create_proof,
};
pub use replay::{MAX_REPLAY_CAPACITY, ReplayCache};
pub use resource::{Authorized, Presentation, ResourceVerifier, check_binding, single_header};
