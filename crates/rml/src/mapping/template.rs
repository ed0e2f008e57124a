//! String templates (`rml:template "http://example.com/{ID}"`) and the IRI-safe
//! percent-encoding that R2RML applies to the values put into IRI templates.

use percent_encoding::{percent_encode_byte, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// One piece of a parsed template: literal text, or a reference to a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePart<C> {
    Text(String),
    Column(C),
}

/// A template split into text and column parts. `C` is a column name while the
/// mapping is being read and a column index once it is compiled into a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template<C> {
    pub parts: Vec<TemplatePart<C>>,
}

/// Why a template string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unclosed '{{' at character {0}; write \\{{ for a literal brace")]
    Unclosed(usize),
    #[error("'}}' at character {0} closes nothing; write \\}} for a literal brace")]
    UnopenedClose(usize),
    #[error("empty column name '{{}}' at character {0}")]
    EmptyReference(usize),
    #[error("the template ends with a lone backslash")]
    TrailingBackslash,
}

impl<C> Template<C> {
    /// The columns the template references, in order of appearance.
    pub fn columns(&self) -> impl Iterator<Item = &C> {
        self.parts.iter().filter_map(|part| match part {
            TemplatePart::Column(column) => Some(column),
            TemplatePart::Text(_) => None,
        })
    }
}

impl Template<String> {
    /// Parses an R2RML/RML template: `{name}` references a column, `\{`, `\}`
    /// and `\\` stand for the characters themselves.
    ///
    /// ```
    /// use factgraph_rml::mapping::template::{Template, TemplatePart};
    /// let t = Template::parse(r"http://ex.com/{ID}/\{x\}").unwrap();
    /// assert_eq!(t.parts, vec![
    ///     TemplatePart::Text("http://ex.com/".into()),
    ///     TemplatePart::Column("ID".into()),
    ///     TemplatePart::Text("/{x}".into()),
    /// ]);
    /// ```
    pub fn parse(template: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut column: Option<(usize, String)> = None;
        let mut chars = template.chars().enumerate();
        while let Some((position, c)) = chars.next() {
            let in_column = column.is_some();
            match c {
                '\\' => match chars.next() {
                    Some((_, escaped)) => match &mut column {
                        Some((_, name)) => name.push(escaped),
                        None => text.push(escaped),
                    },
                    None => return Err(TemplateError::TrailingBackslash),
                },
                '{' if !in_column => {
                    if !text.is_empty() {
                        parts.push(TemplatePart::Text(std::mem::take(&mut text)));
                    }
                    column = Some((position, String::new()));
                }
                '{' => return Err(TemplateError::Unclosed(column.map_or(position, |c| c.0))),
                '}' => match column.take() {
                    Some((start, name)) if name.is_empty() => return Err(TemplateError::EmptyReference(start)),
                    Some((_, name)) => parts.push(TemplatePart::Column(name)),
                    None => return Err(TemplateError::UnopenedClose(position)),
                },
                _ => match &mut column {
                    Some((_, name)) => name.push(c),
                    None => text.push(c),
                },
            }
        }
        if let Some((start, _)) = column {
            return Err(TemplateError::Unclosed(start));
        }
        if !text.is_empty() {
            parts.push(TemplatePart::Text(text));
        }
        Ok(Self { parts })
    }

    /// Replaces column names by what `resolve` returns for them (their indexes).
    pub fn resolve<C, E>(&self, mut resolve: impl FnMut(&str) -> Result<C, E>) -> Result<Template<C>, E> {
        let parts = self
            .parts
            .iter()
            .map(|part| {
                Ok(match part {
                    TemplatePart::Text(text) => TemplatePart::Text(text.clone()),
                    TemplatePart::Column(name) => TemplatePart::Column(resolve(name)?),
                })
            })
            .collect::<Result<_, E>>()?;
        Ok(Template { parts })
    }
}

impl<C> Template<C> {
    /// Fills the template from a row. Returns `None` when a referenced value is
    /// empty: R2RML produces no term from a template with a NULL in it.
    pub fn expand<'a>(&self, value_of: impl Fn(&C) -> &'a str, escape: Escape, out: &mut String) -> Option<()> {
        // One loop per escape, chosen once: a build expands tens of millions.
        match escape {
            Escape::Iri => self.expand_with(value_of, push_iri_safe, out),
            Escape::Uri => self.expand_with(value_of, push_uri_safe, out),
            Escape::Verbatim => self.expand_with(value_of, |value, out| out.push_str(value), out),
        }
    }

    /// [`Template::expand`] where an empty value is a value, put in as it
    /// is: a table's empty string is not NULL, as a CSV file's empty cell is.
    pub fn expand_keeping_empty<'a>(&self, value_of: impl Fn(&C) -> &'a str, escape: Escape, out: &mut String) {
        out.clear();
        for part in &self.parts {
            match part {
                TemplatePart::Text(text) => out.push_str(text),
                TemplatePart::Column(reference) => escape.push(value_of(reference), out),
            }
        }
    }

    #[inline]
    fn expand_with<'a>(
        &self,
        value_of: impl Fn(&C) -> &'a str,
        push: impl Fn(&str, &mut String),
        out: &mut String,
    ) -> Option<()> {
        out.clear();
        for part in &self.parts {
            match part {
                TemplatePart::Text(text) => out.push_str(text),
                TemplatePart::Column(reference) => {
                    let value = value_of(reference);
                    if value.is_empty() {
                        return None;
                    }
                    push(value, out);
                }
            }
        }
        Some(())
    }

    /// Every expansion of the template for references with several values:
    /// one per combination (RML-Core 7.2's cartesian product), in order.
    /// `values` holds each reference's values, in the order of
    /// [`Template::columns`]; a reference without values gives no expansion.
    ///
    /// ```
    /// use factgraph_rml::mapping::template::Template;
    /// let t = Template::parse("{a}-{b}").unwrap();
    /// let values = vec![vec!["1".to_owned(), "2".to_owned()], vec!["x y".to_owned()]];
    /// use factgraph_rml::mapping::template::Escape;
    /// assert_eq!(t.expand_all(&values, Escape::Iri), vec!["1-x%20y", "2-x%20y"]);
    /// ```
    pub fn expand_all(&self, values: &[Vec<String>], escape: Escape) -> Vec<String> {
        let mut expansions = vec![String::new()];
        let mut next_reference = 0;
        for part in &self.parts {
            match part {
                TemplatePart::Text(text) => expansions.iter_mut().for_each(|e| e.push_str(text)),
                TemplatePart::Column(_) => {
                    let choices = values.get(next_reference).map_or(&[][..], Vec::as_slice);
                    next_reference += 1;
                    let mut extended = Vec::with_capacity(expansions.len() * choices.len());
                    for expansion in &expansions {
                        for choice in choices {
                            let mut text = expansion.clone();
                            escape.push(choice, &mut text);
                            extended.push(text);
                        }
                    }
                    expansions = extended;
                }
            }
        }
        expansions
    }
}

/// How a template's values are put into its text: as they are, or
/// percent-encoded for an IRI (`rml:IRI`) or a URI (`rml:URI`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    Verbatim,
    Iri,
    Uri,
}

impl Escape {
    #[inline]
    fn push(self, value: &str, out: &mut String) {
        match self {
            Self::Verbatim => out.push_str(value),
            Self::Iri => push_iri_safe(value, out),
            Self::Uri => push_uri_safe(value, out),
        }
    }
}

/// Appends the URI-safe version of `value` (RML-Core's IRI encoding): every
/// character that is not in RFC 3986's `unreserved` is percent-encoded as
/// UTF-8 bytes, non-ASCII ones too.
///
/// ```
/// let mut out = String::new();
/// factgraph_rml::mapping::template::push_uri_safe("~A_17.1-2¢ Zoë", &mut out);
/// assert_eq!(out, "~A_17.1-2%C2%A2%20Zo%C3%AB");
/// ```
pub fn push_uri_safe(value: &str, out: &mut String) {
    out.extend(utf8_percent_encode(value, NOT_UNRESERVED));
}

/// Everything but RFC 3986's `unreserved` characters.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Appends the IRI-safe version of `value` (R2RML 7.3): every character that is
/// not in RFC 3987's `iunreserved` is percent-encoded as UTF-8 bytes.
///
/// ```
/// let mut out = String::new();
/// factgraph_rml::mapping::template::push_iri_safe("Bob/Charles 百会", &mut out);
/// assert_eq!(out, "Bob%2FCharles%20百会");
/// ```
pub fn push_iri_safe(value: &str, out: &mut String) {
    for c in value.chars() {
        if is_iunreserved(c) {
            out.push(c);
        } else {
            let mut buffer = [0; 4];
            out.extend(c.encode_utf8(&mut buffer).bytes().map(percent_encode_byte));
        }
    }
}

fn is_iunreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~') || is_ucschar(c)
}

fn is_ucschar(c: char) -> bool {
    matches!(u32::from(c),
        0xA0..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFEF
        | 0x10000..=0x1FFFD | 0x20000..=0x2FFFD | 0x30000..=0x3FFFD
        | 0x40000..=0x4FFFD | 0x50000..=0x5FFFD | 0x60000..=0x6FFFD
        | 0x70000..=0x7FFFD | 0x80000..=0x8FFFD | 0x90000..=0x9FFFD
        | 0xA0000..=0xAFFFD | 0xB0000..=0xBFFFD | 0xC0000..=0xCFFFD
        | 0xD0000..=0xDFFFD | 0xE1000..=0xEFFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(template: &str, row: &[&str], iri_safe: bool) -> Option<String> {
        let parsed = Template::parse(template).unwrap();
        let headers = ["a", "b"];
        let plan = parsed.resolve(|name| headers.iter().position(|h| *h == name).ok_or(())).unwrap();
        let mut out = String::new();
        let escape = if iri_safe { Escape::Iri } else { Escape::Verbatim };
        plan.expand(|i: &usize| row[*i], escape, &mut out).map(|()| out)
    }

    #[test]
    fn escaped_braces_are_text() {
        assert_eq!(expand(r"\{\{ {a} \}\}", &["BO", ""], false).as_deref(), Some("{{ BO }}"));
    }

    #[test]
    fn iri_values_are_percent_encoded_but_text_is_not() {
        assert_eq!(
            expand("http://ex.com/{a}#{b}", &["Saint Martin (French part)", "x/y"], true).as_deref(),
            Some("http://ex.com/Saint%20Martin%20%28French%20part%29#x%2Fy")
        );
    }

    #[test]
    fn unicode_stays_readable_and_controls_are_encoded() {
        assert_eq!(expand("{a}", &["百会纵横\n\"<>{}", ""], true).as_deref(), Some("百会纵横%0A%22%3C%3E%7B%7D"));
    }

    #[test]
    fn empty_value_gives_no_term() {
        assert_eq!(expand("x{a}{b}", &["1", ""], true), None);
    }

    #[test]
    fn malformed_templates_are_rejected() {
        assert_eq!(Template::parse("{a"), Err(TemplateError::Unclosed(0)));
        assert_eq!(Template::parse("a}"), Err(TemplateError::UnopenedClose(1)));
        assert_eq!(Template::parse("x{}"), Err(TemplateError::EmptyReference(1)));
        assert_eq!(Template::parse("x\\"), Err(TemplateError::TrailingBackslash));
        assert_eq!(Template::parse("{a{b}}"), Err(TemplateError::Unclosed(0)));
    }
}
