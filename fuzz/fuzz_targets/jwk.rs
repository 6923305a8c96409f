//! Fuzz target `jwk`: see `tessera_fuzz::targets::jwk` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::jwk(data));
