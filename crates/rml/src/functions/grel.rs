//! GREL, OpenRefine's expression language, as FnO functions: IRIs and
//! parameters from `grel.ttl` (rmlmapper-java's `functions_grel.ttl`),
//! behaviour from OpenRefine's manual and grel-functions-java, the
//! implementation RMLMapper runs. Where the two differ, the manual wins
//! when the Java code is plainly a slip (`partition` searching from the end),
//! and the Java code wins where the test suite follows it (`substring` out of
//! range gives nothing, RMLFNMLTC0008).

use super::dates::{self, DateTime};
use super::text;
use super::{boolean, double, each, integer, parse_boolean, parse_number, string, Arguments, Function};
use crate::source::Value;

pub const VALUE: &str = grel!("valueParam");
pub const VALUE2: &str = grel!("valueParam2");
pub const ARRAY: &str = grel!("param_a");
pub const SEP: &str = grel!("param_string_sep");
pub const BOOLS: &str = grel!("bool_array_b");
pub const BOOL: &str = grel!("param_b");
pub const TRUE: &str = grel!("param_true");
pub const FALSE: &str = grel!("param_false");
pub const SUB: &str = grel!("param_string_sub");
pub const FROM: &str = grel!("p_int_i_from");
pub const TO: &str = grel!("p_int_i_opt_to");
pub const FIND: &str = grel!("param_find");
pub const REPLACE: &str = grel!("param_replace");
pub const REGEX: &str = grel!("param_regex");
pub const ANY: &str = grel!("param_any_e");
pub const ANYS: &str = grel!("param_any_rep_e");
pub const MODE: &str = grel!("modeParam");
pub const N: &str = grel!("param_dec_n");
pub const N2: &str = grel!("param_dec_n2");
pub const EXP: &str = grel!("param_dec_n_exp");
pub const I: &str = grel!("param_int_i");
pub const I2: &str = grel!("param_int_i2");
pub const FRAGMENT: &str = grel!("param_fragment");
pub const OMIT: &str = grel!("param_bool_opt_b");
pub const PATTERN: &str = grel!("param_string_pattern");

const STRING_OUT: &[&str] = &[grel!("stringOut")];
const NUMBER_OUT: &[&str] = &[grel!("output_number")];
const BOOL_OUT: &[&str] = &[grel!("output_bool")];
const ARRAY_OUT: &[&str] = &[grel!("output_array")];
const ANY_OUT: &[&str] = &[grel!("output_any")];
const DATE_OUT: &[&str] = &[grel!("output_date")];

use super::function as f;

pub static FUNCTIONS: &[Function] = &[
    // Strings.
    f(grel!("toUpperCase"), &[VALUE], &[], STRING_OUT, |a| map(a, str::to_uppercase)),
    f(grel!("toLowerCase"), &[VALUE], &[], STRING_OUT, |a| map(a, str::to_lowercase)),
    f(grel!("string_toTitlecase"), &[VALUE], &[], STRING_OUT, |a| map(a, text::title_case)),
    f(grel!("string_trim"), &[VALUE], &[], STRING_OUT, |a| map(a, |s| s.trim().to_owned())),
    f(grel!("string_toString"), &[ANY], &[], STRING_OUT, |a| Ok(a.all(ANY).iter().map(|v| string(&v.text)).collect())),
    f(grel!("string_length"), &[VALUE], &[], NUMBER_OUT, |a| each(a, VALUE, |s| Ok(Some(integer(length(s)))))),
    f(grel!("string_substring"), &[VALUE, FROM], &[TO], STRING_OUT, substring),
    f(grel!("string_replace"), &[VALUE, FIND, REPLACE], &[], STRING_OUT, replace),
    f(grel!("string_replaceChars"), &[VALUE, FIND, REPLACE], &[], STRING_OUT, replace_chars),
    f(grel!("string_contains"), &[VALUE, SUB], &[], BOOL_OUT, contains),
    f(grel!("string_startsWith"), &[VALUE, SUB], &[], BOOL_OUT, |a| test_sub(a, |s, sub| s.starts_with(sub))),
    f(grel!("string_endsWith"), &[VALUE, SUB], &[], BOOL_OUT, |a| test_sub(a, |s, sub| s.ends_with(sub))),
    f(grel!("string_indexOf"), &[VALUE, SUB], &[], NUMBER_OUT, |a| index_of(a, |s, sub| s.find(sub))),
    f(grel!("string_lastIndexOf"), &[VALUE, SUB], &[], NUMBER_OUT, |a| index_of(a, |s, sub| s.rfind(sub))),
    f(grel!("string_chomp"), &[VALUE, SEP], &[], STRING_OUT, chomp),
    f(grel!("string_split"), &[VALUE, SEP], &[], ARRAY_OUT, split),
    f(grel!("string_match"), &[VALUE, REGEX], &[], ARRAY_OUT, match_groups),
    f(grel!("string_partition"), &[VALUE, FRAGMENT], &[OMIT], ARRAY_OUT, |a| partition(a, |s, sub| s.find(sub))),
    f(grel!("string_rpartition"), &[VALUE, FRAGMENT], &[OMIT], ARRAY_OUT, |a| partition(a, |s, sub| s.rfind(sub))),
    f(grel!("string_diff"), &[VALUE, VALUE2], &[], STRING_OUT, diff),
    f(grel!("string_toNumber"), &[ANY], &[], NUMBER_OUT, to_number),
    f(grel!("string_unicode"), &[VALUE], &[], ARRAY_OUT, unicode),
    f(grel!("escape"), &[VALUE, MODE], &[], STRING_OUT, escape),
    f(grel!("string_unescape"), &[VALUE, MODE], &[], STRING_OUT, unescape),
    f(grel!("string_md5"), &[VALUE], &[], STRING_OUT, |a| map(a, |s| hex(&<md5::Md5 as md5::Digest>::digest(s)))),
    f(grel!("string_sha1"), &[VALUE], &[], STRING_OUT, |a| map(a, |s| hex(&<sha1::Sha1 as sha1::Digest>::digest(s)))),
    // Arrays: `param_a` gets every value its input gives.
    f(grel!("array_join"), &[ARRAY], &[SEP], STRING_OUT, join),
    f(grel!("array_length"), &[ARRAY], &[], NUMBER_OUT, |a| Ok(vec![integer(a.all(ARRAY).len() as i64)])),
    f(grel!("array_reverse"), &[ARRAY], &[], ARRAY_OUT, |a| Ok(a.all(ARRAY).iter().rev().cloned().collect())),
    f(grel!("array_sort"), &[ARRAY], &[], ARRAY_OUT, sort),
    f(grel!("array_uniques"), &[ARRAY], &[], ARRAY_OUT, uniques),
    f(grel!("array_sum"), &[ARRAY], &[], NUMBER_OUT, sum),
    // grel.ttl says slice returns output_number, a slip: it returns an array.
    f(grel!("array_slice"), &[ARRAY, FROM], &[TO], &[grel!("output_array"), grel!("output_number")], slice),
    f(grel!("array_get"), &[ARRAY, FROM], &[TO], ARRAY_OUT, get),
    // Booleans and control.
    f(grel!("boolean_and"), &[BOOLS], &[], BOOL_OUT, |a| Ok(vec![boolean(booleans(a)?.iter().all(|b| *b))])),
    f(grel!("boolean_or"), &[BOOLS], &[], BOOL_OUT, |a| Ok(vec![boolean(booleans(a)?.iter().any(|b| *b))])),
    f(grel!("boolean_xor"), &[BOOLS], &[], BOOL_OUT, |a| {
        Ok(vec![boolean(booleans(a)?.iter().filter(|b| **b).count() == 1)])
    }),
    f(grel!("boolean_not"), &[BOOL], &[], BOOL_OUT, |a| {
        Ok(a.boolean(BOOL)?.map(|b| boolean(!b)).into_iter().collect())
    }),
    f(grel!("controls_if"), &[BOOL, TRUE], &[FALSE], ANY_OUT, if_then_else),
    f(grel!("other_coalesce"), &[ANYS], &[], ANY_OUT, |a| {
        Ok(a.all(ANYS).iter().find(|v| !v.text.is_empty()).cloned().into_iter().collect())
    }),
    // Numbers.
    f(grel!("math_floor"), &[N], &[], NUMBER_OUT, |a| whole(a, f64::floor)),
    f(grel!("math_ceil"), &[N], &[], NUMBER_OUT, |a| whole(a, f64::ceil)),
    // Java's Math.round: halves go up, also below zero.
    f(grel!("math_round"), &[N], &[], NUMBER_OUT, |a| whole(a, |n| (n + 0.5).floor())),
    f(grel!("math_ln"), &[N], &[], NUMBER_OUT, |a| real(a, f64::ln)),
    f(grel!("math_log"), &[N], &[], NUMBER_OUT, |a| real(a, f64::log10)),
    f(grel!("math_exp"), &[N], &[], NUMBER_OUT, |a| real(a, f64::exp)),
    f(grel!("math_min"), &[N, N2], &[], NUMBER_OUT, |a| pair(a, N2, f64::min)),
    f(grel!("math_max"), &[N, N2], &[], NUMBER_OUT, |a| pair(a, N2, f64::max)),
    f(grel!("math_pow"), &[N, EXP], &[], NUMBER_OUT, |a| pair(a, EXP, f64::powf)),
    f(grel!("math_mod"), &[I, I2], &[], NUMBER_OUT, modulo),
    // Dates.
    f(grel!("date_toDate"), &[VALUE, PATTERN], &[], DATE_OUT, to_date),
];

fn map(args: &Arguments<'_>, f: impl Fn(&str) -> String) -> Result<Vec<Value>, String> {
    each(args, VALUE, |s| Ok(Some(string(f(s)))))
}

/// Length in characters (Java counts UTF-16 units; the two differ only for
/// characters outside the Basic Multilingual Plane, emoji say).
fn length(s: &str) -> i64 {
    s.chars().count() as i64
}

/// A character index of `s`, negative ones counting from the end (GREL's
/// manual); `None` outside the string.
fn char_index(s: &str, index: i64) -> Option<usize> {
    let len = length(s);
    let index = if index < 0 { len + index } else { index };
    (0..=len).contains(&index).then_some(index as usize)
}

fn substring(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let from = args.integer(FROM)?.unwrap_or(0);
    let to = args.integer(TO)?;
    each(args, VALUE, |s| {
        let start = char_index(s, from);
        let end = to.map_or(Some(s.chars().count()), |to| char_index(s, to));
        Ok(match (start, end) {
            (Some(start), Some(end)) if start <= end => {
                Some(string(s.chars().skip(start).take(end - start).collect::<String>()))
            }
            _ => None,
        })
    })
}

fn required<'a>(args: &'a Arguments<'_>, parameter: &str) -> Result<Option<&'a str>, String> {
    args.single(parameter)
}

/// `/pattern/` finds a regular expression (`$1` in the replacement is its
/// first group), anything else the string itself.
fn replace(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let (Some(find), Some(with)) = (required(args, FIND)?, required(args, REPLACE)?) else { return Ok(vec![]) };
    match text::regex_literal(find) {
        Some(pattern) => each(args, VALUE, |s| {
            text::with_regex(FIND, pattern, |r| Some(string(r.replace_all(s, with).into_owned())))
        }),
        None => each(args, VALUE, |s| Ok(Some(string(s.replace(find, with))))),
    }
}

fn replace_chars(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let (Some(find), Some(with)) = (required(args, FIND)?, required(args, REPLACE)?) else { return Ok(vec![]) };
    let pairs: Vec<(char, char)> = find.chars().zip(with.chars()).collect();
    if pairs.len() != find.chars().count() || pairs.len() != with.chars().count() {
        return Err(format!(
            "parameters <{FIND}> and <{REPLACE}> must have as many characters each (one replacement per character)"
        ));
    }
    let swap = |c: char| pairs.iter().find(|(from, _)| *from == c).map_or(c, |(_, to)| *to);
    each(args, VALUE, |s| Ok(Some(string(s.chars().map(swap).collect::<String>()))))
}

fn test_sub(args: &Arguments<'_>, test: impl Fn(&str, &str) -> bool) -> Result<Vec<Value>, String> {
    let Some(sub) = required(args, SUB)? else { return Ok(vec![]) };
    each(args, VALUE, |s| Ok(Some(boolean(test(s, sub)))))
}

/// GREL's manual: `sub` is a string or a `/regex/`.
fn contains(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let Some(sub) = required(args, SUB)? else { return Ok(vec![]) };
    match text::regex_literal(sub) {
        Some(pattern) => each(args, VALUE, |s| text::with_regex(SUB, pattern, |r| Some(boolean(r.is_match(s))))),
        None => each(args, VALUE, |s| Ok(Some(boolean(s.contains(sub))))),
    }
}

fn index_of(args: &Arguments<'_>, find: impl Fn(&str, &str) -> Option<usize>) -> Result<Vec<Value>, String> {
    let Some(sub) = required(args, SUB)? else { return Ok(vec![]) };
    each(args, VALUE, |s| Ok(Some(integer(find(s, sub).map_or(-1, |at| length(&s[..at]))))))
}

fn chomp(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let Some(sep) = required(args, SEP)? else { return Ok(vec![]) };
    each(args, VALUE, |s| Ok(Some(string(s.strip_suffix(sep).unwrap_or(s)))))
}

/// One value per piece. `sep` is a plain string unless written `/regex/`,
/// as in OpenRefine (the Java code always reads it as a regex, so "." or "|"
/// would split everywhere). Empty pieces are dropped, as OpenRefine's
/// `splitByWholeSeparator` does and since each would become an empty
/// literal.
fn split(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let Some(sep) = required(args, SEP)? else { return Ok(vec![]) };
    if sep.is_empty() {
        return Err(format!("parameter <{SEP}> is empty; give the separator to split at"));
    }
    let mut out = Vec::new();
    for value in args.all(VALUE) {
        let s = value.text.as_str();
        let pieces: Vec<String> = match text::regex_literal(sep) {
            Some(pattern) => text::with_regex(SEP, pattern, |r| r.split(s).map(str::to_owned).collect())?,
            None => s.split(sep).map(str::to_owned).collect(),
        };
        out.extend(pieces.into_iter().filter(|p| !p.is_empty()).map(string));
    }
    Ok(out)
}

/// The capturing groups of a `/regex/` that matches the whole string (GREL
/// anchors it); no values if it does not match.
fn match_groups(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let Some(p) = required(args, REGEX)? else { return Ok(vec![]) };
    let Some(pattern) = text::regex_literal(p) else {
        return Err(format!("parameter <{REGEX}> must be a regular expression between slashes, like /(\\d+)-(\\d+)/"));
    };
    let anchored = format!("^(?:{pattern})$");
    let mut out = Vec::new();
    for value in args.all(VALUE) {
        text::with_regex(REGEX, &anchored, |r| {
            if let Some(groups) = r.captures(&value.text) {
                out.extend(groups.iter().skip(1).map(|g| string(g.map_or("", |m| m.as_str()))));
            }
        })?;
    }
    Ok(out)
}

/// [before, fragment, after] around the first (`rpartition`: last)
/// occurrence; [s, "", ""] without one (OpenRefine's manual).
fn partition(args: &Arguments<'_>, find: impl Fn(&str, &str) -> Option<usize>) -> Result<Vec<Value>, String> {
    let Some(fragment) = required(args, FRAGMENT)? else { return Ok(vec![]) };
    let omit = args.boolean(OMIT)?.unwrap_or(false);
    let mut out = Vec::new();
    for value in args.all(VALUE) {
        let s = value.text.as_str();
        let parts = match find(s, fragment) {
            Some(at) => [&s[..at], fragment, &s[at + fragment.len()..]],
            None => [s, "", ""],
        };
        out.extend(parts.iter().enumerate().filter(|(i, _)| !(omit && *i == 1)).map(|(_, p)| string(*p)));
    }
    Ok(out)
}

/// Commons Lang `StringUtils.difference`: the rest of the second string from
/// where it first differs from the first.
fn diff(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let Some(other) = required(args, VALUE2)? else { return Ok(vec![]) };
    each(args, VALUE, |s| {
        let common: usize = s.chars().zip(other.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
        Ok(Some(string(&other[common..])))
    })
}

/// An integer stays an `xsd:integer`, anything else becomes an `xsd:double`.
fn to_number(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for value in args.all(ANY) {
        let text = value.text.trim();
        out.push(match text.parse::<i64>() {
            Ok(n) => integer(n),
            Err(_) => double(parse_number(ANY, text)?),
        });
    }
    Ok(out)
}

fn unicode(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    Ok(args.all(VALUE).iter().flat_map(|v| v.text.chars().map(|c| integer(i64::from(u32::from(c))))).collect())
}

const MODES: &str = "html, xml, csv, url or javascript";

fn escape(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let Some(mode) = required(args, MODE)? else { return Ok(vec![]) };
    let escape: fn(&str) -> String = match mode.to_ascii_lowercase().as_str() {
        "html" => text::escape_html,
        "xml" => text::escape_xml,
        "csv" => text::escape_csv,
        "url" => text::encode_uri_component,
        "javascript" => text::escape_javascript,
        _ => return Err(format!("parameter <{MODE}> is '{mode}'; use {MODES}")),
    };
    map(args, escape)
}

fn unescape(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let Some(mode) = required(args, MODE)? else { return Ok(vec![]) };
    match mode.to_ascii_lowercase().as_str() {
        "html" => map(args, |s| text::unescape_entities(s, true)),
        "xml" => map(args, |s| text::unescape_entities(s, false)),
        "csv" => map(args, text::unescape_csv),
        "url" => each(args, VALUE, |s| text::decode_uri_component(s).map(|d| Some(string(d)))),
        "javascript" => map(args, text::unescape_javascript),
        _ => Err(format!("parameter <{MODE}> is '{mode}'; use {MODES}")),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn join(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let sep = required(args, SEP)?.unwrap_or("");
    let texts: Vec<&str> = args.all(ARRAY).iter().map(|v| v.text.as_str()).collect();
    Ok(vec![string(texts.join(sep))])
}

/// Numbers sort as numbers when every value is one, text as text otherwise.
fn sort(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let mut values = args.all(ARRAY).to_vec();
    let numbers: Option<Vec<f64>> = values.iter().map(|v| parse_number(ARRAY, &v.text).ok()).collect();
    match numbers {
        Some(numbers) => {
            let mut keyed: Vec<(f64, Value)> = numbers.into_iter().zip(values).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            Ok(keyed.into_iter().map(|(_, v)| v).collect())
        }
        None => {
            values.sort_by(|a, b| a.text.cmp(&b.text));
            Ok(values)
        }
    }
}

fn uniques(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let mut seen = std::collections::HashSet::new();
    Ok(args.all(ARRAY).iter().filter(|v| seen.insert(v.text.as_str())).cloned().collect())
}

fn sum(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let values = args.all(ARRAY);
    let integers: Result<Vec<i64>, _> = values.iter().map(|v| v.text.trim().parse::<i64>()).collect();
    if let Some(total) = integers.ok().and_then(|ns| ns.iter().try_fold(0i64, |acc, n| acc.checked_add(*n))) {
        return Ok(vec![integer(total)]);
    }
    let numbers: Result<Vec<f64>, String> = values.iter().map(|v| parse_number(ARRAY, &v.text)).collect();
    Ok(vec![double(numbers?.iter().sum())])
}

/// Values `from` up to `to` (exclusive, negative from the end), clamped to
/// the list as OpenRefine does for arrays.
fn slice(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let values = args.all(ARRAY);
    let len = values.len() as i64;
    let clamp = |i: i64| (if i < 0 { len + i } else { i }).clamp(0, len) as usize;
    let from = clamp(args.integer(FROM)?.unwrap_or(0));
    let to = clamp(args.integer(TO)?.unwrap_or(len));
    Ok(values.get(from..to.max(from)).unwrap_or(&[]).to_vec())
}

/// The value at `from`, or values `from` up to `to`.
fn get(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    if args.all(TO).is_empty() {
        let values = args.all(ARRAY);
        let from = args.integer(FROM)?.unwrap_or(0);
        let at = if from < 0 { values.len() as i64 + from } else { from };
        return Ok(usize::try_from(at).ok().and_then(|at| values.get(at)).cloned().into_iter().collect());
    }
    slice(args)
}

fn booleans(args: &Arguments<'_>) -> Result<Vec<bool>, String> {
    args.all(BOOLS).iter().map(|v| parse_boolean(BOOLS, &v.text)).collect()
}

fn if_then_else(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    Ok(match args.boolean(BOOL)? {
        Some(true) => args.all(TRUE).to_vec(),
        Some(false) => args.all(FALSE).to_vec(),
        None => vec![],
    })
}

fn numbers(args: &Arguments<'_>, parameter: &str) -> Result<Vec<f64>, String> {
    args.all(parameter).iter().map(|v| parse_number(parameter, &v.text)).collect()
}

/// A whole number as an `xsd:integer` (grel:output_number's type).
fn whole(args: &Arguments<'_>, f: impl Fn(f64) -> f64) -> Result<Vec<Value>, String> {
    Ok(numbers(args, N)?.into_iter().map(|n| whole_value(f(n))).collect())
}

fn whole_value(n: f64) -> Value {
    if n.is_finite() && n.abs() < 9.0e18 {
        integer(n as i64)
    } else {
        double(n)
    }
}

fn real(args: &Arguments<'_>, f: impl Fn(f64) -> f64) -> Result<Vec<Value>, String> {
    Ok(numbers(args, N)?.into_iter().map(|n| double(f(n))).collect())
}

/// Two numbers in, one out: an `xsd:integer` when both are integers and
/// the result is whole (min, max, pow of integers), an `xsd:double` else.
fn pair(args: &Arguments<'_>, second: &str, f: impl Fn(f64, f64) -> f64) -> Result<Vec<Value>, String> {
    let (Some(a), Some(b)) = (args.single(N)?, args.single(second)?) else { return Ok(vec![]) };
    let result = f(parse_number(N, a)?, parse_number(second, b)?);
    let integers = a.trim().parse::<i64>().is_ok() && b.trim().parse::<i64>().is_ok();
    Ok(vec![if integers && result.fract() == 0.0 { whole_value(result) } else { double(result) }])
}

fn modulo(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let (Some(a), Some(b)) = (args.integer(I)?, args.integer(I2)?) else { return Ok(vec![]) };
    if b == 0 {
        return Err(format!("parameter <{I2}> is 0; the divisor of a modulo cannot be zero"));
    }
    Ok(vec![integer(a.wrapping_rem(b))])
}

/// An `xsd:date`, or an `xsd:dateTime` when the pattern reads a time; the
/// pattern in Java's letters (see `dates`). Text that does not match gives
/// no value, as the Java code's exception does in RMLMapper.
fn to_date(args: &Arguments<'_>) -> Result<Vec<Value>, String> {
    let Some(pattern) = required(args, PATTERN)? else { return Ok(vec![]) };
    each(args, VALUE, |s| Ok(read_date(s, pattern, "en", (PATTERN, ""))?.map(|d| date_value(&d, d.has_time))))
}

/// Reads a date, shared with IDLab's `normalizeDate*`; `parameters` names
/// the pattern and language parameters for the errors.
pub(crate) fn read_date(
    text: &str,
    pattern: &str,
    lang: &str,
    parameters: (&str, &str),
) -> Result<Option<DateTime>, String> {
    match dates::parse(text, pattern, lang) {
        Ok(date) => Ok(Some(date)),
        Err(dates::Error::NoMatch) => Ok(None),
        Err(dates::Error::Pattern(why)) => Err(format!("parameter <{}>: {why}", parameters.0)),
        Err(dates::Error::Language(why)) => Err(format!("parameter <{}>: {why}", parameters.1)),
    }
}

/// An `xsd:dateTime` with `time`, else an `xsd:date`.
pub(crate) fn date_value(date: &DateTime, time: bool) -> Value {
    if time {
        Value { text: date.date_time(), datatype: Some(super::XSD_DATE_TIME) }
    } else {
        Value { text: date.date(), datatype: Some(super::XSD_DATE) }
    }
}
