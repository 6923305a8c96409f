//! The size, count and time limits of the crate, in one place that every layer reads (it sits
//! below them all and imports nothing). `docs/LIMITS.md` documents them and is checked against
//! this file by the test below: every `pub const` here must appear there with its value.
//!
//! The module is private: each limit stays public at the path it always had (`jwt::`,
//! `jwt::Limits::`, `grant::`, `wire::`, `scope::`, `token::`, `pkce::`, `tessera::`), through a
//! `pub use` (or, for `jwt::Limits`, an associated constant) in that module.

/// One minute, in seconds.
pub(crate) const MINUTE: u64 = 60;
/// One day, in seconds.
pub(crate) const DAY: u64 = 24 * 60 * MINUTE;

// ---- errors (`tessera::`) -----------------------------------------------------------------------

/// Longest detail text an [`Error`](crate::Error) carries, in bytes (UTF-8): composed texts
/// longer than this are cut at a character boundary and end with `…`, so
/// [`Error::detail`](crate::Error::detail) (and the detail text of `tessera_verify_explain`,
/// `TESSERA_MAX_DETAIL_LEN` in C) never exceeds it.
pub const MAX_DETAIL_LEN: usize = 160;

// ---- the JWT core (`jwt`) -----------------------------------------------------------------------

/// Default [`Limits::max_token_len`](crate::jwt::Limits::max_token_len): 16 KiB.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 16 * 1024;

/// Default [`Limits::max_header_len`](crate::jwt::Limits::max_header_len): 4 KiB.
pub const DEFAULT_MAX_HEADER_LEN: usize = 4 * 1024;

/// Default [`Limits::max_claims`](crate::jwt::Limits::max_claims): 256 members.
pub const DEFAULT_MAX_CLAIMS: usize = 256;

/// Deepest nesting of arrays and objects accepted in a header, claims set or JWK.
pub const MAX_JSON_DEPTH: usize = 32;

/// Largest JWKS document accepted, in bytes.
pub const MAX_JWKS_LEN: usize = 256 * 1024;

/// Largest number of keys in a JWKS document.
pub const MAX_JWKS_KEYS: usize = 64;

/// Largest single JWK accepted, in bytes.
pub const MAX_JWK_LEN: usize = 32 * 1024;

/// Largest key container (PEM or DER) tessera reads, in bytes: 64 KiB. Longer is
/// [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge), before anything is decoded.
pub const MAX_KEY_INPUT: usize = 64 * 1024;

/// Smallest RSA modulus accepted, in bits (RFC 7518 §3.3).
pub const RSA_MIN_BITS: usize = 2048;

/// Largest RSA modulus accepted for verification, in bits (`ring`'s limit).
pub const RSA_MAX_BITS: usize = 8192;

/// Default clock-skew allowance, in seconds.
pub const DEFAULT_LEEWAY: u64 = 30;

/// Largest leeway a policy accepts, in seconds (five minutes).
pub const MAX_LEEWAY: u64 = 300;

/// The last NumericDate tessera accepts in `exp`, `nbf` and `iat`: 9999-12-31T23:59:59Z, in
/// Unix seconds. A NumericDate outside `0..=MAX_NUMERIC_DATE` (a negative one, one in
/// milliseconds such as `1800000000000`, `1e300`) is
/// [`ErrorKind::InvalidClaimType`](crate::ErrorKind::InvalidClaimType) naming the claim: a token
/// that says it lives until the year 59000 is a bug, not a long-lived token.
pub const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

// ---- opaque tokens (`token`) and PKCE (`pkce`) --------------------------------------------------

/// Longest deployment prefix of opaque tokens.
pub const MAX_PREFIX_LEN: usize = 16;

/// Shortest pepper secret, in bytes.
pub const MIN_PEPPER_LEN: usize = 32;

/// Longest pepper key id.
pub const MAX_KEY_ID_LEN: usize = 64;

/// Shortest code verifier (RFC 7636 §4.1).
pub const VERIFIER_MIN_LEN: usize = 43;

/// Longest code verifier (RFC 7636 §4.1).
pub const VERIFIER_MAX_LEN: usize = 128;

// ---- scopes (`scope`) ---------------------------------------------------------------------------

/// Most scope tokens one scope string (or one set of scope claims) may hold, duplicates included.
pub const MAX_SCOPES: usize = 256;

/// Longest scope token, in bytes.
pub const MAX_SCOPE_LEN: usize = 256;

/// Longest scope string, in bytes (16 KiB). For scope claims, the limit applies to the
/// space-delimited string the claims add up to.
pub const MAX_SCOPE_STRING: usize = 16 * 1024;

// ---- wire formats (`wire`) ----------------------------------------------------------------------

/// Largest form body (or query string) [`Form::parse`](crate::wire::Form::parse) accepts:
/// 64 KiB. Checked before decoding.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Most parameters a form may carry, counting those sent with an empty value: 64.
pub const MAX_FORM_PARAMS: usize = 64;

/// Longest parameter name, in bytes after decoding: 128.
pub const MAX_PARAM_NAME_BYTES: usize = 128;

/// Longest `Authorization` header value accepted: 8 KiB. Checked before anything else.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Longest URI [`parse_redirect_uri`](crate::wire::parse_redirect_uri) accepts: 8 KiB.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Longest `error_description` kept, in bytes; longer text is cut.
pub const MAX_DESCRIPTION_BYTES: usize = 256;

// ---- grant state and grant JSON (`grant`) -------------------------------------------------------

/// Longest state JSON [`GrantState::from_json`](crate::grant::GrantState::from_json) reads:
/// 1 MiB.
pub const MAX_STATE_JSON_LEN: usize = 1 << 20;

/// Longest JSON text read from the host besides a grant state ([`MAX_STATE_JSON_LEN`]):
/// clients ([`Client::from_json`](crate::grant::Client::from_json)), policies
/// ([`Policy::from_json`](crate::grant::Policy::from_json)) and, through the C ABI, authorize
/// and token requests, client authentication, scope policies, metadata and claims sets: 1 MiB.
/// Longer is [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge), before anything is read.
pub const MAX_JSON_INPUT_LEN: usize = 1 << 20;

/// Most access token records a family keeps; the oldest live ones are forgotten first (their
/// tokens stay valid until they expire; only the revocation list loses them).
pub const MAX_ACCESS_TOKEN_RECORDS: usize = 1024;

/// Most rotated refresh tokens a family remembers (for reuse detection) besides the active one.
pub const MAX_REFRESH_HISTORY: usize = 256;

// ---- grant policy lifetimes (`grant`), in seconds -----------------------------------------------

/// Longest authorization code lifetime: ten minutes (RFC 6749 §4.1.2).
pub const MAX_CODE_LIFETIME: u64 = 10 * MINUTE;
/// Longest access token lifetime: 31 days (so a 7-day token is expressible).
pub const MAX_ACCESS_TOKEN_LIFETIME: u64 = 31 * DAY;
/// Longest absolute refresh token (grant family) lifetime: 400 days.
pub const MAX_REFRESH_LIFETIME: u64 = 400 * DAY;
/// Longest refresh token reuse grace window: one minute.
pub const MAX_REFRESH_REUSE_GRACE: u64 = MINUTE;
/// Longest task-scoped engine token lifetime: one hour.
pub const MAX_ENGINE_TOKEN_LIFETIME: u64 = 60 * MINUTE;

// ---- sender-constrained tokens (`dpop`) ---------------------------------------------------------

/// Default largest DPoP proof accepted, in bytes: 8 KiB (an RSA-4096 proof is under 2.5 KiB).
pub const DEFAULT_MAX_PROOF_LEN: usize = 8 * 1024;

/// Largest proof size limit a `ProofValidator` accepts, in bytes: 64 KiB (room for ML-DSA-87).
pub const MAX_PROOF_LEN: usize = 64 * 1024;

/// Longest `jti` a DPoP proof may carry, in bytes. RFC 9449 §4.2 asks for at least 96 bits of
/// randomness; 64 bytes is room for any sensible encoding and bounds what a replay cache holds.
pub const MAX_JTI_LEN: usize = 64;

/// Longest DPoP `nonce` accepted (in a proof, or given to `create_proof`), in bytes.
pub const MAX_NONCE_LEN: usize = 1024;

/// Default accepted distance between a DPoP proof's `iat` and `now`, both ways: 60 s.
pub const DEFAULT_IAT_WINDOW: u64 = MINUTE;

/// Largest `iat` window a `ProofValidator` accepts: one hour.
pub const MAX_IAT_WINDOW: u64 = 60 * MINUTE;

/// Longest URI accepted as a DPoP `htu` or a request URI, in bytes: 8 KiB.
pub const MAX_HTU_LEN: usize = 8 * 1024;

/// Largest client certificate (DER) thumbprinted for RFC 8705 binding, in bytes: 64 KiB.
pub const MAX_CERTIFICATE_LEN: usize = 64 * 1024;

/// Largest capacity of a `ReplayCache`, in entries.
pub const MAX_REPLAY_CAPACITY: usize = 1 << 24;

/// Shortest HMAC key of a DPoP `NonceIssuer`, in bytes.
pub const MIN_NONCE_KEY_LEN: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    /// How a value is written in `docs/LIMITS.md`.
    #[derive(Clone, Copy)]
    enum Unit {
        Bytes,
        Count,
        Seconds,
        Levels,
    }

    /// The ways `docs/LIMITS.md` may write `value` right before the `(` that names the
    /// constant: bytes as `N KiB`/`N MiB` or `N bytes`, counts as the number, seconds as `N s`.
    fn renderings(value: u64, unit: Unit) -> Vec<String> {
        match unit {
            Unit::Count => vec![value.to_string()],
            Unit::Seconds => vec![format!("{value} s")],
            Unit::Levels => vec![format!("{value} levels")],
            Unit::Bytes => {
                let mut r = vec![format!("{value} bytes"), value.to_string()];
                if value % (1 << 20) == 0 {
                    r.push(format!("{} MiB", value >> 20));
                } else if value % 1024 == 0 {
                    r.push(format!("{} KiB", value >> 10));
                }
                r
            }
        }
    }

    #[test]
    fn every_limit_is_in_docs_limits_md_with_its_value() {
        let u = |v: usize| u64::try_from(v).unwrap();
        let table: &[(&str, u64, Unit)] = &[
            ("MAX_DETAIL_LEN", u(MAX_DETAIL_LEN), Unit::Bytes),
            (
                "DEFAULT_MAX_TOKEN_LEN",
                u(DEFAULT_MAX_TOKEN_LEN),
                Unit::Bytes,
            ),
            (
                "DEFAULT_MAX_HEADER_LEN",
                u(DEFAULT_MAX_HEADER_LEN),
                Unit::Bytes,
            ),
            ("DEFAULT_MAX_CLAIMS", u(DEFAULT_MAX_CLAIMS), Unit::Count),
            ("MAX_JSON_DEPTH", u(MAX_JSON_DEPTH), Unit::Levels),
            ("MAX_JWKS_LEN", u(MAX_JWKS_LEN), Unit::Bytes),
            ("MAX_JWKS_KEYS", u(MAX_JWKS_KEYS), Unit::Count),
            ("MAX_JWK_LEN", u(MAX_JWK_LEN), Unit::Bytes),
            ("MAX_KEY_INPUT", u(MAX_KEY_INPUT), Unit::Bytes),
            ("RSA_MIN_BITS", u(RSA_MIN_BITS), Unit::Count),
            ("RSA_MAX_BITS", u(RSA_MAX_BITS), Unit::Count),
            ("DEFAULT_LEEWAY", DEFAULT_LEEWAY, Unit::Seconds),
            ("MAX_LEEWAY", MAX_LEEWAY, Unit::Seconds),
            (
                "MAX_NUMERIC_DATE",
                u64::try_from(MAX_NUMERIC_DATE).unwrap(),
                Unit::Seconds,
            ),
            ("MAX_PREFIX_LEN", u(MAX_PREFIX_LEN), Unit::Count),
            ("MIN_PEPPER_LEN", u(MIN_PEPPER_LEN), Unit::Bytes),
            ("MAX_KEY_ID_LEN", u(MAX_KEY_ID_LEN), Unit::Count),
            ("VERIFIER_MIN_LEN", u(VERIFIER_MIN_LEN), Unit::Count),
            ("VERIFIER_MAX_LEN", u(VERIFIER_MAX_LEN), Unit::Count),
            ("MAX_SCOPES", u(MAX_SCOPES), Unit::Count),
            ("MAX_SCOPE_LEN", u(MAX_SCOPE_LEN), Unit::Count),
            ("MAX_SCOPE_STRING", u(MAX_SCOPE_STRING), Unit::Bytes),
            ("MAX_FORM_BYTES", u(MAX_FORM_BYTES), Unit::Bytes),
            ("MAX_FORM_PARAMS", u(MAX_FORM_PARAMS), Unit::Count),
            ("MAX_PARAM_NAME_BYTES", u(MAX_PARAM_NAME_BYTES), Unit::Bytes),
            ("MAX_HEADER_BYTES", u(MAX_HEADER_BYTES), Unit::Bytes),
            ("MAX_URI_BYTES", u(MAX_URI_BYTES), Unit::Bytes),
            (
                "MAX_DESCRIPTION_BYTES",
                u(MAX_DESCRIPTION_BYTES),
                Unit::Bytes,
            ),
            ("MAX_STATE_JSON_LEN", u(MAX_STATE_JSON_LEN), Unit::Bytes),
            ("MAX_JSON_INPUT_LEN", u(MAX_JSON_INPUT_LEN), Unit::Bytes),
            (
                "MAX_ACCESS_TOKEN_RECORDS",
                u(MAX_ACCESS_TOKEN_RECORDS),
                Unit::Count,
            ),
            ("MAX_REFRESH_HISTORY", u(MAX_REFRESH_HISTORY), Unit::Count),
            ("MAX_CODE_LIFETIME", MAX_CODE_LIFETIME, Unit::Seconds),
            (
                "MAX_ACCESS_TOKEN_LIFETIME",
                MAX_ACCESS_TOKEN_LIFETIME,
                Unit::Seconds,
            ),
            ("MAX_REFRESH_LIFETIME", MAX_REFRESH_LIFETIME, Unit::Seconds),
            (
                "MAX_REFRESH_REUSE_GRACE",
                MAX_REFRESH_REUSE_GRACE,
                Unit::Seconds,
            ),
            (
                "MAX_ENGINE_TOKEN_LIFETIME",
                MAX_ENGINE_TOKEN_LIFETIME,
                Unit::Seconds,
            ),
            (
                "DEFAULT_MAX_PROOF_LEN",
                u(DEFAULT_MAX_PROOF_LEN),
                Unit::Bytes,
            ),
            ("MAX_PROOF_LEN", u(MAX_PROOF_LEN), Unit::Bytes),
            ("MAX_JTI_LEN", u(MAX_JTI_LEN), Unit::Bytes),
            ("MAX_NONCE_LEN", u(MAX_NONCE_LEN), Unit::Bytes),
            ("DEFAULT_IAT_WINDOW", DEFAULT_IAT_WINDOW, Unit::Seconds),
            ("MAX_IAT_WINDOW", MAX_IAT_WINDOW, Unit::Seconds),
            ("MAX_HTU_LEN", u(MAX_HTU_LEN), Unit::Bytes),
            ("MAX_CERTIFICATE_LEN", u(MAX_CERTIFICATE_LEN), Unit::Bytes),
            ("MAX_REPLAY_CAPACITY", u(MAX_REPLAY_CAPACITY), Unit::Count),
            ("MIN_NONCE_KEY_LEN", u(MIN_NONCE_KEY_LEN), Unit::Bytes),
        ];
        // Every `pub const` of this file is in the table, so a new limit cannot skip the docs.
        let source = include_str!("limits.rs");
        let declared: Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("pub const "))
            .filter_map(|l| l.split(':').next())
            .collect();
        let listed: Vec<&str> = table.iter().map(|(name, _, _)| *name).collect();
        assert_eq!(
            declared, listed,
            "src/limits.rs and this test's table differ"
        );

        let doc = include_str!("../docs/LIMITS.md");
        for &(name, value, unit) in table {
            let line = doc
                .lines()
                .find(|l| l.contains(&format!("::{name}`")))
                .unwrap_or_else(|| panic!("docs/LIMITS.md does not name {name}"));
            let shown = renderings(value, unit);
            assert!(
                shown.iter().any(|r| line.contains(&format!("{r} ("))),
                "docs/LIMITS.md: the row of {name} should say one of {shown:?}: {line}"
            );
        }
    }
}
