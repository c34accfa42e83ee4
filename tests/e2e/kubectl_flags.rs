//! kubectl's global flags, as plugins receive them: `--as*`, `--token`,
//! `-s/--server`, the TLS flags, `-v=N`; names the kubeconfig lacks; a `tokenFile` ending in a
//! newline; a 503 after the list's retries.

use std::path::PathBuf;

use kubesim::{Rule, Scenario, Sim};

use crate::support::TestEnv;

/// A kubeconfig for the simulator written by hand: `server`, the CA when given, `user` lines.
fn kubeconfig(env: &TestEnv, name: &str, server: &str, with_ca: bool, user: &str) -> PathBuf {
    use base64::Engine as _;
    let ca = if with_ca {
        format!(
            "    certificate-authority-data: {}\n",
            base64::engine::general_purpose::STANDARD.encode(env.sim.ca_pem())
        )
    } else {
        String::new()
    };
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: sim\nclusters:\n- name: sim\n  cluster:\n    server: {server}\n{ca}contexts:\n- name: sim\n  context: {{cluster: sim, user: me, namespace: coder}}\nusers:\n- name: me\n  user:\n{user}"
    );
    let path = env.path(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn breakglass_sim() -> TestEnv {
    TestEnv::start(
        Sim::builder()
            .scenario(Scenario::V1)
            .user(
                "breakglass",
                "breakglass-token",
                vec![Rule::new(
                    &["impersonate"],
                    &["users", "groups", "uids"],
                    None,
                )],
            )
            .user(
                "viewer",
                "viewer-token",
                vec![Rule::new(&["get", "list"], &["pods"], Some(&["coder"]))],
            ),
    )
}

#[test]
fn impersonation_flags_act_as_another_identity() {
    let env = breakglass_sim();
    let me = kubeconfig(
        &env,
        "bg.yaml",
        &env.sim.url(),
        true,
        "    token: breakglass-token\n",
    );
    let plugin = |args: &[&str]| env.plugin().env("KUBECONFIG", &me).args(args).run();

    // Alone, break-glass may only impersonate.
    plugin(&["status"]).code(4);
    // As viewer: viewer's rights (list, no exec), as the access reviews say too.
    let run = plugin(&["status", "-o", "json", "--as", "viewer"]);
    run.success();
    assert_eq!(run.json()["pod"]["exec"]["get"], false);
    // As a member of system:masters: the reset goes through, every request impersonating.
    env.sim.clear_logs();
    plugin(&[
        "reset-admin-password",
        "--yes",
        "--as",
        "oncall",
        "--as-group",
        "system:masters",
    ])
    .success();
    let requests = env.sim.requests();
    assert!(
        requests.iter().all(|r| r.user.as_deref() == Some("oncall")),
        "{requests:?}"
    );
    assert!(requests.iter().all(|r| {
        r.headers
            .iter()
            .any(|(k, v)| k == "impersonate-group" && v == "system:masters")
    }));

    // Someone who may not impersonate: the filter's refusal, with what to ask for.
    let viewer = kubeconfig(
        &env,
        "viewer.yaml",
        &env.sim.url(),
        true,
        "    token: viewer-token\n",
    );
    env.plugin()
        .env("KUBECONFIG", &viewer)
        .args(["status", "--as", "bob"])
        .run()
        .code(4)
        .stderr_is("error: forbidden: users \"bob\" is forbidden: User \"viewer\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope\nhint: your own identity may not impersonate that: ask a cluster admin for `impersonate` on users (and groups, uids), or leave out --as\n");
}

#[test]
fn token_and_server_flags_replace_the_kubeconfigs() {
    let env = TestEnv::scenario(Scenario::V1);
    // A kubeconfig pointing at a closed port with a stale token.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("https://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let stale = kubeconfig(&env, "stale.yaml", &dead, true, "    token: stale-token\n");
    let run = env
        .plugin()
        .env("KUBECONFIG", &stale)
        .args([
            "reset-admin-password",
            "--yes",
            "-vv",
            "-s",
            &env.sim.url(),
            "--token",
            "admin-token",
        ])
        .run();
    run.success();
    assert!(!run.stderr.contains("admin-token"), "{}", run.stderr);
    assert!(
        env.sim
            .requests()
            .iter()
            .all(|r| r.user.as_deref() == Some("admin"))
    );
    // --server alone keeps the stale token: 401, as kubectl.
    env.plugin()
        .env("KUBECONFIG", &stale)
        .args(["status", "--server", &env.sim.url()])
        .run()
        .code(4);
}

#[test]
fn tls_flags_certificate_authority_insecure_and_server_name() {
    let env = TestEnv::scenario(Scenario::V1);
    let no_ca = kubeconfig(
        &env,
        "no-ca.yaml",
        &env.sim.url(),
        false,
        "    token: admin-token\n",
    );
    let plugin = |args: &[&str]| env.plugin().env("KUBECONFIG", &no_ca).args(args).run();
    // Without a CA the server is not trusted.
    assert!(plugin(&["status"]).stderr.contains("not trusted"));
    let ca = env.path("ca.pem");
    std::fs::write(&ca, env.sim.ca_pem()).unwrap();
    plugin(&["status", "--certificate-authority", ca.to_str().unwrap()]).success();
    // --insecure-skip-tls-verify: status works with a warning; a reset needs the extra flag.
    let run = plugin(&["status", "--insecure-skip-tls-verify"]);
    run.success();
    assert!(
        run.stderr
            .contains("warning: the API server's certificate is not verified")
    );
    plugin(&[
        "reset-admin-password",
        "--yes",
        "--insecure-skip-tls-verify=true",
    ])
    .code(2);
    plugin(&[
        "reset-admin-password",
        "--yes",
        "--insecure-skip-tls-verify",
        "--allow-insecure-connection",
    ])
    .success();

    // --tls-server-name: a name the certificate has works; another says which names it has.
    let ca_flag = ["--certificate-authority", ca.to_str().unwrap()];
    let with = |name: &str| {
        let mut args = vec!["status", "--tls-server-name", name];
        args.extend(ca_flag);
        plugin(&args)
    };
    with("kubesim.test").success();
    let run = with("api.example.com");
    run.code(1);
    assert!(
        run.stderr.contains("the server's TLS certificate is valid for 127.0.0.1, localhost, kubesim.test, not for api.example.com"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--tls-server-name"), "{}", run.stderr);
}

#[test]
fn client_certificate_flags() {
    let env = TestEnv::scenario(Scenario::V1);
    let (cert, key) = env.sim.client_cert("admin");
    let (cert_path, key_path) = (env.path("admin.crt"), env.path("admin.key"));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    // A user with no credentials at all: kubectl asks for a basic-auth user (EOF without a
    // terminal) and sends nothing; so does the plugin, saying why.
    let anonymous = kubeconfig(&env, "anon.yaml", &env.sim.url(), true, "    {}\n");
    let kubectl = env
        .kubectl()
        .env("KUBECONFIG", &anonymous)
        .args(["get", "pods"])
        .run();
    assert_ne!(kubectl.code, 0);
    let said = format!("{}{}", kubectl.stdout, kubectl.stderr);
    assert!(said.contains("Please enter Username"), "{said}");
    env.sim.clear_logs();
    env.plugin()
        .env("KUBECONFIG", &anonymous)
        .args(["status"])
        .run()
        .code(1)
        .stderr_is("error: user \"me\" has no credentials in the kubeconfig (kubectl would ask for a user name and password)\nhint: give the user a token, client certificate or credential plugin, or pass --token\n");
    assert!(env.sim.requests().is_empty());
    env.plugin()
        .env("KUBECONFIG", &anonymous)
        .args(["reset-admin-password", "--yes"])
        .args(["--client-certificate", cert_path.to_str().unwrap()])
        .args(["--client-key", key_path.to_str().unwrap()])
        .run()
        .success();
    assert_eq!(
        env.sim.requests().last().unwrap().user.as_deref(),
        Some("admin")
    );
}

#[test]
fn kubectl_verbosity_is_accepted() {
    let env = TestEnv::scenario(Scenario::V1);
    let run = env.plugin().args(["status", "-v=6"]).run();
    run.success();
    assert!(
        run.stderr.contains("listing pods in namespace coder"),
        "{}",
        run.stderr
    );
    let run = env.plugin().args(["--v=0", "status"]).run();
    run.success();
    assert_eq!(run.stderr, "");
    // As kubectl hands them to plugins.
    let run = env.kubectl().args(["coder", "status", "-v=4"]).run();
    run.success();
    assert!(run.stderr.contains("listing pods"), "{}", run.stderr);
}

#[test]
fn names_the_kubeconfig_lacks_fail_before_any_request() {
    let env = TestEnv::scenario(Scenario::V1);
    for (flag, message) in [
        (
            "--user",
            "error: user \"nope\" does not exist in the kubeconfig\nhint: list the users with `kubectl config get-users`\n",
        ),
        (
            "--cluster",
            "error: cluster \"nope\" does not exist in the kubeconfig\nhint: list the clusters with `kubectl config get-clusters`\n",
        ),
        (
            "--context",
            "error: context \"nope\" does not exist in the kubeconfig\nhint: list the contexts with `kubectl config get-contexts`\n",
        ),
    ] {
        env.plugin()
            .args(["status", flag, "nope"])
            .run()
            .code(1)
            .stderr_is(message);
    }
    assert!(env.sim.requests().is_empty());
}

#[test]
fn a_token_file_ending_in_a_newline_works_as_in_kubectl() {
    let env = TestEnv::scenario(Scenario::V1);
    let token = env.path("token");
    // What `kubectl create token sa > token` writes.
    std::fs::write(&token, "admin-token\n").unwrap();
    let config = kubeconfig(
        &env,
        "file.yaml",
        &env.sim.url(),
        true,
        &format!("    tokenFile: {}\n", token.display()),
    );
    env.plugin()
        .env("KUBECONFIG", &config)
        .args(["status"])
        .run()
        .success();
    env.kubectl()
        .env("KUBECONFIG", &config)
        .args(["get", "pods", "-n", "coder"])
        .run()
        .success();
}

#[test]
fn a_503_on_the_list_is_reported_as_a_503_after_the_retries() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim.fail_next_with(
        3,
        "/pods",
        503,
        "the server is currently unable to handle the request",
    );
    env.plugin()
        .args(["status"])
        .run()
        .code(1)
        .stderr_is("error: the API server failed to list pods in namespace \"coder\": the server is currently unable to handle the request (503)\nhint: try again in a moment; the list was already retried\n");
    assert_eq!(env.sim.requests().len(), 3);
}

#[test]
fn an_x509_v1_client_certificate_works_as_with_kubectl() {
    // What `openssl x509 -req` makes without extensions (tests/fixtures/x509v1): kube alone
    // refused it as an "invalid private key"; kubectl sends it.
    let env = TestEnv::scenario(Scenario::V1);
    let fixture = |name: &str| format!("{}/tests/fixtures/x509v1/{name}", crate::support::ROOT);
    env.sim.register_client_cert(
        &std::fs::read_to_string(fixture("client.crt")).unwrap(),
        "admin",
    );
    let user = format!(
        "    client-certificate: {}\n    client-key: {}\n",
        fixture("client.crt"),
        fixture("client.key")
    );
    let path = kubeconfig(&env, "v1cert.yaml", &env.sim.url(), true, &user);
    env.kubectl()
        .env("KUBECONFIG", &path)
        .args(["get", "pods"])
        .run()
        .success();
    assert!(
        env.sim
            .requests()
            .iter()
            .any(|r| r.user.as_deref() == Some("admin"))
    );
    env.sim.clear_logs();
    env.plugin()
        .env("KUBECONFIG", &path)
        .args(["reset-admin-password", "--yes"])
        .run()
        .success();
    let requests = env.sim.requests();
    assert!(
        !requests.is_empty() && requests.iter().all(|r| r.user.as_deref() == Some("admin")),
        "{requests:?}"
    );
}
