//! The signals that end a wait for the remote command: Ctrl-C (SIGINT), SIGTERM (what
//! `timeout`, CI cancellation and `kill` send) and SIGHUP (the terminal closed). Registered
//! only for the remote phase: before it, they end the process as usual, which is right while
//! nothing has changed.

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
            Signal::Interrupt => "interrupted (Ctrl-C)",
            Signal::Terminate => "terminated (SIGTERM)",
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
            Ok(Signals {
                interrupt: tokio::signal::windows::ctrl_c()?,
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
            self.interrupt.recv().await;
            Signal::Interrupt
        }
    }
}
