//! Fuzz target `ffi`: see `tessera_fuzz::targets::ffi` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::ffi(data));
