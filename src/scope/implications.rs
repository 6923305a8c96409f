//! Scope implication (DESIGN "Scopes"): which granted scopes cover which requested ones, by an
//! explicit, configurable table (`R:*` wildcards, superscopes such as `all`, and rules). Nothing
//! is inferred from a scope's shape unless configured.

use std::collections::{BTreeMap, BTreeSet};

use super::Scope;
#[cfg(doc)]
use crate::ErrorKind;
use crate::Result;

/// The host's table of which granted scope implies which requested scope.
///
/// Built once, then immutable and `Send + Sync`. A scope always implies itself; anything else is
/// implied only as configured:
///
/// - [`Implications::wildcard_actions`]: `R:*` implies every `R:x` (including `R:*`), for every
///   resource `R`. Without it `job:*` is a literal scope like any other.
/// - [`Implications::superscope`]: the scope implies every scope.
/// - [`Implications::rule`]: `granted` implies `implied`.
///
/// Implication is transitive over all three: with `job:*` a wildcard, `rule("job:admin",
/// "billing:read")` makes `job:*` imply `billing:read`, and a rule leading to a superscope makes
/// its source imply everything. Cycles are allowed and harmless.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Implications {
    wildcard_actions: bool,
    superscopes: BTreeSet<Scope>,
    rules: BTreeMap<Scope, BTreeSet<Scope>>,
}

impl Implications {
    /// The table in which a scope implies only itself.
    pub fn none() -> Implications {
        Implications::default()
    }

    /// Makes `R:*` imply every `R:x` (structured scopes as in [`Scope::resource`]).
    #[must_use]
    pub fn wildcard_actions(mut self) -> Implications {
        self.wildcard_actions = true;
        self
    }

    /// Makes `scope` imply every scope (e.g. `all`). [`ErrorKind::InvalidScope`] (or
    /// [`ErrorKind::TooLarge`]) if `scope` is not a scope token.
    pub fn superscope(mut self, scope: &str) -> Result<Implications> {
        let _ = self.superscopes.insert(Scope::new(scope)?);
        Ok(self)
    }

    /// Declares that `granted` implies `implied` (and, transitively, whatever `implied`
    /// implies). Errors as in [`Implications::superscope`].
    pub fn rule(mut self, granted: &str, implied: &str) -> Result<Implications> {
        let granted = Scope::new(granted)?;
        let implied = Scope::new(implied)?;
        let _ = self.rules.entry(granted).or_default().insert(implied);
        Ok(self)
    }

    /// Whether holding `granted` allows `requested`.
    pub fn implies(&self, granted: &Scope, requested: &Scope) -> bool {
        self.reach(std::iter::once(granted)).covers(requested)
    }

    /// Everything reachable from `from`: a walk over the rules (and wildcard and superscope
    /// edges) with a visited set, so cycles terminate.
    pub(super) fn reach<'a>(&'a self, from: impl Iterator<Item = &'a Scope>) -> Reach<'a> {
        let mut reach = Reach {
            everything: false,
            nodes: BTreeSet::new(),
            wildcards: BTreeSet::new(),
        };
        let mut stack: Vec<&'a Scope> = from.collect();
        while let Some(node) = stack.pop() {
            if !reach.nodes.insert(node) {
                continue;
            }
            if self.superscopes.contains(node) {
                reach.everything = true;
                break;
            }
            if let Some(targets) = self.rules.get(node) {
                stack.extend(targets.iter().filter(|t| !reach.nodes.contains(t)));
            }
            if self.wildcard_actions && node.action() == Some("*") {
                if let Some(resource) = node.resource() {
                    let _ = reach.wildcards.insert(resource);
                    // R:* implies every R:x, so it also implies what the rules say R:x implies.
                    stack.extend(self.rules.keys().filter(|source| {
                        source.resource() == Some(resource) && !reach.nodes.contains(source)
                    }));
                }
            }
        }
        reach
    }
}

/// The scopes implied by some starting scopes (see [`Implications::reach`]).
pub(super) struct Reach<'a> {
    /// A superscope was reached.
    pub(super) everything: bool,
    /// Every scope reached through identity and rules.
    pub(super) nodes: BTreeSet<&'a Scope>,
    /// Resources `R` for which a wildcard `R:*` was reached (only with wildcard actions on).
    pub(super) wildcards: BTreeSet<&'a str>,
}

impl Reach<'_> {
    pub(super) fn covers(&self, scope: &Scope) -> bool {
        self.everything
            || self.nodes.contains(scope)
            || scope
                .resource()
                .is_some_and(|resource| self.wildcards.contains(resource))
    }
}
