//! `kubectl coder version`: what was built, from which commit, for which target.

use serde::Serialize;

use crate::exit_codes::ExitCode;
use crate::ui::output::{self, OutputFormat};

/// Build facts.
#[derive(Debug, Serialize)]
pub struct VersionInfo {
    pub version: &'static str,
    pub commit: &'static str,
    pub target: &'static str,
}

pub const VERSION: VersionInfo = VersionInfo {
    version: env!("CARGO_PKG_VERSION"),
    commit: env!("KUBECTL_CODER_COMMIT"),
    target: env!("KUBECTL_CODER_TARGET"),
};

pub fn print(format: OutputFormat) -> anyhow::Result<ExitCode> {
    let text = match format {
        OutputFormat::Json => serde_json::to_string_pretty(&VERSION)? + "\n",
        OutputFormat::Yaml => serde_saphyr::to_string(&VERSION)?,
        OutputFormat::Text => format!(
            "kubectl-coder {}\ncommit: {}\ntarget: {}\n",
            VERSION.version, VERSION.commit, VERSION.target
        ),
    };
    output::stdout(&text)?;
    Ok(ExitCode::Success)
}
