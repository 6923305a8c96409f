"""Scopes, scope policies, opaque tokens, peppers and PKCE."""

from __future__ import annotations

import json
import re

import pytest

import tessera
from conftest import DATA

# ---- scopes ---------------------------------------------------------------------------------


def test_scopes_parse_normalise():
    s = tessera.Scopes("write read read")
    assert str(s) == "read write" and len(s) == 2 and list(s) == ["read", "write"]
    assert "read" in s and "admin" not in s and 3 not in s
    assert s == tessera.Scopes("read write") and s != tessera.Scopes("read")
    assert hash(s) == hash(tessera.Scopes("write read"))
    assert repr(s) == "Scopes('read write')"
    empty = tessera.Scopes()
    assert str(empty) == "" and len(empty) == 0 and list(empty) == []
    assert len(tessera.Scopes(b"a b")) == 2
    for bad in ("a  b", " a", "a ", 'a"b', "a\\b"):
        with pytest.raises(tessera.InvalidScopeError) as info:
            tessera.Scopes(bad)
        assert isinstance(info.value, tessera.ScopeError) and info.value.code == 500
    with pytest.raises(tessera.TooLargeError):
        tessera.Scopes(" ".join(f"s{i}" for i in range(300)))
    with pytest.raises(tessera.InvalidUtf8Error):
        tessera.Scopes(b"\xff")


def test_scopes_from_claims():
    assert str(tessera.Scopes.from_claims({"scope": "b a"})) == "a b"
    assert str(tessera.Scopes.from_claims('{"scp": ["x", "y"], "scope": "z"}')) == "x y z"
    objects = {"scp": [{"resource": "job", "actions": ["read", "write"]}]}
    assert str(tessera.Scopes.from_claims(objects)) == "job:read job:write"
    assert len(tessera.Scopes.from_claims({})) == 0
    with pytest.raises(tessera.InvalidClaimTypeError):
        tessera.Scopes.from_claims({"scope": 3})
    with pytest.raises(tessera.InvalidJsonError):
        tessera.Scopes.from_claims("[]")


def test_scope_policy_covers_check_narrow_reduce():
    policy = tessera.ScopePolicy(
        {"wildcard_actions": True, "superscopes": ["all"], "rules": {"job:write": ["job:read"]}}
    )
    granted = tessera.Scopes("job:write report:*")
    assert granted.covers("job:read", policy) and granted.covers("report:export", policy)
    assert not granted.covers("job:read")  # no policy: a scope implies only itself
    assert not granted.covers(tessera.Scopes("job:delete"), policy)
    assert granted.covers("", policy)
    assert tessera.Scopes("all").covers("anything:at all", policy)
    granted.check("job:read", policy)
    with pytest.raises(tessera.ScopeNotGrantedError) as info:
        granted.check("job:delete", policy)
    assert isinstance(info.value, tessera.ScopeError) and info.value.code == 501
    narrowed = granted.narrow("job:read report:view", policy)
    assert str(narrowed) == "job:read report:view"
    with pytest.raises(tessera.ScopeNotGrantedError):
        granted.narrow("admin", policy)
    assert str(tessera.Scopes("job:read job:write").reduce(policy)) == "job:write"
    assert str(tessera.Scopes("job:read job:write").reduce()) == "job:read job:write"
    # rules as pairs, and JSON text
    pairs = tessera.ScopePolicy('{"rules": [["a", "b"]]}')
    assert tessera.Scopes("a").covers("b", pairs)
    assert tessera.Scopes("a").covers("a", tessera.ScopePolicy())
    with pytest.raises(tessera.InvalidJsonError):
        tessera.ScopePolicy({"unknown": 1})
    with pytest.raises(tessera.InvalidScopeError):
        tessera.ScopePolicy({"superscopes": ["bad scope"]})
    with pytest.raises(TypeError):
        granted.covers("a", "not a policy")  # type: ignore[arg-type]


# ---- opaque tokens and peppers ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ac", "rt", "ak", "at"])
def test_opaque_tokens(kind):
    token = tessera.generate_token("tsr", kind)
    assert re.fullmatch(rf"tsr_{kind}_[0-9A-Za-z]{{49}}", token)
    assert len(token) == len("tsr") + 53
    assert tessera.generate_token("tsr", kind) != token
    assert tessera.check_token("tsr", token) == kind
    assert tessera.check_token("tsr", token.encode(), kind) == kind
    other = "rt" if kind != "rt" else "ac"
    with pytest.raises(tessera.WrongTokenKindError) as info:
        tessera.check_token("tsr", token, other)
    assert isinstance(info.value, tessera.OpaqueTokenError)
    assert isinstance(info.value, tessera.InvalidTokenError)
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(tessera.TokenChecksumError):
        tessera.check_token("tsr", broken)
    with pytest.raises(tessera.MalformedOpaqueTokenError):
        tessera.check_token("tsr", token[:-2])
    with pytest.raises(tessera.MalformedOpaqueTokenError):
        tessera.check_token("abc", token)


def test_opaque_token_argument_errors():
    for prefix, kind in (("TSR", "rt"), ("", "rt"), ("1x", "rt"), ("tsr", "xx")):
        with pytest.raises(tessera.InvalidArgumentError) as info:
            tessera.generate_token(prefix, kind)
        assert isinstance(info.value, tessera.ArgumentError) and isinstance(info.value, ValueError)
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.check_token("tsr", "tsr_rt_x", "zz")


def test_peppers():
    peppers = tessera.Peppers("2026-01", b"p" * 32)
    token = tessera.generate_token("tsr", "rt")
    lookup = peppers.lookup(token)
    assert lookup.startswith("2026-01:") and peppers.lookup(token) == lookup
    peppers.verify(token, lookup)
    assert peppers.matches(token, lookup) is True
    other = tessera.generate_token("tsr", "rt")
    with pytest.raises(tessera.TokenMismatchError):
        peppers.verify(other, lookup)
    assert peppers.matches(other, lookup) is False
    with pytest.raises(tessera.InvalidArgumentError):
        peppers.verify(token, "not a lookup hash")
    assert peppers.check_and_lookup("tsr", token, "rt") == lookup
    with pytest.raises(tessera.WrongTokenKindError):
        peppers.check_and_lookup("tsr", token, "ac")
    # rotation: hashes under the previous pepper still verify
    rotated = tessera.Peppers("2026-02", b"q" * 32)
    rotated.add_previous("2026-01", b"p" * 32)
    rotated.verify(token, lookup)
    assert rotated.lookup(token).startswith("2026-02:")
    with pytest.raises(tessera.InvalidArgumentError):
        rotated.add_previous("2026-01", b"r" * 32)
    with pytest.raises(tessera.WeakKeyError):
        tessera.Peppers("k", b"short")
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.Peppers("has space", b"p" * 32)
    # client secrets
    hashed = peppers.client_secret_hash("s3cret")
    assert hashed.startswith("2026-01:") and "s3cret" not in hashed
    assert tessera.client_secret_hash(peppers, "s3cret") == hashed
    peppers.verify("s3cret", hashed)
    for bad in ("", "tab\there", "é"):
        with pytest.raises(tessera.InvalidArgumentError):
            peppers.client_secret_hash(bad)


# ---- PKCE -----------------------------------------------------------------------------------


def test_pkce_rfc7636_appendix_b():
    vector = json.loads((DATA / "rfc" / "rfc7636_b_pkce_s256.json").read_text())
    assert tessera.pkce_challenge(vector["code_verifier"]) == vector["code_challenge"]
    tessera.pkce_verify(vector["code_verifier"], vector["code_challenge"])
    tessera.pkce_verify(vector["code_verifier"].encode(), vector["code_challenge"], "S256")


def test_pkce():
    verifier = tessera.pkce_verifier()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", verifier) and tessera.pkce_verifier() != verifier
    challenge = tessera.pkce_challenge(verifier)
    tessera.pkce_verify(verifier, challenge)
    with pytest.raises(tessera.PkceMismatchError) as info:
        tessera.pkce_verify(tessera.pkce_verifier(), challenge)
    assert isinstance(info.value, tessera.PkceError) and info.value.code == 605
    assert info.value.error == "invalid_grant" and info.value.status == 400
    with pytest.raises(tessera.InvalidPkceError):
        tessera.pkce_challenge("too-short")
    with pytest.raises(tessera.InvalidPkceError):
        tessera.pkce_verify(verifier, verifier, "plain")  # plain needs allow_plain
    tessera.pkce_verify(verifier, verifier, "plain", allow_plain=True)
    with pytest.raises(tessera.InvalidPkceError):
        tessera.pkce_verify(verifier, challenge, "S512")
