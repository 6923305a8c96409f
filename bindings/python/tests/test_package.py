"""The package itself: generated declarations, version, exceptions, handles, threads."""

from __future__ import annotations

import ast
import gc
import os
import pickle
import re
import subprocess
import sys
import threading
import weakref
from ctypes import byref, c_size_t
from pathlib import Path

import pytest

import tessera
from tessera import _decls, _ffi
from conftest import NOW, PACKAGE_DIR, REPO

GEN = PACKAGE_DIR / "tools" / "gen_decls.py"
HEADER = REPO / "include" / "tessera.h"

# ---- generated declarations -------------------------------------------------------------------


def test_declarations_are_fresh():
    result = subprocess.run([sys.executable, str(GEN), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, (
        "tessera/_decls.py is stale against include/tessera.h; refresh it with "
        "`python3 bindings/python/tools/gen_decls.py`\n" + result.stderr
    )


def test_freshness_check_can_fail(tmp_path: Path):
    header = (
        HEADER.read_text()
        .replace("#define TESSERA_VERSION_PATCH 0", "#define TESSERA_VERSION_PATCH 99")
        .replace("tessera_result tessera_verify_result(", "tessera_result tessera_verify_result2(")
    )
    changed = tmp_path / "tessera.h"
    changed.write_text(header)
    result = subprocess.run(
        [sys.executable, str(GEN), "--check", "--header", str(changed)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "python3 bindings/python/tools/gen_decls.py" in result.stderr
    out = tmp_path / "_decls.py"
    assert (
        subprocess.run(
            [sys.executable, str(GEN), "--header", str(changed), "--output", str(out)]
        ).returncode
        == 0
    )
    text = out.read_text()
    assert "VERSION_PATCH = 99" in text and "tessera_verify_result2" in text


def test_every_header_function_is_declared_and_used():
    prototypes = re.findall(r"^\S[^;(]*?\b(tessera_\w+)\(", HEADER.read_text(), re.M)
    assert len(prototypes) == len(_decls.FUNCTIONS) > 100
    assert set(prototypes) == set(_decls.FUNCTIONS)
    source = "\n".join(
        p.read_text() for p in (PACKAGE_DIR / "tessera").glob("*.py") if p.name != "_decls.py"
    )
    unused = [name for name in _decls.FUNCTIONS if not re.search(rf"\b{name}\b", source)]
    assert unused == [], f"header functions the Python package does not wrap: {unused}"


def test_backend():
    """`tessera.BACKEND` is the library's `tessera_backend()`: "ring 0.17.14" or
    "aws-lc-rs 1.19.0". tests/python.rs says which one the library was built with."""
    assert tessera.BACKEND == _ffi.lib.tessera_backend().decode()
    version = r"[0-9]+\.[0-9]+\.[0-9]+"
    assert re.fullmatch(rf"(ring|aws-lc-rs) {version}", tessera.BACKEND), tessera.BACKEND
    expected = os.environ.get("TESSERA_TEST_EXPECT_BACKEND")
    if expected:
        assert tessera.BACKEND == expected, f"the library runs on {tessera.BACKEND}, not {expected}"


def test_version_matches_crate_header_and_library():
    cargo = (REPO / "Cargo.toml").read_text()
    crate_version = re.search(r'^version = "([^"]+)"', cargo, re.M).group(1)
    assert tessera.__version__ == crate_version == _decls.VERSION_STRING
    assert tessera.library_version() == tessera.__version__
    assert f"{_decls.VERSION_MAJOR}.{_decls.VERSION_MINOR}.{_decls.VERSION_PATCH}" == crate_version


def test_py_typed_and_annotations():
    assert (PACKAGE_DIR / "tessera" / "py.typed").exists()
    import inspect

    missing = []
    public = [(name, getattr(tessera, name)) for name in tessera.__all__]
    public += [(f"dpop.{name}", getattr(tessera.dpop, name)) for name in tessera.dpop.__all__]
    for name, obj in public:
        targets = []
        if inspect.isfunction(obj):
            targets.append((name, obj))
        elif inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr not in ("__init__",):
                    continue
                fn = (
                    member.fget
                    if isinstance(member, property)
                    else getattr(member, "__func__", member)
                )
                if inspect.isfunction(fn):
                    targets.append((f"{name}.{attr}", fn))
        for label, fn in targets:
            if not fn.__doc__ and not label.endswith("__init__"):
                missing.append(f"{label}: no docstring")
            sig = inspect.signature(fn)
            if sig.return_annotation is inspect.Signature.empty:
                missing.append(f"{label}: no return annotation")
            for p in sig.parameters.values():
                if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty:
                    missing.append(f"{label}: parameter {p.name} unannotated")
    assert missing == []


# ---- module structure ------------------------------------------------------------------------


def package_imports() -> dict:
    """module -> the package modules it imports (anywhere in it, functions included)."""
    graph = {}
    for path in sorted((PACKAGE_DIR / "tessera").glob("*.py")):
        name = path.stem
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module)
                else:
                    deps.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tessera"):
                deps.add((node.module or "").removeprefix("tessera.").lstrip(".") or "__init__")
            elif isinstance(node, ast.Import):
                deps.update(
                    a.name.removeprefix("tessera.") for a in node.names if a.name.startswith("tessera")
                )
        graph[name] = deps - {name}
    return graph


def test_no_import_cycles():
    graph = package_imports()
    assert graph["_exceptions"] == set(), "the exception families import nothing of the package"
    assert graph["_decls"] == {"_exceptions"}, "the generated declarations import only _exceptions"
    # depth-first search for a cycle among the modules below the package
    modules = {m: deps & set(graph) - {"__init__"} for m, deps in graph.items() if m != "__init__"}
    done: set = set()

    def visit(module: str, path: tuple) -> None:
        assert module not in path, "import cycle: " + " -> ".join(path + (module,))
        if module in done:
            return
        for dep in sorted(modules[module]):
            visit(dep, path + (module,))
        done.add(module)

    for module in sorted(modules):
        visit(module, ())


def test_exceptions_and_decls_import_alone():
    # a fresh interpreter, the package's __init__ (which loads everything) bypassed: importing
    # _exceptions does not import _decls, and _decls needs nothing but _exceptions
    code = (
        "import sys, types\n"
        "pkg = types.ModuleType('tessera'); pkg.__path__ = [sys.argv[1]]\n"
        "sys.modules['tessera'] = pkg\n"
        "import tessera._exceptions as e\n"
        "assert 'tessera._decls' not in sys.modules, sorted(sys.modules)\n"
        "import tessera._decls as d\n"
        "assert d.ERROR_CLASSES[400] is e.ExpiredError and e.ExpiredError.code == 400\n"
        "assert not any(m.startswith('tessera._') and m not in "
        "('tessera._exceptions', 'tessera._decls') for m in sys.modules), sorted(sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(PACKAGE_DIR / "tessera")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# ---- exceptions -------------------------------------------------------------------------------

FAMILY_OF = [
    (range(1, 100), tessera.ArgumentError),
    (range(100, 200), tessera.DecodeError),
    (range(200, 300), tessera.InvalidKeyError),
    (range(300, 400), tessera.BadSignatureError),
    ((400, 403), tessera.ExpiredError),
    ((401, 402), tessera.NotYetValidError),
    (range(404, 500), tessera.ClaimMismatchError),
    (range(500, 600), tessera.ScopeError),
    (range(600, 604), tessera.OpaqueTokenError),
    (range(604, 700), tessera.PkceError),
    (range(700, 800), tessera.OAuthError),
    ((809, 810, 713), tessera.UseDpopNonceError),
    (range(800, 815), tessera.InvalidDpopProofError),
    (range(815, 818), tessera.TokenBindingError),
]
NOT_CALLER_BUGS = {3, 6, 7}  # panic, random failure, unsupported


@pytest.mark.parametrize("code, const, doc", _decls.RESULTS)
def test_one_exception_class_per_code(code, const, doc):
    cls = tessera.ERROR_CLASSES[code]
    assert cls.code == code
    assert issubclass(cls, tessera.TesseraError)
    assert getattr(tessera, cls.__name__) is cls and cls.__module__ == "tessera"
    e = cls()
    assert e.code == code and e.name == const.lower() == tessera.result_name(code)
    assert e.description == tessera.result_str(code) and str(e).startswith(e.description)
    assert f"({e.name}, {code})" in str(e)
    if code not in NOT_CALLER_BUGS:
        families = [family for codes, family in FAMILY_OF if code in codes]
        assert families and all(issubclass(cls, f) for f in families), (code, cls.__mro__)
    # the DPoP families: the nonce codes are the only UseDpopNonceError, and every DPoP proof
    # code (712 and 800-814) is an InvalidDpopProofError
    assert issubclass(cls, tessera.UseDpopNonceError) == (code in (713, 809, 810))
    assert issubclass(cls, tessera.InvalidDpopProofError) == (
        code in (712, 713) or 800 <= code <= 814
    )
    tokenish = (
        tessera.DecodeError,
        tessera.BadSignatureError,
        tessera.ExpiredError,
        tessera.NotYetValidError,
        tessera.ClaimMismatchError,
        tessera.OpaqueTokenError,
        tessera.TokenBindingError,
    )
    assert issubclass(cls, tessera.InvalidTokenError) == (issubclass(cls, tokenish) or code == 205)
    assert issubclass(cls, ValueError) == issubclass(cls, tessera.ArgumentError)
    # the instance raised for a code is of its class
    assert type(_ffi.error_for(code)) is cls
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is cls and copy.code == code


def test_error_names_and_static_strings():
    assert tessera.result_name(0) == "ok" and tessera.result_str(0) == "ok"
    assert tessera.result_name(9999) == "unknown"
    assert tessera.result_str(9999) == "unknown result code"
    e = _ffi.error_for(9999)
    assert type(e) is tessera.TesseraError and e.code == 9999 and e.name == "unknown"
    assert tessera.RESULT_OK == 0


OAUTH = {
    700: ("invalid_request", 400),
    701: ("invalid_client", 401),
    702: ("invalid_grant", 400),
    703: ("unauthorized_client", 400),
    704: ("unsupported_grant_type", 400),
    705: ("invalid_scope", 400),
    706: ("access_denied", 400),
    707: ("unsupported_response_type", 400),
    708: ("server_error", 500),
    709: ("temporarily_unavailable", 503),
    710: ("invalid_token", 401),
    711: ("insufficient_scope", 403),
    712: ("invalid_dpop_proof", 400),
    713: ("use_dpop_nonce", 400),
}
#: The DPoP codes: proof failures map to invalid_dpop_proof or use_dpop_nonce (token endpoint
#: statuses), the token-binding refusals of a resource server to invalid_token.
DPOP_ERRORS = {
    **{code: ("invalid_dpop_proof", 400) for code in range(800, 815)},
    809: ("use_dpop_nonce", 400),
    810: ("use_dpop_nonce", 400),
    815: ("invalid_token", 401),
    816: ("invalid_token", 401),
    817: ("invalid_token", 401),
}


@pytest.mark.parametrize("code", sorted(DPOP_ERRORS))
def test_dpop_errors_carry_rfc_error_and_status(code):
    e = tessera.ERROR_CLASSES[code]()
    assert (e.error, e.status) == DPOP_ERRORS[code]


@pytest.mark.parametrize("code", sorted(OAUTH))
def test_oauth_errors_carry_rfc_error_and_status(code):
    e = tessera.ERROR_CLASSES[code]()
    assert isinstance(e, tessera.OAuthError)
    assert (e.error, e.status) == OAUTH[code]


def test_error_from_json():
    obj = {
        "code": 702,
        "name": "oauth_invalid_grant",
        "error": "invalid_grant",
        "description": "the code was already used",
        "status": 400,
        "www_authenticate": None,
        "detail": "code replay",
    }
    e = tessera.error_from_json(obj)
    assert type(e) is tessera.OAuthInvalidGrantError
    assert (e.error, e.status, e.description, e.detail) == (
        "invalid_grant",
        400,
        obj["description"],
        "code replay",
    )
    assert "code replay" in str(e)
    pkce = tessera.TesseraError.from_json(dict(obj, code=605, name="pkce_mismatch"))
    assert type(pkce) is tessera.PkceMismatchError and pkce.error == "invalid_grant"
    with pytest.raises(tessera.OAuthError):
        raise e


def test_non_oauth_errors_map_to_token_endpoint_errors():
    assert (tessera.PkceMismatchError().error, tessera.PkceMismatchError().status) == (
        "invalid_grant",
        400,
    )
    assert tessera.PanicError().error == "server_error" and tessera.PanicError().status == 500
    assert tessera.TesseraError(9999).error is None


# ---- handles ---------------------------------------------------------------------------------


def handles():
    key = tessera.Key.generate("ES256")
    peppers = tessera.Peppers("p", b"p" * 32)
    return {
        "Key": key,
        "KeySet": tessera.KeySet([key]),
        "Verifier": tessera.Verifier(key),
        "Verified": tessera.Verifier(key).verify_full(key.sign({"exp": NOW + 60}), now=NOW),
        "Scopes": tessera.Scopes("a"),
        "ScopePolicy": tessera.ScopePolicy(),
        "Peppers": peppers,
        "Issuer": tessera.Issuer({"issuer": "https://as", "audiences": ["api"]}, key, peppers),
    }


def use(name, handle):
    return {
        "Key": lambda h: h.alg,
        "KeySet": lambda h: len(h),
        "Verifier": lambda h: h.verify("a.b.c", now=NOW),
        "Verified": lambda h: h.claims,
        "Scopes": lambda h: str(h),
        "ScopePolicy": lambda h: tessera.Scopes("a").covers("a", h),
        "Peppers": lambda h: h.lookup("x"),
        "Issuer": lambda h: h.locate("x", now=NOW),
    }[name](handle)


@pytest.mark.parametrize("name", list(handles()))
def test_handle_close_twice_context_manager_and_use_after_close(name):
    handle = handles()[name]
    assert not handle.closed
    with handle as same:
        assert same is handle
    assert handle.closed
    handle.close()
    handle.close()
    with pytest.raises(ValueError, match="closed"):
        use(name, handle)
    with pytest.raises(ValueError, match="closed"):
        with handle:
            pass


def test_handles_are_freed_on_garbage_collection(monkeypatch):
    freed = []
    real = tessera.Key._free
    monkeypatch.setattr(tessera.Key, "_free", lambda ptr: (freed.append(ptr), real(ptr)))
    key = tessera.Key.generate("EdDSA")
    ptr = key._ptr
    ref = weakref.ref(key)
    del key
    gc.collect()
    # other handles left over from earlier tests may be collected here too: count only ours
    assert ref() is None and freed.count(ptr) == 1
    # closed explicitly first: freed once, not again on collection
    key = tessera.Key.generate("EdDSA")
    second = key._ptr
    before = freed.count(second)  # the allocator may hand out the first key's address again
    key.close()
    key.close()
    del key
    gc.collect()
    assert freed.count(second) == before + 1


def test_derived_handles_outlive_their_sources():
    key = tessera.Key.generate("ES256")
    token = key.sign({"exp": NOW + 60})
    verifier = tessera.Verifier(key)
    keyset = tessera.KeySet([key])
    issuer = tessera.Issuer(
        {"issuer": "https://as", "audiences": ["api"]}, key, tessera.Peppers("p", b"p" * 32)
    )
    key.close()
    gc.collect()
    assert verifier.verify(token, now=NOW) == {"exp": NOW + 60}
    assert tessera.Verifier(keyset).verify(token, now=NOW)
    assert issuer.engine_token("a", "a", "s", "api", now=NOW)["scope"] == "a"


def test_wrong_handle_kind_is_an_error_not_a_crash():
    keyset = tessera.KeySet([tessera.Key.generate("ES256")])
    n = c_size_t()
    code = _ffi.lib.tessera_key_alg(keyset._ptr, None, 0, byref(n))
    assert code == tessera.WrongHandleError.code
    assert _ffi.lib.tessera_key_alg(None, None, 0, byref(n)) == tessera.NullPointerError.code


def test_threads_share_immutable_handles():
    key = tessera.Key.generate("ES256")
    verifier = tessera.Verifier(key, audience="api")
    good = key.sign({"aud": "api", "exp": NOW + 60})
    expired = key.sign({"aud": "api", "exp": NOW - 600})
    peppers = tessera.Peppers("p", b"p" * 32)
    issuer = tessera.Issuer({"issuer": "https://as", "audiences": ["api"]}, key, peppers)
    errors = []

    def work(i: int) -> None:
        try:
            for j in range(100):
                if (i + j) % 2:
                    assert verifier.verify(good, now=NOW)["aud"] == "api"
                else:
                    try:
                        verifier.verify(expired, now=NOW)
                        raise AssertionError("an expired token verified")
                    except tessera.ExpiredError as e:
                        assert e.code == 400
                assert verifier.verify_many([good, expired], now=NOW)[1].code == 400
                assert issuer.engine_token("a b", "a", f"s{i}", "api", now=NOW)["scope"] == "a"
                assert peppers.matches(f"t{i}", peppers.lookup(f"t{i}"))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_library_path_override(tmp_path):
    env_path = tessera.LIBRARY_PATH
    assert Path(env_path).exists()
    code = "import tessera, sys; sys.exit(0)"
    # a missing library is a clear ImportError naming the variable
    env = {"TESSERA_LIBRARY": str(tmp_path / "nope.so"), "PYTHONPATH": str(PACKAGE_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.returncode != 0 and "cannot load the shared library" in result.stderr


def test_package_docstring_example_runs():
    import doctest

    result = doctest.testmod(tessera)
    assert result.attempted > 0 and result.failed == 0


def test_outputs_larger_than_the_first_buffer():
    # 4 KiB first try, then exactly the size the library reports (BUFFER_TOO_SMALL)
    scope = " ".join(f"s{i:03d}" + "x" * 50 for i in range(250))
    assert str(tessera.Scopes(scope)).split() == sorted(scope.split())
    # past 64 KiB: a one-off buffer, not kept for the thread
    key = tessera.Key.hmac(b"k" * 32)
    token = key.sign({"pad": "x" * 100_000, "exp": NOW + 60})
    assert len(token) > 128 * 1024
    claims = tessera.Verifier(key, max_token_len=1 << 20).verify(token, now=NOW)
    assert len(claims["pad"]) == 100_000
    assert len(getattr(_ffi._tls, "buf", b"")) <= 64 * 1024


def test_reprs_and_argument_types():
    key = tessera.Key.generate("ES256")
    peppers = tessera.Peppers("p", b"p" * 32)
    issuer = tessera.Issuer({"issuer": "https://as", "audiences": ["api"]}, key, peppers)
    verifier = tessera.Verifier(key)
    for handle, text in [
        (issuer, "Issuer"),
        (peppers, "Peppers"),
        (tessera.ScopePolicy(), "ScopePolicy"),
        (verifier, "Verifier"),
        (key, "Key"),
    ]:
        assert text in repr(handle)
        handle.close()
        assert text in repr(handle)
    assert (tessera.Scopes("a") == "a") is False
    with pytest.raises(TypeError):
        tessera.Issuer(
            {"issuer": "https://as", "audiences": ["api"]}, tessera.Key.generate("ES256"), "peppers"
        )  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tessera.Key.generate(256)  # type: ignore[arg-type]
    assert tessera.Key.generate(b"EdDSA").alg == "EdDSA"  # type: ignore[arg-type]
