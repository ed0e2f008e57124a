//! "Did you mean …?" for names and identifiers typed by hand.

/// The candidate closest to `typed` by edit distance, when it is close enough
/// to be a likely typo (at most a third of the name's length, and at least 1).
///
/// ```
/// assert_eq!(factgraph_rml::suggest::nearest("microsfot", ["microsoft", "21vianet"]), Some("microsoft"));
/// assert_eq!(factgraph_rml::suggest::nearest("oracle", ["microsoft", "21vianet"]), None);
/// ```
pub fn nearest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (typed.chars().count() / 3).max(1);
    let typed = typed.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(&typed, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance ignoring case, counting an adjacent swap as one edit
/// (so `microsfot` is one edit from `microsoft`): the optimal string
/// alignment distance.
fn edit_distance(lowercase: &str, candidate: &str) -> usize {
    strsim::osa_distance(lowercase, &candidate.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_count_as_one_edit_and_case_as_none() {
        assert_eq!(edit_distance("microsfot", "microsoft"), 1);
        assert_eq!(edit_distance("provder", "Provider"), 1);
        assert_eq!(edit_distance("abc", "ca"), 3);
        assert_eq!(nearest("PROVDER", ["id", "name", "provider"]), Some("provider"));
        assert_eq!(nearest("ab", ["xy"]), None);
    }
}
