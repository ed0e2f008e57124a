//! IDLab's functions (namespace `https://w3id.org/imec/idlab/function#`), as
//! idlab-functions-java's `fno/functions_idlab.ttl` describes them and its
//! code runs them. Parameters are named by their `fno:predicate`
//! (`idlab-fn:str`), as the conformance suite and RMLMapper's mappings do;
//! `equal` and `notEqual` take GREL's `valueParam`s, as their description says.

use super::grel::{self, VALUE, VALUE2};
use super::{boolean, each, string, text, Arguments, Function};
use crate::source::Value;

pub const STR: &str = idlab!("str");
pub const OTHER_STR: &str = idlab!("otherStr");
pub const DELIMITER: &str = idlab!("delimiter");
pub const STR_BOOLEAN: &str = idlab!("strBoolean");
pub const EXPECTED_STR: &str = idlab!("expectedStr");
pub const RESULT: &str = idlab!("result");
pub const LIST: &str = idlab!("list");
pub const TEST: &str = idlab!("p_test");
pub const FROM: &str = idlab!("p_from");
pub const TO: &str = idlab!("p_to");
pub const STR_DATE: &str = idlab!("strDate");
pub const PATTERN: &str = idlab!("pattern");
pub const LANG: &str = idlab!("lang");

const STRING_OUT: &[&str] = &[idlab!("_stringOut")];
const BOOL_OUT: &[&str] = &[idlab!("_boolOut")];

use super::function as f;

pub static FUNCTIONS: &[Function] = &[
    f(idlab!("equal"), &[VALUE, VALUE2], &[], BOOL_OUT, |a| compare(a, true)),
    f(idlab!("notEqual"), &[VALUE, VALUE2], &[], BOOL_OUT, |a| compare(a, false)),
    f(idlab!("stringContainsOtherString"), &[STR, OTHER_STR, DELIMITER], &[], BOOL_OUT, contains_other),
    f(idlab!("listContainsElement"), &[LIST, STR], &[], BOOL_OUT, list_contains),
    f(idlab!("getMIMEType"), &[STR], &[], STRING_OUT, |a| each(a, STR, |s| Ok(mime_type(s).map(string)))),
    f(idlab!("decide"), &[STR, EXPECTED_STR, RESULT], &[], STRING_OUT, decide),
    f(idlab!("isNull"), &[STR], &[], BOOL_OUT, |a| Ok(vec![boolean(a.all(STR).is_empty())])),
    f(idlab!("trueCondition"), &[STR_BOOLEAN, STR], &[], STRING_OUT, true_condition),
    f(idlab!("toUpperCaseURL"), &[STR], &[], STRING_OUT, |a| each(a, STR, |s| Ok(Some(string(upper_url(s)))))),
    f(idlab!("inRange"), &[TEST], &[FROM, TO], BOOL_OUT, in_range),
    f(idlab!("slugify"), &[STR], &[], STRING_OUT, |a| each(a, STR, |s| Ok(Some(string(text::slugify(s)))))),
    f(idlab!("normalizeDate"), &[STR_DATE, PATTERN], &[], STRING_OUT, |a| normalize(a, false)),
    f(idlab!("normalizeDateWithLang"), &[STR_DATE, PATTERN, LANG], &[], STRING_OUT, |a| normalize(a, false)),
    f(idlab!("normalizeDateTime"), &[STR_DATE, PATTERN], &[], STRING_OUT, |a| normalize(a, true)),
    f(idlab!("normalizeDateTimeWithLang"), &[STR_DATE, PATTERN, LANG], &[], STRING_OUT, |a| normalize(a, true)),
    f(idlab!("concat"), &[STR, OTHER_STR], &[DELIMITER], STRING_OUT, concat),
    f(idlab!("alwaysReturnsABC"), &[], &[], STRING_OUT, |_| Ok(vec![string("ABC")])),
];

/// `equal`: each value of the first input against the second; an input
/// without a value is unequal to everything (Java compares with `null`).
fn compare(args: &Arguments<'_>, equal: bool) -> Result<Vec<Value>, String> {
    let other = args.single(VALUE2)?;
    if args.all(VALUE).is_empty() {
        return Ok(vec![boolean(!equal)]);
    }
    each(args, VALUE, |s| Ok(Some(boolean((Some(s) == other) == equal))))
}

/// Whether `otherStr` is one of the pieces of `str` split at `delimiter`.
/// The delimiter is plain text (the Java code reads it as a regex, which
/// no one splitting at "|" or "." means).
fn contains_other(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let (Some(other), Some(delimiter)) = (args.single(OTHER_STR)?, args.single(DELIMITER)?) else {
        return Ok(vec![]);
    };
    if delimiter.is_empty() {
        return Err(format!("parameter <{DELIMITER}> is empty; give the text the pieces are separated by"));
    }
    each(args, STR, |s| Ok(Some(boolean(s.split(delimiter).any(|piece| piece == other)))))
}

fn list_contains(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let Some(wanted) = args.single(STR)? else { return Ok(vec![boolean(false)]) };
    Ok(vec![boolean(args.all(LIST).iter().any(|v| v.text == wanted))])
}

fn decide(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let (Some(expected), Some(result)) = (args.single(EXPECTED_STR)?, args.single(RESULT)?) else {
        return Ok(vec![]);
    };
    each(args, STR, |s| Ok((s == expected).then(|| string(result))))
}

/// The values of `str` when `strBoolean` is true, nothing otherwise. Java
/// compares with "true" exactly; `TRUE` and `1`, as spreadsheets write them,
/// count too.
fn true_condition(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let condition = args.single(STR_BOOLEAN)?.map(str::trim);
    let holds = condition.is_some_and(|c| c.eq_ignore_ascii_case("true") || c == "1");
    Ok(if holds { args.all(STR).to_vec() } else { vec![] })
}

/// The value in capitals, as an `http://` IRI. The scheme stays in lower
/// case, as RMLFNMLTC0011 and 0031 expect (`http://VENUS`): IRIs compare
/// character by character, and schemes are written in lower case (RFC 3986 3.1).
fn upper_url(s: &str) -> String {
    let rest = if s.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("http://")) { &s[7..] } else { s };
    format!("http://{}", rest.to_uppercase())
}

/// `from` inclusive, `to` exclusive, either may be left out.
fn in_range(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let (from, to) = (args.number(FROM)?, args.number(TO)?);
    let values = args.all(TEST);
    if values.is_empty() {
        return Ok(vec![boolean(false)]);
    }
    each(args, TEST, |s| {
        let n = super::parse_number(TEST, s)?;
        Ok(Some(boolean(from.is_none_or(|from| n >= from) && to.is_none_or(|to| n < to))))
    })
}

/// The date as an `xsd:date` (`normalizeDateTime`: an `xsd:dateTime`), so
/// the literal gets that datatype; nothing when the text does not match
/// the pattern, as in IDLab's code. Without a language, names are English
/// (the Java code takes the JVM's language).
fn normalize(args: &Arguments<'_>, time: bool) -> Result<Vec<Value>, String> {
    let (Some(pattern), lang) = (args.single(PATTERN)?, args.single(LANG)?) else { return Ok(vec![]) };
    let lang = lang.unwrap_or("en");
    each(args, STR_DATE, |s| {
        let date = grel::read_date(s, pattern, lang, (PATTERN, LANG))?;
        // Java's LocalDateTime cannot be made from a date alone.
        Ok(date.filter(|d| d.has_time || !time).map(|d| grel::date_value(&d, time)))
    })
}

fn concat(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let Some(other) = args.single(OTHER_STR)? else { return Ok(vec![]) };
    let delimiter = args.single(DELIMITER)?.unwrap_or("");
    each(args, STR, |s| Ok(Some(string(format!("{s}{delimiter}{other}")))))
}

/// The media type of a file name, by its extension; the common ones of
/// idlab-functions-java's table.
fn mime_type(file: &str) -> Option<&'static str> {
    let extension = file.rsplit_once('.')?.1.to_ascii_lowercase();
    MIME_TYPES.iter().find(|(e, _)| *e == extension).map(|(_, t)| *t)
}

const MIME_TYPES: &[(&str, &str)] = &[
    ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"),
    ("txt", "text/plain"),
    ("md", "text/markdown"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("xml", "text/xml"),
    ("json", "application/json"),
    ("ttl", "text/turtle"),
    ("nt", "application/n-triples"),
    ("nq", "application/n-quads"),
    ("rdf", "application/xml"),
    ("pdf", "application/pdf"),
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
    ("doc", "application/msword"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xls", "application/vnd.ms-excel"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("svg", "image/svg+xml"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("webp", "image/webp"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
];
