//! What the user sees: reports on stdout, notes and problems on stderr, the terminal and its
//! prompts.

pub mod choose;
pub mod inventory;
pub mod line_edit;
pub mod next;
pub mod output;
pub mod problem;
pub mod prompt;
pub mod terminal;
pub mod wrap;
