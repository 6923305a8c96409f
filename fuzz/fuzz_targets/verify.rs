//! Fuzz target `verify`: see `tessera_fuzz::targets::verify` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::verify(data));
