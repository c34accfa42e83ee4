//! Text fitted to the terminal's width: lines break between words, never inside one (a
//! label such as `app.kubernetes.io/name` or a URL stays whole, on a line of its own when it
//! is longer than the width), and continuation lines are indented under their first.

/// Each line of `text` broken between words to fit `width` columns (counted in characters),
/// continuation lines starting with `indent`. Spaces that start a line are kept (they are
/// the line's own indentation); runs of spaces inside a line become one where it breaks.
/// Without a width (not a terminal) the text is returned as it is.
pub fn wrap(text: &str, width: Option<usize>, indent: &str) -> String {
    let Some(width) = width else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        wrap_line(&mut out, line, width, indent);
    }
    out
}

fn wrap_line(out: &mut String, line: &str, width: usize, indent: &str) {
    let columns = |s: &str| s.chars().count();
    if columns(line) <= width {
        out.push_str(line);
        return;
    }
    let body = line.trim_start_matches(' ');
    let lead = &line[..line.len() - body.len()];
    // The line's own indentation carries on in its continuation lines.
    let next_lead = format!("{lead}{indent}");
    let mut current = lead.to_string();
    let mut current_has_word = false;
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        if current_has_word && columns(&current) + 1 + columns(word) > width {
            out.push_str(&current);
            out.push('\n');
            current = next_lead.clone();
            current_has_word = false;
        }
        if current_has_word {
            current.push(' ');
        }
        current.push_str(word);
        current_has_word = true;
    }
    out.push_str(&current);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_table() {
        let cases: &[(&str, Option<usize>, &str, &str)] = &[
            // Fits: unchanged.
            ("short line", Some(80), "  ", "short line"),
            // No terminal: unchanged, however long.
            ("a b c d e f", None, "  ", "a b c d e f"),
            // Breaks between words, continuation indented.
            (
                "one two three four",
                Some(9),
                "  ",
                "one two\n  three\n  four",
            ),
            // Never inside a word: a label longer than the width stands alone.
            (
                "pods with app.kubernetes.io/name=coder here",
                Some(16),
                "",
                "pods with\napp.kubernetes.io/name=coder\nhere",
            ),
            // Exactly the width fits.
            ("abcd efgh", Some(9), "", "abcd efgh"),
            ("abcd efghi", Some(9), "", "abcd\nefghi"),
            // Each line on its own; its leading spaces carry on.
            (
                "Reset?\n  pod coder/coderd-1 context kubesim",
                Some(20),
                "  ",
                "Reset?\n  pod coder/coderd-1\n    context kubesim",
            ),
            // Characters, not bytes.
            ("ééé ééé", Some(7), "", "ééé ééé"),
            ("", Some(5), "", ""),
        ];
        for (text, width, indent, want) in cases {
            assert_eq!(wrap(text, *width, indent), *want, "{text:?} at {width:?}");
        }
    }

    #[test]
    fn no_line_is_longer_than_the_width_unless_it_is_one_word() {
        let text = "error: no Coder server pod in namespace \"coder\": the pods there lack app.kubernetes.io/name=coder and coder.deployment=coderd, and none is named coderd-*";
        for width in 20..90 {
            for line in wrap(text, Some(width), "  ").lines() {
                assert!(
                    line.chars().count() <= width || !line.trim().contains(' '),
                    "{width}: {line:?}"
                );
            }
            // Nothing lost or reordered.
            let wrapped = wrap(text, Some(width), "  ");
            let words: Vec<&str> = wrapped.split_whitespace().collect();
            assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
        }
    }
}
