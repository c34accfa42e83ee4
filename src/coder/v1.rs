//! Coder v1 (`coderd`, or `cemanager` in very old charts): the reset command and a strict
//! reader of its output, whose exact format Coder never published: credentials are accepted
//! only in the documented shapes, and anything doubtful is shown raw rather than guessed.

use zeroize::Zeroizing;

use crate::coder::password::Secret;
use crate::kube::transcript::{LineEnd, Transcript};
use crate::text;

/// The site admin of Coder v1 is always this user.
pub const ADMIN_USER: &str = "admin";

/// `coderd reset-admin-password` (or `cemanager ...`): the binary, never a shell.
pub fn reset_admin_argv(binary: &str) -> Vec<String> {
    vec![binary.to_string(), "reset-admin-password".to_string()]
}

/// What the reset printed, once understood.
#[derive(Debug)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

/// What the output says.
#[derive(Debug)]
pub enum Reading {
    /// One password, in one of the known shapes.
    Credentials(Credentials),
    /// No password in any known shape.
    Nothing,
    /// Something shaped like credentials that cannot be trusted: two different passwords, or
    /// a value that cannot be a password. The raw output must be shown instead.
    Ambiguous(String),
}

/// Finds the username and temporary password in the command's output, read line by line in
/// the order the lines arrived.
///
/// Known shapes, each at the start of a line once a log prefix (timestamps, levels, `[INFO]`,
/// `<coderd>`) and ANSI colours are removed:
/// - the boxed `User:` / `Password:` block, and the Docker image's `> 🙋 Username:` /
///   `> 🔑 Password:` lines: the value is the rest of the line;
/// - a structured log line, `key=value` (logfmt) or a JSON object, with top-level `password`
///   and `user`/`username` keys; a line that looks like a database DSN (`host=`, `dbname=`,
///   `sslmode=`) is not credentials.
///
/// Keys are whole words (`-` and `_` belong to a word: `reset-admin-password:` is not
/// `password:`). A line cut short is never read: only lines that ended, or the last line of a
/// command that `finished` (reported an exit status). A `User` line names the password's user
/// only within [`USER_LINE_WINDOW`] lines before it (counted in arrival order, both streams).
///
/// Every line is read, however long the output, when the transcript was made with
/// [`Transcript::keeping`]`(`[`may_hold_credentials`]`)`: the lines that matter are kept from
/// the dropped middle too. If even those overflowed, the output is not understood.
pub fn read_reset_output(transcript: &Transcript, finished: bool) -> Reading {
    if transcript.kept_overflowed() {
        return Reading::Ambiguous(
            "more credential lines than can be kept from the middle of the output".to_string(),
        );
    }
    let mut found: Vec<(String, Option<String>)> = Vec::new();
    let mut recent_user: Option<(u64, String)> = None;
    for (index, line) in transcript.numbered_lines() {
        let whole = match line.end {
            LineEnd::Newline => true,
            LineEnd::Eof => finished,
            LineEnd::Cut => false,
        };
        if !whole {
            continue;
        }
        let text = Zeroizing::new(text::plain(&line.text));
        let rest = strip_log_prefix(&text);
        let mut fields = fields(rest);
        // A structured line's user goes with its own password, whatever the key order.
        fields.sort_by_key(|(key, _)| *key != Key::User);
        for (key, value) in fields {
            match key {
                Key::User => {
                    if plausible_username(&value) {
                        recent_user = Some((index, value.to_string()));
                    }
                }
                Key::Password => {
                    if value.chars().all(|c| c == '*') {
                        // Masked, as create-admin-user prints it: not a password.
                        continue;
                    }
                    if !plausible_password(&value) {
                        // The value stays out of the message: it goes to stderr.
                        return Reading::Ambiguous(
                            "a password line whose value cannot be a password".to_string(),
                        );
                    }
                    // The block's User line comes just before its Password line.
                    let user = recent_user
                        .as_ref()
                        .filter(|(at, _)| index - at <= USER_LINE_WINDOW)
                        .map(|(_, u)| u.clone());
                    found.push((value.to_string(), user));
                }
            }
        }
    }
    let Some((first, _)) = found.first() else {
        return Reading::Nothing;
    };
    if found.iter().any(|(p, _)| p != first) {
        return Reading::Ambiguous(format!("{} different passwords in the output", {
            let mut distinct: Vec<&String> = found.iter().map(|(p, _)| p).collect();
            distinct.sort();
            distinct.dedup();
            distinct.len()
        }));
    }
    let username = found
        .iter()
        .find_map(|(_, u)| u.clone())
        .unwrap_or_else(|| ADMIN_USER.to_string());
    let (password, _) = found.swap_remove(0);
    Reading::Credentials(Credentials {
        username,
        password: Secret::from(password),
    })
}

impl Reading {
    pub fn credentials(self) -> Option<Credentials> {
        match self {
            Reading::Credentials(c) => Some(c),
            Reading::Nothing | Reading::Ambiguous(_) => None,
        }
    }
}

/// The boxed block puts `User:` on the line before `Password:`; a log line or two of the
/// other stream may arrive between them, no more.
pub const USER_LINE_WINDOW: u64 = 3;

/// Whether a line (as it came) is one [`read_reset_output`] acts on: a `User`/`Password` line
/// in any known shape. For [`Transcript::keeping`], so such a line is read wherever it comes.
pub fn may_hold_credentials(line: &[u8]) -> bool {
    let text = Zeroizing::new(text::plain(line));
    !fields(strip_log_prefix(&text)).is_empty()
}

/// [`read_reset_output`] over whole outputs, stdout's lines first (the order of arrival is
/// not known), as from a command that finished.
pub fn parse_reset_output(stdout: &[u8], stderr: &[u8]) -> Reading {
    let transcript = Transcript::keeping(may_hold_credentials).with(stdout, stderr);
    read_reset_output(&transcript, true)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    User,
    Password,
}

fn key(word: &str) -> Option<Key> {
    if word.eq_ignore_ascii_case("password") {
        Some(Key::Password)
    } else if word.eq_ignore_ascii_case("user") || word.eq_ignore_ascii_case("username") {
        Some(Key::User)
    } else {
        None
    }
}

/// The credentials fields of one line (after its log prefix), in any known shape.
fn fields(rest: &str) -> Vec<(Key, Zeroizing<String>)> {
    if let Some(found) = labelled(rest) {
        return vec![found];
    }
    if rest.starts_with('{') {
        return json_fields(rest);
    }
    logfmt_fields(rest)
}

/// `User: admin`, `Password: x`, `> 🔑 Password: x`: a key at the start, a colon, the rest.
fn labelled(rest: &str) -> Option<(Key, Zeroizing<String>)> {
    // The Docker image's `> 🙋 ` and `> 🔑 `: a `>` and symbols before the key.
    let rest = match rest.strip_prefix('>') {
        // Symbols only: a letter of another script glued to the key makes another word.
        Some(after) => after.trim_start_matches(|c: char| {
            (!c.is_ascii() && !c.is_alphanumeric()) || c.is_whitespace()
        }),
        None => rest,
    };
    let word_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let found = key(&rest[..word_len])?;
    let after = rest[word_len..].trim_start_matches([' ', '\t']);
    let value = after.strip_prefix(':')?.trim();
    Some((found, Zeroizing::new(value.to_string())))
}

/// Top-level `password` and `user`/`username` strings of a JSON object line.
fn json_fields(rest: &str) -> Vec<(Key, Zeroizing<String>)> {
    let Ok(serde_json::Value::Object(object)) = serde_json::from_str::<serde_json::Value>(rest)
    else {
        return Vec::new();
    };
    object
        .iter()
        .filter_map(|(k, v)| Some((key(k)?, Zeroizing::new(v.as_str()?.to_string()))))
        .collect()
}

/// Keys of a libpq connection string: such a line is a DSN, not credentials.
const DSN_KEYS: [&str; 4] = ["host", "hostaddr", "dbname", "sslmode"];

/// `password` and `user`/`username` of a logfmt line: every token `key=value` or
/// `key="quoted value"`, separated by spaces. A line with bare words is prose, not logfmt.
fn logfmt_fields(rest: &str) -> Vec<(Key, Zeroizing<String>)> {
    let mut pairs = Vec::new();
    let mut chars = rest.trim().chars().peekable();
    while chars.peek().is_some() {
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            name.push(c);
            chars.next();
        }
        if chars.next() != Some('=') || name.is_empty() {
            return Vec::new();
        }
        let mut value = Zeroizing::new(String::new());
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.push(chars.next().unwrap_or('\\')),
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => value.push(c),
                }
            }
            if !closed {
                return Vec::new();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        pairs.push((name, value));
    }
    if pairs
        .iter()
        .any(|(name, _)| DSN_KEYS.iter().any(|k| name.eq_ignore_ascii_case(k)))
    {
        return Vec::new();
    }
    pairs
        .into_iter()
        .filter_map(|(name, value)| Some((key(&name)?, value)))
        .collect()
}

/// Drops what loggers put before the message: timestamps, levels, `[tags]`, `<tags>`.
fn strip_log_prefix(line: &str) -> &str {
    const LEVELS: [&str; 8] = [
        "TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR", "FATAL",
    ];
    let mut rest = line.trim_start();
    loop {
        let token_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..token_len];
        let bracketed = (token.starts_with('[') && token.ends_with(']'))
            || (token.starts_with('<') && token.ends_with('>'))
            || (token.starts_with('(') && token.ends_with(')'));
        let stamp = token.starts_with(|c: char| c.is_ascii_digit())
            && token
                .chars()
                .all(|c| c.is_ascii_digit() || "-:.,/TZ+".contains(c));
        let level = LEVELS
            .iter()
            .any(|l| token.trim_end_matches(':').eq_ignore_ascii_case(l));
        if token.len() > 1 && token_len < rest.len() && (bracketed || stamp || level) {
            rest = rest[token_len..].trim_start();
        } else {
            return rest;
        }
    }
}

/// A temporary password Coder could have made: printable, no spaces, nothing invisible
/// (format characters would make it display as another), not absurdly long.
fn plausible_password(value: &str) -> bool {
    !value.is_empty()
        && value.chars().count() <= 256
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || text::is_format(c))
}

fn plausible_username(value: &str) -> bool {
    !value.is_empty()
        && value.chars().count() <= 64
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || text::is_format(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coder::target::Generation;
    use crate::kube::transcript::Stream;

    /// Only whole prefix tokens go: a bracket closed in the same token, a stamp made of
    /// digits and separators that starts with a digit, a level.
    #[test]
    fn log_prefixes_table() {
        for (line, rest) in [
            ("[INFO] Password: x", "Password: x"),
            ("<coderd> (main) Password: x", "Password: x"),
            ("2026-11-27 10:00:00.000 WARN: Password: x", "Password: x"),
            ("2026/11/27T10:00:00Z+01 Password: x", "Password: x"),
            // Not prefixes: an unclosed or unopened bracket, a word that starts with a
            // digit, separators without a digit.
            ("[note Password: x", "[note Password: x"),
            ("note] Password: x", "note] Password: x"),
            ("<b Password: x", "<b Password: x"),
            ("b> Password: x", "b> Password: x"),
            ("(see Password: x", "(see Password: x"),
            ("see) Password: x", "see) Password: x"),
            ("1st Password: x", "1st Password: x"),
            ("-- Password: x", "-- Password: x"),
            // One character is a word, not a prefix.
            ("1 Password: x", "1 Password: x"),
            // The last token stays, whatever it is.
            ("[INFO]", "[INFO]"),
        ] {
            assert_eq!(strip_log_prefix(line), rest, "{line:?}");
        }
    }

    /// `> 🔑 Password:` drops symbols after the `>`, never a letter of another script.
    #[test]
    fn labelled_lines() {
        let read = |line: &str| labelled(line).map(|(k, v)| (k, v.to_string()));
        assert_eq!(read("> 🔑 Password: x"), Some((Key::Password, "x".into())));
        assert_eq!(read(">User:admin"), Some((Key::User, "admin".into())));
        assert_eq!(read(">é Password: x"), None);
        assert_eq!(read(">-Password: x"), None);
        assert_eq!(read("Passwords: x"), None);
    }

    /// A `User:` value that could name a Coder v1 user: not empty, at most 64 characters,
    /// no spaces, control or format characters (otherwise the default `admin` is reported).
    #[test]
    fn plausible_usernames() {
        for (value, plausible) in [
            ("admin", true),
            (&*"u".repeat(64), true),
            ("", false),
            (&*"u".repeat(65), false),
            ("ad min", false),
            ("ad\u{7}min", false),
            ("ad\u{200b}min", false),
        ] {
            assert_eq!(plausible_username(value), plausible, "{value:?}");
        }
    }

    #[test]
    fn logfmt_lines() {
        let read = |line: &str| -> Vec<(Key, String)> {
            logfmt_fields(line)
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect()
        };
        assert_eq!(
            read(r#"level=info user=admin password="a b\"c""#),
            [
                (Key::User, "admin".into()),
                (Key::Password, r#"a b"c"#.into())
            ]
        );
        // Prose, an unclosed quote, a DSN: not credentials.
        assert_eq!(read("the password=x was set"), []);
        assert_eq!(read("password=x was set"), []);
        assert_eq!(read("=x password=p"), []);
        assert_eq!(read(r#"password="x"#), []);
        assert_eq!(read("host=db user=coder password=x"), []);
    }

    #[derive(Debug, PartialEq)]
    enum Read {
        Found(&'static str, String),
        Nothing,
        Ambiguous,
    }

    fn read(stdout: &str) -> Read {
        match parse_reset_output(stdout.as_bytes(), b"") {
            Reading::Credentials(c) => Read::Found(
                match c.username.as_str() {
                    "admin" => "admin",
                    "root" => "root",
                    other => panic!("unexpected username {other}"),
                },
                c.password.expose().to_string(),
            ),
            Reading::Nothing => Read::Nothing,
            Reading::Ambiguous(_) => Read::Ambiguous,
        }
    }

    fn found(user: &'static str, password: &str) -> Read {
        Read::Found(user, password.into())
    }

    const BLOCK: &str =
        "----------------------\nUser:     admin\nPassword: kv8Hq2k3\n----------------------\n";

    #[test]
    fn shapes_table() {
        let table = [
            ("boxed", BLOCK.to_string(), found("admin", "kv8Hq2k3")),
            (
                "docker image",
                "> 🙋 Username: admin\n> 🔑 Password: 5hT9x7n\n".into(),
                found("admin", "5hT9x7n"),
            ),
            (
                "log prefixes and colours",
                "2026-11-27 10:00:00.000 [INFO]\t<coderd>\tUser:     \x1b[1madmin\x1b[0m\r\n2026-11-27 10:00:00.001 [INFO]\t<coderd>\tPassword: \x1b[1;32mAb3$x9\x1b[0m\r\n".into(),
                found("admin", "Ab3$x9"),
            ),
            (
                "ISO timestamp and level word",
                "2026-11-27T10:00:00Z INFO Password: Zz9-x_y\n".into(),
                found("admin", "Zz9-x_y"),
            ),
            (
                "key=value log",
                "level=info msg=\"reset\" user=root password=Zq81k\n".into(),
                found("root", "Zq81k"),
            ),
            (
                "quoted key=value",
                "level=info msg=\"reset done\" password=\"a b\\\"c\"\n".into(),
                Read::Ambiguous,
            ),
            (
                "json log",
                "{\"level\":\"info\",\"user\":\"root\",\"password\":\"J7h&k\"}\n".into(),
                found("root", "J7h&k"),
            ),
            ("no username line", "Password: onlypw\n".into(), found("admin", "onlypw")),
            (
                "the whole value, punctuation and all",
                "Password: Ab,cd}ef'gh\n".into(),
                found("admin", "Ab,cd}ef'gh"),
            ),
            ("masked is not a password", "Password: ********\n".into(), Read::Nothing),
            ("prose", "admin password reset complete\n".into(), Read::Nothing),
            (
                "a word that merely ends in password",
                "newpassword: x\nresetpassword=y\n".into(),
                Read::Nothing,
            ),
            (
                "- and _ are part of words",
                "coderd reset-admin-password: connecting to database\nreset_password: x\n".into(),
                Read::Nothing,
            ),
            (
                "a log line after the block",
                format!("{BLOCK}2026-11-27 10:00:01 [INFO] <coderd> reset-admin-password: done\n"),
                found("admin", "kv8Hq2k3"),
            ),
            (
                "a database DSN beside the block",
                format!("connecting host=db user=coder password=hunter2 dbname=coder sslmode=disable\n{BLOCK}"),
                found("admin", "kv8Hq2k3"),
            ),
            (
                "a DSN inside a logged value",
                format!("level=debug msg=connect dsn=\"host=db password=hunter2\"\nlevel=debug url=postgres://c:x@db/c?password=y\n{BLOCK}"),
                found("admin", "kv8Hq2k3"),
            ),
            (
                "a password key inside a sentence",
                "the password: is what you typed\n".into(),
                Read::Nothing,
            ),
            (
                "a value that cannot be a password",
                "Password: connecting to database\n".into(),
                Read::Ambiguous,
            ),
            (
                "two different passwords",
                "Password: old-one-1\nPassword: new-one-2\n".into(),
                Read::Ambiguous,
            ),
            (
                "the same password twice",
                format!("{BLOCK}level=info password=kv8Hq2k3\n"),
                found("admin", "kv8Hq2k3"),
            ),
            ("empty", String::new(), Read::Nothing),
            (
                "a zero-width space and a right-to-left override in the password",
                "Password: Tr0ub4dor\u{200b}\u{202e}ZZ\n".into(),
                Read::Ambiguous,
            ),
            (
                "a byte order mark, an isolate, a tag",
                "Password: a\u{feff}b\nPassword: c\u{2066}d\nPassword: e\u{e0041}\n".into(),
                Read::Ambiguous,
            ),
            (
                "the User line just before, or two lines between",
                "User: root\nPassword: near-1\n".into(),
                found("root", "near-1"),
            ),
            (
                "the User line three lines before: still the block",
                "User: root\nlog a\nlog b\nPassword: near-3\n".into(),
                found("root", "near-3"),
            ),
            (
                "a User line four lines before is another block's",
                "User: root\nlog a\nlog b\nlog c\nPassword: far-4\n".into(),
                found("admin", "far-4"),
            ),
        ];
        for (what, output, want) in table {
            assert_eq!(read(&output), want, "{what}");
        }
    }

    #[test]
    fn a_line_cut_by_the_end_of_the_stream_is_never_read() {
        let mut t = Transcript::new();
        t.push(Stream::Stdout, b"User: admin\nPassword: conn");
        t.finish();
        assert!(matches!(read_reset_output(&t, false), Reading::Nothing));
        // The same line from a command that exited is whole.
        assert!(matches!(
            read_reset_output(&t, true),
            Reading::Credentials(_)
        ));
    }

    #[test]
    fn streams_are_read_in_the_order_lines_arrived() {
        // stderr's log line arrived between the User and Password lines: still one block.
        let mut t = Transcript::new();
        t.push(Stream::Stdout, b"User: root\n");
        t.push(Stream::Stderr, b"2026-11-27 [INFO] audit: saved\n");
        t.push(Stream::Stdout, b"Password: In-Order-9\n");
        t.finish();
        let creds = read_reset_output(&t, true).credentials().unwrap();
        assert_eq!(
            (creds.username.as_str(), creds.password.expose()),
            ("root", "In-Order-9")
        );
    }

    #[test]
    fn invalid_utf8_and_escape_noise_around_the_password() {
        let stdout = b"\xff\xfe garbage \x1b[2J\x1b[H\x1b]0;title\x07User: \x1b[1madmin\x1b[0m\n\x1b[32mPassword:\x1b[0m \x1b[32mQw3-rty9\x1b[0m\n";
        let creds = parse_reset_output(stdout, b"").credentials().unwrap();
        assert_eq!(
            (creds.username.as_str(), creds.password.expose()),
            ("admin", "Qw3-rty9")
        );
    }

    #[test]
    fn ten_mib_of_log_lines_before_the_password() {
        let mut stdout = "2026-11-27 10:00:00.000 [INFO] <coderd> migrating: nothing to do\n"
            .repeat(170_000)
            .into_bytes();
        assert!(stdout.len() > 10 * 1024 * 1024);
        stdout.extend_from_slice(b"Password: at-the-end-42\n");
        assert_eq!(
            parse_reset_output(&stdout, b"")
                .credentials()
                .unwrap()
                .password
                .expose(),
            "at-the-end-42"
        );
    }

    /// More than the kept first and last MiB: the password in the dropped middle is found,
    /// by the same rules (a second, different one there is still caught), and what is kept
    /// stays bounded.
    #[test]
    fn a_password_in_the_middle_of_a_long_log() {
        use crate::kube::transcript::{HEAD_BYTES, KEPT_BYTES, TAIL_BYTES};
        let log = "2026-11-27 10:00:00.000 [INFO] <coderd> migrating: nothing to do\n"
            .repeat(60_000)
            .into_bytes();
        assert!(log.len() > HEAD_BYTES + TAIL_BYTES);
        let with = |middle: &[u8]| -> Vec<u8> { [&log[..], middle, &log[..]].concat() };

        let out = with(b"User:     root\nPassword: in-the-middle-7\n");
        let transcript = Transcript::keeping(may_hold_credentials).with(&out, b"");
        assert!(!transcript.gaps().is_empty());
        let kept: usize = transcript
            .numbered_lines()
            .iter()
            .map(|(_, l)| l.text.len() + 1)
            .sum();
        assert!(kept <= HEAD_BYTES + TAIL_BYTES + KEPT_BYTES, "{kept}");
        assert_eq!(
            read_reset_output(&transcript, true)
                .credentials()
                .map(|c| (c.username, c.password.expose().to_string())),
            Some(("root".into(), "in-the-middle-7".into()))
        );

        let two = with(b"Password: first-one-1\nPassword: other-one-2\n");
        assert!(matches!(
            parse_reset_output(&two, b""),
            Reading::Ambiguous(_)
        ));
        // A User line and its Password far apart, with the middle dropped, are not a block.
        let apart = [&b"User: root\n"[..], &log, b"Password: alone-9\n"].concat();
        assert_eq!(
            read(std::str::from_utf8(&apart).unwrap()),
            found("admin", "alone-9")
        );
        // Endless credential lines in the middle: bounded, and not understood.
        let flood = "level=info user=bob password=same-pw-5\n".repeat(2 * KEPT_BYTES / 30);
        let flooded = with(flood.as_bytes());
        assert!(matches!(
            parse_reset_output(&flooded, b""),
            Reading::Ambiguous(_)
        ));
    }

    #[test]
    fn stderr_is_read_too() {
        let creds = parse_reset_output(b"", b"User: admin\nPassword: fromstderr\n")
            .credentials()
            .unwrap();
        assert_eq!(creds.password.expose(), "fromstderr");
    }

    #[test]
    fn argv_is_the_binary_and_subcommand_only() {
        assert_eq!(
            reset_admin_argv(Generation::V1.binary()),
            ["coderd", "reset-admin-password"]
        );
        assert_eq!(
            reset_admin_argv(Generation::V1Legacy.binary()),
            ["cemanager", "reset-admin-password"]
        );
    }
}
