//! `status -A`: every Coder deployment of a mixed cluster, and nothing else.

use kubesim::fixtures::{
    app_pod, coder_v1, coder_v2_builtin_db, coder_v2_provisioner, coder_v2_release, coder_wsproxy,
    with_coder_version, workspace,
};
use kubesim::{KubeconfigOptions, Rule, Sim, SimBuilder};

use crate::support::TestEnv;

/// A v1 namespace and two v2 namespaces (one with the built-in database), with workspaces,
/// a provisioner and a workspace proxy beside the servers, and ordinary application pods.
pub fn mixed_cluster() -> SimBuilder {
    Sim::builder()
        .pod(coder_v1("coder-legacy", "coderd-7f9c6d5b8-x2k4q"))
        .pod(workspace("coder-legacy", "coder-jdoe-dev-0"))
        .pod(with_coder_version(
            coder_v2_release("coder-prod", "coder-prod-5d8f7b9c4-abcde", "coder-prod"),
            "v2.19.1",
        ))
        .pod(coder_v2_provisioner(
            "coder-prod",
            "coder-provisioner-6b7c8d9e5-fghij",
        ))
        .pod(coder_wsproxy("coder-prod", "coder-proxy-5d8f7b9c4-pqrst"))
        .pod(workspace("coder-prod", "coder-alice-dev-5f8b9c7d6-klmno"))
        .pod(coder_v2_builtin_db(
            "coder-staging",
            "coder-5d8f7b9c4-vwxyz",
        ))
        .pod(workspace("coder-staging", "coder-bob-dev-5f8b9c7d6-abcde"))
        .pod(app_pod("default", 0))
        .pod(app_pod("shop", 1))
}

#[test]
fn status_all_namespaces_lists_each_deployment_with_its_version() {
    let env = TestEnv::start(mixed_cluster());
    let run = env.plugin().args(["status", "-A"]).run();
    run.success();
    assert_eq!(
        run.stdout,
        "\
NAMESPACE       RELEASE      GENERATION   VERSION   READY   DATABASE   PASSWORDS   EXEC   PORT-FORWARD
coder-legacy    coder        v1           1.44.0    1/1     <none>     <none>      yes    yes
coder-prod      coder-prod   v2           v2.19.1   1/1     external   enabled     yes    <none>
coder-staging   coder        v2           v2.18.0   1/1     built-in   enabled     yes    <none>
"
    );
    assert_eq!(run.stderr, "");
    // One cluster-wide list, no namespace's list; only the built-in database was looked for
    // inside a pod.
    let lists: Vec<String> = env
        .sim
        .requests()
        .into_iter()
        .map(|r| r.uri)
        .filter(|uri| uri.contains("/pods?") || uri.ends_with("/pods"))
        .collect();
    assert!(
        !lists.is_empty() && lists.iter().all(|u| u.starts_with("/api/v1/pods")),
        "{lists:?}"
    );
    let execs = env.sim.execs();
    assert_eq!(execs.len(), 1, "{execs:?}");
    assert_eq!(execs[0].pod, "coder-5d8f7b9c4-vwxyz");
}

#[test]
fn status_all_namespaces_as_json_gives_one_entry_per_deployment() {
    let env = TestEnv::start(mixed_cluster());
    let run = env
        .plugin()
        .args(["status", "--all-namespaces", "-o", "json"])
        .run();
    run.success();
    let json = run.json();
    let entries = json.as_array().expect("a list");
    let got: Vec<(&str, &str, &str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["namespace"].as_str().unwrap(),
                e["release"].as_str().unwrap(),
                e["pod"]["name"].as_str().unwrap(),
                e["pod"]["generation"].as_str().unwrap(),
                e["pod"]["version"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "coder-legacy",
                "coder",
                "coderd-7f9c6d5b8-x2k4q",
                "v1",
                "1.44.0"
            ),
            (
                "coder-prod",
                "coder-prod",
                "coder-prod-5d8f7b9c4-abcde",
                "v2",
                "v2.19.1"
            ),
            (
                "coder-staging",
                "coder",
                "coder-5d8f7b9c4-vwxyz",
                "v2",
                "v2.18.0"
            ),
        ]
    );
    // The fields `status` gives, per deployment.
    for entry in entries {
        for key in [
            "context",
            "cluster",
            "namespace",
            "configSource",
            "pod",
            "readyPods",
            "serverPods",
        ] {
            assert!(entry.get(key).is_some(), "{key} in {entry}");
        }
        assert_eq!(entry["pod"]["exec"]["get"], true);
    }
    assert_eq!(entries[0]["pod"]["portForward"]["create"], true);
    assert_eq!(entries[1]["pod"]["database"]["kind"], "external");
    assert_eq!(entries[2]["pod"]["database"]["kind"], "builtIn");
    assert_eq!(entries[2]["pod"]["passwordLogin"]["state"], "enabled");

    let yaml = env.plugin().args(["status", "-A", "-o", "yaml"]).run();
    yaml.success();
    let value: serde_json::Value = serde_saphyr::from_str(&yaml.stdout).unwrap();
    assert_eq!(value.as_array().map(Vec::len), Some(3), "{}", yaml.stdout);
}

#[test]
fn status_all_namespaces_without_the_cluster_wide_list_is_refused_with_the_right_named() {
    let env = TestEnv::start(mixed_cluster().user(
        "ns-admin",
        "ns-admin-token",
        vec![
            Rule::new(&["get", "list"], &["pods"], Some(&["coder-prod"])),
            Rule::new(&["create"], &["selfsubjectaccessreviews"], None),
        ],
    ));
    let kubeconfig = env.write_kubeconfig(
        "ns-admin.yaml",
        &KubeconfigOptions {
            token: "ns-admin-token".into(),
            namespace: Some("coder-prod".into()),
            ..Default::default()
        },
    );
    let run = env
        .plugin()
        .env("KUBECONFIG", &kubeconfig)
        .args(["status", "-A"])
        .run();
    run.code(4);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("forbidden")
            && run.stderr.contains("`list` on pods in all namespaces")
            && run.stderr.contains("-n NAMESPACE"),
        "{}",
        run.stderr
    );
    // The same user's own namespace still works.
    env.plugin()
        .env("KUBECONFIG", &kubeconfig)
        .args(["status"])
        .run()
        .success();
}

#[test]
fn status_all_namespaces_with_no_coder_anywhere_is_not_found() {
    let env = TestEnv::start(Sim::builder().pod(app_pod("default", 0)));
    let run = env.plugin().args(["status", "-A"]).run();
    run.code(3);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("no Coder server pods in any namespace"),
        "{}",
        run.stderr
    );
}

/// Our table follows kubectl's layout rule: the real kubectl's `get pods -A` against the same
/// cluster makes its NAMESPACE column as wide as the longest namespace plus three spaces.
#[test]
fn the_table_is_laid_out_as_kubectls() {
    let env = TestEnv::start(mixed_cluster());
    let kubectl = env.kubectl().args(["get", "pods", "-A"]).run();
    kubectl.success();
    let header = kubectl.stdout.lines().next().unwrap();
    let longest = kubectl
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap().len())
        .max()
        .unwrap();
    assert_eq!(
        header.find("NAME ").unwrap(),
        longest + 3,
        "{}",
        kubectl.stdout
    );
    assert!(header.starts_with("NAMESPACE"), "{header}");
    // Through kubectl's plugin lookup, which hands -A on untouched.
    let ours = env.kubectl().args(["coder", "status", "-A"]).run();
    ours.success();
    let our_header = ours.stdout.lines().next().unwrap();
    let longest_ours = "coder-staging".len();
    assert_eq!(our_header.find("RELEASE").unwrap(), longest_ours + 3);
    // No trailing padding after the last column, as kubectl.
    assert!(!header.ends_with(' ') && !our_header.ends_with(' '));
}
