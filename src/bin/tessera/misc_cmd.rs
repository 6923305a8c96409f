//! The verbs for opaque tokens, PKCE and scopes: `token new`, `token check`, `pkce` and
//! `scope check`.

use clap::{Args, Subcommand};
use serde_json::json;
use tessera::ErrorKind;
use tessera::SystemRandom;
use tessera::pkce::CodeVerifier;
use tessera::scope::{Implications, Scope, ScopeSet};
use tessera::token::{TokenFormat, TokenKind};

use crate::fail::Failure;
use crate::inout::{out, out_json, token_arg};

/// The default opaque-token prefix.
pub const DEFAULT_PREFIX: &str = "tes";

/// Parses an opaque-token kind for clap: `ac`, `rt`, `ak` or `at`.
fn parse_kind(code: &str) -> Result<TokenKind, String> {
    code.parse::<TokenKind>().map_err(|e| e.detail().to_owned())
}

/// Parses a deployment prefix for clap.
fn parse_prefix(prefix: &str) -> Result<TokenFormat, String> {
    TokenFormat::new(prefix).map_err(|e| e.detail().to_owned())
}

/// `tessera token ...`.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// A new opaque token: `<prefix>_<kind>_<43 base62 random><6 base62 CRC-32>`.
    New {
        /// ac (authorization code), rt (refresh token), ak (API key), at (access token).
        #[arg(long, value_name = "KIND", value_parser = parse_kind)]
        kind: TokenKind,
        /// Deployment prefix: 1 to 16 of [a-z0-9], starting with a letter.
        #[arg(long, value_name = "P", value_parser = parse_prefix,
              default_value = DEFAULT_PREFIX)]
        prefix: TokenFormat,
    },
    /// Checks an opaque token's shape, kind and checksum offline; prints its kind.
    Check {
        /// The token; `-` or nothing reads it from stdin (keeps secrets out of shell history).
        #[arg(value_name = "TOKEN")]
        token: Option<String>,
        /// The kind the token must be.
        #[arg(long, value_name = "K", value_parser = parse_kind)]
        kind: Option<TokenKind>,
        /// Deployment prefix the token must carry.
        #[arg(long, value_name = "P", value_parser = parse_prefix,
              default_value = DEFAULT_PREFIX)]
        prefix: TokenFormat,
    },
}

/// Runs `tessera token ...`.
pub fn token(cmd: &TokenCommand) -> Result<(), Failure> {
    match cmd {
        TokenCommand::New { kind, prefix } => {
            let token = prefix.generate(*kind, &SystemRandom::new())?;
            out(token.as_str())
        }
        TokenCommand::Check {
            token,
            kind,
            prefix,
        } => {
            let token = token_arg(token.as_deref())?;
            let found = prefix.check(&token, *kind)?;
            out(found.code())
        }
    }
}

/// `tessera pkce`.
#[derive(Args, Debug)]
pub struct PkceArgs {
    /// A code verifier (43 to 128 of [A-Za-z0-9-._~]); a new one when absent.
    #[arg(value_name = "VERIFIER")]
    verifier: Option<String>,
}

/// `tessera pkce`: a verifier and its S256 challenge, as JSON.
pub fn pkce(args: &PkceArgs) -> Result<(), Failure> {
    let verifier = match &args.verifier {
        Some(text) => CodeVerifier::new(text)?,
        None => CodeVerifier::generate(&SystemRandom::new())?,
    };
    out_json(&json!({
        "code_verifier": verifier.as_str(),
        "code_challenge": verifier.challenge_s256(),
        "code_challenge_method": "S256",
    }))
}

/// One `--implies` rule.
#[derive(Clone, Debug)]
pub enum Rule {
    /// `A=>B`: A implies B.
    Implies(Scope, Scope),
    /// `A=>*`: A implies every scope (a superscope).
    Everything(Scope),
}

/// Parses `A=>B` (or `A=>*`) for clap.
fn parse_rule(text: &str) -> Result<Rule, String> {
    let (from, to) = text.split_once("=>").ok_or_else(|| {
        "expected GRANTED=>IMPLIED, e.g. job:write=>job:read or all=>*".to_owned()
    })?;
    let from = Scope::new(from.trim()).map_err(|e| format!("{e}"))?;
    match to.trim() {
        "*" => Ok(Rule::Everything(from)),
        to => Ok(Rule::Implies(
            from,
            Scope::new(to).map_err(|e| format!("{e}"))?,
        )),
    }
}

/// `tessera scope ...`.
#[derive(Subcommand, Debug)]
pub enum ScopeCommand {
    /// Whether granted scopes cover the requested ones; prints the requested set normalised.
    Check {
        /// Granted scopes, space-delimited (RFC 6749 §3.3).
        #[arg(long, value_name = "SCOPES")]
        granted: String,
        /// Requested scopes, space-delimited.
        #[arg(long, value_name = "SCOPES")]
        requested: String,
        /// GRANTED=>IMPLIED: holding GRANTED allows IMPLIED (transitively); `A=>*` makes A a
        /// superscope that implies every scope. Repeat for several rules.
        #[arg(long, value_name = "A=>B", value_parser = parse_rule)]
        implies: Vec<Rule>,
        /// `R:*` implies every `R:x` (wildcard actions). Off unless given.
        #[arg(long)]
        wildcards: bool,
        /// A scope that implies every scope (same as --implies "S=>*"). Repeatable.
        #[arg(long, value_name = "S", value_parser = |s: &str| Scope::new(s).map_err(|e| e.to_string()))]
        superscope: Vec<Scope>,
    },
}

/// Runs `tessera scope ...`.
pub fn scope(cmd: &ScopeCommand) -> Result<(), Failure> {
    let ScopeCommand::Check {
        granted,
        requested,
        implies,
        wildcards,
        superscope,
    } = cmd;
    let mut imp = Implications::none();
    if *wildcards {
        imp = imp.wildcard_actions();
    }
    for s in superscope {
        imp = imp.superscope(s.as_str())?;
    }
    for rule in implies {
        imp = match rule {
            Rule::Implies(from, to) => imp.rule(from.as_str(), to.as_str())?,
            Rule::Everything(from) => imp.superscope(from.as_str())?,
        };
    }
    let granted = ScopeSet::parse(granted).map_err(|e| Failure::lib(&e).hint("in --granted"))?;
    let requested =
        ScopeSet::parse(requested).map_err(|e| Failure::lib(&e).hint("in --requested"))?;
    // The library's detail gives the scope's position only (its details never copy input,
    // since hosts send them to clients); the command's user typed these scopes, so the message
    // names the first one not covered.
    if let Some(missing) = requested
        .iter()
        .find(|s| !granted.covers(&ScopeSet::from_iter([(*s).clone()]), &imp))
    {
        return Err(Failure::kind(
            ErrorKind::ScopeNotGranted,
            format!("scope '{}' is not granted", missing.as_str()),
        ));
    }
    out(&requested.to_scope_string())
}
