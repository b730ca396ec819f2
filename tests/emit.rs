//! The writers and the output check through the public API: the XML writer
//! (`emit/xml_write.rs`), the YAML writer against PyYAML (`emit/yaml.rs`, reader in
//! `support/pyyaml.rs`) and the typed output check against its whole-document oracle
//! (`emit/output_check.rs`).

#[path = "emit/output_check.rs"]
mod output_check;
#[path = "support/pyyaml.rs"]
mod pyyaml;
#[path = "emit/xml_write.rs"]
mod xml_write;
#[path = "emit/yaml.rs"]
mod yaml;
