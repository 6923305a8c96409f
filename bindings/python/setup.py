"""Builds the tessera shared library with cargo and bundles it inside the package.

``python3 -m pip install ./bindings/python`` runs this through setuptools: ``build_py`` copies
the Python sources, then runs ``cargo build --release --lib`` on the crate two directories up
(the repository root) and copies ``libtessera.so`` (``.dylib``, ``.dll``) into the package, so
that ``import tessera`` needs nothing else. The wheel is tagged for the platform (``py3-none-
<platform>``): the package holds no Python extension module, only a C library loaded by ctypes.

Environment:
    TESSERA_BACKEND          the cryptographic backend: ``ring`` (the default) or ``aws-lc``
                             (aws-lc-rs: adds ES512, ES256K and RSA key generation) or
                             ``aws-lc+ml-dsa`` (aws-lc with ML-DSA-44/65/87). Anything else
                             stops the build before cargo runs.
    CARGO                    the cargo to run (default: ``cargo`` on the PATH).
    CARGO_TARGET_DIR         where cargo builds (default: the crate's ``target``).
    TESSERA_CARGO_PROFILE    cargo profile (default ``release``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
CRATE = HERE.parent.parent
MANIFEST = CRATE / "Cargo.toml"

# TESSERA_BACKEND -> the cargo flags that build the library with that backend alone (the same
# values as bindings/c/backend.sh).
BACKENDS = {
    "ring": ["--no-default-features", "--features", "ring"],
    "aws-lc": ["--no-default-features", "--features", "aws-lc"],
    "aws-lc+ml-dsa": ["--no-default-features", "--features", "aws-lc,ml-dsa"],
}

if sys.platform == "darwin":
    LIBRARY = "libtessera.dylib"
elif sys.platform == "win32":
    LIBRARY = "tessera.dll"
else:
    LIBRARY = "libtessera.so"


def crate_version() -> str:
    """The version of the crate (`[package] version` in Cargo.toml): the package's version."""
    if not MANIFEST.exists():
        raise SystemExit(
            f"tessera: {MANIFEST} not found. The Python package builds the Rust crate it sits "
            "in: install it from a checkout of the repository (`python3 -m pip install "
            "./bindings/python`)."
        )
    text = MANIFEST.read_text(encoding="utf-8")
    package = re.search(r"^\[package\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    version = package and re.search(r'^version\s*=\s*"([^"]+)"', package.group(1), re.M)
    if not version:
        raise SystemExit(f"tessera: no [package] version in {MANIFEST}")
    return version.group(1)


def backend_features() -> list:
    """The cargo flags of the backend ``TESSERA_BACKEND`` names (unset or empty: ``ring``)."""
    backend = os.environ.get("TESSERA_BACKEND") or "ring"
    if backend not in BACKENDS:
        raise SystemExit(
            f"tessera: TESSERA_BACKEND={backend!r} is not a cryptographic backend: use "
            f"{' or '.join(repr(b) for b in BACKENDS)} (ring is the default; aws-lc adds ES512, "
            "ES256K and RSA key generation)"
        )
    return BACKENDS[backend]


def build_library() -> Path:
    """Runs cargo and returns the path of the shared library it built."""
    cargo = os.environ.get("CARGO", "cargo")
    if shutil.which(cargo) is None:
        raise SystemExit(
            "tessera: cargo was not found. Installing the Python package builds the Rust "
            "library: install a Rust toolchain (https://rustup.rs) and retry."
        )
    profile = os.environ.get("TESSERA_CARGO_PROFILE", "release")
    cmd = [cargo, "build", "--lib", "--locked", "--manifest-path", str(MANIFEST)]
    cmd += backend_features() + ["--profile", profile]
    print("tessera: " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=CRATE)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or CRATE / "target")
    if not target.is_absolute():
        target = CRATE / target
    built = target / ("debug" if profile == "dev" else profile) / LIBRARY
    if not built.exists():
        raise SystemExit(f"tessera: cargo succeeded but {built} does not exist")
    return built


class BuildPyWithCargo(build_py):
    """``build_py`` that also builds the Rust library and puts it in the package."""

    def run(self) -> None:
        super().run()
        built = build_library()
        dest = Path(self.build_lib) / "tessera" / LIBRARY
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, dest)
        os.chmod(dest, 0o755)
        print(f"tessera: bundled {built} as {dest}", flush=True)

    def get_outputs(self, include_bytecode: bool = True) -> list:
        return list(super().get_outputs(include_bytecode)) + [
            str(Path(self.build_lib) / "tessera" / LIBRARY)
        ]


class BinaryDistribution(Distribution):
    """The package carries a platform library: install it to platlib, tag wheels for it."""

    def has_ext_modules(self) -> bool:
        return True


cmdclass: dict = {"build_py": BuildPyWithCargo}

try:  # setuptools >= 70.1
    from setuptools.command.bdist_wheel import bdist_wheel as _bdist_wheel
except ImportError:  # older setuptools with the `wheel` package
    try:
        from wheel.bdist_wheel import bdist_wheel as _bdist_wheel  # type: ignore
    except ImportError:
        _bdist_wheel = None

if _bdist_wheel is not None:

    class BdistWheel(_bdist_wheel):  # type: ignore[misc, valid-type]
        """Wheels are ``py3-none-<platform>``: any Python 3, no CPython ABI, one platform."""

        def finalize_options(self) -> None:
            super().finalize_options()
            self.root_is_pure = False

        def get_tag(self) -> tuple:
            _python, _abi, plat = super().get_tag()
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = BdistWheel


backend_features()  # an unknown TESSERA_BACKEND stops any build at once, before cargo runs
setup(version=crate_version(), cmdclass=cmdclass, distclass=BinaryDistribution)
