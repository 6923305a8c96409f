"""The exception hierarchy: `TesseraError` and its families.

Every failing call raises an instance of the class generated for its result code (see
``_decls.py``: ``WeakKeyError``, ``OAuthInvalidGrantError``, ...), which derives from one of the
families below, which derive from `TesseraError`::

    TesseraError                       .code, .name, .description, .detail, .error, .status
    ├── ArgumentError (+ ValueError)   codes 1-99: a caller bug (invalid argument, UTF-8, ...)
    ├── InvalidTokenError              the token must be refused
    │   ├── DecodeError                codes 100-199: not a well-formed JWS/JWT
    │   ├── BadSignatureError          codes 300-399: algorithm or signature
    │   ├── ExpiredError               400 (exp) and 403 TooOldError (max_age)
    │   ├── NotYetValidError           401 (nbf) and 402 IssuedInFutureError (iat)
    │   ├── ClaimMismatchError         codes 404-499: issuer, audience, subject, typ, claims
    │   ├── OpaqueTokenError           codes 600-603: opaque token format, checksum, kind, hash
    │   ├── TokenBindingError          codes 815-817: presented without its cnf binding
    │   └── KeyNotFoundError           205 (also an InvalidKeyError)
    ├── InvalidKeyError                codes 200-299: key material, key sets, key usage
    ├── ScopeError                     codes 500-599
    ├── PkceError                      codes 604-699
    ├── OAuthError                     codes 700-799, with the RFC 6749 .error and HTTP .status
    └── InvalidDpopProofError          codes 800-814 (and 712): refuse the request's DPoP proof
        └── UseDpopNonceError          809, 810 (and 713): answer with a fresh DPoP-Nonce

The attribute ``code`` of a class is the result code it stands for (families that are the class
of one code, like `ExpiredError`, carry that code); an instance's ``code`` is always its own.

This module imports nothing else of the package: the generated ``_decls.py`` imports it (to
derive one class per code) and gives the families that are one code's class their code, and
``_ffi.py`` hands it the code table and the library's names with `_set_hooks`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Type

__all__ = [
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
    "InvalidDpopProofError",
    "UseDpopNonceError",
    "TokenBindingError",
]

# Set by `_ffi` once the library is loaded: code -> (name, description), the mapping of a code
# to the RFC 6749/6750 error and HTTP status (computed by the library on first use), and the
# generated code -> class table (`_decls.ERROR_CLASSES`).
_names: Callable[[int], Tuple[str, str]] = lambda code: ("unknown", "unknown result code")
_oauth: Callable[[int], Tuple[Optional[str], Optional[int]]] = lambda code: (None, None)
_classes: Mapping[int, Type["TesseraError"]] = {}
_UNSET: Any = object()


class TesseraError(Exception):
    """A tessera call failed with a `tessera_result` code.

    Attributes:
        code: the numeric result code (stable across releases).
        name: its stable snake_case name (``"invalid_signature"``), as ``tessera_result_name``.
        description: the library's static description of the code.
        detail: more text for logs, when the failure came with any (outcome errors do).
        error: the RFC 6749 §5.2 (or RFC 6750 §3.1) error code a host would send for it.
        status: the HTTP status that goes with ``error``.
        www_authenticate: the challenge to send with it, when an outcome named one.
    """

    code: int = 0

    def __init__(
        self,
        code: Optional[int] = None,
        detail: Optional[str] = None,
        *,
        description: Optional[str] = None,
        error: Optional[str] = _UNSET,
        status: Optional[int] = _UNSET,
        www_authenticate: Optional[str] = None,
    ) -> None:
        if code is None:
            code = type(self).code
        self.code: int = int(code)
        name, static_description = _names(self.code)
        self.name: str = name
        self.description: str = description if description is not None else static_description
        self.detail: Optional[str] = detail
        self._error = error
        self._status = status
        self.www_authenticate: Optional[str] = www_authenticate
        message = f"{self.description} ({self.name}, {self.code})"
        if detail:
            message = f"{message}: {detail}"
        super().__init__(message)

    @property
    def error(self) -> Optional[str]:
        """The RFC 6749/6750 error code for this failure (``"invalid_grant"``, ...)."""
        if self._error is _UNSET:
            self._error, self._status = _oauth(self.code)
        return self._error

    @property
    def status(self) -> Optional[int]:
        """The HTTP status that goes with `error`."""
        if self._status is _UNSET:
            self._error, self._status = _oauth(self.code)
        return self._status

    def __reduce__(self) -> Any:
        return (type(self), (self.code, self.detail))

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "TesseraError":
        """The exception for an ``error`` object of an outcome (``{"code", "name", "error",
        "description", "status", "www_authenticate", "detail"}``), as its code's class."""
        return error_for(
            int(obj["code"]),
            obj.get("detail"),
            description=obj.get("description") or None,
            error=obj.get("error"),
            status=obj.get("status"),
            www_authenticate=obj.get("www_authenticate"),
        )


class ArgumentError(TesseraError, ValueError):
    """An argument was out of range, malformed, not UTF-8, or of the wrong handle kind: a bug in
    the caller (codes 1-99; also buffer, panic and randomness failures)."""


class InvalidTokenError(TesseraError):
    """The token must be refused (malformed, bad signature, expired, wrong claims, ...)."""


class DecodeError(InvalidTokenError):
    """Not a well-formed token: JWS compact parts, base64url, JSON, sizes (codes 100-199)."""


class BadSignatureError(InvalidTokenError):
    """The algorithm is not the key's, or the signature does not verify (codes 300-399)."""


class ExpiredError(InvalidTokenError):
    """The token has expired (`exp`, code 400), or is older than the verifier's `max_age`."""


class NotYetValidError(InvalidTokenError):
    """The token is not yet valid (`nbf`, code 401), or was issued in the future (`iat`)."""


class ClaimMismatchError(InvalidTokenError):
    """A claim is missing, of the wrong type, or not the expected value (codes 404-499)."""


class OpaqueTokenError(InvalidTokenError):
    """An opaque token is malformed, mistyped, of another kind, or not the stored one."""


class InvalidKeyError(TesseraError):
    """Key material or a key set is unusable (codes 200-299; ``invalid_key`` is code 200)."""


class ScopeError(TesseraError):
    """A scope string breaks RFC 6749 §3.3, or a scope is not granted (codes 500-599)."""


class PkceError(TesseraError):
    """A PKCE verifier or challenge is malformed, or they do not match (codes 604-699)."""


class OAuthError(TesseraError):
    """An RFC 6749 / RFC 6750 protocol error (codes 700-799).

    ``error`` is the RFC code to send (``"invalid_grant"``) and ``status`` the HTTP status.
    """


class InvalidDpopProofError(TesseraError):
    """A DPoP proof (RFC 9449) must be refused: malformed, wrong ``typ``/``alg``/``jwk``, bad
    signature, ``htm``/``htu``/``iat``/``ath`` mismatch, a replayed ``jti``, a key other than the
    token's (codes 800-814; also 712, ``invalid_dpop_proof`` from an outcome). Answer
    ``invalid_dpop_proof`` (``error``; 400 at the token endpoint, 401 with a
    ``WWW-Authenticate: DPoP`` challenge at a resource server)."""


class UseDpopNonceError(InvalidDpopProofError):
    """The proof lacks the server nonce, or carries a stale one (codes 809, 810; also 713).
    Answer ``use_dpop_nonce`` with the header ``DPoP-Nonce: <ProofValidator.nonce()>``; the
    client retries with it (RFC 9449 §8, §9)."""


class TokenBindingError(InvalidTokenError):
    """A sender-constrained access token was presented without its binding: a DPoP-bound token
    as Bearer, an unbound token where one is required, or without its client certificate
    (codes 815-817, RFC 9449 §7.2, RFC 8705 §3). Answer ``invalid_token`` (401)."""


def error_for(code: int, detail: Optional[str] = None, **outcome: Any) -> TesseraError:
    """The exception instance for a non-zero result code: of its code's class (`TesseraError`
    for a code this package does not know). `outcome`: the keyword arguments of `TesseraError`
    (``description``, ``error``, ``status``, ``www_authenticate``)."""
    return _classes.get(code, TesseraError)(code, detail, **outcome)


def _set_hooks(
    names: Callable[[int], Tuple[str, str]],
    oauth: Callable[[int], Tuple[Optional[str], Optional[int]]],
    classes: Dict[int, Type[TesseraError]],
) -> None:
    global _names, _oauth, _classes
    _names = names
    _oauth = oauth
    _classes = classes
