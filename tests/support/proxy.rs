//! Two loopback proxies, as corporate networks put in front of an API server: an HTTP proxy
//! that tunnels with `CONNECT` (RFC 9110 §9.3.6), and a SOCKS5 proxy (RFC 1928, with the
//! username/password method of RFC 1929). Each logs the tunnels it opened, so a test can
//! compare the paths kubectl and the plugin take. The name `kubesim.test` resolves nowhere
//! but here, to the simulator on 127.0.0.1: a client that bypasses the proxy cannot reach it.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// The name tests give the API server when it must be reached through a proxy.
pub const PROXIED_HOST: &str = "kubesim.test";

/// A running proxy: its address and the tunnels it opened (`host:port`, as asked).
pub struct Proxy {
    pub port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn tunnels(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
    pub fn clear(&self) {
        self.log.lock().unwrap().clear();
    }
}

/// Where a tunnel to `host` really goes: `kubesim.test` and loopback names to 127.0.0.1.
fn resolve(host: &str) -> Option<&'static str> {
    matches!(host, PROXIED_HOST | "127.0.0.1" | "localhost").then_some("127.0.0.1")
}

/// Copies both ways until either side closes.
fn relay(client: TcpStream, upstream: TcpStream) {
    let (mut c_read, mut u_write) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let forward = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c_read, &mut u_write);
        let _ = u_write.shutdown(Shutdown::Write);
    });
    let (mut u_read, mut c_write) = (upstream, client);
    let _ = std::io::copy(&mut u_read, &mut c_write);
    let _ = c_write.shutdown(Shutdown::Write);
    let _ = forward.join();
}

/// A user and password a proxy wants.
type Credentials = (String, String);
/// One accepted connection, served: the stream, the tunnel log, the credentials wanted.
type Handler = fn(TcpStream, &Mutex<Vec<String>>, Option<&Credentials>);

fn serve(handle: Handler, auth: Option<(String, String)>) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let thread_log = log.clone();
    let auth = Arc::new(auth);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = thread_log.clone();
            let auth = auth.clone();
            std::thread::spawn(move || handle(stream, &log, auth.as_ref().as_ref()));
        }
    });
    Proxy { port, log }
}

/// An HTTP proxy answering `CONNECT host:port`; with `auth`, it wants that user and password
/// in `Proxy-Authorization: Basic` and answers 407 otherwise.
pub fn http_connect(auth: Option<(&str, &str)>) -> Proxy {
    serve(
        handle_connect,
        auth.map(|(u, p)| (u.to_string(), p.to_string())),
    )
}

fn handle_connect(
    mut client: TcpStream,
    log: &Mutex<Vec<String>>,
    auth: Option<&(String, String)>,
) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
        if head.len() > 16 * 1024 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let request = lines.next().unwrap_or_default();
    let mut parts = request.split(' ');
    let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    if let Some((user, password)) = auth {
        use base64::Engine as _;
        let wanted = format!(
            "basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let given = lines
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("proxy-authorization"))
            .map(|(_, v)| v.trim().to_ascii_lowercase());
        if given.as_deref() != Some(wanted.to_ascii_lowercase().as_str()) {
            let _ = client.write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 0\r\n\r\n",
            );
            return;
        }
    }
    let Some((host, port)) = target.rsplit_once(':') else {
        return;
    };
    log.lock().unwrap().push(target.to_string());
    let upstream =
        resolve(host).and_then(|ip| TcpStream::connect((ip, port.parse().unwrap_or(0))).ok());
    let Some(upstream) = upstream else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    relay(client, upstream);
}

/// A SOCKS5 proxy; with `auth`, only the username/password method with those.
pub fn socks5(auth: Option<(&str, &str)>) -> Proxy {
    serve(
        handle_socks5,
        auth.map(|(u, p)| (u.to_string(), p.to_string())),
    )
}

fn handle_socks5(mut client: TcpStream, log: &Mutex<Vec<String>>, auth: Option<&(String, String)>) {
    let mut read = |n: usize| -> Option<Vec<u8>> {
        let mut buf = vec![0u8; n];
        client.read_exact(&mut buf).ok().map(|_| buf)
    };
    // Greeting: VER, NMETHODS, METHODS.
    let Some(greeting) = read(2) else { return };
    let Some(methods) = read(greeting[1] as usize) else {
        return;
    };
    let method = if auth.is_some() { 0x02 } else { 0x00 };
    if greeting[0] != 5 || !methods.contains(&method) {
        let _ = client.write_all(&[5, 0xff]);
        return;
    }
    if client.write_all(&[5, method]).is_err() {
        return;
    }
    let mut read = |n: usize| -> Option<Vec<u8>> {
        let mut buf = vec![0u8; n];
        client.read_exact(&mut buf).ok().map(|_| buf)
    };
    if let Some((user, password)) = auth {
        // RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD.
        let Some(head) = read(2) else { return };
        let Some(name) = read(head[1] as usize) else {
            return;
        };
        let Some(plen) = read(1) else { return };
        let Some(pass) = read(plen[0] as usize) else {
            return;
        };
        let ok = name == user.as_bytes() && pass == password.as_bytes();
        if client.write_all(&[1, if ok { 0 } else { 1 }]).is_err() || !ok {
            return;
        }
    }
    let mut read = |n: usize| -> Option<Vec<u8>> {
        let mut buf = vec![0u8; n];
        client.read_exact(&mut buf).ok().map(|_| buf)
    };
    // Request: VER, CMD (1 = CONNECT), RSV, ATYP, address, port.
    let Some(request) = read(4) else { return };
    let host = match request[3] {
        1 => match read(4) {
            Some(ip) => format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]),
            None => return,
        },
        3 => {
            let Some(len) = read(1) else { return };
            match read(len[0] as usize) {
                Some(name) => String::from_utf8_lossy(&name).into_owned(),
                None => return,
            }
        }
        _ => {
            let _ = client.write_all(&[5, 8, 0, 1, 0, 0, 0, 0, 0, 0]);
            return;
        }
    };
    let Some(port) = read(2) else { return };
    let port = u16::from_be_bytes([port[0], port[1]]);
    if request[1] != 1 {
        let _ = client.write_all(&[5, 7, 0, 1, 0, 0, 0, 0, 0, 0]);
        return;
    }
    log.lock().unwrap().push(format!("{host}:{port}"));
    let Some(upstream) = resolve(&host).and_then(|ip| TcpStream::connect((ip, port)).ok()) else {
        let _ = client.write_all(&[5, 4, 0, 1, 0, 0, 0, 0, 0, 0]);
        return;
    };
    if client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).is_err() {
        return;
    }
    relay(client, upstream);
}
