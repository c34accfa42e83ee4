//! Talking to the Kubernetes API server the way kubectl does. No clap types: the CLI builds
//! [`connection::ConnectOptions`]; the calls fill in their own [`error::ApiCallError`].

pub mod connection;
pub mod credential_plugin;
pub mod credentials;
pub mod error;
pub mod exec;
pub mod kubeconfig;
pub mod pod_list;
pub mod portforward;
pub mod proxy;
pub mod select;
pub mod signals;
pub mod transcript;
pub mod transport;
pub mod validation;
