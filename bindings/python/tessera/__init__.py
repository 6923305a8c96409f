"""tessera: an embeddable, I/O-free token engine — JWT (JWS) signing and verification, scopes,
opaque tokens, PKCE, OAuth 2.0 grant state and DPoP (`tessera.dpop`) — over the tessera C
library.

>>> import tessera
>>> key = tessera.Key.generate("ES256")
>>> token = key.sign({"sub": "alice", "exp": 2_000_000_000})
>>> tessera.Verifier(key).verify(token, now=1_900_000_000)["sub"]
'alice'

The library never reads the clock: every time-dependent call takes ``now`` (Unix seconds); the
binding reads ``int(time.time())`` when you pass None. Failures raise `TesseraError`
subclasses (one class per result code, grouped in families: `InvalidTokenError`,
`BadSignatureError`, `ExpiredError`, ..., `OAuthError`, `InvalidDpopProofError`). Library
handles (`Key`, `KeySet`, `Verifier`, `Scopes`, `Peppers`, `Issuer`, `dpop.ProofValidator`, ...)
close with ``close()``, a ``with`` block, or garbage collection.

The shared library is the one bundled in this package; the environment variable
``TESSERA_LIBRARY`` may point at another build (development). `BACKEND` names the
cryptographic backend it was built with (``"ring 0.17.14"`` or ``"aws-lc-rs 1.19.0"``): ES512,
ES256K and RSA key generation need aws-lc-rs (``TESSERA_BACKEND=aws-lc`` when installing).
"""

from __future__ import annotations

# Each module's `__all__` is what it gives `tessera`; `__all__` below is their concatenation.
from . import _decls, _exceptions, _grant, _jwt, _scope, _token, _wire
from . import dpop  # the `tessera.dpop` namespace: DPoP proofs, nonces, replay, cnf binding
from ._decls import *  # noqa: F401,F403  (RESULT_* codes, the per-code exception classes)
from ._decls import ERROR_CLASSES
from ._exceptions import *  # noqa: F401,F403  (TesseraError and the families)
from ._ffi import BACKEND, LIBRARY_PATH, result_name, result_str
from ._grant import *  # noqa: F401,F403  (Issuer, client_secret_hash)
from ._jwt import *  # noqa: F401,F403  (Key, KeySet, Verifier, Verified, jwks)
from ._scope import *  # noqa: F401,F403  (Scopes, ScopePolicy)
from ._token import *  # noqa: F401,F403  (opaque tokens, Peppers, PKCE)
from ._wire import *  # noqa: F401,F403  (form and request parsers, responses, metadata)

#: The package version: the crate's (``Cargo.toml``), as the header's ``TESSERA_VERSION_STRING``.
__version__: str = _decls.VERSION_STRING

# Exceptions show (and pickle) as `tessera.X`, where users catch them.
for _cls in (*ERROR_CLASSES.values(), *(getattr(_exceptions, n) for n in _exceptions.__all__)):
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
    "BACKEND",
    "result_name",
    "result_str",
    "error_from_json",
    "ERROR_CLASSES",
    "dpop",
    *_jwt.__all__,
    *_scope.__all__,  # scopes, opaque tokens, PKCE
    *_token.__all__,
    *_wire.__all__,  # wire formats
    *_grant.__all__,
    *_exceptions.__all__,  # TesseraError and its families
    *_decls.__all__,
]
