//! XML sources: records selected by an XPath iterator, and references as
//! XPath expressions relative to each record.
//!
//! # The XPath crate: `xee-xpath`
//!
//! The RML-IO registry names XPath 3.1 for `rml:XPath`, and `xee-xpath`
//! (on the `xot` tree) is the one maintained XPath 3.1 implementation in
//! Rust, tested against the W3C's QT3 suite. The alternatives were weighed:
//! `sxd-xpath` is XPath 1.0, unreleased since 2018, and its document is
//! neither `Send` nor `Sync` (raw pointers), so records could not cross the
//! engine's threads at all; `xpath-eval` (XPath 1.0 over any tree, e.g.
//! `roxmltree`) is thread-friendly and light but young, one maintainer, and
//! 1.0 only; `oxml` is a 0.0.x release.
//!
//! The price of xee is twofold, and both are handled here:
//! - Its compiled programs hold `Rc`s, so they cannot be shared between
//!   threads. [`XPath`] keeps the expression's text (checked by compiling it
//!   once in [`XPath::compile`]) and each thread compiles it again on first
//!   use into a small thread-local cache, keyed by a number unique to each
//!   compiled [`XPath`].
//! - Evaluation takes `&mut Xot` (XPath 3.1 can build nodes), so each
//!   document's arena sits behind a [`Mutex`]: evaluations of one document
//!   run one at a time, whatever the number of threads. Records of different
//!   files still run in parallel, and the rest of the engine's work per
//!   record (terms, quads) is outside the lock.
//!
//! It also brings a large dependency tree (ICU among others), which lengthens
//! a cold build of this crate by a few minutes.
//!
//! # Memory and streaming
//!
//! The whole document is read and parsed into one tree before the first
//! record: references may reach any ancestor (`../@id`, `ancestor::x`) or,
//! in XPath, any node of the document, and records select nodes of that one
//! tree, which they share through an [`Arc`]. Nothing streams, not even a
//! plain `/a/b/c` iterator: a file takes memory in proportion to its size
//! (the text plus the tree, a few times the text), and the records' nodes
//! are listed up front (a few bytes each). The positions the parser records
//! for every node are read once for the records' lines and then dropped.
//!
//! # Limits
//!
//! - Documents with a DTD (`<!DOCTYPE …>`) are refused by `xot`'s parser, and
//!   only the five predefined entities are known.
//! - A reference that fails at run time (a type error, a function applied to
//!   a node of the wrong kind) gives no value rather than an error, as
//!   [`XPath::evaluate`] has no way to say otherwise; an expression that is
//!   not XPath is refused when compiled.
//! - Function items in a result are skipped: they have no string value.

use super::{RecordSource, Row, SourceError, Value};
use crate::problem::Problem;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use xee_xpath::context::StaticContextBuilder;
use xee_xpath::query::SequenceQuery;
use xee_xpath::{Item, Queries, Query};
use xot::{SpanInfoKey, Xot};

/// A XPath query compiled once.
#[derive(Debug, Clone)]
pub struct XPath {
    inner: Arc<Expression>,
}

#[derive(Debug)]
struct Expression {
    text: String,
    namespaces: Vec<(String, String)>,
    /// The key of this expression's programs in each thread's cache.
    key: u64,
}

/// Each [`XPath::compile`] takes the next number, so that clones share their
/// programs and two compilations never mix theirs up.
static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

/// Beyond this, a thread's cache starts again empty: a long-lived process
/// (the server) compiles the expressions of many mappings over its life, and
/// a mapping has far fewer expressions than this.
const CACHE_LIMIT: usize = 4096;

thread_local! {
    static PROGRAMS: RefCell<HashMap<u64, Rc<SequenceQuery>>> = RefCell::new(HashMap::new());
}

impl XPath {
    /// Compiles `expression`; `Err` says what is wrong with it.
    pub fn compile(expression: &str) -> Result<Self, String> {
        Self::compile_with_namespaces::<&str, &str>(expression, &[])
    }

    /// Compiles `expression` with the namespace prefixes of an
    /// `rml:XPathReferenceFormulation` (`rml:namespacePrefix`,
    /// `rml:namespaceURL`). Unprefixed names stay in no namespace, as RML-IO
    /// declares no default namespace.
    pub fn compile_with_namespaces<P: AsRef<str>, U: AsRef<str>>(
        expression: &str,
        namespaces: &[(P, U)],
    ) -> Result<Self, String> {
        let namespaces: Vec<(String, String)> =
            namespaces.iter().map(|(p, u)| (p.as_ref().to_owned(), u.as_ref().to_owned())).collect();
        let program = build(expression, &namespaces).map_err(|e| describe_xpath_error(expression, &e))?;
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        let xpath = Self { inner: Arc::new(Expression { text: expression.to_owned(), namespaces, key }) };
        // The compiling thread keeps its program: a single-threaded run then
        // compiles each expression only once.
        remember(key, Rc::new(program));
        Ok(xpath)
    }

    /// The query's text, for messages.
    pub fn as_str(&self) -> &str {
        &self.inner.text
    }

    /// The string values of what the expression selects in `record`, in the
    /// order XPath gives them (document order for a path): an element's text
    /// content, an attribute's value, a text node's text, an atomic value's
    /// canonical form. XML values have no natural datatype.
    pub fn evaluate(&self, record: &XmlRecord, out: &mut Vec<Value>) {
        self.run(record, |xot, item| {
            if let Ok(text) = item.string_value(xot) {
                out.push(Value::plain(text));
            }
        });
    }

    /// The nodes the expression selects in `record`, for nested iteration;
    /// atomic values are skipped.
    pub fn select(&self, record: &XmlRecord) -> Vec<XmlRecord> {
        let mut nodes = Vec::new();
        self.run(record, |_, item| {
            if let Item::Node(node) = item {
                nodes.push(XmlRecord { document: Arc::clone(&record.document), node: *node });
            }
        });
        nodes
    }

    fn run(&self, record: &XmlRecord, mut each: impl FnMut(&Xot, &Item)) {
        let Some(query) = self.program() else { return };
        let program = query.program();
        let mut builder = program.dynamic_context_builder();
        builder.context_item(Item::Node(record.node));
        let context = builder.build();
        let mut xot = record.document.lock();
        let Ok(sequence) = program.runnable(&context).many(&mut xot) else { return };
        for item in sequence.iter() {
            each(&xot, &item);
        }
    }

    /// This thread's program for the expression, compiled on first use.
    fn program(&self) -> Option<Rc<SequenceQuery>> {
        let key = self.inner.key;
        if let Some(program) = PROGRAMS.with(|programs| programs.borrow().get(&key).cloned()) {
            return Some(program);
        }
        // It compiled once already, in `compile`: this cannot fail but for a
        // change in the crate, and then the expression gives nothing.
        let program = Rc::new(build(&self.inner.text, &self.inner.namespaces).ok()?);
        remember(key, Rc::clone(&program));
        Some(program)
    }
}

fn build(expression: &str, namespaces: &[(String, String)]) -> Result<SequenceQuery, xee_xpath::error::Error> {
    let mut context = StaticContextBuilder::default();
    context.namespaces(namespaces.iter().map(|(p, u)| (p.as_str(), u.as_str())));
    Queries::default().sequence_with_context(expression, context.build())
}

fn remember(key: u64, program: Rc<SequenceQuery>) {
    PROGRAMS.with(|programs| {
        let mut programs = programs.borrow_mut();
        if programs.len() >= CACHE_LIMIT {
            programs.clear();
        }
        programs.insert(key, program);
    });
}

/// One line: the expression, the error's code, where, and the first sentence
/// of the specification's text for the code.
fn describe_xpath_error(expression: &str, error: &xee_xpath::error::Error) -> String {
    let mut message = format!("XPath {expression:?} is not valid: {}", error.error);
    if let Some(span) = error.span {
        let column = expression[..span.range().start.min(expression.len())].chars().count() + 1;
        message.push_str(&format!(" at character {column}"));
    }
    let explanation = error.error.message().split_whitespace().collect::<Vec<_>>().join(" ");
    if !explanation.is_empty() {
        message.push_str(": ");
        message.push_str(&explanation);
    }
    message
}

/// A parsed document, shared by all the records selected in it.
struct Document {
    xot: Mutex<Xot>,
}

impl Document {
    fn lock(&self) -> MutexGuard<'_, Xot> {
        // A panic during another evaluation leaves the tree as it was: XPath
        // only reads the document's nodes.
        self.xot.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One element (or other node) selected in an XML document. Cloning it is
/// cheap: the document is shared.
#[derive(Clone)]
pub struct XmlRecord {
    document: Arc<Document>,
    node: xot::Node,
}

impl fmt::Debug for XmlRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the document: its arena would print whole for every record.
        f.debug_struct("XmlRecord").field("node", &self.node).finish_non_exhaustive()
    }
}

/// An XML file, read as the nodes its iterator selects.
pub struct XmlSource {
    path: PathBuf,
    document: Arc<Document>,
    records: std::vec::IntoIter<(u64, xot::Node)>,
}

impl XmlSource {
    /// Reads and parses the whole of `input`, then selects the records with
    /// `iterator`, an absolute XPath.
    pub fn open(path: &Path, input: Box<dyn Read + Send>, iterator: &str) -> Result<Self, SourceError> {
        Self::open_with_namespaces::<&str, &str>(path, input, iterator, &[])
    }

    /// [`XmlSource::open`] with the namespace prefixes the iterator may use.
    pub fn open_with_namespaces<P: AsRef<str>, U: AsRef<str>>(
        path: &Path,
        mut input: Box<dyn Read + Send>,
        iterator: &str,
        namespaces: &[(P, U)],
    ) -> Result<Self, SourceError> {
        let error = |line, problem| SourceError { file: path.to_owned(), line, problem };
        let iterator = XPath::compile_with_namespaces(iterator, namespaces).map_err(|e| error(None, e))?;
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes).map_err(|e| error(None, format!("cannot be read: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = Position::of(e.as_bytes(), e.utf8_error().valid_up_to());
            error(Some(at.line), format!("is not UTF-8 text: invalid byte at column {}", at.column))
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);

        let mut xot = Xot::new();
        let (root, spans) = xot.parse_with_span_info(text).map_err(|e| {
            let at = Position::of(text.as_bytes(), e.span().start);
            error(Some(at.line), format!("is not well-formed XML: {} (column {})", describe_parse_error(&e), at.column))
        })?;

        let document = Arc::new(Document { xot: Mutex::new(xot) });
        let nodes = iterator.select(&XmlRecord { document: Arc::clone(&document), node: root });
        let lines = Lines::new(text.as_bytes());
        let xot = document.lock();
        let records = nodes
            .iter()
            .map(|record| {
                // An attribute or text node selected by the iterator starts
                // where its element does, or on its own span if it has one.
                let start = [record.node, xot.parent(record.node).unwrap_or(record.node)].iter().find_map(|&node| {
                    spans
                        .get(SpanInfoKey::ElementStart(node))
                        .or_else(|| spans.get(SpanInfoKey::Text(node)))
                        .or_else(|| spans.get(SpanInfoKey::Comment(node)))
                        .or_else(|| spans.get(SpanInfoKey::PiTarget(node)))
                        .map(|span| span.start)
                });
                (start.map_or(1, |offset| lines.line_of(offset)), record.node)
            })
            .collect::<Vec<_>>();
        drop(xot);
        Ok(Self { path: path.to_owned(), document, records: records.into_iter() })
    }
}

impl RecordSource for XmlSource {
    fn path(&self) -> &Path {
        &self.path
    }

    fn fields(&self) -> &[String] {
        &[]
    }

    fn next_batch(&mut self, max_records: usize) -> Result<Vec<Row>, SourceError> {
        let document = &self.document;
        Ok(self
            .records
            .by_ref()
            .take(max_records)
            .map(|(line, node)| Row {
                ordinal: 0,
                offset: None,
                line,
                record: super::Record::Xml(Box::new(XmlRecord { document: Arc::clone(document), node })),
            })
            .collect())
    }

    fn take_problems(&mut self) -> Vec<Problem> {
        // The file is parsed whole up front: it is either refused by `open`
        // or every record is readable.
        Vec::new()
    }
}

/// The first sentence of a parse error, without xot's byte offsets (the
/// message gives line and column instead).
fn describe_parse_error(error: &xot::ParseError) -> String {
    use xot::ParseError as E;
    match error {
        E::UnclosedTag(_) => "an element is not closed".into(),
        // xot gives the closing tag's prefix and name, not the open element's.
        E::InvalidCloseTag(prefix, name, _) if prefix.is_empty() => format!("</{name}> closes another element"),
        E::InvalidCloseTag(prefix, name, _) => format!("</{prefix}:{name}> closes another element"),
        E::UnclosedEntity(entity, _) => format!("the entity reference &{entity} has no closing ';'"),
        E::InvalidEntity(entity, _) => format!("unknown entity &{entity};"),
        E::UnknownPrefix(prefix, _) => format!("the namespace prefix {prefix:?} is not declared"),
        E::DuplicateAttribute(name, _) => format!("the attribute {name:?} is repeated"),
        E::UnsupportedVersion(version, _) => format!("XML version {version} is not supported (1.0 only)"),
        E::DtdUnsupported(_) => "a DTD (<!DOCTYPE …>) is not supported".into(),
        E::NoElementAtTopLevel(_) => "there is no root element".into(),
        E::MultipleElementsAtTopLevel(_) => "there is more than one root element".into(),
        E::TextAtTopLevel(_) => "there is text outside the root element".into(),
        E::DuplicateId(id, _) => format!("the xml:id {id:?} is repeated"),
        E::XmlParser(inner, _) => {
            // xmlparser's own message ends with "at line:column" counted from
            // where it was handed the text; the caller's position is better.
            let message = inner.to_string();
            match message.rsplit_once(" at ") {
                Some((head, tail)) if tail.chars().all(|c| c.is_ascii_digit() || c == ':') => head.to_owned(),
                _ => message,
            }
        }
        #[allow(deprecated)]
        other => format!("{other:?}"),
    }
}

/// A 1-based line and column (in characters) of a byte offset.
struct Position {
    line: u64,
    column: usize,
}

impl Position {
    fn of(text: &[u8], offset: usize) -> Self {
        let before = &text[..offset.min(text.len())];
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        // Counting UTF-8 lead bytes gives characters, and does not fail where
        // the text stops being UTF-8.
        let column = before[line_start..].iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
        Self { line, column }
    }
}

/// Where each line starts, to find the line of many offsets in any order.
struct Lines {
    newlines: Vec<usize>,
}

impl Lines {
    fn new(text: &[u8]) -> Self {
        Self { newlines: text.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i).collect() }
    }

    fn line_of(&self, offset: usize) -> u64 {
        self.newlines.partition_point(|&newline| newline < offset) as u64 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Record;

    const FRIENDS: &str = r#"<?xml version="1.0"?>
<Friends>
  <Character id="0">
    <name>Monica Geller</name>
    <age>33</age>
  </Character>
  <Character id="1"><name>Rachel <b>Green</b></name><age>34</age></Character>
</Friends>
"#;

    fn open(xml: &str, iterator: &str) -> Result<XmlSource, SourceError> {
        XmlSource::open(Path::new("friends.xml"), Box::new(std::io::Cursor::new(xml.to_owned())), iterator)
    }

    fn rows(xml: &str, iterator: &str) -> Vec<Row> {
        let mut source = open(xml, iterator).unwrap();
        let mut rows = Vec::new();
        loop {
            let batch = source.next_batch(1).unwrap();
            if batch.is_empty() {
                return rows;
            }
            rows.extend(batch);
        }
    }

    fn record(row: &Row) -> &XmlRecord {
        match &row.record {
            Record::Xml(record) => record,
            other => panic!("not an XML record: {other:?}"),
        }
    }

    fn values(expression: &str, record: &XmlRecord) -> Vec<String> {
        let mut out = Vec::new();
        XPath::compile(expression).unwrap().evaluate(record, &mut out);
        assert!(out.iter().all(|value| value.datatype.is_none()));
        out.into_iter().map(|value| value.text).collect()
    }

    #[test]
    fn the_iterator_selects_the_records_with_the_lines_they_start_on() {
        let rows = rows(FRIENDS, "/Friends/Character");
        assert_eq!(rows.iter().map(|row| row.line).collect::<Vec<_>>(), [3, 7]);
        let rows = super::tests::rows(FRIENDS, "//name");
        assert_eq!(rows.iter().map(|row| row.line).collect::<Vec<_>>(), [4, 7]);
    }

    #[test]
    fn lines_count_newlines_not_characters() {
        let xml = "<a>\n<b x=\"é€😀\">\n</b>\n<b/></a>";
        let rows = rows(xml, "/a/b");
        assert_eq!(rows.iter().map(|row| row.line).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(values("@x", record(&rows[0])), ["é€😀"]);
    }

    #[test]
    fn references_give_elements_text_attributes_and_text_nodes() {
        let rows = rows(FRIENDS, "/Friends/Character");
        let second = record(&rows[1]);
        assert_eq!(values("@id", second), ["1"]);
        assert_eq!(values("name", second), ["Rachel Green"]);
        assert_eq!(values("name/text()", second), ["Rachel "]);
        assert_eq!(values("age", second), ["34"]);
        assert_eq!(values("missing", second), Vec::<String>::new());
        assert_eq!(values("count(*)", second), ["2"]);
        assert_eq!(values("*", record(&rows[0])), ["Monica Geller", "33"]);
        assert_eq!(values("concat(name, ' (', age, ')')", record(&rows[0])), ["Monica Geller (33)"]);
    }

    #[test]
    fn references_reach_parents_and_ancestors() {
        let xml = r#"<companies><company id="25"><departments><department><name>R&amp;D</name>
            </department><department><name>Sales</name></department></departments></company></companies>"#;
        let rows = rows(xml, "/companies/company/departments/department");
        assert_eq!(rows.len(), 2);
        assert_eq!(values("../../@id", record(&rows[1])), ["25"]);
        assert_eq!(values("ancestor::company/@id", record(&rows[0])), ["25"]);
        assert_eq!(values("name", record(&rows[0])), ["R&D"]);
        assert_eq!(values("/companies/company/@id", record(&rows[1])), ["25"]);
    }

    #[test]
    fn select_gives_nodes_that_keep_their_document() {
        let rows = rows(FRIENDS, "/Friends");
        let characters = XPath::compile("Character").unwrap().select(record(&rows[0]));
        assert_eq!(characters.len(), 2);
        assert_eq!(values("@id", &characters[1]), ["1"]);
        assert_eq!(values("../Character[1]/name", &characters[1]), ["Monica Geller"]);
        assert!(XPath::compile("count(Character)").unwrap().select(record(&rows[0])).is_empty());
    }

    #[test]
    fn records_and_expressions_cross_threads() {
        let rows = rows(FRIENDS, "/Friends/Character");
        let name = XPath::compile("name").unwrap();
        let names = std::thread::scope(|scope| {
            let handles: Vec<_> = rows
                .iter()
                .map(|row| {
                    let name = name.clone();
                    let record = record(row).clone();
                    scope.spawn(move || {
                        let mut out = Vec::new();
                        name.evaluate(&record, &mut out);
                        out
                    })
                })
                .collect();
            handles.into_iter().flat_map(|handle| handle.join().unwrap()).map(|value| value.text).collect::<Vec<_>>()
        });
        assert_eq!(names, ["Monica Geller", "Rachel Green"]);
    }

    #[test]
    fn batches_hold_at_most_the_number_asked() {
        let mut source = open(FRIENDS, "//*").unwrap();
        assert_eq!(source.next_batch(4).unwrap().len(), 4);
        assert_eq!(source.next_batch(100).unwrap().len(), 4);
        assert!(source.next_batch(100).unwrap().is_empty());
    }

    #[test]
    fn namespaces_are_those_the_mapping_declares() {
        let xml = r#"<Friends xmlns:ex="http://example.org"><ex:Character id="0"><ex:name>Monica</ex:name>
            </ex:Character></Friends>"#;
        let namespaces = [("ex", "http://example.org")];
        let source = XmlSource::open_with_namespaces(
            Path::new("friends.xml"),
            Box::new(std::io::Cursor::new(xml.to_owned())),
            "//Friends/ex:Character",
            &namespaces,
        );
        let mut source = source.unwrap();
        let rows = source.next_batch(10).unwrap();
        assert_eq!(rows.len(), 1);
        let mut out = Vec::new();
        XPath::compile_with_namespaces("ex:name/text()", &namespaces).unwrap().evaluate(record(&rows[0]), &mut out);
        assert_eq!(out, [Value::plain("Monica")]);
        // The document's own prefix is not the mapping's: without the
        // declaration, the expression does not compile.
        let error = XPath::compile("ex:name").unwrap_err();
        assert!(error.contains("\"ex:name\"") && error.contains("XPST0081"), "{error}");
    }

    #[test]
    fn malformed_xml_is_refused_with_its_line_and_column() {
        let error = open("<a>\n  <b>\n  </c>\n</a>", "/a").err().unwrap();
        assert_eq!(error.line, Some(3));
        assert!(error.problem.contains("</c> closes another element"), "{}", error.problem);
        assert!(error.problem.contains("not well-formed") && error.problem.contains("column"), "{}", error.problem);
        assert!(!error.problem.contains('\n'), "{}", error.problem);
        assert_eq!(error.to_string().split(':').nth(1), Some("3"));

        for xml in ["", "<a>", "<a></a><b/>", "text", "<a b='1' b='2'/>", "<a>&nope;</a>", "<x:a/>", "\u{0}"] {
            let error = open(xml, "/*").err().unwrap_or_else(|| panic!("{xml:?} was accepted"));
            assert!(error.line.is_some(), "{xml:?}: {error}");
            assert!(!error.problem.contains('\n'), "{xml:?}: {error}");
        }
        let error = XmlSource::open(Path::new("x.xml"), Box::new(&b"<a>\n\xff</a>"[..]), "/a").err().unwrap();
        assert_eq!(error.line, Some(2));
        assert!(error.problem.contains("UTF-8"), "{}", error.problem);
    }

    #[test]
    fn a_byte_order_mark_is_not_content() {
        assert_eq!(rows("\u{feff}<a><b/></a>", "/a/b").len(), 1);
    }

    #[test]
    fn invalid_xpath_is_refused_naming_the_expression() {
        for expression in ["name[", "@", "///", "foo(", "1 +"] {
            let error = XPath::compile(expression).unwrap_err();
            assert!(error.contains(&format!("{expression:?}")), "{error}");
            assert!(!error.contains('\n'), "{error}");
        }
        let error = open(FRIENDS, "/Friends[").err().unwrap();
        assert_eq!(error.line, None);
        assert!(error.problem.contains("\"/Friends[\""), "{}", error.problem);
    }

    #[test]
    fn as_str_gives_the_text_compiled() {
        assert_eq!(XPath::compile("../@id").unwrap().as_str(), "../@id");
    }

    #[test]
    fn expressions_that_fail_at_run_time_give_nothing() {
        let rows = rows(FRIENDS, "/Friends/Character");
        assert!(values("xs:integer(name)", record(&rows[0])).is_empty());
    }
}
