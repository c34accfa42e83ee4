//! Property tests (proptest) of the public API: generated passwords, the v1 output parser
//! and `text::plain`. Statistical checks use seeded byte sources, so they give the same
//! answer on every run.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::sample::select;

use checks::{GENERATOR_ALPHABET, check_generated, replay_then_mix, split_mix_next};
use kubectl_coder::coder::password::{self, GENERATED_LEN, MAX_LEN, generate, generate_with};
use kubectl_coder::coder::v1::{Reading, parse_reset_output};
use kubectl_coder::text::plain;

fn generated(bytes: Vec<u8>, len: usize) -> String {
    generate_with(&mut replay_then_mix(bytes), len)
        .expose()
        .to_string()
}

// ---------------------------------------------------------------------------------------
// password::generate and generate_with

proptest! {
    /// Whatever the byte source says, a generated password passes check() and Coder's
    /// rules (at most 64 bytes, at least 52 bits), has the length asked for, uses only the
    /// documented alphabet and has a lowercase letter, an uppercase letter, a digit and a
    /// symbol.
    #[test]
    fn generated_passwords_pass_coders_rules(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        len in 12..=MAX_LEN,
    ) {
        check_generated(&generated(bytes, len), len);
    }

    /// Rejection sampling: bytes 252..=255 (256 % 63 = 4 of them) are skipped wherever
    /// they occur, so no character gets a fifth byte value.
    #[test]
    fn top_bytes_are_skipped(
        bytes in prop::collection::vec(0..252_u8, 64),
        junk in prop::collection::vec((0..64_usize, 252..=255_u8), 1..40),
        len in 12..=MAX_LEN,
    ) {
        let mut noisy = bytes.clone();
        for (at, byte) in junk {
            noisy.insert(at.min(noisy.len()), byte);
        }
        // The same continuation after the replayed bytes, in case the first candidate is
        // redrawn.
        let run = |bytes: Vec<u8>| {
            generate_with(&mut checks::replay_then_seeded(bytes, 99), len).expose().to_string()
        };
        prop_assert_eq!(run(bytes), run(noisy));
    }

    /// Character i is a function of byte i modulo 63 (when the first candidate is kept):
    /// adding 63 to a byte changes nothing, and distinct residues give distinct
    /// characters. With the skipped top bytes this makes each of the 63 characters come
    /// from exactly 4 of the 256 byte values.
    #[test]
    fn character_is_a_function_of_the_byte_modulo_63(
        bytes in prop::collection::vec(0..252_u8, GENERATED_LEN),
        shifts in prop::collection::vec(0..4_u8, GENERATED_LEN),
    ) {
        let Some(first) = first_candidate(&bytes) else {
            return Err(TestCaseError::reject("first candidate redrawn"));
        };
        let shifted: Vec<u8> = bytes
            .iter()
            .zip(&shifts)
            .map(|(b, s)| b % 63 + 63 * s)
            .collect();
        prop_assert_eq!(first_candidate(&shifted), Some(first.clone()));
        let mut by_residue = BTreeMap::new();
        for (b, c) in bytes.iter().zip(first.chars()) {
            prop_assert_eq!(*by_residue.entry(b % 63).or_insert(c), c);
        }
        let chars: BTreeSet<char> = by_residue.values().copied().collect();
        prop_assert_eq!(chars.len(), by_residue.len(), "two residues share a character");
    }
}

/// The password made from exactly these `GENERATED_LEN` bytes, or `None` when that
/// candidate is redrawn: two different continuations of the byte source then give
/// different passwords (they could only agree by drawing the same 24 characters again).
fn first_candidate(bytes: &[u8]) -> Option<String> {
    let with_tail = |seed: u8| {
        let mut source = bytes.to_vec();
        source.extend(std::iter::repeat_n(seed, 64));
        source.extend(b"0123456789abcdef");
        generated(source, GENERATED_LEN)
    };
    let (a, b) = (with_tail(7), with_tail(200));
    (a == b).then_some(a)
}

#[test]
fn os_random_passwords_pass_and_use_the_whole_alphabet() {
    let mut seen = BTreeSet::new();
    for _ in 0..2_000 {
        let secret = generate();
        check_generated(secret.expose(), GENERATED_LEN);
        seen.extend(secret.expose().chars());
    }
    // 48,000 draws: a character missing by chance would be a 1-in-10^320 event.
    let alphabet: BTreeSet<char> = GENERATOR_ALPHABET.chars().collect();
    assert_eq!(seen, alphabet);
}

/// Each character has exactly 4 of the 256 byte values, learnt through the public API.
#[test]
fn every_character_has_four_byte_values() {
    let mut state = 0x0dd_ba11_u64;
    let mut char_of = BTreeMap::new();
    while char_of.len() < 252 {
        let bytes: Vec<u8> = (0..GENERATED_LEN)
            .map(|_| split_mix_next(&mut state))
            .collect();
        if bytes.iter().any(|&b| b >= 252) {
            continue;
        }
        if let Some(password) = first_candidate(&bytes) {
            for (b, c) in bytes.into_iter().zip(password.chars()) {
                assert_eq!(*char_of.entry(b).or_insert(c), c, "byte {b}");
            }
        }
    }
    let mut preimages = BTreeMap::<char, usize>::new();
    for c in char_of.values() {
        *preimages.entry(*c).or_default() += 1;
    }
    assert_eq!(preimages.len(), 63);
    assert!(preimages.values().all(|&n| n == 4), "{preimages:?}");
}

/// The generator's four character classes, as in the alphabet, with their sizes.
fn class_of(c: char) -> usize {
    match c {
        'a'..='z' => 0,
        'A'..='Z' => 1,
        '0'..='9' => 2,
        _ => 3,
    }
}

/// Chance that one position holds a given character of class `k` in a password that is
/// uniform over the length-`n` strings having every class (inclusion-exclusion over the
/// classes missing): a candidate without a symbol is redrawn, so symbols are a little more
/// frequent than 1/63, and letters a little less.
fn expected_share(sizes: [usize; 4], n: usize, k: usize) -> f64 {
    let total: usize = sizes.iter().sum();
    let with_every_class = |len: usize, forced: Option<usize>| -> f64 {
        (0..16_u32)
            .filter(|missing| forced.is_none_or(|f| missing & (1 << f) == 0))
            .map(|missing| {
                let gone: usize = (0..4)
                    .filter(|i| missing & (1 << i) != 0)
                    .map(|i| sizes[i])
                    .sum();
                let sign = if missing.count_ones() % 2 == 0 {
                    1.0
                } else {
                    -1.0
                };
                sign * ((total - gone) as f64 / total as f64).powi(len as i32)
            })
            .sum()
    };
    with_every_class(n - 1, Some(k)) / with_every_class(n, None) / total as f64
}

fn chi_square(counts: &BTreeMap<char, f64>, expected: impl Fn(char) -> f64) -> f64 {
    GENERATOR_ALPHABET
        .chars()
        .map(|c| {
            let e = expected(c);
            (counts.get(&c).copied().unwrap_or(0.0) - e).powi(2) / e
        })
        .sum()
}

/// The characters of whole generated passwords (through generate_with, seeded) follow the
/// distribution of a uniform choice among acceptable passwords: chi-square with 62 degrees
/// of freedom under 130, the p = 1e-6 critical value. Seeded, so it cannot flake; and the
/// test has teeth: the same counts are far from a naive 1/63 each (with this seed, about 65
/// against the exact shares and about 660 against 1/63).
#[test]
fn generated_characters_are_uniform_among_acceptable_passwords() {
    let mut sizes = [0; 4];
    for c in GENERATOR_ALPHABET.chars() {
        sizes[class_of(c)] += 1;
    }
    assert_eq!(sizes, [24, 24, 8, 7]);
    let shares: Vec<f64> = (0..4)
        .map(|k| expected_share(sizes, GENERATED_LEN, k))
        .collect();
    let sum: f64 = (0..4).map(|k| sizes[k] as f64 * shares[k]).sum();
    assert!((sum - 1.0).abs() < 1e-12, "{sum}");

    let passwords = 40_000;
    let mut counts = BTreeMap::<char, f64>::new();
    let mut state = 0x5eed_u64;
    let mut rng = |buf: &mut [u8]| buf.fill_with(|| split_mix_next(&mut state));
    for _ in 0..passwords {
        for c in generate_with(&mut rng, GENERATED_LEN).expose().chars() {
            *counts.entry(c).or_default() += 1.0;
        }
    }
    let draws = (passwords * GENERATED_LEN) as f64;
    let exact = chi_square(&counts, |c| draws * shares[class_of(c)]);
    assert!(exact < 130.0, "chi-square {exact}");
    let naive = chi_square(&counts, |_| draws / 63.0);
    assert!(
        naive > 130.0,
        "naive chi-square {naive}: the test cannot tell"
    );
}

proptest! {
    /// check() agrees with Coder's rule as kubesim translates it from the upstream Go (not
    /// the plugin's code), on strings drawn to land on both sides of 52 bits and 64 bytes:
    /// 4 to 70 characters from every class go-password-validator knows, runs and keyboard
    /// sequences included, plus a few it does not (`é`, `€`) and the plugin's own refusals
    /// (space, tab, newline, `{`).
    #[test]
    fn check_agrees_with_coders_rule(
        password in prop::collection::vec(
            select("abcxyzqweasdABCXYZ0123789!@$&*_-.,#%'()+/:;<=>?[]^{|}~ é€\t\n".chars().collect::<Vec<_>>()),
            4..70,
        ).prop_map(|chars| chars.into_iter().collect::<String>()),
    ) {
        checks::check_password_rules(&password);
    }
}

#[test]
fn generated_length_is_within_coders_limit() {
    let password = generate();
    assert!(password.expose().len() <= MAX_LEN);
    assert_eq!(password::check(password.expose()), Ok(()));
}

// ---------------------------------------------------------------------------------------
// coder_v1::parse_reset_output

/// Passwords Coder v1 could print: non-space printable ASCII, and not all `*` (a masked one).
fn v1_password() -> impl Strategy<Value = String> {
    prop::collection::vec(select(checks::v1_password_chars()), 1..40)
        .prop_map(String::from_iter)
        .prop_filter("masked", |p| !p.chars().all(|c| c == '*'))
}

fn username() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("admin".to_string()),
        prop::collection::vec(
            select(('a'..='z').chain('0'..='9').collect::<Vec<_>>()),
            1..16
        )
        .prop_map(String::from_iter),
    ]
}

/// How a line may be decorated: log prefix, then colour.
#[derive(Debug, Clone)]
struct Style {
    prefix: &'static str,
    key_colour: (&'static str, &'static str),
    value_colour: (&'static str, &'static str),
    eol: &'static str,
}

fn style() -> impl Strategy<Value = Style> {
    let prefix = select(vec![
        "",
        "2026-11-27 10:00:00.000 [INFO]\t<coderd>\t",
        "[INFO] ",
        "2026-11-27T10:00:00Z INFO ",
        "\x1b[90m2026-11-27 10:00:00.001\x1b[0m \x1b[32m[INFO]\x1b[0m\t",
    ]);
    let colour = select(vec![
        ("", ""),
        ("\x1b[1m", "\x1b[0m"),
        ("\x1b[1;32m", "\x1b[0m"),
        ("\x1b[38;5;214m", "\x1b[m"),
        ("\x1b[1m", "\x1b(B\x1b[m"),
        ("\x1b]8;;https://coder.example\x1b\\", "\x1b]8;;\x1b\\"),
    ]);
    (prefix, colour.clone(), colour, select(vec!["\n", "\r\n"])).prop_map(
        |(prefix, key_colour, value_colour, eol)| Style {
            prefix,
            key_colour,
            value_colour,
            eol,
        },
    )
}

/// Lines around the credentials that must not be mistaken for them.
fn noise() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(
        select(vec![
            "----------------------",
            "",
            "The admin password has been reset.",
            "Please change it at your next login",
            "2026-11-27 10:00:00.000 [INFO]\t<coderd>\tconnected to database",
            "\x1b[33mWARN\x1b[0m using default configuration",
            "Password: ********",
            "\x1b]0;coderd\x07",
        ]),
        0..4,
    )
}

proptest! {
    /// The documented output formats, with any password Coder v1 could print, whatever
    /// prefixes, colours, line endings and surrounding lines, on stdout or stderr.
    #[test]
    fn v1_password_is_found_in_every_format(
        password in v1_password(),
        user in username(),
        format in 0..2_usize,
        style in style(),
        before in noise(),
        after in noise(),
        on_stderr in any::<bool>(),
    ) {
        let Style { prefix, key_colour: (k0, k1), value_colour: (v0, v1), eol } = style;
        let credentials = match format {
            0 => format!(
                "{prefix}{k0}User:{k1}     {v0}{user}{v1}{eol}{prefix}{k0}Password:{k1} {v0}{password}{v1}{eol}"
            ),
            _ => format!(
                "{prefix}> 🙋 {k0}Username:{k1} {v0}{user}{v1}{eol}{prefix}> 🔑 {k0}Password:{k1} {v0}{password}{v1}{eol}"
            ),
        };
        let mut output = String::new();
        for line in &before {
            output.push_str(line);
            output.push_str(eol);
        }
        output.push_str(&credentials);
        for line in &after {
            output.push_str(line);
            output.push_str(eol);
        }
        let (stdout, stderr) = if on_stderr { ("", output.as_str()) } else { (output.as_str(), "") };
        let creds = parse_reset_output(stdout.as_bytes(), stderr.as_bytes()).credentials();
        let creds = creds.ok_or_else(|| TestCaseError::fail(format!("nothing found in {output:?}")))?;
        prop_assert_eq!(creds.password.expose(), password.as_str(), "in {:?}", output);
        prop_assert_eq!(&creds.username, &user, "in {:?}", output);
        checks::check_v1_credentials(stdout.as_bytes(), stderr.as_bytes(), &creds.username, creds.password.expose());
    }

    /// Two different passwords are never resolved by guessing, whatever shapes carry them.
    #[test]
    fn two_different_passwords_are_not_understood(
        first in v1_password(),
        second in v1_password(),
        json in any::<bool>(),
        style in style(),
    ) {
        let Style { prefix, eol, .. } = style;
        // JSON needs no escapes: quotes and backslashes are replaced.
        let second = if json { second.replace(['"', '\\'], "x") } else { second };
        prop_assume!(first != second);
        let other = if json {
            format!("{{\"password\":\"{second}\"}}")
        } else {
            format!("{prefix}Password: {second}")
        };
        let output = format!("{prefix}User: admin{eol}{prefix}Password: {first}{eol}{other}{eol}");
        let read = parse_reset_output(output.as_bytes(), b"");
        prop_assert!(matches!(read, Reading::Ambiguous(_)), "{:?} in {:?}", read, output);
    }

    /// No candidate from a word inside another word: a key that merely ends in `password`
    /// (`reset-admin-password:`, `new_password=`, `oldpassword:`) is not the key.
    #[test]
    fn a_longer_word_ending_in_password_is_not_the_key(
        head in select(vec!["reset-admin-", "new_", "old", "x-", "admin_"]),
        value in v1_password(),
        separator in select(vec![": ", "=", " : "]),
        style in style(),
    ) {
        let Style { prefix, eol, .. } = style;
        let output = format!("{prefix}{head}password{separator}{value}{eol}");
        let read = parse_reset_output(output.as_bytes(), b"");
        prop_assert!(matches!(read, Reading::Nothing), "{:?} in {:?}", read, output);
    }

    /// Structured logs: key=value and JSON, with passwords that need no quoting or escaping.
    #[test]
    fn v1_password_is_found_in_structured_logs(
        password in prop::collection::vec(select(
            ('a'..='z').chain('A'..='Z').chain('0'..='9').chain("!#$%&*+-.:;<>?@^_|~".chars()).collect::<Vec<_>>()
        ), 1..40).prop_map(String::from_iter).prop_filter("masked", |p| !p.chars().all(|c| c == '*')),
        json in any::<bool>(),
    ) {
        let line = if json {
            format!("{{\"level\":\"info\",\"user\":\"admin\",\"password\":\"{password}\",\"ts\":1}}\n")
        } else {
            format!("level=info msg=\"reset\" user=admin password={password} ts=1\n")
        };
        let creds = parse_reset_output(line.as_bytes(), b"").credentials();
        prop_assert_eq!(creds.map(|c| c.password.expose().to_string()), Some(password));
    }
}

// ---------------------------------------------------------------------------------------
// text::plain

/// Complete escape sequences a terminal-minded program may print.
fn escape() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(0..256_u16, 0..4).prop_map(|params| {
            let params: Vec<String> = params.iter().map(u16::to_string).collect();
            format!("\x1b[{}m", params.join(";"))
        }),
        select(vec![
            "\x1b[2K",
            "\x1b[1A",
            "\x1b[?25l",
            "\x1b[?25h",
            "\x1b[38;2;255;128;0m",
            "\x1b(B",
            "\x1b)0",
            "\x1b7",
            "\x1b8",
            "\x1b=",
            "\x1b>",
            "\x1bM",
            "\u{9b}0m",
        ])
        .prop_map(str::to_string),
        prop::collection::vec(
            select(('a'..='z').chain(":/.;=?&".chars()).collect::<Vec<_>>()),
            0..30
        )
        .prop_flat_map(|body| {
            let body = String::from_iter(body);
            select(vec![
                format!("\x1b]8;;{body}\x07"),
                format!("\x1b]8;;{body}\x1b\\"),
                format!("\x1b]0;{body}\x07"),
            ])
        }),
    ]
}

/// Text with no escape introducer and no carriage return.
fn clean_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        any::<char>().prop_filter("escape", |c| !matches!(c, '\u{1b}' | '\r' | '\u{9b}')),
        0..20,
    )
    .prop_map(String::from_iter)
}

proptest! {
    /// plain() is idempotent and meets the fuzz target's checks on arbitrary bytes.
    #[test]
    fn plain_is_idempotent(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        let once = plain(&bytes);
        prop_assert_eq!(plain(once.as_bytes()), once.clone());
        checks::check_plain_output(&bytes, &once);
    }

    /// ... also on inputs dense in escape bytes and line breaks.
    #[test]
    fn plain_is_idempotent_on_escape_soup(
        bytes in prop::collection::vec(select(b"\x1b[]();0m\x07\\\r\nPa\xc2\x9b".to_vec()), 0..500),
    ) {
        let once = plain(&bytes);
        prop_assert_eq!(plain(once.as_bytes()), once.clone());
        checks::check_plain_output(&bytes, &once);
        checks::text_plain(&bytes);
    }

    /// Complete escape sequences between pieces of text, and CRLF line endings, are removed
    /// and nothing else is.
    #[test]
    fn plain_removes_exactly_the_escapes(
        pieces in prop::collection::vec((clean_text(), prop::collection::vec(escape(), 0..3)), 0..12),
        crlf in any::<bool>(),
    ) {
        let mut decorated = String::new();
        let mut want = String::new();
        for (text, escapes) in &pieces {
            for e in escapes {
                decorated.push_str(e);
            }
            decorated.push_str(&if crlf { text.replace('\n', "\r\n") } else { text.clone() });
            want.push_str(text);
        }
        prop_assert_eq!(plain(decorated.as_bytes()), want, "from {:?}", decorated);
    }
}
