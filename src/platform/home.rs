//! Home and config directories as the upstream tools find them on each OS: the kubeconfig
//! home (client-go) and the Coder v1 CLI's config dir (kirsle/configdir).

use std::path::{Path, PathBuf};

use super::{Env, Os, ProcessEnv};

/// What the file system says about a candidate home directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Probe {
    /// `<dir>\.kube\config` exists.
    pub has_kubeconfig: bool,
    /// The directory itself exists.
    pub exists: bool,
    /// It is a directory with the owner-write bit (Go on Windows: not read-only).
    pub writable_dir: bool,
}

/// The home whose `.kube/config` kubectl reads, as client-go's util/homedir/homedir.go
/// `HomeDir()` decides (k8s.io/client-go, e.g. commit d99dd130a2fc, line 31 on):
/// - not Windows: `HOME`;
/// - Windows: the first of `HOME`, `HOMEDRIVE`+`HOMEPATH`, `USERPROFILE` holding a
///   `.kube\config`; else the first of `HOME`, `USERPROFILE`, `HOMEDRIVE`+`HOMEPATH` that is a
///   writable directory; else the first of those that exists; else the first that is set.
///
/// `HOME` comes first even on Windows (Git Bash and MSYS set it); Wine passes the Linux one
/// through, which is why the Wine tests unset it.
pub fn kube_home(os: Os, env: &dyn Env, probe: &dyn Fn(&Path) -> Probe) -> Option<PathBuf> {
    let home = env.non_empty("HOME").map(PathBuf::from);
    if os != Os::Windows {
        return home;
    }
    // Both must be set, as client-go checks (`len(homeDrive) > 0 && len(homePath) > 0`).
    let drive_path = match (env.non_empty("HOMEDRIVE"), env.non_empty("HOMEPATH")) {
        (Some(mut drive), Some(path)) => {
            drive.push(path);
            Some(PathBuf::from(drive))
        }
        _ => None,
    };
    let profile = env.non_empty("USERPROFILE").map(PathBuf::from);

    // HOMEDRIVE+HOMEPATH before USERPROFILE here "for backwards-compatibility" (client-go).
    let with_config = [&home, &drive_path, &profile];
    if let Some(found) = with_config
        .into_iter()
        .flatten()
        .find(|p| probe(p).has_kubeconfig)
    {
        return Some(found.clone());
    }
    // USERPROFILE before HOMEDRIVE+HOMEPATH here, "for compatibility with other auth-writing
    // tools" (client-go).
    let order: Vec<&PathBuf> = [&home, &profile, &drive_path]
        .into_iter()
        .flatten()
        .collect();
    order
        .iter()
        .find(|p| probe(p).writable_dir)
        .or_else(|| order.iter().find(|p| probe(p).exists))
        .or_else(|| order.first())
        .map(|p| (*p).clone())
}

/// [`kube_home`] for this process: its OS, environment and file system.
pub fn live_kube_home() -> Option<PathBuf> {
    let os = Os::current();
    kube_home(os, &ProcessEnv, &|dir| {
        let meta = std::fs::metadata(dir).ok();
        Probe {
            has_kubeconfig: os.join(dir, &[".kube", "config"]).exists(),
            exists: meta.is_some(),
            writable_dir: meta.is_some_and(|m| m.is_dir() && !m.permissions().readonly()),
        }
    })
}

/// Where the Coder v1 CLI keeps its login (its internal/config: `configdir.LocalConfig("coder")`,
/// files `session` and `url`), as github.com/kirsle/configdir decides per OS:
/// - config_xdg.go (Linux and other Unix): `$XDG_CONFIG_HOME/coder` (any non-empty value),
///   else `$HOME/.config/coder`;
/// - config_darwin.go: `$HOME/Library/Application Support/coder` (no XDG);
/// - config_windows.go: `%APPDATA%\coder`.
///
/// `None` when the variable it needs is unset: configdir would then name a relative `coder`
/// folder in the current directory, which is never where a login was saved.
pub fn coder_v1_config_dir(os: Os, env: &dyn Env) -> Option<PathBuf> {
    match os {
        Os::Unix => match env.non_empty("XDG_CONFIG_HOME") {
            Some(xdg) => Some(os.join(Path::new(&xdg), &["coder"])),
            None => env
                .non_empty("HOME")
                .map(|h| os.join(Path::new(&h), &[".config", "coder"])),
        },
        Os::MacOs => env
            .non_empty("HOME")
            .map(|h| os.join(Path::new(&h), &["Library", "Application Support", "coder"])),
        Os::Windows => env
            .non_empty("APPDATA")
            .map(|a| os.join(Path::new(&a), &["coder"])),
    }
}

/// [`coder_v1_config_dir`] for this process.
pub fn live_coder_v1_config_dir() -> Option<PathBuf> {
    coder_v1_config_dir(Os::current(), &ProcessEnv)
}

/// The v1 CLI's `session` file as a message names it: the path tried, else (its variable
/// unset) the rule in this OS's own words.
pub fn coder_v1_session_shown(os: Os, env: &dyn Env) -> String {
    match coder_v1_config_dir(os, env) {
        Some(dir) => os.join(&dir, &["session"]).display().to_string(),
        None => match os {
            Os::Unix => "~/.config/coder/session",
            Os::MacOs => "~/Library/Application Support/coder/session",
            Os::Windows => r"%APPDATA%\coder\session",
        }
        .to_string(),
    }
}

/// [`coder_v1_session_shown`] for this process.
pub fn live_coder_v1_session_shown() -> String {
    coder_v1_session_shown(Os::current(), &ProcessEnv)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file system where `dirs` exist (all writable unless listed in `read_only`) and
    /// `configs` hold a `.kube\config`.
    fn fs<'a>(
        dirs: &'a [&'a str],
        read_only: &'a [&'a str],
        configs: &'a [&'a str],
    ) -> impl Fn(&Path) -> Probe + 'a {
        move |p: &Path| {
            let p = p.to_str().unwrap();
            Probe {
                has_kubeconfig: configs.contains(&p),
                exists: dirs.contains(&p) || read_only.contains(&p),
                writable_dir: dirs.contains(&p),
            }
        }
    }

    #[test]
    fn the_kube_home_follows_client_go_on_windows() {
        let env = [
            ("HOME", r"C:\h"),
            ("HOMEDRIVE", "D:"),
            ("HOMEPATH", r"\dp"),
            ("USERPROFILE", r"C:\Users\u"),
        ];
        let no_home = [
            ("HOMEDRIVE", "D:"),
            ("HOMEPATH", r"\dp"),
            ("USERPROFILE", r"C:\Users\u"),
        ];
        let only_drive = [("HOMEDRIVE", "D:")];
        type Case<'a> = (
            &'a dyn Env,
            &'a [&'a str],
            &'a [&'a str],
            &'a [&'a str],
            Option<&'a str>,
        );
        let table: [Case; 9] = [
            // 1. the first holding .kube\config, HOMEDRIVE+HOMEPATH before USERPROFILE
            (&env, &[], &[], &[r"D:\dp", r"C:\Users\u"], Some(r"D:\dp")),
            (&env, &[], &[], &[r"C:\Users\u"], Some(r"C:\Users\u")),
            (&env, &[], &[], &[r"C:\h", r"C:\Users\u"], Some(r"C:\h")),
            // HOME unset (the usual Windows user): USERPROFILE's config is found
            (
                &no_home,
                &[r"C:\Users\u"],
                &[],
                &[r"C:\Users\u"],
                Some(r"C:\Users\u"),
            ),
            // 2. no config anywhere: the first writable, USERPROFILE before HOMEDRIVE+HOMEPATH
            (
                &no_home,
                &[r"D:\dp", r"C:\Users\u"],
                &[],
                &[],
                Some(r"C:\Users\u"),
            ),
            (&env, &[r"D:\dp"], &[r"C:\h"], &[], Some(r"D:\dp")),
            // 3. none writable: the first that exists
            (&env, &[], &[r"D:\dp"], &[], Some(r"D:\dp")),
            // 4. none exists: the first that is set
            (&no_home, &[], &[], &[], Some(r"C:\Users\u")),
            // HOMEDRIVE without HOMEPATH is not a home
            (&only_drive, &[], &[], &[], None),
        ];
        for (i, (env, dirs, read_only, configs, want)) in table.into_iter().enumerate() {
            assert_eq!(
                kube_home(Os::Windows, env, &fs(dirs, read_only, configs)),
                want.map(PathBuf::from),
                "case {i}"
            );
        }
    }

    #[test]
    fn the_kube_home_is_home_elsewhere() {
        let env = [("HOME", "/home/u"), ("USERPROFILE", "/p")];
        let nothing = fs(&[], &[], &[]);
        for os in [Os::Unix, Os::MacOs] {
            assert_eq!(kube_home(os, &env, &nothing), Some("/home/u".into()));
            assert_eq!(kube_home(os, &[("USERPROFILE", "/p")], &nothing), None);
            assert_eq!(kube_home(os, &[("HOME", "")], &nothing), None);
        }
    }

    #[test]
    fn the_v1_cli_config_dir_follows_configdir_per_os() {
        let table: [(Os, &dyn Env, Option<&str>); 10] = [
            (
                Os::Unix,
                &[("XDG_CONFIG_HOME", "/x"), ("HOME", "/home/u")],
                Some("/x/coder"),
            ),
            // configdir takes any non-empty XDG value; an empty one means unset
            (
                Os::Unix,
                &[("XDG_CONFIG_HOME", ""), ("HOME", "/home/u")],
                Some("/home/u/.config/coder"),
            ),
            (
                Os::Unix,
                &[("HOME", "/home/u")],
                Some("/home/u/.config/coder"),
            ),
            (Os::Unix, &[("APPDATA", "/a")], None),
            // macOS ignores XDG
            (
                Os::MacOs,
                &[("XDG_CONFIG_HOME", "/x"), ("HOME", "/Users/u")],
                Some("/Users/u/Library/Application Support/coder"),
            ),
            (Os::MacOs, &[("XDG_CONFIG_HOME", "/x")], None),
            (
                Os::Windows,
                &[
                    ("APPDATA", r"C:\Users\u\AppData\Roaming"),
                    ("HOME", r"C:\h"),
                ],
                Some(r"C:\Users\u\AppData\Roaming\coder"),
            ),
            (
                Os::Windows,
                &[("HOME", r"C:\h"), ("XDG_CONFIG_HOME", r"C:\x")],
                None,
            ),
            (Os::Windows, &[("APPDATA", "")], None),
            (Os::Unix, &[], None),
        ];
        for (os, env, want) in table {
            assert_eq!(
                coder_v1_config_dir(os, env),
                want.map(PathBuf::from),
                "{os:?}"
            );
        }
    }

    #[test]
    fn messages_name_the_session_file_tried() {
        let table: [(Os, &dyn Env, &str); 4] = [
            (Os::Windows, &[("APPDATA", r"C:\a")], r"C:\a\coder\session"),
            (Os::Windows, &[("HOME", "/h")], r"%APPDATA%\coder\session"),
            (
                Os::MacOs,
                &[("APPDATA", "x")],
                "~/Library/Application Support/coder/session",
            ),
            (Os::Unix, &[("HOME", "/h")], "/h/.config/coder/session"),
        ];
        for (os, env, want) in table {
            assert_eq!(coder_v1_session_shown(os, env), want, "{os:?}");
        }
    }
}
