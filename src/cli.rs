//! Command-line options, parsed by clap and then turned into a checked [`Config`] before any
//! work starts (fd's pattern): everything that can be refused without the cluster is refused here.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::coder_v2::{self, Email, Username};
use crate::locate::{Generation, Overrides};

const EXAMPLES: &str = "\
Examples:
  # Reset the Coder v1 site admin's password in the current context and namespace
  kubectl coder reset-admin-password -n coder

  # Reset a Coder v2 user's password to a generated one, without a prompt
  kubectl coder reset-password alice -n coder --yes

  # Set a password of your own, read from stdin (never from argv)
  printf '%s\\n' \"$NEW_PASSWORD\" | kubectl coder reset-password alice --password-stdin --yes

  # See which pod would be used, and whether you may exec there
  kubectl coder status -n coder";

/// Reset Coder passwords from kubectl: finds the Coder server pod and runs the reset there.
#[derive(Debug, Parser)]
#[command(name = "kubectl-coder", version, about, after_help = EXAMPLES)]
#[command(propagate_version = true, disable_help_subcommand = true)]
pub struct Cli {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Output format for data written to stdout
    #[arg(short = 'o', long = "output", value_enum, global = true, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// Do not ask for confirmation (needed when there is no terminal)
    #[arg(short = 'y', long = "yes", global = true)]
    pub yes: bool,

    /// Show the pod, container and command that would run, and change nothing
    #[arg(long = "dry-run", global = true)]
    pub dry_run: bool,

    /// Explain each step on stderr (never shows a password)
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: CommandArgs,
}

/// kubectl's own connection flags, with kubectl's meaning. kubectl hands them to plugins untouched.
#[derive(Debug, Args, Default, Clone)]
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
    #[arg(long = "request-timeout", global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub request_timeout: Option<Duration>,
}

/// How to choose the pod and container; the defaults find the Coder server by itself.
#[derive(Debug, Args, Default, Clone)]
pub struct TargetArgs {
    /// Use this pod instead of searching for the Coder server
    #[arg(long, global = true, value_name = "NAME")]
    pub pod: Option<String>,

    /// Container to exec in (default: the Coder server container)
    #[arg(short = 'c', long, global = true, value_name = "NAME")]
    pub container: Option<String>,

    /// Only consider pods matching this label selector, e.g. app.kubernetes.io/instance=coder
    #[arg(short = 'l', long, global = true, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Treat the pod as this Coder generation instead of detecting it
    #[arg(long, global = true, value_enum, value_name = "GENERATION")]
    pub generation: Option<Generation>,

    /// Give up on the remote command after this long (e.g. 90s, 5m)
    #[arg(long = "timeout", global = true, value_name = "DURATION", value_parser = parse_duration, default_value = "2m")]
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Yaml,
}

#[derive(Debug, Subcommand)]
pub enum CommandArgs {
    /// Show the context, namespace, Coder pod and generation, and whether you may exec there
    Status,

    /// Reset the site admin's password (Coder v1), or an owner's password (Coder v2)
    #[command(name = "reset-admin-password")]
    ResetAdminPassword {
        /// Coder v2 only: the owner whose password to reset (v2 has no single admin user)
        #[arg(long, value_name = "USERNAME")]
        owner: Option<String>,

        /// Coder v2 only: read the new password from stdin instead of generating one
        #[arg(long = "password-stdin")]
        password_stdin: bool,
    },

    /// Reset a Coder v2 user's password (Coder v1 resets users in the dashboard)
    #[command(name = "reset-password")]
    ResetPassword {
        /// The Coder username (case-insensitive)
        username: String,

        /// Read the new password from the first line of stdin instead of generating one
        #[arg(long = "password-stdin")]
        password_stdin: bool,
    },

    /// Coder v2: create a new owner when nobody can log in (wraps `coder server create-admin-user`)
    #[command(name = "create-admin-user")]
    CreateAdminUser {
        /// Username of the new owner (asked for on a terminal when omitted)
        #[arg(long, value_name = "USERNAME")]
        username: Option<String>,

        /// Email of the new owner (asked for on a terminal when omitted)
        #[arg(long, value_name = "EMAIL")]
        email: Option<String>,

        /// Read the password from the first line of stdin instead of generating one
        #[arg(long = "password-stdin")]
        password_stdin: bool,
    },

    /// Print version, commit and target
    Version,
}

/// The limit for each API request when `--request-timeout` is not given.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The checked configuration the commands run with.
#[derive(Debug)]
pub struct Config {
    pub connection: ConnectionArgs,
    pub overrides: Overrides,
    pub output: OutputFormat,
    pub assume_yes: bool,
    pub dry_run: bool,
    pub verbose: bool,
    pub exec_timeout: Option<Duration>,
    pub command: Command,
}

/// Where a new password comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSource {
    Generate,
    Stdin,
}

#[derive(Debug)]
pub enum Command {
    Status,
    ResetAdminPassword {
        owner: Option<Username>,
        password: PasswordSource,
    },
    ResetPassword {
        username: Username,
        password: PasswordSource,
    },
    CreateAdminUser {
        username: Option<Username>,
        email: Option<Email>,
        password: PasswordSource,
    },
    Version,
}

impl Command {
    /// Commands that change something in Coder, and so ask for confirmation.
    pub fn changes_something(&self) -> bool {
        !matches!(self, Command::Status | Command::Version)
    }
}

/// A usage problem found before any work; exit code 2.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct UsageError(pub String);

impl Cli {
    /// Checks what clap cannot: names, selectors and combinations.
    pub fn into_config(self) -> Result<Config, UsageError> {
        let password_source = |from_stdin: bool| {
            if from_stdin {
                PasswordSource::Stdin
            } else {
                PasswordSource::Generate
            }
        };
        let command = match self.command {
            CommandArgs::Status => Command::Status,
            CommandArgs::Version => Command::Version,
            CommandArgs::ResetAdminPassword {
                owner,
                password_stdin,
            } => Command::ResetAdminPassword {
                owner: owner
                    .map(|o| Username::parse(&o))
                    .transpose()
                    .map_err(usage)?,
                password: password_source(password_stdin),
            },
            CommandArgs::ResetPassword {
                username,
                password_stdin,
            } => Command::ResetPassword {
                username: Username::parse(&username).map_err(usage)?,
                password: password_source(password_stdin),
            },
            CommandArgs::CreateAdminUser {
                username,
                email,
                password_stdin,
            } => Command::CreateAdminUser {
                username: username
                    .map(|u| Username::parse(&u))
                    .transpose()
                    .map_err(usage)?,
                email: email.map(|e| Email::parse(&e)).transpose().map_err(usage)?,
                password: password_source(password_stdin),
            },
        };
        if let Some(ns) = &self.connection.namespace {
            check_dns_label(ns, "namespace")?;
        }
        if let Some(pod) = &self.target.pod {
            check_dns_subdomain(pod, "pod name")?;
        }
        if let Some(selector) = &self.target.selector
            && selector.trim().is_empty()
        {
            return Err(UsageError(
                "the label selector given with -l is empty".into(),
            ));
        }
        if self.target.pod.is_some() && self.target.selector.is_some() {
            return Err(UsageError(
                "--pod and -l/--selector cannot be used together: pick one".into(),
            ));
        }
        let verbose = self.verbose > 0;
        let mut connection = self.connection;
        // kubectl waits forever by default; a tool for bad days should not hang, so API
        // requests get a default limit, and `--request-timeout 0` restores kubectl's.
        connection.request_timeout = match connection.request_timeout {
            None => Some(DEFAULT_REQUEST_TIMEOUT),
            Some(given) => limit(given),
        };
        Ok(Config {
            connection,
            overrides: Overrides {
                pod: self.target.pod,
                container: self.target.container,
                selector: self.target.selector,
                generation: self.target.generation,
            },
            output: self.output,
            assume_yes: self.yes,
            dry_run: self.dry_run,
            verbose,
            exec_timeout: limit(self.target.timeout),
            command,
        })
    }
}

fn usage(err: coder_v2::InputError) -> UsageError {
    UsageError(err.to_string())
}

/// RFC 1123 label, as Kubernetes requires of namespace names.
fn check_dns_label(value: &str, what: &str) -> Result<(), UsageError> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(UsageError(format!(
            "{what} {value:?} is not valid: use lowercase letters, digits and '-', at most 63 characters"
        )))
    }
}

/// RFC 1123 subdomain, as Kubernetes requires of pod names.
fn check_dns_subdomain(value: &str, what: &str) -> Result<(), UsageError> {
    let ok = !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if ok {
        Ok(())
    } else {
        Err(UsageError(format!(
            "{what} {value:?} is not valid: use lowercase letters, digits, '-' and '.'"
        )))
    }
}

/// kubectl's duration syntax: "0" means no limit, a bare number is seconds, otherwise Go's
/// `time.ParseDuration` units (h, m, s, ms) in any combination such as "1m30s".
/// Zero (no limit) comes back as `Duration::ZERO`; see [`limit`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return checked(Duration::from_secs(seconds), text);
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!(
                "invalid duration {text:?}: expected a number before {rest:?}"
            ));
        }
        let number: f64 = rest[..digits]
            .parse()
            .map_err(|_| format!("invalid duration {text:?}"))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "" => {
                return Err(format!(
                    "invalid duration {text:?}: missing unit (h, m, s or ms)"
                ));
            }
            unit => return Err(format!("invalid duration {text:?}: unknown unit {unit:?}")),
        };
        rest = &rest[unit_len..];
        let part = Duration::try_from_secs_f64(number * seconds_per_unit)
            .map_err(|_| format!("invalid duration {text:?}: too large"))?;
        total = checked(total.saturating_add(part), text)?;
    }
    Ok(total)
}

/// Longer limits are surely typos, and would overflow the clock arithmetic.
const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

fn checked(duration: Duration, text: &str) -> Result<Duration, String> {
    if duration > MAX_DURATION {
        Err(format!(
            "invalid duration {text:?}: at most a year (0 means no limit)"
        ))
    } else {
        Ok(duration)
    }
}

/// A parsed duration as a limit: zero means none.
pub fn limit(duration: Duration) -> Option<Duration> {
    (!duration.is_zero()).then_some(duration)
}

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
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Config, String> {
        let cli = Cli::try_parse_from(std::iter::once("kubectl-coder").chain(args.iter().copied()))
            .map_err(|e| e.kind().to_string())?;
        cli.into_config().map_err(|e| e.0)
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn kubectl_flags_are_accepted_before_and_after_the_subcommand() {
        let before = parse(&["-n", "coder", "--context", "prod", "status"]).unwrap();
        let after = parse(&["status", "-n", "coder", "--context", "prod"]).unwrap();
        for config in [before, after] {
            assert_eq!(config.connection.namespace.as_deref(), Some("coder"));
            assert_eq!(config.connection.context.as_deref(), Some("prod"));
        }
    }

    #[test]
    fn connection_flags_table() {
        let config = parse(&[
            "status",
            "--kubeconfig",
            "/tmp/kc",
            "--cluster",
            "c1",
            "--user",
            "u1",
            "--request-timeout",
            "5s",
        ])
        .unwrap();
        assert_eq!(config.connection.kubeconfig, Some(PathBuf::from("/tmp/kc")));
        assert_eq!(config.connection.cluster.as_deref(), Some("c1"));
        assert_eq!(config.connection.user.as_deref(), Some("u1"));
        assert_eq!(
            config.connection.request_timeout,
            Some(Duration::from_secs(5))
        );
        let default = parse(&["status"]).unwrap();
        assert_eq!(
            default.connection.request_timeout,
            Some(DEFAULT_REQUEST_TIMEOUT)
        );
        let forever = parse(&["status", "--request-timeout", "0"]).unwrap();
        assert_eq!(forever.connection.request_timeout, None);
    }

    #[test]
    fn reset_password_checks_the_username_before_any_work() {
        assert!(parse(&["reset-password", "alice"]).is_ok());
        let err = parse(&["reset-password", "not a name"]).unwrap_err();
        assert!(err.contains("username"), "{err}");
        assert!(parse(&["reset-password", "new"]).is_err());
    }

    #[test]
    fn yes_dry_run_and_output_are_global() {
        let config = parse(&["reset-admin-password", "-y", "--dry-run", "-o", "json"]).unwrap();
        assert!(config.assume_yes && config.dry_run);
        assert_eq!(config.output, OutputFormat::Json);
        assert!(parse(&["-o", "xml", "status"]).is_err());
    }

    #[test]
    fn pod_and_selector_exclude_each_other() {
        let err = parse(&["status", "--pod", "coderd-1", "-l", "app=coderd"]).unwrap_err();
        assert!(err.contains("cannot be used together"), "{err}");
    }

    #[test]
    fn invalid_namespace_and_pod_names_are_usage_errors() {
        assert!(parse(&["status", "-n", "Coder"]).is_err());
        assert!(parse(&["status", "--pod", "x_y"]).is_err());
        assert!(parse(&["status", "--pod", "coderd-7f9c.x2"]).is_ok());
    }

    #[test]
    fn durations_follow_kubectl() {
        let table: &[(&str, Option<Duration>)] = &[
            ("0", None),
            ("30", Some(Duration::from_secs(30))),
            ("30s", Some(Duration::from_secs(30))),
            ("1m30s", Some(Duration::from_secs(90))),
            ("500ms", Some(Duration::from_millis(500))),
            ("2h", Some(Duration::from_secs(7200))),
            ("0s", None),
        ];
        for (text, want) in table {
            assert_eq!(limit(parse_duration(text).unwrap()), *want, "{text}");
        }
        for bad in [
            "",
            "s",
            "10x",
            "-1s",
            "1.2.3s",
            "99999999999999999999s",
            "18000000000000000000",
            "9000h",
            "8784h1s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

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
}
