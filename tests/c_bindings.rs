//! The C and C++ bindings, built and run by `cargo test` against the library this very
//! `cargo test` built: every `bindings/c/tests/test_*.c` and `bindings/cpp/tests/test_*.cpp`
//! (linked statically and dynamically), the C examples, the C header on its own in every C and
//! C++ standard, an install into a temporary prefix used through pkg-config, and the ASan/UBSan
//! and valgrind runs of `bindings/c/run-sanitizers.sh`.
//!
//! The library is built with this test run's cryptographic backend (`--all-features` builds
//! aws-lc, default features ring; see `common::BACKEND`), and every test program must report
//! running on it (`tessera_backend()`), so the ES512/ES256K and RSA-generation tests of the C
//! and C++ programs run on the backend that has them, and the refusals on the one that has not.
//!
//! Nothing is skipped silently: without gcc/g++, pkg-config or valgrind the tests fail and say
//! what to install. `TESSERA_SKIP_SANITIZERS=1` skips the sanitizer and valgrind runs (and says
//! so); `TESSERA_LIB_DIR` points at other `libtessera.{a,so}`; `CC`/`CXX` pick the compilers.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// C and C++ flags of every build (the sanitizer script uses the same).
const CFLAGS: &[&str] = &[
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-pthread",
];
const CXXFLAGS: &[&str] = &[
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-pthread",
];
/// What a static link of the Rust staticlib needs on Linux (`rustc --print native-static-libs`).
const NATIVE_STATIC_LIBS: &[&str] = &["-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl"];
/// Header functions deliberately not wrapped by `bindings/cpp/tessera.hpp` (none so far).
const CPP_UNWRAPPED: &[&str] = &[];
/// Longest any one compiled program may run.
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("c_bindings")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Where `libtessera.a` and `libtessera.so` are (see `common::fresh_lib_dir`).
fn lib_dir() -> &'static Path {
    common::fresh_lib_dir()
}

/// A tool that must exist, else a failure naming the package to install.
fn require_tool(tool: &str, package: &str) -> String {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found,
        "`{tool}` not found: the C/C++ binding tests need it (Debian/Ubuntu: `apt-get install {package}`)"
    );
    tool.to_owned()
}

fn cc() -> String {
    require_tool(&std::env::var("CC").unwrap_or_else(|_| "gcc".into()), "gcc")
}

fn cxx() -> String {
    require_tool(
        &std::env::var("CXX").unwrap_or_else(|_| "g++".into()),
        "g++",
    )
}

fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// What a finished program printed.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs `cmd` with a time limit, its output going to files in `dir` (no pipe can fill up).
fn run(mut cmd: Command, dir: &Path, name: &str) -> Ran {
    let (out_path, err_path) = (
        dir.join(format!("{name}.stdout")),
        dir.join(format!("{name}.stderr")),
    );
    // cargo test puts target/<profile>/deps on LD_LIBRARY_PATH, which outranks the rpath: a
    // dynamically linked program would load whatever libtessera.so was built there last.
    if std::env::var_os("LD_LIBRARY_PATH").is_some()
        && !cmd.get_envs().any(|(k, _)| k == "LD_LIBRARY_PATH")
    {
        cmd.env("LD_LIBRARY_PATH", lib_dir());
    }
    cmd.stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap())
        .stdin(Stdio::null());
    let shown = show(&cmd);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{shown} did not finish within {RUN_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        code: status.code(),
        stdout: fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

/// Runs `cmd` and requires exit status 0.
fn run_ok(cmd: Command, dir: &Path, name: &str) -> Ran {
    let shown = show(&cmd);
    let ran = run(cmd, dir, name);
    assert!(
        ran.success(),
        "{shown}\nexited with {:?}\n--- stdout\n{}\n--- stderr\n{}",
        ran.code,
        ran.stdout,
        ran.stderr
    );
    ran
}

#[derive(Clone, Copy, Debug)]
enum Link {
    Static,
    Shared,
}

/// Compiles (and links) one C or C++ program with the strict flags.
fn compile(source: &Path, out: &Path, link: Link, extra: &[&str]) {
    let cpp = source.extension() == Some(OsStr::new("cpp"));
    let mut cmd = Command::new(if cpp { cxx() } else { cc() });
    let root = root();
    cmd.args(if cpp { CXXFLAGS } else { CFLAGS })
        .arg("-g")
        .args(extra)
        .arg(format!("-I{}", root.join("include").display()))
        .arg(format!("-I{}", root.join("bindings/cpp").display()))
        .arg(format!("-I{}", root.join("bindings/c/tests").display()))
        .arg(format!(
            "-DTESSERA_TEST_DATA=\"{}\"",
            root.join("tests/data").display()
        ))
        .arg("-o")
        .arg(out)
        .arg(source);
    match link {
        Link::Static => {
            cmd.arg(lib_dir().join("libtessera.a"))
                .args(NATIVE_STATIC_LIBS);
        }
        Link::Shared => {
            cmd.arg(format!("-L{}", lib_dir().display()))
                .arg("-ltessera")
                .arg(format!("-Wl,-rpath,{}", lib_dir().display()))
                .arg("-ldl"); // harness.h looks up the sanitizer runtimes (glibc < 2.34)
        }
    }
    let dir = out.parent().unwrap();
    let name = format!("build-{}", out.file_name().unwrap().to_string_lossy());
    run_ok(cmd, dir, &name);
}

/// The shared libraries a binary needs (`readelf -d`), to prove how it was linked.
fn needed(binary: &Path) -> String {
    let out = Command::new("readelf")
        .arg("-d")
        .arg(binary)
        .output()
        .expect("readelf (binutils, installed with gcc)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_linkage(binary: &Path, link: Link) {
    let needed = needed(binary);
    match link {
        Link::Static => assert!(
            !needed.contains("libtessera"),
            "{} links libtessera dynamically:\n{needed}",
            binary.display()
        ),
        Link::Shared => assert!(
            needed.contains("[libtessera.so]"),
            "{} does not need libtessera.so:\n{needed}",
            binary.display()
        ),
    }
}

/// The test programs: every `test_*.c` / `test_*.cpp` in the bindings' test directories.
fn test_programs(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension() == Some(OsStr::new(ext))
                && p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("test_")
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no test programs in {dir}");
    found
}

/// Builds and runs every test program of one language with one kind of link.
fn run_test_programs(dir: &str, ext: &str, link: Link) {
    let scratch = scratch(&format!("{ext}-{link:?}"));
    for source in test_programs(dir, ext) {
        let stem = source.file_stem().unwrap().to_string_lossy().into_owned();
        let binary = scratch.join(&stem);
        compile(&source, &binary, link, &[]);
        check_linkage(&binary, link);
        let ran = run_ok(Command::new(&binary), &scratch, &stem);
        assert!(
            ran.stdout
                .lines()
                .any(|l| l.starts_with("ALL ") && l.contains(" TESTS PASSED")),
            "{} did not report success:\n{}",
            source.display(),
            ran.stdout
        );
        assert!(
            ran.stdout
                .contains(&format!("tessera {}", env!("CARGO_PKG_VERSION")))
        );
        assert!(
            ran.stdout
                .contains(&format!(" on {}\n", tessera::backend())),
            "{} did not run on this build's backend, {}:\n{}",
            source.display(),
            tessera::backend(),
            ran.stdout
        );
        eprintln!(
            "{stem} ({link:?}): {}",
            ran.stdout.lines().last().unwrap_or_default()
        );
    }
}

#[test]
fn c_tests_static() {
    run_test_programs("bindings/c/tests", "c", Link::Static);
}

#[test]
fn c_tests_shared() {
    run_test_programs("bindings/c/tests", "c", Link::Shared);
}

#[test]
fn cpp_tests_static() {
    run_test_programs("bindings/cpp/tests", "cpp", Link::Static);
}

#[test]
fn cpp_tests_shared() {
    run_test_programs("bindings/cpp/tests", "cpp", Link::Shared);
}

/// `tessera.h` compiles on its own as C99/C11/C17/C2x and as C++11 to C++20 (and links and runs
/// as C++); `tessera.hpp` compiles on its own as C++17/C++20 under extra warnings.
#[test]
fn headers_compile_on_their_own() {
    let dir = scratch("headers");
    let main_c = dir.join("main.c");
    fs::write(
        &main_c,
        "#include \"tessera.h\"\nint main(void) { return TESSERA_RESULT_OK; }\n",
    )
    .unwrap();
    for std in ["c99", "c11", "c17", "c2x"] {
        let mut cmd = Command::new(cc());
        cmd.args([
            &format!("-std={std}"),
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-Wundef",
            "-Wstrict-prototypes",
            "-fsyntax-only",
        ])
        .arg(format!("-I{}", root().join("include").display()))
        .arg(&main_c);
        run_ok(cmd, &dir, &format!("c-{std}"));
    }
    let header_as_cpp = root().join("bindings/cpp/tests/header_as_cpp.cpp");
    for std in ["c++11", "c++14", "c++17", "c++20"] {
        let binary = dir.join(format!("header_as_{std}"));
        compile(
            &header_as_cpp,
            &binary,
            Link::Static,
            &[&format!("-std={std}"), "-Wundef"],
        );
        run_ok(Command::new(&binary), &dir, &format!("run-{std}"));
    }
    let main_hpp = dir.join("main_hpp.cpp");
    fs::write(
        &main_hpp,
        "#include \"tessera.hpp\"\nint main() { return tessera::version() ? 0 : 1; }\n",
    )
    .unwrap();
    for std in ["c++17", "c++20"] {
        let mut cmd = Command::new(cxx());
        cmd.args([
            &format!("-std={std}"),
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-Wconversion",
            "-Wsign-conversion",
            "-Wshadow",
            "-Wold-style-cast",
            "-Wnon-virtual-dtor",
            "-fsyntax-only",
        ])
        .arg(format!("-I{}", root().join("include").display()))
        .arg(format!("-I{}", root().join("bindings/cpp").display()))
        .arg(&main_hpp);
        run_ok(cmd, &dir, &format!("hpp-{std}"));
    }
}

/// Flips one character in the middle of a token's signature.
fn tamper(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let i = token.rfind('.').unwrap() + 10;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// issue_token, verify_token and auth_code_flow, statically and dynamically linked, end to end.
#[test]
fn c_examples() {
    let examples = root().join("bindings/c/examples");
    for link in [Link::Static, Link::Shared] {
        let dir = scratch(&format!("examples-{link:?}"));
        let issue = dir.join("issue_token");
        let verify = dir.join("verify_token");
        compile(&examples.join("issue_token.c"), &issue, link, &[]);
        compile(&examples.join("verify_token.c"), &verify, link, &[]);
        check_linkage(&verify, link);

        // A generated ES256 key.
        let jwks = dir.join("jwks.json");
        let mut cmd = Command::new(&issue);
        cmd.arg(&jwks);
        let token = run_ok(cmd, &dir, "issue").stdout.trim().to_owned();
        assert_eq!(token.split('.').count(), 3, "not a compact JWS: {token}");
        let doc = fs::read_to_string(&jwks).unwrap();
        assert!(
            doc.contains("\"kid\":\"example-1\"")
                && doc.contains("\"alg\":\"ES256\"")
                && !doc.contains("\"d\""),
            "{doc}"
        );

        let mut cmd = Command::new(&verify);
        cmd.arg(&jwks).arg(&token);
        let ran = run_ok(cmd, &dir, "verify");
        for line in [
            "valid token",
            "  sub: user-42",
            "  aud: [\"media-api\"]",
            "  scope: \"job:read recording:read\"",
            "  jti: <missing_claim>",
            "  expires in: ",
        ] {
            assert!(
                ran.stdout.contains(line),
                "verify_token output lacks {line:?}:\n{}",
                ran.stdout
            );
        }

        let mut cmd = Command::new(&verify);
        cmd.arg(&jwks).arg(tamper(&token));
        let ran = run(cmd, &dir, "verify-tampered");
        assert_eq!(ran.code, Some(1), "{}", ran.stderr);
        assert!(
            ran.stderr.contains("invalid token: invalid_signature ("),
            "{}",
            ran.stderr
        );

        // An RSA key loaded from PEM, bound to RS256.
        let rsa_jwks = dir.join("rsa.json");
        let mut cmd = Command::new(&issue);
        cmd.arg(&rsa_jwks)
            .arg(root().join("tests/data/keys/rsa2048.pkcs8.pem"))
            .arg("RS256");
        let rsa_token = run_ok(cmd, &dir, "issue-rsa").stdout.trim().to_owned();
        let mut cmd = Command::new(&verify);
        cmd.arg(&rsa_jwks).arg(&rsa_token);
        assert!(
            run_ok(cmd, &dir, "verify-rsa")
                .stdout
                .contains("  sub: user-42")
        );
        // ...which the ES256 key set refuses.
        let mut cmd = Command::new(&verify);
        cmd.arg(&jwks).arg(&rsa_token);
        let ran = run(cmd, &dir, "verify-rsa-with-ec");
        assert_eq!(ran.code, Some(1));
        assert!(ran.stderr.starts_with("invalid token: "), "{}", ran.stderr);

        // Usage errors.
        let ran = run(Command::new(&verify), &dir, "verify-usage");
        assert_eq!(ran.code, Some(2));
        assert!(ran.stderr.contains("usage:"));
        let ran = run(Command::new(&issue), &dir, "issue-usage");
        assert_eq!(ran.code, Some(2));

        // The authorization-code flow with PKCE, refresh rotation and replay.
        let flow = dir.join("auth_code_flow");
        compile(&examples.join("auth_code_flow.c"), &flow, link, &[]);
        check_linkage(&flow, link);
        let ran = run_ok(Command::new(&flow), &dir, "auth-code-flow");
        let lines: Vec<&str> = ran.stdout.lines().collect();
        assert_eq!(lines.len(), 5, "{}", ran.stdout);
        let code = lines[0]
            .strip_prefix("1. authorize: redirect to https://app.example/cb?code=tsr_ac_")
            .unwrap_or_else(|| panic!("{}", ran.stdout));
        assert!(
            code.ends_with("&state=xyz&iss=https%3A%2F%2Fas.example") && code.find('&') == Some(49),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with("2. token: access token of ")
                && lines[1].contains(" bytes, refresh token tsr_rt_")
                && lines[1].ends_with("..."),
            "{}",
            lines[1]
        );
        assert_eq!(
            &lines[2..],
            [
                "3. resource server: valid access token for user-42, scope \"read\"",
                "4. refresh: new refresh token, state version 3",
                "5. replayed refresh token: invalid_grant, family revoked",
            ],
            "{}",
            ran.stdout
        );
    }
}

/// `bindings/c/install.sh` into a temporary prefix, then builds against it with pkg-config only.
#[test]
fn install_and_pkg_config() {
    let pkg_config = require_tool("pkg-config", "pkg-config");
    let dir = scratch("install");
    let prefix = dir.join("prefix");
    let install = || {
        let mut cmd = Command::new("bash");
        cmd.arg(root().join("bindings/c/install.sh"))
            .arg(&prefix)
            .env_remove("TESSERA_BACKEND");
        cmd
    };
    // TESSERA_BACKEND is checked before anything is built: an unknown backend, or a backend
    // for libraries that are built already, is a usage error (exit 2).
    let mut cmd = install();
    cmd.env("TESSERA_BACKEND", "openssl");
    let ran = run(cmd, &dir, "install-unknown-backend");
    assert!(
        ran.code == Some(2)
            && ran
                .stderr
                .contains("use ring (the default), aws-lc or aws-lc+ml-dsa"),
        "{:?}: {}",
        ran.code,
        ran.stderr
    );
    let mut cmd = install();
    cmd.arg("--lib-dir")
        .arg(lib_dir())
        .env("TESSERA_BACKEND", common::BACKEND);
    let ran = run(cmd, &dir, "install-lib-dir-backend");
    assert!(
        ran.code == Some(2) && ran.stderr.contains("built already"),
        "{:?}: {}",
        ran.code,
        ran.stderr
    );
    assert!(
        !prefix.exists(),
        "a refused install wrote {}",
        prefix.display()
    );
    let mut cmd = install();
    cmd.arg("--lib-dir").arg(lib_dir());
    run_ok(cmd, &dir, "install");
    for file in [
        "include/tessera.h",
        "include/tessera.hpp",
        "lib/libtessera.so",
        "lib/libtessera.a",
        "lib/pkgconfig/tessera.pc",
    ] {
        assert!(
            prefix.join(file).is_file(),
            "install.sh did not install {file}"
        );
    }
    assert_eq!(
        fs::read(prefix.join("include/tessera.h")).unwrap(),
        fs::read(root().join("include/tessera.h")).unwrap()
    );

    let pc_path = prefix.join("lib/pkgconfig");
    let pkg = |args: &[&str]| {
        let mut cmd = Command::new(&pkg_config);
        cmd.env("PKG_CONFIG_PATH", &pc_path)
            .args(args)
            .arg("tessera");
        let ran = run_ok(cmd, &dir, "pkg-config");
        ran.stdout.trim().to_owned()
    };
    assert_eq!(pkg(&["--modversion"]), env!("CARGO_PKG_VERSION"));
    let cflags = pkg(&["--cflags"]);
    let libs = pkg(&["--libs"]);
    let static_libs = pkg(&["--variable=static_libs"]);
    assert!(
        cflags.contains(&format!("-I{}", prefix.join("include").display())),
        "{cflags}"
    );
    assert!(libs.contains("-ltessera"), "{libs}");
    assert!(pkg(&["--static", "--libs"]).contains("-lpthread"));

    let example = root().join("bindings/c/examples/issue_token.c");
    let split = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    // Shared: cc app.c $(pkg-config --cflags --libs tessera); found at run time via LD_LIBRARY_PATH.
    let shared = dir.join("issue_shared");
    let mut cmd = Command::new(cc());
    cmd.args(CFLAGS)
        .args(split(&cflags))
        .arg("-o")
        .arg(&shared)
        .arg(&example)
        .args(split(&libs));
    run_ok(cmd, &dir, "build-shared");
    check_linkage(&shared, Link::Shared);
    let mut cmd = Command::new(&shared);
    cmd.arg(dir.join("jwks1.json"))
        .env("LD_LIBRARY_PATH", prefix.join("lib"));
    assert_eq!(run_ok(cmd, &dir, "run-shared").stdout.split('.').count(), 3);
    // Static: cc app.c $(pkg-config --cflags tessera) $(pkg-config --variable=static_libs tessera).
    let fully_static = dir.join("issue_static");
    let mut cmd = Command::new(cc());
    cmd.args(CFLAGS)
        .args(split(&cflags))
        .arg("-o")
        .arg(&fully_static)
        .arg(&example)
        .args(split(&static_libs));
    run_ok(cmd, &dir, "build-static");
    check_linkage(&fully_static, Link::Static);
    let mut cmd = Command::new(&fully_static);
    cmd.arg(dir.join("jwks2.json"));
    assert_eq!(run_ok(cmd, &dir, "run-static").stdout.split('.').count(), 3);
    // C++ through the installed tessera.hpp.
    let app = dir.join("app.cpp");
    fs::write(&app, "#include <tessera.hpp>\n#include <cstdio>\nint main() {\n  auto key = tessera::Key::generate(\"EdDSA\");\n  auto v = tessera::VerifierBuilder().build(key);\n  std::puts(v.verify(key.sign(\"{\\\"exp\\\":4000000000}\"), 1800000000).c_str());\n  std::puts(tessera::backend());\n}\n").unwrap();
    let cpp = dir.join("app");
    let mut cmd = Command::new(cxx());
    cmd.args(CXXFLAGS)
        .args(split(&cflags))
        .arg("-o")
        .arg(&cpp)
        .arg(&app)
        .args(split(&static_libs));
    run_ok(cmd, &dir, "build-cpp");
    assert_eq!(
        run_ok(Command::new(&cpp), &dir, "run-cpp").stdout,
        format!("{{\"exp\":4000000000}}\n{}\n", tessera::backend())
    );
}

/// ASan + UBSan and valgrind over every test program (about 90 s on two cores):
/// `bindings/c/run-sanitizers.sh`.
#[test]
fn sanitizers_and_valgrind() {
    if std::env::var_os("TESSERA_SKIP_SANITIZERS").is_some() {
        eprintln!("SKIPPED: sanitizer and valgrind runs (TESSERA_SKIP_SANITIZERS is set)");
        return;
    }
    cc();
    cxx();
    require_tool("valgrind", "valgrind");
    let dir = scratch("sanitizers");
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("bindings/c/run-sanitizers.sh"))
        .env("TESSERA_LIB_DIR", lib_dir())
        .env("OUT", &dir)
        .env_remove("TESSERA_SKIP_VALGRIND");
    let ran = run_ok(cmd, &dir, "run-sanitizers");
    assert!(ran.stdout.contains("sanitizers: all ok"), "{}", ran.stdout);
    assert!(!ran.stdout.contains("SKIPPED"), "{}", ran.stdout);
    eprintln!("{}", ran.stdout);
}

/// Names of the functions declared in `include/tessera.h` (outside comments).
fn header_functions() -> Vec<String> {
    let header = fs::read_to_string(root().join("include/tessera.h")).unwrap();
    let mut names = Vec::new();
    for line in header.lines() {
        let t = line.trim_start();
        if t.starts_with("/*") || t.starts_with('*') || t.starts_with("//") || t.starts_with('#') {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("tessera_") {
            let ident: String = rest[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            rest = &rest[i + ident.len()..];
            if rest.starts_with('(') && !names.contains(&ident) {
                names.push(ident);
            }
        }
    }
    assert!(names.len() > 50, "header parse found only {names:?}");
    names
}

/// The `TESSERA_RESULT_*` constants of the header.
fn header_results() -> Vec<String> {
    let header = fs::read_to_string(root().join("include/tessera.h")).unwrap();
    let mut codes: Vec<String> = header
        .lines()
        .filter_map(|l| {
            let t = l.trim();
            let t = t.strip_prefix("#define ").unwrap_or(t);
            t.starts_with("TESSERA_RESULT_")
                .then(|| t.split([' ', '=']).next().unwrap().to_owned())
        })
        .collect();
    codes.dedup();
    assert!(codes.len() > 40 && codes.contains(&"TESSERA_RESULT_OK".to_owned()));
    codes
}

fn read_all(dir: &str, exts: &[&str]) -> String {
    let mut text = String::new();
    for entry in fs::read_dir(root().join(dir)).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .and_then(OsStr::to_str)
            .is_some_and(|e| exts.contains(&e))
        {
            text.push_str(&fs::read_to_string(&path).unwrap());
        }
    }
    text
}

/// Whether `text` uses `name` as a whole identifier.
fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let after = text[i + name.len()..].chars().next();
        let before = text[..i].chars().next_back();
        !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Every function and result code of the header is exercised by the C tests, and every
/// function is wrapped in C++ (or listed in CPP_UNWRAPPED): a function added to the header
/// fails here until it has tests.
#[test]
fn every_header_function_and_code_is_tested() {
    let c_tests = read_all("bindings/c/tests", &["c", "h"]);
    let hpp = fs::read_to_string(root().join("bindings/cpp/tessera.hpp")).unwrap();
    let functions = header_functions();
    let untested: Vec<_> = functions
        .iter()
        .filter(|f| !mentions(&c_tests, f))
        .collect();
    assert!(
        untested.is_empty(),
        "functions of include/tessera.h without a C test in bindings/c/tests: {untested:?}"
    );
    let unwrapped: Vec<_> = functions
        .iter()
        .filter(|f| !mentions(&hpp, f) && !CPP_UNWRAPPED.contains(&f.as_str()))
        .collect();
    assert!(
        unwrapped.is_empty(),
        "functions of include/tessera.h not wrapped in bindings/cpp/tessera.hpp (wrap them or list them in CPP_UNWRAPPED): {unwrapped:?}"
    );
    let codes = header_results();
    let unlisted: Vec<_> = codes.iter().filter(|c| !mentions(&c_tests, c)).collect();
    assert!(
        unlisted.is_empty(),
        "result codes missing from ALL_RESULTS in bindings/c/tests/test_tessera.c: {unlisted:?}"
    );
}
