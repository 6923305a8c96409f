//! Writes the seed corpora of the fuzz targets into `fuzz/corpus/<target>/`: tokens signed with
//! the targets' own keys, the vectors, keys and JWKS of `tests/data`, and inputs shaped like
//! the test suites' (scope strings, form bodies, headers, grant states from a real flow).
//! Run from `fuzz/` with `cargo run --example seeds`, then minimise with `cargo fuzz cmin`.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tessera::grant::{AuthorizeOutcome, Locator};
use tessera::jwt::{self, Header, Key};
use tessera::pkce::CodeVerifier;
use tessera::wire::{AuthorizeRequest, Form, TokenRequest};
use tessera_fuzz::targets::{self, CLIENT_SECRET, NOW};

struct Corpus {
    dir: PathBuf,
    n: usize,
}

impl Corpus {
    fn new(name: &str) -> Corpus {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(name);
        fs::create_dir_all(&dir).unwrap();
        Corpus { dir, n: 0 }
    }

    fn add(&mut self, sel: u8, body: impl AsRef<[u8]>) {
        let mut data = vec![sel];
        data.extend_from_slice(body.as_ref());
        self.raw(data);
    }

    fn raw(&mut self, data: impl AsRef<[u8]>) {
        fs::write(self.dir.join(format!("seed-{:04}", self.n)), data).unwrap();
        self.n += 1;
    }
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data")
}

fn json_files(dir: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = fs::read_dir(data_dir().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for p in paths {
        out.push(serde_json::from_slice(&fs::read(p).unwrap()).unwrap());
    }
    out
}

/// Every string member named `name` anywhere in `v`.
fn strings_named<'a>(v: &'a Value, name: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == name {
                    out.push(x);
                }
                strings_named(x, name, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| strings_named(x, name, out)),
        _ => {}
    }
}

fn all_named<'a>(values: &'a [Value], name: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    values.iter().for_each(|v| strings_named(v, name, &mut out));
    out
}

/// `dpop`: the RFC 9449 example proofs with their requests and clocks, and proofs made with
/// the targets' keys (with and without `ath` and `nonce`), each with its request. Written alone
/// by `cargo run --example seeds -- dpop`.
fn dpop_seeds() {
    use tessera::dpop::create_proof;
    let mut c = Corpus::new("dpop");
    let seed = |c: &mut Corpus, sel: u8, fields: [&str; 4]| c.add(sel, fields.join("\0"));
    let examples: Value =
        serde_json::from_slice(&fs::read(data_dir().join("rfc9449/examples.json")).unwrap())
            .unwrap();
    for p in examples["proofs"].as_array().unwrap() {
        let iat = p["iat"].as_i64().unwrap();
        let clock = targets::DPOP_CLOCKS.iter().position(|&t| t == iat).unwrap();
        let clock = u8::try_from(clock).unwrap();
        let (proof, htm, htu) = (
            p["proof"].as_str().unwrap(),
            p["htm"].as_str().unwrap(),
            p["htu"].as_str().unwrap(),
        );
        match p["access_token"].as_str() {
            Some(token) => {
                seed(&mut c, clock, [proof, htm, htu, token]);
                seed(&mut c, clock | 0x80, [proof, htm, htu, ""]);
            }
            None => seed(&mut c, clock | 0x40, [proof, htm, htu, ""]),
        }
    }
    let rng = tessera::SystemRandom::new();
    let k = targets::keys();
    let api = "https://api.example/v1/items";
    for key in [&k.es256, &k.es384, &k.eddsa, &k.rs256, &k.ps256] {
        let token = "an-access-token";
        let plain = create_proof(
            key,
            "POST",
            "https://as.example/token",
            NOW,
            &rng,
            None,
            None,
        );
        seed(
            &mut c,
            0x40,
            [&plain.unwrap(), "POST", "https://as.example/token", ""],
        );
        let bound = create_proof(
            key,
            "GET",
            api,
            NOW,
            &rng,
            Some("n-0S6_WzA2Mj"),
            Some(token),
        );
        let bound = bound.unwrap();
        seed(
            &mut c,
            0,
            [&bound, "GET", &format!("{api}?page=2#x"), token],
        );
        seed(
            &mut c,
            0,
            [&bound, "GET", "HTTPS://API.EXAMPLE:443/v1/items", token],
        );
    }
    for odd in [
        "https://a.example/%7euser/./b/../c",
        "http://[::1]:8080/x?y",
        "https://xn--bcher-kva.example/",
        "file:///etc/passwd",
    ] {
        seed(&mut c, 0x40, ["", "GET", odd, ""]);
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("dpop") {
        dpop_seeds();
        println!("dpop seeds written");
        return;
    }
    let rng = ring::rand::SystemRandom::new();
    let k = targets::keys();
    let rfc = json_files("rfc");
    let wyche = json_files("wycheproof");
    let interop: Value =
        serde_json::from_slice(&fs::read(data_dir().join("keys/interop.json")).unwrap()).unwrap();
    let vector_tokens: Vec<String> = all_named(&rfc, "token")
        .into_iter()
        .chain(all_named(&wyche, "jws"))
        .chain(all_named(std::slice::from_ref(&interop), "token"))
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let claims = json!({
        "iss": "https://as.example", "aud": "api", "sub": "user-1", "exp": NOW + 300,
        "iat": NOW - 5, "jti": "j-1", "scope": "read job:read",
    });
    let keyed = [&k.hs256, &k.es256, &k.eddsa, &k.rs256, &k.ps256];

    // verify: tokens for every key and policy, and the vectors' tokens.
    let mut c = Corpus::new("verify");
    for policy in 0..8u8 {
        for (i, key) in keyed.iter().enumerate() {
            let header = match policy {
                2 | 7 => Header::new().typ("at+jwt"),
                3 => Header::new().crit(["exp_ext"]).extra("exp_ext", 1).unwrap(),
                _ => Header::new(),
            };
            let token = jwt::sign(key, &header, &claims, &rng).unwrap();
            let i = u8::try_from(i).unwrap();
            c.add(policy * 6 + i, &token);
            if policy == 0 {
                c.add(policy * 6 + 5, &token); // the key set
            }
        }
    }
    let odd = json!({"sub": "user-1", "exp": 1.5e9, "aud": ["x", "api"], "nbf": NOW + 10,
        "n": [1, -0.0, 1e300, {"a": "\u{e9}\\\""}], "scope": ["a", "b"]});
    c.add(5, jwt::sign(&k.hs256, &Header::new(), &odd, &rng).unwrap());
    c.add(
        5 + 48,
        jwt::sign(&k.hs256, &Header::new(), &odd, &rng).unwrap(),
    );
    for (i, t) in vector_tokens.iter().enumerate() {
        c.add(u8::try_from(i % 256).unwrap(), t);
    }

    // header: headers and claims texts.
    let mut c = Corpus::new("header");
    for name in ["protected_header", "payload"] {
        for v in all_named(&rfc, name) {
            if let Some(s) = v.as_str() {
                c.raw(s);
            }
        }
    }
    for t in vector_tokens.iter().take(40) {
        c.raw(t);
    }
    for s in [
        r#"{"alg":"ES256","typ":"at+jwt","kid":"k1","crit":["exp_ext"],"exp_ext":1}"#,
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"a":{"b":{"c":[[[[1]]]]}}}"#,
        r#"{"exp":1e400,"nbf":-1.5,"iat":18446744073709551616,"aud":["a",1]}"#,
        r#"{"s":"\ud83d\ude00\u0000","t":"\ud800"}"#,
        r#"{"scope":"a b","scp":["c"],"authorization_details":[{"actions":["x"]}]}"#,
        "{}",
        " { } ",
    ] {
        c.raw(s);
    }
    c.raw(serde_json::to_vec(&claims).unwrap());
    c.raw(serde_json::to_vec(&odd).unwrap());

    // jwk: the keys of the vectors, our keys' JWKs, JWKS documents.
    let mut c = Corpus::new("header_paths");
    for (i, shape) in targets::header_shapes().into_iter().enumerate() {
        c.add(u8::try_from(i % 4).unwrap(), shape);
    }

    let mut c = Corpus::new("jwk");
    let mut n = 0u8;
    for v in all_named(&rfc, "key")
        .into_iter()
        .chain(all_named(&wyche, "private"))
        .chain(all_named(&wyche, "public"))
        .chain(all_named(&wyche, "jwk"))
        .chain(all_named(&wyche, "jwks"))
    {
        if v.is_object() {
            c.add(n, serde_json::to_vec(v).unwrap());
            n = n.wrapping_add(17);
        }
    }
    let all = [
        &k.hs256, &k.hs512, &k.es256, &k.es384, &k.eddsa, &k.rs256, &k.ps256,
    ];
    for (i, key) in all.iter().enumerate() {
        let i = u8::try_from(i).unwrap();
        if let Ok(jwk) = key.private_jwk() {
            c.add(i, jwk.as_bytes());
        }
        if let Ok(p) = key.public_key() {
            c.add(
                i + 16,
                serde_json::to_vec(&p.public_jwk().unwrap()).unwrap(),
            );
        }
    }
    let public: Vec<Key> = all.iter().filter_map(|key| key.public_key().ok()).collect();
    c.add(0, jwt::jwks(&public).unwrap());
    c.add(16, jwt::jwks(&public[1..]).unwrap());
    c.add(
        32,
        r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"oct","k":"AA"},{"kty":"EC"}]}"#,
    );

    // key: PEM and DER files.
    let mut c = Corpus::new("key");
    for dir in ["keys", "attacks"] {
        let mut paths: Vec<_> = fs::read_dir(data_dir().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pem" || e == "der"))
            .collect();
        paths.sort();
        for (i, p) in paths.iter().enumerate() {
            let bytes = fs::read(p).unwrap();
            let i = u8::try_from(i).unwrap();
            c.add(i, &bytes);
            c.add(i + 3, &bytes);
        }
    }
    c.add(4, [7u8; 32]);

    // scope and scope_roundtrip.
    let scopes = [
        "read write",
        "job:read job:write job:*",
        "all",
        "a b a  c",
        "recording:read\tx",
        "!#[]~ \u{7f}",
        "",
        " ",
        "admin root",
        "x:y:z",
    ];
    let mut c = Corpus::new("scope");
    for (i, a) in scopes.iter().enumerate() {
        let b = scopes[(i + 1) % scopes.len()];
        c.add(u8::try_from(i).unwrap(), format!("{a}\0{b}"));
    }
    c.add(2, "all\0job:read admin");
    c.add(3, "write root\0read job:delete");
    c.add(1, r#"{"scope":"a b","scp":["c","d"]}"#);
    c.add(1, r#"{"authorization_details":[{"actions":["x","y"]}]}"#);
    let mut c = Corpus::new("scope_roundtrip");
    for s in scopes {
        c.raw(s);
    }

    // token: opaque tokens, lookup hashes, PKCE.
    let mut c = Corpus::new("token");
    let format = tessera::token::TokenFormat::new("tsr").unwrap();
    for (i, kind) in [
        tessera::token::TokenKind::AuthorizationCode,
        tessera::token::TokenKind::RefreshToken,
        tessera::token::TokenKind::ApiKey,
        tessera::token::TokenKind::AccessToken,
    ]
    .into_iter()
    .enumerate()
    {
        let t = format.from_random_bytes(kind, &[u8::try_from(i).unwrap() * 40; 32]);
        c.add(u8::try_from(i).unwrap() + 1, t.as_str());
        c.add(0, t.as_str());
    }
    let pepper = tessera::token::Pepper::new("p1", &[1u8; 32]).unwrap();
    c.add(0, pepper.lookup("x").to_string());
    let v = CodeVerifier::new("dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    c.add(0, format!("{}\0{}", v.as_str(), v.challenge_s256()));
    c.add(0x80, format!("{}\0{}", v.as_str(), v.as_str()));

    // wire: header \0 body.
    let mut c = Corpus::new("wire");
    for (h, b) in [
        (
            "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3",
            "grant_type=client_credentials",
        ),
        (
            "Bearer mF_9.B5f-4.1JqM",
            "grant_type=refresh_token&refresh_token=tGzv3JOkF0XG5Qx2TlKWIA&scope=a%20b",
        ),
        (
            "",
            "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&redirect_uri=https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb&client_id=s6BhdRkqt3&code_verifier=dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk",
        ),
        (
            "https://client.example.com/cb?x=1",
            "response_type=code&client_id=s6BhdRkqt3&state=xyz&redirect_uri=https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&scope=read+write",
        ),
        (
            "http://127.0.0.1:8080/cb",
            "token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token",
        ),
        ("Basic !!", "client_id=app&client_secret=pw&token=abc"),
        ("bearer   x", "a=%G1&b=%C3%A9&c+d=e+f&&="),
    ] {
        c.add(0, format!("{h}\0{b}"));
        c.add(2, format!("{h}\0{b}"));
    }

    // grant: a real flow's states and tokens, and requests for every function.
    let f = targets::grant_fixture();
    let issuer = &f.issuer;
    let app = &f.clients[0];
    let query = format!(
        "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=read&state=xyz&code_challenge={}&code_challenge_method=S256",
        v.challenge_s256()
    );
    let req = AuthorizeRequest::from_form(&Form::parse(query.as_bytes()).unwrap()).unwrap();
    let AuthorizeOutcome::Granted {
        redirect, state, ..
    } = issuer.authorize(Some(app), &req, "user-1", NOW, &rng)
    else {
        panic!("authorize refused the seed request")
    };
    let code = redirect.param("code").unwrap();
    let auth = issuer.authenticate(Some(app), "app", None).unwrap();
    let redeem = TokenRequest::AuthorizationCode {
        code: code.clone(),
        redirect_uri: Some("https://app.example/cb".into()),
        code_verifier: Some(v.as_str().into()),
        client_id: None,
    };
    let out = issuer.token(&auth, Some(&state), &redeem, None, NOW + 5, &rng);
    let tokens = out.result.unwrap();
    let state2 = out.state.unwrap();
    let rt = tokens.refresh_token.clone().unwrap();
    assert!(matches!(
        issuer.locate(&code, NOW).unwrap(),
        Locator::Lookup { .. }
    ));
    let s1 = state.to_json();
    let s2 = state2.to_json();
    let redeem_form = format!(
        "grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_verifier={}",
        v.as_str()
    );
    let refresh_form = format!("grant_type=refresh_token&refresh_token={rt}&scope=read");
    let mut c = Corpus::new("grant");
    c.add(0, &query);
    c.add(1, format!("{query}\0user-1"));
    c.add(2, &query);
    c.add(14, "response_type=code&client_id=web&scope=read+all&state=s&redirect_uri=https%3A%2F%2Fweb.example%2Fcb");
    c.add(15, "response_type=token&client_id=web&nonce=n");
    c.add(3, format!("{s1}\0{redeem_form}"));
    c.add(3, format!("{s2}\0{redeem_form}"));
    c.add(3, format!("{s2}\0{refresh_form}"));
    c.add(
        4,
        format!("{s2}\0{}", serde_json::to_string(&redeem).unwrap()),
    );
    c.add(3 + 28, "\0grant_type=client_credentials&scope=job:read");
    c.add(5, format!("{s2}\0{rt}"));
    c.add(5, format!("{s2}\0{}", tokens.access_token));
    c.add(6, &s2);
    c.add(7, format!("{s2}\0{}", tokens.access_token));
    c.add(7, format!("{s2}\0{rt}"));
    c.add(8, "read write job:*\0job:read\0task-7");
    c.add(9, &tokens.access_token);
    c.add(9, &rt);
    c.add(10, format!("app\0{CLIENT_SECRET}"));
    c.add(14 + 10, format!("web\0{CLIENT_SECRET}"));
    c.add(11, &s1);
    c.add(11, &s2);
    c.add(
        12,
        format!("{}\0{}", issuer.policy().to_json(), app.to_json()),
    );
    c.add(13, "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=read\0\x00\x02\x12\x03\x05\x04\x06\x07");
    c.add(14 + 13, "response_type=code&client_id=web&scope=read&redirect_uri=https%3A%2F%2Fweb.example%2Fcb\0\x00\x22\x02\x33\x02\x05");

    // ffi: tokens, PEM, DER, JWK, secrets, JWKS, by selector.
    let mut c = Corpus::new("ffi");
    let hs = jwt::sign(&k.hs256, &Header::new(), &claims, &rng).unwrap();
    let es = jwt::sign(&k.es256, &Header::new(), &claims, &rng).unwrap();
    let ed = jwt::sign(&k.eddsa, &Header::new(), &claims, &rng).unwrap();
    c.add(0, &hs);
    c.add(1, &es);
    c.add(2, &ed);
    c.add(2, &hs);
    c.add(3, targets::P256_PKCS8);
    c.add(3 + 16, targets::RSA2048_PKCS8);
    c.add(3 + 24, targets::ED25519_PKCS8);
    c.add(4, k.es256.public_key().unwrap().public_key_der().unwrap());
    c.add(4 + 8, k.es256.private_key_der().unwrap().as_slice());
    c.add(5, k.es256.private_jwk().unwrap().as_bytes());
    c.add(5 + 24, k.eddsa.private_jwk().unwrap().as_bytes());
    c.add(6, [9u8; 40]);
    c.add(7, jwt::jwks(&public).unwrap());
    c.add(7 + 8, jwt::jwks(&public[3..]).unwrap());

    // roundtrip: claims objects and raw pieces.
    let mut c = Corpus::new("roundtrip");
    for (i, v) in [claims.clone(), odd.clone()].iter().enumerate() {
        let i = u8::try_from(i).unwrap();
        c.add(i, serde_json::to_vec(v).unwrap());
        c.add(0x80 + i, serde_json::to_vec(v).unwrap());
        c.add(0x80 + i + 2, serde_json::to_vec(v).unwrap());
    }
    for v in all_named(&rfc, "payload") {
        if let Some(s) = v.as_str() {
            c.add(0x83, s);
            c.add(4, s);
        }
    }
    c.add(
        0x84,
        r#"{"a":"\u00e9\n","b":1.0e2,"c":-0,"d":12345678901234567890123,"e":[true,null]}"#,
    );
    c.add(
        1,
        b"k\0\x01\x02\x03\x04\x05\0\x02abcdefgh\0\x04xyz\0\x05nested",
    );
    dpop_seeds();
    println!("seeds written");
}
