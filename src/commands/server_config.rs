//! Reading the Coder server's YAML config file in its pod, when only the file can say whether
//! password login is off ([`crate::coder::server_options`] decides what it means). One
//! read-only `cat`, no shell; the text may hold secrets, so it is never logged and is zeroed
//! when dropped (the parsed copy is best effort).

use std::time::Duration;

use zeroize::Zeroizing;

use crate::coder::server_options;
use crate::coder::spec::PasswordLogin;
use crate::coder::target::Target;
use crate::commands::session::Session;
use crate::kube::connection::Connection;
use crate::kube::exec::{self, End, ExecRequest, Stdin};
use crate::kube::signals::Signals;
use crate::kube::transcript::Stream;
use crate::text;
use crate::ui::problem;

/// How long reading the file may take when `--timeout` is not given.
const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// Settles `target.spec.password_login` from the config file the spec names, if it does.
pub async fn settle_password_login(session: &Session<'_>, conn: &Connection, target: &mut Target) {
    let Some(path) = target.spec.config_file.clone() else {
        return;
    };
    target.spec.password_login = match read(session, conn, target, &path).await {
        Ok(yaml) => server_options::password_login_from_config(&yaml, &path).into(),
        Err(why) => PasswordLogin::Unknown(format!(
            "networking.http.disablePasswordAuth may be set in the config file {path}, which could not be read: {why}"
        )),
    };
    session.log.line(&format!(
        "password login from the config file: {:?}",
        target.spec.password_login
    ));
}

async fn read(
    session: &Session<'_>,
    conn: &Connection,
    target: &Target,
    path: &str,
) -> Result<Zeroizing<String>, String> {
    let argv = vec!["cat".to_string(), path.to_string()];
    session.log.line(&format!(
        "exec in {}/{} container {}: cat {path} (the server's config file; its text is not shown)",
        target.namespace, target.pod, target.container
    ));
    let request = ExecRequest {
        pod: &target.pod,
        container: &target.container,
        argv: &argv,
        stdin: Stdin::None,
        timeout: Some(session.config.exec_timeout.unwrap_or(READ_TIMEOUT)),
        keep_lines: None,
    };
    let mut signals = Signals::listen().map_err(|e| format!("could not watch for signals: {e}"))?;
    let ran = exec::run(conn, request, &mut signals, &mut |_| {})
        .await
        .map_err(|e| problem::describe(&e.into()).message)?;
    match ran.end {
        End::Exited(0) => {
            let bytes = Zeroizing::new(ran.transcript.bytes_of(Stream::Stdout));
            Ok(Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned()))
        }
        End::Exited(code) => {
            let said =
                String::from_utf8_lossy(&ran.transcript.bytes_of(Stream::Stderr)).into_owned();
            Err(format!(
                "cat exited {code}: {}",
                text::last_line(&said).unwrap_or("no output")
            ))
        }
        End::Failed { message, .. } => Err(message),
        End::StreamLost(why) => Err(why),
        End::TimedOut(after) => Err(format!("no answer within {after:?}")),
        End::Signalled(signal) => Err(signal.to_string()),
    }
}
