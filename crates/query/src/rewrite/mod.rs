//! Rewrites of a query's algebra before Oxigraph plans it, where its planner
//! (sparopt, which has no statistics) picks a plan Virtuoso does not, using
//! the counts the read index gives for free. Each is made only where the
//! answer cannot change ([`variables`] says when), and each module says
//! what it was worth:
//!
//! - [`joins`]: FILTER EXISTS and FILTER NOT EXISTS as joins sparopt plans,
//!   and a MINUS or an OPTIONAL looked up row by row where that costs less
//!   than evaluating it whole, by the estimates of [`estimate`];
//! - [`minus_moved`]: a MINUS after a small group of triple patterns moves
//!   after the patterns that follow it;
//! - [`minus_early`]: a MINUS after a large group moves onto the one
//!   pattern of it that binds what the MINUS compares;
//! - [`values_given`]: a VALUES of one row gives its values to the patterns
//!   joined with it;
//! - [`equal_outside`]: an OPTIONAL whose condition equates one of its
//!   variables with the left side's is looked up with those values.

mod equal_outside;
mod estimate;
mod index;
mod joins;
mod minus_early;
mod minus_moved;
mod values_given;
mod variables;

pub use estimate::{PredicateStatistics, Statistics};

use spargebra::algebra::GraphPattern;
use spargebra::term::Variable;

/// Most triples the smallest pattern of a group may match for a MINUS after
/// it to move ([`minus_moved`]): a lookup for each of its solutions costs
/// less than the plan sparopt makes (tens of thousands of lookups take
/// milliseconds).
pub const SMALL: usize = 10_000;

/// Applies the rewrites everywhere in `pattern`, with what the index tells
/// of the graph.
pub fn rewrite(pattern: &mut GraphPattern, statistics: &dyn Statistics) {
    let text = pattern.to_string();
    let mut taken = 0;
    let mut fresh = || loop {
        taken += 1;
        let name = format!("factgraph_found_{taken}");
        if !text.contains(&name) {
            return Variable::new_unchecked(name);
        }
    };
    give_values_outside_in(pattern);
    rewrite_inside_out(pattern, statistics);
    move_minus_outside_in(pattern, statistics);
    correlate_outside_in(pattern, statistics, &mut fresh);
}

/// A MINUS after a large group moves onto the pattern it compares, from the
/// outermost in: a chain of them is seen whole before its innermost.
fn move_minus_outside_in(pattern: &mut GraphPattern, statistics: &dyn Statistics) {
    minus_early::minus_on_its_pattern(pattern, statistics);
    for child in children(pattern) {
        move_minus_outside_in(child, statistics);
    }
}

/// First, before the other rewrites make subqueries of what they change:
/// a VALUES's values are written into the patterns joined with it, from the
/// outermost in.
fn give_values_outside_in(pattern: &mut GraphPattern) {
    values_given::give_values(pattern);
    for child in children(pattern) {
        give_values_outside_in(child);
    }
}

/// The rewrites that change a pattern from its innermost patterns out.
fn rewrite_inside_out(pattern: &mut GraphPattern, statistics: &dyn Statistics) {
    for child in children(pattern) {
        rewrite_inside_out(child, statistics);
    }
    joins::exists_as_joins(pattern);
    equal_outside::look_up_equal_values(pattern);
    minus_moved::minus_after_small_group(pattern, statistics);
}

/// MINUS and OPTIONAL looked up row by row, from the outermost in: a filter
/// on one is seen before it ([`joins::correlate`] takes it).
fn correlate_outside_in(pattern: &mut GraphPattern, statistics: &dyn Statistics, fresh: &mut dyn FnMut() -> Variable) {
    joins::correlate(pattern, statistics, fresh);
    for child in children(pattern) {
        correlate_outside_in(child, statistics, fresh);
    }
}

/// The graph patterns directly inside `pattern` (not those of its expressions).
fn children(pattern: &mut GraphPattern) -> Vec<&mut GraphPattern> {
    match pattern {
        GraphPattern::Join { left, right }
        | GraphPattern::LeftJoin { left, right, .. }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => vec![&mut **left, &mut **right],
        GraphPattern::Filter { inner, .. }
        | GraphPattern::Graph { inner, .. }
        | GraphPattern::Extend { inner, .. }
        | GraphPattern::OrderBy { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Group { inner, .. }
        | GraphPattern::Service { inner, .. } => vec![&mut **inner],
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::sparql::{QueryResults, SparqlEvaluator};
    use spargebra::term::{NamedNode, NamedNodePattern, TriplePattern};

    const PREFIX: &str = "PREFIX : <http://example.org/> ";

    /// A graph where each predicate has `triples` triples, each subject
    /// one, and each object `fanout` (so `?s :p ?o` with `?o` known adds
    /// `fanout` rows); `:large` has a thousand times more.
    struct Uniform {
        triples: usize,
        fanout: u64,
    }

    impl Statistics for Uniform {
        fn size(&self, triple: &TriplePattern) -> usize {
            match &triple.predicate {
                NamedNodePattern::NamedNode(node) if node.as_str().ends_with("large") => self.triples * 1000,
                _ => self.triples,
            }
        }

        fn predicate(&self, predicate: &NamedNode) -> Option<PredicateStatistics> {
            let triples = if predicate.as_str().ends_with("large") { self.triples * 1000 } else { self.triples } as u64;
            Some(PredicateStatistics { triples, subjects: triples, objects: (triples / self.fanout).max(1) })
        }
    }

    /// The query before and after the rewrite, on a [`Uniform`] graph.
    fn rewritten(text: &str, triples: usize) -> (String, String) {
        let query = spargebra::SparqlParser::new().parse_query(&format!("{PREFIX} {text}")).unwrap();
        let mut after = query.clone();
        if let spargebra::Query::Select { pattern, .. } = &mut after {
            rewrite(pattern, &Uniform { triples, fanout: 1 });
        }
        (query.to_string(), after.to_string())
    }

    #[test]
    fn a_minus_after_a_small_group_moves_after_the_patterns_that_follow() {
        let text = "SELECT * { ?d :in ?c . MINUS { ?h :holder ?c } ?c :label ?l }";
        let (before, after) = rewritten(text, 400);
        assert_ne!(before, after);
        assert!(after.find("label>").unwrap() < after.find("MINUS").unwrap(), "{after}");
        let (before, after) = rewritten(text, SMALL + 1);
        assert_eq!(before, after, "a large group keeps its MINUS where it is");
    }

    #[test]
    fn groups_where_moving_it_would_change_the_answer_stay_as_written() {
        for text in [
            // ?x is in the MINUS and after it, not before: the MINUS would then compare it.
            "SELECT * { ?d :in ?c . MINUS { ?c :p ?x } ?c :label ?x }",
            // an OPTIONAL may leave ?c unbound before the MINUS.
            "SELECT * { ?d :in ?e OPTIONAL { ?d :c ?c } MINUS { ?h :holder ?c } ?c :label ?l }",
            "SELECT * { ?d :in ?c . ?c :label ?l }",
        ] {
            let (before, after) = rewritten(text, 1);
            assert_eq!(before, after, "{text}");
        }
    }

    #[test]
    fn not_exists_becomes_a_minus_and_exists_a_join_when_that_is_the_same_query() {
        let (_, after) = rewritten("SELECT * { ?d :in ?c FILTER NOT EXISTS { ?c :holder ?h } }", 1);
        assert!(after.contains("MINUS") && !after.contains("EXISTS"), "{after}");
        let (_, after) = rewritten("SELECT * { ?d :in ?c FILTER(EXISTS { ?c :holder ?h } && ?d != :x) }", 1);
        assert!(after.contains("SELECT DISTINCT ?c") && !after.contains("EXISTS"), "{after}");
        assert!(
            after.contains("FILTER(!(?d = <http://example.org/x>))"),
            "the other condition stays a filter: {after}"
        );
    }

    #[test]
    fn exists_stays_where_it_reads_what_may_be_unbound() {
        for text in [
            // ?c may be unbound in the row: EXISTS then leaves it free, MINUS compares nothing.
            "SELECT * { ?d :in ?e OPTIONAL { ?d :c ?c } FILTER NOT EXISTS { ?c :holder ?h } }",
            // the pattern may leave ?c unbound, and the row's ?c would be given to its OPTIONAL.
            "SELECT * { ?d :in ?c FILTER NOT EXISTS { ?h :p ?d OPTIONAL { ?h :q ?c } } }",
            // its filter reads ?d, which its own patterns do not bind.
            "SELECT * { ?d :in ?c FILTER NOT EXISTS { ?c :holder ?h FILTER(?h != ?d) } }",
            // nothing shared: NOT EXISTS removes every row or none; MINUS would remove none.
            "SELECT * { ?d :in ?c FILTER NOT EXISTS { ?x :holder ?y } }",
        ] {
            let (before, after) = rewritten(text, 1);
            assert_eq!(before, after, "{text}");
        }
    }

    #[test]
    fn a_minus_is_looked_up_row_by_row_when_its_left_side_is_the_smaller() {
        let text = "SELECT ?d { ?d :in ?c . ?c :label ?l MINUS { ?h :large ?c } }";
        let (_, after) = rewritten(text, 100);
        assert!(after.contains("LATERAL") && after.contains("LIMIT 1") && !after.contains("MINUS"), "{after}");
        let (_, after) = rewritten("SELECT ?d { ?d :large ?c . ?c :label ?l MINUS { ?h :holder ?c } }", 100);
        assert!(
            after.contains("MINUS") && !after.contains("LATERAL"),
            "a large left side keeps the hash anti-join: {after}"
        );
    }

    #[test]
    fn an_optional_is_looked_up_row_by_row_when_its_left_side_is_the_smaller() {
        let text = "SELECT * { ?o :in ?c . OPTIONAL { ?st :large ?o . ?st :label ?x FILTER(?x != 1) } }";
        let (_, after) = rewritten(text, 100);
        assert!(after.contains("LATERAL") && after.contains("OPTIONAL"), "{after}");
        // its condition reads ?c, which only the left side binds: a lookup would not see it.
        let text = "SELECT * { ?o :in ?c . OPTIONAL { ?st :large ?o FILTER(?c != 1) } }";
        let (before, after) = rewritten(text, 100);
        assert_eq!(before, after);
    }

    #[test]
    fn an_optional_equating_its_variable_with_the_left_sides_looks_it_up() {
        let text =
            "SELECT * { ?d :in ?c ; :op ?e OPTIONAL { ?h :holder ?x . ?x :label ?l FILTER(?x = ?c || ?e = ?x) } }";
        let (_, after) = rewritten(text, 100);
        assert!(after.contains("LATERAL") && after.contains("BIND(?c AS ?x)"), "{after}");
        assert!(after.contains("FILTER(!sameTerm(?e, ?c))"), "a value both give is looked up once: {after}");
        let nested = "SELECT * { ?d :in ?c OPTIONAL { ?x :holder ?h FILTER(?x = ?c) OPTIONAL { ?x :large ?y } } }";
        let (_, after) = rewritten(nested, 100);
        assert_eq!(after.matches("LATERAL").count(), 2, "its own OPTIONAL is looked up from ?x too: {after}");
        let reads_outside =
            "SELECT * { ?d :in ?c OPTIONAL { ?x :holder ?h FILTER(?x = ?c) OPTIONAL { ?x :large ?y OPTIONAL { ?y :p ?h } } } }";
        let (_, after) = rewritten(reads_outside, 100);
        assert_eq!(after.matches("LATERAL").count(), 1, "?h is given to an OPTIONAL that does not bind it: {after}");
        for text in [
            // the OPTIONAL's own OPTIONAL reads ?d: giving it the row's ?d would change it.
            "SELECT * { ?d :in ?c OPTIONAL { ?h :holder ?x FILTER(?x = ?c) OPTIONAL { ?x :label ?d } } }",
            // ?o and ?l may be literals, which `=` compares by value and a join by term.
            "SELECT * { ?s :label ?l OPTIONAL { ?t :p ?o FILTER(?o = ?l) } }",
            // ?c may be unbound in a row.
            "SELECT * { ?d :in ?e OPTIONAL { ?d :c ?c } OPTIONAL { ?h :holder ?x FILTER(?x = ?c) } }",
            // one side of the OR is not an equality.
            "SELECT * { ?d :in ?c OPTIONAL { ?h :holder ?x FILTER(?x = ?c || ?h = :h1) } }",
        ] {
            let (before, after) = rewritten(text, 100);
            assert!(!after.contains("BIND"), "{text}: {after}");
            assert_eq!(before.contains("LATERAL"), after.contains("LATERAL"), "{text}: {after}");
        }
    }

    /// `:type` and `:partner` 20 000 triples, one a subject; `:source`
    /// 100 000, five a subject: a group of the two has 100 000 solutions.
    struct Fanned;

    impl Statistics for Fanned {
        fn size(&self, triple: &TriplePattern) -> usize {
            match &triple.predicate {
                NamedNodePattern::NamedNode(node) if node.as_str().ends_with("source") => 100_000,
                _ => 20_000,
            }
        }

        fn predicate(&self, predicate: &NamedNode) -> Option<PredicateStatistics> {
            Some(match predicate.as_str().ends_with("source") {
                true => PredicateStatistics { triples: 100_000, subjects: 20_000, objects: 100_000 },
                false => PredicateStatistics { triples: 20_000, subjects: 20_000, objects: 20_000 },
            })
        }
    }

    fn rewritten_with(text: &str, statistics: &dyn Statistics) -> (spargebra::Query, spargebra::Query) {
        let query = spargebra::SparqlParser::new().parse_query(&format!("{PREFIX} {text}")).unwrap();
        let mut after = query.clone();
        if let spargebra::Query::Select { pattern, .. } = &mut after {
            rewrite(pattern, statistics);
        }
        (query, after)
    }

    #[test]
    fn a_minus_after_a_large_group_moves_onto_the_pattern_it_compares() {
        let text = "SELECT * { ?o :type :Offering ; :source ?src . ?src :type ?t \
                    MINUS { ?o :partner ?p } MINUS { ?src :partner ?q } MINUS { ?o :partner ?src } }";
        let (_, after) = rewritten_with(text, &Fanned);
        let after = after.to_string();
        let on_offering = after.find("?o <http://example.org/type> <http://example.org/Offering> . MINUS");
        assert!(on_offering.is_some(), "the first MINUS on the one pattern binding ?o: {after}");
        assert!(after.find("?src <http://example.org/type> ?t . MINUS").is_some(), "the second on ?src's: {after}");
        let last = after.rfind("MINUS").unwrap();
        assert!(
            after[..last].contains("<http://example.org/source>") && after[last..].contains("?o <http://example.org/partner> ?src"),
            "the third compares ?o and ?src, which only the 100 000 :source triples bind together: it stays after the group: {after}"
        );
        let (before, after) = rewritten_with(text, &Uniform { triples: 100, fanout: 1 });
        assert_eq!(before.to_string(), after.to_string(), "small patterns keep their MINUS");
        let blank = "SELECT * { ?o :type :Offering ; :source _:src . _:src :type ?t MINUS { ?o :partner ?p } }";
        let (before, after) = rewritten_with(blank, &Fanned);
        assert_eq!(before.to_string(), after.to_string(), "a blank node holds the group together");
    }

    /// Moved or not, the MINUS removes the same solutions (Oxigraph's
    /// answers to the query as written and as rewritten, on one graph).
    #[test]
    fn a_moved_minus_removes_what_it_removed() {
        let data = r#"@prefix : <http://example.org/> .
            :o1 :type :Offering ; :source :s1, :s2 . :o2 :type :Offering ; :source :s1 ; :partner :p .
            :o3 :type :Offering ; :source :s3 . :s1 :type :Page . :s2 :type :Page ; :partner :q .
            :s3 :type :Book . :o3 :partner :s3 . "#;
        let store = oxigraph::store::Store::new().unwrap();
        store.load_from_reader(oxigraph::io::RdfFormat::Turtle, data.as_bytes()).unwrap();
        for text in [
            "SELECT ?o ?src { ?o :type :Offering ; :source ?src MINUS { ?o :partner ?p } }",
            "SELECT ?o ?src ?t { ?o :type :Offering ; :source ?src . ?src :type ?t MINUS { ?o :partner ?p } MINUS { ?src :partner ?q } }",
            "SELECT ?o ?src { ?o :type :Offering ; :source ?src MINUS { ?o :partner ?src } MINUS { ?o :partner ?p } }",
            "SELECT ?o ?src { ?o :type :Offering ; :source ?src MINUS { ?x :partner ?y } MINUS { ?o :partner ?p } }",
        ] {
            let (before, after) = rewritten_with(text, &Fanned);
            assert_ne!(before.to_string(), after.to_string(), "{text} is rewritten");
            let rows = |query: spargebra::Query| {
                let QueryResults::Solutions(solutions) =
                    SparqlEvaluator::new().for_query(query).on_store(&store).execute().unwrap()
                else {
                    panic!("solutions")
                };
                let mut rows: Vec<String> = solutions.map(|row| format!("{:?}", row.unwrap().values())).collect();
                rows.sort();
                rows
            };
            let (theirs, ours) = (rows(before), rows(after));
            assert_eq!(ours, theirs, "{text}");
            assert!(!ours.is_empty(), "{text} has rows to compare");
        }
    }

    #[test]
    fn the_estimate_multiplies_the_rows_each_connected_pattern_adds() {
        let pattern =
            |text: &str| match spargebra::SparqlParser::new().parse_query(&format!("{PREFIX} {text}")).unwrap() {
                spargebra::Query::Select { pattern, .. } => pattern,
                _ => unreachable!(),
            };
        let graph = Uniform { triples: 100, fanout: 20 };
        let rows = |pattern: &GraphPattern| estimate::Group::of(pattern, &graph).and_then(|group| group.rows());
        // start from ?s :provider ?p (100), then 20 offerings per service.
        let star = pattern("SELECT * { ?o :large ?s . ?s :provider ?p }");
        assert_eq!(rows(&star), Some(100.0 * 20.0));
        // a constant at the other end is a check, not more rows.
        let typed = pattern("SELECT * { ?o :service ?s . ?o a :Offering }");
        assert_eq!(rows(&typed), Some(100.0));
        // two patterns that share nothing: a cartesian product.
        let apart = pattern("SELECT * { ?a :p ?b . ?c :q ?d }");
        assert_eq!(rows(&apart), Some(100.0 * 100.0));
        let variable_predicate = pattern("SELECT * { ?a :p ?b . ?b ?q ?d }");
        assert_eq!(rows(&variable_predicate), None, "no statistics for ?q");
    }

    #[test]
    fn a_values_row_is_written_into_the_patterns_joined_with_it() {
        let text = "SELECT * { VALUES ?e { :x } { ?e ?p ?o FILTER(?p != :q) } UNION { ?f ?p ?e . ?e :label ?l } }";
        let (_, after) = rewritten(text, 1);
        assert!(!after.contains("?e ?p") && !after.contains("?p ?e") && !after.contains("?e <"), "{after}");
        assert!(after.contains("<http://example.org/x> ?p ?o"), "{after}");
        assert!(after.contains("VALUES ( ?e )"), "the row is still joined: {after}");
        for text in [
            "SELECT * { VALUES ?e { :x } ?s :p ?o OPTIONAL { ?o :q ?e } }",
            "SELECT * { VALUES ?e { :x } { ?e :p ?o } UNION { ?s :p ?o } }",
            "SELECT * { VALUES ?e { :x :y } ?e :p ?o }",
        ] {
            let (before, after) = rewritten(text, 1);
            assert_eq!(before, after, "{text}");
        }
    }

    /// The rewritten queries answer as Oxigraph answers them as written, on
    /// an index where the MINUS and the EXISTS remove some rows and not
    /// others, and where the index's statistics have the MINUS looked up.
    #[test]
    fn answers_do_not_change() {
        let mut data = String::from(
            r#"@prefix : <http://example.org/> .
            :d1 :in :c1 . :d2 :in :c2 . :d3 :in :c3 . :d4 :in :c1 .
            :h1 :holder :c1 . :h2 :holder :c3 .
            :c1 :label "one" . :c2 :label "two" . :c3 :label "three" . :c2 :p "x" .
            :d2 :c :c2 . :c2 :label "deux" . :d5 :in :c4 . :c4 :label "four" .
            :c1 :large :h1 . :c3 :large :h2 .
            :d1 :op :c3 . :d2 :op :c9 . :d3 :op :c1 . :d4 :op :c1 . :h3 :holder :c9 . :h4 :holder :c9 .
            :c9 :p "one" . :c9 :label "nine" . "#,
        );
        for i in 0..200 {
            data.push_str(&format!(":x{i} :large :y{i} . "));
        }
        let store = oxigraph::store::Store::new().unwrap();
        store.load_from_reader(oxigraph::io::RdfFormat::Turtle, data.as_bytes()).unwrap();
        let folder = tempfile::tempdir().unwrap();
        let mut writer = factgraph_index::IndexWriter::new();
        for quad in store.iter() {
            writer.add_quad(quad.unwrap().as_ref());
        }
        writer.write(folder.path()).unwrap();
        let index = factgraph_index::Index::open(folder.path()).unwrap();
        for text in [
            "SELECT ?d ?l { ?d :in ?c . MINUS { ?h :holder ?c } ?c :label ?l }",
            "SELECT ?d ?x { ?d :in ?c . MINUS { ?c :p ?x } ?c :label ?x }",
            "SELECT ?d ?l { ?d :in ?c . MINUS { ?h :holder ?c } ?c :label ?l MINUS { ?c :p ?x } }",
            "SELECT ?d ?l { ?d :in ?c . ?c :label ?l FILTER NOT EXISTS { ?h :holder ?c } }",
            "SELECT ?d ?l { ?d :in ?c . ?c :label ?l FILTER(EXISTS { ?h :holder ?c } && ?l != \"three\") }",
            "SELECT ?d ?l { ?d :in ?c . ?c :label ?l FILTER(STRLEN(?l) > 3) MINUS { ?c :large ?h . ?h :holder ?c } }",
            "SELECT * { ?d :in ?c . ?c :label ?l FILTER NOT EXISTS { ?c :large ?h } }",
            "SELECT ?c ?l ?h { ?d :in ?c . ?c :label ?l OPTIONAL { ?c :large ?h } }",
            "SELECT ?c ?l ?h { ?d :in ?c . ?c :label ?l OPTIONAL { ?c :large ?h FILTER(?h != :h1) } FILTER(?l != \"two\") }",
            "SELECT ?c ?h { ?d :in ?c OPTIONAL { ?c :large ?h FILTER(?d != :d1) } }",
            // a VALUES's value written into both branches of a UNION, a BIND and a FILTER
            "SELECT ?c ?x ?v { VALUES ?c { :c2 } { ?c ?p ?v BIND(?c AS ?x) FILTER(?c != :c1) } UNION { ?d :in ?c BIND(?d AS ?x) OPTIONAL { ?c :label ?v } } }",
            // ... and not where the value must stay a variable: an OPTIONAL
            // only, a MINUS, BOUND, or a literal in a predicate's place
            "SELECT ?d ?c { VALUES ?c { :c2 } ?d :in ?e OPTIONAL { ?d :c ?c } }",
            "SELECT ?d ?c { VALUES ?c { :c2 } ?d :in ?c MINUS { ?h :holder ?c } }",
            "SELECT ?d ?c { VALUES ?c { :c1 } ?d :in ?c FILTER(BOUND(?c)) }",
            "SELECT ?s ?o { VALUES ?p { \"one\" } { ?s ?p ?o } UNION { ?s :label ?p BIND(?p AS ?o) } }",
            "SELECT ?c ?l { VALUES (?c ?l) { (:c2 \"two\") } ?c :label ?l }",
            // an OPTIONAL's variable equal to one of the row's, or the other
            // (:d4's two are the same), with a condition of its own
            "SELECT ?d ?h ?l { ?d :in ?c ; :op ?e OPTIONAL { ?h :holder ?x . ?x :label ?l FILTER(?x = ?c || ?x = ?e) } }",
            "SELECT ?d ?h { ?d :in ?c ; :op ?e OPTIONAL { ?h :holder ?x FILTER(sameTerm(?c, ?x) || ?e = ?x) FILTER(?h != :h1) } }",
            "SELECT ?d ?l { ?d :in ?c OPTIONAL { ?x :label ?l FILTER(?x = ?c) } }",
            // ... and the OPTIONAL inside it looked up for each of its rows
            "SELECT ?d ?h ?y { ?d :in ?c ; :op ?e OPTIONAL { ?h :holder ?x . ?x :label ?l FILTER(?x = ?c || ?x = ?e) OPTIONAL { ?x :large ?y } } }",
            "SELECT ?d ?h ?y { ?d :in ?c OPTIONAL { ?h :holder ?x . ?x :label ?l FILTER(?x = ?c) OPTIONAL { ?x :large ?y FILTER(?h != :h2) } } }",
        ] {
            let text = format!("{PREFIX} {text}");
            let rows = |results: QueryResults<'static>| {
                let QueryResults::Solutions(solutions) = results else { panic!("solutions") };
                let mut rows: Vec<String> = solutions.map(|row| format!("{:?}", row.unwrap().values())).collect();
                rows.sort();
                rows
            };
            let mut parsed = crate::Parsed::parse(&text, &[]).unwrap();
            parsed.rewrite(&index);
            assert!(parsed.sort.is_none(), "{text} has no ORDER BY to apply");
            let ours = rows(
                SparqlEvaluator::new().for_query(parsed.query).on_queryable_dataset(index.clone()).execute().unwrap(),
            );
            let theirs = rows(SparqlEvaluator::new().parse_query(&text).unwrap().on_store(&store).execute().unwrap());
            assert_eq!(ours, theirs, "{text}");
            assert!(!ours.is_empty(), "{text} has rows to compare");
        }
    }

    /// The index's own statistics have the lookups made for a small left
    /// side and `:large` behind the MINUS or the OPTIONAL.
    #[test]
    fn the_index_statistics_choose_the_lookup_for_a_small_left_side() {
        let folder = tempfile::tempdir().unwrap();
        let mut writer = factgraph_index::IndexWriter::new();
        let node = |name: String| oxigraph::model::NamedNode::new_unchecked(format!("http://example.org/{name}"));
        let (large, label) = (node("large".into()), node("label".into()));
        for i in 0..200 {
            writer.add_quad(oxigraph::model::QuadRef::new(
                &node(format!("x{i}")),
                &large,
                &node(format!("y{i}")),
                oxigraph::model::GraphNameRef::DefaultGraph,
            ));
        }
        writer.add_quad(oxigraph::model::QuadRef::new(
            &node("c1".into()),
            &label,
            oxigraph::model::LiteralRef::new_simple_literal("one"),
            oxigraph::model::GraphNameRef::DefaultGraph,
        ));
        writer.write(folder.path()).unwrap();
        let index = factgraph_index::Index::open(folder.path()).unwrap();
        for group in ["?c :label ?l FILTER NOT EXISTS { ?c :large ?h }", "?c :label ?l OPTIONAL { ?c :large ?h }"] {
            let query =
                spargebra::SparqlParser::new().parse_query(&format!("{PREFIX} SELECT * {{ {group} }}")).unwrap();
            let mut after = query.clone();
            if let spargebra::Query::Select { pattern, .. } = &mut after {
                rewrite(pattern, &index);
            }
            assert!(after.to_string().contains("LATERAL"), "{after}");
        }
    }
}
