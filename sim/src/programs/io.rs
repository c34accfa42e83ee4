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

pub(crate) struct ProgCtx {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub programs: Vec<String>,
    pub scripts: Vec<(String, Vec<Step>)>,
    pub v1_output: V1OutputFormat,
    pub delay: Duration,
    pub shared: Shared,
}

impl ProgCtx {
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
        }
    }
    pub(crate) async fn write(&mut self, ch: u8, data: &[u8]) -> Result<(), Gone> {
        if data.is_empty() {
            return Ok(());
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
