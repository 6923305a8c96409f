//! Shared by the integration tests that load tessera as a C library (`c_bindings.rs`,
//! `python.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A directory holding a freshly built `libtessera.a` and `libtessera.so` of this checkout:
/// `TESSERA_LIB_DIR` when set, else `cargo build --lib` into its own target directory
/// (`target/c-abi`). The copies cargo leaves in `target/<profile>/deps/` are shared by builds
/// with different features and can be stale, so they are never used.
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
        let target = root.join("target").join("c-abi");
        let status = Command::new(env!("CARGO"))
            .args(["build", "--lib", "--quiet", "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .status()
            .expect("cargo could not be started");
        assert!(status.success(), "cargo build --lib failed");
        let dir = target.join("debug");
        assert!(
            has_libs(&dir),
            "cargo build --lib left no libtessera.a/.so in {}",
            dir.display()
        );
        dir
    })
}
