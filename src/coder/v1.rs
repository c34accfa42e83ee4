//! Coder v1 (`coderd`, or `cemanager` in very old charts): the reset command and a tolerant
//! reader of its output, whose exact format Coder never published.

use crate::coder::password::Secret;
use crate::coder::target::Generation;
use crate::ui::text;

/// The site admin of Coder v1 is always this user.
pub const ADMIN_USER: &str = "admin";

/// `coderd reset-admin-password`: the binary, never a shell.
pub fn reset_admin_argv(generation: Generation) -> Vec<String> {
    vec![
        generation.binary().to_string(),
        "reset-admin-password".to_string(),
    ]
}

/// What the reset printed, once understood.
#[derive(Debug)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

/// Finds the username and temporary password in the command's output.
///
/// Known shapes: the boxed `User:` / `Password:` block, the Docker image's
/// `> 🙋 Username:` / `> 🔑 Password:` lines, either with log prefixes, timestamps or ANSI
/// colours, and `password=...` / `"password":"..."` in structured logs. The last password
/// wins, in case earlier log lines quoted an old one. `None` when no password can be found:
/// the caller then shows the raw output, because the reset has happened.
pub fn parse_reset_output(stdout: &[u8], stderr: &[u8]) -> Option<Credentials> {
    let mut username = None;
    let mut password = None;
    for stream in [stderr, stdout] {
        let text = zeroize::Zeroizing::new(text::plain(stream));
        for line in text.lines() {
            if let Some(value) = value_after(line, &["password"]) {
                if !value.chars().all(|c| c == '*') {
                    password = Some(value);
                }
            } else if let Some(value) = value_after(line, &["username", "user"]) {
                username = Some(value);
            }
        }
    }
    Some(Credentials {
        username: username.unwrap_or_else(|| ADMIN_USER.to_string()),
        password: Secret::from(password?),
    })
}

/// The value of `key: value`, `key = value` or `"key":"value"` in a line, for the first key
/// found as a whole word (case-insensitive).
fn value_after(line: &str, keys: &[&str]) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    for key in keys {
        let mut from = 0;
        while let Some(found) = lower[from..].find(key) {
            let start = from + found;
            let end = start + key.len();
            from = end;
            let word_start = lower[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            if !word_start {
                continue;
            }
            let rest = line[end..].trim_start_matches(['"', '\'', ' ', '\t']);
            let Some(rest) = rest.strip_prefix([':', '=']) else {
                continue;
            };
            let value: String = rest
                .trim_start_matches([' ', '\t', '"', '\''])
                .chars()
                .take_while(|c| {
                    !c.is_whitespace() && !c.is_control() && !matches!(c, '"' | '\'' | ',' | '}')
                })
                .collect();
            if !value.is_empty() {
                return Some(value);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(stdout: &str) -> Option<(String, String)> {
        parse_reset_output(stdout.as_bytes(), b"")
            .map(|c| (c.username, c.password.expose().to_string()))
    }

    fn some(user: &str, password: &str) -> Option<(String, String)> {
        Some((user.into(), password.into()))
    }

    #[test]
    fn output_formats_table() {
        let table = [
            (
                "boxed",
                "----------------------\nUser:     admin\nPassword: kv8Hq2k3\n----------------------\n",
                some("admin", "kv8Hq2k3"),
            ),
            (
                "docker image",
                "> 🙋 Username: admin\n> 🔑 Password: 5hT9x7n\n",
                some("admin", "5hT9x7n"),
            ),
            (
                "log prefixes and colours",
                "2026-11-27 10:00:00.000 [INFO]\t<coderd>\tUser:     \x1b[1madmin\x1b[0m\r\n2026-11-27 10:00:00.001 [INFO]\t<coderd>\tPassword: \x1b[1;32mAb3$x9\x1b[0m\r\n",
                some("admin", "Ab3$x9"),
            ),
            (
                "key=value log",
                "level=info msg=\"reset\" user=admin password=Zq81k\n",
                some("admin", "Zq81k"),
            ),
            (
                "json log",
                "{\"level\":\"info\",\"user\":\"admin\",\"password\":\"J7h&k\"}\n",
                some("admin", "J7h&k"),
            ),
            (
                "no username line",
                "Password: onlypw\n",
                some("admin", "onlypw"),
            ),
            (
                "last password wins",
                "Password: old\nPassword: new\n",
                some("admin", "new"),
            ),
            ("masked is not a password", "Password: ********\n", None),
            (
                "prose is not a password",
                "admin password reset complete\n",
                None,
            ),
            (
                "a word that merely ends in password",
                "newpassword: x\nresetpassword=y\n",
                None,
            ),
            ("empty", "", None),
        ];
        for (what, output, want) in table {
            assert_eq!(parsed(output), want, "{what}");
        }
    }

    #[test]
    fn invalid_utf8_and_escape_noise_around_the_password() {
        let stdout = b"\xff\xfe garbage \x1b[2J\x1b[H\x1b]0;title\x07User: \x1b[1madmin\x1b[0m\n\x80Password: \x1b[32mQw3-rty9\x1b[0m \xc3\x28\n";
        let creds = parse_reset_output(stdout, b"").unwrap();
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
            parse_reset_output(&stdout, b"").unwrap().password.expose(),
            "at-the-end-42"
        );
    }

    #[test]
    fn stderr_is_read_too() {
        let creds = parse_reset_output(b"", b"User: admin\nPassword: fromstderr\n").unwrap();
        assert_eq!(creds.password.expose(), "fromstderr");
    }

    #[test]
    fn argv_is_the_binary_and_subcommand_only() {
        assert_eq!(
            reset_admin_argv(Generation::V1),
            ["coderd", "reset-admin-password"]
        );
        assert_eq!(
            reset_admin_argv(Generation::V1Legacy),
            ["cemanager", "reset-admin-password"]
        );
    }
}
