//! Logical views (RML-LV) at work: each record of the view's base (a source
//! or another view) becomes one or more records of named fields. A field
//! makes one record per value it has (an iterable field per value it
//! iterates over), so sibling fields with several values multiply; a join adds the fields of the parent view's
//! matching records (a left join keeps a record that matches nothing, an
//! inner join drops it). Every field `f` has an index column `f.#`, and the
//! view a `#` column: the record's position, from 0.
//!
//! Views run on the reading thread, between the source and the mapping,
//! so a triples map on a view is mapped exactly like one on a file.
//!
//! This module runs views; it does not define them. A view is compiled with
//! the rest of the mapping, into the [`ViewPlan`] of `plan.rs`, and made of
//! the same term plans, so the plan depends on nothing that runs and this
//! module depends on the plan and on term generation (`generate.rs`), which
//! also gives the join keys it shares with the referencing object maps of
//! `execute.rs`.

use super::generate::{join_keys, value_of_term};
use super::plan::{FieldKindPlan, FieldPlan, ValuePlan, ViewBasePlan, ViewJoinPlan, ViewPlan};
use crate::source::{self, Expression, Fields, Format, Record, Row, Value};
use crate::Error;
use std::collections::HashMap;

use crate::source::xsd::INTEGER as XSD_INTEGER;

impl ViewPlan {
    /// Reads every source the view's joins need (once) before its records
    /// are made.
    pub fn prepare(&self) -> Result<(), Error> {
        if let ViewBasePlan::View(inner) = &self.base {
            inner.prepare()?;
        }
        for join in &self.joins {
            join.parent.prepare()?;
            if join.table.get().is_none() {
                let table = join.build_table(self.columns.len())?;
                let _ = join.table.set(table);
            }
        }
        Ok(())
    }

    /// The view's records made from a batch of its file's records;
    /// `ordinal` counts the base records across batches.
    pub fn apply(&self, rows: Vec<Row>, ordinal: &mut u64) -> Vec<Row> {
        let rows = match &self.base {
            ViewBasePlan::Source => rows,
            ViewBasePlan::View(inner) => inner.apply(rows, &mut 0),
        };
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let index = *ordinal;
            *ordinal += 1;
            for fields in self.records(&row, index) {
                out.push(Row::new(row.line, Record::Fields(Box::new(fields))));
            }
        }
        out
    }

    fn records(&self, row: &Row, index: u64) -> Vec<Fields> {
        let mut start = vec![Vec::new(); self.columns.len()];
        start[0] = vec![Value { text: index.to_string(), datatype: Some(XSD_INTEGER) }];
        let mut records = fill(&self.fields, &row.record, row.line, vec![start]);
        for join in &self.joins {
            records = join.join(records, row.line);
        }
        records
    }

    /// Every record of the view, from its whole file.
    fn read_all(&self) -> Result<Vec<Row>, Error> {
        let mut file = source::open(&self.file)?;
        let (mut all, mut ordinal) = (Vec::new(), 0);
        loop {
            let rows = file.next_batch(16 * 1024)?;
            if rows.is_empty() {
                return Ok(all);
            }
            all.extend(self.apply(rows, &mut ordinal));
        }
    }
}

impl ViewJoinPlan {
    fn build_table(&self, child_width: usize) -> Result<HashMap<Vec<String>, Vec<Fields>>, Error> {
        let mut table: HashMap<Vec<String>, Vec<Fields>> = HashMap::new();
        let mut scratch = String::new();
        // The joined fields' columns sit at the end of the child's.
        let width = child_width.max(self.fields.iter().map(|f| f.index_column + 1).max().unwrap_or(0));
        for row in self.parent.read_all()? {
            let Record::Fields(parent_fields) = &row.record else { continue };
            let keys = join_keys(&self.parent_keys, &row, &mut scratch);
            if keys.is_empty() {
                continue;
            }
            let empty = vec![Vec::new(); width];
            let mut joined = fill(&self.fields, &row.record, row.line, vec![empty]).pop().unwrap_or_default();
            self.carry_indexes(parent_fields, &mut joined);
            for key in keys {
                table.entry(key).or_default().push(joined.clone());
            }
        }
        Ok(table)
    }

    /// A joined field that names a parent's field takes that field's index
    /// too (`json_item.#` is `item.#` of the parent, RMLLVTC0006f).
    fn carry_indexes(&self, parent_fields: &Fields, joined: &mut Fields) {
        for field in &self.fields {
            let FieldKindPlan::Expression(term) = &field.kind else { continue };
            let ValuePlan::Reference(Expression::Field(parent_column)) = &term.value else { continue };
            let index_name = format!("{}.#", self.parent.columns[*parent_column]);
            if let Some(index) = self.parent.columns.iter().position(|c| *c == index_name) {
                joined[field.index_column].clone_from(&parent_fields[index]);
            }
        }
    }

    fn join(&self, records: Vec<Fields>, line: u64) -> Vec<Fields> {
        let table = self.table.get().expect("views are prepared before they are applied");
        let mut scratch = String::new();
        let mut out = Vec::new();
        for record in records {
            let row = Row::new(line, Record::Fields(Box::new(record)));
            let mut matches: Vec<&Fields> = Vec::new();
            for key in join_keys(&self.child_keys, &row, &mut scratch) {
                matches.extend(table.get(&key).into_iter().flatten());
            }
            let Record::Fields(record) = row.record else { unreachable!("made above") };
            let record = *record;
            if matches.is_empty() {
                if !self.inner {
                    out.push(record);
                }
                continue;
            }
            for joined in matches {
                let mut combined = record.clone();
                for (column, values) in joined.iter().enumerate() {
                    if !values.is_empty() && column < combined.len() {
                        combined[column] = values.clone();
                    }
                }
                out.push(combined);
            }
        }
        out
    }
}

/// Fills `fields` from `record` into each of `records`, multiplying them
/// where a field iterates.
fn fill(fields: &[FieldPlan], record: &Record, line: u64, mut records: Vec<Fields>) -> Vec<Fields> {
    let row = Row::new(line, record.clone());
    let mut scratch = String::new();
    for field in fields {
        let items: Vec<(Value, Option<Record>)> = match &field.kind {
            FieldKindPlan::Expression(term) => {
                let mut terms = Vec::new();
                let _ = term.generate_all(&row, &mut scratch, &mut terms);
                terms
                    .iter()
                    .map(|t| {
                        let value = value_of_term(t);
                        let child =
                            (!field.children.is_empty()).then(|| parse(&value.text, field.child_format)).flatten();
                        (value, child)
                    })
                    .collect()
            }
            FieldKindPlan::Iterable { iterator, parse_as } => {
                let parsed = parse_as.and_then(|format| match record {
                    Record::Fields(_) | Record::Csv(_) => None,
                    _ => parse(&record_text(record), Some(format)),
                });
                let base = parsed.as_ref().unwrap_or(record);
                let selected = match iterator {
                    Some(iterator) => iterator.select(base),
                    None => vec![base.clone()],
                };
                selected.into_iter().map(|r| (Value::plain(record_text(&r)), Some(r))).collect()
            }
        };
        // Every value of a field is a record of its own, with its index in
        // `field.#` (RMLLVTC0004c); a field without values leaves the record
        // as it is, with the field empty, so that its other fields still map.
        if items.is_empty() {
            continue;
        }
        let mut expanded = Vec::new();
        for record in &records {
            for (index, (value, child)) in items.iter().enumerate() {
                let mut next = record.clone();
                next[field.column] = vec![value.clone()];
                next[field.index_column] = vec![Value { text: index.to_string(), datatype: Some(XSD_INTEGER) }];
                match child {
                    Some(child) => expanded.extend(fill(&field.children, child, line, vec![next])),
                    None => expanded.push(next),
                }
            }
        }
        records = expanded;
    }
    records
}

/// A value read as a record of `format`: a JSON text in a CSV cell, or a
/// CSV text (with its header) in a JSON or XML value. A CSV text becomes a
/// JSON array of one object per row, its header the members' names: its
/// header is only known per value, so its fields are compiled as members
/// (see `Compiler::fields`).
fn parse(text: &str, format: Option<Format>) -> Option<Record> {
    match format {
        Some(Format::Json) => Some(Record::Json(Box::new(
            serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned())),
        ))),
        Some(Format::Csv { delimiter }) => {
            let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(text.as_bytes());
            let header = reader.headers().ok()?.clone();
            let rows = reader
                .records()
                .filter_map(Result::ok)
                .map(|row| {
                    let members = header.iter().zip(row.iter());
                    serde_json::Value::Object(
                        members.map(|(name, cell)| (name.to_owned(), serde_json::Value::from(cell))).collect(),
                    )
                })
                .collect();
            Some(Record::Json(Box::new(serde_json::Value::Array(rows))))
        }
        _ => None,
    }
}

/// A record as text, for a field that names it (an iterated JSON value).
fn record_text(record: &Record) -> String {
    match record {
        Record::Json(value) if value.is_string() => value.as_str().unwrap_or_default().to_owned(),
        Record::Json(value) => value.to_string(),
        Record::Csv(row) => row.iter().collect::<Vec<_>>().join(","),
        Record::Xml(_) | Record::Fields(_) => String::new(),
    }
}
