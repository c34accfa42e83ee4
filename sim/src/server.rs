//! HTTP(S) serving, authentication, authorisation and the REST resources.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderValue;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ListMeta, Status, StatusDetails};
use serde_json::{Value, json};

use crate::selector::{parse_field_selector, parse_label_selector};
use crate::{LoggedRequest, Shared, lock};

pub(crate) type Resp = Response<Full<Bytes>>;

pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    shared: Shared,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let shared = shared.clone();
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
                    let svc = hyper::service::service_fn(move |req| {
                        let shared = shared.clone();
                        let cert_user = cert_user.clone();
                        async move { Ok::<_, std::convert::Infallible>(handle(req, shared, cert_user).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), svc)
                        .with_upgrades()
                        .await;
                });
            }
        }
    }
}

/// The authenticated identity of a request.
#[derive(Debug, Clone)]
pub(crate) enum Identity {
    User(String),
    Anonymous,
    Invalid,
}

impl Identity {
    fn name(&self) -> Option<String> {
        match self {
            Identity::User(n) => Some(n.clone()),
            Identity::Anonymous => Some("system:anonymous".into()),
            Identity::Invalid => None,
        }
    }
}

pub(crate) struct Ctx {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
    pub identity: Identity,
}

impl Ctx {
    pub(crate) fn q(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(qk, _)| qk == k)
            .map(|(_, v)| v.as_str())
    }
    pub(crate) fn q_all(&self, k: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(qk, _)| qk == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub(crate) fn user(&self) -> String {
        self.identity.name().unwrap_or_default()
    }
    fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(k).and_then(|v| v.to_str().ok())
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

async fn handle(mut req: Request<Incoming>, shared: Shared, cert_user: Option<String>) -> Resp {
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
    let identity = authenticate(&parts.headers, cert_user, &shared);
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
    let (resp, proto) = match failure {
        Some(code) => (injected_failure(code), None),
        None => route(&ctx, &shared, on_upgrade).await,
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
    };
    lock(&shared).log_request(entry);
    resp
}

fn authenticate(
    headers: &hyper::HeaderMap,
    cert_user: Option<String>,
    shared: &Shared,
) -> Identity {
    if let Some(u) = cert_user {
        return Identity::User(u);
    }
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Identity::Anonymous;
    };
    let Some(token) = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
    else {
        return Identity::Invalid;
    };
    let token = token.trim();
    let s = lock(shared);
    match s.users.iter().find(|u| u.token.as_deref() == Some(token)) {
        Some(u) => Identity::User(u.name.clone()),
        None => Identity::Invalid,
    }
}

/// RBAC-like decision for a resource request.
pub(crate) fn authorized(
    shared: &Shared,
    identity: &Identity,
    verb: &str,
    resource: &str,
    namespace: Option<&str>,
) -> bool {
    let Identity::User(name) = identity else {
        return false;
    };
    let s = lock(shared);
    s.users
        .iter()
        .filter(|u| &u.name == name)
        .flat_map(|u| u.rules.iter())
        .any(|r| r.allows(verb, resource, namespace))
}

// ---------- responses ----------

pub(crate) fn json_resp(status: u16, v: &Value) -> Resp {
    let body = serde_json::to_vec(v).unwrap_or_default();
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r.headers_mut().insert(
        "audit-id",
        HeaderValue::from_str(&crate::programs::uuid_v4()).unwrap_or(HeaderValue::from_static("0")),
    );
    r
}

pub(crate) fn text_resp(status: u16, text: &str) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(text.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

pub(crate) fn status_value(
    code: u16,
    reason: &str,
    message: &str,
    details: Option<StatusDetails>,
) -> Value {
    let st = Status {
        code: Some(code as i32),
        details,
        message: Some(message.to_string()),
        metadata: ListMeta::default(),
        reason: (!reason.is_empty()).then(|| reason.to_string()),
        status: Some("Failure".to_string()),
    };
    serde_json::to_value(&st).unwrap_or(Value::Null)
}

pub(crate) fn status_resp(
    code: u16,
    reason: &str,
    message: &str,
    details: Option<StatusDetails>,
) -> Resp {
    json_resp(code, &status_value(code, reason, message, details))
}

fn details(name: &str, kind: &str) -> Option<StatusDetails> {
    Some(StatusDetails {
        name: (!name.is_empty()).then(|| name.to_string()),
        kind: (!kind.is_empty()).then(|| kind.to_string()),
        ..Default::default()
    })
}

pub(crate) fn unauthorized() -> Resp {
    status_resp(401, "Unauthorized", "Unauthorized", None)
}

/// `errors.NewForbidden` + apiserver's `forbiddenMessage`.
pub(crate) fn forbidden(
    user: &str,
    verb: &str,
    resource: &str,
    name: &str,
    namespace: Option<&str>,
) -> Resp {
    let base = resource.split('/').next().unwrap_or(resource);
    let scope = match namespace {
        Some(ns) => format!("in the namespace {ns:?}"),
        None => "at the cluster scope".to_string(),
    };
    let msg =
        format!("User {user:?} cannot {verb} resource {resource:?} in API group \"\" {scope}");
    let full = if name.is_empty() {
        format!("{base} is forbidden: {msg}")
    } else {
        format!("{base} {name:?} is forbidden: {msg}")
    };
    status_resp(403, "Forbidden", &full, details(name, base))
}

fn forbidden_path(user: &str, verb: &str, path: &str) -> Resp {
    status_resp(
        403,
        "Forbidden",
        &format!("forbidden: User {user:?} cannot {verb} path {path:?}"),
        details("", ""),
    )
}

pub(crate) fn not_found(resource: &str, name: &str) -> Resp {
    status_resp(
        404,
        "NotFound",
        &format!("{resource} {name:?} not found"),
        details(name, resource),
    )
}

pub(crate) fn bad_request(msg: &str) -> Resp {
    status_resp(400, "BadRequest", msg, None)
}

fn page_not_found() -> Resp {
    status_resp(
        404,
        "NotFound",
        "the server could not find the requested resource",
        Some(StatusDetails::default()),
    )
}

fn method_not_allowed(method: &str) -> Resp {
    status_resp(
        405,
        "MethodNotAllowed",
        &format!("the server does not allow this method on the requested resource ({method})"),
        Some(StatusDetails::default()),
    )
}

fn injected_failure(code: u16) -> Resp {
    let (reason, msg) = match code {
        400 => ("BadRequest", "injected failure"),
        401 => ("Unauthorized", "Unauthorized"),
        403 => ("Forbidden", "injected failure: forbidden"),
        404 => (
            "NotFound",
            "the server could not find the requested resource",
        ),
        409 => ("Conflict", "injected failure: conflict"),
        429 => (
            "TooManyRequests",
            "the server has received too many requests and has asked us to try again later",
        ),
        500 => ("InternalError", "Internal error occurred: injected failure"),
        503 => (
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        ),
        504 => (
            "Timeout",
            "the server was unable to return a response in the time allotted, but may still be processing the request",
        ),
        _ => ("", "injected failure"),
    };
    let mut r = status_resp(code, reason, msg, None);
    if code == 429 || code == 503 {
        r.headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
    }
    r
}

// ---------- routing ----------

async fn route(
    ctx: &Ctx,
    shared: &Shared,
    on_upgrade: hyper::upgrade::OnUpgrade,
) -> (Resp, Option<String>) {
    if matches!(ctx.identity, Identity::Invalid) {
        return (unauthorized(), None);
    }
    let segs: Vec<&str> = ctx
        .path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let get = ctx.method == "GET";
    let user = ctx.user();
    // Non-resource paths.
    match segs.as_slice() {
        ["version"] | ["healthz"] | ["livez"] | ["readyz"] if !get => {
            return (method_not_allowed(&ctx.method), None);
        }
        ["version"] => return (version(shared), None),
        ["healthz"] | ["livez"] | ["readyz"] => return (text_resp(200, "ok"), None),
        _ => {}
    }
    if matches!(ctx.identity, Identity::Anonymous) {
        return (
            forbidden_path(&user, &ctx.method.to_lowercase(), &ctx.path),
            None,
        );
    }
    let r = match (ctx.method.as_str(), segs.as_slice()) {
        ("GET", ["api"]) => api_versions(shared),
        ("GET", ["apis"]) => api_groups(),
        ("GET", ["api", "v1"]) => core_resources(),
        ("GET", ["apis", "authorization.k8s.io", "v1"]) => authz_resources(),
        (
            "POST",
            [
                "apis",
                "authorization.k8s.io",
                "v1",
                "selfsubjectaccessreviews",
            ],
        ) => ssar(ctx, shared),
        ("GET", ["api", "v1", "namespaces"]) => list_namespaces(ctx, shared),
        ("GET", ["api", "v1", "namespaces", ns]) => get_namespace(ctx, shared, ns),
        ("GET", ["api", "v1", "pods"]) => list_pods(ctx, shared, None),
        ("GET", ["api", "v1", "namespaces", ns, "pods"]) => list_pods(ctx, shared, Some(ns)),
        ("GET", ["api", "v1", "namespaces", ns, "pods", name]) => get_pod(ctx, shared, ns, name),
        ("GET" | "POST", ["api", "v1", "namespaces", ns, "pods", name, "exec"]) => {
            return crate::exec::handle_exec(ctx, shared, ns, name, on_upgrade).await;
        }
        (_, ["api", "v1", ..]) | (_, ["apis", "authorization.k8s.io", "v1", ..]) if !get => {
            method_not_allowed(&ctx.method)
        }
        (_, ["api", ..]) | (_, ["apis", ..]) => page_not_found(),
        _ => {
            let mut r = text_resp(404, "404 page not found\n");
            *r.status_mut() = StatusCode::NOT_FOUND;
            r
        }
    };
    (r, None)
}

fn version(shared: &Shared) -> Resp {
    let minor = lock(shared).kube_minor;
    json_resp(
        200,
        &json!({
            "major": "1",
            "minor": minor.to_string(),
            "emulationMajor": "1",
            "emulationMinor": minor.to_string(),
            "minCompatibilityMajor": "1",
            "minCompatibilityMinor": minor.saturating_sub(1).to_string(),
            "gitVersion": format!("v1.{minor}.4"),
            "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335",
            "gitTreeState": "clean",
            "buildDate": "2025-04-22T16:02:27Z",
            "goVersion": "go1.23.8",
            "compiler": "gc",
            "platform": "linux/amd64"
        }),
    )
}

fn api_versions(shared: &Shared) -> Resp {
    let port = lock(shared).port;
    json_resp(
        200,
        &json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": format!("127.0.0.1:{port}")}]
        }),
    )
}

fn api_groups() -> Resp {
    json_resp(
        200,
        &json!({
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [{
                "name": "authorization.k8s.io",
                "versions": [{"groupVersion": "authorization.k8s.io/v1", "version": "v1"}],
                "preferredVersion": {"groupVersion": "authorization.k8s.io/v1", "version": "v1"}
            }]
        }),
    )
}

fn core_resources() -> Resp {
    let all = [
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    ];
    json_resp(
        200,
        &json!({
            "kind": "APIResourceList",
            "groupVersion": "v1",
            "resources": [
                {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace",
                 "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["ns"],
                 "storageVersionHash": "Q3oi5N2YM8M="},
                {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": all,
                 "shortNames": ["po"], "categories": ["all"], "storageVersionHash": "xPOwRZ+Yhw8="},
                {"name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions", "verbs": ["create", "get"]},
                {"name": "pods/status", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get", "patch", "update"]}
            ]
        }),
    )
}

fn authz_resources() -> Resp {
    json_resp(
        200,
        &json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": "authorization.k8s.io/v1",
            "resources": [
                {"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview", "namespaced": false,
                 "kind": "SelfSubjectAccessReview", "verbs": ["create"]},
                {"name": "selfsubjectrulesreviews", "singularName": "selfsubjectrulesreview", "namespaced": false,
                 "kind": "SelfSubjectRulesReview", "verbs": ["create"]}
            ]
        }),
    )
}

fn ssar(ctx: &Ctx, shared: &Shared) -> Resp {
    use k8s_openapi::api::authorization::v1::{SelfSubjectAccessReview, SubjectAccessReviewStatus};
    let ct = ctx.header("content-type").unwrap_or("");
    if !ct.is_empty() && !ct.starts_with("application/json") {
        return status_resp(
            415,
            "UnsupportedMediaType",
            &format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got {ct})"
            ),
            None,
        );
    }
    let mut review: SelfSubjectAccessReview = match serde_json::from_slice(&ctx.body) {
        Ok(r) => r,
        Err(e) => return bad_request(&format!("error decoding SelfSubjectAccessReview: {e}")),
    };
    let (allowed, reason) = match &review.spec.resource_attributes {
        Some(ra) => {
            let mut res = ra.resource.clone().unwrap_or_default();
            if let Some(sub) = ra.subresource.as_deref().filter(|s| !s.is_empty()) {
                res = format!("{res}/{sub}");
            }
            let verb = ra.verb.clone().unwrap_or_default();
            let ns = ra.namespace.as_deref().filter(|s| !s.is_empty());
            let ok = authorized(shared, &ctx.identity, &verb, &res, ns);
            (ok, ok.then(|| format!("RBAC: allowed by ClusterRoleBinding \"kubesim:{}\" of ClusterRole \"kubesim:{}\" to User \"{}\"", ctx.user(), ctx.user(), ctx.user())))
        }
        None => (true, None),
    };
    review.status = Some(SubjectAccessReviewStatus {
        allowed,
        denied: None,
        evaluation_error: None,
        reason,
    });
    let mut v = serde_json::to_value(&review).unwrap_or(Value::Null);
    v["metadata"]["creationTimestamp"] = Value::Null;
    json_resp(201, &v)
}

fn wants_table(ctx: &Ctx) -> bool {
    ctx.header("accept").is_some_and(|a| a.contains("as=Table"))
}

/// `k8s.io/apimachinery/pkg/util/duration.HumanDuration`.
pub(crate) fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{}h", hours / 24, h)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{}d", hours / 24 / 365, dy)
        };
    }
    format!("{}y", hours / 24 / 365)
}

fn age(t: SystemTime) -> String {
    match SystemTime::now().duration_since(t) {
        Ok(d) => human_duration(d),
        Err(_) => "0s".to_string(),
    }
}

fn col(name: &str, format: &str, description: &str, priority: i32) -> Value {
    json!({"name": name, "type": "string", "format": format, "description": description, "priority": priority})
}

fn pod_table(pods: &[crate::PodFixture], rv: &str) -> Value {
    let columns = vec![
        col(
            "Name",
            "name",
            "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
            0,
        ),
        col(
            "Ready",
            "",
            "The aggregate readiness state of this pod for accepting traffic.",
            0,
        ),
        col(
            "Status",
            "",
            "The aggregate status of the containers in this pod.",
            0,
        ),
        col(
            "Restarts",
            "",
            "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
            0,
        ),
        col(
            "Age",
            "",
            "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
            0,
        ),
        col(
            "IP",
            "",
            "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
            1,
        ),
        col(
            "Node",
            "",
            "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this pod will attempt to run this pod and the schedulerName field will be used to determine which node it will be scheduled on.",
            1,
        ),
        col(
            "Nominated Node",
            "",
            "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot schedule right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.",
            1,
        ),
        col(
            "Readiness Gates",
            "",
            "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
            1,
        ),
    ];
    let rows: Vec<Value> = pods
        .iter()
        .map(|p| {
            let ip = if p.phase == "Running" { p.pod_ip() } else { "<none>".to_string() };
            json!({
                "cells": [p.name, format!("{}/{}", p.ready_count(), p.containers.len()), p.status_text(), "0", age(p.created), ip, p.node_name, "<none>", "<none>"],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": p.metadata(rv)}
            })
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv}, "columnDefinitions": columns, "rows": rows})
}

fn table_resp(v: &Value) -> Resp {
    let mut r = json_resp(200, v);
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json;as=Table;v=v1;g=meta.k8s.io"),
    );
    r
}

fn pod_value(p: &crate::PodFixture, rv: &str) -> Value {
    serde_json::to_value(p.to_pod(rv)).unwrap_or(Value::Null)
}

fn list_pods(ctx: &Ctx, shared: &Shared, ns: Option<&str>) -> Resp {
    let user = ctx.user();
    if !authorized(shared, &ctx.identity, "list", "pods", ns) {
        return forbidden(&user, "list", "pods", "", ns);
    }
    let labels = match parse_label_selector(ctx.q("labelSelector").unwrap_or("")) {
        Ok(s) => s,
        Err(e) => return bad_request(&e),
    };
    let fields = match parse_field_selector(
        ctx.q("fieldSelector").unwrap_or(""),
        &[
            "metadata.name",
            "metadata.namespace",
            "status.phase",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.podIP",
            "status.nominatedNodeName",
        ],
    ) {
        Ok(s) => s,
        Err(e) => return bad_request(&e),
    };
    let mut s = lock(shared);
    let rv = s.next_rv();
    let pods: Vec<crate::PodFixture> = s
        .pods
        .values()
        .filter(|p| ns.is_none_or(|n| p.namespace == n))
        .filter(|p| labels.matches(&p.labels))
        .filter(|p| fields.matches(|f| p.field(f)))
        .cloned()
        .collect();
    for (dns, dname) in std::mem::take(&mut s.delete_after_list) {
        s.pods.remove(&(dns, dname));
    }
    drop(s);
    if wants_table(ctx) {
        return table_resp(&pod_table(&pods, &rv));
    }
    let items: Vec<Value> = pods
        .iter()
        .map(|p| {
            let mut v = pod_value(p, &rv);
            if let Some(o) = v.as_object_mut() {
                o.remove("kind");
                o.remove("apiVersion");
            }
            v
        })
        .collect();
    json_resp(
        200,
        &json!({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": rv}, "items": items}),
    )
}

fn get_pod(ctx: &Ctx, shared: &Shared, ns: &str, name: &str) -> Resp {
    let user = ctx.user();
    if !authorized(shared, &ctx.identity, "get", "pods", Some(ns)) {
        return forbidden(&user, "get", "pods", name, Some(ns));
    }
    let mut s = lock(shared);
    let rv = s.next_rv();
    let Some(p) = s.pods.get(&(ns.to_string(), name.to_string())).cloned() else {
        return not_found("pods", name);
    };
    drop(s);
    if wants_table(ctx) {
        return table_resp(&pod_table(&[p], &rv));
    }
    json_resp(200, &pod_value(&p, &rv))
}

fn namespace_value(name: &str, created: SystemTime, rv: &str) -> Value {
    json!({
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "uid": crate::programs::uuid_from(name),
            "resourceVersion": rv,
            "creationTimestamp": crate::fixtures::ts(created),
            "labels": {"kubernetes.io/metadata.name": name}
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"}
    })
}

fn namespace_table(list: &[(String, SystemTime)], rv: &str) -> Value {
    let rows: Vec<Value> = list
        .iter()
        .map(|(n, t)| {
            let v = namespace_value(n, *t, rv);
            json!({"cells": [n, "Active", age(*t)], "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": v["metadata"]}})
        })
        .collect();
    json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv},
        "columnDefinitions": [
            col("Name", "name", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", 0),
            col("Status", "", "The status of the namespace", 0),
            col("Age", "", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", 0)
        ],
        "rows": rows
    })
}

fn list_namespaces(ctx: &Ctx, shared: &Shared) -> Resp {
    if !authorized(shared, &ctx.identity, "list", "namespaces", None) {
        return forbidden(&ctx.user(), "list", "namespaces", "", None);
    }
    let labels = match parse_label_selector(ctx.q("labelSelector").unwrap_or("")) {
        Ok(s) => s,
        Err(e) => return bad_request(&e),
    };
    let fields = match parse_field_selector(
        ctx.q("fieldSelector").unwrap_or(""),
        &["metadata.name", "status.phase"],
    ) {
        Ok(s) => s,
        Err(e) => return bad_request(&e),
    };
    let mut s = lock(shared);
    let rv = s.next_rv();
    let list: Vec<(String, SystemTime)> = s
        .namespaces
        .iter()
        .filter(|(n, _)| {
            let l = std::collections::BTreeMap::from([(
                "kubernetes.io/metadata.name".to_string(),
                n.to_string(),
            )]);
            labels.matches(&l)
                && fields.matches(|f| match f {
                    "metadata.name" => Some(n.to_string()),
                    "status.phase" => Some("Active".to_string()),
                    _ => None,
                })
        })
        .map(|(n, t)| (n.clone(), *t))
        .collect();
    drop(s);
    if wants_table(ctx) {
        return table_resp(&namespace_table(&list, &rv));
    }
    let items: Vec<Value> = list
        .iter()
        .map(|(n, t)| {
            let mut v = namespace_value(n, *t, &rv);
            if let Some(o) = v.as_object_mut() {
                o.remove("kind");
                o.remove("apiVersion");
            }
            v
        })
        .collect();
    json_resp(
        200,
        &json!({"kind": "NamespaceList", "apiVersion": "v1", "metadata": {"resourceVersion": rv}, "items": items}),
    )
}

fn get_namespace(ctx: &Ctx, shared: &Shared, name: &str) -> Resp {
    if !authorized(shared, &ctx.identity, "get", "namespaces", None) {
        return forbidden(&ctx.user(), "get", "namespaces", name, None);
    }
    let mut s = lock(shared);
    let rv = s.next_rv();
    let Some(t) = s.namespaces.get(name).copied() else {
        return not_found("namespaces", name);
    };
    drop(s);
    if wants_table(ctx) {
        return table_resp(&namespace_table(&[(name.to_string(), t)], &rv));
    }
    json_resp(200, &namespace_value(name, t, &rv))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations() {
        let d = |s: u64| human_duration(Duration::from_secs(s));
        assert_eq!(d(5), "5s");
        assert_eq!(d(119), "119s");
        assert_eq!(d(125), "2m5s");
        assert_eq!(d(600), "10m");
        assert_eq!(d(3 * 3600 + 60), "3h1m");
        assert_eq!(d(10 * 3600), "10h");
        assert_eq!(d(3 * 86400), "3d");
        assert_eq!(d(3 * 86400 + 7200), "3d2h");
        assert_eq!(d(30 * 86400), "30d");
    }

    #[test]
    fn query_decoding() {
        assert_eq!(
            parse_query("command=a%20b&command=c+d&x"),
            vec![
                ("command".to_string(), "a b".to_string()),
                ("command".to_string(), "c d".to_string()),
                ("x".to_string(), String::new())
            ]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn forbidden_message() {
        let r = forbidden("viewer", "get", "pods/exec", "x", Some("coder"));
        assert_eq!(r.status(), 403);
    }
}
