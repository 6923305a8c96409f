//! `application/x-www-form-urlencoded` bodies and query strings (WHATWG URL Standard §5,
//! RFC 6749 Appendix B), with the RFC 6749 §3.1/§3.2 parameter rules.

use std::fmt;

pub use crate::limits::{MAX_FORM_BYTES, MAX_FORM_PARAMS, MAX_PARAM_NAME_BYTES};
use crate::{Error, ErrorKind, Result};
use zeroize::Zeroize;

/// A parsed `application/x-www-form-urlencoded` body or query string.
///
/// Parsing follows the WHATWG form encoding (`+` is a space, `%XX` is a byte, names and values
/// are UTF-8) but is strict where the browser algorithm is lenient, and applies the OAuth rules:
///
/// - a `%` not followed by two hex digits, or a name or value that is not UTF-8, is
///   [`ErrorKind::OauthInvalidRequest`];
/// - a parameter sent with an empty value is treated as omitted (RFC 6749 §3.1) and is dropped;
/// - a parameter included more than once is [`ErrorKind::OauthInvalidRequest`], naming the
///   parameter (RFC 6749 §3.1, §3.2: "parameters MUST NOT be included more than once");
/// - unknown parameters are kept (the typed parsers ignore them);
/// - more than [`MAX_FORM_BYTES`] bytes, more than [`MAX_FORM_PARAMS`] parameters or a name
///   longer than [`MAX_PARAM_NAME_BYTES`] is [`ErrorKind::TooLarge`]. The work done before a
///   limit trips is bounded by the limits, never by the input.
///
/// `Debug` prints parameter names only: values carry secrets (`client_secret`, `code`, ...).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Form {
    params: Vec<(String, String)>,
}

/// Every value (codes, tokens, secrets, verifiers among them) is wiped from memory when the
/// form is dropped.
impl Drop for Form {
    fn drop(&mut self) {
        for (_, value) in &mut self.params {
            value.zeroize();
        }
    }
}

/// The parameters of the OAuth requests tessera reads (RFC 6749, 7009, 7636, 7662, 8707, 9126,
/// 9449, OpenID Connect Core): a repeated one is named in the error by this table's spelling.
const KNOWN_PARAMETERS: &[&str] = &[
    "response_type",
    "client_id",
    "client_secret",
    "redirect_uri",
    "scope",
    "state",
    "code",
    "grant_type",
    "refresh_token",
    "code_verifier",
    "code_challenge",
    "code_challenge_method",
    "token",
    "token_type_hint",
    "response_mode",
    "resource",
    "request_uri",
    "nonce",
    "prompt",
    "max_age",
    "client_assertion",
    "client_assertion_type",
    "username",
    "password",
];

/// RFC 6749 §3.1, §3.2: "Request and response parameters MUST NOT be included more than once."
/// The error names the parameter only when it is one tessera knows (the name then comes from
/// [`KNOWN_PARAMETERS`], not from the request), so the detail never copies request bytes.
fn repeated(name: &str) -> Error {
    match KNOWN_PARAMETERS.iter().find(|known| **known == name) {
        Some(known) => Error::with_detail(
            ErrorKind::OauthInvalidRequest,
            format!("parameter {known} is included more than once"),
        ),
        None => Error::new(
            ErrorKind::OauthInvalidRequest,
            "a parameter is included more than once",
        ),
    }
}

impl Form {
    /// Parses a request body (or the query string of a GET request, without the `?`).
    ///
    /// ```
    /// use tessera::wire::Form;
    ///
    /// let form = Form::parse(b"grant_type=client_credentials&scope=job%3Aread+job%3Awrite&x=")?;
    /// assert_eq!(form.get("scope"), Some("job:read job:write"));
    /// assert_eq!(form.get("x"), None); // empty means omitted
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn parse(body: &[u8]) -> Result<Form> {
        if body.len() > MAX_FORM_BYTES {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "form body is larger than 64 KiB",
            ));
        }
        let mut params: Vec<(String, String)> = Vec::new();
        let mut count = 0usize;
        for piece in body.split(|&b| b == b'&') {
            if piece.is_empty() {
                continue;
            }
            count += 1;
            if count > MAX_FORM_PARAMS {
                return Err(Error::new(
                    ErrorKind::TooLarge,
                    "form has more than 64 parameters",
                ));
            }
            let mut halves = piece.splitn(2, |&b| b == b'=');
            let raw_name = halves.next().unwrap_or_default();
            let raw_value = halves.next().unwrap_or_default();
            // Each escape decodes at least three bytes to one, so a raw name this long cannot
            // decode short enough; reject it before decoding.
            if raw_name.len() > 3 * MAX_PARAM_NAME_BYTES {
                return Err(name_too_long());
            }
            let name = decode_component(raw_name)?;
            if name.len() > MAX_PARAM_NAME_BYTES {
                return Err(name_too_long());
            }
            let value = decode_component(raw_value)?;
            if value.is_empty() {
                continue;
            }
            if params.iter().any(|(n, _)| *n == name) {
                return Err(repeated(&name));
            }
            params.push((name, value));
        }
        Ok(Form { params })
    }

    /// The value of parameter `name` (names are case-sensitive), or `None` when it was absent or
    /// sent empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter with a non-empty value, in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// How many parameters have a non-empty value.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// Whether no parameter has a non-empty value.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form")
            .field(
                "names",
                &self.params.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

fn name_too_long() -> Error {
    Error::new(
        ErrorKind::TooLarge,
        "form parameter name is longer than 128 bytes",
    )
}

/// Encodes name/value pairs as `application/x-www-form-urlencoded` (WHATWG URL Standard §5.2):
/// ASCII alphanumerics and `*-._` stay, a space becomes `+`, every other byte of the UTF-8 text
/// becomes `%XX` (upper-case hex). Pairs are joined with `&` in the order given.
///
/// [`Form::parse`] reverses it. Redirects ([`redirect_with`](crate::wire::redirect_with)) use it
/// too.
///
/// ```
/// use tessera::wire::encode_form;
///
/// assert_eq!(encode_form(&[("state", "a b&c"), ("x", "é")]), "state=a+b%26c&x=%C3%A9");
/// ```
pub fn encode_form(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(name, &mut out);
        out.push('=');
        encode_component(value, &mut out);
    }
    out
}

fn encode_component(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

/// Decodes one form component: `+` is a space, `%XX` a byte; the result must be UTF-8.
/// Errors are [`ErrorKind::OauthInvalidRequest`] with a fixed detail.
pub(super) fn decode_component(raw: &[u8]) -> Result<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(|&c| hex_value(c));
                let lo = bytes.next().and_then(|&c| hex_value(c));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push((hi << 4) | lo),
                    _ => {
                        return Err(Error::new(
                            ErrorKind::OauthInvalidRequest,
                            "malformed percent-escape in form data",
                        ));
                    }
                }
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out)
        .map_err(|_| Error::new(ErrorKind::OauthInvalidRequest, "form data is not UTF-8"))
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(body: &[u8]) -> ErrorKind {
        Form::parse(body).unwrap_err().kind()
    }

    #[test]
    fn decodes_plus_and_escapes() {
        let form = Form::parse(b"a=x+y%2Bz&b=%e2%82%AC&c%3D=1&d").unwrap();
        assert_eq!(form.get("a"), Some("x y+z"));
        assert_eq!(form.get("b"), Some("€"));
        assert_eq!(form.get("c="), Some("1"));
        assert_eq!(form.get("d"), None);
        assert_eq!(form.len(), 3);
        assert_eq!(
            form.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ["a", "b", "c="]
        );
    }

    #[test]
    fn value_may_contain_equals() {
        let form = Form::parse(b"code=abc=def==").unwrap();
        assert_eq!(form.get("code"), Some("abc=def=="));
    }

    #[test]
    fn empty_sequences_are_skipped() {
        let form = Form::parse(b"&&a=1&&").unwrap();
        assert_eq!(form.get("a"), Some("1"));
        assert!(Form::parse(b"").unwrap().is_empty());
    }

    #[test]
    fn bad_escapes_are_invalid_request() {
        for body in [
            &b"a=%"[..],
            b"a=%4",
            b"a=%4g",
            b"a=%%41",
            b"%zz=1",
            b"a=%C3%28",
            b"a=\xff",
        ] {
            assert_eq!(kind(body), ErrorKind::OauthInvalidRequest, "{body:?}");
        }
    }

    #[test]
    fn duplicates_name_the_parameter() {
        let err = Form::parse(b"scope=a&state=s&scope=b").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest);
        assert!(err.detail().contains("scope"), "{err:?}");
        // Equal after decoding is still a duplicate.
        assert_eq!(kind(b"scope=a&sc%6Fpe=b"), ErrorKind::OauthInvalidRequest);
        // An empty value is an omitted parameter, so it is not a second copy.
        let form = Form::parse(b"scope=&scope=b").unwrap();
        assert_eq!(form.get("scope"), Some("b"));
    }

    #[test]
    fn duplicate_detail_is_bounded() {
        let name = "n".repeat(MAX_PARAM_NAME_BYTES);
        let body = format!("{name}=1&{name}=2");
        let err = Form::parse(body.as_bytes()).unwrap_err();
        assert!(err.detail().len() < 80, "{err:?}");
    }

    #[test]
    fn debug_hides_values() {
        let form = Form::parse(b"client_secret=hunter2").unwrap();
        let shown = format!("{form:?}");
        assert!(
            shown.contains("client_secret") && !shown.contains("hunter2"),
            "{shown}"
        );
    }

    #[test]
    fn encode_escapes_everything_but_the_safe_set() {
        assert_eq!(encode_form(&[]), "");
        assert_eq!(encode_form(&[("a", "")]), "a=");
        assert_eq!(
            encode_form(&[("k y", "AZaz09*-._ ~!'()+/:?#[]@&=%\"")]),
            "k+y=AZaz09*-._+%7E%21%27%28%29%2B%2F%3A%3F%23%5B%5D%40%26%3D%25%22"
        );
    }
}
