//! The simulator's shared state: the cluster's objects, its users, Coder's databases, the
//! faults to inject, and the logs the tests read.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::fixtures::pod::PodFixture;
use crate::ids;

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
    /// The TLS server name the client sent (none over http, or for an IP address).
    pub sni: Option<String>,
    /// When the request's head arrived (the simulator's monotonic clock), so that tests can
    /// read the pauses between a client's requests without timing the client.
    #[serde(skip)]
    pub received: std::time::Instant,
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

/// One port-forward the simulator accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortForwardRecord {
    pub namespace: String,
    pub pod: String,
    pub ports: Vec<u16>,
    /// Negotiated subprotocol (`v4.channel.k8s.io`, or empty without one).
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

/// A Coder v1 account as coderd keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1User {
    pub id: String,
    pub email: String,
    pub username: String,
    pub name: String,
    /// `site-admin`, `site-manager`, `site-auditor`, `site-member`.
    pub roles: Vec<String>,
    /// `built-in`, `saml`, `oidc`.
    pub login_type: String,
    pub password: Option<String>,
    pub temporary_password: bool,
}

impl V1User {
    /// A built-in account with one role and a password.
    pub fn new(username: &str, role: &str, password: &str) -> V1User {
        V1User {
            id: ids::uuid_from(&format!("coderd-v1-user-{username}")),
            email: format!("{username}@example.com"),
            username: username.to_string(),
            name: username.to_string(),
            roles: vec![role.to_string()],
            login_type: "built-in".to_string(),
            password: Some(password.to_string()),
            temporary_password: false,
        }
    }
    /// The same account signing in through an identity provider (`saml` or `oidc`).
    pub fn login_type(mut self, login_type: &str) -> V1User {
        self.login_type = login_type.to_string();
        self.password = None;
        self
    }
    pub fn email(mut self, email: &str) -> V1User {
        self.email = email.to_string();
        self
    }
}

/// One request coderd received (through a port-forward).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoderdRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// 0 when the connection closed instead of an answer.
    pub status: u16,
}

pub(crate) struct FailRule {
    pub remaining: usize,
    pub path_contains: String,
    pub status: u16,
    /// The Status message instead of the usual one for the code.
    pub message: Option<String>,
}

pub(crate) struct State {
    pub kube_minor: u32,
    pub subprotocols: Vec<String>,
    pub namespaces: BTreeMap<String, SystemTime>,
    pub pods: BTreeMap<(String, String), PodFixture>,
    pub users: Vec<User>,
    pub v2_users: Vec<V2User>,
    pub v1_admin_password: Option<String>,
    /// coderd v1's accounts, its sessions (token, user id), and what it was asked.
    pub v1_users: Vec<V1User>,
    pub coderd_sessions: Vec<(String, String)>,
    pub coderd_requests: Vec<CoderdRequest>,
    /// The next coderd request with this method is applied, then the connection closes
    /// without an answer.
    pub coderd_drop_answer_to: Option<String>,
    /// How coderd answers every request from now on, when not as usual.
    pub coderd_behaviour: Option<CoderdBehaviour>,
    pub portforwards: Vec<PortForwardRecord>,
    /// The OIDC issuer's accounts (user, refresh token), the ID tokens it minted (token,
    /// user, expiry in Unix seconds) and how many refresh grants it answered.
    pub oidc_accounts: Vec<(String, String)>,
    pub oidc_tokens: Vec<(String, String, u64)>,
    pub oidc_refreshes: usize,
    pub requests: Vec<LoggedRequest>,
    pub execs: Vec<ExecRecord>,
    pub delay: Duration,
    pub fail_next: Vec<FailRule>,
    /// Bytes of padding added to the first pod of every pod list (an oversized answer).
    pub list_padding: usize,
    /// The most pods one list page holds, whatever `limit` asks (a server may return fewer).
    pub list_page_cap: Option<usize>,
    /// How many continued lists to answer 410 Expired, as after an etcd compaction.
    pub expire_continue: usize,
    /// Continue tokens at or below this resourceVersion are expired.
    pub compacted_rv: u64,
    pub exec_fault: Option<ExecFault>,
    pub delete_after_list: Vec<(String, String)>,
    pub client_certs: HashMap<Vec<u8>, String>,
    pub request_log: Option<std::fs::File>,
    pub port: u16,
    /// Served over plain http rather than https.
    pub plain_http: bool,
    pub resource_version: u64,
}

impl State {
    pub(crate) fn next_rv(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }
    /// Returns the status to fail this request with, consuming one count.
    pub(crate) fn take_failure(&mut self, path: &str) -> Option<(u16, Option<String>)> {
        let rule = self
            .fail_next
            .iter_mut()
            .find(|r| r.remaining > 0 && path.contains(&r.path_contains))?;
        rule.remaining -= 1;
        let failure = (rule.status, rule.message.clone());
        self.fail_next.retain(|r| r.remaining > 0);
        Some(failure)
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

/// Ways coderd v1 (coderd_v1.rs) may answer that are not its usual API (faults and
/// deployments), each an assumption where coderd's own code would decide it (closed source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoderdBehaviour {
    /// With TLS on, the HTTP port sends every request to this https base URL (the access URL)
    /// with `308 Permanent Redirect` and nothing is applied. Assumed: Coder v1's docs do not
    /// say what port 8080 does then; a Go server redirecting to https answers as net/http's
    /// `http.Redirect` does (server.go: `Location`, and a short HTML body for GET).
    RedirectTo(String),
    /// Each answer comes this long after its request (a coderd under load, a slow database).
    Slow(std::time::Duration),
    /// Every error carries this `msg` (error.go's `APIError`): a hostile or odd message.
    ErrorMessage(String),
}
