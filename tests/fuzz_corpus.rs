//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`, and `fuzz/regressions/<target>/`
//! where a target has one) through the fuzz targets' own functions, on the stable toolchain:
//! `fuzz/src/targets.rs` is included here as a module, so CI without nightly still runs every
//! seed and every input that once crashed a target.

#[allow(unsafe_code)]
#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::fs;
use std::path::{Path, PathBuf};

/// A fuzz target's body.
type Target = fn(&[u8]);

/// Every target and its function: the names of `fuzz/fuzz_targets/*.rs`.
const TARGETS: &[(&str, Target)] = &[
    ("verify", targets::verify),
    ("header", targets::header),
    ("header_paths", targets::header_paths),
    ("jwk", targets::jwk),
    ("key", targets::key),
    ("scope", targets::scope),
    ("scope_roundtrip", targets::scope_roundtrip),
    ("token", targets::token),
    ("wire", targets::wire),
    ("grant", targets::grant),
    ("ffi", targets::ffi),
    ("roundtrip", targets::roundtrip),
    ("dpop", targets::dpop),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir`, sorted; empty when `dir` does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn replay(name: &str, target: Target) -> usize {
    let corpus = fuzz_dir().join("corpus").join(name);
    let seeds = files(&corpus);
    assert!(
        !seeds.is_empty(),
        "fuzz corpus {} is missing or empty: every target needs committed seeds",
        corpus.display()
    );
    let regressions = files(&fuzz_dir().join("regressions").join(name));
    let mut n = 0;
    for path in seeds.iter().chain(&regressions) {
        let data = fs::read(path).unwrap();
        let result = std::panic::catch_unwind(|| target(&data));
        assert!(
            result.is_ok(),
            "fuzz target {name} failed on {}",
            path.display()
        );
        n += 1;
    }
    n
}

#[test]
fn every_fuzz_target_has_a_binary_and_a_corpus() {
    let mut bins: Vec<String> = files(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    bins.sort();
    let mut names: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    names.sort();
    assert_eq!(
        bins, names,
        "fuzz/fuzz_targets and this test list different targets"
    );
}

#[test]
fn replay_verify() {
    assert!(replay("verify", targets::verify) > 0);
}

#[test]
fn replay_header() {
    assert!(replay("header", targets::header) > 0);
}

#[test]
fn replay_jwk() {
    assert!(replay("jwk", targets::jwk) > 0);
}

#[test]
fn replay_key() {
    assert!(replay("key", targets::key) > 0);
}

#[test]
fn replay_scope() {
    assert!(replay("scope", targets::scope) > 0);
}

#[test]
fn replay_scope_roundtrip() {
    assert!(replay("scope_roundtrip", targets::scope_roundtrip) > 0);
}

#[test]
fn replay_token() {
    assert!(replay("token", targets::token) > 0);
}

#[test]
fn replay_wire() {
    assert!(replay("wire", targets::wire) > 0);
}

#[test]
fn replay_grant() {
    assert!(replay("grant", targets::grant) > 0);
}

#[test]
fn replay_ffi() {
    assert!(replay("ffi", targets::ffi) > 0);
}

#[test]
fn replay_roundtrip() {
    assert!(replay("roundtrip", targets::roundtrip) > 0);
}

#[test]
fn replay_dpop() {
    assert!(replay("dpop", targets::dpop) > 0);
}
