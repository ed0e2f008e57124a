//! The built-in function library of RML-FNML: GREL and IDLab functions, and
//! those a researcher cleaning a spreadsheet needs. Each function is looked
//! up by its IRI once, when the plan is compiled; running it is a call
//! through a plain function pointer.
//!
//! The IRIs are the ones the FnO descriptions publish and the RML-FNML test
//! cases use: GREL's from `grel.ttl` (rmlmapper-java's `functions_grel.ttl`),
//! IDLab's from idlab-functions-java's `fno/functions_idlab.ttl`. Those
//! descriptions name every parameter twice, as the `fno:Parameter` resource
//! (`grel:valueParam`, `idlab-fn:_str`) and as its `fno:predicate`
//! (`grel:valueParameter`, `idlab-fn:str`), and mappings in the wild, the
//! conformance suite among them, use either. Each function lists the form the
//! suite uses for its family (GREL: the resource, IDLab: the predicate);
//! [`Function::parameter`] maps the other form onto it.
//!
//! Values: a parameter gets every value its input gives. Functions over one
//! string map over the values of their main input (a `grel:toUpperCase` of a
//! reference with three values gives three values), and an input with no
//! value gives no result, the way a reference without a value gives no term.
//! Where the Java implementation returns `null`, the function returns no
//! value, so no term is generated (RMLFNMLTC0008). Numbers come back as
//! `xsd:integer` or `xsd:double`, booleans as `xsd:boolean`, so the engine
//! can give the literal its natural datatype (RMLFNMLTC0004).
//!
//! Every function is deterministic: `idlab-fn:random` and `grel:date_now`
//! are left out on purpose (see [`LEFT_OUT`]).

/// A GREL IRI, expanded at compile time.
macro_rules! grel {
    ($name:literal) => {
        concat!("http://users.ugent.be/~bjdmeest/function/grel.ttl#", $name)
    };
}

/// An IDLab IRI, expanded at compile time.
macro_rules! idlab {
    ($name:literal) => {
        concat!("https://w3id.org/imec/idlab/function#", $name)
    };
}

mod dates;
mod grel;
mod idlab;
mod text;

use crate::source::Value;

pub const GREL: &str = grel!("");
pub const IDLAB: &str = idlab!("");

pub(crate) use crate::source::xsd::{
    BOOLEAN as XSD_BOOLEAN, DATE as XSD_DATE, DATE_TIME as XSD_DATE_TIME, DOUBLE as XSD_DOUBLE, INTEGER as XSD_INTEGER,
};

/// A function the engine can run.
#[derive(Debug)]
pub struct Function {
    /// The function's IRI (`grel:toUpperCase`, expanded).
    pub iri: &'static str,
    /// Parameter IRIs that must be given.
    pub required: &'static [&'static str],
    /// Parameter IRIs that may be given.
    pub optional: &'static [&'static str],
    /// The IRIs `rml:return` may name (the FnO description's `fno:returns`).
    /// Every function here has one output, and `call` returns its values;
    /// the list exists so that a mapping naming another output is refused
    /// (RMLFNMLTC0104). An empty list would accept any output.
    pub outputs: &'static [&'static str],
    /// Runs the function; `Err` says why the arguments do not fit.
    pub call: fn(&Arguments<'_>) -> Result<Vec<Value>, String>,
}

impl Function {
    /// The parameter of this function that `iri` names, as listed in
    /// `required` or `optional`: `iri` itself, or the listed parameter whose
    /// other FnO name (resource or `fno:predicate`) `iri` is. `None` if the
    /// function has no such parameter (RMLFNMLTC0103).
    pub fn parameter(&self, iri: &str) -> Option<&'static str> {
        let listed = || self.required.iter().chain(self.optional).copied();
        listed().find(|p| *p == iri).or_else(|| {
            let other = ALIASES.iter().find_map(|(a, b)| (*a == iri).then_some(*b).or((*b == iri).then_some(*a)))?;
            listed().find(|p| *p == other)
        })
    }

    /// Whether `rml:return` may name `iri`.
    pub fn has_output(&self, iri: &str) -> bool {
        self.outputs.is_empty() || self.outputs.contains(&iri)
    }
}

/// A [`Function`] for the library's tables, one line each.
pub(crate) const fn function(
    iri: &'static str,
    required: &'static [&'static str],
    optional: &'static [&'static str],
    outputs: &'static [&'static str],
    call: fn(&Arguments<'_>) -> Result<Vec<Value>, String>,
) -> Function {
    Function { iri, required, optional, outputs, call }
}

/// The values given to each parameter of one call.
#[derive(Debug, Default)]
pub struct Arguments<'a> {
    pub values: Vec<(&'a str, Vec<Value>)>,
}

impl Arguments<'_> {
    /// Every value given to `parameter`, in order.
    pub fn all(&self, parameter: &str) -> &[Value] {
        self.values.iter().find(|(p, _)| *p == parameter).map_or(&[], |(_, values)| values.as_slice())
    }

    /// The first value given to `parameter`.
    pub fn first(&self, parameter: &str) -> Option<&str> {
        self.all(parameter).first().map(|v| v.text.as_str())
    }

    /// The one value of a parameter that takes a single value: `None` if it
    /// got none, `Err` if it got several (a list would be ambiguous here).
    pub fn single(&self, parameter: &str) -> Result<Option<&str>, String> {
        match self.all(parameter) {
            [] => Ok(None),
            [value] => Ok(Some(value.text.as_str())),
            values => {
                Err(format!("parameter <{parameter}> takes one value but got {}; give it a single value", values.len()))
            }
        }
    }

    /// The single value of `parameter` read as an integer (`xsd:int`).
    pub fn integer(&self, parameter: &str) -> Result<Option<i64>, String> {
        self.single(parameter)?.map(|text| parse_integer(parameter, text)).transpose()
    }

    /// The single value of `parameter` read as a number.
    pub fn number(&self, parameter: &str) -> Result<Option<f64>, String> {
        self.single(parameter)?.map(|text| parse_number(parameter, text)).transpose()
    }

    /// The single value of `parameter` read as an `xsd:boolean`.
    pub fn boolean(&self, parameter: &str) -> Result<Option<bool>, String> {
        self.single(parameter)?.map(|text| parse_boolean(parameter, text)).transpose()
    }
}

pub(crate) fn parse_integer(parameter: &str, text: &str) -> Result<i64, String> {
    text.trim().parse().map_err(|_| format!("parameter <{parameter}> needs an integer, got '{text}'"))
}

pub(crate) fn parse_number(parameter: &str, text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    // Rust also reads "inf" and "infinity"; xsd:double spells them INF.
    let number = match trimmed {
        "INF" | "+INF" => Ok(f64::INFINITY),
        "-INF" => Ok(f64::NEG_INFINITY),
        _ if trimmed.chars().any(|c| c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E')) => Err(()),
        _ => trimmed.parse().map_err(|_| ()),
    };
    number.map_err(|()| format!("parameter <{parameter}> needs a number, got '{text}'"))
}

/// `xsd:boolean`'s lexical forms, and `TRUE`/`False` since spreadsheets
/// write them so.
pub(crate) fn parse_boolean(parameter: &str, text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("parameter <{parameter}> needs a boolean (true or false), got '{text}'")),
    }
}

pub(crate) fn string(text: impl Into<String>) -> Value {
    Value::plain(text)
}

pub(crate) fn integer(number: i64) -> Value {
    Value { text: number.to_string(), datatype: Some(XSD_INTEGER) }
}

pub(crate) fn boolean(b: bool) -> Value {
    Value { text: b.to_string(), datatype: Some(XSD_BOOLEAN) }
}

/// A double in `xsd:double`'s lexical space; whole numbers stay whole
/// ("3", not "3.0E0"), as a spreadsheet shows them.
pub(crate) fn double(number: f64) -> Value {
    let text = if number.is_nan() {
        "NaN".to_owned()
    } else if number.is_infinite() {
        if number > 0.0 { "INF" } else { "-INF" }.to_owned()
    } else {
        number.to_string()
    };
    Value { text, datatype: Some(XSD_DOUBLE) }
}

/// Both FnO names of each parameter: (resource, `fno:predicate`), from
/// `functions_grel.ttl` and `functions_idlab.ttl`.
const ALIASES: &[(&str, &str)] = &[
    (grel::VALUE, grel!("valueParameter")),
    (grel::VALUE2, grel!("valueParameter2")),
    (grel::ARRAY, grel!("p_array_a")),
    (grel::SEP, grel!("p_string_sep")),
    (grel::BOOLS, grel!("param_rep_b")),
    (grel::BOOL, grel!("bool_b")),
    (grel::TRUE, grel!("any_true")),
    (grel::FALSE, grel!("any_false")),
    (grel::SUB, grel!("string_sub")),
    (grel::FROM, grel!("param_int_i_from")),
    (grel::TO, grel!("param_int_i_opt_to")),
    (grel::FIND, grel!("p_string_find")),
    (grel::REPLACE, grel!("p_string_replace")),
    (grel::REGEX, grel!("p_string_regex")),
    (grel::ANY, grel!("p_any_e")),
    (grel::ANYS, grel!("p_any_rep_e")),
    (grel::MODE, grel!("modeParameter")),
    (grel::N, grel!("p_dec_n")),
    (grel::N2, grel!("param_n2")),
    (grel::EXP, grel!("p_any_exp")),
    (grel::I, grel!("p_int_i")),
    (grel::I2, grel!("p_int_i2")),
    (grel::FRAGMENT, grel!("p_fragment")),
    (grel::OMIT, grel!("p_bool_opt_b")),
    (idlab!("_str"), idlab::STR),
    (idlab!("_otherStr"), idlab::OTHER_STR),
    (idlab!("_delimiter"), idlab::DELIMITER),
    (idlab!("_strBoolean"), idlab::STR_BOOLEAN),
    (idlab!("_expectedStr"), idlab::EXPECTED_STR),
    (idlab!("_result"), idlab::RESULT),
    (idlab!("_list"), idlab::LIST),
    (idlab!("_test"), idlab::TEST),
    (idlab!("_from"), idlab::FROM),
    (idlab!("_to"), idlab::TO),
    (idlab!("_strDate"), idlab::STR_DATE),
    (idlab!("_pattern"), idlab::PATTERN),
    (idlab!("_lang"), idlab::LANG),
];

/// Functions the FnO descriptions define that this library leaves out, and
/// why; [`lookup`] does not find them, so a mapping using one is refused when
/// it is compiled.
pub const LEFT_OUT: &[(&str, &str)] = &[
    (idlab!("random"), "a random UUID per call: not deterministic"),
    (grel!("date_now"), "the current time: not deterministic"),
    (grel!("math_randomNumber"), "not deterministic"),
    (idlab!("readFile"), "reads files named by the data"),
    (idlab!("lookup"), "reads a CSV file named by the data per call"),
    (idlab!("lookupWithDelimiter"), "reads a CSV file named by the data per call"),
    (idlab!("dbpediaSpotlight"), "calls a web service per record"),
    (idlab!("generateUniqueIRI"), "keeps state in files between runs"),
    (idlab!("createUniqueIRI"), "keeps state in files between runs"),
    (idlab!("updateUniqueIRI"), "keeps state in files between runs"),
    (idlab!("implicitCreate"), "keeps state in files between runs"),
    (idlab!("implicitUpdate"), "keeps state in files between runs"),
    (idlab!("implicitDelete"), "keeps state in files between runs"),
    (idlab!("explicitCreate"), "keeps state in files between runs"),
    (idlab!("explicitUpdate"), "keeps state in files between runs"),
    (idlab!("explicitDelete"), "keeps state in files between runs"),
    (idlab!("concatSequence"), "takes an rdf:Seq of inputs (rdf:_1, rdf:_2...)"),
    (idlab!("crossConcatSequence"), "takes an rdf:Seq of inputs (rdf:_1, rdf:_2...)"),
    (grel!("string_smartSplit"), "its separator parameter is described as required yet optional; use string_split"),
    (grel!("string_splitByLengths"), "its parameters (two ints and a string) do not describe a list of lengths"),
    (grel!("string_splitByCharType"), "rarely useful on cells; not yet implemented"),
    (grel!("string_phonetic"), "needs the Metaphone, Soundex and Cologne encoders; not yet implemented"),
    (grel!("string_reinterpret"), "values are already decoded text when they reach a function"),
    (grel!("date_diff"), "not yet implemented"),
    (grel!("date_inc"), "not yet implemented"),
    (grel!("date_datePart"), "not yet implemented"),
    (grel!("other_type"), "names Java types"),
    (grel!("other_hasField"), "works on OpenRefine's objects, not on text values"),
];

/// The function with this IRI, if the library has it.
pub fn lookup(iri: &str) -> Option<&'static Function> {
    grel::FUNCTIONS.iter().chain(idlab::FUNCTIONS).find(|f| f.iri == iri)
}

/// Every function of the library.
pub fn all() -> impl Iterator<Item = &'static Function> {
    grel::FUNCTIONS.iter().chain(idlab::FUNCTIONS)
}

/// Maps `f` over every value of the main input `parameter`; no value in,
/// no value out.
pub(crate) fn each(
    args: &Arguments<'_>,
    parameter: &str,
    mut f: impl FnMut(&str) -> Result<Option<Value>, String>,
) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for value in args.all(parameter) {
        out.extend(f(&value.text)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
