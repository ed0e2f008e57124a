//! Lexical forms of XSD datatypes: a typed literal whose text is not a value
//! of its datatype (`2013-02-30` as `xsd:date`, `yes` as `xsd:boolean`) is a
//! data problem, reported with its row instead of stored as a broken value.

use oxsdatatypes::{
    Boolean, Date, DateTime, DayTimeDuration, Decimal, Double, Duration, Float, GDay, GMonth, GMonthDay, GYear,
    GYearMonth, Time, YearMonthDuration,
};
use std::str::FromStr;

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Checks `value` against the XSD datatype `datatype`; other datatypes are
/// not checked.
///
/// ```
/// use factgraph_rml::mapping::datatypes::check_lexical_form;
/// let date = "http://www.w3.org/2001/XMLSchema#date";
/// assert!(check_lexical_form("2013-03-14", date).is_ok());
/// assert!(check_lexical_form("2013-02-30", date).is_err());
/// ```
pub fn check_lexical_form(value: &str, datatype: &str) -> Result<(), String> {
    let Some(local) = datatype.strip_prefix(XSD) else {
        return Ok(());
    };
    let (valid, example) = match local {
        "boolean" => (Boolean::from_str(value).is_ok(), "true or false"),
        "date" => (Date::from_str(value).is_ok(), "a date such as 2013-03-14"),
        "dateTime" => (DateTime::from_str(value).is_ok(), "a date and time such as 2013-03-14T10:00:00"),
        "time" => (Time::from_str(value).is_ok(), "a time such as 10:00:00"),
        "gYear" => (GYear::from_str(value).is_ok(), "a year such as 2013"),
        "gYearMonth" => (GYearMonth::from_str(value).is_ok(), "a month such as 2012-11"),
        "gMonthDay" => (GMonthDay::from_str(value).is_ok(), "a day of the year such as --03-14"),
        "gMonth" => (GMonth::from_str(value).is_ok(), "a month such as --03"),
        "gDay" => (GDay::from_str(value).is_ok(), "a day such as ---14"),
        "duration" => (Duration::from_str(value).is_ok(), "a duration such as P1Y2M"),
        "dayTimeDuration" => (DayTimeDuration::from_str(value).is_ok(), "a duration such as P3DT4H"),
        "yearMonthDuration" => (YearMonthDuration::from_str(value).is_ok(), "a duration such as P1Y2M"),
        "decimal" => (Decimal::from_str(value).is_ok(), "a decimal number such as 12.5"),
        "double" => (Double::from_str(value).is_ok(), "a number such as 1.5E3"),
        "float" => (Float::from_str(value).is_ok(), "a number such as 1.5"),
        "integer" | "long" | "int" | "short" | "byte" | "nonNegativeInteger" | "positiveInteger"
        | "nonPositiveInteger" | "negativeInteger" | "unsignedLong" | "unsignedInt" => {
            (integer_in_range(value, local), "a whole number in the datatype's range")
        }
        _ => (true, ""),
    };
    if valid {
        Ok(())
    } else {
        Err(format!("{value:?} is not a valid xsd:{local}; expected {example}"))
    }
}

/// XSD integers have no size limit, so the lexical form is checked by hand
/// (`[+-]?[0-9]+`) before the range of the narrower types.
fn integer_in_range(value: &str, local: &str) -> bool {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Ok(number) = value.trim_start_matches('+').parse::<i128>() else {
        return local == "integer"; // arbitrary precision
    };
    match local {
        "long" => i64::try_from(number).is_ok(),
        "int" => i32::try_from(number).is_ok(),
        "short" => i16::try_from(number).is_ok(),
        "byte" => i8::try_from(number).is_ok(),
        "nonNegativeInteger" => number >= 0,
        "positiveInteger" => number > 0,
        "nonPositiveInteger" => number <= 0,
        "negativeInteger" => number < 0,
        "unsignedLong" => u64::try_from(number).is_ok(),
        "unsignedInt" => u32::try_from(number).is_ok(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::check_lexical_form;

    fn xsd(local: &str) -> String {
        format!("http://www.w3.org/2001/XMLSchema#{local}")
    }

    #[test]
    fn wrong_values_are_named_with_an_example() {
        assert_eq!(
            check_lexical_form("yes", &xsd("boolean")),
            Err("\"yes\" is not a valid xsd:boolean; expected true or false".into())
        );
        assert!(check_lexical_form("2013-02-30", &xsd("date")).is_err());
        assert!(check_lexical_form("2012-13", &xsd("gYearMonth")).is_err());
        assert!(check_lexical_form("300", &xsd("byte")).is_err());
        assert!(check_lexical_form("-1", &xsd("nonNegativeInteger")).is_err());
    }

    #[test]
    fn right_values_and_other_datatypes_pass() {
        assert!(check_lexical_form("2012-11", &xsd("gYearMonth")).is_ok());
        assert!(check_lexical_form("1", &xsd("boolean")).is_ok());
        assert!(check_lexical_form("99999999999999999999999", &xsd("integer")).is_ok());
        assert!(check_lexical_form("anything", "http://example.com/custom").is_ok());
    }
}
