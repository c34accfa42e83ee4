//! Reaching the cluster the way kubectl does (which kubeconfig, context, cluster, user and
//! namespace, with kubectl's precedence), then the few API calls we make. Each call reports
//! its own failure as an [`ApiCallError`] naming the call, the server and the context.

use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::PostParams;
use kube::client::DynBody;
use kube::config::{Cluster, ExecConfig, Kubeconfig};
use kube::{Api, Client};
use secrecy::SecretString;

use crate::kube::credential_plugin;
use crate::kube::error::{ApiCall, ApiCallError, ApiFailure, ConfigError};
use crate::kube::kubeconfig::{kubeconfig_paths, read_kubeconfigs};
use crate::kube::proxy::{self, Proxy, ProxyEnv};
use crate::kube::select::{self, FlagOverrides};
use crate::kube::{credentials, transport, validation};

pub const USER_AGENT: &str = concat!("kubectl-coder/", env!("CARGO_PKG_VERSION"));

/// What to connect to, as kubectl's flags say it; the CLI fills it in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectOptions {
    /// `--kubeconfig`: this file instead of `$KUBECONFIG` and `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub cluster: Option<String>,
    pub user: Option<String>,
    /// `-n`: else the context's namespace, else `default`.
    pub namespace: Option<String>,
    /// The limit for each API request; `None` waits forever.
    pub request_timeout: Option<Duration>,
    /// `--server`, `--token`, `--as` and kubectl's other global flags.
    pub flags: FlagOverrides,
}

/// Where the client configuration came from, for `status` and for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    Files(Vec<PathBuf>),
    /// No kubeconfig file: kubectl's flags (`--server`, `--token`...) alone.
    Flags,
    InCluster,
}

impl ConfigSource {
    /// The files, `:`-separated, or "in-cluster service account".
    pub fn describe(&self) -> String {
        match self {
            ConfigSource::Files(paths) => paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(":"),
            ConfigSource::Flags => "command-line flags (no kubeconfig file)".to_string(),
            ConfigSource::InCluster => "in-cluster service account".to_string(),
        }
    }
}

/// Why the connection to the API server is not private.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insecurity {
    /// `http://`: the token and anything sent travel in clear.
    Cleartext,
    /// `insecure-skip-tls-verify`: anyone in the middle can pose as the server.
    UnverifiedServer,
}

impl Insecurity {
    pub fn describe(self) -> &'static str {
        match self {
            Insecurity::Cleartext => {
                "the API server is reached over plain http: no credential is sent (as kubectl), and a password would travel in clear"
            }
            Insecurity::UnverifiedServer => {
                "the API server's certificate is not verified (insecure-skip-tls-verify): anyone in the network path could pose as it and read a password"
            }
        }
    }
}

/// A connected client and what kubectl would call the current context.
#[derive(Clone)]
pub struct Connection {
    pub client: Client,
    pub context: Option<String>,
    pub cluster_url: String,
    pub namespace: String,
    pub source: ConfigSource,
    /// The limit for each API request; `None` waits forever.
    pub request_timeout: Option<Duration>,
    /// Set when the connection is not private.
    pub insecurity: Option<Insecurity>,
    /// The proxy in the way, if any.
    pub proxy: Option<Proxy>,
    /// How to get new credentials after a 401: the credential plugin, once, and the
    /// transport to rebuild with what it gives.
    renewal: Option<(Renewal, Transport)>,
}

/// Builds the client from the flags, kubeconfig files or the in-cluster service account, as
/// kubectl's deferred loader does (k8s.io/client-go/tools/clientcmd/merged_client_builder.go):
/// the kubeconfig and flags first, even with no file at all; the in-cluster account only when
/// they select no cluster.
pub async fn connect(options: &ConnectOptions) -> Result<Connection, ConfigError> {
    let home = crate::platform::home::live_kube_home();
    let (paths, looked_at) = kubeconfig_paths(
        options.kubeconfig.as_deref(),
        std::env::var_os("KUBECONFIG").as_deref(),
        home.as_deref(),
    );
    let kubeconfig = match paths.is_empty() {
        true => Kubeconfig::default(),
        false => read_kubeconfigs(&paths)?,
    };
    let names = select::Names {
        context: options.context.as_deref(),
        cluster: options.cluster.as_deref(),
        user: options.user.as_deref(),
    };
    let (selected, source) = match select::select(&kubeconfig, names, &options.flags) {
        Ok(selected) if paths.is_empty() => (selected, ConfigSource::Flags),
        Ok(selected) => (selected, ConfigSource::Files(paths)),
        Err(ConfigError::EmptyConfig) => (
            in_cluster(&options.flags).ok_or(ConfigError::NoConfig { looked_at })?,
            ConfigSource::InCluster,
        ),
        Err(e) => return Err(e),
    };
    let cluster = selected.cluster;
    validation::check_tls(&cluster)?;
    let (mut config, proxy) = client_config(&cluster, &ProxyEnv::from_env())?;
    let decided = credentials::decide(
        config.cluster_url.scheme_str() == Some("https"),
        &selected.user_name,
        selected.auth_info,
    )?;
    config.auth_info = decided.auth_info;
    config.default_namespace = selected.namespace.unwrap_or_else(|| "default".to_string());
    if let Some(timeout) = options.request_timeout {
        config.connect_timeout = Some(timeout);
    }
    config.headers.push((
        http::header::USER_AGENT,
        http::HeaderValue::from_static(USER_AGENT),
    ));
    let transport = Transport {
        socks: socks_proxy(proxy.as_ref()),
        config,
    };
    let renewal = decided.exec.map(|exec| Renewal {
        exec,
        cluster: cluster.clone(),
    });
    let client = match (&renewal, &decided.identity) {
        (Some(renewal), _) => transport.with(renewal.run()?)?,
        (None, Some((cert, key))) => {
            transport.build(Some(&transport::Identity::from_pem(cert, key)?))?
        }
        (None, None) => transport.build(None)?,
    };
    let namespace = options
        .namespace
        .clone()
        .unwrap_or_else(|| transport.config.default_namespace.clone());
    let cluster_url = transport.config.cluster_url.to_string();
    let insecurity = if transport.config.cluster_url.scheme_str() == Some("http") {
        Some(Insecurity::Cleartext)
    } else if transport.config.accept_invalid_certs {
        Some(Insecurity::UnverifiedServer)
    } else {
        None
    };
    Ok(Connection {
        client,
        context: selected.context,
        cluster_url,
        namespace,
        source,
        request_timeout: options.request_timeout,
        insecurity,
        proxy,
        renewal: renewal.map(|r| (r, transport)),
    })
}

/// A SOCKS5 proxy is reached by our own connector (kube/transport.rs), with its credentials.
fn socks_proxy(proxy: Option<&Proxy>) -> Option<transport::SocksProxy> {
    let proxy = proxy.filter(|p| p.url.scheme_str() == Some("socks5"))?;
    Some(transport::SocksProxy {
        address: proxy.address(),
        credentials: transport::proxy_credentials(&proxy.url).map(std::sync::Arc::new),
    })
}

/// Everything needed to build the client again with another credential.
#[derive(Clone)]
struct Transport {
    config: kube::Config,
    socks: Option<transport::SocksProxy>,
}

impl Transport {
    fn build(&self, identity: Option<&transport::Identity>) -> Result<Client, ConfigError> {
        transport::build_client(&self.config, identity, self.socks.clone(), limit_response)
    }

    /// The client with what a credential plugin gave: a token, or a certificate and key
    /// (PEM text, as client-go's ExecCredential status has them).
    fn with(&self, credential: credential_plugin::Credential) -> Result<Client, ConfigError> {
        use secrecy::ExposeSecret as _;
        let mut with = self.clone();
        let identity = match (
            &credential.client_certificate_data,
            &credential.client_key_data,
        ) {
            (Some(cert), Some(key)) => Some(transport::Identity::from_pem(
                cert.as_bytes(),
                key.expose_secret().as_bytes(),
            )?),
            _ => None,
        };
        if identity.is_none() {
            with.config.auth_info.token = credential.token;
        }
        with.build(identity.as_ref())
    }
}

/// What a 401 may renew: the kubeconfig's credential plugin, run again once.
#[derive(Clone)]
struct Renewal {
    exec: ExecConfig,
    cluster: Cluster,
}

impl Renewal {
    fn run(&self) -> Result<credential_plugin::Credential, ConfigError> {
        Ok(credential_plugin::run(&self.exec, &self.cluster)?)
    }
}

/// The in-cluster service account as a cluster and user; of kubectl's flags only `--server`,
/// `--token` and `--certificate-authority` apply there (client_config.go
/// `inClusterClientConfig.ClientConfig`).
fn in_cluster(flags: &FlagOverrides) -> Option<select::Selected> {
    let config = kube::Config::incluster().ok()?;
    let mut cluster = Cluster {
        server: Some(config.cluster_url.to_string()),
        certificate_authority: config
            .root_cert_file
            .as_ref()
            .map(|p| p.display().to_string()),
        ..Default::default()
    };
    let mut auth_info = config.auth_info;
    if let Some(server) = &flags.server {
        cluster.server = Some(server.clone());
    }
    if let Some(ca) = &flags.certificate_authority {
        cluster.certificate_authority = Some(ca.display().to_string());
    }
    if let Some(token) = &flags.token {
        auth_info.token = Some(SecretString::from(token.0.clone()));
        auth_info.token_file = None;
    }
    Some(select::Selected {
        context: None,
        namespace: Some(config.default_namespace.clone()),
        cluster_name: String::new(),
        user_name: String::new(),
        cluster,
        auth_info,
    })
}

/// kube's client configuration for a cluster, as client-go builds a rest.Config's server
/// side: the CA, TLS options and the proxy decided here ([`proxy::choose`], returned too,
/// for messages); kube's own retries off (a list is retried here, visibly, and a reset never).
pub fn client_config(
    cluster: &Cluster,
    env: &ProxyEnv,
) -> Result<(kube::Config, Option<Proxy>), ConfigError> {
    let server = cluster
        .server
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or(ConfigError::NoServer)?;
    let url: http::Uri = server
        .parse()
        .ok()
        .filter(|u: &http::Uri| u.host().is_some())
        .ok_or_else(|| ConfigError::BadServer(server.to_string()))?;
    let mut config = kube::Config::new(url);
    config.accept_invalid_certs = cluster.insecure_skip_tls_verify.unwrap_or(false);
    config.disable_compression = cluster.disable_compression.unwrap_or(false);
    config.tls_server_name = cluster.tls_server_name.clone().filter(|n| !n.is_empty());
    config.root_cert = certificate_authority(cluster)?;
    let proxy = proxy::choose(cluster.proxy_url.as_deref(), &config.cluster_url, env)?;
    config.proxy_url = proxy.as_ref().map(|p| p.url.clone());
    config.default_retry = false;
    Ok((config, proxy))
}

/// The cluster's CA certificates (DER), from `certificate-authority-data` or the file.
fn certificate_authority(cluster: &Cluster) -> Result<Option<Vec<Vec<u8>>>, ConfigError> {
    use base64::Engine as _;
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject as _;
    let pem = match (
        &cluster.certificate_authority_data,
        &cluster.certificate_authority,
    ) {
        (Some(data), _) => base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| {
                ConfigError::BadCertificateAuthority(
                    "certificate-authority-data is not base64".into(),
                )
            })?,
        (None, Some(path)) => std::fs::read(path).map_err(|e| {
            ConfigError::BadCertificateAuthority(format!("cannot read {path}: {e}"))
        })?,
        (None, None) => return Ok(None),
    };
    let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(&pem)
        .filter_map(Result::ok)
        .map(|c| c.as_ref().to_vec())
        .collect();
    if certs.is_empty() {
        return Err(ConfigError::BadCertificateAuthority(
            "no PEM certificate in the certificate authority".into(),
        ));
    }
    Ok(Some(certs))
}

/// The most we read of one API response: a pod list of a few thousand pods is far smaller,
/// and a server that sends more (or sends forever) must not fill the memory.
pub const MAX_RESPONSE_BYTES: usize = 16 << 20;

/// A response body that fails once it passes [`MAX_RESPONSE_BYTES`].
fn limit_response(response: http::Response<Box<DynBody>>) -> http::Response<Box<DynBody>> {
    response.map(|body| {
        let limited = http_body_util::Limited::new(body, MAX_RESPONSE_BYTES);
        Box::new(limited) as Box<DynBody>
    })
}

/// The list was larger than [`MAX_RESPONSE_BYTES`].
pub fn is_too_large(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = e.source();
    }
    false
}

impl Connection {
    /// After a 401: runs the credential plugin once more and rebuilds the client, as client-go
    /// refreshes an exec credential the API server rejected. False when there is nothing to
    /// renew (or it was renewed already).
    pub fn renew_credentials(&mut self) -> Result<bool, ConfigError> {
        let Some((renewal, transport)) = self.renewal.take() else {
            return Ok(false);
        };
        self.client = transport.with(renewal.run()?)?;
        Ok(true)
    }

    /// Runs one API call under `--request-timeout`.
    pub(crate) async fn timed<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, kube::Error>>,
    ) -> Result<T, ApiFailure> {
        match self.request_timeout {
            Some(limit) => match tokio::time::timeout(limit, call).await {
                Ok(result) => Ok(result?),
                Err(_) => Err(ApiFailure::TimedOut(limit)),
            },
            None => Ok(call.await?),
        }
    }

    /// Wraps a failure of `call` with where it went.
    pub fn api_error(&self, call: ApiCall, source: impl Into<ApiFailure>) -> ApiCallError {
        ApiCallError {
            call,
            server: self.cluster_url.clone(),
            context: self.context.clone(),
            request_timeout: self.request_timeout,
            proxy: self.proxy.as_ref().map(Proxy::describe),
            source: source.into(),
        }
    }

    pub fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    pub async fn get_pod(&self, name: &str) -> Result<Pod, ApiCallError> {
        self.timed(self.pods().get(name)).await.map_err(|err| {
            let call = ApiCall::GetPod {
                namespace: self.namespace.clone(),
                pod: name.to_string(),
            };
            self.api_error(call, err)
        })
    }

    /// Whether the namespace exists; `None` when we may not ask.
    pub async fn namespace_exists(&self) -> Option<bool> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        match self.timed(api.get_opt(&self.namespace)).await {
            Ok(found) => Some(found.is_some()),
            Err(_) => None,
        }
    }

    /// Asks the API server whether the current identity may `verb` `pods/<subresource>`
    /// (`exec`, `portforward`) on a pod.
    pub async fn may(&self, verb: &str, subresource: &str, pod: &str) -> Result<bool, ApiFailure> {
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    namespace: Some(self.namespace.clone()),
                    verb: Some(verb.to_string()),
                    resource: Some("pods".into()),
                    subresource: Some(subresource.into()),
                    name: Some(pod.to_string()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        let api: Api<SelfSubjectAccessReview> = Api::all(self.client.clone());
        let answer = self
            .timed(api.create(&PostParams::default(), &review))
            .await?;
        Ok(answer.status.is_some_and(|s| s.allowed))
    }
}
