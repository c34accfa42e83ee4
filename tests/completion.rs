//! Shell completion, three ways:
//! - the clap-generated scripts in completions/ and the man page in man/ are what the CLI
//!   definition generates today (`UPDATE_COMPLETIONS=1` rewrites them);
//! - `kubectl_complete-coder` speaks kubectl's plugin completion protocol, with contexts from
//!   the kubeconfig and namespaces and pods from a simulated cluster;
//! - real shells (bash with bash-completion, fish; zsh is not driven, see below) complete
//!   `kubectl coder ...` through kubectl's own completion script, which calls our helper.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::CommandFactory;
use kubectl_coder::cli::args::CompletionShell;
use kubectl_coder::cli::complete::scripts;
use kubesim::{KubeconfigOptions, Scenario};

use support::{COMPLETER, Cmd, ROOT, TestEnv, shell_available, tool_available};

fn generated() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for (shell, name) in [
        (CompletionShell::Bash, "kubectl-coder.bash"),
        (CompletionShell::Zsh, "_kubectl-coder"),
        (CompletionShell::Fish, "kubectl-coder.fish"),
        (CompletionShell::Powershell, "_kubectl-coder.ps1"),
    ] {
        // What `kubectl-coder completion <shell>` prints.
        files.push((Path::new("completions").join(name), scripts::script(shell)));
    }
    files.push((PathBuf::from("man/kubectl-coder.1"), man_page()));
    files
}

/// clap_mangen's sections, but the commands as `kubectl coder NAME` (it names a page per
/// command, `kubectl-coder-status(1)`, which we do not ship), and EXIT STATUS and
/// ENVIRONMENT, which it has no source for.
fn man_page() -> Vec<u8> {
    use clap_mangen::roff::{Roff, bold, roman};
    use kubectl_coder::exit_codes::ExitCode;
    let mut cmd = kubectl_coder::cli::args::Cli::command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out).unwrap();
    man.render_name_section(&mut out).unwrap();
    man.render_synopsis_section(&mut out).unwrap();
    man.render_description_section(&mut out).unwrap();
    man.render_options_section(&mut out).unwrap();
    let mut roff = Roff::default();
    roff.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        roff.control("TP", []);
        roff.text([bold(format!("kubectl coder {}", sub.get_name()))]);
        if let Some(about) = sub.get_about() {
            roff.text([roman(about.to_string())]);
        }
    }
    // The help's examples, under the heading man pages use (clap_mangen says EXTRA).
    roff.control("SH", ["EXAMPLES"]);
    roff.control("nf", []);
    let examples = cmd
        .get_after_help()
        .map(|h| h.to_string())
        .unwrap_or_default();
    for line in examples.lines().skip_while(|l| *l == "Examples:") {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    roff.control("SH", ["EXIT STATUS"]);
    let mut codes = ExitCode::ALL.to_vec();
    codes.sort_by_key(|c| c.code());
    for code in codes {
        roff.control("TP", []);
        roff.text([bold(code.code().to_string())]);
        roff.text([roman(code.meaning())]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in [
        (
            "KUBECONFIG",
            "kubeconfig files to merge, as kubectl does (first file wins); without any, ~/.kube/config, else the in-cluster service account.",
        ),
        (
            "CODER_TOKEN",
            "Coder v1 reset-password: an API token of a site admin or site manager, used before the v1 CLI's saved login or a sign-in on the terminal. Never printed or logged.",
        ),
        (
            "XDG_CONFIG_HOME",
            "Coder v1 reset-password: where the v1 CLI's saved login is looked for (coder/session), else ~/.config.",
        ),
        (
            "HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
            "proxies to the API server when the kubeconfig names none, as kubectl uses them.",
        ),
        ("NO_COLOR", "no colour on the terminal."),
    ] {
        roff.control("TP", []);
        roff.text([bold(name)]);
        roff.text([roman(meaning)]);
    }
    roff.to_writer(&mut out).unwrap();
    man.render_version_section(&mut out).unwrap();
    out
}

/// The README's exit code table is the one the binary and the man page use.
#[test]
fn readme_exit_codes_are_the_binarys() {
    use kubectl_coder::exit_codes::ExitCode;
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let mut codes = ExitCode::ALL.to_vec();
    codes.sort_by_key(|c| c.code());
    let table: String = codes
        .iter()
        .map(|c| format!("| {} | {} |\n", c.code(), c.meaning()))
        .collect();
    assert!(
        readme.contains(&format!("| code | meaning |\n|---|---|\n{table}")),
        "README's exit code table differs from exit_codes.rs:\n{table}"
    );
}

/// Fails when completions/ or man/ do not match the CLI; `UPDATE_COMPLETIONS=1` rewrites them.
#[test]
fn generated_completions_and_man_page_are_up_to_date() {
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (relative, content) in generated() {
        let path = Path::new(ROOT).join(&relative);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &content).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(content.as_slice()) {
            stale.push(relative.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale (regenerate with `UPDATE_COMPLETIONS=1 cargo test --test completion`): {stale:?}"
    );
}

#[test]
fn generated_scripts_know_the_cli() {
    for (relative, content) in generated() {
        // roff escapes dashes.
        let text = String::from_utf8(content).unwrap().replace("\\-", "-");
        for needed in ["reset-admin-password", "create-admin-user", "namespace"] {
            assert!(
                text.contains(needed),
                "{} lacks {needed}",
                relative.display()
            );
        }
    }
}

/// A simulated cluster (Coder v1 in `coder`) and two kubeconfig files in `$KUBECONFIG`: the
/// first's context `kubesim` (namespace `coder`), the second's `other`.
struct Env {
    env: TestEnv,
    second: PathBuf,
}

impl Env {
    fn start() -> Env {
        let env = TestEnv::scenario(Scenario::V1);
        let second = env.write_kubeconfig(
            "config-b",
            &KubeconfigOptions {
                context: "other".into(),
                ..Default::default()
            },
        );
        Env { env, second }
    }

    fn first(&self) -> &Path {
        &self.env.kubeconfig
    }

    fn kubeconfig_list(&self) -> std::ffi::OsString {
        std::env::join_paths([self.first(), &self.second]).unwrap()
    }

    /// A program with both binaries on PATH and both kubeconfig files in `$KUBECONFIG`.
    fn command(&self, program: &str) -> Cmd {
        self.env
            .program(program)
            .env("KUBECONFIG", self.kubeconfig_list())
    }

    /// Runs the helper as kubectl does and returns its stdout.
    fn protocol(&self, words: &[&str]) -> String {
        let run = self.command(COMPLETER).args(words).run();
        assert_eq!(run.code, 0);
        assert_eq!(run.stderr, "", "{words:?}");
        run.stdout
    }
}

/// Candidate values (descriptions dropped) and the directive line.
fn values(output: &str) -> (Vec<String>, String) {
    let mut lines: Vec<String> = output
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    let directive = lines.pop().unwrap_or_default();
    (lines, directive)
}

#[test]
fn protocol_answers_from_the_kubeconfig_and_the_cluster() {
    let env = Env::start();
    let table: &[(&[&str], &[&str])] = &[
        (&["re"], &["reset-admin-password", "reset-password"]),
        (
            &[""],
            &[
                "status",
                "reset-admin-password",
                "reset-password",
                "create-admin-user",
                "version",
                "options",
                "completion",
                "help",
            ],
        ),
        (&["status", "--na"], &["--namespace"]),
        (&["status", "--all"], &["--all-namespaces"]),
        // -A belongs to status alone.
        (
            &["reset-admin-password", "--all"],
            &["--allow-insecure-connection"],
        ),
        (&["status", "-o", ""], &["text", "json", "yaml"]),
        (&["status", "--generation", "v1"], &["v1", "v1-legacy"]),
        // Contexts of every file in $KUBECONFIG; --kubeconfig replaces the list.
        (&["status", "--context", ""], &["kubesim", "other"]),
        (&["status", "--context=o"], &["other"]),
        (
            &[
                "--kubeconfig",
                env.second.to_str().unwrap(),
                "status",
                "--context",
                "",
            ],
            &["other"],
        ),
        (&["status", "--cluster", ""], &["kubesim", "other"]),
        // From the cluster: namespaces, and pods of the context's namespace or of -n.
        (
            &["status", "-n", ""],
            &[
                "coder",
                "default",
                "kube-node-lease",
                "kube-public",
                "kube-system",
            ],
        ),
        (&["status", "-n", "kube-p"], &["kube-public"]),
        (
            &["status", "--pod", ""],
            &["coder-jdoe-dev-0", "coderd-7f9c6d5b8-x2k4q", "timescale-0"],
        ),
        (&["status", "--pod", "coderd"], &["coderd-7f9c6d5b8-x2k4q"]),
        (&["status", "-n", "default", "--pod", ""], &[]),
        (&["status", "--context", "other", "--pod", ""], &[]),
        (
            &["status", "--context", "other", "-n", "coder", "--pod", "t"],
            &["timescale-0"],
        ),
        (
            &["status", "--pod", "timescale-0", "-c", ""],
            &["postgresql"],
        ),
    ];
    for (words, want) in table {
        let out = env.protocol(words);
        let (got, directive) = values(&out);
        assert_eq!(got, *want, "{words:?}\n{out}");
        assert_eq!(directive, ":4", "{words:?}: NoFileComp\n{out}");
    }
    // A file name: the shell's own file completion (ShellCompDirectiveDefault).
    assert_eq!(env.protocol(&["status", "--kubeconfig", ""]), ":0\n");
}

#[test]
fn protocol_says_nothing_when_the_cluster_cannot_be_reached() {
    let env = Env::start();
    let dead = env.env.path("dead");
    let text = std::fs::read_to_string(env.first()).unwrap();
    // The first port below ours that nothing listens on is as good as any: use port 9.
    let server = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: "))
        .unwrap()
        .to_string();
    std::fs::write(&dead, text.replace(&server, "https://127.0.0.1:9")).unwrap();
    let started = Instant::now();
    let out = env.protocol(&["--kubeconfig", dead.to_str().unwrap(), "status", "-n", ""]);
    assert_eq!(out, ":4\n");
    assert!(started.elapsed() < Duration::from_secs(5));
    // No kubeconfig at all.
    let run = env
        .command(COMPLETER)
        .env_remove("KUBECONFIG")
        .args(["status", "--context", ""])
        .run();
    assert_eq!(run.stdout, ":4\n");
    assert!(run.stderr.is_empty());
}

/// kubectl's `__complete`, which every shell script of kubectl calls, finds our helper and
/// passes its answer on.
#[test]
fn kubectl_passes_our_candidates_on() {
    let env = Env::start();
    let stdout = env
        .command(support::KUBECTL)
        .args(["__complete", "coder", "status", "--context", ""])
        .run()
        .stdout;
    assert_eq!(
        values(&stdout),
        (vec!["kubesim".into(), "other".into()], ":4".into()),
        "{stdout}"
    );
}

/// Completes each line in bash the way a TAB does, with kubectl's completion script sourced,
/// and returns COMPREPLY's values for each.
fn bash_complete(env: &Env, lines: &[&str]) -> Vec<Vec<String>> {
    let mut script = String::from(
        r#"
[ -f /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
source <(kubectl completion bash)
complete_line() {
  COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
  read -ra COMP_WORDS <<<"$COMP_LINE"
  [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMP_TYPE=9; COMPREPLY=()
  __start_kubectl kubectl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s\n' "${COMPREPLY[@]}"
  echo "@@"
}
"#,
    );
    for line in lines {
        script.push_str(&format!("complete_line '{line}'\n"));
    }
    let run = env.command("bash").arg("-c").arg(&script).run();
    let stdout = &run.stdout;
    let blocks: Vec<Vec<String>> = stdout
        .split("@@\n")
        .take(lines.len())
        .map(|block| {
            block
                .lines()
                .filter(|l| !l.is_empty())
                // With several candidates cobra's script appends "  (description)".
                .map(|l| l.split_whitespace().next().unwrap().to_string())
                .collect()
        })
        .collect();
    assert_eq!(
        blocks.len(),
        lines.len(),
        "bash said:\n{stdout}\n{}",
        run.stderr
    );
    blocks
}

/// bash with Debian's bash-completion package, which kubectl's bash script needs
/// (`_get_comp_words_by_ref`); .ci/run installs it.
#[test]
fn bash_completes_kubectl_coder() {
    let bash_completion = "/usr/share/bash-completion/bash_completion";
    if !tool_available(
        "bash-completion (Debian's package)",
        Path::new(bash_completion).exists(),
    ) {
        return;
    }
    let env = Env::start();
    let got = bash_complete(
        &env,
        &[
            "kubectl coder re",
            "kubectl coder status --context ",
            "kubectl coder status -n ",
            "kubectl coder status -n kube-s",
            "kubectl coder status --pod coderd",
            "kubectl coder reset-password --password-s",
        ],
    );
    let want: Vec<Vec<&str>> = vec![
        vec!["reset-admin-password", "reset-password"],
        vec!["kubesim", "other"],
        vec![
            "coder",
            "default",
            "kube-node-lease",
            "kube-public",
            "kube-system",
        ],
        vec!["kube-system"],
        vec!["coderd-7f9c6d5b8-x2k4q"],
        vec!["--password-stdin"],
    ];
    assert_eq!(got, want);
}

/// fish from Debian's package, when installed (.ci/run installs it).
#[test]
fn fish_completes_kubectl_coder() {
    if !shell_available("fish") {
        return;
    }
    let env = Env::start();
    let complete = |line: &str| -> Vec<String> {
        let script = format!("kubectl completion fish | source; complete --do-complete '{line}'");
        env.command("fish")
            .args(["--no-config", "-c", &script])
            .run()
            .stdout
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        complete("kubectl coder re"),
        ["reset-admin-password", "reset-password"]
    );
    assert_eq!(
        complete("kubectl coder status --context "),
        ["kubesim", "other"]
    );
    assert_eq!(
        complete("kubectl coder status -n kube-"),
        ["kube-node-lease", "kube-public", "kube-system"]
    );
    assert_eq!(
        complete("kubectl coder status --context=o"),
        ["--context=other"]
    );
}

/// zsh from Debian's package, when installed (.ci/run installs it). Driving zsh's line editor
/// needs a terminal, so this runs kubectl's zsh script (`_kubectl`: it builds the
/// `kubectl __complete ...` request from `$words`/`$CURRENT` and parses the answer and the
/// directive) with compsys's `_describe` replaced by a stand-in that prints what it was given.
#[test]
fn zsh_script_completes_kubectl_coder() {
    if !shell_available("zsh") {
        return;
    }
    let env = Env::start();
    let mut script = String::from(
        r#"
compdef() { :; }
source <(kubectl completion zsh)
_describe() {
  while [[ $1 == -* ]]; do shift; done
  local c
  for c in "${(@P)2}"; do print -r -- "${c%%:*}"; done
  (( ${#${(@P)2}} ))
}
_arguments() { print -r -- "<files>"; }
complete_line() {
  local -a words
  words=(${=1})
  [[ $1 == *' ' ]] && words+=("")
  CURRENT=${#words}
  _kubectl
  print -r -- "@@"
}
"#,
    );
    let lines = [
        "kubectl coder re",
        "kubectl coder status --context ",
        "kubectl coder status -n kube-",
        "kubectl coder status --kubeconfig ",
    ];
    for line in lines {
        script.push_str(&format!("complete_line '{line}'\n"));
    }
    let run = env.command("zsh").args(["-f", "-c", &script]).run();
    let stdout = &run.stdout;
    let got: Vec<Vec<&str>> = stdout
        .split("@@\n")
        .take(lines.len())
        .map(|b| b.lines().collect())
        .collect();
    let want: Vec<Vec<&str>> = vec![
        vec!["reset-admin-password", "reset-password"],
        vec!["kubesim", "other"],
        vec!["kube-node-lease", "kube-public", "kube-system"],
        // Directive 0: zsh falls back to file names.
        vec!["<files>"],
    ];
    assert_eq!(got, want, "{stdout}\n{}", run.stderr);
}

/// Names from a hostile cluster cannot forge candidates or reach the terminal raw.
#[test]
fn candidates_from_the_cluster_are_made_visible() {
    let env = TestEnv::start(
        kubesim::Sim::builder().scenario(Scenario::V1).pod(
            kubesim::PodFixture::new("coder", "evil\nforged\u{1b}]0;x\u{7}")
                .container(kubesim::ContainerFixture::new("c", "c")),
        ),
    );
    let out = env.completer().args(["status", "--pod", "e"]).run();
    assert_eq!(out.stdout, "evil^Jforged^[]0;x^G\n:4\n");
}

/// `kubectl coder completion <shell>` prints, at run time, what completions/ holds; the main
/// binary answers kubectl's completion protocol itself (`__complete`), which the launcher runs.
#[test]
fn completion_scripts_and_protocol_come_from_the_plugin_itself() {
    let env = TestEnv::scenario(Scenario::V1);
    for (shell, file) in [
        ("bash", "kubectl-coder.bash"),
        ("zsh", "_kubectl-coder"),
        ("fish", "kubectl-coder.fish"),
        ("powershell", "_kubectl-coder.ps1"),
    ] {
        let run = env.kubectl().args(["coder", "completion", shell]).run();
        run.success();
        let committed =
            std::fs::read_to_string(Path::new(ROOT).join("completions").join(file)).unwrap();
        assert_eq!(run.stdout, committed, "{shell}");
    }
    env.kubectl()
        .args(["coder", "completion", "tcsh"])
        .run()
        .code(2);
    let direct = env.plugin().args(["__complete", "re"]).run();
    direct.success();
    let through_launcher = env.completer().arg("re").run();
    assert_eq!(direct.stdout, through_launcher.stdout);
    assert!(
        direct.stdout.starts_with("reset-admin-password\t"),
        "{}",
        direct.stdout
    );
    // Half-typed or odd words are never an error.
    env.plugin()
        .args(["__complete", "--context="])
        .run()
        .success();
}

/// As kubectl and cobra: the bare command prints its help and succeeds; `help <command>`
/// works.
#[test]
fn bare_command_and_help_subcommand_through_kubectl() {
    let env = TestEnv::scenario(Scenario::V1);
    let bare = env.kubectl().args(["coder"]).run();
    bare.success();
    assert!(
        bare.stdout
            .contains("Usage: kubectl coder [OPTIONS] [COMMAND]"),
        "{}",
        bare.stdout
    );
    assert!(bare.stdout.contains("Commands:"), "{}", bare.stdout);
    assert_eq!(bare.stderr, "");
    let help = env
        .kubectl()
        .args(["coder", "help", "reset-password"])
        .run();
    help.success();
    assert!(
        help.stdout
            .contains("Usage: kubectl coder reset-password [OPTIONS] <USER>"),
        "{}",
        help.stdout
    );
    assert!(help.stdout.contains("Examples:"), "{}", help.stdout);
}

/// The launcher finds the plugin beside itself, or on PATH; without either it offers nothing.
#[test]
fn the_launcher_without_the_plugin_offers_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lonely = dir.path().join("kubectl_complete-coder");
    std::fs::copy(COMPLETER, &lonely).unwrap();
    let run = Cmd::new(&lonely, dir.path())
        .env("PATH", "/nonexistent")
        .arg("re")
        .run();
    run.success();
    assert_eq!(run.stdout, ":4\n");
}
