//! The dictionary: every distinct term of a version once, numbered.
//!
//! A term is kept as its N-Triples form (the bytes of oxrdf's `Display`,
//! which is also how the build's sorted runs hold it), and terms are
//! numbered in the byte order of those forms. Two files:
//!
//! - `terms.bytes`: the forms one after the other, in number order;
//! - `terms.offsets`: `n + 1` little-endian `u64`, where term `i` starts
//!   and ends.
//!
//! Numbering in byte order means finding a term's number is a binary search
//! over the forms, with no hash table to build or to load.

use crate::IndexError;
use oxrdf::{BlankNode, Literal, NamedNode, Term};
use std::io::Write as _;
use std::path::Path;

pub(crate) const BYTES_FILE: &str = "terms.bytes";
pub(crate) const OFFSETS_FILE: &str = "terms.offsets";

/// Appends the N-Triples form of `term`, the key it is numbered by.
pub fn encode(term: &Term, out: &mut Vec<u8>) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{term}");
}

/// The term whose N-Triples form is `form`, as [`encode`] writes it; `None`
/// if it is not such a form.
pub fn decode(form: &[u8]) -> Option<Term> {
    let text = std::str::from_utf8(form).ok()?;
    match form.first()? {
        b'<' => Some(NamedNode::new_unchecked(text.strip_prefix('<')?.strip_suffix('>')?).into()),
        b'_' => Some(BlankNode::new_unchecked(text.strip_prefix("_:")?).into()),
        b'"' => decode_literal(text).map(Into::into),
        _ => None,
    }
}

/// `"value"`, `"value"@lang` or `"value"^^<datatype>`: the value ends at the
/// last quote, since neither a language tag nor an IRI holds one.
fn decode_literal(text: &str) -> Option<Literal> {
    let end = text.rfind('"').filter(|&end| end > 0)?;
    let value = unescape(&text[1..end])?;
    let rest = &text[end + 1..];
    if rest.is_empty() {
        Some(Literal::new_simple_literal(value))
    } else if let Some(language) = rest.strip_prefix('@') {
        Some(Literal::new_language_tagged_literal_unchecked(value, language))
    } else {
        let datatype = rest.strip_prefix("^^<")?.strip_suffix('>')?;
        Some(Literal::new_typed_literal(value, NamedNode::new_unchecked(datatype)))
    }
}

/// Undoes N-Triples string escapes, as oxrdf writes them.
fn unescape(escaped: &str) -> Option<String> {
    if !escaped.contains('\\') {
        return Some(escaped.to_owned());
    }
    let mut value = String::with_capacity(escaped.len());
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        value.push(match chars.next()? {
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'f' => '\u{C}',
            'r' => '\r',
            '"' => '"',
            '\'' => '\'',
            '\\' => '\\',
            'u' => hex_char(&mut chars, 4)?,
            'U' => hex_char(&mut chars, 8)?,
            _ => return None,
        });
    }
    Some(value)
}

fn hex_char(chars: &mut std::str::Chars<'_>, digits: usize) -> Option<char> {
    let hex: String = chars.by_ref().take(digits).collect();
    (hex.len() == digits).then(|| u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)).flatten()
}

/// The dictionary of an open index.
pub(crate) struct Dictionary {
    bytes: Mapped,
    offsets: Mapped,
    len: usize,
}

impl Dictionary {
    pub(crate) fn open(folder: &Path, len: u64) -> Result<Self, IndexError> {
        let bytes = Mapped::open(&folder.join(BYTES_FILE))?;
        let offsets = Mapped::open(&folder.join(OFFSETS_FILE))?;
        let len = usize::try_from(len).map_err(|_| IndexError::corrupt(offsets.path(), "too many terms"))?;
        let dictionary = Self { bytes, offsets, len };
        let ends = dictionary.offsets()?;
        let consistent = ends.len() == len + 1
            && ends.first() == Some(&0)
            && ends.last().is_some_and(|&end| end == dictionary.bytes.bytes().len() as u64);
        if !consistent {
            return Err(IndexError::corrupt(dictionary.offsets.path(), "offsets do not match the terms"));
        }
        Ok(dictionary)
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn offsets(&self) -> Result<&[u64], IndexError> {
        self.offsets.slice().map_err(|e| IndexError::corrupt(self.offsets.path(), format!("offsets unreadable ({e})")))
    }

    /// The N-Triples form of term `id`.
    pub(crate) fn form(&self, id: u32) -> &[u8] {
        // The offsets were checked when the dictionary was opened.
        let offsets: &[u64] = self.offsets.slice().unwrap_or_default();
        let (start, end) = (offsets[id as usize] as usize, offsets[id as usize + 1] as usize);
        &self.bytes.bytes()[start..end]
    }

    /// Term `id`.
    pub(crate) fn term(&self, id: u32) -> Result<Term, IndexError> {
        decode(self.form(id)).ok_or_else(|| {
            let form = String::from_utf8_lossy(self.form(id)).into_owned();
            IndexError::corrupt(self.bytes.path(), format!("term {id} is not an N-Triples term: {form}"))
        })
    }

    /// The number of the term whose form is `form`, if the graph has it.
    pub(crate) fn find(&self, form: &[u8]) -> Option<u32> {
        let (mut low, mut high) = (0, self.len);
        while low < high {
            let middle = low + (high - low) / 2;
            match self.form(middle as u32).cmp(form) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle as u32),
            }
        }
        None
    }
}

/// A file mapped read-only; an empty file maps to nothing (a zero-length map
/// is refused on some systems).
pub(crate) struct Mapped {
    path: std::path::PathBuf,
    map: Option<memmap2::Mmap>,
}

impl Mapped {
    pub(crate) fn open(path: &Path) -> Result<Self, IndexError> {
        let file = std::fs::File::open(path).map_err(IndexError::io(path))?;
        let len = file.metadata().map_err(IndexError::io(path))?.len();
        // SAFETY: a version's files are written once, before the version is
        // published, and never written again; nothing truncates them while
        // they are mapped (a build writes a new version folder).
        let map = (len > 0).then(|| unsafe { memmap2::Mmap::map(&file) }).transpose().map_err(IndexError::io(path))?;
        Ok(Self { path: path.to_owned(), map })
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or_default()
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The file as a slice of `T`, if its length and alignment allow (an
    /// empty file is an empty slice, whatever the alignment of `T`).
    pub(crate) fn slice<T: bytemuck::Pod>(&self) -> Result<&[T], bytemuck::PodCastError> {
        match &self.map {
            Some(map) => bytemuck::try_cast_slice(map),
            None => Ok(&[]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_term_decodes_from_its_form(value in "\\PC*|[\\x00-\\x20\"\\\\\u{7f}\u{fffe}\u{ffff}é世a]*") {
            let terms: [Term; 5] = [
                NamedNode::new_unchecked("http://example.org/a?b=c#d").into(),
                BlankNode::new_unchecked("b0").into(),
                Literal::new_simple_literal(value.clone()).into(),
                Literal::new_language_tagged_literal_unchecked(value.clone(), "zh-hans").into(),
                Literal::new_typed_literal(value.clone(), oxrdf::vocab::xsd::DATE).into(),
            ];
            for term in terms {
                let mut form = Vec::new();
                encode(&term, &mut form);
                prop_assert_eq!(decode(&form), Some(term));
            }
        }
    }

    #[test]
    fn what_is_not_a_form_is_refused() {
        for form in ["", "x", "<unclosed", "\"unclosed", "\"v\"^^dt", "\"bad \\q escape\""] {
            assert_eq!(decode(form.as_bytes()), None, "{form}");
        }
    }
}
