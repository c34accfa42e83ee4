use kubesim::{Rule, Scenario, Sim};

use crate::support::TestEnv;

#[test]
fn status_through_kubectls_plugin_lookup() {
    let env = TestEnv::scenario(Scenario::V1);
    let run = env.kubectl().args(["coder", "status"]).run();
    run.success();
    let expected = format!(
        "Context:    kubesim\nCluster:    {}/\nNamespace:  coder\nConfig:     {}\nPod:        coderd-7f9c6d5b8-x2k4q (container coderd)\nCoder:      Coder v1 1.44.0 (version from the image tag, detected by label coder.deployment=coderd)\nImage:      docker.io/coderenvs/coder-service:1.44.0\nManaged by: ReplicaSet/coderd-7f9c6d5b8\nCan exec:   yes (get and create on pods/exec)\nForwarding: yes (get and create on pods/portforward; for reset-password)\n",
        env.sim.url(),
        env.kubeconfig.display()
    );
    assert_eq!(run.stdout, expected);
    assert_eq!(run.stderr, "");
}

#[test]
fn status_json_for_v2() {
    let env = TestEnv::scenario(Scenario::V2);
    let run = env.plugin().args(["status", "-o", "json"]).run();
    run.success();
    let json = run.json();
    assert_eq!(json["namespace"], "coder");
    assert_eq!(json["pod"]["name"], "coder-5d8f7b9c4-abcde");
    assert_eq!(json["pod"]["container"], "coder");
    assert_eq!(json["pod"]["generation"], "v2");
    assert_eq!(json["pod"]["version"], "v2.18.0");
    assert_eq!(json["pod"]["exec"]["get"], true);
    assert_eq!(json["pod"]["exec"]["create"], true);
}

#[test]
fn status_shows_a_missing_exec_permission() {
    let env = TestEnv::start(Sim::builder().scenario(Scenario::V1).user(
        "viewer",
        "viewer-token",
        vec![
            Rule::new(&["get", "list"], &["pods"], Some(&["coder"])),
            Rule::new(&["create"], &["selfsubjectaccessreviews"], None),
        ],
    ));
    let run = env.plugin().args(["status", "--user", "viewer"]).run();
    // The kubeconfig has no user "viewer": that is kubectl's error too.
    assert_ne!(run.code, 0);

    let kubeconfig = env.path("viewer.yaml");
    env.sim
        .write_kubeconfig(
            &kubeconfig,
            &kubesim::KubeconfigOptions {
                token: "viewer-token".into(),
                namespace: Some("coder".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let run = env
        .plugin()
        .args(["status", "-o", "json"])
        .env("KUBECONFIG", &kubeconfig)
        .run();
    run.success();
    assert_eq!(run.json()["pod"]["exec"]["get"], false);
    let run = env
        .plugin()
        .args(["status"])
        .env("KUBECONFIG", &kubeconfig)
        .run();
    assert!(
        run.stdout
            .contains("Can exec:   no: get on pods/exec is not allowed\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn status_in_a_namespace_without_coder_points_to_the_right_one() {
    let env = TestEnv::scenario(Scenario::Mixed);
    let run = env.plugin().args(["status", "-n", "default"]).run();
    run.code(3);
    assert!(
        run.stdout.contains("Namespace:  default\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Pod:        no usable Coder server pod in namespace \"default\":"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stderr,
        "hint: Coder server pods run in namespace coder: add -n coder\n"
    );
}

#[test]
fn a_legacy_deployment_in_another_namespace_is_found_too() {
    let env = TestEnv::start(Sim::builder().namespace("default").pod(
        kubesim::fixtures::coder_v1_legacy("old-coder", "cemanager-7f9c6d5b8-x2k4q"),
    ));
    let run = env
        .plugin()
        .args(["reset-admin-password", "--yes", "-n", "default"])
        .run();
    run.code(3).stderr_is(
        "error: no pods found in namespace \"default\"\nhint: Coder server pods run in namespace old-coder: add -n old-coder\n",
    );
}
