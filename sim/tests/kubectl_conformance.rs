//! Conformance: the real kubectl (`/usr/bin/kubectl`, a dispatcher that picks the kubectl
//! matching the server's minor version) against the simulator.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kubesim::{KubeconfigOptions, Rule, Scenario, Sim};

const KUBECTL: &str = "/usr/bin/kubectl";
const CODERD: &str = "coderd-7f9c6d5b8-x2k4q";

fn kubectl_available() -> bool {
    if Path::new(KUBECTL).exists() {
        return true;
    }
    // .ci/run sets it: there a test that did not run must not pass.
    assert!(
        std::env::var_os("KUBECTL_CODER_REQUIRE_TOOLS").is_none_or(|v| v != "1"),
        "{KUBECTL} is missing, and KUBECTL_CODER_REQUIRE_TOOLS=1 requires it"
    );
    eprintln!("skipping: {KUBECTL} is missing");
    false
}

struct Kubectl {
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Kubectl {
    fn new(sim: &Sim, opts: &KubeconfigOptions) -> Kubectl {
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        sim.write_kubeconfig(&kubeconfig, opts).unwrap();
        Kubectl { dir, kubeconfig }
    }

    fn for_ns(sim: &Sim, ns: &str) -> Kubectl {
        Kubectl::new(
            sim,
            &KubeconfigOptions {
                namespace: Some(ns.to_string()),
                ..Default::default()
            },
        )
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("HOME", self.dir.path())
            .env("KUBECACHEDIR", self.dir.path().join("cache"))
            .env("KUBECONFIG", &self.kubeconfig)
            .env_remove("KUBECTL_REMOTE_COMMAND_WEBSOCKETS");
        c
    }

    fn run_with(&self, mut c: Command, stdin: Option<&[u8]>) -> Output {
        c.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn");
        if let Some(data) = stdin {
            let mut si = child.stdin.take().unwrap();
            si.write_all(data).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut c = self.command(KUBECTL);
        c.arg("--kubeconfig").arg(&self.kubeconfig).args(args);
        self.run_with(c, None)
    }

    fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut c = self.command(KUBECTL);
        c.arg("--kubeconfig").arg(&self.kubeconfig).args(args);
        self.run_with(c, Some(stdin))
    }

    fn bash(&self, script: &str) -> Output {
        let mut c = self.command("bash");
        c.arg("-c").arg(script);
        self.run_with(c, None)
    }
}

fn v1_sim() -> Sim {
    Sim::builder().scenario(Scenario::V1).start().unwrap()
}

#[test]
fn get_pods_table() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.run(&["get", "pods"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "NAME                     READY   STATUS    RESTARTS   AGE\n\
         coder-jdoe-dev-0         1/1     Running   0          10h\n\
         coderd-7f9c6d5b8-x2k4q   1/1     Running   0          3d\n\
         timescale-0              1/1     Running   0          10d\n"
    );
    // kubectl asked for a server-side Table.
    assert!(sim.requests().iter().any(|r| {
        r.uri.starts_with("/api/v1/namespaces/coder/pods")
            && r.headers
                .iter()
                .any(|(k, v)| k == "accept" && v.contains("as=Table"))
    }));
}

#[test]
fn get_pods_label_selector_and_empty_namespace() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.run(&["get", "pods", "-l", "app.kubernetes.io/name=coder"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "NAME                     READY   STATUS    RESTARTS   AGE\n\
         coderd-7f9c6d5b8-x2k4q   1/1     Running   0          3d\n"
    );
    let out = k.run(&["get", "pods", "-n", "nowhere"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "No resources found in nowhere namespace.\n");
    let out = k.run(&[
        "get",
        "pods",
        "-A",
        "-l",
        "app in (coderd,timescale)",
        "-o",
        "name",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "pod/coderd-7f9c6d5b8-x2k4q\npod/timescale-0\n");
}

#[test]
fn get_pods_json() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.run(&["get", "pods", "-o", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["kind"], "List");
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let coderd = items
        .iter()
        .find(|p| p["metadata"]["name"] == CODERD)
        .unwrap();
    assert_eq!(coderd["kind"], "Pod");
    assert_eq!(coderd["metadata"]["labels"]["coder.deployment"], "coderd");
    assert_eq!(
        coderd["metadata"]["ownerReferences"][0]["kind"],
        "ReplicaSet"
    );
    assert_eq!(coderd["spec"]["containers"][0]["name"], "coderd");
    assert_eq!(coderd["status"]["phase"], "Running");
    assert_eq!(coderd["status"]["containerStatuses"][0]["ready"], true);
    let out = k.run(&[
        "get",
        "pod",
        CODERD,
        "-o",
        "jsonpath={.spec.containers[0].image}",
    ]);
    assert_eq!(out.stdout, "docker.io/coderenvs/coder-service:1.44.0");
}

#[test]
fn docs_pipeline() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.bash("kubectl get pods | grep coderd- | awk '{print $1}' | head -n1");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("{CODERD}\n"));
}

fn assert_reset_admin_password(minor: u32) {
    let sim = Sim::builder()
        .scenario(Scenario::V1)
        .kube_version(minor)
        .start()
        .unwrap();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.run(&["exec", CODERD, "--", "coderd", "reset-admin-password"]);
    assert_eq!(out.code, 0, "kubectl 1.{minor}: {}", out.stderr);
    let pw = sim.v1_admin_password().expect("password generated");
    assert_eq!(
        out.stdout,
        format!(
            "----------------------\nUser:     admin\nPassword: {pw}\n----------------------\n"
        )
    );
    let execs = sim.execs();
    assert_eq!(execs.len(), 1);
    assert_eq!(execs[0].command, ["coderd", "reset-admin-password"]);
    assert_eq!(execs[0].container, "coderd");
    assert_eq!(execs[0].exit_code, Some(0));
    assert_eq!(execs[0].protocol, "v5.channel.k8s.io");
    let ws = sim
        .requests()
        .into_iter()
        .find(|r| r.uri.contains("/exec?"))
        .unwrap();
    assert_eq!(ws.method, "GET");
    assert_eq!(ws.status, 101);
    assert_eq!(ws.websocket_protocol.as_deref(), Some("v5.channel.k8s.io"));
    let ua = ws.user_agent.unwrap_or_default();
    assert!(
        ua.starts_with(&format!("kubectl1.{minor}")) || ua.contains(&format!("v1.{minor}")),
        "{ua}"
    );
}

#[test]
fn exec_reset_admin_password() {
    if !kubectl_available() {
        return;
    }
    assert_reset_admin_password(32);
}

#[test]
fn exec_with_kubectl_1_30_and_1_33() {
    if !kubectl_available() {
        return;
    }
    assert_reset_admin_password(30);
    assert_reset_admin_password(33);
}

#[test]
fn exec_stdin_cat() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.bash(&format!("echo hi | kubectl exec -i {CODERD} -- cat"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "hi\n");
    let e = &sim.execs()[0];
    assert_eq!(e.stdin, b"hi\n");
    assert_eq!(e.stdout, b"hi\n");
}

#[test]
fn exec_large_output() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.bash(&format!(
        "kubectl exec {CODERD} -- yes-bytes 10485760 | wc -c"
    ));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), "10485760");
}

#[test]
fn exec_nonzero_exit() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.run(&["exec", CODERD, "--", "false"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, "command terminated with exit code 1\n");
    let out = k.run(&["exec", CODERD, "--", "exit-code", "7"]);
    assert_eq!(out.code, 7);
    assert_eq!(out.stderr, "command terminated with exit code 7\n");
}

#[test]
fn exec_missing_executable() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.run(&["exec", CODERD, "--", "not-installed", "--help"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("error: Internal error occurred: error executing command in container"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("exec: \"not-installed\": executable file not found in $PATH: unknown"),
        "{}",
        out.stderr
    );
    assert!(sim.execs().is_empty());
}

#[test]
fn exec_forbidden() {
    if !kubectl_available() {
        return;
    }
    let sim = Sim::builder()
        .scenario(Scenario::V1)
        .user(
            "viewer",
            "viewer-token",
            vec![Rule::new(&["get", "list"], &["pods"], None)],
        )
        .start()
        .unwrap();
    let k = Kubectl::new(
        &sim,
        &KubeconfigOptions {
            token: "viewer-token".into(),
            namespace: Some("coder".into()),
            ..Default::default()
        },
    );
    let out = k.run(&["get", "pods", "-o", "name"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = k.run(&["exec", CODERD, "--", "coderd", "reset-admin-password"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("pods/exec"), "{}", out.stderr);
    assert!(
        out.stderr.contains("User \"viewer\" cannot"),
        "{}",
        out.stderr
    );
    assert!(sim.execs().is_empty());
    assert_eq!(sim.v1_admin_password(), None);
    let ws = sim
        .requests()
        .into_iter()
        .find(|r| r.uri.contains("/exec?") && r.method == "GET")
        .unwrap();
    assert_eq!(ws.status, 403);
    assert_eq!(ws.user.as_deref(), Some("viewer"));
}

#[test]
fn bad_token_is_unauthorized() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::new(
        &sim,
        &KubeconfigOptions {
            token: "wrong".into(),
            namespace: Some("coder".into()),
            ..Default::default()
        },
    );
    let out = k.run(&["get", "pods"]);
    assert_eq!(out.code, 1);
    assert!(
        // Discovery gets the 401 first; kubectl reports it like this against a real server.
        out.stderr.ends_with(
            "error: You must be logged in to the server (the server has asked for the client to provide credentials)\n"
        ),
        "{}",
        out.stderr
    );
    assert!(
        sim.requests()
            .iter()
            .all(|r| r.status == 401 && r.user.is_none())
    );
}

#[test]
fn missing_pod_is_not_found() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.run(&["exec", "coderd-gone", "--", "true"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "Error from server (NotFound): pods \"coderd-gone\" not found\n"
    );
    let out = k.run(&["get", "pod", "coderd-gone"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "Error from server (NotFound): pods \"coderd-gone\" not found\n"
    );
}

#[test]
fn v2_reset_password_over_kubectl() {
    if !kubectl_available() {
        return;
    }
    let sim = Sim::builder().scenario(Scenario::V2).start().unwrap();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.run_stdin(
        &[
            "exec",
            "-i",
            "coder-5d8f7b9c4-abcde",
            "--",
            "coder",
            "reset-password",
            "Alice",
        ],
        b"MyNewPassword!\nMyNewPassword!\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // cli/cliui/prompt.go without a terminal: `> ` and the text (`Enter new` + the padded
    // `password` field + `:`), no line break.
    assert_eq!(
        out.stdout,
        "> Enter new  password : > Confirm  password : \nPassword has been reset for user alice!\n"
    );
    assert_eq!(sim.v2_password("alice").as_deref(), Some("MyNewPassword!"));
    let out = k.run_stdin(
        &[
            "exec",
            "-i",
            "coder-5d8f7b9c4-abcde",
            "--",
            "coder",
            "reset-password",
            "bob",
        ],
        b"MyNewPassword!\nMyNewPassword!\n",
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("error: retrieving user: sql: no rows in result set"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .ends_with("command terminated with exit code 1\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn faults_through_kubectl() {
    if !kubectl_available() {
        return;
    }
    use kubesim::ExecFault;
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");

    // A proxy that refuses upgrades: kubectl falls back to SPDY, which the sim refuses.
    sim.set_exec_fault(Some(ExecFault::RejectUpgrade(400)));
    let out = k.run(&["exec", CODERD, "--", "coderd", "reset-admin-password"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("does not support SPDY"),
        "{}",
        out.stderr
    );
    assert!(sim.execs().is_empty());

    // The connection drops after 10 stdout bytes: the password was reset, the client saw
    // only part of the output.
    sim.set_exec_fault(Some(ExecFault::DropAfterStdoutBytes(10)));
    let out = k.run(&["exec", CODERD, "--", "coderd", "reset-admin-password"]);
    assert_ne!(out.code, 0);
    assert_eq!(out.stdout, "----------");
    assert!(sim.v1_admin_password().is_some());
    assert_eq!(sim.execs()[0].exit_code, None);

    sim.set_exec_fault(Some(ExecFault::DropBeforeOutput));
    let out = k.run(&["exec", CODERD, "--", "true"]);
    assert_ne!(out.code, 0);
    assert_eq!(sim.execs().len(), 1);
    sim.set_exec_fault(None);

    // Injected API errors.
    sim.fail_next(1, "/pods/", 500);
    let out = k.run(&["get", "pod", CODERD]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("(InternalError)"), "{}", out.stderr);
    let out = k.run(&["get", "pod", CODERD, "-o", "name"]);
    assert_eq!(out.stdout, format!("pod/{CODERD}\n"));

    sim.delete_pod_after_next_list("coder", CODERD);
    let out = k.run(&["get", "pods", "-o", "name"]);
    assert!(out.stdout.contains(CODERD));
    let out = k.run(&["get", "pods", "-o", "name"]);
    assert!(!out.stdout.contains(CODERD));
}

#[test]
fn client_certificate_auth() {
    if !kubectl_available() {
        return;
    }
    use base64::Engine;
    let sim = Sim::builder()
        .scenario(Scenario::V1)
        .user(
            "ops",
            "ops-token",
            vec![Rule::new(&["list"], &["pods"], Some(&["coder"]))],
        )
        .start()
        .unwrap();
    let (cert, key) = sim.client_cert("ops");
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let k = Kubectl::for_ns(&sim, "coder");
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority-data: {}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: coder\ncurrent-context: c\nusers:\n- name: u\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
        sim.url(),
        b64(&sim.ca_pem()),
        b64(&cert),
        b64(&key)
    );
    std::fs::write(&k.kubeconfig, kubeconfig).unwrap();
    let out = k.run(&["get", "pods", "-o", "name"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(CODERD));
    let out = k.run(&["get", "pods", "-n", "default"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "Error from server (Forbidden): pods is forbidden: User \"ops\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"\n"
    );
    assert!(
        sim.requests()
            .iter()
            .all(|r| r.user.as_deref() == Some("ops"))
    );
}

/// Coder before v2.18 (cli/cliui/prompt.go before PR 15421): the first prompt's fresh
/// `bufio.Reader` swallows both lines that kubectl sends at once, and the confirmation then
/// reads the end of input. kubectl's own `exec -i` shows it.
#[test]
fn v2_before_2_18_loses_the_confirmation_sent_with_the_password() {
    if !kubectl_available() {
        return;
    }
    let pod = kubesim::fixtures::with_coder_version(
        kubesim::fixtures::coder_v2("coder", "coder-old-1"),
        "v2.16.1",
    );
    let sim = Sim::builder().pod(pod).start().unwrap();
    let k = Kubectl::for_ns(&sim, "coder");
    let out = k.run_stdin(
        &[
            "exec",
            "-i",
            "coder-old-1",
            "--",
            "coder",
            "reset-password",
            "alice",
        ],
        b"MyNewPassword!\nMyNewPassword!\n",
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(out.stdout, "> Enter new  password : > Confirm  password : ");
    assert!(
        out.stderr.contains("error: confirm password prompt: EOF\n"),
        "{}",
        out.stderr
    );
    assert_eq!(sim.v2_password("alice"), None);
}

/// kubectl --as / --as-group / --as-uid against the impersonation filter's checks and messages
/// (apiserver endpoints/filters/impersonation.go).
#[test]
fn impersonation_with_kubectl_as() {
    if !kubectl_available() {
        return;
    }
    let sim = Sim::builder()
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
        )
        .start()
        .unwrap();
    let as_breakglass = Kubectl::new(
        &sim,
        &KubeconfigOptions {
            token: "breakglass-token".into(),
            namespace: Some("coder".into()),
            ..Default::default()
        },
    );
    // Without impersonation break-glass may do nothing but impersonate.
    let out = as_breakglass.run(&["get", "pods", "-o", "name"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "Error from server (Forbidden): pods is forbidden: User \"breakglass\" cannot list resource \"pods\" in API group \"\" in the namespace \"coder\"\n"
    );
    // As viewer: viewer's rights.
    let out = as_breakglass.run(&["--as", "viewer", "get", "pods", "-o", "name"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(&format!("pod/{CODERD}\n")));
    let out = as_breakglass.run(&["--as", "viewer", "get", "pods", "-n", "default"]);
    assert_eq!(
        out.stderr,
        "Error from server (Forbidden): pods is forbidden: User \"viewer\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"\n"
    );
    // As a member of system:masters: everything; with a UID too.
    let out = as_breakglass.run(&[
        "--as",
        "someone",
        "--as-group",
        "system:masters",
        "--as-uid",
        "1234",
        "get",
        "pods",
        "-n",
        "default",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let seen = sim.requests();
    let last = seen.last().unwrap();
    for (header, value) in [
        ("impersonate-user", "someone"),
        ("impersonate-group", "system:masters"),
        ("impersonate-uid", "1234"),
    ] {
        assert!(
            last.headers.iter().any(|(k, v)| k == header && v == value),
            "{header}: {:?}",
            last.headers
        );
    }
    assert_eq!(last.user.as_deref(), Some("someone"));
    // Someone who may not impersonate gets the filter's 403.
    let as_viewer = Kubectl::for_ns(&sim, "coder");
    let as_viewer = Kubectl {
        kubeconfig: {
            let path = as_viewer.dir.path().join("viewer.yaml");
            sim.write_kubeconfig(
                &path,
                &KubeconfigOptions {
                    token: "viewer-token".into(),
                    namespace: Some("coder".into()),
                    ..Default::default()
                },
            )
            .unwrap();
            path
        },
        ..as_viewer
    };
    // The filter refuses every request, discovery first; kubectl's aggregated-discovery
    // client reports such a refusal as "unknown", so the message is checked in the answer.
    sim.clear_logs();
    let out = as_viewer.run(&["--as", "bob", "get", "pods"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .ends_with("Error from server (Forbidden): unknown\n"),
        "{}",
        out.stderr
    );
    let refused = sim.requests();
    assert!(refused.iter().all(|r| r.status == 403), "{refused:?}");
    assert!(
        refused.iter().any(|r| r.uri == "/api?timeout=32s"),
        "{refused:?}"
    );
    let out = as_breakglass.run(&["--as-group", "system:masters", "get", "pods"]);
    assert_ne!(out.code, 0);
}

/// `kubectl get pods --chunk-size=2` pages through the list with `limit` and `continue`
/// (staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go) and shows every pod, as one
/// unpaged list does.
#[test]
fn get_pods_in_chunks_follows_continue() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    let whole = k.run(&["get", "pods", "--chunk-size=0"]);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    sim.clear_logs();
    let chunked = k.run(&["get", "pods", "--chunk-size=2"]);
    assert_eq!(chunked.code, 0, "{}", chunked.stderr);
    assert_eq!(chunked.stdout, whole.stdout);
    assert_eq!(
        whole.stdout.lines().count(),
        4,
        "three pods: {}",
        whole.stdout
    );
    let lists: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.uri.starts_with("/api/v1/namespaces/coder/pods?"))
        .map(|r| r.uri)
        .collect();
    assert_eq!(lists.len(), 2, "{lists:?}");
    assert!(lists[0].contains("limit=2") && !lists[0].contains("continue="));
    assert!(lists[1].contains("limit=2") && lists[1].contains("continue="));
    // Across namespaces too, in namespace then name order.
    let all = k.run(&["get", "pods", "-A", "--chunk-size=1", "--no-headers"]);
    let whole = k.run(&["get", "pods", "-A", "--chunk-size=0", "--no-headers"]);
    assert_eq!(
        (all.code, &all.stdout),
        (0, &whole.stdout),
        "{}",
        all.stderr
    );
}

/// A continue token compacted away is a 410 Expired (etcd3/errors.go's
/// `handleCompactedErrorForPaging`); kubectl get reports it as the API server's error.
#[test]
fn an_expired_continue_token_is_410_expired() {
    if !kubectl_available() {
        return;
    }
    let sim = v1_sim();
    let k = Kubectl::for_ns(&sim, "coder");
    sim.expire_continue_tokens(1);
    let out = k.run(&["get", "pods", "--chunk-size=2"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains(
            "Error from server (Expired): The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."
        ),
        "{}",
        out.stderr
    );
    assert!(sim.requests().iter().any(|r| r.status == 410));
    // A token that is not one is a 400, as continue.go's DecodeContinue refuses it.
    let out = k.run(&[
        "get",
        "--raw",
        "/api/v1/namespaces/coder/pods?limit=1&continue=xyz",
    ]);
    assert!(
        out.stderr
            .contains("invalid continue token: continue key is not valid"),
        "{}",
        out.stderr
    );
}
