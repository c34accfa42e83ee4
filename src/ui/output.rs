//! What we print. Data (credentials, status, JSON/YAML) goes to stdout alone; notes and
//! diagnostics to stderr. Field names in JSON/YAML are stable and documented in the README.

use std::borrow::Cow;
use std::io::Write;

use console::Style;
use serde::{Serialize, Serializer};
use zeroize::Zeroizing;

use crate::coder::action::Action;
use crate::coder::password::Secret;
use crate::coder::target::{Generation, Target};

/// How data on stdout is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Yaml,
}

/// Writes to stdout; a closed pipe (`| head`) is not an error: the reader has what it wanted.
pub fn stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// One line of diagnostics on stderr.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// `--verbose` lines on stderr. Callers never pass a secret.
#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    pub enabled: bool,
}

impl Log {
    pub fn line(&self, line: &str) {
        if self.enabled {
            note(&format!("kubectl-coder: {line}"));
        }
    }
}

fn structured<T: Serialize>(format: OutputFormat, value: &T) -> Option<String> {
    match format {
        OutputFormat::Text => None,
        OutputFormat::Json => {
            Some(serde_json::to_string_pretty(value).expect("plain data serialises") + "\n")
        }
        OutputFormat::Yaml => Some(serde_yaml_ng::to_string(value).expect("plain data serialises")),
    }
}

/// Where a command ran, shared by every report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Place<'a> {
    pub context: Option<&'a str>,
    pub namespace: &'a str,
    pub pod: &'a str,
    pub container: &'a str,
    pub generation: Generation,
}

impl<'a> Place<'a> {
    pub fn new(context: Option<&'a str>, target: &'a Target) -> Place<'a> {
        Place {
            context,
            namespace: &target.namespace,
            pod: &target.pod,
            container: &target.container,
            generation: target.generation,
        }
    }
}

/// A password to show: the one we sent (borrowed), or the one Coder printed.
#[derive(Debug)]
pub enum ShownPassword<'a> {
    Sent(&'a Secret),
    Received(Secret),
}

impl ShownPassword<'_> {
    pub fn expose(&self) -> &str {
        match self {
            ShownPassword::Sent(secret) => secret.expose(),
            ShownPassword::Received(secret) => secret.expose(),
        }
    }
}

impl Serialize for ShownPassword<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

/// The result of a reset or a new user.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsReport<'a> {
    pub action: Action,
    pub username: Option<Cow<'a, str>>,
    pub password: Option<ShownPassword<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    /// Meant to be replaced by its user soon.
    pub temporary: bool,
    /// Coder itself forces a new password at the next login (v1 only).
    pub must_change_at_next_login: bool,
    /// False when the command succeeded but its output was not understood.
    pub output_understood: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_output: Option<String>,
    /// Set when the command may or may not have finished: how it ended instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
    #[serde(flatten)]
    pub place: Place<'a>,
}

/// The report as text; it holds the password, so it is zeroed when dropped.
pub fn render_credentials(
    format: OutputFormat,
    report: &CredentialsReport,
    colour: bool,
) -> Zeroizing<String> {
    Zeroizing::new(render_credentials_text(format, report, colour))
}

fn render_credentials_text(
    format: OutputFormat,
    report: &CredentialsReport,
    colour: bool,
) -> String {
    if let Some(text) = structured(format, report) {
        return text;
    }
    if !report.output_understood || report.incomplete.is_some() {
        // The raw output, then the password we sent: a reset that may have happened is shown.
        let mut text = report.raw_output.clone().unwrap_or_default();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        if let Some(ShownPassword::Sent(password)) = &report.password {
            text.push_str(&format!("Password sent: {}\n", password.expose()));
        }
        return text;
    }
    let bold = Style::new().bold().force_styling(colour);
    let place = &report.place;
    let mut text = String::new();
    let what = match report.action {
        Action::CreateAdminUser => "Owner created",
        Action::ResetAdminPassword | Action::ResetPassword => "Password reset",
    };
    text.push_str(&format!(
        "{what} on {} in pod {}/{}{}.\n\n",
        place.generation.label(),
        place.namespace,
        place.pod,
        place
            .context
            .map(|c| format!(" (context {c})"))
            .unwrap_or_default(),
    ));
    if let Some(username) = &report.username {
        text.push_str(&format!("  Username:  {}\n", bold.apply_to(username)));
    }
    if let Some(email) = report.email {
        text.push_str(&format!("  Email:     {email}\n"));
    }
    if let Some(password) = &report.password {
        text.push_str(&format!(
            "  Password:  {}\n",
            bold.apply_to(password.expose())
        ));
    }
    text.push('\n');
    text.push_str(if report.must_change_at_next_login {
        "This password is temporary: Coder asks for a new one at the next login.\n"
    } else if report.temporary {
        "Coder v2 does not force a change at the next login: sign in and change it under Account > Security.\n"
    } else {
        "Coder v2 does not force a change at the next login.\n"
    });
    text
}

/// What `--dry-run` shows: never a password.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRunReport<'a> {
    pub dry_run: bool,
    pub action: Action,
    #[serde(flatten)]
    pub place: Place<'a>,
    pub command: &'a [String],
    /// What would be sent on stdin, described.
    pub stdin: Option<&'static str>,
}

pub fn render_dry_run(format: OutputFormat, report: &DryRunReport) -> String {
    if let Some(text) = structured(format, report) {
        return text;
    }
    let place = &report.place;
    let mut text = format!(
        "Would run in pod {}/{} (container {}, {}{}):\n  {}\n",
        place.namespace,
        place.pod,
        place.container,
        place.generation.label(),
        place
            .context
            .map(|c| format!(", context {c}"))
            .unwrap_or_default(),
        report.command.join(" "),
    );
    if let Some(stdin) = report.stdin {
        text.push_str(&format!("with stdin: {stdin}\n"));
    }
    text.push_str("Nothing was changed (--dry-run).\n");
    text
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport<'a> {
    pub context: Option<&'a str>,
    pub cluster: &'a str,
    pub namespace: &'a str,
    pub config_source: String,
    pub pod: Option<PodStatus<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_problem: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus<'a> {
    pub name: &'a str,
    pub container: &'a str,
    pub generation: Generation,
    pub detected_by: &'a str,
    pub image: Option<&'a str>,
    pub version: Option<&'a str>,
    pub exec: ExecAccess,
}

/// The answers of two SelfSubjectAccessReviews on `pods/exec`.
#[derive(Debug, Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct ExecAccess {
    pub get: Option<bool>,
    pub create: Option<bool>,
}

impl ExecAccess {
    pub fn summary(&self) -> &'static str {
        match (self.get, self.create) {
            (Some(true), Some(true)) => "yes (get and create on pods/exec)",
            (Some(true), Some(false)) => {
                "on Kubernetes before 1.35 only (get on pods/exec, but not create)"
            }
            (Some(false), _) => "no: get on pods/exec is not allowed",
            _ => "unknown (the access review could not be made)",
        }
    }
}

pub fn render_status(format: OutputFormat, report: &StatusReport) -> String {
    if let Some(text) = structured(format, report) {
        return text;
    }
    let mut text = String::new();
    let mut row = |k: &str, v: &str| text.push_str(&format!("{:<11}{v}\n", format!("{k}:")));
    row("Context", report.context.unwrap_or("(in-cluster)"));
    row("Cluster", report.cluster);
    row("Namespace", report.namespace);
    row("Config", &report.config_source);
    match &report.pod {
        Some(pod) => {
            row(
                "Pod",
                &format!("{} (container {})", pod.name, pod.container),
            );
            let version = pod.version.map(|v| format!(" {v}")).unwrap_or_default();
            row(
                "Coder",
                &format!(
                    "{}{version} (detected by {})",
                    pod.generation.label(),
                    pod.detected_by
                ),
            );
            if let Some(image) = pod.image {
                row("Image", image);
            }
            row("Can exec", pod.exec.summary());
        }
        None => row("Pod", report.pod_problem.as_deref().unwrap_or("none found")),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            namespace: "coder".into(),
            pod: "coderd-1".into(),
            container: "coderd".into(),
            generation: Generation::V1,
            detected_by: "label".into(),
            image: None,
            version: None,
        }
    }

    fn report<'a>(target: &'a Target, password: Option<&str>) -> CredentialsReport<'a> {
        CredentialsReport {
            action: Action::ResetAdminPassword,
            username: Some("admin".into()),
            password: password.map(|p| ShownPassword::Received(Secret::from(p.to_string()))),
            email: None,
            temporary: true,
            must_change_at_next_login: true,
            output_understood: password.is_some(),
            raw_output: password.is_none().then(|| "raw text\n".to_string()),
            incomplete: None,
            place: Place::new(Some("prod"), target),
        }
    }

    #[test]
    fn json_field_names_are_stable() {
        let t = target();
        let json: serde_json::Value = serde_json::from_str(&render_credentials(
            OutputFormat::Json,
            &report(&t, Some("pw")),
            false,
        ))
        .unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "action",
                "container",
                "context",
                "generation",
                "mustChangeAtNextLogin",
                "namespace",
                "outputUnderstood",
                "password",
                "pod",
                "temporary",
                "username"
            ]
        );
        assert_eq!(json["generation"], "v1");
    }

    #[test]
    fn yaml_reads_back() {
        let t = target();
        let yaml = render_credentials(OutputFormat::Yaml, &report(&t, Some("pw")), false);
        let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&yaml).unwrap();
        assert_eq!(value["password"].as_str(), Some("pw"));
        assert_eq!(value["pod"].as_str(), Some("coderd-1"));
    }

    #[test]
    fn text_shows_the_password_once_without_colour_when_asked() {
        let t = target();
        let text = render_credentials(OutputFormat::Text, &report(&t, Some("S3cret-pw")), false);
        assert_eq!(text.matches("S3cret-pw").count(), 1);
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("temporary"));
        let coloured = render_credentials(OutputFormat::Text, &report(&t, Some("S3cret-pw")), true);
        assert!(coloured.contains('\u{1b}'));
    }

    #[test]
    fn not_understood_shows_the_raw_output() {
        let t = target();
        assert_eq!(
            render_credentials(OutputFormat::Text, &report(&t, None), false).as_str(),
            "raw text\n"
        );
        let json: serde_json::Value = serde_json::from_str(&render_credentials(
            OutputFormat::Json,
            &report(&t, None),
            false,
        ))
        .unwrap();
        assert_eq!(json["outputUnderstood"], false);
        assert_eq!(json["rawOutput"], "raw text\n");
    }
}
