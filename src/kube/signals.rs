//! The signals that end a wait for the remote command: Ctrl-C (SIGINT), SIGTERM (what
//! `timeout`, CI cancellation and `kill` send) and SIGHUP (the terminal closed). Registered
//! only for the remote phase: before it, they end the process as usual, which is right while
//! nothing has changed. On Windows the console's events stand for them: Ctrl-C and Ctrl-Break
//! interrupt, closing the console window hangs up.

use std::fmt;

/// A request to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
    HangUp,
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signal::Interrupt if cfg!(windows) => "interrupted (Ctrl-C or Ctrl-Break)",
            Signal::Interrupt => "interrupted (Ctrl-C)",
            Signal::Terminate => "terminated (SIGTERM)",
            Signal::HangUp if cfg!(windows) => "hung up (console closed)",
            Signal::HangUp => "hung up (SIGHUP)",
        })
    }
}

/// Listeners for the three signals.
pub struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hang_up: tokio::signal::unix::Signal,
    #[cfg(windows)]
    interrupt: tokio::signal::windows::CtrlC,
    #[cfg(windows)]
    brk: tokio::signal::windows::CtrlBreak,
    #[cfg(windows)]
    close: tokio::signal::windows::CtrlClose,
}

impl Signals {
    /// Starts listening. From now on these signals no longer end the process by themselves.
    pub fn listen() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
                hang_up: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(windows)]
        {
            use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close};
            Ok(Signals {
                interrupt: ctrl_c()?,
                brk: ctrl_break()?,
                close: ctrl_close()?,
            })
        }
    }

    /// The next signal.
    pub async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            // Streams held for the whole phase: a signal between two polls is not lost.
            tokio::select! {
                _ = self.interrupt.recv() => Signal::Interrupt,
                _ = self.terminate.recv() => Signal::Terminate,
                _ = self.hang_up.recv() => Signal::HangUp,
            }
        }
        #[cfg(windows)]
        {
            // Windows ends the process a few seconds after a close event: enough to stop the
            // remote command and say so.
            tokio::select! {
                _ = self.interrupt.recv() => Signal::Interrupt,
                _ = self.brk.recv() => Signal::Interrupt,
                _ = self.close.recv() => Signal::HangUp,
            }
        }
    }
}
