//! Whether stdout was closed when the process started (`kubectl coder ... >&-`).
//!
//! Rust's std reopens a closed fd 0, 1 or 2 on /dev/null before `main` (library/std
//! `sys/pal/unix/mod.rs`, `sanitize_standard_fds`), so by then a closed stdout looks like a
//! deliberate `>/dev/null` and credentials written there would be lost without a word. A
//! constructor in `.init_array` (`__mod_init_func` on macOS) runs before std's runtime
//! start-up and records what fd 1 was. A user's own `>/dev/null` is an open fd: it is
//! honoured as asked.

use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Whether fd 1 was closed before std's start-up reopened it.
pub fn stdout_closed_at_start() -> bool {
    STDOUT_CLOSED_AT_START.load(Ordering::Relaxed)
}

#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
extern "C" fn record_closed_stdout() {
    // SAFETY: F_GETFD only asks about the descriptor; EBADF means it is not open.
    let closed = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) } == -1
        && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
    STDOUT_CLOSED_AT_START.store(closed, Ordering::Relaxed);
}

/// Run by the loader before `main` and before std's runtime start-up (the `ctor` crate's
/// sections). `#[used]` keeps it in the final binary even though nothing names it.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[used]
#[unsafe(link_section = ".init_array")]
static RECORD_CLOSED_STDOUT: extern "C" fn() = record_closed_stdout;

#[cfg(target_os = "macos")]
#[used]
#[unsafe(link_section = "__DATA,__mod_init_func")]
static RECORD_CLOSED_STDOUT: extern "C" fn() = record_closed_stdout;
