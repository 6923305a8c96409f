//! Build script: records the versions of the cryptographic backend crates that this build links,
//! for `tessera::backend()` (`TESSERA_RING_VERSION`, `TESSERA_AWS_LC_RS_VERSION`).
//!
//! Cargo tells a build script nothing about the versions of its dependencies, so they are read
//! from the `Cargo.lock` of the build: the first one found walking up from `OUT_DIR` (inside the
//! target directory of whatever workspace builds tessera) or from tessera's own directory. When
//! none is found (an unusual target-directory layout), the version requirement from
//! `Cargo.toml` is reported instead, marked with a leading `^`.
//!
//! It also marks the test-only second build of these sources (`tests/ring-backend`, the crate
//! `tessera_ring`) with `cfg(tessera_second_backend)`, which leaves out the C ABI module.

use std::path::{Path, PathBuf};

/// (crate name, environment variable, the requirement in Cargo.toml, the version prefix that
/// requirement selects).
const CRATES: [(&str, &str, &str); 2] = [
    ("ring", "TESSERA_RING_VERSION", "0.17"),
    ("aws-lc-rs", "TESSERA_AWS_LC_RS_VERSION", "1"),
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(tessera_second_backend)");
    // tests/ring-backend builds these sources a second time, beside the main crate, for tests
    // and benches that compare the backends in one process: that copy leaves out the C ABI.
    if std::env::var("CARGO_PKG_NAME").as_deref() == Ok("tessera-ring") {
        println!("cargo::rustc-cfg=tessera_second_backend");
    }
    let lock = find_lock();
    if let Some(path) = &lock {
        println!("cargo::rerun-if-changed={}", path.display());
    }
    let text = lock.and_then(|p| std::fs::read_to_string(p).ok());
    for (name, var, requirement) in CRATES {
        let version = text
            .as_deref()
            .and_then(|t| version_in_lock(t, name, requirement))
            .unwrap_or_else(|| format!("^{requirement}"));
        println!("cargo::rustc-env={var}={version}");
    }
}

/// The nearest `Cargo.lock` above `OUT_DIR`, else above the manifest directory.
fn find_lock() -> Option<PathBuf> {
    let starts = ["OUT_DIR", "CARGO_MANIFEST_DIR"]
        .into_iter()
        .filter_map(|v| std::env::var_os(v).map(PathBuf::from));
    for start in starts {
        let found = Path::new(&start)
            .ancestors()
            .map(|dir| dir.join("Cargo.lock"))
            .find(|lock| lock.is_file());
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The version of `name` in a `Cargo.lock`, among those matching `requirement` (a prefix such
/// as `0.17` or `1`): the highest, when several are locked.
fn version_in_lock(lock: &str, name: &str, requirement: &str) -> Option<String> {
    let mut best: Option<Vec<u64>> = None;
    let mut in_package = false;
    let mut current_name = None;
    for line in lock.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            in_package = true;
            current_name = None;
        } else if let Some(v) = line.strip_prefix("name = ") {
            current_name = Some(v.trim_matches('"').to_owned());
        } else if let Some(v) = line.strip_prefix("version = ")
            && in_package
            && current_name.as_deref() == Some(name)
        {
            let v = v.trim_matches('"');
            let matches = v == requirement || v.starts_with(&format!("{requirement}."));
            let parts: Option<Vec<u64>> = v.split('.').map(|p| p.parse().ok()).collect();
            if let (true, Some(parts)) = (matches, parts)
                && best.as_ref().is_none_or(|b| parts > *b)
            {
                best = Some(parts);
            }
        }
    }
    best.map(|b| b.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
}
