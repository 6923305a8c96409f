//! C ABI for the OAuth wire formats: form bodies, typed requests, `Authorization` headers, error
//! responses, redirect URIs and RFC 8414 metadata, with JSON as the exchange format.
//! Conventions: see the module documentation of `ffi` (README "API conventions").
//!
//! Parsers return a result code: on failure nothing is written and the code is the OAuth kind to
//! answer with (`TESSERA_RESULT_OAUTH_INVALID_REQUEST`, `..._INVALID_CLIENT`, ...), which
//! `tessera_error_response` turns into the HTTP response.

use std::ffi::c_char;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    TesseraResult, boundary, bytes, json_text, opt_str, opt_str_max, output, output_json, req_str,
    to_value, too_long_json, write_out, write_value,
};
use crate::grant::json_error;
use crate::jwt::{Algorithm, KeyFamily};
use crate::wire::{
    self, AuthScheme, AuthorizeRequest, ErrorResponse, Form, IntrospectionRequest, ResponseMode,
    RevocationRequest, ServerMetadata, TokenRequest,
};
use crate::{Error, ErrorKind};

/// The shape of the form parsers: a form body (or query string) in, the JSON `read` makes of
/// it out.
///
/// # Safety
/// Conventions 3 and 4.
unsafe fn form_json(
    body: *const u8,
    body_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    read: impl FnOnce(&Form) -> Result<Value, Error>,
) -> TesseraResult {
    // SAFETY: forwarded.
    unsafe {
        output_json(out, cap, out_len, || {
            read(&Form::parse(bytes(body, body_len)?)?)
        })
    }
}

/// [`form_json`] for the requests that carry the client's authentication (RFC 6749 §2.3.1:
/// HTTP Basic in `authorization_header`, or `client_id`/`client_secret` in the body): writes
/// `{"request": <what read makes>, "client_auth": <ClientAuth>}`.
///
/// # Safety
/// Conventions 3 and 4.
unsafe fn form_with_client_auth(
    body: *const u8,
    body_len: usize,
    authorization_header: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    read: impl FnOnce(&Form) -> Result<Value, Error>,
) -> TesseraResult {
    // SAFETY: forwarded.
    unsafe {
        form_json(body, body_len, out, cap, out_len, |form| {
            let header = opt_str_max(authorization_header, crate::limits::MAX_HEADER_BYTES)?;
            let auth = wire::client_auth(header, form)?;
            let request = read(form)?;
            Ok(json!({"request": request, "client_auth": to_value(&auth)?}))
        })
    }
}

/// Redirect parameters: a JSON object of string values, kept in document order.
struct Params(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Params, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Params;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object of string values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Params, A::Error> {
                let mut params: Vec<(String, String)> = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, String>()? {
                    if params.iter().any(|(n, _)| *n == name) {
                        return Err(serde::de::Error::custom("duplicate parameter"));
                    }
                    params.push((name, value));
                }
                Ok(Params(params))
            }
        }
        d.deserialize_map(V)
    }
}

fn response_mode(mode: Option<&str>) -> Result<ResponseMode, Error> {
    match mode {
        None | Some("query") => Ok(ResponseMode::Query),
        Some("fragment") => Ok(ResponseMode::Fragment),
        Some(_) => Err(Error::new(
            ErrorKind::InvalidArgument,
            "response mode must be \"query\" or \"fragment\"",
        )),
    }
}

/// The JWS algorithms of a space-separated list of names (`"ES256 PS256"`), for a DPoP
/// challenge's `algs`: NULL or empty is none; an unknown name is
/// `TESSERA_RESULT_UNSUPPORTED_ALGORITHM`, an HMAC one `TESSERA_RESULT_INVALID_ARGUMENT` (DPoP
/// proofs are signed with asymmetric keys, RFC 9449 §4.2).
fn parse_dpop_algs(names: Option<&str>) -> Result<Vec<Algorithm>, Error> {
    names
        .unwrap_or_default()
        .split(' ')
        .filter(|name| !name.is_empty())
        .map(|name| {
            let alg: Algorithm = name.parse()?;
            if alg.family() == KeyFamily::Hmac {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "DPoP proofs use asymmetric algorithms, not HMAC",
                ));
            }
            Ok(alg)
        })
        .collect()
}

fn kind_of(code: u32) -> Result<ErrorKind, Error> {
    ErrorKind::from_code(code).ok_or(Error::new(
        ErrorKind::InvalidArgument,
        "not a tessera_result error code",
    ))
}

/// `{"status": ..., "body": {...}, "headers": [[name, value], ...]}` of an error response.
fn response_json(response: &ErrorResponse) -> Result<Value, Error> {
    let body: Value = serde_json::from_str(&response.to_json())
        .map_err(|_| Error::from(ErrorKind::InvalidArgument))?;
    Ok(json!({
        "status": response.http_status(),
        "body": body,
        "headers": to_value(&response.headers())?,
    }))
}

// ---- forms and requests ----------------------------------------------------------------------

/// Parses an `application/x-www-form-urlencoded` body (or a query string without the `?`) and
/// writes its parameters as a JSON object of strings (`{"grant_type": "...", ...}`; member order
/// is not significant). Parameters sent empty are omitted (RFC 6749 §3.1); one sent twice is
/// `TESSERA_RESULT_OAUTH_INVALID_REQUEST`, as are bad escapes and non-UTF-8 text; more than
/// 64 KiB or 64 parameters is `TESSERA_RESULT_TOO_LARGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_form_parse(
    body: *const u8,
    body_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        form_json(body, body_len, out, cap, out_len, |form| {
            let map: serde_json::Map<String, Value> = form
                .iter()
                .map(|(n, v)| (n.to_owned(), Value::from(v)))
                .collect();
            Ok(Value::Object(map))
        })
    }
}

/// Parses an authorization request (RFC 6749 §4.1.1, §4.2.1; RFC 7636 §4.3; RFC 9449 §10)
/// from its query string (without the `?`) or POST body and writes it as JSON:
/// `{"response_type": "code", "client_id": "...", "redirect_uri": "...", "scope": "...",
/// "state": "...", "code_challenge": "...", "code_challenge_method": "S256", "nonce": "...",
/// "dpop_jkt": "..."}` (absent parameters are omitted) — the input of
/// `tessera_issuer_authorize`. Only syntax is checked (`response_type` and `client_id`
/// present, values `%x20-7E`, `dpop_jkt` 43 base64url characters); on failure
/// (`TESSERA_RESULT_OAUTH_INVALID_REQUEST`, `TOO_LARGE`) show the error to the user and do not
/// redirect: the request could not be tied to a trusted redirect URI.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_authorize_request_parse(
    query: *const u8,
    query_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        form_json(query, query_len, out, cap, out_len, |form| {
            to_value(&AuthorizeRequest::from_form(form)?)
        })
    }
}

/// Parses a token request (RFC 6749 §4.1.3, §4.4.2, §6) and the client's authentication
/// (RFC 6749 §2.3.1: HTTP Basic in `authorization_header`, NULL when the request had none, or
/// `client_id`/`client_secret` in the body) and writes
/// `{"request": <TokenRequest>, "client_auth": <ClientAuth>}`:
///
/// - TokenRequest: `{"grant_type": "authorization_code", "code": "...", "redirect_uri": "...",
///   "code_verifier": "...", "client_id": "..."}`, `{"grant_type": "refresh_token",
///   "refresh_token": "...", "scope": "..."}` or `{"grant_type": "client_credentials",
///   "scope": "..."}` (absent parameters omitted);
/// - ClientAuth: `{"method": "client_secret_basic" | "client_secret_post", "client_id": "...",
///   "client_secret": "..."}` or `{"method": "none", "client_id": "..."}`.
///
/// Both are the inputs of `tessera_issuer_token`. The output holds secrets: wipe it after use.
/// Errors (nothing written): `TESSERA_RESULT_OAUTH_INVALID_CLIENT` for a malformed or non-Basic
/// `Authorization` header or no client identification at all (answer 401 with its `Basic`
/// challenge: pass the realm, usually the issuer identifier, to `tessera_error_response`);
/// `TESSERA_RESULT_OAUTH_INVALID_REQUEST` (two authentication methods, a missing parameter,
/// ...); `TESSERA_RESULT_OAUTH_UNSUPPORTED_GRANT_TYPE`; `TESSERA_RESULT_TOO_LARGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_token_request_parse(
    body: *const u8,
    body_len: usize,
    authorization_header: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        form_with_client_auth(
            body,
            body_len,
            authorization_header,
            out,
            cap,
            out_len,
            |form| to_value(&TokenRequest::from_form(form)?),
        )
    }
}

/// Parses a revocation request (RFC 7009 §2.1) and the client's authentication, as for
/// `tessera_token_request_parse`, and writes `{"request": {"token": "...", "token_type_hint":
/// "..."}, "client_auth": <ClientAuth>}` (`token_type_hint` omitted when absent) — the inputs
/// of `tessera_issuer_revoke`. Errors as for `tessera_token_request_parse` (a missing `token`
/// is `TESSERA_RESULT_OAUTH_INVALID_REQUEST`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_revocation_request_parse(
    body: *const u8,
    body_len: usize,
    authorization_header: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        form_with_client_auth(
            body,
            body_len,
            authorization_header,
            out,
            cap,
            out_len,
            |form| to_value(&RevocationRequest::from_form(form)?),
        )
    }
}

/// Parses an introspection request (RFC 7662 §2.1) and writes `{"token": "...",
/// "token_type_hint": "..."}` (hint omitted when absent). How the caller of the introspection
/// endpoint is authorized (RFC 7662 §2.1) is the host's decision, so no credentials are read.
/// Errors: `TESSERA_RESULT_OAUTH_INVALID_REQUEST` (no `token`), `TESSERA_RESULT_TOO_LARGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_introspection_request_parse(
    body: *const u8,
    body_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        form_json(body, body_len, out, cap, out_len, |form| {
            to_value(&IntrospectionRequest::from_form(form)?)
        })
    }
}

// ---- Authorization headers -------------------------------------------------------------------

/// Reads the access token of an `Authorization: Bearer` header (RFC 6750 §2.1) into the buffer.
///
/// Three outcomes, as RFC 6750 §3.1 tells them apart:
/// - `TESSERA_RESULT_OK` with `*out_len > 0`: the token;
/// - `TESSERA_RESULT_OK` with `*out_len == 0` (nothing copied): the request **lacks
///   authentication** — `authorization_header` is NULL, empty, or another scheme such as
///   `Basic`. A bearer token is never empty, so this is unambiguous. Answer 401 with the
///   challenge of `tessera_bearer_challenge` (no error code);
/// - `TESSERA_RESULT_OAUTH_INVALID_REQUEST`: the scheme is `Bearer` but the credentials are
///   missing or not a `b64token` (answer 400); `TESSERA_RESULT_TOO_LARGE` past 8 KiB.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_bearer_token(
    authorization_header: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output(out, cap, out_len, || {
            let token = wire::bearer_token(opt_str_max(
                authorization_header,
                crate::limits::MAX_HEADER_BYTES,
            )?)?;
            Ok(token.unwrap_or_default())
        })
    }
}

/// Reads the access token of an `Authorization` header of scheme `Bearer` (RFC 6750 §2.1) or
/// `DPoP` (RFC 9449 §7.1, any case) into the buffer, and its scheme into `*dpop` (`true` for
/// `DPoP`, `false` for `Bearer`): `tessera_bearer_token` for a resource server that also
/// accepts DPoP-bound tokens. Same outcomes:
/// - `TESSERA_RESULT_OK` with `*out_len > 0`: the token, and `*dpop` says its scheme;
/// - `TESSERA_RESULT_OK` with `*out_len == 0` (nothing copied, `*dpop` set to `false`): the
///   request **lacks authentication** (NULL or empty header, or another scheme such as
///   `Basic`). Answer 401 with the challenges of `tessera_dpop_challenge`;
/// - `TESSERA_RESULT_OAUTH_INVALID_REQUEST`: the scheme is `Bearer` or `DPoP` but the
///   credentials are missing or not a `b64token` (answer 400); `TESSERA_RESULT_TOO_LARGE` past
///   8 KiB.
///
/// `dpop` is required and, like the buffer, written only on success. A `DPoP` token is valid
/// only with a `DPoP` proof header bound to it; a token whose `cnf` has `jkt` must not be
/// accepted with `*dpop == false` (RFC 9449 §7.2): that is the host's check.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_access_token(
    authorization_header: *const c_char,
    dpop: *mut bool,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        if dpop.is_null() {
            return Err(super::null());
        }
        // SAFETY: conventions 3, 4 and 5.
        unsafe {
            let header = opt_str_max(authorization_header, crate::limits::MAX_HEADER_BYTES)?;
            let (is_dpop, token) = match wire::access_token(header)? {
                Some((scheme, token)) => (scheme == AuthScheme::Dpop, token),
                None => (false, ""),
            };
            write_out(token.as_bytes(), out, cap, out_len)?;
            write_value(dpop, is_dpop)
        }
    })
}

/// Writes the `WWW-Authenticate` value for a resource request that lacks authentication, at a
/// resource server that accepts DPoP-bound tokens (RFC 9449 §7.1), sent with status 401:
/// `DPoP realm="<realm>", algs="<algs>"` (no error code), followed by `, Bearer
/// realm="<realm>"` when `bearer` is true (DPoP comes first: clients look for it there).
/// `realm` may be NULL (then it is left out, and `bearer` must be false, else
/// `TESSERA_RESULT_INVALID_ARGUMENT`); `algs` is the space-separated list of JWS algorithms
/// accepted for DPoP proofs (`"ES256 PS256"`), NULL or empty for none: an unknown name is
/// `TESSERA_RESULT_UNSUPPORTED_ALGORITHM`, an HMAC one `TESSERA_RESULT_INVALID_ARGUMENT`.
/// Values are quoted and escaped.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_dpop_challenge(
    realm: *const c_char,
    algs: *const c_char,
    bearer: bool,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output(out, cap, out_len, || {
            let realm = opt_str(realm)?;
            let algs = parse_dpop_algs(opt_str_max(algs, crate::limits::MAX_HEADER_BYTES)?)?;
            let mut challenge = wire::dpop_challenge(realm, &algs);
            match (bearer, realm) {
                (false, _) => {}
                (true, Some(realm)) => {
                    challenge.push_str(", ");
                    challenge.push_str(&wire::bearer_challenge(realm));
                }
                (true, None) => {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        "a Bearer challenge needs a realm",
                    ));
                }
            }
            Ok(challenge)
        })
    }
}

/// Writes the `WWW-Authenticate` value for a resource request that lacks authentication:
/// `Bearer realm="<realm>"`, with no error code (RFC 6750 §3.1), sent with status 401.
/// `realm` is required.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_bearer_challenge(
    realm: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 4.
        unsafe {
            write_out(
                wire::bearer_challenge(req_str(realm)?).as_bytes(),
                out,
                cap,
                out_len,
            )
        }
    })
}

// ---- responses -------------------------------------------------------------------------------

/// Writes the HTTP error response of the token, revocation or introspection endpoint
/// (RFC 6749 §5.2) for result code `code`:
/// `{"status": 400, "body": {"error": "invalid_grant", "error_description": "..."},
/// "headers": [["Content-Type", "application/json;charset=UTF-8"], ["Cache-Control",
/// "no-store"], ["Pragma", "no-cache"], ...]}`.
///
/// Codes outside the OAuth block are mapped as `tessera::wire::token_error_for` documents (e.g.
/// `TESSERA_RESULT_PKCE_MISMATCH` is `invalid_grant`, internal errors `server_error`).
/// `description` (NULL for none) is sanitized to the RFC 6749 §5.2 character set and cut to 256
/// bytes. Every 401 carries a challenge (RFC 9110 §15.5.2), built from `realm` (usually the
/// issuer identifier): `WWW-Authenticate: Basic realm="<realm>"` for `invalid_client`, whichever
/// way the client authenticated (HTTP Basic is the token endpoint's scheme, RFC 6749 §5.2), and
/// `Bearer realm="<realm>", error="invalid_token"` for `invalid_token`. `realm` may be NULL only
/// for codes that are not 401: a 401 code without a realm, and a `code` that is not a
/// `tessera_result` error (including 0), are `TESSERA_RESULT_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_error_response(
    code: u32,
    description: *const c_char,
    realm: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output_json(out, cap, out_len, || {
            let response = ErrorResponse::new(kind_of(code)?, opt_str(description)?);
            let response = match opt_str(realm)? {
                Some(realm) => response.with_challenge(realm),
                None if response.http_status() == 401 => {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        "a 401 response needs a realm for its WWW-Authenticate challenge",
                    ));
                }
                None => response,
            };
            response_json(&response)
        })
    }
}

/// Writes the error response of a resource server (RFC 6750 §3) for result code `code`, in the
/// shape of `tessera_error_response`. Codes are mapped as `tessera::wire::resource_error_for`
/// documents: token problems are `invalid_token` (401), scope problems `insufficient_scope`
/// (403), malformed requests `invalid_request` (400). For those three a `WWW-Authenticate:
/// Bearer realm="<realm>", error="...", error_description="..."` challenge is added, with
/// `scope="<required_scope>"` for `insufficient_scope` when `required_scope` is not NULL.
/// DPoP proof and nonce codes are `invalid_dpop_proof` and `use_dpop_nonce`, 401 at a
/// resource server (RFC 9449 §7.1, §9), with the challenge `DPoP realm="<realm>", error=...`;
/// a server that accepts DPoP-bound tokens answers with
/// `tessera_resource_error_response_dpop` instead, which adds `algs` and lists both schemes.
/// `realm` is required; `description` may be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_resource_error_response(
    code: u32,
    description: *const c_char,
    realm: *const c_char,
    required_scope: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output_json(out, cap, out_len, || {
            let realm = req_str(realm)?;
            let response = ErrorResponse::resource(kind_of(code)?, opt_str(description)?)
                .with_bearer_challenge(realm, opt_str(required_scope)?)
                .with_challenge(realm);
            response_json(&response)
        })
    }
}

/// Writes the error response of a resource server that accepts DPoP-bound tokens (RFC 9449
/// §7.1) for result code `code`, in the shape of `tessera_error_response`. Codes are mapped as
/// for `tessera_resource_error_response`; `invalid_dpop_proof` and `use_dpop_nonce` are 401
/// here (RFC 9449 §7.1, §9; at the token endpoint they are 400). For `invalid_dpop_proof`,
/// `use_dpop_nonce`, `invalid_token`, `invalid_request` and `insufficient_scope` the
/// `WWW-Authenticate` value is `DPoP realm="<realm>", error="...", error_description="...",
/// algs="<dpop_algs>"`, followed, when `bearer` is true, by `, Bearer realm="<realm>",
/// error="...", ...` (the error only for the three Bearer codes; DPoP always first).
/// `scope="<required_scope>"` is added for `insufficient_scope` when `required_scope` is not
/// NULL. `realm` may be NULL only when `bearer` is false; `dpop_algs` is a space-separated list
/// of JWS algorithm names (NULL or empty: no `algs`), checked as by `tessera_dpop_challenge`.
/// With `use_dpop_nonce`, also send the new nonce in a `DPoP-Nonce` header (RFC 9449 §9).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_resource_error_response_dpop(
    code: u32,
    description: *const c_char,
    realm: *const c_char,
    required_scope: *const c_char,
    dpop_algs: *const c_char,
    bearer: bool,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output_json(out, cap, out_len, || {
            let realm = opt_str(realm)?;
            if bearer && realm.is_none() {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "a Bearer challenge needs a realm",
                ));
            }
            let algs = parse_dpop_algs(opt_str_max(dpop_algs, crate::limits::MAX_HEADER_BYTES)?)?;
            let response = ErrorResponse::resource(kind_of(code)?, opt_str(description)?)
                .with_resource_challenges(realm, &algs, opt_str(required_scope)?, bearer);
            response_json(&response)
        })
    }
}

// ---- redirect URIs ---------------------------------------------------------------------------

/// Writes the registered redirect URI `base` with the parameters of `params_json` added (a JSON
/// object of string values, e.g. `{"code": "...", "state": "xyz"}`, encoded in the object's
/// order). `mode` is "query" (the code flow: appended to the query `base` already has, which
/// RFC 6749 §3.1.2 requires to be kept) or "fragment" (the implicit flow); NULL is "query".
/// `(NULL, 0)` or `{}` returns `base` unchanged.
///
/// Errors: `TESSERA_RESULT_INVALID_ARGUMENT` when `base` has a fragment or is not an absolute
/// URI, or `mode` is unknown; `TESSERA_RESULT_INVALID_JSON` when `params_json` is not an object
/// of strings or names a parameter twice.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_redirect_uri(
    base: *const c_char,
    params_json: *const u8,
    params_len: usize,
    mode: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output(out, cap, out_len, || {
            let base = req_str(base)?;
            let mode = response_mode(opt_str(mode)?)?;
            too_long_json(params_len)?;
            let raw = bytes(params_json, params_len)?;
            let params = if raw.is_empty() {
                Params(Vec::new())
            } else {
                serde_json::from_slice::<Params>(raw)
                    .map_err(|e| json_error("redirect parameters", &e))?
            };
            let pairs: Vec<(&str, &str)> = params
                .0
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let location = wire::redirect_with(base, &pairs, mode)?;
            Ok(location)
        })
    }
}

/// Writes to `*out` whether a presented redirect URI matches a registered one (RFC 6749
/// §3.1.2.3, RFC 9700 §4.1.3): exact string comparison, except that the port of an `http`
/// loopback IP literal (`127.0.0.1`, `[::1]`) is ignored (RFC 8252 §7.3). `presented` must also
/// be an absolute URI without a fragment. Both strings are required.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_redirect_uri_matches(
    registered: *const c_char,
    presented: *const c_char,
    out: *mut bool,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3 and 5.
        unsafe {
            let matches = wire::redirect_uri_matches(req_str(registered)?, req_str(presented)?);
            write_value(out, matches)
        }
    })
}

// ---- metadata --------------------------------------------------------------------------------

/// Validates RFC 8414 authorization server metadata (JSON) and writes it normalised: standard
/// members first, absent or empty optional lists dropped, other members kept. Checked: `issuer`
/// is an `https` URL without query or fragment, every endpoint and `jwks_uri` an `https` URL
/// without fragment (`http` only for loopback hosts), `response_types_supported` non-empty,
/// `dpop_signing_alg_values_supported` (RFC 9449 §5.1) names asymmetric JWS algorithms only.
/// `tls_client_certificate_bound_access_tokens` (RFC 8705 §3.3) is a boolean, dropped when
/// false.
/// Errors: `TESSERA_RESULT_INVALID_JSON` (malformed, or a standard member of the wrong type),
/// `TESSERA_RESULT_INVALID_ARGUMENT` naming the member that breaks a rule.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_server_metadata(
    json: *const u8,
    json_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output(out, cap, out_len, || {
            let metadata: ServerMetadata =
                crate::grant::from_json_object("metadata", json_text(json, json_len)?.as_bytes())?;
            metadata.to_json()
        })
    }
}

/// Writes where the metadata of `issuer` is served (RFC 8414 §3.1): `issuer` with
/// `/.well-known/oauth-authorization-server` inserted between the host (and port) and the path,
/// the path kept byte for byte, a trailing `/` included (`https://as.example/tenant/` gives
/// `https://as.example/.well-known/oauth-authorization-server/tenant/`). A root issuer (no path,
/// or `/`) gets the bare well-known path, which belongs to it alone (§3.3): a host serving an
/// issuer with a path must not answer there. The output is not NUL-terminated.
///
/// Errors: `TESSERA_RESULT_INVALID_ARGUMENT` when `issuer` is not an `https` URL (`http` only
/// for loopback hosts) without query and fragment, `TESSERA_RESULT_TOO_LARGE` past 8 KiB;
/// `TESSERA_RESULT_NULL_POINTER`, `TESSERA_RESULT_INVALID_UTF8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_server_metadata_url(
    issuer: *const c_char,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3 and 4.
    unsafe {
        output(out, cap, out_len, || {
            let issuer =
                opt_str_max(issuer, crate::limits::MAX_URI_BYTES)?.ok_or_else(super::null)?;
            wire::metadata_url(issuer)
        })
    }
}

#[cfg(test)]
mod tests;
