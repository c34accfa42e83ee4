//! Coder v2 (`coder`): the commands' argv (never a secret in it), their stdin, and how to read
//! their outcomes.

use zeroize::Zeroizing;

use crate::coder::names::{Email, Username};
use crate::coder::password::Secret;
use crate::kube::transcript::{Stream, Transcript};
use crate::text;

/// `coder reset-password <username>` (cli/resetpassword.go): the password is not in argv; it
/// is typed at the command's prompts. `binary` is how the container calls `coder`.
pub fn reset_password_argv(binary: &str, username: &Username) -> Vec<String> {
    vec![
        binary.into(),
        "reset-password".into(),
        username.as_str().into(),
    ]
}

/// `coder server create-admin-user --username U --email E` (cli/server_createadminuser.go):
/// the password is typed at its prompts.
pub fn create_admin_user_argv(binary: &str, username: &Username, email: &Email) -> Vec<String> {
    vec![
        binary.into(),
        "server".into(),
        "create-admin-user".into(),
        "--username".into(),
        username.as_str().into(),
        "--email".into(),
        email.as_str().into(),
    ]
}

/// What the wrapper prints when the pod has no built-in PostgreSQL.
pub const NO_BUILTIN_DATABASE: &str = "kubectl-coder: no built-in PostgreSQL";

/// Runs `"$0" "$@"` (a `coder` command) against the pod's built-in PostgreSQL. Neither
/// reset-password nor create-admin-user fall back to it (Coder issue 6399; create-admin-user
/// would start a second one): the URL comes from `coder server postgres-builtin-url
/// --raw-url` (cli/server.go), which creates the password file when it is missing, so the
/// file is looked for first. The URL holds the database password: it lives only in this
/// shell and the child's environment, never in argv, the exec URL or our output.
pub const BUILTIN_DATABASE_SCRIPT: &str = r#"dir=${CODER_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/coderv2}
if [ ! -f "$dir/postgres/password" ]; then echo "kubectl-coder: no built-in PostgreSQL: $dir/postgres/password does not exist" >&2; exit 3; fi
CODER_PG_CONNECTION_URL=$("$0" server postgres-builtin-url --raw-url) || exit
export CODER_PG_CONNECTION_URL
exec "$0" "$@""#;

/// `argv` run through [`BUILTIN_DATABASE_SCRIPT`]: `sh -c SCRIPT BINARY ARGS...`.
pub fn with_builtin_database(argv: Vec<String>) -> Vec<String> {
    let mut wrapped = vec!["sh".into(), "-c".into(), BUILTIN_DATABASE_SCRIPT.into()];
    wrapped.extend(argv);
    wrapped
}

/// The password as one line of the command's stdin (a last line without `\n` is an EOF error
/// for Coder's prompts).
pub fn password_line(password: &Secret) -> Zeroizing<Vec<u8>> {
    let line = password.expose().as_bytes();
    let mut bytes = Zeroizing::new(Vec::with_capacity(line.len() + 1));
    bytes.extend_from_slice(line);
    bytes.push(b'\n');
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
    /// No `CODER_PG_CONNECTION_URL` and no built-in PostgreSQL in the pod.
    NoDatabase {
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
            // `!` and white space in any order: a vertical tab is not a line break.
            let name = rest
                .trim()
                .trim_end_matches(|c: char| c == '!' || c.is_whitespace());
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
    } else if lower.contains(&NO_BUILTIN_DATABASE.to_ascii_lowercase()) {
        Outcome::NoDatabase { detail }
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
            reset_password_argv("/opt/coder", &user),
            ["/opt/coder", "reset-password", "alice"]
        );
        let email = Email::parse("a@b.co").unwrap();
        assert_eq!(
            create_admin_user_argv("coder", &user, &email),
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
    fn stdin_holds_the_password_as_a_line() {
        let line = password_line(&Secret::from("Pw-1".to_string()));
        assert_eq!(line.as_slice(), b"Pw-1\n");
    }

    #[test]
    fn the_builtin_database_wrapper_keeps_the_url_out_of_argv() {
        let user = Username::parse("alice").unwrap();
        let argv = with_builtin_database(reset_password_argv("/opt/coder", &user));
        assert_eq!(&argv[..2], ["sh", "-c"]);
        assert_eq!(&argv[3..], ["/opt/coder", "reset-password", "alice"]);
        // The script names no URL, port or password of its own: it reads them in the pod.
        assert!(!argv.iter().any(|w| w.contains("postgres://")));
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
