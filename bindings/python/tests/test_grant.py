"""The OAuth 2.0 grant issuer, in process: every endpoint function and its outcomes."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

import tessera
from conftest import NOW

ISSUER = "https://as.example"
POLICY = {"issuer": ISSUER, "audiences": ["api"]}
APP = {
    "client_id": "app",
    "kind": "public",
    "redirect_uris": ["https://app.example/cb"],
    "allowed_scope": "read write",
    "grant_types": ["authorization_code", "refresh_token"],
}


@pytest.fixture(scope="module")
def setup():
    key = tessera.Key.generate("ES256").with_kid("as-1")
    peppers = tessera.Peppers("p1", b"p" * 32)
    issuer = tessera.Issuer(POLICY, key, peppers)
    verifier = tessera.Verifier(key.public_key(), issuer=ISSUER, audience="api", typ="at+jwt")
    backend = {
        "client_id": "backend",
        "kind": "confidential",
        "redirect_uris": [],
        "allowed_scope": "read write",
        "default_scope": "read",
        "grant_types": ["client_credentials"],
        "secret_hash": peppers.client_secret_hash("s3cret"),
    }
    return issuer, verifier, peppers, backend


def query_of(location: str) -> dict:
    parts = urlsplit(location)
    return {k: v[0] for k, v in parse_qs(parts.query or parts.fragment).items()}


def authorize(issuer, scope="read write", subject="alice"):
    verifier = tessera.pkce_verifier()
    request = tessera.authorize_request_parse(
        "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        f"&scope={scope.replace(' ', '+')}&state=xyz&code_challenge={tessera.pkce_challenge(verifier)}"
        "&code_challenge_method=S256"
    )
    checked = issuer.check_authorize(APP, request)
    assert checked["outcome"] == "ok" and checked["scope"] == scope
    outcome = issuer.authorize(json.dumps(APP), json.dumps(request), subject, now=NOW)
    assert outcome["outcome"] == "granted" and outcome["error"] is None
    params = query_of(outcome["redirect"]["location"])
    assert params["state"] == "xyz" and params["iss"] == ISSUER
    assert outcome["redirect"]["mode"] == "query"
    state = outcome["state"]
    assert state["version"] == 1
    assert [e["effect"] for e in outcome["effects"]] == ["index"]
    return params["code"], verifier, state


def redeem(issuer, code, verifier, state, now=NOW):
    parsed = tessera.token_request_parse(
        f"grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        f"&code_verifier={verifier}&client_id=app"
    )
    return issuer.token(APP, parsed["client_auth"], parsed["request"], state, now=now)


def refresh(issuer, refresh_token, state, now=NOW + 10, scope=None):
    body = f"grant_type=refresh_token&refresh_token={refresh_token}&client_id=app"
    if scope:
        body += f"&scope={scope}"
    parsed = tessera.token_request_parse(body)
    return issuer.token(
        APP, json.dumps(parsed["client_auth"]), parsed["request"], json.dumps(state), now=now
    )


def test_code_flow_refresh_rotation_and_reuse(setup):
    issuer, access_verifier, peppers, _ = setup
    code, verifier, state = authorize(issuer)
    located = issuer.locate(code, now=NOW)
    assert located["locator"] == "lookup" and located["kind"] == "ac"
    assert located["lookup"] == peppers.lookup(code)

    out = redeem(issuer, code, verifier, state)
    assert out["ok"] is True and out["error"] is None
    response = out["response"]
    assert response["token_type"] == "Bearer" and response["scope"] == "read write"
    claims = access_verifier.verify(response["access_token"], now=NOW)
    assert (
        claims["sub"] == "alice"
        and claims["client_id"] == "app"
        and claims["scope"] == "read write"
    )
    state2 = out["state"]
    assert state2["version"] == 2
    assert {e["effect"] for e in out["effects"]} >= {"index"}

    # the access token leads to its family
    at_located = issuer.locate(response["access_token"], now=NOW)
    assert at_located["locator"] == "family" and at_located["family_id"] == state2["family_id"]
    assert issuer.introspect(response["access_token"], state2, now=NOW)["active"] is True
    rt_info = issuer.introspect(response["refresh_token"], json.dumps(state2), now=NOW)
    assert rt_info["active"] is True and rt_info["sub"] == "alice" and rt_info["client_id"] == "app"

    # rotation
    rt1 = response["refresh_token"]
    assert issuer.locate(rt1, now=NOW)["kind"] == "rt"
    out2 = refresh(issuer, rt1, state2, scope="read")
    assert out2["ok"] and out2["response"]["refresh_token"] != rt1
    assert access_verifier.verify(out2["response"]["access_token"], now=NOW + 10)["scope"] == "read"
    state3 = out2["state"]
    assert state3["version"] == 3

    # reuse of the rotated token revokes the family
    out3 = refresh(issuer, rt1, state3, now=NOW + 20)
    assert out3["ok"] is False and out3["response"] is None
    assert out3["error"]["error"] == "invalid_grant" and out3["error"]["status"] == 400
    revoke = [e for e in out3["effects"] if e["effect"] == "revoke_family"]
    assert revoke and revoke[0]["reason"] == "refresh_reuse"
    assert len(revoke[0]["access_tokens"]) == 2
    state4 = out3["state"]
    assert state4["version"] == 4
    error = tessera.error_from_json(out3["error"])
    assert isinstance(error, tessera.OAuthInvalidGrantError) and isinstance(
        error, tessera.OAuthError
    )
    assert (error.error, error.status, error.code) == ("invalid_grant", 400, 702)
    assert error.detail

    # everything of the family is dead now
    newest = out2["response"]["refresh_token"]
    assert refresh(issuer, newest, state4, now=NOW + 30)["ok"] is False
    assert issuer.introspect(newest, state4, now=NOW + 30) == {"active": False}
    assert issuer.introspect(out2["response"]["access_token"], state4, now=NOW + 30) == {
        "active": False
    }


def test_refresh_by_another_client_revokes_the_family(setup):
    """RFC 9700 §4.14.2: a refresh token in another client's hands has leaked. Refused with
    invalid_grant, and the family is revoked as for reuse (reason refresh_client_mismatch)."""
    issuer, *_ = setup
    other = dict(APP, client_id="other", redirect_uris=["https://other.example/cb"])
    code, verifier, state = authorize(issuer)
    out = redeem(issuer, code, verifier, state)
    rt, state2 = out["response"]["refresh_token"], out["state"]
    parsed = tessera.token_request_parse(
        f"grant_type=refresh_token&refresh_token={rt}&client_id=other"
    )
    stolen = issuer.token(other, parsed["client_auth"], parsed["request"], state2, now=NOW + 10)
    assert stolen["ok"] is False and stolen["response"] is None
    assert stolen["error"]["error"] == "invalid_grant" and stolen["error"]["status"] == 400
    state3 = stolen["state"]
    assert state3["version"] == 3
    assert state3["status"] == {
        "state": "revoked", "reason": "refresh_client_mismatch", "at": NOW + 10
    }
    revoke = [e for e in stolen["effects"] if e["effect"] == "revoke_family"]
    assert revoke and revoke[0]["reason"] == "refresh_client_mismatch"
    assert revoke[0]["family_id"] == state2["family_id"] and len(revoke[0]["access_tokens"]) == 1
    # the rightful client is out too, and nothing changes any more
    after = refresh(issuer, rt, state3, now=NOW + 20)
    assert after["ok"] is False and after["state"] is None and after["effects"] == []
    assert issuer.introspect(out["response"]["access_token"], state3, now=NOW + 20) == {
        "active": False
    }


def test_code_replay_and_failed_redemption(setup):
    issuer, *_ = setup
    code, verifier, state = authorize(issuer)
    out = redeem(issuer, code, verifier, state)
    assert out["ok"]
    replay = redeem(issuer, code, verifier, out["state"])
    assert replay["ok"] is False and replay["error"]["name"] == "oauth_invalid_grant"
    assert any(
        e["effect"] == "revoke_family" and e["reason"] == "code_replay" for e in replay["effects"]
    )
    # a wrong verifier burns the code
    code, _verifier, state = authorize(issuer)
    burned = redeem(issuer, code, tessera.pkce_verifier(), state)
    assert burned["ok"] is False and burned["state"] is not None
    assert burned["error"]["error"] == "invalid_grant"
    # expired code: nothing to burn
    code, verifier, state = authorize(issuer)
    late = redeem(issuer, code, verifier, state, now=NOW + 3600)
    assert late["ok"] is False and late["error"]["error"] == "invalid_grant"
    # no state at all (unknown code)
    unknown = redeem(issuer, tessera.generate_token("tsr", "ac"), verifier, None)
    assert unknown["ok"] is False and unknown["error"]["error"] == "invalid_grant"


def test_authorize_refusals(setup):
    issuer, *_ = setup
    good = "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=s"
    challenge = (
        "&code_challenge="
        + tessera.pkce_challenge(tessera.pkce_verifier())
        + "&code_challenge_method=S256"
    )
    # unknown client, unregistered redirect URI: fatal, never redirect
    fatal = issuer.authorize(
        None, tessera.authorize_request_parse(good + challenge), "alice", now=NOW
    )
    assert fatal["outcome"] == "fatal" and fatal["redirect"] is None and fatal["state"] is None
    bad_uri = good.replace("app.example", "evil.example") + challenge
    assert (
        issuer.check_authorize(APP, tessera.authorize_request_parse(bad_uri))["outcome"] == "fatal"
    )
    # redirectable errors
    cases = [
        (good + "&scope=admin" + challenge, "invalid_scope"),
        (good + "&scope=read", "invalid_request"),  # public client without PKCE
        (
            good.replace("response_type=code", "response_type=token") + "&scope=read",
            "unauthorized_client",
        ),
        (
            good.replace("response_type=code", "response_type=id_token") + challenge,
            "unsupported_response_type",
        ),
    ]
    for query, expected in cases:
        outcome = issuer.check_authorize(APP, tessera.authorize_request_parse(query))
        assert outcome["outcome"] == "rejected", query
        assert outcome["error"]["error"] == expected, (query, outcome["error"])
        assert query_of(outcome["redirect"]["location"])["error"] == expected
        assert outcome["scope"] is None
    denied = issuer.deny(APP, tessera.authorize_request_parse(good + "&scope=read" + challenge))
    assert denied["outcome"] == "rejected" and denied["error"]["error"] == "access_denied"
    params = query_of(denied["redirect"]["location"])
    assert params["error"] == "access_denied" and params["state"] == "s"
    assert issuer.deny(None, tessera.authorize_request_parse(good))["outcome"] == "fatal"
    with pytest.raises(tessera.InvalidArgumentError):
        issuer.authorize(APP, tessera.authorize_request_parse(good + challenge), "", now=NOW)


def test_implicit_grant(setup):
    issuer, access_verifier, *_ = setup
    client = dict(APP, client_id="spa", grant_types=["implicit"])
    request = tessera.authorize_request_parse(
        "response_type=token&client_id=spa&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=read&state=q"
    )
    outcome = issuer.authorize(client, request, "bob", now=NOW)
    assert outcome["outcome"] == "granted" and outcome["redirect"]["mode"] == "fragment"
    params = query_of(outcome["redirect"]["location"])
    assert params["token_type"].lower() == "bearer" and params["state"] == "q"
    assert access_verifier.verify(params["access_token"], now=NOW)["sub"] == "bob"
    assert "refresh_token" not in params and "code" not in params


def test_client_credentials_and_authentication(setup):
    issuer, access_verifier, _, backend = setup
    parsed = tessera.token_request_parse(
        "grant_type=client_credentials&scope=write",
        "Basic YmFja2VuZDpzM2NyZXQ=",  # backend:s3cret
    )
    out = issuer.token(backend, parsed["client_auth"], parsed["request"], None, now=NOW)
    assert out["ok"] and "refresh_token" not in out["response"]
    claims = access_verifier.verify(out["response"]["access_token"], now=NOW)
    assert claims["client_id"] == "backend" and claims["scope"] == "write"
    assert out["state"]["version"] == 1
    default = tessera.token_request_parse(
        "grant_type=client_credentials&client_id=backend&client_secret=s3cret"
    )
    out = issuer.token(backend, default["client_auth"], default["request"], now=NOW)
    assert out["response"]["scope"] == "read"
    # wrong secret with Basic: invalid_client, 401, Basic challenge, nothing changes
    wrong = tessera.token_request_parse("grant_type=client_credentials", "Basic YmFja2VuZDp4")
    out = issuer.token(backend, wrong["client_auth"], wrong["request"], now=NOW)
    assert out["ok"] is False and out["state"] is None and out["effects"] == []
    assert out["error"]["error"] == "invalid_client" and out["error"]["status"] == 401
    assert out["error"]["www_authenticate"] == f'Basic realm="{ISSUER}"'
    error = tessera.error_from_json(out["error"])
    assert error.www_authenticate == f'Basic realm="{ISSUER}"'
    # unknown client
    out = issuer.token(None, wrong["client_auth"], wrong["request"], now=NOW)
    assert out["error"]["error"] == "invalid_client"
    # scope beyond the registration; grant type not allowed
    too_much = tessera.token_request_parse(
        "grant_type=client_credentials&scope=admin", "Basic YmFja2VuZDpzM2NyZXQ="
    )
    assert (
        issuer.token(backend, too_much["client_auth"], too_much["request"], now=NOW)["error"][
            "error"
        ]
        == "invalid_scope"
    )
    public = tessera.token_request_parse("grant_type=client_credentials&client_id=app")
    assert (
        issuer.token(APP, public["client_auth"], public["request"], now=NOW)["error"]["error"]
        == "unauthorized_client"
    )


def test_revocation(setup):
    issuer, access_verifier, _, backend = setup
    code, verifier, state = authorize(issuer)
    out = redeem(issuer, code, verifier, state)
    state = out["state"]
    at, rt = out["response"]["access_token"], out["response"]["refresh_token"]
    auth = tessera.revocation_request_parse(f"token={at}&client_id=app")
    # an access token is revoked alone
    revoked = issuer.revoke(APP, auth["client_auth"], at, state, now=NOW)
    assert revoked["ok"] is True and revoked["response"] is None
    assert [e["effect"] for e in revoked["effects"]] == ["revoke_access_tokens"]
    state = revoked["state"]
    assert issuer.introspect(at, state, now=NOW) == {"active": False}
    assert issuer.introspect(rt, state, now=NOW)["active"] is True
    # a refresh token revokes the family
    revoked = issuer.revoke(APP, auth["client_auth"], rt, state, now=NOW)
    assert any(
        e["effect"] == "revoke_family" and e["reason"] == "client_request"
        for e in revoked["effects"]
    )
    assert issuer.introspect(rt, revoked["state"], now=NOW) == {"active": False}
    # unknown tokens change nothing and still succeed
    nothing = issuer.revoke(APP, auth["client_auth"], "garbage", None, now=NOW)
    assert nothing == {"ok": True, "response": None, "error": None, "state": None, "effects": []}
    # another client's token changes nothing
    code, verifier, state = authorize(issuer)
    out = redeem(issuer, code, verifier, state)
    other = {"method": "client_secret_basic", "client_id": "backend", "client_secret": "s3cret"}
    foreign = issuer.revoke(backend, other, out["response"]["refresh_token"], out["state"], now=NOW)
    assert foreign["ok"] and foreign["state"] is None
    # failed client authentication
    bad = {"method": "client_secret_basic", "client_id": "backend", "client_secret": "nope"}
    failed = issuer.revoke(backend, bad, "x", None, now=NOW)
    assert failed["ok"] is False and failed["error"]["status"] == 401
    # the host revokes a family
    host = issuer.revoke_family(out["state"], now=NOW)
    assert (
        host["effects"][0]["effect"] == "revoke_family" and host["effects"][0]["reason"] == "host"
    )
    again = issuer.revoke_family(json.dumps(host["state"]), now=NOW)
    assert again == {"state": None, "effects": []}


def test_locate_and_introspect_refusals(setup):
    issuer, *_ = setup
    for token in (
        "garbage",
        tessera.generate_token("tsr", "ak"),
        tessera.generate_token("other", "rt"),
    ):
        located = issuer.locate(token, now=NOW)
        assert located["locator"] == "none" and located["error"]["code"] > 0
    assert issuer.locate(b"\xff\xfe", now=NOW)["locator"] == "none"
    assert issuer.introspect("garbage", None, now=NOW) == {"active": False}
    foreign = tessera.Key.generate("ES256").sign(
        {"iss": ISSUER, "aud": "api", "exp": NOW + 60}, {"typ": "at+jwt"}
    )
    assert issuer.locate(foreign, now=NOW)["locator"] == "none"


def test_engine_tokens(setup):
    issuer, _, _, _ = setup
    minted = issuer.engine_token("read write", "read", "alice", "worker", now=NOW)
    assert set(minted) == {"token", "expires_at", "scope", "jti"} and minted["scope"] == "read"
    assert minted["expires_at"] == NOW + 300
    with pytest.raises(tessera.OAuthInvalidScopeError) as info:
        issuer.engine_token("read", "write", "alice", "worker", now=NOW)
    assert (info.value.error, info.value.status) == ("invalid_scope", 400)
    with pytest.raises(tessera.InvalidScopeError):
        issuer.engine_token("read", "bad  scope", "alice", "worker", now=NOW)
    with pytest.raises(tessera.InvalidArgumentError):
        issuer.engine_token("read", "read", "", "worker", now=NOW)


def test_engine_token_is_not_an_access_token(setup):
    issuer, access_verifier, _, _ = setup
    minted = issuer.engine_token("read", "read", "alice", "api", now=NOW)
    with pytest.raises(tessera.TypeMismatchError):
        access_verifier.verify(minted["token"], now=NOW)


def test_issuer_argument_errors(setup):
    issuer, _, peppers, _ = setup
    key = tessera.Key.generate("ES256")
    with pytest.raises(tessera.NotPrivateKeyError):
        tessera.Issuer(POLICY, key.public_key(), peppers)
    with pytest.raises(tessera.InvalidJsonError):
        tessera.Issuer({"issuer": ISSUER}, key, peppers)  # audiences missing
    with pytest.raises(tessera.InvalidJsonError):
        tessera.Issuer(dict(POLICY, unknown=1), key, peppers)
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.Issuer(dict(POLICY, code_lifetime=0), key, peppers)
    with pytest.raises(TypeError):
        tessera.Issuer(POLICY, "key", peppers)  # type: ignore[arg-type]
    auth = {"method": "none", "client_id": "app"}
    request = {"grant_type": "refresh_token", "refresh_token": "x"}
    with pytest.raises(tessera.InvalidJsonError):
        issuer.token(APP, auth, request, "{not json", now=NOW)
    with pytest.raises(tessera.InvalidJsonError):
        issuer.token(APP, auth, {"grant_type": "nope"}, now=NOW)
    with pytest.raises(tessera.UnsupportedError):
        issuer.revoke_family({"v": 99, "version": 1, "family_id": "x"}, now=NOW)
    with pytest.raises(tessera.InvalidJsonError):
        issuer.check_authorize({"client_id": "x"}, {"response_type": "code", "client_id": "x"})
    # a custom policy
    custom = tessera.Issuer(
        dict(
            POLICY,
            access_token_lifetime=60,
            token_prefix="acme",
            implications={"superscopes": ["all"]},
        ),
        key,
        peppers,
    )
    assert custom.engine_token("all", "anything", "s", "a", now=NOW)["scope"] == "anything"


# ---- DPoP (RFC 9449) and certificate (RFC 8705) binding ---------------------------------------

JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
OTHER = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_dpop_bound_code_tokens_and_refresh_rfc9449(setup):
    issuer, access_verifier, _, _ = setup
    verifier = tessera.pkce_verifier()
    request = tessera.authorize_request_parse(
        "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        f"&scope=read&code_challenge={tessera.pkce_challenge(verifier)}"
        f"&code_challenge_method=S256&dpop_jkt={JKT}"
    )
    assert request["dpop_jkt"] == JKT
    with pytest.raises(tessera.OAuthInvalidRequestError):
        tessera.authorize_request_parse("response_type=code&client_id=app&dpop_jkt=short")
    granted = issuer.authorize(APP, request, "alice", now=NOW)
    assert granted["state"]["code"]["dpop_jkt"] == JKT
    code = query_of(granted["redirect"]["location"])["code"]
    parsed = tessera.token_request_parse(
        f"grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        f"&code_verifier={verifier}&client_id=app"
    )
    args = (APP, parsed["client_auth"], parsed["request"], granted["state"])
    # A malformed binding raises; another key or none is invalid_grant and burns the code.
    with pytest.raises(tessera.InvalidJsonError):
        issuer.token(*args, now=NOW, cnf={"jkt": "short"})
    refused = issuer.token(*args, now=NOW, cnf={"jkt": OTHER})
    assert refused["ok"] is False and refused["error"]["error"] == "invalid_grant"
    assert refused["state"]["code"]["status"] == "revoked"
    assert issuer.token(*args, now=NOW)["error"]["error"] == "invalid_grant"
    # The right key (as JSON text this time).
    out = issuer.token(*args, now=NOW, cnf=json.dumps({"jkt": JKT}))
    assert out["ok"] is True, out
    assert out["response"]["token_type"] == "DPoP"
    access = out["response"]["access_token"]
    assert access_verifier.verify(access, now=NOW + 1)["cnf"] == {"jkt": JKT}
    state = out["state"]
    assert state["dpop_jkt"] == JKT
    info = issuer.introspect(access, state, now=NOW + 1)
    assert info["cnf"] == {"jkt": JKT} and info["token_type"] == "DPoP"
    # The public client's refresh token is bound: no key or another one changes nothing.
    rt = out["response"]["refresh_token"]
    body = tessera.token_request_parse(
        f"grant_type=refresh_token&refresh_token={rt}&client_id=app"
    )
    for cnf in (None, {"jkt": OTHER}):
        refused = issuer.token(
            APP, body["client_auth"], body["request"], state, now=NOW + 2, cnf=cnf
        )
        assert refused["error"]["error"] == "invalid_grant"
        assert refused["state"] is None and refused["effects"] == []
    rotated = issuer.token(
        APP, body["client_auth"], body["request"], state, now=NOW + 2, cnf={"jkt": JKT}
    )
    assert rotated["ok"] is True and rotated["response"]["token_type"] == "DPoP"


def test_confidential_refresh_unbound_and_certificate_binding(setup):
    issuer, access_verifier, peppers, backend = setup
    auth = {"method": "client_secret_post", "client_id": "backend", "client_secret": "s3cret"}
    x5t = OTHER  # any base64url SHA-256 thumbprint
    out = issuer.token(
        backend, auth, {"grant_type": "client_credentials"}, now=NOW, cnf={"x5t#S256": x5t}
    )
    assert out["ok"] is True, out
    assert out["response"]["token_type"] == "Bearer"
    claims = access_verifier.verify(out["response"]["access_token"], now=NOW + 1)
    assert claims["cnf"] == {"x5t#S256": x5t}
    info = issuer.introspect(out["response"]["access_token"], out["state"], now=NOW + 1)
    assert info["cnf"] == {"x5t#S256": x5t} and info["token_type"] == "Bearer"
    # A confidential client's code family is not bound: refresh without a key works.
    web = dict(APP, client_id="web", kind="confidential",
               secret_hash=peppers.client_secret_hash("w3b"))
    verifier = tessera.pkce_verifier()
    request = tessera.authorize_request_parse(
        "response_type=code&client_id=web&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        f"&scope=read&code_challenge={tessera.pkce_challenge(verifier)}&code_challenge_method=S256"
    )
    granted = issuer.authorize(web, request, "alice", now=NOW)
    code = query_of(granted["redirect"]["location"])["code"]
    parsed = tessera.token_request_parse(
        f"grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        f"&code_verifier={verifier}&client_id=web&client_secret=w3b"
    )
    out = issuer.token(
        web, parsed["client_auth"], parsed["request"], granted["state"], now=NOW,
        cnf={"jkt": JKT},
    )
    assert out["response"]["token_type"] == "DPoP"
    assert "dpop_jkt" not in out["state"]
    parsed = tessera.token_request_parse(
        f"grant_type=refresh_token&refresh_token={out['response']['refresh_token']}"
        "&client_id=web&client_secret=w3b"
    )
    again = issuer.token(web, parsed["client_auth"], parsed["request"], out["state"], now=NOW + 1)
    assert again["ok"] is True and again["response"]["token_type"] == "Bearer"


def test_dpop_bound_access_tokens_client_rfc9449_5_2(setup):
    issuer, _, peppers, backend = setup
    strict = dict(backend, dpop_bound_access_tokens=True)
    auth = {"method": "client_secret_post", "client_id": "backend", "client_secret": "s3cret"}
    out = issuer.token(strict, auth, {"grant_type": "client_credentials"}, now=NOW)
    assert out["ok"] is False
    assert out["error"]["error"] == "invalid_dpop_proof"
    assert out["error"]["name"] == "dpop_proof_required"
    assert out["error"]["status"] == 400
    assert out["state"] is None and out["effects"] == []
    with pytest.raises(tessera.DpopProofRequiredError):
        raise tessera.TesseraError.from_json(out["error"])
    ok = issuer.token(strict, auth, {"grant_type": "client_credentials"}, now=NOW,
                      cnf={"jkt": JKT})
    assert ok["ok"] is True and ok["response"]["token_type"] == "DPoP"
