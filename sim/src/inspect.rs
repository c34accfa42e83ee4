//! What tests ask the simulator about Coder v1's coderd, port-forwards and the OIDC issuer.

use std::time::SystemTime;

use crate::ids;
use crate::sim::Sim;
use crate::state::{CoderdBehaviour, CoderdRequest, PortForwardRecord, V1User, lock};

impl Sim {
    /// coderd v1's account `username` (case-insensitive), as it is now.
    pub fn v1_user(&self, username: &str) -> Option<V1User> {
        lock(&self.shared)
            .v1_users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
            .cloned()
    }

    /// A new session token of `username`, as `coder login` would save (an API token).
    pub fn v1_session_token(&self, username: &str) -> String {
        let mut s = lock(&self.shared);
        let id = s
            .v1_users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
            .map(|u| u.id.clone())
            .unwrap_or_default();
        let token = format!("{}-{}", &ids::uuid_v4()[..10], ids::random_password(22));
        s.coderd_sessions.push((token.clone(), id));
        token
    }

    /// Every request coderd v1 received through port-forwards.
    pub fn coderd_requests(&self) -> Vec<CoderdRequest> {
        lock(&self.shared).coderd_requests.clone()
    }

    /// The next coderd request with `method` takes effect, then the connection drops
    /// without an answer.
    pub fn coderd_drop_answer_to(&self, method: &str) {
        lock(&self.shared).coderd_drop_answer_to = Some(method.to_string());
    }

    /// coderd answers every request from now on this way ([`CoderdBehaviour`]).
    pub fn coderd_behaves(&self, behaviour: CoderdBehaviour) {
        lock(&self.shared).coderd_behaviour = Some(behaviour);
    }

    /// An ID token of the OIDC issuer for `user`, expiring at `exp` (in the past for an
    /// expired one a client must refresh).
    pub fn oidc_id_token(&self, user: &str, exp: SystemTime) -> String {
        crate::oidc::mint(&self.shared, user, exp)
    }

    /// How many refresh grants the OIDC issuer answered.
    pub fn oidc_refreshes(&self) -> usize {
        lock(&self.shared).oidc_refreshes
    }

    /// Every port-forward the API server accepted.
    pub fn portforwards(&self) -> Vec<PortForwardRecord> {
        lock(&self.shared).portforwards.clone()
    }
}
