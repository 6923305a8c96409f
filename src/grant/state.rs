//! Grant state: one record per grant family, as versioned JSON the host stores.

use serde::{Deserialize, Serialize};

pub use crate::limits::{MAX_ACCESS_TOKEN_RECORDS, MAX_STATE_JSON_LEN};
use crate::pkce::ChallengeMethod;
use crate::scope::ScopeSet;
use crate::token::{LookupHash, Peppers, TokenKind};
use crate::{Error, ErrorKind, Result};

use super::{Effect, RevokedAccessToken, json_error, lookup_text};

/// The `v` of the state JSON this build reads and writes.
pub const STATE_FORMAT: u32 = 1;

/// Length of a family id: 16 random bytes in unpadded base64url.
pub(crate) const FAMILY_ID_LEN: usize = 22;

/// Whether `id` looks like a family id this engine made.
pub(crate) fn is_family_id(id: &str) -> bool {
    id.len() == FAMILY_ID_LEN && is_base64url(id)
}

/// Whether `text` is made of the base64url alphabet (RFC 4648 §5).
pub(crate) fn is_base64url(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// How the family started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantKind {
    /// An authorization code (RFC 6749 §4.1), possibly followed by refresh tokens.
    AuthorizationCode,
    /// The implicit grant (RFC 6749 §4.2): one access token.
    Implicit,
    /// The client credentials grant (RFC 6749 §4.4): one access token.
    ClientCredentials,
}

/// The status of one token. Explicit data, never a storage error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    /// Usable.
    Active,
    /// Used once, as intended: a redeemed code or a rotated refresh token. Presenting it again
    /// is a replay.
    Consumed,
    /// A refresh token replaced before it was ever used, by a retry within the reuse grace
    /// window. Presenting it is treated as reuse.
    Superseded,
    /// Revoked: burned after a failed redemption, revoked with its family, or by RFC 7009.
    Revoked,
}

/// Why a family was revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// A consumed authorization code was presented again (RFC 6749 §4.1.2, RFC 9700 §4.5).
    CodeReplay,
    /// A used refresh token was presented again (RFC 9700 §4.14.2).
    RefreshReuse,
    /// A refresh token of the family was presented by another (authenticated) client: it has
    /// leaked (RFC 9700 §4.14.2, RFC 6749 §6).
    RefreshClientMismatch,
    /// The client revoked a refresh token (RFC 7009 §2.1).
    ClientRequest,
    /// The host revoked the family (logout, account change, administrator).
    Host,
}

/// The family's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum FamilyStatus {
    /// Tokens may be issued and used.
    Active,
    /// Every token of the family is dead.
    Revoked {
        /// Why.
        reason: RevocationReason,
        /// When (Unix seconds).
        at: i64,
    },
}

/// A PKCE challenge stored with a code (RFC 7636 §4.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PkceChallenge {
    /// `code_challenge`.
    pub challenge: String,
    /// `code_challenge_method`.
    #[serde(with = "method_text")]
    pub method: ChallengeMethod,
}

impl PkceChallenge {
    pub(crate) fn new(challenge: String, method: ChallengeMethod) -> PkceChallenge {
        PkceChallenge { challenge, method }
    }
}

/// The authorization code of a family. The code itself is never stored, only its lookup hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CodeRecord {
    /// The code's lookup hash.
    #[serde(with = "lookup_text")]
    pub lookup: LookupHash,
    /// The redirect URI the code was sent to.
    pub redirect_uri: String,
    /// Whether the authorization request carried `redirect_uri` (then the token request must
    /// repeat it, RFC 6749 §4.1.3).
    pub redirect_uri_sent: bool,
    /// The PKCE challenge, if the request had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkce: Option<PkceChallenge>,
    /// Issued at (Unix seconds).
    pub issued_at: i64,
    /// Unusable from this second on.
    pub expires_at: i64,
    /// Active, consumed (redeemed) or revoked (burned, or with the family).
    pub status: TokenStatus,
    /// When it was redeemed or burned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<i64>,
    /// The `dpop_jkt` of the authorization request (RFC 9449 §10), if it had one: the code
    /// is redeemed only with a DPoP proof made with the key of that thumbprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_jkt: Option<String>,
}

/// One refresh token of a family (RFC 6749 §6), by lookup hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RefreshRecord {
    /// Position in the family: 1 for the first, increasing with each rotation.
    pub seq: u64,
    /// The token's lookup hash.
    #[serde(with = "lookup_text")]
    pub lookup: LookupHash,
    /// Issued at (Unix seconds).
    pub issued_at: i64,
    /// Unusable from this second on: the idle expiry, never after the family's absolute expiry.
    pub expires_at: i64,
    /// The status.
    pub status: TokenStatus,
    /// When it was rotated, superseded or revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<i64>,
    /// The `seq` of the token that replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<u64>,
}

/// One access token issued in a family, by `jti`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AccessTokenRecord {
    /// The token's `jti`.
    pub jti: String,
    /// `iat`.
    pub issued_at: i64,
    /// `exp`.
    pub expires_at: i64,
    /// Active or revoked.
    pub status: TokenStatus,
}

/// The state of one grant family: everything the engine needs to decide on a token of the
/// family, and nothing secret (tokens appear only as lookup hashes and `jti`s).
///
/// The host stores it by [`GrantState::family_id`] as [`GrantState::to_json`], loads it when a
/// token of the family is presented, and saves the state an operation returns with a
/// compare-and-swap on [`GrantState::version`]: the returned state's version is the loaded one
/// plus one. The loser of a race retries with the winner's state, and then sees the token
/// consumed.
///
/// JSON (version 1):
///
/// ```json
/// {"v": 1, "version": 2, "family_id": "Zm9vYmFyYmF6cXV4cXV1eA", "kind": "authorization_code",
///  "client_id": "app", "subject": "user-42", "scope": "job:read",
///  "created_at": 1800000000, "expires_at": 1807776000, "status": {"state": "active"},
///  "code": {"lookup": "k1:...", "redirect_uri": "https://app.example/cb",
///           "redirect_uri_sent": true, "pkce": {"challenge": "...", "method": "S256"},
///           "issued_at": 1800000000, "expires_at": 1800000060, "status": "consumed",
///           "used_at": 1800000005},
///  "refresh_tokens": [{"seq": 1, "lookup": "k1:...", "issued_at": 1800000005,
///                      "expires_at": 1802592005, "status": "active"}],
///  "access_tokens": [{"jti": "Zm9vYmFyYmF6cXV4cXV1eA.AAECAwQFBgcICQoL",
///                     "issued_at": 1800000005, "expires_at": 1800000305, "status": "active"}]}
/// ```
///
/// Two optional members say what the family is bound to (RFC 9449): `code.dpop_jkt`, the
/// `dpop_jkt` of the authorization request (§10), and `dpop_jkt`, the DPoP key thumbprint a
/// public client's refresh tokens are bound to (§5). Both are omitted when absent, so states
/// written before they existed still read.
///
/// [`GrantState::from_json`] is strict: unknown members, duplicate members, wrong types and
/// broken invariants are [`ErrorKind::InvalidJson`]; another `v` is
/// [`ErrorKind::Unsupported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantState {
    v: u32,
    version: u64,
    family_id: String,
    kind: GrantKind,
    client_id: String,
    subject: String,
    scope: ScopeSet,
    created_at: i64,
    expires_at: i64,
    status: FamilyStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<CodeRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    refresh_tokens: Vec<RefreshRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    access_tokens: Vec<AccessTokenRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dpop_jkt: Option<String>,
}

#[derive(Deserialize)]
struct Probe {
    v: u64,
}

impl GrantState {
    /// A new family at version 1.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        family_id: String,
        kind: GrantKind,
        client_id: &str,
        subject: &str,
        scope: ScopeSet,
        created_at: i64,
        expires_at: i64,
    ) -> GrantState {
        GrantState {
            v: STATE_FORMAT,
            version: 1,
            family_id,
            kind,
            client_id: client_id.to_owned(),
            subject: subject.to_owned(),
            scope,
            created_at,
            expires_at,
            status: FamilyStatus::Active,
            code: None,
            refresh_tokens: Vec::new(),
            access_tokens: Vec::new(),
            dpop_jkt: None,
        }
    }

    /// Reads a state. Errors: [`ErrorKind::TooLarge`] past [`MAX_STATE_JSON_LEN`];
    /// [`ErrorKind::Unsupported`] for a `v` other than [`STATE_FORMAT`];
    /// [`ErrorKind::InvalidJson`] for anything malformed.
    pub fn from_json(json: &str) -> Result<GrantState> {
        if json.len() > MAX_STATE_JSON_LEN {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "grant state JSON over 1 MiB",
            ));
        }
        let probe: Probe = super::from_json_object("state", json.as_bytes())?;
        if probe.v != u64::from(STATE_FORMAT) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "grant state of an unknown format version (v)",
            ));
        }
        let state: GrantState = serde_json::from_str(json).map_err(|e| json_error("state", &e))?;
        state.check()?;
        Ok(state)
    }

    /// The state as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn check(&self) -> Result<()> {
        let bad = |detail: &'static str| Err(Error::new(ErrorKind::InvalidJson, detail));
        if self.version == 0 {
            return bad("state: version must be at least 1");
        }
        if !is_family_id(&self.family_id) {
            return bad("state: family_id is not 22 base64url characters");
        }
        if self.client_id.is_empty() || self.subject.is_empty() {
            return bad("state: client_id and subject must not be empty");
        }
        if self.expires_at < self.created_at {
            return bad("state: expires_at before created_at");
        }
        if self.kind != GrantKind::AuthorizationCode
            && (self.code.is_some() || !self.refresh_tokens.is_empty())
        {
            return bad("state: only authorization code families hold codes and refresh tokens");
        }
        if self.kind == GrantKind::AuthorizationCode && self.code.is_none() {
            return bad("state: an authorization code family needs its code record");
        }
        if self.refresh_tokens.len() > super::policy::MAX_REFRESH_HISTORY + 1 {
            return bad("state: too many refresh token records");
        }
        if self
            .refresh_tokens
            .windows(2)
            .any(|w| matches!(w, [a, b] if a.seq >= b.seq))
        {
            return bad("state: refresh token seq must increase");
        }
        if self
            .refresh_tokens
            .iter()
            .filter(|r| r.status == TokenStatus::Active)
            .count()
            > 1
        {
            return bad("state: more than one active refresh token");
        }
        if self
            .refresh_tokens
            .iter()
            .any(|r| r.successor.is_some_and(|s| s <= r.seq))
        {
            return bad("state: a refresh token's successor must come after it");
        }
        if self
            .access_tokens
            .iter()
            .any(|a| !matches!(a.status, TokenStatus::Active | TokenStatus::Revoked))
        {
            return bad("state: access tokens are active or revoked");
        }
        let thumbprint =
            |t: Option<&str>| t.is_none_or(|t| crate::dpop::Confirmation::jkt(t).is_ok());
        if !thumbprint(self.dpop_jkt())
            || !thumbprint(self.code().and_then(|c| c.dpop_jkt.as_deref()))
        {
            return bad("state: a dpop_jkt is not a base64url SHA-256 thumbprint");
        }
        Ok(())
    }

    /// The compare-and-swap counter: 1 for a new family, plus one for every change.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The family id (22 base64url characters), the key the host stores the state under.
    pub fn family_id(&self) -> &str {
        &self.family_id
    }

    /// How the family started.
    pub fn kind(&self) -> GrantKind {
        self.kind
    }

    /// The client the family belongs to.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The resource owner (for client credentials, the client id).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The granted scope; refreshes may narrow it for an access token, never widen it.
    pub fn scope(&self) -> &ScopeSet {
        &self.scope
    }

    /// Creation time.
    pub fn created_at(&self) -> i64 {
        self.created_at
    }

    /// The absolute expiry: no refresh token of the family is usable from this second on.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }

    /// Active or revoked.
    pub fn status(&self) -> FamilyStatus {
        self.status
    }

    /// Whether the family is not revoked.
    pub fn is_active(&self) -> bool {
        self.status == FamilyStatus::Active
    }

    /// The authorization code record.
    pub fn code(&self) -> Option<&CodeRecord> {
        self.code.as_ref()
    }

    /// The refresh token records, oldest first (used ones are kept for reuse detection, up to
    /// the policy's `refresh_history`).
    pub fn refresh_tokens(&self) -> &[RefreshRecord] {
        &self.refresh_tokens
    }

    /// The access token records of tokens not yet expired when the state was last written.
    pub fn access_tokens(&self) -> &[AccessTokenRecord] {
        &self.access_tokens
    }

    /// The DPoP key the family's refresh tokens are bound to (RFC 9449 §5), as its RFC 7638
    /// thumbprint: set when a public client redeemed the code with a DPoP proof. Every refresh
    /// of the family then needs a proof made with that key.
    pub fn dpop_jkt(&self) -> Option<&str> {
        self.dpop_jkt.as_deref()
    }

    /// From this second on no token of the family can be valid or worth detecting: the host
    /// may delete the state and its index entries.
    pub fn purge_at(&self) -> i64 {
        let code = self.code.iter().map(|c| c.expires_at);
        let refresh = self.refresh_tokens.iter().map(|r| r.expires_at);
        let access = self.access_tokens.iter().map(|a| a.expires_at);
        code.chain(refresh)
            .chain(access)
            .fold(self.created_at, i64::max)
    }

    // ---- engine-internal ---------------------------------------------------------------

    /// A copy to modify and return: version plus one.
    pub(crate) fn next(&self) -> GrantState {
        GrantState {
            version: self.version.saturating_add(1),
            ..self.clone()
        }
    }

    pub(crate) fn bind_refresh_tokens(&mut self, jkt: String) {
        self.dpop_jkt = Some(jkt);
    }

    pub(crate) fn set_code(&mut self, code: CodeRecord) {
        self.code = Some(code);
    }

    pub(crate) fn code_mut(&mut self) -> Option<&mut CodeRecord> {
        self.code.as_mut()
    }

    pub(crate) fn refresh_mut(&mut self, index: usize) -> Option<&mut RefreshRecord> {
        self.refresh_tokens.get_mut(index)
    }

    pub(crate) fn refresh_by_seq(&self, seq: u64) -> Option<(usize, &RefreshRecord)> {
        self.refresh_tokens
            .iter()
            .enumerate()
            .find(|(_, r)| r.seq == seq)
    }

    /// The index of the refresh record `token` belongs to, by constant-time hash comparison.
    pub(crate) fn find_refresh(&self, peppers: &Peppers, token: &str) -> Option<usize> {
        self.refresh_tokens
            .iter()
            .position(|r| peppers.verify(token, &r.lookup).is_ok())
    }

    /// Records a new active refresh token after the last one; returns its `seq`.
    pub(crate) fn push_refresh(&mut self, lookup: LookupHash, now: i64, idle: u64) -> u64 {
        let seq = self
            .refresh_tokens
            .last()
            .map_or(1, |r| r.seq.saturating_add(1));
        let expires_at = now
            .saturating_add(i64::try_from(idle).unwrap_or(i64::MAX))
            .min(self.expires_at);
        self.refresh_tokens.push(RefreshRecord {
            seq,
            lookup,
            issued_at: now,
            expires_at,
            status: TokenStatus::Active,
            used_at: None,
            successor: None,
        });
        seq
    }

    pub(crate) fn push_access(&mut self, jti: String, issued_at: i64, expires_at: i64) {
        self.access_tokens.push(AccessTokenRecord {
            jti,
            issued_at,
            expires_at,
            status: TokenStatus::Active,
        });
    }

    pub(crate) fn access_mut(&mut self, jti: &str) -> Option<&mut AccessTokenRecord> {
        self.access_tokens.iter_mut().find(|a| a.jti == jti)
    }

    pub(crate) fn access(&self, jti: &str) -> Option<&AccessTokenRecord> {
        self.access_tokens.iter().find(|a| a.jti == jti)
    }

    /// Revokes the family and every live token in it; returns the effect that lists them.
    pub(crate) fn revoke_family(&mut self, reason: RevocationReason, now: i64) -> Effect {
        self.status = FamilyStatus::Revoked { reason, at: now };
        let mut lookups = Vec::new();
        if let Some(code) = &mut self.code {
            if code.status == TokenStatus::Active {
                code.status = TokenStatus::Revoked;
                code.used_at = Some(now);
            }
            lookups.push(code.lookup.clone());
        }
        for r in &mut self.refresh_tokens {
            if r.status == TokenStatus::Active {
                r.status = TokenStatus::Revoked;
                r.used_at = Some(now);
            }
            lookups.push(r.lookup.clone());
        }
        let mut access_tokens = Vec::new();
        for a in &mut self.access_tokens {
            if a.expires_at > now && a.status == TokenStatus::Active {
                access_tokens.push(RevokedAccessToken {
                    jti: a.jti.clone(),
                    expires_at: a.expires_at,
                });
            }
            a.status = TokenStatus::Revoked;
        }
        Effect::RevokeFamily {
            family_id: self.family_id.clone(),
            reason,
            access_tokens,
            lookups,
        }
    }

    /// Forgets what can no longer matter: expired access tokens, and used refresh tokens that
    /// have expired or are beyond the `history` most recent ones. Returns an
    /// [`Effect::Unindex`] for each forgotten refresh token.
    pub(crate) fn prune(&mut self, now: i64, history: usize) -> Vec<Effect> {
        self.access_tokens.retain(|a| a.expires_at > now);
        let live = self
            .access_tokens
            .iter()
            .filter(|a| a.status == TokenStatus::Active)
            .count();
        let mut excess = live.saturating_sub(MAX_ACCESS_TOKEN_RECORDS);
        self.access_tokens.retain(|a| {
            if excess > 0 && a.status == TokenStatus::Active {
                excess -= 1;
                false
            } else {
                true
            }
        });

        let used = |r: &RefreshRecord| r.status != TokenStatus::Active;
        let used_count = self.refresh_tokens.iter().filter(|r| used(r)).count();
        let mut over = used_count.saturating_sub(history);
        let mut effects = Vec::new();
        let family_id = self.family_id.clone();
        self.refresh_tokens.retain(|r| {
            if !used(r) {
                return true;
            }
            let drop = if over > 0 {
                over -= 1;
                true
            } else {
                r.expires_at <= now
            };
            if drop {
                effects.push(Effect::Unindex {
                    lookup: r.lookup.clone(),
                    family_id: family_id.clone(),
                    kind: TokenKind::RefreshToken,
                });
            }
            !drop
        });
        effects
    }

    #[cfg(test)]
    pub(crate) fn set_version_for_tests(&mut self, version: u64) {
        self.version = version;
    }
}

mod method_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::pkce::ChallengeMethod;

    pub(super) fn serialize<S: Serializer>(m: &ChallengeMethod, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(m.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<ChallengeMethod, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom("method must be S256 or plain"))
    }
}
