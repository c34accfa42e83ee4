//! Judging a Coder v2 command: the password is ours, so the output only says whether Coder
//! took it, and only as real Coder says so (issue 18).

use std::borrow::Cow;

use super::{Judged, Verdict, describe_end, logs_hint, raw_output, warning_text};
use crate::coder::action::Action;
use crate::coder::spec::{Database, PasswordLogin};
use crate::coder::target::Target;
use crate::coder::v2::{self, Outcome};
use crate::commands::change::plan::{NewPassword, Origin, Plan};
use crate::exit_codes::ExitCode;
use crate::kube::exec::End;
use crate::text;
use crate::ui::output::{CredentialsReport, ShownPassword};
use crate::ui::problem::Problem;

impl Judged<'_> {
    /// Coder v2: the password is ours; the output only says whether Coder took it.
    pub(super) fn v2<'a>(
        &self,
        plan: &Plan,
        sent: &'a NewPassword,
        mut report: CredentialsReport<'a>,
    ) -> Verdict<'a> {
        let ran = self.ran;
        if sent.origin == Origin::Generated {
            report.password = Some(ShownPassword::Sent(&sent.secret));
        }
        let asked = plan.username.as_ref().map_or("", |u| u.as_str());
        let said = match plan.action {
            Action::CreateAdminUser => v2::create_said(
                &ran.transcript,
                self.answered_after,
                asked,
                plan.email.as_ref().map_or("", |e| e.as_str()),
            ),
            Action::ResetAdminPassword | Action::ResetPassword => {
                v2::reset_said(&ran.transcript, self.answered_after, asked)
            }
        };
        // No URL reached the command: whatever it did went to a throwaway database.
        if let Some(line) = v2::own_database(&ran.transcript) {
            return Verdict::failed(own_database(self.what, self.target, &line));
        }
        match said {
            // Once Coder said it is done, the password is set, however the command then ended.
            v2::Said::Done { username } => {
                report.username = Some(Cow::Owned(username));
                report.notes = next_steps(self.target);
                let notes = self.unclean_ending("Coder said the password was set");
                report.warnings = notes.iter().map(|n| warning_text(n)).collect();
                return Verdict {
                    report: Some(report),
                    notes,
                    end: Ok(ExitCode::Success),
                };
            }
            // Something was set, but not what was asked: show all, with the password sent.
            v2::Said::OtherUser { named } => {
                return self.not_understood(
                    report,
                    format!(
                        "note: {} said it was done for {named}, not {asked}; {}, in case it took effect",
                        self.what,
                        shown_with_raw_output(sent)
                    ),
                );
            }
            v2::Said::Nothing => {}
        }
        // Coder refused the password and asked again: stdin was closed at once.
        if let Some(said) = self.rejected {
            return Verdict::failed(Problem::new(
                ExitCode::RemoteFailed,
                format!("Coder rejected the password: {said}"),
                Some(
                    "nothing was changed; Coder's rules may differ from the ones checked here: choose another with --password-stdin or --password-prompt"
                        .to_string(),
                ),
            ));
        }
        // Coder sets the password only after its confirmation: with fewer lines written, a
        // command that did not finish cannot have changed it.
        let unconfirmed = self.answered.is_some_and(|n| n < plan.prompts().len());
        let code = match &ran.end {
            End::Exited(code) => *code,
            End::StreamLost(_) | End::TimedOut(_) | End::Signalled(_) if unconfirmed => {
                return Verdict::failed(Problem::new(
                    match ran.end {
                        End::Signalled(signal) => ExitCode::for_signal(signal),
                        _ => ExitCode::Failure,
                    },
                    format!(
                        "{} in pod {} ended before the password was confirmed: {}; nothing was changed",
                        self.what,
                        self.target.pod,
                        describe_end(&ran.end)
                    ),
                    Some("run the command again".to_string()),
                ));
            }
            _ => return self.not_started_or_unfinished(report),
        };
        // The wrapper's shell could not find `coder` (exit 127, `sh: coder: not found`).
        if code == 127
            && let Some(said) =
                text::last_line(&raw_output(&ran.transcript)).filter(|l| l.contains("not found"))
        {
            return Verdict::failed(self.not_started("exit 127", said));
        }
        if code == 0 {
            return self.not_understood(
                report,
                format!(
                    "note: {} exited 0 but did not say it succeeded; {}, in case it took effect",
                    self.what,
                    shown_with_raw_output(sent)
                ),
            );
        }
        let user = plan
            .username
            .as_ref()
            .map(|u| u.as_str())
            .unwrap_or_default();
        let target = self.target;
        Verdict::failed(match v2::failure(&ran.transcript) {
            Outcome::NoSuchUser => Problem::new(
                ExitCode::NotFound,
                format!("Coder has no user {user:?} (or it was deleted): nothing was changed"),
                Some("check the spelling (usernames are case-insensitive); if no owner can sign in to look it up, `kubectl coder create-admin-user` adds one".into()),
            ),
            Outcome::UserExists => Problem::new(
                ExitCode::RemoteFailed,
                format!("Coder already has a user {user:?}: nothing was changed"),
                Some(format!("reset its password with `kubectl coder reset-password {user}`, or choose another --username")),
            ),
            Outcome::DatabaseUnreachable { detail } => Problem::new(
                ExitCode::RemoteFailed,
                format!("coder in pod {} could not reach its database: {detail}", target.pod),
                Some(match &target.spec.database {
                    Database::External(from) | Database::MaybeEnvFrom(from) => format!(
                        "check that the database of {from} is up and reachable from the pod; nothing was changed"
                    ),
                    Database::NotSet => "the built-in PostgreSQL did not answer: is the Coder server running in this pod? nothing was changed".to_string(),
                }),
            ),
            Outcome::NoDatabase { detail } => Problem::new(
                ExitCode::RemoteFailed,
                format!(
                    "pod {} has no database for {}: CODER_PG_CONNECTION_URL is not in its spec and there is no built-in PostgreSQL ({detail})",
                    target.pod, self.what
                ),
                Some("set CODER_PG_CONNECTION_URL in the chart's coder.env (from a Secret), as Coder's install docs do; nothing was changed".to_string()),
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
            // Not read here: the success lines and the own database were judged above.
            Outcome::OwnDatabase { line } => own_database(self.what, target, &line),
            Outcome::Failed { detail }
            | Outcome::Done {
                username: Some(detail),
            }
            | Outcome::OtherUser { named: detail } => Problem::new(
                ExitCode::RemoteFailed,
                format!("{} failed in pod {}: {detail}", self.what, target.pod),
                Some(logs_hint(target)),
            ),
            Outcome::NotUnderstood | Outcome::Done { username: None } => Problem::new(
                ExitCode::RemoteFailed,
                format!("{} failed in pod {} (exit {code})", self.what, target.pod),
                Some(logs_hint(target)),
            ),
        })
    }
}

/// What the user of the account should know once Coder v2 took the password
/// (coderd/userauth.go: login is by email; the login type and status are not changed by
/// reset-password, and sessions and API tokens are not revoked).
fn next_steps(target: &Target) -> Vec<String> {
    // Where to sign in and with what is the report's "Next:" line; the caveats of a v2 reset
    // are in the README and behind -v ([`super::V2_RESET_CAVEATS`]).
    let mut notes = Vec::new();
    if let PasswordLogin::Disabled(how) = &target.spec.password_login {
        notes.push(format!(
        "Password login is disabled ({how}): nobody can sign in with this password until that is removed."
    ));
    }
    notes
}

/// How the raw output is shown when Coder's words are not understood.
fn shown_with_raw_output(sent: &NewPassword) -> &'static str {
    // A password the user chose is never printed back.
    match sent.origin {
        Origin::Generated => "the password sent is shown with its raw output",
        Origin::Chosen => "its raw output is shown",
    }
}

/// The command started a PostgreSQL of its own instead of using the deployment's database.
fn own_database(what: &str, target: &Target, line: &str) -> Problem {
    Problem::new(
        ExitCode::RemoteFailed,
        format!(
            "{what} in pod {} did not use the deployment's database (it printed {:?}): anything it made is in a throwaway database, not in Coder's; no credentials were created",
            target.pod, line
        ),
        Some(
            "nothing was created in the deployment; a Coder older than 2.0 reads CODER_POSTGRES_URL, not CODER_PG_CONNECTION_URL: `kubectl coder status` shows the pod's database and version"
                .to_string(),
        ),
    )
}
