//! A small, strict inspector for redirect URIs (RFC 3986 §3, RFC 6749 §3.1.2) and the matching
//! rule of RFC 8252 §7.3 for loopback redirects.

pub use crate::limits::MAX_URI_BYTES;
use crate::{Error, ErrorKind, Result};

/// The parts of an absolute URI without a fragment, as [`parse_redirect_uri`] found them.
///
/// Every part borrows from the parsed text, unchanged (no case folding, no percent-decoding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RedirectUri<'a> {
    scheme: &'a str,
    host: Option<&'a str>,
    port: Option<u16>,
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> RedirectUri<'a> {
    /// The scheme, as written (e.g. `https`, `com.example.app`).
    pub fn scheme(&self) -> &'a str {
        self.scheme
    }

    /// The host, as written; IPv6 literals keep their brackets (`[::1]`). `None` when the URI has
    /// no authority (e.g. a private-use scheme `com.example.app:/cb`, RFC 8252 §7.1).
    pub fn host(&self) -> Option<&'a str> {
        self.host
    }

    /// The explicit port, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path (may be empty).
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The query without its `?`; `Some("")` for a bare `?`.
    pub fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// Whether this is a loopback redirect for a native app: scheme `http` and host `127.0.0.1`,
    /// `[::1]` or `localhost` (RFC 8252 §7.3, §8.3; case-insensitive). Only the two IP literals
    /// get the any-port rule of [`redirect_uri_matches`].
    pub fn is_loopback(&self) -> bool {
        self.is_loopback_ip_literal()
            || (self.scheme.eq_ignore_ascii_case("http")
                && self
                    .host
                    .is_some_and(|h| h.eq_ignore_ascii_case("localhost")))
    }

    fn is_loopback_ip_literal(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("http") && matches!(self.host, Some("127.0.0.1" | "[::1]"))
    }
}

/// Parses an absolute URI with no fragment (RFC 3986 §4.3, RFC 6749 §3.1.2).
///
/// Strict on purpose, because the result decides where users are sent:
///
/// - only RFC 3986 characters, every `%` followed by two hex digits, at most [`MAX_URI_BYTES`];
/// - a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`) is required; `http` and `https`
///   require a non-empty host;
/// - no fragment (`#`): RFC 6749 §3.1.2 forbids it;
/// - no user information (`user@host`), which only serves to disguise the real host;
/// - a port, when there is a `:` after the host, must be 1 to 5 digits and at most 65535.
///
/// Errors are [`ErrorKind::OauthInvalidRequest`] ([`ErrorKind::TooLarge`] past the limit).
///
/// ```
/// use tessera::wire::parse_redirect_uri;
///
/// let uri = parse_redirect_uri("http://127.0.0.1:8400/cb?x=1")?;
/// assert_eq!((uri.scheme(), uri.host(), uri.port()), ("http", Some("127.0.0.1"), Some(8400)));
/// assert_eq!((uri.path(), uri.query()), ("/cb", Some("x=1")));
/// assert!(uri.is_loopback());
/// assert!(parse_redirect_uri("https://client.example/cb#frag").is_err());
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn parse_redirect_uri(uri: &str) -> Result<RedirectUri<'_>> {
    let invalid = |detail: &'static str| Error::new(ErrorKind::OauthInvalidRequest, detail);
    if uri.len() > MAX_URI_BYTES {
        return Err(Error::new(ErrorKind::TooLarge, "URI is longer than 8 KiB"));
    }
    check_characters(uri)?;
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err(invalid("URI is not absolute: no scheme"));
    };
    if !is_scheme(scheme) {
        return Err(invalid("URI scheme is malformed"));
    }
    let (host, port, path_and_query) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find(['/', '?']).unwrap_or(after.len());
            let (authority, tail) = after
                .split_at_checked(end)
                .ok_or_else(|| invalid("URI is malformed"))?;
            let (host, port) = parse_authority(authority)?;
            (Some(host), port, tail)
        }
        None => {
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
                return Err(invalid("http(s) URI has no host"));
            }
            (None, None, rest)
        }
    };
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    Ok(RedirectUri {
        scheme,
        host,
        port,
        path,
        query,
    })
}

/// Whether a redirect URI presented in a request matches a registered one (RFC 6749 §3.1.2.3,
/// RFC 9700 §4.1.3): exact string comparison, with one exception. For `http` loopback IP literals
/// (`127.0.0.1` and `[::1]`, not `localhost`) the port is ignored, because native apps bind an
/// ephemeral port (RFC 8252 §7.3): everything else must still be equal.
///
/// The presented URI must also pass [`parse_redirect_uri`] (absolute, no fragment). No other
/// normalisation is done: case, percent-encoding and trailing slashes must match exactly.
///
/// ```
/// use tessera::wire::redirect_uri_matches;
///
/// assert!(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:51004/cb"));
/// assert!(!redirect_uri_matches("http://localhost/cb", "http://localhost:51004/cb"));
/// assert!(!redirect_uri_matches("https://app.example/cb", "https://app.example/cb/"));
/// ```
pub fn redirect_uri_matches(registered: &str, presented: &str) -> bool {
    let Ok(given) = parse_redirect_uri(presented) else {
        return false;
    };
    if registered == presented {
        return true;
    }
    let Ok(expected) = parse_redirect_uri(registered) else {
        return false;
    };
    expected.is_loopback_ip_literal()
        && expected.scheme == given.scheme
        && expected.host == given.host
        && expected.path == given.path
        && expected.query == given.query
}

/// Every character must be allowed somewhere in an RFC 3986 URI, `%` must start an escape, and
/// there must be no fragment.
fn check_characters(uri: &str) -> Result<()> {
    let bytes = uri.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'#' => {
                return Err(Error::new(
                    ErrorKind::OauthInvalidRequest,
                    "redirect URI must not have a fragment",
                ));
            }
            b'%' => {
                let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i + 1) && hex(i + 2)) {
                    return Err(Error::new(
                        ErrorKind::OauthInvalidRequest,
                        "malformed percent-escape in URI",
                    ));
                }
                i += 2;
            }
            b if b.is_ascii_alphanumeric() || b"-._~:/?[]@!$&'()*+,;=".contains(&b) => {}
            _ => {
                return Err(Error::new(
                    ErrorKind::OauthInvalidRequest,
                    "URI has a character not allowed in URIs",
                ));
            }
        }
        i += 1;
    }
    Ok(())
}

fn is_scheme(scheme: &str) -> bool {
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// `host [ ":" port ]`, no user information. The host is an IP literal in brackets or a
/// reg-name / IPv4 address.
fn parse_authority(authority: &str) -> Result<(&str, Option<u16>)> {
    let invalid = |detail: &'static str| Error::new(ErrorKind::OauthInvalidRequest, detail);
    if authority.contains('@') {
        return Err(invalid("URI must not have user information"));
    }
    let (host, after_host) = if authority.starts_with('[') {
        let close = authority
            .find(']')
            .ok_or_else(|| invalid("URI IP literal is not closed"))?;
        let (host, rest) = authority
            .split_at_checked(close + 1)
            .ok_or_else(|| invalid("URI host is malformed"))?;
        let inner = host.trim_start_matches('[').trim_end_matches(']');
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return Err(invalid("URI IP literal is malformed"));
        }
        (host, rest)
    } else {
        let end = authority.find(':').unwrap_or(authority.len());
        let (host, rest) = authority
            .split_at_checked(end)
            .ok_or_else(|| invalid("URI host is malformed"))?;
        if host.contains(['[', ']']) {
            return Err(invalid("URI host is malformed"));
        }
        (host, rest)
    };
    if host.is_empty() {
        return Err(invalid("URI host is empty"));
    }
    let port = match after_host.strip_prefix(':') {
        None if after_host.is_empty() => None,
        None => return Err(invalid("URI host is malformed")),
        Some(digits) => {
            if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(invalid("URI port is malformed"));
            }
            Some(
                digits
                    .parse::<u16>()
                    .map_err(|_| invalid("URI port is out of range"))?,
            )
        }
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let uri = parse_redirect_uri("https://client.example/cb").unwrap();
        assert_eq!(uri.scheme(), "https");
        assert_eq!(uri.host(), Some("client.example"));
        assert_eq!(uri.port(), None);
        assert_eq!(uri.path(), "/cb");
        assert_eq!(uri.query(), None);
        assert!(!uri.is_loopback());

        let uri = parse_redirect_uri("com.example.app:/oauth2redirect/example-provider").unwrap();
        assert_eq!((uri.scheme(), uri.host()), ("com.example.app", None));
        assert_eq!(uri.path(), "/oauth2redirect/example-provider");

        let uri = parse_redirect_uri("http://[::1]:65535?").unwrap();
        assert_eq!(
            (uri.host(), uri.port(), uri.path()),
            (Some("[::1]"), Some(65535), "")
        );
        assert_eq!(uri.query(), Some(""));
        assert!(uri.is_loopback());
        assert!(
            parse_redirect_uri("HTTP://LOCALHOST/x")
                .unwrap()
                .is_loopback()
        );
        assert!(
            !parse_redirect_uri("https://127.0.0.1/x")
                .unwrap()
                .is_loopback()
        );
        assert!(
            !parse_redirect_uri("http://127.0.0.2/x")
                .unwrap()
                .is_loopback()
        );
        assert!(parse_redirect_uri("https://a.example/p%2Fq?x=%41").is_ok());
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "/relative/path",
            "//host/path",
            "1http://x/",
            "https://x/#",
            "https://x/cb#f",
            "https:/x",
            "https:",
            "http://",
            "http:///path",
            "https://user:pw@x/",
            "https://x:/",
            "https://x:65536/",
            "https://x:123456/",
            "https://x:8a/",
            "https://[::1/",
            "https://[]/",
            "https://[::1]x/",
            "https://x]/",
            "https://x/a b",
            "https://x/\u{e9}",
            "https://x/%4",
            "https://x/%zz",
            "https://x/<script>",
            "https://x/\\",
        ] {
            assert!(parse_redirect_uri(bad).is_err(), "{bad:?}");
        }
        let long = format!("https://x/{}", "a".repeat(MAX_URI_BYTES));
        assert_eq!(
            parse_redirect_uri(&long).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
        let err = parse_redirect_uri("https://x/cb#f").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest);
        assert!(err.detail().contains("fragment"));
    }

    #[test]
    fn matching() {
        assert!(redirect_uri_matches(
            "https://a.example/cb?x=1",
            "https://a.example/cb?x=1"
        ));
        assert!(!redirect_uri_matches(
            "https://a.example/cb",
            "https://A.example/cb"
        ));
        assert!(!redirect_uri_matches(
            "https://a.example/cb",
            "https://a.example:443/cb"
        ));
        assert!(redirect_uri_matches(
            "http://127.0.0.1:1/cb",
            "http://127.0.0.1:2/cb"
        ));
        assert!(redirect_uri_matches(
            "http://[::1]/cb?q",
            "http://[::1]:9/cb?q"
        ));
        assert!(!redirect_uri_matches(
            "http://[::1]/cb?q",
            "http://[::1]:9/cb?r"
        ));
        assert!(!redirect_uri_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:9/cb2"
        ));
        assert!(!redirect_uri_matches(
            "http://127.0.0.1/cb",
            "http://[::1]:9/cb"
        ));
        assert!(!redirect_uri_matches(
            "https://127.0.0.1/cb",
            "https://127.0.0.1:9/cb"
        ));
        // Equal strings still need to be a valid redirect URI.
        assert!(!redirect_uri_matches(
            "https://a.example/cb#f",
            "https://a.example/cb#f"
        ));
        assert!(!redirect_uri_matches("not a uri", "not a uri"));
    }
}
