//! Output: stdout in one write, or a file replaced atomically (temp file in the same folder,
//! then rename), so a failed run never leaves half a file.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `target`, or to stdout.
pub fn write(target: Option<&Path>, bytes: &[u8]) -> std::io::Result<()> {
    let Some(path) = target else {
        let mut out = std::io::stdout().lock();
        return match out.write_all(bytes).and_then(|()| out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        };
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
