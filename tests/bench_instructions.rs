//! `cargo bench --bench instructions` without valgrind fails, saying why, instead of exiting 0
//! with nothing measured.
//!
//! The bench binary is built in this test's profile with `cargo test --bench instructions
//! --no-run` (a few seconds: the library and dev-dependencies are already built for the test
//! run) and started the way `cargo bench` starts it (`--bench`), with a `PATH` that holds no
//! valgrind, then with a `valgrind` that exists but fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Builds `benches/instructions.rs` with this test's profile and features; returns the binary.
fn instructions_bench() -> PathBuf {
    let mut cmd = Command::new(env!("CARGO"));
    let _ = cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "test",
        "--bench",
        "instructions",
        "--no-run",
        "--message-format=json",
    ]);
    if !cfg!(debug_assertions) {
        let _ = cmd.arg("--release");
    }
    let features: Vec<&str> = [
        ("aws-lc", cfg!(feature = "aws-lc")),
        ("cli", cfg!(feature = "cli")),
        ("ml-dsa", cfg!(feature = "ml-dsa")),
        ("test-hooks", cfg!(feature = "test-hooks")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    if !features.is_empty() {
        let _ = cmd.args(["--features", &features.join(",")]);
    }
    let out = cmd.output().expect("cargo runs");
    assert!(
        out.status.success(),
        "building the instructions bench failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["target"]["name"] == "instructions")
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the instructions bench executable")
}

/// Runs the bench as `cargo bench` does, with `path` as the whole `PATH`.
fn run_with_path(bench: &Path, path: &Path) -> Output {
    Command::new(bench)
        .arg("--bench")
        .env("PATH", path)
        .env_remove("TESSERA_INSTRUCTIONS_CHILD")
        .output()
        .expect("the bench binary runs")
}

fn assert_refused(out: &Output, why: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{why}: {out:#?}");
    assert!(
        out.stdout.is_empty(),
        "{why}: no table may be printed: {out:#?}"
    );
    assert!(
        stderr.starts_with("error: instructions: ")
            && stderr.contains("valgrind")
            && stderr.contains("measured nothing")
            && stderr.contains("apt-get install valgrind"),
        "{why}: {stderr}"
    );
}

#[test]
fn instructions_bench_fails_without_valgrind() {
    let bench = instructions_bench();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-no-valgrind");
    let _ = std::fs::remove_dir_all(&scratch);
    let empty = scratch.join("empty");
    std::fs::create_dir_all(&empty).expect("create an empty PATH directory");
    assert_refused(&run_with_path(&bench, &empty), "no valgrind on PATH");

    // A `valgrind` that is there but does not work is refused the same way.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let broken = scratch.join("broken");
        std::fs::create_dir_all(&broken).expect("create a PATH directory");
        let fake = broken.join("valgrind");
        std::fs::write(&fake, "#!/bin/sh\nexit 1\n").expect("write a fake valgrind");
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755))
            .expect("make it executable");
        assert_refused(&run_with_path(&bench, &broken), "a broken valgrind");
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
