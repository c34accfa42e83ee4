//! Coder deployments as they are in the field: older v2 prompt readers, Coder asking
//! again, the built-in database, old images without `coder` on PATH, pods that are not the
//! server, two releases, `--pod` on an unhealthy pod, password login turned off, v1's
//! `SUPER_ADMIN_PASSWORD`, and a password typed on the terminal.

use kubesim::fixtures::{
    coder_v1, coder_v1_satellite, coder_v2, coder_v2_builtin_db, coder_v2_provisioner,
    coder_v2_release, coder_wsproxy, coder_wsproxy_via_shell, with_coder_version,
};
use kubesim::{PodFixture, Rule, Sim, Step};

use crate::support::TestEnv;

const POD: &str = "coder-5d8f7b9c4-abcde";
/// What [`coder_v2_builtin_db`] wrote as the built-in PostgreSQL's password: part of the URL
/// `postgres-builtin-url` prints.
const BUILTIN_DB_PASSWORD: &str = "Zk4p9Qw2Lm7Xr5Ty";

/// `pod` with `name=value` in every container's env.
fn with_env(mut pod: PodFixture, name: &str, value: &str) -> PodFixture {
    pod.containers = pod
        .containers
        .into_iter()
        .map(|c| c.env(name, value))
        .collect();
    pod
}

fn create_args(user: &str) -> Vec<String> {
    [
        "create-admin-user",
        "--username",
        user,
        "--email",
        &format!("{user}@example.com"),
        "--yes",
        "-o",
        "json",
    ]
    .map(String::from)
    .to_vec()
}

/// A v1 pod whose chart sets `SUPER_ADMIN_PASSWORD` from a Secret.
fn v1_with_super_admin_secret() -> PodFixture {
    let mut v1 = coder_v1("coder", "coderd-7f9c6d5b8-x2k4q");
    v1.containers[0] = v1.containers[0].clone().env_from_secret(
        "SUPER_ADMIN_PASSWORD",
        "coder-admin",
        "password",
        "Secret-From-Chart-1",
    );
    v1
}

// 1. Prompt readers before and after v2.18 (cli/cliui/prompt.go, PR 15421).

#[test]
fn reset_and_create_finish_on_every_prompt_reader() {
    // v2.13.0 (ESR) and v2.16.1 make a new bufio.Reader per prompt and lose a second line
    // written early; v2.18.0 and later read one byte at a time.
    for version in ["v2.13.0", "v2.16.1", "v2.18.0", "v2.24.2"] {
        let env =
            TestEnv::start(Sim::builder().pod(with_coder_version(coder_v2("coder", POD), version)));
        let run = env
            .plugin()
            .args(["reset-password", "alice", "--yes", "-o", "json", "-v"])
            .run();
        assert_eq!(run.code, 0, "{version}: {}", run.stderr);
        assert_eq!(
            run.json()["password"].as_str(),
            env.sim.v2_password("alice").as_deref(),
            "{version}"
        );
        // Each line went after its prompt, not after the quiet-moment fallback: no wait.
        assert!(
            !run.stderr.contains("without a recognised prompt"),
            "{version}: {}",
            run.stderr
        );

        let run = env.plugin().args(create_args("dora")).arg("-v").run();
        assert_eq!(run.code, 0, "{version}: {}", run.stderr);
        assert!(
            !run.stderr.contains("without a recognised prompt"),
            "{version}: {}",
            run.stderr
        );
        assert_eq!(
            run.json()["password"].as_str(),
            env.sim.v2_password("dora").as_deref(),
            "{version}"
        );
    }
}

#[test]
fn a_password_coder_rejects_and_asks_again_for_is_reported_at_once() {
    // What cliui.Prompt does when its Validate fails: the error, then the same prompt again.
    let env = TestEnv::start(Sim::builder().pod(coder_v2("coder", POD).with_script(
        "coder",
        vec![
            Step::stdout("> Enter new  password : "),
            Step::ReadLine,
            Step::stdout("\npassword is too common\n> Enter new  password : "),
            Step::ReadLine,
            Step::stdout("Password has been reset for user alice!\n"),
        ],
    )));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "--timeout", "10m"])
        .run();
    run.code(5);
    assert!(
        run.stderr
            .starts_with("error: Coder rejected the password: password is too common"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
    // Only the first answer was written: the second prompt got the end of input.
    let exec = env.sim.execs().pop().unwrap();
    assert_eq!(exec.stdin.iter().filter(|&&b| b == b'\n').count(), 1);
}

// 2. The built-in database (cli/server.go, postgres-builtin-url).

#[test]
fn the_builtin_database_is_used_and_its_url_is_never_seen() {
    let env = TestEnv::start(Sim::builder().pod(coder_v2_builtin_db("coder", POD)));
    let reset = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "-vv", "-o", "json"])
        .run();
    reset.success();
    assert_eq!(
        reset.json()["password"].as_str(),
        env.sim.v2_password("alice").as_deref()
    );
    let create = env.plugin().args(create_args("erin")).arg("-vv").run();
    create.success();
    assert_eq!(
        create.json()["password"].as_str(),
        env.sim.v2_password("erin").as_deref()
    );
    let status = env.plugin().args(["status", "-vv"]).run();
    status.success();

    let execs = env.sim.execs();
    assert_eq!(
        execs[0].command[..2],
        ["sh", "-c"],
        "run through a shell that sets the URL"
    );
    assert_eq!(
        execs[0].command[3..],
        ["/opt/coder", "reset-password", "alice"]
    );
    assert_eq!(
        execs[1].command[3..],
        [
            "/opt/coder",
            "server",
            "create-admin-user",
            "--username",
            "erin",
            "--email",
            "erin@example.com"
        ]
    );
    let seen = env.everything_the_server_saw();
    for secret in [BUILTIN_DB_PASSWORD, "postgres://"] {
        assert!(!seen.contains(secret), "{secret} reached the API server");
        for run in [&reset, &create, &status] {
            assert!(!run.stdout.contains(secret), "{}", run.stdout);
            assert!(!run.stderr.contains(secret), "{}", run.stderr);
        }
    }
    assert!(
        reset
            .stderr
            .contains("(through sh -c, with the built-in PostgreSQL's URL in its environment)"),
        "{}",
        reset.stderr
    );
}

// 3. `status` tells what a reset will meet.

#[test]
fn status_on_each_database_mode() {
    let external = TestEnv::start(Sim::builder().pod(coder_v2("coder", POD)));
    let run = external.plugin().args(["status", "-o", "json"]).run();
    run.success();
    let json = run.json();
    assert_eq!(
        json["pod"]["database"],
        serde_json::json!({"kind": "external", "source": "CODER_PG_CONNECTION_URL (from secret coder-db-url, key url)"})
    );
    assert_eq!(json["pod"]["passwordLogin"]["state"], "enabled");
    assert_eq!(json["pod"]["version"], "v2.18.0");
    assert_eq!(json["pod"]["versionSource"], "imageTag");
    // Spec and tag said it all: nothing ran in the pod.
    assert!(external.sim.execs().is_empty());
    let text = external.plugin().args(["status"]).run();
    assert!(
        text.stdout.contains(
            "Database:   external, CODER_PG_CONNECTION_URL (from secret coder-db-url, key url)\nPasswords:  password login is on\n"
        ),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains("postgres://"), "{}", text.stdout);

    let builtin = TestEnv::start(Sim::builder().pod(coder_v2_builtin_db("coder", POD)));
    let run = builtin.plugin().args(["status", "-o", "json"]).run();
    run.success();
    assert_eq!(
        run.json()["pod"]["database"],
        serde_json::json!({"kind": "builtIn"})
    );
    let probe = &builtin.sim.execs()[0];
    assert_eq!(probe.command[..2], ["sh", "-c"]);
    assert!(probe.stdin.is_empty());
    // The probe never asks for the URL: postgres-builtin-url would create the database.
    assert!(!probe.command.join(" ").contains("postgres-builtin-url"));

    let none = TestEnv::start(Sim::builder().pod(coder_v2("coder", POD).without_pg_url()));
    let run = none.plugin().args(["status", "-o", "json"]).run();
    run.success();
    assert_eq!(
        run.json()["pod"]["database"],
        serde_json::json!({"kind": "none"})
    );
    assert!(
        run.stderr
            .contains("warning: this Coder server has no database URL and no built-in PostgreSQL"),
        "{}",
        run.stderr
    );
    let text = none.plugin().args(["status"]).run();
    assert!(
        text.stdout.contains(
            "Database:   none: no CODER_PG_CONNECTION_URL and no built-in PostgreSQL in the pod\n"
        ),
        "{}",
        text.stdout
    );
}

#[test]
fn status_with_a_database_url_from_env_from_or_no_exec() {
    let mut pod = coder_v2("coder", POD).without_pg_url();
    pod.containers[0] = pod.containers[0].clone().env_from(
        "coder-env",
        &[("CODER_PG_CONNECTION_URL", "postgres://u:p@db/coder")],
    );
    let env = TestEnv::start(Sim::builder().pod(pod));
    let run = env.plugin().args(["status", "-o", "json"]).run();
    run.success();
    let database = &run.json()["pod"]["database"];
    assert_eq!(database["kind"], "envFrom");
    assert!(
        database["source"]
            .as_str()
            .unwrap()
            .contains("secret coder-env"),
        "{database}"
    );
    assert!(!run.stdout.contains("postgres://"));

    // Without exec, the pod cannot be looked into: said so, not guessed.
    let env = TestEnv::start(
        Sim::builder()
            .pod(coder_v2("coder", POD).without_pg_url())
            .user(
                "viewer",
                "viewer-token",
                vec![
                    Rule::new(&["get", "list"], &["pods"], Some(&["coder"])),
                    Rule::new(&["create"], &["selfsubjectaccessreviews"], None),
                ],
            ),
    );
    let kubeconfig = env.token_kubeconfig("viewer-token");
    let run = env
        .plugin()
        .args(["status", "-o", "json"])
        .env("KUBECONFIG", &kubeconfig)
        .run();
    run.success();
    assert_eq!(
        run.json()["pod"]["database"],
        serde_json::json!({"kind": "unknown", "reason": "no database URL in the pod spec; exec into the pod is not allowed to look for the built-in PostgreSQL"})
    );
    assert!(env.sim.execs().is_empty());
}

#[test]
fn status_reads_the_version_in_the_pod_when_the_tag_has_none() {
    let mut pod = coder_v2("coder", POD);
    pod.containers[0].image = "ghcr.io/coder/coder:latest".into();
    let env = TestEnv::start(Sim::builder().pod(pod));
    let run = env.plugin().args(["status", "-o", "json"]).run();
    run.success();
    let json = run.json();
    // The simulator's `coder` without a version tag is the newest it emulates.
    assert!(
        json["pod"]["version"].as_str().unwrap().starts_with("v2."),
        "{json}"
    );
    assert_eq!(json["pod"]["versionSource"], "coderVersion");
    assert_eq!(json["pod"]["database"]["kind"], "external");
}

#[test]
fn status_shows_password_login_and_v1_super_admin_password() {
    let env = TestEnv::start(Sim::builder().pod(with_env(
        coder_v2("coder", POD),
        "CODER_DISABLE_PASSWORD_AUTH",
        "true",
    )));
    let run = env.plugin().args(["status", "-o", "json"]).run();
    assert_eq!(
        run.json()["pod"]["passwordLogin"],
        serde_json::json!({"state": "disabled", "source": "CODER_DISABLE_PASSWORD_AUTH=true"})
    );

    let env = TestEnv::start(Sim::builder().pod(v1_with_super_admin_secret()));
    let run = env.plugin().args(["status", "-o", "json"]).run();
    let json = run.json();
    assert_eq!(
        json["pod"]["superAdminPassword"],
        "SUPER_ADMIN_PASSWORD (from secret coder-admin, key password)"
    );
    assert!(json["pod"].get("database").is_none());
    assert!(!run.stdout.contains("Secret-From-Chart-1"));
}

// 4. The binary's path.

#[test]
fn an_image_without_coder_on_path_is_called_by_its_command() {
    // Images before September 2022 had `coder` in /opt only; the chart called /opt/coder.
    let mut pod = with_coder_version(coder_v2("coder", POD), "v0.8.15");
    pod.containers[0] = pod.containers[0].clone().image_env(
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    );
    let env = TestEnv::start(Sim::builder().pod(pod));
    env.plugin()
        .args(["reset-password", "alice", "--yes"])
        .run()
        .success();
    // `sh -c SCRIPT /opt/coder reset-password alice`: the script runs "$0".
    assert_eq!(env.sim.execs()[0].command[3], "/opt/coder");

    // The same image run with `args` only: there is no path to go by, and `coder` is not
    // on PATH: said so.
    let mut pod = with_coder_version(coder_v2("coder", POD), "v0.8.15");
    pod.containers[0].command = Vec::new();
    pod.containers[0].args = vec!["/opt/coder".into(), "server".into()];
    pod.containers[0] = pod.containers[0].clone().image_env(
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    );
    let env = TestEnv::start(Sim::builder().pod(pod));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("`coder` was not found"),
        "{}",
        run.stderr
    );
}

// 5. Pods that are not the server.

#[test]
fn proxies_provisioners_and_satellites_are_not_the_server() {
    let env = TestEnv::start(
        Sim::builder()
            // Names that sort before the server's.
            .pod(coder_wsproxy("coder", "coder-a-proxy-1"))
            .pod(coder_wsproxy_via_shell("coder", "coder-a-proxy-2"))
            .pod(coder_v2_provisioner("coder", "coder-a-provisioner-1"))
            .pod(coder_v2("coder", POD)),
    );
    let run = env.plugin().args(["status", "-o", "json"]).run();
    run.success();
    assert_eq!(run.json()["pod"]["name"], POD);

    let env = TestEnv::start(
        Sim::builder()
            .pod(coder_v1_satellite("coder", "coderd-1-satellite"))
            .pod(coder_v1("coder", "coderd-7f9c6d5b8-x2k4q")),
    );
    let run = env.plugin().args(["status", "-o", "json"]).run();
    run.success();
    assert_eq!(run.json()["pod"]["name"], "coderd-7f9c6d5b8-x2k4q");

    // Only proxies: no server here, and the message says why the pods were passed over.
    let env = TestEnv::start(Sim::builder().pod(coder_wsproxy("coder", "coder-proxy-1")));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    run.code(3);
    assert!(run.stderr.contains("coder-proxy-1"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("a Coder workspace proxy, not the server"),
        "{}",
        run.stderr
    );
}

#[test]
fn two_v2_releases_in_one_namespace_are_refused_and_listed() {
    let env = TestEnv::start(
        Sim::builder()
            .pod(coder_v2_release("coder", "coder-5d8f7b9c4-abcde", "coder"))
            .pod(coder_v2_release(
                "coder",
                "staging-5d8f7b9c4-fghij",
                "staging",
            )),
    );
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    run.code(2);
    for word in [
        "coder-5d8f7b9c4-abcde",
        "staging-5d8f7b9c4-fghij",
        "--pod",
        "-l app.kubernetes.io/instance=",
    ] {
        assert!(run.stderr.contains(word), "{word}: {}", run.stderr);
    }
    assert!(env.sim.execs().is_empty());

    // -l picks one release.
    env.plugin()
        .args([
            "reset-password",
            "alice",
            "--yes",
            "-l",
            "app.kubernetes.io/instance=staging",
        ])
        .run()
        .success();
    assert_eq!(env.sim.execs()[0].pod, "staging-5d8f7b9c4-fghij");
}

#[test]
fn generation_v1_chooses_the_v1_pod_in_a_mixed_namespace() {
    let env = TestEnv::start(
        Sim::builder()
            // The v2 pod sorts first.
            .pod(coder_v2("coder", "a-coder-5d8f7b9c4-abcde"))
            .pod(coder_v1("coder", "coderd-7f9c6d5b8-x2k4q")),
    );
    let run = env
        .plugin()
        .args([
            "reset-admin-password",
            "--yes",
            "--generation",
            "v1",
            "-o",
            "json",
        ])
        .run();
    run.success();
    let exec = &env.sim.execs()[0];
    assert_eq!(exec.pod, "coderd-7f9c6d5b8-x2k4q");
    assert_eq!(exec.container, "coderd");
    assert_eq!(exec.command, ["coderd", "reset-admin-password"]);
    assert_eq!(
        run.json()["password"].as_str(),
        env.sim.v1_admin_password().as_deref()
    );
}

// 6. `--pod` means that pod.

#[test]
fn pod_flag_runs_in_a_running_pod_that_is_not_ready() {
    let env = TestEnv::start(Sim::builder().pod(coder_v2("coder", POD).ready(false)));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "--pod", POD])
        .run();
    run.success();
    assert!(
        run.stderr.contains(&format!("warning: pod {POD} is")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("not Ready"), "{}", run.stderr);
    assert!(env.sim.v2_password("alice").is_some());

    for phase in ["Pending", "Succeeded"] {
        let env =
            TestEnv::start(Sim::builder().pod(coder_v2("coder", POD).phase(phase).ready(false)));
        let run = env
            .plugin()
            .args(["reset-password", "alice", "--yes", "--pod", POD])
            .run();
        assert_ne!(run.code, 0, "{phase}");
        assert!(run.stderr.contains(phase), "{phase}: {}", run.stderr);
        // --pod was given: no "choose one with --pod".
        assert!(!run.stderr.contains("with --pod"), "{}", run.stderr);
        assert!(env.sim.execs().is_empty(), "{phase}");
    }
}

// 7. What Coder will do next.

#[test]
fn disabled_password_login_warns_and_create_admin_user_needs_a_flag() {
    let pod = with_env(
        coder_v2("coder", POD),
        "CODER_DISABLE_PASSWORD_AUTH",
        "true",
    );
    let env = TestEnv::start(Sim::builder().pod(pod));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    run.success();
    assert!(
        run.stderr.contains(&format!("warning: pod {POD} has CODER_DISABLE_PASSWORD_AUTH=true: Coder refuses every password login, owners included")),
        "{}",
        run.stderr
    );

    let refused = env.plugin().args(create_args("frank")).run();
    refused.code(2);
    assert!(
        refused
            .stderr
            .starts_with("error: refusing to create an owner: pod"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--allow-disabled-password-login"));
    assert_eq!(env.sim.v2_password("frank"), None);

    let run = env
        .plugin()
        .args(create_args("frank"))
        .arg("--allow-disabled-password-login")
        .run();
    run.success();
    assert!(env.sim.v2_password("frank").is_some());
}

#[test]
fn a_v1_super_admin_password_secret_is_warned_about() {
    let env = TestEnv::start(Sim::builder().pod(v1_with_super_admin_secret()));
    let run = env.plugin().args(["reset-admin-password", "--yes"]).run();
    run.success();
    assert!(
        run.stderr.contains("sets SUPER_ADMIN_PASSWORD (from secret coder-admin, key password): a restart of coderd may set the admin password back to that secret"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Secret-From-Chart-1"));
}

// 8. A password typed on the terminal.

#[test]
fn a_password_typed_twice_on_the_terminal_is_set_and_never_shown() {
    let env = TestEnv::scenario(kubesim::Scenario::V2);
    let typed = "Quiet-Harbor-Lantern-42";
    let screen = env
        .pty(&["reset-password", "alice", "--password-prompt"])
        .answer("New password: ", &format!("{typed}\r"))
        .answer("Confirm password: ", &format!("{typed}\r"))
        .answer("[y/N]", "y\r")
        .run();
    assert_eq!(screen.code, 0, "{}", screen.text);
    assert_eq!(env.sim.v2_password("alice").as_deref(), Some(typed));
    assert!(!screen.text.contains(typed), "{}", screen.text);

    // A weak one is refused at once, by Coder's rules, before anything reaches the cluster.
    let env = TestEnv::scenario(kubesim::Scenario::V2);
    let screen = env
        .pty(&["reset-password", "alice", "--password-prompt"])
        .answer("New password: ", "password\r")
        .answer("New password: ", &format!("{typed}\r"))
        .answer("Confirm password: ", &format!("{typed}\r"))
        .answer("[y/N]", "y\r")
        .run();
    assert_eq!(screen.code, 0, "{}", screen.text);
    assert!(
        screen.text.contains("password is too weak"),
        "{}",
        screen.text
    );
    assert_eq!(env.sim.v2_password("alice").as_deref(), Some(typed));

    // Without a terminal: refused, with what to do instead.
    let env = TestEnv::scenario(kubesim::Scenario::V2);
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--password-prompt", "--yes"])
        .run();
    run.code(2);
    assert!(run.stderr.contains("--password-stdin"), "{}", run.stderr);
}

/// FAULTS.md's rows for namespaces with more than one kind of Coder server, word for word.
#[test]
fn ambiguous_namespaces_are_refused_in_faults_words() {
    let env = TestEnv::start(
        Sim::builder()
            .pod(coder_v2_release("coder", "coder-5d8f7b9c4-abcde", "coder"))
            .pod(coder_v2_release(
                "coder",
                "staging-5d8f7b9c4-fghij",
                "staging",
            )),
    );
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    run.code(2).stderr_is("error: namespace \"coder\" has server pods of 2 Coder v2 releases (coder: coder-5d8f7b9c4-abcde; staging: staging-5d8f7b9c4-fghij): choose one with --pod or -l app.kubernetes.io/instance=RELEASE\n");

    let env = TestEnv::start(
        Sim::builder()
            .pod(coder_v2("coder", "a-coder-5d8f7b9c4-abcde"))
            .pod(coder_v1("coder", "coderd-7f9c6d5b8-x2k4q")),
    );
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    run.code(2).stderr_is("error: namespace \"coder\" has both Coder v1 and v2 server pods (a-coder-5d8f7b9c4-abcde, coderd-7f9c6d5b8-x2k4q): choose one with --generation v1|v2 or --pod\n");
    assert!(env.sim.execs().is_empty());
}
