//! The grant policy: lifetimes and switches, as JSON with documented defaults, checked once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::pkce::PkcePolicy;
use crate::scope::Implications;
use crate::token::TokenFormat;

use crate::limits::{DAY, MINUTE};
pub use crate::limits::{
    MAX_ACCESS_TOKEN_LIFETIME, MAX_CODE_LIFETIME, MAX_ENGINE_TOKEN_LIFETIME, MAX_REFRESH_HISTORY,
    MAX_REFRESH_LIFETIME, MAX_REFRESH_REUSE_GRACE,
};
use crate::{Error, ErrorKind, Result};

/// The scope implication table as JSON (see [`Implications`]):
/// `{"wildcard_actions": true, "superscopes": ["all"], "rules": {"job:write": ["job:read"]}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImplicationsConfig {
    /// `R:*` implies every `R:x` ([`Implications::wildcard_actions`]). Default `false`.
    pub wildcard_actions: bool,
    /// Scopes that imply every scope ([`Implications::superscope`]). Default none.
    pub superscopes: Vec<String>,
    /// `granted → [implied, ...]` ([`Implications::rule`]). Default none.
    pub rules: BTreeMap<String, Vec<String>>,
}

impl ImplicationsConfig {
    /// Builds the table; [`ErrorKind::InvalidScope`] if a name is not a scope token.
    pub fn build(&self) -> Result<Implications> {
        let mut imp = Implications::none();
        if self.wildcard_actions {
            imp = imp.wildcard_actions();
        }
        for scope in &self.superscopes {
            imp = imp.superscope(scope)?;
        }
        for (granted, implied) in &self.rules {
            for scope in implied {
                imp = imp.rule(granted, scope)?;
            }
        }
        Ok(imp)
    }
}

/// The grant policy as data: what [`Policy::new`] checks and [`Policy::from_json`] reads.
///
/// Every member has a default, so `{"issuer": "...", "audiences": ["..."]}` is a complete policy.
/// Lifetimes are in seconds.
///
/// | member | default | bounds |
/// |---|---|---|
/// | `issuer` | (required) | non-empty; the `iss` of every token |
/// | `audiences` | (required) | non-empty strings; the `aud` of access tokens (RFC 9068 §3) |
/// | `code_lifetime` | 60 | 1 ..= [`MAX_CODE_LIFETIME`] (RFC 6749 §4.1.2) |
/// | `access_token_lifetime` | 300 | 1 ..= [`MAX_ACCESS_TOKEN_LIFETIME`] |
/// | `refresh_idle_lifetime` | 30 days | 1 ..= `refresh_absolute_lifetime` |
/// | `refresh_absolute_lifetime` | 90 days | 1 ..= [`MAX_REFRESH_LIFETIME`]; rotation keeps it |
/// | `require_pkce_for_public` | `true` | RFC 9700 §2.1.1: MUST for public clients |
/// | `require_pkce_for_confidential` | `false` | RFC 9700 §2.1.1 recommends `true` |
/// | `allow_plain_pkce` | `false` | RFC 7636 §7.2 |
/// | `burn_code_on_failed_redemption` | `true` | a failed redemption makes the code unusable |
/// | `rotate_refresh_tokens` | `true` | public clients rotate regardless (RFC 9700 §4.14.2) |
/// | `refresh_reuse_grace_seconds` | 0 (off) | 0 ..= [`MAX_REFRESH_REUSE_GRACE`] |
/// | `refresh_history` | 32 | 1 ..= [`MAX_REFRESH_HISTORY`] used refresh tokens kept for reuse detection |
/// | `implications` | none | [`ImplicationsConfig`] |
/// | `token_prefix` | `"tsr"` | [`TokenFormat::new`] |
/// | `engine_token_typ` | `"engine+jwt"` | non-empty, not `at+jwt` |
/// | `engine_token_lifetime` | 300 | 1 ..= [`MAX_ENGINE_TOKEN_LIFETIME`] |
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// The issuer identifier, `iss` of every token.
    pub issuer: String,
    /// The audiences of access tokens (`aud`): one is written as a string, several as an array.
    pub audiences: Vec<String>,
    /// Authorization code lifetime.
    #[serde(default = "defaults::code_lifetime")]
    pub code_lifetime: u64,
    /// Access token lifetime.
    #[serde(default = "defaults::access_token_lifetime")]
    pub access_token_lifetime: u64,
    /// A refresh token expires this long after it was issued (or, without rotation, last used).
    #[serde(default = "defaults::refresh_idle_lifetime")]
    pub refresh_idle_lifetime: u64,
    /// No refresh token of a grant family outlives the family's creation plus this.
    #[serde(default = "defaults::refresh_absolute_lifetime")]
    pub refresh_absolute_lifetime: u64,
    /// Public clients must send a PKCE challenge.
    #[serde(default = "defaults::yes")]
    pub require_pkce_for_public: bool,
    /// Confidential clients must send a PKCE challenge.
    #[serde(default)]
    pub require_pkce_for_confidential: bool,
    /// Accept the `plain` PKCE method.
    #[serde(default)]
    pub allow_plain_pkce: bool,
    /// A failed redemption of a live code (wrong client, redirect URI or verifier) burns it.
    #[serde(default = "defaults::yes")]
    pub burn_code_on_failed_redemption: bool,
    /// Replace the refresh token on every use (always done for public clients).
    #[serde(default = "defaults::yes")]
    pub rotate_refresh_tokens: bool,
    /// How long after its rotation a refresh token may be retried without counting as reuse.
    #[serde(default)]
    pub refresh_reuse_grace_seconds: u64,
    /// How many used refresh tokens a family keeps for reuse detection.
    #[serde(default = "defaults::refresh_history")]
    pub refresh_history: usize,
    /// Which granted scope implies which requested one.
    #[serde(default)]
    pub implications: ImplicationsConfig,
    /// The deployment prefix of opaque tokens.
    #[serde(default = "defaults::token_prefix")]
    pub token_prefix: String,
    /// The `typ` header of task-scoped engine tokens.
    #[serde(default = "defaults::engine_token_typ")]
    pub engine_token_typ: String,
    /// Task-scoped engine token lifetime.
    #[serde(default = "defaults::engine_token_lifetime")]
    pub engine_token_lifetime: u64,
}

mod defaults {
    use super::{DAY, MINUTE};
    pub(super) fn code_lifetime() -> u64 {
        MINUTE
    }
    pub(super) fn access_token_lifetime() -> u64 {
        5 * MINUTE
    }
    pub(super) fn refresh_idle_lifetime() -> u64 {
        30 * DAY
    }
    pub(super) fn refresh_absolute_lifetime() -> u64 {
        90 * DAY
    }
    pub(super) fn yes() -> bool {
        true
    }
    pub(super) fn refresh_history() -> usize {
        32
    }
    pub(super) fn token_prefix() -> String {
        "tsr".to_owned()
    }
    pub(super) fn engine_token_typ() -> String {
        "engine+jwt".to_owned()
    }
    pub(super) fn engine_token_lifetime() -> u64 {
        5 * MINUTE
    }
}

impl PolicyConfig {
    /// The defaults for this issuer and audiences.
    pub fn new(issuer: impl Into<String>, audiences: Vec<String>) -> PolicyConfig {
        PolicyConfig {
            issuer: issuer.into(),
            audiences,
            code_lifetime: defaults::code_lifetime(),
            access_token_lifetime: defaults::access_token_lifetime(),
            refresh_idle_lifetime: defaults::refresh_idle_lifetime(),
            refresh_absolute_lifetime: defaults::refresh_absolute_lifetime(),
            require_pkce_for_public: true,
            require_pkce_for_confidential: false,
            allow_plain_pkce: false,
            burn_code_on_failed_redemption: true,
            rotate_refresh_tokens: true,
            refresh_reuse_grace_seconds: 0,
            refresh_history: defaults::refresh_history(),
            implications: ImplicationsConfig::default(),
            token_prefix: defaults::token_prefix(),
            engine_token_typ: defaults::engine_token_typ(),
            engine_token_lifetime: defaults::engine_token_lifetime(),
        }
    }
}

/// The `typ` of RFC 9068 access tokens, compared as the JWT verifier does.
pub(crate) const AT_TYP: &str = "at+jwt";

/// `typ` compared case-insensitively, with an optional `application/` prefix (RFC 7515 §4.1.9).
fn same_typ(a: &str, b: &str) -> bool {
    let strip = |t: &str| {
        let lower = t.to_ascii_lowercase();
        lower
            .strip_prefix("application/")
            .map(str::to_owned)
            .unwrap_or(lower)
    };
    strip(a) == strip(b)
}

/// A checked, immutable grant policy (`Send + Sync`): build it once with [`Policy::new`] or
/// [`Policy::from_json`] and share it.
#[derive(Clone, Debug)]
pub struct Policy {
    config: PolicyConfig,
    implications: Implications,
    format: TokenFormat,
}

impl Policy {
    /// Checks `config` against the bounds in [`PolicyConfig`]'s table.
    /// [`ErrorKind::InvalidArgument`] naming the member otherwise ([`ErrorKind::InvalidScope`]
    /// for a bad implication).
    pub fn new(config: PolicyConfig) -> Result<Policy> {
        let bad = |detail: &'static str| Err(Error::new(ErrorKind::InvalidArgument, detail));
        let c = &config;
        if c.issuer.is_empty() {
            return bad("policy: issuer must not be empty");
        }
        if c.audiences.is_empty() || c.audiences.iter().any(String::is_empty) {
            return bad("policy: audiences must be one or more non-empty strings");
        }
        if !(1..=MAX_CODE_LIFETIME).contains(&c.code_lifetime) {
            return bad("policy: code_lifetime must be 1 to 600 seconds");
        }
        if !(1..=MAX_ACCESS_TOKEN_LIFETIME).contains(&c.access_token_lifetime) {
            return bad("policy: access_token_lifetime must be 1 second to 31 days");
        }
        if !(1..=MAX_REFRESH_LIFETIME).contains(&c.refresh_absolute_lifetime) {
            return bad("policy: refresh_absolute_lifetime must be 1 second to 400 days");
        }
        if !(1..=c.refresh_absolute_lifetime).contains(&c.refresh_idle_lifetime) {
            return bad("policy: refresh_idle_lifetime must be 1 to refresh_absolute_lifetime");
        }
        if c.refresh_reuse_grace_seconds > MAX_REFRESH_REUSE_GRACE {
            return bad("policy: refresh_reuse_grace_seconds must be at most 60");
        }
        if !(1..=MAX_REFRESH_HISTORY).contains(&c.refresh_history) {
            return bad("policy: refresh_history must be 1 to 256");
        }
        if !(1..=MAX_ENGINE_TOKEN_LIFETIME).contains(&c.engine_token_lifetime) {
            return bad("policy: engine_token_lifetime must be 1 to 3600 seconds");
        }
        if c.engine_token_typ.is_empty() || same_typ(&c.engine_token_typ, AT_TYP) {
            return bad("policy: engine_token_typ must be non-empty and differ from at+jwt");
        }
        let implications = c.implications.build()?;
        let format = TokenFormat::new(&c.token_prefix)?;
        Ok(Policy {
            config,
            implications,
            format,
        })
    }

    /// Reads a [`PolicyConfig`] from JSON and checks it. [`ErrorKind::InvalidJson`] for JSON
    /// that is malformed, has unknown members or members of the wrong type.
    pub fn from_json(json: &str) -> Result<Policy> {
        let config: PolicyConfig = super::from_json_object("policy", json.as_bytes())?;
        Policy::new(config)
    }

    /// The policy as data.
    pub fn config(&self) -> &PolicyConfig {
        &self.config
    }

    /// The policy as JSON (every member written).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.config).unwrap_or_default()
    }

    /// The scope implication table.
    pub fn implications(&self) -> &Implications {
        &self.implications
    }

    /// The opaque token format.
    pub fn token_format(&self) -> &TokenFormat {
        &self.format
    }

    /// The PKCE policy that follows from `allow_plain_pkce`.
    pub fn pkce(&self) -> PkcePolicy {
        if self.config.allow_plain_pkce {
            PkcePolicy::new().allowing_plain()
        } else {
            PkcePolicy::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> PolicyConfig {
        PolicyConfig::new("https://as.example", vec!["api".to_owned()])
    }

    #[test]
    fn minimal_json_takes_the_defaults() {
        let p =
            Policy::from_json(r#"{"issuer":"https://as.example","audiences":["api"]}"#).unwrap();
        assert_eq!(p.config(), &base());
        assert_eq!(p.config().code_lifetime, 60);
        assert_eq!(p.config().access_token_lifetime, 300);
        assert!(p.config().require_pkce_for_public);
        assert!(!p.config().require_pkce_for_confidential);
        assert!(!p.pkce().allow_plain);
        let again = Policy::from_json(&p.to_json()).unwrap();
        assert_eq!(again.config(), p.config());
    }

    #[test]
    fn bounds() {
        let week = PolicyConfig {
            access_token_lifetime: 7 * DAY,
            ..base()
        };
        assert!(Policy::new(week).is_ok());
        for bad in [
            PolicyConfig {
                code_lifetime: 601,
                ..base()
            },
            PolicyConfig {
                code_lifetime: 0,
                ..base()
            },
            PolicyConfig {
                access_token_lifetime: 32 * DAY,
                ..base()
            },
            PolicyConfig {
                refresh_idle_lifetime: 91 * DAY,
                ..base()
            },
            PolicyConfig {
                refresh_reuse_grace_seconds: 61,
                ..base()
            },
            PolicyConfig {
                refresh_history: 0,
                ..base()
            },
            PolicyConfig {
                engine_token_typ: "application/AT+JWT".to_owned(),
                ..base()
            },
            PolicyConfig {
                issuer: String::new(),
                ..base()
            },
            PolicyConfig {
                audiences: vec![],
                ..base()
            },
        ] {
            assert_eq!(
                Policy::new(bad).unwrap_err().kind(),
                ErrorKind::InvalidArgument
            );
        }
        let bad_prefix = PolicyConfig {
            token_prefix: "Bad".to_owned(),
            ..base()
        };
        assert_eq!(
            Policy::new(bad_prefix).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn strict_json() {
        for text in [
            r#"{"issuer":"x","audiences":["a"],"surprise":1}"#,
            r#"{"issuer":"x","audiences":"a"}"#,
            r#"{"issuer":"x","audiences":["a"],"code_lifetime":-1}"#,
            r#"{"audiences":["a"]}"#,
            "[]",
            "{",
        ] {
            assert_eq!(
                Policy::from_json(text).unwrap_err().kind(),
                ErrorKind::InvalidJson,
                "{text}"
            );
        }
        assert_eq!(
            Policy::from_json(r#"{"issuer":"x","audiences":["a"],"issuer":"y"}"#)
                .unwrap_err()
                .kind(),
            ErrorKind::DuplicateMember
        );
    }

    #[test]
    fn implications_from_json() {
        let p = Policy::from_json(
            r#"{"issuer":"x","audiences":["a"],"implications":
                {"wildcard_actions":true,"superscopes":["all"],"rules":{"job:write":["job:read"]}}}"#,
        )
        .unwrap();
        let imp = p.implications();
        let s = |t| crate::scope::Scope::new(t).unwrap();
        assert!(imp.implies(&s("job:*"), &s("job:delete")));
        assert!(imp.implies(&s("all"), &s("x")));
        assert!(imp.implies(&s("job:write"), &s("job:read")));
        let bad = r#"{"issuer":"x","audiences":["a"],"implications":{"superscopes":["a b"]}}"#;
        assert_eq!(
            Policy::from_json(bad).unwrap_err().kind(),
            ErrorKind::InvalidScope
        );
    }
}
