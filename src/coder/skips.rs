//! What is kept of the pods passed over while a list is read page by page: a bounded summary
//! for the "no usable Coder server pod" message, and the namespaces where Coder runs for the
//! "use -n" hint. Memory stays the same whatever the number of pods.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Pod;

use crate::coder::pods::{Role, Skip, classify};
use crate::kube::pod_list::PodSink;

/// Skipped pods named in the "no usable Coder server pod" message.
pub const SHOWN: usize = 10;
/// Distinct reasons counted one by one; more (only a strange server sends them: phases and
/// container states are few) are not itemised.
const MAX_REASONS: usize = 32;

/// The pods passed over: the first [`SHOWN`] by name, and how many there were.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkipSummary {
    pub first: Vec<(String, Skip)>,
    pub counts: SkipCounts,
}

/// How many pods were passed over, in all and for each reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkipCounts {
    pub total: usize,
    /// In the order each reason was first met.
    pub reasons: Vec<(Skip, usize)>,
}

impl SkipSummary {
    pub fn add(&mut self, name: String, why: Skip) {
        let counts = &mut self.counts;
        counts.total += 1;
        match counts.reasons.iter().position(|(r, _)| *r == why) {
            Some(i) => counts.reasons[i].1 += 1,
            None if counts.reasons.len() < MAX_REASONS => counts.reasons.push((why.clone(), 1)),
            None => {}
        }
        // After any equal name, so that equal names keep the list's order (a stable sort).
        let at = self.first.partition_point(|(n, _)| *n <= name);
        if at < SHOWN {
            self.first.insert(at, (name, why));
            self.first.truncate(SHOWN);
        }
    }
}

/// Namespaces (other than `current`) holding Coder server pods, for the "use -n" hint.
#[derive(Debug, Default)]
pub struct CoderNamespaces {
    pub current: String,
    pub found: BTreeSet<String>,
}

impl PodSink for CoderNamespaces {
    fn pod(&mut self, pod: Pod) {
        if matches!(classify(&pod), Role::Server { .. })
            && let Some(ns) = pod.metadata.namespace
            && ns != self.current
        {
            self.found.insert(ns);
        }
    }
    fn restart(&mut self) {
        self.found.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_keeps_the_first_names_and_counts_all() {
        let mut summary = SkipSummary::default();
        for i in (0..1000).rev() {
            let why = match i % 100 {
                0 => Skip::NotReady,
                _ => Skip::NotCoder,
            };
            summary.add(format!("pod-{i:04}"), why);
        }
        assert_eq!(summary.counts.total, 1000);
        assert_eq!(summary.first.len(), SHOWN);
        assert_eq!(summary.first[0], ("pod-0000".to_string(), Skip::NotReady));
        assert_eq!(summary.first[9].0, "pod-0009");
        assert_eq!(
            summary.counts.reasons,
            [(Skip::NotCoder, 990), (Skip::NotReady, 10)]
        );
    }

    #[test]
    fn the_tenth_name_is_the_last_shown_and_reasons_are_capped() {
        let mut summary = SkipSummary::default();
        for i in 0..SHOWN + 1 {
            summary.add(format!("pod-{i:02}"), Skip::NotCoder);
        }
        assert_eq!(summary.first.len(), SHOWN);
        assert_eq!(summary.first[SHOWN - 1].0, format!("pod-{:02}", SHOWN - 1));

        // Reasons past MAX_REASONS are counted in the total only.
        let mut summary = SkipSummary::default();
        for i in 0..MAX_REASONS + 5 {
            summary.add(format!("pod-{i}"), Skip::NotRunning(format!("Phase{i}")));
        }
        assert_eq!(summary.counts.total, MAX_REASONS + 5);
        assert_eq!(summary.counts.reasons.len(), MAX_REASONS);
        assert_eq!(
            summary.counts.reasons.last(),
            Some(&(Skip::NotRunning(format!("Phase{}", MAX_REASONS - 1)), 1))
        );
    }

    #[test]
    fn a_restarted_list_forgets_the_namespaces_seen() {
        let mut namespaces = CoderNamespaces {
            current: "default".into(),
            found: BTreeSet::from(["coder".to_string()]),
        };
        namespaces.restart();
        assert!(namespaces.found.is_empty());
    }
}
