//! Which proxy, if any, carries the connection to the API server, decided as client-go does:
//! the cluster's `proxy-url` wins (k8s.io/client-go/rest/transport.go); otherwise the
//! environment, as Go's `http.ProxyFromEnvironment` reads it
//! (golang.org/x/net/http/httpproxy/proxy.go): `HTTPS_PROXY` for an https server,
//! `HTTP_PROXY` for http (upper case first), never for `localhost` or a loopback address, and
//! not for hosts matching `NO_PROXY`. kube's own reading of the environment matches
//! `NO_PROXY` against the proxy's address instead of the server's, and fails on an empty
//! entry, so the decision is made here and handed to kube whole.

use std::net::IpAddr;

/// Where the proxy setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxySource {
    /// The cluster's `proxy-url` in the kubeconfig.
    Kubeconfig,
    /// This environment variable.
    Environment(&'static str),
}

/// The proxy to use.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    /// With its credentials, for kube only.
    pub url: http::Uri,
    pub source: ProxySource,
}

impl Proxy {
    /// `host:port` of the proxy.
    pub fn address(&self) -> String {
        let port = self.url.port_u16().unwrap_or(match self.url.scheme_str() {
            Some("socks5") => 1080,
            Some("https") => 443,
            _ => 80,
        });
        format!("{}:{port}", self.url.host().unwrap_or_default())
    }

    /// `scheme://host:port`, never the user and password.
    pub fn shown(&self) -> String {
        let scheme = self.url.scheme_str().unwrap_or("http");
        let host = self.url.host().unwrap_or_default();
        match self.url.port_u16() {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        }
    }

    /// `proxy http://proxy:3128 (from HTTPS_PROXY)`.
    pub fn describe(&self) -> String {
        let from = match &self.source {
            ProxySource::Kubeconfig => "the cluster's proxy-url in the kubeconfig".to_string(),
            ProxySource::Environment(var) => var.to_string(),
        };
        format!("proxy {} (from {from})", self.shown())
    }
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Proxy({})", self.describe())
    }
}

/// The proxy variables of the environment, read at the edge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    pub https_proxy: Option<(&'static str, String)>,
    pub http_proxy: Option<(&'static str, String)>,
    pub no_proxy: Option<String>,
}

impl ProxyEnv {
    /// As Go's `httpproxy.FromEnvironment`: upper case first, empty means unset.
    pub fn from_env() -> ProxyEnv {
        ProxyEnv::from_lookup(|name| std::env::var(name).ok())
    }

    /// The decision of [`ProxyEnv::from_env`], with the environment passed in.
    fn from_lookup(var: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let any = |names: [&'static str; 2]| {
            names
                .into_iter()
                .find_map(|name| var(name).filter(|v| !v.is_empty()).map(|v| (name, v)))
        };
        ProxyEnv {
            https_proxy: any(["HTTPS_PROXY", "https_proxy"]),
            http_proxy: any(["HTTP_PROXY", "http_proxy"]),
            no_proxy: any(["NO_PROXY", "no_proxy"]).map(|(_, v)| v),
        }
    }
}

/// A proxy setting that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("the proxy {source_name} is not a valid URL (scheme://host:port)")]
    Invalid { source_name: String },
    #[error("the proxy {shown} has an unsupported scheme: use http, https or socks5")]
    Scheme { shown: String },
}

/// The proxy for `server`, if any.
pub fn choose(
    cluster_proxy_url: Option<&str>,
    server: &http::Uri,
    env: &ProxyEnv,
) -> Result<Option<Proxy>, ProxyError> {
    if let Some(url) = cluster_proxy_url.filter(|u| !u.is_empty()) {
        return parse(url, ProxySource::Kubeconfig).map(Some);
    }
    let var = match server.scheme_str() {
        Some("http") => &env.http_proxy,
        _ => &env.https_proxy,
    };
    let Some((name, value)) = var else {
        return Ok(None);
    };
    let host = server.host().unwrap_or_default();
    let port = server
        .port_u16()
        .unwrap_or(if server.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    if !use_proxy(host, port, env.no_proxy.as_deref().unwrap_or_default()) {
        return Ok(None);
    }
    parse(value, ProxySource::Environment(name)).map(Some)
}

/// A proxy URL; a bare `host:port` means http, as in Go.
fn parse(text: &str, source: ProxySource) -> Result<Proxy, ProxyError> {
    let source_name = match &source {
        ProxySource::Kubeconfig => "proxy-url of the kubeconfig's cluster".to_string(),
        ProxySource::Environment(name) => format!("in {name}"),
    };
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let url: http::Uri = with_scheme.parse().map_err(|_| ProxyError::Invalid {
        source_name: source_name.clone(),
    })?;
    if url.host().is_none_or(str::is_empty) {
        return Err(ProxyError::Invalid { source_name });
    }
    let proxy = Proxy { url, source };
    match proxy.url.scheme_str() {
        Some("http" | "https" | "socks5") => Ok(proxy),
        _ => Err(ProxyError::Scheme {
            shown: proxy.shown(),
        }),
    }
}

/// Go's `useProxy` (golang.org/x/net/http/httpproxy/proxy.go): not for localhost or
/// loopback, nor what `NO_PROXY` names: `*`; IPs and CIDRs (matched against IP hosts only);
/// `host` (itself and its subdomains), `.host` and `*.host` (subdomains only), matched
/// against names only; each with an optional `:port`; empty entries ignored.
pub fn use_proxy(host: &str, port: u16, no_proxy: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    // Go compares an IPv4-mapped IPv6 address as the IPv4 one (net.IP's To4, Equal).
    let ip = host.parse().ok().map(|ip: IpAddr| ip.to_canonical());
    if host == "localhost" || ip.is_some_and(|ip| ip.is_loopback()) {
        return false;
    }
    for entry in no_proxy.split(',') {
        let entry = entry.trim().to_ascii_lowercase();
        if entry.is_empty() {
            continue;
        }
        if entry == "*" {
            return false;
        }
        if let Some((net, bits)) = entry.split_once('/') {
            if let (Some(ip), Ok(net), Ok(bits)) = (ip, net.parse::<IpAddr>(), bits.parse::<u8>())
                && in_cidr(ip, net, bits)
            {
                return false;
            }
            continue;
        }
        let (entry_host, entry_port) = split_port(&entry);
        if entry_port.is_some_and(|p| p != port) {
            continue;
        }
        let entry_host = entry_host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(entry_ip) = entry_host.parse::<IpAddr>() {
            if ip == Some(entry_ip.to_canonical()) {
                return false;
            }
            continue;
        }
        // A name never matches an IP address (httpproxy's domainMatch: `if ip != nil`, since
        // golang/net cde1dda9, in Go 1.23.7 and 1.24.1; kubectl 1.30-1.33 are built with them,
        // 1.27-1.29 with Go 1.22, where `NO_PROXY=3.4` also skipped the proxy for 10.1.3.4).
        if ip.is_some() {
            continue;
        }
        let (suffix, match_host) = match entry_host.strip_prefix("*.") {
            Some(rest) => (format!(".{rest}"), false),
            None if entry_host.starts_with('.') => (entry_host.to_string(), false),
            None => (format!(".{entry_host}"), true),
        };
        if host.ends_with(&suffix) || (match_host && host == suffix[1..]) {
            return false;
        }
    }
    true
}

/// `host:port` → (host, port); IPv6 in brackets keeps its colons.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        return match rest.split_once("]:") {
            Some((host, port)) => (host, port.parse().ok()),
            None => (entry, None),
        };
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(p) => (host, Some(p)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x/net/http/httpproxy's own table (proxy_test.go `UseProxyTests`, `noProxy`), copied
    /// as data: an oracle that shares no code with [`use_proxy`].
    #[test]
    fn upstream_use_proxy_table() {
        let no_proxy = "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64";
        let cases = [
            ("localhost", false),
            ("127.0.0.1", false),
            ("127.0.0.2", false),
            ("[::1]", false),
            ("[::2]", true),
            ("192.168.1.1", false),
            ("192.168.1.2", true),
            ("192.168.1.3", false),
            ("192.168.1.4", true),
            ("10.0.0.2", false),
            ("[2001:db8::52:0:1]", false),
            ("[2001:db8::52:0:2]", true),
            ("[2001:db8::52:0:3]", false),
            ("[2002:db8:a::123]", false),
            ("[fe80::424b:c8be:1643:a1b6]", true),
            ("barbaz.net", true),
            ("www.barbaz.net", false),
            ("foobar.com", false),
            ("www.foobar.com", false),
            ("foofoobar.com", true),
            ("baz.com", true),
            ("localhost.net", true),
            ("local.localhost", true),
            ("barbarbaz.net", true),
            ("wildcard.io", true),
            ("nested.wildcard.io", false),
            ("awildcard.io", true),
        ];
        for (host, want) in cases {
            assert_eq!(use_proxy(host, 80, no_proxy), want, "{host}");
            // TestAllNoProxy: `*` matches everything.
            assert!(!use_proxy(host, 80, "*"), "{host}");
        }
        // TestInvalidNoProxy.
        assert!(use_proxy("example.com", 80, ":1"));
    }

    #[test]
    fn no_proxy_as_go_reads_it() {
        let cases: &[(&str, u16, &str, bool)] = &[
            // Loopback and localhost never go through a proxy.
            ("127.0.0.1", 6443, "", false),
            ("::1", 6443, "", false),
            ("localhost", 6443, "", false),
            ("api.example.com", 443, "", true),
            ("api.example.com", 443, "*", false),
            // A name matches itself and its subdomains; a leading dot or *. only subdomains.
            ("example.com", 443, "example.com", false),
            ("api.example.com", 443, "example.com", false),
            ("notexample.com", 443, "example.com", true),
            ("example.com", 443, ".example.com", true),
            ("api.example.com", 443, ".example.com", false),
            ("api.example.com", 443, "*.example.com", false),
            ("example.com", 443, "*.example.com", true),
            // Case and white space do not matter; empty entries are ignored.
            ("API.Example.com", 443, " ,, example.COM ,", false),
            // Ports.
            ("api.example.com", 6443, "example.com:6443", false),
            ("api.example.com", 443, "example.com:6443", true),
            // IPs and CIDRs.
            ("10.1.2.3", 443, "10.1.2.3", false),
            ("10.1.2.3", 443, "10.0.0.0/8", false),
            ("11.1.2.3", 443, "10.0.0.0/8", true),
            ("10.1.2.3", 443, "10.1.2.3:6443", true),
            ("fd00::1", 443, "fd00::/8", false),
            ("[fd00::1]", 443, "[fd00::1]", false),
            // A CIDR does not match a name.
            ("api.example.com", 443, "10.0.0.0/8", true),
            ("kubesim.test", 6443, ".test", false),
            // A domain entry never matches an IP host, even as a suffix.
            ("10.1.3.4", 443, "3.4", true),
            ("10.1.3.4", 443, ".3.4", true),
            // A prefix longer than the address is no CIDR to net.ParseCIDR: the entry becomes
            // a domain matcher, which never matches an IP address.
            ("10.0.0.1", 443, "10.0.0.0/33", true),
            ("10.0.0.1", 443, "10.0.0.0/32", true),
            ("10.0.0.0", 443, "10.0.0.0/32", false),
            ("10.0.0.1", 443, "0.0.0.0/0", false),
            ("[2001:db8::1]", 443, "2001:db8::/129", true),
            ("[2001:db8::1]", 443, "2001:db8::/128", true),
            ("[2001:db8::1]", 443, "::/0", false),
            ("[2001:db8::1]", 443, "0.0.0.0/0", true),
            // net.IP's To4 and Equal: an IPv4-mapped IPv6 address is the IPv4 one, for the
            // loopback rule, an IP entry and a v4 CIDR (whose length the net keeps as written).
            ("[::ffff:127.0.0.1]", 443, "", false),
            ("[::ffff:10.0.0.1]", 443, "10.0.0.1", false),
            ("10.0.0.1", 443, "::ffff:10.0.0.1", false),
            ("[::ffff:10.0.0.1]", 443, "10.0.0.0/8", false),
            ("[::ffff:10.0.0.1]", 443, "::ffff:10.0.0.0/104", true),
        ];
        for (host, port, no_proxy, want) in cases {
            assert_eq!(
                use_proxy(host, *port, no_proxy),
                *want,
                "{host}:{port} with {no_proxy:?}"
            );
        }
    }

    fn env(https: Option<&str>, http: Option<&str>, no: Option<&str>) -> ProxyEnv {
        ProxyEnv {
            https_proxy: https.map(|v| ("HTTPS_PROXY", v.to_string())),
            http_proxy: http.map(|v| ("HTTP_PROXY", v.to_string())),
            no_proxy: no.map(str::to_string),
        }
    }

    /// Go's httpproxy.FromEnvironment (golang.org/x/net/http/httpproxy/proxy.go, getEnvAny):
    /// the upper-case name first, and an empty value counts as unset, so the lower-case one is
    /// read then.
    #[test]
    fn the_environment_as_go_reads_it() {
        let table: &[(&[(&str, &str)], ProxyEnv)] = &[
            (&[], ProxyEnv::default()),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("https_proxy", "http://b:2")],
                ProxyEnv {
                    https_proxy: Some(("HTTPS_PROXY", "http://a:1".into())),
                    ..ProxyEnv::default()
                },
            ),
            (
                &[("HTTPS_PROXY", ""), ("https_proxy", "http://b:2")],
                ProxyEnv {
                    https_proxy: Some(("https_proxy", "http://b:2".into())),
                    ..ProxyEnv::default()
                },
            ),
            (
                &[
                    ("http_proxy", "http://c:3"),
                    ("NO_PROXY", ""),
                    ("no_proxy", ".corp"),
                ],
                ProxyEnv {
                    http_proxy: Some(("http_proxy", "http://c:3".into())),
                    no_proxy: Some(".corp".into()),
                    ..ProxyEnv::default()
                },
            ),
            (&[("HTTP_PROXY", ""), ("NO_PROXY", "")], ProxyEnv::default()),
        ];
        for (vars, want) in table {
            let got = ProxyEnv::from_lookup(|name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            });
            assert_eq!(&got, want, "{vars:?}");
        }
    }

    /// Debug output (a `--verbose` or a panic message) shows where the proxy came from and
    /// never its password.
    #[test]
    fn debug_shows_the_proxy_without_its_password() {
        let proxy = choose(
            Some("http://user:secret@proxy.corp:3128"),
            &"https://10.0.0.1:6443".parse().unwrap(),
            &ProxyEnv::default(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            format!("{proxy:?}"),
            "Proxy(proxy http://proxy.corp:3128 (from the cluster's proxy-url in the kubeconfig))"
        );
    }

    #[test]
    fn the_clusters_proxy_url_wins_then_the_environment() {
        let server: http::Uri = "https://kubesim.test:6443".parse().unwrap();
        let chosen = |cluster: Option<&str>, e: &ProxyEnv| {
            choose(cluster, &server, e).map(|p| p.map(|p| p.describe()))
        };
        let e = env(Some("http://user:pw@proxy:3128"), None, Some(".test"));
        assert_eq!(
            chosen(Some("socks5://s:1080"), &e),
            Ok(Some(
                "proxy socks5://s:1080 (from the cluster's proxy-url in the kubeconfig)".into()
            ))
        );
        // NO_PROXY matches the server, not the proxy.
        assert_eq!(chosen(None, &e), Ok(None));
        let e = env(Some("http://user:pw@proxy:3128"), None, Some("proxy"));
        assert_eq!(
            chosen(None, &e),
            Ok(Some("proxy http://proxy:3128 (from HTTPS_PROXY)".into()))
        );
        // A bare host:port is http; HTTP_PROXY is only for http servers.
        assert_eq!(
            chosen(None, &env(Some("proxy:3128"), None, None)),
            Ok(Some("proxy http://proxy:3128 (from HTTPS_PROXY)".into()))
        );
        assert_eq!(chosen(None, &env(None, Some("proxy:3128"), None)), Ok(None));
        let plain: http::Uri = "http://kubesim.test:8080".parse().unwrap();
        assert!(
            choose(None, &plain, &env(None, Some("proxy:3128"), None))
                .unwrap()
                .is_some()
        );
        // Loopback servers never use the environment's proxy.
        let local: http::Uri = "https://127.0.0.1:6443".parse().unwrap();
        assert_eq!(
            choose(None, &local, &env(Some("proxy:3128"), None, None)),
            Ok(None)
        );
        // Credentials are never shown, even in errors.
        assert_eq!(
            chosen(None, &env(Some("ftp://user:secret@proxy:21"), None, None)),
            Err(ProxyError::Scheme {
                shown: "ftp://proxy:21".into()
            })
        );
        assert_eq!(
            chosen(Some("socks5://user:secret@s:1080"), &env(None, None, None)),
            Ok(Some(
                "proxy socks5://s:1080 (from the cluster's proxy-url in the kubeconfig)".into()
            ))
        );
        let err = chosen(None, &env(Some("http://user:secret@"), None, None)).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    /// A URL without a port gets its scheme's: Go's canonicalAddr
    /// (golang.org/x/net/http/httpproxy/proxy.go, portMap http 80, https 443, socks5 1080),
    /// for the server NO_PROXY is matched against and for the proxy dialled.
    #[test]
    fn default_ports_as_go_fills_them() {
        let no_proxy = |server: &str, entry: &str| {
            let server: http::Uri = server.parse().unwrap();
            let e = env(Some("proxy:3128"), Some("proxy:3128"), Some(entry));
            choose(None, &server, &e).unwrap().is_none()
        };
        assert!(no_proxy("https://api.example.com", "api.example.com:443"));
        assert!(!no_proxy("https://api.example.com", "api.example.com:6443"));
        assert!(!no_proxy("https://api.example.com", "api.example.com:80"));
        assert!(no_proxy("http://api.example.com", "api.example.com:80"));
        assert!(!no_proxy("http://api.example.com", "api.example.com:443"));
        assert!(no_proxy(
            "https://api.example.com:6443",
            "api.example.com:6443"
        ));

        let address = |url: &str| {
            Proxy {
                url: url.parse().unwrap(),
                source: ProxySource::Kubeconfig,
            }
            .address()
        };
        assert_eq!(address("http://proxy"), "proxy:80");
        assert_eq!(address("https://proxy"), "proxy:443");
        assert_eq!(address("socks5://user:pw@proxy"), "proxy:1080");
        assert_eq!(address("http://proxy:3128"), "proxy:3128");
    }
}
