//! The YAML of a YARRRML document as a small tree whose every node knows
//! where it starts in the file. Scalars keep the text as written (`2.10`
//! stays `2.10`): YARRRML values are text, whatever YAML would read them as.

use crate::Position;
use saphyr::{MarkedYaml, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::Parser;

/// A YAML node and where it starts.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub at: Position,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Null,
    Scalar(String),
    Sequence(Vec<Node>),
    /// Keys in the order written.
    Mapping(Vec<(Node, Node)>),
}

/// A document that is not YAML, with where the parser stopped.
#[derive(Debug, Clone)]
pub(crate) struct SyntaxError {
    pub at: Position,
    pub message: String,
}

/// Parses the first document of `text` (an empty text is a null node).
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut loader: YamlLoader<'_, MarkedYaml<'_>> = YamlLoader::default();
    // Scalars as written; YARRRML decides what they mean.
    loader.early_parse(false);
    parser.load(&mut loader, false).map_err(|e| syntax_error(&e))?;
    if let Some(error) = loader.error() {
        return Err(syntax_error(error));
    }
    Ok(match loader.into_documents().into_iter().next() {
        Some(document) => convert(document),
        None => Node { at: Position { line: 1, column: 1 }, value: Value::Null },
    })
}

fn syntax_error(error: &saphyr::ScanError) -> SyntaxError {
    let marker = error.marker();
    SyntaxError { at: position(marker), message: error.info().to_owned() }
}

fn position(marker: &saphyr::Marker) -> Position {
    Position { line: marker.line() as u64, column: marker.col() as u64 + 1 }
}

fn convert(node: MarkedYaml<'_>) -> Node {
    let at = position(&node.span.start);
    let value = match node.data {
        YamlData::Representation(text, style, _) => scalar(&text, style),
        YamlData::Value(value) => match value {
            saphyr::Scalar::Null => Value::Null,
            saphyr::Scalar::Boolean(b) => Value::Scalar(b.to_string()),
            saphyr::Scalar::Integer(i) => Value::Scalar(i.to_string()),
            saphyr::Scalar::FloatingPoint(f) => Value::Scalar(f.to_string()),
            saphyr::Scalar::String(s) => Value::Scalar(s.into_owned()),
        },
        YamlData::Sequence(items) => Value::Sequence(items.into_iter().map(convert).collect()),
        YamlData::Mapping(entries) => {
            Value::Mapping(entries.into_iter().map(|(k, v)| (convert(k), convert(v))).collect())
        }
        YamlData::Tagged(_, inner) => return convert(*inner),
        YamlData::Alias(_) | YamlData::BadValue => Value::Null,
    };
    Node { at, value }
}

fn scalar(text: &str, style: ScalarStyle) -> Value {
    let is_null = style == ScalarStyle::Plain && matches!(text, "" | "~" | "null" | "Null" | "NULL");
    if is_null {
        Value::Null
    } else {
        Value::Scalar(text.to_owned())
    }
}

impl Node {
    /// The scalar's text, if the node is one.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    #[cfg(test)]
    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// What the node is, for messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing",
            Value::Scalar(_) => "a text",
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping of keys",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_their_line_and_column() {
        let node = parse("a:\n  b: [x, 2.10]\n").unwrap();
        let (key, value) = &node.entries().unwrap()[0];
        assert_eq!(key.text(), Some("a"));
        let (_, list) = &value.entries().unwrap()[0];
        assert_eq!(list.at, Position { line: 2, column: 6 });
        let items = list.items().unwrap();
        assert_eq!(items[1].text(), Some("2.10"));
        assert_eq!(items[1].at, Position { line: 2, column: 10 });
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let error = parse("a: [x, $.[*]]\n").unwrap_err();
        assert_eq!(error.at.line, 1);
    }

    #[test]
    fn empty_documents_are_null() {
        assert!(matches!(parse("").unwrap().value, Value::Null));
        assert!(matches!(parse("# only a comment\n").unwrap().value, Value::Null));
    }
}
