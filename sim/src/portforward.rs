//! `pods/portforward` over a websocket, as the API server hands it to the kubelet's CRI
//! streaming server (kubernetes/kubernetes
//! staging/src/k8s.io/kubelet/pkg/cri/streaming/portforward/websocket.go, and
//! pkg/registry/core/pod/rest/subresources.go for the GET/POST and authorisation):
//!
//! - subprotocols `v4.channel.k8s.io` or none, taken in the client's order (wsstream/conn.go's
//!   handshake; `v5.channel.k8s.io` is for exec only; `v4.base64.channel.k8s.io` is not
//!   emulated);
//! - port *i* of `?ports=` (comma-separated or repeated) has data channel `2i` and error
//!   channel `2i+1`; the server first writes the port as a little-endian u16 on both;
//! - one TCP connection per port and websocket; a failed connection is one UTF-8 message on
//!   the error channel; the websocket closes once every port is done (v4 has no half-close).
//!
//! kubectl 1.31+ does not use this: it tunnels SPDY in the websocket
//! (`SPDY/3.1+portforward.k8s.io`), which the simulator does not speak, so kubectl falls back
//! to SPDY POST and is refused with a clear 400.

use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;

use crate::exec::frame;
use crate::fixtures::pod::Listener;
use crate::request::Ctx;
use crate::responses::{Resp, bad_request, not_found, status_resp};
use crate::state::{PortForwardRecord, Shared, lock};
use crate::websocket;

/// The subprotocols the kubelet's port-forward accepts that the simulator speaks.
const PROTOCOLS: [&str; 2] = ["v4.channel.k8s.io", ""];

pub(crate) async fn handle_portforward(
    ctx: &Ctx,
    shared: &Shared,
    ns: &str,
    name: &str,
    on_upgrade: hyper::upgrade::OnUpgrade,
) -> (Resp, Option<String>) {
    if let Some(refused) = websocket::authorize(ctx, shared, "pods/portforward", ns, name) {
        return (refused, None);
    }
    let Some(pod) = lock(shared)
        .pods
        .get(&(ns.to_string(), name.to_string()))
        .cloned()
    else {
        return (not_found("pods", name), None);
    };
    let mut ports = Vec::new();
    for p in ctx.q_all("ports").iter().flat_map(|v| v.split(',')) {
        match p.trim().parse::<u16>() {
            Ok(port) if port > 0 => ports.push(port),
            _ => return (bad_request(&format!("invalid port {p:?}")), None),
        }
    }
    if ports.is_empty() {
        return (bad_request("at least one port must be specified"), None);
    }
    if !websocket::is_upgrade(ctx) {
        let message = if ctx.method == "POST" {
            "kubesim does not support SPDY (port-forward over SPDY POST); use a websocket client with v4.channel.k8s.io"
        } else {
            "Upgrade request required"
        };
        return (status_resp(400, "BadRequest", message, None), None);
    }
    let offered = websocket::offered(ctx);
    // The client's order, as wsstream/conn.go's handshake picks; no header means "".
    let wanted: Vec<&str> = if offered.is_empty() {
        vec![""]
    } else {
        offered.iter().map(String::as_str).collect()
    };
    let Some(proto) = wanted.into_iter().find(|p| PROTOCOLS.contains(p)) else {
        let message =
            format!("requested protocol(s) are not supported: {offered:?}; supports {PROTOCOLS:?}");
        return (status_resp(400, "BadRequest", &message, None), None);
    };
    let resp = websocket::switching_protocols(ctx, (!proto.is_empty()).then_some(proto));
    if resp.status() != hyper::StatusCode::SWITCHING_PROTOCOLS {
        return (resp, None);
    }
    let listeners: Vec<Option<Listener>> = ports
        .iter()
        .map(|port| {
            pod.containers
                .iter()
                .flat_map(|c| c.listeners.iter())
                .find(|(p, _)| p == port)
                .map(|(_, l)| *l)
        })
        .collect();
    lock(shared).portforwards.push(PortForwardRecord {
        namespace: ns.to_string(),
        pod: name.to_string(),
        ports: ports.clone(),
        protocol: proto.to_string(),
    });
    let uid = crate::fixtures::pod::uid_for(ns, name);
    let pod_name = name.to_string();
    let shared = shared.clone();
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        run_session(ws, &ports, &listeners, &pod_name, &uid, shared).await;
    });
    (resp, Some(proto.to_string()))
}

/// The containerd error text for a port nothing listens on (kubelet prefixes it with
/// `error forwarding port N to pod NAME, uid UID: `).
fn refused(port: u16, pod: &str, uid: &str) -> String {
    format!(
        "error forwarding port {port} to pod {pod}, uid {uid}: failed to execute portforward in network namespace \"/var/run/netns/cni-{uid}\": failed to connect to localhost:{port} inside namespace \"{pod}\", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused"
    )
}

async fn run_session<S>(
    mut ws: WebSocketStream<S>,
    ports: &[u16],
    listeners: &[Option<Listener>],
    pod: &str,
    uid: &str,
    shared: Shared,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    // Both channels of every port first carry the port number.
    for (i, port) in ports.iter().enumerate() {
        let le = port.to_le_bytes();
        for channel in [2 * i as u8, 2 * i as u8 + 1] {
            if ws.send(frame(channel, &le)).await.is_err() {
                return;
            }
        }
    }
    // Output of each port's connection, as (port index, bytes; `None` at its end).
    let (out_tx, mut out_rx) = mpsc::channel::<(usize, Option<Vec<u8>>)>(16);
    let mut writers: Vec<Option<tokio::io::WriteHalf<tokio::io::DuplexStream>>> = Vec::new();
    let mut open = 0;
    for (i, listener) in listeners.iter().enumerate() {
        let Some(listener) = listener else {
            let message = refused(ports[i], pod, uid);
            if ws
                .send(frame(2 * i as u8 + 1, message.as_bytes()))
                .await
                .is_err()
            {
                return;
            }
            writers.push(None);
            continue;
        };
        let (ours, theirs) = tokio::io::duplex(64 * 1024);
        match listener {
            Listener::CoderdV1 => {
                tokio::spawn(crate::coderd_v1::serve(theirs, shared.clone()));
            }
            Listener::ClosesAtOnce => drop(theirs),
        }
        let (mut reader, writer) = tokio::io::split(ours);
        writers.push(Some(writer));
        open += 1;
        let tx = out_tx.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 32 * 1024];
            loop {
                match reader.read(&mut buf).await {
                    Ok(0) | Err(_) => {
                        let _ = tx.send((i, None)).await;
                        return;
                    }
                    Ok(n) => {
                        if tx.send((i, Some(buf[..n].to_vec()))).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
    }
    drop(out_tx);
    while open > 0 {
        tokio::select! {
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Binary(data))) if data.len() > 1 => {
                    let channel = data[0] as usize;
                    // Data from the client goes to an even channel; anything else is dropped,
                    // as wsstream logs and drops a frame for a reader that is not valid.
                    if channel.is_multiple_of(2)
                        && let Some(Some(w)) = writers.get_mut(channel / 2)
                        && w.write_all(&data[1..]).await.is_err()
                    {
                        writers[channel / 2] = None;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            out = out_rx.recv() => match out {
                Some((i, Some(bytes))) => {
                    if ws.send(frame(2 * i as u8, &bytes)).await.is_err() {
                        return;
                    }
                }
                Some((i, None)) => {
                    writers[i] = None;
                    open -= 1;
                }
                None => break,
            },
        }
    }
    let _ = ws.close(None).await;
}
