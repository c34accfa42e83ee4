//! `reset-password`, `reset-admin-password --owner` and `create-admin-user` on Coder v2.

use kubectl_coder::coder::password;
use kubesim::fixtures::coder_v2;
use kubesim::{Scenario, Sim};

use crate::support::TestEnv;

const POD: &str = "coder-5d8f7b9c4-abcde";

fn sent_password(env: &TestEnv) -> String {
    let exec = env.sim.execs().pop().expect("an exec happened");
    let stdin = String::from_utf8(exec.stdin).unwrap();
    let mut lines = stdin.lines();
    let (first, second) = (lines.next().unwrap().to_string(), lines.next().unwrap());
    assert_eq!(first, second, "the password and its confirmation");
    first
}

#[test]
fn reset_password_sets_exactly_the_printed_password() {
    let env = TestEnv::scenario(Scenario::V2);
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "-o", "json"])
        .run();
    run.success();
    let printed = run.json()["password"].as_str().unwrap().to_string();
    assert_eq!(
        env.sim.v2_password("alice").as_deref(),
        Some(printed.as_str())
    );
    assert_eq!(sent_password(&env), printed);
    assert_eq!(password::check(&printed), Ok(()));
    // Through the wrapper (database whatever the version, no account options of the server).
    let command = &env.sim.execs()[0].command;
    assert_eq!(command[..2], ["sh", "-c"]);
    assert_eq!(command[3..], ["/opt/coder", "reset-password", "alice"]);
    let json = run.json();
    assert_eq!(json["username"], "alice");
    // One field says whether Coder forces a change; the sign-in URL from the pod spec.
    assert_eq!(json["temporary"], serde_json::Value::Null);
    assert_eq!(json["mustChangeAtNextLogin"], false);
    assert_eq!(json["signInUrl"], "https://coder.example.com");
    assert_eq!(json["generation"], "v2");
}

#[test]
fn human_output_says_coder_v2_does_not_force_a_change() {
    let env = TestEnv::scenario(Scenario::V2);
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    run.success();
    let password = env.sim.v2_password("alice").unwrap();
    assert_eq!(
        run.stdout,
        format!(
            "Password reset on Coder v2 in pod coder/{POD} (context kubesim).\n\n  Username:  alice\n  Password:  {password}\n\nCoder v2 does not force a change; change it under Account > Security.\nNext: sign in at https://coder.example.com with alice's email, not the username.\n"
        )
    );
}

#[test]
fn usernames_are_case_insensitive_and_reported_as_coder_spells_them() {
    let env = TestEnv::scenario(Scenario::V2);
    let run = env
        .plugin()
        .args(["reset-password", "ALICE", "--yes", "-o", "json"])
        .run();
    run.success();
    assert_eq!(run.json()["username"], "alice");
}

#[test]
fn an_unknown_or_deleted_user_is_not_found() {
    let env = TestEnv::scenario(Scenario::V2);
    for user in ["nobody", "bob"] {
        env.plugin().args(["reset-password", user, "--yes"]).run().code(3).stderr_is(&format!(
            "error: Coder has no user \"{user}\" (or it was deleted): nothing was changed\nhint: check the spelling (usernames are case-insensitive); if no owner can sign in to look it up, `kubectl coder create-admin-user` adds one\n"
        ));
    }
}

#[test]
fn no_database_url_and_no_builtin_database_is_explained() {
    let env = TestEnv::start(Sim::builder().pod(coder_v2("coder", POD).without_pg_url()));
    env.plugin()
        .args(["reset-password", "alice", "--yes"])
        .run()
        .code(5)
        .stderr_is(&format!("error: pod {POD} has no database for coder reset-password alice: CODER_PG_CONNECTION_URL is not in its spec and there is no built-in PostgreSQL (kubectl-coder: no built-in PostgreSQL: /home/coder/.config/coderv2/postgres/password does not exist)\nhint: set CODER_PG_CONNECTION_URL in the chart's coder.env (from a Secret), as Coder's install docs do; nothing was changed\n"));
}

#[test]
fn password_from_stdin_is_checked_locally_first() {
    let env = TestEnv::scenario(Scenario::V2);
    env.plugin()
        .args(["reset-password", "alice", "--yes", "--password-stdin"])
        .stdin("password\n")
        .run()
        .code(2)
        .stderr_is("error: the password from stdin is not accepted by Coder: password is too weak (37 bits; Coder needs at least 52): use a longer one with mixed case, digits and symbols\nhint: nothing was changed; or leave out --password-stdin to get a generated one\n");
    assert!(env.sim.requests().is_empty());

    let run = env
        .plugin()
        .args([
            "reset-password",
            "alice",
            "--yes",
            "--password-stdin",
            "-o",
            "json",
        ])
        .stdin("PasswordSecured123!\n")
        .run();
    run.success();
    assert_eq!(
        env.sim.v2_password("alice").as_deref(),
        Some("PasswordSecured123!")
    );
    assert_eq!(run.json()["mustChangeAtNextLogin"], false);
}

#[test]
fn reset_admin_password_on_v2_needs_an_owner() {
    let env = TestEnv::scenario(Scenario::V2);
    env.plugin().args(["reset-admin-password", "--yes"]).run().code(2).stderr_is(
        "error: Coder v2 has no single admin user: owners are users with the Owner role: name the owner with --owner\nhint: if you cannot name an owner, `kubectl coder create-admin-user` adds a new one\n",
    );
    assert!(env.sim.execs().is_empty());
    let run = env
        .plugin()
        .args([
            "reset-admin-password",
            "--yes",
            "--owner",
            "admin",
            "-o",
            "json",
        ])
        .run();
    run.success();
    assert_eq!(
        run.json()["password"].as_str(),
        env.sim.v2_password("admin").as_deref()
    );
}

#[test]
fn create_admin_user_adds_an_owner_with_the_printed_password() {
    let env = TestEnv::scenario(Scenario::V2);
    let run = env
        .plugin()
        .args([
            "create-admin-user",
            "--username",
            "carol",
            "--email",
            "carol@example.com",
            "--yes",
            "-o",
            "yaml",
        ])
        .run();
    run.success();
    let value: serde_json::Value = serde_saphyr::from_str(&run.stdout).unwrap();
    let printed = value["password"].as_str().unwrap();
    assert_eq!(env.sim.v2_password("carol").as_deref(), Some(printed));
    assert_eq!(value["email"].as_str(), Some("carol@example.com"));
    assert_eq!(
        env.sim.execs()[0].command[3..],
        [
            "/opt/coder",
            "server",
            "create-admin-user",
            "--username",
            "carol",
            "--email",
            "carol@example.com"
        ]
    );
    assert_eq!(sent_password(&env), printed);

    // A second time, the user exists.
    let again = env
        .plugin()
        .args([
            "create-admin-user",
            "--username",
            "carol",
            "--email",
            "carol@example.com",
            "--yes",
        ])
        .run();
    again.code(5);
    assert!(
        again
            .stderr
            .starts_with("error: Coder already has a user \"carol\": nothing was changed\n"),
        "{}",
        again.stderr
    );
}

#[test]
fn create_admin_user_needs_names_without_a_terminal() {
    let env = TestEnv::scenario(Scenario::V2);
    env.plugin()
        .args(["create-admin-user", "--yes"])
        .run()
        .code(2)
        .stderr_is("error: --username is needed when there is no terminal to ask on\n");
}

#[test]
fn no_password_reaches_the_api_server_and_two_requests_suffice() {
    let env = TestEnv::scenario(Scenario::V2);
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "-vv"])
        .run();
    run.success();
    let password = env.sim.v2_password("alice").unwrap();
    assert_eq!(env.sim.requests().len(), 2);
    assert!(!env.everything_the_server_saw().contains(&password));
    assert_eq!(run.stdout.matches(&password).count(), 1);
    assert!(!run.stderr.contains(&password), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("(the password typed at Coder's prompts, not shown)"),
        "{}",
        run.stderr
    );
}

#[test]
fn on_a_terminal_the_owner_is_asked_for() {
    let env = TestEnv::scenario(Scenario::V2);
    let screen = env
        .pty(&["reset-admin-password"])
        .answer("Owner username", "admin\r")
        .answer("[y/N]", "y\r")
        .run();
    let (screen, code) = (screen.text, screen.code);
    assert_eq!(code, 0, "{screen}");
    let words = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("Coder v2 has no single admin user: owners are users with the Owner role. Name the one whose password to reset; if you cannot name one, Ctrl-C and run `kubectl coder create-admin-user`."), "{screen}");
    assert!(
        screen.contains(&format!(
            "Reset the password of admin on Coder v2?\r\n  pod coder/{POD}, context kubesim\r\n[y/N]"
        )),
        "{screen}"
    );
    let password = env
        .sim
        .v2_password("admin")
        .expect("admin's password was reset");
    assert!(screen.contains(&password), "{screen}");
}

#[test]
fn on_a_terminal_create_admin_user_asks_for_name_and_email() {
    let env = TestEnv::scenario(Scenario::V2);
    let screen = env
        .pty(&["create-admin-user"])
        .answer("Username of the new owner", "erin\r")
        .answer("Email of the new owner", "erin@example.com\r")
        .answer("[y/N]", "y\r")
        .run();
    let (screen, code) = (screen.text, screen.code);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains(&format!(
            "Create owner erin on Coder v2?\r\n  pod coder/{POD}, context kubesim\r\n[y/N]"
        )),
        "{screen}"
    );
    let password = env.sim.v2_password("erin").expect("erin was created");
    assert!(screen.contains(&password), "{screen}");
}

/// The caveats of a v2 reset are the README's, and -v's: not on every reset's screen.
#[test]
fn v2_caveats_only_with_verbose() {
    let env = TestEnv::scenario(Scenario::V2);
    let quiet = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    quiet.success();
    assert!(!quiet.stderr.contains("suspended"), "{}", quiet.stderr);
    let verbose = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "-v"])
        .run();
    verbose.success();
    assert!(
        verbose.stderr.contains(
            "a suspended account stays suspended; sessions and API tokens already issued stay valid"
        ),
        "{}",
        verbose.stderr
    );
    assert!(!verbose.stdout.contains("suspended"));
}

/// FAULTS.md's rows for input refused before any request, word for word.
#[test]
fn refused_input_in_faults_words() {
    let env = TestEnv::scenario(Scenario::V2);
    env.plugin()
        .args(["reset-password", "alice", "--password-prompt", "--yes"])
        .run()
        .code(2)
        .stderr_is("error: --password-prompt needs a terminal to type the password on\nhint: pipe the password in with --password-stdin, or leave both out to get a generated one\n");
    env.plugin()
        .args(["reset-password", "al ice", "--yes"])
        .run()
        .code(2)
        .stderr_is("error: username \"al ice\" is not valid for Coder: use 1-32 letters, digits and single hyphens, not at the start or end\nhint: see `kubectl coder --help`\n");
    assert!(env.sim.requests().is_empty(), "a request was made");
}
