//! Fuzz target `roundtrip`: see `tessera_fuzz::targets::roundtrip` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::roundtrip(data));
