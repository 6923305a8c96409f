//! Decoding without verification, for debugging tools only: the same strict parsing and
//! default size limits as verification (RFC 7515 §5.2 steps 1–8), and no signature check.

use serde_json::{Map, Value};

use crate::Result;
use crate::jwt::b64::b64_decode;
use crate::jwt::header::Header;
use crate::jwt::json::{check_object_members, parse_object};
use crate::jwt::jws::{self, Limits};

/// A token's header and claims, **not verified**: nothing here may be trusted.
///
/// ```
/// use tessera::jwt::dangerous::decode_unverified;
/// let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
/// let unverified = decode_unverified(token)?;
/// assert_eq!(unverified.claims["sub"], "x"); // for debugging only: nothing is verified
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Unverified {
    /// The header, parsed strictly but not authenticated.
    pub header: Header,
    /// The claims set, parsed strictly but not authenticated.
    pub claims: Map<String, Value>,
}

/// Decodes a compact JWT's header and claims **without verifying the signature**, with
/// the same strict parsing and default size limits as verification. Never use the result
/// for an authorization decision.
pub fn decode_unverified(token: impl AsRef<[u8]>) -> Result<Unverified> {
    let parts = jws::split(token.as_ref(), &Limits::default())?;
    let header_bytes = b64_decode(parts.header_b64)?;
    let header_map = parse_object(&header_bytes)?;
    let crit: Vec<String> = match header_map.get("crit") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let header = Header::parse(&header_bytes, &crit)?;
    let payload = b64_decode(parts.payload_b64)?;
    // The same member limit as verification, checked while reading (before the map is built).
    check_object_members(&payload, Limits::default().max_claims)?;
    let claims = parse_object(&payload)?;
    Ok(Unverified { header, claims })
}
