//! Turning any failure into what the user sees: one line saying what happened, one saying
//! what to do next, and the exit code. Typed errors from the modules are matched here, at the
//! edge, so every message in the fault matrix (FAULTS.md) has one home.

use crate::cli::config::UsageError;
use crate::coder::locate::{LocateError, elsewhere_hint};
use crate::exit_codes::ExitCode;
use crate::kube::error::{ApiCallError, ConfigError};
use crate::kube::exec::ExecError;

mod api;
mod core;

pub use api::api_problem;
pub use core::Problem;
pub(crate) use core::chain;

/// Finds the most specific explanation in an error chain.
pub fn describe(err: &anyhow::Error) -> Problem {
    if let Some(p) = err.downcast_ref::<Problem>() {
        return p.clone();
    }
    if let Some(UsageError(message)) = err.downcast_ref::<UsageError>() {
        return Problem::new(
            ExitCode::Usage,
            message.clone(),
            Some("see `kubectl coder --help`".to_string()),
        );
    }
    if let Some(e) = err.downcast_ref::<ConfigError>() {
        return config_problem(e);
    }
    if let Some(e) = err.downcast_ref::<LocateError>() {
        return locate_problem(e);
    }
    if let Some(e) = err.downcast_ref::<ApiCallError>() {
        return api_problem(e);
    }
    if let Some(e) = err.downcast_ref::<ExecError>() {
        return exec_problem(e);
    }
    Problem::new(ExitCode::Failure, chain(err.as_ref()), None)
}

fn config_problem(e: &ConfigError) -> Problem {
    let hint = match e {
        ConfigError::Unreadable { .. } => {
            "check the path given with --kubeconfig or in $KUBECONFIG"
        }
        ConfigError::Malformed { .. } => "fix the file, or check it with `kubectl config view`",
        ConfigError::UnknownContext(_) => "list the contexts with `kubectl config get-contexts`",
        ConfigError::ContextNotFound(_) => {
            "pick one with --context, or `kubectl config use-context NAME` (`kubectl config get-contexts` lists them)"
        }
        ConfigError::EmptyConfig => "set a current context, or pass --context or -s/--server",
        ConfigError::Invalid(_) => {
            "fix the kubeconfig (`kubectl get pods` refuses it the same way)"
        }
        ConfigError::NoCredentials(_) => {
            "give the user a token, client certificate or credential plugin, or pass --token"
        }
        ConfigError::AuthProvider(_) => {
            "use the credential plugin named above in the kubeconfig's user"
        }
        ConfigError::ClientCertificate(_) => {
            "check client-certificate(-data) and client-key(-data) of the user, or --client-certificate/--client-key"
        }
        ConfigError::BadTlsServerName(_) => {
            "fix tls-server-name in the kubeconfig, or --tls-server-name"
        }
        ConfigError::NoConfig { .. } => "set $KUBECONFIG or pass --kubeconfig",
        ConfigError::Client(_) => "check the cluster's certificates and user in the kubeconfig",
        ConfigError::UnknownCluster(_) => "list the clusters with `kubectl config get-clusters`",
        ConfigError::UnknownUser(_) => "list the users with `kubectl config get-users`",
        ConfigError::NoServer | ConfigError::BadServer(_) => {
            "set the cluster's server in the kubeconfig, or pass -s/--server"
        }
        ConfigError::BadCertificateAuthority(_) => {
            "check certificate-authority(-data) of the cluster, or --certificate-authority"
        }
        ConfigError::TokenFile { .. } => "check the user's tokenFile in the kubeconfig",
        ConfigError::Proxy(_) => {
            "fix HTTPS_PROXY (or the cluster's proxy-url): scheme://host:port, with http, https or socks5"
        }
        ConfigError::CredentialPlugin(e) => return plugin_problem(e),
    };
    Problem::new(ExitCode::Failure, chain(e), Some(hint.to_string()))
}

fn plugin_problem(e: &crate::kube::credential_plugin::PluginError) -> Problem {
    use crate::kube::credential_plugin::PluginError;
    let hint = match e {
        PluginError::NotFound { .. } => {
            "install it, or check the user's exec command in the kubeconfig (kubectl needs it too)"
        }
        PluginError::NeedsTerminal { .. } => {
            "run the command on a terminal, or log in first so the plugin needs no answer"
        }
        PluginError::Failed { .. } | PluginError::NotRun { .. } => {
            "`kubectl get pods` runs the same plugin: log in again as it asks"
        }
        PluginError::BadOutput { .. } | PluginError::NoCommand => {
            "check the user's exec section in the kubeconfig"
        }
    };
    Problem::new(ExitCode::Failure, e.to_string(), Some(hint.to_string()))
}

/// The exec did not start: nothing ran remotely.
fn exec_problem(e: &ExecError) -> Problem {
    match e {
        ExecError::Api(api) => api_problem(api),
        ExecError::Signalled(signal) => Problem::new(
            ExitCode::for_signal(*signal),
            format!("{signal} before the command started: most likely nothing was changed"),
            None,
        ),
        ExecError::TimedOut(_) => Problem::new(ExitCode::Failure, e.to_string(), None),
    }
}

fn locate_problem(e: &LocateError) -> Problem {
    match e {
        LocateError::NoPod(no_pod) => {
            let hint = if let Some(hint) = elsewhere_hint(&no_pod.elsewhere) {
                hint
            } else if let (Some(selector), true) = (&no_pod.selector, no_pod.skipped.is_empty()) {
                format!(
                    "check the selector with `kubectl get pods -n {} -l {selector}`, or leave -l out to let the plugin search",
                    no_pod.namespace
                )
            } else if no_pod.pod_given {
                // The pod asked for cannot run a command: choosing it again will not help.
                format!(
                    "check its state with `kubectl describe pod -n {} {}`",
                    no_pod.namespace,
                    no_pod
                        .skipped
                        .first()
                        .map(|(n, _)| n.as_str())
                        .unwrap_or("POD")
                )
            } else if no_pod.has_coder_pods() {
                format!(
                    "wait until a Coder pod is Ready (kubectl get pods -n {} -w), or choose one with --pod",
                    no_pod.namespace
                )
            } else {
                "point at Coder's namespace with -n (Coder's docs install into \"coder\"), or choose pods with -l or --pod"
                    .to_string()
            };
            Problem::new(ExitCode::NotFound, e.to_string(), Some(hint))
        }
        LocateError::Mixed(_) | LocateError::ManyReleases(_) => {
            Problem::new(ExitCode::Usage, e.to_string(), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::error::{ApiCall, ApiFailure};

    #[test]
    fn renders_two_lines_at_most() {
        let p = Problem::new(
            ExitCode::NotFound,
            "nothing here",
            Some("look elsewhere".to_string()),
        );
        assert_eq!(p.render(), "error: nothing here\nhint: look elsewhere\n");
        assert_eq!(
            Problem::new(ExitCode::Failure, "x", None).render(),
            "error: x\n"
        );
    }

    #[test]
    fn forbidden_exec_names_the_permission() {
        let status = kube::core::Status::failure(
            "pods \"c\" is forbidden: User \"v\" cannot get resource \"pods/exec\"",
            "Forbidden",
        )
        .with_code(403);
        let err = anyhow::Error::new(ApiCallError {
            call: ApiCall::Exec {
                namespace: "coder".into(),
                pod: "c".into(),
            },
            server: "https://127.0.0.1:1".into(),
            context: Some("kubesim".into()),
            request_timeout: None,
            proxy: None,
            source: ApiFailure::Kube(kube::Error::Api(Box::new(status))),
        });
        let p = describe(&err);
        assert_eq!(p.exit, ExitCode::Forbidden);
        assert!(p.hint.unwrap().contains("`get` and `create` on pods/exec"));
    }

    #[test]
    fn usage_errors_exit_2() {
        let p = describe(&anyhow::Error::new(UsageError("bad".into())));
        assert_eq!((p.exit, p.message.as_str()), (ExitCode::Usage, "bad"));
    }
}
