//! The writers and the output check through the public API: the XML writer
//! (`emit/xml_write.rs`) and the typed output check against its whole-document oracle
//! (`emit/output_check.rs`).

#[path = "emit/output_check.rs"]
mod output_check;
#[path = "emit/xml_write.rs"]
mod xml_write;
