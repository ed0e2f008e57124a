//! What a version remembers of its inputs, so that the next build can tell
//! what changed: a hash of everything but the data that decides the graph
//! (factgraph's version, the mappings, the ontology and shapes, the
//! configuration), and a snapshot of each CSV source as chunks of records.
//!
//! Chunks are stored once, by the hash of their bytes, in `store/inputs/`,
//! and shared by every version whose files hold them: a version whose build
//! edited ten rows stores the few chunks those rows are in, not the file.
//! The next build reads the chunks its files no longer have to find the
//! records that were removed or changed.

use super::records::{self, Record};
use crate::metadata::GraphSummary;
use crate::project::Project;
use crate::store::{StoreDir, Version};
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Bumped when the files change meaning: a version of another format is
/// not built upon.
const FORMAT: u32 = 1;
const MANIFEST: &str = "inputs.json";
const CHUNKS: &str = "inputs";

/// What a version knows of its inputs (`versions/<name>/inputs.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inputs {
    pub format: u32,
    /// The hash of everything but the sources that decides the graph.
    pub settings: String,
    /// Why no build can start from this version, if none can.
    pub not_incremental: Option<String>,
    pub sources: Vec<SourceSnapshot>,
    /// The default graph's counts, for the next description.
    pub summary: StoredSummary,
    /// The SHA-256 of each input file, as the description gives it.
    pub checksums: BTreeMap<PathBuf, String>,
}

/// A CSV source as the build read it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceSnapshot {
    /// As the plan names it.
    pub path: PathBuf,
    pub size: u64,
    pub modified_nanos: u128,
    /// The file starts with a UTF-8 byte-order mark, which no chunk holds.
    pub bom: bool,
    pub chunks: Vec<Chunk>,
    /// Data records (the header row not counted).
    pub rows: u64,
}

/// A run of whole records of a file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Chunk {
    pub hash: String,
    pub bytes: u64,
    /// Line ends in it, to number the lines of the chunks after it.
    pub newlines: u64,
}

/// [`GraphSummary`] as text, with how many triples cite each source, so
/// that the next build can update it from what changed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredSummary {
    pub triples: u64,
    pub classes: BTreeMap<String, u64>,
    pub properties: BTreeMap<String, u64>,
    pub sources: BTreeMap<String, u64>,
}

impl Inputs {
    /// What `version` knows of its inputs; `None` if it was built without
    /// (before incremental builds, or by a build that could not keep them).
    pub fn of(version: &Version) -> Option<Self> {
        let bytes = std::fs::read(version.folder().join(MANIFEST)).ok()?;
        serde_json::from_slice::<Self>(&bytes).ok().filter(|inputs| inputs.format == FORMAT)
    }

    pub fn new(settings: String, summary: StoredSummary) -> Self {
        Self {
            format: FORMAT,
            settings,
            not_incremental: None,
            sources: Vec::new(),
            summary,
            checksums: BTreeMap::new(),
        }
    }

    /// Writes it into `version`'s folder.
    pub fn write(&self, version: &Version) -> Result<(), Error> {
        let path = version.folder().join(MANIFEST);
        let json = serde_json::to_vec(self).map_err(|e| Error::store(&path, e))?;
        std::fs::write(&path, json).map_err(Error::io(&path))
    }

    pub fn source(&self, path: &Path) -> Option<&SourceSnapshot> {
        self.sources.iter().find(|s| s.path == path)
    }
}

impl StoredSummary {
    pub fn of(summary: &GraphSummary) -> Self {
        Self {
            triples: summary.triples,
            classes: summary.entities_per_class.iter().map(|(k, (_, n))| (k.clone(), *n)).collect(),
            properties: summary.triples_per_property.iter().map(|(k, (_, n))| (k.clone(), *n)).collect(),
            sources: summary.source_uses.clone(),
        }
    }

    /// The summary back, its terms read from their N-Triples forms.
    pub fn to_summary(&self) -> Result<GraphSummary, String> {
        use oxigraph::model::{NamedNode, Term};
        use std::str::FromStr;
        let term = |text: &str| Term::from_str(text).map_err(|e| format!("{text}: {e}"));
        let iri = |text: &str| NamedNode::from_str(text).map_err(|e| format!("{text}: {e}"));
        let mut summary = GraphSummary { triples: self.triples, ..GraphSummary::default() };
        for (key, n) in self.classes.iter().filter(|(_, n)| **n > 0) {
            summary.entities_per_class.insert(key.clone(), (term(key)?, *n));
        }
        for (key, n) in self.properties.iter().filter(|(_, n)| **n > 0) {
            summary.triples_per_property.insert(key.clone(), (iri(key)?, *n));
        }
        for (key, n) in self.sources.iter().filter(|(_, n)| **n > 0) {
            summary.sources.insert(key.clone(), term(key)?);
            summary.source_uses.insert(key.clone(), *n);
        }
        Ok(summary)
    }
}

/// The hash of everything but the sources that decides a build's graph.
pub fn settings(project: &Project, describe: bool) -> Result<String, Error> {
    let mut files = project.mapping_files()?;
    if project.ontology.is_dir() {
        let mut ontology: Vec<PathBuf> = std::fs::read_dir(&project.ontology)
            .map_err(Error::io(&project.ontology))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        ontology.sort();
        files.extend(ontology);
    }
    files.push(project.root.join(crate::project::CONFIG_FILE));
    let mut all = format!("factgraph {} describe={describe}\n", env!("CARGO_PKG_VERSION")).into_bytes();
    for file in files {
        all.extend_from_slice(file.display().to_string().as_bytes());
        all.push(0);
        if let Ok(bytes) = std::fs::read(&file) {
            all.extend_from_slice(&records::hash(&bytes).to_le_bytes());
        }
    }
    Ok(format!("{:032x}", records::hash(&all)))
}

/// A CSV source read for a build: its text, records and chunks.
pub struct SourceText {
    pub path: PathBuf,
    pub bom: bool,
    /// The text after any byte-order mark.
    pub text: Vec<u8>,
    pub records: Vec<Record>,
    /// Where each chunk starts in `text`.
    pub chunk_starts: Vec<usize>,
}

impl SourceText {
    /// Reads the CSV file `path`, whose quote character is `quote`.
    pub fn read(path: &Path, quote: u8) -> Result<Self, Error> {
        let mut text = std::fs::read(path).map_err(Error::io(path))?;
        let bom = text.starts_with(&[0xEF, 0xBB, 0xBF]);
        if bom {
            text.drain(..3);
        }
        let records = records::split(&text, quote);
        let chunk_starts = records::chunk_starts(&text, &records);
        Ok(Self { path: path.to_owned(), bom, text, records, chunk_starts })
    }

    /// The file's SHA-256 (the byte-order mark included), as the build's
    /// description gives it.
    pub fn sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        if self.bom {
            hasher.update([0xEF, 0xBB, 0xBF]);
        }
        hasher.update(&self.text);
        hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The bytes of each chunk.
    pub fn chunks(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let ends = self.chunk_starts.iter().skip(1).copied().chain([self.text.len()]);
        self.chunk_starts.iter().zip(ends).map(|(&start, end)| &self.text[start..end])
    }

    /// Stores the chunks the store does not have yet, and describes them.
    pub fn snapshot(&self, store: &StoreDir) -> Result<SourceSnapshot, Error> {
        let folder = chunk_folder(store);
        std::fs::create_dir_all(&folder).map_err(Error::io(&folder))?;
        let mut chunks = Vec::with_capacity(self.chunk_starts.len());
        for bytes in self.chunks() {
            let hash = format!("{:032x}", records::hash(bytes));
            let path = folder.join(&hash);
            if !path.exists() {
                let partial = folder.join(format!("{hash}.partial"));
                std::fs::write(&partial, bytes).map_err(Error::io(&partial))?;
                std::fs::rename(&partial, &path).map_err(Error::io(&path))?;
            }
            let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
            chunks.push(Chunk { hash, bytes: bytes.len() as u64, newlines });
        }
        let (size, modified_nanos) = stamp(&self.path).unwrap_or((0, 0));
        let rows = self.records.len().saturating_sub(1) as u64;
        Ok(SourceSnapshot { path: self.path.clone(), size, modified_nanos, bom: self.bom, chunks, rows })
    }
}

/// A file's size and modification time, to skip reading a file whose
/// stamp has not changed (as git does).
pub fn stamp(path: &Path) -> Option<(u64, u128)> {
    let metadata = std::fs::metadata(path).ok()?;
    let modified = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    Some((metadata.len(), modified))
}

fn chunk_folder(store: &StoreDir) -> PathBuf {
    store.path().join(CHUNKS)
}

/// The bytes of a stored chunk.
pub fn read_chunk(store: &StoreDir, chunk: &Chunk) -> Result<Vec<u8>, Error> {
    let path = chunk_folder(store).join(&chunk.hash);
    std::fs::read(&path).map_err(Error::io(&path))
}

/// Writes the file a snapshot was taken of, as it was, to `to`.
pub fn restore(store: &StoreDir, snapshot: &SourceSnapshot, to: &Path) -> Result<(), Error> {
    let mut text = Vec::new();
    if snapshot.bom {
        text.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
    }
    for chunk in &snapshot.chunks {
        text.extend_from_slice(&read_chunk(store, chunk)?);
    }
    std::fs::write(to, text).map_err(Error::io(to))
}

/// Removes the chunks no kept version's snapshot names.
pub fn remove_unused_chunks(store: &StoreDir, kept: &[Version]) -> Result<(), Error> {
    let mut used = HashSet::new();
    for inputs in kept.iter().filter_map(Inputs::of) {
        used.extend(inputs.sources.into_iter().flat_map(|s| s.chunks).map(|c| c.hash));
    }
    let folder = chunk_folder(store);
    let Ok(entries) = std::fs::read_dir(&folder) else { return Ok(()) };
    for entry in entries {
        let entry = entry.map_err(Error::io(&folder))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !used.contains(&name) {
            std::fs::remove_file(entry.path()).map_err(Error::io(entry.path()))?;
        }
    }
    Ok(())
}
