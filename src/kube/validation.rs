//! What kubectl refuses before it sends anything, with kubectl's own words: client-go's
//! `ConfirmUsable` (k8s.io/client-go/tools/clientcmd/validation.go, `validateClusterInfo` and
//! `validateAuthInfo`), the exec plugin's version check (plugin/pkg/client/auth/exec/exec.go)
//! and the TLS check of transport/transport.go. Pure: each rule has a row in the table test.

use kube::config::{AuthInfo, Cluster};

use crate::kube::error::ConfigError;

/// The exec credential versions client-go still speaks (exec.go `apiVersions`);
/// `v1alpha1` was removed in 1.24.
pub const EXEC_API_VERSIONS: [&str; 2] = [
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
];

/// `ConfirmUsable` for the cluster and user in use. An empty cluster (no kubeconfig, no
/// flags) is [`ConfigError::EmptyConfig`], which lets the in-cluster account take over.
pub fn confirm_usable(
    cluster_name: &str,
    cluster: &Cluster,
    user_name: &str,
    user: &AuthInfo,
) -> Result<(), ConfigError> {
    let mut errors = auth_info_errors(user_name, user);
    let cluster_errors = cluster_errors(cluster_name, cluster);
    if cluster_errors.is_none() && errors.is_empty() {
        return Err(ConfigError::EmptyConfig);
    }
    errors.extend(cluster_errors.unwrap_or_default());
    match errors.is_empty() {
        true => Ok(()),
        false => Err(ConfigError::Invalid(errors)),
    }
}

/// `validateClusterInfo`; `None` for a cluster with nothing set (client-go's
/// `ErrEmptyCluster`).
fn cluster_errors(name: &str, cluster: &Cluster) -> Option<Vec<String>> {
    let empty = |s: &Option<String>| s.as_deref().is_none_or(str::is_empty);
    if empty(&cluster.server)
        && empty(&cluster.certificate_authority)
        && empty(&cluster.certificate_authority_data)
        && empty(&cluster.proxy_url)
        && empty(&cluster.tls_server_name)
        && cluster.insecure_skip_tls_verify != Some(true)
    {
        return None;
    }
    let mut errors = Vec::new();
    if empty(&cluster.server) {
        errors.push(match name.is_empty() {
            true => "default cluster has no server defined".to_string(),
            false => format!("no server found for cluster {name:?}"),
        });
    }
    if let Some(proxy) = cluster.proxy_url.as_deref().filter(|p| !p.is_empty())
        && let Err(reason) = proxy_url_scheme(proxy)
    {
        errors.push(format!(
            "invalid 'proxy-url' {proxy:?} for cluster {name:?}: {reason}"
        ));
    }
    if !empty(&cluster.certificate_authority) && !empty(&cluster.certificate_authority_data) {
        errors.push(format!("certificate-authority-data and certificate-authority are both specified for {name}. certificate-authority-data will override."));
    }
    if let Some(path) = cluster
        .certificate_authority
        .as_deref()
        .filter(|p| !p.is_empty())
        && let Err(e) = std::fs::File::open(path)
    {
        errors.push(format!(
            "unable to read certificate-authority {path} for {name} due to {}",
            go_open_error(path, &e)
        ));
    }
    Some(errors)
}

/// A failed `os.Open` as Go prints it (its `*fs.PathError`): `open PATH: no such file or
/// directory`. Go's Unix errno texts are strerror's with a lower-case first letter
/// (syscall/zerrors_linux_amd64.go); on Windows both Go and Rust ask FormatMessage.
fn go_open_error(path: &str, e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" (os error ") {
        Some(at) => &text[..at],
        None => &text,
    };
    let mut chars = text.chars();
    let text: String = match chars.next() {
        Some(first) if !cfg!(windows) && chars.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_string(),
    };
    format!("open {path}: {text}")
}

/// `parseProxyURL`: Go's `url.Parse`, then one of three schemes. A bare `host:port` does
/// not parse (its "scheme" would hold a dot or digits); `proxy:3128` parses with scheme
/// `proxy`.
pub fn proxy_url_scheme(proxy: &str) -> Result<(), String> {
    let scheme = match proxy.split_once(':') {
        Some((scheme, _)) if is_url_scheme(scheme) => scheme.to_ascii_lowercase(),
        Some((before, _)) if !before.contains('/') => {
            return Err(format!("could not parse: {proxy}"));
        }
        _ => String::new(),
    };
    match scheme.as_str() {
        "http" | "https" | "socks5" => Ok(()),
        other => Err(format!(
            "unsupported scheme {other:?}, must be http, https, or socks5"
        )),
    }
}

/// Go's `getScheme`: a letter, then letters, digits, `+`, `-` or `.`.
fn is_url_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `validateAuthInfo`, less the parts for fields kubeconfigs read here do not have.
fn auth_info_errors(name: &str, user: &AuthInfo) -> Vec<String> {
    let set = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
    let mut errors = Vec::new();
    let mut methods = Vec::new();
    if user.token.is_some() {
        methods.push("token");
    }
    if set(&user.username) || user.password.is_some() {
        methods.push("basicAuth");
    }
    let has_cert = set(&user.client_certificate) || set(&user.client_certificate_data);
    if has_cert {
        if set(&user.client_certificate) && set(&user.client_certificate_data) {
            errors.push(format!("client-cert-data and client-cert are both specified for {name}. client-cert-data will override."));
        }
        if set(&user.client_key) && user.client_key_data.is_some() {
            errors.push(format!("client-key-data and client-key are both specified for {name}; client-key-data will override"));
        }
        if !set(&user.client_key) && user.client_key_data.is_none() {
            errors.push(format!("client-key-data or client-key must be specified for {name} to use the clientCert authentication method."));
        }
        for (what, path) in [
            ("client-cert", &user.client_certificate),
            ("client-key", &user.client_key),
        ] {
            if let Some(path) = path.as_deref().filter(|p| !p.is_empty())
                && let Err(e) = std::fs::File::open(path)
            {
                errors.push(format!(
                    "unable to read {what} {path} for {name} due to {}",
                    go_open_error(path, &e)
                ));
            }
        }
    }
    if let Some(exec) = &user.exec {
        if user.auth_provider.is_some() {
            errors.push(format!(
                "authProvider cannot be provided in combination with an exec plugin for {name}"
            ));
        }
        if !set(&exec.command) {
            errors.push(format!(
                "command must be specified for {name} to use exec authentication plugin"
            ));
        }
        if !set(&exec.api_version) {
            errors.push(format!(
                "apiVersion must be specified for {name} to use exec authentication plugin"
            ));
        }
        for pair in exec.env.iter().flatten() {
            if pair.get("name").is_none_or(String::is_empty) {
                errors.push(format!(
                    "env variable name must be specified for {name} to use exec authentication plugin"
                ));
            }
        }
        // clientcmd's v1 defaults fill in IfAvailable for v1beta1 only (defaults.go
        // `SetDefaults_ExecConfig`): a v1 or version-less exec must say it.
        let defaulted = exec.api_version.as_deref() == Some(EXEC_API_VERSIONS[1]);
        if exec.interactive_mode.is_none() && !defaulted {
            errors.push(format!(
                "interactiveMode must be specified for {name} to use exec authentication plugin"
            ));
        }
    }
    if methods.len() > 1 {
        errors.push(format!(
            "more than one authentication method found for {name}; found [{}], only one is allowed",
            methods.join(" ")
        ));
    }
    let groups = user
        .impersonate_groups
        .as_ref()
        .is_some_and(|g| !g.is_empty());
    if (set(&user.impersonate_uid) || groups) && !set(&user.impersonate) {
        errors.push(format!(
            "requesting uid, groups or user-extra for {name} without impersonating a user"
        ));
    }
    errors
}

/// transport.go `TLSConfigFor`: a CA and skip-verify together are refused.
pub fn check_tls(cluster: &Cluster) -> Result<(), ConfigError> {
    let has_ca =
        cluster.certificate_authority.is_some() || cluster.certificate_authority_data.is_some();
    if has_ca && cluster.insecure_skip_tls_verify == Some(true) {
        return Err(ConfigError::Invalid(vec![
            "specifying a root certificates file with the insecure flag is not allowed".into(),
        ]));
    }
    Ok(())
}

/// The exec plugin's apiVersion, checked when the authenticator is made (exec.go
/// `newAuthenticator`).
pub fn check_exec_version(api_version: Option<&str>) -> Result<(), ConfigError> {
    let version = api_version.unwrap_or_default();
    match EXEC_API_VERSIONS.contains(&version) {
        true => Ok(()),
        false => Err(ConfigError::Invalid(vec![format!(
            "exec plugin: invalid apiVersion {version:?}"
        )])),
    }
}

/// Auth providers client-go still has: `oidc` only. `gcp` and `azure` were removed in 1.26
/// and answer with their own message (plugin/pkg/client/auth/gcp/gcp_stub.go,
/// azure/azure_stub.go); any other name is unknown (rest/plugin.go `GetAuthProvider`).
pub fn check_auth_provider(name: &str) -> Result<(), ConfigError> {
    let message = match name {
        "oidc" => return Ok(()),
        "gcp" => "The gcp auth plugin has been removed.\nPlease use the \"gke-gcloud-auth-plugin\" kubectl/client-go credential plugin instead.\nSee https://cloud.google.com/blog/products/containers-kubernetes/kubectl-auth-changes-in-gke for further details".to_string(),
        "azure" => "The azure auth plugin has been removed.\nPlease use the https://github.com/Azure/kubelogin kubectl/client-go credential plugin instead.\nSee https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins for further details".to_string(),
        other => format!("no Auth Provider found for name {other:?}"),
    };
    // kubectl's three lines as one: our errors are one line, then the hint.
    Err(ConfigError::AuthProvider(message.replace('\n', " ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::config::{AuthProviderConfig, ExecConfig, ExecInteractiveMode};
    use secrecy::SecretString;

    fn cluster(server: Option<&str>) -> Cluster {
        Cluster {
            server: server.map(str::to_string),
            ..Default::default()
        }
    }

    fn messages(result: Result<(), ConfigError>) -> Vec<String> {
        match result {
            Ok(()) => vec![],
            Err(ConfigError::Invalid(errors)) => errors,
            Err(other) => vec![format!("other: {other}")],
        }
    }

    #[test]
    fn clusters_as_validate_cluster_info() {
        let ok = cluster(Some("https://h:6443"));
        assert_eq!(
            messages(confirm_usable("c", &ok, "u", &AuthInfo::default())),
            Vec::<String>::new()
        );
        // Nothing at all: the empty config, which lets the in-cluster account in.
        assert!(matches!(
            confirm_usable("", &Cluster::default(), "", &AuthInfo::default()),
            Err(ConfigError::EmptyConfig)
        ));
        let no_server = Cluster {
            tls_server_name: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(
            messages(confirm_usable("c", &no_server, "u", &AuthInfo::default())),
            vec!["no server found for cluster \"c\""]
        );
        assert_eq!(
            messages(confirm_usable("", &no_server, "u", &AuthInfo::default())),
            vec!["default cluster has no server defined"]
        );
        let mut proxy = ok.clone();
        proxy.proxy_url = Some("ftp://p:21".into());
        assert_eq!(
            messages(confirm_usable("c", &proxy, "u", &AuthInfo::default())),
            vec![
                "invalid 'proxy-url' \"ftp://p:21\" for cluster \"c\": unsupported scheme \"ftp\", must be http, https, or socks5"
            ]
        );
        proxy.proxy_url = Some(String::new());
        assert_eq!(
            messages(confirm_usable("c", &proxy, "u", &AuthInfo::default())),
            Vec::<String>::new()
        );
        let mut both = ok.clone();
        both.certificate_authority = Some("/nonexistent/ca.pem".into());
        both.certificate_authority_data = Some("Q0E=".into());
        assert_eq!(
            messages(confirm_usable("c", &both, "u", &AuthInfo::default())),
            vec![
                "certificate-authority-data and certificate-authority are both specified for c. certificate-authority-data will override.",
                "unable to read certificate-authority /nonexistent/ca.pem for c due to open /nonexistent/ca.pem: no such file or directory",
            ]
        );
    }

    #[test]
    fn proxy_urls_as_parse_proxy_url() {
        let cases = [
            ("http://p:3128", Ok(())),
            ("HTTPS://p", Ok(())),
            ("socks5://u:p@p:1080", Ok(())),
            (
                "127.0.0.1:9",
                Err("could not parse: 127.0.0.1:9".to_string()),
            ),
            (
                "proxy:3128",
                Err("unsupported scheme \"proxy\", must be http, https, or socks5".to_string()),
            ),
            (
                "ftp://p:21",
                Err("unsupported scheme \"ftp\", must be http, https, or socks5".to_string()),
            ),
            // A slash before the colon: no scheme, and the rest parses (an authority).
            (
                "//p:3128",
                Err("unsupported scheme \"\", must be http, https, or socks5".to_string()),
            ),
            (
                "p.example.com",
                Err("unsupported scheme \"\", must be http, https, or socks5".to_string()),
            ),
        ];
        for (proxy, want) in cases {
            assert_eq!(proxy_url_scheme(proxy), want, "{proxy}");
        }
    }

    fn exec(version: Option<&str>, mode: Option<ExecInteractiveMode>) -> ExecConfig {
        ExecConfig {
            api_version: version.map(str::to_string),
            command: Some("login".into()),
            interactive_mode: mode,
            ..Default::default()
        }
    }

    #[test]
    fn users_as_validate_auth_info() {
        let ok = cluster(Some("https://h"));
        let check = |user: AuthInfo| messages(confirm_usable("c", &ok, "me", &user));
        let v1 = "client.authentication.k8s.io/v1";
        let v1beta1 = "client.authentication.k8s.io/v1beta1";
        let token = || Some(SecretString::from("t"));
        let cases: Vec<(AuthInfo, Vec<&str>)> = vec![
            (
                AuthInfo {
                    token: token(),
                    ..Default::default()
                },
                vec![],
            ),
            (
                AuthInfo {
                    token: token(),
                    username: Some("a".into()),
                    ..Default::default()
                },
                vec![
                    "more than one authentication method found for me; found [token basicAuth], only one is allowed",
                ],
            ),
            (
                AuthInfo {
                    exec: Some(exec(Some(v1), None)),
                    ..Default::default()
                },
                vec!["interactiveMode must be specified for me to use exec authentication plugin"],
            ),
            // v1beta1 is defaulted to IfAvailable.
            (
                AuthInfo {
                    exec: Some(exec(Some(v1beta1), None)),
                    ..Default::default()
                },
                vec![],
            ),
            (
                AuthInfo {
                    exec: Some(exec(None, Some(ExecInteractiveMode::Never))),
                    ..Default::default()
                },
                vec!["apiVersion must be specified for me to use exec authentication plugin"],
            ),
            (
                AuthInfo {
                    exec: Some(exec(Some(v1), Some(ExecInteractiveMode::Never))),
                    auth_provider: Some(AuthProviderConfig {
                        name: "oidc".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                vec!["authProvider cannot be provided in combination with an exec plugin for me"],
            ),
            (
                AuthInfo {
                    client_certificate_data: Some("C".into()),
                    ..Default::default()
                },
                vec![
                    "client-key-data or client-key must be specified for me to use the clientCert authentication method.",
                ],
            ),
            (
                AuthInfo {
                    client_certificate_data: Some("C".into()),
                    client_key_data: Some(SecretString::from("K")),
                    ..Default::default()
                },
                vec![],
            ),
            (
                AuthInfo {
                    client_certificate: Some("/nonexistent/cert.pem".into()),
                    client_key: Some(String::new()),
                    client_key_data: Some(SecretString::from("K")),
                    ..Default::default()
                },
                vec![
                    "unable to read client-cert /nonexistent/cert.pem for me due to open /nonexistent/cert.pem: no such file or directory",
                ],
            ),
            (
                AuthInfo {
                    impersonate_groups: Some(vec!["g".into()]),
                    ..Default::default()
                },
                vec!["requesting uid, groups or user-extra for me without impersonating a user"],
            ),
            (
                AuthInfo {
                    impersonate_uid: Some("1".into()),
                    ..Default::default()
                },
                vec!["requesting uid, groups or user-extra for me without impersonating a user"],
            ),
            (
                AuthInfo {
                    impersonate: Some("bob".into()),
                    impersonate_groups: Some(vec!["g".into()]),
                    ..Default::default()
                },
                vec![],
            ),
        ];
        for (user, want) in cases {
            assert_eq!(check(user.clone()), want, "{user:?}");
        }
        let mut env = exec(Some(v1), Some(ExecInteractiveMode::Never));
        env.env = Some(vec![[("value".to_string(), "x".to_string())].into()]);
        assert_eq!(
            check(AuthInfo {
                exec: Some(env),
                ..Default::default()
            }),
            vec!["env variable name must be specified for me to use exec authentication plugin"]
        );
    }

    #[test]
    fn transport_and_plugin_checks() {
        let mut c = cluster(Some("https://h"));
        c.insecure_skip_tls_verify = Some(true);
        assert!(check_tls(&c).is_ok());
        c.certificate_authority_data = Some("Q0E=".into());
        assert_eq!(
            messages(check_tls(&c)),
            vec!["specifying a root certificates file with the insecure flag is not allowed"]
        );
        assert!(check_exec_version(Some("client.authentication.k8s.io/v1")).is_ok());
        assert!(check_exec_version(Some("client.authentication.k8s.io/v1beta1")).is_ok());
        assert_eq!(
            messages(check_exec_version(Some(
                "client.authentication.k8s.io/v1alpha1"
            ))),
            vec!["exec plugin: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\""]
        );
        assert!(check_auth_provider("oidc").is_ok());
        for (name, start) in [
            ("gcp", "The gcp auth plugin has been removed."),
            ("azure", "The azure auth plugin has been removed."),
            ("foo", "no Auth Provider found for name \"foo\""),
        ] {
            let err = check_auth_provider(name).unwrap_err().to_string();
            assert!(err.starts_with(start), "{err}");
        }
    }
}
