"""Scopes (RFC 6749 §3.3) and scope implication tables."""

from __future__ import annotations

from ctypes import byref, c_bool, c_size_t
from typing import Any, Iterator, Mapping, Optional, Union

from ._ffi import Handle, call_handle, call_text, check, cstr, json_bytes, lib

__all__ = ["Scopes", "ScopePolicy"]


class ScopePolicy(Handle):
    """Which granted scope implies which requested one. Nothing is implied unless configured.

    `config` is JSON text or a dict: ``{"wildcard_actions": true, "superscopes": ["all"],
    "rules": {"job:write": ["job:read"]}}`` (``rules`` may also be a list of pairs), every
    member optional: ``wildcard_actions`` makes ``R:*`` imply every ``R:x``, a superscope
    implies every scope, a rule makes its scope imply the listed ones (transitively). None is
    the table in which a scope implies only itself. Immutable: share it between threads.
    """

    __slots__ = ()
    _free = lib.tessera_scope_policy_free

    def __init__(self, config: Union[str, bytes, Mapping[str, Any], None] = None) -> None:
        raw = None if config is None else json_bytes(config, "config")
        super().__init__(
            call_handle(lib.tessera_scope_policy_from_json, raw, 0 if raw is None else len(raw))
        )

    def __repr__(self) -> str:
        return "<tessera.ScopePolicy>"


def _policy(policy: Optional[ScopePolicy]) -> Optional[int]:
    if policy is None:
        return None
    if not isinstance(policy, ScopePolicy):
        raise TypeError(f"policy must be a tessera.ScopePolicy, not {type(policy).__name__}")
    return policy._p()


def _scopes(value: Union["Scopes", str]) -> "Scopes":
    if isinstance(value, Scopes):
        return value
    return Scopes(value)


class Scopes(Handle):
    """A normalised set of scopes (deduplicated, sorted by byte order). Immutable.

    ``Scopes("read write")`` parses an RFC 6749 §3.3 scope string (exactly one space between
    tokens; ``""`` is the empty set) and raises `InvalidScopeError` otherwise. ``str()`` gives
    the normalised string, ``len()`` the number of scopes, ``in`` tests exact membership (no
    implication: see `covers`), iteration yields the scopes in order; sets compare equal when
    their strings do.
    """

    __slots__ = ()
    _free = lib.tessera_scopes_free

    def __init__(self, scope: Union[str, bytes] = "") -> None:
        raw = scope.encode("utf-8") if isinstance(scope, str) else bytes(scope)
        super().__init__(call_handle(lib.tessera_scopes_parse, raw, len(raw)))

    @classmethod
    def from_claims(cls, claims: Union[str, bytes, Mapping[str, Any]]) -> "Scopes":
        """The scopes of a JWT claims set (dict or JSON text): ``scope`` and ``scp``, each a
        space-delimited string or an array (of strings or ``{"resource", "actions"}``
        objects); both present is their union, neither the empty set."""
        raw = json_bytes(claims, "claims")
        return cls._wrap(call_handle(lib.tessera_scopes_from_claims, raw, len(raw)))

    def __str__(self) -> str:
        return call_text(lib.tessera_scopes_to_string, self._p())

    def __repr__(self) -> str:
        return "<tessera.Scopes closed>" if self._ptr is None else f"Scopes({str(self)!r})"

    def __len__(self) -> int:
        out = c_size_t()
        check(lib.tessera_scopes_len(self._p(), byref(out)))
        return out.value

    def __contains__(self, scope: object) -> bool:
        if not isinstance(scope, str):
            return False
        out = c_bool()
        check(lib.tessera_scopes_contains(self._p(), cstr(scope, "scope"), byref(out)))
        return bool(out.value)

    def __iter__(self) -> Iterator[str]:
        text = str(self)
        return iter(text.split(" ") if text else [])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Scopes):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def covers(self, requested: Union["Scopes", str], policy: Optional[ScopePolicy] = None) -> bool:
        """Whether every scope of `requested` is implied by one of these under `policy`
        (None: a scope implies only itself). The empty set is always covered."""
        req = _scopes(requested)
        out = c_bool()
        check(lib.tessera_scopes_covers(self._p(), req._p(), _policy(policy), byref(out)))
        return bool(out.value)

    def check(self, requested: Union["Scopes", str], policy: Optional[ScopePolicy] = None) -> None:
        """As `covers`, raising `ScopeNotGrantedError` when these do not cover `requested`."""
        req = _scopes(requested)
        check(lib.tessera_scopes_check(self._p(), req._p(), _policy(policy)))

    def narrow(
        self, requested: Union["Scopes", str], policy: Optional[ScopePolicy] = None
    ) -> "Scopes":
        """Down-scoping: `requested` as a new set, provided these cover it under `policy`
        (else `ScopeNotGrantedError`)."""
        req = _scopes(requested)
        return Scopes._wrap(
            call_handle(lib.tessera_scopes_narrow, self._p(), req._p(), _policy(policy))
        )

    def reduce(self, policy: Optional[ScopePolicy] = None) -> "Scopes":
        """A new set without the scopes implied by another of its scopes under `policy` (of
        scopes that imply each other, the first in byte order is kept)."""
        return Scopes._wrap(call_handle(lib.tessera_scopes_reduce, self._p(), _policy(policy)))
