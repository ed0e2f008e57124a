//! Where the records of a changed CSV file went: the lines and byte offsets
//! the row-origin index recorded for a file before its change, carried to
//! the file after it.
//!
//! Records that did not change keep their text but move when records before
//! them are added or removed, all of a run by the same number of lines and
//! bytes. A [`Remap`] is those runs, each a range of lines of the file before
//! (a record is placed by the line it starts on) and how far its records
//! moved; a record whose first line no run holds was removed (or changed,
//! which is removed and added). An edit costs a few runs whatever the size
//! of the file, and two remaps in a row make one ([`Remap::then`]).

use std::cmp::{max, min};

/// Lines past any file's end: the end of [`Remap::unchanged`]'s run.
const END: u64 = i64::MAX as u64;
/// Bytes of a run in [`Remap::to_bytes`].
pub const RUN_BYTES: usize = 32;

/// Records whose first lines were `start..end` moved by `lines` lines and
/// `bytes` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    pub start: u64,
    pub end: u64,
    pub lines: i64,
    pub bytes: i64,
}

/// How the records of one file moved between two of its versions: runs
/// sorted by their lines, none overlapping, neighbours with the same move
/// joined.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Remap {
    runs: Vec<Moved>,
}

impl Remap {
    /// Every record stays where it was.
    pub fn unchanged() -> Self {
        Self { runs: vec![Moved { start: 0, end: END, lines: 0, bytes: 0 }] }
    }

    /// The remap of `runs`, given in any order; they must not overlap.
    pub fn from_runs(mut runs: Vec<Moved>) -> Self {
        runs.retain(|run| run.start < run.end);
        runs.sort_unstable_by_key(|run| run.start);
        let mut joined: Vec<Moved> = Vec::with_capacity(runs.len());
        for run in runs {
            match joined.last_mut() {
                Some(last) if last.end == run.start && (last.lines, last.bytes) == (run.lines, run.bytes) => {
                    last.end = run.end;
                }
                _ => joined.push(run),
            }
        }
        Self { runs: joined }
    }

    pub fn runs(&self) -> &[Moved] {
        &self.runs
    }

    /// Where the record that started on `line`, `offset` bytes into the
    /// file, is now: its line and offset; `None` if it is gone.
    pub fn place(&self, line: u64, offset: Option<u64>) -> Option<(u64, Option<u64>)> {
        let at = self.runs.partition_point(|run| run.end <= line);
        let run = self.runs.get(at).filter(|run| run.start <= line)?;
        Some((moved(line, run.lines), offset.map(|offset| moved(offset, run.bytes))))
    }

    /// This remap, then `next` (a remap of the file this one leads to).
    pub fn then(&self, next: &Remap) -> Remap {
        let mut runs = Vec::new();
        for run in &self.runs {
            // The lines this run's records start on after it.
            let (from, to) =
                (i128::from(run.start) + i128::from(run.lines), i128::from(run.end) + i128::from(run.lines));
            let first = next.runs.partition_point(|n| i128::from(n.end) <= from);
            for later in next.runs[first..].iter().take_while(|n| i128::from(n.start) < to) {
                let back = |line: i128| (line - i128::from(run.lines)).clamp(0, i128::from(END)) as u64;
                runs.push(Moved {
                    start: back(max(from, i128::from(later.start))),
                    end: back(min(to, i128::from(later.end))),
                    lines: run.lines + later.lines,
                    bytes: run.bytes + later.bytes,
                });
            }
        }
        Remap::from_runs(runs)
    }

    /// The runs as bytes: four little-endian 64-bit numbers each.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.runs.len() * RUN_BYTES);
        for run in &self.runs {
            bytes.extend_from_slice(&run.start.to_le_bytes());
            bytes.extend_from_slice(&run.end.to_le_bytes());
            bytes.extend_from_slice(&run.lines.to_le_bytes());
            bytes.extend_from_slice(&run.bytes.to_le_bytes());
        }
        bytes
    }

    /// The remap [`Self::to_bytes`] wrote; `None` if `bytes` are not runs.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if !bytes.len().is_multiple_of(RUN_BYTES) {
            return None;
        }
        let number = |b: &[u8]| <[u8; 8]>::try_from(b).expect("eight bytes");
        let runs = bytes
            .chunks_exact(RUN_BYTES)
            .map(|run| Moved {
                start: u64::from_le_bytes(number(&run[..8])),
                end: u64::from_le_bytes(number(&run[8..16])),
                lines: i64::from_le_bytes(number(&run[16..24])),
                bytes: i64::from_le_bytes(number(&run[24..])),
            })
            .collect();
        Some(Self { runs })
    }
}

fn moved(position: u64, by: i64) -> u64 {
    position.saturating_add_signed(by)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(start: u64, end: u64, lines: i64, bytes: i64) -> Moved {
        Moved { start, end, lines, bytes }
    }

    #[test]
    fn a_record_moves_with_its_run_and_one_in_no_run_is_gone() {
        // Lines 2-4 stay, line 5 was removed (10 bytes), lines 6-9 moved up.
        let remap = Remap::from_runs(vec![run(6, 10, -1, -10), run(2, 5, 0, 0)]);
        assert_eq!(remap.place(3, Some(30)), Some((3, Some(30))));
        assert_eq!(remap.place(5, Some(50)), None);
        assert_eq!(remap.place(6, Some(60)), Some((5, Some(50))));
        assert_eq!(remap.place(9, None), Some((8, None)));
        assert_eq!(remap.place(10, Some(100)), None, "past the last run");
    }

    #[test]
    fn neighbouring_runs_with_the_same_move_are_joined() {
        let remap = Remap::from_runs(vec![run(2, 4, 1, 7), run(4, 9, 1, 7), run(9, 12, 2, 9), run(13, 14, 2, 9)]);
        assert_eq!(remap.runs(), [run(2, 9, 1, 7), run(9, 12, 2, 9), run(13, 14, 2, 9)]);
    }

    /// Two edits in a row, composed, place every record where the second
    /// edit left it: a record removed by either is gone.
    #[test]
    fn two_remaps_make_one() {
        // First: the record of line 4 removed (1 line, 8 bytes); a record
        // inserted before line 9 (2 lines, 20 bytes).
        let first = Remap::from_runs(vec![run(2, 4, 0, 0), run(5, 9, -1, -8), run(9, 20, 1, 12)]);
        // Then: the record now on line 6 removed (1 line, 10 bytes).
        let second = Remap::from_runs(vec![run(2, 6, 0, 0), run(7, 30, -1, -10)]);
        let both = first.then(&second);
        let by_steps = |line: u64, offset: u64| {
            first.place(line, Some(offset)).and_then(|(line, offset)| second.place(line, offset))
        };
        for line in 0..25 {
            assert_eq!(both.place(line, Some(line * 8)), by_steps(line, line * 8), "line {line}");
        }
        assert_eq!(both.place(4, Some(32)), None);
        assert_eq!(both.place(7, Some(56)), None, "line 7 was on line 6 after the first edit");
        assert_eq!(both.place(12, Some(96)), Some((12, Some(98))));
    }

    #[test]
    fn unchanged_then_a_remap_is_the_remap_and_the_runs_read_back() {
        let remap = Remap::from_runs(vec![run(2, 6, 0, 0), run(7, 30, -1, -10)]);
        assert_eq!(Remap::unchanged().then(&remap), remap);
        assert_eq!(remap.then(&Remap::unchanged()), remap);
        assert_eq!(Remap::from_bytes(&remap.to_bytes()), Some(remap));
        assert_eq!(Remap::from_bytes(&[0; 31]), None);
    }
}
