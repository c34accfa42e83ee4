//! `kubectl coder status -A`: every Coder deployment in the cluster, from one cluster-wide pod
//! list read page by page, then per deployment what `status` looks at (access reviews, a look
//! inside a v2 pod when its spec cannot tell), a few deployments at a time.

use futures::StreamExt;

use crate::coder::inventory::{Deployment, Inventory};
use crate::commands::session::Session;
use crate::commands::status::{Findings, look_at, pod_status};
use crate::exit_codes::ExitCode;
use crate::kube::connection::Connection;
use crate::ui::inventory::{DeploymentStatus, render_inventory};
use crate::ui::output;
use crate::ui::problem::Problem;

/// Deployments looked at at once: their access reviews (and probes) overlap, and a cluster
/// with dozens of deployments does not open dozens of connections.
const AT_ONCE: usize = 8;

pub async fn run(session: &Session<'_>) -> anyhow::Result<ExitCode> {
    let mut conn = session.connect().await?;
    if let Some(insecurity) = conn.insecurity {
        output::note(&format!("warning: {}", insecurity.describe()));
    }
    let mut deployments = take_inventory(session, &mut conn).await?;
    if deployments.is_empty() {
        return Err(Problem::new(
            ExitCode::NotFound,
            "no Coder server pods in any namespace",
            Some(
                "check the context (`kubectl config current-context`); a Coder server pod has the label app.kubernetes.io/name=coder (v2) or coder.deployment=coderd (v1)"
                    .to_string(),
            ),
        )
        .into());
    }
    let conn = &conn;
    let findings: Vec<Findings> = futures::stream::iter(deployments.iter_mut())
        .map(|d| async move {
            let there = in_namespace(conn, &d.namespace);
            look_at(session, &there, &mut d.target).await
        })
        .buffered(AT_ONCE)
        .collect()
        .await;
    let source = conn.source.describe();
    let rows: Vec<DeploymentStatus> = deployments
        .iter()
        .zip(&findings)
        .map(|(d, found)| DeploymentStatus {
            context: conn.context.as_deref(),
            cluster: &conn.cluster_url,
            namespace: &d.namespace,
            config_source: &source,
            release: d.release.as_deref(),
            ready_pods: d.ready,
            server_pods: d.pods,
            pod: pod_status(&d.target, found),
            pod_problem: (!d.usable).then(|| {
                format!(
                    "no server pod of this deployment can run a command now (0 of {} Ready)",
                    d.pods
                )
            }),
        })
        .collect();
    output::stdout(&render_inventory(session.format(), &rows))?;
    Ok(ExitCode::Success)
}

/// The same connection, its namespace-scoped calls (access reviews, exec) aimed at `namespace`.
pub(crate) fn in_namespace(conn: &Connection, namespace: &str) -> Connection {
    let mut there = conn.clone();
    there.namespace = namespace.to_string();
    there
}

/// Every Coder deployment, from one cluster-wide list (`-l` and `--generation` apply). A 401
/// with a credential plugin runs the plugin once more and asks again, as `find_target` does.
pub(crate) async fn take_inventory(
    session: &Session<'_>,
    conn: &mut Connection,
) -> anyhow::Result<Vec<Deployment>> {
    let overrides = &session.config.overrides;
    let selector = overrides.selector.as_deref();
    session.log.line(&format!(
        "listing pods in all namespaces{}",
        selector
            .map(|s| format!(" with selector {s}"))
            .unwrap_or_default()
    ));
    let mut inventory = Inventory::new(overrides);
    match conn
        .list_pods_in_all_namespaces(selector, &mut inventory)
        .await
    {
        Err(e) if e.is_unauthorized() && conn.renew_credentials()? => {
            session
                .log
                .line("the API server answered 401: ran the credential plugin again");
            inventory = Inventory::new(overrides);
            conn.list_pods_in_all_namespaces(selector, &mut inventory)
                .await?;
        }
        other => other?,
    }
    let seen = inventory.seen();
    let deployments = inventory.finish();
    session.log.line(&format!(
        "listed {seen} pods: {} Coder deployments",
        deployments.len()
    ));
    Ok(deployments)
}
