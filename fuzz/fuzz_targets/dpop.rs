//! Fuzz target `dpop`: see `tessera_fuzz::targets::dpop` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::dpop(data));
