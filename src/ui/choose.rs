//! A choice among Coder deployments on the terminal, when the namespace asked for has none to
//! use (or two releases, or v1 beside v2): dialoguer's `FuzzySelect` on stderr (type to
//! filter, arrows, Enter; Esc or Ctrl-C cancels). Callers offer it only when
//! [`crate::ui::terminal::Terminal::can_prompt`] says so and `--yes` was not given: without a
//! terminal nothing is ever chosen for the user. Which deployments, in which order and with
//! which labels is decided in [`crate::coder::inventory::offer`] (pure).

use dialoguer::FuzzySelect;
use dialoguer::theme::SimpleTheme;

use crate::exit_codes::ExitCode;
use crate::text;
use crate::ui::problem::Problem;

/// The index into `labels` chosen, or `None` when the user pressed Esc. Ctrl-C ends the
/// process (exit 130, see [`CatchInterrupt`]); a read interrupted otherwise is the same error.
/// Either way the terminal is left as it was: dialoguer's key reads restore its mode after
/// each key, and the cursor it hides is shown again.
pub fn choose(prompt: &str, labels: &[String]) -> anyhow::Result<Option<usize>> {
    let term = console::Term::stderr();
    let chosen = {
        // Ctrl-C (console's own SIGINT, or the terminal's) ends the process here, restored.
        let _interrupt = CatchInterrupt::install();
        FuzzySelect::with_theme(&SimpleTheme)
            .with_prompt(text::sanitize_line(prompt))
            .items(labels)
            .default(0)
            .interact_on_opt(&term)
    };
    let _ = term.show_cursor();
    match chosen {
        Ok(chosen) => Ok(chosen),
        Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
            let _ = term.write_line("");
            Err(Problem::new(
                ExitCode::Interrupted,
                "interrupted at the choice of a Coder deployment: nothing was changed",
                None,
            )
            .into())
        }
        Err(dialoguer::Error::IO(e)) => Err(e.into()),
    }
}

/// While this lives, SIGINT ends the process at once with exit 130, the terminal as it was
/// and the cursor shown: console raises SIGINT itself when it reads Ctrl-C in raw mode, and
/// between two key reads the terminal is back in its usual mode, where Ctrl-C is a SIGINT
/// from the terminal driver. Either would otherwise end the process with the cursor hidden
/// (or, caught and ignored, leave the choice waiting). Nothing has been changed yet, so
/// ending at once is right; only async-signal-safe calls run in the handler.
#[cfg(unix)]
struct CatchInterrupt {
    previous: libc::sigaction,
}

/// The terminal's mode before the choice, for the handler to put back.
#[cfg(unix)]
static TERMINAL_MODE: std::sync::OnceLock<Option<libc::termios>> = std::sync::OnceLock::new();

#[cfg(unix)]
extern "C" fn interrupted(_: libc::c_int) {
    const MESSAGE: &[u8] =
        b"\x1b[?25h\nerror: interrupted at the choice of a Coder deployment: nothing was changed\n";
    // SAFETY: tcsetattr, write and _exit are async-signal-safe; the saved mode was written
    // before the handler was installed.
    unsafe {
        if let Some(Some(mode)) = TERMINAL_MODE.get() {
            libc::tcsetattr(0, libc::TCSANOW, mode);
        }
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(ExitCode::Interrupted.code().into());
    }
}

#[cfg(unix)]
impl CatchInterrupt {
    fn install() -> CatchInterrupt {
        TERMINAL_MODE.get_or_init(|| {
            // SAFETY: tcgetattr fills the zeroed struct; on failure it is not used.
            unsafe {
                let mut mode: libc::termios = std::mem::zeroed();
                (libc::tcgetattr(0, &mut mode) == 0).then_some(mode)
            }
        });
        // SAFETY: sigaction with a zeroed, then filled struct; the handler is
        // async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = interrupted as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGINT, &action, &mut previous);
            CatchInterrupt { previous }
        }
    }
}

#[cfg(unix)]
impl Drop for CatchInterrupt {
    fn drop(&mut self) {
        // SAFETY: puts back the disposition saved by `install`.
        unsafe {
            libc::sigaction(libc::SIGINT, &self.previous, std::ptr::null_mut());
        }
    }
}

/// On Windows console reports Ctrl-C as a key without raising anything.
#[cfg(not(unix))]
struct CatchInterrupt;

#[cfg(not(unix))]
impl CatchInterrupt {
    fn install() -> CatchInterrupt {
        CatchInterrupt
    }
}
