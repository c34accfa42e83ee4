//! One request as the routes see it: method, decoded path and query, headers, body, identity.

use hyper::body::Bytes;

use crate::auth::Identity;

pub(crate) struct Ctx {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
    pub identity: Identity,
}

impl Ctx {
    pub(crate) fn q(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(qk, _)| qk == k)
            .map(|(_, v)| v.as_str())
    }
    pub(crate) fn q_all(&self, k: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(qk, _)| qk == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub(crate) fn user(&self) -> String {
        self.identity.name().unwrap_or_default()
    }
    pub(crate) fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(k).and_then(|v| v.to_str().ok())
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        assert_eq!(
            parse_query("command=a%20b&command=c+d&x"),
            vec![
                ("command".to_string(), "a b".to_string()),
                ("command".to_string(), "c d".to_string()),
                ("x".to_string(), String::new())
            ]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
