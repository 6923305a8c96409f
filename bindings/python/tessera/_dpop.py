"""Sender-constrained tokens: DPoP proofs (RFC 9449) and certificate binding (RFC 8705 §3).

The client makes a proof per request with `create_proof`. The server validates it with a
`ProofValidator` built once, refuses replays with a `ReplayCache` (or its own shared store),
answers nonce errors (`UseDpopNonceError`) with ``DPoP-Nonce: validator.nonce()``, and at a
resource server matches the token's ``cnf`` with `check_binding`::

    >>> from tessera import Key, dpop
    >>> key = Key.generate("ES256")
    >>> proof = dpop.create_proof(key, "GET", "https://api.example/me", now=1_800_000_000,
    ...                           access_token="an-access-token")
    >>> checked = dpop.ProofValidator().validate(proof, "GET", "https://api.example/me",
    ...                                          now=1_800_000_000, access_token="an-access-token")
    >>> checked.jkt == key.thumbprint()
    True
    >>> dpop.ReplayCache(1000).check(checked, now=1_800_000_000)
    >>> dpop.check_binding({"cnf": {"jkt": checked.jkt}}, checked) == {"jkt": checked.jkt}
    True

Failures raise `InvalidDpopProofError` (one subclass per rule: `DpopSignatureError`,
`DpopIatError`, ``DpopReplayError``, ...), `UseDpopNonceError` (a subclass of it, for the two
nonce codes) and `TokenBindingError` (an `InvalidTokenError`); each carries the ``error`` to
send (``invalid_dpop_proof``, ``use_dpop_nonce``, ``invalid_token``).
"""

from __future__ import annotations

import json
from ctypes import byref, c_size_t, c_uint64
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple, Union

from ._ffi import (
    BytesLike,
    Handle,
    as_bytes,
    call_handle,
    call_out,
    call_text,
    check,
    cstr,
    json_bytes,
    lib,
    opt_cstr,
    unix_now,
)
from ._decls import RESULT_DPOP_PROOF_REQUIRED
from ._exceptions import error_for
from ._jwt import Key, Verified, Verifier

__all__ = [
    "Authorized",
    "ResourceVerifier",
    "create_proof",
    "ath",
    "certificate_thumbprint",
    "check_binding",
    "NonceIssuer",
    "ProofValidator",
    "Proof",
    "ReplayCache",
]

Claims = Union[str, bytes, Mapping[str, Any], Verified]


def _opt_bytes(value: Optional[BytesLike], what: str) -> Tuple[Optional[bytes], int]:
    """An optional byte input: None is `(NULL, 0)`."""
    if value is None:
        return None, 0
    raw = as_bytes(value, what)
    return raw, len(raw)


def create_proof(
    key: Key,
    htm: str,
    htu: str,
    *,
    now: Optional[int] = None,
    nonce: Optional[str] = None,
    access_token: Optional[BytesLike] = None,
) -> str:
    """A DPoP proof (RFC 9449 §4.2) for one request with method `htm` to `htu` (the absolute
    request URI; query and fragment are left out), signed with the private `key`: header
    ``typ: dpop+jwt``, the key's ``alg`` and public ``jwk``; claims ``jti`` (16 random bytes),
    ``htm``, ``htu``, ``iat`` = `now`, ``nonce`` when given (the server's last ``DPoP-Nonce``)
    and ``ath`` when `access_token` is given (requests to a resource server).

    `NotPrivateKeyError` for a public key, `KeyAlgorithmMismatchError` for an HMAC key,
    `InvalidArgumentError` for a bad method, URI or nonce."""
    if not isinstance(key, Key):
        raise TypeError(f"key must be a tessera.Key, not {type(key).__name__}")
    token, token_len = _opt_bytes(access_token, "access_token")
    return call_text(
        lib.tessera_dpop_proof_create,
        key._p(),
        cstr(htm, "htm"),
        cstr(htu, "htu"),
        unix_now(now),
        opt_cstr(nonce, "nonce"),
        token,
        token_len,
    )


def ath(access_token: BytesLike) -> str:
    """The ``ath`` of an access token: base64url(SHA-256(token)), 43 characters (RFC 9449
    §4.2)."""
    raw = as_bytes(access_token, "access_token")
    return call_text(lib.tessera_dpop_ath, raw, len(raw))


def certificate_thumbprint(der: bytes) -> str:
    """The RFC 8705 §3.1 ``x5t#S256`` of a DER client certificate: base64url(SHA-256(der)).
    `der` must be exactly one DER SEQUENCE (`InvalidArgumentError`), at most 64 KiB."""
    raw = as_bytes(der, "der")
    return call_text(lib.tessera_certificate_thumbprint, raw, len(raw))


class NonceIssuer(Handle):
    """Makes and checks DPoP server nonces (RFC 9449 §8, §9) from an HMAC key and a time step,
    without storage: the nonce of a step is accepted during that step and the next, by every
    process with the same `secret` (at least 32 bytes, `WeakKeyError`) and `step` (1 to 86,400
    seconds). Immutable: share it between threads."""

    __slots__ = ()
    _free = lib.tessera_dpop_nonce_issuer_free

    def __init__(self, secret: bytes, step: int = 300) -> None:
        raw = as_bytes(secret, "secret")
        super().__init__(call_handle(lib.tessera_dpop_nonce_issuer_new, raw, len(raw), int(step)))

    def nonce(self, now: Optional[int] = None) -> str:
        """The nonce to send at `now` (the ``DPoP-Nonce`` header value), 32 characters."""
        return call_text(lib.tessera_dpop_nonce_issuer_nonce, self._p(), unix_now(now))

    def check(self, nonce: BytesLike, now: Optional[int] = None) -> None:
        """Raises `DpopNonceInvalidError` unless this issuer made `nonce` at `now`'s step or the
        one before."""
        raw = as_bytes(nonce, "nonce")
        check(lib.tessera_dpop_nonce_issuer_check(self._p(), raw, len(raw), unix_now(now)))

    def __repr__(self) -> str:
        return "<tessera.dpop.NonceIssuer>"


class _ProofHandle(Handle):
    """The library's `tessera_dpop_proof` behind a `Proof` (for the replay and binding
    checks)."""

    __slots__ = ()
    _free = lib.tessera_dpop_proof_free

    def __repr__(self) -> str:
        return "<tessera.dpop proof handle>"


@dataclass(frozen=True)
class Proof:
    """A DPoP proof that passed `ProofValidator.validate` (a frozen value).

    Attributes:
        jkt: the RFC 7638 thumbprint of the proof's key: bind tokens with
            ``{"cnf": {"jkt": jkt}}`` (RFC 9449 §6.1).
        jti: the proof's ``jti``: refuse a second proof with it (within `jkt`) until
            `replay_until` (`ReplayCache.check` does).
        iat: the proof's ``iat`` (Unix seconds).
        nonce: the proof's ``nonce``, or None.
        alg: the proof's algorithm.
        htm: the proof's ``htm``.
        htu: the proof's ``htu``, as sent.
        replay_until: until when (Unix seconds) the proof could validate again.
    """

    jkt: str
    jti: str
    iat: int
    nonce: Optional[str]
    alg: str
    htm: str
    htu: str
    replay_until: int
    # The library's handle of the validated proof (None for a Proof built by hand, which
    # `check_binding` refuses: only a validated proof shows possession of the key).
    _handle: Optional[_ProofHandle] = field(default=None, repr=False, compare=False)

    def confirmation(self) -> Dict[str, str]:
        """The ``cnf`` claim value that binds a token to this proof's key: ``{"jkt": ...}``."""
        return {"jkt": self.jkt}


def _wrap_proof(ptr: int) -> Proof:
    handle = _ProofHandle(ptr)
    data = json.loads(call_out(lib.tessera_dpop_proof_json, handle._p()))
    return Proof(
        jkt=data["jkt"],
        jti=data["jti"],
        iat=int(data["iat"]),
        nonce=data["nonce"],
        alg=data["alg"],
        htm=data["htm"],
        htu=data["htu"],
        replay_until=int(data["replay_until"]),
        _handle=handle,
    )


def _proof_handle(proof: Optional[Proof]) -> Optional[int]:
    if proof is None:
        return None
    if not isinstance(proof, Proof):
        raise TypeError(f"proof must be a tessera.dpop.Proof, not {type(proof).__name__}")
    if proof._handle is None:
        raise ValueError("this Proof was not returned by ProofValidator.validate")
    ptr = proof._handle._p()
    # `dataclasses.replace` keeps the handle: a copy with another key is not this proof.
    if call_text(lib.tessera_dpop_proof_jkt, ptr) != proof.jkt:
        raise ValueError("this Proof's jkt is not the one its validated proof has")
    return ptr


class ProofValidator(Handle):
    """Checks DPoP proofs (RFC 9449 §4.3). Build one and share it (immutable, thread-safe).

    `algorithms`: the accepted algorithms (default: every asymmetric one of this build but
    ML-DSA); `iat_window`: the accepted distance of ``iat`` from ``now``, both ways (seconds,
    at most 3600); `max_len`: the largest proof accepted (bytes, at most 65536);
    `nonce_issuer`: require server nonces made by it (the validator keeps its own copy).
    """

    __slots__ = ()
    _free = lib.tessera_dpop_validator_free

    def __init__(
        self,
        *,
        algorithms: Optional[Iterable[str]] = None,
        iat_window: int = 60,
        max_len: int = 8192,
        nonce_issuer: Optional[NonceIssuer] = None,
    ) -> None:
        config: Dict[str, Any] = {"iat_window": int(iat_window), "max_len": int(max_len)}
        if algorithms is not None:
            if isinstance(algorithms, str):
                algorithms = algorithms.split()
            config["algorithms"] = [str(a) for a in algorithms]
        if nonce_issuer is not None and not isinstance(nonce_issuer, NonceIssuer):
            raise TypeError(
                f"nonce_issuer must be a NonceIssuer, not {type(nonce_issuer).__name__}"
            )
        raw = json_bytes(config)
        super().__init__(
            call_handle(
                lib.tessera_dpop_validator_new,
                raw,
                len(raw),
                nonce_issuer._p() if nonce_issuer is not None else None,
            )
        )

    @property
    def algorithms(self) -> Tuple[str, ...]:
        """The accepted algorithms (for ``dpop_signing_alg_values_supported`` and the ``algs``
        of a ``WWW-Authenticate: DPoP`` challenge)."""
        return tuple(call_text(lib.tessera_dpop_validator_algorithms, self._p()).split())

    def nonce(self, now: Optional[int] = None) -> Optional[str]:
        """The ``DPoP-Nonce`` value to send at `now` (with every `UseDpopNonceError`, and on
        successes to keep the client's fresh); None when the validator requires no nonce."""
        return call_text(lib.tessera_dpop_validator_nonce, self._p(), unix_now(now)) or None

    def validate(
        self,
        proof: BytesLike,
        htm: str,
        htu: str,
        *,
        now: Optional[int] = None,
        access_token: Optional[BytesLike] = None,
    ) -> Proof:
        """Validates `proof` (the ``DPoP`` header value) for a request with method `htm` to
        `htu` (the full request URI) at `now`; at a resource server pass the `access_token` of
        ``Authorization: DPoP <token>`` so its ``ath`` is checked. Each failed rule raises its
        own `InvalidDpopProofError` subclass (`UseDpopNonceError` for the nonce). The caller
        must still refuse replays (`ReplayCache.check`)."""
        raw = as_bytes(proof, "proof")
        token, token_len = _opt_bytes(access_token, "access_token")
        ptr = call_handle(
            lib.tessera_dpop_validate,
            self._p(),
            raw,
            len(raw),
            cstr(htm, "htm"),
            cstr(htu, "htu"),
            token,
            token_len,
            unix_now(now),
        )
        return _wrap_proof(ptr)

    def __repr__(self) -> str:
        return f"<tessera.dpop.ProofValidator algorithms={' '.join(self.algorithms)!r}>"


class ReplayCache(Handle):
    """A bounded in-memory replay cache (one process): remembers single-use values until they
    expire and refuses a second use (`DpopReplayError`). At most `capacity` entries (1 to
    16,777,216); when full, the oldest is dropped, live or not (`evicted_live` counts those:
    size the cache for the peak rate times twice the ``iat`` window). Thread-safe."""

    __slots__ = ()
    _free = lib.tessera_replay_cache_free

    def __init__(self, capacity: int = 100_000) -> None:
        super().__init__(call_handle(lib.tessera_replay_cache_new, int(capacity)))

    def check(self, proof: Proof, now: Optional[int] = None) -> None:
        """Records a validated proof's ``jti`` (within its ``jkt``) until its
        ``replay_until``; `DpopReplayError` when it was seen before."""
        if not isinstance(proof, Proof):
            raise TypeError(f"proof must be a tessera.dpop.Proof, not {type(proof).__name__}")
        if proof._handle is None:
            self.check_and_record(proof.jkt, proof.jti, proof.replay_until, now)
            return
        handle = _proof_handle(proof)
        check(lib.tessera_replay_cache_check_proof(self._p(), handle, unix_now(now)))

    def check_and_record(
        self, scope: BytesLike, value: BytesLike, until: int, now: Optional[int] = None
    ) -> None:
        """Records `value` within `scope` (e.g. an assertion's ``jti`` within its client id)
        as used until `until`; `DpopReplayError` when it is recorded and not expired. An
        `until` before `now` records nothing."""
        s = as_bytes(scope, "scope")
        v = as_bytes(value, "value")
        check(
            lib.tessera_replay_cache_check_and_record(
                self._p(), s, len(s), v, len(v), int(until), unix_now(now)
            )
        )

    def _stats(self) -> Tuple[int, int, int]:
        n, cap, evicted = c_size_t(), c_size_t(), c_uint64()
        check(lib.tessera_replay_cache_stats(self._p(), byref(n), byref(cap), byref(evicted)))
        return n.value, cap.value, evicted.value

    def __len__(self) -> int:
        return self._stats()[0]

    @property
    def capacity(self) -> int:
        """The most entries the cache holds."""
        return self._stats()[1]

    @property
    def evicted_live(self) -> int:
        """How many entries were dropped before they expired (non-zero: the cache is too
        small, and a replay could have passed)."""
        return self._stats()[2]

    def __repr__(self) -> str:
        n, cap, _ = self._stats()
        return f"<tessera.dpop.ReplayCache {n}/{cap}>"


def check_binding(
    claims: Claims,
    proof: Optional[Proof] = None,
    *,
    certificate: Optional[bytes] = None,
    require_bound: bool = False,
) -> Optional[Dict[str, str]]:
    """The resource server's binding check (RFC 9449 §7, RFC 8705 §3): whether an access
    token with verified `claims` (a dict, JSON text, or a `Verified`) was presented the way its
    ``cnf`` requires. `proof`: the validated proof of an ``Authorization: DPoP`` request
    (validated with this access token), None for ``Bearer``; `certificate`: the DER client
    certificate of a mutual-TLS connection. Returns the ``cnf`` (``{"jkt": ...}``,
    ``{"x5t#S256": ...}``, both) or None for an unbound token; raises `DpopBoundTokenError`
    (a DPoP-bound token as Bearer), `DpopKeyMismatchError` (another key, or a proof for an
    unbound token), `CertificateMismatchError`, `UnboundTokenError` (no ``cnf`` and
    `require_bound`)."""
    cert, cert_len = _opt_bytes(certificate, "certificate")
    handle = _proof_handle(proof)
    if isinstance(claims, Verified):
        raw = call_out(
            lib.tessera_verified_check_binding,
            claims._p(),
            handle,
            cert,
            cert_len,
            bool(require_bound),
        )
    else:
        text = json_bytes(claims, "claims")
        raw = call_out(
            lib.tessera_dpop_check_binding,
            text,
            len(text),
            handle,
            cert,
            cert_len,
            bool(require_bound),
        )
    result: Optional[Dict[str, str]] = json.loads(raw)
    return result


@dataclass(frozen=True)
class Authorized:
    """A resource request that passed `ResourceVerifier.verify`.

    Attributes:
        claims: the verified access token's claims.
        scheme: ``"Bearer"`` or ``"DPoP"``, as the token was presented.
        proof: the validated `Proof` of a ``DPoP`` request (None for ``Bearer``): refuse its
            replay (`ReplayCache.check`, or a shared table keyed by ``jkt`` and ``jti`` until
            ``replay_until``).
        cnf: the token's binding (``{"jkt": ...}``, ``{"x5t#S256": ...}``), None if unbound.
    """

    claims: Dict[str, Any]
    scheme: str
    proof: Optional[Proof]
    cnf: Optional[Dict[str, str]]


class ResourceVerifier:
    """A resource server's check of sender-constrained access tokens (RFC 9449 §7, RFC 8705
    §3) in one call, as the Rust ``tessera::dpop::ResourceVerifier``: the token with
    `verifier`, the ``DPoP`` proof with `proofs` (for this method and URI, with this token's
    ``ath``), then the binding (`check_binding`). `require_bound` refuses tokens without
    ``cnf`` (`UnboundTokenError`). Share one (it keeps no per-request state).

    The scheme and token come from `tessera.access_token` (which answers None when the request
    lacks authentication: send 401 with `tessera.dpop_challenge`). Errors raise their own
    classes: the token's (`InvalidTokenError` family), the proof's (`InvalidDpopProofError`,
    `UseDpopNonceError`), the binding's (`TokenBindingError`, `DpopKeyMismatchError`);
    `tessera.resource_error_response_dpop(e, realm, algs)` turns any of them into the answer.
    """

    __slots__ = ("verifier", "proofs", "require_bound")

    def __init__(
        self,
        verifier: Verifier,
        proofs: Optional[ProofValidator] = None,
        *,
        require_bound: bool = False,
    ) -> None:
        if not isinstance(verifier, Verifier):
            raise TypeError(f"verifier must be a tessera.Verifier, not {type(verifier).__name__}")
        if proofs is not None and not isinstance(proofs, ProofValidator):
            raise TypeError(
                f"proofs must be a tessera.dpop.ProofValidator, not {type(proofs).__name__}"
            )
        self.verifier = verifier
        self.proofs = proofs if proofs is not None else ProofValidator()
        self.require_bound = bool(require_bound)

    def verify(
        self,
        scheme: str,
        token: str,
        proof: Optional[BytesLike],
        method: str,
        uri: str,
        *,
        certificate: Optional[bytes] = None,
        now: Optional[int] = None,
    ) -> Authorized:
        """Verifies one request: the `token` presented with `scheme` (``"Bearer"`` or
        ``"DPoP"``), the request's one ``DPoP`` header value `proof` (or None), its `method` and
        full `uri`, the mutual-TLS client `certificate` (DER) if any, at `now`."""
        now = unix_now(now)
        if scheme not in ("Bearer", "DPoP"):
            raise ValueError(f'scheme must be "Bearer" or "DPoP", not {scheme!r}')
        claims = self.verifier.verify(token, now)
        checked: Optional[Proof] = None
        if scheme == "DPoP":
            if proof is None:
                raise error_for(
                    RESULT_DPOP_PROOF_REQUIRED, "the DPoP scheme needs a DPoP proof header"
                )
            checked = self.proofs.validate(proof, method, uri, now=now, access_token=token)
        cnf = check_binding(
            claims, checked, certificate=certificate, require_bound=self.require_bound
        )
        return Authorized(claims=claims, scheme=scheme, proof=checked, cnf=cnf)

    def __repr__(self) -> str:
        return f"<tessera.dpop.ResourceVerifier require_bound={self.require_bound}>"
