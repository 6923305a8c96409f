"""Test setup: which tessera the tests import, and shared fixtures.

With ``TESSERA_LIBRARY`` set (as ``cargo test --test python`` does), the package is imported
from this source tree and loads that library; without it, the installed package is tested
(``python3 -m pip install ./bindings/python`` first).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PACKAGE_DIR = HERE.parent
REPO = PACKAGE_DIR.parent.parent
DATA = REPO / "tests" / "data"
KEYS = DATA / "keys"

if os.environ.get("TESSERA_LIBRARY"):
    sys.path.insert(0, str(PACKAGE_DIR))

import tessera  # noqa: E402,F401  (fail early, at collection, when the library is missing)

NOW = 1_800_000_000

#: Whether the library runs on aws-lc-rs (ES512, ES256K, RSA key generation), else on ring.
#: Tests of those features check the refusals with ring rather than skipping.
AWS_LC = tessera.BACKEND.startswith("aws-lc-rs ")


@pytest.fixture(scope="session")
def keys_dir() -> Path:
    return KEYS


def key_file(name: str) -> bytes:
    return (KEYS / name).read_bytes()
