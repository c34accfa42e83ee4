//! How objects are shown: their JSON, and the server-side `Table` that `kubectl get` asks for
//! (columns as the API server's printers define them).

use std::time::{Duration, SystemTime};

use hyper::header::HeaderValue;
use serde_json::{Value, json};

use crate::fixtures::pod::PodFixture;
use crate::request::Ctx;
use crate::responses::{Resp, json_resp};

pub(crate) fn wants_table(ctx: &Ctx) -> bool {
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

pub(crate) fn age(t: SystemTime) -> String {
    match SystemTime::now().duration_since(t) {
        Ok(d) => human_duration(d),
        Err(_) => "0s".to_string(),
    }
}

pub(crate) fn col(name: &str, format: &str, description: &str, priority: i32) -> Value {
    json!({"name": name, "type": "string", "format": format, "description": description, "priority": priority})
}

pub(crate) fn pod_table(pods: &[PodFixture], rv: &str) -> Value {
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

pub(crate) fn table_resp(v: &Value) -> Resp {
    let mut r = json_resp(200, v);
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json;as=Table;v=v1;g=meta.k8s.io"),
    );
    r
}

pub(crate) fn pod_value(p: &PodFixture, rv: &str) -> Value {
    let mut v = serde_json::to_value(p.to_pod(rv)).unwrap_or(Value::Null);
    if let Some(extra) = &p.extra {
        if let (Some(spec), Some(more)) = (v["spec"].as_object_mut(), extra["spec"].as_object()) {
            spec.extend(more.clone());
        }
        let more = extra["container"].as_object();
        for c in v["spec"]["containers"].as_array_mut().into_iter().flatten() {
            if let (Some(c), Some(more)) = (c.as_object_mut(), more) {
                c.extend(more.clone());
            }
        }
    }
    v
}

pub(crate) fn namespace_value(name: &str, created: SystemTime, rv: &str) -> Value {
    json!({
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "uid": crate::ids::uuid_from(name),
            "resourceVersion": rv,
            "creationTimestamp": crate::fixtures::object::ts(created),
            "labels": {"kubernetes.io/metadata.name": name}
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"}
    })
}

pub(crate) fn namespace_table(list: &[(String, SystemTime)], rv: &str) -> Value {
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
}
