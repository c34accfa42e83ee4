//! The fault matrix (FAULTS.md): each case with the exact message and exit code a user sees.
//! FAULTS.md lists the same cases for users.

use std::net::TcpListener;
use std::time::Duration;

use kubesim::fixtures::{coder_v1, coder_v2};
use kubesim::{ExecFault, KubeconfigOptions, Scenario, Sim, Step, V1OutputFormat};

use crate::support::TestEnv;

const V1_POD: &str = "coderd-7f9c6d5b8-x2k4q";
const V2_POD: &str = "coder-5d8f7b9c4-abcde";

/// Points the kubeconfig at another server URL, keeping the simulator's CA and token.
fn point_at(env: &TestEnv, server: &str) {
    let text = std::fs::read_to_string(&env.kubeconfig)
        .unwrap()
        .replace(&env.sim.url(), server);
    std::fs::write(&env.kubeconfig, text).unwrap();
}

#[test]
fn malformed_kubeconfig() {
    let env = TestEnv::scenario(Scenario::V1);
    std::fs::write(&env.kubeconfig, "apiVersion: v1\nclusters: [ {\n").unwrap();
    let run = env.plugin().args(["status"]).run();
    run.code(1);
    let path = env.kubeconfig.display();
    assert!(
        run.stderr.starts_with(&format!(
            "error: kubeconfig {path} is not valid: failed to parse kubeconfig YAML: "
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("\nhint: fix the file, or check it with `kubectl config view`\n"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
}

#[test]
fn unknown_context() {
    let env = TestEnv::scenario(Scenario::V1);
    env.plugin().args(["status", "--context", "prod"]).run().code(1).stderr_is(
        "error: context \"prod\" does not exist in the kubeconfig\nhint: list the contexts with `kubectl config get-contexts`\n",
    );
}

#[test]
fn connection_refused() {
    let env = TestEnv::scenario(Scenario::V1);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    point_at(&env, &format!("https://127.0.0.1:{port}"));
    env.plugin().args(["reset-admin-password", "--yes"]).run().code(1).stderr_is(&format!(
        "error: cannot list pods in namespace \"coder\" at https://127.0.0.1:{port}/: connection refused\nhint: is the cluster reachable, and is this the right context? `kubectl cluster-info` checks the same\n"
    ));
}

#[test]
fn a_silent_server_and_request_timeout() {
    let env = TestEnv::scenario(Scenario::V1);
    // Accepts TCP connections (the kernel does) but never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    point_at(&env, &format!("https://127.0.0.1:{port}"));
    env.plugin().args(["reset-admin-password", "--yes", "--request-timeout", "1s"]).run().code(1).stderr_is(&format!(
        "error: cannot list pods in namespace \"coder\": the API server did not answer within 1s (--request-timeout) at https://127.0.0.1:{port}/\nhint: check the network path to the cluster (VPN, proxy), or allow more with --request-timeout\n"
    ));
    drop(silent);
}

#[test]
fn a_certificate_authority_mismatch() {
    let env = TestEnv::scenario(Scenario::V1);
    let other = Sim::builder().start().unwrap();
    // The other simulator's CA, this simulator's URL.
    let text = other
        .kubeconfig(&KubeconfigOptions {
            namespace: Some("coder".into()),
            ..Default::default()
        })
        .replace(&other.url(), &env.sim.url());
    std::fs::write(&env.kubeconfig, text).unwrap();
    // Both simulators' CAs have the same name, so rustls reports a bad signature rather than
    // an unknown issuer; either way the message is about trust.
    env.plugin().args(["status"]).run().code(1).stderr_is(&format!(
        "error: cannot list pods in namespace \"coder\" at {}/: the server's TLS certificate is not trusted by the kubeconfig's certificate authority (invalid peer certificate: BadSignature)\nhint: check certificate-authority(-data) of the cluster in the kubeconfig; a proxy that intercepts TLS causes this too\n",
        env.sim.url()
    ));
}

#[test]
fn a_missing_namespace() {
    let env = TestEnv::scenario(Scenario::V1);
    env.plugin().args(["reset-admin-password", "--yes", "-n", "nope"]).run().code(3).stderr_is(
        "error: namespace \"nope\" does not exist\nhint: Coder server pods run in namespace coder: add -n coder\n",
    );
}

#[test]
fn no_pods() {
    let env = TestEnv::start(Sim::builder().namespace("coder"));
    env.plugin().args(["reset-admin-password", "--yes"]).run().code(3).stderr_is(
        "error: no pods found in namespace \"coder\"\nhint: point at Coder's namespace with -n (Coder's docs install into \"coder\"), or choose pods with -l or --pod\n",
    );
}

#[test]
fn pods_not_ready() {
    let env = TestEnv::start(
        Sim::builder()
            .pod(coder_v1("coder", "coderd-7f9c6d5b8-a1").ready(false))
            .pod(
                coder_v1("coder", "coderd-7f9c6d5b8-b2")
                    .phase("Pending")
                    .ready(false),
            ),
    );
    env.plugin().args(["reset-admin-password", "--yes"]).run().code(3).stderr_is(
        "error: no usable Coder server pod in namespace \"coder\":\n  coderd-7f9c6d5b8-a1: not Ready\n  coderd-7f9c6d5b8-b2: not Running (phase Pending)\nhint: wait until a Coder pod is Ready (kubectl get pods -n coder -w), or choose one with --pod\n",
    );
}

#[test]
fn a_pod_deleted_between_list_and_exec() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim.delete_pod_after_next_list("coder", V1_POD);
    env.plugin().args(["reset-admin-password", "--yes"]).run().code(3).stderr_is(&format!(
        "error: pod coder/{V1_POD} not found: pods \"{V1_POD}\" not found\nhint: it was deleted after it was listed, so nothing ran; run the command again\n"
    ));
    assert!(env.sim.v1_admin_password().is_none());
}

/// Both of Coder's prompts, as it prints them without a terminal.
const BOTH_PROMPTS: &str = "> Enter new  password : > Confirm  password : ";

/// A Coder v2 deployment whose `coder reset-password` reads the password and its
/// confirmation, prints a line break and then the connection drops: the password was sent
/// and confirmed, and nothing says whether the reset happened. (Dropping right after the
/// second prompt would race with the confirmation being written.)
fn dropped_after_the_confirmation() -> TestEnv {
    let env = TestEnv::start(Sim::builder().pod(coder_v2("coder", V2_POD).with_script(
        "coder",
        vec![
            Step::stdout("> Enter new  password : "),
            Step::ReadLine,
            Step::stdout("> Confirm  password : "),
            Step::ReadLine,
            Step::stdout("\n"),
            // Waits for the end of input, which the dropped connection brings.
            Step::ReadLine,
        ],
    )));
    env.sim.set_exec_fault(Some(ExecFault::DropAfterStdoutBytes(
        BOTH_PROMPTS.len() + 1,
    )));
    env
}

#[test]
fn a_v2_stream_dropped_before_coder_answered_still_shows_the_password_sent() {
    let env = dropped_after_the_confirmation();
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    run.code(6);
    // The connection dropped once Coder asked for the confirmation, before it said it was
    // done: no reset happened here, but the user is shown the password that was sent, in
    // case it did.
    let sent = run
        .stdout
        .strip_prefix(&format!("{BOTH_PROMPTS}\nPassword sent: "))
        .and_then(|r| r.strip_suffix('\n'));
    let sent = sent.unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!(kubectl_coder::coder::password::check(sent), Ok(()));
    assert_eq!(env.sim.v2_password("alice"), None);
    assert!(!env.everything_the_server_saw().contains(sent));
    assert!(run.stderr.starts_with(&format!(
        "error: coder reset-password alice in pod {V2_POD} may or may not have finished: the connection dropped ("
    )), "{}", run.stderr);
    assert!(run.stderr.ends_with(
        "; the output so far and the password sent are shown above\nhint: try to log in with the password sent; if it fails, run the command again\n"
    ), "{}", run.stderr);
}

#[test]
fn a_list_is_retried_after_5xx_but_a_reset_never_is() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim.fail_next(2, "/pods", 503);
    env.plugin()
        .args(["reset-admin-password", "--yes"])
        .run()
        .success();
    let lists = env
        .sim
        .requests()
        .iter()
        .filter(|r| r.uri.ends_with("/pods?&limit=500"))
        .count();
    assert_eq!(lists, 3);

    env.sim.clear_logs();
    env.sim.fail_next(1, "/exec", 500);
    let run = env.plugin().args(["reset-admin-password", "--yes"]).run();
    run.code(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: the API server failed to exec in pod coder/{V1_POD}: "
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.ends_with(
        "hint: try again in a moment; a reset is never retried automatically, as it may have happened\n"
    ), "{}", run.stderr);
    assert_eq!(
        env.sim
            .requests()
            .iter()
            .filter(|r| r.uri.contains("/exec"))
            .count(),
        1
    );

    env.sim.clear_logs();
    env.sim.fail_next(5, "/pods", 500);
    let run = env.plugin().args(["reset-admin-password", "--yes"]).run();
    run.code(1);
    assert!(
        run.stderr
            .starts_with("error: the API server failed to list pods in namespace \"coder\": "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("(500)\nhint: try again in a moment; the list was already retried\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_slow_command_times_out_with_what_arrived() {
    let env = TestEnv::start(
        Sim::builder().pod(coder_v1("coder", V1_POD).with_delay(Duration::from_secs(5))),
    );
    env.plugin().args(["reset-admin-password", "--yes", "--timeout", "1s"]).run().code(6).stderr_is(&format!(
        "error: coderd reset-admin-password in pod {V1_POD} may or may not have finished: no exit status within 1s (--timeout); no output arrived\nhint: run the command again if the admin cannot log in (a new temporary password is issued)\n"
    ));
}

#[test]
fn a_slow_command_shows_a_spinner_on_a_terminal() {
    let env = TestEnv::start(
        Sim::builder().pod(coder_v1("coder", V1_POD).with_delay(Duration::from_millis(2500))),
    );
    let screen = env.pty(&["reset-admin-password", "--yes"]).run();
    let (screen, code) = (screen.text, screen.code);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains(&format!(
            "Running coderd reset-admin-password in {V1_POD} (1s)"
        )),
        "{screen}"
    );
    assert!(screen.contains("Password:  "), "{screen}");
}

#[test]
fn ctrl_c_during_a_reset() {
    let env = TestEnv::start(
        Sim::builder().pod(coder_v1("coder", V1_POD).with_delay(Duration::from_secs(10))),
    );
    let screen = env
        .pty(&["reset-admin-password", "--yes"])
        .key_at(Duration::from_millis(1500), "\u{3}")
        .run();
    let (screen, code) = (screen.text, screen.code);
    assert_eq!(code, 130, "{screen}");
    assert!(screen.contains(&format!(
        "error: coderd reset-admin-password in pod {V1_POD} may or may not have finished: interrupted (Ctrl-C); no output arrived"
    )), "{screen}");
}

#[test]
fn the_wrong_generation_names_what_was_detected() {
    let env = TestEnv::scenario(Scenario::V2);
    env.plugin()
        .args(["reset-admin-password", "--yes", "--generation", "v1", "-c", "coder"])
        .args(["--pod", V2_POD])
        .run()
        .code(5)
        .stderr_is(&format!(
            "error: `coderd` was not found in container coder of pod {V2_POD}: it was taken for Coder v1 (--generation and --container)\nhint: choose the generation with --generation v2 and the container with -c; `kubectl coder status` shows what was detected\n"
        ));
    // Without --pod, --generation keeps the pods of that generation: there are none.
    let run = env
        .plugin()
        .args(["reset-admin-password", "--yes", "--generation", "v1"])
        .run();
    run.code(3);
    assert!(
        run.stderr.contains(&format!(
            "  {V2_POD}: runs Coder v2, not the generation asked for\n"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_proxy_that_does_not_pass_upgrades() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim.set_exec_fault(Some(ExecFault::RejectUpgrade(400)));
    let run = env.plugin().args(["reset-admin-password", "--yes"]).run();
    run.code(1);
    assert!(
        run.stderr
            .starts_with(&format!("error: cannot exec in pod coder/{V1_POD}: ")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.ends_with(
        "hint: a proxy or load balancer in front of the API server may not pass upgrades; connect to the API server directly\n"
    ), "{}", run.stderr);
}

#[test]
fn v2_missing_database_and_unknown_user_are_distinct() {
    let env = TestEnv::start(Sim::builder().pod(coder_v2("coder", V2_POD).without_pg_url()));
    env.plugin()
        .args(["reset-password", "alice", "--yes"])
        .run()
        .code(5);
    let env = TestEnv::scenario(Scenario::V2);
    env.plugin()
        .args(["reset-password", "zed", "--yes"])
        .run()
        .code(3);
}

#[test]
fn a_v2_stream_dropped_before_the_confirmation_changed_nothing() {
    let env = TestEnv::scenario(Scenario::V2);
    env.sim
        .set_exec_fault(Some(ExecFault::DropAfterStdoutBytes(5)));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    run.code(1);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with(&format!(
        "error: coder reset-password alice in pod {V2_POD} ended before the password was confirmed: the connection dropped ("
    )), "{}", run.stderr);
    assert!(
        run.stderr
            .ends_with("; nothing was changed\nhint: run the command again\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_output_still_carries_the_password_sent_when_the_stream_drops() {
    let env = dropped_after_the_confirmation();
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "-o", "json"])
        .run();
    run.code(6);
    let json = run.json();
    assert_eq!(json["outputUnderstood"], false);
    assert_eq!(json["rawOutput"], format!("{BOTH_PROMPTS}\n"));
    assert!(
        json["incomplete"]
            .as_str()
            .unwrap()
            .starts_with("the connection dropped"),
        "{json}"
    );
    let sent = json["password"].as_str().unwrap();
    assert_eq!(kubectl_coder::coder::password::check(sent), Ok(()));
    assert!(
        run.stderr.contains("may or may not have finished"),
        "{}",
        run.stderr
    );
}

#[test]
fn ten_mib_of_output_before_the_password() {
    let env = TestEnv::start(
        Sim::builder().pod(coder_v1("coder", V1_POD).v1_output(V1OutputFormat::Verbose)),
    );
    let run = env
        .plugin()
        .args(["reset-admin-password", "--yes", "-o", "json"])
        .run();
    run.success();
    assert_eq!(
        run.json()["password"].as_str(),
        env.sim.v1_admin_password().as_deref()
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn output_with_invalid_utf8_and_escape_codes() {
    let env = TestEnv::start(
        Sim::builder().pod(coder_v1("coder", V1_POD).v1_output(V1OutputFormat::Noisy)),
    );
    let run = env.plugin().args(["reset-admin-password", "--yes"]).run();
    run.success();
    let password = env.sim.v1_admin_password().unwrap();
    assert_eq!(
        run.stdout,
        format!(
            "Password reset on Coder v1 in pod coder/{V1_POD} (context kubesim).\n\n  Username:  admin\n  Password:  {password}\n\nThis password is temporary: Coder asks for a new one at the next login.\nNext: sign in to Coder (its URL is not in the pod spec) as admin.\n"
        )
    );
}
