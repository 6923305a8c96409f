//! Wire formats of OAuth 2.0: what an authorization server or API reads from and writes to HTTP,
//! as pure functions over bytes and strings (the host does the HTTP).
//!
//! | piece | implements |
//! |---|---|
//! | [`Form`], [`encode_form`] | `application/x-www-form-urlencoded` (WHATWG URL §5, RFC 6749 Appendix B); parameters at most once, empty means omitted (RFC 6749 §3.1, §3.2) |
//! | [`AuthorizeRequest`], [`TokenRequest`] | RFC 6749 §4.1.1, §4.1.3, §4.4.2, §6; RFC 7636 §4.3, §4.5; RFC 9449 §10 (`dpop_jkt`); value syntax of RFC 6749 Appendix A |
//! | [`RevocationRequest`], [`IntrospectionRequest`] | RFC 7009 §2.1, RFC 7662 §2.1 |
//! | [`client_auth`], [`basic_credentials`], [`ClientAuth`] | RFC 6749 §2.3.1 (HTTP Basic or body credentials, one method per request), RFC 7617 |
//! | [`bearer_token`], [`bearer_challenge`] | RFC 6750 §2.1, §3, §3.1 |
//! | [`access_token`], [`AuthScheme`], [`dpop_challenge`], [`ErrorResponse::with_dpop_challenge`], [`ErrorResponse::with_challenges`] | RFC 9449 §7.1 (the `DPoP` scheme and challenge, DPoP listed before Bearer), §9 (`use_dpop_nonce` at a resource server, 401) |
//! | [`TokenResponse`], [`scope_if_different`] | RFC 6749 §5.1; RFC 9449 §5 (`token_type: DPoP`) |
//! | [`ErrorResponse`], [`token_error_for`], [`resource_error_for`], [`authorize_error_for`] | RFC 6749 §5.2, §4.1.2.1; RFC 6750 §3 |
//! | [`redirect_with`], [`AuthorizeErrorRedirect`], [`ResponseMode`] | RFC 6749 §3.1.2, §4.1.2, §4.1.2.1, §4.2.2; RFC 9207 |
//! | [`parse_redirect_uri`], [`redirect_uri_matches`] | RFC 3986 §3, RFC 6749 §3.1.2, RFC 8252 §7.3 |
//! | [`ServerMetadata`], [`metadata_url`] | RFC 8414 §2, §3.1; RFC 9449 §5.1, RFC 8705 §3.3 (sender-constraint members) |
//!
//! Every parser has documented size limits ([`MAX_FORM_BYTES`], [`MAX_FORM_PARAMS`],
//! [`MAX_PARAM_NAME_BYTES`], [`MAX_HEADER_BYTES`], [`MAX_URI_BYTES`]) checked before the work
//! they bound, and reports protocol errors as the OAuth kinds of [`ErrorKind`](crate::ErrorKind)
//! so that [`ErrorResponse::from_error`] can answer them. Error details never echo request values
//! beyond a short [snippet]; `Debug` output of types holding secrets redacts them.
//!
//! [snippet]: crate::Error::detail
//!
//! ## A token endpoint, end to end
//!
//! ```
//! use tessera::wire::{client_auth, ErrorResponse, Form, TokenRequest, TokenResponse};
//!
//! fn token_endpoint(authorization: Option<&str>, body: &[u8]) -> (u16, Vec<(&'static str, String)>, String) {
//!     let result = Form::parse(body).and_then(|form| {
//!         let client = client_auth(authorization, &form)?;
//!         let request = TokenRequest::from_form(&form)?;
//!         // ... the grant layer checks `client` and `request` and mints the tokens ...
//!         assert_eq!(client.client_id(), "s6BhdRkqt3");
//!         assert_eq!(request.grant_type(), "client_credentials");
//!         Ok(TokenResponse::bearer("2YotnFZFEjr1zCsicMWpAA", 3600))
//!     });
//!     match result {
//!         Ok(ok) => (ok.http_status(), ok.headers().map(|(n, v)| (n, v.to_owned())).to_vec(), ok.to_json()),
//!         Err(err) => {
//!             // Every 401 carries its challenge (RFC 9110 §15.5.2), Basic for invalid_client.
//!             let response = ErrorResponse::for_token_endpoint(&err, "tessera");
//!             (response.http_status(), response.headers(), response.to_json())
//!         }
//!     }
//! }
//!
//! let basic = "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3";
//! let (status, headers, body) = token_endpoint(Some(basic), b"grant_type=client_credentials");
//! assert_eq!(status, 200);
//! assert!(headers.contains(&("Cache-Control", "no-store".to_owned())));
//! assert!(body.starts_with(r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA""#));
//!
//! // Basic and client_secret in the body: two methods in one request.
//! let (status, _, body) =
//!     token_endpoint(Some(basic), b"grant_type=client_credentials&client_secret=x");
//! assert_eq!(status, 400);
//! assert!(body.starts_with(r#"{"error":"invalid_request""#));
//!
//! // A mangled Basic header: 401 with a Basic challenge.
//! let (status, headers, _) = token_endpoint(Some("Basic !!"), b"grant_type=client_credentials");
//! assert_eq!(status, 401);
//! assert!(headers.contains(&("WWW-Authenticate", r#"Basic realm="tessera""#.to_owned())));
//! ```

mod auth;
mod form;
mod metadata;
mod redirect;
mod request;
mod response;
mod uri;

pub use auth::{
    AuthScheme, ClientAuth, MAX_HEADER_BYTES, access_token, basic_credentials, bearer_token,
    client_auth,
};
pub use form::{Form, MAX_FORM_BYTES, MAX_FORM_PARAMS, MAX_PARAM_NAME_BYTES, encode_form};
pub use metadata::{METADATA_WELL_KNOWN, ServerMetadata, metadata_url};
pub use redirect::{AuthorizeErrorRedirect, ResponseMode, redirect_with};
pub use request::{AuthorizeRequest, IntrospectionRequest, RevocationRequest, TokenRequest};
pub use response::{
    ErrorResponse, JSON_NO_STORE_HEADERS, MAX_DESCRIPTION_BYTES, TokenResponse,
    authorize_error_for, bearer_challenge, dpop_challenge, resource_error_for, scope_if_different,
    token_error_for,
};
pub use uri::{MAX_URI_BYTES, RedirectUri, parse_redirect_uri, redirect_uri_matches};

/// What `Debug` prints in place of a secret.
const REDACTED: &str = "<redacted>";
