"""Regenerates curves.json: the P-521 and secp256k1 fixtures of this folder as JWKs, their RFC 7638
thumbprints, a JWKS, and JWTs signed by joserfc, all computed without tessera.

The keys `p521.*` and `secp256k1.*` were made with OpenSSL 3.0 (see README.md). The keys
`p521-zeros.pkcs8.pem` and `secp256k1-zeros.pkcs8.pem` are made here, deterministically: the first
private scalar of a fixed sequence whose `d`, `x` and `y` all begin with a zero byte, the case
where an encoder that drops leading zeros writes JWK members one byte short (RFC 7518 §6.2.1.2
and §6.2.2.1 fix their length). Run `python3 make_curves.py` here (joserfc 1.6 and
cryptography 48 were used). Every JWK member and thumbprint is computed twice, by joserfc and
from the key's numbers read by `cryptography`, and the two must agree.
"""
import base64
import hashlib
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey

CURVES = [
    # (fixture stem, JWK crv, JWS alg, coordinate length in bytes)
    ("p521", "P-521", "ES512", 66),
    ("secp256k1", "secp256k1", "ES256K", 32),
    ("p521-zeros", "P-521", "ES512", 66),
    ("secp256k1-zeros", "secp256k1", "ES256K", 32),
]
CURVE_OBJECTS = {"P-521": ec.SECP521R1(), "secp256k1": ec.SECP256K1()}
CLAIMS = {"iss": "https://as.example", "sub": "user-1", "aud": "api", "exp": 4102444800,
          "iat": 1700000000, "scope": "job:read job:create"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def zeros_key(stem: str, crv: str, size: int) -> bytes:
    """The PKCS#8 PEM of the first d = SHA-512("tessera <stem> <i>") mod 2^(8(size-1)) whose d, x
    and y are each below 2^(8(size-1)): a zero first byte in all three members."""
    i = 0
    while True:
        digest = hashlib.sha512(f"tessera {stem} {i}".encode()).digest()
        d = int.from_bytes(digest, "big") % (1 << (8 * (size - 1)))
        key = ec.derive_private_key(d, CURVE_OBJECTS[crv])
        public = key.public_key().public_numbers()
        if d and max(public.x, public.y) < 1 << (8 * (size - 1)):
            return key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        i += 1


out = {"_note": "P-521 and secp256k1 fixtures as JWKs, RFC 7638 thumbprints and joserfc-signed JWTs, "
                "made without tessera. Regenerate with tests/data/keys/make_curves.py.",
       "claims": CLAIMS, "keys": {}, "jwks": {"keys": []}}
for stem, crv, alg, size in CURVES:
    if stem.endswith("-zeros"):
        open(f"{stem}.pkcs8.pem", "wb").write(zeros_key(stem, crv, size))
    pem = open(f"{stem}.pkcs8.pem", "rb").read()
    # The numbers, by `cryptography`, padded to the curve's size (RFC 7518 §6.2.1.2, §6.2.2.1).
    numbers = serialization.load_pem_private_key(pem, None).private_numbers()
    x = b64(numbers.public_numbers.x.to_bytes(size, "big"))
    y = b64(numbers.public_numbers.y.to_bytes(size, "big"))
    d = b64(numbers.private_value.to_bytes(size, "big"))
    # RFC 7638 §3.2: the required members in lexicographic order, no white space.
    canonical = json.dumps({"crv": crv, "kty": "EC", "x": x, "y": y}, separators=(",", ":"),
                           sort_keys=True)
    thumbprint = b64(hashlib.sha256(canonical.encode()).digest())

    key = ECKey.import_key(pem)
    public = key.as_dict(private=False)
    private = key.as_dict(private=True)
    assert public == {"kty": "EC", "crv": crv, "x": x, "y": y}, public
    assert private["d"] == d, (private, d)
    assert key.thumbprint() == thumbprint, (key.thumbprint(), thumbprint)

    token = jwt.encode({"alg": alg, "typ": "at+jwt", "kid": stem}, CLAIMS, key, algorithms=[alg])
    out["keys"][stem] = {"alg": alg, "crv": crv, "pem": f"{stem}.pkcs8.pem", "public_jwk": public,
                         "private_jwk": private, "thumbprint": thumbprint, "token": token}
    if not stem.endswith("-zeros"):
        out["jwks"]["keys"].append(dict(public, kid=stem, alg=alg, use="sig"))

json.dump(out, open("curves.json", "w"), indent=1)
open("curves.json", "a").write("\n")
