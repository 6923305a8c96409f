"""Opaque tokens, lookup-hash peppers and PKCE (RFC 7636)."""

from __future__ import annotations

from typing import Optional, Union

from ._ffi import (
    BytesLike,
    Handle,
    as_bytes,
    call_handle,
    call_text,
    check,
    cstr,
    lib,
    opt_cstr,
)

__all__ = [
    "generate_token",
    "check_token",
    "Peppers",
    "pkce_verifier",
    "pkce_challenge",
    "pkce_verify",
]


def generate_token(prefix: str, kind: str) -> str:
    """A new opaque token ``<prefix>_<kind>_<43 base62><6 base62 checksum>`` from 32 random
    bytes. `prefix`: the deployment's prefix (1 to 16 of ``[a-z0-9]``, starting with a letter);
    `kind`: ``"ac"`` (authorization code), ``"rt"`` (refresh token), ``"ak"`` (API key) or
    ``"at"`` (opaque access token). Show it once; store only `Peppers.lookup` of it."""
    return call_text(
        lib.tessera_token_generate, cstr(prefix, "prefix"), cstr(kind, "kind"), secret=True
    )


def check_token(prefix: str, token: BytesLike, expected_kind: Optional[str] = None) -> str:
    """Checks a presented opaque token offline and returns its kind (``"ac"``, ``"rt"``,
    ``"ak"``, ``"at"``): grammar (`MalformedOpaqueTokenError`), kind when `expected_kind` is
    given (`WrongTokenKindError`), checksum (`TokenChecksumError`). Passing says the token is
    well formed, not that it exists."""
    raw = as_bytes(token, "token")
    return call_text(
        lib.tessera_token_check,
        cstr(prefix, "prefix"),
        raw,
        len(raw),
        opt_cstr(expected_kind, "expected_kind"),
    )


class Peppers(Handle):
    """A pepper rotation set: the current pepper (for new lookup hashes) and older ones (so
    stored hashes still verify). Lookup hashes, ``<key_id>:<base64url HMAC-SHA-256>``, are what
    a host stores instead of tokens and client secrets.

    `secret` must be at least 32 bytes (`WeakKeyError`); `key_id` is 1 to 64 printable ASCII
    characters without spaces. The library keeps a copy, wiped when the handle is closed.
    """

    __slots__ = ()
    _free = lib.tessera_peppers_free

    def __init__(self, key_id: str, secret: bytes) -> None:
        raw = as_bytes(secret, "secret")
        super().__init__(
            call_handle(lib.tessera_peppers_new, cstr(key_id, "key_id"), raw, len(raw))
        )

    def add_previous(self, key_id: str, secret: bytes) -> None:
        """Adds an older pepper, so hashes stored under it still verify. Call it while
        configuring, before the set is shared with other threads."""
        raw = as_bytes(secret, "secret")
        check(lib.tessera_peppers_add_previous(self._p(), cstr(key_id, "key_id"), raw, len(raw)))

    def lookup(self, token: BytesLike) -> str:
        """The lookup hash of `token` under the current pepper (what the host stores)."""
        raw = as_bytes(token, "token")
        return call_text(lib.tessera_peppers_lookup, self._p(), raw, len(raw))

    def verify(self, token: BytesLike, stored: Union[str, bytes]) -> None:
        """Checks in constant time that `stored` is the lookup hash of `token` (under the
        pepper its key id names). Raises `TokenMismatchError` when it is not."""
        raw = as_bytes(token, "token")
        hashed = as_bytes(stored, "stored")
        check(lib.tessera_peppers_verify(self._p(), raw, len(raw), hashed, len(hashed)))

    def matches(self, token: BytesLike, stored: Union[str, bytes]) -> bool:
        """As `verify`, as a bool: False when the hash does not match."""
        from ._decls import RESULT_TOKEN_MISMATCH

        raw = as_bytes(token, "token")
        hashed = as_bytes(stored, "stored")
        rc = lib.tessera_peppers_verify(self._p(), raw, len(raw), hashed, len(hashed))
        if rc == RESULT_TOKEN_MISMATCH:
            return False
        check(rc)
        return True

    def check_and_lookup(
        self, prefix: str, token: BytesLike, expected_kind: Optional[str] = None
    ) -> str:
        """`check_token` then `lookup`, in one call: everything before the database."""
        raw = as_bytes(token, "token")
        return call_text(
            lib.tessera_peppers_check_and_lookup,
            self._p(),
            cstr(prefix, "prefix"),
            raw,
            len(raw),
            opt_cstr(expected_kind, "expected_kind"),
        )

    def client_secret_hash(self, secret: str) -> str:
        """What to store for a confidential client's secret (the ``secret_hash`` member of a
        client registration): its lookup hash under the current pepper. The secret must be
        non-empty printable ASCII (``%x20-7E``)."""
        raw = as_bytes(secret, "secret")
        return call_text(lib.tessera_client_secret_hash, self._p(), raw, len(raw))

    def __repr__(self) -> str:
        return "<tessera.Peppers>"


def pkce_verifier() -> str:
    """A new PKCE code verifier: 32 random bytes in base64url (43 characters)."""
    return call_text(lib.tessera_pkce_verifier_new, secret=True)


def pkce_challenge(verifier: Union[str, bytes]) -> str:
    """The S256 code challenge of `verifier`, ``BASE64URL(SHA256(verifier))`` (RFC 7636 §4.2);
    `InvalidPkceError` for a verifier that is not 43-128 characters of ``[A-Za-z0-9-._~]``."""
    raw = as_bytes(verifier, "verifier")
    return call_text(lib.tessera_pkce_challenge, raw, len(raw))


def pkce_verify(
    verifier: Union[str, bytes],
    challenge: Union[str, bytes],
    method: str = "S256",
    allow_plain: bool = False,
) -> None:
    """The token endpoint's PKCE check (RFC 7636 §4.6), in constant time. Raises
    `PkceMismatchError` when `verifier` does not match `challenge` (answer ``invalid_grant``),
    `InvalidPkceError` for malformed input, an unknown method, or ``"plain"`` unless
    `allow_plain`."""
    v = as_bytes(verifier, "verifier")
    c = as_bytes(challenge, "challenge")
    check(lib.tessera_pkce_verify(v, len(v), c, len(c), cstr(method, "method"), bool(allow_plain)))
