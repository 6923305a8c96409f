"""The C ABI's buffer conventions, checked from Python for every function with a caller
buffer: ``(NULL, 0)`` reports the needed size with ``BUFFER_TOO_SMALL``; one byte short reports
it again and leaves the buffer untouched; exactly that size succeeds with that length."""

from __future__ import annotations

import ctypes
import json
from ctypes import byref, c_bool, c_size_t, c_void_p

import pytest

import tessera
from tessera import _ffi
from tessera._decls import FUNCTIONS, RESULT_BUFFER_TOO_SMALL
from conftest import NOW

lib = _ffi.lib


def _fixtures():
    key = tessera.Key.generate("ES256").with_kid("k")
    hmac = tessera.Key.hmac(b"k" * 32)
    token = key.sign({"sub": "s", "iss": "i", "jti": "j", "aud": "api", "exp": NOW + 60})
    verifier = tessera.Verifier(key, audience="api")
    verified = verifier.verify_full(token, now=NOW)
    scopes = tessera.Scopes("b a")
    peppers = tessera.Peppers("p", b"p" * 32)
    opaque = tessera.generate_token("tsr", "rt")
    issuer = tessera.Issuer({"issuer": "https://as.example", "audiences": ["api"]}, key, peppers)
    client = json.dumps(
        {
            "client_id": "app",
            "kind": "public",
            "redirect_uris": ["https://app/cb"],
            "allowed_scope": "read",
            "grant_types": ["authorization_code", "refresh_token"],
        }
    ).encode()
    challenge = tessera.pkce_challenge(tessera.pkce_verifier())
    request = json.dumps(
        {
            "response_type": "code",
            "client_id": "app",
            "redirect_uri": "https://app/cb",
            "scope": "read",
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    ).encode()
    granted = issuer.authorize(client, request, "alice", now=NOW)
    state = json.dumps(granted["state"]).encode()
    keys = (c_void_p * 1)(key._ptr)
    keyset = tessera.KeySet([key])
    meta = json.dumps(
        {
            "issuer": "https://as.example",
            "authorization_endpoint": "https://as.example/a",
            "token_endpoint": "https://as.example/t",
            "response_types_supported": ["code"],
        }
    ).encode()
    service = json.dumps(
        {
            "client_id": "svc",
            "kind": "confidential",
            "allowed_scope": "read",
            "default_scope": "read",
            "grant_types": ["client_credentials"],
            "secret_hash": peppers.client_secret_hash("s3cret"),
        }
    ).encode()
    service_auth = b'{"method":"client_secret_post","client_id":"svc","client_secret":"s3cret"}'
    cc = b'{"grant_type":"client_credentials"}'
    cnf = b'{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}'
    dpop = c_bool()
    b = lambda s: s.encode() if isinstance(s, str) else s  # noqa: E731
    tb = b(token)
    cases = {
        # name: (leading arguments, whether the output is random but of fixed length)
        "tessera_key_alg": ((key._ptr,), False),
        "tessera_key_kid": ((key._ptr,), False),
        "tessera_key_public_jwk": ((key._ptr,), False),
        "tessera_key_private_jwk": ((hmac._ptr,), False),
        "tessera_key_public_pem": ((key._ptr,), False),
        "tessera_key_private_pem": ((key._ptr,), False),
        "tessera_key_thumbprint": ((key._ptr,), False),
        "tessera_jwks": ((keys, 1), False),
        "tessera_keyset_to_jwks": ((keyset._ptr,), False),
        "tessera_sign": ((hmac._ptr, None, 0, b'{"a":1}', 7), False),
        "tessera_sign_jws": ((hmac._ptr, b'{"alg":"HS256"}', 15, b"x", 1), False),
        "tessera_verify": ((verifier._ptr, tb, len(tb), NOW), False),
        "tessera_verify_jws": ((verifier._ptr, tb, len(tb)), False),
        "tessera_verified_claims": ((verified._ptr,), False),
        "tessera_verified_header": ((verified._ptr,), False),
        "tessera_verified_claim": ((verified._ptr, b"sub"), False),
        "tessera_verified_iss": ((verified._ptr,), False),
        "tessera_verified_sub": ((verified._ptr,), False),
        "tessera_verified_jti": ((verified._ptr,), False),
        "tessera_verified_aud": ((verified._ptr,), False),
        "tessera_scopes_to_string": ((scopes._ptr,), False),
        "tessera_token_generate": ((b"tsr", b"rt"), True),
        "tessera_token_check": ((b"tsr", b(opaque), len(opaque), None), False),
        "tessera_peppers_lookup": ((peppers._ptr, b(opaque), len(opaque)), False),
        "tessera_peppers_check_and_lookup": (
            (peppers._ptr, b"tsr", b(opaque), len(opaque), b"rt"),
            False,
        ),
        "tessera_pkce_verifier_new": ((), True),
        "tessera_pkce_challenge": ((b"a" * 43, 43), False),
        "tessera_form_parse": ((b"a=1&b=2", 7), False),
        "tessera_authorize_request_parse": ((b"response_type=code&client_id=a", 30), False),
        "tessera_token_request_parse": (
            (b"grant_type=client_credentials&client_id=a", 41, None),
            False,
        ),
        "tessera_revocation_request_parse": ((b"token=t&client_id=a", 19, None), False),
        "tessera_introspection_request_parse": ((b"token=t", 7), False),
        "tessera_bearer_token": ((b"Bearer abc",), False),
        "tessera_bearer_challenge": ((b"api",), False),
        "tessera_access_token": ((b"DPoP abc", byref(dpop)), False),
        "tessera_dpop_challenge": ((b"api", b"ES256 PS256", True), False),
        "tessera_resource_error_response_dpop": (
            (804, b"d", b"api", None, b"ES256", True),
            False,
        ),
        "tessera_error_response": ((702, b"d", None), False),
        "tessera_resource_error_response": ((400, None, b"api", None), False),
        "tessera_redirect_uri": ((b"https://a/cb", b'{"code":"c"}', 12, None), False),
        "tessera_server_metadata": ((meta, len(meta)), False),
        "tessera_server_metadata_url": ((b"https://as.example/t/",), False),
        "tessera_client_secret_hash": ((peppers._ptr, b"secret", 6), False),
        "tessera_issuer_check_authorize": (
            (issuer._ptr, client, len(client), request, len(request)),
            False,
        ),
        "tessera_issuer_authorize": (
            (issuer._ptr, client, len(client), request, len(request), b"alice", NOW),
            True,
        ),
        "tessera_issuer_deny": ((issuer._ptr, client, len(client), request, len(request)), False),
        "tessera_issuer_locate": ((issuer._ptr, tb, len(tb), NOW), False),
        "tessera_issuer_revoke_family": ((issuer._ptr, state, len(state), NOW), False),
        "tessera_issuer_introspect": ((issuer._ptr, state, len(state), tb, len(tb), NOW), False),
        "tessera_issuer_engine_token": ((issuer._ptr, b"read", b"read", b"s", b"api", NOW), True),
        "tessera_issuer_token_bound": (
            (
                issuer._ptr,
                service,
                len(service),
                service_auth,
                len(service_auth),
                None,
                0,
                cc,
                len(cc),
                cnf,
                len(cnf),
                NOW,
            ),
            True,
        ),
    }
    # DPoP
    nonces = tessera.dpop.NonceIssuer(b"n" * 32)
    dpop_validator = tessera.dpop.ProofValidator(nonce_issuer=nonces)
    htu = b"https://api.example/r"
    proof = tessera.dpop.create_proof(
        key, "GET", htu.decode(), now=NOW, nonce=nonces.nonce(NOW), access_token=token
    )
    checked = dpop_validator.validate(proof, "GET", htu.decode(), now=NOW, access_token=token)
    proof_ptr = checked._handle._ptr
    cnf = json.dumps({"cnf": {"jkt": checked.jkt}}).encode()
    cases.update(
        {
            "tessera_dpop_proof_create": ((key._ptr, b"GET", htu, NOW, None, tb, len(tb)), True),
            "tessera_dpop_ath": ((tb, len(tb)), False),
            "tessera_dpop_nonce_issuer_nonce": ((nonces._ptr, NOW), False),
            "tessera_dpop_validator_nonce": ((dpop_validator._ptr, NOW), False),
            "tessera_dpop_validator_algorithms": ((dpop_validator._ptr,), False),
            "tessera_dpop_proof_json": ((proof_ptr,), False),
            "tessera_dpop_proof_jkt": ((proof_ptr,), False),
            "tessera_dpop_check_binding": ((cnf, len(cnf), proof_ptr, None, 0, True), False),
            "tessera_verified_check_binding": ((verified._ptr, None, None, 0, False), False),
            "tessera_certificate_thumbprint": ((b"0\x03\x02\x01\x05", 5), False),
        }
    )
    keep = (key, hmac, verifier, verified, scopes, peppers, issuer, keys, keyset, dpop)
    keep += (nonces, dpop_validator, checked)
    return cases, keep


CASES, _KEEP = _fixtures()


def test_every_buffer_function_is_covered():
    with_buffers = {
        name
        for name, (_r, _a, params) in FUNCTIONS.items()
        if params[-3:] == ("out", "cap", "out_len")
        or params[-3:] == ("claims_out", "cap", "out_len")
        or params[-3:] == ("payload_out", "cap", "out_len")
        or params[-3:] == ("out_kind", "cap", "out_len")
    }
    # tessera_issuer_token and tessera_issuer_revoke are exercised through the Issuer tests
    assert with_buffers - set(CASES) <= {"tessera_issuer_token", "tessera_issuer_revoke"}, (
        with_buffers - set(CASES)
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_buffer_convention(name):
    fn = getattr(lib, name)
    args, random_output = CASES[name]
    needed = c_size_t(12345)
    rc = fn(*args, None, 0, byref(needed))
    assert rc == RESULT_BUFFER_TOO_SMALL, (name, rc, tessera.result_name(rc))
    n = needed.value
    assert 0 < n < 1 << 20
    if n > 1:
        short = ctypes.create_string_buffer(b"\xaa" * (n - 1), n - 1)
        got = c_size_t(777)
        rc = fn(*args, short, n - 1, byref(got))
        assert rc == RESULT_BUFFER_TOO_SMALL and got.value == n, name
        assert short.raw == b"\xaa" * (n - 1), f"{name} wrote into a buffer that was too small"
    exact = ctypes.create_string_buffer(n)
    got = c_size_t(0)
    rc = fn(*args, exact, n, byref(got))
    assert rc == 0, (name, tessera.result_name(rc))
    assert got.value == n, f"{name}: the retry must need the reported size ({got.value} != {n})"
    # a NULL length pointer is refused, not dereferenced
    assert fn(*args, exact, n, None) == tessera.NullPointerError.code
    # NULL with a capacity is refused
    assert fn(*args, None, n, byref(got)) == tessera.NullPointerError.code
    if not random_output:
        again = ctypes.create_string_buffer(n + 10)
        rc = fn(*args, again, n + 10, byref(got))
        assert rc == 0 and got.value == n and again.raw[:n] == exact.raw[:n]


def test_failures_leave_outputs_alone():
    key = tessera.Key.generate("ES256")
    out = c_void_p(0xDEAD)
    assert lib.tessera_key_from_pem(b"junk", 4, None, byref(out)) == tessera.InvalidKeyError.code
    assert out.value == 0xDEAD
    n = c_size_t(99)
    buf = ctypes.create_string_buffer(b"\xaa" * 64, 64)
    assert lib.tessera_verify(tessera.Verifier(key)._ptr, b"x.y", 3, NOW, buf, 64, byref(n)) != 0
    assert n.value == 99 and buf.raw == b"\xaa" * 64
    assert lib.tessera_key_free(None) is None  # NULL is a no-op
    for free in (
        "tessera_keyset_free",
        "tessera_verifier_free",
        "tessera_verifier_builder_free",
        "tessera_verified_free",
        "tessera_scopes_free",
        "tessera_scope_policy_free",
        "tessera_peppers_free",
        "tessera_issuer_free",
    ):
        getattr(lib, free)(None)


def test_batch_null_token_slot():
    key = tessera.Key.generate("ES256")
    v = tessera.Verifier(key)
    good = key.sign({"exp": NOW + 60}).encode()
    tokens = (ctypes.c_char_p * 3)(good, None, None)
    lens = (c_size_t * 3)(len(good), 5, 0)
    results = (ctypes.c_uint32 * 3)(99, 99, 99)
    assert lib.tessera_verify_batch(v._ptr, tokens, lens, 3, NOW, 1, results) == 0
    assert list(results) == [0, tessera.NullPointerError.code, tessera.MalformedTokenError.code]
