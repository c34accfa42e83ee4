//! Finding the Coder server pod: pure decisions over a pod list, so every rule is tested with
//! hand-built pods and no cluster. The I/O lives in `commands::session`.

use std::fmt;

use k8s_openapi::api::core::v1::{Container, Pod};

pub use crate::coder::pods::{
    Readiness, Role, Skip, classify, controller, image_version, readiness,
};
use crate::coder::pods::{container_named, labels};
use crate::coder::skips::{CoderNamespaces, SHOWN, SkipCounts, SkipSummary};
use crate::coder::spec::server_spec;
use crate::coder::target::{Generation, Target};
use crate::kube::pod_list::PodSink;

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub pod: Option<String>,
    pub container: Option<String>,
    pub selector: Option<String>,
    pub generation: Option<Generation>,
}

/// No pod fits: every pod seen and why it was passed over.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct NoPodFound {
    pub namespace: String,
    /// The `-l` selector the pods were listed with, if any.
    pub selector: Option<String>,
    /// The first [`SHOWN`] pods passed over, by name, and why.
    pub skipped: Vec<(String, Skip)>,
    /// How many pods were passed over in all, and how many for each reason.
    pub skipped_counts: Box<SkipCounts>,
    /// Other namespaces that do have Coder server pods, when we could look.
    pub elsewhere: Vec<String>,
    /// The pod was named with `--pod`.
    pub pod_given: bool,
}

impl NoPodFound {
    /// True when some Coder server pod exists here but is unusable (so `-n` is not the fix).
    pub fn has_coder_pods(&self) -> bool {
        let shown = self.skipped.iter().map(|(_, s)| s);
        shown
            .chain(self.skipped_counts.reasons.iter().map(|(s, _)| s))
            .any(|s| {
                matches!(
                    s,
                    Skip::NotRunning(_)
                        | Skip::NotReady
                        | Skip::Terminating
                        | Skip::NoSuchContainer(_)
                        | Skip::ContainerNotRunning(_)
                        | Skip::OtherGeneration(_)
                )
            })
    }
}

impl fmt::Display for NoPodFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.selector, self.skipped.is_empty()) {
            (Some(selector), true) => {
                return write!(
                    f,
                    "no pods match selector {selector:?} in namespace {:?}",
                    self.namespace
                );
            }
            (None, true) => return write!(f, "no pods found in namespace {:?}", self.namespace),
            _ => {}
        }
        write!(
            f,
            "no usable Coder server pod in namespace {:?}:",
            self.namespace
        )?;
        for (name, why) in self.skipped.iter().take(SHOWN) {
            write!(f, "\n  {name}: {why}")?;
        }
        let shown = self.skipped.len().min(SHOWN);
        let total = self.skipped_counts.total;
        if total > shown {
            // A big namespace: what the rest were, counted, rather than thousands of lines.
            let counts: Vec<String> = self
                .skipped_counts
                .reasons
                .iter()
                .map(|(why, n)| format!("{n} {why}"))
                .collect();
            write!(
                f,
                "\n  … and {} more (of all {}: {})",
                total - shown,
                total,
                counts.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Several usable pods of different generations: we will not guess which Coder to reset.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("namespace {namespace:?} has both Coder v1 and v2 server pods ({}): choose one with --generation v1|v2 or --pod", pods.join(", "))]
pub struct MixedGenerations {
    pub namespace: String,
    pub pods: Vec<String>,
}

/// Coder v2 server pods of several Helm releases (`app.kubernetes.io/instance`): we will not
/// guess which deployment to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("namespace {namespace:?} has server pods of {} Coder v2 releases ({}): choose one with --pod or -l app.kubernetes.io/instance=RELEASE", releases.len(), releases.iter().map(|(r, pods)| format!("{r}: {}", pods.join(", "))).collect::<Vec<_>>().join("; "))]
pub struct ManyReleases {
    pub namespace: String,
    /// Each release and its pods.
    pub releases: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LocateError {
    #[error(transparent)]
    NoPod(#[from] NoPodFound),
    #[error(transparent)]
    Mixed(#[from] MixedGenerations),
    #[error(transparent)]
    ManyReleases(#[from] ManyReleases),
}

/// The target for `container` of `pod`, with what its spec says.
pub(crate) fn target(
    namespace: &str,
    pod: &Pod,
    generation: Generation,
    container: String,
    detected_by: String,
) -> Target {
    let spec_of = container_named(pod, &container);
    let image = spec_of.and_then(|c| c.image.clone());
    let spec = server_spec(
        spec_of.unwrap_or(&Container::default()),
        generation.binary(),
    );
    Target {
        namespace: namespace.to_string(),
        pod: pod.metadata.name.clone().unwrap_or_default(),
        version: image.as_deref().and_then(image_version),
        image,
        container,
        generation,
        detected_by,
        controller: controller(pod),
        release: labels(pod).get("app.kubernetes.io/instance").cloned(),
        spec,
        caution: None,
    }
}

/// Picks the pod to run in.
///
/// Rule: among Running, Ready pods that are not being deleted and that run a Coder server, take
/// the first by name — what the docs' `kubectl get pods | grep coderd- | head -n1` picks, and
/// stable across runs — preferring a pod a ReplicaSet or StatefulSet owns. Overrides: `-c`
/// names the container; `--generation` keeps only pods of that generation (or, with `--pod`,
/// says what the pod runs); `--pod` means that pod, even when it is not Ready or is being
/// deleted (with a caution), as long as it can run a command.
pub fn choose(namespace: &str, pods: &[Pod], overrides: &Overrides) -> Result<Target, LocateError> {
    let mut sieve = PodSieve::new(namespace, overrides);
    for pod in pods {
        sieve.add(pod);
    }
    sieve.finish()
}

/// One pod on its own: the target it would be, or why it is passed over (the name, and why).
pub(crate) fn judge(
    namespace: &str,
    pod: &Pod,
    overrides: &Overrides,
) -> Result<Target, (String, Skip)> {
    let pod_given = overrides.pod.is_some();
    let name = pod.metadata.name.clone().unwrap_or_default();
    // The name goes into the exec URL: only what Kubernetes allows (RFC 1123 subdomain).
    if !valid_pod_name(&name) {
        return Err((name, Skip::InvalidName));
    }
    let (generation, container, detected_by) = match (classify(pod), overrides) {
        // An explicit pod with both overrides need not look like a Coder pod at all.
        (
            _,
            Overrides {
                pod: Some(_),
                generation: Some(g),
                container: Some(c),
                ..
            },
        ) => (*g, c.clone(), "--generation and --container".to_string()),
        // `--generation` without `--pod` keeps pods of that generation only.
        (Role::Server { generation, .. }, o)
            if !pod_given
                && o.generation
                    .is_some_and(|g| g.is_v1() != generation.is_v1()) =>
        {
            return Err((name, Skip::OtherGeneration(generation)));
        }
        (
            Role::Server {
                generation,
                container,
                detected_by,
            },
            o,
        ) => (
            o.generation.unwrap_or(generation),
            o.container.clone().unwrap_or(container),
            match (o.generation.is_some(), o.container.is_some()) {
                (true, true) => "--generation and --container".to_string(),
                (true, false) => "--generation".to_string(),
                _ => detected_by,
            },
        ),
        (
            Role::Other(Skip::NotCoder),
            Overrides {
                container: Some(c),
                generation: None,
                ..
            },
        ) if pod_given => {
            // An explicit pod and container: the container name tells the generation.
            match Generation::ALL.into_iter().find(|g| g.binary() == c) {
                Some(g) => (g, c.clone(), format!("container name {c}")),
                None => return Err((name, Skip::NotCoder)),
            }
        }
        (Role::Other(why), _) => return Err((name, why)),
    };
    if container_named(pod, &container).is_none() {
        return Err((name, Skip::NoSuchContainer(container)));
    }
    let caution = match readiness(pod, &container) {
        Readiness::Ready => None,
        Readiness::Caution(why) if pod_given => Some(why),
        Readiness::Caution(why) | Readiness::Unusable(why) => return Err((name, why)),
    };
    let mut chosen = target(namespace, pod, generation, container, detected_by);
    chosen.caution = caution.map(|why| why.to_string());
    Ok(chosen)
}

/// The choice among the usable pods (any order: sorted here by name), or why there is none.
pub(crate) fn decide(
    namespace: &str,
    mut usable: Vec<Target>,
    skipped: SkipSummary,
    overrides: &Overrides,
) -> Result<Target, LocateError> {
    usable.sort_by(|a, b| a.pod.cmp(&b.pod));
    let Some(first) = usable.first() else {
        return Err(NoPodFound {
            namespace: namespace.to_string(),
            selector: overrides.selector.clone(),
            skipped: skipped.first,
            skipped_counts: Box::new(skipped.counts),
            elsewhere: Vec::new(),
            pod_given: overrides.pod.is_some(),
        }
        .into());
    };
    if usable
        .iter()
        .any(|t| t.generation.is_v1() != first.generation.is_v1())
    {
        return Err(MixedGenerations {
            namespace: namespace.to_string(),
            pods: usable.iter().map(|t| t.pod.clone()).collect(),
        }
        .into());
    }
    let mut releases: Vec<(String, Vec<String>)> = Vec::new();
    for t in usable.iter().filter(|t| !t.generation.is_v1()) {
        let release = t
            .release
            .clone()
            .unwrap_or_else(|| "(no release label)".into());
        match releases.iter_mut().find(|(r, _)| *r == release) {
            Some((_, pods)) => pods.push(t.pod.clone()),
            None => releases.push((release, vec![t.pod.clone()])),
        }
    }
    if releases.len() > 1 {
        return Err(ManyReleases {
            namespace: namespace.to_string(),
            releases,
        }
        .into());
    }
    // A pod the chart's Deployment created is preferred to one somebody started by hand with
    // the same labels: only the former is surely the server a password should go to.
    let chosen = usable
        .iter()
        .position(|t| t.controller.is_some())
        .unwrap_or(0);
    Ok(usable.swap_remove(chosen))
}

/// The server pod choice, fed one pod at a time.
#[derive(Debug)]
pub struct PodSieve {
    namespace: String,
    overrides: Overrides,
    usable: Vec<Target>,
    skipped: SkipSummary,
    seen: usize,
}

impl PodSieve {
    pub fn new(namespace: &str, overrides: &Overrides) -> PodSieve {
        PodSieve {
            namespace: namespace.to_string(),
            overrides: overrides.clone(),
            usable: Vec::new(),
            skipped: SkipSummary::default(),
            seen: 0,
        }
    }

    pub fn add(&mut self, pod: &Pod) {
        self.seen += 1;
        match judge(&self.namespace, pod, &self.overrides) {
            Ok(target) => self.usable.push(target),
            Err((name, why)) => self.skipped.add(name, why),
        }
    }

    /// How many pods were seen.
    pub fn seen(&self) -> usize {
        self.seen
    }

    /// The choice, as [`choose`] makes it from the whole list.
    pub fn finish(self) -> Result<Target, LocateError> {
        decide(&self.namespace, self.usable, self.skipped, &self.overrides)
    }
}

impl PodSink for PodSieve {
    fn pod(&mut self, pod: Pod) {
        self.add(&pod);
    }
    fn restart(&mut self) {
        *self = PodSieve::new(&self.namespace, &self.overrides);
    }
}

/// An RFC 1123 subdomain, as Kubernetes requires of pod names.
pub fn valid_pod_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Namespaces (other than `current`) holding Coder server pods, for the "use -n" hint.
pub fn coder_namespaces(pods: &[Pod], current: &str) -> Vec<String> {
    let mut found = CoderNamespaces {
        current: current.to_string(),
        ..Default::default()
    };
    for pod in pods {
        found.pod(pod.clone());
    }
    found.found.into_iter().collect()
}

/// "Coder server pods run in namespace a, b: add -n a", when there are any.
pub fn elsewhere_hint(namespaces: &[String]) -> Option<String> {
    let first = namespaces.first()?;
    Some(format!(
        "Coder server pods run in namespace {}: add -n {first}",
        namespaces.join(", ")
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    pub(crate) use crate::coder::pods::tests::pod;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn not_ready(mut p: Pod) -> Pod {
        p.status.as_mut().unwrap().conditions.as_mut().unwrap()[0].status = "False".into();
        p
    }

    fn phase(mut p: Pod, phase: &str) -> Pod {
        p.status.as_mut().unwrap().phase = Some(phase.into());
        p
    }

    fn terminating(mut p: Pod) -> Pod {
        p.metadata.deletion_timestamp = Some(Time(Default::default()));
        p
    }

    pub(crate) fn v1(name: &str) -> Pod {
        pod(
            name,
            &[
                ("app", "coderd"),
                ("coder.deployment", "coderd"),
                ("app.kubernetes.io/name", "coder"),
            ],
            &[("coderd", &[])],
        )
    }

    fn legacy(name: &str) -> Pod {
        pod(
            name,
            &[("app", "cemanager"), ("coder.deployment", "cemanager")],
            &[("cemanager", &[])],
        )
    }

    pub(crate) fn v2(name: &str) -> Pod {
        pod(
            name,
            &[
                ("app.kubernetes.io/name", "coder"),
                ("app.kubernetes.io/instance", "coder"),
            ],
            &[("coder", &["server"])],
        )
    }

    fn provisioner(name: &str) -> Pod {
        pod(
            name,
            &[("app.kubernetes.io/name", "coder-provisioner")],
            &[("coder", &["provisionerd", "start"])],
        )
    }

    fn wsproxy(name: &str) -> Pod {
        pod(
            name,
            &[("app.kubernetes.io/name", "coder")],
            &[("coder", &["wsproxy", "server"])],
        )
    }

    fn workspace(name: &str) -> Pod {
        pod(
            name,
            &[
                ("app.kubernetes.io/name", "coder-workspace"),
                ("com.coder.workspace.id", "1"),
            ],
            &[("dev", &[])],
        )
    }

    type Chosen = Result<(String, String, Generation), LocateError>;

    fn chosen(pods: &[Pod], o: &Overrides) -> Chosen {
        choose("coder", pods, o).map(|t| (t.pod, t.container, t.generation))
    }

    fn ok(pod: &str, container: &str, generation: Generation) -> Chosen {
        Ok((pod.into(), container.into(), generation))
    }

    /// What `status` says a pod was detected by: the flags that decided, or what the pod
    /// showed; and a container name tells the generation only of a pod named with --pod.
    #[test]
    fn judged_by_the_flags_or_the_pod() {
        let by =
            |pod: &Pod, generation: Option<Generation>, container: Option<&str>, named: bool| {
                let o = Overrides {
                    pod: named.then(|| pod.metadata.name.clone().unwrap()),
                    container: container.map(str::to_string),
                    generation,
                    ..Overrides::default()
                };
                judge("coder", pod, &o).map(|t| (t.generation, t.container, t.detected_by))
            };
        let server = v2("coder-1");
        let detected = judge("coder", &server, &Overrides::default())
            .unwrap()
            .detected_by;
        for (generation, container, named, said) in [
            (None, None, false, detected.as_str()),
            (Some(Generation::V2), None, false, "--generation"),
            (
                Some(Generation::V2),
                Some("coder"),
                false,
                "--generation and --container",
            ),
            (None, Some("coder"), false, detected.as_str()),
        ] {
            assert_eq!(
                by(&server, generation, container, named),
                Ok((Generation::V2, "coder".to_string(), said.to_string())),
                "{generation:?} {container:?}"
            );
        }
        // A pod that does not look like Coder, with -c coder: only with --pod.
        let plain = pod("tools-1", &[], &[("coder", &[])]);
        assert_eq!(
            by(&plain, None, Some("coder"), true),
            Ok((
                Generation::V2,
                "coder".to_string(),
                "container name coder".to_string()
            ))
        );
        assert_eq!(
            by(&plain, None, Some("coder"), false),
            Err(("tools-1".to_string(), Skip::NotCoder))
        );
    }

    /// Either workspace marker alone makes a pod a workspace, even one running
    /// `coder server` (coder/coder's workspace templates label pods `com.coder.*`; charts
    /// for workspaces use `app.kubernetes.io/name=coder-workspace`).
    #[test]
    fn either_workspace_marker_is_enough() {
        for labels in [
            &[("app.kubernetes.io/name", "coder-workspace")][..],
            &[("com.coder.workspace.id", "1")],
            &[("com.coder.user.id", "1")],
        ] {
            let p = pod("dev-1", labels, &[("coder", &["server"])]);
            assert_eq!(
                judge("coder", &p, &Overrides::default()).map(|t| t.pod),
                Err(("dev-1".to_string(), Skip::Workspace)),
                "{labels:?}"
            );
        }
    }

    /// The sieve counts every pod it is shown, kept or not.
    #[test]
    fn the_sieve_counts_what_it_saw() {
        let mut sieve = PodSieve::new("coder", &Overrides::default());
        assert_eq!(sieve.seen(), 0);
        for p in [v2("coder-1"), workspace("ws-1"), provisioner("prov-1")] {
            sieve.add(&p);
        }
        assert_eq!(sieve.seen(), 3);
        assert_eq!(sieve.finish().map(|t| t.pod), Ok("coder-1".to_string()));
    }

    #[test]
    fn choice_table() {
        let none = Overrides::default();
        let cases: Vec<(&str, Vec<Pod>, Overrides, Chosen)> = vec![
            (
                "v1 chart",
                vec![
                    v1("coderd-7f9c-x2"),
                    pod("timescale-0", &[], &[("timescale", &[])]),
                ],
                none.clone(),
                ok("coderd-7f9c-x2", "coderd", Generation::V1),
            ),
            (
                "legacy chart",
                vec![legacy("cemanager-5d-a")],
                none.clone(),
                ok("cemanager-5d-a", "cemanager", Generation::V1Legacy),
            ),
            (
                "v2 chart",
                vec![v2("coder-5d8f-abcde")],
                none.clone(),
                ok("coder-5d8f-abcde", "coder", Generation::V2),
            ),
            (
                "v2 beside provisioner, proxy and workspace",
                vec![
                    provisioner("coder-provisioner-1"),
                    wsproxy("coder-proxy-1"),
                    workspace("coder-alice-ws"),
                    v2("coder-5d8f-abcde"),
                ],
                none.clone(),
                ok("coder-5d8f-abcde", "coder", Generation::V2),
            ),
            (
                "name prefix fallback",
                vec![pod("coderd-abc", &[], &[("coderd", &[])])],
                none.clone(),
                ok("coderd-abc", "coderd", Generation::V1),
            ),
            (
                "nameOverride v2",
                vec![pod(
                    "dev-coder-1",
                    &[("app.kubernetes.io/name", "dev-coder")],
                    &[("coder", &["server"])],
                )],
                none.clone(),
                ok("dev-coder-1", "coder", Generation::V2),
            ),
            (
                "several replicas: first by name, skipping the not Ready one",
                vec![v1("coderd-c"), not_ready(v1("coderd-a")), v1("coderd-b")],
                none.clone(),
                ok("coderd-b", "coderd", Generation::V1),
            ),
            (
                "terminating and pending replicas are passed over",
                vec![
                    terminating(v2("coder-a")),
                    phase(v2("coder-b"), "Pending"),
                    v2("coder-c"),
                ],
                none.clone(),
                ok("coder-c", "coder", Generation::V2),
            ),
            (
                "--generation overrides detection",
                vec![v1("coderd-a")],
                Overrides {
                    generation: Some(Generation::V1Legacy),
                    container: Some("coderd".into()),
                    ..none.clone()
                },
                ok("coderd-a", "coderd", Generation::V1Legacy),
            ),
            (
                "overrides without --pod still skip provisioner and workspace pods",
                vec![
                    provisioner("a-provisioner"),
                    workspace("b-workspace"),
                    v2("mycoder-1"),
                ],
                Overrides {
                    generation: Some(Generation::V2),
                    container: Some("coder".into()),
                    ..none.clone()
                },
                ok("mycoder-1", "coder", Generation::V2),
            ),
            (
                "explicit pod and container decide the generation",
                vec![pod("mine-0", &[], &[("sidecar", &[]), ("coder", &[])])],
                Overrides {
                    pod: Some("mine-0".into()),
                    container: Some("coder".into()),
                    ..none.clone()
                },
                ok("mine-0", "coder", Generation::V2),
            ),
        ];
        for (what, pods, overrides, want) in cases {
            assert_eq!(chosen(&pods, &overrides), want, "{what}");
        }
    }

    fn annotated(mut p: Pod, key: &str, value: &str) -> Pod {
        p.metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(key.into(), value.into());
        p
    }

    fn commanded(mut p: Pod, command: &[&str]) -> Pod {
        let c = &mut p.spec.as_mut().unwrap().containers[0];
        c.command = Some(command.iter().map(|s| s.to_string()).collect());
        c.args = None;
        p
    }

    fn released(mut p: Pod, release: &str) -> Pod {
        p.metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert("app.kubernetes.io/instance".into(), release.into());
        p
    }

    /// Pods that are not the server, two releases, --generation and --pod.
    #[test]
    fn pods_that_are_not_the_server_releases_generation_and_pod() {
        let none = Overrides::default();
        let skipped = |pods: Vec<Pod>| match choose("coder", &pods, &none) {
            Err(LocateError::NoPod(no_pod)) => no_pod
                .skipped
                .into_iter()
                .map(|(_, why)| why)
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            skipped(vec![
                annotated(v2("a-proxy"), "app.kubernetes.io/component", "wsproxy"),
                annotated(v2("b-prov"), "app.kubernetes.io/component", "provisionerd"),
                commanded(
                    v2("c-proxy"),
                    &["sh", "-c", "exec /opt/coder wsproxy server"]
                ),
                commanded(v1("d-sat"), &["coderd", "replica"]),
            ]),
            [
                Skip::WorkspaceProxy,
                Skip::Provisioner,
                Skip::WorkspaceProxy,
                Skip::Satellite
            ]
        );
        // Two v2 releases: refused, each listed.
        match choose(
            "coder",
            &[v2("coder-a"), released(v2("staging-a"), "staging")],
            &none,
        ) {
            Err(LocateError::ManyReleases(many)) => assert_eq!(
                many.releases,
                [
                    ("coder".to_string(), vec!["coder-a".to_string()]),
                    ("staging".to_string(), vec!["staging-a".to_string()])
                ]
            ),
            other => panic!("{other:?}"),
        }
        // Replicas of one release are not two releases.
        assert_eq!(
            chosen(&[v2("coder-b"), v2("coder-a")], &none),
            ok("coder-a", "coder", Generation::V2)
        );
        // --generation v1 keeps the v1 pod, whatever sorts first.
        let v1_only = Overrides {
            generation: Some(Generation::V1),
            ..none.clone()
        };
        assert_eq!(
            chosen(&[v2("a-coder"), v1("coderd-x")], &v1_only),
            ok("coderd-x", "coderd", Generation::V1)
        );
        // --pod: a Running pod that is not Ready is taken with a caution; a Pending one is not.
        let named = |name: &str| Overrides {
            pod: Some(name.into()),
            ..none.clone()
        };
        let target = choose("coder", &[not_ready(v2("coder-a"))], &named("coder-a")).unwrap();
        assert_eq!(target.caution.as_deref(), Some("not Ready"));
        match choose(
            "coder",
            &[phase(v2("coder-a"), "Pending")],
            &named("coder-a"),
        ) {
            Err(LocateError::NoPod(no_pod)) => assert!(no_pod.pod_given),
            other => panic!("{other:?}"),
        }
    }

    fn unowned(mut p: Pod) -> Pod {
        p.metadata.owner_references = None;
        p
    }

    #[test]
    fn a_pod_owned_by_the_chart_is_preferred_to_a_look_alike() {
        let pods = vec![unowned(v2("coder-0-impostor")), v2("coder-5d8f-abcde")];
        let chosen = choose("coder", &pods, &Overrides::default()).unwrap();
        assert_eq!(chosen.pod, "coder-5d8f-abcde");
        assert_eq!(
            chosen.controller.as_deref(),
            Some("ReplicaSet/coder-5d8f-abcde-rs")
        );
        // With no owned pod, the first is taken and says it has no owner.
        let chosen = choose("coder", &[unowned(v2("coder-a"))], &Overrides::default()).unwrap();
        assert_eq!((chosen.pod.as_str(), chosen.controller), ("coder-a", None));
    }

    #[test]
    fn nothing_usable_explains_every_pod() {
        let pods = vec![
            not_ready(v1("coderd-7f9c-x2")),
            terminating(v1("coderd-7f9c-y3")),
            phase(v1("coderd-7f9c-z4"), "Pending"),
            provisioner("coder-provisioner-1"),
            workspace("coder-alice-ws"),
            pod("postgres-0", &[], &[("postgres", &[])]),
        ];
        let err = choose("coder", &pods, &Overrides::default()).unwrap_err();
        let LocateError::NoPod(no_pod) = &err else {
            panic!("{err:?}")
        };
        assert!(no_pod.has_coder_pods());
        assert_eq!(
            err.to_string(),
            "no usable Coder server pod in namespace \"coder\":\n  coder-alice-ws: a Coder workspace, not the server\n  coder-provisioner-1: a Coder provisioner, not the server\n  coderd-7f9c-x2: not Ready\n  coderd-7f9c-y3: being deleted\n  coderd-7f9c-z4: not Running (phase Pending)\n  postgres-0: not a Coder server pod"
        );
    }

    #[test]
    fn a_selector_that_matches_nothing_is_named() {
        let o = Overrides {
            selector: Some("app=nothing".into()),
            ..Default::default()
        };
        let err = choose("coder", &[], &o).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no pods match selector \"app=nothing\" in namespace \"coder\""
        );
    }

    #[test]
    fn empty_namespace_says_so() {
        let err = choose("coder", &[], &Overrides::default()).unwrap_err();
        assert_eq!(err.to_string(), "no pods found in namespace \"coder\"");
    }

    #[test]
    fn a_missing_container_is_named() {
        let err = choose(
            "coder",
            &[v1("coderd-a")],
            &Overrides {
                container: Some("side".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("coderd-a: has no container \"side\""),
            "{err}"
        );
    }

    #[test]
    fn mixed_generations_are_not_guessed() {
        let err = choose(
            "coder",
            &[v1("coderd-a"), v2("coder-b")],
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(matches!(err, LocateError::Mixed(_)), "{err:?}");
        assert!(err.to_string().contains("--pod"));
    }

    #[test]
    fn other_namespaces_with_coder_are_listed_once() {
        let mut a = v2("coder-a");
        a.metadata.namespace = Some("coder-prod".into());
        let mut b = v2("coder-b");
        b.metadata.namespace = Some("coder-prod".into());
        let mut c = workspace("ws");
        c.metadata.namespace = Some("users".into());
        assert_eq!(
            coder_namespaces(&[a, b, c, v1("coderd-x")], "default"),
            vec!["coder", "coder-prod"]
        );
        // The current namespace is not "elsewhere".
        let mut d = v2("coder-d");
        d.metadata.namespace = Some("coder-prod".into());
        assert_eq!(
            coder_namespaces(&[d, v1("coderd-x")], "coder-prod"),
            vec!["coder"]
        );
        assert_eq!(
            elsewhere_hint(&["coder".into(), "coder-prod".into()]).as_deref(),
            Some("Coder server pods run in namespace coder, coder-prod: add -n coder")
        );
        assert_eq!(elsewhere_hint(&[]), None);
    }

    #[test]
    fn image_versions() {
        let table = [
            ("ghcr.io/coder/coder:v2.18.0", Some("v2.18.0")),
            ("docker.io/coderenvs/coder-service:1.44.0", Some("1.44.0")),
            (
                "registry:5000/coder/coder:v2.1.0@sha256:abc",
                Some("v2.1.0"),
            ),
            ("ghcr.io/coder/coder:latest", None),
            ("ghcr.io/coder/coder", None),
            ("registry:5000/coder", None),
        ];
        for (image, want) in table {
            assert_eq!(image_version(image).as_deref(), want, "{image}");
        }
    }
    #[test]
    fn a_big_namespace_is_summed_up_in_the_message() {
        let mut pods: Vec<Pod> = (0..25)
            .map(|i| pod(&format!("app-{i:02}"), &[], &[("app", &[])]))
            .collect();
        let mut crashed = v2("coder-0");
        crashed.status.as_mut().unwrap().phase = Some("Failed".into());
        pods.push(crashed);
        let err = choose("big", &pods, &Overrides::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("no usable Coder server pod in namespace \"big\":\n  app-00: not a Coder server pod\n"), "{text}");
        assert!(
            text.ends_with("\n  app-09: not a Coder server pod\n  … and 16 more (of all 26: 25 not a Coder server pod, 1 not Running (phase Failed))"),
            "{text}"
        );
        let LocateError::NoPod(no_pod) = err else {
            unreachable!()
        };
        // The Coder pod is not among the names shown, but it is known to be there.
        assert!(no_pod.has_coder_pods());
    }

    #[test]
    fn a_restart_forgets_what_was_seen() {
        let mut sieve = PodSieve::new("coder", &Overrides::default());
        sieve.pod(v2("coder-a"));
        sieve.restart();
        assert_eq!(sieve.seen(), 0);
        sieve.pod(v2("coder-b"));
        assert_eq!(sieve.finish().unwrap().pod, "coder-b");
    }
}
