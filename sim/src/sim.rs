//! Starting a simulator and what tests ask of it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::fixtures::charts::{self, Scenario};
use crate::fixtures::pod::PodFixture;
use crate::ids;
use crate::server;
use crate::state::{
    ExecFault, ExecRecord, FailRule, LoggedRequest, Rule, Shared, State, User, V1User, V2User, lock,
};
use crate::tls;

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

/// Configures and starts a [`Sim`].
pub struct SimBuilder {
    kube_minor: u32,
    subprotocols: Vec<String>,
    namespaces: Vec<String>,
    pods: Vec<PodFixture>,
    users: Vec<(String, String, Vec<Rule>)>,
    v2_users: Vec<(String, bool)>,
    v1_users: Vec<V1User>,
    oidc_users: Vec<(String, String, Vec<Rule>)>,
    request_log: Option<std::path::PathBuf>,
    plain_http: bool,
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
    /// A user who signs in through the OIDC issuer (`/oidc`): `refresh_token` gets new ID
    /// tokens from its token endpoint, and the API server accepts them for `name`.
    pub fn oidc_user(mut self, name: &str, refresh_token: &str, rules: Vec<Rule>) -> Self {
        self.oidc_users
            .push((name.to_string(), refresh_token.to_string(), rules));
        self
    }
    /// Accounts the emulated coderd v1 knows. The first call replaces the defaults
    /// ([`crate::coderd_v1::default_users`]).
    pub fn v1_user(mut self, user: V1User) -> Self {
        self.v1_users.push(user);
        self
    }
    pub fn scenario(mut self, s: Scenario) -> Self {
        let (namespaces, pods) = charts::scenario(s);
        self.namespaces.extend(namespaces);
        self.pods.extend(pods);
        self
    }
    /// Serves plain http instead of https (a cluster a password must not be sent to).
    pub fn plain_http(mut self) -> Self {
        self.plain_http = true;
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
        users.extend(self.oidc_users.iter().map(|(name, _, rules)| User {
            name: name.clone(),
            token: None,
            rules: rules.clone(),
        }));
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
                id: ids::uuid_v4(),
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
            v1_users: if self.v1_users.is_empty() {
                crate::coderd_v1::default_users()
            } else {
                self.v1_users
            },
            coderd_sessions: Vec::new(),
            coderd_requests: Vec::new(),
            coderd_drop_answer_to: None,
            coderd_behaviour: None,
            oidc_accounts: self
                .oidc_users
                .iter()
                .map(|(name, refresh, _)| (name.clone(), refresh.clone()))
                .collect(),
            oidc_tokens: Vec::new(),
            oidc_refreshes: 0,
            portforwards: Vec::new(),
            requests: Vec::new(),
            execs: Vec::new(),
            delay: Duration::ZERO,
            fail_next: Vec::new(),
            list_padding: 0,
            list_page_cap: None,
            expire_continue: 0,
            compacted_rv: 0,
            exec_fault: None,
            delete_after_list: Vec::new(),
            client_certs: HashMap::new(),
            request_log,
            port: 0,
            plain_http: self.plain_http,
            resource_version: 1000,
        };
        let shared: Shared = Arc::new(Mutex::new(state));
        let pki = tls::Pki::generate()?;
        let server_config = if self.plain_http {
            None
        } else {
            Some(pki.server_config(shared.clone())?)
        };
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
            plain_http: self.plain_http,
            pki,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }
}

/// A running simulator. Dropping it shuts the server down.
pub struct Sim {
    pub(crate) shared: Shared,
    port: u16,
    ca_pem: String,
    plain_http: bool,
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
            v1_users: Vec::new(),
            oidc_users: Vec::new(),
            request_log: None,
            plain_http: false,
        }
    }

    /// `https://127.0.0.1:PORT` (`http://` with [`SimBuilder::plain_http`]).
    pub fn url(&self) -> String {
        let scheme = if self.plain_http { "http" } else { "https" };
        format!("{scheme}://127.0.0.1:{}", self.port)
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
        let ca = if self.plain_http {
            String::new()
        } else {
            format!(
                "    certificate-authority-data: {}\n",
                base64::engine::general_purpose::STANDARD.encode(self.ca_pem.as_bytes())
            )
        };
        let ns = match &opts.namespace {
            Some(ns) => format!("    namespace: {}\n", yaml_str(ns)),
            None => String::new(),
        };
        let name = yaml_str(&opts.context);
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {url}\n{ca}contexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: {name}\n{ns}current-context: {name}\nusers:\n- name: {name}\n  user:\n    token: {token}\npreferences: {{}}\n",
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

    /// Accepts a client certificate made elsewhere (PEM, e.g. an X.509 v1 one from
    /// `openssl x509 -req`) as `user`.
    pub fn register_client_cert(&self, cert_pem: &str, user: &str) {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject as _;
        let der = CertificateDer::from_pem_slice(cert_pem.as_bytes()).expect("a PEM certificate");
        lock(&self.shared)
            .client_certs
            .insert(der.as_ref().to_vec(), user.to_string());
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
            message: None,
        });
    }

    /// Like [`Sim::fail_next`], with this Status message (a hostile server's, say).
    pub fn fail_next_with(&self, n: usize, path_contains: &str, status: u16, message: &str) {
        lock(&self.shared).fail_next.push(FailRule {
            remaining: n,
            path_contains: path_contains.to_string(),
            status,
            message: Some(message.to_string()),
        });
    }

    /// Pads every pod list with this many bytes (an annotation of the first pod): an answer
    /// larger than any client should read.
    pub fn pad_pod_lists(&self, bytes: usize) {
        lock(&self.shared).list_padding = bytes;
    }

    /// Serve at most `n` pods per list page, whatever `limit` asks.
    pub fn cap_list_pages(&self, n: Option<usize>) {
        lock(&self.shared).list_page_cap = n;
    }
    /// Answer the next `n` continued lists 410 Expired, as after an etcd compaction.
    pub fn expire_continue_tokens(&self, n: usize) {
        lock(&self.shared).expire_continue = n;
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
