#!/usr/bin/env python3
"""A complete small OAuth 2.0 authorization server and resource endpoint on the standard
library (http.server, sqlite3) and the tessera binding.

    python3 bindings/python/examples/authserver.py --port 8000 --db as.sqlite3 --config as.json

where ``as.json`` is::

    {"issuer": "http://127.0.0.1:8000",
     "auto_approve_user": "alice",                  (absent: show a consent form)
     "clients": [{"client_id": "web", "client_secret": "s3cret", "public": false,
                  "redirect_uris": ["http://127.0.0.1:9000/cb"], "scope": "read write",
                  "grant_types": ["authorization_code", "refresh_token"]}]}

Optional members: ``"policy"`` (merged into tessera's grant policy, e.g.
``{"access_token_lifetime": 600}``); ``"dpop"``, e.g. ``{"require_nonce": true}`` (server
nonces for DPoP proofs at /token and /api/whoami, RFC 9449 §8, §9); and per client
``"default_scope"`` (default: its scope) and ``"dpop_bound_access_tokens": true`` (RFC 9449
§5.2: the client must send a DPoP proof with every token request).

DPoP (RFC 9449): a ``DPoP`` proof at /token binds the access token to the client's key
(``cnf.jkt``, ``token_type: DPoP``), and for public clients the refresh token too; a
``dpop_jkt`` authorization request parameter binds the code. /api/whoami accepts
``Authorization: DPoP <token>`` with a proof (``ath`` checked, the proof's key must be the
token's) and refuses a DPoP-bound token sent as ``Bearer``; its 401s carry the ``DPoP``
challenge first, then ``Bearer``. Every proof's ``jti`` is recorded in the database and a
replay is refused (``invalid_dpop_proof``), at both endpoints.

Endpoints (the metadata names every one of them):

    GET  /.well-known/oauth-authorization-server   RFC 8414 metadata (for an issuer with a path,
                                                    such as http://127.0.0.1:8000/tenant, only at
                                                    /.well-known/oauth-authorization-server/tenant,
                                                    §3.1; the other endpoints below /tenant)
    GET  /jwks.json                                 the access-token signing key (jwks_uri)
    GET  /authorize, POST /authorize                authorization endpoint (+ consent form)
    POST /token                                     authorization_code (PKCE), refresh_token,
                                                    client_credentials
    POST /revoke                                    RFC 7009 revocation
    POST /introspect                                RFC 7662 introspection (client credentials
                                                    of a confidential client, or a Bearer token)
    GET  /api/whoami                                resource: the token's sub, client, scope
                                                    (Bearer, or DPoP with a proof)

It listens on 127.0.0.1 only. How tessera is embedded: the engine stores nothing and never
reads the clock; this host keeps each grant family's state (versioned JSON) in sqlite under its
family id, an index from lookup hashes (never tokens) to family ids, and a deny-list of revoked
access tokens. Every state change is saved with a compare-and-swap on the loaded version inside
one transaction, so two simultaneous redemptions of one code cannot both succeed: the loser
reloads, sees the code consumed, and the replay revokes the family (RFC 6749 §4.1.2). Client
secrets are stored only as their pepper-keyed lookup hashes (``tessera_client_secret_hash``).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import json
import secrets
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

try:
    import tessera
except ImportError:  # running from a checkout: use the package beside this example
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import tessera

MAX_BODY = 64 * 1024
CAS_ATTEMPTS = 8
FORM = "application/x-www-form-urlencoded"


# ---- storage ---------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, registration TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS families (
    family_id TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lookups (
    lookup TEXT PRIMARY KEY, family_id TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS revoked_access_tokens (
    jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dpop_proofs (
    jkt TEXT NOT NULL, jti TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (jkt, jti));
"""


class Conflict(Exception):
    """A compare-and-swap lost a race: reload and call the engine again."""


class Store:
    """Grant state in sqlite: one connection per thread, writes in IMMEDIATE transactions."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        with self._conn() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    # settings and clients

    def setting(self, name: str, make: Any) -> str:
        """The stored value of `name`, created with `make()` on first use."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
            if row is None:
                value = make()
                conn.execute("INSERT INTO settings (name, value) VALUES (?, ?)", (name, value))
            else:
                value = row[0]
            conn.execute("COMMIT")
            return value
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def save_client(self, registration: Dict[str, Any]) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO clients (client_id, registration) VALUES (?, ?)",
            (registration["client_id"], json.dumps(registration)),
        )

    def client(self, client_id: Optional[str]) -> Optional[str]:
        """The registration JSON of `client_id`, or None."""
        if not client_id:
            return None
        row = (
            self._conn()
            .execute("SELECT registration FROM clients WHERE client_id = ?", (client_id,))
            .fetchone()
        )
        return row[0] if row else None

    def client_ids(self) -> List[Dict[str, Any]]:
        rows = self._conn().execute("SELECT registration FROM clients").fetchall()
        return [json.loads(r[0]) for r in rows]

    # grant families

    def family(self, family_id: str) -> Optional[Tuple[str, int]]:
        """(state JSON, version) of a family, or None."""
        row = (
            self._conn()
            .execute("SELECT state, version FROM families WHERE family_id = ?", (family_id,))
            .fetchone()
        )
        return (row[0], row[1]) if row else None

    def family_by_lookup(self, lookup: str) -> Optional[Tuple[str, str, int]]:
        """(family id, state JSON, version) of the family a lookup hash is indexed to."""
        row = (
            self._conn()
            .execute(
                "SELECT f.family_id, f.state, f.version FROM lookups l "
                "JOIN families f ON f.family_id = l.family_id WHERE l.lookup = ?",
                (lookup,),
            )
            .fetchone()
        )
        return (row[0], row[1], row[2]) if row else None

    def record_proof(self, proof: Any, now: int) -> bool:
        """Records a DPoP proof's ``jti`` (within its key) until it can no longer validate:
        False if it was recorded before and has not expired (a replay, RFC 9449 §11.1). The
        primary key makes the check and the insert one atomic step, across processes."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM dpop_proofs WHERE expires_at < ?", (now,))
            try:
                conn.execute(
                    "INSERT INTO dpop_proofs (jkt, jti, expires_at) VALUES (?, ?, ?)",
                    (proof.jkt, proof.jti, proof.replay_until),
                )
            except sqlite3.IntegrityError:
                conn.execute("ROLLBACK")
                return False
            conn.execute("COMMIT")
            return True
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def is_revoked(self, jti: str) -> bool:
        row = (
            self._conn()
            .execute("SELECT 1 FROM revoked_access_tokens WHERE jti = ?", (jti,))
            .fetchone()
        )
        return row is not None

    def persist(self, outcome: Dict[str, Any], loaded: Optional[Tuple[str, int]]) -> None:
        """Saves an outcome's state (compare-and-swap on the loaded version) and applies its
        effects, in one transaction. `loaded` is (family id, version) of the state passed in.
        Raises `Conflict` when another request changed the family first."""
        state = outcome.get("state")
        effects = outcome.get("effects") or []
        if state is None and not effects:
            return
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if state is not None:
                text = json.dumps(state, separators=(",", ":"))
                if loaded is not None and loaded[0] == state["family_id"]:
                    cur = conn.execute(
                        "UPDATE families SET state = ?, version = ? "
                        "WHERE family_id = ? AND version = ?",
                        (text, state["version"], state["family_id"], loaded[1]),
                    )
                    if cur.rowcount != 1:
                        raise Conflict(state["family_id"])
                else:
                    try:
                        conn.execute(
                            "INSERT INTO families (family_id, version, state) VALUES (?, ?, ?)",
                            (state["family_id"], state["version"], text),
                        )
                    except sqlite3.IntegrityError:
                        raise Conflict(state["family_id"]) from None
            for effect in effects:
                kind = effect["effect"]
                if kind == "index":
                    conn.execute(
                        "INSERT OR REPLACE INTO lookups (lookup, family_id, kind) VALUES (?, ?, ?)",
                        (effect["lookup"], effect["family_id"], effect["kind"]),
                    )
                elif kind == "unindex":
                    conn.execute("DELETE FROM lookups WHERE lookup = ?", (effect["lookup"],))
                elif kind in ("revoke_family", "revoke_access_tokens"):
                    for at in effect.get("access_tokens", []):
                        conn.execute(
                            "INSERT OR REPLACE INTO revoked_access_tokens (jti, expires_at) "
                            "VALUES (?, ?)",
                            (at["jti"], at["expires_at"]),
                        )
                    # a revoked family keeps its lookups: later uses of its tokens are found
                    # and refused (and count as reuse) instead of looking unknown.
                else:
                    raise ValueError(f"unknown effect {kind!r}")
            conn.execute(
                "DELETE FROM revoked_access_tokens WHERE expires_at < ?", (int(time.time()) - 3600,)
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


# ---- the authorization server ----------------------------------------------------------------


class AuthServer:
    """Configuration, keys and the tessera objects, shared by every request thread."""

    def __init__(self, config: Dict[str, Any], store: Store) -> None:
        self.store = store
        # The issuer identifier exactly as configured, a trailing "/" included: RFC 8414 §3.3
        # wants the metadata's `issuer` identical to it, and so do the `iss` claim and the
        # RFC 9207 `iss` parameter. Endpoints hang below it without a doubled "/".
        self.issuer_id: str = config["issuer"]
        if urlsplit(self.issuer_id).scheme not in ("http", "https"):
            raise SystemExit("authserver: issuer must be an http(s) URL")
        try:
            # RFC 8414 §3.1: "/.well-known/oauth-authorization-server" between host and path.
            self.metadata_path = urlsplit(tessera.server_metadata_url(self.issuer_id)).path
        except tessera.TesseraError as e:
            raise SystemExit(f"authserver: bad issuer: {e}")
        self.endpoint_base = self.issuer_id.rstrip("/")
        self.base_path = urlsplit(self.endpoint_base).path
        self.auto_approve_user: Optional[str] = config.get("auto_approve_user") or None
        self.audience = self.endpoint_base + "/api"

        # Keys live in the database so tokens survive a restart. (A real deployment keeps the
        # pepper out of the database that holds the hashes: a secret store, an environment
        # variable.)
        pem = store.setting("signing_key", lambda: tessera.Key.generate("ES256").private_pem())
        key = tessera.Key.from_pem(pem)
        self.signing_key = key.with_kid(key.thumbprint())
        pepper = store.setting("pepper", lambda: secrets.token_hex(32))
        self.peppers = tessera.Peppers("p1", bytes.fromhex(pepper))
        self.csrf_key = bytes.fromhex(store.setting("csrf_key", lambda: secrets.token_hex(32)))

        # DPoP (RFC 9449): one proof validator for /token and /api/whoami; with
        # "require_nonce", nonces come from an HMAC key kept with the other keys, so every
        # process serving this database issues and accepts the same ones.
        dpop = config.get("dpop") or {}
        nonce_issuer = None
        if dpop.get("require_nonce"):
            nonce_key = store.setting("dpop_nonce_key", lambda: secrets.token_hex(32))
            nonce_issuer = tessera.dpop.NonceIssuer(
                bytes.fromhex(nonce_key), int(dpop.get("nonce_step", 300))
            )
        self.dpop = tessera.dpop.ProofValidator(nonce_issuer=nonce_issuer)
        self.dpop_algs = list(self.dpop.algorithms)

        policy = {"issuer": self.issuer_id, "audiences": [self.audience]}
        policy.update(config.get("policy") or {})
        self.issuer = tessera.Issuer(policy, self.signing_key, self.peppers)
        self.verifier = tessera.Verifier(
            self.signing_key.public_key(),
            issuer=self.issuer_id,
            audience=self.audience,
            typ="at+jwt",
        )
        # The resource: the token, its DPoP proof and its binding, in one call.
        self.resource = tessera.dpop.ResourceVerifier(self.verifier, self.dpop)

        for client in config.get("clients", []):
            store.save_client(self.registration(client))
        self.metadata = tessera.server_metadata(self.build_metadata())

    def registration(self, client: Dict[str, Any]) -> Dict[str, Any]:
        """A config entry as a tessera client registration; the secret is stored hashed."""
        public = bool(client.get("public", False))
        registration: Dict[str, Any] = {
            "client_id": client["client_id"],
            "kind": "public" if public else "confidential",
            "redirect_uris": list(client.get("redirect_uris", [])),
            "allowed_scope": client.get("scope", ""),
            "grant_types": list(client.get("grant_types", [])),
        }
        if client.get("dpop_bound_access_tokens"):
            registration["dpop_bound_access_tokens"] = True
        default_scope = client.get("default_scope", client.get("scope"))
        if default_scope:
            registration["default_scope"] = default_scope
        if not public:
            secret = client.get("client_secret")
            if not secret:
                raise SystemExit(
                    f"authserver: confidential client {client['client_id']!r} needs a client_secret"
                )
            registration["secret_hash"] = self.peppers.client_secret_hash(secret)
        return registration

    def url(self, path: str) -> str:
        return self.endpoint_base + path

    def build_metadata(self) -> Dict[str, Any]:
        scopes = sorted({s for c in self.store.client_ids() for s in c["allowed_scope"].split()})
        auth_methods = ["client_secret_basic", "client_secret_post", "none"]
        return {
            "issuer": self.issuer_id,
            "authorization_endpoint": self.url("/authorize"),
            "token_endpoint": self.url("/token"),
            "jwks_uri": self.url("/jwks.json"),
            "scopes_supported": scopes,
            "response_types_supported": ["code", "token"],
            "response_modes_supported": ["query", "fragment"],
            "grant_types_supported": [
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "implicit",
            ],
            "token_endpoint_auth_methods_supported": auth_methods,
            "revocation_endpoint": self.url("/revoke"),
            "revocation_endpoint_auth_methods_supported": auth_methods,
            "introspection_endpoint": self.url("/introspect"),
            "introspection_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "bearer",
            ],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
            "dpop_signing_alg_values_supported": self.dpop_algs,
            # Not an RFC 8414 member: the protected resource this server also runs.
            "resource_endpoint": self.url("/api/whoami"),
        }

    def csrf(self, query: str) -> str:
        return hmac.new(self.csrf_key, query.encode(), hashlib.sha256).hexdigest()

    # the compare-and-swap loop shared by the token and revocation endpoints

    def load_for(self, token: str, now: int) -> Tuple[Optional[str], Optional[Tuple[str, int]]]:
        """The state a presented token leads to: (state JSON, (family id, version)) or Nones."""
        located = self.issuer.locate(token, now)
        if located["locator"] == "lookup":
            found = self.store.family_by_lookup(located["lookup"])
            if found:
                return found[1], (found[0], found[2])
        elif located["locator"] == "family":
            found2 = self.store.family(located["family_id"])
            if found2:
                return found2[0], (located["family_id"], found2[1])
        return None, None


class Handler(BaseHTTPRequestHandler):
    server_version = "tessera-authserver/" + tessera.__version__
    app: AuthServer  # set on the class by main()
    quiet = False

    # -- plumbing

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if not self.quiet:
            super().log_message(format, *args)

    def route(self) -> str:
        path = urlsplit(self.path).path
        if path.startswith("/.well-known/"):
            return path
        base = self.app.base_path
        if not base:
            return path
        # Endpoints live below the issuer's path only ("/tenant/token", not "/token").
        return path[len(base) :] if path.startswith(base + "/") else ""

    def body(self) -> Optional[bytes]:
        length = self.headers.get("Content-Length")
        try:
            n = int(length) if length is not None else 0
        except ValueError:
            n = -1
        if n < 0 or n > MAX_BODY:
            self.send_json(413 if n > MAX_BODY else 400, {"error": "invalid_request"})
            return None
        return self.rfile.read(n)

    def is_form(self) -> bool:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return ctype == FORM

    def send(self, status: int, body: bytes, headers: List[Tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_json(
        self, status: int, obj: Any, headers: Optional[List[Tuple[str, str]]] = None
    ) -> None:
        extra = list(headers or [])
        if not any(name.lower() == "content-type" for name, _ in extra):
            extra.insert(0, ("Content-Type", "application/json"))
        self.send(status, json.dumps(obj).encode(), extra)

    def send_no_store(
        self, status: int, obj: Any, headers: Optional[List[Tuple[str, str]]] = None
    ) -> None:
        self.send_json(
            status, obj, [("Cache-Control", "no-store"), ("Pragma", "no-cache"), *(headers or [])]
        )

    def send_response_json(self, response: Dict[str, Any]) -> None:
        """A response built by tessera.error_response / resource_error_response."""
        self.send_json(
            response["status"], response["body"], [tuple(h) for h in response["headers"]]
        )

    def send_page(self, status: int, title: str, body_html: str) -> None:
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>"
            f"{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
            f"{body_html}</body></html>"
        ).encode()
        self.send(
            status,
            page,
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "no-store"),
                ("X-Frame-Options", "DENY"),
            ],
        )

    def send_endpoint_error(self, error: Dict[str, Any]) -> None:
        """An outcome's `error` object, as RFC 6749 §5.2 says to answer it."""
        body = {"error": error["error"]}
        if error.get("description"):
            body["error_description"] = error["description"]
        headers = []
        if error.get("www_authenticate"):
            headers.append(("WWW-Authenticate", error["www_authenticate"]))
        self.send_no_store(error["status"], body, headers)

    def send_parse_error(self, e: tessera.TesseraError) -> None:
        """A request that could not be parsed (token, revocation, introspection endpoints). A
        401 (invalid_client) carries its Basic challenge whatever the client sent (RFC 9110
        §15.5.2, RFC 6749 §5.2): the realm is the issuer identifier."""
        self.send_response_json(tessera.error_response(e, None, self.app.issuer_id))

    def nonce_headers(self, now: int) -> List[Tuple[str, str]]:
        """``DPoP-Nonce`` with a fresh nonce, when the server requires them (RFC 9449 §8)."""
        nonce = self.app.dpop.nonce(now)
        return [("DPoP-Nonce", nonce)] if nonce else []

    def dpop_header(self) -> Optional[str]:
        """The request's one ``DPoP`` header value, None without one; more than one raises
        `DpopMalformedError` (RFC 9449 §4.3 rule 1)."""
        values = self.headers.get_all("DPoP") or []
        if len(values) > 1:
            raise tessera.DpopMalformedError(detail="more than one DPoP header")
        return values[0] if values else None

    def remember_proof(self, proof: Any, now: int) -> None:
        """Records a validated proof's ``jti`` against replay (RFC 9449 §11.1); a second use
        raises `DpopReplayError`."""
        if not self.app.store.record_proof(proof, now):
            raise tessera.DpopReplayError(detail="this DPoP proof was used before")

    def send_token_dpop_error(self, e: tessera.TesseraError, now: int) -> None:
        """A DPoP error at the token endpoint: 400 ``invalid_dpop_proof`` or
        ``use_dpop_nonce`` (with a fresh ``DPoP-Nonce``), RFC 9449 §5, §8."""
        response = tessera.error_response(e, str(e.detail or e), self.app.issuer_id)
        response["headers"] = [*response["headers"], *self.nonce_headers(now)]
        self.send_response_json(response)

    def send_resource_error(
        self, e: Any, now: int, description: Optional[str] = None
    ) -> None:
        """A resource-server error (RFC 6750 §3, RFC 9449 §7.1): ``WWW-Authenticate`` has the
        ``DPoP`` challenge first, then ``Bearer``; a fresh ``DPoP-Nonce`` rides along when
        nonces are required, so a DPoP client can retry at once (§9)."""
        if description is None and isinstance(e, tessera.TesseraError):
            description = str(e.detail or e)
        response = tessera.resource_error_response_dpop(
            e, self.app.issuer_id, self.app.dpop_algs, description
        )
        response["headers"] = [*response["headers"], *self.nonce_headers(now)]
        self.send_response_json(response)

    def redirect(self, location: str) -> None:
        self.send(302, b"", [("Location", location), ("Cache-Control", "no-store")])

    # -- dispatch

    def do_GET(self) -> None:  # noqa: N802
        self.dispatch(
            {
                # Only the issuer's own well-known path: the bare one belongs to the root
                # issuer (RFC 8414 §3.3), so an issuer with a path answers 404 there.
                self.app.metadata_path: self.metadata,
                "/jwks.json": self.jwks,
                "/authorize": self.authorize_get,
                "/api/whoami": self.whoami,
            }
        )

    def do_POST(self) -> None:  # noqa: N802
        self.dispatch(
            {
                "/authorize": self.authorize_post,
                "/token": self.token,
                "/revoke": self.revoke,
                "/introspect": self.introspect,
            }
        )

    def dispatch(self, routes: Dict[str, Any]) -> None:
        handler = routes.get(self.route())
        if handler is None:
            self.send_json(404, {"error": "not_found"})
            return
        try:
            handler()
        except Exception as e:  # a bug: answer 500 without details, log them
            self.log_error("internal error: %r", e)
            try:
                self.send_no_store(500, {"error": "server_error"})
            except Exception:
                pass

    # -- metadata and keys

    def metadata(self) -> None:
        self.send_json(200, self.app.metadata)

    def jwks(self) -> None:
        self.send_json(200, tessera.jwks([self.app.signing_key]))

    # -- authorization endpoint

    def authorize_get(self) -> None:
        self.authorize(urlsplit(self.path).query, decision=None, user=None)

    def authorize_post(self) -> None:
        raw = self.body()
        if raw is None:
            return
        try:
            form = tessera.form_parse(raw)
        except tessera.TesseraError as e:
            self.send_page(400, "Bad request", f"<p>{html.escape(e.description)}</p>")
            return
        if "consent" not in form:  # an authorization request sent by POST (RFC 6749 §3.1)
            self.authorize(raw.decode("utf-8", "replace"), decision=None, user=None)
            return
        query = form.get("query", "")
        if not hmac.compare_digest(form.get("csrf", ""), self.app.csrf(query)):
            self.send_page(403, "Forbidden", "<p>The consent form expired or was forged.</p>")
            return
        self.authorize(query, decision=form["consent"], user=form.get("username", "").strip())

    def authorize(self, query: str, decision: Optional[str], user: Optional[str]) -> None:
        app = self.app
        try:
            request = tessera.authorize_request_parse(query)
        except tessera.TesseraError as e:
            # Not tied to a trusted redirect URI: show the error, never redirect.
            self.send_page(
                400, "Invalid authorization request", f"<p>{html.escape(e.error or e.name)}</p>"
            )
            return
        client = app.store.client(request.get("client_id"))
        checked = app.issuer.check_authorize(client, request)
        if checked["outcome"] != "ok":
            self.finish_authorize(checked)
            return
        if decision == "deny":
            self.finish_authorize(app.issuer.deny(client, request))
            return
        subject = (
            app.auto_approve_user if decision is None else (user if decision == "approve" else None)
        )
        if not subject:
            self.consent_form(query, request, checked["scope"], missing_user=decision == "approve")
            return
        outcome = app.issuer.authorize(client, request, subject, int(time.time()))
        if outcome["outcome"] == "granted":
            try:
                app.store.persist(outcome, None)  # a new family
            except Conflict:
                self.send_page(500, "Server error", "<p>Please retry.</p>")
                return
        self.finish_authorize(outcome)

    def finish_authorize(self, outcome: Dict[str, Any]) -> None:
        if outcome["outcome"] == "fatal":
            error = outcome["error"]
            text = error.get("description") or error["error"]
            self.send_page(
                400,
                "Authorization error",
                f"<p>{html.escape(error['error'])}: {html.escape(text)}</p>",
            )
        else:
            self.redirect(outcome["redirect"]["location"])

    def consent_form(
        self, query: str, request: Dict[str, str], scope: str, missing_user: bool
    ) -> None:
        esc = html.escape
        scopes = (
            "".join(f"<li><code>{esc(s)}</code></li>" for s in scope.split()) or "<li>(none)</li>"
        )
        warning = "<p><strong>Please enter your name.</strong></p>" if missing_user else ""
        body = (
            f"<p>The application <strong>{esc(request['client_id'])}</strong> asks for access to:</p>"
            f"<ul>{scopes}</ul>{warning}"
            f"<form method='post' action='{esc(self.app.base_path)}/authorize'>"
            f"<input type='hidden' name='query' value='{esc(query, quote=True)}'>"
            f"<input type='hidden' name='csrf' value='{esc(self.app.csrf(query))}'>"
            "<label>Your name <input name='username' autocomplete='username'></label> "
            "<button name='consent' value='approve'>Approve</button> "
            "<button name='consent' value='deny'>Deny</button></form>"
        )
        self.send_page(200, "Authorize access", body)

    # -- token endpoint

    def token(self) -> None:
        app = self.app
        raw = self.body()
        if raw is None:
            return
        if not self.is_form():
            self.send_response_json(
                tessera.error_response(
                    tessera.OAuthInvalidRequestError.code, "expected a form body"
                )
            )
            return
        try:
            parsed = tessera.token_request_parse(raw, self.headers.get("Authorization"))
        except tessera.TesseraError as e:
            self.send_parse_error(e)
            return
        request, auth = parsed["request"], parsed["client_auth"]
        client = app.store.client(auth.get("client_id"))
        presented = request.get("code") or request.get("refresh_token")
        # RFC 9449 §5: a valid proof binds the tokens to its key; the engine checks the rest
        # (a dpop_jkt code, a bound refresh token, a client that must use DPoP).
        now = int(time.time())
        try:
            header = self.dpop_header()
            proof = None
            if header is not None:
                proof = app.dpop.validate(header, "POST", app.url("/token"), now=now)
                self.remember_proof(proof, now)
        except tessera.TesseraError as e:
            self.send_token_dpop_error(e, now)
            return
        cnf = proof.confirmation() if proof is not None else None
        for _ in range(CAS_ATTEMPTS):
            now = int(time.time())
            state, loaded = app.load_for(presented, now) if presented else (None, None)
            outcome = app.issuer.token(client, auth, request, state, now, cnf=cnf)
            try:
                app.store.persist(outcome, loaded)
                break
            except Conflict as e:  # another request changed the family: reload, decide again
                self.log_message("compare-and-swap lost on family %s: retrying", e)
        else:
            self.send_endpoint_error({"error": "temporarily_unavailable", "status": 503})
            return
        if outcome["ok"]:
            self.send_no_store(200, outcome["response"], self.nonce_headers(now))
        else:
            self.send_endpoint_error(outcome["error"])

    # -- revocation and introspection

    def revoke(self) -> None:
        app = self.app
        raw = self.body()
        if raw is None:
            return
        try:
            parsed = tessera.revocation_request_parse(raw, self.headers.get("Authorization"))
        except tessera.TesseraError as e:
            self.send_parse_error(e)
            return
        auth, token = parsed["client_auth"], parsed["request"]["token"]
        client = app.store.client(auth.get("client_id"))
        for _ in range(CAS_ATTEMPTS):
            now = int(time.time())
            state, loaded = app.load_for(token, now)
            outcome = app.issuer.revoke(client, auth, token, state, now)
            if not outcome["ok"]:
                self.send_endpoint_error(outcome["error"])
                return
            try:
                app.store.persist(outcome, loaded)
                break
            except Conflict as e:
                self.log_message("compare-and-swap lost on family %s: retrying", e)
        else:
            self.send_endpoint_error({"error": "temporarily_unavailable", "status": 503})
            return
        self.send(200, b"", [("Cache-Control", "no-store")])

    def introspection_caller(self, raw: bytes) -> Optional[str]:
        """Who asks: a confidential client (HTTP Basic or body credentials) or the holder of
        a valid access token. None when neither: the 401 answer has been sent."""
        app = self.app
        authz = self.headers.get("Authorization")
        if authz and authz[:7].lower() == "bearer ":
            try:
                token = tessera.bearer_token(authz)
                claims = app.verifier.verify(token or "")
                # A DPoP-bound token is no bearer token (RFC 9449 §7.2).
                tessera.dpop.check_binding(claims)
                if not app.store.is_revoked(claims.get("jti", "")):
                    return f"token of {claims.get('client_id')}"
            except tessera.TesseraError:
                pass
            self.send_response_json(
                tessera.resource_error_response(tessera.OAuthInvalidTokenError.code, app.issuer_id)
            )
            return None
        try:
            auth = tessera.revocation_request_parse(raw, authz)["client_auth"]
        except tessera.TesseraError as e:
            self.send_parse_error(e)
            return None
        registration = app.store.client(auth.get("client_id"))
        stored = json.loads(registration).get("secret_hash") if registration else None
        if (
            stored
            and "client_secret" in auth
            and app.peppers.matches(auth["client_secret"], stored)
        ):
            return auth["client_id"]
        # 401 with its Basic challenge, also after client_secret_post (RFC 9110 §15.5.2).
        self.send_response_json(
            tessera.error_response(tessera.OAuthInvalidClientError.code, None, app.issuer_id)
        )
        return None

    def introspect(self) -> None:
        app = self.app
        raw = self.body()
        if raw is None:
            return
        if self.introspection_caller(raw) is None:
            return
        try:
            request = tessera.introspection_request_parse(raw)
        except tessera.TesseraError as e:
            self.send_parse_error(e)
            return
        now = int(time.time())
        state, _loaded = app.load_for(request["token"], now)
        self.send_no_store(200, app.issuer.introspect(request["token"], state, now))

    # -- the resource

    def whoami(self) -> None:
        app = self.app
        now = int(time.time())
        try:
            presented = tessera.access_token(self.headers.get("Authorization"))
        except tessera.TesseraError as e:  # "Bearer"/"DPoP" without a usable token: 400
            self.send_resource_error(e, now)
            return
        if presented is None:  # no authentication at all: challenges without an error code
            self.send_json(
                401,
                {"error": "unauthorized"},
                [
                    (
                        "WWW-Authenticate",
                        tessera.dpop_challenge(app.issuer_id, app.dpop_algs, bearer=True),
                    ),
                    *self.nonce_headers(now),
                ],
            )
            return
        scheme, token = presented
        try:
            # The token, then (for the DPoP scheme) the proof for this request with this token's
            # ath, then the binding: cnf.jkt is the proof's key, a bound token is no bearer token.
            authorized = app.resource.verify(
                scheme,
                token,
                self.dpop_header(),
                "GET",
                app.url(urlsplit(self.path).path),
                now=now,
            )
            if authorized.proof is not None:
                self.remember_proof(authorized.proof, now)
        except tessera.TesseraError as e:
            self.send_resource_error(e, now)
            return
        claims, cnf = authorized.claims, authorized.cnf
        if app.store.is_revoked(claims.get("jti", "")):
            self.send_resource_error(
                tessera.OAuthInvalidTokenError.code, now, "the access token was revoked"
            )
            return
        body = {
            "sub": claims.get("sub"),
            "client_id": claims.get("client_id"),
            "scope": claims.get("scope", ""),
        }
        if cnf:  # a sender-constrained token: what it is bound to
            body["cnf"] = cnf
        self.send_json(200, body)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description="A small OAuth 2.0 authorization server on tessera.")
    ap.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1")
    ap.add_argument("--db", required=True, help="sqlite database file (created if missing)")
    ap.add_argument("--config", required=True, help="JSON configuration file")
    ap.add_argument("--quiet", action="store_true", help="do not log requests")
    args = ap.parse_args(argv)

    config = json.loads(Path(args.config).read_text(encoding="utf-8"))
    app = AuthServer(config, Store(args.db))
    Handler.app = app
    Handler.quiet = args.quiet
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(
        f"authserver: listening on http://127.0.0.1:{server.server_address[1]} "
        f"(issuer {app.issuer_id}, tessera {tessera.__version__})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
