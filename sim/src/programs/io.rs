//! A program's side of an exec: its arguments and environment, stdin read as lines, output
//! sent as it is written.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::fixtures::pod::V1OutputFormat;
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

/// A program's stdin/stdout/stderr.
pub(crate) struct ProcIo {
    stdin: mpsc::UnboundedReceiver<Vec<u8>>,
    pub(crate) buf: Vec<u8>,
    eof: bool,
    out: mpsc::Sender<(u8, Vec<u8>)>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

pub(crate) enum Line {
    Line(String),
    Eof,
}

impl ProcIo {
    pub(crate) fn new(
        stdin: mpsc::UnboundedReceiver<Vec<u8>>,
        out: mpsc::Sender<(u8, Vec<u8>)>,
    ) -> Self {
        ProcIo {
            stdin,
            buf: Vec::new(),
            eof: false,
            out,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }
    pub(crate) async fn write(&mut self, ch: u8, data: &[u8]) -> Result<(), Gone> {
        if data.is_empty() {
            return Ok(());
        }
        if ch == 1 {
            self.stdout.extend_from_slice(data);
        } else {
            self.stderr.extend_from_slice(data);
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
