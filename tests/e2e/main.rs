//! End-to-end tests: the real `kubectl-coder` binary (and the real kubectl where it matters)
//! against the kubesim API server simulator, whose fidelity `sim/tests` proves with kubectl.

#[path = "../support/mod.rs"]
mod support;

mod choice;
mod connection;
mod credential_plugins;
mod deployments;
mod exec_engine;
mod faults;
mod hygiene;
mod inventory;
mod kubectl_flags;
mod kubectl_refusals;
mod paging;
mod password_login;
mod prompts;
mod proxies;
mod reset_v1;
mod reset_v1_users;
mod reset_v2;
mod status;
mod untrusted;
mod v2_success;
