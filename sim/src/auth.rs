//! Who is asking (a bearer token or a client certificate) and what they may do (RBAC-like
//! rules per user).

use crate::state::{Shared, lock};

/// The authenticated identity of a request.
#[derive(Debug, Clone)]
pub(crate) enum Identity {
    User(String),
    /// Acting as another user (and groups), by the `Impersonate-*` headers.
    Impersonated {
        name: String,
        groups: Vec<String>,
    },
    Anonymous,
    Invalid,
}

impl Identity {
    pub(crate) fn name(&self) -> Option<String> {
        match self {
            Identity::User(n) | Identity::Impersonated { name: n, .. } => Some(n.clone()),
            Identity::Anonymous => Some("system:anonymous".into()),
            Identity::Invalid => None,
        }
    }
}

/// The insecure port's user.
pub(crate) const UNSECURED: &str = "system:unsecured";

pub(crate) fn authenticate(
    headers: &hyper::HeaderMap,
    cert_user: Option<String>,
    shared: &Shared,
) -> Identity {
    if let Some(u) = cert_user {
        return Identity::User(u);
    }
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        // A plain-http API server is the old insecure port (removed in 1.20): every request
        // is the superuser `system:unsecured` in `system:masters`, with no authentication
        // (kubernetes pkg/kubeapiserver/server/insecure_handler.go). kubectl sends no
        // credentials there (client-go IsConfigTransportTLS).
        if lock(shared).plain_http {
            return Identity::Impersonated {
                name: UNSECURED.into(),
                groups: vec!["system:masters".into()],
            };
        }
        return Identity::Anonymous;
    };
    let Some(token) = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
    else {
        return Identity::Invalid;
    };
    let token = token.trim();
    let known = lock(shared)
        .users
        .iter()
        .find(|u| u.token.as_deref() == Some(token))
        .map(|u| u.name.clone());
    match known.or_else(|| oidc_user_of(shared, token)) {
        Some(name) => Identity::User(name),
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
    let name = match identity {
        Identity::User(name) => name,
        // The group every cluster binds to cluster-admin.
        Identity::Impersonated { groups, .. } if groups.iter().any(|g| g == "system:masters") => {
            return true;
        }
        Identity::Impersonated { name, .. } => name,
        Identity::Anonymous | Identity::Invalid => return false,
    };
    let s = lock(shared);
    s.users
        .iter()
        .filter(|u| &u.name == name)
        .flat_map(|u| u.rules.iter())
        .any(|r| r.allows(verb, resource, namespace))
}

/// The `Impersonate-User`, `-Group` and `-Uid` headers, checked as the API server's
/// impersonation filter does (staging/src/k8s.io/apiserver/pkg/endpoints/filters/
/// impersonation.go): the caller needs `impersonate` on `users`, `groups` and (API group
/// authentication.k8s.io) `uids`, each by name; groups or a UID without a user are a bad
/// request; a refusal is the authorizer's 403, naming what could not be impersonated.
pub(crate) fn impersonate(
    headers: &hyper::HeaderMap,
    identity: Identity,
    shared: &Shared,
) -> Result<Identity, Box<crate::responses::Resp>> {
    use crate::responses::{bad_request, forbidden_in_group};
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    };
    let user = values("impersonate-user").into_iter().next();
    let groups = values("impersonate-group");
    let uid = values("impersonate-uid").into_iter().next();
    let Some(user) = user else {
        if !groups.is_empty() || uid.is_some() {
            return Err(Box::new(bad_request(
                "requested impersonation of groups or a UID without impersonating a user",
            )));
        }
        return Ok(identity);
    };
    let acting = identity.name().unwrap_or_default();
    let mut checks: Vec<(&str, &str, String)> = vec![("users", "", user.clone())];
    checks.extend(groups.iter().map(|g| ("groups", "", g.clone())));
    if let Some(uid) = &uid {
        checks.push(("uids", "authentication.k8s.io", uid.clone()));
    }
    for (resource, group, name) in checks {
        if !authorized(shared, &identity, "impersonate", resource, None) {
            return Err(Box::new(forbidden_in_group(
                &acting,
                "impersonate",
                resource,
                group,
                &name,
                None,
            )));
        }
    }
    Ok(Identity::Impersonated { name: user, groups })
}

/// The user an unexpired ID token of the OIDC issuer (`crate::oidc`) was minted for.
fn oidc_user_of(shared: &Shared, token: &str) -> Option<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    lock(shared)
        .oidc_tokens
        .iter()
        .find(|(t, _, exp)| t == token && *exp > now)
        .map(|(_, user, _)| user.clone())
}
