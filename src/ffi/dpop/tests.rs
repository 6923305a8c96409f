//! The DPoP functions of the C ABI, called as a C caller would: round trips, the RFC 9449
//! examples, a code per failed rule, nonces, replay, binding, and the argument conventions
//! (NULLs, wrong handles, too-small buffers, bad UTF-8, outputs only on success).

use std::ffi::CStr;
use std::ptr::{null, null_mut};

use serde_json::{Value, json};

use super::super::{
    call_json, call_out, tessera_key, tessera_key_free, tessera_key_generate, tessera_scopes,
    tessera_scopes_free, tessera_scopes_parse,
};
use super::*;

const OK: TesseraResult = TesseraResult::OK;
const NOW: i64 = 1_800_000_000;
const HTU: &CStr = c"https://server.example.com/token";

fn code(kind: ErrorKind) -> TesseraResult {
    TesseraResult(kind.code())
}

fn examples() -> Value {
    serde_json::from_str(include_str!("../../../tests/data/rfc9449/examples.json")).unwrap()
}

fn key(alg: &CStr) -> *mut tessera_key {
    let mut k = null_mut();
    // SAFETY: valid inputs.
    assert_eq!(unsafe { tessera_key_generate(alg.as_ptr(), &mut k) }, OK);
    k
}

fn create(
    key: *const tessera_key,
    htm: &CStr,
    htu: &CStr,
    nonce: Option<&CStr>,
    token: Option<&str>,
) -> Result<String, u32> {
    let nonce = nonce.map_or(null(), CStr::as_ptr);
    let (t, tl) = token.map_or((null(), 0), |t| (t.as_ptr(), t.len()));
    // SAFETY: live handle, valid inputs; buffers from `call_out` (a retry makes a new proof of
    // the same length, which `call_out` checks).
    call_out(|o, c, l| unsafe {
        tessera_dpop_proof_create(key, htm.as_ptr(), htu.as_ptr(), NOW, nonce, t, tl, o, c, l)
    })
    .map(|b| String::from_utf8(b).unwrap())
}

fn validator(config: &str, issuer: *const tessera_dpop_nonce_issuer) -> Result<Validator, u32> {
    let mut v = null_mut();
    // SAFETY: valid inputs.
    match unsafe { tessera_dpop_validator_new(config.as_ptr(), config.len(), issuer, &mut v) } {
        OK => Ok(Validator(v)),
        TesseraResult(c) => {
            assert!(v.is_null(), "no handle on failure");
            Err(c)
        }
    }
}

struct Validator(*mut tessera_dpop_validator);
impl Drop for Validator {
    fn drop(&mut self) {
        // SAFETY: a live handle, freed once.
        unsafe { tessera_dpop_validator_free(self.0) }
    }
}

struct ProofH(*mut tessera_dpop_proof);
impl Drop for ProofH {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { tessera_dpop_proof_free(self.0) }
    }
}

fn validate(
    v: &Validator,
    proof: &[u8],
    htm: &CStr,
    htu: &CStr,
    token: Option<&[u8]>,
    now: i64,
) -> Result<ProofH, u32> {
    let (t, tl) = token.map_or((null(), 0), |t| (t.as_ptr(), t.len()));
    let sentinel = 0x5EED as *mut tessera_dpop_proof;
    let mut out = sentinel;
    // SAFETY: live handle, valid inputs.
    match unsafe {
        tessera_dpop_validate(
            v.0,
            proof.as_ptr(),
            proof.len(),
            htm.as_ptr(),
            htu.as_ptr(),
            t,
            tl,
            now,
            &mut out,
        )
    } {
        OK => Ok(ProofH(out)),
        TesseraResult(c) => {
            assert_eq!(out, sentinel, "no handle written on failure");
            Err(c)
        }
    }
}

fn proof_json(p: &ProofH) -> Value {
    // SAFETY: live handle; buffers from `call_json`.
    call_json(|o, c, l| unsafe { tessera_dpop_proof_json(p.0, o, c, l) }).unwrap()
}

fn text_out(f: impl Fn(*mut u8, usize, *mut usize) -> TesseraResult) -> Result<String, u32> {
    call_out(f).map(|b| String::from_utf8(b).unwrap())
}

#[test]
fn create_validate_round_trip() {
    let k = key(c"ES256");
    let v = validator("", null()).unwrap();
    let proof = create(
        k,
        c"POST",
        c"https://server.example.com/token?x=1#f",
        None,
        None,
    )
    .unwrap();
    let p = validate(&v, proof.as_bytes(), c"POST", HTU, None, NOW).unwrap();
    let j = proof_json(&p);
    assert_eq!(j["htm"], "POST");
    assert_eq!(j["htu"], "https://server.example.com/token");
    assert_eq!(j["iat"], NOW);
    assert_eq!(j["alg"], "ES256");
    assert_eq!(j["nonce"], Value::Null);
    assert_eq!(j["replay_until"], NOW + 60);
    assert_eq!(j["jti"].as_str().unwrap().len(), 22);
    // SAFETY: live handles; buffers from `call_out`.
    let jkt = text_out(|o, c, l| unsafe { tessera_dpop_proof_jkt(p.0, o, c, l) }).unwrap();
    assert_eq!(j["jkt"], jkt.as_str());
    // SAFETY: as above.
    let thumb = text_out(|o, c, l| unsafe { super::super::tessera_key_thumbprint(k, o, c, l) });
    assert_eq!(thumb.unwrap(), jkt);

    // With an access token: `ath`, checked at the resource server.
    let token = "an-access-token";
    let proof = create(k, c"GET", c"https://api.example/me", None, Some(token)).unwrap();
    let api = c"https://API.example:443/me?q=2";
    assert!(
        validate(
            &v,
            proof.as_bytes(),
            c"GET",
            api,
            Some(token.as_bytes()),
            NOW
        )
        .is_ok()
    );
    assert_eq!(
        validate(&v, proof.as_bytes(), c"GET", api, Some(b"another"), NOW).err(),
        Some(ErrorKind::DpopAth.code())
    );
    assert_eq!(
        validate(&v, proof.as_bytes(), c"GET", api, Some(b"\xff\xfe"), NOW).err(),
        Some(ErrorKind::DpopAth.code()),
        "a token that is not text has no ath"
    );
    assert_eq!(
        validate(
            &v,
            proof.as_bytes(),
            c"POST",
            api,
            Some(token.as_bytes()),
            NOW
        )
        .err(),
        Some(ErrorKind::DpopMethod.code())
    );
    assert_eq!(
        validate(
            &v,
            proof.as_bytes(),
            c"GET",
            HTU,
            Some(token.as_bytes()),
            NOW
        )
        .err(),
        Some(ErrorKind::DpopUri.code())
    );
    assert_eq!(
        validate(
            &v,
            proof.as_bytes(),
            c"GET",
            api,
            Some(token.as_bytes()),
            NOW + 61
        )
        .err(),
        Some(ErrorKind::DpopIat.code())
    );
    assert_eq!(
        validate(&v, b"\xff.\xfe.x", c"GET", api, None, NOW).err(),
        Some(ErrorKind::DpopMalformed.code())
    );
    assert_eq!(
        validate(&v, proof.as_bytes(), c"G ET", api, None, NOW).err(),
        Some(ErrorKind::InvalidArgument.code())
    );
    // SAFETY: freed once.
    unsafe { tessera_key_free(k) };
}

#[test]
fn rfc9449_examples_validate_at_their_iat() {
    let ex = examples();
    let v = validator("", null()).unwrap();
    for case in ex["proofs"].as_array().unwrap() {
        let htm = std::ffi::CString::new(case["htm"].as_str().unwrap()).unwrap();
        let htu = std::ffi::CString::new(case["htu"].as_str().unwrap()).unwrap();
        let token = case["access_token"].as_str().map(str::as_bytes);
        let iat = case["iat"].as_i64().unwrap();
        let proof = case["proof"].as_str().unwrap();
        let p = validate(&v, proof.as_bytes(), &htm, &htu, token, iat).unwrap();
        let j = proof_json(&p);
        assert_eq!(j["jkt"], ex["jkt"]);
        assert_eq!(j["jti"], case["jti"]);
        // One bit flipped in the signature: refused with the signature's code.
        let mut bad = proof.as_bytes().to_vec();
        let i = proof.rfind('.').unwrap() + 5;
        bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            validate(&v, &bad, &htm, &htu, token, iat).err(),
            Some(ErrorKind::DpopSignature.code())
        );
    }
    // The `ath` of §7.1.
    let token = ex["access_token"].as_str().unwrap();
    // SAFETY: buffers from `call_out`.
    let ath = text_out(|o, c, l| unsafe { tessera_dpop_ath(token.as_ptr(), token.len(), o, c, l) });
    assert_eq!(ath.unwrap(), ex["ath"].as_str().unwrap());
    let mut len = 0usize;
    // SAFETY: invalid UTF-8 input.
    assert_eq!(
        unsafe { tessera_dpop_ath(b"\xff".as_ptr(), 1, null_mut(), 0, &mut len) },
        code(ErrorKind::InvalidUtf8)
    );
}

#[test]
fn validator_config() {
    let v = validator(r#"{"algorithms":["EdDSA","ES256"],"iat_window":5}"#, null()).unwrap();
    // SAFETY: live handle; buffers from `call_out`.
    let algs = text_out(|o, c, l| unsafe { tessera_dpop_validator_algorithms(v.0, o, c, l) });
    assert_eq!(algs.unwrap(), "EdDSA ES256");
    // SAFETY: as above.
    let nonce = text_out(|o, c, l| unsafe { tessera_dpop_validator_nonce(v.0, NOW, o, c, l) });
    assert_eq!(nonce.unwrap(), "", "no nonce required: empty output");
    let k = key(c"ES384");
    let proof = create(k, c"POST", HTU, None, None).unwrap();
    assert_eq!(
        validate(&v, proof.as_bytes(), c"POST", HTU, None, NOW).err(),
        Some(ErrorKind::DpopAlgorithm.code())
    );
    // SAFETY: freed once.
    unsafe { tessera_key_free(k) };
    let k = key(c"EdDSA");
    let proof = create(k, c"POST", HTU, None, None).unwrap();
    assert!(validate(&v, proof.as_bytes(), c"POST", HTU, None, NOW + 5).is_ok());
    assert_eq!(
        validate(&v, proof.as_bytes(), c"POST", HTU, None, NOW + 6).err(),
        Some(ErrorKind::DpopIat.code())
    );
    // SAFETY: freed once.
    unsafe { tessera_key_free(k) };
    let v = validator(r#"{"max_len":100}"#, null()).unwrap();
    let k = key(c"ES256");
    let proof = create(k, c"POST", HTU, None, None).unwrap();
    assert_eq!(
        validate(&v, proof.as_bytes(), c"POST", HTU, None, NOW).err(),
        Some(ErrorKind::DpopMalformed.code())
    );
    // SAFETY: freed once.
    unsafe { tessera_key_free(k) };

    for (config, want) in [
        ("{}", None),
        (
            r#"{"algorithms":["HS256"]}"#,
            Some(ErrorKind::InvalidArgument),
        ),
        (r#"{"algorithms":[]}"#, Some(ErrorKind::InvalidArgument)),
        (
            r#"{"algorithms":["none"]}"#,
            Some(ErrorKind::UnsupportedAlgorithm),
        ),
        (r#"{"iat_window":3601}"#, Some(ErrorKind::InvalidArgument)),
        (r#"{"max_len":0}"#, Some(ErrorKind::InvalidArgument)),
        (r#"{"iat_window":-1}"#, Some(ErrorKind::InvalidJson)),
        (r#"{"unknown":1}"#, Some(ErrorKind::InvalidJson)),
        (
            r#"{"iat_window":1,"iat_window":2}"#,
            Some(ErrorKind::DuplicateMember),
        ),
        ("[]", Some(ErrorKind::InvalidJson)),
        ("{", Some(ErrorKind::InvalidJson)),
    ] {
        let got = validator(config, null()).err();
        assert_eq!(got, want.map(ErrorKind::code), "{config}");
    }
    let mut out = null_mut();
    // SAFETY: invalid UTF-8, NULL with a length, NULL out.
    unsafe {
        assert_eq!(
            tessera_dpop_validator_new(b"\xff".as_ptr(), 1, null(), &mut out),
            code(ErrorKind::InvalidJson)
        );
        assert_eq!(
            tessera_dpop_validator_new(null(), 3, null(), &mut out),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(
            tessera_dpop_validator_new(null(), 0, null(), null_mut()),
            code(ErrorKind::NullPointer)
        );
    }
    assert!(out.is_null());
}

#[test]
fn nonce_flow() {
    let secret = [7u8; 32];
    let mut issuer = null_mut();
    // SAFETY: valid inputs.
    unsafe {
        assert_eq!(
            tessera_dpop_nonce_issuer_new(secret.as_ptr(), 31, 300, &mut issuer),
            code(ErrorKind::WeakKey)
        );
        assert_eq!(
            tessera_dpop_nonce_issuer_new(secret.as_ptr(), 32, 0, &mut issuer),
            code(ErrorKind::InvalidArgument)
        );
        assert!(issuer.is_null());
        assert_eq!(
            tessera_dpop_nonce_issuer_new(secret.as_ptr(), 32, 300, &mut issuer),
            OK
        );
    }
    let v = validator("", issuer).unwrap();
    // SAFETY: live handles; buffers from `call_out`.
    let server_nonce =
        text_out(|o, c, l| unsafe { tessera_dpop_validator_nonce(v.0, NOW, o, c, l) }).unwrap();
    // SAFETY: as above.
    let issuer_nonce =
        text_out(|o, c, l| unsafe { tessera_dpop_nonce_issuer_nonce(issuer, NOW, o, c, l) })
            .unwrap();
    assert_eq!(server_nonce, issuer_nonce);
    assert_eq!(server_nonce.len(), 32);
    // The validator keeps its own copy of the issuer.
    // SAFETY: freed once.
    unsafe { tessera_dpop_nonce_issuer_free(issuer) };

    let k = key(c"ES256");
    let first = create(k, c"POST", HTU, None, None).unwrap();
    assert_eq!(
        validate(&v, first.as_bytes(), c"POST", HTU, None, NOW).err(),
        Some(ErrorKind::DpopNonceRequired.code())
    );
    let c_nonce = std::ffi::CString::new(server_nonce.clone()).unwrap();
    let retry = create(k, c"POST", HTU, Some(&c_nonce), None).unwrap();
    let p = validate(&v, retry.as_bytes(), c"POST", HTU, None, NOW).unwrap();
    assert_eq!(proof_json(&p)["nonce"], server_nonce.as_str());
    // Two steps later the nonce is stale.
    let later = NOW + 600;
    assert_eq!(
        validate(&v, retry.as_bytes(), c"POST", HTU, None, later).err(),
        Some(ErrorKind::DpopIat.code()),
        "the iat check comes first"
    );
    let forged = create(k, c"POST", HTU, Some(c"not-a-server-nonce"), None).unwrap();
    assert_eq!(
        validate(&v, forged.as_bytes(), c"POST", HTU, None, NOW).err(),
        Some(ErrorKind::DpopNonceInvalid.code())
    );
    assert_eq!(
        create(k, c"POST", HTU, Some(c"bad nonce"), None).err(),
        Some(ErrorKind::InvalidArgument.code())
    );

    // The issuer on its own.
    let mut issuer = null_mut();
    // SAFETY: valid inputs; live handle.
    unsafe {
        assert_eq!(
            tessera_dpop_nonce_issuer_new(secret.as_ptr(), 32, 300, &mut issuer),
            OK
        );
        let n = server_nonce.as_bytes();
        assert_eq!(
            tessera_dpop_nonce_issuer_check(issuer, n.as_ptr(), n.len(), NOW + 300),
            OK
        );
        assert_eq!(
            tessera_dpop_nonce_issuer_check(issuer, n.as_ptr(), n.len(), NOW + 600),
            code(ErrorKind::DpopNonceInvalid)
        );
        assert_eq!(
            tessera_dpop_nonce_issuer_check(issuer, b"\xff".as_ptr(), 1, NOW),
            code(ErrorKind::DpopNonceInvalid)
        );
        assert_eq!(
            tessera_dpop_nonce_issuer_check(issuer, null(), 1, NOW),
            code(ErrorKind::NullPointer)
        );
        tessera_dpop_nonce_issuer_free(issuer);
        tessera_key_free(k);
    }
}

#[test]
fn replay_cache() {
    let mut cache = null_mut();
    // SAFETY: valid inputs.
    unsafe {
        assert_eq!(
            tessera_replay_cache_new(0, &mut cache),
            code(ErrorKind::InvalidArgument)
        );
        assert!(cache.is_null());
        assert_eq!(tessera_replay_cache_new(1000, &mut cache), OK);
    }
    let k = key(c"ES256");
    let v = validator("", null()).unwrap();
    let proof = create(k, c"POST", HTU, None, None).unwrap();
    let p = validate(&v, proof.as_bytes(), c"POST", HTU, None, NOW).unwrap();
    let p2 = validate(&v, proof.as_bytes(), c"POST", HTU, None, NOW + 1).unwrap();
    // SAFETY: live handles.
    unsafe {
        assert_eq!(tessera_replay_cache_check_proof(cache, p.0, NOW), OK);
        assert_eq!(
            tessera_replay_cache_check_proof(cache, p2.0, NOW + 1),
            code(ErrorKind::DpopReplay)
        );
        // After replay_until the jti may be forgotten.
        assert_eq!(tessera_replay_cache_check_proof(cache, p2.0, NOW + 61), OK);
        let (s, val) = ("client-1", "jti-1");
        let rec = |now| {
            tessera_replay_cache_check_and_record(
                cache,
                s.as_ptr(),
                s.len(),
                val.as_ptr(),
                val.len(),
                NOW + 100,
                now,
            )
        };
        assert_eq!(rec(NOW), OK);
        assert_eq!(rec(NOW + 50), code(ErrorKind::DpopReplay));
        assert_eq!(
            tessera_replay_cache_check_and_record(cache, null(), 0, null(), 0, NOW, NOW),
            OK,
            "(NULL, 0) is the empty text"
        );
        assert_eq!(
            tessera_replay_cache_check_and_record(cache, b"\xff".as_ptr(), 1, null(), 0, NOW, NOW),
            code(ErrorKind::InvalidUtf8)
        );
        let (mut len, mut capacity, mut evicted) = (usize::MAX, usize::MAX, u64::MAX);
        assert_eq!(
            tessera_replay_cache_stats(cache, &mut len, &mut capacity, null_mut()),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(len, usize::MAX, "nothing written on failure");
        assert_eq!(
            tessera_replay_cache_stats(cache, &mut len, &mut capacity, &mut evicted),
            OK
        );
        // The proof's jti (expired at NOW + 61, so not recorded again), "client-1" and "".
        assert_eq!((len, evicted), (2, 0));
        assert!(capacity >= 1000);
        // A proof handle is not a cache.
        assert_eq!(
            tessera_replay_cache_check_proof(p.0.cast(), p.0, NOW),
            code(ErrorKind::WrongHandle)
        );
        assert_eq!(
            tessera_replay_cache_check_proof(cache, cache.cast(), NOW),
            code(ErrorKind::WrongHandle)
        );
        tessera_replay_cache_free(cache);
        tessera_replay_cache_free(null_mut());
        tessera_key_free(k);
    }
}

#[test]
fn replay_cache_is_shared_between_threads() {
    let mut cache = null_mut();
    // SAFETY: valid inputs.
    assert_eq!(unsafe { tessera_replay_cache_new(100_000, &mut cache) }, OK);
    let addr = cache as usize;
    let accepted: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(move || {
                    let cache = addr as *mut tessera_replay_cache;
                    (0..500)
                        .filter(|i| {
                            let v = i.to_string();
                            // SAFETY: a live, thread-safe cache.
                            unsafe {
                                tessera_replay_cache_check_and_record(
                                    cache,
                                    b"s".as_ptr(),
                                    1,
                                    v.as_ptr(),
                                    v.len(),
                                    NOW + 60,
                                    NOW,
                                ) == OK
                            }
                        })
                        .count()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert_eq!(accepted, 500, "each value accepted exactly once");
    // SAFETY: freed once.
    unsafe { tessera_replay_cache_free(cache) };
}

fn binding(
    claims: &Value,
    proof: Option<&ProofH>,
    cert: &[u8],
    require_bound: bool,
) -> Result<Value, u32> {
    let claims = claims.to_string();
    let proof = proof.map_or(null(), |p| p.0.cast_const());
    let (c, cl) = if cert.is_empty() {
        (null(), 0)
    } else {
        (cert.as_ptr(), cert.len())
    };
    // SAFETY: valid inputs; buffers from `call_json`.
    call_json(|o, cap, l| unsafe {
        tessera_dpop_check_binding(
            claims.as_ptr(),
            claims.len(),
            proof,
            c,
            cl,
            require_bound,
            o,
            cap,
            l,
        )
    })
}

#[test]
fn check_binding_bearer_dpop_and_certificates() {
    let k = key(c"ES256");
    let v = validator("", null()).unwrap();
    let token = "at";
    let proof = create(k, c"GET", c"https://api.example/r", None, Some(token)).unwrap();
    let p = validate(
        &v,
        proof.as_bytes(),
        c"GET",
        c"https://api.example/r",
        Some(token.as_bytes()),
        NOW,
    )
    .unwrap();
    let jkt = proof_json(&p)["jkt"].as_str().unwrap().to_owned();
    let bound = json!({"sub": "a", "cnf": {"jkt": jkt}});
    assert_eq!(
        binding(&bound, Some(&p), &[], true).unwrap(),
        json!({"jkt": jkt})
    );
    assert_eq!(
        binding(&bound, None, &[], false).err(),
        Some(ErrorKind::DpopBoundToken.code())
    );
    let other = json!({"cnf": {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}});
    assert_eq!(
        binding(&other, Some(&p), &[], false).err(),
        Some(ErrorKind::DpopKeyMismatch.code())
    );
    let unbound = json!({"sub": "a"});
    assert_eq!(binding(&unbound, None, &[], false).unwrap(), Value::Null);
    assert_eq!(
        binding(&unbound, None, &[], true).err(),
        Some(ErrorKind::UnboundToken.code())
    );
    assert_eq!(
        binding(&unbound, Some(&p), &[], false).err(),
        Some(ErrorKind::DpopKeyMismatch.code())
    );
    assert_eq!(
        binding(&json!({"cnf": "x"}), None, &[], false).err(),
        Some(ErrorKind::InvalidClaimType.code())
    );

    // mTLS: a certificate-bound token.
    let cert: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x05];
    // SAFETY: buffers from `call_out`.
    let x5t = text_out(|o, c, l| unsafe {
        tessera_certificate_thumbprint(cert.as_ptr(), cert.len(), o, c, l)
    })
    .unwrap();
    assert_eq!(x5t.len(), 43);
    let mtls = json!({"cnf": {"x5t#S256": x5t}});
    assert_eq!(
        binding(&mtls, None, cert, true).unwrap(),
        json!({"x5t#S256": x5t})
    );
    assert_eq!(
        binding(&mtls, None, &[], false).err(),
        Some(ErrorKind::CertificateMismatch.code())
    );
    assert_eq!(
        binding(&mtls, None, &[0x30, 0x03, 0x02, 0x01, 0x06], false).err(),
        Some(ErrorKind::CertificateMismatch.code())
    );
    let mut len = 0usize;
    // SAFETY: bad inputs.
    unsafe {
        assert_eq!(
            tessera_certificate_thumbprint(b"junk".as_ptr(), 4, null_mut(), 0, &mut len),
            code(ErrorKind::InvalidArgument)
        );
        let (claims, bad) = ("{}", "{");
        assert_eq!(
            tessera_dpop_check_binding(
                bad.as_ptr(),
                bad.len(),
                null(),
                null(),
                0,
                false,
                null_mut(),
                0,
                &mut len
            ),
            code(ErrorKind::InvalidJson)
        );
        assert_eq!(
            tessera_dpop_check_binding(
                claims.as_ptr(),
                claims.len(),
                k.cast(),
                null(),
                0,
                false,
                null_mut(),
                0,
                &mut len
            ),
            code(ErrorKind::WrongHandle),
            "a key is not a proof"
        );
        tessera_key_free(k);
    }
}

#[test]
fn verified_check_binding_reads_the_verified_claims() {
    let k = key(c"ES256");
    let v = validator("", null()).unwrap();
    let proof = create(k, c"GET", c"https://api.example/r", None, Some("t")).unwrap();
    let p = validate(
        &v,
        proof.as_bytes(),
        c"GET",
        c"https://api.example/r",
        Some(b"t"),
        NOW,
    )
    .unwrap();
    let jkt = proof_json(&p)["jkt"].as_str().unwrap().to_owned();
    let claims = json!({"exp": NOW + 60, "cnf": {"jkt": jkt}}).to_string();
    let as_key = key(c"ES256");
    // SAFETY: live handles, valid inputs and buffers.
    unsafe {
        let token = text_out(|o, c, l| {
            super::super::tessera_sign(as_key, null(), 0, claims.as_ptr(), claims.len(), o, c, l)
        })
        .unwrap();
        let mut b = null_mut();
        assert_eq!(super::super::tessera_verifier_builder_new(&mut b), OK);
        let mut verifier = null_mut();
        assert_eq!(
            super::super::tessera_verifier_new_with_key(b, as_key, &mut verifier),
            OK
        );
        let mut verified = null_mut();
        assert_eq!(
            super::super::tessera_verify_full(
                verifier,
                token.as_ptr(),
                token.len(),
                NOW,
                &mut verified
            ),
            OK
        );
        let got = call_json(|o, c, l| {
            tessera_verified_check_binding(verified, p.0, null(), 0, true, o, c, l)
        });
        assert_eq!(got.unwrap(), json!({"jkt": jkt}));
        let got = call_json(|o, c, l| {
            tessera_verified_check_binding(verified, null(), null(), 0, true, o, c, l)
        });
        assert_eq!(got.unwrap_err(), ErrorKind::DpopBoundToken.code());
        let got = call_json(|o, c, l| {
            tessera_verified_check_binding(verifier.cast(), null(), null(), 0, true, o, c, l)
        });
        assert_eq!(got.unwrap_err(), ErrorKind::WrongHandle.code());
        super::super::tessera_verified_free(verified);
        super::super::tessera_verifier_free(verifier);
        super::super::tessera_verifier_builder_free(b);
        tessera_key_free(as_key);
        tessera_key_free(k);
    }
}

#[test]
fn arguments_follow_the_conventions() {
    let k = key(c"ES256");
    let v = validator("", null()).unwrap();
    let mut scopes: *mut tessera_scopes = null_mut();
    // SAFETY: valid inputs.
    assert_eq!(unsafe { tessera_scopes_parse(null(), 0, &mut scopes) }, OK);
    let mut buf = [0xA5u8; 16];
    let mut len = usize::MAX;
    // SAFETY: NULLs, handles of the wrong kind, buffers too small.
    unsafe {
        // NULL key, htm, htu; wrong key handle; NULL out_len; NULL out with a capacity.
        for (key, htm, htu) in [
            (null(), c"POST".as_ptr(), HTU.as_ptr()),
            (k.cast_const(), null(), HTU.as_ptr()),
            (k.cast_const(), c"POST".as_ptr(), null()),
        ] {
            assert_eq!(
                tessera_dpop_proof_create(
                    key,
                    htm,
                    htu,
                    NOW,
                    null(),
                    null(),
                    0,
                    buf.as_mut_ptr(),
                    16,
                    &mut len
                ),
                code(ErrorKind::NullPointer)
            );
        }
        assert_eq!(
            tessera_dpop_proof_create(
                scopes.cast(),
                c"POST".as_ptr(),
                HTU.as_ptr(),
                NOW,
                null(),
                null(),
                0,
                buf.as_mut_ptr(),
                16,
                &mut len
            ),
            code(ErrorKind::WrongHandle)
        );
        assert_eq!(
            tessera_dpop_proof_create(
                k,
                c"POST".as_ptr(),
                HTU.as_ptr(),
                NOW,
                null(),
                null(),
                0,
                buf.as_mut_ptr(),
                16,
                null_mut()
            ),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(
            tessera_dpop_proof_create(
                k,
                c"POST".as_ptr(),
                HTU.as_ptr(),
                NOW,
                null(),
                null(),
                0,
                null_mut(),
                16,
                &mut len
            ),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(
            tessera_dpop_proof_create(
                k,
                c"POST".as_ptr(),
                HTU.as_ptr(),
                NOW,
                null(),
                b"\xff".as_ptr(),
                1,
                null_mut(),
                0,
                &mut len
            ),
            code(ErrorKind::InvalidUtf8)
        );
        assert_eq!(
            tessera_dpop_proof_create(
                k,
                c"POST".as_ptr(),
                c"ftp://x/".as_ptr(),
                NOW,
                null(),
                null(),
                0,
                null_mut(),
                0,
                &mut len
            ),
            code(ErrorKind::InvalidArgument)
        );
        assert_eq!(len, usize::MAX, "out_len untouched on failure");
        // Too small: the needed size, nothing written.
        assert_eq!(
            tessera_dpop_proof_create(
                k,
                c"POST".as_ptr(),
                HTU.as_ptr(),
                NOW,
                null(),
                null(),
                0,
                buf.as_mut_ptr(),
                16,
                &mut len
            ),
            code(ErrorKind::BufferTooSmall)
        );
        assert!(len > 16);
        assert_eq!(buf, [0xA5; 16]);
        // A public key cannot sign, a secret key is not for DPoP.
        let mut public = null_mut();
        assert_eq!(super::super::tessera_key_public(k, &mut public), OK);
        assert_eq!(
            tessera_dpop_proof_create(
                public,
                c"POST".as_ptr(),
                HTU.as_ptr(),
                NOW,
                null(),
                null(),
                0,
                null_mut(),
                0,
                &mut len
            ),
            code(ErrorKind::NotPrivateKey)
        );
        tessera_key_free(public);
        let mut hmac = null_mut();
        assert_eq!(
            super::super::tessera_key_hmac([1u8; 32].as_ptr(), 32, c"HS256".as_ptr(), &mut hmac),
            OK
        );
        assert_eq!(
            tessera_dpop_proof_create(
                hmac,
                c"POST".as_ptr(),
                HTU.as_ptr(),
                NOW,
                null(),
                null(),
                0,
                null_mut(),
                0,
                &mut len
            ),
            code(ErrorKind::KeyAlgorithmMismatch)
        );
        tessera_key_free(hmac);

        // validate: NULLs and handles of the wrong kind; no handle written.
        let proof = create(k, c"POST", HTU, None, None).unwrap();
        let mut out = null_mut();
        let call = |v: *const tessera_dpop_validator,
                    p: *const u8,
                    htm: *const c_char,
                    htu: *const c_char,
                    out: *mut *mut tessera_dpop_proof| {
            tessera_dpop_validate(v, p, proof.len(), htm, htu, null(), 0, NOW, out)
        };
        let (p, m, u) = (proof.as_ptr(), c"POST".as_ptr(), HTU.as_ptr());
        assert_eq!(
            call(null(), p, m, u, &mut out),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(
            call(v.0, null(), m, u, &mut out),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(
            call(v.0, p, null(), u, &mut out),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(
            call(v.0, p, m, null(), &mut out),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(call(v.0, p, m, u, null_mut()), code(ErrorKind::NullPointer));
        assert_eq!(
            call(scopes.cast(), p, m, u, &mut out),
            code(ErrorKind::WrongHandle)
        );
        assert!(out.is_null());
        assert_eq!(
            tessera_dpop_validate(v.0, p, proof.len(), m, u, null(), 3, NOW, &mut out),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(
            tessera_dpop_validate(v.0, null(), 0, m, u, null(), 0, NOW, &mut out),
            code(ErrorKind::DpopMalformed),
            "the empty proof"
        );
        assert_eq!(call(v.0, p, m, u, &mut out), OK);
        let proof_h = ProofH(out);

        // Accessors: NULL and wrong handles.
        for f in [tessera_dpop_proof_json, tessera_dpop_proof_jkt] {
            assert_eq!(
                f(null(), buf.as_mut_ptr(), 16, &mut len),
                code(ErrorKind::NullPointer)
            );
            assert_eq!(
                f(v.0.cast(), buf.as_mut_ptr(), 16, &mut len),
                code(ErrorKind::WrongHandle)
            );
            assert_eq!(
                f(proof_h.0, buf.as_mut_ptr(), 16, null_mut()),
                code(ErrorKind::NullPointer)
            );
        }
        assert_eq!(
            tessera_dpop_validator_algorithms(null(), buf.as_mut_ptr(), 16, &mut len),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(
            tessera_dpop_validator_algorithms(proof_h.0.cast(), buf.as_mut_ptr(), 16, &mut len),
            code(ErrorKind::WrongHandle)
        );
        assert_eq!(
            tessera_dpop_validator_nonce(proof_h.0.cast(), NOW, buf.as_mut_ptr(), 16, &mut len),
            code(ErrorKind::WrongHandle)
        );
        assert_eq!(
            tessera_dpop_nonce_issuer_nonce(v.0.cast(), NOW, buf.as_mut_ptr(), 16, &mut len),
            code(ErrorKind::WrongHandle)
        );
        assert_eq!(
            tessera_dpop_nonce_issuer_check(v.0.cast(), b"x".as_ptr(), 1, NOW),
            code(ErrorKind::WrongHandle)
        );
        assert_eq!(
            tessera_dpop_validator_new(null(), 0, v.0.cast(), &mut null_mut()),
            code(ErrorKind::WrongHandle),
            "a validator is not a nonce issuer"
        );
        let (mut a, mut b, mut c) = (0usize, 0usize, 0u64);
        assert_eq!(
            tessera_replay_cache_stats(v.0.cast(), &mut a, &mut b, &mut c),
            code(ErrorKind::WrongHandle)
        );
        assert_eq!(
            tessera_replay_cache_new(10, null_mut()),
            code(ErrorKind::NullPointer)
        );
        assert_eq!(
            tessera_dpop_nonce_issuer_new([1u8; 32].as_ptr(), 32, 300, null_mut()),
            code(ErrorKind::NullPointer)
        );

        // _free of NULL and of another kind of handle: no-ops.
        tessera_dpop_proof_free(null_mut());
        tessera_dpop_validator_free(null_mut());
        tessera_dpop_nonce_issuer_free(null_mut());
        tessera_dpop_proof_free(v.0.cast());
        tessera_dpop_validator_free(proof_h.0.cast());
        tessera_replay_cache_free(proof_h.0.cast());
        tessera_dpop_nonce_issuer_free(proof_h.0.cast());
        // Both still live.
        assert!(call_json(|o, cap, l| tessera_dpop_proof_json(proof_h.0, o, cap, l)).is_ok());
        assert!(text_out(|o, cap, l| tessera_dpop_validator_algorithms(v.0, o, cap, l)).is_ok());
        drop(proof_h);
        tessera_scopes_free(scopes);
        tessera_key_free(k);
    }
}
