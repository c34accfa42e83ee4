//! Every prompt ends the same way, in a real terminal 80 columns wide: Ctrl-C cancels
//! (exit 130), Ctrl-D declines (exit 7), an empty answer is asked again with what is needed,
//! arrow keys edit the line instead of typing escape codes; and a newcomer gets from
//! `kubectl coder` to a reset and the sign-in URL on the screen alone.

use kubesim::Scenario;

use crate::support::TestEnv;

const COLUMNS: u16 = 80;

fn v2() -> TestEnv {
    TestEnv::scenario(Scenario::V2)
}

/// No line on the screen is wider than the terminal, unless it is one unbreakable word.
fn assert_fits(screen: &str) {
    for line in screen.lines() {
        // What the line editor redraws starts with a carriage return.
        let line = line.rsplit('\r').next().unwrap_or(line);
        assert!(
            line.chars().count() <= usize::from(COLUMNS) || !line.trim().contains(' '),
            "wider than {COLUMNS}: {line:?}\n{screen}"
        );
    }
}

#[test]
fn ctrl_c_at_any_prompt_cancels_with_130() {
    let env = v2();
    // A visible prompt.
    let owner = env
        .pty(&["reset-admin-password"])
        .columns(COLUMNS)
        .answer("Owner username: ", "adm\x03")
        .run();
    assert_eq!(owner.code, 130, "{}", owner.text);
    assert!(
        owner.text.contains("error: cancelled, nothing was changed"),
        "{}",
        owner.text
    );
    // The confirmation.
    let confirm = env
        .pty(&["reset-password", "alice"])
        .columns(COLUMNS)
        .answer("[y/N] ", "\x03")
        .run();
    assert_eq!(confirm.code, 130, "{}", confirm.text);
    assert!(
        confirm
            .text
            .contains("error: cancelled, nothing was changed"),
        "{}",
        confirm.text
    );
    // A hidden one.
    let hidden = env
        .pty(&["reset-password", "alice", "--password-prompt"])
        .columns(COLUMNS)
        .answer("New password: ", "secr\x03")
        .run();
    assert_eq!(hidden.code, 130, "{}", hidden.text);
    assert!(
        hidden
            .text
            .contains("error: cancelled, nothing was changed"),
        "{}",
        hidden.text
    );
    assert!(env.sim.execs().is_empty());
}

#[test]
fn ctrl_d_at_any_prompt_declines_with_7() {
    let env = v2();
    for (args, prompt) in [
        (&["reset-admin-password"][..], "Owner username: "),
        (&["reset-password", "alice"][..], "[y/N] "),
        (
            &["reset-password", "alice", "--password-prompt"][..],
            "New password: ",
        ),
    ] {
        let screen = env.pty(args).columns(COLUMNS).answer(prompt, "\x04").run();
        assert_eq!(screen.code, 7, "{args:?}\n{}", screen.text);
        assert!(
            screen.text.contains("othing was changed"),
            "{}",
            screen.text
        );
    }
    assert!(env.sim.execs().is_empty());
}

#[test]
fn an_empty_answer_is_asked_again_and_arrow_keys_edit() {
    let env = v2();
    let screen = env
        .pty(&["reset-admin-password"])
        .columns(COLUMNS)
        .answer("Owner username: ", "\r")
        .answer("The username is required (Ctrl-C to cancel).", "")
        // `admn`, left, `i`: admin, with no escape code in the answer.
        .answer("Owner username: ", "admn\x1b[Di\r")
        .answer("[y/N] ", "n\r")
        .run();
    assert_eq!(screen.code, 7, "{}", screen.text);
    assert!(
        screen
            .text
            .contains("Reset the password of admin on Coder v2?"),
        "{}",
        screen.text
    );
    assert!(!screen.text.contains("is not valid"), "{}", screen.text);
    assert!(!screen.text.contains("\\u{1b}"), "{}", screen.text);
    assert!(env.sim.execs().is_empty());
}

/// The whole path, in an 80-column terminal: the bare command says which command resets the
/// admin; that command asks for the owner, confirms, resets, and says where to sign in.
#[test]
fn a_newcomer_goes_from_kubectl_coder_to_the_sign_in_url() {
    let env = v2();
    let help = env.pty(&[]).columns(COLUMNS).run();
    assert_eq!(help.code, 0, "{}", help.text);
    assert!(help.text.contains("reset-admin-password"), "{}", help.text);
    assert!(
        help.text.contains("Use \"kubectl coder options\""),
        "{}",
        help.text
    );
    // The connection flags are `options`'s: the rest fits on two screens (74 lines before).
    assert!(help.text.lines().count() <= 56, "{}", help.text);
    assert_fits(&help.text);

    let screen = env
        .pty(&["reset-admin-password"])
        .columns(COLUMNS)
        .answer("Owner username: ", "admin\r")
        .answer("[y/N] ", "y\r")
        .run();
    assert_eq!(screen.code, 0, "{}", screen.text);
    let password = env
        .sim
        .v2_password("admin")
        .expect("the owner's password was reset");
    assert!(screen.text.contains(&password), "{}", screen.text);
    assert!(
        screen.text.contains(
            "Next: sign in at https://coder.example.com with admin's email, not the username."
        ),
        "{}",
        screen.text
    );
    assert!(screen.text.contains("create-admin-user"), "{}", screen.text);
    assert_fits(&screen.text);
}
