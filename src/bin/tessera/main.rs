//! # `tessera`: the command-line face of the tessera token engine
//!
//! Built with the `cli` feature: `cargo run --release --features cli -- demo` (on `ring`), or
//! `--features cli,aws-lc` for the aws-lc backend, which adds ES512, ES256K and RSA key
//! generation. `tessera --version` names the backend: `tessera 0.1.0 (aws-lc-rs 1.19.0)`.
//!
//! ```text
//! tessera keygen ALG [--kid KID] [--format jwk|pem]      a new private key (ES256 ES384 EdDSA Ed25519 HS256 HS384 HS512;
//!                [--bits BITS]                           with aws-lc also ES512 ES256K, and RSA: 2048 bits or BITS)
//! tessera pub KEYFILE [--alg ALG]                        its public JWK
//! tessera jwks KEYFILE... [--alg ALG]                    a public JWKS document
//! tessera thumbprint KEYFILE [--alg ALG]                 the RFC 7638 thumbprint
//! tessera sign (--key KEYFILE | --secret-file FILE) [--alg ALG] [--kid KID] [--typ TYP]
//!              [--claims JSON] [--iss S] [--sub S] [--aud S]... [--scope S]
//!              [--exp-in SECONDS] [--now UNIX]           a compact JWS
//! tessera verify (--key KEYFILE | --jwks FILE | --secret-file FILE) [--alg ALG]
//!              [--iss S]... [--aud S]... [--any-aud] [--sub S] [--typ T] [--leeway SECONDS]
//!              [--max-age SECONDS] [--require CLAIM]... [--now UNIX] [TOKEN | -]
//! tessera decode [TOKEN | -]                             header and claims, NOT verified
//! tessera token new --kind ac|rt|ak|at [--prefix P]      a new opaque token
//! tessera token check [TOKEN | -] [--kind K] [--prefix P]
//! tessera pkce [VERIFIER]                                a verifier and its S256 challenge
//! tessera scope check --granted S --requested S [--implies A=>B]... [--wildcards] [--superscope S]...
//! tessera dpop proof --key KEYFILE [--alg ALG] --htm METHOD --htu URL [--ath TOKEN]
//!              [--nonce N] [--now UNIX]          a DPoP proof (RFC 9449) for one request
//! tessera dpop check [PROOF | -] --htm METHOD --htu URL [--token TOKEN] [--now UNIX]
//!                                                        validate a proof; print its key's jkt
//! tessera demo [--full]                                 the OAuth 2.0 story, in memory, step by step
//! tessera bench [--seconds N] [--alg ALG]...             verification throughput per algorithm
//! ```
//!
//! ## Conventions
//!
//! - **Output**: results on stdout (JSON pretty-printed, tokens and codes as one line); warnings
//!   and progress on stderr.
//! - **Errors**: one line on stderr, `error: <code>: <message>`, where `<code>` is the library's
//!   stable [`tessera::ErrorKind::name`] (`expired`, `invalid_signature`, `invalid_key`, ...) for
//!   a refusal, `usage` for a command-line mistake and `io` for a file that cannot be read.
//!   Files are named in the message: `error: invalid_key: key.pem: invalid key material: ...`.
//! - **Exit codes**: 0 success; 1 tessera refused the input (a token, key, claims set, scope or
//!   opaque token); 2 usage (unknown flag, missing or conflicting arguments, a flag value that
//!   does not parse, an algorithm nothing decides, an unreadable or missing file).
//! - **Backends**: an algorithm name this build lacks (ES512, ES256K with ring; ML-DSA without
//!   the `ml-dsa` feature) is a usage error like an unknown one (exit 2); a key or token of
//!   such an algorithm is refused (exit 1: `unsupported_key`, `unsupported_algorithm`);
//!   `keygen` of an RSA algorithm with ring is `unsupported` (exit 1).
//! - **Keys** are recognised by content: JWKS, JWK, PEM (PKCS#8, PKCS#1, SEC1, SPKI, X.509
//!   certificate — its public key, no certificate validation) or DER. The algorithm comes from
//!   `--alg` or the key (JWK `alg`, EC curve, Ed25519), never from the token; an RSA key without
//!   `--alg` is a usage error. `--key` with a JWKS verifies against the set; commands that need
//!   one key accept a JWKS only if it holds exactly one.
//! - **Secrets**: `--secret-file` holds the raw HMAC secret bytes, used exactly (a trailing
//!   newline is part of the secret); the algorithm is HS256 unless `--alg` says HS384/HS512.
//! - **Time**: `--now` (Unix seconds) defaults to the system clock; only this tool reads the
//!   clock, the library is always told the time.
//! - **Tokens** for `verify`, `decode` and `token check` (and the proof of `dpop check`) come
//!   from the argument, or from stdin when it is `-` or absent, with surrounding whitespace
//!   trimmed. An empty token argument (`""`) is a malformed token (exit 1); stdin that holds
//!   nothing but white space is "no token given" (usage, exit 2).
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    unused_results,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod bench;
mod demo;
mod dpop_cmd;
mod fail;
mod inout;
mod jwt_cmd;
mod keys;
mod misc_cmd;

use std::io::Write;
use std::process::ExitCode;
use std::sync::LazyLock;

use clap::{Parser, Subcommand};

use crate::fail::{EXIT_USAGE, Failure};

/// The conventions, shown by `tessera --help`.
const AFTER_LONG_HELP: &str = "\
Key files are recognised by content: a JWKS (JSON with \"keys\"), a JWK, PEM (PKCS#8, PKCS#1, \
SEC1, SPKI, or an X.509 certificate, whose public key is used without any certificate \
validation) or DER. The algorithm comes from --alg or the key (a JWK's alg, the EC curve, \
Ed25519), never from the token; an RSA key needs --alg. --secret-file holds raw HMAC secret \
bytes, used exactly (a trailing newline counts), HS256 unless --alg says otherwise.

Tokens for verify, decode and token check, and the proof of dpop check, come from the \
argument, or from stdin when it is `-` or absent. An empty token argument (\"\") is a malformed token (exit 1); stdin that holds \
nothing but white space is a usage error. --now (Unix seconds) defaults to the system clock.

Algorithms: HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 EdDSA Ed25519, \
and with the aws-lc backend ES512 (P-521) and ES256K (secp256k1); aws-lc also generates RSA \
keys (keygen RS256 [--bits 3072]), and with the ml-dsa feature does ML-DSA-44/65/87. `tessera \
--version` names the backend of this build; build with `--features cli,aws-lc` for aws-lc. \
Names this build lacks are usage errors.

Output: results on stdout; warnings and progress on stderr. Errors are one line on stderr, \
`error: <code>: <message>`, <code> being the library's stable error name (expired, \
invalid_signature, invalid_key, ...), `usage` or `io`.

Exit codes: 0 success; 1 rejected by tessera (a token, key, claims, scope or opaque token); \
2 usage (unknown flag, missing or conflicting arguments, a value that does not parse, an \
algorithm nothing decides, a file that cannot be read).";

/// `tessera --version` (after the name): the tool's version and the cryptographic backend it
/// was built with, `0.1.0 (aws-lc-rs 1.19.0)`.
fn version() -> &'static str {
    static VERSION: LazyLock<String> =
        LazyLock::new(|| format!("{} ({})", env!("CARGO_PKG_VERSION"), tessera::backend()));
    VERSION.as_str()
}

/// The command line.
#[derive(Parser, Debug)]
#[command(
    name = "tessera",
    version = version(),
    about = "JWT keys, signing and verification, opaque tokens, PKCE and scopes: the tessera token engine on the command line",
    after_help = "Errors are one line on stderr, `error: <code>: <message>`. \
                  Exit codes: 0 success, 1 rejected (token, key, scope, ...), 2 usage.",
    after_long_help = AFTER_LONG_HELP
)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The verbs.
#[derive(Subcommand, Debug)]
enum Command {
    /// Generate a private key (JWK by default) on stdout.
    Keygen(jwt_cmd::KeygenArgs),
    /// Print the public JWK of a key.
    Pub(jwt_cmd::KeyFileArgs),
    /// Print a public JWKS document for one or more keys.
    Jwks(jwt_cmd::JwksArgs),
    /// Print the RFC 7638 JWK thumbprint (SHA-256, base64url) of a key.
    Thumbprint(jwt_cmd::KeyFileArgs),
    /// Sign a JWT and print it.
    Sign(jwt_cmd::SignArgs),
    /// Verify a JWT; print {"header", "claims"} or one error line (exit 1).
    Verify(jwt_cmd::VerifyArgs),
    /// Decode a JWT WITHOUT verifying it (debugging only).
    Decode(jwt_cmd::DecodeArgs),
    /// Opaque tokens: authorization codes, refresh tokens, API keys, access tokens.
    #[command(subcommand)]
    Token(misc_cmd::TokenCommand),
    /// A PKCE code verifier (new, or the one given) and its S256 challenge.
    Pkce(misc_cmd::PkceArgs),
    /// Scope checks.
    #[command(subcommand)]
    Scope(misc_cmd::ScopeCommand),
    /// DPoP proofs (RFC 9449): make one for a request, or check one and print its key's jkt.
    #[command(subcommand)]
    Dpop(dpop_cmd::DpopCommand),
    /// Run the whole OAuth 2.0 story in memory, step by step.
    ///
    /// Authorize with PKCE, code exchange, API call, refresh rotation, replay detection and
    /// family revocation, client credentials, a task-scoped engine token, an API key, the
    /// (deprecated) implicit flow, an M2M client with a `.default` URI scope, a platform's
    /// token API minting a scoped token with a TTL and deleting it, an ES512 signing key
    /// (with the aws-lc backend; with ring, the demo shows the refusal), and a DPoP-bound
    /// access token (a proof, a refused replay, the API refusing it as a Bearer token).
    Demo(demo::DemoArgs),
    /// Measure verification throughput per algorithm on this machine.
    Bench(bench::BenchArgs),
}

/// Runs one verb.
fn run(cli: &Cli) -> Result<(), Failure> {
    match &cli.command {
        Command::Keygen(args) => jwt_cmd::keygen(args),
        Command::Pub(args) => jwt_cmd::public(args),
        Command::Jwks(args) => jwt_cmd::jwks(args),
        Command::Thumbprint(args) => jwt_cmd::thumbprint(args),
        Command::Sign(args) => jwt_cmd::sign(args),
        Command::Verify(args) => jwt_cmd::verify(args),
        Command::Decode(args) => jwt_cmd::decode(args),
        Command::Token(cmd) => misc_cmd::token(cmd),
        Command::Pkce(args) => misc_cmd::pkce(args),
        Command::Scope(cmd) => misc_cmd::scope(cmd),
        Command::Dpop(cmd) => dpop_cmd::dpop(cmd),
        Command::Demo(args) => demo::demo(args),
        Command::Bench(args) => bench::bench(args),
    }
}

/// Reports a command-line error from clap: help and version go to stdout with exit 0; anything
/// else is `error: usage: ...` (clap's message, usage line and hint) with exit 2.
fn clap_failure(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    match err.kind() {
        K::DisplayHelp | K::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        K::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = write!(std::io::stderr(), "{}", err.render());
            ExitCode::from(EXIT_USAGE)
        }
        _ => {
            let text = err.render().to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            let _ = write!(std::io::stderr(), "error: usage: {text}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return clap_failure(&err),
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.is_quiet() {
                let _ = writeln!(std::io::stderr(), "{failure}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
