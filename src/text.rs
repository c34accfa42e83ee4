//! Making text from elsewhere safe and readable: ANSI escape codes out of remote output
//! ([`plain`]), and every control character made visible ([`sanitize`]) before any untrusted
//! string reaches a terminal or stdout.

use std::borrow::Cow;

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

/// Makes control characters visible: C0 (except newline and tab) and DEL in caret notation
/// (`^[`, `^G`, `^?`), C1 (U+0080 to U+009F) as `<U+009B>`. Text from the pod, the API
/// server or a kubeconfig can then not move the cursor, clear the screen, change the title or
/// write the clipboard (OSC 52) when it is printed.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let unsafe_char =
        |c: char| (c.is_control() && c != '\n' && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c);
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
            c if ('\u{80}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`sanitize`] for a one-line field (a name, an image): newlines and tabs made visible too.
pub fn sanitize_line(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\t']) {
        return sanitize(text);
    }
    Cow::Owned(sanitize(&text.replace('\n', "^J").replace('\t', "^I")).into_owned())
}

/// JSON escapes only C0 controls; DEL and C1 pass through serde_json raw, and some terminals
/// act on them. As `\u` escapes they read back the same and show as text. They can only be
/// inside strings (JSON's own syntax is ASCII), so each is replaced where it stands.
pub fn escape_json_controls(json: String) -> String {
    if !json.chars().any(|c| ('\u{7f}'..='\u{9f}').contains(&c)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
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
            ("cr\r", "cr^M"),
        ];
        for (input, want) in table {
            assert_eq!(sanitize(input), *want, "{input:?}");
        }
        assert!(matches!(sanitize("fine"), Cow::Borrowed(_)));
        assert_eq!(sanitize_line("a\nb\tc\u{1b}"), "a^Jb^Ic^[");
    }

    #[test]
    fn json_keeps_its_meaning_without_raw_c1() {
        let value = serde_json::json!({"raw": "a\u{1b}]0;x\u{7}b\u{9b}2J\u{7f}"});
        let escaped = escape_json_controls(serde_json::to_string(&value).unwrap());
        assert!(!escaped.chars().any(|c| c.is_control()), "{escaped}");
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
