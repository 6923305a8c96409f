"""`tessera.dpop`: DPoP proofs (RFC 9449) and certificate binding (RFC 8705 §3) from Python —
round trips, the RFC 9449 examples, one exception class per failed rule, the nonce flow,
replay, binding, and interop with joserfc both ways (proofs it builds by hand to the RFC
validate in tessera; tessera's proofs verify in joserfc with the embedded jwk)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import threading
import uuid
import warnings

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, OKPKey, RSAKey

import tessera
from tessera import dpop
from conftest import DATA, NOW, key_file

EXAMPLES = json.loads((DATA / "rfc9449" / "examples.json").read_text())
TOKEN_URL = "https://server.example.com/token"
API = "https://api.example/v1/me"


@pytest.fixture(autouse=True)
def _quiet_joserfc():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc warns that EdDSA is deprecated (RFC 9864)
        yield


@pytest.fixture(scope="module")
def key() -> tessera.Key:
    return tessera.Key.generate("ES256")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(value) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def b64decode_json(part: str):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# ---- round trips ---------------------------------------------------------------------------


def test_round_trip(key):
    proof = dpop.create_proof(key, "POST", TOKEN_URL + "?x=1#f", now=NOW)
    assert isinstance(proof, str) and proof.count(".") == 2
    header = b64decode_json(proof.split(".")[0])
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256"
    assert set(header["jwk"]) == {"kty", "crv", "x", "y"}
    validator = dpop.ProofValidator()
    checked = validator.validate(proof, "POST", TOKEN_URL, now=NOW)
    assert isinstance(checked, dpop.Proof)
    assert checked.jkt == key.thumbprint()
    assert (checked.htm, checked.htu, checked.iat, checked.alg) == ("POST", TOKEN_URL, NOW, "ES256")
    assert checked.nonce is None and checked.replay_until == NOW + 60
    assert len(checked.jti) == 22
    assert checked.confirmation() == {"jkt": key.thumbprint()}
    with pytest.raises(dataclasses.FrozenInstanceError):
        checked.jkt = "x"  # type: ignore[misc]
    assert "jkt=" in repr(checked) and "_handle" not in repr(checked)
    # every proof is new
    assert dpop.create_proof(key, "POST", TOKEN_URL, now=NOW) != proof


def test_access_token_and_ath(key):
    token = "an-access-token"
    proof = dpop.create_proof(key, "GET", API, now=NOW, access_token=token)
    claims = b64decode_json(proof.split(".")[1])
    assert claims["ath"] == dpop.ath(token) == b64(hashlib.sha256(token.encode()).digest())
    validator = dpop.ProofValidator()
    validator.validate(proof, "GET", API + "?q=1", now=NOW, access_token=token)
    validator.validate(proof.encode(), "GET", API, now=NOW, access_token=token.encode())
    with pytest.raises(tessera.DpopAthError) as e:
        validator.validate(proof, "GET", API, now=NOW, access_token="another")
    assert e.value.error == "invalid_dpop_proof" and e.value.code == 811
    with pytest.raises(tessera.DpopAthError):
        validator.validate(proof, "GET", API, now=NOW, access_token=b"\xff\xfe")
    assert dpop.ath(EXAMPLES["access_token"]) == EXAMPLES["ath"]


def test_validator_settings(key):
    v = dpop.ProofValidator(algorithms=["EdDSA", "ES256"], iat_window=5, max_len=4096)
    assert v.algorithms == ("EdDSA", "ES256")
    assert v.nonce(NOW) is None
    assert "EdDSA ES256" in repr(v)
    default = dpop.ProofValidator().algorithms
    assert "ES256" in default and "EdDSA" in default and "HS256" not in default
    assert not any(a.startswith("ML-DSA") for a in default)
    proof = dpop.create_proof(key, "POST", TOKEN_URL, now=NOW)
    v.validate(proof, "POST", TOKEN_URL, now=NOW + 5)
    with pytest.raises(tessera.DpopIatError):
        v.validate(proof, "POST", TOKEN_URL, now=NOW + 6)
    es384 = tessera.Key.generate("ES384")
    with pytest.raises(tessera.DpopAlgorithmError):
        v.validate(dpop.create_proof(es384, "POST", TOKEN_URL, now=NOW), "POST", TOKEN_URL, now=NOW)
    assert dpop.ProofValidator(algorithms="ES256 ES384").algorithms == ("ES256", "ES384")
    with pytest.raises(tessera.InvalidArgumentError):
        dpop.ProofValidator(algorithms=["HS256"])
    with pytest.raises(tessera.InvalidArgumentError):
        dpop.ProofValidator(iat_window=3601)
    with pytest.raises(tessera.InvalidArgumentError):
        dpop.ProofValidator(max_len=0)
    with pytest.raises(tessera.TesseraError):
        dpop.ProofValidator(algorithms=["none"])
    with pytest.raises(TypeError):
        dpop.ProofValidator(nonce_issuer="secret")  # type: ignore[arg-type]


# ---- RFC 9449 examples ----------------------------------------------------------------------


@pytest.mark.parametrize("case", EXAMPLES["proofs"], ids=lambda c: c["figure"])
def test_rfc9449_examples(case):
    validator = dpop.ProofValidator()
    checked = validator.validate(
        case["proof"],
        case["htm"],
        case["htu"],
        now=case["iat"],
        access_token=case.get("access_token"),
    )
    assert checked.jkt == EXAMPLES["jkt"] == "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
    assert (checked.jti, checked.iat) == (case["jti"], case["iat"])
    # an hour later the same proof is stale
    with pytest.raises(tessera.DpopIatError):
        validator.validate(case["proof"], case["htm"], case["htu"], now=case["iat"] + 3600)


# ---- one class per failed rule --------------------------------------------------------------


def sign_by_hand(header: dict, claims: dict, jose_key) -> str:
    return jws.serialize_compact(header, json.dumps(claims), jose_key, algorithms=[header["alg"]])


def test_each_failure_raises_its_class(key):
    v = dpop.ProofValidator()
    proof = dpop.create_proof(key, "POST", TOKEN_URL, now=NOW)
    head, body, sig = proof.split(".")
    flipped = sig[:5] + ("A" if sig[5] != "A" else "B") + sig[6:]
    jk = ECKey.generate_key("P-256")
    public = jk.as_dict(private=False)
    good_claims = {"jti": "j-1", "htm": "POST", "htu": TOKEN_URL, "iat": NOW}
    good_header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": public}
    no_jti = {k: v for k, v in good_claims.items() if k != "jti"}
    no_jwk = {"typ": "dpop+jwt", "alg": "ES256"}
    hs256 = sign_by_hand({"alg": "HS256", "typ": "dpop+jwt"}, good_claims, jws_oct())
    with_private = sign_by_hand(dict(good_header, jwk=jk.as_dict(private=True)), good_claims, jk)
    cases = [
        ("not.a.proof", tessera.DpopMalformedError, 800),
        (b"\xff.\xfe.x", tessera.DpopMalformedError, 800),
        (sign_by_hand(dict(good_header, typ="jwt"), good_claims, jk), tessera.DpopTypeError, 801),
        (hs256, tessera.DpopAlgorithmError, 802),
        (sign_by_hand(no_jwk, good_claims, jk), tessera.DpopKeyError, 803),
        (with_private, tessera.DpopKeyError, 803),
        (".".join((head, body, flipped)), tessera.DpopSignatureError, 804),
        (sign_by_hand(good_header, dict(good_claims, htm="GET"), jk), tessera.DpopMethodError, 805),
        (sign_by_hand(good_header, dict(good_claims, htu=API), jk), tessera.DpopUriError, 806),
        (sign_by_hand(good_header, dict(good_claims, iat=NOW - 61), jk), tessera.DpopIatError, 807),
        (sign_by_hand(good_header, no_jti, jk), tessera.DpopJtiError, 808),
    ]
    for bad, cls, code in cases:
        with pytest.raises(cls) as e:
            v.validate(bad, "POST", TOKEN_URL, now=NOW)
        assert type(e.value) is cls and e.value.code == code, bad
        assert isinstance(e.value, tessera.InvalidDpopProofError)
        assert not isinstance(e.value, tessera.UseDpopNonceError)
        assert e.value.error == "invalid_dpop_proof"
    # the hand-made proof itself is fine
    assert v.validate(sign_by_hand(good_header, good_claims, jk), "POST", TOKEN_URL, now=NOW).jkt
    # the host's own mistakes are argument errors
    with pytest.raises(tessera.InvalidArgumentError):
        v.validate(proof, "PO ST", TOKEN_URL, now=NOW)
    with pytest.raises(tessera.InvalidArgumentError):
        v.validate(proof, "POST", "/relative", now=NOW)
    with pytest.raises(ValueError):
        v.validate(proof, "POST", "https://a\0b", now=NOW)


def jws_oct():
    from joserfc.jwk import OctKey

    return OctKey.import_key(b"s" * 32)


def test_create_proof_refusals(key):
    with pytest.raises(tessera.NotPrivateKeyError):
        dpop.create_proof(key.public_key(), "POST", TOKEN_URL, now=NOW)
    with pytest.raises(tessera.KeyAlgorithmMismatchError):
        dpop.create_proof(tessera.Key.hmac(b"k" * 32), "POST", TOKEN_URL, now=NOW)
    with pytest.raises(tessera.InvalidArgumentError):
        dpop.create_proof(key, "POST", "ftp://x/", now=NOW)
    with pytest.raises(tessera.InvalidArgumentError):
        dpop.create_proof(key, "POST", TOKEN_URL, now=NOW, nonce="bad nonce")
    with pytest.raises(TypeError):
        dpop.create_proof("key", "POST", TOKEN_URL)  # type: ignore[arg-type]


# ---- nonces ---------------------------------------------------------------------------------


def test_nonce_flow(key):
    issuer = dpop.NonceIssuer(b"n" * 32, step=300)
    v = dpop.ProofValidator(nonce_issuer=issuer)
    issuer.close()  # the validator keeps its own copy
    first = dpop.create_proof(key, "POST", TOKEN_URL, now=NOW)
    with pytest.raises(tessera.UseDpopNonceError) as e:
        v.validate(first, "POST", TOKEN_URL, now=NOW)
    assert type(e.value) is tessera.DpopNonceRequiredError
    assert (e.value.error, e.value.code) == ("use_dpop_nonce", 809)
    assert isinstance(e.value, tessera.InvalidDpopProofError)
    nonce = v.nonce(NOW)
    assert nonce is not None and len(nonce) == 32
    retry = dpop.create_proof(key, "POST", TOKEN_URL, now=NOW, nonce=nonce)
    assert v.validate(retry, "POST", TOKEN_URL, now=NOW).nonce == nonce
    stale = dpop.create_proof(key, "POST", TOKEN_URL, now=NOW + 600, nonce=nonce)
    with pytest.raises(tessera.DpopNonceInvalidError):
        v.validate(stale, "POST", TOKEN_URL, now=NOW + 600)
    assert v.nonce(NOW + 600) != nonce

    same = dpop.NonceIssuer(b"n" * 32)
    assert same.nonce(NOW) == nonce
    same.check(nonce, now=NOW + 299)
    same.check(nonce.encode(), now=NOW + 300)
    with pytest.raises(tessera.DpopNonceInvalidError):
        same.check(nonce, now=NOW + 600)
    with pytest.raises(tessera.DpopNonceInvalidError):
        same.check(b"\xff", now=NOW)
    with pytest.raises(tessera.DpopNonceInvalidError):
        dpop.NonceIssuer(b"m" * 32).check(nonce, now=NOW)
    with pytest.raises(tessera.WeakKeyError):
        dpop.NonceIssuer(b"short")
    with pytest.raises(tessera.InvalidArgumentError):
        dpop.NonceIssuer(b"n" * 32, step=0)
    with dpop.NonceIssuer(b"n" * 32) as i:
        assert i.nonce(NOW) == nonce
    assert i.closed


# ---- replay ---------------------------------------------------------------------------------


def test_replay(key):
    cache = dpop.ReplayCache(1000)
    assert len(cache) == 0 and cache.capacity >= 1000 and cache.evicted_live == 0
    v = dpop.ProofValidator()
    proof = dpop.create_proof(key, "POST", TOKEN_URL, now=NOW)
    first = v.validate(proof, "POST", TOKEN_URL, now=NOW)
    cache.check(first, now=NOW)
    again = v.validate(proof, "POST", TOKEN_URL, now=NOW + 1)
    with pytest.raises(tessera.DpopReplayError) as e:
        cache.check(again, now=NOW + 1)
    assert e.value.error == "invalid_dpop_proof" and e.value.code == 812
    # a Proof built by hand is checked by its members
    by_hand = dpop.Proof(first.jkt, first.jti, NOW, None, "ES256", "POST", TOKEN_URL, NOW + 60)
    with pytest.raises(tessera.DpopReplayError):
        cache.check(by_hand, now=NOW + 2)
    cache.check_and_record("client-1", "jti-1", NOW + 100, now=NOW)
    with pytest.raises(tessera.DpopReplayError):
        cache.check_and_record("client-1", "jti-1", NOW + 100, now=NOW + 50)
    cache.check_and_record("client-2", "jti-1", NOW + 100, now=NOW)
    cache.check_and_record("client-1", "jti-1", NOW + 200, now=NOW + 101)
    assert len(cache) >= 3 and "ReplayCache" in repr(cache)
    with pytest.raises(tessera.InvalidArgumentError):
        dpop.ReplayCache(0)
    with pytest.raises(TypeError):
        cache.check("proof")  # type: ignore[arg-type]


def test_replay_cache_across_threads():
    cache = dpop.ReplayCache(100_000)
    accepted = []

    def worker():
        n = 0
        for i in range(300):
            try:
                cache.check_and_record("s", str(i), NOW + 60, now=NOW)
                n += 1
            except tessera.DpopReplayError:
                pass
        accepted.append(n)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(accepted) == 300


# ---- binding --------------------------------------------------------------------------------


def test_check_binding(key):
    v = dpop.ProofValidator()
    token = "at-1"
    proof = v.validate(
        dpop.create_proof(key, "GET", API, now=NOW, access_token=token),
        "GET",
        API,
        now=NOW,
        access_token=token,
    )
    bound = {"sub": "a", "cnf": proof.confirmation()}
    assert dpop.check_binding(bound, proof, require_bound=True) == {"jkt": proof.jkt}
    assert dpop.check_binding(json.dumps(bound), proof) == {"jkt": proof.jkt}
    with pytest.raises(tessera.DpopBoundTokenError) as e:
        dpop.check_binding(bound)
    assert (e.value.error, e.value.status) == ("invalid_token", 401)
    assert isinstance(e.value, tessera.TokenBindingError)
    assert isinstance(e.value, tessera.InvalidTokenError)
    with pytest.raises(tessera.DpopKeyMismatchError):
        dpop.check_binding({"cnf": {"jkt": EXAMPLES["jkt"]}}, proof)
    assert dpop.check_binding({"sub": "a"}) is None
    with pytest.raises(tessera.UnboundTokenError):
        dpop.check_binding({"sub": "a"}, require_bound=True)
    with pytest.raises(tessera.DpopKeyMismatchError):
        dpop.check_binding({"sub": "a"}, proof)
    with pytest.raises(tessera.InvalidClaimTypeError):
        dpop.check_binding({"cnf": "x"})
    # a Proof that did not come from validate cannot show possession
    forged = dataclasses.replace(proof, jkt=EXAMPLES["jkt"])
    with pytest.raises(ValueError):
        dpop.check_binding({"cnf": {"jkt": EXAMPLES["jkt"]}}, forged)
    by_hand = dpop.Proof(proof.jkt, "j", NOW, None, "ES256", "GET", API, NOW + 60)
    with pytest.raises(ValueError):
        dpop.check_binding(bound, by_hand)

    # a verified access token
    as_key = tessera.Key.generate("ES256")
    at = as_key.sign({"exp": NOW + 60, "cnf": {"jkt": proof.jkt}})
    verified = tessera.Verifier(as_key).verify_full(at, now=NOW)
    assert dpop.check_binding(verified, proof) == {"jkt": proof.jkt}
    with pytest.raises(tessera.DpopBoundTokenError):
        dpop.check_binding(verified)


def test_certificate_binding():
    der = _certificate_der()
    x5t = dpop.certificate_thumbprint(der)
    assert x5t == b64(hashlib.sha256(der).digest())
    claims = {"cnf": {"x5t#S256": x5t}}
    assert dpop.check_binding(claims, certificate=der) == {"x5t#S256": x5t}
    with pytest.raises(tessera.CertificateMismatchError) as e:
        dpop.check_binding(claims)
    assert e.value.error == "invalid_token"
    with pytest.raises(tessera.CertificateMismatchError):
        dpop.check_binding(claims, certificate=b"\x30\x03\x02\x01\x05")
    with pytest.raises(tessera.InvalidArgumentError):
        dpop.certificate_thumbprint(b"not der")


def _certificate_der() -> bytes:
    """A real X.509 certificate from the repository's test data, as DER."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    for path in sorted((DATA / "keys").glob("*.pem")):
        text = path.read_bytes()
        if b"BEGIN CERTIFICATE" in text:
            return x509.load_pem_x509_certificate(text).public_bytes(serialization.Encoding.DER)
    # no certificate file: a self-signed one made here
    import datetime

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    k = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client")])
    now = datetime.datetime(2030, 1, 1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(k.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(k, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


# ---- interop with joserfc -------------------------------------------------------------------

JOSE_KEYS = {
    "ES256": lambda: ECKey.generate_key("P-256"),
    "EdDSA": lambda: OKPKey.generate_key("Ed25519"),
    "RS256": lambda: RSAKey.import_key(key_file("rsa2048.pkcs8.pem")),
}


@pytest.mark.parametrize("alg", sorted(JOSE_KEYS))
def test_joserfc_proofs_validate_in_tessera(alg):
    jk = JOSE_KEYS[alg]()
    public = jk.as_dict(private=False)
    token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
    header = {"typ": "dpop+jwt", "alg": alg, "jwk": public}
    claims = {
        "jti": str(uuid.uuid4()),
        "htm": "GET",
        "htu": API,
        "iat": NOW,
        "ath": b64(hashlib.sha256(token.encode("ascii")).digest()),
    }
    proof = sign_by_hand(header, claims, jk)
    checked = dpop.ProofValidator().validate(proof, "GET", API, now=NOW, access_token=token)
    assert checked.jti == claims["jti"] and checked.alg == alg
    # the jkt is the RFC 7638 thumbprint joserfc computes for the same key
    assert checked.jkt == jk.thumbprint()
    with pytest.raises(tessera.DpopAthError):
        dpop.ProofValidator().validate(proof, "GET", API, now=NOW, access_token="other")


@pytest.mark.parametrize("alg", sorted(JOSE_KEYS))
def test_tessera_proofs_verify_in_joserfc(alg):
    if alg == "RS256":
        key = tessera.Key.from_pem(key_file("rsa2048.pkcs8.pem"), "RS256")
    else:
        key = tessera.Key.generate(alg)
    token = "an-access-token"
    proof = dpop.create_proof(key, "POST", TOKEN_URL, now=NOW, nonce="n-1", access_token=token)
    header = b64decode_json(proof.split(".")[0])
    cls = {"ES256": ECKey, "EdDSA": OKPKey, "RS256": RSAKey}[alg]
    embedded = cls.import_key(header["jwk"])
    registry = jws.JWSRegistry(algorithms=[alg])
    registry.max_header_length = 4096  # an RSA jwk is over joserfc's default 512 bytes
    obj = jws.deserialize_compact(proof, embedded, registry=registry)
    assert obj.headers()["typ"] == "dpop+jwt" and obj.headers()["alg"] == alg
    claims = json.loads(obj.payload)
    assert set(claims) == {"jti", "htm", "htu", "iat", "nonce", "ath"}
    assert (claims["htm"], claims["htu"], claims["iat"], claims["nonce"]) == (
        "POST",
        TOKEN_URL,
        NOW,
        "n-1",
    )
    assert claims["ath"] == b64(hashlib.sha256(token.encode()).digest())
    assert embedded.thumbprint() == key.thumbprint()
    assert not {"d", "p", "q"} & set(header["jwk"])


def test_namespace():
    assert tessera.dpop is dpop
    import importlib

    assert importlib.import_module("tessera.dpop") is dpop
    for name in dpop.__all__:
        assert getattr(dpop, name) is not None
    assert dpop.InvalidDpopProofError is tessera.InvalidDpopProofError
    assert issubclass(tessera.UseDpopNonceError, tessera.InvalidDpopProofError)
    assert issubclass(tessera.OAuthUseDpopNonceError, tessera.OAuthError)
    assert issubclass(tessera.OAuthUseDpopNonceError, tessera.UseDpopNonceError)


def test_resource_verifier_checks_token_proof_and_binding():
    """tessera.dpop.ResourceVerifier: the token, then the proof with its ath, then the binding."""
    now = 1_800_000_000
    as_key = tessera.Key.generate("ES256")
    client = tessera.Key.generate("ES256")
    uri = "https://api.example/v1/me?page=2"

    def mint(extra, exp=now + 60):
        claims = {"iss": "https://as.example", "aud": "api", "exp": exp, "sub": "u1", **extra}
        return as_key.sign(claims, {"typ": "at+jwt"})

    verifier = tessera.Verifier(as_key.public_key(), issuer="https://as.example", audience="api")
    rs = tessera.dpop.ResourceVerifier(verifier)
    bound = mint({"cnf": {"jkt": client.thumbprint()}})
    unbound = mint({})

    def proof_for(token, key=client, method="GET"):
        return tessera.dpop.create_proof(key, method, uri, now=now, access_token=token)

    scheme, token = tessera.access_token(f"DPoP {bound}")
    ok = rs.verify(scheme, token, proof_for(bound), "GET", uri, now=now)
    assert ok.scheme == "DPoP" and ok.claims["sub"] == "u1"
    assert ok.proof.jkt == client.thumbprint() and ok.cnf == {"jkt": client.thumbprint()}

    with pytest.raises(tessera.DpopBoundTokenError):
        rs.verify("Bearer", bound, None, "GET", uri, now=now)
    with pytest.raises(tessera.DpopProofRequiredError):
        rs.verify("DPoP", bound, None, "GET", uri, now=now)
    with pytest.raises(tessera.DpopAthError):
        rs.verify("DPoP", bound, proof_for(unbound), "GET", uri, now=now)
    with pytest.raises(tessera.DpopKeyMismatchError):
        rs.verify("DPoP", bound, proof_for(bound, tessera.Key.generate("ES256")), "GET", uri, now=now)
    with pytest.raises(tessera.ExpiredError):
        expired = mint({"cnf": {"jkt": client.thumbprint()}}, exp=now - 100)
        rs.verify("DPoP", expired, proof_for(expired), "GET", uri, now=now)
    assert rs.verify("Bearer", unbound, None, "GET", uri, now=now).cnf is None
    strict = tessera.dpop.ResourceVerifier(verifier, require_bound=True)
    with pytest.raises(tessera.UnboundTokenError):
        strict.verify("Bearer", unbound, None, "GET", uri, now=now)
    with pytest.raises(ValueError):
        rs.verify("Basic", unbound, None, "GET", uri, now=now)
