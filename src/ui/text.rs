//! Making remote output readable: ANSI escape codes out, line endings normalised.

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
    fn last_line_skips_blank_lines() {
        assert_eq!(last_line("one\ntwo\n\n  \n"), Some("two"));
        assert_eq!(last_line("\n"), None);
    }
}
