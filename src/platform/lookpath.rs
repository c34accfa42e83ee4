//! Which file a credential plugin's `command` runs, as client-go finds it: Go's
//! `exec.Command` calls `exec.LookPath`. On Windows (src/os/exec/lp_windows.go) that tries the
//! `PATHEXT` extensions, so `kubelogin` finds `kubelogin.exe` and `gke-auth.cmd`; Rust's
//! `Command::new` appends only `.exe`. Elsewhere Rust already searches `PATH` as Go does.

use std::ffi::{OsStr, OsString};
use std::path::Path;

use super::{Env, Os, ProcessEnv};

/// lp_windows.go's default when `PATHEXT` is unset.
const DEFAULT_PATHEXT: [&str; 4] = [".com", ".exe", ".bat", ".cmd"];

/// The extensions to try: `PATHEXT` lower-cased, split on `;`, empty entries dropped, a `.`
/// added where missing (lp_windows.go `pathExt`).
pub fn extensions(pathext: Option<&str>) -> Vec<String> {
    match pathext.filter(|x| !x.is_empty()) {
        None => DEFAULT_PATHEXT.iter().map(|e| e.to_string()).collect(),
        Some(x) => x
            .to_lowercase()
            .split(';')
            .filter(|e| !e.is_empty())
            .map(|e| {
                if e.starts_with('.') {
                    e.to_string()
                } else {
                    format!(".{e}")
                }
            })
            .collect(),
    }
}

/// Windows' `PATH` split as Go's filepath.SplitList does there: on `;` outside double quotes,
/// the quotes removed.
pub fn split_windows_path(path: &str) -> Vec<String> {
    let mut list = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => list.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    list.push(current);
    list
}

/// lp_windows.go `findExecutable`: the name itself when it already has an extension, then the
/// name with each extension appended; `is_file` says whether a path is an existing non-directory.
fn find_executable(file: &str, exts: &[String], is_file: &dyn Fn(&Path) -> bool) -> Option<String> {
    let base_start = file.rfind([':', '\\', '/']).map_or(0, |i| i + 1);
    let has_ext = file[base_start..].contains('.');
    if has_ext && is_file(Path::new(file)) {
        return Some(file.to_string());
    }
    exts.iter()
        .map(|e| format!("{file}{e}"))
        .find(|f| is_file(Path::new(f)))
}

/// Go's `exec.LookPath` on Windows, as `exec.Command` uses it since Go 1.19: a name holding
/// `:`, `\` or `/` is tried as it is (with the extensions); otherwise each absolute `PATH`
/// entry is tried in order. The current directory and relative entries are never used
/// (Go's `ErrDot`, which makes `exec.Command` fail rather than run them). `None`: not found.
pub fn look_path_windows(
    file: &str,
    path: Option<&str>,
    pathext: Option<&str>,
    is_file: &dyn Fn(&Path) -> bool,
) -> Option<String> {
    let exts = extensions(pathext);
    if file.contains([':', '\\', '/']) {
        return find_executable(file, &exts, is_file);
    }
    split_windows_path(path.unwrap_or(""))
        .into_iter()
        .filter(|dir| is_absolute_windows(dir))
        .find_map(|dir| {
            let joined = Os::Windows.join(Path::new(&dir), &[file]);
            find_executable(joined.to_str()?, &exts, is_file)
        })
}

/// `C:\...`, `C:/...` or a UNC `\\server\share`: what Go's filepath.IsAbs takes on Windows.
fn is_absolute_windows(dir: &str) -> bool {
    let b = dir.as_bytes();
    (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/'))
        || dir.starts_with(r"\\")
        || dir.starts_with("//")
}

/// The program to hand to `Command::new` for a plugin `command`: on Windows the file
/// LookPath finds (so `.cmd` and `.bat` plugins run, as with kubectl); elsewhere, or when
/// nothing is found, the command unchanged, so the usual "not found" error and install hint
/// follow.
pub fn program(command: &OsStr) -> OsString {
    program_for(Os::current(), command, &ProcessEnv, &|p| p.is_file())
}

fn program_for(
    os: Os,
    command: &OsStr,
    env: &dyn Env,
    is_file: &dyn Fn(&Path) -> bool,
) -> OsString {
    if os != Os::Windows {
        return command.to_owned();
    }
    let (Some(file), path, pathext) = (
        command.to_str(),
        env.get("PATH").and_then(|p| p.into_string().ok()),
        env.get("PATHEXT").and_then(|p| p.into_string().ok()),
    ) else {
        return command.to_owned();
    };
    look_path_windows(file, path.as_deref(), pathext.as_deref(), is_file)
        .map_or_else(|| command.to_owned(), OsString::from)
}

/// For tests: resolve with a given environment and file set.
#[cfg(test)]
fn resolve(os: Os, command: &str, env: &dyn Env, files: &[&str]) -> std::path::PathBuf {
    std::path::PathBuf::from(program_for(os, OsStr::new(command), env, &|p| {
        files.contains(&p.to_str().unwrap())
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn pathext_is_read_as_go_reads_it() {
        assert_eq!(extensions(None), [".com", ".exe", ".bat", ".cmd"]);
        assert_eq!(extensions(Some("")), [".com", ".exe", ".bat", ".cmd"]);
        assert_eq!(extensions(Some(".EXE;;CMD;.Ps1")), [".exe", ".cmd", ".ps1"]);
    }

    #[test]
    fn windows_path_lists_split_on_semicolons_outside_quotes() {
        assert_eq!(
            split_windows_path(r#"C:\a;"C:\b;c";;D:\d"#),
            [r"C:\a", r"C:\b;c", "", r"D:\d"]
        );
    }

    #[test]
    fn plugins_are_found_as_go_finds_them_on_windows() {
        let env = [
            ("PATH", r"C:\tools;.;bin;C:\Program Files\az\bin;C:\more"),
            ("PATHEXT", ".COM;.EXE;.BAT;.CMD"),
        ];
        let files = [
            r"C:\tools\kubelogin.exe",
            r"C:\Program Files\az\bin\az.cmd",
            r"C:\more\az.exe",
            r"C:\more\gke.bat",
            r"C:\more\gke.exe",
            r".\local.exe",
            r"bin\rel.exe",
            r"C:\more\x.ps1",
            r"C:\abs\plugin.cmd",
            r"C:\more\has.dot",
        ];
        let table = [
            ("kubelogin", r"C:\tools\kubelogin.exe"),
            ("kubelogin.exe", r"C:\tools\kubelogin.exe"),
            // the first PATH entry holding any extension wins
            ("az", r"C:\Program Files\az\bin\az.cmd"),
            // within one entry, PATHEXT's order: .exe before .bat
            ("gke", r"C:\more\gke.exe"),
            // the current directory and relative entries are not searched (Go's ErrDot)
            ("local", "local"),
            ("rel", "rel"),
            // not in PATHEXT
            ("x", "x"),
            // a name with a separator is tried as it is, extensions added
            (r"C:\abs\plugin", r"C:\abs\plugin.cmd"),
            ("C:/abs/missing", "C:/abs/missing"),
            // an extension already there: the file itself
            ("has.dot", r"C:\more\has.dot"),
            ("missing", "missing"),
        ];
        for (command, want) in table {
            assert_eq!(
                resolve(Os::Windows, command, &env, &files),
                PathBuf::from(want),
                "{command}"
            );
        }
    }

    #[test]
    fn other_systems_leave_the_search_to_rust() {
        let env = [("PATH", "/usr/bin"), ("PATHEXT", ".EXE")];
        assert_eq!(
            resolve(Os::Unix, "kubelogin", &env, &["/usr/bin/kubelogin.exe"]),
            PathBuf::from("kubelogin")
        );
    }
}
