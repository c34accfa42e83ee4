//! Pod lists read page by page: the plugin follows `continue` (kubesim pages as the API server
//! does, and serves fewer pods per page than asked when told to, as a real server may), starts
//! over once on a 410 Expired (client-go's tools/pager/pager.go), and keeps only a summary of a
//! big namespace.

use kubesim::fixtures::{app_pod, coder_v2};
use kubesim::{Scenario, Sim};

use crate::support::TestEnv;

const V2_POD: &str = "coder-5d8f7b9c4-abcde";

/// Scenario v2 with 24 application pods beside Coder, 2 pods a page: the Coder pod is
/// several pages in ("cart-", "catalog-", "checkout-" sort before "coder-").
fn crowded() -> TestEnv {
    let mut builder = Sim::builder().scenario(Scenario::V2);
    for i in 0..24 {
        builder = builder.pod(app_pod("coder", i));
    }
    let env = TestEnv::start(builder);
    env.sim.cap_list_pages(Some(2));
    env
}

fn pod_lists(env: &TestEnv) -> Vec<(String, u16)> {
    env.sim
        .requests()
        .into_iter()
        .filter(|r| r.uri.starts_with("/api/v1/namespaces/coder/pods?"))
        .map(|r| (r.uri, r.status))
        .collect()
}

#[test]
fn the_plugin_follows_continue_to_the_coder_pod() {
    let env = crowded();
    let run = env.plugin().args(["status", "-o", "json"]).run();
    run.success();
    assert_eq!(run.json()["pod"]["name"], V2_POD, "{}", run.stdout);
    let lists = pod_lists(&env);
    // 27 pods, 2 a page.
    assert_eq!(lists.len(), 14, "{lists:?}");
    assert!(lists[0].0.contains("limit=500") && !lists[0].0.contains("continue="));
    assert!(lists[1..].iter().all(|(uri, _)| uri.contains("continue=")));
}

#[test]
fn an_expired_continue_token_starts_the_list_over_once() {
    let env = crowded();
    env.sim.expire_continue_tokens(1);
    let run = env.plugin().args(["status", "-o", "json"]).run();
    run.success();
    assert_eq!(run.json()["pod"]["name"], V2_POD);
    let lists = pod_lists(&env);
    let expired = lists.iter().position(|(_, status)| *status == 410).unwrap();
    // The next request starts again without `continue`, and the list then goes to its end.
    assert!(!lists[expired + 1].0.contains("continue="), "{lists:?}");
    assert_eq!(lists.len() - expired - 1, 14, "{lists:?}");
}

#[test]
fn a_list_that_expires_twice_is_reported() {
    let env = crowded();
    env.sim.expire_continue_tokens(2);
    let run = env.plugin().args(["status"]).run();
    run.code(1);
    assert_eq!(
        run.stderr,
        "error: cannot list pods in namespace \"coder\": its continue token expired twice while the pages were read (410 Expired)\nhint: the API server compacts its history faster than the list can be read; run the command again\n"
    );
}

#[test]
fn a_big_namespace_is_summed_up() {
    let mut builder = Sim::builder().scenario(Scenario::V2).namespace("apps");
    for i in 0..30 {
        builder = builder.pod(app_pod("apps", i));
    }
    let env = TestEnv::start(builder);
    env.sim.cap_list_pages(Some(7));
    let run = env.plugin().args(["status", "-n", "apps"]).run();
    run.code(3);
    assert!(
        run.stdout
            .contains("\n  … and 20 more (of all 30: 30 not a Coder server pod)\n"),
        "{}",
        run.stdout
    );
    // The hint's look across namespaces pages too.
    assert_eq!(
        run.stderr,
        "hint: Coder server pods run in namespace coder: add -n coder\n"
    );
}

#[test]
fn the_hint_looks_through_every_page_of_every_namespace() {
    let builder = Sim::builder()
        .scenario(Scenario::V2)
        .namespace("apps")
        .namespace("zz-coder")
        .pod(coder_v2("zz-coder", "coder-6c9d8e7f5-vwxyz"))
        .pod(app_pod("apps", 1));
    let env = TestEnv::start(builder);
    env.sim.cap_list_pages(Some(1));
    let run = env.plugin().args(["status", "-n", "apps"]).run();
    run.code(3);
    assert_eq!(
        run.stderr,
        "hint: Coder server pods run in namespace coder, zz-coder: add -n coder\n"
    );
}

#[test]
fn completion_lists_pods_of_every_page() {
    let env = crowded();
    let out = env
        .plugin()
        .args(["__complete", "status", "--pod", ""])
        .run();
    let names: Vec<&str> = out.stdout.lines().filter(|l| !l.starts_with(':')).collect();
    assert_eq!(names.len(), 27, "{}", out.stdout);
    assert!(names.contains(&V2_POD));
    // Names only: metadata pages, as client-go's metadata client asks for them.
    let lists: Vec<_> = env
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.uri.starts_with("/api/v1/namespaces/coder/pods?"))
        .collect();
    assert_eq!(lists.len(), 14);
    assert!(lists.iter().all(|r| {
        r.headers
            .iter()
            .any(|(k, v)| k == "accept" && v.contains("as=PartialObjectMetadataList"))
    }));
}

/// A failed page is asked again after 200 ms, then 600 ms (a list changes nothing), and the
/// list then goes on to its end. The pauses are read from the simulator's arrival times: a busy
/// machine can only lengthen them.
#[test]
fn a_failed_page_is_retried_with_backoff() {
    let env = crowded();
    env.sim.fail_next(2, "/api/v1/namespaces/coder/pods", 503);
    let run = env.plugin().args(["status", "-o", "json"]).run();
    run.success();
    assert_eq!(run.json()["pod"]["name"], V2_POD);
    let lists: Vec<_> = env
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.uri.starts_with("/api/v1/namespaces/coder/pods?"))
        .collect();
    let statuses: Vec<u16> = lists.iter().map(|r| r.status).collect();
    assert_eq!(statuses[..3], [503, 503, 200], "{statuses:?}");
    assert_eq!(statuses.len(), 16, "{statuses:?}");
    let pauses: Vec<_> = lists[..3]
        .windows(2)
        .map(|pair| pair[1].received - pair[0].received)
        .collect();
    assert!(
        pauses[0] >= std::time::Duration::from_millis(200),
        "{pauses:?}"
    );
    assert!(
        pauses[1] >= std::time::Duration::from_millis(600),
        "{pauses:?}"
    );
}
