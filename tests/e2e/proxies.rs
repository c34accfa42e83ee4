//! Proxies between the plugin and the API server: the environment's `HTTPS_PROXY`,
//! a cluster's `proxy-url` (http and socks5), credentials in the proxy URL, and the bypasses
//! (loopback, `NO_PROXY`). Each path is compared with the real kubectl's on the same
//! kubeconfig and environment: the proxy's log must show the same tunnels.

use std::path::PathBuf;

use kubesim::Scenario;

use crate::support::proxy::{self, PROXIED_HOST};
use crate::support::{Cmd, TestEnv};

/// A kubeconfig naming the simulator `kubesim.test` (reachable only through the test
/// proxies), with the cluster's `proxy-url` when given.
fn proxied_kubeconfig(env: &TestEnv, name: &str, proxy_url: Option<&str>) -> PathBuf {
    let text = std::fs::read_to_string(&env.kubeconfig).unwrap();
    let mut text = text.replace("https://127.0.0.1:", &format!("https://{PROXIED_HOST}:"));
    if let Some(url) = proxy_url {
        let server_line = text
            .lines()
            .find(|l| l.contains("server:"))
            .unwrap()
            .to_string();
        text = text.replace(
            &server_line,
            &format!("{server_line}\n    proxy-url: {url}"),
        );
    }
    let path = env.path(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn without_proxy_env(cmd: Cmd) -> Cmd {
    [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ]
    .into_iter()
    .fold(cmd, |c, k| c.env_remove(k))
}

/// The plugin's and kubectl's runs with the same kubeconfig and environment.
fn both(env: &TestEnv, kubeconfig: &PathBuf, vars: &[(&str, String)]) -> (Cmd, Cmd) {
    let set = |mut cmd: Cmd| {
        cmd = without_proxy_env(cmd).env("KUBECONFIG", kubeconfig);
        for (k, v) in vars {
            cmd = cmd.env(k, v);
        }
        cmd
    };
    (set(env.plugin()), set(env.kubectl()))
}

#[test]
fn https_proxy_from_the_environment_carries_a_reset_as_it_carries_kubectl() {
    let env = TestEnv::scenario(Scenario::V1);
    let proxy = proxy::http_connect(None);
    let kubeconfig = proxied_kubeconfig(&env, "proxied.yaml", None);
    let target = format!("{PROXIED_HOST}:{}", env.sim.port());
    // A lower-case variable, and a NO_PROXY with empty entries that names other hosts.
    let vars = [
        ("https_proxy", format!("127.0.0.1:{}", proxy.port)),
        ("NO_PROXY", ",example.com,, 10.0.0.0/8,".to_string()),
    ];
    let (plugin, kubectl) = both(&env, &kubeconfig, &vars);
    let run = plugin
        .args(["reset-admin-password", "--yes", "-o", "json"])
        .run();
    run.success();
    assert_eq!(
        run.json()["password"].as_str(),
        env.sim.v1_admin_password().as_deref()
    );
    let ours = proxy.tunnels();
    assert!(!ours.is_empty());
    assert!(ours.iter().all(|t| t == &target), "{ours:?}");

    proxy.clear();
    kubectl.args(["get", "pods", "-n", "coder"]).run().success();
    let theirs = proxy.tunnels();
    assert!(
        !theirs.is_empty() && theirs.iter().all(|t| t == &target),
        "{theirs:?}"
    );
}

#[test]
fn proxy_credentials_are_used_and_never_shown() {
    let env = TestEnv::scenario(Scenario::V1);
    let proxy = proxy::http_connect(Some(("corp", "s3cret-pw")));
    let kubeconfig = proxied_kubeconfig(&env, "proxied.yaml", None);
    let good = [(
        "HTTPS_PROXY",
        format!("http://corp:s3cret-pw@127.0.0.1:{}", proxy.port),
    )];
    let (plugin, _) = both(&env, &kubeconfig, &good);
    let run = plugin.args(["status", "-v"]).run();
    run.success();
    assert!(!proxy.tunnels().is_empty());
    // -v names the proxy, never its credentials.
    assert!(
        run.stderr.contains(&format!(
            "through proxy http://127.0.0.1:{} (from HTTPS_PROXY)",
            proxy.port
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("s3cret-pw"), "{}", run.stderr);

    // The wrong password: the proxy answers 407; the error names the proxy, not the secret.
    let bad = [(
        "HTTPS_PROXY",
        format!("http://corp:wrong-pw@127.0.0.1:{}", proxy.port),
    )];
    let (plugin, kubectl) = both(&env, &kubeconfig, &bad);
    let run = plugin.args(["reset-admin-password", "--yes", "-v"]).run();
    run.code(1);
    assert!(
        !run.stderr.contains("wrong-pw") && !run.stdout.contains("wrong-pw"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "through proxy http://127.0.0.1:{} (from HTTPS_PROXY)",
            proxy.port
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("hint: check the proxy"),
        "{}",
        run.stderr
    );
    assert_ne!(kubectl.args(["get", "pods", "-n", "coder"]).run().code, 0);
}

#[test]
fn the_clusters_proxy_url_wins_http_and_socks5() {
    let env = TestEnv::scenario(Scenario::V1);
    let target = format!("{PROXIED_HOST}:{}", env.sim.port());
    let http = proxy::http_connect(None);
    let socks = proxy::socks5(None);
    for (proxy, url) in [
        (&http, format!("http://127.0.0.1:{}", http.port)),
        (&socks, format!("socks5://127.0.0.1:{}", socks.port)),
    ] {
        let kubeconfig = proxied_kubeconfig(&env, "proxy-url.yaml", Some(&url));
        // The environment's proxy points nowhere: the kubeconfig's wins.
        let vars = [("HTTPS_PROXY", "http://127.0.0.1:1".to_string())];
        let (plugin, kubectl) = both(&env, &kubeconfig, &vars);
        proxy.clear();
        let run = plugin.args(["reset-admin-password", "--yes"]).run();
        assert_eq!(run.code, 0, "{url}: {}", run.stderr);
        let ours = proxy.tunnels();
        assert!(
            !ours.is_empty() && ours.iter().all(|t| t == &target),
            "{url}: {ours:?}"
        );

        proxy.clear();
        let out = kubectl.args(["get", "pods", "-n", "coder"]).run();
        assert_eq!(out.code, 0, "{url}: {}", out.stderr);
        let theirs = proxy.tunnels();
        assert!(
            !theirs.is_empty() && theirs.iter().all(|t| t == &target),
            "{url}: {theirs:?}"
        );
    }
}

#[test]
fn loopback_and_no_proxy_hosts_bypass_the_environments_proxy() {
    let env = TestEnv::scenario(Scenario::V1);
    let proxy = proxy::http_connect(None);
    let vars = [("HTTPS_PROXY", format!("http://127.0.0.1:{}", proxy.port))];

    // The simulator on 127.0.0.1: never through a proxy, for kubectl as for us.
    let (plugin, kubectl) = both(&env, &env.kubeconfig, &vars);
    plugin
        .args(["reset-admin-password", "--yes"])
        .run()
        .success();
    kubectl.args(["get", "pods", "-n", "coder"]).run().success();
    assert_eq!(proxy.tunnels(), Vec::<String>::new());

    // kubesim.test matched by NO_PROXY: both go direct, and the name resolves nowhere.
    let kubeconfig = proxied_kubeconfig(&env, "proxied.yaml", None);
    let vars = [
        ("HTTPS_PROXY", format!("http://127.0.0.1:{}", proxy.port)),
        ("NO_PROXY", "localhost,.test".to_string()),
    ];
    let (plugin, kubectl) = both(&env, &kubeconfig, &vars);
    let run = plugin.args(["status"]).run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(PROXIED_HOST), "{}", run.stderr);
    assert_ne!(kubectl.args(["get", "pods", "-n", "coder"]).run().code, 0);
    assert_eq!(proxy.tunnels(), Vec::<String>::new());
}

#[test]
fn a_proxy_that_is_down_is_named() {
    let env = TestEnv::scenario(Scenario::V1);
    let kubeconfig = proxied_kubeconfig(&env, "proxied.yaml", None);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let vars = [("HTTPS_PROXY", format!("http://u:hunter2@127.0.0.1:{port}"))];
    let (plugin, _) = both(&env, &kubeconfig, &vars);
    let run = plugin.args(["status"]).run();
    run.code(1);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot list pods in namespace \"coder\" at https://{PROXIED_HOST}:{}/ through proxy http://127.0.0.1:{port} (from HTTPS_PROXY): ",
            env.sim.port()
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with("hint: check the proxy: is it running and reachable, and are its address and credentials right? NO_PROXY lists hosts to reach directly\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_socks5_proxy_with_a_password_as_kubectl_uses_it() {
    // kube alone would send no credentials to it; the plugin's relay does (RFC 1929).
    let env = TestEnv::scenario(Scenario::V1);
    let target = format!("{PROXIED_HOST}:{}", env.sim.port());
    let socks = proxy::socks5(Some(("corp", "s0cks-pw")));
    let url = format!("socks5://corp:s0cks-pw@127.0.0.1:{}", socks.port);
    let kubeconfig = proxied_kubeconfig(&env, "proxy-url.yaml", Some(&url));
    let (plugin, kubectl) = both(&env, &kubeconfig, &[]);
    let run = plugin.args(["reset-admin-password", "--yes", "-v"]).run();
    run.success();
    assert!(!run.stderr.contains("s0cks-pw"), "{}", run.stderr);
    let ours = socks.tunnels();
    assert!(
        !ours.is_empty() && ours.iter().all(|t| t == &target),
        "{ours:?}"
    );
    socks.clear();
    kubectl.args(["get", "pods", "-n", "coder"]).run().success();
    let theirs = socks.tunnels();
    assert!(
        !theirs.is_empty() && theirs.iter().all(|t| t == &target),
        "{theirs:?}"
    );

    // The wrong password: refused by the proxy, named without the secret.
    socks.clear();
    let bad = format!("socks5://corp:wrong-pw@127.0.0.1:{}", socks.port);
    let kubeconfig = proxied_kubeconfig(&env, "bad-proxy.yaml", Some(&bad));
    let (plugin, _) = both(&env, &kubeconfig, &[]);
    let run = plugin.args(["status"]).run();
    run.code(1);
    assert!(
        run.stderr.contains(&format!(
            "through proxy socks5://127.0.0.1:{} (from the cluster's proxy-url in the kubeconfig)",
            socks.port
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("wrong-pw"), "{}", run.stderr);
    assert_eq!(socks.tunnels(), Vec::<String>::new());
}

/// The inodes of the TCP sockets `pid` is listening on (/proc/PID/fd against /proc/net/tcp*).
fn listening_sockets(pid: u32) -> Vec<String> {
    let owned: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| std::fs::read_link(e.path()).ok())
                .filter_map(|l| {
                    let l = l.display().to_string();
                    l.strip_prefix("socket:[")?
                        .strip_suffix(']')
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|t| t.lines().skip(1).map(str::to_string).collect::<Vec<_>>())
        .filter_map(|row| {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // st 0A is LISTEN; column 9 is the inode.
            (cols.get(3) == Some(&"0A") && owned.iter().any(|i| Some(&i.as_str()) == cols.get(9)))
                .then(|| row.clone())
        })
        .collect()
}

#[test]
fn proxy_credentials_open_no_local_port() {
    // The SOCKS5 handshake happens in the plugin's own connector: while it runs (the API
    // server is slow here), the process listens on nothing another local user could borrow.
    let env = TestEnv::scenario(Scenario::V1);
    let socks = proxy::socks5(Some(("corp", "s0cks-pw")));
    let url = format!("socks5://corp:s0cks-pw@127.0.0.1:{}", socks.port);
    let kubeconfig = proxied_kubeconfig(&env, "proxy-url.yaml", Some(&url));
    env.sim.set_delay(std::time::Duration::from_millis(400));
    // The check sees a listener: this test process serves the simulator and the proxy.
    assert!(!listening_sockets(std::process::id()).is_empty());
    let mut child = std::process::Command::new(crate::support::BIN)
        .env_clear()
        .env("HOME", env.dir.path())
        .env("KUBECONFIG", &kubeconfig)
        .args(["status"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut looked = 0;
    while child.try_wait().unwrap().is_none() {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let listening = listening_sockets(child.id());
        assert!(listening.is_empty(), "the plugin listens: {listening:?}");
        looked += 1;
    }
    assert!(child.wait().unwrap().success());
    assert!(looked >= 3, "looked only {looked} times while it ran");
    assert!(!socks.tunnels().is_empty());
}

#[test]
fn a_proxy_of_an_unsupported_scheme_is_refused_before_any_request() {
    let env = TestEnv::scenario(Scenario::V1);
    let kubeconfig = proxied_kubeconfig(&env, "proxied.yaml", None);
    let vars = [("HTTPS_PROXY", "ftp://u:hunter2@127.0.0.1:21".to_string())];
    let (plugin, _) = both(&env, &kubeconfig, &vars);
    let run = plugin.args(["status"]).run();
    run.code(1).stderr_is(
        "error: the proxy ftp://127.0.0.1:21 has an unsupported scheme: use http, https or socks5\nhint: fix HTTPS_PROXY (or the cluster's proxy-url): scheme://host:port, with http, https or socks5\n",
    );
    assert!(env.sim.requests().is_empty(), "a request was made");
}
