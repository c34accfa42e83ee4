//! Password login is read where `coder server` reads it (issue 18): `--disable-password-auth`
//! in the container's args, `CODER_DISABLE_PASSWORD_AUTH`, and the YAML config file
//! (`--config`/`CODER_CONFIG_PATH`, key `networking.http.disablePasswordAuth`), in serpent's
//! order. `status` reports it; `create-admin-user` refuses (unless
//! `--allow-disabled-password-login`); a reset warns and runs.

use kubesim::fixtures::coder_v2;
use kubesim::{PodFixture, Sim};

use crate::support::TestEnv;

const POD: &str = "coder-5d8f7b9c4-abcde";
const CONFIG: &str = "/etc/coder/config.yaml";

/// The chart's pod with `args` for `coder server`, and a config file in the pod.
fn pod(args: &[&str], config: Option<&str>) -> PodFixture {
    let mut pod = coder_v2("coder", POD);
    pod.containers[0] = pod.containers[0].clone().args(args);
    match config {
        Some(yaml) => pod.file(CONFIG, yaml),
        None => pod,
    }
}

const DISABLED_YAML: &str =
    "networking:\n  accessURL: https://coder.example.com\n  http:\n    disablePasswordAuth: true\n";

fn create_frank(env: &TestEnv) -> crate::support::Run {
    env.plugin()
        .args([
            "create-admin-user",
            "--username",
            "frank",
            "--email",
            "frank@example.com",
            "--yes",
        ])
        .run()
}

#[test]
fn the_flag_in_the_containers_args() {
    let env = TestEnv::start(Sim::builder().pod(pod(&["server", "--disable-password-auth"], None)));
    let status = env.plugin().args(["status", "-o", "json"]).run();
    status.success();
    assert_eq!(
        status.json()["pod"]["passwordLogin"],
        serde_json::json!({"state": "disabled", "source": "--disable-password-auth in the container's args"})
    );
    create_frank(&env).code(2).stderr_is(&format!(
        "error: refusing to create an owner: pod {POD} has --disable-password-auth in the container's args, so Coder refuses every password login, owners included, and the new owner could not sign in\nhint: sign in through your identity provider instead; or remove that setting first (flag, environment or config file); to create the owner anyway, add --allow-disabled-password-login\n"
    ));
    assert_eq!(env.sim.v2_password("frank"), None);
    let reset = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    reset.success();
    assert!(
        reset.stderr.contains(&format!("warning: pod {POD} has --disable-password-auth in the container's args: Coder refuses every password login")),
        "{}",
        reset.stderr
    );
}

#[test]
fn the_yaml_config_file() {
    for args in [
        &["server", "--config", CONFIG][..],
        &["server", "-c", CONFIG],
        &["server", "--config=/etc/coder/config.yaml"],
    ] {
        let env = TestEnv::start(Sim::builder().pod(pod(args, Some(DISABLED_YAML))));
        let status = env.plugin().args(["status", "-o", "json"]).run();
        status.success();
        assert_eq!(
            status.json()["pod"]["passwordLogin"],
            serde_json::json!({"state": "disabled", "source": "networking.http.disablePasswordAuth: true in the config file /etc/coder/config.yaml"}),
            "{args:?}"
        );
        // Never the file's text in what is shown.
        assert!(!status.stdout.contains("accessURL"), "{}", status.stdout);
        create_frank(&env).code(2).stderr_is(&format!(
            "error: refusing to create an owner: pod {POD} has networking.http.disablePasswordAuth: true in the config file /etc/coder/config.yaml, so Coder refuses every password login, owners included, and the new owner could not sign in\nhint: sign in through your identity provider instead; or remove that setting first (flag, environment or config file); to create the owner anyway, add --allow-disabled-password-login\n"
        ));
    }
}

#[test]
fn the_config_file_from_the_environment_and_the_order_of_sources() {
    // CODER_CONFIG_PATH names the file.
    let mut p = pod(&["server"], Some(DISABLED_YAML));
    p.containers[0] = p.containers[0].clone().env("CODER_CONFIG_PATH", CONFIG);
    let env = TestEnv::start(Sim::builder().pod(p));
    assert_eq!(
        env.plugin().args(["status", "-o", "json"]).run().json()["pod"]["passwordLogin"]["state"],
        "disabled"
    );

    // The environment wins over the file, the flag over both (serpent's order).
    let mut p = pod(&["server", "--config", CONFIG], Some(DISABLED_YAML));
    p.containers[0] = p.containers[0]
        .clone()
        .env("CODER_DISABLE_PASSWORD_AUTH", "false");
    let env = TestEnv::start(Sim::builder().pod(p));
    assert_eq!(
        env.plugin().args(["status", "-o", "json"]).run().json()["pod"]["passwordLogin"]["state"],
        "enabled"
    );
    create_frank(&env).success();

    let mut p = pod(&["server", "--disable-password-auth=false"], None);
    p.containers[0] = p.containers[0]
        .clone()
        .env("CODER_DISABLE_PASSWORD_AUTH", "true");
    let env = TestEnv::start(Sim::builder().pod(p));
    assert_eq!(
        env.plugin().args(["status", "-o", "json"]).run().json()["pod"]["passwordLogin"]["state"],
        "enabled"
    );
}

#[test]
fn a_config_file_that_cannot_be_read_leaves_it_unknown() {
    let env = TestEnv::start(Sim::builder().pod(pod(&["server", "--config", CONFIG], None)));
    let status = env.plugin().args(["status", "-o", "json"]).run();
    status.success();
    assert_eq!(
        status.json()["pod"]["passwordLogin"],
        serde_json::json!({"state": "unknown", "source": "networking.http.disablePasswordAuth may be set in the config file /etc/coder/config.yaml, which could not be read: cat exited 1: cat: /etc/coder/config.yaml: No such file or directory"})
    );
    // A reset says so before the confirmation, and runs.
    let reset = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    reset.success();
    assert!(
        reset.stderr.contains("note: password login may be disabled (networking.http.disablePasswordAuth may be set in the config file /etc/coder/config.yaml, which could not be read"),
        "{}",
        reset.stderr
    );
}

/// `status -A` reads each v2 deployment's config file as `status` does: one namespace's
/// file disables password login, the other deployment (no config file) keeps it.
#[test]
fn status_all_namespaces_reads_each_deployments_config_file() {
    let mut elsewhere = coder_v2("coder-staging", "coder-5d8f7b9c4-vwxyz");
    elsewhere.containers[0] = elsewhere.containers[0].clone().args(&["server"]);
    let env = TestEnv::start(
        Sim::builder()
            .pod(pod(&["server", "--config", CONFIG], Some(DISABLED_YAML)))
            .pod(elsewhere),
    );
    let run = env.plugin().args(["status", "-A", "-o", "json"]).run();
    run.success();
    let json = run.json();
    let entries = json.as_array().expect("a list");
    let login: Vec<(String, serde_json::Value)> = entries
        .iter()
        .map(|e| {
            (
                e["namespace"].as_str().unwrap_or_default().to_string(),
                e["pod"]["passwordLogin"].clone(),
            )
        })
        .collect();
    assert_eq!(
        login,
        vec![
            (
                "coder".to_string(),
                serde_json::json!({"state": "disabled", "source": "networking.http.disablePasswordAuth: true in the config file /etc/coder/config.yaml"})
            ),
            (
                "coder-staging".to_string(),
                serde_json::json!({"state": "enabled"})
            ),
        ]
    );
    assert!(!run.stdout.contains("accessURL"), "{}", run.stdout);
}
