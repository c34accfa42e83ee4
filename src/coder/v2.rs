//! Coder v2 (`coder`): the commands' argv (never a secret in it), their stdin, and how to read
//! their outcomes.

use zeroize::Zeroizing;

use crate::coder::names::{Email, Username};
use crate::coder::password::Secret;
use crate::kube::transcript::{LineEnd, Stream, Transcript};
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

/// The first lines of the wrapper: the server container's `CODER_PASSWORD`, `CODER_USERNAME`
/// and `CODER_EMAIL` are create-admin-user's options (cli/server_createadminuser.go; before
/// 2.0 they even overrode the flags): left in, they would silently replace what we send and
/// skip the prompts.
const UNSET_ACCOUNT_OPTIONS: &str = "unset CODER_PASSWORD CODER_USERNAME CODER_EMAIL\n";

/// The built-in PostgreSQL's URL. Neither reset-password nor create-admin-user fall back to
/// it (Coder issue 6399; create-admin-user would start a second one): the URL comes from
/// `coder server postgres-builtin-url --raw-url` (cli/server.go), which creates the password
/// file when it is missing, so the file is looked for first.
const BUILTIN_DATABASE_LINES: &str = r#"dir=${CODER_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/coderv2}
if [ ! -f "$dir/postgres/password" ]; then echo "kubectl-coder: no built-in PostgreSQL: $dir/postgres/password does not exist" >&2; exit 3; fi
CODER_PG_CONNECTION_URL=$("$0" server postgres-builtin-url --raw-url) || exit
export CODER_PG_CONNECTION_URL
"#;

/// The database whatever the Coder version: before 2.0 create-admin-user read
/// `CODER_POSTGRES_URL`, not `CODER_PG_CONNECTION_URL` (coder/coder issue 7513), and without
/// it started a throwaway PostgreSQL of its own.
const EXPORT_OLD_DATABASE_NAME: &str = r#"if [ -n "$CODER_PG_CONNECTION_URL" ]; then CODER_POSTGRES_URL=$CODER_PG_CONNECTION_URL; export CODER_POSTGRES_URL; fi
exec "$0" "$@""#;

/// Runs `"$0" "$@"` (a `coder` command) through `sh -c` with the environment above. The URL
/// holds the database password: it lives only in this shell and the child's environment,
/// never in argv, the exec URL or our output.
pub fn wrapper_script(builtin_database: bool) -> String {
    let mut script = UNSET_ACCOUNT_OPTIONS.to_string();
    if builtin_database {
        script.push_str(BUILTIN_DATABASE_LINES);
    }
    script.push_str(EXPORT_OLD_DATABASE_NAME);
    script
}

/// `argv` run through [`wrapper_script`]: `sh -c SCRIPT BINARY ARGS...`.
pub fn wrapped(argv: Vec<String>, builtin_database: bool) -> Vec<String> {
    let mut wrapped = vec!["sh".into(), "-c".into(), wrapper_script(builtin_database)];
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
    /// Exit 0 but Coder did not say it was done where it says so: the change may have
    /// happened.
    NotUnderstood,
    /// Coder said it was done for another user: that user's password may have been set.
    OtherUser {
        named: String,
    },
    /// The command started a PostgreSQL of its own instead of the deployment's database
    /// (the line that says so): nothing it made is in the deployment.
    OwnDatabase {
        line: String,
    },
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

/// What `coder reset-password` prints when it is done: on stdout, after both prompts were
/// answered, naming the user it found (cli/resetpassword.go:
/// `"\nPassword has been reset for user %s!\n"`).
const RESET_DONE: &str = "Password has been reset for user ";
/// What `coder server create-admin-user` prints when it is done: on stderr, after its
/// prompts, followed by `Username: NAME` and `Email: EMAIL` (cli/server_createadminuser.go).
const CREATED: &str = "User created successfully.";
/// What create-admin-user prints when no database URL reached it and it starts a PostgreSQL
/// of its own (cli/server_createadminuser.go; before 2.0 it read `CODER_POSTGRES_URL`, coder/coder
/// issue 7513): whatever it then creates is in that throwaway database.
const OWN_DATABASE: &str = "Using built-in PostgreSQL";

/// Whether, and about whom, Coder said it was done, read by where real Coder says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// The success line, whole, on its stream, after the prompts were answered, naming the
    /// user asked for (as Coder spells it: usernames are case-insensitive).
    Done { username: String },
    /// The success line in its place, but about another user, whose password (or account)
    /// may now be set.
    OtherUser { named: String },
    /// Not said where real Coder says it (before the prompts, on the other stream, cut off,
    /// inside another sentence): no success.
    Nothing,
}

/// One line of output as plain text, trimmed.
struct PlainLine {
    /// Its arrival number (both streams count).
    seq: u64,
    text: String,
    /// It starts a line: it is not the rest of one cut at [`crate::kube::transcript::MAX_LINE`] bytes.
    starts: bool,
    /// It is a whole line: it starts one and ended with `\n`.
    whole: bool,
}

fn plain_lines(transcript: &Transcript, stream: Stream) -> Vec<PlainLine> {
    let mut continued = false;
    transcript
        .numbered_lines_of(stream)
        .map(|(seq, line)| {
            let starts = !continued;
            continued = line.end == LineEnd::Cut;
            PlainLine {
                seq,
                text: text::plain(&line.text).trim().to_string(),
                starts,
                whole: starts && line.end == LineEnd::Newline,
            }
        })
        .collect()
}

/// The whole lines of `stream` that ended after the last prompt was answered (`answered`:
/// the number of lines ended then, see [`crate::coder::prompts::Progress`]).
fn lines_after(transcript: &Transcript, stream: Stream, answered: Option<u64>) -> Vec<String> {
    let Some(answered) = answered else {
        return Vec::new();
    };
    plain_lines(transcript, stream)
        .into_iter()
        .filter(|l| l.seq >= answered && l.whole)
        .map(|l| l.text)
        .collect()
}

/// Whether `coder reset-password` said it set the password of `asked`. Whatever the exit code
/// or ending: the password was set once this was printed.
pub fn reset_said(transcript: &Transcript, answered: Option<u64>, asked: &str) -> Said {
    let mut said = Said::Nothing;
    for line in lines_after(transcript, Stream::Stdout, answered) {
        let Some(name) = line
            .strip_prefix(RESET_DONE)
            .and_then(|rest| rest.strip_suffix('!'))
        else {
            continue;
        };
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == '!') {
            continue;
        }
        // Two lines that disagree are not a success for the user asked for.
        said = match said {
            Said::Nothing | Said::Done { .. } if name.eq_ignore_ascii_case(asked) => Said::Done {
                username: name.to_string(),
            },
            Said::OtherUser { .. } => said,
            _ => Said::OtherUser {
                named: name.to_string(),
            },
        };
    }
    said
}

/// Whether `coder server create-admin-user` said it created `username` with `email`.
pub fn create_said(
    transcript: &Transcript,
    answered: Option<u64>,
    username: &str,
    email: &str,
) -> Said {
    let lines = lines_after(transcript, Stream::Stderr, answered);
    let Some(at) = lines.iter().position(|l| l == CREATED) else {
        return Said::Nothing;
    };
    let field = |name: &str| {
        lines[at + 1..]
            .iter()
            .find_map(|l| l.strip_prefix(name).map(str::trim))
    };
    let named = field("Username:").unwrap_or(username);
    let with = field("Email:").unwrap_or(email);
    if named.eq_ignore_ascii_case(username) && with.eq_ignore_ascii_case(email) {
        Said::Done {
            username: named.to_string(),
        }
    } else {
        Said::OtherUser {
            named: format!("{named} ({with})"),
        }
    }
}

/// The line where the command said it started a PostgreSQL of its own, if it did.
pub fn own_database(transcript: &Transcript) -> Option<String> {
    let mut lines: Vec<PlainLine> = [Stream::Stdout, Stream::Stderr]
        .into_iter()
        .flat_map(|stream| plain_lines(transcript, stream))
        .collect();
    // The first such line to arrive.
    lines.sort_by_key(|l| l.seq);
    lines
        .into_iter()
        .find(|l| l.starts && l.text.starts_with(OWN_DATABASE))
        .map(|l| l.text)
}

/// Reads the outcome of `coder reset-password asked` that exited with `exit_code`.
pub fn reset_outcome(
    exit_code: i32,
    transcript: &Transcript,
    answered: Option<u64>,
    asked: &str,
) -> Outcome {
    outcome(
        exit_code,
        transcript,
        reset_said(transcript, answered, asked),
    )
}

/// Reads the outcome of `coder server create-admin-user` that exited with `exit_code`.
pub fn create_outcome(
    exit_code: i32,
    transcript: &Transcript,
    answered: Option<u64>,
    username: &str,
    email: &str,
) -> Outcome {
    outcome(
        exit_code,
        transcript,
        create_said(transcript, answered, username, email),
    )
}

fn outcome(exit_code: i32, transcript: &Transcript, said: Said) -> Outcome {
    if let Some(line) = own_database(transcript) {
        return Outcome::OwnDatabase { line };
    }
    match said {
        Said::Done { username } => Outcome::Done {
            username: Some(username),
        },
        Said::OtherUser { named } => Outcome::OtherUser { named },
        Said::Nothing if exit_code == 0 => Outcome::NotUnderstood,
        Said::Nothing => failure(transcript),
    }
}

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
    fn the_wrapper_keeps_the_url_out_of_argv() {
        let user = Username::parse("alice").unwrap();
        for builtin in [false, true] {
            let argv = wrapped(reset_password_argv("/opt/coder", &user), builtin);
            assert_eq!(&argv[..2], ["sh", "-c"]);
            assert_eq!(&argv[3..], ["/opt/coder", "reset-password", "alice"]);
            // The script names no URL, port or password of its own: it reads them in the pod.
            assert!(!argv.iter().any(|w| w.contains("postgres://")));
            let script = &argv[2];
            assert!(script.starts_with("unset CODER_PASSWORD CODER_USERNAME CODER_EMAIL\n"));
            assert!(script.contains("export CODER_POSTGRES_URL"));
            assert!(script.ends_with("exec \"$0\" \"$@\""));
            assert_eq!(script.contains("postgres-builtin-url"), builtin);
        }
    }

    /// A transcript of `before`, then the last prompt answered, then `after`; the mark of
    /// that answer (none when `answered` is false: no line was written).
    fn played(
        before: &[(Stream, &str)],
        answered: bool,
        after: &[(Stream, &str)],
    ) -> (Transcript, Option<u64>) {
        let mut t = Transcript::new();
        for (stream, text) in before {
            t.push(*stream, text.as_bytes());
        }
        let mark = answered.then(|| t.lines_ended());
        for (stream, text) in after {
            t.push(*stream, text.as_bytes());
        }
        t.finish();
        (t, mark)
    }

    const PROMPTS: (Stream, &str) = (
        Stream::Stdout,
        "> Enter new  password : > Confirm  password : ",
    );

    #[test]
    fn reset_outcomes_table() {
        use Stream::{Stderr, Stdout};
        type Row<'a> = (
            &'a str,
            i32,
            &'a [(Stream, &'a str)],
            bool,
            &'a [(Stream, &'a str)],
            Outcome,
        );
        let table: &[Row] = &[
            (
                "done, Coder's spelling",
                0,
                &[PROMPTS],
                true,
                &[(
                    Stdout,
                    "\nPassword has been reset for user \x1b[1mAlice\x1b[0m!\r\n",
                )],
                Outcome::Done {
                    username: Some("Alice".into()),
                },
            ),
            (
                "said before any prompt",
                0,
                &[
                    (Stdout, "Password has been reset for user alice!\n"),
                    PROMPTS,
                ],
                true,
                &[(Stdout, "\n")],
                Outcome::NotUnderstood,
            ),
            (
                "said with no prompt answered",
                0,
                &[],
                false,
                &[(Stdout, "Password has been reset for user alice!\n")],
                Outcome::NotUnderstood,
            ),
            (
                "said inside an error on stderr",
                1,
                &[PROMPTS],
                true,
                &[(
                    Stderr,
                    "error: Password has been reset for user alice! is not allowed\n",
                )],
                Outcome::Failed {
                    detail: "error: Password has been reset for user alice! is not allowed".into(),
                },
            ),
            (
                "said whole on stderr, exit 0",
                0,
                &[PROMPTS],
                true,
                &[(Stderr, "Password has been reset for user alice!\n")],
                Outcome::NotUnderstood,
            ),
            (
                "cut off",
                0,
                &[PROMPTS],
                true,
                &[(Stdout, "\nPassword has been reset for user al")],
                Outcome::NotUnderstood,
            ),
            (
                "another user",
                0,
                &[PROMPTS],
                true,
                &[(Stdout, "\nPassword has been reset for user admin!\n")],
                Outcome::OtherUser {
                    named: "admin".into(),
                },
            ),
            (
                "inside another sentence on stdout",
                0,
                &[PROMPTS],
                true,
                &[(
                    Stdout,
                    "\nPassword has been reset for user alice! (not really)\n",
                )],
                Outcome::NotUnderstood,
            ),
            (
                "done, then a failure",
                1,
                &[PROMPTS],
                true,
                &[
                    (Stdout, "\nPassword has been reset for user alice!\n"),
                    (Stderr, "error: audit log: write failed\n"),
                ],
                Outcome::Done {
                    username: Some("alice".into()),
                },
            ),
            (
                "something else",
                0,
                &[PROMPTS],
                true,
                &[(Stdout, "something else\n")],
                Outcome::NotUnderstood,
            ),
            (
                "no such user",
                1,
                &[],
                false,
                &[(
                    Stderr,
                    "error: retrieving user: sql: no rows in result set\n",
                )],
                Outcome::NoSuchUser,
            ),
            (
                "database unreachable",
                1,
                &[],
                false,
                &[(
                    Stderr,
                    "error: dial postgres: dial tcp 127.0.0.1:5432: connect: connection refused\n",
                )],
                Outcome::DatabaseUnreachable {
                    detail:
                        "error: dial postgres: dial tcp 127.0.0.1:5432: connect: connection refused"
                            .into(),
                },
            ),
            (
                "passwords do not match",
                1,
                &[PROMPTS],
                true,
                &[(Stderr, "Passwords do not match\n")],
                Outcome::PasswordsDoNotMatch,
            ),
            (
                "another failure",
                2,
                &[],
                false,
                &[(Stderr, "boom\n")],
                Outcome::Failed {
                    detail: "boom".into(),
                },
            ),
        ];
        for (what, code, before, answered, after, want) in table {
            let (t, mark) = played(before, *answered, after);
            assert_eq!(&reset_outcome(*code, &t, mark, "alice"), want, "{what}");
        }
    }

    /// Only a whole line of its own that names one user, the one asked for, is Coder's
    /// success line.
    #[test]
    fn reset_said_needs_one_whole_line_naming_the_user() {
        use crate::kube::transcript::MAX_LINE;
        // The prompts' line ends when Coder's answer starts.
        let said = |after: &str| {
            let (t, mark) = played(
                &[PROMPTS],
                true,
                &[(Stream::Stdout, "\n"), (Stream::Stdout, after)],
            );
            reset_said(&t, mark, "alice")
        };
        assert_eq!(
            said("Password has been reset for user alice!\n"),
            Said::Done {
                username: "alice".into()
            }
        );
        for not_a_name in [
            "Password has been reset for user !\n",
            "Password has been reset for user al ice!\n",
            "Password has been reset for user alice!!\n",
        ] {
            assert_eq!(said(not_a_name), Said::Nothing, "{not_a_name:?}");
        }
        // The tail of a line cut at MAX_LINE is not a line of its own.
        let long = format!(
            "{}Password has been reset for user alice!\n",
            "x".repeat(MAX_LINE)
        );
        assert_eq!(said(&long), Said::Nothing);
        // Once another user is named, a later line for the one asked for does not undo it.
        assert_eq!(
            said(
                "Password has been reset for user bob!\nPassword has been reset for user alice!\n"
            ),
            Said::OtherUser {
                named: "bob".into()
            }
        );
    }

    /// "No such user" takes Coder's own words for a missing user: a `no rows` from another
    /// query, or a lookup that failed otherwise, is a failure as it was said.
    #[test]
    fn no_such_user_only_from_the_user_lookup() {
        let failed = |err: &str| failure(&Transcript::of(b"", err.as_bytes()));
        assert_eq!(
            failed("error: retrieving user: sql: no rows in result set\n"),
            Outcome::NoSuchUser
        );
        for err in [
            "error: retrieving user: context deadline exceeded",
            "error: get organization: sql: no rows in result set",
        ] {
            assert_eq!(
                failed(&format!("{err}\n")),
                Outcome::Failed { detail: err.into() },
                "{err}"
            );
        }
    }

    /// The `Username:` and `Email:` lines that count follow "User created successfully.";
    /// lines before it are not about the new user.
    #[test]
    fn create_said_reads_the_fields_after_its_line() {
        let said = |after: &str| {
            let (t, mark) = played(&[], true, &[(Stream::Stderr, after)]);
            create_said(&t, mark, "bob", "bob@example.com")
        };
        let done = Said::Done {
            username: "bob".into(),
        };
        assert_eq!(
            said("User created successfully.\nUsername: bob\nEmail: bob@example.com\n"),
            done
        );
        assert_eq!(
            said(
                "Username: mallory\nUser created successfully.\nUsername: bob\nEmail: bob@example.com\n"
            ),
            done
        );
        assert_eq!(
            said("Email: eve@example.com\nUser created successfully.\n"),
            done
        );
    }

    #[test]
    fn create_outcomes_table() {
        use Stream::{Stderr, Stdout};
        let prompts = (Stdout, "> Password > Confirm password ");
        let done = "Creating user...\nGenerating user SSH key...\n\nUser created successfully.\nID:       1\nUsername: bob\nEmail:    bob@example.com\nPassword: ********\n";
        let outcome = |code, before: &[(Stream, &str)], answered, after: &[(Stream, &str)]| {
            let (t, mark) = played(before, answered, after);
            create_outcome(code, &t, mark, "bob", "bob@example.com")
        };
        assert_eq!(
            outcome(0, &[prompts], true, &[(Stderr, done)]),
            Outcome::Done {
                username: Some("bob".into())
            }
        );
        // CODER_PASSWORD in the environment: no prompt asked, nothing answered.
        assert_eq!(
            outcome(0, &[], false, &[(Stderr, done)]),
            Outcome::NotUnderstood
        );
        // CODER_USERNAME read over --username (before 2.0, cobra's env override).
        assert_eq!(
            outcome(
                0,
                &[prompts],
                true,
                &[(Stderr, &done.replace("Username: bob", "Username: admin"))]
            ),
            Outcome::OtherUser {
                named: "admin (bob@example.com)".into()
            }
        );
        assert_eq!(
            outcome(0, &[prompts], true, &[(Stdout, done)]),
            Outcome::NotUnderstood
        );
        // Before 2.0 CODER_PG_CONNECTION_URL did not reach it: its own throwaway database.
        assert_eq!(
            outcome(
                0,
                &[
                    (
                        Stdout,
                        "Using built-in PostgreSQL (/home/coder/.config/coderv2/postgres)\n"
                    ),
                    prompts
                ],
                true,
                &[(Stderr, done)]
            ),
            Outcome::OwnDatabase {
                line: "Using built-in PostgreSQL (/home/coder/.config/coderv2/postgres)".into()
            }
        );
        assert_eq!(outcome(0, &[], false, &[]), Outcome::NotUnderstood);
        assert_eq!(
            outcome(
                1,
                &[prompts],
                true,
                &[(
                    Stderr,
                    "insert user: pq: duplicate key value violates unique constraint\n"
                )]
            ),
            Outcome::UserExists
        );
    }
}
