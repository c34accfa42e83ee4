//! `kubectl_complete-coder`: kubectl 1.26+ runs it from `PATH` to complete `kubectl coder ...`.
//! It gets the words after `coder` (the last is the word being completed) and prints one
//! candidate a line, then `:<cobra ShellCompDirective>`. It never fails loudly: whatever goes
//! wrong, it prints no candidates.

fn main() {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let completion = kubectl_coder::cli::complete::protocol::complete(
        &args,
        &kubectl_coder::cli::complete::lookup::KubeSource::default(),
    );
    use std::io::Write;
    let _ = std::io::stdout().write_all(completion.render().as_bytes());
}
