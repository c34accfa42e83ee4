//! kubectl's convention for global flags: a command's help lists its own flags and ends with a
//! pointer to `kubectl options`, which lists the connection flags every command takes
//! (kubectl/pkg/cmd/options/options.go; the pointer is cobra's usage template in
//! kubectl/pkg/util/templates/templates.go). Our connection flags are kubectl's own, so
//! repeating them in every command's help buried the few that matter there.

use clap::{Arg, Command};

/// The heading clap puts kubectl's connection flags under ([`crate::cli::args::ConnectionArgs`]).
pub const CONNECTION_HEADING: &str = "Kubernetes connection (kubectl's flags)";

/// kubectl's last line of every command's help, with our command's name.
pub fn options_pointer(name: &str) -> String {
    format!(
        "Use \"{name} options\" for a list of global command-line options (applies to all commands)."
    )
}

/// `help` without the connection flags' section, and kubectl's pointer to `options` last.
pub fn without_connection_flags(help: &str, name: &str) -> String {
    let heading = format!("{CONNECTION_HEADING}:");
    let mut out = String::with_capacity(help.len());
    let mut skipping = false;
    for line in help.split_inclusive('\n') {
        let bare = line.trim_end();
        // A section ends where the next unindented line starts (a heading, the examples).
        if bare == heading {
            skipping = true;
            continue;
        }
        if skipping && !bare.is_empty() && !bare.starts_with(' ') {
            skipping = false;
        }
        if !skipping {
            out.push_str(line);
        }
    }
    let mut out = out.trim_end().to_string();
    out.push_str("\n\n");
    out.push_str(&options_pointer(name));
    out.push('\n');
    out
}

/// What `kubectl coder options` prints: the connection flags of `cli`, as its help shows them.
pub fn options_help(cli: &Command) -> String {
    let flags: Vec<Arg> = cli
        .get_arguments()
        .filter(|a| a.get_help_heading() == Some(CONNECTION_HEADING))
        .cloned()
        .map(|a| a.help_heading(None::<&str>).global(false))
        .collect();
    let mut listing = Command::new("options")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .help_template("{options}")
        .args(flags);
    format!(
        "The following options can be passed to any command:\n\n{}\n",
        listing.render_help().to_string().trim_end()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP: &str = "\
Show things

Usage: kubectl coder status [OPTIONS]

Options:
  -h, --help  Print help

Kubernetes connection (kubectl's flags):
      --kubeconfig <PATH>
          Path to the kubeconfig file

      --context <NAME>  The context

Choosing the pod:
      --pod <NAME>  Use this pod

Examples:
  kubectl coder status
";

    #[test]
    fn the_connection_section_goes_and_the_pointer_ends_the_help() {
        let got = without_connection_flags(HELP, "kubectl coder");
        assert_eq!(
            got,
            "\
Show things

Usage: kubectl coder status [OPTIONS]

Options:
  -h, --help  Print help

Choosing the pod:
      --pod <NAME>  Use this pod

Examples:
  kubectl coder status

Use \"kubectl coder options\" for a list of global command-line options (applies to all commands).
"
        );
        // A help without the section only gains the pointer.
        let plain = "Usage: x\n\nOptions:\n  -h  Help\n";
        assert_eq!(
            without_connection_flags(plain, "x"),
            "Usage: x\n\nOptions:\n  -h  Help\n\nUse \"x options\" for a list of global command-line options (applies to all commands).\n"
        );
    }

    /// Every command's help as shown: its own sections, no connection flags, -o/-v under
    /// Output, the pointer last.
    #[test]
    fn every_command_help_is_its_own_flags_and_the_pointer() {
        use clap::CommandFactory;
        let mut cli = crate::cli::args::Cli::command();
        cli.build();
        let names: Vec<String> = cli
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        for name in names {
            let raw = cli
                .find_subcommand_mut(&name)
                .unwrap()
                .render_long_help()
                .to_string();
            let shown = without_connection_flags(&raw, "kubectl coder");
            for absent in [
                "--kubeconfig",
                "--context",
                "--as-group",
                "Kubernetes connection",
            ] {
                assert!(!shown.contains(absent), "{name} shows {absent}:\n{shown}");
            }
            assert!(
                shown
                    .trim_end()
                    .ends_with(&options_pointer("kubectl coder")),
                "{name}:\n{shown}"
            );
            if name != "help" {
                let output = shown
                    .find("\nOutput:\n")
                    .unwrap_or_else(|| panic!("{name}:\n{shown}"));
                assert!(shown[output..].contains("-o, --output"), "{name}");
            }
        }
    }

    #[test]
    fn options_lists_every_connection_flag_and_nothing_else() {
        use clap::CommandFactory;
        let cli = crate::cli::args::Cli::command();
        let text = options_help(&cli);
        for flag in [
            "--kubeconfig",
            "--context",
            "--cluster",
            "--user",
            "-n, --namespace",
            "--request-timeout",
            "-s, --server",
            "--certificate-authority",
            "--client-certificate",
            "--client-key",
            "--insecure-skip-tls-verify",
            "--tls-server-name",
            "--token",
            "--as <USER>",
            "--as-group",
            "--as-uid",
        ] {
            assert!(text.contains(flag), "{flag}:\n{text}");
        }
        for absent in ["--output", "--verbose", "--pod", "--help", "--yes"] {
            assert!(!text.contains(absent), "{absent}:\n{text}");
        }
        assert!(text.starts_with("The following options can be passed to any command:\n"));
    }
}
