//! The command line: clap's definition ([`args`]), turned into a checked [`config::Config`]
//! before any work, and shell completion served from the same definition ([`complete`]).

pub mod args;
pub mod complete;
pub mod config;
pub mod duration;
pub mod help;
