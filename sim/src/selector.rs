//! Label and field selectors (the subset of `k8s.io/apimachinery/pkg/labels` and
//! `pkg/fields` that clients use).

use std::collections::BTreeMap;

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Requirement {
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        }
    }
}

/// A parsed label selector: all requirements must match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector(pub Vec<Requirement>);

impl LabelSelector {
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| r.matches(labels))
    }
}

/// Splits at commas that are not inside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

fn valid_value(v: &str) -> bool {
    v.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

fn parse_set(rest: &str, whole: &str) -> Result<Vec<String>, String> {
    let rest = rest.trim();
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("unable to parse requirement: found '{whole}', expected: '('"))?;
    let values: Vec<String> = inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() || values.iter().any(|v| !valid_value(v)) {
        return Err(format!(
            "unable to parse requirement: invalid values in '{whole}'"
        ));
    }
    Ok(values)
}

/// Parses a label selector such as `a=b,c!=d,e in (f,g),!h,i`.
pub fn parse_label_selector(s: &str) -> Result<LabelSelector, String> {
    let mut reqs = Vec::new();
    if s.trim().is_empty() {
        return Ok(LabelSelector(reqs));
    }
    for part in split_top_level(s) {
        let p = part.trim();
        let err = || format!("unable to parse requirement: found '{p}'");
        if p.is_empty() {
            return Err("found ',', expected: !, identifier, or 'end of string'".to_string());
        }
        let req = if let Some(k) = p.strip_prefix('!') {
            let k = k.trim();
            if !valid_key(k) {
                return Err(err());
            }
            Requirement::DoesNotExist(k.to_string())
        } else if let Some((k, v)) = p.split_once("!=") {
            Requirement::NotEquals(k.trim().to_string(), v.trim().to_string())
        } else if let Some((k, v)) = p.split_once("==") {
            Requirement::Equals(k.trim().to_string(), v.trim().to_string())
        } else if let Some((k, v)) = p.split_once('=') {
            Requirement::Equals(k.trim().to_string(), v.trim().to_string())
        } else if let Some((k, rest)) = p.split_once(" notin ") {
            Requirement::NotIn(k.trim().to_string(), parse_set(rest, p)?)
        } else if let Some((k, rest)) = p.split_once(" in ") {
            Requirement::In(k.trim().to_string(), parse_set(rest, p)?)
        } else if valid_key(p) {
            Requirement::Exists(p.to_string())
        } else {
            return Err(err());
        };
        let ok = match &req {
            Requirement::Equals(k, v) | Requirement::NotEquals(k, v) => {
                valid_key(k) && valid_value(v)
            }
            Requirement::In(k, _) | Requirement::NotIn(k, _) => valid_key(k),
            _ => true,
        };
        if !ok {
            return Err(err());
        }
        reqs.push(req);
    }
    Ok(LabelSelector(reqs))
}

/// A parsed field selector: `field=value`, `field==value`, `field!=value`, comma-separated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelector(pub Vec<(String, bool /* equal */, String)>);

impl FieldSelector {
    /// `get` returns the value of a supported field.
    pub fn matches(&self, get: impl Fn(&str) -> Option<String>) -> bool {
        self.0.iter().all(|(f, eq, v)| {
            let actual = get(f).unwrap_or_default();
            (actual == *v) == *eq
        })
    }
}

/// Parses a field selector, accepting only the `supported` field names (Kubernetes answers
/// others with `field label not supported: <name>`).
pub fn parse_field_selector(s: &str, supported: &[&str]) -> Result<FieldSelector, String> {
    let mut out = Vec::new();
    if s.trim().is_empty() {
        return Ok(FieldSelector(out));
    }
    for part in s.split(',') {
        let part = part.trim();
        let (f, eq, v) = if let Some((f, v)) = part.split_once("!=") {
            (f, false, v)
        } else if let Some((f, v)) = part.split_once("==") {
            (f, true, v)
        } else if let Some((f, v)) = part.split_once('=') {
            (f, true, v)
        } else {
            return Err(format!(
                "invalid selector: '{s}'; can't understand '{part}'"
            ));
        };
        let f = f.trim();
        if !supported.contains(&f) {
            return Err(format!("field label not supported: {f}"));
        }
        out.push((f.to_string(), eq, v.trim().to_string()));
    }
    Ok(FieldSelector(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn equality_and_sets() {
        let l = labels(&[("app", "coderd"), ("app.kubernetes.io/name", "coder")]);
        for (sel, want) in [
            ("", true),
            ("app=coderd", true),
            ("app==coderd", true),
            ("app!=coderd", false),
            ("app=other", false),
            ("missing!=x", true),
            ("app in (coderd,cemanager)", true),
            ("app in (cemanager)", false),
            ("app notin (cemanager)", true),
            ("missing notin (x)", true),
            ("app notin (coderd)", false),
            ("app", true),
            ("missing", false),
            ("!missing", true),
            ("!app", false),
            ("app=coderd,app.kubernetes.io/name=coder", true),
            ("app=coderd, app.kubernetes.io/name in (coder, x)", true),
            ("app=coderd,app.kubernetes.io/name=nope", false),
        ] {
            let s = parse_label_selector(sel).unwrap();
            assert_eq!(s.matches(&l), want, "{sel}");
        }
    }

    #[test]
    fn label_errors() {
        for bad in ["app=(x", "app in x", "a b", "=x", "app,,b", "app in ()"] {
            assert!(parse_label_selector(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn field_selectors() {
        let supported = ["metadata.name", "status.phase"];
        let s = parse_field_selector("metadata.name=a,status.phase!=Failed", &supported).unwrap();
        let get = |f: &str| match f {
            "metadata.name" => Some("a".to_string()),
            "status.phase" => Some("Running".to_string()),
            _ => None,
        };
        assert!(s.matches(get));
        let s = parse_field_selector("status.phase==Pending", &supported).unwrap();
        assert!(!s.matches(get));
        assert_eq!(
            parse_field_selector("spec.foo=1", &supported).unwrap_err(),
            "field label not supported: spec.foo"
        );
    }
}
