//! The checked configuration: everything that can be refused without the cluster is refused
//! here, before any work, and the commands never see a clap type.

use std::time::Duration;

use crate::cli::args::{
    ChangeArgs, Cli, CommandArgs, CompletionShell, OutputFormat, PasswordArgs, TargetArgs,
};
use crate::cli::duration::limit;
use crate::coder::action::Action;
use crate::coder::locate::{Overrides, valid_pod_name};
use crate::coder::names::{Account, Email, InputError, Username};
use crate::kube::connection::ConnectOptions;
use crate::kube::select::{FlagOverrides, FlagToken};

/// The limit for each API request when `--request-timeout` is not given.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The checked configuration the commands run with.
#[derive(Debug)]
pub struct Config {
    pub connect: ConnectOptions,
    pub overrides: Overrides,
    pub output: OutputFormat,
    pub assume_yes: bool,
    pub dry_run: bool,
    /// Change passwords even where the connection is not private.
    pub allow_insecure_connection: bool,
    pub verbose: bool,
    /// The limit for the remote command; `None` waits forever.
    pub exec_timeout: Option<Duration>,
    pub command: Command,
}

/// What to do.
#[derive(Debug)]
pub enum Command {
    /// No command given: the help, exit 0.
    Help,
    /// The connection flags, listed (kubectl's `options`).
    Options,
    Version,
    Completion(CompletionShell),
    Status,
    /// `status -A`: every Coder deployment in the cluster.
    StatusAllNamespaces,
    Change(Change),
}

/// The commands that change a Coder user, and so ask for confirmation.
#[derive(Debug)]
pub enum Change {
    ResetAdminPassword {
        owner: Option<Username>,
        password: PasswordSource,
    },
    ResetPassword {
        /// A username, or (Coder v1) an email.
        user: Account,
        password: PasswordSource,
    },
    CreateAdminUser {
        username: Option<Username>,
        email: Option<Email>,
        password: PasswordSource,
        /// Create the owner even though password login is disabled.
        allow_disabled_password_login: bool,
    },
}

impl Change {
    pub fn action(&self) -> Action {
        match self {
            Change::ResetAdminPassword { .. } => Action::ResetAdminPassword,
            Change::ResetPassword { .. } => Action::ResetPassword,
            Change::CreateAdminUser { .. } => Action::CreateAdminUser,
        }
    }

    pub fn password_source(&self) -> PasswordSource {
        match self {
            Change::ResetAdminPassword { password, .. }
            | Change::ResetPassword { password, .. }
            | Change::CreateAdminUser { password, .. } => *password,
        }
    }
}

/// Where a new password comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSource {
    /// Made up from the OS's random source.
    Generate,
    /// `--password-stdin`: the one line of stdin (typed, hidden, on a terminal).
    Stdin,
    /// `--password-prompt`: typed twice, hidden, on the terminal.
    Prompt,
}

impl PasswordSource {
    fn from_flags(flags: &PasswordArgs) -> Result<PasswordSource, UsageError> {
        match (flags.password_stdin, flags.password_prompt) {
            (true, true) => Err(UsageError(
                "--password-stdin and --password-prompt cannot be used together: pick one".into(),
            )),
            (true, false) => Ok(PasswordSource::Stdin),
            (false, true) => Ok(PasswordSource::Prompt),
            (false, false) => Ok(PasswordSource::Generate),
        }
    }
}

/// A usage problem found before any work; exit code 2.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct UsageError(pub String);

impl From<InputError> for UsageError {
    fn from(err: InputError) -> UsageError {
        UsageError(err.to_string())
    }
}

impl Cli {
    /// Checks what clap cannot: names, selectors and combinations.
    pub fn into_config(self) -> Result<Config, UsageError> {
        let username = |name: Option<String>| name.as_deref().map(Username::parse).transpose();
        let no_change = ChangeArgs::default();
        let no_target = TargetArgs::default();
        let (command, change, target) = match self.command {
            None => (Command::Help, no_change, no_target),
            Some(CommandArgs::Status {
                all_namespaces: false,
                target,
            }) => (Command::Status, no_change, target),
            Some(CommandArgs::Status {
                all_namespaces: true,
                target,
            }) => {
                if target.pod.is_some() {
                    return Err(UsageError(
                        "--pod names a pod in one namespace: use it with -n, not with -A".into(),
                    ));
                }
                (Command::StatusAllNamespaces, no_change, target)
            }
            Some(CommandArgs::Version) => (Command::Version, no_change, no_target),
            Some(CommandArgs::Options) => (Command::Options, no_change, no_target),
            Some(CommandArgs::Completion { shell }) => {
                (Command::Completion(shell), no_change, no_target)
            }
            Some(CommandArgs::ResetAdminPassword {
                owner,
                password,
                change,
                target,
            }) => (
                Command::Change(Change::ResetAdminPassword {
                    owner: username(owner)?,
                    password: PasswordSource::from_flags(&password)?,
                }),
                change,
                target,
            ),
            Some(CommandArgs::ResetPassword {
                username,
                password,
                change,
                target,
            }) => (
                Command::Change(Change::ResetPassword {
                    user: Account::parse(&username)?,
                    password: PasswordSource::from_flags(&password)?,
                }),
                change,
                target,
            ),
            Some(CommandArgs::CreateAdminUser {
                username: name,
                email,
                password,
                allow_disabled_password_login,
                change,
                target,
            }) => (
                Command::Change(Change::CreateAdminUser {
                    username: username(name)?,
                    email: email.as_deref().map(Email::parse).transpose()?,
                    password: PasswordSource::from_flags(&password)?,
                    allow_disabled_password_login,
                }),
                change,
                target,
            ),
        };
        if let Some(ns) = &self.connection.namespace {
            check_dns_label(ns, "namespace")?;
        }
        if let Some(pod) = &target.pod {
            check_dns_subdomain(pod, "pod name")?;
        }
        if let Some(selector) = &target.selector
            && selector.trim().is_empty()
        {
            return Err(UsageError(
                "the label selector given with -l is empty".into(),
            ));
        }
        if target.pod.is_some() && target.selector.is_some() {
            return Err(UsageError(
                "--pod and -l/--selector cannot be used together: pick one".into(),
            ));
        }
        let args = self.connection;
        let connect = ConnectOptions {
            kubeconfig: args.kubeconfig,
            context: args.context,
            cluster: args.cluster,
            user: args.user,
            namespace: args.namespace,
            // kubectl waits forever by default; a tool for bad days should not hang, so API
            // requests get a default limit, and `--request-timeout 0` restores kubectl's.
            request_timeout: match args.request_timeout {
                None => Some(DEFAULT_REQUEST_TIMEOUT),
                Some(given) => limit(given),
            },
            flags: FlagOverrides {
                server: args.server,
                certificate_authority: args.certificate_authority,
                client_certificate: args.client_certificate,
                client_key: args.client_key,
                insecure_skip_tls_verify: args.insecure_skip_tls_verify,
                tls_server_name: args.tls_server_name,
                token: args.token.map(FlagToken),
                impersonate: args.impersonate,
                impersonate_groups: args.impersonate_groups,
                impersonate_uid: args.impersonate_uid,
            },
        };
        Ok(Config {
            connect,
            overrides: Overrides {
                pod: target.pod,
                container: target.container,
                selector: target.selector,
                generation: target.generation.map(Into::into),
            },
            output: self.output,
            assume_yes: change.yes,
            allow_insecure_connection: change.allow_insecure_connection,
            dry_run: change.dry_run,
            verbose: self.verbose > 0,
            exec_timeout: limit(target.timeout),
            command,
        })
    }
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
    if valid_pod_name(value) {
        Ok(())
    } else {
        Err(UsageError(format!(
            "{what} {value:?} is not valid: use lowercase letters, digits, '-' and '.'"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    use clap::{CommandFactory, Parser};

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
            assert_eq!(config.connect.namespace.as_deref(), Some("coder"));
            assert_eq!(config.connect.context.as_deref(), Some("prod"));
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
        assert_eq!(config.connect.kubeconfig, Some(PathBuf::from("/tmp/kc")));
        assert_eq!(config.connect.cluster.as_deref(), Some("c1"));
        assert_eq!(config.connect.user.as_deref(), Some("u1"));
        assert_eq!(config.connect.request_timeout, Some(Duration::from_secs(5)));
        let default = parse(&["status"]).unwrap();
        assert_eq!(
            default.connect.request_timeout,
            Some(DEFAULT_REQUEST_TIMEOUT)
        );
        let forever = parse(&["status", "--request-timeout", "0"]).unwrap();
        assert_eq!(forever.connect.request_timeout, None);
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
    fn verbose_is_on_for_any_count() {
        let verbose = |args: &[&str]| parse(args).unwrap().verbose;
        assert!(!verbose(&["status"]));
        assert!(verbose(&["status", "-v"]));
        assert!(verbose(&["status", "-vv"]));
        assert!(verbose(&["--verbose", "status"]));
    }

    /// RFC 1123 labels: lower-case letters, digits and inner `-`, 1 to 63 of them.
    #[test]
    fn namespace_names_as_kubernetes_takes_them() {
        let long = "a".repeat(63);
        let too_long = "a".repeat(64);
        for (name, ok) in [
            ("coder", true),
            ("0", true),
            ("a-1", true),
            ("1-a", true),
            (long.as_str(), true),
            (too_long.as_str(), false),
            ("-a", false),
            ("a-", false),
            ("a_b", false),
            ("a.b", false),
            ("Coder", false),
        ] {
            assert_eq!(parse(&["status", "-n", name]).is_ok(), ok, "{name:?}");
        }
    }

    #[test]
    fn invalid_namespace_and_pod_names_are_usage_errors() {
        assert!(parse(&["status", "-n", "Coder"]).is_err());
        assert!(parse(&["status", "--pod", "x_y"]).is_err());
        assert!(parse(&["status", "--pod", "coderd-7f9c.x2"]).is_ok());
    }

    #[test]
    fn all_namespaces_is_its_own_status_and_refuses_a_pod() {
        for args in [
            &["status", "-A"][..],
            &["status", "--all-namespaces", "-n", "x"],
        ] {
            let config = parse(args).unwrap();
            assert!(
                matches!(config.command, Command::StatusAllNamespaces),
                "{args:?}"
            );
        }
        assert!(matches!(
            parse(&["status"]).unwrap().command,
            Command::Status
        ));
        let err = parse(&["status", "-A", "--pod", "coderd-1"]).unwrap_err();
        assert!(err.contains("not with -A"), "{err}");
        assert!(parse(&["reset-admin-password", "-A"]).is_err());
    }
}
