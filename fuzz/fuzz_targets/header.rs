//! Fuzz target `header`: see `tessera_fuzz::targets::header` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::header(data));
