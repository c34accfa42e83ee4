//! From how the exec ended and what the command printed, to a verdict: the exit code, what
//! is printed, and whether the change may have happened. Pure, so the rule that matters most
//! (a reset that happened is never lost) is tested here for every ending and output shape.

use std::borrow::Cow;

use crate::coder::prompts::Progress;
use crate::coder::target::Target;
use crate::coder::v1::{self, Reading};
use crate::commands::change::plan::{Origin, Plan};
use crate::exit_codes::ExitCode;
use crate::kube::exec::{End, ExecOutput};
use crate::kube::transcript::{Entry, LineEnd, Transcript};
use crate::text;
use crate::ui::output::{CredentialsReport, Place, ShownPassword};
use crate::ui::problem::Problem;

mod coder_v2;

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
    dialogue: Option<&Progress>,
) -> Verdict<'a> {
    let what = plan.what();
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
        notes: Vec::new(),
        warnings: Vec::new(),
        place,
    };
    let judged = Judged {
        target,
        what: &what,
        ran,
        sent: plan.password.as_ref().map(|p| p.origin),
        rejected: match dialogue {
            Some(Progress::Rejected(said)) => Some(said.as_str()),
            _ => None,
        },
        answered: match dialogue {
            Some(Progress::Answered { lines, .. }) => Some(*lines),
            _ => None,
        },
        answered_after: match dialogue {
            Some(Progress::Answered { after, .. }) => *after,
            _ => None,
        },
    };
    match &plan.password {
        // Coder v1 makes up the password: it is in the output or nowhere.
        None => judged.v1(report),
        Some(sent) => judged.v2(plan, sent, report),
    }
}

/// One exec being judged.
struct Judged<'r> {
    target: &'r Target,
    what: &'r str,
    ran: &'r ExecOutput,
    /// Where the password we sent came from (v2); v1 sends none.
    sent: Option<Origin>,
    /// What Coder said when it refused a line and asked again.
    rejected: Option<&'r str>,
    /// Password lines written (`None` when the dialogue did not run).
    answered: Option<usize>,
    /// Output lines ended when the last password line was written: Coder's success line
    /// counts only after it.
    answered_after: Option<u64>,
}

impl Judged<'_> {
    fn v1<'a>(&self, mut report: CredentialsReport<'a>) -> Verdict<'a> {
        let ran = self.ran;
        // Whatever the ending, a password in the output means the reset happened.
        match v1::read_reset_output(&ran.transcript, ran.end.finished()) {
            Reading::Credentials(creds) => {
                report.username = Some(Cow::Owned(creds.username));
                report.password = Some(ShownPassword::Received(creds.password));
                let notes = self.unclean_ending("the password arrived");
                report.warnings = notes.iter().map(|n| warning_text(n)).collect();
                Verdict {
                    report: Some(report),
                    notes,
                    end: Ok(ExitCode::Success),
                }
            }
            Reading::Ambiguous(why) if ran.end.finished() => self.not_understood(
                report,
                format!(
                    "note: {} ran in pod {}, but its output is not understood ({why}); its raw output is shown above",
                    self.what, self.target.pod
                ),
            ),
            Reading::Nothing if ran.end == End::Exited(0) => self.not_understood(
                report,
                format!(
                    "note: {} succeeded in pod {}, but no password was found in its output; its raw output is shown above",
                    self.what, self.target.pod
                ),
            ),
            Reading::Nothing => match &ran.end {
                End::Exited(code) => Verdict::failed(Problem::new(
                    ExitCode::RemoteFailed,
                    format!(
                        "{} failed in pod {} (exit {code}): {}",
                        self.what,
                        self.target.pod,
                        text::last_line(&raw_output(&ran.transcript)).unwrap_or("no output")
                    ),
                    Some(logs_hint(self.target)),
                )),
                _ => self.not_started_or_unfinished(report),
            },
            Reading::Ambiguous(_) => self.not_started_or_unfinished(report),
        }
    }

    /// A warning when the command did not end with exit 0 after doing its work.
    fn unclean_ending(&self, what_happened: &str) -> Vec<String> {
        if self.ran.end == End::Exited(0) {
            return Vec::new();
        }
        vec![format!(
            "warning: {what_happened}, but then the command did not end cleanly: {}",
            describe_end(&self.ran.end)
        )]
    }

    /// Exit 0 (or a reported end) with output we cannot read: show it all.
    fn not_understood<'a>(&self, mut report: CredentialsReport<'a>, note: String) -> Verdict<'a> {
        report.output_understood = false;
        report.raw_output = Some(raw_output(&self.ran.transcript));
        Verdict {
            report: Some(report),
            notes: vec![note],
            end: Ok(ExitCode::OutputNotUnderstood),
        }
    }

    /// A runtime failure with no output means the command never started; anything else may
    /// have run.
    fn not_started_or_unfinished<'a>(&self, report: CredentialsReport<'a>) -> Verdict<'a> {
        match &self.ran.end {
            End::Failed { reason, message } if self.ran.transcript.is_empty() => {
                Verdict::failed(self.not_started(reason, message))
            }
            _ => self.unfinished(report),
        }
    }

    /// The runtime could not start the binary: most often the wrong generation was detected.
    fn not_started(&self, reason: &str, message: &str) -> Problem {
        let target = self.target;
        let missing = message.contains("not found") || message.contains("no such file");
        // v2 commands run through `sh -c`: a distroless image has none.
        if missing && !target.generation.is_v1() && message.contains("\"sh\"") {
            return Problem::new(
                ExitCode::RemoteFailed,
                format!(
                    "container {} of pod {} has no `sh`: kubectl-coder runs Coder v2's commands through `sh -c`, to give them the database whatever the Coder version; nothing was changed",
                    target.container, target.pod
                ),
                Some(format!(
                    "run the command in the pod yourself: kubectl exec -it -n {} {} -c {} -- {}",
                    target.namespace, target.pod, target.container, self.what
                )),
            );
        }
        if missing {
            Problem::new(
                ExitCode::RemoteFailed,
                format!(
                    "`{}` was not found in container {} of pod {}: it was taken for {} ({})",
                    self.what.split(' ').next().unwrap_or_default(),
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
                    "cannot run {} in pod {}: {message} ({reason})",
                    self.what, target.pod
                ),
                None,
            )
        }
    }

    /// The command may or may not have finished. Show everything we have, including the
    /// password we sent (v2), so that a reset that happened is not lost.
    fn unfinished<'a>(&self, mut report: CredentialsReport<'a>) -> Verdict<'a> {
        let raw = raw_output(&self.ran.transcript);
        let ended = describe_end(&self.ran.end);
        // A password the user chose is never printed back.
        let sent = self.sent == Some(Origin::Generated);
        let shown = match (raw.is_empty(), sent) {
            (true, false) => "no output arrived",
            (true, true) => "the password sent is shown above",
            (false, false) => "the output so far is shown above",
            (false, true) => "the output so far and the password sent are shown above",
        };
        let hint = match self.sent {
            Some(Origin::Generated) => {
                "hint: try to log in with the password sent; if it fails, run the command again"
            }
            Some(Origin::Chosen) => {
                "hint: try to log in with the password you chose; if it fails, run the command again"
            }
            None => {
                "hint: run the command again if the admin cannot log in (a new temporary password is issued)"
            }
        };
        let notes = vec![
            format!(
                "error: {} in pod {} may or may not have finished: {ended}; {shown}",
                self.what, self.target.pod
            ),
            hint.to_string(),
        ];
        report.output_understood = false;
        report.raw_output = Some(raw);
        report.incomplete = Some(ended);
        let exit = match self.ran.end {
            End::Signalled(signal) => ExitCode::for_signal(signal),
            _ => ExitCode::OutputNotUnderstood,
        };
        Verdict {
            report: Some(report),
            notes,
            end: Ok(exit),
        }
    }
}

/// A warning line for `-o json`/`yaml`, without its `warning: ` label.
fn warning_text(note: &str) -> String {
    note.strip_prefix("warning: ").unwrap_or(note).to_string()
}

/// What a v2 reset does not change (coderd/userauth.go, cli/resetpassword.go): shown with -v.
pub const V2_RESET_CAVEATS: &str = "a reset password works only for login type password (not OIDC or GitHub); a suspended account stays suspended; sessions and API tokens already issued stay valid";

fn logs_hint(target: &Target) -> String {
    format!(
        "its logs may say more: kubectl logs -n {} {}",
        target.namespace, target.pod
    )
}

/// Both streams, escapes removed, in the order the lines arrived, with a note where output
/// was dropped to stay within bounds.
fn raw_output(transcript: &Transcript) -> String {
    let mut raw = String::new();
    for entry in transcript.entries() {
        match entry {
            Entry::Line(line) => {
                raw.push_str(&text::plain(&line.text));
                if line.end != LineEnd::Cut {
                    raw.push('\n');
                }
            }
            Entry::Gap(gap) => raw.push_str(&format!(
                "[... {} bytes ({} lines) of {} not kept ...]\n",
                gap.bytes,
                gap.lines,
                gap.stream.name()
            )),
        }
    }
    // A last line that never ended is shown as it came.
    let unterminated = transcript
        .lines()
        .last()
        .is_some_and(|l| l.end == LineEnd::Eof);
    if unterminated {
        raw.pop();
    }
    raw
}

fn describe_end(end: &End) -> String {
    match end {
        End::Exited(code) => format!("exit code {code}"),
        End::Failed { message, .. } => message.clone(),
        End::StreamLost(detail) => format!("the connection dropped ({detail})"),
        End::TimedOut(limit) => format!("no exit status within {limit:?} (--timeout)"),
        End::Signalled(signal) => signal.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::config::{Change, PasswordSource};
    use crate::coder::names::{Account, Email, Username};
    use crate::coder::password::Secret;
    use crate::coder::target::Generation;
    use crate::commands::change::plan::{self, Answers};
    use crate::kube::signals::Signal;
    use crate::kube::transcript::Stream;
    use crate::ui::output::{OutputFormat, render_credentials};
    use std::time::Duration;

    const SENT: &str = "Sent-Pw-123456";

    fn target(generation: Generation) -> Target {
        Target::sample(generation)
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
                user: Account::Username(Username::parse("alice").unwrap()),
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
                allow_disabled_password_login: false,
            },
            Generation::V2,
        )
    }

    /// What the user sees: the exit code, stdout (text format) and stderr.
    fn seen(plan: &Plan, stdout: &str, stderr: &str, end: End) -> (u8, String, String) {
        let target = target(plan.generation);
        let ran = ExecOutput {
            transcript: Transcript::of(stdout.as_bytes(), stderr.as_bytes()),
            end,
        };
        // Coder v2's prompts were answered before any of this output.
        let answered = (!plan.generation.is_v1()).then(|| Progress::Answered {
            lines: plan.prompts().len(),
            after: Some(0),
        });
        let verdict = judge(
            plan,
            &target,
            Place::new(Some("prod"), &target),
            &ran,
            answered.as_ref(),
        );
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
    const V1_DONE: &str = "Password reset on Coder v1 in pod coder/pod-1 (context prod).\n\n  Username:  admin\n  Password:  Tmp-Pw-42\n\nThis password is temporary: Coder asks for a new one at the next login.\nNext: sign in to Coder (its URL is not in the pod spec) as admin.\n";
    const V1_AGAIN: &str = "hint: run the command again if the admin cannot log in (a new temporary password is issued)\n";
    const NEXT_STEPS: &str = "Next: sign in to Coder (its URL is not in the pod spec) with Alice's email, not the username.\n";
    const V2_AGAIN: &str =
        "hint: try to log in with the password sent; if it fails, run the command again\n";

    fn lost() -> End {
        End::StreamLost("connection reset".into())
    }

    fn timed_out() -> End {
        End::TimedOut(Duration::from_secs(5))
    }

    /// A Failure status from the exec (the runtime's, not the command's).
    fn killed(message: &str) -> End {
        End::Failed {
            reason: "InternalError".into(),
            message: message.into(),
        }
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
                "a Failure status after the password",
                BOXED,
                "",
                End::Failed {
                    reason: "InternalError".into(),
                    message: "container was killed".into(),
                },
                0,
                V1_DONE.into(),
                "warning: the password arrived, but then the command did not end cleanly: container was killed\n".into(),
            ),
            (
                "a Failure status after some output",
                "connecting to the database\n",
                "",
                End::Failed {
                    reason: "InternalError".into(),
                    message: "container was killed".into(),
                },
                6,
                "connecting to the database\n".into(),
                format!("error: coderd reset-admin-password in pod pod-1 may or may not have finished: container was killed; the output so far is shown above\n{V1_AGAIN}"),
            ),
            (
                "exit 0, two different passwords",
                "Password: one-1\nPassword: two-2\n",
                "",
                End::Exited(0),
                6,
                "Password: one-1\nPassword: two-2\n".into(),
                "note: coderd reset-admin-password ran in pod pod-1, but its output is not understood (2 different passwords in the output); its raw output is shown above\n".into(),
            ),
            (
                "a password line cut by a dropped stream",
                "User:     admin\nPassword: Tmp-P",
                "",
                lost(),
                6,
                "User:     admin\nPassword: Tmp-P\n".into(),
                format!("error: coderd reset-admin-password in pod pod-1 may or may not have finished: the connection dropped (connection reset); the output so far is shown above\n{V1_AGAIN}"),
            ),
            (
                "SIGTERM",
                "",
                "",
                End::Signalled(Signal::Terminate),
                143,
                String::new(),
                format!("error: coderd reset-admin-password in pod pod-1 may or may not have finished: terminated (SIGTERM); no output arrived\n{V1_AGAIN}"),
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
                End::Signalled(Signal::Interrupt),
                130,
                String::new(),
                format!("error: coderd reset-admin-password in pod pod-1 may or may not have finished: interrupted (Ctrl-C); no output arrived\n{V1_AGAIN}"),
            ),
            // Output not understood from a command that did not finish: not "it ran", but
            // "it may not have finished".
            (
                "two different passwords, then a dropped stream",
                "Password: one-1\nPassword: two-2\n",
                "",
                lost(),
                6,
                "Password: one-1\nPassword: two-2\n".into(),
                format!("error: coderd reset-admin-password in pod pod-1 may or may not have finished: the connection dropped (connection reset); the output so far is shown above\n{V1_AGAIN}"),
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
            "Password reset on Coder v2 in pod coder/pod-1 (context prod).\n\n  Username:  Alice\n  Password:  {SENT}\n\nCoder v2 does not force a change; change it under Account > Security.\n{NEXT_STEPS}"
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
                done.clone(),
                String::new(),
            ),
            (
                "done, then a non-zero exit",
                "Password has been reset for user Alice!\n",
                "error: audit log: write failed\n",
                End::Exited(1),
                0,
                done.clone(),
                "warning: Coder said the password was set, but then the command did not end cleanly: exit code 1\n".into(),
            ),
            (
                "done, then the connection dropped",
                "Password has been reset for user Alice!\n",
                "",
                lost(),
                0,
                done.clone(),
                "warning: Coder said the password was set, but then the command did not end cleanly: the connection dropped (connection reset)\n".into(),
            ),
            (
                "SIGHUP at the prompt",
                "> Enter new password: ",
                "",
                End::Signalled(Signal::HangUp),
                129,
                format!("> Enter new password: \n{sent}"),
                unfinished(
                    "hung up (SIGHUP)",
                    "the output so far and the password sent are shown above",
                ),
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
                    "check the spelling (usernames are case-insensitive); if no owner can sign in to look it up, `kubectl coder create-admin-user` adds one",
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
                    "check that the database of CODER_PG_CONNECTION_URL (from secret db, key url) is up and reachable from the pod; nothing was changed",
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
                End::Signalled(Signal::Interrupt),
                130,
                sent.clone(),
                unfinished("interrupted (Ctrl-C)", "the password sent is shown above"),
            ),
            (
                "terminated after the prompts",
                "> Enter new  password : > Confirm  password : ",
                "",
                End::Signalled(Signal::Terminate),
                143,
                format!("> Enter new  password : > Confirm  password : \n{sent}"),
                unfinished(
                    "terminated (SIGTERM)",
                    "the output so far and the password sent are shown above",
                ),
            ),
            (
                "a Failure status before any output",
                "",
                "",
                killed("container is paused"),
                5,
                String::new(),
                "error: cannot run coder reset-password alice in pod pod-1: container is paused (InternalError)\n".into(),
            ),
            (
                "a Failure status after some output",
                "> Enter new  password : ",
                "",
                killed("container coder was OOM-killed"),
                6,
                format!("> Enter new  password : \n{sent}"),
                unfinished(
                    "container coder was OOM-killed",
                    "the output so far and the password sent are shown above",
                ),
            ),
            (
                "a Failure status after the success line",
                "Password has been reset for user alice!\n",
                "",
                killed("container coder was OOM-killed"),
                0,
                done.replace("Alice", "alice"),
                "warning: Coder said the password was set, but then the command did not end cleanly: container coder was OOM-killed\n".into(),
            ),
            (
                "timed out after the success line",
                "Password has been reset for user alice!\n",
                "",
                timed_out(),
                0,
                done.replace("Alice", "alice"),
                "warning: Coder said the password was set, but then the command did not end cleanly: no exit status within 5s (--timeout)\n".into(),
            ),
            (
                "the success sentence inside an error on stderr",
                "",
                "error: Password has been reset for user alice! is not allowed\n",
                End::Exited(1),
                5,
                String::new(),
                failed(
                    "coder reset-password alice failed in pod pod-1: error: Password has been reset for user alice! is not allowed",
                    "its logs may say more: kubectl logs -n coder pod-1",
                ),
            ),
            (
                "the success line cut off",
                "Password has been reset for user al",
                "",
                End::Exited(0),
                6,
                format!("Password has been reset for user al\n{sent}"),
                "note: coder reset-password alice exited 0 but did not say it succeeded; the password sent is shown with its raw output, in case it took effect\n".into(),
            ),
            (
                "another user",
                "Password has been reset for user admin!\n",
                "",
                End::Exited(0),
                6,
                format!("Password has been reset for user admin!\n{sent}"),
                "note: coder reset-password alice said it was done for admin, not alice; the password sent is shown with its raw output, in case it took effect\n".into(),
            ),
            // The runtime could not start the command: which binary is missing decides the
            // advice.
            (
                "no sh in the image",
                "",
                "",
                killed("exec: \"sh\": executable file not found in $PATH"),
                5,
                String::new(),
                failed(
                    "container coder of pod pod-1 has no `sh`: kubectl-coder runs Coder v2's commands through `sh -c`, to give them the database whatever the Coder version; nothing was changed",
                    "run the command in the pod yourself: kubectl exec -it -n coder pod-1 -c coder -- coder reset-password alice",
                ),
            ),
            (
                "no coder in the image",
                "",
                "",
                killed("exec: \"coder\": executable file not found in $PATH"),
                5,
                String::new(),
                failed(
                    "`coder` was not found in container coder of pod pod-1: it was taken for Coder v2 (label)",
                    "choose the generation with --generation v1 and the container with -c; `kubectl coder status` shows what was detected",
                ),
            ),
            (
                "sh there but not allowed to run",
                "",
                "",
                killed("exec: \"sh\": permission denied"),
                5,
                String::new(),
                "error: cannot run coder reset-password alice in pod pod-1: exec: \"sh\": permission denied (InternalError)\n".into(),
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

    #[test]
    fn a_password_the_user_chose_is_never_printed_back() {
        let plan = plan::plan(
            &Change::ResetPassword {
                user: Account::Username(Username::parse("alice").unwrap()),
                password: PasswordSource::Stdin,
            },
            &target(Generation::V2),
            Answers::default(),
            Some(Secret::from("Chosen-Pw-9876".to_string())),
            &mut || unreachable!("a chosen password is not generated"),
        )
        .unwrap();
        let (code, stdout, stderr) = seen(
            &plan,
            "Password has been reset for user alice!\n",
            "",
            End::Exited(0),
        );
        assert_eq!(code, 0);
        assert!(!stdout.contains("Chosen-Pw-9876"), "{stdout}");
        assert!(
            stdout.contains("  Password:  (the one you chose, not shown)\n"),
            "{stdout}"
        );
        assert_eq!(stderr, "");
        let (code, stdout, stderr) = seen(&plan, "", "", lost());
        assert_eq!(code, 6);
        assert_eq!(stdout, "");
        assert_eq!(
            stderr,
            "error: coder reset-password alice in pod pod-1 may or may not have finished: the connection dropped (connection reset); no output arrived\nhint: try to log in with the password you chose; if it fails, run the command again\n"
        );
    }

    /// Coder's success line counts only after the last prompt was answered: printed before
    /// (nothing typed yet), it is not understood, with the password sent shown.
    #[test]
    fn success_said_before_the_prompts_were_answered_is_not_understood() {
        let plan = v2_reset();
        let target = target(Generation::V2);
        let mut transcript = Transcript::new();
        transcript.push(
            Stream::Stdout,
            b"Password has been reset for user alice!\n> Enter new  password : ",
        );
        let answered = Progress::Answered {
            lines: 2,
            after: Some(transcript.lines_ended()),
        };
        transcript.push(Stream::Stdout, b"> Confirm  password : \n");
        transcript.finish();
        let ran = ExecOutput {
            transcript,
            end: End::Exited(0),
        };
        let verdict = judge(
            &plan,
            &target,
            Place::new(None, &target),
            &ran,
            Some(&answered),
        );
        assert_eq!(verdict.end.unwrap(), ExitCode::OutputNotUnderstood);
        let report = verdict.report.unwrap();
        assert!(!report.output_understood);
        assert!(matches!(report.password, Some(ShownPassword::Sent(_))));
    }

    /// `-o json`: a failure after the change was made is a field, not only a stderr line.
    #[test]
    fn structured_reports_carry_a_later_failure_as_warnings() {
        let target = target(Generation::V2);
        let plan = v2_reset();
        let v1 = v1_admin();
        let v1_target = super::tests::target(Generation::V1);
        for (plan, target, out, end, warning) in [
            (
                &plan,
                &target,
                &b"Password has been reset for user alice!\n"[..],
                End::Exited(1),
                "Coder said the password was set, but then the command did not end cleanly: exit code 1",
            ),
            (
                &v1,
                &v1_target,
                BOXED.as_bytes(),
                killed("rolled back"),
                "the password arrived, but then the command did not end cleanly: rolled back",
            ),
        ] {
            let ran = ExecOutput {
                transcript: Transcript::of(out, b""),
                end,
            };
            let answered = Progress::Answered {
                lines: 2,
                after: Some(0),
            };
            let verdict = judge(
                plan,
                target,
                Place::new(None, target),
                &ran,
                Some(&answered),
            );
            assert_eq!(verdict.end.unwrap(), ExitCode::Success);
            for format in [OutputFormat::Json, OutputFormat::Yaml] {
                let text = render_credentials(format, verdict.report.as_ref().unwrap(), false);
                let json: serde_json::Value = match format {
                    OutputFormat::Json => serde_json::from_str(&text).unwrap(),
                    _ => serde_saphyr::from_str(&text).unwrap(),
                };
                assert_eq!(json["warnings"], serde_json::json!([warning]), "{}", *text);
                assert_eq!(json["outputUnderstood"], true);
            }
        }
        // A clean ending has no such field.
        let ran = ExecOutput {
            transcript: Transcript::of(b"Password has been reset for user alice!\n", b""),
            end: End::Exited(0),
        };
        let answered = Progress::Answered {
            lines: 2,
            after: Some(0),
        };
        let verdict = judge(
            &plan,
            &target,
            Place::new(None, &target),
            &ran,
            Some(&answered),
        );
        let json: serde_json::Value = serde_json::from_str(&render_credentials(
            OutputFormat::Json,
            verdict.report.as_ref().unwrap(),
            false,
        ))
        .unwrap();
        assert!(json.get("warnings").is_none(), "{json}");
    }

    /// What the prompt dialogue saw decides what an unclean ending means: Coder refusing
    /// the password and asking again, or the stream lost before the confirmation was written
    /// (nothing changed), against the stream lost after it (it may have).
    #[test]
    fn the_dialogue_decides_what_an_unclean_ending_means() {
        let plan = v2_reset();
        let target = target(Generation::V2);
        let judged = |out: &str, end: End, dialogue: Progress| {
            let ran = ExecOutput {
                transcript: Transcript::of(out.as_bytes(), b""),
                end,
            };
            let verdict = judge(
                &plan,
                &target,
                Place::new(None, &target),
                &ran,
                Some(&dialogue),
            );
            match verdict.end {
                Ok(code) => (code.code(), verdict.notes.join("\n")),
                Err(problem) => (problem.exit.code(), problem.render()),
            }
        };
        let refused = "error: insecure password, try using a longer password";
        assert_eq!(
            judged(
                "Enter new password: \n",
                lost(),
                Progress::Rejected(refused.into())
            ),
            (
                5,
                format!(
                    "error: Coder rejected the password: {refused}\nhint: nothing was changed; Coder's rules may differ from the ones checked here: choose another with --password-stdin or --password-prompt\n"
                )
            )
        );
        let first_line_only = Progress::Answered {
            lines: 1,
            after: Some(0),
        };
        assert_eq!(
            judged("Enter new password: ", lost(), first_line_only),
            (
                1,
                "error: coder reset-password alice in pod pod-1 ended before the password was confirmed: the connection dropped (connection reset); nothing was changed\nhint: run the command again\n".into()
            )
        );
        let both_lines = Progress::Answered {
            lines: 2,
            after: Some(0),
        };
        let (code, said) = judged("Enter new password: ", lost(), both_lines);
        assert_eq!(code, 6, "{said}");
        assert!(said.contains("may or may not have finished"), "{said}");
    }

    /// `-o json`: an ending that may hide a reset says so, with the password sent.
    #[test]
    fn structured_reports_say_how_an_unfinished_command_ended() {
        let plan = v2_reset();
        let target = target(Generation::V2);
        for (end, incomplete) in [
            (lost(), Some("the connection dropped (connection reset)")),
            (
                End::Signalled(Signal::Interrupt),
                Some("interrupted (Ctrl-C)"),
            ),
            (End::Exited(0), None),
        ] {
            let ran = ExecOutput {
                transcript: Transcript::of(b"partial", b""),
                end,
            };
            let verdict = judge(&plan, &target, Place::new(None, &target), &ran, None);
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
