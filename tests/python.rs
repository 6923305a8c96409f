//! The Python binding (`bindings/python`), tested from `cargo test`:
//!
//! - `python_suite` runs `bindings/python/tests` (pytest) against the shared library this very
//!   `cargo test` built (`TESSERA_LIBRARY` points at it), so the README's one test command covers
//!   Python too;
//! - `python_package_installs_with_pip` installs the package with pip the way users do — pip
//!   runs the package's build backend, which runs cargo and bundles the library — into a
//!   scratch directory, and imports it from elsewhere with no environment variable.
//!
//! Both use this run's cryptographic backend (`common::BACKEND`: aws-lc with `--all-features`,
//! else ring): the suite's library is built with it, the pip build is given it as
//! `TESSERA_BACKEND`, and each checks that `tessera.BACKEND` is [`tessera::backend`]. The
//! ES512/ES256K tests of the suite check interop with aws-lc and the typed refusals with ring.
//!
//! Needs `python3` (or `$PYTHON`) 3.9+ with the packages of
//! `bindings/python/requirements-test.txt`. Missing ones are installed with pip into
//! `target/tmp/python-deps` (PyPI must be reachable then); if that fails the test fails and
//! says what to install. It never skips.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The modules the suite imports, and the requirement that provides each.
const MODULES: &[(&str, &str)] = &[
    ("pytest", "pytest"),
    ("jwt", "PyJWT[crypto]"),
    ("joserfc", "joserfc"),
    ("cryptography", "cryptography"),
    ("oauthlib", "oauthlib"),
    ("requests", "requests"),
    ("requests_oauth2client", "requests-oauth2client>=1.8"),
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn package_dir() -> PathBuf {
    repo().join("bindings").join("python")
}

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn library_name() -> String {
    format!(
        "{}tessera{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// A freshly built tessera shared library of this checkout (see `common::fresh_lib_dir`).
fn library() -> PathBuf {
    common::fresh_lib_dir().join(library_name())
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (is Python 3 installed? set $PYTHON)"))
}

fn text(output: &Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn missing_modules(pythonpath: Option<&Path>) -> Vec<&'static str> {
    MODULES
        .iter()
        .filter(|(module, _)| {
            let mut cmd = Command::new(python());
            cmd.args(["-c", &format!("import {module}")]);
            if let Some(path) = pythonpath {
                cmd.env("PYTHONPATH", path);
            }
            !run(&mut cmd).status.success()
        })
        .map(|(_, requirement)| *requirement)
        .collect()
}

/// Makes sure the suite's Python packages can be imported; returns an extra `PYTHONPATH`
/// entry when they had to be installed into the scratch directory. Once per test binary.
fn test_dependencies() -> Option<PathBuf> {
    static DEPS: OnceLock<Option<PathBuf>> = OnceLock::new();
    DEPS.get_or_init(install_test_dependencies).clone()
}

fn install_test_dependencies() -> Option<PathBuf> {
    let version = run(Command::new(python()).args([
        "-c",
        "import sys; assert sys.version_info >= (3, 9), sys.version",
    ]));
    assert!(
        version.status.success(),
        "the Python binding needs Python 3.9 or newer as `{}` (or $PYTHON)\n{}",
        python(),
        text(&version)
    );
    let missing = missing_modules(None);
    if missing.is_empty() {
        return None;
    }
    let deps = scratch().join("python-deps");
    if missing_modules(Some(&deps)).is_empty() {
        return Some(deps);
    }
    let requirements = package_dir().join("requirements-test.txt");
    let install = run(Command::new(python())
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg("--target")
        .arg(&deps)
        .arg("-r")
        .arg(&requirements));
    let still = missing_modules(Some(&deps));
    assert!(
        install.status.success() && still.is_empty(),
        "the Python tests need {missing:?}, and installing them into {} failed; install them \
         with:\n\n    {} -m pip install -r bindings/python/requirements-test.txt\n\n{}",
        deps.display(),
        python(),
        text(&install)
    );
    Some(deps)
}

fn pythonpath(extra: &[&Path]) -> std::ffi::OsString {
    let mut paths: Vec<PathBuf> = extra.iter().map(|p| p.to_path_buf()).collect();
    if let Some(existing) = std::env::var_os("PYTHONPATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(paths).expect("a PYTHONPATH")
}

#[test]
fn python_suite() {
    let deps = test_dependencies();
    let library = library();
    let basetemp = scratch().join("pytest");
    let mut extra: Vec<&Path> = Vec::new();
    if let Some(deps) = deps.as_deref() {
        extra.push(deps);
    }
    let output = run(Command::new(python())
        .current_dir(package_dir())
        .args([
            "-m",
            "pytest",
            "tests",
            "-q",
            "-ra",
            "-p",
            "no:cacheprovider",
        ])
        .arg(format!("--basetemp={}", basetemp.display()))
        .env("TESSERA_LIBRARY", &library)
        .env(
            "TESSERA_TEST_EXPECT_BACKEND",
            tessera::backend().to_string(),
        )
        .env(
            "TESSERA_TEST_EXPECT_ML_DSA",
            if cfg!(feature = "ml-dsa") { "1" } else { "0" },
        )
        .env("PYTHONPATH", pythonpath(&extra))
        .env("PYTHONDONTWRITEBYTECODE", "1"));
    let report = text(&output);
    println!("{report}");
    assert!(
        output.status.success(),
        "the Python suite failed (pytest exit {:?}) against {}; rerun it with\n\n    \
         TESSERA_LIBRARY={} python3 -m pytest bindings/python/tests\n\n{report}",
        output.status.code(),
        library.display(),
        library.display()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(" passed"), "pytest ran no test:\n{report}");
}

#[test]
fn python_package_installs_with_pip() {
    let deps = test_dependencies();
    let site = scratch().join("python-install");
    let _ = std::fs::remove_dir_all(&site);
    // The build backend runs cargo. Its own target directory (one per backend, so that runs
    // with either do not rebuild each other's): a build without this run's features and
    // dev-dependencies, next to this run's artifacts, would leave a second copy of
    // dependencies (ring, ...) in target/debug/deps and make the doctests ambiguous. The dev
    // profile keeps it quick (`python3 -m pip install ./bindings/python` builds `release`).
    let target = scratch().join(format!("python-install-target-{}", common::BACKEND));
    let install = run(pip_install_package(&site)
        .env("CARGO_TARGET_DIR", &target)
        .env("TESSERA_CARGO_PROFILE", "dev")
        .env("TESSERA_BACKEND", common::BACKEND)
        .env_remove("TESSERA_LIBRARY"));
    assert!(
        install.status.success(),
        "`pip install ./bindings/python` failed (it needs PyPI for setuptools, and cargo)\n{}",
        text(&install)
    );
    let bundled = site.join("tessera").join(library_name());
    assert!(bundled.is_file(), "{} was not bundled", bundled.display());
    for name in ["py.typed", "_decls.py", "__init__.py"] {
        assert!(
            site.join("tessera").join(name).is_file(),
            "{name} is missing"
        );
    }
    // Imported from another directory, with no environment variable: the bundled library.
    let elsewhere = scratch().join("python-elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("a scratch directory");
    let mut extra: Vec<&Path> = vec![&site];
    if let Some(deps) = deps.as_deref() {
        extra.push(deps);
    }
    let check = run(Command::new(python())
        .current_dir(&elsewhere)
        .args([
            "-c",
            "import tessera, pathlib, sys\n\
             assert pathlib.Path(tessera.LIBRARY_PATH).parent == pathlib.Path(tessera.__file__).parent, tessera.LIBRARY_PATH\n\
             assert tessera.__version__ == tessera.library_version()\n\
             key = tessera.Key.generate('EdDSA')\n\
             print(tessera.__version__, tessera.Verifier(key).verify(key.sign({'exp': 2000000000}), now=1900000000))\n\
             print(tessera.BACKEND)",
        ])
        .env("PYTHONPATH", pythonpath(&extra))
        .env("PYTHONNOUSERSITE", "1")
        .env_remove("TESSERA_LIBRARY"));
    assert!(
        check.status.success(),
        "the installed package does not import on its own\n{}",
        text(&check)
    );
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        stdout.starts_with(env!("CARGO_PKG_VERSION")),
        "unexpected output: {stdout}"
    );
    assert!(
        stdout.ends_with(&format!("\n{}\n", tessera::backend())),
        "TESSERA_BACKEND={} built a package on another backend than {}: {stdout}",
        common::BACKEND,
        tessera::backend()
    );
}

/// `pip install --target SITE ./bindings/python` (quiet, no dependencies), from the repository.
fn pip_install_package(site: &Path) -> Command {
    let mut cmd = Command::new(python());
    let _ = cmd
        .current_dir(repo())
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
        ])
        .arg("--target")
        .arg(site)
        .arg("./bindings/python");
    cmd
}

/// An unknown `TESSERA_BACKEND` stops the package build with a message naming the choices,
/// before cargo runs.
#[test]
fn python_package_build_refuses_an_unknown_backend() {
    let site = scratch().join("python-install-refused");
    let _ = std::fs::remove_dir_all(&site);
    let install = run(pip_install_package(&site)
        .env("TESSERA_BACKEND", "openssl")
        .env("CARGO", "/nonexistent/cargo-must-not-run"));
    let output = text(&install);
    assert!(
        !install.status.success()
            && output.contains("TESSERA_BACKEND='openssl' is not a cryptographic backend")
            && output.contains("'ring' or 'aws-lc'"),
        "`TESSERA_BACKEND=openssl pip install ./bindings/python` did not fail clearly\n{output}"
    );
    assert!(!output.contains("cargo was not found"), "{output}");
}

/// Issue 14 §1: an HMAC key rebound from HS256 to HS512 (`Key::with_alg`) signs real
/// HMAC-SHA-512 tokens, which PyJWT and joserfc verify with the same secret.
#[test]
fn rebound_hs512_tokens_verify_in_pyjwt_and_joserfc() {
    use tessera::jwt::{self, Algorithm, Header, Key};
    let deps = test_dependencies();
    let secret = [0x5au8; 64];
    let key = Key::hmac(&secret, Algorithm::HS256)
        .and_then(|k| k.with_alg(Algorithm::HS512))
        .expect("a 64-byte secret may become HS512");
    let claims = serde_json::json!({"sub": "rebound", "exp": 4_000_000_000_i64});
    let token =
        jwt::sign(&key, &Header::new(), &claims, &tessera::SystemRandom::new()).expect("a token");
    let mut extra: Vec<&Path> = Vec::new();
    if let Some(deps) = deps.as_deref() {
        extra.push(deps);
    }
    let check = run(Command::new(python())
        .args([
            "-c",
            "import sys, jwt\n\
             from joserfc import jwt as jrfc\n\
             from joserfc.jwk import OctKey\n\
             token, secret = sys.argv[1], bytes([0x5a]) * 64\n\
             assert jwt.decode(token, secret, algorithms=['HS512'])['sub'] == 'rebound'\n\
             t = jrfc.decode(token, OctKey.import_key(secret), algorithms=['HS512'])\n\
             assert t.header['alg'] == 'HS512' and t.claims['sub'] == 'rebound', t.header\n\
             print('verified')",
        ])
        .arg(&token)
        .env("PYTHONPATH", pythonpath(&extra)));
    assert!(
        check.status.success() && String::from_utf8_lossy(&check.stdout).contains("verified"),
        "PyJWT or joserfc refused tessera's HS512 token {token}\n{}",
        text(&check)
    );
}

/// The Python side of [`es512_and_es256k_tokens_cross_with_pyjwt_and_joserfc`]: argv is the
/// algorithm, then (when tessera could sign) tessera's public JWK and token, which PyJWT and
/// joserfc must verify. Then it makes its own key with `cryptography`, signs a token with PyJWT
/// and one with joserfc, and prints `{"jwk": <public JWK>, "tokens": [...]}`. joserfc leaves
/// ES512 and ES256K out of its recommended algorithms: they are named in `algorithms=`.
const CROSS_SCRIPT: &str = r#"
import json, sys
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt as jrfc
from joserfc.jwk import ECKey

alg = sys.argv[1]
curve = {"ES512": ec.SECP521R1(), "ES256K": ec.SECP256K1()}[alg]
if len(sys.argv) > 2:
    jwk, token = json.loads(sys.argv[2]), sys.argv[3]
    assert jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=[alg])["sub"] == "crossed"
    decoded = jrfc.decode(token, ECKey.import_key(jwk), algorithms=[alg])
    assert decoded.header["alg"] == alg and decoded.claims["sub"] == "crossed", decoded.header
pem = ec.generate_private_key(curve).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
)
claims = {"sub": "crossed", "exp": 4000000000}
key = ECKey.import_key(pem)
tokens = [
    jwt.encode(claims, pem, algorithm=alg),
    jrfc.encode({"alg": alg}, claims, key, algorithms=[alg]),
]
print(json.dumps({"jwk": key.as_dict(private=False), "tokens": tokens}))
"#;

/// Issue 16: ES512 (P-521) and ES256K (secp256k1, RFC 8812 §3.2) tokens cross both ways
/// between tessera and PyJWT and joserfc. With the aws-lc backend, tokens tessera signs verify
/// in both, and tokens both sign verify in tessera (the key loaded from joserfc's public JWK,
/// `crv` `P-521` or `secp256k1`). With ring, tessera refuses with the typed errors: the
/// algorithm names are `UnsupportedAlgorithm` (also in a token's header), the keys
/// `UnsupportedKey`.
#[test]
fn es512_and_es256k_tokens_cross_with_pyjwt_and_joserfc() {
    use tessera::ErrorKind;
    use tessera::jwt::{self, Algorithm, Header, Key, Verifier};
    let deps = test_dependencies();
    let mut extra: Vec<&Path> = Vec::new();
    if let Some(deps) = deps.as_deref() {
        extra.push(deps);
    }
    let aws_lc = tessera::backend().name() == "aws-lc-rs";
    let rng = tessera::SystemRandom::new();
    let claims = serde_json::json!({"sub": "crossed", "exp": 4_000_000_000_i64});
    for name in ["ES512", "ES256K"] {
        let mut cmd = Command::new(python());
        cmd.args(["-c", CROSS_SCRIPT, name])
            .env("PYTHONPATH", pythonpath(&extra));
        // tessera signs (aws-lc), or refuses the algorithm (ring).
        match name.parse::<Algorithm>() {
            Ok(alg) => {
                assert!(aws_lc, "{name} parses with {}", tessera::backend());
                let key = Key::generate(alg, &rng).expect("a key");
                let token = jwt::sign(&key, &Header::new(), &claims, &rng).expect("a token");
                let jwk = serde_json::Value::Object(key.public_jwk().expect("a public JWK"));
                cmd.arg(jwk.to_string()).arg(token);
            }
            Err(e) => {
                assert!(!aws_lc, "{name} does not parse with aws-lc: {e}");
                assert_eq!(e.kind(), ErrorKind::UnsupportedAlgorithm, "{e}");
            }
        }
        let out = run(&mut cmd);
        assert!(
            out.status.success(),
            "PyJWT or joserfc failed with {name}\n{}",
            text(&out)
        );
        let theirs: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
        let jwk = theirs["jwk"].to_string();
        let tokens: Vec<&str> = theirs["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .map(|t| t.as_str().expect("a token"))
            .collect();
        assert_eq!(tokens.len(), 2);
        // They sign, tessera verifies (aws-lc) or refuses the key and the tokens (ring).
        match Key::from_jwk(jwk.as_bytes(), None) {
            Ok(key) => {
                assert!(aws_lc);
                assert_eq!(key.alg().as_str(), name);
                let verifier = Verifier::new(key.clone());
                for token in &tokens {
                    let verified = verifier
                        .verify(token, 1_800_000_000)
                        .unwrap_or_else(|e| panic!("{name} token {token}: {e}"));
                    assert_eq!(verified.claims()["sub"], "crossed");
                    assert_eq!(verified.header().alg(), Some(key.alg()));
                }
            }
            Err(e) => {
                assert!(!aws_lc, "{name} JWK refused with aws-lc: {e}");
                assert_eq!(e.kind(), ErrorKind::UnsupportedKey, "{e}");
                let es256 = Key::generate(Algorithm::ES256, &rng).expect("an ES256 key");
                for token in &tokens {
                    let err = Verifier::new(es256.clone())
                        .verify(token, 1_800_000_000)
                        .expect_err("refused");
                    assert_eq!(
                        err.kind(),
                        ErrorKind::UnsupportedAlgorithm,
                        "{token}: {err}"
                    );
                }
            }
        }
    }
}
