//! Property checks shared by the fuzz targets and by `tests/fuzz_regressions.rs`, which
//! includes `checks.rs` by path so that stable `cargo test` replays every saved input
//! through exactly the same assertions.

pub mod checks;
