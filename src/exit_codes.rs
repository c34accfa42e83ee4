//! The process exit codes, one per kind of outcome a script may want to branch on.
//! Documented in the README; the end-to-end tests in `tests/e2e/` check each one.

/// Why the process ended. The numeric values are part of the public interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything asked for was done.
    Success,
    /// Anything not covered below: kubeconfig, connection, TLS, timeouts, API server errors.
    Failure,
    /// Bad flags or input (also: a change was asked for with no terminal to confirm on and no `--yes`).
    Usage,
    /// Nothing to act on: no Coder pod, no such namespace or user.
    NotFound,
    /// The API server refused us (401 or 403).
    Forbidden,
    /// The Coder command ran in the pod and failed.
    RemoteFailed,
    /// The reset happened but its output could not be understood, or it may or may not have
    /// finished (connection dropped, `--timeout`); the raw output was shown. One code for both:
    /// either way the result is on the screen and must be checked by signing in.
    OutputNotUnderstood,
    /// The user answered "no" at the confirmation prompt.
    Declined,
    /// Interrupted by Ctrl-C (SIGINT).
    Interrupted,
    /// Ended by SIGTERM (`timeout`, CI cancellation, `kill`).
    Terminated,
    /// Ended by SIGHUP (the terminal closed).
    HungUp,
}

use crate::kube::signals::Signal;

impl ExitCode {
    /// How a process ended by `signal` reports it.
    pub fn for_signal(signal: Signal) -> ExitCode {
        match signal {
            Signal::Interrupt => ExitCode::Interrupted,
            Signal::Terminate => ExitCode::Terminated,
            Signal::HangUp => ExitCode::HungUp,
        }
    }

    pub const ALL: [ExitCode; 11] = [
        ExitCode::Success,
        ExitCode::Failure,
        ExitCode::Usage,
        ExitCode::NotFound,
        ExitCode::Forbidden,
        ExitCode::RemoteFailed,
        ExitCode::OutputNotUnderstood,
        ExitCode::Declined,
        ExitCode::Interrupted,
        ExitCode::Terminated,
        ExitCode::HungUp,
    ];

    /// The meaning, as the README's table and the man page's EXIT STATUS give it.
    pub fn meaning(self) -> &'static str {
        match self {
            ExitCode::Success => "success",
            ExitCode::Failure => {
                "other failure: kubeconfig, connection, TLS, timeout, API server error"
            }
            ExitCode::Usage => {
                "usage error (bad flag or input; a change without a terminal and without --yes)"
            }
            ExitCode::NotFound => "nothing found: no Coder pod, namespace or user",
            ExitCode::Forbidden => "the API server refused: 401 or 403",
            ExitCode::RemoteFailed => "the Coder command ran in the pod and failed",
            ExitCode::OutputNotUnderstood => {
                "the reset ran but its output was not understood, or it may or may not have finished (connection dropped, --timeout): raw output shown"
            }
            ExitCode::Declined => "declined at the confirmation prompt (n, Enter or Ctrl-D)",
            ExitCode::Interrupted => "interrupted (Ctrl-C), at a prompt or during the reset",
            ExitCode::Terminated => "terminated (SIGTERM)",
            ExitCode::HungUp => "hung up (SIGHUP)",
        }
    }

    pub fn code(self) -> u8 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Failure => 1,
            ExitCode::Usage => 2,
            ExitCode::NotFound => 3,
            ExitCode::Forbidden => 4,
            ExitCode::RemoteFailed => 5,
            ExitCode::OutputNotUnderstood => 6,
            ExitCode::Declined => 7,
            // 128 + the signal's number, as shells report it.
            ExitCode::Interrupted => 130,
            ExitCode::Terminated => 143,
            ExitCode::HungUp => 129,
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_clap_compatible() {
        let codes: Vec<u8> = ExitCode::ALL.iter().map(|c| c.code()).collect();
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        // clap exits with 2 on a usage error; ours must mean the same.
        assert_eq!(ExitCode::Usage.code(), 2);
        assert_eq!(ExitCode::Success.code(), 0);
    }
}
