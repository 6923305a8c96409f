//! Authorization responses as redirects (RFC 6749 §4.1.2, §4.1.2.1, §4.2.2, RFC 9207).

use serde::{Deserialize, Serialize};

use super::form::encode_form;
use super::response::{authorize_error_for, sanitize_text};
use super::uri::parse_redirect_uri;
use crate::{Error, ErrorKind, Result};

/// Where the authorization response parameters go in the redirect URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// In the query component (RFC 6749 §4.1.2: the authorization code flow), after the query
    /// of the registered URI.
    #[default]
    Query,
    /// In the fragment (RFC 6749 §4.2.2: the implicit flow).
    Fragment,
}

/// The redirect URI `base` with `params` added, form-urlencoded with
/// [`encode_form`](crate::wire::encode_form).
///
/// With [`ResponseMode::Query`] the parameters are appended to the query the registered URI
/// already has, which RFC 6749 §3.1.2 requires to be retained; with [`ResponseMode::Fragment`]
/// they become the fragment. No parameters return `base` unchanged.
///
/// `base` is the registered redirect URI, so a bad one is a caller error:
/// [`ErrorKind::InvalidArgument`] when it has a fragment (RFC 6749 §3.1.2 forbids it) or is not
/// an absolute URI. The caller must not pass names the registered query already uses.
///
/// ```
/// use tessera::wire::{redirect_with, ResponseMode};
///
/// let to = redirect_with(
///     "https://client.example/cb?tenant=7",
///     &[("code", "SplxlOBeZQQYbYS6WxSbIA"), ("state", "xyz 1")],
///     ResponseMode::Query,
/// )?;
/// assert_eq!(to, "https://client.example/cb?tenant=7&code=SplxlOBeZQQYbYS6WxSbIA&state=xyz+1");
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn redirect_with(base: &str, params: &[(&str, &str)], mode: ResponseMode) -> Result<String> {
    if base.contains('#') {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "redirect URI has a fragment",
        ));
    }
    let uri = parse_redirect_uri(base).map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            "redirect URI is not an absolute URI",
        )
    })?;
    if params.is_empty() {
        return Ok(base.to_owned());
    }
    let encoded = encode_form(params);
    let mut out = String::with_capacity(base.len() + 1 + encoded.len());
    out.push_str(base);
    match mode {
        ResponseMode::Query => match uri.query() {
            None => out.push('?'),
            Some(query) if !query.is_empty() && !query.ends_with('&') => out.push('&'),
            Some(_) => {}
        },
        ResponseMode::Fragment => out.push('#'),
    }
    out.push_str(&encoded);
    Ok(out)
}

/// An authorization error sent back to the client by redirect (RFC 6749 §4.1.2.1, §4.2.2.1):
/// `error`, `error_description`, `state` and, per RFC 9207, `iss`.
///
/// Only for errors that may be redirected: when `client_id` or `redirect_uri` is missing or
/// invalid, show the error to the user instead (RFC 6749 §4.1.2.1).
///
/// ```
/// use tessera::wire::AuthorizeErrorRedirect;
/// use tessera::ErrorKind;
///
/// let to = AuthorizeErrorRedirect::new(ErrorKind::OauthAccessDenied)
///     .state(Some("xyz"))
///     .iss("https://as.example")
///     .build("https://client.example/cb")?;
/// assert_eq!(to, "https://client.example/cb?error=access_denied&state=xyz&iss=https%3A%2F%2Fas.example");
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizeErrorRedirect {
    kind: ErrorKind,
    description: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    mode: ResponseMode,
}

impl AuthorizeErrorRedirect {
    /// An error redirect of `kind`, mapped with
    /// [`authorize_error_for`](crate::wire::authorize_error_for) to a code the authorization
    /// endpoint may send.
    pub fn new(kind: ErrorKind) -> AuthorizeErrorRedirect {
        AuthorizeErrorRedirect {
            kind: authorize_error_for(kind),
            description: None,
            state: None,
            iss: None,
            mode: ResponseMode::Query,
        }
    }

    /// The error redirect for `err`, with its detail as the description (none for
    /// `server_error`).
    pub fn from_error(err: &Error) -> AuthorizeErrorRedirect {
        let redirect = Self::new(err.kind());
        match redirect.kind {
            ErrorKind::OauthServerError => redirect,
            _ => redirect.description(err.detail()),
        }
    }

    /// Sets `error_description`, sanitized like
    /// [`ErrorResponse`](crate::wire::ErrorResponse)'s.
    pub fn description(mut self, description: &str) -> AuthorizeErrorRedirect {
        self.description = Some(sanitize_text(description)).filter(|d| !d.is_empty());
        self
    }

    /// Sets `state`: pass the request's `state` as received (REQUIRED in the response if it was
    /// in the request).
    pub fn state(mut self, state: Option<&str>) -> AuthorizeErrorRedirect {
        self.state = state.map(str::to_owned);
        self
    }

    /// Sets `iss`, the issuer identifier (RFC 9207 §2).
    pub fn iss(mut self, issuer: &str) -> AuthorizeErrorRedirect {
        self.iss = Some(issuer.to_owned());
        self
    }

    /// Sets the response mode (default [`ResponseMode::Query`]).
    pub fn mode(mut self, mode: ResponseMode) -> AuthorizeErrorRedirect {
        self.mode = mode;
        self
    }

    /// The `error` code.
    pub fn error(&self) -> &'static str {
        self.kind.oauth_error().unwrap_or("server_error")
    }

    /// The redirect URI to send the user agent to (with a 302 or 303), built with
    /// [`redirect_with`].
    pub fn build(&self, redirect_uri: &str) -> Result<String> {
        let mut params = vec![("error", self.error())];
        if let Some(description) = &self.description {
            params.push(("error_description", description.as_str()));
        }
        if let Some(state) = &self.state {
            params.push(("state", state.as_str()));
        }
        if let Some(iss) = &self.iss {
            params.push(("iss", iss.as_str()));
        }
        redirect_with(redirect_uri, &params, self.mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_retained() {
        let p = [("code", "c")];
        let q = ResponseMode::Query;
        assert_eq!(
            redirect_with("https://c.example/cb", &p, q).unwrap(),
            "https://c.example/cb?code=c"
        );
        assert_eq!(
            redirect_with("https://c.example/cb?", &p, q).unwrap(),
            "https://c.example/cb?code=c"
        );
        assert_eq!(
            redirect_with("https://c.example/cb?a=1&", &p, q).unwrap(),
            "https://c.example/cb?a=1&code=c"
        );
        assert_eq!(
            redirect_with("https://c.example/cb?a=1", &p, q).unwrap(),
            "https://c.example/cb?a=1&code=c"
        );
        assert_eq!(
            redirect_with("https://c.example/cb?a=1", &[], q).unwrap(),
            "https://c.example/cb?a=1"
        );
    }

    #[test]
    fn fragment_mode() {
        let to = redirect_with(
            "https://c.example/cb?a=1",
            &[("access_token", "t"), ("token_type", "Bearer")],
            ResponseMode::Fragment,
        )
        .unwrap();
        assert_eq!(
            to,
            "https://c.example/cb?a=1#access_token=t&token_type=Bearer"
        );
    }

    #[test]
    fn bad_base_is_invalid_argument() {
        for base in [
            "https://c.example/cb#x",
            "https://c.example/cb#",
            "/cb",
            "not a uri",
        ] {
            let err = redirect_with(base, &[("a", "b")], ResponseMode::Query).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{base}");
        }
    }

    #[test]
    fn error_redirect() {
        let to = AuthorizeErrorRedirect::from_error(&Error::new(
            ErrorKind::OauthInvalidScope,
            "scope \"x\" unknown",
        ))
        .state(Some("s&t=1"))
        .mode(ResponseMode::Fragment)
        .build("https://c.example/cb")
        .unwrap();
        assert_eq!(
            to,
            "https://c.example/cb#error=invalid_scope&error_description=scope+%3Fx%3F+unknown\
             &state=s%26t%3D1"
        );
        let r = AuthorizeErrorRedirect::from_error(&Error::new(ErrorKind::Panic, "secret"));
        assert_eq!(r.error(), "server_error");
        assert_eq!(
            r.build("https://c.example/cb").unwrap(),
            "https://c.example/cb?error=server_error"
        );
        let r = AuthorizeErrorRedirect::new(ErrorKind::OauthInvalidGrant);
        assert_eq!(r.error(), "invalid_request");
        assert_eq!(ResponseMode::default(), ResponseMode::Query);
        assert_eq!(
            serde_json::to_string(&ResponseMode::Fragment).unwrap(),
            "\"fragment\""
        );
    }
}
