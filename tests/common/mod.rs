//! Shared by the integration tests that load tessera as a C library (`c_bindings.rs`,
//! `python.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The cryptographic backend of this test run, as the C library and the Python package are
/// asked for it: `"aws-lc+ml-dsa"` with the `ml-dsa` feature (as with `--all-features`),
/// `"aws-lc"` when the tests were built with the `aws-lc` feature (which wins when both
/// backends are enabled), else `"ring"`. The value of `bindings/c/install.sh`'s and
/// `bindings/python/setup.py`'s `TESSERA_BACKEND`.
pub const BACKEND: &str = if cfg!(feature = "ml-dsa") {
    "aws-lc+ml-dsa"
} else if cfg!(feature = "aws-lc") {
    "aws-lc"
} else {
    "ring"
};

/// The cargo feature flags that build the library with [`BACKEND`] alone.
pub fn backend_features() -> [&'static str; 3] {
    let features = if cfg!(feature = "ml-dsa") {
        "aws-lc,ml-dsa"
    } else {
        BACKEND
    };
    ["--no-default-features", "--features", features]
}

/// A directory holding a freshly built `libtessera.a` and `libtessera.so` of this checkout,
/// built with the backend of this test run ([`BACKEND`]): `TESSERA_LIB_DIR` when set, else
/// `cargo build --lib` into a target directory of its own for each backend
/// (`target/c-abi-ring`, `target/c-abi-aws-lc`), so that runs with either backend do not
/// rebuild each other's library. The copies cargo leaves in `target/<profile>/deps/` are
/// shared by builds with different features and can be stale, so they are never used.
///
/// A library from `TESSERA_LIB_DIR` built with the other backend fails the tests that compare
/// `tessera_backend()` with [`tessera::backend`].
pub fn fresh_lib_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let has_libs =
            |d: &Path| d.join("libtessera.a").is_file() && d.join("libtessera.so").is_file();
        if let Some(dir) = std::env::var_os("TESSERA_LIB_DIR") {
            let dir = PathBuf::from(dir);
            assert!(
                has_libs(&dir),
                "TESSERA_LIB_DIR={} has no libtessera.a and libtessera.so",
                dir.display()
            );
            return dir;
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let target = root.join("target").join(format!("c-abi-{BACKEND}"));
        let status = Command::new(env!("CARGO"))
            .args(["build", "--lib", "--quiet"])
            .args(backend_features())
            .arg("--manifest-path")
            .arg(root.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .status()
            .expect("cargo could not be started");
        assert!(
            status.success(),
            "cargo build --lib {} failed",
            backend_features().join(" ")
        );
        let dir = target.join("debug");
        assert!(
            has_libs(&dir),
            "cargo build --lib left no libtessera.a/.so in {}",
            dir.display()
        );
        dir
    })
}
