//! From how the exec ended and what the command printed, to a verdict: the exit code, what
//! is printed, and whether the change may have happened. Pure, so the rule that matters most
//! (a reset that happened is never lost) is tested here for every ending and output shape.

use std::borrow::Cow;

use crate::coder::action::Action;
use crate::coder::target::Target;
use crate::coder::v1;
use crate::coder::v2::{self, Outcome};
use crate::commands::change::plan::{NewPassword, Origin, Plan};
use crate::exit_codes::ExitCode;
use crate::kube::exec::{End, ExecOutput};
use crate::ui::output::{CredentialsReport, Place, ShownPassword};
use crate::ui::problem::Problem;
use crate::ui::text;

/// What the user is told, and how the process ends.
#[derive(Debug)]
pub struct Verdict<'a> {
    /// The credentials (or the raw output and the password sent) for stdout.
    pub report: Option<CredentialsReport<'a>>,
    /// Lines for stderr after the report.
    pub notes: Vec<String>,
    /// The exit code, or the problem to report (its own exit code).
    pub end: Result<ExitCode, Problem>,
}

impl Verdict<'_> {
    fn failed(problem: Problem) -> Self {
        Verdict {
            report: None,
            notes: Vec::new(),
            end: Err(problem),
        }
    }
}

/// Judges one finished exec of `plan` in `target`.
pub fn judge<'a>(
    plan: &'a Plan,
    target: &Target,
    place: Place<'a>,
    ran: &ExecOutput,
) -> Verdict<'a> {
    let what = plan.what();

    // A runtime failure to start the binary: most often the wrong generation was detected.
    if let End::Failed { reason, message } = &ran.end {
        let missing = message.contains("not found") || message.contains("no such file");
        return Verdict::failed(if missing {
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
                    if target.generation.is_v1() {
                        "v2"
                    } else {
                        "v1"
                    }
                )),
            )
        } else {
            Problem::new(
                ExitCode::RemoteFailed,
                format!(
                    "cannot run {what} in pod {}: {message} ({reason})",
                    target.pod
                ),
                None,
            )
        });
    }

    let v1 = target.generation.is_v1();
    let report = CredentialsReport {
        action: plan.action,
        username: plan.username.as_ref().map(|u| Cow::Borrowed(u.as_str())),
        password: None,
        email: plan.email.as_ref().map(|e| e.as_str()),
        temporary: v1
            || plan
                .password
                .as_ref()
                .is_some_and(|p| p.origin == Origin::Generated),
        must_change_at_next_login: v1,
        output_understood: true,
        raw_output: None,
        incomplete: None,
        place,
    };
    match &plan.password {
        // Coder v1 makes up the password: it is in the output or nowhere.
        None => judge_v1(report, target, &what, ran),
        Some(sent) => judge_v2(plan, sent, report, target, &what, ran),
    }
}

fn judge_v1<'a>(
    mut report: CredentialsReport<'a>,
    target: &Target,
    what: &str,
    ran: &ExecOutput,
) -> Verdict<'a> {
    // Whatever the ending, a password in the output means the reset happened.
    if let Some(creds) = v1::parse_reset_output(&ran.stdout, &ran.stderr) {
        report.username = Some(Cow::Owned(creds.username));
        report.password = Some(ShownPassword::Received(creds.password));
        let mut notes = Vec::new();
        if ran.end != End::Exited(0) {
            notes.push(format!(
                "warning: the password arrived, but then the command did not end cleanly: {}",
                describe_end(&ran.end)
            ));
        }
        return Verdict {
            report: Some(report),
            notes,
            end: Ok(ExitCode::Success),
        };
    }
    match &ran.end {
        End::Exited(0) => {
            report.output_understood = false;
            report.raw_output = Some(raw_output(ran));
            Verdict {
                report: Some(report),
                notes: vec![format!(
                    "note: {what} succeeded in pod {}, but no password was found in its output; its raw output is shown above",
                    target.pod
                )],
                end: Ok(ExitCode::OutputNotUnderstood),
            }
        }
        End::Exited(code) => Verdict::failed(Problem::new(
            ExitCode::RemoteFailed,
            format!(
                "{what} failed in pod {} (exit {code}): {}",
                target.pod,
                text::last_line(&raw_output(ran)).unwrap_or("no output")
            ),
            Some(logs_hint(target)),
        )),
        _ => unfinished(report, ran, what, target),
    }
}

/// Coder v2: the password is ours; the output only says whether Coder took it.
fn judge_v2<'a>(
    plan: &Plan,
    sent: &'a NewPassword,
    mut report: CredentialsReport<'a>,
    target: &Target,
    what: &str,
    ran: &ExecOutput,
) -> Verdict<'a> {
    report.password = Some(ShownPassword::Sent(&sent.secret));
    let code = match &ran.end {
        End::Exited(code) => *code,
        _ => return unfinished(report, ran, what, target),
    };
    let outcome = match plan.action {
        Action::CreateAdminUser => v2::create_outcome(code, &ran.stdout, &ran.stderr),
        Action::ResetAdminPassword | Action::ResetPassword => {
            v2::reset_outcome(code, &ran.stdout, &ran.stderr)
        }
    };
    let user = plan
        .username
        .as_ref()
        .map(|u| u.as_str())
        .unwrap_or_default();
    let problem = match outcome {
        Outcome::Done { username } => {
            if let Some(name) = username {
                report.username = Some(Cow::Owned(name));
            }
            return Verdict {
                report: Some(report),
                notes: Vec::new(),
                end: Ok(ExitCode::Success),
            };
        }
        Outcome::NotUnderstood => {
            report.output_understood = false;
            report.raw_output = Some(raw_output(ran));
            return Verdict {
                report: Some(report),
                notes: vec![format!(
                    "note: {what} exited 0 but did not say it succeeded; the password sent is shown with its raw output, in case it took effect"
                )],
                end: Ok(ExitCode::OutputNotUnderstood),
            };
        }
        Outcome::NoSuchUser => Problem::new(
            ExitCode::NotFound,
            format!("Coder has no user {user:?} (or it was deleted): nothing was changed"),
            Some("usernames are case-insensitive; check the name in the dashboard under Deployment > Users".into()),
        ),
        Outcome::UserExists => Problem::new(
            ExitCode::RemoteFailed,
            format!("Coder already has a user {user:?}: nothing was changed"),
            Some(format!("reset its password with `kubectl coder reset-password {user}`, or choose another --username")),
        ),
        Outcome::DatabaseUnreachable { detail } => Problem::new(
            ExitCode::RemoteFailed,
            format!("coder in pod {} could not reach its database: {detail}", target.pod),
            Some("the pod needs CODER_PG_CONNECTION_URL (the Helm chart sets it from coder.env); check the database is up".into()),
        ),
        Outcome::PasswordsDoNotMatch => Problem::new(
            ExitCode::RemoteFailed,
            "Coder says the passwords do not match: nothing was changed",
            Some("this is a bug in kubectl-coder; please report it".to_string()),
        ),
        Outcome::PasswordRejected { detail } => Problem::new(
            ExitCode::RemoteFailed,
            format!("Coder rejected the password: {detail}"),
            Some("choose a longer password with mixed characters".to_string()),
        ),
        Outcome::Failed { detail } => Problem::new(
            ExitCode::RemoteFailed,
            format!("{what} failed in pod {}: {detail}", target.pod),
            Some(logs_hint(target)),
        ),
    };
    Verdict::failed(problem)
}

fn logs_hint(target: &Target) -> String {
    format!(
        "its logs may say more: kubectl logs -n {} {}",
        target.namespace, target.pod
    )
}

/// Both streams, escapes removed, stdout first.
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
/// we sent (v2), so that a reset that happened is not lost.
fn unfinished<'a>(
    mut report: CredentialsReport<'a>,
    ran: &ExecOutput,
    what: &str,
    target: &Target,
) -> Verdict<'a> {
    let raw = raw_output(ran);
    let ended = describe_end(&ran.end);
    let sent = report.password.is_some();
    let shown = match (raw.is_empty(), sent) {
        (true, false) => "no output arrived",
        (true, true) => "the password sent is shown above",
        (false, false) => "the output so far is shown above",
        (false, true) => "the output so far and the password sent are shown above",
    };
    let notes = vec![
        format!(
            "error: {what} in pod {} may or may not have finished: {ended}; {shown}",
            target.pod
        ),
        if sent {
            "hint: try to log in with the password sent; if it fails, run the command again"
        } else {
            "hint: run the command again if the admin cannot log in (a new temporary password is issued)"
        }
        .to_string(),
    ];
    report.output_understood = false;
    report.raw_output = Some(raw);
    report.incomplete = Some(ended);
    let exit = if ran.end == End::Interrupted {
        ExitCode::Interrupted
    } else {
        ExitCode::OutputNotUnderstood
    };
    Verdict {
        report: Some(report),
        notes,
        end: Ok(exit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::config::{Change, PasswordSource};
    use crate::coder::names::{Email, Username};
    use crate::coder::password::Secret;
    use crate::coder::target::Generation;
    use crate::commands::change::plan::{self, Answers};
    use crate::ui::output::{OutputFormat, render_credentials};
    use std::time::Duration;

    const SENT: &str = "Sent-Pw-123456";

    fn target(generation: Generation) -> Target {
        Target {
            namespace: "coder".into(),
            pod: "pod-1".into(),
            container: generation.binary().into(),
            generation,
            detected_by: "label".into(),
            image: None,
            version: None,
        }
    }

    fn plan_for(change: Change, generation: Generation) -> Plan {
        plan::plan(
            &change,
            &target(generation),
            Answers::default(),
            None,
            &mut || Secret::from(SENT.to_string()),
        )
        .unwrap()
    }

    fn v1_admin() -> Plan {
        plan_for(
            Change::ResetAdminPassword {
                owner: None,
                password: PasswordSource::Generate,
            },
            Generation::V1,
        )
    }

    fn v2_reset() -> Plan {
        plan_for(
            Change::ResetPassword {
                username: Username::parse("alice").unwrap(),
                password: PasswordSource::Generate,
            },
            Generation::V2,
        )
    }

    fn v2_create() -> Plan {
        plan_for(
            Change::CreateAdminUser {
                username: Some(Username::parse("carol").unwrap()),
                email: Some(Email::parse("carol@example.com").unwrap()),
                password: PasswordSource::Generate,
            },
            Generation::V2,
        )
    }

    /// What the user sees: the exit code, stdout (text format) and stderr.
    fn seen(plan: &Plan, stdout: &str, stderr: &str, end: End) -> (u8, String, String) {
        let target = target(plan.generation);
        let ran = ExecOutput {
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
            end,
        };
        let verdict = judge(plan, &target, Place::new(Some("prod"), &target), &ran);
        let shown = verdict
            .report
            .as_ref()
            .map(|r| render_credentials(OutputFormat::Text, r, false).to_string())
            .unwrap_or_default();
        let mut err: String = verdict.notes.iter().map(|n| format!("{n}\n")).collect();
        let code = match verdict.end {
            Ok(code) => code.code(),
            Err(problem) => {
                err.push_str(&problem.render());
                problem.exit.code()
            }
        };
        (code, shown, err)
    }

    const BOXED: &str =
        "----------------------\nUser:     admin\nPassword: Tmp-Pw-42\n----------------------\n";
    const V1_DONE: &str = "Password reset on Coder v1 in pod coder/pod-1 (context prod).\n\n  Username:  admin\n  Password:  Tmp-Pw-42\n\nThis password is temporary: Coder asks for a new one at the next login.\n";
    const V1_AGAIN: &str = "hint: run the command again if the admin cannot log in (a new temporary password is issued)\n";
    const V2_AGAIN: &str =
        "hint: try to log in with the password sent; if it fails, run the command again\n";

    fn lost() -> End {
        End::StreamLost("connection reset".into())
    }

    fn timed_out() -> End {
        End::TimedOut(Duration::from_secs(5))
    }

    #[test]
    fn v1_every_ending_and_output() {
        let plan = v1_admin();
        let not_found = End::Failed {
            reason: "InternalError".into(),
            message: "exec: \"coderd\": executable file not found in $PATH".into(),
        };
        let other_failure = End::Failed {
            reason: "InternalError".into(),
            message: "container is paused".into(),
        };
        let table: Vec<(&str, &str, &str, End, u8, String, String)> = vec![
            ("exit 0, boxed", BOXED, "", End::Exited(0), 0, V1_DONE.into(), String::new()),
            (
                "exit 0, on stderr",
                "",
                BOXED,
                End::Exited(0),
                0,
                V1_DONE.into(),
                String::new(),
            ),
            (
                "exit 0, not understood",
                "admin password reset complete\n",
                "",
                End::Exited(0),
                6,
                "admin password reset complete\n".into(),
                "note: coderd reset-admin-password succeeded in pod pod-1, but no password was found in its output; its raw output is shown above\n".into(),
            ),
            (
                "exit 3",
                "",
                "error: database is down\n",
                End::Exited(3),
                5,
                String::new(),
                "error: coderd reset-admin-password failed in pod pod-1 (exit 3): error: database is down\nhint: its logs may say more: kubectl logs -n coder pod-1\n".into(),
            ),
            (
                "binary missing",
                "",
                "",
                not_found,
                5,
                String::new(),
                "error: `coderd` was not found in container coderd of pod pod-1: it was taken for Coder v1 (label)\nhint: choose the generation with --generation v2 and the container with -c; `kubectl coder status` shows what was detected\n".into(),
            ),
            (
                "another runtime failure",
                "",
                "",
                other_failure,
                5,
                String::new(),
                "error: cannot run coderd reset-admin-password in pod pod-1: container is paused (InternalError)\n".into(),
            ),
            (
                "dropped after the password",
                BOXED,
                "",
                lost(),
                0,
                V1_DONE.into(),
                "warning: the password arrived, but then the command did not end cleanly: the connection dropped (connection reset)\n".into(),
            ),
            (
                "dropped before any output",
                "",
                "",
                lost(),
                6,
                String::new(),
                format!("error: coderd reset-admin-password in pod pod-1 may or may not have finished: the connection dropped (connection reset); no output arrived\n{V1_AGAIN}"),
            ),
            (
                "timed out with partial output",
                "starting",
                "",
                timed_out(),
                6,
                "starting\n".into(),
                format!("error: coderd reset-admin-password in pod pod-1 may or may not have finished: no exit status within 5s (--timeout); the output so far is shown above\n{V1_AGAIN}"),
            ),
            (
                "interrupted",
                "",
                "",
                End::Interrupted,
                130,
                String::new(),
                format!("error: coderd reset-admin-password in pod pod-1 may or may not have finished: interrupted; no output arrived\n{V1_AGAIN}"),
            ),
        ];
        for (what, out, err, end, code, stdout, stderr) in table {
            assert_eq!(seen(&plan, out, err, end), (code, stdout, stderr), "{what}");
        }
    }

    #[test]
    fn v2_reset_every_ending_and_output() {
        let plan = v2_reset();
        let done = format!(
            "Password reset on Coder v2 in pod coder/pod-1 (context prod).\n\n  Username:  Alice\n  Password:  {SENT}\n\nCoder v2 does not force a change at the next login: sign in and change it under Account > Security.\n"
        );
        let sent = format!("Password sent: {SENT}\n");
        let failed = |message: &str, hint: &str| format!("error: {message}\nhint: {hint}\n");
        let unfinished = |ended: &str, shown: &str| {
            format!(
                "error: coder reset-password alice in pod pod-1 may or may not have finished: {ended}; {shown}\n{V2_AGAIN}"
            )
        };
        let table: Vec<(&str, &str, &str, End, u8, String, String)> = vec![
            (
                "done",
                "Enter new password: Confirm password: \nPassword has been reset for user Alice!\n",
                "",
                End::Exited(0),
                0,
                done,
                String::new(),
            ),
            (
                "exit 0, not understood",
                "hello\n",
                "",
                End::Exited(0),
                6,
                format!("hello\n{sent}"),
                "note: coder reset-password alice exited 0 but did not say it succeeded; the password sent is shown with its raw output, in case it took effect\n".into(),
            ),
            (
                "no such user",
                "",
                "error: retrieving user: sql: no rows in result set\n",
                End::Exited(1),
                3,
                String::new(),
                failed(
                    "Coder has no user \"alice\" (or it was deleted): nothing was changed",
                    "usernames are case-insensitive; check the name in the dashboard under Deployment > Users",
                ),
            ),
            (
                "database unreachable",
                "",
                "error: dial postgres: connection refused\n",
                End::Exited(1),
                5,
                String::new(),
                failed(
                    "coder in pod pod-1 could not reach its database: error: dial postgres: connection refused",
                    "the pod needs CODER_PG_CONNECTION_URL (the Helm chart sets it from coder.env); check the database is up",
                ),
            ),
            (
                "passwords do not match",
                "",
                "error: Passwords do not match\n",
                End::Exited(1),
                5,
                String::new(),
                failed(
                    "Coder says the passwords do not match: nothing was changed",
                    "this is a bug in kubectl-coder; please report it",
                ),
            ),
            (
                "password rejected",
                "",
                "error: insecure password, try using a longer password\n",
                End::Exited(1),
                5,
                String::new(),
                failed(
                    "Coder rejected the password: error: insecure password, try using a longer password",
                    "choose a longer password with mixed characters",
                ),
            ),
            (
                "another failure",
                "",
                "boom\n",
                End::Exited(2),
                5,
                String::new(),
                failed(
                    "coder reset-password alice failed in pod pod-1: boom",
                    "its logs may say more: kubectl logs -n coder pod-1",
                ),
            ),
            (
                "dropped before any output",
                "",
                "",
                lost(),
                6,
                sent.clone(),
                unfinished(
                    "the connection dropped (connection reset)",
                    "the password sent is shown above",
                ),
            ),
            (
                "timed out at the prompt",
                "Enter new password: ",
                "",
                timed_out(),
                6,
                format!("Enter new password: \n{sent}"),
                unfinished(
                    "no exit status within 5s (--timeout)",
                    "the output so far and the password sent are shown above",
                ),
            ),
            (
                "interrupted",
                "",
                "",
                End::Interrupted,
                130,
                sent.clone(),
                unfinished("interrupted", "the password sent is shown above"),
            ),
        ];
        for (what, out, err, end, code, stdout, stderr) in table {
            assert_eq!(seen(&plan, out, err, end), (code, stdout, stderr), "{what}");
        }
    }

    #[test]
    fn v2_create_admin_user_endings() {
        let plan = v2_create();
        let (code, stdout, stderr) = seen(
            &plan,
            "",
            "Creating user...\n\nUser created successfully.\n",
            End::Exited(0),
        );
        assert_eq!((code, stderr.as_str()), (0, ""));
        assert!(stdout.starts_with("Owner created on Coder v2"), "{stdout}");
        assert!(stdout.contains("  Email:     carol@example.com\n"));
        assert!(stdout.contains(&format!("  Password:  {SENT}\n")));
        assert_eq!(
            seen(
                &plan,
                "",
                "insert user: pq: duplicate key value violates unique constraint\n",
                End::Exited(1)
            ),
            (
                5,
                String::new(),
                "error: Coder already has a user \"carol\": nothing was changed\nhint: reset its password with `kubectl coder reset-password carol`, or choose another --username\n".into()
            )
        );
    }

    /// `-o json`: an ending that may hide a reset says so, with the password sent.
    #[test]
    fn structured_reports_say_how_an_unfinished_command_ended() {
        let plan = v2_reset();
        let target = target(Generation::V2);
        for (end, incomplete) in [
            (lost(), Some("the connection dropped (connection reset)")),
            (End::Interrupted, Some("interrupted")),
            (End::Exited(0), None),
        ] {
            let ran = ExecOutput {
                stdout: b"partial".to_vec(),
                stderr: Vec::new(),
                end,
            };
            let verdict = judge(&plan, &target, Place::new(None, &target), &ran);
            let json: serde_json::Value = serde_json::from_str(&render_credentials(
                OutputFormat::Json,
                verdict.report.as_ref().unwrap(),
                false,
            ))
            .unwrap();
            assert_eq!(json["password"], SENT);
            assert_eq!(json["outputUnderstood"], false);
            assert_eq!(json["rawOutput"], "partial");
            assert_eq!(json["incomplete"].as_str(), incomplete);
        }
    }
}
