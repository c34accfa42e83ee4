//! `status -A`: every Coder deployment, as a table laid out as `kubectl get -A` lays out its
//! tables, or as a JSON/YAML list with, per deployment, the fields `status` gives.

use serde::Serialize;

use crate::coder::probe::DatabaseStatus;
use crate::coder::spec::PasswordLogin;
use crate::text;
use crate::ui::output::{ExecAccess, OutputFormat, PodStatus, structured_plain};

/// One deployment: `status`'s fields (context, cluster, namespace, config source, pod), and
/// the release and how many of its server pods are Ready.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStatus<'a> {
    pub context: Option<&'a str>,
    pub cluster: &'a str,
    pub namespace: &'a str,
    pub config_source: &'a str,
    /// The Helm release (`app.kubernetes.io/instance`).
    pub release: Option<&'a str>,
    /// Server pods that can run a command now, and in all.
    pub ready_pods: usize,
    pub server_pods: usize,
    /// The pod a command would use (when none is Ready, the first, with `podProblem`).
    pub pod: PodStatus<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_problem: Option<String>,
}

/// The columns, as kubectl names columns.
const HEADERS: [&str; 9] = [
    "NAMESPACE",
    "RELEASE",
    "GENERATION",
    "VERSION",
    "READY",
    "DATABASE",
    "PASSWORDS",
    "EXEC",
    "PORT-FORWARD",
];

/// What kubectl prints for a value that is not there.
const NONE: &str = "<none>";

pub fn render_inventory(format: OutputFormat, deployments: &[DeploymentStatus]) -> String {
    if let Some(text) = structured_plain(format, &deployments) {
        return text;
    }
    let rows: Vec<[String; 9]> = deployments.iter().map(row).collect();
    table(&HEADERS.map(String::from), &rows)
}

fn row(d: &DeploymentStatus) -> [String; 9] {
    let pod = &d.pod;
    [
        d.namespace.to_string(),
        d.release.unwrap_or(NONE).to_string(),
        pod.generation.name().to_string(),
        pod.version.unwrap_or("<unknown>").to_string(),
        format!("{}/{}", d.ready_pods, d.server_pods),
        pod.database.as_ref().map_or(NONE, database).to_string(),
        pod.password_login.map_or(NONE, passwords).to_string(),
        access(&pod.exec).to_string(),
        pod.port_forward.as_ref().map_or(NONE, access).to_string(),
    ]
}

/// The database column: the kind alone (`status` has the details).
fn database(status: &DatabaseStatus) -> &'static str {
    match status {
        DatabaseStatus::External { .. } => "external",
        DatabaseStatus::MaybeEnvFrom { .. } => "envFrom",
        DatabaseStatus::BuiltIn => "built-in",
        DatabaseStatus::None => "none",
        DatabaseStatus::Unknown { .. } => "unknown",
    }
}

fn passwords(login: &PasswordLogin) -> &'static str {
    match login {
        PasswordLogin::Enabled => "enabled",
        PasswordLogin::Disabled(_) => "disabled",
        PasswordLogin::Unknown(_) => "unknown",
    }
}

/// `yes` (get and create), `get-only` (enough before Kubernetes 1.35), `no`, `unknown`.
fn access(access: &ExecAccess) -> &'static str {
    match (access.get, access.create) {
        (Some(true), Some(true)) => "yes",
        (Some(true), Some(false)) => "get-only",
        (Some(false), _) => "no",
        _ => "unknown",
    }
}

/// kubectl's table layout (k8s.io/cli-runtime/pkg/printers/tabwriter.go: Go's tabwriter with
/// minimum width 6 and padding 3): each column but the last as wide as its widest cell plus
/// three spaces, at least six; the last not padded. Cells have control characters made
/// visible (names come from the cluster).
fn table(headers: &[String; 9], rows: &[[String; 9]]) -> String {
    let clean = |cell: &str| text::sanitize_line(cell).into_owned();
    let lines: Vec<Vec<String>> = std::iter::once(headers)
        .chain(rows)
        .map(|r| r.iter().map(|c| clean(c)).collect())
        .collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|c| {
            let widest = lines.iter().map(|l| l[c].chars().count()).max();
            (widest.unwrap_or(0) + 3).max(6)
        })
        .collect();
    let mut out = String::new();
    for line in &lines {
        let last = line.len() - 1;
        for (c, cell) in line.iter().enumerate() {
            match c == last {
                true => out.push_str(cell),
                false => out.push_str(&format!("{cell:<width$}", width = widths[c])),
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(values: [&str; 9]) -> [String; 9] {
        values.map(String::from)
    }

    #[test]
    fn laid_out_as_kubectl_lays_out_tables() {
        let headers = HEADERS.map(String::from);
        let rows = [
            cells([
                "coder-legacy",
                "coder",
                "v1",
                "1.44.0",
                "1/1",
                NONE,
                NONE,
                "yes",
                "yes",
            ]),
            cells([
                "x", NONE, "v2", "v2.18.0", "0/2", "built-in", "enabled", "no", NONE,
            ]),
        ];
        assert_eq!(
            table(&headers, &rows),
            "\
NAMESPACE      RELEASE   GENERATION   VERSION   READY   DATABASE   PASSWORDS   EXEC   PORT-FORWARD
coder-legacy   coder     v1           1.44.0    1/1     <none>     <none>      yes    yes
x              <none>    v2           v2.18.0   0/2     built-in   enabled     no     <none>
"
        );
    }

    #[test]
    fn a_short_column_is_six_wide_and_cells_are_made_visible() {
        let headers = ["A", "B", "C", "D", "E", "F", "G", "H", "I"].map(String::from);
        let rows = [cells([
            "x\u{1b}[2J",
            "b",
            "c",
            "d",
            "e",
            "f",
            "g",
            "h",
            "i",
        ])];
        let text = table(&headers, &rows);
        assert!(text.starts_with("A        B     C"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
    }

    #[test]
    fn access_in_one_word() {
        let a = |get, create| access(&ExecAccess { get, create });
        assert_eq!(a(Some(true), Some(true)), "yes");
        assert_eq!(a(Some(true), Some(false)), "get-only");
        assert_eq!(a(Some(false), Some(true)), "no");
        assert_eq!(a(None, None), "unknown");
    }
}
