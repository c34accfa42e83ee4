//! What a remote command printed, as lines in the order they arrived on stdout and stderr,
//! kept within bounds: the first and last MiB of each stream, with a count of what was
//! dropped between. Endless output costs memory of a few MiB, not all it sends. A reader
//! that must see every line of a kind, wherever it comes (a password in the middle of a long
//! log), names them with [`KeepLine`]: those are kept from the dropped middle too, within
//! [`KEPT_BYTES`].

use std::collections::VecDeque;

use zeroize::Zeroize;

/// Which of the command's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn index(self) -> usize {
        match self {
            Stream::Stdout => 0,
            Stream::Stderr => 1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// How a line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    /// With `\n`: the line is whole.
    Newline,
    /// Cut at [`MAX_LINE`] bytes: more of it followed.
    Cut,
    /// The stream ended before a `\n`: whole only if the command finished.
    Eof,
}

/// One line, without its `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub stream: Stream,
    pub text: Vec<u8>,
    pub end: LineEnd,
}

/// A stretch of one stream that was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub stream: Stream,
    pub bytes: u64,
    pub lines: u64,
}

/// A line, or where lines were dropped, in arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    Line(&'a Line),
    Gap(Gap),
}

/// Bytes of each stream kept from its start.
pub const HEAD_BYTES: usize = 1 << 20;
/// Bytes of each stream kept from its end.
pub const TAIL_BYTES: usize = 1 << 20;
/// Longer lines are cut into pieces of this size.
pub const MAX_LINE: usize = 64 * 1024;
/// Bytes of each stream's [`KeepLine`] lines kept from the dropped middle.
pub const KEPT_BYTES: usize = 256 * 1024;

/// Whether a line (its bytes as they came, without `\n`) must be seen by the reader even when
/// it falls in the dropped middle of a stream.
pub type KeepLine = fn(&[u8]) -> bool;

#[derive(Default)]
struct StreamLog {
    /// The line being received.
    partial: Vec<u8>,
    head: Vec<(u64, Line)>,
    head_bytes: usize,
    tail: VecDeque<(u64, Line)>,
    tail_bytes: usize,
    /// The arrival number of the first dropped line, and what was dropped.
    gap: Option<(u64, Gap)>,
    /// [`KeepLine`] lines of the dropped middle, and their bytes.
    kept: Vec<(u64, Line)>,
    kept_bytes: usize,
    /// A [`KeepLine`] line was dropped: no room was left for it.
    kept_overflow: bool,
    received: u64,
}

/// Bytes of recent output kept as they came, for answering prompts (a prompt has no `\n`).
const RECENT: usize = 16 * 1024;

/// The output of one command. Zeroed when dropped: it may hold a password.
#[derive(Default)]
pub struct Transcript {
    streams: [StreamLog; 2],
    next: u64,
    /// The last [`RECENT`] bytes of stdout, exactly as they arrived.
    recent: VecDeque<u8>,
    keep: Option<KeepLine>,
}

impl std::fmt::Debug for Transcript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Transcript({} stdout bytes, {} stderr bytes)",
            self.received(Stream::Stdout),
            self.received(Stream::Stderr)
        )
    }
}

impl Transcript {
    pub fn new() -> Transcript {
        Transcript::default()
    }

    /// A transcript that also keeps the `keep` lines of the dropped middle.
    pub fn keeping(keep: KeepLine) -> Transcript {
        let mut transcript = Transcript::default();
        transcript.keep = Some(keep);
        transcript
    }

    /// A transcript of whole outputs, stdout's lines first (for tests and fuzzing, where
    /// the order of arrival is not known).
    pub fn of(stdout: &[u8], stderr: &[u8]) -> Transcript {
        Transcript::new().with(stdout, stderr)
    }

    /// This transcript after whole outputs, stdout's lines first.
    pub fn with(mut self, stdout: &[u8], stderr: &[u8]) -> Transcript {
        let t = &mut self;
        t.push(Stream::Stdout, stdout);
        t.finish_stream(Stream::Stdout);
        t.push(Stream::Stderr, stderr);
        t.finish();
        self
    }

    /// Takes a chunk as it arrived.
    pub fn push(&mut self, stream: Stream, mut bytes: &[u8]) {
        self.streams[stream.index()].received += bytes.len() as u64;
        if stream == Stream::Stdout {
            let keep = &bytes[bytes.len().saturating_sub(RECENT)..];
            self.recent.extend(keep);
            let excess = self.recent.len().saturating_sub(RECENT);
            self.recent.drain(..excess);
        }
        while !bytes.is_empty() {
            let partial_len = self.streams[stream.index()].partial.len();
            let room = MAX_LINE - partial_len;
            match bytes[..bytes.len().min(room)]
                .iter()
                .position(|&b| b == b'\n')
            {
                Some(at) => {
                    self.streams[stream.index()]
                        .partial
                        .extend_from_slice(&bytes[..at]);
                    self.end_line(stream, LineEnd::Newline);
                    bytes = &bytes[at + 1..];
                }
                None if bytes.len() < room => {
                    self.streams[stream.index()]
                        .partial
                        .extend_from_slice(bytes);
                    bytes = &[];
                }
                None => {
                    self.streams[stream.index()]
                        .partial
                        .extend_from_slice(&bytes[..room]);
                    self.end_line(stream, LineEnd::Cut);
                    bytes = &bytes[room..];
                }
            }
        }
    }

    /// The streams have ended: unfinished lines become lines of their own.
    pub fn finish(&mut self) {
        self.finish_stream(Stream::Stdout);
        self.finish_stream(Stream::Stderr);
    }

    fn finish_stream(&mut self, stream: Stream) {
        if !self.streams[stream.index()].partial.is_empty() {
            self.end_line(stream, LineEnd::Eof);
        }
    }

    fn end_line(&mut self, stream: Stream, end: LineEnd) {
        let seq = self.next;
        self.next += 1;
        let keep = self.keep;
        let log = &mut self.streams[stream.index()];
        let text = std::mem::take(&mut log.partial);
        let len = text.len() + 1;
        let line = Line { stream, text, end };
        if log.gap.is_none() && log.head_bytes + len <= HEAD_BYTES {
            log.head_bytes += len;
            log.head.push((seq, line));
            return;
        }
        log.tail_bytes += len;
        log.tail.push_back((seq, line));
        while log.tail_bytes > TAIL_BYTES {
            let Some((dropped_seq, mut dropped)) = log.tail.pop_front() else {
                break;
            };
            log.tail_bytes -= dropped.text.len() + 1;
            let (_, gap) = log.gap.get_or_insert((
                dropped_seq,
                Gap {
                    stream,
                    bytes: 0,
                    lines: 0,
                },
            ));
            gap.bytes += dropped.text.len() as u64 + u64::from(dropped.end == LineEnd::Newline);
            gap.lines += 1;
            if keep.is_some_and(|keep| keep(&dropped.text)) {
                if log.kept_bytes + dropped.text.len() < KEPT_BYTES {
                    log.kept_bytes += dropped.text.len() + 1;
                    log.kept.push((dropped_seq, dropped));
                    continue;
                }
                log.kept_overflow = true;
            }
            dropped.text.zeroize();
        }
    }

    /// Stdout from byte `offset` on (or from the oldest byte still kept), with the offset of
    /// its first byte: what a command has printed since a prompt was answered.
    pub fn stdout_since(&self, offset: u64) -> (u64, Vec<u8>) {
        let end = self.received(Stream::Stdout);
        let start = end - self.recent.len() as u64;
        let from = offset.clamp(start, end);
        let skip = (from - start) as usize;
        (from, self.recent.iter().skip(skip).copied().collect())
    }

    /// Bytes received on a stream, kept or not.
    pub fn received(&self, stream: Stream) -> u64 {
        self.streams[stream.index()].received
    }

    pub fn is_empty(&self) -> bool {
        self.next == 0 && self.streams.iter().all(|s| s.partial.is_empty())
    }

    /// Lines and gaps of both streams, in the order they arrived.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let mut all: Vec<(u64, Entry<'_>)> = Vec::new();
        for log in &self.streams {
            all.extend(log.head.iter().map(|(seq, line)| (*seq, Entry::Line(line))));
            if let Some((seq, gap)) = log.gap {
                all.push((seq, Entry::Gap(gap)));
            }
            all.extend(log.tail.iter().map(|(seq, line)| (*seq, Entry::Line(line))));
        }
        all.sort_by_key(|(seq, _)| *seq);
        all.into_iter().map(|(_, entry)| entry).collect()
    }

    /// The kept lines of both streams, in the order they arrived.
    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.entries().into_iter().filter_map(|e| match e {
            Entry::Line(line) => Some(line),
            Entry::Gap(_) => None,
        })
    }

    /// Every line a reader may see, with its arrival number (which counts dropped lines
    /// too, so that lines far apart never look adjacent), in the order they arrived: the
    /// kept head and tail of both streams and the [`KeepLine`] lines of their middles.
    pub fn numbered_lines(&self) -> Vec<(u64, &Line)> {
        let mut all: Vec<(u64, &Line)> = Vec::new();
        for log in &self.streams {
            for (seq, line) in log.head.iter().chain(&log.kept).chain(&log.tail) {
                all.push((*seq, line));
            }
        }
        all.sort_by_key(|(seq, _)| *seq);
        all
    }

    /// Whether a [`KeepLine`] line had to be dropped (more of them than [`KEPT_BYTES`]).
    pub fn kept_overflowed(&self) -> bool {
        self.streams.iter().any(|s| s.kept_overflow)
    }

    /// The kept lines of one stream.
    pub fn lines_of(&self, stream: Stream) -> impl Iterator<Item = &Line> {
        let log = &self.streams[stream.index()];
        log.head.iter().chain(log.tail.iter()).map(|(_, line)| line)
    }

    /// The kept lines of one stream with their arrival numbers (both streams count): a
    /// line numbered `n` ended after [`Transcript::lines_ended`] was `n`.
    pub fn numbered_lines_of(&self, stream: Stream) -> impl Iterator<Item = (u64, &Line)> {
        let log = &self.streams[stream.index()];
        log.head
            .iter()
            .chain(log.tail.iter())
            .map(|(seq, line)| (*seq, line))
    }

    /// How many lines of either stream have ended so far, kept or not.
    pub fn lines_ended(&self) -> u64 {
        self.next
    }

    /// The kept bytes of one stream, as they came (for tests and checks: nothing dropped,
    /// the stream's own bytes back).
    pub fn bytes_of(&self, stream: Stream) -> Vec<u8> {
        let mut bytes = Vec::new();
        for line in self.lines_of(stream) {
            bytes.extend_from_slice(&line.text);
            if line.end == LineEnd::Newline {
                bytes.push(b'\n');
            }
        }
        bytes
    }

    /// What was dropped, per stream.
    pub fn gaps(&self) -> Vec<Gap> {
        self.streams
            .iter()
            .filter_map(|s| s.gap.map(|g| g.1))
            .collect()
    }
}

impl Drop for Transcript {
    fn drop(&mut self) {
        self.recent.iter_mut().for_each(|b| *b = 0);
        for log in &mut self.streams {
            log.partial.zeroize();
            let lines = log
                .head
                .iter_mut()
                .chain(&mut log.kept)
                .chain(&mut log.tail);
            for (_, line) in lines {
                line.text.zeroize();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &Transcript) -> Vec<(Stream, String, LineEnd)> {
        t.lines()
            .map(|l| {
                (
                    l.stream,
                    String::from_utf8_lossy(&l.text).into_owned(),
                    l.end,
                )
            })
            .collect()
    }

    #[test]
    fn lines_keep_their_order_of_arrival_across_streams() {
        let mut t = Transcript::new();
        t.push(Stream::Stderr, b"log: starting\nlog: con");
        t.push(Stream::Stdout, b"User: admin\n");
        t.push(Stream::Stderr, b"nected\n");
        t.push(Stream::Stdout, b"Password: x");
        t.finish();
        use LineEnd::*;
        use Stream::*;
        assert_eq!(
            texts(&t),
            [
                (Stderr, "log: starting".into(), Newline),
                (Stdout, "User: admin".into(), Newline),
                (Stderr, "log: connected".into(), Newline),
                (Stdout, "Password: x".into(), Eof),
            ]
        );
    }

    #[test]
    fn endless_output_keeps_a_bounded_head_and_tail() {
        let mut t = Transcript::new();
        let line = [b'y'; 99];
        let mut chunk = Vec::new();
        for _ in 0..1000 {
            chunk.extend_from_slice(&line);
            chunk.push(b'\n');
        }
        // 100 MB of 100-byte lines.
        for _ in 0..1000 {
            t.push(Stream::Stdout, &chunk);
        }
        t.push(Stream::Stdout, b"the end\n");
        let kept: usize = t.lines().map(|l| l.text.len() + 1).sum();
        assert!(kept <= HEAD_BYTES + TAIL_BYTES, "{kept}");
        assert!(kept > HEAD_BYTES, "{kept}");
        assert_eq!(t.received(Stream::Stdout), 100_000_008);
        let gaps = t.gaps();
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].bytes + kept as u64, 100_000_008);
        assert_eq!(t.lines().last().unwrap().text, b"the end");
        // The gap sits between the head and the tail.
        let entries = t.entries();
        let at = entries
            .iter()
            .position(|e| matches!(e, Entry::Gap(_)))
            .unwrap();
        assert!(at > 0 && at < entries.len() - 1);
    }

    #[test]
    fn lines_to_keep_survive_the_dropped_middle_within_bounds() {
        fn marked(line: &[u8]) -> bool {
            line.starts_with(b"KEEP")
        }
        let filler = format!("{}\n", "y".repeat(99)).repeat(30_000);
        let mut t = Transcript::keeping(marked);
        t.push(Stream::Stdout, filler.as_bytes());
        t.push(Stream::Stdout, b"KEEP one\n");
        t.push(Stream::Stdout, filler.as_bytes());
        t.finish();
        let read: Vec<(u64, &[u8])> = t
            .numbered_lines()
            .into_iter()
            .filter(|(_, l)| marked(&l.text))
            .map(|(seq, l)| (seq, l.text.as_slice()))
            .collect();
        assert_eq!(read, [(30_000, &b"KEEP one"[..])]);
        assert!(!t.kept_overflowed());
        // Display stays the head, the gap and the tail.
        assert!(!t.lines().any(|l| marked(&l.text)));
        // Without `keeping`, the line is gone.
        let plain = Transcript::new().with(format!("{filler}KEEP one\n{filler}").as_bytes(), b"");
        assert!(!plain.numbered_lines().iter().any(|(_, l)| marked(&l.text)));

        // More kept lines than KEPT_BYTES: bounded, and said.
        let mut t = Transcript::keeping(marked);
        let many = format!("KEEP {}\n", "k".repeat(995)).repeat(2 * KEPT_BYTES / 1000);
        t.push(Stream::Stdout, filler.as_bytes());
        t.push(Stream::Stdout, many.as_bytes());
        t.push(Stream::Stdout, filler.as_bytes());
        t.finish();
        assert!(t.kept_overflowed());
        let kept: usize = t
            .numbered_lines()
            .iter()
            .map(|(_, l)| l.text.len() + 1)
            .sum();
        assert!(kept <= HEAD_BYTES + TAIL_BYTES + KEPT_BYTES, "{kept}");
    }

    #[test]
    fn a_line_without_end_is_cut_into_pieces() {
        let mut t = Transcript::new();
        t.push(Stream::Stdout, &vec![b'x'; MAX_LINE * 2 + 10]);
        t.finish();
        let ends: Vec<(usize, LineEnd)> = t.lines().map(|l| (l.text.len(), l.end)).collect();
        assert_eq!(
            ends,
            [
                (MAX_LINE, LineEnd::Cut),
                (MAX_LINE, LineEnd::Cut),
                (10, LineEnd::Eof)
            ]
        );
    }

    #[test]
    fn recent_stdout_includes_a_prompt_without_a_line_break() {
        let mut t = Transcript::new();
        t.push(Stream::Stdout, b"log line\n> Enter new  password : ");
        let (at, text) = t.stdout_since(0);
        assert_eq!(
            (at, text.as_slice()),
            (0, &b"log line\n> Enter new  password : "[..])
        );
        let (at, text) = t.stdout_since(9);
        assert_eq!((at, text.as_slice()), (9, &b"> Enter new  password : "[..]));
        // Far more output: only the recent part, from where it starts.
        t.push(Stream::Stdout, &vec![b'x'; 3 * RECENT]);
        let (at, text) = t.stdout_since(0);
        assert_eq!(text.len(), RECENT);
        assert_eq!(at, t.received(Stream::Stdout) - RECENT as u64);
    }

    #[test]
    fn each_stream_has_its_own_bounds() {
        let mut t = Transcript::new();
        t.push(Stream::Stderr, b"error: the real reason\n");
        let flood = vec![b'z'; 1000];
        for _ in 0..5000 {
            t.push(Stream::Stdout, &flood);
            t.push(Stream::Stdout, b"\n");
        }
        assert_eq!(
            t.lines_of(Stream::Stderr).next().unwrap().text,
            b"error: the real reason"
        );
    }
}
