//! The JWT verbs: `keygen`, `pub`, `jwks`, `thumbprint`, `sign`, `verify` and `decode`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};
use tessera::ErrorKind;
use tessera::SystemRandom;
use tessera::jwt::{self, Algorithm, Header, Key, KeyFamily, Verifier, dangerous};
use tessera::scope::ScopeSet;

use crate::fail::Failure;
use crate::inout::{now, out, out_json, token_arg, warn};
use crate::keys::{self, KeyFile};

/// Parses a JOSE algorithm name for clap (case-sensitive, as RFC 7515 §4.1.1 says). A name
/// this build lacks (ES512 and ES256K with ring, ML-DSA without the `ml-dsa` feature) is
/// refused like an unknown one (a usage error), with the library's message, which says what
/// build has it.
pub fn parse_alg(name: &str) -> Result<Algorithm, String> {
    name.parse::<Algorithm>().map_err(|e| {
        if let Some(alg) = Algorithm::ALL.iter().find(|a| a.as_str() == name) {
            // Known to tessera, not to this build: the library's message says what has it.
            let features = match alg.family() {
                KeyFamily::MlDsa44 | KeyFamily::MlDsa65 | KeyFamily::MlDsa87 => "cli,ml-dsa",
                _ => "cli,aws-lc",
            };
            return format!("{e} (build tessera with `--features {features}` for it)");
        }
        match Algorithm::ALL
            .iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
        {
            Some(alg) => format!("{e} (algorithm names are case-sensitive: did you mean {alg}?)"),
            None => format!("{e} (supported: {})", supported_algorithms()),
        }
    })
}

/// The algorithms this build implements, space-separated, then those it lacks (ES512 and
/// ES256K need the aws-lc backend, ML-DSA the `ml-dsa` feature).
pub fn supported_algorithms() -> String {
    let names: Vec<&str> = Algorithm::supported().iter().map(|a| a.as_str()).collect();
    let missing: Vec<&str> = Algorithm::ALL
        .iter()
        .filter(|a| !a.is_supported())
        .map(|a| a.as_str())
        .collect();
    if missing.is_empty() {
        names.join(" ")
    } else {
        format!(
            "{}; not in this build: {}",
            names.join(" "),
            missing.join(" ")
        )
    }
}

/// Parses `keygen --bits`: the RSA key sizes tessera generates.
fn parse_bits(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(bits @ (2048 | 3072 | 4096)) => Ok(bits),
        _ => Err("RSA keys are generated with 2048, 3072 or 4096 bits".into()),
    }
}

/// Output format of `keygen`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeyFormat {
    /// A private JWK (keeps `alg` and `kid`).
    Jwk,
    /// A PKCS#8 `PRIVATE KEY` PEM block (asymmetric keys only; carries no `alg` or `kid`).
    Pem,
}

/// `tessera keygen`.
#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Algorithm: ES256, ES384, EdDSA, Ed25519, HS256, HS384 or HS512; with the aws-lc backend
    /// also ES512 (P-521), ES256K (secp256k1) and RS256 RS384 RS512 PS256 PS384 PS512 (a new
    /// RSA key, see --bits). `tessera --version` names the backend; with ring, RSA keys come
    /// from OpenSSL.
    #[arg(value_name = "ALG", value_parser = parse_alg)]
    alg: Algorithm,
    /// Key id written into the JWK (and so into the headers of tokens it signs).
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = KeyFormat::Jwk)]
    format: KeyFormat,
    /// RSA key size: 2048 (the default), 3072 or 4096 bits (RSA algorithms only).
    #[arg(long, value_name = "BITS", value_parser = parse_bits)]
    bits: Option<usize>,
}

/// `tessera keygen`: a new private key on stdout.
pub fn keygen(args: &KeygenArgs) -> Result<(), Failure> {
    if args.format == KeyFormat::Pem && args.alg.family() == KeyFamily::Hmac {
        return Err(Failure::usage(format!(
            "{} keys are shared secrets and have no PEM form; use --format jwk",
            args.alg
        )));
    }
    let mut key = if args.alg.family() == KeyFamily::Rsa {
        let bits = args.bits.unwrap_or(2048);
        Key::generate_rsa(args.alg, bits).map_err(|e| {
            if e.kind() == ErrorKind::Unsupported {
                // The sizes were checked by clap: the backend cannot generate RSA keys.
                Failure::kind(
                    ErrorKind::Unsupported,
                    format!(
                        "RSA key generation needs the aws-lc backend, and this tessera runs on \
                         {}; make a key with `openssl genpkey -algorithm RSA -pkeyopt \
                         rsa_keygen_bits:{bits} -out rsa.pem` and use it with --key rsa.pem \
                         --alg {}",
                        tessera::backend(),
                        args.alg
                    ),
                )
            } else {
                Failure::lib(&e)
            }
        })?
    } else if args.bits.is_some() {
        return Err(Failure::usage(format!(
            "--bits is the size of an RSA key; {} keys have a fixed size",
            args.alg
        )));
    } else {
        Key::generate(args.alg, &SystemRandom::new())?
    };
    if let Some(kid) = &args.kid {
        key = key.with_kid(kid.clone());
    }
    match args.format {
        KeyFormat::Jwk => {
            let jwk = key.private_jwk()?;
            let value: Value = serde_json::from_str(&jwk)
                .map_err(|_| Failure::kind(ErrorKind::InvalidJson, "private JWK"))?;
            out_json(&value)
        }
        KeyFormat::Pem => {
            if args.kid.is_some() {
                warn("PEM has no place for a kid: pass --kid to `tessera sign` instead");
            }
            if args.alg == Algorithm::Ed25519 {
                warn("PEM has no place for an algorithm: load this key with --alg Ed25519");
            }
            let pem = key.private_key_pem()?;
            out(pem.trim_end())
        }
    }
}

/// `tessera pub` and `tessera thumbprint`.
#[derive(Args, Debug)]
pub struct KeyFileArgs {
    /// A key file: JWK, PEM or DER (see `tessera --help`).
    #[arg(value_name = "KEYFILE")]
    key: PathBuf,
    /// Algorithm to bind a key that does not decide it (RSA, HMAC).
    #[arg(long, value_parser = parse_alg)]
    alg: Option<Algorithm>,
}

/// `tessera pub`: the public JWK of a key.
pub fn public(args: &KeyFileArgs) -> Result<(), Failure> {
    let key = keys::load_key(&args.key, args.alg)?;
    let jwk = key
        .public_jwk()
        .map_err(|e| Failure::lib(&e).in_file(&args.key))?;
    out_json(&Value::Object(jwk))
}

/// `tessera thumbprint`: the RFC 7638 SHA-256 thumbprint of a key.
pub fn thumbprint(args: &KeyFileArgs) -> Result<(), Failure> {
    // The thumbprint does not depend on the algorithm: bind any when the key does not decide.
    let key = match keys::load_key(&args.key, args.alg) {
        Err(f) if args.alg.is_none() && f.code() == "usage" => {
            keys::load_key(&args.key, Some(Algorithm::RS256))
                .or_else(|_| keys::load_key(&args.key, Some(Algorithm::HS256)))
                .map_err(|_| f)?
        }
        other => other?,
    };
    if key.is_symmetric() {
        warn("the thumbprint of an HMAC key covers the secret: do not publish it");
    }
    out(&key.thumbprint()?)
}

/// `tessera jwks`.
#[derive(Args, Debug)]
pub struct JwksArgs {
    /// Key files (JWK, JWKS, PEM or DER); private keys are published as their public half.
    #[arg(value_name = "KEYFILE", required = true)]
    keys: Vec<PathBuf>,
    /// Algorithm to bind keys that do not decide it (RSA).
    #[arg(long, value_parser = parse_alg)]
    alg: Option<Algorithm>,
}

/// `tessera jwks`: the public JWKS document of some keys.
pub fn jwks(args: &JwksArgs) -> Result<(), Failure> {
    let mut all = Vec::new();
    for path in &args.keys {
        let keys = keys::load_all(path, args.alg)?;
        if keys.iter().any(Key::is_symmetric) {
            return Err(Failure::kind(
                ErrorKind::NoPublicKey,
                "an HMAC key is a shared secret and cannot be published in a JWKS",
            )
            .in_file(path));
        }
        all.extend(keys);
    }
    let doc = jwt::jwks(&all)?;
    let value: Value = serde_json::from_str(&doc)
        .map_err(|_| Failure::kind(ErrorKind::InvalidJson, "JWKS document"))?;
    out_json(&value)
}

/// The key given to `sign`.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct SigningKey {
    /// Private key file: JWK, PEM or DER (a JWKS holding one key also works).
    #[arg(long, value_name = "KEYFILE")]
    key: Option<PathBuf>,
    /// File holding the raw bytes of an HMAC secret, used exactly as they are (a trailing
    /// newline counts); algorithm HS256 unless --alg says otherwise.
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

/// `tessera sign`.
#[derive(Args, Debug)]
pub struct SignArgs {
    #[command(flatten)]
    source: SigningKey,
    /// Algorithm: binds a key that does not decide it (RSA, HMAC JWK without alg), must agree with
    /// one that does; with --secret-file, HS256 by default.
    #[arg(long, value_parser = parse_alg)]
    alg: Option<Algorithm>,
    /// Header `kid` (default: the key's kid, if any).
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
    /// Header `typ`, e.g. JWT or at+jwt.
    #[arg(long, value_name = "TYP")]
    typ: Option<String>,
    /// The whole claims set as a JSON object; the flags below add to it and override members of
    /// the same name.
    #[arg(long, value_name = "JSON")]
    claims: Option<String>,
    /// `iss` claim.
    #[arg(long, value_name = "S")]
    iss: Option<String>,
    /// `sub` claim.
    #[arg(long, value_name = "S")]
    sub: Option<String>,
    /// `aud` claim; repeat for several audiences (then `aud` is an array).
    #[arg(long, value_name = "S")]
    aud: Vec<String>,
    /// `scope` claim (RFC 6749 §3.3 scope string; written normalised: sorted, deduplicated).
    #[arg(long, value_name = "S")]
    scope: Option<String>,
    /// Sets `exp` to now + SECONDS, and `iat` to now unless the claims set one.
    #[arg(long, value_name = "SECONDS")]
    exp_in: Option<u64>,
    /// The time, in Unix seconds (default: the system clock).
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    now: Option<i64>,
}

/// `tessera sign`: a compact JWS on stdout.
pub fn sign(args: &SignArgs) -> Result<(), Failure> {
    let key = match (&args.source.key, &args.source.secret_file) {
        (Some(path), _) => {
            let key = keys::load_key(path, args.alg)?;
            if !key.is_private() {
                return Err(Failure::kind(
                    ErrorKind::NotPrivateKey,
                    "this is a public key; signing needs the private key",
                )
                .in_file(path));
            }
            key
        }
        (None, Some(path)) => keys::load_secret(path, args.alg)?,
        (None, None) => return Err(Failure::usage("give --key or --secret-file")),
    };
    let mut claims = match &args.claims {
        Some(text) => tessera::jwt::parse_json_object(text.as_bytes()).map_err(|e| {
            Failure::lib(&e)
                .hint("--claims takes a JSON object")
                .into_usage()
        })?,
        None => Map::new(),
    };
    for (name, value) in [("iss", &args.iss), ("sub", &args.sub)] {
        if let Some(value) = value {
            let _ = claims.insert(name.into(), Value::String(value.clone()));
        }
    }
    match args.aud.as_slice() {
        [] => {}
        [one] => {
            let _ = claims.insert("aud".into(), Value::String(one.clone()));
        }
        many => {
            let _ = claims.insert("aud".into(), json!(many));
        }
    }
    if let Some(scope) = &args.scope {
        let set =
            ScopeSet::parse(scope).map_err(|e| Failure::lib(&e).hint("in --scope").into_usage())?;
        let _ = claims.insert("scope".into(), set.to_claim_value());
    }
    if let Some(exp_in) = args.exp_in {
        let now = now(args.now)?;
        let exp = i64::try_from(exp_in)
            .ok()
            .and_then(|n| now.checked_add(n))
            .ok_or_else(|| Failure::usage("--exp-in is too large"))?;
        let _ = claims.insert("exp".into(), json!(exp));
        let _ = claims.entry("iat").or_insert_with(|| json!(now));
    } else if !claims.contains_key("exp") {
        warn(
            "no exp claim: verifiers (tessera verify included) reject tokens without exp; see --exp-in",
        );
    }
    let mut header = Header::new();
    if let Some(typ) = &args.typ {
        header = header.typ(typ.clone());
    }
    if let Some(kid) = &args.kid {
        header = header.kid(kid.clone());
    }
    let token = jwt::sign(&key, &header, &Value::Object(claims), &SystemRandom::new())?;
    out(&token)
}

/// The keys given to `verify`.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct VerificationSource {
    /// Key file: JWK, PEM, DER or a JWKS (used as a key set); private keys work too.
    #[arg(long, value_name = "KEYFILE")]
    key: Option<PathBuf>,
    /// JWKS document; keys are picked by the token's kid and the keys' algorithms.
    #[arg(long, value_name = "FILE")]
    jwks: Option<PathBuf>,
    /// File holding the raw bytes of an HMAC secret (HS256 unless --alg says otherwise).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

/// `tessera verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    source: VerificationSource,
    /// Algorithm to bind the key (or the JWKS keys without `alg`); never taken from the token.
    #[arg(long, value_parser = parse_alg)]
    alg: Option<Algorithm>,
    /// Expected issuer; repeat to accept any of several. Implies `iss` is required.
    #[arg(long, value_name = "S")]
    iss: Vec<String>,
    /// Expected audience; repeat to accept any of several. Without --aud (or --any-aud) a token
    /// carrying `aud` is rejected (RFC 7519 §4.1.3).
    #[arg(long, value_name = "S")]
    aud: Vec<String>,
    /// Accept a token with any `aud` (only for verifiers that serve every audience).
    #[arg(long, conflicts_with = "aud")]
    any_aud: bool,
    /// Expected subject.
    #[arg(long, value_name = "S")]
    sub: Option<String>,
    /// Expected header `typ` (case-insensitive, `application/` prefix ignored), e.g. at+jwt.
    #[arg(long, value_name = "T")]
    typ: Option<String>,
    /// Clock-skew allowance for exp, nbf and iat, in seconds (0 to 300).
    #[arg(long, value_name = "SECONDS", default_value_t = jwt::DEFAULT_LEEWAY,
          value_parser = clap::value_parser!(u64).range(0..=300))]
    leeway: u64,
    /// Reject tokens whose `iat` is older than SECONDS (requires `iat`).
    #[arg(long, value_name = "SECONDS")]
    max_age: Option<u64>,
    /// Require this claim to be present; repeat for several.
    #[arg(long, value_name = "CLAIM")]
    require: Vec<String>,
    /// The time, in Unix seconds (default: the system clock).
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    now: Option<i64>,
    /// The token; `-` or nothing reads it from stdin.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,
}

/// `tessera verify`: `{"header": ..., "claims": ...}` on success.
pub fn verify(args: &VerifyArgs) -> Result<(), Failure> {
    let src = &args.source;
    let mut builder = match (&src.key, &src.jwks, &src.secret_file) {
        (Some(path), _, _) => match keys::load_verification_keys(path, args.alg)? {
            KeyFile::One(key) => Verifier::builder(key),
            KeyFile::Set(set) => Verifier::builder(set),
        },
        (None, Some(path), _) => Verifier::builder(keys::load_jwks(path, args.alg)?),
        (None, None, Some(path)) => Verifier::builder(keys::load_secret(path, args.alg)?),
        (None, None, None) => return Err(Failure::usage("give --key, --jwks or --secret-file")),
    };
    for iss in &args.iss {
        builder = builder.issuer(iss.clone());
    }
    for aud in &args.aud {
        builder = builder.audience(aud.clone());
    }
    if args.any_aud {
        builder = builder.accept_any_audience();
    }
    if let Some(sub) = &args.sub {
        builder = builder.subject(sub.clone());
    }
    if let Some(typ) = &args.typ {
        builder = builder.typ(typ.clone());
    }
    if let Some(max_age) = args.max_age {
        builder = builder.max_age(max_age);
    }
    for claim in &args.require {
        builder = builder.require(claim.clone());
    }
    let verifier = builder
        .leeway(args.leeway)
        .build()
        .map_err(|e| Failure::lib(&e).into_usage())?;
    let now = now(args.now)?;
    let token = token_arg(args.token.as_deref())?;
    let verified = verifier.verify(&token, now)?;
    out_json(&json!({
        "header": Value::Object(verified.header().to_json()),
        "claims": Value::Object(verified.claims().clone()),
    }))
}

/// `tessera decode`.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// The token; `-` or nothing reads it from stdin.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,
}

/// `tessera decode`: header and claims **without verification**.
pub fn decode(args: &DecodeArgs) -> Result<(), Failure> {
    let token = token_arg(args.token.as_deref())?;
    let unverified = dangerous::decode_unverified(&token)?;
    warn("NOT VERIFIED: the signature and claims were not checked; do not trust this output");
    out_json(&json!({
        "verified": false,
        "header": Value::Object(unverified.header.to_json()),
        "claims": Value::Object(unverified.claims),
    }))
}
