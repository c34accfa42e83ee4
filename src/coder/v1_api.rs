//! Coder v1's user API, as the dashboard uses it to reset a user's password, reached through
//! a port-forward to coderd: pure requests and readings. The shapes are those of the v1 SDK
//! (github.com/cdr/coder-cli, coder-sdk/users.go, login.go, request.go, error.go): `GET
//! /api/v0/users`, `PATCH /api/v0/users/{id}` with `{password, temporary_password}`, the
//! `Session-Token` header, `POST /auth/basic/login`, errors `{"error":{"msg",...}}`.

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::coder::password::Secret;
use crate::text;

pub const USERS_PATH: &str = "/api/v0/users";
pub const LOGIN_PATH: &str = "/auth/basic/login";
pub const SESSION_HEADER: &str = "Session-Token";
/// coderd's HTTP port in cdr/enterprise-helm (templates/coderd.yaml: `tcp-coderd`, 8080).
pub const DEFAULT_PORT: u16 = 8080;
/// How the chart names that port.
pub const PORT_NAMES: [&str; 3] = ["tcp-coderd", "http", "tcp-cemanager"];

/// One account of `GET /api/v0/users` (coder-sdk/users.go `User`; fields we do not use are
/// ignored).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiUser {
    pub id: String,
    pub email: String,
    pub username: String,
    #[serde(default)]
    pub roles: Vec<String>,
    /// `built-in`, `saml` or `oidc`.
    #[serde(default)]
    pub login_type: String,
    #[serde(default)]
    pub temporary_password: bool,
}

/// The users list, or what was wrong with it.
pub fn read_users(body: &[u8]) -> Result<Vec<ApiUser>, String> {
    serde_json::from_slice(body).map_err(|e| format!("the user list is not what coderd sends: {e}"))
}

/// What looking a user up by name or email found.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    Found(&'a ApiUser),
    /// No account is called that; these are close (usernames, at most five).
    NotFound {
        close: Vec<String>,
    },
}

/// Finds `wanted` as a username or an email, ignoring case (coderd compares both so).
pub fn find_user<'a>(users: &'a [ApiUser], wanted: &str) -> Lookup<'a> {
    let found = users
        .iter()
        .find(|u| u.username.eq_ignore_ascii_case(wanted) || u.email.eq_ignore_ascii_case(wanted));
    if let Some(user) = found {
        return Lookup::Found(user);
    }
    let wanted = wanted.to_ascii_lowercase();
    let local = wanted.split('@').next().unwrap_or(&wanted).to_string();
    let mut scored: Vec<(usize, &str)> = users
        .iter()
        .filter_map(|u| {
            let name = u.username.to_ascii_lowercase();
            let email_local = u
                .email
                .to_ascii_lowercase()
                .split('@')
                .next()
                .unwrap_or_default()
                .to_string();
            let distance = edit_distance(&name, &local).min(edit_distance(&email_local, &local));
            let contains = local.len() >= 3
                && (name.contains(&local) || email_local.contains(&local) || local.contains(&name));
            // Names holding what was typed come first, then by edit distance.
            let rank = if contains { 0 } else { distance };
            // A typo or two, fewer in short names: `zed` is not close to `aud`.
            let typos = (local.chars().count() / 3).clamp(1, 2);
            (distance <= typos || contains).then_some((rank, u.username.as_str()))
        })
        .collect();
    scored.sort();
    Lookup::NotFound {
        close: scored
            .into_iter()
            .take(5)
            .map(|(_, name)| name.to_string())
            .collect(),
    }
}

/// The users coderd listed, for a hint: `coderd has 3 users: admin, alice, bob`, the first ten
/// by name beyond that.
pub fn users_listed(users: &[ApiUser]) -> String {
    const SHOWN: usize = 10;
    let mut names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    names.sort_unstable();
    let count = names.len();
    let more = count.saturating_sub(SHOWN);
    names.truncate(SHOWN);
    let list = names.join(", ");
    match (count, more) {
        (0, _) => "coderd listed no users".to_string(),
        (1, _) => format!("coderd has 1 user: {list}"),
        (_, 0) => format!("coderd has {count} users: {list}"),
        _ => {
            format!("coderd has {count} users; the first {SHOWN} by name: {list}, and {more} more")
        }
    }
}

/// Damerau's distance in its optimal string alignment form, on characters: Levenshtein's
/// insertions, deletions and substitutions, plus a swap of two neighbours as one edit, since
/// `alcie` for `alice` is the commonest typo and Levenshtein counts it as two.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j]: the distance between a[..i] and b[..j].
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// Why a user's password cannot be reset here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotResettable {
    /// The account signs in through an identity provider: its password lives there.
    #[error(
        "{username} signs in through {provider}, so its password lives in the identity provider, not in Coder"
    )]
    IdentityProvider { username: String, provider: String },
}

/// Only built-in accounts have a password in Coder.
pub fn resettable(user: &ApiUser) -> Result<(), NotResettable> {
    match user.login_type.as_str() {
        "built-in" | "" => Ok(()),
        other => Err(NotResettable::IdentityProvider {
            username: user.username.clone(),
            provider: match other {
                "saml" => "SAML".to_string(),
                "oidc" => "OpenID Connect".to_string(),
                other => format!("login type {other:?}"),
            },
        }),
    }
}

/// `{"password": P, "temporary_password": true}`: what the dashboard's Reset password sends
/// (users.go `UpdateUserReq` flattens `UserPasswordSettings`).
pub fn patch_body(password: &Secret) -> Zeroizing<Vec<u8>> {
    let mut body = Zeroizing::new(Vec::with_capacity(64 + password.expose().len()));
    body.extend_from_slice(br#"{"password":"#);
    json_string_into(password.expose(), &mut body);
    body.extend_from_slice(br#","temporary_password":true}"#);
    body
}

/// `{"email": E, "password": P}` for `POST /auth/basic/login` (login.go `LoginRequest`).
pub fn login_body(email: &str, password: &Secret) -> Zeroizing<Vec<u8>> {
    let mut body = Zeroizing::new(Vec::with_capacity(
        64 + email.len() + password.expose().len(),
    ));
    body.extend_from_slice(br#"{"email":"#);
    json_string_into(email, &mut body);
    body.extend_from_slice(br#","password":"#);
    json_string_into(password.expose(), &mut body);
    body.push(b'}');
    body
}

/// Writes `s` as a JSON string straight into `out` (no intermediate copy of a secret).
fn json_string_into(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// The session token of a login answer (login.go `LoginResponse`); coderd may answer an
/// error with status 200, which the SDK then reports as an empty token.
pub fn read_session_token(body: &[u8]) -> Option<Secret> {
    #[derive(Deserialize)]
    struct LoginResponse {
        session_token: String,
    }
    let parsed: LoginResponse = serde_json::from_slice(body).ok()?;
    let token = parsed.session_token;
    (!token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())).then(|| Secret::from(token))
}

/// coderd's own words for a failed request (error.go: `{"error":{"msg":...}}`), else the
/// status's reason, as the SDK's `HTTPError` does.
pub fn error_message(status: u16, body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct ApiError {
        error: ApiErrorMsg,
    }
    #[derive(Deserialize)]
    struct ApiErrorMsg {
        msg: String,
    }
    match serde_json::from_slice::<ApiError>(body) {
        // Each further line of it quoted: it must not pass for a line of ours.
        Ok(e) if !e.error.msg.trim().is_empty() => text::quoted_lines(e.error.msg.trim()),
        _ => {
            let reason = http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("unknown status");
            format!("{status} {reason}")
        }
    }
}

/// A token as read from a file or the environment: the CLI writes it without a newline, but
/// a hand-written file may have one. `None` when it cannot be a token.
pub fn clean_token(raw: &str) -> Option<Secret> {
    let token = raw.trim();
    (!token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| Secret::from(token.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(username: &str, email: &str, login_type: &str) -> ApiUser {
        ApiUser {
            id: format!("id-{username}"),
            email: email.into(),
            username: username.into(),
            roles: vec!["site-member".into()],
            login_type: login_type.into(),
            temporary_password: false,
        }
    }

    fn users() -> Vec<ApiUser> {
        vec![
            user("admin", "admin@coder.example.com", "built-in"),
            user("alice", "Alice.Smith@example.com", "built-in"),
            user("alicia", "alicia@example.com", "built-in"),
            user("bob", "bob@example.com", "built-in"),
            user("olivia", "olivia@example.com", "oidc"),
        ]
    }

    #[test]
    fn users_are_found_by_name_or_email_ignoring_case() {
        let users = users();
        for (wanted, found) in [
            ("alice", "alice"),
            ("ALICE", "alice"),
            ("alice.smith@EXAMPLE.com", "alice"),
            ("bob@example.com", "bob"),
        ] {
            match find_user(&users, wanted) {
                Lookup::Found(u) => assert_eq!(u.username, found, "{wanted}"),
                other => panic!("{wanted}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_missing_user_lists_close_ones() {
        let users = users();
        let cases: &[(&str, &[&str])] = &[
            ("alise", &["alice"]),
            // Two letters swapped is one typo.
            ("alcie", &["alice"]),
            // `alicia` is one swap away, `alice` two edits.
            ("alicai", &["alicia", "alice"]),
            ("ali", &["alice", "alicia"]),
            ("bobby@example.com", &["bob"]),
            // In the email only (Alice.Smith@example.com).
            ("smith", &["alice"]),
            ("zed", &[]),
            ("", &[]),
        ];
        for (wanted, close) in cases {
            assert_eq!(
                find_user(&users, wanted),
                Lookup::NotFound {
                    close: close.iter().map(|s| s.to_string()).collect()
                },
                "{wanted}"
            );
        }
    }

    #[test]
    fn users_listed_for_a_hint() {
        let named = |names: &[&str]| -> Vec<ApiUser> {
            names
                .iter()
                .map(|n| user(n, &format!("{n}@x"), "built-in"))
                .collect()
        };
        assert_eq!(users_listed(&[]), "coderd listed no users");
        assert_eq!(users_listed(&named(&["bob"])), "coderd has 1 user: bob");
        assert_eq!(
            users_listed(&named(&["bob", "Admin", "alice"])),
            "coderd has 3 users: Admin, alice, bob"
        );
        let many: Vec<String> = (0..12).map(|i| format!("u{i:02}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            users_listed(&named(&many)),
            "coderd has 12 users; the first 10 by name: u00, u01, u02, u03, u04, u05, u06, u07, u08, u09, and 2 more"
        );
    }

    #[test]
    fn edit_distances() {
        for (a, b, d) in [
            ("", "", 0),
            ("abc", "", 3),
            ("alice", "alise", 1),
            ("kitten", "sitting", 3),
            // Neighbours swapped: one edit (Levenshtein says two).
            ("alice", "alcie", 1),
            ("ab", "ba", 1),
            // Optimal string alignment edits no substring twice: `ca` to `abc` is 3
            // (unrestricted Damerau-Levenshtein would say 2).
            ("ca", "abc", 3),
            ("héllo", "ehllo", 2),
        ] {
            assert_eq!(edit_distance(a, b), d, "{a} {b}");
        }
    }

    #[test]
    fn identity_provider_accounts_are_not_resettable() {
        assert_eq!(resettable(&user("a", "a@x", "built-in")), Ok(()));
        assert_eq!(resettable(&user("a", "a@x", "")), Ok(()));
        for (login_type, provider) in [("oidc", "OpenID Connect"), ("saml", "SAML")] {
            assert_eq!(
                resettable(&user("olivia", "o@x", login_type))
                    .unwrap_err()
                    .to_string(),
                format!(
                    "olivia signs in through {provider}, so its password lives in the identity provider, not in Coder"
                )
            );
        }
    }

    #[test]
    fn bodies_are_json_with_the_secret_escaped() {
        let pw = Secret::from("a\"b\\c\u{1}é".to_string());
        let patch = patch_body(&pw);
        let value: serde_json::Value = serde_json::from_slice(&patch).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"password": "a\"b\\c\u{1}é", "temporary_password": true})
        );
        let login = login_body("admin@coder.example.com", &pw);
        let value: serde_json::Value = serde_json::from_slice(&login).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"email": "admin@coder.example.com", "password": "a\"b\\c\u{1}é"})
        );
        // Only what JSON requires is escaped (as Go's encoder would leave a space, `é` and
        // an emoji as they are), byte for byte.
        let login = login_body("a@b", &Secret::from("x y\u{1f}é😀".to_string()));
        assert_eq!(
            String::from_utf8(login.to_vec()).unwrap(),
            r#"{"email":"a@b","password":"x y\u001fé😀"}"#
        );
    }

    #[test]
    fn session_tokens_and_errors_are_read_as_the_sdk_reads_them() {
        assert_eq!(
            read_session_token(br#"{"session_token":"abc-123"}"#).map(|t| t.expose().to_string()),
            Some("abc-123".into())
        );
        assert!(read_session_token(br#"{"session_token":""}"#).is_none());
        assert!(read_session_token(br#"{"error":{"msg":"no"}}"#).is_none());
        assert_eq!(
            error_message(
                403,
                br#"{"error":{"msg":"denied\nhint: run curl x | sh\u202e"}}"#
            ),
            "denied\n  | hint: run curl x | sh<U+202E>"
        );
        assert!(read_session_token(b"{\"session_token\":\"a\\nb\"}").is_none());
        assert_eq!(
            error_message(403, br#"{"error":{"msg":"You do not have permission to do that.","code":"forbidden","details":null}}"#),
            "You do not have permission to do that."
        );
        assert_eq!(
            error_message(502, b"<html>bad gateway</html>"),
            "502 Bad Gateway"
        );
        assert_eq!(
            error_message(401, br#"{"error":{"msg":"  "}}"#),
            "401 Unauthorized"
        );
    }

    #[test]
    fn users_list_shapes() {
        let list = read_users(
            br#"[{"id":"1","email":"a@x","username":"a","name":"A","roles":["site-admin"],"temporary_password":false,"login_type":"built-in","key_regenerated_at":"2026-01-05T10:00:00Z"}]"#,
        )
        .unwrap();
        assert_eq!(list[0].roles, ["site-admin"]);
        assert!(read_users(b"{}").is_err());
    }

    #[test]
    fn tokens_are_trimmed_and_checked() {
        assert_eq!(
            clean_token("abc\n").map(|t| t.expose().to_string()),
            Some("abc".into())
        );
        assert!(clean_token(" \n").is_none());
        assert!(clean_token("a b").is_none());
    }
}
