//! Coder's password rules, passwords that satisfy them, and [`Secret`], which holds one.
//!
//! `coder reset-password` validates with `coderd/userpassword.Validate`, which
//! accepts a password when go-password-validator v0.3.0 estimates at least 52
//! bits of entropy and Go's `len(password)` (UTF-8 bytes) is at most 64. A
//! rejected password makes Coder print an error and prompt again, so we check
//! first, with the very same estimate (the `passwordvalidator` crate).

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

/// Longest password Coder accepts, in UTF-8 bytes (Go's `len`).
pub const MAX_LEN: usize = 64;
/// Entropy Coder requires, as estimated by [`entropy_bits`].
pub const MIN_ENTROPY_BITS: f64 = 52.0;
/// Length of the passwords [`generate`] makes.
pub const GENERATED_LEN: usize = 24;

/// Shortest length [`generate_with`] accepts: shorter passwords would too
/// often fall under [`MIN_ENTROPY_BITS`] and have to be drawn again.
const MIN_GENERATED_LEN: usize = 12;

/// Why Coder would refuse a password.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("password is empty: enter a password")]
    Empty,
    /// `bytes` counts UTF-8 bytes, as Coder does; it equals the number of
    /// characters for ASCII passwords.
    #[error(
        "password is too long ({bytes} bytes; Coder accepts at most {MAX_LEN}): use a shorter one"
    )]
    TooLong { bytes: usize },
    #[error(
        "password is too weak ({} bits; Coder needs at least {MIN_ENTROPY_BITS}): use a longer one \
         with mixed case, digits and symbols",
        .bits.floor()
    )]
    TooWeak { bits: f64 },
    #[error(
        "password contains a line break, which cannot be passed to `coder reset-password`: remove it"
    )]
    ContainsNewline,
    /// Coder's prompt (cli/cliui/prompt.go) reads a line starting with `{` or `[` as JSON and
    /// may reformat it or read further lines, so the password set would not be the one shown.
    #[error(
        "password starts with {0:?}, which Coder's prompt reads as JSON: start it with another character"
    )]
    LooksLikeJson(char),
    /// Spaces at either end are lost when pasted or trimmed, and then the login fails.
    #[error("password starts or ends with white space: remove it")]
    SurroundingSpace,
    /// NUL, escape and other control characters cannot be typed at a login form.
    #[error("password contains a control character ({0}): remove it")]
    ControlCharacter(String),
    /// Zero-width and bidirectional characters (Unicode's format characters) show as nothing
    /// or reorder what is shown: the password read would not be the one seen.
    #[error("password contains an invisible format character ({0}): remove it")]
    FormatCharacter(String),
}

/// Checks `password` against Coder's rules, and that it fits on the one line
/// of stdin that `coder reset-password` reads.
pub fn check(password: &str) -> Result<(), PasswordProblem> {
    if password.is_empty() {
        return Err(PasswordProblem::Empty);
    }
    if password.contains(['\n', '\r']) {
        return Err(PasswordProblem::ContainsNewline);
    }
    if let Some(c) = password
        .chars()
        .find(|c| c.is_control() && *c != '\t' || ('\u{80}'..='\u{9f}').contains(c))
    {
        return Err(PasswordProblem::ControlCharacter(format!(
            "U+{:04X}",
            c as u32
        )));
    }
    if let Some(c) = password.chars().find(|&c| crate::text::is_format(c)) {
        return Err(PasswordProblem::FormatCharacter(format!(
            "U+{:04X}",
            c as u32
        )));
    }
    if let Some(first @ ('{' | '[')) = password.chars().next() {
        return Err(PasswordProblem::LooksLikeJson(first));
    }
    if password.trim() != password {
        return Err(PasswordProblem::SurroundingSpace);
    }
    if password.len() > MAX_LEN {
        return Err(PasswordProblem::TooLong {
            bytes: password.len(),
        });
    }
    let bits = entropy_bits(password);
    if bits < MIN_ENTROPY_BITS {
        return Err(PasswordProblem::TooWeak { bits });
    }
    Ok(())
}

/// go-password-validator v0.3.0's estimate, as Coder computes it.
pub fn entropy_bits(password: &str) -> f64 {
    passwordvalidator::entropy_bits(password)
}

/// A password that is zeroed when dropped and never printed.
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(password: String) -> Self {
        Self(password)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A fresh temporary password from the OS's secure random source.
///
/// # Panics
/// If the OS cannot provide random bytes.
pub fn generate() -> Secret {
    let mut os = |buf: &mut [u8]| getrandom::fill(buf).expect("the OS random source failed");
    generate_with(&mut os, GENERATED_LEN)
}

/// A password of `len` characters drawn uniformly, with bytes from `rng`,
/// from 63 unambiguous letters, digits and quote-safe symbols; it contains
/// each of the four kinds and passes [`check`]. Candidates that miss either
/// are drawn again whole, so every acceptable password is equally likely.
///
/// # Panics
/// If `len` is outside 12..=64.
pub fn generate_with(rng: &mut dyn FnMut(&mut [u8]), len: usize) -> Secret {
    assert!(
        (MIN_GENERATED_LEN..=MAX_LEN).contains(&len),
        "generated passwords must be {MIN_GENERATED_LEN} to {MAX_LEN} characters, not {len}"
    );
    let mut bytes = ByteSource::new(rng);
    loop {
        let candidate = draw(&mut bytes, len);
        if has_every_class(candidate.expose()) && check(candidate.expose()).is_ok() {
            return candidate;
        }
    }
}

/// Letters and digits without look-alikes (0 O o 1 I l), and symbols that no
/// common shell interprets inside quotes and that need no escaping in a form.
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789@-_.+:=";

fn draw(bytes: &mut ByteSource<'_>, len: usize) -> Secret {
    // Exact capacity: no reallocation leaves a partial copy behind.
    let mut password = String::with_capacity(len);
    for _ in 0..len {
        password.push(char::from(ALPHABET[uniform_index(bytes, ALPHABET.len())]));
    }
    Secret(password)
}

fn has_every_class(password: &str) -> bool {
    let classes: [fn(&u8) -> bool; 4] = [
        u8::is_ascii_lowercase,
        u8::is_ascii_uppercase,
        u8::is_ascii_digit,
        u8::is_ascii_punctuation,
    ];
    classes
        .iter()
        .all(|class| password.bytes().any(|b| class(&b)))
}

/// An index below `n` (1..=256) with no modulo bias: bytes at or above the
/// largest multiple of `n` are thrown away, so every index has exactly
/// `256 / n` byte values.
fn uniform_index(bytes: &mut ByteSource<'_>, n: usize) -> usize {
    let limit = 256 - 256 % n;
    loop {
        let byte = usize::from(bytes.next());
        if byte < limit {
            return byte % n;
        }
    }
}

/// Buffers random bytes so the source is asked for them in batches.
struct ByteSource<'a> {
    rng: &'a mut dyn FnMut(&mut [u8]),
    buf: Zeroizing<[u8; 64]>,
    pos: usize,
}

impl<'a> ByteSource<'a> {
    fn new(rng: &'a mut dyn FnMut(&mut [u8])) -> Self {
        Self {
            rng,
            buf: Zeroizing::new([0; 64]),
            pos: 64,
        }
    }

    fn next(&mut self) -> u8 {
        if self.pos == self.buf.len() {
            (self.rng)(&mut self.buf[..]);
            self.pos = 0;
        }
        self.pos += 1;
        self.buf[self.pos - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn coder_examples() {
        assert!(matches!(
            check("password"),
            Err(PasswordProblem::TooWeak { .. })
        ));
        assert!(matches!(
            check("pass"),
            Err(PasswordProblem::TooWeak { .. })
        ));
        assert_eq!(
            check(&"a".repeat(65)),
            Err(PasswordProblem::TooLong { bytes: 65 })
        );
        assert_eq!(check("PasswordSecured123!"), Ok(()));
        assert_eq!(check("MyNewPassword!"), Ok(()));
    }

    /// Oracles that do not come from this code: coder/coder's
    /// coderd/userpassword/userpassword_test.go (TestUserPasswordValidate), and passwords
    /// whose estimate is worked out by hand from go-password-validator v0.3.0's base.go and
    /// length.go (class sizes: lower 26, upper 26, digits 10, `!@$&*` 5; bits = length ×
    /// log2(base)), on both sides of the 52 bits of coderd/userpassword.Validate and of its
    /// 64-byte limit. kubesim's `userpassword.rs` is pinned by the same tables.
    #[test]
    fn upstream_and_hand_worked_tables() {
        // userpassword_test.go; its 65 × "a" fails on entropy before the length is looked at.
        for (password, accepted) in [
            ("pass", false),
            (&"a".repeat(65), false),
            ("password", false),
            ("PasswordSecured123!", true),
        ] {
            assert_eq!(check(password).is_ok(), accepted, "{password:?}");
        }
        for (password, base, length, accepted) in [
            ("k3m9x2p7q4", 36, 10, false),       // 51.70 bits: under 52, over 50
            ("kmxpqwbvnrt", 26, 11, false),      // 51.70
            ("kM3xP9qW", 62, 8, false),          // 47.63
            ("k3m!x2p&q", 41, 9, false),         // 48.22
            ("k3m9x2p7q4w", 36, 11, true),       // 56.87
            ("kmxpqwbvnrth", 26, 12, true),      // 56.41
            ("kM3xP9qW7", 62, 9, true),          // 53.59: over 52, under 54
            ("k3m!x2p&q4", 41, 10, true),        // 53.58
            ("abcdef1111kmxpqw", 36, 10, false), // runs cut to two: 51.70
        ] {
            let bits = f64::from(length) * f64::from(base).log2();
            assert!((entropy_bits(password) - bits).abs() < 1e-9, "{password:?}");
            match check(password) {
                Ok(()) => assert!(accepted, "{password:?} ({bits:.2} bits) was accepted"),
                Err(PasswordProblem::TooWeak { bits: said }) => {
                    assert!(!accepted, "{password:?} ({bits:.2} bits) was refused");
                    assert!((said - bits).abs() < 1e-9);
                }
                Err(other) => panic!("{password:?}: {other}"),
            }
        }
        // Exactly 52 bits passes: upstream's Validate accepts `entropy >= minEntropy`
        // (validate.go). Base 16 (digits 10, `!@$&*` 5, one unclassified `é`) makes log2
        // exactly 4; 13 bytes (`é` is two) make 52.0.
        let exactly_52 = "83é91!407265";
        assert_eq!(exactly_52.len(), 13);
        assert_eq!(entropy_bits(exactly_52), 52.0);
        assert_eq!(check(exactly_52), Ok(()));
        // The 64-byte limit, on a password strong enough at any length.
        let at_limit = format!("kM3xP9qW7!zR5{}", "y".repeat(MAX_LEN - 13));
        assert_eq!(at_limit.len(), 64);
        assert_eq!(check(&at_limit), Ok(()));
        assert_eq!(
            check(&format!("{at_limit}y")),
            Err(PasswordProblem::TooLong { bytes: 65 })
        );
    }

    #[test]
    fn check_reports_each_problem() {
        assert_eq!(check(""), Err(PasswordProblem::Empty));
        assert_eq!(
            check("PasswordSecured123!\n"),
            Err(PasswordProblem::ContainsNewline)
        );
        assert_eq!(
            check("Password\rSecured123!"),
            Err(PasswordProblem::ContainsNewline)
        );
        // Coder counts bytes: 33 two-byte characters are too long.
        assert_eq!(
            check(&"é".repeat(33)),
            Err(PasswordProblem::TooLong { bytes: 66 })
        );
        assert_eq!(
            check("{PasswordSecured123!}"),
            Err(PasswordProblem::LooksLikeJson('{'))
        );
        assert_eq!(
            check("[PasswordSecured123!"),
            Err(PasswordProblem::LooksLikeJson('['))
        );
        assert_eq!(check("PasswordSecured123!{"), Ok(()));
        assert_eq!(
            check(" PasswordSecured123!"),
            Err(PasswordProblem::SurroundingSpace)
        );
        assert_eq!(
            check("PasswordSecured123!\t"),
            Err(PasswordProblem::SurroundingSpace)
        );
        assert_eq!(check("Password Secured123!"), Ok(()));
        assert_eq!(
            check("Password\0Secured123!"),
            Err(PasswordProblem::ControlCharacter("U+0000".into()))
        );
        assert_eq!(
            check("Password\u{1b}[31mSecured123!"),
            Err(PasswordProblem::ControlCharacter("U+001B".into()))
        );
        assert_eq!(
            check("Password\u{9b}Secured123!"),
            Err(PasswordProblem::ControlCharacter("U+009B".into()))
        );
        assert_eq!(
            check("Tr0ub4dor-Secured123!\u{200b}\u{202e}ZZ"),
            Err(PasswordProblem::FormatCharacter("U+200B".into()))
        );
        let at_limit = format!("{}{}", "PasswordSecured123!", "x".repeat(MAX_LEN - 19));
        assert_eq!(check(&at_limit), Ok(()));
        assert_eq!(
            check("mypassword"),
            Err(PasswordProblem::TooWeak {
                bits: entropy_bits("mypassword")
            })
        );
    }

    #[test]
    fn messages_say_what_to_do() {
        let weak = PasswordProblem::TooWeak { bits: 51.9 }.to_string();
        assert_eq!(
            weak,
            "password is too weak (51 bits; Coder needs at least 52): use a longer one with \
             mixed case, digits and symbols"
        );
        assert_eq!(
            PasswordProblem::TooLong { bytes: 70 }.to_string(),
            "password is too long (70 bytes; Coder accepts at most 64): use a shorter one"
        );
        assert!(PasswordProblem::Empty.to_string().contains("enter"));
        assert!(
            PasswordProblem::ContainsNewline
                .to_string()
                .contains("remove")
        );
    }

    #[test]
    fn secret_debug_hides_the_password() {
        let secret = Secret::from("PasswordSecured123!".to_string());
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(Secret(***))");
        assert_eq!(secret.expose(), "PasswordSecured123!");
        let generated = generate();
        assert!(!format!("{generated:?}").contains(generated.expose()));
    }

    /// Deterministic SplitMix64, so statistical tests give the same answer
    /// every run.
    fn split_mix(seed: u64) -> impl FnMut(&mut [u8]) {
        let mut state = seed;
        move |buf: &mut [u8]| {
            for byte in buf {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                *byte = (z ^ (z >> 31)) as u8;
            }
        }
    }

    /// Replays `bytes`, pads the last batch with zeros, then panics, so a
    /// test that needs more bytes than planned fails instead of looping.
    fn replay(bytes: Vec<u8>) -> impl FnMut(&mut [u8]) {
        let mut bytes = bytes.into_iter();
        let mut exhausted = false;
        move |buf: &mut [u8]| {
            assert!(!exhausted, "byte source exhausted");
            for byte in buf {
                *byte = bytes.next().unwrap_or_else(|| {
                    exhausted = true;
                    0
                });
            }
        }
    }

    fn indices_of(password: &str) -> Vec<u8> {
        password
            .bytes()
            .map(|b| ALPHABET.iter().position(|&a| a == b).unwrap() as u8)
            .collect()
    }

    #[test]
    fn alphabet_is_unambiguous_and_has_every_class() {
        assert_eq!(ALPHABET.len(), 63);
        assert_eq!(
            ALPHABET.iter().collect::<HashSet<_>>().len(),
            ALPHABET.len()
        );
        assert!(!ALPHABET.iter().any(|b| b"0Oo1Il".contains(b)));
        assert!(has_every_class(std::str::from_utf8(ALPHABET).unwrap()));
        // Nothing a shell expands inside double quotes, nor quotes themselves.
        assert!(!ALPHABET.iter().any(|b| b"$`\\!\"'%^ ".contains(b)));
    }

    #[test]
    fn every_byte_value_maps_to_the_same_number_of_indices() {
        // Cycling through all 256 byte values: exact counts, so any modulo
        // bias would show.
        let mut counter = (0..=255_u8).cycle();
        let mut rng = |buf: &mut [u8]| buf.fill_with(|| counter.next().unwrap());
        let mut bytes = ByteSource::new(&mut rng);
        let mut counts = [0_u32; 63];
        for _ in 0..252 * 100 {
            counts[uniform_index(&mut bytes, ALPHABET.len())] += 1;
        }
        assert!(counts.iter().all(|&c| c == 400), "{counts:?}");
    }

    #[test]
    fn character_choice_passes_chi_square() {
        let mut rng = split_mix(0x5eed);
        let mut bytes = ByteSource::new(&mut rng);
        let n = ALPHABET.len();
        let draws = 10_000 * n;
        let mut counts = vec![0_f64; n];
        for _ in 0..draws {
            counts[uniform_index(&mut bytes, n)] += 1.0;
        }
        let expected = (draws / n) as f64;
        let chi2: f64 = counts
            .iter()
            .map(|c| (c - expected).powi(2) / expected)
            .sum();
        // 62 degrees of freedom: 130 is the p = 1e-6 critical value. The
        // byte source is seeded, so the result is the same on every run.
        assert!(chi2 < 130.0, "chi-square {chi2}");
    }

    #[test]
    fn rejection_sampling_skips_bytes_at_the_top() {
        // 256 % 63 = 4: bytes 252..=255 are rejected, 251 is the last kept.
        let mut rng = replay(vec![252, 253, 254, 255, 251, 255, 0]);
        let mut bytes = ByteSource::new(&mut rng);
        assert_eq!(uniform_index(&mut bytes, 63), 62);
        assert_eq!(uniform_index(&mut bytes, 63), 0);
        // 256 % 100 = 56: bytes 200..=255 are rejected (256 / 100 would keep up to 253).
        let mut rng = replay(vec![230, 200, 199]);
        let mut bytes = ByteSource::new(&mut rng);
        assert_eq!(uniform_index(&mut bytes, 100), 99);

        // A source stuck at the top for a while still yields a valid password.
        let valid = "Hq7@Nx-Kd2_Rm9.Tb4+Wz8:E";
        let mut prefix = vec![255; 200];
        prefix.extend(indices_of(valid));
        assert_eq!(generate_with(&mut replay(prefix), 24).expose(), valid);
    }

    #[test]
    fn candidates_missing_a_class_or_too_weak_are_redrawn() {
        let no_symbol = "abcdefghijkABCDEFGH23456";
        let weak = format!("{}A2@", "a".repeat(21)); // every class, 5 after reduction
        let good = "k7@Pq-Ta9xZm_4Rw.Ne8Hc+V";
        assert_eq!(
            check(&weak),
            Err(PasswordProblem::TooWeak {
                bits: entropy_bits(&weak)
            })
        );
        let bytes = [no_symbol, &weak, good]
            .iter()
            .flat_map(|p| indices_of(p))
            .collect();
        assert_eq!(generate_with(&mut replay(bytes), 24).expose(), good);
    }

    #[test]
    fn accepted_candidates_are_nowhere_near_the_entropy_limit() {
        // check() is the second filter in generate_with; show it practically
        // never rejects: a candidate with every class has a base of at least
        // 67 (6.07 bits a unit), so failing takes 16 of its 24 characters
        // removed as repeats or runs. Over 30k seeded candidates the lowest
        // estimate is about 140 bits.
        let mut rng = split_mix(42);
        let mut bytes = ByteSource::new(&mut rng);
        let mut lowest = f64::INFINITY;
        let mut with_every_class = 0;
        for _ in 0..30_000 {
            let candidate = draw(&mut bytes, GENERATED_LEN);
            if has_every_class(candidate.expose()) {
                with_every_class += 1;
                lowest = lowest.min(entropy_bits(candidate.expose()));
            }
        }
        assert!(with_every_class > 25_000, "{with_every_class}");
        assert!(lowest > MIN_ENTROPY_BITS + 60.0, "lowest {lowest}");
    }

    #[test]
    fn generated_passwords_pass_and_are_distinct() {
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let secret = generate();
            let password = secret.expose();
            assert_eq!(password.len(), GENERATED_LEN);
            assert_eq!(check(password), Ok(()));
            assert!(has_every_class(password));
            assert!(password.bytes().all(|b| ALPHABET.contains(&b)));
            assert!(seen.insert(password.to_owned()), "repeated {password}");
        }
    }

    #[test]
    #[should_panic(expected = "12 to 64")]
    fn refuses_lengths_that_cannot_pass() {
        generate_with(&mut split_mix(1), 8);
    }
}
