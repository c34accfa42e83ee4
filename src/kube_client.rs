//! Reaching the cluster the way kubectl does: which kubeconfig, context, cluster, user and
//! namespace, with kubectl's precedence; then the few API calls we make.

use std::path::{Path, PathBuf};
use std::time::Duration;

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Api, Client};

use crate::cli::ConnectionArgs;

pub const USER_AGENT: &str = concat!("kubectl-coder/", env!("CARGO_PKG_VERSION"));

/// Where the client configuration came from, for `status` and for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    Files(Vec<PathBuf>),
    InCluster,
}

/// A connected client and what kubectl would call the current context.
#[derive(Clone)]
pub struct Connection {
    pub client: Client,
    pub context: Option<String>,
    pub cluster_url: String,
    pub namespace: String,
    pub source: ConfigSource,
    pub request_timeout: Option<Duration>,
}

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
    #[error("the kubeconfig has no current context")]
    NoCurrentContext,
    #[error("the kubeconfig could not be used: {0}")]
    Invalid(#[source] KubeconfigError),
    #[error("no kubeconfig found (looked at {looked_at}) and not running inside a cluster")]
    NoConfig { looked_at: String },
    #[error("cannot create a Kubernetes client: {0}")]
    Client(#[source] kube::Error),
}

/// Which kubeconfig files to read, in kubectl's order: `--kubeconfig`, else every existing
/// file in `$KUBECONFIG` (missing ones are skipped, as kubectl does), else `~/.kube/config`.
pub fn kubeconfig_paths(
    flag: Option<&Path>,
    env: Option<&std::ffi::OsStr>,
    home: Option<&Path>,
) -> (Vec<PathBuf>, String) {
    if let Some(path) = flag {
        // An explicit file must exist: kubectl fails rather than fall back.
        return (vec![path.to_path_buf()], path.display().to_string());
    }
    if let Some(value) = env.filter(|v| !v.is_empty()) {
        let listed: Vec<PathBuf> = std::env::split_paths(value)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        let described = format!("$KUBECONFIG={}", value.to_string_lossy());
        if !listed.is_empty() {
            return (
                listed.into_iter().filter(|p| p.exists()).collect(),
                described,
            );
        }
    }
    let default = home.map(|h| h.join(".kube").join("config"));
    let described = default
        .as_ref()
        .map_or("~/.kube/config".to_string(), |p| p.display().to_string());
    (
        default.into_iter().filter(|p| p.exists()).collect(),
        described,
    )
}

fn read_kubeconfigs(paths: &[PathBuf]) -> Result<Kubeconfig, ConfigError> {
    let mut merged: Option<Kubeconfig> = None;
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
            path: path.clone(),
            source,
        })?;
        let mut config = Kubeconfig::from_yaml(&text).map_err(|source| ConfigError::Malformed {
            path: path.clone(),
            source,
        })?;
        // Relative file references in a kubeconfig are relative to that file, as in kubectl.
        if let Some(dir) = path.parent() {
            resolve_relative_paths(&mut config, dir);
        }
        merged = Some(match merged {
            None => config,
            // First file to set a value wins (kubectl's merge rule).
            Some(first) => first
                .merge(config)
                .map_err(|source| ConfigError::Malformed {
                    path: path.clone(),
                    source,
                })?,
        });
    }
    Ok(merged.unwrap_or_default())
}

fn resolve_relative_paths(config: &mut Kubeconfig, dir: &Path) {
    let fix = |p: &mut Option<String>| {
        if let Some(path) = p.as_mut()
            && Path::new(path.as_str()).is_relative()
        {
            *path = dir.join(&*path).display().to_string();
        }
    };
    for cluster in &mut config.clusters {
        if let Some(c) = cluster.cluster.as_mut() {
            fix(&mut c.certificate_authority);
        }
    }
    for user in &mut config.auth_infos {
        if let Some(a) = user.auth_info.as_mut() {
            fix(&mut a.client_certificate);
            fix(&mut a.client_key);
            fix(&mut a.token_file);
            // A credential plugin named by a relative path ("./bin/login") is relative to the
            // kubeconfig too; a bare name ("aws") is looked up on PATH, as in client-go.
            if let Some(exec) = a.exec.as_mut()
                && exec.command.as_deref().is_some_and(|c| c.contains('/'))
            {
                fix(&mut exec.command);
            }
        }
    }
}

/// Builds the client from the flags, kubeconfig files or the in-cluster service account.
pub async fn connect(args: &ConnectionArgs) -> Result<Connection, ConfigError> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let (paths, looked_at) = kubeconfig_paths(
        args.kubeconfig.as_deref(),
        std::env::var_os("KUBECONFIG").as_deref(),
        home.as_deref(),
    );

    let (mut config, context, source) = if paths.is_empty() {
        match kube::Config::incluster() {
            Ok(config) => (config, None, ConfigSource::InCluster),
            Err(_) => return Err(ConfigError::NoConfig { looked_at }),
        }
    } else {
        let kubeconfig = read_kubeconfigs(&paths)?;
        let context = args
            .context
            .clone()
            .or_else(|| kubeconfig.current_context.clone());
        let options = KubeConfigOptions {
            context: args.context.clone(),
            cluster: args.cluster.clone(),
            user: args.user.clone(),
        };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| match e {
                KubeconfigError::LoadContext(name) => ConfigError::UnknownContext(name),
                KubeconfigError::CurrentContextNotSet => ConfigError::NoCurrentContext,
                other => ConfigError::Invalid(other),
            })?;
        (config, context, ConfigSource::Files(paths))
    };

    if let Some(timeout) = args.request_timeout {
        config.connect_timeout = Some(timeout);
    }
    config.headers.push((
        http::header::USER_AGENT,
        http::HeaderValue::from_static(USER_AGENT),
    ));
    let namespace = args
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    let cluster_url = config.cluster_url.to_string();
    let client = Client::try_from(config).map_err(ConfigError::Client)?;
    Ok(Connection {
        client,
        context,
        cluster_url,
        namespace,
        source,
        request_timeout: args.request_timeout,
    })
}

/// An API call that took longer than `--request-timeout`.
#[derive(Debug, thiserror::Error)]
#[error("the API server did not answer within {0:?} (--request-timeout)")]
pub struct RequestTimedOut(pub Duration);

impl Connection {
    /// Runs one API call under `--request-timeout`.
    pub async fn timed<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, kube::Error>>,
    ) -> anyhow::Result<T> {
        match self.request_timeout {
            Some(limit) => match tokio::time::timeout(limit, call).await {
                Ok(result) => Ok(result?),
                Err(_) => Err(RequestTimedOut(limit).into()),
            },
            None => Ok(call.await?),
        }
    }

    pub fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    /// Lists pods in the namespace, optionally by label selector. A list has no side effects,
    /// so a 5xx or a dropped connection is retried with backoff (unlike an exec).
    pub async fn list_pods(&self, selector: Option<&str>) -> anyhow::Result<Vec<Pod>> {
        let mut params = ListParams::default();
        if let Some(selector) = selector {
            params = params.labels(selector);
        }
        let api = self.pods();
        let mut delay = Duration::from_millis(200);
        let mut attempt = 1;
        loop {
            match self.timed(api.list(&params)).await {
                Ok(list) => return Ok(list.items),
                Err(err) if attempt < 3 && is_transient(&err) => {
                    tokio::time::sleep(delay).await;
                    delay *= 3;
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }

    pub async fn get_pod(&self, name: &str) -> anyhow::Result<Pod> {
        self.timed(self.pods().get(name)).await
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

    pub async fn namespace_exists(&self) -> Option<bool> {
        let api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(self.client.clone());
        match self.timed(api.get_opt(&self.namespace)).await {
            Ok(found) => Some(found.is_some()),
            Err(_) => None,
        }
    }

    /// Asks the API server whether the current identity may `verb` `pods/exec` on a pod.
    pub async fn may_exec(&self, verb: &str, pod: &str) -> anyhow::Result<bool> {
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    namespace: Some(self.namespace.clone()),
                    verb: Some(verb.to_string()),
                    resource: Some("pods".into()),
                    subresource: Some("exec".into()),
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
fn is_transient(err: &anyhow::Error) -> bool {
    match err.downcast_ref::<kube::Error>() {
        Some(kube::Error::Api(status)) => status.code >= 500,
        Some(kube::Error::HyperError(_)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn kubeconfig_precedence() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        let missing = dir.path().join("missing");
        std::fs::write(&a, "").unwrap();
        std::fs::write(&b, "").unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".kube")).unwrap();
        std::fs::write(home.join(".kube/config"), "").unwrap();
        let list = std::env::join_paths([&missing, &b, &a]).unwrap();

        // --kubeconfig beats $KUBECONFIG, and must exist even when it does not.
        assert_eq!(
            kubeconfig_paths(Some(&missing), Some(&list), Some(&home)).0,
            vec![missing.clone()]
        );
        // $KUBECONFIG lists files in order, skipping missing ones.
        assert_eq!(
            kubeconfig_paths(None, Some(&list), Some(&home)).0,
            vec![b.clone(), a.clone()]
        );
        // An empty $KUBECONFIG is as if unset.
        assert_eq!(
            kubeconfig_paths(None, Some(OsStr::new("")), Some(&home)).0,
            vec![home.join(".kube/config")]
        );
        assert_eq!(
            kubeconfig_paths(None, None, Some(&home)).0,
            vec![home.join(".kube/config")]
        );
        // Nothing at all: in-cluster is tried next.
        assert!(kubeconfig_paths(None, None, Some(dir.path())).0.is_empty());
    }

    fn config(context: &str, namespace: &str, cluster: &str, server: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: {context}\ncontexts:\n- name: {context}\n  context: {{cluster: {cluster}, user: u-{context}, namespace: {namespace}}}\nclusters:\n- name: {cluster}\n  cluster: {{server: '{server}'}}\nusers:\n- name: u-{context}\n  user: {{token: t-{context}}}\n"
        )
    }

    #[test]
    fn merged_kubeconfigs_first_file_wins() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first");
        let second = dir.path().join("second");
        std::fs::write(
            &first,
            config("one", "ns-one", "shared", "https://127.0.0.1:1"),
        )
        .unwrap();
        std::fs::write(
            &second,
            config("two", "ns-two", "shared", "https://127.0.0.1:2"),
        )
        .unwrap();
        let merged = read_kubeconfigs(&[first, second]).unwrap();
        assert_eq!(merged.current_context.as_deref(), Some("one"));
        assert_eq!(merged.contexts.len(), 2);
        // Both name the cluster "shared": the first file's definition is kept.
        assert_eq!(merged.clusters.len(), 1);
        assert_eq!(
            merged.clusters[0]
                .cluster
                .as_ref()
                .unwrap()
                .server
                .as_deref(),
            Some("https://127.0.0.1:1")
        );
    }

    #[test]
    fn relative_certificate_paths_follow_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kc");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1', certificate-authority: ca.pem}\n",
        )
        .unwrap();
        let config = read_kubeconfigs(&[path]).unwrap();
        let ca = config.clusters[0]
            .cluster
            .as_ref()
            .unwrap()
            .certificate_authority
            .clone()
            .unwrap();
        assert_eq!(PathBuf::from(ca), dir.path().join("ca.pem"));
    }

    #[test]
    fn relative_credential_plugin_paths_follow_the_file_but_bare_names_use_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kc");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/login}\n- name: b\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}\n",
        )
        .unwrap();
        let config = read_kubeconfigs(&[path]).unwrap();
        let command = |i: usize| {
            config.auth_infos[i]
                .auth_info
                .as_ref()
                .unwrap()
                .exec
                .as_ref()
                .unwrap()
                .command
                .clone()
        };
        assert_eq!(
            command(0).map(PathBuf::from),
            Some(dir.path().join("./bin/login"))
        );
        assert_eq!(command(1).as_deref(), Some("aws"));
    }

    #[test]
    fn malformed_kubeconfig_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken");
        std::fs::write(&path, "clusters: [ {").unwrap();
        let err = read_kubeconfigs(std::slice::from_ref(&path)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("kubeconfig {} is not valid", path.display())),
            "{err}"
        );
    }
}
