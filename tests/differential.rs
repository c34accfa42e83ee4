//! The differential suite: generated connection cases (kubeconfig layouts × contexts,
//! clusters and users × kubectl's flags × proxy environment), each run by the real kubectl
//! (`kubectl get pods`) and by the plugin (`kubectl coder status`) against the same simulators
//! and proxies. What is compared is what the servers saw on the pod list (or that none came),
//! and whether a credential plugin ran: identity, impersonation headers, namespace, TLS server
//! name, plain http or TLS, which proxy carried it, and the answer's status.
//!
//! Seeded (`DIFFERENTIAL_SEED`, default fixed) and bounded (`DIFFERENTIAL_CASES`, default 320);
//! every eighth case also runs kubectl 1.27 and 1.33. Differences we keep on purpose are listed
//! in README.md ("Where the plugin differs from kubectl"), none of them reachable here.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kubesim::{LoggedRequest, Rule, Scenario, Sim};
use support::proxy::{self, PROXIED_HOST};
use support::{BIN, Cmd};

const KUBECTL_DIR: &str = "/usr/lib/google-cloud-sdk/bin";

/// The simulators and proxies the cases share (one set per worker thread).
struct World {
    https: Sim,
    http: Sim,
    connect: proxy::Proxy,
    socks: proxy::Proxy,
    cert: (String, String),
}

impl World {
    fn new() -> World {
        let https = Sim::builder()
            .scenario(Scenario::V1)
            .user(
                "viewer",
                "viewer-token",
                vec![Rule::new(&["get", "list"], &["pods"], None)],
            )
            .start()
            .unwrap();
        let http = Sim::builder()
            .scenario(Scenario::V1)
            .plain_http()
            .start()
            .unwrap();
        let cert = https.client_cert("admin");
        World {
            https,
            http,
            connect: proxy::http_connect(None),
            socks: proxy::socks5(Some(("pu", "pp"))),
            cert,
        }
    }

    fn clear(&self) {
        self.https.clear_logs();
        self.http.clear_logs();
        self.connect.clear();
        self.socks.clear();
    }

    /// What the servers saw of the first pod list, and where it went.
    fn observe(&self, dir: &Path) -> Observation {
        // The pod list when it was served; else the first request the server refused
        // (kubectl meets a refusal at discovery, before its list; the plugin at its list).
        let list = |sim: &Sim, plain: bool| {
            let requests = sim.requests();
            requests
                .iter()
                .find(|r| r.method == "GET" && is_pod_list(&r.uri) && r.status == 200)
                .or_else(|| requests.iter().find(|r| matches!(r.status, 401 | 403)))
                .map(|r| Seen::of(r, plain))
        };
        Observation {
            seen: list(&self.https, false).or_else(|| list(&self.http, true)),
            via_connect: !self.connect.tunnels().is_empty(),
            via_socks: !self.socks.tunnels().is_empty(),
            plugin_ran: dir.join("plugin-ran").exists(),
            provider_ran: dir.join("provider-ran").exists(),
        }
    }
}

fn is_pod_list(uri: &str) -> bool {
    let path = uri.split('?').next().unwrap_or_default();
    path.starts_with("/api/v1/namespaces/") && path.ends_with("/pods")
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    status: u16,
    user: Option<String>,
    impersonate: BTreeSet<(String, String)>,
    namespace: Option<String>,
    sni: Option<String>,
    plain_http: bool,
    authorization_sent: bool,
}

impl Seen {
    fn of(r: &LoggedRequest, plain_http: bool) -> Seen {
        let path = r.uri.split('?').next().unwrap_or_default();
        Seen {
            // 401 and 403 are both "refused by the server"; 200 is served.
            status: r.status,
            user: r.user.clone(),
            impersonate: r
                .headers
                .iter()
                .filter(|(k, _)| k.starts_with("impersonate-"))
                .cloned()
                .collect(),
            // Only a served list says which namespace was asked for.
            namespace: (r.status == 200).then(|| {
                path.trim_start_matches("/api/v1/namespaces/")
                    .trim_end_matches("/pods")
                    .to_string()
            }),
            sni: r.sni.clone(),
            plain_http,
            authorization_sent: r.headers.iter().any(|(k, _)| k == "authorization"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Observation {
    /// `None`: refused before any pod list reached a server (locally, or the connection
    /// or TLS handshake failed).
    seen: Option<Seen>,
    via_connect: bool,
    via_socks: bool,
    plugin_ran: bool,
    provider_ran: bool,
}

/// A small deterministic generator (xorshift64*), so a failing case can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// One generated case: the files, the arguments and the environment, written into `dir`.
struct Case {
    description: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

const SERVERS: [&str; 11] = [
    "ca-data",
    "ca-file",
    "insecure",
    "ca+insecure",
    "http",
    "proxy-url http",
    "proxy-url socks5 with credentials",
    "proxy-url without scheme",
    "no ca",
    "tls-server-name localhost",
    "tls-server-name wrong",
];

const USERS: [&str; 15] = [
    "token admin",
    "token viewer",
    "tokenFile admin",
    "client certificate",
    "exec v1beta1 (viewer)",
    "exec v1 without interactiveMode",
    "exec v1alpha1",
    "token admin + exec (viewer)",
    "client certificate + exec (viewer)",
    "token + basic",
    "auth-provider gcp",
    "auth-provider azure",
    "auth-provider unknown",
    "nothing",
    "exec v1 returning a client certificate",
];

fn write_script(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The credential plugin: marks that it ran, answers in the version asked for.
fn exec_plugin(dir: &Path, status: serde_json::Value) -> PathBuf {
    let reply = dir.join("reply.json");
    let credential =
        serde_json::json!({"apiVersion": "APIVERSION", "kind": "ExecCredential", "status": status});
    std::fs::write(&reply, credential.to_string()).unwrap();
    let script = dir.join("plugin.sh");
    write_script(
        &script,
        &format!(
            "#!/bin/sh\necho run >> {}\nv=$(printf '%s' \"$KUBERNETES_EXEC_INFO\" | sed -n 's/.*\"apiVersion\":\"\\([^\"]*\\)\".*/\\1/p')\nsed \"s#APIVERSION#$v#\" {}\n",
            dir.join("plugin-ran").display(),
            reply.display()
        ),
    );
    script
}

fn exec_section(script: &Path, version: Option<&str>, mode: Option<&str>) -> String {
    let mut text = format!("    exec:\n      command: {}\n", script.display());
    if let Some(v) = version {
        text.push_str(&format!(
            "      apiVersion: client.authentication.k8s.io/{v}\n"
        ));
    }
    if let Some(m) = mode {
        text.push_str(&format!("      interactiveMode: {m}\n"));
    }
    text
}

fn generate(world: &World, rng: &mut Rng, dir: &Path) -> Case {
    let ca_pem = world.https.ca_pem();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let (cert, key) = &world.cert;
    let (cert_file, key_file) = (dir.join("c.pem"), dir.join("k.pem"));
    std::fs::write(&cert_file, cert).unwrap();
    std::fs::write(&key_file, key).unwrap();
    use base64::Engine as _;
    let ca_data = base64::engine::general_purpose::STANDARD.encode(&ca_pem);
    let https_port = world.https.port();

    let server = rng.below(SERVERS.len());
    let mut cluster = match server {
        4 => format!("    server: {}\n", world.http.url()),
        5..=7 => format!("    server: https://{PROXIED_HOST}:{https_port}\n"),
        _ => format!("    server: https://127.0.0.1:{https_port}\n"),
    };
    match server {
        1 => cluster.push_str(&format!(
            "    certificate-authority: {}\n",
            ca_file.display()
        )),
        2 => cluster.push_str("    insecure-skip-tls-verify: true\n"),
        3 => cluster.push_str(&format!(
            "    certificate-authority-data: {ca_data}\n    insecure-skip-tls-verify: true\n"
        )),
        4 | 8 => {}
        _ => cluster.push_str(&format!("    certificate-authority-data: {ca_data}\n")),
    }
    match server {
        5 => cluster.push_str(&format!(
            "    proxy-url: http://127.0.0.1:{}\n",
            world.connect.port
        )),
        6 => cluster.push_str(&format!(
            "    proxy-url: socks5://pu:pp@127.0.0.1:{}\n",
            world.socks.port
        )),
        7 => cluster.push_str(&format!(
            "    proxy-url: 127.0.0.1:{}\n",
            world.connect.port
        )),
        9 => cluster.push_str("    tls-server-name: localhost\n"),
        10 => cluster.push_str("    tls-server-name: wrong.example\n"),
        _ => {}
    }

    let user_kind = rng.below(USERS.len());
    let viewer = serde_json::json!({"token": "viewer-token"});
    let user = match user_kind {
        0 => "    token: admin-token\n".to_string(),
        1 => "    token: viewer-token\n".to_string(),
        2 => {
            let file = dir.join("token");
            std::fs::write(&file, "admin-token\n").unwrap();
            format!("    tokenFile: {}\n", file.display())
        }
        3 => format!(
            "    client-certificate: {}\n    client-key: {}\n",
            cert_file.display(),
            key_file.display()
        ),
        4 => exec_section(&exec_plugin(dir, viewer), Some("v1beta1"), None),
        5 => exec_section(&exec_plugin(dir, viewer), Some("v1"), None),
        6 => exec_section(&exec_plugin(dir, viewer), Some("v1alpha1"), Some("Never")),
        7 => format!(
            "    token: admin-token\n{}",
            exec_section(&exec_plugin(dir, viewer), Some("v1"), Some("Never"))
        ),
        8 => format!(
            "    client-certificate: {}\n    client-key: {}\n{}",
            cert_file.display(),
            key_file.display(),
            exec_section(&exec_plugin(dir, viewer), Some("v1"), Some("Never"))
        ),
        9 => "    token: admin-token\n    username: admin\n    password: pw\n".to_string(),
        10..=12 => {
            let script = dir.join("provider.sh");
            write_script(
                &script,
                &format!(
                    "#!/bin/sh\necho run >> {}\necho '{{\"token\":\"admin-token\"}}'\n",
                    dir.join("provider-ran").display()
                ),
            );
            let name = ["gcp", "azure", "nope"][user_kind - 10];
            format!(
                "    auth-provider:\n      name: {name}\n      config:\n        cmd-path: {}\n        token-key: '{{.token}}'\n",
                script.display()
            )
        }
        13 => "    {}\n".to_string(),
        _ => exec_section(
            &exec_plugin(
                dir,
                serde_json::json!({"clientCertificateData": cert, "clientKeyData": key}),
            ),
            Some("v1"),
            Some("IfAvailable"),
        ),
    };

    let namespace = match rng.below(4) {
        0 => String::new(),
        1 => ", namespace: \"\"".to_string(),
        2 => ", namespace: coder".to_string(),
        _ => ", namespace: other".to_string(),
    };
    let current = match rng.below(6) {
        0 => "".to_string(),
        1 => "current-context: gone\n".to_string(),
        _ => "current-context: main\n".to_string(),
    };
    let head = format!("apiVersion: v1\nkind: Config\n{current}");
    let contexts = format!(
        "contexts:\n- name: main\n  context: {{cluster: sim, user: me{namespace}}}\n- name: alt\n  context: {{cluster: sim, user: viewer}}\n- name: lost\n  context: {{cluster: missing, user: me}}\n"
    );
    let clusters = format!("clusters:\n- name: sim\n  cluster:\n{cluster}");
    let users = format!(
        "users:\n- name: me\n  user:\n{user}- name: viewer\n  user:\n    token: viewer-token\n"
    );

    let mut args: Vec<String> = Vec::new();
    let mut env: Vec<(String, String)> = Vec::new();
    let layout = rng.below(5);
    let whole = format!("{head}{contexts}{clusters}{users}");
    let layout_name = match layout {
        0 => {
            std::fs::write(dir.join("kc"), &whole).unwrap();
            env.push(("KUBECONFIG".into(), dir.join("kc").display().to_string()));
            "KUBECONFIG=one file"
        }
        1 => {
            std::fs::write(dir.join("a"), format!("{head}{contexts}")).unwrap();
            std::fs::write(
                dir.join("b"),
                format!("apiVersion: v1\nkind: Config\n{clusters}{users}"),
            )
            .unwrap();
            let list = format!(
                "{}:{}:{}",
                dir.join("missing").display(),
                dir.join("a").display(),
                dir.join("b").display()
            );
            env.push(("KUBECONFIG".into(), list));
            "KUBECONFIG=missing:contexts:clusters+users"
        }
        2 => {
            std::fs::write(dir.join("kc"), &whole).unwrap();
            args.push("--kubeconfig".into());
            args.push(dir.join("kc").display().to_string());
            "--kubeconfig"
        }
        3 => {
            std::fs::create_dir_all(dir.join(".kube")).unwrap();
            std::fs::write(dir.join(".kube/config"), &whole).unwrap();
            "~/.kube/config"
        }
        _ => {
            // No kubeconfig at all: the flags alone (kubectl would try localhost:8080).
            args.extend([
                "--server".to_string(),
                format!("https://127.0.0.1:{https_port}"),
            ]);
            "no kubeconfig, --server"
        }
    };
    let mut flag = |rng: &mut Rng, percent: u64, words: &[&str]| {
        if rng.chance(percent) {
            args.extend(words.iter().map(|w| w.to_string()));
        }
    };
    flag(rng, 20, &["--context", "alt"]);
    flag(rng, 8, &["--context", "lost"]);
    flag(rng, 15, &["-n", "coder"]);
    flag(rng, 10, &["--user", "viewer"]);
    if layout != 4 {
        let url = format!("https://127.0.0.1:{https_port}");
        flag(rng, 12, &["--server", &url]);
    }
    flag(rng, 15, &["--token", "admin-token"]);
    let ca = ca_file.display().to_string();
    flag(rng, 20, &["--certificate-authority", &ca]);
    flag(rng, 12, &["--insecure-skip-tls-verify"]);
    flag(rng, 10, &["--tls-server-name", "localhost"]);
    flag(rng, 15, &["--as", "bob"]);
    flag(rng, 12, &["--as-group", "system:masters"]);
    flag(rng, 8, &["--as-uid", "42"]);
    match rng.below(6) {
        0 => env.push((
            "HTTPS_PROXY".into(),
            format!("http://127.0.0.1:{}", world.connect.port),
        )),
        1 => {
            env.push((
                "HTTPS_PROXY".into(),
                format!("http://127.0.0.1:{}", world.connect.port),
            ));
            let no_proxy =
                ["kubesim.test", ".test", "*", "127.0.0.1", "other.example"][rng.below(5)];
            env.push(("NO_PROXY".into(), no_proxy.into()));
        }
        _ => {}
    }
    Case {
        description: format!(
            "server {} | user {} | context ns {namespace:?} | {current:?} | {layout_name} | args {args:?} | env {env:?}",
            SERVERS[server], USERS[user_kind]
        ),
        args,
        env,
    }
}

fn run(program: &str, words: &[&str], case: &Case, dir: &Path) {
    let mut cmd = Cmd::new(program, dir).args(words).args(&case.args);
    for (k, v) in &case.env {
        cmd = cmd.env(k, v);
    }
    let _ = cmd.run();
}

/// How many cases ended each way (for kubectl 1.32): served, refused by the server, and no
/// request at all; and how many went through a proxy or ran a plugin. The suite must reach
/// them all, or a broken harness (nothing observed) would pass.
#[derive(Default, Debug)]
struct Tally {
    served: usize,
    refused_by_server: usize,
    no_request: usize,
    proxied: usize,
    plugin_ran: usize,
    impersonated: usize,
    with_sni: usize,
    plain_http: usize,
}

impl Tally {
    fn count(&mut self, o: &Observation) {
        match &o.seen {
            Some(seen) if seen.status == 200 => self.served += 1,
            Some(_) => self.refused_by_server += 1,
            None => self.no_request += 1,
        }
        if let Some(seen) = &o.seen {
            self.impersonated += usize::from(!seen.impersonate.is_empty());
            self.with_sni += usize::from(seen.sni.is_some());
            self.plain_http += usize::from(seen.plain_http);
        }
        self.proxied += usize::from(o.via_connect || o.via_socks);
        self.plugin_ran += usize::from(o.plugin_ran);
    }
    fn add(&mut self, other: &Tally) {
        self.served += other.served;
        self.refused_by_server += other.refused_by_server;
        self.no_request += other.no_request;
        self.proxied += other.proxied;
        self.plugin_ran += other.plugin_ran;
        self.impersonated += other.impersonated;
        self.with_sni += other.with_sni;
        self.plain_http += other.plain_http;
    }
}

/// Runs `cases` cases from `seed`; returns the differences.
fn differences(seed: u64, cases: usize) -> (Vec<String>, Tally) {
    let mut tally = Tally::default();
    let world = World::new();
    let mut rng = Rng(seed | 1);
    let mut found = Vec::new();
    for i in 0..cases {
        let dir = tempfile::tempdir().unwrap();
        let case = generate(&world, &mut rng, dir.path());
        let mut kubectls = vec!["kubectl.1.32"];
        if i % 8 == 0 {
            kubectls.extend(["kubectl.1.27", "kubectl.1.33"]);
        }
        world.clear();
        let _ = std::fs::remove_file(dir.path().join("plugin-ran"));
        run(BIN, &["status"], &case, dir.path());
        let plugin = world.observe(dir.path());
        for kubectl in kubectls {
            world.clear();
            let _ = std::fs::remove_file(dir.path().join("plugin-ran"));
            let _ = std::fs::remove_file(dir.path().join("provider-ran"));
            let program = format!("{KUBECTL_DIR}/{kubectl}");
            run(
                &program,
                &["get", "pods", "--request-timeout=10s"],
                &case,
                dir.path(),
            );
            let reference = world.observe(dir.path());
            if kubectl == "kubectl.1.32" {
                tally.count(&reference);
            }
            if reference != plugin {
                found.push(format!(
                    "case {i} (seed {seed}) {}\n  {kubectl}: {reference:?}\n  plugin:      {plugin:?}",
                    case.description
                ));
            }
        }
    }
    (found, tally)
}

#[test]
fn connects_exactly_as_kubectl_does() {
    if !support::tool_available(
        "kubectl 1.27/1.32/1.33 in /usr/lib/google-cloud-sdk/bin",
        ["1.27", "1.32", "1.33"]
            .iter()
            .all(|v| Path::new(&format!("{KUBECTL_DIR}/kubectl.{v}")).exists()),
    ) {
        return;
    }
    let seed: u64 = std::env::var("DIFFERENTIAL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261205);
    let cases: usize = std::env::var("DIFFERENTIAL_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(320);
    // Two workers, each with its own simulators and proxies (their logs stay apart).
    let workers: Vec<_> = (0..2u64)
        .map(|w| {
            let per = cases / 2 + usize::from(w == 0) * (cases % 2);
            std::thread::spawn(move || differences(seed.wrapping_add(w * 7919), per))
        })
        .collect();
    let mut found: Vec<String> = Vec::new();
    let mut tally = Tally::default();
    for worker in workers {
        let (differences, counted) = worker.join().unwrap();
        found.extend(differences);
        tally.add(&counted);
    }
    eprintln!("differential: {cases} cases, kubectl 1.32 outcomes: {tally:?}");
    let reached = [
        tally.served,
        tally.refused_by_server,
        tally.no_request,
        tally.proxied,
        tally.plugin_ran,
        tally.impersonated,
        tally.with_sni,
        tally.plain_http,
    ];
    assert!(
        cases < 100 || reached.iter().all(|&n| n >= 3),
        "the cases did not reach every outcome: {tally:?}"
    );
    assert!(
        found.is_empty(),
        "{} of {cases} cases differ from kubectl:\n{}",
        found.len(),
        found.join("\n")
    );
}
