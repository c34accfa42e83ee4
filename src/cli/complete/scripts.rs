//! `kubectl-coder completion <shell>`: the completion script for the `kubectl-coder` command,
//! generated at run time from the clap definition (so it always matches the binary), the same
//! as the copies committed in completions/. `kubectl coder <TAB>` itself goes through kubectl
//! and [`crate::cli::complete::protocol`].

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::args::{Cli, CompletionShell};

/// The name the scripts complete: the binary's own, as a shell sees it on PATH.
pub const BIN_NAME: &str = "kubectl-coder";

/// The script for `shell`.
pub fn script(shell: CompletionShell) -> Vec<u8> {
    let (shell, is_bash) = match shell {
        CompletionShell::Bash => (Shell::Bash, true),
        CompletionShell::Zsh => (Shell::Zsh, false),
        CompletionShell::Fish => (Shell::Fish, false),
        CompletionShell::Powershell => (Shell::PowerShell, false),
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN_NAME, &mut out);
    if is_bash {
        let text = String::from_utf8(out).expect("clap_complete writes UTF-8");
        return bash_case_labels_fixed(&text, BIN_NAME).into_bytes();
    }
    out
}

/// clap_complete's bash script walks the words with a state named after the bin name with
/// `-` turned into `__` (`kubectl__coder__subcmd__status`), but labels each subcommand's
/// options with the whole path's `-` turned into `__subcmd__`
/// (`kubectl__subcmd__coder__subcmd__status`; clap_complete 4.6 src/aot/shells/bash.rs,
/// `all_subcommands` against `subcommand_details`). With a `-` in the bin name no label
/// matches, and after any subcommand bash offered nothing but files. Rename the labels to the
/// states the walk sets.
pub fn bash_case_labels_fixed(script: &str, bin_name: &str) -> String {
    let label = format!("{}__subcmd__", bin_name.replace('-', "__subcmd__"));
    let state = format!("{}__subcmd__", bin_name.replace('-', "__"));
    if label == state {
        return script.to_string();
    }
    script.replace(&label, &state)
}

/// The candidates for `kubectl coder <words...>` as kubectl's plugin protocol wants them,
/// answered by the main binary's hidden `__complete` (cobra's name for it) so that the
/// `kubectl_complete-coder` launcher can stay tiny.
pub fn complete_words(words: &[String]) -> String {
    super::protocol::complete(words, &super::lookup::KubeSource::default()).render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_labels_match_the_states_the_word_walk_sets() {
        let cases = [
            (
                "        kubectl__subcmd__coder__subcmd__status)",
                "kubectl-coder",
                "        kubectl__coder__subcmd__status)",
            ),
            (
                "kubectl__subcmd__coder__subcmd__reset__subcmd__admin__subcmd__password)",
                "kubectl-coder",
                "kubectl__coder__subcmd__reset__subcmd__admin__subcmd__password)",
            ),
            // The walk's own states are left alone.
            (
                "cmd=\"kubectl__coder__subcmd__status\"",
                "kubectl-coder",
                "cmd=\"kubectl__coder__subcmd__status\"",
            ),
            // A bin name without `-` had no mismatch.
            ("coder__subcmd__status)", "coder", "coder__subcmd__status)"),
        ];
        for (script, bin, want) in cases {
            assert_eq!(bash_case_labels_fixed(script, bin), want, "{script}");
        }
    }

    #[test]
    fn every_label_of_the_bash_script_is_a_state_the_walk_can_reach() {
        let script = String::from_utf8(script(CompletionShell::Bash)).unwrap();
        let states: Vec<&str> = script
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cmd=\""))
            .map(|l| l.trim_end_matches('"'))
            .collect();
        let labels: Vec<&str> = script
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("kubectl") && l.ends_with(')') && !l.contains(','))
            .map(|l| l.trim_end_matches(')'))
            .collect();
        assert!(labels.len() > 5, "{script}");
        for label in labels {
            assert!(states.contains(&label), "{label} is never reached");
        }
    }
}
