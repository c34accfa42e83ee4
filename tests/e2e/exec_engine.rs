//! The exec engine through the library, against the simulator: sizes, stdin, exit codes,
//! protocol versions, timeouts and dropped streams.

use std::time::Duration;

use kubectl_coder::kube::connection::{self, ConnectOptions, Connection};
use kubectl_coder::kube::exec::{self, Dialogue, End, ExecOutput, ExecRequest, Reply, Stdin};
use kubectl_coder::kube::signals::Signals;
use kubectl_coder::kube::transcript::{Stream, Transcript};
use kubesim::{ExecFault, Scenario, Sim};

use crate::support::TestEnv;

const V1_POD: &str = "coderd-7f9c6d5b8-x2k4q";

async fn connection(env: &TestEnv) -> Connection {
    let options = ConnectOptions {
        kubeconfig: Some(env.kubeconfig.clone()),
        ..Default::default()
    };
    connection::connect(&options).await.expect("connects")
}

/// Writes its bytes, then closes stdin.
struct ThenClose<'a>(Option<&'a [u8]>);

impl Dialogue for ThenClose<'_> {
    fn next(&mut self, _: &Transcript, _: Duration) -> Reply<'_> {
        match self.0.take() {
            Some(bytes) => Reply::Write(bytes),
            None => Reply::Close,
        }
    }
}

async fn run(env: &TestEnv, argv: &[&str], stdin: Option<&[u8]>, close_stdin: bool) -> ExecOutput {
    run_with(
        env,
        argv,
        stdin,
        close_stdin,
        Some(Duration::from_secs(30)),
        &mut |_| {},
    )
    .await
}

async fn run_with(
    env: &TestEnv,
    argv: &[&str],
    stdin: Option<&[u8]>,
    close_stdin: bool,
    timeout: Option<Duration>,
    on_tick: &mut dyn FnMut(Duration),
) -> ExecOutput {
    let conn = connection(env).await;
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let mut then_close = ThenClose(stdin);
    let request = ExecRequest {
        pod: V1_POD,
        container: "coderd",
        argv: &argv,
        stdin: match (stdin, close_stdin) {
            (None, _) => Stdin::None,
            (Some(bytes), false) => Stdin::Bytes(bytes),
            (Some(_), true) => Stdin::Dialogue(&mut then_close),
        },
        timeout,
        keep_lines: None,
    };
    let mut signals = Signals::listen().unwrap();
    exec::run(&conn, request, &mut signals, on_tick)
        .await
        .expect("exec starts")
}

fn stdout(out: &ExecOutput) -> Vec<u8> {
    out.transcript.bytes_of(Stream::Stdout)
}

fn stderr(out: &ExecOutput) -> Vec<u8> {
    out.transcript.bytes_of(Stream::Stderr)
}

#[tokio::test(flavor = "current_thread")]
async fn two_mib_of_output_arrive_whole() {
    let env = TestEnv::scenario(Scenario::V1);
    let out = run(&env, &["head", "-c", "2097152", "/dev/zero"], None, false).await;
    assert_eq!(out.end, End::Exited(0));
    // All of it arrived; the first and last MiB (or so) are kept, and the rest is counted.
    assert_eq!(out.transcript.received(Stream::Stdout), 2 * 1024 * 1024);
    let kept = stdout(&out);
    assert!(kept.iter().all(|&b| b == 0));
    let dropped: u64 = out.transcript.gaps().iter().map(|g| g.bytes).sum();
    assert_eq!(kept.len() as u64 + dropped, 2 * 1024 * 1024);
    assert!(kept.len() > 1024 * 1024, "{}", kept.len());
}

#[tokio::test(flavor = "current_thread")]
async fn stdin_reaches_the_command_while_output_flows_back() {
    let env = TestEnv::scenario(Scenario::V1);
    let out = run(&env, &["cat"], Some(b"hello\n"), true).await;
    assert_eq!(
        (&out.end, stdout(&out)),
        (&End::Exited(0), b"hello\n".to_vec())
    );
    // Larger than every pipe on the way: only works if writing and reading overlap.
    let big: Vec<u8> = (0..900 * 1024).map(|i| (i % 251) as u8).collect();
    let out = run(&env, &["cat"], Some(&big), true).await;
    assert_eq!(out.end, End::Exited(0));
    let back = stdout(&out);
    assert!(back == big, "cat returned {} bytes", back.len());
}

#[tokio::test(flavor = "current_thread")]
async fn exit_codes_and_stderr() {
    let env = TestEnv::scenario(Scenario::V1);
    assert_eq!(
        run(&env, &["exit-code", "3"], None, false).await.end,
        End::Exited(3)
    );
    assert_eq!(run(&env, &["false"], None, false).await.end, End::Exited(1));
    let out = run(&env, &["stderr", "to", "stderr"], None, false).await;
    assert_eq!(
        (&out.end, stderr(&out), stdout(&out)),
        (&End::Exited(0), b"to stderr\n".to_vec(), vec![])
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_missing_binary_is_a_runtime_failure() {
    let env = TestEnv::scenario(Scenario::V1);
    let out = run(&env, &["coder", "reset-password", "alice"], None, false).await;
    match &out.end {
        End::Failed { reason, message } => {
            assert_eq!(reason, "InternalError");
            assert!(message.contains("executable file not found"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_v4_protocol_works_when_stdin_stays_open() {
    let env = TestEnv::start(
        Sim::builder()
            .scenario(Scenario::V1)
            .subprotocols(&["v4.channel.k8s.io"]),
    );
    let out = run(&env, &["echo", "over", "v4"], None, false).await;
    assert_eq!(
        (&out.end, stdout(&out)),
        (&End::Exited(0), b"over v4\n".to_vec())
    );
    let execs = env.sim.execs();
    assert_eq!(execs.last().unwrap().protocol, "v4.channel.k8s.io");
}

#[tokio::test(flavor = "current_thread")]
async fn v5_is_preferred() {
    let env = TestEnv::scenario(Scenario::V1);
    run(&env, &["true"], None, false).await;
    assert_eq!(
        env.sim.execs().last().unwrap().protocol,
        "v5.channel.k8s.io"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn the_overall_timeout_is_honoured() {
    let env = TestEnv::scenario(Scenario::V1);
    let limit = Duration::from_millis(500);
    let out = run_with(
        &env,
        &["sleep", "10"],
        None,
        false,
        Some(limit),
        &mut |_| {},
    )
    .await;
    assert_eq!(out.end, End::TimedOut(limit));
}

#[tokio::test(flavor = "current_thread")]
async fn a_dropped_stream_keeps_what_arrived() {
    let env = TestEnv::scenario(Scenario::V1);
    env.sim
        .set_exec_fault(Some(ExecFault::DropAfterStdoutBytes(10)));
    let out = run(&env, &["yes-bytes", "100000"], None, false).await;
    assert!(matches!(out.end, End::StreamLost(_)), "{:?}", out.end);
    assert_eq!(stdout(&out), b"yyyyyyyyyy".to_vec());
}

#[tokio::test(flavor = "current_thread")]
async fn a_ticker_runs_while_waiting() {
    let env = TestEnv::scenario(Scenario::V1);
    let mut ticks = 0;
    let out = run_with(&env, &["sleep", "0.5"], None, false, None, &mut |_| {
        ticks += 1
    })
    .await;
    assert_eq!(out.end, End::Exited(0));
    assert!(ticks >= 2, "{ticks} ticks");
}

#[tokio::test(flavor = "current_thread")]
async fn ten_mib_of_output_arrive_whole() {
    let env = TestEnv::scenario(Scenario::V1);
    let out = run(&env, &["yes-bytes", "10485760"], None, false).await;
    assert_eq!(out.end, End::Exited(0));
    // All of it was read (no stall), and what is kept stays within bounds.
    assert_eq!(out.transcript.received(Stream::Stdout), 10 * 1024 * 1024);
    let kept = stdout(&out);
    assert!(kept.len() <= 2 * 1024 * 1024 + 64 * 1024, "{}", kept.len());
    assert!(kept.iter().all(|&b| b == b'y'));
    assert_eq!(
        out.transcript.gaps()[0].bytes as usize + kept.len(),
        10 * 1024 * 1024
    );
}
