"""Keys, key sets, signing, verifiers and verification results."""

from __future__ import annotations

import base64
import json
import os

import pytest

import tessera
from conftest import AWS_LC, NOW, key_file

EXP = NOW + 3600


def b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64url_json(part: str) -> dict:
    return json.loads(b64url(part))


def header_of(token: str) -> dict:
    return b64url_json(token.split(".")[0])


# ---- keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, alg, expect_alg",
    [
        ("rsa2048.pkcs8.pem", "RS256", "RS256"),
        ("rsa2048.pkcs1.pem", "PS384", "PS384"),
        ("rsa2048.spki.pem", "RS512", "RS512"),
        ("rsa2048.pkcs1pub.pem", "RS256", "RS256"),
        ("rsa2048.cert.pem", "RS256", "RS256"),
        ("p256.pkcs8.pem", None, "ES256"),
        ("p256.sec1.pem", None, "ES256"),
        ("p256.spki.pem", None, "ES256"),
        ("p256.cert.pem", None, "ES256"),
        ("p384.pkcs8.pem", None, "ES384"),
        ("p384.spki.pem", "ES384", "ES384"),
        ("ed25519.pkcs8.pem", None, "EdDSA"),
        ("ed25519.spki.pem", None, "EdDSA"),
        ("ed25519.cert.pem", None, "EdDSA"),
    ],
)
def test_key_from_pem(name, alg, expect_alg):
    key = tessera.Key.from_pem(key_file(name), alg)
    assert key.alg == expect_alg
    assert key.is_private == ("pkcs8" in name or "sec1" in name or name == "rsa2048.pkcs1.pem")
    # text works as well as bytes
    assert tessera.Key.from_pem(key_file(name).decode(), alg).thumbprint() == key.thumbprint()


@pytest.mark.parametrize(
    "name, alg",
    [
        ("rsa2048.pkcs8.der", "RS256"),
        ("rsa2048.spki.der", "PS256"),
        ("rsa2048.cert.der", "RS384"),
        ("p256.sec1.der", None),
    ],
)
def test_key_from_der(name, alg):
    key = tessera.Key.from_der(key_file(name), alg)
    pem_name = name.replace(".der", ".pem")
    assert key.thumbprint() == tessera.Key.from_pem(key_file(pem_name), alg).thumbprint()


@pytest.mark.parametrize(
    "name, alg, error",
    [
        ("rsa2048.pkcs8.pem", None, tessera.KeyAlgorithmMismatchError),  # RSA needs an alg
        ("p256.pkcs8.pem", "RS256", tessera.KeyAlgorithmMismatchError),
        ("rsa1024.pkcs8.pem", "RS256", tessera.WeakKeyError),
        ("rsa2048.encrypted.pem", "RS256", tessera.UnsupportedKeyError),
        ("ed448.pkcs8.pem", None, tessera.UnsupportedKeyError),
        # P-521: an ES512 key with aws-lc (test_key_es512_es256k), unsupported with ring
        ("p521.sec1.pem", "ES256", tessera.KeyAlgorithmMismatchError)
        if AWS_LC
        else ("p521.sec1.pem", None, tessera.UnsupportedKeyError),
    ],
)
def test_key_from_pem_refusals(name, alg, error):
    with pytest.raises(error) as info:
        tessera.Key.from_pem(key_file(name), alg)
    assert isinstance(info.value, tessera.InvalidKeyError)
    assert info.value.code == error.code
    assert info.value.name == tessera.result_name(error.code)


def test_key_from_bad_input():
    with pytest.raises(tessera.InvalidKeyError) as info:
        tessera.Key.from_pem(b"not a pem")
    assert info.value.code == 200 and type(info.value) is tessera.InvalidKeyError
    with pytest.raises(tessera.InvalidKeyError):
        tessera.Key.from_der(b"\x30\x03\x02\x01\x01")
    with pytest.raises(tessera.UnsupportedAlgorithmError):
        tessera.Key.from_pem(key_file("p256.pkcs8.pem"), "none")
    with pytest.raises(TypeError):
        tessera.Key.from_pem(12)  # type: ignore[arg-type]


def test_key_from_jwk_str_and_dict():
    key = tessera.Key.generate("ES256")
    jwk = key.public_jwk()
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and "d" not in jwk
    from_dict = tessera.Key.from_jwk(jwk)
    from_str = tessera.Key.from_jwk(json.dumps(jwk))
    assert from_dict.thumbprint() == from_str.thumbprint() == key.thumbprint()
    assert not from_dict.is_private
    private = tessera.Key.from_jwk(key.private_jwk())
    assert private.is_private and private.alg == "ES256"
    # alg for a JWK without one; a conflicting alg is refused
    no_alg = {k: v for k, v in jwk.items() if k != "alg"}
    assert tessera.Key.from_jwk(no_alg, "ES256").alg == "ES256"
    with pytest.raises(tessera.InvalidKeyError):
        tessera.Key.from_jwk(jwk, "ES384")
    with pytest.raises(tessera.InvalidJsonError) as info:
        tessera.Key.from_jwk("{")
    assert isinstance(info.value, tessera.DecodeError) and info.value.code == 102
    with pytest.raises(tessera.DuplicateMemberError):
        tessera.Key.from_jwk('{"kty":"oct","kty":"oct"}')


def test_rfc7638_thumbprint():
    vector = json.loads((key_file("../rfc/rfc7638_3_1_thumbprint.json")))
    key = tessera.Key.from_jwk(vector["key"])
    assert key.thumbprint() == vector["thumbprint"]
    assert key.kid == "2011-04-29"


def test_key_hmac():
    key = tessera.Key.hmac(b"k" * 32)
    assert key.alg == "HS256" and key.is_private and key.kid is None
    assert tessera.Key.hmac(b"k" * 48, "HS384").alg == "HS384"
    assert tessera.Key.hmac(bytearray(b"k" * 64), alg="HS512").alg == "HS512"
    with pytest.raises(tessera.WeakKeyError):
        tessera.Key.hmac(b"short")
    with pytest.raises(tessera.WeakKeyError):
        tessera.Key.hmac(b"k" * 32, "HS384")
    with pytest.raises(tessera.KeyAlgorithmMismatchError):
        tessera.Key.hmac(b"k" * 32, "ES256")
    jwk = key.private_jwk()
    assert jwk["kty"] == "oct" and base64.urlsafe_b64decode(jwk["k"] + "=") == b"k" * 32
    for method in (key.public_jwk, key.public_key, key.public_pem, key.private_pem):
        with pytest.raises(tessera.NoPublicKeyError):
            method()
    with pytest.raises(tessera.NoPublicKeyError):
        tessera.jwks([key])


@pytest.mark.parametrize("alg", ["ES256", "ES384", "EdDSA", "HS256", "HS384", "HS512"])
def test_key_generate(alg):
    key = tessera.Key.generate(alg)
    assert key.alg == alg and key.is_private
    token = key.sign({"exp": EXP})
    assert tessera.Verifier(key).verify(token, now=NOW) == {"exp": EXP}


def test_key_generate_ed25519_alias_and_refusals():
    assert tessera.Key.generate("Ed25519").alg in ("EdDSA", "Ed25519")
    for alg in ("none", "es512", "bogus"):
        with pytest.raises(tessera.UnsupportedAlgorithmError):
            tessera.Key.generate(alg)


@pytest.mark.parametrize("alg", ["RS256", "PS384"])
def test_key_generate_rsa(alg):
    """aws-lc generates 2048-bit RSA keys; ring cannot (`UnsupportedError`, code 7)."""
    if not AWS_LC:
        with pytest.raises(tessera.UnsupportedError) as info:
            tessera.Key.generate(alg)
        assert info.value.code == 7
        return
    key = tessera.Key.generate(alg)
    assert key.alg == alg and key.is_private
    assert len(b64url(key.public_jwk()["n"])) == 256  # 2048 bits
    token = key.sign({"exp": EXP})
    assert tessera.Verifier(key.public_key()).verify(token, now=NOW) == {"exp": EXP}


@pytest.mark.parametrize("alg, crv", [("ES512", "P-521"), ("ES256K", "secp256k1")])
def test_key_es512_es256k(alg, crv):
    """ES512 (P-521) and ES256K (secp256k1, RFC 8812) with aws-lc; with ring, their names are
    `UnsupportedAlgorithmError` wherever an algorithm is taken, and their keys
    `UnsupportedKeyError`."""
    if not AWS_LC:
        with pytest.raises(tessera.UnsupportedAlgorithmError):
            tessera.Key.generate(alg)
        with pytest.raises(tessera.UnsupportedAlgorithmError):
            tessera.Verifier(tessera.Key.generate("ES256"), algorithms=[alg])
        with pytest.raises(tessera.UnsupportedKeyError):
            tessera.Key.from_jwk({"kty": "EC", "crv": crv, "x": "AA", "y": "AA"})
        with pytest.raises(tessera.UnsupportedKeyError):
            tessera.Key.from_pem(key_file("p521.sec1.pem"))
        return
    key = tessera.Key.generate(alg).with_kid("k")
    assert key.alg == alg and key.is_private
    public = key.public_jwk()
    assert public["crv"] == crv and "d" not in public
    token = key.sign({"exp": EXP})
    signature = token.rsplit(".", 1)[1]
    assert len(b64url(signature)) == (132 if alg == "ES512" else 64)
    for loaded in (
        tessera.Key.from_jwk(public),
        tessera.Key.from_pem(key.public_pem()),
        tessera.Key.from_pem(key.private_pem()),
        tessera.Key.from_jwk(key.private_jwk()),
    ):
        assert loaded.alg == alg and loaded.thumbprint() == key.thumbprint()
        assert tessera.Verifier(loaded).verify(token, now=NOW) == {"exp": EXP}
    other = tessera.Key.generate("ES256K" if alg == "ES512" else "ES512")
    with pytest.raises(tessera.AlgorithmMismatchError):
        tessera.Verifier(other).verify(token, now=NOW)
    # OpenSSL's P-521 key is an ES512 key.
    assert tessera.Key.from_pem(key_file("p521.sec1.pem")).alg == "ES512"


@pytest.mark.parametrize("alg, sig_len", [("ML-DSA-44", 2420), ("ML-DSA-65", 3309), ("ML-DSA-87", 4627)])
def test_key_ml_dsa(alg, sig_len):
    """ML-DSA (FIPS 204) when the library was built with the ml-dsa feature
    (`TESSERA_BACKEND=aws-lc+ml-dsa`): keys, `AKP` JWKs with the seed as `priv`, tokens. Without
    it, the names are `UnsupportedAlgorithmError`. tests/python.rs says which to expect."""
    expected = os.environ.get("TESSERA_TEST_EXPECT_ML_DSA")
    try:
        key = tessera.Key.generate(alg).with_kid("pq")
    except tessera.UnsupportedAlgorithmError:
        assert expected != "1", "the library was expected to have ML-DSA"
        with pytest.raises(tessera.UnsupportedAlgorithmError):
            tessera.Key.from_jwk({"kty": "AKP", "alg": alg, "pub": "AA"})
        return
    assert expected != "0", "the library was expected to lack ML-DSA"
    assert key.alg == alg and key.is_private
    public = key.public_jwk()
    assert public["kty"] == "AKP" and public["alg"] == alg and "priv" not in public
    private = key.private_jwk()
    assert len(b64url(private["priv"])) == 32
    token = key.sign({"exp": EXP})
    assert len(b64url(token.rsplit(".", 1)[1])) == sig_len
    for loaded in (
        tessera.Key.from_jwk(public),
        tessera.Key.from_jwk(private),
        tessera.Key.from_pem(key.public_pem()),
        tessera.Key.from_pem(key.private_pem()),
    ):
        assert loaded.alg == alg and loaded.thumbprint() == key.thumbprint()
        assert tessera.Verifier(loaded).verify(token, now=NOW) == {"exp": EXP}
    other = tessera.Key.generate(alg)
    with pytest.raises(tessera.InvalidSignatureError):
        tessera.Verifier(other).verify(token, now=NOW)


def test_key_kid_public_and_exports():
    key = tessera.Key.from_pem(key_file("p256.pkcs8.pem"))
    assert key.kid is None
    named = key.with_kid("k-1")
    assert named.kid == "k-1" and key.kid is None
    public = named.public_key()
    assert not public.is_private and public.kid == "k-1" and public.alg == "ES256"
    assert public.thumbprint() == key.thumbprint()
    assert "-----BEGIN PUBLIC KEY-----" in key.public_pem()
    pem = key.private_pem()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert tessera.Key.from_pem(pem).thumbprint() == key.thumbprint()
    assert public.public_jwk()["kid"] == "k-1"
    with pytest.raises(tessera.NotPrivateKeyError):
        public.private_pem()
    with pytest.raises(tessera.NotPrivateKeyError):
        public.private_jwk()
    assert "ES256" in repr(named) and "k-1" in repr(named)


# ---- signing --------------------------------------------------------------------------------


def test_sign_headers_and_claims_text():
    key = tessera.Key.generate("ES256").with_kid("main")
    token = key.sign({"sub": "a", "exp": EXP}, {"typ": "at+jwt", "x-extra": 1})
    assert header_of(token) == {"alg": "ES256", "typ": "at+jwt", "kid": "main", "x-extra": 1}
    assert "kid" not in header_of(tessera.Key.generate("ES256").sign({}))
    assert header_of(key.sign({}, {"kid": "given"}))["kid"] == "given"
    # JSON text is used byte for byte
    text = '{"sub":"a",  "exp":%d}' % EXP
    token = key.sign(text)
    payload = token.split(".")[1]
    assert base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode() == text
    assert key.sign(text.encode()).split(".")[1] == payload
    with pytest.raises(tessera.InvalidJsonError):
        key.sign("[1]")
    with pytest.raises(tessera.DuplicateMemberError):
        key.sign('{"a":1,"a":2}')
    with pytest.raises(tessera.NotPrivateKeyError):
        key.public_key().sign({"a": 1})


def test_sign_jws_and_verify_jws():
    key = tessera.Key.generate("EdDSA")
    token = key.sign_jws('{"alg":"EdDSA"}', b"\x00\x01 not json")
    assert tessera.Verifier(key).verify_jws(token) == b"\x00\x01 not json"
    with pytest.raises(tessera.AlgorithmMismatchError):
        key.sign_jws('{"alg":"HS256"}', b"x")
    with pytest.raises(tessera.BadSignatureError):
        tessera.Verifier(tessera.Key.generate("EdDSA")).verify_jws(token)


# ---- key sets -------------------------------------------------------------------------------


def test_keyset_from_jwks_and_rotation():
    old = tessera.Key.generate("ES256").with_kid("old")
    new = tessera.Key.generate("EdDSA").with_kid("new")
    document = tessera.jwks([old, new])
    assert [k["kid"] for k in document["keys"]] == ["old", "new"]
    for source in (document, json.dumps(document)):
        keyset = tessera.KeySet.from_jwks(source)
        assert len(keyset) == 2
        verifier = tessera.Verifier(keyset)
        assert verifier.verify(old.sign({"exp": EXP}), now=NOW) == {"exp": EXP}
        assert verifier.verify(new.sign({"n": 1, "exp": EXP}), now=NOW)["n"] == 1
    stranger = tessera.Key.generate("ES256").with_kid("stranger")
    with pytest.raises(tessera.KeyNotFoundError) as info:
        tessera.Verifier(tessera.KeySet([old, new])).verify(stranger.sign({"exp": EXP}), now=NOW)
    assert isinstance(info.value, tessera.InvalidTokenError)
    assert isinstance(info.value, tessera.InvalidKeyError)
    assert tessera.KeySet([old]).to_jwks()["keys"][0]["kid"] == "old"
    assert "1 keys" in repr(tessera.KeySet([old]))


def test_keyset_default_algs_and_refusals():
    rsa = tessera.Key.from_pem(key_file("rsa2048.pkcs8.pem"), "PS256")
    jwk = rsa.public_jwk()
    del jwk["alg"]
    keyset = tessera.KeySet.from_jwks({"keys": [jwk]}, default_algs=["PS256"])
    assert tessera.Verifier(keyset).verify(rsa.sign({"exp": EXP}), now=NOW) == {"exp": EXP}
    assert len(tessera.KeySet.from_jwks({"keys": [jwk]}, "RS256,PS256")) >= 1
    with pytest.raises(tessera.KeyNotFoundError):
        tessera.KeySet.from_jwks({"keys": []})
    with pytest.raises(tessera.AmbiguousKeySetError):
        tessera.KeySet([tessera.Key.hmac(b"k" * 32), tessera.Key.generate("ES256")])
    with pytest.raises(tessera.AmbiguousKeySetError):
        a = tessera.Key.generate("ES256").with_kid("a")
        tessera.KeySet([a, tessera.Key.generate("ES256").with_kid("a")])
    with pytest.raises(TypeError):
        tessera.KeySet(["not a key"])  # type: ignore[list-item]


# ---- verifiers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def es():
    return tessera.Key.generate("ES256")


def test_verify_defaults(es):
    v = tessera.Verifier(es)
    token = es.sign({"sub": "x", "exp": EXP})
    assert v.verify(token, now=NOW) == {"sub": "x", "exp": EXP}
    assert v.verify(token.encode(), now=NOW)["sub"] == "x"
    assert v.verify(token)["sub"] == "x"  # now=None reads the clock (EXP is in 2027)
    with pytest.raises(tessera.MissingClaimError):
        v.verify(es.sign({"sub": "x"}), now=NOW)  # exp required by default
    with pytest.raises(tessera.AudienceMismatchError):
        v.verify(es.sign({"aud": "x", "exp": EXP}), now=NOW)  # aud without an expectation
    with pytest.raises(tessera.InvalidClaimTypeError):
        v.verify(es.sign({"exp": str(EXP)}), now=NOW)


@pytest.mark.parametrize(
    "token, now, error, family",
    [
        ("abc", NOW, tessera.MalformedTokenError, tessera.DecodeError),
        ("a=.b.c", NOW, tessera.InvalidBase64Error, tessera.DecodeError),
        ("YWJj.YWJj.YWJj", NOW, tessera.InvalidJsonError, tessera.DecodeError),
    ],
)
def test_verify_decode_errors(es, token, now, error, family):
    with pytest.raises(error) as info:
        tessera.Verifier(es).verify(token, now=now)
    assert isinstance(info.value, family) and isinstance(info.value, tessera.InvalidTokenError)


def test_verify_time_checks(es):
    v = tessera.Verifier(es)
    token = es.sign({"exp": EXP, "nbf": NOW, "iat": NOW})
    with pytest.raises(tessera.ExpiredError) as info:
        v.verify(token, now=EXP + 31)
    assert type(info.value) is tessera.ExpiredError and info.value.code == 400
    assert info.value.name == "expired"
    assert v.verify(token, now=EXP + 29)  # default leeway 30 s
    with pytest.raises(tessera.ExpiredError):
        tessera.Verifier(es, leeway=0).verify(token, now=EXP + 1)
    assert tessera.Verifier(es, leeway=300).verify(token, now=EXP + 299)
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.Verifier(es, leeway=301)
    with pytest.raises(ValueError):
        tessera.Verifier(es, leeway=-1)
    with pytest.raises(tessera.NotYetValidError) as info:
        v.verify(token, now=NOW - 31)
    assert type(info.value) is tessera.NotYetValidError and info.value.code == 401
    with pytest.raises(tessera.IssuedInFutureError) as info:
        v.verify(es.sign({"exp": EXP, "iat": NOW + 100}), now=NOW)
    assert isinstance(info.value, tessera.NotYetValidError)
    with pytest.raises(tessera.TooOldError) as info:
        tessera.Verifier(es, max_age=60).verify(token, now=NOW + 61 + 30)
    assert isinstance(info.value, tessera.ExpiredError)
    assert tessera.Verifier(es, max_age=60).verify(token, now=NOW + 10)
    with pytest.raises(tessera.MissingClaimError):
        tessera.Verifier(es, max_age=60).verify(es.sign({"exp": EXP}), now=NOW)
    assert tessera.Verifier(es, require_exp=False).verify(es.sign({"a": 1}), now=NOW) == {"a": 1}


def test_verify_claim_checks(es):
    claims = {"iss": "https://as.example", "aud": ["api", "other"], "sub": "u1", "exp": EXP}
    token = es.sign(claims, {"typ": "at+jwt"})
    full = tessera.Verifier(
        es,
        issuer="https://as.example",
        audience="api",
        subject="u1",
        typ="at+jwt",
        required=("sub",),
    )
    assert full.verify(token, now=NOW) == claims
    assert tessera.Verifier(es, issuer=["x", "https://as.example"], audience=["y", "other"]).verify(
        token, now=NOW
    )
    cases = [
        (dict(issuer="https://evil.example", audience="api"), tessera.IssuerMismatchError),
        (dict(audience="nope"), tessera.AudienceMismatchError),
        (dict(audience="api", subject="u2"), tessera.SubjectMismatchError),
        (dict(audience="api", typ="engine+jwt"), tessera.TypeMismatchError),
        (dict(audience="api", required=["jti"]), tessera.MissingClaimError),
    ]
    for kwargs, error in cases:
        with pytest.raises(error) as info:
            tessera.Verifier(es, **kwargs).verify(token, now=NOW)
        assert isinstance(info.value, tessera.ClaimMismatchError), kwargs
        assert info.value.code == error.code
    with pytest.raises(tessera.MissingClaimError):
        tessera.Verifier(es, issuer="https://as.example").verify(es.sign({"exp": EXP}), now=NOW)
    assert tessera.Verifier(es, accept_any_audience=True).verify(token, now=NOW) == claims
    assert tessera.Verifier(es, audience="api", typ="application/AT+JWT").verify(token, now=NOW)


def test_verify_signature_and_algorithm(es):
    token = es.sign({"exp": EXP})
    with pytest.raises(tessera.InvalidSignatureError) as info:
        tessera.Verifier(tessera.Key.generate("ES256")).verify(token, now=NOW)
    assert isinstance(info.value, tessera.BadSignatureError) and info.value.code == 302
    with pytest.raises(tessera.AlgorithmMismatchError):
        tessera.Verifier(tessera.Key.generate("ES384")).verify(token, now=NOW)
    # an allow-list that excludes the key's own algorithm is refused when the verifier is built
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.Verifier(es, algorithms=["RS256"])
    assert tessera.Verifier(es, algorithms=("ES256",)).verify(token, now=NOW)
    # a forged expired token reports the signature, not the expiry
    forged = tessera.Key.generate("ES256").sign({"exp": 1})
    with pytest.raises(tessera.InvalidSignatureError):
        tessera.Verifier(es).verify(forged, now=NOW)
    # one flipped bit anywhere fails
    head, body, sig = token.split(".")
    flipped = head + "." + body + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    with pytest.raises(tessera.InvalidTokenError):
        tessera.Verifier(es).verify(flipped, now=NOW)


def test_verify_critical_and_limits(es):
    token = es.sign({"exp": EXP}, {"crit": ["foo"], "foo": 1})
    with pytest.raises(tessera.UnsupportedCriticalError):
        tessera.Verifier(es).verify(token, now=NOW)
    assert tessera.Verifier(es, critical=["foo"]).verify(token, now=NOW) == {"exp": EXP}
    plain = es.sign({"exp": EXP})
    with pytest.raises(tessera.TooLargeError):
        tessera.Verifier(es, max_token_len=10).verify(plain, now=NOW)
    with pytest.raises(tessera.TooLargeError):
        tessera.Verifier(es, max_header_len=5).verify(plain, now=NOW)
    big = es.sign({"exp": EXP, "pad": "x" * 20000})
    with pytest.raises(tessera.TooLargeError):
        tessera.Verifier(es).verify(big, now=NOW)
    claims = tessera.Verifier(es, max_token_len=1 << 20).verify(big, now=NOW)
    assert len(claims["pad"]) == 20000  # larger than the first buffer: retried with its size


def test_verify_claims_count_limit_at_and_past_the_boundary(es):
    # exp plus 255 others: exactly the default 256 members.
    at = {"exp": EXP, **{f"c{i}": i for i in range(255)}}
    assert tessera.Verifier(es).verify(es.sign(at), now=NOW) == at
    over = {**at, "one_more": 1}
    with pytest.raises(tessera.TooLargeError):
        tessera.Verifier(es).verify(es.sign(over), now=NOW)
    assert tessera.Verifier(es, max_claims=257).verify(es.sign(over), now=NOW) == over
    small = {"exp": EXP, "a": 1, "b": 2}
    assert tessera.Verifier(es, max_claims=3).verify(es.sign(small), now=NOW) == small
    with pytest.raises(tessera.TooLargeError):
        tessera.Verifier(es, max_claims=2).verify(es.sign(small), now=NOW)
    with pytest.raises(tessera.InvalidArgumentError):
        tessera.Verifier(es, max_claims=0)


def test_verifier_argument_errors(es):
    with pytest.raises(TypeError):
        tessera.Verifier("key")  # type: ignore[arg-type]
    with pytest.raises(tessera.UnsupportedAlgorithmError):
        tessera.Verifier(es, algorithms=["none"])
    with pytest.raises(ValueError):
        tessera.Verifier(es, issuer="a\0b")
    with pytest.raises(TypeError):
        tessera.Verifier(es).verify(12, now=NOW)  # type: ignore[arg-type]


def test_check_and_is_valid(es):
    v = tessera.Verifier(es)
    good, bad = es.sign({"exp": EXP}), es.sign({"exp": NOW - 100})
    assert v.check(good, now=NOW) is None
    with pytest.raises(tessera.ExpiredError):
        v.check(bad, now=NOW)
    assert v.is_valid(good, now=NOW) is True
    assert v.is_valid(bad, now=NOW) is False
    assert v.is_valid("garbage", now=NOW) is False


def test_explain_says_why_a_token_fails(es):
    v = tessera.Verifier(es, audience="api")
    assert v.explain(es.sign({"aud": "api", "exp": EXP}), now=NOW) is None
    assert v.explain(es.sign({"aud": "api", "exp": NOW - 100}), now=NOW) == "the token has expired"
    assert "exp" in v.explain(es.sign({"aud": "api"}), now=NOW)
    assert "aud" in v.explain(es.sign({"aud": "other", "exp": EXP}), now=NOW)
    other = tessera.Key.generate("ES256").sign({"aud": "api", "exp": EXP})
    assert v.explain(other, now=NOW)  # a non-empty reason
    assert v.explain("x.y", now=NOW)
    with pytest.raises(TypeError):
        v.explain(None)  # type: ignore[arg-type]


def test_verify_many(es):
    v = tessera.Verifier(es, audience="api")
    good = [es.sign({"i": i, "aud": "api", "exp": EXP}) for i in range(100)]
    tokens = list(good)
    tokens[3] = "x.y"
    tokens[50] = es.sign({"aud": "api", "exp": NOW - 100})
    tokens[70] = tessera.Key.generate("ES256").sign({"aud": "api", "exp": EXP})
    for threads in (0, 1, 4):
        results = v.verify_many(tokens, now=NOW, threads=threads)
        assert len(results) == 100
        assert isinstance(results[3], tessera.MalformedTokenError)
        assert isinstance(results[50], tessera.ExpiredError)
        assert isinstance(results[70], tessera.InvalidSignatureError)
        for i, r in enumerate(results):
            if i not in (3, 50, 70):
                assert r == {"i": i, "aud": "api", "exp": EXP}
    assert v.verify_many([], now=NOW) == []
    assert v.verify_many(t.encode() for t in good[:2]) == [  # generator, bytes, clock
        {"i": 0, "aud": "api", "exp": EXP},
        {"i": 1, "aud": "api", "exp": EXP},
    ]


def test_verify_many_gives_what_verify_gives(es):
    """verify_many reads the claims of the tokens the batch verified from their payloads; they
    must equal verify's for every shape of claims set, spelling included."""
    spellings = [
        '{"exp":%d,"aud":"api"}' % EXP,
        '{ "aud" : "api" ,\n "exp" : %d , "n": [1, 2.5, -0, 1e300, 12345678901234567890123] }'
        % EXP,
        r'{"aud":"api","exp":%d,"u":"caf\u00e9 \ud83d\ude00 \"q\" \\ /","z":{"a":{"b":null}}}'
        % EXP,
        '{"aud":"api","exp":%d,"big":18446744073709551615,"neg":-9223372036854775808,"f":0.1}'
        % EXP,
        '{"aud":"api","exp":%d,"s":"%s"}' % (EXP, "x" * 3000),
    ]
    v = tessera.Verifier(es, audience="api")
    # JSON text is signed byte for byte, so the payloads keep these spellings.
    tokens = [es.sign(text) for text in spellings] * 20  # enough for the worker threads
    expected = [v.verify(t, now=NOW) for t in tokens]
    for threads in (0, 1, 2):
        assert v.verify_many(tokens, now=NOW, threads=threads) == expected


def test_verify_full(es):
    claims = {
        "iss": "i",
        "sub": "s",
        "jti": "j",
        "aud": "api",
        "exp": EXP,
        "nbf": NOW,
        "iat": NOW,
        "x": [1],
    }
    token = es.with_kid("k").sign(claims, {"typ": "at+jwt"})
    with tessera.Verifier(es, audience="api").verify_full(token, now=NOW) as verified:
        assert verified.claims == claims
        assert verified.header["typ"] == "at+jwt" and verified.header["kid"] == "k"
        assert (verified.iss, verified.sub, verified.jti) == ("i", "s", "j")
        assert verified.aud == ["api"]
        assert (verified.exp, verified.nbf, verified.iat) == (EXP, NOW, NOW)
        assert verified.claim("x") == [1]
        assert verified.claim("missing", None) is None
        with pytest.raises(tessera.MissingClaimError):
            verified.claim("missing")
    assert verified.closed
    sparse = tessera.Verifier(es).verify_full(es.sign({"exp": EXP}), now=NOW)
    assert (sparse.iss, sparse.sub, sparse.jti, sparse.nbf, sparse.iat) == (None,) * 5
    assert sparse.aud == []
    with pytest.raises(tessera.ExpiredError):
        tessera.Verifier(es).verify_full(es.sign({"exp": NOW - 100}), now=NOW)


# ---- issue 14 §2: detail texts never copy the token -------------------------------------------

HOSTILE = (
    __import__("pathlib").Path(__file__).resolve().parents[3] / "tests" / "data" / "hostile"
)
HOSTILE_SECRET = b"tessera-hostile-token-test-secret"
MARK_PIECES = ("XMARK", "MARKQ")


def _hostile_tokens():
    lines = (HOSTILE / "tokens.txt").read_text("ascii").splitlines()
    assert len(lines) >= 70, "tests/data/hostile/tokens.txt is missing tokens"
    return [(int(code), token) for code, token in (line.split(" ", 1) for line in lines)]


def _clean(text):
    upper = text.upper()
    assert not any(piece in upper for piece in MARK_PIECES), text


def test_hostile_tokens_get_bounded_details_that_copy_nothing():
    """Every member of every token carries QXMARKQX (tests/hostile.rs writes them): the
    exception's code is the Rust verdict, and its detail, its message and `explain` fit
    MAX_DETAIL_LEN (exactly the bytes the library wrote: no NUL fill) and copy nothing."""
    jwks = json.dumps(
        {
            "keys": [
                {
                    "kty": "oct",
                    "kid": "k1",
                    "alg": "HS256",
                    "k": base64.urlsafe_b64encode(HOSTILE_SECRET).rstrip(b"=").decode(),
                }
            ]
        }
    )
    verifier = tessera.Verifier(
        tessera.KeySet.from_jwks(jwks),
        issuer="https://as.example",
        audience="api",
        subject="user-1",
        typ="at+jwt",
        required=["scope"],
        max_age=3600,
    )
    assert tessera.MAX_DETAIL_LEN == 160
    for code, token in _hostile_tokens():
        with pytest.raises(tessera.TesseraError) as caught:
            verifier.verify(token, now=NOW)
        assert caught.value.code == code, token
        why = verifier.explain(token, now=NOW)
        assert why and len(why.encode()) <= tessera.MAX_DETAIL_LEN and "\0" not in why, why
        for text in (why, str(caught.value), caught.value.detail or ""):
            _clean(text)


def test_locate_outcomes_copy_nothing_of_a_hostile_token():
    """`Issuer.locate` answers {"locator": "none", "error": ...}: its description (sent to
    clients as error_description) and detail copy nothing, for the issue's own example too."""
    key = tessera.Key.generate("ES256").with_kid("as-1")
    issuer = tessera.Issuer(
        {"issuer": "https://as.example", "audiences": ["api"]},
        key,
        tessera.Peppers("p1", b"p" * 32),
    )
    header = base64.urlsafe_b64encode(b'{"alg":"ZZMARKERZZ"}').rstrip(b"=").decode()
    tokens = [token for _, token in _hostile_tokens()] + [f"{header}.e30.c2ln"]
    for token in tokens:
        located = issuer.locate(token, now=NOW)
        assert located["locator"] == "none", located
        text = json.dumps(located)
        _clean(text)
        assert "ZZMARKERZZ" not in text, text
