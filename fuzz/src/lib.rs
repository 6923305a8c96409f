//! The bodies of tessera's fuzz targets, as plain Rust functions over bytes. Each cargo-fuzz
//! binary in `fuzz_targets/` calls one of them; the root crate's `tests/fuzz_corpus.rs` includes
//! the same file and replays the committed corpora through them on the stable toolchain.

pub mod targets;
