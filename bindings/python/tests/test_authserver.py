"""examples/authserver.py over real HTTP, driven by oauthlib's clients and requests:
authorization code + PKCE, refresh rotation, reuse detection, client credentials, implicit,
revocation, introspection, the resource endpoint, and the RFC 6749 error cases."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from oauthlib.oauth2 import (
    BackendApplicationClient,
    MobileApplicationClient,
    WebApplicationClient,
)
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

import tessera
from conftest import PACKAGE_DIR

os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # the server is plain http on 127.0.0.1
os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"

SERVER = PACKAGE_DIR / "examples" / "authserver.py"
REDIRECT = "http://127.0.0.1:9/cb"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SECRETS = {"web": "web-s3cret", "backend": "backend-s3cret", "limited": "limited-s3cret"}
CLIENTS = [
    {
        "client_id": "web",
        "client_secret": SECRETS["web"],
        "public": False,
        "redirect_uris": [REDIRECT],
        "scope": "read write",
        "grant_types": ["authorization_code", "refresh_token"],
    },
    {
        "client_id": "spa",
        "public": True,
        "redirect_uris": [REDIRECT],
        "scope": "read write",
        "grant_types": ["authorization_code", "refresh_token", "implicit"],
    },
    {
        "client_id": "backend",
        "client_secret": SECRETS["backend"],
        "public": False,
        "redirect_uris": [],
        "scope": "read write jobs:run",
        "grant_types": ["client_credentials"],
    },
    {
        "client_id": "limited",
        "client_secret": SECRETS["limited"],
        "public": False,
        "redirect_uris": [REDIRECT],
        "scope": "read",
        "grant_types": ["authorization_code"],
    },
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WELL_KNOWN = "/.well-known/oauth-authorization-server"


class Server:
    def __init__(self, tmp: Path, auto_approve_user, issuer_path=""):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # The issuer identifier, byte for byte, and where RFC 8414 §3.1 puts its metadata: the
        # well-known string between host and path (the path as is, a trailing "/" included).
        self.issuer = self.base + issuer_path
        self.meta_url = self.base + WELL_KNOWN + (issuer_path if issuer_path != "/" else "")
        self.db = tmp / "as.sqlite3"
        config = {"issuer": self.issuer, "clients": CLIENTS}
        if auto_approve_user:
            config["auto_approve_user"] = auto_approve_user
        self.config = tmp / "as.json"
        self.config.write_text(json.dumps(config))
        self.log = tmp / "server.log"
        self.proc = None

    def start(self) -> "Server":
        env = dict(os.environ)
        if env.get("TESSERA_LIBRARY"):
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(PACKAGE_DIR), env.get("PYTHONPATH")])
            )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(SERVER),
                "--port",
                str(self.port),
                "--db",
                str(self.db),
                "--config",
                str(self.config),
            ],
            stdout=subprocess.PIPE,
            stderr=open(self.log, "ab"),
            env=env,
            text=True,
        )
        line = self.proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, self.log.read_text()
        deadline = time.time() + 10
        while True:
            try:
                requests.get(self.meta_url, timeout=2)
                break
            except requests.ConnectionError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.meta = requests.get(self.meta_url).json()
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("auto"), "alice").start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def consent_server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("consent"), None).start()
    yield s
    s.stop()


# ---- client helpers (oauthlib + requests) ------------------------------------------------------


def code_request(server, client_id="web", scope="read write", state="st-1", pkce=True, extra=None):
    """The authorization request URL and the oauthlib client that made it."""
    client = WebApplicationClient(client_id)
    kwargs = dict(redirect_uri=REDIRECT, scope=scope.split() if scope else None, state=state)
    verifier = None
    if pkce:
        verifier = client.create_code_verifier(64)
        kwargs.update(
            code_challenge=client.create_code_challenge(verifier, "S256"),
            code_challenge_method="S256",
        )
    kwargs.update(extra or {})
    url = client.prepare_request_uri(server.meta["authorization_endpoint"], **kwargs)
    return client, url, verifier


def authorize(server, client_id="web", scope="read write", state="st-1"):
    client, url, verifier = code_request(server, client_id, scope, state)
    r = requests.get(url, allow_redirects=False)
    assert r.status_code == 302, r.text
    params = client.parse_request_uri_response(r.headers["Location"], state=state)
    assert params["iss"] == server.issuer  # RFC 9207
    return client, params["code"], verifier


def token_post(server, body, client_id=None, auth=True):
    kwargs = {"data": body, "headers": FORM}
    if client_id in SECRETS and auth:
        kwargs["auth"] = (client_id, SECRETS[client_id])
    return requests.post(server.meta["token_endpoint"], **kwargs)


def redeem(server, client, code, verifier, client_id="web"):
    public = client_id not in SECRETS
    body = client.prepare_request_body(
        code=code, redirect_uri=REDIRECT, code_verifier=verifier, include_client_id=public
    )
    return token_post(server, body, client_id)


def code_flow(server, client_id="web", scope="read write"):
    client, code, verifier = authorize(server, client_id, scope)
    r = redeem(server, client, code, verifier, client_id)
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store"
    token = client.parse_request_body_response(r.text)
    return client, token


def refresh(server, client, refresh_token, client_id="web", scope=None):
    extra = {} if client_id in SECRETS else {"client_id": client_id}  # public: identify in the body
    body = client.prepare_refresh_body(refresh_token=refresh_token, scope=scope, **extra)
    return token_post(server, body, client_id)


def whoami(server, client=None, access_token=None):
    if client is None:
        client = WebApplicationClient("x", access_token=access_token, token_type="Bearer")
    uri, headers, _ = client.add_token(server.meta["resource_endpoint"], http_method="GET")
    return requests.get(uri, headers=headers)


def introspect(server, token, client_id="web"):
    return requests.post(
        server.meta["introspection_endpoint"],
        data={"token": token},
        headers=FORM,
        auth=(client_id, SECRETS[client_id]),
    )


def revoke(server, client, token, hint, client_id="web"):
    url, headers, body = client.prepare_token_revocation_request(
        server.meta["revocation_endpoint"], token, token_type_hint=hint
    )
    auth = (client_id, SECRETS[client_id]) if client_id in SECRETS else None
    if auth is None:
        body += f"&client_id={client_id}"
    return requests.post(url, data=body, headers=headers, auth=auth)


def error_of(r):
    return r.json()["error"]


# ---- discovery ---------------------------------------------------------------------------------


def test_metadata_names_every_endpoint(server):
    meta = server.meta
    assert meta["issuer"] == server.base
    for name, path in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("jwks_uri", "/jwks.json"),
        ("revocation_endpoint", "/revoke"),
        ("introspection_endpoint", "/introspect"),
        ("resource_endpoint", "/api/whoami"),
    ]:
        assert meta[name] == server.base + path
    assert "S256" in meta["code_challenge_methods_supported"]
    assert set(meta["grant_types_supported"]) >= {
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "implicit",
    }
    jwks = requests.get(meta["jwks_uri"]).json()
    assert (
        len(jwks["keys"]) == 1 and jwks["keys"][0]["alg"] == "ES256" and "d" not in jwks["keys"][0]
    )
    assert requests.get(server.base + "/nowhere").status_code == 404


@pytest.mark.parametrize("issuer_path", ["/tenant", "/tenants/beta/"])
def test_metadata_of_an_issuer_with_a_path_rfc8414_3_1(tmp_path, issuer_path):
    s = Server(tmp_path, "alice", issuer_path).start()
    try:
        # §3.1: the well-known string between host and path; §3.3: `issuer` byte for byte.
        r = requests.get(s.meta_url)
        assert r.status_code == 200, r.text
        assert s.meta["issuer"] == s.issuer
        trimmed = s.issuer.rstrip("/")
        assert s.meta["token_endpoint"] == trimmed + "/token"
        # The bare well-known path belongs to the root issuer (§3.3), and the path with or
        # without a trailing "/" is another issuer's.
        other = s.meta_url[:-1] if s.meta_url.endswith("/") else s.meta_url + "/"
        for url in (s.base + WELL_KNOWN, other, s.base + WELL_KNOWN + "/"):
            assert requests.get(url).status_code == 404, url
        # Endpoints live below the issuer's path only.
        assert requests.post(s.base + "/token", data="grant_type=client_credentials",
                             headers=FORM).status_code == 404
        # The RFC 9207 `iss` parameter (checked by authorize) and the access token's `iss`
        # claim are the issuer, byte for byte.
        client, token = code_flow(s)
        keys = tessera.KeySet.from_jwks(requests.get(s.meta["jwks_uri"]).json())
        claims = tessera.Verifier(
            keys, issuer=s.issuer, audience=trimmed + "/api", typ="at+jwt"
        ).verify(token["access_token"])
        assert claims["iss"] == s.issuer
        assert whoami(s, client).json()["sub"] == "alice"
    finally:
        s.stop()


def test_metadata_of_a_root_issuer_is_at_the_bare_path(server):
    assert server.meta_url == server.base + WELL_KNOWN
    r = requests.get(server.base + WELL_KNOWN)
    assert r.status_code == 200 and r.json()["issuer"] == server.base
    assert requests.get(server.base + WELL_KNOWN + "/").status_code == 404


def test_server_listens_on_loopback_only(server):
    tcp = Path("/proc/net/tcp")
    if not tcp.exists():
        pytest.skip("needs Linux /proc/net/tcp to read listening sockets")
    listening = [
        line.split()[1] for line in tcp.read_text().splitlines()[1:] if line.split()[3] == "0A"
    ]
    ours = [addr for addr in listening if int(addr.split(":")[1], 16) == server.port]
    assert ours == ["0100007F:%04X" % server.port], ours  # 127.0.0.1 only


# ---- authorization code + PKCE ----------------------------------------------------------------


def test_authorization_code_with_pkce_confidential(server):
    client, token = code_flow(server)
    assert token["token_type"] == "Bearer" and token["scope"] == ["read", "write"]
    assert token["expires_in"] > 0 and token["refresh_token"].startswith("tsr_rt_")
    r = whoami(server, client)
    assert r.status_code == 200
    assert r.json() == {"sub": "alice", "client_id": "web", "scope": "read write"}
    # the access token is an RFC 9068 JWT signed with the key at jwks_uri
    keys = tessera.KeySet.from_jwks(requests.get(server.meta["jwks_uri"]).json())
    claims = tessera.Verifier(
        keys, issuer=server.base, audience=server.base + "/api", typ="at+jwt"
    ).verify(token["access_token"])
    assert claims["sub"] == "alice" and claims["client_id"] == "web"


def test_authorization_code_with_pkce_public_client(server):
    client, token = code_flow(server, "spa", "read")
    assert whoami(server, client).json() == {"sub": "alice", "client_id": "spa", "scope": "read"}


def test_code_is_single_use_and_replay_revokes_the_family(server):
    client, code, verifier = authorize(server)
    first = redeem(server, client, code, verifier)
    assert first.status_code == 200
    token = client.parse_request_body_response(first.text)
    replay = redeem(server, client, code, verifier)
    assert replay.status_code == 400 and error_of(replay) == "invalid_grant"
    with pytest.raises(oauth_errors.InvalidGrantError):
        client.parse_request_body_response(replay.text)
    # RFC 6749 §4.1.2: the tokens issued for the code are revoked
    r = whoami(server, access_token=token["access_token"])
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert error_of(refresh(server, client, token["refresh_token"])) == "invalid_grant"


def test_simultaneous_redemptions_of_one_code_cannot_both_succeed(server):
    for _ in range(4):
        client, code, verifier = authorize(server)
        body = client.prepare_request_body(code=code, redirect_uri=REDIRECT, code_verifier=verifier)
        barrier = threading.Barrier(3)
        results = []

        def go():
            barrier.wait()
            results.append(token_post(server, body, "web"))

        threads = [threading.Thread(target=go) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200, 400, 400], [r.text for r in results]
        assert all(error_of(r) == "invalid_grant" for r in results if r.status_code == 400)


# ---- refresh rotation and reuse detection ------------------------------------------------------


def test_refresh_rotation_and_reuse_detection(server):
    client, token = code_flow(server)
    rt1 = token["refresh_token"]
    r = refresh(server, client, rt1)
    assert r.status_code == 200, r.text
    token2 = client.parse_request_body_response(r.text)
    rt2 = token2["refresh_token"]
    assert rt2 != rt1 and token2["access_token"] != token["access_token"]
    assert whoami(server, client).status_code == 200
    # down-scoping on refresh
    r = refresh(server, client, rt2, scope=["read"])
    assert r.status_code == 200
    token3 = client.parse_request_body_response(r.text)
    assert whoami(server, client).json()["scope"] == "read"
    # reuse of a rotated refresh token: invalid_grant, and the whole family is revoked
    reuse = refresh(server, client, rt1)
    assert reuse.status_code == 400 and error_of(reuse) == "invalid_grant"
    assert error_of(refresh(server, client, token3["refresh_token"])) == "invalid_grant"
    for access_token in (token["access_token"], token2["access_token"], token3["access_token"]):
        assert whoami(server, access_token=access_token).status_code == 401
        assert introspect(server, access_token).json() == {"active": False}
    assert introspect(server, token3["refresh_token"]).json() == {"active": False}


def test_refresh_by_another_client_revokes_the_family(server):
    # RFC 9700 §4.14.2: spa's refresh token in web's hands has leaked. Refused, and the whole
    # family is revoked, as for reuse.
    spa, token = code_flow(server, "spa", "read")
    web = WebApplicationClient("web")
    stolen = refresh(server, web, token["refresh_token"], client_id="web")
    assert stolen.status_code == 400 and error_of(stolen) == "invalid_grant"
    assert whoami(server, access_token=token["access_token"]).status_code == 401
    assert introspect(server, token["access_token"]).json() == {"active": False}
    r = refresh(server, spa, token["refresh_token"], client_id="spa")
    assert r.status_code == 400 and error_of(r) == "invalid_grant"


def test_refresh_scope_cannot_grow(server):
    client, token = code_flow(server, scope="read")
    r = refresh(server, client, token["refresh_token"], scope=["read", "write"])
    assert r.status_code == 400 and error_of(r) == "invalid_scope"
    with pytest.raises(oauth_errors.InvalidScopeError):
        client.parse_request_body_response(r.text)


# ---- client credentials and implicit -----------------------------------------------------------


def test_client_credentials(server):
    client = BackendApplicationClient("backend")
    r = token_post(server, client.prepare_request_body(scope=["jobs:run"]), "backend")
    assert r.status_code == 200, r.text
    token = client.parse_request_body_response(r.text)
    assert "refresh_token" not in token
    me = whoami(server, client).json()
    assert me["client_id"] == "backend" and me["scope"] == "jobs:run"
    # body credentials (client_secret_post) and the default scope
    r = token_post(
        server,
        client.prepare_request_body(include_client_id=True, client_secret=SECRETS["backend"]),
        "backend",
        auth=False,
    )
    assert r.status_code == 200 and r.json()["scope"] == "jobs:run read write"


def test_implicit_grant(server):
    client = MobileApplicationClient("spa")
    url = client.prepare_request_uri(
        server.meta["authorization_endpoint"], redirect_uri=REDIRECT, scope=["read"], state="imp-1"
    )
    r = requests.get(url, allow_redirects=False)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert urlsplit(location).fragment and not urlsplit(location).query
    token = client.parse_request_uri_response(location, state="imp-1", scope=["read"])
    assert "refresh_token" not in token
    assert whoami(server, client).json() == {"sub": "alice", "client_id": "spa", "scope": "read"}


# ---- revocation and introspection --------------------------------------------------------------


def test_revocation(server):
    client, token = code_flow(server)
    r = revoke(server, client, token["access_token"], "access_token")
    assert r.status_code == 200
    r = whoami(server, access_token=token["access_token"])
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    # the refresh token still works until it is revoked too
    r = refresh(server, client, token["refresh_token"])
    assert r.status_code == 200
    token2 = client.parse_request_body_response(r.text)
    assert revoke(server, client, token2["refresh_token"], "refresh_token").status_code == 200
    assert error_of(refresh(server, client, token2["refresh_token"])) == "invalid_grant"
    assert whoami(server, access_token=token2["access_token"]).status_code == 401  # the family's
    # a public client revokes with its client_id; unknown tokens are fine (RFC 7009 §2.2)
    spa, spa_token = code_flow(server, "spa", "read")
    assert (
        revoke(server, spa, spa_token["refresh_token"], "refresh_token", "spa").status_code == 200
    )
    assert error_of(refresh(server, spa, spa_token["refresh_token"], "spa")) == "invalid_grant"
    assert revoke(server, client, "no-such-token", "refresh_token").status_code == 200
    # another client cannot revoke web's tokens
    client3, token3 = code_flow(server)
    r = requests.post(
        server.meta["revocation_endpoint"],
        data={"token": token3["refresh_token"]},
        headers=FORM,
        auth=("backend", SECRETS["backend"]),
    )
    assert r.status_code == 200
    assert refresh(server, client3, token3["refresh_token"]).status_code == 200
    # bad client credentials: 401 invalid_client with a Basic challenge
    r = requests.post(
        server.meta["revocation_endpoint"], data={"token": "x"}, headers=FORM, auth=("web", "wrong")
    )
    assert r.status_code == 401 and error_of(r) == "invalid_client"
    assert r.headers["WWW-Authenticate"].startswith("Basic ")


def test_introspection(server):
    client, token = code_flow(server)
    info = introspect(server, token["access_token"]).json()
    assert info["active"] is True and info["sub"] == "alice" and info["client_id"] == "web"
    assert (
        info["scope"] == "read write"
        and info["token_type"] == "Bearer"
        and info["iss"] == server.base
    )
    info = introspect(server, token["refresh_token"], "backend").json()  # any confidential client
    assert info["active"] is True and info["client_id"] == "web"
    assert introspect(server, "garbage").json() == {"active": False}
    # with a Bearer token instead of client credentials
    r = requests.post(
        server.meta["introspection_endpoint"],
        data={"token": token["access_token"]},
        headers={**FORM, "Authorization": f"Bearer {token['access_token']}"},
    )
    assert r.json()["active"] is True
    # callers must authenticate
    r = requests.post(
        server.meta["introspection_endpoint"], data={"token": token["access_token"]}, headers=FORM
    )
    assert r.status_code == 401 and error_of(r) == "invalid_client"
    r = requests.post(
        server.meta["introspection_endpoint"],
        data={"token": "x"},
        headers=FORM,
        auth=("web", "wrong"),
    )
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic ")
    r = requests.post(
        server.meta["introspection_endpoint"], data={"token": "x", "client_id": "spa"}, headers=FORM
    )
    assert r.status_code == 401  # a public client proves nothing
    assert revoke(server, client, token["access_token"], "access_token").status_code == 200
    assert introspect(server, token["access_token"]).json() == {"active": False}


# ---- the resource endpoint ----------------------------------------------------------------------


def test_whoami_challenges(server):
    """Every 401 names both schemes the resource accepts, DPoP first (RFC 9449 §7.1, §9),
    then Bearer (RFC 6750 §3)."""
    url = server.meta["resource_endpoint"]
    algs = " ".join(server.meta["dpop_signing_alg_values_supported"])
    r = requests.get(url)  # no credentials: RFC 6750 §3.1, challenges without an error code
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == (
        f'DPoP realm="{server.base}", algs="{algs}", Bearer realm="{server.base}"'
    )
    r = requests.get(url, headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401
    challenge = r.headers["WWW-Authenticate"]
    assert challenge.startswith(f'DPoP realm="{server.base}", error="invalid_token"')
    assert f'Bearer realm="{server.base}", error="invalid_token"' in challenge
    r = requests.get(
        url, headers={"Authorization": "Bearer " + tessera.Key.generate("ES256").sign({"exp": 4e9})}
    )
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    r = requests.get(url, headers={"Authorization": "Bearer a b"})
    assert r.status_code == 400 and 'error="invalid_request"' in r.headers["WWW-Authenticate"]
    r = requests.get(url, headers={"Authorization": "Basic d2ViOng="})
    assert r.status_code == 401 and "error=" not in r.headers["WWW-Authenticate"]


# ---- RFC 6749 error cases ----------------------------------------------------------------------


def test_token_endpoint_errors(server):
    client, code, verifier = authorize(server)
    cases = [
        # (body, client_id, send its credentials, status, error)
        (
            "grant_type=authorization_code&redirect_uri=" + REDIRECT,
            "web",
            True,
            400,
            "invalid_request",
        ),
        ("grant_type=password&username=a&password=b", "web", True, 400, "unsupported_grant_type"),
        (
            f"grant_type=authorization_code&code=tsr_ac_bogus&redirect_uri={REDIRECT}",
            "web",
            True,
            400,
            "invalid_grant",
        ),
        ("grant_type=client_credentials", "web", True, 400, "unauthorized_client"),
        ("grant_type=client_credentials&scope=admin", "backend", True, 400, "invalid_scope"),
        (
            "grant_type=client_credentials&client_id=nobody&client_secret=x",
            None,
            False,
            401,
            "invalid_client",
        ),
        ("grant_type=client_credentials", None, False, 401, "invalid_client"),
        # client_secret_post with a wrong secret
        (
            "grant_type=client_credentials&client_id=backend&client_secret=wrong",
            None,
            False,
            401,
            "invalid_client",
        ),
        # a public client presenting a secret it does not have
        ("grant_type=client_credentials&client_id=spa&client_secret=x", None, False, 401,
         "invalid_client"),
    ]
    for body, client_id, auth, status, error in cases:
        r = token_post(server, body, client_id, auth)
        assert (r.status_code, error_of(r)) == (status, error), (body, r.text)
        # Every 401 carries a challenge (RFC 9110 §15.5.2); Basic is the token endpoint's
        # scheme whichever way the client authenticated (RFC 6749 §5.2).
        if status == 401:
            assert r.headers.get("WWW-Authenticate") == f'Basic realm="{server.issuer}"', body
        else:
            assert "WWW-Authenticate" not in r.headers, body
        assert r.headers["Cache-Control"] == "no-store"
        with pytest.raises(oauth_errors.OAuth2Error) as info:  # oauthlib reads the error
            WebApplicationClient("x").parse_request_body_response(r.text)
        assert info.value.error == error
    # wrong secret over HTTP Basic: 401 with a Basic challenge
    r = requests.post(
        server.meta["token_endpoint"],
        data="grant_type=client_credentials",
        headers=FORM,
        auth=("backend", "wrong"),
    )
    assert r.status_code == 401 and error_of(r) == "invalid_client"
    assert r.headers["WWW-Authenticate"] == f'Basic realm="{server.base}"'
    # ...and a wrong client_secret_post secret at revocation and introspection.
    for endpoint in ("revocation_endpoint", "introspection_endpoint"):
        r = requests.post(
            server.meta[endpoint],
            data={"token": "x", "client_id": "backend", "client_secret": "wrong"},
            headers=FORM,
        )
        assert r.status_code == 401 and error_of(r) == "invalid_client", (endpoint, r.text)
        assert r.headers["WWW-Authenticate"] == f'Basic realm="{server.issuer}"', endpoint
    # a duplicated parameter, and a body that is not a form
    r = token_post(server, "grant_type=client_credentials&grant_type=client_credentials", "backend")
    assert (r.status_code, error_of(r)) == (400, "invalid_request")
    r = requests.post(
        server.meta["token_endpoint"],
        json={"grant_type": "client_credentials"},
        auth=("backend", SECRETS["backend"]),
    )
    assert (r.status_code, error_of(r)) == (400, "invalid_request")
    # wrong redirect_uri and wrong verifier: invalid_grant, and the code is burned
    body = client.prepare_request_body(
        code=code, redirect_uri="http://127.0.0.1:9/other", code_verifier=verifier
    )
    assert error_of(token_post(server, body, "web")) == "invalid_grant"
    assert redeem(server, client, code, verifier).status_code == 400
    client, code, verifier = authorize(server)
    assert (
        error_of(redeem(server, client, code, client.create_code_verifier(64))) == "invalid_grant"
    )
    # another client's code
    client, code, verifier = authorize(server)
    other = WebApplicationClient("limited")
    body = other.prepare_request_body(code=code, redirect_uri=REDIRECT, code_verifier=verifier)
    assert error_of(token_post(server, body, "limited")) == "invalid_grant"
    # a client that may not refresh
    limited, token = code_flow(server, "limited", "read")
    assert "refresh_token" not in token


def parse_location(r):
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    assert location.startswith(REDIRECT)
    parts = urlsplit(location)
    return {k: v[0] for k, v in parse_qs(parts.query or parts.fragment).items()}


def test_authorization_endpoint_errors(server):
    # unknown client and unregistered redirect URI: an error page, never a redirect
    for client_id, redirect in (("nobody", REDIRECT), ("web", "http://evil.example/cb")):
        client = WebApplicationClient(client_id)
        url = client.prepare_request_uri(
            server.meta["authorization_endpoint"],
            redirect_uri=redirect,
            scope=["read"],
            state="s",
            code_challenge="x" * 43,
            code_challenge_method="S256",
        )
        r = requests.get(url, allow_redirects=False)
        assert r.status_code == 400 and "Location" not in r.headers
        assert "text/html" in r.headers["Content-Type"]
    r = requests.get(
        server.meta["authorization_endpoint"] + "?client_id=web", allow_redirects=False
    )
    assert r.status_code == 400 and "Location" not in r.headers  # no response_type: not trusted
    # redirectable errors carry error and state (RFC 6749 §4.1.2.1)
    client, url, _ = code_request(server, scope="read admin", state="s1")
    params = parse_location(requests.get(url, allow_redirects=False))
    assert params["error"] == "invalid_scope" and params["state"] == "s1"
    with pytest.raises(oauth_errors.InvalidScopeError):
        client.parse_request_uri_response(
            requests.get(url, allow_redirects=False).headers["Location"], state="s1"
        )
    client, url, _ = code_request(server, "spa", scope="read", state="s2", pkce=False)
    params = parse_location(requests.get(url, allow_redirects=False))
    assert (
        params["error"] == "invalid_request" and params["state"] == "s2"
    )  # public client, no PKCE
    url = url.replace("response_type=code", "response_type=id_token")
    params = parse_location(requests.get(url, allow_redirects=False))
    assert params["error"] == "unsupported_response_type"
    client = MobileApplicationClient("web")  # implicit not registered for web
    url = client.prepare_request_uri(
        server.meta["authorization_endpoint"], redirect_uri=REDIRECT, scope=["read"], state="s3"
    )
    params = parse_location(requests.get(url, allow_redirects=False))
    assert params["error"] == "unauthorized_client"


# ---- consent --------------------------------------------------------------------------------------


def consent_form(consent_server, url):
    r = requests.get(url, allow_redirects=False)
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
    page = r.text
    assert "Approve" in page and "Deny" in page and "read" in page

    def field(name):
        marker = f"name='{name}' value='"
        start = page.index(marker) + len(marker)
        return page[start : page.index("'", start)]

    import html as _html

    return {"query": _html.unescape(field("query")), "csrf": field("csrf")}


def test_consent_form_approve_deny_and_forgery(consent_server):
    s = consent_server
    client, url, verifier = code_request(s, scope="read", state="c1")
    form = consent_form(s, url)
    approve = dict(form, consent="approve", username="carol")
    r = requests.post(s.meta["authorization_endpoint"], data=approve, allow_redirects=False)
    params = parse_location(r)
    assert params["state"] == "c1"
    r = redeem(s, client, params["code"], verifier)
    assert r.status_code == 200
    client.parse_request_body_response(r.text)
    assert whoami(s, client).json() == {"sub": "carol", "client_id": "web", "scope": "read"}
    # deny
    client, url, _ = code_request(s, scope="read", state="c2")
    form = consent_form(s, url)
    r = requests.post(
        s.meta["authorization_endpoint"], data=dict(form, consent="deny"), allow_redirects=False
    )
    params = parse_location(r)
    assert (params["error"], params["state"], params["iss"]) == ("access_denied", "c2", s.base)
    with pytest.raises(oauth_errors.AccessDeniedError):
        client.parse_request_uri_response(r.headers["Location"], state="c2")
    # a forged or altered form
    r = requests.post(
        s.meta["authorization_endpoint"],
        data=dict(form, csrf="0" * 64, consent="approve", username="mallory"),
        allow_redirects=False,
    )
    assert r.status_code == 403 and "Location" not in r.headers
    altered = dict(
        form,
        query=form["query"].replace("scope=read", "scope=read+write"),
        consent="approve",
        username="mallory",
    )
    assert (
        requests.post(
            s.meta["authorization_endpoint"], data=altered, allow_redirects=False
        ).status_code
        == 403
    )
    # approving without a name shows the form again
    r = requests.post(
        s.meta["authorization_endpoint"],
        data=dict(form, consent="approve", username=""),
        allow_redirects=False,
    )
    assert r.status_code == 200 and "Please enter your name" in r.text


# ---- storage --------------------------------------------------------------------------------------


def test_storage_keeps_hashes_not_secrets(server):
    client, token = code_flow(server)
    conn = sqlite3.connect(server.db)
    try:
        dump = "\n".join(conn.iterdump())
        registrations = [json.loads(r[0]) for r in conn.execute("SELECT registration FROM clients")]
    finally:
        conn.close()
    for secret in SECRETS.values():
        assert secret not in dump
    assert token["refresh_token"] not in dump and token["access_token"] not in dump
    web = next(r for r in registrations if r["client_id"] == "web")
    assert web["kind"] == "confidential" and ":" in web["secret_hash"]
    spa = next(r for r in registrations if r["client_id"] == "spa")
    assert spa["kind"] == "public" and "secret_hash" not in spa


def test_restart_keeps_keys_and_grants(tmp_path):
    s = Server(tmp_path, "dave").start()
    try:
        client, token = code_flow(s)
    finally:
        s.stop()
    s.start()
    try:
        assert whoami(s, client).json()["sub"] == "dave"
        r = refresh(s, client, token["refresh_token"])
        assert r.status_code == 200, r.text
    finally:
        s.stop()
