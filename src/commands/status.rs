//! `kubectl coder status`: the context, namespace, Coder pod and generation, whether the
//! current identity may exec there, and what a reset will meet (the database, password login,
//! the version). A missing pod is reported, not an error of the command.

use std::time::Duration;

use crate::coder::probe::{self, DatabaseStatus, Found};
use crate::coder::spec::Database;
use crate::coder::target::{Generation, Target};
use crate::commands::server_config;
use crate::commands::session::Session;
use crate::exit_codes::ExitCode;
use crate::kube::connection::Connection;
use crate::kube::exec::{self, End, ExecRequest, Stdin};
use crate::kube::signals::Signals;
use crate::ui::output::{self, ExecAccess, PodStatus, StatusReport};
use crate::ui::problem;

/// How long the look into the pod may take when `--timeout` is not given.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

pub async fn run(session: &Session<'_>) -> anyhow::Result<ExitCode> {
    let mut conn = session.connect().await?;
    if let Some(insecurity) = conn.insecurity {
        output::note(&format!("warning: {}", insecurity.describe()));
    }
    let (mut target, pod_problem) = match session.find_target(&mut conn).await {
        Ok(target) => (Some(target), None),
        Err(err) => {
            let problem = problem::describe(&err);
            if problem.exit != ExitCode::NotFound && problem.exit != ExitCode::Usage {
                return Err(err);
            }
            (None, Some(problem))
        }
    };
    let findings = match target.as_mut() {
        Some(t) => Some(look_at(session, &conn, t).await),
        None => None,
    };
    let database = findings.as_ref().and_then(|f| f.database.clone());
    let report = StatusReport {
        context: conn.context.as_deref(),
        cluster: &conn.cluster_url,
        namespace: &conn.namespace,
        config_source: conn.source.describe(),
        pod: target
            .as_ref()
            .zip(findings.as_ref())
            .map(|(t, f)| pod_status(t, f)),
        pod_problem: pod_problem.as_ref().map(|p| p.message.clone()),
    };
    output::stdout(&output::render_status(session.format(), &report))?;
    if let Some(warning) = target.as_ref().and_then(|t| t.unowned_warning()) {
        output::note(&warning);
    }
    if let Some(DatabaseStatus::None) = database {
        output::note(
            "warning: this Coder server has no database URL and no built-in PostgreSQL: reset-password and create-admin-user will fail; set CODER_PG_CONNECTION_URL in the deployment",
        );
    }
    match pod_problem {
        Some(problem) => {
            if let Some(hint) = &problem.hint {
                output::note(&format!("hint: {hint}"));
            }
            Ok(problem.exit)
        }
        None => Ok(ExitCode::Success),
    }
}

/// What `status` learns about a server pod beyond its spec.
pub(crate) struct Findings {
    pub exec: ExecAccess,
    /// v1: reset-password goes through a port-forward to coderd.
    pub port_forward: Option<ExecAccess>,
    /// v2: where a reset will find the database.
    pub database: Option<DatabaseStatus>,
    /// From `coder version` in the pod, when the image tag names no version.
    pub probed_version: Option<String>,
}

/// The access reviews, and a look inside a v2 pod when the spec and the image tag cannot
/// tell. A v2 server's config file, when it has one, settles password login in `t` (read in
/// the pod unless exec is refused outright). `conn`'s namespace must be the pod's.
pub(crate) async fn look_at(session: &Session<'_>, conn: &Connection, t: &mut Target) -> Findings {
    let exec = review(conn, "exec", &t.pod).await;
    if t.generation == Generation::V2 && exec.get != Some(false) {
        server_config::settle_password_login(session, conn, t).await;
    }
    let t = &*t;
    // Coder v1's reset-password reaches coderd through a port-forward.
    let port_forward = match t.generation.is_v1() {
        true => Some(review(conn, "portforward", &t.pod).await),
        false => None,
    };
    // Only what the spec and the image tag cannot tell is looked up in the pod.
    let probe = match needs_probe(t) {
        true => Some(look_inside(session, conn, t, exec).await),
        false => None,
    };
    let database = (t.generation == Generation::V2).then(|| {
        let found = match &probe {
            Some(Ok(found)) => Ok(found),
            Some(Err(reason)) => Err(reason.as_str()),
            None => Ok(&Found::default()),
        };
        probe::database_status(&t.spec.database, found)
    });
    let probed_version = match probe {
        Some(Ok(found)) => found.version,
        _ => None,
    };
    Findings {
        exec,
        port_forward,
        database,
        probed_version,
    }
}

/// The `pod` part of a status report.
pub(crate) fn pod_status<'a>(t: &'a Target, found: &'a Findings) -> PodStatus<'a> {
    PodStatus {
        name: &t.pod,
        container: &t.container,
        generation: t.generation,
        detected_by: &t.detected_by,
        image: t.image.as_deref(),
        version: t.version.as_deref().or(found.probed_version.as_deref()),
        version_source: match (&t.version, &found.probed_version) {
            (Some(_), _) => Some("imageTag"),
            (None, Some(_)) => Some("coderVersion"),
            (None, None) => None,
        },
        controller: t.controller.as_deref(),
        exec: found.exec,
        port_forward: found.port_forward,
        database: found.database.clone(),
        password_login: (t.generation == Generation::V2).then_some(&t.spec.password_login),
        super_admin_password: t
            .generation
            .is_v1()
            .then_some(t.spec.super_admin_password.as_deref())
            .flatten(),
    }
}

/// Two SelfSubjectAccessReviews on `pods/<subresource>`: Kubernetes before 1.35 authorises a
/// websocket upgrade as `get`; 1.35+ also needs `create`.
async fn review(conn: &Connection, subresource: &str, pod: &str) -> ExecAccess {
    let (get, create) = tokio::join!(
        conn.may("get", subresource, pod),
        conn.may("create", subresource, pod)
    );
    ExecAccess {
        get: get.ok(),
        create: create.ok(),
    }
}

/// Whether `status` has to look inside a v2 pod: for the built-in database when the spec
/// names no database URL, for the version when the image tag does not say.
fn needs_probe(target: &Target) -> bool {
    target.generation == Generation::V2
        && (target.spec.database == Database::NotSet || target.version.is_none())
}

/// Runs the read-only probe ([`probe::PROBE_SCRIPT`]); `Err` says why nothing was learned.
async fn look_inside(
    session: &Session<'_>,
    conn: &Connection,
    target: &Target,
    access: ExecAccess,
) -> Result<Found, String> {
    if access.get == Some(false) {
        return Err("exec into the pod is not allowed to look for the built-in PostgreSQL".into());
    }
    let argv = probe::probe_argv(&target.spec.binary);
    session.log.line(&format!(
        "exec in {}/{} container {}: sh -c <probe: built-in PostgreSQL password file, {} version>",
        target.namespace, target.pod, target.container, target.spec.binary
    ));
    let request = ExecRequest {
        pod: &target.pod,
        container: &target.container,
        argv: &argv,
        stdin: Stdin::None,
        timeout: Some(session.config.exec_timeout.unwrap_or(PROBE_TIMEOUT)),
        keep_lines: None,
    };
    let mut signals = Signals::listen().map_err(|e| format!("could not watch for signals: {e}"))?;
    let ran = exec::run(conn, request, &mut signals, &mut |_| {})
        .await
        .map_err(|e| {
            format!(
                "looking inside the pod failed: {}",
                problem::describe(&e.into()).message
            )
        })?;
    session.log.line(&format!("probe ended: {:?}", ran.end));
    match ran.end {
        End::Exited(_) => Ok(probe::read(&ran.transcript)),
        End::Failed { message, .. } => Err(format!("looking inside the pod failed: {message}")),
        End::StreamLost(why) => Err(format!("looking inside the pod failed: {why}")),
        End::TimedOut(after) => Err(format!("looking inside the pod took longer than {after:?}")),
        End::Signalled(signal) => Err(format!("looking inside the pod was stopped ({signal:?})")),
    }
}
