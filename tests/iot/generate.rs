//! Stage: generate. In: `Sources` (the NIST files under `catalogs/sources/`). Out: every generated
//! file of `catalogs/` and `profiles/` as (repository-relative path, text), plus the reconciliation
//! notes of the readers. Writing and comparing them is the test's job (`tests/iot.rs`).

use serde_json::Value;

use crate::catalog::{self, NONTECHNICAL, TECHNICAL};
use crate::nontechnical::{self, NtCapability};
use crate::profiles::{self, FEDERAL, IR_8259A, IR_8259B, LOW};
use crate::sources::Sources;
use crate::technical::{self, Capability, Notes};

/// One generated file.
pub struct Output {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    pub text: String,
}

/// Both catalogs read from the sources, with the notes the readers made.
pub struct Read {
    pub technical: Vec<Capability>,
    pub nontechnical: Vec<NtCapability>,
    pub notes: Notes,
}

/// Reads both IoT catalogs.
pub fn read(src: &Sources) -> Read {
    let mut notes = Notes::new();
    let technical = technical::read(
        &src.technical_pages,
        &src.tech_sp,
        &src.tech_csf,
        &mut notes,
    );
    let nontechnical = nontechnical::read(
        &src.nontechnical_pages,
        &src.nontech_sp,
        &src.nontech_csf,
        &mut notes,
    );
    Read {
        technical,
        nontechnical,
        notes,
    }
}

/// Every generated file, in a fixed order.
pub fn generate(src: &Sources) -> Vec<Output> {
    let read = read(src);
    let mut out = Vec::new();
    let catalogs = [
        (TECHNICAL, catalog::technical(&read.technical)),
        (NONTECHNICAL, catalog::nontechnical(&read.nontechnical)),
    ];
    for (stem, value) in &catalogs {
        out.extend(both_formats(&format!("catalogs/{stem}"), "catalog", |_| {
            value.clone()
        }));
    }
    out.extend(both_formats(
        &format!("profiles/{IR_8259A}"),
        "profile",
        profiles::ir_8259a,
    ));
    out.extend(both_formats(
        &format!("profiles/{IR_8259B}"),
        "profile",
        |ext| profiles::ir_8259b(ext, &src.nistir_8259b),
    ));
    out.extend(both_formats(
        &format!("profiles/{FEDERAL}"),
        "profile",
        |ext| {
            profiles::federal(
                ext,
                &read.technical,
                &read.nontechnical,
                &src.low_profile_json,
            )
        },
    ));
    for (ext, source) in [
        ("json", &src.low_profile_json),
        ("xml", &src.low_profile_xml),
    ] {
        out.push(Output {
            path: format!("profiles/{LOW}.{ext}"),
            text: profiles::low_profile_copy(source, ext),
        });
    }
    out
}

/// The JSON and the XML file of one document; `build` gets the extension its hrefs must use. The
/// XML comes from the same value through the library's writer (Markdown prose becomes XML markup).
fn both_formats(stem: &str, root: &str, build: impl Fn(&str) -> Value) -> Vec<Output> {
    let xml =
        oscalc::xml::write(root, &build("xml")[root]).unwrap_or_else(|e| panic!("{stem}.xml: {e}"));
    vec![
        Output {
            path: format!("{stem}.json"),
            text: json_text(&build("json")),
        },
        Output {
            path: format!("{stem}.xml"),
            text: xml,
        },
    ]
}

/// 2-space pretty JSON with a final newline.
pub fn json_text(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|e| panic!("serialize: {e}"));
    text.push('\n');
    text
}
