//! Replays, on stable Rust, the fuzz targets' property checks (fuzz/src/checks.rs, shared
//! by path) on every saved input in tests/fixtures/fuzz/<target>/: seeds, interesting corpus
//! entries and the inputs that once failed. Inputs that found bugs are also spelled out
//! below, each with what went wrong. `scripts/fuzz.sh` runs the targets themselves.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

use kubectl_coder::coder::v1::{Reading, parse_reset_output};
use kubectl_coder::coder::v2::{Outcome, reset_outcome};
use kubectl_coder::kube::transcript::{Stream, Transcript};
use kubectl_coder::text::plain;

/// A fuzz target's name and its checks.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 4] = [
    ("text_plain", checks::text_plain),
    ("v1_reset_output", checks::v1_reset_output),
    ("v2_outcomes", checks::v2_outcomes),
    ("password", checks::password),
];

fn replay_dir(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(
            outcome.is_ok(),
            "{target}: {} failed its checks",
            path.display()
        );
        count += 1;
    }
    count
}

#[test]
fn saved_inputs_pass_every_targets_checks() {
    for (target, check) in TARGETS {
        assert!(
            replay_dir(target, check) > 0,
            "no saved inputs for {target}"
        );
    }
}

/// Inputs the fuzzers (or the properties they check) caught, as (target, input).
const FOUND: &[(&str, &[u8])] = &[
    // plain(): `ESC (B`, which `tput sgr0` prints, left a stray "B" glued to the password.
    ("text_plain", b"Password: \x1b[1mabc\x1b(B\x1b[m\n"),
    // plain(): a stray ESC swallowed the line break after it, joining two lines.
    ("text_plain", b"User: admin\x1b\nPassword: X\n"),
    // plain(): an unterminated CSI or OSC swallowed the rest of the output, password too.
    ("text_plain", b"\x1b[\nPassword: abc\n"),
    ("text_plain", b"\x1b]0;title\nPassword: abc\n"),
    // plain(): ESC followed by a non-ASCII character dropped that character.
    ("text_plain", "\x1bé".as_bytes()),
    // parse_reset_output(): the same, seen from the parser: the password went missing.
    ("v1_reset_output", b"\x1b]\nPassword: abc\n"),
    ("v1_reset_output", b"\x1b[\xffPassword: abc\n"),
    // parse_reset_output(): a BEL (or other control character) after the password
    // became part of it; now such a value is not a password (not understood, raw output).
    ("v1_reset_output", b"Password: abc\x07\n"),
    ("v1_reset_output", b"Password: abc\x00def\n"),
    // parse_reset_output(), as a reviewer found it: a log line cut after `password: ` (a
    // dropped stream, a timeout, Ctrl-C) gave the word after it as the password, with exit 0.
    (
        "v1_reset_output",
        b"2026-11-27 10:00:00 [INFO] coderd reset-admin-password: connecting to database\n",
    ),
    ("v1_reset_output", b"reset-admin-password: connecting"),
    // A log line after the block won over it; so did a database DSN's own password.
    (
        "v1_reset_output",
        b"User: admin\nPassword: Real-Pw-1\nreset-admin-password: done\n",
    ),
    (
        "v1_reset_output",
        b"User: admin\nPassword: Real-Pw-1\nconnecting host=db user=coder password=hunter2 dbname=coder\n",
    ),
    // Punctuation cut the password short.
    ("v1_reset_output", b"Password: Ab,cd}ef'gh\n"),
    // stderr was read before stdout, whatever arrived first; two passwords: the last won.
    ("v1_reset_output", b"Password: one-1\n\xffPassword: two-2\n"),
    // parse_reset_output(): a letter of another script before `Password` was taken for one
    // of the Docker image's symbols, so `𗔑Password: x` gave a password.
    ("v1_reset_output", "n\n> \u{17511}Password: 5hT\n".as_bytes()),
    // reset_outcome(): `!` after a vertical tab after `!` was left on the username.
    (
        "v2_outcomes",
        b"0Password has been reset for user \xff\x81\xffe!!!!!\x0b!!!!!",
    ),
    // reset_outcome(): an empty or space-padded username was reported as Coder's spelling.
    (
        "v2_outcomes",
        b"0Password has been reset for user \x1b[1m\x1b[0m!\n",
    ),
    ("v2_outcomes", b"0Password has been reset for user bob !\n"),
    ("v2_outcomes", b"0Password has been reset for user !!\n"),
];

#[test]
fn inputs_that_found_bugs_pass_now() {
    for (target, input) in FOUND {
        let (_, check) = TARGETS.iter().find(|(t, _)| t == target).unwrap();
        let outcome = std::panic::catch_unwind(|| check(input));
        assert!(outcome.is_ok(), "{target}: {input:?}");
    }
}

#[test]
fn found_bugs_have_the_expected_results() {
    assert_eq!(
        plain(b"Password: \x1b[1mabc\x1b(B\x1b[m\n"),
        "Password: abc\n"
    );
    assert_eq!(plain(b"a\x1b\nb"), "a\nb");
    assert_eq!(plain(b"\x1b[\nPassword: abc\n"), "\nPassword: abc\n");
    assert_eq!(plain(b"\x1b]0;title\nnext"), "\nnext");
    assert_eq!(plain("\x1bé".as_bytes()), "é");
    for output in [
        &b"\x1b]\nPassword: abc\n"[..],
        b"Password: \x1b[1mabc\x1b(B\x1b[m\n",
    ] {
        let creds = parse_reset_output(output, b"")
            .credentials()
            .expect("a password");
        assert_eq!(creds.password.expose(), "abc", "{output:?}");
    }
    for output in [
        &b"Password: abc\x07\n"[..],
        b"Password: abc\x00def\n",
        b"Password: one-1\nPassword: two-2\n",
    ] {
        assert!(
            matches!(parse_reset_output(output, b""), Reading::Ambiguous(_)),
            "{output:?}"
        );
    }
    for output in [
        &b"2026-11-27 10:00:00 [INFO] coderd reset-admin-password: connecting to database\n"[..],
        b"reset-admin-password: connecting",
    ] {
        assert!(
            matches!(parse_reset_output(output, b""), Reading::Nothing),
            "{output:?}"
        );
    }
    for output in [
        &b"User: admin\nPassword: Real-Pw-1\nreset-admin-password: done\n"[..],
        b"User: admin\nPassword: Real-Pw-1\nconnecting host=db user=coder password=hunter2 dbname=coder\n",
    ] {
        let creds = parse_reset_output(output, b"").credentials().unwrap();
        assert_eq!(creds.password.expose(), "Real-Pw-1", "{output:?}");
    }
    assert_eq!(
        parse_reset_output(b"Password: Ab,cd}ef'gh\n", b"")
            .credentials()
            .unwrap()
            .password
            .expose(),
        "Ab,cd}ef'gh"
    );
    // Read after the answer, on stdout, for the user asked for: a name that is empty or
    // padded is no name.
    let done = |text: &[u8], asked: &str| {
        let mut t = Transcript::new();
        let answered = Some(t.lines_ended());
        t.push(Stream::Stdout, text);
        t.finish();
        reset_outcome(0, &t, answered, asked)
    };
    assert_eq!(
        done(b"Password has been reset for user !\n", "bob"),
        Outcome::NotUnderstood
    );
    assert_eq!(
        done(b"Password has been reset for user bob !\n", "bob"),
        Outcome::NotUnderstood
    );
    assert_eq!(
        done(b"Password has been reset for user Bob!\n", "bob"),
        Outcome::Done {
            username: Some("Bob".into())
        }
    );
}

/// Inputs far longer than the fuzzers try: one very long line, and many short ones.
#[test]
fn long_inputs() {
    let long_line = "x\x1b[1;31my\x1b[0m".repeat(100_000);
    let mut v1 = long_line.clone().into_bytes();
    v1.push(checks::STREAM_SEPARATOR);
    v1.extend_from_slice("Password: z\n".repeat(50_000).as_bytes());
    for (target, check) in TARGETS {
        if target == "password" {
            check(&long_line.as_bytes()[..5_000]);
        } else {
            check(&v1);
        }
    }
    assert_eq!(plain(long_line.as_bytes()), "xy".repeat(100_000));
    // An unterminated control string ends at the line break, however long the line.
    let mut open = b"\x1b]".to_vec();
    open.extend(std::iter::repeat_n(b'a', 1_000_000));
    open.extend_from_slice(b"\nPassword: abc\n");
    assert_eq!(plain(&open), "\nPassword: abc\n");
}

/// The v2 target on stable, without a fuzzer: many interleavings of the fragments Coder (and
/// a hostile stand-in) prints, the answer among them, checked against the target's rules.
#[test]
fn v2_interleavings_from_coders_own_fragments() {
    const FRAGMENTS: &[&[u8]] = &[
        b"> Enter new  password : ",
        b"> Confirm  password : ",
        b"> Password ",
        b"\n",
        b"\r\n",
        b"Password has been reset for user ",
        b"alice",
        b"ALICE",
        b"admin",
        b"\x1b[1m",
        b"\x1b[0m",
        b"!",
        b" is not allowed",
        b"User created successfully.",
        b"Username: ",
        b"Email:    alice@example.com",
        b"Email: bob@example.com",
        b"Using built-in PostgreSQL (/home/coder/.config/coderv2/postgres)",
        b"error: dial postgres: connection refused",
        b"retrieving user: sql: no rows in result set",
        b" ",
        b"\x0b",
    ];
    let mut state = 18u64;
    let mut next = || checks::split_mix_next(&mut state);
    for _ in 0..20_000 {
        let code = [0u8, 0x81, 0x82][usize::from(next()) % 3];
        let mut input = vec![code];
        let events = 1 + usize::from(next()) % 6;
        for event in 0..events {
            if event > 0 {
                input.push(checks::STREAM_SEPARATOR);
            }
            // `o` stdout, `e` stderr, `n` the answer (see checks::v2_events).
            let kind = [b'o', b'e', b'n'][usize::from(next()) % 3];
            input.push(kind);
            for _ in 0..usize::from(next()) % 6 {
                input.extend_from_slice(FRAGMENTS[usize::from(next()) % FRAGMENTS.len()]);
            }
        }
        let outcome = std::panic::catch_unwind(|| checks::v2_outcomes(&input));
        assert!(
            outcome.is_ok(),
            "v2_outcomes: {:?}",
            String::from_utf8_lossy(&input)
        );
    }
}
