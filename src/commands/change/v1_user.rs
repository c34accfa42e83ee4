//! `reset-password USER` on Coder v1, as the dashboard's Reset password does it: through
//! coderd's API ([`v1_api`]), reached over a port-forward to the coderd pod, acting as a site
//! admin or site manager. The user gets a temporary password that coderd makes them change at
//! the next login. The session token and the admin's password are never printed, logged or
//! stored.

use std::path::PathBuf;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;

use crate::coder::names::Account;
use crate::coder::password::{self, Secret};
use crate::coder::target::Target;
use crate::coder::v1_api::{self, ApiUser, Lookup};
use crate::commands::change::outcome::Verdict;
use crate::commands::session::Session;
use crate::exit_codes::ExitCode;
use crate::kube::connection::{Connection, USER_AGENT};
use crate::kube::portforward::{Answer, Tunnel, TunnelError};
use crate::ui::output::{self, CredentialsReport, DryRunReport, Place, ShownPassword};
use crate::ui::problem::{self, Problem};
use crate::ui::prompt;

/// Each request through the tunnel, and opening it, may take this long when `--timeout` is
/// not given.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the session comes from: said in messages, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `CODER_TOKEN`.
    Environment,
    /// The v1 CLI's saved login, and the deployment URL saved beside it.
    SessionFile { path: PathBuf, url: Option<String> },
    /// A login with this email, asked for on the terminal.
    Login { email: String },
}

impl Origin {
    fn describe(&self) -> String {
        match self {
            Origin::Environment => "the session token in CODER_TOKEN".into(),
            Origin::SessionFile { path, url } => format!(
                "the v1 CLI's session in {}{}",
                path.display(),
                url.as_deref()
                    .map(|u| format!(" (saved for {u})"))
                    .unwrap_or_default()
            ),
            Origin::Login { email } => format!("the session of {email}"),
        }
    }
}

/// A token found without asking: `CODER_TOKEN`, else the v1 CLI's `session` file.
fn saved_session() -> Option<(Secret, Origin)> {
    if let Some(token) = std::env::var("CODER_TOKEN")
        .ok()
        .and_then(|t| v1_api::clean_token(&t))
    {
        return Some((token, Origin::Environment));
    }
    let dir = crate::platform::home::live_coder_v1_config_dir()?;
    let path = dir.join("session");
    let raw = zeroize::Zeroizing::new(std::fs::read_to_string(&path).ok()?);
    let token = v1_api::clean_token(&raw)?;
    let url = std::fs::read_to_string(dir.join("url"))
        .ok()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    Some((token, Origin::SessionFile { path, url }))
}

/// How we will act as an admin.
enum Credentials {
    Token(Secret),
    Login { email: String, password: Secret },
}

pub async fn run(
    session: &Session<'_>,
    conn: &Connection,
    target: &Target,
    wanted: &Account,
    chosen: Option<Secret>,
) -> anyhow::Result<ExitCode> {
    let config = session.config;
    let port = target.spec.api_port.unwrap_or(v1_api::DEFAULT_PORT);
    let saved = saved_session();
    if config.dry_run {
        let how = match &saved {
            Some((_, origin)) => format!("as {}", origin.describe()),
            None => "after signing in as a site admin (email and password asked for)".into(),
        };
        let command = [
            format!("port-forward to port {port} (coderd's API), {how}:"),
            format!("GET {}", v1_api::USERS_PATH),
            format!(
                "PATCH {}/<id of {}> with a new temporary password",
                v1_api::USERS_PATH,
                wanted.as_str()
            ),
        ];
        let report = DryRunReport {
            dry_run: true,
            action: crate::coder::action::Action::ResetPassword,
            place: Place::new(conn.context.as_deref(), target),
            command: &command,
            stdin: None,
        };
        output::stdout(&output::render_dry_run(session.format(), &report))?;
        return Ok(ExitCode::Success);
    }
    let (credentials, origin) = match saved {
        Some((token, origin)) => (Credentials::Token(token), origin),
        None if session.terminal.can_prompt() => {
            output::note_wrapped(
                "Coder v1 changes a user's password through coderd's API, as a site admin or site manager: \
                 set CODER_TOKEN to an API token of one, or sign in here (Ctrl-C to stop).",
                session.terminal.width,
            );
            let email = prompt::email("Email of a Coder site admin or site manager")?;
            let password = prompt::hidden("Password: ")?;
            let email = email.as_str().to_string();
            (
                Credentials::Login {
                    email: email.clone(),
                    password,
                },
                Origin::Login { email },
            )
        }
        None => return Err(no_session().into()),
    };

    let timeout = config.exec_timeout.unwrap_or(REQUEST_TIMEOUT);
    session.log.line(&format!(
        "port-forward to {}/{} port {port} (coderd's API), as {}",
        target.namespace,
        target.pod,
        origin.describe()
    ));
    let mut tunnel = Tunnel::open(conn, &target.pod, port, timeout)
        .await
        .map_err(|e| tunnel_problem(&e, &Place::new(conn.context.as_deref(), target)))?;
    let context = conn.context.as_deref();
    let result = reset(
        session,
        &mut tunnel,
        Place::new(context, target),
        wanted,
        chosen,
        credentials,
        &origin,
    )
    .await;
    tunnel.close().await;
    result
}

/// Signs in if needed, finds the user, confirms and sets the temporary password.
async fn reset(
    session: &Session<'_>,
    tunnel: &mut Tunnel,
    place: Place<'_>,
    wanted: &Account,
    chosen: Option<Secret>,
    credentials: Credentials,
    origin: &Origin,
) -> anyhow::Result<ExitCode> {
    let fail = |e: TunnelError| tunnel_problem(&e, &place);
    let token = match credentials {
        Credentials::Token(token) => token,
        Credentials::Login { email, password } => {
            session.log.line(&format!(
                "coderd: POST {} as {email} (password not shown)",
                v1_api::LOGIN_PATH
            ));
            let body = v1_api::login_body(&email, &password);
            let answer = tunnel
                .send(request("POST", v1_api::LOGIN_PATH, None, &body))
                .await
                .map_err(fail)?;
            match (
                answer.status.as_u16(),
                v1_api::read_session_token(&answer.body),
            ) {
                (200..=299, Some(token)) => token,
                (status, _) => return Err(login_problem(status, &answer, &email).into()),
            }
        }
    };

    session
        .log
        .line(&format!("coderd: GET {}", v1_api::USERS_PATH));
    let answer = tunnel
        .send(request("GET", v1_api::USERS_PATH, Some(&token), &[]))
        .await
        .map_err(fail)?;
    if !answer.status.is_success() {
        return Err(session_problem(answer.status.as_u16(), &answer, origin).into());
    }
    let users = v1_api::read_users(&answer.body).map_err(|e| {
        Problem::new(
            ExitCode::Failure,
            format!("coderd in pod {}: {e}", place.pod),
            None,
        )
    })?;
    session
        .log
        .line(&format!("coderd: {} users listed", users.len()));
    let user = match v1_api::find_user(&users, wanted.as_str()) {
        Lookup::Found(user) => user.clone(),
        Lookup::NotFound { close } => return Err(no_such_user(wanted, &close, &users).into()),
    };
    v1_api::resettable(&user).map_err(|e| {
        Problem::new(
            ExitCode::RemoteFailed,
            format!("{e}: nothing was changed"),
            Some("reset it in the identity provider".to_string()),
        )
    })?;

    if !session.config.assume_yes
        && !prompt::confirm(
            &prompt::Confirmation {
                question: format!(
                    "Reset the password of {} ({}) on Coder v1?",
                    user.username, user.email
                ),
                details: vec![
                    format!(
                        "pod {}/{}, context {}",
                        place.namespace,
                        place.pod,
                        place.context.unwrap_or("in-cluster")
                    ),
                    "Coder asks them for a new one at the next login.".to_string(),
                ],
            },
            session.terminal.width,
        )?
    {
        output::note("Nothing was changed.");
        return Ok(ExitCode::Declined);
    }

    let (new_password, generated) = match chosen {
        Some(secret) => (secret, false),
        None => (password::generate(), true),
    };
    let path = format!("{}/{}", v1_api::USERS_PATH, user.id);
    session.log.line(&format!(
        "coderd: PATCH {path} (a temporary password, not shown)"
    ));
    let body = v1_api::patch_body(&new_password);
    let sent = tunnel
        .send(request("PATCH", &path, Some(&token), &body))
        .await;
    let verdict = match sent {
        Ok(answer) if answer.status.is_success() => {
            succeeded(&user, &new_password, generated, place)
        }
        Ok(answer) => Verdict {
            report: None,
            notes: Vec::new(),
            end: Err(patch_problem(answer.status.as_u16(), &answer, &user)),
        },
        Err(e) if e.maybe_delivered() => unknown(&user, &new_password, generated, place, &e),
        Err(e) => return Err(fail(e).into()),
    };
    super::show(session, verdict)
}

/// An HTTP request to coderd; the token only in the `Session-Token` header.
fn request(
    method: &str,
    path: &str,
    token: Option<&Secret>,
    body: &[u8],
) -> http::Request<Full<Bytes>> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(path)
        .header(http::header::HOST, "coderd")
        .header(http::header::USER_AGENT, USER_AGENT);
    if let Some(token) = token {
        let mut value = http::HeaderValue::from_str(token.expose())
            .unwrap_or_else(|_| http::HeaderValue::from_static(""));
        value.set_sensitive(true);
        builder = builder.header(v1_api::SESSION_HEADER, value);
    }
    if !body.is_empty() {
        builder = builder.header(http::header::CONTENT_TYPE, "application/json");
    }
    builder
        .body(Full::new(Bytes::copy_from_slice(body)))
        .expect("a request from fixed parts")
}

fn succeeded<'a>(
    user: &'a ApiUser,
    new_password: &'a Secret,
    generated: bool,
    place: Place<'a>,
) -> Verdict<'a> {
    Verdict {
        report: Some(CredentialsReport {
            action: crate::coder::action::Action::ResetPassword,
            username: Some(user.username.clone().into()),
            // A password the user chose is never printed back.
            password: generated.then_some(ShownPassword::Sent(new_password)),
            email: Some(&user.email),
            temporary: true,
            must_change_at_next_login: true,
            output_understood: true,
            raw_output: None,
            incomplete: None,
            notes: vec!["Sessions and API tokens the user already has stay valid.".to_string()],
            place,
        }),
        notes: Vec::new(),
        end: Ok(ExitCode::Success),
    }
}

/// The PATCH went out but no answer came back: it may have been applied.
fn unknown<'a>(
    user: &'a ApiUser,
    new_password: &'a Secret,
    generated: bool,
    place: Place<'a>,
    e: &TunnelError,
) -> Verdict<'a> {
    let mut verdict = succeeded(user, new_password, generated, place);
    if let Some(report) = verdict.report.as_mut() {
        report.output_understood = false;
        report.raw_output = Some(String::new());
        report.incomplete = Some(e.to_string());
        report.notes.clear();
    }
    verdict.notes = vec![
        format!(
            "error: the password of {} may or may not have been set: {e}{}",
            user.username,
            if generated {
                "; the password sent is shown above"
            } else {
                ""
            }
        ),
        "hint: try to log in with the password sent; if it fails, run the command again".into(),
    ];
    verdict.end = Ok(ExitCode::OutputNotUnderstood);
    verdict
}

fn no_session() -> Problem {
    Problem::new(
        ExitCode::Usage,
        format!(
            "reset-password on Coder v1 acts as a site admin through coderd's API, and no Coder session was found (CODER_TOKEN, or the v1 CLI's {})",
            crate::platform::home::live_coder_v1_session_shown()
        ),
        Some("set CODER_TOKEN to an API token of a site admin or site manager, log in with the v1 CLI (`coder login`), or run on a terminal to sign in with email and password".to_string()),
    )
}

fn tunnel_problem(e: &TunnelError, place: &Place<'_>) -> Problem {
    match e {
        TunnelError::Api(api) => problem::api_problem(api),
        TunnelError::Refused(message) => Problem::new(
            ExitCode::Failure,
            format!("coderd does not answer in pod {}: {message}", place.pod),
            Some(format!(
                "check that coderd is running (`kubectl logs -n {} {}`); nothing was changed",
                place.namespace, place.pod
            )),
        ),
        other => Problem::new(
            ExitCode::Failure,
            format!("coderd in pod {}: {other}", place.pod),
            Some("try again; nothing was changed".to_string()),
        ),
    }
}

fn login_problem(status: u16, answer: &Answer, email: &str) -> Problem {
    let said = v1_api::error_message(status, &answer.body);
    match status {
        200..=299 | 400 | 401 | 403 => Problem::new(
            ExitCode::Forbidden,
            format!("coderd did not accept the sign-in of {email}: {said}"),
            Some("check the email and password (built-in login only), or set CODER_TOKEN to a site admin's API token".to_string()),
        ),
        _ => Problem::new(
            ExitCode::Failure,
            format!("coderd failed the sign-in of {email}: {said}"),
            Some("try again in a moment; nothing was changed".to_string()),
        ),
    }
}

fn session_problem(status: u16, answer: &Answer, origin: &Origin) -> Problem {
    let said = v1_api::error_message(status, &answer.body);
    let source = origin.describe();
    match status {
        401 => Problem::new(
            ExitCode::Forbidden,
            format!("coderd rejected {source} (401): {said}"),
            Some(match origin {
                Origin::Environment => "it may have expired or belong to another deployment: create a new API token, or unset CODER_TOKEN to use the v1 CLI's login or sign in on a terminal".to_string(),
                Origin::SessionFile { path, .. } => format!(
                    "it may have expired or belong to another deployment: log in again with the v1 CLI (`coder login`), or remove {} to sign in on a terminal",
                    path.display()
                ),
                Origin::Login { .. } => "sign in again; the session was refused right after it was made".to_string(),
            }),
        ),
        403 => Problem::new(
            ExitCode::Forbidden,
            format!("coderd refused to list users for {source} (403): {said}"),
            Some("use a site admin's or site manager's session; an admin whose password was just reset must sign in once and choose a new one first".to_string()),
        ),
        _ => Problem::new(
            ExitCode::Failure,
            format!("coderd failed to list users ({status}): {said}"),
            Some("try again in a moment; nothing was changed".to_string()),
        ),
    }
}

fn patch_problem(status: u16, answer: &Answer, user: &ApiUser) -> Problem {
    let said = v1_api::error_message(status, &answer.body);
    let (exit, hint) = match status {
        401 | 403 => (
            ExitCode::Forbidden,
            "a site manager cannot change a site admin's password: use a site admin's session",
        ),
        400..=499 => (ExitCode::RemoteFailed, "nothing was changed"),
        _ => (
            ExitCode::Failure,
            "coderd may or may not have set it: try to log in as the user, or run the command again",
        ),
    };
    Problem::new(
        exit,
        format!(
            "coderd refused to set the password of {} ({status}): {said}",
            user.username
        ),
        Some(hint.to_string()),
    )
}

/// The hint names what coderd just listed: close matches, else the users there are (no one
/// locked out can look them up in the dashboard).
fn no_such_user(wanted: &Account, close: &[String], users: &[ApiUser]) -> Problem {
    Problem::new(
        ExitCode::NotFound,
        format!(
            "Coder v1 has no user {:?} (by username or email): nothing was changed",
            wanted.as_str()
        ),
        Some(if close.is_empty() {
            v1_api::users_listed(users)
        } else {
            format!("close matches: {}", close.join(", "))
        }),
    )
}
