//! kubectl-coder: reset Coder passwords from kubectl. `main.rs` only calls [`main_entry`].
//!
//! The rooms, each calling only those below it: [`cli`] (flags → checked config),
//! [`commands`] (the flows), then [`kube`] (the API server), [`coder`] (what Coder is and
//! says) and [`ui`] (what the user sees).

pub mod cli;
pub mod coder;
pub mod commands;
pub mod exit_codes;
pub mod hardening;
pub mod kube;
pub mod ui;

use clap::{CommandFactory, FromArgMatches};

/// Parses arguments, runs the command and maps the outcome to an exit code.
pub fn main_entry() -> std::process::ExitCode {
    hardening::harden();
    let name = cli::args::display_name(std::env::args_os().next().as_deref());
    let args = cli::args::normalize_verbosity(std::env::args_os().collect());
    let matches = cli::args::Cli::command()
        .bin_name(name)
        .get_matches_from(args);
    let parsed = cli::args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = parsed
        .into_config()
        .map_err(anyhow::Error::new)
        .and_then(|config| commands::run(&config, ui::terminal::Terminal::detect()));
    match result {
        Ok(code) => code.into(),
        Err(err) => {
            let problem = ui::problem::describe(&err);
            use std::io::Write;
            let _ = std::io::stderr().write_all(problem.render().as_bytes());
            problem.exit.into()
        }
    }
}
