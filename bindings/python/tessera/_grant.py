"""The OAuth 2.0 grants: an authorization server's endpoints as pure functions over JSON."""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Union

from ._ffi import (
    BytesLike,
    Handle,
    as_bytes,
    call_handle,
    call_json,
    cstr,
    json_bytes,
    lib,
    opt_json_bytes,
    unix_now,
)
from ._jwt import Key
from ._token import Peppers

__all__ = ["Issuer", "client_secret_hash"]

Json = Union[str, bytes, Mapping[str, Any]]
OptJson = Union[str, bytes, Mapping[str, Any], None]

# Outcomes are re-generated (fresh random tokens) when the buffer was too small, so start big.
_OUTCOME_SIZE = 64 * 1024


def _pair(value: OptJson, what: str) -> tuple:
    raw = opt_json_bytes(value, what)
    return (raw, 0 if raw is None else len(raw))


def client_secret_hash(peppers: Peppers, secret: str) -> str:
    """What a host stores for a confidential client's secret: its lookup hash under the
    current pepper of `peppers` (the ``secret_hash`` member of a client registration)."""
    return peppers.client_secret_hash(secret)


class Issuer(Handle):
    """The token issuer of one authorization server: grant policy, access-token signing key
    and lookup-hash peppers. Immutable: share it between threads.

    Every endpoint is a pure function: the host loads the grant state (JSON, by family id),
    calls the method, saves the ``state`` the outcome returns with a compare-and-swap on the
    loaded ``version`` (a new family has version 1), applies the ``effects`` (``index``,
    ``unindex``, ``revoke_family``, ``revoke_access_tokens``), and only then answers. Inputs
    (client registrations, requests, states) are JSON text or dicts; outcomes are dicts, with
    refusals inside them (``"ok": false`` / ``"outcome": "rejected"``, and an ``error`` object:
    `TesseraError.from_json` turns one into an exception). Exceptions are raised only for
    argument errors (malformed JSON, a state of unknown format, ...).

    Args:
        policy: the grant policy, ``{"issuer": "https://as.example", "audiences": ["api"]}``
            plus optional lifetimes and switches (``access_token_lifetime``, ``token_prefix``,
            ``implications``, ...).
        signing_key: the private (or HMAC) key that signs access tokens; its ``kid`` goes in
            the header. Copied.
        peppers: the lookup-hash peppers. Copied (later `Peppers.add_previous` calls do not
            reach the issuer).
    """

    __slots__ = ()
    _free = lib.tessera_issuer_free

    def __init__(self, policy: Json, signing_key: Key, peppers: Peppers) -> None:
        if not isinstance(signing_key, Key):
            raise TypeError("signing_key must be a tessera.Key")
        if not isinstance(peppers, Peppers):
            raise TypeError("peppers must be a tessera.Peppers")
        raw = json_bytes(policy, "policy")
        super().__init__(
            call_handle(lib.tessera_issuer_new, raw, len(raw), signing_key._p(), peppers._p())
        )

    def check_authorize(self, client: OptJson, request: Json) -> Dict[str, Any]:
        """Validates an authorization request before the user is asked (client, redirect
        URI, response type, scope, PKCE). `client` is the registration found for the request's
        ``client_id`` (None when there is none); `request` is from
        `authorize_request_parse`. Returns ``{"outcome": "ok", "scope": "<to show>", ...}``,
        or a ``"rejected"`` (redirect with the error) or ``"fatal"`` (show, never redirect)
        outcome."""
        c, req = _pair(client, "client"), json_bytes(request, "request")
        return call_json(
            lib.tessera_issuer_check_authorize, self._p(), *c, req, len(req), size=_OUTCOME_SIZE
        )

    def authorize(
        self, client: OptJson, request: Json, subject: str, now: Optional[int] = None
    ) -> Dict[str, Any]:
        """The authorization endpoint once `subject` approved the request: ``{"outcome":
        "granted", "redirect": {"location", "redirect_uri", "mode"}, "state", "effects"}``
        (save the new family, apply the effects, then redirect), or ``"rejected"`` /
        ``"fatal"`` as for `check_authorize`."""
        c, req = _pair(client, "client"), json_bytes(request, "request")
        return call_json(
            lib.tessera_issuer_authorize,
            self._p(),
            *c,
            req,
            len(req),
            cstr(subject, "subject"),
            unix_now(now),
            size=_OUTCOME_SIZE,
            secret=True,
        )

    def deny(self, client: OptJson, request: Json) -> Dict[str, Any]:
        """The authorization endpoint after the resource owner refused: a ``"rejected"``
        outcome redirecting with ``access_denied``, or ``"fatal"``."""
        c, req = _pair(client, "client"), json_bytes(request, "request")
        return call_json(lib.tessera_issuer_deny, self._p(), *c, req, len(req), size=_OUTCOME_SIZE)

    def token(
        self,
        client: OptJson,
        client_auth: Json,
        request: Json,
        state: OptJson = None,
        now: Optional[int] = None,
        *,
        cnf: OptJson = None,
    ) -> Dict[str, Any]:
        """The token endpoint: authenticates the client, then redeems a code, rotates a
        refresh token or runs the client credentials grant.

        `client`: the registration found for ``client_auth["client_id"]`` (None: none);
        `client_auth`, `request`: the members of `token_request_parse`'s result; `state`: the
        family `locate` led to (None when none, and for client credentials). Returns
        ``{"ok", "response", "error", "state", "effects"}``: persist ``state`` and
        ``effects`` even when ``ok`` is false (a replay revokes the family), then answer.

        `cnf`: what the access token is bound to (RFC 9449 DPoP, RFC 8705 mutual TLS), as the
        ``cnf`` claim value — ``{"jkt": "<thumbprint of the validated DPoP proof's key>"}``
        and/or ``{"x5t#S256": "<client certificate thumbprint>"}`` (a dict or JSON text);
        None for a bearer token. With ``jkt`` the response's ``token_type`` is ``"DPoP"``; a
        code bound with ``dpop_jkt`` needs that key, a public client's refresh tokens are bound
        to the key they were issued with, and a client registered with
        ``dpop_bound_access_tokens`` needs a key (else ``invalid_dpop_proof``). A malformed
        `cnf` raises `InvalidJsonError`."""
        if cnf is None:
            return self._client_endpoint(
                lib.tessera_issuer_token,
                client,
                client_auth,
                state,
                json_bytes,
                request,
                "request",
                now,
                secret=True,
            )
        binding = json_bytes(cnf, "cnf")
        return self._client_endpoint(
            lib.tessera_issuer_token_bound,
            client,
            client_auth,
            state,
            json_bytes,
            request,
            "request",
            now,
            secret=True,
            extra=(binding, len(binding)),
        )

    def locate(self, token: BytesLike, now: Optional[int] = None) -> Dict[str, Any]:
        """Where the state of a presented token is: ``{"locator": "lookup", "lookup",
        "kind"}`` (an opaque code or refresh token: find the family by lookup hash),
        ``{"locator": "family", "family_id", "jti"}`` (one of this issuer's access tokens), or
        ``{"locator": "none", "error"}``."""
        raw = as_bytes(token, "token")
        return call_json(lib.tessera_issuer_locate, self._p(), raw, len(raw), unix_now(now))

    def revoke(
        self,
        client: OptJson,
        client_auth: Json,
        token: BytesLike,
        state: OptJson = None,
        now: Optional[int] = None,
    ) -> Dict[str, Any]:
        """The revocation endpoint (RFC 7009): authenticates the client, then revokes `token`
        within `state`. Returns ``{"ok", "response": None, "error", "state", "effects"}``:
        persist, then answer 200 (or the ``invalid_client`` error when ``ok`` is false)."""
        return self._client_endpoint(
            lib.tessera_issuer_revoke, client, client_auth, state, as_bytes, token, "token", now
        )

    def revoke_family(self, state: Json, now: Optional[int] = None) -> Dict[str, Any]:
        """Revokes a whole family at the host's initiative (logout everywhere, ...):
        ``{"state", "effects"}`` (``None`` and ``[]`` when it was already revoked)."""
        s = json_bytes(state, "state")
        return call_json(
            lib.tessera_issuer_revoke_family, self._p(), s, len(s), unix_now(now), size=_OUTCOME_SIZE
        )

    def introspect(
        self, token: BytesLike, state: OptJson = None, now: Optional[int] = None
    ) -> Dict[str, Any]:
        """The introspection endpoint (RFC 7662 §2.2): the response body for `token` within
        `state` — ``{"active": true, "scope", "client_id", "sub", "exp", "iat", "iss", ...}``
        (with ``"cnf"`` and ``"token_type": "DPoP"`` for a DPoP-bound access token, RFC 9449
        §6.2) or ``{"active": false}``."""
        s = _pair(state, "state")
        raw = as_bytes(token, "token")
        return call_json(lib.tessera_issuer_introspect, self._p(), *s, raw, len(raw), unix_now(now))

    def engine_token(
        self,
        parent_scope: str,
        requested_scope: str,
        subject: str,
        audience: str,
        now: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Mints a short-lived, task-scoped engine token (its own ``typ``) for `subject` at
        `audience`, carrying `requested_scope`, which `parent_scope` must cover:
        ``{"token", "expires_at", "scope", "jti"}``. Raises `OAuthInvalidScopeError` when it
        does not."""
        return call_json(
            lib.tessera_issuer_engine_token,
            self._p(),
            cstr(parent_scope, "parent_scope"),
            cstr(requested_scope, "requested_scope"),
            cstr(subject, "subject"),
            cstr(audience, "audience"),
            unix_now(now),
            secret=True,
        )

    def __repr__(self) -> str:
        return "<tessera.Issuer>"

    def _client_endpoint(
        self,
        fn: Any,
        client: OptJson,
        client_auth: Json,
        state: OptJson,
        convert: Callable[[Any, str], bytes],
        value: Any,
        what: str,
        now: Optional[int],
        secret: bool = False,
        extra: tuple = (),
    ) -> Dict[str, Any]:
        """An endpoint that authenticates the client first (token, revocation):
        `fn(issuer, client, client_auth, state, convert(value), *extra, now, out)`, the
        arguments converted in that order."""
        c = _pair(client, "client")
        auth = json_bytes(client_auth, "client_auth")
        s = _pair(state, "state")
        raw = convert(value, what)
        return call_json(
            fn,
            self._p(),
            *c,
            auth,
            len(auth),
            *s,
            raw,
            len(raw),
            *extra,
            unix_now(now),
            size=_OUTCOME_SIZE,
            secret=secret,
        )
