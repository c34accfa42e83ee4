//! The small programs every container has (see the crate docs).

use crate::ids::random_u64;
use crate::programs::io::{ProcIo, R};

pub(crate) const COREUTILS: &[&str] = &[
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

pub(crate) fn not_found_message(arg0: &str) -> String {
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

pub(crate) async fn cat(io: &mut ProcIo) -> R {
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

pub(crate) async fn bytes(base: &str, args: &[&str], io: &mut ProcIo) -> R {
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
