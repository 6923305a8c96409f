//! Fuzz target `wire`: see `tessera_fuzz::targets::wire` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::wire(data));
