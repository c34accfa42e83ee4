//! `kubesim`: a small Kubernetes API server simulator for `kubectl-coder`'s tests.
//!
//! It serves HTTPS on `127.0.0.1` with its own CA, and implements the parts of the API that
//! `kubectl get pods`, `kubectl exec` and `kubectl-coder` use: `/version`, legacy discovery,
//! pods and namespaces (JSON and server-side `Table`), label and field selectors, chunked pod
//! lists (`limit`, `continue`, 410 Expired: `paging.rs`) and metadata-only pod lists,
//! `SelfSubjectAccessReview`, `pods/exec` over the websocket protocols
//! `v5.channel.k8s.io` / `v4.channel.k8s.io`, and `pods/portforward` over
//! `v4.channel.k8s.io` (checked against the official Python client in
//! `tests/python_portforward.rs`) to servers listening in containers: coderd v1's user API
//! (`coderd_v1.rs`: login, users, password changes, 401/403, as the v1 SDK describes them).
//!
//! # Programs available inside containers
//!
//! Programs are found as a container finds them: a path in `argv[0]` as is, a bare name along
//! the container's `PATH` (the image's `ENV`, then `envFrom`, then `env`). Every container has,
//! in `/bin` and `/usr/bin`, `sh` (a small POSIX subset, checked against `/bin/sh` in
//! `tests/sh_conformance.rs`; none in a distroless container, [`ContainerFixture::without_shell`])
//! and these "coreutils":
//!
//! * `cat` – copies stdin to stdout until EOF; `cat FILE...` prints the pod's files.
//! * `echo ARGS...` – prints its arguments joined by spaces and a newline.
//! * `true` / `false` – exit 0 / exit 1.
//! * `exit-code N` – exits with status N.
//! * `head -c N [/dev/zero]` – writes N zero bytes; `yes-bytes N` – writes N bytes of `y`.
//! * `sleep SECS` – sleeps (fractions allowed), prints nothing.
//! * `stderr TEXT...` – prints its arguments to stderr.
//! * `env` – prints the container's environment (`K=V` lines).
//!
//! Programs installed by fixtures (chosen by the basename of `argv[0]`):
//!
//! * `coderd` / `cemanager` (Coder v1): `reset-admin-password` (prints a fresh temporary
//!   password in the pod's [`V1OutputFormat`], recorded for
//!   [`Sim::v1_admin_password`]), `--version`.
//! * `coder` (Coder v2), per the version its image tag names (see `programs/coder_v2.rs`,
//!   which cites the upstream files): `reset-password <username>`, `server create-admin-user
//!   --username U --email E`, `server postgres-builtin-url [--raw-url]` (the built-in
//!   PostgreSQL, [`fixtures::coder_v2_builtin_db`]), `--version` / `version`; its prompts read
//!   stdin as the version does (a fresh `bufio.Reader` per prompt before v2.18, so a line
//!   written early is lost), ask again when a check fails, and retry the database (v2.19+);
//!   before 2.0 (`v0.x`) create-admin-user reads `CODER_POSTGRES_URL`, lets `CODER_USERNAME`,
//!   `CODER_EMAIL` and `CODER_PASSWORD` override its flags, and without a URL fills a throwaway
//!   built-in PostgreSQL (coder/coder issue 7513).
//! * Scripted programs ([`Step`]) replace one of these by name, for odd or hostile output.
//!
//! A program that is not installed fails like containerd does (an `InternalError` status on
//! the error channel).
//!
//! # Exec protocol
//!
//! The subprotocol is chosen from the client's `Sec-WebSocket-Protocol` offer in the server's
//! preference order ([`SimBuilder::subprotocols`], default v5 then v4), like an API server
//! that sends every v5 request through its stream translator. Like Kubernetes'
//! `createWebSocketStreams`, the server first sends an empty frame on the lowest writable
//! channel (stdout, else stderr, else the error channel), then output frames (≤ 32 KiB), then
//! a `metav1.Status` on channel 3, then a close frame.

mod auth;
pub mod coderd_v1;
mod exec;
pub mod fixtures;
mod ids;
mod inspect;
mod oidc;
mod paging;
mod portforward;
mod programs;
mod request;
mod responses;
mod routes;
pub mod selector;
mod server;
mod sim;
mod state;
mod tables;
mod tls;
pub mod userpassword;
mod websocket;

pub use fixtures::charts::Scenario;
pub use fixtures::pod::{ContainerFixture, Listener, PodFixture, Step, V1OutputFormat};
pub use sim::{KubeconfigOptions, Sim, SimBuilder};
pub use state::CoderdBehaviour;
pub use state::{
    CoderdRequest, ExecFault, ExecRecord, LoggedRequest, PortForwardRecord, Rule, V1User,
};
