//! The commands: each a sequence of I/O around the pure decisions of the other rooms.
//! `reset-password alice` goes cli (checked config) → here → [`change`] (session: connect and
//! find the pod; plan; confirm; exec; outcome; output).

pub mod change;
pub mod inventory;
pub mod server_config;
pub mod session;
pub mod status;
pub mod version;

use crate::cli::config::{Command, Config};
use crate::commands::session::Session;
use crate::exit_codes::ExitCode;
use crate::ui::terminal::Terminal;

/// Runs the configured command.
pub fn run(config: &Config, terminal: Terminal) -> anyhow::Result<ExitCode> {
    let session = Session::new(config, terminal);
    match &config.command {
        // Answered by the entry point, which owns the command line's definition.
        Command::Help | Command::Options | Command::Completion(_) => Ok(ExitCode::Success),
        Command::Version => version::print(config.output),
        Command::Status => block_on(status::run(&session)),
        Command::StatusAllNamespaces => block_on(inventory::run(&session)),
        Command::Change(change) => block_on(change::run(&session, change)),
    }
}

/// One thread is plenty for a few requests, and starts faster than a pool.
fn block_on<T>(work: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(work)
}
