//! DPoP proofs: creating them (RFC 9449 §4.1–§4.2) and validating them (§4.3, every numbered
//! rule), with `ath` (§4.3 rule 12, §7.1) and the `jkt` thumbprint (§6.1, RFC 7638).

use std::fmt;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use super::cnf::Confirmation;
use super::htu::normalize_htu;
use super::nonce::NonceIssuer;
use super::replay::lock;
use crate::crypto::{SecureRandom, constant_time_eq, digest};
use crate::jwt::{Algorithm, Header, Key, Limits, b64_decode, b64_encode, parse_json_object};
pub use crate::limits::{
    DEFAULT_IAT_WINDOW, DEFAULT_MAX_PROOF_LEN, MAX_IAT_WINDOW, MAX_JTI_LEN, MAX_NONCE_LEN,
    MAX_PROOF_LEN,
};
use crate::{Error, ErrorKind, Result};

/// The header `typ` of a DPoP proof (RFC 9449 §4.2).
pub const DPOP_TYP: &str = "dpop+jwt";

/// Random bytes in the `jti` of a proof [`create_proof`] makes (128 bits).
pub const JTI_BYTES: usize = 16;

/// JWK members that hold private key material, refused in a proof's `jwk` (RFC 9449 §4.3
/// rule 7): RSA (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`), EC and OKP (`d`), symmetric (`k`),
/// ML-DSA (`priv`).
const PRIVATE_MEMBERS: [&str; 9] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"];

/// The `ath` claim for `access_token` (RFC 9449 §4.2): base64url of the SHA-256 of its ASCII
/// octets.
///
/// ```
/// // RFC 9449 §7.1
/// let token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
/// assert_eq!(tessera::dpop::ath(token), "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
/// ```
pub fn ath(access_token: &str) -> String {
    b64_encode(digest::digest(&digest::SHA256, access_token.as_bytes()).as_ref())
}

/// Whether `method` is an HTTP method token (RFC 9110 §9.1: `1*tchar`).
fn is_method(method: &str) -> bool {
    !method.is_empty()
        && method.len() <= 64
        && method.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// Whether `nonce` is `1*NQCHAR` (RFC 9449 §8.1).
pub(crate) fn is_nonce(nonce: &str) -> bool {
    !nonce.is_empty() && nonce.len() <= MAX_NONCE_LEN && nonce.bytes().all(crate::scope::is_nqchar)
}

/// `uri` without its query and fragment.
fn without_query(uri: &str) -> &str {
    let end = uri.find(['?', '#']).unwrap_or(uri.len());
    &uri[..end]
}

/// Makes a DPoP proof (RFC 9449 §4.2) for one HTTP request: a JWS signed with the private
/// `key`, whose header has `typ: "dpop+jwt"`, the key's `alg` and its public `jwk` (only the
/// public members RFC 7638 names: no `kid`, `use` or private material), and whose claims are
/// `jti` ([`JTI_BYTES`] random bytes, base64url), `htm`, `htu` (without query and fragment),
/// `iat` = `now`, `nonce` when given (the server's last `DPoP-Nonce`) and `ath` when an access
/// token is given (a request to a resource server).
///
/// Errors: [`ErrorKind::NotPrivateKey`] for a public key, [`ErrorKind::KeyAlgorithmMismatch`]
/// for an HMAC key (DPoP needs a public key the server can check); [`ErrorKind::InvalidArgument`]
/// when `htm` is not a method token, `htu` not an absolute `http(s)` URI, `nonce` not
/// `1*NQCHAR` or `access_token` empty; [`ErrorKind::RandomFailure`].
///
/// ```
/// use tessera::dpop::{ProofValidator, create_proof};
/// use tessera::jwt::{Algorithm, Key};
///
/// let rng = tessera::SystemRandom::new();
/// let key = Key::generate(Algorithm::ES256, &rng)?;
/// let now = 1_800_000_000;
/// let proof = create_proof(&key, "POST", "https://as.example/token", now, &rng, None, None)?;
/// let checked = ProofValidator::new().validate(&proof, "POST", "https://as.example/token", now, None)?;
/// assert_eq!(checked.jkt(), key.thumbprint()?);
/// # Ok::<(), tessera::Error>(())
/// ```
pub fn create_proof(
    key: &Key,
    htm: &str,
    htu: &str,
    now: i64,
    rng: &dyn SecureRandom,
    nonce: Option<&str>,
    access_token: Option<&str>,
) -> Result<String> {
    if key.is_symmetric() {
        return Err(Error::new(
            ErrorKind::KeyAlgorithmMismatch,
            "a DPoP proof needs an asymmetric key",
        ));
    }
    if !key.is_private() {
        return Err(Error::new(
            ErrorKind::NotPrivateKey,
            "a DPoP proof is signed with the private key",
        ));
    }
    if !is_method(htm) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "htm is not an HTTP method token",
        ));
    }
    let htu = without_query(htu);
    let _ = normalize_htu(htu).map_err(|e| {
        Error::with_detail(ErrorKind::InvalidArgument, format!("htu: {}", e.detail()))
    })?;
    if nonce.is_some_and(|n| !is_nonce(n)) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "the nonce is not 1*NQCHAR",
        ));
    }
    if access_token.is_some_and(str::is_empty) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "the access token is empty",
        ));
    }
    let mut jwk = key.public_jwk()?;
    for member in ["alg", "use", "kid", "key_ops"] {
        let _ = jwk.remove(member);
    }
    let mut header = Map::new();
    let _ = header.insert("typ".into(), DPOP_TYP.into());
    let _ = header.insert("alg".into(), key.alg().as_str().into());
    let _ = header.insert("jwk".into(), Value::Object(jwk));
    let mut jti = [0u8; JTI_BYTES];
    rng.fill(&mut jti)?;
    let mut claims = Map::new();
    let _ = claims.insert("jti".into(), b64_encode(&jti).into());
    let _ = claims.insert("htm".into(), htm.into());
    let _ = claims.insert("htu".into(), htu.into());
    let _ = claims.insert("iat".into(), now.into());
    if let Some(nonce) = nonce {
        let _ = claims.insert("nonce".into(), nonce.into());
    }
    if let Some(token) = access_token {
        let _ = claims.insert("ath".into(), ath(token).into());
    }
    let header = serde_json::to_vec(&Value::Object(header)).map_err(|_| internal())?;
    let claims = serde_json::to_vec(&Value::Object(claims)).map_err(|_| internal())?;
    crate::jwt::sign_jws(key, &header, &claims, rng)
}

fn internal() -> Error {
    Error::new(ErrorKind::InvalidArgument, "the proof does not serialise")
}

/// A DPoP proof that passed [`ProofValidator::validate`]: what the host needs to bind tokens
/// to its key and to refuse a replay.
///
/// **Replay** (RFC 9449 §11.1): the engine stores nothing. The host must refuse a proof whose
/// `jti` it has accepted before, for as long as the proof could still validate: record
/// [`Proof::jti`] (with [`Proof::jkt`]) until [`Proof::replay_until`], and refuse a second
/// use. [`ReplayCache`](super::ReplayCache) does this for one process; several processes
/// share a store (a table with a unique key and a time to live).
#[derive(Clone, PartialEq, Eq)]
pub struct Proof {
    jkt: String,
    jti: String,
    iat: i64,
    nonce: Option<String>,
    alg: Algorithm,
    htm: String,
    htu: String,
    replay_until: i64,
}

impl Proof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's key (`cnf.jkt`, RFC 9449 §6.1).
    pub fn jkt(&self) -> &str {
        &self.jkt
    }

    /// The proof's `jti`: refuse a second proof with it (with this [`Proof::jkt`]) until
    /// [`Proof::replay_until`].
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// The proof's `iat` (Unix seconds, fractions cut).
    pub fn iat(&self) -> i64 {
        self.iat
    }

    /// The proof's `nonce`, if it had one.
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// The proof's algorithm.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The proof's `htm`.
    pub fn htm(&self) -> &str {
        &self.htm
    }

    /// The proof's `htu`, as sent.
    pub fn htu(&self) -> &str {
        &self.htu
    }

    /// Until when (Unix seconds) the proof could validate again: `iat` plus the validator's
    /// window. Remember the `jti` until then.
    pub fn replay_until(&self) -> i64 {
        self.replay_until
    }

    /// The confirmation to bind tokens to: `{"jkt": ...}`.
    pub fn confirmation(&self) -> Confirmation {
        Confirmation {
            jkt: Some(self.jkt.clone()),
            x5t_s256: None,
        }
    }
}

impl fmt::Debug for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proof")
            .field("jkt", &self.jkt)
            .field("jti", &self.jti)
            .field("iat", &self.iat)
            .field("alg", &self.alg)
            .field("htm", &self.htm)
            .field("nonce", &self.nonce.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// Checks DPoP proofs (RFC 9449 §4.3). Built once, immutable, `Send + Sync`.
///
/// Defaults: every asymmetric algorithm of this build except ML-DSA (ES256, ES384, EdDSA, RS*,
/// PS*, and ES512 and ES256K with `aws-lc`), an `iat` window of ±[`DEFAULT_IAT_WINDOW`]
/// seconds, proofs up to [`DEFAULT_MAX_PROOF_LEN`] bytes, no nonce.
///
/// A client signs all its proofs with one key, so their protected headers are identical byte
/// for byte: the validator prepares each distinct header once (its parse, the key and its
/// checks, the thumbprint) and keeps the last 64 it saw, compared byte for byte, shared by
/// clones of the validator. The verdicts are the same as without it; a client's later proofs
/// cost about one JWT verification.
///
/// [`ProofValidator::validate`] runs the rules in this order, each failure its own kind
/// (mapped to `invalid_dpop_proof`, or `use_dpop_nonce` for the nonce, by
/// [`crate::wire::token_error_for`] and [`crate::wire::resource_error_for`]):
///
/// | step | rule (§4.3) | kind |
/// |---|---|---|
/// | one compact JWS, strict base64url, JSON objects without duplicates, no `crit`, within the size limit | 1, 2 | [`ErrorKind::DpopMalformed`] |
/// | header `typ` exactly `dpop+jwt` | 4 | [`ErrorKind::DpopType`] |
/// | `alg` asymmetric and allowed (`none`, HS* never) | 5 | [`ErrorKind::DpopAlgorithm`] |
/// | `jwk` present, public only, a valid key for `alg` | 7 | [`ErrorKind::DpopKey`] |
/// | the signature verifies with `jwk` | 6 | [`ErrorKind::DpopSignature`] |
/// | `jti` present, 1–[`MAX_JTI_LEN`] bytes | 3 | [`ErrorKind::DpopJti`] |
/// | `htm` is the request method | 8 | [`ErrorKind::DpopMethod`] |
/// | `htu` is the request URI, RFC 3986 §6.2.2–§6.2.3 normalised, without query and fragment | 9 | [`ErrorKind::DpopUri`] |
/// | `iat` present and within the window around `now` | 11 | [`ErrorKind::DpopIat`] |
/// | `nonce` present when required, and one the [`NonceIssuer`] made for this or the previous step | 10 | [`ErrorKind::DpopNonceRequired`], [`ErrorKind::DpopNonceInvalid`] |
/// | with an access token: `ath` present and equal to its hash | 12 | [`ErrorKind::DpopAth`] |
///
/// Rule 1 (one `DPoP` header) is the host's: pass the header only when there is exactly one
/// ([`single_header`](super::single_header) checks). Replay (§11.1) is the host's too: see
/// [`Proof`]. Binding the key to a token is [`check_binding`](super::check_binding).
#[derive(Clone, Debug)]
pub struct ProofValidator {
    algs: Vec<Algorithm>,
    iat_window: u64,
    max_len: usize,
    nonces: Option<NonceIssuer>,
    /// Headers seen recently, with the key and thumbprint they gave (shared by clones).
    headers: Arc<HeaderCache>,
}

/// What a proof header that passed rules 2, 4, 5 and 7 gives: its algorithm, the key of its
/// `jwk` and that key's thumbprint.
struct PreparedHeader {
    alg: Algorithm,
    key: Key,
    jkt: String,
}

/// One slot of the [`HeaderCache`]: an encoded header and what it gave.
type Slot = Option<(Box<[u8]>, Arc<PreparedHeader>)>;

/// Slots of the [`HeaderCache`].
const HEADER_SLOTS: usize = 64;

/// A small direct-mapped cache from the encoded protected header of a proof to what it gives.
///
/// A client signs every proof with the same key, so every proof it sends has the same header
/// (`typ`, `alg`, `jwk`) byte for byte: its parse, the key's construction and checks, and the
/// thumbprint are done once, and later proofs of the client cost their signature check and
/// claims. A slot holds one header, compared byte for byte, so an entry is only ever used for
/// exactly the bytes it was made from and the result is the same as without the cache. 64
/// slots of at most one header each bound the memory (a few dozen KiB); a new header replaces
/// whatever its slot held. The validator stays immutable in what it decides.
struct HeaderCache {
    slots: [Mutex<Slot>; HEADER_SLOTS],
}

impl HeaderCache {
    fn new() -> HeaderCache {
        HeaderCache {
            slots: std::array::from_fn(|_| Mutex::new(None)),
        }
    }

    /// FNV-1a of the encoded header, to pick its slot (collisions only cost a re-parse).
    fn slot(&self, header_b64: &[u8]) -> &Mutex<Slot> {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in header_b64 {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        let index = usize::try_from(h % HEADER_SLOTS as u64).unwrap_or(0);
        &self.slots[index]
    }

    fn get(&self, header_b64: &[u8]) -> Option<Arc<PreparedHeader>> {
        let slot = lock(self.slot(header_b64));
        match &*slot {
            Some((bytes, prepared)) if **bytes == *header_b64 => Some(Arc::clone(prepared)),
            _ => None,
        }
    }

    fn put(&self, header_b64: &[u8], prepared: Arc<PreparedHeader>) {
        let mut slot = lock(self.slot(header_b64));
        *slot = Some((header_b64.into(), prepared));
    }
}

impl fmt::Debug for HeaderCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HeaderCache")
    }
}

impl Default for ProofValidator {
    fn default() -> Self {
        ProofValidator {
            algs: default_algorithms(),
            iat_window: DEFAULT_IAT_WINDOW,
            max_len: DEFAULT_MAX_PROOF_LEN,
            nonces: None,
            headers: Arc::new(HeaderCache::new()),
        }
    }
}

/// The default algorithms: every asymmetric one this build supports, but ML-DSA.
fn default_algorithms() -> Vec<Algorithm> {
    Algorithm::supported()
        .iter()
        .copied()
        .filter(|a| {
            !matches!(
                a.family(),
                crate::jwt::KeyFamily::Hmac
                    | crate::jwt::KeyFamily::MlDsa44
                    | crate::jwt::KeyFamily::MlDsa65
                    | crate::jwt::KeyFamily::MlDsa87
            ) && *a != Algorithm::Ed25519
        })
        .collect()
}

/// Builds a [`ProofValidator`]; see its documentation for the defaults.
#[derive(Clone, Debug)]
pub struct ProofValidatorBuilder {
    inner: ProofValidator,
}

impl ProofValidatorBuilder {
    /// The algorithms proofs may use (replacing the defaults). Each must be asymmetric and
    /// supported by this build; checked by [`ProofValidatorBuilder::build`].
    pub fn algorithms(mut self, algs: &[Algorithm]) -> Self {
        self.inner.algs = algs.to_vec();
        self
    }

    /// The accepted distance between `iat` and `now`, in seconds, both ways (default 60;
    /// at most [`MAX_IAT_WINDOW`]).
    pub fn iat_window(mut self, seconds: u64) -> Self {
        self.inner.iat_window = seconds;
        self
    }

    /// The largest proof accepted, in bytes (default [`DEFAULT_MAX_PROOF_LEN`]; at most
    /// [`MAX_PROOF_LEN`]).
    pub fn max_len(mut self, bytes: usize) -> Self {
        self.inner.max_len = bytes;
        self
    }

    /// Require a server nonce (RFC 9449 §8, §9): a proof without one is
    /// [`ErrorKind::DpopNonceRequired`], one `issuer` did not make recently
    /// [`ErrorKind::DpopNonceInvalid`]; answer both with `use_dpop_nonce` and a fresh
    /// `DPoP-Nonce` ([`ProofValidator::nonce`]).
    pub fn require_nonce(mut self, issuer: NonceIssuer) -> Self {
        self.inner.nonces = Some(issuer);
        self
    }

    /// The validator. [`ErrorKind::InvalidArgument`] for an empty or symmetric algorithm list,
    /// a window or size out of range; [`ErrorKind::UnsupportedAlgorithm`] for an algorithm
    /// this build lacks.
    pub fn build(self) -> Result<ProofValidator> {
        let mut v = self.inner;
        // A cache of its own: validators built from clones of one builder may allow other
        // algorithms, and must never share what they prepared.
        v.headers = Arc::new(HeaderCache::new());
        if v.algs.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a DPoP validator needs at least one algorithm",
            ));
        }
        for alg in &v.algs {
            if alg.family() == crate::jwt::KeyFamily::Hmac {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "DPoP proofs use asymmetric algorithms only (RFC 9449 §4.3 rule 5)",
                ));
            }
            if !alg.is_supported() {
                return Err(Error::with_detail(
                    ErrorKind::UnsupportedAlgorithm,
                    format!("{alg} is not supported by {}", crate::backend()),
                ));
            }
        }
        if v.iat_window > MAX_IAT_WINDOW {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the iat window is at most 3600 seconds",
            ));
        }
        if v.max_len == 0 || v.max_len > MAX_PROOF_LEN {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the proof size limit is 1 to 65536 bytes",
            ));
        }
        Ok(v)
    }
}

fn fail(kind: ErrorKind, detail: &'static str) -> Error {
    Error::new(kind, detail)
}

fn wrap(kind: ErrorKind, what: &str, e: &Error) -> Error {
    Error::with_detail(kind, format!("{what}: {}", e.detail()))
}

impl ProofValidator {
    /// A validator with the defaults.
    pub fn new() -> ProofValidator {
        ProofValidator::default()
    }

    /// A builder starting from the defaults.
    pub fn builder() -> ProofValidatorBuilder {
        ProofValidatorBuilder {
            inner: ProofValidator::default(),
        }
    }

    /// The accepted algorithms (for `dpop_signing_alg_values_supported` and the `algs` of the
    /// `WWW-Authenticate: DPoP` challenge).
    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algs
    }

    /// The `iat` window, in seconds.
    pub fn iat_window(&self) -> u64 {
        self.iat_window
    }

    /// Whether proofs need a server nonce.
    pub fn requires_nonce(&self) -> bool {
        self.nonces.is_some()
    }

    /// The `DPoP-Nonce` header value to send at `now` when nonces are required (with every
    /// `use_dpop_nonce` error, and on successful responses to refresh it).
    pub fn nonce(&self, now: i64) -> Option<String> {
        self.nonces.as_ref().map(|n| n.nonce(now))
    }

    /// Validates `proof` (the `DPoP` header value) for a request with method `htm` to
    /// `htu` (the full request URI; query and fragment are ignored) at `now`, presented with
    /// `access_token` at a resource server (`None` at the token endpoint). The rules and their
    /// order are in the [type documentation](ProofValidator).
    ///
    /// An `htm` that is not a method token or an `htu` that is not an absolute `http(s)` URI is
    /// the host's mistake: [`ErrorKind::InvalidArgument`].
    pub fn validate(
        &self,
        proof: &str,
        htm: &str,
        htu: &str,
        now: i64,
        access_token: Option<&str>,
    ) -> Result<Proof> {
        if !is_method(htm) {
            return Err(fail(
                ErrorKind::InvalidArgument,
                "the request method is not a method token",
            ));
        }
        let request_htu = normalize_htu(htu)
            .map_err(|e| wrap(ErrorKind::InvalidArgument, "the request URI", &e))?;
        let bytes = proof.as_bytes();
        if bytes.len() > self.max_len {
            return Err(Error::with_detail(
                ErrorKind::DpopMalformed,
                format!("the proof exceeds {} bytes", self.max_len),
            ));
        }
        // Rule 2: one well-formed JWS.
        let limits = Limits {
            max_token_len: self.max_len,
            max_header_len: self.max_len,
            ..Limits::default()
        };
        let parts = crate::jwt::split_compact(bytes, &limits)
            .map_err(|e| wrap(ErrorKind::DpopMalformed, "the proof", &e))?;
        let prepared = match self.headers.get(parts.header_b64) {
            Some(prepared) => prepared,
            None => {
                let prepared = Arc::new(self.prepare_header(parts.header_b64)?);
                self.headers.put(parts.header_b64, Arc::clone(&prepared));
                prepared
            }
        };
        let (alg, key) = (prepared.alg, &prepared.key);
        // Prepared by this validator, so allowed; checked again as it costs nothing.
        if !self.algs.contains(&alg) {
            return Err(Error::with_detail(
                ErrorKind::DpopAlgorithm,
                format!("the proof algorithm {alg} is not allowed"),
            ));
        }
        // Rule 6.
        let sig = b64_decode(parts.sig_b64)
            .map_err(|e| wrap(ErrorKind::DpopMalformed, "the proof signature", &e))?;
        key.verify_input(alg, parts.signing_input, &sig)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => fail(
                    ErrorKind::DpopSignature,
                    "the proof signature does not verify with its \"jwk\"",
                ),
                _ => wrap(ErrorKind::DpopKey, "the proof \"jwk\"", &e),
            })?;
        let payload = b64_decode(parts.payload_b64)
            .map_err(|e| wrap(ErrorKind::DpopMalformed, "the proof claims", &e))?;
        let claims = parse_json_object(&payload)
            .map_err(|e| wrap(ErrorKind::DpopMalformed, "the proof claims", &e))?;
        // Rule 3, §4.2.
        let jti = match claims.get("jti") {
            Some(Value::String(jti)) if !jti.is_empty() && jti.len() <= MAX_JTI_LEN => jti,
            Some(Value::String(_)) => {
                return Err(fail(
                    ErrorKind::DpopJti,
                    "the proof \"jti\" is empty or longer than 64 bytes",
                ));
            }
            Some(_) => {
                return Err(fail(
                    ErrorKind::DpopJti,
                    "the proof \"jti\" is not a string",
                ));
            }
            None => return Err(fail(ErrorKind::DpopJti, "the proof has no \"jti\"")),
        };
        // Rule 8.
        match claims.get("htm") {
            Some(Value::String(m)) if m == htm => {}
            Some(Value::String(_)) => {
                return Err(fail(
                    ErrorKind::DpopMethod,
                    "the proof \"htm\" is not the request method",
                ));
            }
            Some(_) => {
                return Err(fail(
                    ErrorKind::DpopMethod,
                    "the proof \"htm\" is not a string",
                ));
            }
            None => return Err(fail(ErrorKind::DpopMethod, "the proof has no \"htm\"")),
        }
        // Rule 9.
        let proof_htu = match claims.get("htu") {
            Some(Value::String(u)) => u,
            Some(_) => {
                return Err(fail(
                    ErrorKind::DpopUri,
                    "the proof \"htu\" is not a string",
                ));
            }
            None => return Err(fail(ErrorKind::DpopUri, "the proof has no \"htu\"")),
        };
        if normalize_htu(proof_htu)? != request_htu {
            return Err(fail(
                ErrorKind::DpopUri,
                "the proof \"htu\" is not the request URI",
            ));
        }
        // Rule 11.
        let iat = numeric_date(claims.get("iat"))?;
        let window = i64::try_from(self.iat_window).unwrap_or(i64::MAX);
        if now.saturating_sub(iat) > window {
            return Err(fail(ErrorKind::DpopIat, "the proof \"iat\" is too old"));
        }
        if iat.saturating_sub(now) > window {
            return Err(fail(
                ErrorKind::DpopIat,
                "the proof \"iat\" is in the future",
            ));
        }
        // Rule 10.
        let nonce = match claims.get("nonce") {
            None => None,
            Some(Value::String(n)) if is_nonce(n) => Some(n.clone()),
            Some(_) => {
                return Err(fail(
                    ErrorKind::DpopNonceInvalid,
                    "the proof \"nonce\" is not a 1*NQCHAR string",
                ));
            }
        };
        if let Some(issuer) = &self.nonces {
            match &nonce {
                None => {
                    return Err(fail(
                        ErrorKind::DpopNonceRequired,
                        "the server requires a DPoP nonce",
                    ));
                }
                Some(n) => issuer.check(n, now)?,
            }
        }
        // Rule 12.
        if let Some(token) = access_token {
            match claims.get("ath") {
                Some(Value::String(a)) if constant_time_eq(a.as_bytes(), ath(token).as_bytes()) => {
                }
                Some(Value::String(_)) => {
                    return Err(fail(
                        ErrorKind::DpopAth,
                        "the proof \"ath\" is not the access token's hash",
                    ));
                }
                Some(_) => {
                    return Err(fail(
                        ErrorKind::DpopAth,
                        "the proof \"ath\" is not a string",
                    ));
                }
                None => {
                    return Err(fail(
                        ErrorKind::DpopAth,
                        "the proof has no \"ath\" for the access token",
                    ));
                }
            }
        }
        Ok(Proof {
            jkt: prepared.jkt.clone(),
            jti: jti.clone(),
            iat,
            nonce,
            alg,
            htm: htm.to_owned(),
            htu: proof_htu.clone(),
            replay_until: iat.saturating_add(window),
        })
    }

    /// Rules 2 (the header), 4, 5 and 7: the encoded protected header of a proof, decoded and
    /// checked, with the key of its `jwk` and the key's thumbprint.
    fn prepare_header(&self, header_b64: &[u8]) -> Result<PreparedHeader> {
        let header_json = b64_decode(header_b64)
            .map_err(|e| wrap(ErrorKind::DpopMalformed, "the proof header", &e))?;
        let header = Header::from_json(&header_json).map_err(|e| match e.kind() {
            ErrorKind::UnsupportedAlgorithm => {
                wrap(ErrorKind::DpopAlgorithm, "the proof header", &e)
            }
            _ => wrap(ErrorKind::DpopMalformed, "the proof header", &e),
        })?;
        if !header.crit_values().is_empty() {
            return Err(fail(
                ErrorKind::DpopMalformed,
                "the proof header has a critical extension",
            ));
        }
        // Rule 4.
        if header.typ_value() != Some(DPOP_TYP) {
            return Err(fail(
                ErrorKind::DpopType,
                "the proof header \"typ\" is not \"dpop+jwt\"",
            ));
        }
        // Rule 5.
        let alg = header.alg().ok_or(fail(
            ErrorKind::DpopAlgorithm,
            "the proof header has no \"alg\"",
        ))?;
        if !self.algs.contains(&alg) {
            return Err(Error::with_detail(
                ErrorKind::DpopAlgorithm,
                format!("the proof algorithm {alg} is not allowed"),
            ));
        }
        // Rule 7.
        let jwk = match header.extra_members().get("jwk") {
            None => {
                return Err(fail(ErrorKind::DpopKey, "the proof header has no \"jwk\""));
            }
            Some(Value::Object(jwk)) => jwk,
            Some(_) => {
                return Err(fail(
                    ErrorKind::DpopKey,
                    "the proof header \"jwk\" is not an object",
                ));
            }
        };
        if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
            return Err(fail(
                ErrorKind::DpopKey,
                "the proof \"jwk\" holds private key material",
            ));
        }
        let key = Key::from_jwk_value(jwk, Some(alg))
            .map_err(|e| wrap(ErrorKind::DpopKey, "the proof \"jwk\"", &e))?;
        let jkt = key
            .thumbprint()
            .map_err(|e| wrap(ErrorKind::DpopKey, "the proof \"jwk\"", &e))?;
        Ok(PreparedHeader { alg, key, jkt })
    }
}

/// The proof's `iat`: a JSON number (fractions cut), in the NumericDate range.
fn numeric_date(value: Option<&Value>) -> Result<i64> {
    let Some(value) = value else {
        return Err(fail(ErrorKind::DpopIat, "the proof has no \"iat\""));
    };
    let Value::Number(n) = value else {
        return Err(fail(
            ErrorKind::DpopIat,
            "the proof \"iat\" is not a number",
        ));
    };
    let max = crate::jwt::MAX_NUMERIC_DATE;
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let iat = match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => Some(i),
        (None, Some(f)) if f.is_finite() && (0.0..=max as f64).contains(&f) => {
            Some(f.floor() as i64)
        }
        _ => None,
    };
    match iat {
        Some(i) if (0..=max).contains(&i) => Ok(i),
        _ => Err(fail(
            ErrorKind::DpopIat,
            "the proof \"iat\" is out of range",
        )),
    }
}
