//! Conformance of `pods/portforward`: the official Python `kubernetes` client (Debian's
//! python3-kubernetes, which asks for `v4.channel.k8s.io` and checks every channel's initial
//! port frame: kubernetes/base/stream/ws_client.py, `PortForward._proxy`) forwards to the
//! simulated coderd v1 and to a port nothing listens on. kubectl cannot be the second client
//! here: since 1.31 it tunnels SPDY inside the websocket, which the simulator does not speak.

use std::path::Path;
use std::process::Command;

use kubesim::{KubeconfigOptions, Rule, Scenario, Sim};

/// Debian's interpreter, where `apt-get install python3-kubernetes` puts the module.
const PYTHON: &str = "/usr/bin/python3";
const CODERD: &str = "coderd-7f9c6d5b8-x2k4q";

fn python_kubernetes_available() -> bool {
    let found = Path::new(PYTHON).exists()
        && Command::new(PYTHON)
            .args(["-c", "import kubernetes.stream"])
            .status()
            .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("KUBECTL_CODER_REQUIRE_TOOLS").is_none(),
            "{PYTHON} with the kubernetes module is required (apt-get install python3-kubernetes)"
        );
        eprintln!("skipping: {PYTHON} has no kubernetes module");
    }
    found
}

/// Forwards `ports` of `pod`, sends `request` to the first one and prints a JSON object with
/// the response and each port's error-channel text.
const CLIENT: &str = r#"
import json, sys
from kubernetes import client, config
from kubernetes.stream import portforward

kubeconfig, pod, ports, request = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
config.load_kube_config(config_file=kubeconfig)
api = client.CoreV1Api()
try:
    pf = portforward(api.connect_get_namespaced_pod_portforward, pod, "coder", ports=ports)
except Exception as e:
    print(json.dumps({"exception": str(e)}))
    sys.exit(0)
numbers = [int(p) for p in ports.split(",")]
sock = pf.socket(numbers[0])
sock.setblocking(True)
sock.sendall(request.encode())
data = b""
while True:
    chunk = sock.recv(65536)
    if not chunk:
        break
    data += chunk
sock.close()
print(json.dumps({
    "response": data.decode("utf-8", "replace"),
    "errors": {str(p): pf.error(p) for p in numbers},
}))
"#;

fn forward(sim: &Sim, dir: &Path, token: &str, ports: &str, request: &str) -> serde_json::Value {
    let kubeconfig = dir.join(format!("{token}.yaml"));
    sim.write_kubeconfig(
        &kubeconfig,
        &KubeconfigOptions {
            token: token.into(),
            ..Default::default()
        },
    )
    .unwrap();
    let out = Command::new(PYTHON)
        .args(["-c", CLIENT])
        .arg(&kubeconfig)
        .args([CODERD, ports, request])
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn the_python_client_reaches_coderd_and_sees_a_refused_port() {
    if !python_kubernetes_available() {
        return;
    }
    let sim = Sim::builder().scenario(Scenario::V1).start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let got = forward(
        &sim,
        dir.path(),
        "admin-token",
        "8080,9999",
        "GET /api HTTP/1.1\r\nHost: coderd\r\nConnection: close\r\n\r\n",
    );
    let response = got["response"].as_str().unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("coder-version: 1.44.0\r\n"),
        "{response}"
    );
    assert_eq!(got["errors"]["8080"], serde_json::Value::Null);
    let refused = got["errors"]["9999"].as_str().unwrap();
    assert!(
        refused.starts_with(&format!("error forwarding port 9999 to pod {CODERD}, uid ")),
        "{refused}"
    );
    assert!(refused.contains("connect: connection refused"), "{refused}");
    let forwards = sim.portforwards();
    assert_eq!(forwards.len(), 1);
    assert_eq!(forwards[0].ports, [8080, 9999]);
    // Debian's client (22.6) asks for v4 alone; newer ones for v5 and v4: v4 either way.
    assert_eq!(forwards[0].protocol, "v4.channel.k8s.io");

    // A login and a user list over the same kind of tunnel, as the dashboard's API client.
    let login = r#"{"email":"admin@coder.example.com","password":"Initial-Admin-Pw-1"}"#;
    let got = forward(
        &sim,
        dir.path(),
        "admin-token",
        "8080",
        &format!(
            "POST /auth/basic/login HTTP/1.1\r\nHost: coderd\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{login}",
            login.len()
        ),
    );
    let response = got["response"].as_str().unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains(r#"{"session_token":""#), "{response}");
}

#[test]
fn the_python_client_is_refused_without_rbac_on_pods_portforward() {
    if !python_kubernetes_available() {
        return;
    }
    let sim = Sim::builder()
        .scenario(Scenario::V1)
        .user(
            "viewer",
            "viewer-token",
            vec![Rule::new(&["get", "list"], &["pods"], Some(&["coder"]))],
        )
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let got = forward(&sim, dir.path(), "viewer-token", "8080", "");
    let exception = got["exception"].as_str().unwrap();
    assert!(exception.contains("403"), "{exception}");
    assert!(sim.portforwards().is_empty());
}
