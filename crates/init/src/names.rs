//! Names for what init writes: file names, classes, properties.

/// A lower-case name of letters, digits and `-` for files and IRIs.
///
/// ```
/// assert_eq!(factgraph_init::names::slug("Cloud Offerings (2024)"), "cloud-offerings-2024");
/// assert_eq!(factgraph_init::names::slug("***"), "table");
/// ```
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "table".into()
    } else {
        slug
    }
}

/// A table's name for one of its rows: `offerings` → `offering`.
pub fn singular(name: &str) -> String {
    let name = name.trim();
    if let Some(stem) = name.strip_suffix("ies").filter(|s| s.len() > 1) {
        return format!("{stem}y");
    }
    match name.strip_suffix('s') {
        Some(stem) if stem.len() > 2 && !stem.ends_with('s') => stem.to_owned(),
        _ => name.to_owned(),
    }
}

/// The words of a name: split at anything not a letter or digit, and where
/// a lower-case letter meets an upper-case one.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            words.push(std::mem::take(&mut word));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        word.push(c);
    }
    words.push(word);
    words.retain(|w| !w.is_empty());
    words
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect()).unwrap_or_default()
}

/// An ASCII name that starts with a letter, for a local name in Turtle.
fn local(name: String, fallback: &str) -> String {
    let name: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    match name.chars().next() {
        None => fallback.to_owned(),
        Some(c) if c.is_ascii_digit() => format!("{fallback}{name}"),
        Some(_) => name,
    }
}

/// A class name for a table's rows: `cloud_offerings` → `CloudOffering`.
///
/// ```
/// assert_eq!(factgraph_init::names::class("cloud_offerings"), "CloudOffering");
/// assert_eq!(factgraph_init::names::class("People"), "People");
/// ```
pub fn class(table: &str) -> String {
    local(words(&singular(table)).iter().map(|w| capitalised(w)).collect(), "Row")
}

/// A property name for a column: `Hosting location` → `hostingLocation`.
///
/// ```
/// assert_eq!(factgraph_init::names::property("Hosting location"), "hostingLocation");
/// assert_eq!(factgraph_init::names::property("launchDate"), "launchDate");
/// assert_eq!(factgraph_init::names::property("2013 revenue"), "p2013Revenue");
/// ```
pub fn property(column: &str) -> String {
    let words = words(column);
    let camel = words.iter().enumerate().map(|(i, w)| if i == 0 { w.to_lowercase() } else { capitalised(w) }).collect();
    local(camel, "p")
}
