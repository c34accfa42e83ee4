//! A pseudo-terminal for the tests of prompts, colour, spinners and Ctrl-C: the program runs
//! as in a terminal (its own session, the pty as controlling terminal), and a dialogue answers
//! what appears on the screen. No Python or `script` needed: openpty(3) through libc.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A run to make: the program, its dialogue and timed keys.
pub struct Pty {
    command: Command,
    /// Each (expected text, keys): wait for the text after the previous one, then type.
    dialogue: Vec<(String, String)>,
    /// Keys to type at a time after the start (e.g. Ctrl-C).
    keys: Vec<(Duration, String)>,
    /// The terminal's width.
    columns: u16,
}

/// What the terminal showed, and how the program ended.
#[derive(Debug)]
pub struct Screen {
    pub text: String,
    pub code: i32,
}

impl Pty {
    pub fn new(program: &str, args: &[&str], home: &Path) -> Pty {
        let mut command = Command::new(program);
        command
            .args(args)
            .env_clear()
            .env("HOME", home)
            .env("PATH", "/usr/bin:/bin")
            .env("TERM", "xterm")
            .current_dir(home);
        Pty {
            command,
            dialogue: Vec::new(),
            keys: Vec::new(),
            columns: 100,
        }
    }

    /// A terminal this many columns wide (100 unless set).
    pub fn columns(mut self, columns: u16) -> Pty {
        self.columns = columns;
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Pty {
        self.command.env(key, value);
        self
    }

    /// When `expect` appears (after the previous expectation), type `send`.
    pub fn answer(mut self, expect: &str, send: &str) -> Pty {
        self.dialogue.push((expect.to_string(), send.to_string()));
        self
    }

    /// Type `keys` this long after the start.
    pub fn key_at(mut self, after: Duration, keys: &str) -> Pty {
        self.keys.push((after, keys.to_string()));
        self
    }

    /// Runs until the program exits (30 s at most) and returns the screen.
    pub fn run(self) -> Screen {
        let Pty {
            mut command,
            dialogue,
            keys,
            columns,
        } = self;
        let (master, slave) = open_pty(columns);
        for stream in 0..3 {
            let fd = slave.try_clone().unwrap();
            let stdio = Stdio::from(fd);
            match stream {
                0 => command.stdin(stdio),
                1 => command.stdout(stdio),
                _ => command.stderr(stdio),
            };
        }
        // SAFETY: setsid and ioctl are async-signal-safe; nothing else runs after fork.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().expect("the program starts");
        // The parent's copies of the terminal's slave end: once they are closed, reading the
        // master fails (EIO) when the program has gone.
        drop(command);
        drop(slave);
        // SAFETY: the fd is ours and open.
        unsafe { libc::fcntl(master.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
        let mut master = std::fs::File::from(master);

        let started = Instant::now();
        let deadline = started + Duration::from_secs(30);
        let mut seen: Vec<u8> = Vec::new();
        let mut position = 0;
        let mut dialogue = dialogue.into_iter().peekable();
        let mut keys = keys.into_iter().peekable();
        let mut chunk = [0u8; 4096];
        let mut open = true;
        while open && Instant::now() < deadline {
            match master.read(&mut chunk) {
                Ok(0) => open = false,
                Ok(n) => seen.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                // EIO: every slave end is closed, the program has gone.
                Err(_) => open = false,
            }
            if let Some((expect, _)) = dialogue.peek()
                && let Some(at) = find(&seen[position..], expect.as_bytes())
            {
                position += at + expect.len();
                let (_, send) = dialogue.next().unwrap();
                master.write_all(send.as_bytes()).unwrap();
            }
            while keys.peek().is_some_and(|(at, _)| started.elapsed() >= *at) {
                let (_, send) = keys.next().unwrap();
                master.write_all(send.as_bytes()).unwrap();
            }
        }
        if open {
            let _ = child.kill();
        }
        let status = child.wait().unwrap();
        Screen {
            text: String::from_utf8_lossy(&seen).into_owned(),
            code: status.code().unwrap_or(-1),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A pty pair, 24 rows by `columns`.
fn open_pty(columns: u16) -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: columns,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two fds into the given ints; name and termios may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both fds were just opened and are owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}
