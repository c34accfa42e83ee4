//! The HTTP client to the API server, put together here rather than by kube's
//! `ClientBuilder::try_from`, for two things client-go does and kube does not:
//! - a SOCKS5 proxy with a user and password (golang.org/x/net/proxy/socks5.go, RFC 1928 with
//!   RFC 1929): kube hands hyper-util's connector no credentials, and hyper-util offers one
//!   method only. Here the handshake happens inside this process's connector: no local
//!   listener another user could borrow.
//! - a client certificate that is X.509 v1 (`openssl x509 -req` without extensions): rustls
//!   checks a certificate against its key by parsing it with webpki, which refuses v1; Go's
//!   crypto/tls sends it. The key is loaded and the chain presented as is.
//!
//! The rest follows kube's own stack (kube-client client/builder.rs): base URI, auth and
//! impersonation headers from kube's `ConfigExt`, kube's TLS settings (CA, skip-verify, server
//! name), HTTP and HTTPS proxies through hyper-util's tunnel.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Response;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::rt::{TokioExecutor, TokioIo};
use kube::Client;
use kube::client::{Body, ClientBuilder, ConfigExt, DynBody};
use rustls::client::ResolvesClientCert;
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::{BoxError, Service, ServiceBuilder};
use zeroize::Zeroizing;

use crate::kube::error::ConfigError;

/// A client certificate and its key, parsed from PEM.
pub struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Identity {
    /// The certificate chain and key as PEM text (a kubeconfig's files or decoded `-data`,
    /// or what a credential plugin printed).
    pub fn from_pem(cert: &[u8], key: &[u8]) -> Result<Identity, ConfigError> {
        let bad = |what: &str| ConfigError::ClientCertificate(what.to_string());
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert)
            .collect::<Result<_, _>>()
            .map_err(|_| bad("the client certificate is not PEM"))?;
        if chain.is_empty() {
            return Err(bad("the client certificate holds no CERTIFICATE block"));
        }
        let key = PrivateKeyDer::from_pem_slice(key)
            .map_err(|_| bad("the client key is not a PEM private key (PKCS#1, PKCS#8 or SEC1)"))?;
        Ok(Identity { chain, key })
    }

    fn certified_key(&self) -> Result<Arc<CertifiedKey>, ConfigError> {
        let signer = rustls::crypto::ring::default_provider()
            .key_provider
            .load_private_key(self.key.clone_key())
            .map_err(|e| {
                ConfigError::ClientCertificate(format!("the client key cannot be used: {e}"))
            })?;
        Ok(Arc::new(CertifiedKey::new(self.chain.clone(), signer)))
    }
}

/// Presents the one certificate we have, whatever the server hints.
#[derive(Debug)]
struct FixedClientCert(Arc<CertifiedKey>);

impl ResolvesClientCert for FixedClientCert {
    fn resolve(&self, _: &[&[u8]], _: &[rustls::SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
    fn has_certs(&self) -> bool {
        true
    }
}

/// A SOCKS5 proxy and its credentials.
#[derive(Clone)]
pub struct SocksProxy {
    /// `host:port`.
    pub address: String,
    pub credentials: Option<Arc<(Zeroizing<String>, Zeroizing<String>)>>,
}

/// The client for `config` (its `auth_info` must hold no client certificate: that is
/// `identity`), through `proxy_url`'s proxy when there is one.
pub fn build_client(
    config: &kube::Config,
    identity: Option<&Identity>,
    socks: Option<SocksProxy>,
    limit: fn(Response<Box<DynBody>>) -> Response<Box<DynBody>>,
) -> Result<Client, ConfigError> {
    let mut tls = config.rustls_client_config().map_err(ConfigError::Client)?;
    if let Some(identity) = identity {
        tls.client_auth_cert_resolver = Arc::new(FixedClientCert(identity.certified_key()?));
    }
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    if let Some(socks) = socks {
        return finish(
            Socks5 {
                proxy: socks,
                inner: http,
            },
            tls,
            config,
            limit,
        );
    }
    match config.proxy_url.as_ref() {
        None => finish(http, tls, config, limit),
        Some(proxy) => {
            let tunnel = Tunnel::new(proxy.clone(), http);
            let tunnel = match basic_auth(proxy) {
                Some(header) => tunnel.with_auth(header),
                None => tunnel,
            };
            finish(tunnel, tls, config, limit)
        }
    }
}

/// `Proxy-Authorization: Basic` from the proxy URL's user info, percent-decoded as Go's
/// url.Userinfo is.
fn basic_auth(proxy: &http::Uri) -> Option<http::HeaderValue> {
    use base64::Engine as _;
    let (user, password) = proxy_credentials(proxy)?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(Zeroizing::new(format!(
        "{}:{}",
        user.as_str(),
        password.as_str()
    )));
    let mut value = http::HeaderValue::from_str(&format!("Basic {encoded}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// The user and password of a proxy URL (`scheme://user:pass@host:port`), percent-decoded.
pub fn proxy_credentials(url: &http::Uri) -> Option<(Zeroizing<String>, Zeroizing<String>)> {
    let authority = url.authority()?.as_str();
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    Some((
        Zeroizing::new(percent_decode(user)),
        Zeroizing::new(percent_decode(password)),
    ))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// TLS over `connector`, then kube's layers, as kube-client's `make_generic_builder`.
fn finish<H>(
    connector: H,
    tls: rustls::ClientConfig,
    config: &kube::Config,
    limit: fn(Response<Box<DynBody>>) -> Response<Box<DynBody>>,
) -> Result<Client, ConfigError>
where
    H: Service<http::Uri> + Clone + Send + Sync + 'static,
    H::Response: hyper_util::client::legacy::connect::Connection
        + hyper::rt::Read
        + hyper::rt::Write
        + Send
        + Unpin
        + 'static,
    H::Future: Send + 'static,
    H::Error: Into<BoxError>,
{
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    let builder = match &config.tls_server_name {
        Some(name) => {
            let name = rustls_pki_types::ServerName::try_from(name.clone())
                .map_err(|_| ConfigError::BadTlsServerName(name.clone()))?;
            builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name))
        }
        None => builder,
    };
    let mut connector =
        hyper_timeout::TimeoutConnector::new(builder.enable_http1().wrap_connector(connector));
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    let client: hyper_util::client::legacy::Client<_, Body> =
        hyper_util::client::legacy::Builder::new(TokioExecutor::new()).build(connector);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer().map_err(ConfigError::Client)?)
        .layer(config.extra_headers_layer().map_err(ConfigError::Client)?)
        .map_err(BoxError::from)
        .map_response(limit)
        .map_response(|response: Response<hyper::body::Incoming>| {
            response.map(|body| {
                let body = http_body_util::BodyExt::map_err(body, BoxError::from);
                Box::new(body) as Box<DynBody>
            })
        })
        .service(client);
    Ok(ClientBuilder::new(service, config.default_namespace.clone()).build())
}

/// A connector that reaches each destination through a SOCKS5 proxy.
#[derive(Clone)]
struct Socks5 {
    proxy: SocksProxy,
    inner: HttpConnector,
}

impl Service<http::Uri> for Socks5 {
    type Response = TokioIo<TcpStream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<TokioIo<TcpStream>>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(io::Error::other)
    }

    fn call(&mut self, destination: http::Uri) -> Self::Future {
        let proxy = self.proxy.clone();
        Box::pin(async move {
            let host = destination
                .host()
                .ok_or_else(|| io::Error::other("the server address has no host"))?
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let port = destination
                .port_u16()
                .unwrap_or(match destination.scheme_str() {
                    Some("http") => 80,
                    _ => 443,
                });
            let mut stream = TcpStream::connect(&proxy.address).await?;
            let credentials = proxy
                .credentials
                .as_deref()
                .map(|(u, p)| (u.as_str(), p.as_str()));
            socks5_connect(&mut stream, &host, port, credentials).await?;
            Ok(TokioIo::new(stream))
        })
    }
}

/// The SOCKS5 client side as golang.org/x/net/internal/socks (client.go, socks.go) does it:
/// offer "no authentication" and, with credentials, "username/password" too; answer whichever
/// the proxy picks; CONNECT to the host by name (the proxy resolves it).
pub async fn socks5_connect<S>(
    stream: &mut S,
    host: &str,
    port: u16,
    credentials: Option<(&str, &str)>,
) -> io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    const VERSION: u8 = 5;
    const NO_AUTH: u8 = 0;
    const USER_PASSWORD: u8 = 2;
    let greeting: &[u8] = match credentials {
        Some(_) => &[VERSION, 2, NO_AUTH, USER_PASSWORD],
        None => &[VERSION, 1, NO_AUTH],
    };
    stream.write_all(greeting).await?;
    let mut chosen = [0u8; 2];
    stream.read_exact(&mut chosen).await?;
    if chosen[0] != VERSION {
        return Err(io::Error::other("the proxy does not speak SOCKS5"));
    }
    match (chosen[1], credentials) {
        (NO_AUTH, _) => {}
        (USER_PASSWORD, Some((user, password))) => {
            let too_long =
                || io::Error::other("the SOCKS5 user or password is longer than 255 bytes");
            let mut auth = Zeroizing::new(Vec::with_capacity(3 + user.len() + password.len()));
            auth.push(1);
            auth.push(u8::try_from(user.len()).map_err(|_| too_long())?);
            auth.extend_from_slice(user.as_bytes());
            auth.push(u8::try_from(password.len()).map_err(|_| too_long())?);
            auth.extend_from_slice(password.as_bytes());
            stream.write_all(&auth).await?;
            let mut status = [0u8; 2];
            stream.read_exact(&mut status).await?;
            if status[1] != 0 {
                return Err(io::Error::other(
                    "the SOCKS5 proxy refused the user and password",
                ));
            }
        }
        (0xff, None) => {
            return Err(io::Error::other(
                "the SOCKS5 proxy wants a user and password, and the proxy URL has none",
            ));
        }
        _ => {
            return Err(io::Error::other(
                "the SOCKS5 proxy accepts no offered authentication method",
            ));
        }
    }
    let name = host.as_bytes();
    let mut request = vec![VERSION, 1, 0];
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            request.push(1);
            request.extend_from_slice(&ip.octets());
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            request.push(4);
            request.extend_from_slice(&ip.octets());
        }
        Err(_) => {
            request.push(3);
            request.push(
                u8::try_from(name.len()).map_err(|_| io::Error::other("host name too long"))?,
            );
            request.extend_from_slice(name);
        }
    }
    request.extend_from_slice(&port.to_be_bytes());
    stream.write_all(&request).await?;
    let mut reply = [0u8; 4];
    stream.read_exact(&mut reply).await?;
    if reply[1] != 0 {
        return Err(io::Error::other(format!(
            "the SOCKS5 proxy could not connect: {}",
            socks5_reply(reply[1])
        )));
    }
    let skip = match reply[3] {
        1 => 4,
        4 => 16,
        3 => {
            let mut len = [0u8; 1];
            stream.read_exact(&mut len).await?;
            len[0] as usize
        }
        other => return Err(io::Error::other(format!("SOCKS5 address type {other}"))),
    };
    let mut rest = vec![0u8; skip + 2];
    stream.read_exact(&mut rest).await?;
    Ok(())
}

/// RFC 1928's reply codes, as Go's socks package names them.
fn socks5_reply(code: u8) -> &'static str {
    match code {
        1 => "general SOCKS server failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unknown code",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_credentials_are_read_and_decoded() {
        let url: http::Uri = "socks5://corp:p%40ss%3Aw@proxy:1080".parse().unwrap();
        let (user, password) = proxy_credentials(&url).unwrap();
        assert_eq!((user.as_str(), password.as_str()), ("corp", "p@ss:w"));
        let url: http::Uri = "socks5://proxy:1080".parse().unwrap();
        assert!(proxy_credentials(&url).is_none());
        // A % that starts no escape stays, as Go's unescape would refuse rather than guess.
        assert_eq!(percent_decode("a%+Ab%2"), "a%+Ab%2");
    }

    /// An X.509 v1 client certificate, as `openssl x509 -req` makes it (the usual tutorial):
    /// rustls's own check (webpki) refuses it, which kube reported as "invalid private key";
    /// our client presents it as Go's crypto/tls does.
    #[test]
    fn an_x509_v1_client_certificate_is_usable() {
        let root = env!("CARGO_MANIFEST_DIR");
        let read =
            |name: &str| std::fs::read(format!("{root}/tests/fixtures/x509v1/{name}")).unwrap();
        let identity = Identity::from_pem(&read("client.crt"), &read("client.key")).unwrap();
        // The cause, shown: rustls's builder refuses this certificate.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let refused = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_client_auth_cert(identity.chain.clone(), identity.key.clone_key());
        assert!(refused.is_err());
        let config = kube::Config::new("https://127.0.0.1:6443".parse().unwrap());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _guard = runtime.enter();
        assert!(build_client(&config, Some(&identity), None, |r| r).is_ok());
        assert!(identity.certified_key().unwrap().cert.len() == 1);
    }

    /// One exchange against a scripted proxy: what the client wrote, and its result.
    async fn exchange(
        proxy_says: &'static [u8],
        credentials: Option<(&str, &str)>,
    ) -> (Vec<u8>, io::Result<()>) {
        let (mut client, mut server) = tokio::io::duplex(1024);
        let writer = tokio::spawn(async move {
            server.write_all(proxy_says).await.unwrap();
            let mut seen = Vec::new();
            let _ = server.read_to_end(&mut seen).await;
            seen
        });
        let result = socks5_connect(&mut client, "kubesim.test", 6443, credentials).await;
        drop(client);
        (writer.await.unwrap(), result)
    }

    #[tokio::test]
    async fn socks5_offers_both_methods_and_follows_the_proxys_choice() {
        let connect_ok: &[u8] = &[5, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        // No credentials: one method.
        let (seen, result) = exchange(connect_ok, None).await;
        result.unwrap();
        assert_eq!(&seen[..3], &[5, 1, 0]);
        assert_eq!(&seen[3..8], &[5, 1, 0, 3, 12]);
        assert_eq!(&seen[8..20], b"kubesim.test");
        assert_eq!(&seen[20..], &6443u16.to_be_bytes());
        // Credentials, and a proxy that wants none: no RFC 1929 exchange (Go does the same).
        let (seen, result) = exchange(connect_ok, Some(("u", "p"))).await;
        result.unwrap();
        assert_eq!(&seen[..4], &[5, 2, 0, 2]);
        assert_eq!(seen[4], 5, "the CONNECT follows the greeting: {seen:?}");
        // Credentials asked for and accepted.
        let (seen, result) = exchange(
            &[5, 2, 1, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0],
            Some(("u", "pw")),
        )
        .await;
        result.unwrap();
        assert_eq!(&seen[4..10], &[1, 1, b'u', 2, b'p', b'w']);
        // Refused credentials, a proxy that wants credentials we lack, a refused CONNECT.
        let (_, result) = exchange(&[5, 2, 1, 1], Some(("u", "bad"))).await;
        assert_eq!(
            result.unwrap_err().to_string(),
            "the SOCKS5 proxy refused the user and password"
        );
        let (_, result) = exchange(&[5, 0xff], None).await;
        assert_eq!(
            result.unwrap_err().to_string(),
            "the SOCKS5 proxy wants a user and password, and the proxy URL has none"
        );
        let (_, result) = exchange(&[5, 0, 5, 2, 0, 1, 0, 0, 0, 0, 0, 0], None).await;
        assert_eq!(
            result.unwrap_err().to_string(),
            "the SOCKS5 proxy could not connect: connection not allowed by ruleset"
        );
    }
}
