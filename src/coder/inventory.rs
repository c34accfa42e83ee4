//! Every Coder deployment in the cluster (`status -A`, and the choice offered when none runs in
//! the namespace), from one cluster-wide pod list fed one pod at a time. Pure: each rule is
//! tested with hand-built pods. Per deployment only the pod a command would use is kept, so
//! memory depends on the number of deployments, not of pods.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use crate::coder::locate::{Overrides, judge, target, valid_pod_name};
use crate::coder::pods::{Role, classify, labels};
use crate::coder::target::Target;
use crate::kube::pod_list::PodSink;

/// One Coder deployment: the server pods of one generation and one Helm release
/// (`app.kubernetes.io/instance`) in one namespace. Workspaces, provisioners, workspace
/// proxies and v1 satellites are not deployments ([`classify`] tells them apart).
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub namespace: String,
    pub release: Option<String>,
    /// The pod a command would run in, chosen as `locate` chooses in one namespace (Ready
    /// first, then one a controller owns, then the first by name); when no pod is Ready, the
    /// first server pod, for its version and spec.
    pub target: Target,
    /// Whether `target` can run a command now (Running, Ready, not being deleted).
    pub usable: bool,
    /// Server pods that can run a command now.
    pub ready: usize,
    /// Server pods in all.
    pub pods: usize,
}

impl Deployment {
    /// `namespace/release`, or the namespace alone for pods without the release label.
    pub fn name(&self) -> String {
        match &self.release {
            Some(release) => format!("{}/{release}", self.namespace),
            None => self.namespace.clone(),
        }
    }
}

/// Orders deployments by namespace, then release, then v1 before v2.
type Key = (String, String, bool);

/// The deployments found so far; a [`PodSink`] for cluster-wide pod lists.
#[derive(Debug, Default)]
pub struct Inventory {
    overrides: Overrides,
    found: BTreeMap<Key, Deployment>,
    seen: usize,
}

impl Inventory {
    /// `--generation` keeps only that generation's deployments; `-c` names the container.
    /// (`--pod` names one pod in one namespace: it has no meaning here.)
    pub fn new(overrides: &Overrides) -> Inventory {
        Inventory {
            overrides: Overrides {
                pod: None,
                selector: None,
                ..overrides.clone()
            },
            ..Default::default()
        }
    }

    pub fn add(&mut self, pod: &Pod) {
        self.seen += 1;
        let Role::Server {
            generation,
            container,
            detected_by,
        } = classify(pod)
        else {
            return;
        };
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        let Some(namespace) = pod.metadata.namespace.clone() else {
            return;
        };
        if !valid_pod_name(name)
            || self
                .overrides
                .generation
                .is_some_and(|g| g.is_v1() != generation.is_v1())
        {
            return;
        }
        let (candidate, usable) = match judge(&namespace, pod, &self.overrides) {
            Ok(target) => (target, true),
            Err(_) => {
                let container = self.overrides.container.clone().unwrap_or(container);
                let generation = self.overrides.generation.unwrap_or(generation);
                (
                    target(&namespace, pod, generation, container, detected_by),
                    false,
                )
            }
        };
        let release = labels(pod).get("app.kubernetes.io/instance").cloned();
        let key = (
            namespace.clone(),
            release.clone().unwrap_or_default(),
            generation.is_v1(),
        );
        let deployment = self.found.entry(key).or_insert_with(|| Deployment {
            namespace,
            release,
            target: candidate.clone(),
            usable,
            ready: 0,
            pods: 0,
        });
        deployment.pods += 1;
        deployment.ready += usize::from(usable);
        if rank(&candidate, usable) < rank(&deployment.target, deployment.usable) {
            deployment.target = candidate;
            deployment.usable = usable;
        }
    }

    /// How many pods were seen (of every kind).
    pub fn seen(&self) -> usize {
        self.seen
    }

    /// The deployments by namespace, then release.
    pub fn finish(self) -> Vec<Deployment> {
        self.found.into_values().collect()
    }
}

/// Which pod stands for a deployment: smaller is better.
fn rank(target: &Target, usable: bool) -> (bool, bool, &str) {
    (!usable, target.controller.is_none(), &target.pod)
}

impl PodSink for Inventory {
    fn pod(&mut self, pod: Pod) {
        self.add(&pod);
    }
    fn restart(&mut self) {
        *self = Inventory::new(&self.overrides);
    }
}

/// The deployments worth offering instead of stopping, in the order shown: only those with a
/// pod that can run a command now (of `--generation`'s family, when given), those of the
/// namespace asked for first (two releases, v1 beside v2), then the others by namespace.
pub fn offer(deployments: &[Deployment], current_namespace: &str) -> Vec<usize> {
    let mut offered: Vec<usize> = (0..deployments.len())
        .filter(|&i| deployments[i].usable)
        .collect();
    // A stable sort keeps the namespace and release order within each group.
    offered.sort_by_key(|&i| deployments[i].namespace != current_namespace);
    offered
}

/// One line per offered deployment, its columns aligned: where it runs, what it runs, which
/// pod. Typing part of any of it filters (the namespace, the release, `v1`, the version).
pub fn labels_for(deployments: &[Deployment], offered: &[usize]) -> Vec<String> {
    let columns: Vec<[String; 3]> = offered
        .iter()
        .map(|&i| {
            let d = &deployments[i];
            let t = &d.target;
            [
                d.name(),
                format!(
                    "{} {}",
                    t.generation.name(),
                    t.version.as_deref().unwrap_or("(version unknown)")
                ),
                format!("pod {}", t.pod),
            ]
        })
        .collect();
    let width = |c: usize| columns.iter().map(|r| r[c].chars().count()).max();
    let (w0, w1) = (width(0).unwrap_or(0), width(1).unwrap_or(0));
    columns
        .into_iter()
        .map(|[a, b, c]| {
            crate::text::sanitize_line(&format!("{a:<w0$}   {b:<w1$}   {c}")).into_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coder::locate::tests::pod;
    use crate::coder::target::Generation;

    fn in_namespace(mut pod: Pod, namespace: &str) -> Pod {
        pod.metadata.namespace = Some(namespace.into());
        pod
    }

    fn v2(name: &str, namespace: &str, release: &str) -> Pod {
        in_namespace(
            pod(
                name,
                &[
                    ("app.kubernetes.io/name", "coder"),
                    ("app.kubernetes.io/instance", release),
                ],
                &[("coder", &["server"])],
            ),
            namespace,
        )
    }

    fn v1(name: &str, namespace: &str) -> Pod {
        in_namespace(
            pod(
                name,
                &[("coder.deployment", "coderd")],
                &[("coderd", &["run"])],
            ),
            namespace,
        )
    }

    fn not_ready(mut pod: Pod) -> Pod {
        pod.status = None;
        pod
    }

    fn inventory(pods: &[Pod], overrides: &Overrides) -> Vec<Deployment> {
        let mut inventory = Inventory::new(overrides);
        for pod in pods {
            inventory.add(pod);
        }
        inventory.finish()
    }

    /// (namespace/release, generation, chosen pod, ready/pods) per deployment.
    fn summary(deployments: &[Deployment]) -> Vec<(String, &'static str, String, String)> {
        deployments
            .iter()
            .map(|d| {
                (
                    d.name(),
                    d.target.generation.name(),
                    d.target.pod.clone(),
                    format!("{}/{}", d.ready, d.pods),
                )
            })
            .collect()
    }

    fn s(
        name: &str,
        generation: &'static str,
        pod: &str,
        ready: &str,
    ) -> (String, &'static str, String, String) {
        (name.into(), generation, pod.into(), ready.into())
    }

    #[test]
    fn one_row_per_deployment_and_nothing_else() {
        let workspace = in_namespace(
            pod(
                "coder-jdoe-dev",
                &[("app.kubernetes.io/name", "coder-workspace")],
                &[("dev", &[])],
            ),
            "prod",
        );
        let provisioner = in_namespace(
            pod(
                "coder-provisioner-1",
                &[("app.kubernetes.io/name", "coder-provisioner")],
                &[("coder", &["provisionerd", "start"])],
            ),
            "prod",
        );
        let proxy = in_namespace(
            pod(
                "coder-proxy-1",
                &[
                    ("app.kubernetes.io/name", "coder"),
                    ("app.kubernetes.io/instance", "coder-proxy"),
                ],
                &[("coder", &["wsproxy", "server"])],
            ),
            "prod",
        );
        let app = in_namespace(
            pod("nginx-1", &[("app", "nginx")], &[("nginx", &[])]),
            "default",
        );
        let table: Vec<(&str, Vec<Pod>, Overrides, Vec<_>)> = vec![
            (
                "nothing but apps",
                vec![app.clone()],
                Overrides::default(),
                vec![],
            ),
            (
                "a mixed cluster",
                vec![
                    app.clone(),
                    workspace,
                    provisioner,
                    proxy,
                    v2("coder-b", "prod", "coder"),
                    v2("coder-a", "prod", "coder"),
                    v1("coderd-1", "legacy"),
                    v2("coder-s", "staging", "coder"),
                ],
                Overrides::default(),
                vec![
                    s("legacy", "v1", "coderd-1", "1/1"),
                    s("prod/coder", "v2", "coder-a", "2/2"),
                    s("staging/coder", "v2", "coder-s", "1/1"),
                ],
            ),
            (
                "two releases and v1 beside v2 in one namespace",
                vec![
                    v2("coder-1", "coder", "one"),
                    v2("coder-2", "coder", "two"),
                    v1("coderd-1", "coder"),
                ],
                Overrides::default(),
                vec![
                    s("coder", "v1", "coderd-1", "1/1"),
                    s("coder/one", "v2", "coder-1", "1/1"),
                    s("coder/two", "v2", "coder-2", "1/1"),
                ],
            ),
            (
                "a Ready pod stands for its deployment before an earlier name that is not",
                vec![
                    not_ready(v2("coder-a", "prod", "coder")),
                    v2("coder-b", "prod", "coder"),
                ],
                Overrides::default(),
                vec![s("prod/coder", "v2", "coder-b", "1/2")],
            ),
            (
                "a deployment with no Ready pod is still listed",
                vec![
                    not_ready(v2("coder-b", "prod", "coder")),
                    not_ready(v2("coder-a", "prod", "coder")),
                ],
                Overrides::default(),
                vec![s("prod/coder", "v2", "coder-a", "0/2")],
            ),
            (
                "--generation keeps one family",
                vec![v2("coder-1", "prod", "coder"), v1("coderd-1", "legacy")],
                Overrides {
                    generation: Some(Generation::V1),
                    ..Default::default()
                },
                vec![s("legacy", "v1", "coderd-1", "1/1")],
            ),
        ];
        for (what, pods, overrides, want) in table {
            assert_eq!(summary(&inventory(&pods, &overrides)), want, "{what}");
        }
    }

    #[test]
    fn a_pod_a_controller_owns_stands_before_one_started_by_hand() {
        let mut by_hand = v2("coder-a", "prod", "coder");
        by_hand.metadata.owner_references = None;
        let found = inventory(
            &[by_hand, v2("coder-b", "prod", "coder")],
            &Overrides::default(),
        );
        assert_eq!(found[0].target.pod, "coder-b");
    }

    #[test]
    fn a_restart_forgets_what_was_seen() {
        let mut inventory = Inventory::new(&Overrides::default());
        inventory.pod(v2("coder-a", "prod", "coder"));
        inventory.restart();
        inventory.pod(v2("coder-b", "staging", "coder"));
        assert_eq!(
            summary(&inventory.finish()),
            [s("staging/coder", "v2", "coder-b", "1/1")]
        );
    }

    #[test]
    fn what_is_offered_and_in_which_order() {
        let deployments = inventory(
            &[
                v1("coderd-1", "alpha"),
                v2("coder-1", "coder", "one"),
                v2("coder-2", "coder", "two"),
                not_ready(v2("coder-3", "down", "coder")),
                v2("coder-4", "zeta", "coder"),
            ],
            &Overrides::default(),
        );
        let names = |offered: Vec<usize>| -> Vec<String> {
            offered.iter().map(|&i| deployments[i].name()).collect()
        };
        let table = [
            // (current namespace, offered)
            (
                "coder",
                vec!["coder/one", "coder/two", "alpha", "zeta/coder"],
            ),
            (
                "elsewhere",
                vec!["alpha", "coder/one", "coder/two", "zeta/coder"],
            ),
            (
                "zeta",
                vec!["zeta/coder", "alpha", "coder/one", "coder/two"],
            ),
        ];
        for (current, want) in table {
            assert_eq!(names(offer(&deployments, current)), want, "in {current}");
        }
    }

    #[test]
    fn labels_are_aligned_and_name_namespace_release_version_and_pod() {
        let mut deployments = inventory(
            &[
                v1("coderd-1", "legacy"),
                v2("coder-5d8f7-abcde", "coder-prod", "coder"),
            ],
            &Overrides::default(),
        );
        // By namespace: coder-prod, then legacy.
        deployments[0].target.version = Some("v2.18.0".into());
        deployments[1].target.version = None;
        let labels = labels_for(&deployments, &offer(&deployments, "x"));
        assert_eq!(
            labels,
            [
                "coder-prod/coder   v2 v2.18.0             pod coder-5d8f7-abcde",
                "legacy             v1 (version unknown)   pod coderd-1",
            ]
        );
    }
}
