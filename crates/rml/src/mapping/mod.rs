//! RML mappings: read from Turtle ([`read`]), compiled against CSV headers
//! ([`plan`]) and run over the rows ([`execute`]).

pub mod chosen;
pub mod datatypes;
pub mod execute;
mod generate;
pub mod model;
pub mod plan;
pub mod read;
pub mod targets;
pub mod template;
mod view;
pub mod vocab;

pub use execute::{run, run_with, MappedBatch, NullSubjects, RunOptions, RunReport};
pub use model::{Mapping, MappingError};
pub use plan::Plan;
pub use read::{read_mapping_files, read_mapping_files_with, ReadOptions};
pub use targets::TargetSet;

/// Checks a language tag as BCP 47 writes it, and that its primary language
/// is a 2- or 3-letter code (a registered language), so that `english` is
/// refused where `en` or `zh-Hans` are meant.
///
/// ```
/// use factgraph_rml::mapping::check_language_tag;
/// assert!(check_language_tag("zh-Hans").is_ok());
/// assert!(check_language_tag("english").is_err());
/// ```
pub fn check_language_tag(tag: &str) -> Result<(), String> {
    let parsed = oxilangtag::LanguageTag::parse(tag).map_err(|e| {
        format!("{tag:?} is not a valid language tag ({e}); use a BCP 47 tag such as \"en\" or \"zh-Hans\"")
    })?;
    let primary = parsed.primary_language();
    if (2..=3).contains(&primary.len()) || tag.starts_with("x-") || tag.starts_with("i-") {
        Ok(())
    } else {
        Err(format!(
            "{tag:?} is not a registered language tag: its language {primary:?} must be a 2- or 3-letter code such as \"en\" or \"zh\""
        ))
    }
}
