//! The API server's answers: JSON, plain text, and `metav1.Status` errors with the exact
//! messages of the API server (k8s.io/apimachinery/pkg/api/errors).

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::HeaderValue;
use hyper::{Response, StatusCode};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ListMeta, Status, StatusDetails};
use serde_json::Value;

pub(crate) type Resp = Response<Full<Bytes>>;

pub(crate) fn json_resp(status: u16, v: &Value) -> Resp {
    let body = serde_json::to_vec(v).unwrap_or_default();
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r.headers_mut().insert(
        "audit-id",
        HeaderValue::from_str(&crate::ids::uuid_v4()).unwrap_or(HeaderValue::from_static("0")),
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

pub(crate) fn details(name: &str, kind: &str) -> Option<StatusDetails> {
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
    forbidden_in_group(user, verb, resource, "", name, namespace)
}

/// The same, for a resource of API group `group`.
pub(crate) fn forbidden_in_group(
    user: &str,
    verb: &str,
    resource: &str,
    group: &str,
    name: &str,
    namespace: Option<&str>,
) -> Resp {
    let base = resource.split('/').next().unwrap_or(resource);
    let scope = match namespace {
        Some(ns) => format!("in the namespace {ns:?}"),
        None => "at the cluster scope".to_string(),
    };
    let msg =
        format!("User {user:?} cannot {verb} resource {resource:?} in API group {group:?} {scope}");
    let full = if name.is_empty() {
        format!("{base} is forbidden: {msg}")
    } else {
        format!("{base} {name:?} is forbidden: {msg}")
    };
    status_resp(403, "Forbidden", &full, details(name, base))
}

pub(crate) fn forbidden_path(user: &str, verb: &str, path: &str) -> Resp {
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

pub(crate) fn page_not_found() -> Resp {
    status_resp(
        404,
        "NotFound",
        "the server could not find the requested resource",
        Some(StatusDetails::default()),
    )
}

pub(crate) fn method_not_allowed(method: &str) -> Resp {
    status_resp(
        405,
        "MethodNotAllowed",
        &format!("the server does not allow this method on the requested resource ({method})"),
        Some(StatusDetails::default()),
    )
}

pub(crate) fn injected_failure(code: u16, message: Option<&str>) -> Resp {
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
    let mut r = status_resp(code, reason, message.unwrap_or(msg), None);
    if code == 429 || code == 503 {
        r.headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_message() {
        let r = forbidden("viewer", "get", "pods/exec", "x", Some("coder"));
        assert_eq!(r.status(), 403);
    }
}
