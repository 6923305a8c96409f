"""DPoP (RFC 9449) on examples/authserver.py over real HTTP, driven by requests-oauth2client (a
client library that implements DPoP): authorization code + PKCE with ``dpop_jkt``, the token
request with its proof, the server nonce challenge and retry at the token endpoint and at the
resource, a refresh with the same key, protected-resource calls with ``Authorization: DPoP``,
and the refusals: a bound token sent as Bearer, a replayed proof, a code redeemed with another
key, a bound refresh token without its key, a client that must use DPoP sending none."""

from __future__ import annotations

import base64
import http.client
import json

import pytest
import requests
import tessera
from requests_oauth2client import DPoPKey, DPoPToken, OAuth2Client
from requests_oauth2client.exceptions import InvalidGrant

from test_authserver import CLIENTS, FORM, REDIRECT, Server

DPOP_CLIENTS = [
    *CLIENTS,
    {
        "client_id": "dpop-only",
        "public": True,
        "redirect_uris": [REDIRECT],
        "scope": "read",
        "grant_types": ["authorization_code", "refresh_token"],
        "dpop_bound_access_tokens": True,
    },
]


class DpopServer(Server):
    """The example server with DPoP nonces required (``"dpop": {"require_nonce": true}``)."""

    def __init__(self, tmp):
        super().__init__(tmp, "alice")
        config = json.loads(self.config.read_text())
        config["clients"] = DPOP_CLIENTS
        config["dpop"] = {"require_nonce": True}
        self.config.write_text(json.dumps(config))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = DpopServer(tmp_path_factory.mktemp("dpop")).start()
    yield s
    s.stop()


class Recorder:
    """A requests session that keeps every response, to see the challenges the library met."""

    def __init__(self):
        self.session = requests.Session()
        self.responses = []
        self.session.hooks["response"].append(lambda r, *a, **k: self.responses.append(r))


def whoami_log(server):
    """The statuses of the /api/whoami requests in the server's request log, in order."""
    lines = server.log.read_text().splitlines()
    return [l.split('" ')[1].split()[0] for l in lines if '"GET /api/whoami ' in l]


def client_for(server, recorder, client_id="spa"):
    return OAuth2Client(
        token_endpoint=server.meta["token_endpoint"],
        authorization_endpoint=server.meta["authorization_endpoint"],
        redirect_uri=REDIRECT,
        client_id=client_id,
        issuer=server.issuer,
        authorization_response_iss_parameter_supported=True,
        dpop_bound_access_tokens=True,
        session=recorder.session,
        testing=True,  # plain http on 127.0.0.1
    )


def claims_of(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def authorize(server, azr):
    r = requests.get(str(azr.uri), allow_redirects=False)
    assert r.status_code == 302, r.text
    return azr.validate_callback(r.headers["Location"])


def test_metadata_advertises_dpop(server):
    algs = server.meta["dpop_signing_alg_values_supported"]
    assert "ES256" in algs and "EdDSA" in algs and "PS256" in algs
    assert not any(a.startswith("HS") for a in algs)


def test_code_pkce_dpop_nonce_refresh_and_resource(server):
    rec = Recorder()
    client = client_for(server, rec)
    azr = client.authorization_request(scope="read write")
    assert azr.dpop_key is not None and "dpop_jkt=" in str(azr.uri)
    jkt = azr.dpop_key.dpop_jkt
    token = client.authorization_code(authorize(server, azr))

    # The first token request had no nonce: 400 use_dpop_nonce with a DPoP-Nonce, then the
    # library retried with it (RFC 9449 §8).
    token_calls = [r for r in rec.responses if r.url == server.meta["token_endpoint"]]
    assert [r.status_code for r in token_calls] == [400, 200]
    assert token_calls[0].json()["error"] == "use_dpop_nonce"
    assert token_calls[0].headers["DPoP-Nonce"]
    assert token_calls[1].headers["DPoP-Nonce"]

    assert isinstance(token, DPoPToken)
    assert token.token_type == "DPoP"
    assert claims_of(token.access_token)["cnf"] == {"jkt": jkt}
    assert token.refresh_token

    # The resource: the first call meets the resource server's nonce challenge (401, DPoP
    # challenge first), the library retries with the nonce (RFC 9449 §9).
    whoami = server.base + "/api/whoami"
    r = rec.session.get(whoami, auth=token)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {"sub": "alice", "client_id": "spa", "scope": "read write", "cnf": {"jkt": jkt}}
    # The server's request log shows the exchange: 401 (the nonce challenge), then 200.
    seen = len(whoami_log(server))
    assert whoami_log(server)[-2:] == ["401", "200"]
    # With the nonce now known, the next call goes straight through.
    assert rec.session.get(whoami, auth=token).status_code == 200
    assert whoami_log(server)[seen:] == ["200"]

    # The same exchange by hand, with tessera's own client side: a proof without the nonce is
    # 401 use_dpop_nonce (DPoP challenge first, a DPoP-Nonce to use); with it, 200.
    key = tessera.Key.from_jwk(json.dumps(azr.dpop_key.private_key.to_dict()).encode())
    auth = {"Authorization": f"DPoP {token.access_token}"}
    proof = tessera.dpop.create_proof(key, "GET", whoami, access_token=token.access_token)
    r = requests.get(whoami, headers={**auth, "DPoP": proof})
    assert r.status_code == 401 and r.json()["error"] == "use_dpop_nonce"
    assert r.headers["WWW-Authenticate"].startswith(f'DPoP realm="{server.issuer}", error="use_dpop_nonce"')
    nonce = r.headers["DPoP-Nonce"]
    proof = tessera.dpop.create_proof(key, "GET", whoami, nonce=nonce, access_token=token.access_token)
    r = requests.get(whoami, headers={**auth, "DPoP": proof})
    assert r.status_code == 200 and r.json()["cnf"] == {"jkt": jkt}

    # Refresh with the same key (a public client's refresh token is bound to it).
    refreshed = client.refresh_token(token)
    assert isinstance(refreshed, DPoPToken)
    assert refreshed.access_token != token.access_token
    assert refreshed.refresh_token and refreshed.refresh_token != token.refresh_token
    assert claims_of(refreshed.access_token)["cnf"] == {"jkt": jkt}
    assert rec.session.get(whoami, auth=refreshed).status_code == 200

    # The bound token as a Bearer token: 401 invalid_token, the DPoP challenge first.
    r = requests.get(whoami, headers={"Authorization": f"Bearer {refreshed.access_token}"})
    assert r.status_code == 401
    challenge = r.headers["WWW-Authenticate"]
    assert challenge.startswith("DPoP ") and ", Bearer " in challenge
    assert 'error="invalid_token"' in challenge

    # A replayed proof (the last one the library sent) is refused at the resource...
    last_ok = [r for r in rec.responses if r.url == whoami and r.status_code == 200][-1]
    replay = requests.get(whoami, headers={"Authorization": f"DPoP {refreshed.access_token}", "DPoP": last_ok.request.headers["DPoP"]})
    assert replay.status_code == 401
    assert 'error="invalid_dpop_proof"' in replay.headers["WWW-Authenticate"]
    assert replay.json()["error"] == "invalid_dpop_proof"

    # ... and at the token endpoint.
    last_token = [r for r in rec.responses if r.url == server.meta["token_endpoint"] and r.status_code == 200][-1]
    again = requests.post(server.meta["token_endpoint"], data=last_token.request.body, headers={**FORM, "DPoP": last_token.request.headers["DPoP"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_dpop_proof"

    # The bound refresh token without a proof, or with another key's: refused.
    plain = requests.post(server.meta["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": refreshed.refresh_token, "client_id": "spa"}, headers=FORM)
    assert plain.status_code == 400 and plain.json()["error"] == "invalid_grant"
    with pytest.raises(InvalidGrant):
        client.token_request(
            {"grant_type": "refresh_token", "refresh_token": refreshed.refresh_token},
            dpop_key=DPoPKey.generate("ES256"),
        )
    # The family is intact: the right key still refreshes.
    assert isinstance(client.refresh_token(refreshed), DPoPToken)

    # Introspection shows the binding (RFC 7662, RFC 9449 §6.2).
    r = requests.post(server.meta["introspection_endpoint"], data={"token": refreshed.access_token}, auth=("web", "web-s3cret"))
    assert r.status_code == 200
    assert r.json()["active"] is True and r.json()["cnf"] == {"jkt": jkt}


def test_code_bound_with_dpop_jkt_needs_that_key(server):
    client = client_for(server, Recorder())
    azr = client.authorization_request(scope="read", dpop_key=DPoPKey.generate("ES256"))
    response = authorize(server, azr)
    with pytest.raises(InvalidGrant):
        client.authorization_code(
            response.code,
            code_verifier=response.code_verifier,
            redirect_uri=REDIRECT,
            dpop=True,
            dpop_key=DPoPKey.generate("EdDSA"),
        )


def test_client_registered_for_dpop_must_send_a_proof(server):
    client = client_for(server, Recorder(), "dpop-only")
    azr = client.authorization_request(scope="read", dpop=False)
    response = authorize(server, azr)
    r = requests.post(
        server.meta["token_endpoint"],
        data={"grant_type": "authorization_code", "code": response.code, "code_verifier": response.code_verifier, "redirect_uri": REDIRECT, "client_id": "dpop-only"},
        headers=FORM,
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_dpop_proof"


def test_resource_challenges_and_malformed_proofs(server):
    whoami = server.base + "/api/whoami"
    r = requests.get(whoami)
    assert r.status_code == 401
    challenge = r.headers["WWW-Authenticate"]
    assert challenge.startswith("DPoP ") and "algs=" in challenge and "Bearer realm=" in challenge
    r = requests.get(whoami, headers={"Authorization": "DPoP not-a-jwt", "DPoP": "x.y.z"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("DPoP ")
    # Two DPoP headers at the token endpoint: invalid_dpop_proof (RFC 9449 §4.3 rule 1).
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("POST", "/token")
    body = b"grant_type=client_credentials"
    for name, value in [
        ("Content-Type", FORM["Content-Type"]),
        ("Content-Length", str(len(body))),
        ("Authorization", "Basic " + base64.b64encode(b"backend:backend-s3cret").decode()),
        ("DPoP", "a.b.c"),
        ("DPoP", "a.b.c"),
    ]:
        conn.putheader(name, value)
    conn.endheaders(body)
    r = conn.getresponse()
    assert r.status == 400 and json.loads(r.read())["error"] == "invalid_dpop_proof"
    conn.close()
