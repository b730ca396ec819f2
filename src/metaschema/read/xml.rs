//! XML for the Metaschema readers: the bytes of one file to a small element tree.
//!
//! Stage: read (syntax). In: the text of a Metaschema module, an entity file or a
//! `metaschema-meta-constraints` document, and what may be expanded ([`Entities`]). Out: the root
//! [`Element`], each element with its local name, whether it is in the Metaschema namespace, its
//! unprefixed attributes, its content and its byte offset. What an element means is `module.rs`'s
//! and `meta.rs`'s job.
//!
//! Bounded for untrusted input: nesting depth and the number of nodes built (entity expansions
//! included) are capped; only the five predefined entities and character references are resolved,
//! except the external entities a module's internal subset declares, which the caller expands
//! (from files its resolver gives, never the filesystem).

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use super::ReadError;

/// The Metaschema namespace (modules and meta-constraints alike).
pub(super) const METASCHEMA_NS: &str = "http://csrc.nist.gov/ns/oscal/metaschema/1.0";

/// Deepest element nesting accepted (Metaschema modules nest about 15 deep).
pub(super) const MAX_DEPTH: usize = 128;

/// Most nodes one file may build, entity expansions included.
pub(super) const MAX_NODES: usize = 1_000_000;

/// One element.
#[derive(Debug, Clone)]
pub(super) struct Element {
    /// Local name (prefix removed).
    pub(super) name: String,
    /// Whether it is in the Metaschema namespace (examples and foreign markup are not).
    pub(super) meta: bool,
    /// Unprefixed attributes, in document order.
    pub(super) attrs: Vec<(String, String)>,
    /// Content, in document order.
    pub(super) content: Vec<Item>,
    /// Byte offset of its `<` in the file (for an expanded entity, of the reference).
    pub(super) offset: usize,
}

/// A piece of content.
#[derive(Debug, Clone)]
pub(super) enum Item {
    /// A child element.
    Element(Element),
    /// Character data.
    Text(String),
}

impl Element {
    /// The value of attribute `name`.
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements in the Metaschema namespace, in order.
    pub(super) fn children(&self) -> impl Iterator<Item = &Element> {
        self.content.iter().filter_map(|item| match item {
            Item::Element(e) if e.meta => Some(e),
            _ => None,
        })
    }

    /// The first child element named `name`.
    pub(super) fn child(&self, name: &str) -> Option<&Element> {
        self.children().find(|e| e.name == name)
    }

    /// All the text inside, markup dropped and white space collapsed to single spaces.
    pub(super) fn plain_text(&self) -> String {
        let mut raw = String::new();
        self.collect_text(&mut raw);
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn collect_text(&self, into: &mut String) {
        for item in &self.content {
            match item {
                Item::Text(t) => into.push_str(t),
                // Inline markup (`<code>`, `<a>`) separates no words; block markup (`<p>`)
                // is surrounded by white space in every module.
                Item::Element(e) => e.collect_text(into),
            }
        }
    }
}

/// Expands an external entity: its system id and the offset of the reference to its items.
pub(super) type Expand<'a> = dyn FnMut(&str, usize) -> Result<Vec<Item>, ReadError> + 'a;

/// What a file may expand.
pub(super) enum Entities<'a> {
    /// Nothing but the predefined entities and character references; any DOCTYPE with an
    /// internal subset or an external id is refused (untrusted input).
    None,
    /// A module: its internal subset may declare external parsed entities (`<!ENTITY name
    /// SYSTEM "file">`, nothing else), each expanded by this callback from its system id.
    External(&'a mut Expand<'a>),
}

/// Parses `text` (of `file`) into its root element.
pub(super) fn parse(text: &str, file: &str, entities: Entities<'_>) -> Result<Element, ReadError> {
    let mut parser = Parser {
        file,
        reader: NsReader::from_str(text),
        entities,
        declared: Vec::new(),
        stack: Vec::new(),
        root: None,
        nodes: 0,
    };
    parser.run()?;
    parser.root.ok_or_else(|| ReadError::Xml {
        file: file.to_owned(),
        offset: text.len(),
        message: "no root element".to_owned(),
    })
}

/// Parses an entity's replacement text (one or more elements and text) into items.
pub(super) fn parse_fragment(text: &str, file: &str) -> Result<Vec<Item>, ReadError> {
    // Wrapped so the fragment has one root; offsets are shifted back by the wrapper's length.
    let wrapped = format!("<x>{text}</x>");
    let root =
        parse(&wrapped, file, Entities::None).map_err(|e| e.map_offset(|o| o.saturating_sub(3)))?;
    Ok(root.content)
}

struct Parser<'a, 'e> {
    file: &'a str,
    reader: NsReader<&'a [u8]>,
    entities: Entities<'e>,
    /// (name, system id) of the external entities the internal subset declares.
    declared: Vec<(String, String)>,
    stack: Vec<Element>,
    root: Option<Element>,
    nodes: usize,
}

impl Parser<'_, '_> {
    fn run(&mut self) -> Result<(), ReadError> {
        loop {
            let at = self.position();
            let (ns, event) = match self.reader.read_resolved_event() {
                Ok((ns, event)) => (namespace_of(&ns), event),
                Err(e) => return Err(self.error(at, e.to_string())),
            };
            match event {
                Event::Start(e) => {
                    let element = self.start(&e, ns, at)?;
                    self.stack.push(element);
                }
                Event::Empty(e) => {
                    let element = self.start(&e, ns, at)?;
                    self.close(element);
                }
                Event::End(_) => {
                    let Some(element) = self.stack.pop() else {
                        return Err(self.error(at, "end tag without a start".to_owned()));
                    };
                    self.close(element);
                }
                Event::Text(t) => self.text(t.xml10_content().into_owned(), at)?,
                Event::CData(t) => self.text(t.xml10_content().into_owned(), at)?,
                Event::GeneralRef(r) => self.reference(&r, at)?,
                Event::DocType(d) => self.doctype(&d, at)?,
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => {
                    if self.stack.is_empty() {
                        return Ok(());
                    }
                    return Err(self.error(at, "document ends inside an element".to_owned()));
                }
            }
        }
    }

    fn position(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    fn error(&self, offset: usize, message: String) -> ReadError {
        ReadError::Xml {
            file: self.file.to_owned(),
            offset,
            message,
        }
    }

    fn count(&mut self, n: usize, at: usize) -> Result<(), ReadError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(ReadError::TooLarge {
                file: self.file.to_owned(),
                offset: at,
                limit: MAX_NODES,
                what: "nodes",
            });
        }
        Ok(())
    }

    fn start(&mut self, e: &BytesStart<'_>, meta: bool, at: usize) -> Result<Element, ReadError> {
        if self.root.is_some() {
            return Err(self.error(at, "content after the root element".to_owned()));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(ReadError::TooDeep {
                file: self.file.to_owned(),
                offset: at,
                limit: MAX_DEPTH,
            });
        }
        self.count(1, at)?;
        let mut attrs = Vec::new();
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.error(at, err.to_string()))?;
            let key: &str = attr.key.as_ref();
            // Namespace declarations and qualified attributes (`xsi:`) are not data.
            if key == "xmlns" || key.contains(':') {
                continue;
            }
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| self.error(at, err.to_string()))?;
            attrs.push((key.to_owned(), value.into_owned()));
        }
        let local = e.local_name();
        Ok(Element {
            name: AsRef::<str>::as_ref(&local).to_owned(),
            meta,
            attrs,
            content: Vec::new(),
            offset: at,
        })
    }

    fn close(&mut self, element: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.content.push(Item::Element(element)),
            None => self.root = Some(element),
        }
    }

    fn text(&mut self, text: String, at: usize) -> Result<(), ReadError> {
        match self.stack.last_mut() {
            Some(parent) => {
                parent.content.push(Item::Text(text));
                self.count(1, at)
            }
            None if text.trim().is_empty() => Ok(()),
            None => Err(self.error(at, "text outside the root element".to_owned())),
        }
    }

    fn reference(&mut self, r: &BytesRef<'_>, at: usize) -> Result<(), ReadError> {
        match r.resolve_char_ref() {
            Ok(Some(c)) => return self.text(c.to_string(), at),
            Ok(None) => {}
            Err(e) => return Err(self.error(at, format!("bad character reference: {e}"))),
        }
        let name: &str = r;
        if let Some(text) = resolve_predefined_entity(name) {
            return self.text(text.to_owned(), at);
        }
        let system = self
            .declared
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone());
        let (Some(system), Entities::External(expand)) = (system, &mut self.entities) else {
            return Err(ReadError::Entity {
                file: self.file.to_owned(),
                offset: at,
                name: name.to_owned(),
            });
        };
        let items = expand(&system, at)?;
        let size = items.iter().map(node_count).sum();
        self.count(size, at)?;
        let Some(parent) = self.stack.last_mut() else {
            return Err(self.error(at, "entity reference outside the root element".to_owned()));
        };
        parent
            .content
            .extend(items.into_iter().map(|item| at_offset(item, at)));
        Ok(())
    }

    fn doctype(&mut self, d: &str, at: usize) -> Result<(), ReadError> {
        let body = d;
        let refused = || ReadError::Doctype {
            file: self.file.to_owned(),
            offset: at,
        };
        let Some((_, subset)) = body.split_once('[') else {
            // A bare `<!DOCTYPE name>` declares nothing; an external DTD is never read.
            return if body.trim().chars().all(|c| !c.is_whitespace()) {
                Ok(())
            } else {
                Err(refused())
            };
        };
        if matches!(self.entities, Entities::None) {
            return Err(refused());
        }
        self.declared =
            external_entities(subset.trim_end().trim_end_matches(']')).ok_or_else(refused)?;
        Ok(())
    }
}

/// The `<!ENTITY name SYSTEM "id">` declarations of an internal subset; `None` when it holds
/// anything else (a parameter entity, an internal entity, an attribute default, ...).
fn external_entities(subset: &str) -> Option<Vec<(String, String)>> {
    let mut found = Vec::new();
    let mut rest = subset.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let (_, tail) = after.split_once("-->")?;
            rest = tail.trim_start();
            continue;
        }
        let decl = rest.strip_prefix("<!ENTITY")?;
        let (decl, tail) = decl.split_once('>')?;
        let words: Vec<&str> = decl.split_whitespace().collect();
        let [name, "SYSTEM", system] = words.as_slice() else {
            return None;
        };
        let system = system
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .or_else(|| system.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))?;
        if name.starts_with('%') {
            return None;
        }
        found.push(((*name).to_owned(), system.to_owned()));
        rest = tail.trim_start();
    }
    Some(found)
}

fn namespace_of(ns: &ResolveResult<'_>) -> bool {
    matches!(ns, ResolveResult::Bound(Namespace(uri)) if **uri == *METASCHEMA_NS)
}

fn node_count(item: &Item) -> usize {
    match item {
        Item::Text(_) => 1,
        Item::Element(e) => 1 + e.content.iter().map(node_count).sum::<usize>(),
    }
}

/// An expanded entity's items are located at the reference that expanded them.
fn at_offset(item: Item, at: usize) -> Item {
    match item {
        Item::Text(t) => Item::Text(t),
        Item::Element(mut e) => {
            e.offset = at;
            e.content = e.content.into_iter().map(|i| at_offset(i, at)).collect();
            Item::Element(e)
        }
    }
}
