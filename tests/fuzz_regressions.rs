//! Regression tests for the bugs the fuzz targets found (`fuzz/README.md` lists them); each
//! crashing input is also kept under `fuzz/regressions/<target>/` and replayed by
//! `tests/fuzz_corpus.rs`.

use serde_json::{Value, json};
use tessera::ErrorKind;
use tessera::jwt::{self, Algorithm, Key, KeySet};

const RSA_SPKI: &[u8] = include_bytes!("data/keys/rsa2048.spki.pem");

/// fuzz target `jwk`: a JWKS entry without `alg`, loaded with two default algorithms, became
/// two keys sharing one `kid`; `KeySet::to_jwks` wrote them as two entries with that `kid`,
/// a document `KeySet::from_jwks` refuses. Writing such a set is now refused too.
#[test]
fn a_key_set_whose_keys_share_a_kid_is_not_written_as_a_jwks_it_cannot_read() {
    let key = Key::from_pem(RSA_SPKI, Some(Algorithm::RS256))
        .unwrap()
        .with_kid("k");
    let mut jwk = key.public_jwk().unwrap();
    let _ = jwk.remove("alg");
    let doc = json!({ "keys": [Value::Object(jwk)] }).to_string();
    let set = KeySet::from_jwks(doc.as_bytes(), &[Algorithm::RS256, Algorithm::PS256]).unwrap();
    assert_eq!(set.keys().len(), 2);
    assert_eq!(
        set.to_jwks().unwrap_err().kind(),
        ErrorKind::AmbiguousKeySet
    );

    let ps = key.clone().with_alg(Algorithm::PS256).unwrap();
    let built = KeySet::new(vec![key.clone(), ps.clone()]).unwrap();
    assert_eq!(
        built.to_jwks().unwrap_err().kind(),
        ErrorKind::AmbiguousKeySet
    );
    assert_eq!(
        jwt::jwks(&[key.clone(), ps]).unwrap_err().kind(),
        ErrorKind::AmbiguousKeySet
    );

    // Keys with distinct `kid`s still round-trip.
    let other = key.clone().with_kid("k2");
    let written = jwt::jwks(&[key, other]).unwrap();
    assert_eq!(
        KeySet::from_jwks(written.as_bytes(), &[])
            .unwrap()
            .keys()
            .len(),
        2
    );
}
