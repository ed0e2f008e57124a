use super::*;

/// A crate of the files given as (path, text), its root `lib.rs`.
fn crate_of(files: &[(&str, &str)]) -> Crate {
    let files: BTreeMap<PathBuf, String> = files.iter().map(|(p, t)| (PathBuf::from(p), (*t).to_owned())).collect();
    Crate::load(Path::new("lib.rs"), &|path| files.get(path).cloned()).unwrap()
}

fn cycle(folder: &str, modules: &[&str]) -> (String, Vec<String>) {
    (folder.to_owned(), modules.iter().map(|m| (*m).to_owned()).collect())
}

#[test]
fn a_cycle_between_top_level_modules_is_found() {
    let krate = crate_of(&[
        ("lib.rs", "pub mod a;\npub mod b;\n"),
        ("a.rs", "use super::b::Thing;\n"),
        ("b.rs", "pub fn f() { crate::a::g() }\n"),
    ]);
    assert_eq!(krate.cycles(), vec![cycle("", &["a", "b", "a"])]);
}

#[test]
fn super_super_from_a_test_module_names_a_sibling() {
    let krate = crate_of(&[
        ("lib.rs", "mod m;\n"),
        ("m/mod.rs", "mod p;\nmod q;\n"),
        ("m/p.rs", "#[cfg(test)]\nmod tests {\n    use super::super::q::Thing;\n}\n"),
        ("m/q.rs", "use super::p;\n"),
    ]);
    assert_eq!(krate.cycles(), vec![cycle("m/", &["p", "q", "p"])]);
}

#[test]
fn super_super_from_a_folder_names_a_top_level_module() {
    let krate = crate_of(&[
        ("lib.rs", "mod m;\nmod x;\n"),
        ("m/mod.rs", "mod p;\n"),
        ("m/p.rs", "use super::super::x::Z;\n"),
        ("x.rs", "use crate::m::p::f;\n"),
    ]);
    assert_eq!(krate.cycles(), vec![cycle("", &["m", "x", "m"])]);
}

#[test]
fn a_name_re_exported_with_self_in_mod_rs_names_its_module() {
    let krate = crate_of(&[
        ("lib.rs", "mod m;\n"),
        ("m/mod.rs", "mod p;\nmod q;\npub use self::p::Plan;\n"),
        ("m/q.rs", "use super::Plan;\n"),
        ("m/p.rs", "pub struct Plan;\npub fn f() { super::q::g() }\n"),
    ]);
    assert_eq!(krate.cycles(), vec![cycle("m/", &["p", "q", "p"])]);
}

#[test]
fn names_in_groups_over_lines_and_through_glob_re_exports_are_followed() {
    let krate = crate_of(&[
        ("lib.rs", "mod m;\n"),
        ("m/mod.rs", "mod p;\nmod q;\nmod r;\npub use p::*;\npub(crate) use r::{Run as Go};\n"),
        ("m/p.rs", "pub struct Plan;\nuse super::{\n    q::{self, Other},\n};\n"),
        ("m/q.rs", "use super::{\n    Go,\n};\n"),
        ("m/r.rs", "use super::{\n    Plan,\n};\n"),
    ]);
    assert_eq!(krate.cycles(), vec![cycle("m/", &["p", "q", "r", "p"])]);
}

#[test]
fn a_folder_beside_its_file_is_read() {
    let krate = crate_of(&[
        ("lib.rs", "pub mod serve;\n"),
        ("serve.rs", "mod html;\nmod page;\n"),
        ("serve/page.rs", "use super::html::Html;\n"),
        ("serve/html.rs", "fn f() -> crate::serve::page::Page { todo!() }\n"),
    ]);
    assert_eq!(krate.cycles(), vec![cycle("serve/", &["html", "page", "html"])]);
}

#[test]
fn comments_strings_and_what_the_root_defines_make_no_cycle() {
    let krate = crate_of(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub enum Error { A(a::Fault) }\n"),
        (
            "a.rs",
            "use crate::Error;\n// use crate::b::X;\n/* crate::b::Y /* nested */ crate::b::Z */\npub struct Fault;\n",
        ),
        (
            "b.rs",
            "use crate::{a::Fault, Error};\nconst P: &str = \"use crate::a::X; \\\"\";\n\
             const R: &str = r#\"crate::a::\"X\"#;\nconst Q: char = '\"';\nfn f<'a>(_: &'a str) -> char { '\\'' }\n",
        ),
    ]);
    assert_eq!(krate.cycles(), vec![]);
    assert_eq!(krate.graphs()[&Vec::new()]["b"], BTreeSet::from(["a".to_owned()]));
    assert!(krate.graphs()[&Vec::new()]["a"].is_empty());
}

#[test]
fn a_missing_module_file_is_reported() {
    let files = [("lib.rs", "mod gone;\n")];
    let read = |path: &Path| files.iter().find(|(p, _)| Path::new(p) == path).map(|(_, t)| (*t).to_owned());
    assert_eq!(Crate::load(Path::new("lib.rs"), &read).unwrap_err(), "gone/mod.rs: cannot be read");
}

#[test]
fn find_cycle_names_the_modules_on_it() {
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(from, to)| (from.to_owned(), BTreeSet::from([to.to_owned()])))
        .collect();
    assert_eq!(find_cycle(&graph), Some(vec!["a".to_owned(), "b".into(), "c".into(), "a".into()]));
}
