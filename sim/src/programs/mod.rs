//! The programs containers can run (see the crate docs), chosen by the basename of `argv[0]`.

pub(crate) mod coder_v1;
pub(crate) mod coder_v2;
pub(crate) mod coreutils;
pub(crate) mod io;
pub(crate) mod script;

use std::time::Duration;

use crate::programs::coreutils::{COREUTILS, bytes, cat, not_found_message};
use crate::programs::io::{Gone, Outcome, ProcIo, ProgCtx};

pub(crate) async fn run(ctx: &ProgCtx, io: &mut ProcIo) -> Outcome {
    let Some(arg0) = ctx.argv.first() else {
        return Outcome::Internal(not_found_message(""));
    };
    let base = arg0.rsplit('/').next().unwrap_or(arg0).to_string();
    let scripted = ctx.scripts.iter().find(|(name, _)| *name == base);
    let installed =
        scripted.is_some() || COREUTILS.contains(&base.as_str()) || ctx.programs.contains(&base);
    if !installed {
        return Outcome::Internal(not_found_message(arg0));
    }
    if !ctx.delay.is_zero() {
        tokio::time::sleep(ctx.delay).await;
    }
    if let Some((_, steps)) = scripted {
        return script::run(steps, io).await;
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
        "coderd" | "cemanager" => coder_v1::run(&base, ctx, &args, io).await,
        "coder" => coder_v2::run(ctx, &args, io).await,
        _ => Ok(127),
    };
    match r {
        Ok(code) => Outcome::Exit(code),
        Err(Gone) => Outcome::Killed("connection closed".into()),
    }
}
