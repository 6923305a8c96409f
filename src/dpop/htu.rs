//! The `htu` comparison of RFC 9449 §4.3 rule 9: the proof's `htu` and the request URI, both
//! without query and fragment, compared after the normalisations of RFC 3986 §6.2.2
//! (syntax-based: case, percent-encoding, dot segments) and §6.2.3 (scheme-based: the default
//! port, an empty path).

pub use crate::limits::MAX_HTU_LEN;
use crate::{Error, ErrorKind, Result};

fn bad(detail: &'static str) -> Error {
    Error::new(ErrorKind::DpopUri, detail)
}

/// The normal form of an absolute `http` or `https` URI without its query and fragment:
/// scheme and host lowercased, the default port and an empty port removed, an empty path made
/// `/`, percent-encodings of unreserved characters decoded and the others uppercased, dot
/// segments removed. Userinfo, non-ASCII, spaces and control characters are refused (they have
/// no place in an HTTP request target), as are malformed percent-encodings and ports.
///
/// Errors are [`ErrorKind::DpopUri`].
///
/// ```
/// use tessera::dpop::normalize_htu;
/// assert_eq!(normalize_htu("HTTPS://Server.Example:443/a/./b/../%7euser?x=1#f")?, "https://server.example/a/~user");
/// assert_eq!(normalize_htu("http://example.com")?, "http://example.com/");
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn normalize_htu(uri: &str) -> Result<String> {
    if uri.len() > MAX_HTU_LEN {
        return Err(bad("the URI exceeds 8 KiB"));
    }
    if !uri.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(bad(
            "the URI has a space, a control or a non-ASCII character",
        ));
    }
    let (scheme, rest) = uri.split_once(':').ok_or(bad("the URI has no scheme"))?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return Err(bad("the URI is not http or https")),
    };
    let rest = rest
        .strip_prefix("//")
        .ok_or(bad("the URI has no authority"))?;
    // Drop the fragment, then the query.
    let rest = rest.split('#').next().unwrap_or_default();
    let rest = rest.split('?').next().unwrap_or_default();
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(bad("the URI has userinfo"));
    }
    let (host, port) = split_port(authority)?;
    if host.is_empty() {
        return Err(bad("the URI has an empty host"));
    }
    let host = normalize_percent(host)?.to_ascii_lowercase();
    let mut out = String::with_capacity(uri.len());
    out.push_str(&scheme);
    out.push_str("://");
    out.push_str(&host);
    if let Some(port) = port.filter(|&p| p != default_port) {
        out.push(':');
        out.push_str(&port.to_string());
    }
    let path = normalize_percent(path)?;
    let path = remove_dot_segments(&path);
    if path.is_empty() {
        out.push('/');
    } else {
        out.push_str(&path);
    }
    Ok(out)
}

/// Splits `host[:port]` (an IP literal in brackets keeps its colons); an empty port is none.
fn split_port(authority: &str) -> Result<(&str, Option<u16>)> {
    let host_end = if authority.starts_with('[') {
        authority
            .find(']')
            .ok_or(bad("the URI has an unclosed IP literal"))?
            + 1
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    let (host, port) = authority.split_at(host_end);
    let port = match port.strip_prefix(':') {
        None if port.is_empty() => None,
        None => return Err(bad("the URI has characters after its IP literal")),
        Some("") => None,
        Some(digits) => {
            if digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("the URI has an invalid port"));
            }
            Some(
                digits
                    .parse::<u16>()
                    .map_err(|_| bad("the URI has an invalid port"))?,
            )
        }
    };
    Ok((host, port))
}

/// RFC 3986 §6.2.2.1–§6.2.2.2: `%xx` of an unreserved character decoded, other hex digits
/// uppercased; a `%` not followed by two hex digits refused.
fn normalize_percent(text: &str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(char::from(bytes[i]));
            i += 1;
            continue;
        }
        let hex = |b: Option<&u8>| b.and_then(|&b| char::from(b).to_digit(16));
        let (Some(hi), Some(lo)) = (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) else {
            return Err(bad("the URI has a malformed percent-encoding"));
        };
        let byte = u8::try_from(hi * 16 + lo).unwrap_or(0);
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push_str(&format!("{byte:02X}"));
        }
        i += 3;
    }
    Ok(out)
}

/// RFC 3986 §5.2.4 `remove_dot_segments`.
fn remove_dot_segments(path: &str) -> String {
    let mut input = path;
    let mut output: Vec<&str> = Vec::new();
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("./") {
            input = rest;
        } else if input.starts_with("/./") {
            input = &input[2..];
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") {
            input = &input[3..];
            let _ = output.pop();
        } else if input == "/.." {
            input = "/";
            let _ = output.pop();
        } else if input == "." || input == ".." {
            input = "";
        } else {
            // Move the first segment (with its leading "/", if any) to the output.
            let start = usize::from(input.starts_with('/'));
            let end = input[start..].find('/').map_or(input.len(), |i| i + start);
            output.push(&input[..end]);
            input = &input[end..];
        }
    }
    output.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3986_normalisation() {
        for (a, b) in [
            (
                "https://server.example.com/token",
                "https://server.example.com/token",
            ),
            (
                "HTTPS://SERVER.example.COM/token",
                "https://server.example.com/token",
            ),
            (
                "https://server.example.com:443/token",
                "https://server.example.com/token",
            ),
            (
                "https://server.example.com:/token",
                "https://server.example.com/token",
            ),
            ("http://a.example:80", "http://a.example/"),
            ("http://a.example:8080/", "http://a.example:8080/"),
            ("https://a.example:0443/x", "https://a.example/x"),
            ("https://a.example/%7Euser/%41", "https://a.example/~user/A"),
            ("https://a.example/a%2fb", "https://a.example/a%2Fb"),
            ("https://a.example/a/b/c/./../../g", "https://a.example/a/g"),
            ("https://a.example/../x", "https://a.example/x"),
            ("https://a.example/x?q=1#frag", "https://a.example/x"),
            ("https://a.example?q", "https://a.example/"),
            ("https://[::1]:443/x", "https://[::1]/x"),
            ("https://[::1]:8443/x", "https://[::1]:8443/x"),
            ("https://a.example/Path", "https://a.example/Path"),
        ] {
            assert_eq!(normalize_htu(a).unwrap(), b, "{a}");
        }
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "/token",
            "ftp://a.example/",
            "https:a.example",
            "https://user@a.example/",
            "https:///x",
            "https://a.example:99999/",
            "https://a.example:8a/",
            "https://a.example/%zz",
            "https://a.example/%4",
            "https://a.example/ x",
            "https://a.example/\u{e9}",
            "https://[::1/",
            "https://[::1]x/",
        ] {
            assert_eq!(
                normalize_htu(bad).unwrap_err().kind(),
                ErrorKind::DpopUri,
                "{bad:?}"
            );
        }
        assert!(normalize_htu(&format!("https://a.example/{}", "a".repeat(MAX_HTU_LEN))).is_err());
    }

    #[test]
    fn dot_segments_per_rfc3986_5_2_4() {
        assert_eq!(remove_dot_segments("/a/b/c/./../../g"), "/a/g");
        assert_eq!(remove_dot_segments("mid/content=5/../6"), "mid/6");
        assert_eq!(remove_dot_segments("/.."), "/");
        assert_eq!(remove_dot_segments("/a/.."), "/");
        assert_eq!(remove_dot_segments(""), "");
    }
}
