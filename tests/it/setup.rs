//! `scripts/setup --missing` against fake roots: the machine CI runs on has
//! libclang installed, so only a fake root can show what a fresh machine
//! lacks. The case that broke the README's first command on a fresh machine
//! is a root holding only `libclang-cpp.so.14` (Debian's `libclang-cpp14`,
//! which bindgen does not load).

use std::path::Path;
use std::process::Command;

/// The packages `scripts/setup` would install on a machine whose files are
/// those under `root`, with `LIBCLANG_PATH` set to `libclang_path` if given.
fn missing(root: &Path, libclang_path: Option<&str>) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/setup");
    let mut command = Command::new("bash");
    command.arg(script).arg("--missing").env("FACTGRAPH_SETUP_ROOT", root).env_remove("LIBCLANG_PATH");
    if let Some(path) = libclang_path {
        command.env("LIBCLANG_PATH", path);
    }
    let output = command.output().expect("bash runs");
    assert!(output.status.success(), "setup --missing failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().map(str::to_owned).collect()
}

/// A fake root with these (empty) files in it.
fn root_with(files: &[&str]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    for file in files {
        let path = root.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"").unwrap();
    }
    root
}

fn wants_libclang(root: &Path, libclang_path: Option<&str>) -> bool {
    missing(root, libclang_path).iter().any(|p| p == "libclang-dev")
}

#[test]
fn only_the_cpp_interface_is_not_libclang() {
    let root = root_with(&["usr/lib/llvm-14/lib/libclang-cpp.so.14", "usr/lib/x86_64-linux-gnu/libclang-cpp.so.14"]);
    assert!(wants_libclang(root.path(), None));
}

#[test]
fn an_empty_machine_needs_libclang() {
    let root = root_with(&[]);
    assert!(wants_libclang(root.path(), None));
}

#[test]
fn every_name_bindgen_loads_is_found() {
    for file in [
        "usr/lib/llvm-14/lib/libclang.so",
        "usr/lib/llvm-14/lib/libclang.so.1",
        "usr/lib/llvm-16/lib/libclang-16.so",
        "usr/lib/x86_64-linux-gnu/libclang-14.so.1",
        "usr/local/lib/libclang.so.13",
        "usr/local/llvm18/lib/libclang.so",
    ] {
        let root = root_with(&[file]);
        assert!(!wants_libclang(root.path(), None), "{file} is a libclang bindgen loads");
    }
}

#[test]
fn libclang_path_is_searched_alone() {
    let root = root_with(&["opt/llvm/lib/libclang.so.1", "usr/lib/llvm-14/lib/libclang.so.1"]);
    assert!(!wants_libclang(root.path(), Some("/opt/llvm/lib")));
    assert!(!wants_libclang(root.path(), Some("/opt/llvm/lib/libclang.so.1")));
    // clang-sys looks nowhere else when LIBCLANG_PATH is set.
    assert!(wants_libclang(root.path(), Some("/opt/elsewhere")));
}
