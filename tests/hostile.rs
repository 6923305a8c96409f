//! Detail texts never copy input (issue 14 §2). Hostile tokens whose every member name and value
//! carries the marker `QXMARKQX` drive every verification error path; the detail of each error
//! (Rust `Error::detail`, `Display` and `Debug`, `tessera_verify_explain`), the JSON outcomes of
//! `tessera_issuer_locate`, and the errors of hostile form bodies, token and authorization
//! requests (their `detail`, `error_description` and `www_authenticate`) must never contain the
//! marker, and every detail fits `MAX_DETAIL_LEN`.
//!
//! The tokens are committed in `tests/data/hostile/tokens.txt` (each line: the result code the
//! Rust verifier gives, a space, the token), so the C, C++ and Python suites run the same ones
//! through their bindings; this test regenerates them and fails if the file is stale (refresh:
//! `TESSERA_BLESS=1 cargo test --test hostile`). The verifier they are checked with, in every
//! language: HS256 over the secret [`SECRET`] with `kid` `k1`, issuer `https://as.example`,
//! audience `api`, subject `user-1`, `typ` `at+jwt`, required claim `scope`, max age 3600 s,
//! at `now` = 1800000000.

#![allow(clippy::unwrap_used, clippy::panic)]

mod abi;

use std::collections::BTreeSet;
use std::path::PathBuf;

use base64::Engine as _;
use tessera::SystemRandom;
use tessera::ffi::*;
use tessera::grant::{AuthorizeOutcome, Client, Issuer, Policy, PolicyConfig};
use tessera::jwt::{Algorithm, Key, KeySet, Verifier};
use tessera::token::{Pepper, Peppers};
use tessera::wire::{AuthorizeRequest, ErrorResponse, Form, TokenRequest, client_auth};
use tessera::{Error, ErrorKind, MAX_DETAIL_LEN};

/// The marker every hostile member carries.
const MARK: &str = "QXMARKQX";
/// The verifier's clock.
const NOW: i64 = 1_800_000_000;
/// The HS256 secret of the hostile tokens (33 bytes).
const SECRET: &[u8] = b"tessera-hostile-token-test-secret";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWS of these exact header and payload octets, with a valid HS256 signature (so the
/// claim checks, which run after the signature, are reached).
fn signed(header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET),
        input.as_bytes(),
    );
    format!("{input}.{}", b64(tag.as_ref()))
}

/// The header and claims every case starts from: valid for the verifier, plus members whose
/// names and values carry the marker.
fn header_with(extra: &str) -> String {
    format!(r#"{{"alg":"HS256","typ":"at+jwt","kid":"k1","x{MARK}":"{MARK}"{extra}}}"#)
}

fn claims_with(extra: &str) -> String {
    format!(
        r#"{{"iss":"https://as.example","aud":"api","sub":"user-1","exp":{},"iat":{NOW},"scope":"job:read","{MARK}":["{MARK}",{{"{MARK}":"{MARK}"}}]{extra}}}"#,
        NOW + 300
    )
}

/// Claims with `name` replaced by `value` (JSON text).
fn claims_set(name: &str, value: &str) -> String {
    let mut claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&claims_with("")).unwrap();
    let _ = claims.insert(name.to_owned(), serde_json::from_str(value).unwrap());
    serde_json::to_string(&claims).unwrap()
}

fn claims_without(name: &str) -> String {
    let mut claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&claims_with("")).unwrap();
    let _ = claims.remove(name);
    serde_json::to_string(&claims).unwrap()
}

/// Every hostile token, in a fixed order.
fn hostile_tokens() -> Vec<String> {
    let good_header = header_with("");
    let good_claims = claims_with("");
    let ok_part = b64(good_header.as_bytes());
    let mut t: Vec<String> = Vec::new();
    // Structure: parts, empty parts, base64url.
    for raw in [
        MARK.to_owned(),
        format!("{MARK}.{MARK}"),
        format!("{MARK}.{MARK}.{MARK}.{MARK}"),
        format!("{MARK}.."),
        format!(".{MARK}."),
        format!("{MARK}!.{MARK}.{MARK}"),
        format!("{ok_part}.{MARK}=.{MARK}"),
        format!("{ok_part}.{}.{MARK}*", b64(good_claims.as_bytes())),
        format!("{MARK} {MARK}.{MARK}.{MARK}"),
    ] {
        t.push(raw);
    }
    // Headers that are not JSON objects.
    for header in [
        format!(r#"{{"alg":"{MARK}"#),
        format!(r#""{MARK}""#),
        format!(r#"["{MARK}"]"#),
        format!("{{\"alg\":\"HS256\",\"{MARK}\":\"\u{1}\"}}"),
    ] {
        t.push(signed(header.as_bytes(), good_claims.as_bytes()));
    }
    let mut bad_utf8 = br#"{"alg":"HS256","x":""#.to_vec();
    bad_utf8.extend_from_slice(&[0xff, 0xfe]);
    bad_utf8.extend_from_slice(MARK.as_bytes());
    bad_utf8.extend_from_slice(br#""}"#);
    t.push(signed(&bad_utf8, good_claims.as_bytes()));
    // Header members: alg, typ, kid, cty, crit, b64, duplicates, nesting, size.
    let long_alg = MARK.repeat(40);
    for header in [
        format!(r#"{{"alg":"{MARK}","x{MARK}":"{MARK}"}}"#),
        format!(r#"{{"alg":"{long_alg}"}}"#),
        format!(r#"{{"alg":"\u0051XMARKQX\n{MARK}"}}"#),
        format!(r#"{{"alg":"none","{MARK}":1}}"#),
        format!(r#"{{"alg":{{"{MARK}":1}}}}"#),
        format!(r#"{{"typ":"{MARK}"}}"#),
        format!(r#"{{"alg":"HS256","typ":["{MARK}"]}}"#),
        format!(r#"{{"alg":"HS256","kid":{{"{MARK}":"{MARK}"}}}}"#),
        format!(r#"{{"alg":"HS256","cty":[1,"{MARK}"]}}"#),
        header_with(&format!(r#","crit":["{MARK}"],"{MARK}":1"#)),
        header_with(&format!(r#","crit":["{MARK}"]"#)),
        header_with(r#","crit":["alg"]"#),
        header_with(&format!(r#","crit":[{{"{MARK}":1}}]"#)),
        header_with(&format!(r#","crit":"{MARK}""#)),
        header_with(r#","b64":false,"crit":["b64"]"#),
        header_with(r#","b64":false"#),
        header_with(&format!(r#","{MARK}":1,"{MARK}":2"#)),
        header_with(&format!(r#","alg":"{MARK}""#)),
        header_with(&format!(
            r#","{MARK}":{}{}"#,
            "[".repeat(40),
            "]".repeat(40)
        )),
        header_with(&format!(r#","{MARK}":"{}""#, MARK.repeat(600))),
        format!(r#"{{"alg":"HS256","typ":"{MARK}","kid":"k1"}}"#),
        format!(r#"{{"alg":"HS256","typ":"at+jwt","kid":"{MARK}"}}"#),
        format!(r#"{{"alg":"RS256","typ":"at+jwt","kid":"k1","{MARK}":"{MARK}"}}"#),
        format!(r#"{{"alg":"ES256","typ":"at+jwt","kid":"k1","jwk":{{"kty":"{MARK}"}}}}"#),
    ] {
        t.push(signed(header.as_bytes(), good_claims.as_bytes()));
    }
    // A forged signature over good parts, and one that is not even base64url of a MAC.
    let good = signed(good_header.as_bytes(), good_claims.as_bytes());
    let (input, _) = good.rsplit_once('.').unwrap();
    t.push(format!("{input}.{}", b64(MARK.as_bytes())));
    t.push(format!("{input}.{}", b64(&[0u8; 32])));
    // Claims sets that are not JSON objects.
    for claims in [
        MARK.to_owned(),
        format!(r#"["{MARK}"]"#),
        format!(r#"{{"{MARK}":"#),
        format!(r#"{{"{MARK}":1,"{MARK}":2,"exp":{}}}"#, NOW + 60),
        claims_with(&format!(
            r#","{MARK}x":{}{}"#,
            "[".repeat(40),
            "]".repeat(40)
        )),
        format!(
            "{{{}}}",
            (0..300)
                .map(|i| format!(r#""{MARK}{i}":"{MARK}""#))
                .collect::<Vec<_>>()
                .join(",")
        ),
        claims_with(&format!(r#","{MARK}big":"{}""#, MARK.repeat(2000))),
    ] {
        t.push(signed(good_header.as_bytes(), claims.as_bytes()));
    }
    // Registered claims of the wrong type or value.
    for (name, value) in [
        ("exp", format!(r#""{MARK}""#)),
        ("exp", "1800000000000".to_owned()),
        ("exp", "1e300".to_owned()),
        ("exp", format!("{}", NOW - 600)),
        ("nbf", format!("{}", NOW + 600)),
        ("nbf", format!(r#"["{MARK}"]"#)),
        ("iat", format!("{}", NOW + 600)),
        ("iat", format!("{}", NOW - 7200)),
        ("iat", "-1".to_owned()),
        ("iss", format!(r#""{MARK}""#)),
        ("iss", format!(r#"{{"{MARK}":1}}"#)),
        ("aud", format!(r#""{MARK}""#)),
        ("aud", format!(r#"[1,"{MARK}"]"#)),
        ("sub", format!(r#""{MARK}""#)),
        ("sub", format!(r#"["{MARK}"]"#)),
        ("jti", format!(r#"{{"{MARK}":"{MARK}"}}"#)),
    ] {
        t.push(signed(
            good_header.as_bytes(),
            claims_set(name, &value).as_bytes(),
        ));
    }
    for name in ["scope", "exp", "iss", "aud", "sub", "iat"] {
        t.push(signed(
            good_header.as_bytes(),
            claims_without(name).as_bytes(),
        ));
    }
    // Longer than the verifier's token limit.
    t.push(format!("{ok_part}.{}.{MARK}", MARK.repeat(3000)));
    t
}

/// The verifiers' key: the secret as a one-key JWKS, `kid` `k1`, HS256.
fn jwks() -> String {
    format!(
        r#"{{"keys":[{{"kty":"oct","kid":"k1","alg":"HS256","k":"{}"}}]}}"#,
        b64(SECRET)
    )
}

fn verifier() -> Verifier {
    Verifier::builder(KeySet::from_jwks(jwks().as_bytes(), &[]).unwrap())
        .issuer("https://as.example")
        .audience("api")
        .subject("user-1")
        .typ("at+jwt")
        .require("scope")
        .max_age(3600)
        .build()
        .unwrap()
}

/// Asserts a text the engine composed carries no marker (in any case) and no escaped form.
fn clean(what: &str, text: &str) {
    let upper = text.to_ascii_uppercase();
    assert!(
        !upper.contains(MARK) && !upper.contains("XMARK") && !upper.contains("MARKQ"),
        "{what} copies input: {text:?}"
    );
}

fn clean_error(what: &str, e: &Error) {
    assert!(
        e.detail().len() <= MAX_DETAIL_LEN,
        "{what}: detail of {} bytes: {e:?}",
        e.detail().len()
    );
    clean(what, e.detail());
    clean(what, &e.to_string());
    clean(what, &format!("{e:?}"));
    let response = ErrorResponse::from_error(e);
    clean(what, &response.to_json());
    if let Some(challenge) = response.www_authenticate() {
        clean(what, challenge);
    }
}

fn tokens_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile/tokens.txt")
}

#[test]
fn committed_hostile_tokens_are_fresh() {
    let v = verifier();
    let mut text = String::new();
    for token in hostile_tokens() {
        let code = v.verify(&token, NOW).unwrap_err().code();
        text.push_str(&format!("{code} {token}\n"));
    }
    let path = tokens_file();
    if std::env::var_os("TESSERA_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{} is stale: refresh it with `TESSERA_BLESS=1 cargo test --test hostile`",
        path.display()
    );
}

/// Every verification error path, with the marker everywhere: Rust details, `Display`,
/// `Debug`, the OAuth error response a resource server would send, and the C ABI's explain.
#[test]
fn verification_details_never_copy_the_token() {
    let v = verifier();
    let mut kinds = BTreeSet::new();
    let c_verifier = c_verifier();
    for token in hostile_tokens() {
        let e = v.verify(&token, NOW).unwrap_err();
        assert_ne!(e.kind(), ErrorKind::Panic);
        clean_error(&token, &e);
        let _ = kinds.insert(e.kind().code());
        // The C ABI: the same verdict, a text within the bound and without the marker.
        let mut buf = vec![0u8; MAX_DETAIL_LEN];
        let mut n = 0usize;
        // SAFETY: a live verifier, a live token, a writable buffer of `buf.len()` bytes.
        let r = unsafe {
            tessera_verify_explain(
                c_verifier.0,
                token.as_ptr(),
                token.len(),
                NOW,
                buf.as_mut_ptr(),
                buf.len(),
                &mut n,
            )
        };
        assert_eq!(r.0, e.code(), "{token}");
        assert!(
            n <= MAX_DETAIL_LEN,
            "explain reported {n} bytes for {token}"
        );
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        clean(&token, text);
        assert!(!text.is_empty());
    }
    // Every kind a verification can fail with was reached.
    let wanted = [
        ErrorKind::MalformedToken,
        ErrorKind::InvalidBase64,
        ErrorKind::InvalidJson,
        ErrorKind::DuplicateMember,
        ErrorKind::TooLarge,
        ErrorKind::InvalidHeader,
        ErrorKind::UnsupportedCritical,
        ErrorKind::TooDeep,
        ErrorKind::KeyNotFound,
        ErrorKind::UnsupportedAlgorithm,
        ErrorKind::AlgorithmMismatch,
        ErrorKind::InvalidSignature,
        ErrorKind::Expired,
        ErrorKind::NotYetValid,
        ErrorKind::IssuedInFuture,
        ErrorKind::TooOld,
        ErrorKind::MissingClaim,
        ErrorKind::InvalidClaimType,
        ErrorKind::IssuerMismatch,
        ErrorKind::AudienceMismatch,
        ErrorKind::SubjectMismatch,
        ErrorKind::TypeMismatch,
    ];
    let missing: Vec<_> = wanted
        .iter()
        .filter(|k| !kinds.contains(&k.code()))
        .collect();
    assert!(missing.is_empty(), "no hostile token reaches {missing:?}");
}

/// The C verifier of the module docs (the key's `kid` through a one-key JWKS).
fn c_verifier() -> abi::VerifierH {
    let b = abi::builder();
    // SAFETY: a live builder and NUL-terminated strings.
    unsafe {
        abi::ok(tessera_verifier_builder_add_issuer(
            b.0,
            c"https://as.example".as_ptr(),
        ));
        abi::ok(tessera_verifier_builder_add_audience(b.0, c"api".as_ptr()));
        abi::ok(tessera_verifier_builder_set_subject(
            b.0,
            c"user-1".as_ptr(),
        ));
        abi::ok(tessera_verifier_builder_set_typ(b.0, c"at+jwt".as_ptr()));
        abi::ok(tessera_verifier_builder_require_claim(
            b.0,
            c"scope".as_ptr(),
        ));
        abi::ok(tessera_verifier_builder_set_max_age(b.0, 3600));
    }
    let jwks = jwks();
    let mut set = std::ptr::null_mut();
    // SAFETY: a live JWKS text, no default algorithms, a valid out-pointer.
    abi::ok(unsafe {
        tessera_keyset_from_jwks(jwks.as_ptr(), jwks.len(), std::ptr::null(), &mut set)
    });
    abi::verifier_for_set(&b, &abi::KeySetH(set))
}

/// A C issuer for `https://as.example` and the audience `api`.
fn c_issuer() -> abi::IssuerH {
    let policy = r#"{"issuer":"https://as.example","audiences":["api"]}"#;
    let key = abi::generated_key(c"ES256");
    let mut peppers = std::ptr::null_mut();
    let secret = [1u8; 32];
    // SAFETY: valid inputs and out-pointer.
    abi::ok(unsafe { tessera_peppers_new(c"p1".as_ptr(), secret.as_ptr(), 32, &mut peppers) });
    let peppers = abi::PeppersH(peppers);
    let mut issuer = std::ptr::null_mut();
    // SAFETY: live handles, a JSON text, a valid out-pointer.
    abi::ok(unsafe {
        tessera_issuer_new(policy.as_ptr(), policy.len(), key.0, peppers.0, &mut issuer)
    });
    abi::IssuerH(issuer)
}

fn issuer() -> (Issuer, Client) {
    let rng = SystemRandom::new();
    let policy = Policy::new(PolicyConfig::new(
        "https://as.example",
        vec!["api".to_owned()],
    ))
    .unwrap();
    let key = Key::generate(Algorithm::ES256, &rng)
        .unwrap()
        .with_kid("k1");
    let peppers = Peppers::new(Pepper::new("p1", &[1u8; 32]).unwrap());
    let client = Client::from_json(&format!(
        r#"{{"client_id":"conf","kind":"confidential","redirect_uris":["https://conf.example/cb"],
            "allowed_scope":"read write",
            "grant_types":["authorization_code","refresh_token","client_credentials"],
            "secret_hash":"{}"}}"#,
        peppers.lookup("conf-secret-0123456789")
    ))
    .unwrap();
    (Issuer::new(policy, key, peppers).unwrap(), client)
}

/// `Issuer::locate` (and `tessera_issuer_locate`, whose outcome a host sends as the
/// `error_description` of an introspection or a token endpoint) on every hostile token, and on
/// the issue's own example: `"alg":"ZZMARKERZZ"`.
#[test]
fn locate_outcomes_never_copy_the_token() {
    let (issuer, _) = issuer();
    let mut tokens = hostile_tokens();
    tokens.push(signed(
        br#"{"alg":"QXMARKQX","typ":"at+jwt"}"#,
        claims_with("").as_bytes(),
    ));
    tokens.push(format!("tsr_rt_{MARK}"));
    tokens.push(format!("{MARK}_ac_{}", MARK.repeat(8)));
    let c_issuer = c_issuer();
    for token in &tokens {
        let e = issuer.locate(token, NOW).unwrap_err();
        clean_error(token, &e);
        let json = abi::call_out(|out, cap, len| {
            // SAFETY: a live issuer, a live token, the buffer `call_out` provides.
            unsafe {
                tessera_issuer_locate(c_issuer.0, token.as_ptr(), token.len(), NOW, out, cap, len)
            }
        })
        .unwrap();
        let json = String::from_utf8(json).unwrap();
        assert!(json.contains(r#""locator":"none""#), "{json}");
        clean(token, &json);
    }
}

/// Hostile form bodies and requests at the token and authorization endpoints: every error's
/// detail, `error_description` and challenge.
#[test]
fn request_errors_never_copy_the_request() {
    let (issuer, client) = issuer();
    let rng = SystemRandom::new();
    let bodies = [
        format!("{MARK}=1&{MARK}=2"),
        format!("grant_type={MARK}"),
        format!("grant_type=authorization_code&code={MARK}&redirect_uri=https://conf.example/cb"),
        format!("grant_type=refresh_token&refresh_token={MARK}"),
        format!("grant_type=refresh_token&refresh_token=tsr_rt_{MARK}"),
        format!("grant_type=client_credentials&scope={MARK}"),
        format!("grant_type=client_credentials&scope={MARK}%20read"),
        format!("grant_type=client_credentials&scope=read%20{MARK}:write"),
        format!("grant_type=client_credentials&scope={MARK}%00"),
        format!("grant_type=authorization_code&code=x&redirect_uri={MARK}"),
        format!("grant_type=authorization_code&code=x&code_verifier={MARK}%01"),
        format!("grant_type=client_credentials&scope=read&scope={MARK}"),
        format!("grant_type=client_credentials&client_id={MARK}&client_secret={MARK}"),
        format!("grant_type=client_credentials&{MARK}=%ZZ"),
        format!("grant_type=client_credentials&{}=1", MARK.repeat(100)),
    ];
    for body in &bodies {
        let form = match Form::parse(body.as_bytes()) {
            Ok(form) => form,
            Err(e) => {
                clean_error(body, &e);
                continue;
            }
        };
        let request = match TokenRequest::from_form(&form) {
            Ok(request) => request,
            Err(e) => {
                clean_error(body, &e);
                continue;
            }
        };
        let auth = client_auth(
            Some(&format!(
                "Basic {}",
                b64(format!("{MARK}:{MARK}").as_bytes())
            )),
            &form,
        );
        if let Err(e) = &auth {
            clean_error(body, e);
        }
        match issuer.authenticate(Some(&client), "conf", Some("conf-secret-0123456789")) {
            Ok(authenticated) => {
                let outcome = issuer.token(&authenticated, None, &request, None, NOW, &rng);
                if let Err(e) = &outcome.result {
                    clean_error(body, e);
                }
            }
            Err(e) => panic!("the fixture client authenticates: {e:?}"),
        }
        if let Err(e) = issuer.authenticate(Some(&client), MARK, Some(MARK)) {
            clean_error(body, &e);
        }
    }
    let queries = [
        format!("response_type={MARK}&client_id=conf&redirect_uri=https://conf.example/cb"),
        format!("response_type=code&client_id=conf&redirect_uri=https://{MARK}.example/cb"),
        format!("response_type=code&client_id=conf&redirect_uri={MARK}"),
        format!(
            "response_type=code&client_id=conf&redirect_uri=https://conf.example/cb&scope={MARK}"
        ),
        format!(
            "response_type=code&client_id=conf&redirect_uri=https://conf.example/cb&code_challenge={MARK}&code_challenge_method=S256"
        ),
        format!(
            "response_type=code&client_id=conf&redirect_uri=https://conf.example/cb&code_challenge_method={MARK}"
        ),
        format!(
            "response_type=code&client_id=conf&redirect_uri=https://conf.example/cb&response_mode={MARK}&state={MARK}"
        ),
    ];
    for query in &queries {
        let form = Form::parse(query.as_bytes()).unwrap();
        let request = match AuthorizeRequest::from_form(&form) {
            Ok(request) => request,
            Err(e) => {
                clean_error(query, &e);
                continue;
            }
        };
        match issuer.authorize(Some(&client), &request, "user-1", NOW, &rng) {
            AuthorizeOutcome::Fatal(e) => clean_error(query, &e),
            AuthorizeOutcome::Rejected { error, .. } => clean_error(query, &error),
            AuthorizeOutcome::Granted { .. } => panic!("{query} was granted"),
        }
    }
}
