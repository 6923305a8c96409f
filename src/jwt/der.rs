//! Minimal, strict DER and PEM handling for key containers: PKCS#8 (RFC 5958), SPKI and X.509
//! certificates (RFC 5280 §4.1), PKCS#1 RSA keys (RFC 8017 App. A.1), SEC1 EC keys (RFC 5915),
//! ML-DSA keys (draft-ietf-lamps-dilithium-certificates) and PEM (RFC 7468). Only what key
//! loading and export need: no chain validation, no certificate semantics beyond locating the
//! subject public key.

use base64::Engine as _;
use zeroize::Zeroizing;

use super::alg::KeyFamily;
use crate::{Error, ErrorKind, Result};

pub use crate::limits::MAX_KEY_INPUT;

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
/// `[1] IMPLICIT BIT STRING`: the public key of a PKCS#8 version 2 document (RFC 5958 §2).
const TAG_PUBLIC_KEY_V2: u8 = 0x81;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
pub(crate) const TAG_CTX0: u8 = 0xA0;
pub(crate) const TAG_CTX1: u8 = 0xA1;

pub(crate) const OID_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
const OID_RSA_PSS: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A];
pub(crate) const OID_EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
pub(crate) const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
pub(crate) const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x23];
const OID_SECP256K1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x0A];
pub(crate) const OID_ED25519: &[u8] = &[0x2B, 0x65, 0x70];
const OID_ED448: &[u8] = &[0x2B, 0x65, 0x71];
const OID_X25519: &[u8] = &[0x2B, 0x65, 0x6E];
/// id-ml-dsa-44, -65, -87 (2.16.840.1.101.3.4.3.17, .18, .19; draft-ietf-lamps-dilithium-certificates).
const OID_ML_DSA_44: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x11];
const OID_ML_DSA_65: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12];
const OID_ML_DSA_87: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x13];

fn bad(detail: &'static str) -> Error {
    Error::new(ErrorKind::InvalidKey, detail)
}

/// A cursor over DER bytes. Strict: definite, minimally encoded lengths; single-byte tags.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads one TLV and returns its tag and value.
    pub(crate) fn any(&mut self) -> Result<(u8, &'a [u8])> {
        let (&tag, rest) = self.data.split_first().ok_or(bad("truncated DER"))?;
        if tag & 0x1F == 0x1F {
            return Err(bad("multi-byte DER tags are not used in keys"));
        }
        let (&first, mut rest) = rest.split_first().ok_or(bad("truncated DER length"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7F);
            if n == 0 || n > 3 || rest.len() < n {
                return Err(bad("unsupported or indefinite DER length"));
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = (len << 8) | usize::from(b);
            }
            rest = &rest[n..];
            // Minimal encoding: no leading zero octet, and long form only for >= 128.
            if len < 0x80 || (n > 1 && len >> (8 * (n - 1)) == 0) {
                return Err(bad("non-minimal DER length"));
            }
            len
        };
        if rest.len() < len {
            return Err(bad("truncated DER value"));
        }
        let (value, rest) = rest.split_at(len);
        self.data = rest;
        Ok((tag, value))
    }

    /// Reads one TLV that must have `tag`.
    pub(crate) fn expect(&mut self, tag: u8) -> Result<&'a [u8]> {
        match self.any()? {
            (t, v) if t == tag => Ok(v),
            _ => Err(bad("unexpected DER structure")),
        }
    }

    /// Reads an INTEGER as unsigned big-endian bytes without leading zeros (rejecting negative
    /// and non-minimal encodings).
    pub(crate) fn uint(&mut self) -> Result<&'a [u8]> {
        let v = self.expect(TAG_INTEGER)?;
        match v {
            [] => Err(bad("empty DER integer")),
            [b, ..] if b & 0x80 != 0 => Err(bad("negative DER integer")),
            [0] => Ok(&v[1..]),
            [0, b, ..] if b & 0x80 == 0 => Err(bad("non-minimal DER integer")),
            [0, rest @ ..] => Ok(rest),
            _ => Ok(v),
        }
    }

    /// Reads a small INTEGER (versions).
    pub(crate) fn small_uint(&mut self) -> Result<u8> {
        match self.uint()? {
            [] => Ok(0),
            [b] => Ok(*b),
            _ => Err(bad("unexpected DER version")),
        }
    }

    /// Reads a BIT STRING with no unused bits and returns its content.
    pub(crate) fn bit_string(&mut self) -> Result<&'a [u8]> {
        match self.expect(TAG_BIT_STRING)? {
            [0, rest @ ..] => Ok(rest),
            _ => Err(bad("BIT STRING with unused bits")),
        }
    }

    pub(crate) fn end(&self) -> Result<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(bad("trailing data after DER structure"))
        }
    }
}

/// Reads exactly one SEQUENCE spanning all of `der` and returns a reader over its content.
pub(crate) fn sequence(der: &[u8]) -> Result<Reader<'_>> {
    let mut outer = Reader::new(der);
    let inner = outer.expect(TAG_SEQUENCE)?;
    outer.end()?;
    Ok(Reader::new(inner))
}

/// The algorithm identifier of a key: which family it belongs to.
fn key_family(alg_id: &[u8]) -> Result<KeyFamily> {
    let mut r = Reader::new(alg_id);
    let oid = r.expect(TAG_OID)?;
    let family = match oid {
        OID_RSA => {
            // parameters: NULL (RFC 3279 §2.3.1); tolerate absence.
            if !r.is_empty() {
                let _ = r.expect(TAG_NULL)?;
            }
            KeyFamily::Rsa
        }
        OID_EC_PUBLIC_KEY => match r.expect(TAG_OID)? {
            OID_P256 => KeyFamily::P256,
            OID_P384 => KeyFamily::P384,
            // Whether the backend implements the curve is checked when the key is built.
            OID_P521 => KeyFamily::P521,
            OID_SECP256K1 => KeyFamily::Secp256k1,
            _ => {
                return Err(Error::new(
                    ErrorKind::UnsupportedKey,
                    "unsupported or explicit EC curve",
                ));
            }
        },
        OID_ED25519 => KeyFamily::Ed25519,
        // Parameters absent (draft-ietf-lamps-dilithium-certificates); whether the build has ML-DSA is checked when the
        // key is built.
        OID_ML_DSA_44 => KeyFamily::MlDsa44,
        OID_ML_DSA_65 => KeyFamily::MlDsa65,
        OID_ML_DSA_87 => KeyFamily::MlDsa87,
        OID_RSA_PSS => {
            return Err(Error::new(
                ErrorKind::UnsupportedKey,
                "RSASSA-PSS-restricted keys (id-RSASSA-PSS) are not supported; use an rsaEncryption key",
            ));
        }
        OID_ED448 => {
            return Err(Error::new(
                ErrorKind::UnsupportedKey,
                "Ed448 keys are not supported",
            ));
        }
        OID_X25519 => {
            return Err(Error::new(
                ErrorKind::UnsupportedKey,
                "X25519 keys cannot sign",
            ));
        }
        _ => {
            return Err(Error::new(
                ErrorKind::UnsupportedKey,
                "unsupported key algorithm",
            ));
        }
    };
    r.end()?;
    Ok(family)
}

/// A public key extracted from a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PublicDer {
    /// RSA modulus and exponent, unsigned big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// Uncompressed SEC1 point of a P-256, P-384, P-521 or secp256k1 key.
    Ec { family: KeyFamily, point: Vec<u8> },
    /// Raw Ed25519 public key.
    Ed25519(Vec<u8>),
    /// Raw ML-DSA public key (FIPS 204 `pkEncode`).
    MlDsa { family: KeyFamily, public: Vec<u8> },
}

/// A private key as a PKCS#8 v1/v2 document for the backend.
pub(crate) struct PrivateDer {
    pub(crate) family: KeyFamily,
    pub(crate) pkcs8: Zeroizing<Vec<u8>>,
}

/// What a DER key container held.
pub(crate) enum ParsedDer {
    Private(PrivateDer),
    Public(PublicDer),
}

/// Parses a PKCS#1 `RSAPublicKey`.
pub(crate) fn rsa_public_pkcs1(der: &[u8]) -> Result<PublicDer> {
    let mut r = sequence(der)?;
    let n = r.uint()?.to_vec();
    let e = r.uint()?.to_vec();
    r.end()?;
    Ok(PublicDer::Rsa { n, e })
}

/// Parses a SubjectPublicKeyInfo.
pub(crate) fn spki(der: &[u8]) -> Result<PublicDer> {
    let mut r = sequence(der)?;
    let family = key_family(r.expect(TAG_SEQUENCE)?)?;
    let key = r.bit_string()?;
    r.end()?;
    match family {
        KeyFamily::Rsa => rsa_public_pkcs1(key),
        KeyFamily::P256 | KeyFamily::P384 | KeyFamily::P521 | KeyFamily::Secp256k1 => {
            Ok(PublicDer::Ec {
                family,
                point: key.to_vec(),
            })
        }
        KeyFamily::Ed25519 => Ok(PublicDer::Ed25519(key.to_vec())),
        KeyFamily::MlDsa44 | KeyFamily::MlDsa65 | KeyFamily::MlDsa87 => Ok(PublicDer::MlDsa {
            family,
            public: key.to_vec(),
        }),
        KeyFamily::Hmac => Err(bad("unexpected key family")),
    }
}

/// Extracts the subject public key of an X.509 certificate (no validation of any kind).
pub(crate) fn certificate_spki(der: &[u8]) -> Result<PublicDer> {
    let mut cert = sequence(der)?;
    let mut tbs = Reader::new(cert.expect(TAG_SEQUENCE)?);
    let _sig_alg = cert.expect(TAG_SEQUENCE)?;
    let _sig = cert.expect(TAG_BIT_STRING)?;
    cert.end()?;
    if tbs.peek_tag() == Some(TAG_CTX0) {
        let _version = tbs.any()?;
    }
    let _serial = tbs.expect(TAG_INTEGER)?;
    let _signature = tbs.expect(TAG_SEQUENCE)?;
    let _issuer = tbs.expect(TAG_SEQUENCE)?;
    let _validity = tbs.expect(TAG_SEQUENCE)?;
    let _subject = tbs.expect(TAG_SEQUENCE)?;
    let spki_value = tbs.expect(TAG_SEQUENCE)?;
    spki(&tlv(TAG_SEQUENCE, spki_value))
}

/// Checks a PKCS#8 document and reports its key family.
pub(crate) fn pkcs8(der: &[u8]) -> Result<PrivateDer> {
    let mut r = sequence(der)?;
    let version = r.small_uint()?;
    if version > 1 {
        return Err(bad("unsupported PKCS#8 version"));
    }
    let family = key_family(r.expect(TAG_SEQUENCE)?)?;
    // Version 1 (RFC 5958 OneAsymmetricKey, with the public key) is read for Ed25519 only
    // (RFC 8410 §7), whichever backend is built: ring refuses it for RSA and EC keys, and
    // aws-lc's leniency must not make the two builds disagree.
    if version == 1 && family != KeyFamily::Ed25519 {
        return Err(bad(
            "PKCS#8 version 2 (OneAsymmetricKey) is read for Ed25519 keys only",
        ));
    }
    let _key = r.expect(TAG_OCTET_STRING)?;
    if version == 1 {
        // The public key, `[1] IMPLICIT BIT STRING` after the optional `[0]` attributes, is
        // required in a version 2 document (ring refuses one without it).
        if r.peek_tag() == Some(TAG_CTX0) {
            let _attributes = r.expect(TAG_CTX0)?;
        }
        if r.peek_tag() != Some(TAG_PUBLIC_KEY_V2) {
            return Err(bad("PKCS#8 version 2 document without its public key"));
        }
    }
    Ok(PrivateDer {
        family,
        pkcs8: Zeroizing::new(der.to_vec()),
    })
}

/// Wraps a PKCS#1 `RSAPrivateKey` into PKCS#8.
pub(crate) fn pkcs8_from_pkcs1(pkcs1: &[u8]) -> Result<PrivateDer> {
    // Check the shape first: version 0 and nine integers.
    let mut r = sequence(pkcs1)?;
    if r.small_uint()? != 0 {
        return Err(Error::new(
            ErrorKind::UnsupportedKey,
            "multi-prime RSA keys are not supported",
        ));
    }
    for _ in 0..8 {
        let _ = r.uint()?;
    }
    r.end()?;
    let alg_id = tlv(
        TAG_SEQUENCE,
        &[tlv(TAG_OID, OID_RSA), tlv(TAG_NULL, &[])].concat(),
    );
    Ok(PrivateDer {
        family: KeyFamily::Rsa,
        pkcs8: wrap_pkcs8(&alg_id, pkcs1),
    })
}

/// Wraps a SEC1 `ECPrivateKey` into PKCS#8 (the curve comes from its `parameters`).
pub(crate) fn pkcs8_from_sec1(sec1: &[u8]) -> Result<PrivateDer> {
    let mut r = sequence(sec1)?;
    if r.small_uint()? != 1 {
        return Err(bad("unsupported ECPrivateKey version"));
    }
    let _d = r.expect(TAG_OCTET_STRING)?;
    let curve = if r.peek_tag() == Some(TAG_CTX0) {
        Reader::new(r.expect(TAG_CTX0)?).expect(TAG_OID)?
    } else {
        return Err(bad("SEC1 key without its curve parameters"));
    };
    if r.peek_tag() != Some(TAG_CTX1) {
        return Err(Error::new(
            ErrorKind::UnsupportedKey,
            "SEC1 key without its public key; convert it with `openssl pkcs8 -topk8 -nocrypt`",
        ));
    }
    let alg_id = tlv(
        TAG_SEQUENCE,
        &[tlv(TAG_OID, OID_EC_PUBLIC_KEY), tlv(TAG_OID, curve)].concat(),
    );
    let family = key_family(&alg_id[2..])?;
    Ok(PrivateDer {
        family,
        pkcs8: wrap_pkcs8(&alg_id, sec1),
    })
}

fn wrap_pkcs8(alg_id: &[u8], key: &[u8]) -> Zeroizing<Vec<u8>> {
    let inner = Zeroizing::new(
        [
            tlv(TAG_INTEGER, &[0]),
            alg_id.to_vec(),
            tlv(TAG_OCTET_STRING, key),
        ]
        .concat(),
    );
    Zeroizing::new(tlv(TAG_SEQUENCE, &inner))
}

/// The named-curve OID of an EC family (RFC 5480 §2.1.1.1; secp256k1: SEC 2 v2 A.2.1).
fn curve_oid(family: KeyFamily) -> &'static [u8] {
    match family {
        KeyFamily::P384 => OID_P384,
        KeyFamily::P521 => OID_P521,
        KeyFamily::Secp256k1 => OID_SECP256K1,
        _ => OID_P256,
    }
}

/// Builds PKCS#8 for an EC key from its scalar and uncompressed public point.
pub(crate) fn pkcs8_ec(family: KeyFamily, d: &[u8], point: &[u8]) -> Zeroizing<Vec<u8>> {
    let curve = curve_oid(family);
    let sec1 = Zeroizing::new(tlv(
        TAG_SEQUENCE,
        &Zeroizing::new(
            [
                tlv(TAG_INTEGER, &[1]),
                tlv(TAG_OCTET_STRING, d),
                tlv(
                    TAG_CTX1,
                    &tlv(TAG_BIT_STRING, &[&[0u8][..], point].concat()),
                ),
            ]
            .concat(),
        ),
    ));
    let alg_id = tlv(
        TAG_SEQUENCE,
        &[tlv(TAG_OID, OID_EC_PUBLIC_KEY), tlv(TAG_OID, curve)].concat(),
    );
    wrap_pkcs8(&alg_id, &sec1)
}

/// Builds PKCS#8 v1 for an Ed25519 seed (RFC 8410 §7).
pub(crate) fn pkcs8_ed25519(seed: &[u8]) -> Zeroizing<Vec<u8>> {
    let alg_id = tlv(TAG_SEQUENCE, &tlv(TAG_OID, OID_ED25519));
    wrap_pkcs8(&alg_id, &Zeroizing::new(tlv(TAG_OCTET_STRING, seed)))
}

/// Builds PKCS#8 for an RSA private key from its components (each unsigned big-endian).
pub(crate) fn pkcs8_rsa(parts: [&[u8]; 8]) -> Zeroizing<Vec<u8>> {
    let mut body = Zeroizing::new(tlv(TAG_INTEGER, &[0]));
    for p in parts {
        body.extend_from_slice(&Zeroizing::new(uint(p)));
    }
    let pkcs1 = Zeroizing::new(tlv(TAG_SEQUENCE, &body));
    let alg_id = tlv(
        TAG_SEQUENCE,
        &[tlv(TAG_OID, OID_RSA), tlv(TAG_NULL, &[])].concat(),
    );
    wrap_pkcs8(&alg_id, &pkcs1)
}

/// Returns the private key OCTET STRING content of a PKCS#8 document.
pub(crate) fn pkcs8_private_key(pkcs8: &[u8]) -> Result<&[u8]> {
    let mut r = sequence(pkcs8)?;
    let _version = r.small_uint()?;
    let _alg = r.expect(TAG_SEQUENCE)?;
    r.expect(TAG_OCTET_STRING)
}

/// The eight integers (n, e, d, p, q, dp, dq, qi) of the PKCS#1 key inside PKCS#8.
pub(crate) fn rsa_private_parts(pkcs8: &[u8]) -> Result<Vec<&[u8]>> {
    let mut r = sequence(pkcs8_private_key(pkcs8)?)?;
    let _version = r.small_uint()?;
    (0..8).map(|_| r.uint()).collect()
}

/// The private scalar of the SEC1 key inside PKCS#8.
pub(crate) fn ec_private_scalar(pkcs8: &[u8]) -> Result<&[u8]> {
    let mut r = sequence(pkcs8_private_key(pkcs8)?)?;
    let _version = r.small_uint()?;
    r.expect(TAG_OCTET_STRING)
}

/// The 32-byte seed of the ML-DSA key inside PKCS#8 (draft-ietf-lamps-dilithium-certificates: the `seed [0]` choice, or
/// the seed of the `both` choice); `None` when the document holds only the expanded key.
pub(crate) fn ml_dsa_seed(pkcs8: &[u8]) -> Result<Option<&[u8]>> {
    const TAG_SEED: u8 = 0x80;
    let inner = pkcs8_private_key(pkcs8)?;
    let mut r = Reader::new(inner);
    let seed = match r.peek_tag() {
        Some(TAG_SEED) => Some(r.expect(TAG_SEED)?),
        Some(TAG_SEQUENCE) => Some(Reader::new(r.expect(TAG_SEQUENCE)?).expect(TAG_OCTET_STRING)?),
        _ => None,
    };
    Ok(seed.filter(|s| s.len() == 32))
}

/// The seed of the Ed25519 key inside PKCS#8.
pub(crate) fn ed25519_seed(pkcs8: &[u8]) -> Result<&[u8]> {
    let inner = pkcs8_private_key(pkcs8)?;
    let mut r = Reader::new(inner);
    let seed = r.expect(TAG_OCTET_STRING)?;
    r.end()?;
    Ok(seed)
}

/// Builds the SubjectPublicKeyInfo of a public key.
pub(crate) fn spki_der(key: &PublicDer) -> Vec<u8> {
    let (alg_id, bits) = match key {
        PublicDer::Rsa { n, e } => (
            [tlv(TAG_OID, OID_RSA), tlv(TAG_NULL, &[])].concat(),
            tlv(TAG_SEQUENCE, &[uint(n), uint(e)].concat()),
        ),
        PublicDer::Ec { family, point } => (
            [
                tlv(TAG_OID, OID_EC_PUBLIC_KEY),
                tlv(TAG_OID, curve_oid(*family)),
            ]
            .concat(),
            point.clone(),
        ),
        PublicDer::Ed25519(x) => (tlv(TAG_OID, OID_ED25519), x.clone()),
        PublicDer::MlDsa { family, public } => {
            let oid = match family {
                KeyFamily::MlDsa44 => OID_ML_DSA_44,
                KeyFamily::MlDsa65 => OID_ML_DSA_65,
                _ => OID_ML_DSA_87,
            };
            (tlv(TAG_OID, oid), public.clone())
        }
    };
    tlv(
        TAG_SEQUENCE,
        &[
            tlv(TAG_SEQUENCE, &alg_id),
            tlv(TAG_BIT_STRING, &[&[0u8][..], &bits].concat()),
        ]
        .concat(),
    )
}

/// Encodes one TLV.
pub(crate) fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let len = value.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    if len < 0x80 {
        out.push(bytes[bytes.len() - 1]);
    } else {
        let n = bytes.len() - skip;
        out.push(0x80 | u8::try_from(n).unwrap_or(0x7F));
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
    out
}

/// Encodes an unsigned big-endian integer as a DER INTEGER.
pub(crate) fn uint(value: &[u8]) -> Vec<u8> {
    let skip = value.iter().take_while(|&&b| b == 0).count();
    let v = &value[skip..];
    if v.is_empty() {
        tlv(TAG_INTEGER, &[0])
    } else if v[0] & 0x80 != 0 {
        tlv(TAG_INTEGER, &[&[0u8][..], v].concat())
    } else {
        tlv(TAG_INTEGER, v)
    }
}

/// Classifies a DER key container by its structure and extracts the key.
pub(crate) fn parse_any(der: &[u8]) -> Result<ParsedDer> {
    let mut r = sequence(der)?;
    let mut tags = [0u8; 3];
    let mut count = 0usize;
    while !r.is_empty() && count < 3 {
        let (tag, _) = r.any()?;
        tags[count] = tag;
        count += 1;
    }
    let more = !r.is_empty();
    match (&tags[..count], more) {
        ([TAG_INTEGER, TAG_SEQUENCE, TAG_OCTET_STRING], _) => Ok(ParsedDer::Private(pkcs8(der)?)),
        ([TAG_SEQUENCE, TAG_BIT_STRING], false) => Ok(ParsedDer::Public(spki(der)?)),
        ([TAG_SEQUENCE, TAG_SEQUENCE, TAG_BIT_STRING], false) => {
            Ok(ParsedDer::Public(certificate_spki(der)?))
        }
        ([TAG_INTEGER, TAG_INTEGER], false) => Ok(ParsedDer::Public(rsa_public_pkcs1(der)?)),
        ([TAG_INTEGER, TAG_INTEGER, TAG_INTEGER], true) => {
            Ok(ParsedDer::Private(pkcs8_from_pkcs1(der)?))
        }
        ([TAG_INTEGER, TAG_OCTET_STRING, ..], _) => Ok(ParsedDer::Private(pkcs8_from_sec1(der)?)),
        _ => Err(bad("not a PKCS#8, SPKI, PKCS#1, SEC1 or X.509 structure")),
    }
}

/// Reads the first PEM block (RFC 7468) and returns its label and DER content.
pub(crate) fn pem(input: &[u8]) -> Result<(String, Zeroizing<Vec<u8>>)> {
    if input.len() > MAX_KEY_INPUT {
        return Err(Error::new(
            ErrorKind::TooLarge,
            "key input larger than 64 KiB",
        ));
    }
    let text = std::str::from_utf8(input)
        .map_err(|_| Error::new(ErrorKind::InvalidKey, "PEM is not UTF-8"))?;
    let begin = text.find("-----BEGIN ").ok_or(bad("no PEM BEGIN line"))?;
    let after = &text[begin + 11..];
    let label_end = after.find("-----").ok_or(bad("malformed PEM BEGIN line"))?;
    let label = &after[..label_end];
    if label.len() > 64
        || !label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b' ' || b.is_ascii_digit())
    {
        return Err(bad("malformed PEM label"));
    }
    let body_and_rest = &after[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let end = body_and_rest
        .find(&end_marker)
        .ok_or(bad("no matching PEM END line"))?;
    let body = &body_and_rest[..end];
    if body.contains(':') {
        return Err(Error::new(
            ErrorKind::UnsupportedKey,
            "encrypted PEM keys are not supported; decrypt the key first",
        ));
    }
    let compact: Zeroizing<Vec<u8>> =
        Zeroizing::new(body.bytes().filter(|b| !b.is_ascii_whitespace()).collect());
    let der = base64::engine::general_purpose::STANDARD
        .decode(&*compact)
        .map_err(|_| bad("PEM body is not valid base64"))?;
    Ok((label.to_owned(), Zeroizing::new(der)))
}

/// Encodes DER as a PEM block.
pub(crate) fn to_pem(label: &str, der: &[u8]) -> Zeroizing<String> {
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(der));
    let mut out = Zeroizing::new(String::with_capacity(b64.len() + b64.len() / 64 + 64));
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PKCS#8 version 2 is read for Ed25519 only, and only with its public key, on every
    /// backend (aws-lc alone would accept more than ring).
    #[test]
    fn pkcs8_version_2_rules() {
        let ed = pkcs8_ed25519(&[7; 32]);
        assert!(pkcs8(&ed).is_ok());
        let as_v2 = |doc: &[u8], public: Option<&[u8]>| {
            let mut r = sequence(doc).unwrap();
            let _ = r.small_uint().unwrap();
            let alg = r.expect(TAG_SEQUENCE).unwrap();
            let key = r.expect(TAG_OCTET_STRING).unwrap();
            let mut body = [
                tlv(TAG_INTEGER, &[1]),
                tlv(TAG_SEQUENCE, alg),
                tlv(TAG_OCTET_STRING, key),
            ]
            .concat();
            if let Some(p) = public {
                body.extend(tlv(TAG_PUBLIC_KEY_V2, &[&[0u8][..], p].concat()));
            }
            tlv(TAG_SEQUENCE, &body)
        };
        assert!(pkcs8(&as_v2(&ed, Some(&[9; 32]))).is_ok());
        let err = pkcs8(&as_v2(&ed, None)).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        let ec = pkcs8_ec(KeyFamily::P256, &[1; 32], &[4; 65]);
        assert!(pkcs8(&ec).is_ok());
        let err = pkcs8(&as_v2(&ec, Some(&[4; 65]))).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert!(err.detail().contains("Ed25519 keys only"));
    }

    #[test]
    fn lengths_are_strict() {
        // 0x81 0x05: long form for a short length is non-minimal.
        assert!(
            Reader::new(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5])
                .any()
                .is_err()
        );
        // Indefinite length.
        assert!(Reader::new(&[0x30, 0x80, 0, 0]).any().is_err());
        // Truncated.
        assert!(Reader::new(&[0x04, 0x05, 1]).any().is_err());
        assert!(Reader::new(&[]).any().is_err());
        let long = tlv(TAG_OCTET_STRING, &[7u8; 300]);
        let (tag, v) = Reader::new(&long).any().unwrap();
        assert_eq!((tag, v.len()), (TAG_OCTET_STRING, 300));
    }

    #[test]
    fn integers_are_strict() {
        assert_eq!(Reader::new(&uint(&[0x80, 1])).uint().unwrap(), &[0x80, 1]);
        assert_eq!(Reader::new(&uint(&[0, 0, 5])).uint().unwrap(), &[5]);
        assert!(Reader::new(&[0x02, 0x02, 0x00, 0x05]).uint().is_err());
        assert!(Reader::new(&[0x02, 0x01, 0xFF]).uint().is_err());
        assert!(Reader::new(&[0x02, 0x00]).uint().is_err());
    }

    #[test]
    fn pem_round_trip_and_errors() {
        let pem_text = to_pem("PUBLIC KEY", &[1, 2, 3, 4, 5]);
        let (label, der) = pem(pem_text.as_bytes()).unwrap();
        assert_eq!(label, "PUBLIC KEY");
        assert_eq!(&*der, &[1, 2, 3, 4, 5]);
        assert!(pem(b"-----BEGIN PUBLIC KEY-----\nAQID\n-----END PRIVATE KEY-----\n").is_err());
        let enc = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAQID\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(pem(enc).unwrap_err().kind(), ErrorKind::UnsupportedKey);
        assert_eq!(
            pem(&vec![b'a'; MAX_KEY_INPUT + 1]).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }
}
