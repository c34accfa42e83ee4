//! The Windows binary, run as a Windows user runs it: built for x86_64-pc-windows-gnu (the same
//! code as the release's msvc build) and run under Wine against the simulator. The Linux HOME
//! and KUBECONFIG are unset, so the binary sees only what Windows gives it: Wine sets
//! USERPROFILE, APPDATA, HOMEDRIVE and HOMEPATH from its own profile, `C:\users\<USER>`, whatever
//! the Linux environment says. One wineserver serves the prefix and fixes that profile for
//! every process it runs, so the tests share it and take turns ([`Windows::profile`]).
//!
//! Needs `wine64` (Debian's `wine64`, Wine 8), `x86_64-w64-mingw32-gcc` (`gcc-mingw-w64-x86-64`)
//! and `rustup target add x86_64-pc-windows-gnu`; without them every test here skips with a
//! note (CI installs them and sets KUBECTL_CODER_REQUIRE_TOOLS=1). The .exe is built here, into
//! target/windows, with a cargo of its own (a no-op when .ci/run has just built it).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};

use kubesim::{KubeconfigOptions, Scenario};
use support::{Cmd, ROOT, Run, TestEnv, tool_available};

const TARGET: &str = "x86_64-pc-windows-gnu";
const MINGW_GCC: &str = "x86_64-w64-mingw32-gcc";

/// Where the Windows build, the shim DLL and the Wine prefix live.
fn windows_dir() -> PathBuf {
    Path::new(ROOT).join("target").join("windows")
}

/// Debian puts the 64-bit loader outside PATH; `wine64` on PATH is taken too.
fn wine_loader() -> Option<PathBuf> {
    ["/usr/lib/wine/wine64", "/usr/bin/wine64"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

fn quietly(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The std library for the target is installed (`rustup target add`).
fn target_installed() -> bool {
    Command::new("rustc")
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|dir| dir.join("libstd.rlib").exists() || has_std(&dir))
}

fn has_std(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
    })
}

/// The built .exe files' folder with the shim beside them, and the Wine loader; `None` (after
/// a note, or a failure under KUBECTL_CODER_REQUIRE_TOOLS=1) when a tool is missing.
struct Windows {
    bin: PathBuf,
    wine: PathBuf,
    prefix: PathBuf,
    /// The Linux path of the Wine user's `C:\users\<USER>`.
    profile: PathBuf,
    /// Held by the test using the profile.
    turn: Mutex<()>,
}

/// The Windows user every test runs as.
const USER: &str = "coderuser";

fn windows() -> Option<&'static Windows> {
    static BUILT: OnceLock<Option<Windows>> = OnceLock::new();
    BUILT.get_or_init(build).as_ref()
}

fn build() -> Option<Windows> {
    let wine = wine_loader();
    if !tool_available("wine64 (Debian's wine64)", wine.is_some())
        || !tool_available(
            "x86_64-w64-mingw32-gcc (Debian's gcc-mingw-w64-x86-64)",
            quietly(Command::new(MINGW_GCC).arg("--version")),
        )
        || !tool_available(
            "the x86_64-pc-windows-gnu target (rustup target add x86_64-pc-windows-gnu)",
            target_installed(),
        )
    {
        return None;
    }
    let dir = windows_dir();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--bins",
            "--target",
            TARGET,
            "--target-dir",
        ])
        .arg(&dir)
        .current_dir(ROOT)
        .status()
        .expect("cargo runs");
    assert!(built.success(), "cargo build --target {TARGET} failed");
    let bin = dir.join(TARGET).join("debug");

    // Rust's std imports ProcessPrng from bcryptprimitives.dll, which Wine 8 lacks: a
    // test-only stand-in beside the .exe (tests/windows/bcryptprimitives.c).
    let shim = Path::new(ROOT).join("tests/windows/bcryptprimitives.c");
    let made = Command::new(MINGW_GCC)
        .args(["-O2", "-shared", "-o"])
        .arg(bin.join("bcryptprimitives.dll"))
        .arg(&shim)
        .arg("-ladvapi32")
        .status()
        .expect("mingw gcc runs");
    assert!(made.success(), "building the ProcessPrng shim failed");

    // Wine's first start creates the prefix (a few seconds): once, before the tests race.
    let prefix = dir.join("wineprefix");
    let mut windows = Windows {
        bin,
        wine: wine.unwrap(),
        profile: prefix.clone(),
        prefix,
        turn: Mutex::new(()),
    };
    let asked = windows.cmd("cmd").args(["/c", "echo %USERPROFILE%"]).run();
    assert_eq!(asked.code, 0, "wine starts: {asked:?}");
    // `C:\users\coderuser` is drive_c/users/coderuser in the prefix.
    let profile = asked.stdout.trim();
    let relative = profile
        .strip_prefix(r"C:\")
        .unwrap_or_else(|| panic!("USERPROFILE on drive C: {profile}"));
    windows.profile = windows
        .prefix
        .join("drive_c")
        .join(relative.replace('\\', "/"));
    assert!(windows.profile.is_dir(), "{asked:?}");
    Some(windows)
}

impl Windows {
    /// A program run under Wine, without HOME or KUBECONFIG.
    fn cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Cmd {
        let scratch = self.prefix.parent().unwrap();
        Cmd::new(&self.wine, scratch)
            .arg(program)
            .env_remove("HOME")
            .env_remove("KUBECACHEDIR")
            .env("USER", USER)
            .env("LOGNAME", USER)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // No desktop or display: a console program only.
            .env("DISPLAY", "")
    }

    /// `kubectl-coder.exe`.
    fn plugin(&self) -> Cmd {
        self.cmd(self.bin.join("kubectl-coder.exe"))
    }

    /// The profile for this test alone, without a kubeconfig or a v1 CLI login; the guard
    /// gives it back.
    fn profile(&self) -> (MutexGuard<'_, ()>, &Path) {
        let turn = self.turn.lock().unwrap_or_else(|e| e.into_inner());
        for left in [".kube", r"AppData/Roaming/coder"] {
            let _ = std::fs::remove_dir_all(self.profile.join(left));
        }
        (turn, &self.profile)
    }
}

/// A simulator with a kubeconfig (namespace `coder`) at `%USERPROFILE%\.kube\config`, and
/// nothing else in the profile, for as long as the guard is held.
fn with_kubeconfig(windows: &Windows, scenario: Scenario) -> (MutexGuard<'_, ()>, TestEnv) {
    let env = TestEnv::scenario(scenario);
    let (turn, profile) = windows.profile();
    let kube = profile.join(".kube");
    std::fs::create_dir_all(&kube).unwrap();
    env.sim
        .write_kubeconfig(
            &kube.join("config"),
            &KubeconfigOptions {
                namespace: Some("coder".into()),
                ..Default::default()
            },
        )
        .unwrap();
    (turn, env)
}

/// `C:\users\<USER>` as Windows names it.
fn userprofile() -> String {
    format!(r"C:\users\{USER}")
}

#[test]
fn the_exe_runs_under_wine() {
    let Some(windows) = windows() else { return };
    let run = windows.plugin().arg("version").run();
    run.success();
    assert!(run.stdout.contains(&format!("target: {TARGET}")), "{run:?}");
}

#[test]
fn status_finds_the_kubeconfig_in_userprofile() {
    let Some(windows) = windows() else { return };
    let (turn, _env) = with_kubeconfig(windows, Scenario::V1);
    let run = windows.plugin().arg("status").run();
    run.success();
    let config = format!(r"Config:     {}\.kube\config", userprofile());
    assert!(run.stdout.contains(&config), "{run:?}");
    assert!(run.stdout.contains("Coder v1 1.44.0"), "{run:?}");
    drop(turn);

    // Without one, the message names the Windows path looked at.
    let (_turn, _) = windows.profile();
    let run = windows.plugin().arg("status").run();
    let looked_at = format!(
        r"no kubeconfig found (looked at {}\.kube\config)",
        userprofile()
    );
    assert!(run.stderr.contains(&looked_at), "{run:?}");
}

#[test]
fn reset_admin_password_on_v1_over_exec() {
    let Some(windows) = windows() else { return };
    let (_turn, env) = with_kubeconfig(windows, Scenario::V1);
    let run = windows
        .plugin()
        .args(["reset-admin-password", "--yes", "-o", "json"])
        .run();
    run.success();
    let password = env.sim.v1_admin_password().expect("coderd made a password");
    assert_eq!(run.json()["password"], password.as_str(), "{run:?}");
}

#[test]
fn reset_password_on_v2_over_exec() {
    let Some(windows) = windows() else { return };
    let (_turn, env) = with_kubeconfig(windows, Scenario::V2);
    let run = windows
        .plugin()
        .args(["reset-password", "alice", "--yes", "-o", "json"])
        .run();
    run.success();
    let printed = run.json()["password"].as_str().unwrap().to_string();
    assert_eq!(env.sim.v2_password("alice"), Some(printed));
}

#[test]
fn v1_reset_password_with_the_v1_clis_session_in_appdata() {
    let Some(windows) = windows() else { return };
    let (_turn, env) = with_kubeconfig(windows, Scenario::V1);
    // As `coder login` leaves it on Windows: %APPDATA%\coder\session and url.
    let coder = windows.profile.join("AppData/Roaming/coder");
    std::fs::create_dir_all(&coder).unwrap();
    std::fs::write(coder.join("session"), env.sim.v1_session_token("mia")).unwrap();
    std::fs::write(coder.join("url"), "https://coder.example.com").unwrap();
    let run = windows
        .plugin()
        .args(["reset-password", "alice", "--yes", "-o", "json", "-vv"])
        .run();
    run.success();
    let printed = run.json()["password"].as_str().unwrap().to_string();
    let user = env.sim.v1_user("alice").unwrap();
    assert_eq!(user.password.as_deref(), Some(printed.as_str()));
    let said = format!(
        r"as the v1 CLI's session in {}\AppData\Roaming\coder\session (saved for https://coder.example.com)",
        userprofile()
    );
    assert!(run.stderr.contains(&said), "{run:?}");
}

#[test]
fn the_completion_helper_answers_from_userprofile() {
    let Some(windows) = windows() else { return };
    let (_turn, _env) = with_kubeconfig(windows, Scenario::V1);
    let run: Run = windows
        .cmd(windows.bin.join("kubectl_complete-coder.exe"))
        .args(["status", "--context", ""])
        .run();
    run.success();
    assert!(
        run.stdout.lines().any(|l| l.trim_end() == "kubesim"),
        "{run:?}"
    );
}

#[test]
fn a_cmd_credential_plugin_is_found_through_pathext() {
    let Some(windows) = windows() else { return };
    let (_turn, _env) = with_kubeconfig(windows, Scenario::V2);
    // `command: kcplugin` in the kubeconfig runs kcplugin.cmd from PATH, as kubectl (Go's
    // LookPath) does; Rust's Command alone would look for kcplugin.exe only.
    let plugins = windows.prefix.parent().unwrap().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::write(
        plugins.join("kcplugin.cmd"),
        "@echo off\r\necho {\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"admin-token\"}}\r\n",
    )
    .unwrap();
    let config = windows.profile.join(".kube/config");
    let original = std::fs::read_to_string(&config).unwrap();
    let token_line = original.lines().find(|l| l.contains("token:")).unwrap();
    let exec = "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: kcplugin\n      interactiveMode: Never\n";
    std::fs::write(&config, original.replace(token_line, exec)).unwrap();
    // Wine puts WINEPATH before the Windows PATH it sets.
    let on_path = format!(r"Z:{}", plugins.display()).replace('/', r"\");
    let run = windows
        .plugin()
        .env("WINEPATH", &on_path)
        .args(["status", "-o", "json"])
        .run();
    run.success();
    assert_eq!(run.json()["pod"]["generation"], "v2", "{run:?}");

    // Off PATH, it is not found: the token above came from the .cmd file.
    let run = windows.plugin().args(["status", "-o", "json"]).run();
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("kcplugin"), "{run:?}");
}
