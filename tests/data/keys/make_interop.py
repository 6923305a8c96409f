"""Regenerates interop.json: JWTs signed by joserfc with the PEM keys in this folder.

The keys were made with OpenSSL 3.0 (see README.md); run `python3 make_interop.py` here.
"""
import json
from joserfc import jwt
from joserfc.jwk import import_key

claims = {"iss": "https://as.example", "sub": "user-1", "aud": "api", "exp": 4102444800,
          "iat": 1700000000, "scope": "job:read job:create"}
cases = [("rsa2048.pkcs8.pem", ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]),
         ("p256.pkcs8.pem", ["ES256"]), ("p384.pkcs8.pem", ["ES384"]), ("ed25519.pkcs8.pem", ["EdDSA"])]
out = {"_note": "Tokens signed by joserfc (Python) with the PEM keys in this folder, for interop tests. "
                "Regenerate with tests/data/keys/make_interop.py.", "tokens": []}
for f, algs in cases:
    key = import_key(open(f, "rb").read())
    for alg in algs:
        tok = jwt.encode({"alg": alg, "typ": "at+jwt", "kid": f}, claims, key, algorithms=[alg])
        out["tokens"].append({"key": f, "alg": alg, "token": tok})
out["claims"] = claims
json.dump(out, open("interop.json", "w"), indent=1)
