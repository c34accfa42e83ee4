//! Pod lists read page by page (`limit` and `continue`, as kubectl's `--chunk-size`), each
//! page handed to a [`PodSink`] and dropped before the next is asked for: memory depends on the
//! page size, not on the number of pods.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::ListParams;
use kube::core::{ListMeta, ObjectList, PartialObjectMeta};
use serde::de::DeserializeOwned;

use crate::kube::connection::Connection;
use crate::kube::error::{ApiCall, ApiCallError, ApiFailure};

/// Pods asked for per request, as kubectl's default chunk size. A server may send fewer.
pub const PAGE: u32 = 500;

/// What a pod list is reduced to as it arrives.
pub trait PodSink {
    fn pod(&mut self, pod: Pod);
    /// The list starts over (its continue token expired): forget what was seen.
    fn restart(&mut self);
}

/// What to do after a page failed (pure, for the table test).
#[derive(Debug, PartialEq, Eq)]
enum NextStep {
    /// Ask again after this pause: a list has no side effects.
    Retry(Duration),
    /// Start the list over without `continue`.
    Restart,
    Fail,
}

/// A 5xx or a dropped connection is retried with backoff (three tries in all). A 410 Expired
/// on a continued list restarts it once: client-go's pager (k8s.io/client-go/tools/pager/
/// pager.go, `FullListIfExpired`) falls back to a full list there; we start over in pages, so
/// that memory stays bounded.
fn next_step(err: &ApiFailure, attempt: u32, continued: bool, restarted: bool) -> NextStep {
    // apimachinery's errors.IsResourceExpired: the reason, whatever the code.
    let expired = matches!(err, ApiFailure::Kube(kube::Error::Api(status))
        if status.reason == "Expired");
    if expired && continued && !restarted {
        NextStep::Restart
    } else if attempt < 3 && is_transient(err) {
        NextStep::Retry(Duration::from_millis(200) * 3u32.pow(attempt - 1))
    } else {
        NextStep::Fail
    }
}

/// Errors worth another try for a read-only request.
fn is_transient(err: &ApiFailure) -> bool {
    match err {
        ApiFailure::Kube(kube::Error::Api(status)) => status.code >= 500,
        ApiFailure::Kube(kube::Error::HyperError(_)) => true,
        _ => false,
    }
}

impl Connection {
    /// The namespace's pods (optionally by label selector), page by page into `sink`.
    pub async fn list_pods(
        &self,
        selector: Option<&str>,
        sink: &mut impl PodSink,
    ) -> Result<(), ApiCallError> {
        let call = ApiCall::ListPods {
            namespace: self.namespace.clone(),
        };
        self.list_into(self.pods(), selector, sink)
            .await
            .map_err(|err| self.api_error(call, err))
    }

    /// Pods of every namespace, page by page into `sink`, failing as the call it is.
    pub async fn list_pods_in_all_namespaces(
        &self,
        selector: Option<&str>,
        sink: &mut impl PodSink,
    ) -> Result<(), ApiCallError> {
        self.list_pods_everywhere(selector, sink)
            .await
            .map_err(|err| self.api_error(ApiCall::ListPodsEverywhere, err))
    }

    /// Pods of every namespace, page by page into `sink`.
    pub async fn list_pods_everywhere(
        &self,
        selector: Option<&str>,
        sink: &mut impl PodSink,
    ) -> Result<(), ApiFailure> {
        self.list_into(Api::all(self.client.clone()), selector, sink)
            .await
    }

    /// The names of the namespace's pods, from metadata-only pages (client-go's metadata
    /// client; about a third of a pod's JSON): for completion, which has 2 s.
    pub async fn list_pod_names(&self) -> Result<Vec<String>, ApiFailure> {
        let mut names = Vec::new();
        self.pages::<PartialObjectMeta<Pod>>(self.pods().resource_url(), true, None, |item| {
            match item {
                Some(pod) => names.extend(pod.metadata.name),
                None => names.clear(),
            }
        })
        .await?;
        Ok(names)
    }

    async fn list_into(
        &self,
        api: Api<Pod>,
        selector: Option<&str>,
        sink: &mut impl PodSink,
    ) -> Result<(), ApiFailure> {
        self.pages::<Pod>(api.resource_url(), false, selector, |item| match item {
            Some(pod) => sink.pod(pod),
            None => sink.restart(),
        })
        .await
    }

    /// [`follow_pages`] against the API server: each request under `--request-timeout`, each
    /// page's items parsed on a blocking thread while the next page is asked for.
    async fn pages<K>(
        &self,
        url: &str,
        metadata_only: bool,
        selector: Option<&str>,
        each: impl FnMut(Option<K>),
    ) -> Result<(), ApiFailure>
    where
        K: DeserializeOwned + Clone + Send + 'static,
    {
        let fetch = |params: ListParams| {
            let request = kube::core::Request::new(url);
            let client = self.client.clone();
            let asked = match metadata_only {
                true => request.list_metadata(&params),
                false => request.list(&params),
            };
            async move {
                let mut request = asked.map_err(kube::Error::BuildRequest)?;
                request.extensions_mut().insert("list");
                let body = self.timed(client.request_text(request)).await?;
                read_head(body)
            }
        };
        let parse = |body: String| async move {
            tokio::task::spawn_blocking(move || serde_json::from_str::<ObjectList<K>>(&body))
                .await
                .map_err(|e| ApiFailure::Kube(kube::Error::Service(Box::new(e))))?
                .map(|list| list.items)
                .map_err(|e| ApiFailure::Kube(kube::Error::SerdeError(e)))
        };
        follow_pages(selector, fetch, parse, each, tokio::time::sleep).await
    }
}

/// A page as it arrived: its `continue` token read at once, its items still text, so that
/// the next page can be asked for before these are parsed.
#[derive(Debug)]
struct Page<B> {
    continue_: Option<String>,
    body: B,
}

/// Reads a list's `metadata` only (serde skips the items without building them).
fn read_head(body: String) -> Result<Page<String>, ApiFailure> {
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(default)]
        metadata: ListMeta,
    }
    let head: Head =
        serde_json::from_str(&body).map_err(|e| ApiFailure::Kube(kube::Error::SerdeError(e)))?;
    Ok(Page {
        continue_: head.metadata.continue_.filter(|t| !t.is_empty()),
        body,
    })
}

/// Follows `continue` to the end, handing each item to `each` (`None`: the list starts over),
/// retrying after `pause` and restarting as [`next_step`] says. The next page is asked for
/// before this page's items are parsed: the server builds it while we read (a list is one
/// request after another, each waiting on the token of the last). The fetch, the parse and
/// the pause are parameters so that the tests can play the API server and the clock.
async fn follow_pages<B, K, Fut, Parsed, Pause>(
    selector: Option<&str>,
    fetch: impl Fn(ListParams) -> Fut,
    parse: impl Fn(B) -> Parsed,
    mut each: impl FnMut(Option<K>),
    pause: impl Fn(Duration) -> Pause,
) -> Result<(), ApiFailure>
where
    Fut: Future<Output = Result<Page<B>, ApiFailure>>,
    Parsed: Future<Output = Result<Vec<K>, ApiFailure>>,
    Pause: Future<Output = ()>,
{
    let mut first = ListParams::default().limit(PAGE);
    if let Some(selector) = selector {
        first = first.labels(selector);
    }
    let mut params = first.clone();
    let mut attempt = 1;
    let mut restarted = false;
    let mut answer = fetch(params.clone()).await;
    loop {
        let page = match answer {
            Ok(page) => page,
            Err(err) => {
                match next_step(&err, attempt, params.continue_token.is_some(), restarted) {
                    NextStep::Retry(wait) => {
                        pause(wait).await;
                        attempt += 1;
                    }
                    NextStep::Restart => {
                        each(None);
                        params = first.clone();
                        restarted = true;
                        attempt = 1;
                    }
                    NextStep::Fail => return Err(err),
                }
                answer = fetch(params.clone()).await;
                continue;
            }
        };
        attempt = 1;
        let Some(token) = page.continue_ else {
            parse(page.body)
                .await?
                .into_iter()
                .for_each(|item| each(Some(item)));
            return Ok(());
        };
        params = params.continue_token(&token);
        // The next request goes out first (join polls in order), then this page is parsed.
        let (next, items) = futures::future::join(fetch(params.clone()), parse(page.body)).await;
        items?.into_iter().for_each(|item| each(Some(item)));
        answer = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn status(code: u16, reason: &str) -> ApiFailure {
        ApiFailure::Kube(kube::Error::Api(Box::new(kube::core::Status {
            code,
            reason: reason.into(),
            ..Default::default()
        })))
    }

    /// A scripted API server for [`follow_pages`]: answers the requests in turn (a request
    /// beyond the script fails the test instead of looping), records the continue token and
    /// limit of each, and the pauses taken between them.
    struct Script {
        answers: RefCell<Vec<Result<Page<Vec<u32>>, ApiFailure>>>,
        asked: RefCell<Vec<(Option<String>, Option<u32>)>>,
        pauses: RefCell<Vec<Duration>>,
        seen: RefCell<Vec<Option<u32>>>,
        /// Requests (`ask TOKEN`), parses and items in the order they happened.
        events: RefCell<Vec<String>>,
    }

    /// A page as `read_head` leaves it (an empty token is the end).
    fn page(items: &[u32], token: &str) -> Result<Page<Vec<u32>>, ApiFailure> {
        Ok(Page {
            continue_: Some(token.to_string()).filter(|t| !t.is_empty()),
            body: items.to_vec(),
        })
    }

    fn play(answers: Vec<Result<Page<Vec<u32>>, ApiFailure>>) -> (Script, Result<(), String>) {
        play_parsing(answers, Ok)
    }

    fn play_parsing(
        answers: Vec<Result<Page<Vec<u32>>, ApiFailure>>,
        parse: impl Fn(Vec<u32>) -> Result<Vec<u32>, ApiFailure>,
    ) -> (Script, Result<(), String>) {
        let script = Script {
            answers: RefCell::new(answers.into_iter().rev().collect()),
            asked: RefCell::default(),
            pauses: RefCell::default(),
            seen: RefCell::default(),
            events: RefCell::default(),
        };
        let fetch = |params: ListParams| {
            let token = params.continue_token.clone();
            script.events.borrow_mut().push(format!("ask {token:?}"));
            script.asked.borrow_mut().push((token, params.limit));
            let answer = script.answers.borrow_mut().pop();
            std::future::ready(answer.expect("a request beyond the script"))
        };
        let parse = |body: Vec<u32>| {
            script.events.borrow_mut().push(format!("parse {body:?}"));
            std::future::ready(parse(body))
        };
        let pause = |wait| {
            script.pauses.borrow_mut().push(wait);
            std::future::ready(())
        };
        let each = |item: Option<u32>| {
            script.events.borrow_mut().push(format!("item {item:?}"));
            script.seen.borrow_mut().push(item)
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = runtime
            .block_on(follow_pages(None, fetch, parse, each, pause))
            .map_err(|e| e.to_string());
        (script, result)
    }

    /// The server builds the next page while this one is parsed: each request after the
    /// first goes out before the items of the page whose token it carries are parsed.
    #[test]
    fn the_next_page_is_asked_for_before_this_one_is_parsed() {
        let (script, result) = play(vec![page(&[1, 2], "t1"), page(&[3], "")]);
        assert_eq!(result, Ok(()));
        assert_eq!(
            *script.events.borrow(),
            [
                "ask None",
                r#"ask Some("t1")"#,
                "parse [1, 2]",
                "item Some(1)",
                "item Some(2)",
                "parse [3]",
                "item Some(3)",
            ]
        );
    }

    /// A page that cannot be parsed ends the list (no retry: the server said what it said),
    /// after the pages before it were handed on.
    #[test]
    fn a_page_that_cannot_be_parsed_ends_the_list() {
        let bad = |items: Vec<u32>| match items.contains(&0) {
            true => Err(ApiFailure::TimedOut(Duration::from_secs(9))),
            false => Ok(items),
        };
        let (script, result) = play_parsing(
            vec![page(&[1], "t1"), page(&[0], "t2"), page(&[3], "")],
            bad,
        );
        assert!(result.unwrap_err().contains("9s"));
        assert_eq!(*script.seen.borrow(), [Some(1)]);
        assert_eq!(script.asked.borrow().len(), 3);
        assert!(script.pauses.borrow().is_empty());
    }

    #[test]
    fn the_head_of_a_list_is_read_without_its_items() {
        let body = r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"abc"},"items":[{"metadata":{"name":"a"}},"not a pod"]}"#;
        let page = read_head(body.to_string()).unwrap();
        assert_eq!(page.continue_.as_deref(), Some("abc"));
        assert_eq!(page.body, body);
        for last in [
            r#"{"metadata":{"continue":""},"items":[]}"#,
            r#"{"metadata":{"resourceVersion":"7"},"items":[]}"#,
            r#"{"items":[]}"#,
        ] {
            assert_eq!(
                read_head(last.to_string()).unwrap().continue_,
                None,
                "{last}"
            );
        }
        assert!(read_head("<html>proxy error</html>".to_string()).is_err());
    }

    #[test]
    fn follows_continue_tokens_to_the_end() {
        let (script, result) = play(vec![page(&[1, 2], "t1"), page(&[3], "t2"), page(&[4], "")]);
        assert_eq!(result, Ok(()));
        assert_eq!(
            *script.asked.borrow(),
            [
                (None, Some(PAGE)),
                (Some("t1".into()), Some(PAGE)),
                (Some("t2".into()), Some(PAGE)),
            ]
        );
        assert_eq!(*script.seen.borrow(), [Some(1), Some(2), Some(3), Some(4)]);
        assert!(script.pauses.borrow().is_empty());
    }

    #[test]
    fn retries_pause_as_the_schedule_says() {
        let (script, result) = play(vec![
            page(&[1], "t1"),
            Err(status(503, "ServiceUnavailable")),
            Err(status(500, "InternalError")),
            page(&[2], ""),
        ]);
        assert_eq!(result, Ok(()));
        // The failed request is asked again as it was, after 200 ms, then 600 ms.
        assert_eq!(
            *script.pauses.borrow(),
            [Duration::from_millis(200), Duration::from_millis(600)]
        );
        let tokens: Vec<_> = script.asked.borrow().iter().map(|a| a.0.clone()).collect();
        let t1 = Some("t1".to_string());
        assert_eq!(tokens, [None, t1.clone(), t1.clone(), t1]);
        assert_eq!(*script.seen.borrow(), [Some(1), Some(2)]);

        // A third failure in a row is the end; a success in between starts the count anew.
        let (script, result) = play(vec![
            Err(status(503, "ServiceUnavailable")),
            page(&[1], "t1"),
            Err(status(503, "ServiceUnavailable")),
            Err(status(503, "ServiceUnavailable")),
            Err(status(503, "ServiceUnavailable")),
        ]);
        assert!(result.unwrap_err().contains("503"));
        assert_eq!(script.pauses.borrow().len(), 3);
        assert_eq!(script.asked.borrow().len(), 5);
    }

    #[test]
    fn an_expired_token_restarts_the_list_once() {
        let (script, result) = play(vec![
            page(&[1], "t1"),
            Err(status(410, "Expired")),
            page(&[1], "t2"),
            page(&[2], ""),
        ]);
        assert_eq!(result, Ok(()));
        assert_eq!(*script.seen.borrow(), [Some(1), None, Some(1), Some(2)]);
        let tokens: Vec<_> = script.asked.borrow().iter().map(|a| a.0.clone()).collect();
        assert_eq!(tokens, [None, Some("t1".into()), None, Some("t2".into())]);

        let (script, result) = play(vec![
            page(&[1], "t1"),
            Err(status(410, "Expired")),
            page(&[1], "t2"),
            Err(status(410, "Expired")),
        ]);
        assert!(result.is_err());
        assert_eq!(script.asked.borrow().len(), 4);
        assert!(script.pauses.borrow().is_empty());
    }

    /// A real `hyper::Error` (it has no public constructor): an answer that is not HTTP, as
    /// a connection cut mid-answer or a stray proxy gives.
    fn hyper_error() -> ApiFailure {
        use http_body_util::Empty;
        use hyper::body::Bytes;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let err = runtime.block_on(async {
            let (client, mut server) = tokio::io::duplex(1024);
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(
                    hyper_util::rt::TokioIo::new(client),
                )
                .await
                .unwrap();
            tokio::spawn(connection);
            tokio::io::AsyncWriteExt::write_all(&mut server, b"not HTTP at all\r\n\r\n")
                .await
                .unwrap();
            sender
                .send_request(http::Request::new(Empty::new()))
                .await
                .unwrap_err()
        });
        ApiFailure::Kube(kube::Error::HyperError(err))
    }

    #[test]
    fn what_follows_a_failed_page() {
        let ms = Duration::from_millis;
        let table = [
            // (error, attempt, continued, restarted) → step
            (
                status(503, "ServiceUnavailable"),
                1,
                false,
                false,
                NextStep::Retry(ms(200)),
            ),
            (
                status(500, "InternalError"),
                2,
                true,
                false,
                NextStep::Retry(ms(600)),
            ),
            (
                status(500, "InternalError"),
                3,
                false,
                false,
                NextStep::Fail,
            ),
            (status(403, "Forbidden"), 1, false, false, NextStep::Fail),
            // A connection that broke: retried as a 5xx is.
            (hyper_error(), 1, false, false, NextStep::Retry(ms(200))),
            (hyper_error(), 3, true, false, NextStep::Fail),
            (status(410, "Expired"), 1, true, false, NextStep::Restart),
            // Once only; and a first page cannot expire a token it did not send.
            (status(410, "Expired"), 1, true, true, NextStep::Fail),
            (status(410, "Expired"), 1, false, false, NextStep::Fail),
            (status(410, "Gone"), 1, true, false, NextStep::Fail),
            (status(504, "Expired"), 1, true, false, NextStep::Restart),
        ];
        for (err, attempt, continued, restarted, want) in table {
            assert_eq!(
                next_step(&err, attempt, continued, restarted),
                want,
                "{err} attempt {attempt} continued {continued} restarted {restarted}"
            );
        }
    }
}
