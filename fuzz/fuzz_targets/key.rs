//! Fuzz target `key`: see `tessera_fuzz::targets::key` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::key(data));
