//! kubectl-coder: reset Coder passwords from kubectl. `main.rs` only calls [`main_entry`].

pub mod app;
pub mod cli;
pub mod coder_v1;
pub mod coder_v2;
pub mod complete;
pub mod exec;
pub mod exit_codes;
pub mod kube_client;
pub mod locate;
pub mod output;
pub mod password;
pub mod problem;
pub mod reset;
pub mod terminal;
pub mod text;

use clap::{CommandFactory, FromArgMatches};
use serde::Serialize;

use crate::cli::{Cli, Command, OutputFormat};
use crate::exit_codes::ExitCode;

/// Build facts for `kubectl coder version`.
#[derive(Debug, Serialize)]
pub struct VersionInfo {
    pub version: &'static str,
    pub commit: &'static str,
    pub target: &'static str,
}

pub const VERSION: VersionInfo = VersionInfo {
    version: env!("CARGO_PKG_VERSION"),
    commit: env!("KUBECTL_CODER_COMMIT"),
    target: env!("KUBECTL_CODER_TARGET"),
};

fn print_version(format: OutputFormat) -> std::io::Result<()> {
    let text = match format {
        OutputFormat::Json => serde_json::to_string_pretty(&VERSION).expect("plain data") + "\n",
        OutputFormat::Yaml => serde_yaml_ng::to_string(&VERSION).expect("plain data"),
        OutputFormat::Text => {
            format!(
                "kubectl-coder {}\ncommit: {}\ntarget: {}\n",
                VERSION.version, VERSION.commit, VERSION.target
            )
        }
    };
    output::stdout(&text)
}

/// Parses arguments, runs the command and maps the outcome to an exit code.
pub fn main_entry() -> std::process::ExitCode {
    let name = cli::display_name(std::env::args_os().next().as_deref());
    let matches = Cli::command().bin_name(name).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let config = match cli.into_config() {
        Ok(config) => config,
        Err(err) => return fail(&anyhow::Error::new(err)),
    };
    if matches!(config.command, Command::Version) {
        let _ = print_version(config.output);
        return ExitCode::Success.into();
    }
    let session = app::Session {
        config,
        terminal: terminal::Terminal::detect(),
    };
    // One thread is plenty for two requests, and starts faster than a pool.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return fail(&err.into()),
    };
    match runtime.block_on(app::run(session)) {
        Ok(code) => code.into(),
        Err(err) => fail(&err),
    }
}

fn fail(err: &anyhow::Error) -> std::process::ExitCode {
    let problem = problem::describe(err);
    use std::io::Write;
    let _ = std::io::stderr().write_all(problem.render().as_bytes());
    problem.exit.into()
}
