#!/usr/bin/env python3
"""Verification speed of tessera's `Verifier.verify` beside PyJWT and joserfc.

The same tokens (signed once by tessera, checked to verify in all three libraries) are verified
by each library in the same run, with the same checks: signature, ``exp``, ``iss`` and ``aud``,
and the claims returned as a dict. Prints microseconds per verification and tessera's speedup::

    python3 bindings/python/bench.py                 # the installed package
    TESSERA_LIBRARY=target/release/libtessera.so PYTHONPATH=bindings/python \\
        python3 bindings/python/bench.py             # a development build

Targets (issue 6): HS256 at least 5x PyJWT and 3x joserfc; RS256, ES256 and EdDSA at least 2x
PyJWT. ``--check`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Callable, Dict, List, Tuple

import jwt as pyjwt
from joserfc import jwt as jose_jwt
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey
from joserfc.jwt import JWTClaimsRegistry

import tessera

ISSUER = "https://as.example"
AUDIENCE = "api"
NOW = int(time.time())
CLAIMS = {
    "iss": ISSUER,
    "sub": "user-42",
    "aud": AUDIENCE,
    "iat": NOW,
    "exp": NOW + 3600,
    "jti": "b3f1a2c4",
    "scope": "read write",
    "client_id": "app",
}

TARGETS = {
    "HS256": {"PyJWT": 5.0, "joserfc": 3.0},
    "RS256": {"PyJWT": 2.0},
    "ES256": {"PyJWT": 2.0},
    "EdDSA": {"PyJWT": 2.0},
}


def rsa_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def setup(alg: str) -> Tuple[str, Dict[str, Callable[[], object]]]:
    """The token and one zero-argument verification function per library."""
    if alg == "HS256":
        secret = b"s" * 32
        key = tessera.Key.hmac(secret, "HS256")
        pyjwt_key: object = secret
        jose_key: object = OctKey.import_key(secret)
    elif alg == "RS256":
        pem = rsa_pem()
        key = tessera.Key.from_pem(pem, "RS256")
        public_pem = key.public_pem()
        pyjwt_key = pyjwt.algorithms.RSAAlgorithm.from_jwk(key.public_jwk())
        jose_key = RSAKey.import_key(public_pem)
    elif alg == "ES256":
        key = tessera.Key.generate("ES256")
        pyjwt_key = pyjwt.algorithms.ECAlgorithm.from_jwk(key.public_jwk())
        jose_key = ECKey.import_key(key.public_jwk())
    elif alg == "EdDSA":
        key = tessera.Key.generate("EdDSA")
        pyjwt_key = pyjwt.algorithms.OKPAlgorithm.from_jwk(key.public_jwk())
        jose_key = OKPKey.import_key(key.public_jwk())
    else:
        raise ValueError(alg)

    token = key.sign(CLAIMS, {"typ": "JWT"})
    public = key if alg == "HS256" else key.public_key()
    verifier = tessera.Verifier(public, issuer=ISSUER, audience=AUDIENCE)
    registry = JWTClaimsRegistry(
        now=lambda: int(time.time()),
        leeway=30,
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
    )
    algorithms = [alg]

    def run_tessera() -> object:
        return verifier.verify(token)

    def run_pyjwt() -> object:
        return pyjwt.decode(
            token,
            pyjwt_key,
            algorithms=algorithms,
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=30,
            options={"require": ["exp", "iss", "aud"]},
        )

    def run_joserfc() -> object:
        decoded = jose_jwt.decode(token, jose_key, algorithms=algorithms)
        registry.validate(decoded.claims)
        return decoded.claims

    runs = {"tessera": run_tessera, "PyJWT": run_pyjwt, "joserfc": run_joserfc}
    for name, fn in runs.items():
        assert fn() == CLAIMS, f"{alg}: {name} did not return the claims"
    return token, runs


def measure(runs: Dict[str, Callable[[], object]], seconds: float) -> Dict[str, float]:
    """Microseconds per call of each function: the best of many short rounds, the libraries
    taking turns round by round, so that a busy machine slows all of them alike."""
    batch = {}
    for name, fn in runs.items():  # calibrate: a round of about 10 ms each
        n = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            dt = time.perf_counter() - t0
            if dt > 0.01:
                break
            n *= 2
        batch[name] = max(1, int(n * 0.01 / dt))
    best = {name: float("inf") for name in runs}
    rounds = max(5, int(seconds / (0.01 * len(runs))))
    for _ in range(rounds):
        for name, fn in runs.items():
            n = batch[name]
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            best[name] = min(best[name], (time.perf_counter() - t0) / n)
    return {name: t * 1e6 for name, t in best.items()}


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="time per algorithm")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("algs", nargs="*", default=["HS256", "RS256", "ES256", "EdDSA"])
    args = ap.parse_args(argv)

    print(f"tessera {tessera.__version__} ({tessera.LIBRARY_PATH})")
    print(
        f"PyJWT {pyjwt.__version__}, joserfc {_version('joserfc')}, Python {sys.version.split()[0]}"
    )
    print()
    print(
        f"{'alg':<6} {'tessera':>10} {'PyJWT':>10} {'joserfc':>10}   {'vs PyJWT':>9} {'vs joserfc':>10}  target"
    )
    missed = []
    for alg in args.algs:
        _token, runs = setup(alg)
        us = measure(runs, args.seconds)
        vs_pyjwt = us["PyJWT"] / us["tessera"]
        vs_jose = us["joserfc"] / us["tessera"]
        target = TARGETS.get(alg, {})
        ok = all({"PyJWT": vs_pyjwt, "joserfc": vs_jose}[lib] >= x for lib, x in target.items())
        wanted = ", ".join(f"{x:g}x {lib}" for lib, x in target.items())
        print(
            f"{alg:<6} {us['tessera']:>8.2f}us {us['PyJWT']:>8.2f}us {us['joserfc']:>8.2f}us"
            f"   {vs_pyjwt:>8.1f}x {vs_jose:>9.1f}x  {'ok' if ok else 'MISSED'} (>= {wanted})"
        )
        if not ok:
            missed.append(alg)
    if missed and args.check:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    sys.exit(main())
