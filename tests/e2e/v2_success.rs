//! Coder v2 succeeds only as real Coder says it (issue 18): `Password has been reset for user
//! NAME!` whole on stdout after both prompts were answered, for the user asked for
//! (cli/resetpassword.go); `User created successfully.` on stderr after the prompts, for the
//! username and email sent (cli/server_createadminuser.go). Anything else that ends in exit 0
//! is not understood (exit 6, raw output and the password sent). The database and the
//! account are ours whatever the Coder version and the server's environment.

use kubesim::fixtures::{coder_v2, with_coder_version};
use kubesim::{Sim, Step};

use crate::support::{Run, TestEnv};

const POD: &str = "coder-5d8f7b9c4-abcde";

const NOT_SAID: &str = "note: coder reset-password alice exited 0 but did not say it succeeded; the password sent is shown with its raw output, in case it took effect\n";

fn v2_with(steps: Vec<Step>) -> TestEnv {
    TestEnv::start(Sim::builder().pod(coder_v2("coder", POD).with_script("coder", steps)))
}

/// Coder's two prompts, each answered.
fn prompts() -> Vec<Step> {
    vec![
        Step::stdout("> Enter new  password : "),
        Step::ReadLine,
        Step::stdout("> Confirm  password : "),
        Step::ReadLine,
    ]
}

fn reset_alice(env: &TestEnv, extra: &[&str]) -> Run {
    env.plugin()
        .args(["reset-password", "alice", "--yes"])
        .args(extra)
        .run()
}

/// The password the plugin typed at the first prompt.
fn sent(env: &TestEnv) -> String {
    let exec = env.sim.execs().pop().expect("an exec happened");
    let stdin = String::from_utf8(exec.stdin).unwrap();
    stdin.lines().next().unwrap_or_default().to_string()
}

#[test]
fn the_success_line_before_any_prompt_is_not_understood() {
    let mut steps = vec![Step::stdout("Password has been reset for user alice!\n")];
    steps.extend(prompts());
    let env = v2_with(steps);
    let run = reset_alice(&env, &[]);
    run.code(6).stderr_is(NOT_SAID);
    let password = sent(&env);
    assert_eq!(
        run.stdout,
        format!(
            "Password has been reset for user alice!\n> Enter new  password : > Confirm  password : \nPassword sent: {password}\n"
        )
    );
}

#[test]
fn the_success_sentence_inside_an_error_on_stderr_is_a_failure() {
    let mut steps = prompts();
    steps.extend([
        Step::stderr("error: Password has been reset for user alice! is not allowed\n"),
        Step::Exit(1),
    ]);
    let env = v2_with(steps);
    let run = reset_alice(&env, &["-o", "json"]);
    run.code(5).stderr_is(&format!(
        "error: coder reset-password alice failed in pod {POD}: error: Password has been reset for user alice! is not allowed\nhint: its logs may say more: kubectl logs -n coder {POD}\n"
    ));
    assert_eq!(run.stdout, "");
}

#[test]
fn a_cut_off_success_line_is_not_understood() {
    let mut steps = prompts();
    steps.push(Step::stdout("\nPassword has been reset for user al"));
    let env = v2_with(steps);
    let run = reset_alice(&env, &["-o", "json"]);
    run.code(6).stderr_is(NOT_SAID);
    let json = run.json();
    assert_eq!(json["outputUnderstood"], false);
    assert_eq!(json["username"], "alice");
    assert_eq!(json["password"], sent(&env));
    assert_eq!(
        json["rawOutput"],
        "> Enter new  password : > Confirm  password : \nPassword has been reset for user al"
    );
}

#[test]
fn success_for_another_user_is_not_understood() {
    let mut steps = prompts();
    steps.push(Step::stdout("\nPassword has been reset for user admin!\n"));
    let env = v2_with(steps);
    let run = reset_alice(&env, &[]);
    run.code(6).stderr_is(
        "note: coder reset-password alice said it was done for admin, not alice; the password sent is shown with its raw output, in case it took effect\n",
    );
    assert!(
        run.stdout.ends_with(&format!(
            "Password has been reset for user admin!\nPassword sent: {}\n",
            sent(&env)
        )),
        "{}",
        run.stdout
    );
}

/// Issue 23's planted bug: a Failure status after some output reported as "could not start"
/// (exit 5, no password) survived every test.
#[test]
fn a_failure_status_after_output_may_hide_a_reset() {
    let mut steps = prompts();
    steps.push(Step::Fail("container coder was OOM-killed".into()));
    let env = v2_with(steps);
    let run = reset_alice(&env, &[]);
    run.code(6).stderr_is(&format!(
        "error: coder reset-password alice in pod {POD} may or may not have finished: Internal error occurred: container coder was OOM-killed; the output so far and the password sent are shown above\nhint: try to log in with the password sent; if it fails, run the command again\n"
    ));
    assert!(
        run.stdout
            .ends_with(&format!("\nPassword sent: {}\n", sent(&env))),
        "{}",
        run.stdout
    );
}

#[test]
fn a_failure_after_the_success_line_is_a_warnings_field() {
    let mut steps = prompts();
    steps.extend([
        Step::stdout("\nPassword has been reset for user Alice!\n"),
        Step::stderr("error: write audit log: disk full\n"),
        Step::Exit(1),
    ]);
    for format in ["json", "yaml"] {
        let env = v2_with(steps.clone());
        let run = reset_alice(&env, &["-o", format]);
        run.success().stderr_is(
            "warning: Coder said the password was set, but then the command did not end cleanly: exit code 1\n",
        );
        let value: serde_json::Value = serde_saphyr::from_str(&run.stdout).unwrap();
        assert_eq!(
            value["warnings"],
            serde_json::json!([
                "Coder said the password was set, but then the command did not end cleanly: exit code 1"
            ]),
            "{}",
            run.stdout
        );
        assert_eq!(value["username"], "Alice");
        assert_eq!(value["password"], sent(&env));
    }
}

fn create_carol(env: &TestEnv) -> Run {
    env.plugin()
        .args([
            "create-admin-user",
            "--username",
            "carol",
            "--email",
            "carol@example.com",
            "--yes",
            "-o",
            "json",
        ])
        .run()
}

/// Coder before 2.0 reads CODER_POSTGRES_URL (coder/coder issue 7513): without it the owner
/// would go to a throwaway built-in PostgreSQL.
#[test]
fn create_admin_user_before_2_0_reaches_the_deployments_database() {
    let env =
        TestEnv::start(Sim::builder().pod(with_coder_version(coder_v2("coder", POD), "v0.23.4")));
    let run = create_carol(&env);
    run.success();
    assert_eq!(
        env.sim.v2_password("carol").as_deref(),
        run.json()["password"].as_str(),
        "the owner is in the deployment's database"
    );
}

/// What a Coder before 2.0 prints when no URL reached it: never a success.
#[test]
fn create_admin_user_in_a_database_of_its_own_is_a_failure() {
    let env = v2_with(vec![
        Step::stdout("Using built-in PostgreSQL (/home/coder/.config/coderv2/postgres)\n"),
        Step::stdout("> Password "),
        Step::ReadLine,
        Step::stdout("> Confirm password "),
        Step::ReadLine,
        Step::stderr(
            "Creating user...\n\nUser created successfully.\nID:       1\nUsername: carol\nEmail:    carol@example.com\nPassword: ********\n",
        ),
    ]);
    let run = create_carol(&env);
    run.code(5).stderr_is(&format!(
        "error: coder server create-admin-user in pod {POD} did not use the deployment's database (it printed \"Using built-in PostgreSQL (/home/coder/.config/coderv2/postgres)\"): anything it made is in a throwaway database, not in Coder's; no credentials were created\nhint: nothing was created in the deployment; a Coder older than 2.0 reads CODER_POSTGRES_URL, not CODER_PG_CONNECTION_URL: `kubectl coder status` shows the pod's database and version\n"
    ));
    assert_eq!(run.stdout, "");
}

/// The server's CODER_PASSWORD, CODER_USERNAME and CODER_EMAIL are create-admin-user's
/// options: unset for the command, so ours are used (and before 2.0, where they overrode the
/// flags, too).
#[test]
fn the_servers_account_variables_do_not_replace_ours() {
    for version in ["v2.18.0", "v0.23.4"] {
        let mut pod = with_coder_version(coder_v2("coder", POD), version);
        pod.containers[0] = pod.containers[0]
            .clone()
            .env("CODER_PASSWORD", "Server-Side-Pw-41")
            .env("CODER_USERNAME", "admin")
            .env("CODER_EMAIL", "admin@example.com");
        let env = TestEnv::start(Sim::builder().pod(pod));
        let run = create_carol(&env);
        run.success();
        let json = run.json();
        assert_eq!(json["username"], "carol", "{version}");
        assert_eq!(
            env.sim.v2_password("carol").as_deref(),
            json["password"].as_str(),
            "{version}"
        );
        assert_ne!(
            env.sim.v2_password("admin").as_deref(),
            Some("Server-Side-Pw-41"),
            "{version}"
        );
    }
}

/// If the server's CODER_PASSWORD still reached create-admin-user (no prompt asked), the
/// password we made up was never set: not a success.
#[test]
fn a_success_without_our_password_typed_is_not_understood() {
    let env = v2_with(vec![Step::stderr(
        "Creating user...\n\nUser created successfully.\nID:       1\nUsername: carol\nEmail:    carol@example.com\nPassword: ********\n",
    )]);
    let run = create_carol(&env);
    run.code(6).stderr_is(
        "note: coder server create-admin-user exited 0 but did not say it succeeded; the password sent is shown with its raw output, in case it took effect\n",
    );
    assert_eq!(run.json()["outputUnderstood"], false);
}

#[test]
fn a_failure_status_before_any_output_is_a_command_that_did_not_start() {
    let env = v2_with(vec![Step::Fail("container is paused".into())]);
    let run = reset_alice(&env, &[]);
    run.code(5);
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot run coder reset-password alice in pod {POD}: Internal error occurred: container is paused ("
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

/// The commands run through `sh -c`: an image without a shell is said to be one.
#[test]
fn an_image_without_a_shell_is_explained() {
    let mut pod = coder_v2("coder", POD);
    pod.containers[0] = pod.containers[0].clone().without_shell();
    let env = TestEnv::start(Sim::builder().pod(pod));
    reset_alice(&env, &[]).code(5).stderr_is(&format!(
        "error: container coder of pod {POD} has no `sh`: kubectl-coder runs Coder v2's commands through `sh -c`, to give them the database whatever the Coder version; nothing was changed\nhint: run the command in the pod yourself: kubectl exec -it -n coder {POD} -c coder -- coder reset-password alice\n"
    ));
}

#[test]
fn created_for_another_username_is_not_understood() {
    let env = v2_with(vec![
        Step::stdout("> Password "),
        Step::ReadLine,
        Step::stdout("> Confirm password "),
        Step::ReadLine,
        Step::stderr(
            "Creating user...\n\nUser created successfully.\nID:       1\nUsername: admin\nEmail:    carol@example.com\nPassword: ********\n",
        ),
    ]);
    let run = create_carol(&env);
    run.code(6).stderr_is(
        "note: coder server create-admin-user said it was done for admin (carol@example.com), not carol; the password sent is shown with its raw output, in case it took effect\n",
    );
    assert_eq!(run.json()["outputUnderstood"], false);
}

/// Coder v1's password, then a failure (`rolled back`, a non-zero exit): the password stands,
/// and `-o json` says what followed.
#[test]
fn a_v1_failure_after_the_password_is_a_warnings_field() {
    use kubesim::fixtures::coder_v1;
    let env = TestEnv::start(Sim::builder().pod(
        coder_v1("coder", "coderd-7f9c6d5b8-x2k4q").with_script(
            "coderd",
            vec![
                Step::stdout("User: admin\nPassword: Shown-Pw-77\n"),
                Step::stderr("error: audit: transaction rolled back\n"),
                Step::Exit(1),
            ],
        ),
    ));
    let run = env
        .plugin()
        .args(["reset-admin-password", "--yes", "-o", "json"])
        .run();
    run.success().stderr_is(
        "warning: the password arrived, but then the command did not end cleanly: exit code 1\n",
    );
    let json = run.json();
    assert_eq!(json["password"], "Shown-Pw-77");
    assert_eq!(
        json["warnings"],
        serde_json::json!([
            "the password arrived, but then the command did not end cleanly: exit code 1"
        ])
    );
}
