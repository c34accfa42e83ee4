//! A small test environment per test (fd's `testenv`): a fresh simulator, a temporary HOME
//! with a kubeconfig, and the real binary run as a user runs it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kubesim::{KubeconfigOptions, Scenario, Sim, SimBuilder};

pub const BIN: &str = env!("CARGO_BIN_EXE_kubectl-coder");
pub const KUBECTL: &str = "/usr/bin/kubectl";

pub struct TestEnv {
    pub sim: Sim,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
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

impl TestEnv {
    pub fn scenario(scenario: Scenario) -> TestEnv {
        TestEnv::start(Sim::builder().scenario(scenario))
    }

    /// Starts the simulator and writes a kubeconfig whose context points at namespace `coder`.
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

    /// The plugin binary, with a clean environment: HOME here, KUBECONFIG ours.
    pub fn plugin(&self) -> Cmd {
        Cmd::new(BIN, self).env("KUBECONFIG", &self.kubeconfig)
    }

    /// The real kubectl, with the plugin on PATH so `kubectl coder ...` finds it.
    pub fn kubectl(&self) -> Cmd {
        let bin_dir = Path::new(BIN).parent().unwrap();
        Cmd::new(KUBECTL, self)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
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

pub struct Cmd {
    command: Command,
    stdin: Option<Vec<u8>>,
}

impl Cmd {
    fn new(program: &str, env: &TestEnv) -> Cmd {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("HOME", env.dir.path())
            .env("PATH", "/usr/bin:/bin")
            .env("KUBECACHEDIR", env.dir.path().join("cache"))
            .current_dir(env.dir.path());
        Cmd {
            command,
            stdin: None,
        }
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Cmd {
        self.command.env_remove(key);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn run(mut self) -> Run {
        self.command.stdout(Stdio::piped()).stderr(Stdio::piped());
        self.command.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = self.command.spawn().expect("process starts");
        if let Some(bytes) = self.stdin.take() {
            let mut stdin = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&bytes);
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

/// Runs the plugin in a pseudo-terminal (through Python's pty module, from Debian's python3),
/// answering `answer` to the first `[y/N]` prompt. Returns what the terminal showed, and the code.
pub fn run_in_pty(env: &TestEnv, args: &[&str], answer: &str) -> (String, i32) {
    run_in_pty_dialogue(env, args, &[("[y/N]", answer)], &[])
}

/// Like [`run_in_pty`], typing each `(after_ms, keys)` at that time (e.g. Ctrl-C).
pub fn run_in_pty_keys(env: &TestEnv, args: &[&str], keys: &[(u64, &str)]) -> (String, i32) {
    run_in_pty_dialogue(env, args, &[], keys)
}

/// Runs the plugin in a pseudo-terminal and holds a dialogue: each `(expect, send)` waits
/// until `expect` appears on the screen (after the previous one), then types `send`.
pub fn run_in_pty_dialogue(
    env: &TestEnv,
    args: &[&str],
    dialogue: &[(&str, &str)],
    keys: &[(u64, &str)],
) -> (String, i32) {
    run_in_pty_with_env(env, args, dialogue, keys, &[])
}

/// [`run_in_pty_dialogue`] with extra environment variables.
pub fn run_in_pty_with_env(
    env: &TestEnv,
    args: &[&str],
    dialogue: &[(&str, &str)],
    keys: &[(u64, &str)],
    vars: &[(&str, &str)],
) -> (String, i32) {
    const DRIVER: &str = r#"
import json, os, pty, sys, select, time
dialogue = [(e.encode(), s.encode()) for e, s in json.loads(sys.argv[1])]
keys = [(start + ms / 1000.0, k.encode()) for start in [time.time()] for ms, k in json.loads(sys.argv[2])]
pid, fd = pty.fork()
if pid == 0:
    os.execve(sys.argv[3], sys.argv[3:], os.environ)
seen, position, deadline = b"", 0, time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    if dialogue:
        at = seen.find(dialogue[0][0], position)
        if at >= 0:
            position = at + len(dialogue[0][0])
            os.write(fd, dialogue.pop(0)[1])
    while keys and time.time() >= keys[0][0]:
        os.write(fd, keys.pop(0)[1])
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let dialogue_json = serde_json::to_string(dialogue).unwrap();
    let keys_json = serde_json::to_string(keys).unwrap();
    let output = Command::new("python3")
        .arg("-c")
        .arg(DRIVER)
        .arg(dialogue_json)
        .arg(keys_json)
        .arg(BIN)
        .args(args)
        .env_clear()
        .env("HOME", env.dir.path())
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "xterm")
        .env("KUBECONFIG", &env.kubeconfig)
        .envs(vars.iter().copied())
        .output()
        .expect("python3 runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}
