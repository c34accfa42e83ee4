//! Which Coder runs where: the generation and the pod and container a command runs in.

use crate::coder::spec::ServerSpec;

/// Which Coder server runs in a pod; it decides the binary and the reset command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Generation {
    /// Coder v1, server binary `coderd`.
    #[serde(rename = "v1")]
    V1,
    /// Coder v1 from very old charts, server binary `cemanager`.
    #[serde(rename = "v1-legacy")]
    V1Legacy,
    /// Coder v2, server binary `coder`.
    #[serde(rename = "v2")]
    V2,
}

impl Generation {
    pub const ALL: [Generation; 3] = [Generation::V1, Generation::V1Legacy, Generation::V2];

    /// The server binary, which is also the chart's container name.
    pub fn binary(self) -> &'static str {
        match self {
            Generation::V1 => "coderd",
            Generation::V1Legacy => "cemanager",
            Generation::V2 => "coder",
        }
    }

    /// The name used on the command line and in JSON: `v1`, `v1-legacy`, `v2`.
    pub fn name(self) -> &'static str {
        match self {
            Generation::V1 => "v1",
            Generation::V1Legacy => "v1-legacy",
            Generation::V2 => "v2",
        }
    }

    pub fn is_v1(self) -> bool {
        matches!(self, Generation::V1 | Generation::V1Legacy)
    }

    pub fn label(self) -> &'static str {
        match self {
            Generation::V1 => "Coder v1",
            Generation::V1Legacy => "Coder v1 (legacy cemanager)",
            Generation::V2 => "Coder v2",
        }
    }
}

/// The pod and container the command will run in.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub generation: Generation,
    /// How the generation was decided, for messages such as a missing binary.
    pub detected_by: String,
    pub image: Option<String>,
    /// The Coder version, read from the image tag when it has one.
    pub version: Option<String>,
    /// The workload that owns the pod (`ReplicaSet/…`); `None` for a pod nothing manages.
    pub controller: Option<String>,
    /// The Helm release (`app.kubernetes.io/instance`).
    pub release: Option<String>,
    /// What the server container's spec says about the reset to come.
    pub spec: ServerSpec,
    /// Why running here needs care: a pod named with `--pod` that is not Ready, or is being
    /// deleted.
    pub caution: Option<String>,
}

impl Target {
    /// A target for tests: pod `pod-1` in namespace `coder`, owned by a ReplicaSet, with the
    /// chart's spec (an external database, password login on).
    #[cfg(test)]
    pub fn sample(generation: Generation) -> Target {
        use crate::coder::spec::{Database, PasswordLogin};
        Target {
            namespace: "coder".into(),
            pod: "pod-1".into(),
            container: generation.binary().into(),
            generation,
            detected_by: "label".into(),
            image: None,
            version: None,
            controller: Some("ReplicaSet/rs".into()),
            release: Some("coder".into()),
            spec: ServerSpec {
                binary: generation.binary().into(),
                database: Database::External(
                    "CODER_PG_CONNECTION_URL (from secret db, key url)".into(),
                ),
                password_login: PasswordLogin::Enabled,
                super_admin_password: None,
                api_port: None,
                config_file: None,
                access_url: None,
            },
            caution: None,
        }
    }

    /// A warning when the pod is not managed by a ReplicaSet or StatefulSet: anyone who may
    /// create pods could have started a look-alike.
    pub fn unowned_warning(&self) -> Option<String> {
        self.controller.is_none().then(|| {
            format!(
                "warning: pod {} is not managed by a ReplicaSet or StatefulSet (no controller owner): make sure it is the real Coder server before trusting it with a password",
                self.pod
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_names_are_the_flags_values() {
        let names: Vec<_> = Generation::ALL.iter().map(|g| g.name()).collect();
        assert_eq!(names, ["v1", "v1-legacy", "v2"]);
    }
}
