//! Shell completion through kubectl's plugin completion protocol (kubectl 1.26+): the word
//! logic ([`protocol`]) and the names only the kubeconfig or the cluster know ([`lookup`]);
//! and the scripts `kubectl-coder completion <shell>` prints ([`scripts`]).

pub mod lookup;
pub mod protocol;
pub mod scripts;
