//! Client registrations and client authentication (RFC 6749 §2.1, §2.3.1, §3.2.1).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::scope::ScopeSet;
use crate::token::{LookupHash, Peppers};
use crate::{Error, ErrorKind, Result};

use super::lookup_text;

/// RFC 6749 §2.1 client types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientKind {
    /// Can keep a secret; must authenticate at the token endpoint.
    Confidential,
    /// Cannot keep a secret (native and browser apps); identified by `client_id` only.
    Public,
}

/// A grant type a client may use (RFC 6749 §4, RFC 7591 §2 names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// `authorization_code` (RFC 6749 §4.1), `response_type=code`.
    AuthorizationCode,
    /// `refresh_token` (RFC 6749 §6): a refresh token is issued with the code exchange.
    RefreshToken,
    /// `client_credentials` (RFC 6749 §4.4), confidential clients only.
    ClientCredentials,
    /// `implicit` (RFC 6749 §4.2), `response_type=token`. RFC 9700 §2.1.2: SHOULD NOT be used.
    Implicit,
}

impl GrantType {
    /// The RFC 7591 name (`authorization_code`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::Implicit => "implicit",
        }
    }
}

/// A client registration, as the host keeps it. JSON:
///
/// ```json
/// {"client_id": "app", "kind": "confidential",
///  "redirect_uris": ["https://app.example/cb"],
///  "allowed_scope": "job:read job:write", "default_scope": "job:read",
///  "grant_types": ["authorization_code", "refresh_token"],
///  "secret_hash": "2026-11:3q2-7w...", "dpop_bound_access_tokens": true}
/// ```
///
/// The host never stores a client secret: `secret_hash` is the pepper-keyed lookup hash of it
/// ([`Peppers::lookup`]), checked in constant time by [`authenticate_client`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// The client identifier (RFC 6749 §2.2).
    pub client_id: String,
    /// Confidential or public.
    pub kind: ClientKind,
    /// Registered redirect URIs, compared exactly (RFC 9700 §2.1; loopback ports excepted,
    /// RFC 8252 §7.3).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Every scope the client may be granted.
    pub allowed_scope: ScopeSet,
    /// The scope granted when a request omits `scope` (RFC 6749 §3.3). `None`: such a request
    /// fails with `invalid_scope`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_scope: Option<ScopeSet>,
    /// The grant types the client may use.
    pub grant_types: Vec<GrantType>,
    /// The lookup hash of the client secret (confidential clients).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "lookup_text::option"
    )]
    pub secret_hash: Option<LookupHash>,
    /// RFC 9449 §5.2 `dpop_bound_access_tokens`: the client always uses DPoP, so a token
    /// request of it without a DPoP binding (`cnf.jkt`) fails with
    /// [`ErrorKind::DpopProofRequired`] (`invalid_dpop_proof`) and changes nothing. Default
    /// `false` (omitted from the JSON when false).
    #[serde(default, skip_serializing_if = "is_false")]
    pub dpop_bound_access_tokens: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Client {
    /// Whether the registration allows `grant`.
    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Reads a registration from JSON; [`ErrorKind::InvalidJson`] for malformed JSON, unknown
    /// members or wrong types (including scopes that break RFC 6749 §3.3).
    pub fn from_json(json: &str) -> Result<Client> {
        super::from_json_object("client", json.as_bytes())
    }

    /// The registration as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("client_id", &self.client_id)
            .field("kind", &self.kind)
            .field("redirect_uris", &self.redirect_uris)
            .field("allowed_scope", &self.allowed_scope)
            .field("default_scope", &self.default_scope)
            .field("grant_types", &self.grant_types)
            .field("secret_hash", &self.secret_hash.as_ref().map(|_| "<hash>"))
            .field("dpop_bound_access_tokens", &self.dpop_bound_access_tokens)
            .finish()
    }
}

/// How a client proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// With its secret (HTTP Basic or body; which one is the wire layer's business).
    Secret,
    /// With its `client_id` only: a public client.
    None,
}

/// A client that passed [`authenticate_client`]. The token-endpoint functions take this, so
/// they cannot be reached without client authentication.
#[derive(Clone, Copy, Debug)]
pub struct AuthenticatedClient<'a> {
    client: &'a Client,
    method: AuthMethod,
}

impl<'a> AuthenticatedClient<'a> {
    /// The registration.
    pub fn client(&self) -> &'a Client {
        self.client
    }

    /// The client identifier.
    pub fn client_id(&self) -> &'a str {
        &self.client.client_id
    }

    /// How the client authenticated.
    pub fn method(&self) -> AuthMethod {
        self.method
    }

    /// For tests inside the crate.
    #[cfg(test)]
    pub(crate) fn for_tests(client: &'a Client) -> Self {
        let method = match client.kind {
            ClientKind::Confidential => AuthMethod::Secret,
            ClientKind::Public => AuthMethod::None,
        };
        AuthenticatedClient { client, method }
    }
}

fn invalid_client(detail: &'static str) -> Error {
    Error::new(ErrorKind::OauthInvalidClient, detail)
}

/// Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3.1,
/// §3.2.1), given what the wire layer resolved: the presented `client_id` and, if any, secret
/// (from HTTP Basic or the body; "never both" is checked there).
///
/// - `client` is the registration the host found for `presented_id` (`None` if there is none).
/// - A confidential client must present its secret; it is checked in constant time against
///   `secret_hash` with [`Peppers::verify`] (so the host never stores the secret).
/// - A public client must not present a secret: it has none, so one is a misconfiguration or a
///   confused client, and accepting it would hide that.
///
/// Every failure is [`ErrorKind::OauthInvalidClient`] (HTTP 401, RFC 6749 §5.2). Unknown clients
/// cost one HMAC like known ones, so timing does not tell them apart.
pub fn authenticate_client<'a>(
    client: Option<&'a Client>,
    presented_id: &str,
    presented_secret: Option<&str>,
    peppers: &Peppers,
) -> Result<AuthenticatedClient<'a>> {
    let Some(client) = client else {
        if let Some(secret) = presented_secret {
            let _ = peppers.lookup(secret);
        }
        return Err(invalid_client("unknown client"));
    };
    if client.client_id != presented_id {
        return Err(invalid_client(
            "the registration is not the presented client's",
        ));
    }
    match (client.kind, presented_secret) {
        (ClientKind::Confidential, None) => Err(invalid_client(
            "a confidential client must authenticate (RFC 6749 section 3.2.1)",
        )),
        (ClientKind::Confidential, Some(secret)) => {
            let Some(hash) = &client.secret_hash else {
                let _ = peppers.lookup(secret);
                return Err(invalid_client("the client has no registered secret"));
            };
            peppers
                .verify(secret, hash)
                .map_err(|_| invalid_client("client authentication failed"))?;
            Ok(AuthenticatedClient {
                client,
                method: AuthMethod::Secret,
            })
        }
        (ClientKind::Public, Some(_)) => {
            Err(invalid_client("a public client has no secret to present"))
        }
        (ClientKind::Public, None) => Ok(AuthenticatedClient {
            client,
            method: AuthMethod::None,
        }),
    }
}
