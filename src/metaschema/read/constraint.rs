//! One constraint element (`allowed-values`, `matches`, `is-unique`, `index`, `index-has-key`,
//! `has-cardinality`, `expect`) to a [`Constraint`], for modules and constraint sets alike.
//!
//! Stage: read. In: the elements of a `<constraint>` (module) or `<constraints>` (constraint
//! set) block and the `let`s in force. Out: the constraints in document order, each with the
//! lets in force where it stands. What the expressions mean is left to `path`.

use super::ReadError;
use super::xml::Element;
use crate::metaschema::model::KeyField;
use crate::metaschema::model::{Constraint, Kind, Level};

/// Reads one constraint block: `let`s and constraints in order. `lets` holds the bindings in
/// force from outside (outermost first) and, on return, also this block's, for nested contexts.
pub(super) fn block(
    el: &Element,
    file: &str,
    lets: &mut Vec<(String, String)>,
) -> Result<Vec<Constraint>, ReadError> {
    let mut out = Vec::new();
    for child in el.children() {
        if child.name == "let" {
            let var = required(child, file, "var")?;
            let expression = required(child, file, "expression")?;
            lets.push((var.to_owned(), expression.to_owned()));
            continue;
        }
        let Some(kind) = kind(child, file)? else {
            return Err(unexpected(child, el, file));
        };
        out.push(Constraint {
            id: child.attr("id").map(str::to_owned),
            level: level(child, file)?,
            target: child.attr("target").unwrap_or(".").to_owned(),
            kind,
            message: child.child("message").map(Element::plain_text),
            help: help(child),
            lets: lets.clone(),
        });
    }
    Ok(out)
}

/// The kind's data, `None` when `el` is no constraint.
fn kind(el: &Element, file: &str) -> Result<Option<Kind>, ReadError> {
    let kind = match el.name.as_str() {
        "allowed-values" => Kind::AllowedValues {
            values: enums(el, file)?,
            allow_other: yes_no(el, file, "allow-other")?,
        },
        "matches" => Kind::Matches {
            regex: el.attr("regex").map(str::to_owned),
            datatype: el.attr("datatype").map(str::to_owned),
        },
        "is-unique" => Kind::IsUnique {
            keys: keys(el, file)?,
        },
        "index" => Kind::Index {
            name: required(el, file, "name")?.to_owned(),
            keys: keys(el, file)?,
        },
        "index-has-key" => Kind::IndexHasKey {
            name: required(el, file, "name")?.to_owned(),
            keys: keys(el, file)?,
        },
        "has-cardinality" => Kind::HasCardinality {
            min: occurs(el, file, "min-occurs")?,
            max: occurs(el, file, "max-occurs")?,
        },
        "expect" => Kind::Expect {
            test: required(el, file, "test")?.to_owned(),
        },
        _ => return Ok(None),
    };
    check_children(el, file)?;
    Ok(Some(kind))
}

/// A constraint holds documentation, its kind's data and nothing else.
fn check_children(el: &Element, file: &str) -> Result<(), ReadError> {
    const COMMON: [&str; 5] = ["formal-name", "description", "prop", "message", "remarks"];
    for child in el.children() {
        let own = match el.name.as_str() {
            "allowed-values" => child.name == "enum",
            "is-unique" | "index" | "index-has-key" => child.name == "key-field",
            _ => false,
        };
        if !own && !COMMON.contains(&child.name.as_str()) {
            return Err(unexpected(child, el, file));
        }
    }
    Ok(())
}

fn enums(el: &Element, file: &str) -> Result<Vec<(String, String)>, ReadError> {
    el.children()
        .filter(|e| e.name == "enum")
        .map(|e| Ok((required(e, file, "value")?.to_owned(), e.plain_text())))
        .collect()
}

fn keys(el: &Element, file: &str) -> Result<Vec<KeyField>, ReadError> {
    let keys = el
        .children()
        .filter(|e| e.name == "key-field")
        .map(|e| {
            Ok(KeyField {
                target: required(e, file, "target")?.to_owned(),
                pattern: e.attr("pattern").map(str::to_owned),
            })
        })
        .collect::<Result<Vec<_>, ReadError>>()?;
    if keys.is_empty() {
        return Err(missing(el, file, "key-field"));
    }
    Ok(keys)
}

/// The help text of a rule: its formal name, description and remarks, as plain text.
fn help(el: &Element) -> Option<String> {
    let parts: Vec<String> = ["formal-name", "description", "remarks"]
        .iter()
        .filter_map(|name| el.child(name))
        .map(Element::plain_text)
        .filter(|text| !text.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

fn level(el: &Element, file: &str) -> Result<Level, ReadError> {
    Ok(match el.attr("level") {
        None | Some("ERROR") => Level::Error,
        Some("CRITICAL") => Level::Critical,
        Some("WARNING") => Level::Warning,
        Some("INFORMATIONAL") => Level::Informational,
        Some("DEBUG") => Level::Debug,
        Some(other) => return Err(bad_value(el, file, "level", other)),
    })
}

fn yes_no(el: &Element, file: &str, name: &str) -> Result<bool, ReadError> {
    match el.attr(name) {
        None | Some("no") => Ok(false),
        Some("yes") => Ok(true),
        Some(other) => Err(bad_value(el, file, name, other)),
    }
}

/// `min-occurs` / `max-occurs`: absent or `unbounded` is `None`.
fn occurs(el: &Element, file: &str, name: &str) -> Result<Option<u64>, ReadError> {
    match el.attr(name) {
        None | Some("unbounded") => Ok(None),
        Some(n) => n
            .parse()
            .map(Some)
            .map_err(|_| bad_value(el, file, name, n)),
    }
}

/// The value of a required attribute.
pub(super) fn required<'e>(el: &'e Element, file: &str, name: &str) -> Result<&'e str, ReadError> {
    el.attr(name)
        .ok_or_else(|| missing(el, file, &format!("@{name}")))
}

pub(super) fn missing(el: &Element, file: &str, what: &str) -> ReadError {
    ReadError::Missing {
        file: file.to_owned(),
        offset: el.offset,
        element: el.name.clone(),
        missing: what.to_owned(),
    }
}

pub(super) fn bad_value(el: &Element, file: &str, name: &str, value: &str) -> ReadError {
    ReadError::BadValue {
        file: file.to_owned(),
        offset: el.offset,
        element: el.name.clone(),
        name: name.to_owned(),
        value: value.to_owned(),
    }
}

pub(super) fn unexpected(el: &Element, parent: &Element, file: &str) -> ReadError {
    ReadError::Unexpected {
        file: file.to_owned(),
        offset: el.offset,
        element: el.name.clone(),
        parent: parent.name.clone(),
    }
}
