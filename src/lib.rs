//! kubectl-coder: reset Coder passwords from kubectl. `main.rs` only calls [`main_entry`].
//!
//! The rooms, each calling only those below it (checked by tests/architecture.rs):
//! [`commands`] (the flows), [`ui`] (what the user sees), [`cli`] (flags → checked config),
//! [`coder`] (what Coder is and says), [`kube`] (the API server), then [`text`] (cleaning
//! text that came from elsewhere) and [`platform`] (what differs between operating systems).

pub mod cli;
pub mod coder;
pub mod commands;
pub mod exit_codes;
pub mod hardening;
pub mod kube;
pub mod platform;
pub mod text;
pub mod ui;

use clap::{CommandFactory, FromArgMatches};

/// The hidden command kubectl_complete-coder (and cobra-style scripts) call.
pub const COMPLETE_COMMAND: &str = "__complete";

/// Parses arguments, runs the command and maps the outcome to an exit code.
pub fn main_entry() -> std::process::ExitCode {
    hardening::harden();
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Completion gets half-typed words: answered before any parsing, and never an error.
    if argv.get(1).is_some_and(|a| a == COMPLETE_COMMAND) {
        let words: Vec<String> = argv[2..]
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let _ = ui::output::stdout(&cli::complete::scripts::complete_words(&words));
        return std::process::ExitCode::SUCCESS;
    }
    let name = cli::args::display_name(argv.first().map(|a| a.as_os_str()));
    let args = cli::args::normalize_verbosity(argv);
    let mut command = cli::args::Cli::command().bin_name(&name);
    // Help goes to stdout: wrapped to its terminal, as clap wraps what it writes.
    let help_width = {
        use std::io::IsTerminal;
        std::io::stdout()
            .is_terminal()
            .then(|| usize::from(console::Term::stdout().size().1))
    };
    let matches = match command.clone().try_get_matches_from(args) {
        Ok(matches) => matches,
        // Help as kubectl shows it: the command's own flags, then the pointer to `options`.
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
            let help = ui::wrap::wrap(
                &cli::help::without_connection_flags(&e.render().to_string(), &name),
                help_width,
                "",
            );
            let _ = ui::output::stdout(&help);
            return std::process::ExitCode::SUCCESS;
        }
        Err(e) => e.exit(),
    };
    let parsed = cli::args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let terminal = ui::terminal::Terminal::detect();
    let result = parsed
        .into_config()
        .map_err(anyhow::Error::new)
        .and_then(|config| {
            match &config.command {
                // As kubectl and cobra: a bare command prints its help and succeeds.
                cli::config::Command::Help => {
                    let help = command.render_help().to_string();
                    ui::output::stdout(&ui::wrap::wrap(
                        &cli::help::without_connection_flags(&help, &name),
                        help_width,
                        "",
                    ))?;
                    Ok(exit_codes::ExitCode::Success)
                }
                cli::config::Command::Options => {
                    command.build();
                    ui::output::stdout(&cli::help::options_help(&command))?;
                    Ok(exit_codes::ExitCode::Success)
                }
                cli::config::Command::Completion(shell) => {
                    ui::output::stdout(&String::from_utf8_lossy(&cli::complete::scripts::script(
                        *shell,
                    )))?;
                    Ok(exit_codes::ExitCode::Success)
                }
                _ => commands::run(&config, terminal),
            }
        });
    match result {
        Ok(code) => code.into(),
        Err(err) => {
            let problem = ui::problem::describe(&err);
            use std::io::Write;
            let text = ui::wrap::wrap(&problem.render(), terminal.width, "  ");
            let _ = std::io::stderr().write_all(text.as_bytes());
            problem.exit.into()
        }
    }
}
