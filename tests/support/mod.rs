//! The one test environment for every test crate in tests/ (included with `mod support;`):
//! a fresh simulator and a temporary HOME with a kubeconfig per test, the real binaries run
//! as a user runs them, a pseudo-terminal for the prompts, and the rule for optional tools.

// Each test crate uses only some of these helpers.
#![allow(dead_code)]

pub mod proxy;
pub mod pty;

use std::io::Write;
use std::os::fd::FromRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kubesim::{KubeconfigOptions, Scenario, Sim, SimBuilder};

pub const BIN: &str = env!("CARGO_BIN_EXE_kubectl-coder");
pub const COMPLETER: &str = env!("CARGO_BIN_EXE_kubectl_complete-coder");
pub const KUBECTL: &str = "/usr/bin/kubectl";
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Set by `.ci/run`: a test that needs an optional tool fails instead of skipping.
pub const REQUIRE_TOOLS: &str = "KUBECTL_CODER_REQUIRE_TOOLS";

/// Whether an optional tool (a shell, a Debian package) is here. Without it the test skips
/// with a visible note, unless CI asked for every test to run for real.
#[track_caller]
pub fn tool_available(what: &str, available: bool) -> bool {
    if available {
        return true;
    }
    if std::env::var_os(REQUIRE_TOOLS).is_some_and(|v| v == "1") {
        panic!("{what} is not installed, and {REQUIRE_TOOLS}=1 requires it");
    }
    eprintln!("note: {what} is not installed: this test is skipped (.ci/run installs it)");
    false
}

/// Whether the machine lets a test run at all (root to write a system path, a path that is
/// not already in use): without it the test skips with a note, and under
/// `KUBECTL_CODER_REQUIRE_TOOLS=1` it fails, so that CI never passes a test that did not run.
#[track_caller]
pub fn machine_allows(why_not: &str, allowed: bool) -> bool {
    if allowed {
        return true;
    }
    if std::env::var_os(REQUIRE_TOOLS).is_some_and(|v| v == "1") {
        panic!("this test cannot run: {why_not}, and {REQUIRE_TOOLS}=1 requires it to run");
    }
    eprintln!("note: this test is skipped: {why_not}");
    false
}

/// Whether `program` runs at all (`program -c 'exit 0'` for shells).
pub fn shell_available(shell: &str) -> bool {
    tool_available(
        shell,
        Command::new(shell)
            .arg("-c")
            .arg("exit 0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success()),
    )
}

/// A simulator, a temporary directory as HOME, and a kubeconfig whose context points at
/// namespace `coder`.
pub struct TestEnv {
    pub sim: Sim,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

impl TestEnv {
    pub fn scenario(scenario: Scenario) -> TestEnv {
        TestEnv::start(Sim::builder().scenario(scenario))
    }

    pub fn start(builder: SimBuilder) -> TestEnv {
        let sim = builder.start().expect("simulator starts");
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        sim.write_kubeconfig(
            &kubeconfig,
            &KubeconfigOptions {
                namespace: Some("coder".into()),
                ..Default::default()
            },
        )
        .unwrap();
        TestEnv {
            sim,
            dir,
            kubeconfig,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes another kubeconfig for the same simulator beside the first.
    pub fn write_kubeconfig(&self, name: &str, options: &KubeconfigOptions) -> PathBuf {
        let path = self.path(name);
        self.sim.write_kubeconfig(&path, options).unwrap();
        path
    }

    /// A kubeconfig `<token>.yaml` for the simulator's user with `token`, namespace `coder`.
    pub fn token_kubeconfig(&self, token: &str) -> PathBuf {
        self.write_kubeconfig(
            &format!("{token}.yaml"),
            &KubeconfigOptions {
                token: token.into(),
                namespace: Some("coder".into()),
                ..Default::default()
            },
        )
    }

    /// The plugin binary, with a clean environment: HOME here, KUBECONFIG ours.
    pub fn plugin(&self) -> Cmd {
        Cmd::new(BIN, self.dir.path()).env("KUBECONFIG", &self.kubeconfig)
    }

    /// The completion helper, run as kubectl runs it.
    pub fn completer(&self) -> Cmd {
        Cmd::new(COMPLETER, self.dir.path())
            .env("KUBECONFIG", &self.kubeconfig)
            .env("PATH", plugin_path())
    }

    /// The real kubectl, with the plugin on PATH so `kubectl coder ...` finds it.
    pub fn kubectl(&self) -> Cmd {
        self.program(KUBECTL)
    }

    /// Any program (a shell, kubectl) in this environment, with the plugin on PATH.
    pub fn program(&self, program: &str) -> Cmd {
        Cmd::new(program, self.dir.path())
            .env("KUBECONFIG", &self.kubeconfig)
            .env("PATH", plugin_path())
    }

    /// The plugin in a pseudo-terminal.
    pub fn pty(&self, args: &[&str]) -> pty::Pty {
        pty::Pty::new(BIN, args, self.dir.path()).env("KUBECONFIG", &self.kubeconfig)
    }

    /// A shell script in a pseudo-terminal, with the plugin on PATH as `kubectl-coder`.
    pub fn pty_shell(&self, script: &str) -> pty::Pty {
        pty::Pty::new("/bin/sh", &["-c", script], self.dir.path())
            .env("KUBECONFIG", &self.kubeconfig)
            .env("PATH", plugin_path())
    }

    /// Every byte the simulator received: URLs, headers and bodies.
    pub fn everything_the_server_saw(&self) -> String {
        let mut all = String::new();
        for r in self.sim.requests() {
            all.push_str(&r.uri);
            for (k, v) in &r.headers {
                all.push_str(&format!("\n{k}: {v}"));
            }
            all.push_str(&String::from_utf8_lossy(&r.body));
            all.push('\n');
        }
        all
    }
}

/// PATH with the built binaries first, as `cargo install` leaves them.
pub fn plugin_path() -> String {
    let bin_dir = Path::new(BIN).parent().unwrap();
    format!("{}:/usr/bin:/bin", bin_dir.display())
}

/// A command with a clean environment: HOME, PATH=/usr/bin:/bin and kubectl's cache in `home`.
pub struct Cmd {
    command: Command,
    stdin: Option<Vec<u8>>,
    /// Where stdout goes instead of a pipe the test reads.
    stdout: Option<Stdio>,
}

impl Cmd {
    pub fn new(program: impl AsRef<std::ffi::OsStr>, home: &Path) -> Cmd {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("HOME", home)
            .env("PATH", "/usr/bin:/bin")
            .env("KUBECACHEDIR", home.join("cache"))
            .current_dir(home);
        Cmd {
            command,
            stdin: None,
            stdout: None,
        }
    }

    /// Stdout into this file (e.g. /dev/full).
    pub fn stdout_to(mut self, file: std::fs::File) -> Cmd {
        self.stdout = Some(Stdio::from(file));
        self
    }

    /// Stdout into a pipe whose reader has already gone (like `| true`).
    pub fn stdout_closed(mut self) -> Cmd {
        let mut fds = [0; 2];
        // SAFETY: pipe fills two fds, which are then owned here.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both fds were just opened and belong to nobody else.
        let (reader, writer) = unsafe {
            (
                std::os::fd::OwnedFd::from_raw_fd(fds[0]),
                std::os::fd::OwnedFd::from_raw_fd(fds[1]),
            )
        };
        drop(reader);
        self.stdout = Some(Stdio::from(writer));
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn arg(self, arg: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.args([arg])
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    /// The test's own environment, for scripts that need the toolchain (rustup, cargo).
    pub fn inherit_env(mut self) -> Cmd {
        self.command.envs(std::env::vars_os());
        self
    }

    pub fn env_remove(mut self, key: &str) -> Cmd {
        self.command.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Cmd {
        self.command.current_dir(dir);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn run(self) -> Run {
        self.run_signalled(None)
    }

    /// Runs, and sends `signal` (a libc signal number) after the delay.
    pub fn run_with_signal(self, after: std::time::Duration, signal: i32) -> Run {
        self.run_signalled(Some((after, signal)))
    }

    fn run_signalled(mut self, signal: Option<(std::time::Duration, i32)>) -> Run {
        self.command
            .stdout(self.stdout.take().unwrap_or_else(Stdio::piped))
            .stderr(Stdio::piped());
        self.command.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = self
            .command
            .spawn()
            .unwrap_or_else(|e| panic!("{:?} starts: {e}", self.command.get_program()));
        if let Some(bytes) = self.stdin.take() {
            let mut stdin = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&bytes);
            });
        }
        if let Some((after, signal)) = signal {
            let pid = child.id() as i32;
            std::thread::spawn(move || {
                std::thread::sleep(after);
                // SAFETY: signalling our own child.
                unsafe { libc::kill(pid, signal) };
            });
        }
        let output = child.wait_with_output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// What a finished process left behind.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_is(&self, expected: &str) -> &Self {
        assert_eq!(self.stderr, expected, "stdout:\n{}", self.stdout);
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}
