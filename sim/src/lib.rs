//! `kubesim`: a small Kubernetes API server simulator for `kubectl-coder`'s tests.
//!
//! It serves HTTPS on `127.0.0.1` with its own CA, and implements the parts of the API that
//! `kubectl get pods`, `kubectl exec` and `kubectl-coder` use: `/version`, legacy discovery,
//! pods and namespaces (JSON and server-side `Table`), label and field selectors,
//! `SelfSubjectAccessReview`, and `pods/exec` over the websocket protocols
//! `v5.channel.k8s.io` / `v4.channel.k8s.io`.
//!
//! # Programs available inside containers
//!
//! Every container has these "coreutils" (`sh` is **not** installed):
//!
//! * `cat` – copies stdin to stdout until EOF.
//! * `echo ARGS...` – prints its arguments joined by spaces and a newline.
//! * `true` / `false` – exit 0 / exit 1.
//! * `exit-code N` – exits with status N.
//! * `head -c N [/dev/zero]` – writes N zero bytes; `yes-bytes N` – writes N bytes of `y`.
//! * `sleep SECS` – sleeps (fractions allowed), prints nothing.
//! * `stderr TEXT...` – prints its arguments to stderr.
//! * `env` – prints the container's environment (`K=V` lines).
//!
//! Programs installed by fixtures (chosen by the basename of `argv[0]`):
//!
//! * `coderd` / `cemanager` (Coder v1): `reset-admin-password` (prints a fresh temporary
//!   password in the pod's [`fixtures::V1OutputFormat`], recorded for
//!   [`Sim::v1_admin_password`]), `--version`.
//! * `coder` (Coder v2): `reset-password <username>`, `server create-admin-user --username U
//!   --email E [--password P]`, `--version` / `version`.
//!
//! A program that is not installed fails like containerd does (an `InternalError` status on
//! the error channel).
//!
//! # Exec protocol
//!
//! The subprotocol is chosen from the client's `Sec-WebSocket-Protocol` offer in the server's
//! preference order ([`SimBuilder::subprotocols`], default v5 then v4), like an API server
//! that sends every v5 request through its stream translator. Like Kubernetes'
//! `createWebSocketStreams`, the server first sends an empty frame on the lowest writable
//! channel (stdout, else stderr, else the error channel), then output frames (≤ 32 KiB), then
//! a `metav1.Status` on channel 3, then a close frame.

mod exec;
pub mod fixtures;
mod programs;
pub mod selector;
mod server;
mod tls;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

pub use fixtures::{ContainerFixture, PodFixture, V1OutputFormat};

/// One HTTP request as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoggedRequest {
    pub method: String,
    /// Path and query, exactly as received.
    pub uri: String,
    /// Authenticated user name (`None` when authentication failed).
    pub user: Option<String>,
    pub status: u16,
    /// The negotiated websocket subprotocol (exec upgrades only).
    pub websocket_protocol: Option<String>,
    pub user_agent: Option<String>,
    /// All headers as received (Authorization included verbatim).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// One exec that reached a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecRecord {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub command: Vec<String>,
    pub stdin: Vec<u8>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// `None` when the program did not finish (connection dropped) or could not start.
    pub exit_code: Option<i32>,
    /// Negotiated subprotocol, e.g. `v5.channel.k8s.io`.
    pub protocol: String,
}

/// Faults for subsequent execs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecFault {
    /// Upgrade, then close the connection abruptly before any frame (the program never runs).
    DropBeforeOutput,
    /// Close the TCP/TLS connection abruptly (no status, no close frame) after writing that
    /// many stdout bytes. The program runs (and e.g. resets the password).
    DropAfterStdoutBytes(usize),
    /// Answer the upgrade with this status and a plain-text body, like a proxy that does not
    /// pass upgrades.
    RejectUpgrade(u16),
}

/// Options for [`Sim::kubeconfig`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeconfigOptions {
    pub token: String,
    pub namespace: Option<String>,
    /// Also used for the cluster and user names.
    pub context: String,
}

impl Default for KubeconfigOptions {
    fn default() -> Self {
        KubeconfigOptions {
            token: "admin-token".into(),
            namespace: None,
            context: "kubesim".into(),
        }
    }
}

/// An RBAC-like rule (API groups are ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub verbs: Vec<String>,
    /// `"pods"`, `"pods/exec"`, `"namespaces"`, ... or `"*"`.
    pub resources: Vec<String>,
    /// `None` = all namespaces and cluster scope.
    pub namespaces: Option<Vec<String>>,
}

impl Rule {
    pub fn all() -> Rule {
        Rule::new(&["*"], &["*"], None)
    }
    pub fn new(verbs: &[&str], resources: &[&str], namespaces: Option<&[&str]>) -> Rule {
        Rule {
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
            namespaces: namespaces.map(|n| n.iter().map(|s| s.to_string()).collect()),
        }
    }
    pub(crate) fn allows(&self, verb: &str, resource: &str, namespace: Option<&str>) -> bool {
        let verb_ok = self.verbs.iter().any(|v| v == "*" || v == verb);
        let res_ok = self.resources.iter().any(|r| r == "*" || r == resource);
        let ns_ok = match (&self.namespaces, namespace) {
            (None, _) => true,
            (Some(list), Some(ns)) => list.iter().any(|n| n == ns),
            (Some(_), None) => false,
        };
        verb_ok && res_ok && ns_ok
    }
}

/// Ready-made clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Namespace `coder`: coderd pod `coderd-7f9c6d5b8-x2k4q`, `timescale-0`, a workspace.
    V1,
    /// Like `V1` with the old `cemanager` container and labels (`cemanager-7f9c6d5b8-x2k4q`).
    V1Legacy,
    /// Namespace `coder`: `coder-5d8f7b9c4-abcde`, a provisioner pod, a workspace pod.
    V2,
    /// `V2` plus unrelated pods in `default`.
    Mixed,
}

pub(crate) struct User {
    pub name: String,
    pub token: Option<String>,
    pub rules: Vec<Rule>,
}

pub(crate) struct V2User {
    #[allow(dead_code)] // kept like the real row; not exposed yet
    pub id: String,
    pub username: String,
    #[allow(dead_code)]
    pub email: String,
    pub deleted: bool,
    pub password: Option<String>,
}

pub(crate) struct FailRule {
    remaining: usize,
    path_contains: String,
    status: u16,
}

pub(crate) struct State {
    pub kube_minor: u32,
    pub subprotocols: Vec<String>,
    pub namespaces: BTreeMap<String, SystemTime>,
    pub pods: BTreeMap<(String, String), PodFixture>,
    pub users: Vec<User>,
    pub v2_users: Vec<V2User>,
    pub v1_admin_password: Option<String>,
    pub requests: Vec<LoggedRequest>,
    pub execs: Vec<ExecRecord>,
    pub delay: Duration,
    pub fail_next: Vec<FailRule>,
    pub exec_fault: Option<ExecFault>,
    pub delete_after_list: Vec<(String, String)>,
    pub client_certs: HashMap<Vec<u8>, String>,
    pub request_log: Option<std::fs::File>,
    pub port: u16,
    pub resource_version: u64,
}

impl State {
    pub(crate) fn next_rv(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }
    /// Returns the status to fail this request with, consuming one count.
    pub(crate) fn take_failure(&mut self, path: &str) -> Option<u16> {
        let rule = self
            .fail_next
            .iter_mut()
            .find(|r| r.remaining > 0 && path.contains(&r.path_contains))?;
        rule.remaining -= 1;
        let status = rule.status;
        self.fail_next.retain(|r| r.remaining > 0);
        Some(status)
    }
    pub(crate) fn log_request(&mut self, entry: LoggedRequest) {
        if let Some(f) = self.request_log.as_mut() {
            use std::io::Write;
            if let Ok(line) = serde_json::to_string(&entry) {
                let _ = writeln!(f, "{line}");
            }
        }
        self.requests.push(entry);
    }
}

pub(crate) type Shared = Arc<Mutex<State>>;

pub(crate) fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// Configures and starts a [`Sim`].
pub struct SimBuilder {
    kube_minor: u32,
    subprotocols: Vec<String>,
    namespaces: Vec<String>,
    pods: Vec<PodFixture>,
    users: Vec<(String, String, Vec<Rule>)>,
    v2_users: Vec<(String, bool)>,
    request_log: Option<std::path::PathBuf>,
}

impl SimBuilder {
    /// Kubernetes minor version (`gitVersion v1.<minor>.4`). From 1.35 a websocket exec needs
    /// both `get` and `create` on `pods/exec`; before, `get`.
    pub fn kube_version(mut self, minor: u32) -> Self {
        self.kube_minor = minor;
        self
    }
    /// Exec subprotocols the server accepts, in preference order.
    pub fn subprotocols(mut self, p: &[&str]) -> Self {
        self.subprotocols = p.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn namespace(mut self, name: &str) -> Self {
        self.namespaces.push(name.to_string());
        self
    }
    pub fn pod(mut self, pod: PodFixture) -> Self {
        self.pods.push(pod);
        self
    }
    /// Adds a token user. The default user `admin` (token `admin-token`, [`Rule::all`]) stays
    /// unless a user named `admin` or with token `admin-token` is added.
    pub fn user(mut self, name: &str, token: &str, rules: Vec<Rule>) -> Self {
        self.users
            .push((name.to_string(), token.to_string(), rules));
        self
    }
    /// Users the emulated Coder v2 database knows. The first call replaces the defaults
    /// (`admin`, `alice`, deleted `bob`).
    pub fn v2_user(mut self, username: &str, deleted: bool) -> Self {
        self.v2_users.push((username.to_string(), deleted));
        self
    }
    pub fn scenario(mut self, s: Scenario) -> Self {
        let (namespaces, pods) = fixtures::scenario(s);
        self.namespaces.extend(namespaces);
        self.pods.extend(pods);
        self
    }
    /// Appends every request as a JSON line to this file as it happens.
    pub fn request_log(mut self, path: &Path) -> Self {
        self.request_log = Some(path.to_path_buf());
        self
    }

    /// Binds `127.0.0.1:0` and starts serving on a thread of its own.
    pub fn start(self) -> anyhow::Result<Sim> {
        let now = SystemTime::now();
        let mut namespaces = BTreeMap::new();
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            namespaces.insert(ns.to_string(), now - Duration::from_secs(30 * 86400));
        }
        for ns in &self.namespaces {
            namespaces
                .entry(ns.clone())
                .or_insert(now - Duration::from_secs(20 * 86400));
        }
        let mut pods = BTreeMap::new();
        for p in self.pods {
            namespaces
                .entry(p.namespace.clone())
                .or_insert(now - Duration::from_secs(20 * 86400));
            pods.insert((p.namespace.clone(), p.name.clone()), p);
        }
        let mut users: Vec<User> = self
            .users
            .into_iter()
            .map(|(name, token, rules)| User {
                name,
                token: Some(token),
                rules,
            })
            .collect();
        if !users
            .iter()
            .any(|u| u.name == "admin" || u.token.as_deref() == Some("admin-token"))
        {
            users.insert(
                0,
                User {
                    name: "admin".into(),
                    token: Some("admin-token".into()),
                    rules: vec![Rule::all()],
                },
            );
        }
        let v2_list = if self.v2_users.is_empty() {
            vec![
                ("admin".to_string(), false),
                ("alice".to_string(), false),
                ("bob".to_string(), true),
            ]
        } else {
            self.v2_users
        };
        let v2_users = v2_list
            .into_iter()
            .map(|(username, deleted)| V2User {
                id: programs::uuid_v4(),
                email: format!("{}@example.com", username.to_lowercase()),
                username,
                deleted,
                password: None,
            })
            .collect();
        let request_log = match &self.request_log {
            Some(p) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)?,
            ),
            None => None,
        };
        let state = State {
            kube_minor: self.kube_minor,
            subprotocols: self.subprotocols,
            namespaces,
            pods,
            users,
            v2_users,
            v1_admin_password: None,
            requests: Vec::new(),
            execs: Vec::new(),
            delay: Duration::ZERO,
            fail_next: Vec::new(),
            exec_fault: None,
            delete_after_list: Vec::new(),
            client_certs: HashMap::new(),
            request_log,
            port: 0,
            resource_version: 1000,
        };
        let shared: Shared = Arc::new(Mutex::new(state));
        let pki = tls::Pki::generate()?;
        let server_config = pki.server_config()?;
        let ca_pem = pki.ca_pem();

        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<anyhow::Result<u16>>();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("kubesim".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.into()));
                        return;
                    }
                };
                rt.block_on(async move {
                    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.into()));
                            return;
                        }
                    };
                    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
                    lock(&thread_shared).port = port;
                    let _ = ready_tx.send(Ok(port));
                    server::serve(listener, server_config, thread_shared, shutdown_rx).await;
                });
                rt.shutdown_timeout(Duration::from_millis(200));
            })?;
        let port = ready_rx.recv()??;
        Ok(Sim {
            shared,
            port,
            ca_pem,
            pki,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }
}

/// A running simulator. Dropping it shuts the server down.
pub struct Sim {
    shared: Shared,
    port: u16,
    ca_pem: String,
    pki: tls::Pki,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Sim {
    pub fn builder() -> SimBuilder {
        SimBuilder {
            kube_minor: 32,
            subprotocols: vec!["v5.channel.k8s.io".into(), "v4.channel.k8s.io".into()],
            namespaces: Vec::new(),
            pods: Vec::new(),
            users: Vec::new(),
            v2_users: Vec::new(),
            request_log: None,
        }
    }

    /// `https://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The CA certificate (PEM) that signed the server and client certificates.
    pub fn ca_pem(&self) -> String {
        self.ca_pem.clone()
    }

    /// A kubeconfig (YAML) with the CA inline and a token user.
    pub fn kubeconfig(&self, opts: &KubeconfigOptions) -> String {
        use base64::Engine;
        let ca = base64::engine::general_purpose::STANDARD.encode(self.ca_pem.as_bytes());
        let ns = match &opts.namespace {
            Some(ns) => format!("    namespace: {}\n", yaml_str(ns)),
            None => String::new(),
        };
        let name = yaml_str(&opts.context);
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\ncontexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: {name}\n{ns}current-context: {name}\nusers:\n- name: {name}\n  user:\n    token: {token}\npreferences: {{}}\n",
            url = self.url(),
            token = yaml_str(&opts.token),
        )
    }

    pub fn write_kubeconfig(&self, path: &Path, opts: &KubeconfigOptions) -> std::io::Result<()> {
        std::fs::write(path, self.kubeconfig(opts))
    }

    /// A client certificate and key (PEM) signed by the sim's CA with `CN=user`. The server
    /// authenticates such a certificate as `user` (with that user's rules, if any).
    pub fn client_cert(&self, user: &str) -> (String, String) {
        let (der, cert, key) = self.pki.client_cert(user).expect("client certificate");
        lock(&self.shared)
            .client_certs
            .insert(der, user.to_string());
        (cert, key)
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared).requests.clone()
    }

    pub fn execs(&self) -> Vec<ExecRecord> {
        lock(&self.shared).execs.clone()
    }

    pub fn clear_logs(&self) {
        let mut s = lock(&self.shared);
        s.requests.clear();
        s.execs.clear();
    }

    /// Added before answering every request.
    pub fn set_delay(&self, d: Duration) {
        lock(&self.shared).delay = d;
    }

    /// The next `n` requests whose path contains `path_contains` get a Status error `status`.
    pub fn fail_next(&self, n: usize, path_contains: &str, status: u16) {
        lock(&self.shared).fail_next.push(FailRule {
            remaining: n,
            path_contains: path_contains.to_string(),
            status,
        });
    }

    pub fn set_exec_fault(&self, f: Option<ExecFault>) {
        lock(&self.shared).exec_fault = f;
    }

    pub fn delete_pod(&self, namespace: &str, name: &str) {
        lock(&self.shared)
            .pods
            .remove(&(namespace.to_string(), name.to_string()));
    }

    /// The pod vanishes right after the next pods list is answered.
    pub fn delete_pod_after_next_list(&self, namespace: &str, name: &str) {
        lock(&self.shared)
            .delete_after_list
            .push((namespace.to_string(), name.to_string()));
    }

    /// The last temporary password the emulated coderd generated.
    pub fn v1_admin_password(&self) -> Option<String> {
        lock(&self.shared).v1_admin_password.clone()
    }

    /// The password the emulated Coder v2 database holds for that user (case-insensitive,
    /// non-deleted users first).
    pub fn v2_password(&self, username: &str) -> Option<String> {
        let s = lock(&self.shared);
        s.v2_users
            .iter()
            .filter(|u| u.username.eq_ignore_ascii_case(username))
            .min_by_key(|u| u.deleted)
            .and_then(|u| u.password.clone())
    }
}

fn yaml_str(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:".contains(c))
        && !s.starts_with(['-', '.', ':'])
    {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}
