"""Wire formats: form bodies, OAuth requests, Authorization headers, error responses,
redirect URIs and server metadata (RFC 6749, 6750, 7009, 7662, 8414)."""

from __future__ import annotations

from ctypes import byref, c_bool
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple, Union

from ._ffi import (
    as_bytes,
    call_json,
    call_text,
    check,
    cstr,
    json_bytes,
    lib,
    opt_cstr,
    opt_json_bytes,
)

__all__ = [
    "form_parse",
    "authorize_request_parse",
    "token_request_parse",
    "revocation_request_parse",
    "introspection_request_parse",
    "bearer_token",
    "access_token",
    "bearer_challenge",
    "dpop_challenge",
    "error_response",
    "resource_error_response",
    "resource_error_response_dpop",
    "redirect_uri",
    "redirect_uri_matches",
    "server_metadata",
    "server_metadata_url",
]

Body = Union[str, bytes]


def form_parse(body: Body) -> Dict[str, str]:
    """Parses an ``application/x-www-form-urlencoded`` body (or a query string without ``?``)
    into a dict of strings. Empty parameters are omitted (RFC 6749 §3.1); a repeated one, a bad
    escape or non-UTF-8 text raises `OAuthInvalidRequestError`; over 64 KiB or 64 parameters
    `TooLargeError`."""
    raw = as_bytes(body, "body")
    return call_json(lib.tessera_form_parse, raw, len(raw), secret=True)


def authorize_request_parse(query: Body) -> Dict[str, str]:
    """Parses an authorization request (RFC 6749 §4.1.1, §4.2.1, RFC 7636 §4.3) from its query
    string or POST body: ``{"response_type", "client_id", "redirect_uri", "scope", "state",
    "code_challenge", "code_challenge_method", "nonce", "dpop_jkt"}`` (absent ones omitted,
    ``dpop_jkt`` checked to be a 43-character thumbprint, RFC 9449 §10) — the input of
    `Issuer.authorize`. Only syntax is checked; on `OAuthInvalidRequestError` show the error to
    the user and do not redirect."""
    raw = as_bytes(query, "query")
    return call_json(lib.tessera_authorize_request_parse, raw, len(raw))


def token_request_parse(body: Body, authorization: Optional[str] = None) -> Dict[str, Any]:
    """Parses a token request (RFC 6749 §4.1.3, §4.4.2, §6) and the client's authentication
    (HTTP Basic in `authorization`, the ``Authorization`` header or None, or
    ``client_id``/``client_secret`` in the body): ``{"request": {...}, "client_auth": {...}}``,
    the inputs of `Issuer.token`. Raises `OAuthInvalidClientError`,
    `OAuthInvalidRequestError`, `OAuthUnsupportedGrantTypeError` or `TooLargeError`."""
    raw = as_bytes(body, "body")
    return call_json(
        lib.tessera_token_request_parse, raw, len(raw), opt_cstr(authorization), secret=True
    )


def revocation_request_parse(body: Body, authorization: Optional[str] = None) -> Dict[str, Any]:
    """Parses a revocation request (RFC 7009 §2.1) and the client's authentication:
    ``{"request": {"token", "token_type_hint"}, "client_auth": {...}}``, the inputs of
    `Issuer.revoke`. Errors as for `token_request_parse`."""
    raw = as_bytes(body, "body")
    return call_json(
        lib.tessera_revocation_request_parse, raw, len(raw), opt_cstr(authorization), secret=True
    )


def introspection_request_parse(body: Body) -> Dict[str, str]:
    """Parses an introspection request (RFC 7662 §2.1): ``{"token", "token_type_hint"}``.
    Who may introspect is the host's decision: no credentials are read."""
    raw = as_bytes(body, "body")
    return call_json(lib.tessera_introspection_request_parse, raw, len(raw), secret=True)


def bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The access token of an ``Authorization: Bearer`` header (RFC 6750 §2.1), or None when
    the request lacks authentication (no header, or another scheme): answer 401 with
    `bearer_challenge`. A ``Bearer`` header without a valid token raises
    `OAuthInvalidRequestError` (answer 400)."""
    token = call_text(lib.tessera_bearer_token, opt_cstr(authorization, "authorization"))
    return token or None


def access_token(authorization: Optional[str]) -> Optional[Tuple[str, str]]:
    """The access token of an ``Authorization`` header of scheme ``Bearer`` (RFC 6750 §2.1)
    or ``DPoP`` (RFC 9449 §7.1, any case), as ``(scheme, token)`` with `scheme` ``"Bearer"``
    or ``"DPoP"``; None when the request lacks authentication (no header, or another scheme):
    answer 401 with `dpop_challenge`. A ``Bearer`` or ``DPoP`` header without a valid token
    raises `OAuthInvalidRequestError` (answer 400). A DPoP token is valid only with its
    ``DPoP`` proof, and a token whose ``cnf`` has ``jkt`` must not be accepted as Bearer."""
    dpop = c_bool()
    token = call_text(
        lib.tessera_access_token, opt_cstr(authorization, "authorization"), byref(dpop)
    )
    if not token:
        return None
    return ("DPoP" if dpop.value else "Bearer", token)


def _algs(algs: Union[str, Iterable[str], None]) -> Optional[bytes]:
    """A space-separated list of algorithm names from a string or an iterable of names."""
    if algs is None:
        return None
    text = algs if isinstance(algs, str) else " ".join(algs)
    return opt_cstr(text or None, "algs")


def dpop_challenge(
    realm: Optional[str] = None,
    algs: Union[str, Iterable[str], None] = None,
    bearer: bool = False,
) -> str:
    """The ``WWW-Authenticate`` value for a resource request that lacks authentication, at a
    resource server that accepts DPoP-bound tokens (RFC 9449 §7.1): ``DPoP realm="<realm>",
    algs="ES256 PS256"`` (each only when given), followed by ``, Bearer realm="<realm>"`` when
    `bearer` (which needs a `realm`). `algs`: the JWS algorithms accepted for DPoP proofs, as
    names (``["ES256", "PS256"]`` or ``"ES256 PS256"``); an unknown one raises
    `UnsupportedAlgorithmError`, an HMAC one `InvalidArgumentError`."""
    return call_text(
        lib.tessera_dpop_challenge, opt_cstr(realm, "realm"), _algs(algs), bool(bearer)
    )


def bearer_challenge(realm: str) -> str:
    """The ``WWW-Authenticate`` value for a resource request that lacks authentication:
    ``Bearer realm="<realm>"`` with no error code (RFC 6750 §3.1), sent with 401."""
    return call_text(lib.tessera_bearer_challenge, cstr(realm, "realm"))


def _code(code: Union[int, Any]) -> int:
    """A result code, or the code of a `TesseraError`."""
    return int(getattr(code, "code", code))


def error_response(
    code: Union[int, Any], description: Optional[str] = None, realm: Optional[str] = None
) -> Dict[str, Any]:
    """The HTTP error response of a token, revocation or introspection endpoint
    (RFC 6749 §5.2) for a result code (or a `TesseraError`): ``{"status": 400, "body":
    {"error", "error_description"}, "headers": [[name, value], ...]}``. Codes outside the
    OAuth block are mapped (e.g. PKCE mismatch is ``invalid_grant``). Every 401 carries a
    challenge (RFC 9110 §15.5.2) built from `realm` (usually the issuer identifier): ``Basic``
    for ``invalid_client`` whichever way the client authenticated (RFC 6749 §5.2), ``Bearer``
    for ``invalid_token``. A 401 code without a realm is `InvalidArgumentError`."""
    return call_json(
        lib.tessera_error_response,
        _code(code),
        opt_cstr(description, "description"),
        opt_cstr(realm, "realm"),
    )


def resource_error_response(
    code: Union[int, Any],
    realm: str,
    description: Optional[str] = None,
    required_scope: Optional[str] = None,
) -> Dict[str, Any]:
    """The error response of a resource server (RFC 6750 §3) for a result code (or a
    `TesseraError`), shaped as `error_response`: token problems are ``invalid_token`` (401),
    scope problems ``insufficient_scope`` (403, with ``scope=`` when `required_scope` is given),
    malformed requests ``invalid_request`` (400), each with its ``Bearer`` challenge; DPoP
    proof and nonce errors are 401 with a ``DPoP`` challenge (see
    `resource_error_response_dpop`)."""
    return call_json(
        lib.tessera_resource_error_response,
        _code(code),
        opt_cstr(description, "description"),
        cstr(realm, "realm"),
        opt_cstr(required_scope, "required_scope"),
    )


def resource_error_response_dpop(
    code: Union[int, Any],
    realm: Optional[str],
    algs: Union[str, Iterable[str], None] = None,
    description: Optional[str] = None,
    required_scope: Optional[str] = None,
    bearer: bool = True,
) -> Dict[str, Any]:
    """The error response of a resource server that accepts DPoP-bound tokens (RFC 9449
    §7.1, §9), shaped as `error_response`: ``invalid_dpop_proof`` and ``use_dpop_nonce`` are
    401 here (400 at the token endpoint), and the ``WWW-Authenticate`` value is the ``DPoP``
    challenge (with ``algs``) first, then the ``Bearer`` one when `bearer`. With
    ``use_dpop_nonce`` also send the new nonce in a ``DPoP-Nonce`` header."""
    return call_json(
        lib.tessera_resource_error_response_dpop,
        _code(code),
        opt_cstr(description, "description"),
        opt_cstr(realm, "realm"),
        opt_cstr(required_scope, "required_scope"),
        _algs(algs),
        bool(bearer),
    )


def redirect_uri(
    base: str, params: Union[Mapping[str, str], str, None] = None, mode: str = "query"
) -> str:
    """The registered redirect URI `base` with `params` added (in their order): to the query
    (``mode="query"``, the code flow; an existing query is kept) or the fragment
    (``"fragment"``, the implicit flow)."""
    raw = opt_json_bytes(params, "params")
    return call_text(
        lib.tessera_redirect_uri,
        cstr(base, "base"),
        raw,
        0 if raw is None else len(raw),
        cstr(mode, "mode"),
    )


def redirect_uri_matches(registered: str, presented: str) -> bool:
    """Whether a presented redirect URI matches a registered one (RFC 6749 §3.1.2.3, RFC 9700
    §4.1.3): exact comparison, except the port of an ``http`` loopback IP literal (RFC 8252
    §7.3)."""
    out = c_bool()
    check(
        lib.tessera_redirect_uri_matches(
            cstr(registered, "registered"), cstr(presented, "presented"), byref(out)
        )
    )
    return bool(out.value)


def server_metadata(metadata: Union[str, bytes, Mapping[str, Any]]) -> Dict[str, Any]:
    """Validates RFC 8414 authorization server metadata and returns it normalised (standard
    members first, empty optional lists dropped). `InvalidArgumentError` names the member that
    breaks a rule (an endpoint that is not ``https``, except on loopback hosts, ...)."""
    raw = json_bytes(metadata, "metadata")
    return call_json(lib.tessera_server_metadata, raw, len(raw))


def server_metadata_url(issuer: str) -> str:
    """Where the metadata of `issuer` is served (RFC 8414 §3.1): ``issuer`` with
    ``/.well-known/oauth-authorization-server`` inserted between the host and the path, the
    path kept byte for byte (a trailing ``/`` included). A root issuer (no path, or ``/``) gets
    the bare well-known path, which belongs to it alone (§3.3). `InvalidArgumentError` when the
    issuer is not an ``https`` URL (``http`` only on loopback hosts) without query or fragment."""
    return call_text(lib.tessera_server_metadata_url, cstr(issuer, "issuer"))
