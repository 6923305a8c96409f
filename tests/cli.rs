//! Tests of the `tessera` command-line tool: the built binary is run for every verb and flag,
//! every exit code (0, 1, 2), every class of error message, stdin input, and a round trip
//! keygen → sign → verify → decode for every algorithm.
//!
//! Run with `cargo test --features cli --test cli` (ring) or `cargo test --all-features` (aws-lc):
//! the tests of ES512, ES256K and RSA key generation check the aws-lc behaviour on aws-lc and the
//! refusals on ring.
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

/// A fixed clock for reproducible tokens (2027-01-15).
const NOW: i64 = 1_800_000_000;

// ---- harness --------------------------------------------------------------------------------

/// The result of one run of the binary.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Asserts exit 0 and returns stdout without its final newline.
    fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        self.stdout.trim_end_matches('\n')
    }

    /// Asserts exit 0 and parses stdout as JSON.
    fn json(&self) -> Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|e| panic!("not JSON ({e}): {self:#?}"))
    }

    /// Asserts a one-line error `error: <code>: ...` with this code-name and exit code, nothing
    /// on stdout; returns the line.
    fn fails(&self, exit: i32, code: &str) -> &str {
        assert_eq!(self.code, exit, "exit code: {self:#?}");
        assert_eq!(
            self.stdout, "",
            "stdout must be empty on failure: {self:#?}"
        );
        let line = self.stderr.lines().last().unwrap_or_default();
        assert_eq!(
            self.stderr.lines().count(),
            1,
            "one error line expected: {self:#?}"
        );
        assert_eq!(error_code(line), Some(code), "{self:#?}");
        line
    }

    /// Asserts a rejection (exit 1) with this code-name.
    fn rejected(&self, code: &str) -> &str {
        self.fails(1, code)
    }

    /// Asserts a usage error (exit 2) whose first line is `error: usage: ...`; returns stderr.
    fn usage(&self) -> &str {
        assert_eq!(self.code, 2, "exit code: {self:#?}");
        assert_eq!(self.stdout, "", "{self:#?}");
        assert!(
            self.stderr.starts_with("error: usage: "),
            "usage errors start with `error: usage: `: {self:#?}"
        );
        &self.stderr
    }
}

/// The code-name of an error line, if it has the form `error: <code>: <message>` with `<code>`
/// made of `[a-z0-9_]` (`[a-z_]` for every kind except `invalid_utf8` and `invalid_base64`).
fn error_code(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("error: ")?;
    let (code, message) = rest.split_once(": ")?;
    let well_formed = !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !message.is_empty()
        && !line.contains('\n');
    well_formed.then_some(code)
}

/// Asserts the exact shape the spec gives for error lines: `^error: [a-z_]+: `.
fn assert_strict_error_line(line: &str) {
    let rest = line.strip_prefix("error: ").expect("starts with `error: `");
    let (code, _) = rest.split_once(": ").expect("`error: <code>: `");
    assert!(
        !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "{line}"
    );
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(BIN);
    let _ = cmd
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd.spawn().expect("the tessera binary runs");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The tool stops reading oversized input: a broken pipe here is expected then.
        if let Err(e) = pipe.write_all(input) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    Run::from(child.wait_with_output().expect("wait for tessera"))
}

/// A temporary directory, unique per test, removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("tessera-cli-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        Dir(path)
    }

    /// Runs `tessera args...` in this directory, stdin closed.
    fn run(&self, args: &[&str]) -> Run {
        run_in(&self.0, args, None)
    }

    /// Runs `tessera args...` with `input` on stdin.
    fn run_stdin(&self, args: &[&str], input: &str) -> Run {
        run_in(&self.0, args, Some(input.as_bytes()))
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        std::fs::write(self.0.join(name), contents).expect("write file");
        name.to_owned()
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join(name)).expect("read file")
    }

    /// Copies a fixture of `tests/data/keys` here.
    fn fixture(&self, name: &str) -> String {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/keys")
            .join(name);
        let _ = std::fs::copy(&from, self.0.join(name)).expect("copy fixture");
        name.to_owned()
    }

    /// `tessera keygen args... > name`.
    fn keygen(&self, name: &str, args: &[&str]) -> String {
        let mut full = vec!["keygen"];
        full.extend_from_slice(args);
        let out = self.run(&full);
        self.write(name, out.ok())
    }

    /// Signs `claims` (JSON text) with `extra` flags at [`NOW`] and returns the token.
    fn sign(&self, key_flags: &[&str], claims: &str, extra: &[&str]) -> String {
        let now = NOW.to_string();
        let mut args = vec!["sign"];
        args.extend_from_slice(key_flags);
        args.extend_from_slice(&["--claims", claims, "--now", &now]);
        args.extend_from_slice(extra);
        self.run(&args).ok().to_owned()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Replaces the signature of a compact token by another of the same length.
fn forge_signature(token: &str) -> String {
    let (signed, sig) = token.rsplit_once('.').expect("three parts");
    let mut sig: Vec<u8> = sig.bytes().collect();
    sig[0] = if sig[0] == b'A' { b'B' } else { b'A' };
    format!("{signed}.{}", String::from_utf8(sig).expect("ASCII"))
}

/// Replaces the claims of a compact token, keeping header and signature.
fn swap_claims(token: &str, claims: &Value) -> String {
    let mut parts = token.split('.');
    let header = parts.next().expect("header");
    let _ = parts.next();
    let sig = parts.next().expect("signature");
    format!("{header}.{}.{sig}", b64url(claims.to_string().as_bytes()))
}

const CLAIMS: &str = r#"{"iss":"https://as.example","sub":"user-42","aud":"api","exp":1800000300,"iat":1800000000,"scope":"job:read"}"#;

/// Whether this build runs on aws-lc (ES512, ES256K, RSA key generation), else on ring.
fn aws_lc() -> bool {
    tessera::backend().name() == "aws-lc-rs"
}

fn now_flag() -> String {
    NOW.to_string()
}

// ---- round trips ----------------------------------------------------------------------------

/// keygen → sign → verify → decode, with the key as a private JWK and through its public JWK.
fn round_trip_generated(alg: &str) {
    let dir = Dir::new(&format!("rt-{alg}"));
    let key = dir.keygen("key.jwk", &[alg, "--kid", "k-1"]);
    let jwk: Value = serde_json::from_str(&dir.read(&key)).expect("JWK");
    assert_eq!(jwk["alg"], alg);
    assert_eq!(jwk["kid"], "k-1");
    let token = dir.sign(&["--key", &key], CLAIMS, &["--typ", "at+jwt"]);
    assert_eq!(token.split('.').count(), 3, "{token}");

    let now = now_flag();
    let verified = dir
        .run(&[
            "verify",
            "--key",
            &key,
            "--iss",
            "https://as.example",
            "--aud",
            "api",
            "--sub",
            "user-42",
            "--typ",
            "at+jwt",
            "--now",
            &now,
            &token,
        ])
        .json();
    assert_eq!(verified["header"]["alg"], alg);
    assert_eq!(verified["header"]["kid"], "k-1");
    assert_eq!(verified["header"]["typ"], "at+jwt");
    let expected: Value = serde_json::from_str(CLAIMS).expect("claims");
    assert_eq!(verified["claims"], expected);

    if !alg.starts_with("HS") {
        let public = dir.write("pub.jwk", dir.run(&["pub", &key]).ok());
        let jwk: Value = serde_json::from_str(&dir.read(&public)).expect("public JWK");
        assert!(jwk.get("d").is_none(), "no private member: {jwk}");
        let verified = dir
            .run(&[
                "verify", "--key", &public, "--aud", "api", "--now", &now, &token,
            ])
            .json();
        assert_eq!(verified["claims"], expected);
    }

    let decoded = dir.run(&["decode", &token]);
    let value = decoded.json();
    assert_eq!(value["verified"], false);
    assert_eq!(value["claims"], expected);
    assert_eq!(value["header"]["alg"], alg);
    assert!(decoded.stderr.contains("NOT VERIFIED"), "{decoded:#?}");
}

#[test]
fn round_trip_hs256() {
    round_trip_generated("HS256");
}

#[test]
fn round_trip_hs384() {
    round_trip_generated("HS384");
}

#[test]
fn round_trip_hs512() {
    round_trip_generated("HS512");
}

#[test]
fn round_trip_es256() {
    round_trip_generated("ES256");
}

#[test]
fn round_trip_es384() {
    round_trip_generated("ES384");
}

#[test]
fn round_trip_eddsa() {
    round_trip_generated("EdDSA");
}

#[test]
fn round_trip_ed25519() {
    round_trip_generated("Ed25519");
}

/// ES512 and ES256K: the whole round trip with aws-lc. With ring the names are usage errors
/// that say which backend has them (exit 2), and a token that carries one is refused
/// (`unsupported_algorithm`, exit 1).
fn round_trip_or_refusal(alg: &str, header_b64: &str) {
    if aws_lc() {
        round_trip_generated(alg);
        return;
    }
    let dir = Dir::new(&format!("rt-{alg}"));
    let err = dir.run(&["keygen", alg]).usage().to_owned();
    assert!(err.contains(alg) && err.contains("aws-lc"), "{err}");
    let key = dir.keygen("k.jwk", &["ES256"]);
    let err = dir
        .run(&["verify", "--key", &key, "--alg", alg, "x.y.z"])
        .usage()
        .to_owned();
    assert!(err.contains("aws-lc"), "{err}");
    let token = format!("{header_b64}.{}.AAAA", b64url(br#"{"exp":1800000300}"#));
    let line = dir
        .run(&["verify", "--key", &key, "--now", &now_flag(), &token])
        .rejected("unsupported_algorithm")
        .to_owned();
    assert!(line.contains("aws-lc"), "{line}");
}

#[test]
fn round_trip_es512() {
    round_trip_or_refusal("ES512", &b64url(br#"{"alg":"ES512"}"#));
}

#[test]
fn round_trip_es256k() {
    round_trip_or_refusal("ES256K", &b64url(br#"{"alg":"ES256K"}"#));
}

/// keygen of an RSA algorithm: with aws-lc a new key (2048 bits, or --bits), which signs and
/// verifies; with ring `unsupported` (exit 1), with the OpenSSL command that makes one.
#[test]
fn keygen_rsa() {
    let dir = Dir::new("keygen-rsa");
    if !aws_lc() {
        for alg in ["RS256", "PS512"] {
            let line = dir.run(&["keygen", alg]).rejected("unsupported").to_owned();
            assert!(
                line.contains("openssl") && line.contains("aws-lc") && line.contains(alg),
                "{line}"
            );
        }
        let line = dir
            .run(&["keygen", "RS256", "--bits", "4096"])
            .rejected("unsupported")
            .to_owned();
        assert!(line.contains("rsa_keygen_bits:4096"), "{line}");
    } else {
        round_trip_generated("RS256");
        round_trip_generated("PS384");
        let modulus_bytes = |args: &[&str]| {
            let jwk = dir.run(args).json();
            assert_eq!(
                (jwk["kty"].as_str(), jwk["e"].as_str()),
                (Some("RSA"), Some("AQAB"))
            );
            // base64url without padding: 4 characters per 3 bytes.
            jwk["n"].as_str().expect("n").len() * 3 / 4
        };
        assert_eq!(modulus_bytes(&["keygen", "RS256"]), 256);
        assert_eq!(modulus_bytes(&["keygen", "PS256", "--bits", "3072"]), 384);
        let out = dir.run(&["keygen", "RS512", "--format", "pem"]);
        assert!(
            out.ok().starts_with("-----BEGIN PRIVATE KEY-----"),
            "{out:#?}"
        );
        let pem = dir.write("rsa.pem", out.ok());
        let token = dir.sign(&["--key", &pem, "--alg", "RS512"], CLAIMS, &[]);
        let now = now_flag();
        let out = dir.run(&[
            "verify", "--key", &pem, "--alg", "RS512", "--aud", "api", "--now", &now, &token,
        ]);
        assert_eq!(out.json()["header"]["alg"], "RS512");
    }
    // --bits: 2048, 3072 or 4096, for RSA algorithms only (usage errors, whatever the backend).
    for bits in ["1024", "2047", "8192", "lots"] {
        let err = dir
            .run(&["keygen", "RS256", "--bits", bits])
            .usage()
            .to_owned();
        assert!(err.contains("2048, 3072 or 4096"), "{err}");
    }
    let err = dir
        .run(&["keygen", "ES256", "--bits", "2048"])
        .usage()
        .to_owned();
    assert!(err.contains("--bits"), "{err}");
}

#[test]
fn round_trip_rsa_every_algorithm() {
    let dir = Dir::new("rt-rsa");
    let key = dir.fixture("rsa2048.pkcs8.pem");
    let spki = dir.fixture("rsa2048.spki.pem");
    let cert = dir.fixture("rsa2048.cert.der");
    let now = now_flag();
    let expected: Value = serde_json::from_str(CLAIMS).expect("claims");
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
        let token = dir.sign(&["--key", &key, "--alg", alg], CLAIMS, &[]);
        for verifier in [&key, &spki, &cert] {
            let out = dir
                .run(&[
                    "verify", "--key", verifier, "--alg", alg, "--aud", "api", "--now", &now,
                    &token,
                ])
                .json();
            assert_eq!(out["header"]["alg"], alg);
            assert_eq!(out["claims"], expected);
        }
        // Through the public JWK (which carries the algorithm).
        let public = dir.write("pub.jwk", dir.run(&["pub", &key, "--alg", alg]).ok());
        let out = dir
            .run(&[
                "verify", "--key", &public, "--aud", "api", "--now", &now, &token,
            ])
            .json();
        assert_eq!(out["header"]["alg"], alg);
        let decoded = dir.run(&["decode", &token]).json();
        assert_eq!(decoded["header"]["alg"], alg);
        assert_eq!(decoded["verified"], false);
    }
    // The token does not choose the algorithm: an RS256 token checked as PS256 is refused.
    let token = dir.sign(&["--key", &key, "--alg", "RS256"], CLAIMS, &[]);
    dir.run(&[
        "verify", "--key", &key, "--alg", "PS256", "--aud", "api", "--now", &now, &token,
    ])
    .rejected("algorithm_mismatch");
}

#[test]
fn round_trip_pem_keys() {
    let dir = Dir::new("rt-pem");
    let now = now_flag();
    for (alg, extra) in [
        ("ES256", None),
        ("ES384", None),
        ("EdDSA", None),
        ("Ed25519", Some("Ed25519")),
    ] {
        let out = dir.run(&["keygen", alg, "--format", "pem"]);
        assert!(
            out.ok().starts_with("-----BEGIN PRIVATE KEY-----"),
            "{out:#?}"
        );
        let key = dir.write("key.pem", out.ok());
        let mut flags = vec!["--key", key.as_str()];
        if let Some(a) = extra {
            flags.extend(["--alg", a]);
        }
        let token = dir.sign(&flags, CLAIMS, &[]);
        let mut args = vec!["verify", "--aud", "api", "--now", &now];
        args.extend(&flags);
        args.push(&token);
        assert_eq!(dir.run(&args).json()["header"]["alg"], alg);
    }
}

#[test]
fn round_trip_with_fixtures_in_every_container() {
    let dir = Dir::new("rt-fixtures");
    let now = now_flag();
    for (private, public) in [
        ("p256.pkcs8.pem", "p256.spki.pem"),
        ("p256.sec1.pem", "p256.cert.pem"),
        ("p256.sec1.der", "p256.spki.pem"),
        ("p384.sec1.pem", "p384.spki.pem"),
        ("ed25519.pkcs8.pem", "ed25519.cert.pem"),
        ("rsa2048.pkcs1.pem", "rsa2048.pkcs1pub.pem"),
        ("rsa2048.pkcs8.der", "rsa2048.spki.der"),
    ] {
        let private = dir.fixture(private);
        let public = dir.fixture(public);
        let rsa = private.starts_with("rsa");
        let mut sign_flags = vec!["--key", private.as_str()];
        let mut verify = vec![
            "verify",
            "--key",
            public.as_str(),
            "--aud",
            "api",
            "--now",
            &now,
        ];
        if rsa {
            sign_flags.extend(["--alg", "PS384"]);
            verify.extend(["--alg", "PS384"]);
        }
        let token = dir.sign(&sign_flags, CLAIMS, &[]);
        verify.push(&token);
        let _ = dir.run(&verify).json();
        // Signing needs the private key.
        let mut args = vec!["sign", "--key", public.as_str(), "--exp-in", "60"];
        if rsa {
            args.extend(["--alg", "PS384"]);
        }
        let _ = dir.run(&args).rejected("not_private_key");
    }
}

#[test]
fn secret_file_round_trip() {
    let dir = Dir::new("secret");
    let now = now_flag();
    let secret = dir.write("secret.bin", [0x5au8; 64]);
    // Default HS256.
    let token = dir.sign(&["--secret-file", &secret], CLAIMS, &[]);
    let out = dir
        .run(&[
            "verify",
            "--secret-file",
            &secret,
            "--aud",
            "api",
            "--now",
            &now,
            &token,
        ])
        .json();
    assert_eq!(out["header"]["alg"], "HS256");
    for alg in ["HS384", "HS512"] {
        let token = dir.sign(&["--secret-file", &secret, "--alg", alg], CLAIMS, &[]);
        let out = dir
            .run(&[
                "verify",
                "--secret-file",
                &secret,
                "--alg",
                alg,
                "--aud",
                "api",
                "--now",
                &now,
                &token,
            ])
            .json();
        assert_eq!(out["header"]["alg"], alg);
        // Checked as HS256 (the default), it is refused before any MAC.
        let _ = dir
            .run(&[
                "verify",
                "--secret-file",
                &secret,
                "--aud",
                "api",
                "--now",
                &now,
                &token,
            ])
            .rejected("algorithm_mismatch");
    }
    // The bytes are used exactly: a trailing newline makes another secret.
    let mut other = vec![0x5au8; 64];
    other.push(b'\n');
    let other = dir.write("other.bin", other);
    let _ = dir
        .run(&[
            "verify",
            "--secret-file",
            &other,
            "--aud",
            "api",
            "--now",
            &now,
            &token,
        ])
        .rejected("invalid_signature");
    // Too short for HS512.
    let short = dir.write("short.bin", [1u8; 40]);
    let line = dir
        .run(&[
            "sign",
            "--secret-file",
            &short,
            "--alg",
            "HS512",
            "--exp-in",
            "5",
        ])
        .rejected("weak_key")
        .to_owned();
    assert!(line.contains("short.bin"), "{line}");
    // A secret is for HS* only.
    let _ = dir
        .run(&[
            "sign",
            "--secret-file",
            &secret,
            "--alg",
            "ES256",
            "--exp-in",
            "5",
        ])
        .usage();
}

// ---- keygen, pub, jwks, thumbprint ----------------------------------------------------------

#[test]
fn keygen_formats_and_errors() {
    let dir = Dir::new("keygen");
    for alg in ["HS256", "HS384", "HS512"] {
        let jwk = dir.run(&["keygen", alg]).json();
        assert_eq!(jwk["kty"], "oct");
        assert_eq!(jwk["alg"], alg);
        assert!(jwk.get("kid").is_none(), "no kid unless asked: {jwk}");
        // HMAC keys have no PEM form: usage error.
        let _ = dir.run(&["keygen", alg, "--format", "pem"]).usage();
    }
    let jwk = dir
        .run(&["keygen", "ES384", "--format", "jwk", "--kid", "x"])
        .json();
    assert_eq!(
        (jwk["crv"].as_str(), jwk["kid"].as_str()),
        (Some("P-384"), Some("x"))
    );
    let jwk = dir.run(&["keygen", "Ed25519"]).json();
    assert_eq!(
        (jwk["kty"].as_str(), jwk["alg"].as_str()),
        (Some("OKP"), Some("Ed25519"))
    );
    // Two keys are never the same.
    assert_ne!(
        dir.run(&["keygen", "EdDSA"]).stdout,
        dir.run(&["keygen", "EdDSA"]).stdout
    );
    // PEM has no kid: a warning says so.
    let out = dir.run(&["keygen", "ES256", "--format", "pem", "--kid", "k"]);
    assert!(out.ok().ends_with("-----END PRIVATE KEY-----"));
    assert!(out.stderr.starts_with("warning: "), "{out:#?}");

    // RSA keys: see keygen_rsa. Unknown, unavailable (ES512 and ES256K with ring), `none` and
    // wrongly cased names: usage errors.
    let unavailable: &[&str] = if aws_lc() { &[] } else { &["ES512", "ES256K"] };
    for alg in ["none", "es256", "XYZ"].iter().chain(unavailable) {
        let err = dir.run(&["keygen", alg]).usage().to_owned();
        assert!(err.contains(alg), "{err}");
    }
    // The list of names an unknown one gets says which need aws-lc (with ring).
    let err = dir.run(&["keygen", "XYZ"]).usage().to_owned();
    assert!(err.contains("HS256 HS384 HS512 RS256"), "{err}");
    assert_eq!(
        err.contains("ES512 ES256K EdDSA"),
        aws_lc(),
        "supported names: {err}"
    );
    assert_eq!(
        err.contains("not in this build: ES512 ES256K"),
        !aws_lc(),
        "{err}"
    );
    assert!(
        dir.run(&["keygen", "es256"])
            .stderr
            .contains("did you mean ES256")
    );
    let _ = dir.run(&["keygen"]).usage();
    let _ = dir.run(&["keygen", "ES256", "--format", "der"]).usage();
}

#[test]
fn pub_thumbprint_and_jwks() {
    let dir = Dir::new("pub");
    // RFC 7638 §3.1: the thumbprint of the example RSA key.
    let rfc_key = dir.write(
        "rfc7638.jwk",
        r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#,
    );
    assert_eq!(
        dir.run(&["thumbprint", &rfc_key]).ok(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    // The thumbprint does not depend on the algorithm: an RSA PEM needs no --alg here.
    let rsa = dir.fixture("rsa2048.pkcs8.pem");
    let spki = dir.fixture("rsa2048.spki.pem");
    let t1 = dir.run(&["thumbprint", &rsa]).ok().to_owned();
    assert_eq!(dir.run(&["thumbprint", &spki, "--alg", "PS256"]).ok(), t1);
    assert_eq!(t1.len(), 43);
    // HMAC: a thumbprint with a warning (it covers the secret).
    let hs = dir.keygen("hs.jwk", &["HS256"]);
    let out = dir.run(&["thumbprint", &hs]);
    assert_eq!(out.ok().len(), 43);
    assert!(out.stderr.contains("do not publish"), "{out:#?}");

    // pub: the public half, alg from the key, or --alg for RSA.
    let ec = dir.keygen("ec.jwk", &["ES256", "--kid", "e1"]);
    let public = dir.run(&["pub", &ec]).json();
    assert_eq!(public["kid"], "e1");
    assert_eq!(public["use"], "sig");
    assert!(public.get("d").is_none());
    let rsa_pub = dir.run(&["pub", &rsa, "--alg", "PS384"]).json();
    assert_eq!(rsa_pub["alg"], "PS384");
    assert_eq!(rsa_pub["e"], "AQAB");
    let err = dir.run(&["pub", &rsa]).usage().to_owned();
    assert!(
        err.contains("rsa2048.pkcs8.pem") && err.contains("--alg"),
        "{err}"
    );
    let _ = dir.run(&["pub", &hs]).rejected("no_public_key");
    // --alg must agree with a key that decides.
    let _ = dir
        .run(&["pub", &ec, "--alg", "ES384"])
        .rejected("key_algorithm_mismatch");

    // jwks: several files, private keys published as public ones; --alg binds RSA only.
    let ed = dir.keygen("ed.jwk", &["EdDSA", "--kid", "d1"]);
    let p384 = dir.fixture("p384.spki.pem");
    let set = dir
        .run(&["jwks", &ec, &ed, &p384, &rsa, "--alg", "RS256"])
        .json();
    let keys = set["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 4);
    let algs: Vec<&str> = keys.iter().filter_map(|k| k["alg"].as_str()).collect();
    assert_eq!(algs, ["ES256", "EdDSA", "ES384", "RS256"]);
    assert!(keys.iter().all(|k| k.get("d").is_none()));
    // A JWKS file is itself accepted (and its keys kept).
    let saved = dir.write("set.json", set.to_string());
    assert_eq!(dir.run(&["jwks", &saved]).json(), set);
    let _ = dir.run(&["jwks", &ec, &hs]).rejected("no_public_key");
    let _ = dir.run(&["jwks", &rsa]).usage();
    let _ = dir.run(&["jwks"]).usage();
    // pub of a JWKS of several keys: one key is needed.
    let err = dir.run(&["pub", &saved]).usage().to_owned();
    assert!(err.contains("4 keys"), "{err}");
}

#[test]
fn key_file_errors_name_the_file() {
    let dir = Dir::new("keyerr");
    let token = "eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.c2ln";
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "garbage.pem",
            b"-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n",
            "invalid_key",
        ),
        ("garbage.der", b"\x30\x03\x02\x01", "invalid_key"),
        (
            "bad.jwk",
            b"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}",
            "invalid_key",
        ),
        ("notjson.jwk", b"{\"kty\":", "invalid_json"),
        (
            "curve.jwk",
            b"{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":\"AA\",\"y\":\"AA\"}",
            // With ring any P-521 key is unsupported; with aws-lc this one is no point.
            if aws_lc() {
                "invalid_key"
            } else {
                "unsupported_key"
            },
        ),
    ];
    for (name, contents, code) in cases {
        let file = dir.write(name, contents);
        let line = dir
            .run(&["verify", "--key", &file, token])
            .rejected(code)
            .to_owned();
        assert!(line.contains(name), "{line}");
    }
    if aws_lc() {
        let jwk = dir.run(&["pub", &dir.fixture("p521.sec1.pem")]).json();
        assert_eq!(
            (jwk["alg"].as_str(), jwk["crv"].as_str()),
            (Some("ES512"), Some("P-521"))
        );
    }
    let p521: &[(&str, &str)] = if aws_lc() {
        &[]
    } else {
        &[("p521.sec1.pem", "unsupported_key")]
    };
    for &(fixture, code) in [
        ("ed448.pkcs8.pem", "unsupported_key"),
        ("rsa2048.encrypted.pem", "unsupported_key"),
    ]
    .iter()
    .chain(p521)
    {
        let file = dir.fixture(fixture);
        let line = dir.run(&["pub", &file]).rejected(code).to_owned();
        assert!(
            line.starts_with(&format!("error: {code}: {fixture}: ")),
            "{line}"
        );
    }
    let weak = dir.fixture("rsa1024.pkcs8.pem");
    let _ = dir
        .run(&["pub", &weak, "--alg", "RS256"])
        .rejected("weak_key");
    // A missing file: `error: io: <path>: <reason>`, exit 2.
    let line = dir
        .run(&["verify", "--key", "missing.pem", token])
        .fails(2, "io")
        .to_owned();
    assert_eq!(line, "error: io: missing.pem: No such file or directory");
    let _ = dir
        .run(&["sign", "--secret-file", "missing", "--exp-in", "1"])
        .fails(2, "io");
    let _ = dir.run(&["pub", "missing.jwk"]).fails(2, "io");
    // An RSA key without --alg: a usage error that says so.
    let rsa = dir.fixture("rsa2048.spki.pem");
    let err = dir
        .run(&["verify", "--key", &rsa, token])
        .usage()
        .to_owned();
    assert!(
        err.contains("rsa2048.spki.pem")
            && err.contains("explicit algorithm")
            && err.contains("--alg"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    // An HMAC JWK without alg: the same.
    let oct = dir.write(
        "oct.jwk",
        r#"{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
    );
    let _ = dir.run(&["sign", "--key", &oct, "--exp-in", "5"]).usage();
    assert_eq!(
        dir.run(&["sign", "--key", &oct, "--alg", "HS256", "--exp-in", "5"])
            .ok()
            .split('.')
            .count(),
        3
    );
}

// ---- sign -----------------------------------------------------------------------------------

#[test]
fn sign_builds_claims_from_flags() {
    let dir = Dir::new("sign");
    let key = dir.keygen("k.jwk", &["ES256", "--kid", "key-1"]);
    let now = now_flag();
    let decode = |token: &str| dir.run(&["decode", token]).json();

    // Flags alone.
    let token = dir
        .run(&[
            "sign",
            "--key",
            &key,
            "--iss",
            "https://as",
            "--sub",
            "u",
            "--aud",
            "a1",
            "--scope",
            "job:write job:read job:read",
            "--exp-in",
            "300",
            "--now",
            &now,
        ])
        .ok()
        .to_owned();
    let d = decode(&token);
    assert_eq!(
        d["claims"],
        json!({"iss": "https://as", "sub": "u", "aud": "a1", "scope": "job:read job:write",
               "exp": NOW + 300, "iat": NOW})
    );
    assert_eq!(d["header"], json!({"alg": "ES256", "kid": "key-1"}));

    // --claims, overridden by flags; several --aud make an array; iat kept from the claims.
    let token = dir
        .run(&[
            "sign",
            "--key",
            &key,
            "--claims",
            r#"{"sub":"old","iat":5,"x":{"y":[1,2.5,null,true]},"aud":"z"}"#,
            "--sub",
            "new",
            "--aud",
            "a",
            "--aud",
            "b",
            "--exp-in",
            "60",
            "--now",
            &now,
            "--typ",
            "at+jwt",
            "--kid",
            "other",
        ])
        .ok()
        .to_owned();
    let d = decode(&token);
    assert_eq!(
        d["claims"],
        json!({"sub": "new", "iat": 5, "x": {"y": [1, 2.5, null, true]}, "aud": ["a", "b"],
               "exp": NOW + 60})
    );
    assert_eq!(
        d["header"],
        json!({"alg": "ES256", "kid": "other", "typ": "at+jwt"})
    );

    // A JWKS holding one private key works as --key.
    let one = dir.write(
        "one.json",
        json!({"keys": [serde_json::from_str::<Value>(&dir.read(&key)).expect("JWK")]}).to_string(),
    );
    let token = dir
        .run(&["sign", "--key", &one, "--exp-in", "60", "--now", &now])
        .ok()
        .to_owned();
    assert_eq!(decode(&token)["header"]["kid"], "key-1");

    // Without --exp-in or an exp claim: signed, with a warning.
    let out = dir.run(&["sign", "--key", &key, "--sub", "u"]);
    assert_eq!(out.ok().split('.').count(), 3);
    assert!(out.stderr.starts_with("warning: no exp"), "{out:#?}");
    // --exp-in with the system clock: exp - iat == N.
    let token = dir
        .run(&["sign", "--key", &key, "--exp-in", "42"])
        .ok()
        .to_owned();
    let claims = decode(&token)["claims"].clone();
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        42
    );

    // Bad --claims: usage errors naming the problem.
    for (claims, what) in [
        (r#"{"a":1,"a":2}"#, "duplicate"),
        (r#"{"a":{"b":1,"b":2}}"#, "duplicate"),
        ("[1,2]", "object"),
        ("{", "JSON"),
        ("{} x", "JSON"),
    ] {
        let err = dir
            .run(&["sign", "--key", &key, "--claims", claims])
            .usage()
            .to_owned();
        assert!(err.contains(what), "{claims}: {err}");
    }
    let _ = dir.run(&["sign", "--key", &key, "--scope", "a  b"]).usage();
    let _ = dir.run(&["sign", "--key", &key, "--exp-in", "-5"]).usage();
    let _ = dir
        .run(&["sign", "--key", &key, "--now", "soon", "--exp-in", "5"])
        .usage();
    let _ = dir.run(&["sign", "--key", &key, "--alg", "none"]).usage();
    let _ = dir
        .run(&["sign", "--key", &key, "--alg", "ES384"])
        .rejected("key_algorithm_mismatch");
    let _ = dir.run(&["sign", "--exp-in", "5"]).usage();
    let secret = dir.write("s", [1u8; 32]);
    let _ = dir
        .run(&["sign", "--key", &key, "--secret-file", &secret])
        .usage();
    let _ = dir.run(&["sign", "--key", &key, "--bogus"]).usage();
}

// ---- verify ---------------------------------------------------------------------------------

/// A directory with an ES256 key, its public JWK, and a token signed at NOW with CLAIMS.
fn verify_setup(name: &str) -> (Dir, String, String) {
    let dir = Dir::new(name);
    let key = dir.keygen("k.jwk", &["ES256", "--kid", "k1"]);
    let public = dir.write("pub.jwk", dir.run(&["pub", &key]).ok());
    let token = dir.sign(&["--key", &key], CLAIMS, &["--typ", "at+jwt"]);
    (dir, public, token)
}

#[test]
fn verify_reads_the_token_from_stdin() {
    let (dir, public, token) = verify_setup("stdin");
    let now = now_flag();
    let base = ["verify", "--key", &public, "--aud", "api", "--now", &now];
    let expected = dir.run(&[&base[..], &[token.as_str()]].concat()).json();
    // `-`, and no argument at all; surrounding whitespace and newlines are trimmed.
    for input in [
        token.clone(),
        format!("{token}\n"),
        format!("  \n{token}\r\n\n"),
    ] {
        assert_eq!(
            dir.run_stdin(&[&base[..], &["-"]].concat(), &input).json(),
            expected
        );
        assert_eq!(dir.run_stdin(&base, &input).json(), expected);
    }
    // A blank line on stdin is an empty token, so a malformed one (see
    // `empty_token_is_malformed_not_a_usage_error`); garbage is a malformed token.
    let _ = dir.run_stdin(&base, "  \n").usage();
    let _ = dir
        .run_stdin(&base, "not a token\n")
        .rejected("malformed_token");
    // Oversized and non-UTF-8 input on stdin.
    let _ = dir
        .run_stdin(&base, &"a".repeat(2 * 1024 * 1024))
        .rejected("too_large");
    let bytes = run_in(&dir.0, &base, Some(b"\xff\xfe.a.b"));
    let _ = bytes.rejected("invalid_utf8");
    // decode and token check read stdin too.
    assert_eq!(
        dir.run_stdin(&["decode"], &format!("{token}\n")).json()["verified"],
        false
    );
    assert_eq!(
        dir.run_stdin(&["decode", "-"], &token).json()["verified"],
        false
    );
}

/// An empty token is a malformed token: exit 1 and the same line as any other malformed token
/// (`tessera verify abc`), for every verb that takes a token, whether the empty token comes as
/// the argument or as a blank line on stdin. "No token given" (exit 2) is only stdin without a
/// single byte; the other usage errors keep exit 2 even when the token is empty.
#[test]
fn empty_token_is_malformed_not_a_usage_error() {
    let (dir, public, _token) = verify_setup("empty");
    let now = now_flag();
    let secret = dir.write("s.bin", [7u8; 32]);
    let verify_key = ["verify", "--key", &public, "--aud", "api", "--now", &now];
    let verify_secret = ["verify", "--secret-file", &secret, "--now", &now];
    let verbs: [&[&str]; 5] = [
        &verify_key,
        &verify_secret,
        &["decode"],
        &["token", "check"],
        &["token", "check", "--kind", "ak"],
    ];
    for verb in verbs {
        let with = |extra: &[&'static str]| -> Vec<&str> { [verb, extra].concat() };
        // The reference: what a malformed non-empty token prints.
        let reference = dir.run(&with(&["abc"]));
        let code = error_code(reference.stderr.trim_end())
            .expect("a malformed token gives an error line")
            .to_owned();
        assert!(code.starts_with("malformed"), "{reference:#?}");
        let expected = reference.rejected(&code).to_owned();
        assert_strict_error_line(&expected);
        // The empty token argument, and one of white space only.
        for run in [dir.run(&with(&[""])), dir.run(&with(&["  "]))] {
            assert_eq!(run.rejected(&code), expected, "{verb:?}: {run:#?}");
        }
        // No token argument and nothing but white space on stdin (closed, a pipe that ends at
        // once, a blank line): no token given, exit 2, as before.
        for run in [
            dir.run(verb),
            dir.run(&with(&["-"])),
            dir.run_stdin(verb, ""),
            dir.run_stdin(&with(&["-"]), "\n"),
            dir.run_stdin(verb, "\n"),
            dir.run_stdin(verb, " \r\n"),
        ] {
            let err = run.usage();
            assert!(err.contains("no token given"), "{verb:?}: {err}");
        }
    }
    // `pkce` takes a verifier, not a token, but follows the same rule: empty is refused (exit
    // 1) with the same line as any other verifier that is too short.
    let short = dir
        .run(&["pkce", "abc"])
        .rejected("invalid_pkce")
        .to_owned();
    assert_eq!(dir.run(&["pkce", ""]).rejected("invalid_pkce"), short);
    // The other usage errors keep exit 2 with an empty token: no key at all, an unreadable key
    // file, an RSA key without --alg.
    let _ = dir.run(&["verify", ""]).usage();
    let err = dir
        .run(&["verify", "--key", "missing.jwk", "--now", &now, ""])
        .fails(2, "io")
        .to_owned();
    assert!(err.contains("missing.jwk"), "{err}");
    let rsa = dir.fixture("rsa2048.spki.pem");
    let _ = dir
        .run(&["verify", "--key", &rsa, "--now", &now, ""])
        .usage();
    // With --alg the same RSA key gets to the token, which is then malformed.
    let _ = dir
        .run(&["verify", "--key", &rsa, "--alg", "RS256", "--now", &now, ""])
        .rejected("malformed_token");
}

#[test]
fn verify_rejections_are_one_line_and_exit_1() {
    let (dir, public, token) = verify_setup("reject");
    let at = |t: i64| t.to_string();
    let verify = |extra: &[&str], token: &str, now: i64| {
        let now = at(now);
        let mut args = vec!["verify", "--key", &public, "--now", &now];
        args.extend_from_slice(extra);
        args.push(token);
        dir.run(&args)
    };
    let aud = ["--aud", "api"];

    // Success.
    assert_eq!(verify(&aud, &token, NOW).json()["claims"]["sub"], "user-42");

    // Expired: the exact line of the spec.
    let out = verify(&aud, &token, NOW + 300 + 30);
    assert_eq!(
        out.rejected("expired"),
        "error: expired: token expired: the token has expired"
    );
    assert_strict_error_line(out.rejected("expired"));
    assert_eq!(
        out.stderr,
        "error: expired: token expired: the token has expired\n"
    );
    // Within the default leeway (30 s), and with --leeway.
    let _ = verify(&aud, &token, NOW + 300 + 29).json();
    let _ = verify(&["--aud", "api", "--leeway", "0"], &token, NOW + 300).rejected("expired");
    let _ = verify(&["--aud", "api", "--leeway", "120"], &token, NOW + 400).json();
    let _ = verify(&["--aud", "api", "--leeway", "301"], &token, NOW).usage();
    let _ = verify(&["--aud", "api", "--leeway", "-1"], &token, NOW).usage();

    // Forged: a changed signature, changed claims, another key.
    let forged = forge_signature(&token);
    let line = verify(&aud, &forged, NOW)
        .rejected("invalid_signature")
        .to_owned();
    assert_strict_error_line(&line);
    assert_eq!(line, "error: invalid_signature: invalid signature");
    let mut claims: Value = serde_json::from_str(CLAIMS).expect("claims");
    claims["sub"] = json!("admin");
    let _ = verify(&aud, &swap_claims(&token, &claims), NOW).rejected("invalid_signature");
    let other = dir.keygen("other.jwk", &["ES256"]);
    let _ = dir
        .run(&[
            "verify",
            "--key",
            &other,
            "--aud",
            "api",
            "--now",
            &at(NOW),
            &token,
        ])
        .rejected("invalid_signature");
    // The signature is checked before the claims: a forged expired token is a forgery.
    let _ = verify(&aud, &forged, NOW + 10_000).rejected("invalid_signature");

    // Claims policy.
    let _ = verify(&[], &token, NOW).rejected("audience_mismatch"); // RFC 7519 §4.1.3
    let _ = verify(&["--any-aud"], &token, NOW).json();
    let _ = verify(&["--aud", "other"], &token, NOW).rejected("audience_mismatch");
    let _ = verify(&["--aud", "other", "--aud", "api"], &token, NOW).json();
    let _ = verify(&["--aud", "api", "--any-aud"], &token, NOW).usage();
    let _ =
        verify(&["--aud", "api", "--iss", "https://evil"], &token, NOW).rejected("issuer_mismatch");
    let _ = verify(
        &[
            "--aud",
            "api",
            "--iss",
            "https://x",
            "--iss",
            "https://as.example",
        ],
        &token,
        NOW,
    )
    .json();
    let _ = verify(&["--aud", "api", "--sub", "user-1"], &token, NOW).rejected("subject_mismatch");
    let _ = verify(&["--aud", "api", "--sub", "user-42"], &token, NOW).json();
    let _ = verify(&["--aud", "api", "--typ", "JWT"], &token, NOW).rejected("type_mismatch");
    let _ = verify(
        &["--aud", "api", "--typ", "application/AT+JWT"],
        &token,
        NOW,
    )
    .json();
    let _ = verify(&["--aud", "api", "--require", "jti"], &token, NOW).rejected("missing_claim");
    let _ = verify(
        &["--aud", "api", "--require", "scope", "--require", "iat"],
        &token,
        NOW,
    )
    .json();
    let _ = verify(&["--aud", "api", "--max-age", "60"], &token, NOW + 100).rejected("too_old");
    let _ = verify(&["--aud", "api", "--max-age", "600"], &token, NOW + 100).json();
    let _ = verify(&["--aud", "api"], &token, NOW - 100).rejected("issued_in_future");
    let _ = verify(&["--aud", "api", "--iss", ""], &token, NOW).usage();

    // nbf, and exp required.
    let key = "k.jwk";
    let future = dir.sign(
        &["--key", key],
        r#"{"nbf":1800001000,"exp":1800002000}"#,
        &[],
    );
    let _ = verify(&[], &future, NOW).rejected("not_yet_valid");
    let _ = verify(&[], &future, NOW + 1000).json();
    let no_exp = dir.sign(&["--key", key], r#"{"sub":"x"}"#, &[]);
    let _ = verify(&[], &no_exp, NOW).rejected("missing_claim");
    let bad_type = dir.sign(&["--key", key], r#"{"exp":"soon"}"#, &[]);
    let _ = verify(&[], &bad_type, NOW).rejected("invalid_claim_type");

    // Malformed input.
    let _ = verify(&[], "a.b", NOW).rejected("malformed_token");
    let _ = verify(&[], "a.b.c.d", NOW).rejected("malformed_token");
    let _ = verify(&[], "e30=.e30.c2ln", NOW).rejected("invalid_base64");
    let _ = verify(&[], "bm90IGpzb24.e30.c2ln", NOW).rejected("invalid_json");
    let none = format!("{}.{}.", b64url(br#"{"alg":"none"}"#), b64url(b"{}"));
    let _ = verify(&[], &none, NOW).rejected("malformed_token");
    let none = format!("{}.{}.c2ln", b64url(br#"{"alg":"none"}"#), b64url(b"{}"));
    let _ = verify(&[], &none, NOW).rejected("unsupported_algorithm");
    let huge = "a".repeat(20_000);
    let _ = verify(&[], &format!("{huge}.{huge}.{huge}"), NOW).rejected("too_large");
    // An HS256 token checked with the ES256 key: the key decides the algorithm.
    let secret = dir.write("s.bin", [9u8; 32]);
    let hs = dir.sign(&["--secret-file", &secret], CLAIMS, &[]);
    let _ = verify(&aud, &hs, NOW).rejected("algorithm_mismatch");
}

#[test]
fn verify_usage_errors_exit_2() {
    let (dir, public, token) = verify_setup("vusage");
    let now = now_flag();
    let _ = dir.run(&["verify", &token]).usage(); // no key
    let _ = dir
        .run(&["verify", "--key", &public, "--jwks", &public, &token])
        .usage();
    let _ = dir
        .run(&["verify", "--key", &public, "--unknown", &token])
        .usage();
    let _ = dir.run(&["verify", "--key"]).usage();
    let _ = dir
        .run(&["verify", "--key", &public, "--now", "yesterday", &token])
        .usage();
    let _ = dir
        .run(&["verify", "--key", &public, "--alg", "ES999", &token])
        .usage();
    // ES512 is a usage error with ring (this build cannot know it); with aws-lc, the ES256 key
    // refuses it (exit 1).
    let es512 = dir.run(&["verify", "--key", &public, "--alg", "ES512", &token]);
    if aws_lc() {
        let _ = es512.rejected("key_algorithm_mismatch");
    } else {
        let _ = es512.usage();
    }
    let _ = dir
        .run(&["verify", "--key", &public, &token, "extra"])
        .usage();
    // --jwks needs a JWKS document.
    let err = dir
        .run(&["verify", "--jwks", &public, "--now", &now, &token])
        .usage()
        .to_owned();
    assert!(err.contains("--key"), "{err}");
    let pem = dir.fixture("p256.spki.pem");
    let _ = dir.run(&["verify", "--jwks", &pem, &token]).usage();
    // --secret-file with an asymmetric algorithm.
    let s = dir.write("s", [1u8; 32]);
    let _ = dir
        .run(&["verify", "--secret-file", &s, "--alg", "RS256", &token])
        .usage();
}

#[test]
fn verify_with_key_sets() {
    let dir = Dir::new("jwks");
    let now = now_flag();
    let a = dir.keygen("a.jwk", &["ES256", "--kid", "a"]);
    let b = dir.keygen("b.jwk", &["EdDSA", "--kid", "b"]);
    let rsa = dir.fixture("rsa2048.pkcs8.pem");
    let set = dir.write(
        "jwks.json",
        dir.run(&["jwks", &a, &b, &rsa, "--alg", "PS256"]).ok(),
    );
    let ta = dir.sign(&["--key", &a], CLAIMS, &[]);
    let tb = dir.sign(&["--key", &b], CLAIMS, &[]);
    let unknown = dir.sign(&["--key", &a, "--kid", "unknown"], CLAIMS, &[]);
    let tr_nokid = dir.sign(&["--key", &rsa, "--alg", "PS256"], CLAIMS, &[]);
    for flag in ["--jwks", "--key"] {
        for (token, alg) in [(&ta, "ES256"), (&tb, "EdDSA"), (&tr_nokid, "PS256")] {
            let out = dir
                .run(&["verify", flag, &set, "--aud", "api", "--now", &now, token])
                .json();
            assert_eq!(out["header"]["alg"], alg);
        }
        // A kid the set does not have (and no key without a kid for ES256).
        let _ = dir
            .run(&[
                "verify", flag, &set, "--aud", "api", "--now", &now, &unknown,
            ])
            .rejected("key_not_found");
    }
    // A token from a key outside the set, with a kid the set has: a forgery.
    let evil = dir.keygen("evil.jwk", &["ES256", "--kid", "a"]);
    let te = dir.sign(&["--key", &evil], CLAIMS, &[]);
    let _ = dir
        .run(&["verify", "--jwks", &set, "--aud", "api", "--now", &now, &te])
        .rejected("invalid_signature");

    // Keys without alg: --alg binds them; without it an RSA-only set is unusable.
    let public_rsa: Value = dir.run(&["pub", &rsa, "--alg", "RS256"]).json();
    let mut jwk = public_rsa.as_object().expect("object").clone();
    let _ = jwk.remove("alg");
    let bare = dir.write("bare.json", json!({"keys": [jwk]}).to_string());
    let t256 = dir.sign(&["--key", &rsa, "--alg", "RS256"], CLAIMS, &[]);
    let _ = dir
        .run(&[
            "verify", "--jwks", &bare, "--alg", "RS256", "--aud", "api", "--now", &now, &t256,
        ])
        .json();
    let line = dir
        .run(&[
            "verify", "--jwks", &bare, "--aud", "api", "--now", &now, &t256,
        ])
        .rejected("key_not_found")
        .to_owned();
    assert!(
        line.contains("bare.json") && line.contains("--alg"),
        "{line}"
    );
    // A JWKS entry that is not for signatures is skipped with a warning.
    let mut enc = jwk.clone();
    let _ = enc.insert("use".into(), json!("enc"));
    let _ = enc.insert("kid".into(), json!("e"));
    let mixed = dir.write(
        "mixed.json",
        json!({"keys": [enc, dir.run(&["pub", &a]).json()]}).to_string(),
    );
    let out = dir.run(&[
        "verify", "--jwks", &mixed, "--aud", "api", "--now", &now, &ta,
    ]);
    assert_eq!(out.json()["header"]["kid"], "a");
    assert!(out.stderr.contains("skipped key \"e\""), "{out:#?}");
    // Duplicate kids: refused.
    let dup = dir.write(
        "dup.json",
        json!({"keys": [dir.run(&["pub", &a]).json(), dir.run(&["pub", &a]).json()]}).to_string(),
    );
    let _ = dir
        .run(&["verify", "--jwks", &dup, "--aud", "api", "--now", &now, &ta])
        .rejected("ambiguous_key_set");
}

// ---- decode ---------------------------------------------------------------------------------

#[test]
fn decode_is_marked_unverified() {
    let (dir, _public, token) = verify_setup("decode");
    let out = dir.run(&["decode", &forge_signature(&token)]);
    let value = out.json();
    assert_eq!(value["verified"], false);
    assert_eq!(value["header"]["typ"], "at+jwt");
    assert_eq!(value["claims"]["sub"], "user-42");
    assert!(out.stderr.starts_with("warning: NOT VERIFIED"), "{out:#?}");
    let _ = dir.run(&["decode", "x.y"]).rejected("malformed_token");
    let dup = format!(
        "{}.{}.c2ln",
        b64url(br#"{"alg":"HS256"}"#),
        b64url(br#"{"a":1,"a":2}"#)
    );
    let _ = dir.run(&["decode", &dup]).rejected("duplicate_member");
    let _ = dir.run(&["decode", "a.b.c", "d"]).usage();
}

// ---- opaque tokens --------------------------------------------------------------------------

#[test]
fn opaque_tokens() {
    let dir = Dir::new("opaque");
    for kind in ["ac", "rt", "ak", "at"] {
        let token = dir.run(&["token", "new", "--kind", kind]).ok().to_owned();
        assert!(token.starts_with(&format!("tes_{kind}_")), "{token}");
        assert_eq!(token.len(), 3 + 1 + 2 + 1 + 43 + 6);
        assert_eq!(dir.run(&["token", "check", &token]).ok(), kind);
        assert_eq!(
            dir.run(&["token", "check", &token, "--kind", kind]).ok(),
            kind
        );
        assert_eq!(
            dir.run_stdin(&["token", "check"], &format!("{token}\n"))
                .ok(),
            kind
        );
        assert_eq!(
            dir.run_stdin(&["token", "check", "-", "--kind", kind], &token)
                .ok(),
            kind
        );
    }
    let key = dir
        .run(&["token", "new", "--kind", "ak", "--prefix", "acme2"])
        .ok()
        .to_owned();
    assert!(key.starts_with("acme2_ak_"));
    assert_eq!(
        dir.run(&["token", "check", &key, "--prefix", "acme2"]).ok(),
        "ak"
    );
    // Wrong prefix, wrong kind, a typo (checksum), truncation.
    let _ = dir
        .run(&["token", "check", &key])
        .rejected("malformed_opaque_token");
    let line = dir
        .run(&["token", "check", &key, "--prefix", "acme2", "--kind", "rt"])
        .rejected("wrong_token_kind")
        .to_owned();
    assert_strict_error_line(&line);
    let mut typo: Vec<u8> = key.bytes().collect();
    let i = typo.len() - 10;
    typo[i] = if typo[i] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).expect("ASCII");
    let _ = dir
        .run(&["token", "check", &typo, "--prefix", "acme2"])
        .rejected("token_checksum");
    let _ = dir
        .run(&["token", "check", &key[..key.len() - 1], "--prefix", "acme2"])
        .rejected("malformed_opaque_token");
    // Usage: bad kind, bad prefix, missing --kind.
    let _ = dir.run(&["token", "new", "--kind", "xx"]).usage();
    let _ = dir
        .run(&["token", "new", "--kind", "ac", "--prefix", "Bad"])
        .usage();
    let _ = dir
        .run(&["token", "new", "--kind", "ac", "--prefix", "1abc"])
        .usage();
    let _ = dir.run(&["token", "new"]).usage();
    let _ = dir.run(&["token", "check", &key, "--kind", "zz"]).usage();
    assert_eq!(dir.run(&["token"]).code, 2, "token without a subcommand");
    let _ = dir.run(&["token", "revoke"]).usage();
}

// ---- PKCE -----------------------------------------------------------------------------------

#[test]
fn pkce() {
    let dir = Dir::new("pkce");
    // RFC 7636 Appendix B.
    let out = dir
        .run(&["pkce", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"])
        .json();
    assert_eq!(
        out,
        json!({
            "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        })
    );
    // A new verifier: 43 characters, and its challenge is the S256 of it.
    let fresh = dir.run(&["pkce"]).json();
    let verifier = fresh["code_verifier"].as_str().expect("verifier");
    assert_eq!(verifier.len(), 43);
    assert_eq!(fresh["code_challenge_method"], "S256");
    // `--`: a verifier may start with `-` (1 in 64), which would otherwise read as a flag.
    assert_eq!(dir.run(&["pkce", "--", verifier]).json(), fresh);
    let dash = format!("-{}", &verifier[1..]);
    assert_eq!(
        dir.run(&["pkce", "--", &dash]).json()["code_verifier"],
        dash.as_str()
    );
    assert_ne!(dir.run(&["pkce"]).json(), fresh);
    // Grammar: too short, bad character.
    let _ = dir.run(&["pkce", "short"]).rejected("invalid_pkce");
    let _ = dir
        .run(&["pkce", &format!("{}!", "a".repeat(50))])
        .rejected("invalid_pkce");
    let _ = dir.run(&["pkce", "a", "b"]).usage();
}

// ---- scopes ---------------------------------------------------------------------------------

#[test]
fn scope_check() {
    let dir = Dir::new("scope");
    let check = |args: &[&str]| {
        let mut full = vec!["scope", "check"];
        full.extend_from_slice(args);
        dir.run(&full)
    };
    // Covered: prints the requested set normalised (sorted, deduplicated).
    assert_eq!(
        check(&["--granted", "b a c", "--requested", "c a c"]).ok(),
        "a c"
    );
    assert_eq!(check(&["--granted", "a", "--requested", ""]).ok(), "");
    // Not covered: exit 1 naming the scope.
    let line = check(&["--granted", "job:write", "--requested", "job:read"])
        .rejected("scope_not_granted")
        .to_owned();
    assert_strict_error_line(&line);
    assert!(line.contains("'job:read'"), "{line}");
    // Rules, transitive.
    assert_eq!(
        check(&[
            "--granted",
            "job:admin",
            "--requested",
            "job:read",
            "--implies",
            "job:admin=>job:write",
            "--implies",
            "job:write=>job:read",
        ])
        .ok(),
        "job:read"
    );
    // Wildcards only with --wildcards.
    let _ = check(&["--granted", "job:*", "--requested", "job:read"]).rejected("scope_not_granted");
    assert_eq!(
        check(&[
            "--granted",
            "job:*",
            "--requested",
            "job:read job:delete",
            "--wildcards"
        ])
        .ok(),
        "job:delete job:read"
    );
    let _ = check(&[
        "--granted",
        "job:*",
        "--requested",
        "rec:read",
        "--wildcards",
    ])
    .rejected("scope_not_granted");
    // Superscopes: --implies "all=>*" or --superscope all.
    for flags in [["--implies", "all=>*"], ["--superscope", "all"]] {
        let mut args = vec!["--granted", "all", "--requested", "anything:at-all x"];
        args.extend_from_slice(&flags);
        assert_eq!(check(&args).ok(), "anything:at-all x");
    }
    // Grammar errors in the scopes checked: exit 1.
    let _ = check(&["--granted", "a  b", "--requested", "a"]).rejected("invalid_scope");
    let _ = check(&["--granted", "a", "--requested", "\"quoted\""]).rejected("invalid_scope");
    // Usage: malformed rules, missing flags.
    let _ = check(&["--granted", "a", "--requested", "a", "--implies", "a->b"]).usage();
    let _ = check(&["--granted", "a", "--requested", "a", "--implies", "a b=>c"]).usage();
    let _ = check(&["--granted", "a", "--requested", "a", "--superscope", ""]).usage();
    let _ = check(&["--granted", "a"]).usage();
    let _ = check(&["--requested", "a"]).usage();
}

// ---- bench, help, usage ---------------------------------------------------------------------

#[test]
fn bench_runs_briefly() {
    let dir = Dir::new("bench");
    let out = dir.run(&[
        "bench",
        "--seconds",
        "0.02",
        "--alg",
        "HS256",
        "--alg",
        "ES256",
        "--alg",
        "RS256",
    ]);
    let text = out.ok();
    assert!(text.contains("ns/op") && text.contains("ops/s"), "{text}");
    for alg in ["HS256", "ES256", "RS256"] {
        let row = text
            .lines()
            .find(|l| l.starts_with(alg))
            .unwrap_or_else(|| panic!("no {alg} row: {text}"));
        assert_eq!(row.split_whitespace().count(), 4, "{row}");
    }
    assert!(out.stderr.contains("bench: [1/3] HS256"), "{out:#?}");
    assert!(
        text.contains(&format!("on {}, ", tessera::backend())),
        "{text}"
    );
    // Every default algorithm (ES512 and ES256K when the backend has them).
    let out = dir.run(&["bench", "--seconds", "0.01"]);
    for alg in [
        "HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "ES384", "EdDSA",
    ] {
        assert!(out.ok().lines().any(|l| l.starts_with(alg)), "{out:#?}");
    }
    for alg in ["ES512 ", "ES256K "] {
        assert_eq!(
            out.ok().lines().any(|l| l.starts_with(alg)),
            aws_lc(),
            "{out:#?}"
        );
    }
    let _ = dir.run(&["bench", "--seconds", "0"]).usage();
    let _ = dir.run(&["bench", "--seconds", "-1"]).usage();
    let _ = dir.run(&["bench", "--seconds", "lots"]).usage();
}

#[test]
fn help_version_and_usage_errors() {
    let dir = Dir::new("help");
    let help = dir.run(&["--help"]);
    for verb in [
        "keygen",
        "pub",
        "jwks",
        "thumbprint",
        "sign",
        "verify",
        "decode",
        "token",
        "pkce",
        "scope",
        "dpop",
        "demo",
        "bench",
    ] {
        assert!(help.ok().contains(verb), "{verb}: {help:#?}");
    }
    assert!(
        dir.run(&["verify", "--help"])
            .ok()
            .contains("--secret-file")
    );
    // The version names the backend: `tessera 0.1.0 (aws-lc-rs 1.19.0)`.
    let version = format!(
        "tessera {} ({})",
        env!("CARGO_PKG_VERSION"),
        tessera::backend()
    );
    assert_eq!(dir.run(&["--version"]).ok(), version);
    assert_eq!(dir.run(&["-V"]).ok(), version);
    // keygen's help names the algorithms aws-lc adds.
    let help = dir.run(&["keygen", "--help"]).ok().to_owned();
    for word in ["ES512", "ES256K", "aws-lc", "--bits", "PS512"] {
        assert!(help.contains(word), "{word}: {help}");
    }
    let help = dir.run(&["--help"]).ok().to_owned();
    assert!(
        help.contains("ES512 (P-521) and ES256K (secp256k1)"),
        "{help}"
    );
    // No verb, an unknown verb, an unknown flag: exit 2.
    let none = dir.run(&[]);
    assert_eq!(none.code, 2, "{none:#?}");
    assert!(none.stderr.contains("Usage"), "{none:#?}");
    let _ = dir.run(&["frobnicate"]).usage();
    let _ = dir.run(&["--frobnicate"]).usage();
    let err = dir.run(&["pkce", "--nope"]).usage().to_owned();
    assert!(err.contains("--nope"), "{err}");
}

// ---- demo -----------------------------------------------------------------------------------

#[test]
fn demo_tells_the_whole_story() {
    let dir = Dir::new("demo");
    let out = dir.run(&["demo"]);
    let text = out.ok().to_owned();
    assert_eq!(out.stderr, "", "{out:#?}");
    // Every step, in order.
    let mut from = 0;
    for marker in [
        "1. The authorization server starts",
        "2. Two clients register",
        "3. user-42 signs in to media-app: an authorization request with PKCE",
        "code_challenge_method=S256",
        "302 Found  Location: https://app.example/callback?code=tes_ac_",
        "4. media-app exchanges the code",
        "grant_type=authorization_code",
        r#""token_type":"Bearer""#,
        r#""typ":"at+jwt""#,
        "5. media-app calls the API",
        r#"200 OK  {"client_id":"media-app","scope":"job:read recording:read","sub":"user-42"}"#,
        "403 Forbidden",
        "6. Four minutes later media-app refreshes",
        "rt#1 consumed, rt#2 active",
        "7. Someone replays the OLD refresh token",
        "REVOKED (refresh_reuse)",
        r#"400 Bad Request  {"error":"invalid_grant""#,
        "the token was revoked",
        r#"{"active":false}"#,
        "8. render-farm gets a token of its own: client credentials",
        "grant_type=client_credentials",
        r#"401 Unauthorized  {"error":"invalid_client""#,
        "9. render-farm starts a transcoding task",
        r#""typ":"engine+jwt""#,
        "header typ is not the expected type",
        "its own verifier (typ engine+jwt) accepts it",
        "oauth_invalid_scope",
        "10. An organisation creates an API key",
        "the key, shown once: tes_ak_",
        r#"200 OK  {"owner":"acme-studios","scope":"job:read"}"#,
        "checksum does not match",
        "done:",
    ] {
        let at = text[from..]
            .find(marker)
            .unwrap_or_else(|| panic!("{marker:?} missing (or out of order) in:\n{text}"));
        from += at + marker.len();
    }
    // Long tokens are shortened unless --full.
    assert!(text.contains("…"));
    let full = dir.run(&["demo", "--full"]);
    let full_text = full.ok();
    let at = full_text
        .find(r#""access_token":""#)
        .expect("a token response")
        + 16;
    let token: String = full_text[at..].chars().take_while(|&c| c != '"').collect();
    assert_eq!(token.split('.').count(), 3, "{token}");
    assert!(token.len() > 200, "{token}");
    // Fixed clock and fixed steps: the same shape every run.
    let again = dir.run(&["demo"]);
    assert_eq!(again.ok().lines().count(), text.lines().count());
    let _ = dir.run(&["demo", "--fast"]).usage();
}

/// Issue 14 §3: `exp`, `nbf` and `iat` are NumericDates from 0 to 253402300799
/// (9999-12-31T23:59:59Z); a millisecond timestamp, `1e300` or a negative date is a mistyped
/// claim (exit 1, `invalid_claim_type`, the claim named), whatever the clock says.
#[test]
fn verify_refuses_dates_outside_the_numericdate_range() {
    let dir = Dir::new("numericdate");
    let key = dir.keygen("k.jwk", &["ES256"]);
    let public = dir.write("pub.jwk", dir.run(&["pub", &key]).ok());
    let now = now_flag();
    let verify = |claims: &str| {
        let token = dir.sign(&["--key", &key], claims, &[]);
        dir.run(&[
            "verify",
            "--key",
            &public,
            "--any-aud",
            "--now",
            &now,
            &token,
        ])
    };
    let far = NOW + 1000;
    for value in [
        "253402300800",
        "1800000000000",
        "100000000000000000000000000",
        "1e300",
        "-1",
    ] {
        for (name, claims) in [
            ("exp", format!(r#"{{"exp":{value}}}"#)),
            ("nbf", format!(r#"{{"exp":{far},"nbf":{value}}}"#)),
            ("iat", format!(r#"{{"exp":{far},"iat":{value}}}"#)),
        ] {
            let out = verify(&claims);
            let line = out.rejected("invalid_claim_type");
            assert!(line.contains(&format!("\"{name}\"")), "{claims}: {line}");
            assert_strict_error_line(line);
        }
    }
    // The edges: the last second is a date, and fractions are allowed.
    assert_eq!(
        verify(r#"{"exp":253402300799}"#).json()["claims"]["exp"],
        253_402_300_799_i64
    );
    let _ = verify(&format!(r#"{{"exp":{far}.5,"iat":{NOW}.25,"nbf":0}}"#)).json();
    let _ = verify(r#"{"exp":0}"#).rejected("expired");
}

/// The implicit flow, an M2M `.default` URI scope and a platform's token API are in the demo,
/// each through the library, in order after step 10, and the demo still exits 0.
#[test]
fn demo_shows_implicit_dot_default_and_token_api() {
    let dir = Dir::new("demo-more");
    let out = dir.run(&["demo"]);
    let text = out.ok();
    assert_eq!(out.stderr, "", "{out:#?}");
    let from = text
        .find("10. An organisation creates an API key")
        .expect("step 10");
    let mut at = from;
    for marker in [
        // The implicit flow: the token in the fragment, no refresh token, RFC 9700's warning.
        "11. A legacy single-page app signs user-42 in with the implicit flow (deprecated)",
        r#""grant_types":["implicit"]"#,
        "RFC 9700 §2.1.2: the implicit grant SHOULD NOT be used",
        "GET /authorize?response_type=token&client_id=legacy-spa",
        "302 Found  Location: https://spa.example/#access_token=eyJ",
        "&token_type=Bearer&expires_in=300&scope=recording%3Aread&state=",
        "no refresh_token (RFC 6749 §4.2.2)",
        r#"200 OK  {"client_id":"legacy-spa","scope":"recording:read","sub":"user-42"}"#,
        "302 Found  Location: https://app.example/callback#error=unauthorized_client",
        // An M2M client and a .default URI scope.
        "12. report-daemon asks for a .default URI scope: client credentials",
        r#""allowed_scope":"https://api.example.com/.default""#,
        "grant_type=client_credentials&scope=https%3A%2F%2Fapi.example.com%2F.default",
        r#""token_type":"Bearer","expires_in":300,"scope":"https://api.example.com/.default"}"#,
        r#""scope":"https://api.example.com/.default","sub":"report-daemon"}"#,
        r#"200 OK  {"client_id":"report-daemon","scope":"https://api.example.com/.default""#,
        // A platform's token API: mint with scope and TTL, use, DELETE, refused.
        "13. acme-studios mints a CI token on the platform, then deletes it",
        r#"POST /api/tokens  {"name":"ci-deploy","scope":"job:write job:read","ttl":3600}"#,
        "a new opaque access token (kind at); stores only its lookup hash p1:",
        r#"201 Created  {"expires_at":1800003950,"id":"tok_7Hq2","scope":"job:read job:write","token":"tes_at_"#,
        r#"200 OK  {"owner":"acme-studios","scope":"job:read job:write"}"#,
        "DELETE /api/tokens/tok_7Hq2",
        "204 No Content\n",
        r#"401 Unauthorized  {"error":"invalid_token","error_description":"unknown or revoked token"}"#,
        "done:",
    ] {
        let found = text[at..]
            .find(marker)
            .unwrap_or_else(|| panic!("{marker:?} missing (or out of order) in:\n{text}"));
        at += found + marker.len();
    }
    // No refresh token anywhere in the implicit step.
    let implicit = &text[text.find("── 11.").expect("11")..text.find("── 12.").expect("12")];
    assert!(!implicit.contains("refresh_token="), "{implicit}");
    assert!(!implicit.contains("tes_rt_"), "{implicit}");
}

/// The demo names its backend, and step 14 adds an ES512 key: with aws-lc a token signed with
/// it verifies at the API; with ring the step shows the library's refusal.
#[test]
fn demo_names_its_backend_and_shows_es512() {
    let dir = Dir::new("demo-backend");
    let out = dir.run(&["demo"]);
    let text = out.ok();
    let backend = tessera::backend().to_string();
    assert!(
        text.lines()
            .take(4)
            .any(|l| l
                == format!("  cryptography: {backend} (the backend this tessera was built with)")),
        "{text}"
    );
    let from = text.find("── 13.").expect("step 13");
    let markers: &[&str] = if aws_lc() {
        &[
            "14. The AS adds an ES512 (P-521) signing key to its JWKS (t+960s)",
            "a new ES512 key on aws-lc-rs ",
            r#""alg":"ES512","crv":"P-521","kid":"demo-2027-01-p521""#,
            r#"header {"alg":"ES512","kid":"demo-2027-01-p521","typ":"at+jwt"}, a 132-byte signature"#,
            "GET /recordings   Authorization: Bearer eyJhbGciOiJFUzUxMi",
            r#"200 OK  {"client_id":"media-app","scope":"recording:read","sub":"user-42"}"#,
            "the key decides the algorithm (ES512)",
            "done:",
        ]
    } else {
        &[
            "14. The AS adds an ES512 (P-521) signing key to its JWKS (t+960s)",
            "on ring 0.17.14, a new ES512 key is refused: unsupported_algorithm: ",
            "--features cli,aws-lc -- demo",
            "done:",
        ]
    };
    let mut at = from;
    for marker in markers {
        let found = text[at..]
            .find(marker)
            .unwrap_or_else(|| panic!("{marker:?} missing (or out of order) in:\n{text}"));
        at += found + marker.len();
    }
}

/// Step 15 of the demo: a DPoP proof validated at the token endpoint, its replay refused, a
/// proof with `ath` accepted at the API for a token bound with `cnf.jkt`, and the same token
/// refused as a Bearer token.
#[test]
fn demo_shows_dpop() {
    let dir = Dir::new("demo-dpop");
    let out = dir.run(&["demo"]);
    let text = out.ok();
    assert_eq!(out.stderr, "", "{out:#?}");
    let from = text.find("── 14.").expect("step 14");
    let mut at = from;
    for marker in [
        "15. render-farm binds its access token to a key of its own: DPoP (RFC 9449) (t+1000s)",
        "its RFC 7638 thumbprint (jkt) is ",
        "POST /token   Authorization: Basic ",
        "DPoP: eyJ",
        r#"proof header {"alg":"ES256","jwk":{"crv":"P-256","kty":"EC""#,
        r#""typ":"dpop+jwt"}"#,
        r#"proof claims {"htm":"POST","htu":"https://auth.example/token","iat":1800001000,"jti":""#,
        "validates the proof (RFC 9449 §4.3",
        "records jti ",
        r#""token_type":"DPoP""#,
        r#""cnf":{"jkt":""#,
        "its jti was seen: dpop_replay",
        r#"400 Bad Request  {"error":"invalid_dpop_proof""#,
        "GET /recordings   Authorization: DPoP eyJ",
        r#"proof claims {"ath":""#,
        r#"200 OK  {"client_id":"render-farm","scope":"recording:read","sub":"render-farm"}"#,
        "GET /recordings   Authorization: Bearer eyJ",
        "dpop_bound_token",
        r#"401 Unauthorized  {"error":"invalid_token""#,
        "done:",
    ] {
        let found = text[at..]
            .find(marker)
            .unwrap_or_else(|| panic!("{marker:?} missing (or out of order) in:\n{text}"));
        at += found + marker.len();
    }
    // One key throughout: the jkt the client computed is the proof's and the token's cnf.
    let step = &text[text.find("── 15.").expect("15")..];
    let jkt_at = step.find("(jkt) is ").expect("jkt") + 9;
    let jkt: String = step[jkt_at..].chars().take(43).collect();
    assert_eq!(step.matches(jkt.as_str()).count(), 3, "{step}");
}
