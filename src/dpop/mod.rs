//! Sender-constrained access tokens: DPoP proofs (RFC 9449) and certificate-bound tokens
//! (RFC 8705 §3), for clients, authorization servers and resource servers.
//!
//! (Work in progress: the module documentation is completed with the proof API.)

mod cnf;

pub use cnf::{Confirmation, MAX_CERTIFICATE_LEN, certificate_thumbprint};
