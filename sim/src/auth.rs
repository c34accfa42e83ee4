//! Who is asking (a bearer token or a client certificate) and what they may do (RBAC-like
//! rules per user).

use crate::state::{Shared, lock};

/// The authenticated identity of a request.
#[derive(Debug, Clone)]
pub(crate) enum Identity {
    User(String),
    Anonymous,
    Invalid,
}

impl Identity {
    pub(crate) fn name(&self) -> Option<String> {
        match self {
            Identity::User(n) => Some(n.clone()),
            Identity::Anonymous => Some("system:anonymous".into()),
            Identity::Invalid => None,
        }
    }
}

pub(crate) fn authenticate(
    headers: &hyper::HeaderMap,
    cert_user: Option<String>,
    shared: &Shared,
) -> Identity {
    if let Some(u) = cert_user {
        return Identity::User(u);
    }
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Identity::Anonymous;
    };
    let Some(token) = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
    else {
        return Identity::Invalid;
    };
    let token = token.trim();
    let s = lock(shared);
    match s.users.iter().find(|u| u.token.as_deref() == Some(token)) {
        Some(u) => Identity::User(u.name.clone()),
        None => Identity::Invalid,
    }
}

/// RBAC-like decision for a resource request.
pub(crate) fn authorized(
    shared: &Shared,
    identity: &Identity,
    verb: &str,
    resource: &str,
    namespace: Option<&str>,
) -> bool {
    let Identity::User(name) = identity else {
        return false;
    };
    let s = lock(shared);
    s.users
        .iter()
        .filter(|u| &u.name == name)
        .flat_map(|u| u.rules.iter())
        .any(|r| r.allows(verb, resource, namespace))
}
