//! Tests of `tessera dpop proof` and `tessera dpop check` (RFC 9449), running the built binary:
//! round trips with every kind of key file, `ath` and `nonce` in the proof, every refusal with
//! its error name and exit code, stdin, usage errors, and the RFC 9449 §4.1 example proof.
//!
//! Run with `cargo test --features cli --test cli_dpop` (or `--all-features`).
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use tessera::dpop::{ProofValidator, ath};
use tessera::jwt::Key;

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

/// A fixed clock (2027-01-15).
const NOW: i64 = 1_800_000_000;
const TOKEN_URL: &str = "https://as.example/token";

// ---- harness --------------------------------------------------------------------------------

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Asserts exit 0 and an empty stderr; returns stdout without its final newline.
    fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        assert_eq!(self.stderr, "", "{self:#?}");
        self.stdout.trim_end_matches('\n')
    }

    /// Asserts exit `exit`, nothing on stdout and one line `error: <code>: <message>`; returns it.
    fn fails(&self, exit: i32, code: &str) -> &str {
        assert_eq!(self.code, exit, "exit code: {self:#?}");
        assert_eq!(self.stdout, "", "{self:#?}");
        assert_eq!(self.stderr.lines().count(), 1, "one line: {self:#?}");
        let line = self.stderr.trim_end();
        assert!(
            line.starts_with(&format!("error: {code}: ")),
            "expected `error: {code}: ...`: {self:#?}"
        );
        line
    }

    fn rejected(&self, code: &str) -> &str {
        self.fails(1, code)
    }

    /// Asserts a usage error (exit 2) starting `error: usage: ` (clap's own errors add a usage
    /// block on further lines); returns stderr.
    fn usage(&self) -> &str {
        assert_eq!(self.code, 2, "exit code: {self:#?}");
        assert_eq!(self.stdout, "", "{self:#?}");
        assert!(self.stderr.starts_with("error: usage: "), "{self:#?}");
        &self.stderr
    }
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "tessera-cli-dpop-{}-{name}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        Dir(path)
    }

    fn run_with(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut child = Command::new(BIN)
            .args(args)
            .current_dir(&self.0)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the tessera binary runs");
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin");
            pipe.write_all(input.as_bytes()).expect("write stdin");
        }
        let output = child.wait_with_output().expect("wait");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8"),
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, None)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        std::fs::write(self.0.join(name), contents).expect("write");
        name.to_owned()
    }

    fn fixture(&self, name: &str) -> String {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/keys")
            .join(name);
        let _ = std::fs::copy(from, self.0.join(name)).expect("copy fixture");
        name.to_owned()
    }

    fn keygen(&self, name: &str, alg: &str) -> String {
        let jwk = self.run(&["keygen", alg]).ok().to_owned();
        self.write(name, jwk)
    }

    /// `tessera dpop proof --key key --htm htm --htu htu --now NOW extra...`.
    fn proof(&self, key: &str, htm: &str, htu: &str, extra: &[&str]) -> String {
        let now = NOW.to_string();
        let mut args = vec![
            "dpop", "proof", "--key", key, "--htm", htm, "--htu", htu, "--now", &now,
        ];
        args.extend_from_slice(extra);
        let proof = self.run(&args).ok().to_owned();
        assert_eq!(proof.split('.').count(), 3, "{proof}");
        assert!(!proof.contains(char::is_whitespace), "{proof}");
        proof
    }

    /// `tessera dpop check proof --htm htm --htu htu --now NOW extra...`.
    fn check(&self, proof: &str, htm: &str, htu: &str, extra: &[&str]) -> Run {
        let now = NOW.to_string();
        let mut args = vec![
            "dpop", "check", proof, "--htm", htm, "--htu", htu, "--now", &now,
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The JSON of a compact JWS's part `n` (0 header, 1 claims).
fn part(jws: &str, n: usize) -> Value {
    let b64 = jws.split('.').nth(n).expect("part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(b64).expect("base64url")).expect("JSON")
}

/// `jws` with one character of part `n` changed.
fn tampered(jws: &str, n: usize) -> String {
    let mut parts: Vec<String> = jws.split('.').map(str::to_owned).collect();
    let p = &mut parts[n];
    let at = p.len() / 2;
    let c = if &p[at..=at] == "A" { "B" } else { "A" };
    p.replace_range(at..=at, c);
    parts.join(".")
}

fn rfc_examples() -> Value {
    serde_json::from_str(include_str!("data/rfc9449/examples.json")).expect("examples.json")
}

// ---- round trips ----------------------------------------------------------------------------

/// proof → check prints the key's RFC 7638 thumbprint, the same as `tessera thumbprint` and as
/// the library computes, for keys in JWK, PEM and DER and every default algorithm family.
#[test]
fn proof_then_check_prints_the_thumbprint() {
    let dir = Dir::new("roundtrip");
    let keys: Vec<(String, Vec<&str>)> = vec![
        (dir.keygen("es256.jwk", "ES256"), vec![]),
        (dir.keygen("es384.jwk", "ES384"), vec![]),
        (dir.keygen("ed.jwk", "EdDSA"), vec![]),
        (dir.fixture("p256.pkcs8.pem"), vec![]),
        (dir.fixture("p256.sec1.der"), vec![]),
        (dir.fixture("ed25519.pkcs8.pem"), vec![]),
        (dir.fixture("rsa2048.pkcs8.pem"), vec!["--alg", "PS256"]),
    ];
    for (key, alg) in &keys {
        let proof = dir.proof(key, "POST", TOKEN_URL, alg);
        let jkt = dir.check(&proof, "POST", TOKEN_URL, &[]).ok().to_owned();
        assert_eq!(jkt.len(), 43, "{key}: {jkt}");
        let mut args = vec!["thumbprint", key.as_str()];
        args.extend_from_slice(alg);
        assert_eq!(dir.run(&args).ok(), jkt, "{key}");
        // And the library agrees, from the key file and from the proof.
        let bytes = std::fs::read(dir.0.join(key)).expect("key");
        let alg = alg.get(1).map(|a| a.parse().expect("alg"));
        let loaded = if bytes.starts_with(b"{") {
            Key::from_jwk(&bytes, alg)
        } else if bytes.starts_with(b"-----") {
            Key::from_pem(&bytes, alg)
        } else {
            Key::from_der(&bytes, alg)
        }
        .expect("key loads");
        assert_eq!(loaded.thumbprint().expect("thumbprint"), jkt, "{key}");
        let checked = ProofValidator::new()
            .validate(&proof, "POST", TOKEN_URL, NOW, None)
            .expect("the library accepts the CLI's proof");
        assert_eq!(checked.jkt(), jkt);
        // The proof's shape (RFC 9449 §4.2).
        let header = part(&proof, 0);
        assert_eq!(header["typ"], "dpop+jwt", "{header}");
        assert!(header["jwk"].get("d").is_none(), "{header}");
        let claims = part(&proof, 1);
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], TOKEN_URL);
        assert_eq!(claims["iat"], NOW);
        assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
        assert!(claims.get("ath").is_none() && claims.get("nonce").is_none());
    }
}

/// `--ath TOKEN` puts the SHA-256 of the access token in `ath`; check then needs `--token`
/// with that token; `--nonce` goes into `nonce`; the query of `--htu` stays out of the proof.
#[test]
fn ath_and_nonce() {
    let dir = Dir::new("ath");
    let key = dir.keygen("k.jwk", "ES256");
    let token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    let api = "https://api.example/v1/recordings";
    let proof = dir.proof(
        &key,
        "GET",
        &format!("{api}?page=2#top"),
        &["--ath", token, "--nonce", "eyJ7S_zG.eyJH0-Z.HX4w-7v"],
    );
    let claims = part(&proof, 1);
    assert_eq!(claims["ath"], "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    assert_eq!(claims["ath"], ath(token).as_str());
    assert_eq!(claims["nonce"], "eyJ7S_zG.eyJH0-Z.HX4w-7v");
    assert_eq!(claims["htu"], api);
    let thumbprint = dir.run(&["thumbprint", &key]).ok().to_owned();
    let jkt = dir
        .check(&proof, "GET", api, &["--token", token])
        .ok()
        .to_owned();
    assert_eq!(jkt, thumbprint);
    // Without --token (a token endpoint) ath is not checked.
    assert_eq!(dir.check(&proof, "GET", api, &[]).ok(), thumbprint);
    // Another token: dpop_ath.
    let line = dir
        .check(&proof, "GET", api, &["--token", "another-token"])
        .rejected("dpop_ath")
        .to_owned();
    assert!(line.contains("ath"), "{line}");
    // Invalid nonce or empty token: usage errors naming the flag.
    let now = NOW.to_string();
    let base = [
        "dpop", "proof", "--key", &key, "--htm", "GET", "--htu", api, "--now", &now,
    ];
    let line = dir
        .run(&[&base[..], &["--nonce", "a b"]].concat())
        .usage()
        .to_owned();
    assert!(line.contains("--nonce"), "{line}");
    let line = dir
        .run(&[&base[..], &["--ath", ""]].concat())
        .usage()
        .to_owned();
    assert!(line.contains("--ath"), "{line}");
}

// ---- refusals -------------------------------------------------------------------------------

/// Every refusal exits 1 with the rule's error name.
#[test]
fn check_refusals() {
    let dir = Dir::new("refusals");
    let key = dir.keygen("k.jwk", "ES256");
    let proof = dir.proof(&key, "POST", TOKEN_URL, &[]);
    let _ = dir.check(&proof, "POST", TOKEN_URL, &[]).ok();
    // Wrong method, wrong URI (scheme and host compare case-insensitively, the path does not).
    let _ = dir
        .check(&proof, "GET", TOKEN_URL, &[])
        .rejected("dpop_method");
    let _ = dir
        .check(&proof, "post", TOKEN_URL, &[])
        .rejected("dpop_method");
    let _ = dir
        .check(&proof, "POST", "https://as.example/revoke", &[])
        .rejected("dpop_uri");
    let _ = dir
        .check(&proof, "POST", "https://other.example/token", &[])
        .rejected("dpop_uri");
    let _ = dir
        .check(&proof, "POST", "HTTPS://AS.EXAMPLE:443/token", &[])
        .ok();
    // Tampered claims or signature: dpop_signature; a tampered header: dpop_malformed or a
    // key/type error, never accepted.
    let _ = dir
        .check(&tampered(&proof, 1), "POST", TOKEN_URL, &[])
        .rejected("dpop_signature");
    let _ = dir
        .check(&tampered(&proof, 2), "POST", TOKEN_URL, &[])
        .rejected("dpop_signature");
    let run = dir.check(&tampered(&proof, 0), "POST", TOKEN_URL, &[]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stderr.starts_with("error: dpop_"), "{run:#?}");
    // An access token presented, but the proof has no ath.
    let line = dir
        .check(&proof, "POST", TOKEN_URL, &["--token", "an-access-token"])
        .rejected("dpop_ath")
        .to_owned();
    assert!(line.contains("no \"ath\""), "{line}");
    // Out of the ±60 s window.
    for now in [NOW - 61, NOW + 61] {
        let _ = dir
            .run(&[
                "dpop",
                "check",
                &proof,
                "--htm",
                "POST",
                "--htu",
                TOKEN_URL,
                "--now",
                &now.to_string(),
            ])
            .rejected("dpop_iat");
    }
    // A JWT that is not a proof, and garbage.
    let sig = dir
        .run(&[
            "sign",
            "--key",
            &key,
            "--claims",
            r#"{"jti":"a","htm":"POST","htu":"https://as.example/token"}"#,
            "--exp-in",
            "60",
            "--now",
            &NOW.to_string(),
        ])
        .ok()
        .to_owned();
    let _ = dir
        .check(&sig, "POST", TOKEN_URL, &[])
        .rejected("dpop_type");
    let _ = dir
        .check("not.a.proof", "POST", TOKEN_URL, &[])
        .rejected("dpop_malformed");
    let _ = dir
        .check("", "POST", TOKEN_URL, &[])
        .rejected("dpop_malformed");
    // The error lines are the CLI's: `error: <name>: <description>: <detail>`.
    let line = dir
        .check(&proof, "GET", TOKEN_URL, &[])
        .rejected("dpop_method")
        .to_owned();
    assert!(line.contains("htm"), "{line}");
}

/// The RFC 9449 examples, checked at their own `iat` with `--now`, print the RFC's `jkt`; at
/// any later time they are too old.
#[test]
fn rfc9449_examples() {
    let dir = Dir::new("rfc");
    let ex = rfc_examples();
    let jkt = ex["jkt"].as_str().expect("jkt");
    assert_eq!(jkt, "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
    for p in ex["proofs"].as_array().expect("proofs") {
        let proof = p["proof"].as_str().expect("proof");
        let htm = p["htm"].as_str().expect("htm");
        let htu = p["htu"].as_str().expect("htu");
        let iat = p["iat"].as_i64().expect("iat").to_string();
        let mut args = vec![
            "dpop", "check", proof, "--htm", htm, "--htu", htu, "--now", &iat,
        ];
        let token = p["access_token"].as_str();
        if let Some(token) = token {
            args.extend_from_slice(&["--token", token]);
        }
        assert_eq!(dir.run(&args).ok(), jkt, "{}", p["figure"]);
        // The system clock is years past the RFC's iat.
        let _ = dir
            .run(&["dpop", "check", proof, "--htm", htm, "--htu", htu])
            .rejected("dpop_iat");
        if token.is_some() {
            args.truncate(args.len() - 2);
            args.extend_from_slice(&["--token", "another-token"]);
            let _ = dir.run(&args).rejected("dpop_ath");
        }
    }
}

// ---- stdin, usage, keys ----------------------------------------------------------------------

#[test]
fn stdin_usage_and_keys() {
    let dir = Dir::new("usage");
    let key = dir.keygen("k.jwk", "EdDSA");
    let proof = dir.proof(&key, "PUT", "http://localhost:8080/x", &[]);
    let now = NOW.to_string();
    let check = [
        "dpop",
        "check",
        "--htm",
        "PUT",
        "--htu",
        "http://localhost:8080/x",
        "--now",
        &now,
    ];
    let thumbprint = dir.run(&["thumbprint", &key]).ok().to_owned();
    // The proof from stdin: `-` or absent, surrounding white space trimmed.
    let with_dash = [&check[..], &["-"]].concat();
    for args in [&check[..], &with_dash[..]] {
        let run = dir.run_with(args, Some(&format!("  {proof}\n")));
        assert_eq!(run.ok(), thumbprint);
    }
    let line = dir.run_with(&check, Some(" \n")).usage().to_owned();
    assert!(line.contains("no proof given"), "{line}");
    // `tessera dpop` alone shows its usage (exit 2); help exits 0 and names the subcommands.
    let run = dir.run(&["dpop"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains("Usage: tessera dpop <COMMAND>"),
        "{run:#?}"
    );
    for verb in ["proof", "check"] {
        assert!(run.stderr.contains(verb), "{run:#?}");
    }
    let help = dir.run(&["dpop", "--help"]).ok().to_owned();
    assert!(help.contains("RFC 9449"), "{help}");
    let help = dir.run(&["dpop", "proof", "--help"]).ok().to_owned();
    for flag in ["--key", "--htm", "--htu", "--ath", "--nonce", "--now"] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    let help = dir.run(&["dpop", "check", "--help"]).ok().to_owned();
    for flag in ["PROOF", "--htm", "--htu", "--token", "--now"] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    assert!(dir.run(&["--help"]).ok().contains("dpop"));
    // Missing flags, an unknown flag, bad flag values: usage (exit 2).
    let _ = dir.run(&["dpop", "check", &proof, "--htm", "PUT"]).usage();
    let _ = dir
        .run(&[
            "dpop",
            "proof",
            "--htm",
            "PUT",
            "--htu",
            "https://a.example/",
        ])
        .usage();
    let _ = dir.run(&["dpop", "check", &proof, "--nope"]).usage();
    let line = dir
        .check(&proof, "PUT", "localhost:8080/x", &[])
        .fails(2, "usage")
        .to_owned();
    assert!(line.contains("--htu"), "{line}");
    let line = dir
        .check(&proof, "P T", "http://localhost:8080/x", &[])
        .usage()
        .to_owned();
    assert!(line.contains("--htm"), "{line}");
    let line = dir
        .run(&[
            "dpop", "proof", "--key", &key, "--htm", "PUT", "--htu", "ftp://a/",
        ])
        .usage()
        .to_owned();
    assert!(line.contains("--htu"), "{line}");
    let _ = dir
        .run(&[
            "dpop",
            "proof",
            "--key",
            "missing.jwk",
            "--htm",
            "PUT",
            "--htu",
            "https://a.example/",
        ])
        .fails(2, "io");
    // A public key cannot sign; an HMAC key cannot make a proof.
    let public = dir.write("pub.jwk", dir.run(&["pub", &key]).ok());
    let line = dir
        .run(&[
            "dpop",
            "proof",
            "--key",
            &public,
            "--htm",
            "PUT",
            "--htu",
            "https://a/",
        ])
        .rejected("not_private_key")
        .to_owned();
    assert!(line.contains("pub.jwk"), "{line}");
    let hmac = dir.keygen("h.jwk", "HS256");
    let _ = dir
        .run(&[
            "dpop",
            "proof",
            "--key",
            &hmac,
            "--htm",
            "PUT",
            "--htu",
            "https://a/",
        ])
        .rejected("key_algorithm_mismatch");
    // An RSA key needs --alg.
    let rsa = dir.fixture("rsa2048.pkcs8.pem");
    let _ = dir
        .run(&[
            "dpop",
            "proof",
            "--key",
            &rsa,
            "--htm",
            "PUT",
            "--htu",
            "https://a/",
        ])
        .usage();
}
