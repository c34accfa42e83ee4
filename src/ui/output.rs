//! What we print. Data (credentials, status, JSON/YAML) goes to stdout alone; notes and
//! diagnostics to stderr. Field names in JSON/YAML are stable and documented in the README.

use std::borrow::Cow;
use std::io::Write;

use console::Style;
use serde::{Serialize, Serializer};
use zeroize::Zeroizing;

pub use crate::cli::args::OutputFormat;
use crate::coder::action::Action;
use crate::coder::password::Secret;
use crate::coder::probe::DatabaseStatus;
use crate::coder::spec::PasswordLogin;
use crate::coder::target::{Generation, Target};
use crate::text;
use crate::ui::next;

/// Writes to stdout; a closed pipe (`| head`) is not an error: the reader has what it wanted.
pub fn stdout(text: &str) -> std::io::Result<()> {
    match stdout_all(text) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes to stdout, and says if any of it did not get there (a closed pipe too, or a stdout
/// that was closed when we started, which std had quietly reopened on /dev/null): for
/// credentials, which must not be lost.
pub fn stdout_all(text: &str) -> std::io::Result<()> {
    if crate::platform::stdio::stdout_closed_at_start() {
        return Err(std::io::Error::other(
            "it was closed when kubectl-coder started",
        ));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush())
}

/// Text for stdout that could not go there (it was sanitised when rendered).
pub fn stderr_all(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// One line of diagnostics on stderr, control characters made visible and any remote line
/// in it marked ([`text::guarded`]).
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{}", text::guarded(text));
}

/// A note wrapped to the terminal's `width` (see [`crate::ui::wrap`]); each of its own lines
/// is a paragraph, so a line it starts is not taken for a smuggled one ([`text::guarded`]).
pub fn note_wrapped(text: &str, width: Option<usize>) {
    for paragraph in text.split('\n') {
        note(&crate::ui::wrap::wrap(
            &text::sanitize(paragraph),
            width,
            "  ",
        ));
    }
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

/// JSON or YAML, written straight into a buffer of `capacity` (which is zeroed when dropped:
/// reports hold passwords, and a buffer that grows leaves copies behind).
fn structured<T: Serialize>(
    format: OutputFormat,
    value: &T,
    capacity: usize,
) -> Option<Zeroizing<String>> {
    match format {
        OutputFormat::Text => None,
        OutputFormat::Json => {
            let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
            serde_json::to_writer_pretty(&mut *bytes, value).expect("plain data serialises");
            bytes.push(b'\n');
            let json = String::from_utf8(std::mem::take(&mut *bytes)).expect("JSON is UTF-8");
            Some(Zeroizing::new(text::escape_json_controls(json)))
        }
        OutputFormat::Yaml => {
            let mut yaml = Zeroizing::new(String::with_capacity(capacity));
            serde_saphyr::to_fmt_writer(&mut *yaml, value).expect("plain data serialises");
            // The YAML writer leaves format characters (U+202E...) raw in plain scalars; JSON
            // is YAML too, and escapes them.
            if yaml.chars().any(text::is_format) {
                return structured(OutputFormat::Json, value, capacity);
            }
            Some(yaml)
        }
    }
}

/// JSON or YAML for reports without secrets.
pub(crate) fn structured_plain<T: Serialize>(format: OutputFormat, value: &T) -> Option<String> {
    structured(format, value, 4096).map(|mut text| std::mem::take(&mut *text))
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
    /// Where users sign in (the pod spec's `CODER_ACCESS_URL`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_url: Option<&'a str>,
}

impl<'a> Place<'a> {
    pub fn new(context: Option<&'a str>, target: &'a Target) -> Place<'a> {
        Place {
            context,
            namespace: &target.namespace,
            pod: &target.pod,
            container: &target.container,
            generation: target.generation,
            sign_in_url: target.spec.access_url.as_deref(),
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
    /// We generated it: the text report advises changing it. Not in JSON/YAML, where
    /// `mustChangeAtNextLogin` alone says whether Coder treats it as temporary.
    #[serde(skip)]
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
    /// What the user of the account should know next.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What went wrong after the change was made (e.g. a non-zero exit after Coder's success
    /// line): the change stands, but the command did not end cleanly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(flatten)]
    pub place: Place<'a>,
}

/// The report as text, JSON or YAML. It holds the password, so it is written straight into
/// one buffer that is zeroed when dropped. Untrusted text (names, Coder's output) has its
/// control characters made visible.
pub fn render_credentials(
    format: OutputFormat,
    report: &CredentialsReport,
    colour: bool,
) -> Zeroizing<String> {
    let raw_len = report.raw_output.as_ref().map_or(0, String::len);
    let capacity = 4096 + 2 * raw_len;
    if let Some(text) = structured(format, report, capacity) {
        return text;
    }
    let mut text = Zeroizing::new(String::with_capacity(capacity));
    // Writing to a String cannot fail.
    let _ = write_credentials(&mut text, report, colour);
    text
}

fn write_credentials(
    text: &mut String,
    report: &CredentialsReport,
    colour: bool,
) -> std::fmt::Result {
    use std::fmt::Write as _;
    let clean = |s: &str| text::sanitize_line(s).into_owned();
    if !report.output_understood || report.incomplete.is_some() {
        // The raw output, then the password we sent: a reset that may have happened is shown.
        let raw = report.raw_output.as_deref().unwrap_or_default();
        text.push_str(&text::sanitize(raw));
        if !raw.is_empty() && !raw.ends_with('\n') {
            text.push('\n');
        }
        if let Some(ShownPassword::Sent(password)) = &report.password {
            writeln!(text, "Password sent: {}", password.expose())?;
        }
        return Ok(());
    }
    let bold = Style::new().bold().force_styling(colour);
    let place = &report.place;
    let what = match report.action {
        Action::CreateAdminUser => "Owner created",
        Action::ResetAdminPassword | Action::ResetPassword => "Password reset",
    };
    write!(
        text,
        "{what} on {} in pod {}/{}",
        place.generation.label(),
        clean(place.namespace),
        clean(place.pod),
    )?;
    if let Some(context) = place.context {
        write!(text, " (context {})", clean(context))?;
    }
    text.push_str(".\n\n");
    if let Some(username) = &report.username {
        writeln!(text, "  Username:  {}", bold.apply_to(clean(username)))?;
    }
    if let Some(email) = report.email {
        writeln!(text, "  Email:     {}", clean(email))?;
    }
    match &report.password {
        Some(password) => writeln!(text, "  Password:  {}", bold.apply_to(password.expose()))?,
        // Only a password the user chose is not shown: they know it.
        None => text.push_str("  Password:  (the one you chose, not shown)\n"),
    }
    text.push('\n');
    text.push_str(if report.must_change_at_next_login {
        "This password is temporary: Coder asks for a new one at the next login.\n"
    } else if report.temporary {
        "Coder v2 does not force a change; change it under Account > Security.\n"
    } else {
        "Coder v2 does not force a change at the next login.\n"
    });
    for note in &report.notes {
        writeln!(text, "{}", text::sanitize(note))?;
    }
    if let Some(next) = next_line(report) {
        writeln!(text, "{next}")?;
    }
    Ok(())
}

/// Where to sign in, and as whom, after a change that certainly happened: the text report's
/// last line (JSON and YAML have the URL as `signInUrl`, and stay quiet on stderr).
pub fn next_line(report: &CredentialsReport) -> Option<String> {
    if !report.output_understood || report.incomplete.is_some() {
        return None;
    }
    let login = next::login(
        report.email,
        report.username.as_deref(),
        report.place.generation,
    );
    Some(next::line(next::SignIn {
        url: report.place.sign_in_url,
        login,
    }))
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
    if let Some(text) = structured_plain(format, report) {
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
    text::sanitize(&text).into_owned()
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
    /// Where the version was read: `imageTag`, or `coderVersion` (run in the pod).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_source: Option<&'static str>,
    /// The workload that owns the pod, e.g. `ReplicaSet/coder-5d8f7b9c4`.
    pub controller: Option<&'a str>,
    pub exec: ExecAccess,
    /// v1: the same reviews on `pods/portforward` (reset-password goes through coderd's API).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_forward: Option<ExecAccess>,
    /// v2: where a reset will find the database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseStatus>,
    /// v2: whether Coder accepts password logins at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_login: Option<&'a PasswordLogin>,
    /// v1: `SUPER_ADMIN_PASSWORD` is set in the container (where from, never the value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub super_admin_password: Option<&'a str>,
}

/// The answers of two SelfSubjectAccessReviews on `pods/exec` (or `pods/portforward`).
#[derive(Debug, Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct ExecAccess {
    pub get: Option<bool>,
    pub create: Option<bool>,
}

impl ExecAccess {
    /// One line for `status`, about `pods/<subresource>`.
    pub fn summary(&self, subresource: &str) -> String {
        match (self.get, self.create) {
            (Some(true), Some(true)) => format!("yes (get and create on pods/{subresource})"),
            (Some(true), Some(false)) => format!(
                "on Kubernetes before 1.35 only (get on pods/{subresource}, but not create)"
            ),
            (Some(false), _) => format!("no: get on pods/{subresource} is not allowed"),
            _ => "unknown (the access review could not be made)".to_string(),
        }
    }
}

pub fn render_status(format: OutputFormat, report: &StatusReport) -> String {
    if let Some(text) = structured_plain(format, report) {
        return text;
    }
    let mut text = String::new();
    let mut row = |k: &str, v: &str| text.push_str(&format!("{:<12}{v}\n", format!("{k}:")));
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
            let version_source = match pod.version_source {
                Some("imageTag") => "version from the image tag, ",
                Some(_) => "version from `coder version` in the pod, ",
                None => "",
            };
            row(
                "Coder",
                &format!(
                    "{}{version} ({version_source}detected by {})",
                    pod.generation.label(),
                    pod.detected_by
                ),
            );
            if let Some(image) = pod.image {
                row("Image", image);
            }
            row(
                "Managed by",
                pod.controller
                    .unwrap_or("nothing (no ReplicaSet or StatefulSet owns it)"),
            );
            row("Can exec", &pod.exec.summary("exec"));
            if let Some(forward) = &pod.port_forward {
                let summary = forward.summary("portforward");
                let summary = match summary.strip_suffix(')') {
                    Some(open) => format!("{open}; for reset-password)"),
                    None => format!("{summary} (needed by reset-password)"),
                };
                row("Forwarding", &summary);
            }
            if let Some(database) = &pod.database {
                row("Database", &database.describe());
            }
            if let Some(login) = pod.password_login {
                row("Passwords", &login.describe());
            }
            if let Some(source) = pod.super_admin_password {
                row(
                    "Admin reset",
                    &format!("{source}: a restart may set the admin password back to it"),
                );
            }
        }
        None => row("Pod", report.pod_problem.as_deref().unwrap_or("none found")),
    }
    text::sanitize(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target::sample(Generation::V1)
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
            notes: Vec::new(),
            warnings: Vec::new(),
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
                "username"
            ]
        );
        assert_eq!(json["generation"], "v1");
    }

    #[test]
    fn yaml_never_carries_a_raw_format_character() {
        let target = target();
        let mut report = report(&target, Some("pw"));
        report.raw_output = Some("a\u{202e}b\u{200b}c".into());
        let yaml = render_credentials(OutputFormat::Yaml, &report, false);
        assert!(!yaml.chars().any(text::is_format), "{}", *yaml);
        let back: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(back["rawOutput"], "a\u{202e}b\u{200b}c");
    }

    #[test]
    fn yaml_reads_back() {
        let t = target();
        let yaml = render_credentials(OutputFormat::Yaml, &report(&t, Some("pw")), false);
        let value: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(value["password"].as_str(), Some("pw"));
        assert_eq!(value["pod"].as_str(), Some("pod-1"));
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
