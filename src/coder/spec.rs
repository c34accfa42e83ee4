//! What a Coder server container's spec says about the reset to come, without running
//! anything: which binary to call, where the database URL comes from, whether password
//! login is disabled, and (v1) whether a secret sets the admin password at start.

use k8s_openapi::api::core::v1::{Container, EnvVar};
use serde::Serialize;

use crate::coder::server_options;

/// Facts from the server container's spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSpec {
    /// How to call the server binary: `command[0]` when it is an absolute path to `coder`
    /// (images before September 2022 had no `coder` on `PATH`), else the bare name.
    pub binary: String,
    pub database: Database,
    pub password_login: PasswordLogin,
    /// v1: `SUPER_ADMIN_PASSWORD` is set (where from): a restart may set the admin password
    /// back to it.
    pub super_admin_password: Option<String>,
    /// The port the spec names for the server's HTTP API (`tcp-coderd` in the v1 chart).
    pub api_port: Option<u16>,
    /// The server's YAML config file, when neither its flags nor its environment decide
    /// password login and the file may: read in the pod to settle `password_login`.
    pub config_file: Option<String>,
    /// Where users sign in: `CODER_ACCESS_URL` when the spec sets it as a plain value.
    pub access_url: Option<String>,
}

/// Where `CODER_PG_CONNECTION_URL` comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "source")]
pub enum Database {
    /// Set in `env`: where its value comes from (never the value).
    External(String),
    /// Not in `env`, but `envFrom` sources may set it.
    MaybeEnvFrom(String),
    /// Nowhere in the spec: the server runs the built-in PostgreSQL, if anything.
    NotSet,
}

/// Whether `CODER_DISABLE_PASSWORD_AUTH` turns password login off (coderd/userauth.go refuses
/// every password login then, owners included, since v0.17.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state", content = "source")]
pub enum PasswordLogin {
    Enabled,
    Disabled(String),
    /// Set from a Secret, ConfigMap or `envFrom`: unknown from the spec.
    Unknown(String),
}

impl From<server_options::PasswordAuth> for PasswordLogin {
    fn from(auth: server_options::PasswordAuth) -> PasswordLogin {
        match auth {
            server_options::PasswordAuth::Disabled(source) => PasswordLogin::Disabled(source),
            server_options::PasswordAuth::Enabled => PasswordLogin::Enabled,
            server_options::PasswordAuth::Unreadable(why) => PasswordLogin::Unknown(why),
        }
    }
}

impl PasswordLogin {
    /// One line for `status`.
    pub fn describe(&self) -> String {
        match self {
            PasswordLogin::Enabled => "password login is on".into(),
            PasswordLogin::Disabled(source) => format!(
                "password login is OFF ({source}): no one can sign in with a password, owners included"
            ),
            PasswordLogin::Unknown(source) => {
                format!("password login may be off: {source}")
            }
        }
    }
}

/// The environment variable that gives Coder v2 its database.
pub const DATABASE_URL_ENV: &str = "CODER_PG_CONNECTION_URL";
const DISABLE_PASSWORD_AUTH_ENV: &str = "CODER_DISABLE_PASSWORD_AUTH";
const SUPER_ADMIN_PASSWORD_ENV: &str = "SUPER_ADMIN_PASSWORD";
/// Coder v2's external URL, which helm/coder's values put in `coder.env` (helm/coder/README.md,
/// values.yaml); Coder v1's chart keeps its access URL in the dashboard's settings instead,
/// so for v1 it is there only when someone added it.
const ACCESS_URL_ENV: &str = "CODER_ACCESS_URL";

/// Reads the facts from the server container (`default_binary` is the generation's).
pub fn server_spec(container: &Container, default_binary: &str) -> ServerSpec {
    let env = container.env.as_deref().unwrap_or_default();
    let env_from = env_from_sources(container);
    let find = |name: &str| env.iter().find(|e| e.name == name);
    let binary = match container.command.as_deref().and_then(|c| c.first()) {
        Some(first) if first.starts_with('/') && first.ends_with(&format!("/{default_binary}")) => {
            first.clone()
        }
        _ => default_binary.to_string(),
    };
    let database = match find(DATABASE_URL_ENV) {
        Some(var) => Database::External(origin(var)),
        None if !env_from.is_empty() => Database::MaybeEnvFrom(format!(
            "{DATABASE_URL_ENV} is not in env; it may come from envFrom ({})",
            env_from.join(", ")
        )),
        None => Database::NotSet,
    };
    let from_env = match find(DISABLE_PASSWORD_AUTH_ENV) {
        // Go's strconv.ParseBool, as the flag is read.
        Some(EnvVar {
            value: Some(value), ..
        }) if server_options::parse_bool(value) == Some(true) => Some(PasswordLogin::Disabled(
            format!("{DISABLE_PASSWORD_AUTH_ENV}={value}"),
        )),
        Some(var) if var.value_from.is_some() => Some(PasswordLogin::Unknown(origin(var))),
        Some(_) => Some(PasswordLogin::Enabled),
        None if !env_from.is_empty() => Some(PasswordLogin::Unknown(format!(
            "{DISABLE_PASSWORD_AUTH_ENV} may come from envFrom ({})",
            env_from.join(", ")
        ))),
        None => None,
    };
    let command_line: Vec<String> = container
        .command
        .iter()
        .flatten()
        .chain(container.args.iter().flatten())
        .cloned()
        .collect();
    // serpent's order: a flag, then the environment, then the YAML config file.
    let mut config_file = None;
    let password_login = match (
        server_options::password_login_from_flag(&command_line).map(PasswordLogin::from),
        from_env,
    ) {
        (Some(login), _) | (None, Some(login)) => login,
        (None, None) => match config_path(&command_line, find(server_options::CONFIG_ENV)) {
            Some(Ok(path)) => {
                let login = PasswordLogin::Unknown(format!(
                    "networking.http.disablePasswordAuth may be set in the config file {path}"
                ));
                config_file = Some(path);
                login
            }
            Some(Err(source)) => PasswordLogin::Unknown(format!(
                "networking.http.disablePasswordAuth may be set in the config file named by {source}"
            )),
            None => PasswordLogin::Enabled,
        },
    };
    ServerSpec {
        binary,
        database,
        password_login,
        config_file,
        super_admin_password: find(SUPER_ADMIN_PASSWORD_ENV).map(origin),
        api_port: container
            .ports
            .iter()
            .flatten()
            .find(|p| {
                p.name
                    .as_deref()
                    .is_some_and(|n| crate::coder::v1_api::PORT_NAMES.contains(&n))
            })
            .and_then(|p| u16::try_from(p.container_port).ok()),
        access_url: find(ACCESS_URL_ENV).and_then(|var| access_url(var.value.as_deref()?)),
    }
}

/// The server's config file: `--config`/`-c`, else `CODER_CONFIG_PATH` set in the spec
/// (`Err`: where it comes from, when the spec does not hold the path itself). serpent
/// (command.go) sets options from the environment, then from the flags, and reads no file for
/// an empty path: so `--config=` means no file whatever the environment says.
fn config_path(command_line: &[String], env: Option<&EnvVar>) -> Option<Result<String, String>> {
    let flag = server_options::flag_value(
        command_line,
        server_options::CONFIG_FLAG,
        Some(server_options::CONFIG_SHORT),
        false,
    );
    match (flag, env) {
        (Some(path), _) => (!path.is_empty()).then_some(Ok(path)),
        (
            _,
            Some(EnvVar {
                value: Some(path), ..
            }),
        ) if !path.is_empty() => Some(Ok(path.clone())),
        (_, Some(var)) if var.value_from.is_some() => Some(Err(origin(var))),
        _ => None,
    }
}

/// An access URL worth showing: http(s), one line, no credentials in it.
fn access_url(value: &str) -> Option<String> {
    let value = value.trim().trim_end_matches('/');
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    let plain = !host.is_empty()
        && !host.contains('@')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    plain.then(|| value.to_string())
}

/// `NAME (from secret S, key K)`, `NAME (set in the pod spec)`: never the value.
fn origin(var: &EnvVar) -> String {
    let Some(source) = &var.value_from else {
        return format!("{} (set in the pod spec)", var.name);
    };
    if let Some(s) = &source.secret_key_ref {
        return format!("{} (from secret {}, key {})", var.name, s.name, s.key);
    }
    if let Some(c) = &source.config_map_key_ref {
        return format!("{} (from configmap {}, key {})", var.name, c.name, c.key);
    }
    format!("{} (from the pod's fields or resources)", var.name)
}

/// `secret NAME`, `configmap NAME` for each `envFrom` source.
fn env_from_sources(container: &Container) -> Vec<String> {
    container
        .env_from
        .iter()
        .flatten()
        .map(|source| {
            let prefix = source
                .prefix
                .as_deref()
                .map(|p| format!(" with prefix {p}"))
                .unwrap_or_default();
            match (&source.secret_ref, &source.config_map_ref) {
                (Some(s), _) => format!("secret {}{prefix}", s.name),
                (_, Some(c)) => format!("configmap {}{prefix}", c.name),
                _ => format!("a source{prefix}"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        EnvFromSource, EnvVarSource, SecretEnvSource, SecretKeySelector,
    };

    fn var(name: &str, value: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: Some(value.into()),
            value_from: None,
        }
    }

    fn from_secret(name: &str, secret: &str, key: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: None,
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: secret.into(),
                    key: key.into(),
                    optional: None,
                }),
                ..Default::default()
            }),
        }
    }

    fn container(command: &[&str], env: Vec<EnvVar>, env_from: Option<&str>) -> Container {
        Container {
            name: "coder".into(),
            command: (!command.is_empty()).then(|| command.iter().map(|c| c.to_string()).collect()),
            env: Some(env),
            env_from: env_from.map(|s| {
                vec![EnvFromSource {
                    secret_ref: Some(SecretEnvSource {
                        name: s.into(),
                        optional: None,
                    }),
                    ..Default::default()
                }]
            }),
            ..Default::default()
        }
    }

    #[test]
    fn binary_table() {
        for (command, want) in [
            (&["/opt/coder"][..], "/opt/coder"),
            (&["/usr/local/bin/coder", "server"], "/usr/local/bin/coder"),
            (&["coder"], "coder"),
            (&["/bin/sh", "-c", "coder server"], "coder"),
            (&["/opt/coder-wrapper"], "coder"),
            (&[], "coder"),
        ] {
            assert_eq!(
                server_spec(&container(command, vec![], None), "coder").binary,
                want,
                "{command:?}"
            );
        }
    }

    #[test]
    fn database_table() {
        let table = [
            (
                vec![from_secret(DATABASE_URL_ENV, "coder-db-url", "url")],
                None,
                Database::External(
                    "CODER_PG_CONNECTION_URL (from secret coder-db-url, key url)".into(),
                ),
            ),
            (
                vec![var(DATABASE_URL_ENV, "postgres://u:secret@db/coder")],
                None,
                Database::External("CODER_PG_CONNECTION_URL (set in the pod spec)".into()),
            ),
            (
                vec![],
                Some("coder-env"),
                Database::MaybeEnvFrom(
                    "CODER_PG_CONNECTION_URL is not in env; it may come from envFrom (secret coder-env)".into(),
                ),
            ),
            (vec![var("CODER_HTTP_ADDRESS", "0.0.0.0:8080")], None, Database::NotSet),
        ];
        for (env, env_from, want) in table {
            let spec = server_spec(&container(&[], env, env_from), "coder");
            assert_eq!(spec.database, want);
            // Never the value.
            assert!(!format!("{:?}", spec.database).contains("secret@db"));
        }
    }

    #[test]
    fn password_login_table() {
        let table = [
            (vec![], None, PasswordLogin::Enabled),
            (
                vec![var("CODER_DISABLE_PASSWORD_AUTH", "true")],
                None,
                PasswordLogin::Disabled("CODER_DISABLE_PASSWORD_AUTH=true".into()),
            ),
            (
                vec![var("CODER_DISABLE_PASSWORD_AUTH", "false")],
                None,
                PasswordLogin::Enabled,
            ),
            (
                vec![from_secret(
                    "CODER_DISABLE_PASSWORD_AUTH",
                    "flags",
                    "disable",
                )],
                None,
                PasswordLogin::Unknown(
                    "CODER_DISABLE_PASSWORD_AUTH (from secret flags, key disable)".into(),
                ),
            ),
            (
                vec![],
                Some("coder-env"),
                PasswordLogin::Unknown(
                    "CODER_DISABLE_PASSWORD_AUTH may come from envFrom (secret coder-env)".into(),
                ),
            ),
        ];
        for (env, env_from, want) in table {
            assert_eq!(
                server_spec(&container(&[], env, env_from), "coder").password_login,
                want
            );
        }
    }

    /// serpent's order: a flag over the environment over the YAML config file, which is
    /// left to be read in the pod only when nothing else decides.
    #[test]
    fn password_login_sources_in_order() {
        let with_args = |args: &[&str], env: Vec<EnvVar>| {
            let mut c = container(&["/opt/coder"], env, None);
            c.args = Some(args.iter().map(|a| a.to_string()).collect());
            server_spec(&c, "coder")
        };
        let disabled_env = || vec![var("CODER_DISABLE_PASSWORD_AUTH", "true")];
        let flag = with_args(&["server", "--disable-password-auth=false"], disabled_env());
        assert_eq!(flag.password_login, PasswordLogin::Enabled);
        let flag = with_args(&["server", "--disable-password-auth"], vec![]);
        assert_eq!(
            flag.password_login,
            PasswordLogin::Disabled("--disable-password-auth in the container's args".into())
        );
        let env_over_file = with_args(&["server", "--config", "/etc/c.yaml"], disabled_env());
        assert_eq!(
            env_over_file.password_login,
            PasswordLogin::Disabled("CODER_DISABLE_PASSWORD_AUTH=true".into())
        );
        assert_eq!(env_over_file.config_file, None);
        let file = with_args(&["server", "-c", "/etc/c.yaml"], vec![]);
        assert_eq!(file.config_file.as_deref(), Some("/etc/c.yaml"));
        assert_eq!(
            file.password_login,
            PasswordLogin::Unknown(
                "networking.http.disablePasswordAuth may be set in the config file /etc/c.yaml"
                    .into()
            )
        );
        let file = with_args(&["server"], vec![var("CODER_CONFIG_PATH", "/etc/env.yaml")]);
        assert_eq!(file.config_file.as_deref(), Some("/etc/env.yaml"));
        let hidden = with_args(
            &["server"],
            vec![from_secret("CODER_CONFIG_PATH", "s", "k")],
        );
        assert_eq!(hidden.config_file, None);
        // An empty path reads no file (serpent's command.go), and the flag's empty value
        // overrides the environment's.
        let no_file = |args: &[&str], env: Vec<EnvVar>| {
            let spec = with_args(args, env);
            assert_eq!(spec.config_file, None, "{args:?}");
            assert_eq!(spec.password_login, PasswordLogin::Enabled, "{args:?}");
        };
        no_file(
            &["server", "--config="],
            vec![var("CODER_CONFIG_PATH", "/etc/env.yaml")],
        );
        no_file(
            &["server", "-c", ""],
            vec![var("CODER_CONFIG_PATH", "/etc/env.yaml")],
        );
        no_file(&["server"], vec![var("CODER_CONFIG_PATH", "")]);
        let mut unset = var("CODER_CONFIG_PATH", "");
        unset.value = None;
        no_file(&["server"], vec![unset]);
        assert_eq!(
            hidden.password_login,
            PasswordLogin::Unknown(
                "networking.http.disablePasswordAuth may be set in the config file named by CODER_CONFIG_PATH (from secret s, key k)"
                    .into()
            )
        );
    }

    #[test]
    fn the_v1_admin_password_secret_is_noticed() {
        let spec = server_spec(
            &container(
                &["coderd", "run"],
                vec![from_secret("SUPER_ADMIN_PASSWORD", "admin-pw", "password")],
                None,
            ),
            "coderd",
        );
        assert_eq!(
            spec.super_admin_password.as_deref(),
            Some("SUPER_ADMIN_PASSWORD (from secret admin-pw, key password)")
        );
        assert_eq!(spec.binary, "coderd");
    }

    #[test]
    fn access_url_table() {
        let cases = [
            (
                vec![var("CODER_ACCESS_URL", "https://coder.example.com")],
                Some("https://coder.example.com"),
            ),
            (
                vec![var("CODER_ACCESS_URL", " http://10.0.0.5:8080/ ")],
                Some("http://10.0.0.5:8080"),
            ),
            // Not a URL a person opens, or one with credentials in it.
            (vec![var("CODER_ACCESS_URL", "coder.example.com")], None),
            (
                vec![var("CODER_ACCESS_URL", "https://user:pw@coder.example.com")],
                None,
            ),
            (vec![var("CODER_ACCESS_URL", "https://")], None),
            (vec![var("CODER_ACCESS_URL", "https://a\nb")], None),
            (
                vec![var("CODER_ACCESS_URL", "https://coder.example.com/a b")],
                None,
            ),
            (
                vec![var(
                    "CODER_ACCESS_URL",
                    "https://coder.example.com/\u{1b}[2J",
                )],
                None,
            ),
            // From a Secret: unknown here.
            (vec![from_secret("CODER_ACCESS_URL", "s", "k")], None),
            // A proxy's or satellite's primary is not where this pod's users sign in.
            (
                vec![var("CODER_PRIMARY_ACCESS_URL", "https://coder.example.com")],
                None,
            ),
            (vec![], None),
        ];
        for (env, want) in cases {
            let spec = server_spec(&container(&[], env.clone(), None), "coder");
            assert_eq!(spec.access_url.as_deref(), want, "{env:?}");
        }
    }

    #[test]
    fn password_login_is_described_for_status() {
        assert_eq!(PasswordLogin::Enabled.describe(), "password login is on");
        assert_eq!(
            PasswordLogin::Disabled("CODER_DISABLE_PASSWORD_AUTH=true".into()).describe(),
            "password login is OFF (CODER_DISABLE_PASSWORD_AUTH=true): no one can sign in with a password, owners included"
        );
        assert_eq!(
            PasswordLogin::Unknown("from secret s".into()).describe(),
            "password login may be off: from secret s"
        );
    }

    #[test]
    fn env_from_names_secrets_and_configmaps() {
        use k8s_openapi::api::core::v1::ConfigMapEnvSource;
        let mut c = container(&[], vec![], None);
        c.env_from = Some(vec![
            EnvFromSource {
                config_map_ref: Some(ConfigMapEnvSource {
                    name: "coder-env".into(),
                    optional: None,
                }),
                prefix: Some("CODER_".into()),
                secret_ref: None,
            },
            EnvFromSource::default(),
        ]);
        assert_eq!(
            env_from_sources(&c),
            ["configmap coder-env with prefix CODER_", "a source"]
        );
    }
}
