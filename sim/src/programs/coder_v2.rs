//! Coder v2's binary, `coder`: `reset-password` and `server create-admin-user` against the
//! emulated database.

use crate::ids::uuid_v4;
use crate::programs::io::{Line, ProcIo, ProgCtx, R};
use crate::state::{V2User, lock};

const PG_REFUSED: &str = "dial tcp 127.0.0.1:5432: connect: connection refused";

pub(crate) async fn run(ctx: &ProgCtx, args: &[&str], io: &mut ProcIo) -> R {
    match args {
        ["--version"] | ["version", ..] => {
            io.out("Coder v2.18.0+abc123 Tue Dec  3 00:00:00 UTC 2024\nhttps://github.com/coder/coder/commit/abc1234567890abcdef1234567890abcdef12345\n\nFull build of Coder, supports the server subcommand.\n").await?;
            Ok(0)
        }
        ["reset-password", username] => reset_password(ctx, username, io).await,
        ["reset-password", ..] => {
            io.err("Encountered an error running \"coder reset-password\", see \"coder reset-password --help\" for more information\nerror: wanted 1 args but got ").await?;
            io.err(&format!("{}\n", args.len() - 1)).await?;
            Ok(1)
        }
        ["server", "create-admin-user", rest @ ..] => create_admin_user(ctx, rest, io).await,
        _ => {
            io.err(&format!(
                "Encountered an error running \"coder\", see \"coder --help\" for more information\nerror: unrecognized subcommand {:?}\n",
                args.first().copied().unwrap_or("")
            ))
            .await?;
            Ok(1)
        }
    }
}

async fn fail(io: &mut ProcIo, msg: &str) -> R {
    io.err(&format!("error: {msg}\n")).await?;
    Ok(1)
}

/// Coder's password rules (coderd/userpassword/userpassword.go, `Validate`):
/// go-password-validator v0.3.0's `Validate(password, 52)`, then at most 64 bytes.
pub(crate) fn validate_password(pw: &str) -> Result<(), String> {
    passwordvalidator::validate(pw, 52.0).map_err(|e| e.to_string())?;
    if pw.len() > 64 {
        return Err("password must be no more than 64 characters".into());
    }
    Ok(())
}

async fn reset_password(ctx: &ProgCtx, username: &str, io: &mut ProcIo) -> R {
    if ctx.env("CODER_PG_CONNECTION_URL").is_none() {
        return fail(io, &format!("dial postgres: ping postgres: {PG_REFUSED}")).await;
    }
    let canonical = {
        let s = lock(&ctx.shared);
        s.v2_users
            .iter()
            .find(|u| !u.deleted && u.username.eq_ignore_ascii_case(username))
            .map(|u| u.username.clone())
    };
    let Some(canonical) = canonical else {
        return fail(io, "retrieving user: sql: no rows in result set").await;
    };
    io.out("Enter new password: ").await?;
    let pw = match io.read_line().await {
        Line::Line(l) => l,
        Line::Eof => return fail(io, "password prompt: EOF").await,
    };
    if let Err(e) = validate_password(&pw) {
        return fail(io, &format!("password prompt: {e}")).await;
    }
    io.out("Confirm password: ").await?;
    let confirm = match io.read_line().await {
        Line::Line(l) => l,
        Line::Eof => return fail(io, "confirm password prompt: EOF").await,
    };
    if confirm.is_empty() {
        return fail(io, "confirm password prompt: value is empty").await;
    }
    if pw != confirm {
        return fail(io, "Passwords do not match").await;
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

async fn create_admin_user(ctx: &ProgCtx, args: &[&str], io: &mut ProcIo) -> R {
    let mut username = None;
    let mut email = None;
    let mut password = None;
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
            "--postgres-url" => {
                let _ = value();
            }
            _ => return fail(io, &format!("unknown flag: {flag}")).await,
        }
    }
    if ctx.env("CODER_PG_CONNECTION_URL").is_none() {
        io.err("Using built-in PostgreSQL (/home/coder/.config/coderv2/postgres)\n")
            .await?;
        return fail(
            io,
            "start built-in postgres: listen tcp 127.0.0.1:0: bind: permission denied",
        )
        .await;
    }
    let Some(username) = username else {
        return fail(io, "username is required (--username)").await;
    };
    if !valid_username(&username) {
        return fail(
            io,
            &format!("username {username:?} is invalid: must be alphanumeric with hyphens"),
        )
        .await;
    }
    let Some(email) = email else {
        return fail(io, "email is required (--email)").await;
    };
    let password = match password {
        Some(p) => p,
        None => {
            io.out("Password: ").await?;
            let pw = match io.read_line().await {
                Line::Line(l) => l,
                Line::Eof => return fail(io, "EOF").await,
            };
            io.out("Confirm password: ").await?;
            let confirm = match io.read_line().await {
                Line::Line(l) => l,
                Line::Eof => return fail(io, "EOF").await,
            };
            if pw != confirm {
                return fail(io, "passwords do not match").await;
            }
            pw
        }
    };
    if let Err(e) = validate_password(&password) {
        return fail(io, &format!("validate password: {e}")).await;
    }
    let id = uuid_v4();
    let exists = {
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
    if exists {
        io.err("Creating user...\n").await?;
        return fail(
            io,
            "insert user: pq: duplicate key value violates unique constraint \"users_username_lower_idx\"",
        )
        .await;
    }
    io.err(&format!(
        "Creating user...\nGenerating user SSH key...\n\nUser created successfully.\nID:       {id}\nUsername: {username}\nEmail:    {email}\nPassword: ********\n"
    ))
    .await?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
