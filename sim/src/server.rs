//! HTTPS serving: TLS (with client certificates), one task per connection, and the request
//! log. What each request means is in [`crate::routes`].

use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;

use crate::auth::{Identity, authenticate, impersonate};
use crate::request::{Ctx, parse_query, percent_decode};
use crate::responses::{Resp, injected_failure};
use crate::routes::route;
use crate::state::{LoggedRequest, Shared, lock};

/// Serves until `shutdown`; over TLS unless `tls` is `None` (plain http).
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    shared: Shared,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                let shared = shared.clone();
                let Some(acceptor) = acceptor.clone() else {
                    tokio::spawn(serve_connection(TokioIo::new(tcp), shared, None, None));
                    continue;
                };
                tokio::spawn(async move {
                    let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await else {
                        return;
                    };
                    let cert_user = tls
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|c| c.first())
                        .and_then(|der| lock(&shared).client_certs.get(der.as_ref()).cloned());
                    // The name the client asked for (SNI): what kubectl's tls-server-name sets.
                    let sni = tls.get_ref().1.server_name().map(str::to_string);
                    serve_connection(TokioIo::new(tls), shared, cert_user, sni).await;
                });
            }
        }
    }
}

async fn serve_connection<I>(io: I, shared: Shared, cert_user: Option<String>, sni: Option<String>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let svc = hyper::service::service_fn(move |req| {
        let shared = shared.clone();
        let cert_user = cert_user.clone();
        let sni = sni.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(req, shared, cert_user, sni).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, svc)
        .with_upgrades()
        .await;
}

async fn handle(
    mut req: Request<Incoming>,
    shared: Shared,
    cert_user: Option<String>,
    sni: Option<String>,
) -> Resp {
    let received = std::time::Instant::now();
    let on_upgrade = hyper::upgrade::on(&mut req);
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let uri = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| parts.uri.path().to_string());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let authenticated = authenticate(&parts.headers, cert_user, &shared);
    let (identity, refused) = match authenticated {
        Identity::Invalid => (Identity::Invalid, None),
        who => match impersonate(&parts.headers, who.clone(), &shared) {
            Ok(acting) => (acting, None),
            Err(resp) => (who, Some(*resp)),
        },
    };
    let ctx = Ctx {
        method: parts.method.as_str().to_string(),
        path: percent_decode(parts.uri.path()),
        query: parse_query(parts.uri.query().unwrap_or("")),
        headers: parts.headers.clone(),
        body: body.clone(),
        identity: identity.clone(),
    };
    let delay = lock(&shared).delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let failure = lock(&shared).take_failure(parts.uri.path());
    let (resp, proto) = match (failure, refused) {
        (Some((code, message)), _) => (injected_failure(code, message.as_deref()), None),
        (None, Some(resp)) => (resp, None),
        (None, None) => route(&ctx, &shared, on_upgrade).await,
    };
    let entry = LoggedRequest {
        method: ctx.method.clone(),
        uri,
        user: identity.name(),
        status: resp.status().as_u16(),
        websocket_protocol: proto,
        user_agent: ctx.header("user-agent").map(str::to_string),
        headers,
        body: body.to_vec(),
        sni,
        received,
    };
    lock(&shared).log_request(entry);
    resp
}
