//! Fuzz target `header_paths`: see `tessera_fuzz::targets::header_paths` for what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tessera_fuzz::targets::header_paths(data));
