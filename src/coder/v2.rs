//! Coder v2 (`coder`): the commands' argv (never a secret in it), their stdin, and how to read
//! their outcomes.

use zeroize::Zeroizing;

use crate::coder::names::{Email, Username};
use crate::coder::password::Secret;
use crate::kube::transcript::{Stream, Transcript};
use crate::ui::text;

/// `coder reset-password <username>`: the password is not in argv; it goes on stdin.
pub fn reset_password_argv(username: &Username) -> Vec<String> {
    vec![
        "coder".into(),
        "reset-password".into(),
        username.as_str().into(),
    ]
}

/// `coder server create-admin-user --username U --email E`: the password goes on stdin.
/// The Postgres URL comes from the pod's own CODER_PG_CONNECTION_URL, as the chart sets it.
pub fn create_admin_user_argv(username: &Username, email: &Email) -> Vec<String> {
    vec![
        "coder".into(),
        "server".into(),
        "create-admin-user".into(),
        "--username".into(),
        username.as_str().into(),
        "--email".into(),
        email.as_str().into(),
    ]
}

/// What both commands read on stdin: the password, then its confirmation, each ending in
/// `\n` (Coder reads lines when stdin is not a terminal; a last line without `\n` is an error).
pub fn password_stdin(password: &Secret) -> Zeroizing<Vec<u8>> {
    let line = password.expose().as_bytes();
    let mut bytes = Zeroizing::new(Vec::with_capacity(2 * line.len() + 2));
    for _ in 0..2 {
        bytes.extend_from_slice(line);
        bytes.push(b'\n');
    }
    bytes
}

/// How a v2 command ended, read from its exit code and output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done; for reset-password, the username as Coder spells it.
    Done {
        username: Option<String>,
    },
    /// Exit 0 but none of the expected words: the change may have happened.
    NotUnderstood,
    NoSuchUser,
    UserExists,
    DatabaseUnreachable {
        detail: String,
    },
    PasswordsDoNotMatch,
    PasswordRejected {
        detail: String,
    },
    Failed {
        detail: String,
    },
}

/// What `coder reset-password` prints when it is done (cli/resetpassword.go).
const RESET_DONE: &str = "Password has been reset for user ";
/// What `coder server create-admin-user` prints when it is done, on stderr
/// (cli/server_createadminuser.go).
const CREATED: &str = "User created successfully";

/// Both streams as plain text, stdout then stderr.
fn streams(transcript: &Transcript) -> (Zeroizing<String>, Zeroizing<String>) {
    let join = |stream| {
        let mut text = String::new();
        for line in transcript.lines_of(stream) {
            text.push_str(&text::plain(&line.text));
            text.push('\n');
        }
        Zeroizing::new(text)
    };
    (join(Stream::Stdout), join(Stream::Stderr))
}

/// Whether `coder reset-password` said it was done, and for which user (as Coder spells
/// it). Whatever the exit code or ending: the password was set once this was printed.
pub fn reset_done(transcript: &Transcript) -> Option<Option<String>> {
    let (out, err) = streams(transcript);
    out.lines()
        .chain(err.lines())
        .find_map(|l| l.split_once(RESET_DONE))
        .map(|(_, rest)| {
            let name = rest.trim().trim_end_matches('!').trim_end();
            (!name.is_empty()).then(|| name.to_string())
        })
}

/// Whether `coder server create-admin-user` said it created the user.
pub fn create_done(transcript: &Transcript) -> bool {
    let (out, err) = streams(transcript);
    err.contains(CREATED) || out.contains(CREATED)
}

/// Reads the outcome of `coder reset-password` that exited with `exit_code`.
pub fn reset_outcome(exit_code: i32, transcript: &Transcript) -> Outcome {
    if let Some(username) = reset_done(transcript) {
        return Outcome::Done { username };
    }
    if exit_code == 0 {
        return Outcome::NotUnderstood;
    }
    failure(transcript)
}

/// Reads the outcome of `coder server create-admin-user` that exited with `exit_code`.
pub fn create_outcome(exit_code: i32, transcript: &Transcript) -> Outcome {
    if create_done(transcript) {
        return Outcome::Done { username: None };
    }
    if exit_code == 0 {
        return Outcome::NotUnderstood;
    }
    failure(transcript)
}

/// Why a command failed, from what it printed.
pub fn failure(transcript: &Transcript) -> Outcome {
    let (out, err) = streams(transcript);
    let lower = format!("{}\n{}", *out, *err).to_ascii_lowercase();
    let detail = text::last_line(&err)
        .or_else(|| text::last_line(&out))
        .unwrap_or("no output")
        .to_string();
    if lower.contains("retrieving user") && lower.contains("no rows") {
        Outcome::NoSuchUser
    } else if lower.contains("duplicate key") || lower.contains("already exists") {
        Outcome::UserExists
    } else if lower.contains("passwords do not match") {
        Outcome::PasswordsDoNotMatch
    } else if [
        "dial postgres",
        "ping postgres",
        "connect to postgres",
        "built-in postgres",
        "builtin postgres",
    ]
    .iter()
    .any(|m| lower.contains(m))
    {
        Outcome::DatabaseUnreachable { detail }
    } else if lower.contains("insecure password") || lower.contains("password is too") {
        Outcome::PasswordRejected { detail }
    } else {
        Outcome::Failed { detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_never_holds_the_password() {
        let user = Username::parse("alice").unwrap();
        assert_eq!(
            reset_password_argv(&user),
            ["coder", "reset-password", "alice"]
        );
        let email = Email::parse("a@b.co").unwrap();
        assert_eq!(
            create_admin_user_argv(&user, &email),
            [
                "coder",
                "server",
                "create-admin-user",
                "--username",
                "alice",
                "--email",
                "a@b.co"
            ]
        );
    }

    #[test]
    fn stdin_holds_the_password_twice_as_lines() {
        let stdin = password_stdin(&Secret::from("Pw-1".to_string()));
        assert_eq!(stdin.as_slice(), b"Pw-1\nPw-1\n");
    }

    #[test]
    fn reset_outcomes_table() {
        let table: &[(i32, &str, &str, Outcome)] = &[
            (
                0,
                "Enter new password: Confirm password: \nPassword has been reset for user \x1b[1mAlice\x1b[0m!\n",
                "",
                Outcome::Done {
                    username: Some("Alice".into()),
                },
            ),
            (0, "something else\n", "", Outcome::NotUnderstood),
            (
                1,
                "",
                "error: retrieving user: sql: no rows in result set\n",
                Outcome::NoSuchUser,
            ),
            (
                1,
                "",
                "error: dial postgres: dial tcp 127.0.0.1:5432: connect: connection refused\n",
                Outcome::DatabaseUnreachable {
                    detail:
                        "error: dial postgres: dial tcp 127.0.0.1:5432: connect: connection refused"
                            .into(),
                },
            ),
            (
                1,
                "",
                "Passwords do not match\n",
                Outcome::PasswordsDoNotMatch,
            ),
            (
                2,
                "",
                "boom\n",
                Outcome::Failed {
                    detail: "boom".into(),
                },
            ),
        ];
        for (code, out, err, want) in table {
            assert_eq!(
                &reset_outcome(*code, &Transcript::of(out.as_bytes(), err.as_bytes())),
                want,
                "{out}{err}"
            );
        }
    }

    #[test]
    fn create_outcomes_table() {
        let ok = "Creating user...\nGenerating user SSH key...\n\nUser created successfully.\nID: 1\nUsername: bob\n";
        assert_eq!(
            create_outcome(0, &Transcript::of(b"", ok.as_bytes())),
            Outcome::Done { username: None }
        );
        assert_eq!(
            create_outcome(0, &Transcript::of(b"", b"")),
            Outcome::NotUnderstood
        );
        assert_eq!(
            create_outcome(
                1,
                &Transcript::of(
                    b"",
                    b"insert user: pq: duplicate key value violates unique constraint\n"
                )
            ),
            Outcome::UserExists
        );
    }
}
