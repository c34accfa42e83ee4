//! kubectl's plugin completion protocol (kubectl 1.26+), as a pure function of the words.
//!
//! For `kubectl coder <words...><TAB>` kubectl runs `kubectl_complete-coder` from `PATH` with
//! the words after `coder`, the last one being the word under the cursor (empty when the cursor
//! follows a space). It reads one candidate a line (`value` or `value<TAB>description`) and, on
//! the last line, `:<n>`, a cobra `ShellCompDirective` (see [`directive`]). kubectl's own
//! completion script for bash, zsh, fish or PowerShell then shows the candidates; the shells
//! filter and prefix `--flag=` themselves, as with cobra's own completions.
//!
//! [`complete`] is the word logic, a pure function of the words and a [`Source`] of names; the
//! subcommands, flags and fixed values come from the clap definition in [`crate::cli`], so they
//! can never drift from what the plugin accepts. [`crate::cli::complete::lookup::KubeSource`]
//! answers with names from the kubeconfig and the cluster. Any failure means no candidates:
//! completion never prints an error.

use std::path::PathBuf;

use clap::{Arg, ArgAction, Command, CommandFactory, ValueHint};

use crate::cli::args::Cli;
use crate::kube::connection::ConnectOptions;
use crate::text::sanitize_line;

/// cobra's `ShellCompDirective` bits (spf13/cobra, completions.go), as kubectl reads them.
pub mod directive {
    /// Let the shell do its default (file completion when there is no candidate).
    pub const DEFAULT: u32 = 0;
    /// An error occurred: ignore the candidates.
    pub const ERROR: u32 = 1;
    /// Do not add a space after a single candidate.
    pub const NO_SPACE: u32 = 2;
    /// Do not fall back to file names when there is no candidate.
    pub const NO_FILE_COMP: u32 = 4;
    /// The candidates are file extensions to filter on.
    pub const FILTER_FILE_EXT: u32 = 8;
    /// Complete directory names only.
    pub const FILTER_DIRS: u32 = 16;
    /// Keep the candidates in the order given.
    pub const KEEP_ORDER: u32 = 32;
}

/// One candidate, with an optional description that shells with descriptions show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub value: String,
    pub description: Option<String>,
}

/// The answer to one completion request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub candidates: Vec<Candidate>,
    pub directive: u32,
}

impl Completion {
    fn none() -> Completion {
        Completion {
            candidates: Vec::new(),
            directive: directive::NO_FILE_COMP,
        }
    }

    /// Just the values, for tests and for reading.
    pub fn values(&self) -> Vec<&str> {
        self.candidates.iter().map(|c| c.value.as_str()).collect()
    }

    /// The protocol's output: one candidate a line, then `:<directive>`.
    /// Names from the cluster are untrusted: a candidate or description with a control
    /// character (a line break would even forge another candidate) is shown made visible.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for c in &self.candidates {
            out.push_str(&sanitize_line(&c.value));
            if let Some(d) = c.description.as_deref().filter(|d| !d.is_empty()) {
                out.push('\t');
                out.push_str(&sanitize_line(d));
            }
            out.push('\n');
        }
        out.push_str(&format!(":{}\n", self.directive));
        out
    }
}

/// Names that only the kubeconfig or the cluster know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Contexts,
    Clusters,
    Users,
    Namespaces,
    Pods,
    /// Containers of the `--pod` given, else of every pod in the namespace.
    Containers,
}

/// What the words typed so far say about where to look: the connection flags and `--pod`.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    pub connection: ConnectOptions,
    pub pod: Option<String>,
}

/// Where names come from. Implementations return nothing on any failure.
pub trait Source {
    fn lookup(&self, what: Lookup, scope: &Scope) -> Vec<String>;
}

/// Completes the last of `args` (the words after `kubectl coder`; the last one is the word
/// being completed, possibly empty).
pub fn complete(args: &[String], source: &dyn Source) -> Completion {
    let mut root = Cli::command();
    root.build();
    let (done, current) = match args.split_last() {
        Some((last, rest)) => (rest, last.as_str()),
        None => (&[][..], ""),
    };
    let walk = Walk::new(&root, done);

    if let Some(arg) = walk.pending {
        return values(arg, current, &walk.scope, source);
    }
    if !walk.after_double_dash
        && current.starts_with('-')
        && current != "-"
        && let Some((flag, value)) = current.split_once('=')
    {
        // `--context=pr`: the shells keep the `--context=` part and want values.
        return match walk.find_flag(flag) {
            Some(arg) if takes_value(arg) => values(arg, value, &walk.scope, source),
            _ => Completion::none(),
        };
    }
    if !walk.after_double_dash && current.starts_with('-') {
        return flags(walk.command, current, &walk.given);
    }
    if !walk.in_subcommand {
        return subcommands(walk.command, current);
    }
    // A positional with fixed values (`completion <shell>`); a Coder username is not something
    // we can list.
    match walk.command.get_positionals().nth(walk.positionals) {
        Some(arg) if !arg.get_possible_values().is_empty() => {
            values(arg, current, &walk.scope, source)
        }
        _ => Completion::none(),
    }
}

/// The state after reading the completed words.
struct Walk<'a> {
    command: &'a Command,
    in_subcommand: bool,
    /// A flag whose value is the word being completed (`--context <TAB>`).
    pending: Option<&'a Arg>,
    after_double_dash: bool,
    given: Vec<&'a str>,
    /// Positional words given to the subcommand so far.
    positionals: usize,
    scope: Scope,
}

impl<'a> Walk<'a> {
    fn new(root: &'a Command, done: &[String]) -> Walk<'a> {
        let mut walk = Walk {
            command: root,
            in_subcommand: false,
            pending: None,
            after_double_dash: false,
            given: Vec::new(),
            positionals: 0,
            scope: Scope::default(),
        };
        let mut words = done.iter().map(String::as_str).peekable();
        while let Some(word) = words.next() {
            if walk.after_double_dash || word == "-" || !word.starts_with('-') {
                if !walk.in_subcommand
                    && let Some(sub) = walk.command.find_subcommand(word)
                {
                    walk.command = sub;
                    walk.in_subcommand = true;
                } else if walk.in_subcommand {
                    walk.positionals += 1;
                }
                continue;
            }
            if word == "--" {
                walk.after_double_dash = true;
                continue;
            }
            if let Some(long) = word.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((name, value)) => (name, Some(value)),
                    None => (long, None),
                };
                let Some(arg) = walk.command.get_arguments().find(|a| has_long(a, name)) else {
                    continue;
                };
                walk.given.push(arg.get_id().as_str());
                if takes_value(arg) && inline.is_none() {
                    match words.next() {
                        Some(value) => walk.record(arg, value),
                        None => walk.pending = Some(arg),
                    }
                } else if let Some(value) = inline {
                    walk.record(arg, value);
                }
                continue;
            }
            // A cluster of short flags: `-yv`, `-ncoder`, `-n=coder`, `-n coder`.
            let shorts = &word[1..];
            for (at, c) in shorts.char_indices() {
                let Some(arg) = walk.command.get_arguments().find(|a| has_short(a, c)) else {
                    break;
                };
                walk.given.push(arg.get_id().as_str());
                if takes_value(arg) {
                    let rest = &shorts[at + c.len_utf8()..];
                    let rest = rest.strip_prefix('=').unwrap_or(rest);
                    if !rest.is_empty() {
                        walk.record(arg, rest);
                    } else {
                        match words.next() {
                            Some(value) => walk.record(arg, value),
                            None => walk.pending = Some(arg),
                        }
                    }
                    break;
                }
            }
        }
        walk
    }

    fn record(&mut self, arg: &Arg, value: &str) {
        let c = &mut self.scope.connection;
        let value = value.to_string();
        match arg.get_id().as_str() {
            "kubeconfig" => c.kubeconfig = Some(PathBuf::from(value)),
            "context" => c.context = Some(value),
            "cluster" => c.cluster = Some(value),
            "user" => c.user = Some(value),
            "namespace" => c.namespace = Some(value),
            "pod" => self.scope.pod = Some(value),
            _ => {}
        }
    }

    fn find_flag(&self, flag: &str) -> Option<&'a Arg> {
        if let Some(long) = flag.strip_prefix("--") {
            return self.command.get_arguments().find(|a| has_long(a, long));
        }
        let mut chars = flag.strip_prefix('-')?.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => self.command.get_arguments().find(|a| has_short(a, c)),
            _ => None,
        }
    }
}

fn has_long(arg: &Arg, name: &str) -> bool {
    arg.get_long() == Some(name)
        || arg
            .get_all_aliases()
            .is_some_and(|aliases| aliases.contains(&name))
}

fn has_short(arg: &Arg, c: char) -> bool {
    arg.get_short() == Some(c)
        || arg
            .get_all_short_aliases()
            .is_some_and(|aliases| aliases.contains(&c))
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

fn repeatable(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Count | ArgAction::Append)
}

fn help_line(arg: &Arg) -> Option<String> {
    arg.get_help()
        .map(|h| h.to_string().lines().next().unwrap_or("").to_string())
}

fn flags(command: &Command, current: &str, given: &[&str]) -> Completion {
    let mut candidates = Vec::new();
    let long_only = current.starts_with("--");
    for arg in command.get_arguments() {
        if arg.is_positional() || arg.is_hide_set() {
            continue;
        }
        if given.contains(&arg.get_id().as_str()) && !repeatable(arg) {
            continue;
        }
        let description = help_line(arg);
        if let Some(long) = arg.get_long() {
            let value = format!("--{long}");
            if value.starts_with(current) {
                candidates.push(Candidate {
                    value,
                    description: description.clone(),
                });
            }
        }
        if !long_only && let Some(short) = arg.get_short() {
            let value = format!("-{short}");
            if value.starts_with(current) {
                candidates.push(Candidate { value, description });
            }
        }
    }
    Completion {
        candidates,
        directive: directive::NO_FILE_COMP,
    }
}

fn subcommands(command: &Command, current: &str) -> Completion {
    let candidates = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .flat_map(|s| {
            let about = s.get_about().map(|a| a.to_string());
            std::iter::once(s.get_name())
                .chain(s.get_visible_aliases())
                .map(move |name| Candidate {
                    value: name.to_string(),
                    description: about.clone(),
                })
        })
        .filter(|c| c.value.starts_with(current))
        .collect();
    Completion {
        candidates,
        directive: directive::NO_FILE_COMP,
    }
}

fn values(arg: &Arg, prefix: &str, scope: &Scope, source: &dyn Source) -> Completion {
    let possible = arg.get_possible_values();
    if !possible.is_empty() {
        let candidates = possible
            .iter()
            .filter(|p| !p.is_hide_set() && p.get_name().starts_with(prefix))
            .map(|p| Candidate {
                value: p.get_name().to_string(),
                description: p.get_help().map(|h| h.to_string()),
            })
            .collect();
        return Completion {
            candidates,
            directive: directive::NO_FILE_COMP,
        };
    }
    let lookup = match arg.get_id().as_str() {
        "context" => Lookup::Contexts,
        "cluster" => Lookup::Clusters,
        "user" => Lookup::Users,
        "namespace" => Lookup::Namespaces,
        "pod" => Lookup::Pods,
        "container" => Lookup::Containers,
        _ if arg.get_id() == "kubeconfig"
            || matches!(
                arg.get_value_hint(),
                ValueHint::FilePath | ValueHint::AnyPath
            ) =>
        {
            // A file: let the shell complete file names.
            return Completion {
                candidates: Vec::new(),
                directive: directive::DEFAULT,
            };
        }
        _ => return Completion::none(),
    };
    let mut seen = std::collections::BTreeSet::new();
    let candidates = source
        .lookup(lookup, scope)
        .into_iter()
        .filter(|name| name.starts_with(prefix) && seen.insert(name.clone()))
        .map(|value| Candidate {
            value,
            description: None,
        })
        .collect();
    Completion {
        candidates,
        directive: directive::NO_FILE_COMP,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// What a lookup was asked with: the lookup, context, namespace and pod.
    type Asked = (Lookup, Option<String>, Option<String>, Option<String>);

    /// A source with fixed names that remembers what it was asked.
    #[derive(Default)]
    struct Fake {
        asked: RefCell<Vec<Asked>>,
    }

    impl Source for Fake {
        fn lookup(&self, what: Lookup, scope: &Scope) -> Vec<String> {
            self.asked.borrow_mut().push((
                what,
                scope.connection.context.clone(),
                scope.connection.namespace.clone(),
                scope.pod.clone(),
            ));
            let names: &[&str] = match what {
                Lookup::Contexts => &["prod", "staging", "prod"],
                Lookup::Clusters => &["c1"],
                Lookup::Users => &["u1"],
                Lookup::Namespaces => &["coder", "default", "kube-system"],
                Lookup::Pods => &["coderd-7f9c6d5b8-x2k4q", "timescale-0"],
                Lookup::Containers => &["coderd", "timescale"],
            };
            names.iter().map(|s| s.to_string()).collect()
        }
    }

    fn run(words: &[&str]) -> Completion {
        let args: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        complete(&args, &Fake::default())
    }

    #[test]
    fn directive_numbers_are_cobras() {
        // spf13/cobra completions.go: Error = 1 << iota, NoSpace, NoFileComp, FilterFileExt,
        // FilterDirs, KeepOrder; Default = 0.
        assert_eq!(
            [
                directive::DEFAULT,
                directive::ERROR,
                directive::NO_SPACE,
                directive::NO_FILE_COMP,
                directive::FILTER_FILE_EXT,
                directive::FILTER_DIRS,
                directive::KEEP_ORDER
            ],
            [0, 1, 2, 4, 8, 16, 32]
        );
    }

    #[test]
    fn word_table() {
        let all_subcommands = vec![
            "status",
            "reset-admin-password",
            "reset-password",
            "create-admin-user",
            "version",
            "options",
            "completion",
            "help",
        ];
        let table: &[(&[&str], Vec<&str>, u32)] = &[
            (&[], all_subcommands.clone(), 4),
            (&[""], all_subcommands.clone(), 4),
            (&["re"], vec!["reset-admin-password", "reset-password"], 4),
            (&["reset-p"], vec!["reset-password"], 4),
            (&["-n", "coder", "st"], vec!["status"], 4),
            (&["--context=prod", "v"], vec!["version"], 4),
            (&["x"], vec![], 4),
            // Values of flags, by name and by short name, before and after the subcommand.
            (&["status", "--context", ""], vec!["prod", "staging"], 4),
            (&["status", "--context", "st"], vec!["staging"], 4),
            (&["--context", "p"], vec!["prod"], 4),
            (&["status", "--context=st"], vec!["staging"], 4),
            (
                &["status", "-n", ""],
                vec!["coder", "default", "kube-system"],
                4,
            ),
            (&["status", "--namespace", "k"], vec!["kube-system"], 4),
            (&["status", "-n=c"], vec!["coder"], 4),
            (&["status", "--cluster", ""], vec!["c1"], 4),
            (&["status", "--user", ""], vec!["u1"], 4),
            (
                &["status", "--pod", ""],
                vec!["coderd-7f9c6d5b8-x2k4q", "timescale-0"],
                4,
            ),
            (&["status", "-c", "c"], vec!["coderd"], 4),
            (
                &["status", "--generation", ""],
                vec!["v1", "v1-legacy", "v2"],
                4,
            ),
            (
                &["status", "--generation", "v1"],
                vec!["v1", "v1-legacy"],
                4,
            ),
            (&["status", "--generation=v2"], vec!["v2"], 4),
            (&["status", "-o", ""], vec!["text", "json", "yaml"], 4),
            (&["-o", "j"], vec!["json"], 4),
            (&["status", "--output=y"], vec!["yaml"], 4),
            // A file: no candidates, and the shell's own file completion (directive 0).
            (&["status", "--kubeconfig", ""], vec![], 0),
            (&["--kubeconfig=/tm"], vec![], 0),
            // Free text: nothing, and no file names either.
            (&["status", "--timeout", ""], vec![], 4),
            (&["status", "-l", ""], vec![], 4),
            (&["reset-password", ""], vec![], 4),
            (&["reset-password", "alice", ""], vec![], 4),
            (&["reset-admin-password", "--owner", ""], vec![], 4),
            (&["status", "--nope=x"], vec![], 4),
            // Flags.
            // The command's own flags first, then kubectl's.
            (&["status", "--con"], vec!["--container", "--context"], 4),
            (&["status", "--na"], vec!["--namespace"], 4),
            (&["status", "-n"], vec!["-n"], 4),
            (
                &["reset-password", "--pass"],
                vec!["--password-stdin", "--password-prompt"],
                4,
            ),
            (&["reset-admin-password", "--ow"], vec!["--owner"], 4),
            (&["status", "--ow"], vec![], 4),
            (&["create-admin-user", "--e"], vec!["--email"], 4),
            (&["--ver"], vec!["--verbose", "--version"], 4),
            // A flag already given is not offered again, unless it counts (-v -v).
            (
                &["status", "--context", "prod", "--con"],
                vec!["--container"],
                4,
            ),
            (
                &["status", "--container", "x", "--con"],
                vec!["--context"],
                4,
            ),
            (&["status", "-v", "--verb"], vec!["--verbose"], 4),
            (&["reset-admin-password", "-y", "--y"], vec![], 4),
            // Only the changing commands have --yes and --dry-run.
            (&["status", "--y"], vec![], 4),
            (&["status", "--dry"], vec![], 4),
            (&["reset-password", "--dry"], vec!["--dry-run"], 4),
            (
                &["completion", ""],
                vec!["bash", "zsh", "fish", "powershell"],
                4,
            ),
            // After `--` everything is positional.
            (&["--", "--con"], vec![], 4),
            // Short clusters and attached values consume what they should.
            (&["-vv", "st"], vec!["status"], 4),
            (
                &["reset-password", "-yv", "alice", "--dr"],
                vec!["--dry-run"],
                4,
            ),
            (&["-ncoder", "st"], vec!["status"], 4),
            (
                &["-n", "coder", "status", "--pod", "t"],
                vec!["timescale-0"],
                4,
            ),
        ];
        for (words, want, want_directive) in table {
            let got = run(words);
            assert_eq!(got.values(), *want, "{words:?}");
            assert_eq!(got.directive, *want_directive, "{words:?}");
        }
    }

    #[test]
    fn short_flags_are_offered_with_a_single_dash() {
        let got = run(&["reset-admin-password", "-"]);
        let values = got.values();
        for want in [
            "-n",
            "-c",
            "-l",
            "-o",
            "-y",
            "-v",
            "--context",
            "--kubeconfig",
            "--help",
        ] {
            assert!(values.contains(&want), "{want} missing from {values:?}");
        }
        let got = run(&["reset-admin-password", "--"]);
        assert!(got.values().iter().all(|v| v.starts_with("--")));
        assert!(got.values().contains(&"--dry-run"));
    }

    #[test]
    fn lookups_see_the_connection_flags_typed_so_far() {
        let fake = Fake::default();
        let args: Vec<String> = [
            "--context",
            "prod",
            "status",
            "-n",
            "coder",
            "--pod=coderd-1",
            "-c",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        complete(&args, &fake);
        assert_eq!(
            fake.asked.borrow().as_slice(),
            &[(
                Lookup::Containers,
                Some("prod".to_string()),
                Some("coder".to_string()),
                Some("coderd-1".to_string())
            )]
        );
    }

    #[test]
    fn no_lookup_for_words_that_do_not_need_one() {
        let fake = Fake::default();
        for words in [&["st"][..], &["status", "--"], &["status", "-o", ""]] {
            let args: Vec<String> = words.iter().map(|s| s.to_string()).collect();
            complete(&args, &fake);
        }
        assert!(fake.asked.borrow().is_empty());
    }

    #[test]
    fn render_follows_the_protocol() {
        let c = Completion {
            candidates: vec![
                Candidate {
                    value: "status".into(),
                    description: Some("Show it".into()),
                },
                Candidate {
                    value: "prod".into(),
                    description: None,
                },
            ],
            directive: directive::NO_FILE_COMP,
        };
        assert_eq!(c.render(), "status\tShow it\nprod\n:4\n");
        assert_eq!(Completion::none().render(), ":4\n");
    }

    #[test]
    fn subcommands_carry_their_descriptions() {
        let got = run(&["stat"]);
        assert_eq!(got.candidates.len(), 1);
        assert!(
            got.candidates[0]
                .description
                .as_deref()
                .is_some_and(|d| d.starts_with("Show the context")),
            "{got:?}"
        );
    }
}
