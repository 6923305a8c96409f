//! C ABI for the OAuth 2.0 grants (`tessera_issuer`): authorization, token, revocation and
//! introspection endpoints as pure functions over JSON. Conventions: see the module
//! documentation of `ffi` (README "API conventions").
//!
//! The rules shared by every function are on `tessera_issuer`, so that they are in the header.

use std::ffi::c_char;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::token::lookup_output;
use super::{
    TesseraResult, borrow, boundary, bytes, error_json, free, json_text, new_handle, opt_json_text,
    output, output_json, req_str, tag, to_value,
};
use super::{tessera_key, tessera_peppers};
use crate::SystemRandom;
use crate::dpop::Confirmation;
use crate::grant::{
    AuthenticatedClient, AuthorizeOutcome, Client, GrantState, Issuer, Locator, Outcome, Policy,
    Redirect,
};
use crate::jwt::Key;
use crate::scope::ScopeSet;
use crate::token::Peppers;
use crate::wire::{AuthorizeRequest, ClientAuth, TokenRequest};
use crate::{Error, ErrorKind};

/// The token issuer of one authorization server: grant policy, access-token signing key and
/// lookup-hash peppers, checked once. Immutable: thread-safe.
///
/// The `tessera_issuer_*` functions are the authorization, token, revocation and introspection
/// endpoints as pure functions over JSON. Grant state crosses the ABI as versioned JSON
/// (`GrantState`, `{"v": 1, "version": N, "family_id": "...", ...}`): the host loads it by
/// family id, passes it in, saves the `state` an outcome returns with a compare-and-swap on the
/// loaded `version` (a new family has version 1), applies the outcome's `effects`, and only then
/// answers.
///
/// Two error channels, kept apart on purpose:
/// - the **return code** says whether an outcome was produced. Argument errors — a NULL
///   pointer, a wrong handle, text that is not UTF-8, input JSON that is malformed or breaks its
///   schema (`TESSERA_RESULT_INVALID_JSON`), a state of an unknown format
///   (`TESSERA_RESULT_UNSUPPORTED`) or over 1 MiB (`TOO_LARGE`) — come back as codes, and
///   nothing is written (a too small buffer, `TESSERA_RESULT_BUFFER_TOO_SMALL`, writes only the
///   needed size);
/// - the **outcome JSON** carries the protocol decision, refusals included: a code that fails
///   to redeem is `TESSERA_RESULT_OK` with `"ok": false` and an `error` object. A refusal may
///   still carry a new `state` and `effects` (a burned code, a revoked family) that the host
///   must persist before answering.
///
/// Every `error` object has the shape `{"code": 702, "name": "oauth_invalid_grant", "error":
/// "invalid_grant", "description": "...", "status": 400, "www_authenticate": null, "detail":
/// "..."}`: `code`/`name` the `tessera_result`; `error` the RFC 6749 code to send (mapped as
/// `tessera::wire::token_error_for` documents for codes outside the OAuth block); `status` the
/// HTTP status; `description` the sanitized `error_description` to send (null for
/// `server_error`); `www_authenticate` the `WWW-Authenticate` value to send, present whenever
/// `status` is 401 (every 401 carries a challenge, RFC 9110 §15.5.2) and null otherwise: for
/// `invalid_client` it is `Basic realm="<issuer>"` whichever way the client authenticated
/// (HTTP Basic is the scheme the token endpoint supports, RFC 6749 §5.2); `detail` for logs
/// only.
///
/// `effects` is an array of objects tagged by `"effect"`:
/// - `{"effect": "index", "lookup": "<key_id>:<hash>", "family_id": "...", "kind": "ac" |
///   "rt"}`: index the lookup hash to the family (keep it as long as the family);
/// - `{"effect": "unindex", ...}` (same members): the family forgot the token; the entry may go;
/// - `{"effect": "revoke_family", "family_id": "...", "reason": "code_replay" |
///   "refresh_reuse" | "refresh_client_mismatch" | "client_request" | "host", "access_tokens":
///   [{"jti": "...", "expires_at": N}], "lookups": ["..."]}`: deny-list the access tokens until
///   they expire;
/// - `{"effect": "revoke_access_tokens", "family_id": "...", "access_tokens": [...]}`.
///
/// Functions that mint tokens draw from the system random number generator. When one returns
/// `TESSERA_RESULT_BUFFER_TOO_SMALL` its outcome was discarded (tessera stores nothing): call
/// again with the same inputs and a buffer of at least `*out_len` bytes; the new outcome has
/// fresh random values of the same lengths.
pub struct tessera_issuer {
    _private: [u8; 0],
}

fn parse<T: DeserializeOwned>(what: &str, json: &str) -> Result<T, Error> {
    crate::grant::from_json_object(what, json.as_bytes())
}

fn client(json: Option<&str>) -> Result<Option<Client>, Error> {
    json.map(Client::from_json).transpose()
}

fn state(json: Option<&str>) -> Result<Option<GrantState>, Error> {
    json.map(GrantState::from_json).transpose()
}

/// A presented token: bytes that are not UTF-8 cannot be a token, so they are treated as an
/// unknown one (the empty string, which no token is).
fn token_or_unknown(raw: &[u8]) -> &str {
    std::str::from_utf8(raw).unwrap_or_default()
}

fn redirect_json(redirect: &Redirect) -> Result<Value, Error> {
    Ok(json!({
        "location": redirect.location,
        "redirect_uri": redirect.redirect_uri,
        "mode": to_value(&redirect.mode)?,
    }))
}

fn authorize_json(issuer: &Issuer, outcome: AuthorizeOutcome) -> Result<Value, Error> {
    Ok(match outcome {
        AuthorizeOutcome::Fatal(error) => json!({
            "outcome": "fatal", "error": issuer_error_json(issuer, &error), "redirect": null,
            "state": null, "effects": [],
        }),
        AuthorizeOutcome::Rejected { error, redirect } => json!({
            "outcome": "rejected", "error": issuer_error_json(issuer, &error),
            "redirect": redirect_json(&redirect)?, "state": null, "effects": [],
        }),
        AuthorizeOutcome::Granted {
            redirect,
            state,
            effects,
        } => json!({
            "outcome": "granted", "error": null, "redirect": redirect_json(&redirect)?,
            "state": to_value(&*state)?, "effects": to_value(&effects)?,
        }),
    })
}

/// The `error` object of a failure of `issuer`: with the challenge every 401 carries, whose
/// realm is the issuer identifier (`invalid_client` gets `Basic`, whichever way the client
/// authenticated: RFC 6749 §5.2, RFC 9110 §15.5.2).
fn issuer_error_json(issuer: &Issuer, error: &Error) -> Value {
    error_json(error, &issuer.policy().config().issuer)
}

/// `{"ok", "response", "error", "state", "effects"}` of a token or revocation outcome.
fn outcome_json<T>(
    issuer: &Issuer,
    outcome: Outcome<T>,
    response: impl FnOnce(&T) -> Result<Value, Error>,
) -> Result<Value, Error> {
    let (ok, response, error) = match &outcome.result {
        Ok(value) => (true, response(value)?, Value::Null),
        Err(e) => (false, Value::Null, issuer_error_json(issuer, e)),
    };
    Ok(json!({
        "ok": ok, "response": response, "error": error,
        "state": to_value(&outcome.state)?, "effects": to_value(&outcome.effects)?,
    }))
}

/// Runs `body` on the issuer behind `issuer` inside the panic boundary and writes the JSON it
/// returns (conventions 1, 4, 5 and 6): the shape of every endpoint function.
///
/// # Safety
/// `issuer` must be NULL or a live handle; `out`, `cap` and `out_len` as for `write_out`.
unsafe fn issuer_json(
    issuer: *const tessera_issuer,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    body: impl FnOnce(&Issuer) -> Result<Value, Error>,
) -> TesseraResult {
    // SAFETY: forwarded.
    unsafe { output_json(out, cap, out_len, || body(borrow(tag::ISSUER, issuer)?)) }
}

/// The inputs the token and the revocation endpoint start with, read in this order: the client
/// registration (`(NULL, 0)` for none), the `client_auth` written by the request parser
/// (required) and the family state (`(NULL, 0)` for none).
///
/// # Safety
/// Convention 3 for each pointer pair.
unsafe fn endpoint_inputs(
    (client_json, client_len): (*const u8, usize),
    (auth_json, auth_len): (*const u8, usize),
    (state_json, state_len): (*const u8, usize),
) -> Result<(Option<Client>, ClientAuth, Option<GrantState>), Error> {
    // SAFETY: forwarded.
    unsafe {
        let client = client(opt_json_text(client_json, client_len)?)?;
        let auth = parse("client_auth", json_text(auth_json, auth_len)?)?;
        let state = state(opt_json_text(state_json, state_len)?)?;
        Ok((client, auth, state))
    }
}

/// Authenticates the client of `auth` against its registration and runs the endpoint `then`;
/// a failed authentication is an `"ok": false` outcome in which nothing changes.
fn when_authenticated(
    issuer: &Issuer,
    client: Option<&Client>,
    auth: &ClientAuth,
    then: impl FnOnce(&AuthenticatedClient<'_>) -> Result<Value, Error>,
) -> Result<Value, Error> {
    match issuer.authenticate(client, auth.client_id(), auth.client_secret()) {
        Ok(authenticated) => then(&authenticated),
        Err(e) => Ok(json!({
            "ok": false, "response": null, "error": issuer_error_json(issuer, &e),
            "state": null, "effects": [],
        })),
    }
}

// ---- issuers ---------------------------------------------------------------------------------

/// Builds an issuer from a grant policy (JSON; see `tessera::grant::PolicyConfig`:
/// `{"issuer": "https://as.example", "audiences": ["api"]}` plus optional lifetimes and
/// switches, `implications`, `token_prefix`, ...), the access-token signing key (a private or
/// HMAC key; its `kid` goes in the header) and the lookup-hash peppers. The key and peppers are
/// copied: the caller keeps and frees its handles, and later changes to the peppers handle do not
/// reach the issuer.
///
/// Errors: `TESSERA_RESULT_INVALID_JSON` (malformed policy, unknown members, wrong types),
/// `TESSERA_RESULT_INVALID_ARGUMENT` (a member out of bounds), `TESSERA_RESULT_INVALID_SCOPE`
/// (a bad implication), `TESSERA_RESULT_NOT_PRIVATE_KEY` (a public key). On success `*out` is a
/// new handle to free with `tessera_issuer_free`; it is immutable and may be used from any
/// number of threads at once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_new(
    policy_json: *const u8,
    policy_len: usize,
    signing_key: *const tessera_key,
    peppers: *const tessera_peppers,
    out: *mut *mut tessera_issuer,
) -> TesseraResult {
    boundary(|| {
        // SAFETY: conventions 3, 5 and 6.
        unsafe {
            let policy = Policy::from_json(json_text(policy_json, policy_len)?)?;
            let key: &Key = borrow(tag::KEY, signing_key)?;
            let peppers: &Peppers = borrow(tag::PEPPERS, peppers)?;
            let issuer = Issuer::new(policy, key.clone(), peppers.clone())?;
            new_handle(tag::ISSUER, issuer, out)
        }
    })
}

/// Frees an issuer (its copies of the key and peppers are wiped). NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_free(issuer: *mut tessera_issuer) {
    // SAFETY: convention 7.
    unsafe { free::<Issuer, _>(tag::ISSUER, issuer) }
}

/// Writes what the host stores for a confidential client's secret: its lookup hash under the
/// current pepper, `<key_id>:<base64url>` — the `secret_hash` member of the client registration
/// JSON. The secret itself is never stored. It must be non-empty `%x20-7E` text (what HTTP
/// Basic and form bodies can carry, RFC 6749 Appendix A), else
/// `TESSERA_RESULT_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_client_secret_hash(
    peppers: *const tessera_peppers,
    secret: *const u8,
    secret_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        lookup_output(peppers, out, cap, out_len, |peppers| {
            let secret = bytes(secret, secret_len)?;
            if secret.is_empty() || !secret.iter().all(|b| (0x20..=0x7e).contains(b)) {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "a client secret must be non-empty %x20-7E text",
                ));
            }
            let secret =
                std::str::from_utf8(secret).map_err(|_| Error::from(ErrorKind::InvalidUtf8))?;
            Ok(peppers.lookup(secret))
        })
    }
}

// ---- authorization endpoint ------------------------------------------------------------------

/// The inputs of the authorization-endpoint functions.
///
/// # Safety
/// Convention 3 for each pointer pair.
unsafe fn authorize_inputs(
    client_json: *const u8,
    client_len: usize,
    request_json: *const u8,
    request_len: usize,
) -> Result<(Option<Client>, AuthorizeRequest), Error> {
    // SAFETY: forwarded.
    unsafe {
        let client = client(opt_json_text(client_json, client_len)?)?;
        let request = parse("authorize request", json_text(request_json, request_len)?)?;
        Ok((client, request))
    }
}

/// Validates an authorization request before the user is asked (RFC 6749 §4.1.1, §4.2.1):
/// client, redirect URI, response type, scope and PKCE, in that order. `client_json` is the
/// registration the host found for the request's `client_id` (`tessera::grant::Client` JSON:
/// `{"client_id", "kind": "public" | "confidential", "redirect_uris", "allowed_scope",
/// "default_scope", "grant_types", "secret_hash", "dpop_bound_access_tokens"}`), `(NULL, 0)`
/// when there is none; `request_json` is the output of `tessera_authorize_request_parse`
/// (with `dpop_jkt`, RFC 9449 §10, when the request bound the code to a DPoP key: a
/// malformed one is a `"rejected"` outcome with `invalid_request`).
///
/// Writes `{"outcome": "ok", "scope": "<scope to show on the consent page>", "error": null,
/// "redirect": null, "state": null, "effects": []}`, or a `"rejected"`/`"fatal"` outcome as
/// `tessera_issuer_authorize` describes (with `"scope": null`). Returns `TESSERA_RESULT_OK`
/// whenever an outcome was written, refusals included; argument errors as described on
/// `tessera_issuer`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_check_authorize(
    issuer: *const tessera_issuer,
    client_json: *const u8,
    client_len: usize,
    request_json: *const u8,
    request_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        issuer_json(issuer, out, cap, out_len, |issuer| {
            let (client, request) =
                authorize_inputs(client_json, client_len, request_json, request_len)?;
            let value = match issuer.check_authorize(client.as_ref(), &request) {
                Ok(scope) => json!({
                    "outcome": "ok", "scope": scope.to_scope_string(), "error": null,
                    "redirect": null, "state": null, "effects": [],
                }),
                Err(outcome) => {
                    let mut value = authorize_json(issuer, outcome)?;
                    value["scope"] = Value::Null;
                    value
                }
            };
            Ok(value)
        })
    }
}

/// The authorization endpoint once `subject` (the authenticated resource owner, required and
/// non-empty, else `TESSERA_RESULT_INVALID_ARGUMENT`) approved the request, at `now` (Unix
/// seconds). Inputs as for `tessera_issuer_check_authorize`, whose checks run first. Writes:
///
/// - `{"outcome": "granted", "error": null, "redirect": {"location": "...", "redirect_uri":
///   "...", "mode": "query" | "fragment"}, "state": <GrantState>, "effects": [...]}`: save
///   `state` (a new family, version 1, under `state.family_id`), apply `effects` (an `index`
///   effect for the code), then redirect to `location` (it carries the code, or for
///   `response_type=token` the access token, with `state` and `iss`);
/// - `{"outcome": "rejected", "error": {...}, "redirect": {...}, "state": null, "effects": []}`:
///   redirect to `location`, which carries the error (RFC 6749 §4.1.2.1);
/// - `{"outcome": "fatal", "error": {...}, "redirect": null, "state": null, "effects": []}`:
///   show the error to the user and **never redirect** — the client is unknown or the redirect
///   URI is missing, unregistered or malformed.
///
/// Returns `TESSERA_RESULT_OK` whenever an outcome was written, refusals included; argument
/// errors as described on `tessera_issuer`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_authorize(
    issuer: *const tessera_issuer,
    client_json: *const u8,
    client_len: usize,
    request_json: *const u8,
    request_len: usize,
    subject: *const c_char,
    now: i64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        issuer_json(issuer, out, cap, out_len, |issuer| {
            let (client, request) =
                authorize_inputs(client_json, client_len, request_json, request_len)?;
            let subject = req_str(subject)?;
            if subject.is_empty() {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "the subject must not be empty",
                ));
            }
            let outcome = issuer.authorize(
                client.as_ref(),
                &request,
                subject,
                now,
                &SystemRandom::new(),
            );
            authorize_json(issuer, outcome)
        })
    }
}

/// The authorization endpoint after the resource owner refused: a `"rejected"` outcome whose
/// redirect carries `access_denied`, or `"fatal"` when the client or redirect URI cannot be
/// trusted (shapes as for `tessera_issuer_authorize`; no state, no effects). Returns
/// `TESSERA_RESULT_OK` whenever an outcome was written. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_deny(
    issuer: *const tessera_issuer,
    client_json: *const u8,
    client_len: usize,
    request_json: *const u8,
    request_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        issuer_json(issuer, out, cap, out_len, |issuer| {
            let (client, request) =
                authorize_inputs(client_json, client_len, request_json, request_len)?;
            let outcome = issuer.deny(client.as_ref(), &request);
            authorize_json(issuer, outcome)
        })
    }
}

// ---- token endpoint --------------------------------------------------------------------------

/// The token endpoint (RFC 6749 §3.2) at `now`: authenticates the client, then redeems a code,
/// uses (and rotates) a refresh token, or runs the client credentials grant.
///
/// Inputs: `client_json`, the registration the host found for `client_auth.client_id`
/// (`(NULL, 0)` when there is none); `client_auth_json` and `request_json`, the `client_auth`
/// and `request` members written by `tessera_token_request_parse` (both required);
/// `state_json`, the family `tessera_issuer_locate` led to for the code or refresh token
/// (`(NULL, 0)` when the index had no entry, or for client credentials).
///
/// Writes `{"ok": true, "response": {"access_token": "...", "token_type": "Bearer",
/// "expires_in": N, "refresh_token": "...", "scope": "..."}, "error": null, "state":
/// <GrantState> | null, "effects": [...]}` or `{"ok": false, "response": null, "error": {...},
/// "state": <GrantState> | null, "effects": [...]}`. Persist a non-null `state` (compare-and-swap
/// on the loaded `version`; a new family has version 1) and the `effects` **before** answering,
/// also when `ok` is false: a replayed code or reused refresh token revokes its family, and a
/// failed redemption burns its code. Then answer 200 with `response` (and `Cache-Control:
/// no-store`), or with `error.status` and the body `{"error": error.error,
/// "error_description": error.description}` plus `WWW-Authenticate: error.www_authenticate`
/// when not null, as it is whenever the status is 401
/// (`tessera_error_response(error.code, error.description, realm)` builds the same answer).
///
/// A failed client authentication is `"ok": false` with `invalid_client` (status 401, with the
/// challenge `Basic realm="<issuer identifier>"` whichever method the client used: HTTP Basic,
/// `client_secret_post` or none) and changes nothing. Returns `TESSERA_RESULT_OK` whenever an
/// outcome was written, refusals included; argument errors as in the `tessera_issuer`
/// documentation. Thread-safe. The access token is a bearer token: for a DPoP- or
/// certificate-bound one, call `tessera_issuer_token_bound`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_token(
    issuer: *const tessera_issuer,
    client_json: *const u8,
    client_len: usize,
    client_auth_json: *const u8,
    client_auth_len: usize,
    state_json: *const u8,
    state_len: usize,
    request_json: *const u8,
    request_len: usize,
    now: i64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: forwarded; `(NULL, 0)` is the unbound binding.
    unsafe {
        tessera_issuer_token_bound(
            issuer,
            client_json,
            client_len,
            client_auth_json,
            client_auth_len,
            state_json,
            state_len,
            request_json,
            request_len,
            std::ptr::null(),
            0,
            now,
            out,
            cap,
            out_len,
        )
    }
}

/// `tessera_issuer_token` for a sender-constrained access token (RFC 9449 DPoP, RFC 8705
/// mutual TLS): the same inputs, outputs and errors, plus `cnf_json`, what the access token is
/// bound to, as the `cnf` claim value: `{"jkt": "<RFC 7638 thumbprint of the DPoP proof's
/// key>"}`, `{"x5t#S256": "<base64url SHA-256 of the DER client certificate>"}` or both (each
/// 43 base64url characters; anything else is `TESSERA_RESULT_INVALID_JSON`). `(NULL, 0)` is
/// unbound, exactly `tessera_issuer_token`. The host validates the DPoP proof first (RFC 9449
/// §4.3) and passes the thumbprint of its key.
///
/// Then: the access token carries `"cnf"` (RFC 9449 §6.1, RFC 8705 §3.1) and the response's
/// `token_type` is `"DPoP"` when `jkt` is set (RFC 9449 §5), else `"Bearer"`. A client
/// registered with `"dpop_bound_access_tokens": true` without `jkt` gets `"ok": false` with
/// `invalid_dpop_proof` (code `TESSERA_RESULT_DPOP_PROOF_REQUIRED`, status 400) and no change.
/// A code whose authorization request had `dpop_jkt` needs `jkt` equal to it (else
/// `invalid_grant`, the code burned); a public client that redeems a code with `jkt` has the
/// family's refresh tokens bound to that key (the state's `dpop_jkt`), and a refresh without
/// it or with another key is `invalid_grant` with no change. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_token_bound(
    issuer: *const tessera_issuer,
    client_json: *const u8,
    client_len: usize,
    client_auth_json: *const u8,
    client_auth_len: usize,
    state_json: *const u8,
    state_len: usize,
    request_json: *const u8,
    request_len: usize,
    cnf_json: *const u8,
    cnf_len: usize,
    now: i64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        issuer_json(issuer, out, cap, out_len, |issuer| {
            let (client, auth, state) = endpoint_inputs(
                (client_json, client_len),
                (client_auth_json, client_auth_len),
                (state_json, state_len),
            )?;
            let request: TokenRequest =
                parse("token request", json_text(request_json, request_len)?)?;
            let cnf: Option<Confirmation> = opt_json_text(cnf_json, cnf_len)?
                .map(|json| parse("cnf", json))
                .transpose()?;
            when_authenticated(issuer, client.as_ref(), &auth, |authenticated| {
                let rng = SystemRandom::new();
                let outcome = issuer.token(
                    authenticated,
                    state.as_ref(),
                    &request,
                    cnf.as_ref(),
                    now,
                    &rng,
                );
                outcome_json(issuer, outcome, |tokens| to_value(&tokens.to_response()))
            })
        })
    }
}

/// Where the host finds the state of a presented token, at `now`:
///
/// - `{"locator": "lookup", "lookup": "<key_id>:<base64url>", "kind": "ac" | "rt"}`: an opaque
///   code or refresh token (format and checksum checked); find its family id in the index the
///   `index` effects filled, by `lookup`;
/// - `{"locator": "family", "family_id": "...", "jti": "..."}`: a JWT access token that
///   verified as this issuer's (signature, `iss`, `aud`, `typ`, `exp` without leeway); load that
///   family;
/// - `{"locator": "none", "error": {...}}`: no state can matter (malformed, expired, another
///   issuer's, an API key, ...). Answer a revocation with 200 and an introspection with
///   `{"active": false}`; at the token endpoint pass no state.
///
/// Returns `TESSERA_RESULT_OK` whenever one of these was written. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_locate(
    issuer: *const tessera_issuer,
    token: *const u8,
    token_len: usize,
    now: i64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        issuer_json(issuer, out, cap, out_len, |issuer| {
            let located = std::str::from_utf8(bytes(token, token_len)?)
                .map_err(|_| Error::new(ErrorKind::MalformedToken, "token is not UTF-8 text"))
                .and_then(|token| issuer.locate(token, now));
            let value = match located {
                Ok(Locator::Lookup { lookup, kind }) => json!({
                    "locator": "lookup", "lookup": lookup.to_string(), "kind": kind.code(),
                }),
                Ok(Locator::Family { family_id, jti }) => json!({
                    "locator": "family", "family_id": family_id, "jti": jti,
                }),
                Err(e) => json!({"locator": "none", "error": issuer_error_json(issuer, &e)}),
            };
            Ok(value)
        })
    }
}

// ---- revocation and introspection ------------------------------------------------------------

/// The revocation endpoint (RFC 7009) at `now`: authenticates the client (inputs as for
/// `tessera_issuer_token`: `client_auth_json` is the `client_auth` member written by
/// `tessera_revocation_request_parse`), then revokes `token` within `state_json` (the family
/// `tessera_issuer_locate` led to; `(NULL, 0)` when none). A refresh token revokes its whole
/// family and its access tokens; an access token is revoked alone; anything else — unknown,
/// malformed or non-UTF-8 tokens, codes, another client's tokens — changes nothing.
///
/// Writes `{"ok": true, "response": null, "error": null, "state": <GrantState> | null,
/// "effects": [...]}`: persist `state` and `effects`, then answer 200 whatever happened
/// (RFC 7009 §2.2: an invalid token is not an error). Only a failed client authentication is
/// `"ok": false` with `invalid_client` (401), as for `tessera_issuer_token`. Returns
/// `TESSERA_RESULT_OK` whenever an outcome was written. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_revoke(
    issuer: *const tessera_issuer,
    client_json: *const u8,
    client_len: usize,
    client_auth_json: *const u8,
    client_auth_len: usize,
    state_json: *const u8,
    state_len: usize,
    token: *const u8,
    token_len: usize,
    now: i64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        issuer_json(issuer, out, cap, out_len, |issuer| {
            let (client, auth, state) = endpoint_inputs(
                (client_json, client_len),
                (client_auth_json, client_auth_len),
                (state_json, state_len),
            )?;
            let token = token_or_unknown(bytes(token, token_len)?);
            when_authenticated(issuer, client.as_ref(), &auth, |authenticated| {
                let outcome = issuer.revoke(authenticated, state.as_ref(), token, now);
                outcome_json(issuer, outcome, |()| Ok(Value::Null))
            })
        })
    }
}

/// Revokes a whole family at the host's initiative (logout everywhere, password change,
/// administrator) at `now`. Writes `{"state": <GrantState> | null, "effects": [...]}`: a
/// `revoke_family` effect (reason `host`) and the revoked state to save, or `null` and `[]` when
/// the family was already revoked. `state_json` is required. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_revoke_family(
    issuer: *const tessera_issuer,
    state_json: *const u8,
    state_len: usize,
    now: i64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        issuer_json(issuer, out, cap, out_len, |issuer| {
            let state = GrantState::from_json(json_text(state_json, state_len)?)?;
            let outcome = issuer.revoke_family(&state, now);
            let value = json!({
                "state": to_value(&outcome.state)?, "effects": to_value(&outcome.effects)?,
            });
            Ok(value)
        })
    }
}

/// The introspection endpoint (RFC 7662 §2.2) at `now`: writes the response body for `token`
/// within `state_json` (the family `tessera_issuer_locate` led to; `(NULL, 0)` when none). An
/// active refresh token gives `{"active": true, "scope", "client_id", "sub", "exp", "iat",
/// "iss"}`, an active access token also `"aud"`, `"jti"` and `"token_type": "Bearer"` (`"DPoP"`
/// for a DPoP-bound one), and `"cnf"` when it is sender-constrained (`{"jkt": ...}`,
/// `{"x5t#S256": ...}`; RFC 9449 §6.2, RFC 8705 §3.2); anything
/// else (expired, revoked, consumed, unknown, malformed, non-UTF-8, no state) is exactly
/// `{"active":false}`. Nothing changes, so there is no envelope: answer 200 with the output.
/// Who may introspect is the host's decision. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_introspect(
    issuer: *const tessera_issuer,
    state_json: *const u8,
    state_len: usize,
    token: *const u8,
    token_len: usize,
    now: i64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        output(out, cap, out_len, || {
            let issuer: &Issuer = borrow(tag::ISSUER, issuer)?;
            let state = state(opt_json_text(state_json, state_len)?)?;
            let token = token_or_unknown(bytes(token, token_len)?);
            Ok(issuer.introspect(state.as_ref(), token, now).to_json())
        })
    }
}

// ---- engine tokens ---------------------------------------------------------------------------

/// Mints a task-scoped engine token at `now`: a short-lived JWT (the policy's
/// `engine_token_lifetime`) whose header `typ` is the policy's `engine_token_typ` (so access
/// token verifiers refuse it, and engine verifiers refuse access tokens), for `subject` at
/// `audience`, carrying `requested_scope`, which must be covered by `parent_scope` under the
/// policy's implications (a task gets at most what its parent grant holds). Both scopes are
/// RFC 6749 scope strings; all four strings are required.
///
/// Writes `{"token": "<JWT>", "expires_at": N, "scope": "...", "jti": "..."}`. This is not an
/// endpoint, so there is no outcome envelope: failures are result codes —
/// `TESSERA_RESULT_OAUTH_INVALID_SCOPE` (requested scope empty or not covered),
/// `TESSERA_RESULT_INVALID_SCOPE` (a malformed scope string), `TESSERA_RESULT_INVALID_ARGUMENT`
/// (empty subject or audience), `TESSERA_RESULT_OAUTH_SERVER_ERROR` (randomness or signing
/// failed). Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tessera_issuer_engine_token(
    issuer: *const tessera_issuer,
    parent_scope: *const c_char,
    requested_scope: *const c_char,
    subject: *const c_char,
    audience: *const c_char,
    now: i64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> TesseraResult {
    // SAFETY: conventions 3, 4 and 6.
    unsafe {
        issuer_json(issuer, out, cap, out_len, |issuer| {
            let parent = ScopeSet::parse(req_str(parent_scope)?)?;
            let requested = ScopeSet::parse(req_str(requested_scope)?)?;
            let minted = issuer.issue_engine_token(
                &parent,
                &requested,
                req_str(subject)?,
                req_str(audience)?,
                now,
                &SystemRandom::new(),
            )?;
            let value = json!({
                "token": minted.token, "expires_at": minted.expires_at,
                "scope": minted.scope.to_scope_string(), "jti": minted.jti,
            });
            Ok(value)
        })
    }
}

#[cfg(test)]
mod argument_tests;
#[cfg(test)]
mod tests;
