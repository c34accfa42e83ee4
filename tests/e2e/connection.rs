//! kubectl's connection flags and kubeconfig rules, and the API's refusals, end to end.

use kubesim::{KubeconfigOptions, Rule, Scenario, Sim};

use crate::support::TestEnv;

/// A kubeconfig written by hand, to combine contexts, users and files freely.
fn kubeconfig(
    env: &TestEnv,
    contexts: &[(&str, &str, &str)],
    users: &[(&str, &str)],
    current: &str,
) -> String {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(env.sim.ca_pem());
    let mut text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: {current}\nclusters:\n- name: sim\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\n- name: nowhere\n  cluster:\n    server: https://127.0.0.1:1\n    certificate-authority-data: {ca}\ncontexts:\n",
        env.sim.url()
    );
    for (name, cluster, namespace) in contexts {
        text.push_str(&format!("- name: {name}\n  context: {{cluster: {cluster}, user: {name}-user, namespace: {namespace}}}\n"));
    }
    text.push_str("users:\n");
    for (name, user) in users {
        text.push_str(&format!("- name: {name}-user\n  user:\n{user}\n"));
    }
    text
}

/// `status` with a kubeconfig whose only context uses `user` (YAML lines of a user entry).
fn status_as(env: &TestEnv, name: &str, user: &str) -> crate::support::Run {
    let path = env.path(&format!("{name}.yaml"));
    std::fs::write(
        &path,
        kubeconfig(env, &[(name, "sim", "coder")], &[(name, user)], name),
    )
    .unwrap();
    env.plugin().args(["status"]).env("KUBECONFIG", &path).run()
}

fn token(t: &str) -> String {
    format!("    token: {t}")
}

#[test]
fn context_namespace_is_the_default_and_dash_n_overrides_it() {
    let env = TestEnv::scenario(Scenario::Mixed);
    env.plugin().args(["status"]).run().success();
    env.plugin().args(["status", "-n", "default"]).run().code(3);
    env.plugin()
        .args(["status", "--namespace=coder"])
        .run()
        .success();
}

#[test]
fn without_a_context_namespace_it_is_default() {
    let env = TestEnv::scenario(Scenario::Mixed);
    env.sim
        .write_kubeconfig(&env.kubeconfig, &KubeconfigOptions::default())
        .unwrap();
    let run = env.plugin().args(["status", "-o", "json"]).run();
    run.code(3);
    assert_eq!(run.json()["namespace"], "default");
}

#[test]
fn kubeconfig_list_merges_first_file_wins_and_flag_beats_env() {
    let env = TestEnv::scenario(Scenario::V1);
    let good = env.path("good.yaml");
    let bad = env.path("bad.yaml");
    std::fs::write(
        &good,
        kubeconfig(
            &env,
            &[("good", "sim", "coder")],
            &[("good", &token("admin-token"))],
            "good",
        ),
    )
    .unwrap();
    std::fs::write(
        &bad,
        kubeconfig(
            &env,
            &[("bad", "nowhere", "coder")],
            &[("bad", &token("admin-token"))],
            "bad",
        ),
    )
    .unwrap();
    let missing = env.path("missing.yaml");
    let list = |files: &[&std::path::Path]| std::env::join_paths(files).unwrap();

    // The first file to set current-context wins; a missing file in the list is skipped.
    env.plugin()
        .args(["status"])
        .env("KUBECONFIG", list(&[&missing, &good, &bad]))
        .run()
        .success();
    env.plugin()
        .args(["status"])
        .env("KUBECONFIG", list(&[&bad, &good]))
        .run()
        .code(1);
    // Contexts of later files are still there.
    env.plugin()
        .args(["status", "--context", "good"])
        .env("KUBECONFIG", list(&[&bad, &good]))
        .run()
        .success();
    // --kubeconfig replaces $KUBECONFIG entirely.
    let run = env
        .plugin()
        .args(["status", "--kubeconfig"])
        .arg_path(&good)
        .env("KUBECONFIG", &bad)
        .run();
    run.success();
    let run = env
        .plugin()
        .args(["status", "--context", "bad", "--kubeconfig"])
        .arg_path(&good)
        .run();
    run.code(1).stderr_is(
        "error: context \"bad\" does not exist in the kubeconfig\nhint: list the contexts with `kubectl config get-contexts`\n",
    );
}

trait ArgPath {
    fn arg_path(self, path: &std::path::Path) -> Self;
}

impl ArgPath for crate::support::Cmd {
    fn arg_path(self, path: &std::path::Path) -> Self {
        self.args([path])
    }
}

#[test]
fn user_and_cluster_flags_pick_kubeconfig_entries() {
    let env = TestEnv::start(Sim::builder().scenario(Scenario::V1).user(
        "viewer",
        "viewer-token",
        vec![Rule::new(&["get", "list"], &["pods"], None)],
    ));
    let path = env.path("two-users.yaml");
    std::fs::write(
        &path,
        kubeconfig(
            &env,
            &[("main", "sim", "coder"), ("viewer", "sim", "coder")],
            &[
                ("main", &token("admin-token")),
                ("viewer", &token("viewer-token")),
            ],
            "main",
        ),
    )
    .unwrap();
    let plugin = || env.plugin().env("KUBECONFIG", &path);
    plugin()
        .args(["reset-admin-password", "--dry-run"])
        .run()
        .success();
    // Same context, other user: the viewer may list but not exec.
    let run = plugin()
        .args(["reset-admin-password", "--yes", "--user", "viewer-user"])
        .run();
    run.code(4);
    assert!(run.stderr.starts_with("error: forbidden: pods \"coderd-7f9c6d5b8-x2k4q\" is forbidden: User \"viewer\" cannot get resource \"pods/exec\""), "{}", run.stderr);
    assert!(run.stderr.ends_with("hint: ask a cluster admin for `get` and `create` on pods/exec in namespace \"coder\" (the README has a ready Role)\n"), "{}", run.stderr);
    assert!(env.sim.v1_admin_password().is_none(), "no reset may happen");
    // Same context, other cluster: nothing listens there.
    let run = plugin().args(["status", "--cluster", "nowhere"]).run();
    run.code(1);
    assert!(run.stderr.contains("https://127.0.0.1:1"), "{}", run.stderr);
}

#[test]
fn client_certificates_authenticate() {
    use base64::Engine;
    let env = TestEnv::scenario(Scenario::V1);
    let (cert, key) = env.sim.client_cert("admin");
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let user = format!(
        "    client-certificate-data: {}\n    client-key-data: {}",
        b64(&cert),
        b64(&key)
    );
    status_as(&env, "certs", &user).success();
    let seen: Vec<_> = env.sim.requests().into_iter().map(|r| r.user).collect();
    assert!(
        seen.iter().all(|u| u.as_deref() == Some("admin")),
        "{seen:?}"
    );
}

#[test]
fn exec_credential_plugins_supply_the_token() {
    let env = TestEnv::scenario(Scenario::V1);
    let script = env.path("credential-plugin");
    std::fs::write(
        &script,
        "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"admin-token\"}}'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let user = format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never",
        script.display()
    );
    status_as(&env, "exec", &user).success();
}

#[test]
fn requests_identify_the_plugin() {
    let env = TestEnv::scenario(Scenario::V1);
    env.plugin().args(["status"]).run().success();
    let agents: Vec<_> = env
        .sim
        .requests()
        .into_iter()
        .map(|r| r.user_agent)
        .collect();
    let want = format!("kubectl-coder/{}", env!("CARGO_PKG_VERSION"));
    assert!(
        !agents.is_empty() && agents.iter().all(|a| a.as_deref() == Some(want.as_str())),
        "{agents:?}"
    );
}

#[test]
fn a_bad_token_is_401_with_advice() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim
        .write_kubeconfig(
            &env.kubeconfig,
            &KubeconfigOptions {
                token: "wrong".into(),
                ..Default::default()
            },
        )
        .unwrap();
    env.plugin().args(["reset-admin-password", "--yes"]).run().code(4).stderr_is(
        "error: the API server rejected the credentials for context \"kubesim\" (401 Unauthorized)\nhint: log in again or refresh the token; `kubectl get pods` shows the same error\n",
    );
}

#[test]
fn a_forbidden_list_names_the_permission() {
    let env = TestEnv::start(Sim::builder().scenario(Scenario::V1).user(
        "nobody",
        "nobody-token",
        vec![],
    ));
    env.sim
        .write_kubeconfig(
            &env.kubeconfig,
            &KubeconfigOptions {
                token: "nobody-token".into(),
                namespace: Some("coder".into()),
                ..Default::default()
            },
        )
        .unwrap();
    env.plugin().args(["reset-admin-password", "--yes"]).run().code(4).stderr_is(
        "error: forbidden: pods is forbidden: User \"nobody\" cannot list resource \"pods\" in API group \"\" in the namespace \"coder\"\nhint: ask a cluster admin for `list` on pods in namespace \"coder\" (the README has a ready Role)\n",
    );
}

#[test]
fn a_missing_pod_is_404_not_found() {
    let env = TestEnv::scenario(Scenario::V1);
    env.plugin().args(["reset-admin-password", "--yes", "--pod", "coderd-gone"]).run().code(3).stderr_is(
        "error: pod coder/coderd-gone not found: pods \"coderd-gone\" not found\nhint: check the name with `kubectl get pods -n coder`\n",
    );
}

#[test]
fn no_kubeconfig_and_no_cluster() {
    let env = TestEnv::scenario(Scenario::V1);
    let run = env.plugin().args(["status"]).env_remove("KUBECONFIG").run();
    run.code(1).stderr_is(&format!(
        "error: no kubeconfig found (looked at {}/.kube/config) and not running inside a cluster\nhint: set $KUBECONFIG or pass --kubeconfig\n",
        env.dir.path().display()
    ));
}

#[test]
fn in_cluster_service_account_when_there_is_no_kubeconfig() {
    // kube-rs reads the service account from this fixed path, as client-go does.
    let dir = std::path::Path::new("/var/run/secrets/kubernetes.io/serviceaccount");
    if !crate::support::machine_allows(
        &format!(
            "{} exists on this machine and is not ours to change",
            dir.display()
        ),
        !dir.exists(),
    ) {
        return;
    }
    let created = std::fs::create_dir_all(dir);
    if !crate::support::machine_allows(
        &format!(
            "cannot create {} (not root?): {:?}",
            dir.display(),
            created.as_ref().err()
        ),
        created.is_ok(),
    ) {
        return;
    }
    struct Cleanup;
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all("/var/run/secrets/kubernetes.io");
        }
    }
    let _cleanup = Cleanup;
    let env = TestEnv::scenario(Scenario::V1);
    std::fs::write(dir.join("token"), "admin-token").unwrap();
    std::fs::write(dir.join("ca.crt"), env.sim.ca_pem()).unwrap();
    std::fs::write(dir.join("namespace"), "coder").unwrap();
    let run = env
        .plugin()
        .args(["status", "-o", "json"])
        .env_remove("KUBECONFIG")
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", env.sim.port().to_string())
        .run();
    run.success();
    let json = run.json();
    assert_eq!(json["configSource"], "in-cluster service account");
    assert_eq!(json["namespace"], "coder");
    assert_eq!(json["context"], serde_json::Value::Null);
    assert_eq!(json["pod"]["name"], "coderd-7f9c6d5b8-x2k4q");
}

#[test]
fn a_label_selector_narrows_the_search() {
    let env = TestEnv::scenario(Scenario::Mixed);
    let run = env
        .plugin()
        .args([
            "status",
            "-o",
            "json",
            "-l",
            "app.kubernetes.io/instance=coder",
        ])
        .run();
    run.success();
    assert_eq!(run.json()["pod"]["name"], "coder-5d8f7b9c4-abcde");
    let list = env
        .sim
        .requests()
        .into_iter()
        .find(|r| r.uri.contains("/pods?"))
        .unwrap();
    assert!(
        list.uri
            .contains("labelSelector=app.kubernetes.io%2Finstance%3Dcoder"),
        "{}",
        list.uri
    );

    env.plugin().args(["reset-admin-password", "--yes", "-l", "app=nothing"]).run().code(3).stderr_is(
        "error: no pods match selector \"app=nothing\" in namespace \"coder\"\nhint: check the selector with `kubectl get pods -n coder -l app=nothing`, or leave -l out to let the plugin search\n",
    );
}
