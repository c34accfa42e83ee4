//! The three changing commands (`reset-admin-password`, `reset-password`,
//! `create-admin-user`): a thin driver that does the prompts and the I/O around the pure
//! [`plan`] (what to run) and [`outcome`] (what it means).

pub mod outcome;
pub mod plan;

use std::io::BufRead;

use zeroize::Zeroizing;

use crate::cli::config::{Change, PasswordSource};
use crate::coder::password::{self, Secret};
use crate::commands::change::outcome::Verdict;
use crate::commands::change::plan::{Answers, Question};
use crate::commands::session::Session;
use crate::exit_codes::ExitCode;
use crate::kube::exec::{self, ExecRequest, Stdin};
use crate::kube::signals::Signals;
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
        PasswordSource::Generate => None,
    };

    let conn = session.connect().await?;
    let target = session.find_target(&conn).await?;
    let answers = ask(session, &plan::questions(change, target.generation))?;
    let plan = plan::plan(change, &target, answers, chosen, &mut password::generate)?;

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
    if !config.assume_yes && !prompt::confirm(&plan.confirmation(&target, conn.context.as_deref()))?
    {
        output::note("Nothing was changed.");
        return Ok(ExitCode::Declined);
    }

    let stdin = plan.stdin();
    session.log.line(&format!(
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
        stdin: match &stdin {
            Some(bytes) => Stdin::Bytes(bytes),
            None => Stdin::None,
        },
        timeout: config.exec_timeout,
    };
    let mut spinner = Spinner::new(
        &session.terminal,
        format!("Running {} in {}", plan.argv[..2].join(" "), target.pod),
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
    show(session, outcome::judge(&plan, &target, place(), &ran))
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
            output::note(&note);
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
fn show(session: &Session<'_>, verdict: Verdict<'_>) -> anyhow::Result<ExitCode> {
    if let Some(report) = &verdict.report {
        let colour = session.terminal.stdout_colour();
        output::stdout(&output::render_credentials(
            session.format(),
            report,
            colour,
        ))?;
    }
    for note in &verdict.notes {
        output::note(note);
    }
    Ok(verdict.end?)
}

fn read_password_from_stdin(session: &Session<'_>) -> anyhow::Result<Secret> {
    let password = if session.terminal.stdin && session.terminal.stderr {
        Secret::from(prompt::new_password()?)
    } else {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line)?;
        let trimmed = line.strip_suffix('\n').unwrap_or(&line);
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        Secret::from(trimmed.to_string())
    };
    password::check(password.expose()).map_err(|problem| {
        Problem::new(
            ExitCode::Usage,
            format!("the password from stdin is not accepted by Coder: {problem}"),
            Some(
                "nothing was changed; or leave out --password-stdin to get a generated one"
                    .to_string(),
            ),
        )
    })?;
    Ok(password)
}
