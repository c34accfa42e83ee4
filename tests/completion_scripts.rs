//! The scripts `kubectl-coder completion <shell>` prints, sourced in the real shells and asked
//! what they offer for `kubectl-coder ...` (the direct route, without kubectl): after the
//! first word, after a subcommand, for a flag's name and for `-o`'s values. kubectl's route
//! (`kubectl coder <TAB>`) is in tests/completion.rs.

mod support;

use support::{plugin_path, shell_available};

/// Lines to complete, each with what every shell must offer.
const CASES: &[(&str, &[&str])] = &[
    ("kubectl-coder st", &["status"]),
    ("kubectl-coder status --na", &["--namespace"]),
    ("kubectl-coder status -o ", &["json", "text", "yaml"]),
    (
        "kubectl-coder status --generation ",
        &["v1", "v1-legacy", "v2"],
    ),
    (
        "kubectl-coder reset-password --password-s",
        &["--password-stdin"],
    ),
    ("kubectl-coder reset-admin-password --ow", &["--owner"]),
];

fn sorted(mut words: Vec<String>) -> Vec<String> {
    words.sort();
    words
}

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// bash: the script's function called as `complete -F` calls it, COMPREPLY read back.
#[test]
fn bash_script_completes_after_a_subcommand() {
    let home = home();
    let mut script = String::from(
        r#"
source <(kubectl-coder completion bash)
complete -p kubectl-coder >/dev/null || { echo "not registered"; exit 1; }
complete_line() {
  read -ra COMP_WORDS <<<"$1"
  [[ "$1" == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
  _kubectl__coder kubectl-coder "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s\n' "${COMPREPLY[@]}"
  echo "@@"
}
"#,
    );
    for (line, _) in CASES {
        script.push_str(&format!("complete_line '{line}'\n"));
    }
    let run = support::Cmd::new("bash", home.path())
        .env("PATH", plugin_path())
        .arg("-c")
        .arg(&script)
        .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let blocks: Vec<&str> = run.stdout.split("@@\n").collect();
    for (i, (line, want)) in CASES.iter().enumerate() {
        let got = sorted(blocks[i].lines().map(str::to_string).collect());
        assert_eq!(got, *want, "bash, {line:?}");
    }
}

/// fish: `complete --do-complete` after sourcing the script.
#[test]
fn fish_script_completes_after_a_subcommand() {
    if !shell_available("fish") {
        return;
    }
    let home = home();
    for (line, want) in CASES {
        let script =
            format!("kubectl-coder completion fish | source; complete --do-complete '{line}'");
        let run = support::Cmd::new("fish", home.path())
            .env("PATH", plugin_path())
            .args(["--no-config", "-c", &script])
            .run();
        let got = sorted(
            run.stdout
                .lines()
                .map(|l| l.split('\t').next().unwrap().to_string())
                .collect(),
        );
        assert_eq!(got, *want, "fish, {line:?}\n{}", run.stderr);
    }
}

/// zsh: its completion system needs the line editor, so a driver script runs an interactive
/// `zsh -f` under zsh's own pseudo-terminal module (zpty), loads compinit, sources the script
/// and types each line with a TAB; what zsh draws after the typed line is what it offers
/// (completed in place when there is one candidate, listed below when there are several,
/// even after a common prefix was inserted: `list_ambiguous` off).
const ZSH_DRIVER: &str = r#"
zmodload zsh/zpty
zpty z 'PS1="%% " zsh -f -i'
zpty -w z 'unsetopt list_ambiguous; autoload -U compinit; compinit -u -D; source <(kubectl-coder completion zsh); echo READY""NOW'
all=""; SECONDS=0
while [[ $all != *READYNOW* ]] && (( SECONDS < 20 )); do zpty -r -t z out && all+=$out || sleep 0.05; done
for line in "$@"; do
  zpty -w -n z "$line"$'\t'
  # Everything zsh draws until it has been quiet for half a second (at most 10 s).
  all=""; quiet=0; SECONDS=0
  while (( quiet < 10 && SECONDS < 10 )); do
    if zpty -r -t z out; then all+=$out; quiet=0; else sleep 0.05; [[ -n $all ]] && (( quiet++ )); fi
  done
  print -r -- "$all"; print -r -- "@@"
  zpty -w -n z $'\x15'
done
"#;

#[test]
fn zsh_script_completes_after_a_subcommand() {
    if !shell_available("zsh") {
        return;
    }
    let home = home();
    let driver = home.path().join("driver.zsh");
    std::fs::write(&driver, ZSH_DRIVER).unwrap();
    let run = support::Cmd::new("zsh", home.path())
        .env("PATH", plugin_path())
        .arg("-f")
        .arg(&driver)
        .args(CASES.iter().map(|(line, _)| *line))
        .run();
    let blocks: Vec<&str> = run.stdout.split("@@\n").collect();
    assert!(blocks.len() > CASES.len(), "{}{}", run.stdout, run.stderr);
    for (i, (line, want)) in CASES.iter().enumerate() {
        // What zsh drew after the typed words before the one being completed.
        let typed = &line[..=line.rfind(' ').unwrap()];
        let after = blocks[i].split_once(typed).map_or("", |(_, a)| a);
        for word in *want {
            assert!(
                after.contains(word),
                "zsh, {line:?} does not offer {word}:\n{:?}",
                blocks[i]
            );
        }
    }
}
