//! Token responses (RFC 6749 §5.1, RFC 9449 §5), error responses (RFC 6749 §5.2),
//! resource-server challenges (RFC 6750 §3; the `DPoP` scheme of RFC 9449 §7.1 and §9) and the
//! mapping of every [`ErrorKind`] to an OAuth error code.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::REDACTED;
use crate::jwt::Algorithm;
pub use crate::limits::MAX_DESCRIPTION_BYTES;
use crate::{Error, ErrorKind};

/// The headers RFC 6749 §5.1 and §5.2 require on token-endpoint JSON responses, success or error:
/// a JSON content type and no caching.
pub const JSON_NO_STORE_HEADERS: [(&str, &str); 3] = [
    ("Content-Type", "application/json;charset=UTF-8"),
    ("Cache-Control", "no-store"),
    ("Pragma", "no-cache"),
];

/// A successful access token response (RFC 6749 §5.1).
///
/// Send [`TokenResponse::to_json`] with status 200 and [`JSON_NO_STORE_HEADERS`]. `Debug`
/// redacts the tokens.
///
/// ```
/// use tessera::wire::{scope_if_different, TokenResponse};
///
/// let response = TokenResponse::bearer("2YotnFZFEjr1zCsicMWpAA", 3600)
///     .with_refresh_token("tGzv3JOkF0XG5Qx2TlKWIA")
///     .with_scope(scope_if_different("read", Some("read write")));
/// assert_eq!(
///     response.to_json(),
///     r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"read"}"#
/// );
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenResponse {
    /// `access_token`.
    pub access_token: String,
    /// `token_type`: `Bearer` (RFC 6750 §4), or `DPoP` for a DPoP-bound token (RFC 9449 §5).
    pub token_type: String,
    /// `expires_in`: lifetime of the access token in seconds.
    pub expires_in: u64,
    /// `refresh_token`, if one was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// `scope`: REQUIRED when the granted scope differs from the requested one
    /// (see [`scope_if_different`]), omitted otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl TokenResponse {
    /// A `Bearer` token response with no refresh token and no scope.
    pub fn bearer(access_token: impl Into<String>, expires_in: u64) -> TokenResponse {
        TokenResponse {
            access_token: access_token.into(),
            token_type: "Bearer".to_owned(),
            expires_in,
            refresh_token: None,
            scope: None,
        }
    }

    /// Sets `token_type`: `DPoP` for an access token bound to a DPoP key (RFC 9449 §5), `Bearer`
    /// otherwise.
    pub fn with_token_type(mut self, token_type: impl Into<String>) -> TokenResponse {
        self.token_type = token_type.into();
        self
    }

    /// Adds a refresh token.
    pub fn with_refresh_token(mut self, refresh_token: impl Into<String>) -> TokenResponse {
        self.refresh_token = Some(refresh_token.into());
        self
    }

    /// Sets the `scope` member; pass the result of [`scope_if_different`].
    pub fn with_scope(mut self, scope: Option<String>) -> TokenResponse {
        self.scope = scope;
        self
    }

    /// The JSON body; absent members are omitted.
    pub fn to_json(&self) -> String {
        // Serializing strings and an integer cannot fail; the fallback is unreachable.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The HTTP status to send: 200.
    pub const fn http_status(&self) -> u16 {
        200
    }

    /// The headers to send: [`JSON_NO_STORE_HEADERS`].
    pub const fn headers(&self) -> [(&'static str, &'static str); 3] {
        JSON_NO_STORE_HEADERS
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &REDACTED)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| REDACTED),
            )
            .field("scope", &self.scope)
            .finish()
    }
}

/// The `scope` member of a token response (RFC 6749 §5.1: OPTIONAL if identical to the scope
/// requested by the client; otherwise REQUIRED).
///
/// Both scopes are compared as sets of space-separated tokens (order and repeats do not matter).
/// Returns `None` when they are equal, otherwise the granted tokens joined by single spaces, in
/// their order, without repeats. An omitted request (`None`) always differs from a non-empty
/// grant, because the client cannot know the default. An empty grant returns `None`: RFC 6749
/// §3.3 has no empty scope value (refuse such a request with `invalid_scope` instead).
///
/// ```
/// use tessera::wire::scope_if_different;
///
/// assert_eq!(scope_if_different("b a", Some("a b")), None);
/// assert_eq!(scope_if_different("a", Some("a b")).as_deref(), Some("a"));
/// assert_eq!(scope_if_different("a b", None).as_deref(), Some("a b"));
/// ```
pub fn scope_if_different(granted: &str, requested: Option<&str>) -> Option<String> {
    let mut seen = BTreeSet::new();
    let granted: Vec<&str> = scope_tokens(granted).filter(|t| seen.insert(*t)).collect();
    if granted.is_empty() {
        return None;
    }
    match requested {
        Some(requested) if scope_tokens(requested).collect::<BTreeSet<_>>() == seen => None,
        _ => Some(granted.join(" ")),
    }
}

fn scope_tokens(scope: &str) -> impl Iterator<Item = &str> {
    scope.split(' ').filter(|t| !t.is_empty())
}

/// An OAuth error response: the JSON body of RFC 6749 §5.2 (token, revocation and introspection
/// endpoints) or the RFC 6750 §3 answer of a resource server, with its HTTP status and
/// `WWW-Authenticate` challenge.
///
/// The error code always comes from the OAuth block of [`ErrorKind`]; other kinds are mapped
/// first ([`token_error_for`] by [`ErrorResponse::from_error`], [`resource_error_for`] by
/// [`ErrorResponse::for_resource`]). The description is cut to [`MAX_DESCRIPTION_BYTES`] and every
/// character outside the RFC 6749 §5.2 set (%x20-21 / %x23-5B / %x5D-7E) becomes `?`, so it is
/// safe both in JSON and inside a quoted header parameter.
///
/// Every 401 carries a challenge (RFC 9110 §15.5.2): build responses that may be 401 with
/// [`ErrorResponse::with_challenge`] (or [`ErrorResponse::for_token_endpoint`]), which never
/// leaves a 401 without one. The constructors alone cannot, since a challenge needs a realm.
///
/// A resource server that accepts DPoP-bound tokens (RFC 9449 §7.1) answers with
/// [`ErrorResponse::for_resource`] and [`ErrorResponse::with_challenges`], which lists the
/// `DPoP` challenge first, then `Bearer`, in one `WWW-Authenticate` value; there
/// `invalid_dpop_proof` and `use_dpop_nonce` are 401 (RFC 9449 §7.1, §9), while at the token
/// endpoint they are 400 (RFC 9449 §5, §8).
///
/// ```
/// use tessera::wire::ErrorResponse;
/// use tessera::{Error, ErrorKind};
///
/// let response = ErrorResponse::new(ErrorKind::OauthInvalidClient, Some("unknown client"))
///     .with_basic_challenge("tessera");
/// assert_eq!(response.http_status(), 401);
/// assert_eq!(response.to_json(), r#"{"error":"invalid_client","error_description":"unknown client"}"#);
/// assert_eq!(response.www_authenticate(), Some(r#"Basic realm="tessera""#));
///
/// // A wrong client_secret_post secret: still 401 with the Basic challenge (RFC 6749 §5.2).
/// let err = Error::new(ErrorKind::OauthInvalidClient, "client authentication failed");
/// let response = ErrorResponse::for_token_endpoint(&err, "https://as.example");
/// assert_eq!(response.www_authenticate(), Some(r#"Basic realm="https://as.example""#));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorResponse {
    kind: ErrorKind,
    description: Option<String>,
    www_authenticate: Option<String>,
    /// Answered by a resource server: the DPoP errors are 401 there (RFC 9449 §7.1, §9).
    at_resource: bool,
    /// A `DPoP-Nonce` header value to send with the response (RFC 9449 §8, §9).
    dpop_nonce: Option<String>,
}

/// The codes a resource server's `Bearer` challenge carries (RFC 6750 §3.1).
const BEARER_ERRORS: [ErrorKind; 3] = [
    ErrorKind::OauthInvalidRequest,
    ErrorKind::OauthInvalidToken,
    ErrorKind::OauthInsufficientScope,
];

/// The codes a `DPoP` challenge carries (RFC 9449 §7.1, §9): the `Bearer` ones and the two of
/// DPoP.
const DPOP_ERRORS: [ErrorKind; 5] = [
    ErrorKind::OauthInvalidRequest,
    ErrorKind::OauthInvalidToken,
    ErrorKind::OauthInsufficientScope,
    ErrorKind::OauthInvalidDpopProof,
    ErrorKind::OauthUseDpopNonce,
];

impl ErrorResponse {
    /// An error response of `kind` (mapped with [`token_error_for`] if it is not an OAuth kind),
    /// with an optional description.
    pub fn new(kind: ErrorKind, description: Option<&str>) -> ErrorResponse {
        ErrorResponse {
            kind: token_error_for(kind),
            description: description.map(sanitize_text).filter(|d| !d.is_empty()),
            www_authenticate: None,
            at_resource: false,
            dpop_nonce: None,
        }
    }

    /// Adds the header `DPoP-Nonce: <nonce>` (RFC 9449 §8 at the token endpoint, §9 at a
    /// resource server): send it with every `use_dpop_nonce` error, from
    /// [`ProofValidator::nonce`](crate::dpop::ProofValidator::nonce). A value that is not
    /// `1*NQCHAR` (§8.1) is left out rather than sent.
    pub fn with_dpop_nonce(mut self, nonce: Option<&str>) -> ErrorResponse {
        self.dpop_nonce = nonce
            .filter(|n| !n.is_empty() && n.bytes().all(crate::scope::is_nqchar))
            .map(str::to_owned);
        self
    }

    /// The `DPoP-Nonce` value to send, if any ([`ErrorResponse::with_dpop_nonce`]).
    pub fn dpop_nonce(&self) -> Option<&str> {
        self.dpop_nonce.as_deref()
    }

    /// An error response of a resource server: `kind` mapped with [`resource_error_for`], with
    /// an optional description. `invalid_dpop_proof` and `use_dpop_nonce` are 401 here
    /// (RFC 9449 §7.1, §9); add the challenge with [`ErrorResponse::with_challenges`] (or
    /// [`ErrorResponse::with_bearer_challenge`], [`ErrorResponse::with_dpop_challenge`]).
    pub fn resource(kind: ErrorKind, description: Option<&str>) -> ErrorResponse {
        ErrorResponse {
            at_resource: true,
            ..ErrorResponse::new(resource_error_for(kind), description)
        }
    }

    /// The error response for `err` at the token, revocation or introspection endpoint: its kind
    /// mapped with [`token_error_for`], its detail as the description. A `server_error` gets no
    /// description, so internal details are not sent to clients.
    pub fn from_error(err: &Error) -> ErrorResponse {
        Self::described(token_error_for(err.kind()), err)
    }

    /// The error response for `err` at a resource server (RFC 6750 §3.1, RFC 9449 §7.1): as
    /// [`ErrorResponse::resource`], with `err`'s detail as the description (none for
    /// `server_error`). Add the challenge with [`ErrorResponse::with_challenges`] (DPoP and
    /// Bearer) or [`ErrorResponse::with_bearer_challenge`].
    pub fn for_resource(err: &Error) -> ErrorResponse {
        ErrorResponse {
            at_resource: true,
            ..Self::described(resource_error_for(err.kind()), err)
        }
    }

    /// The error response for `err` at the token, revocation or introspection endpoint, with
    /// the challenge its status needs ([`ErrorResponse::from_error`], then
    /// [`ErrorResponse::with_challenge`] for `realm`, usually the issuer identifier): a 401 always
    /// has one, whichever way the client authenticated.
    pub fn for_token_endpoint(err: &Error, realm: &str) -> ErrorResponse {
        Self::from_error(err).with_challenge(realm)
    }

    fn described(kind: ErrorKind, err: &Error) -> ErrorResponse {
        let description = match kind {
            ErrorKind::OauthServerError => None,
            _ => Some(err.detail()),
        };
        ErrorResponse::new(kind, description)
    }

    /// Adds `WWW-Authenticate: Basic realm="<realm>"` if the error is `invalid_client`: RFC 6749
    /// §5.2 requires it when the client tried to authenticate with the `Authorization` header,
    /// and RFC 9110 §15.5.2 requires a challenge on every 401, so it belongs on every
    /// `invalid_client`, also after `client_secret_post` or no authentication at all: HTTP Basic
    /// is the scheme the token endpoint accepts (RFC 6749 §2.3.1, "which HTTP authentication
    /// schemes are supported", §5.2). Other errors are returned unchanged.
    pub fn with_basic_challenge(mut self, realm: &str) -> ErrorResponse {
        if self.kind == ErrorKind::OauthInvalidClient {
            self.www_authenticate = Some(format!("Basic realm={}", quoted(realm)));
        }
        self
    }

    /// Adds the RFC 6750 §3 challenge
    /// `Bearer realm="...", error="...", error_description="...", scope="..."` if the error is
    /// `invalid_request`, `invalid_token` or `insufficient_scope`. `scope` (the scope the resource
    /// needs) is included only for `insufficient_scope`. Other errors are returned unchanged.
    pub fn with_bearer_challenge(mut self, realm: &str, scope: Option<&str>) -> ErrorResponse {
        if BEARER_ERRORS.contains(&self.kind) {
            self.www_authenticate = Some(self.bearer_part(realm, scope));
        }
        self
    }

    /// Adds the RFC 9449 §7.1 challenge
    /// `DPoP realm="...", error="...", error_description="...", algs="..."` (`realm` only when
    /// given, `algs` only when not empty: the JWS algorithms accepted for proofs) if the error
    /// is `invalid_dpop_proof`, `use_dpop_nonce` (RFC 9449 §9: send the nonce in a `DPoP-Nonce`
    /// header with it), `invalid_token`, `invalid_request` or `insufficient_scope`. Other
    /// errors are returned unchanged. The response becomes a resource server's: the DPoP errors
    /// are 401. A server that also accepts `Bearer` tokens uses
    /// [`ErrorResponse::with_challenges`] instead.
    ///
    /// ```
    /// use tessera::jwt::Algorithm;
    /// use tessera::wire::ErrorResponse;
    /// use tessera::ErrorKind;
    ///
    /// let response = ErrorResponse::resource(ErrorKind::DpopNonceRequired, Some("a nonce is required"))
    ///     .with_dpop_challenge(Some("api"), &[Algorithm::ES256]);
    /// assert_eq!(response.http_status(), 401);
    /// assert_eq!(
    ///     response.www_authenticate(),
    ///     Some(r#"DPoP realm="api", error="use_dpop_nonce", error_description="a nonce is required", algs="ES256""#)
    /// );
    /// ```
    pub fn with_dpop_challenge(self, realm: Option<&str>, algs: &[Algorithm]) -> ErrorResponse {
        self.with_resource_challenges(realm, algs, None, false)
    }

    /// Adds the challenges of a resource server in one `WWW-Authenticate` value: with
    /// `dpop_algs`, the `DPoP` challenge of [`ErrorResponse::with_dpop_challenge`] first, then
    /// the `Bearer` one (clients look for `DPoP` there, RFC 9449 §7.1):
    /// `DPoP realm="api", error="invalid_token", ..., algs="ES256", Bearer realm="api",
    /// error="invalid_token", ...`. The `Bearer` challenge carries the error only for
    /// `invalid_request`, `invalid_token` and `insufficient_scope`; for the DPoP errors it is
    /// the bare `Bearer realm="..."`. `scope` (the scope the resource needs) is added to both
    /// for `insufficient_scope`. Without `dpop_algs` this is
    /// [`ErrorResponse::with_bearer_challenge`]. Errors that carry no challenge are returned
    /// unchanged. Every value is quoted and escaped.
    ///
    /// ```
    /// use tessera::jwt::Algorithm;
    /// use tessera::wire::ErrorResponse;
    /// use tessera::{Error, ErrorKind};
    ///
    /// let err = Error::new(ErrorKind::DpopBoundToken, "a DPoP-bound token sent as a bearer token");
    /// let response = ErrorResponse::for_resource(&err)
    ///     .with_challenges("api", Some(&[Algorithm::ES256, Algorithm::PS256]), None);
    /// assert_eq!(response.http_status(), 401);
    /// let challenge = response.www_authenticate().unwrap();
    /// assert!(challenge.starts_with(r#"DPoP realm="api", error="invalid_token""#));
    /// assert!(challenge.contains(r#"algs="ES256 PS256", Bearer realm="api", error="invalid_token""#));
    /// ```
    pub fn with_challenges(
        self,
        realm: &str,
        dpop_algs: Option<&[Algorithm]>,
        scope: Option<&str>,
    ) -> ErrorResponse {
        match dpop_algs {
            Some(algs) => self.with_resource_challenges(Some(realm), algs, scope, true),
            None => self.with_bearer_challenge(realm, scope),
        }
    }

    /// The `DPoP` challenge, followed by the `Bearer` one when `bearer` (then `realm` is
    /// required: without it there is no `Bearer` challenge).
    pub(crate) fn with_resource_challenges(
        mut self,
        realm: Option<&str>,
        algs: &[Algorithm],
        scope: Option<&str>,
        bearer: bool,
    ) -> ErrorResponse {
        self.at_resource = true;
        if !DPOP_ERRORS.contains(&self.kind) {
            return self;
        }
        let mut challenge = dpop_header(realm, self.error_params(scope), algs);
        if let (true, Some(realm)) = (bearer, realm) {
            challenge.push_str(", ");
            if BEARER_ERRORS.contains(&self.kind) {
                challenge.push_str(&self.bearer_part(realm, scope));
            } else {
                challenge.push_str(&bearer_challenge(realm));
            }
        }
        self.www_authenticate = Some(challenge);
        self
    }

    /// `Bearer realm="...", error="...", ...`.
    fn bearer_part(&self, realm: &str, scope: Option<&str>) -> String {
        let mut params = vec![format!("realm={}", quoted(realm))];
        params.extend(self.error_params(scope));
        format!("Bearer {}", params.join(", "))
    }

    /// `error="..."`, `error_description="..."` (when there is one) and, for
    /// `insufficient_scope`, `scope="..."`.
    fn error_params(&self, scope: Option<&str>) -> Vec<String> {
        let mut params = vec![format!("error={}", quoted(self.error()))];
        if let Some(description) = &self.description {
            params.push(format!("error_description={}", quoted(description)));
        }
        if let (ErrorKind::OauthInsufficientScope, Some(scope)) = (self.kind, scope) {
            params.push(format!("scope={}", quoted(&sanitize_text(scope))));
        }
        params
    }

    /// Adds the challenge a 401 must carry (RFC 9110 §15.5.2), if the response has none yet:
    /// `Basic realm="<realm>"` for `invalid_client` ([`ErrorResponse::with_basic_challenge`]),
    /// the RFC 6750 §3 `Bearer realm="<realm>", error="invalid_token", ...` challenge for
    /// `invalid_token`, and at a resource server the RFC 9449 §7.1 `DPoP realm="<realm>",
    /// error="...", ...` challenge for `invalid_dpop_proof` and `use_dpop_nonce`. Other
    /// statuses are returned unchanged; after this, [`ErrorResponse::www_authenticate`] is
    /// `Some` whenever [`ErrorResponse::http_status`] is 401.
    pub fn with_challenge(self, realm: &str) -> ErrorResponse {
        if self.www_authenticate.is_some() || self.http_status() != 401 {
            return self;
        }
        match self.kind {
            ErrorKind::OauthInvalidClient => self.with_basic_challenge(realm),
            ErrorKind::OauthInvalidDpopProof | ErrorKind::OauthUseDpopNonce => {
                self.with_dpop_challenge(Some(realm), &[])
            }
            _ => self.with_bearer_challenge(realm, None),
        }
    }

    /// The error kind (always one of the OAuth block).
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The `error` code, e.g. `invalid_grant`.
    pub fn error(&self) -> &'static str {
        self.kind.oauth_error().unwrap_or("server_error")
    }

    /// The sanitized `error_description`, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The HTTP status to send: [`ErrorKind::http_status`], except that a resource server's
    /// response ([`ErrorResponse::resource`], [`ErrorResponse::for_resource`], or one given a
    /// `DPoP` challenge) is 401 for `invalid_dpop_proof` and `use_dpop_nonce` (RFC 9449 §7.1,
    /// §9), which the token endpoint answers with 400 (RFC 9449 §5, §8).
    pub fn http_status(&self) -> u16 {
        match self.kind {
            ErrorKind::OauthInvalidDpopProof | ErrorKind::OauthUseDpopNonce if self.at_resource => {
                401
            }
            kind => kind.http_status().unwrap_or(500),
        }
    }

    /// The `WWW-Authenticate` header value to send, if any. Always `Some` for a 401 built with
    /// [`ErrorResponse::with_challenge`] or [`ErrorResponse::for_token_endpoint`].
    pub fn www_authenticate(&self) -> Option<&str> {
        self.www_authenticate.as_deref()
    }

    /// The JSON body: `{"error":"...","error_description":"..."}` (description omitted if none).
    pub fn to_json(&self) -> String {
        let mut body = serde_json::Map::new();
        let _ = body.insert("error".to_owned(), self.error().into());
        if let Some(description) = &self.description {
            let _ = body.insert("error_description".to_owned(), description.as_str().into());
        }
        serde_json::Value::Object(body).to_string()
    }

    /// Every header to send: [`JSON_NO_STORE_HEADERS`], `WWW-Authenticate` and `DPoP-Nonce` if
    /// set.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers: Vec<(&'static str, String)> = JSON_NO_STORE_HEADERS
            .iter()
            .map(|&(n, v)| (n, v.to_owned()))
            .collect();
        if let Some(challenge) = &self.www_authenticate {
            headers.push(("WWW-Authenticate", challenge.clone()));
        }
        if let Some(nonce) = &self.dpop_nonce {
            headers.push(("DPoP-Nonce", nonce.clone()));
        }
        headers
    }
}

/// The `WWW-Authenticate` value for a resource request that lacks authentication (no token, or
/// another scheme): `Bearer realm="<realm>"` with no error code (RFC 6750 §3.1), sent with 401.
///
/// ```
/// assert_eq!(tessera::wire::bearer_challenge("api"), r#"Bearer realm="api""#);
/// ```
pub fn bearer_challenge(realm: &str) -> String {
    format!("Bearer realm={}", quoted(realm))
}

/// The `WWW-Authenticate` value for a resource request that lacks authentication, at a resource
/// server that accepts DPoP-bound tokens (RFC 9449 §7.1): `DPoP realm="<realm>", algs="ES256
/// PS256"`, with no error code, sent with 401. `realm` is written only when given, `algs` (the
/// JWS algorithms accepted for proofs) only when not empty; with neither it is `DPoP`. A
/// server that also accepts `Bearer` tokens sends both in one value, DPoP first:
/// `format!("{}, {}", dpop_challenge(Some(realm), algs), bearer_challenge(realm))`.
///
/// ```
/// use tessera::jwt::Algorithm;
/// use tessera::wire::{bearer_challenge, dpop_challenge};
///
/// assert_eq!(dpop_challenge(None, &[Algorithm::ES256, Algorithm::PS256]), r#"DPoP algs="ES256 PS256""#);
/// assert_eq!(
///     format!("{}, {}", dpop_challenge(Some("api"), &[Algorithm::ES256]), bearer_challenge("api")),
///     r#"DPoP realm="api", algs="ES256", Bearer realm="api""#
/// );
/// ```
pub fn dpop_challenge(realm: Option<&str>, algs: &[Algorithm]) -> String {
    dpop_header(realm, Vec::new(), algs)
}

/// `DPoP` followed by `realm`, the error parameters and `algs`, each present only when given.
fn dpop_header(realm: Option<&str>, error_params: Vec<String>, algs: &[Algorithm]) -> String {
    let mut params = Vec::new();
    if let Some(realm) = realm {
        params.push(format!("realm={}", quoted(realm)));
    }
    params.extend(error_params);
    if !algs.is_empty() {
        let names: Vec<&str> = algs.iter().map(|a| a.as_str()).collect();
        params.push(format!("algs={}", quoted(&names.join(" "))));
    }
    if params.is_empty() {
        "DPoP".to_owned()
    } else {
        format!("DPoP {}", params.join(", "))
    }
}

/// The OAuth kind to report at the token, revocation and introspection endpoints (RFC 6749 §5.2)
/// for any [`ErrorKind`]. OAuth kinds map to themselves; for the others:
///
/// | kinds | error |
/// |---|---|
/// | caller and ABI errors, RNG failure, `Unsupported`, bad server keys (`InvalidKey`, `UnsupportedKey`, `WeakKey`, `AmbiguousKeySet`, `NotPrivateKey`, `NoPublicKey`) | `server_error` |
/// | `InvalidUtf8`, `TooLarge`, `InvalidPkce` (malformed verifier) | `invalid_request` |
/// | JWT structure, algorithm, signature, key selection and claim errors (a presented assertion), opaque-token errors (a bad code or refresh token), `PkceMismatch` (RFC 7636 §4.6) | `invalid_grant` |
/// | `InvalidScope`, `ScopeNotGranted` | `invalid_scope` |
/// | DPoP proof kinds (800–808, 811–814) | `invalid_dpop_proof` (RFC 9449 §5, §12.2) |
/// | `DpopNonceRequired`, `DpopNonceInvalid` | `use_dpop_nonce` (RFC 9449 §8) |
/// | `DpopBoundToken`, `UnboundToken`, `CertificateMismatch` | `invalid_grant` |
///
/// A host verifying a JWT *client* assertion maps its failure to `invalid_client` itself.
pub fn token_error_for(kind: ErrorKind) -> ErrorKind {
    use ErrorKind as K;
    match Origin::of(kind) {
        Origin::Oauth => kind,
        Origin::Internal => K::OauthServerError,
        Origin::Utf8 | Origin::TooLarge | Origin::PkceSyntax => K::OauthInvalidRequest,
        Origin::Presented | Origin::PkceMismatch => K::OauthInvalidGrant,
        Origin::ScopeSyntax | Origin::ScopeNotGranted => K::OauthInvalidScope,
        Origin::DpopProof => K::OauthInvalidDpopProof,
        Origin::DpopNonce => K::OauthUseDpopNonce,
        Origin::Binding => K::OauthInvalidGrant,
    }
}

/// The OAuth kind a resource server reports (RFC 6750 §3.1, RFC 9449 §7.1) for any
/// [`ErrorKind`], with the status [`ErrorResponse::resource`] and
/// [`ErrorResponse::for_resource`] give it:
///
/// | kinds | error | status |
/// |---|---|---|
/// | anything wrong with the presented token: JWT structure (including `TooLarge`), algorithm, signature, key selection, claims, scope *syntax* in the token, opaque-token errors, and the token-endpoint OAuth kinds (`invalid_grant`, `invalid_client`, ...) | `invalid_token` | 401 |
/// | `ScopeNotGranted`, `OauthInvalidScope`, `OauthInsufficientScope` | `insufficient_scope` | 403 |
/// | DPoP proof kinds (800–808, 811–814), `OauthInvalidDpopProof` | `invalid_dpop_proof` (RFC 9449 §7.1) | 401 (the token endpoint's 400 is [`ErrorKind::http_status`]) |
/// | `DpopNonceRequired`, `DpopNonceInvalid`, `OauthUseDpopNonce` | `use_dpop_nonce` (RFC 9449 §9) | 401 (400 at the token endpoint, §8) |
/// | `DpopBoundToken`, `UnboundToken`, `CertificateMismatch` (RFC 9449 §7.2, RFC 8705 §3) | `invalid_token` | 401 |
/// | `OauthInvalidRequest`, `InvalidUtf8`, PKCE errors | `invalid_request` | 400 |
/// | caller and ABI errors, RNG failure, bad server keys, `server_error` | `server_error` | 500 |
/// | `temporarily_unavailable` | itself | 503 |
///
/// The `Bearer` challenge ([`ErrorResponse::with_bearer_challenge`]) is for `invalid_token`,
/// `insufficient_scope` and `invalid_request`; the `DPoP` challenge
/// ([`ErrorResponse::with_dpop_challenge`], [`ErrorResponse::with_challenges`]) for those and
/// the two DPoP errors.
pub fn resource_error_for(kind: ErrorKind) -> ErrorKind {
    use ErrorKind as K;
    match (Origin::of(kind), kind) {
        (Origin::Oauth, K::OauthInvalidRequest)
        | (Origin::Utf8 | Origin::PkceSyntax | Origin::PkceMismatch, _) => K::OauthInvalidRequest,
        (Origin::Oauth, K::OauthInsufficientScope | K::OauthInvalidScope)
        | (Origin::ScopeNotGranted, _) => K::OauthInsufficientScope,
        (Origin::Oauth, K::OauthServerError) | (Origin::Internal, _) => K::OauthServerError,
        (Origin::Oauth, K::OauthTemporarilyUnavailable) => K::OauthTemporarilyUnavailable,
        (Origin::Oauth, K::OauthInvalidDpopProof) | (Origin::DpopProof, _) => {
            K::OauthInvalidDpopProof
        }
        (Origin::Oauth, K::OauthUseDpopNonce) | (Origin::DpopNonce, _) => K::OauthUseDpopNonce,
        (
            Origin::Oauth
            | Origin::Presented
            | Origin::TooLarge
            | Origin::ScopeSyntax
            | Origin::Binding,
            _,
        ) => K::OauthInvalidToken,
    }
}

/// Where an [`ErrorKind`] comes from, for the endpoint maps above: one exhaustive list, so a new
/// kind is placed once and every map follows.
#[derive(Clone, Copy)]
enum Origin {
    /// An OAuth kind already (`Oauth*`).
    Oauth,
    /// A caller, ABI, random-generator or server-key problem: never the client's fault.
    Internal,
    /// Text that must be UTF-8 was not.
    Utf8,
    /// An input over a size limit.
    TooLarge,
    /// A malformed PKCE verifier or challenge.
    PkceSyntax,
    /// A PKCE verifier that does not match its challenge (RFC 7636 §4.6).
    PkceMismatch,
    /// Something wrong with a presented token, code or assertion: its structure, algorithm,
    /// signature, key selection or claims, or an opaque token's format or match.
    Presented,
    /// A scope string that breaks RFC 6749 §3.3.
    ScopeSyntax,
    /// A scope that is not granted.
    ScopeNotGranted,
    /// A DPoP proof that breaks a rule of RFC 9449 §4.3, or is replayed, missing, or made with
    /// another key than the one bound.
    DpopProof,
    /// A DPoP proof without the nonce the server requires, or with a stale one.
    DpopNonce,
    /// A sender-constrained token presented without its proof of possession: a DPoP-bound token
    /// as a bearer token, a token without `cnf` where one is required, a certificate mismatch.
    Binding,
}

impl Origin {
    const fn of(kind: ErrorKind) -> Origin {
        use ErrorKind as K;
        match kind {
            K::OauthInvalidRequest
            | K::OauthInvalidClient
            | K::OauthInvalidGrant
            | K::OauthUnauthorizedClient
            | K::OauthUnsupportedGrantType
            | K::OauthInvalidScope
            | K::OauthAccessDenied
            | K::OauthUnsupportedResponseType
            | K::OauthServerError
            | K::OauthTemporarilyUnavailable
            | K::OauthInvalidToken
            | K::OauthInsufficientScope
            | K::OauthInvalidDpopProof
            | K::OauthUseDpopNonce => Origin::Oauth,
            K::InvalidArgument
            | K::BufferTooSmall
            | K::Panic
            | K::NullPointer
            | K::RandomFailure
            | K::Unsupported
            | K::WrongHandle
            | K::InvalidKey
            | K::UnsupportedKey
            | K::WeakKey
            | K::AmbiguousKeySet
            | K::NotPrivateKey
            | K::NoPublicKey => Origin::Internal,
            K::InvalidUtf8 => Origin::Utf8,
            K::TooLarge => Origin::TooLarge,
            K::InvalidPkce => Origin::PkceSyntax,
            K::PkceMismatch => Origin::PkceMismatch,
            K::MalformedToken
            | K::InvalidBase64
            | K::InvalidJson
            | K::DuplicateMember
            | K::InvalidHeader
            | K::UnsupportedCritical
            | K::TooDeep
            | K::KeyAlgorithmMismatch
            | K::KeyUsage
            | K::KeyNotFound
            | K::UnsupportedAlgorithm
            | K::AlgorithmMismatch
            | K::InvalidSignature
            | K::Expired
            | K::NotYetValid
            | K::IssuedInFuture
            | K::TooOld
            | K::MissingClaim
            | K::InvalidClaimType
            | K::IssuerMismatch
            | K::AudienceMismatch
            | K::SubjectMismatch
            | K::TypeMismatch
            | K::MalformedOpaqueToken
            | K::TokenChecksum
            | K::WrongTokenKind
            | K::TokenMismatch => Origin::Presented,
            K::InvalidScope => Origin::ScopeSyntax,
            K::ScopeNotGranted => Origin::ScopeNotGranted,
            K::DpopMalformed
            | K::DpopType
            | K::DpopAlgorithm
            | K::DpopKey
            | K::DpopSignature
            | K::DpopMethod
            | K::DpopUri
            | K::DpopIat
            | K::DpopJti
            | K::DpopAth
            | K::DpopReplay
            | K::DpopKeyMismatch
            | K::DpopProofRequired => Origin::DpopProof,
            K::DpopNonceRequired | K::DpopNonceInvalid => Origin::DpopNonce,
            K::DpopBoundToken | K::UnboundToken | K::CertificateMismatch => Origin::Binding,
        }
    }
}

/// The OAuth kind an authorization endpoint redirects with (RFC 6749 §4.1.2.1, §4.2.2.1), which
/// allows only `invalid_request`, `unauthorized_client`, `access_denied`,
/// `unsupported_response_type`, `invalid_scope`, `server_error` and `temporarily_unavailable`:
/// [`token_error_for`] first, then `insufficient_scope` becomes `invalid_scope` and every other
/// code outside that list becomes `invalid_request`.
pub fn authorize_error_for(kind: ErrorKind) -> ErrorKind {
    use ErrorKind as K;
    match token_error_for(kind) {
        k @ (K::OauthInvalidRequest
        | K::OauthUnauthorizedClient
        | K::OauthAccessDenied
        | K::OauthUnsupportedResponseType
        | K::OauthInvalidScope
        | K::OauthServerError
        | K::OauthTemporarilyUnavailable) => k,
        K::OauthInsufficientScope => K::OauthInvalidScope,
        _ => K::OauthInvalidRequest,
    }
}

/// Keeps the RFC 6749 §5.2 / RFC 6750 §3 character set (%x20-21 / %x23-5B / %x5D-7E), replacing
/// anything else with `?`, and cuts to [`MAX_DESCRIPTION_BYTES`].
pub(super) fn sanitize_text(text: &str) -> String {
    text.chars()
        .take(MAX_DESCRIPTION_BYTES)
        .map(|c| match c {
            '\u{20}'..='\u{21}' | '\u{23}'..='\u{5b}' | '\u{5d}'..='\u{7e}' => c,
            _ => '?',
        })
        .collect()
}

/// An RFC 9110 §5.6.4 quoted-string: `"` and `\` escaped, control and non-ASCII characters
/// replaced by `?` (so no header injection), cut to [`MAX_DESCRIPTION_BYTES`].
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_DESCRIPTION_BYTES) + 2);
    out.push('"');
    for c in text.chars().take(MAX_DESCRIPTION_BYTES) {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\u{20}'..='\u{7e}' => out.push(c),
            _ => out.push('?'),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
