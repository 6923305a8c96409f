//! Scope claims in their common shapes (RFC 9068 §2.2.3 `scope` strings, `scp`/`scope` arrays,
//! RFC 9396 `authorization_details`-style objects), read into a [`Collector`] that enforces the
//! limits across all of them.

use serde_json::{Map, Value};

use super::{Collector, MAX_SCOPE_LEN, MAX_SCOPES, Scope};
use crate::{Error, ErrorKind, Result};

fn claim_type(name: &'static str, what: &'static str) -> Error {
    Error::with_detail(
        ErrorKind::InvalidClaimType,
        format!("claim \"{name}\" {what}"),
    )
}

pub(super) fn read_claim(
    collector: &mut Collector,
    name: &'static str,
    value: &Value,
) -> Result<()> {
    match value {
        Value::String(s) => collector.add_string(s),
        Value::Array(items) => {
            if items.len() > MAX_SCOPES {
                return Err(Error::new(ErrorKind::TooLarge, "more than 256 scopes"));
            }
            for item in items {
                match item {
                    Value::String(s) => collector.add_token(s)?,
                    Value::Object(object) => read_object(collector, name, object)?,
                    _ => {
                        return Err(claim_type(
                            name,
                            "array elements must be strings or objects with \"actions\"",
                        ));
                    }
                }
            }
            Ok(())
        }
        _ => Err(claim_type(name, "must be a string or an array")),
    }
}

fn read_object(
    collector: &mut Collector,
    name: &'static str,
    object: &Map<String, Value>,
) -> Result<()> {
    let Some(Value::Array(actions)) = object.get("actions") else {
        return Err(claim_type(
            name,
            "objects must have an \"actions\" array of strings",
        ));
    };
    if actions.len() > MAX_SCOPES {
        return Err(Error::new(ErrorKind::TooLarge, "more than 256 scopes"));
    }
    let resource = match object.get("resource") {
        None => None,
        Some(Value::String(resource)) => {
            if resource.contains(':') {
                return Err(Error::new(
                    ErrorKind::InvalidScope,
                    "a scope object's \"resource\" must not contain ':'",
                ));
            }
            Some(Scope::new(resource)?)
        }
        Some(_) => {
            return Err(claim_type(
                name,
                "object member \"resource\" must be a string",
            ));
        }
    };
    for action in actions {
        let Value::String(action) = action else {
            return Err(claim_type(
                name,
                "object member \"actions\" must hold strings",
            ));
        };
        match &resource {
            None => collector.add_token(action)?,
            Some(resource) => {
                if action.is_empty() {
                    return Err(Error::new(ErrorKind::InvalidScope, "empty action"));
                }
                let len = resource
                    .as_str()
                    .len()
                    .saturating_add(1)
                    .saturating_add(action.len());
                if len > MAX_SCOPE_LEN {
                    return Err(Error::new(
                        ErrorKind::TooLarge,
                        "scope token longer than 256 bytes",
                    ));
                }
                collector.add_token(&format!("{resource}:{action}"))?;
            }
        }
    }
    Ok(())
}
