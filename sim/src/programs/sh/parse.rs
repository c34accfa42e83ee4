//! `sh`'s syntax: words (quotes, parameters, command substitution), simple commands with
//! assignments and redirections, `if`, `{ }`, `&&`, `||`, `;` and newlines.

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Literal(String),
    Param {
        name: String,
        default: Option<Vec<Part>>,
    },
    AllArgs,
    Command(Vec<AndOr>),
}

/// A word: its parts, and whether any of it was quoted (a quoted empty word is a word).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    pub(crate) parts: Vec<Part>,
    pub(crate) quoted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Redirect {
    StdoutToStderr,
    StdoutToNull,
    StderrToNull,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    Simple {
        assignments: Vec<(String, Word)>,
        words: Vec<Word>,
        redirects: Vec<Redirect>,
    },
    If {
        condition: Vec<AndOr>,
        then: Vec<AndOr>,
        otherwise: Vec<AndOr>,
    },
    Group(Vec<AndOr>),
}

/// Commands joined by `&&` (true) or `||` (false) after the first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AndOr {
    pub(crate) first: Command,
    pub(crate) rest: Vec<(bool, Command)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(Word, String),
    Op(&'static str),
}

pub(crate) fn parse(script: &str) -> Result<Vec<AndOr>, String> {
    let tokens = tokenize(script)?;
    let mut at = 0;
    let list = parse_list(&tokens, &mut at, &[])?;
    if at < tokens.len() {
        return Err(format!("unexpected {:?}", tokens[at]));
    }
    Ok(list)
}

fn tokenize(script: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = script.chars().collect();
    let mut at = 0;
    let mut tokens = Vec::new();
    while at < chars.len() {
        let c = chars[at];
        match c {
            ' ' | '\t' => at += 1,
            '#' => {
                while at < chars.len() && chars[at] != '\n' {
                    at += 1;
                }
            }
            '\n' | ';' => {
                tokens.push(Token::Op(if c == '\n' { "\n" } else { ";" }));
                at += 1;
            }
            '&' | '|' => {
                if chars.get(at + 1) != Some(&c) {
                    return Err(format!(
                        "`{c}` alone (pipes and background jobs) is not supported"
                    ));
                }
                tokens.push(Token::Op(if c == '&' { "&&" } else { "||" }));
                at += 2;
            }
            '>' | '2' if redirect_at(&chars, at).is_some() => {
                let (op, len) = redirect_at(&chars, at).unwrap();
                tokens.push(Token::Op(op));
                at += len;
            }
            _ => {
                let start = at;
                let word = read_word(&chars, &mut at, false)?;
                let text: String = chars[start..at].iter().collect();
                tokens.push(Token::Word(word, text));
            }
        }
    }
    Ok(tokens)
}

fn redirect_at(chars: &[char], at: usize) -> Option<(&'static str, usize)> {
    let rest: String = chars[at..chars.len().min(at + 12)].iter().collect();
    for (text, op) in [
        (">&2", ">&2"),
        ("1>&2", ">&2"),
        (">/dev/null", ">/dev/null"),
        ("2>/dev/null", "2>/dev/null"),
    ] {
        if rest.starts_with(text) {
            return Some((op, text.chars().count()));
        }
    }
    None
}

/// Reads one word (up to unquoted white space or an operator). `in_braces`: inside
/// `${NAME:-...}`, where `}` ends the word.
fn read_word(chars: &[char], at: &mut usize, in_braces: bool) -> Result<Word, String> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut quoted = false;
    let flush = |literal: &mut String, parts: &mut Vec<Part>| {
        if !literal.is_empty() {
            parts.push(Part::Literal(std::mem::take(literal)));
        }
    };
    while *at < chars.len() {
        let c = chars[*at];
        if in_braces && c == '}' {
            break;
        }
        if !in_braces && matches!(c, ' ' | '\t' | '\n' | ';' | '&' | '|') {
            break;
        }
        match c {
            '\'' => {
                quoted = true;
                *at += 1;
                while *at < chars.len() && chars[*at] != '\'' {
                    literal.push(chars[*at]);
                    *at += 1;
                }
                if *at >= chars.len() {
                    return Err("unterminated '".into());
                }
                *at += 1;
            }
            '"' => {
                quoted = true;
                *at += 1;
                loop {
                    match chars.get(*at) {
                        None => return Err("unterminated \"".into()),
                        Some('"') => {
                            *at += 1;
                            break;
                        }
                        Some('\\')
                            if matches!(chars.get(*at + 1), Some('$' | '"' | '\\' | '`')) =>
                        {
                            literal.push(chars[*at + 1]);
                            *at += 2;
                        }
                        Some('$') => {
                            flush(&mut literal, &mut parts);
                            parts.push(read_dollar(chars, at, true)?);
                        }
                        Some(&c) => {
                            literal.push(c);
                            *at += 1;
                        }
                    }
                }
            }
            '\\' => {
                quoted = true;
                if let Some(&next) = chars.get(*at + 1) {
                    literal.push(next);
                }
                *at += 2;
            }
            '$' => {
                flush(&mut literal, &mut parts);
                parts.push(read_dollar(chars, at, false)?);
            }
            _ => {
                literal.push(c);
                *at += 1;
            }
        }
    }
    flush(&mut literal, &mut parts);
    Ok(Word { parts, quoted })
}

fn read_dollar(chars: &[char], at: &mut usize, in_quotes: bool) -> Result<Part, String> {
    *at += 1;
    match chars.get(*at) {
        Some('(') => {
            // Find the matching parenthesis, skipping quoted text.
            let start = *at + 1;
            let mut depth = 1;
            let mut i = start;
            let mut quote: Option<char> = None;
            while i < chars.len() {
                let c = chars[i];
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '\'' | '"') => quote = Some(c),
                    (None, '(') => depth += 1,
                    (None, ')') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            if depth != 0 {
                return Err("unterminated $(".into());
            }
            let inner: String = chars[start..i].iter().collect();
            *at = i + 1;
            Ok(Part::Command(parse(&inner)?))
        }
        Some('{') => {
            *at += 1;
            let mut name = String::new();
            while let Some(&c) = chars.get(*at) {
                if c.is_alphanumeric() || c == '_' {
                    name.push(c);
                    *at += 1;
                } else {
                    break;
                }
            }
            let default = if chars.get(*at) == Some(&':') && chars.get(*at + 1) == Some(&'-') {
                *at += 2;
                Some(read_word(chars, at, true)?.parts)
            } else {
                None
            };
            if chars.get(*at) != Some(&'}') {
                return Err("unterminated ${".into());
            }
            *at += 1;
            Ok(Part::Param { name, default })
        }
        Some('?') => {
            *at += 1;
            Ok(Part::Param {
                name: "?".into(),
                default: None,
            })
        }
        Some('@') if in_quotes => {
            *at += 1;
            Ok(Part::AllArgs)
        }
        Some(&c) if c.is_ascii_digit() => {
            *at += 1;
            Ok(Part::Param {
                name: c.to_string(),
                default: None,
            })
        }
        Some(&c) if c.is_alphabetic() || c == '_' => {
            let mut name = String::new();
            while let Some(&c) = chars.get(*at) {
                if c.is_alphanumeric() || c == '_' {
                    name.push(c);
                    *at += 1;
                } else {
                    break;
                }
            }
            Ok(Part::Param {
                name,
                default: None,
            })
        }
        _ => Ok(Part::Literal("$".into())),
    }
}

fn keyword(token: Option<&Token>) -> Option<&str> {
    match token {
        Some(Token::Word(w, text)) if !w.quoted => Some(text.as_str()),
        _ => None,
    }
}

fn parse_list(tokens: &[Token], at: &mut usize, ends: &[&str]) -> Result<Vec<AndOr>, String> {
    let mut list = Vec::new();
    loop {
        while matches!(tokens.get(*at), Some(Token::Op(";" | "\n"))) {
            *at += 1;
        }
        match keyword(tokens.get(*at)) {
            Some(k) if ends.contains(&k) => return Ok(list),
            _ => {}
        }
        if *at >= tokens.len() {
            return Ok(list);
        }
        let first = parse_command(tokens, at)?;
        let mut rest = Vec::new();
        while let Some(Token::Op(op @ ("&&" | "||"))) = tokens.get(*at) {
            *at += 1;
            while matches!(tokens.get(*at), Some(Token::Op("\n"))) {
                *at += 1;
            }
            rest.push((*op == "&&", parse_command(tokens, at)?));
        }
        list.push(AndOr { first, rest });
    }
}

fn expect(tokens: &[Token], at: &mut usize, word: &str) -> Result<(), String> {
    if keyword(tokens.get(*at)) == Some(word) {
        *at += 1;
        Ok(())
    } else {
        Err(format!("expected `{word}`"))
    }
}

fn parse_command(tokens: &[Token], at: &mut usize) -> Result<Command, String> {
    match keyword(tokens.get(*at)) {
        Some("if") => {
            *at += 1;
            let condition = parse_list(tokens, at, &["then"])?;
            expect(tokens, at, "then")?;
            let then = parse_list(tokens, at, &["else", "fi"])?;
            let otherwise = if keyword(tokens.get(*at)) == Some("else") {
                *at += 1;
                parse_list(tokens, at, &["fi"])?
            } else {
                Vec::new()
            };
            expect(tokens, at, "fi")?;
            return Ok(Command::If {
                condition,
                then,
                otherwise,
            });
        }
        Some("{") => {
            *at += 1;
            let body = parse_list(tokens, at, &["}"])?;
            expect(tokens, at, "}")?;
            return Ok(Command::Group(body));
        }
        _ => {}
    }
    let mut assignments = Vec::new();
    let mut words = Vec::new();
    let mut redirects = Vec::new();
    loop {
        match tokens.get(*at) {
            Some(Token::Op(">&2")) => redirects.push(Redirect::StdoutToStderr),
            Some(Token::Op(">/dev/null")) => redirects.push(Redirect::StdoutToNull),
            Some(Token::Op("2>/dev/null")) => redirects.push(Redirect::StderrToNull),
            Some(Token::Word(word, text)) => {
                if words.is_empty()
                    && let Some((name, _)) = text.split_once('=')
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                    && !name.starts_with(|c: char| c.is_ascii_digit())
                {
                    // NAME=value: the word's parts after the `=`.
                    let value = strip_assignment_name(word, name.len() + 1);
                    assignments.push((name.to_string(), value));
                } else {
                    words.push(word.clone());
                }
            }
            _ => break,
        }
        *at += 1;
    }
    if assignments.is_empty() && words.is_empty() {
        return Err(format!("expected a command at {:?}", tokens.get(*at)));
    }
    Ok(Command::Simple {
        assignments,
        words,
        redirects,
    })
}

/// The value of an assignment word: its parts without the leading `NAME=`.
fn strip_assignment_name(word: &Word, mut skip: usize) -> Word {
    let mut parts = Vec::new();
    for part in &word.parts {
        match part {
            Part::Literal(text) if skip > 0 => {
                let n = text.chars().count();
                if n > skip {
                    parts.push(Part::Literal(text.chars().skip(skip).collect()));
                    skip = 0;
                } else {
                    skip -= n;
                }
            }
            other => parts.push(other.clone()),
        }
    }
    Word {
        parts,
        quoted: word.quoted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_wrapper_script_shape() {
        let script = "dir=${CODER_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/coderv2}\nif [ ! -f \"$dir/postgres/password\" ]; then echo \"no: $dir\" >&2; exit 3; fi\nURL=$(\"$0\" server postgres-builtin-url --raw-url) || exit\nexport URL\nexec \"$0\" \"$@\"";
        let list = parse(script).unwrap();
        assert_eq!(list.len(), 5);
    }

    #[test]
    fn refuses_what_it_cannot_run() {
        for bad in ["a | b", "a &", "echo 'open", "if true; then echo", "$(echo"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
