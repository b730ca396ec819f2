//! `metaschema-meta-constraints` documents (the constraint sets `--constraints FILE` loads, the
//! format oscal-cli's `-c` takes) to [`MetaConstraints`].
//!
//! Stage: read. In: the bytes of one untrusted file and its name. Out: its contexts, nested as
//! written, each constraint carrying the `let`s in force (those of enclosing contexts, then those
//! before it in its own block). Refused: more than [`MAX_META_BYTES`], nesting past the depth
//! limit, any DOCTYPE that could declare an entity (nothing is ever expanded or fetched),
//! `import` and `definition-context` (not supported: said, not skipped), and unknown elements.

use super::ReadError;
use super::constraint::{self, required, unexpected};
use super::xml::{self, Element, Entities};
use crate::metaschema::model::{Context, MetaConstraints};

/// Largest constraint set read, in bytes (FedRAMP's largest is under 200 KiB).
pub const MAX_META_BYTES: usize = 16 * 1024 * 1024;

/// Reads a `metaschema-meta-constraints` document; `source` names it in errors and in the
/// result.
///
/// ```
/// use oscalc::metaschema::read::meta_constraints;
/// use oscalc::metaschema::Kind;
///
/// let set = br#"<metaschema-meta-constraints xmlns="http://csrc.nist.gov/ns/oscal/metaschema/1.0">
///   <context><metapath target="/catalog"/>
///     <constraints><expect id="has-title" target="metadata" test="title"/></constraints>
///   </context>
/// </metaschema-meta-constraints>"#;
/// let read = meta_constraints(set, "rules.xml")?;
/// let context = &read.contexts[0];
/// assert_eq!(context.targets, ["/catalog"]);
/// assert_eq!(context.constraints[0].id.as_deref(), Some("has-title"));
/// assert_eq!(context.constraints[0].kind, Kind::Expect { test: "title".into() });
/// # Ok::<(), oscalc::metaschema::read::ReadError>(())
/// ```
pub fn meta_constraints(bytes: &[u8], source: &str) -> Result<MetaConstraints, ReadError> {
    if bytes.len() > MAX_META_BYTES {
        return Err(ReadError::TooLarge {
            file: source.to_owned(),
            offset: MAX_META_BYTES,
            limit: MAX_META_BYTES,
            what: "bytes",
        });
    }
    let (base, body) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (3, rest),
        None => (0, bytes),
    };
    let text = std::str::from_utf8(body).map_err(|e| ReadError::Xml {
        file: source.to_owned(),
        offset: base + e.valid_up_to(),
        message: "not valid UTF-8".to_owned(),
    })?;
    let root = xml::parse(text, source, Entities::None).map_err(|e| e.map_offset(|o| o + base))?;
    if !(root.meta && root.name == "metaschema-meta-constraints") {
        return Err(ReadError::WrongRoot {
            file: source.to_owned(),
            found: root.name,
            expected: "metaschema-meta-constraints",
        });
    }
    let mut contexts = Vec::new();
    for child in root.children() {
        match child.name.as_str() {
            "context" => contexts.push(context(child, source, &[])?),
            // Prefixes for qualified names in Metapath; the subset evaluated uses none.
            "namespace-binding" | "remarks" => {}
            "import" | "definition-context" => return Err(unsupported(child, source)),
            _ => return Err(unexpected(child, &root, source)),
        }
    }
    if contexts.is_empty() {
        return Err(constraint::missing(&root, source, "context"));
    }
    Ok(MetaConstraints {
        source: source.to_owned(),
        contexts,
    })
}

/// One `<context>`, with the `let`s its enclosing contexts bound.
fn context(el: &Element, file: &str, outer: &[(String, String)]) -> Result<Context, ReadError> {
    let mut lets = outer.to_vec();
    let mut out = Context::default();
    // The block first: its lets are in force in the nested contexts, wherever they stand.
    for block in el.children().filter(|c| c.name == "constraints") {
        out.constraints
            .extend(constraint::block(block, file, &mut lets)?);
    }
    for child in el.children() {
        match child.name.as_str() {
            "metapath" => out
                .targets
                .push(required(child, file, "target")?.to_owned()),
            "context" => out.contexts.push(context(child, file, &lets)?),
            "constraints" | "remarks" => {}
            _ => return Err(unexpected(child, el, file)),
        }
    }
    if out.targets.is_empty() {
        return Err(constraint::missing(el, file, "metapath"));
    }
    Ok(out)
}

fn unsupported(el: &Element, file: &str) -> ReadError {
    ReadError::Unsupported {
        file: file.to_owned(),
        offset: el.offset,
        element: el.name.clone(),
    }
}
