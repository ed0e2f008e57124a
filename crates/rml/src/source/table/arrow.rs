//! Arrow arrays as values, for the columnar files (Parquet, Arrow IPC):
//! each column's type gives its values their natural datatype, as R2RML
//! gives an SQL column's (integers `xsd:integer`, floating point
//! `xsd:double`, decimals `xsd:decimal`, `xsd:boolean`, `xsd:date`,
//! `xsd:dateTime`, `xsd:time`, `xsd:duration`, binary `xsd:hexBinary`,
//! strings plain). A list column gives a row as many values as its list
//! holds; a dictionary-encoded column (a pandas categorical) its values.

use super::natural::{canonical_double, hex};
use super::TableRow;
use crate::source::{xsd, Fields, Value};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrowPrimitiveType, OffsetSizeTrait, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};
use std::fmt::Display;

/// One row's value in a column: none for NULL.
type Cell<'a> = Box<dyn Fn(usize) -> Option<Value> + 'a>;

const DURATION: &str = oxrdf::vocab::xsd::DURATION.as_str();

/// The first column whose type has no values to map (a struct, a map, a
/// union, an interval), with its name and type; `Ok` when there is none.
pub(super) fn check(schema: &Schema) -> Result<(), String> {
    for field in schema.fields() {
        if let Some(unsupported) = unsupported(field.data_type()) {
            return Err(format!(
                "the column {:?} is of the type {unsupported}, which has no values factgraph can map; \
                 flatten it into columns of numbers, text, dates or lists of them",
                field.name()
            ));
        }
    }
    Ok(())
}

fn unsupported(data_type: &DataType) -> Option<&DataType> {
    match data_type {
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            unsupported(item.data_type())
        }
        DataType::Dictionary(_, values) => unsupported(values),
        DataType::Struct(_)
        | DataType::Map(..)
        | DataType::Union(..)
        | DataType::Interval(_)
        | DataType::RunEndEncoded(..)
        | DataType::ListView(_)
        | DataType::LargeListView(_) => Some(data_type),
        _ => None,
    }
}

/// A batch's rows, numbered from `first_line`.
pub(super) fn rows(batch: &RecordBatch, first_line: u64) -> Vec<TableRow> {
    let columns: Vec<_> = batch.columns().iter().map(|column| column_values(column.as_ref())).collect();
    (0..batch.num_rows())
        .map(|row| {
            let fields: Fields = columns.iter().map(|values| values(row)).collect();
            (first_line + row as u64, fields)
        })
        .collect()
}

/// A column's values in a row: one, none for NULL, or a list's.
fn column_values(array: &dyn Array) -> Box<dyn Fn(usize) -> Vec<Value> + '_> {
    list_values(array).unwrap_or_else(|| {
        let cell = cell(array);
        Box::new(move |row| cell(row).into_iter().collect())
    })
}

/// How to read a column's rows, chosen once per column and batch.
fn cell(array: &dyn Array) -> Cell<'_> {
    match array.data_type() {
        DataType::Boolean => {
            let a = array.as_boolean();
            Box::new(move |i| {
                a.is_valid(i).then(|| typed(if a.value(i) { "true" } else { "false" }.into(), xsd::BOOLEAN))
            })
        }
        DataType::Int8 => integers::<Int8Type>(array),
        DataType::Int16 => integers::<Int16Type>(array),
        DataType::Int32 => integers::<Int32Type>(array),
        DataType::Int64 => integers::<Int64Type>(array),
        DataType::UInt8 => integers::<UInt8Type>(array),
        DataType::UInt16 => integers::<UInt16Type>(array),
        DataType::UInt32 => integers::<UInt32Type>(array),
        DataType::UInt64 => integers::<UInt64Type>(array),
        DataType::Float16 => doubles::<Float16Type>(array),
        DataType::Float32 => doubles::<Float32Type>(array),
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            Box::new(move |i| a.is_valid(i).then(|| typed(canonical_double(a.value(i)), xsd::DOUBLE)))
        }
        DataType::Decimal32(..) => decimals::<Decimal32Type>(array),
        DataType::Decimal64(..) => decimals::<Decimal64Type>(array),
        DataType::Decimal128(..) => decimals::<Decimal128Type>(array),
        DataType::Decimal256(..) => decimals::<Decimal256Type>(array),
        DataType::Utf8 => strings::<i32>(array),
        DataType::LargeUtf8 => strings::<i64>(array),
        DataType::Utf8View => {
            let a = array.as_string_view();
            Box::new(move |i| a.is_valid(i).then(|| Value::plain(a.value(i))))
        }
        DataType::Binary => binary(array, |i| array.as_binary::<i32>().value(i)),
        DataType::LargeBinary => binary(array, |i| array.as_binary::<i64>().value(i)),
        DataType::BinaryView => binary(array, |i| array.as_binary_view().value(i)),
        DataType::FixedSizeBinary(_) => binary(array, |i| array.as_fixed_size_binary().value(i)),
        DataType::Date32 => dates::<Date32Type>(array),
        DataType::Date64 => dates::<Date64Type>(array),
        DataType::Timestamp(unit, zone) => {
            let utc = zone.is_some();
            match unit {
                TimeUnit::Second => timestamps::<TimestampSecondType>(array, utc),
                TimeUnit::Millisecond => timestamps::<TimestampMillisecondType>(array, utc),
                TimeUnit::Microsecond => timestamps::<TimestampMicrosecondType>(array, utc),
                TimeUnit::Nanosecond => timestamps::<TimestampNanosecondType>(array, utc),
            }
        }
        DataType::Time32(TimeUnit::Second) => times::<Time32SecondType>(array),
        DataType::Time32(_) => times::<Time32MillisecondType>(array),
        DataType::Time64(TimeUnit::Microsecond) => times::<Time64MicrosecondType>(array),
        DataType::Time64(_) => times::<Time64NanosecondType>(array),
        DataType::Duration(unit) => match unit {
            TimeUnit::Second => durations::<DurationSecondType>(array),
            TimeUnit::Millisecond => durations::<DurationMillisecondType>(array),
            TimeUnit::Microsecond => durations::<DurationMicrosecondType>(array),
            TimeUnit::Nanosecond => durations::<DurationNanosecondType>(array),
        },
        DataType::Dictionary(..) => {
            let dictionary = array.as_any_dictionary();
            let (keys, values) = (dictionary.normalized_keys(), cell(dictionary.values().as_ref()));
            Box::new(move |i| if array.is_valid(i) { values(keys[i]) } else { None })
        }
        // Lists, and anything [`check`] refuses before a row is read.
        _ => Box::new(|_| None),
    }
}

/// A list column's values in a row: one each, in the list's order.
fn list_values(array: &dyn Array) -> Option<Box<dyn Fn(usize) -> Vec<Value> + '_>> {
    fn offsets<O: OffsetSizeTrait>(array: &dyn Array) -> Box<dyn Fn(usize) -> Vec<Value> + '_> {
        let list = array.as_list::<O>();
        let items = cell(list.values().as_ref());
        Box::new(move |i| {
            if list.is_null(i) {
                return Vec::new();
            }
            let (start, end) = (list.value_offsets()[i].as_usize(), list.value_offsets()[i + 1].as_usize());
            (start..end).filter_map(&items).collect()
        })
    }
    match array.data_type() {
        DataType::List(_) => Some(offsets::<i32>(array)),
        DataType::LargeList(_) => Some(offsets::<i64>(array)),
        DataType::FixedSizeList(_, size) => {
            let (list, size) = (array.as_fixed_size_list(), *size as usize);
            let items = cell(list.values().as_ref());
            Some(Box::new(move |i| {
                if list.is_null(i) {
                    return Vec::new();
                }
                (i * size..(i + 1) * size).filter_map(&items).collect()
            }))
        }
        _ => None,
    }
}

fn typed(text: String, datatype: &'static str) -> Value {
    Value { text, datatype: Some(datatype) }
}

/// Integers through `itoa`, not `fmt`: a table of numbers converts millions.
fn integers<T: ArrowPrimitiveType>(array: &dyn Array) -> Cell<'_>
where
    T::Native: itoa::Integer,
{
    let a = array.as_primitive::<T>();
    Box::new(move |i| a.is_valid(i).then(|| typed(itoa::Buffer::new().format(a.value(i)).to_owned(), xsd::INTEGER)))
}

/// Single and half precision, through their shortest decimal form: a
/// float's 0.1 is the double 0.1, not 0.10000000149011612.
fn doubles<T: ArrowPrimitiveType>(array: &dyn Array) -> Cell<'_>
where
    T::Native: Display,
{
    let a = array.as_primitive::<T>();
    Box::new(move |i| {
        let text = a.is_valid(i).then(|| a.value(i).to_string())?;
        Some(typed(text.parse::<f64>().map_or(text, canonical_double), xsd::DOUBLE))
    })
}

fn decimals<T: DecimalType>(array: &dyn Array) -> Cell<'_> {
    let a = array.as_primitive::<T>();
    Box::new(move |i| a.is_valid(i).then(|| typed(a.value_as_string(i), xsd::DECIMAL)))
}

fn strings<O: OffsetSizeTrait>(array: &dyn Array) -> Cell<'_> {
    let a = array.as_string::<O>();
    Box::new(move |i| a.is_valid(i).then(|| Value::plain(a.value(i))))
}

fn binary<'a>(array: &'a dyn Array, bytes: impl Fn(usize) -> &'a [u8] + 'a) -> Cell<'a> {
    Box::new(move |i| array.is_valid(i).then(|| typed(hex(bytes(i)), xsd::HEX_BINARY)))
}

fn dates<T: ArrowTemporalType>(array: &dyn Array) -> Cell<'_>
where
    i64: From<T::Native>,
{
    let a = array.as_primitive::<T>();
    Box::new(move |i| {
        let date = a.value_as_date(i).filter(|_| a.is_valid(i))?;
        Some(typed(date_text(date), xsd::DATE))
    })
}

/// `YYYY-MM-DD` written digit by digit, the years 0 to 9999 that nearly
/// every date has; others (`-0044-03-15`, `+10000-01-01`) as chrono
/// writes them.
fn date_text(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let (year, month, day) = (date.year(), date.month(), date.day());
    if !(0..=9999).contains(&year) {
        return date.format("%Y-%m-%d").to_string();
    }
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let year = year as u32;
    [digit(year / 1000), digit(year / 100), digit(year / 10), digit(year), '-', digit(month / 10), digit(month)]
        .into_iter()
        .chain(['-', digit(day / 10), digit(day)])
        .collect()
}

/// A timestamp with a time zone is an instant, written in UTC (`Z`); one
/// without is a local date and time, written without a zone.
fn timestamps<T: ArrowTemporalType>(array: &dyn Array, utc: bool) -> Cell<'_>
where
    i64: From<T::Native>,
{
    let a = array.as_primitive::<T>();
    Box::new(move |i| {
        let moment = a.value_as_datetime(i).filter(|_| a.is_valid(i))?;
        let mut text = moment.format("%Y-%m-%dT%H:%M:%S%.f").to_string();
        if utc {
            text.push('Z');
        }
        Some(typed(text, xsd::DATE_TIME))
    })
}

fn times<T: ArrowTemporalType>(array: &dyn Array) -> Cell<'_>
where
    i64: From<T::Native>,
{
    let a = array.as_primitive::<T>();
    Box::new(move |i| {
        let time = a.value_as_time(i).filter(|_| a.is_valid(i))?;
        Some(typed(time.format("%H:%M:%S%.f").to_string(), xsd::TIME))
    })
}

/// A duration as `xsd:duration` in seconds (`PT90S`, `-PT1.5S`).
fn durations<T: ArrowTemporalType>(array: &dyn Array) -> Cell<'_>
where
    i64: From<T::Native>,
{
    let a = array.as_primitive::<T>();
    Box::new(move |i| {
        let duration = a.value_as_duration(i).filter(|_| a.is_valid(i))?;
        let sign = if duration < chrono::TimeDelta::zero() { "-" } else { "" };
        let duration = duration.abs();
        let (seconds, nanos) = (duration.num_seconds(), duration.subsec_nanos());
        let text = if nanos == 0 {
            format!("{sign}PT{seconds}S")
        } else {
            let fraction = format!("{nanos:09}");
            format!("{sign}PT{seconds}.{}S", fraction.trim_end_matches('0'))
        };
        Some(typed(text, DURATION))
    })
}

#[cfg(test)]
mod tests {
    use super::date_text;
    use chrono::NaiveDate;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for (year, month, day) in [(2016, 8, 1), (1, 1, 1), (0, 12, 31), (9999, 12, 31), (-44, 3, 15), (10000, 1, 1)] {
            let date = NaiveDate::from_ymd_opt(year, month, day).unwrap();
            assert_eq!(date_text(date), date.format("%Y-%m-%d").to_string());
        }
        assert_eq!(date_text(NaiveDate::from_ymd_opt(987, 6, 5).unwrap()), "0987-06-05");
    }
}
