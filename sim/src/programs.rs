//! The programs containers can run (see the crate docs).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::fixtures::V1OutputFormat;
use crate::{Shared, V2User, lock};

/// How an exec ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Exit(i32),
    /// The program could not start (containerd-like message).
    Internal(String),
    /// The connection went away while the program ran.
    Killed(String),
}

pub(crate) struct ProgCtx {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub programs: Vec<String>,
    pub v1_output: V1OutputFormat,
    pub delay: Duration,
    pub shared: Shared,
}

impl ProgCtx {
    fn env(&self, k: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(ek, _)| ek == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

struct Gone;

/// A program's stdin/stdout/stderr.
pub(crate) struct ProcIo {
    stdin: mpsc::UnboundedReceiver<Vec<u8>>,
    buf: Vec<u8>,
    eof: bool,
    out: mpsc::Sender<(u8, Vec<u8>)>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

enum Line {
    Line(String),
    Eof,
}

impl ProcIo {
    pub(crate) fn new(
        stdin: mpsc::UnboundedReceiver<Vec<u8>>,
        out: mpsc::Sender<(u8, Vec<u8>)>,
    ) -> Self {
        ProcIo {
            stdin,
            buf: Vec::new(),
            eof: false,
            out,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }
    async fn write(&mut self, ch: u8, data: &[u8]) -> Result<(), Gone> {
        if data.is_empty() {
            return Ok(());
        }
        if ch == 1 {
            self.stdout.extend_from_slice(data);
        } else {
            self.stderr.extend_from_slice(data);
        }
        self.out.send((ch, data.to_vec())).await.map_err(|_| Gone)
    }
    async fn out(&mut self, s: &str) -> Result<(), Gone> {
        self.write(1, s.as_bytes()).await
    }
    async fn err(&mut self, s: &str) -> Result<(), Gone> {
        self.write(2, s.as_bytes()).await
    }
    async fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        match self.stdin.recv().await {
            Some(d) => {
                self.buf.extend_from_slice(&d);
                true
            }
            None => {
                self.eof = true;
                false
            }
        }
    }
    /// A line ending in `\n` (without it, `\r` stripped); a last line without `\n` is EOF.
    async fn read_line(&mut self) -> Line {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=i).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Line::Line(String::from_utf8_lossy(&line).into_owned());
            }
            if !self.fill().await {
                return Line::Eof;
            }
        }
    }
}

const COREUTILS: &[&str] = &[
    "cat",
    "echo",
    "true",
    "false",
    "exit-code",
    "head",
    "yes-bytes",
    "sleep",
    "stderr",
    "env",
];

type R = Result<i32, Gone>;

pub(crate) async fn run(ctx: &ProgCtx, io: &mut ProcIo) -> Outcome {
    let Some(arg0) = ctx.argv.first() else {
        return Outcome::Internal(not_found_message(""));
    };
    let base = arg0.rsplit('/').next().unwrap_or(arg0).to_string();
    let installed = COREUTILS.contains(&base.as_str()) || ctx.programs.contains(&base);
    if !installed {
        return Outcome::Internal(not_found_message(arg0));
    }
    if !ctx.delay.is_zero() {
        tokio::time::sleep(ctx.delay).await;
    }
    let args: Vec<&str> = ctx.argv[1..].iter().map(String::as_str).collect();
    let r = match base.as_str() {
        "cat" => cat(io).await,
        "echo" => io.out(&format!("{}\n", args.join(" "))).await.map(|_| 0),
        "true" => Ok(0),
        "false" => Ok(1),
        "exit-code" => Ok(args.first().and_then(|a| a.parse().ok()).unwrap_or(1)),
        "head" | "yes-bytes" => bytes(&base, &args, io).await,
        "sleep" => {
            let secs: f64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(0.0);
            tokio::time::sleep(Duration::from_secs_f64(secs.max(0.0))).await;
            Ok(0)
        }
        "stderr" => io.err(&format!("{}\n", args.join(" "))).await.map(|_| 0),
        "env" => {
            let text: String = ctx.env.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            io.out(&text).await.map(|_| 0)
        }
        "coderd" | "cemanager" => coder_v1(&base, ctx, &args, io).await,
        "coder" => coder_v2(ctx, &args, io).await,
        _ => Ok(127),
    };
    match r {
        Ok(code) => Outcome::Exit(code),
        Err(Gone) => Outcome::Killed("connection closed".into()),
    }
}

fn not_found_message(arg0: &str) -> String {
    let id: String = (0..4).map(|_| format!("{:016x}", random_u64())).collect();
    let why = if arg0.contains('/') {
        format!("exec: \"{arg0}\": stat {arg0}: no such file or directory: unknown")
    } else {
        format!("exec: \"{arg0}\": executable file not found in $PATH: unknown")
    };
    format!(
        "error executing command in container: failed to exec in container: failed to start exec \"{id}\": OCI runtime exec failed: exec failed: unable to start container process: {why}"
    )
}

async fn cat(io: &mut ProcIo) -> R {
    loop {
        if !io.buf.is_empty() {
            let data = std::mem::take(&mut io.buf);
            io.write(1, &data).await?;
        }
        if !io.fill().await {
            return Ok(0);
        }
    }
}

async fn bytes(base: &str, args: &[&str], io: &mut ProcIo) -> R {
    let n: Option<usize> = if base == "head" {
        match args {
            ["-c", n, ..] => n.parse().ok(),
            _ => None,
        }
    } else {
        args.first().and_then(|a| a.parse().ok())
    };
    let Some(mut n) = n else {
        io.err(&format!(
            "usage: {base} {}N\n",
            if base == "head" { "-c " } else { "" }
        ))
        .await?;
        return Ok(1);
    };
    let byte = if base == "head" { 0u8 } else { b'y' };
    let chunk = vec![byte; 64 * 1024];
    while n > 0 {
        let k = n.min(chunk.len());
        io.write(1, &chunk[..k]).await?;
        n -= k;
    }
    Ok(0)
}

// ---------- Coder v1 ----------

async fn coder_v1(bin: &str, ctx: &ProgCtx, args: &[&str], io: &mut ProcIo) -> R {
    match args {
        ["reset-admin-password", ..] => {
            let pw = random_password(16);
            lock(&ctx.shared).v1_admin_password = Some(pw.clone());
            let text = match ctx.v1_output {
                V1OutputFormat::Boxed => format!(
                    "----------------------\nUser:     admin\nPassword: {pw}\n----------------------\n"
                ),
                V1OutputFormat::Emoji => format!("> 🙋 Username: admin\n> 🔑 Password: {pw}\n"),
                V1OutputFormat::Logged => {
                    let ms = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_millis() as i64)
                        .unwrap_or(0);
                    let now =
                        k8s_openapi::jiff::Timestamp::from_millisecond(ms).unwrap_or_default();
                    let stamp = now.strftime("%Y-%m-%d %H:%M:%S%.3f").to_string();
                    let prefix = format!("{stamp} \x1b[34m[INFO]\x1b[0m\t<{bin}>\t");
                    format!(
                        "{prefix}----------------------\n{prefix}User:     \x1b[1;36madmin\x1b[0m\n{prefix}Password: \x1b[1;32m{pw}\x1b[0m\n{prefix}----------------------\n"
                    )
                }
                V1OutputFormat::Unparseable => "admin password reset complete\n".to_string(),
                V1OutputFormat::Verbose => {
                    // 10 MiB of chatter first, in 1 MiB writes, on both streams.
                    let line = "2026-11-27 10:00:00.000 [DEBUG]\t<coderd>\tdatabase: migration step checked, nothing to do\n";
                    let chunk = line.repeat((1 << 20) / line.len() + 1);
                    for i in 0..10 {
                        io.write(if i % 2 == 0 { 1 } else { 2 }, chunk.as_bytes())
                            .await?;
                    }
                    format!(
                        "----------------------\nUser:     admin\nPassword: {pw}\n----------------------\n"
                    )
                }
                V1OutputFormat::Noisy => {
                    let mut bytes: Vec<u8> = Vec::new();
                    bytes.extend_from_slice(b"\x1b]0;coderd\x07\xff\xfe starting \xc3\x28\r\n");
                    bytes.extend_from_slice(b"----------------------\r\n");
                    bytes.extend_from_slice(
                        b"\x1b[1mUser:\x1b(B\x1b[m     \x1b[36madmin\x1b(B\x1b[m\r\n",
                    );
                    bytes.extend_from_slice(b"\x1b[1mPassword:\x1b(B\x1b[m \x1b[1;32m");
                    bytes.extend_from_slice(pw.as_bytes());
                    bytes.extend_from_slice(b"\x1b(B\x1b[m\r\n\x80\x81----------------------\r\n");
                    io.write(1, &bytes).await?;
                    return Ok(0);
                }
            };
            io.out(&text).await?;
            Ok(0)
        }
        ["--version"] | ["version"] => {
            io.out("Coder 1.44.0\n").await?;
            Ok(0)
        }
        _ => {
            io.err(&format!(
                "Usage:\n  {bin} [command]\n\nAvailable Commands:\n  reset-admin-password  Reset the site admin's password\n  run                   Run the Coder server\n\nerror: unknown command {:?} for {bin:?}\n",
                args.first().copied().unwrap_or("")
            ))
            .await?;
            Ok(1)
        }
    }
}

// ---------- Coder v2 ----------

const PG_REFUSED: &str = "dial tcp 127.0.0.1:5432: connect: connection refused";

async fn coder_v2(ctx: &ProgCtx, args: &[&str], io: &mut ProcIo) -> R {
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

/// Coder's password rules (coderd/userpassword.Validate): go-password-validator v0.3.0's
/// estimate of at least 52 bits, then at most 64 bytes. The estimate is the plugin's port,
/// which its tests check against the Go library's own test tables and Coder's examples.
pub(crate) fn validate_password(pw: &str) -> Result<(), String> {
    if kubectl_coder::password::entropy_bits(pw) < kubectl_coder::password::MIN_ENTROPY_BITS {
        return Err("insecure password, try including more special characters, using uppercase letters, using numbers or using a longer password".into());
    }
    if pw.len() > kubectl_coder::password::MAX_LEN {
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

// ---------- randomness ----------

pub(crate) fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

fn random_password(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..len)
        .map(|_| ALPHABET[(random_u64() % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

fn fmt_uuid(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

pub(crate) fn uuid_v4() -> String {
    fmt_uuid(random_u64(), random_u64())
}

/// A stable UUID-shaped id for a name.
pub(crate) fn uuid_from(name: &str) -> String {
    let mut a: u64 = 0xcbf29ce484222325;
    let mut b: u64 = 0x9e3779b97f4a7c15;
    for byte in name.bytes() {
        a = (a ^ byte as u64).wrapping_mul(0x100000001b3);
        b = (b ^ byte as u64)
            .wrapping_mul(0x100000001b3)
            .rotate_left(13);
    }
    fmt_uuid(a, b)
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
