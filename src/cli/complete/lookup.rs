//! Names that only the kubeconfig or the cluster know, for completion: contexts, clusters and
//! users from the kubeconfig files kubectl would read, and namespaces, pods and containers from
//! the cluster within a short time limit.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Namespace, Pod};

use crate::cli::complete::protocol::{Lookup, Scope, Source};
use crate::kube::connection::connect;
use crate::kube::kubeconfig::kubeconfig_paths;
use crate::kube::pod_list::PodSink;

/// Names from the kubeconfig and the cluster, the way the plugin itself finds them.
pub struct KubeSource {
    /// The limit for everything that talks to the API server.
    pub timeout: Duration,
}

impl Default for KubeSource {
    fn default() -> Self {
        KubeSource {
            timeout: Duration::from_secs(2),
        }
    }
}

impl Source for KubeSource {
    fn lookup(&self, what: Lookup, scope: &Scope) -> Vec<String> {
        match what {
            Lookup::Contexts | Lookup::Clusters | Lookup::Users => kubeconfig_names(what, scope),
            Lookup::Namespaces | Lookup::Pods | Lookup::Containers => {
                self.cluster_names(what, scope).unwrap_or_default()
            }
        }
    }
}

/// Context, cluster or user names from the kubeconfig files kubectl would read, in file order.
fn kubeconfig_names(what: Lookup, scope: &Scope) -> Vec<String> {
    let home = crate::platform::home::live_kube_home();
    let (paths, _) = kubeconfig_paths(
        scope.connection.kubeconfig.as_deref(),
        std::env::var_os("KUBECONFIG").as_deref(),
        home.as_deref(),
    );
    let mut names = Vec::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(config) = kube::config::Kubeconfig::from_yaml(&text) else {
            continue;
        };
        match what {
            Lookup::Contexts => names.extend(config.contexts.into_iter().map(|c| c.name)),
            Lookup::Clusters => names.extend(config.clusters.into_iter().map(|c| c.name)),
            Lookup::Users => names.extend(config.auth_infos.into_iter().map(|u| u.name)),
            _ => {}
        }
    }
    names
}

impl KubeSource {
    fn cluster_names(&self, what: Lookup, scope: &Scope) -> Option<Vec<String>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        let mut connection = scope.connection.clone();
        connection.request_timeout = Some(self.timeout);
        runtime.block_on(async {
            tokio::time::timeout(self.timeout, async {
                let conn = connect(&connection).await.ok()?;
                match what {
                    Lookup::Namespaces => {
                        let api: kube::Api<Namespace> = kube::Api::all(conn.client.clone());
                        let list = api.list(&kube::api::ListParams::default()).await.ok()?;
                        Some(
                            list.items
                                .into_iter()
                                .filter_map(|n| n.metadata.name)
                                .collect(),
                        )
                    }
                    Lookup::Pods => conn.list_pod_names().await.ok(),
                    // The containers of the pod named, else of every pod.
                    _ => {
                        let mut containers = ContainerNames::default();
                        match &scope.pod {
                            Some(name) => containers.pod(conn.get_pod(name).await.ok()?),
                            None => conn.list_pods(None, &mut containers).await.ok()?,
                        }
                        Some(containers.names)
                    }
                }
            })
            .await
            .ok()
            .flatten()
        })
    }
}

/// Container names, kept as pages arrive.
#[derive(Default)]
struct ContainerNames {
    names: Vec<String>,
}

impl PodSink for ContainerNames {
    fn pod(&mut self, pod: Pod) {
        let containers = pod.spec.into_iter().flat_map(|spec| spec.containers);
        self.names.extend(containers.map(|c| c.name));
    }
    fn restart(&mut self) {
        self.names.clear();
    }
}
