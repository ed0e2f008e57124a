//! R2RML's natural RDF literals (section 10.2): the datatype a value takes
//! from its SQL column's type, shared by every database reader.

use crate::source::{xsd, Value};

/// The kinds of SQL types R2RML gives a natural datatype, and the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlKind {
    /// Character strings, intervals and anything unknown: a plain literal.
    Text,
    Integer,
    Decimal,
    Double,
    Boolean,
    Date,
    Time,
    DateTime,
    Binary,
}

impl SqlKind {
    /// The kind of a declared SQL type, by name as databases spell it
    /// (`INTEGER`, `int8`, `VARCHAR(50)`, `double precision`, `timestamp
    /// without time zone`, `DECIMAL(10,2)`, SQLite's `INT`…).
    ///
    /// ```
    /// use factgraph_rml::source::table::natural::SqlKind;
    /// assert_eq!(SqlKind::of_type_name("VARCHAR(50)"), SqlKind::Text);
    /// assert_eq!(SqlKind::of_type_name("bigint"), SqlKind::Integer);
    /// assert_eq!(SqlKind::of_type_name("timestamp without time zone"), SqlKind::DateTime);
    /// assert_eq!(SqlKind::of_type_name("NUMERIC(10, 2)"), SqlKind::Decimal);
    /// ```
    pub fn of_type_name(name: &str) -> Self {
        let name = name.trim().to_ascii_lowercase();
        let base = name.split(['(', ' ']).next().unwrap_or("");
        match base {
            "int" | "integer" | "smallint" | "bigint" | "tinyint" | "mediumint" | "int2" | "int4" | "int8"
            | "serial" | "bigserial" | "smallserial" => Self::Integer,
            "numeric" | "decimal" | "dec" => Self::Decimal,
            "float" | "float4" | "float8" | "real" | "double" => Self::Double,
            "boolean" | "bool" => Self::Boolean,
            "date" => Self::Date,
            "time" | "timetz" => Self::Time,
            "timestamp" | "timestamptz" | "datetime" => Self::DateTime,
            "binary" | "varbinary" | "blob" | "bytea" | "longblob" | "mediumblob" | "tinyblob" => Self::Binary,
            _ if name.starts_with("binary") || name.starts_with("bit varying") => Self::Binary,
            _ => Self::Text,
        }
    }

    /// The IRI of the natural datatype; `None` for a plain literal.
    pub fn datatype(self) -> Option<&'static str> {
        match self {
            Self::Text => None,
            Self::Integer => Some(xsd::INTEGER),
            Self::Decimal => Some(xsd::DECIMAL),
            Self::Double => Some(xsd::DOUBLE),
            Self::Boolean => Some(xsd::BOOLEAN),
            Self::Date => Some(xsd::DATE),
            Self::Time => Some(xsd::TIME),
            Self::DateTime => Some(xsd::DATE_TIME),
            Self::Binary => Some(xsd::HEX_BINARY),
        }
    }

    /// A value of this kind from the text a database gives for it, in the
    /// lexical form R2RML asks for (10.3): `true`/`false` for booleans, a
    /// `T` between a timestamp's date and time, the canonical form of a
    /// double (`1.0E1`).
    pub fn value(self, text: &str) -> Value {
        let text = match self {
            Self::Boolean => match text {
                "1" | "t" | "true" | "TRUE" => "true".to_owned(),
                "0" | "f" | "false" | "FALSE" => "false".to_owned(),
                other => other.to_owned(),
            },
            Self::DateTime => text.replacen(' ', "T", 1),
            Self::Double => text.parse::<f64>().map_or_else(|_| text.to_owned(), canonical_double),
            _ => text.to_owned(),
        };
        Value { text, datatype: self.datatype() }
    }
}

/// XML Schema's canonical lexical form of a double: a mantissa with one
/// digit before the point and at least one after, then `E` and the
/// exponent (`1.0E1`, `-2.5E-3`, `0.0E0`).
///
/// ```
/// use factgraph_rml::source::table::natural::canonical_double;
/// assert_eq!(canonical_double(10.0), "1.0E1");
/// assert_eq!(canonical_double(0.0025), "2.5E-3");
/// assert_eq!(canonical_double(0.0), "0.0E0");
/// ```
pub fn canonical_double(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "INF" } else { "-INF" }.into();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0.0E0" } else { "0.0E0" }.into();
    }
    // One string, written once: a table of doubles converts millions.
    use std::fmt::Write as _;
    let mut text = String::with_capacity(26);
    let _ = write!(text, "{value:E}");
    let exponent = text.find('E').unwrap_or(text.len());
    if !text[..exponent].contains('.') {
        text.insert_str(exponent, ".0");
    }
    if exponent == text.len() {
        text.push_str("E0");
    }
    text
}

/// Bytes as R2RML writes a binary value: upper-case hexadecimal.
///
/// ```
/// assert_eq!(factgraph_rml::source::table::natural::hex(&[0x0f, 0xa0]), "0FA0");
/// ```
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
        let _ = write!(out, "{byte:02X}");
        out
    })
}
