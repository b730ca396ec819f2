//! The shipped IoT content: regenerates `catalogs/` and `profiles/` from the NIST sources under
//! `catalogs/sources/` and checks them (committed bytes, counts, prose, mappings, schema, resolution).

#[path = "iot/csv.rs"]
mod csv;
#[path = "iot/mapping.rs"]
mod mapping;
#[path = "iot/nontechnical.rs"]
mod nontechnical;
#[path = "iot/sources.rs"]
mod sources;
#[path = "iot/technical.rs"]
mod technical;
#[path = "iot/text.rs"]
mod text;

#[test]
fn debug_technical() {
    let s = sources::Sources::load();
    let mut notes = Vec::new();
    let caps = technical::read(&s.technical_pages, &s.tech_sp, &s.tech_csf, &mut notes);
    let subs: usize = caps.iter().map(|c| c.subs.len()).sum();
    let els: usize = caps.iter().flat_map(|c| &c.subs).map(|s| s.elements.len()).sum();
    println!("{subs} {els}");
    for n in &notes { println!("NOTE {n}"); }
}

#[test]
fn debug_nontechnical() {
    let s = sources::Sources::load();
    let mut notes = Vec::new();
    let caps = nontechnical::read(&s.nontechnical_pages, &s.nontech_sp, &s.nontech_csf, &mut notes);
    let secs: usize = caps.iter().map(|c| c.sections.len()).sum();
    let topics: usize = caps.iter().flat_map(|c| &c.sections).map(|s| s.topics.len()).sum();
    let acts: usize = caps.iter().flat_map(|c| &c.sections).flat_map(|s| &s.topics).map(|t| t.actions.len()).sum();
    println!("{secs} {topics} {acts}");
    for n in &notes { println!("NOTE {n}"); }
}
