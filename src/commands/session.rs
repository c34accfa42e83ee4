//! What every command that talks to the cluster starts with: the checked config, the
//! terminal, the verbose log; then connecting and finding the Coder server pod.

use crate::cli::config::Config;
use crate::coder::locate::{self, LocateError, PodSieve};
use crate::coder::skips::CoderNamespaces;
use crate::coder::target::Target;
use crate::exit_codes::ExitCode;

use crate::kube::connection::{self, Connection};
use crate::kube::error::ApiCallError;
use crate::ui::output::{Log, OutputFormat};
use crate::ui::problem::Problem;
use crate::ui::terminal::Terminal;

/// What a command runs with.
pub struct Session<'a> {
    pub config: &'a Config,
    pub terminal: Terminal,
    pub log: Log,
}

impl<'a> Session<'a> {
    pub fn new(config: &'a Config, terminal: Terminal) -> Session<'a> {
        Session {
            config,
            terminal,
            log: Log {
                enabled: config.verbose,
            },
        }
    }

    pub fn format(&self) -> OutputFormat {
        self.config.output
    }

    pub async fn connect(&self) -> anyhow::Result<Connection> {
        let conn = connection::connect(&self.config.connect).await?;
        self.log.line(&format!(
            "context {}, cluster {}, namespace {}, {}",
            conn.context.as_deref().unwrap_or("(in-cluster)"),
            conn.cluster_url,
            conn.namespace,
            conn.proxy
                .as_ref()
                .map_or("no proxy".to_string(), |p| format!(
                    "through {}",
                    p.describe()
                ))
        ));
        Ok(conn)
    }

    /// Lists (or gets) pods and picks the target. On failure, looks around for a better hint:
    /// whether the namespace exists and which other namespaces run Coder. Those extra requests
    /// happen only on this error path, so a reset costs one list and one exec.
    pub async fn find_target(&self, conn: &mut Connection) -> anyhow::Result<Target> {
        let overrides = &self.config.overrides;
        let sieve = match self.fetch_pods(conn).await {
            // A credential plugin's token the server rejects: run the plugin once more, as
            // client-go does on a 401, and ask again.
            Err(e) if e.is_unauthorized() && conn.renew_credentials()? => {
                self.log
                    .line("the API server answered 401: ran the credential plugin again");
                self.fetch_pods(conn).await?
            }
            other => other?,
        };
        let conn = &*conn;
        let namespace = &conn.namespace;
        let seen = sieve.seen();
        match sieve.finish() {
            Ok(target) => {
                self.log.line(&format!(
                    "chose pod {} container {} ({}, detected by {})",
                    target.pod,
                    target.container,
                    target.generation.label(),
                    target.detected_by
                ));
                Ok(target)
            }
            Err(LocateError::NoPod(mut no_pod)) => {
                if seen == 0 && conn.namespace_exists().await == Some(false) {
                    return Err(Problem::new(
                        ExitCode::NotFound,
                        format!("namespace {namespace:?} does not exist"),
                        Some(
                            locate::elsewhere_hint(&coder_namespaces_elsewhere(conn).await)
                                .unwrap_or_else(|| {
                                    "check the name with `kubectl get namespaces`".to_string()
                                }),
                        ),
                    )
                    .into());
                }
                if !no_pod.has_coder_pods() && overrides.pod.is_none() {
                    no_pod.elsewhere = coder_namespaces_elsewhere(conn).await;
                }
                Err(LocateError::NoPod(no_pod).into())
            }
            Err(other) => Err(other.into()),
        }
    }
}

impl Session<'_> {
    /// The pod named with `--pod`, or the namespace's pods (with `-l`), judged as they arrive.
    async fn fetch_pods(&self, conn: &Connection) -> Result<PodSieve, ApiCallError> {
        let overrides = &self.config.overrides;
        let namespace = &conn.namespace;
        let mut sieve = PodSieve::new(namespace, overrides);
        match &overrides.pod {
            Some(name) => {
                self.log.line(&format!("getting pod {namespace}/{name}"));
                sieve.add(&conn.get_pod(name).await?);
            }
            None => {
                self.log.line(&format!(
                    "listing pods in namespace {namespace}{}",
                    overrides
                        .selector
                        .as_deref()
                        .map(|s| format!(" with selector {s}"))
                        .unwrap_or_default()
                ));
                conn.list_pods(overrides.selector.as_deref(), &mut sieve)
                    .await?;
                self.log.line(&format!("listed {} pods", sieve.seen()));
            }
        }
        Ok(sieve)
    }
}

/// Other namespaces where Coder server pods run (best effort: empty when we may not look).
/// Two label queries across the cluster, since the oldest v1 charts (cemanager) lack the
/// common label; each read page by page, keeping only the namespaces.
async fn coder_namespaces_elsewhere(conn: &Connection) -> Vec<String> {
    let mut found = CoderNamespaces {
        current: conn.namespace.clone(),
        ..Default::default()
    };
    for selector in [
        "app.kubernetes.io/name=coder",
        "coder.deployment in (coderd,cemanager)",
    ] {
        let mut more = CoderNamespaces {
            current: conn.namespace.clone(),
            ..Default::default()
        };
        if conn
            .list_pods_everywhere(Some(selector), &mut more)
            .await
            .is_ok()
        {
            found.found.append(&mut more.found);
        }
    }
    found.found.into_iter().collect()
}
