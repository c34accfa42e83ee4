//! API call failures explained: which call, what the server or the network said (a status,
//! a refusal, a timeout, TLS, a proxy), and what to check next.

use std::error::Error as StdError;

use crate::exit_codes::ExitCode;
use crate::kube::connection::{MAX_RESPONSE_BYTES, is_too_large};
use crate::kube::error::{ApiCall, ApiCallError, ApiFailure};
use crate::text;
use crate::ui::problem::core::{Problem, chain};

pub fn api_problem(e: &ApiCallError) -> Problem {
    let all_namespaces = String::new();
    let (namespace, what) = match &e.call {
        ApiCall::ListPodsEverywhere => (&all_namespaces, "list pods in all namespaces".to_string()),
        ApiCall::ListPods { namespace } => {
            (namespace, format!("list pods in namespace {namespace:?}"))
        }
        ApiCall::GetPod { namespace, pod } => (namespace, format!("get pod {namespace}/{pod}")),
        ApiCall::Exec { namespace, pod } => (namespace, format!("exec in pod {namespace}/{pod}")),
        ApiCall::PortForward {
            namespace,
            pod,
            port,
        } => (
            namespace,
            format!("port-forward to port {port} of pod {namespace}/{pod}"),
        ),
    };
    let context = e
        .context
        .as_deref()
        .map(|c| format!(" for context {c:?}"))
        .unwrap_or_default();
    let kube_error = match &e.source {
        ApiFailure::TimedOut(_) => {
            return Problem::new(
                ExitCode::Failure,
                format!("cannot {what}: {} at {}", e.source, e.server),
                Some("check the network path to the cluster (VPN, proxy), or allow more with --request-timeout".into()),
            );
        }
        ApiFailure::Kube(kube_error) => kube_error,
    };
    if let kube::Error::Api(status) = kube_error {
        // The API server's words (a webhook's or proxy's too): each further line quoted.
        let message = text::quoted_lines(&status.message);
        return match status.code {
            401 => Problem::new(
                ExitCode::Forbidden,
                format!("the API server rejected the credentials{context} (401 Unauthorized)"),
                Some("log in again or refresh the token; `kubectl get pods` shows the same error".into()),
            ),
            // The impersonation filter's refusal (--as, --as-group, --as-uid).
            403 if message.contains("cannot impersonate") => Problem::new(
                ExitCode::Forbidden,
                format!("forbidden: {message}"),
                Some("your own identity may not impersonate that: ask a cluster admin for `impersonate` on users (and groups, uids), or leave out --as".to_string()),
            ),
            403 => {
                let permission = match e.call {
                    ApiCall::ListPodsEverywhere => {
                        return Problem::new(
                            ExitCode::Forbidden,
                            format!("forbidden: {message}"),
                            Some("-A needs `list` on pods in all namespaces (a ClusterRole and ClusterRoleBinding); or look in one namespace with -n NAMESPACE".to_string()),
                        );
                    }
                    ApiCall::ListPods { .. } => "`list` on pods".to_string(),
                    ApiCall::GetPod { .. } => "`get` on pods".to_string(),
                    ApiCall::Exec { .. } => "`get` and `create` on pods/exec".to_string(),
                    ApiCall::PortForward { .. } => {
                        "`get` and `create` on pods/portforward".to_string()
                    }
                };
                Problem::new(
                    ExitCode::Forbidden,
                    format!("forbidden: {message}"),
                    Some(format!(
                        "ask a cluster admin for {permission} in namespace {namespace:?} (the README has a ready Role)"
                    )),
                )
            }
            404 => match &e.call {
                ApiCall::Exec { pod, .. } | ApiCall::PortForward { pod, .. } => Problem::new(
                    ExitCode::NotFound,
                    format!("pod {namespace}/{pod} not found: {message}"),
                    Some("it was deleted after it was listed, so nothing ran; run the command again".into()),
                ),
                ApiCall::GetPod { pod, .. } => Problem::new(
                    ExitCode::NotFound,
                    format!("pod {namespace}/{pod} not found: {message}"),
                    Some(format!("check the name with `kubectl get pods -n {namespace}`")),
                ),
                ApiCall::ListPods { .. } | ApiCall::ListPodsEverywhere => Problem::new(ExitCode::NotFound, format!("cannot {what}: {message}"), None),
            },
            code if code >= 500 => Problem::new(
                ExitCode::Failure,
                format!("the API server failed to {what}: {message} ({code})"),
                Some(match e.call {
                    ApiCall::Exec { .. } => {
                        "try again in a moment; a reset is never retried automatically, as it may have happened"
                            .into()
                    }
                    ApiCall::PortForward { .. } => {
                        "try again in a moment; nothing was changed".into()
                    }
                    _ => "try again in a moment; the list was already retried".into(),
                }),
            ),
            code if matches!(e.call, ApiCall::Exec { .. } | ApiCall::PortForward { .. })
                && matches!(code, 400 | 426) => Problem::new(
                ExitCode::Failure,
                format!("cannot {what}: the connection was not upgraded: {message} ({code})"),
                Some(
                    "a proxy or load balancer in front of the API server may not pass upgrades; connect to the API server directly"
                        .into(),
                ),
            ),
            // The list's continue token expired twice: kube::pod_list started over once. The
            // server's message offers its token for an inconsistent rest: advice for programs.
            410 if matches!(e.call, ApiCall::ListPods { .. } | ApiCall::ListPodsEverywhere) => Problem::new(
                ExitCode::Failure,
                format!("cannot {what}: its continue token expired twice while the pages were read (410 {})", status.reason),
                Some("the API server compacts its history faster than the list can be read; run the command again".into()),
            ),
            code => Problem::new(ExitCode::Failure, format!("cannot {what}: {message} ({code})"), None),
        };
    }
    if let kube::Error::UpgradeConnection(upgrade) = kube_error {
        return Problem::new(
            ExitCode::Failure,
            format!("cannot {what}: the connection was not upgraded to a websocket ({upgrade})"),
            Some(
                "a proxy or load balancer in front of the API server may not pass upgrades; connect to the API server directly"
                    .into(),
            ),
        );
    }
    if is_too_large(kube_error) {
        return Problem::new(
            ExitCode::Failure,
            format!(
                "cannot {what} at {}: the answer was larger than {} MiB, more than any pod list, so it was not read",
                e.server,
                MAX_RESPONSE_BYTES >> 20
            ),
            Some("check that the cluster's server in the kubeconfig is a Kubernetes API server, and narrow the list with -l or --pod".into()),
        );
    }
    let root = root_cause(kube_error);
    let lower = root.to_ascii_lowercase();
    if lower.contains("deadline has elapsed") || lower.contains("timed out") {
        let limit = match e.request_timeout {
            Some(t) => format!("within {t:?} (--request-timeout)"),
            None => "in time".to_string(),
        };
        return Problem::new(
            ExitCode::Failure,
            format!("cannot {what}: the API server did not answer {limit} at {}", e.server),
            Some("check the network path to the cluster (VPN, proxy), or allow more with --request-timeout".into()),
        );
    }
    let credentials = matches!(kube_error, kube::Error::Auth(_));
    let (detail, hint) = if let Some((expected, presented)) = name_mismatch(kube_error) {
        (
            format!(
                "the server's TLS certificate is valid for {}, not for {expected}",
                presented.join(", ")
            ),
            "check the server address in the kubeconfig, or name one the certificate has with --tls-server-name (tls-server-name in the kubeconfig)",
        )
    } else if let Some(oidc) = chain(kube_error)
        .split_once("failed OIDC: ")
        .map(|(_, why)| why.to_string())
    {
        (
            format!("the oidc auth-provider could not get a valid id-token: {oidc}"),
            "sign in again with your OIDC login tool, which writes a new id-token and refresh-token into the kubeconfig",
        )
    } else if lower.contains("certificate") {
        (
            format!(
                "the server's TLS certificate is not trusted by the kubeconfig's certificate authority ({root})"
            ),
            "check certificate-authority(-data) of the cluster in the kubeconfig; a proxy that intercepts TLS causes this too",
        )
    } else if credentials {
        (
            format!("getting credentials failed ({root})"),
            "the kubeconfig's credential plugin failed; run `kubectl get pods` to log in again",
        )
    } else if lower.contains("handshake") || lower.contains("tls") {
        (
            format!("the TLS handshake failed ({root})"),
            "a proxy is in the way, or the URL is not the API server's; check the cluster entry in the kubeconfig",
        )
    } else if ["refused", "resolve", "unreachable", "dns", "no route"]
        .iter()
        .any(|m| lower.contains(m))
    {
        (
            root,
            "is the cluster reachable, and is this the right context? `kubectl cluster-info` checks the same",
        )
    } else {
        (
            chain(kube_error),
            "check the connection with `kubectl get pods`",
        )
    };
    if let Some(proxy) = &e.proxy {
        // Whatever failed on the way, the proxy is the first thing to check.
        return Problem::new(
            ExitCode::Failure,
            format!("cannot {what} at {} through {proxy}: {}", e.server, text::without_userinfo(&detail)),
            Some("check the proxy: is it running and reachable, and are its address and credentials right? NO_PROXY lists hosts to reach directly".to_string()),
        );
    }
    Problem::new(
        ExitCode::Failure,
        format!("cannot {what} at {}: {detail}", e.server),
        Some(hint.to_string()),
    )
}

/// The innermost error's first line, starting lower-case and without "(os error N)":
/// "connection refused" rather than hyper's and kube's wrappers around it.
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    let text = current.to_string();
    let mut line = text.lines().next().unwrap_or_default().trim().to_string();
    if let Some(at) = line.find(" (os error ") {
        line.truncate(at);
    }
    let mut chars = line.chars();
    match chars.next() {
        // "Connection refused" → "connection refused", but leave acronyms ("TLS ...") alone.
        Some(first) if chars.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => line,
    }
}

/// The host the client expected and the names the server's certificate has, when TLS failed
/// on the name (rustls's `NotValidForNameContext`, deep in kube's error chain, often inside an
/// `io::Error`).
fn name_mismatch(err: &(dyn StdError + 'static)) -> Option<(String, Vec<String>)> {
    use rustls::{CertificateError, Error as TlsError};
    // io::Errors nest (hyper-util wraps tokio-rustls's): look inside each.
    fn tls_in<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a TlsError> {
        if let Some(tls) = e.downcast_ref::<TlsError>() {
            return Some(tls);
        }
        let inner = e.downcast_ref::<std::io::Error>()?.get_ref()?;
        tls_in(inner)
    }
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(TlsError::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected,
            presented,
        })) = tls_in(e)
        {
            let expected = match expected {
                rustls_pki_types::ServerName::DnsName(name) => name.as_ref().to_string(),
                rustls_pki_types::ServerName::IpAddress(ip) => {
                    std::net::IpAddr::from(*ip).to_string()
                }
                other => format!("{other:?}"),
            };
            // rustls lists them as `DnsName("x")` and `IpAddress(1.2.3.4)`.
            let presented = presented
                .iter()
                .map(|name| {
                    let bare = name
                        .strip_prefix("DnsName(")
                        .or_else(|| name.strip_prefix("IpAddress("))
                        .and_then(|n| n.strip_suffix(')'))
                        .unwrap_or(name);
                    bare.trim_matches('"').to_string()
                })
                .collect();
            return Some((expected, presented));
        }
        current = e.source();
    }
    None
}
