//! Fuzz target `token`: see `tessera_fuzz::targets::token` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::token(data));
