//! Fuzz target `scope`: see `tessera_fuzz::targets::scope` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::scope(data));
