//! Coder v1's server binary, `coderd` (or `cemanager`): `reset-admin-password` prints a new
//! temporary password in the pod's output format.

use crate::fixtures::pod::V1OutputFormat;
use crate::ids::random_password;
use crate::programs::io::{ProcIo, ProgCtx, R};
use crate::state::lock;

pub(crate) async fn run(bin: &str, ctx: &ProgCtx, args: &[&str], io: &mut ProcIo) -> R {
    match args {
        ["reset-admin-password", ..] => {
            let pw = random_password(16);
            {
                // The site admin gets a temporary password, and (since 1.39.1, per the v1
                // changelog) loses its sessions and API keys.
                let mut s = lock(&ctx.shared);
                s.v1_admin_password = Some(pw.clone());
                let mut admin_ids = Vec::new();
                for u in s.v1_users.iter_mut().filter(|u| u.username == "admin") {
                    u.password = Some(pw.clone());
                    u.temporary_password = true;
                    admin_ids.push(u.id.clone());
                }
                s.coderd_sessions.retain(|(_, id)| !admin_ids.contains(id));
            }
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
                V1OutputFormat::Endless => {
                    let line = "2026-11-27 10:00:00.000 [DEBUG]\t<coderd>\tstill migrating\n";
                    let chunk = line.repeat(1000);
                    loop {
                        io.write(1, chunk.as_bytes()).await?;
                    }
                }
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
