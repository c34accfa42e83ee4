//! Coder v2's binary, `coder`, emulated per version from github.com/coder/coder:
//!
//! - `reset-password USERNAME` (cli/resetpassword.go): connects to `CODER_PG_CONNECTION_URL`
//!   (v2.13-v2.18: one ping, `ping postgres: ...`; v2.19+: retries, logging
//!   `ping postgres: retrying` on stdout, then `dial postgres: unable to connect after N
//!   tries; ...`, with the 30 s of retries shortened here), looks the user up
//!   case-insensitively among non-deleted users, then prompts `> Enter new  password : `
//!   (validated by coderd/userpassword: on failure the error goes to stdout and the prompt
//!   asks again) and `> Confirm  password : ` (empty: `Must be provided!`, asked again); a
//!   mismatch is fatal (`Passwords do not match`); success prints
//!   `\nPassword has been reset for user NAME!\n`.
//! - Prompts (cli/cliui/prompt.go): before v2.18.0 (PR 15421) each prompt reads stdin through
//!   a fresh `bufio.Reader`, losing what follows its line; from v2.18.0 one byte at a time.
//! - `server create-admin-user` (cli/server_createadminuser.go): without a database URL it
//!   prints `Using built-in PostgreSQL (DIR)` and tries to start one (which fails while the
//!   server runs it); prompts only for what no flag or `CODER_USERNAME`/`CODER_EMAIL`/
//!   `CODER_PASSWORD` gave; no strength check; a mismatched confirmation is asked again;
//!   progress and `User created successfully.` on stderr. Before 2.0 (cobra; coder/coder
//!   issue 7513) the URL was `CODER_POSTGRES_URL`, those variables overrode the flags, and
//!   without a URL a fresh built-in PostgreSQL started and took the user, unseen by the
//!   deployment.
//! - `server postgres-builtin-url [--raw-url]` (cli/server.go): the built-in PostgreSQL's URL
//!   from `CONFIG/postgres/password` and `port`, creating them when missing.
//! - `--version` (cli/version.go): `Coder vX.Y.Z+SHA DATE\r\nURL\r\n\r\nFull build ...`.
//! - Errors go to stderr as cli/root.go's formatter prints them.

use std::time::Duration;

use crate::ids::{random_password, uuid_v4};
use crate::programs::io::{Line, ProcIo, ProgCtx, R};
use crate::state::{V2User, lock};

/// The external database the chart fixtures point `CODER_PG_CONNECTION_URL` at.
pub const EXTERNAL_DB_URL: &str =
    "postgres://coder:coder@postgres.coder.svc.cluster.local:5432/coder?sslmode=disable";

/// lib/pq's default when the URL is empty: a local server on 5432.
const PG_REFUSED: &str = "dial tcp 127.0.0.1:5432: connect: connection refused";

/// A Coder version, from the image tag (`ghcr.io/coder/coder:v2.16.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The newest behaviour emulated, for images without a version tag.
    const LATEST: Version = Version(2, 22, 1);

    pub(crate) fn of_image(image: &str) -> Version {
        let tag = image.rsplit_once(':').map_or("", |(_, tag)| tag);
        let numbers: Vec<u32> = tag
            .trim_start_matches('v')
            .split(['.', '-', '+'])
            .take(3)
            .map_while(|n| n.parse().ok())
            .collect();
        match numbers.as_slice() {
            [a, b, c] => Version(*a, *b, *c),
            _ => Version::LATEST,
        }
    }

    /// Coder before 2.0 (v0.x): cobra commands, create-admin-user reading
    /// `CODER_POSTGRES_URL` and letting the environment override its flags
    /// (cli/server_createadminuser.go before coder/coder issue 7513 was fixed).
    fn before_2(self) -> bool {
        self < Version(2, 0, 0)
    }

    /// PR 15421: prompts stopped losing buffered input.
    fn reads_byte_by_byte(self) -> bool {
        self >= Version(2, 18, 0)
    }

    /// PR 15980: ConnectToPostgres with retries for reset-password.
    fn retries_postgres(self) -> bool {
        self >= Version(2, 19, 0)
    }
}

pub(crate) async fn run(ctx: &ProgCtx, args: &[&str], io: &mut ProcIo) -> R {
    let version = Version::of_image(&ctx.image);
    match args {
        ["--version"] | ["version", ..] => {
            let Version(a, b, c) = version;
            io.out(&format!("Coder v{a}.{b}.{c}+abc1234 Tue Dec  3 00:00:00 UTC 2024\r\nhttps://github.com/coder/coder/commit/abc1234567890abcdef1234567890abcdef12345\r\n\r\nFull build of Coder, supports the server subcommand.\n")).await?;
            Ok(0)
        }
        ["reset-password", username] => reset_password(ctx, version, username, io).await,
        ["reset-password", ..] => {
            fail(
                io,
                "coder reset-password",
                &format!("wanted 1 args but got {}", args.len() - 1),
            )
            .await
        }
        ["server", "create-admin-user", rest @ ..] => {
            create_admin_user(ctx, version, rest, io).await
        }
        ["server", "postgres-builtin-url", rest @ ..] => {
            let url = builtin_url(ctx);
            if rest.contains(&"--raw-url") {
                io.out(&format!("{url}\n")).await?;
            } else {
                io.out(&format!("psql {url:?}\n")).await?;
            }
            Ok(0)
        }
        _ => {
            fail(
                io,
                "coder",
                &format!(
                    "unrecognized subcommand {:?}",
                    args.first().copied().unwrap_or("")
                ),
            )
            .await
        }
    }
}

/// cli/root.go's error output for a failed command.
async fn fail(io: &mut ProcIo, command: &str, msg: &str) -> R {
    io.err(&format!(
        "Encountered an error running \"{command}\", see \"{command} --help\" for more information\nerror: {msg}\n"
    ))
    .await?;
    Ok(1)
}

/// The global config directory: `CODER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/coderv2`, else
/// `$HOME/.config/coderv2` (cli/config, kirsle/configdir).
fn config_dir(ctx: &ProgCtx) -> String {
    if let Some(dir) = ctx.env("CODER_CONFIG_DIR") {
        return dir.to_string();
    }
    let base = match ctx.env("XDG_CONFIG_HOME") {
        Some(xdg) => xdg.to_string(),
        None => format!("{}/.config", ctx.env("HOME").unwrap_or("")),
    };
    format!("{base}/coderv2")
}

/// `embeddedPostgresURL`: reads the password and port files, creating what is missing.
fn builtin_url(ctx: &ProgCtx) -> String {
    let dir = format!("{}/postgres", config_dir(ctx));
    let password = match ctx.read_file(&format!("{dir}/password")) {
        Some(p) => p.trim().to_string(),
        None => {
            let p = random_password(16);
            ctx.write_file(&format!("{dir}/password"), &p);
            p
        }
    };
    let port = match ctx.read_file(&format!("{dir}/port")) {
        Some(p) => p.trim().to_string(),
        None => {
            let p = (40000 + crate::ids::random_u64() % 20000).to_string();
            ctx.write_file(&format!("{dir}/port"), &p);
            p
        }
    };
    format!("postgres://coder@localhost:{port}/coder?sslmode=disable&password={password}")
}

/// Whether the database at `url` answers: the chart fixtures' external one, or the pod's
/// running built-in one with the right port and password.
fn connect(ctx: &ProgCtx, url: Option<&str>) -> Result<(), String> {
    let Some(url) = url else {
        return Err(PG_REFUSED.to_string());
    };
    if url == EXTERNAL_DB_URL {
        return Ok(());
    }
    if let Some(rest) = url.strip_prefix("postgres://coder@localhost:") {
        let (port, query) = rest.split_once('/').unwrap_or((rest, ""));
        return match ctx.builtin_postgres() {
            Some((password, running_port)) if port == running_port.to_string() => {
                if query.ends_with(&format!("password={password}")) {
                    Ok(())
                } else {
                    Err("pq: password authentication failed for user \"coder\"".to_string())
                }
            }
            _ => Err(format!(
                "dial tcp 127.0.0.1:{port}: connect: connection refused"
            )),
        };
    }
    Err("dial tcp: lookup db: no such host".to_string())
}

/// reset-password's database connection, as each version reports a failure.
async fn connect_for_reset(
    ctx: &ProgCtx,
    version: Version,
    io: &mut ProcIo,
) -> Result<Option<String>, crate::programs::io::Gone> {
    let url = ctx.env("CODER_PG_CONNECTION_URL");
    match connect(ctx, url) {
        Ok(()) => Ok(None),
        Err(e) if version.retries_postgres() => {
            // ConnectToPostgres: up to 30 s of retries (three here, 100 ms apart).
            for try_number in 1..=3 {
                io.out(&format!("2026-11-30 05:00:0{try_number}.000 [warn]  ping postgres: retrying  error=\"{e}\"  try={try_number}\n")).await?;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Ok(Some(format!(
                "dial postgres: unable to connect after 3 tries; last error: {e}"
            )))
        }
        Err(e) => Ok(Some(format!("ping postgres: {e}"))),
    }
}

/// coderd/userpassword.Validate, in the simulator's own translation (not the plugin's
/// crate: see `userpassword.rs`).
pub(crate) fn validate_password(pw: &str) -> Result<(), String> {
    crate::userpassword::validate(pw)
}

/// cliui.Prompt without a terminal: `> TEXT ` on stdout, a line from stdin (read as the
/// version reads it), and on a failed check the error on stdout and the prompt again.
async fn prompt(
    version: Version,
    text: &str,
    validate: &(dyn Fn(&str) -> Result<(), String> + Sync),
    io: &mut ProcIo,
) -> Result<Option<String>, crate::programs::io::Gone> {
    loop {
        io.out(&format!("> {text} ")).await?;
        let line = if version.reads_byte_by_byte() {
            io.read_line().await
        } else {
            io.read_line_fresh_bufio().await
        };
        let Line::Line(line) = line else {
            return Ok(None);
        };
        match validate(&line) {
            Ok(()) => return Ok(Some(line)),
            Err(e) => io.out(&format!("{e}\n")).await?,
        }
    }
}

async fn reset_password(ctx: &ProgCtx, version: Version, username: &str, io: &mut ProcIo) -> R {
    const COMMAND: &str = "coder reset-password";
    if let Some(e) = connect_for_reset(ctx, version, io).await? {
        return fail(io, COMMAND, &e).await;
    }
    let canonical = {
        let s = lock(&ctx.shared);
        s.v2_users
            .iter()
            .find(|u| !u.deleted && u.username.eq_ignore_ascii_case(username))
            .map(|u| u.username.clone())
    };
    let Some(canonical) = canonical else {
        return fail(io, COMMAND, "retrieving user: sql: no rows in result set").await;
    };
    let Some(pw) = prompt(version, "Enter new  password :", &validate_password, io).await? else {
        return fail(io, COMMAND, "password prompt: EOF").await;
    };
    let not_empty = |s: &str| {
        if s.is_empty() {
            Err("Must be provided!".to_string())
        } else {
            Ok(())
        }
    };
    let Some(confirm) = prompt(version, "Confirm  password :", &not_empty, io).await? else {
        return fail(io, COMMAND, "confirm password prompt: EOF").await;
    };
    if pw != confirm {
        return fail(io, COMMAND, "Passwords do not match").await;
    }
    {
        let mut s = lock(&ctx.shared);
        if let Some(u) = s
            .v2_users
            .iter_mut()
            .find(|u| !u.deleted && u.username == canonical)
        {
            u.password = Some(pw);
        }
    }
    io.out(&format!(
        "\nPassword has been reset for user {canonical}!\n"
    ))
    .await?;
    Ok(0)
}

fn valid_username(u: &str) -> bool {
    !u.is_empty()
        && u.len() <= 32
        && u != "new"
        && u != "create"
        && u.split('-')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

async fn create_admin_user(ctx: &ProgCtx, version: Version, args: &[&str], io: &mut ProcIo) -> R {
    const COMMAND: &str = "coder server create-admin-user";
    let env = |name: &str| ctx.env(name).map(str::to_string);
    let mut username = env("CODER_USERNAME");
    let mut email = env("CODER_EMAIL");
    let mut password = env("CODER_PASSWORD");
    // Before 2.0 the URL came from CODER_POSTGRES_URL (coder/coder issue 7513).
    let before_2 = version.before_2();
    let mut url = env(if before_2 {
        "CODER_POSTGRES_URL"
    } else {
        "CODER_PG_CONNECTION_URL"
    });
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (*a, None),
        };
        let mut value = || inline.clone().or_else(|| it.next().map(|s| s.to_string()));
        match flag {
            "--username" => username = value(),
            "--email" => email = value(),
            "--password" => password = value(),
            "--postgres-url" => url = value(),
            "--raw-url" => {}
            _ => return fail(io, COMMAND, &format!("unknown flag: {flag}")).await,
        }
    }
    if before_2 {
        // cobra's RunE read the environment after the flags: it wins over them.
        for (name, value) in [
            ("CODER_POSTGRES_URL", &mut url),
            ("CODER_USERNAME", &mut username),
            ("CODER_EMAIL", &mut email),
            ("CODER_PASSWORD", &mut password),
        ] {
            if let Some(v) = env(name) {
                *value = Some(v);
            }
        }
    }
    // Before 2.0, with no server running one in this pod, a fresh built-in PostgreSQL
    // starts and takes the user: the deployment's database never sees it.
    let mut throwaway = false;
    if url.as_deref().is_none_or(str::is_empty) {
        let dir = format!("{}/postgres", config_dir(ctx));
        // cliui.Infof ends its line with \r\n; before 2.0 it was cobra's cmd.Printf("...\n").
        let end = if before_2 { "\n" } else { "\r\n" };
        io.out(&format!("Using built-in PostgreSQL ({dir}){end}"))
            .await?;
        throwaway = before_2 && ctx.builtin_postgres().is_none();
    }
    if url.as_deref().is_none_or(str::is_empty) && !throwaway {
        let why = match ctx.builtin_postgres() {
            Some((_, port)) => format!("listen tcp 127.0.0.1:{port}: bind: address already in use"),
            None => "create data directory: permission denied".to_string(),
        };
        return fail(
            io,
            COMMAND,
            &format!("Failed to start built-in PostgreSQL. Optionally, specify an external deployment with `--postgres-url`: {why}"),
        )
        .await;
    }
    if !throwaway && let Err(e) = connect(ctx, url.as_deref()) {
        return fail(io, COMMAND, &format!("connect to postgres: {e}")).await;
    }
    let not_empty = |what: &'static str| {
        move |s: &str| {
            if s.is_empty() {
                Err(format!("{what} cannot be empty"))
            } else {
                Ok(())
            }
        }
    };
    let username = match username {
        Some(u) => u,
        None => match prompt(version, "Username", &not_empty("username"), io).await? {
            Some(u) => u,
            None => return fail(io, COMMAND, "EOF").await,
        },
    };
    if !valid_username(&username) {
        return fail(
            io,
            COMMAND,
            &format!("validate inputs: username {username:?} is invalid"),
        )
        .await;
    }
    let email = match email {
        Some(e) => e,
        None => match prompt(version, "Email", &not_empty("email"), io).await? {
            Some(e) => e,
            None => return fail(io, COMMAND, "EOF").await,
        },
    };
    let password = match password {
        Some(p) => p,
        None => {
            let Some(pw) = prompt(version, "Password", &not_empty("password"), io).await? else {
                return fail(io, COMMAND, "EOF").await;
            };
            let same = |s: &str| {
                if s == pw {
                    Ok(())
                } else {
                    Err("passwords do not match".to_string())
                }
            };
            if prompt(version, "Confirm password", &same, io)
                .await?
                .is_none()
            {
                return fail(io, COMMAND, "EOF").await;
            }
            pw
        }
    };
    let id = uuid_v4();
    let exists = if throwaway {
        false
    } else {
        let mut s = lock(&ctx.shared);
        let exists = s
            .v2_users
            .iter()
            .any(|u| !u.deleted && u.username.eq_ignore_ascii_case(&username));
        if !exists {
            s.v2_users.push(V2User {
                id: id.clone(),
                username: username.clone(),
                email: email.clone(),
                deleted: false,
                password: Some(password),
            });
        }
        exists
    };
    io.err("Creating user...\n").await?;
    if exists {
        return fail(
            io,
            COMMAND,
            "insert user: pq: duplicate key value violates unique constraint \"users_username_lower_idx\"",
        )
        .await;
    }
    io.err(&format!(
        "Generating user SSH key...\n\nUser created successfully.\nID:       {id}\nUsername: {username}\nEmail:    {email}\nPassword: ********\n"
    ))
    .await?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_image_tags() {
        assert_eq!(
            Version::of_image("ghcr.io/coder/coder:v2.16.1"),
            Version(2, 16, 1)
        );
        assert_eq!(
            Version::of_image("ghcr.io/coder/coder:v2.18.0-rc.1"),
            Version(2, 18, 0)
        );
        assert_eq!(
            Version::of_image("ghcr.io/coder/coder:latest"),
            Version::LATEST
        );
        assert!(!Version(2, 17, 3).reads_byte_by_byte());
        assert!(Version(2, 18, 0).reads_byte_by_byte());
        assert!(!Version(2, 18, 2).retries_postgres());
        assert!(Version(2, 19, 0).retries_postgres());
    }

    #[test]
    fn password_rules() {
        assert!(validate_password("password").is_err());
        assert!(validate_password("PasswordSecured123!").is_ok());
        assert!(validate_password("MyNewPassword!").is_ok());
        assert!(validate_password(&"aB3!".repeat(20)).is_err());
    }

    #[test]
    fn usernames() {
        assert!(valid_username("alice"));
        assert!(valid_username("a-b-1"));
        assert!(!valid_username("-a"));
        assert!(!valid_username("a--b"));
        assert!(!valid_username("new"));
    }
}
