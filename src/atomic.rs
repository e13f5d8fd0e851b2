//! Atomic file writes, used for every file frontmap writes: a temporary file in the same
//! folder, flushed to disk, then renamed over the target, so a reader never sees half a file
//! and an interrupted run leaves the previous file in place.
//!
//! When writing fails (a full disk, a file-size limit, a read-only folder) the temporary file
//! is removed, the target keeps its previous bytes, and the error names the target.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically (see the module docs). The file is made readable by
/// everyone (0644 less the umask), not private like a temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// `write_atomic` with the writing step given: tests use it to fail the way a full disk does.
fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".frontmap-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::write(path, e))?;
    // On any error below, dropping `tmp` deletes the temporary file.
    write(tmp.as_file_mut()).map_err(|e| Error::write(path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::write(path, e))?;
    tmp.persist(path).map_err(|e| Error::write(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::ErrorKind;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("layer.geojson");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new bytes").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new bytes");
        assert_eq!(names_in(dir.path()), ["layer.geojson"]);
    }

    /// A disk that fills up half-way through a file: the previous file survives byte for byte,
    /// no temporary file is left, and the message names the target and says why.
    #[test]
    fn full_disk_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.geojson");
        write_atomic(&path, b"{\"previous\":true}").unwrap();
        for kind in [ErrorKind::StorageFull, ErrorKind::FileTooLarge] {
            let err = write_atomic_with(&path, |file| {
                file.write_all(b"{\"half\":")?;
                Err(std::io::Error::from(kind))
            })
            .unwrap_err();
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!("{}: cannot write: ", path.display())),
                "{shown}"
            );
            assert!(matches!(&err, Error::Write { source, .. } if source.kind() == kind));
            assert_eq!(std::fs::read(&path).unwrap(), b"{\"previous\":true}");
            assert_eq!(names_in(dir.path()), ["events.geojson"]);
        }
    }

    #[test]
    fn missing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/folder/x.json");
        let err = write_atomic(&path, b"x").unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
    }
}
