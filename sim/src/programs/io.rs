//! A program's side of an exec: its arguments and environment, stdin read as lines, output
//! sent as it is written.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::fixtures::pod::{Step, V1OutputFormat};
use crate::state::Shared;

/// How an exec ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Exit(i32),
    /// The program could not start (containerd-like message).
    Internal(String),
    /// The connection went away while the program ran.
    Killed(String),
}

/// What a program runs with: its argv and environment, and what its container holds.
#[derive(Clone)]
pub(crate) struct ProgCtx {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub programs: Vec<String>,
    pub scripts: Vec<(String, Vec<Step>)>,
    pub no_shell: bool,
    pub v1_output: V1OutputFormat,
    pub delay: Duration,
    pub shared: Shared,
    /// The pod (namespace, name), whose files programs read and write.
    pub pod: (String, String),
    /// The container's image, which tells the Coder version a program emulates.
    pub image: String,
}

impl ProgCtx {
    /// The same container, running another argv with another environment (a shell's child).
    pub(crate) fn child(&self, argv: Vec<String>, env: Vec<(String, String)>) -> ProgCtx {
        ProgCtx {
            argv,
            env,
            ..self.clone()
        }
    }

    /// A file of the pod's containers.
    pub(crate) fn read_file(&self, path: &str) -> Option<String> {
        crate::state::lock(&self.shared)
            .pods
            .get(&self.pod)
            .and_then(|p| p.files.get(path).cloned())
    }

    pub(crate) fn write_file(&self, path: &str, content: &str) {
        if let Some(pod) = crate::state::lock(&self.shared).pods.get_mut(&self.pod) {
            pod.files.insert(path.to_string(), content.to_string());
        }
    }

    /// The built-in PostgreSQL the pod's server started: (password, port).
    pub(crate) fn builtin_postgres(&self) -> Option<(String, u16)> {
        crate::state::lock(&self.shared)
            .pods
            .get(&self.pod)
            .and_then(|p| p.builtin_postgres.clone())
    }

    pub(crate) fn env(&self, k: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(ek, _)| ek == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

pub(crate) struct Gone;

/// Bytes of each stream an [`crate::state::ExecRecord`] keeps.
const RECORDED: usize = 16 << 20;

/// What a program wrote, shared with the exec session so that it can be recorded even when
/// the program is stopped before it ends.
#[derive(Default)]
pub(crate) struct Recorded {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// A program's stdin/stdout/stderr.
pub(crate) struct ProcIo {
    stdin: mpsc::UnboundedReceiver<Vec<u8>>,
    pub(crate) buf: Vec<u8>,
    eof: bool,
    out: mpsc::Sender<(u8, Vec<u8>)>,
    record: std::sync::Arc<std::sync::Mutex<Recorded>>,
    /// A shell's `$(...)` in progress: stdout goes here instead (innermost last).
    captures: Vec<Vec<u8>>,
    /// A shell's `>&2` in progress: stdout goes to stderr.
    pub(crate) stdout_to_stderr: usize,
    /// A shell's `>/dev/null` in progress.
    pub(crate) stdout_discarded: usize,
}

pub(crate) enum Line {
    Line(String),
    Eof,
}

impl ProcIo {
    pub(crate) fn new(
        stdin: mpsc::UnboundedReceiver<Vec<u8>>,
        out: mpsc::Sender<(u8, Vec<u8>)>,
        record: std::sync::Arc<std::sync::Mutex<Recorded>>,
    ) -> Self {
        ProcIo {
            stdin,
            buf: Vec::new(),
            eof: false,
            out,
            record,
            captures: Vec::new(),
            stdout_to_stderr: 0,
            stdout_discarded: 0,
        }
    }

    /// Starts capturing stdout (a shell's command substitution).
    pub(crate) fn capture_begin(&mut self) {
        self.captures.push(Vec::new());
    }

    pub(crate) fn capture_end(&mut self) -> Vec<u8> {
        self.captures.pop().unwrap_or_default()
    }
    pub(crate) async fn write(&mut self, ch: u8, data: &[u8]) -> Result<(), Gone> {
        if data.is_empty() {
            return Ok(());
        }
        let ch = if ch == 1 && self.stdout_to_stderr > 0 {
            2
        } else {
            ch
        };
        if ch == 1 {
            if self.stdout_discarded > 0 {
                return Ok(());
            }
            if let Some(capture) = self.captures.last_mut() {
                capture.extend_from_slice(data);
                return Ok(());
            }
        }
        // The record keeps the start of each stream: endless output must not fill the memory.
        {
            let mut recorded = self.record.lock().unwrap_or_else(|e| e.into_inner());
            let record = if ch == 1 {
                &mut recorded.stdout
            } else {
                &mut recorded.stderr
            };
            let room = RECORDED.saturating_sub(record.len());
            record.extend_from_slice(&data[..data.len().min(room)]);
        }
        self.out.send((ch, data.to_vec())).await.map_err(|_| Gone)
    }
    pub(crate) async fn out(&mut self, s: &str) -> Result<(), Gone> {
        self.write(1, s.as_bytes()).await
    }
    pub(crate) async fn err(&mut self, s: &str) -> Result<(), Gone> {
        self.write(2, s.as_bytes()).await
    }
    pub(crate) async fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        match self.stdin.recv().await {
            Some(d) => {
                self.buf.extend_from_slice(&d);
                true
            }
            None => {
                self.eof = true;
                false
            }
        }
    }
    /// A line as Go's `bufio.NewReader(stdin).ReadString('\n')` on a fresh reader gets it: the
    /// first read takes whatever the pipe holds at that moment (every chunk already queued,
    /// up to 4096 bytes), and what follows the line is lost with the reader (Coder before
    /// v2.18, cli/cliui/prompt.go).
    pub(crate) async fn read_line_fresh_bufio(&mut self) -> Line {
        let mut buf = std::mem::take(&mut self.buf);
        loop {
            if let Some(i) = buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = buf[..i].to_vec();
                while line.last().is_some_and(|b| *b == b'\r') {
                    line.pop();
                }
                return Line::Line(String::from_utf8_lossy(&line).into_owned());
            }
            if self.eof {
                return Line::Eof;
            }
            match self.stdin.recv().await {
                Some(chunk) => {
                    buf.extend_from_slice(&chunk);
                    while buf.len() < 4096
                        && let Ok(more) = self.stdin.try_recv()
                    {
                        buf.extend_from_slice(&more);
                    }
                }
                None => {
                    self.eof = true;
                    return Line::Eof;
                }
            }
        }
    }

    /// A line ending in `\n` (without it, `\r` stripped); a last line without `\n` is EOF.
    pub(crate) async fn read_line(&mut self) -> Line {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=i).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Line::Line(String::from_utf8_lossy(&line).into_owned());
            }
            if !self.fill().await {
                return Line::Eof;
            }
        }
    }
}

pub(crate) type R = Result<i32, Gone>;
