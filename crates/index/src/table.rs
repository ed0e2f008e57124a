//! Quads as rows of term numbers, each sorted in several orders.
//!
//! A table of width `W` holds rows in canonical order (subject, predicate,
//! object, and graph for the named graphs), stored once per [`Order`], each
//! copy with its columns permuted and its rows sorted. A pattern binds some
//! columns; the order whose leading columns are the most of those bound
//! turns the pattern into one contiguous range, found by binary search.
//! Three orders cover every pattern of three columns; six cover all but a
//! few of four (those scan a range and filter it).

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
}

const fn order<const W: usize>(file: &'static str, columns: [usize; W]) -> Order<W> {
    Order { file, columns }
}

const S: usize = 0;
const P: usize = 1;
const O: usize = 2;
const G: usize = 3;

pub(crate) const DEFAULT_GRAPH_ORDERS: &[Order<3>] =
    &[order("spo.rows", [S, P, O]), order("pos.rows", [P, O, S]), order("osp.rows", [O, S, P])];

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
    orders: Vec<(Order<W>, Mapped)>,
    len: usize,
}

impl<const W: usize> Table<W>
where
    [u32; W]: bytemuck::Pod,
{
    pub(crate) fn open(folder: &Path, orders: &[Order<W>], len: u64) -> Result<Self, IndexError> {
        let mut opened = Vec::with_capacity(orders.len());
        for order in orders {
            let mapped = Mapped::open(&folder.join(order.file))?;
            let rows: Result<&[[u32; W]], _> = mapped.slice();
            if !rows.is_ok_and(|rows| rows.len() as u64 == len) {
                return Err(IndexError::corrupt(mapped.path(), format!("does not hold {len} rows of {W} numbers")));
            }
            opened.push((*order, mapped));
        }
        Ok(Self { orders: opened, len: len as usize })
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn rows(&self, order: usize) -> &[[u32; W]] {
        // Checked when the table was opened.
        self.orders[order].1.slice().unwrap_or_default()
    }

    /// The range of rows matching `bound` (canonical columns), in the order
    /// that makes it narrowest.
    pub(crate) fn scan(&self, bound: [Option<u32>; W]) -> Scan<W> {
        let (order, prefix) = (0..self.orders.len())
            .map(|order| (order, self.orders[order].0.bound_prefix(&bound)))
            .max_by_key(|&(order, prefix)| (prefix, std::cmp::Reverse(order)))
            .unwrap_or((0, 0));
        let columns = self.orders[order].0.columns;
        let mut key = [0; W];
        for (i, &column) in columns[..prefix].iter().enumerate() {
            key[i] = bound[column].unwrap_or_default();
        }
        let key = packed(&key, prefix);
        let rows = self.rows(order);
        let start = rows.partition_point(|row| packed(row, prefix) < key);
        let end = start + gallop(&rows[start..], |row| packed(row, prefix) == key);
        // Columns bound but not in the prefix are checked row by row.
        let mut filter = bound;
        for &column in &columns[..prefix] {
            filter[column] = None;
        }
        Scan { order, next: start, end, filter }
    }

    /// The next matching row of `scan`, in canonical column order.
    pub(crate) fn next(&self, scan: &mut Scan<W>) -> Option<[u32; W]> {
        let rows = self.rows(scan.order);
        let order = &self.orders[scan.order].0;
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

/// Writes `rows` (canonical, sorted and distinct or not) in every order.
pub(crate) fn write<const W: usize>(folder: &Path, orders: &[Order<W>], rows: &[[u32; W]]) -> Result<(), IndexError>
where
    [u32; W]: bytemuck::Pod,
{
    let mut stored = Vec::with_capacity(rows.len());
    for order in orders {
        stored.clear();
        stored.extend(rows.iter().map(|row| order.permute(row)));
        stored.par_sort_unstable();
        let path = folder.join(order.file);
        let mut file = crate::write::create(&path)?;
        file.write_all(bytemuck::cast_slice(&stored)).map_err(IndexError::io(&path))?;
        crate::write::finish(file, &path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_finds_exactly_its_rows() {
        let folder = tempfile::tempdir().unwrap();
        let rows: Vec<[u32; 4]> = (0..4u32)
            .flat_map(|s| {
                (0..3u32).flat_map(move |p| (0..3u32).flat_map(move |o| (0..2u32).map(move |g| [s, p, o, g])))
            })
            .filter(|row| (row[0] + row[1] * 2 + row[2] + row[3]) % 3 != 0)
            .collect();
        write(folder.path(), NAMED_GRAPH_ORDERS, &rows).unwrap();
        let table = Table::<4>::open(folder.path(), NAMED_GRAPH_ORDERS, rows.len() as u64).unwrap();
        for mask in 0..16u32 {
            let pattern = [0, 1, 2, 3].map(|column| (mask & (1 << column) != 0).then_some(1));
            let mut scan = table.scan(pattern);
            let mut found = Vec::new();
            while let Some(row) = table.next(&mut scan) {
                found.push(row);
            }
            found.sort_unstable();
            let expected: Vec<[u32; 4]> = rows
                .iter()
                .filter(|row| row.iter().zip(&pattern).all(|(v, w)| w.is_none_or(|w| *v == w)))
                .copied()
                .collect();
            assert_eq!(found, expected, "pattern {pattern:?}");
        }
    }
}
