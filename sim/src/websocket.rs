//! The websocket upgrade both streaming subresources share (`pods/exec`, `pods/portforward`):
//! recognising the request, the subprotocols offered, and the 101 answer.

use hyper::header::HeaderValue;

use crate::auth::authorized;
use crate::request::Ctx;
use crate::responses::{Resp, bad_request, forbidden};
use crate::state::{Shared, lock};

/// The verbs a streaming subresource (`pods/exec`, `pods/portforward`) needs: a websocket GET
/// is `get`, and from 1.35 also `create` (AuthorizePodWebsocketUpgradeCreatePermission); SPDY's
/// POST is `create` (pkg/registry/core/pod/rest/subresources.go). The 403 when one is missing.
pub(crate) fn authorize(
    ctx: &Ctx,
    shared: &Shared,
    subresource: &str,
    ns: &str,
    name: &str,
) -> Option<Resp> {
    let minor = lock(shared).kube_minor;
    let verbs: &[&str] = if ctx.method == "POST" {
        &["create"]
    } else if minor >= 35 {
        &["get", "create"]
    } else {
        &["get"]
    };
    verbs
        .iter()
        .find(|verb| !authorized(shared, &ctx.identity, verb, subresource, Some(ns)))
        .map(|verb| forbidden(&ctx.user(), verb, subresource, name, Some(ns)))
}

/// Whether the request asks to upgrade to a websocket.
pub(crate) fn is_upgrade(ctx: &Ctx) -> bool {
    ctx.headers
        .get("upgrade")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// The subprotocols of `Sec-WebSocket-Protocol`, in the client's order (one header with a
/// comma-separated list, or several headers).
pub(crate) fn offered(ctx: &Ctx) -> Vec<String> {
    ctx.headers
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The `101 Switching Protocols` answer, naming `protocol` when there is one (a 400 without
/// a `Sec-WebSocket-Key`).
pub(crate) fn switching_protocols(ctx: &Ctx, protocol: Option<&str>) -> Resp {
    let Some(key) = ctx.headers.get("sec-websocket-key") else {
        return bad_request("missing Sec-WebSocket-Key");
    };
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let mut resp = hyper::Response::new(http_body_util::Full::new(hyper::body::Bytes::new()));
    *resp.status_mut() = hyper::StatusCode::SWITCHING_PROTOCOLS;
    let h = resp.headers_mut();
    h.insert("upgrade", HeaderValue::from_static("websocket"));
    h.insert("connection", HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&accept) {
        h.insert("sec-websocket-accept", v);
    }
    if let Some(Ok(v)) = protocol.map(HeaderValue::from_str) {
        h.insert("sec-websocket-protocol", v);
    }
    resp
}
