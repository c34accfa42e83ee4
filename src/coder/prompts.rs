//! Answering Coder v2's prompts on a pipe: each line is written only once its prompt has
//! appeared. Before v2.18 each prompt read stdin through a fresh `bufio.Reader`, which kept
//! the first line of whatever the pipe held and dropped the rest (cli/cliui/prompt.go before
//! PR 15421), so writing the password and its confirmation at once lost the confirmation.
//! When a prompt is not recognised, a line is written after a quiet moment anyway, so an
//! unknown rendering still works; when Coder rejects a line and asks again, stdin is closed
//! and Coder's words are kept for the user.

use std::time::Duration;

use crate::kube::exec::{Dialogue, Reply};
use crate::kube::transcript::{Stream, Transcript};
use crate::text;

/// A prompt as Coder prints it without a terminal (cli/cliui/prompt.go: `> `, the text, a
/// space): recognised by how it starts and where it ends, since the middle differs between
/// renderings (the padded `password` field of reset-password).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prompt {
    pub starts: &'static str,
    pub ends: &'static str,
}

/// Coder's prompts.
pub mod text_of {
    use super::Prompt;

    /// reset-password: `> Enter new  password : `.
    pub const NEW_PASSWORD: Prompt = Prompt {
        starts: "> Enter new",
        ends: ": ",
    };
    /// reset-password: `> Confirm  password : `.
    pub const CONFIRM: Prompt = Prompt {
        starts: "> Confirm",
        ends: ": ",
    };
    /// server create-admin-user: `> Password `.
    pub const PASSWORD: Prompt = Prompt {
        starts: "> Password",
        ends: " ",
    };
    /// server create-admin-user: `> Confirm password `.
    pub const CONFIRM_PASSWORD: Prompt = Prompt {
        starts: "> Confirm password",
        ends: " ",
    };
}

impl Prompt {
    /// Where the prompt starts in `seen` and where it ends (once all of it has arrived).
    fn find(&self, seen: &str) -> Option<(usize, Option<usize>)> {
        let at = seen.find(self.starts)?;
        let after = at + self.starts.len();
        let end = seen[after..]
            .find(self.ends)
            .map(|e| after + e + self.ends.len());
        Some((at, end))
    }
}

/// With no prompt recognised and nothing printed for this long, the next line goes anyway.
pub const QUIET: Duration = Duration::from_secs(5);

/// One line to write after its prompt.
#[derive(Debug)]
pub struct Answer<'a> {
    pub prompt: Prompt,
    /// The line, ending in `\n`.
    pub line: &'a [u8],
}

/// How the dialogue went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Lines written so far (all of them when done), and how many output lines (both
    /// streams) had ended when the last was written: Coder's answer to it comes after.
    Answered { lines: usize, after: Option<u64> },
    /// Coder printed this and asked the same question again: its check refused the line.
    Rejected(String),
}

/// Writes each answer after its prompt.
pub struct PromptDialogue<'a> {
    answers: Vec<Answer<'a>>,
    written: usize,
    /// Stdout up to here has been read (prompts before it are answered).
    read_up_to: u64,
    /// The output seen at the last call, and when it last changed.
    last_output: (u64, Duration),
    last_write: Duration,
    /// Output lines ended when the last line was written.
    last_written_after: Option<u64>,
    rejected: Option<String>,
    /// Lines written without their prompt, after [`QUIET`].
    pub unprompted: usize,
}

impl<'a> PromptDialogue<'a> {
    pub fn new(answers: Vec<Answer<'a>>) -> PromptDialogue<'a> {
        PromptDialogue {
            answers,
            written: 0,
            read_up_to: 0,
            last_output: (0, Duration::ZERO),
            last_write: Duration::ZERO,
            last_written_after: None,
            rejected: None,
            unprompted: 0,
        }
    }

    pub fn progress(&self) -> Progress {
        match &self.rejected {
            Some(message) => Progress::Rejected(message.clone()),
            None => Progress::Answered {
                lines: self.written,
                after: self.last_written_after,
            },
        }
    }

    fn write(&mut self, received: &Transcript, elapsed: Duration) -> Reply<'a> {
        let line = self.answers[self.written].line;
        self.written += 1;
        self.last_write = elapsed;
        self.last_written_after = Some(received.lines_ended());
        Reply::Write(line)
    }
}

impl<'a> Dialogue for PromptDialogue<'a> {
    fn next(&mut self, received: &Transcript, elapsed: Duration) -> Reply<'_> {
        if self.rejected.is_some() {
            return Reply::Wait;
        }
        let output = received.received(Stream::Stdout) + received.received(Stream::Stderr);
        if output != self.last_output.0 {
            self.last_output = (output, elapsed);
        }
        let (start, bytes) = received.stdout_since(self.read_up_to);
        let seen = text::plain(&bytes);
        // The question just answered, asked again: Coder refused the line.
        let asked_again = self
            .written
            .checked_sub(1)
            .and_then(|i| self.answers[i].prompt.find(&seen));
        let next = self
            .answers
            .get(self.written)
            .and_then(|a| a.prompt.find(&seen));
        match (asked_again, next) {
            (Some((again, _)), next) if next.is_none_or(|(at, _)| again < at) => {
                let said = text::last_line(&seen[..again]).unwrap_or("no reason given");
                self.rejected = Some(said.to_string());
                return Reply::Close;
            }
            (_, Some((_, Some(end)))) => {
                self.read_up_to = start + byte_offset(&bytes, &seen, end);
                return self.write(received, elapsed);
            }
            // The prompt has started arriving: wait for the rest of it.
            (_, Some((_, None))) => return Reply::Wait,
            _ => {}
        }
        // No prompt recognised: after a quiet moment, write the next line all the same.
        let quiet = elapsed.saturating_sub(self.last_output.1.max(self.last_write));
        if self.written < self.answers.len() && quiet >= QUIET {
            self.unprompted += 1;
            self.read_up_to = start + bytes.len() as u64;
            return self.write(received, elapsed);
        }
        Reply::Wait
    }
}

/// The byte offset in `raw` of character offset `at` of `plain` (`text::plain(raw)`), found by
/// cleaning ever longer prefixes: escape codes in `raw` make the two differ.
fn byte_offset(raw: &[u8], plain: &str, at: usize) -> u64 {
    if raw.len() == plain.len() {
        return at as u64;
    }
    (0..=raw.len())
        .find(|&n| text::plain(&raw[..n]).len() >= at)
        .unwrap_or(raw.len()) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESET_PROMPTS: [Prompt; 2] = [text_of::NEW_PASSWORD, text_of::CONFIRM];

    fn dialogue<'a>(prompts: &[Prompt], lines: &'a [&'a [u8]]) -> PromptDialogue<'a> {
        PromptDialogue::new(
            prompts
                .iter()
                .zip(lines)
                .map(|(prompt, line)| Answer {
                    prompt: *prompt,
                    line,
                })
                .collect(),
        )
    }

    /// Feeds `events` (output, or a pause) and records what the dialogue wrote when.
    fn play(d: &mut PromptDialogue<'_>, events: &[(&str, u64)]) -> Vec<String> {
        let mut t = Transcript::new();
        let mut actions = Vec::new();
        let mut now = Duration::ZERO;
        for (output, after_ms) in events {
            now += Duration::from_millis(*after_ms);
            t.push(Stream::Stdout, output.as_bytes());
            loop {
                match d.next(&t, now) {
                    Reply::Wait => break,
                    Reply::Write(line) => {
                        actions.push(format!("write {}", String::from_utf8_lossy(line).trim()))
                    }
                    Reply::Close => {
                        actions.push("close".into());
                        break;
                    }
                }
            }
        }
        actions
    }

    #[test]
    fn each_line_waits_for_its_prompt() {
        let lines: [&[u8]; 2] = [b"pw-1\n", b"pw-1\n"];
        let mut d = dialogue(&RESET_PROMPTS, &lines);
        let actions = play(
            &mut d,
            &[
                ("2026 [warn]  ping postgres: retrying\n", 100),
                ("> Enter new  password : ", 100),
                ("", 100),
                ("> Confirm  password : ", 100),
                ("\nPassword has been reset for user alice!\n", 100),
            ],
        );
        assert_eq!(actions, ["write pw-1", "write pw-1"]);
        assert_eq!(
            d.progress(),
            Progress::Answered {
                lines: 2,
                // The warning line ended before the first prompt; the prompts are one line.
                after: Some(1)
            }
        );
        assert_eq!(d.unprompted, 0);
    }

    #[test]
    fn a_prompt_split_across_chunks_is_answered_once_whole() {
        let lines: [&[u8]; 2] = [b"a\n", b"b\n"];
        let mut d = dialogue(&RESET_PROMPTS, &lines);
        let actions = play(
            &mut d,
            &[
                ("> Enter new  pass", 10),
                ("word : ", 10),
                ("> Confirm  password : ", 10),
            ],
        );
        assert_eq!(actions, ["write a", "write b"]);
    }

    #[test]
    fn both_prompts_in_one_chunk_get_one_line_each_in_order() {
        let lines: [&[u8]; 2] = [b"a\n", b"b\n"];
        let mut d = dialogue(&RESET_PROMPTS, &lines);
        let actions = play(
            &mut d,
            &[("> Enter new  password : > Confirm  password : ", 10)],
        );
        assert_eq!(actions, ["write a", "write b"]);
    }

    #[test]
    fn a_rejected_password_closes_stdin_with_coders_words() {
        let lines: [&[u8]; 2] = [b"weak\n", b"weak\n"];
        let mut d = dialogue(&RESET_PROMPTS, &lines);
        let actions = play(
            &mut d,
            &[
                ("> Enter new  password : ", 10),
                (
                    "insecure password, try using a longer password\n> Enter new  password : ",
                    10,
                ),
            ],
        );
        assert_eq!(actions, ["write weak", "close"]);
        assert_eq!(
            d.progress(),
            Progress::Rejected("insecure password, try using a longer password".into())
        );
    }

    #[test]
    fn an_unknown_prompt_gets_its_line_after_a_quiet_moment() {
        let lines: [&[u8]; 2] = [b"a\n", b"b\n"];
        let mut d = dialogue(&RESET_PROMPTS, &lines);
        let actions = play(
            &mut d,
            &[
                ("Type the new password please: ", 100),
                ("", 4000),
                ("", 1100),
                ("And again: ", 100),
                ("", 5100),
            ],
        );
        assert_eq!(actions, ["write a", "write b"]);
        assert_eq!(d.unprompted, 2);
    }

    #[test]
    fn create_admin_user_prompts() {
        let lines: [&[u8]; 2] = [b"pw\n", b"pw\n"];
        let mut d = dialogue(&[text_of::PASSWORD, text_of::CONFIRM_PASSWORD], &lines);
        let actions = play(&mut d, &[("> Password ", 10), ("> Confirm password ", 10)]);
        assert_eq!(actions, ["write pw", "write pw"]);
        // A mismatch is asked again (create-admin-user re-asks the confirmation).
        let mut d = dialogue(&[text_of::PASSWORD, text_of::CONFIRM_PASSWORD], &lines);
        let actions = play(
            &mut d,
            &[
                ("> Password ", 10),
                ("> Confirm password ", 10),
                ("passwords do not match\n> Confirm password ", 10),
            ],
        );
        assert_eq!(actions, ["write pw", "write pw", "close"]);
        assert_eq!(
            d.progress(),
            Progress::Rejected("passwords do not match".into())
        );
    }

    #[test]
    fn escape_codes_around_a_prompt_do_not_hide_it() {
        let lines: [&[u8]; 2] = [b"a\n", b"b\n"];
        let mut d = dialogue(&RESET_PROMPTS, &lines);
        let actions = play(
            &mut d,
            &[
                ("\x1b[37m> \x1b[94mEnter new \x1b[1m password \x1b[0m: ", 10),
                ("\x1b[37m> \x1b[94mConfirm \x1b[1m password \x1b[0m: ", 10),
            ],
        );
        assert_eq!(actions, ["write a", "write b"]);
    }
}
