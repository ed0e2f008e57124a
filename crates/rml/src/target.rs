//! Logical targets (RML-IO): files the quads are written to, in a chosen
//! serialisation, compression and encoding. A target appears only when the
//! run succeeds: it is written under a hidden temporary name in its own
//! folder and renamed at the end, which replaces an older file at once.
//!
//! Decisions and where they come from (RML-IO,
//! <https://kg-construct.github.io/rml-io/spec/docs/>, "Target"; the test
//! cases `RMLTTC*` of kg-construct/rml-io):
//! - Serialisations are named by the W3C formats namespace
//!   (<http://www.w3.org/ns/formats/>), N-Quads by default. N-Quads,
//!   N-Triples, Turtle, TriG, JSON-LD and RDF/XML are written by `oxrdfio`
//!   (the same Oxigraph family the engine already reads Turtle with). N3 is
//!   written as Turtle, which is N3 too (`oxrdfio` does the same). RDF/JSON
//!   (<https://www.w3.org/TR/rdf-json/>) has no Rust writer worth a
//!   dependency: it is written here. Its objects are grouped under their
//!   subject and predicate, so its triples are held in memory until
//!   [`TargetWriter::finish`]; every other format streams to disk.
//! - Formats without named graphs (N-Triples, Turtle, N3, RDF/XML, RDF/JSON)
//!   get the triples of every graph, the graph name dropped. The spec says a
//!   triple whose term maps name a target "is exported to" it, whatever its
//!   graph, and no case combines a graph map with a triple format; dropping
//!   the triple or failing the run would lose data the mapping sends there.
//! - UTF-16 is written little-endian with a byte order mark, as the expected
//!   dump of `RMLTTC0005b` is (`FF FE` first). `encoding_rs` cannot encode
//!   UTF-16 (the WHATWG standard it follows has no UTF-16 encoder), and the
//!   transcoding is a few lines.
//! - Archives hold one file named after the target without the compression's
//!   ending: `dump1.nq.zip`, `dump1.nq.tar.gz` and `dump1.nq.tar.xz` hold
//!   `dump1.nq` in `RMLTTC0006c`–`e`, and `RMLTTC0006b`'s gzip header
//!   records `dump1.nq` as the original name, which is done here too. A name
//!   without the ending is used whole. Zip entries are deflated (`zip`);
//!   gzip is `flate2`, xz `lzma-rust2` at xz's default preset 6, both pure
//!   Rust. A tar header states its entry's size before the data, and a
//!   compressed stream cannot go back to fill it in, so a tar target's text
//!   is first written to an unnamed temporary file, then archived at the end.
//! - Every error names the target's path.

use crate::files::{Compression, Encoding};
use oxrdf::{GraphNameRef, NamedOrBlankNodeRef, Quad, QuadRef, TermRef};
use oxrdfio::{JsonLdProfile, RdfFormat, RdfSerializer, WriterQuadSerializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The RDF serialisations a target may ask for (`rml:serialization`,
/// formats.ttl's IRIs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Serialization {
    /// RML-IO's default.
    #[default]
    NQuads,
    NTriples,
    Turtle,
    TriG,
    N3,
    JsonLd,
    RdfXml,
    RdfJson,
}

const FORMATS: &str = "http://www.w3.org/ns/formats/";

impl Serialization {
    /// The serialisation a full IRI names (`http://www.w3.org/ns/formats/Turtle`...).
    pub fn from_iri(iri: &str) -> Option<Self> {
        Some(match iri.strip_prefix(FORMATS)? {
            "N-Quads" => Self::NQuads,
            "N-Triples" => Self::NTriples,
            "Turtle" => Self::Turtle,
            "TriG" => Self::TriG,
            "N3" => Self::N3,
            "JSON-LD" => Self::JsonLd,
            "RDF_XML" => Self::RdfXml,
            "RDF_JSON" => Self::RdfJson,
            _ => return None,
        })
    }

    /// The formats namespace's IRI for this serialisation.
    pub fn iri(self) -> &'static str {
        match self {
            Self::NQuads => "http://www.w3.org/ns/formats/N-Quads",
            Self::NTriples => "http://www.w3.org/ns/formats/N-Triples",
            Self::Turtle => "http://www.w3.org/ns/formats/Turtle",
            Self::TriG => "http://www.w3.org/ns/formats/TriG",
            Self::N3 => "http://www.w3.org/ns/formats/N3",
            Self::JsonLd => "http://www.w3.org/ns/formats/JSON-LD",
            Self::RdfXml => "http://www.w3.org/ns/formats/RDF_XML",
            Self::RdfJson => "http://www.w3.org/ns/formats/RDF_JSON",
        }
    }

    /// Whether the format can say which graph a triple is in.
    pub fn holds_graphs(self) -> bool {
        matches!(self, Self::NQuads | Self::TriG | Self::JsonLd)
    }

    /// The `oxrdfio` format; RDF/JSON has none.
    fn rdf_format(self) -> Option<RdfFormat> {
        Some(match self {
            Self::NQuads => RdfFormat::NQuads,
            Self::NTriples => RdfFormat::NTriples,
            Self::Turtle | Self::N3 => RdfFormat::Turtle,
            Self::TriG => RdfFormat::TriG,
            Self::JsonLd => RdfFormat::JsonLd { profile: JsonLdProfile::Streaming.into() },
            Self::RdfXml => RdfFormat::RdfXml,
            Self::RdfJson => return None,
        })
    }
}

/// Where and how a target writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TargetSpec {
    pub path: PathBuf,
    pub serialization: Serialization,
    pub compression: Compression,
    pub encoding: Encoding,
}

/// A target being written.
pub struct TargetWriter {
    spec: TargetSpec,
    /// `None` once `finish` has taken it.
    output: Option<Output>,
    /// The hidden file that becomes the target; removed when dropped
    /// before [`TargetWriter::finish`] renames it.
    temporary: Option<tempfile::TempPath>,
}

impl TargetWriter {
    /// Starts writing; fails when the file's folder cannot be written.
    pub fn create(spec: &TargetSpec) -> io::Result<Self> {
        let path = &spec.path;
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("{}: a target needs a file name", path.display()))
        })?;
        if path.is_dir() {
            let problem = format!("{}: is a folder; a target is written to a file", path.display());
            return Err(io::Error::new(io::ErrorKind::InvalidInput, problem));
        }
        let folder = match path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder,
            _ => Path::new("."),
        };
        let (file, temporary) = hidden_file(name, folder).map_err(|e| folder_error(path, folder, e))?;
        let mut writer = Self { spec: spec.clone(), output: None, temporary: Some(temporary) };
        let entry = entry_name(&name.to_string_lossy(), spec.compression);
        let sink = match spec.compression {
            Compression::None => Sink::Plain(file),
            Compression::Gzip => Sink::Gzip(Box::new(
                flate2::GzBuilder::new()
                    .filename(entry)
                    .mtime(u32::try_from(now_seconds()).unwrap_or(0))
                    .write(file, flate2::Compression::default()),
            )),
            Compression::Zip => {
                let mut zip = zip::ZipWriter::new(file).set_auto_large_file();
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .unix_permissions(0o644)
                    .last_modified_time(zip_time(now_seconds()));
                zip.start_file(entry, options).map_err(|e| writer.error(io::Error::other(e)))?;
                Sink::Zip(Box::new(zip))
            }
            Compression::TarGzip | Compression::TarXz => {
                let text = tempfile::tempfile_in(folder).map_err(|e| folder_error(path, folder, e))?;
                Sink::Staged { text, archive: file }
            }
        };
        let text = BufWriter::with_capacity(64 * 1024, Text::new(sink, spec.encoding).map_err(|e| writer.error(e))?);
        writer.output = Some(match spec.serialization.rdf_format() {
            Some(format) => Output::Rdf {
                serializer: RdfSerializer::from_format(format).for_writer(text),
                triples_only: !spec.serialization.holds_graphs(),
            },
            None => Output::RdfJson { graph: RdfJson::default(), text },
        });
        Ok(writer)
    }

    pub fn path(&self) -> &Path {
        &self.spec.path
    }

    pub fn write(&mut self, quad: &Quad) -> io::Result<()> {
        let result = match self.output.as_mut() {
            Some(Output::Rdf { serializer, triples_only }) => {
                let mut quad = QuadRef::from(quad);
                if *triples_only {
                    quad.graph_name = GraphNameRef::DefaultGraph;
                }
                serializer.serialize_quad(quad)
            }
            Some(Output::RdfJson { graph, .. }) => {
                graph.insert(quad);
                Ok(())
            }
            None => Err(io::Error::other("the target is already finished")),
        };
        result.map_err(|e| self.error(e))
    }

    /// Finishes the file and puts it in place. A writer dropped without
    /// `finish` leaves nothing behind.
    pub fn finish(mut self) -> io::Result<()> {
        let result = self.complete();
        result.map_err(|e| self.error(e))
    }

    fn complete(&mut self) -> io::Result<()> {
        let text = match self.output.take() {
            Some(Output::Rdf { serializer, .. }) => serializer.finish()?,
            Some(Output::RdfJson { graph, mut text }) => {
                graph.write(&mut text)?;
                text
            }
            None => return Err(io::Error::other("the target is already finished")),
        };
        let sink = text.into_inner().map_err(io::IntoInnerError::into_error)?.finish()?;
        let file = match sink {
            Sink::Plain(file) => file,
            Sink::Gzip(gzip) => gzip.finish()?,
            Sink::Zip(zip) => zip.finish().map_err(io::Error::other)?,
            Sink::Staged { mut text, archive } => {
                text.flush()?;
                let size = text.stream_position()?;
                text.seek(SeekFrom::Start(0))?;
                let name = self.spec.path.file_name().unwrap_or_default().to_string_lossy();
                let entry = entry_name(&name, self.spec.compression);
                let archive = BufWriter::new(archive);
                let archive = match self.spec.compression {
                    Compression::TarXz => {
                        let xz = lzma_rust2::XzWriter::new(archive, lzma_rust2::XzOptions::with_preset(6))?;
                        tar(xz, &entry, size, text)?.finish()?
                    }
                    _ => {
                        tar(flate2::write::GzEncoder::new(archive, flate2::Compression::default()), &entry, size, text)?
                            .finish()?
                    }
                };
                archive.into_inner().map_err(io::IntoInnerError::into_error)?
            }
        };
        // The rename must not publish a file whose bytes are still in flight.
        file.sync_all()?;
        drop(file);
        let temporary = self.temporary.take().ok_or_else(|| io::Error::other("the target is already finished"))?;
        temporary.persist(&self.spec.path).map_err(|e| e.error)
    }

    fn error(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.spec.path.display()))
    }
}

impl Drop for TargetWriter {
    fn drop(&mut self) {
        // Close the files before `temporary` removes its own.
        drop(self.output.take());
    }
}

/// A new hidden file `.{name}.…part` in `folder`, with the permissions a
/// created file gets (not the private ones of a temporary file: it becomes
/// the user's).
fn hidden_file(name: &std::ffi::OsStr, folder: &Path) -> io::Result<(File, tempfile::TempPath)> {
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".part");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    Ok(builder.tempfile_in(folder)?.into_parts())
}

fn folder_error(path: &Path, folder: &Path, e: io::Error) -> io::Error {
    let problem = if e.kind() == io::ErrorKind::NotFound {
        format!("{}: cannot write the target: the folder {} does not exist", path.display(), folder.display())
    } else {
        format!("{}: cannot write the target in the folder {}: {e}", path.display(), folder.display())
    };
    io::Error::new(e.kind(), problem)
}

/// The name of the file inside an archive: the target's own without the
/// compression's ending (`dump1.nq.zip` holds `dump1.nq`, as in RMLTTC0006c).
fn entry_name(file_name: &str, compression: Compression) -> String {
    for suffix in compression.suffixes() {
        let cut = file_name.len().saturating_sub(suffix.len());
        if cut > 0 && file_name.is_char_boundary(cut) && file_name[cut..].eq_ignore_ascii_case(suffix) {
            return file_name[..cut].to_owned();
        }
    }
    file_name.to_owned()
}

fn now_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Zip's MS-DOS time (UTC here: the format has no zone) for `seconds` after
/// the Unix epoch; out of its 1980–2107 range, its earliest.
fn zip_time(seconds: u64) -> zip::DateTime {
    let (year, month, day, hour, minute, second) = crate::civil::from_unix_seconds(seconds);
    let Ok(year) = u16::try_from(year) else { return zip::DateTime::default() };
    let [month, day, hour, minute, second] = [month, day, hour, minute, second].map(|n| n as u8);
    zip::DateTime::from_date_and_time(year, month, day, hour, minute, second).unwrap_or_default()
}

/// Writes a one-file tar archive into `out` and gives `out` back.
fn tar<W: Write>(out: W, entry: &str, size: u64, text: File) -> io::Result<W> {
    let mut builder = tar::Builder::new(out);
    // GNU headers take names of any length (through a long-name entry).
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(now_seconds());
    builder.append_data(&mut header, entry, io::Read::take(text, size))?;
    builder.into_inner()
}

// One per target, never in a collection: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Output {
    Rdf { serializer: WriterQuadSerializer<BufWriter<Text>>, triples_only: bool },
    RdfJson { graph: RdfJson, text: BufWriter<Text> },
}

/// The bytes of the file: compressed, or staged for a tar archive.
enum Sink {
    Plain(File),
    // Boxed too: with zlib-rs (which calamine's zip brings) the encoder's
    // state is hundreds of bytes.
    Gzip(Box<flate2::write::GzEncoder<File>>),
    // Boxed: the zip writer carries a deflate state of kilobytes.
    Zip(Box<zip::ZipWriter<File>>),
    Staged { text: File, archive: File },
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(file) | Self::Staged { text: file, .. } => file.write(buf),
            Self::Gzip(gzip) => gzip.write(buf),
            Self::Zip(zip) => zip.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(file) | Self::Staged { text: file, .. } => file.flush(),
            Self::Gzip(gzip) => gzip.flush(),
            Self::Zip(zip) => zip.flush(),
        }
    }
}

/// The text layer: UTF-8 as the serialisers write it, or UTF-16LE.
enum Text {
    Utf8(Sink),
    Utf16 {
        sink: Sink,
        /// The start of a character cut by the end of the last write.
        pending: Vec<u8>,
        scratch: Vec<u8>,
    },
}

impl Text {
    fn new(mut sink: Sink, encoding: Encoding) -> io::Result<Self> {
        Ok(match encoding {
            Encoding::Utf8 => Self::Utf8(sink),
            Encoding::Utf16 => {
                sink.write_all(&[0xff, 0xfe])?;
                Self::Utf16 { sink, pending: Vec::new(), scratch: Vec::new() }
            }
        })
    }

    fn finish(self) -> io::Result<Sink> {
        match self {
            Self::Utf8(sink) => Ok(sink),
            Self::Utf16 { pending, .. } if !pending.is_empty() => {
                Err(io::Error::new(io::ErrorKind::InvalidData, "the text ends inside a UTF-8 character"))
            }
            Self::Utf16 { sink, .. } => Ok(sink),
        }
    }
}

impl Write for Text {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let (sink, pending, scratch) = match self {
            Self::Utf8(sink) => return sink.write(buf),
            Self::Utf16 { sink, pending, scratch } => (sink, pending, scratch),
        };
        let joined;
        let bytes = if pending.is_empty() {
            buf
        } else {
            joined = [pending.as_slice(), buf].concat();
            joined.as_slice()
        };
        let (text, rest) = match std::str::from_utf8(bytes) {
            Ok(text) => (text, &[][..]),
            // A character cut by the end of `buf`: its start waits for the next write.
            Err(e) if e.error_len().is_none() => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                (std::str::from_utf8(valid).unwrap_or_default(), rest)
            }
            Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
        };
        scratch.clear();
        scratch.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        sink.write_all(scratch)?;
        *pending = rest.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Utf8(sink) | Self::Utf16 { sink, .. } => sink.flush(),
        }
    }
}

/// RDF/JSON's shape, subject → predicate → objects, each object already
/// written as its JSON; sets, since a graph has no duplicate triples.
#[derive(Default)]
struct RdfJson(BTreeMap<String, BTreeMap<String, BTreeSet<String>>>);

impl RdfJson {
    fn insert(&mut self, quad: &Quad) {
        let subject = match quad.subject.as_ref() {
            NamedOrBlankNodeRef::NamedNode(node) => node.as_str().to_owned(),
            NamedOrBlankNodeRef::BlankNode(node) => format!("_:{}", node.as_str()),
        };
        let object = match quad.object.as_ref() {
            TermRef::NamedNode(node) => format!(r#"{{ "type" : "uri", "value" : {} }}"#, json(node.as_str())),
            TermRef::BlankNode(node) => {
                format!(r#"{{ "type" : "bnode", "value" : {} }}"#, json(&format!("_:{}", node.as_str())))
            }
            TermRef::Literal(literal) => {
                let value = json(literal.value());
                if let Some(language) = literal.language() {
                    format!(r#"{{ "type" : "literal", "value" : {value}, "lang" : {} }}"#, json(language))
                } else if literal.datatype() == oxrdf::vocab::xsd::STRING {
                    // RDF/JSON leaves the datatype out of plain literals.
                    format!(r#"{{ "type" : "literal", "value" : {value} }}"#)
                } else {
                    let datatype = json(literal.datatype().as_str());
                    format!(r#"{{ "type" : "literal", "value" : {value}, "datatype" : {datatype} }}"#)
                }
            }
            // Quoted triples exist only with oxrdf's rdf-12 feature; RDF/JSON has no form for them.
            #[allow(unreachable_patterns)]
            other => format!(r#"{{ "type" : "literal", "value" : {} }}"#, json(&other.to_string())),
        };
        self.0.entry(subject).or_default().entry(quad.predicate.as_str().to_owned()).or_default().insert(object);
    }

    fn write(self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(b"{")?;
        for (s, (subject, predicates)) in self.0.into_iter().enumerate() {
            write!(out, "{}\n  {} : {{", if s == 0 { "" } else { "," }, json(&subject))?;
            for (p, (predicate, objects)) in predicates.into_iter().enumerate() {
                write!(out, "{}\n    {} : [ ", if p == 0 { "" } else { "," }, json(&predicate))?;
                for (o, object) in objects.into_iter().enumerate() {
                    write!(out, "{}{object}", if o == 0 { "" } else { ", " })?;
                }
                out.write_all(b" ]")?;
            }
            out.write_all(b"\n  }")?;
        }
        out.write_all(b"\n}\n")
    }
}

fn json(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, Dataset, GraphName, Literal, NamedNode, Triple};
    use oxrdfio::RdfParser;
    use std::io::Read;

    const ALL: [Serialization; 8] = [
        Serialization::NQuads,
        Serialization::NTriples,
        Serialization::Turtle,
        Serialization::TriG,
        Serialization::N3,
        Serialization::JsonLd,
        Serialization::RdfXml,
        Serialization::RdfJson,
    ];
    const COMPRESSIONS: [Compression; 5] =
        [Compression::None, Compression::Gzip, Compression::Zip, Compression::TarGzip, Compression::TarXz];

    fn iri(s: &str) -> NamedNode {
        NamedNode::new(s).unwrap()
    }

    /// Quads with every kind of term, text beyond the BMP (surrogate pairs in
    /// UTF-16) and a named graph.
    fn quads() -> Vec<Quad> {
        let person = iri("http://example.org/person/1");
        let name = iri("http://xmlns.com/foaf/0.1/name");
        let graph = GraphName::NamedNode(iri("http://example.org/graph"));
        let blank = BlankNode::new("b0").unwrap();
        vec![
            Quad::new(
                person.clone(),
                name.clone(),
                Literal::new_simple_literal("Zoë \"Z\" 𝄞\n日本"),
                GraphName::DefaultGraph,
            ),
            Quad::new(
                person.clone(),
                name.clone(),
                Literal::new_language_tagged_literal("Zoe", "en").unwrap(),
                GraphName::DefaultGraph,
            ),
            Quad::new(
                person.clone(),
                iri("http://xmlns.com/foaf/0.1/age"),
                Literal::new_typed_literal("33", oxrdf::vocab::xsd::INTEGER),
                GraphName::DefaultGraph,
            ),
            Quad::new(person.clone(), iri("http://xmlns.com/foaf/0.1/knows"), blank.clone(), graph.clone()),
            Quad::new(blank, name, iri("http://example.org/person/2"), graph),
        ]
    }

    fn spec(path: PathBuf, serialization: Serialization, compression: Compression, encoding: Encoding) -> TargetSpec {
        TargetSpec { path, serialization, compression, encoding }
    }

    fn write_target(spec: &TargetSpec, quads: &[Quad]) {
        let mut writer = TargetWriter::create(spec).unwrap();
        for quad in quads {
            writer.write(quad).unwrap();
        }
        writer.finish().unwrap();
    }

    /// The target's text, read back through the source side's decompression
    /// and decoding.
    fn read_text(spec: &TargetSpec) -> String {
        let mut text = String::new();
        crate::files::open_input(&spec.path, spec.compression, spec.encoding)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    fn parse(text: &str, serialization: Serialization) -> Dataset {
        if serialization == Serialization::RdfJson {
            return parse_rdf_json(text);
        }
        let format = serialization.rdf_format().unwrap();
        RdfParser::from_format(format).for_reader(text.as_bytes()).collect::<Result<_, _>>().unwrap()
    }

    /// A reader for the RDF/JSON this module writes, after the W3C note.
    fn parse_rdf_json(text: &str) -> Dataset {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut dataset = Dataset::new();
        for (subject, predicates) in value.as_object().unwrap() {
            let subject: oxrdf::NamedOrBlankNode = match subject.strip_prefix("_:") {
                Some(id) => BlankNode::new(id).unwrap().into(),
                None => iri(subject).into(),
            };
            for (predicate, objects) in predicates.as_object().unwrap() {
                for object in objects.as_array().unwrap() {
                    let value = object["value"].as_str().unwrap();
                    let object: oxrdf::Term = match object["type"].as_str().unwrap() {
                        "uri" => iri(value).into(),
                        "bnode" => BlankNode::new(value.strip_prefix("_:").unwrap()).unwrap().into(),
                        "literal" => match (object.get("lang"), object.get("datatype")) {
                            (Some(lang), _) => {
                                Literal::new_language_tagged_literal(value, lang.as_str().unwrap()).unwrap().into()
                            }
                            (None, Some(datatype)) => {
                                Literal::new_typed_literal(value, iri(datatype.as_str().unwrap())).into()
                            }
                            (None, None) => Literal::new_simple_literal(value).into(),
                        },
                        other => panic!("RDF/JSON type {other}"),
                    };
                    dataset.insert(
                        &Triple::new(subject.clone(), iri(predicate), object).in_graph(GraphName::DefaultGraph),
                    );
                }
            }
        }
        dataset
    }

    /// What a target in `serialization` should hold: graph names are dropped
    /// where the format has none.
    fn expected(quads: &[Quad], serialization: Serialization) -> Dataset {
        quads
            .iter()
            .map(|q| {
                let mut q = q.clone();
                if !serialization.holds_graphs() {
                    q.graph_name = GraphName::DefaultGraph;
                }
                q
            })
            .collect()
    }

    fn canonical(mut dataset: Dataset) -> Dataset {
        dataset.canonicalize(oxrdf::dataset::CanonicalizationAlgorithm::Unstable);
        dataset
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn iris_name_the_formats() {
        for serialization in ALL {
            assert_eq!(Serialization::from_iri(serialization.iri()), Some(serialization));
        }
        assert_eq!(Serialization::from_iri("http://www.w3.org/ns/formats/RDF_XML"), Some(Serialization::RdfXml));
        assert_eq!(Serialization::from_iri("http://www.w3.org/ns/formats/RDFa"), None);
        assert_eq!(Serialization::from_iri("http://example.com/Turtle"), None);
        assert_eq!(Serialization::default(), Serialization::NQuads);
    }

    #[test]
    fn every_serialisation_in_every_encoding_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let quads = quads();
        for serialization in ALL {
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let spec = spec(
                    dir.path().join(format!("out-{serialization:?}-{encoding:?}")),
                    serialization,
                    Compression::None,
                    encoding,
                );
                write_target(&spec, &quads);
                let bytes = std::fs::read(&spec.path).unwrap();
                assert_eq!(bytes.starts_with(&[0xff, 0xfe]), encoding == Encoding::Utf16, "{serialization:?}");
                let text = read_text(&spec);
                let context = format!("{serialization:?} {encoding:?}:\n{text}");
                assert_eq!(
                    canonical(parse(&text, serialization)),
                    canonical(expected(&quads, serialization)),
                    "{context}"
                );
            }
        }
    }

    #[test]
    fn every_compression_round_trips_and_names_its_entry() {
        let dir = tempfile::tempdir().unwrap();
        let quads = quads();
        for (compression, file) in [
            (Compression::None, "dump1.nq"),
            (Compression::Gzip, "dump1.nq.gz"),
            (Compression::Zip, "dump1.nq.zip"),
            (Compression::TarGzip, "dump1.nq.tar.gz"),
            (Compression::TarXz, "dump1.nq.tar.xz"),
        ] {
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let spec = spec(dir.path().join(file), Serialization::NQuads, compression, encoding);
                write_target(&spec, &quads);
                let text = read_text(&spec);
                assert_eq!(
                    canonical(parse(&text, Serialization::NQuads)),
                    canonical(expected(&quads, Serialization::NQuads))
                );
            }
        }
        let zip = zip::ZipArchive::new(File::open(dir.path().join("dump1.nq.zip")).unwrap()).unwrap();
        assert_eq!(zip.file_names().map(|name| name.unwrap().into_owned()).collect::<Vec<_>>(), ["dump1.nq"]);
        for (file, compression) in [("dump1.nq.tar.gz", Compression::Gzip), ("dump1.nq.tar.xz", Compression::None)] {
            let file = File::open(dir.path().join(file)).unwrap();
            let raw: Box<dyn Read> = match compression {
                Compression::Gzip => Box::new(flate2::read::GzDecoder::new(file)),
                _ => Box::new(lzma_rust2::XzReader::new(file, true)),
            };
            let mut archive = tar::Archive::new(raw);
            let names: Vec<_> =
                archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned()).collect();
            assert_eq!(names, ["dump1.nq"]);
        }
        let gzip = flate2::read::GzDecoder::new(File::open(dir.path().join("dump1.nq.gz")).unwrap());
        assert_eq!(gzip.header().unwrap().filename(), Some(&b"dump1.nq"[..]));
        // Nothing hidden is left beside the targets.
        assert!(listing(dir.path()).iter().all(|name| !name.starts_with('.')), "{:?}", listing(dir.path()));
    }

    #[test]
    fn entry_names_drop_the_compression_ending_only() {
        assert_eq!(entry_name("dump1.nq.zip", Compression::Zip), "dump1.nq");
        assert_eq!(entry_name("dump1.nq.ZIP", Compression::Zip), "dump1.nq");
        assert_eq!(entry_name("dump1.ttl.tgz", Compression::TarGzip), "dump1.ttl");
        assert_eq!(entry_name("dump1.nq.gz", Compression::TarGzip), "dump1.nq.gz");
        assert_eq!(entry_name("dump", Compression::Zip), "dump");
        assert_eq!(entry_name(".zip", Compression::Zip), ".zip");
        assert_eq!(entry_name("é.zip", Compression::Zip), "é");
    }

    #[test]
    fn zip_times_are_civil_dates() {
        let time = zip_time(1_682_035_200 + 3 * 3600 + 4 * 60 + 6); // 2023-04-21 03:04:06 UTC
        assert_eq!((time.year(), time.month(), time.day()), (2023, 4, 21));
        assert_eq!((time.hour(), time.minute(), time.second()), (3, 4, 6));
        assert_eq!(zip_time(0), zip::DateTime::default()); // before 1980
    }

    #[test]
    fn a_dropped_writer_leaves_nothing_and_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        for compression in COMPRESSIONS {
            for serialization in [Serialization::Turtle, Serialization::RdfJson] {
                let mut writer =
                    TargetWriter::create(&spec(dir.path().join("new.ttl"), serialization, compression, Encoding::Utf8))
                        .unwrap();
                for quad in quads() {
                    writer.write(&quad).unwrap();
                }
                // The target's hidden file only: a tar's text is staged in an unnamed one.
                assert_eq!(listing(dir.path()).len(), 1, "{compression:?}: {:?}", listing(dir.path()));
                drop(writer);
                assert!(listing(dir.path()).is_empty(), "{compression:?}: {:?}", listing(dir.path()));
            }
        }
        let old = dir.path().join("old.nq");
        std::fs::write(&old, "old").unwrap();
        let mut writer =
            TargetWriter::create(&spec(old.clone(), Serialization::NQuads, Compression::None, Encoding::Utf8)).unwrap();
        writer.write(&quads()[0]).unwrap();
        drop(writer);
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "old");
        assert_eq!(listing(dir.path()), ["old.nq"]);
        // finish replaces it.
        write_target(&spec(old.clone(), Serialization::NQuads, Compression::None, Encoding::Utf8), &quads()[..1]);
        assert!(std::fs::read_to_string(&old).unwrap().starts_with("<http://example.org/person/1>"));
    }

    #[test]
    fn an_empty_target_is_a_valid_empty_document() {
        let dir = tempfile::tempdir().unwrap();
        for serialization in ALL {
            let spec = spec(
                dir.path().join(format!("empty-{serialization:?}")),
                serialization,
                Compression::Zip,
                Encoding::Utf8,
            );
            write_target(&spec, &[]);
            assert!(parse(&read_text(&spec), serialization).is_empty(), "{serialization:?}");
        }
    }

    #[test]
    fn folders_that_cannot_be_written_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing/dump.nq");
        let error =
            TargetWriter::create(&spec(missing.clone(), Serialization::NQuads, Compression::None, Encoding::Utf8))
                .err()
                .unwrap();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(
            error.to_string().starts_with(&format!("{}: cannot write the target: the folder", missing.display())),
            "{error}"
        );
        // A file where the folder should be (permissions cannot be tested:
        // tests may run as root, who writes anywhere).
        std::fs::write(dir.path().join("file"), "").unwrap();
        let under_file = dir.path().join("file/dump.nq");
        let error =
            TargetWriter::create(&spec(under_file.clone(), Serialization::NQuads, Compression::Gzip, Encoding::Utf8))
                .err()
                .unwrap();
        assert!(
            error.to_string().starts_with(&format!("{}: cannot write the target in the folder", under_file.display())),
            "{error}"
        );
        let error = TargetWriter::create(&spec(
            dir.path().to_owned(),
            Serialization::NQuads,
            Compression::None,
            Encoding::Utf8,
        ))
        .err()
        .unwrap();
        assert!(error.to_string().contains("is a folder"), "{error}");
        assert_eq!(listing(dir.path()), ["file"]);
    }

    #[test]
    fn a_failed_write_names_the_target() {
        // RDF/XML cannot use its own syntax terms as predicates.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dump.rdf");
        let mut writer =
            TargetWriter::create(&spec(path.clone(), Serialization::RdfXml, Compression::None, Encoding::Utf8))
                .unwrap();
        let quad = Quad::new(
            iri("http://example.org/s"),
            iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#about"),
            iri("http://example.org/o"),
            GraphName::DefaultGraph,
        );
        let error = writer.write(&quad).and_then(|()| writer.finish()).unwrap_err();
        assert!(error.to_string().starts_with(&format!("{}: ", path.display())), "{error}");
        assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    }

    #[test]
    fn utf16_survives_characters_cut_between_writes() {
        let dir = tempfile::tempdir().unwrap();
        let file = File::create(dir.path().join("t")).unwrap();
        let mut text = Text::new(Sink::Plain(file), Encoding::Utf16).unwrap();
        for byte in "a𝄞é".as_bytes() {
            text.write_all(std::slice::from_ref(byte)).unwrap();
        }
        text.finish().unwrap();
        let expected: Vec<u8> =
            [0xff, 0xfe].into_iter().chain("a𝄞é".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(std::fs::read(dir.path().join("t")).unwrap(), expected);
        let file = File::create(dir.path().join("u")).unwrap();
        let mut text = Text::new(Sink::Plain(file), Encoding::Utf16).unwrap();
        text.write_all(&"é".as_bytes()[..1]).unwrap();
        assert!(text.finish().is_err());
    }

    /// The RML-IO target cases: each expected dump, written again with its
    /// case's target description, reads back as the same quads.
    #[test]
    fn the_rml_io_cases_dumps() {
        let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/rml-cg/rml-io/test-cases");
        if !cases.is_dir() {
            eprintln!("skipped: {} is not here", cases.display());
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        for (case, file, serialization, compression, encoding) in [
            ("RMLTTC0001d", "dump1.nq", Serialization::NQuads, Compression::None, Encoding::Utf8),
            ("RMLTTC0004a", "dump1.jsonld", Serialization::JsonLd, Compression::None, Encoding::Utf8),
            ("RMLTTC0004b", "dump1.n3", Serialization::N3, Compression::None, Encoding::Utf8),
            ("RMLTTC0004c", "dump1.nt", Serialization::NTriples, Compression::None, Encoding::Utf8),
            ("RMLTTC0004f", "dump1.rdfxml", Serialization::RdfXml, Compression::None, Encoding::Utf8),
            ("RMLTTC0004g", "dump1.ttl", Serialization::Turtle, Compression::None, Encoding::Utf8),
            ("RMLTTC0005b", "dump1.nq", Serialization::NQuads, Compression::None, Encoding::Utf16),
            ("RMLTTC0006b", "dump1.nq.gz", Serialization::NQuads, Compression::Gzip, Encoding::Utf8),
            ("RMLTTC0006c", "dump1.nq.zip", Serialization::NQuads, Compression::Zip, Encoding::Utf8),
            ("RMLTTC0006d", "dump1.nq.tar.xz", Serialization::NQuads, Compression::TarXz, Encoding::Utf8),
            ("RMLTTC0006e", "dump1.nq.tar.gz", Serialization::NQuads, Compression::TarGzip, Encoding::Utf8),
        ] {
            let theirs = spec(cases.join(case).join(file), serialization, compression, encoding);
            let expected = parse(&read_text(&theirs), serialization);
            assert!(!expected.is_empty(), "{case}");
            let ours = spec(dir.path().join(file), serialization, compression, encoding);
            write_target(&ours, &expected.iter().map(|q| q.into_owned()).collect::<Vec<_>>());
            assert_eq!(parse(&read_text(&ours), serialization), expected, "{case}");
            if encoding == Encoding::Utf16 {
                assert_eq!(
                    std::fs::read(&ours.path).unwrap()[..2],
                    std::fs::read(&theirs.path).unwrap()[..2],
                    "{case}: BOM"
                );
            }
        }
    }
}
