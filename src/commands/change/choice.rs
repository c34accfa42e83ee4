//! Finding the pod for a change, and when the namespace has no Coder to use (or two releases,
//! or v1 beside v2): on a terminal, the deployments of the cluster offered as a choice instead
//! of stopping. Without a terminal, or with `--yes`, nothing is chosen for the user: the error
//! stays what it was.

use crate::coder::inventory::{labels_for, offer};
use crate::coder::locate::LocateError;
use crate::coder::target::Target;
use crate::commands::inventory::take_inventory;
use crate::commands::session::Session;
use crate::exit_codes::ExitCode;
use crate::kube::connection::Connection;
use crate::ui::problem::Problem;
use crate::ui::{choose, output, problem};

/// The target; `None` when the user cancelled the choice (Esc). On success after a choice,
/// `conn` is aimed at the chosen namespace.
pub async fn find_or_choose(
    session: &Session<'_>,
    conn: &mut Connection,
) -> anyhow::Result<Option<Target>> {
    let err = match session.find_target(conn).await {
        Ok(target) => return Ok(Some(target)),
        Err(err) => err,
    };
    let config = session.config;
    let may_ask = session.terminal.can_prompt() && !config.assume_yes;
    if !may_ask {
        return Err(err);
    }
    // A namespace that does not exist has no Coder either (asked again only on this path).
    let namespace_missing = err
        .downcast_ref::<Problem>()
        .is_some_and(|p| p.exit == ExitCode::NotFound)
        && conn.namespace_exists().await == Some(false);
    if !worth_a_choice(err.downcast_ref::<LocateError>(), namespace_missing) {
        return Err(err);
    }
    // Not allowed to look across the cluster, or nothing there: the error as before.
    let Ok(deployments) = take_inventory(session, conn).await else {
        return Err(err);
    };
    let offered = offer(&deployments, &conn.namespace);
    if offered.is_empty() {
        return Err(err);
    }
    output::note(&problem::describe(&err).message);
    let labels = labels_for(&deployments, &offered);
    let Some(picked) = choose::choose(
        "Choose a Coder deployment (type to filter, Enter to choose, Esc to cancel)",
        &labels,
    )?
    else {
        return Ok(None);
    };
    let chosen = &deployments[offered[picked]];
    session.log.line(&format!(
        "chose deployment {} at the prompt: pod {}",
        chosen.name(),
        chosen.target.pod
    ));
    conn.namespace = chosen.namespace.clone();
    Ok(Some(chosen.target.clone()))
}

/// Which failures a choice can answer: no Coder server pod in the namespace (not one that is
/// there but unusable, nor a `--pod` that does not fit), a namespace that does not exist, two
/// releases, v1 beside v2.
fn worth_a_choice(err: Option<&LocateError>, namespace_missing: bool) -> bool {
    match err {
        None if namespace_missing => true,
        Some(LocateError::NoPod(no_pod)) => !no_pod.pod_given && !no_pod.has_coder_pods(),
        Some(LocateError::Mixed(_) | LocateError::ManyReleases(_)) => true,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coder::locate::{ManyReleases, MixedGenerations, NoPodFound};
    use crate::coder::pods::Skip;
    use crate::coder::skips::SkipCounts;

    fn no_pod(skipped: Vec<(String, Skip)>, pod_given: bool) -> LocateError {
        NoPodFound {
            namespace: "apps".into(),
            selector: None,
            skipped,
            skipped_counts: Box::new(SkipCounts::default()),
            elsewhere: Vec::new(),
            pod_given,
        }
        .into()
    }

    #[test]
    fn which_failures_are_answered_with_a_choice() {
        let table = [
            ("an empty namespace", Some(no_pod(vec![], false)), true),
            (
                "only other pods",
                Some(no_pod(vec![("nginx".into(), Skip::NotCoder)], false)),
                true,
            ),
            (
                "a Coder pod that is not Ready: fix it, not another Coder",
                Some(no_pod(vec![("coder-1".into(), Skip::NotReady)], false)),
                false,
            ),
            (
                "a --pod that does not fit",
                Some(no_pod(vec![], true)),
                false,
            ),
            (
                "v1 beside v2",
                Some(
                    MixedGenerations {
                        namespace: "coder".into(),
                        pods: vec!["a".into(), "b".into()],
                    }
                    .into(),
                ),
                true,
            ),
            (
                "two releases",
                Some(
                    ManyReleases {
                        namespace: "coder".into(),
                        releases: vec![],
                    }
                    .into(),
                ),
                true,
            ),
            ("anything else (a 403, a timeout)", None, false),
        ];
        for (what, err, want) in table {
            assert_eq!(worth_a_choice(err.as_ref(), false), want, "{what}");
        }
        assert!(
            worth_a_choice(None, true),
            "a namespace that does not exist"
        );
    }
}
