//! The one set of argument and output helpers every exported function goes through: byte,
//! string, JSON and array inputs (convention 3), caller buffers and out-pointers (conventions 4
//! and 5), and the combinators that run a body inside the panic boundary and write what it
//! returns (convention 1), so that an exported function is its own logic and nothing else.

use std::ffi::{CStr, c_char};

use serde_json::Value;

use super::{TesseraResult, borrow, boundary, new_handle};
use crate::{Error, ErrorKind};

/// The error of a required pointer argument that is NULL.
pub(crate) fn null() -> Error {
    Error::new(
        ErrorKind::NullPointer,
        "a required pointer argument is NULL",
    )
}

/// Borrows a byte input; `(NULL, 0)` is empty.
///
/// # Safety
/// `p` must be NULL or point to `len` readable bytes that outlive the borrow.
pub(crate) unsafe fn bytes<'a>(p: *const u8, len: usize) -> Result<&'a [u8], Error> {
    if p.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(null()) };
    }
    // SAFETY: the caller promises `len` readable bytes at `p`.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Borrows an optional NUL-terminated UTF-8 string (`NULL` is `None`).
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string that outlives the borrow.
pub(crate) unsafe fn opt_str<'a>(p: *const c_char) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller promises a NUL-terminated string.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str()
        .map(Some)
        .map_err(|_| Error::new(ErrorKind::InvalidUtf8, "a string argument is not UTF-8"))
}

/// Borrows an optional NUL-terminated UTF-8 string of at most `max` bytes (`NULL` is `None`):
/// a longer one is `TESSERA_RESULT_TOO_LARGE`, found by reading at most `max + 1` bytes, so an
/// oversized string costs time proportional to the limit, not to its length.
///
/// # Safety
/// As for [`opt_str`].
pub(crate) unsafe fn opt_str_max<'a>(
    p: *const c_char,
    max: usize,
) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    let mut len = 0;
    // SAFETY: the caller promises a NUL-terminated string; reading stops at its NUL.
    while unsafe { *p.add(len) } != 0 {
        if len == max {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "a string argument is too long",
            ));
        }
        len += 1;
    }
    // SAFETY: the `len` bytes before the NUL are readable and outlive the borrow.
    let b = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) };
    std::str::from_utf8(b)
        .map(Some)
        .map_err(|_| Error::new(ErrorKind::InvalidUtf8, "a string argument is not UTF-8"))
}

/// Borrows a required NUL-terminated UTF-8 string.
///
/// # Safety
/// As for [`opt_str`].
pub(crate) unsafe fn req_str<'a>(p: *const c_char) -> Result<&'a str, Error> {
    // SAFETY: forwarded.
    unsafe { opt_str(p) }?.ok_or_else(null)
}

/// Borrows a UTF-8 text input given as bytes (convention 3); `(NULL, 0)` is `""`.
///
/// # Safety
/// As for [`bytes`].
pub(crate) unsafe fn text<'a>(p: *const u8, len: usize) -> Result<&'a str, Error> {
    // SAFETY: forwarded.
    let b = unsafe { bytes(p, len) }?;
    std::str::from_utf8(b)
        .map_err(|_| Error::new(ErrorKind::InvalidUtf8, "a text argument is not UTF-8"))
}

/// Borrows an optional UTF-8 text input: empty (including `(NULL, 0)`) is `None`.
///
/// # Safety
/// As for [`bytes`].
pub(crate) unsafe fn opt_text<'a>(p: *const u8, len: usize) -> Result<Option<&'a str>, Error> {
    // SAFETY: forwarded.
    Ok(Some(unsafe { text(p, len) }?).filter(|t| !t.is_empty()))
}

/// Borrows a JSON text input (convention 3): longer than
/// [`crate::limits::MAX_JSON_INPUT_LEN`] (1 MiB, also the grant-state limit) is
/// `TESSERA_RESULT_TOO_LARGE`, checked before the text is even scanned for UTF-8.
///
/// # Safety
/// As for [`bytes`].
pub(crate) unsafe fn json_text<'a>(p: *const u8, len: usize) -> Result<&'a str, Error> {
    too_long_json(len)?;
    // SAFETY: forwarded.
    unsafe { text(p, len) }
}

/// [`json_text`] for an optional input: empty (including `(NULL, 0)`) is `None`.
///
/// # Safety
/// As for [`bytes`].
pub(crate) unsafe fn opt_json_text<'a>(p: *const u8, len: usize) -> Result<Option<&'a str>, Error> {
    too_long_json(len)?;
    // SAFETY: forwarded.
    unsafe { opt_text(p, len) }
}

/// `TooLarge` for a JSON input longer than [`crate::limits::MAX_JSON_INPUT_LEN`].
pub(crate) fn too_long_json(len: usize) -> Result<(), Error> {
    if len > crate::limits::MAX_JSON_INPUT_LEN {
        return Err(Error::new(ErrorKind::TooLarge, "JSON input over 1 MiB"));
    }
    Ok(())
}

/// Borrows an array input of `count` elements; `(NULL, 0)` is empty.
///
/// # Safety
/// `p` must be NULL or point to `count` readable elements that outlive the borrow.
pub(crate) unsafe fn slice<'a, T>(p: *const T, count: usize) -> Result<&'a [T], Error> {
    if p.is_null() {
        return if count == 0 { Ok(&[]) } else { Err(null()) };
    }
    // SAFETY: the caller promises `count` readable elements at `p`.
    Ok(unsafe { std::slice::from_raw_parts(p, count) })
}

/// Writes `data` to a caller buffer following convention 4.
///
/// # Safety
/// `out` must be NULL or point to `cap` writable bytes; `out_len` must be NULL or writable.
pub(crate) unsafe fn write_out(
    data: &[u8],
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> Result<(), Error> {
    if out_len.is_null() || (out.is_null() && cap > 0) {
        return Err(null());
    }
    if data.len() > cap {
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { *out_len = data.len() };
        return Err(Error::new(
            ErrorKind::BufferTooSmall,
            "output buffer too small",
        ));
    }
    if !data.is_empty() {
        // SAFETY: `out` has room for `cap >= data.len()` bytes and does not overlap `data`
        // (which tessera owns).
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), out, data.len()) };
    }
    // SAFETY: as above.
    unsafe { *out_len = data.len() };
    Ok(())
}

/// Writes a plain value to a caller out-pointer.
///
/// # Safety
/// `out` must be NULL or writable.
pub(crate) unsafe fn write_value<T>(out: *mut T, value: T) -> Result<(), Error> {
    if out.is_null() {
        return Err(null());
    }
    // SAFETY: checked non-NULL; the caller promises it is writable.
    unsafe { out.write(value) };
    Ok(())
}

/// Writes a JSON value to a caller buffer (convention 4). The serialized copy is wiped after
/// the write, since outcomes can carry tokens.
///
/// # Safety
/// As for [`write_out`].
pub(crate) unsafe fn write_json(
    value: &Value,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> Result<(), Error> {
    let text = zeroize::Zeroizing::new(
        serde_json::to_vec(value).map_err(|_| Error::from(ErrorKind::InvalidArgument))?,
    );
    // SAFETY: forwarded.
    unsafe { write_out(&text, out, cap, out_len) }
}

/// Serializes `value` as a JSON value (what the JSON outputs are built from).
pub(crate) fn to_value(value: &impl serde::Serialize) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|_| Error::from(ErrorKind::InvalidArgument))
}

/// Runs `body` inside the panic boundary and writes the bytes it returns to the caller's
/// buffer (conventions 1, 4 and 5): nothing is written when `body` fails.
///
/// # Safety
/// As for [`write_out`].
pub(crate) unsafe fn output<B: AsRef<[u8]>>(
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    body: impl FnOnce() -> Result<B, Error>,
) -> TesseraResult {
    boundary(|| {
        let data = body()?;
        // SAFETY: forwarded.
        unsafe { write_out(data.as_ref(), out, cap, out_len) }
    })
}

/// Borrows the handle `p` of kind `tag`, runs `body` on it inside the panic boundary and writes
/// the bytes it returns to the caller's buffer (conventions 1, 4, 5 and 6): the accessors of
/// immutable handles.
///
/// # Safety
/// `p` must be NULL or a live handle (convention 6); `out` and `out_len` as for [`write_out`].
pub(crate) unsafe fn output_from<T, H, B: AsRef<[u8]>>(
    tag: u32,
    p: *const H,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    body: impl FnOnce(&T) -> Result<B, Error>,
) -> TesseraResult {
    // SAFETY: `p` is the caller's promise (convention 6); `out` and `out_len` are forwarded.
    unsafe {
        output(out, cap, out_len, || {
            let value: &T = borrow(tag, p)?;
            body(value)
        })
    }
}

/// Runs `body` inside the panic boundary and writes the JSON value it returns to the caller's
/// buffer as [`write_json`] does (conventions 1, 4 and 5).
///
/// # Safety
/// As for [`write_out`].
pub(crate) unsafe fn output_json(
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    body: impl FnOnce() -> Result<Value, Error>,
) -> TesseraResult {
    boundary(|| {
        let value = body()?;
        // SAFETY: forwarded.
        unsafe { write_json(&value, out, cap, out_len) }
    })
}

/// Runs `body` inside the panic boundary and moves the value it returns into a new handle of
/// kind `tag`, written to `*out` (conventions 1 and 5).
///
/// # Safety
/// `out` must be NULL or writable.
pub(crate) unsafe fn output_handle<T, H>(
    tag: u32,
    out: *mut *mut H,
    body: impl FnOnce() -> Result<T, Error>,
) -> TesseraResult {
    boundary(|| {
        let value = body()?;
        // SAFETY: forwarded.
        unsafe { new_handle(tag, value, out) }
    })
}
