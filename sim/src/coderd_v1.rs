//! Coder v1's coderd HTTP API, the part the dashboard and the v1 CLI use to manage users,
//! served on the coderd container's port 8080 and reached through `pods/portforward`.
//!
//! coderd is closed source; the shapes follow its open SDK (cdr/coder-cli, identical in
//! coder/coder-v1-cli @3fa10bb): coder-sdk/users.go (`User`, roles, login types,
//! `UpdateUserReq` with the flattened, `omitempty` `UserPasswordSettings`), login.go
//! (`POST /auth/basic/login` `{email,password}` → `{session_token}`), request.go (the
//! `Session-Token` header; any status above 299 is an error) and error.go
//! (`{"error":{"msg","code","details"}}`), version.go (`GET /api`, header `coder-version`).
//! Who may do what is our reading of the v1 docs (site admins and site managers manage users;
//! auditors read them; members neither) and of users.go's note that a temporary password
//! restricts API access to the password change: assumptions, marked as such below.

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::DuplexStream;

use crate::ids;
use crate::state::{CoderdBehaviour, CoderdRequest, Shared, V1User, lock};

fn user_json(u: &V1User) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "username": u.username,
        "name": u.name,
        "roles": u.roles,
        "temporary_password": u.temporary_password,
        "login_type": u.login_type,
        "key_regenerated_at": "2026-01-05T10:00:00Z",
        "created_at": "2025-06-01T09:00:00Z",
        "updated_at": "2026-11-01T09:00:00Z",
    })
}

fn has_role(u: &V1User, roles: &[&str]) -> bool {
    u.roles.iter().any(|r| roles.contains(&r.as_str()))
}

/// The accounts of a new simulator: the site admin (created at install, `admin`), a
/// manager, an auditor, members, and two accounts of an identity provider.
pub fn default_users() -> Vec<V1User> {
    vec![
        V1User::new("admin", "site-admin", "Initial-Admin-Pw-1").email("admin@coder.example.com"),
        V1User::new("mia", "site-manager", "Manager-Pw-2024"),
        V1User::new("aud", "site-auditor", "Auditor-Pw-2024"),
        V1User::new("alice", "site-member", "Alice-Old-Pw-1").email("Alice.Smith@example.com"),
        V1User::new("alicia", "site-member", "Alicia-Old-Pw-1"),
        V1User::new("olivia", "site-member", "").login_type("oidc"),
        V1User::new("sam", "site-member", "").login_type("saml"),
    ]
}

/// Serves one TCP connection's worth of HTTP/1.1 (keep-alive included) on `io`.
pub(crate) async fn serve(io: DuplexStream, shared: Shared) {
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let shared = shared.clone();
        async move { handle(req, &shared).await }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

type Resp = Response<Full<Bytes>>;

/// `Err` closes the connection without an answer (hyper drops it when a service fails).
async fn handle(req: Request<Incoming>, shared: &Shared) -> Result<Resp, &'static str> {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let token = req
        .headers()
        .get("session-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let behaviour = lock(shared).coderd_behaviour.clone();
    if let Some(CoderdBehaviour::Slow(delay)) = &behaviour {
        tokio::time::sleep(*delay).await;
    }
    let resp = match &behaviour {
        Some(CoderdBehaviour::RedirectTo(base)) => redirect(&format!("{base}{path}"), &method),
        Some(CoderdBehaviour::ErrorMessage(msg)) => {
            let resp = route(&method, &path, token.as_deref(), &body, shared);
            if resp.status().as_u16() >= 400 {
                error(resp.status().as_u16(), "forbidden", msg)
            } else {
                resp
            }
        }
        _ => route(&method, &path, token.as_deref(), &body, shared),
    };
    let mut s = lock(shared);
    // The fault: the request took effect, and then the connection went.
    let drop_answer = s.coderd_drop_answer_to.as_deref() == Some(method.as_str());
    if drop_answer {
        s.coderd_drop_answer_to = None;
    }
    s.coderd_requests.push(CoderdRequest {
        method,
        path,
        headers,
        body,
        status: if drop_answer {
            0
        } else {
            resp.status().as_u16()
        },
    });
    if drop_answer {
        return Err("connection dropped after the request was applied");
    }
    Ok(resp)
}

fn json_resp(status: u16, v: &Value) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(v.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    r
}

/// net/http's `Redirect` (golang/go src/net/http/server.go, read for this) with
/// `StatusPermanentRedirect`: the `Location`; for GET and HEAD `text/html; charset=utf-8`, and
/// for GET the body `"<a href=\"" + htmlEscape(url) + "\">" + StatusText(code) + "</a>.\n"`
/// written with `Fprintln`, hence the second newline. `htmlReplacer` escapes `& < > " '`.
fn redirect(location: &str, method: &str) -> Resp {
    let body = if method == "GET" {
        let escaped = location
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&#34;")
            .replace('\'', "&#39;");
        format!("<a href=\"{escaped}\">Permanent Redirect</a>.\n\n")
    } else {
        String::new()
    };
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::PERMANENT_REDIRECT;
    r.headers_mut().insert(
        "location",
        location.parse().expect("a URL is a header value"),
    );
    if method == "GET" || method == "HEAD" {
        r.headers_mut()
            .insert("content-type", "text/html; charset=utf-8".parse().unwrap());
    }
    r
}

/// error.go's `APIError`.
fn error(status: u16, code: &str, msg: &str) -> Resp {
    json_resp(
        status,
        &json!({"error": {"msg": msg, "code": code, "details": null}}),
    )
}

fn route(method: &str, path: &str, token: Option<&str>, body: &[u8], shared: &Shared) -> Resp {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segs.as_slice()) {
        ("GET", ["api"]) => {
            let mut r = json_resp(200, &json!({}));
            r.headers_mut()
                .insert("coder-version", "1.44.0".parse().unwrap());
            r
        }
        ("GET", ["cem-healthz"]) => json_resp(200, &json!({})),
        ("POST", ["auth", "basic", "login"]) => login(body, shared),
        (_, ["api", "v0", "users", ..]) => {
            let Some(actor) = session_user(token, shared) else {
                return error(401, "unauthorized", "You must be logged in to do that.");
            };
            users(method, &segs[3..], &actor, body, shared)
        }
        _ => error(404, "not_found", "route not found"),
    }
}

fn session_user(token: Option<&str>, shared: &Shared) -> Option<V1User> {
    let token = token?;
    let s = lock(shared);
    let id = s
        .coderd_sessions
        .iter()
        .find(|(t, _)| t == token)
        .map(|(_, id)| id.clone())?;
    s.v1_users.iter().find(|u| u.id == id).cloned()
}

fn login(body: &[u8], shared: &Shared) -> Resp {
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return error(400, "bad_request", "invalid request body");
    };
    let (Some(email), Some(password)) = (req["email"].as_str(), req["password"].as_str()) else {
        return error(400, "bad_request", "email and password are required");
    };
    let mut s = lock(shared);
    let user = s.v1_users.iter().find(|u| {
        u.email.eq_ignore_ascii_case(email)
            && u.login_type == "built-in"
            && u.password.as_deref() == Some(password)
    });
    let Some(user) = user.cloned() else {
        return error(401, "unauthorized", "Incorrect email or password.");
    };
    let token = format!("{}-{}", &ids::uuid_v4()[..10], ids::random_password(22));
    s.coderd_sessions.push((token.clone(), user.id));
    json_resp(200, &json!({"session_token": token}))
}

fn users(method: &str, rest: &[&str], actor: &V1User, body: &[u8], shared: &Shared) -> Resp {
    // Assumed from users.go's `Temporary` note: a session of an account whose password is
    // temporary may only change that password.
    let changing_own_password = method == "PATCH" && rest == ["me"];
    if actor.temporary_password && !changing_own_password {
        return error(
            403,
            "forbidden",
            "You must change your temporary password before continuing.",
        );
    }
    let may_read = has_role(actor, &["site-admin", "site-manager", "site-auditor"]);
    let may_manage = has_role(actor, &["site-admin", "site-manager"]);
    let forbidden = || error(403, "forbidden", "You do not have permission to do that.");
    match (method, rest) {
        ("GET", []) => {
            if !may_read {
                return forbidden();
            }
            let list: Vec<Value> = lock(shared).v1_users.iter().map(user_json).collect();
            json_resp(200, &Value::Array(list))
        }
        ("GET", [id]) => {
            let target = find(id, actor, shared);
            match target {
                Some(u) if may_read || u.id == actor.id => json_resp(200, &user_json(&u)),
                Some(_) => forbidden(),
                None => error(404, "not_found", "User not found."),
            }
        }
        ("PATCH", [id]) => {
            let Some(target) = find(id, actor, shared) else {
                return error(404, "not_found", "User not found.");
            };
            let Ok(req) = serde_json::from_slice::<Value>(body) else {
                return error(400, "bad_request", "invalid request body");
            };
            let own = target.id == actor.id;
            // Assumed: managers manage members and auditors, not admins.
            let allowed = own
                || has_role(actor, &["site-admin"])
                || (may_manage && !has_role(&target, &["site-admin"]));
            if !allowed {
                return forbidden();
            }
            let Some(password) = req["password"].as_str() else {
                return json_resp(200, &user_json(&target));
            };
            if target.login_type != "built-in" {
                return error(
                    400,
                    "bad_request",
                    &format!(
                        "Cannot set a password for a user with login type \"{}\".",
                        target.login_type
                    ),
                );
            }
            if own && req["old_password"].as_str() != target.password.as_deref() {
                return error(400, "bad_request", "Old password is incorrect.");
            }
            let mut s = lock(shared);
            if let Some(u) = s.v1_users.iter_mut().find(|u| u.id == target.id) {
                u.password = Some(password.to_string());
                // omitempty: an absent field is false.
                u.temporary_password = req["temporary_password"].as_bool().unwrap_or(false);
            }
            json_resp(200, &json!({}))
        }
        _ => error(405, "method_not_allowed", "Method not allowed."),
    }
}

fn find(id: &str, actor: &V1User, shared: &Shared) -> Option<V1User> {
    if id == "me" {
        return Some(actor.clone());
    }
    lock(shared).v1_users.iter().find(|u| u.id == id).cloned()
}
