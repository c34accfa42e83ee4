//! Coder v2's password rule as the emulated `coder` checks it: `coderd/userpassword.Validate`
//! (coder/coder coderd/userpassword/userpassword.go: `passwordvalidator.Validate(password,
//! 52)`, then at most 64 bytes), with go-password-validator v0.3.0 (wagslane/
//! go-password-validator: base.go, length.go, entropy.go, validate.go) translated here
//! statement by statement.
//!
//! Deliberately not the plugin's `passwordvalidator` crate: the simulator is the oracle the
//! plugin's own password checks are tested against (e2e, fuzz/src/checks.rs), so it must not
//! share their code. It is the plain translation of the Go, with Rust's `f64::log2` where the
//! crate reproduces Go's `math.Log2` bit for bit; the two can differ only in the last bits of
//! an estimate, which no threshold test depends on (`MARGIN`). Its tests are the upstream
//! tables (below), so it is pinned by upstream, not by the plugin.

/// The entropy Coder asks for (coderd/userpassword.Validate).
pub const MIN_ENTROPY: f64 = 52.0;
/// The longest password Coder accepts, in bytes (Go's `len`).
pub const MAX_BYTES: usize = 64;
/// Estimates this close to a threshold may differ from Go's in the last bits: a verdict there
/// is not the oracle's to give.
pub const MARGIN: f64 = 1e-9;

const REPLACE_CHARS: &str = "!@$&*";
const SEP_CHARS: &str = "_-., ";
const OTHER_SPECIAL_CHARS: &str = "\"#%'()+/:;<=>?[\\]^{|}~";
const LOWER_CHARS: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER_CHARS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS_CHARS: &str = "0123456789";

const SEQ_NUMS: &str = "0123456789";
const SEQ_KEYBOARD0: &str = "qwertyuiop";
const SEQ_KEYBOARD1: &str = "asdfghjkl";
const SEQ_KEYBOARD2: &str = "zxcvbnm";
const SEQ_ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz";

/// coderd/userpassword.Validate: `Ok` or the message Coder prints.
pub fn validate(password: &str) -> Result<(), String> {
    validate_entropy(password, MIN_ENTROPY)?;
    if password.len() > MAX_BYTES {
        return Err(format!(
            "password must be no more than {MAX_BYTES} characters"
        ));
    }
    Ok(())
}

/// The classes of validate.go and base.go, in their order of tests.
#[derive(Default)]
struct Classes {
    replace: bool,
    sep: bool,
    other_special: bool,
    lower: bool,
    upper: bool,
    digits: bool,
    /// Characters in none of them (getBase counts each distinct one).
    unclassified: bool,
}

fn classify(c: char, has: &mut Classes) {
    if REPLACE_CHARS.contains(c) {
        has.replace = true;
    } else if SEP_CHARS.contains(c) {
        has.sep = true;
    } else if OTHER_SPECIAL_CHARS.contains(c) {
        has.other_special = true;
    } else if LOWER_CHARS.contains(c) {
        has.lower = true;
    } else if UPPER_CHARS.contains(c) {
        has.upper = true;
    } else if DIGITS_CHARS.contains(c) {
        has.digits = true;
    } else {
        has.unclassified = true;
    }
}

/// passwordvalidator.Validate (validate.go).
pub fn validate_entropy(password: &str, min_entropy: f64) -> Result<(), String> {
    if get_entropy(password) >= min_entropy {
        return Ok(());
    }
    let mut has = Classes::default();
    for c in password.chars() {
        classify(c, &mut has);
    }
    let mut all_messages = Vec::new();
    if !has.other_special || !has.sep || !has.replace {
        all_messages.push("including more special characters");
    }
    if !has.lower {
        all_messages.push("using lowercase letters");
    }
    if !has.upper {
        all_messages.push("using uppercase letters");
    }
    if !has.digits {
        all_messages.push("using numbers");
    }
    if !all_messages.is_empty() {
        return Err(format!(
            "insecure password, try {} or using a longer password",
            all_messages.join(", ")
        ));
    }
    Err("insecure password, try using a longer password".to_string())
}

/// getEntropy (entropy.go): `logPow(base, length, 2)`, a sum of `log2(base)`, once per unit
/// of length.
pub fn get_entropy(password: &str) -> f64 {
    let base = get_base(password) as f64;
    let length = get_length(password);
    let mut total = 0.0;
    for _ in 0..length {
        total += base.log2();
    }
    total
}

/// getBase (base.go).
pub fn get_base(password: &str) -> usize {
    let mut chars: Vec<char> = password.chars().collect();
    chars.sort_unstable();
    chars.dedup();
    let mut has = Classes::default();
    let mut base = 0;
    for c in chars {
        let mut one = Classes::default();
        classify(c, &mut one);
        if one.unclassified {
            base += 1;
        }
        classify(c, &mut has);
    }
    for (used, chars) in [
        (has.replace, REPLACE_CHARS),
        (has.sep, SEP_CHARS),
        (has.other_special, OTHER_SPECIAL_CHARS),
        (has.lower, LOWER_CHARS),
        (has.upper, UPPER_CHARS),
        (has.digits, DIGITS_CHARS),
    ] {
        if used {
            base += chars.len();
        }
    }
    base
}

/// getLength (length.go): runes dropped, then Go's `len` of what is left, in bytes.
pub fn get_length(password: &str) -> usize {
    let mut password = remove_more_than_two_repeating_chars(password);
    for seq in [
        SEQ_NUMS,
        SEQ_KEYBOARD0,
        SEQ_KEYBOARD1,
        SEQ_KEYBOARD2,
        SEQ_ALPHABET,
    ] {
        password = remove_more_than_two_from_sequence(&password, seq);
    }
    for seq in [
        SEQ_NUMS,
        SEQ_KEYBOARD0,
        SEQ_KEYBOARD1,
        SEQ_KEYBOARD2,
        SEQ_ALPHABET,
    ] {
        let reversed: String = seq.chars().rev().collect();
        password = remove_more_than_two_from_sequence(&password, &reversed);
    }
    password.len()
}

/// removeMoreThanTwoFromSequence, with Go's index arithmetic as it is (`matches` is not reset
/// between starting points; the outer `i++` follows the inner ones).
fn remove_more_than_two_from_sequence(s: &str, seq: &str) -> String {
    let seq_runes: Vec<char> = seq.chars().collect();
    let mut runes: Vec<char> = s.chars().collect();
    let mut matches = 0;
    let mut i = 0;
    while i < runes.len() {
        for &r2 in &seq_runes {
            if i >= runes.len() {
                break;
            }
            if runes[i] != r2 {
                matches = 0;
                continue;
            }
            matches += 1;
            if matches > 2 {
                runes.remove(i);
            } else {
                i += 1;
            }
        }
        i += 1;
    }
    runes.into_iter().collect()
}

/// removeMoreThanTwoRepeatingChars: Go's `prev` and `prevPrev` start as rune 0.
fn remove_more_than_two_repeating_chars(s: &str) -> String {
    let (mut prev_prev, mut prev) = ('\0', '\0');
    let mut runes: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < runes.len() {
        let r = runes[i];
        if r == prev && r == prev_prev {
            runes.remove(i);
        } else {
            i += 1;
        }
        prev_prev = prev;
        prev = r;
    }
    runes.into_iter().collect()
}

/// Upstream's tables, the oracle's oracle. coder/coder coderd/userpassword/userpassword_test.go
/// (TestUserPasswordValidate): `pass`, 65 × `a` and `password` are refused,
/// `PasswordSecured123!` is accepted.
pub const CODER_USERPASSWORD_CASES: [(&str, bool); 3] = [
    ("pass", false),
    ("password", false),
    ("PasswordSecured123!", true),
];

/// go-password-validator v0.3.0 validate_test.go: (password, min entropy, error message or
/// "" for none).
pub const VALIDATE_TEST_CASES: [(&str, f64, &str); 4] = [
    (
        "mypass",
        50.0,
        "insecure password, try including more special characters, using uppercase letters, using numbers or using a longer password",
    ),
    (
        "MYPASS",
        50.0,
        "insecure password, try including more special characters, using lowercase letters, using numbers or using a longer password",
    ),
    ("mypassword", 4.0, ""),
    ("aGoo0dMi#oFChaR2", 80.0, ""),
];

/// Passwords whose estimate is worked out by hand from base.go and length.go, none of them
/// near a threshold: (password, base, length). Each class used adds its size to the base
/// (lower 26, upper 26, digits 10, `!@$&*` 5, `_-., ` 5, the other 22 specials 22), each
/// distinct other character 1; the length is in bytes after runs are cut. The entropy is
/// `length × log2(base)`.
pub const HAND_WORKED: [(&str, usize, usize); 10] = [
    // lower + digits: 36; 10 × 5.17 = 51.70, under 52 (over 50).
    ("k3m9x2p7q4", 36, 10),
    // 11 of them: 56.87.
    ("k3m9x2p7q4w", 36, 11),
    // lower only: 26; 11 × 4.70 = 51.70; 12: 56.41.
    ("kmxpqwbvnrt", 26, 11),
    ("kmxpqwbvnrth", 26, 12),
    // lower + upper + digits: 62; 8 × 5.95 = 47.63; 9: 53.59.
    ("kM3xP9qW", 62, 8),
    ("kM3xP9qW7", 62, 9),
    // lower + `!@$&*` + digits: 41; 10 × 5.36 = 53.58; 9: 48.22.
    ("k3m!x2p&q4", 41, 10),
    ("k3m!x2p&q", 41, 9),
    // Runs: `abcdef` keeps `ab`, `1111` keeps `11`: lower + digits, length 2 + 2 + 6 = 10.
    ("abcdef1111kmxpqw", 36, 10),
    // One unclassified two-byte character: lower + 1 = 27, length counts its 2 bytes.
    ("kmxpqwbvnré", 27, 12),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_coder_table() {
        for (password, accepted) in CODER_USERPASSWORD_CASES {
            assert_eq!(validate(password).is_ok(), accepted, "{password:?}");
        }
        assert_eq!(
            validate(&"a".repeat(65)).unwrap_err(),
            "insecure password, try including more special characters, using uppercase letters, using numbers or using a longer password"
        );
    }

    #[test]
    fn upstream_validate_table() {
        for (password, min, message) in VALIDATE_TEST_CASES {
            let got = validate_entropy(password, min).err().unwrap_or_default();
            assert_eq!(got, message, "{password:?} at {min}");
        }
    }

    /// base_test.go and length_test.go of v0.3.0.
    #[test]
    fn upstream_base_and_length_tables() {
        for (password, base) in [
            ("abcd", 26),
            ("abcdA", 52),
            ("A", 26),
            ("^_", 27),
            ("^", 22),
            ("!", 5),
            ("123", 10),
            ("123ü", 11),
        ] {
            assert_eq!(get_base(password), base, "{password:?}");
        }
        for (password, length) in [
            ("aaaa", 2),
            ("11112222", 4),
            ("aa123456", 4),
            ("876543", 2),
            ("qwerty123456z", 5),
        ] {
            assert_eq!(get_length(password), length, "{password:?}");
        }
        assert_eq!(
            remove_more_than_two_from_sequence("12345678", SEQ_NUMS),
            "12"
        );
        assert_eq!(
            remove_more_than_two_from_sequence("abcqwertyabc", SEQ_KEYBOARD0),
            "abcqwabc"
        );
        assert_eq!(remove_more_than_two_repeating_chars("aaaa"), "aa");
        assert_eq!(
            remove_more_than_two_repeating_chars("bbbbbbbaaaaaaaaa"),
            "bbaa"
        );
    }

    #[test]
    fn hand_worked_estimates_and_the_thresholds() {
        for (password, base, length) in HAND_WORKED {
            assert_eq!(get_base(password), base, "{password:?}");
            assert_eq!(get_length(password), length, "{password:?}");
            let bits = length as f64 * (base as f64).log2();
            assert!((get_entropy(password) - bits).abs() < 1e-9, "{password:?}");
            assert!(
                (bits - MIN_ENTROPY).abs() > 0.1,
                "{password:?} is too near 52"
            );
            assert_eq!(validate(password).is_ok(), bits >= 52.0, "{password:?}");
        }
        // Exactly 52 bits passes (validate.go: `entropy >= minEntropy`): base 16 (digits,
        // `!@$&*`, one unclassified `é`), 13 bytes.
        assert_eq!(get_base("83é91!407265"), 16);
        assert_eq!(get_entropy("83é91!407265"), 52.0);
        assert_eq!(validate("83é91!407265"), Ok(()));
        // The 64-byte limit, on passwords strong enough either way.
        let strong = "kM3xP9qW7!zR5";
        let at_limit = format!("{strong}{}", "y".repeat(MAX_BYTES - strong.len()));
        assert_eq!(validate(&at_limit), Ok(()));
        assert_eq!(
            validate(&format!("{at_limit}y")),
            Err("password must be no more than 64 characters".to_string())
        );
    }
}
