//! Checks of the mapped data before it reaches the store: identifiers that
//! repeat or that nothing defines ([`integrity`]), and the SHACL shapes of the
//! ontology ([`shapes`]). Every problem points back at a CSV row.

pub mod buckets;
pub mod integrity;
pub mod screen;
pub mod shapes;

pub use integrity::Integrity;
pub use shapes::{LinkedFacts, Shapes};
