//! What a Coder server container's spec says about the reset to come, without running
//! anything: which binary to call, where the database URL comes from, whether password
//! login is disabled, and (v1) whether a secret sets the admin password at start.

use k8s_openapi::api::core::v1::{Container, EnvVar};
use serde::Serialize;

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
    let password_login = match find(DISABLE_PASSWORD_AUTH_ENV) {
        // Go's strconv.ParseBool, as the flag is read.
        Some(EnvVar {
            value: Some(value), ..
        }) if matches!(value.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True") => {
            PasswordLogin::Disabled(format!("{DISABLE_PASSWORD_AUTH_ENV}={value}"))
        }
        Some(var) if var.value_from.is_some() => PasswordLogin::Unknown(origin(var)),
        Some(_) => PasswordLogin::Enabled,
        None if !env_from.is_empty() => PasswordLogin::Unknown(format!(
            "{DISABLE_PASSWORD_AUTH_ENV} may come from envFrom ({})",
            env_from.join(", ")
        )),
        None => PasswordLogin::Enabled,
    };
    ServerSpec {
        binary,
        database,
        password_login,
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
    }
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
