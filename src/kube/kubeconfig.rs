//! Which kubeconfig files to read and how they merge, as kubectl does: `--kubeconfig`, else
//! the `$KUBECONFIG` list (first file wins), else `~/.kube/config`; relative paths inside a
//! file are relative to that file.

use std::path::{Path, PathBuf};

use kube::config::{Kubeconfig, KubeconfigError};

use crate::kube::error::ConfigError;

/// Which kubeconfig files to read, in kubectl's order: `--kubeconfig`, else every existing
/// file in `$KUBECONFIG` (missing ones are skipped, as kubectl does), else `~/.kube/config`.
pub fn kubeconfig_paths(
    flag: Option<&Path>,
    env: Option<&std::ffi::OsStr>,
    home: Option<&Path>,
) -> (Vec<PathBuf>, String) {
    if let Some(path) = flag {
        // An explicit file must exist: kubectl fails rather than fall back.
        return (vec![path.to_path_buf()], path.display().to_string());
    }
    if let Some(value) = env.filter(|v| !v.is_empty()) {
        let listed: Vec<PathBuf> = std::env::split_paths(value)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        let described = format!("$KUBECONFIG={}", value.to_string_lossy());
        if !listed.is_empty() {
            return (
                listed.into_iter().filter(|p| p.exists()).collect(),
                described,
            );
        }
    }
    let default = home.map(|h| h.join(".kube").join("config"));
    let described = default
        .as_ref()
        .map_or(NO_HOME_DEFAULT.to_string(), |p| p.display().to_string());
    (
        default.into_iter().filter(|p| p.exists()).collect(),
        described,
    )
}

/// The default kubeconfig when no home variable is set, as a user of this OS writes it.
#[cfg(windows)]
const NO_HOME_DEFAULT: &str = "%USERPROFILE%\\.kube\\config";
#[cfg(not(windows))]
const NO_HOME_DEFAULT: &str = "~/.kube/config";

/// Reads and merges the files with kube's own reader, which resolves relative file references
/// against each file (certificate-authority, client-certificate, client-key, tokenFile, and
/// an exec command holding a path separator), as client-go does; first file to set a value
/// wins (kubectl's merge rule). The list itself is ours ([`kubeconfig_paths`]): kube's
/// `Kubeconfig::from_env` fails on a missing file in `$KUBECONFIG`, which kubectl skips.
pub fn read_kubeconfigs(paths: &[PathBuf]) -> Result<Kubeconfig, ConfigError> {
    let mut merged: Option<Kubeconfig> = None;
    for path in paths {
        let config = Kubeconfig::read_from(path).map_err(|e| match e {
            KubeconfigError::ReadConfig(source, _) => ConfigError::Unreadable {
                path: path.clone(),
                source,
            },
            source => ConfigError::Malformed {
                path: path.clone(),
                source,
            },
        })?;
        merged = Some(match merged {
            None => config,
            Some(first) => first
                .merge(config)
                .map_err(|source| ConfigError::Malformed {
                    path: path.clone(),
                    source,
                })?,
        });
    }
    Ok(merged.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn kubeconfig_precedence() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        let missing = dir.path().join("missing");
        std::fs::write(&a, "").unwrap();
        std::fs::write(&b, "").unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".kube")).unwrap();
        std::fs::write(home.join(".kube/config"), "").unwrap();
        let list = std::env::join_paths([&missing, &b, &a]).unwrap();

        // --kubeconfig beats $KUBECONFIG, and must exist even when it does not.
        assert_eq!(
            kubeconfig_paths(Some(&missing), Some(&list), Some(&home)).0,
            vec![missing.clone()]
        );
        // $KUBECONFIG lists files in order, skipping missing ones.
        assert_eq!(
            kubeconfig_paths(None, Some(&list), Some(&home)).0,
            vec![b.clone(), a.clone()]
        );
        // An empty $KUBECONFIG is as if unset.
        assert_eq!(
            kubeconfig_paths(None, Some(OsStr::new("")), Some(&home)).0,
            vec![home.join(".kube/config")]
        );
        assert_eq!(
            kubeconfig_paths(None, None, Some(&home)).0,
            vec![home.join(".kube/config")]
        );
        // Nothing at all: in-cluster is tried next.
        assert!(kubeconfig_paths(None, None, Some(dir.path())).0.is_empty());
    }

    fn config(context: &str, namespace: &str, cluster: &str, server: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: {context}\ncontexts:\n- name: {context}\n  context: {{cluster: {cluster}, user: u-{context}, namespace: {namespace}}}\nclusters:\n- name: {cluster}\n  cluster: {{server: '{server}'}}\nusers:\n- name: u-{context}\n  user: {{token: t-{context}}}\n"
        )
    }

    #[test]
    fn merged_kubeconfigs_first_file_wins() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first");
        let second = dir.path().join("second");
        std::fs::write(
            &first,
            config("one", "ns-one", "shared", "https://127.0.0.1:1"),
        )
        .unwrap();
        std::fs::write(
            &second,
            config("two", "ns-two", "shared", "https://127.0.0.1:2"),
        )
        .unwrap();
        let merged = read_kubeconfigs(&[first, second]).unwrap();
        assert_eq!(merged.current_context.as_deref(), Some("one"));
        assert_eq!(merged.contexts.len(), 2);
        // Both name the cluster "shared": the first file's definition is kept.
        assert_eq!(merged.clusters.len(), 1);
        assert_eq!(
            merged.clusters[0]
                .cluster
                .as_ref()
                .unwrap()
                .server
                .as_deref(),
            Some("https://127.0.0.1:1")
        );
    }

    #[test]
    fn relative_certificate_paths_follow_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kc");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1', certificate-authority: ca.pem}\n",
        )
        .unwrap();
        let config = read_kubeconfigs(&[path]).unwrap();
        let ca = config.clusters[0]
            .cluster
            .as_ref()
            .unwrap()
            .certificate_authority
            .clone()
            .unwrap();
        assert_eq!(PathBuf::from(ca), dir.path().join("ca.pem"));
    }

    #[test]
    fn relative_credential_plugin_paths_follow_the_file_but_bare_names_use_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kc");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/login}\n- name: b\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}\n",
        )
        .unwrap();
        let config = read_kubeconfigs(&[path]).unwrap();
        let command = |i: usize| {
            config.auth_infos[i]
                .auth_info
                .as_ref()
                .unwrap()
                .exec
                .as_ref()
                .unwrap()
                .command
                .clone()
        };
        assert_eq!(
            command(0).map(PathBuf::from),
            Some(dir.path().join("./bin/login"))
        );
        assert_eq!(command(1).as_deref(), Some("aws"));
    }

    #[test]
    fn malformed_kubeconfig_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken");
        std::fs::write(&path, "clusters: [ {").unwrap();
        let err = read_kubeconfigs(std::slice::from_ref(&path)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("kubeconfig {} is not valid", path.display())),
            "{err}"
        );
    }
}
