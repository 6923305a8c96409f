"""JWT: keys, key sets, signing and verification."""

from __future__ import annotations

import base64
import json
import time
from ctypes import (
    byref,
    c_bool,
    c_char_p,
    c_int64,
    c_size_t,
    c_uint32,
    create_string_buffer,
    string_at,
)
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from . import _ffi
from ._decls import MAX_DETAIL_LEN, RESULT_BUFFER_TOO_SMALL, RESULT_MISSING_CLAIM, PanicError
from ._exceptions import ArgumentError, TesseraError
from ._ffi import (
    BytesLike,
    Handle,
    as_bytes,
    call_handle,
    call_json,
    call_out,
    call_text,
    check,
    cstr,
    error_for,
    json_bytes,
    lib,
    opt_cstr,
    pointer_array,
    unix_now,
)

__all__ = ["Key", "KeySet", "Verifier", "Verified", "jwks"]

JsonText = Union[str, bytes]
JsonObject = Union[str, bytes, Mapping[str, Any]]


class Key(Handle):
    """A signing or verification key bound to exactly one algorithm (the key decides ``alg``).

    Build one with `from_pem`, `from_der`, `from_jwk`, `hmac` or `generate`. Immutable: share it
    between threads. Closes like every handle (`close()`, ``with``, garbage collection).
    """

    __slots__ = ()
    _free = lib.tessera_key_free

    @classmethod
    def from_pem(cls, data: BytesLike, alg: Optional[str] = None) -> "Key":
        """A key from PEM: PKCS#8, PKCS#1, SEC1, SPKI or an X.509 certificate (not validated).

        `alg` binds the algorithm; None picks the key type's default (ES256, ES384, EdDSA; with
        the aws-lc backend also ES512 for P-521 and ES256K for secp256k1) and is refused for
        RSA keys, whose algorithm must be named (RS256, PS256, ...). With the ring backend
        (see `tessera.BACKEND`), P-521 and secp256k1 keys raise `UnsupportedKeyError`.
        """
        raw = as_bytes(data, "data")
        return cls._wrap(call_handle(lib.tessera_key_from_pem, raw, len(raw), opt_cstr(alg)))

    @classmethod
    def from_der(cls, data: bytes, alg: Optional[str] = None) -> "Key":
        """A key from DER (PKCS#8, PKCS#1, SEC1, SPKI or X.509, recognised by structure);
        `alg` as for `from_pem`."""
        raw = as_bytes(data, "data")
        return cls._wrap(call_handle(lib.tessera_key_from_der, raw, len(raw), opt_cstr(alg)))

    @classmethod
    def from_jwk(cls, jwk: JsonObject, alg: Optional[str] = None) -> "Key":
        """A key from a JWK (JSON text or a dict). `alg` binds keys without an ``alg`` member;
        when both are present they must agree."""
        raw = json_bytes(jwk, "jwk")
        return cls._wrap(call_handle(lib.tessera_key_from_jwk, raw, len(raw), opt_cstr(alg)))

    @classmethod
    def hmac(cls, secret: bytes, alg: str = "HS256") -> "Key":
        """An HMAC key (HS256, HS384, HS512) from a secret at least as long as the hash output
        (32, 48, 64 bytes). The library keeps a copy, wiped when the key is closed."""
        raw = as_bytes(secret, "secret")
        return cls._wrap(call_handle(lib.tessera_key_hmac, raw, len(raw), cstr(alg, "alg")))

    @classmethod
    def generate(cls, alg: str) -> "Key":
        """A new random key for ES256, ES384, EdDSA (Ed25519) or HS256/384/512; with the
        aws-lc backend (see `tessera.BACKEND`) also for ES512 and ES256K, and a 2048-bit RSA
        key for RS256/384/512 and PS256/384/512. With ring, ES512 and ES256K raise
        `UnsupportedAlgorithmError` and RSA algorithms `UnsupportedError`."""
        return cls._wrap(call_handle(lib.tessera_key_generate, cstr(alg, "alg")))

    def with_kid(self, kid: str) -> "Key":
        """A new key, the same one with key id `kid` (this key is unchanged)."""
        return Key._wrap(call_handle(lib.tessera_key_with_kid, self._p(), cstr(kid, "kid")))

    def public_key(self) -> "Key":
        """A new key holding only the public half (`NoPublicKeyError` for HMAC keys)."""
        return Key._wrap(call_handle(lib.tessera_key_public, self._p()))

    @property
    def alg(self) -> str:
        """The algorithm the key is bound to (``"ES256"``, ...)."""
        return call_text(lib.tessera_key_alg, self._p())

    @property
    def kid(self) -> Optional[str]:
        """The key id, or None."""
        return call_text(lib.tessera_key_kid, self._p()) or None

    @property
    def is_private(self) -> bool:
        """Whether the key can sign (holds private or secret material)."""
        out = c_bool()
        check(lib.tessera_key_is_private(self._p(), byref(out)))
        return bool(out.value)

    def public_jwk(self) -> Dict[str, Any]:
        """The public JWK of an asymmetric key (`NoPublicKeyError` for HMAC keys)."""
        return call_json(lib.tessera_key_public_jwk, self._p())

    def private_jwk(self) -> Dict[str, Any]:
        """The private JWK (secret members included) of a private or HMAC key."""
        return call_json(lib.tessera_key_private_jwk, self._p(), secret=True)

    def public_pem(self) -> str:
        """The public key as a ``PUBLIC KEY`` PEM block."""
        return call_text(lib.tessera_key_public_pem, self._p())

    def private_pem(self) -> str:
        """The private key as a PKCS#8 ``PRIVATE KEY`` PEM block (asymmetric keys only)."""
        return call_text(lib.tessera_key_private_pem, self._p(), secret=True)

    def thumbprint(self) -> str:
        """The RFC 7638 JWK thumbprint (SHA-256, base64url)."""
        return call_text(lib.tessera_key_thumbprint, self._p())

    def sign(self, claims: JsonObject, headers: Optional[JsonObject] = None) -> str:
        """Signs a JWT and returns it (compact form).

        `claims` is the claims set: a dict (serialized compactly) or JSON text (used byte for
        byte). `headers` adds header members (``typ``, ``kid``, ``cty``, ``crit``, others);
        ``alg`` always comes from the key, ``kid`` from the key unless given.
        """
        body = json_bytes(claims, "claims")
        head = None if headers is None else json_bytes(headers, "headers")
        return call_text(
            lib.tessera_sign, self._p(), head, 0 if head is None else len(head), body, len(body)
        )

    def sign_jws(self, protected_header: BytesLike, payload: BytesLike) -> str:
        """Signs arbitrary protected-header and payload octets into a compact JWS (the header
        octets are used exactly; their ``alg`` must be the key's)."""
        head = json_bytes(protected_header, "protected_header")
        body = as_bytes(payload, "payload")
        return call_text(lib.tessera_sign_jws, self._p(), head, len(head), body, len(body))

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<tessera.Key closed>"
        kind = "private" if self.is_private else "public"
        kid = self.kid
        return f"<tessera.Key {self.alg} {kind}{' kid=' + repr(kid) if kid else ''}>"


def jwks(keys: Iterable[Key]) -> Dict[str, Any]:
    """The public JWKS document of `keys` (what an authorization server serves at its
    ``jwks_uri``). HMAC keys have no public form (`NoPublicKeyError`)."""
    items = list(keys)
    ptrs, count = pointer_array(items, "keys")
    return call_json(lib.tessera_jwks, ptrs, count)


class KeySet(Handle):
    """A set of verification keys (a JWKS): a token's key is chosen by ``kid``, then by
    algorithm. Immutable: share it between threads; rotation means building a new set."""

    __slots__ = ()
    _free = lib.tessera_keyset_free

    def __init__(self, keys: Iterable[Key]) -> None:
        """A key set of `keys` (copied: the keys stay yours to close)."""
        items = list(keys)
        ptrs, count = pointer_array(items, "keys")
        super().__init__(call_handle(lib.tessera_keyset_new, ptrs, count))

    @classmethod
    def from_jwks(
        cls, jwks: JsonObject, default_algs: Union[str, Sequence[str], None] = None
    ) -> "KeySet":
        """A key set from a JWKS document (JSON text or dict). `default_algs` (``"RS256"`` or
        a list) binds keys that have no ``alg``. Keys that cannot verify are skipped; a
        document without any usable key raises `KeyNotFoundError`."""
        raw = json_bytes(jwks, "jwks")
        if default_algs is not None and not isinstance(default_algs, str):
            default_algs = ",".join(default_algs)
        return cls._wrap(
            call_handle(lib.tessera_keyset_from_jwks, raw, len(raw), opt_cstr(default_algs))
        )

    def __len__(self) -> int:
        out = c_size_t()
        check(lib.tessera_keyset_len(self._p(), byref(out)))
        return out.value

    def to_jwks(self) -> Dict[str, Any]:
        """The set's public JWKS document."""
        return call_json(lib.tessera_keyset_to_jwks, self._p())

    def __repr__(self) -> str:
        return (
            "<tessera.KeySet closed>" if self._ptr is None else f"<tessera.KeySet {len(self)} keys>"
        )


_builder_free = lib.tessera_verifier_builder_free
_tls = _ffi._tls
_VERIFY_CAP = 16 * 1024


def _verify_scratch() -> tuple:
    """This thread's buffer for `Verifier.verify` claims, its length cell and a reference to
    the cell (made once: the hot path allocates nothing but the result)."""
    n = c_size_t()
    return (create_string_buffer(_VERIFY_CAP), n, byref(n))


_verify = lib.tessera_verify
_verify_result = lib.tessera_verify_result
_loads = json.loads


def _strings(value: Union[str, Iterable[str], None], what: str) -> List[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        return [value]  # type: ignore[list-item]
    return list(value)


class Verifier(Handle):
    """Verifies JWTs against a key or key set and a validation policy. Immutable: build it
    once and share it between threads.

    Defaults (the library's): ``exp`` required, 30 seconds of leeway, no issuer, audience,
    subject or ``typ`` expected, and a token that carries ``aud`` is refused unless an
    audience is expected (or `accept_any_audience`).

    Args:
        key_or_keyset: a `Key` (its algorithm is the only one accepted) or a `KeySet`.
        issuer: the accepted ``iss`` (a string, or several for any-of); implies ``iss`` is
            required.
        audience: the accepted ``aud`` value(s), any-of; implies ``aud`` is required.
        leeway: clock-skew allowance in seconds (None: 30; at most 300).
        required: claim names that must be present.
        typ: the required header ``typ`` (e.g. ``"at+jwt"``; case-insensitive, optional
            ``application/`` prefix).
        max_age: refuse tokens whose ``iat`` is more than this many seconds old (requires
            ``iat``).
        subject: the required ``sub``.
        algorithms: an allow-list of algorithms (for key sets).
        critical: ``crit`` header extensions the caller understands.
        require_exp: whether ``exp`` is required (default True).
        accept_any_audience: accept tokens that carry ``aud`` when no audience is expected.
        max_token_len: longest token accepted in bytes (default 16384).
        max_header_len: longest encoded header accepted in bytes (default 4096).
        max_claims: most members the claims set may have (default 256).
    """

    __slots__ = ()
    _free = lib.tessera_verifier_free

    def __init__(
        self,
        key_or_keyset: Union[Key, KeySet],
        *,
        issuer: Union[str, Iterable[str], None] = None,
        audience: Union[str, Iterable[str], None] = None,
        leeway: Optional[int] = None,
        required: Iterable[str] = (),
        typ: Optional[str] = None,
        max_age: Optional[int] = None,
        subject: Optional[str] = None,
        algorithms: Iterable[str] = (),
        critical: Iterable[str] = (),
        require_exp: bool = True,
        accept_any_audience: bool = False,
        max_token_len: Optional[int] = None,
        max_header_len: Optional[int] = None,
        max_claims: Optional[int] = None,
    ) -> None:
        self._ptr = None
        if not isinstance(key_or_keyset, (Key, KeySet)):
            raise TypeError(
                f"key_or_keyset must be a tessera.Key or tessera.KeySet, not "
                f"{type(key_or_keyset).__name__}"
            )
        builder = call_handle(lib.tessera_verifier_builder_new)
        try:
            for value in _strings(issuer, "issuer"):
                check(lib.tessera_verifier_builder_add_issuer(builder, cstr(value, "issuer")))
            for value in _strings(audience, "audience"):
                check(lib.tessera_verifier_builder_add_audience(builder, cstr(value, "audience")))
            if subject is not None:
                check(lib.tessera_verifier_builder_set_subject(builder, cstr(subject, "subject")))
            if typ is not None:
                check(lib.tessera_verifier_builder_set_typ(builder, cstr(typ, "typ")))
            for name in _strings(required, "required"):
                check(lib.tessera_verifier_builder_require_claim(builder, cstr(name, "required")))
            for name in _strings(critical, "critical"):
                check(lib.tessera_verifier_builder_add_critical(builder, cstr(name, "critical")))
            for alg in _strings(algorithms, "algorithms"):
                check(lib.tessera_verifier_builder_add_algorithm(builder, cstr(alg, "algorithms")))
            if leeway is not None:
                check(lib.tessera_verifier_builder_set_leeway(builder, _unsigned(leeway, "leeway")))
            if max_age is not None:
                check(
                    lib.tessera_verifier_builder_set_max_age(builder, _unsigned(max_age, "max_age"))
                )
            if not require_exp:
                check(lib.tessera_verifier_builder_set_require_exp(builder, False))
            if accept_any_audience:
                check(lib.tessera_verifier_builder_accept_any_audience(builder))
            if max_token_len is not None:
                check(
                    lib.tessera_verifier_builder_set_max_token_len(
                        builder, _unsigned(max_token_len, "max_token_len")
                    )
                )
            if max_header_len is not None:
                check(
                    lib.tessera_verifier_builder_set_max_header_len(
                        builder, _unsigned(max_header_len, "max_header_len")
                    )
                )
            if max_claims is not None:
                check(
                    lib.tessera_verifier_builder_set_max_claims(
                        builder, _unsigned(max_claims, "max_claims")
                    )
                )
            if isinstance(key_or_keyset, Key):
                ptr = call_handle(lib.tessera_verifier_new_with_key, builder, key_or_keyset._p())
            else:
                ptr = call_handle(lib.tessera_verifier_new_with_keyset, builder, key_or_keyset._p())
        finally:
            _builder_free(builder)
        self._ptr = ptr

    def verify(self, token: Union[str, bytes], now: Optional[int] = None) -> Dict[str, Any]:
        """Verifies `token` at `now` (Unix seconds; None reads the clock) and returns its
        claims. Raises the exception of the first check that fails (`InvalidTokenError` and
        its subclasses: `BadSignatureError`, `ExpiredError`, `ClaimMismatchError`, ...)."""
        if token.__class__ is str:
            token = token.encode()  # type: ignore[union-attr]
        elif token.__class__ is not bytes:
            token = as_bytes(token, "token")
        if now is None:
            now = int(time.time())
        try:
            buf, n, n_ref = _tls.verify
        except AttributeError:
            buf, n, n_ref = _tls.verify = _verify_scratch()
        rc = _verify(self._ptr, token, len(token), now, buf, _VERIFY_CAP, n_ref)
        if rc == 0:
            return _loads(string_at(buf, n.value))
        if rc == RESULT_BUFFER_TOO_SMALL:
            return _loads(call_out(_verify, self._p(), token, len(token), now, size=n.value))
        self._p()  # a closed verifier: say so rather than "null pointer"
        raise error_for(rc)

    def explain(self, token: Union[str, bytes], now: Optional[int] = None) -> Optional[str]:
        """Why `token` does not verify at `now`: the library's detail text for the failure
        (for example 'claim "exp" is required'), or None when it verifies. For logs and
        developers; programs should branch on the exception types `verify` raises."""
        raw = as_bytes(token, "token")
        # MAX_DETAIL_LEN bytes always hold the text whole, so exactly n.value bytes were
        # written: the text is those bytes, never the buffer's zero fill.
        buf = create_string_buffer(MAX_DETAIL_LEN)
        n = c_size_t()
        rc = lib.tessera_verify_explain(
            self._p(), raw, len(raw), unix_now(now), buf, MAX_DETAIL_LEN, byref(n)
        )
        if rc == 0:
            return None
        error = error_for(rc)
        if isinstance(error, ArgumentError):  # a caller bug, not a bad token
            raise error
        if n.value > MAX_DETAIL_LEN:  # cannot happen: the library bounds the text
            raise PanicError(detail="tessera_verify_explain reported a detail past its bound")
        return string_at(buf, n.value).decode("utf-8")

    def check(self, token: Union[str, bytes], now: Optional[int] = None) -> None:
        """As `verify`, without returning the claims (the library's fast path)."""
        raw = as_bytes(token, "token")
        check(_verify_result(self._p(), raw, len(raw), unix_now(now)))

    def is_valid(self, token: Union[str, bytes], now: Optional[int] = None) -> bool:
        """Whether `token` verifies at `now` (True/False; never raises for a bad token)."""
        raw = as_bytes(token, "token")
        rc = _verify_result(self._p(), raw, len(raw), unix_now(now))
        if rc == 0:
            return True
        error = error_for(rc)
        if isinstance(error, ArgumentError):  # a caller bug, not a bad token
            raise error
        return False

    def verify_many(
        self, tokens: Iterable[Union[str, bytes]], now: Optional[int] = None, threads: int = 0
    ) -> List[Union[Dict[str, Any], TesseraError]]:
        """Verifies many tokens at once on up to `threads` library threads (0: one per core),
        at `now`. Returns one entry per token, in order: its claims dict (the same as `verify`
        gives), or the exception instance (not raised) that refused it. Each token is verified
        once, in the library's batch call."""
        raws = [as_bytes(t, "token") for t in tokens]
        count = len(raws)
        if count == 0:
            return []
        now = unix_now(now)
        ptrs = (c_char_p * count)(*raws)
        lens = (c_size_t * count)(*[len(r) for r in raws])
        codes = (c_uint32 * count)()
        check(lib.tessera_verify_batch(self._p(), ptrs, lens, count, now, threads, codes))
        out: List[Union[Dict[str, Any], TesseraError]] = []
        for raw, code in zip(raws, codes):
            if code == 0:
                out.append(_verified_claims(raw))
            else:
                out.append(error_for(code))
        return out

    def verify_full(self, token: Union[str, bytes], now: Optional[int] = None) -> "Verified":
        """Verifies `token` at `now` and returns a `Verified` result (header, claims and typed
        registered claims)."""
        raw = as_bytes(token, "token")
        return Verified._wrap(
            call_handle(lib.tessera_verify_full, self._p(), raw, len(raw), unix_now(now))
        )

    def verify_jws(self, token: Union[str, bytes]) -> bytes:
        """Verifies only the signature (no claim checks) and returns the payload octets, for
        JWS payloads that are not JWT claims sets."""
        raw = as_bytes(token, "token")
        return call_out(lib.tessera_verify_jws, self._p(), raw, len(raw))

    def __repr__(self) -> str:
        return "<tessera.Verifier closed>" if self._ptr is None else "<tessera.Verifier>"


def _verified_claims(token: bytes) -> Dict[str, Any]:
    """The claims of a token the library has just verified: its payload segment, which the
    verification decoded as strict base64url and parsed as the claims set, decoded here rather
    than verified a second time. These are exactly the bytes `tessera_verify` would write."""
    segment = token.split(b".", 2)[1]
    return _loads(base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4)))


def _unsigned(value: int, what: str) -> int:
    value = int(value)
    if value < 0:
        raise ValueError(f"{what} must not be negative")
    return value


class Verified(Handle):
    """A successfully verified token: its header, claims and registered claims (absent
    registered claims read as None)."""

    __slots__ = ()
    _free = lib.tessera_verified_free

    @property
    def claims(self) -> Dict[str, Any]:
        """The full claims set."""
        return json.loads(call_out(lib.tessera_verified_claims, self._p()))

    @property
    def header(self) -> Dict[str, Any]:
        """The protected header."""
        return json.loads(call_out(lib.tessera_verified_header, self._p()))

    def claim(self, name: str, default: Any = ...) -> Any:
        """The value of claim `name`; `default` when absent (else `MissingClaimError`)."""
        try:
            return json.loads(call_out(lib.tessera_verified_claim, self._p(), cstr(name, "name")))
        except TesseraError as e:
            if e.code == RESULT_MISSING_CLAIM and default is not ...:
                return default
            raise

    def _text(self, fn: Any) -> Optional[str]:
        try:
            return call_text(fn, self._p())
        except TesseraError as e:
            if e.code == RESULT_MISSING_CLAIM:
                return None
            raise

    def _time(self, fn: Any) -> Optional[int]:
        out = c_int64()
        rc = fn(self._p(), byref(out))
        if rc == RESULT_MISSING_CLAIM:
            return None
        check(rc)
        return out.value

    @property
    def iss(self) -> Optional[str]:
        """``iss``, or None."""
        return self._text(lib.tessera_verified_iss)

    @property
    def sub(self) -> Optional[str]:
        """``sub``, or None."""
        return self._text(lib.tessera_verified_sub)

    @property
    def jti(self) -> Optional[str]:
        """``jti``, or None."""
        return self._text(lib.tessera_verified_jti)

    @property
    def aud(self) -> List[str]:
        """``aud`` as a list (a single string is one element; absent is empty)."""
        return json.loads(call_out(lib.tessera_verified_aud, self._p()))

    @property
    def exp(self) -> Optional[int]:
        """``exp`` (Unix seconds), or None."""
        return self._time(lib.tessera_verified_exp)

    @property
    def nbf(self) -> Optional[int]:
        """``nbf`` (Unix seconds), or None."""
        return self._time(lib.tessera_verified_nbf)

    @property
    def iat(self) -> Optional[int]:
        """``iat`` (Unix seconds), or None."""
        return self._time(lib.tessera_verified_iat)
