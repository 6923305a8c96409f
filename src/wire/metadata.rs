//! Authorization server metadata (RFC 8414 §2, §3.1, §3.2), with the members of RFC 9449 §5.1
//! (`dpop_signing_alg_values_supported`) and RFC 8705 §3.3
//! (`tls_client_certificate_bound_access_tokens`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::uri::parse_redirect_uri;
use crate::jwt::{Algorithm, KeyFamily};
use crate::{Error, ErrorKind, Result};

/// The member names [`ServerMetadata`] has fields for; `extra` must not repeat them.
const STANDARD_MEMBERS: [&str; 13] = [
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "revocation_endpoint",
    "introspection_endpoint",
    "scopes_supported",
    "response_types_supported",
    "grant_types_supported",
    "token_endpoint_auth_methods_supported",
    "code_challenge_methods_supported",
    "dpop_signing_alg_values_supported",
    "tls_client_certificate_bound_access_tokens",
];

/// Authorization server metadata (RFC 8414 §2), served at the [`metadata_url`] of its issuer
/// (RFC 8414 §3.1). Its `issuer` must be identical to the issuer identifier the clients
/// were configured with, byte for byte (§3.3): keep a trailing `/` if the identifier has one.
///
/// Absent optional members and empty lists are omitted from the JSON, except
/// `response_types_supported`, which is REQUIRED. Members without a field go in `extra` (and
/// land there when deserializing).
///
/// ```
/// use tessera::wire::ServerMetadata;
///
/// let mut metadata = ServerMetadata::new("https://as.example");
/// metadata.token_endpoint = Some("https://as.example/token".into());
/// metadata.response_types_supported = vec!["code".into()];
/// metadata.code_challenge_methods_supported = vec!["S256".into()];
/// assert_eq!(
///     metadata.to_json()?,
///     r#"{"issuer":"https://as.example","token_endpoint":"https://as.example/token","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}"#
/// );
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ServerMetadata {
    /// `issuer` (REQUIRED): `https` URL with no query or fragment.
    pub issuer: String,
    /// `authorization_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// `jwks_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// `revocation_endpoint` (RFC 7009).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// `introspection_endpoint` (RFC 7662).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// `scopes_supported`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// `response_types_supported` (REQUIRED, non-empty).
    #[serde(default)]
    pub response_types_supported: Vec<String>,
    /// `grant_types_supported` (absent means `authorization_code` and `implicit`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant_types_supported: Vec<String>,
    /// `token_endpoint_auth_methods_supported` (absent means `client_secret_basic`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// `code_challenge_methods_supported` (RFC 7636; absent means no PKCE support).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_challenge_methods_supported: Vec<String>,
    /// `dpop_signing_alg_values_supported` (RFC 9449 §5.1): the JWS algorithms accepted for
    /// DPoP proofs, asymmetric ones only (`ES256`, `PS256`, `EdDSA`, ...). Absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dpop_signing_alg_values_supported: Vec<String>,
    /// `tls_client_certificate_bound_access_tokens` (RFC 8705 §3.3): the server issues
    /// certificate-bound access tokens (`cnf.x5t#S256`). Absent when `false`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tls_client_certificate_bound_access_tokens: bool,
    /// Any other member (e.g. `service_documentation`), by name.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl ServerMetadata {
    /// Metadata with only `issuer` set.
    pub fn new(issuer: impl Into<String>) -> ServerMetadata {
        ServerMetadata {
            issuer: issuer.into(),
            ..ServerMetadata::default()
        }
    }

    /// Checks the metadata; every failure is [`ErrorKind::InvalidArgument`] naming the member:
    ///
    /// - `issuer` is an absolute `https` URL with no query and no fragment (RFC 8414 §2);
    /// - every endpoint and `jwks_uri` is an absolute `https` URL with no fragment (RFC 6749
    ///   §3.1, §3.2 require TLS; a query is allowed);
    /// - as an exception for local testing, `http` is accepted wherever `https` is required when
    ///   the host is a loopback host (`127.0.0.1`, `[::1]`, `localhost`);
    /// - `response_types_supported` is not empty;
    /// - every `dpop_signing_alg_values_supported` entry is the name of an asymmetric JWS
    ///   algorithm tessera knows (RFC 9449 §5.1 excludes `none` and MAC algorithms; names are
    ///   case-sensitive);
    /// - `extra` does not repeat a member that has a field (the JSON would have it twice).
    pub fn validate(&self) -> Result<()> {
        check_url("issuer", &self.issuer, false)?;
        for (name, value) in [
            ("authorization_endpoint", &self.authorization_endpoint),
            ("token_endpoint", &self.token_endpoint),
            ("jwks_uri", &self.jwks_uri),
            ("revocation_endpoint", &self.revocation_endpoint),
            ("introspection_endpoint", &self.introspection_endpoint),
        ] {
            if let Some(url) = value {
                check_url(name, url, true)?;
            }
        }
        if self.response_types_supported.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "response_types_supported must not be empty",
            ));
        }
        for alg in &self.dpop_signing_alg_values_supported {
            let asymmetric = alg
                .parse::<Algorithm>()
                .is_ok_and(|a| a.family() != KeyFamily::Hmac);
            if !asymmetric {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "dpop_signing_alg_values_supported lists a name that is not an asymmetric JWS algorithm",
                ));
            }
        }
        if let Some(name) = STANDARD_MEMBERS
            .iter()
            .find(|m| self.extra.contains_key(**m))
        {
            return Err(Error::with_detail(
                ErrorKind::InvalidArgument,
                format!("extra repeats the member {name}"),
            ));
        }
        Ok(())
    }

    /// The JSON document, after [`ServerMetadata::validate`].
    pub fn to_json(&self) -> Result<String> {
        self.validate()?;
        serde_json::to_string(self)
            .map_err(|_| Error::new(ErrorKind::InvalidArgument, "metadata is not serializable"))
    }
}

/// The RFC 8414 §3.1 well-known URI string.
pub const METADATA_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";

/// Where the metadata of `issuer` is served (RFC 8414 §3.1): the issuer with
/// [`METADATA_WELL_KNOWN`] inserted between the host (and port) and the path, the path kept byte
/// for byte (a trailing `/` included). An issuer without a path, or with the path `/`, is a root
/// issuer: its metadata is at the bare well-known path, which belongs to it alone (§3.3).
///
/// `issuer` must pass the `issuer` rule of [`ServerMetadata::validate`] (absolute `https` URL, or
/// `http` on a loopback host, no query, no fragment), else [`ErrorKind::InvalidArgument`].
///
/// ```
/// use tessera::wire::metadata_url;
///
/// assert_eq!(
///     metadata_url("https://as.example")?,
///     "https://as.example/.well-known/oauth-authorization-server"
/// );
/// assert_eq!(
///     metadata_url("https://as.example/tenants/beta/")?,
///     "https://as.example/.well-known/oauth-authorization-server/tenants/beta/"
/// );
/// assert!(metadata_url("https://as.example?tenant=1").is_err());
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn metadata_url(issuer: &str) -> Result<String> {
    check_url("issuer", issuer, false)?;
    // `check_url` proved an `http(s)` URL with an authority and no query or fragment, so the
    // path is whatever follows the first `/` after `://`.
    let after_scheme = issuer
        .find("://")
        .map(|i| i + 3)
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "issuer has no authority"))?;
    let path_start = issuer[after_scheme..]
        .find('/')
        .map_or(issuer.len(), |i| after_scheme + i);
    let (origin, path) = issuer.split_at(path_start);
    let path = if path == "/" { "" } else { path };
    Ok(format!("{origin}{METADATA_WELL_KNOWN}{path}"))
}

fn check_url(name: &'static str, url: &str, query_allowed: bool) -> Result<()> {
    let fail =
        |what: &str| Error::with_detail(ErrorKind::InvalidArgument, format!("{name} {what}"));
    let uri =
        parse_redirect_uri(url).map_err(|_| fail("must be an absolute URL without a fragment"))?;
    let https = uri.scheme().eq_ignore_ascii_case("https");
    if !https && !uri.is_loopback() {
        return Err(fail("must use https (http only for loopback hosts)"));
    }
    if !query_allowed && uri.query().is_some() {
        return Err(fail("must not have a query"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ServerMetadata {
        ServerMetadata {
            response_types_supported: vec!["code".into()],
            ..ServerMetadata::new("https://as.example")
        }
    }

    #[test]
    fn issuer_rules() {
        for ok in [
            "https://as.example",
            "https://as.example/tenant/1",
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]/x",
        ] {
            assert!(
                ServerMetadata {
                    issuer: ok.into(),
                    ..valid()
                }
                .validate()
                .is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://as.example",
            "https://as.example?x=1",
            "https://as.example/?",
            "https://as.example#f",
            "as.example",
            "",
            "urn:example:as",
        ] {
            let err = ServerMetadata {
                issuer: bad.into(),
                ..valid()
            }
            .validate()
            .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad}");
            assert!(err.detail().contains("issuer"), "{err:?}");
        }
    }

    #[test]
    fn endpoint_rules() {
        let m = ServerMetadata {
            token_endpoint: Some("https://as.example/t?v=2".into()),
            ..valid()
        };
        assert!(m.validate().is_ok());
        let m = ServerMetadata {
            jwks_uri: Some("http://as.example/jwks".into()),
            ..valid()
        };
        assert!(m.validate().unwrap_err().detail().contains("jwks_uri"));
        let m = ServerMetadata {
            revocation_endpoint: Some("https://as.example/r#x".into()),
            ..valid()
        };
        assert!(
            m.validate()
                .unwrap_err()
                .detail()
                .contains("revocation_endpoint")
        );
        let m = ServerMetadata {
            response_types_supported: vec![],
            ..valid()
        };
        assert!(
            m.validate()
                .unwrap_err()
                .detail()
                .contains("response_types_supported")
        );
    }

    #[test]
    fn metadata_url_inserts_the_well_known_string_rfc8414_3_1() {
        for (issuer, url) in [
            (
                "https://as.example",
                "https://as.example/.well-known/oauth-authorization-server",
            ),
            (
                "https://as.example/",
                "https://as.example/.well-known/oauth-authorization-server",
            ),
            (
                "https://as.example/issuer1",
                "https://as.example/.well-known/oauth-authorization-server/issuer1",
            ),
            (
                "http://127.0.0.1:8000/tenants/beta/",
                "http://127.0.0.1:8000/.well-known/oauth-authorization-server/tenants/beta/",
            ),
            (
                "http://[::1]:9/a//b",
                "http://[::1]:9/.well-known/oauth-authorization-server/a//b",
            ),
            (
                "HTTPS://AS.example:443/T%20x",
                "HTTPS://AS.example:443/.well-known/oauth-authorization-server/T%20x",
            ),
        ] {
            assert_eq!(metadata_url(issuer).unwrap(), url, "{issuer}");
        }
        for bad in [
            "http://as.example/x",
            "https://as.example/x?y",
            "https://as.example/x#y",
            "https:/as.example",
            "as.example",
            "",
            "urn:example:as",
            "https://user@as.example",
        ] {
            let err = metadata_url(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad}");
            assert!(err.detail().starts_with("issuer"), "{bad}: {err:?}");
        }
    }

    #[test]
    fn sender_constraint_members_rfc9449_5_1_rfc8705_3_3() {
        let json = valid().to_json().unwrap();
        assert!(
            !json.contains("dpop") && !json.contains("tls_client"),
            "{json}"
        );
        let m = ServerMetadata {
            dpop_signing_alg_values_supported: vec!["ES256".into(), "PS256".into()],
            tls_client_certificate_bound_access_tokens: true,
            ..valid()
        };
        let json = m.to_json().unwrap();
        assert!(
            json.ends_with(
                r#""dpop_signing_alg_values_supported":["ES256","PS256"],"tls_client_certificate_bound_access_tokens":true}"#
            ),
            "{json}"
        );
        let back: ServerMetadata = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        assert!(back.extra.is_empty());
        for bad in ["HS256", "none", "es256", ""] {
            let m = ServerMetadata {
                dpop_signing_alg_values_supported: vec!["ES256".into(), bad.into()],
                ..valid()
            };
            let err = m.validate().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad}");
            assert!(err.detail().contains("dpop_signing_alg_values_supported"));
        }
        let mut m = valid();
        let _ = m.extra.insert(
            "tls_client_certificate_bound_access_tokens".into(),
            true.into(),
        );
        assert!(m.validate().is_err());
    }

    #[test]
    fn extra_round_trips_and_cannot_shadow() {
        let mut m = valid();
        let _ = m.extra.insert(
            "service_documentation".into(),
            "https://as.example/doc".into(),
        );
        let json = m.to_json().unwrap();
        let back: ServerMetadata = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        let _ = m
            .extra
            .insert("issuer".into(), "https://evil.example".into());
        let err = m.to_json().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.detail().contains("issuer"));
    }
}
