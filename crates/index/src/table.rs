//! Quads as rows of term numbers, each sorted in several orders.
//!
//! A table of width `W` holds rows in canonical order (subject, predicate,
//! object, and graph for the named graphs), stored once per [`Order`], each
//! copy with its columns permuted and its rows sorted. A pattern binds some
//! columns; the order whose leading columns are the most of those bound
//! turns the pattern into one contiguous range, found by binary search.
//! Three orders cover every pattern of three columns; six cover all but a
//! few of four (those scan a range and filter it).
//!
//! The default graph's orders also keep where each term's rows start
//! (`*.starts`: one `u32` per term number, and one past the last), as a
//! sparse matrix keeps its rows: the range of a subject, a predicate or an
//! object is then two reads, not a binary search over millions of rows.
//! Most lookups a query makes bind the leading column (the evaluator joins
//! row by row, one lookup per row), and at a million offerings a binary
//! search took two dozen cache misses each.

use crate::terms::Mapped;
use crate::IndexError;
use rayon::slice::ParallelSliceMut;
use std::io::Write as _;
use std::path::Path;

/// A column order: `columns[i]` is the canonical column stored `i`th.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order<const W: usize> {
    file: &'static str,
    columns: [usize; W],
    /// The file of where each leading term's rows start, if kept.
    starts: Option<&'static str>,
}

const fn order<const W: usize>(file: &'static str, columns: [usize; W]) -> Order<W> {
    Order { file, columns, starts: None }
}

const fn order_with_starts<const W: usize>(file: &'static str, starts: &'static str, columns: [usize; W]) -> Order<W> {
    Order { file, columns, starts: Some(starts) }
}

pub(crate) const S: usize = 0;
const P: usize = 1;
pub(crate) const O: usize = 2;
const G: usize = 3;

pub(crate) const DEFAULT_GRAPH_ORDERS: &[Order<3>] = &[
    order_with_starts("spo.rows", "spo.starts", [S, P, O]),
    order_with_starts("pos.rows", "pos.starts", [P, O, S]),
    order_with_starts("osp.rows", "osp.starts", [O, S, P]),
];

pub(crate) const NAMED_GRAPH_ORDERS: &[Order<4>] = &[
    order("gspo.rows", [G, S, P, O]),
    order("gpos.rows", [G, P, O, S]),
    order("gosp.rows", [G, O, S, P]),
    order("spog.rows", [S, P, O, G]),
    order("posg.rows", [P, O, S, G]),
    order("ospg.rows", [O, S, P, G]),
];

impl<const W: usize> Order<W> {
    fn permute(&self, row: &[u32; W]) -> [u32; W] {
        self.columns.map(|column| row[column])
    }

    fn restore(&self, stored: &[u32; W]) -> [u32; W] {
        let mut row = [0; W];
        for (i, &column) in self.columns.iter().enumerate() {
            row[column] = stored[i];
        }
        row
    }

    /// How many leading stored columns `bound` binds.
    fn bound_prefix(&self, bound: &[Option<u32>; W]) -> usize {
        self.columns.iter().take_while(|&&column| bound[column].is_some()).count()
    }
}

/// A table of an open index.
pub(crate) struct Table<const W: usize> {
    orders: Vec<Stored<W>>,
    len: usize,
}

/// One order of a table, mapped (or held in memory, for an overlay's rows).
struct Stored<const W: usize> {
    order: Order<W>,
    rows: Rows<W>,
    starts: Option<Mapped>,
}

enum Rows<const W: usize> {
    Mapped(Mapped),
    Memory(Vec<[u32; W]>),
}

impl<const W: usize> Table<W>
where
    [u32; W]: bytemuck::Pod,
{
    /// Opens the table's files; `terms` is the dictionary's size.
    pub(crate) fn open(folder: &Path, orders: &[Order<W>], len: u64, terms: u64) -> Result<Self, IndexError> {
        let mut opened = Vec::with_capacity(orders.len());
        for order in orders {
            let rows = Mapped::open(&folder.join(order.file))?;
            let slice: Result<&[[u32; W]], _> = rows.slice();
            if !slice.is_ok_and(|rows| rows.len() as u64 == len) {
                return Err(IndexError::corrupt(rows.path(), format!("does not hold {len} rows of {W} numbers")));
            }
            let starts = order.starts.map(|file| Mapped::open(&folder.join(file))).transpose()?;
            if let Some(starts) = &starts {
                let slice: Result<&[u32], _> = starts.slice();
                if !slice.is_ok_and(|starts| starts.len() as u64 == terms + 1 && starts.last() == Some(&(len as u32))) {
                    return Err(IndexError::corrupt(starts.path(), format!("does not hold {} row starts", terms + 1)));
                }
            }
            opened.push(Stored { order: *order, rows: Rows::Mapped(rows), starts });
        }
        Ok(Self { orders: opened, len: len as usize })
    }

    /// A table of `rows` (canonical column order) held in memory, each
    /// order sorted, with no row starts: for the few rows of an overlay.
    pub(crate) fn in_memory(orders: &[Order<W>], mut rows: Vec<[u32; W]>) -> Self {
        rows.sort_unstable();
        rows.dedup();
        let len = rows.len();
        let orders = orders
            .iter()
            .map(|order| {
                let mut permuted: Vec<[u32; W]> = rows.iter().map(|row| order.permute(row)).collect();
                permuted.sort_unstable();
                Stored { order: Order { starts: None, ..*order }, rows: Rows::Memory(permuted), starts: None }
            })
            .collect();
        Self { orders, len }
    }

    /// The canonical column stored first in order `order`.
    pub(crate) fn first_column(&self, order: usize) -> usize {
        self.orders[order].order.columns[0]
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn rows(&self, order: usize) -> &[[u32; W]] {
        match &self.orders[order].rows {
            // Checked when the table was opened.
            Rows::Mapped(rows) => rows.slice().unwrap_or_default(),
            Rows::Memory(rows) => rows,
        }
    }

    /// The rows whose leading column is `first`, and where they start, if
    /// the order keeps its row starts.
    fn leading_range(&self, order: usize, first: u32) -> Option<std::ops::Range<usize>> {
        let starts: &[u32] = self.orders[order].starts.as_ref()?.slice().unwrap_or_default();
        let start = *starts.get(first as usize)? as usize;
        let end = *starts.get(first as usize + 1)? as usize;
        Some(start..end)
    }

    /// The range of rows matching `bound` (canonical columns), in the order
    /// that makes it narrowest.
    pub(crate) fn scan(&self, bound: [Option<u32>; W]) -> Scan<W> {
        let (order, prefix) = (0..self.orders.len())
            .map(|order| (order, self.orders[order].order.bound_prefix(&bound)))
            .max_by_key(|&(order, prefix)| (prefix, std::cmp::Reverse(order)))
            .unwrap_or((0, 0));
        let columns = self.orders[order].order.columns;
        let mut key = [0; W];
        for (i, &column) in columns[..prefix].iter().enumerate() {
            key[i] = bound[column].unwrap_or_default();
        }
        let rows = self.rows(order);
        let within = match prefix {
            0 => None,
            _ => self.leading_range(order, key[0]),
        }
        .unwrap_or(0..rows.len());
        let key = packed(&key, prefix);
        let candidates = &rows[within.clone()];
        let start = within.start + candidates.partition_point(|row| packed(row, prefix) < key);
        let end = start + gallop(&rows[start..within.end], |row| packed(row, prefix) == key);
        // Columns bound but not in the prefix are checked row by row.
        let mut filter = bound;
        for &column in &columns[..prefix] {
            filter[column] = None;
        }
        Scan { order, next: start, end, filter }
    }

    /// How many rows `bound` matches at most: the length of the range it
    /// narrows to (exact when every bound column is in the range's prefix,
    /// as for every pattern of the default graph's three orders).
    pub(crate) fn count(&self, bound: [Option<u32>; W]) -> usize {
        let scan = self.scan(bound);
        scan.end - scan.next
    }

    /// The next matching row of `scan`, in canonical column order.
    pub(crate) fn next(&self, scan: &mut Scan<W>) -> Option<[u32; W]> {
        let rows = self.rows(scan.order);
        let order = &self.orders[scan.order].order;
        while scan.next < scan.end {
            let row = order.restore(&rows[scan.next]);
            scan.next += 1;
            if row.iter().zip(&scan.filter).all(|(value, wanted)| wanted.is_none_or(|wanted| *value == wanted)) {
                return Some(row);
            }
        }
        None
    }

    /// The distinct values of the column stored first in order `order`,
    /// from `from` on: one binary search per value, not a scan.
    pub(crate) fn next_distinct_leading(&self, order: usize, from: &mut usize) -> Option<u32> {
        let rows = self.rows(order);
        let value = rows.get(*from)?[0];
        *from += rows[*from..].partition_point(|row| row[0] == value);
        Some(value)
    }
}

/// The first `prefix` numbers of `row` as one number that sorts as they do.
fn packed<const W: usize>(row: &[u32; W], prefix: usize) -> u128 {
    row[..prefix].iter().fold(0, |packed, &number| (packed << 32) | u128::from(number))
}

/// How many leading rows satisfy `matches`, which holds for a prefix of
/// `rows`: doubling steps, then a binary search in the last one, so a short
/// range costs a few comparisons whatever the size of the table.
fn gallop<T>(rows: &[T], matches: impl Fn(&T) -> bool) -> usize {
    let mut step = 1;
    let mut low = 0;
    while low + step <= rows.len() && matches(&rows[low + step - 1]) {
        low += step;
        step *= 2;
    }
    let high = (low + step).min(rows.len());
    low + rows[low..high].partition_point(matches)
}

/// Where a scan is in its range.
pub(crate) struct Scan<const W: usize> {
    order: usize,
    next: usize,
    end: usize,
    filter: [Option<u32>; W],
}

/// Writes `rows` (canonical, sorted and distinct or not) in every order;
/// `terms` is the dictionary's size, for the row starts.
/// `sorted` sees each order's rows once sorted, in their canonical column
/// order, with the column they are sorted by first.
pub(crate) fn write<const W: usize>(
    folder: &Path,
    orders: &[Order<W>],
    rows: &[[u32; W]],
    terms: usize,
    mut sorted: impl FnMut(usize, &mut dyn Iterator<Item = [u32; W]>),
) -> Result<(), IndexError>
where
    [u32; W]: bytemuck::Pod,
{
    let mut stored = Vec::with_capacity(rows.len());
    for order in orders {
        stored.clear();
        stored.extend(rows.iter().map(|row| order.permute(row)));
        stored.par_sort_unstable();
        sorted(order.columns[0], &mut stored.iter().map(|row| order.restore(row)));
        write_file(&folder.join(order.file), bytemuck::cast_slice(&stored))?;
        if let Some(file) = order.starts {
            write_file(&folder.join(file), bytemuck::cast_slice(&row_starts(&stored, terms)))?;
        }
    }
    Ok(())
}

/// Where the rows of each leading term start in `rows` (sorted), and where
/// the last ends: `terms + 1` numbers.
fn row_starts<const W: usize>(rows: &[[u32; W]], terms: usize) -> Vec<u32> {
    let mut starts = vec![0u32; terms + 1];
    for row in rows {
        starts[row[0] as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    starts
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), IndexError> {
    let mut file = crate::file::create(path)?;
    file.write_all(bytes).map_err(IndexError::io(path))?;
    crate::file::finish(file, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pattern (each column bound to 1 or free) over `rows`, written
    /// and read back in `orders`, finds exactly the rows it matches.
    fn every_pattern_finds_exactly_its_rows<const W: usize>(orders: &[Order<W>], rows: &[[u32; W]])
    where
        [u32; W]: bytemuck::Pod,
    {
        let folder = tempfile::tempdir().unwrap();
        let terms = 5;
        write(folder.path(), orders, rows, terms, |_, _| ()).unwrap();
        let table = Table::<W>::open(folder.path(), orders, rows.len() as u64, terms as u64).unwrap();
        for mask in 0..1u32 << W {
            let pattern: [Option<u32>; W] = std::array::from_fn(|column| (mask & (1 << column) != 0).then_some(1));
            let mut scan = table.scan(pattern);
            let mut found = Vec::new();
            while let Some(row) = table.next(&mut scan) {
                found.push(row);
            }
            found.sort_unstable();
            let mut expected: Vec<[u32; W]> = rows
                .iter()
                .filter(|row| row.iter().zip(&pattern).all(|(v, w)| w.is_none_or(|w| *v == w)))
                .copied()
                .collect();
            expected.sort_unstable();
            assert_eq!(found, expected, "pattern {pattern:?}");
        }
    }

    #[test]
    fn named_graph_patterns_find_exactly_their_rows() {
        let rows: Vec<[u32; 4]> = (0..4u32)
            .flat_map(|s| {
                (0..3u32).flat_map(move |p| (0..3u32).flat_map(move |o| (0..2u32).map(move |g| [s, p, o, g])))
            })
            .filter(|row| (row[0] + row[1] * 2 + row[2] + row[3]) % 3 != 0)
            .collect();
        every_pattern_finds_exactly_its_rows(NAMED_GRAPH_ORDERS, &rows);
    }

    /// With the row starts, including terms that lead no row (4, and 0 in
    /// some orders) and a table whose rows all share one leading term.
    #[test]
    fn default_graph_patterns_find_exactly_their_rows() {
        let rows: Vec<[u32; 3]> = (0..4u32)
            .flat_map(|s| (1..4u32).flat_map(move |p| (0..4u32).map(move |o| [s, p, o])))
            .filter(|row| (row[0] * 3 + row[1] + row[2] * 2) % 4 != 1)
            .collect();
        every_pattern_finds_exactly_its_rows(DEFAULT_GRAPH_ORDERS, &rows);
        every_pattern_finds_exactly_its_rows(DEFAULT_GRAPH_ORDERS, &[[1, 1, 1], [1, 1, 2], [1, 2, 1]]);
        every_pattern_finds_exactly_its_rows(DEFAULT_GRAPH_ORDERS, &[]);
    }
}
