//! Chunked lists as the API server serves them: `limit` and `continue`.
//!
//! Upstream (kubernetes/kubernetes):
//! - `staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go` (`GetList`): items in key order
//!   from the continue token's start key; at most `limit` of them; `metadata.continue` names
//!   the key after the last one returned; `remainingItemCount` only when the list has no
//!   label or field selector (`pred.Empty()`); an invalid token is a 400 ("invalid continue
//!   token: ..."); a token with resourceVersion -1 continues at the latest one.
//! - `staging/src/k8s.io/apiserver/pkg/storage/etcd3/errors.go` (`interpretListError`,
//!   `handleCompactedErrorForPaging`): a token whose resourceVersion was compacted away is a
//!   410 `Expired` whose Status carries, in `metadata.continue`, a token at resourceVersion -1
//!   (the rest of the list, inconsistent), and says so.
//! - `staging/src/k8s.io/apiserver/pkg/storage/continue.go`: the token is unpadded base64url of
//!   `{"v":"meta.k8s.io/v1","rv":<list resourceVersion>,"start":"<key after the prefix>"}`.
//!
//! The simulator keeps no history: a continued list shows the current pods from the start key
//! on (an etcd server shows them as of the token's resourceVersion), under that
//! resourceVersion. "Compaction" is a fault switch: [`crate::Sim::expire_continue_tokens`].

use base64::Engine as _;
use serde_json::{Value, json};

/// etcd3/errors.go's `inconsistentContinue`: the 410 for a compacted continue token.
pub(crate) const EXPIRED: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// What the list request asked for, and what the server allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging<'a> {
    /// `limit`: 0 is everything.
    pub limit: usize,
    pub continue_: Option<&'a str>,
    /// The most this server returns in one page when a limit is given (a real server may
    /// return fewer items than asked).
    pub cap: Option<usize>,
    /// The list has a label or field selector (then no `remainingItemCount`).
    pub filtered: bool,
}

/// One page: the items, and the list metadata upstream sets.
#[derive(Debug, PartialEq)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub resource_version: u64,
    pub continue_: Option<String>,
    pub remaining: Option<usize>,
}

impl<T> Page<T> {
    pub(crate) fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            resource_version: self.resource_version,
            continue_: self.continue_,
            remaining: self.remaining,
        }
    }
}

/// Why a continue token is refused.
#[derive(Debug, PartialEq)]
pub(crate) enum Refused {
    /// 400 BadRequest.
    Invalid(String),
    /// 410 Gone, reason Expired, with the token for the (inconsistent) rest of the list.
    Expired { continue_: String },
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Token {
    v: String,
    rv: i64,
    start: String,
}

/// `storage.EncodeContinue`.
pub(crate) fn encode_continue(start: &str, rv: i64) -> String {
    let token = Token {
        v: "meta.k8s.io/v1".into(),
        rv,
        start: start.into(),
    };
    let json = serde_json::to_vec(&token).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// `storage.DecodeContinue`: the start key and resourceVersion, or continue.go's error.
pub(crate) fn decode_continue(token: &str) -> Result<(String, i64), String> {
    let invalid = "continue key is not valid";
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|e| format!("{invalid}: {e}"))?;
    let token: Token = serde_json::from_slice(&bytes).map_err(|e| format!("{invalid}: {e}"))?;
    if token.v != "meta.k8s.io/v1" {
        return Err(format!(
            "{invalid}: server does not recognize this encoded version {}",
            token.v
        ));
    }
    if token.rv == 0 {
        return Err(format!(
            "{invalid}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
        ));
    }
    if token.start.is_empty() {
        return Err(format!(
            "{invalid}: encoded start key empty (version meta.k8s.io/v1)"
        ));
    }
    Ok((token.start, token.rv))
}

/// One page of `items` (each with its storage key, sorted here), at resourceVersion `rv`;
/// tokens at or below `compacted` are expired.
pub(crate) fn page<T>(
    mut items: Vec<(String, T)>,
    paging: Paging<'_>,
    rv: u64,
    compacted: u64,
) -> Result<Page<T>, Refused> {
    let (start, list_rv) = match paging.continue_.filter(|t| !t.is_empty()) {
        Some(token) => {
            let (start, token_rv) = decode_continue(token)
                .map_err(|e| Refused::Invalid(format!("invalid continue token: {e}")))?;
            match u64::try_from(token_rv) {
                Ok(at) if at <= compacted => {
                    let continue_ = encode_continue(&start, -1);
                    return Err(Refused::Expired { continue_ });
                }
                Ok(at) => (start, at),
                // -1: at the latest resourceVersion.
                Err(_) => (start, rv),
            }
        }
        None => (String::new(), rv),
    };
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items.retain(|(key, _)| *key >= start);
    let limit = match (paging.limit, paging.cap) {
        (0, _) => usize::MAX,
        (limit, Some(cap)) => limit.min(cap.max(1)),
        (limit, None) => limit,
    };
    let rest = items.split_off(limit.min(items.len()));
    // The next key: the last returned one with a NUL after it, as etcd3's store does.
    let continue_ = match (items.last(), rest.is_empty()) {
        (Some((last, _)), false) => Some(encode_continue(
            &format!("{last}\u{0}"),
            i64::try_from(list_rv).unwrap_or(i64::MAX),
        )),
        _ => None,
    };
    let remaining = (continue_.is_some() && !paging.filtered).then_some(rest.len());
    Ok(Page {
        items: items.into_iter().map(|(_, item)| item).collect(),
        resource_version: list_rv,
        continue_,
        remaining,
    })
}

/// The list's `metadata`: `resourceVersion`, and `continue` and `remainingItemCount` on every
/// page but the last.
pub(crate) fn list_metadata<T>(page: &Page<T>) -> Value {
    let mut meta = json!({"resourceVersion": page.resource_version.to_string()});
    if let Some(token) = &page.continue_ {
        meta["continue"] = Value::String(token.clone());
    }
    if let Some(n) = page.remaining {
        meta["remainingItemCount"] = json!(n);
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<(String, usize)> {
        (0..n).map(|i| (format!("pod-{i:02}"), i)).collect()
    }

    fn asked(limit: usize, continue_: Option<&str>) -> Paging<'_> {
        Paging {
            limit,
            continue_,
            cap: None,
            filtered: false,
        }
    }

    #[test]
    fn pages_follow_each_other_to_the_end() {
        let first = page(keys(5), asked(2, None), 7, 0).unwrap();
        assert_eq!(
            (first.items.as_slice(), first.remaining),
            (&[0, 1][..], Some(3))
        );
        let token = first.continue_.unwrap();
        assert_eq!(decode_continue(&token).unwrap(), ("pod-01\u{0}".into(), 7));
        let second = page(keys(5), asked(2, Some(&token)), 9, 0).unwrap();
        assert_eq!(
            (second.items.as_slice(), second.resource_version),
            (&[2, 3][..], 7)
        );
        let last = page(keys(5), asked(2, second.continue_.as_deref()), 9, 0).unwrap();
        assert_eq!(
            (last.items.as_slice(), last.continue_, last.remaining),
            (&[4][..], None, None)
        );
    }

    #[test]
    fn limits_caps_selectors_and_refusals() {
        // No limit: everything, no token.
        let all = page(keys(3), asked(0, None), 1, 0).unwrap();
        assert_eq!((all.items.len(), all.continue_), (3, None));
        // An exact fit leaves no token (etcd3 looks one key ahead).
        assert_eq!(page(keys(2), asked(2, None), 1, 0).unwrap().continue_, None);
        // The server's cap wins over a larger limit; a selector hides the remaining count.
        let capped = page(
            keys(5),
            Paging {
                cap: Some(2),
                filtered: true,
                ..asked(500, None)
            },
            1,
            0,
        )
        .unwrap();
        assert_eq!(
            (
                capped.items.len(),
                capped.continue_.is_some(),
                capped.remaining
            ),
            (2, true, None)
        );
        // A compacted token is expired, and the answer offers the rest at the latest version,
        // which continues where the old token would have.
        let token = encode_continue("pod-01\u{0}", 4);
        let Err(Refused::Expired { continue_ }) = page(keys(5), asked(2, Some(&token)), 9, 4)
        else {
            panic!("not expired")
        };
        assert_eq!(
            decode_continue(&continue_).unwrap(),
            ("pod-01\u{0}".into(), -1)
        );
        let rest = page(keys(5), asked(2, Some(&continue_)), 9, 4).unwrap();
        assert_eq!(
            (rest.items.as_slice(), rest.resource_version),
            (&[2, 3][..], 9)
        );
        // A malformed one is a bad request.
        assert!(matches!(
            page(keys(5), asked(2, Some("not-a-token!")), 9, 0),
            Err(Refused::Invalid(m)) if m.starts_with("invalid continue token: continue key is not valid")
        ));
    }
}
