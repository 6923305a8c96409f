#!/usr/bin/env python3
"""Generates ``tessera/_decls.py`` from the C header ``include/tessera.h``.

The header is the contract (cbindgen writes it from the crate); this script reads it and writes
the Python side of it, so that the binding cannot drift from the library:

- the ``TESSERA_VERSION_*`` macros and ``TESSERA_MAX_DETAIL_LEN``;
- every ``tessera_result`` constant with its code and documentation, and one exception class per
  code (a subclass of the error family its code block belongs to, see ``FAMILIES``);
- every function prototype as ctypes ``restype`` / ``argtypes`` (and its parameter names).

The output is the only place the result-code table lives on the Python side: code, constant,
description (``RESULTS``), class (``ERROR_CLASSES``), and the code of a family that is the class
of one code (``ExpiredError.code = 400``). ``_exceptions.py`` holds the hand-written families and
imports nothing of it; ``_ffi.py`` hands ``ERROR_CLASSES`` to ``_exceptions`` when it loads the
library. Imports go one way only: ``_decls`` -> ``_exceptions``.

Generated code repeats itself by nature (one ``class XError(Family)`` block a code, one
``RESULT_X = n`` line a code, one ``__all__`` entry a name): a duplicate finder's pairs inside
``_decls.py`` are that repetition, not logic to factor out.

Usage::

    python3 bindings/python/tools/gen_decls.py           # rewrite tessera/_decls.py
    python3 bindings/python/tools/gen_decls.py --check   # exit 1 if it is stale

The test suite runs ``--check`` (``tests/test_package.py``).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent / "tessera"
DEFAULT_HEADER = HERE.parent.parent.parent / "include" / "tessera.h"
DEFAULT_OUTPUT = PACKAGE / "_decls.py"
REFRESH = "python3 bindings/python/tools/gen_decls.py"

# C parameter and return types, as they are spelled in the header, to ctypes.
#
# Byte inputs (`const uint8_t *`) are declared `c_char_p` so that Python `bytes` pass without a
# copy; caller output buffers (`uint8_t *`) are `c_void_p` so that ctypes arrays pass. Handles are
# `c_void_p` (a Python int); out-handles are `POINTER(c_void_p)`.
C_TYPES = {
    "void": "None",
    "tessera_result": "c_uint32",
    "bool": "c_bool",
    "bool *": "POINTER(c_bool)",
    "uint32_t": "c_uint32",
    "uint32_t *": "POINTER(c_uint32)",
    "uint64_t": "c_uint64",
    "uint64_t *": "POINTER(c_uint64)",
    "int64_t": "c_int64",
    "int64_t *": "POINTER(c_int64)",
    "size_t": "c_size_t",
    "size_t *": "POINTER(c_size_t)",
    "const size_t *": "POINTER(c_size_t)",
    "const char *": "c_char_p",
    "const uint8_t *": "c_char_p",
    "uint8_t *": "c_void_p",
    "const uint8_t *const *": "POINTER(c_char_p)",
}

# Error families: which hand-written base class (in ``tessera/_exceptions.py``) each code's
# class derives from, by code block. A code whose class name is the family's own name *is* that
# family (``ExpiredError`` is code 400 and the family of 403 ``TooOldError``).
FAMILIES = [
    # (first code, last code, base classes)
    (3, 3, ("TesseraError",)),  # a caught panic: a tessera bug, not the caller's
    (6, 7, ("TesseraError",)),  # random failure, unsupported operation
    (1, 99, ("ArgumentError",)),
    (100, 199, ("DecodeError",)),
    (205, 205, ("InvalidKeyError", "InvalidTokenError")),  # no key for the token's kid/alg
    (200, 299, ("InvalidKeyError",)),
    (300, 399, ("BadSignatureError",)),
    (400, 400, ("ExpiredError",)),
    (403, 403, ("ExpiredError",)),  # older than the verifier's max_age
    (401, 402, ("NotYetValidError",)),
    (404, 499, ("ClaimMismatchError",)),
    (500, 599, ("ScopeError",)),
    (600, 603, ("OpaqueTokenError",)),
    (604, 699, ("PkceError",)),
    # the OAuth codes of DPoP are also in the DPoP families, so one `except` catches both
    (712, 712, ("OAuthError", "InvalidDpopProofError")),
    (713, 713, ("OAuthError", "UseDpopNonceError")),
    (700, 799, ("OAuthError",)),
    (809, 810, ("UseDpopNonceError",)),  # nonce required or stale: answer use_dpop_nonce
    (800, 814, ("InvalidDpopProofError",)),
    (815, 817, ("TokenBindingError",)),  # the access token's cnf binding: invalid_token
]
FAMILY_NAMES = sorted({name for _, _, bases in FAMILIES for name in bases} - {"TesseraError"})


class HeaderError(Exception):
    """The header does not have the shape this generator understands."""


def strip_doc(comment: str) -> str:
    """The text of a ``/** ... */`` comment, one paragraph, without the stars."""
    body = comment.strip()
    body = body.removeprefix("/**").removesuffix("*/")
    lines = [re.sub(r"^\s*\*\s?", "", line).rstrip() for line in body.splitlines()]
    return " ".join(line.strip() for line in lines if line.strip())


def class_name(constant: str) -> str:
    """``OAUTH_INVALID_GRANT`` -> ``OAuthInvalidGrantError``."""
    words = []
    for word in constant.lower().split("_"):
        words.append("OAuth" if word == "oauth" else word.capitalize())
    return "".join(words) + "Error"


def family_for(code: int) -> tuple[str, ...]:
    for first, last, bases in FAMILIES:
        if first <= code <= last:
            return bases
    return ("TesseraError",)


def ctype(c: str, where: str) -> str:
    spelled = re.sub(r"\s+", " ", c.strip())
    spelled = re.sub(r"\s*\*", " *", spelled).replace("* *", "**")
    spelled = spelled.replace("*const *", "*const *")
    if spelled in C_TYPES:
        return C_TYPES[spelled]
    # Handles: `const tessera_key *`, `tessera_key *`, `tessera_key **`, `const tessera_key *const *`.
    m = re.fullmatch(r"(const )?(tessera_[a-z_]+) (\*|\*\*|\*const \*)", spelled)
    if m and m.group(2) != "tessera_result":
        return "c_void_p" if m.group(3) == "*" else "POINTER(c_void_p)"
    raise HeaderError(f"{where}: no ctypes mapping for C type {spelled!r}")


def parse(header: str):
    version = {}
    for m in re.finditer(r"^#define TESSERA_VERSION_(\w+) (.+)$", header, re.M):
        value = m.group(2).strip()
        version[m.group(1)] = value.strip('"') if value.startswith('"') else int(value)
    for part in ("MAJOR", "MINOR", "PATCH", "STRING"):
        if part not in version:
            raise HeaderError(f"TESSERA_VERSION_{part} is missing")
    m = re.search(r"^#define TESSERA_RESULT_OK (\d+)$", header, re.M)
    if not m:
        raise HeaderError("TESSERA_RESULT_OK is missing")
    ok = int(m.group(1))
    m = re.search(r"^#define TESSERA_MAX_DETAIL_LEN (\d+)$", header, re.M)
    if not m:
        raise HeaderError("TESSERA_MAX_DETAIL_LEN is missing")
    max_detail_len = int(m.group(1))

    enum = re.search(r"enum tessera_result\b[^{]*\{(.*?)\};", header, re.S)
    if not enum:
        raise HeaderError("enum tessera_result is missing")
    results = []
    for m in re.finditer(r"(/\*\*.*?\*/)\s*TESSERA_RESULT_(\w+) = (\d+),", enum.group(1), re.S):
        results.append((int(m.group(3)), m.group(2), strip_doc(m.group(1))))
    if not results:
        raise HeaderError("enum tessera_result has no constants")

    handles = sorted(set(re.findall(r"^typedef struct (tessera_\w+) \1;$", header, re.M)))

    # Prototypes: everything between `extern "C" {` and its end, without comments.
    body = header.split('extern "C" {', 1)[-1]
    docs = {}
    for m in re.finditer(r"(/\*\*.*?\*/)\s*([^;{}]*?\b(tessera_\w+)\s*\()", body, re.S):
        docs[m.group(3)] = strip_doc(m.group(1))
    code = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    code = re.sub(r"//[^\n]*", "", code)
    code = re.sub(r"#[^\n]*", "", code)
    functions = []
    for m in re.finditer(r"([A-Za-z_][\w \*]*?)\b(tessera_\w+)\s*\(([^)]*)\)\s*;", code, re.S):
        ret, name, params = m.group(1), m.group(2), m.group(3).strip()
        restype = ctype(ret, name)
        if restype == "c_char_p":
            restype = "c_char_p"  # static NUL-terminated strings (tessera_result_str, ...)
        args = []
        if params and params != "void":
            for i, param in enumerate(params.split(",")):
                param = re.sub(r"\s+", " ", param.strip())
                pm = re.fullmatch(r"(.*?)(\w+)", param)
                if not pm:
                    raise HeaderError(f"{name}: cannot read parameter {param!r}")
                args.append((pm.group(2), ctype(pm.group(1), f"{name} parameter {i}")))
        functions.append((name, restype, args, docs.get(name, "")))
    if not functions:
        raise HeaderError("no function prototypes found")
    return version, ok, max_detail_len, results, handles, functions


def pyrepr(text: str) -> str:
    return repr(text)


def docstring(text: str) -> str:
    """`text` made safe inside a triple-quoted docstring."""
    return text.rstrip(".").replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def render(header_text: str) -> str:
    version, ok, max_detail_len, results, handles, functions = parse(header_text)
    out = []
    w = out.append
    w('"""Declarations generated from include/tessera.h: do not edit by hand.')
    w("")
    w(f"Refresh with `{REFRESH}`; a test fails when this file is stale.")
    w('"""')
    w("")
    w("# fmt: off")
    w("from __future__ import annotations")
    w("")
    w(
        "from ctypes import POINTER, c_bool, c_char_p, c_int64, c_size_t, c_uint32, c_uint64, c_void_p"
    )
    w("from typing import Any, Dict, Tuple, Type")
    w("")
    w("from ._exceptions import (")
    for name in FAMILY_NAMES:
        w(f"    {name},")
    w("    TesseraError,")
    w(")")
    w("")
    w(f"VERSION_MAJOR = {version['MAJOR']}")
    w(f"VERSION_MINOR = {version['MINOR']}")
    w(f"VERSION_PATCH = {version['PATCH']}")
    w(f"VERSION_STRING = {pyrepr(version['STRING'])}")
    w("")
    w("#: The longest detail text the library writes, in bytes (TESSERA_MAX_DETAIL_LEN).")
    w(f"MAX_DETAIL_LEN = {max_detail_len}")
    w("")
    w(f"RESULT_OK = {ok}")
    for code, const, _ in results:
        w(f"RESULT_{const} = {code}")
    w("")
    w("#: Every `tessera_result` error code: (code, constant name without the prefix, doc).")
    w("RESULTS: Tuple[Tuple[int, str, str], ...] = (")
    for code, const, doc in results:
        w(f"    ({code}, {pyrepr(const)}, {pyrepr(doc)}),")
    w(")")
    w("")
    w("#: The opaque handle types of the header.")
    w("HANDLES: Tuple[str, ...] = (")
    for h in handles:
        w(f"    {pyrepr(h)},")
    w(")")
    w("")
    w("#: name -> (restype, argtypes, parameter names), in header order.")
    w("FUNCTIONS: Dict[str, Tuple[Any, Tuple[Any, ...], Tuple[str, ...]]] = {")
    for name, restype, args, _ in functions:
        types = ", ".join(t for _, t in args)
        names = ", ".join(pyrepr(n) for n, _ in args)
        if len(args) == 1:
            types += ","
            names += ","
        w(f"    {pyrepr(name)}: ({restype}, ({types}), ({names})),")
    w("}")
    w("")
    w("")
    w("# One exception class per error code, in its family (see tools/gen_decls.py FAMILIES).")
    for code, const, doc in results:
        cls = class_name(const)
        bases = family_for(code)
        if cls in bases:
            continue  # the family class is this code's class
        w("")
        w("")
        w(f"class {cls}({', '.join(bases)}):")
        w(f'    """{docstring(doc)} (code {code})."""')
        w("")
        w(f"    code = {code}")
    w("")
    w("")
    w("# The families that are the class of one code carry that code (see FAMILIES).")
    for code, const, _ in results:
        cls = class_name(const)
        if cls in family_for(code):
            w(f"{cls}.code = {code}")
    w("")
    w("#: code -> exception class.")
    w("ERROR_CLASSES: Dict[int, Type[TesseraError]] = {")
    for code, const, _ in results:
        cls = class_name(const)
        w(f"    {code}: {cls},")
    w("}")
    w("")
    w("#: What `from tessera._decls import *` brings into `tessera`: the result codes and the")
    w("#: per-code exception classes.")
    w("__all__ = [")
    w('    "MAX_DETAIL_LEN",')
    w('    "RESULT_OK",')
    for code, const, _ in results:
        w(f"    {pyrepr('RESULT_' + const)},")
    for code, const, _ in results:
        cls = class_name(const)
        if cls not in family_for(code):
            w(f"    {pyrepr(cls)},")
    w("]")
    w("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--header", type=Path, default=DEFAULT_HEADER)
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    ap.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = ap.parse_args(argv)
    try:
        text = render(args.header.read_text(encoding="utf-8"))
    except HeaderError as e:
        print(f"gen_decls: {args.header}: {e}", file=sys.stderr)
        return 2
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if args.check:
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(), text.splitlines(), "committed", "generated", lineterm="", n=1
            )
            print("\n".join(list(diff)[:40]), file=sys.stderr)
            print(
                f"{args.output} is stale against {args.header}: refresh it with `{REFRESH}`",
                file=sys.stderr,
            )
            return 1
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
