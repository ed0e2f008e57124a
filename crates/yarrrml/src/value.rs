//! YARRRML's value syntax: text with `$(reference)`s, the `~iri` and
//! `~lang` suffixes, prefixed names, and the function shortcut
//! `prefix:name(param = value, …)`.

use std::collections::HashMap;

/// A value as written: constant text, one reference, or a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Text {
    Constant(String),
    Reference(String),
    /// An RML template (`{reference}`; literal braces and backslashes escaped).
    Template(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Reference(String),
    /// `$(\_name)`: a reference whose name starts with `_`, not an external value.
    Escaped(String),
}

/// Splits a value into text and `$(reference)`s. In text, `\` escapes the
/// next character (`\:` keeps a colon from reading as a prefix, `\$` a
/// dollar from starting a reference); in a reference, `\(` and `\)` are
/// brackets of the reference itself.
fn pieces(value: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => text.push(escaped),
                None => text.push('\\'),
            },
            '$' if chars.peek() == Some(&'(') => {
                chars.next();
                let mut reference = String::new();
                let mut escaped_start = false;
                loop {
                    match chars.next() {
                        Some('\\') => match chars.next() {
                            Some(escaped) => {
                                escaped_start |= reference.is_empty() && escaped == '_';
                                reference.push(escaped)
                            }
                            None => return Err(format!("the reference in {value:?} is not closed with )")),
                        },
                        Some(')') => break,
                        Some(c) => reference.push(c),
                        None => return Err(format!("the reference in {value:?} is not closed with )")),
                    }
                }
                if reference.is_empty() {
                    return Err(format!("{value:?} has an empty reference $()"));
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(if escaped_start { Piece::Escaped(reference) } else { Piece::Reference(reference) });
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Reads a value. With `prefixes`, a leading `prefix:` is expanded (IRIs);
/// without, the text stays as written (literals). References starting with
/// `_` name external values (`external:` in the document) when one is given.
pub(crate) fn parse(
    value: &str,
    prefixes: Option<&Prefixes>,
    external: &HashMap<String, String>,
) -> Result<Text, String> {
    let mut pieces = pieces(value)?;
    for piece in &mut pieces {
        if let Piece::Reference(name) = piece {
            if let Some(known) = name.strip_prefix('_').and_then(|n| external.get(n)) {
                *piece = Piece::Text(known.clone());
            }
        }
    }
    // Adjacent texts (after external values) read as one.
    let mut merged: Vec<Piece> = Vec::new();
    for piece in pieces {
        let piece = match piece {
            Piece::Escaped(name) => Piece::Reference(name),
            other => other,
        };
        match (merged.last_mut(), piece) {
            (Some(Piece::Text(last)), Piece::Text(next)) => last.push_str(&next),
            (_, piece) => merged.push(piece),
        }
    }
    if let (Some(prefixes), Some(Piece::Text(first))) = (prefixes, merged.first_mut()) {
        // An escaped colon is no prefix: look at the raw value.
        if !value.split(':').next().unwrap_or("").contains('\\') {
            if let Some(expanded) = prefixes.expand(first) {
                *first = expanded;
            }
        }
    }
    Ok(match merged.as_slice() {
        [Piece::Text(text)] => Text::Constant(text.clone()),
        [Piece::Reference(reference)] => Text::Reference(reference.clone()),
        _ => Text::Template(
            merged
                .iter()
                .map(|piece| match piece {
                    Piece::Text(text) => escape_template(text),
                    Piece::Reference(reference) | Piece::Escaped(reference) => {
                        format!("{{{}}}", escape_template(reference))
                    }
                })
                .collect(),
        ),
    })
}

fn escape_template(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '{' | '}') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Prefixes in force: the predefined ones, overridden by the documents'.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prefixes {
    pub map: HashMap<String, String>,
    /// Declared by the documents, in order, for readable output.
    pub declared: Vec<(String, String)>,
}

impl Prefixes {
    /// `prefix:local` with a known prefix, expanded; `None` for anything
    /// else (an IRI such as `http://…`, a name with no known prefix).
    pub fn expand(&self, name: &str) -> Option<String> {
        let (prefix, local) = name.split_once(':')?;
        if local.starts_with("//") {
            return None;
        }
        let namespace = self.map.get(prefix)?;
        Some(format!("{namespace}{local}"))
    }

    /// Whether `name` looks like `prefix:local` with a prefix nobody declared.
    pub fn unknown_prefix<'n>(&self, name: &'n str) -> Option<&'n str> {
        let (prefix, local) = name.split_once(':')?;
        let looks_prefixed = !prefix.is_empty()
            && prefix.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !local.starts_with("//")
            && !local.starts_with(' ');
        // Schemes that need no `//` are IRIs, not prefixes.
        let scheme = matches!(
            prefix,
            "urn"
                | "mailto"
                | "tag"
                | "data"
                | "file"
                | "http"
                | "https"
                | "ftp"
                | "geo"
                | "tel"
                | "did"
                | "doi"
                | "isbn"
        );
        (looks_prefixed && !scheme && !self.map.contains_key(prefix)).then_some(prefix)
    }
}

/// A function call written inline: `grel:toUpperCase(grel:valueParameter = $(name))`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    pub function: String,
    pub arguments: Vec<Argument>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Argument {
    /// `None` for a positional argument (`equal($(a), $(b))`).
    pub parameter: Option<String>,
    pub value: ArgumentValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArgumentValue {
    Text(String),
    Call(Call),
}

/// Whether a `function:` value is the inline shortcut.
pub(crate) fn is_call(text: &str) -> bool {
    match (text.find('('), text.rfind(')')) {
        (Some(open), Some(close)) => open < close && !text[..open].contains("$") && !text[..open].trim().is_empty(),
        _ => false,
    }
}

/// Parses `name(arg, param = value, inner(…))`.
pub(crate) fn parse_call(text: &str) -> Result<Call, String> {
    let mut parser = CallParser { chars: text.chars().collect(), at: 0 };
    let call = parser.call()?;
    parser.skip_spaces();
    if parser.at != parser.chars.len() {
        return Err(format!("unexpected text after the call's closing bracket in {text:?}"));
    }
    Ok(call)
}

struct CallParser {
    chars: Vec<char>,
    at: usize,
}

impl CallParser {
    fn skip_spaces(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn call(&mut self) -> Result<Call, String> {
        self.skip_spaces();
        let start = self.at;
        while self.chars.get(self.at).is_some_and(|c| *c != '(') {
            self.at += 1;
        }
        let function: String = self.chars[start..self.at].iter().collect::<String>().trim().to_owned();
        if self.chars.get(self.at) != Some(&'(') || function.is_empty() {
            return Err(format!("a function call needs name(…), not {:?}", self.rest(start)));
        }
        self.at += 1;
        let mut arguments = Vec::new();
        loop {
            self.skip_spaces();
            match self.chars.get(self.at) {
                Some(')') => {
                    self.at += 1;
                    return Ok(Call { function, arguments });
                }
                Some(',') if !arguments.is_empty() => self.at += 1,
                None => return Err(format!("the call to {function} is not closed with )")),
                _ if arguments.is_empty() => {}
                Some(c) => return Err(format!("expected , or ) in the call to {function}, found {c:?}")),
            }
            arguments.push(self.argument(&function)?);
        }
    }

    fn rest(&self, from: usize) -> String {
        self.chars[from..].iter().collect()
    }

    /// One argument: text up to a `,` or `)` at this level; a call when it
    /// is `name(…)`; `param = value` when a top-level `=` comes first.
    fn argument(&mut self, function: &str) -> Result<Argument, String> {
        self.skip_spaces();
        let start = self.at;
        let end = self.argument_end(function)?;
        let text: String = self.chars[start..end].iter().collect();
        let (parameter, value_start) = match top_level_equals(&text) {
            Some(at) => (Some(text[..at].trim().to_owned()), start + text[..at + 1].chars().count()),
            None => (None, start),
        };
        let value: String = self.chars[value_start..end].iter().collect::<String>().trim().to_owned();
        self.at = end;
        let value = if is_call(&value) && !value.starts_with('"') && !value.starts_with('\'') {
            ArgumentValue::Call(parse_call(&value)?)
        } else {
            ArgumentValue::Text(unquote(&value).to_owned())
        };
        Ok(Argument { parameter, value })
    }

    /// Where the argument starting here ends: the `,` or `)` outside
    /// brackets, references and quotes.
    fn argument_end(&self, function: &str) -> Result<usize, String> {
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut at = self.at;
        while let Some(&c) = self.chars.get(at) {
            match (quote, c) {
                (_, '\\') => at += 1,
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '(') => depth += 1,
                (None, ')') if depth == 0 => return Ok(at),
                (None, ')') => depth -= 1,
                (None, ',') if depth == 0 => return Ok(at),
                _ => {}
            }
            at += 1;
        }
        Err(format!("the call to {function} is not closed with )"))
    }
}

/// The `=` of `param = value`, if the argument has one outside brackets and quotes.
fn top_level_equals(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, '=') if depth == 0 => return Some(at),
            _ => {}
        }
    }
    None
}

fn unquote(text: &str) -> &str {
    for quote in ['"', '\''] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            return &text[1..text.len() - 1];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefixes() -> Prefixes {
        let mut p = Prefixes::default();
        p.map.insert("ex".into(), "http://example.com/".into());
        p
    }

    fn text(value: &str, iri: bool) -> Text {
        let p = prefixes();
        parse(value, iri.then_some(&p), &HashMap::new()).unwrap()
    }

    #[test]
    fn values_are_constants_references_or_templates() {
        assert_eq!(text("ex:Person", true), Text::Constant("http://example.com/Person".into()));
        assert_eq!(text("ex:Person", false), Text::Constant("ex:Person".into()));
        assert_eq!(text("$(name)", false), Text::Reference("name".into()));
        assert_eq!(text("ex:$(id)", true), Text::Template("http://example.com/{id}".into()));
        assert_eq!(text("http://x.org/$(a)-$(b)", true), Text::Template("http://x.org/{a}-{b}".into()));
    }

    #[test]
    fn escapes() {
        assert_eq!(text("$(id)\\:\\:number", true), Text::Template("{id}::number".into()));
        assert_eq!(text("http://example.com/$((test\\))", true), Text::Template("http://example.com/{(test)}".into()));
        assert_eq!(text("{a} $(b)", false), Text::Template("\\{a\\} {b}".into()));
        assert_eq!(text("ex\\:name", true), Text::Constant("ex:name".into()));
    }

    #[test]
    fn external_references_are_replaced() {
        let external = HashMap::from([("name".to_owned(), "Ann".to_owned())]);
        assert_eq!(parse("$(_name) $(x)", None, &external).unwrap(), Text::Template("Ann {x}".into()));
        assert_eq!(parse("$(_name)", None, &external).unwrap(), Text::Constant("Ann".into()));
        assert_eq!(parse("$(\\_name)", None, &external).unwrap(), Text::Reference("_name".into()));
    }

    #[test]
    fn unclosed_references_are_refused() {
        assert!(parse("a $(b", None, &HashMap::new()).is_err());
    }

    #[test]
    fn function_shortcuts() {
        let call = parse_call("ex:f(ex:a = $(x), b=ex:g(ex:c=$(y)), \"q, r\")").unwrap();
        assert_eq!(call.function, "ex:f");
        assert_eq!(call.arguments.len(), 3);
        assert_eq!(call.arguments[0].parameter.as_deref(), Some("ex:a"));
        assert_eq!(call.arguments[0].value, ArgumentValue::Text("$(x)".into()));
        let ArgumentValue::Call(inner) = &call.arguments[1].value else { panic!("nested call") };
        assert_eq!(inner.function, "ex:g");
        assert_eq!(call.arguments[2], Argument { parameter: None, value: ArgumentValue::Text("q, r".into()) });
        assert_eq!(parse_call("ex:now()").unwrap().arguments, vec![]);
        assert!(parse_call("ex:f($(a)").is_err());
        assert!(is_call("join(a, equal($(x), $(y)))"));
        assert!(!is_call("$(a)"));
    }
}
