//! Reaching the cluster the way kubectl does (which kubeconfig, context, cluster, user and
//! namespace, with kubectl's precedence), then the few API calls we make. Each call reports
//! its own failure as an [`ApiCallError`] naming the call, the server and the context.

use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{ListParams, PostParams};
use kube::client::{ClientBuilder, DynBody};
use kube::config::{AuthInfo, Cluster, ExecConfig};
use kube::{Api, Client};
use secrecy::SecretString;
use tower::util::MapResponseLayer;

use crate::kube::credential_plugin;
use crate::kube::error::{ApiCall, ApiCallError, ApiFailure, ConfigError};
use crate::kube::kubeconfig::{kubeconfig_paths, read_kubeconfigs};
use crate::kube::proxy::{self, Proxy, ProxyEnv};
use crate::kube::select::{self, FlagOverrides};
use crate::kube::socks_relay;

pub const USER_AGENT: &str = concat!("kubectl-coder/", env!("CARGO_PKG_VERSION"));

/// Pods asked for per request, as kubectl's chunk size.
const PAGE: u32 = 500;
/// No namespace of a Coder deployment has more: stop following `continue` there.
const MAX_PODS: usize = 20_000;

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
                "the API server is reached over plain http: the token and a password would travel in clear"
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
    /// How to get new credentials after a 401: the credential plugin, once.
    renewal: Option<Renewal>,
}

/// What a 401 may renew: the kubeconfig's credential plugin, run again once.
#[derive(Clone)]
struct Renewal {
    exec: ExecConfig,
    cluster: Cluster,
    config: kube::Config,
}

/// Builds the client from the flags, kubeconfig files or the in-cluster service account.
pub async fn connect(options: &ConnectOptions) -> Result<Connection, ConfigError> {
    let home = crate::platform::home::live_kube_home();
    let (paths, looked_at) = kubeconfig_paths(
        options.kubeconfig.as_deref(),
        std::env::var_os("KUBECONFIG").as_deref(),
        home.as_deref(),
    );

    let (selected, source) = if paths.is_empty() {
        (
            in_cluster().ok_or(ConfigError::NoConfig { looked_at })?,
            ConfigSource::InCluster,
        )
    } else {
        let kubeconfig = read_kubeconfigs(&paths)?;
        let selected = select::select(
            &kubeconfig,
            options.context.as_deref(),
            options.cluster.as_deref(),
            options.user.as_deref(),
        )?;
        (selected, ConfigSource::Files(paths))
    };
    let (cluster, mut user) = select::apply(selected.cluster, selected.auth_info, &options.flags);
    let exec = user.exec.take();
    let (mut config, proxy) = client_config(&cluster, user, &ProxyEnv::from_env())?;
    // kube cannot authenticate to a SOCKS5 proxy: it talks to our relay, which does.
    if let Some(proxy) = &proxy
        && proxy.url.scheme_str() == Some("socks5")
        && let Some((user, password)) = socks_relay::credentials(&proxy.url)
    {
        let relay = socks_relay::start(proxy.address(), user, password)
            .await
            .map_err(ConfigError::ProxyRelay)?;
        config.proxy_url = Some(relay);
    }
    config.default_namespace = selected.namespace.unwrap_or_else(|| "default".to_string());
    if let Some(timeout) = options.request_timeout {
        config.connect_timeout = Some(timeout);
    }
    let renewal = exec.map(|exec| Renewal {
        exec,
        cluster: cluster.clone(),
        config: config.clone(),
    });
    if let Some(renewal) = &renewal {
        config = renewal.with_fresh_credential()?;
    }
    let namespace = options
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    let cluster_url = config.cluster_url.to_string();
    let insecurity = if config.cluster_url.scheme_str() == Some("http") {
        Some(Insecurity::Cleartext)
    } else if config.accept_invalid_certs {
        Some(Insecurity::UnverifiedServer)
    } else {
        None
    };
    Ok(Connection {
        client: build_client(config)?,
        context: selected.context,
        cluster_url,
        namespace,
        source,
        request_timeout: options.request_timeout,
        insecurity,
        proxy,
        renewal,
    })
}

impl Renewal {
    /// The config with what the plugin gives now.
    fn with_fresh_credential(&self) -> Result<kube::Config, ConfigError> {
        let credential = credential_plugin::run(&self.exec, &self.cluster)?;
        let mut config = self.config.clone();
        config.auth_info.token = credential.token;
        config.auth_info.client_certificate_data = credential.client_certificate_data;
        config.auth_info.client_key_data = credential.client_key_data;
        Ok(config)
    }
}

fn build_client(config: kube::Config) -> Result<Client, ConfigError> {
    let mut config = config;
    config.headers.push((
        http::header::USER_AGENT,
        http::HeaderValue::from_static(USER_AGENT),
    ));
    Ok(ClientBuilder::try_from(config)
        .map_err(ConfigError::Client)?
        .with_layer(&MapResponseLayer::new(limit_response))
        .build())
}

/// The in-cluster service account as a cluster and user, so that kubectl's flags apply to it
/// as to a kubeconfig's (rest.InClusterConfig).
fn in_cluster() -> Option<select::Selected> {
    let config = kube::Config::incluster().ok()?;
    let cluster = Cluster {
        server: Some(config.cluster_url.to_string()),
        certificate_authority: config
            .root_cert_file
            .as_ref()
            .map(|p| p.display().to_string()),
        ..Default::default()
    };
    Some(select::Selected {
        context: None,
        namespace: Some(config.default_namespace.clone()),
        cluster,
        auth_info: config.auth_info,
    })
}

/// kube's client configuration from a cluster and user, as client-go builds a rest.Config:
/// the CA, TLS options and the proxy decided here ([`proxy::choose`], returned too, for
/// messages); a `tokenFile` read and trimmed (kubectl trims it); kube's own retries off (a
/// list is retried here, visibly, and a reset never).
pub fn client_config(
    cluster: &Cluster,
    mut user: AuthInfo,
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
    config.tls_server_name = cluster.tls_server_name.clone();
    config.root_cert = certificate_authority(cluster)?;
    let proxy = proxy::choose(cluster.proxy_url.as_deref(), &config.cluster_url, env)?;
    config.proxy_url = proxy.as_ref().map(|p| p.url.clone());
    config.default_retry = false;
    if let Some(path) = user.token_file.take() {
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::TokenFile {
            path: PathBuf::from(&path),
            source,
        })?;
        user.token = Some(SecretString::from(text.trim().to_string()));
    }
    config.auth_info = user;
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
        let Some(renewal) = self.renewal.take() else {
            return Ok(false);
        };
        self.client = build_client(renewal.with_fresh_credential()?)?;
        Ok(true)
    }

    /// Runs one API call under `--request-timeout`.
    async fn timed<T>(
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

    /// Lists pods in the namespace, optionally by label selector, in pages of [`PAGE`] as
    /// kubectl does. A list has no side effects, so a 5xx or a dropped connection is retried
    /// with backoff (unlike an exec).
    pub async fn list_pods(&self, selector: Option<&str>) -> Result<Vec<Pod>, ApiCallError> {
        let mut params = ListParams::default().limit(PAGE);
        if let Some(selector) = selector {
            params = params.labels(selector);
        }
        let api = self.pods();
        let mut pods = Vec::new();
        loop {
            let page = self.list_page(&api, &params).await?;
            pods.extend(page.items);
            match page.metadata.continue_ {
                Some(token) if !token.is_empty() && pods.len() < MAX_PODS => {
                    params = params.continue_token(&token);
                }
                _ => return Ok(pods),
            }
        }
    }

    async fn list_page(
        &self,
        api: &Api<Pod>,
        params: &ListParams,
    ) -> Result<kube::core::ObjectList<Pod>, ApiCallError> {
        let mut delay = Duration::from_millis(200);
        let mut attempt = 1;
        loop {
            match self.timed(api.list(params)).await {
                Ok(list) => return Ok(list),
                Err(err) if attempt < 3 && is_transient(&err) => {
                    tokio::time::sleep(delay).await;
                    delay *= 3;
                    attempt += 1;
                }
                Err(err) => {
                    let call = ApiCall::ListPods {
                        namespace: self.namespace.clone(),
                    };
                    return Err(self.api_error(call, err));
                }
            }
        }
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

    /// Pods in all namespaces with Coder's common label, for the "try -n" hint. Best effort.
    /// Two label queries, since the oldest v1 charts (cemanager) lack the common label.
    pub async fn coder_pods_everywhere(&self) -> Option<Vec<Pod>> {
        let api: Api<Pod> = Api::all(self.client.clone());
        let mut found = None;
        for selector in [
            "app.kubernetes.io/name=coder",
            "coder.deployment in (coderd,cemanager)",
        ] {
            let params = ListParams::default().labels(selector);
            if let Ok(list) = self.timed(api.list(&params)).await {
                found.get_or_insert_with(Vec::new).extend(list.items);
            }
        }
        found
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

/// Errors worth another try for a read-only request.
fn is_transient(err: &ApiFailure) -> bool {
    match err {
        ApiFailure::Kube(kube::Error::Api(status)) => status.code >= 500,
        ApiFailure::Kube(kube::Error::HyperError(_)) => true,
        _ => false,
    }
}
