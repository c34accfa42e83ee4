//! Questions on the terminal: the question on stderr, the answer from stdin, a terminal.
//! Answers are read as whole lines (so `yes` is one answer, never `y` with `es` left over for
//! the shell), with line editing on visible ones ([`crate::ui::line_edit`]). Every prompt ends
//! the same way: Ctrl-C cancels (exit 130), Ctrl-D declines (exit 7), an empty answer is asked
//! again with what is required; nothing is changed by any of them. The terminal is never left changed:
//! hidden input turns echo off only while it reads, and restores the terminal on every way out,
//! Ctrl-C and SIGTERM/SIGHUP included. Callers ask only when
//! [`crate::ui::terminal::Terminal::can_prompt`] (or, for a hidden answer, stdin) says so.

use std::io::Write;

use zeroize::Zeroizing;

use crate::coder::names::{Email, Username};
use crate::coder::password::Secret;
use crate::exit_codes::ExitCode;
use crate::text;
use crate::ui::problem::Problem;

/// The user ended the prompt with Ctrl-C.
fn interrupted() -> anyhow::Error {
    Problem::new(
        ExitCode::Interrupted,
        "cancelled, nothing was changed",
        None,
    )
    .into()
}

/// End of input (Ctrl-D) where an answer was needed: the same as declining.
fn no_answer(what: &str) -> anyhow::Error {
    Problem::new(
        ExitCode::Declined,
        format!("no {what} given (Ctrl-D), nothing was changed"),
        None,
    )
    .into()
}

/// A visible answer, typed with line editing.
enum Visible {
    Line(String),
    /// Unix only: on Windows Ctrl-C stays the console's, which ends the process.
    #[cfg_attr(not(unix), allow(dead_code))]
    Interrupted,
    End,
}

/// One visible line after `prompt`, edited on the terminal (Unix).
#[cfg(unix)]
fn read_visible(prompt: &str) -> std::io::Result<Visible> {
    use crate::ui::line_edit::{Decoder, Event, Line};
    // As for hidden input: the terminal changes before the prompt shows.
    let _raw = raw::Mode::enter()?;
    ask(prompt)?;
    let prompt_line = prompt.rsplit('\n').next().unwrap_or(prompt);
    let (mut decoder, mut line) = (Decoder::default(), Line::default());
    let mut byte = [0u8; 1];
    let ended = loop {
        // SAFETY: reading one byte into a one-byte buffer from stdin.
        let n = unsafe { libc::read(0, byte.as_mut_ptr().cast(), 1) };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        if n == 0 {
            break Visible::End;
        }
        let Some(key) = decoder.push(byte[0]) else {
            continue;
        };
        match line.apply(key) {
            Event::Edited => ask(&line.redraw(prompt_line))?,
            Event::Nothing => {}
            Event::Done(text) => break Visible::Line(text),
            Event::Interrupted => break Visible::Interrupted,
            Event::EndOfInput => break Visible::End,
        }
    };
    // Enter, Ctrl-C and Ctrl-D were not echoed: the next output starts on its own line.
    eprintln!();
    Ok(ended)
}

/// Elsewhere the console's own line editing, in its cooked mode.
#[cfg(not(unix))]
fn read_visible(prompt: &str) -> std::io::Result<Visible> {
    ask(prompt)?;
    Ok(match read_line()? {
        Some(line) => Visible::Line(line),
        None => {
            eprintln!();
            Visible::End
        }
    })
}

fn ask(prompt: &str) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    write!(err, "{prompt}")?;
    err.flush()
}

/// One line from stdin, without its line break; `None` at end of input.
#[cfg(not(unix))]
fn read_line() -> std::io::Result<Option<String>> {
    use std::io::BufRead;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let trimmed = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(trimmed);
    Ok(Some(line))
}

/// A question to confirm: short, with what identifies the change on the lines below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub question: String,
    pub details: Vec<String>,
}

impl Confirmation {
    /// The question, each detail indented below it (wrapped to `width`, never mid-word),
    /// and `[y/N]` last, where the answer is typed.
    pub fn render(&self, width: Option<usize>) -> String {
        let mut text = crate::ui::wrap::wrap(&text::sanitize_line(&self.question), width, "  ");
        text.push('\n');
        for detail in &self.details {
            let line = format!("  {}", text::sanitize_line(detail));
            text.push_str(&crate::ui::wrap::wrap(&line, width, "  "));
            text.push('\n');
        }
        text.push_str("[y/N] ");
        text
    }
}

/// Yes or no; "no" unless the answer is `y` or `yes` (any case). Ctrl-D declines.
pub fn confirm(confirmation: &Confirmation, width: Option<usize>) -> anyhow::Result<bool> {
    match read_visible(&confirmation.render(width))? {
        Visible::Line(answer) => Ok(decide(&answer)),
        Visible::End => Ok(false),
        Visible::Interrupted => Err(interrupted()),
    }
}

/// Whether an answer to [`confirm`] is yes.
fn decide(answer: &str) -> bool {
    let answer = answer.trim();
    answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes")
}

/// A value asked until `parse` accepts it; its error is shown before asking again.
fn ask_until<T, E: std::fmt::Display>(
    prompt: &str,
    what: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> anyhow::Result<T> {
    loop {
        let answer = match read_visible(&format!("{prompt}: "))? {
            Visible::Line(answer) => answer,
            Visible::End => return Err(no_answer(what)),
            Visible::Interrupted => return Err(interrupted()),
        };
        if answer.trim().is_empty() {
            eprintln!("The {what} is required (Ctrl-C to cancel).");
            continue;
        }
        match parse(answer.trim()) {
            Ok(value) => return Ok(value),
            Err(e) => eprintln!("{}", text::sanitize(&e.to_string())),
        }
    }
}

/// A Coder username, asked until it is valid.
pub fn username(prompt: &str) -> anyhow::Result<Username> {
    ask_until(prompt, "username", Username::parse)
}

/// An email address, asked until it is plausible.
pub fn email(prompt: &str) -> anyhow::Result<Email> {
    ask_until(prompt, "email", Email::parse)
}

/// A new password typed twice, hidden; asked again (up to three times) when the two differ
/// or `check` refuses it, with the reason.
pub fn new_password(check: impl Fn(&str) -> Result<(), String>) -> anyhow::Result<Secret> {
    for _ in 0..3 {
        let first = hidden("New password: ")?;
        if let Err(why) = check(first.expose()) {
            eprintln!("{why}");
            continue;
        }
        let second = hidden("Confirm password: ")?;
        if first.expose() == second.expose() {
            return Ok(first);
        }
        eprintln!("The passwords do not match, try again.");
    }
    Err(Problem::new(
        ExitCode::Usage,
        "no acceptable password after three tries: nothing was changed",
        None,
    )
    .into())
}

/// One line typed with echo off.
pub fn hidden(prompt: &str) -> anyhow::Result<Secret> {
    let typed = read_hidden(prompt);
    // The Enter the user typed was not echoed.
    eprintln!();
    match typed? {
        Typed::Line(bytes) => Ok(Secret::from(
            String::from_utf8(bytes.to_vec())
                .map_err(|_| anyhow::anyhow!("the password typed is not valid UTF-8"))?,
        )),
        Typed::Interrupted => Err(interrupted()),
        Typed::End => Err(no_answer("password")),
    }
}

enum Typed {
    Line(Zeroizing<Vec<u8>>),
    Interrupted,
    End,
}

/// Longest hidden line kept.
#[cfg(unix)]
const MAX_HIDDEN: usize = 1024;

#[cfg(unix)]
fn read_hidden(prompt: &str) -> std::io::Result<Typed> {
    // Echo goes off before the prompt shows: switching it off flushes pending input, which
    // must not take an answer typed as soon as the prompt appeared.
    let _raw = raw::Mode::enter()?;
    ask(prompt)?;
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_HIDDEN));
    let mut byte = [0u8; 1];
    loop {
        // SAFETY: reading one byte into a one-byte buffer from stdin.
        let n = unsafe { libc::read(0, byte.as_mut_ptr().cast(), 1) };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        match (n, byte[0]) {
            (0, _) => return Ok(Typed::End),
            (_, b'\r' | b'\n') => return Ok(Typed::Line(line)),
            // Ctrl-C: the terminal sends it as a byte while signals are off.
            (_, 0x03) => return Ok(Typed::Interrupted),
            // Ctrl-D on an empty line ends input.
            (_, 0x04) if line.is_empty() => return Ok(Typed::End),
            // Backspace and DEL remove the last character, Ctrl-U the whole line.
            (_, 0x7f | 0x08) => {
                while let Some(last) = line.pop() {
                    if last & 0xc0 != 0x80 {
                        break;
                    }
                }
            }
            (_, 0x15) => line.clear(),
            (_, b) if b < 0x20 => {}
            (_, b) if line.len() < MAX_HIDDEN => line.push(b),
            _ => {}
        }
        byte[0] = 0;
    }
}

/// Windows: console reads key events one by one (ReadConsoleInputW), which the console never
/// echoes, so its mode is not changed and there is nothing to restore on any exit; Ctrl-C stays
/// the console's, ending the process as before the remote phase on Unix.
#[cfg(not(unix))]
fn read_hidden(prompt: &str) -> std::io::Result<Typed> {
    ask(prompt)?;
    match console::Term::stderr().read_secure_line() {
        Ok(line) => Ok(Typed::Line(Zeroizing::new(line.into_bytes()))),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(Typed::Interrupted),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(Typed::End),
        Err(e) => Err(e),
    }
}

/// The terminal without echo, line editing or keyboard signals, while a secret is typed.
#[cfg(unix)]
mod raw {
    use std::sync::atomic::{AtomicPtr, Ordering};

    /// The settings to restore, for the signal handler.
    static SAVED: AtomicPtr<libc::termios> = AtomicPtr::new(std::ptr::null_mut());

    /// Signals that end the process while the terminal is changed: restore it first.
    const FATAL: [libc::c_int; 3] = [libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

    pub struct Mode {
        saved: libc::termios,
    }

    impl Mode {
        pub fn enter() -> std::io::Result<Mode> {
            // SAFETY: tcgetattr fills the struct for fd 0; zeroed is a valid termios.
            let mut saved: libc::termios = unsafe { std::mem::zeroed() };
            if unsafe { libc::tcgetattr(0, &mut saved) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            SAVED.store(Box::into_raw(Box::new(saved)), Ordering::SeqCst);
            for signal in FATAL {
                // SAFETY: installing a handler that only calls async-signal-safe functions.
                unsafe {
                    libc::signal(
                        signal,
                        restore_and_die as extern "C" fn(libc::c_int) as libc::sighandler_t,
                    )
                };
            }
            let mut raw = saved;
            raw.c_lflag &= !(libc::ECHO | libc::ICANON | libc::ISIG | libc::IEXTEN);
            raw.c_cc[libc::VMIN] = 1;
            raw.c_cc[libc::VTIME] = 0;
            // SAFETY: setting attributes of fd 0 from a valid termios.
            if unsafe { libc::tcsetattr(0, libc::TCSAFLUSH, &raw) } != 0 {
                let err = std::io::Error::last_os_error();
                Mode { saved }.restore();
                return Err(err);
            }
            Ok(Mode { saved })
        }

        fn restore(&self) {
            // SAFETY: restoring the settings read in `enter`.
            unsafe { libc::tcsetattr(0, libc::TCSAFLUSH, &self.saved) };
            for signal in FATAL {
                // SAFETY: back to the default action.
                unsafe { libc::signal(signal, libc::SIG_DFL) };
            }
            let old = SAVED.swap(std::ptr::null_mut(), Ordering::SeqCst);
            if !old.is_null() {
                // SAFETY: the pointer came from Box::into_raw in `enter`.
                drop(unsafe { Box::from_raw(old) });
            }
        }
    }

    impl Drop for Mode {
        fn drop(&mut self) {
            self.restore();
        }
    }

    /// Restores the terminal, then dies of the signal as if no handler had been there.
    extern "C" fn restore_and_die(signal: libc::c_int) {
        let saved = SAVED.load(Ordering::SeqCst);
        // SAFETY: tcsetattr, signal and raise are async-signal-safe; `saved` points to the
        // settings stored before the mode changed (never freed while it is set).
        unsafe {
            if !saved.is_null() {
                libc::tcsetattr(0, libc::TCSAFLUSH, saved);
            }
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmations_are_a_short_question_details_below_and_the_answer_last() {
        let c = Confirmation {
            question: "Reset the password of alice on Coder v2?".into(),
            details: vec![
                "pod coder/coder-5d8f7b9c4-abcde, context kubesim".into(),
                "Coder asks them for a new one at the next login.".into(),
            ],
        };
        assert_eq!(
            c.render(None),
            "Reset the password of alice on Coder v2?\n  pod coder/coder-5d8f7b9c4-abcde, context kubesim\n  Coder asks them for a new one at the next login.\n[y/N] "
        );
        assert_eq!(
            c.render(Some(30)),
            "Reset the password of alice on\n  Coder v2?\n  pod\n    coder/coder-5d8f7b9c4-abcde,\n    context kubesim\n  Coder asks them for a new\n    one at the next login.\n[y/N] "
        );
        // Names from the cluster cannot add lines of their own.
        let c = Confirmation {
            question: "Reset?".into(),
            details: vec!["pod a\nb".into()],
        };
        assert_eq!(c.render(None), "Reset?\n  pod a^Jb\n[y/N] ");
    }

    #[test]
    fn only_y_and_yes_confirm() {
        for (answer, want) in [
            ("y", true),
            ("Y", true),
            ("yes", true),
            (" YES ", true),
            ("", false),
            ("n", false),
            ("no", false),
            ("yess", false),
            ("ye", false),
            ("yes please", false),
        ] {
            assert_eq!(decide(answer), want, "{answer:?}");
        }
    }
}
