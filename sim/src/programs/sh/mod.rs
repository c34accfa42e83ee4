//! `sh -c SCRIPT [NAME [ARG...]]`: a small POSIX shell, enough for what a client may send a
//! Coder pod (kubectl-coder's wrapper that runs `coder` against the built-in PostgreSQL), and
//! checked against the real `/bin/sh` by sim/tests/sh_conformance.rs.
//!
//! Supported: lists with `;`, newlines, `&&`, `||`; `if LIST; then LIST; [else LIST;] fi`;
//! `{ LIST; }`; words with single and double quotes, `$NAME`, `${NAME}`, `${NAME:-WORD}`,
//! `$0`..`$9`, `$?`, `"$@"` and `$(LIST)`; assignments, alone or before a command;
//! redirections `>&2`, `>/dev/null`, `2>/dev/null`; builtins `echo`, `exit`, `export`,
//! `unset`, `exec`, `test`, `[`, `true`, `false`, `:`. Not supported (a syntax error): pipes,
//! globbing, field splitting of unquoted expansions, functions, loops.

mod parse;

use std::collections::{BTreeMap, BTreeSet};

use crate::programs::io::{Gone, Outcome, ProcIo, ProgCtx};
use crate::programs::run_child;
use crate::programs::sh::parse::{AndOr, Command, Part, Redirect, Word, parse};

pub(crate) async fn run(ctx: &ProgCtx, args: &[&str], io: &mut ProcIo) -> Outcome {
    let ["-c", script, rest @ ..] = args else {
        return exit_with(
            io,
            2,
            "sh: only `sh -c SCRIPT [NAME [ARG...]]` is supported\n",
        )
        .await;
    };
    let program = match parse(script) {
        Ok(program) => program,
        Err(e) => return exit_with(io, 2, &format!("sh: syntax error: {e}\n")).await,
    };
    let mut shell = Shell {
        vars: ctx.env.iter().cloned().collect(),
        exported: ctx.env.iter().map(|(k, _)| k.clone()).collect(),
        zero: rest.first().map_or("sh", |s| *s).to_string(),
        positional: rest.iter().skip(1).map(|s| s.to_string()).collect(),
        status: 0,
        substituted: None,
        ctx,
    };
    match shell.list(&program, io).await {
        Ok(Flow::Next(code)) | Ok(Flow::Exit(code)) => Outcome::Exit(code),
        Ok(Flow::Ended(outcome)) => outcome,
        Err(Gone) => Outcome::Killed("connection closed".into()),
    }
}

async fn exit_with(io: &mut ProcIo, code: i32, message: &str) -> Outcome {
    match io.err(message).await {
        Ok(()) => Outcome::Exit(code),
        Err(Gone) => Outcome::Killed("connection closed".into()),
    }
}

/// What running a command left the script to do.
enum Flow {
    /// Go on; the status of the last command.
    Next(i32),
    /// `exit N`.
    Exit(i32),
    /// `exec` ended the shell the way its program ended.
    Ended(Outcome),
}

struct Shell<'c> {
    vars: BTreeMap<String, String>,
    exported: BTreeSet<String>,
    zero: String,
    positional: Vec<String>,
    /// `$?`: the status of the last command or command substitution.
    status: i32,
    /// The status of the last command substitution of the command being expanded.
    substituted: Option<i32>,
    ctx: &'c ProgCtx,
}

impl Shell<'_> {
    fn param(&self, name: &str) -> Option<String> {
        if name == "?" {
            return Some(self.status.to_string());
        }
        match name.parse::<usize>() {
            Ok(0) => Some(self.zero.clone()),
            Ok(n) => self.positional.get(n - 1).cloned(),
            Err(_) => self.vars.get(name).cloned(),
        }
    }

    /// Expands a word into fields: one, or (for `"$@"`) one per argument.
    fn expand<'a>(
        &'a mut self,
        word: &'a Word,
        io: &'a mut ProcIo,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<Vec<String>, Gone>> + Send + 'a>> {
        Box::pin(async move {
            if word.parts.iter().any(|p| matches!(p, Part::AllArgs)) {
                return Ok(self.positional.clone());
            }
            let mut text = String::new();
            for part in &word.parts {
                match part {
                    Part::Literal(t) => text.push_str(t),
                    Part::Param { name, default } => match (self.param(name), default) {
                        (Some(v), _) if !v.is_empty() => text.push_str(&v),
                        (_, Some(default)) => {
                            let inner = Word {
                                parts: default.clone(),
                                quoted: true,
                            };
                            text.push_str(&self.expand(&inner, io).await?.join(" "));
                        }
                        _ => {}
                    },
                    Part::AllArgs => {}
                    Part::Command(list) => {
                        io.capture_begin();
                        let result = self.list(list, io).await;
                        let captured = io.capture_end();
                        let code = match result? {
                            Flow::Next(code) | Flow::Exit(code) => code,
                            Flow::Ended(Outcome::Exit(code)) => code,
                            Flow::Ended(_) => 1,
                        };
                        self.status = code;
                        self.substituted = Some(code);
                        let out = String::from_utf8_lossy(&captured);
                        text.push_str(out.trim_end_matches('\n'));
                    }
                }
            }
            if text.is_empty() && !word.quoted {
                return Ok(Vec::new());
            }
            Ok(vec![text])
        })
    }

    fn list<'a>(
        &'a mut self,
        list: &'a [AndOr],
        io: &'a mut ProcIo,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<Flow, Gone>> + Send + 'a>> {
        Box::pin(async move {
            for and_or in list {
                match self.command(&and_or.first, io).await? {
                    Flow::Next(code) => self.status = code,
                    done => return Ok(done),
                }
                for (and, command) in &and_or.rest {
                    if (self.status == 0) != *and {
                        continue;
                    }
                    match self.command(command, io).await? {
                        Flow::Next(code) => self.status = code,
                        done => return Ok(done),
                    }
                }
            }
            Ok(Flow::Next(self.status))
        })
    }

    async fn command(&mut self, command: &Command, io: &mut ProcIo) -> Result<Flow, Gone> {
        match command {
            Command::Group(body) => self.list(body, io).await,
            Command::If {
                condition,
                then,
                otherwise,
            } => match self.list(condition, io).await? {
                Flow::Next(0) => self.list(then, io).await,
                Flow::Next(_) => self.list(otherwise, io).await,
                done => Ok(done),
            },
            Command::Simple {
                assignments,
                words,
                redirects,
            } => {
                // An assignment alone has the status of its last command substitution.
                self.substituted = None;
                let mut values = Vec::new();
                for (name, word) in assignments {
                    let value = self.expand(word, io).await?.join(" ");
                    values.push((name.clone(), value));
                }
                let mut argv = Vec::new();
                for word in words {
                    argv.extend(self.expand(word, io).await?);
                }
                if argv.is_empty() {
                    for (name, value) in values {
                        self.vars.insert(name, value);
                    }
                    return Ok(Flow::Next(self.substituted.unwrap_or(0)));
                }
                for redirect in redirects {
                    match redirect {
                        Redirect::StdoutToStderr => io.stdout_to_stderr += 1,
                        Redirect::StdoutToNull => io.stdout_discarded += 1,
                        Redirect::StderrToNull => {}
                    }
                }
                let result = self.simple(argv, values, io).await;
                for redirect in redirects {
                    match redirect {
                        Redirect::StdoutToStderr => io.stdout_to_stderr -= 1,
                        Redirect::StdoutToNull => io.stdout_discarded -= 1,
                        Redirect::StderrToNull => {}
                    }
                }
                result
            }
        }
    }

    async fn simple(
        &mut self,
        mut argv: Vec<String>,
        assigned: Vec<(String, String)>,
        io: &mut ProcIo,
    ) -> Result<Flow, Gone> {
        let exec = argv[0] == "exec";
        if exec {
            argv.remove(0);
            if argv.is_empty() {
                return Ok(Flow::Next(0));
            }
        }
        let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
        match argv[0].as_str() {
            "exit" => {
                // Without a number: the status of the last command.
                let code = args.first().and_then(|a| a.parse().ok());
                return Ok(Flow::Exit(code.unwrap_or(self.status)));
            }
            "export" => {
                for name in args {
                    let (name, value) = match name.split_once('=') {
                        Some((n, v)) => (n, Some(v.to_string())),
                        None => (name, None),
                    };
                    if let Some(value) = value {
                        self.vars.insert(name.to_string(), value);
                    }
                    self.exported.insert(name.to_string());
                }
                return Ok(Flow::Next(0));
            }
            "unset" => {
                for name in args {
                    self.vars.remove(name);
                    self.exported.remove(name);
                }
                return Ok(Flow::Next(0));
            }
            "echo" => {
                io.out(&format!("{}\n", args.join(" "))).await?;
                return Ok(Flow::Next(0));
            }
            "true" | ":" => return Ok(Flow::Next(0)),
            "false" => return Ok(Flow::Next(1)),
            "test" | "[" => {
                let args = if argv[0] == "[" {
                    match args.split_last() {
                        Some((&"]", rest)) => rest.to_vec(),
                        _ => {
                            io.err("sh: [: missing ]\n").await?;
                            return Ok(Flow::Next(2));
                        }
                    }
                } else {
                    args
                };
                return Ok(Flow::Next(i32::from(!self.test(&args))));
            }
            _ => {}
        }
        let mut env: Vec<(String, String)> = self
            .vars
            .iter()
            .filter(|(k, _)| self.exported.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, value) in assigned {
            env.retain(|(k, _)| *k != name);
            env.push((name, value));
        }
        let child = self.ctx.child(argv.clone(), env);
        match run_child(&child, io).await {
            Outcome::Exit(code) if !exec => Ok(Flow::Next(code)),
            Outcome::Internal(_) => {
                io.err(&format!("sh: {}: not found\n", argv[0])).await?;
                if exec {
                    Ok(Flow::Exit(127))
                } else {
                    Ok(Flow::Next(127))
                }
            }
            outcome if exec => Ok(Flow::Ended(outcome)),
            Outcome::Killed(_) => Err(Gone),
            Outcome::Exit(code) => Ok(Flow::Next(code)),
        }
    }

    /// `test`: `-f`/`-e` (a file of the pod), `-n`/`-z`, `=`/`!=`, `!`.
    fn test(&self, args: &[&str]) -> bool {
        match args {
            ["!", rest @ ..] => !self.test(rest),
            ["-f" | "-e", path] => self.ctx.read_file(path).is_some(),
            ["-n", s] => !s.is_empty(),
            ["-z", s] => s.is_empty(),
            [a, "=", b] => a == b,
            [a, "!=", b] => a != b,
            [s] => !s.is_empty(),
            _ => false,
        }
    }
}
