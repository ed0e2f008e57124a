//! JSON sources: records selected by a JSONPath iterator (RFC 9535), and
//! references as JSONPath queries relative to each record.
//!
//! # JSONPath
//!
//! Queries are compiled by [`serde_json_path`], which implements RFC 9535
//! itself (not one of the older Goessner dialects), is tested by its authors
//! against the JSONPath Compliance Test Suite, works on `serde_json::Value`
//! (the record type the engine already has) and keeps its parse errors'
//! position. The RML-IO registry defines `rml:JSONPath` as RFC 9535, so a
//! dialect crate (`jsonpath_lib`, `jsonpath-rust`'s older forms) would have
//! accepted iterators the specification rejects and the other way round.
//!
//! Queries that are a chain of member names, indices and wildcards (`$.a`,
//! `$['a b'][0]`, `$.amounts[*]`) are also kept as [`Step`]s and evaluated
//! by a direct walk, which gives the same nodes as RFC 9535 and spares the
//! general engine's allocations on the hot path (one call per reference per
//! record).
//!
//! # Natural datatypes (RML-IO registry, JSONPath, "Natural RDF mapping of
//! JSON values", itself "based on" JSON-LD 1.1 §8.6, conversion of native
//! data types)
//!
//! - a string is a plain value (its natural datatype is `xsd:string`);
//! - `true`/`false` are `xsd:boolean`, written in lower case;
//! - a number "without fraction" is `xsd:integer`, one "with fraction"
//!   `xsd:double`. As in JSON-LD, which the registry cites, "fraction" means
//!   a non-zero fractional part of the value, not the digits written: `1.0`
//!   and `1e2` are the integers `1` and `100`, while `1.5` and `2e-3` are
//!   doubles; so is any number of magnitude 10^21 or more (JSON-LD's bound).
//! - RML-Core §11.1 says the natural lexical form SHOULD be the XSD canonical
//!   one, so numbers are canonicalised rather than kept as written: integers
//!   without sign `+` or leading zeros, doubles as `1.5E0`, `2.0E-3`,
//!   `1.0E21` (XSD 1.1 canonical double: one digit before the point, the
//!   shortest digits that round-trip). The conformance tests agree where they
//!   say anything: `"amount": 30` gives `"30"^^xsd:integer` (RMLTC0012a,
//!   RMLTC0025a) and the string `"30.0E0"` stays a plain `"30.0E0"`
//!   (RMLTC0005a); none has a non-integral JSON number.
//! - `null` selects nothing (registry, "Generation of null values").
//! - an array or an object is not a value: RMLTC0025b expects an error when
//!   a reference selects the array `$.amounts` instead of `$.amounts[*]`.
//!   [`JsonPath::evaluate`] cannot report one, so it gives nothing for them,
//!   and [`JsonPath::evaluate_checked`] says so for callers that can report.
//!
//! Integers beyond the 64-bit range are read by `serde_json` as doubles, so
//! digits past the 17th may differ from the file's (`arbitrary_precision`
//! would fix it but changes `serde_json` for the whole build).
//!
//! # Streaming
//!
//! An iterator that is a chain of names, indices and wildcards (`$`,
//! `$[*]`, `$.students[*]`, `$.a.b[*]`, `$.people.*`) is followed through the
//! file by a small scanner: it reads the input in 64 KiB chunks, walks the
//! containers on the iterator's path with an explicit stack (so a batch can
//! stop and resume anywhere), and hands each record's bytes, in place in the
//! buffer, to `serde_json`. Only the unread tail of the buffer and the
//! current batch are in memory; a record larger than the buffer grows it
//! (doubling, so re-parsing the straddling record stays linear). Lines are
//! counted over the bytes each record consumed, a cheap vectorised count.
//! Values beside the path are skipped the same way (containers are entered,
//! scalars parsed and dropped), so a large skipped subtree costs no memory.
//!
//! Any other iterator (filters, descendants `..`, unions, slices, negative
//! indices, quoted names with escapes) needs the whole document: the file is
//! read into memory, parsed once, queried once, and each selected node's
//! line found by one more pass that follows the nodes' normalized paths. The
//! two give the same records in the same order (tested).
//!
//! Limits: object members are kept in document order (`preserve_order`); if
//! an object on the iterator's path repeats a member name, the streaming path
//! visits both members while the whole-document path, like `serde_json`,
//! keeps only the last. Nesting deeper than 128 levels is refused, as
//! `serde_json` refuses it. Columns in messages count bytes.

use super::{Record, RecordSource, Row, SourceError, Value};
use crate::problem::Problem;
use serde::de::{DeserializeOwned, IgnoredAny};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::xsd::{BOOLEAN as XSD_BOOLEAN, DOUBLE as XSD_DOUBLE, INTEGER as XSD_INTEGER};

/// The size of each read; large enough that a read call is rare per record,
/// small enough to stay in cache.
const CHUNK: usize = 64 * 1024;

/// `serde_json`'s own nesting limit, so that both readings refuse the same
/// documents.
const MAX_DEPTH: usize = 128;

/// A JSONPath query compiled once.
#[derive(Debug, Clone)]
pub struct JsonPath {
    text: String,
    query: serde_json_path::JsonPath,
    /// The query as a chain of simple steps, when it is one.
    steps: Option<Vec<Step>>,
}

/// One segment of a query made of names, indices and wildcards only.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Name(String),
    Index(usize),
    Wildcard,
}

impl JsonPath {
    /// Compiles `expression`; `Err` says what is wrong with it.
    pub fn compile(expression: &str) -> Result<Self, String> {
        let query = serde_json_path::JsonPath::parse(expression).map_err(|e| {
            format!(
                "JSONPath {expression:?} is not valid RFC 9535 JSONPath: at character {}, {}; write it as RFC 9535 \
                 does, starting with $ (e.g. \"$.name\", \"$['first name']\", \"$.items[*]\")",
                e.position(),
                e.message()
            )
        })?;
        Ok(Self { text: expression.to_owned(), query, steps: simple_steps(expression) })
    }

    /// The query's text, for messages.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The scalar values the query selects in `record`, with their natural
    /// datatypes; `null`, arrays and objects select nothing (see the module
    /// documentation).
    pub fn evaluate(&self, record: &serde_json::Value, out: &mut Vec<Value>) {
        self.for_each(record, &mut |value| out.extend(natural(value)));
    }

    /// As [`evaluate`](Self::evaluate), but an array or object selected is an
    /// error (RMLTC0025b), named in the `Err`.
    pub fn evaluate_checked(&self, record: &serde_json::Value, out: &mut Vec<Value>) -> Result<(), String> {
        let mut found = None;
        self.for_each(record, &mut |value| match value {
            serde_json::Value::Array(_) => found = found.or(Some("an array")),
            serde_json::Value::Object(_) => found = found.or(Some("an object")),
            _ => out.extend(natural(value)),
        });
        match found {
            None => Ok(()),
            Some(kind) => Err(format!(
                "JSONPath {:?} selects {kind}, which is not a value; select its members or elements \
                 (e.g. \"{}[*]\")",
                self.text, self.text
            )),
        }
    }

    /// The JSON values the query selects in `record`, for nested iteration.
    pub fn select(&self, record: &serde_json::Value) -> Vec<serde_json::Value> {
        let mut selected = Vec::new();
        self.for_each(record, &mut |value| selected.push(value.clone()));
        selected
    }

    fn for_each<'a>(&self, record: &'a serde_json::Value, f: &mut impl FnMut(&'a serde_json::Value)) {
        match &self.steps {
            Some(steps) => walk_steps(steps, record, f),
            None => self.query.query(record).all().into_iter().for_each(f),
        }
    }
}

fn walk_steps<'a, F: FnMut(&'a serde_json::Value)>(steps: &[Step], value: &'a serde_json::Value, f: &mut F) {
    use serde_json::Value as J;
    let Some((step, rest)) = steps.split_first() else {
        f(value);
        return;
    };
    match (step, value) {
        (Step::Name(name), J::Object(members)) => {
            if let Some(member) = members.get(name) {
                walk_steps(rest, member, f);
            }
        }
        (Step::Index(index), J::Array(elements)) => {
            if let Some(element) = elements.get(*index) {
                walk_steps(rest, element, f);
            }
        }
        (Step::Wildcard, J::Array(elements)) => elements.iter().for_each(|element| walk_steps(rest, element, f)),
        (Step::Wildcard, J::Object(members)) => members.values().for_each(|member| walk_steps(rest, member, f)),
        _ => {}
    }
}

/// The steps of a query that is `$` followed by `.name`, `.*`, `[*]`,
/// `[n]` or `['name']` segments; `None` for anything else. Only called on
/// queries RFC 9535 accepts, so it may be strict: what it does not
/// recognise simply goes to the general engine.
fn simple_steps(query: &str) -> Option<Vec<Step>> {
    let mut rest = query.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix(".*") {
            steps.push(Step::Wildcard);
            rest = after;
        } else if let Some(after) = rest.strip_prefix('.') {
            let end =
                after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii())).unwrap_or(after.len());
            if end == 0 {
                return None;
            }
            steps.push(Step::Name(after[..end].to_owned()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("[*]") {
            steps.push(Step::Wildcard);
            rest = after;
        } else if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']')?;
            let inside = &after[..close];
            let quote = inside.chars().next()?;
            if quote == '\'' || quote == '"' {
                let name = inside.strip_prefix(quote)?.strip_suffix(quote)?;
                if name.contains(['\\', quote]) {
                    return None;
                }
                steps.push(Step::Name(name.to_owned()));
            } else if inside.bytes().all(|b| b.is_ascii_digit()) {
                steps.push(Step::Index(inside.parse().ok()?));
            } else {
                return None;
            }
            rest = &after[close + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// The natural RDF value of a JSON scalar; `None` for null, arrays, objects.
fn natural(value: &serde_json::Value) -> Option<Value> {
    use serde_json::Value as J;
    match value {
        J::String(text) => Some(Value::plain(text.as_str())),
        J::Bool(b) => Some(Value { text: if *b { "true" } else { "false" }.into(), datatype: Some(XSD_BOOLEAN) }),
        J::Number(number) => Some(natural_number(number)),
        J::Null | J::Array(_) | J::Object(_) => None,
    }
}

fn natural_number(number: &serde_json::Number) -> Value {
    let integer = |text: String| Value { text, datatype: Some(XSD_INTEGER) };
    if let Some(i) = number.as_i64() {
        return integer(i.to_string());
    }
    if let Some(u) = number.as_u64() {
        return integer(u.to_string());
    }
    let Some(f) = number.as_f64() else {
        return Value { text: number.to_string(), datatype: Some(XSD_DOUBLE) };
    };
    // JSON-LD's rule: an integral value below 10^21 is an integer, whatever
    // digits the file used; `-0` is the integer 0.
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
        return integer(if f == 0.0 { "0".to_owned() } else { format!("{f:.0}") });
    }
    Value { text: canonical_double(f), datatype: Some(XSD_DOUBLE) }
}

/// XSD 1.1's canonical `xsd:double` form: Rust's `{:E}` already gives the
/// shortest round-tripping digits with one before the point; XSD wants the
/// point even when no digit follows it.
pub(crate) fn canonical_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "INF" } else { "-INF" }.into();
    }
    let text = format!("{f:E}");
    match text.split_once('E') {
        Some((mantissa, exponent)) if !mantissa.contains('.') => format!("{mantissa}.0E{exponent}"),
        _ => text,
    }
}

/// A place in the input where it stops being JSON, or a read failure.
#[derive(Debug)]
struct ScanError {
    line: u64,
    problem: String,
}

/// The input as a sliding window of bytes, with the line and the start of
/// the line of the next unread byte.
struct Scanner {
    input: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// The file offset of `buf[0]`.
    base: u64,
    line: u64,
    /// The file offset where `line` starts, for columns.
    line_start: u64,
}

impl Scanner {
    fn new(input: Box<dyn Read + Send>) -> Self {
        Self { input, buf: Vec::new(), pos: 0, eof: false, base: 0, line: 1, line_start: 0 }
    }

    /// A scanner over bytes already read, for the whole-document reading.
    fn from_bytes(bytes: Vec<u8>) -> Self {
        Self { input: Box::new(std::io::empty()), buf: bytes, pos: 0, eof: true, base: 0, line: 1, line_start: 0 }
    }

    /// Skips a UTF-8 byte order mark, which `serde_json` would refuse.
    fn skip_bom(&mut self) -> Result<(), ScanError> {
        while self.buf.len() - self.pos < 3 && self.fill()? {}
        if self.buf[self.pos..].starts_with(b"\xEF\xBB\xBF") {
            self.pos += 3;
            self.line_start = self.offset();
        }
        Ok(())
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn column(&self) -> u64 {
        self.offset() - self.line_start + 1
    }

    /// Reads more input after what is buffered; `false` at its end. The
    /// consumed bytes are dropped first, so the buffer holds only the unread
    /// tail, and it grows only while one value does not fit.
    fn fill(&mut self) -> Result<bool, ScanError> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK.max(old), 0);
        loop {
            match self.input.read(&mut self.buf[old..]) {
                Ok(0) => {
                    self.buf.truncate(old);
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.buf.truncate(old + n);
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(ScanError { line: self.line, problem: format!("cannot read the file: {e}") });
                }
            }
        }
    }

    /// The next byte that is not blank space, not consumed; `None` at the end.
    fn skip_blank(&mut self) -> Result<Option<u8>, ScanError> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                match b {
                    b' ' | b'\t' | b'\r' => self.pos += 1,
                    b'\n' => {
                        self.pos += 1;
                        self.line += 1;
                        self.line_start = self.offset();
                    }
                    _ => return Ok(Some(b)),
                }
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Consumes `n` buffered bytes, counting their lines.
    fn consume(&mut self, n: usize) {
        let bytes = &self.buf[self.pos..self.pos + n];
        let newlines = bytes.iter().filter(|&&b| b == b'\n').count();
        if newlines > 0 {
            self.line += newlines as u64;
            let last = bytes.iter().rposition(|&b| b == b'\n').unwrap_or(0);
            self.line_start = self.base + (self.pos + last + 1) as u64;
        }
        self.pos += n;
    }

    /// Parses one JSON value starting at the next unread byte, in place in
    /// the buffer. A value that runs past the buffer is parsed again once
    /// more is read; the buffer at least doubles each time, so a value is
    /// parsed at most about twice over on average.
    fn parse<T: DeserializeOwned>(&mut self) -> Result<T, ScanError> {
        loop {
            let available = self.buf.len() - self.pos;
            let outcome = {
                let mut stream = serde_json::Deserializer::from_slice(&self.buf[self.pos..]).into_iter::<T>();
                match stream.next() {
                    // A value that ends where the buffer does may go on (a
                    // number's digits), unless the input ends there too.
                    Some(Ok(value)) if stream.byte_offset() < available || self.eof => {
                        Some(Ok((value, stream.byte_offset())))
                    }
                    Some(Ok(_)) | None => None,
                    Some(Err(e)) if e.is_eof() && !self.eof => None,
                    Some(Err(e)) => Some(Err(e)),
                }
            };
            match outcome {
                Some(Ok((value, used))) => {
                    self.consume(used);
                    return Ok(value);
                }
                Some(Err(e)) => return Err(self.syntax_error(&e)),
                None if self.eof => return Err(self.error_here("the file ends where a value was expected")),
                None => while self.buf.len() - self.pos < 2 * available.max(1) && self.fill()? {},
            }
        }
    }

    /// A `serde_json` error, whose place counts from the next unread byte,
    /// placed in the file.
    fn syntax_error(&self, e: &serde_json::Error) -> ScanError {
        let (line, column) = if e.line() <= 1 {
            (self.line, self.offset() - self.line_start + e.column() as u64)
        } else {
            (self.line + e.line() as u64 - 1, e.column() as u64)
        };
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let what = text.strip_suffix(&suffix).unwrap_or(&text);
        not_json(line, column, what)
    }

    fn error_here(&self, what: &str) -> ScanError {
        not_json(self.line, self.column(), what)
    }

    /// Consumes `byte` or says what was expected instead.
    fn expect(&mut self, byte: u8, expected: &str) -> Result<(), ScanError> {
        match self.skip_blank()? {
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.error_here(&format!("expected {expected}"))),
            None => Err(self.error_here(&format!("the file ends where {expected} was expected"))),
        }
    }

    /// After the document, only blank space may follow.
    fn expect_end(&mut self) -> Result<(), ScanError> {
        match self.skip_blank()? {
            None => Ok(()),
            Some(_) => Err(self.error_here(
                "more content after the JSON document (one file holds one JSON value; JSON Lines is not JSON)",
            )),
        }
    }
}

fn not_json(line: u64, column: u64, what: &str) -> ScanError {
    ScanError {
        line,
        problem: format!(
            "not valid JSON at line {line}, column {column}: {what}; fix the file there (a missing comma, quote or \
             bracket is the usual cause)"
        ),
    }
}

/// A container being read on the iterator's path: which step its children
/// are matched against (`None` while skipping it), how it closes, and how
/// many children were read.
struct Frame {
    step: Option<usize>,
    close: u8,
    seen: usize,
}

/// The streaming reading: follows the iterator's steps through the input.
struct Stream {
    scanner: Scanner,
    steps: Vec<Step>,
    stack: Vec<Frame>,
    started: bool,
    ended: bool,
}

impl Stream {
    fn next_row(&mut self) -> Result<Option<Row>, ScanError> {
        if self.ended {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            self.scanner.skip_bom()?;
            if self.scanner.skip_blank()?.is_none() {
                return Err(self.scanner.error_here("the file is empty, where a JSON value was expected"));
            }
            if self.steps.is_empty() {
                let row = self.record()?;
                self.end()?;
                return Ok(Some(row));
            }
            self.enter(Some(0))?;
        }
        loop {
            let Some(frame) = self.stack.last_mut() else {
                self.end()?;
                return Ok(None);
            };
            let (close, step, index) = (frame.close, frame.step, frame.seen);
            let what = if close == b']' { "',' or ']'" } else { "',' or '}'" };
            let Some(mut b) = self.scanner.skip_blank()? else {
                return Err(self.scanner.error_here(&format!("the file ends where {what} was expected")));
            };
            if b == close {
                self.scanner.pos += 1;
                self.stack.pop();
                continue;
            }
            if index > 0 {
                self.scanner.expect(b',', what)?;
                b = self.scanner.skip_blank()?.unwrap_or(b' ');
            }
            if let Some(frame) = self.stack.last_mut() {
                frame.seen += 1;
            }
            let step = step.map(|s| (s, &self.steps[s]));
            let matched = if close == b'}' {
                if b != b'"' {
                    return Err(self.scanner.error_here("expected a member name in double quotes"));
                }
                let matched = match step {
                    Some((_, Step::Name(name))) => self.scanner.parse::<String>()? == *name,
                    Some((_, Step::Wildcard)) => {
                        self.scanner.parse::<IgnoredAny>()?;
                        true
                    }
                    _ => {
                        self.scanner.parse::<IgnoredAny>()?;
                        false
                    }
                };
                self.scanner.expect(b':', "':' after the member name")?;
                matched
            } else {
                matches!(step, Some((_, Step::Wildcard))) || step.is_some_and(|(_, s)| *s == Step::Index(index))
            };
            let next = step.filter(|_| matched).map(|(s, _)| s + 1);
            if next == Some(self.steps.len()) {
                self.scanner.skip_blank()?;
                return self.record().map(Some);
            }
            self.enter(next)?;
        }
    }

    /// Reads the record starting at the next non-blank byte.
    fn record(&mut self) -> Result<Row, ScanError> {
        let line = self.scanner.line;
        let value = self.scanner.parse::<serde_json::Value>()?;
        Ok(Row::new(line, Record::Json(Box::new(value))))
    }

    /// Starts reading the value at the next non-blank byte: a container is
    /// entered, its children matched against `step` (none while skipping);
    /// a scalar is read and dropped.
    fn enter(&mut self, step: Option<usize>) -> Result<(), ScanError> {
        let close = match self.scanner.skip_blank()? {
            Some(b'[') => b']',
            Some(b'{') => b'}',
            _ => return self.scanner.parse::<IgnoredAny>().map(drop),
        };
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.scanner.error_here("nested more than 128 levels deep"));
        }
        self.scanner.pos += 1;
        self.stack.push(Frame { step, close, seen: 0 });
        Ok(())
    }

    fn end(&mut self) -> Result<(), ScanError> {
        self.ended = true;
        self.scanner.expect_end()
    }
}

/// The whole-document reading, for iterators the stream cannot follow.
fn read_whole(input: Box<dyn Read + Send>, iterator: &JsonPath) -> Result<Vec<Row>, ScanError> {
    let mut bytes = Vec::new();
    let mut input = input;
    input.read_to_end(&mut bytes).map_err(|e| ScanError { line: 1, problem: format!("cannot read the file: {e}") })?;
    let mut scanner = Scanner::from_bytes(bytes);
    scanner.skip_bom()?;
    let start = scanner.pos;
    if scanner.skip_blank()?.is_none() {
        return Err(scanner.error_here("the file is empty, where a JSON value was expected"));
    }
    let document = scanner.parse::<serde_json::Value>()?;
    scanner.expect_end()?;

    let located = iterator.query.query_located(&document);
    let mut trie = Trie::default();
    for (row, node) in located.iter().enumerate() {
        trie.insert(node.location().iter(), row);
    }
    let mut lines = vec![1; located.len()];
    scanner.pos = start;
    scanner.line = 1;
    scanner.line_start = start as u64;
    trie.lines(&mut scanner, 0, &mut lines)?;
    Ok(located
        .iter()
        .zip(lines)
        .map(|(node, line)| Row::new(line, Record::Json(Box::new(node.node().clone()))))
        .collect())
}

/// The normalized paths of the selected nodes, merged, to find every node's
/// line in one pass over the document.
#[derive(Default)]
struct Trie {
    nodes: Vec<TrieNode>,
}

#[derive(Default)]
struct TrieNode {
    names: HashMap<String, usize>,
    indices: HashMap<usize, usize>,
    /// The selected nodes (indices in the node list) at this path; a union
    /// may select one node twice.
    rows: Vec<usize>,
}

impl Trie {
    fn insert<'a>(&mut self, path: impl Iterator<Item = &'a serde_json_path::PathElement<'a>>, row: usize) {
        if self.nodes.is_empty() {
            self.nodes.push(TrieNode::default());
        }
        let mut at = 0;
        for element in path {
            let fresh = self.nodes.len();
            let child = match element {
                serde_json_path::PathElement::Name(name) => {
                    *self.nodes[at].names.entry((*name).to_owned()).or_insert(fresh)
                }
                serde_json_path::PathElement::Index(index) => *self.nodes[at].indices.entry(*index).or_insert(fresh),
            };
            if child == fresh {
                self.nodes.push(TrieNode::default());
            }
            at = child;
        }
        self.nodes[at].rows.push(row);
    }

    /// Walks the value at the scanner, giving the line of each selected node
    /// under trie node `at`. The document was parsed already, so the
    /// recursion is as deep as a selected node, at most 128.
    fn lines(&self, scanner: &mut Scanner, at: usize, lines: &mut [u64]) -> Result<(), ScanError> {
        let Some(node) = self.nodes.get(at) else { return Ok(()) };
        let first = scanner.skip_blank()?;
        for &row in &node.rows {
            lines[row] = scanner.line;
        }
        let close = match first {
            Some(b'[') if !node.indices.is_empty() => b']',
            Some(b'{') if !node.names.is_empty() => b'}',
            _ => return scanner.parse::<IgnoredAny>().map(drop),
        };
        scanner.pos += 1;
        let mut index = 0;
        loop {
            if scanner.skip_blank()? == Some(close) {
                scanner.pos += 1;
                return Ok(());
            }
            if index > 0 {
                scanner.expect(b',', "','")?;
                scanner.skip_blank()?;
            }
            let child = if close == b']' {
                node.indices.get(&index)
            } else {
                let name = scanner.parse::<String>()?;
                scanner.expect(b':', "':'")?;
                node.names.get(&name)
            };
            match child {
                Some(&child) => self.lines(scanner, child, lines)?,
                None => {
                    scanner.skip_blank()?;
                    scanner.parse::<IgnoredAny>()?;
                }
            }
            index += 1;
        }
    }
}

/// A JSON file, read as the stream of values its iterator selects.
pub struct JsonSource {
    path: PathBuf,
    reading: Reading,
    /// An error met after some records of a batch: given on the next call,
    /// so that the records before it are mapped first.
    pending: Option<SourceError>,
    done: bool,
}

enum Reading {
    Stream(Box<Stream>),
    Whole(std::vec::IntoIter<Row>),
}

impl JsonSource {
    pub fn open(path: &Path, input: Box<dyn Read + Send>, iterator: &str) -> Result<Self, SourceError> {
        Self::open_with(path, input, iterator, true)
    }

    /// `streaming: false` forces the whole-document reading, to test that
    /// both give the same records.
    fn open_with(
        path: &Path,
        input: Box<dyn Read + Send>,
        iterator: &str,
        streaming: bool,
    ) -> Result<Self, SourceError> {
        let error = |line, problem| SourceError { file: path.to_owned(), line, problem };
        let query = JsonPath::compile(iterator).map_err(|e| error(None, format!("the iterator: {e}")))?;
        let reading = match query.steps.clone().filter(|_| streaming) {
            Some(steps) => Reading::Stream(Box::new(Stream {
                scanner: Scanner::new(input),
                steps,
                stack: Vec::new(),
                started: false,
                ended: false,
            })),
            None => Reading::Whole(read_whole(input, &query).map_err(|e| error(Some(e.line), e.problem))?.into_iter()),
        };
        Ok(Self { path: path.to_owned(), reading, pending: None, done: false })
    }
}

impl RecordSource for JsonSource {
    fn path(&self) -> &Path {
        &self.path
    }

    fn fields(&self) -> &[String] {
        &[]
    }

    fn next_batch(&mut self, max_records: usize) -> Result<Vec<Row>, SourceError> {
        if let Some(error) = self.pending.take() {
            self.done = true;
            return Err(error);
        }
        if self.done {
            return Ok(Vec::new());
        }
        // An empty batch means the end, so a batch has at least one record.
        let max = max_records.max(1);
        let mut rows = Vec::with_capacity(max.min(4096));
        match &mut self.reading {
            Reading::Whole(rest) => rows.extend(rest.by_ref().take(max)),
            Reading::Stream(stream) => {
                while rows.len() < max {
                    match stream.next_row() {
                        Ok(Some(row)) => rows.push(row),
                        Ok(None) => break,
                        Err(e) => {
                            let error = SourceError { file: self.path.clone(), line: Some(e.line), problem: e.problem };
                            if rows.is_empty() {
                                self.done = true;
                                return Err(error);
                            }
                            self.pending = Some(error);
                            break;
                        }
                    }
                }
            }
        }
        if rows.is_empty() {
            self.done = true;
        }
        Ok(rows)
    }

    fn take_problems(&mut self) -> Vec<Problem> {
        // A JSON file has no resynchronisation point after an error: the
        // error stops the source (SourceError) instead of skipping a record.
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(query: &str, record: &serde_json::Value) -> Vec<(String, Option<&'static str>)> {
        let mut out = Vec::new();
        JsonPath::compile(query).unwrap().evaluate(record, &mut out);
        out.into_iter().map(|v| (v.text, v.datatype)).collect()
    }

    fn read_all(text: &str, iterator: &str, streaming: bool, batch: usize) -> Result<Vec<(u64, String)>, SourceError> {
        let input: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        let mut source = JsonSource::open_with(Path::new("t.json"), input, iterator, streaming)?;
        let mut rows = Vec::new();
        loop {
            let batch = source.next_batch(batch)?;
            if batch.is_empty() {
                return Ok(rows);
            }
            for row in batch {
                let Record::Json(value) = row.record else { panic!("a JSON record") };
                rows.push((row.line, value.to_string()));
            }
        }
    }

    #[test]
    fn natural_datatypes() {
        let record = json!({"s": "30.0E0", "i": 30, "neg": -7, "big": 18446744073709551615u64, "t": true, "f": false,
                            "n": null, "a": [1, 2], "o": {"x": 1}});
        assert_eq!(values("$.s", &record), [("30.0E0".to_owned(), None)]);
        assert_eq!(values("$.i", &record), [("30".to_owned(), Some(XSD_INTEGER))]);
        assert_eq!(values("$.neg", &record), [("-7".to_owned(), Some(XSD_INTEGER))]);
        assert_eq!(values("$.big", &record), [("18446744073709551615".to_owned(), Some(XSD_INTEGER))]);
        assert_eq!(values("$.t", &record), [("true".to_owned(), Some(XSD_BOOLEAN))]);
        assert_eq!(values("$.f", &record), [("false".to_owned(), Some(XSD_BOOLEAN))]);
        assert!(values("$.n", &record).is_empty());
        assert!(values("$.missing", &record).is_empty());
        assert!(values("$.a", &record).is_empty());
        assert!(values("$.o", &record).is_empty());
        assert_eq!(values("$.a[*]", &record), [("1".into(), Some(XSD_INTEGER)), ("2".into(), Some(XSD_INTEGER))]);
    }

    #[test]
    fn numbers_are_canonical() {
        let record: serde_json::Value =
            serde_json::from_str(r#"[1.0, 1e2, -0, 1.5, 2e-3, 1e21, -0.5, 0.1, 123456789.125, 1E+2]"#).unwrap();
        let all = values("$[*]", &record);
        let expected = [
            ("1", XSD_INTEGER),
            ("100", XSD_INTEGER),
            ("0", XSD_INTEGER),
            ("1.5E0", XSD_DOUBLE),
            ("2.0E-3", XSD_DOUBLE),
            ("1.0E21", XSD_DOUBLE),
            ("-5.0E-1", XSD_DOUBLE),
            ("1.0E-1", XSD_DOUBLE),
            ("1.23456789125E8", XSD_DOUBLE),
            ("100", XSD_INTEGER),
        ];
        assert_eq!(all, expected.map(|(t, d)| (t.to_owned(), Some(d))));
    }

    #[test]
    fn arrays_and_objects_are_errors_when_checked() {
        let record = json!({"amounts": [30, 40], "o": {}, "x": 1});
        let mut out = Vec::new();
        let error = JsonPath::compile("$.amounts").unwrap().evaluate_checked(&record, &mut out).unwrap_err();
        assert!(error.contains("\"$.amounts\" selects an array") && error.contains("$.amounts[*]"), "{error}");
        assert!(JsonPath::compile("$.o").unwrap().evaluate_checked(&record, &mut out).is_err());
        JsonPath::compile("$.x").unwrap().evaluate_checked(&record, &mut out).unwrap();
        assert_eq!(out, [Value { text: "1".into(), datatype: Some(XSD_INTEGER) }]);
    }

    #[test]
    fn compile_errors_name_the_expression() {
        for bad in ["$.students[*]]", "Dhkef;esfkdleshfjdls;fk", "students", "$[01]", ""] {
            let error = JsonPath::compile(bad).unwrap_err();
            assert!(error.contains(&format!("{bad:?}")) && error.contains("RFC 9535"), "{error}");
        }
        let path = JsonPath::compile("$['ISO 3166']").unwrap();
        assert_eq!(path.as_str(), "$['ISO 3166']");
        assert_eq!(values("$['ISO 3166']", &json!({"ISO 3166": "BO"})), [("BO".to_owned(), None)]);
        // RML's template escapes (`\\{`) are undone before the query is compiled.
        assert_eq!(values("$['{Name}']", &json!({"{Name}": "Venus"})), [("Venus".to_owned(), None)]);
    }

    #[test]
    fn the_direct_walk_agrees_with_the_rfc_9535_engine() {
        let record =
            json!({"a": {"b": [1, {"c": "x"}, [true, null]], "d b": 2}, "e": [{"c": "y"}, {"c": "z"}], "0": 9});
        let queries = [
            "$",
            "$.a",
            "$.a.b[*]",
            "$.a.b[1].c",
            "$.a.b[2][0]",
            "$['a']['d b']",
            "$.e[*].c",
            "$.*",
            "$.a.*",
            "$[0]",
            "$['0']",
            "$.e[5]",
            "$.a.b.c",
            "$[*]",
            "$.e.*.c",
        ];
        for query in queries {
            let path = JsonPath::compile(query).unwrap();
            assert!(path.steps.is_some(), "{query} should take the direct walk");
            let general: Vec<_> = path.query.query(&record).all().into_iter().cloned().collect();
            assert_eq!(path.select(&record), general, "{query}");
        }
        for query in ["$..c", "$.e[?@.c == 'y']", "$['a','e']", "$.e[-1]", "$.e[0:1]", "$['a\\'b']", "$ .a"] {
            assert!(JsonPath::compile(query).unwrap().steps.is_none(), "{query} is not a simple chain");
        }
        assert_eq!(values("$..c", &record), [("x".to_owned(), None), ("y".to_owned(), None), ("z".to_owned(), None)]);
    }

    const STUDENTS: &str = r#"{
  "meta": {"skip": [1, {"students": [{"ID": 0}]}], "n": null},
  "students": [{
    "ID": 10,
    "Name":"Venus"
  },
  {"ID": 20, "Name": "Serena", "tags": ["a", "b"]}
  ,  "scalar", 3.5,
  {
    "ID": 30
  }],
  "people": {"x": {"n": 1}, "y":
     {"n": 2}}
}
"#;

    #[test]
    fn records_start_on_their_lines() {
        let rows = read_all(STUDENTS, "$.students[*]", true, 100).unwrap();
        let lines: Vec<u64> = rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [3, 7, 8, 8, 9]);
        assert_eq!(rows[0].1, r#"{"ID":10,"Name":"Venus"}"#);
        assert_eq!(rows[4].1, r#"{"ID":30}"#);
        let people = read_all(STUDENTS, "$.people.*", true, 100).unwrap();
        assert_eq!(people, [(12, r#"{"n":1}"#.to_owned()), (13, r#"{"n":2}"#.to_owned())]);
        let filtered = read_all(STUDENTS, "$.students[?@.ID > 15]", true, 100).unwrap();
        assert_eq!(filtered.iter().map(|(line, _)| *line).collect::<Vec<_>>(), [7, 9]);
        let descendants = read_all(STUDENTS, "$..ID", true, 100).unwrap();
        assert_eq!(descendants.iter().map(|(line, _)| *line).collect::<Vec<_>>(), [2, 4, 7, 10]);
    }

    #[test]
    fn streaming_and_whole_document_give_the_same_records() {
        let documents = [
            STUDENTS,
            "[]",
            "  [ {\"a\": 1} ,\n{\"a\": [1, 2, {\"b\": \"}]\"}]}, 7, \"s\\\"q\", null, true ] \n",
            "\u{feff}{\"a\": {\"b\": [[1], [2, 3], {\"c\": 4}]}}",
            "{\"a\": 5}",
            "42",
            "{\"x y\": [{\"k\": \"\\u00e9\"}], \"a\": {\"b\": 1}}",
        ];
        let iterators = [
            "$",
            "$[*]",
            "$.students[*]",
            "$.a.b[*]",
            "$.people.*",
            "$.a",
            "$.a[1]",
            "$['x y'][*]",
            "$.*",
            "$[*].a[*]",
            "$.a.b[1][*]",
            "$.students[4].ID",
            "$.meta.skip[1].students[*]",
        ];
        for document in documents {
            for iterator in iterators {
                let streamed = read_all(document, iterator, true, 2).unwrap();
                let whole = read_all(document, iterator, false, 3).unwrap();
                assert_eq!(streamed, whole, "{iterator} over {document}");
            }
        }
    }

    /// A reader that gives one byte per read, to cross every buffer edge.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.get(self.1), buf.first_mut()) {
                (Some(&b), Some(slot)) => {
                    *slot = b;
                    self.1 += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn values_across_read_boundaries() {
        let text = "[123, 4.5e1, \"long string\", {\"a\": [true, false]}, 6]";
        let mut source =
            JsonSource::open(Path::new("t.json"), Box::new(Trickle(text.as_bytes().to_vec(), 0)), "$[*]").unwrap();
        let rows = source.next_batch(100).unwrap();
        let records: Vec<String> = rows
            .into_iter()
            .map(|row| match row.record {
                Record::Json(value) => value.to_string(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(records, ["123", "45.0", "\"long string\"", r#"{"a":[true,false]}"#, "6"]);
    }

    #[test]
    fn broken_json_says_where() {
        let text = "{\"students\": [\n  {\"ID\": 1},\n  {\"ID\": 2 \"Name\": \"x\"},\n  {\"ID\": 3}\n]}";
        let input: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        let mut source = JsonSource::open(Path::new("t.json"), input, "$.students[*]").unwrap();
        let first = source.next_batch(10).unwrap();
        assert_eq!(first.len(), 1, "the record before the error is read");
        let error = source.next_batch(10).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.problem.starts_with("not valid JSON at line 3, column 12: expected `,` or `}`"), "{error}");
        assert!(!error.problem.contains('\n'));
        assert!(source.next_batch(10).unwrap().is_empty());

        let whole = read_all(text, "$..ID", true, 10).unwrap_err();
        assert_eq!(whole.line, Some(3));
        assert!(whole.problem.contains("line 3, column 12"), "{whole}");

        for (bad, line, column) in [
            ("", 1, 1),
            ("[1, 2", 1, 6),
            ("[1 2]", 1, 4),
            ("[1,]", 1, 4),
            ("{\"a\": 1}\n{\"a\": 2}", 2, 1),
            ("{\"students\": [{\"ID\": 1}, ]}", 1, 26),
            ("{students: []}", 1, 2),
            ("[\"unterminated]", 1, 15),
        ] {
            let error =
                read_all(bad, "$.students[*]", true, 10).and_then(|_| read_all(bad, "$[*]", true, 10)).expect_err(bad);
            assert_eq!(error.line, Some(line), "{bad}: {error}");
            assert!(error.problem.contains(&format!("line {line}, column {column}:")), "{bad}: {error}");
        }
        let error = read_all("[]", "$.students[*]]", true, 10).unwrap_err();
        assert!(error.line.is_none() && error.problem.contains("\"$.students[*]]\""), "{error}");
    }

    /// Generates `[{"id": 0, ...}, ...]` on the fly, one record a line, so
    /// that the test itself never holds the document.
    struct Generated {
        next: usize,
        count: usize,
        pending: Vec<u8>,
        at: usize,
    }

    impl Read for Generated {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.at == self.pending.len() {
                self.pending.clear();
                self.at = 0;
                if self.next == 0 {
                    self.pending.extend_from_slice(b"[\n");
                }
                if self.next < self.count {
                    let comma = if self.next + 1 < self.count { "," } else { "" };
                    let record = format!(
                        "  {{\"id\": {}, \"name\": \"person {}\", \"score\": {}.5, \"ok\": true}}{comma}\n",
                        self.next, self.next, self.next
                    );
                    self.pending.extend_from_slice(record.as_bytes());
                    self.next += 1;
                } else if self.next == self.count {
                    self.pending.extend_from_slice(b"]\n");
                    self.next += 1;
                }
            }
            let n = buf.len().min(self.pending.len() - self.at);
            buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn a_big_array_streams_in_batches() {
        let count = 200_000;
        let input = Generated { next: 0, count, pending: Vec::new(), at: 0 };
        let mut source = JsonSource::open(Path::new("big.json"), Box::new(input), "$[*]").unwrap();
        let (id, name, score) = (
            JsonPath::compile("$.id").unwrap(),
            JsonPath::compile("$.name").unwrap(),
            JsonPath::compile("$.score").unwrap(),
        );
        let mut seen = 0;
        let mut out = Vec::new();
        loop {
            let batch = source.next_batch(10_000).unwrap();
            if batch.is_empty() {
                break;
            }
            assert!(batch.len() <= 10_000);
            for row in batch {
                assert_eq!(row.line, seen as u64 + 2);
                let Record::Json(record) = &row.record else { panic!("a JSON record") };
                out.clear();
                id.evaluate(record, &mut out);
                name.evaluate(record, &mut out);
                score.evaluate(record, &mut out);
                assert_eq!(out[0].text, seen.to_string());
                assert_eq!(out[1].text, format!("person {seen}"));
                assert_eq!(out[2].datatype, Some(XSD_DOUBLE));
                seen += 1;
            }
            // Only the unread tail is buffered, never the document (~12 MB).
            let Reading::Stream(stream) = &source.reading else { panic!("$[*] streams") };
            assert!(stream.scanner.buf.capacity() <= 4 * CHUNK, "{}", stream.scanner.buf.capacity());
        }
        assert_eq!(seen, count);
    }

    #[test]
    fn a_record_larger_than_the_buffer() {
        let long = "x".repeat(5 * CHUNK);
        let text = format!("{{\"r\": [\"{long}\", {{\"a\": \"{long}\"}}, 1]}}");
        let rows = read_all(&text, "$.r[*]", true, 10).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].1.len(), long.len() + 2);
        assert_eq!(rows, read_all(&text, "$.r[*]", false, 10).unwrap());
    }

    #[test]
    fn deep_nesting_is_refused_without_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        for iterator in ["$[*]", "$", "$..x"] {
            let error = read_all(&deep, iterator, true, 10).unwrap_err();
            assert_eq!(error.line, Some(1), "{error}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_records_or_an_error(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            for iterator in ["$[*]", "$.a[*]", "$..a", "$"] {
                let input: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(bytes.clone()));
                if let Ok(mut source) = JsonSource::open(Path::new("t.json"), input, iterator) {
                    while let Ok(batch) = source.next_batch(3) {
                        if batch.is_empty() { break; }
                    }
                }
            }
        }

        #[test]
        fn generated_documents_stream_as_they_read_whole(value in json_value(), pretty in proptest::prelude::any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.unwrap();
            for iterator in ["$[*]", "$.a[*]", "$.*", "$.a.*", "$[*][0]", "$.b.a"] {
                let streamed = read_all(&text, iterator, true, 2).unwrap();
                proptest::prop_assert_eq!(streamed, read_all(&text, iterator, false, 5).unwrap());
            }
        }
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            (-1e6f64..1e6).prop_map(|f| json!(f)),
            "[a-z\"\\\\ é\n]{0,6}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
                proptest::collection::vec(("[ab]{1,2}", inner), 0..5)
                    .prop_map(|members| serde_json::Value::Object(members.into_iter().collect())),
            ]
        })
    }
}
