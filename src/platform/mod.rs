//! Per-OS rules as data: which OS, and the paths and lookups each upstream tool decides per OS,
//! as pure functions of (OS, environment, what exists) so that every OS's rules are tested on
//! any host. The live wrappers only gather the environment and the file system's answers.

pub mod home;
pub mod lookpath;
pub mod stdio;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The OS whose rules apply. macOS and Windows differ from the rest (client-go and
/// kirsle/configdir both split this way: `darwin`, `windows`, everything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Unix,
    MacOs,
    Windows,
}

impl Os {
    /// The OS this binary was built for.
    pub const fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Unix
        }
    }

    /// The separator paths are joined with: a table test for Windows on Linux still gets
    /// `C:\Users\u\.kube\config`, as a Windows user would see it.
    pub fn separator(self) -> char {
        match self {
            Os::Windows => '\\',
            Os::Unix | Os::MacOs => '/',
        }
    }

    /// `base` then `parts`, joined with this OS's separator (Go's filepath.Join, without its
    /// cleaning: the values come from the environment as the user set them).
    pub fn join(self, base: &Path, parts: &[&str]) -> PathBuf {
        let sep = self.separator();
        let mut joined: OsString = base.as_os_str().to_owned();
        for part in parts {
            let ends_with_sep = joined
                .to_string_lossy()
                .ends_with(|c| c == sep || (self == Os::Windows && c == '/'));
            if !ends_with_sep {
                joined.push(sep.to_string());
            }
            joined.push(part);
        }
        PathBuf::from(joined)
    }
}

/// An environment lookup: the process's own, or a table's. Empty values count as unset,
/// as Go's `os.Getenv(...) != ""` checks in the upstream code.
pub trait Env {
    fn get(&self, name: &str) -> Option<OsString>;

    fn non_empty(&self, name: &str) -> Option<OsString> {
        self.get(name).filter(|v| !v.is_empty())
    }
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn get(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }
}

impl<const N: usize> Env for [(&str, &str); N] {
    fn get(&self, name: &str) -> Option<OsString> {
        self.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| OsString::from(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_with_the_os_separator() {
        let table = [
            (Os::Unix, "/home/u", "/home/u/.kube/config"),
            (Os::Unix, "/home/u/", "/home/u/.kube/config"),
            (Os::Windows, r"C:\Users\u", r"C:\Users\u\.kube\config"),
            (Os::Windows, r"C:\", r"C:\.kube\config"),
            (Os::Windows, "Z:/tmp/u", r"Z:/tmp/u\.kube\config"),
        ];
        for (os, base, want) in table {
            assert_eq!(
                os.join(Path::new(base), &[".kube", "config"]),
                PathBuf::from(want),
                "{os:?} {base}"
            );
        }
    }
}
