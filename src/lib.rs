//! # tessera: an embeddable token engine
//!
//! tessera does the token work of an OAuth 2.0 authorization server and of the APIs behind it,
//! as pure functions with no I/O: the caller passes the clock (`now`, Unix seconds) and, where
//! randomness is needed, a [`SecureRandom`] (such as [`SystemRandom`]).
//!
//! - [`jwt`]: JSON Web Tokens (JWS compact serialization, RFC 7515/7519) signed and verified on
//!   `ring`, keys from secrets, PEM/DER, JWK and JWKS (RFC 7517/7518/8037), RFC 7638
//!   thumbprints, and claim validation that is safe by default (RFC 8725, RFC 9068).
//! - [`scope`]: RFC 6749 §3.3 scope strings and `resource:action` scopes with implications.
//! - [`token`]: opaque authorization codes, refresh tokens and API keys, with keyed lookup hashes.
//! - [`pkce`]: RFC 7636 proof key for code exchange.
//! - [`grant`]: OAuth 2.0 grants (authorization code, refresh, client credentials, revocation,
//!   introspection) as pure state machines over versioned grant-family state.
//! - [`wire`]: form bodies, `Authorization` headers, token and error JSON, redirect URIs and
//!   RFC 8414 metadata.
//! - [`ffi`]: the C ABI behind `include/tessera.h` (the only module with `unsafe`).
//! - [`Error`] / [`ErrorKind`]: one error type, one table of stable numeric codes.
//!
//! ## Quick start (see README)
//!
//! ```
//! use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
//! use tessera::SystemRandom;
//!
//! let rng = SystemRandom::new();
//! let key = Key::generate(Algorithm::ES256, &rng)?.with_kid("2026-11");
//! let now = 1_800_000_000;
//! let claims = serde_json::json!({
//!     "iss": "https://auth.example", "sub": "user-42", "aud": "media-api",
//!     "exp": now + 300, "iat": now, "scope": "job:read recording:read",
//! });
//! let token = jwt::sign(&key, &Header::new().typ("at+jwt"), &claims, &rng)?;
//!
//! let verifier = Verifier::builder(key.public_key()?)
//!     .issuer("https://auth.example")
//!     .audience("media-api")
//!     .typ("at+jwt")
//!     .build()?;
//! let verified = verifier.verify(&token, now + 10)?;
//! assert_eq!(verified.registered().sub.as_deref(), Some("user-42"));
//! # Ok::<(), tessera::Error>(())
//! ```
//!
//! The size limits of every input, their defaults and which are configurable follow (the same
//! text is `docs/LIMITS.md`).
//!
#![doc = include_str!("../docs/LIMITS.md")]
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(
    unused_results,
    unused_qualifications,
    clippy::cast_lossless,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    clippy::unwrap_used,
    clippy::panic
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::panic))]
// The test-only second build (tests/ring-backend) leaves out the C ABI, which uses some items.
#![cfg_attr(tessera_second_backend, allow(dead_code))]

pub mod crypto;
pub mod dpop;
mod error;
#[allow(unsafe_code)]
#[cfg(not(tessera_second_backend))]
pub mod ffi;
pub mod grant;
pub mod jwt;
mod limits;
pub mod pkce;
pub mod scope;
pub mod token;
pub mod wire;

pub use crypto::{Backend, SecureRandom, SystemRandom, backend};
pub use error::{Error, ErrorKind, MAX_DETAIL_LEN, Result};
