//! The kube layer's errors, each built where the failure happens, with what a message needs.

use std::path::PathBuf;
use std::time::Duration;

use kube::config::KubeconfigError;

/// The client could not be configured: nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read kubeconfig {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("kubeconfig {path} is not valid: {source}")]
    Malformed {
        path: PathBuf,
        source: KubeconfigError,
    },
    #[error("context {0:?} does not exist in the kubeconfig")]
    UnknownContext(String),
    #[error("cluster {0:?} does not exist in the kubeconfig")]
    UnknownCluster(String),
    #[error("user {0:?} does not exist in the kubeconfig")]
    UnknownUser(String),
    #[error("the cluster has no server address")]
    NoServer,
    #[error("the server address {0:?} is not a URL (https://host:port)")]
    BadServer(String),
    #[error("the cluster's certificate authority cannot be used: {0}")]
    BadCertificateAuthority(String),
    #[error("the client certificate cannot be used: {0}")]
    ClientCertificate(String),
    #[error("the TLS server name {0:?} is not a valid DNS name or IP address")]
    BadTlsServerName(String),
    #[error("cannot read the user's tokenFile {path}: {source}")]
    TokenFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Proxy(#[from] crate::kube::proxy::ProxyError),
    #[error(transparent)]
    CredentialPlugin(#[from] crate::kube::credential_plugin::PluginError),
    /// The current context names a context the kubeconfig lacks (client-go's
    /// `errContextNotFound`): refused even when flags give a server.
    #[error("context was not found for specified context: {0}")]
    ContextNotFound(String),
    /// Neither the kubeconfig nor the flags give a cluster.
    #[error("no configuration has been provided: no cluster is selected")]
    EmptyConfig,
    /// What client-go's validation refuses, in its words (kube::validation).
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
    /// Nothing identifies the user (no token, certificate, plugin or provider).
    #[error(
        "user {0:?} has no credentials in the kubeconfig (kubectl would ask for a user name and password)"
    )]
    NoCredentials(String),
    /// A removed or unknown auth-provider.
    #[error("{0}")]
    AuthProvider(String),
    #[error("no kubeconfig found (looked at {looked_at}) and not running inside a cluster")]
    NoConfig { looked_at: String },
    #[error("cannot create a Kubernetes client: {0}")]
    Client(#[source] kube::Error),
}

/// Which API call failed, so a 403 or 404 can be explained in its own terms.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiCall {
    ListPods {
        namespace: String,
    },
    /// One list of the pods of every namespace (`status -A`).
    ListPodsEverywhere,
    GetPod {
        namespace: String,
        pod: String,
    },
    Exec {
        namespace: String,
        pod: String,
    },
    PortForward {
        namespace: String,
        pod: String,
        port: u16,
    },
}

/// Why an API call failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiFailure {
    #[error(transparent)]
    Kube(#[from] kube::Error),
    /// It took longer than `--request-timeout`.
    #[error("the API server did not answer within {0:?} (--request-timeout)")]
    TimedOut(Duration),
}

impl ApiCallError {
    /// The API server answered 401 Unauthorized.
    pub fn is_unauthorized(&self) -> bool {
        matches!(&self.source, ApiFailure::Kube(kube::Error::Api(status)) if status.code == 401)
    }
}

/// A failed API call, with where it went: built by the call itself.
#[derive(Debug, thiserror::Error)]
#[error("{call:?} failed: {source}")]
pub struct ApiCallError {
    pub call: ApiCall,
    pub server: String,
    pub context: Option<String>,
    /// The `--request-timeout` in force (`None`: no limit).
    pub request_timeout: Option<Duration>,
    /// The proxy in the way, described without its credentials.
    pub proxy: Option<String>,
    #[source]
    pub source: ApiFailure,
}
