//! Checks of the mapped data before it reaches the store: identifiers that
//! repeat or that nothing defines ([`integrity`]), and the SHACL shapes of the
//! ontology ([`shapes`]). Every problem points back at a CSV row.

pub mod buckets;
mod identifiers;
pub mod integrity;
pub mod linked_facts;
pub mod screen;
pub mod shapes;

pub use integrity::Integrity;
pub use linked_facts::LinkedFacts;
pub use shapes::Shapes;
