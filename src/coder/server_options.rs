//! Where `coder server` reads whether password login is off: its flags, its environment and
//! its YAML config file, in serpent's order (flag, then environment, then YAML: serpent's
//! yaml.go sets an option from YAML only when no other source did). The option is
//! `--disable-password-auth` / `CODER_DISABLE_PASSWORD_AUTH` / YAML
//! `networking.http.disablePasswordAuth`; the file is `--config`/`-c` or `CODER_CONFIG_PATH`
//! (codersdk/deployment.go). Pure: the file's text is read in the pod by the caller.

/// What one source says about `disable-password-auth` (spec.rs turns it into
/// `PasswordLogin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordAuth {
    /// Turned off, and where.
    Disabled(String),
    Enabled,
    /// Set, but not to a value we can read: why.
    Unreadable(String),
}

/// The flag that turns password login off.
pub const DISABLE_PASSWORD_AUTH_FLAG: &str = "disable-password-auth";
/// The config file's flag and its one-letter form.
pub const CONFIG_FLAG: &str = "config";
pub const CONFIG_SHORT: char = 'c';
/// The config file's environment variable.
pub const CONFIG_ENV: &str = "CODER_CONFIG_PATH";

/// Go's `strconv.ParseBool`, as pflag and serpent read a bool.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// The last value the command line gives a flag, as pflag reads it: `--name=V`, `--name V`
/// (`--name` alone for a bool flag, whose value then is `true`), `-cV`, `-c V`, `-c=V`;
/// nothing after `--`.
pub fn flag_value(
    argv: &[String],
    long: &str,
    short: Option<char>,
    boolean: bool,
) -> Option<String> {
    let mut value = None;
    let mut words = argv.iter();
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        let rest = if let Some(rest) = word.strip_prefix("--") {
            rest.strip_prefix(long)
        } else if let (Some(short), Some(rest)) = (short, word.strip_prefix('-')) {
            rest.strip_prefix(short)
        } else {
            None
        };
        let Some(rest) = rest else {
            continue;
        };
        if let Some(inline) = rest.strip_prefix('=') {
            value = Some(inline.to_string());
        } else if rest.is_empty() {
            value = if boolean {
                Some("true".to_string())
            } else {
                words.next().cloned()
            };
        } else if !word.starts_with("--") && !boolean {
            // `-cPATH`
            value = Some(rest.to_string());
        }
    }
    value
}

/// Password login as `--disable-password-auth` in the container's command line sets it.
pub fn password_login_from_flag(argv: &[String]) -> Option<PasswordAuth> {
    let value = flag_value(argv, DISABLE_PASSWORD_AUTH_FLAG, None, true)?;
    let source = if value == "true" {
        format!("--{DISABLE_PASSWORD_AUTH_FLAG} in the container's args")
    } else {
        format!("--{DISABLE_PASSWORD_AUTH_FLAG}={value} in the container's args")
    };
    Some(match parse_bool(&value) {
        Some(true) => PasswordAuth::Disabled(source),
        Some(false) => PasswordAuth::Enabled,
        None => PasswordAuth::Unreadable(format!("{source} is not a boolean")),
    })
}

/// Password login as the server's YAML config file at `path` sets it.
pub fn password_login_from_config(yaml: &str, path: &str) -> PasswordAuth {
    let key = "networking.http.disablePasswordAuth";
    let value: serde_json::Value = match serde_saphyr::from_str(yaml) {
        Ok(value) => value,
        Err(_) => {
            return PasswordAuth::Unreadable(format!(
                "the config file {path} is not YAML we can read"
            ));
        }
    };
    let set = &value["networking"]["http"]["disablePasswordAuth"];
    let disabled = match set {
        serde_json::Value::Null => Some(false),
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => parse_bool(s),
        _ => None,
    };
    match disabled {
        Some(true) => PasswordAuth::Disabled(format!("{key}: {set} in the config file {path}")),
        Some(false) => PasswordAuth::Enabled,
        None => {
            PasswordAuth::Unreadable(format!("{key} in the config file {path} is not a boolean"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags_as_pflag_reads_them() {
        let config = |line: &str| flag_value(&words(line), CONFIG_FLAG, Some(CONFIG_SHORT), false);
        assert_eq!(
            config("server --config /etc/c.yaml").as_deref(),
            Some("/etc/c.yaml")
        );
        assert_eq!(
            config("server --config=/etc/c.yaml").as_deref(),
            Some("/etc/c.yaml")
        );
        assert_eq!(config("server -c /a -c=/b").as_deref(), Some("/b"));
        assert_eq!(config("server -c/a").as_deref(), Some("/a"));
        assert_eq!(config("server --configx /a"), None);
        assert_eq!(config("server -- --config /a"), None);
        assert_eq!(config("server"), None);

        let table = [
            ("server", None),
            (
                "/opt/coder server --disable-password-auth",
                Some(PasswordAuth::Disabled(
                    "--disable-password-auth in the container's args".into(),
                )),
            ),
            (
                "server --disable-password-auth=True",
                Some(PasswordAuth::Disabled(
                    "--disable-password-auth=True in the container's args".into(),
                )),
            ),
            // The last one wins; a bool flag takes no separate word.
            (
                "server --disable-password-auth --disable-password-auth=false",
                Some(PasswordAuth::Enabled),
            ),
            (
                "server --disable-password-auth false",
                Some(PasswordAuth::Disabled(
                    "--disable-password-auth in the container's args".into(),
                )),
            ),
            (
                "server --disable-password-auth=yes",
                Some(PasswordAuth::Unreadable(
                    "--disable-password-auth=yes in the container's args is not a boolean".into(),
                )),
            ),
            ("server --disable-password-authx", None),
        ];
        for (line, want) in table {
            assert_eq!(password_login_from_flag(&words(line)), want, "{line}");
        }
    }

    #[test]
    fn the_config_file() {
        let path = "/etc/coder/config.yaml";
        let table = [
            ("", PasswordAuth::Enabled),
            ("networking:\n  accessURL: https://coder.example.com\n", PasswordAuth::Enabled),
            (
                "networking:\n  http:\n    disablePasswordAuth: true\n",
                PasswordAuth::Disabled(
                    "networking.http.disablePasswordAuth: true in the config file /etc/coder/config.yaml".into(),
                ),
            ),
            (
                "networking:\n  http:\n    disablePasswordAuth: false\n",
                PasswordAuth::Enabled,
            ),
            (
                "networking:\n  http:\n    disablePasswordAuth: \"1\"\n",
                PasswordAuth::Disabled(
                    "networking.http.disablePasswordAuth: \"1\" in the config file /etc/coder/config.yaml".into(),
                ),
            ),
            (
                "networking:\n  http:\n    disablePasswordAuth: [1]\n",
                PasswordAuth::Unreadable(
                    "networking.http.disablePasswordAuth in the config file /etc/coder/config.yaml is not a boolean".into(),
                ),
            ),
            (
                "networking: [\n",
                PasswordAuth::Unreadable(
                    "the config file /etc/coder/config.yaml is not YAML we can read".into(),
                ),
            ),
        ];
        for (yaml, want) in table {
            assert_eq!(password_login_from_config(yaml, path), want, "{yaml}");
        }
    }
}
