//! Choosing the context, cluster and user from a merged kubeconfig and applying kubectl's
//! global flags on top, as client-go's `ClientConfig` does (k8s.io/client-go/tools/clientcmd
//! client_config.go and overrides.go): pure, so each precedence rule has a table test.

use std::path::PathBuf;

use kube::config::{AuthInfo, Cluster, Kubeconfig};
use secrecy::SecretString;

use crate::kube::error::ConfigError;

/// A bearer token given on the command line; never shown by `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct FlagToken(pub String);

impl std::fmt::Debug for FlagToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FlagToken(***)")
    }
}

/// kubectl's flags that override the kubeconfig (`--server`, `--token`, `--as`...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlagOverrides {
    pub server: Option<String>,
    pub certificate_authority: Option<PathBuf>,
    pub client_certificate: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub insecure_skip_tls_verify: Option<bool>,
    pub tls_server_name: Option<String>,
    pub token: Option<FlagToken>,
    pub impersonate: Option<String>,
    pub impersonate_groups: Vec<String>,
    pub impersonate_uid: Option<String>,
}

/// What the kubeconfig and the flags select.
#[derive(Debug, Clone)]
pub struct Selected {
    /// The context used, when there is one.
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub cluster: Cluster,
    pub auth_info: AuthInfo,
}

/// kubectl's choice: `--context` or the current context; `--cluster` and `--user` over the
/// context's. A name given on the command line that the kubeconfig lacks is an error, as
/// kubectl's (`context "x" does not exist`, `auth info "x" does not exist`, `cluster "x"
/// does not exist`), before any request.
pub fn select(
    kubeconfig: &Kubeconfig,
    context: Option<&str>,
    cluster: Option<&str>,
    user: Option<&str>,
) -> Result<Selected, ConfigError> {
    let context_name = context
        .map(str::to_string)
        .or_else(|| kubeconfig.current_context.clone().filter(|c| !c.is_empty()));
    let found_context = match &context_name {
        Some(name) => Some(
            kubeconfig
                .contexts
                .iter()
                .find(|c| &c.name == name)
                .and_then(|c| c.context.clone())
                .ok_or_else(|| ConfigError::UnknownContext(name.clone()))?,
        ),
        None => None,
    };
    let cluster_name = cluster
        .map(str::to_string)
        .or_else(|| found_context.as_ref().map(|c| c.cluster.clone()));
    let Some(cluster_name) = cluster_name else {
        return Err(ConfigError::NoCurrentContext);
    };
    let found_cluster = kubeconfig
        .clusters
        .iter()
        .find(|c| c.name == cluster_name)
        .and_then(|c| c.cluster.clone())
        .ok_or_else(|| ConfigError::UnknownCluster(cluster_name.clone()))?;
    let auth_info = match user {
        Some(name) => kubeconfig
            .auth_infos
            .iter()
            .find(|u| u.name == name)
            .map(|u| u.auth_info.clone().unwrap_or_default())
            .ok_or_else(|| ConfigError::UnknownUser(name.to_string()))?,
        // A context's user that is missing is an anonymous user, as in client-go.
        None => found_context
            .as_ref()
            .and_then(|c| c.user.as_ref())
            .and_then(|name| kubeconfig.auth_infos.iter().find(|u| &u.name == name))
            .and_then(|u| u.auth_info.clone())
            .unwrap_or_default(),
    };
    Ok(Selected {
        context: context_name,
        namespace: found_context.and_then(|c| c.namespace),
        cluster: found_cluster,
        auth_info,
    })
}

/// Applies the flags, as client-go's overrides do: `--server` and the TLS flags replace the
/// cluster's; `--insecure-skip-tls-verify` drops the CA; `--token` replaces the user's other
/// credentials; `--client-certificate`/`--client-key` replace the certificate data; `--as*`
/// set impersonation.
pub fn apply(
    mut cluster: Cluster,
    mut user: AuthInfo,
    flags: &FlagOverrides,
) -> (Cluster, AuthInfo) {
    let path = |p: &PathBuf| p.display().to_string();
    if let Some(server) = &flags.server {
        cluster.server = Some(server.clone());
    }
    // client-go's getCluster: `--insecure-skip-tls-verify` (true) or `--certificate-authority`
    // replace the kubeconfig's TLS choice whole (skip-verify, server name); skip-verify
    // without a CA drops the kubeconfig's CA. `=false` is no override, as a pflag bool.
    let insecure = flags.insecure_skip_tls_verify == Some(true);
    if let Some(ca) = &flags.certificate_authority {
        cluster.certificate_authority = Some(path(ca));
        cluster.certificate_authority_data = None;
    }
    if insecure || flags.certificate_authority.is_some() {
        cluster.insecure_skip_tls_verify = Some(insecure);
        cluster.tls_server_name = flags.tls_server_name.clone();
        if insecure && flags.certificate_authority.is_none() {
            cluster.certificate_authority = None;
            cluster.certificate_authority_data = None;
        }
    }
    if let Some(name) = &flags.tls_server_name {
        cluster.tls_server_name = Some(name.clone());
    }
    if let Some(token) = &flags.token {
        user.token = Some(SecretString::from(token.0.clone()));
        user.token_file = None;
        user.exec = None;
        user.auth_provider = None;
        user.username = None;
        user.password = None;
    }
    if let Some(cert) = &flags.client_certificate {
        user.client_certificate = Some(path(cert));
        user.client_certificate_data = None;
    }
    if let Some(key) = &flags.client_key {
        user.client_key = Some(path(key));
        user.client_key_data = None;
    }
    if let Some(name) = &flags.impersonate {
        user.impersonate = Some(name.clone());
    }
    if !flags.impersonate_groups.is_empty() {
        user.impersonate_groups = Some(flags.impersonate_groups.clone());
    }
    if let Some(uid) = &flags.impersonate_uid {
        user.impersonate_uid = Some(uid.clone());
    }
    (cluster, user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn kubeconfig() -> Kubeconfig {
        Kubeconfig::from_yaml(
            r#"
apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: coder}
- name: orphan
  context: {cluster: dev-cluster, user: missing-user}
clusters:
- name: dev-cluster
  cluster: {server: "https://dev.example.com", certificate-authority-data: "Q0E="}
- name: prod-cluster
  cluster: {server: "https://prod.example.com"}
users:
- name: dev-user
  user: {token: dev-token, exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}}
- name: ops
  user: {token: ops-token}
"#,
        )
        .unwrap()
    }

    fn token(user: &AuthInfo) -> Option<String> {
        user.token.as_ref().map(|t| t.expose_secret().to_string())
    }

    #[test]
    fn selection_follows_kubectl() {
        let k = kubeconfig();
        let s = select(&k, None, None, None).unwrap();
        assert_eq!(s.context.as_deref(), Some("dev"));
        assert_eq!(s.namespace.as_deref(), Some("coder"));
        assert_eq!(s.cluster.server.as_deref(), Some("https://dev.example.com"));
        assert_eq!(token(&s.auth_info).as_deref(), Some("dev-token"));

        let s = select(&k, None, Some("prod-cluster"), Some("ops")).unwrap();
        assert_eq!(
            s.cluster.server.as_deref(),
            Some("https://prod.example.com")
        );
        assert_eq!(token(&s.auth_info).as_deref(), Some("ops-token"));
        // The context's namespace stays.
        assert_eq!(s.namespace.as_deref(), Some("coder"));

        // A context whose user is missing: anonymous, as client-go.
        let s = select(&k, Some("orphan"), None, None).unwrap();
        assert_eq!(token(&s.auth_info), None);
    }

    #[test]
    fn names_given_on_the_command_line_must_exist() {
        let k = kubeconfig();
        /// --context, --cluster, --user and the error.
        type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, &'a str);
        let cases: [Case; 3] = [
            (
                Some("nope"),
                None,
                None,
                "context \"nope\" does not exist in the kubeconfig",
            ),
            (
                None,
                Some("nope"),
                None,
                "cluster \"nope\" does not exist in the kubeconfig",
            ),
            (
                None,
                None,
                Some("nope"),
                "user \"nope\" does not exist in the kubeconfig",
            ),
        ];
        for (context, cluster, user, message) in cases {
            let err = select(&k, context, cluster, user).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
        let empty = Kubeconfig::default();
        assert!(matches!(
            select(&empty, None, None, None),
            Err(ConfigError::NoCurrentContext)
        ));
        // --cluster alone works without a context, as kubectl's.
        let s = select(&k, Some("dev"), Some("prod-cluster"), None).unwrap();
        assert_eq!(
            s.cluster.server.as_deref(),
            Some("https://prod.example.com")
        );
    }

    #[test]
    fn flags_override_as_client_go() {
        let k = kubeconfig();
        let s = select(&k, None, None, None).unwrap();
        let flags = FlagOverrides {
            server: Some("https://other:6443".into()),
            insecure_skip_tls_verify: Some(true),
            tls_server_name: Some("kubernetes".into()),
            token: Some(FlagToken("flag-token".into())),
            impersonate: Some("bob".into()),
            impersonate_groups: vec!["system:masters".into(), "ops".into()],
            impersonate_uid: Some("1234".into()),
            ..Default::default()
        };
        let (cluster, user) = apply(s.cluster.clone(), s.auth_info.clone(), &flags);
        assert_eq!(cluster.server.as_deref(), Some("https://other:6443"));
        assert_eq!(cluster.insecure_skip_tls_verify, Some(true));
        assert_eq!(cluster.certificate_authority_data, None);
        assert_eq!(cluster.tls_server_name.as_deref(), Some("kubernetes"));
        assert_eq!(token(&user).as_deref(), Some("flag-token"));
        // The token replaces the credential plugin, as kubectl's --token does.
        assert!(user.exec.is_none());
        assert_eq!(user.impersonate.as_deref(), Some("bob"));
        assert_eq!(
            user.impersonate_groups,
            Some(vec!["system:masters".to_string(), "ops".to_string()])
        );
        assert_eq!(user.impersonate_uid.as_deref(), Some("1234"));

        let flags = FlagOverrides {
            certificate_authority: Some("/ca.pem".into()),
            client_certificate: Some("/c.pem".into()),
            client_key: Some("/k.pem".into()),
            ..Default::default()
        };
        let mut insecure = s.cluster.clone();
        insecure.insecure_skip_tls_verify = Some(true);
        insecure.tls_server_name = Some("from-kubeconfig".into());
        let (cluster, _) = apply(insecure.clone(), s.auth_info.clone(), &flags);
        // --certificate-authority replaces the kubeconfig's skip-verify and server name.
        assert_eq!(cluster.insecure_skip_tls_verify, Some(false));
        assert_eq!(cluster.tls_server_name, None);
        // `--insecure-skip-tls-verify=false` is no override.
        let off = FlagOverrides {
            insecure_skip_tls_verify: Some(false),
            ..Default::default()
        };
        let (cluster, _) = apply(insecure, s.auth_info.clone(), &off);
        assert_eq!(cluster.insecure_skip_tls_verify, Some(true));
        let (cluster, user) = apply(s.cluster, s.auth_info, &flags);
        assert_eq!(cluster.certificate_authority.as_deref(), Some("/ca.pem"));
        assert_eq!(cluster.certificate_authority_data, None);
        assert_eq!(user.client_certificate.as_deref(), Some("/c.pem"));
        assert_eq!(user.client_key.as_deref(), Some("/k.pem"));
        // Without --token the user's own credentials stay.
        assert_eq!(token(&user).as_deref(), Some("dev-token"));
        assert!(format!("{:?}", FlagToken("secret".into())).contains("***"));
    }
}
