//! Making remote output readable: ANSI escape codes out, line endings normalised.

/// Removes ANSI/VT escape sequences (CSI such as colours, OSC such as hyperlinks, and
/// two-byte escapes) and carriage returns. Invalid UTF-8 is replaced, never fatal.
pub fn plain(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: parameters and intermediates, then one final byte in @..~
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC: until BEL or ST (ESC \)
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                            chars.next();
                            break;
                        }
                    }
                }
                _ => {}
            },
            // A lone CSI introducer (8-bit form).
            '\u{9b}' => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The last non-empty line, for one-line error messages.
pub fn last_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).rev().find(|l| !l.is_empty())
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
        ];
        for (input, want) in table {
            assert_eq!(plain(input), *want, "{input:?}");
        }
    }

    #[test]
    fn last_line_skips_blank_lines() {
        assert_eq!(last_line("one\ntwo\n\n  \n"), Some("two"));
        assert_eq!(last_line("\n"), None);
    }
}
