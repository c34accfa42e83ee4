//! What the user sees when `reset-password` on Coder v1 fails: coderd's words (each further
//! line of them quoted, [`v1_api::error_message`]) and what to do next.

use super::Origin;
use crate::coder::names::Account;
use crate::coder::v1_api::{self, ApiUser};
use crate::exit_codes::ExitCode;
use crate::kube::portforward::{Answer, TunnelError};
use crate::text;
use crate::ui::output::Place;
use crate::ui::problem::{self, Problem};

pub(super) fn no_session() -> Problem {
    Problem::new(
        ExitCode::Usage,
        format!(
            "reset-password on Coder v1 acts as a site admin through coderd's API, and no Coder session was found (CODER_TOKEN, or the v1 CLI's {})",
            crate::platform::home::live_coder_v1_session_shown()
        ),
        Some("set CODER_TOKEN to an API token of a site admin or site manager, log in with the v1 CLI (`coder login`), or run on a terminal to sign in with email and password".to_string()),
    )
}

pub(super) fn tunnel_problem(e: &TunnelError, place: &Place<'_>) -> Problem {
    match e {
        TunnelError::Api(api) => problem::api_problem(api),
        TunnelError::Refused(message) => Problem::new(
            ExitCode::Failure,
            format!("coderd does not answer in pod {}: {message}", place.pod),
            Some(format!(
                "check that coderd is running (`kubectl logs -n {} {}`); nothing was changed",
                place.namespace, place.pod
            )),
        ),
        TunnelError::TimedOut(limit) => Problem::new(
            ExitCode::Failure,
            format!(
                "coderd in pod {} did not answer within {limit:?} (--timeout, for the port-forward and every request together)",
                place.pod
            ),
            Some(
                "check that coderd is healthy, or allow more with --timeout; nothing was changed"
                    .to_string(),
            ),
        ),
        other => Problem::new(
            ExitCode::Failure,
            format!("coderd in pod {}: {other}", place.pod),
            Some("try again; nothing was changed".to_string()),
        ),
    }
}

pub(super) fn login_problem(status: u16, answer: &Answer, email: &str) -> Problem {
    let said = v1_api::error_message(status, &answer.body);
    match status {
        200..=299 | 400 | 401 | 403 => Problem::new(
            ExitCode::Forbidden,
            format!("coderd did not accept the sign-in of {email}: {said}"),
            Some("check the email and password (built-in login only), or set CODER_TOKEN to a site admin's API token".to_string()),
        ),
        _ => Problem::new(
            ExitCode::Failure,
            format!("coderd failed the sign-in of {email}: {said}"),
            Some("try again in a moment; nothing was changed".to_string()),
        ),
    }
}

pub(super) fn session_problem(status: u16, answer: &Answer, origin: &Origin) -> Problem {
    let said = v1_api::error_message(status, &answer.body);
    let source = origin.describe();
    match status {
        401 => Problem::new(
            ExitCode::Forbidden,
            format!("coderd rejected {source} (401): {said}"),
            Some(match origin {
                Origin::Environment => "it may have expired or belong to another deployment: create a new API token, or unset CODER_TOKEN to use the v1 CLI's login or sign in on a terminal".to_string(),
                Origin::SessionFile { path, .. } => format!(
                    "it may have expired or belong to another deployment: log in again with the v1 CLI (`coder login`), or remove {} to sign in on a terminal",
                    path.display()
                ),
                Origin::Login { .. } => "sign in again; the session was refused right after it was made".to_string(),
            }),
        ),
        403 => Problem::new(
            ExitCode::Forbidden,
            format!("coderd refused to list users for {source} (403): {said}"),
            Some("use a site admin's or site manager's session; an admin whose password was just reset must sign in once and choose a new one first".to_string()),
        ),
        _ => Problem::new(
            ExitCode::Failure,
            format!("coderd failed to list users ({status}): {said}"),
            Some("try again in a moment; nothing was changed".to_string()),
        ),
    }
}

pub(super) fn patch_problem(status: u16, answer: &Answer, user: &ApiUser) -> Problem {
    let said = v1_api::error_message(status, &answer.body);
    let (exit, hint) = match status {
        401 | 403 => (
            ExitCode::Forbidden,
            "a site manager cannot change a site admin's password: use a site admin's session",
        ),
        400..=499 => (ExitCode::RemoteFailed, "nothing was changed"),
        _ => (
            ExitCode::Failure,
            "coderd may or may not have set it: try to log in as the user, or run the command again",
        ),
    };
    Problem::new(
        exit,
        format!(
            "coderd refused to set the password of {} ({status}): {said}",
            user.username
        ),
        Some(hint.to_string()),
    )
}

/// The hint names what coderd just listed: close matches, else the users there are (no one
/// locked out can look them up in the dashboard).
pub(super) fn no_such_user(wanted: &Account, close: &[String], users: &[ApiUser]) -> Problem {
    Problem::new(
        ExitCode::NotFound,
        format!(
            "Coder v1 has no user {:?} (by username or email): nothing was changed",
            wanted.as_str()
        ),
        Some(if close.is_empty() {
            v1_api::users_listed(users)
        } else {
            format!("close matches: {}", close.join(", "))
        }),
    )
}

/// coderd's port answered with a redirect (with TLS on, its HTTP port may send clients to
/// https or to the access URL: coderd is closed source, so this is not documented). The
/// redirect is never followed: the token would go wherever it points.
pub(super) fn redirect_problem(answer: &Answer, place: &Place<'_>) -> Option<Problem> {
    if !answer.status.is_redirection() {
        return None;
    }
    let location = answer
        .headers
        .get(http::header::LOCATION)
        .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned());
    Some(redirect(answer.status, location.as_deref(), place))
}

fn redirect(status: http::StatusCode, location: Option<&str>, place: &Place<'_>) -> Problem {
    let to = location
        .map(|l| format!(" to {}", text::sanitize_line(l)))
        .unwrap_or_default();
    Problem::new(
        ExitCode::Failure,
        format!(
            "coderd in pod {} answered its API port with a redirect ({status}){to}, likely because TLS is on and plain HTTP is sent elsewhere; the redirect was not followed and nothing was changed",
            place.pod
        ),
        Some("serve coderd's API on a plain HTTP container port (named tcp-coderd or http), or reset through a site admin: `kubectl coder reset-admin-password` gives one a temporary password".to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coder::target::Generation;

    #[test]
    fn redirects_say_where_and_that_they_were_not_followed() {
        let place = Place {
            context: None,
            namespace: "coder",
            pod: "coderd-1",
            container: "coderd",
            generation: Generation::V1,
            sign_in_url: None,
        };
        let table = [
            (
                308,
                Some("https://coder.example.com/api/v0/users"),
                "coderd in pod coderd-1 answered its API port with a redirect (308 Permanent Redirect) to https://coder.example.com/api/v0/users, likely",
            ),
            (
                302,
                None,
                "coderd in pod coderd-1 answered its API port with a redirect (302 Found), likely",
            ),
            (
                307,
                Some("https://x/\nhint: run curl | sh"),
                "coderd in pod coderd-1 answered its API port with a redirect (307 Temporary Redirect) to https://x/^Jhint: run curl | sh, likely",
            ),
        ];
        for (status, location, want) in table {
            let problem = redirect(
                http::StatusCode::from_u16(status).unwrap(),
                location,
                &place,
            );
            assert!(problem.message.starts_with(want), "{}", problem.message);
            assert_eq!(problem.exit, ExitCode::Failure);
        }
    }
}
