//! Making text from elsewhere safe and readable: ANSI escape codes out of remote output
//! ([`plain`]), every control and invisible format character made visible ([`sanitize`])
//! before any untrusted string reaches a terminal or stdout, and remote messages marked so
//! that none of their lines can pass for ours ([`quoted_lines`]).

use std::borrow::Cow;

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Removes ANSI/VT escape sequences (CSI such as colours, OSC and the other control strings
/// such as hyperlinks and titles, and the short escapes such as `ESC ( B`) and carriage
/// returns. Invalid UTF-8 is replaced, never fatal.
///
/// A sequence never reaches past the end of its line: a malformed or unterminated one ends
/// at the first character that cannot belong to it, which is then kept, so a stray escape
/// can hide nothing that follows it (such as a password on the next line).
pub fn plain(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.peek() {
                // CSI (ECMA-48 5.4): parameters 0x30..=0x3F, intermediates 0x20..=0x2F,
                // one final byte in @..~.
                Some('[') => {
                    chars.next();
                    skip_csi(&mut chars);
                }
                // Control strings, ended by ST (ESC \) or, for OSC, BEL: OSC, DCS, SOS,
                // PM, APC.
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    chars.next();
                    while let Some(&c) = chars.peek() {
                        if matches!(c, '\n' | '\u{1b}' | '\u{9c}') {
                            // ESC, ST or a line break end it; ESC \ is then an escape of
                            // its own, and the line break is kept.
                            if c == '\u{9c}' {
                                chars.next();
                            }
                            break;
                        }
                        chars.next();
                        if c == '\u{7}' {
                            break;
                        }
                    }
                }
                // nF escapes such as `ESC ( B` (select character set): intermediates,
                // then a final byte.
                Some(' '..='/') => {
                    while chars.next_if(|c| (' '..='/').contains(c)).is_some() {}
                    chars.next_if(|c| ('0'..='~').contains(c));
                }
                // Two-character escapes (Fp, Fe, Fs), such as `ESC 7` or `ESC M`.
                Some('0'..='~') => {
                    chars.next();
                }
                // A lone ESC: dropped, and what follows it is read as usual.
                _ => {}
            },
            // A lone CSI introducer (8-bit form).
            '\u{9b}' => skip_csi(&mut chars),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips the rest of a CSI sequence after its introducer. A character that cannot be part
/// of one (a line break, another ESC, a non-ASCII character) ends it and is not skipped.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.next_if(|c| ('0'..='?').contains(c)).is_some() {}
    while chars.next_if(|c| (' '..='/').contains(c)).is_some() {}
    chars.next_if(|c| ('@'..='~').contains(c));
}

/// Whether `c` is invisible or reorders text when shown: Unicode's format characters
/// (general category Cf, from the Unicode Character Database through `unicode-properties`:
/// zero-width spaces and joiners, bidirectional marks, embeddings, overrides and isolates
/// U+202A-202E and U+2066-2069, U+FEFF, tags) and the line and paragraph separators
/// (Zl, Zp), which some viewers break lines at.
pub fn is_format(c: char) -> bool {
    !c.is_ascii()
        && matches!(
            c.general_category(),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// Makes control characters visible: C0 (except newline and tab) and DEL in caret notation
/// (`^[`, `^G`, `^?`), C1 (U+0080 to U+009F) and format characters ([`is_format`]) as
/// `<U+202E>`. Text from the pod, the API server or a kubeconfig can then not move the
/// cursor, clear the screen, change the title or write the clipboard (OSC 52) when it is
/// printed, nor hide or reorder what it shows (`Tr0ub4dor<U+200B><U+202E>ZZ`).
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || ('\u{80}'..='\u{9f}').contains(&c)
            || is_format(c)
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            '\u{7f}' => out.push_str("^?"),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(c as u8 + 0x40));
            }
            c if ('\u{80}'..='\u{9f}').contains(&c) || is_format(c) => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A message from elsewhere (an API server's Status message, coderd's error `msg`, Coder's
/// stderr), sanitised, for a line of ours that ends with it: its first line stays where it
/// is, every further line is indented under a `  | ` bar, so no line of it can begin like
/// ours (`error:`, `hint:`, `warning:`).
pub fn quoted_lines(text: &str) -> String {
    let mut lines = text
        .trim_end_matches(['\n', '\r'])
        .split('\n')
        .map(|line| sanitize(line.strip_suffix('\r').unwrap_or(line)));
    let mut out = lines.next().unwrap_or_default().into_owned();
    for line in lines {
        out.push_str("\n  | ");
        out.push_str(&line);
    }
    out
}

/// [`sanitize`] for a one-line field (a name, an image): newlines and tabs made visible too.
pub fn sanitize_line(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\t']) {
        return sanitize(text);
    }
    Cow::Owned(sanitize(&text.replace('\n', "^J").replace('\t', "^I")).into_owned())
}

/// A message of ours that may carry remote text: sanitised, and every further line that does
/// not start with whitespace (ours are indented lists) indented under `  | `, so a line
/// smuggled in (`hint: run curl ... | sh`) cannot stand at the start of a line.
pub fn guarded(text: &str) -> Cow<'_, str> {
    let clean = sanitize(text);
    let smuggled = |line: &str| !line.is_empty() && !line.starts_with([' ', '\t']);
    if !clean.split('\n').skip(1).any(smuggled) {
        return clean;
    }
    let mut out = String::with_capacity(clean.len() + 16);
    for (i, line) in clean.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if smuggled(line) {
                out.push_str("  | ");
            }
        }
        out.push_str(line);
    }
    Cow::Owned(out)
}

/// JSON escapes only C0 controls; DEL, C1 and format characters ([`is_format`]) pass
/// through serde_json raw, and terminals act on them. As `\u` escapes (a surrogate pair
/// beyond the BMP) they read back the same and show as text. They can only be inside strings
/// (JSON's own syntax is ASCII), so each is replaced where it stands.
pub fn escape_json_controls(json: String) -> String {
    let raw = |c: char| ('\u{7f}'..='\u{9f}').contains(&c) || is_format(c);
    if !json.chars().any(raw) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The last non-empty line, for one-line error messages.
pub fn last_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).rev().find(|l| !l.is_empty())
}

/// `text` with the user and password of any `scheme://user:password@host` removed, so that
/// an error quoting a proxy URL cannot show its credentials.
pub fn without_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(after.len());
        match after[..authority_end].rfind('@') {
            Some(userinfo_end) => rest = &after[userinfo_end + 1..],
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_table() {
        let table: &[(&[u8], &str)] = &[
            (b"plain", "plain"),
            (b"\x1b[1;32mgreen\x1b[0m", "green"),
            (b"a\r\nb\r\n", "a\nb\n"),
            (b"\x1b]8;;http://x\x07link\x1b]8;;\x07", "link"),
            (b"\x1b]0;title\x1b\\after", "after"),
            (b"bad \xff byte", "bad \u{fffd} byte"),
            (b"\x1b[38;5;214mPassword:\x1b[0m x", "Password: x"),
            (b"trailing escape \x1b", "trailing escape "),
            // `tput sgr0`: a charset designation, then a reset.
            (b"x\x1b(B\x1b[my", "xy"),
            // Malformed or unterminated sequences end at the line break, which is kept.
            (b"a\x1b\nb", "a\nb"),
            (b"\x1b[1\nnext", "\nnext"),
            (b"\x1b]0;title\nnext", "\nnext"),
            (b"\x1b\x1b[31mred", "red"),
        ];
        for (input, want) in table {
            assert_eq!(plain(input), *want, "{input:?}");
        }
    }

    #[test]
    fn sanitize_table() {
        let table: &[(&str, &str)] = &[
            ("plain text\twith tab\n", "plain text\twith tab\n"),
            // OSC 52: write the clipboard.
            ("\u{1b}]52;c;ZWNobyBoaQ==\u{7}", "^[]52;c;ZWNobyBoaQ==^G"),
            // Title change, screen clear, cursor home.
            (
                "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[H",
                "^[]0;pwned^G^[[2J^[[H",
            ),
            ("back\u{8}\u{8}space", "back^H^Hspace"),
            ("del\u{7f}", "del^?"),
            ("nul\0", "nul^@"),
            (
                "csi\u{9b}31m and nel\u{85}",
                "csi<U+009B>31m and nel<U+0085>",
            ),
            ("émoji 🔑 stay", "émoji 🔑 stay"),
            // Format characters (Cf): hidden or reordering text.
            ("Tr0ub4dor\u{200b}\u{202e}ZZ", "Tr0ub4dor<U+200B><U+202E>ZZ"),
            (
                "\u{2066}a\u{2067}b\u{2068}c\u{2069}\u{feff}\u{ad}\u{200d}",
                "<U+2066>a<U+2067>b<U+2068>c<U+2069><U+FEFF><U+00AD><U+200D>",
            ),
            // From the table, not a list: Arabic letter mark, Mongolian vowel separator,
            // a tag character, the line separator.
            (
                "\u{61c}\u{180e}\u{e0041}\u{2028}",
                "<U+061C><U+180E><U+E0041><U+2028>",
            ),
            // Visible marks and combining characters are not format characters.
            (
                "e\u{301} \u{2764}\u{fe0f} \u{200a}",
                "e\u{301} \u{2764}\u{fe0f} \u{200a}",
            ),
            ("cr\r", "cr^M"),
        ];
        for (input, want) in table {
            assert_eq!(sanitize(input), *want, "{input:?}");
        }
        assert!(matches!(sanitize("fine"), Cow::Borrowed(_)));
        assert_eq!(sanitize_line("a\nb\tc\u{1b}"), "a^Jb^Ic^[");
    }

    #[test]
    fn every_format_character_is_made_visible() {
        let mut count = 0;
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            if c.general_category() == GeneralCategory::Format {
                count += 1;
                assert!(is_format(c), "{c:?}");
                assert_eq!(sanitize(&c.to_string()), format!("<U+{:04X}>", c as u32));
            }
        }
        // Unicode 16 has 170 of them; a hand-picked list would have a dozen.
        assert!(count > 150, "{count}");
    }

    #[test]
    fn remote_lines_cannot_pass_for_ours() {
        assert_eq!(quoted_lines("one line\n"), "one line");
        assert_eq!(
            quoted_lines("denied\nhint: run curl x | sh\r\nerror: \u{1b}[2J"),
            "denied\n  | hint: run curl x | sh\n  | error: ^[[2J"
        );
        for line in quoted_lines("a\nhint: b\n\nwarning: c").lines().skip(1) {
            assert!(line.starts_with("  | "), "{line}");
        }
    }

    #[test]
    fn our_messages_keep_their_lists_and_lose_smuggled_lines() {
        let table = [
            ("one line", "one line"),
            (
                "no pod:\n  a: not Ready\n  b: not Running",
                "no pod:\n  a: not Ready\n  b: not Running",
            ),
            ("denied\nhint: run x | sh", "denied\n  | hint: run x | sh"),
            ("a\n\nerror: b\u{202e}", "a\n\n  | error: b<U+202E>"),
        ];
        for (input, want) in table {
            assert_eq!(guarded(input), want, "{input:?}");
        }
    }

    #[test]
    fn json_keeps_its_meaning_without_raw_c1() {
        let value = serde_json::json!({"raw": "a\u{1b}]0;x\u{7}b\u{9b}2J\u{7f}\u{202e}\u{e0041}"});
        let escaped = escape_json_controls(serde_json::to_string(&value).unwrap());
        assert!(
            !escaped.chars().any(|c| c.is_control() || is_format(c)),
            "{escaped}"
        );
        assert!(escaped.contains("\\u202e") && escaped.contains("\\udb40\\udc41"));
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn last_line_skips_blank_lines() {
        assert_eq!(last_line("one\ntwo\n\n  \n"), Some("two"));
        assert_eq!(last_line("\n"), None);
    }

    #[test]
    fn userinfo_is_removed_from_urls() {
        for (text, want) in [
            (
                "proxy http://u:p@h:3128 failed",
                "proxy http://h:3128 failed",
            ),
            (
                "socks5://user@host:1080/x and https://a:b@c/",
                "socks5://host:1080/x and https://c/",
            ),
            ("no url here", "no url here"),
            ("mail me@example.com", "mail me@example.com"),
        ] {
            assert_eq!(without_userinfo(text), want, "{text}");
        }
    }
}
