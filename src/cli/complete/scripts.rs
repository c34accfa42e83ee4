//! `kubectl-coder completion <shell>`: the completion script for the `kubectl-coder` command,
//! generated at run time from the clap definition (so it always matches the binary), the same
//! as the copies committed in completions/. `kubectl coder <TAB>` itself goes through kubectl
//! and [`crate::cli::complete::protocol`].

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::args::{Cli, CompletionShell};

/// The script for `shell`.
pub fn script(shell: CompletionShell) -> Vec<u8> {
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kubectl-coder", &mut out);
    out
}

/// The candidates for `kubectl coder <words...>` as kubectl's plugin protocol wants them,
/// answered by the main binary's hidden `__complete` (cobra's name for it) so that the
/// `kubectl_complete-coder` launcher can stay tiny.
pub fn complete_words(words: &[String]) -> String {
    super::protocol::complete(words, &super::lookup::KubeSource::default()).render()
}
