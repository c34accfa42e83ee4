//! What we know about Coder: which generation runs in a pod and how to find its server, its
//! names and password rules, and each generation's reset commands and their output.

pub mod action;
pub mod inventory;
pub mod locate;
pub mod names;
pub mod password;
pub mod pods;
pub mod probe;
pub mod prompts;
pub mod server_options;
pub mod skips;
pub mod spec;
pub mod target;
pub mod v1;
pub mod v1_api;
pub mod v2;
