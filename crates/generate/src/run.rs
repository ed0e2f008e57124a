//! Runs a description's steps for one row at a time.
//!
//! Every row is a pure function of the seed, its table and its index: row
//! `i` draws from its own generator seeded with `(seed, code, i)`. A row
//! that cites another only draws the other's index; when it needs the other
//! row's id or a field ("{service.name_en}"), it runs that table's steps for
//! that row, with that row's seed, up to the step that sets the field. So no
//! table is ever held in memory, and a citation always names a row that
//! exists and says what that row says.

use super::describe::{Description, Gen, Item, RowPick, Step, Value};
use super::error::Fault;
use super::rng::Rng;
use super::template::{Expr, Segment, Template, Test};
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write;

/// Citations of fields that cite fields deeper than this go in a circle.
const MAX_DEPTH: usize = 64;

impl Value {
    /// What `if = "name"` tests: set, not empty and not false.
    fn is_set(&self) -> bool {
        match self {
            Self::Empty => false,
            Self::Bool(b) => *b,
            Self::Text(text) => !text.is_empty(),
            Self::Shared(text) => !text.is_empty(),
            Self::Row { .. } | Self::Parts(_) => true,
        }
    }
}

/// The description with the sizes for one N and one seed.
pub(super) struct Runner<'d> {
    pub description: &'d Description,
    pub rows: Vec<u64>,
    seed: u64,
    /// Recently cited rows of each table, as far as their steps were run,
    /// row `i` in slot `i % CITED`: a row cites the same few rows several
    /// times (an offering its service's name for its id, for its label, then
    /// the service's id). A row's values depend on nothing else, so keeping
    /// them changes no byte.
    cited: RefCell<Vec<Vec<Option<Cited>>>>,
}

struct Cited {
    index: u64,
    /// The last step run.
    last: usize,
    values: Vec<Value>,
}

/// The most rows of a table kept in [`Runner::cited`]. Small on purpose:
/// with 1,000,000 offerings, 64 took 5.2 s, 1 took 5.5 s and 4096 took 8.0 s
/// (keeping many rows costs more in memory traffic than it saves).
const CITED: u64 = 64;

/// The row being generated.
struct Frame {
    table: usize,
    index: u64,
    rng: Rng,
    values: Vec<Value>,
    depth: usize,
}

impl<'d> Runner<'d> {
    pub fn new(description: &'d Description, n: u64, seed: u64) -> Self {
        let cited = RefCell::new(std::iter::repeat_with(Vec::new).take(description.tables.len()).collect());
        Self { description, rows: description.rows(n), seed, cited }
    }

    /// Every value of row `index` of `table`, by slot.
    pub fn row(&self, table: usize, index: u64) -> Result<Vec<Value>, Fault> {
        self.run(table, index, usize::MAX, 0)
    }

    /// Runs the steps up to `last` (included).
    fn run(&self, table: usize, index: u64, last: usize, depth: usize) -> Result<Vec<Value>, Fault> {
        let steps = &self.description.tables[table];
        let start = Rng::for_row(self.seed, steps.code_hash, index);
        let slots = steps.slots_up_to.get(last).copied().unwrap_or(steps.slots);
        let mut frame = Frame { table, index, rng: start, values: vec![Value::Empty; slots], depth };
        let fixed = usize::try_from(index).ok().and_then(|i| steps.fixed.get(i));
        for step in steps.steps.iter().take(last.saturating_add(1)) {
            match step {
                Step::Restart => frame.rng = start,
                Step::Set(slot, gen) => {
                    frame.values[*slot] = match fixed.and_then(|f| f.get(*slot)).and_then(Option::as_ref) {
                        Some(value) => value.clone(),
                        None => self.eval(gen, &mut frame)?,
                    };
                }
            }
        }
        Ok(frame.values)
    }

    /// Appends named slot `slot` of a cited row.
    fn write_field(&self, table: usize, index: u64, slot: usize, out: &mut String, depth: usize) -> Result<(), Fault> {
        let at = self.cite(table, index, slot, depth)?;
        let value = {
            let cited = self.cited.borrow();
            let value = &cited[table][at].as_ref().expect("just cited").values[slot];
            if let Value::Text(_) | Value::Shared(_) = value {
                // Straight from the cache, without a copy.
                return self.write_at(value, out, depth + 1);
            }
            value.clone()
        };
        self.write_at(&value, out, depth + 1)
    }

    /// Runs a cited row as far as slot `slot`, unless [`Runner::cited`]
    /// has it already; returns its place there.
    fn cite(&self, table: usize, index: u64, slot: usize, depth: usize) -> Result<usize, Fault> {
        if depth > MAX_DEPTH {
            return Err(Fault::new(format!(
                "rows of tables.{} cite each other's fields in a circle",
                self.description.tables[table].name
            )));
        }
        let steps = &self.description.tables[table];
        let last = steps.set_by[slot];
        let capacity = self.rows[table].clamp(1, CITED);
        let at = (index % capacity) as usize;
        if let Some(cited) = self.cited.borrow()[table].get(at).and_then(Option::as_ref) {
            if cited.index == index && cited.last >= last {
                return Ok(at);
            }
        }
        let values = self.run(table, index, last, depth + 1)?;
        let mut cited = self.cited.borrow_mut();
        if cited[table].is_empty() {
            cited[table].resize_with(capacity as usize, || None);
        }
        cited[table][at] = Some(Cited { index, last, values });
        Ok(at)
    }

    /// Appends a value as a cell shows it: a cited row as its id.
    pub fn write(&self, value: &Value, out: &mut String) -> Result<(), Fault> {
        self.write_at(value, out, 0)
    }

    fn write_at(&self, value: &Value, out: &mut String, depth: usize) -> Result<(), Fault> {
        match value {
            Value::Row { table, index } => {
                let cited = &self.description.tables[*table];
                let key = cited.key.ok_or_else(|| {
                    Fault::new(format!("tables.{} is cited, but it has no id (or `key`) column", cited.name))
                })?;
                return self.write_field(*table, *index, key, out, depth);
            }
            Value::Text(text) => out.push_str(text),
            Value::Shared(text) => out.push_str(text),
            _ => out.push_str(&self.text(value, depth)?),
        }
        Ok(())
    }

    fn text<'v>(&self, value: &'v Value, depth: usize) -> Result<Cow<'v, str>, Fault> {
        Ok(match value {
            Value::Empty => Cow::Borrowed(""),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Text(text) => Cow::Borrowed(text),
            Value::Shared(text) => Cow::Borrowed(text),
            Value::Row { .. } => {
                let mut out = String::new();
                self.write_at(value, &mut out, depth)?;
                Cow::Owned(out)
            }
            Value::Parts(parts) => {
                let names: Vec<&str> = parts.iter().map(|(name, _)| name.as_str()).collect();
                return Err(Fault::new(format!(
                    "a picked item has parts ({}); name one, as in {{name.{}}}",
                    names.join(", "),
                    names[0]
                )));
            }
        })
    }

    fn render(&self, template: &Template, frame: &Frame) -> Result<String, Fault> {
        let mut out = String::with_capacity(template.size_hint);
        for segment in &template.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Index(expr) => {
                    let _ = write!(out, "{}", self.number(expr, frame.index, self.rows[frame.table])?);
                }
                Segment::Value { slot, part, filters } if filters.is_empty() => {
                    self.placeholder(&frame.values[*slot], part.as_deref(), &mut out, frame.depth)?;
                }
                Segment::Value { slot, part, filters } => {
                    let mut text = String::new();
                    self.placeholder(&frame.values[*slot], part.as_deref(), &mut text, frame.depth)?;
                    for filter in filters {
                        text = filter.apply(&text);
                    }
                    out.push_str(&text);
                }
            }
        }
        Ok(out)
    }

    /// Appends `{name}` or `{name.part}`: a field of a cited row or a part
    /// of a picked item (nothing if the value is empty).
    fn placeholder(&self, value: &Value, part: Option<&str>, out: &mut String, depth: usize) -> Result<(), Fault> {
        let Some(part) = part else {
            return self.write_at(value, out, depth);
        };
        match value {
            Value::Empty => {}
            Value::Parts(parts) => match parts.iter().find(|(name, _)| name == part) {
                Some((_, text)) => out.push_str(text),
                None => return Err(Fault::new(format!("the picked item has no part {part:?}"))),
            },
            Value::Row { table, index } => {
                let cited = &self.description.tables[*table];
                let slot = cited
                    .names
                    .get(part)
                    .ok_or_else(|| Fault::new(format!("tables.{} sets no {part:?}", cited.name)))?;
                self.write_field(*table, *index, *slot, out, depth)?;
            }
            _ => return Err(Fault::new(format!(".{part}: only a cited row or a picked item has parts"))),
        }
        Ok(())
    }

    fn number(&self, expr: &Expr, index: u64, rows: u64) -> Result<u64, Fault> {
        expr.eval(index, rows)
            .ok_or_else(|| Fault::new(format!("{expr:?} divides by zero or overflows for row {index} of {rows}")))
    }

    fn eval(&self, gen: &Gen, frame: &mut Frame) -> Result<Value, Fault> {
        Ok(match gen {
            Gen::Empty => Value::Empty,
            Gen::Value(value) => value.clone(),
            Gen::Text { template, replace } => {
                let text = self.render(template, frame)?;
                Value::Text(replace.iter().fold(text, |text, (from, to)| text.replace(from.as_str(), to)))
            }
            Gen::Chance { percent, then, otherwise } => {
                let hit = frame.rng.percent(*percent);
                match then {
                    None => Value::Bool(hit),
                    Some(then) if hit => self.eval(then, frame)?,
                    Some(_) => self.eval(otherwise, frame)?,
                }
            }
            Gen::If { tests, then, otherwise } => {
                let branch = if self.holds(tests, frame)? { then } else { otherwise };
                self.eval(branch, frame)?
            }
            Gen::Match { slot, cases, otherwise } => {
                let value = self.text(&frame.values[*slot], frame.depth)?;
                let case = cases.iter().find(|(case, _)| *case == value).map_or(&**otherwise, |(_, gen)| gen);
                self.eval(case, frame)?
            }
            Gen::OneOf(gens) => {
                let choice = frame.rng.below(gens.len() as u64) as usize;
                self.eval(&gens[choice], frame)?
            }
            Gen::Pick(items) => match &items[frame.rng.below(items.len() as u64) as usize] {
                Item::Text(text) => Value::Shared(text.clone()),
                Item::Parts(parts) => Value::Parts(parts.clone()),
            },
            Gen::Cycle(gens) => self.eval(&gens[(frame.index % gens.len() as u64) as usize], frame)?,
            Gen::Date { first_year, years, day } => Value::Text(date(&mut frame.rng, *first_year, *years, *day)),
            Gen::Row { table, pick } => Value::Row { table: *table, index: self.select(*table, pick, frame)? },
            Gen::Use { steps, result } => {
                for (slot, gen) in steps {
                    frame.values[*slot] = self.eval(gen, frame)?;
                }
                self.eval(result, frame)?
            }
            Gen::UnlessEqual { gen, slot } => {
                let value = self.eval(gen, frame)?;
                let same = value.is_set()
                    && self.text(&value, frame.depth)? == self.text(&frame.values[*slot], frame.depth)?;
                if same {
                    Value::Empty
                } else {
                    value
                }
            }
        })
    }

    fn holds(&self, tests: &[Test], frame: &Frame) -> Result<bool, Fault> {
        for test in tests {
            let holds = match test {
                Test::Set { slot, negate } => frame.values[*slot].is_set() != *negate,
                Test::Equals { slot, text, negate } => {
                    (self.text(&frame.values[*slot], frame.depth)? == text.as_str()) != *negate
                }
                Test::Index { op, number } => Test::index_holds(op, frame.index, *number),
            };
            if !holds {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The index of the row a step cites.
    fn select(&self, table: usize, pick: &RowPick, frame: &mut Frame) -> Result<u64, Fault> {
        let rows = self.rows[table];
        Ok(match pick {
            RowPick::At(at) => self.number(at, frame.index, rows)?,
            RowPick::Range { from, to } => {
                let from = self.number(from, frame.index, rows)?;
                let to = to.as_ref().map_or(Ok(rows), |to| self.number(to, frame.index, rows))?;
                from + frame.rng.below(to.saturating_sub(from))
            }
            RowPick::Where { cycle, positions, earlier } => {
                let cycles = if *earlier { frame.index } else { rows } / cycle;
                let start = frame.rng.below(cycles) * cycle;
                start + positions[frame.rng.below(positions.len() as u64) as usize]
            }
            RowPick::OtherThan(slot) => match frame.values[*slot] {
                Value::Row { table: other, index } if other == table && rows > 0 => {
                    (index + 1 + frame.rng.below(rows - 1)) % rows
                }
                _ => {
                    return Err(Fault::new(format!(
                        "other_than names a value that does not cite a row of tables.{}",
                        self.description.tables[table].name
                    )))
                }
            },
        })
    }
}

/// `2008-03-17` (the day at most 28, so that every month has it) or
/// `2008-03`; the year, month and day drawn in that order.
fn date(rng: &mut Rng, first_year: u64, years: u64, day: bool) -> String {
    let year = first_year + rng.below(years);
    let month = 1 + rng.below(12);
    if day {
        format!("{year}-{month:02}-{:02}", 1 + rng.below(28))
    } else {
        format!("{year}-{month:02}")
    }
}
