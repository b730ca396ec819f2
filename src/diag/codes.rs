//! The registry of diagnostic codes: each code, its default severity and what it means.
//!
//! Spec codes are the requirement ids of the profile-resolution specification; ours never start
//! with `req-`, `rq-` or `id-`. Codes never change meaning.

use super::Severity;

/// One registered code.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    /// The code.
    pub code: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line on what it means.
    pub summary: &'static str,
}

const fn e(code: &'static str, summary: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        severity: Severity::Error,
        summary,
    }
}

const fn w(code: &'static str, summary: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        severity: Severity::Warning,
        summary,
    }
}

/// Every code the library emits.
pub const CODES: &[CodeInfo] = &[
    e("req-uri-error", "an import could not be acquired"),
    e(
        "req-internal-error",
        "a `#uuid` import names no usable back-matter resource",
    ),
    e("req-circular-error", "the import graph has a cycle"),
    e(
        "req-stucture",
        "more than one structuring directive in merge",
    ),
    e(
        "req-meta-oscalversion-error",
        "inputs of different OSCAL major versions",
    ),
    w(
        "req-include-by-match-empty",
        "a matching without a pattern matches nothing",
    ),
    w(
        "req-structure-none",
        "merge without flat, as-is or custom: treated as flat",
    ),
    w(
        "req-merge-keep-warning",
        "duplicate controls kept under combine keep",
    ),
    w(
        "req-merge-combine",
        "combine method merge is deprecated; treated as use-first",
    ),
    w(
        "req-custom-select-warning",
        "a custom insert-controls selects nothing",
    ),
    w(
        "req-modify-set-param-warning",
        "set-parameter names no parameter",
    ),
    w(
        "req-modify-alter-add-explicit-id",
        "add by-id names the altered control itself",
    ),
    w(
        "req-modify-alter-add-explicit-id-warning",
        "add by-id names nothing inside the control",
    ),
    w(
        "req-modify-param-multi",
        "several set-parameters for one parameter",
    ),
    e("load-json-syntax", "the JSON text is malformed"),
    e("load-xml-syntax", "the XML text is malformed"),
    e("load-xml-dtd", "the XML declares a DTD; refused"),
    e(
        "load-xml-entity",
        "the XML references an entity; never expanded",
    ),
    e("load-xml-shape", "an XML element is not allowed there"),
    e(
        "load-xml-namespace",
        "the XML root is not in the OSCAL namespace",
    ),
    e("load-yaml-syntax", "the YAML text is malformed"),
    e(
        "load-yaml-alias",
        "YAML aliases expand past the budget the document's size allows; refused",
    ),
    e(
        "load-yaml-tag",
        "a YAML tag outside the core schema (`!!str`, `!!map`, ...); refused",
    ),
    e(
        "load-yaml-duplicate-key",
        "a YAML mapping has the same key twice",
    ),
    e(
        "load-yaml-documents",
        "a YAML stream holds more than one document",
    ),
    e("load-yaml-key", "a YAML mapping key is not a plain string"),
    e("load-encoding", "the input is not UTF-8"),
    e(
        "load-shape",
        "the document does not have the OSCAL model's shape",
    ),
    e(
        "load-root",
        "the document is neither a catalog nor a profile",
    ),
    e("load-empty", "the input is empty"),
    e("load-limit", "an input exceeds a configured limit"),
    e(
        "resolve-limit",
        "a profile would resolve to more controls than the limit allows",
    ),
    e("fetch-not-found", "the file does not exist"),
    e(
        "constraints-unreadable",
        "a constraint set named by --constraints could not be read",
    ),
    e(
        "constraints-eval",
        "a constraint could not be evaluated on a document (its Metapath failed or passed its budget)",
    ),
    e(
        "constraints-invalid",
        "a constraint set named by --constraints is not a usable Metaschema meta-constraints document",
    ),
    e("fetch-io", "the file could not be read"),
    e(
        "fetch-remote-disabled",
        "a remote import without --allow-remote",
    ),
    e("fetch-unsupported", "the URI scheme is not supported"),
    e(
        "fetch-not-regular",
        "an import names a directory, device, FIFO or /proc, /sys or /dev entry",
    ),
    e(
        "fetch-outside-root",
        "a local import outside every --root folder and --map target",
    ),
    e(
        "fetch-map-escape",
        "a --map-ped href leaves its target folder once decoded",
    ),
    e(
        "fetch-remote-local",
        "a remote document imports a local file or a non-http(s) URI",
    ),
    e(
        "fetch-redirect",
        "a refused redirect: too many, not http(s), or from https to http",
    ),
    e("fetch-timeout", "a server did not answer within --timeout"),
    e("merge-combine-unknown", "unknown combine method"),
    w(
        "merge-with-parent-controls",
        "with-parent-controls is not in the released schema",
    ),
    w(
        "merge-custom-unplaced",
        "a selected control is placed by no insert-controls",
    ),
    w(
        "select-unknown-id",
        "with-id names no control of the import",
    ),
    w("select-import-empty", "an import selects no control"),
    w("modify-alter-unknown-control", "alter names no control"),
    w(
        "modify-remove-no-match",
        "remove matches nothing in the control",
    ),
    e(
        "ref-duplicate-id",
        "two controls, params, parts or groups share an id",
    ),
    e("ref-duplicate-uuid", "two objects share a uuid"),
    w(
        "ref-import-unresolved",
        "an imported profile does not resolve: the ids it would provide are not checked",
    ),
    e(
        "ref-dangling",
        "an insert or `#` link names nothing in the document",
    ),
    w(
        "ref-unknown-by-id",
        "an alter's by-id names nothing in the imported catalogs",
    ),
    e(
        "emit-xml-shape",
        "a value has no XML form (internal: the model produced it)",
    ),
    e("emit-limit", "output nesting deeper than the writer allows"),
    e("schema-invalid", "the document violates the OSCAL schema"),
    e(
        "usage-output",
        "-o and --to cannot work together with the profiles given",
    ),
    e(
        "write-target",
        "the output names a missing folder, a directory or a file oscalc does not write into",
    ),
    e(
        "write-input",
        "the output names a file the run read; it is not overwritten",
    ),
    e(
        "write-same",
        "two outputs of the run name the same file (the catalog and the provenance sidecar)",
    ),
    e("write-io", "the output could not be written"),
    e(
        "render-too-large",
        "the rendered page, document or table would pass --max-output-size",
    ),
];

/// The stage a code belongs to, the first key of the order diagnostics are reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Fetching, loading and the import graph.
    Load,
    /// The OSCAL schema.
    Schema,
    /// References (ids, uuids, inserts, links).
    Refs,
    /// OSCAL's constraint layer and the `--constraints` sets (`oscal:` codes).
    Constraints,
    /// Resolution: select, merge, modify and the spec's warnings.
    Resolve,
    /// Writing the output.
    Emit,
}

/// The stage of a code, by its family.
pub fn stage(code: &str) -> Stage {
    match code {
        "req-uri-error" | "req-internal-error" | "req-circular-error" => Stage::Load,
        c if c.starts_with("fetch-") || c.starts_with("load-") => Stage::Load,
        c if c.starts_with("schema-") => Stage::Schema,
        c if c.starts_with("ref-") => Stage::Refs,
        c if c.starts_with("oscal:") => Stage::Constraints,
        c if c.starts_with("emit-") || c.starts_with("write-") => Stage::Emit,
        _ => Stage::Resolve,
    }
}

/// Looks up a code.
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}
