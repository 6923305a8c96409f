//! Errors: one [`Error`] type for the whole crate and the one table of stable numeric codes.
//!
//! Every failure tessera can report is an [`ErrorKind`]. Each kind has exactly one numeric code
//! ([`ErrorKind::code`]) that is shared with the C ABI (`tessera_result`) and the Python binding.
//! Codes are grouped in blocks of one hundred and are only ever appended, never renumbered:
//!
//! | block | family |
//! |---|---|
//! | 1–99 | arguments and the ABI |
//! | 100–199 | encoding: token structure, base64url, JSON |
//! | 200–299 | keys and key sets |
//! | 300–399 | algorithms and signatures |
//! | 400–499 | claim validation |
//! | 500–599 | scopes |
//! | 600–699 | opaque tokens and PKCE |
//! | 700–799 | OAuth 2.0 protocol errors (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; RFC 9449 §7.1, §12.2) |
//! | 800–899 | sender-constrained tokens: DPoP proofs (RFC 9449 §4.3) and certificate binding (RFC 8705 §3) |
//!
//! The detail text of an error is composed by tessera and never copies bytes of a token, request
//! or document it reads: it names the rule and the member (`header "alg" names an unsupported
//! algorithm`), with at most numbers tessera computed (a byte offset, a length, a code point)
//! or names the caller configured (a required claim). It is at most [`MAX_DETAIL_LEN`] bytes. Signature and MAC failures are a single opaque kind,
//! [`ErrorKind::InvalidSignature`], so verification is not an oracle.

use std::borrow::Cow;
use std::fmt;

pub use crate::limits::MAX_DETAIL_LEN;

/// What went wrong, as a stable, machine-readable kind with a stable numeric code.
///
/// `#[non_exhaustive]`: new kinds are appended in later releases; match with a wildcard arm.
///
/// ```
/// use tessera::ErrorKind;
/// assert_eq!(ErrorKind::InvalidSignature.code(), 302);
/// assert_eq!(ErrorKind::from_code(302), Some(ErrorKind::InvalidSignature));
/// assert_eq!(ErrorKind::OauthInvalidGrant.oauth_error(), Some("invalid_grant"));
/// assert_eq!(ErrorKind::OauthInvalidGrant.http_status(), Some(400));
/// ```
#[non_exhaustive]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    // ---- 1–99: arguments and the ABI -------------------------------------------------------
    /// An argument is out of its documented range or malformed (not attacker input: a caller bug).
    InvalidArgument = 1,
    /// The caller's output buffer is too small; the needed size was reported (C ABI).
    BufferTooSmall = 2,
    /// A panic was caught at the C ABI boundary. Always a tessera bug; please report it.
    Panic = 3,
    /// A required pointer argument was NULL (C ABI).
    NullPointer = 4,
    /// Text that must be UTF-8 was not (C ABI, wire formats).
    InvalidUtf8 = 5,
    /// The system random number generator failed.
    RandomFailure = 6,
    /// The operation is not supported by this build or by `ring` (e.g. RSA key generation).
    Unsupported = 7,
    /// A handle of the wrong kind was passed (C ABI).
    WrongHandle = 8,

    // ---- 100–199: encoding ----------------------------------------------------------------
    /// The token is not a JWS compact serialization: wrong number of parts or an empty part.
    MalformedToken = 100,
    /// A part is not strict base64url (padding, stray characters or non-zero trailing bits).
    InvalidBase64 = 101,
    /// A JSON text is malformed, or is not an object where an object is required.
    InvalidJson = 102,
    /// A JSON object has the same member name twice (RFC 7515 §5.2, RFC 7519 §4).
    DuplicateMember = 103,
    /// An input exceeds a size limit (checked before any decoding).
    TooLarge = 104,
    /// The JOSE header is invalid: a member of the wrong type, or a missing `alg`.
    InvalidHeader = 105,
    /// The header lists a critical extension (`crit`) the caller did not declare understood.
    UnsupportedCritical = 106,
    /// JSON nesting is deeper than the limit.
    TooDeep = 107,

    // ---- 200–299: keys ---------------------------------------------------------------------
    /// Key material is malformed (bad DER, PEM, JWK member or inconsistent components).
    InvalidKey = 200,
    /// The key type or curve is not supported (e.g. P-521, Ed448, X25519, encrypted PEM).
    UnsupportedKey = 201,
    /// The key is too weak: a short HMAC secret, an RSA modulus under 2048 bits, a bad exponent,
    /// or a modulus with the ROCA fingerprint.
    WeakKey = 202,
    /// The key cannot be used with the requested algorithm, or no algorithm could be bound to it.
    KeyAlgorithmMismatch = 203,
    /// The key's `use` or `key_ops` forbid this operation.
    KeyUsage = 204,
    /// No key in the key set matches the token's `kid` and algorithm.
    KeyNotFound = 205,
    /// The key set is ambiguous: duplicate `kid`, or symmetric and asymmetric keys mixed.
    AmbiguousKeySet = 206,
    /// The operation needs a private key and was given a public one.
    NotPrivateKey = 207,
    /// HMAC keys have no public form (they cannot appear in a JWKS or a public JWK).
    NoPublicKey = 208,

    // ---- 300–399: algorithms and signatures ------------------------------------------------
    /// The algorithm is unknown, `none`, or not available in `ring` (ES512, ES256K, Ed448).
    UnsupportedAlgorithm = 300,
    /// The header's `alg` is not the algorithm the key is bound to.
    AlgorithmMismatch = 301,
    /// The signature or MAC does not verify. Deliberately says nothing more.
    InvalidSignature = 302,

    // ---- 400–499: claims -------------------------------------------------------------------
    /// The token has expired (`exp`, with leeway).
    Expired = 400,
    /// The token is not yet valid (`nbf`, with leeway).
    NotYetValid = 401,
    /// `iat` lies in the future (beyond the leeway).
    IssuedInFuture = 402,
    /// The token is older than the policy's maximum age (`iat` + max age).
    TooOld = 403,
    /// A required claim (or one implied by an expected value) is absent.
    MissingClaim = 404,
    /// A claim has the wrong JSON type (e.g. `exp` as a string, `aud` as a number).
    InvalidClaimType = 405,
    /// `iss` is not an accepted issuer.
    IssuerMismatch = 406,
    /// No `aud` value is an accepted audience.
    AudienceMismatch = 407,
    /// `sub` is not the expected subject.
    SubjectMismatch = 408,
    /// The header `typ` is not the expected type (e.g. `at+jwt`).
    TypeMismatch = 409,

    // ---- 500–599: scopes -------------------------------------------------------------------
    /// A scope string breaks the RFC 6749 §3.3 grammar.
    InvalidScope = 500,
    /// A requested scope is not covered by the granted scopes.
    ScopeNotGranted = 501,

    // ---- 600–699: opaque tokens and PKCE ---------------------------------------------------
    /// An opaque token does not have the expected shape (prefix, kind, length, alphabet).
    MalformedOpaqueToken = 600,
    /// An opaque token's checksum does not match (mistyped or truncated).
    TokenChecksum = 601,
    /// An opaque token is of another kind than the one expected (e.g. a refresh token as a code).
    WrongTokenKind = 602,
    /// A stored lookup hash does not match the token.
    TokenMismatch = 603,
    /// A PKCE code verifier or challenge breaks RFC 7636 §4.1/§4.2.
    InvalidPkce = 604,
    /// The PKCE verifier does not match the challenge.
    PkceMismatch = 605,

    // ---- 700–799: OAuth 2.0 protocol errors -------------------------------------------------
    /// RFC 6749 `invalid_request`.
    OauthInvalidRequest = 700,
    /// RFC 6749 `invalid_client`.
    OauthInvalidClient = 701,
    /// RFC 6749 `invalid_grant`.
    OauthInvalidGrant = 702,
    /// RFC 6749 `unauthorized_client`.
    OauthUnauthorizedClient = 703,
    /// RFC 6749 `unsupported_grant_type`.
    OauthUnsupportedGrantType = 704,
    /// RFC 6749 `invalid_scope`.
    OauthInvalidScope = 705,
    /// RFC 6749 `access_denied`.
    OauthAccessDenied = 706,
    /// RFC 6749 `unsupported_response_type`.
    OauthUnsupportedResponseType = 707,
    /// RFC 6749 `server_error`.
    OauthServerError = 708,
    /// RFC 6749 `temporarily_unavailable`.
    OauthTemporarilyUnavailable = 709,
    /// RFC 6750 §3.1 `invalid_token`.
    OauthInvalidToken = 710,
    /// RFC 6750 §3.1 `insufficient_scope`.
    OauthInsufficientScope = 711,
    /// RFC 9449 §12.2 `invalid_dpop_proof`.
    OauthInvalidDpopProof = 712,
    /// RFC 9449 §12.2 `use_dpop_nonce`: retry with the nonce in the `DPoP-Nonce` header.
    OauthUseDpopNonce = 713,

    // ---- 800–899: sender-constrained tokens (RFC 9449, RFC 8705) ----------------------------
    /// The DPoP proof is not exactly one well-formed JWS (structure, base64url, JSON, header,
    /// size), or a request carries more than one `DPoP` header.
    DpopMalformed = 800,
    /// The DPoP proof's header `typ` is not exactly `dpop+jwt` (RFC 9449 §4.3 rule 4).
    DpopType = 801,
    /// The DPoP proof's `alg` is `none`, symmetric, or not in the allowed list (rule 5).
    DpopAlgorithm = 802,
    /// The DPoP proof's `jwk` is missing, malformed, holds private members, or does not fit
    /// `alg` (rule 7).
    DpopKey = 803,
    /// The DPoP proof's signature does not verify with its `jwk` (rule 6).
    DpopSignature = 804,
    /// The DPoP proof's `htm` is missing or is not the request method (rule 8).
    DpopMethod = 805,
    /// The DPoP proof's `htu` is missing, malformed, or is not the request URI (rule 9).
    DpopUri = 806,
    /// The DPoP proof's `iat` is missing or outside the accepted window (rule 11).
    DpopIat = 807,
    /// The DPoP proof's `jti` is missing, empty or too long (rule 3/§4.2).
    DpopJti = 808,
    /// The server requires a DPoP nonce and the proof has none (rule 10; `use_dpop_nonce`).
    DpopNonceRequired = 809,
    /// The DPoP proof's nonce is not one the server issued recently (`use_dpop_nonce`).
    DpopNonceInvalid = 810,
    /// The DPoP proof's `ath` is missing or is not the hash of the access token (rule 12).
    DpopAth = 811,
    /// The DPoP proof's `jti` was seen before inside the window (RFC 9449 §11.1).
    DpopReplay = 812,
    /// The DPoP proof's key is not the key the token, code or refresh token is bound to.
    DpopKeyMismatch = 813,
    /// A DPoP proof is required and none was presented (a DPoP-bound token, or a client that
    /// registered `dpop_bound_access_tokens`).
    DpopProofRequired = 814,
    /// A DPoP-bound access token was presented with the `Bearer` scheme (RFC 9449 §7.2).
    DpopBoundToken = 815,
    /// Policy requires a sender-constrained token and the token has no `cnf` claim.
    UnboundToken = 816,
    /// The certificate-bound token's `x5t#S256` does not match the client certificate, or no
    /// certificate was presented (RFC 8705 §3).
    CertificateMismatch = 817,
}

impl ErrorKind {
    /// Every kind, in code order. A test checks this list against [`ErrorKind::from_code`].
    pub const ALL: &'static [ErrorKind] = &[
        Self::InvalidArgument,
        Self::BufferTooSmall,
        Self::Panic,
        Self::NullPointer,
        Self::InvalidUtf8,
        Self::RandomFailure,
        Self::Unsupported,
        Self::WrongHandle,
        Self::MalformedToken,
        Self::InvalidBase64,
        Self::InvalidJson,
        Self::DuplicateMember,
        Self::TooLarge,
        Self::InvalidHeader,
        Self::UnsupportedCritical,
        Self::TooDeep,
        Self::InvalidKey,
        Self::UnsupportedKey,
        Self::WeakKey,
        Self::KeyAlgorithmMismatch,
        Self::KeyUsage,
        Self::KeyNotFound,
        Self::AmbiguousKeySet,
        Self::NotPrivateKey,
        Self::NoPublicKey,
        Self::UnsupportedAlgorithm,
        Self::AlgorithmMismatch,
        Self::InvalidSignature,
        Self::Expired,
        Self::NotYetValid,
        Self::IssuedInFuture,
        Self::TooOld,
        Self::MissingClaim,
        Self::InvalidClaimType,
        Self::IssuerMismatch,
        Self::AudienceMismatch,
        Self::SubjectMismatch,
        Self::TypeMismatch,
        Self::InvalidScope,
        Self::ScopeNotGranted,
        Self::MalformedOpaqueToken,
        Self::TokenChecksum,
        Self::WrongTokenKind,
        Self::TokenMismatch,
        Self::InvalidPkce,
        Self::PkceMismatch,
        Self::OauthInvalidRequest,
        Self::OauthInvalidClient,
        Self::OauthInvalidGrant,
        Self::OauthUnauthorizedClient,
        Self::OauthUnsupportedGrantType,
        Self::OauthInvalidScope,
        Self::OauthAccessDenied,
        Self::OauthUnsupportedResponseType,
        Self::OauthServerError,
        Self::OauthTemporarilyUnavailable,
        Self::OauthInvalidToken,
        Self::OauthInsufficientScope,
        Self::OauthInvalidDpopProof,
        Self::OauthUseDpopNonce,
        Self::DpopMalformed,
        Self::DpopType,
        Self::DpopAlgorithm,
        Self::DpopKey,
        Self::DpopSignature,
        Self::DpopMethod,
        Self::DpopUri,
        Self::DpopIat,
        Self::DpopJti,
        Self::DpopNonceRequired,
        Self::DpopNonceInvalid,
        Self::DpopAth,
        Self::DpopReplay,
        Self::DpopKeyMismatch,
        Self::DpopProofRequired,
        Self::DpopBoundToken,
        Self::UnboundToken,
        Self::CertificateMismatch,
    ];

    /// The stable numeric code of this kind (the C ABI's `tessera_result`).
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The kind with this numeric code, if any.
    pub fn from_code(code: u32) -> Option<ErrorKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// The stable snake_case name of this kind (`"invalid_signature"`, `"expired"`, ...), as the
    /// CLI prints it and the bindings expose it.
    pub fn name(self) -> &'static str {
        let text = self.name_with_nul();
        text.strip_suffix('\0').unwrap_or(text)
    }

    /// The name followed by a NUL byte (for the C ABI's static strings).
    pub(crate) const fn name_with_nul(self) -> &'static str {
        match self {
            Self::InvalidArgument => concat!("invalid_argument", "\0"),
            Self::BufferTooSmall => concat!("buffer_too_small", "\0"),
            Self::Panic => concat!("panic", "\0"),
            Self::NullPointer => concat!("null_pointer", "\0"),
            Self::InvalidUtf8 => concat!("invalid_utf8", "\0"),
            Self::RandomFailure => concat!("random_failure", "\0"),
            Self::Unsupported => concat!("unsupported", "\0"),
            Self::WrongHandle => concat!("wrong_handle", "\0"),
            Self::MalformedToken => concat!("malformed_token", "\0"),
            Self::InvalidBase64 => concat!("invalid_base64", "\0"),
            Self::InvalidJson => concat!("invalid_json", "\0"),
            Self::DuplicateMember => concat!("duplicate_member", "\0"),
            Self::TooLarge => concat!("too_large", "\0"),
            Self::InvalidHeader => concat!("invalid_header", "\0"),
            Self::UnsupportedCritical => concat!("unsupported_critical", "\0"),
            Self::TooDeep => concat!("too_deep", "\0"),
            Self::InvalidKey => concat!("invalid_key", "\0"),
            Self::UnsupportedKey => concat!("unsupported_key", "\0"),
            Self::WeakKey => concat!("weak_key", "\0"),
            Self::KeyAlgorithmMismatch => concat!("key_algorithm_mismatch", "\0"),
            Self::KeyUsage => concat!("key_usage", "\0"),
            Self::KeyNotFound => concat!("key_not_found", "\0"),
            Self::AmbiguousKeySet => concat!("ambiguous_key_set", "\0"),
            Self::NotPrivateKey => concat!("not_private_key", "\0"),
            Self::NoPublicKey => concat!("no_public_key", "\0"),
            Self::UnsupportedAlgorithm => concat!("unsupported_algorithm", "\0"),
            Self::AlgorithmMismatch => concat!("algorithm_mismatch", "\0"),
            Self::InvalidSignature => concat!("invalid_signature", "\0"),
            Self::Expired => concat!("expired", "\0"),
            Self::NotYetValid => concat!("not_yet_valid", "\0"),
            Self::IssuedInFuture => concat!("issued_in_future", "\0"),
            Self::TooOld => concat!("too_old", "\0"),
            Self::MissingClaim => concat!("missing_claim", "\0"),
            Self::InvalidClaimType => concat!("invalid_claim_type", "\0"),
            Self::IssuerMismatch => concat!("issuer_mismatch", "\0"),
            Self::AudienceMismatch => concat!("audience_mismatch", "\0"),
            Self::SubjectMismatch => concat!("subject_mismatch", "\0"),
            Self::TypeMismatch => concat!("type_mismatch", "\0"),
            Self::InvalidScope => concat!("invalid_scope", "\0"),
            Self::ScopeNotGranted => concat!("scope_not_granted", "\0"),
            Self::MalformedOpaqueToken => concat!("malformed_opaque_token", "\0"),
            Self::TokenChecksum => concat!("token_checksum", "\0"),
            Self::WrongTokenKind => concat!("wrong_token_kind", "\0"),
            Self::TokenMismatch => concat!("token_mismatch", "\0"),
            Self::InvalidPkce => concat!("invalid_pkce", "\0"),
            Self::PkceMismatch => concat!("pkce_mismatch", "\0"),
            Self::OauthInvalidRequest => concat!("oauth_invalid_request", "\0"),
            Self::OauthInvalidClient => concat!("oauth_invalid_client", "\0"),
            Self::OauthInvalidGrant => concat!("oauth_invalid_grant", "\0"),
            Self::OauthUnauthorizedClient => concat!("oauth_unauthorized_client", "\0"),
            Self::OauthUnsupportedGrantType => concat!("oauth_unsupported_grant_type", "\0"),
            Self::OauthInvalidScope => concat!("oauth_invalid_scope", "\0"),
            Self::OauthAccessDenied => concat!("oauth_access_denied", "\0"),
            Self::OauthUnsupportedResponseType => concat!("oauth_unsupported_response_type", "\0"),
            Self::OauthServerError => concat!("oauth_server_error", "\0"),
            Self::OauthTemporarilyUnavailable => concat!("oauth_temporarily_unavailable", "\0"),
            Self::OauthInvalidToken => concat!("oauth_invalid_token", "\0"),
            Self::OauthInsufficientScope => concat!("oauth_insufficient_scope", "\0"),
            Self::OauthInvalidDpopProof => concat!("oauth_invalid_dpop_proof", "\0"),
            Self::OauthUseDpopNonce => concat!("oauth_use_dpop_nonce", "\0"),
            Self::DpopMalformed => concat!("dpop_malformed", "\0"),
            Self::DpopType => concat!("dpop_type", "\0"),
            Self::DpopAlgorithm => concat!("dpop_algorithm", "\0"),
            Self::DpopKey => concat!("dpop_key", "\0"),
            Self::DpopSignature => concat!("dpop_signature", "\0"),
            Self::DpopMethod => concat!("dpop_method", "\0"),
            Self::DpopUri => concat!("dpop_uri", "\0"),
            Self::DpopIat => concat!("dpop_iat", "\0"),
            Self::DpopJti => concat!("dpop_jti", "\0"),
            Self::DpopNonceRequired => concat!("dpop_nonce_required", "\0"),
            Self::DpopNonceInvalid => concat!("dpop_nonce_invalid", "\0"),
            Self::DpopAth => concat!("dpop_ath", "\0"),
            Self::DpopReplay => concat!("dpop_replay", "\0"),
            Self::DpopKeyMismatch => concat!("dpop_key_mismatch", "\0"),
            Self::DpopProofRequired => concat!("dpop_proof_required", "\0"),
            Self::DpopBoundToken => concat!("dpop_bound_token", "\0"),
            Self::UnboundToken => concat!("unbound_token", "\0"),
            Self::CertificateMismatch => concat!("certificate_mismatch", "\0"),
        }
    }

    /// A short fixed description of this kind (what `tessera_result_str` returns).
    pub fn description(self) -> &'static str {
        let text = self.description_with_nul();
        text.strip_suffix('\0').unwrap_or(text)
    }

    /// The description followed by a NUL byte, so the C ABI can hand out a static C string
    /// made from the very same text.
    pub(crate) const fn description_with_nul(self) -> &'static str {
        match self {
            Self::InvalidArgument => concat!("invalid argument", "\0"),
            Self::BufferTooSmall => concat!("output buffer too small", "\0"),
            Self::Panic => concat!("internal panic caught at the ABI boundary", "\0"),
            Self::NullPointer => concat!("NULL pointer argument", "\0"),
            Self::InvalidUtf8 => concat!("text is not valid UTF-8", "\0"),
            Self::RandomFailure => concat!("the system random number generator failed", "\0"),
            Self::Unsupported => concat!("operation not supported", "\0"),
            Self::WrongHandle => concat!("handle of the wrong kind", "\0"),
            Self::MalformedToken => concat!("token is not a JWS compact serialization", "\0"),
            Self::InvalidBase64 => concat!("invalid base64url encoding", "\0"),
            Self::InvalidJson => concat!("invalid JSON", "\0"),
            Self::DuplicateMember => concat!("duplicate JSON member name", "\0"),
            Self::TooLarge => concat!("input exceeds a size limit", "\0"),
            Self::InvalidHeader => concat!("invalid JOSE header", "\0"),
            Self::UnsupportedCritical => concat!("unsupported critical header extension", "\0"),
            Self::TooDeep => concat!("JSON nesting too deep", "\0"),
            Self::InvalidKey => concat!("invalid key material", "\0"),
            Self::UnsupportedKey => concat!("unsupported key type or curve", "\0"),
            Self::WeakKey => concat!("key too weak", "\0"),
            Self::KeyAlgorithmMismatch => concat!("key cannot be used with this algorithm", "\0"),
            Self::KeyUsage => concat!("key use or key_ops forbid this operation", "\0"),
            Self::KeyNotFound => concat!("no matching key", "\0"),
            Self::AmbiguousKeySet => concat!("ambiguous key set", "\0"),
            Self::NotPrivateKey => concat!("a private key is required", "\0"),
            Self::NoPublicKey => concat!("HMAC keys have no public form", "\0"),
            Self::UnsupportedAlgorithm => concat!("unsupported algorithm", "\0"),
            Self::AlgorithmMismatch => concat!("token algorithm does not match the key", "\0"),
            Self::InvalidSignature => concat!("invalid signature", "\0"),
            Self::Expired => concat!("token expired", "\0"),
            Self::NotYetValid => concat!("token not yet valid", "\0"),
            Self::IssuedInFuture => concat!("token issued in the future", "\0"),
            Self::TooOld => concat!("token older than the maximum age", "\0"),
            Self::MissingClaim => concat!("required claim missing", "\0"),
            Self::InvalidClaimType => concat!("claim has the wrong JSON type", "\0"),
            Self::IssuerMismatch => concat!("issuer not accepted", "\0"),
            Self::AudienceMismatch => concat!("audience not accepted", "\0"),
            Self::SubjectMismatch => concat!("subject not accepted", "\0"),
            Self::TypeMismatch => concat!("token type not accepted", "\0"),
            Self::InvalidScope => concat!("invalid scope syntax", "\0"),
            Self::ScopeNotGranted => concat!("scope not granted", "\0"),
            Self::MalformedOpaqueToken => concat!("malformed opaque token", "\0"),
            Self::TokenChecksum => concat!("opaque token checksum mismatch", "\0"),
            Self::WrongTokenKind => concat!("opaque token of the wrong kind", "\0"),
            Self::TokenMismatch => concat!("token does not match its stored hash", "\0"),
            Self::InvalidPkce => concat!("invalid PKCE verifier or challenge", "\0"),
            Self::PkceMismatch => concat!("PKCE verifier does not match the challenge", "\0"),
            Self::OauthInvalidRequest => concat!("invalid_request", "\0"),
            Self::OauthInvalidClient => concat!("invalid_client", "\0"),
            Self::OauthInvalidGrant => concat!("invalid_grant", "\0"),
            Self::OauthUnauthorizedClient => concat!("unauthorized_client", "\0"),
            Self::OauthUnsupportedGrantType => concat!("unsupported_grant_type", "\0"),
            Self::OauthInvalidScope => concat!("invalid_scope", "\0"),
            Self::OauthAccessDenied => concat!("access_denied", "\0"),
            Self::OauthUnsupportedResponseType => concat!("unsupported_response_type", "\0"),
            Self::OauthServerError => concat!("server_error", "\0"),
            Self::OauthTemporarilyUnavailable => concat!("temporarily_unavailable", "\0"),
            Self::OauthInvalidToken => concat!("invalid_token", "\0"),
            Self::OauthInsufficientScope => concat!("insufficient_scope", "\0"),
            Self::OauthInvalidDpopProof => concat!("invalid_dpop_proof", "\0"),
            Self::OauthUseDpopNonce => concat!("use_dpop_nonce", "\0"),
            Self::DpopMalformed => concat!("malformed DPoP proof", "\0"),
            Self::DpopType => concat!("DPoP proof typ is not dpop+jwt", "\0"),
            Self::DpopAlgorithm => concat!("DPoP proof algorithm not allowed", "\0"),
            Self::DpopKey => concat!("DPoP proof jwk invalid", "\0"),
            Self::DpopSignature => concat!("DPoP proof signature invalid", "\0"),
            Self::DpopMethod => concat!("DPoP proof htm does not match the request method", "\0"),
            Self::DpopUri => concat!("DPoP proof htu does not match the request URI", "\0"),
            Self::DpopIat => concat!("DPoP proof iat outside the accepted window", "\0"),
            Self::DpopJti => concat!("DPoP proof jti missing or invalid", "\0"),
            Self::DpopNonceRequired => concat!("DPoP nonce required", "\0"),
            Self::DpopNonceInvalid => concat!("DPoP nonce invalid or stale", "\0"),
            Self::DpopAth => concat!("DPoP proof ath does not match the access token", "\0"),
            Self::DpopReplay => concat!("DPoP proof replayed", "\0"),
            Self::DpopKeyMismatch => concat!("DPoP proof key does not match the bound key", "\0"),
            Self::DpopProofRequired => concat!("DPoP proof required", "\0"),
            Self::DpopBoundToken => concat!("DPoP-bound token presented as a bearer token", "\0"),
            Self::UnboundToken => concat!("token is not sender-constrained", "\0"),
            Self::CertificateMismatch => {
                concat!("client certificate does not match the token", "\0")
            }
        }
    }

    /// For the OAuth block: the RFC 6749 / RFC 6750 `error` code to send on the wire.
    pub fn oauth_error(self) -> Option<&'static str> {
        match self {
            Self::OauthInvalidRequest
            | Self::OauthInvalidClient
            | Self::OauthInvalidGrant
            | Self::OauthUnauthorizedClient
            | Self::OauthUnsupportedGrantType
            | Self::OauthInvalidScope
            | Self::OauthAccessDenied
            | Self::OauthUnsupportedResponseType
            | Self::OauthServerError
            | Self::OauthTemporarilyUnavailable
            | Self::OauthInvalidToken
            | Self::OauthInsufficientScope
            | Self::OauthInvalidDpopProof
            | Self::OauthUseDpopNonce => Some(self.description()),
            _ => None,
        }
    }

    /// For the OAuth block: the HTTP status the host should answer with (RFC 6749 §5.2,
    /// RFC 6750 §3.1). `invalid_client` and `invalid_token` are 401, and every 401 carries a
    /// `WWW-Authenticate` challenge (RFC 9110 §15.5.2), whichever way the client authenticated:
    /// `wire::ErrorResponse::for_token_endpoint` and the C ABI's outcomes add it.
    pub const fn http_status(self) -> Option<u16> {
        match self {
            Self::OauthInvalidClient | Self::OauthInvalidToken => Some(401),
            Self::OauthInsufficientScope => Some(403),
            Self::OauthServerError => Some(500),
            Self::OauthTemporarilyUnavailable => Some(503),
            Self::OauthInvalidRequest
            | Self::OauthInvalidGrant
            | Self::OauthUnauthorizedClient
            | Self::OauthUnsupportedGrantType
            | Self::OauthInvalidScope
            | Self::OauthAccessDenied
            | Self::OauthUnsupportedResponseType
            | Self::OauthInvalidDpopProof
            | Self::OauthUseDpopNonce => Some(400),
            _ => None,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// A tessera error: a stable [`ErrorKind`] plus a short human-readable detail.
///
/// The detail is for logs and developers; programs branch on [`Error::kind`] (or its code).
///
/// ```
/// use tessera::{Error, ErrorKind};
/// let e = Error::new(ErrorKind::Expired, "the token has expired");
/// assert_eq!((e.kind(), e.code()), (ErrorKind::Expired, 400));
/// assert_eq!(e.to_string(), "token expired: the token has expired");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    detail: Cow<'static, str>,
}

impl Error {
    /// An error of `kind` with a fixed detail text.
    pub const fn new(kind: ErrorKind, detail: &'static str) -> Self {
        Error {
            kind,
            detail: Cow::Borrowed(detail),
        }
    }

    /// An error of `kind` with a composed detail text, cut to a bounded length.
    pub fn with_detail(kind: ErrorKind, detail: impl Into<String>) -> Self {
        let mut detail: String = detail.into();
        if detail.len() > MAX_DETAIL_LEN {
            let mut cut = MAX_DETAIL_LEN - '…'.len_utf8();
            while !detail.is_char_boundary(cut) {
                cut -= 1;
            }
            detail.truncate(cut);
            detail.push('…');
        }
        Error {
            kind,
            detail: Cow::Owned(detail),
        }
    }

    /// The kind of this error.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable numeric code of this error's kind.
    pub const fn code(&self) -> u32 {
        self.kind.code()
    }

    /// The detail text: composed by tessera, never copied from the input, at most
    /// [`MAX_DETAIL_LEN`] bytes.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.kind.name(), self.detail)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.detail.is_empty() {
            f.write_str(self.kind.description())
        } else {
            write!(f, "{}: {}", self.kind.description(), self.detail)
        }
    }
}

impl std::error::Error for Error {}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind, "")
    }
}

/// `Result` with tessera's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shortens a name the caller configured (a required claim, a claim asked for through the C
/// ABI) for use inside an error detail: at most 32 characters, control characters replaced.
/// Never used on what tessera reads from a token, request or document: details do not copy
/// those.
pub(crate) fn snippet(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(32)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(32).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Exhaustive: adding a variant without listing it here (and in `ALL`) fails to compile
    /// or fails this test.
    fn listed(kind: ErrorKind) -> bool {
        match kind {
            ErrorKind::InvalidArgument
            | ErrorKind::BufferTooSmall
            | ErrorKind::Panic
            | ErrorKind::NullPointer
            | ErrorKind::InvalidUtf8
            | ErrorKind::RandomFailure
            | ErrorKind::Unsupported
            | ErrorKind::WrongHandle
            | ErrorKind::MalformedToken
            | ErrorKind::InvalidBase64
            | ErrorKind::InvalidJson
            | ErrorKind::DuplicateMember
            | ErrorKind::TooLarge
            | ErrorKind::InvalidHeader
            | ErrorKind::UnsupportedCritical
            | ErrorKind::TooDeep
            | ErrorKind::InvalidKey
            | ErrorKind::UnsupportedKey
            | ErrorKind::WeakKey
            | ErrorKind::KeyAlgorithmMismatch
            | ErrorKind::KeyUsage
            | ErrorKind::KeyNotFound
            | ErrorKind::AmbiguousKeySet
            | ErrorKind::NotPrivateKey
            | ErrorKind::NoPublicKey
            | ErrorKind::UnsupportedAlgorithm
            | ErrorKind::AlgorithmMismatch
            | ErrorKind::InvalidSignature
            | ErrorKind::Expired
            | ErrorKind::NotYetValid
            | ErrorKind::IssuedInFuture
            | ErrorKind::TooOld
            | ErrorKind::MissingClaim
            | ErrorKind::InvalidClaimType
            | ErrorKind::IssuerMismatch
            | ErrorKind::AudienceMismatch
            | ErrorKind::SubjectMismatch
            | ErrorKind::TypeMismatch
            | ErrorKind::InvalidScope
            | ErrorKind::ScopeNotGranted
            | ErrorKind::MalformedOpaqueToken
            | ErrorKind::TokenChecksum
            | ErrorKind::WrongTokenKind
            | ErrorKind::TokenMismatch
            | ErrorKind::InvalidPkce
            | ErrorKind::PkceMismatch
            | ErrorKind::OauthInvalidRequest
            | ErrorKind::OauthInvalidClient
            | ErrorKind::OauthInvalidGrant
            | ErrorKind::OauthUnauthorizedClient
            | ErrorKind::OauthUnsupportedGrantType
            | ErrorKind::OauthInvalidScope
            | ErrorKind::OauthAccessDenied
            | ErrorKind::OauthUnsupportedResponseType
            | ErrorKind::OauthServerError
            | ErrorKind::OauthTemporarilyUnavailable
            | ErrorKind::OauthInvalidToken
            | ErrorKind::OauthInsufficientScope
            | ErrorKind::OauthInvalidDpopProof
            | ErrorKind::OauthUseDpopNonce
            | ErrorKind::DpopMalformed
            | ErrorKind::DpopType
            | ErrorKind::DpopAlgorithm
            | ErrorKind::DpopKey
            | ErrorKind::DpopSignature
            | ErrorKind::DpopMethod
            | ErrorKind::DpopUri
            | ErrorKind::DpopIat
            | ErrorKind::DpopJti
            | ErrorKind::DpopNonceRequired
            | ErrorKind::DpopNonceInvalid
            | ErrorKind::DpopAth
            | ErrorKind::DpopReplay
            | ErrorKind::DpopKeyMismatch
            | ErrorKind::DpopProofRequired
            | ErrorKind::DpopBoundToken
            | ErrorKind::UnboundToken
            | ErrorKind::CertificateMismatch => ErrorKind::ALL.contains(&kind),
        }
    }

    #[test]
    fn every_kind_has_a_distinct_code_and_name() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for &kind in ErrorKind::ALL {
            assert!(listed(kind));
            assert!(codes.insert(kind.code()), "duplicate code {}", kind.code());
            assert!(names.insert(kind.name()), "duplicate name {}", kind.name());
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
            assert_ne!(kind.code(), 0, "0 is reserved for OK");
        }
        assert_eq!(ErrorKind::from_code(0), None);
        assert_eq!(ErrorKind::from_code(99_999), None);
    }

    #[test]
    fn codes_stay_in_their_blocks() {
        // Pinned values: these are ABI. Changing one is a breaking change.
        assert_eq!(ErrorKind::InvalidArgument.code(), 1);
        assert_eq!(ErrorKind::BufferTooSmall.code(), 2);
        assert_eq!(ErrorKind::Panic.code(), 3);
        assert_eq!(ErrorKind::MalformedToken.code(), 100);
        assert_eq!(ErrorKind::InvalidKey.code(), 200);
        assert_eq!(ErrorKind::InvalidSignature.code(), 302);
        assert_eq!(ErrorKind::Expired.code(), 400);
        assert_eq!(ErrorKind::InvalidScope.code(), 500);
        assert_eq!(ErrorKind::MalformedOpaqueToken.code(), 600);
        assert_eq!(ErrorKind::OauthInvalidRequest.code(), 700);
        assert_eq!(ErrorKind::OauthInvalidDpopProof.code(), 712);
        assert_eq!(ErrorKind::DpopMalformed.code(), 800);
        assert_eq!(ErrorKind::CertificateMismatch.code(), 817);
        let mut last = 0;
        for kind in ErrorKind::ALL {
            assert!(kind.code() > last, "ALL must be in code order");
            last = kind.code();
        }
    }

    #[test]
    fn oauth_kinds_carry_wire_code_and_status() {
        for &kind in ErrorKind::ALL {
            let in_block = (700..800).contains(&kind.code());
            assert_eq!(kind.oauth_error().is_some(), in_block, "{kind:?}");
            assert_eq!(kind.http_status().is_some(), in_block, "{kind:?}");
        }
        assert_eq!(
            ErrorKind::OauthInvalidGrant.oauth_error(),
            Some("invalid_grant")
        );
        assert_eq!(ErrorKind::OauthInvalidClient.http_status(), Some(401));
    }

    #[test]
    fn detail_is_bounded() {
        let e = Error::with_detail(ErrorKind::InvalidArgument, "x".repeat(10_000));
        assert_eq!(e.detail().len(), MAX_DETAIL_LEN);
        assert!(e.detail().ends_with('…'));
        let e = Error::with_detail(ErrorKind::InvalidArgument, "é".repeat(1_000));
        assert!(e.detail().len() <= MAX_DETAIL_LEN);
        let exact = "x".repeat(MAX_DETAIL_LEN);
        assert_eq!(
            Error::with_detail(ErrorKind::InvalidArgument, exact.clone()).detail(),
            exact
        );
        assert_eq!(snippet(&"é".repeat(100)).chars().count(), 33);
        assert_eq!(snippet("a\nb"), "a?b");
    }
}
