//! `reset-password USER` on Coder v1, as the dashboard's Reset password does it: through
//! coderd's API ([`v1_api`]), reached over a port-forward to the coderd pod, acting as a site
//! admin or site manager. The user gets a temporary password that coderd makes them change at
//! the next login. The session token and the admin's password are never printed, logged or
//! stored.

mod problems;

use std::path::PathBuf;

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
use crate::kube::portforward::{Tunnel, TunnelError};
use crate::ui::output::{self, CredentialsReport, DryRunReport, Place, ShownPassword};
use crate::ui::problem::Problem;
use crate::ui::prompt;
use problems::{
    login_problem, no_session, no_such_user, patch_problem, redirect_problem, session_problem,
    tunnel_problem,
};

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
    let place = Place::new(conn.context.as_deref(), target);
    let saved = saved_session();
    if config.dry_run {
        return dry_run(session, conn, target, port, wanted, saved).await;
    }
    if saved.is_none() && !session.terminal.can_prompt() {
        return Err(no_session().into());
    }
    // Before anything leaves: the token would go to whatever pod matched.
    let origin = saved.as_ref().map(|(_, origin)| origin);
    if !config.assume_yes
        && !prompt::confirm(
            &confirmation(wanted, &place, origin),
            session.terminal.width,
        )?
    {
        output::note("Nothing was changed.");
        return Ok(ExitCode::Declined);
    }
    let (credentials, origin) = match saved {
        Some((token, origin)) => (Credentials::Token(token), origin),
        None => {
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
    };
    let mut tunnel = open_tunnel(session, conn, target, port, &origin).await?;
    let result = reset(
        session,
        &mut tunnel,
        place,
        wanted,
        chosen,
        credentials,
        &origin,
    )
    .await;
    tunnel.close().await;
    result
}

/// The question before any token or password leaves: who, where, and as whom.
fn confirmation(
    wanted: &Account,
    place: &Place<'_>,
    origin: Option<&Origin>,
) -> prompt::Confirmation {
    prompt::Confirmation {
        question: format!("Reset the password of {} on Coder v1?", wanted.as_str()),
        details: vec![
            format!(
                "pod {}/{}, context {}",
                place.namespace,
                place.pod,
                place.context.unwrap_or("in-cluster")
            ),
            match origin {
                Some(origin) => format!("sending coderd {}", origin.describe()),
                None => "signing in to coderd as a site admin or site manager (email and password asked next)".to_string(),
            },
            "Coder asks them for a new one at the next login.".to_string(),
        ],
    }
}

/// The port-forward, bounded with everything sent through it by `--timeout`.
async fn open_tunnel(
    session: &Session<'_>,
    conn: &Connection,
    target: &Target,
    port: u16,
    origin: &Origin,
) -> anyhow::Result<Tunnel> {
    session.log.line(&format!(
        "port-forward to {}/{} port {port} (coderd's API), as {}",
        target.namespace,
        target.pod,
        origin.describe()
    ));
    let place = Place::new(conn.context.as_deref(), target);
    Ok(
        Tunnel::open(conn, &target.pod, port, session.config.exec_timeout)
            .await
            .map_err(|e| tunnel_problem(&e, &place))?,
    )
}

/// `--dry-run`: the read-only lookup (does the user exist, can it be reset?), with the token
/// sent only for that; nothing is changed. Without a saved session nothing is sent.
async fn dry_run(
    session: &Session<'_>,
    conn: &Connection,
    target: &Target,
    port: u16,
    wanted: &Account,
    saved: Option<(Secret, Origin)>,
) -> anyhow::Result<ExitCode> {
    let place = Place::new(conn.context.as_deref(), target);
    let (how, found) = match saved {
        Some((token, origin)) => {
            let mut tunnel = open_tunnel(session, conn, target, port, &origin).await?;
            let looked_up = lookup(session, &mut tunnel, &place, wanted, &token, &origin).await;
            tunnel.close().await;
            (format!("as {}", origin.describe()), Some(looked_up?))
        }
        None => {
            output::note(
                "note: the user was not looked up: no Coder session was found (CODER_TOKEN, or the v1 CLI's login) to send for it",
            );
            (
                "after signing in as a site admin (email and password asked for)".to_string(),
                None,
            )
        }
    };
    let command = [
        format!("port-forward to port {port} (coderd's API), {how}:"),
        match &found {
            Some(user) => format!(
                "GET {}: found {} ({})",
                v1_api::USERS_PATH,
                user.username,
                user.email
            ),
            None => format!("GET {}", v1_api::USERS_PATH),
        },
        match &found {
            Some(user) => format!(
                "PATCH {}/{} with a new temporary password",
                v1_api::USERS_PATH,
                user.id
            ),
            None => format!(
                "PATCH {}/<id of {}> with a new temporary password",
                v1_api::USERS_PATH,
                wanted.as_str()
            ),
        },
    ];
    let report = DryRunReport {
        dry_run: true,
        action: crate::coder::action::Action::ResetPassword,
        place,
        command: &command,
        stdin: None,
    };
    output::stdout(&output::render_dry_run(session.format(), &report))?;
    Ok(ExitCode::Success)
}

/// `GET /api/v0/users` and the account asked for, if its password can be reset here.
async fn lookup(
    session: &Session<'_>,
    tunnel: &mut Tunnel,
    place: &Place<'_>,
    wanted: &Account,
    token: &Secret,
    origin: &Origin,
) -> anyhow::Result<ApiUser> {
    session
        .log
        .line(&format!("coderd: GET {}", v1_api::USERS_PATH));
    let answer = tunnel
        .send(request("GET", v1_api::USERS_PATH, Some(token), &[]))
        .await
        .map_err(|e| tunnel_problem(&e, place))?;
    if let Some(problem) = redirect_problem(&answer, place) {
        return Err(problem.into());
    }
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
    Ok(user)
}

/// Signs in if needed, finds the user and sets the temporary password (confirmed before).
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
            if let Some(problem) = redirect_problem(&answer, &place) {
                return Err(problem.into());
            }
            match (
                answer.status.as_u16(),
                v1_api::read_session_token(&answer.body),
            ) {
                (200..=299, Some(token)) => token,
                (status, _) => return Err(login_problem(status, &answer, &email).into()),
            }
        }
    };
    let user = lookup(session, tunnel, &place, wanted, &token, origin).await?;

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
            warnings: Vec::new(),
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
