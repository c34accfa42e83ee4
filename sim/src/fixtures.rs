//! Pod fixtures and ready-made scenarios.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStatus, EnvVar, Pod, PodCondition,
    PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

use crate::Scenario;

/// How the emulated Coder v1 `reset-admin-password` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum V1OutputFormat {
    /// `----------------------\nUser:     admin\nPassword: <pw>\n----------------------\n`
    #[default]
    Boxed,
    /// `> 🙋 Username: admin\n> 🔑 Password: <pw>\n`
    Emoji,
    /// The boxed lines with timestamps, a log prefix and ANSI colours around the values.
    Logged,
    /// Exits 0 but prints no recognisable password.
    Unparseable,
    /// 10 MiB of log lines (stdout and stderr) before the boxed lines.
    Verbose,
    /// The boxed lines amid invalid UTF-8, `tput sgr0` resets, a window title, colours, CRLF.
    Noisy,
}

/// A container of a [`PodFixture`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerFixture {
    pub name: String,
    pub image: String,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Programs installed besides the coreutils every container has (see the crate docs).
    pub programs: Vec<String>,
}

impl ContainerFixture {
    pub fn new(name: &str, image: &str) -> Self {
        ContainerFixture {
            name: name.to_string(),
            image: image.to_string(),
            command: Vec::new(),
            args: Vec::new(),
            env: Vec::new(),
            programs: Vec::new(),
        }
    }
    pub fn command(mut self, command: &[&str]) -> Self {
        self.command = command.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value.to_string()));
        self
    }
    pub fn without_env(mut self, name: &str) -> Self {
        self.env.retain(|(k, _)| k != name);
        self
    }
    pub fn program(mut self, name: &str) -> Self {
        self.programs.push(name.to_string());
        self
    }
}

/// A pod the simulator serves. Build with [`PodFixture::new`] or the functions of this module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodFixture {
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub containers: Vec<ContainerFixture>,
    /// Default `Running`.
    pub phase: String,
    /// Default `true`.
    pub ready: bool,
    /// Sets `metadata.deletionTimestamp` (the pod shows as `Terminating`).
    pub deleting: bool,
    pub created: SystemTime,
    pub owner_replicaset: Option<String>,
    pub owner_statefulset: Option<String>,
    pub node_name: String,
    pub v1_output: V1OutputFormat,
    /// Every exec in this pod waits this long before the program starts.
    pub delay: Duration,
    pub uid: String,
}

fn uid_for(ns: &str, name: &str) -> String {
    // Deterministic, UUID-shaped.
    let mut h: u64 = 0xcbf29ce484222325;
    let mut h2: u64 = 0x84222325cbf29ce4;
    for b in ns.bytes().chain([b'/']).chain(name.bytes()) {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
        h2 = (h2 ^ b as u64).wrapping_mul(0x1000193).rotate_left(7);
    }
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        h2 >> 52,
        h2 & 0xffff_ffff_ffff
    )
}

impl PodFixture {
    /// A Running, Ready pod with no containers and no labels, 2 days old.
    pub fn new(namespace: &str, name: &str) -> Self {
        PodFixture {
            namespace: namespace.to_string(),
            name: name.to_string(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            containers: Vec::new(),
            phase: "Running".to_string(),
            ready: true,
            deleting: false,
            created: SystemTime::now() - Duration::from_secs(2 * 86400),
            owner_replicaset: None,
            owner_statefulset: None,
            node_name: "kubesim-node-1".to_string(),
            v1_output: V1OutputFormat::Boxed,
            delay: Duration::ZERO,
            uid: uid_for(namespace, name),
        }
    }
    pub fn namespace(mut self, ns: &str) -> Self {
        self.namespace = ns.to_string();
        self.uid = uid_for(&self.namespace, &self.name);
        self
    }
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self.uid = uid_for(&self.namespace, &self.name);
        self
    }
    pub fn label(mut self, k: &str, v: &str) -> Self {
        self.labels.insert(k.to_string(), v.to_string());
        self
    }
    /// Replaces all labels.
    pub fn labels(mut self, labels: &[(&str, &str)]) -> Self {
        self.labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self
    }
    pub fn without_label(mut self, k: &str) -> Self {
        self.labels.remove(k);
        self
    }
    pub fn annotation(mut self, k: &str, v: &str) -> Self {
        self.annotations.insert(k.to_string(), v.to_string());
        self
    }
    pub fn container(mut self, c: ContainerFixture) -> Self {
        self.containers.push(c);
        self
    }
    /// Replaces all containers.
    pub fn containers(mut self, cs: Vec<ContainerFixture>) -> Self {
        self.containers = cs;
        self
    }
    pub fn phase(mut self, phase: &str) -> Self {
        self.phase = phase.to_string();
        self
    }
    pub fn ready(mut self, ready: bool) -> Self {
        self.ready = ready;
        self
    }
    pub fn deleting(mut self, deleting: bool) -> Self {
        self.deleting = deleting;
        self
    }
    pub fn created(mut self, t: SystemTime) -> Self {
        self.created = t;
        self
    }
    /// Sets the creation timestamp to now minus `age`.
    pub fn age(mut self, age: Duration) -> Self {
        self.created = SystemTime::now() - age;
        self
    }
    pub fn owner_replicaset(mut self, name: &str) -> Self {
        self.owner_replicaset = Some(name.to_string());
        self
    }
    pub fn owner_statefulset(mut self, name: &str) -> Self {
        self.owner_statefulset = Some(name.to_string());
        self
    }
    pub fn node_name(mut self, n: &str) -> Self {
        self.node_name = n.to_string();
        self
    }
    pub fn v1_output(mut self, f: V1OutputFormat) -> Self {
        self.v1_output = f;
        self
    }
    /// Removes `CODER_PG_CONNECTION_URL` from every container.
    pub fn without_pg_url(mut self) -> Self {
        for c in &mut self.containers {
            c.env.retain(|(k, _)| k != "CODER_PG_CONNECTION_URL");
        }
        self
    }
    /// Programs wait this long before they start answering.
    pub fn with_delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
    /// Installs a program in every container.
    pub fn with_program(mut self, name: &str) -> Self {
        for c in &mut self.containers {
            c.programs.push(name.to_string());
        }
        self
    }

    pub(crate) fn status_text(&self) -> String {
        if self.deleting {
            "Terminating".to_string()
        } else {
            self.phase.clone()
        }
    }

    pub(crate) fn ready_count(&self) -> usize {
        if self.ready && self.phase == "Running" {
            self.containers.len()
        } else {
            0
        }
    }

    pub(crate) fn field(&self, f: &str) -> Option<String> {
        Some(match f {
            "metadata.name" => self.name.clone(),
            "metadata.namespace" => self.namespace.clone(),
            "status.phase" => self.phase.clone(),
            "spec.nodeName" => self.node_name.clone(),
            "spec.restartPolicy" => "Always".to_string(),
            "spec.schedulerName" => "default-scheduler".to_string(),
            "spec.serviceAccountName" => "default".to_string(),
            "status.podIP" => self.pod_ip(),
            _ => return None,
        })
    }

    pub(crate) fn pod_ip(&self) -> String {
        let n = u32::from_str_radix(&self.uid[..8], 16).unwrap_or(7);
        format!("10.42.{}.{}", (n >> 8) % 250 + 1, n % 250 + 2)
    }

    pub(crate) fn metadata(&self, rv: &str) -> ObjectMeta {
        let created = ts(self.created);
        let mut owners = Vec::new();
        if let Some(rs) = &self.owner_replicaset {
            owners.push(owner("apps/v1", "ReplicaSet", rs));
        }
        if let Some(ss) = &self.owner_statefulset {
            owners.push(owner("apps/v1", "StatefulSet", ss));
        }
        ObjectMeta {
            name: Some(self.name.clone()),
            namespace: Some(self.namespace.clone()),
            uid: Some(self.uid.clone()),
            resource_version: Some(rv.to_string()),
            creation_timestamp: Some(created),
            generate_name: self.owner_replicaset.as_ref().map(|rs| format!("{rs}-")),
            labels: (!self.labels.is_empty()).then(|| self.labels.clone()),
            annotations: (!self.annotations.is_empty()).then(|| self.annotations.clone()),
            owner_references: (!owners.is_empty()).then_some(owners),
            deletion_timestamp: self.deleting.then(|| ts(SystemTime::now())),
            deletion_grace_period_seconds: self.deleting.then_some(30),
            ..Default::default()
        }
    }

    pub(crate) fn to_pod(&self, rv: &str) -> Pod {
        let running = self.phase == "Running";
        let ready = self.ready && running;
        let started = ts(self.created + Duration::from_secs(5));
        let cond = |t: &str, ok: bool| PodCondition {
            type_: t.to_string(),
            status: if ok { "True" } else { "False" }.to_string(),
            last_transition_time: Some(started.clone()),
            reason: (!ok && (t == "Ready" || t == "ContainersReady"))
                .then(|| "ContainersNotReady".to_string()),
            message: (!ok && (t == "Ready" || t == "ContainersReady")).then(|| {
                format!(
                    "containers with unready status: [{}]",
                    self.containers
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            }),
            ..Default::default()
        };
        let containers = self
            .containers
            .iter()
            .map(|c| Container {
                name: c.name.clone(),
                image: Some(c.image.clone()),
                command: (!c.command.is_empty()).then(|| c.command.clone()),
                args: (!c.args.is_empty()).then(|| c.args.clone()),
                env: (!c.env.is_empty()).then(|| {
                    c.env
                        .iter()
                        .map(|(k, v)| EnvVar {
                            name: k.clone(),
                            value: Some(v.clone()),
                            value_from: None,
                        })
                        .collect()
                }),
                image_pull_policy: Some("IfNotPresent".to_string()),
                termination_message_path: Some("/dev/termination-log".to_string()),
                termination_message_policy: Some("File".to_string()),
                ..Default::default()
            })
            .collect();
        let statuses = self
            .containers
            .iter()
            .map(|c| ContainerStatus {
                name: c.name.clone(),
                image: c.image.clone(),
                image_id: format!(
                    "{}@sha256:{}",
                    c.image.split(':').next().unwrap_or(""),
                    "0".repeat(64)
                ),
                container_id: Some(format!(
                    "containerd://{}",
                    &self.uid.replace('-', "").repeat(2)[..64]
                )),
                ready,
                started: Some(running),
                restart_count: 0,
                state: Some(ContainerState {
                    running: running.then(|| ContainerStateRunning {
                        started_at: Some(started.clone()),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect();
        Pod {
            metadata: self.metadata(rv),
            spec: Some(PodSpec {
                containers,
                node_name: Some(self.node_name.clone()),
                restart_policy: Some("Always".to_string()),
                scheduler_name: Some("default-scheduler".to_string()),
                service_account_name: Some("default".to_string()),
                termination_grace_period_seconds: Some(30),
                dns_policy: Some("ClusterFirst".to_string()),
                ..Default::default()
            }),
            status: Some(PodStatus {
                phase: Some(self.phase.clone()),
                conditions: Some(vec![
                    cond("PodReadyToStartContainers", running),
                    cond("Initialized", true),
                    cond("Ready", ready),
                    cond("ContainersReady", ready),
                    cond("PodScheduled", true),
                ]),
                container_statuses: Some(statuses),
                host_ip: Some("172.18.0.2".to_string()),
                pod_ip: running.then(|| self.pod_ip()),
                qos_class: Some("BestEffort".to_string()),
                start_time: Some(ts(self.created)),
                ..Default::default()
            }),
        }
    }
}

fn owner(api_version: &str, kind: &str, name: &str) -> OwnerReference {
    OwnerReference {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        uid: uid_for(kind, name),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

pub(crate) fn ts(t: SystemTime) -> Time {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Time(k8s_openapi::jiff::Timestamp::from_second(secs).unwrap_or_default())
}

const PG_URL: &str =
    "postgres://coder:coder@postgres.coder.svc.cluster.local:5432/coder?sslmode=disable";

/// Coder v1 (`coderd`) server pod, labelled like cdr/enterprise-helm's coderd Deployment.
pub fn coder_v1(ns: &str, name: &str) -> PodFixture {
    PodFixture::new(ns, name)
        .labels(&[
            ("app", "coderd"),
            ("coder.deployment", "coderd"),
            ("app.kubernetes.io/name", "coder"),
            ("app.kubernetes.io/component", "coderd"),
            ("app.kubernetes.io/instance", "coder"),
            ("app.kubernetes.io/part-of", "coder"),
            ("pod-template-hash", "7f9c6d5b8"),
        ])
        .owner_replicaset("coderd-7f9c6d5b8")
        .age(Duration::from_secs(3 * 86400))
        .container(
            ContainerFixture::new("coderd", "docker.io/coderenvs/coder-service:1.44.0")
                .args(&["coderd", "run"])
                .env("DEVURL_HOST", "")
                .program("coderd"),
        )
}

/// Very old Coder v1 charts: Deployment, container and binary `cemanager`.
pub fn coder_v1_legacy(ns: &str, name: &str) -> PodFixture {
    PodFixture::new(ns, name)
        .labels(&[
            ("app", "cemanager"),
            ("coder.deployment", "cemanager"),
            ("pod-template-hash", "7f9c6d5b8"),
        ])
        .owner_replicaset("cemanager-7f9c6d5b8")
        .age(Duration::from_secs(3 * 86400))
        .container(
            ContainerFixture::new("cemanager", "docker.io/coderenvs/coder-service:1.13.2")
                .args(&["cemanager", "run"])
                .program("cemanager"),
        )
}

/// Coder v2 server pod (helm/coder): container `coder`, `CODER_PG_CONNECTION_URL` set.
pub fn coder_v2(ns: &str, name: &str) -> PodFixture {
    PodFixture::new(ns, name)
        .labels(&[
            ("app.kubernetes.io/name", "coder"),
            ("app.kubernetes.io/instance", "coder"),
            ("app.kubernetes.io/part-of", "coder"),
            ("pod-template-hash", "5d8f7b9c4"),
        ])
        .owner_replicaset("coder-5d8f7b9c4")
        .age(Duration::from_secs(3 * 86400))
        .container(
            ContainerFixture::new("coder", "ghcr.io/coder/coder:v2.18.0")
                .args(&["server"])
                .env("CODER_HTTP_ADDRESS", "0.0.0.0:8080")
                .env("CODER_PG_CONNECTION_URL", PG_URL)
                .env("CODER_ACCESS_URL", "https://coder.example.com")
                .program("coder"),
        )
}

/// An external provisioner daemon (chart `coder-provisioner`); its image also has `coder`.
pub fn coder_v2_provisioner(ns: &str, name: &str) -> PodFixture {
    PodFixture::new(ns, name)
        .labels(&[
            ("app.kubernetes.io/name", "coder-provisioner"),
            ("app.kubernetes.io/instance", "coder-provisioner"),
            ("app.kubernetes.io/part-of", "coder-provisioner"),
        ])
        .owner_replicaset("coder-provisioner-6b7c8d9e5")
        .age(Duration::from_secs(3 * 86400))
        .container(
            ContainerFixture::new("coder", "ghcr.io/coder/coder:v2.18.0")
                .args(&["provisionerd", "start"])
                .env("CODER_URL", "http://coder.coder.svc.cluster.local")
                .program("coder"),
        )
}

/// A workspace proxy (`coder wsproxy server`); not the control plane.
pub fn coder_wsproxy(ns: &str, name: &str) -> PodFixture {
    PodFixture::new(ns, name)
        .labels(&[
            ("app.kubernetes.io/name", "coder-workspace-proxy"),
            ("app.kubernetes.io/instance", "coder-workspace-proxy"),
            ("app.kubernetes.io/part-of", "coder-workspace-proxy"),
        ])
        .owner_replicaset("coder-wsproxy-5f6d7c8b9")
        .age(Duration::from_secs(3 * 86400))
        .container(
            ContainerFixture::new("coder", "ghcr.io/coder/coder:v2.18.0")
                .args(&["wsproxy", "server"])
                .env("CODER_PRIMARY_ACCESS_URL", "https://coder.example.com")
                .program("coder"),
        )
}

/// A Coder workspace pod (container `dev`).
pub fn workspace(ns: &str, name: &str) -> PodFixture {
    PodFixture::new(ns, name)
        .labels(&[
            ("app.kubernetes.io/name", "coder-workspace"),
            ("app.kubernetes.io/instance", name),
            ("app.kubernetes.io/part-of", "coder"),
        ])
        .age(Duration::from_secs(10 * 3600))
        .container(ContainerFixture::new(
            "dev",
            "codercom/enterprise-base:ubuntu",
        ))
}

/// A PostgreSQL StatefulSet pod.
pub fn postgres(ns: &str, name: &str) -> PodFixture {
    PodFixture::new(ns, name)
        .labels(&[
            ("app.kubernetes.io/name", "postgresql"),
            ("app.kubernetes.io/instance", "postgres"),
            ("statefulset.kubernetes.io/pod-name", name),
        ])
        .owner_statefulset(name.rsplit_once('-').map_or(name, |(a, _)| a))
        .age(Duration::from_secs(10 * 86400))
        .container(
            ContainerFixture::new("postgresql", "docker.io/bitnami/postgresql:16.4.0")
                .env("POSTGRES_USER", "coder"),
        )
}

pub(crate) fn scenario(s: Scenario) -> (Vec<String>, Vec<PodFixture>) {
    let ns = "coder";
    match s {
        Scenario::V1 => (
            vec![ns.to_string()],
            vec![
                coder_v1(ns, "coderd-7f9c6d5b8-x2k4q"),
                postgres(ns, "timescale-0").labels(&[
                    ("app", "timescale"),
                    ("coder.deployment", "timescale"),
                    ("statefulset.kubernetes.io/pod-name", "timescale-0"),
                ]),
                workspace(ns, "coder-jdoe-dev-0"),
            ],
        ),
        Scenario::V1Legacy => (
            vec![ns.to_string()],
            vec![
                coder_v1_legacy(ns, "cemanager-7f9c6d5b8-x2k4q"),
                postgres(ns, "timescale-0").labels(&[
                    ("app", "timescale"),
                    ("coder.deployment", "timescale"),
                    ("statefulset.kubernetes.io/pod-name", "timescale-0"),
                ]),
                workspace(ns, "coder-jdoe-dev-0"),
            ],
        ),
        Scenario::V2 => (vec![ns.to_string()], v2_pods(ns)),
        Scenario::Mixed => {
            let mut pods = v2_pods(ns);
            pods.push(
                PodFixture::new("default", "nginx-6d4cf56db6-8xkzq")
                    .labels(&[("app", "nginx"), ("pod-template-hash", "6d4cf56db6")])
                    .owner_replicaset("nginx-6d4cf56db6")
                    .container(ContainerFixture::new("nginx", "nginx:1.27")),
            );
            pods.push(
                PodFixture::new("default", "redis-0")
                    .labels(&[("app", "redis")])
                    .owner_statefulset("redis")
                    .container(ContainerFixture::new("redis", "redis:7")),
            );
            (vec![ns.to_string(), "default".to_string()], pods)
        }
    }
}

fn v2_pods(ns: &str) -> Vec<PodFixture> {
    vec![
        coder_v2(ns, "coder-5d8f7b9c4-abcde"),
        coder_v2_provisioner(ns, "coder-provisioner-6b7c8d9e5-fghij"),
        workspace(ns, "coder-jdoe-dev-5f8b9c7d6-klmno"),
    ]
}
