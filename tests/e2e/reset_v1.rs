//! `reset-admin-password` on Coder v1: every documented output shape, legacy charts, output
//! formats, confirmation, dry runs, and what the API server sees.

use kubesim::fixtures::{coder_v1, coder_v1_legacy};
use kubesim::{ExecFault, Scenario, Sim, V1OutputFormat};

use crate::support::TestEnv;

const POD: &str = "coderd-7f9c6d5b8-x2k4q";

fn env_with_format(format: V1OutputFormat) -> TestEnv {
    TestEnv::start(Sim::builder().pod(coder_v1("coder", POD).v1_output(format)))
}

#[test]
fn each_documented_output_format_yields_the_password() {
    for format in [
        V1OutputFormat::Boxed,
        V1OutputFormat::Emoji,
        V1OutputFormat::Logged,
    ] {
        let env = env_with_format(format);
        let run = env.plugin().args(["reset-admin-password", "--yes"]).run();
        run.success();
        let password = env
            .sim
            .v1_admin_password()
            .expect("coderd generated a password");
        assert_eq!(
            run.stdout,
            format!(
                "Password reset on Coder v1 in pod coder/{POD} (context kubesim).\n\n  Username:  admin\n  Password:  {password}\n\nThis password is temporary: Coder asks for a new one at the next login.\nNext: sign in to Coder (its URL is not in the pod spec) as admin.\n"
            ),
            "{format:?}"
        );
        assert_eq!(run.stderr, "", "{format:?}");
    }
}

#[test]
fn through_kubectl_as_a_plugin() {
    let env = TestEnv::scenario(Scenario::V1);
    let run = env
        .kubectl()
        .args(["coder", "reset-admin-password", "--yes", "-o", "json"])
        .run();
    run.success();
    assert_eq!(
        run.json()["password"].as_str(),
        env.sim.v1_admin_password().as_deref()
    );
}

#[test]
fn legacy_cemanager_charts() {
    let env =
        TestEnv::start(Sim::builder().pod(coder_v1_legacy("coder", "cemanager-7f9c6d5b8-x2k4q")));
    let run = env
        .plugin()
        .args(["reset-admin-password", "--yes", "-o", "json"])
        .run();
    run.success();
    let json = run.json();
    assert_eq!(json["generation"], "v1-legacy");
    assert_eq!(json["container"], "cemanager");
    assert_eq!(
        json["password"].as_str(),
        env.sim.v1_admin_password().as_deref()
    );
    assert_eq!(
        env.sim.execs()[0].command,
        ["cemanager", "reset-admin-password"]
    );
}

#[test]
fn output_not_understood_shows_the_raw_output_and_exits_6() {
    let env = env_with_format(V1OutputFormat::Unparseable);
    let run = env.plugin().args(["reset-admin-password", "--yes"]).run();
    run.code(6);
    assert_eq!(run.stdout, "admin password reset complete\n");
    assert_eq!(
        run.stderr,
        format!(
            "note: coderd reset-admin-password succeeded in pod {POD}, but no password was found in its output; its raw output is shown above\n"
        )
    );
    let json = env
        .plugin()
        .args(["reset-admin-password", "--yes", "-o", "json"])
        .run();
    json.code(6);
    assert_eq!(json.json()["outputUnderstood"], false);
    assert_eq!(json.json()["rawOutput"], "admin password reset complete\n");
}

#[test]
fn json_and_yaml_read_back() {
    let env = TestEnv::scenario(Scenario::V1);
    let json = env
        .plugin()
        .args(["reset-admin-password", "--yes", "-o", "json"])
        .run();
    json.success();
    let value = json.json();
    assert_eq!(value["username"], "admin");
    // One field says whether Coder forces a change.
    assert_eq!(value["temporary"], serde_json::Value::Null);
    assert_eq!(value["mustChangeAtNextLogin"], true);
    assert_eq!(value["pod"], POD);
    assert_eq!(value["namespace"], "coder");
    assert_eq!(value["context"], "kubesim");
    assert_eq!(
        value["password"].as_str(),
        env.sim.v1_admin_password().as_deref()
    );

    let yaml = env
        .plugin()
        .args(["reset-admin-password", "--yes", "-o", "yaml"])
        .run();
    yaml.success();
    let value: serde_json::Value = serde_saphyr::from_str(&yaml.stdout).unwrap();
    assert_eq!(
        value["password"].as_str(),
        env.sim.v1_admin_password().as_deref()
    );
    assert_eq!(value["generation"].as_str(), Some("v1"));
}

#[test]
fn dry_run_makes_no_exec_request() {
    let env = TestEnv::scenario(Scenario::V1);
    let run = env
        .plugin()
        .args(["reset-admin-password", "--dry-run"])
        .run();
    run.success();
    assert_eq!(
        run.stdout,
        format!(
            "Would run in pod coder/{POD} (container coderd, Coder v1, context kubesim):\n  coderd reset-admin-password\nNothing was changed (--dry-run).\n"
        )
    );
    assert!(env.sim.requests().iter().all(|r| !r.uri.contains("/exec")));
    assert!(env.sim.v1_admin_password().is_none());
}

#[test]
fn without_a_terminal_or_yes_it_refuses_before_any_request() {
    let env = TestEnv::scenario(Scenario::V1);
    env.plugin().args(["reset-admin-password"]).run().code(2).stderr_is(
        "error: refusing to change a password without confirmation: there is no terminal to ask on\nhint: re-run with --yes to confirm, or --dry-run to see what would happen\n",
    );
    assert!(env.sim.requests().is_empty());
}

#[test]
fn the_confirmation_prompt_in_a_terminal() {
    let env = TestEnv::scenario(Scenario::V1);
    let screen = env
        .pty(&["reset-admin-password"])
        .answer("[y/N]", "n\n")
        .run();
    let (screen, code) = (screen.text, screen.code);
    assert_eq!(code, 7, "{screen}");
    assert!(
        screen.contains(&format!(
            "Reset the password of admin on Coder v1?\r\n  pod coder/{POD}, context kubesim\r\n[y/N]"
        )),
        "{screen}"
    );
    assert!(screen.contains("Nothing was changed."), "{screen}");
    assert!(env.sim.execs().is_empty());

    let screen = env
        .pty(&["reset-admin-password"])
        .answer("[y/N]", "y\n")
        .run();
    let (screen, code) = (screen.text, screen.code);
    assert_eq!(code, 0, "{screen}");
    let password = env.sim.v1_admin_password().unwrap();
    assert!(
        screen.contains(&format!("Password:  \u{1b}[1m{password}\u{1b}[0m")),
        "{screen}"
    );
}

#[test]
fn a_reset_is_two_requests_with_no_password_on_the_wire_to_the_api_server() {
    let env = TestEnv::scenario(Scenario::V1);
    env.plugin()
        .args(["reset-admin-password", "--yes", "-v"])
        .run()
        .success();
    let requests = env.sim.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    // In pages of 500, as kubectl lists.
    assert_eq!(requests[0].uri, "/api/v1/namespaces/coder/pods?&limit=500");
    assert!(
        requests[1]
            .uri
            .starts_with(&format!("/api/v1/namespaces/coder/pods/{POD}/exec?"))
    );
    let password = env.sim.v1_admin_password().unwrap();
    assert!(!env.everything_the_server_saw().contains(&password));
}

#[test]
fn create_admin_user_on_v1_says_what_v1_has_instead() {
    let env = TestEnv::scenario(Scenario::V1);
    env.plugin()
        .args(["create-admin-user", "--username", "x", "--email", "x@example.com", "--yes"])
        .run()
        .code(2)
        .stderr_is(&format!(
            "error: create-admin-user is for Coder v2, but pod {POD} runs Coder v1\nhint: Coder v1 has one site admin, created at install: reset its password with `kubectl coder reset-admin-password`, or another user's with `kubectl coder reset-password USER`\n"
        ));
    assert!(env.sim.execs().is_empty());
}

#[test]
fn a_dropped_stream_after_the_password_still_shows_it() {
    let env = TestEnv::scenario(Scenario::V1);
    // The boxed output up to the end of the password line (16-character password), not the
    // closing line of dashes.
    env.sim
        .set_exec_fault(Some(ExecFault::DropAfterStdoutBytes(23 + 16 + 10 + 16 + 1)));
    let run = env.plugin().args(["reset-admin-password", "--yes"]).run();
    run.success();
    let password = env.sim.v1_admin_password().unwrap();
    assert!(
        run.stdout.contains(&format!("Password:  {password}\n")),
        "{}",
        run.stdout
    );
    assert!(run.stderr.starts_with("warning: the password arrived, but then the command did not end cleanly: the connection dropped"), "{}", run.stderr);
}

#[test]
fn a_dropped_stream_before_the_password_shows_what_arrived() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim
        .set_exec_fault(Some(ExecFault::DropAfterStdoutBytes(23 + 16)));
    let run = env.plugin().args(["reset-admin-password", "--yes"]).run();
    run.code(6);
    assert_eq!(run.stdout, "----------------------\nUser:     admin\n");
    assert!(
        run.stderr.starts_with(&format!(
            "error: coderd reset-admin-password in pod {POD} may or may not have finished: the connection dropped ("
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.ends_with("; the output so far is shown above\nhint: run the command again if the admin cannot log in (a new temporary password is issued)\n"), "{}", run.stderr);
}

#[test]
fn no_color_is_honoured_on_a_terminal() {
    let env = TestEnv::scenario(Scenario::V1);
    let screen = env
        .pty(&["reset-admin-password", "--yes"])
        .env("NO_COLOR", "1")
        .run();
    let (screen, code) = (screen.text, screen.code);
    assert_eq!(code, 0, "{screen}");
    let password = env.sim.v1_admin_password().unwrap();
    assert!(
        screen.contains(&format!("Password:  {password}\r\n")),
        "{screen:?}"
    );
    assert!(!screen.contains('\u{1b}'), "{screen:?}");
}

#[test]
fn v2_only_options_are_refused_on_v1_before_any_exec() {
    let env = TestEnv::scenario(Scenario::V1);
    env.plugin().args(["reset-admin-password", "--yes", "--owner", "admin"]).run().code(2).stderr_is(&format!(
        "error: --owner is for Coder v2, but pod {POD} runs Coder v1\nhint: Coder v1 resets its one admin, `admin`, to a temporary password it makes up: leave it out\n"
    ));
    let run = env
        .plugin()
        .args(["reset-admin-password", "--yes", "--password-stdin"])
        .stdin("PasswordSecured123!\n")
        .run();
    run.code(2);
    assert!(
        run.stderr.starts_with(&format!(
            "error: --password-stdin is for Coder v2, but pod {POD} runs Coder v1\n"
        )),
        "{}",
        run.stderr
    );
    assert!(env.sim.execs().is_empty());
}
