//! Secret hygiene: for every command that yields a password, with verbose logging on and in
//! every output format, the password appears exactly once, on stdout, and nowhere else: not on
//! stderr, not in anything the API server received (URLs, headers, bodies), not in a file.

use kubesim::Scenario;

use crate::support::{Run, TestEnv};

/// Every file under `dir`, read whole.
fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if let Ok(bytes) = std::fs::read(&path)
            && String::from_utf8_lossy(&bytes).contains(needle)
        {
            found.push(path);
        }
    }
    found
}

#[track_caller]
fn assert_clean(env: &TestEnv, run: &Run, password: &str, what: &str) {
    assert_clean_shown(env, run, password, 1, what);
}

/// The password is on stdout `shown` times (once, or never for one the user chose), and
/// nowhere else.
#[track_caller]
fn assert_clean_shown(env: &TestEnv, run: &Run, password: &str, shown: usize, what: &str) {
    run.success();
    assert!(
        password.len() >= 12,
        "{what}: implausible password {password:?}"
    );
    assert_eq!(
        run.stdout.matches(password).count(),
        shown,
        "{what}: stdout\n{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains(password),
        "{what}: stderr\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("kubectl-coder: "),
        "{what}: verbose logging was on\n{}",
        run.stderr
    );
    assert!(
        !env.everything_the_server_saw().contains(password),
        "{what}: the API server saw it"
    );
    for exec in env.sim.execs() {
        assert!(
            exec.command.iter().all(|word| !word.contains(password)),
            "{what}: argv {:?}",
            exec.command
        );
    }
    assert_eq!(
        files_containing(env.dir.path(), password),
        Vec::<std::path::PathBuf>::new(),
        "{what}: files"
    );
}

#[test]
fn v1_reset_in_every_format() {
    for format in ["text", "json", "yaml"] {
        let env = TestEnv::scenario(Scenario::V1);
        let run = env
            .plugin()
            .args(["reset-admin-password", "--yes", "-vv", "-o", format])
            .run();
        let password = env.sim.v1_admin_password().unwrap();
        assert_clean(&env, &run, &password, &format!("v1 -o {format}"));
    }
}

#[test]
fn v2_commands_in_every_format() {
    let commands: &[(&[&str], &str)] = &[
        (&["reset-password", "alice"], "alice"),
        (&["reset-admin-password", "--owner", "admin"], "admin"),
        (
            &[
                "create-admin-user",
                "--username",
                "dana",
                "--email",
                "dana@example.com",
            ],
            "dana",
        ),
    ];
    for (args, user) in commands {
        for format in ["text", "json", "yaml"] {
            let env = TestEnv::scenario(Scenario::V2);
            let run = env
                .plugin()
                .args(*args)
                .args(["--yes", "-v", "-o", format])
                .run();
            let password = env.sim.v2_password(user).unwrap_or_default();
            assert_clean(&env, &run, &password, &format!("{args:?} -o {format}"));
        }
    }
}

#[test]
fn a_password_from_stdin_is_never_printed_back_and_sent_only_on_the_exec_stdin() {
    let env = TestEnv::scenario(Scenario::V2);
    let password = "Correct-Horse-Battery-9";
    for format in ["text", "json", "yaml"] {
        let run = env
            .plugin()
            .args(["reset-password", "alice", "--yes", "--password-stdin", "-v"])
            .args(["-o", format])
            .stdin(format!("{password}\n"))
            .run();
        assert_clean_shown(&env, &run, password, 0, "--password-stdin");
    }
    env.sim.clear_logs();
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "--password-stdin", "-v"])
        .stdin(format!("{password}\n"))
        .run();
    assert!(
        run.stdout
            .contains("  Password:  (the one you chose, not shown)\n"),
        "{}",
        run.stdout
    );
    assert_eq!(env.sim.v2_password("alice").as_deref(), Some(password));
    assert_eq!(
        env.sim.execs()[0].stdin,
        format!("{password}\n{password}\n").into_bytes()
    );
}

#[test]
fn dry_run_never_shows_a_password() {
    let env = TestEnv::scenario(Scenario::V2);
    let password = "Correct-Horse-Battery-9";
    let run = env
        .plugin()
        .args([
            "reset-password",
            "alice",
            "--dry-run",
            "--password-stdin",
            "-v",
            "-o",
            "json",
        ])
        .stdin(format!("{password}\n"))
        .run();
    run.success();
    assert!(!run.stdout.contains(password) && !run.stderr.contains(password));
    assert_eq!(
        run.json()["stdin"],
        "the new password and its confirmation, each typed when Coder asks for it (not shown)"
    );
    assert!(env.sim.execs().is_empty());
}
