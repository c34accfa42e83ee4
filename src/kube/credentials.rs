//! Which of the user's credentials a request carries, decided as client-go decides it:
//! - none at all over plain `http://` (k8s.io/client-go/tools/clientcmd/client_config.go:
//!   user credentials are merged only `if restclient.IsConfigTransportTLS`); impersonation
//!   is still sent;
//! - a token, basic credentials or a client certificate win over a credential plugin, which
//!   is then not run (plugin/pkg/client/auth/exec/exec.go `UpdateTransportConfig`);
//! - a token wins over an `oidc` auth-provider (the bearer round tripper wraps the
//!   provider's, rest/transport.go); `gcp`, `azure` and unknown providers are refused
//!   (validation::check_auth_provider);
//! - a plugin's apiVersion is checked before it runs (exec.go `newAuthenticator`).

use base64::Engine as _;
use kube::config::{AuthInfo, ExecConfig};
use secrecy::ExposeSecret as _;
use zeroize::Zeroizing;

use crate::kube::error::ConfigError;
use crate::kube::validation;

/// A client certificate and its key, PEM.
pub type PemIdentity = (Vec<u8>, Zeroizing<Vec<u8>>);

/// What a request may carry.
pub struct Decided {
    /// Token, basic credentials, oidc provider and impersonation, for kube's layers; never
    /// a client certificate (that is `identity`) nor a credential plugin (that is `exec`).
    pub auth_info: AuthInfo,
    /// The client certificate and key, PEM.
    pub identity: Option<PemIdentity>,
    /// The credential plugin to run, when nothing else identifies the user.
    pub exec: Option<ExecConfig>,
}

/// Applies the rules above to the selected user.
pub fn decide(
    server_is_tls: bool,
    user_name: &str,
    mut user: AuthInfo,
) -> Result<Decided, ConfigError> {
    if !server_is_tls {
        let anonymous = AuthInfo {
            impersonate: user.impersonate.take(),
            impersonate_groups: user.impersonate_groups.take(),
            impersonate_uid: user.impersonate_uid.take(),
            ..Default::default()
        };
        return Ok(Decided {
            auth_info: anonymous,
            identity: None,
            exec: None,
        });
    }
    if let Some(path) = user.token_file.take()
        && user.token.is_none()
    {
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::TokenFile {
            path: path.clone().into(),
            source,
        })?;
        // kubectl trims what the file holds (a trailing newline would break the header).
        user.token = Some(secrecy::SecretString::from(text.trim().to_string()));
    }
    let identity = identity(&mut user)?;
    let has_token = user
        .token
        .as_ref()
        .is_some_and(|t| !t.expose_secret().is_empty());
    let has_basic =
        user.username.as_deref().is_some_and(|u| !u.is_empty()) || user.password.is_some();
    if let Some(provider) = &user.auth_provider {
        validation::check_auth_provider(&provider.name)?;
        if has_token {
            user.auth_provider = None;
        }
    }
    let exec = match user.exec.take() {
        Some(exec) => {
            validation::check_exec_version(exec.api_version.as_deref())?;
            (!has_token && !has_basic && identity.is_none()).then_some(exec)
        }
        None => None,
    };
    // kubectl asks for a basic-auth user and password when nothing identifies the user
    // (client_config.go `canIdentifyUser`, then `PromptingAuthLoader`), and fails without
    // a terminal: an anonymous request is never what it sends over TLS.
    if !has_token
        && !has_basic
        && identity.is_none()
        && exec.is_none()
        && user.auth_provider.is_none()
    {
        return Err(ConfigError::NoCredentials(user_name.to_string()));
    }
    Ok(Decided {
        auth_info: user,
        identity,
        exec,
    })
}

/// The user's client certificate and key as PEM (files read, `-data` decoded), taken out of
/// `user` so that kube does not load them itself (it cannot use X.509 v1 certificates).
fn identity(user: &mut AuthInfo) -> Result<Option<PemIdentity>, ConfigError> {
    let cert = take_pem(
        user.client_certificate.take(),
        user.client_certificate_data.take(),
        "client-certificate",
    )?;
    let key_data = user
        .client_key_data
        .take()
        .map(|k| k.expose_secret().to_string());
    let key = take_pem(user.client_key.take(), key_data, "client-key")?;
    match (cert, key) {
        (Some(cert), Some(key)) => Ok(Some((cert.to_vec(), key))),
        _ => Ok(None),
    }
}

fn take_pem(
    path: Option<String>,
    data: Option<String>,
    what: &str,
) -> Result<Option<Zeroizing<Vec<u8>>>, ConfigError> {
    let bad = |reason: String| ConfigError::ClientCertificate(reason);
    if let Some(data) = data.filter(|d| !d.is_empty()) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| bad(format!("{what}-data is not base64")))?;
        return Ok(Some(Zeroizing::new(decoded)));
    }
    match path.filter(|p| !p.is_empty()) {
        Some(path) => std::fs::read(&path)
            .map(|bytes| Some(Zeroizing::new(bytes)))
            .map_err(|e| bad(format!("cannot read {what} {path}: {e}"))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::config::AuthProviderConfig;
    use secrecy::SecretString;

    fn exec() -> ExecConfig {
        ExecConfig {
            api_version: Some("client.authentication.k8s.io/v1beta1".into()),
            command: Some("login".into()),
            ..Default::default()
        }
    }

    fn provider(name: &str) -> Option<AuthProviderConfig> {
        Some(AuthProviderConfig {
            name: name.into(),
            ..Default::default()
        })
    }

    #[test]
    fn plain_http_carries_no_credential_but_impersonation() {
        let user = AuthInfo {
            token: Some(SecretString::from("t")),
            username: Some("u".into()),
            client_certificate_data: Some("Qw==".into()),
            client_key_data: Some(SecretString::from("Sw==")),
            exec: Some(exec()),
            auth_provider: provider("gcp"),
            impersonate: Some("bob".into()),
            impersonate_groups: Some(vec!["g".into()]),
            impersonate_uid: Some("42".into()),
            ..Default::default()
        };
        let decided = decide(false, "me", user).unwrap();
        assert_eq!(decided.auth_info.impersonate_uid.as_deref(), Some("42"));
        assert!(decided.auth_info.token.is_none());
        assert!(decided.auth_info.username.is_none());
        assert!(decided.auth_info.auth_provider.is_none());
        assert!(decided.identity.is_none() && decided.exec.is_none());
        assert_eq!(decided.auth_info.impersonate.as_deref(), Some("bob"));
        assert_eq!(
            decided.auth_info.impersonate_groups,
            Some(vec!["g".to_string()])
        );
    }

    #[test]
    fn a_token_or_certificate_wins_over_the_plugin() {
        let with = |user: AuthInfo| decide(true, "me", user).unwrap();
        let token = AuthInfo {
            token: Some(SecretString::from("t")),
            exec: Some(exec()),
            ..Default::default()
        };
        assert!(with(token).exec.is_none());
        let cert = AuthInfo {
            client_certificate_data: Some("Qw==".into()),
            client_key_data: Some(SecretString::from("Sw==")),
            exec: Some(exec()),
            ..Default::default()
        };
        let decided = with(cert);
        assert!(decided.exec.is_none());
        let (c, k) = decided.identity.unwrap();
        assert_eq!((c.as_slice(), k.as_slice()), (&b"C"[..], &b"K"[..]));
        assert!(decided.auth_info.client_certificate_data.is_none());
        let alone = AuthInfo {
            exec: Some(exec()),
            ..Default::default()
        };
        assert!(with(alone).exec.is_some());
        // Basic credentials (a user name, or a password alone) win too; empty fields are not
        // credentials, and an empty certificate or key path reads no file.
        let basic = |username: Option<&str>, password: Option<&str>| AuthInfo {
            username: username.map(str::to_string),
            password: password.map(SecretString::from),
            exec: Some(exec()),
            ..Default::default()
        };
        assert!(with(basic(Some("u"), None)).exec.is_none());
        assert!(with(basic(None, Some("p"))).exec.is_none());
        assert!(with(basic(Some(""), None)).exec.is_some());
        let empty_paths = AuthInfo {
            client_certificate: Some(String::new()),
            client_key: Some(String::new()),
            exec: Some(exec()),
            ..Default::default()
        };
        let decided = with(empty_paths);
        assert!(decided.identity.is_none() && decided.exec.is_some());
        // A token beats an oidc provider; gcp is refused, token or not.
        let oidc = AuthInfo {
            token: Some(SecretString::from("t")),
            auth_provider: provider("oidc"),
            ..Default::default()
        };
        assert!(with(oidc).auth_info.auth_provider.is_none());
        let gcp = AuthInfo {
            token: Some(SecretString::from("t")),
            auth_provider: provider("gcp"),
            ..Default::default()
        };
        assert!(matches!(
            decide(true, "me", gcp),
            Err(ConfigError::AuthProvider(_))
        ));
        let old = AuthInfo {
            exec: Some(ExecConfig {
                api_version: Some("client.authentication.k8s.io/v1alpha1".into()),
                ..exec()
            }),
            ..Default::default()
        };
        assert!(matches!(
            decide(true, "me", old),
            Err(ConfigError::Invalid(_))
        ));
        // Nothing at all over TLS: refused (kubectl would prompt for basic credentials).
        assert_eq!(
            decide(true, "me", AuthInfo::default())
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(
                "user \"me\" has no credentials in the kubeconfig (kubectl would ask for a user name and password)"
            )
        );
    }
}
