//! The three changing commands (`reset-admin-password`, `reset-password`,
//! `create-admin-user`): a thin driver that does the prompts and the I/O around the pure
//! [`plan`] (what to run) and [`outcome`] (what it means).

pub mod choice;
pub mod outcome;
pub mod plan;
pub mod stdin;
pub mod v1_user;

use crate::cli::config::{Change, PasswordSource};
use crate::coder::action::Action;
use crate::coder::password::{self, Secret};
use crate::coder::prompts::{Answer, PromptDialogue};
use crate::coder::target::Generation;
use crate::coder::v1;
use crate::commands::change::outcome::Verdict;
use crate::commands::change::plan::{Answers, Question};
use crate::commands::server_config;
use crate::commands::session::Session;
use crate::exit_codes::ExitCode;
use crate::kube::exec::{self, ExecRequest, Stdin};
use crate::kube::signals::Signals;
use crate::kube::transcript::KeepLine;
use crate::ui::output::{self, DryRunReport, Place};
use crate::ui::problem::Problem;
use crate::ui::prompt;
use crate::ui::terminal::Spinner;

pub async fn run(session: &Session<'_>, change: &Change) -> anyhow::Result<ExitCode> {
    let config = session.config;
    if !config.dry_run && !config.assume_yes && !session.terminal.can_prompt() {
        return Err(plan::no_terminal_to_confirm().into());
    }
    // Read a password from stdin before touching the cluster, so a bad one costs nothing.
    let chosen = match change.password_source() {
        PasswordSource::Stdin => Some(read_password_from_stdin(session)?),
        PasswordSource::Prompt if session.terminal.can_prompt() => {
            Some(prompt::new_password(|typed| {
                password::check(typed).map_err(|p| p.to_string())
            })?)
        }
        PasswordSource::Prompt => {
            return Err(Problem::new(
                ExitCode::Usage,
                "--password-prompt needs a terminal to type the password on",
                Some("pipe the password in with --password-stdin, or leave both out to get a generated one".to_string()),
            )
            .into());
        }
        PasswordSource::Generate => None,
    };

    let mut conn = session.connect().await?;
    // Before any request: the token would already travel with the first one.
    if let Some(insecurity) = conn.insecurity {
        if !config.allow_insecure_connection && !config.dry_run {
            return Err(Problem::new(
                ExitCode::Usage,
                format!("refusing to change a password: {}", insecurity.describe()),
                Some(format!(
                    "use an https server with a verified certificate (context {}); to accept the risk, add --allow-insecure-connection",
                    conn.context.as_deref().unwrap_or("in-cluster")
                )),
            )
            .into());
        }
        output::note(&format!("warning: {}", insecurity.describe()));
    }
    let Some(mut target) = choice::find_or_choose(session, &mut conn).await? else {
        output::note("Nothing was changed.");
        return Ok(ExitCode::Declined);
    };
    if !target.generation.is_v1() {
        server_config::settle_password_login(session, &conn, &mut target).await;
    }
    // Coder v1 resets other users through coderd's API, not a command in the pod.
    if let (true, Change::ResetPassword { user, .. }) = (target.generation.is_v1(), change) {
        for warning in plan::target_warnings(&target) {
            output::note(&warning);
        }
        return v1_user::run(session, &conn, &target, user, chosen).await;
    }
    let answers = ask(session, &plan::questions(change, target.generation))?;
    let plan = plan::plan(change, &target, answers, chosen, &mut password::generate)?;
    for warning in plan::warnings(&plan, &target) {
        output::note(&warning);
    }

    let place = || Place::new(conn.context.as_deref(), &target);
    if config.dry_run {
        let report = DryRunReport {
            dry_run: true,
            action: plan.action,
            place: place(),
            command: &plan.argv,
            stdin: plan.stdin_description(),
        };
        output::stdout(&output::render_dry_run(session.format(), &report))?;
        return Ok(ExitCode::Success);
    }
    if !config.assume_yes
        && !prompt::confirm(
            &plan.confirmation(&target, conn.context.as_deref()),
            session.terminal.width,
        )?
    {
        output::note("Nothing was changed.");
        return Ok(ExitCode::Declined);
    }

    session.log.line(&format!(
        "exec in {}/{} container {}: {}{}{}",
        target.namespace,
        target.pod,
        target.container,
        plan.command.join(" "),
        if plan.builtin_database {
            " (through sh -c, with the built-in PostgreSQL's URL in its environment)"
        } else if plan.argv != plan.command {
            " (through sh -c, with CODER_POSTGRES_URL for Coder before 2.0 and without the container's CODER_PASSWORD, CODER_USERNAME, CODER_EMAIL)"
        } else {
            ""
        },
        if plan.password.is_some() {
            " (the password typed at Coder's prompts, not shown)"
        } else {
            ""
        }
    ));
    // The password and its confirmation, each written once Coder asks for it.
    let line = plan.password_line();
    let mut dialogue = line.as_ref().map(|line| {
        PromptDialogue::new(
            plan.prompts()
                .into_iter()
                .map(|prompt| Answer { prompt, line })
                .collect(),
        )
    });
    let request = ExecRequest {
        pod: &target.pod,
        container: &target.container,
        argv: &plan.argv,
        stdin: match dialogue.as_mut() {
            Some(d) => Stdin::Dialogue(d),
            None => Stdin::None,
        },
        timeout: config.exec_timeout,
        // Coder v1 prints a password we cannot know: it must be found however long the log.
        keep_lines: target
            .generation
            .is_v1()
            .then_some(v1::may_hold_credentials as KeepLine),
    };
    let mut spinner = Spinner::new(
        &session.terminal,
        format!("Running {} in {}", plan.what(), target.pod),
    );
    // From here on a signal must not end the process before what was sent or received is
    // shown: the exec watches for them.
    let mut signals = Signals::listen()?;
    // Never retried: a reset is not idempotent (v1 issues a new password each time), and a
    // failure after the command started may hide a reset that happened.
    let result = exec::run(&conn, request, &mut signals, &mut |elapsed| {
        spinner.tick(elapsed)
    })
    .await;
    spinner.clear();
    let ran = result?;
    session
        .log
        .line(&format!("remote command ended: {:?}", ran.end));
    let progress = dialogue.map(|d| {
        if d.unprompted > 0 {
            session.log.line(&format!(
                "{} password line(s) written without a recognised prompt",
                d.unprompted
            ));
        }
        d.progress()
    });
    show(
        session,
        outcome::judge(&plan, &target, place(), &ran, progress.as_ref()),
    )
}

/// Asks what the plan needs on the terminal, or refuses when there is none.
fn ask(session: &Session<'_>, questions: &[Question]) -> anyhow::Result<Answers> {
    let mut answers = Answers::default();
    for &question in questions {
        if !session.terminal.can_prompt() {
            return Err(question.unanswerable().into());
        }
        let (text, note) = question.prompt();
        if let Some(note) = note {
            output::note_wrapped(&note, session.terminal.width);
        }
        match question {
            Question::Owner => answers.owner = Some(prompt::username(text)?),
            Question::NewUsername => answers.username = Some(prompt::username(text)?),
            Question::NewEmail => answers.email = Some(prompt::email(text)?),
        }
    }
    Ok(answers)
}

/// Prints the verdict: the report on stdout, notes on stderr; a problem goes up to `main`.
/// When stdout cannot take the report (a closed pipe, a full disk), it goes to stderr
/// instead: a reset that happened is never lost.
pub(crate) fn show(session: &Session<'_>, verdict: Verdict<'_>) -> anyhow::Result<ExitCode> {
    let mut undelivered = None;
    if let Some(report) = &verdict.report {
        let colour = session.terminal.stdout_colour();
        let text = output::render_credentials(session.format(), report, colour);
        if let Err(e) = output::stdout_all(&text) {
            output::note(&format!(
                "error: the result could not be written to stdout ({}); here it is instead:",
                io_reason(&e)
            ));
            output::stderr_all(&text);
            undelivered = Some(e);
        }
    }
    for note in &verdict.notes {
        output::note(note);
    }
    if let Some(report) = &verdict.report
        && report.place.generation == Generation::V2
        && report.action != Action::CreateAdminUser
        && report.output_understood
    {
        session.log.line(outcome::V2_RESET_CAVEATS);
    }
    let exit = verdict.end?;
    match undelivered {
        None => Ok(exit),
        Some(_) => Err(Problem::new(
            ExitCode::Failure,
            if exit == ExitCode::Success {
                "the change was made, but its result reached stderr only (above), not stdout"
            } else {
                "the result reached stderr only (above), not stdout"
            },
            Some(
                "keep what is shown above; check where stdout goes (a closed pipe, a full disk)"
                    .to_string(),
            ),
        )
        .into()),
    }
}

/// An I/O error in words, without "(os error N)".
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The password the user chose, before any request: typed twice, hidden, on a terminal;
/// else the one line of a piped stdin. Either way checked by Coder's rules first.
fn read_password_from_stdin(session: &Session<'_>) -> anyhow::Result<Secret> {
    let refused = |problem: String| -> anyhow::Error {
        Problem::new(
            ExitCode::Usage,
            format!("the password from stdin is not accepted by Coder: {problem}"),
            Some(
                "nothing was changed; or leave out --password-stdin to get a generated one"
                    .to_string(),
            ),
        )
        .into()
    };
    if session.terminal.stdin {
        return prompt::new_password(|typed| password::check(typed).map_err(|p| p.to_string()));
    }
    let input = stdin::read_all()?;
    let line = stdin::one_line(&input).map_err(|p| refused(p.to_string()))?;
    let line = std::str::from_utf8(line).map_err(|_| refused("it is not valid UTF-8".into()))?;
    password::check(line).map_err(|p| refused(p.to_string()))?;
    Ok(Secret::from(line.to_string()))
}
