"""tessera: an embeddable, I/O-free token engine — JWT (JWS) signing and verification, scopes,
opaque tokens, PKCE and OAuth 2.0 grant state — over the tessera C library.

>>> import tessera
>>> key = tessera.Key.generate("ES256")
>>> token = key.sign({"sub": "alice", "exp": 2_000_000_000})
>>> tessera.Verifier(key).verify(token, now=1_900_000_000)["sub"]
'alice'

The library never reads the clock: every time-dependent call takes ``now`` (Unix seconds); the
binding reads ``int(time.time())`` when you pass None. Failures raise `TesseraError`
subclasses (one class per result code, grouped in families: `InvalidTokenError`,
`BadSignatureError`, `ExpiredError`, ..., `OAuthError`). Library handles (`Key`, `KeySet`,
`Verifier`, `Scopes`, `Peppers`, `Issuer`, ...) close with ``close()``, a ``with`` block, or
garbage collection.

The shared library is the one bundled in this package; the environment variable
``TESSERA_LIBRARY`` may point at another build (development).
"""

from __future__ import annotations

from . import _decls
from ._decls import *  # noqa: F401,F403  (RESULT_* codes, the per-code exception classes)
from ._decls import ERROR_CLASSES
from ._exceptions import (
    ArgumentError,
    BadSignatureError,
    ClaimMismatchError,
    DecodeError,
    ExpiredError,
    InvalidKeyError,
    InvalidTokenError,
    NotYetValidError,
    OAuthError,
    OpaqueTokenError,
    PkceError,
    ScopeError,
    TesseraError,
)
from ._ffi import LIBRARY_PATH, result_name, result_str
from ._grant import Issuer, client_secret_hash
from ._jwt import Key, KeySet, Verified, Verifier, jwks
from ._scope import ScopePolicy, Scopes
from ._token import (
    Peppers,
    check_token,
    generate_token,
    pkce_challenge,
    pkce_verifier,
    pkce_verify,
)
from ._wire import (
    authorize_request_parse,
    bearer_challenge,
    bearer_token,
    error_response,
    form_parse,
    introspection_request_parse,
    redirect_uri,
    redirect_uri_matches,
    resource_error_response,
    revocation_request_parse,
    server_metadata,
    server_metadata_url,
    token_request_parse,
)

#: The package version: the crate's (``Cargo.toml``), as the header's ``TESSERA_VERSION_STRING``.
__version__: str = _decls.VERSION_STRING

# Exceptions show (and pickle) as `tessera.X`, where users catch them.
for _cls in (
    *ERROR_CLASSES.values(),
    TesseraError,
    ArgumentError,
    InvalidTokenError,
    DecodeError,
    BadSignatureError,
    ExpiredError,
    NotYetValidError,
    ClaimMismatchError,
    OpaqueTokenError,
    InvalidKeyError,
    ScopeError,
    PkceError,
    OAuthError,
):
    _cls.__module__ = "tessera"
del _cls


def library_version() -> str:
    """The version of the loaded shared library (``tessera_version()``); always equal to
    `__version__` (checked at import)."""
    from ._ffi import lib

    return lib.tessera_version().decode()


def error_from_json(obj: dict) -> TesseraError:
    """The exception for an ``error`` object of an issuer outcome (see
    `TesseraError.from_json`)."""
    return TesseraError.from_json(obj)


__all__ = [
    "__version__",
    "library_version",
    "LIBRARY_PATH",
    "result_name",
    "result_str",
    "error_from_json",
    "ERROR_CLASSES",
    # JWT
    "Key",
    "KeySet",
    "Verifier",
    "Verified",
    "jwks",
    # scopes, opaque tokens, PKCE
    "Scopes",
    "ScopePolicy",
    "generate_token",
    "check_token",
    "Peppers",
    "pkce_verifier",
    "pkce_challenge",
    "pkce_verify",
    # wire formats
    "form_parse",
    "authorize_request_parse",
    "token_request_parse",
    "revocation_request_parse",
    "introspection_request_parse",
    "bearer_token",
    "bearer_challenge",
    "error_response",
    "resource_error_response",
    "redirect_uri",
    "redirect_uri_matches",
    "server_metadata",
    "server_metadata_url",
    # grants
    "Issuer",
    "client_secret_hash",
    # errors
    "TesseraError",
    "ArgumentError",
    "InvalidTokenError",
    "DecodeError",
    "BadSignatureError",
    "ExpiredError",
    "NotYetValidError",
    "ClaimMismatchError",
    "OpaqueTokenError",
    "InvalidKeyError",
    "ScopeError",
    "PkceError",
    "OAuthError",
    *_decls.__all__,
]
