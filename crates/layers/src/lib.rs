//! The modules of every crate of the workspace import one way, as the data
//! flows: no module imports from one that imports it back, directly or
//! through others. Cargo enforces this between crates (the RML engine cannot
//! import the pipeline); this crate enforces it inside each of them, so that
//! a module can be read, tested and moved with what it names below it only.
//!
//! It reads the sources as text, not through the compiler, because the check
//! must run with the workspace's tests and build nothing heavy: this crate
//! depends on nothing, and `cargo test -p factgraph-layers` takes seconds.
//! Its test (`tests/workspace.rs`) finds the crates by listing
//! `crates/*/Cargo.toml` beside the root package, so a crate added later is
//! checked without a change here.
//!
//! What counts as an import: every path in code (comments and string
//! literals left out) that starts with `crate::`, `self::`, `super::` (any
//! number of them) or the name of a child module, in `use` (`pub use` too,
//! with groups over several lines) and in expressions and types. A path is
//! followed through re-exports (`pub use view::ViewPlan` in `mod.rs`, or
//! `pub use self::view::*`), so `super::ViewPlan` names `view`, not the
//! folder. In each folder, the modules of the folder (files, sub-folders and
//! inline `mod`s) are the nodes of a graph; an import from inside one of them
//! into another is an edge. The folder's own file (`lib.rs`, `main.rs`,
//! `mod.rs`) is its face, not a node: it declares and re-exports its modules,
//! and what it defines (a crate's `Error`) is shared by them all.
//!
//! What text cannot show: a method call names no module, so a module that
//! calls methods defined in another (an inherent `impl` may sit in any module
//! of its crate) without naming a path into it has no edge. A test module
//! (`mod tests`) is code of its file and counts like the rest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path from its crate's root: `["mapping", "plan"]`; the root is
/// empty.
pub type ModulePath = Vec<String>;

/// Module → the sibling modules its code names, inside one folder.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The crate roots of the workspace at `workspace`: the root package's and
/// those of each `crates/*/` with a `Cargo.toml`, as paths relative to the
/// workspace (`crates/rml/src/lib.rs`). A package has a library
/// (`src/lib.rs`), a binary (`src/main.rs`) and more binaries (`src/bin/`).
pub fn workspace_crates(workspace: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut packages = vec![PathBuf::new()];
    let mut members: Vec<PathBuf> =
        std::fs::read_dir(workspace.join("crates"))?.map(|entry| entry.map(|e| e.path())).collect::<Result<_, _>>()?;
    members.sort();
    for member in members {
        if member.join("Cargo.toml").is_file() {
            packages.push(member.strip_prefix(workspace).unwrap_or(&member).to_path_buf());
        }
    }
    let mut roots = Vec::new();
    for package in packages {
        let src = package.join("src");
        for root in ["lib.rs", "main.rs"] {
            if workspace.join(&src).join(root).is_file() {
                roots.push(src.join(root));
            }
        }
        if let Ok(entries) = std::fs::read_dir(workspace.join(&src).join("bin")) {
            let mut bins: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            bins.sort();
            for bin in bins.into_iter().filter(|b| b.extension().is_some_and(|e| e == "rs")) {
                roots.push(src.join("bin").join(bin.file_name().unwrap_or_default()));
            }
        }
    }
    Ok(roots)
}

/// One crate's modules and the imports of its code.
#[derive(Debug, Default)]
pub struct Crate {
    /// The files read, by path (as given to [`Crate::load`]).
    pub files: BTreeSet<PathBuf>,
    /// Every module: those of files and the inline ones.
    modules: BTreeSet<ModulePath>,
    /// `pub use` names: the module path a re-exported name stands for.
    aliases: BTreeMap<ModulePath, ModulePath>,
    /// `pub use x::*`: module → the modules whose names it re-exports.
    globs: BTreeMap<ModulePath, Vec<ModulePath>>,
    /// The items defined (`struct`, `fn`, …), to follow a glob re-export.
    items: BTreeSet<ModulePath>,
    imports: Vec<Import>,
}

/// A path named in code, in the module where it is written.
#[derive(Debug)]
struct Import {
    scope: ModulePath,
    path: Vec<String>,
    /// For a `pub use`, the name it exports (`*` for a glob).
    exported: Option<String>,
}

impl Crate {
    /// Reads the crate whose root file is `root`, following its `mod x;`
    /// declarations to `x.rs` or `x/mod.rs`; `read` gives a file's text, or
    /// `None` when there is no such file.
    pub fn load(root: &Path, read: &dyn Fn(&Path) -> Option<String>) -> Result<Crate, String> {
        let mut krate = Crate::default();
        krate.modules.insert(Vec::new());
        let folder = root.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut pending = vec![(root.to_path_buf(), Vec::new(), folder)];
        while let Some((file, module, folder)) = pending.pop() {
            let text = read(&file).ok_or_else(|| format!("{}: cannot be read", file.display()))?;
            let parsed = parse(&text, &module);
            for declared in parsed.declared {
                // Inline modules between the file's and the declared one are folders too.
                let mut child_folder = folder.clone();
                child_folder.extend(&declared[module.len()..declared.len() - 1]);
                let name = declared.last().cloned().unwrap_or_default();
                let flat = child_folder.join(format!("{name}.rs"));
                let (path, below) = if read(&flat).is_some() {
                    (flat, child_folder.join(&name))
                } else {
                    (child_folder.join(&name).join("mod.rs"), child_folder.join(&name))
                };
                krate.modules.insert(declared.clone());
                pending.push((path, declared, below));
            }
            krate.modules.extend(parsed.inline);
            krate.items.extend(parsed.items);
            krate.imports.extend(parsed.imports);
            krate.files.insert(file);
        }
        krate.collect_reexports();
        Ok(krate)
    }

    fn collect_reexports(&mut self) {
        let mut aliases = BTreeMap::new();
        let mut globs: BTreeMap<ModulePath, Vec<ModulePath>> = BTreeMap::new();
        for import in &self.imports {
            let (Some(name), Some(target)) = (&import.exported, self.resolve(&import.scope, &import.path)) else {
                continue;
            };
            if name == "*" {
                globs.entry(import.scope.clone()).or_default().push(target);
            } else if name != "_" {
                aliases.insert([import.scope.clone(), vec![name.clone()]].concat(), target);
            }
        }
        self.aliases = aliases;
        self.globs = globs;
    }

    /// The absolute path that `path`, written in `scope`, names; `None` for
    /// a path outside the crate (another crate, or a local item).
    fn resolve(&self, scope: &[String], path: &[String]) -> Option<ModulePath> {
        let (mut base, mut rest) = match path.first().map(String::as_str) {
            Some("crate") => (Vec::new(), &path[1..]),
            Some("self") => (scope.to_vec(), &path[1..]),
            Some("super") => (scope.to_vec(), path),
            Some(name) if self.modules.contains(&[scope, &[name.to_owned()]].concat()) => (scope.to_vec(), path),
            _ => return None,
        };
        while rest.first().is_some_and(|s| s == "super") {
            base.pop()?;
            rest = &rest[1..];
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// `path` with every re-exported name on it replaced by what it stands
    /// for, so that it names the module that defines the item.
    fn follow(&self, mut path: ModulePath) -> ModulePath {
        for _ in 0..32 {
            let mut depth = 0;
            while depth < path.len() && self.modules.contains(&path[..=depth]) {
                depth += 1;
            }
            if depth == path.len() {
                return path;
            }
            let rest = path[depth + 1..].to_vec();
            if let Some(target) = self.aliases.get(&path[..=depth]) {
                path = [target.clone(), rest].concat();
                continue;
            }
            let through_glob = self.globs.get(&path[..depth]).into_iter().flatten().find(|target| {
                let named = [target.as_slice(), &path[depth..=depth]].concat();
                self.modules.contains(&named) || self.aliases.contains_key(&named) || self.items.contains(&named)
            });
            match through_glob {
                Some(target) => path = [target.clone(), path[depth..].to_vec()].concat(),
                None => return path,
            }
        }
        path
    }

    /// For each folder (by module path), the graph of its modules.
    pub fn graphs(&self) -> BTreeMap<ModulePath, Graph> {
        let mut graphs: BTreeMap<ModulePath, Graph> = BTreeMap::new();
        for module in self.modules.iter().filter(|m| !m.is_empty()) {
            let folder = module[..module.len() - 1].to_vec();
            graphs.entry(folder).or_default().entry(module[module.len() - 1].clone()).or_default();
        }
        for import in &self.imports {
            let Some(target) = self.resolve(&import.scope, &import.path).map(|p| self.follow(p)) else {
                continue;
            };
            let from = &import.scope;
            let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < target.len() && self.modules.contains(&target[..=common]) {
                let graph = graphs.entry(from[..common].to_vec()).or_default();
                graph.entry(from[common].clone()).or_default().insert(target[common].clone());
            }
        }
        graphs
    }

    /// The cycles among the modules of each folder, one per folder that
    /// has any: the folder (`mapping/`, or `` for the crate's top level) and
    /// the modules on the cycle, the first repeated last.
    pub fn cycles(&self) -> Vec<(String, Vec<String>)> {
        let mut cycles = Vec::new();
        for (folder, graph) in self.graphs() {
            if let Some(cycle) = find_cycle(&graph) {
                cycles.push((folder.iter().map(|s| format!("{s}/")).collect(), cycle));
            }
        }
        cycles
    }
}

/// A cycle of the graph, as the modules on it with the first repeated last.
pub fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|n| n == node)?;
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph.keys().find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}

/// What one file declares and names.
#[derive(Debug, Default)]
struct Parsed {
    /// Modules declared as `mod x;`, whose code is in a file of their own.
    declared: Vec<ModulePath>,
    /// Modules written inline, `mod tests { … }`.
    inline: Vec<ModulePath>,
    items: Vec<ModulePath>,
    imports: Vec<Import>,
}

/// Reads the imports of the file of `module`.
fn parse(text: &str, module: &[String]) -> Parsed {
    let tokens = tokens(text);
    let mut parsed = Parsed::default();
    let mut scope = module.to_vec();
    // The brace depth at which each open inline module closes.
    let mut inline_depths: Vec<usize> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Word(w) if w == "mod" => {
                if let Some(Token::Word(name)) = tokens.get(i + 1) {
                    let child = [scope.clone(), vec![name.clone()]].concat();
                    match tokens.get(i + 2) {
                        Some(Token::Semi) => parsed.declared.push(child),
                        Some(Token::Open) => {
                            depth += 1;
                            inline_depths.push(depth);
                            parsed.inline.push(child.clone());
                            scope = child;
                        }
                        _ => {}
                    }
                    i += 2;
                }
            }
            Token::Word(w) if ITEMS.contains(&w.as_str()) => {
                if let Some(Token::Word(name)) = tokens.get(i + 1) {
                    parsed.items.push([scope.clone(), vec![name.clone()]].concat());
                }
            }
            Token::Open => depth += 1,
            Token::Close => {
                if inline_depths.last() == Some(&depth) {
                    inline_depths.pop();
                    scope.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Token::Word(w) if w == "use" => {
                let exported = is_public(&tokens[..i]);
                i += 1;
                let mut trees = Vec::new();
                use_tree(&tokens, &mut i, Vec::new(), &mut trees);
                for (path, name) in trees {
                    parsed.imports.push(Import { scope: scope.clone(), path, exported: exported.then_some(name) });
                }
                continue;
            }
            Token::Word(first) if tokens.get(i + 1) == Some(&Token::PathSep) && !after_path_sep(&tokens, i) => {
                let mut path = vec![first.clone()];
                while let (Some(Token::PathSep), Some(Token::Word(next))) = (tokens.get(i + 1), tokens.get(i + 2)) {
                    path.push(next.clone());
                    i += 2;
                }
                parsed.imports.push(Import { scope: scope.clone(), path, exported: None });
            }
            _ => {}
        }
        i += 1;
    }
    parsed
}

/// The keywords before the name of an item a glob re-export can bring.
const ITEMS: [&str; 8] = ["struct", "enum", "union", "trait", "type", "fn", "const", "static"];

fn after_path_sep(tokens: &[Token], i: usize) -> bool {
    i > 0 && tokens[i - 1] == Token::PathSep
}

/// Whether the `use` after `before` is `pub`, `pub(crate)` or `pub(super)`.
fn is_public(before: &[Token]) -> bool {
    let mut end = before.len();
    if before.last() == Some(&Token::Other(')')) {
        match before.iter().rposition(|t| *t == Token::Other('(')) {
            Some(open) => end = open,
            None => return false,
        }
    }
    end > 0 && before[end - 1] == Token::Word("pub".into())
}

/// Reads one use tree at `tokens[*i]` under `prefix` into `(path, name)`
/// pairs, the name being what the `use` binds (`*` for a glob); leaves `*i`
/// after the tree.
fn use_tree(tokens: &[Token], i: &mut usize, prefix: Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    let mut path = prefix;
    if tokens.get(*i) == Some(&Token::PathSep) {
        *i += 1;
    }
    loop {
        match tokens.get(*i) {
            Some(Token::Word(segment)) => {
                *i += 1;
                if tokens.get(*i) == Some(&Token::PathSep) {
                    path.push(segment.clone());
                    *i += 1;
                    continue;
                }
                let mut name = segment.clone();
                if segment != "self" {
                    path.push(segment.clone());
                } else if let Some(last) = path.last() {
                    name = last.clone();
                }
                if tokens.get(*i) == Some(&Token::Word("as".into())) {
                    if let Some(Token::Word(alias)) = tokens.get(*i + 1) {
                        name = alias.clone();
                    }
                    *i += 2;
                }
                out.push((path, name));
                return;
            }
            Some(Token::Star) => {
                *i += 1;
                out.push((path, "*".into()));
                return;
            }
            Some(Token::Open) => {
                *i += 1;
                while !matches!(tokens.get(*i), Some(Token::Close) | None) {
                    let before = *i;
                    use_tree(tokens, i, path.clone(), out);
                    // Past the comma, or past a token no tree starts with.
                    if tokens.get(*i) == Some(&Token::Comma) || *i == before {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            _ => return,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// An identifier or keyword (`$crate` reads as `crate`).
    Word(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Other(char),
}

/// The tokens of Rust code that matter for paths: comments, string and
/// character literals, lifetimes and numbers are left out.
fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i = skip_block_comment(&chars, i);
        } else if c == '"' {
            i = skip_string(&chars, i + 1);
        } else if c == '\'' {
            i = skip_quote(&chars, i);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            match (word.as_str(), at(i)) {
                ("r" | "br" | "cr", '"' | '#') if at(i) == '"' || matches!(at(i + 1), '"' | '#') => {
                    i = skip_raw_string(&chars, i);
                }
                ("b" | "c", '"') => i = skip_string(&chars, i + 1),
                ("b", '\'') => i = skip_quote(&chars, i),
                ("r", '#') => {} // a raw identifier: its word follows
                _ => tokens.push(Token::Word(word)),
            }
            continue;
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Other('0'));
            continue;
        } else if c == ':' && at(i + 1) == ':' {
            tokens.push(Token::PathSep);
            i += 1;
        } else if !c.is_whitespace() && c != '$' && c != '#' {
            tokens.push(match c {
                '{' => Token::Open,
                '}' => Token::Close,
                ',' => Token::Comma,
                ';' => Token::Semi,
                '*' => Token::Star,
                _ => Token::Other(c),
            });
        }
        i += 1;
    }
    tokens
}

/// The index after the (nested) block comment that starts at `i`.
fn skip_block_comment(chars: &[char], mut i: usize) -> usize {
    let mut open = 0;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            open += 1;
            i += 2;
        } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
            open -= 1;
            i += 2;
            if open == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// The index after the closing quote of a string whose text starts at `i`.
fn skip_string(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// The index after a raw string whose `#`s or quote start at `i`.
fn skip_raw_string(chars: &[char], mut i: usize) -> usize {
    let mut hashes = 0;
    while chars.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    i += 1; // the opening quote
    while i < chars.len() {
        if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// The index after a character literal or a lifetime at `i` (a quote).
fn skip_quote(chars: &[char], i: usize) -> usize {
    if chars.get(i + 1) == Some(&'\\') {
        let mut j = i + 3;
        while j < chars.len() && chars[j] != '\'' {
            j += 1;
        }
        j + 1
    } else if chars.get(i + 2) == Some(&'\'') {
        i + 3
    } else {
        let mut j = i + 1;
        while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
            j += 1;
        }
        j
    }
}

#[cfg(test)]
mod tests;
