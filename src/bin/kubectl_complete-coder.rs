//! `kubectl_complete-coder`: kubectl 1.26+ runs it from `PATH` to complete `kubectl coder ...`.
//! A tiny launcher (it links nothing of the plugin): it runs `kubectl-coder __complete` with
//! the same words, from its own directory when the plugin is there (krew and the release
//! archive put them side by side), else from `PATH`. Whatever goes wrong, it prints no
//! candidates, as kubectl expects of a completion helper.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

/// The plugin beside this launcher (symlinks followed, as krew links it), else the name.
fn plugin() -> PathBuf {
    let name = format!("kubectl-coder{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .ok()
        .and_then(|me| me.parent().map(|dir| dir.join(&name)))
        .filter(|beside| beside.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

fn main() -> ExitCode {
    let status = Command::new(plugin())
        .arg("__complete")
        .args(std::env::args_os().skip(1))
        .stdin(Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        // No candidates and cobra's "no file completion" directive.
        _ => {
            println!(":4");
            ExitCode::SUCCESS
        }
    }
}
