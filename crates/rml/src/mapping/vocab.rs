//! The RML vocabularies. Mapping files may use the legacy terms
//! (`http://semweb.mmlab.be/ns/rml#` with R2RML's `http://www.w3.org/ns/r2rml#`)
//! or the current RML-Core terms (`http://w3id.org/rml/`). Reading rewrites
//! every legacy IRI into the current namespace, so the rest of the engine
//! knows one vocabulary only.

use oxrdf::NamedNode;

/// The current RML namespace (RML-Core).
pub const RML: &str = "http://w3id.org/rml/";
/// The legacy RML namespace.
pub const LEGACY_RML: &str = "http://semweb.mmlab.be/ns/rml#";
/// W3C R2RML, whose terms the legacy RML vocabulary reuses.
pub const R2RML: &str = "http://www.w3.org/ns/r2rml#";
/// Legacy query-language namespace (`ql:CSV`).
pub const LEGACY_QL: &str = "http://semweb.mmlab.be/ns/ql#";
/// CSV on the Web, used by legacy mappings to describe CSV dialects.
pub const CSVW: &str = "http://www.w3.org/ns/csvw#";
/// D2RQ, whose database descriptions name the connection of RML's
/// database sources.
pub const D2RQ: &str = "http://www.wiwiss.fu-berlin.de/suhl/bizer/D2RQ/0.1#";
/// SPARQL 1.1 Service Description, whose `sd:Service` describes a SPARQL
/// endpoint as a source.
pub const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// Rewrites an IRI of a legacy RML, R2RML or QL term into the current RML
/// namespace; any other IRI is returned unchanged.
///
/// ```
/// use factgraph_rml::mapping::vocab::to_current;
/// assert_eq!(to_current("http://www.w3.org/ns/r2rml#subjectMap"), "http://w3id.org/rml/subjectMap");
/// assert_eq!(to_current("http://semweb.mmlab.be/ns/ql#CSV"), "http://w3id.org/rml/CSV");
/// assert_eq!(to_current("http://xmlns.com/foaf/0.1/name"), "http://xmlns.com/foaf/0.1/name");
/// ```
pub fn to_current(iri: &str) -> std::borrow::Cow<'_, str> {
    for legacy in [R2RML, LEGACY_RML, LEGACY_QL] {
        if let Some(local) = iri.strip_prefix(legacy) {
            return format!("{RML}{local}").into();
        }
    }
    iri.into()
}

/// A term of the current RML namespace.
pub fn rml(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{RML}{local}"))
}

/// A term of the CSVW namespace.
pub fn csvw(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{CSVW}{local}"))
}

/// A term of the D2RQ namespace.
pub fn d2rq(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{D2RQ}{local}"))
}

/// A term of the SPARQL Service Description namespace.
pub fn sd(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SD}{local}"))
}
