//! What each request means: discovery, `/version`, pods and namespaces (JSON or `Table`),
//! `SelfSubjectAccessReview`, and the hand-over of `pods/exec` to [`crate::exec`] and of
//! `pods/portforward` to [`crate::portforward`].

use std::time::SystemTime;

use hyper::StatusCode;
use serde_json::{Value, json};

use crate::auth::{Identity, authorized};
use crate::paging::{EXPIRED, Paging, Refused, list_metadata};
use crate::request::Ctx;
use crate::responses::{
    Resp, bad_request, forbidden, forbidden_path, json_resp, method_not_allowed, not_found,
    page_not_found, status_resp, status_value, text_resp, unauthorized,
};
use crate::selector::{parse_field_selector, parse_label_selector};
use crate::state::{Shared, lock};
use crate::tables::{
    namespace_table, namespace_value, pod_table, pod_value, table_resp, wants_table,
};

pub(crate) async fn route(
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
    // The OIDC issuer is public, as an identity provider's endpoints are.
    let base_url = {
        let s = lock(shared);
        format!(
            "{}://127.0.0.1:{}",
            if s.plain_http { "http" } else { "https" },
            s.port
        )
    };
    if let Some(resp) = crate::oidc::route(ctx, shared, &base_url) {
        return (resp, None);
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
        ("GET" | "POST", ["api", "v1", "namespaces", ns, "pods", name, "portforward"]) => {
            return crate::portforward::handle_portforward(ctx, shared, ns, name, on_upgrade).await;
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
                {"name": "pods/portforward", "singularName": "", "namespaced": true, "kind": "PodPortForwardOptions", "verbs": ["create", "get"]},
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

/// `k8s.io/apimachinery/pkg/util/duration.HumanDuration`.
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
    let paging = Paging {
        limit: ctx.q("limit").and_then(|l| l.parse().ok()).unwrap_or(0),
        continue_: ctx.q("continue"),
        cap: None,
        filtered: !labels.0.is_empty() || !fields.0.is_empty(),
    };
    let mut s = lock(shared);
    let rv = s.next_rv();
    let keyed: Vec<(String, &crate::fixtures::pod::PodFixture)> = s
        .pods
        .values()
        .filter(|p| ns.is_none_or(|n| p.namespace == n))
        .filter(|p| labels.matches(&p.labels))
        .filter(|p| fields.matches(|f| p.field(f)))
        // The storage key after the list's prefix (/registry/pods/ or /registry/pods/NS/).
        .map(|p| match ns {
            Some(_) => (p.name.clone(), p),
            None => (format!("{}/{}", p.namespace, p.name), p),
        })
        .collect();
    let paging = Paging {
        cap: s.list_page_cap,
        ..paging
    };
    // The fault: everything listed so far is compacted away.
    let compacted = match paging.continue_.is_some() && s.expire_continue > 0 {
        true => s.resource_version,
        false => s.compacted_rv,
    };
    let page = match crate::paging::page(keyed, paging, s.resource_version, compacted) {
        Ok(page) => page.map(|p| p.clone()),
        Err(Refused::Invalid(message)) => return bad_request(&message),
        Err(Refused::Expired { continue_ }) => {
            s.expire_continue = s.expire_continue.saturating_sub(1);
            s.compacted_rv = compacted;
            let mut status = status_value(410, "Expired", EXPIRED, None);
            status["metadata"]["continue"] = Value::String(continue_);
            return json_resp(410, &status);
        }
    };
    for (dns, dname) in std::mem::take(&mut s.delete_after_list) {
        s.pods.remove(&(dns, dname));
    }
    let padding = s.list_padding;
    drop(s);
    let metadata = list_metadata(&page);
    let pods = page.items;
    if wants_table(ctx) {
        let mut table = pod_table(&pods, &rv);
        table["metadata"] = metadata;
        return table_resp(&table);
    }
    // The metadata client's list (client-go metadata/metadata.go; kube's `list_metadata`).
    if ctx
        .header("accept")
        .is_some_and(|a| a.contains("as=PartialObjectMetadataList"))
    {
        let items: Vec<Value> = pods
            .iter()
            .map(|p| json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": p.metadata(&rv)}))
            .collect();
        let mut r = json_resp(
            200,
            &json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": metadata, "items": items}),
        );
        r.headers_mut().insert(
            "content-type",
            hyper::header::HeaderValue::from_static(
                "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
            ),
        );
        return r;
    }
    let mut items: Vec<Value> = pods
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
    if padding > 0
        && let Some(first) = items.first_mut()
    {
        first["metadata"]["annotations"]["kubesim/padding"] = Value::String("x".repeat(padding));
    }
    json_resp(
        200,
        &json!({"kind": "PodList", "apiVersion": "v1", "metadata": metadata, "items": items}),
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
