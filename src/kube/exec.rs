//! Running an argv in a container over the exec websocket (kube's `ws` feature, v5 with v4
//! fallback): no shell, no kubectl. Output of any size is read while the command runs, and the
//! end is told apart: an exit code, a runtime failure, a lost stream, a timeout or Ctrl-C.

use std::time::{Duration, Instant};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::AttachParams;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::kube::connection::Connection;
use crate::kube::error::{ApiCall, ApiCallError};

/// One command to run.
pub struct ExecRequest<'a> {
    pub pod: &'a str,
    pub container: &'a str,
    pub argv: &'a [String],
    /// Bytes for the command's stdin; `None` opens no stdin at all.
    pub stdin: Option<&'a [u8]>,
    /// Signal end-of-input after `stdin`. Coder's prompts read lines and need no EOF, and with
    /// the v4 protocol an EOF can only be sent by closing the whole connection, so keep it open.
    pub close_stdin: bool,
    /// For the connection and the command together.
    pub timeout: Option<Duration>,
}

/// How the remote command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The process exited with this code (0 is success).
    Exited(i32),
    /// The runtime could not run it (e.g. executable not found): the Status reason and message.
    Failed {
        reason: String,
        message: String,
    },
    /// The connection ended before any exit status: the command may or may not have finished.
    StreamLost(String),
    TimedOut(Duration),
    Interrupted,
}

/// What came back, including partial output when the end was not an exit.
#[derive(Debug)]
pub struct ExecOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub end: End,
}

/// The output of a reset holds a password: zero it when done.
impl Drop for ExecOutput {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.stdout.zeroize();
        self.stderr.zeroize();
    }
}

/// The exec could not start (nothing ran remotely).
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error(transparent)]
    Api(#[from] ApiCallError),
    #[error("the exec connection was not established within {0:?}")]
    TimedOut(Duration),
    #[error("interrupted before the command started")]
    Interrupted,
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

/// Runs the command and collects everything it says. `on_tick` is called about ten times a
/// second while waiting, with the time elapsed (for a spinner).
pub async fn run(
    conn: &Connection,
    request: &ExecRequest<'_>,
    on_tick: &mut dyn FnMut(Duration),
) -> Result<ExecOutput, ExecError> {
    let started = Instant::now();
    let deadline = request
        .timeout
        .map(|t| tokio::time::Instant::from_std(started + t));
    let params = AttachParams::default()
        .container(request.container)
        .stdin(request.stdin.is_some())
        .stdout(true)
        .stderr(true)
        .max_stdin_buf_size(PIPE_SIZE)
        .max_stdout_buf_size(PIPE_SIZE)
        .max_stderr_buf_size(PIPE_SIZE);

    // One listener for the whole run, so a Ctrl-C between two polls is not missed.
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
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
        _ = &mut ctrl_c => return Err(ExecError::Interrupted),
    };

    let mut status_future = Box::pin(process.take_status().expect("status is taken once"));
    let mut stdout_reader = process.stdout().expect("stdout was requested");
    let mut stderr_reader = process.stderr().expect("stderr was requested");
    let stdin_writer = process.stdin();
    let (stdin_bytes, close_stdin) = (request.stdin.unwrap_or_default(), request.close_stdin);
    let mut stdin_future = Box::pin(async move {
        let mut writer = stdin_writer?;
        if writer.write_all(stdin_bytes).await.is_err() {
            return None;
        }
        if close_stdin {
            let _ = writer.shutdown().await;
            return None;
        }
        // Kept alive until the command ends: dropping it would send end-of-input.
        Some(writer)
    });

    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut out_chunk = vec![0u8; READ_CHUNK];
    let mut err_chunk = vec![0u8; READ_CHUNK];
    let (mut stdout_open, mut stderr_open) = (true, true);
    let mut stdin_done = request.stdin.is_none();
    let mut open_stdin = None;
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
                Ok(n) => stdout.extend_from_slice(&out_chunk[..n]),
            },
            read = stderr_reader.read(&mut err_chunk), if stderr_open => match read {
                Ok(0) | Err(_) => stderr_open = false,
                Ok(n) => stderr.extend_from_slice(&err_chunk[..n]),
            },
            writer = &mut stdin_future, if !stdin_done => {
                stdin_done = true;
                open_stdin = writer;
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
            _ = sleep_until(deadline) => break End::TimedOut(request.timeout.unwrap_or_default()),
            _ = &mut ctrl_c => break End::Interrupted,
            _ = ticker.tick() => on_tick(started.elapsed()),
        }
    };
    drop(open_stdin);
    Ok(ExecOutput {
        stdout,
        stderr,
        end,
    })
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
