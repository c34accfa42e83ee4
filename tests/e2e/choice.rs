//! A changing command in a namespace without Coder: on a terminal, the cluster's deployments
//! offered as a choice (dialoguer's FuzzySelect); without one, or with --yes, never.

use crate::inventory::mixed_cluster;
use crate::support::TestEnv;

const CHOOSE: &str = "Choose a Coder deployment";

/// Whether the terminal was left as it was: the cursor shown again after it was hidden, and
/// `stty -a` (run after the plugin) reporting echo and line mode on.
#[track_caller]
fn terminal_restored(screen: &str) {
    let hidden = screen
        .rfind("\u{1b}[?25l")
        .expect("the choice hid the cursor");
    let shown = screen.rfind("\u{1b}[?25h").unwrap_or(0);
    assert!(shown > hidden, "the cursor stays hidden:\n{screen:?}");
    let stty = &screen[screen.find("speed ").expect("stty ran")..];
    let flags: Vec<&str> = stty.split_whitespace().collect();
    for flag in ["icanon", "echo", "isig"] {
        assert!(flags.contains(&flag), "{flag} is off:\n{stty}");
    }
}

#[test]
fn typing_part_of_a_namespace_and_enter_picks_that_deployment_and_the_reset_runs_there() {
    let env = TestEnv::start(mixed_cluster());
    let screen = env
        .pty(&["reset-password", "alice", "-n", "shop"])
        .answer(CHOOSE, "prod")
        .answer("coder-prod/coder-prod", "\r")
        .answer("[y/N]", "y\r")
        .run();
    assert_eq!(screen.code, 0, "{}", screen.text);
    // Why there is a choice, then the confirmation naming the chosen namespace and pod.
    assert!(
        screen
            .text
            .contains("no usable Coder server pod in namespace \"shop\""),
        "{}",
        screen.text
    );
    assert!(
        screen.text.contains(
            "Reset the password of alice on Coder v2?\r\n  pod coder-prod/coder-prod-5d8f7b9c4-abcde, context kubesim\r\n[y/N]"
        ),
        "{}",
        screen.text
    );
    let execs = env.sim.execs();
    assert_eq!(execs.len(), 1, "{execs:?}");
    assert_eq!(
        (execs[0].namespace.as_str(), execs[0].pod.as_str()),
        ("coder-prod", "coder-prod-5d8f7b9c4-abcde")
    );
    assert!(env.sim.v2_password("alice").is_some());
}

#[test]
fn esc_cancels_the_choice_with_the_terminal_restored() {
    let env = TestEnv::start(mixed_cluster());
    let screen = env
        .pty_shell("kubectl-coder reset-admin-password -n shop; echo \"exit=$?\"; stty -a")
        .answer(CHOOSE, "\u{1b}")
        .run();
    assert!(screen.text.contains("exit=7"), "{}", screen.text);
    assert!(
        screen.text.contains("Nothing was changed."),
        "{}",
        screen.text
    );
    terminal_restored(&screen.text);
    assert!(env.sim.execs().is_empty());
}

#[test]
fn ctrl_c_cancels_the_choice_with_the_terminal_restored() {
    let env = TestEnv::start(mixed_cluster());
    let screen = env
        .pty_shell("kubectl-coder reset-admin-password -n shop; echo \"exit=$?\"; stty -a")
        .answer(CHOOSE, "sta\u{3}")
        .run();
    assert!(screen.text.contains("exit=130"), "{}", screen.text);
    assert!(
        screen.text.contains("nothing was changed"),
        "{}",
        screen.text
    );
    terminal_restored(&screen.text);
    assert!(env.sim.execs().is_empty());
}

#[test]
fn without_a_terminal_or_with_yes_nothing_is_chosen() {
    let env = TestEnv::start(mixed_cluster());
    let run = env
        .plugin()
        .args(["reset-admin-password", "-n", "shop", "--yes"])
        .run();
    run.code(3);
    assert!(
        run.stderr
            .contains("Coder server pods run in namespace coder-legacy, coder-prod, coder-staging"),
        "{}",
        run.stderr
    );
    // On a terminal too, --yes never chooses.
    let screen = env
        .pty(&["reset-admin-password", "-n", "shop", "--yes"])
        .run();
    assert_eq!(screen.code, 3, "{}", screen.text);
    assert!(!screen.text.contains(CHOOSE), "{}", screen.text);
    assert!(env.sim.execs().is_empty());
}

#[test]
fn two_releases_in_one_namespace_are_offered_that_namespace_first() {
    let env = TestEnv::start(mixed_cluster().pod(kubesim::fixtures::coder_v2_release(
        "coder-prod",
        "coder-b-5d8f7b9c4-zzzzz",
        "coder-b",
    )));
    let screen = env
        .pty(&["reset-password", "alice", "-n", "coder-prod", "--dry-run"])
        .answer(CHOOSE, "coder-b\r")
        .run();
    assert_eq!(screen.code, 0, "{}", screen.text);
    let list = &screen.text[screen.text.find(CHOOSE).unwrap()..];
    let first = |name: &str| list.find(name).unwrap_or(usize::MAX);
    assert!(
        first("coder-prod/coder-b") < first("coder-legacy"),
        "{list}"
    );
    assert!(
        screen
            .text
            .contains("Would run in pod coder-prod/coder-b-5d8f7b9c4-zzzzz"),
        "{}",
        screen.text
    );
}

#[test]
fn a_namespace_that_does_not_exist_is_answered_with_a_choice_too() {
    let env = TestEnv::start(mixed_cluster());
    let screen = env
        .pty(&["reset-admin-password", "-n", "nope", "--dry-run"])
        .answer(CHOOSE, "legacy\r")
        .run();
    assert_eq!(screen.code, 0, "{}", screen.text);
    assert!(
        screen.text.contains("namespace \"nope\" does not exist"),
        "{}",
        screen.text
    );
    assert!(
        screen
            .text
            .contains("Would run in pod coder-legacy/coderd-7f9c6d5b8-x2k4q"),
        "{}",
        screen.text
    );
}
