//! The simulated `sh -c` against the real `/bin/sh`: each script runs in a simulated pod
//! through the real kubectl's exec, and locally through `/bin/sh` with the same environment
//! and files; stdout, stderr and the exit code must match. The scripts use the constructs the
//! simulator's shell supports, in the shapes kubectl-coder sends (its built-in PostgreSQL
//! wrapper), plus their failure paths.

use std::path::Path;
use std::process::{Command, Stdio};

use kubesim::{ContainerFixture, KubeconfigOptions, PodFixture, Sim};

const KUBECTL: &str = "/usr/bin/kubectl";

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn local(script: &str, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn simulated(kubeconfig: &Path, home: &Path, script: &str, args: &[&str]) -> Outcome {
    let out = Command::new(KUBECTL)
        .args(["exec", "shpod", "--", "sh", "-c", script])
        .args(args)
        .env("HOME", home)
        .env("KUBECACHEDIR", home.join("cache"))
        .env("KUBECONFIG", kubeconfig)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // kubectl reports the remote exit code on its own line after the command's stderr.
    let stderr = stderr
        .lines()
        .filter(|l| !l.starts_with("command terminated with exit code"))
        .map(|l| format!("{l}\n"))
        .collect();
    Outcome {
        code,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

#[test]
fn scripts_behave_as_in_the_real_shell() {
    if !Path::new(KUBECTL).exists() || !Path::new("/bin/sh").exists() {
        // .ci/run sets it: there a test that did not run must not pass.
        assert!(
            std::env::var_os("KUBECTL_CODER_REQUIRE_TOOLS").is_none_or(|v| v != "1"),
            "kubectl or /bin/sh is missing, and KUBECTL_CODER_REQUIRE_TOOLS=1 requires them"
        );
        eprintln!("skipping: kubectl or /bin/sh is missing");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("present");
    std::fs::write(&existing, "x").unwrap();
    let present = existing.to_str().unwrap().to_string();

    let env: &[(&str, &str)] = &[("HOME", "/home/coder"), ("DB_URL", "")];
    let pod = PodFixture::new("default", "shpod")
        .file(&present, "x")
        .container(
            ContainerFixture::new("c", "alpine:3")
                .image_env("PATH", "/usr/bin:/bin")
                .env("HOME", "/home/coder")
                .env("DB_URL", ""),
        );
    let sim = Sim::builder().pod(pod).start().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    sim.write_kubeconfig(
        &kubeconfig,
        &KubeconfigOptions {
            namespace: Some("default".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();

    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "dir=${CODER_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/coderv2}; echo \"$dir\"".into(),
            vec![],
        ),
        (
            "CODER_CONFIG_DIR=/etc/c; dir=${CODER_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/coderv2}; echo \"$dir\"".into(),
            vec![],
        ),
        (
            "if [ ! -f \"/nowhere/x\" ]; then echo \"missing: /nowhere/x\" >&2; exit 3; fi; echo after".into(),
            vec![],
        ),
        (
            format!("if [ ! -f \"{present}\" ]; then echo missing >&2; exit 3; fi; echo present"),
            vec![],
        ),
        ("X=$(echo hello) || exit; export X; echo \"got $X\"".into(), vec![]),
        ("X=$(false) || exit; echo not-here".into(), vec![]),
        (
            "DB_URL=$(echo postgres://x) || exit\nexport DB_URL\nexec \"$0\" \"$@\"".into(),
            vec!["sh", "-c", "echo \"url=$DB_URL\"; echo \"args $0 $1\"", "name", "one"],
        ),
        ("exec \"$0\" \"$@\"".into(), vec!["echo", "a b", "c"]),
        ("X=1 sh -c 'echo \"x=$X\"'; echo \"after=$X\"".into(), vec![]),
        ("{ echo a; echo b >&2; }; echo c".into(), vec![]),
        ("true && echo yes || echo no; false && echo yes || echo no".into(), vec![]),
        ("echo 'single $HOME' \"double $HOME\"".into(), vec![]),
        ("missing-program; echo \"status $?\"".into(), vec![]),
        // `cat FILE` (the server's config file), a missing one too.
        (
            format!("cat \"{present}\"; echo; cat /nowhere/x; echo \"status $?\""),
            vec![],
        ),
        // kubectl-coder's v2 wrapper: unset, then export one name under another.
        (
            "unset HOME DB_URL; echo \"home=${HOME:-none} url=${DB_URL:-none}\"; sh -c 'echo \"child=${HOME:-none}\"'".into(),
            vec![],
        ),
        (
            "DB_URL=postgres://y; if [ -n \"$DB_URL\" ]; then OLD=$DB_URL; export OLD; fi\nexec \"$0\" \"$@\"".into(),
            vec!["sh", "-c", "echo \"old=$OLD\""],
        ),
        (
            "if [ -n \"$DB_URL\" ]; then OLD=$DB_URL; export OLD; fi; echo \"old=${OLD:-unset}\"".into(),
            vec![],
        ),
    ];
    let mut mismatches = Vec::new();
    for (script, args) in &cases {
        let want = local(script, args, env);
        let got = simulated(&kubeconfig, &home, script, args);
        if (got.code, &got.stdout) != (want.code, &want.stdout)
            || normalise(&got.stderr) != normalise(&want.stderr)
        {
            mismatches.push(format!(
                "{script:?} {args:?}\n  real: {} {:?} {:?}\n  sim:  {} {:?} {:?}",
                want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Shells word "not found" differently (`sh: 1: x: not found`, `sh: x: not found`): compare
/// whether one was reported, not the wording.
fn normalise(stderr: &str) -> String {
    stderr
        .lines()
        .map(|l| {
            if l.contains("not found") {
                "<not found>".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
