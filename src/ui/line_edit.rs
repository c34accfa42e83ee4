//! Line editing for the visible prompts, as a pure state machine the terminal's bytes are fed
//! to: typing, Backspace/Delete, the arrow keys, Home/End and Ctrl-U edit the line; Enter ends
//! it; Ctrl-C and Ctrl-D (on an empty line) end the prompt. Escape sequences are read whole,
//! so an arrow key never becomes `^[[D` in the answer.

/// A key, decoded from the terminal's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    /// Ctrl-U: the whole line.
    KillLine,
    Interrupt,
    /// Ctrl-D.
    EndOfInput,
    /// A key with no meaning here (F1, Tab, another control).
    Ignored,
}

/// Decodes bytes into keys: UTF-8 characters and ANSI/VT escape sequences whole.
#[derive(Debug, Default)]
pub struct Decoder {
    pending: Vec<u8>,
}

impl Decoder {
    /// The key completed by `byte`, if any.
    pub fn push(&mut self, byte: u8) -> Option<Key> {
        if !self.pending.is_empty() {
            self.pending.push(byte);
            return self.continue_pending();
        }
        Some(match byte {
            b'\r' | b'\n' => Key::Enter,
            0x03 => Key::Interrupt,
            0x04 => Key::EndOfInput,
            0x7f | 0x08 => Key::Backspace,
            0x15 => Key::KillLine,
            0x01 => Key::Home,
            0x05 => Key::End,
            0x1b => {
                self.pending.push(byte);
                return None;
            }
            b if b < 0x20 => Key::Ignored,
            b if b < 0x80 => Key::Char(char::from(b)),
            // Not a byte a UTF-8 character starts with.
            0x80..=0xc1 | 0xf5..=0xff => Key::Ignored,
            b => {
                self.pending.push(b);
                return None;
            }
        })
    }

    fn continue_pending(&mut self) -> Option<Key> {
        let p = &self.pending;
        if p[0] == 0x1b {
            // ESC [ params final, or ESC O final (xterm's application mode).
            let key = match p.as_slice() {
                [_, b'[' | b'O'] => return None,
                [_, b'[', .., f] if !(0x40..=0x7e).contains(f) => {
                    if p.len() > 16 {
                        Key::Ignored
                    } else {
                        return None;
                    }
                }
                [_, b'[' | b'O', b'D'] => Key::Left,
                [_, b'[' | b'O', b'C'] => Key::Right,
                [_, b'[' | b'O', b'H'] | [_, b'[', b'1', b'~'] => Key::Home,
                [_, b'[' | b'O', b'F'] | [_, b'[', b'4', b'~'] => Key::End,
                [_, b'[', b'3', b'~'] => Key::Delete,
                _ => Key::Ignored,
            };
            self.pending.clear();
            return Some(key);
        }
        match std::str::from_utf8(p) {
            Ok(s) => {
                let c = s.chars().next();
                self.pending.clear();
                c.map(Key::Char)
            }
            Err(e) if e.error_len().is_none() && p.len() < 4 => None,
            Err(_) => {
                self.pending.clear();
                Some(Key::Ignored)
            }
        }
    }
}

/// What a key did to the prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The line changed (or the cursor moved): redraw.
    Edited,
    /// Enter: the answer.
    Done(String),
    Interrupted,
    /// Ctrl-D on an empty line.
    EndOfInput,
    Nothing,
}

/// The line being typed and the cursor (in characters).
#[derive(Debug, Default)]
pub struct Line {
    chars: Vec<char>,
    cursor: usize,
}

impl Line {
    pub fn apply(&mut self, key: Key) -> Event {
        match key {
            Key::Char(c) => {
                self.chars.insert(self.cursor, c);
                self.cursor += 1;
            }
            Key::Enter => return Event::Done(self.chars.iter().collect()),
            Key::Interrupt => return Event::Interrupted,
            Key::EndOfInput if self.chars.is_empty() => return Event::EndOfInput,
            Key::EndOfInput | Key::Delete if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
            }
            Key::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
            }
            Key::Left if self.cursor > 0 => self.cursor -= 1,
            Key::Right if self.cursor < self.chars.len() => self.cursor += 1,
            Key::Home => self.cursor = 0,
            Key::End => self.cursor = self.chars.len(),
            Key::KillLine => {
                self.chars.clear();
                self.cursor = 0;
            }
            _ => return Event::Nothing,
        }
        Event::Edited
    }

    /// What redraws the prompt's last line: back to its start, the prompt and the line, the
    /// rest of the terminal line cleared, the cursor put back.
    pub fn redraw(&self, prompt_line: &str) -> String {
        let text: String = self.chars.iter().collect();
        let mut out = format!("\r{prompt_line}{text}\x1b[K");
        let back = self.chars.len() - self.cursor;
        if back > 0 {
            out.push_str(&format!("\x1b[{back}D"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(bytes: &[u8]) -> Vec<Key> {
        let mut decoder = Decoder::default();
        bytes.iter().filter_map(|&b| decoder.push(b)).collect()
    }

    #[test]
    fn bytes_to_keys() {
        let cases: &[(&[u8], &[Key])] = &[
            (b"ab\r", &[Key::Char('a'), Key::Char('b'), Key::Enter]),
            (
                b"\x1b[D\x1b[C\x1bOH\x1b[F",
                &[Key::Left, Key::Right, Key::Home, Key::End],
            ),
            (
                b"\x1b[3~\x1b[1~\x1b[4~",
                &[Key::Delete, Key::Home, Key::End],
            ),
            // A sequence we do not use is swallowed whole (F5, Shift-Tab).
            (
                b"\x1b[15~x\x1b[Z",
                &[Key::Ignored, Key::Char('x'), Key::Ignored],
            ),
            ("é€".as_bytes(), &[Key::Char('é'), Key::Char('€')]),
            (
                b"\x03\x04\x7f\x08\x15\t",
                &[
                    Key::Interrupt,
                    Key::EndOfInput,
                    Key::Backspace,
                    Key::Backspace,
                    Key::KillLine,
                    Key::Ignored,
                ],
            ),
            // Invalid UTF-8 is dropped, not kept half.
            (b"\xffa", &[Key::Ignored, Key::Char('a')]),
        ];
        for (bytes, want) in cases {
            assert_eq!(keys(bytes), *want, "{bytes:?}");
        }
    }

    /// Each key sequence typed, with the answer (or how the prompt ended).
    #[test]
    fn editing_table() {
        let cases: &[(&[u8], Event)] = &[
            (b"alice\r", Event::Done("alice".into())),
            // Arrow left, then a correction in the middle.
            (b"alce\x1b[D\x1b[Di\r", Event::Done("alice".into())),
            (b"alicex\x7f\r", Event::Done("alice".into())),
            (b"xalice\x1b[H\x1b[3~\r", Event::Done("alice".into())),
            (b"bob\x15alice\r", Event::Done("alice".into())),
            (b"alic\x01\x05e\r", Event::Done("alice".into())),
            // Left at the start and right at the end do nothing.
            (b"\x1b[Da\x1b[C\x1b[Cb\r", Event::Done("ab".into())),
            (b"\r", Event::Done(String::new())),
            (b"ali\x03", Event::Interrupted),
            (b"\x04", Event::EndOfInput),
            // Ctrl-D inside a line deletes, as readline does; it ends only an empty line.
            (b"ab\x01\x04\r", Event::Done("b".into())),
        ];
        for (bytes, want) in cases {
            let mut line = Line::default();
            let mut decoder = Decoder::default();
            let mut end = None;
            for &b in *bytes {
                if let Some(key) = decoder.push(b) {
                    match line.apply(key) {
                        Event::Edited | Event::Nothing => {}
                        other => {
                            end = Some(other);
                            break;
                        }
                    }
                }
            }
            assert_eq!(end.as_ref(), Some(want), "{bytes:?}");
        }
    }

    #[test]
    fn redraw_puts_the_cursor_back() {
        let mut line = Line::default();
        for c in "alice".chars() {
            line.apply(Key::Char(c));
        }
        assert_eq!(line.redraw("Owner: "), "\rOwner: alice\x1b[K");
        line.apply(Key::Left);
        line.apply(Key::Left);
        assert_eq!(line.redraw("Owner: "), "\rOwner: alice\x1b[K\x1b[2D");
    }
}
