//! Scripted programs: a fixed sequence of writes, waits and endings, for the odd and hostile
//! Coder binaries a real cluster may hold (escape codes, endless output, a password and then
//! a failure, a log line that looks like credentials).

use crate::fixtures::pod::Step;
use crate::programs::io::{Gone, Line, Outcome, ProcIo};

pub(crate) async fn run(steps: &[Step], io: &mut ProcIo) -> Outcome {
    match play(steps, io).await {
        Ok(outcome) => outcome,
        Err(Gone) => Outcome::Killed("connection closed".into()),
    }
}

async fn play(steps: &[Step], io: &mut ProcIo) -> Result<Outcome, Gone> {
    for step in steps {
        match step {
            Step::Stdout(bytes) => io.write(1, bytes).await?,
            Step::Stderr(bytes) => io.write(2, bytes).await?,
            Step::Sleep(duration) => tokio::time::sleep(*duration).await,
            Step::ReadLine => {
                if let Line::Eof = io.read_line().await {
                    return Ok(Outcome::Exit(1));
                }
            }
            Step::Endless(chunk) => loop {
                io.write(1, chunk).await?;
            },
            Step::Exit(code) => return Ok(Outcome::Exit(*code)),
            Step::Fail(message) => return Ok(Outcome::Killed(message.clone())),
        }
    }
    Ok(Outcome::Exit(0))
}
