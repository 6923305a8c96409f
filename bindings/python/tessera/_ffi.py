"""Loads the tessera shared library and declares its functions (from ``_decls.py``).

The library is the one bundled inside this package (``libtessera.so`` next to this file, put
there by ``pip install``), unless the environment variable ``TESSERA_LIBRARY`` names another
build (for development: ``TESSERA_LIBRARY=target/release/libtessera.so``).

The conventions of the C ABI (README "API conventions") are applied here once: a non-zero
result code raises the exception class of that code; caller buffers are sized by retrying with
the size the library reports (``BUFFER_TOO_SMALL``). No thread-local "last error": the code is
the error channel. ctypes releases the GIL around every foreign call, so calls on shared
immutable handles run in parallel from several threads.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import threading
import time
from ctypes import byref, c_size_t, c_void_p, string_at
from pathlib import Path
from typing import Any, Callable, Optional, Tuple, Union

from . import _decls, _exceptions
from ._decls import ERROR_CLASSES, RESULT_BUFFER_TOO_SMALL
from ._exceptions import TesseraError, error_for

ENV_VAR = "TESSERA_LIBRARY"

_LIB_NAMES = {
    "linux": "libtessera.so",
    "darwin": "libtessera.dylib",
    "win32": "tessera.dll",
}


def library_path() -> str:
    """The path of the shared library this process loads (see the module documentation)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return override
    here = Path(__file__).resolve().parent
    names = [_LIB_NAMES.get(sys.platform, "libtessera.so")] + list(_LIB_NAMES.values())
    for name in names:
        candidate = here / name
        if candidate.exists():
            return str(candidate)
    raise ImportError(
        f"tessera: the shared library is not bundled in {here} (the package was not installed "
        f"with `python3 -m pip install ./bindings/python`); build it with `cargo build "
        f"--release` and point {ENV_VAR} at target/release/{names[0]}"
    )


def _load() -> ctypes.CDLL:
    path = library_path()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(f"tessera: cannot load the shared library {path!r}: {e}") from e
    for name, (restype, argtypes, _names) in _decls.FUNCTIONS.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise ImportError(
                f"tessera: {path!r} has no function {name} (a library older than the header "
                f"this package was generated from, {_decls.VERSION_STRING})"
            ) from None
        fn.restype = restype
        fn.argtypes = argtypes
    version = lib.tessera_version().decode()
    if version != _decls.VERSION_STRING:
        raise ImportError(
            f"tessera: {path!r} is version {version}, but this package was generated from the "
            f"header of version {_decls.VERSION_STRING}"
        )
    return lib


lib = _load()
LIBRARY_PATH = library_path()
#: The cryptographic backend of the loaded library, ``tessera_backend()``: ``"ring 0.17.14"``
#: or ``"aws-lc-rs 1.19.0"``.
BACKEND: str = lib.tessera_backend().decode()


# ---- errors --------------------------------------------------------------------------------------


def result_name(code: int) -> str:
    """The stable snake_case name of a result code (``"invalid_signature"``; ``"ok"`` for 0,
    ``"unknown"`` for codes this library does not know)."""
    return lib.tessera_result_name(code).decode()


def result_str(code: int) -> str:
    """The library's static description of a result code."""
    return lib.tessera_result_str(code).decode()


def _names(code: int) -> Tuple[str, str]:
    return result_name(code), result_str(code)


_oauth_cache: dict = {}
#: Codes only a resource server meets, mapped with RFC 6750 (and RFC 9449 §7) rather than as
#: token-endpoint errors: invalid_token, insufficient_scope, and the token-binding refusals.
_RESOURCE_CODES = (
    _decls.RESULT_OAUTH_INVALID_TOKEN,
    _decls.RESULT_OAUTH_INSUFFICIENT_SCOPE,
    _decls.RESULT_DPOP_BOUND_TOKEN,
    _decls.RESULT_UNBOUND_TOKEN,
    _decls.RESULT_CERTIFICATE_MISMATCH,
)


def _oauth(code: int) -> Tuple[Optional[str], Optional[int]]:
    """The RFC 6749 (token endpoint) or RFC 6750 (resource: invalid_token, insufficient_scope,
    the token-binding codes) error code and HTTP status the library maps `code` to."""
    if code in _oauth_cache:
        return _oauth_cache[code]
    result: Tuple[Optional[str], Optional[int]] = (None, None)
    try:
        if code in _RESOURCE_CODES:
            raw = call_out(lib.tessera_resource_error_response, code, None, b"tessera", None)
        else:
            raw = call_out(lib.tessera_error_response, code, None, b"tessera")
        response = json.loads(raw)
        result = (response["body"]["error"], int(response["status"]))
    except (TesseraError, KeyError, ValueError):
        pass
    _oauth_cache[code] = result
    return result


_exceptions._set_hooks(_names, _oauth, ERROR_CLASSES)


def check(code: int) -> None:
    """Raises the exception of `code` unless it is 0."""
    if code:
        raise error_for(code)


# ---- buffers -------------------------------------------------------------------------------------

_tls = threading.local()
_CACHED_MAX = 64 * 1024  # larger outputs get a one-off buffer


def _buffer(size: int) -> Any:
    buf = getattr(_tls, "buf", None)
    if buf is not None and len(buf) >= size:
        return buf
    if size > _CACHED_MAX:
        return ctypes.create_string_buffer(size)
    buf = ctypes.create_string_buffer(max(size, 4096))
    _tls.buf = buf
    return buf


def call_out(fn: Callable[..., int], *args: Any, size: int = 4096, secret: bool = False) -> bytes:
    """Calls `fn(*args, out, cap, out_len)` with a large enough buffer; returns the output.

    `secret`: wipe the (reused) buffer after copying the output out of it.
    """
    n = c_size_t(0)
    while True:
        buf = _buffer(size)
        rc = fn(*args, buf, len(buf), byref(n))
        if rc == 0:
            data = string_at(buf, n.value)
            if secret:
                ctypes.memset(buf, 0, n.value)
            return data
        if rc != RESULT_BUFFER_TOO_SMALL or n.value <= len(buf):
            raise error_for(rc)
        size = n.value


def call_text(fn: Callable[..., int], *args: Any, secret: bool = False) -> str:
    """`call_out`, decoded as UTF-8."""
    return call_out(fn, *args, secret=secret).decode("utf-8")


def call_json(fn: Callable[..., int], *args: Any, size: int = 4096, secret: bool = False) -> Any:
    """`call_out`, parsed as JSON."""
    return json.loads(call_out(fn, *args, size=size, secret=secret))


def call_handle(fn: Callable[..., int], *args: Any) -> int:
    """Calls `fn(*args, &out)` and returns the new handle (an address)."""
    out = c_void_p()
    check(fn(*args, byref(out)))
    if not out.value:
        raise error_for(_decls.RESULT_NULL_POINTER, "the library returned no handle")
    return out.value


# ---- argument conversions ------------------------------------------------------------------------

BytesLike = Union[bytes, bytearray, memoryview, str]


def unix_now(now: Optional[int]) -> int:
    """A ``now`` argument: as given, or the clock when None (the library never reads it)."""
    return int(time.time()) if now is None else int(now)


def as_bytes(value: BytesLike, what: str = "value") -> bytes:
    """Text as UTF-8 bytes; bytes-like as bytes."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")


def opt_cstr(value: Optional[str], what: str = "value") -> Optional[bytes]:
    """An optional NUL-terminated string argument (None stays NULL)."""
    if value is None:
        return None
    return cstr(value, what)


def cstr(value: str, what: str = "value") -> bytes:
    """A required NUL-terminated string argument."""
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        raw = value.encode("utf-8")
    else:
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if b"\0" in raw:
        raise ValueError(f"{what} must not contain NUL characters")
    return raw


def json_bytes(value: Any, what: str = "value") -> bytes:
    """A JSON argument given as text (used byte for byte) or as a Python value (serialized)."""
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return as_bytes(value, what)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def opt_json_bytes(value: Any, what: str = "value") -> Optional[bytes]:
    """As `json_bytes`; None stays `(NULL, 0)`."""
    return None if value is None else json_bytes(value, what)


# ---- handles -------------------------------------------------------------------------------------

_close_lock = threading.Lock()


class Handle:
    """Owns one library handle: freed by `close()`, by leaving a ``with`` block, or when the
    object is garbage collected — whichever comes first; closing twice is harmless.

    Immutable handles (keys, key sets, verifiers, scope sets, issuers, ...) may be used from
    many threads at once; do not close one while another thread is still using it.
    """

    __slots__ = ("_ptr", "__weakref__")
    _free: Callable[[Any], None]

    def __init__(self, ptr: int) -> None:
        self._ptr: Optional[int] = ptr

    @classmethod
    def _wrap(cls, ptr: int) -> Any:
        obj = cls.__new__(cls)
        obj._ptr = ptr
        return obj

    @property
    def closed(self) -> bool:
        """Whether the handle was closed (it can no longer be used)."""
        return self._ptr is None

    def _p(self) -> int:
        ptr = self._ptr
        if ptr is None:
            raise ValueError(f"{type(self).__name__} is closed")
        return ptr

    def close(self) -> None:
        """Frees the library handle now. Safe to call more than once."""
        with _close_lock:
            ptr = getattr(self, "_ptr", None)
            self._ptr = None
        if ptr:
            type(self)._free(ptr)

    def __enter__(self) -> Any:
        self._p()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone already
            pass


def pointer_array(handles: Any, what: str) -> Tuple[Any, int]:
    """A C array of handle pointers (`const tessera_x *const *`) and its length."""
    items = list(handles)
    ptrs = (c_void_p * max(len(items), 1))()
    for i, h in enumerate(items):
        if not isinstance(h, Handle):
            raise TypeError(f"{what} must hold tessera handles, not {type(h).__name__}")
        ptrs[i] = h._p()
    return ptrs, len(items)
