//! Fuzz target `grant`: see `tessera_fuzz::targets::grant` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::grant(data));
