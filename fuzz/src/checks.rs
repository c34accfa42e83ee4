//! The properties each fuzz target asserts, one public function per target taking the raw
//! fuzz input. `tests/fuzz_regressions.rs` includes this file by path and replays saved
//! inputs through the same functions on stable Rust, so CI checks them without nightly.
//!
//! Two-stream inputs are `stdout`, then byte 0xFF, then `stderr` (0xFF never occurs in
//! UTF-8, so readable seed files need no escaping); the v2 target's first byte is the exit
//! code (below 0x80: exit 0, else `byte - 0x80`), and its rest events (see `v2_events`).

// Included by path into test crates that use only some of the helpers.
#![allow(dead_code)]

use kubectl_coder::coder::password::{self, MAX_LEN, PasswordProblem, check, entropy_bits};
use kubectl_coder::coder::v1::{Reading, parse_reset_output};
use kubectl_coder::coder::v2::{Outcome, create_outcome, reset_outcome};
use kubectl_coder::kube::transcript::{MAX_LINE, Stream, Transcript};
use kubectl_coder::text::{last_line, plain};
// Coder's password rule as kubesim translates it from the upstream Go, pinned by upstream's
// tables: the oracle for check(), sharing none of its code.
use kubesim::userpassword;

/// Separates stdout from stderr in two-stream inputs.
pub const STREAM_SEPARATOR: u8 = 0xff;

/// The 63 characters `password::generate` documents: letters and digits without look-alikes
/// (0 O o 1 I l) and the symbols `@-_.+:=`.
pub const GENERATOR_ALPHABET: &str =
    "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789@-_.+:=";

/// What `coder reset-password` prints on success, before the username.
pub const V2_RESET_DONE: &str = "Password has been reset for user ";

/// Characters a Coder v1 temporary password might contain, as far as the parser can
/// promise to read them back from a `Password:` line: printable non-space ASCII (the value
/// is the rest of the line, punctuation and all).
pub fn v1_password_chars() -> Vec<char> {
    ('!'..='~').collect()
}

pub fn split_streams(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == STREAM_SEPARATOR) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

pub fn exit_code_from(byte: u8) -> i32 {
    if byte < 0x80 {
        0
    } else {
        i32::from(byte - 0x80)
    }
}

/// A v1 password of 1 to 20 characters derived from the input, never all `*` (masked).
pub fn v1_password_from(data: &[u8]) -> String {
    let chars = v1_password_chars();
    let mut password: String = data
        .iter()
        .rev()
        .take(20)
        .map(|&b| chars[usize::from(b) % chars.len()])
        .collect();
    if password.chars().all(|c| c == '*') {
        password.push('x');
    }
    password
}

/// A username of 1 to 12 lowercase letters and digits derived from the input.
pub fn username_from(data: &[u8]) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut name: String = data
        .iter()
        .take(12)
        .map(|&b| char::from(CHARS[usize::from(b) % CHARS.len()]))
        .collect();
    if name.is_empty() {
        name.push('u');
    }
    name
}

/// A value's Debug form, cut short so that a failing long input stays readable.
pub fn clip<T: std::fmt::Debug + ?Sized>(value: &T) -> String {
    let text = format!("{value:?}");
    match text.char_indices().nth(400) {
        Some((at, _)) => format!("{}... ({} chars)", &text[..at], text.chars().count()),
        None => text,
    }
}

// ---------------------------------------------------------------------------------------
// text::plain

pub fn text_plain(data: &[u8]) {
    let out = plain(data);
    check_plain_output(data, &out);

    // Escape sequences never reach across a line break: whatever a line holds (a stray
    // ESC, an unterminated CSI or OSC), the lines after it come out the same.
    let at = data.first().map_or(0, |&b| usize::from(b)) % (data.len() + 1);
    let (before, after) = data.split_at(at);
    let joined = [before, b"\n", after].concat();
    assert_eq!(
        plain(&joined),
        format!("{}\n{}", plain(before), plain(after)),
        "a line break did not end what came before it: {} / {}",
        clip(before),
        clip(after)
    );
}

/// What every output of `plain` must satisfy, for the input it came from.
pub fn check_plain_output(input: &[u8], out: &str) {
    assert!(
        !out.contains(['\u{1b}', '\r', '\u{9b}']),
        "escape or carriage return left in {} (from {})",
        clip(out),
        clip(input)
    );
    assert_eq!(plain(out.as_bytes()), out, "plain is not idempotent");

    let lossy = String::from_utf8_lossy(input);
    assert_eq!(
        out.matches('\n').count(),
        lossy.matches('\n').count(),
        "line breaks were added or removed: {} -> {}",
        clip(input),
        clip(out)
    );
    // Only removes: the output is a subsequence of the (lossily decoded) input.
    let mut rest = lossy.chars();
    for c in out.chars() {
        assert!(
            rest.by_ref().any(|d| d == c),
            "{c:?} in the output is not from the input: {} -> {}",
            clip(input),
            clip(out)
        );
    }
    if !lossy.contains(['\u{1b}', '\r', '\u{9b}']) {
        assert_eq!(out, lossy, "text without escapes was changed");
    }
    if let Some(line) = last_line(out) {
        assert!(!line.is_empty() && line.trim() == line && !line.contains('\n'));
    }
}

// ---------------------------------------------------------------------------------------
// coder_v1::parse_reset_output

pub fn v1_reset_output(data: &[u8]) {
    let (stdout, stderr) = split_streams(data);
    let before = parse_reset_output(stdout, stderr);
    if let Reading::Credentials(creds) = &before {
        check_v1_credentials(stdout, stderr, &creds.username, creds.password.expose());
        // Ambiguity is never resolved by guessing: a second, different password line makes
        // the output not understood.
        let other = format!("{}-2", creds.password.expose());
        let out = [stdout, format!("\nPassword: {other}\n").as_bytes()].concat();
        assert!(
            matches!(parse_reset_output(&out, stderr), Reading::Ambiguous(_)),
            "two passwords were not ambiguous in {} / {}",
            clip(&out),
            clip(stderr)
        );
    }

    // Credentials printed after any output at all are found, unless the output already held
    // another password line (then: not understood, never a guess).
    let password = v1_password_from(data);
    let username = username_from(data);
    for tail in [
        format!("\nUser: {username}\nPassword: {password}\n"),
        format!(
            "\n\x1b[1mUser:\x1b[0m     {username}\r\n\x1b[1mPassword:\x1b[0m \x1b[1;32m{password}\x1b[0m\r\n"
        ),
        format!("\n> 🙋 Username: {username}\n> 🔑 Password: {password}"),
    ] {
        let out = [stdout, tail.as_bytes()].concat();
        match parse_reset_output(&out, stderr) {
            Reading::Credentials(creds) => {
                assert_eq!(creds.password.expose(), password, "in {}", clip(&out));
                let same_before =
                    matches!(&before, Reading::Credentials(b) if b.password.expose() == password);
                if !same_before {
                    assert_eq!(creds.username, username, "in {}", clip(&out));
                }
            }
            Reading::Ambiguous(why) => assert!(
                matches!(&before, Reading::Ambiguous(_))
                    || matches!(&before, Reading::Credentials(b) if b.password.expose() != password),
                "ambiguous ({why}) though the output held no other password: {} / {}",
                clip(&out),
                clip(stderr)
            ),
            Reading::Nothing => panic!("no password in {} / {}", clip(&out), clip(stderr)),
        }
    }
}

pub fn check_v1_credentials(stdout: &[u8], stderr: &[u8], username: &str, password: &str) {
    let shown = [plain(stdout), plain(stderr)];
    assert!(!password.is_empty(), "empty password");
    assert!(
        !password
            .chars()
            .any(|c| c.is_whitespace() || c.is_control()),
        "white space or a control character in password {password:?}"
    );
    assert!(
        !password.chars().all(|c| c == '*'),
        "a masked password was taken: {password:?}"
    );
    // No candidate from a word inside another word: the line holding the password names the
    // key `password` as a whole word (`-` and `_` belong to words).
    let whole_word_key = |line: &str| {
        let lower = line.to_ascii_lowercase();
        lower.match_indices("password").any(|(at, _)| {
            let before = lower[..at].chars().next_back();
            let after = lower[at + "password".len()..].chars().next();
            before.is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_'))
                && after.is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_'))
        })
    };
    assert!(
        shown
            .iter()
            .flat_map(|s| s.lines())
            .any(|line| line.contains(password) && whole_word_key(line)),
        "password {password:?} is not on a line with the key `password`: {}",
        clip(&shown)
    );
    assert!(
        !username.is_empty()
            && !username
                .chars()
                .any(|c| c.is_whitespace() || c.is_control()),
        "bad username {username:?}"
    );
    assert!(
        username == kubectl_coder::coder::v1::ADMIN_USER
            || shown.iter().any(|s| s.contains(username)),
        "username {username:?} is not in the output as shown: {}",
        clip(&shown)
    );
}

// ---------------------------------------------------------------------------------------
// coder_v2::reset_outcome and create_outcome, on any interleaving of stdout, stderr and the
// moment the last prompt was answered

/// The user the v2 checks ask for, and the new owner's email.
pub const V2_ASKED: &str = "alice";
pub const V2_EMAIL: &str = "alice@example.com";

/// One event of a v2 run: output on a stream, or the last prompt answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V2Event<'a> {
    Stdout(&'a [u8]),
    Stderr(&'a [u8]),
    Answered,
}

/// The v2 target's input: the first byte is the exit code; the rest is split at 0xFF into
/// events, each chosen by its first byte (`% 4`: 0 and 3 stdout, 1 stderr, 2 the answer).
pub fn v2_events(data: &[u8]) -> (i32, Vec<V2Event<'_>>) {
    let (code, rest) = match data.split_first() {
        Some((&first, rest)) => (exit_code_from(first), rest),
        None => (0, data),
    };
    let events = rest
        .split(|&b| b == STREAM_SEPARATOR)
        .filter_map(|segment| {
            let (&kind, bytes) = segment.split_first()?;
            Some(match kind % 4 {
                1 => V2Event::Stderr(bytes),
                2 => V2Event::Answered,
                _ => V2Event::Stdout(bytes),
            })
        })
        .collect();
    (code, events)
}

/// The transcript the exec engine builds from `events`, and the answer's mark (what the
/// prompt dialogue records when it writes the last line).
pub fn v2_transcript(events: &[V2Event<'_>]) -> (Transcript, Option<u64>) {
    let mut transcript = Transcript::new();
    let mut answered = None;
    for event in events {
        match event {
            V2Event::Stdout(bytes) => transcript.push(Stream::Stdout, bytes),
            V2Event::Stderr(bytes) => transcript.push(Stream::Stderr, bytes),
            V2Event::Answered => answered = Some(transcript.lines_ended()),
        }
    }
    transcript.finish();
    (transcript, answered)
}

/// A line as the rules below see it, built from the events without the code under test.
#[derive(Debug)]
struct ModelLine {
    stderr: bool,
    /// Escapes removed, white space trimmed.
    text: String,
    /// Ended by a line break (not by the end of the output).
    whole: bool,
    /// Ended after the last answer was written.
    after_answer: bool,
}

fn model_lines(events: &[V2Event<'_>]) -> Vec<ModelLine> {
    let last_answer = events.iter().rposition(|e| *e == V2Event::Answered);
    let mut open: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    let mut lines = Vec::new();
    for (at, event) in events.iter().enumerate() {
        let (stream, bytes) = match event {
            V2Event::Stdout(bytes) => (0, *bytes),
            V2Event::Stderr(bytes) => (1, *bytes),
            V2Event::Answered => continue,
        };
        for &byte in bytes {
            if byte == b'\n' {
                let raw = std::mem::take(&mut open[stream]);
                lines.push(ModelLine {
                    stderr: stream == 1,
                    text: plain(&raw).trim().to_string(),
                    // A line as long as the transcript keeps in one piece is never Coder's.
                    whole: raw.len() < MAX_LINE,
                    after_answer: last_answer.is_some_and(|answer| at > answer),
                });
            } else {
                open[stream].push(byte);
            }
        }
    }
    for (stream, rest) in open.into_iter().enumerate() {
        if !rest.is_empty() {
            lines.push(ModelLine {
                stderr: stream == 1,
                text: plain(&rest).trim().to_string(),
                whole: false,
                after_answer: false,
            });
        }
    }
    lines
}

/// What the rules say, stated from Coder's source rather than from our code: Coder says it
/// is done on one whole line of its own, on its stream (reset-password: stdout; create-
/// admin-user: stderr), after it read the password; a PostgreSQL of its own voids all.
fn v2_expected(code: i32, lines: &[ModelLine], create: bool) -> Option<Outcome> {
    if lines
        .iter()
        .any(|l| l.text.starts_with("Using built-in PostgreSQL"))
    {
        return Some(Outcome::OwnDatabase {
            line: lines
                .iter()
                .find(|l| l.text.starts_with("Using built-in PostgreSQL"))?
                .text
                .clone(),
        });
    }
    let counted: Vec<&str> = lines
        .iter()
        .filter(|l| l.whole && l.after_answer && l.stderr == create)
        .map(|l| l.text.as_str())
        .collect();
    let said = if create {
        let at = counted
            .iter()
            .position(|l| *l == "User created successfully.");
        at.map(|at| {
            let field = |name: &str, ours: &str| {
                counted[at + 1..]
                    .iter()
                    .find_map(|l| l.strip_prefix(name))
                    .map_or(ours.to_string(), |v| v.trim().to_string())
            };
            (field("Username:", V2_ASKED), field("Email:", V2_EMAIL))
        })
        .map(|(name, email)| {
            if name.eq_ignore_ascii_case(V2_ASKED) && email.eq_ignore_ascii_case(V2_EMAIL) {
                Outcome::Done {
                    username: Some(name),
                }
            } else {
                Outcome::OtherUser {
                    named: format!("{name} ({email})"),
                }
            }
        })
    } else {
        // `Password has been reset for user NAME!`, NAME one word without `!`.
        let names: Vec<&str> = counted
            .iter()
            .filter(|l| l.starts_with(V2_RESET_DONE) && l.ends_with('!'))
            .map(|l| &l[V2_RESET_DONE.len()..l.len() - 1])
            .filter(|name| {
                !name.is_empty() && !name.contains(|c: char| c.is_whitespace() || c == '!')
            })
            .collect();
        match names.iter().find(|n| !n.eq_ignore_ascii_case(V2_ASKED)) {
            Some(other) => Some(Outcome::OtherUser {
                named: other.to_string(),
            }),
            None => names.last().map(|name| Outcome::Done {
                username: Some(name.to_string()),
            }),
        }
    };
    match said {
        Some(outcome) => Some(outcome),
        None if code == 0 => Some(Outcome::NotUnderstood),
        // A failure: which one is checked by check_v2_outcome.
        None => None,
    }
}

pub fn v2_outcomes(data: &[u8]) {
    let (code, events) = v2_events(data);
    check_v2_events(code, &events);
    // Coder's own success, after whatever came before, on a line of its own and after the
    // answer, is read as done (unless it used a database of its own).
    let mut done = events.clone();
    done.extend([
        V2Event::Stdout(b"\n"),
        V2Event::Stderr(b"\n"),
        V2Event::Answered,
        V2Event::Stdout(b"Password has been reset for user \x1b[1mALICE\x1b[0m!\r\n"),
        V2Event::Stderr(b"\nUser created successfully.\nUsername: Alice\n"),
    ]);
    let own = model_lines(&events)
        .iter()
        .any(|l| l.text.starts_with("Using built-in PostgreSQL"));
    for exit in [0, 1, code] {
        let (transcript, answered) = v2_transcript(&done);
        let reset = reset_outcome(exit, &transcript, answered, V2_ASKED);
        let created = create_outcome(exit, &transcript, answered, V2_ASKED, V2_EMAIL);
        if !own {
            assert_eq!(
                reset,
                Outcome::Done {
                    username: Some("ALICE".into())
                },
                "exit {exit} for {}",
                clip(&done)
            );
            assert_eq!(
                created,
                Outcome::Done {
                    username: Some("Alice".into())
                },
                "exit {exit} for {}",
                clip(&done)
            );
        }
        check_v2_events(exit, &done);
    }
}

/// The outcomes of `events` against the rules, for reset-password and create-admin-user.
pub fn check_v2_events(code: i32, events: &[V2Event<'_>]) {
    let (transcript, answered) = v2_transcript(events);
    let lines = model_lines(events);
    let stdout: Vec<u8> = events
        .iter()
        .filter_map(|e| match e {
            V2Event::Stdout(b) => Some(*b),
            _ => None,
        })
        .flatten()
        .copied()
        .collect();
    let stderr: Vec<u8> = events
        .iter()
        .filter_map(|e| match e {
            V2Event::Stderr(b) => Some(*b),
            _ => None,
        })
        .flatten()
        .copied()
        .collect();
    // Lines longer than the transcript keeps whole are out of these rules' reach.
    if stdout.len().max(stderr.len()) > 512 * 1024 {
        return;
    }
    for create in [false, true] {
        let outcome = if create {
            create_outcome(code, &transcript, answered, V2_ASKED, V2_EMAIL)
        } else {
            reset_outcome(code, &transcript, answered, V2_ASKED)
        };
        match v2_expected(code, &lines, create) {
            Some(expected) => assert_eq!(
                outcome,
                expected,
                "exit {code}, create {create}: {}",
                clip(events)
            ),
            None => {
                assert!(
                    !matches!(
                        outcome,
                        Outcome::Done { .. }
                            | Outcome::NotUnderstood
                            | Outcome::OtherUser { .. }
                            | Outcome::OwnDatabase { .. }
                    ),
                    "exit {code}, create {create}: {outcome:?} for {}",
                    clip(events)
                );
                check_v2_outcome(code, &stdout, &stderr, &outcome);
            }
        }
    }
}

/// A failure's detail is a line of the output, the error stream's last preferred.
pub fn check_v2_outcome(code: i32, stdout: &[u8], stderr: &[u8], outcome: &Outcome) {
    let shown = [plain(stdout), plain(stderr)];
    assert_ne!(code, 0, "exit 0 read as {outcome:?}");
    match outcome {
        Outcome::DatabaseUnreachable { detail }
        | Outcome::PasswordRejected { detail }
        | Outcome::Failed { detail } => {
            assert!(
                !detail.is_empty()
                    && detail.trim() == detail
                    && !detail.contains(['\n', '\r', '\u{1b}']),
                "bad detail {detail:?} from {}",
                clip(&shown)
            );
            let from_output = shown.iter().any(|s| s.contains(detail.as_str()));
            let no_output = shown.iter().all(|s| last_line(s).is_none());
            assert!(
                from_output || (no_output && detail == "no output"),
                "detail {detail:?} is not from {}",
                clip(&shown)
            );
            // The error stream's last line is preferred.
            if let Some(last) = last_line(&shown[1]) {
                assert_eq!(detail, last);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// password::entropy_bits, check and generate_with

pub fn password(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_password_rules(&text);
    if let Some(first_line) = text.lines().next() {
        check_password_rules(first_line);
    }

    // generate_with on a byte source the fuzzer controls (then a fixed mix, so that a
    // source stuck on rejected bytes still ends).
    let len = 12 + data.first().map_or(0, |&b| usize::from(b)) % (MAX_LEN - 11);
    let mut rng = replay_then_mix(data.to_vec());
    let generated = password::generate_with(&mut rng, len);
    check_generated(generated.expose(), len);
}

/// check() against rules that do not come from its code: Coder's (coderd/userpassword, as
/// kubesim translates it) and the plugin's own documented additions (one line of stdin, no
/// control characters, no JSON-looking start, no white space at the ends).
pub fn check_password_rules(candidate: &str) {
    let bits = entropy_bits(candidate);
    assert!(bits.is_finite() && bits >= 0.0, "{candidate:?}: {bits}");
    // The bit-exact port and the plain translation agree but for the last bits.
    let oracle_bits = userpassword::get_entropy(candidate);
    assert!(
        (bits - oracle_bits).abs() <= userpassword::MARGIN * oracle_bits.max(1.0),
        "{candidate:?}: {bits} bits, the upstream translation says {oracle_bits}"
    );
    if candidate.is_empty() {
        assert_eq!(bits, 0.0);
    }

    let addition_refused = candidate.is_empty()
        || candidate.contains(['\n', '\r'])
        || candidate
            .chars()
            .any(|c| c != '\t' && (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c))
        || candidate.chars().any(kubectl_coder::text::is_format)
        || candidate.starts_with(['{', '['])
        || candidate.trim() != candidate;
    // Within MARGIN of 52 bits Go's estimate and the translation's may fall either side.
    let coder = (oracle_bits - userpassword::MIN_ENTROPY).abs() > userpassword::MARGIN * 64.0;
    let coder_accepts = userpassword::validate(candidate).is_ok();
    let got = check(candidate);
    if coder && !addition_refused {
        assert_eq!(
            got.is_ok(),
            coder_accepts,
            "{candidate:?} ({oracle_bits} bits, {} bytes): check() says {got:?}, Coder's rule {}",
            candidate.len(),
            if coder_accepts {
                "accepts it"
            } else {
                "refuses it"
            },
        );
    }
    match got {
        Ok(()) => {
            assert!(!addition_refused, "{candidate:?} accepted");
            assert_eq!(candidate.lines().count(), 1);
        }
        Err(PasswordProblem::TooWeak { bits: said }) => {
            assert_eq!(said.to_bits(), bits.to_bits());
            assert!(
                oracle_bits < userpassword::MIN_ENTROPY + 1e-6,
                "{candidate:?}"
            );
            assert!(candidate.len() <= userpassword::MAX_BYTES);
        }
        Err(PasswordProblem::TooLong { bytes }) => {
            assert_eq!(bytes, candidate.len());
            assert!(bytes > userpassword::MAX_BYTES);
        }
        Err(PasswordProblem::Empty) => assert!(candidate.is_empty()),
        Err(PasswordProblem::ContainsNewline) => assert!(candidate.contains(['\n', '\r'])),
        Err(PasswordProblem::ControlCharacter(code)) => {
            let c = u32::from_str_radix(code.trim_start_matches("U+"), 16)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or_else(|| panic!("{code}"));
            assert!(
                candidate.contains(c) && c.is_control() && c != '\t',
                "{code}"
            );
        }
        Err(PasswordProblem::LooksLikeJson(first)) => {
            assert!(candidate.starts_with(first) && "{[".contains(first));
        }
        Err(PasswordProblem::SurroundingSpace) => assert_ne!(candidate.trim(), candidate),
        Err(PasswordProblem::FormatCharacter(code)) => {
            let c = u32::from_str_radix(code.trim_start_matches("U+"), 16)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or_else(|| panic!("{code}"));
            assert!(
                candidate.contains(c) && kubectl_coder::text::is_format(c),
                "{code}"
            );
        }
    }
}

/// What every generated password must be; Coder's acceptance is judged by the upstream
/// translation, not by the check() the generator filters its candidates with.
pub fn check_generated(password: &str, len: usize) {
    assert_eq!(password.len(), len, "{password:?}");
    assert!(
        password.chars().all(|c| GENERATOR_ALPHABET.contains(c)),
        "{password:?} has characters outside the alphabet"
    );
    let classes: [fn(&char) -> bool; 4] = [
        char::is_ascii_lowercase,
        char::is_ascii_uppercase,
        char::is_ascii_digit,
        char::is_ascii_punctuation,
    ];
    for class in classes {
        assert!(password.chars().any(|c| class(&c)), "{password:?}");
    }
    assert_eq!(userpassword::validate(password), Ok(()), "{password:?}");
    // And with room to spare: never within a rounding error of the threshold.
    assert!(
        userpassword::get_entropy(password) > userpassword::MIN_ENTROPY + 1.0,
        "{password:?}"
    );
    assert_eq!(password.lines().count(), 1);
    assert_eq!(password.trim(), password);
    assert!(!password.starts_with(['{', '[']));
}

/// Replays `bytes`, then continues with SplitMix64 seeded from them.
pub fn replay_then_mix(bytes: Vec<u8>) -> impl FnMut(&mut [u8]) {
    let seed = bytes.iter().fold(0x5eed_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    replay_then_seeded(bytes, seed)
}

/// Replays `bytes`, then continues with SplitMix64 from `seed`.
pub fn replay_then_seeded(bytes: Vec<u8>, seed: u64) -> impl FnMut(&mut [u8]) {
    let mut state = seed;
    let mut replay = bytes.into_iter();
    move |buf: &mut [u8]| {
        for byte in buf {
            *byte = replay.next().unwrap_or_else(|| split_mix_next(&mut state));
        }
    }
}

/// One byte of SplitMix64.
pub fn split_mix_next(state: &mut u64) -> u8 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) as u8
}
