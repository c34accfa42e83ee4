//! `pods/exec`: checks, the websocket upgrade and the channel protocol.

use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::programs::{self, io::Outcome, io::ProcIo, io::ProgCtx, io::Recorded};
use crate::request::Ctx;
use crate::responses::{Resp, bad_request, not_found, status_resp, text_resp};
use crate::state::{ExecFault, ExecRecord, Shared, lock};
use crate::websocket;

/// The channels of the exec stream protocol, as Kubernetes numbers them
/// (k8s.io/apimachinery/pkg/util/remotecommand/constants.go and
/// k8s.io/client-go/tools/remotecommand: `StreamTypeStdin` … `StreamTypeResize`).
pub(crate) const STDIN: u8 = 0;
pub(crate) const STDOUT: u8 = 1;
pub(crate) const STDERR: u8 = 2;
/// Where the API server writes the `metav1.Status` when the command ends.
pub(crate) const ERROR: u8 = 3;
/// v5.channel.k8s.io only: `[CLOSE, channel]` closes one channel (the client's stdin).
pub(crate) const CLOSE: u8 = 255;

/// Output frames are at most this large, like the API server's stream copy buffers.
const MAX_FRAME: usize = 32 * 1024;

fn truthy(v: Option<&str>) -> bool {
    matches!(v, Some("true") | Some("1") | Some("True") | Some("TRUE"))
}

pub(crate) async fn handle_exec(
    ctx: &Ctx,
    shared: &Shared,
    ns: &str,
    name: &str,
    on_upgrade: hyper::upgrade::OnUpgrade,
) -> (Resp, Option<String>) {
    let is_ws = websocket::is_upgrade(ctx);
    let fault = lock(shared).exec_fault.clone();
    if let (true, Some(ExecFault::RejectUpgrade(code))) = (is_ws, &fault) {
        let body = "upgrade request rejected by proxy: websocket upgrades are not allowed\n";
        return (text_resp(*code, body), None);
    }
    if let Some(refused) = websocket::authorize(ctx, shared, "pods/exec", ns, name) {
        return (refused, None);
    }
    let Some(pod) = lock(shared)
        .pods
        .get(&(ns.to_string(), name.to_string()))
        .cloned()
    else {
        return (not_found("pods", name), None);
    };
    let container = match ctx.q("container").filter(|c| !c.is_empty()) {
        Some(c) => match pod.containers.iter().find(|pc| pc.name == c) {
            Some(pc) => pc.clone(),
            None => {
                return (
                    bad_request(&format!("container {c} is not valid for pod {name}")),
                    None,
                );
            }
        },
        None => match pod.containers.as_slice() {
            [one] => one.clone(),
            [] => {
                return (
                    bad_request(&format!(
                        "a container name must be specified for pod {name}"
                    )),
                    None,
                );
            }
            many => {
                let names: Vec<&str> = many.iter().map(|c| c.name.as_str()).collect();
                return (
                    bad_request(&format!(
                        "a container name must be specified for pod {name}, choose one of: [{}]",
                        names.join(" ")
                    )),
                    None,
                );
            }
        },
    };
    let stdin = truthy(ctx.q("stdin"));
    let stdout = truthy(ctx.q("stdout"));
    let stderr = truthy(ctx.q("stderr"));
    let tty = truthy(ctx.q("tty"));
    if !stdin && !stdout && !stderr {
        return (
            bad_request("you must specify at least 1 of stdin, stdout, stderr"),
            None,
        );
    }
    let command = ctx.q_all("command");
    if !is_ws {
        if ctx.method == "POST" {
            return (
                status_resp(
                    400,
                    "BadRequest",
                    "kubesim does not support SPDY (exec over SPDY POST); use a websocket client (kubectl >= 1.30, v5.channel.k8s.io)",
                    None,
                ),
                None,
            );
        }
        return (bad_request("Upgrade request required"), None);
    }
    // Subprotocol negotiation in the server's preference order.
    let offered = websocket::offered(ctx);
    let supported = lock(shared).subprotocols.clone();
    let Some(proto) = supported.iter().find(|p| offered.contains(p)).cloned() else {
        return (
            text_resp(
                403,
                &format!(
                    "requested protocol(s) are not supported: {offered:?}; supports {supported:?}\n"
                ),
            ),
            None,
        );
    };
    let resp = websocket::switching_protocols(ctx, Some(&proto));
    if resp.status() != hyper::StatusCode::SWITCHING_PROTOCOLS {
        return (resp, None);
    }
    let prog = ProgCtx {
        argv: command.clone(),
        env: container.process_env(),
        programs: container.programs.clone(),
        scripts: container.scripts.clone(),
        no_shell: container.no_shell,
        v1_output: pod.v1_output,
        delay: pod.delay,
        shared: shared.clone(),
        pod: (ns.to_string(), name.to_string()),
        image: container.image.clone(),
    };
    let record = ExecRecord {
        namespace: ns.to_string(),
        pod: name.to_string(),
        container: container.name.clone(),
        command,
        stdin: Vec::new(),
        stdout: Vec::new(),
        stderr: Vec::new(),
        exit_code: None,
        protocol: proto.clone(),
    };
    let shared = shared.clone();
    let opts = Opts {
        stdin,
        stdout,
        stderr,
        tty,
        v5: proto.starts_with("v5."),
    };
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        run_session(ws, opts, prog, record, shared, fault).await;
    });
    (resp, Some(proto))
}

#[derive(Clone, Copy)]
struct Opts {
    stdin: bool,
    stdout: bool,
    stderr: bool,
    tty: bool,
    v5: bool,
}

/// The Status sent on channel 3 when the program ends.
pub(crate) fn final_status(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Exit(0) => json!({"metadata": {}, "status": "Success"}),
        Outcome::Exit(n) => json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("command terminated with non-zero exit code: command terminated with exit code {n}"),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": n.to_string()}]}
        }),
        Outcome::Internal(msg) | Outcome::Killed(msg) => json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("Internal error occurred: {msg}"),
            "reason": "InternalError",
            "details": {"causes": [{"message": msg}]},
            "code": 500
        }),
    }
}

/// Builds a channel frame.
pub(crate) fn frame(channel: u8, data: &[u8]) -> Message {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(channel);
    v.extend_from_slice(data);
    Message::Binary(v.into())
}

async fn run_session<S>(
    mut ws: WebSocketStream<S>,
    opts: Opts,
    prog: ProgCtx,
    mut record: ExecRecord,
    shared: Shared,
    fault: Option<ExecFault>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if fault == Some(ExecFault::DropBeforeOutput) {
        drop(ws);
        return;
    }
    let drop_after = match fault {
        Some(ExecFault::DropAfterStdoutBytes(n)) => Some(n),
        _ => None,
    };
    let lowest = if opts.stdout {
        STDOUT
    } else if opts.stderr {
        STDERR
    } else {
        ERROR
    };
    if ws.send(frame(lowest, &[])).await.is_err() {
        return;
    }
    let (stdin_tx, stdin_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let (out_tx, mut out_rx) = mpsc::channel::<(u8, Vec<u8>)>(4);
    let mut stdin_tx = opts.stdin.then_some(stdin_tx);
    let recorded = std::sync::Arc::new(std::sync::Mutex::new(Recorded::default()));
    let io_record = recorded.clone();
    let mut task = tokio::spawn(async move {
        let mut io = ProcIo::new(stdin_rx, out_tx, io_record);
        programs::run(&prog, &mut io).await
    });
    let mut stdin_rec = Vec::new();
    let mut stdout_sent = 0usize;
    let mut client_open = true;
    let mut dropped = false;
    // When the client goes away, the program is given a moment to finish what it is doing,
    // then stopped, as the container runtime would end its streams.
    let mut gone_at: Option<tokio::time::Instant> = None;
    let mut stopped = false;
    loop {
        tokio::select! {
            _ = sleep_until(gone_at.map(|t| t + std::time::Duration::from_millis(500))), if gone_at.is_some() => {
                task.abort();
                stopped = true;
                break;
            },
            msg = ws.next(), if client_open => match msg {
                Some(Ok(Message::Binary(b))) => {
                    match b.first() {
                        Some(&STDIN) => {
                            stdin_rec.extend_from_slice(&b[1..]);
                            if let Some(tx) = &stdin_tx {
                                let _ = tx.send(b[1..].to_vec());
                            }
                        }
                        Some(&CLOSE) if opts.v5 && b.get(1) == Some(&STDIN) => stdin_tx = None,
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    client_open = false;
                    stdin_tx = None;
                    gone_at = Some(tokio::time::Instant::now());
                }
                Some(Ok(_)) => {}
            },
            out = out_rx.recv() => match out {
                Some((ch, data)) => {
                    let ch = if opts.tty && ch == STDERR { STDOUT } else { ch };
                    let enabled = match ch { STDOUT => opts.stdout, STDERR => opts.stderr, _ => true };
                    if !enabled || !client_open {
                        continue;
                    }
                    let mut failed = false;
                    for chunk in data.chunks(MAX_FRAME) {
                        let mut chunk = chunk;
                        let mut stop = false;
                        if let (STDOUT, Some(n)) = (ch, drop_after)
                            && stdout_sent + chunk.len() >= n
                        {
                            chunk = &chunk[..n - stdout_sent];
                            stop = true;
                        }
                        if !chunk.is_empty() && ws.send(frame(ch, chunk)).await.is_err() {
                            failed = true;
                            break;
                        }
                        if ch == STDOUT {
                            stdout_sent += chunk.len();
                        }
                        if stop {
                            dropped = true;
                            break;
                        }
                    }
                    if dropped {
                        break;
                    }
                    if failed {
                        client_open = false;
                        stdin_tx = None;
                    }
                }
                None => break,
            }
        }
    }
    drop(stdin_tx);
    drop(out_rx);
    let outcome = if stopped {
        Outcome::Killed("the client went away".into())
    } else {
        match (&mut task).await {
            Ok(outcome) => outcome,
            Err(_) => Outcome::Killed("program panicked".into()),
        }
    };
    let Recorded { stdout, stderr } =
        std::mem::take(&mut *recorded.lock().unwrap_or_else(|e| e.into_inner()));
    record.stdin = stdin_rec;
    record.stdout = stdout;
    record.stderr = stderr;
    record.exit_code = match outcome {
        Outcome::Exit(n) if !dropped => Some(n),
        _ => None,
    };
    let reached = !matches!(outcome, Outcome::Internal(_));
    if reached {
        lock(&shared).execs.push(record);
    }
    if dropped {
        // Abrupt close: no status, no close frame.
        let _ = ws.flush().await;
        drop(ws);
        return;
    }
    if !client_open {
        return;
    }
    let status = final_status(&outcome);
    let _ = ws
        .send(frame(
            ERROR,
            serde_json::to_string(&status)
                .unwrap_or_default()
                .as_bytes(),
        ))
        .await;
    let _ = ws
        .close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        }))
        .await;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_frames() {
        assert_eq!(
            serde_json::to_string(&final_status(&Outcome::Exit(0))).unwrap(),
            r#"{"metadata":{},"status":"Success"}"#
        );
        let v = final_status(&Outcome::Exit(3));
        assert_eq!(v["reason"], "NonZeroExitCode");
        assert_eq!(v["details"]["causes"][0]["reason"], "ExitCode");
        assert_eq!(v["details"]["causes"][0]["message"], "3");
        assert_eq!(
            v["message"],
            "command terminated with non-zero exit code: command terminated with exit code 3"
        );
        let v = final_status(&Outcome::Internal("boom".into()));
        assert_eq!(v["reason"], "InternalError");
        assert_eq!(v["code"], 500);
    }

    #[test]
    fn frames_carry_channel_byte() {
        match frame(STDERR, b"err") {
            Message::Binary(b) => assert_eq!(&b[..], b"\x02err"),
            _ => panic!("not binary"),
        }
    }
}
