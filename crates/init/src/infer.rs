//! What a column holds, from its values: the datatype a property gets, and
//! which column identifies a row.

use factgraph_rml::source::{xsd, Value};
use std::collections::HashSet;

/// The datatype of a column's values, the narrowest that all of them fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Decimal,
    Double,
    Boolean,
    Date,
    DateTime,
    /// A time of day: only from a database column of that type.
    Time,
    /// Bytes, as hexadecimal: only from a database column of that type.
    HexBinary,
    /// Anything else, and a column with no value at all: plain strings.
    Text,
}

impl Kind {
    /// The XML Schema datatype's local name (`integer`, `date`, `string`).
    pub fn xsd_name(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Decimal => "decimal",
            Self::Double => "double",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::DateTime => "dateTime",
            Self::Time => "time",
            Self::HexBinary => "hexBinary",
            Self::Text => "string",
        }
    }

    /// The kind of one value: its own datatype where its source gives one
    /// (a database or a spreadsheet), else what its text looks like (CSV).
    ///
    /// ```
    /// use factgraph_init::infer::Kind;
    /// use factgraph_rml::source::Value;
    /// assert_eq!(Kind::of(&Value::plain("2014-03-26")), Kind::Date);
    /// assert_eq!(Kind::of(&Value::plain("-12")), Kind::Integer);
    /// assert_eq!(Kind::of(&Value::plain("50.5")), Kind::Decimal);
    /// assert_eq!(Kind::of(&Value::plain("21Vianet")), Kind::Text);
    /// ```
    pub fn of(value: &Value) -> Self {
        match value.datatype {
            Some(datatype) => Self::of_datatype(datatype),
            None => Self::of_text(&value.text),
        }
    }

    /// The kind of values of this datatype (an IRI), text for one init
    /// does not type.
    pub fn of_datatype(datatype: &str) -> Self {
        match datatype {
            d if d == xsd::INTEGER => Self::Integer,
            d if d == xsd::DECIMAL => Self::Decimal,
            d if d == xsd::DOUBLE => Self::Double,
            d if d == xsd::BOOLEAN => Self::Boolean,
            d if d == xsd::DATE => Self::Date,
            d if d == xsd::DATE_TIME => Self::DateTime,
            d if d == xsd::TIME => Self::Time,
            d if d == xsd::HEX_BINARY => Self::HexBinary,
            _ => Self::Text,
        }
    }

    fn of_text(text: &str) -> Self {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        // A leading zero ("007", a postcode, an identifier) is text: as an
        // integer it would lose the zero.
        let leading_zero = unsigned.len() > 1 && unsigned.starts_with('0') && !unsigned.starts_with("0.");
        if digits(unsigned) && !leading_zero {
            return Self::Integer;
        }
        if let Some((whole, fraction)) = unsigned.split_once('.') {
            if digits(whole) && digits(fraction) && !leading_zero {
                return Self::Decimal;
            }
        }
        match text {
            "true" | "false" => return Self::Boolean,
            _ if is_date(text) => return Self::Date,
            _ => {}
        }
        match text.split_once('T') {
            Some((date, time)) if is_date(date) && is_time(time) => Self::DateTime,
            _ => Self::Text,
        }
    }

    /// The narrowest kind that holds values of both kinds.
    fn join(self, other: Self) -> Self {
        match (self, other) {
            (a, b) if a == b => a,
            (Self::Integer, Self::Decimal) | (Self::Decimal, Self::Integer) => Self::Decimal,
            (Self::Integer | Self::Decimal, Self::Double) | (Self::Double, Self::Integer | Self::Decimal) => {
                Self::Double
            }
            _ => Self::Text,
        }
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && text.bytes().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
        && (1..=12).contains(&text[5..7].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&text[8..10].parse::<u8>().unwrap_or(0))
}

fn is_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 8
        && bytes[2] == b':'
        && bytes[5] == b':'
        && bytes[..8].iter().filter(|b| b.is_ascii_digit()).count() == 6
}

/// What is learnt of one column from the rows read.
#[derive(Debug, Clone, Default)]
pub struct ColumnStats {
    kind: Option<Kind>,
    /// Rows with a value (not NULL, not empty).
    pub filled: u64,
    distinct: HashSet<String>,
    repeated: bool,
}

impl ColumnStats {
    pub fn add(&mut self, value: &Value) {
        if value.text.is_empty() {
            return;
        }
        self.filled += 1;
        let kind = Kind::of(value);
        self.kind = Some(self.kind.map_or(kind, |k| k.join(kind)));
        if !self.repeated && !self.distinct.insert(value.text.clone()) {
            self.repeated = true;
            self.distinct = HashSet::new();
        }
    }

    /// The column's kind; text for a column with no value.
    pub fn kind(&self) -> Kind {
        self.kind.unwrap_or(Kind::Text)
    }

    /// Every row has a value, and no value repeats.
    fn identifies(&self, rows: u64) -> bool {
        rows > 0 && self.filled == rows && !self.repeated
    }
}

/// The column that identifies the rows of `table`: one named like an
/// identifier (`id`, `identifier`, `key`, `code`, `TABLE_id`, `TABLEid`)
/// whose values are all there and all different; else the first column
/// that holds text and is such; else none (subjects then come from the row
/// number).
///
/// ```
/// use factgraph_init::infer::{identifier, ColumnStats};
/// use factgraph_rml::source::Value;
/// let mut stats = vec![ColumnStats::default(), ColumnStats::default()];
/// for (name, code) in [("Azure", "AZ"), ("AWS", "AW")] {
///     stats[0].add(&Value::plain(name));
///     stats[1].add(&Value::plain(code));
/// }
/// assert_eq!(identifier("services", &["name".into(), "code".into()], &stats, 2), Some(1));
/// ```
pub fn identifier(table: &str, columns: &[String], stats: &[ColumnStats], rows: u64) -> Option<usize> {
    let singular = crate::names::singular(table);
    let named = |name: &str| {
        let name = name.to_lowercase().replace([' ', '-'], "_");
        ["id", "identifier", "key", "code", "uuid"].contains(&name.as_str())
            || [table, singular.as_str()].iter().any(|t| name == format!("{t}_id") || name == format!("{t}id"))
    };
    let usable = |i: &usize| stats[*i].identifies(rows);
    (0..columns.len())
        .filter(|i| named(&columns[*i]))
        .find(usable)
        .or_else(|| (0..columns.len()).filter(|i| stats[*i].kind() == Kind::Text).find(usable))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(values: &[&str]) -> Kind {
        let mut stats = ColumnStats::default();
        values.iter().for_each(|v| stats.add(&Value::plain(*v)));
        stats.kind()
    }

    #[test]
    fn a_column_is_of_the_narrowest_kind_all_its_values_fit() {
        assert_eq!(kind_of(&["1", "2", ""]), Kind::Integer);
        assert_eq!(kind_of(&["1", "2.5"]), Kind::Decimal);
        assert_eq!(kind_of(&["2013-03-14", "2014-01-01"]), Kind::Date);
        assert_eq!(kind_of(&["2013-03-14", "March"]), Kind::Text);
        assert_eq!(kind_of(&["007", "12"]), Kind::Text);
        assert_eq!(kind_of(&["2013-03-14T10:00:00", "2013-03-15T11:30:00Z"]), Kind::DateTime);
        assert_eq!(kind_of(&["2013-13-14"]), Kind::Text);
        assert_eq!(kind_of(&["true", "false"]), Kind::Boolean);
        assert_eq!(kind_of(&[]), Kind::Text);
    }

    #[test]
    fn an_identifier_is_complete_and_unique() {
        let stats = |values: &[&str]| {
            let mut s = ColumnStats::default();
            values.iter().for_each(|v| s.add(&Value::plain(*v)));
            s
        };
        let columns = ["id".to_owned(), "name".to_owned()];
        let unique = [stats(&["1", "2"]), stats(&["Ada", "Bo"])];
        assert_eq!(identifier("people", &columns, &unique, 2), Some(0));
        let repeated = [stats(&["1", "1"]), stats(&["Ada", "Bo"])];
        assert_eq!(identifier("people", &columns, &repeated, 2), Some(1), "then the first unique text column");
        let none = [stats(&["1", ""]), stats(&["Ada", "Ada"])];
        assert_eq!(identifier("people", &columns, &none, 2), None);
        let person_id = ["person_id".to_owned()];
        assert_eq!(identifier("persons", &person_id, &[stats(&["7", "8"])], 2), Some(0));
    }
}
