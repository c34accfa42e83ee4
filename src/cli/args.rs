//! The command line as clap reads it: kubectl's connection flags, how to choose the pod, the
//! subcommands. [`crate::cli::config`] turns it into a checked configuration.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cli::duration;
use crate::coder::target::Generation;

/// How data on stdout is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Yaml,
}

const EXAMPLES: &str = "\
Examples:
  # Reset the Coder v1 site admin's password in the current context and namespace
  kubectl coder reset-admin-password -n coder

  # Reset a Coder v2 user's password to a generated one, without a prompt
  kubectl coder reset-password alice -n coder --yes

  # Set a password of your own, read from stdin (never from argv)
  printf '%s\\n' \"$NEW_PASSWORD\" | kubectl coder reset-password alice --password-stdin --yes

  # See which pod would be used, and whether you may exec there
  kubectl coder status -n coder

  # Every Coder deployment in the cluster, one row each
  kubectl coder status -A";

/// Reset Coder passwords from kubectl: finds the Coder server pod and runs the reset there.
#[derive(Debug, Parser)]
#[command(name = "kubectl-coder", version, about, after_help = EXAMPLES)]
#[command(propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Output format for data written to stdout
    #[arg(short = 'o', long = "output", value_enum, global = true, default_value_t = OutputFormat::Text, help_heading = "Output")]
    pub output: OutputFormat,

    /// Explain each step on stderr (never shows a password); kubectl's -v=N is accepted too
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count, help_heading = "Output")]
    pub verbose: u8,

    /// A command; without one, this help (as kubectl and cobra do)
    #[command(subcommand)]
    pub command: Option<CommandArgs>,
}

/// What the changing commands share: confirmation, a dry run, insecure connections.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Changing")]
pub struct ChangeArgs {
    /// Do not ask for confirmation (needed when there is no terminal)
    #[arg(short = 'y', long = "yes")]
    pub yes: bool,

    /// Show the pod, container and command that would run, and change nothing
    #[arg(long = "dry-run")]
    pub dry_run: bool,

    /// Send a password even over plain http or with insecure-skip-tls-verify (refused otherwise)
    #[arg(long = "allow-insecure-connection")]
    pub allow_insecure_connection: bool,
}

/// kubectl's own connection flags, with kubectl's meaning. kubectl hands them to plugins untouched.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Kubernetes connection (kubectl's flags)")]
pub struct ConnectionArgs {
    /// Path to the kubeconfig file (instead of $KUBECONFIG and ~/.kube/config)
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// The kubeconfig cluster to use
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The kubeconfig user to use
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,

    /// Namespace of the Coder deployment (default: the context's namespace, else "default")
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Timeout for each API request, e.g. 10s, 1m (default 30s; 0 waits forever)
    #[arg(long = "request-timeout", global = true, value_name = "DURATION", value_parser = duration::parse)]
    pub request_timeout: Option<Duration>,

    /// The address of the API server (instead of the kubeconfig cluster's)
    #[arg(short = 's', long, global = true, value_name = "URL")]
    pub server: Option<String>,

    /// Path to a CA certificate file for the API server
    #[arg(long = "certificate-authority", global = true, value_name = "PATH")]
    pub certificate_authority: Option<PathBuf>,

    /// Path to a client certificate file for TLS
    #[arg(long = "client-certificate", global = true, value_name = "PATH")]
    pub client_certificate: Option<PathBuf>,

    /// Path to a client key file for TLS
    #[arg(long = "client-key", global = true, value_name = "PATH")]
    pub client_key: Option<PathBuf>,

    /// Do not verify the API server's certificate (a password change then needs --allow-insecure-connection)
    #[arg(long = "insecure-skip-tls-verify", global = true, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_name = "BOOL", value_parser = clap::builder::BoolishValueParser::new())]
    pub insecure_skip_tls_verify: Option<bool>,

    /// Server name to check the API server's certificate against (instead of its host)
    #[arg(long = "tls-server-name", global = true, value_name = "NAME")]
    pub tls_server_name: Option<String>,

    /// Bearer token for the API server (instead of the kubeconfig user's credentials)
    #[arg(long, global = true, value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// User to impersonate
    #[arg(long = "as", global = true, value_name = "USER")]
    pub impersonate: Option<String>,

    /// Group to impersonate (repeat for several)
    #[arg(long = "as-group", global = true, value_name = "GROUP")]
    pub impersonate_groups: Vec<String>,

    /// UID to impersonate
    #[arg(long = "as-uid", global = true, value_name = "UID")]
    pub impersonate_uid: Option<String>,
}

/// kubectl's log level (`-v=N`, `-v N`, `-vN`, `--v=N`, `--v N`) as our `-v`: 0 is quiet, any
/// other level turns on the step log. kubectl hands plugins its global flags as typed, so
/// `kubectl coder -v=6 status` must work; our own `-v`, `-vv` and `--verbose` stay as they are.
pub fn normalize_verbosity(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let is_level = |t: &str| !t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit());
    let mut out = Vec::with_capacity(args.len());
    let mut iter = args.into_iter().peekable();
    while let Some(arg) = iter.next() {
        let Some(text) = arg.to_str().map(str::to_string) else {
            out.push(arg);
            continue;
        };
        if text == "--" {
            out.push(arg);
            out.extend(iter);
            break;
        }
        let attached = text
            .strip_prefix("-v=")
            .or_else(|| text.strip_prefix("--v="))
            .or_else(|| text.strip_prefix("-v").filter(|rest| is_level(rest)))
            .map(str::to_string);
        let level = match attached {
            Some(level) => Some(level),
            None if text == "-v" || text == "--v" => {
                match iter
                    .peek()
                    .and_then(|next| next.to_str())
                    .filter(|n| is_level(n))
                {
                    Some(next) => {
                        let next = next.to_string();
                        iter.next();
                        Some(next)
                    }
                    // A bare `-v` is our own flag.
                    None if text == "-v" => None,
                    None => Some(String::new()),
                }
            }
            None => None,
        };
        match level {
            None => out.push(arg),
            Some(level) if level.parse::<u32>().is_ok_and(|l| l > 0) => out.push("-v".into()),
            // Level 0: quiet, our default.
            Some(level) if level.parse::<u32>().is_ok() => {}
            Some(_) => out.push(arg),
        }
    }
    out
}

/// How to choose the pod and container; the defaults find the Coder server by itself.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Choosing the pod")]
pub struct TargetArgs {
    /// Use this pod instead of searching for the Coder server
    #[arg(long, value_name = "NAME")]
    pub pod: Option<String>,

    /// Container to exec in (default: the Coder server container)
    #[arg(short = 'c', long, value_name = "NAME")]
    pub container: Option<String>,

    /// Only consider pods matching this label selector, e.g. app.kubernetes.io/instance=coder
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Treat the pod as this Coder generation instead of detecting it
    #[arg(long, value_enum, value_name = "GENERATION")]
    pub generation: Option<GenerationArg>,

    /// Give up on the remote command after this long (e.g. 90s, 5m)
    #[arg(long = "timeout", value_name = "DURATION", value_parser = duration::parse, default_value = "2m")]
    pub timeout: Duration,
}

/// Where the new password comes from: generated unless one of these is given (not for Coder
/// v1's reset-admin-password, which makes up its own).
#[derive(Debug, Args, Default, Clone)]
pub struct PasswordArgs {
    /// Read the new password from stdin (one line; typed hidden on a terminal); not for v1 reset-admin-password
    #[arg(long = "password-stdin")]
    pub password_stdin: bool,

    /// Type the new password twice, hidden, on the terminal; not for v1 reset-admin-password
    #[arg(long = "password-prompt")]
    pub password_prompt: bool,
}

/// `--generation`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenerationArg {
    /// Coder v1, server binary `coderd`.
    #[value(name = "v1")]
    V1,
    /// Coder v1 from very old charts, server binary `cemanager`.
    #[value(name = "v1-legacy")]
    V1Legacy,
    /// Coder v2, server binary `coder`.
    #[value(name = "v2")]
    V2,
}

impl From<GenerationArg> for Generation {
    fn from(arg: GenerationArg) -> Generation {
        match arg {
            GenerationArg::V1 => Generation::V1,
            GenerationArg::V1Legacy => Generation::V1Legacy,
            GenerationArg::V2 => Generation::V2,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CommandArgs {
    /// Show the context, namespace, Coder pod and version, whether you may exec (and
    /// port-forward) there, the database and password login; with -A, every Coder deployment
    /// in the cluster
    #[command(after_help = STATUS_EXAMPLES)]
    Status {
        /// Every Coder deployment in the cluster, one row each, as `kubectl get -A` (-n is ignored)
        #[arg(short = 'A', long = "all-namespaces")]
        all_namespaces: bool,

        #[command(flatten)]
        target: TargetArgs,
    },

    /// Reset the site admin's password (Coder v1), or an owner's password (Coder v2)
    #[command(name = "reset-admin-password", after_help = RESET_ADMIN_EXAMPLES)]
    ResetAdminPassword {
        /// Coder v2 only: the owner whose password to reset (asked for on a terminal when omitted)
        #[arg(long, value_name = "USERNAME")]
        owner: Option<String>,

        #[command(flatten)]
        password: PasswordArgs,

        #[command(flatten)]
        change: ChangeArgs,

        #[command(flatten)]
        target: TargetArgs,
    },

    /// Reset a user's password: v2 through `coder reset-password`; v1 as the dashboard does, a temporary one through coderd's API
    #[command(name = "reset-password", after_help = RESET_PASSWORD_EXAMPLES)]
    ResetPassword {
        /// The Coder username (case-insensitive); on Coder v1 also the email
        #[arg(value_name = "USER")]
        username: String,

        #[command(flatten)]
        password: PasswordArgs,

        #[command(flatten)]
        change: ChangeArgs,

        #[command(flatten)]
        target: TargetArgs,
    },

    /// Coder v2: create a new owner when nobody can log in (wraps `coder server create-admin-user`)
    #[command(name = "create-admin-user", after_help = CREATE_EXAMPLES)]
    CreateAdminUser {
        /// Username of the new owner (asked for on a terminal when omitted)
        #[arg(long, value_name = "USERNAME")]
        username: Option<String>,

        /// Email of the new owner (asked for on a terminal when omitted)
        #[arg(long, value_name = "EMAIL")]
        email: Option<String>,

        #[command(flatten)]
        password: PasswordArgs,

        /// Create the owner even though password login is off (--disable-password-auth,
        /// CODER_DISABLE_PASSWORD_AUTH or the config file) and it could not sign in
        #[arg(long = "allow-disabled-password-login")]
        allow_disabled_password_login: bool,

        #[command(flatten)]
        change: ChangeArgs,

        #[command(flatten)]
        target: TargetArgs,
    },

    /// Print version, commit and target
    #[command(after_help = "Examples:\n  kubectl coder version\n  kubectl coder version -o json")]
    Version,

    /// List the connection flags every command takes (kubectl's own)
    Options,

    /// Print a shell completion script for kubectl-coder (bash, zsh, fish, powershell)
    #[command(after_help = COMPLETION_EXAMPLES)]
    Completion {
        /// The shell to print the script for
        #[arg(value_enum)]
        shell: CompletionShell,
    },
}

/// The shells `completion` prints scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

const STATUS_EXAMPLES: &str = "\
Examples:
  # What a reset would meet in the current context and namespace
  kubectl coder status

  # The same as JSON, for another namespace
  kubectl coder status -n coder -o json

  # Every Coder deployment in the cluster (needs `list` on pods in all namespaces)
  kubectl coder status -A";

const RESET_ADMIN_EXAMPLES: &str = "\
Examples:
  # Coder v1: a new temporary password for the site admin
  kubectl coder reset-admin-password -n coder

  # Coder v2: a generated password for the owner alice, without a prompt
  kubectl coder reset-admin-password --owner alice --yes

  # See which pod and command would be used, changing nothing
  kubectl coder reset-admin-password --dry-run";

const RESET_PASSWORD_EXAMPLES: &str = "\
Examples:
  # A generated password for alice
  kubectl coder reset-password alice -n coder

  # Your own password, from stdin (never from argv)
  printf '%s\\n' \"$NEW_PASSWORD\" | kubectl coder reset-password alice --password-stdin --yes

  # Coder v1, by email, acting with a saved API token
  CODER_TOKEN=... kubectl coder reset-password alice@example.com";

const CREATE_EXAMPLES: &str = "\
Examples:
  # A new owner with a generated password
  kubectl coder create-admin-user --username rescue --email rescue@example.com --yes";

const COMPLETION_EXAMPLES: &str = "\
Examples:
  # bash, for this session
  source <(kubectl-coder completion bash)

  # zsh, installed for good
  kubectl-coder completion zsh > \"${fpath[1]}/_kubectl-coder\"

  # `kubectl coder <TAB>` itself completes through kubectl_complete-coder (see the README)";

/// The name to show in help: `kubectl coder` when run as the plugin `kubectl-coder`.
pub fn display_name(argv0: Option<&std::ffi::OsStr>) -> String {
    let stem = argv0
        .and_then(|a| std::path::Path::new(a).file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("kubectl-coder");
    match stem.strip_prefix("kubectl-") {
        Some(plugin) => format!("kubectl {}", plugin.replace('-', " ")),
        None => stem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_names_the_plugin_the_way_kubectl_users_type_it() {
        use std::ffi::OsStr;
        assert_eq!(
            display_name(Some(OsStr::new("/usr/local/bin/kubectl-coder"))),
            "kubectl coder"
        );
        assert_eq!(
            display_name(Some(OsStr::new("kubectl-coder.exe"))),
            "kubectl coder"
        );
        assert_eq!(display_name(Some(OsStr::new("other"))), "other");
        assert_eq!(display_name(None), "kubectl coder");
    }

    fn help_of(subcommand: &str) -> String {
        use clap::CommandFactory;
        let mut cli = Cli::command();
        cli.build();
        cli.find_subcommand_mut(subcommand)
            .unwrap_or_else(|| panic!("no {subcommand}"))
            .render_long_help()
            .to_string()
    }

    #[test]
    fn each_command_lists_only_its_options_under_headings_and_ends_with_examples() {
        for command in [
            "status",
            "reset-admin-password",
            "reset-password",
            "create-admin-user",
        ] {
            let help = help_of(command);
            // The connection flags' section is cut from what is shown (cli::help).
            for heading in ["Choosing the pod:", "Output:"] {
                assert!(help.contains(heading), "{command} lacks {heading}:\n{help}");
            }
            assert!(
                help.trim_end().lines().rev().any(|l| l == "Examples:"),
                "{command}:\n{help}"
            );
            let changes = command != "status";
            // A flag's own line, not a mention in another's help.
            let has_flag = |flag: &str| {
                help.lines().map(str::trim_start).any(|l| {
                    let rest = l
                        .strip_prefix(flag)
                        .or_else(|| l.strip_prefix(&format!("-y, {flag}")));
                    rest.is_some_and(|r| r.is_empty() || r.starts_with([' ', '<', '[', '=']))
                })
            };
            for flag in ["--yes", "--dry-run", "--allow-insecure-connection"] {
                assert_eq!(has_flag(flag), changes, "{command} and {flag}:\n{help}");
            }
            assert_eq!(help.contains("Changing:"), changes, "{command}:\n{help}");
        }
        let version = help_of("version");
        for absent in ["-y, --yes", "--dry-run", "--pod", "--timeout <"] {
            assert!(
                !version.contains(absent),
                "version shows {absent}:\n{version}"
            );
        }
        assert!(help_of("completion").contains("[possible values: bash, zsh, fish, powershell]"));
    }

    #[test]
    fn bare_command_and_help_subcommand_parse() {
        let bare = Cli::try_parse_from(["kubectl-coder"]).unwrap();
        assert!(bare.command.is_none());
        // `help <command>` is clap's own: it ends parsing with the help, successfully.
        let help = Cli::try_parse_from(["kubectl-coder", "help", "status"]).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
        assert!(help.to_string().contains("Choosing the pod:"));
    }

    #[test]
    fn kubectl_verbosity_forms() {
        let norm = |args: &[&str]| -> Vec<String> {
            normalize_verbosity(args.iter().map(|a| a.into()).collect())
                .into_iter()
                .map(|a| a.into_string().unwrap())
                .collect()
        };
        let cases: &[(&[&str], &[&str])] = &[
            (&["-v=6", "status"], &["-v", "status"]),
            (&["--v=2", "status"], &["-v", "status"]),
            (&["-v", "6", "status"], &["-v", "status"]),
            (&["--v", "4", "status"], &["-v", "status"]),
            (&["-v6", "status"], &["-v", "status"]),
            (&["-v=0", "status"], &["status"]),
            (&["status", "-v"], &["status", "-v"]),
            (&["status", "-vv"], &["status", "-vv"]),
            (&["status", "--verbose"], &["status", "--verbose"]),
            (&["-v", "status"], &["-v", "status"]),
            // After `--` nothing is a flag.
            (
                &["reset-password", "--", "-v=6"],
                &["reset-password", "--", "-v=6"],
            ),
        ];
        for (args, want) in cases {
            assert_eq!(norm(args), *want, "{args:?}");
        }
    }
}
