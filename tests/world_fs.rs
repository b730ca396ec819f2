//! The file-system world's refusals, through the public API: an empty `--map` prefix, special
//! files (refused before they are opened) and a file over the size limit.

use oscalc::world::{FetchError, FsWorld, MapError, World};
use url::Url;

#[test]
fn an_empty_map_prefix_is_refused() {
    let e = FsWorld::new().with_map("", ".").err();
    assert_eq!(e, Some(MapError::EmptyPrefix("=.".into())));
}

#[test]
fn special_files_are_refused_before_they_are_opened() {
    let w = FsWorld::new();
    let fetch = |p: &str| w.fetch(&Url::from_file_path(p).expect("path")).err();
    for p in ["/dev/zero", "/dev/urandom", "/proc/self/environ"] {
        assert_eq!(fetch(p), Some(FetchError::NotRegular(p.into())), "{p}");
    }
    let dir = env!("CARGO_MANIFEST_DIR");
    assert_eq!(fetch(dir), Some(FetchError::IsDirectory(dir.into())));
}

#[test]
fn a_file_over_the_limit_is_refused_by_its_size() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let w = FsWorld::new().with_max_file_size(10);
    let e = w.fetch(&Url::from_file_path(path).expect("path")).err();
    assert!(
        matches!(e, Some(FetchError::TooLarge { limit: 10, .. })),
        "{e:?}"
    );
}
