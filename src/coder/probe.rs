//! What `status` looks up inside a Coder v2 pod when the spec cannot tell: whether the
//! built-in PostgreSQL has been set up, and which version the binary is. One read-only
//! command; it needs a shell only to find the config directory as Coder does ($HOME and
//! the XDG variables come from the image, not the pod spec).

use serde::Serialize;

use crate::coder::spec::Database;
use crate::kube::transcript::{Stream, Transcript};
use crate::text;

/// Looks for the built-in database's password file where `coder server` keeps it
/// (cli/server.go: `<config dir>/postgres/password`, config dir `$CODER_CONFIG_DIR` or
/// `~/.config/coderv2`), then asks `"$0" version` (cli/version.go, in every v2 release, which
/// reads nothing from the network). Never `postgres-builtin-url`: it creates the file.
pub const PROBE_SCRIPT: &str = r#"dir=${CODER_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/coderv2}
if [ -f "$dir/postgres/password" ]; then echo "builtin-database: yes"; else echo "builtin-database: no"; fi
"$0" version"#;

/// `sh -c PROBE_SCRIPT BINARY`.
pub fn probe_argv(binary: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), PROBE_SCRIPT.into(), binary.into()]
}

/// What the probe found; `None` where it said nothing we understood.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Found {
    pub builtin_database: Option<bool>,
    /// `v2.16.1`, from `Coder v2.16.1+abc123 Tue Oct 1 ...`.
    pub version: Option<String>,
}

/// Reads the probe's stdout: the marker line and the first `Coder v…` line.
pub fn read(transcript: &Transcript) -> Found {
    let mut found = Found::default();
    for line in transcript.lines_of(Stream::Stdout) {
        let line = text::plain(&line.text);
        let line = line.trim();
        match line.strip_prefix("builtin-database: ") {
            Some("yes") => found.builtin_database = Some(true),
            Some("no") => found.builtin_database = Some(false),
            _ => {}
        }
        if found.version.is_none() {
            found.version = line
                .strip_prefix("Coder ")
                .and_then(|rest| rest.split_whitespace().next())
                .map(|v| v.split('+').next().unwrap_or(v))
                .filter(|v| is_version(v))
                .map(str::to_string);
        }
    }
    found
}

/// Where a Coder v2 reset will find its database, as `status` tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum DatabaseStatus {
    /// `CODER_PG_CONNECTION_URL` is in the container's env: where from (never the value).
    External { source: String },
    /// Not in env; the container's `envFrom` sources may set it.
    #[serde(rename = "envFrom")]
    MaybeEnvFrom { source: String },
    /// No URL in the spec, and the built-in PostgreSQL has been set up in the pod.
    BuiltIn,
    /// No URL in the spec and no built-in PostgreSQL: a reset cannot reach a database.
    None,
    /// No URL in the spec, and the pod could not be looked into.
    Unknown { reason: String },
}

/// Puts the spec and what the probe found (or why it could not run) together.
pub fn database_status(spec: &Database, probe: Result<&Found, &str>) -> DatabaseStatus {
    match spec {
        Database::External(source) => DatabaseStatus::External {
            source: source.clone(),
        },
        Database::MaybeEnvFrom(source) => DatabaseStatus::MaybeEnvFrom {
            source: source.clone(),
        },
        Database::NotSet => match probe.map(|f| f.builtin_database) {
            Ok(Some(true)) => DatabaseStatus::BuiltIn,
            Ok(Some(false)) => DatabaseStatus::None,
            Ok(None) => DatabaseStatus::Unknown {
                reason: "no database URL in the pod spec, and the look for the built-in PostgreSQL gave no answer".into(),
            },
            Err(reason) => DatabaseStatus::Unknown {
                reason: format!("no database URL in the pod spec; {reason}"),
            },
        },
    }
}

impl DatabaseStatus {
    /// One line for the text table.
    pub fn describe(&self) -> String {
        match self {
            DatabaseStatus::External { source } => format!("external, {source}"),
            DatabaseStatus::MaybeEnvFrom { source } => format!("external?, {source}"),
            DatabaseStatus::BuiltIn => {
                "built-in PostgreSQL (a reset runs with its URL, from coder server postgres-builtin-url)"
                    .into()
            }
            DatabaseStatus::None => {
                "none: no CODER_PG_CONNECTION_URL and no built-in PostgreSQL in the pod".into()
            }
            DatabaseStatus::Unknown { reason } => format!("unknown: {reason}"),
        }
    }
}

/// `v2.16.1`, `v2.20.0-rc.1`, `v0.27.3-devel`: a `v` and dotted numbers, then anything
/// printable without spaces.
fn is_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let core = rest.split('-').next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()))
        && v.len() <= 64
        && v.chars().all(|c| c.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(stdout: &str) -> Found {
        read(&Transcript::of(stdout.as_bytes(), b""))
    }

    #[test]
    fn reads_the_marker_and_the_version() {
        let cases: &[(&str, Option<bool>, Option<&str>)] = &[
            (
                "builtin-database: yes\nCoder v2.16.1+1d3a5e2 Tue Oct  1 10:00:00 UTC 2024\r\nhttps://github.com/coder/coder/commit/1d3a5e2\r\n\r\nFull build of Coder, supports the server subcommand.\r\n",
                Some(true),
                Some("v2.16.1"),
            ),
            ("builtin-database: no\n", Some(false), None),
            (
                "builtin-database: no\nCoder v2.20.0-rc.1+abc Mon\n",
                Some(false),
                Some("v2.20.0-rc.1"),
            ),
            // What a shell without the binary, or a pod of something else, may say.
            ("sh: coder: not found\n", None, None),
            ("builtin-database: maybe\nCoder version\n", None, None),
            ("Coder vX.Y.Z\n", None, None),
            ("Coder v2.1\n", None, None),
            // A second version line does not replace the first.
            ("Coder v2.3.0+a\nCoder v9.9.9+b\n", None, Some("v2.3.0")),
            // Colour and escapes are not part of it.
            ("\x1b[1mCoder v2.13.0+x\x1b[0m d\n", None, Some("v2.13.0")),
        ];
        for (stdout, database, version) in cases {
            assert_eq!(
                found(stdout),
                Found {
                    builtin_database: *database,
                    version: version.map(str::to_string),
                },
                "{stdout:?}"
            );
        }
    }

    #[test]
    fn database_status_from_spec_and_probe() {
        let yes = Found {
            builtin_database: Some(true),
            version: None,
        };
        let no = Found {
            builtin_database: Some(false),
            version: None,
        };
        let silent = Found::default();
        let external =
            Database::External("CODER_PG_CONNECTION_URL (from secret db, key url)".into());
        let cases: Vec<(Database, Result<&Found, &str>, DatabaseStatus)> = vec![
            // The spec wins: a built-in database left over in the pod is not used.
            (
                external.clone(),
                Ok(&yes),
                DatabaseStatus::External {
                    source: "CODER_PG_CONNECTION_URL (from secret db, key url)".into(),
                },
            ),
            (
                Database::MaybeEnvFrom("from envFrom".into()),
                Err("x"),
                DatabaseStatus::MaybeEnvFrom {
                    source: "from envFrom".into(),
                },
            ),
            (Database::NotSet, Ok(&yes), DatabaseStatus::BuiltIn),
            (Database::NotSet, Ok(&no), DatabaseStatus::None),
            (
                Database::NotSet,
                Ok(&silent),
                DatabaseStatus::Unknown {
                    reason: "no database URL in the pod spec, and the look for the built-in PostgreSQL gave no answer".into(),
                },
            ),
            (
                Database::NotSet,
                Err("exec is not allowed"),
                DatabaseStatus::Unknown {
                    reason: "no database URL in the pod spec; exec is not allowed".into(),
                },
            ),
        ];
        for (spec, probe, want) in cases {
            assert_eq!(database_status(&spec, probe), want, "{spec:?}");
        }
        let json = serde_json::to_value(DatabaseStatus::BuiltIn).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "builtIn"}));
        let json = serde_json::to_value(database_status(&external, Err(""))).unwrap();
        assert_eq!(json["kind"], "external");
        let json =
            serde_json::to_value(DatabaseStatus::MaybeEnvFrom { source: "s".into() }).unwrap();
        assert_eq!(json["kind"], "envFrom");
    }

    #[test]
    fn the_probe_puts_the_binary_in_dollar_zero_and_never_asks_for_the_url() {
        let argv = probe_argv("/opt/coder");
        assert_eq!(argv[..2], ["sh", "-c"]);
        assert_eq!(argv[3], "/opt/coder");
        assert!(!PROBE_SCRIPT.contains("postgres-builtin-url"));
    }
}
