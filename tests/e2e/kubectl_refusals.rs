//! What kubectl refuses before sending anything, the plugin refuses too, with kubectl's own
//! words (client-go validation.go, exec.go, transport.go, the removed auth-providers): each
//! case is run by the real kubectl and by the plugin on the same kubeconfig; neither may send
//! a request, and the plugin's message is the one FAULTS.md quotes.

use kubesim::Scenario;

use crate::support::TestEnv;

/// A kubeconfig for the simulator with `cluster` and `user` lines.
fn kubeconfig(env: &TestEnv, cluster: &str, user: &str) -> std::path::PathBuf {
    use base64::Engine as _;
    let ca = base64::engine::general_purpose::STANDARD.encode(env.sim.ca_pem());
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: sim\nclusters:\n- name: sim\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\n{cluster}contexts:\n- name: sim\n  context: {{cluster: sim, user: me, namespace: coder}}\nusers:\n- name: me\n  user:\n{user}",
        env.sim.url()
    );
    let path = env.path("refused.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn refused_locally_as_kubectl_refuses() {
    let env = TestEnv::scenario(Scenario::V1);
    let marker = env.path("cmd-path-ran");
    let cmd_path = env.path("gcloud.sh");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(
            &cmd_path,
            format!("#!/bin/sh\necho ran >> {}\n", marker.display()),
        )
        .unwrap();
        std::fs::set_permissions(&cmd_path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let token = "    token: admin-token\n";
    let cases: Vec<(&str, String, String, &str)> = vec![
        (
            "CA and insecure-skip-tls-verify",
            "    insecure-skip-tls-verify: true\n".into(),
            token.into(),
            "error: specifying a root certificates file with the insecure flag is not allowed\nhint: fix the kubeconfig (`kubectl get pods` refuses it the same way)\n",
        ),
        (
            "proxy-url without a scheme",
            "    proxy-url: 127.0.0.1:3128\n".into(),
            token.into(),
            "error: invalid 'proxy-url' \"127.0.0.1:3128\" for cluster \"sim\": could not parse: 127.0.0.1:3128\nhint: fix the kubeconfig (`kubectl get pods` refuses it the same way)\n",
        ),
        (
            "exec v1 without interactiveMode",
            String::new(),
            "    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/false}\n".into(),
            "error: interactiveMode must be specified for me to use exec authentication plugin\nhint: fix the kubeconfig (`kubectl get pods` refuses it the same way)\n",
        ),
        (
            "exec v1alpha1",
            String::new(),
            "    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: /bin/false, interactiveMode: Never}\n".into(),
            "error: exec plugin: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\"\nhint: fix the kubeconfig (`kubectl get pods` refuses it the same way)\n",
        ),
        (
            "exec without apiVersion",
            String::new(),
            "    exec: {command: /bin/false, interactiveMode: Never}\n".into(),
            "error: apiVersion must be specified for me to use exec authentication plugin\nhint: fix the kubeconfig (`kubectl get pods` refuses it the same way)\n",
        ),
        (
            "token and basic credentials",
            String::new(),
            "    token: admin-token\n    username: admin\n    password: pw\n".into(),
            "error: more than one authentication method found for me; found [token basicAuth], only one is allowed\nhint: fix the kubeconfig (`kubectl get pods` refuses it the same way)\n",
        ),
        (
            "a client certificate and a CA file that cannot be read",
            "    certificate-authority: /nonexistent/ca.pem\n".into(),
            "    client-certificate: /nonexistent/cert.pem\n    client-key-data: S0VZ\n".into(),
            "error: unable to read client-cert /nonexistent/cert.pem for me due to open /nonexistent/cert.pem: no such file or directory; certificate-authority-data and certificate-authority are both specified for sim. certificate-authority-data will override.; unable to read certificate-authority /nonexistent/ca.pem for sim due to open /nonexistent/ca.pem: no such file or directory\nhint: fix the kubeconfig (`kubectl get pods` refuses it the same way)\n",
        ),
        (
            "gcp auth-provider",
            String::new(),
            format!("    auth-provider: {{name: gcp, config: {{cmd-path: {}}}}}\n", cmd_path.display()),
            "error: The gcp auth plugin has been removed. Please use the \"gke-gcloud-auth-plugin\" kubectl/client-go credential plugin instead. See https://cloud.google.com/blog/products/containers-kubernetes/kubectl-auth-changes-in-gke for further details\nhint: use the credential plugin named above in the kubeconfig's user\n",
        ),
        (
            "azure auth-provider",
            String::new(),
            "    auth-provider: {name: azure, config: {}}\n".into(),
            "error: The azure auth plugin has been removed. Please use the https://github.com/Azure/kubelogin kubectl/client-go credential plugin instead. See https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins for further details\nhint: use the credential plugin named above in the kubeconfig's user\n",
        ),
        (
            "unknown auth-provider",
            String::new(),
            "    auth-provider: {name: vault, config: {}}\n".into(),
            "error: no Auth Provider found for name \"vault\"\nhint: use the credential plugin named above in the kubeconfig's user\n",
        ),
    ];
    for (name, cluster, user, message) in cases {
        let path = kubeconfig(&env, &cluster, &user);
        env.sim.clear_logs();
        let kubectl = env
            .kubectl()
            .env("KUBECONFIG", &path)
            .args(["get", "pods"])
            .run();
        assert_ne!(kubectl.code, 0, "{name}: kubectl accepted it");
        let plugin = env.plugin().env("KUBECONFIG", &path).args(["status"]).run();
        assert_eq!(
            (plugin.code, plugin.stderr.as_str()),
            (1, message),
            "{name}"
        );
        // kubectl's words, each of its errors (it lists them one a line, and breaks the
        // removed auth-providers' message over three: we join them).
        let errors = message
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("error: ");
        let said = kubectl.stderr.replace('\n', " ");
        for error in errors.split("; ") {
            assert!(
                said.contains(error),
                "{name}: {error:?} not in kubectl's {:?}",
                kubectl.stderr
            );
        }
        // kubectl's dispatcher asks /version before it chooses a kubectl; nothing else.
        let requests = env.sim.requests();
        assert!(
            requests.iter().all(|r| r.uri.starts_with("/version")),
            "{name}: {requests:?}"
        );
    }
    // Neither ran the gcp provider's command.
    assert!(!marker.exists());
    // `--as-group` or `--as-uid` without `--as`.
    for flag in ["--as-group", "--as-uid"] {
        let path = kubeconfig(&env, "", token);
        let kubectl = env
            .kubectl()
            .env("KUBECONFIG", &path)
            .args(["get", "pods", flag, "x"])
            .run();
        assert!(
            kubectl.stderr.contains("without impersonating a user"),
            "{}",
            kubectl.stderr
        );
        env.plugin()
            .env("KUBECONFIG", &path)
            .args(["status", flag, "x"])
            .run()
            .code(1)
            .stderr_is("error: requesting uid, groups or user-extra for me without impersonating a user\nhint: fix the kubeconfig (`kubectl get pods` refuses it the same way)\n");
    }
    // A current context the kubeconfig lacks, even with --server and --token.
    let path = kubeconfig(&env, "", token);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("current-context: sim", "current-context: gone");
    std::fs::write(&path, text).unwrap();
    let server = env.sim.url();
    let args = [
        "--server",
        server.as_str(),
        "--token",
        "admin-token",
        "--insecure-skip-tls-verify",
    ];
    let kubectl = env
        .kubectl()
        .env("KUBECONFIG", &path)
        .args(["get", "pods"])
        .args(args)
        .run();
    assert!(
        kubectl
            .stderr
            .contains("context was not found for specified context: gone"),
        "{}",
        kubectl.stderr
    );
    env.plugin()
        .env("KUBECONFIG", &path)
        .args(["status"])
        .args(args)
        .run()
        .code(1)
        .stderr_is("error: context was not found for specified context: gone\nhint: pick one with --context, or `kubectl config use-context NAME` (`kubectl config get-contexts` lists them)\n");
}

#[test]
fn flags_alone_connect_as_kubectl_does() {
    let env = TestEnv::scenario(Scenario::V1);
    let ca = env.path("ca.pem");
    std::fs::write(&ca, env.sim.ca_pem()).unwrap();
    let server = env.sim.url();
    let args = [
        "--server",
        server.as_str(),
        "--token",
        "admin-token",
        "--certificate-authority",
        ca.to_str().unwrap(),
        "-n",
        "coder",
    ];
    // No kubeconfig at all, and an empty one.
    let empty = env.path("empty.yaml");
    std::fs::write(&empty, "").unwrap();
    for kubeconfig in [env.path("nonexistent"), empty] {
        env.kubectl()
            .env("KUBECONFIG", &kubeconfig)
            .args(["get", "pods"])
            .args(args)
            .run()
            .success();
        let run = env
            .plugin()
            .env("KUBECONFIG", &kubeconfig)
            .args(["status", "-o", "json"])
            .args(args)
            .run();
        run.success();
    }
    // A context whose namespace is empty: kubectl's `default`.
    let path = kubeconfig(&env, "", "    token: admin-token\n");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("namespace: coder", "namespace: \"\"");
    std::fs::write(&path, text).unwrap();
    env.sim.clear_logs();
    let _ = env.plugin().env("KUBECONFIG", &path).args(["status"]).run();
    assert!(
        env.sim
            .requests()
            .iter()
            .any(|r| r.uri.starts_with("/api/v1/namespaces/default/pods")),
        "{:?}",
        env.sim.requests()
    );
}
