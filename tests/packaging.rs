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
//!   os/arch (`allPlatforms`), no os/arch is matched by two platforms. krew checks no line
//!   lengths; ours (shortDescription 70, description and caveats 80) are a house rule.
//! - internal/index/indexscanner/scanner.go: krew reads manifests with sigs.k8s.io/yaml, which
//!   goes through go-yaml v2 (YAML 1.1): an unquoted scalar such as `0000…` (octal 0), `yes`
//!   or `1.0` is not a string there, and becomes "0", "true", "1" in the string field.
//!   [`yaml11_type`] reads plain scalars as go-yaml v2's resolve.go does, and every manifest
//!   we write must hold only strings.
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

/// validate-krew-manifest's `allPlatforms` (cmd/validate-krew-manifest/main.go): every
/// platform must select one of them.
const KREW_PLATFORMS: &[(&str, &str)] = &[
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("linux", "ppc64le"),
    ("darwin", "386"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
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
    // A house rule for readable `kubectl krew info` output (krew checks no lengths); a longer
    // line is allowed when it is a single word (a URL).
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

/// How go-yaml v2 (resolve.go) reads a plain (unquoted) scalar: `str`, or what else it
/// becomes: `bool`, `null`, `int`, `float`, `timestamp`.
fn yaml11_type(plain: &str) -> &'static str {
    const TRUE: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
    ];
    const FALSE: &[&str] = &[
        "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
    ];
    const NULL: &[&str] = &["", "~", "null", "Null", "NULL"];
    const SPECIAL_FLOAT: &[&str] = &[
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF",
    ];
    if TRUE.contains(&plain) || FALSE.contains(&plain) {
        return "bool";
    }
    if NULL.contains(&plain) {
        return "null";
    }
    if SPECIAL_FLOAT.contains(&plain) {
        return "float";
    }
    let first = plain.chars().next().unwrap_or(' ');
    if first == '.' {
        return if plain[1..].bytes().all(|b| b.is_ascii_digit()) && plain.len() > 1 {
            "float"
        } else {
            "str"
        };
    }
    if !(first.is_ascii_digit() || first == '+' || first == '-') {
        return "str";
    }
    // parseTimestamp: 2006-1-2, or with a time.
    let date: Vec<&str> = plain
        .split(['T', 't', ' '])
        .next()
        .unwrap_or("")
        .split('-')
        .collect();
    if date.len() == 3
        && date[0].len() == 4
        && date
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return "timestamp";
    }
    // strconv.ParseInt(plain, 0, 64) and ParseUint: a sign, then 0x/0o/0b or a leading 0
    // (octal), digits; then the YAML float pattern.
    let digits = plain.replace('_', "");
    let unsigned = digits.trim_start_matches(['+', '-']);
    let (radix, body) = if let Some(b) = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        (16, b)
    } else if let Some(b) = unsigned
        .strip_prefix("0o")
        .or_else(|| unsigned.strip_prefix("0O"))
    {
        (8, b)
    } else if let Some(b) = unsigned
        .strip_prefix("0b")
        .or_else(|| unsigned.strip_prefix("0B"))
    {
        (2, b)
    } else if unsigned.len() > 1 && unsigned.starts_with('0') {
        (8, &unsigned[1..])
    } else {
        (10, unsigned)
    };
    if !body.is_empty()
        && u128::from_str_radix(body, radix).is_ok_and(|v| v <= u128::from(u64::MAX))
    {
        return "int";
    }
    let float = {
        let s = digits.trim_start_matches(['+', '-']);
        let (mantissa, exponent) = match s.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e.trim_start_matches(['+', '-']))),
            None => (s, None),
        };
        let (int_part, frac) = match mantissa.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (mantissa, None),
        };
        let digits_only = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        let mantissa_ok = match frac {
            Some(f) => {
                digits_only(int_part) && digits_only(f) && !(int_part.is_empty() && f.is_empty())
            }
            None => !int_part.is_empty() && digits_only(int_part),
        };
        mantissa_ok && exponent.is_none_or(|e| !e.is_empty() && digits_only(e))
    };
    if float {
        return "float";
    }
    "str"
}

/// Every plain scalar value in `yaml` that krew would not read as a string, with its line.
fn krew_non_strings(yaml: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_block = None::<usize>;
    for (n, line) in yaml.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if let Some(block) = in_block {
            if line.trim().is_empty() || indent > block {
                continue;
            }
            in_block = None;
        }
        let content = line.trim_start().trim_start_matches("- ");
        if content.starts_with('#') {
            continue;
        }
        let Some((_, value)) = content.split_once(": ") else {
            continue;
        };
        let value = value.split(" #").next().unwrap_or("").trim();
        if value.starts_with(['|', '>']) {
            in_block = Some(indent);
            continue;
        }
        if value.starts_with(['"', '\'', '{', '[', '&', '*', '!']) {
            continue;
        }
        let kind = yaml11_type(value);
        if kind != "str" {
            found.push(format!(
                "line {}: `{}` is read as {kind}",
                n + 1,
                line.trim()
            ));
        }
    }
    found
}

#[test]
fn manifests_hold_only_strings_as_krew_reads_yaml() {
    assert_eq!(krew_non_strings(&read("plugin.yaml")), Vec::<String>::new());
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    // The bot writes the sum unquoted; a real sum has letters.
    let rendered = render_krew_template(&read(".krew.yaml"), &tag, &"ab12".repeat(16));
    assert_eq!(krew_non_strings(&rendered), Vec::<String>::new());
    // What would have slipped through: the unquoted placeholder, and other YAML 1.1 surprises.
    let cases = [
        (
            "sha256: 0000000000000000000000000000000000000000000000000000000000000000",
            "int",
        ),
        (
            "sha256: 1234567890123456789012345678901234567890123456789012345678901234",
            "float",
        ),
        ("version: 1.0", "float"),
        ("name: yes", "bool"),
        ("os: on", "bool"),
        ("arch: 0x1F", "int"),
        ("arch: ~", "null"),
        ("version: 2026-11-30", "timestamp"),
    ];
    for (line, kind) in cases {
        assert_eq!(
            krew_non_strings(line),
            vec![format!("line 1: `{line}` is read as {kind}")],
            "{line}"
        );
    }
    for fine in [
        "sha256: \"0000\"",
        "version: v0.1.0",
        "arch: amd64",
        "bin: kubectl-coder.exe",
        "uri: https://x/y.tar.gz",
        "description: |\n  1.0\n  yes",
    ] {
        assert_eq!(krew_non_strings(fine), Vec::<String>::new(), "{fine}");
    }
    for (plain, kind) in [
        ("0", "int"),
        ("-12", "int"),
        ("0b101", "int"),
        ("1e3", "float"),
        (".5", "float"),
        ("1.2.3", "str"),
        ("v1", "str"),
        ("+", "str"),
    ] {
        assert_eq!(yaml11_type(plain), kind, "{plain}");
    }
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
    // No `files`: krew installs the whole archive (both binaries, LICENSE, the man page and
    // the completion scripts), as archive_installs_as_krew_would_and_runs_through_kubectl shows.
    assert!(m.spec.platforms.iter().all(|p| p.files.is_none()));
    let caveats = m.spec.caveats.as_deref().unwrap();
    for needed in [
        "list on pods",
        "get and create on pods/exec",
        "get and create on pods/portforward",
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
            "should be kubectl-coder.exe",
        ),
        (
            "    bin: kubectl-coder\n",
            "    bin: \"\"\n",
            "`bin` has to be set",
        ),
        // With `files`, only those are installed: the binary and the licence must be there.
        (
            "    bin: kubectl-coder\n",
            "    bin: kubectl-coder\n    files:\n      - from: LICENSE\n        to: .\n",
            "is not among",
        ),
        (
            "    bin: kubectl-coder\n",
            "    bin: kubectl-coder\n    files:\n      - from: kubectl-coder\n        to: .\n",
            "LICENSE",
        ),
        (
            "    bin: kubectl-coder\n",
            "    bin: kubectl-coder\n    files:\n      - from: \"\"\n        to: .\n",
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
    // The committed copy quotes its placeholders; the bot writes sums unquoted (real sums have
    // letters, see manifests_hold_only_strings_as_krew_reads_yaml).
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
        "Usage: kubectl coder [OPTIONS] [COMMAND]",
        "reset-admin-password",
        "Examples:",
        "kubectl coder reset-admin-password -n coder",
        "Use \"kubectl coder options\" for a list of global command-line options",
    ] {
        assert!(help.contains(needed), "help lacks {needed:?}:\n{help}");
    }
    // kubectl's convention: the connection flags are listed by `options`.
    let options = kubectl(home, path, &["coder", "options"])
        .success()
        .stdout
        .clone();
    assert!(options.contains("--namespace <NAMESPACE>"), "{options}");
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
        // Smaller and quicker to pack; binutils may be missing, which only costs time.
        if std::path::Path::new("/usr/bin/strip").exists() {
            Cmd::new("strip", tmp).arg(&dest).run();
        }
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
    // The host's platform, as package.sh names it (krew's GOARCH names).
    let arch = match std::env::consts::ARCH {
        "aarch64" => "arm64",
        _ => "amd64",
    };
    let platform = format!("linux_{arch}");
    let archive = dist.join(format!("kubectl-coder_{tag}_{platform}.tar.gz"));
    assert!(archive.exists(), "{out}");
    let sum = sha256_of(&archive);
    let sum_file = std::fs::read_to_string(archive.with_extension("gz.sha256")).unwrap();
    assert_eq!(
        sum_file,
        format!("{sum}  kubectl-coder_{tag}_{platform}.tar.gz\n")
    );

    // The written manifest: valid with real sums, the archive's sum, and otherwise the
    // committed manifest's linux/amd64 platform.
    let written = parse(&std::fs::read_to_string(dist.join("plugin.yaml")).unwrap()).unwrap();
    validate(&written, false).unwrap();
    assert_eq!(written.spec.platforms.len(), 1);
    assert_eq!(written.spec.platforms[0].sha256, sum);
    let mut expected = committed();
    expected
        .spec
        .platforms
        .retain(|p| os_arch(p) == ("linux".to_string(), arch.to_string()));
    expected.spec.platforms[0].sha256 = sum.clone();
    assert_eq!(written, expected);

    // The archive: the plugin, the launcher, LICENSE, README.md, the man page and the
    // completion scripts at the top.
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
            "_kubectl-coder",
            "_kubectl-coder.ps1",
            "kubectl-coder",
            "kubectl-coder.1",
            "kubectl-coder.bash",
            "kubectl-coder.fish",
            "kubectl_complete-coder"
        ]
    );
    // One binary: the launcher is a small program that only runs the plugin.
    let size = |name: &str| std::fs::metadata(staging.join(name)).unwrap().len();
    assert!(
        size("kubectl_complete-coder") * 4 < size("kubectl-coder"),
        "the launcher is {} bytes, the plugin {}",
        size("kubectl_complete-coder"),
        size("kubectl-coder")
    );

    // krew's layout: files moved into store/<name>/<version>, bin linked (relative) into bin/.
    let krew_root = tmp.join("krew");
    let platform = &written.spec.platforms[0];
    let install_dir = krew_root
        .join("store")
        .join(&written.metadata.name)
        .join(&written.spec.version);
    // Without `files`, krew moves everything (`{from: "*", to: "."}`).
    let everything = vec![FileOp {
        from: "*".into(),
        to: ".".into(),
    }];
    for op in platform.files.as_ref().unwrap_or(&everything) {
        let to = match op.to.as_str() {
            "." => install_dir.clone(),
            other => install_dir.join(other),
        };
        std::fs::create_dir_all(&to).unwrap();
        let sources: Vec<String> = if op.from == "*" {
            names.clone()
        } else {
            vec![op.from.clone()]
        };
        for from in sources {
            std::fs::rename(staging.join(&from), to.join(&from)).unwrap();
        }
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

/// The release workflow pins what it runs: third-party actions by commit (the version in a
/// comment), cross and krew by release; the Windows binary links the C runtime in; cross
/// passes the commit into its container.
#[test]
fn release_workflow_pins_what_it_runs() {
    let workflow = read(".github/workflows/release.yml");
    let mut actions = 0;
    for line in workflow.lines() {
        let Some(rest) = line
            .trim_start()
            .trim_start_matches("- ")
            .strip_prefix("uses: ")
        else {
            continue;
        };
        actions += 1;
        let (action, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
        let (_, pin) = action
            .split_once('@')
            .unwrap_or_else(|| panic!("unpinned: {line}"));
        assert!(
            pin.len() == 40
                && pin
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "not pinned by commit: {line}"
        );
        assert!(!comment.trim().is_empty(), "no version comment: {line}");
    }
    assert!(actions >= 8, "{actions} actions");
    assert!(workflow.contains(
        "rajatjindal/krew-release-bot@c970b8a8f6dbc2f2285a26e3ae160903b87002c3 # v0.0.51"
    ));
    assert!(workflow.contains("cargo install cross --locked --version 0.2.5"));
    assert!(
        !workflow.contains("releases/latest"),
        "an unpinned download"
    );
    let windows = workflow
        .lines()
        .find(|l| l.contains("target: x86_64-pc-windows-msvc"))
        .unwrap();
    assert!(
        windows.contains("rustflags: \"-C target-feature=+crt-static\""),
        "{windows}"
    );
    assert!(workflow.contains("RUSTFLAGS: ${{ matrix.rustflags }}"));
    // Cross.toml's settings, in Cargo.toml.
    let cargo: toml_like::Table = toml_like::parse(&read("Cargo.toml"));
    assert_eq!(
        cargo.get("package.metadata.cross.build.env", "passthrough"),
        Some("[\"KUBECTL_CODER_COMMIT\"]")
    );
}

/// Just enough TOML to read `key = value` under a `[table]` header.
mod toml_like {
    pub struct Table(Vec<(String, String, String)>);

    pub fn parse(text: &str) -> Table {
        let mut table = String::new();
        let mut entries = Vec::new();
        for line in text.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                table = name.to_string();
            } else if let Some((key, value)) = line.split_once(" = ") {
                entries.push((table.clone(), key.to_string(), value.to_string()));
            }
        }
        Table(entries)
    }

    impl Table {
        pub fn get(&self, table: &str, key: &str) -> Option<&str> {
            self.0
                .iter()
                .find(|(t, k, _)| t == table && k == key)
                .map(|(_, _, v)| v.as_str())
        }
    }
}
