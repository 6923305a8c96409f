"""Interop with PyJWT and joserfc, both directions, for every algorithm all three support:
tokens they sign verify in tessera, tokens tessera signs verify in them, and JWKs travel.

ES512 (P-521) and ES256K (secp256k1, RFC 8812) need tessera's aws-lc backend: with it they
cross both ways like the others; with ring, tessera refuses their keys (`UnsupportedKeyError`)
and their tokens (`UnsupportedAlgorithmError`). Their keys are made at run time with
`cryptography` (the repository has no secp256k1 key file)."""

from __future__ import annotations

import hashlib
import hmac
import json
import warnings

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt as jose_jwt
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey
from joserfc.jwt import JWTClaimsRegistry

import tessera
from conftest import AWS_LC, KEYS, NOW, key_file

SECRET = {"HS256": b"h" * 32, "HS384": b"h" * 48, "HS512": b"h" * 64}
PEM = {
    "RS256": "rsa2048.pkcs8.pem",
    "RS384": "rsa2048.pkcs8.pem",
    "RS512": "rsa2048.pkcs8.pem",
    "PS256": "rsa2048.pkcs8.pem",
    "PS384": "rsa2048.pkcs8.pem",
    "PS512": "rsa2048.pkcs8.pem",
    "ES256": "p256.pkcs8.pem",
    "ES384": "p384.pkcs8.pem",
    "EdDSA": "ed25519.pkcs8.pem",
}
ALGS = sorted(SECRET) + sorted(PEM)
CLAIMS = {"iss": "https://as.example", "sub": "user-1", "aud": "api", "exp": NOW + 3600, "iat": NOW}


@pytest.fixture(autouse=True)
def _quiet_joserfc():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc warns that EdDSA is deprecated (RFC 9864)
        yield


def tessera_key(alg: str) -> tessera.Key:
    if alg in SECRET:
        return tessera.Key.hmac(SECRET[alg], alg)
    return tessera.Key.from_pem(key_file(PEM[alg]), alg)


def jose_key(alg: str, private: bool = True):
    if alg in SECRET:
        return OctKey.import_key(SECRET[alg])
    pem = key_file(PEM[alg])
    cls = RSAKey if alg[:2] in ("RS", "PS") else ECKey if alg.startswith("ES") else OKPKey
    key = cls.import_key(pem)
    return key if private else cls.import_key(key.as_dict(private=False))


def pyjwt_signing_key(alg: str):
    return SECRET[alg] if alg in SECRET else key_file(PEM[alg])


def pyjwt_verifying_key(alg: str, t_key: tessera.Key):
    if alg in SECRET:
        return SECRET[alg]
    return pyjwt.PyJWK(t_key.public_jwk()).key  # tessera's public JWK, as PyJWT reads it


def verifier(alg: str) -> tessera.Verifier:
    key = tessera_key(alg)
    public = key if alg in SECRET else key.public_key()
    return tessera.Verifier(public, issuer="https://as.example", audience="api", typ="JWT")


@pytest.mark.parametrize("alg", ALGS)
def test_pyjwt_signs_tessera_verifies(alg):
    token = pyjwt.encode(CLAIMS, pyjwt_signing_key(alg), algorithm=alg)
    assert verifier(alg).verify(token, now=NOW) == CLAIMS


@pytest.mark.parametrize("alg", ALGS)
def test_tessera_signs_pyjwt_verifies(alg):
    key = tessera_key(alg)
    token = key.sign(CLAIMS, {"typ": "JWT"})
    decoded = pyjwt.decode(
        token,
        pyjwt_verifying_key(alg, key),
        algorithms=[alg],
        audience="api",
        issuer="https://as.example",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert decoded == CLAIMS
    assert pyjwt.get_unverified_header(token)["alg"] == alg


@pytest.mark.parametrize("alg", ALGS)
def test_joserfc_signs_tessera_verifies(alg):
    token = jose_jwt.encode({"alg": alg, "typ": "JWT"}, CLAIMS, jose_key(alg), algorithms=[alg])
    assert verifier(alg).verify(token, now=NOW) == CLAIMS


@pytest.mark.parametrize("alg", ALGS)
def test_tessera_signs_joserfc_verifies(alg):
    key = tessera_key(alg)
    token = key.sign(CLAIMS, {"typ": "JWT"})
    public = jose_key(alg) if alg in SECRET else jose_key(alg).import_key(key.public_jwk())
    decoded = jose_jwt.decode(token, public, algorithms=[alg])
    assert decoded.claims == CLAIMS and decoded.header["alg"] == alg
    JWTClaimsRegistry(
        now=lambda: NOW, iss={"essential": True, "value": "https://as.example"}
    ).validate(decoded.claims)


@pytest.mark.parametrize("alg", sorted(PEM))
def test_jwks_travel_both_ways(alg):
    key = tessera_key(alg)
    jose = jose_key(alg)
    # joserfc's public JWK in tessera, and the thumbprints agree (RFC 7638)
    from_jose = tessera.Key.from_jwk(jose.as_dict(private=False), alg)
    assert from_jose.thumbprint() == key.thumbprint() == jose.thumbprint()
    # joserfc's private JWK signs in tessera
    private = tessera.Key.from_jwk(jose.as_dict(private=True), alg)
    assert verifier(alg).verify(private.sign(CLAIMS, {"typ": "JWT"}), now=NOW) == CLAIMS
    # tessera's JWKS document in PyJWT and joserfc
    document = tessera.jwks([key.with_kid("k1")])
    pyjwk = pyjwt.PyJWKSet.from_dict(document)["k1"]
    token = key.with_kid("k1").sign(CLAIMS)
    options = {"verify_iat": False}
    assert (
        pyjwt.decode(token, pyjwk.key, algorithms=[alg], audience="api", options=options)["sub"]
        == "user-1"
    )
    from joserfc.jwk import KeySet as JoseKeySet

    assert (
        jose_jwt.decode(token, JoseKeySet.import_key_set(document), algorithms=[alg]).claims
        == CLAIMS
    )


def test_committed_joserfc_tokens_verify():
    """tests/data/keys/interop.json: tokens joserfc signed with the repository's test keys."""
    data = json.loads((KEYS / "interop.json").read_text())
    assert len(data["tokens"]) >= 9
    for entry in data["tokens"]:
        key = tessera.Key.from_pem(key_file(entry["key"]), entry["alg"]).public_key()
        claims = tessera.Verifier(key, audience="api", accept_any_audience=False).verify(
            entry["token"], now=NOW
        )
        assert claims["sub"] == "user-1", entry["alg"]


@pytest.mark.parametrize("alg", ["HS256", "RS256", "ES256", "EdDSA"])
def test_tampered_tokens_from_other_libraries_fail(alg):
    token = pyjwt.encode(CLAIMS, pyjwt_signing_key(alg), algorithm=alg)
    head, body, sig = token.split(".")
    forged_body = pyjwt.utils.base64url_encode(
        json.dumps(dict(CLAIMS, sub="admin")).encode()
    ).decode()
    with pytest.raises(tessera.InvalidSignatureError):
        verifier(alg).verify(f"{head}.{forged_body}.{sig}", now=NOW)
    if alg != "RS256":
        return
    # alg confusion: an HS256 token MACed with the RSA public key (PEM) as its secret
    b64 = lambda raw: pyjwt.utils.base64url_encode(raw).decode()  # noqa: E731
    public_pem = tessera_key(alg).public_pem().encode()
    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{body}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(tessera.AlgorithmMismatchError):
        verifier(alg).verify(f"{signing_input}.{b64(mac)}", now=NOW)
    # alg none
    none_token = f"{b64(json.dumps({'alg': 'none'}).encode())}.{body}."
    with pytest.raises(tessera.InvalidTokenError):
        verifier(alg).verify(none_token, now=NOW)


# ---- ES512 and ES256K -----------------------------------------------------------------------

CURVES = {"ES512": ec.SECP521R1(), "ES256K": ec.SECP256K1()}
NEW_ALGS = sorted(CURVES)
_pems: dict = {}


def new_pem(alg: str) -> bytes:
    """A PKCS#8 PEM private key for `alg`, made by `cryptography` (one per algorithm and run)."""
    if alg not in _pems:
        _pems[alg] = ec.generate_private_key(CURVES[alg]).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    return _pems[alg]


def their_tokens(alg: str) -> dict:
    """A token signed by PyJWT and one by joserfc, with the key of `new_pem(alg)`. joserfc
    leaves ES512 and ES256K out of its recommended algorithms: `algorithms=` names them."""
    pem = new_pem(alg)
    return {
        "PyJWT": pyjwt.encode(CLAIMS, pem, algorithm=alg),
        "joserfc": jose_jwt.encode(
            {"alg": alg, "typ": "JWT"}, CLAIMS, ECKey.import_key(pem), algorithms=[alg]
        ),
    }


@pytest.mark.parametrize("alg", NEW_ALGS)
def test_es512_es256k_pyjwt_and_joserfc_sign_tessera_verifies(alg):
    tokens = their_tokens(alg)
    if not AWS_LC:
        with pytest.raises(tessera.UnsupportedKeyError):
            tessera.Key.from_pem(new_pem(alg))
        es256 = tessera.Verifier(tessera.Key.generate("ES256"))
        for token in tokens.values():
            with pytest.raises(tessera.UnsupportedAlgorithmError):
                es256.verify(token, now=NOW)
        return
    key = tessera.Key.from_pem(new_pem(alg))
    assert key.alg == alg  # the curve decides
    v = tessera.Verifier(key.public_key(), issuer="https://as.example", audience="api", typ="JWT")
    for signer, token in tokens.items():
        assert v.verify(token, now=NOW) == CLAIMS, signer
        head, _body, sig = token.split(".")
        forged = pyjwt.utils.base64url_encode(json.dumps(dict(CLAIMS, sub="admin")).encode())
        with pytest.raises(tessera.InvalidSignatureError):
            v.verify(f"{head}.{forged.decode()}.{sig}", now=NOW)


@pytest.mark.parametrize("alg", NEW_ALGS)
def test_es512_es256k_tessera_signs_pyjwt_and_joserfc_verify(alg):
    if not AWS_LC:
        with pytest.raises(tessera.UnsupportedAlgorithmError):
            tessera.Key.generate(alg)
        return
    for key in (tessera.Key.generate(alg), tessera.Key.from_pem(new_pem(alg))):
        token = key.sign(CLAIMS, {"typ": "JWT"})
        assert pyjwt.get_unverified_header(token)["alg"] == alg
        for public in (pyjwt.PyJWK(key.public_jwk()).key, key.public_pem()):
            decoded = pyjwt.decode(
                token,
                public,
                algorithms=[alg],
                audience="api",
                issuer="https://as.example",
                options={"verify_exp": False, "verify_iat": False},
            )
            assert decoded == CLAIMS
        jose = jose_jwt.decode(token, ECKey.import_key(key.public_jwk()), algorithms=[alg])
        assert jose.claims == CLAIMS and jose.header["alg"] == alg


@pytest.mark.parametrize("alg", NEW_ALGS)
def test_es512_es256k_jwks_travel_both_ways(alg):
    jose = ECKey.import_key(new_pem(alg))
    if not AWS_LC:
        for private in (False, True):
            with pytest.raises(tessera.UnsupportedKeyError):
                tessera.Key.from_jwk(jose.as_dict(private=private))
        return
    key = tessera.Key.from_pem(new_pem(alg))
    # joserfc's JWKs in tessera (crv "P-521" / "secp256k1"); RFC 7638 thumbprints agree
    from_jose = tessera.Key.from_jwk(jose.as_dict(private=False))
    assert from_jose.alg == alg
    assert from_jose.thumbprint() == key.thumbprint() == jose.thumbprint()
    private = tessera.Key.from_jwk(jose.as_dict(private=True))
    assert tessera.Verifier(from_jose).verify(private.sign({"exp": NOW + 60}), now=NOW)
    # tessera's JWKS document in PyJWT and joserfc
    document = tessera.jwks([key.with_kid("k1")])
    token = key.with_kid("k1").sign(CLAIMS)
    pyjwk = pyjwt.PyJWKSet.from_dict(document)["k1"]
    options = {"verify_iat": False}
    decoded = pyjwt.decode(token, pyjwk.key, algorithms=[alg], audience="api", options=options)
    assert decoded == CLAIMS
    from joserfc.jwk import KeySet as JoseKeySet

    decoded = jose_jwt.decode(token, JoseKeySet.import_key_set(document), algorithms=[alg])
    assert decoded.claims == CLAIMS
