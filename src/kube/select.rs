//! Choosing the context, cluster and user from a merged kubeconfig and applying kubectl's
//! global flags on top, as client-go's `ClientConfig` does (k8s.io/client-go/tools/clientcmd
//! client_config.go and overrides.go): pure, so each precedence rule has a table test.

use std::path::PathBuf;

use kube::config::{AuthInfo, Cluster, Kubeconfig};
use secrecy::SecretString;

use crate::kube::error::ConfigError;
use crate::kube::validation;

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
    /// The context's namespace; an empty one is `None` (kubectl then uses `default`).
    pub namespace: Option<String>,
    /// The names client-go's messages use for the cluster and the user.
    pub cluster_name: String,
    pub user_name: String,
    pub cluster: Cluster,
    pub auth_info: AuthInfo,
}

/// `--context`, `--cluster` and `--user`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Names<'a> {
    pub context: Option<&'a str>,
    pub cluster: Option<&'a str>,
    pub user: Option<&'a str>,
}

/// client-go's `DirectClientConfig.ClientConfig` up to `ConfirmUsable`
/// (k8s.io/client-go/tools/clientcmd/client_config.go): `getContext`, `getAuthInfo` and
/// `getCluster` (a name given on the command line must exist: `context "x" does not exist`;
/// one the kubeconfig only refers to may be missing), the flags merged on top ([`apply`]),
/// then [`validation::confirm_usable`]. Works on an empty kubeconfig too, when the flags name
/// a server: kubectl does.
pub fn select(
    kubeconfig: &Kubeconfig,
    names: Names,
    flags: &FlagOverrides,
) -> Result<Selected, ConfigError> {
    let context_name = names
        .context
        .map(str::to_string)
        .or_else(|| kubeconfig.current_context.clone())
        .filter(|c| !c.is_empty());
    let found_context = context_name.as_ref().and_then(|name| {
        kubeconfig
            .contexts
            .iter()
            .find(|c| &c.name == name)
            .map(|c| c.context.clone().unwrap_or_default())
    });
    if found_context.is_none()
        && let Some(name) = names.context
    {
        return Err(ConfigError::UnknownContext(name.to_string()));
    }
    let user_name = names
        .user
        .map(str::to_string)
        .or_else(|| found_context.as_ref().and_then(|c| c.user.clone()))
        .unwrap_or_default();
    let auth_info = match kubeconfig.auth_infos.iter().find(|u| u.name == user_name) {
        Some(found) => found.auth_info.clone().unwrap_or_default(),
        None if names.user.is_some() => return Err(ConfigError::UnknownUser(user_name)),
        // A context's user that is missing is an anonymous user, as in client-go.
        None => AuthInfo::default(),
    };
    let cluster_name = names
        .cluster
        .map(str::to_string)
        .or_else(|| found_context.as_ref().map(|c| c.cluster.clone()))
        .unwrap_or_default();
    let cluster = match kubeconfig.clusters.iter().find(|c| c.name == cluster_name) {
        Some(found) => found.cluster.clone().unwrap_or_default(),
        None if names.cluster.is_some() => return Err(ConfigError::UnknownCluster(cluster_name)),
        None => Cluster::default(),
    };
    let (cluster, auth_info) = apply(cluster, auth_info, flags);
    // ConfirmUsable: the current context must exist even when the flags give everything else.
    if found_context.is_none()
        && let Some(name) = &context_name
    {
        return Err(ConfigError::ContextNotFound(name.clone()));
    }
    validation::confirm_usable(&cluster_name, &cluster, &user_name, &auth_info)?;
    Ok(Selected {
        namespace: found_context
            .and_then(|c| c.namespace)
            .filter(|n| !n.is_empty()),
        context: context_name,
        cluster_name,
        user_name,
        cluster,
        auth_info,
    })
}

/// Applies the flags, as client-go's overrides do (client_config.go `getCluster`,
/// `getAuthInfo`, k8s.io/client-go/tools/clientcmd/overrides.go): `--server` replaces the
/// cluster's; `--insecure-skip-tls-verify` (true) or `--certificate-authority` replace the
/// kubeconfig's skip-verify and CA whole; `--tls-server-name` or `--server` replace the
/// kubeconfig's TLS server name (with the flag's, or none); `--token` replaces the user's
/// token (the rest of the user stays: client-go then prefers the token to a credential
/// plugin); `--client-certificate`/`--client-key` replace the certificate; `--as*` set
/// impersonation.
pub fn apply(
    mut cluster: Cluster,
    mut user: AuthInfo,
    flags: &FlagOverrides,
) -> (Cluster, AuthInfo) {
    let path = |p: &PathBuf| p.display().to_string();
    if let Some(server) = &flags.server {
        cluster.server = Some(server.clone());
    }
    // `=false` is no override, as a pflag bool left at its default.
    let insecure = flags.insecure_skip_tls_verify == Some(true);
    if insecure || flags.certificate_authority.is_some() {
        cluster.insecure_skip_tls_verify = Some(insecure);
        cluster.certificate_authority = flags.certificate_authority.as_ref().map(path);
        cluster.certificate_authority_data = None;
    }
    if flags.tls_server_name.is_some() || flags.server.is_some() {
        cluster.tls_server_name = flags.tls_server_name.clone();
    }
    if let Some(token) = &flags.token {
        user.token = Some(SecretString::from(token.0.clone()));
        user.token_file = None;
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
- name: blank-namespace
  context: {cluster: dev-cluster, user: ops, namespace: ""}
- name: lost-cluster
  context: {cluster: missing, user: ops}
clusters:
- name: dev-cluster
  cluster: {server: "https://dev.example.com", certificate-authority-data: "Q0E="}
- name: prod-cluster
  cluster: {server: "https://prod.example.com"}
users:
- name: dev-user
  user: {token: dev-token, exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, interactiveMode: Never}}
- name: ops
  user: {token: ops-token}
"#,
        )
        .unwrap()
    }

    fn token(user: &AuthInfo) -> Option<String> {
        user.token.as_ref().map(|t| t.expose_secret().to_string())
    }

    fn names<'a>(
        context: Option<&'a str>,
        cluster: Option<&'a str>,
        user: Option<&'a str>,
    ) -> Names<'a> {
        Names {
            context,
            cluster,
            user,
        }
    }

    fn pick(k: &Kubeconfig, n: Names) -> Selected {
        select(k, n, &FlagOverrides::default()).unwrap()
    }

    #[test]
    fn selection_follows_kubectl() {
        let k = kubeconfig();
        let s = pick(&k, Names::default());
        assert_eq!(s.context.as_deref(), Some("dev"));
        assert_eq!(s.namespace.as_deref(), Some("coder"));
        assert_eq!(s.cluster.server.as_deref(), Some("https://dev.example.com"));
        assert_eq!(token(&s.auth_info).as_deref(), Some("dev-token"));

        let s = pick(&k, names(None, Some("prod-cluster"), Some("ops")));
        assert_eq!(
            s.cluster.server.as_deref(),
            Some("https://prod.example.com")
        );
        assert_eq!(token(&s.auth_info).as_deref(), Some("ops-token"));
        // The context's namespace stays.
        assert_eq!(s.namespace.as_deref(), Some("coder"));

        // A context whose user is missing: anonymous, as client-go.
        let s = pick(&k, names(Some("orphan"), None, None));
        assert_eq!(token(&s.auth_info), None);
        // An empty namespace is none: kubectl uses `default` (client_config.go `Namespace`).
        let s = pick(&k, names(Some("blank-namespace"), None, None));
        assert_eq!(s.namespace, None);
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
            let err =
                select(&k, names(context, cluster, user), &FlagOverrides::default()).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
        // Nothing at all: the empty config (the in-cluster account may take over).
        assert!(matches!(
            select(
                &Kubeconfig::default(),
                Names::default(),
                &FlagOverrides::default()
            ),
            Err(ConfigError::EmptyConfig)
        ));
        // --cluster alone works without a context, as kubectl's.
        let s = pick(&k, names(Some("dev"), Some("prod-cluster"), None));
        assert_eq!(
            s.cluster.server.as_deref(),
            Some("https://prod.example.com")
        );
    }

    #[test]
    fn flags_alone_make_a_config_as_kubectl() {
        let server = FlagOverrides {
            server: Some("https://127.0.0.1:6443".into()),
            token: Some(FlagToken("t".into())),
            ..Default::default()
        };
        // No kubeconfig, no current context, a context whose cluster is missing: the flags do.
        let s = select(&Kubeconfig::default(), Names::default(), &server).unwrap();
        assert_eq!(s.cluster.server.as_deref(), Some("https://127.0.0.1:6443"));
        assert_eq!(token(&s.auth_info).as_deref(), Some("t"));
        let k = kubeconfig();
        let s = select(&k, names(Some("lost-cluster"), None, None), &server).unwrap();
        assert_eq!(s.cluster.server.as_deref(), Some("https://127.0.0.1:6443"));
        // A current context that does not exist is refused, flags or not (ConfirmUsable).
        let mut gone = kubeconfig();
        gone.current_context = Some("gone".into());
        assert_eq!(
            select(&gone, Names::default(), &server)
                .unwrap_err()
                .to_string(),
            "context was not found for specified context: gone"
        );
        // Without the flags, a context whose cluster is missing selects nothing: client-go's
        // empty config.
        assert!(matches!(
            select(
                &k,
                names(Some("lost-cluster"), None, None),
                &FlagOverrides::default()
            ),
            Err(ConfigError::EmptyConfig)
        ));
    }

    #[test]
    fn flags_override_as_client_go() {
        let k = kubeconfig();
        let s = pick(&k, Names::default());
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
        // The plugin stays in the kubeconfig's user: client-go then prefers the token
        // (kube/credentials.rs decides).
        assert!(user.exec.is_some());
        assert_eq!(user.impersonate.as_deref(), Some("bob"));
        assert_eq!(
            user.impersonate_groups,
            Some(vec!["system:masters".to_string(), "ops".to_string()])
        );
        assert_eq!(user.impersonate_uid.as_deref(), Some("1234"));

        let mut named = s.cluster.clone();
        named.insecure_skip_tls_verify = Some(true);
        named.tls_server_name = Some("from-kubeconfig".into());
        let tls = |flags: &FlagOverrides| apply(named.clone(), s.auth_info.clone(), flags).0;
        // --certificate-authority replaces the kubeconfig's skip-verify and CA, and keeps its
        // server name; --server clears the server name; --tls-server-name replaces it.
        let ca = FlagOverrides {
            certificate_authority: Some("/ca.pem".into()),
            ..Default::default()
        };
        let cluster = tls(&ca);
        assert_eq!(cluster.insecure_skip_tls_verify, Some(false));
        assert_eq!(cluster.certificate_authority.as_deref(), Some("/ca.pem"));
        assert_eq!(cluster.certificate_authority_data, None);
        assert_eq!(cluster.tls_server_name.as_deref(), Some("from-kubeconfig"));
        let server = FlagOverrides {
            server: Some("https://other".into()),
            ..Default::default()
        };
        assert_eq!(tls(&server).tls_server_name, None);
        assert_eq!(tls(&server).insecure_skip_tls_verify, Some(true));
        let insecure = FlagOverrides {
            insecure_skip_tls_verify: Some(true),
            ..Default::default()
        };
        assert_eq!(
            tls(&insecure).tls_server_name.as_deref(),
            Some("from-kubeconfig")
        );
        // `--insecure-skip-tls-verify=false` is no override.
        let off = FlagOverrides {
            insecure_skip_tls_verify: Some(false),
            ..Default::default()
        };
        assert_eq!(tls(&off).insecure_skip_tls_verify, Some(true));
        // Both: kept both, for transport's refusal (validation::check_tls).
        let both = FlagOverrides {
            insecure_skip_tls_verify: Some(true),
            certificate_authority: Some("/ca.pem".into()),
            ..Default::default()
        };
        let cluster = tls(&both);
        assert_eq!(cluster.insecure_skip_tls_verify, Some(true));
        assert_eq!(cluster.certificate_authority.as_deref(), Some("/ca.pem"));

        let certs = FlagOverrides {
            client_certificate: Some("/c.pem".into()),
            client_key: Some("/k.pem".into()),
            ..Default::default()
        };
        let (_, user) = apply(s.cluster, s.auth_info, &certs);
        assert_eq!(user.client_certificate.as_deref(), Some("/c.pem"));
        assert_eq!(user.client_key.as_deref(), Some("/k.pem"));
        // Without --token the user's own credentials stay.
        assert_eq!(token(&user).as_deref(), Some("dev-token"));
        assert!(format!("{:?}", FlagToken("secret".into())).contains("***"));
    }
}
