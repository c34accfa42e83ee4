//! go-password-validator v0.3.0 (github.com/wagslane/go-password-validator), ported bit for
//! bit: the entropy estimate Coder v2 validates new passwords with (coderd/userpassword calls
//! `passwordvalidator.Validate(password, 52)`; Coder's go.mod pins v0.3.0).
//!
//! A workspace crate of its own, kept apart from the plugin's other code. The API server
//! simulator's emulated Coder does not use it: it checks passwords with its own translation
//! (sim/src/userpassword.rs), the oracle this port is tested against. Its tests are upstream's tables
//! (base_test.go, length_test.go, entropy_test.go, validate_test.go) plus exact values from the
//! Go library compiled on amd64.

use std::fmt;

use zeroize::Zeroizing;

/// `Validate`'s error: why the password is too weak, in upstream's exact words (which Coder
/// prints to the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insecure(String);

impl fmt::Display for Insecure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Insecure {}

/// `Validate` (validate.go): `Ok` when the estimate reaches `min_entropy` bits, else the
/// message upstream builds from the character classes the password lacks.
pub fn validate(password: &str, min_entropy: f64) -> Result<(), Insecure> {
    if entropy_bits(password) >= min_entropy {
        return Ok(());
    }
    let has = |class: &str| password.chars().any(|c| class.contains(c));
    let mut advice = Vec::new();
    if !has(OTHER_SPECIAL) || !has(SEPARATORS) || !has(REPLACE) {
        advice.push("including more special characters");
    }
    if !has(LOWER) {
        advice.push("using lowercase letters");
    }
    if !has(UPPER) {
        advice.push("using uppercase letters");
    }
    if !has(DIGITS) {
        advice.push("using numbers");
    }
    Err(Insecure(if advice.is_empty() {
        "insecure password, try using a longer password".to_string()
    } else {
        format!(
            "insecure password, try {} or using a longer password",
            advice.join(", ")
        )
    }))
}

/// `GetEntropy` (entropy.go), bit for bit as on amd64: `log2(base)` added once per unit of
/// length, where `base` sums the sizes of the character classes used plus one per distinct
/// unclassified character, and `length` is the UTF-8 byte length left after dropping repeats
/// and keyboard/alphabet runs.
pub fn entropy_bits(password: &str) -> f64 {
    let length = reduced_len(password);
    if length == 0 {
        return 0.0;
    }
    // Go's logPow sums rather than multiplies, which rounds differently.
    let per_unit = go_log2(base(password) as f64);
    (0..length).fold(0.0, |total, _| total + per_unit)
}

// The character classes (base.go).
const REPLACE: &str = "!@$&*";
const SEPARATORS: &str = "_-., ";
const OTHER_SPECIAL: &str = "\"#%'()+/:;<=>?[\\]^{|}~";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";

const CLASSES: [&str; 6] = [REPLACE, SEPARATORS, OTHER_SPECIAL, LOWER, UPPER, DIGITS];

// Runs of three or more of these, either way round, count as two (length.go);
// case-sensitively, whatever upstream's README says.
const SEQUENCES: [&str; 5] = [
    "0123456789",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
];

/// getBase: the sizes of the classes used, plus one per distinct character
/// outside them.
fn base(password: &str) -> usize {
    let mut distinct = runes(password);
    distinct.sort_unstable();
    distinct.dedup();
    let mut used = [false; CLASSES.len()];
    let mut base = 0;
    for &c in distinct.iter() {
        match CLASSES.iter().position(|class| class.contains(c)) {
            Some(i) => used[i] = true,
            None => base += 1,
        }
    }
    base + CLASSES
        .iter()
        .zip(used)
        .filter_map(|(class, used)| used.then_some(class.len()))
        .sum::<usize>()
}

/// getLength: works on runes but returns `len()` of the result, i.e. bytes.
fn reduced_len(password: &str) -> usize {
    let mut runes = runes(password);
    drop_repeats(&mut runes);
    for seq in SEQUENCES {
        drop_sequence_runs(&mut runes, seq.bytes());
    }
    for seq in SEQUENCES {
        drop_sequence_runs(&mut runes, seq.bytes().rev());
    }
    runes.iter().map(|c| c.len_utf8()).sum()
}

/// The password's characters, in a buffer that is zeroed when dropped.
fn runes(password: &str) -> Zeroizing<Vec<char>> {
    let mut runes = Zeroizing::new(Vec::with_capacity(password.len()));
    runes.extend(password.chars());
    runes
}

/// removeMoreThanTwoRepeatingChars: drops a rune equal to the two before it
/// in the original string. Go starts from zero runes, so leading NULs count
/// as repeats too.
fn drop_repeats(runes: &mut Vec<char>) {
    let (mut prev_prev, mut prev) = ('\0', '\0');
    runes.retain(|&r| {
        let keep = r != prev || r != prev_prev;
        (prev_prev, prev) = (prev, r);
        keep
    });
}

/// removeMoreThanTwoFromSequence, quirks kept: `matches` carries over from
/// one starting position to the next, and the outer loop skips a rune after
/// the inner one has advanced `i`.
fn drop_sequence_runs(runes: &mut Vec<char>, seq: impl Iterator<Item = u8> + Clone) {
    let mut matches = 0;
    let mut i = 0;
    while i < runes.len() {
        for s in seq.clone() {
            if i >= runes.len() {
                break;
            }
            if runes[i] != char::from(s) {
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
}

/// Go's `math.Log2` for finite `x >= 1`, operation for operation: Rust's
/// `f64::log2` differs from it in the last bit for some bases.
fn go_log2(x: f64) -> f64 {
    let (frac, exp) = frexp(x);
    if frac == 0.5 {
        return f64::from(exp - 1);
    }
    go_log(frac) * std::f64::consts::LOG2_E + f64::from(exp)
}

/// Go's `math.Frexp` for positive normal `x`: `x = frac * 2^exp`, `frac` in [0.5, 1).
fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1022;
    (f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52)), exp)
}

/// Go's `math.Log` (FreeBSD's e_log.c, which its amd64 assembly follows
/// step by step) for `x` in [0.5, 1).
fn go_log(x: f64) -> f64 {
    // The bit patterns Go's sources give beside each constant.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const L1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
    const L2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
    const L3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
    const L4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
    const L5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
    const L6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
    const L7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);

    let (mut f1, mut k) = frexp(x);
    if f1 < std::f64::consts::FRAC_1_SQRT_2 {
        f1 *= 2.0;
        k -= 1;
    }
    let f = f1 - 1.0;
    let k = f64::from(k);
    let s = f / (2.0 + f);
    let s2 = s * s;
    let s4 = s2 * s2;
    let t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
    let t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
    let r = t1 + t2;
    let hfsq = 0.5 * f * f;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduced(s: &str, seq: &str) -> String {
        let mut runes: Vec<char> = s.chars().collect();
        drop_sequence_runs(&mut runes, seq.bytes());
        runes.into_iter().collect()
    }

    fn without_repeats(s: &str) -> String {
        let mut runes: Vec<char> = s.chars().collect();
        drop_repeats(&mut runes);
        runes.into_iter().collect()
    }

    // Upstream's own tests (base_test.go, length_test.go, entropy_test.go,
    // validate_test.go); they assert bases, lengths, messages and pass/fail
    // against a threshold, not entropy values.
    #[test]
    fn upstream_base_table() {
        for (password, expected) in [
            ("abcd", 26),
            ("abcdA", 52),
            ("A", 26),
            ("^_", 22 + 5),
            ("^", 22),
            ("!", 5),
            ("123", 10),
            ("123ü", 11),
        ] {
            assert_eq!(base(password), expected, "{password:?}");
        }
    }

    #[test]
    fn upstream_length_table() {
        for (password, expected) in [
            ("aaaa", 2),
            ("11112222", 4),
            ("aa123456", 4),
            ("876543", 2),
            ("qwerty123456z", 5),
        ] {
            assert_eq!(reduced_len(password), expected, "{password:?}");
        }
        assert_eq!(reduced("12345678", "0123456789"), "12");
        assert_eq!(reduced("abcqwertyabc", "qwertyuiop"), "abcqwabc");
        assert_eq!(reduced("", ""), "");
        assert_eq!(reduced("", "12345"), "");
        assert_eq!(without_repeats("aaaa"), "aa");
        assert_eq!(without_repeats("bbbbbbbaaaaaaaaa"), "bbaa");
        assert_eq!(without_repeats("ab"), "ab");
        assert_eq!(without_repeats(""), "");
    }

    #[test]
    fn upstream_log_pow_table() {
        for (base, pow) in [(7_i32, 8_usize), (10, 11), (11, 17)] {
            let summed = (0..pow).fold(0.0, |t, _| t + go_log2(f64::from(base)));
            let direct = (f64::from(base).powi(pow as i32)).log2();
            assert_eq!(summed.round(), direct.round(), "{base}^{pow}");
        }
    }

    #[test]
    fn upstream_validate_table() {
        assert_eq!(
            validate("mypass", 50.0).unwrap_err().to_string(),
            "insecure password, try including more special characters, using uppercase letters, using numbers or using a longer password"
        );
        assert_eq!(
            validate("MYPASS", 50.0).unwrap_err().to_string(),
            "insecure password, try including more special characters, using lowercase letters, using numbers or using a longer password"
        );
        assert_eq!(validate("mypassword", 4.0), Ok(()));
        assert_eq!(validate("aGoo0dMi#oFChaR2", 80.0), Ok(()));
        assert!(validate("123", 60.0).is_err());
        // Special characters are advised unless all three special classes are there
        // (validate.go: `!hasOtherSpecial || !hasSep || !hasReplace`): one missing is enough.
        for two_of_three in ["aA1!_", "aA1!#", "aA1_#"] {
            assert_eq!(
                validate(two_of_three, 52.0).unwrap_err().to_string(),
                "insecure password, try including more special characters or using a longer password",
                "{two_of_three}"
            );
        }
        // Every class present: only the length is left to advise.
        assert_eq!(
            validate("aA1!_#", 52.0).unwrap_err().to_string(),
            "insecure password, try using a longer password"
        );
    }

    // Exact values from go-password-validator v0.3.0 compiled with Go on
    // amd64 (math.Float64bits of GetEntropy).
    #[test]
    fn entropy_matches_go_bit_for_bit() {
        for (password, bits) in [
            ("password", 0x4042_cd40_11c8_f119_u64),
            ("PasswordSecured123!", 0x405b_4c22_7ece_5bcf),
            ("MyNewPassword!", 0x4054_6a44_fada_0247),
            ("pass", 0x4032_cd40_11c8_f119),
            ("mypass", 0x403c_33e0_1aad_69a5),
            ("mypassword", 0x4047_8090_163b_2d5f),
            ("aGoo0dMi#oFChaR2", 0x4059_91bb_a891_f171),
            ("123", 0x401a_934f_0979_a371),
            ("aa123456", 0x4034_ae00_d1cf_deb4),
            ("qwerty123456z", 0x4039_d981_0643_d661),
            ("123ü", 0x402b_acea_7c06_5d42),
            ("ü", 0),
            ("", 0),
            // Quirks: carried-over matches drop the 0; case-sensitive runs;
            // leading NULs are repeats; non-ASCII counts its bytes.
            ("89x0", 0x402f_0501_3ab7_ce0e),
            ("QWERTY", 0x403c_33e0_1aad_69a5),
            ("\0\0a", 0x4013_0501_3ab7_ce0e),
            ("😀😀😀x", 0x4045_65a1_620e_c7d1),
        ] {
            assert_eq!(
                entropy_bits(password).to_bits(),
                bits,
                "{password:?}: {}",
                entropy_bits(password)
            );
        }
    }

    #[test]
    fn go_log2_matches_go_where_std_does_not() {
        // math.Log2(3) from Go ends in ...69; f64::log2 gives ...68.
        assert_eq!(go_log2(3.0).to_bits(), 0x3ff9_5c01_a39f_bd69);
        assert_eq!(go_log2(107.0).to_bits(), 0x401a_f743_1f26_a05c);
        assert_eq!(go_log2(64.0), 6.0);
        assert_eq!(go_log2(1.0), 0.0);
    }

    #[test]
    fn non_ascii_counts_bytes_in_length_but_once_in_base() {
        // "é" is 2 bytes: 4 of them are length 4 after repeats are cut to 2.
        assert_eq!(reduced_len("éééé"), 4);
        assert_eq!(base("éèé"), 2);
    }
}
