//! The programs containers can run (see the crate docs). `argv[0]` is found as a shell
//! would: a path is taken as it is, a bare name is looked up in the process's `PATH` (the
//! image's, or containerd's default), so an image without `/opt` on `PATH` has no `coder`
//! but does have `/opt/coder`.

pub(crate) mod coder_v1;
pub(crate) mod coder_v2;
pub(crate) mod coreutils;
pub(crate) mod io;
pub(crate) mod script;
pub(crate) mod sh;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::programs::coreutils::{COREUTILS, bytes, cat, not_found_message};
use crate::programs::io::{Gone, Outcome, ProcIo, ProgCtx};

/// containerd's `PATH` when the image sets none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What `argv[0]` turned out to be.
enum Program {
    Script(usize),
    Coreutil(String),
    Shell,
    CoderV1(String),
    CoderV2,
}

/// Runs an exec's command: after the pod's configured delay, then as any child would.
pub(crate) async fn run(ctx: &ProgCtx, io: &mut ProcIo) -> Outcome {
    if resolve(ctx).is_none() {
        return Outcome::Internal(not_found_message(
            ctx.argv.first().map(String::as_str).unwrap_or(""),
        ));
    }
    if !ctx.delay.is_zero() {
        tokio::time::sleep(ctx.delay).await;
    }
    run_child(ctx, io).await
}

/// Runs a command (the exec's, or one a shell starts), boxed for the shell's recursion.
pub(crate) fn run_child<'a>(
    ctx: &'a ProgCtx,
    io: &'a mut ProcIo,
) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
    Box::pin(async move {
        let Some(program) = resolve(ctx) else {
            return Outcome::Internal(not_found_message(
                ctx.argv.first().map(String::as_str).unwrap_or(""),
            ));
        };
        let args: Vec<&str> = ctx.argv[1..].iter().map(String::as_str).collect();
        let r = match program {
            Program::Script(i) => return script::run(&ctx.scripts[i].1, io).await,
            Program::Shell => return sh::run(ctx, &args, io).await,
            Program::CoderV1(bin) => coder_v1::run(&bin, ctx, &args, io).await,
            Program::CoderV2 => coder_v2::run(ctx, &args, io).await,
            Program::Coreutil(name) => coreutil(&name, ctx, &args, io).await,
        };
        match r {
            Ok(code) => Outcome::Exit(code),
            Err(Gone) => Outcome::Killed("connection closed".into()),
        }
    })
}

async fn coreutil(name: &str, ctx: &ProgCtx, args: &[&str], io: &mut ProcIo) -> io::R {
    match name {
        "cat" if args.is_empty() => cat(io).await,
        // `cat FILE...`: the pod's files (the server's config file, say), as coreutils does.
        "cat" => {
            let mut code = 0;
            for path in args {
                match ctx.read_file(path) {
                    Some(text) => io.out(&text).await?,
                    None => {
                        io.err(&format!("cat: {path}: No such file or directory\n"))
                            .await?;
                        code = 1;
                    }
                }
            }
            Ok(code)
        }
        "echo" => io.out(&format!("{}\n", args.join(" "))).await.map(|_| 0),
        "true" => Ok(0),
        "false" => Ok(1),
        "exit-code" => Ok(args.first().and_then(|a| a.parse().ok()).unwrap_or(1)),
        "head" | "yes-bytes" => bytes(name, args, io).await,
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
        _ => Ok(127),
    }
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Finds `argv[0]` as a shell would.
fn resolve(ctx: &ProgCtx) -> Option<Program> {
    let arg0 = ctx.argv.first()?;
    let candidates: Vec<String> = if arg0.contains('/') {
        vec![arg0.clone()]
    } else {
        let path = ctx
            .env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.as_str())
            .unwrap_or(DEFAULT_PATH);
        path.split(':')
            .filter(|dir| !dir.is_empty())
            .map(|dir| format!("{}/{arg0}", dir.trim_end_matches('/')))
            .collect()
    };
    candidates.iter().find_map(|path| installed(ctx, path))
}

/// The program at `path`, if the container has one there.
fn installed(ctx: &ProgCtx, path: &str) -> Option<Program> {
    let base = basename(path);
    let dir = &path[..path.len() - base.len()];
    // A scripted stand-in takes the place of the program of its name, wherever it is.
    let is_program = |name: &str| {
        ctx.programs.iter().any(|p| {
            if p.contains('/') {
                p == path
            } else {
                p == name && dir == "/usr/local/bin/"
            }
        })
    };
    if let Some(i) = ctx.scripts.iter().position(|(n, _)| n == base)
        && (is_program(base) || dir == "/usr/local/bin/")
    {
        return Some(Program::Script(i));
    }
    let system_dir = matches!(dir, "/bin/" | "/usr/bin/");
    if system_dir && base == "sh" && !ctx.no_shell {
        return Some(Program::Shell);
    }
    if system_dir && COREUTILS.contains(&base) {
        return Some(Program::Coreutil(base.to_string()));
    }
    if !is_program(base) {
        return None;
    }
    match base {
        "coderd" | "cemanager" => Some(Program::CoderV1(base.to_string())),
        "coder" => Some(Program::CoderV2),
        other => Some(Program::Coreutil(other.to_string())),
    }
}
