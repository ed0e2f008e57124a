//! Fetches the query page's front-end (YASGUI, from the npm registry at the
//! versions web/package-lock.json pins) and puts the files `serve` embeds in
//! OUT_DIR, so that a fresh clone builds with no step of its own and the
//! binary serves the page with no network.
//!
//! `npm ci` runs in OUT_DIR on a copy of web/package.json and its lock, never
//! in the source tree, and again only when either file changes. Install
//! scripts are not run: the packages' files are used as published.
//! FACTGRAPH_WEB_ASSETS names a folder that already holds yasgui.min.js and
//! yasgui.min.css, for machines that build with no registry.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of the npm package that `serve` embeds.
const ASSETS: [&str; 2] = ["yasgui.min.js", "yasgui.min.css"];
const PACKAGE_BUILD: &str = "node_modules/@zazuko/yasgui/build";

fn main() {
    println!("cargo::rerun-if-changed=web/package.json");
    println!("cargo::rerun-if-changed=web/package-lock.json");
    println!("cargo::rerun-if-env-changed=FACTGRAPH_WEB_ASSETS");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let assets = out.join("web-assets");
    std::fs::create_dir_all(&assets).unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", assets.display())));
    let from = match std::env::var_os("FACTGRAPH_WEB_ASSETS") {
        Some(folder) => PathBuf::from(folder),
        None => npm_ci(&out.join("web")).join(PACKAGE_BUILD),
    };
    for name in ASSETS {
        let source = from.join(name);
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", source.display())));
        // The source map is not served: without this line a browser's
        // developer tools would ask for it and get a 404.
        let text: String = text
            .lines()
            .filter(|l| !l.starts_with("//# sourceMappingURL=") && !l.starts_with("/*# sourceMappingURL="))
            .fold(String::with_capacity(text.len()), |mut all, line| {
                all.push_str(line);
                all.push('\n');
                all
            });
        std::fs::write(assets.join(name), text).unwrap_or_else(|e| fail(&format!("cannot write {name}: {e}")));
    }
}

/// Installs the locked packages into `folder` and returns it.
fn npm_ci(folder: &Path) -> PathBuf {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(folder).unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", folder.display())));
    for name in ["package.json", "package-lock.json"] {
        std::fs::copy(manifest.join("web").join(name), folder.join(name))
            .unwrap_or_else(|e| fail(&format!("cannot copy crates/serve/web/{name}: {e}")));
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let status = Command::new(npm)
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(folder)
        .status()
        .unwrap_or_else(|e| {
            fail(&format!(
                "cannot run npm ({e}); the query page of `serve` is built from npm packages: install Node.js 18 or later \
                 with npm (Debian: apt-get install nodejs npm), or set FACTGRAPH_WEB_ASSETS (see README)"
            ))
        });
    if !status.success() {
        fail(&format!(
            "`npm ci` in {} failed ({status}); it fetches crates/serve/web/package-lock.json's packages from the npm registry",
            folder.display()
        ));
    }
    folder.to_owned()
}

fn fail(message: &str) -> ! {
    eprintln!("factgraph build: {message}");
    std::process::exit(1);
}
