//! Output: stdout in one write, or a file replaced atomically (temp file in the same folder,
//! then rename), so a failed run never leaves half a file.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `target`, or to stdout.
pub fn write(target: Option<&Path>, bytes: &[u8]) -> std::io::Result<()> {
    write_with(target, |out| out.write_all(bytes))
}

/// Writes what `body` writes to `target`, or to stdout, through a buffer (the output is never
/// held whole in memory).
pub fn write_with(
    target: Option<&Path>,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let Some(path) = target else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        return match body(&mut out).and_then(|()| out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        };
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let tmp = tempfile::NamedTempFile::new_in(&dir)?;
    let mut buf = std::io::BufWriter::new(tmp);
    body(&mut buf)?;
    let tmp = buf
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
