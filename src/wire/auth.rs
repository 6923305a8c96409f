//! The `Authorization` header: `Bearer` tokens (RFC 6750 §2.1), `DPoP` tokens (RFC 9449 §7.1)
//! and `Basic` client credentials (RFC 7617, RFC 6749 §2.3.1), and client authentication at the
//! token endpoint.

use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::REDACTED;
use super::form::{Form, decode_component};
use super::request::is_vschar;
pub use crate::limits::MAX_HEADER_BYTES;
use crate::{Error, ErrorKind, Result};
use zeroize::Zeroize;

/// The access token in an `Authorization: Bearer` header (RFC 6750 §2.1), if there is one.
///
/// RFC 6750 §3.1 distinguishes a request that *lacks* authentication from one whose credentials
/// are malformed, so this returns three outcomes:
///
/// - `Ok(Some(token))`: the scheme is `Bearer` (any case) followed by one or more spaces and a
///   `b64token` (`1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`);
/// - `Ok(None)`: no header, an empty header, or another scheme (e.g. `Basic`). The request lacks
///   authentication: answer 401 with [`bearer_challenge`](crate::wire::bearer_challenge), which
///   carries no error code;
/// - `Err`: [`ErrorKind::OauthInvalidRequest`] when the scheme is `Bearer` but the credentials
///   are missing or not a `b64token` (answer 400), [`ErrorKind::TooLarge`] past
///   [`MAX_HEADER_BYTES`].
///
/// Spaces and tabs around the whole value are ignored (HTTP strips them).
///
/// ```
/// use tessera::wire::bearer_token;
///
/// assert_eq!(bearer_token(Some("bearer mF_9.B5f-4.1JqM"))?, Some("mF_9.B5f-4.1JqM"));
/// assert_eq!(bearer_token(Some("Basic Zm9vOmJhcg=="))?, None);
/// assert!(bearer_token(Some("Bearer a,b")).is_err());
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn bearer_token(header: Option<&str>) -> Result<Option<&str>> {
    let Some(header) = header else {
        return Ok(None);
    };
    let Some((scheme, credentials)) = split_credentials(header)? else {
        return Ok(None);
    };
    if AuthScheme::of(scheme) != Some(AuthScheme::Bearer) {
        return Ok(None);
    }
    checked_token(AuthScheme::Bearer, credentials).map(Some)
}

/// The scheme of an access token in the `Authorization` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthScheme {
    /// `Bearer` (RFC 6750 §2.1): the token alone authorizes the request.
    Bearer,
    /// `DPoP` (RFC 9449 §7.1): a DPoP-bound token, valid only with a `DPoP` proof header made
    /// with the key of its `cnf.jkt`, whose `ath` is the token's hash.
    Dpop,
}

impl AuthScheme {
    /// The scheme name as it is written in headers and `token_type`: `Bearer` or `DPoP`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthScheme::Bearer => "Bearer",
            AuthScheme::Dpop => "DPoP",
        }
    }

    /// The scheme of `name`, compared case-insensitively (RFC 9110 §11.1).
    fn of(name: &str) -> Option<AuthScheme> {
        if name.eq_ignore_ascii_case("Bearer") {
            Some(AuthScheme::Bearer)
        } else if name.eq_ignore_ascii_case("DPoP") {
            Some(AuthScheme::Dpop)
        } else {
            None
        }
    }
}

/// The access token in an `Authorization` header of scheme `Bearer` (RFC 6750 §2.1) or `DPoP`
/// (RFC 9449 §7.1), with its scheme: [`bearer_token`] for a resource server that also accepts
/// DPoP-bound tokens.
///
/// - `Ok(Some((scheme, token)))`: the scheme is `Bearer` or `DPoP` (any case) followed by one
///   or more spaces and a `b64token` (the grammar of both, RFC 9449 §7.1 reusing RFC 6750 §2.1);
/// - `Ok(None)`: no header, an empty header, or another scheme. The request lacks
///   authentication: answer 401 with [`dpop_challenge`](crate::wire::dpop_challenge) and/or
///   [`bearer_challenge`](crate::wire::bearer_challenge), DPoP first;
/// - `Err`: [`ErrorKind::OauthInvalidRequest`] when the scheme is `Bearer` or `DPoP` but the
///   credentials are missing or not a `b64token` (answer 400), [`ErrorKind::TooLarge`] past
///   [`MAX_HEADER_BYTES`].
///
/// What the scheme implies is the resource server's to check: a `DPoP` token needs a valid
/// proof bound to it, and a token whose `cnf.jkt` is set must not be accepted as `Bearer`
/// (RFC 9449 §7.2, [`ErrorKind::DpopBoundToken`]).
///
/// ```
/// use tessera::wire::{access_token, AuthScheme};
///
/// assert_eq!(access_token(Some("DPoP Kz~8mXK1EalY"))?, Some((AuthScheme::Dpop, "Kz~8mXK1EalY")));
/// assert_eq!(access_token(Some("bearer mF_9.B5f-4.1JqM"))?, Some((AuthScheme::Bearer, "mF_9.B5f-4.1JqM")));
/// assert_eq!(access_token(Some("Basic Zm9vOmJhcg=="))?, None);
/// assert!(access_token(Some("DPoP a,b")).is_err());
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn access_token(header: Option<&str>) -> Result<Option<(AuthScheme, &str)>> {
    let Some(header) = header else {
        return Ok(None);
    };
    let Some((name, credentials)) = split_credentials(header)? else {
        return Ok(None);
    };
    let Some(scheme) = AuthScheme::of(name) else {
        return Ok(None);
    };
    checked_token(scheme, credentials).map(|token| Some((scheme, token)))
}

/// The credentials of a `Bearer` or `DPoP` header, which must be one `b64token`.
fn checked_token(scheme: AuthScheme, credentials: &str) -> Result<&str> {
    if credentials.is_empty() {
        return Err(Error::with_detail(
            ErrorKind::OauthInvalidRequest,
            format!("{} credentials are missing", scheme.as_str()),
        ));
    }
    if !is_b64token(credentials) {
        return Err(Error::with_detail(
            ErrorKind::OauthInvalidRequest,
            format!("{} credentials are not a b64token", scheme.as_str()),
        ));
    }
    Ok(credentials)
}

/// The client id and secret in an `Authorization: Basic` header (RFC 6749 §2.3.1, RFC 7617).
///
/// The credentials are standard, padded base64 of `id:secret`, where the id and the secret were
/// each `application/x-www-form-urlencoded` first, so they are split at the first `:` and then
/// form-decoded (`+` is a space, `%3A` is a `:`). Both must be non-empty `VSCHAR` text
/// (RFC 6749 Appendix A); public clients send `client_id` in the body instead.
///
/// Errors: [`ErrorKind::OauthInvalidClient`] when the scheme is not `Basic` (any case) or the
/// credentials are malformed; [`ErrorKind::TooLarge`] past [`MAX_HEADER_BYTES`].
///
/// ```
/// use tessera::wire::basic_credentials;
///
/// // base64("s6BhdRkqt3:7Fjfp0ZBr1KtDRbnfVdmIw")
/// let (id, secret) = basic_credentials("Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3")?;
/// assert_eq!((id.as_str(), secret.as_str()), ("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw"));
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn basic_credentials(header: &str) -> Result<(String, String)> {
    let malformed = |detail: &'static str| Error::new(ErrorKind::OauthInvalidClient, detail);
    let Some((scheme, credentials)) = split_credentials(header)? else {
        return Err(malformed("Authorization header is empty"));
    };
    if !scheme.eq_ignore_ascii_case("Basic") {
        return Err(malformed("unsupported client authentication scheme"));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credentials)
        .map_err(|_| malformed("Basic credentials are not padded base64"))?;
    let mut halves = decoded.splitn(2, |&b| b == b':');
    let raw_id = halves.next().unwrap_or_default();
    let Some(raw_secret) = halves.next() else {
        return Err(malformed("Basic credentials have no ':'"));
    };
    let id = decode_component(raw_id).map_err(|_| malformed("Basic client id is malformed"))?;
    let secret =
        decode_component(raw_secret).map_err(|_| malformed("Basic client secret is malformed"))?;
    if id.is_empty() || !is_vschar(&id) {
        return Err(malformed("Basic client id is empty or not VSCHAR"));
    }
    if secret.is_empty() || !is_vschar(&secret) {
        return Err(malformed("Basic client secret is empty or not VSCHAR"));
    }
    Ok((id, secret))
}

/// How a client presented itself at the token endpoint (RFC 6749 §2.3.1, §3.2.1).
///
/// This says what the client *sent*; the host still checks the secret and that the method is the
/// one registered for the client (`token_endpoint_auth_method`). As JSON the method is the
/// `method` member, named as in RFC 7591 §2: `{"method":"client_secret_basic","client_id":...}`.
/// `Debug` redacts the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", deny_unknown_fields)]
pub enum ClientAuth {
    /// HTTP Basic (`client_secret_basic`).
    #[serde(rename = "client_secret_basic")]
    Basic {
        /// The client identifier.
        client_id: String,
        /// The client secret.
        client_secret: String,
    },
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    #[serde(rename = "client_secret_post")]
    Post {
        /// The client identifier.
        client_id: String,
        /// The client secret.
        client_secret: String,
    },
    /// A public client sending only `client_id` (`none`).
    #[serde(rename = "none")]
    None {
        /// The client identifier.
        client_id: String,
    },
}

/// The client secret is wiped from memory when the credentials are dropped.
impl Drop for ClientAuth {
    fn drop(&mut self) {
        match self {
            ClientAuth::Basic { client_secret, .. } | ClientAuth::Post { client_secret, .. } => {
                client_secret.zeroize();
            }
            ClientAuth::None { .. } => {}
        }
    }
}

impl ClientAuth {
    /// The client identifier, whatever the method.
    pub fn client_id(&self) -> &str {
        match self {
            ClientAuth::Basic { client_id, .. }
            | ClientAuth::Post { client_id, .. }
            | ClientAuth::None { client_id } => client_id,
        }
    }

    /// The client secret, if the client sent one.
    pub fn client_secret(&self) -> Option<&str> {
        match self {
            ClientAuth::Basic { client_secret, .. } | ClientAuth::Post { client_secret, .. } => {
                Some(client_secret)
            }
            ClientAuth::None { .. } => None,
        }
    }

    /// The RFC 7591 `token_endpoint_auth_method` name: `client_secret_basic`,
    /// `client_secret_post` or `none`.
    pub fn method(&self) -> &'static str {
        match self {
            ClientAuth::Basic { .. } => "client_secret_basic",
            ClientAuth::Post { .. } => "client_secret_post",
            ClientAuth::None { .. } => "none",
        }
    }
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct(match self {
            ClientAuth::Basic { .. } => "Basic",
            ClientAuth::Post { .. } => "Post",
            ClientAuth::None { .. } => "None",
        });
        let _ = s.field("client_id", &self.client_id());
        if self.client_secret().is_some() {
            let _ = s.field("client_secret", &REDACTED);
        }
        s.finish()
    }
}

/// Reads the client's authentication from the token endpoint request (RFC 6749 §2.3.1).
///
/// - An `Authorization` header must be `Basic` ([`basic_credentials`]); anything wrong with it,
///   including another scheme, is [`ErrorKind::OauthInvalidClient`]. Answer that with
///   [`ErrorResponse::with_challenge`](crate::wire::ErrorResponse::with_challenge): RFC 6749
///   §5.2 requires a 401 with `WWW-Authenticate` when the client used the header, and
///   RFC 9110 §15.5.2 a challenge on every 401.
///   An empty header counts as absent.
/// - Basic together with a body `client_secret` is [`ErrorKind::OauthInvalidRequest`]: "The
///   client MUST NOT use more than one authentication method in each request". A body
///   `client_id` next to Basic is allowed only if it is the same id.
/// - Without the header: `client_id` and `client_secret` in the body give
///   [`ClientAuth::Post`]; `client_id` alone gives [`ClientAuth::None`]; a `client_secret`
///   without `client_id` is [`ErrorKind::OauthInvalidRequest`]; nothing at all is
///   [`ErrorKind::OauthInvalidClient`] ("no client authentication included", §5.2).
///
/// JWT client assertions (RFC 7523) are not read here.
///
/// ```
/// use tessera::wire::{client_auth, ClientAuth, Form};
///
/// let form = Form::parse(b"grant_type=client_credentials&client_id=app&client_secret=s3cret")?;
/// let auth = client_auth(None, &form)?;
/// assert_eq!(auth, ClientAuth::Post { client_id: "app".into(), client_secret: "s3cret".into() });
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn client_auth(authorization_header: Option<&str>, form: &Form) -> Result<ClientAuth> {
    let body_id = form.get("client_id");
    let body_secret = form.get("client_secret");
    let header = authorization_header.filter(|h| !trim_ows(h).is_empty());
    if let Some(header) = header {
        let (client_id, client_secret) = basic_credentials(header)?;
        if body_secret.is_some() {
            return Err(Error::new(
                ErrorKind::OauthInvalidRequest,
                "client used HTTP Basic and client_secret in the body",
            ));
        }
        if body_id.is_some_and(|id| id != client_id) {
            return Err(Error::new(
                ErrorKind::OauthInvalidRequest,
                "client_id in the body differs from the HTTP Basic client id",
            ));
        }
        return Ok(ClientAuth::Basic {
            client_id,
            client_secret,
        });
    }
    let vschar = |name: &'static str, value: &str| {
        if is_vschar(value) {
            Ok(value.to_owned())
        } else {
            Err(Error::with_detail(
                ErrorKind::OauthInvalidRequest,
                format!("parameter {name} has characters outside %x20-7E"),
            ))
        }
    };
    match (body_id, body_secret) {
        (Some(id), Some(secret)) => Ok(ClientAuth::Post {
            client_id: vschar("client_id", id)?,
            client_secret: vschar("client_secret", secret)?,
        }),
        (Some(id), None) => Ok(ClientAuth::None {
            client_id: vschar("client_id", id)?,
        }),
        (None, Some(_)) => Err(Error::new(
            ErrorKind::OauthInvalidRequest,
            "missing parameter client_id (sent with client_secret)",
        )),
        (None, None) => Err(Error::new(
            ErrorKind::OauthInvalidClient,
            "no client authentication included",
        )),
    }
}

fn trim_ows(text: &str) -> &str {
    text.trim_matches([' ', '\t'])
}

/// Splits `scheme 1*SP credentials` after checking the size limit; `None` for an empty header.
/// The credentials are empty when the scheme stands alone.
fn split_credentials(header: &str) -> Result<Option<(&str, &str)>> {
    if header.len() > MAX_HEADER_BYTES {
        return Err(Error::new(
            ErrorKind::TooLarge,
            "Authorization header is larger than 8 KiB",
        ));
    }
    let header = trim_ows(header);
    if header.is_empty() {
        return Ok(None);
    }
    Ok(Some(match header.split_once(' ') {
        Some((scheme, rest)) => (scheme, rest.trim_start_matches(' ')),
        None => (header, ""),
    }))
}

/// RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(id_secret: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(id_secret)
        )
    }

    #[test]
    fn b64token_grammar() {
        for ok in ["a", "A-._~+/9", "abc=", "abc==", "a=="] {
            assert!(is_b64token(ok), "{ok}");
        }
        for bad in ["", "=", "==", "a=b", "a b", "a,b", "a\"", "é", "a\t"] {
            assert!(!is_b64token(bad), "{bad}");
        }
    }

    #[test]
    fn bearer_outcomes() {
        assert_eq!(bearer_token(None).unwrap(), None);
        assert_eq!(bearer_token(Some("")).unwrap(), None);
        assert_eq!(bearer_token(Some("  ")).unwrap(), None);
        assert_eq!(bearer_token(Some("Basic abc")).unwrap(), None);
        assert_eq!(bearer_token(Some("Bearerabc")).unwrap(), None);
        assert_eq!(bearer_token(Some("BEARER   abc")).unwrap(), Some("abc"));
        assert_eq!(bearer_token(Some(" Bearer abc \t")).unwrap(), Some("abc"));
        for bad in [
            "Bearer",
            "Bearer ",
            "Bearer a b",
            "Bearer a=b",
            "Bearer \tabc",
        ] {
            let err = bearer_token(Some(bad)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest, "{bad:?}");
        }
    }

    #[test]
    fn access_token_outcomes_rfc9449_7_1() {
        use AuthScheme::{Bearer, Dpop};
        assert_eq!(access_token(None).unwrap(), None);
        assert_eq!(access_token(Some(" \t")).unwrap(), None);
        assert_eq!(access_token(Some("Basic abc")).unwrap(), None);
        assert_eq!(access_token(Some("DPoPabc")).unwrap(), None);
        assert_eq!(access_token(Some("DPoP-x abc")).unwrap(), None);
        assert_eq!(access_token(Some("DPoP abc")).unwrap(), Some((Dpop, "abc")));
        assert_eq!(
            access_token(Some("dpop   a.b-c~")).unwrap(),
            Some((Dpop, "a.b-c~"))
        );
        assert_eq!(
            access_token(Some("DPOP abc==")).unwrap(),
            Some((Dpop, "abc=="))
        );
        assert_eq!(
            access_token(Some("Bearer abc")).unwrap(),
            Some((Bearer, "abc"))
        );
        for bad in [
            "DPoP",
            "DPoP ",
            "DPoP a b",
            "DPoP a=b",
            "dpop a,b",
            "Bearer a b",
        ] {
            let err = access_token(Some(bad)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest, "{bad:?}");
        }
        let err = access_token(Some("DPoP a\"b")).unwrap_err();
        assert_eq!(err.detail(), "DPoP credentials are not a b64token");
        let huge = format!("DPoP {}", "a".repeat(MAX_HEADER_BYTES));
        assert_eq!(
            access_token(Some(&huge)).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
        // bearer_token is unchanged: DPoP is another scheme to it, even malformed.
        assert_eq!(bearer_token(Some("DPoP abc")).unwrap(), None);
        assert_eq!(bearer_token(Some("DPoP a b")).unwrap(), None);
        assert_eq!(Dpop.as_str(), "DPoP");
        assert_eq!(Bearer.as_str(), "Bearer");
    }

    #[test]
    fn basic_rejects_malformed() {
        for bad in [
            "Basic".to_owned(),
            "Basic !!!!".to_owned(),
            "Basic Zm9vOmJhcg".to_owned(), // unpadded
            basic("nocolon"),
            basic(":secret"),
            basic("id:"),
            basic("id%zz:secret"),
            basic("id:sec%0Aret"),
            basic("id:s\u{e9}"),
            "Bearer abc".to_owned(),
        ] {
            let err = basic_credentials(&bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::OauthInvalidClient, "{bad:?}");
        }
        assert_eq!(
            basic_credentials("").unwrap_err().kind(),
            ErrorKind::OauthInvalidClient
        );
    }

    #[test]
    fn basic_secret_may_contain_raw_colon() {
        // Only the first ':' separates; a later raw ':' belongs to the secret.
        let (id, secret) = basic_credentials(&basic("id:a:b")).unwrap();
        assert_eq!((id.as_str(), secret.as_str()), ("id", "a:b"));
    }

    #[test]
    fn client_auth_methods() {
        let form = Form::parse(b"client_id=app").unwrap();
        assert_eq!(
            client_auth(None, &form).unwrap(),
            ClientAuth::None {
                client_id: "app".into()
            }
        );
        assert_eq!(
            client_auth(Some(""), &form).unwrap(),
            ClientAuth::None {
                client_id: "app".into()
            }
        );
        let empty = Form::default();
        let auth = client_auth(Some(&basic("app:pw")), &empty).unwrap();
        assert_eq!(auth.method(), "client_secret_basic");
        assert_eq!(auth.client_id(), "app");
        assert_eq!(auth.client_secret(), Some("pw"));
        let form = Form::parse(b"client_id=app&client_secret=pw").unwrap();
        let auth = client_auth(None, &form).unwrap();
        assert_eq!(auth.method(), "client_secret_post");
        assert_eq!(auth.client_secret(), Some("pw"));
        assert_eq!(
            ClientAuth::None {
                client_id: "x".into()
            }
            .method(),
            "none"
        );
        assert_eq!(
            ClientAuth::None {
                client_id: "x".into()
            }
            .client_secret(),
            None
        );
    }

    #[test]
    fn client_auth_errors() {
        let kind = |h: Option<&str>, body: &str| {
            client_auth(h, &Form::parse(body.as_bytes()).unwrap())
                .unwrap_err()
                .kind()
        };
        assert_eq!(kind(None, ""), ErrorKind::OauthInvalidClient);
        assert_eq!(
            kind(None, "client_secret=pw"),
            ErrorKind::OauthInvalidRequest
        );
        assert_eq!(kind(None, "client_id=a%0A"), ErrorKind::OauthInvalidRequest);
        assert_eq!(
            kind(None, "client_id=a&client_secret=%7F"),
            ErrorKind::OauthInvalidRequest
        );
        assert_eq!(
            kind(Some("Bearer x"), "client_id=a"),
            ErrorKind::OauthInvalidClient
        );
        let h = basic("app:pw");
        assert_eq!(
            kind(Some(&h), "client_secret=pw"),
            ErrorKind::OauthInvalidRequest
        );
        assert_eq!(
            kind(Some(&h), "client_id=other"),
            ErrorKind::OauthInvalidRequest
        );
        assert!(client_auth(Some(&h), &Form::parse(b"client_id=app").unwrap()).is_ok());
    }

    #[test]
    fn debug_and_json() {
        let auth = ClientAuth::Basic {
            client_id: "app".into(),
            client_secret: "hunter2".into(),
        };
        let shown = format!("{auth:?}");
        assert!(
            shown.contains("app") && !shown.contains("hunter2"),
            "{shown}"
        );
        let json = serde_json::to_string(&auth).unwrap();
        assert_eq!(
            json,
            r#"{"method":"client_secret_basic","client_id":"app","client_secret":"hunter2"}"#
        );
        assert_eq!(serde_json::from_str::<ClientAuth>(&json).unwrap(), auth);
        let none = ClientAuth::None {
            client_id: "pub".into(),
        };
        assert_eq!(
            serde_json::to_string(&none).unwrap(),
            r#"{"method":"none","client_id":"pub"}"#
        );
    }
}
