//! Stage: load. In: the repository's `catalogs/sources/` folder. Out: `Sources`, the NIST files the
//! generator reads, as text. The only file reads of the generator besides the committed outputs.

use std::path::{Path, PathBuf};

use crate::csv::{self, Table};

/// The repository root (this crate's manifest directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The NIST source files, read once.
pub struct Sources {
    pub technical_pages: Vec<(String, String)>,
    pub nontechnical_pages: Vec<(String, String)>,
    pub tech_sp: Table,
    pub tech_csf: Table,
    pub nontech_sp: Table,
    pub nontech_csf: Table,
    pub nistir_8259b: String,
    pub low_profile_json: String,
    pub low_profile_xml: String,
}

const REFS: &str =
    "iot/informative-references/DRAFT_NIST_IoT_Device_Cybersecurity_Requirements_Catalog_to_";

impl Sources {
    /// Reads everything under `catalogs/sources/`.
    pub fn load() -> Sources {
        let dir = root().join("catalogs/sources");
        let table = |name: &str| csv::parse(&read(&dir.join(format!("{REFS}{name}.csv"))));
        Sources {
            technical_pages: pages(&dir.join("iot/source-md/_Technical")),
            nontechnical_pages: pages(&dir.join("iot/source-md/_Nontechnical")),
            tech_sp: table("800-53__technical-capabilities"),
            tech_csf: table("Cybersecurity_Framework__technical-capabilities"),
            nontech_sp: table("800-53__non-technical-manufacturers"),
            nontech_csf: table("Cybersecurity_Framework__non-technical-manufacturers"),
            nistir_8259b: read(&dir.join("iot/nistir-8259b-draft.txt")),
            low_profile_json: read(
                &dir.join("sp800-53-rev5/NIST_SP-800-53_rev5_LOW-baseline_profile.json"),
            ),
            low_profile_xml: read(
                &dir.join("sp800-53-rev5/NIST_SP-800-53_rev5_LOW-baseline_profile.xml"),
            ),
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn pages(dir: &Path) -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| (n.clone(), read(&dir.join(&n))))
        .collect()
}
