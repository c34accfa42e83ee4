//! Kubeconfig `exec` credential plugins (aws eks get-token, kubelogin, gke-gcloud-auth-plugin,
//! SSO helpers), run the way client-go runs them (k8s.io/client-go/plugin/pkg/client/auth/exec
//! exec.go): once per process, its stderr passed through to ours, stdin given only when
//! interactive, `KUBERNETES_EXEC_INFO` describing the request. The credential it prints is
//! kept for this invocation; a 401 runs it once more.

use std::io::IsTerminal;
use std::process::{Command, Stdio};

use kube::config::{Cluster, ExecConfig, ExecInteractiveMode};
use secrecy::SecretString;
use serde::Deserialize;
use zeroize::Zeroizing;

/// What the plugin gave.
pub struct Credential {
    pub token: Option<SecretString>,
    pub client_certificate_data: Option<String>,
    pub client_key_data: Option<SecretString>,
}

/// Why the plugin gave nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PluginError {
    #[error("the credential plugin `{command}` was not found{}", hint(.install_hint))]
    NotFound {
        command: String,
        install_hint: Option<String>,
    },
    #[error("the credential plugin `{command}` could not be run: {reason}")]
    NotRun { command: String, reason: String },
    #[error("the credential plugin `{command}` failed ({status}); its messages are above")]
    Failed { command: String, status: String },
    #[error(
        "the credential plugin `{command}` needs a terminal (interactiveMode: Always), and stdin is not one"
    )]
    NeedsTerminal { command: String },
    #[error("the credential plugin `{command}` printed no usable credential: {reason}")]
    BadOutput { command: String, reason: String },
    #[error("the kubeconfig's exec section names no command")]
    NoCommand,
}

fn hint(install_hint: &Option<String>) -> String {
    install_hint
        .as_deref()
        .map(|h| format!(": {}", h.trim()))
        .unwrap_or_default()
}

/// Whether the plugin may talk to the user, as client-go decides it: never with
/// `interactiveMode: Never`; else when stdin is a terminal. `None`: it must (`Always`) and
/// cannot.
pub fn interactive(mode: Option<&ExecInteractiveMode>, stdin_is_terminal: bool) -> Option<bool> {
    match mode {
        Some(ExecInteractiveMode::Never) => Some(false),
        Some(ExecInteractiveMode::Always) if !stdin_is_terminal => None,
        _ => Some(stdin_is_terminal),
    }
}

/// `KUBERNETES_EXEC_INFO`: the ExecCredential request, with the cluster when the plugin asks
/// for it (`provideClusterInfo`; client.authentication.k8s.io's `Cluster`, kebab-case keys).
pub fn exec_info(exec: &ExecConfig, interactive: bool, cluster: &Cluster) -> String {
    let api_version = exec
        .api_version
        .as_deref()
        .unwrap_or("client.authentication.k8s.io/v1");
    let mut spec = serde_json::json!({ "interactive": interactive });
    if exec.provide_cluster_info {
        use base64::Engine as _;
        let mut info = serde_json::json!({ "server": cluster.server });
        if let Some(name) = &cluster.tls_server_name {
            info["tls-server-name"] = name.clone().into();
        }
        if cluster.insecure_skip_tls_verify == Some(true) {
            info["insecure-skip-tls-verify"] = true.into();
        }
        if let Some(data) = &cluster.certificate_authority_data {
            // Go's []byte is base64 in JSON; the kubeconfig holds it base64 already.
            info["certificate-authority-data"] = data.clone().into();
        } else if let Some(path) = &cluster.certificate_authority
            && let Ok(pem) = std::fs::read(path)
        {
            info["certificate-authority-data"] =
                base64::engine::general_purpose::STANDARD.encode(pem).into();
        }
        if let Some(proxy) = &cluster.proxy_url {
            info["proxy-url"] = proxy.clone().into();
        }
        if cluster.disable_compression == Some(true) {
            info["disable-compression"] = true.into();
        }
        // The cluster's `client.authentication.k8s.io/exec` extension, as `config`
        // (client_config.go passes `Extensions[clusterExtensionKey]`).
        if let Some(extension) = cluster
            .extensions
            .iter()
            .flatten()
            .find(|e| e.name == "client.authentication.k8s.io/exec")
        {
            info["config"] = extension.extension.clone();
        }
        spec["cluster"] = info;
    }
    serde_json::json!({
        "apiVersion": api_version,
        "kind": "ExecCredential",
        "spec": spec,
    })
    .to_string()
}

/// Reads the plugin's stdout: an ExecCredential of the version asked for, with a token or a
/// client certificate and key.
pub fn read_credential(
    stdout: &[u8],
    exec: &ExecConfig,
    command: &str,
) -> Result<Credential, PluginError> {
    #[derive(Deserialize)]
    struct ExecCredential {
        #[serde(rename = "apiVersion")]
        api_version: Option<String>,
        kind: Option<String>,
        status: Option<Status>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Status {
        token: Option<String>,
        client_certificate_data: Option<String>,
        client_key_data: Option<String>,
    }
    let bad = |reason: String| PluginError::BadOutput {
        command: command.to_string(),
        reason,
    };
    let parsed: ExecCredential = serde_json::from_slice(stdout)
        .map_err(|_| bad("its output is not an ExecCredential in JSON".into()))?;
    if parsed.kind.as_deref() != Some("ExecCredential") {
        return Err(bad("its output is not an ExecCredential".into()));
    }
    let wanted = exec
        .api_version
        .as_deref()
        .unwrap_or("client.authentication.k8s.io/v1");
    if parsed.api_version.as_deref() != Some(wanted) {
        return Err(bad(format!(
            "it answered apiVersion {:?}, but {wanted} was asked for",
            parsed.api_version.unwrap_or_default()
        )));
    }
    let status = parsed
        .status
        .ok_or_else(|| bad("it has no status".into()))?;
    let token = status.token.filter(|t| !t.is_empty());
    let cert = status.client_certificate_data.filter(|c| !c.is_empty());
    let key = status.client_key_data.filter(|k| !k.is_empty());
    match (&token, &cert, &key) {
        (Some(_), _, _) | (None, Some(_), Some(_)) => Ok(Credential {
            token: token.map(SecretString::from),
            client_certificate_data: cert,
            client_key_data: key.map(SecretString::from),
        }),
        _ => Err(bad(
            "it has neither a token nor a client certificate and key".into(),
        )),
    }
}

/// Runs the plugin once, for `cluster`.
pub fn run(exec: &ExecConfig, cluster: &Cluster) -> Result<Credential, PluginError> {
    let command = exec.command.clone().ok_or(PluginError::NoCommand)?;
    let stdin_is_terminal = std::io::stdin().is_terminal();
    let interactive =
        interactive(exec.interactive_mode.as_ref(), stdin_is_terminal).ok_or_else(|| {
            PluginError::NeedsTerminal {
                command: command.clone(),
            }
        })?;
    let mut process = Command::new(crate::platform::lookpath::program(command.as_ref()));
    process
        .args(exec.args.iter().flatten())
        .stdin(if interactive {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        // What it says (a device code, a browser prompt, an error) is the user's to read.
        .stderr(Stdio::inherit());
    for name in exec.drop_env.iter().flatten() {
        process.env_remove(name);
    }
    for pair in exec.env.iter().flatten() {
        if let (Some(name), Some(value)) = (pair.get("name"), pair.get("value")) {
            process.env(name, value);
        }
    }
    // Last, so that a kubeconfig `env` entry of the same name cannot replace it (exec.go
    // appends it after the configured environment).
    process.env(
        "KUBERNETES_EXEC_INFO",
        exec_info(exec, interactive, cluster),
    );
    let output = process.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => PluginError::NotFound {
            command: command.clone(),
            install_hint: exec.install_hint.clone(),
        },
        _ => PluginError::NotRun {
            command: command.clone(),
            reason: e.to_string(),
        },
    })?;
    let stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        let status = match output.status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        };
        return Err(PluginError::Failed { command, status });
    }
    read_credential(&stdout, exec, &command)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn exec(api_version: &str) -> ExecConfig {
        ExecConfig {
            api_version: Some(api_version.into()),
            command: Some("plugin".into()),
            ..Default::default()
        }
    }

    #[test]
    fn interactivity_as_client_go() {
        let cases = [
            (None, true, Some(true)),
            (None, false, Some(false)),
            (Some(ExecInteractiveMode::IfAvailable), true, Some(true)),
            (Some(ExecInteractiveMode::Never), true, Some(false)),
            (Some(ExecInteractiveMode::Always), true, Some(true)),
            (Some(ExecInteractiveMode::Always), false, None),
        ];
        for (mode, terminal, want) in cases {
            assert_eq!(
                interactive(mode.as_ref(), terminal),
                want,
                "{mode:?} {terminal}"
            );
        }
    }

    #[test]
    fn the_request_names_the_version_and_interactivity() {
        let info: serde_json::Value = serde_json::from_str(&exec_info(
            &exec("client.authentication.k8s.io/v1beta1"),
            false,
            &Cluster::default(),
        ))
        .unwrap();
        assert_eq!(
            info,
            serde_json::json!({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "spec": {"interactive": false}})
        );
    }

    #[test]
    fn cluster_info_carries_the_exec_extension_as_config() {
        let mut config = exec("client.authentication.k8s.io/v1");
        config.provide_cluster_info = true;
        let cluster: Cluster = serde_json::from_value(serde_json::json!({
            "server": "https://h:6443",
            "tls-server-name": "api",
            "extensions": [
                {"name": "client.authentication.k8s.io/exec", "extension": {"audience": "k8s"}},
                {"name": "other", "extension": {"x": 1}}
            ]
        }))
        .unwrap();
        let info: serde_json::Value =
            serde_json::from_str(&exec_info(&config, true, &cluster)).unwrap();
        assert_eq!(
            info["spec"]["cluster"],
            serde_json::json!({"server": "https://h:6443", "tls-server-name": "api", "config": {"audience": "k8s"}})
        );
    }

    #[test]
    fn credentials_are_read_as_client_go_reads_them() {
        let v1 = exec("client.authentication.k8s.io/v1");
        let ok = br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t0k","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#;
        let credential = read_credential(ok, &v1, "plugin").unwrap();
        assert_eq!(credential.token.unwrap().expose_secret(), "t0k");
        let certs = br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"C","clientKeyData":"K"}}"#;
        assert!(
            read_credential(certs, &v1, "plugin")
                .unwrap()
                .token
                .is_none()
        );
        let cases: &[(&[u8], &str)] = &[
            (b"not json", "its output is not an ExecCredential in JSON"),
            (br#"{"kind":"Other","apiVersion":"client.authentication.k8s.io/v1"}"#, "its output is not an ExecCredential"),
            (
                br#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}"#,
                "it answered apiVersion \"client.authentication.k8s.io/v1beta1\", but client.authentication.k8s.io/v1 was asked for",
            ),
            (br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}"#, "it has no status"),
            (
                br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"C"}}"#,
                "it has neither a token nor a client certificate and key",
            ),
        ];
        for (stdout, reason) in cases {
            assert_eq!(
                read_credential(stdout, &v1, "plugin").err(),
                Some(PluginError::BadOutput {
                    command: "plugin".into(),
                    reason: reason.to_string()
                })
            );
        }
    }

    #[test]
    fn a_missing_plugin_is_named_with_its_install_hint() {
        let mut config = exec("client.authentication.k8s.io/v1");
        config.command = Some("/nonexistent/kubectl-coder-test-plugin".into());
        config.install_hint = Some("Install it with: brew install the-plugin\n".into());
        let err = run(&config, &Cluster::default()).err().unwrap();
        assert_eq!(
            err.to_string(),
            "the credential plugin `/nonexistent/kubectl-coder-test-plugin` was not found: Install it with: brew install the-plugin"
        );
    }
}
