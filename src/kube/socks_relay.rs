//! SOCKS5 with a user and password. kube 5 hands a SOCKS5 proxy's URL to hyper-util without
//! its credentials (client/builder.rs calls `SocksV5::new` but never `with_auth`), where
//! client-go sends them (golang.org/x/net/proxy, RFC 1929). So kube gets a SOCKS5 proxy of
//! ours on 127.0.0.1 that asks for nothing, and each of its connections is relayed to the real
//! proxy after the username/password exchange. The credentials stay in this process's memory.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zeroize::Zeroizing;

/// The user and password of a proxy URL (`socks5://user:pass@host:port`), percent-decoded.
pub fn credentials(url: &http::Uri) -> Option<(Zeroizing<String>, Zeroizing<String>)> {
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

/// Starts the relay to `upstream` (`host:port`) and returns the URL to give kube.
pub async fn start(
    upstream: String,
    user: Zeroizing<String>,
    password: Zeroizing<String>,
) -> io::Result<http::Uri> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let local = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let (upstream, user, password) = (upstream.clone(), user.clone(), password.clone());
            tokio::spawn(async move {
                let _ = relay(client, &upstream, &user, &password).await;
            });
        }
    });
    format!("socks5://{local}")
        .parse()
        .map_err(|e| io::Error::other(format!("{e}")))
}

/// One connection: a SOCKS5 server towards kube, a client with RFC 1929 auth upstream.
async fn relay(
    mut client: TcpStream,
    upstream: &str,
    user: &str,
    password: &str,
) -> io::Result<()> {
    // kube's greeting (VER, NMETHODS, METHODS): we accept "no authentication".
    let mut head = [0u8; 2];
    client.read_exact(&mut head).await?;
    let mut methods = vec![0u8; head[1] as usize];
    client.read_exact(&mut methods).await?;
    client.write_all(&[5, 0]).await?;
    let request = read_request(&mut client).await?;

    let mut proxy = match TcpStream::connect(upstream).await {
        Ok(proxy) => proxy,
        Err(e) => {
            // General failure: kube reports the proxy as not reachable.
            client.write_all(&[5, 1, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
            return Err(e);
        }
    };
    proxy.write_all(&[5, 1, 2]).await?;
    let mut chosen = [0u8; 2];
    proxy.read_exact(&mut chosen).await?;
    let mut auth = Zeroizing::new(Vec::with_capacity(3 + user.len() + password.len()));
    auth.push(1);
    auth.push(u8::try_from(user.len()).map_err(io::Error::other)?);
    auth.extend_from_slice(user.as_bytes());
    auth.push(u8::try_from(password.len()).map_err(io::Error::other)?);
    auth.extend_from_slice(password.as_bytes());
    let mut status = [0u8; 2];
    if chosen == [5, 2] {
        proxy.write_all(&auth).await?;
        proxy.read_exact(&mut status).await?;
    }
    if chosen != [5, 2] || status[1] != 0 {
        // Connection not allowed by ruleset: the credentials (or the method) were refused.
        client.write_all(&[5, 2, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
        return Err(io::Error::other("the SOCKS5 proxy refused the credentials"));
    }
    proxy.write_all(&request).await?;
    let reply = read_request(&mut proxy).await?;
    client.write_all(&reply).await?;
    if reply[1] != 0 {
        return Ok(());
    }
    tokio::io::copy_bidirectional(&mut client, &mut proxy).await?;
    Ok(())
}

/// A request or a reply (VER, CMD/REP, RSV, ATYP, address, port), whole.
async fn read_request(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut message = vec![0u8; 4];
    stream.read_exact(&mut message).await?;
    let address = match message[3] {
        1 => 4,
        4 => 16,
        3 => {
            let mut len = [0u8; 1];
            stream.read_exact(&mut len).await?;
            message.push(len[0]);
            len[0] as usize
        }
        other => return Err(io::Error::other(format!("address type {other}"))),
    };
    let start = message.len();
    message.resize(start + address + 2, 0);
    stream.read_exact(&mut message[start..]).await?;
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_read_and_decoded() {
        let url: http::Uri = "socks5://corp:p%40ss%3Aw@proxy:1080".parse().unwrap();
        let (user, password) = credentials(&url).unwrap();
        assert_eq!((user.as_str(), password.as_str()), ("corp", "p@ss:w"));
        let url: http::Uri = "socks5://proxy:1080".parse().unwrap();
        assert!(credentials(&url).is_none());
    }
}
