use super::Version;
use crate::Error;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

const CURRENT: &str = "CURRENT";
const PREVIOUS: &str = "PREVIOUS";
const LOCK: &str = "build.lock";
const VERSIONS: &str = "versions";

/// A store folder holding successive versions of the graph.
#[derive(Debug, Clone)]
pub struct StoreDir {
    path: PathBuf,
}

/// A new version being built. It becomes current only through
/// [`BuildSlot::publish`]; dropped without it, the version stays unused and
/// the next build removes it.
#[derive(Debug)]
pub struct BuildSlot {
    store_dir: StoreDir,
    version: Version,
    _lock: File,
}

impl StoreDir {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The version readers should use, if a build has finished.
    pub fn current_version(&self) -> Result<Option<Version>, Error> {
        Ok(self.read_pointer(CURRENT)?.map(|name| self.version(name)))
    }

    /// The current version; an error saying to build first if there is none.
    pub fn require_current_version(&self) -> Result<Version, Error> {
        self.current_version()?
            .ok_or_else(|| Error::store(&self.path, "no graph has been built here yet; run `factgraph build` first"))
    }

    /// The version the current one replaced, if it is kept.
    pub fn previous_version(&self) -> Result<Option<Version>, Error> {
        Ok(self.read_pointer(PREVIOUS)?.map(|name| self.version(name)))
    }

    /// Starts a build: takes the build lock (failing at once if another build
    /// holds it), removes what unfinished builds left, and makes a new, empty
    /// version folder.
    pub fn begin_build(&self) -> Result<BuildSlot, Error> {
        fs::create_dir_all(self.path.join(VERSIONS)).map_err(Error::io(&self.path))?;
        let lock_path = self.path.join(LOCK);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(Error::io(&lock_path))?;
        if lock.try_lock().is_err() {
            return Err(Error::store(
                &self.path,
                "another build is running on this store; wait for it to finish and build again",
            ));
        }
        self.remove_stale_versions()?;
        let name = self.new_version_name();
        fs::create_dir(self.version_path(&name)).map_err(Error::io(self.version_path(&name)))?;
        Ok(BuildSlot { store_dir: self.clone(), version: self.version(name), _lock: lock })
    }

    fn version(&self, name: String) -> Version {
        Version::new(self.version_path(&name), name)
    }

    fn version_path(&self, name: &str) -> PathBuf {
        self.path.join(VERSIONS).join(name)
    }

    fn new_version_name(&self) -> String {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let mut name = format!("v{nanos}");
        while self.version_path(&name).exists() {
            name.push('x');
        }
        name
    }

    fn read_pointer(&self, pointer: &str) -> Result<Option<String>, Error> {
        let path = self.path.join(pointer);
        match fs::read_to_string(&path) {
            Ok(name) => {
                let name = name.trim().to_owned();
                let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric());
                if valid && self.version_path(&name).is_dir() {
                    Ok(Some(name))
                } else {
                    Err(Error::store(&path, format!("points to {name:?}, which is not a built version")))
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path)(e)),
        }
    }

    /// Replaces a pointer file atomically: written beside it, then renamed.
    fn write_pointer(&self, pointer: &str, name: &str) -> Result<(), Error> {
        let path = self.path.join(pointer);
        let temporary = self.path.join(format!("{pointer}.new"));
        let mut file = File::create(&temporary).map_err(Error::io(&temporary))?;
        writeln!(file, "{name}").and_then(|()| file.sync_all()).map_err(Error::io(&temporary))?;
        fs::rename(&temporary, &path).map_err(Error::io(&path))?;
        File::open(&self.path).and_then(|dir| dir.sync_all()).map_err(Error::io(&self.path))
    }

    /// Removes every version that is neither current nor previous: builds that
    /// failed or were killed, and versions no reader should still be using.
    fn remove_stale_versions(&self) -> Result<(), Error> {
        let keep = [self.read_pointer(CURRENT).ok().flatten(), self.read_pointer(PREVIOUS).ok().flatten()];
        let versions = self.path.join(VERSIONS);
        for entry in fs::read_dir(&versions).map_err(Error::io(&versions))? {
            let entry = entry.map_err(Error::io(&versions))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !keep.iter().flatten().any(|k| *k == name) {
                fs::remove_dir_all(entry.path()).map_err(Error::io(entry.path()))?;
            }
        }
        Ok(())
    }
}

impl BuildSlot {
    /// The version being built.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// Makes the new version current. Call it only after the store written in
    /// [`Version::store_path`] is complete and closed.
    pub fn publish(self) -> Result<Version, Error> {
        let dir = &self.store_dir;
        if let Some(previous) = dir.read_pointer(CURRENT)? {
            dir.write_pointer(PREVIOUS, &previous)?;
        }
        super::pause_at("switching");
        dir.write_pointer(CURRENT, self.version.name())?;
        Ok(self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &StoreDir) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir.path().join(VERSIONS))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_published_version_becomes_current_and_the_one_before_previous() {
        let folder = tempfile::tempdir().unwrap();
        let dir = StoreDir::new(folder.path());
        assert!(dir.current_version().unwrap().is_none());
        let first = dir.begin_build().unwrap().publish().unwrap();
        assert_eq!(dir.current_version().unwrap().unwrap().name(), first.name());
        let second = dir.begin_build().unwrap().publish().unwrap();
        assert_eq!(dir.current_version().unwrap().unwrap().name(), second.name());
        assert_eq!(dir.read_pointer(PREVIOUS).unwrap().as_deref(), Some(first.name()));
    }

    #[test]
    fn an_unpublished_version_changes_nothing_and_the_next_build_removes_it() {
        let folder = tempfile::tempdir().unwrap();
        let dir = StoreDir::new(folder.path());
        let good = dir.begin_build().unwrap().publish().unwrap();
        let failed = dir.begin_build().unwrap();
        let failed_name = failed.version().name().to_owned();
        drop(failed);
        assert_eq!(dir.current_version().unwrap().unwrap().name(), good.name());
        let next = dir.begin_build().unwrap();
        assert!(!names(&dir).contains(&failed_name), "left by a failed build: {:?}", names(&dir));
        assert!(names(&dir).contains(&good.name().to_owned()));
        drop(next);
    }

    #[test]
    fn one_build_at_a_time() {
        let folder = tempfile::tempdir().unwrap();
        let dir = StoreDir::new(folder.path());
        let running = dir.begin_build().unwrap();
        let error = dir.begin_build().unwrap_err().to_string();
        assert!(error.contains("another build is running"), "{error}");
        drop(running);
        dir.begin_build().unwrap();
    }

    #[test]
    fn a_pointer_to_no_version_is_an_error_not_an_empty_store() {
        let folder = tempfile::tempdir().unwrap();
        let dir = StoreDir::new(folder.path());
        fs::create_dir_all(folder.path().join(VERSIONS)).unwrap();
        fs::write(folder.path().join(CURRENT), "v123\n").unwrap();
        let error = dir.current_version().unwrap_err().to_string();
        assert!(error.contains("not a built version"), "{error}");
    }
}
