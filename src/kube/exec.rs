//! Running an argv in a container over the exec websocket (kube's `ws` feature, v5 with v4
//! fallback): no kubectl. Output of any size is read while the command runs and kept within
//! bounds ([`Transcript`]); stdin is written at once or line by line as the command asks
//! ([`Dialogue`]); and the end is told apart: an exit code, a runtime failure, a lost stream,
//! a timeout, or a signal (Ctrl-C, SIGTERM, SIGHUP).

use std::time::{Duration, Instant};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::AttachParams;
use tokio::io::{AsyncReadExt, AsyncWriteExt, SimplexStream, WriteHalf};
use zeroize::{Zeroize, Zeroizing};

use crate::kube::connection::Connection;
use crate::kube::error::{ApiCall, ApiCallError};
use crate::kube::signals::{Signal, Signals};
use crate::kube::transcript::{KeepLine, Stream, Transcript};

/// One command to run.
pub struct ExecRequest<'a> {
    pub pod: &'a str,
    pub container: &'a str,
    pub argv: &'a [String],
    pub stdin: Stdin<'a>,
    /// For the connection and the command together.
    pub timeout: Option<Duration>,
    /// Lines the reader of the output must see even from the dropped middle of a long one.
    pub keep_lines: Option<KeepLine>,
}

/// What the command gets on stdin.
pub enum Stdin<'a> {
    /// No stdin at all.
    None,
    /// These bytes at once. Stdin then stays open: with the v4 protocol an end of input can
    /// only be sent by closing the whole connection.
    Bytes(&'a [u8]),
    /// Lines written as the command asks for them.
    Dialogue(&'a mut dyn Dialogue),
}

/// Answers a command's prompts: told what arrived so far, says what to write next.
pub trait Dialogue {
    /// Called after each chunk of output and about ten times a second.
    fn next(&mut self, received: &Transcript, elapsed: Duration) -> Reply<'_>;
}

/// What a [`Dialogue`] wants done.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply<'a> {
    Wait,
    Write(&'a [u8]),
    /// End of input (v5); with v4 this closes the connection.
    Close,
}

/// How the remote command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The process exited with this code (0 is success).
    Exited(i32),
    /// The runtime reported a failure (e.g. executable not found): the Status reason and
    /// message. Output may have arrived before it.
    Failed {
        reason: String,
        message: String,
    },
    /// The connection ended before any exit status: the command may or may not have finished.
    StreamLost(String),
    TimedOut(Duration),
    /// We were told to stop (Ctrl-C, SIGTERM, SIGHUP).
    Signalled(Signal),
}

impl End {
    /// Whether the command reported how it ended (so its last line is whole).
    pub fn finished(&self) -> bool {
        matches!(self, End::Exited(_) | End::Failed { .. })
    }
}

/// What came back.
#[derive(Debug)]
pub struct ExecOutput {
    pub transcript: Transcript,
    pub end: End,
}

/// The exec could not start (nothing ran remotely).
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error(transparent)]
    Api(#[from] ApiCallError),
    #[error("the exec connection was not established within {0:?}")]
    TimedOut(Duration),
    #[error("{0} before the command started")]
    Signalled(Signal),
}

/// Reads the channel-3 Status the API server sends when the command ends.
pub fn end_from_status(status: &Status) -> End {
    if status.status.as_deref() == Some("Success") {
        return End::Exited(0);
    }
    let reason = status.reason.clone().unwrap_or_default();
    if reason == "NonZeroExitCode" {
        let code = status
            .details
            .as_ref()
            .and_then(|d| d.causes.as_ref())
            .into_iter()
            .flatten()
            .find(|c| c.reason.as_deref() == Some("ExitCode"))
            .and_then(|c| c.message.as_deref())
            .and_then(|m| m.trim().parse().ok());
        if let Some(code) = code {
            return End::Exited(code);
        }
    }
    End::Failed {
        reason,
        message: status.message.clone().unwrap_or_default(),
    }
}

const READ_CHUNK: usize = 32 * 1024;
/// kube's default 1 KiB pipes make large outputs crawl.
const PIPE_SIZE: usize = 64 * 1024;

/// Runs the command and collects what it says. `on_tick` is called about ten times a second
/// while waiting, with the time elapsed (for a spinner). `signals` were registered by the
/// caller, so that one arriving at any point of the remote phase is seen.
pub async fn run(
    conn: &Connection,
    request: ExecRequest<'_>,
    signals: &mut Signals,
    on_tick: &mut dyn FnMut(Duration),
) -> Result<ExecOutput, ExecError> {
    let started = Instant::now();
    let deadline = request
        .timeout
        .map(|t| tokio::time::Instant::from_std(started + t));
    let has_stdin = !matches!(request.stdin, Stdin::None);
    let params = AttachParams::default()
        .container(request.container)
        .stdin(has_stdin)
        .stdout(true)
        .stderr(true)
        .max_stdin_buf_size(PIPE_SIZE)
        .max_stdout_buf_size(PIPE_SIZE)
        .max_stderr_buf_size(PIPE_SIZE);

    let pods = conn.pods();
    let connect = pods.exec(request.pod, request.argv.to_vec(), &params);
    let mut process = tokio::select! {
        result = connect => result.map_err(|e| {
            let call = ApiCall::Exec {
                namespace: conn.namespace.clone(),
                pod: request.pod.to_string(),
            };
            conn.api_error(call, e)
        })?,
        _ = sleep_until(deadline) => return Err(ExecError::TimedOut(request.timeout.unwrap_or_default())),
        signal = signals.recv() => return Err(ExecError::Signalled(signal)),
    };

    let mut status_future = Box::pin(process.take_status().expect("status is taken once"));
    let mut stdout_reader = process.stdout().expect("stdout was requested");
    let mut stderr_reader = process.stderr().expect("stderr was requested");
    // Stdin is written from the loop below, a piece at a time, so that output keeps being
    // read while a large input is on its way (both directions share bounded pipes).
    let mut stdin = StdinState {
        writer: process.stdin(),
        pending: Zeroizing::new(Vec::new()),
        close_when_written: false,
    };
    let mut dialogue = match request.stdin {
        Stdin::None => None,
        Stdin::Bytes(bytes) => {
            stdin.pending.extend_from_slice(bytes);
            None
        }
        Stdin::Dialogue(dialogue) => Some(dialogue),
    };

    let mut transcript = match request.keep_lines {
        Some(keep) => Transcript::keeping(keep),
        None => Transcript::new(),
    };
    let mut out_chunk = vec![0u8; READ_CHUNK];
    let mut err_chunk = vec![0u8; READ_CHUNK];
    let (mut stdout_open, mut stderr_open) = (true, true);
    let mut status: Option<Option<Status>> = None;
    // When the stream breaks, kube's message loop drops its pipe writers without shutting them
    // down, so the readers never see EOF; the status future does resolve (to None). Then we
    // drain what is already buffered for a moment and stop.
    let mut drain_until: Option<tokio::time::Instant> = None;
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    let end = loop {
        if !stdout_open && !stderr_open && status.is_some() {
            break match status.take().flatten() {
                Some(s) => end_from_status(&s),
                None => End::StreamLost(match process.join().await {
                    Err(e) => e.to_string(),
                    Ok(()) => "the connection closed without an exit status".to_string(),
                }),
            };
        }
        tokio::select! {
            read = stdout_reader.read(&mut out_chunk), if stdout_open => match read {
                Ok(0) | Err(_) => stdout_open = false,
                Ok(n) => transcript.push(Stream::Stdout, &out_chunk[..n]),
            },
            read = stderr_reader.read(&mut err_chunk), if stderr_open => match read {
                Ok(0) | Err(_) => stderr_open = false,
                Ok(n) => transcript.push(Stream::Stderr, &err_chunk[..n]),
            },
            s = &mut status_future, if status.is_none() => {
                if s.is_none() {
                    drain_until = Some(tokio::time::Instant::now() + Duration::from_millis(100));
                }
                status = Some(s);
            },
            _ = sleep_until(drain_until), if drain_until.is_some() => {
                stdout_open = false;
                stderr_open = false;
            },
            written = stdin.write_some(), if stdin.has_pending() => stdin.advance(written).await,
            _ = sleep_until(deadline) => break End::TimedOut(request.timeout.unwrap_or_default()),
            signal = signals.recv() => break End::Signalled(signal),
            _ = ticker.tick() => on_tick(started.elapsed()),
        }
        // Answer prompts after each chunk and each tick, while stdin is open and idle.
        if let Some(d) = dialogue.as_mut()
            && stdin.is_idle()
            && status.is_none()
        {
            match d.next(&transcript, started.elapsed()) {
                Reply::Wait => {}
                Reply::Write(bytes) => stdin.pending.extend_from_slice(bytes),
                Reply::Close => stdin.close().await,
            }
        }
    };
    // Kept open until the command ended: dropping it would have sent end-of-input.
    drop(stdin);
    transcript.finish();
    Ok(ExecOutput { transcript, end })
}

/// The command's stdin: what is still to be written, and whether to close it after.
struct StdinState {
    writer: Option<WriteHalf<SimplexStream>>,
    /// Zeroed when dropped: it may hold a password.
    pending: Zeroizing<Vec<u8>>,
    close_when_written: bool,
}

impl StdinState {
    fn has_pending(&self) -> bool {
        self.writer.is_some() && !self.pending.is_empty()
    }

    /// Open, with nothing left to write.
    fn is_idle(&self) -> bool {
        self.writer.is_some() && self.pending.is_empty() && !self.close_when_written
    }

    /// Writes some of what is pending (never resolves when nothing is).
    async fn write_some(&mut self) -> std::io::Result<usize> {
        match self.writer.as_mut() {
            Some(writer) if !self.pending.is_empty() => writer.write(&self.pending).await,
            _ => std::future::pending().await,
        }
    }

    async fn advance(&mut self, written: std::io::Result<usize>) {
        match written {
            Ok(n) if n > 0 => {
                // Shifting in place: no copy of the bytes is left behind.
                self.pending.drain(..n);
                if self.pending.is_empty() && self.close_when_written {
                    self.close().await;
                }
            }
            // The command no longer reads: stop writing.
            _ => {
                self.writer = None;
                self.pending.zeroize();
                self.pending.clear();
            }
        }
    }

    /// End of input: after what is pending.
    async fn close(&mut self) {
        if !self.pending.is_empty() {
            self.close_when_written = true;
            return;
        }
        if let Some(mut writer) = self.writer.take() {
            let _ = writer.shutdown().await;
        }
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(json: &str) -> Status {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn status_table() {
        let table = [
            (r#"{"metadata":{},"status":"Success"}"#, End::Exited(0)),
            (
                r#"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: command terminated with exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#,
                End::Exited(3),
            ),
            (
                r#"{"metadata":{},"status":"Failure","message":"exec: \"coderd\": executable file not found in $PATH","reason":"InternalError","code":500}"#,
                End::Failed {
                    reason: "InternalError".into(),
                    message: "exec: \"coderd\": executable file not found in $PATH".into(),
                },
            ),
            (
                r#"{"metadata":{},"status":"Failure","message":"odd","reason":"NonZeroExitCode","details":{"causes":[]}}"#,
                End::Failed {
                    reason: "NonZeroExitCode".into(),
                    message: "odd".into(),
                },
            ),
        ];
        for (json, want) in table {
            assert_eq!(end_from_status(&status(json)), want, "{json}");
        }
    }
}
