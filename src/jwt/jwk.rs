//! JSON Web Keys (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2, RFC 8812 §3.1 for secp256k1, and the
//! `AKP` key type of draft-ietf-cose-dilithium for ML-DSA), JWK Sets (RFC 7517 §5) and JWK
//! thumbprints (RFC 7638 §3).
//!
//! Key sets select by `kid`, then by algorithm. A key with an `alg` member is bound to it; a key
//! without one takes the algorithm the caller binds (EC and Ed25519 keys have an unambiguous
//! default from their curve), never the one a token header names.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::alg::{Algorithm, KeyFamily};
use super::b64::{b64_decode, b64_encode};
use super::der::{self, PrivateDer, PublicDer};
use super::json::parse_object;
use super::key::{self, Key, Material, Usage, ec_coordinate_len};
use crate::crypto::{MlDsa, MlDsaSigner, digest};
use crate::{Error, ErrorKind, Result};

pub use crate::limits::{MAX_JWK_LEN, MAX_JWKS_KEYS, MAX_JWKS_LEN};

fn invalid(detail: &'static str) -> Error {
    Error::new(ErrorKind::InvalidKey, detail)
}

fn opt_str<'a>(map: &'a Map<String, Value>, name: &'static str) -> Result<Option<&'a str>> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::with_detail(
            ErrorKind::InvalidKey,
            format!("JWK member {name:?} must be a string"),
        )),
    }
}

fn req_bytes(map: &Map<String, Value>, name: &'static str) -> Result<Zeroizing<Vec<u8>>> {
    let s = opt_str(map, name)?.ok_or_else(|| {
        Error::with_detail(
            ErrorKind::InvalidKey,
            format!("JWK member {name:?} is missing"),
        )
    })?;
    b64_decode(s.as_bytes()).map(Zeroizing::new).map_err(|_| {
        Error::with_detail(
            ErrorKind::InvalidKey,
            format!("JWK member {name:?} is not strict base64url"),
        )
    })
}

fn exact_len(v: &[u8], len: usize, what: &'static str) -> Result<()> {
    if v.len() == len {
        Ok(())
    } else {
        Err(invalid(what))
    }
}

/// Reads `use` and `key_ops` (RFC 7517 §4.2, §4.3): what the key may do.
fn usage(map: &Map<String, Value>) -> Result<Usage> {
    let mut usage = Usage::ANY;
    if let Some(u) = opt_str(map, "use")? {
        if u != "sig" {
            return Err(Error::new(ErrorKind::KeyUsage, "JWK `use` is not \"sig\""));
        }
    }
    match map.get("key_ops") {
        None => {}
        Some(Value::Array(ops)) => {
            let mut seen: Vec<&str> = Vec::with_capacity(ops.len());
            for op in ops {
                let op = op
                    .as_str()
                    .ok_or(invalid("JWK `key_ops` must be an array of strings"))?;
                if seen.contains(&op) {
                    return Err(invalid("JWK `key_ops` lists a value twice"));
                }
                seen.push(op);
            }
            usage = Usage {
                sign: seen.contains(&"sign"),
                verify: seen.contains(&"verify"),
            };
            if !usage.sign && !usage.verify {
                return Err(Error::new(
                    ErrorKind::KeyUsage,
                    "JWK `key_ops` allow neither sign nor verify",
                ));
            }
        }
        Some(_) => return Err(invalid("JWK `key_ops` must be an array of strings")),
    }
    Ok(usage)
}

/// `family`, if the backend of this build implements it.
fn supported(family: KeyFamily) -> Result<KeyFamily> {
    if family.is_supported() {
        Ok(family)
    } else {
        Err(key::family_unsupported(family))
    }
}

fn ec_family(crv: &str) -> Result<KeyFamily> {
    match crv {
        "P-256" => Ok(KeyFamily::P256),
        "P-384" => Ok(KeyFamily::P384),
        // RFC 7518 §6.2.1.1 and RFC 8812 §3.1; whether the backend has the curve is checked
        // before any key material is read.
        "P-521" => supported(KeyFamily::P521),
        "secp256k1" => supported(KeyFamily::Secp256k1),
        _ => Err(Error::new(
            ErrorKind::UnsupportedKey,
            "JWK \"crv\" names an unsupported curve",
        )),
    }
}

/// Builds a [`Key`] from a parsed JWK object. `alg` is the caller's binding, used when the JWK
/// has no `alg`; when both are present they must agree.
pub(crate) fn key_from_jwk(map: &Map<String, Value>, alg: Option<Algorithm>) -> Result<Key> {
    let kty = opt_str(map, "kty")?.ok_or(invalid("JWK member \"kty\" is missing"))?;
    let jwk_alg = match opt_str(map, "alg")? {
        None => None,
        Some(name) => Some(name.parse::<Algorithm>()?),
    };
    let alg = match (jwk_alg, alg) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::with_detail(
                ErrorKind::KeyAlgorithmMismatch,
                format!("the JWK says alg {a} but the caller bound {b}"),
            ));
        }
        (Some(a), _) | (None, Some(a)) => Some(a),
        (None, None) => None,
    };
    let usage = usage(map)?;
    let kid = opt_str(map, "kid")?.map(str::to_owned);
    let key = match kty {
        "oct" => {
            let k = req_bytes(map, "k")?;
            let alg = key::bind(KeyFamily::Hmac, alg)?;
            Key::hmac(&k, alg)?
        }
        "RSA" => {
            let n = req_bytes(map, "n")?;
            let e = req_bytes(map, "e")?;
            if map.contains_key("oth") {
                return Err(Error::new(
                    ErrorKind::UnsupportedKey,
                    "multi-prime RSA keys (`oth`) are not supported",
                ));
            }
            if map.contains_key("d") {
                let parts = ["d", "p", "q", "dp", "dq", "qi"].map(|m| req_bytes(map, m));
                let [d, p, q, dp, dq, qi] = parts;
                let (d, p, q, dp, dq, qi) = (d?, p?, q?, dp?, dq?, qi?);
                let pkcs8 = der::pkcs8_rsa([&n, &e, &d, &p, &q, &dp, &dq, &qi]);
                Key::from_private_der(
                    PrivateDer {
                        family: KeyFamily::Rsa,
                        pkcs8,
                    },
                    alg,
                )?
            } else {
                Key::from_public_der(
                    PublicDer::Rsa {
                        n: n.to_vec(),
                        e: e.to_vec(),
                    },
                    alg,
                )?
            }
        }
        "EC" => {
            let family =
                ec_family(opt_str(map, "crv")?.ok_or(invalid("JWK member \"crv\" is missing"))?)?;
            let len = ec_coordinate_len(family);
            let x = req_bytes(map, "x")?;
            let y = req_bytes(map, "y")?;
            exact_len(&x, len, "EC `x` has the wrong length for its curve")?;
            exact_len(&y, len, "EC `y` has the wrong length for its curve")?;
            let point = [&[4u8][..], &x, &y].concat();
            if map.contains_key("d") {
                let d = req_bytes(map, "d")?;
                exact_len(&d, len, "EC `d` has the wrong length for its curve")?;
                let pkcs8 = der::pkcs8_ec(family, &d, &point);
                Key::from_private_der(PrivateDer { family, pkcs8 }, alg)?
            } else {
                Key::from_public_der(PublicDer::Ec { family, point }, alg)?
            }
        }
        "OKP" => {
            match opt_str(map, "crv")?.ok_or(invalid("JWK member \"crv\" is missing"))? {
                "Ed25519" => {}
                "Ed448" => {
                    return Err(Error::new(
                        ErrorKind::UnsupportedKey,
                        "Ed448 keys are not supported",
                    ));
                }
                "X25519" | "X448" => {
                    return Err(Error::new(
                        ErrorKind::UnsupportedKey,
                        "X25519/X448 keys are for key agreement, not signatures",
                    ));
                }
                _ => {
                    return Err(Error::new(
                        ErrorKind::UnsupportedKey,
                        "unsupported OKP curve",
                    ));
                }
            }
            let x = req_bytes(map, "x")?;
            exact_len(&x, 32, "Ed25519 `x` must be 32 bytes")?;
            if map.contains_key("d") {
                let d = req_bytes(map, "d")?;
                exact_len(&d, 32, "Ed25519 `d` must be 32 bytes")?;
                let pkcs8 = der::pkcs8_ed25519(&d);
                let key = Key::from_private_der(
                    PrivateDer {
                        family: KeyFamily::Ed25519,
                        pkcs8,
                    },
                    alg,
                )?;
                if key.public_der()? != PublicDer::Ed25519(x.to_vec()) {
                    return Err(invalid("Ed25519 `x` does not match `d`"));
                }
                key
            } else {
                Key::from_public_der(PublicDer::Ed25519(x.to_vec()), alg)?
            }
        }
        "AKP" => akp_key(map, alg)?,
        _ => {
            return Err(Error::new(
                ErrorKind::UnsupportedKey,
                "JWK \"kty\" names an unsupported key type",
            ));
        }
    };
    let key = key.with_usage(usage);
    Ok(match kid {
        Some(kid) => key.with_kid(kid),
        None => key,
    })
}

/// The members that define the public key (RFC 7638 §3.2), as (name, value) pairs in
/// lexicographic order.
fn public_members(key: &Key) -> Result<Vec<(&'static str, String)>> {
    Ok(match key.public_der() {
        Ok(PublicDer::Rsa { n, e }) => vec![
            ("e", b64_encode(&e)),
            ("kty", "RSA".into()),
            ("n", b64_encode(&n)),
        ],
        Ok(PublicDer::Ec { family, point }) => {
            let len = ec_coordinate_len(family);
            let crv = match family {
                KeyFamily::P384 => "P-384",
                KeyFamily::P521 => "P-521",
                KeyFamily::Secp256k1 => "secp256k1",
                _ => "P-256",
            };
            let (x, y) = point
                .get(1..)
                .unwrap_or_default()
                .split_at(len.min(point.len().saturating_sub(1)));
            vec![
                ("crv", crv.into()),
                ("kty", "EC".into()),
                ("x", b64_encode(x)),
                ("y", b64_encode(y)),
            ]
        }
        Ok(PublicDer::MlDsa { family, public }) => vec![
            (
                "alg",
                Algorithm::default_for(family)
                    .map_or("", Algorithm::as_str)
                    .into(),
            ),
            ("kty", "AKP".into()),
            ("pub", b64_encode(&public)),
        ],
        Ok(PublicDer::Ed25519(x)) => vec![
            ("crv", "Ed25519".into()),
            ("kty", "OKP".into()),
            ("x", b64_encode(&x)),
        ],
        Err(e) => match key.hmac_secret() {
            Some(k) => vec![("k", b64_encode(k)), ("kty", "oct".into())],
            None => return Err(e),
        },
    })
}

/// RFC 7638 thumbprint (SHA-256, base64url) of a key. For HMAC keys it covers the secret
/// (`k`), as the RFC defines; do not publish it.
pub(crate) fn thumbprint(key: &Key) -> Result<String> {
    let members = public_members(key)?;
    let mut canonical = Zeroizing::new(String::from("{"));
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            canonical.push(',');
        }
        // Values are base64url or fixed names: nothing to escape.
        canonical.push_str(&format!("\"{name}\":\"{value}\""));
    }
    canonical.push('}');
    Ok(b64_encode(
        digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref(),
    ))
}

fn with_metadata(key: &Key, mut map: Map<String, Value>) -> Map<String, Value> {
    let _ = map.insert("alg".into(), Value::String(key.alg().as_str().into()));
    let _ = map.insert("use".into(), Value::String("sig".into()));
    if let Some(kid) = key.kid() {
        let _ = map.insert("kid".into(), Value::String(kid.into()));
    }
    map
}

/// An ML-DSA key from an `AKP` JWK (draft-ietf-cose-dilithium): `alg` (required, one of
/// `ML-DSA-44`, `ML-DSA-65`, `ML-DSA-87`), `pub` (the public key) and, for a private key, `priv`
/// (the 32-byte seed), whose derived public key must equal `pub`.
fn akp_key(map: &Map<String, Value>, alg: Option<Algorithm>) -> Result<Key> {
    if opt_str(map, "alg")?.is_none() {
        return Err(invalid("an AKP JWK needs its \"alg\""));
    }
    let alg = alg.ok_or(invalid("an AKP JWK needs its \"alg\""))?;
    let family = alg.family();
    if family.ml_dsa().is_none() {
        return Err(Error::new(
            ErrorKind::UnsupportedKey,
            "AKP keys are read for ML-DSA-44, ML-DSA-65 and ML-DSA-87 only",
        ));
    }
    let level = key::supported_ml_dsa(family)?;
    let public = req_bytes(map, "pub")?;
    exact_len(
        &public,
        level.public_key_len(),
        "AKP `pub` has the wrong length for its algorithm",
    )?;
    if !map.contains_key("priv") {
        return Key::from_public_der(
            PublicDer::MlDsa {
                family,
                public: public.to_vec(),
            },
            Some(alg),
        );
    }
    let seed = Zeroizing::new(req_bytes(map, "priv")?.to_vec());
    exact_len(
        &seed,
        MlDsa::SEED_LEN,
        "AKP `priv` must be the 32-byte seed",
    )?;
    let pkcs8 = MlDsaSigner::from_seed(level, &seed)
        .map_err(key::rejected)?
        .pkcs8()?;
    let key = Key::from_private_der(PrivateDer { family, pkcs8 }, Some(alg))?;
    if key.public_der()?
        != (PublicDer::MlDsa {
            family,
            public: public.to_vec(),
        })
    {
        return Err(invalid("AKP `pub` does not match `priv`"));
    }
    Ok(key)
}

/// The public JWK of an asymmetric key, with `alg`, `use: "sig"` and `kid`.
pub(crate) fn public_jwk(key: &Key) -> Result<Map<String, Value>> {
    if key.is_symmetric() {
        return Err(Error::new(
            ErrorKind::NoPublicKey,
            "HMAC keys have no public JWK",
        ));
    }
    let map = public_members(key)?
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::String(v)))
        .collect();
    Ok(with_metadata(key, map))
}

/// The private JWK of a key (secret material: handle with care).
pub(crate) fn private_jwk(key: &Key) -> Result<Zeroizing<String>> {
    let mut map: Map<String, Value> = public_members(key)?
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::String(v)))
        .collect();
    let secret_members: Vec<(&str, Vec<u8>)> = match &*key.material {
        Material::Hmac { .. } => vec![],
        Material::RsaPrivate { pkcs8, .. } => {
            let parts = der::rsa_private_parts(pkcs8)?;
            ["d", "p", "q", "dp", "dq", "qi"]
                .iter()
                .zip(parts.iter().skip(2))
                .map(|(n, v)| (*n, v.to_vec()))
                .collect()
        }
        Material::EcPrivate { pkcs8, family, .. } => {
            // Exactly the curve's scalar length (RFC 7518 §6.2.2.1), whatever padding the
            // PKCS#8 document used.
            let d = der::ec_private_scalar(pkcs8)?;
            let d = &d[d.iter().take_while(|&&b| b == 0).count()..];
            let len = ec_coordinate_len(*family);
            let mut padded = vec![0u8; len.saturating_sub(d.len())];
            padded.extend_from_slice(d);
            vec![("d", padded)]
        }
        Material::EdPrivate { pkcs8, .. } => vec![("d", der::ed25519_seed(pkcs8)?.to_vec())],
        Material::MlDsaPrivate { pkcs8, .. } => match der::ml_dsa_seed(pkcs8)? {
            Some(seed) => vec![("priv", seed.to_vec())],
            None => {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "this ML-DSA key was loaded in its expanded form, without the seed an AKP \
                     JWK holds",
                ));
            }
        },
        _ => return Err(Error::new(ErrorKind::NotPrivateKey, "this is a public key")),
    };
    for (name, value) in secret_members {
        let value = Zeroizing::new(value);
        let _ = map.insert(name.into(), Value::String(b64_encode(&value)));
    }
    let map = with_metadata(key, map);
    let text = Zeroizing::new(
        serde_json::to_string(&Value::Object(map))
            .map_err(|_| invalid("JWK serialisation failed"))?,
    );
    Ok(text)
}

/// Why a JWK in a JWKS document was left out of a [`KeySet`].
///
/// ```
/// use tessera::jwt::KeySet;
/// let jwks = br#"{"keys":[
///   {"kty":"RSA","use":"enc","kid":"e","n":"AQAB","e":"AQAB"},
///   {"kty":"OKP","crv":"Ed25519","kid":"s","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
/// let set = KeySet::from_jwks(jwks, &[])?;
/// assert_eq!(set.keys().len(), 1);
/// assert_eq!(set.skipped()[0].kid.as_deref(), Some("e"));
/// assert_eq!(set.skipped()[0].reason.kind(), tessera::ErrorKind::KeyUsage);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SkippedKey {
    /// The key's `kid`, if it had a string one.
    pub kid: Option<String>,
    /// Why it was left out (unsupported type or algorithm, not for signatures, no algorithm).
    pub reason: Error,
}

/// A set of verification keys (a JWKS), selected by `kid` and then by algorithm.
///
/// Immutable, `Send + Sync`. Rotation is the host's job: build a new set from the new document.
///
/// ```
/// use tessera::jwt::{Algorithm, KeySet};
/// let jwks = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1",
///   "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///   "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;
/// let set = KeySet::from_jwks(jwks.as_bytes(), &[])?;
/// assert_eq!(set.keys()[0].alg(), Algorithm::ES256);
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct KeySet {
    keys: Vec<Key>,
    skipped: Vec<SkippedKey>,
}

impl KeySet {
    /// A key set from keys the caller built. Fails with [`ErrorKind::AmbiguousKeySet`] when
    /// HMAC and asymmetric keys are mixed or two keys share a `kid` and algorithm, and with
    /// [`ErrorKind::KeyNotFound`] when `keys` is empty.
    pub fn new(keys: Vec<Key>) -> Result<KeySet> {
        if keys.is_empty() {
            return Err(Error::new(
                ErrorKind::KeyNotFound,
                "a key set needs at least one key",
            ));
        }
        if keys.len() > MAX_JWKS_KEYS {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "more than 64 keys in a key set",
            ));
        }
        let symmetric = keys.iter().filter(|k| k.is_symmetric()).count();
        if symmetric != 0 && symmetric != keys.len() {
            return Err(Error::new(
                ErrorKind::AmbiguousKeySet,
                "a key set may not mix HMAC and asymmetric keys",
            ));
        }
        for (i, a) in keys.iter().enumerate() {
            if keys[..i]
                .iter()
                .any(|b| a.kid().is_some() && a.kid() == b.kid() && a.alg() == b.alg())
            {
                return Err(Error::new(
                    ErrorKind::AmbiguousKeySet,
                    "two keys share a \"kid\" and an algorithm",
                ));
            }
        }
        Ok(KeySet {
            keys,
            skipped: Vec::new(),
        })
    }

    /// Parses a JWKS document (`{"keys": [...]}`).
    ///
    /// `default_algs` binds keys that carry no `alg`: each such key is entered once for every
    /// listed algorithm of its family (EC and Ed25519 keys without `alg` and without a listed
    /// algorithm take their curve's algorithm). Keys that cannot verify JWS signatures are
    /// skipped and reported by [`KeySet::skipped`]: unsupported `kty`, curve or `alg`, `use`
    /// other than `sig`, `key_ops` without `verify`, or no algorithm to bind. Malformed or weak
    /// keys of a supported type fail the whole document, as do duplicate `kid`s (between any
    /// two entries), mixed HMAC
    /// and asymmetric keys, and a document with no usable key.
    pub fn from_jwks(jwks: &[u8], default_algs: &[Algorithm]) -> Result<KeySet> {
        if jwks.len() > MAX_JWKS_LEN {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "JWKS document larger than 256 KiB",
            ));
        }
        let doc = parse_object(jwks)?;
        let Some(Value::Array(entries)) = doc.get("keys") else {
            return Err(Error::new(
                ErrorKind::InvalidKey,
                "a JWKS document needs a \"keys\" array",
            ));
        };
        if entries.len() > MAX_JWKS_KEYS {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "more than 64 keys in a JWKS document",
            ));
        }
        // Duplicate `kid`s make selection ambiguous whatever the keys are: checked first.
        let mut kids: Vec<&str> = Vec::with_capacity(entries.len());
        for kid in entries
            .iter()
            .filter_map(|e| e.get("kid"))
            .filter_map(Value::as_str)
        {
            if kids.contains(&kid) {
                return Err(Error::new(
                    ErrorKind::AmbiguousKeySet,
                    "two keys of the JWKS share a \"kid\"",
                ));
            }
            kids.push(kid);
        }
        let mut keys = Vec::new();
        let mut skipped = Vec::new();
        for entry in entries {
            let Value::Object(map) = entry else {
                return Err(Error::new(
                    ErrorKind::InvalidKey,
                    "a JWKS entry is not an object",
                ));
            };
            let kid = map.get("kid").and_then(Value::as_str);
            match jwk_entry_keys(map, default_algs) {
                Ok(found) => keys.extend(found),
                Err(reason) if skippable(reason.kind()) => skipped.push(SkippedKey {
                    kid: kid.map(str::to_owned),
                    reason,
                }),
                Err(e) => return Err(e),
            }
        }
        if keys.is_empty() {
            let why = skipped
                .first()
                .map(|s| s.reason.to_string())
                .unwrap_or_else(|| "the document is empty".into());
            return Err(Error::with_detail(
                ErrorKind::KeyNotFound,
                format!("no usable signature key in the JWKS: {why}"),
            ));
        }
        let mut set = KeySet::new(keys)?;
        set.skipped = skipped;
        Ok(set)
    }

    /// The usable keys, in document order.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// The JWKs that were left out, with the reason.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The keys that may verify a token with this `kid` and `alg`: keys with that `kid`, or
    /// if none has it, keys without a `kid`; in both cases only keys bound to `alg`.
    pub(crate) fn candidates<'a>(
        &'a self,
        kid: Option<&'a str>,
        alg: Algorithm,
    ) -> impl Iterator<Item = &'a Key> + Clone + 'a {
        let known = kid.is_some_and(|kid| self.keys.iter().any(|k| k.kid() == Some(kid)));
        self.keys.iter().filter(move |k| {
            k.alg().accepts(alg)
                && match kid {
                    Some(kid) if known => k.kid() == Some(kid),
                    Some(_) => k.kid().is_none(),
                    None => true,
                }
        })
    }

    /// The public JWKS document of these keys (what an authorization server serves at its
    /// `jwks_uri`). Fails for HMAC keys ([`ErrorKind::NoPublicKey`]) and for keys sharing a
    /// `kid` ([`ErrorKind::AmbiguousKeySet`]), which [`KeySet::from_jwks`] would refuse.
    pub fn to_jwks(&self) -> Result<String> {
        jwks_document(&self.keys)
    }
}

fn skippable(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::UnsupportedKey
            | ErrorKind::UnsupportedAlgorithm
            | ErrorKind::KeyUsage
            | ErrorKind::KeyAlgorithmMismatch
    )
}

fn jwk_entry_keys(map: &Map<String, Value>, default_algs: &[Algorithm]) -> Result<Vec<Key>> {
    let usage = usage(map)?;
    if !usage.verify {
        return Err(Error::new(
            ErrorKind::KeyUsage,
            "key_ops do not allow verify",
        ));
    }
    if map.contains_key("alg") {
        return Ok(vec![key_from_jwk(map, None)?]);
    }
    // No `alg`: build once to learn the family, then bind each listed algorithm of it.
    let probe = match key_from_jwk(map, None) {
        Ok(key) => key,
        Err(e) if e.kind() == ErrorKind::KeyAlgorithmMismatch => {
            // RSA or oct without alg: find the family from the first listed algorithm that fits.
            let fitting: Vec<Key> = default_algs
                .iter()
                .filter_map(|a| key_from_jwk(map, Some(*a)).ok())
                .collect();
            if fitting.is_empty() {
                // Surface structural errors (bad n, short secret) rather than "no algorithm".
                let family_alg = if map.get("kty").and_then(Value::as_str) == Some("oct") {
                    Algorithm::HS256
                } else {
                    Algorithm::RS256
                };
                let structural = key_from_jwk(map, Some(family_alg));
                return match structural {
                    Err(err) if err.kind() != ErrorKind::KeyAlgorithmMismatch => Err(err),
                    _ => Err(Error::new(
                        ErrorKind::KeyAlgorithmMismatch,
                        "key has no `alg` and no default algorithm of its family was given",
                    )),
                };
            }
            return Ok(fitting);
        }
        Err(e) => return Err(e),
    };
    let listed: Vec<Key> = default_algs
        .iter()
        .filter(|a| a.family() == probe.family())
        .filter_map(|a| probe.clone().with_alg(*a).ok())
        .collect();
    Ok(if listed.is_empty() {
        vec![probe]
    } else {
        listed
    })
}

/// A public JWKS document for `keys`. Keys sharing a `kid` (say, one key bound to several
/// algorithms) are refused rather than written once per algorithm: that document would repeat
/// the `kid`, and [`KeySet::from_jwks`] refuses it.
pub(crate) fn jwks_document(keys: &[Key]) -> Result<String> {
    // Such keys come from one alg-less JWK bound to several default algorithms, or from
    // `KeySet::new` with one `kid` under two algorithms.
    for (i, a) in keys.iter().enumerate() {
        if a.kid()
            .is_some_and(|kid| keys[..i].iter().any(|b| b.kid() == Some(kid)))
        {
            return Err(Error::new(
                ErrorKind::AmbiguousKeySet,
                "two keys share a \"kid\": a JWKS document cannot list both",
            ));
        }
    }
    let list: Vec<Value> = keys
        .iter()
        .map(|k| public_jwk(k).map(Value::Object))
        .collect::<Result<_>>()?;
    let mut doc = Map::new();
    let _ = doc.insert("keys".into(), Value::Array(list));
    serde_json::to_string(&Value::Object(doc)).map_err(|_| invalid("JWKS serialisation failed"))
}

impl Key {
    /// Loads a key from a JWK (RFC 7517). `alg` binds the algorithm when the JWK has no `alg`
    /// member; when both are given they must agree ([`ErrorKind::KeyAlgorithmMismatch`]).
    /// `use` other than `sig` is [`ErrorKind::KeyUsage`]; `key_ops` limit the key to signing
    /// and/or verifying. Private members (`d`, ...) make a private key.
    pub fn from_jwk(jwk: &[u8], alg: Option<Algorithm>) -> Result<Key> {
        if jwk.len() > MAX_JWK_LEN {
            return Err(Error::new(ErrorKind::TooLarge, "JWK larger than 32 KiB"));
        }
        key_from_jwk(&parse_object(jwk)?, alg)
    }

    /// Loads a key from an already parsed JWK object.
    pub fn from_jwk_value(jwk: &Map<String, Value>, alg: Option<Algorithm>) -> Result<Key> {
        key_from_jwk(jwk, alg)
    }

    /// The public JWK (with `alg`, `use` and `kid`). HMAC keys have none
    /// ([`ErrorKind::NoPublicKey`]).
    pub fn public_jwk(&self) -> Result<Map<String, Value>> {
        public_jwk(self)
    }

    /// The private JWK, secret members included, as JSON text wiped on drop.
    pub fn private_jwk(&self) -> Result<Zeroizing<String>> {
        private_jwk(self)
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url).
    pub fn thumbprint(&self) -> Result<String> {
        thumbprint(self)
    }
}

/// The public JWKS document for a set of keys, as an authorization server publishes it.
/// Fails for HMAC keys ([`ErrorKind::NoPublicKey`]) and for keys sharing a `kid`
/// ([`ErrorKind::AmbiguousKeySet`]).
pub fn jwks(keys: &[Key]) -> Result<String> {
    jwks_document(keys)
}
