//! Packaging for krew: the manifest (plugin.yaml), the krew-release-bot template (.krew.yaml),
//! scripts/package.sh's archive, and the archive installed the way krew installs it and run
//! through the real kubectl.
//!
//! The manifest rules are krew's own (kubernetes-sigs/krew):
//! - internal/index/validation/validate.go: apiVersion and kind, name `^[\w-]+$` and not a
//!   Windows device name, non-empty one-line shortDescription, platforms non-empty, version
//!   semver with a leading `v` (internal/installation/semver, k8s.io/apimachinery's
//!   ParseSemantic), per platform uri, sha256 `^[a-f0-9]{64}$`, bin, files unset or non-empty
//!   with from and to, selector set with only the keys os and arch.
//! - pkg/constants/constants.go: apiVersion `krew.googlecontainertools.github.com/v1alpha2`,
//!   kind `Plugin`.
//! - cmd/validate-krew-manifest/main.go (krew-index's CI): each platform matches a supported
//!   os/arch, no os/arch is matched by two platforms, and line lengths (shortDescription 70,
//!   description and caveats 80).
//! - internal/installation/install.go: with `files` set only those files are installed, and
//!   `bin` must be among them (else "source binary cannot be found"); the link is
//!   `$KREW_ROOT/bin/kubectl-<name>` (dashes to underscores), a relative symlink to
//!   `$KREW_ROOT/store/<name>/<version>/<bin>`.
//!
//! Ours on top: unknown fields are refused (krew ignores them, so a typo would go unnoticed),
//! uri is our release URL ending in .tar.gz (.zip for windows), and version is Cargo's.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use support::{BIN as PLUGIN, COMPLETER, Cmd, KUBECTL, ROOT, Run, plugin_path};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(rename = "apiVersion")]
    api_version: String,
    kind: String,
    metadata: Metadata,
    spec: Spec,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Metadata {
    name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Spec {
    version: String,
    homepage: Option<String>,
    #[serde(default)]
    short_description: String,
    description: Option<String>,
    caveats: Option<String>,
    #[serde(default)]
    platforms: Vec<Platform>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Platform {
    selector: Option<Selector>,
    #[serde(default)]
    uri: String,
    #[serde(default)]
    sha256: String,
    #[serde(default)]
    bin: String,
    files: Option<Vec<FileOp>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Selector {
    match_labels: Option<BTreeMap<String, String>>,
    match_expressions: Option<Vec<Requirement>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Requirement {
    key: String,
    operator: String,
    #[serde(default)]
    values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOp {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// os/arch pairs krew runs on (GOOS/GOARCH); validate-krew-manifest requires every platform
/// to select one of them.
const KREW_PLATFORMS: &[(&str, &str)] = &[
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("linux", "ppc64le"),
    ("linux", "s390x"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
];

/// The platforms we release, in manifest order.
const RELEASED: &[(&str, &str)] = &[
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
];

const WINDOWS_FORBIDDEN: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn parse(text: &str) -> Result<Manifest, String> {
    serde_saphyr::from_str(text).map_err(|e| format!("not a krew manifest: {e}"))
}

/// k8s.io/apimachinery's ParseSemantic behind krew's leading-`v` check.
fn check_semver(version: &str) -> Result<(), String> {
    let rest = version
        .strip_prefix('v')
        .ok_or_else(|| format!("version string {version:?} not starting with 'v'"))?;
    let (core, build) = match rest.split_once('+') {
        Some((core, build)) => (core, Some(build)),
        None => (rest, None),
    };
    let (core, pre) = match core.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (core, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    if numbers.len() != 3 {
        return Err(format!(
            "version {version:?} must have major.minor.patch components"
        ));
    }
    for n in numbers {
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("version {version:?}: illegal component {n:?}"));
        }
        if n.len() > 1 && n.starts_with('0') {
            return Err(format!(
                "version {version:?}: illegal zero-prefixed version component {n:?}"
            ));
        }
    }
    let ident_ok =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if let Some(pre) = pre {
        for id in pre.split('.') {
            if !ident_ok(id) {
                return Err(format!("version {version:?}: illegal pre-release {pre:?}"));
            }
            if id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "version {version:?}: zero-prefixed pre-release {id:?}"
                ));
            }
        }
    }
    if let Some(build) = build
        && !build.split('.').all(ident_ok)
    {
        return Err(format!(
            "version {version:?}: illegal build metadata {build:?}"
        ));
    }
    Ok(())
}

fn selector_matches(selector: &Selector, os: &str, arch: &str) -> bool {
    let value = |key: &str| match key {
        "os" => Some(os),
        "arch" => Some(arch),
        _ => None,
    };
    let labels_ok = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| value(k) == Some(v.as_str()));
    let exprs_ok = selector.match_expressions.iter().flatten().all(|r| {
        let v = value(&r.key);
        match r.operator.as_str() {
            "In" => v.is_some_and(|v| r.values.iter().any(|x| x == v)),
            "NotIn" => v.is_none_or(|v| r.values.iter().all(|x| x != v)),
            "Exists" => v.is_some(),
            "DoesNotExist" => v.is_none(),
            _ => false,
        }
    });
    labels_ok && exprs_ok
}

fn check_lines(what: &str, text: &str, max: usize) -> Result<(), String> {
    // validate-krew-manifest allows a longer line only when it is a single word.
    for line in text.lines() {
        if line.len() > max && line.trim().contains(' ') {
            return Err(format!(
                "a line in `{what}` exceeds {max} characters: {line:?}"
            ));
        }
    }
    Ok(())
}

/// krew's validation plus ours. `placeholder_sums`: the committed copy, whose sha256 values
/// stand in until the release workflow writes the real ones.
fn validate(m: &Manifest, placeholder_sums: bool) -> Result<(), String> {
    if m.api_version != "krew.googlecontainertools.github.com/v1alpha2" {
        return Err(format!(
            "plugin manifest has apiVersion={:?}, not supported",
            m.api_version
        ));
    }
    if m.kind != "Plugin" {
        return Err(format!("plugin manifest has kind={:?}", m.kind));
    }
    let name = &m.metadata.name;
    let safe = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !WINDOWS_FORBIDDEN
            .iter()
            .any(|f| f.eq_ignore_ascii_case(name));
    if !safe {
        return Err(format!("the plugin name {name:?} is not allowed"));
    }
    if name != "coder" {
        return Err(format!("plugin should be named \"coder\", not {name:?}"));
    }
    let spec = &m.spec;
    if spec.short_description.is_empty() {
        return Err("should have a short description".into());
    }
    if spec.short_description.contains(['\r', '\n']) {
        return Err("should not have line breaks in short description".into());
    }
    check_lines("shortDescription", &spec.short_description, 70)?;
    check_lines("description", spec.description.as_deref().unwrap_or(""), 80)?;
    check_lines("caveats", spec.caveats.as_deref().unwrap_or(""), 80)?;
    if spec.platforms.is_empty() {
        return Err("should have a platform specified".into());
    }
    if spec.version.is_empty() {
        return Err("should have a version specified".into());
    }
    check_semver(&spec.version)?;
    let cargo_version = format!("v{}", env!("CARGO_PKG_VERSION"));
    if spec.version != cargo_version {
        return Err(format!(
            "spec.version {} is not Cargo.toml's {cargo_version}",
            spec.version
        ));
    }
    for (os, arch) in KREW_PLATFORMS {
        let matching: Vec<usize> = spec
            .platforms
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.selector
                    .as_ref()
                    .is_some_and(|s| selector_matches(s, os, arch))
            })
            .map(|(i, _)| i)
            .collect();
        if matching.len() > 1 {
            return Err(format!(
                "multiple spec.platforms (at indexes {matching:?}) have overlapping selectors that select os={os}/arch={arch}"
            ));
        }
    }
    for (i, p) in spec.platforms.iter().enumerate() {
        validate_platform(p, &spec.version, placeholder_sums)
            .map_err(|e| format!("platform [{i}] is badly constructed: {e}"))?;
    }
    Ok(())
}

fn validate_platform(p: &Platform, version: &str, placeholder_sums: bool) -> Result<(), String> {
    if p.uri.is_empty() {
        return Err("`uri` has to be set".into());
    }
    if p.sha256.is_empty() {
        return Err("`sha256` sum has to be set".into());
    }
    let hex = p.sha256.len() == 64
        && p.sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex {
        return Err(format!(
            "`sha256` value {} is not valid, must match pattern ^[a-f0-9]{{64}}$",
            p.sha256
        ));
    }
    if !placeholder_sums && p.sha256.bytes().all(|b| b == b'0') {
        return Err("`sha256` is the placeholder, not the archive's".into());
    }
    if p.bin.is_empty() {
        return Err("`bin` has to be set".into());
    }
    if let Some(files) = &p.files {
        if files.is_empty() {
            return Err("`files` has to be unspecified or non-empty".into());
        }
        for op in files {
            if op.from.is_empty() {
                return Err("`from` field has to be set".into());
            }
            if op.to.is_empty() {
                return Err("`to` field has to be set".into());
            }
        }
        if !files.iter().any(|f| f.from == p.bin) {
            return Err(format!(
                "`bin` {} is not among `files`, so krew would not install it",
                p.bin
            ));
        }
        if !files.iter().any(|f| f.from == "LICENSE") {
            return Err("LICENSE is not installed (krew-index wants the licence)".into());
        }
    }
    let selector = p.selector.as_ref().ok_or("nil selector is not supported")?;
    if selector.match_labels.is_none()
        && selector
            .match_expressions
            .as_deref()
            .is_none_or(|e| e.is_empty())
    {
        return Err("empty selector is not supported".into());
    }
    let keys = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, _)| k.as_str())
        .chain(
            selector
                .match_expressions
                .iter()
                .flatten()
                .map(|r| r.key.as_str()),
        );
    for key in keys {
        if key != "os" && key != "arch" {
            return Err(format!("key {key:?} not supported"));
        }
    }
    if selector.match_labels.as_ref().is_some_and(|l| l.is_empty()) {
        return Err("`matchLabels` specified but empty".into());
    }
    if selector
        .match_expressions
        .as_ref()
        .is_some_and(|e| e.is_empty())
    {
        return Err("`matchExpressions` specified but empty".into());
    }
    let Some(&(os, arch)) = KREW_PLATFORMS
        .iter()
        .find(|(os, arch)| selector_matches(selector, os, arch))
    else {
        return Err("the selector doesn't match any supported platform".into());
    };
    // Ours: the release URL and archive kind.
    let ext = if os == "windows" { "zip" } else { "tar.gz" };
    let want = format!(
        "https://github.com/kubectl-coder/kubectl-coder/releases/download/{version}/kubectl-coder_{version}_{os}_{arch}.{ext}"
    );
    if p.uri != want {
        return Err(format!("uri {} should be {want}", p.uri));
    }
    let exe = if os == "windows" { ".exe" } else { "" };
    if p.bin != format!("kubectl-coder{exe}") {
        return Err(format!("bin {} should be kubectl-coder{exe}", p.bin));
    }
    Ok(())
}

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn committed() -> Manifest {
    parse(&read("plugin.yaml")).unwrap()
}

fn os_arch(p: &Platform) -> (String, String) {
    let labels = p.selector.as_ref().unwrap().match_labels.as_ref().unwrap();
    (labels["os"].clone(), labels["arch"].clone())
}

#[test]
fn committed_manifest_passes_krews_validation() {
    let m = committed();
    validate(&m, true).unwrap();
    let platforms: Vec<(String, String)> = m.spec.platforms.iter().map(os_arch).collect();
    let want: Vec<(String, String)> = RELEASED
        .iter()
        .map(|(o, a)| (o.to_string(), a.to_string()))
        .collect();
    assert_eq!(platforms, want);
    for p in &m.spec.platforms {
        let files: Vec<&str> = p.files.iter().flatten().map(|f| f.from.as_str()).collect();
        let exe = if os_arch(p).0 == "windows" {
            ".exe"
        } else {
            ""
        };
        assert_eq!(
            files,
            [
                format!("kubectl-coder{exe}").as_str(),
                format!("kubectl_complete-coder{exe}").as_str(),
                "LICENSE"
            ]
        );
    }
    let caveats = m.spec.caveats.as_deref().unwrap();
    for needed in [
        "list on pods",
        "get and create on pods/exec",
        "kubectl_complete-coder",
    ] {
        assert!(caveats.contains(needed), "caveats lack {needed:?}");
    }
}

/// Each breakage must be caught: the validator is only worth something if it can fail.
#[test]
fn broken_manifests_are_refused() {
    let good = read("plugin.yaml");
    let cases: &[(&str, &str, &str)] = &[
        ("name: coder", "name: coder.x", "is not allowed"),
        ("name: coder", "name: nul", "is not allowed"),
        ("name: coder", "name: other", "should be named"),
        ("kind: Plugin", "kind: Plugins", "kind="),
        ("/v1alpha2", "/v1alpha1", "apiVersion"),
        ("version: v0.1.0", "version: 0.1.0", "not starting with 'v'"),
        ("version: v0.1.0", "version: v0.1", "major.minor.patch"),
        ("version: v0.1.0", "version: v0.01.0", "zero-prefixed"),
        ("version: v0.1.0", "version: v9.9.9", "Cargo.toml"),
        ("  shortDescription:", "  shortDescriptio:", "unknown field"),
        (
            "os: darwin\n        arch: arm64",
            "os: darwin\n        arch: amd64",
            "overlapping",
        ),
        (
            "os: linux\n        arch: arm64",
            "os: linux\n        cpu: arm64",
            "not supported",
        ),
        (
            "os: linux\n        arch: arm64",
            "os: plan9\n        arch: arm64",
            "any supported",
        ),
        ("_linux_amd64.tar.gz", "_linux_amd64.tgz", "should be"),
        ("_windows_amd64.zip", "_windows_amd64.tar.gz", "should be"),
        (
            "    bin: kubectl-coder.exe",
            "    bin: kubectl-coder",
            "is not among",
        ),
        (
            "    bin: kubectl-coder\n",
            "    bin: \"\"\n",
            "`bin` has to be set",
        ),
        ("      - from: LICENSE\n        to: .\n", "", "LICENSE"),
        (
            "      - from: kubectl-coder\n",
            "      - from: \"\"\n",
            "`from` field",
        ),
    ];
    for (from, to, want) in cases {
        assert!(good.contains(from), "fixture lost {from:?}");
        let broken = good.replacen(from, to, 1);
        let err = parse(&broken)
            .and_then(|m| validate(&m, true))
            .expect_err(&format!("{from:?} -> {to:?} should fail"));
        assert!(err.contains(want), "{from:?} -> {to:?}: {err}");
    }
    // A sha256 that is not 64 lowercase hex digits.
    let upper = good.replacen(&"0".repeat(64), &"A".repeat(64), 1);
    let err = validate(&parse(&upper).unwrap(), true).unwrap_err();
    assert!(err.contains("sha256"), "{err}");
    // No platform at all; a `files` list that is present but empty.
    let mut m = committed();
    m.spec.platforms.clear();
    assert!(validate(&m, true).unwrap_err().contains("platform"));
    let mut m = committed();
    m.spec.platforms[0].files = Some(Vec::new());
    assert!(validate(&m, true).unwrap_err().contains("non-empty"));
    let mut m = committed();
    m.spec.short_description = "two\nlines".into();
    assert!(validate(&m, true).unwrap_err().contains("line breaks"));
    // The committed placeholders are refused where real sums are required.
    assert!(
        validate(&committed(), false)
            .unwrap_err()
            .contains("placeholder")
    );
}

#[test]
fn semver_table() {
    for ok in [
        "v0.1.0",
        "v1.2.3",
        "v1.0.0-rc.1",
        "v1.0.0+build.5",
        "v10.20.30-alpha-1",
    ] {
        assert_eq!(check_semver(ok), Ok(()), "{ok}");
    }
    for bad in [
        "1.0.0",
        "v1.0",
        "v1",
        "v1.0.0.0",
        "v01.0.0",
        "v1.0.0-",
        "v1.0.0-01",
        "vx.y.z",
        "",
    ] {
        assert!(check_semver(bad).is_err(), "{bad}");
    }
}

/// Renders .krew.yaml as krew-release-bot would for a tag, with a fixed sha256.
fn render_krew_template(template: &str, tag: &str, sha: &str) -> String {
    let mut out = String::new();
    for line in template.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("{{ addURIAndSha \"") {
            let url = rest
                .split('"')
                .next()
                .unwrap()
                .replace("{{ .TagName }}", tag);
            let indent = &line[..line.len() - trimmed.len()];
            // The bot writes `uri: <url>` and `sha256: <sum>` on the next line, same indent.
            out.push_str(&format!("{indent}uri: {url}\n{indent}sha256: {sha}\n"));
        } else {
            assert!(
                !line.contains("{{") || line.contains("{{ .TagName }}"),
                "unknown template action: {line}"
            );
            out.push_str(&line.replace("{{ .TagName }}", tag));
            out.push('\n');
        }
    }
    out
}

#[test]
fn krew_release_bot_template_gives_the_committed_manifest() {
    let template = read(".krew.yaml");
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let rendered = render_krew_template(&template, &tag, &"0".repeat(64));
    let from_template = parse(&rendered).unwrap();
    validate(&from_template, true).unwrap();
    assert_eq!(from_template, committed());
}

#[test]
fn licence_is_the_full_apache_2_text() {
    let licence = read("LICENSE");
    for needed in [
        "Apache License",
        "Version 2.0, January 2004",
        "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
        "9. Accepting Warranty or Additional Liability.",
        "END OF TERMS AND CONDITIONS",
        "APPENDIX: How to apply the Apache License to your work.",
    ] {
        assert!(licence.contains(needed), "LICENSE lacks {needed:?}");
    }
    assert!(licence.lines().count() > 190);
    assert!(read("Cargo.toml").contains("license = \"Apache-2.0\""));
}

/// kubectl with nothing but `path` to find plugins, and an empty HOME.
fn kubectl(home: &Path, path: &str, args: &[&str]) -> Run {
    Cmd::new(KUBECTL, home).env("PATH", path).args(args).run()
}

#[track_caller]
fn assert_help_and_version(home: &Path, path: &str) {
    let help = kubectl(home, path, &["coder", "--help"])
        .success()
        .stdout
        .clone();
    for needed in [
        "Usage: kubectl coder [OPTIONS] <COMMAND>",
        "reset-admin-password",
        "Examples:",
        "kubectl coder reset-admin-password -n coder",
        "--namespace <NAMESPACE>",
    ] {
        assert!(help.contains(needed), "help lacks {needed:?}:\n{help}");
    }
    assert!(!help.contains("Usage: kubectl-coder"), "{help}");
    let version = kubectl(home, path, &["coder", "version"])
        .success()
        .stdout
        .clone();
    let first = version.lines().next().unwrap_or("");
    assert_eq!(
        first,
        format!("kubectl-coder {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(version.contains("target: "), "{version}");
    let version = kubectl(home, path, &["coder", "--version"])
        .success()
        .stdout
        .clone();
    assert_eq!(
        version.trim(),
        format!("kubectl-coder {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_and_version_through_kubectl() {
    let home = tempfile::tempdir().unwrap();
    assert_help_and_version(home.path(), &plugin_path());
}

fn sha256_of(path: &Path) -> String {
    let home = path.parent().unwrap();
    let run = Cmd::new("sha256sum", home).arg(path).run();
    run.success()
        .stdout
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// The README's krew completion helper, run as a user would paste it.
fn readme_krew_completion_helper() -> String {
    let readme = read("README.md");
    let start = readme
        .find("<!-- krew-completion-helper -->")
        .expect("README marks the krew completion helper");
    let block = &readme[start..];
    let code = block.find("```sh\n").unwrap() + "```sh\n".len();
    let end = block[code..].find("```").unwrap();
    block[code..code + end].to_string()
}

/// The whole path: scripts/package.sh builds the linux archive and the manifest, the archive
/// is installed the way `kubectl krew install --manifest --archive` would (krew itself is not
/// installed here and cannot be downloaded), and the real kubectl runs the plugin from it.
#[test]
fn archive_installs_as_krew_would_and_runs_through_kubectl() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    // The debug binaries, stripped so packaging takes seconds.
    let bins = tmp.join("bins");
    std::fs::create_dir_all(&bins).unwrap();
    for exe in [PLUGIN, COMPLETER] {
        let dest = bins.join(Path::new(exe).file_name().unwrap());
        std::fs::copy(exe, &dest).unwrap();
        Cmd::new("strip", tmp).arg(&dest).run();
    }
    let dist = tmp.join("dist");
    let packaged = Cmd::new(Path::new(ROOT).join("scripts/package.sh"), tmp)
        // It asks rustc for the host target.
        .inherit_env()
        .arg("--bin-dir")
        .arg(&bins)
        .arg("--out")
        .arg(&dist)
        .env("GZIP_LEVEL", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .run();
    packaged.success();
    let out = &packaged.stdout;

    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let archive = dist.join(format!("kubectl-coder_{tag}_linux_amd64.tar.gz"));
    assert!(archive.exists(), "{out}");
    let sum = sha256_of(&archive);
    let sum_file = std::fs::read_to_string(archive.with_extension("gz.sha256")).unwrap();
    assert_eq!(
        sum_file,
        format!("{sum}  kubectl-coder_{tag}_linux_amd64.tar.gz\n")
    );

    // The written manifest: valid with real sums, the archive's sum, and otherwise the
    // committed manifest's linux/amd64 platform.
    let written = parse(&std::fs::read_to_string(dist.join("plugin.yaml")).unwrap()).unwrap();
    validate(&written, false).unwrap();
    assert_eq!(written.spec.platforms.len(), 1);
    assert_eq!(written.spec.platforms[0].sha256, sum);
    let mut expected = committed();
    expected.spec.platforms.truncate(1);
    expected.spec.platforms[0].sha256 = sum.clone();
    assert_eq!(written, expected);

    // The archive: the two binaries, LICENSE and README.md at the top.
    let staging = tmp.join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    Cmd::new("tar", tmp)
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&staging)
        .run()
        .success();
    let mut names: Vec<String> = std::fs::read_dir(&staging)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "LICENSE",
            "README.md",
            "kubectl-coder",
            "kubectl_complete-coder"
        ]
    );

    // krew's layout: files moved into store/<name>/<version>, bin linked (relative) into bin/.
    let krew_root = tmp.join("krew");
    let platform = &written.spec.platforms[0];
    let install_dir = krew_root
        .join("store")
        .join(&written.metadata.name)
        .join(&written.spec.version);
    for op in platform.files.as_ref().unwrap() {
        let to = match op.to.as_str() {
            "." => install_dir.clone(),
            other => install_dir.join(other),
        };
        std::fs::create_dir_all(&to).unwrap();
        std::fs::rename(staging.join(&op.from), to.join(&op.from)).unwrap();
    }
    let bin_dir = krew_root.join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let link = bin_dir.join(format!(
        "kubectl-{}",
        written.metadata.name.replace('-', "_")
    ));
    let relative: PathBuf = ["..", "store", "coder", &tag, &platform.bin]
        .iter()
        .collect();
    std::os::unix::fs::symlink(&relative, &link).unwrap();

    let home = tmp.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin_dir.display());
    assert_help_and_version(&home, &path);

    // kubectl sees the plugin where krew put it.
    let list = kubectl(&home, &path, &["plugin", "list"]).stdout;
    assert!(list.contains(&link.display().to_string()), "{list}");

    // Completion: krew links only `bin`; the README's helper makes kubectl find
    // kubectl_complete-coder beside it.
    let before = kubectl(&home, &path, &["__complete", "coder", "re"]).stdout;
    assert!(!before.contains("reset-password"), "{before}");
    Cmd::new("sh", &home)
        .arg("-c")
        .arg(readme_krew_completion_helper())
        .env("KREW_ROOT", &krew_root)
        .run()
        .success();
    let after = kubectl(&home, &path, &["__complete", "coder", "re"])
        .success()
        .stdout
        .clone();
    let lines: Vec<&str> = after
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["reset-admin-password", "reset-password", ":4"],
        "{after}"
    );
}

/// The release workflow's check of the full manifest: `RELEASE_DIST=<dir>` names the folder
/// scripts/package.sh filled with the five archives and plugin.yaml. Without it, nothing to do.
#[test]
fn release_manifest_matches_its_archives() {
    let Some(dist) = std::env::var_os("RELEASE_DIST").map(PathBuf::from) else {
        eprintln!("RELEASE_DIST is not set: nothing to check");
        return;
    };
    let written = parse(&std::fs::read_to_string(dist.join("plugin.yaml")).unwrap()).unwrap();
    validate(&written, false).unwrap();
    let mut expected = committed();
    assert_eq!(written.spec.platforms.len(), RELEASED.len());
    for (p, want) in written
        .spec
        .platforms
        .iter()
        .zip(&mut expected.spec.platforms)
    {
        let file = dist.join(p.uri.rsplit('/').next().unwrap());
        assert_eq!(p.sha256, sha256_of(&file), "{}", file.display());
        want.sha256 = p.sha256.clone();
    }
    assert_eq!(written, expected);
}
