//! Terms and quads written in N-Triples / N-Quads syntax straight into a
//! byte buffer, the same bytes as `oxrdf`'s `Display` but without going
//! through `fmt` a character at a time: `map` and the sorted runs write tens of
//! millions of terms, and formatting was a fifth of `map`'s time.

use oxrdf::{QuadRef, TermRef};

/// Appends `term` as N-Triples writes it.
pub fn push_term(out: &mut Vec<u8>, term: TermRef<'_>) {
    match term {
        TermRef::NamedNode(node) => push_iri(out, node.as_str()),
        TermRef::BlankNode(node) => {
            out.extend_from_slice(b"_:");
            out.extend_from_slice(node.as_str().as_bytes());
        }
        TermRef::Literal(literal) => {
            push_quoted(out, literal.value());
            if let Some(language) = literal.language() {
                out.push(b'@');
                out.extend_from_slice(language.as_bytes());
            } else if literal.datatype() != oxrdf::vocab::xsd::STRING {
                out.extend_from_slice(b"^^");
                push_iri(out, literal.datatype().as_str());
            }
        }
    }
}

/// Appends `quad` as an N-Quads line (an N-Triples line in the default graph).
pub fn push_quad_line(out: &mut Vec<u8>, quad: QuadRef<'_>) {
    push_term(out, quad.subject.into());
    out.push(b' ');
    push_iri(out, quad.predicate.as_str());
    out.push(b' ');
    push_term(out, quad.object);
    if let oxrdf::GraphNameRef::NamedNode(graph) = quad.graph_name {
        out.push(b' ');
        push_iri(out, graph.as_str());
    } else if let oxrdf::GraphNameRef::BlankNode(graph) = quad.graph_name {
        out.extend_from_slice(b" _:");
        out.extend_from_slice(graph.as_str().as_bytes());
    }
    out.extend_from_slice(b" .\n");
}

fn push_iri(out: &mut Vec<u8>, iri: &str) {
    out.push(b'<');
    out.extend_from_slice(iri.as_bytes());
    out.push(b'>');
}

/// A string literal's quoted form, escaped as `oxrdf::print_quoted_str` does.
fn push_quoted(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    if !value.bytes().any(needs_a_look) {
        out.extend_from_slice(value.as_bytes());
    } else {
        for c in value.chars() {
            match c {
                '\u{8}' => out.extend_from_slice(b"\\b"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\u{C}' => out.extend_from_slice(b"\\f"),
                '\r' => out.extend_from_slice(b"\\r"),
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                '\0'..='\u{1F}' | '\u{7F}' | '\u{FFFE}' | '\u{FFFF}' => {
                    out.extend_from_slice(format!("\\u{:04X}", u32::from(c)).as_bytes());
                }
                _ => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
    }
    out.push(b'"');
}

/// Bytes that may start something to escape: controls, `"`, `\`, DEL, and
/// the lead byte of U+FFFE and U+FFFF.
fn needs_a_look(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\' || byte == 0x7F || byte == 0xEF
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, GraphName, Literal, NamedNode, Quad, Term};
    use proptest::prelude::*;

    fn as_display(quad: &Quad) -> String {
        format!("{quad} .\n")
    }

    fn line(quad: &Quad) -> String {
        let mut out = Vec::new();
        push_quad_line(&mut out, quad.as_ref());
        String::from_utf8(out).unwrap()
    }

    proptest! {
        #[test]
        fn lines_are_the_bytes_oxrdf_writes(value in "\\PC*|[\\x00-\\x20\"\\\\\u{7f}\u{fffe}\u{ffff}\u{fffd}é世a]*", graph in 0..3u8) {
            let s = NamedNode::new_unchecked("http://example.org/s");
            let p = NamedNode::new_unchecked("http://example.org/p");
            let graph = match graph {
                0 => GraphName::DefaultGraph,
                1 => NamedNode::new_unchecked("http://example.org/g").into(),
                _ => BlankNode::new_unchecked("g1").into(),
            };
            let objects: [Term; 4] = [
                Literal::new_simple_literal(value.clone()).into(),
                Literal::new_language_tagged_literal_unchecked(value.clone(), "zh-hans").into(),
                Literal::new_typed_literal(value.clone(), NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#date")).into(),
                BlankNode::new_unchecked("b0").into(),
            ];
            for object in objects {
                let quad = Quad::new(s.clone(), p.clone(), object, graph.clone());
                prop_assert_eq!(line(&quad), as_display(&quad));
            }
        }
    }
}
