//! Typed OAuth requests read from a [`Form`]: authorization (RFC 6749 §4.1.1, RFC 7636 §4.3),
//! token (RFC 6749 §4.1.3, §4.4.2, §6), revocation (RFC 7009 §2.1) and introspection
//! (RFC 7662 §2.1).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::REDACTED;
use super::form::Form;
use crate::{Error, ErrorKind, Result};
use zeroize::Zeroize;

/// An authorization request (RFC 6749 §4.1.1 and §4.2.1, RFC 7636 §4.3, OpenID Connect `nonce`).
///
/// Only the syntax is checked here: `response_type` and `client_id` must be present, and every
/// value must be `VSCHAR` (%x20-7E) as RFC 6749 Appendix A requires. Whether the client, the
/// redirect URI, the response type, the scope and the PKCE parameters are acceptable is the grant
/// layer's decision.
///
/// A failure names the parameter. `client_id` is checked first: when
/// [`AuthorizeRequest::from_form`] fails and the form has no usable `client_id` or
/// `redirect_uri`, the error must be shown to the user, never redirected (RFC 6749 §4.1.2.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeRequest {
    /// `response_type`, e.g. `code` (REQUIRED).
    pub response_type: String,
    /// `client_id` (REQUIRED).
    pub client_id: String,
    /// `redirect_uri`, if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// `scope`, if sent (space-separated scope tokens, not yet validated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `state`, if sent; echo it back exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// RFC 7636 `code_challenge`, if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    /// RFC 7636 `code_challenge_method`, if sent (`S256` or `plain`; defaults to `plain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_method: Option<String>,
    /// OpenID Connect `nonce`, if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// RFC 9449 §10 `dpop_jkt`, if sent: the RFC 7638 thumbprint of the DPoP key the code is
    /// to be bound to, 43 base64url characters (checked by [`AuthorizeRequest::from_form`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_jkt: Option<String>,
}

impl AuthorizeRequest {
    /// Reads an authorization request from its query string (or POST body). A `dpop_jkt` that is
    /// not 43 base64url characters (an RFC 7638 SHA-256 thumbprint, RFC 9449 §10) is
    /// [`ErrorKind::OauthInvalidRequest`].
    pub fn from_form(form: &Form) -> Result<AuthorizeRequest> {
        let client_id = required(form, "client_id")?;
        let redirect_uri = optional(form, "redirect_uri")?;
        let dpop_jkt = optional(form, "dpop_jkt")?;
        if dpop_jkt
            .as_deref()
            .is_some_and(|jkt| !crate::jwt::is_b64_sha256(jkt))
        {
            return Err(Error::new(
                ErrorKind::OauthInvalidRequest,
                "parameter dpop_jkt is not a base64url SHA-256 thumbprint (43 characters)",
            ));
        }
        Ok(AuthorizeRequest {
            response_type: required(form, "response_type")?,
            client_id,
            redirect_uri,
            scope: optional(form, "scope")?,
            state: optional(form, "state")?,
            code_challenge: optional(form, "code_challenge")?,
            code_challenge_method: optional(form, "code_challenge_method")?,
            nonce: optional(form, "nonce")?,
            dpop_jkt,
        })
    }
}

/// A token request, by `grant_type` (RFC 6749 §4.1.3, §4.4.2, §6).
///
/// A missing `grant_type` is [`ErrorKind::OauthInvalidRequest`]; any other grant type than the
/// three below is [`ErrorKind::OauthUnsupportedGrantType`] (a host that implements an extension
/// grant reads `grant_type` from the [`Form`] before calling [`TokenRequest::from_form`]).
///
/// Client credentials are not part of this type: read them with
/// [`client_auth`](crate::wire::client_auth). The `client_id` of an authorization-code request is
/// the body parameter, which public clients must send (RFC 6749 §4.1.3).
///
/// As JSON the grant type is the `grant_type` member:
/// `{"grant_type":"refresh_token","refresh_token":"..."}`. `Debug` redacts codes, verifiers and
/// refresh tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "grant_type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TokenRequest {
    /// `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5).
    AuthorizationCode {
        /// `code` (REQUIRED).
        code: String,
        /// `redirect_uri`: required by the grant layer when the authorization request had one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        redirect_uri: Option<String>,
        /// RFC 7636 `code_verifier`, if sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code_verifier: Option<String>,
        /// `client_id` in the body, if sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    /// `grant_type=refresh_token` (RFC 6749 §6).
    RefreshToken {
        /// `refresh_token` (REQUIRED).
        refresh_token: String,
        /// `scope`, if sent (a down-scoping request).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
    },
    /// `grant_type=client_credentials` (RFC 6749 §4.4.2).
    ClientCredentials {
        /// `scope`, if sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
    },
}

/// The code, the PKCE verifier and the refresh token are wiped from memory when the request is
/// dropped (SECURITY.md, "What is wiped").
impl Drop for TokenRequest {
    fn drop(&mut self) {
        match self {
            TokenRequest::AuthorizationCode {
                code,
                code_verifier,
                ..
            } => {
                code.zeroize();
                code_verifier.zeroize();
            }
            TokenRequest::RefreshToken { refresh_token, .. } => refresh_token.zeroize(),
            TokenRequest::ClientCredentials { .. } => {}
        }
    }
}

impl TokenRequest {
    /// Reads a token request from the token endpoint's form body.
    pub fn from_form(form: &Form) -> Result<TokenRequest> {
        let grant_type = required(form, "grant_type")?;
        match grant_type.as_str() {
            "authorization_code" => Ok(TokenRequest::AuthorizationCode {
                code: required(form, "code")?,
                redirect_uri: optional(form, "redirect_uri")?,
                code_verifier: optional(form, "code_verifier")?,
                client_id: optional(form, "client_id")?,
            }),
            "refresh_token" => Ok(TokenRequest::RefreshToken {
                refresh_token: required(form, "refresh_token")?,
                scope: optional(form, "scope")?,
            }),
            "client_credentials" => Ok(TokenRequest::ClientCredentials {
                scope: optional(form, "scope")?,
            }),
            _ => Err(Error::new(
                ErrorKind::OauthUnsupportedGrantType,
                "grant_type is not supported",
            )),
        }
    }

    /// The `grant_type` value of this request.
    pub fn grant_type(&self) -> &'static str {
        match self {
            TokenRequest::AuthorizationCode { .. } => "authorization_code",
            TokenRequest::RefreshToken { .. } => "refresh_token",
            TokenRequest::ClientCredentials { .. } => "client_credentials",
        }
    }

    /// The requested `scope`, if the request has one.
    pub fn scope(&self) -> Option<&str> {
        match self {
            TokenRequest::AuthorizationCode { .. } => None,
            TokenRequest::RefreshToken { scope, .. }
            | TokenRequest::ClientCredentials { scope } => scope.as_deref(),
        }
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenRequest::AuthorizationCode {
                redirect_uri,
                code_verifier,
                client_id,
                ..
            } => f
                .debug_struct("AuthorizationCode")
                .field("code", &REDACTED)
                .field("redirect_uri", redirect_uri)
                .field("code_verifier", &code_verifier.as_ref().map(|_| REDACTED))
                .field("client_id", client_id)
                .finish(),
            TokenRequest::RefreshToken { scope, .. } => f
                .debug_struct("RefreshToken")
                .field("refresh_token", &REDACTED)
                .field("scope", scope)
                .finish(),
            TokenRequest::ClientCredentials { scope } => f
                .debug_struct("ClientCredentials")
                .field("scope", scope)
                .finish(),
        }
    }
}

/// A token revocation request (RFC 7009 §2.1). `Debug` redacts the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationRequest {
    /// `token` (REQUIRED): the access or refresh token to revoke.
    pub token: String,
    /// `token_type_hint`, if sent (`access_token`, `refresh_token` or a registered extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type_hint: Option<String>,
}

/// The token is wiped from memory when the request is dropped.
impl Drop for RevocationRequest {
    fn drop(&mut self) {
        self.token.zeroize();
    }
}

impl RevocationRequest {
    /// Reads a revocation request from the revocation endpoint's form body.
    pub fn from_form(form: &Form) -> Result<RevocationRequest> {
        Ok(RevocationRequest {
            token: required(form, "token")?,
            token_type_hint: optional(form, "token_type_hint")?,
        })
    }
}

impl fmt::Debug for RevocationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevocationRequest")
            .field("token", &REDACTED)
            .field("token_type_hint", &self.token_type_hint)
            .finish()
    }
}

/// A token introspection request (RFC 7662 §2.1). `Debug` redacts the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntrospectionRequest {
    /// `token` (REQUIRED): the token to introspect.
    pub token: String,
    /// `token_type_hint`, if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type_hint: Option<String>,
}

/// The token is wiped from memory when the request is dropped.
impl Drop for IntrospectionRequest {
    fn drop(&mut self) {
        self.token.zeroize();
    }
}

impl IntrospectionRequest {
    /// Reads an introspection request from the introspection endpoint's form body.
    pub fn from_form(form: &Form) -> Result<IntrospectionRequest> {
        Ok(IntrospectionRequest {
            token: required(form, "token")?,
            token_type_hint: optional(form, "token_type_hint")?,
        })
    }
}

impl fmt::Debug for IntrospectionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntrospectionRequest")
            .field("token", &REDACTED)
            .field("token_type_hint", &self.token_type_hint)
            .finish()
    }
}

/// Parameter `name`, which must be present (and non-empty) and `VSCHAR`.
fn required(form: &Form, name: &'static str) -> Result<String> {
    optional(form, name)?.ok_or_else(|| {
        Error::with_detail(
            ErrorKind::OauthInvalidRequest,
            format!("missing parameter {name}"),
        )
    })
}

/// Parameter `name`, if present; it must be `VSCHAR`.
fn optional(form: &Form, name: &'static str) -> Result<Option<String>> {
    match form.get(name) {
        None => Ok(None),
        Some(value) if is_vschar(value) => Ok(Some(value.to_owned())),
        Some(_) => Err(Error::with_detail(
            ErrorKind::OauthInvalidRequest,
            format!("parameter {name} has characters outside %x20-7E"),
        )),
    }
}

/// RFC 6749 Appendix A: `VSCHAR = %x20-7E`.
pub(super) fn is_vschar(text: &str) -> bool {
    text.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> Form {
        Form::parse(body.as_bytes()).unwrap()
    }

    #[test]
    fn authorize_reads_every_parameter() {
        let req = AuthorizeRequest::from_form(&form(
            "response_type=code&client_id=c1&redirect_uri=https%3A%2F%2Fc.example%2Fcb\
             &scope=a+b&state=xyz&code_challenge=abc&code_challenge_method=S256&nonce=n&extra=1",
        ))
        .unwrap();
        assert_eq!(req.response_type, "code");
        assert_eq!(req.client_id, "c1");
        assert_eq!(req.redirect_uri.as_deref(), Some("https://c.example/cb"));
        assert_eq!(req.scope.as_deref(), Some("a b"));
        assert_eq!(req.state.as_deref(), Some("xyz"));
        assert_eq!(req.code_challenge.as_deref(), Some("abc"));
        assert_eq!(req.code_challenge_method.as_deref(), Some("S256"));
        assert_eq!(req.nonce.as_deref(), Some("n"));
    }

    #[test]
    fn dpop_jkt_must_be_a_thumbprint_rfc9449_10() {
        let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
        let req = AuthorizeRequest::from_form(&form(&format!(
            "response_type=code&client_id=c&dpop_jkt={jkt}"
        )))
        .unwrap();
        assert_eq!(req.dpop_jkt.as_deref(), Some(jkt));
        for bad in [
            "short",
            &format!("{jkt}A"),
            &format!("{}=", &jkt[..42]),
            &format!("{}B", &jkt[..42]), // stray bits in the last character
            &format!("{}+", &jkt[..42]),
        ] {
            let err = AuthorizeRequest::from_form(&form(&format!(
                "response_type=code&client_id=c&dpop_jkt={bad}"
            )))
            .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest, "{bad}");
            assert!(err.detail().contains("dpop_jkt"), "{err:?}");
            assert!(!err.detail().contains(bad), "no echo: {err:?}");
        }
    }

    #[test]
    fn missing_parameter_is_named() {
        let err = AuthorizeRequest::from_form(&form("client_id=c1")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest);
        assert!(err.detail().contains("response_type"), "{err:?}");
        let err = AuthorizeRequest::from_form(&form("response_type=code&client_id=")).unwrap_err();
        assert!(err.detail().contains("client_id"), "{err:?}");
    }

    #[test]
    fn values_must_be_vschar() {
        let err = AuthorizeRequest::from_form(&form("response_type=code&client_id=c&state=a%0Ab"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest);
        assert!(err.detail().contains("state"), "{err:?}");
        assert!(
            TokenRequest::from_form(&form("grant_type=refresh_token&refresh_token=%C3%A9"))
                .is_err()
        );
    }

    #[test]
    fn token_request_by_grant_type() {
        let req = TokenRequest::from_form(&form(
            "grant_type=authorization_code&code=c&redirect_uri=https%3A%2F%2Fx&code_verifier=v\
             &client_id=id",
        ))
        .unwrap();
        assert_eq!(
            req,
            TokenRequest::AuthorizationCode {
                code: "c".into(),
                redirect_uri: Some("https://x".into()),
                code_verifier: Some("v".into()),
                client_id: Some("id".into()),
            }
        );
        assert_eq!(req.grant_type(), "authorization_code");
        assert_eq!(req.scope(), None);
        let req =
            TokenRequest::from_form(&form("grant_type=refresh_token&refresh_token=r&scope=a"))
                .unwrap();
        assert_eq!(req.scope(), Some("a"));
        assert_eq!(req.grant_type(), "refresh_token");
        let req = TokenRequest::from_form(&form("grant_type=client_credentials")).unwrap();
        assert_eq!(req, TokenRequest::ClientCredentials { scope: None });
    }

    #[test]
    fn token_request_errors() {
        let kind = |body: &str| TokenRequest::from_form(&form(body)).unwrap_err().kind();
        assert_eq!(kind("code=c"), ErrorKind::OauthInvalidRequest);
        assert_eq!(
            kind("grant_type=password&username=u"),
            ErrorKind::OauthUnsupportedGrantType
        );
        assert_eq!(
            kind("grant_type=Authorization_Code&code=c"),
            ErrorKind::OauthUnsupportedGrantType
        );
        let err = TokenRequest::from_form(&form("grant_type=authorization_code")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OauthInvalidRequest);
        assert!(err.detail().contains("code"), "{err:?}");
        let err = TokenRequest::from_form(&form("grant_type=refresh_token")).unwrap_err();
        assert!(err.detail().contains("refresh_token"), "{err:?}");
    }

    #[test]
    fn debug_redacts_secrets() {
        let req = TokenRequest::AuthorizationCode {
            code: "c0de".into(),
            redirect_uri: None,
            code_verifier: Some("v3r1f".into()),
            client_id: Some("id".into()),
        };
        let shown = format!("{req:?}");
        assert!(!shown.contains("c0de") && !shown.contains("v3r1f") && shown.contains("id"));
        let shown = format!(
            "{:?}",
            RevocationRequest {
                token: "t0k".into(),
                token_type_hint: None
            }
        );
        assert!(!shown.contains("t0k"));
        let shown = format!(
            "{:?}",
            IntrospectionRequest {
                token: "t0k".into(),
                token_type_hint: None
            }
        );
        assert!(!shown.contains("t0k"));
    }

    #[test]
    fn revocation_and_introspection() {
        let req =
            RevocationRequest::from_form(&form("token=t&token_type_hint=refresh_token")).unwrap();
        assert_eq!(req.token, "t");
        assert_eq!(req.token_type_hint.as_deref(), Some("refresh_token"));
        let err = RevocationRequest::from_form(&form("token_type_hint=x")).unwrap_err();
        assert!(err.detail().contains("token"));
        let req = IntrospectionRequest::from_form(&form("token=t")).unwrap();
        assert_eq!(req.token_type_hint, None);
        assert_eq!(
            IntrospectionRequest::from_form(&form(""))
                .unwrap_err()
                .kind(),
            ErrorKind::OauthInvalidRequest
        );
    }

    #[test]
    fn json_shapes() {
        let req = TokenRequest::RefreshToken {
            refresh_token: "r".into(),
            scope: None,
        };
        let json = serde_json::to_string(&req).unwrap();
        assert_eq!(
            json,
            r#"{"grant_type":"refresh_token","refresh_token":"r"}"#
        );
        assert_eq!(serde_json::from_str::<TokenRequest>(&json).unwrap(), req);
        assert!(
            serde_json::from_str::<TokenRequest>(r#"{"grant_type":"refresh_token","x":1}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<TokenRequest>(r#"{"grant_type":"password"}"#).is_err());
        let req = AuthorizeRequest::from_form(&form("response_type=code&client_id=c")).unwrap();
        let json = serde_json::to_string(&req).unwrap();
        assert_eq!(json, r#"{"response_type":"code","client_id":"c"}"#);
        assert_eq!(
            serde_json::from_str::<AuthorizeRequest>(&json).unwrap(),
            req
        );
        let json = r#"{"token":"t","token_type_hint":"access_token"}"#;
        let req: RevocationRequest = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&req).unwrap(), json);
        let req: IntrospectionRequest = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&req).unwrap(), json);
    }
}
