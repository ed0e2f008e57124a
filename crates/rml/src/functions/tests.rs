//! The library against the RML-FNML test cases' expectations and the GREL and
//! IDLab documentation's examples.

use super::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const G: &str = GREL;
const I: &str = IDLAB;

fn iri(namespace: &str, name: &str) -> String {
    format!("{namespace}{name}")
}

/// Calls the function `name` with `(parameter, values)` pairs, parameters
/// given by name in the function's namespace, or as a full IRI.
fn run(function: &str, args: &[(&str, &[&str])]) -> Result<Vec<Value>, String> {
    let f = lookup(function).unwrap_or_else(|| panic!("{function} is not in the library"));
    let names: Vec<String> = args.iter().map(|(p, _)| p.to_string()).collect();
    let values = names
        .iter()
        .zip(args)
        .map(|(name, (_, values))| (name.as_str(), values.iter().map(|v| Value::plain(*v)).collect()))
        .collect();
    (f.call)(&Arguments { values })
}

fn texts(function: &str, args: &[(&str, &[&str])]) -> Vec<String> {
    run(function, args).unwrap().into_iter().map(|v| v.text).collect()
}

fn one(function: &str, args: &[(&str, &[&str])]) -> Value {
    let mut values = run(function, args).unwrap();
    assert_eq!(values.len(), 1, "{function} gave {values:?}");
    values.remove(0)
}

fn g(name: &str) -> String {
    iri(G, name)
}

fn i(name: &str) -> String {
    iri(I, name)
}

#[test]
fn the_suites_cases_give_their_expected_values() {
    let value = g("valueParam");
    // RMLFNMLTC0001, 0002, 0005, 0004, 0007, 0008, 0011, 0021, 0031, 0061, 0071, 0081.
    assert_eq!(texts(&i("alwaysReturnsABC"), &[]), ["ABC"]);
    assert_eq!(texts(&g("toUpperCase"), &[(&value, &["Venus"])]), ["VENUS"]);
    assert_eq!(texts(&g("toUpperCase"), &[(&value, &["Name: Venus"])]), ["NAME: VENUS"]);
    assert_eq!(one(&g("string_length"), &[(&value, &["Venus"])]), integer(5));
    assert_eq!(one(&g("string_length"), &[(&value, &["Venus"])]).datatype, Some(XSD_INTEGER));
    let from = g("p_int_i_from");
    assert_eq!(texts(&g("string_substring"), &[(&value, &["Venus"]), (&from, &["5"])]), [""]);
    assert!(texts(&g("string_substring"), &[(&value, &["Venus"]), (&from, &["1000"])]).is_empty());
    assert_eq!(texts(&g("string_substring"), &[(&value, &["en"]), (&from, &["0"])]), ["en"]);
    let s = i("str");
    assert_eq!(texts(&i("toUpperCaseURL"), &[(&s, &["Venus"])]), ["http://VENUS"]);
    assert_eq!(texts(&i("toUpperCaseURL"), &[(&s, &["www.example.com"])]), ["http://WWW.EXAMPLE.COM"]);
    assert_eq!(texts(&i("toUpperCaseURL"), &[(&s, &["http://example.com/venus"])]), ["http://EXAMPLE.COM/VENUS"]);
    assert_eq!(texts(&g("escape"), &[(&value, &["A&B"]), (&g("modeParam"), &["html"])]), ["A&amp;B"]);
}

#[test]
fn conditions_and_nesting_as_in_the_suite() {
    // RMLFNMLTC0032: idlab-fn:equal on grel:valueParam and grel:valueParam2.
    let (v, v2) = (g("valueParam"), g("valueParam2"));
    assert_eq!(one(&i("equal"), &[(&v, &["A"]), (&v2, &["A"])]), boolean(true));
    assert_eq!(one(&i("equal"), &[(&v, &["B"]), (&v2, &["A"])]), boolean(false));
    assert_eq!(one(&i("equal"), &[(&v2, &["A"])]), boolean(false));
    assert_eq!(one(&i("notEqual"), &[(&v, &["B"]), (&v2, &["A"])]), boolean(true));
    assert_eq!(one(&i("equal"), &[(&v, &["A"]), (&v2, &["A"])]).datatype, Some(XSD_BOOLEAN));
    // RMLFNMLTC0051: toUpperCase(replace(Name, " ", "-")).
    let inner =
        texts(&g("string_replace"), &[(&v, &["M Venus"]), (&g("param_find"), &[" "]), (&g("param_replace"), &["-"])]);
    let inner: Vec<&str> = inner.iter().map(String::as_str).collect();
    assert_eq!(texts(&g("toUpperCase"), &[(&v, &inner)]), ["M-VENUS"]);
}

#[test]
fn the_suites_error_cases_are_refused() {
    // RMLFNMLTC0102, 0103, 0104.
    assert!(lookup(&g("unknown_func")).is_none());
    let upper = lookup(&g("toUpperCase")).unwrap();
    assert_eq!(upper.parameter(&g("unknownParam")), None);
    assert!(!upper.has_output(&g("unknownOut")));
    assert!(upper.has_output(&g("stringOut")));
}

#[test]
fn parameters_answer_to_both_fno_names() {
    let upper = lookup(&g("toUpperCase")).unwrap();
    assert_eq!(upper.parameter(&g("valueParam")), Some(grel::VALUE));
    assert_eq!(upper.parameter(&g("valueParameter")), Some(grel::VALUE));
    assert_eq!(upper.parameter(&g("valueParameter2")), None);
    let url = lookup(&i("toUpperCaseURL")).unwrap();
    assert_eq!(url.parameter(&i("_str")), Some(idlab::STR));
    assert_eq!(url.parameter(&i("str")), Some(idlab::STR));
    let join = lookup(&g("array_join")).unwrap();
    assert_eq!(join.parameter(&g("p_array_a")), Some(grel::ARRAY));
}

#[test]
fn every_function_is_well_formed() {
    let mut seen = BTreeSet::new();
    for f in all() {
        assert!(seen.insert(f.iri), "{} twice", f.iri);
        assert!(f.iri.starts_with(GREL) || f.iri.starts_with(IDLAB), "{}", f.iri);
        assert!(!f.outputs.is_empty(), "{} has no output", f.iri);
        for p in f.required.iter().chain(f.optional) {
            assert_eq!(f.parameter(p), Some(*p));
        }
        // No arguments at all: a function gives nothing or a default, never panics.
        let _ = (f.call)(&Arguments::default());
    }
    for (iri, _) in LEFT_OUT {
        assert!(lookup(iri).is_none(), "{iri} is both implemented and left out");
    }
}

#[test]
fn grel_strings() {
    let v = g("valueParam");
    let t = |f: &str, s: &str| texts(&g(f), &[(&v, &[s])]);
    assert_eq!(t("toLowerCase", "VeNuS"), ["venus"]);
    assert_eq!(t("string_toTitlecase", "river THAMES"), ["River Thames"]);
    assert_eq!(t("string_trim", "  island \t"), ["island"]);
    assert_eq!(texts(&g("toUpperCase"), &[(&v, &["a", "b"])]), ["A", "B"]);
    assert!(texts(&g("toUpperCase"), &[(&v, &[])]).is_empty());
    let (from, to) = (g("p_int_i_from"), g("p_int_i_opt_to"));
    let sub = |f: &str, t: &str| texts(&g("string_substring"), &[(&v, &["profound"]), (&from, &[f]), (&to, &[t])]);
    assert_eq!(texts(&g("string_substring"), &[(&v, &["profound"]), (&from, &["3"])]), ["found"]);
    assert_eq!(sub("2", "4"), ["of"]);
    assert_eq!(sub("1", "-1"), ["rofoun"]);
    assert!(sub("4", "2").is_empty());
    assert!(sub("0", "99").is_empty());
    assert!(run(&g("string_substring"), &[(&v, &["x"]), (&from, &["one"])]).unwrap_err().contains("p_int_i_from"));
    assert_eq!(texts(&g("string_toString"), &[(&g("param_any_e"), &["42"])]), ["42"]);
}

#[test]
fn grel_replace_and_search() {
    let v = g("valueParam");
    let (find, with) = (g("param_find"), g("param_replace"));
    let replace = |s: &str, f: &str, r: &str| texts(&g("string_replace"), &[(&v, &[s]), (&find, &[f]), (&with, &[r])]);
    assert_eq!(replace("a.b.c", ".", "-"), ["a-b-c"]);
    assert_eq!(replace("a  b   c", "/\\s+/", " "), ["a b c"]);
    assert_eq!(replace("2013-03-15", "/(\\d+)-(\\d+)-(\\d+)/", "$3/$2/$1"), ["15/03/2013"]);
    let chars = |s: &str, f: &str, r: &str| run(&g("string_replaceChars"), &[(&v, &[s]), (&find, &[f]), (&with, &[r])]);
    let ocr = chars("Téxt thát was optícálly recógnízéd", "áéíóú", "aeiou").unwrap();
    assert_eq!(ocr[0].text, "Text that was optically recognized");
    assert!(chars("x", "ab", "a").is_err());
    let sub = g("param_string_sub");
    let test = |f: &str, s: &str, x: &str| one(&g(f), &[(&v, &[s]), (&sub, &[x])]);
    assert_eq!(test("string_startsWith", "food", "foo"), boolean(true));
    assert_eq!(test("string_startsWith", "food", "bar"), boolean(false));
    assert_eq!(test("string_endsWith", "food", "ood"), boolean(true));
    assert_eq!(test("string_contains", "food", "oo"), boolean(true));
    assert_eq!(test("string_contains", "food", "ee"), boolean(false));
    assert_eq!(test("string_contains", "food", "/o+d$/"), boolean(true));
    assert_eq!(test("string_indexOf", "internationalization", "nation"), integer(5));
    assert_eq!(test("string_indexOf", "élan", "a"), integer(2));
    assert_eq!(test("string_indexOf", "food", "x"), integer(-1));
    assert_eq!(test("string_lastIndexOf", "parallel", "a"), integer(3));
    let sep = g("param_string_sep");
    assert_eq!(texts(&g("string_chomp"), &[(&v, &["hardly"]), (&sep, &["ly"])]), ["hard"]);
    assert_eq!(texts(&g("string_chomp"), &[(&v, &["hard"]), (&sep, &["ly"])]), ["hard"]);
}

#[test]
fn grel_split_gives_several_values() {
    let (v, sep) = (g("valueParam"), g("param_string_sep"));
    let split = |s: &str, by: &str| texts(&g("string_split"), &[(&v, &[s]), (&sep, &[by])]);
    assert_eq!(split("fire, water, earth, air", ","), ["fire", " water", " earth", " air"]);
    assert_eq!(split("a;b;;c;", ";"), ["a", "b", "c"]);
    assert_eq!(split("a.b|c", "."), ["a", "b|c"]);
    assert_eq!(split("a1b22c", "/\\d+/"), ["a", "b", "c"]);
    assert!(run(&g("string_split"), &[(&v, &["a"]), (&sep, &[""])]).is_err());
    let regex = g("param_regex");
    let m = |s: &str, p: &str| texts(&g("string_match"), &[(&v, &[s]), (&regex, &[p])]);
    assert_eq!(m("230.22398, 12.3480", "/.*(\\d\\d\\d\\d)/"), ["3480"]);
    assert_eq!(m("abc", "/(a)(x)?bc/"), ["a", ""]);
    assert!(m("abc", "/b/").is_empty());
    assert!(run(&g("string_match"), &[(&v, &["a"]), (&regex, &["a"])]).unwrap_err().contains("slashes"));
    let (frag, omit) = (g("param_fragment"), g("param_bool_opt_b"));
    assert_eq!(
        texts(&g("string_partition"), &[(&v, &["internationalization"]), (&frag, &["nation"])]),
        ["inter", "nation", "alization"]
    );
    assert_eq!(texts(&g("string_partition"), &[(&v, &["a-b-c"]), (&frag, &["-"]), (&omit, &["true"])]), ["a", "b-c"]);
    assert_eq!(texts(&g("string_rpartition"), &[(&v, &["a-b-c"]), (&frag, &["-"])]), ["a-b", "-", "c"]);
    assert_eq!(texts(&g("string_partition"), &[(&v, &["abc"]), (&frag, &["x"])]), ["abc", "", ""]);
    assert_eq!(texts(&g("string_unicode"), &[(&v, &["Aé"])]), ["65", "233"]);
    assert_eq!(texts(&g("string_diff"), &[(&v, &["abcdefg"]), (&g("valueParam2"), &["abcdxyz"])]), ["xyz"]);
}

#[test]
fn grel_escapes_and_hashes() {
    let (v, mode) = (g("valueParam"), g("modeParam"));
    let esc = |f: &str, s: &str, m: &str| run(&g(f), &[(&v, &[s]), (&mode, &[m])]);
    assert_eq!(esc("escape", "a b", "url").unwrap()[0].text, "a%20b");
    assert_eq!(esc("escape", "<x>", "XML").unwrap()[0].text, "&lt;x&gt;");
    assert_eq!(esc("string_unescape", "a%20b", "url").unwrap()[0].text, "a b");
    assert_eq!(esc("string_unescape", "&lt;&eacute;", "html").unwrap()[0].text, "<é");
    assert!(esc("escape", "x", "yaml").unwrap_err().contains("modeParam"));
    assert_eq!(texts(&g("string_md5"), &[(&v, &["abc"])]), ["900150983cd24fb0d6963f7d28e17f72"]);
    assert_eq!(texts(&g("string_sha1"), &[(&v, &["abc"])]), ["a9993e364706816aba3e25717850c26c9cd0d89d"]);
}

#[test]
fn grel_numbers() {
    let any = g("param_any_e");
    assert_eq!(one(&g("string_toNumber"), &[(&any, &[" 42 "])]), integer(42));
    assert_eq!(one(&g("string_toNumber"), &[(&any, &["2.5"])]), double(2.5));
    assert!(run(&g("string_toNumber"), &[(&any, &["two"])]).unwrap_err().contains("param_any_e"));
    let n = g("param_dec_n");
    let m = |f: &str, x: &str| one(&g(f), &[(&n, &[x])]);
    assert_eq!(m("math_floor", "2.7"), integer(2));
    assert_eq!(m("math_ceil", "2.1"), integer(3));
    assert_eq!(m("math_round", "2.5"), integer(3));
    assert_eq!(m("math_round", "-2.5"), integer(-2));
    assert_eq!(m("math_log", "100"), double(2.0));
    assert_eq!(m("math_ln", "1"), double(0.0));
    assert_eq!(m("math_exp", "0"), double(1.0));
    assert_eq!(m("math_log", "0").text, "-INF");
    let n2 = g("param_dec_n2");
    assert_eq!(one(&g("math_min"), &[(&n, &["3"]), (&n2, &["5"])]), integer(3));
    assert_eq!(one(&g("math_max"), &[(&n, &["3"]), (&n2, &["5.5"])]), double(5.5));
    assert_eq!(one(&g("math_pow"), &[(&n, &["2"]), (&g("param_dec_n_exp"), &["10"])]), integer(1024));
    let (i1, i2) = (g("param_int_i"), g("param_int_i2"));
    assert_eq!(one(&g("math_mod"), &[(&i1, &["7"]), (&i2, &["3"])]), integer(1));
    assert!(run(&g("math_mod"), &[(&i1, &["7"]), (&i2, &["0"])]).is_err());
    assert!(run(&g("math_min"), &[(&n, &["1", "2"]), (&n2, &["5"])]).unwrap_err().contains("one value"));
}

#[test]
fn grel_arrays_and_booleans() {
    let a = g("param_a");
    let sep = g("param_string_sep");
    assert_eq!(texts(&g("array_join"), &[(&a, &["a", "b", "c"]), (&sep, &["; "])]), ["a; b; c"]);
    assert_eq!(texts(&g("array_join"), &[(&a, &["a", "b"])]), ["ab"]);
    assert_eq!(one(&g("array_length"), &[(&a, &["a", "b"])]), integer(2));
    assert_eq!(texts(&g("array_reverse"), &[(&a, &["a", "b"])]), ["b", "a"]);
    assert_eq!(texts(&g("array_sort"), &[(&a, &["10", "9", "-1"])]), ["-1", "9", "10"]);
    assert_eq!(texts(&g("array_sort"), &[(&a, &["b", "10", "a"])]), ["10", "a", "b"]);
    assert_eq!(texts(&g("array_uniques"), &[(&a, &["a", "b", "a"])]), ["a", "b"]);
    assert_eq!(one(&g("array_sum"), &[(&a, &["1", "2", "3"])]), integer(6));
    assert_eq!(one(&g("array_sum"), &[(&a, &["1", "2.5"])]), double(3.5));
    let (from, to) = (g("p_int_i_from"), g("p_int_i_opt_to"));
    assert_eq!(texts(&g("array_slice"), &[(&a, &["a", "b", "c", "d"]), (&from, &["1"]), (&to, &["3"])]), ["b", "c"]);
    assert_eq!(texts(&g("array_slice"), &[(&a, &["a", "b", "c"]), (&from, &["-2"])]), ["b", "c"]);
    assert_eq!(texts(&g("array_get"), &[(&a, &["a", "b", "c"]), (&from, &["1"])]), ["b"]);
    assert!(texts(&g("array_get"), &[(&a, &["a"]), (&from, &["5"])]).is_empty());
    let bools = g("bool_array_b");
    let b = |f: &str, xs: &[&str]| one(&g(f), &[(&bools, xs)]);
    assert_eq!(b("boolean_and", &["true", "true"]), boolean(true));
    assert_eq!(b("boolean_and", &["true", "false"]), boolean(false));
    assert_eq!(b("boolean_or", &["false", "TRUE"]), boolean(true));
    assert_eq!(b("boolean_xor", &["true", "true"]), boolean(false));
    assert_eq!(b("boolean_xor", &["true", "false"]), boolean(true));
    assert!(run(&g("boolean_and"), &[(&bools, &["yes"])]).unwrap_err().contains("bool_array_b"));
    let p = g("param_b");
    assert_eq!(one(&g("boolean_not"), &[(&p, &["false"])]), boolean(true));
    let (t, f) = (g("param_true"), g("param_false"));
    assert_eq!(texts(&g("controls_if"), &[(&p, &["true"]), (&t, &["yes"]), (&f, &["no"])]), ["yes"]);
    assert_eq!(texts(&g("controls_if"), &[(&p, &["0"]), (&t, &["yes"]), (&f, &["no"])]), ["no"]);
    assert!(texts(&g("controls_if"), &[(&p, &["false"]), (&t, &["yes"])]).is_empty());
    assert_eq!(texts(&g("other_coalesce"), &[(&g("param_any_rep_e"), &["", "x", "y"])]), ["x"]);
}

#[test]
fn dates_become_typed_literals() {
    let (v, p) = (g("valueParam"), g("param_string_pattern"));
    let d = one(&g("date_toDate"), &[(&v, &["15/03/2013"]), (&p, &["dd/MM/yyyy"])]);
    assert_eq!((d.text.as_str(), d.datatype), ("2013-03-15", Some(XSD_DATE)));
    let (s, pattern, lang) = (i("strDate"), i("pattern"), i("lang"));
    let d = one(&i("normalizeDate"), &[(&s, &["01 April 22"]), (&pattern, &["dd LLLL uu"])]);
    assert_eq!((d.text.as_str(), d.datatype), ("2022-04-01", Some(XSD_DATE)));
    let d =
        one(&i("normalizeDateWithLang"), &[(&s, &["1 avril 2022"]), (&pattern, &["d MMMM yyyy"]), (&lang, &["fr"])]);
    assert_eq!(d.text, "2022-04-01");
    let t = one(&i("normalizeDateTime"), &[(&s, &["01 April 22T11:44:00"]), (&pattern, &["dd LLLL uu'T'HH:mm:ss"])]);
    assert_eq!((t.text.as_str(), t.datatype), ("2022-04-01T11:44:00", Some(XSD_DATE_TIME)));
    assert!(texts(&i("normalizeDateTime"), &[(&s, &["01 April 22"]), (&pattern, &["dd LLLL uu"])]).is_empty());
    assert!(texts(&i("normalizeDate"), &[(&s, &["not a date"]), (&pattern, &["dd/MM/yyyy"])]).is_empty());
    let bad = run(&i("normalizeDate"), &[(&s, &["2022"]), (&pattern, &["yyyy QQ"])]).unwrap_err();
    assert!(bad.contains("pattern"), "{bad}");
    let bad = run(&i("normalizeDateWithLang"), &[(&s, &["1"]), (&pattern, &["d"]), (&lang, &["zz"])]).unwrap_err();
    assert!(bad.contains("lang"), "{bad}");
}

#[test]
fn idlab_tests_and_choices() {
    let (s, other, delimiter) = (i("str"), i("otherStr"), i("delimiter"));
    let contains =
        |x: &str| one(&i("stringContainsOtherString"), &[(&s, &["a|b|c"]), (&other, &[x]), (&delimiter, &["|"])]);
    assert_eq!(contains("b"), boolean(true));
    assert_eq!(contains("a|b"), boolean(false));
    assert_eq!(one(&i("listContainsElement"), &[(&i("list"), &["a", "b"]), (&s, &["b"])]), boolean(true));
    assert_eq!(one(&i("listContainsElement"), &[(&i("list"), &["a"]), (&s, &["b"])]), boolean(false));
    assert_eq!(one(&i("isNull"), &[(&s, &[])]), boolean(true));
    assert_eq!(one(&i("isNull"), &[(&s, &[""])]), boolean(false));
    let sb = i("strBoolean");
    assert_eq!(texts(&i("trueCondition"), &[(&sb, &["true"]), (&s, &["kept"])]), ["kept"]);
    assert!(texts(&i("trueCondition"), &[(&sb, &["false"]), (&s, &["kept"])]).is_empty());
    assert!(texts(&i("trueCondition"), &[(&s, &["kept"])]).is_empty());
    let (expected, result) = (i("expectedStr"), i("result"));
    assert_eq!(texts(&i("decide"), &[(&s, &["y"]), (&expected, &["y"]), (&result, &["Yes"])]), ["Yes"]);
    assert!(texts(&i("decide"), &[(&s, &["n"]), (&expected, &["y"]), (&result, &["Yes"])]).is_empty());
    let (test, from, to) = (i("p_test"), i("p_from"), i("p_to"));
    let range = |x: &str| one(&i("inRange"), &[(&test, &[x]), (&from, &["1"]), (&to, &["10"])]);
    assert_eq!(range("1"), boolean(true));
    assert_eq!(range("10"), boolean(false));
    assert_eq!(one(&i("inRange"), &[(&test, &["-5"]), (&to, &["0"])]), boolean(true));
    assert!(run(&i("inRange"), &[(&test, &["ten"])]).unwrap_err().contains("p_test"));
    assert_eq!(texts(&i("slugify"), &[(&s, &["Hello World!"])]), ["hello-world"]);
    assert_eq!(texts(&i("getMIMEType"), &[(&s, &["data.CSV"])]), ["text/csv"]);
    assert!(texts(&i("getMIMEType"), &[(&s, &["README"])]).is_empty());
    assert_eq!(texts(&i("concat"), &[(&s, &["a"]), (&other, &["b"]), (&delimiter, &["-"])]), ["a-b"]);
    assert_eq!(texts(&i("concat"), &[(&s, &["a"]), (&other, &["b"])]), ["ab"]);
}

/// The RML-FNML test cases, beside the project (see tests/conformance.rs).
fn suite_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/rml-cg/rml-fnml/test-cases");
    dir.is_dir().then_some(dir)
}

/// The suite's error cases name these on purpose; they must not be found.
const SUITE_UNKNOWN: &[&str] = &[grel!("unknown_func"), grel!("unknownParam"), grel!("unknownOut")];

/// IRIs in `turtle` that follow `property` (a prefixed name), expanded with
/// the file's own `@prefix` lines.
fn objects_of(turtle: &str, property: &str) -> Vec<String> {
    let prefix = regex::Regex::new(r"@prefix\s+([\w-]*):\s*<([^>]*)>").unwrap();
    let prefixes: Vec<(String, String)> =
        prefix.captures_iter(turtle).map(|c| (c[1].to_owned(), c[2].to_owned())).collect();
    let object = regex::Regex::new(&format!(r"{property}\s+(?:\[\s*rml:constant\s+)?([\w-]*):([\w-]+)")).unwrap();
    object
        .captures_iter(turtle)
        .filter_map(|c| prefixes.iter().find(|(p, _)| *p == c[1]).map(|(_, ns)| format!("{ns}{}", &c[2])))
        .collect()
}

#[test]
fn every_function_the_suite_uses_is_found() {
    let Some(dir) = suite_dir() else {
        eprintln!("the RML-FNML test cases are not beside the project; suite IRIs not checked");
        return;
    };
    let mut checked = 0;
    for case in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()) {
        for file in ["mapping.ttl", "functions.ttl"].map(|f| case.join(f)).iter().filter(|p| p.is_file()) {
            let turtle = std::fs::read_to_string(file).unwrap();
            let unknown = |iri: &String| SUITE_UNKNOWN.contains(&iri.as_str());
            for function in objects_of(&turtle, "rml:function") {
                assert_eq!(lookup(&function).is_some(), !unknown(&function), "{function} in {}", file.display());
                checked += 1;
            }
            for parameter in objects_of(&turtle, "rml:parameter") {
                let known = all().any(|f| f.parameter(&parameter).is_some());
                assert_eq!(known, !unknown(&parameter), "{parameter} in {}", file.display());
            }
            for output in objects_of(&turtle, "rml:return").into_iter().chain(objects_of(&turtle, "rml:returnMap")) {
                let known = all().any(|f| !f.outputs.is_empty() && f.has_output(&output));
                assert_eq!(known, !unknown(&output), "{output} in {}", file.display());
            }
        }
    }
    assert!(checked > 0, "no rml:function found in {}", dir.display());
}
