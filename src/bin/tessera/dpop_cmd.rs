//! The DPoP verbs (RFC 9449): `dpop proof` makes a proof for one HTTP request, as a client
//! does; `dpop check` validates one, as an authorization or resource server does, and prints
//! the thumbprint of its key (`jkt`, the value a bound token's `cnf` carries).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use tessera::dpop::{ProofValidator, create_proof};
use tessera::jwt::Algorithm;
use tessera::{ErrorKind, SystemRandom};

use crate::fail::Failure;
use crate::inout::{now, out, text_arg};
use crate::jwt_cmd::parse_alg;
use crate::keys;

/// What `tessera dpop --help` adds after the subcommands.
const AFTER_HELP: &str = "\
A proof is a JWS the client signs for one request (method and URI, without query and fragment), \
with its public key in the header. `dpop check` runs every rule of RFC 9449 §4.3 with the \
default policy (ES256, ES384, EdDSA, RS*, PS* and, with aws-lc, ES512 and ES256K; iat within \
60 s of --now), prints the key's thumbprint (jkt) and exits 0, or prints one error line \
naming the rule (dpop_method, dpop_uri, dpop_iat, dpop_ath, dpop_signature, ...) and exits 1. \
It does not remember proofs: refusing a replayed jti is the server's job.";

/// `tessera dpop ...`.
#[derive(Subcommand, Debug)]
#[command(after_help = AFTER_HELP)]
pub enum DpopCommand {
    /// Make a DPoP proof for one request and print it (one line, a compact JWS).
    ///
    /// The header carries typ dpop+jwt, the key's algorithm and its public JWK; the claims a
    /// random jti, htm, htu (without query and fragment), iat (--now), and nonce and ath when
    /// asked for.
    Proof(ProofArgs),
    /// Validate a DPoP proof for a request (RFC 9449 §4.3); print its key's thumbprint (jkt).
    ///
    /// Exit 0 with the jkt on stdout, or exit 1 with the refused rule on stderr
    /// (`error: dpop_uri: ...`). With --token (a resource server's request) the proof must carry
    /// ath, the hash of that access token; without it (a token endpoint) ath is not checked.
    Check(CheckArgs),
}

/// `tessera dpop proof`.
#[derive(Args, Debug)]
pub struct ProofArgs {
    /// The client's private key: JWK, PEM or DER (a JWKS holding one key also works); an
    /// asymmetric key (EC, Ed25519, RSA with --alg).
    #[arg(long, value_name = "KEYFILE")]
    key: PathBuf,
    /// Algorithm to bind a key that does not decide it (RSA); must agree with one that does.
    #[arg(long, value_parser = parse_alg)]
    alg: Option<Algorithm>,
    /// The request's HTTP method (htm), e.g. POST.
    #[arg(long, value_name = "METHOD")]
    htm: String,
    /// The request's URI (htu), absolute http(s); query and fragment are left out of the proof.
    #[arg(long, value_name = "URL")]
    htu: String,
    /// The access token sent with the request (to a resource server): the proof then carries
    /// `ath`, the base64url SHA-256 of the token.
    #[arg(long, value_name = "TOKEN")]
    ath: Option<String>,
    /// The server's last DPoP-Nonce, put in the proof's `nonce` claim.
    #[arg(long, value_name = "N")]
    nonce: Option<String>,
    /// The proof's iat, in Unix seconds (default: the system clock).
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    now: Option<i64>,
}

/// `tessera dpop check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The proof (the DPoP header's value); `-` or nothing reads it from stdin.
    #[arg(value_name = "PROOF")]
    proof: Option<String>,
    /// The request's HTTP method, e.g. POST.
    #[arg(long, value_name = "METHOD")]
    htm: String,
    /// The request's URI (absolute http(s); query and fragment are ignored).
    #[arg(long, value_name = "URL")]
    htu: String,
    /// The access token presented with the request (`Authorization: DPoP <token>`): the proof's
    /// `ath` must be its hash.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// The time, in Unix seconds (default: the system clock).
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    now: Option<i64>,
}

/// Runs `tessera dpop ...`.
pub fn dpop(cmd: &DpopCommand) -> Result<(), Failure> {
    match cmd {
        DpopCommand::Proof(args) => proof(args),
        DpopCommand::Check(args) => check(args),
    }
}

/// A library error about the command line's own values (`--htm` not a method token, `--htu`
/// not an absolute http(s) URI, `--nonce` not `1*NQCHAR`, an empty `--ath`) is a usage error
/// (exit 2) naming the flag; every other refusal stays one (exit 1).
fn flag_error(err: &tessera::Error) -> Failure {
    if err.kind() != ErrorKind::InvalidArgument {
        return Failure::lib(err);
    }
    let detail = err.detail();
    let flag = [
        ("htm", "--htm"),
        ("the request method", "--htm"),
        ("htu", "--htu"),
        ("the request URI", "--htu"),
        ("the nonce", "--nonce"),
        ("the access token", "--ath"),
    ]
    .iter()
    .find(|(prefix, _)| detail.starts_with(prefix))
    .map_or("", |(_, flag)| flag);
    if flag.is_empty() {
        Failure::usage(detail.to_owned())
    } else {
        Failure::usage(format!("{flag}: {detail}"))
    }
}

/// `tessera dpop proof`: a new proof on stdout.
fn proof(args: &ProofArgs) -> Result<(), Failure> {
    let key = keys::load_key(&args.key, args.alg)?;
    let now = now(args.now)?;
    let proof = create_proof(
        &key,
        &args.htm,
        &args.htu,
        now,
        &SystemRandom::new(),
        args.nonce.as_deref(),
        args.ath.as_deref(),
    )
    .map_err(|e| match e.kind() {
        ErrorKind::InvalidArgument => flag_error(&e),
        _ => Failure::lib(&e).in_file(&args.key),
    })?;
    out(&proof)
}

/// `tessera dpop check`: the proof's `jkt` on stdout, or the refused rule (exit 1).
fn check(args: &CheckArgs) -> Result<(), Failure> {
    let now = now(args.now)?;
    let proof = text_arg(args.proof.as_deref(), "proof")?;
    let checked = ProofValidator::new()
        .validate(&proof, &args.htm, &args.htu, now, args.token.as_deref())
        .map_err(|e| flag_error(&e))?;
    out(checked.jkt())
}
