//! Stage: the edge of the binary. In: SIGINT, SIGTERM or SIGHUP while oscalc runs. Out: the
//! temporary files of outputs being written are deleted and the process exits with 130, so an
//! interrupted run leaves the old outputs as they were and no `.tmp*` file behind.
//!
//! The registry below is the one piece of global mutable state: a signal handler has no other
//! way to learn which files are half written. Only `main` installs the handler; the unit tests,
//! which call `clean_up` without it, lose nothing but the signal.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Temporary files that exist right now and are not yet renamed over their targets.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The exit status of an interrupted run (128 + SIGINT, as shells report it).
const INTERRUPTED: i32 = 130;

/// Installs the handler for SIGINT, SIGTERM and SIGHUP; an error (a handler already set) leaves
/// the default behaviour, which loses only the cleanup.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        // The lock is held until the process exits (`exit` runs no destructor), so no writer
        // can rename a file while it is being deleted, nor register a new one.
        let mut live = live();
        clean_up(&mut live);
        std::process::exit(INTERRUPTED);
    });
}

/// The registry, locked. A panic while it was held leaves a list that is still a valid list.
pub(super) fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Forgets `path` (renamed over its target, or deleted by its owner).
pub(super) fn forget(live: &mut Vec<PathBuf>, path: &Path) {
    live.retain(|p| p != path);
}

/// Deletes every temporary file in `live` (the locked registry) and empties it.
pub(super) fn clean_up(live: &mut Vec<PathBuf>) {
    for path in live.drain(..) {
        // Already gone is fine: nothing to clean.
        let _ = std::fs::remove_file(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_up_deletes_every_registered_temp_file() {
        let dir = std::env::temp_dir().join(format!("oscalc-interrupt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b, kept) = (dir.join(".tmpA"), dir.join(".tmpB"), dir.join("out.json"));
        for p in [&a, &b, &kept] {
            std::fs::write(p, b"x").unwrap();
        }
        let mut live = vec![a.clone(), b.clone(), dir.join(".tmp-renamed-already")];
        forget(&mut live, &b);
        clean_up(&mut live);
        assert!(live.is_empty());
        assert!(!a.exists(), "a registered temp file is deleted");
        assert!(b.exists(), "a forgotten one is not");
        assert_eq!(
            std::fs::read(&kept).unwrap(),
            b"x",
            "other files are untouched"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
