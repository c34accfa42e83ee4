//! The shape of every failure the user sees: [`Problem`] (what happened, what to do, the exit
//! code), and [`chain`] for an error's causes in one line.

use std::error::Error as StdError;

use crate::exit_codes::ExitCode;
use crate::text;

/// A failure ready to print.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Problem {
    pub exit: ExitCode,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(
        exit: ExitCode,
        message: impl Into<String>,
        hint: impl Into<Option<String>>,
    ) -> Problem {
        Problem {
            exit,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// `error: ...` and `hint: ...` lines for stderr. Messages quote the API server, the
    /// kubeconfig and the pod: their control characters are made visible, and none of their
    /// lines can pass for one of ours ([`text::guarded`]).
    pub fn render(&self) -> String {
        let mut text = format!("error: {}\n", text::guarded(&self.message));
        if let Some(hint) = &self.hint {
            text.push_str(&format!("hint: {}\n", text::guarded(hint)));
        }
        text
    }
}

/// "outer: inner: root" in one line, without repeats (and only the first line of each part:
/// some parsers add a multi-line excerpt of the input).
pub(crate) fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        let text = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}
