//! The three changing commands: what to run where, confirmation, the exec, and reading the
//! outcome so that a reset that happened is never lost.

use crate::app::{self, Session};
use crate::cli::{Command, OutputFormat, PasswordSource};
use crate::coder_v1;
use crate::coder_v2::{self, Email, Outcome, Username};
use crate::exec::{self, End, ExecOutput, ExecRequest};
use crate::exit_codes::ExitCode;
use crate::kube_client::Connection;
use crate::locate::Target;
use crate::output::{self, CredentialsReport, DryRunReport, Place};
use crate::password::{self, Secret};
use crate::problem::{ApiCall, Problem};
use crate::terminal::Spinner;
use crate::text;

/// What will run, decided before anything changes.
struct Plan {
    action: &'static str,
    argv: Vec<String>,
    /// The password we send (v2), and whether we made it up.
    password: Option<(Secret, bool)>,
    username: Option<Username>,
    email: Option<Email>,
}

const V2_OWNERS: &str = "Coder v2 has no single admin user: owners are users with the Owner role";

pub async fn run(session: &Session, stdin_password: Option<Secret>) -> anyhow::Result<ExitCode> {
    let conn = app::connect(session).await?;
    let target = app::find_target(session, &conn).await?;
    let plan = plan(session, &target, stdin_password)?;

    let place = Place::new(conn.context.as_deref(), &target);
    if session.config.dry_run {
        let report = DryRunReport {
            dry_run: true,
            action: plan.action,
            place,
            command: &plan.argv,
            stdin: plan
                .password
                .as_ref()
                .map(|_| "the new password and its confirmation, one line each (not shown)"),
        };
        output::stdout(&output::render_dry_run(session.format(), &report))?;
        return Ok(ExitCode::Success);
    }
    if !session.config.assume_yes && !confirm(&conn, &target, &plan)? {
        output::note("Nothing was changed.");
        return Ok(ExitCode::Declined);
    }

    let stdin = plan
        .password
        .as_ref()
        .map(|(p, _)| coder_v2::password_stdin(p));
    session.log(&format!(
        "exec in {}/{} container {}: {}{}",
        target.namespace,
        target.pod,
        target.container,
        plan.argv.join(" "),
        if stdin.is_some() {
            " (password on stdin, not shown)"
        } else {
            ""
        }
    ));
    let request = ExecRequest {
        pod: &target.pod,
        container: &target.container,
        argv: &plan.argv,
        stdin: stdin.as_deref().map(|s| s.as_slice()),
        close_stdin: false,
        timeout: session.config.exec_timeout,
    };
    let mut spinner = Spinner::new(
        &session.terminal,
        format!("Running {} in {}", plan.argv[..2].join(" "), target.pod),
    );
    // Never retried: a reset is not idempotent (v1 issues a new password each time), and a
    // failure after the command started may hide a reset that happened.
    let result = exec::run(&conn, &request, &mut |elapsed| spinner.tick(elapsed)).await;
    spinner.clear();
    let ran = result.map_err(|e| -> anyhow::Error {
        match e {
            exec::ExecError::Api(source) => app::api_error(
                &conn,
                ApiCall::Exec {
                    namespace: target.namespace.clone(),
                    pod: target.pod.clone(),
                },
                source.into(),
            ),
            exec::ExecError::Interrupted => Problem::new(
                ExitCode::Interrupted,
                "interrupted before the command started: most likely nothing was changed",
                None,
            )
            .into(),
            other => other.into(),
        }
    })?;
    session.log(&format!("remote command ended: {:?}", ran.end));
    finish(session, place, &target, plan, ran)
}

fn plan(
    session: &Session,
    target: &Target,
    mut stdin_password: Option<Secret>,
) -> anyhow::Result<Plan> {
    let mut new_password = |source: PasswordSource| -> (Secret, bool) {
        match (source, stdin_password.take()) {
            (PasswordSource::Stdin, Some(p)) => (p, false),
            _ => (password::generate(), true),
        }
    };
    let v2_only = |what: &str| -> anyhow::Error {
        Problem::new(
            ExitCode::Usage,
            format!("{what} is for Coder v2, but pod {} runs {}", target.pod, target.generation.label()),
            Some(
                "Coder v1 resets other users in the dashboard (Manage > Users > ⋮ > Reset password); for the site admin use `kubectl coder reset-admin-password`"
                    .to_string(),
            ),
        )
        .into()
    };
    Ok(match (&session.config.command, target.generation) {
        (Command::ResetAdminPassword { owner, password }, g) if g.is_v1() => {
            // Coder v1 has one admin and makes up its own temporary password: refuse rather
            // than silently ignore what the user asked for.
            let ignored = match (owner, password) {
                (Some(_), _) => Some("--owner"),
                (None, PasswordSource::Stdin) => Some("--password-stdin"),
                (None, PasswordSource::Generate) => None,
            };
            if let Some(flag) = ignored {
                return Err(Problem::new(
                    ExitCode::Usage,
                    format!("{flag} is for Coder v2, but pod {} runs {}", target.pod, target.generation.label()),
                    Some("Coder v1 resets its one admin, `admin`, to a temporary password it makes up: leave it out".to_string()),
                )
                .into());
            }
            Plan {
                action: "reset-admin-password",
                argv: coder_v1::reset_admin_argv(g),
                password: None,
                username: None,
                email: None,
            }
        }
        (Command::ResetAdminPassword { owner, password }, _) => {
            let owner = match owner {
                Some(owner) => owner.clone(),
                None if session.terminal.can_prompt() => {
                    output::note(&format!(
                        "{V2_OWNERS}; name the one whose password to reset."
                    ));
                    ask_username("Owner username")?
                }
                None => {
                    return Err(Problem::new(
                        ExitCode::Usage,
                        format!("{V2_OWNERS}: name the owner with --owner"),
                        Some(
                            "owners are listed in the dashboard under Deployment > Users; if no owner can log in, `kubectl coder create-admin-user` adds one"
                                .to_string(),
                        ),
                    )
                    .into());
                }
            };
            Plan {
                action: "reset-admin-password",
                argv: coder_v2::reset_password_argv(&owner),
                password: Some(new_password(*password)),
                username: Some(owner),
                email: None,
            }
        }
        (Command::ResetPassword { .. }, g) if g.is_v1() => return Err(v2_only("reset-password")),
        (Command::ResetPassword { username, password }, _) => Plan {
            action: "reset-password",
            argv: coder_v2::reset_password_argv(username),
            password: Some(new_password(*password)),
            username: Some(username.clone()),
            email: None,
        },
        (Command::CreateAdminUser { .. }, g) if g.is_v1() => {
            return Err(v2_only("create-admin-user"));
        }
        (
            Command::CreateAdminUser {
                username,
                email,
                password,
            },
            _,
        ) => {
            let username = match username {
                Some(u) => u.clone(),
                None => ask_or_require(session, "--username", || {
                    ask_username("Username of the new owner")
                })?,
            };
            let email = match email {
                Some(e) => e.clone(),
                None => ask_or_require(session, "--email", ask_email)?,
            };
            Plan {
                action: "create-admin-user",
                argv: coder_v2::create_admin_user_argv(&username, &email),
                password: Some(new_password(*password)),
                username: Some(username),
                email: Some(email),
            }
        }
        (Command::Status | Command::Version, _) => unreachable!("not a changing command"),
    })
}

fn ask_or_require<T>(
    session: &Session,
    flag: &str,
    ask: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    if session.terminal.can_prompt() {
        ask()
    } else {
        Err(Problem::new(
            ExitCode::Usage,
            format!("{flag} is needed when there is no terminal to ask on"),
            None,
        )
        .into())
    }
}

fn ask_username(prompt: &str) -> anyhow::Result<Username> {
    let text: String = dialoguer::Input::new()
        .with_prompt(prompt)
        .validate_with(|s: &String| Username::parse(s).map(|_| ()).map_err(|e| e.to_string()))
        .interact_text()?;
    Ok(Username::parse(&text)?)
}

fn ask_email() -> anyhow::Result<Email> {
    let text: String = dialoguer::Input::new()
        .with_prompt("Email of the new owner")
        .validate_with(|s: &String| Email::parse(s).map(|_| ()).map_err(|e| e.to_string()))
        .interact_text()?;
    Ok(Email::parse(&text)?)
}

fn confirm(conn: &Connection, target: &Target, plan: &Plan) -> anyhow::Result<bool> {
    let who = match (&plan.username, plan.action) {
        (Some(u), "create-admin-user") => format!("Create owner {u}"),
        (Some(u), _) => format!("Reset the password of {u}"),
        (None, _) => format!("Reset the password of {}", coder_v1::ADMIN_USER),
    };
    let question = format!(
        "{who} on {} in pod {}/{} (context {})?",
        target.generation.label(),
        target.namespace,
        target.pod,
        conn.context.as_deref().unwrap_or("in-cluster"),
    );
    Ok(dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact_opt()?
        .unwrap_or(false))
}

fn raw_output(ran: &ExecOutput) -> String {
    let mut raw = text::plain(&ran.stdout);
    let err = text::plain(&ran.stderr);
    if !err.is_empty() {
        if !raw.is_empty() && !raw.ends_with('\n') {
            raw.push('\n');
        }
        raw.push_str(&err);
    }
    raw
}

fn finish(
    session: &Session,
    place: Place,
    target: &Target,
    plan: Plan,
    ran: ExecOutput,
) -> anyhow::Result<ExitCode> {
    let colour = session.terminal.stdout_colour();
    let what = plan.argv[..plan.argv.len().min(3)].join(" ");
    let print = |report: &CredentialsReport| {
        output::stdout(&output::render_credentials(
            session.format(),
            report,
            colour,
        ))
    };

    // A runtime failure to start the binary: most often the wrong generation was detected.
    if let End::Failed { reason, message } = &ran.end {
        let missing = message.contains("not found") || message.contains("no such file");
        return Err(if missing {
            Problem::new(
                ExitCode::RemoteFailed,
                format!(
                    "`{}` was not found in container {} of pod {}: it was taken for {} ({})",
                    plan.argv[0],
                    target.container,
                    target.pod,
                    target.generation.label(),
                    target.detected_by
                ),
                Some(format!(
                    "choose the generation with --generation {} and the container with -c; `kubectl coder status` shows what was detected",
                    if target.generation.is_v1() { "v2" } else { "v1" }
                )),
            )
        } else {
            Problem::new(ExitCode::RemoteFailed, format!("cannot run {what} in pod {}: {message} ({reason})", target.pod), None)
        }
        .into());
    }

    let v1 = target.generation.is_v1();
    let finished_ok = ran.end == End::Exited(0);
    let mut report = CredentialsReport {
        action: plan.action,
        username: plan.username.as_ref().map(Username::as_str),
        password: None,
        email: plan.email.as_ref().map(Email::as_str),
        temporary: v1
            || plan
                .password
                .as_ref()
                .is_some_and(|(_, generated)| *generated),
        must_change_at_next_login: v1,
        output_understood: true,
        raw_output: None,
        incomplete: None,
        place,
    };

    if v1 {
        // Whatever the ending, a password in the output means the reset happened.
        if let Some(creds) = coder_v1::parse_reset_output(&ran.stdout, &ran.stderr) {
            report.username = Some(&creds.username);
            report.password = Some(creds.password.expose());
            print(&report)?;
            if !finished_ok {
                output::note(&format!(
                    "warning: the password arrived, but then the command did not end cleanly: {}",
                    describe_end(&ran.end)
                ));
            }
            return Ok(ExitCode::Success);
        }
        return match &ran.end {
            End::Exited(0) => {
                report.output_understood = false;
                report.raw_output = Some(raw_output(&ran));
                print(&report)?;
                output::note(&format!(
                    "note: {what} succeeded in pod {}, but no password was found in its output; its raw output is shown above",
                    target.pod
                ));
                Ok(ExitCode::OutputNotUnderstood)
            }
            End::Exited(code) => Err(Problem::new(
                ExitCode::RemoteFailed,
                format!(
                    "{what} failed in pod {} (exit {code}): {}",
                    target.pod,
                    text::last_line(&raw_output(&ran)).unwrap_or("no output")
                ),
                Some(format!(
                    "its logs may say more: kubectl logs -n {} {}",
                    target.namespace, target.pod
                )),
            )
            .into()),
            _ => unfinished(session, report, &ran, &what, target, None),
        };
    }

    // Coder v2: the password is ours; the output only says whether Coder took it.
    let (password, _) = plan.password.as_ref().expect("v2 commands send a password");
    let outcome = match &ran.end {
        End::Exited(code) if plan.action == "create-admin-user" => {
            coder_v2::create_outcome(*code, &ran.stdout, &ran.stderr)
        }
        End::Exited(code) => coder_v2::reset_outcome(*code, &ran.stdout, &ran.stderr),
        _ => return unfinished(session, report, &ran, &what, target, Some(password)),
    };
    let user = plan
        .username
        .as_ref()
        .map(Username::as_str)
        .unwrap_or_default();
    let canonical;
    match outcome {
        Outcome::Done { username } => {
            if let Some(name) = username {
                canonical = name;
                report.username = Some(&canonical);
            }
            report.password = Some(password.expose());
            print(&report)?;
            Ok(ExitCode::Success)
        }
        Outcome::NotUnderstood => {
            report.output_understood = false;
            report.password = Some(password.expose());
            report.raw_output = Some(raw_output(&ran));
            print(&report)?;
            if session.format() == crate::cli::OutputFormat::Text {
                output::stdout(&format!("Password sent: {}\n", password.expose()))?;
            }
            output::note(&format!(
                "note: {what} exited 0 but did not say it succeeded; the password sent is shown with its raw output, in case it took effect"
            ));
            Ok(ExitCode::OutputNotUnderstood)
        }
        Outcome::NoSuchUser => Err(Problem::new(
            ExitCode::NotFound,
            format!("Coder has no user {user:?} (or it was deleted): nothing was changed"),
            Some("usernames are case-insensitive; check the name in the dashboard under Deployment > Users".into()),
        )
        .into()),
        Outcome::UserExists => Err(Problem::new(
            ExitCode::RemoteFailed,
            format!("Coder already has a user {user:?}: nothing was changed"),
            Some(format!("reset its password with `kubectl coder reset-password {user}`, or choose another --username")),
        )
        .into()),
        Outcome::DatabaseUnreachable { detail } => Err(Problem::new(
            ExitCode::RemoteFailed,
            format!("coder in pod {} could not reach its database: {detail}", target.pod),
            Some("the pod needs CODER_PG_CONNECTION_URL (the Helm chart sets it from coder.env); check the database is up".into()),
        )
        .into()),
        Outcome::PasswordsDoNotMatch => Err(Problem::new(
            ExitCode::RemoteFailed,
            "Coder says the passwords do not match: nothing was changed",
            Some("this is a bug in kubectl-coder; please report it".to_string()),
        )
        .into()),
        Outcome::PasswordRejected { detail } => Err(Problem::new(
            ExitCode::RemoteFailed,
            format!("Coder rejected the password: {detail}"),
            Some("choose a longer password with mixed characters".to_string()),
        )
        .into()),
        Outcome::Failed { detail } => Err(Problem::new(
            ExitCode::RemoteFailed,
            format!("{what} failed in pod {}: {detail}", target.pod),
            Some(format!("its logs may say more: kubectl logs -n {} {}", target.namespace, target.pod)),
        )
        .into()),
    }
}

fn describe_end(end: &End) -> String {
    match end {
        End::Exited(code) => format!("exit code {code}"),
        End::Failed { message, .. } => message.clone(),
        End::StreamLost(detail) => format!("the connection dropped ({detail})"),
        End::TimedOut(limit) => format!("no exit status within {limit:?} (--timeout)"),
        End::Interrupted => "interrupted".to_string(),
    }
}

/// The command may or may not have finished. Show everything we have, including the password
/// we sent (v2), so that a reset that happened is not lost; as a report with `-o json|yaml`.
fn unfinished<'a>(
    session: &Session,
    mut report: CredentialsReport<'a>,
    ran: &ExecOutput,
    what: &str,
    target: &Target,
    sent: Option<&'a Secret>,
) -> anyhow::Result<ExitCode> {
    let raw = raw_output(ran);
    let ended = describe_end(&ran.end);
    if session.format() == OutputFormat::Text {
        if !raw.is_empty() {
            // Partial output may stop mid-line; what we add must start on a line of its own.
            let newline = if raw.ends_with('\n') { "" } else { "\n" };
            output::stdout(&format!("{raw}{newline}"))?;
        }
        if let Some(password) = sent {
            output::stdout(&format!("Password sent: {}\n", password.expose()))?;
        }
    } else {
        report.output_understood = false;
        report.password = sent.map(Secret::expose);
        report.raw_output = Some(raw.clone());
        report.incomplete = Some(ended.clone());
        let colour = session.terminal.stdout_colour();
        output::stdout(&output::render_credentials(
            session.format(),
            &report,
            colour,
        ))?;
    }
    let exit = if ran.end == End::Interrupted {
        ExitCode::Interrupted
    } else {
        ExitCode::OutputNotUnderstood
    };
    let shown = match (raw.is_empty(), sent.is_some()) {
        (true, false) => "no output arrived",
        (true, true) => "the password sent is shown above",
        (false, false) => "the output so far is shown above",
        (false, true) => "the output so far and the password sent are shown above",
    };
    output::note(&format!(
        "error: {what} in pod {} may or may not have finished: {ended}; {shown}",
        target.pod
    ));
    output::note(if sent.is_some() {
        "hint: try to log in with the password sent; if it fails, run the command again"
    } else {
        "hint: run the command again if the admin cannot log in (a new temporary password is issued)"
    });
    Ok(exit)
}
