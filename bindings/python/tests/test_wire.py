"""Wire formats: forms, OAuth requests, bearer headers, error responses, redirects, metadata."""

from __future__ import annotations

import base64

import pytest

import tessera


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def test_form_parse():
    assert tessera.form_parse("a=1&b=x%20y+z&empty=") == {"a": "1", "b": "x y z"}
    assert tessera.form_parse(b"") == {}
    with pytest.raises(tessera.OAuthInvalidRequestError) as info:
        tessera.form_parse("a=1&a=2")
    e = info.value
    assert isinstance(e, tessera.OAuthError) and e.code == 700
    assert (e.error, e.status) == ("invalid_request", 400)
    with pytest.raises(tessera.OAuthInvalidRequestError):
        tessera.form_parse("a=%zz")
    with pytest.raises(tessera.TooLargeError):
        tessera.form_parse("&".join(f"p{i}=1" for i in range(65)))


def test_authorize_request_parse():
    query = "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp%2Fcb&scope=a+b&state=xyz&code_challenge=abc&code_challenge_method=S256"
    parsed = tessera.authorize_request_parse(query)
    assert parsed == {
        "response_type": "code",
        "client_id": "app",
        "redirect_uri": "https://app/cb",
        "scope": "a b",
        "state": "xyz",
        "code_challenge": "abc",
        "code_challenge_method": "S256",
    }
    with pytest.raises(tessera.OAuthInvalidRequestError):
        tessera.authorize_request_parse("client_id=app")  # no response_type


def test_token_request_parse():
    parsed = tessera.token_request_parse(
        "grant_type=authorization_code&code=c&redirect_uri=https%3A%2F%2Fapp%2Fcb&code_verifier=v",
        basic("app", "secret"),
    )
    assert parsed["client_auth"] == {
        "method": "client_secret_basic",
        "client_id": "app",
        "client_secret": "secret",
    }
    assert parsed["request"] == {
        "grant_type": "authorization_code",
        "code": "c",
        "redirect_uri": "https://app/cb",
        "code_verifier": "v",
    }
    post = tessera.token_request_parse(
        b"grant_type=refresh_token&refresh_token=r&scope=a&client_id=app&client_secret=s"
    )
    assert post["client_auth"]["method"] == "client_secret_post"
    assert post["request"] == {"grant_type": "refresh_token", "refresh_token": "r", "scope": "a"}
    public = tessera.token_request_parse("grant_type=client_credentials&client_id=app")
    assert public["client_auth"] == {"method": "none", "client_id": "app"}
    cases = [
        ("grant_type=password&client_id=a", None, tessera.OAuthUnsupportedGrantTypeError),
        ("grant_type=client_credentials", None, tessera.OAuthInvalidClientError),
        ("grant_type=client_credentials", "Bearer x", tessera.OAuthInvalidClientError),
        ("grant_type=authorization_code&client_id=a", None, tessera.OAuthInvalidRequestError),
        (
            "grant_type=client_credentials&client_id=a&client_secret=b",
            basic("a", "b"),
            tessera.OAuthInvalidRequestError,
        ),
    ]
    for body, header, error in cases:
        with pytest.raises(error) as info:
            tessera.token_request_parse(body, header)
        assert isinstance(info.value, tessera.OAuthError), body
    assert info.value.status == 400
    with pytest.raises(tessera.OAuthInvalidClientError) as info:
        tessera.token_request_parse("grant_type=client_credentials")
    assert (info.value.error, info.value.status) == ("invalid_client", 401)


def test_revocation_and_introspection_request_parse():
    parsed = tessera.revocation_request_parse(
        "token=t&token_type_hint=refresh_token", basic("a", "b")
    )
    assert parsed["request"] == {"token": "t", "token_type_hint": "refresh_token"}
    assert parsed["client_auth"]["client_id"] == "a"
    assert tessera.revocation_request_parse("token=t&client_id=a")["client_auth"] == {
        "method": "none",
        "client_id": "a",
    }
    with pytest.raises(tessera.OAuthInvalidRequestError):
        tessera.revocation_request_parse("client_id=a")
    assert tessera.introspection_request_parse("token=t") == {"token": "t"}
    with pytest.raises(tessera.OAuthInvalidRequestError):
        tessera.introspection_request_parse("token_type_hint=access_token")


def test_bearer():
    assert tessera.bearer_token("Bearer abc.def-ghi") == "abc.def-ghi"
    assert tessera.bearer_token("bearer abc") == "abc"
    assert tessera.bearer_token(None) is None
    assert tessera.bearer_token("") is None
    assert tessera.bearer_token("Basic YTpi") is None
    for bad in ("Bearer", "Bearer ", "Bearer a b", "Bearer ä"):
        with pytest.raises(tessera.OAuthInvalidRequestError):
            tessera.bearer_token(bad)
    with pytest.raises(tessera.TooLargeError):
        tessera.bearer_token("Bearer " + "a" * 9000)
    assert tessera.bearer_challenge("api") == 'Bearer realm="api"'


def test_access_token_scheme_rfc9449_7_1():
    assert tessera.access_token("DPoP Kz~8mXK1EalY") == ("DPoP", "Kz~8mXK1EalY")
    assert tessera.access_token("dpop abc==") == ("DPoP", "abc==")
    assert tessera.access_token("Bearer abc") == ("Bearer", "abc")
    assert tessera.access_token(None) is None
    assert tessera.access_token("") is None
    assert tessera.access_token("Basic YTpi") is None
    for bad in ("DPoP", "DPoP ", "DPoP a b", "DPoP a,b", "Bearer a b", "DPoP ä"):
        with pytest.raises(tessera.OAuthInvalidRequestError):
            tessera.access_token(bad)
    with pytest.raises(tessera.TooLargeError):
        tessera.access_token("DPoP " + "a" * 9000)
    # bearer_token keeps its behaviour: DPoP is another scheme.
    assert tessera.bearer_token("DPoP abc") is None


def test_dpop_challenges_dpop_first_rfc9449_7_1():
    assert tessera.dpop_challenge(algs=["ES256", "PS256"]) == 'DPoP algs="ES256 PS256"'
    assert (
        tessera.dpop_challenge("api", "ES256", bearer=True)
        == 'DPoP realm="api", algs="ES256", Bearer realm="api"'
    )
    assert tessera.dpop_challenge() == "DPoP"
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.dpop_challenge(None, ["ES256"], bearer=True)
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.dpop_challenge("api", ["HS256"])
    with pytest.raises(tessera.UnsupportedAlgorithmError):
        tessera.dpop_challenge("api", ["nope"])
    r = tessera.resource_error_response_dpop(
        tessera.DpopSignatureError.code, "api", ["ES256"], description="bad proof"
    )
    assert r["status"] == 401
    assert r["body"] == {"error": "invalid_dpop_proof", "error_description": "bad proof"}
    challenge = dict(r["headers"])["WWW-Authenticate"]
    assert challenge == (
        'DPoP realm="api", error="invalid_dpop_proof", error_description="bad proof", '
        'algs="ES256", Bearer realm="api"'
    )
    r = tessera.resource_error_response_dpop(
        tessera.DpopNonceRequiredError.code, None, bearer=False
    )
    assert r["status"] == 401 and r["body"]["error"] == "use_dpop_nonce"
    assert dict(r["headers"])["WWW-Authenticate"] == 'DPoP error="use_dpop_nonce"'
    r = tessera.resource_error_response_dpop(
        tessera.ExpiredError.code, "api", "ES256", required_scope="x"
    )
    challenge = dict(r["headers"])["WWW-Authenticate"]
    assert challenge.index("DPoP ") < challenge.index("Bearer ")
    assert 'Bearer realm="api", error="invalid_token"' in challenge
    r = tessera.resource_error_response_dpop(
        tessera.ScopeNotGrantedError.code, "api", "ES256", required_scope="write"
    )
    assert r["status"] == 403
    assert dict(r["headers"])["WWW-Authenticate"].count('scope="write"') == 2
    # The token endpoint keeps 400, without a challenge.
    r = tessera.error_response(tessera.DpopProofRequiredError.code, None, "as")
    assert r["status"] == 400 and "WWW-Authenticate" not in dict(r["headers"])
    # The Bearer-only resource response gives DPoP errors 401 and their challenge too.
    r = tessera.resource_error_response(tessera.DpopReplayError.code, "api")
    assert r["status"] == 401
    assert dict(r["headers"])["WWW-Authenticate"] == 'DPoP realm="api", error="invalid_dpop_proof"'


def test_server_metadata_sender_constraints():
    m = tessera.server_metadata(
        {
            "issuer": "https://as.example",
            "response_types_supported": ["code"],
            "dpop_signing_alg_values_supported": ["ES256", "EdDSA"],
            "tls_client_certificate_bound_access_tokens": True,
        }
    )
    assert m["dpop_signing_alg_values_supported"] == ["ES256", "EdDSA"]
    assert m["tls_client_certificate_bound_access_tokens"] is True
    m = tessera.server_metadata(
        {
            "issuer": "https://as.example",
            "response_types_supported": ["code"],
            "tls_client_certificate_bound_access_tokens": False,
        }
    )
    assert "tls_client_certificate_bound_access_tokens" not in m
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.server_metadata(
            {
                "issuer": "https://as.example",
                "response_types_supported": ["code"],
                "dpop_signing_alg_values_supported": ["HS256"],
            }
        )


def test_error_responses():
    r = tessera.error_response(tessera.OAuthInvalidGrantError.code, "bad code")
    assert r["status"] == 400
    assert r["body"] == {"error": "invalid_grant", "error_description": "bad code"}
    headers = dict(r["headers"])
    assert headers["Cache-Control"] == "no-store" and headers["Pragma"] == "no-cache"
    r = tessera.error_response(701, realm="https://as.example")
    assert (
        r["status"] == 401
        and dict(r["headers"])["WWW-Authenticate"] == 'Basic realm="https://as.example"'
    )
    assert tessera.error_response(tessera.PkceMismatchError())["body"]["error"] == "invalid_grant"
    assert tessera.error_response(tessera.PanicError.code)["body"] == {"error": "server_error"}
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.error_response(0)
    r = tessera.resource_error_response(tessera.ExpiredError.code, "api", "expired")
    assert r["status"] == 401 and r["body"]["error"] == "invalid_token"
    assert dict(r["headers"])["WWW-Authenticate"].startswith(
        'Bearer realm="api", error="invalid_token"'
    )
    r = tessera.resource_error_response(
        tessera.ScopeNotGrantedError.code, "api", required_scope="read"
    )
    assert r["status"] == 403
    assert 'scope="read"' in dict(r["headers"])["WWW-Authenticate"]
    r = tessera.resource_error_response(tessera.OAuthInvalidRequestError.code, "api")
    assert r["status"] == 400


def test_redirect_uri():
    assert (
        tessera.redirect_uri("https://app.example/cb?x=1", {"code": "c", "state": "s t"})
        == "https://app.example/cb?x=1&code=c&state=s+t"
    )
    assert (
        tessera.redirect_uri("https://a/cb", {"access_token": "t"}, "fragment")
        == "https://a/cb#access_token=t"
    )
    assert tessera.redirect_uri("https://a/cb") == "https://a/cb"
    assert tessera.redirect_uri("https://a/cb", '{"code":"c"}') == "https://a/cb?code=c"
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.redirect_uri("/relative", {"code": "c"})
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.redirect_uri("https://a/cb#frag", {"code": "c"})
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.redirect_uri("https://a/cb", {"code": "c"}, "form_post")
    with pytest.raises(tessera.InvalidJsonError):
        tessera.redirect_uri("https://a/cb", {"code": 1})  # type: ignore[dict-item]
    assert tessera.redirect_uri_matches("https://a/cb", "https://a/cb")
    assert not tessera.redirect_uri_matches("https://a/cb", "https://a/cb/")
    assert tessera.redirect_uri_matches("http://127.0.0.1:1/cb", "http://127.0.0.1:5555/cb")
    assert not tessera.redirect_uri_matches("http://localhost:1/cb", "http://localhost:2/cb")


def test_server_metadata():
    issuer = "http://127.0.0.1:8000"
    meta = {
        "issuer": issuer,
        "authorization_endpoint": issuer + "/authorize",
        "token_endpoint": issuer + "/token",
        "jwks_uri": issuer + "/jwks.json",
        "response_types_supported": ["code"],
        "grant_types_supported": [],
        "x_whoami_endpoint": issuer + "/api/whoami",
    }
    out = tessera.server_metadata(meta)
    assert out["issuer"] == issuer and out["x_whoami_endpoint"] == issuer + "/api/whoami"
    assert "grant_types_supported" not in out  # empty optional lists dropped
    assert list(out)[:3] == ["issuer", "authorization_endpoint", "token_endpoint"]
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.server_metadata(dict(meta, issuer="http://as.example"))
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.server_metadata(dict(meta, response_types_supported=[]))
    with pytest.raises(tessera.InvalidJsonError):
        tessera.server_metadata(dict(meta, issuer=5))


def test_server_metadata_url_rfc8414_3_1():
    url = tessera.server_metadata_url
    assert url("http://127.0.0.1:8000") == (
        "http://127.0.0.1:8000/.well-known/oauth-authorization-server"
    )
    assert url("https://as.example/") == "https://as.example/.well-known/oauth-authorization-server"
    assert url("https://as.example/tenant") == (
        "https://as.example/.well-known/oauth-authorization-server/tenant"
    )
    assert url("https://as.example/tenants/beta/") == (
        "https://as.example/.well-known/oauth-authorization-server/tenants/beta/"
    )
    for bad in ("http://as.example/t", "https://as.example/t?x", "https://as.example/#f", ""):
        with pytest.raises(tessera.InvalidArgumentError):
            url(bad)
