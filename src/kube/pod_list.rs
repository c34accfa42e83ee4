//! Pod lists read page by page (`limit` and `continue`, as kubectl's `--chunk-size`), each
//! page handed to a [`PodSink`] and dropped before the next is asked for: memory depends on the
//! page size, not on the number of pods.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::ListParams;
use kube::core::ObjectList;

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
        let api = self.pods();
        let mut names = Vec::new();
        let fetch = |params: ListParams| {
            let api = api.clone();
            async move { api.list_metadata(&params).await }
        };
        self.pages(None, fetch, |item| match item {
            Some(pod) => names.extend(pod.metadata.name),
            None => names.clear(),
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
        let fetch = |params: ListParams| {
            let api = api.clone();
            async move { api.list(&params).await }
        };
        self.pages(selector, fetch, |item| match item {
            Some(pod) => sink.pod(pod),
            None => sink.restart(),
        })
        .await
    }

    /// Follows `continue` to the end, handing each item to `each` (`None`: the list starts
    /// over), retrying and restarting as [`next_step`] says.
    async fn pages<K: Clone, Fut>(
        &self,
        selector: Option<&str>,
        fetch: impl Fn(ListParams) -> Fut,
        mut each: impl FnMut(Option<K>),
    ) -> Result<(), ApiFailure>
    where
        Fut: Future<Output = Result<ObjectList<K>, kube::Error>>,
    {
        let mut first = ListParams::default().limit(PAGE);
        if let Some(selector) = selector {
            first = first.labels(selector);
        }
        let mut params = first.clone();
        let mut attempt = 1;
        let mut restarted = false;
        loop {
            let page = match self.timed(fetch(params.clone())).await {
                Ok(page) => page,
                Err(err) => {
                    match next_step(&err, attempt, params.continue_token.is_some(), restarted) {
                        NextStep::Retry(pause) => {
                            tokio::time::sleep(pause).await;
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
                    continue;
                }
            };
            attempt = 1;
            for item in page.items {
                each(Some(item));
            }
            match page.metadata.continue_ {
                Some(token) if !token.is_empty() => params = params.continue_token(&token),
                _ => return Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, reason: &str) -> ApiFailure {
        ApiFailure::Kube(kube::Error::Api(Box::new(kube::core::Status {
            code,
            reason: reason.into(),
            ..Default::default()
        })))
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
