//! HTTP/1.1 to a port inside a pod, through `pods/portforward` over a websocket (kube's `ws`
//! feature, subprotocol `v4.channel.k8s.io`): no kubectl, no local listener, nothing secret in
//! a URL. One websocket carries one TCP connection (kubelet's portforward/websocket.go), which
//! keeps alive for the requests of one command.

use std::time::Duration;

use futures::FutureExt;
use futures::future::{BoxFuture, Fuse};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

use crate::kube::connection::Connection;
use crate::kube::error::{ApiCall, ApiCallError};

/// An answer is read up to this size (a user list of a large deployment fits many times).
pub const MAX_ANSWER_BYTES: usize = 16 << 20;

/// After the data stream broke, how long the error channel's explanation may take to arrive.
const REFUSAL_GRACE: Duration = Duration::from_secs(1);

/// Why the tunnel or a request through it failed.
#[derive(Debug, thiserror::Error)]
pub enum TunnelError {
    /// The API server refused or failed the port-forward (403, 404, no upgrade...).
    #[error(transparent)]
    Api(#[from] ApiCallError),
    /// The kubelet could not connect to the port inside the pod: its message.
    #[error("{0}")]
    Refused(String),
    /// The connection ended or broke before a whole answer arrived.
    #[error("the connection to the pod's port broke: {0}")]
    Broken(String),
    #[error("no answer within {0:?}")]
    TimedOut(Duration),
    #[error("the answer is larger than {} MiB", MAX_ANSWER_BYTES >> 20)]
    TooLarge,
}

impl TunnelError {
    /// Whether the request may have reached the server (its effect is unknown).
    pub fn maybe_delivered(&self) -> bool {
        matches!(
            self,
            TunnelError::Broken(_) | TunnelError::TimedOut(_) | TunnelError::TooLarge
        )
    }
}

/// An answer: status, headers and the whole body.
#[derive(Debug)]
pub struct Answer {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// An open HTTP connection to `port` of a pod.
pub struct Tunnel {
    sender: SendRequest<Full<Bytes>>,
    /// Resolves with the kubelet's message when the forward fails.
    refused: Fuse<BoxFuture<'static, Option<String>>>,
    forwarder: Option<kube::api::Portforwarder>,
    connection: tokio::task::JoinHandle<()>,
    /// When the whole exchange (opening and every request) must be over, and that limit.
    deadline: Option<(tokio::time::Instant, Duration)>,
}

impl Tunnel {
    /// Opens the port-forward and an HTTP/1.1 connection over it. `limit` bounds the opening
    /// and every request together (`None`: no limit), so a slow pod cannot stretch a run
    /// to a multiple of it.
    pub async fn open(
        conn: &Connection,
        pod: &str,
        port: u16,
        limit: Option<Duration>,
    ) -> Result<Tunnel, TunnelError> {
        let deadline = limit.map(|l| (tokio::time::Instant::now() + l, l));
        let call = || ApiCall::PortForward {
            namespace: conn.namespace.clone(),
            pod: pod.to_string(),
            port,
        };
        let pods = conn.pods();
        let ports = [port];
        let mut forwarder = tokio::select! {
            forwarder = pods.portforward(pod, &ports) => forwarder,
            limit = expiry(deadline) => return Err(TunnelError::TimedOut(limit)),
        }
        .map_err(|e| conn.api_error(call(), e))?;
        let stream = forwarder
            .take_stream(port)
            .ok_or_else(|| TunnelError::Broken("the port's stream was not opened".into()))?;
        let refused = forwarder
            .take_error(port)
            .ok_or_else(|| TunnelError::Broken("the port's error channel was not opened".into()))?
            .boxed()
            .fuse();
        let (sender, connection) = tokio::select! {
            handshake = hyper::client::conn::http1::handshake(TokioIo::new(stream)) => handshake,
            limit = expiry(deadline) => return Err(TunnelError::TimedOut(limit)),
        }
        .map_err(|e| TunnelError::Broken(e.to_string()))?;
        let connection = tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Tunnel {
            sender,
            refused,
            forwarder: Some(forwarder),
            connection,
            deadline,
        })
    }

    /// Sends one request and reads the whole answer.
    pub async fn send(
        &mut self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<Answer, TunnelError> {
        let deadline = self.deadline;
        let (sender, refused) = (&mut self.sender, &mut self.refused);
        let exchange = async {
            sender
                .ready()
                .await
                .map_err(|e| TunnelError::Broken(e.to_string()))?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| TunnelError::Broken(e.to_string()))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        TunnelError::TooLarge
                    } else {
                        TunnelError::Broken(e.to_string())
                    }
                })?
                .to_bytes();
            Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        // The kubelet reports a refused connection on the error channel, and the data stream
        // then just ends: its message is the better explanation, whichever arrives first.
        let result = tokio::select! {
            answer = exchange => answer,
            Some(message) = &mut *refused => return Err(TunnelError::Refused(message.trim().to_string())),
            limit = expiry(deadline) => Err(TunnelError::TimedOut(limit)),
        };
        if let Err(TunnelError::Broken(_)) = &result
            && let Ok(Some(message)) = tokio::time::timeout(REFUSAL_GRACE, refused).await
        {
            return Err(TunnelError::Refused(message.trim().to_string()));
        }
        result
    }

    /// Closes the connection and the websocket.
    pub async fn close(mut self) {
        self.connection.abort();
        if let Some(forwarder) = self.forwarder.take() {
            forwarder.abort();
            let _ = tokio::time::timeout(Duration::from_secs(2), forwarder.join()).await;
        }
    }
}

/// Resolves with the limit when the deadline passes; never without one.
async fn expiry(deadline: Option<(tokio::time::Instant, Duration)>) -> Duration {
    match deadline {
        Some((at, limit)) => {
            tokio::time::sleep_until(at).await;
            limit
        }
        None => std::future::pending().await,
    }
}
