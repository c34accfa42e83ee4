//! The commands, as sequences of I/O around the pure decisions in the other modules.

use std::io::BufRead;

use zeroize::Zeroizing;

use crate::cli::{Command, Config, OutputFormat, PasswordSource};
use crate::exit_codes::ExitCode;
use crate::kube_client::{self, Connection};
use crate::locate::{self, LocateError, Target};
use crate::output::{self, ExecAccess, PodStatus, StatusReport};
use crate::password::{self, Secret};
use crate::problem::{ApiCall, ApiCallError, Problem};
use crate::reset;
use crate::terminal::Terminal;

/// What every command gets: the checked config, the terminal, and a way to log.
pub struct Session {
    pub config: Config,
    pub terminal: Terminal,
}

impl Session {
    /// `--verbose` lines. Callers never pass a secret.
    pub fn log(&self, line: &str) {
        if self.config.verbose {
            output::note(&format!("kubectl-coder: {line}"));
        }
    }

    pub fn format(&self) -> OutputFormat {
        self.config.output
    }
}

pub async fn run(session: Session) -> anyhow::Result<ExitCode> {
    if session.config.command.changes_something()
        && !session.config.dry_run
        && !session.config.assume_yes
        && !session.terminal.can_prompt()
    {
        return Err(Problem::new(
            ExitCode::Usage,
            "refusing to change a password without confirmation: there is no terminal to ask on",
            Some("re-run with --yes to confirm, or --dry-run to see what would happen".to_string()),
        )
        .into());
    }
    // Read a password from stdin before touching the cluster, so a bad one costs nothing.
    let stdin_password = match &session.config.command {
        Command::ResetAdminPassword {
            password: PasswordSource::Stdin,
            ..
        }
        | Command::ResetPassword {
            password: PasswordSource::Stdin,
            ..
        }
        | Command::CreateAdminUser {
            password: PasswordSource::Stdin,
            ..
        } => Some(read_password_from_stdin(&session)?),
        _ => None,
    };

    match &session.config.command {
        Command::Version => unreachable!("handled before the runtime starts"),
        Command::Status => status(&session).await,
        _ => reset::run(&session, stdin_password).await,
    }
}

fn read_password_from_stdin(session: &Session) -> anyhow::Result<Secret> {
    let password = if session.terminal.stdin && session.terminal.stderr {
        let typed = dialoguer::Password::new()
            .with_prompt("New password")
            .with_confirmation("Confirm password", "The passwords do not match, try again")
            .interact()?;
        Secret::from(typed)
    } else {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line)?;
        let trimmed = line.strip_suffix('\n').unwrap_or(&line);
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        Secret::from(trimmed.to_string())
    };
    password::check(password.expose()).map_err(|problem| {
        Problem::new(
            ExitCode::Usage,
            format!("the password from stdin is not accepted by Coder: {problem}"),
            Some(
                "nothing was changed; or leave out --password-stdin to get a generated one"
                    .to_string(),
            ),
        )
    })?;
    Ok(password)
}

pub async fn connect(session: &Session) -> anyhow::Result<Connection> {
    let conn = kube_client::connect(&session.config.connection).await?;
    session.log(&format!(
        "context {}, cluster {}, namespace {}",
        conn.context.as_deref().unwrap_or("(in-cluster)"),
        conn.cluster_url,
        conn.namespace
    ));
    Ok(conn)
}

/// A failed API call with what the messages need to explain it.
pub(crate) fn api_error(conn: &Connection, call: ApiCall, source: anyhow::Error) -> anyhow::Error {
    ApiCallError {
        call,
        server: conn.cluster_url.clone(),
        context: conn.context.clone(),
        request_timeout: conn.request_timeout,
        source,
    }
    .into()
}

/// Lists (or gets) pods and picks the target. On failure, looks around for a better hint:
/// whether the namespace exists and which other namespaces run Coder. Those extra requests
/// happen only on this error path, so a reset costs one list and one exec.
pub async fn find_target(session: &Session, conn: &Connection) -> anyhow::Result<Target> {
    let overrides = &session.config.overrides;
    let namespace = conn.namespace.clone();
    let pods = match &overrides.pod {
        Some(name) => {
            session.log(&format!("getting pod {namespace}/{name}"));
            let pod = conn.get_pod(name).await.map_err(|e| {
                api_error(
                    conn,
                    ApiCall::GetPod {
                        namespace: namespace.clone(),
                        pod: name.clone(),
                    },
                    e,
                )
            })?;
            vec![pod]
        }
        None => {
            session.log(&format!(
                "listing pods in namespace {namespace}{}",
                overrides
                    .selector
                    .as_deref()
                    .map(|s| format!(" with selector {s}"))
                    .unwrap_or_default()
            ));
            conn.list_pods(overrides.selector.as_deref())
                .await
                .map_err(|e| {
                    api_error(
                        conn,
                        ApiCall::ListPods {
                            namespace: namespace.clone(),
                        },
                        e,
                    )
                })?
        }
    };
    match locate::choose(&namespace, &pods, overrides) {
        Ok(target) => {
            session.log(&format!(
                "chose pod {} container {} ({}, detected by {})",
                target.pod,
                target.container,
                target.generation.label(),
                target.detected_by
            ));
            Ok(target)
        }
        Err(LocateError::NoPod(mut no_pod)) => {
            if pods.is_empty() && conn.namespace_exists().await == Some(false) {
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

/// Other namespaces where Coder server pods run (best effort: empty when we may not look).
async fn coder_namespaces_elsewhere(conn: &Connection) -> Vec<String> {
    match conn.coder_pods_everywhere().await {
        Some(pods) => locate::coder_namespaces(&pods, &conn.namespace),
        None => Vec::new(),
    }
}

async fn status(session: &Session) -> anyhow::Result<ExitCode> {
    let conn = connect(session).await?;
    let found = find_target(session, &conn).await;
    let (target, pod_problem) = match found {
        Ok(target) => (Some(target), None),
        Err(err) => {
            let problem = crate::problem::describe(&err);
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
    let config_source = match &conn.source {
        kube_client::ConfigSource::Files(paths) => paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(":"),
        kube_client::ConfigSource::InCluster => "in-cluster service account".to_string(),
    };
    let report = StatusReport {
        context: conn.context.as_deref(),
        cluster: &conn.cluster_url,
        namespace: &conn.namespace,
        config_source,
        pod: target.as_ref().map(|t| PodStatus {
            name: &t.pod,
            container: &t.container,
            generation: t.generation,
            detected_by: &t.detected_by,
            image: t.image.as_deref(),
            version: t.version.as_deref(),
            exec: access,
        }),
        pod_problem: pod_problem.as_ref().map(|p| p.message.clone()),
    };
    output::stdout(&output::render_status(session.format(), &report))?;
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
