//! A CSV file's text as records, and as chunks of records: how an
//! incremental build finds which records of a file changed without parsing
//! it as CSV (a record ends at a line end outside quotes; RFC 4180 escapes a
//! quote by doubling it, which keeps the count of quotes even).
//!
//! Chunks end where a record's hash says so (content-defined, as backup
//! tools cut files), so an edit changes the chunks around it and no others,
//! wherever it is in the file: two snapshots of a file share every chunk
//! but the edited ones, and only those are stored again and compared.

use twox_hash::XxHash3_128;

/// A record: its bytes (no line end) and where it is in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    pub start: usize,
    pub end: usize,
    /// The line it starts on, from 1.
    pub line: u64,
}

/// On average one record in this many ends a chunk.
const CHUNK_RECORDS: u128 = 256;
/// A chunk ends after this many bytes whatever its records' hashes say.
const MAX_CHUNK_BYTES: usize = 1 << 20;

/// The records of `text` (a CSV file's text after any byte-order mark), the
/// header row first, with no empty line; `quote` is the quote character.
pub fn split(text: &[u8], quote: u8) -> Vec<Record> {
    let mut records = Vec::with_capacity(text.len() / 64);
    let (mut start, mut line, mut in_quotes) = (0, 1u64, false);
    let mut start_line = 1;
    for position in memchr::memchr2_iter(quote, b'\n', text) {
        if text[position] == quote {
            in_quotes = !in_quotes;
            continue;
        }
        line += 1;
        if in_quotes {
            continue;
        }
        push_record(&mut records, text, start, position, start_line);
        start = position + 1;
        start_line = line;
    }
    push_record(&mut records, text, start, text.len(), start_line);
    records
}

fn push_record(records: &mut Vec<Record>, text: &[u8], start: usize, end: usize, line: u64) {
    let end = if end > start && text[end - 1] == b'\r' { end - 1 } else { end };
    if end > start {
        records.push(Record { start, end, line });
    }
}

/// A 128-bit hash of bytes: records and chunks are told apart by it.
pub fn hash(bytes: &[u8]) -> u128 {
    XxHash3_128::oneshot(bytes)
}

/// Where the chunks of `text` start: the first at 0, each other at the start
/// of a record, after a record whose hash ends a chunk.
pub fn chunk_starts(text: &[u8], records: &[Record]) -> Vec<usize> {
    let mut starts = vec![0];
    for pair in records.windows(2) {
        let (record, next) = (pair[0], pair[1]);
        let long = next.start - starts[starts.len() - 1] >= MAX_CHUNK_BYTES;
        if long || hash(&text[record.start..record.end]).is_multiple_of(CHUNK_RECORDS) {
            starts.push(next.start);
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(String, u64)> {
        split(text.as_bytes(), b'"').into_iter().map(|r| (text[r.start..r.end].to_owned(), r.line)).collect()
    }

    /// The records and lines the CSV reader of a build gives: quoted line
    /// ends stay in their record, empty lines are no records, CRLF ends one.
    #[test]
    fn records_end_at_line_ends_outside_quotes() {
        let text = "id,note\r\n1,\"two\nlines, \"\"quoted\"\"\"\n\n2,plain\n3,last";
        assert_eq!(
            texts(text),
            [
                ("id,note".to_owned(), 1),
                ("1,\"two\nlines, \"\"quoted\"\"\"".to_owned(), 2),
                ("2,plain".to_owned(), 5),
                ("3,last".to_owned(), 6)
            ]
        );
    }

    /// An edit in the middle changes the chunks around it, not the others.
    #[test]
    fn an_edit_changes_only_the_chunks_around_it() {
        let mut text = String::from("id,name\n");
        for i in 0..20_000 {
            text.push_str(&format!("{i},name {i}\n"));
        }
        let chunks = |text: &str| {
            let records = split(text.as_bytes(), b'"');
            let mut starts = chunk_starts(text.as_bytes(), &records);
            starts.push(text.len());
            starts.windows(2).map(|w| hash(&text.as_bytes()[w[0]..w[1]])).collect::<Vec<_>>()
        };
        let before = chunks(&text);
        let edited = text.replace("\n10000,name 10000\n", "\n10000,another name\n");
        let after = chunks(&edited);
        assert!(before.len() > 20, "{} chunks", before.len());
        let changed = after.iter().filter(|c| !before.contains(c)).count();
        assert!((1..=2).contains(&changed), "{changed} chunks changed");
    }
}
