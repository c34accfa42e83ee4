//! `kubectl coder status`: the context, namespace, Coder pod and generation, and whether the
//! current identity may exec there. A missing pod is reported, not an error of the command.

use crate::commands::session::Session;
use crate::exit_codes::ExitCode;
use crate::ui::output::{self, ExecAccess, PodStatus, StatusReport};
use crate::ui::problem;

pub async fn run(session: &Session<'_>) -> anyhow::Result<ExitCode> {
    let conn = session.connect().await?;
    if let Some(insecurity) = conn.insecurity {
        output::note(&format!("warning: {}", insecurity.describe()));
    }
    let (target, pod_problem) = match session.find_target(&conn).await {
        Ok(target) => (Some(target), None),
        Err(err) => {
            let problem = problem::describe(&err);
            if problem.exit != ExitCode::NotFound && problem.exit != ExitCode::Usage {
                return Err(err);
            }
            (None, Some(problem))
        }
    };
    let access = match &target {
        Some(t) => {
            // Kubernetes before 1.35 authorises a websocket exec as `get`; 1.35+ also needs `create`.
            let (get, create) = tokio::join!(
                conn.may_exec("get", &t.pod),
                conn.may_exec("create", &t.pod)
            );
            ExecAccess {
                get: get.ok(),
                create: create.ok(),
            }
        }
        None => ExecAccess {
            get: None,
            create: None,
        },
    };
    let report = StatusReport {
        context: conn.context.as_deref(),
        cluster: &conn.cluster_url,
        namespace: &conn.namespace,
        config_source: conn.source.describe(),
        pod: target.as_ref().map(|t| PodStatus {
            name: &t.pod,
            container: &t.container,
            generation: t.generation,
            detected_by: &t.detected_by,
            image: t.image.as_deref(),
            version: t.version.as_deref(),
            controller: t.controller.as_deref(),
            exec: access,
        }),
        pod_problem: pod_problem.as_ref().map(|p| p.message.clone()),
    };
    output::stdout(&output::render_status(session.format(), &report))?;
    if let Some(warning) = target.as_ref().and_then(|t| t.unowned_warning()) {
        output::note(&warning);
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
