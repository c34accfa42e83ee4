//! An OpenID Connect issuer beside the API server, for kubeconfig users of the `oidc`
//! auth-provider (kubectl before 1.26; kube's `oidc` feature): discovery at
//! `/oidc/.well-known/openid-configuration` and a token endpoint that answers a
//! `refresh_token` grant (RFC 6749 §6) with a new ID token. ID tokens are unsigned JWTs whose
//! `exp` clients read (kube's oidc.rs checks only that claim); the API server accepts the ones
//! this issuer minted, for the user they were minted for.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use serde_json::json;

use crate::request::Ctx;
use crate::responses::{Resp, json_resp};
use crate::state::{Shared, lock};

/// The OAuth client kubeconfigs name (`client-id`, `client-secret`).
pub const CLIENT_ID: &str = "kubernetes";
pub const CLIENT_SECRET: &str = "kube-client-secret";

/// An unsigned JWT for `user` expiring at `exp`, accepted by the API server from now on.
pub(crate) fn mint(shared: &Shared, user: &str, exp: SystemTime) -> String {
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let exp = exp
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let token = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(
            &json!({"iss": "kubesim/oidc", "sub": user, "aud": CLIENT_ID, "exp": exp, "jti": crate::ids::uuid_v4()})
        )
    );
    lock(shared)
        .oidc_tokens
        .push((token.clone(), user.to_string(), exp));
    token
}

/// Discovery and the token endpoint; `None` for other paths.
pub(crate) fn route(ctx: &Ctx, shared: &Shared, base_url: &str) -> Option<Resp> {
    let issuer = format!("{base_url}/oidc");
    match (ctx.method.as_str(), ctx.path.as_str()) {
        ("GET", "/oidc/.well-known/openid-configuration") => Some(json_resp(
            200,
            &json!({
                "issuer": issuer,
                "token_endpoint": format!("{issuer}/token"),
                "authorization_endpoint": format!("{issuer}/auth"),
                "jwks_uri": format!("{issuer}/keys"),
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["none"],
                "grant_types_supported": ["refresh_token"]
            }),
        )),
        ("POST", "/oidc/token") => Some(token(ctx, shared)),
        _ => None,
    }
}

fn error(status: u16, code: &str) -> Resp {
    json_resp(status, &json!({"error": code}))
}

/// A `refresh_token` grant, with the client's credentials in Basic auth or in the form.
fn token(ctx: &Ctx, shared: &Shared) -> Resp {
    let form = crate::request::parse_query(&String::from_utf8_lossy(&ctx.body));
    let field = |k: &str| form.iter().find(|(fk, _)| fk == k).map(|(_, v)| v.clone());
    let basic = ctx
        .header("authorization")
        .and_then(|a| a.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let client = match basic {
        Some(pair) => pair
            .split_once(':')
            .map(|(i, s)| (i.to_string(), s.to_string())),
        None => field("client_id").zip(field("client_secret")),
    };
    if client != Some((CLIENT_ID.to_string(), CLIENT_SECRET.to_string())) {
        return error(401, "invalid_client");
    }
    if field("grant_type").as_deref() != Some("refresh_token") {
        return error(400, "unsupported_grant_type");
    }
    let refresh = field("refresh_token").unwrap_or_default();
    let user = {
        let mut s = lock(shared);
        let user = s
            .oidc_accounts
            .iter()
            .find(|(_, r)| r == &refresh)
            .map(|(u, _)| u.clone());
        if user.is_some() {
            s.oidc_refreshes += 1;
        }
        user
    };
    let Some(user) = user else {
        return error(400, "invalid_grant");
    };
    let id_token = mint(shared, &user, SystemTime::now() + Duration::from_secs(3600));
    json_resp(
        200,
        &json!({
            "access_token": crate::ids::random_password(24),
            "token_type": "Bearer",
            "expires_in": 3600,
            "id_token": id_token,
            "refresh_token": refresh,
        }),
    )
}
