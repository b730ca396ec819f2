//! Writes the generated bench inputs to a folder, for whole-process runs
//! (`scripts/bench-process.sh`): `cargo run --release --example benchgen -- DIR`.

#[path = "../benches/support/gen.rs"]
mod generate;

use std::path::{Path, PathBuf};

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/benchgen".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text);
    for n in [1_000, 10_000, 100_000] {
        let cat = format!("catalog-{n}.json");
        write(&cat, &generate::catalog(n))?;
        write(&format!("all-{n}.json"), &generate::include_all(&cat))?;
        write(&format!("ids-{n}.json"), &generate::with_ids(&cat, n))?;
    }
    for depth in [1, 8, 64] {
        let sub = dir.join(format!("chain{depth}"));
        std::fs::create_dir_all(&sub)?;
        std::fs::write(sub.join("catalog.json"), generate::catalog(1_000))?;
        for (name, text) in generate::chain("catalog.json", depth) {
            std::fs::write(sub.join(name), text)?;
        }
    }
    let rev5 = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/data/rev5/NIST_SP-800-53_rev5_catalog.json");
    let catalog = std::fs::read_to_string(rev5)?;
    write("rev5_catalog.json", &catalog)?;
    write(
        "heavy.json",
        &generate::heavy_tailoring(&catalog, "rev5_catalog.json"),
    )?;
    Ok(())
}
