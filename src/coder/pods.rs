//! What one pod is, read from its spec and status alone: its role for Coder (server,
//! provisioner, workspace proxy, satellite, workspace), whether it can run a command now, the
//! version its image names and the workload that owns it.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::{Container, Pod};

use crate::coder::target::Generation;

/// Why a pod was passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    NotCoder,
    /// The API server would never name a pod so: only a hostile one would.
    InvalidName,
    Provisioner,
    WorkspaceProxy,
    Workspace,
    /// A Coder v1 satellite (`coderd replica`): it has no database of its own.
    Satellite,
    /// `--generation` asked for another generation than this pod runs.
    OtherGeneration(Generation),
    NotRunning(String),
    NotReady,
    Terminating,
    NoSuchContainer(String),
    /// The container exists but is not running (waiting or terminated): the reason.
    ContainerNotRunning(String),
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::NotCoder => f.write_str("not a Coder server pod"),
            Skip::InvalidName => f.write_str("not a valid pod name"),
            Skip::Provisioner => f.write_str("a Coder provisioner, not the server"),
            Skip::WorkspaceProxy => f.write_str("a Coder workspace proxy, not the server"),
            Skip::Workspace => f.write_str("a Coder workspace, not the server"),
            Skip::Satellite => {
                f.write_str("a Coder v1 satellite (coderd replica), not the primary server")
            }
            Skip::OtherGeneration(g) => {
                write!(f, "runs {}, not the generation asked for", g.label())
            }
            Skip::NotRunning(phase) => write!(f, "not Running (phase {phase})"),
            Skip::NotReady => f.write_str("not Ready"),
            Skip::Terminating => f.write_str("being deleted"),
            Skip::NoSuchContainer(name) => write!(f, "has no container {name:?}"),
            Skip::ContainerNotRunning(why) => write!(f, "its container is not running ({why})"),
        }
    }
}

/// A pod's role as far as Coder is concerned, with the evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    Server {
        generation: Generation,
        container: String,
        detected_by: String,
    },
    Other(Skip),
}

pub(crate) fn labels(pod: &Pod) -> BTreeMap<String, String> {
    pod.metadata.labels.clone().unwrap_or_default()
}

fn containers(pod: &Pod) -> &[Container] {
    pod.spec
        .as_ref()
        .map(|s| s.containers.as_slice())
        .unwrap_or(&[])
}

pub(crate) fn container_named<'a>(pod: &'a Pod, name: &str) -> Option<&'a Container> {
    containers(pod).iter().find(|c| c.name == name)
}

/// Words of a container's command line, to tell `coder server` from `coder wsproxy server`;
/// split at white space, so `sh -c "exec /opt/coder wsproxy server"` counts too.
fn command_words(container: &Container) -> impl Iterator<Item = &str> {
    container
        .command
        .iter()
        .flatten()
        .chain(container.args.iter().flatten())
        .flat_map(|word| word.split_whitespace())
}

/// The pod's component as the charts annotate it (helm/coder after v2.22:
/// `app.kubernetes.io/component: coderd|wsproxy`; `com.coder/component` in the PR, and
/// `provisionerd` for the provisioner chart).
fn component(pod: &Pod) -> Option<&str> {
    let annotations = pod.metadata.annotations.as_ref()?;
    ["app.kubernetes.io/component", "com.coder/component"]
        .iter()
        .find_map(|key| annotations.get(*key))
        .map(String::as_str)
}

/// Decides whether a pod runs a Coder server, from the charts' labels and container names.
/// Label evidence comes first; the docs' `coderd-` name prefix is the last resort.
pub fn classify(pod: &Pod) -> Role {
    let labels = labels(pod);
    let label = |key: &str| labels.get(key).map(String::as_str);
    let name = pod.metadata.name.as_deref().unwrap_or_default();

    // Pods that resemble a server but are not the control plane.
    if labels
        .keys()
        .any(|k| k.starts_with("com.coder.workspace") || k.starts_with("com.coder.user"))
        || label("app.kubernetes.io/name") == Some("coder-workspace")
    {
        return Role::Other(Skip::Workspace);
    }
    match label("app.kubernetes.io/name") {
        Some("coder-provisioner") => return Role::Other(Skip::Provisioner),
        Some("coder-workspace-proxy" | "coder-wsproxy") => {
            return Role::Other(Skip::WorkspaceProxy);
        }
        _ => {}
    }
    match component(pod) {
        Some("wsproxy") => return Role::Other(Skip::WorkspaceProxy),
        Some("provisionerd" | "provisioner") => return Role::Other(Skip::Provisioner),
        _ => {}
    }
    for container in containers(pod) {
        let words: Vec<&str> = command_words(container).collect();
        if words.contains(&"wsproxy") {
            return Role::Other(Skip::WorkspaceProxy);
        }
        if words.iter().any(|w| w.starts_with("provisioner")) {
            return Role::Other(Skip::Provisioner);
        }
        // coder/enterprise-helm: `coderd replica` with coderd.satellite.enable.
        let base = |w: &&str| w.rsplit('/').next() == Some("coderd");
        if words.iter().any(base) && words.contains(&"replica") {
            return Role::Other(Skip::Satellite);
        }
    }

    let server = |generation: Generation, detected_by: String| Role::Server {
        generation,
        container: generation.binary().to_string(),
        detected_by,
    };
    let has = |c: &str| container_named(pod, c).is_some();

    for (key, value) in [
        ("coder.deployment", label("coder.deployment")),
        ("app", label("app")),
    ] {
        match value {
            Some("coderd") if has("coderd") => {
                return server(Generation::V1, format!("label {key}=coderd"));
            }
            Some("cemanager") if has("cemanager") => {
                return server(Generation::V1Legacy, format!("label {key}=cemanager"));
            }
            _ => {}
        }
    }
    if label("app.kubernetes.io/component") == Some("coderd") && has("coderd") {
        return server(
            Generation::V1,
            "label app.kubernetes.io/component=coderd".into(),
        );
    }
    if label("app.kubernetes.io/name") == Some("coder") && has("coder") {
        return server(Generation::V2, "label app.kubernetes.io/name=coder".into());
    }
    // Charts with a nameOverride keep the container and its `server` argument.
    if let Some(c) = container_named(pod, "coder")
        && command_words(c).any(|w| w == "server")
    {
        return server(
            Generation::V2,
            "container coder running `coder server`".into(),
        );
    }
    if name.starts_with("coderd-") && has("coderd") {
        return server(Generation::V1, "the docs' coderd- pod name prefix".into());
    }
    if name.starts_with("cemanager-") && has("cemanager") {
        return server(
            Generation::V1Legacy,
            "the cemanager- pod name prefix".into(),
        );
    }
    Role::Other(Skip::NotCoder)
}

/// Whether a server pod can take an exec now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// It can run a command, but is not Ready or is being deleted: fine only when the user
    /// named it with `--pod` (a reset is what you do when Coder is unhealthy).
    Caution(Skip),
    /// It cannot run a command (Pending, finished, its container not running).
    Unusable(Skip),
}

/// Whether `container` of `pod` can run a command now.
pub fn readiness(pod: &Pod, container: &str) -> Readiness {
    let status = pod.status.as_ref();
    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or("Unknown");
    if phase != "Running" {
        return Readiness::Unusable(Skip::NotRunning(phase.to_string()));
    }
    let state = status
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.name == container)
        .and_then(|c| c.state.as_ref());
    if let Some(state) = state
        && state.running.is_none()
    {
        let why = match (&state.waiting, &state.terminated) {
            (Some(w), _) => format!("waiting: {}", w.reason.as_deref().unwrap_or("unknown")),
            (_, Some(t)) => format!("terminated: {}", t.reason.as_deref().unwrap_or("unknown")),
            _ => "no state".to_string(),
        };
        return Readiness::Unusable(Skip::ContainerNotRunning(why));
    }
    if pod.metadata.deletion_timestamp.is_some() {
        return Readiness::Caution(Skip::Terminating);
    }
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True");
    if !ready {
        return Readiness::Caution(Skip::NotReady);
    }
    Readiness::Ready
}

/// The image's tag, when it names a version (`…/coder:v2.18.0` → `v2.18.0`).
pub fn image_version(image: &str) -> Option<String> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    let (_, tag) = last.split_once(':')?;
    let looks_like_version = tag
        .trim_start_matches('v')
        .starts_with(|c: char| c.is_ascii_digit());
    looks_like_version.then(|| tag.to_string())
}

/// The workload that owns the pod (`ReplicaSet/coder-5d8f7b9c4`), as the charts create them:
/// a controller owner reference to a ReplicaSet or StatefulSet.
pub fn controller(pod: &Pod) -> Option<String> {
    pod.metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| {
            o.controller == Some(true) && matches!(o.kind.as_str(), "ReplicaSet" | "StatefulSet")
        })
        .map(|o| format!("{}/{}", o.kind, o.name))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
        ContainerStatus,
    };
    use k8s_openapi::api::core::v1::{PodCondition, PodSpec, PodStatus};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

    /// A hand-built pod: name, labels, containers as (name, args), ready.
    pub(crate) fn pod(name: &str, labels: &[(&str, &str)], containers: &[(&str, &[&str])]) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("coder".into()),
                owner_references: Some(vec![OwnerReference {
                    api_version: "apps/v1".into(),
                    kind: "ReplicaSet".into(),
                    name: format!("{name}-rs"),
                    uid: "1".into(),
                    controller: Some(true),
                    block_owner_deletion: Some(true),
                }]),
                labels: Some(
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..Default::default()
            },
            spec: Some(PodSpec {
                containers: containers
                    .iter()
                    .map(|(c, args)| Container {
                        name: c.to_string(),
                        image: Some(format!("example/{c}:v2.18.0")),
                        args: Some(args.iter().map(|a| a.to_string()).collect()),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }),
            status: Some(PodStatus {
                phase: Some("Running".into()),
                conditions: Some(vec![PodCondition {
                    type_: "Ready".into(),
                    status: "True".into(),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
        }
    }

    fn server(generation: Generation, detected_by: &str) -> Role {
        Role::Server {
            generation,
            container: generation.binary().to_string(),
            detected_by: detected_by.to_string(),
        }
    }

    /// Each piece of evidence on its own, so that every rule of `classify` decides at least
    /// one row (the pods of the charts, in `locate`'s tests, carry several at once).
    #[test]
    fn each_piece_of_evidence_alone() {
        use Generation::{V1, V1Legacy, V2};
        let name_coder = ("app.kubernetes.io/name", "coder");
        let table: Vec<(&str, Pod, Role)> = vec![
            (
                "the provisioner chart's label, whatever the command",
                pod(
                    "p-0",
                    &[("app.kubernetes.io/name", "coder-provisioner")],
                    &[("coder", &[])],
                ),
                Role::Other(Skip::Provisioner),
            ),
            (
                "a workspace proxy chart's label",
                pod(
                    "w-0",
                    &[("app.kubernetes.io/name", "coder-workspace-proxy")],
                    &[("coder", &["server"])],
                ),
                Role::Other(Skip::WorkspaceProxy),
            ),
            (
                "the older workspace proxy label",
                pod(
                    "w-1",
                    &[("app.kubernetes.io/name", "coder-wsproxy")],
                    &[("coder", &[])],
                ),
                Role::Other(Skip::WorkspaceProxy),
            ),
            (
                "`coderd replica`: a satellite",
                pod(
                    "coderd-1",
                    &[("app", "coderd")],
                    &[("coderd", &["/opt/coderd", "replica"])],
                ),
                Role::Other(Skip::Satellite),
            ),
            (
                "coderd without `replica` is the primary",
                pod(
                    "coderd-2",
                    &[("app", "coderd")],
                    &[("coderd", &["/opt/coderd", "run"])],
                ),
                server(V1, "label app=coderd"),
            ),
            (
                "`replica` without coderd is no satellite",
                pod("c-0", &[name_coder], &[("coder", &["server", "replica"])]),
                server(V2, "label app.kubernetes.io/name=coder"),
            ),
            (
                "label app=coderd without the docs' name",
                pod("primary-0", &[("app", "coderd")], &[("coderd", &[])]),
                server(V1, "label app=coderd"),
            ),
            (
                "label coder.deployment=coderd",
                pod(
                    "primary-1",
                    &[("coder.deployment", "coderd")],
                    &[("coderd", &[])],
                ),
                server(V1, "label coder.deployment=coderd"),
            ),
            (
                "label app=coderd on a pod without a coderd container",
                pod("primary-2", &[("app", "coderd")], &[("sidecar", &[])]),
                Role::Other(Skip::NotCoder),
            ),
            (
                "label coder.deployment=cemanager",
                pod(
                    "mgr-0",
                    &[("coder.deployment", "cemanager")],
                    &[("cemanager", &[])],
                ),
                server(V1Legacy, "label coder.deployment=cemanager"),
            ),
            (
                "label app=cemanager without a cemanager container",
                pod("mgr-1", &[("app", "cemanager")], &[("sidecar", &[])]),
                Role::Other(Skip::NotCoder),
            ),
            (
                "label app.kubernetes.io/component=coderd",
                pod(
                    "x-0",
                    &[("app.kubernetes.io/component", "coderd")],
                    &[("coderd", &[])],
                ),
                server(V1, "label app.kubernetes.io/component=coderd"),
            ),
            (
                "label app.kubernetes.io/component=coderd without a coderd container",
                pod(
                    "x-1",
                    &[("app.kubernetes.io/component", "coderd")],
                    &[("x", &[])],
                ),
                Role::Other(Skip::NotCoder),
            ),
            (
                "label app.kubernetes.io/name=coder without a coder container",
                pod("y-0", &[name_coder], &[("x", &["server"])]),
                Role::Other(Skip::NotCoder),
            ),
            (
                "a nameOverride: container coder running `coder server`",
                pod(
                    "mine-0",
                    &[("app.kubernetes.io/name", "mine")],
                    &[("coder", &["server"])],
                ),
                server(V2, "container coder running `coder server`"),
            ),
            (
                "container coder not running `coder server`",
                pod("mine-1", &[], &[("coder", &["agent"])]),
                Role::Other(Skip::NotCoder),
            ),
            (
                "the docs' coderd- name prefix alone",
                pod("coderd-6b5c7d9f-x", &[], &[("coderd", &[])]),
                server(V1, "the docs' coderd- pod name prefix"),
            ),
            (
                "the coderd- name prefix without a coderd container",
                pod("coderd-6b5c7d9f-y", &[], &[("app", &[])]),
                Role::Other(Skip::NotCoder),
            ),
            (
                "the cemanager- name prefix alone",
                pod("cemanager-0", &[], &[("cemanager", &[])]),
                server(V1Legacy, "the cemanager- pod name prefix"),
            ),
            (
                "the cemanager- name prefix without a cemanager container",
                pod("cemanager-1", &[], &[("coderd", &[])]),
                Role::Other(Skip::NotCoder),
            ),
        ];
        for (what, pod, want) in table {
            assert_eq!(classify(&pod), want, "{what}");
        }
    }

    fn with_state(mut pod: Pod, container: &str, state: ContainerState) -> Pod {
        let status = pod.status.as_mut().unwrap();
        status
            .container_statuses
            .get_or_insert_with(Vec::new)
            .push(ContainerStatus {
                name: container.to_string(),
                state: Some(state),
                ..Default::default()
            });
        pod
    }

    fn waiting(reason: Option<&str>) -> ContainerState {
        ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: reason.map(str::to_string),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn terminated(reason: Option<&str>) -> ContainerState {
        ContainerState {
            terminated: Some(ContainerStateTerminated {
                reason: reason.map(str::to_string),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn running() -> ContainerState {
        ContainerState {
            running: Some(ContainerStateRunning::default()),
            ..Default::default()
        }
    }

    /// What each container state and pod condition makes of a server pod, and the reason the
    /// user is shown.
    #[test]
    fn readiness_table() {
        let base = || pod("coder-0", &[], &[("coder", &["server"])]);
        let unusable = |why: &str| Readiness::Unusable(Skip::ContainerNotRunning(why.into()));
        let mut pending = base();
        pending.status.as_mut().unwrap().phase = Some("Pending".into());
        let mut no_status = base();
        no_status.status = None;
        let mut deleted = base();
        deleted.metadata.deletion_timestamp = Some(
            k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(Default::default()),
        );
        let mut not_ready = base();
        not_ready
            .status
            .as_mut()
            .unwrap()
            .conditions
            .as_mut()
            .unwrap()[0]
            .status = "False".into();
        let mut no_conditions = base();
        no_conditions.status.as_mut().unwrap().conditions = None;
        let table: Vec<(&str, Pod, Readiness)> = vec![
            ("Running and Ready", base(), Readiness::Ready),
            (
                "its container running",
                with_state(base(), "coder", running()),
                Readiness::Ready,
            ),
            (
                "another container waiting",
                with_state(base(), "sidecar", waiting(Some("CrashLoopBackOff"))),
                Readiness::Ready,
            ),
            (
                "waiting, with a reason",
                with_state(base(), "coder", waiting(Some("CrashLoopBackOff"))),
                unusable("waiting: CrashLoopBackOff"),
            ),
            (
                "waiting",
                with_state(base(), "coder", waiting(None)),
                unusable("waiting: unknown"),
            ),
            (
                "terminated, with a reason",
                with_state(base(), "coder", terminated(Some("OOMKilled"))),
                unusable("terminated: OOMKilled"),
            ),
            (
                "terminated",
                with_state(base(), "coder", terminated(None)),
                unusable("terminated: unknown"),
            ),
            (
                "a state with nothing in it",
                with_state(base(), "coder", ContainerState::default()),
                unusable("no state"),
            ),
            (
                "Pending",
                pending,
                Readiness::Unusable(Skip::NotRunning("Pending".into())),
            ),
            (
                "no status",
                no_status,
                Readiness::Unusable(Skip::NotRunning("Unknown".into())),
            ),
            (
                "being deleted",
                deleted,
                Readiness::Caution(Skip::Terminating),
            ),
            ("not Ready", not_ready, Readiness::Caution(Skip::NotReady)),
            (
                "no conditions",
                no_conditions,
                Readiness::Caution(Skip::NotReady),
            ),
        ];
        for (what, pod, want) in table {
            assert_eq!(readiness(&pod, "coder"), want, "{what}");
        }
    }

    /// The workload a pod belongs to: only a controller owner that is a ReplicaSet or a
    /// StatefulSet (what the charts create); the first one that is both.
    #[test]
    fn controller_table() {
        let owner = |kind: &str, name: &str, controller: Option<bool>| OwnerReference {
            api_version: "apps/v1".into(),
            kind: kind.into(),
            name: name.into(),
            uid: "1".into(),
            controller,
            block_owner_deletion: None,
        };
        let table: Vec<(Vec<OwnerReference>, Option<&str>)> = vec![
            (vec![], None),
            (
                vec![owner("ReplicaSet", "coder-5d8f", Some(true))],
                Some("ReplicaSet/coder-5d8f"),
            ),
            (
                vec![owner("StatefulSet", "coderd", Some(true))],
                Some("StatefulSet/coderd"),
            ),
            (vec![owner("ReplicaSet", "coder-5d8f", Some(false))], None),
            (vec![owner("ReplicaSet", "coder-5d8f", None)], None),
            (vec![owner("Job", "coder-migrate", Some(true))], None),
            (
                vec![
                    owner("Job", "coder-migrate", Some(true)),
                    owner("ReplicaSet", "adopted", Some(false)),
                    owner("StatefulSet", "coderd", Some(true)),
                ],
                Some("StatefulSet/coderd"),
            ),
        ];
        for (owners, want) in table {
            let mut p = pod("coder-0", &[], &[("coder", &[])]);
            p.metadata.owner_references = Some(owners.clone());
            assert_eq!(controller(&p).as_deref(), want, "{owners:?}");
        }
    }
}
