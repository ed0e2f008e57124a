//! Reads a project's description of its data (`data/generate.toml`) into
//! steps the generator runs. Everything about a project's tables lives in
//! that file, beside the CSV files it describes, so that adding a column to
//! the data means editing the description rather than Rust, and so that a
//! researcher's own project can be generated too.
//!
//! A mistake in the description (an unknown key, a name used before a step
//! sets it, a table that cites one that does not exist) stops the reading
//! with the table and step it is in, before any file is written.

use super::error::Fault;
use super::rng::code_hash;
use super::template::{condition, Expr, Template, Test};
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use toml::{Table as Toml, Value as TomlValue};

/// The description's file name, in the project's data folder.
pub const DESCRIPTION_FILE: &str = "generate.toml";

#[derive(Debug)]
pub(super) struct Description {
    pub path: PathBuf,
    pub tables: Vec<Table>,
}

/// One CSV file.
#[derive(Debug)]
pub(super) struct Table {
    /// The file name without `.csv`; rows cite the table by it.
    pub name: String,
    pub code_hash: u64,
    pub rows: Rows,
    pub steps: Vec<Step>,
    /// Named slots come first, in the order of their steps; generators used
    /// with `use` keep their own values in the slots after them.
    pub slots: usize,
    pub names: FxHashMap<String, usize>,
    /// The step that sets each named slot.
    pub set_by: Vec<usize>,
    /// The slots that the steps up to each one use: a cited row runs only
    /// the steps up to the field it is cited for.
    pub slots_up_to: Vec<usize>,
    pub columns: Vec<(String, usize)>,
    /// The slot that a citation of a row writes (its `id`).
    pub key: Option<usize>,
    /// The first rows' values for some named slots, kept as they are.
    pub fixed: Vec<Vec<Option<Value>>>,
}

/// A table's number of rows for N: N (or the rows of table `of`) divided by
/// `per` (rounded up to a multiple of `multiple_of` if given), times
/// `times`, at least `min`, plus `plus`.
#[derive(Debug, Clone)]
pub(super) struct Rows {
    pub of: Option<usize>,
    pub per: u64,
    pub multiple_of: Option<u64>,
    pub times: u64,
    pub min: u64,
    pub plus: u64,
}

#[derive(Debug)]
pub(super) enum Step {
    Set(usize, Gen),
    /// The row's random numbers start again from its seed.
    Restart,
}

/// A list item: a string, or named parts (`{ en = "Baihui", zh = "百会" }`).
#[derive(Debug, Clone)]
pub(super) enum Item {
    Text(Rc<str>),
    Parts(Parts),
}

/// An item's parts, by name; shared, as all text that the description
/// itself holds, so that picking copies no text.
pub(super) type Parts = Rc<[(String, Rc<str>)]>;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Empty,
    Bool(bool),
    /// Text made for this row.
    Text(String),
    /// Text of the description: a list item, a fixed value, a literal.
    Shared(Rc<str>),
    Row {
        table: usize,
        index: u64,
    },
    Parts(Parts),
}

#[derive(Debug)]
pub(super) enum Gen {
    Empty,
    Value(Value),
    Text {
        template: Template,
        replace: Vec<(String, String)>,
    },
    Chance {
        percent: u64,
        then: Option<Box<Gen>>,
        otherwise: Box<Gen>,
    },
    If {
        tests: Vec<Test>,
        then: Box<Gen>,
        otherwise: Box<Gen>,
    },
    Match {
        slot: usize,
        cases: Vec<(String, Gen)>,
        otherwise: Box<Gen>,
    },
    OneOf(Vec<Gen>),
    Pick(Rc<[Item]>),
    Cycle(Vec<Gen>),
    Date {
        first_year: u64,
        years: u64,
        day: bool,
    },
    Row {
        table: usize,
        pick: RowPick,
    },
    /// A `use`: its values, then its result.
    Use {
        steps: Vec<(usize, Gen)>,
        result: Box<Gen>,
    },
    UnlessEqual {
        gen: Box<Gen>,
        slot: usize,
    },
}

/// How a step chooses the row it cites.
#[derive(Debug)]
pub(super) enum RowPick {
    /// Row `at`, drawing nothing.
    At(Expr),
    /// A row from `from` (0) up to `to` (all the rows), excluded.
    Range { from: Expr, to: Option<Expr> },
    /// A row whose cycle column has a value (`where = "role = company"`):
    /// one of the cycle's `positions` in one of its whole cycles (those
    /// before this row's, if `earlier`).
    Where { cycle: u64, positions: Vec<u64>, earlier: bool },
    /// Another row than the one in slot `other`.
    OtherThan(usize),
}

const KINDS: [&str; 12] =
    ["text", "value", "chance", "if", "match", "one_of", "pick", "cycle", "date", "month", "row", "use"];

/// The problem of a project without a description.
pub(super) const MISSING: &str = "not found; generate fills the CSV files as this file describes: write one [tables.NAME] \
     for each NAME.csv with rows = { per = 10, min = 3 } (N/10 rows, at least 3) and steps = [ { column = \"id\", text = \"x{i}\" }, … ], \
     a step for each column of the header (see the README's \"Synthetic data\")";

impl Description {
    /// Reads the description in `text`, the contents of `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Self, Fault> {
        let toml: Toml = toml::from_str(text).map_err(|e| Fault::new(e.to_string().trim_end().replace('\n', " ")))?;
        only_keys(&toml, &["lists", "generators", "tables"], "the description")?;
        let (lists, generators, raw) =
            (section(&toml, "lists")?, section(&toml, "generators")?, section(&toml, "tables")?);
        let reader = Reader::new(&lists, &generators, &raw)?;
        let tables = raw.iter().map(|(name, table)| reader.table(name, table)).collect::<Result<Vec<_>, _>>()?;
        let description = Self { path: path.to_owned(), tables };
        description.check_sizes()?;
        Ok(description)
    }

    pub fn table(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
    }

    /// Rows of every table for N, in the description's order.
    pub fn rows(&self, n: u64) -> Vec<u64> {
        (0..self.tables.len()).map(|t| self.rows_of(t, n)).collect()
    }

    fn rows_of(&self, table: usize, n: u64) -> u64 {
        let rows = &self.tables[table].rows;
        let base = rows.of.map_or(n, |of| self.rows_of(of, n));
        let divided = match rows.multiple_of {
            Some(m) => base.div_ceil(rows.per.saturating_mul(m)).saturating_mul(m),
            None => base / rows.per,
        };
        divided.saturating_mul(rows.times).max(rows.min).saturating_add(rows.plus)
    }

    /// Sizes given by other tables' must not go in a circle.
    fn check_sizes(&self) -> Result<(), Fault> {
        for (start, table) in self.tables.iter().enumerate() {
            let mut seen = vec![start];
            let mut next = table.rows.of;
            while let Some(of) = next {
                if seen.contains(&of) {
                    let problem = format!("rows.of goes in a circle through {}", self.tables[of].name);
                    return Err(Fault::at(format!("tables.{}", table.name), problem));
                }
                seen.push(of);
                next = self.tables[of].rows.of;
            }
        }
        Ok(())
    }
}

fn section(toml: &Toml, key: &str) -> Result<Toml, Fault> {
    match toml.get(key) {
        None => Ok(Toml::new()),
        Some(TomlValue::Table(table)) => Ok(table.clone()),
        Some(_) => Err(Fault::new(format!("{key} must be a table: [{key}]"))),
    }
}

fn only_keys(table: &Toml, allowed: &[&str], place: &str) -> Result<(), Fault> {
    match table.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(Fault::at(place, format!("unknown key {key:?} (the keys here: {})", allowed.join(", ")))),
        None => Ok(()),
    }
}

/// What reading a table needs to know about the others.
struct Reader<'t> {
    list_names: Vec<String>,
    lists: Vec<Rc<[Item]>>,
    generators: &'t Toml,
    raw: &'t Toml,
    table_names: Vec<String>,
}

/// The names a step may use: set by earlier steps (or given by `with`).
struct Scope {
    names: Vec<(String, usize)>,
    /// The next free slot.
    next: usize,
    /// Depth of `use` inside `use`.
    depth: usize,
}

impl Scope {
    fn get(&self, name: &str) -> Option<usize> {
        self.names.iter().rev().find(|(n, _)| n == name).map(|(_, slot)| *slot)
    }

    fn resolve(&self) -> impl Fn(&str) -> Option<usize> + '_ {
        |name| self.get(name)
    }
}

impl<'t> Reader<'t> {
    fn new(lists: &'t Toml, generators: &'t Toml, raw: &'t Toml) -> Result<Self, Fault> {
        let mut list_names = Vec::new();
        let mut items = Vec::new();
        for (name, value) in lists {
            list_names.push(name.clone());
            items.push(list(value).map_err(|e| e.within(format!("lists.{name}")))?);
        }
        let table_names = raw.keys().cloned().collect();
        Ok(Self { list_names, lists: items, generators, raw, table_names })
    }

    fn table(&self, name: &str, value: &TomlValue) -> Result<Table, Fault> {
        let place = format!("tables.{name}");
        let raw = value.as_table().ok_or_else(|| Fault::at(&place, "must be a table"))?;
        only_keys(raw, &["code", "rows", "key", "fixed", "steps"], &place)?;
        let code = match raw.get("code") {
            Some(code) => code.as_str().ok_or_else(|| Fault::at(&place, "code must be a string"))?,
            None => name,
        };
        let steps = raw_steps(raw, &place)?;
        let (names, set_by) = step_names(steps, &place)?;
        let mut table = Table {
            name: name.to_owned(),
            code_hash: code_hash(code),
            rows: self.rows(raw.get("rows"), &place)?,
            steps: Vec::new(),
            slots: names.len(),
            columns: Vec::new(),
            key: None,
            fixed: Vec::new(),
            names: names.iter().cloned().enumerate().map(|(slot, name)| (name, slot)).collect(),
            set_by,
            slots_up_to: Vec::new(),
        };
        self.read_steps(&mut table, steps, &place)?;
        table.key = match raw.get("key") {
            None => table.names.get("id").copied(),
            Some(key) => Some(
                key.as_str()
                    .and_then(|k| table.names.get(k).copied())
                    .ok_or_else(|| Fault::at(&place, "key must name a step"))?,
            ),
        };
        table.fixed = fixed_rows(raw.get("fixed"), &table.names, &place)?;
        Ok(table)
    }

    fn rows(&self, value: Option<&TomlValue>, place: &str) -> Result<Rows, Fault> {
        let place = format!("{place}.rows");
        let raw = value
            .and_then(TomlValue::as_table)
            .ok_or_else(|| Fault::at(&place, "give the rows, e.g. rows = { per = 20, min = 3 }"))?;
        only_keys(raw, &["of", "per", "multiple_of", "times", "min", "plus"], &place)?;
        let number = |key: &str, default: u64| -> Result<u64, Fault> {
            match raw.get(key) {
                None => Ok(default),
                Some(v) => v
                    .as_integer()
                    .and_then(|n| u64::try_from(n).ok())
                    .ok_or_else(|| Fault::at(&place, format!("{key} must be a whole number"))),
            }
        };
        let of = match raw.get("of") {
            None => None,
            Some(v) => Some(
                v.as_str()
                    .and_then(|t| self.table_index(t))
                    .ok_or_else(|| Fault::at(&place, "of must name a table"))?,
            ),
        };
        let positive = |key: &str| match number(key, 1)? {
            0 => Err(Fault::at(&place, format!("{key} must be at least 1"))),
            n => Ok(n),
        };
        let multiple_of = raw.get("multiple_of").map(|_| positive("multiple_of")).transpose()?;
        Ok(Rows {
            of,
            per: positive("per")?,
            multiple_of,
            times: number("times", 1)?,
            min: number("min", 0)?,
            plus: number("plus", 0)?,
        })
    }

    fn table_index(&self, name: &str) -> Option<usize> {
        self.table_names.iter().position(|n| n == name)
    }

    fn read_steps(&self, table: &mut Table, steps: &[TomlValue], place: &str) -> Result<(), Fault> {
        let mut scope = Scope { names: Vec::new(), next: table.slots, depth: 0 };
        for (number, raw) in steps.iter().enumerate() {
            let raw = raw.as_table().expect("checked by step_names");
            let (label, target) = step_label(raw);
            let place = format!("{place}, step {} ({label})", number + 1);
            let named = table.set_by.iter().filter(|s| **s <= number).count();
            let before = table.slots_up_to.last().copied().unwrap_or(0);
            if raw.contains_key("restart") {
                only_keys(raw, &["restart"], &place)?;
                if raw["restart"].as_bool() != Some(true) {
                    return Err(Fault::at(&place, "write restart = true, or leave the step out"));
                }
                table.steps.push(Step::Restart);
                table.slots_up_to.push(before);
                continue;
            }
            let first_own = scope.next;
            let slot = table.names[target];
            let gen = self.gen_in(raw, &mut scope, &place, &table.name)?;
            table.steps.push(Step::Set(slot, gen));
            // Named slots so far, and this step's own `use` slots.
            let own = if scope.next > first_own { scope.next } else { 0 };
            table.slots_up_to.push(before.max(named).max(own));
            if raw.contains_key("column") {
                table.columns.push((target.to_owned(), slot));
            }
            scope.names.push((target.to_owned(), slot));
        }
        table.slots = scope.next;
        Ok(())
    }

    /// A generator: a string is a template, a table has one kind of key.
    fn gen(&self, value: &TomlValue, scope: &mut Scope, place: &str, table: &str) -> Result<Gen, Fault> {
        match value {
            TomlValue::String(text) => self.text(text, None, scope, place),
            TomlValue::Table(raw) if raw.contains_key("column") || raw.contains_key("let") => {
                Err(Fault::at(place, "column and let name whole steps, not the generators inside them"))
            }
            TomlValue::Table(raw) => self.gen_in(raw, scope, place, table),
            _ => Err(Fault::at(place, "a generator is a template string or a table such as { pick = \"list\" }")),
        }
    }

    fn gen_in(&self, raw: &Toml, scope: &mut Scope, place: &str, table: &str) -> Result<Gen, Fault> {
        let kinds: Vec<&str> = KINDS.iter().copied().filter(|k| raw.contains_key(*k)).collect();
        if kinds.len() > 1 {
            return Err(Fault::at(place, format!("one of {} per step, not {}", KINDS.join(", "), kinds.join(" and "))));
        }
        let kind = kinds.first().copied().unwrap_or("");
        only_keys(raw, &allowed_keys(kind), place)?;
        let gen = self.gen_of_kind(kind, raw, scope, place, table)?;
        match raw.get("unless_equal") {
            None => Ok(gen),
            Some(name) => {
                let name = name.as_str().ok_or_else(|| Fault::at(place, "unless_equal names a value"))?;
                let slot = scope
                    .get(name)
                    .ok_or_else(|| Fault::at(place, format!("unless_equal {name:?} is not set by an earlier step")))?;
                Ok(Gen::UnlessEqual { gen: Box::new(gen), slot })
            }
        }
    }

    fn gen_of_kind(&self, kind: &str, raw: &Toml, scope: &mut Scope, place: &str, table: &str) -> Result<Gen, Fault> {
        let field = |key: &str| raw.get(key).expect("the kind's key is there");
        match kind {
            "" => Ok(Gen::Empty),
            "text" => self.text(string(field("text"), place)?, raw.get("replace"), scope, place),
            "value" => literal(field("value"), place),
            "chance" => self.chance(raw, scope, place, table),
            "if" => self.if_(raw, scope, place, table),
            "match" => self.match_(raw, scope, place, table),
            "one_of" => Ok(Gen::OneOf(self.gens(field("one_of"), scope, place, table)?)),
            "pick" => self.pick(field("pick"), place),
            "cycle" => Ok(Gen::Cycle(self.gens(field("cycle"), scope, place, table)?)),
            "date" | "month" => date(field(kind), kind == "date", place),
            "row" => self.row(raw, scope, place, table),
            _ => self.use_(raw, scope, place, table),
        }
    }

    fn gens(&self, value: &TomlValue, scope: &mut Scope, place: &str, table: &str) -> Result<Vec<Gen>, Fault> {
        let items =
            value.as_array().filter(|a| !a.is_empty()).ok_or_else(|| Fault::at(place, "give a list of choices"))?;
        items.iter().map(|item| self.gen(item, scope, place, table)).collect()
    }

    fn text(&self, text: &str, replace: Option<&TomlValue>, scope: &Scope, place: &str) -> Result<Gen, Fault> {
        let template = Template::parse(text, &scope.resolve()).map_err(|e| e.within(place))?;
        let replace = match replace {
            None => Vec::new(),
            Some(value) => pairs(value).ok_or_else(|| Fault::at(place, "replace is a list of [from, to] pairs"))?,
        };
        if let Some(text) = template.literal() {
            let text = replace.iter().fold(text.to_owned(), |text, (from, to)| text.replace(from.as_str(), to));
            return Ok(Gen::Value(if text.is_empty() { Value::Empty } else { Value::Shared(text.into()) }));
        }
        Ok(Gen::Text { template, replace })
    }

    fn optional(&self, raw: &Toml, key: &str, scope: &mut Scope, place: &str, table: &str) -> Result<Box<Gen>, Fault> {
        Ok(Box::new(match raw.get(key) {
            Some(value) => self.gen(value, scope, place, table)?,
            None => Gen::Empty,
        }))
    }

    fn chance(&self, raw: &Toml, scope: &mut Scope, place: &str, table: &str) -> Result<Gen, Fault> {
        let percent = raw["chance"].as_integer().and_then(|p| u64::try_from(p).ok()).filter(|p| *p <= 100);
        let percent = percent.ok_or_else(|| Fault::at(place, "chance is a percentage, 0 to 100"))?;
        if raw.contains_key("else") && !raw.contains_key("then") {
            return Err(Fault::at(place, "a chance with else needs then"));
        }
        let then = raw.get("then").map(|t| self.gen(t, scope, place, table).map(Box::new)).transpose()?;
        Ok(Gen::Chance { percent, then, otherwise: self.optional(raw, "else", scope, place, table)? })
    }

    fn if_(&self, raw: &Toml, scope: &mut Scope, place: &str, table: &str) -> Result<Gen, Fault> {
        let tests = condition(string(&raw["if"], place)?, &scope.resolve()).map_err(|e| e.within(place))?;
        let then = raw.get("then").ok_or_else(|| Fault::at(place, "an if needs then (and may have else)"))?;
        let then = Box::new(self.gen(then, scope, place, table)?);
        Ok(Gen::If { tests, then, otherwise: self.optional(raw, "else", scope, place, table)? })
    }

    fn match_(&self, raw: &Toml, scope: &mut Scope, place: &str, table: &str) -> Result<Gen, Fault> {
        let name = string(&raw["match"], place)?;
        let slot =
            scope.get(name).ok_or_else(|| Fault::at(place, format!("match {name:?} is not set by an earlier step")))?;
        let cases = raw
            .get("cases")
            .and_then(TomlValue::as_table)
            .ok_or_else(|| Fault::at(place, "a match needs cases = { value = … }"))?;
        let cases = cases
            .iter()
            .map(|(value, gen)| Ok((value.clone(), self.gen(gen, scope, place, table)?)))
            .collect::<Result<Vec<_>, Fault>>()?;
        Ok(Gen::Match { slot, cases, otherwise: self.optional(raw, "else", scope, place, table)? })
    }

    fn pick(&self, value: &TomlValue, place: &str) -> Result<Gen, Fault> {
        match value {
            TomlValue::String(name) => match self.list_names.iter().position(|n| n == name) {
                Some(list) => Ok(Gen::Pick(self.lists[list].clone())),
                None => Err(Fault::at(place, format!("no list {name:?} in [lists]"))),
            },
            _ => list(value)
                .map(Gen::Pick)
                .map_err(|e| Fault::at(place, format!("pick names a list of [lists], or gives one: {e}"))),
        }
    }

    fn row(&self, raw: &Toml, scope: &mut Scope, place: &str, table: &str) -> Result<Gen, Fault> {
        let name = string(&raw["row"], place)?;
        let cited =
            self.table_index(name).ok_or_else(|| Fault::at(place, format!("no table {name:?} in the description")))?;
        let expr =
            |key: &str| raw.get(key).map(|v| expr(v).map_err(|e| e.within(format!("{place}: {key}")))).transpose();
        let ways = [["at"].as_slice(), &["where", "earlier"], &["other_than"], &["from", "to"]];
        let given: Vec<&str> =
            ways.iter().filter(|keys| keys.iter().any(|k| raw.contains_key(*k))).map(|keys| keys[0]).collect();
        if given.len() > 1 {
            return Err(Fault::at(
                place,
                format!("a row is chosen by at, where, other_than or from and to; not by {}", given.join(" and ")),
            ));
        }
        if !self.has_key(name) {
            return Err(Fault::at(
                place,
                format!("tables.{name} is cited, but no step sets its id (or the column its `key` names)"),
            ));
        }
        let pick = if let Some(at) = expr("at")? {
            RowPick::At(at)
        } else if let Some(test) = raw.get("where") {
            self.where_(string(test, place)?, name, raw.get("earlier"), table, place)?
        } else if let Some(other) = raw.get("other_than") {
            let other = string(other, place)?;
            RowPick::OtherThan(
                scope
                    .get(other)
                    .ok_or_else(|| Fault::at(place, format!("other_than {other:?} is not set by an earlier step")))?,
            )
        } else {
            RowPick::Range { from: expr("from")?.unwrap_or(Expr::Number(0)), to: expr("to")? }
        };
        Ok(Gen::Row { table: cited, pick })
    }

    /// `where = "role = company"`: the cited table's `role` must be a
    /// `cycle` of strings, so that the row's index tells its role.
    fn where_(
        &self,
        test: &str,
        cited: &str,
        earlier: Option<&TomlValue>,
        table: &str,
        place: &str,
    ) -> Result<RowPick, Fault> {
        let (column, value) = test
            .split_once('=')
            .map(|(c, v)| (c.trim(), v.trim()))
            .ok_or_else(|| Fault::at(place, "where is \"column = value\""))?;
        let earlier = earlier
            .map(|e| e.as_bool().ok_or_else(|| Fault::at(place, "earlier is true or false")))
            .transpose()?
            .unwrap_or(false);
        if earlier && cited != table {
            return Err(Fault::at(place, "earlier cites rows of the same table only"));
        }
        let cycle = self.cycle_of(cited, column).ok_or_else(|| {
            Fault::at(place, format!("where {test:?} needs tables.{cited} to set {column:?} with a cycle of strings"))
        })?;
        let positions: Vec<u64> = (0u64..).zip(&cycle).filter(|(_, v)| *v == value).map(|(p, _)| p).collect();
        if positions.is_empty() {
            return Err(Fault::at(place, format!("no {value:?} in the cycle of tables.{cited}.{column}")));
        }
        Ok(RowPick::Where { cycle: cycle.len() as u64, positions, earlier })
    }

    fn has_key(&self, table: &str) -> bool {
        let Some(raw) = self.raw.get(table) else {
            return false;
        };
        let key = raw.get("key").and_then(TomlValue::as_str).unwrap_or("id");
        let steps = raw.get("steps").and_then(TomlValue::as_array).map_or(&[][..], Vec::as_slice);
        steps.iter().filter_map(TomlValue::as_table).any(|s| step_label(s).1 == key)
    }

    fn cycle_of(&self, table: &str, column: &str) -> Option<Vec<String>> {
        let steps = self.raw.get(table)?.get("steps")?.as_array()?;
        let step = steps.iter().filter_map(TomlValue::as_table).find(|s| step_label(s).1 == column)?;
        step.get("cycle")?
            .as_array()?
            .iter()
            .map(|v| v.as_str().filter(|s| !s.contains('{')).map(str::to_owned))
            .collect()
    }

    /// `use = "prose"`, `with = { subject = "{name_en}" }`: the generator's
    /// values get slots of their own in this row; it sees only `with` and
    /// its own steps.
    fn use_(&self, raw: &Toml, scope: &mut Scope, place: &str, table: &str) -> Result<Gen, Fault> {
        let name = string(&raw["use"], place)?;
        let body = self
            .generators
            .get(name)
            .and_then(TomlValue::as_table)
            .ok_or_else(|| Fault::at(place, format!("no [generators.{name}]")))?;
        if scope.depth > 8 {
            return Err(Fault::at(place, "generators use each other in a circle"));
        }
        let place = format!("{place}, generators.{name}");
        let (mut inner, mut steps) = self.bind_with(raw, scope, &place, table)?;
        self.use_steps(body, &mut inner, &mut steps, &place, table)?;
        let mut rest = body.clone();
        rest.remove("steps");
        let result = self.gen_in(&rest, &mut inner, &place, table)?;
        scope.next = inner.next;
        Ok(Gen::Use { steps, result: Box::new(result) })
    }

    /// The values that `with` gives a generator, in the order of their
    /// names, each worked out in the scope of the step that uses the
    /// generator; a bare "{name}" is that value itself, not a copy of its
    /// text. Returns the generator's scope and the steps that set them.
    fn bind_with(
        &self,
        raw: &Toml,
        scope: &mut Scope,
        place: &str,
        table: &str,
    ) -> Result<(Scope, Vec<(usize, Gen)>), Fault> {
        let with = match raw.get("with") {
            None => Toml::new(),
            Some(with) => with.as_table().cloned().ok_or_else(|| Fault::at(place, "with = { name = \"template\" }"))?,
        };
        let mut bound = Vec::new();
        for (param, value) in &with {
            let same = value.as_str().and_then(|text| bare_name(text, scope));
            let gen = match same {
                Some(_) => None,
                None => Some(self.gen(value, scope, place, table)?),
            };
            bound.push((param.clone(), same, gen));
        }
        let mut inner = Scope { names: Vec::new(), next: scope.next, depth: scope.depth + 1 };
        let mut steps = Vec::new();
        for (param, same, gen) in bound {
            let slot = same.unwrap_or(inner.next);
            if let Some(gen) = gen {
                steps.push((slot, gen));
                inner.next += 1;
            }
            inner.names.push((param, slot));
        }
        Ok((inner, steps))
    }

    fn use_steps(
        &self,
        body: &Toml,
        inner: &mut Scope,
        steps: &mut Vec<(usize, Gen)>,
        place: &str,
        table: &str,
    ) -> Result<(), Fault> {
        let Some(raw) = body.get("steps") else {
            return Ok(());
        };
        let raw = raw.as_array().ok_or_else(|| Fault::at(place, "steps is a list"))?;
        for step in raw {
            let step = step.as_table().ok_or_else(|| Fault::at(place, "a step is a table"))?;
            let name = step
                .get("let")
                .and_then(TomlValue::as_str)
                .ok_or_else(|| Fault::at(place, "a generator's steps are let = \"…\""))?;
            let mut gen_keys = step.clone();
            gen_keys.remove("let");
            let gen = self.gen_in(&gen_keys, inner, place, table)?;
            steps.push((inner.next, gen));
            inner.names.push((name.to_owned(), inner.next));
            inner.next += 1;
        }
        Ok(())
    }
}

/// The slot of a template that is only `{name}`.
fn bare_name(text: &str, scope: &Scope) -> Option<usize> {
    let name = text.strip_prefix('{')?.strip_suffix('}')?;
    scope.get(name).filter(|_| !name.contains(['{', '}', '.', '|']))
}

fn allowed_keys(kind: &str) -> Vec<&str> {
    let mut keys = vec!["column", "let", "unless_equal"];
    keys.extend_from_slice(match kind {
        "" => &[],
        "text" => &["text", "replace"],
        "chance" => &["chance", "then", "else"],
        "if" => &["if", "then", "else"],
        "match" => &["match", "cases", "else"],
        "row" => &["row", "at", "from", "to", "where", "earlier", "other_than"],
        "use" => &["use", "with"],
        _ => &[],
    });
    if !keys.contains(&kind) && !kind.is_empty() {
        keys.push(kind);
    }
    keys
}

fn raw_steps<'t>(raw: &'t Toml, place: &str) -> Result<&'t [TomlValue], Fault> {
    let steps = raw
        .get("steps")
        .and_then(TomlValue::as_array)
        .ok_or_else(|| Fault::at(place, "give steps = [ { column = \"id\", … }, … ]"))?;
    for (number, step) in steps.iter().enumerate() {
        if !step.is_table() {
            return Err(Fault::at(format!("{place}, step {}", number + 1), "a step is a table { column = \"…\", … }"));
        }
    }
    Ok(steps)
}

/// `column "id"`, `let "local"` or `restart`, and the name.
fn step_label(raw: &Toml) -> (String, &str) {
    for key in ["column", "let"] {
        if let Some(name) = raw.get(key).and_then(TomlValue::as_str) {
            return (format!("{key} {name:?}"), name);
        }
    }
    ("restart".into(), "")
}

/// The names of the steps, each set once, and the step that sets each.
fn step_names(steps: &[TomlValue], place: &str) -> Result<(Vec<String>, Vec<usize>), Fault> {
    let mut names = Vec::new();
    let mut set_by = Vec::new();
    let mut seen = FxHashSet::default();
    for (number, step) in steps.iter().enumerate() {
        let step = step.as_table().expect("checked by raw_steps");
        let place = format!("{place}, step {}", number + 1);
        let (label, name) = step_label(step);
        match (step.contains_key("column"), step.contains_key("let"), step.contains_key("restart")) {
            (true, false, false) | (false, true, false) => {}
            (false, false, true) => continue,
            _ => return Err(Fault::at(&place, "a step has one of column = \"…\", let = \"…\" or restart = true")),
        }
        if name.is_empty() || name == "i" || name == "rows" || name.contains(['.', '|', '{', '}']) {
            return Err(Fault::at(format!("{place} ({label})"), "not a name a template can use"));
        }
        if !seen.insert(name.to_owned()) {
            return Err(Fault::at(&place, format!("{label} is set twice")));
        }
        names.push(name.to_owned());
        set_by.push(number);
    }
    Ok((names, set_by))
}

fn fixed_rows(
    value: Option<&TomlValue>,
    names: &FxHashMap<String, usize>,
    place: &str,
) -> Result<Vec<Vec<Option<Value>>>, Fault> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let rows = value.as_array().ok_or_else(|| Fault::at(place, "fixed is a list of rows { id = \"…\", … }"))?;
    let mut fixed = Vec::new();
    for (number, row) in rows.iter().enumerate() {
        let row = row
            .as_table()
            .ok_or_else(|| Fault::at(format!("{place}.fixed"), format!("row {} is not a table", number + 1)))?;
        let mut values = vec![None; names.len()];
        for (name, value) in row {
            let slot = names.get(name).ok_or_else(|| {
                Fault::at(format!("{place}.fixed, row {}", number + 1), format!("no step sets {name:?}"))
            })?;
            let text = value.as_str().ok_or_else(|| {
                Fault::at(format!("{place}.fixed, row {}", number + 1), format!("{name} is not a string"))
            })?;
            values[*slot] = Some(if text.is_empty() { Value::Empty } else { Value::Shared(Rc::from(text)) });
        }
        fixed.push(values);
    }
    Ok(fixed)
}

fn list(value: &TomlValue) -> Result<Rc<[Item]>, Fault> {
    let items = value
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| Fault::new("a list is [\"a\", \"b\"] or [{ en = \"a\", zh = \"甲\" }]"))?;
    items.iter().map(item).collect()
}

fn item(value: &TomlValue) -> Result<Item, Fault> {
    match value {
        TomlValue::String(text) => Ok(Item::Text(text.as_str().into())),
        TomlValue::Table(parts) => parts
            .iter()
            .map(|(k, v)| {
                v.as_str().map(|v| (k.clone(), v.into())).ok_or_else(|| Fault::new(format!("part {k} is not a string")))
            })
            .collect::<Result<Rc<[_]>, _>>()
            .map(Item::Parts),
        _ => Err(Fault::new("an item is a string or a table of strings")),
    }
}

fn string<'v>(value: &'v TomlValue, place: &str) -> Result<&'v str, Fault> {
    value.as_str().ok_or_else(|| Fault::at(place, format!("{value} is not a string")))
}

fn literal(value: &TomlValue, place: &str) -> Result<Gen, Fault> {
    match value {
        TomlValue::Boolean(b) => Ok(Gen::Value(Value::Bool(*b))),
        TomlValue::String(text) => Ok(Gen::Value(Value::Shared(text.as_str().into()))),
        _ => Err(Fault::at(place, "value is true, false or a string")),
    }
}

fn expr(value: &TomlValue) -> Result<Expr, Fault> {
    match value {
        TomlValue::Integer(n) => {
            u64::try_from(*n).map(Expr::Number).map_err(|_| Fault::new(format!("{n} is negative")))
        }
        TomlValue::String(text) => Expr::parse(text),
        _ => Err(Fault::new(format!("{value} is not a number or an expression such as \"i / 3\""))),
    }
}

fn date(value: &TomlValue, day: bool, place: &str) -> Result<Gen, Fault> {
    let years: Option<Vec<u64>> =
        value.as_array().map(|a| a.iter().filter_map(|y| y.as_integer()?.try_into().ok()).collect());
    match years.as_deref() {
        Some(&[first, last]) if first <= last => Ok(Gen::Date { first_year: first, years: last - first + 1, day }),
        _ => Err(Fault::at(place, "give the first and the last year: [2008, 2015]")),
    }
}

fn pairs(value: &TomlValue) -> Option<Vec<(String, String)>> {
    value
        .as_array()?
        .iter()
        .map(|pair| match pair.as_array()?.as_slice() {
            [from, to] => Some((from.as_str()?.to_owned(), to.as_str()?.to_owned())),
            _ => None,
        })
        .collect()
}
