//! Fuzz target `scope_roundtrip`: see `tessera_fuzz::targets::scope_roundtrip` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::scope_roundtrip(data));
