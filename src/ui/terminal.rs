//! What the process is attached to, detected once in `main` and passed down
//! so colour, prompts and spinners are decided by data that tests can set.

use std::io::{IsTerminal, Write};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Terminal {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    /// Colour is allowed at all (NO_COLOR unset, TERM not "dumb").
    pub colour_allowed: bool,
    /// Columns of the terminal on stderr, where messages and prompts go: text is wrapped
    /// to it ([`crate::ui::wrap`]). None when stderr is not a terminal.
    pub width: Option<usize>,
}

impl Terminal {
    pub fn detect() -> Terminal {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let (stdout, stderr) = (
            std::io::stdout().is_terminal(),
            std::io::stderr().is_terminal(),
        );
        Terminal {
            stdin: std::io::stdin().is_terminal(),
            stdout,
            stderr,
            colour_allowed: !no_color && !dumb && console_takes_colour(stdout, stderr),
            width: if stderr {
                console::Term::stderr()
                    .size_checked()
                    .map(|(_rows, columns)| usize::from(columns))
                    .filter(|&c| c >= 20)
            } else {
                None
            },
        }
    }

    /// Prompts are shown on stderr and answered on stdin, so both must be terminals; stdout
    /// may be redirected to capture the credentials.
    pub fn can_prompt(&self) -> bool {
        self.stdin && self.stderr
    }

    pub fn stdout_colour(&self) -> bool {
        self.colour_allowed && self.stdout
    }

    pub fn stderr_colour(&self) -> bool {
        self.colour_allowed && self.stderr
    }
}

/// Windows consoles show escape codes as text unless virtual terminal processing is on:
/// console's `colors_supported` turns it on for each console handle and says whether the
/// console took it (older conhost does not). Elsewhere terminals take them.
#[cfg(windows)]
fn console_takes_colour(stdout: bool, stderr: bool) -> bool {
    (!stdout || console::Term::stdout().features().colors_supported())
        && (!stderr || console::Term::stderr().features().colors_supported())
}

#[cfg(not(windows))]
fn console_takes_colour(_stdout: bool, _stderr: bool) -> bool {
    true
}

/// A one-line spinner on stderr for slow remote commands; silent when stderr is not a terminal
/// and for the first second, so quick commands do not flicker.
pub struct Spinner {
    enabled: bool,
    message: String,
    shown: bool,
}

impl Spinner {
    /// `message` names the pod: its control characters are made visible.
    pub fn new(terminal: &Terminal, message: String) -> Spinner {
        Spinner {
            enabled: terminal.stderr,
            message: crate::text::sanitize_line(&message).into_owned(),
            shown: false,
        }
    }

    pub fn tick(&mut self, elapsed: Duration) {
        const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
        if !self.enabled || elapsed < Duration::from_secs(1) {
            return;
        }
        let frame = FRAMES[(elapsed.as_millis() / 100) as usize % FRAMES.len()];
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{frame} {} ({}s)",
            self.message,
            elapsed.as_secs()
        );
        let _ = err.flush();
        self.shown = true;
    }

    pub fn clear(&mut self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
            self.shown = false;
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_need_stdin_and_stderr_terminals() {
        let table = [
            (
                Terminal {
                    stdin: true,
                    stdout: true,
                    stderr: true,
                    colour_allowed: true,
                    width: None,
                },
                true,
            ),
            (
                Terminal {
                    stdin: true,
                    stdout: false,
                    stderr: true,
                    colour_allowed: true,
                    width: None,
                },
                true,
            ),
            (
                Terminal {
                    stdin: false,
                    stdout: true,
                    stderr: true,
                    colour_allowed: true,
                    width: None,
                },
                false,
            ),
            (
                Terminal {
                    stdin: true,
                    stdout: true,
                    stderr: false,
                    colour_allowed: true,
                    width: None,
                },
                false,
            ),
        ];
        for (terminal, want) in table {
            assert_eq!(terminal.can_prompt(), want, "{terminal:?}");
        }
    }

    #[test]
    fn colour_needs_a_terminal_and_permission() {
        let t = Terminal {
            stdin: false,
            stdout: true,
            stderr: false,
            colour_allowed: true,
            width: None,
        };
        assert!(t.stdout_colour() && !t.stderr_colour());
        let t = Terminal {
            colour_allowed: false,
            ..t
        };
        assert!(!t.stdout_colour());
    }
}
