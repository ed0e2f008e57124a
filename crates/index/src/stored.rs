//! Literals as Oxigraph's store keeps them. The store keeps the values of
//! the XSD types it knows, not their text, so `"01"^^xsd:int` is stored, and
//! given back, as `"1"^^xsd:integer`, and a query's `"01"^^xsd:int` finds
//! it. The build's sorted runs, and so the index, hold the literals as the
//! store gives them back; a query's constants are put in the same form
//! before they are looked up, so that both paths answer alike.

use oxrdf::{Literal, LiteralRef};
use oxsdatatypes::{
    Boolean, Date, DateTime, DayTimeDuration, Decimal, Double, Duration, Float, GDay, GMonth, GMonthDay, GYear,
    GYearMonth, Integer, Time, YearMonthDuration,
};
use std::str::FromStr;

/// The literal as Oxigraph gives it back, when that differs from how it was
/// written. This follows Oxigraph's encoder (`storage/numeric_encoder.rs`)
/// type for type; the root crate's tests check it against a store.
pub fn as_stored(literal: LiteralRef<'_>) -> Option<Literal> {
    fn parse<T: FromStr + Into<Literal>>(value: &str) -> Option<Literal> {
        value.parse::<T>().ok().map(Into::into)
    }
    let value = literal.value();
    let stored = match literal.datatype().as_str().strip_prefix("http://www.w3.org/2001/XMLSchema#")? {
        "boolean" => parse::<Boolean>(value),
        "float" => parse::<Float>(value),
        "double" => parse::<Double>(value),
        "integer" | "byte" | "short" | "int" | "long" | "unsignedByte" | "unsignedShort" | "unsignedInt"
        | "unsignedLong" | "positiveInteger" | "negativeInteger" | "nonPositiveInteger" | "nonNegativeInteger" => {
            parse::<Integer>(value)
        }
        "decimal" => parse::<Decimal>(value),
        "dateTime" | "dateTimeStamp" => parse::<DateTime>(value),
        "time" => parse::<Time>(value),
        "date" => parse::<Date>(value),
        "gYearMonth" => parse::<GYearMonth>(value),
        "gYear" => parse::<GYear>(value),
        "gMonthDay" => parse::<GMonthDay>(value),
        "gDay" => parse::<GDay>(value),
        "gMonth" => parse::<GMonth>(value),
        "duration" => parse::<Duration>(value),
        "yearMonthDuration" => parse::<YearMonthDuration>(value),
        "dayTimeDuration" => parse::<DayTimeDuration>(value),
        _ => None,
    }?;
    (stored.as_ref() != literal).then_some(stored)
}
