//! Kubeconfig `exec` credential plugins: one run per invocation, as kubectl; one
//! more after a 401; stderr passed through; interactivity as client-go decides it; a missing
//! plugin named with its installHint; no Rust debug text in messages.

use std::path::PathBuf;

use kubesim::Scenario;

use crate::support::TestEnv;

/// A plugin that counts its runs, keeps the request it got, says something on stderr, and
/// prints a token: `admin-token`, or `$FIRST_TOKEN` on its first run (`$ALWAYS_TOKEN` on all).
const PLUGIN: &str = r#"#!/bin/sh
echo run >> "$COUNT_FILE"
printf '%s\n' "$KUBERNETES_EXEC_INFO" > "$INFO_FILE"
runs=$(wc -l < "$COUNT_FILE")
echo "plugin: open https://login.example/device and enter ABCD-EFGH" >&2
token=admin-token
if [ -n "$FIRST_TOKEN" ] && [ "$runs" -eq 1 ]; then token=$FIRST_TOKEN; fi
if [ -n "$ALWAYS_TOKEN" ]; then token=$ALWAYS_TOKEN; fi
if [ -n "$FAIL" ]; then echo "plugin: your session expired" >&2; exit 3; fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\n' "$token"
"#;

struct Plugin {
    kubeconfig: PathBuf,
    count: PathBuf,
    info: PathBuf,
}

impl Plugin {
    fn runs(&self) -> usize {
        std::fs::read_to_string(&self.count)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
    fn request(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(&self.info).unwrap()).unwrap()
    }
}

/// The test kubeconfig with its user's `token:` line replaced by `user` (YAML at the same
/// indentation), written as `name`.
fn kubeconfig_with_user(env: &TestEnv, name: &str, user: &str) -> PathBuf {
    let original = std::fs::read_to_string(&env.kubeconfig).unwrap();
    let token_line = original
        .lines()
        .find(|l| l.contains("token:"))
        .unwrap()
        .to_string();
    let path = env.path(name);
    std::fs::write(&path, original.replace(&token_line, user)).unwrap();
    path
}

/// A kubeconfig whose user gets its token from [`PLUGIN`], with extra `env` and exec fields.
fn with_plugin(env: &TestEnv, vars: &[(&str, &str)], exec_fields: &str) -> Plugin {
    use std::os::unix::fs::PermissionsExt;
    let script = env.path("plugin.sh");
    std::fs::write(&script, PLUGIN).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (count, info) = (env.path("runs"), env.path("request.json"));
    let mut env_lines = format!(
        "      - {{name: COUNT_FILE, value: {}}}\n      - {{name: INFO_FILE, value: {}}}\n",
        count.display(),
        info.display()
    );
    for (k, v) in vars {
        env_lines.push_str(&format!("      - {{name: {k}, value: \"{v}\"}}\n"));
    }
    let kubeconfig = kubeconfig_with_user(
        env,
        "plugin.yaml",
        &format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n{exec_fields}      env:\n{env_lines}",
            script.display()
        ),
    );
    Plugin {
        kubeconfig,
        count,
        info,
    }
}

const NEVER: &str = "      interactiveMode: Never\n";
const IF_AVAILABLE: &str = "      interactiveMode: IfAvailable\n";

#[test]
fn the_plugin_runs_once_per_invocation_as_in_kubectl() {
    let env = TestEnv::scenario(Scenario::V1);
    let plugin = with_plugin(&env, &[], IF_AVAILABLE);
    let run = env
        .plugin()
        .env("KUBECONFIG", &plugin.kubeconfig)
        .args(["reset-admin-password", "--yes"])
        .run();
    run.success();
    // A list, two access reviews would each have run it under kube's own handling.
    assert_eq!(plugin.runs(), 1);
    // Its messages reach the user; it was told nobody can answer it.
    assert!(
        run.stderr
            .contains("plugin: open https://login.example/device and enter ABCD-EFGH"),
        "{}",
        run.stderr
    );
    assert_eq!(
        plugin.request(),
        serde_json::json!({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "spec": {"interactive": false}})
    );
    env.plugin()
        .env("KUBECONFIG", &plugin.kubeconfig)
        .args(["status"])
        .run()
        .success();
    assert_eq!(plugin.runs(), 2);
    // kubectl, on the same kubeconfig: once per process too.
    env.kubectl()
        .env("KUBECONFIG", &plugin.kubeconfig)
        .args(["get", "pods", "-n", "coder"])
        .run()
        .success();
    assert_eq!(plugin.runs(), 3);
}

#[test]
fn a_401_runs_the_plugin_once_more() {
    let env = TestEnv::scenario(Scenario::V1);
    let plugin = with_plugin(&env, &[("FIRST_TOKEN", "expired-token")], NEVER);
    env.plugin()
        .env("KUBECONFIG", &plugin.kubeconfig)
        .args(["reset-admin-password", "--yes"])
        .run()
        .success();
    assert_eq!(plugin.runs(), 2);

    // A plugin whose token is never accepted: once more, then the 401.
    let env = TestEnv::scenario(Scenario::V1);
    let plugin = with_plugin(&env, &[("ALWAYS_TOKEN", "expired-token")], NEVER);
    env.plugin()
        .env("KUBECONFIG", &plugin.kubeconfig)
        .args(["status"])
        .run()
        .code(4);
    assert_eq!(plugin.runs(), 2);
}

#[test]
fn a_failing_missing_or_interactive_plugin_is_explained() {
    let env = TestEnv::scenario(Scenario::V1);
    let plugin = with_plugin(&env, &[("FAIL", "1")], NEVER);
    let run = env
        .plugin()
        .env("KUBECONFIG", &plugin.kubeconfig)
        .args(["status"])
        .run();
    run.code(1);
    let script = env.path("plugin.sh");
    assert!(
        run.stderr.ends_with(&format!(
            "plugin: your session expired\nerror: the credential plugin `{}` failed (exit status 3); its messages are above\nhint: `kubectl get pods` runs the same plugin: log in again as it asks\n",
            script.display()
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("ExitStatus") && !run.stderr.contains("Output {"));
    assert!(env.sim.requests().is_empty());

    // Missing: named, with the kubeconfig's install hint.
    let text = std::fs::read_to_string(&plugin.kubeconfig)
        .unwrap()
        .replace(
            script.to_str().unwrap(),
            "kubectl-coder-test-missing-plugin",
        )
        .replace(
            NEVER,
            &format!(
                "{NEVER}      installHint: \"Install it with: brew install missing-plugin\"\n"
            ),
        );
    std::fs::write(&plugin.kubeconfig, text).unwrap();
    env.plugin()
        .env("KUBECONFIG", &plugin.kubeconfig)
        .args(["status"])
        .run()
        .code(1)
        .stderr_is("error: the credential plugin `kubectl-coder-test-missing-plugin` was not found: Install it with: brew install missing-plugin\nhint: install it, or check the user's exec command in the kubeconfig (kubectl needs it too)\n");

    // interactiveMode Always without a terminal: refused before it runs.
    let env = TestEnv::scenario(Scenario::V1);
    let plugin = with_plugin(&env, &[], "      interactiveMode: Always\n");
    let run = env
        .plugin()
        .env("KUBECONFIG", &plugin.kubeconfig)
        .args(["status"])
        .run();
    run.code(1);
    assert!(
        run.stderr
            .contains("needs a terminal (interactiveMode: Always)"),
        "{}",
        run.stderr
    );
    assert_eq!(plugin.runs(), 0);
}

#[test]
fn on_a_terminal_the_plugin_may_ask() {
    let env = TestEnv::scenario(Scenario::V1);
    let plugin = with_plugin(&env, &[], "      interactiveMode: Always\n");
    let screen = env
        .pty(&["status"])
        .env("KUBECONFIG", &plugin.kubeconfig)
        .run();
    assert_eq!(screen.code, 0, "{}", screen.text);
    assert_eq!(plugin.request()["spec"]["interactive"], true);
    assert!(screen.text.contains("enter ABCD-EFGH"), "{}", screen.text);
}

/// An `oidc` auth-provider user (kubectl before 1.26 refreshed these; kube's `oidc` feature
/// does): the expired id-token is refreshed at the issuer's token endpoint, then used.
#[test]
fn an_oidc_user_with_an_expired_id_token_is_refreshed() {
    use std::time::{Duration, SystemTime};
    let env = TestEnv::start(kubesim::Sim::builder().scenario(Scenario::V1).oidc_user(
        "dana",
        "dana-refresh-token",
        vec![kubesim::Rule::all()],
    ));
    let expired = env
        .sim
        .oidc_id_token("dana", SystemTime::now() - Duration::from_secs(3600));
    let ca = env.path("ca.pem");
    std::fs::write(&ca, env.sim.ca_pem()).unwrap();
    let write = |refresh: &str| {
        kubeconfig_with_user(
            &env,
            "oidc.yaml",
            &format!(
                "    auth-provider:\n      name: oidc\n      config:\n        client-id: kubernetes\n        client-secret: kube-client-secret\n        id-token: {expired}\n        idp-issuer-url: {}/oidc\n        refresh-token: {refresh}\n",
                env.sim.url().trim_end_matches('/')
            ),
        )
    };
    // The issuer's certificate is trusted through the system roots, which SSL_CERT_FILE sets.
    let kubeconfig = write("dana-refresh-token");
    env.plugin()
        .env("KUBECONFIG", &kubeconfig)
        .env("SSL_CERT_FILE", &ca)
        .args(["reset-admin-password", "--yes"])
        .run()
        .success();
    assert_eq!(env.sim.oidc_refreshes(), 1);
    assert_eq!(
        env.sim.requests().last().unwrap().user.as_deref(),
        Some("dana")
    );

    // A refresh token the issuer does not know: no request goes out with the expired token.
    let kubeconfig = write("revoked");
    let run = env
        .plugin()
        .env("KUBECONFIG", &kubeconfig)
        .env("SSL_CERT_FILE", &ca)
        .args(["status"])
        .run();
    run.code(1);
    assert_eq!(
        run.stderr,
        format!(
            "error: cannot list pods in namespace \"coder\" at {}/: the oidc auth-provider could not get a valid id-token: ID token expired and refreshing failed: failed to authorize with the provider using any of known authorization styles\nhint: sign in again with your OIDC login tool, which writes a new id-token and refresh-token into the kubeconfig\n",
            env.sim.url()
        )
    );
}
