//! XML syntax: bytes to a stream of checked tokens.
//!
//! Stage: load (XML syntax). In: the bytes of one document and its [`XmlLimits`]. Out: [`Token`]s in
//! document order (element starts with their unprefixed attributes, text with references resolved,
//! ends), each with its byte offset in the input. Knows nothing of OSCAL but its namespace; what an
//! element means is `de.rs`'s job.
//!
//! This is where hostile bytes stop (ARCHITECTURE.md, Security rules): only UTF-8 (a BOM is skipped), no DTD
//! declarations, no entity but the five predefined and character references, nesting and size
//! capped. Nothing is ever expanded or fetched. quick-xml does the lexing in one pass; its tag
//! stack is a `Vec`, so depth costs no stack here. Namespace declarations are taken from the same
//! pass over a start tag's attributes that gives its flags (quick-xml's namespace reader would
//! parse every tag's attributes a second time), with the same errors in the same order.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::escape::{EscapeError, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, NamespaceResolver, ResolveResult};
use quick_xml::reader::Reader;

use super::{XmlError, XmlLimits, is_xml_space};

/// The OSCAL XML namespace.
pub(crate) const OSCAL_NS: &str = "http://csrc.nist.gov/ns/oscal/1.0";

/// One attribute of an element, namespace declarations and prefixed attributes left out.
#[derive(Debug)]
pub(crate) struct Attr<'a> {
    /// Attribute name (unprefixed).
    pub(crate) name: Cow<'a, str>,
    /// Value, normalized and with references resolved.
    pub(crate) value: Cow<'a, str>,
    /// Byte offset of the attribute name in the input.
    pub(crate) offset: usize,
}

/// One step through the document.
#[derive(Debug)]
pub(crate) enum Token<'a> {
    /// An element starts (an empty element gives `Start` then `End`).
    Start {
        /// Local name (prefix removed).
        name: Cow<'a, str>,
        /// False when the element is not in the OSCAL namespace.
        oscal: bool,
        /// Unprefixed attributes in document order.
        attrs: Vec<Attr<'a>>,
        /// Byte offset of its `<`.
        offset: usize,
    },
    /// Character data (text, CDATA or one resolved reference); may come in several pieces.
    Text {
        /// The characters.
        text: Cow<'a, str>,
        /// Byte offset of the piece.
        offset: usize,
    },
    /// The innermost open element ends.
    End,
}

/// The attributes of a start tag, or its first bad attribute (reported after the other checks).
type Attrs<'a> = Result<Vec<Attr<'a>>, XmlError>;

/// Pull tokenizer over one document.
pub(crate) struct Tokens<'a> {
    input: &'a str,
    /// Bytes skipped before `input` (a BOM), added to every offset.
    base: usize,
    reader: Reader<&'a [u8]>,
    /// Namespace bindings in scope, fed from the one pass over each start tag's attributes.
    ns: NamespaceResolver,
    max_depth: usize,
    /// Name of each open element (how deep the reader is, and the truncation message).
    open: Vec<Cow<'a, str>>,
    seen_root: bool,
    pending_end: bool,
    finished: bool,
    /// Emptied attribute lists handed back by [`Tokens::recycle`], to be filled again.
    spare: Vec<Vec<Attr<'a>>>,
    /// The attribute names of the start tag being read, for the duplicate check; one list
    /// reused for every tag.
    names: Vec<Cow<'a, str>>,
}

impl<'a> Tokens<'a> {
    /// Checks encoding and size, then prepares to tokenize `bytes`.
    pub(crate) fn new(bytes: &'a [u8], limits: &XmlLimits) -> Result<Tokens<'a>, XmlError> {
        if bytes.len() > limits.max_bytes {
            return Err(XmlError::new(
                "load-limit",
                format!(
                    "document is {} bytes, more than the limit of {}",
                    bytes.len(),
                    limits.max_bytes
                ),
                limits.max_bytes,
            ));
        }
        if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE]) {
            return Err(XmlError::new(
                "load-encoding",
                "document is UTF-16; only UTF-8 is read".to_owned(),
                0,
            ));
        }
        let (base, body) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
            Some(rest) => (3, rest),
            None => (0, bytes),
        };
        let input = std::str::from_utf8(body).map_err(|e| {
            XmlError::new(
                "load-encoding",
                "document is not valid UTF-8".to_owned(),
                base + e.valid_up_to(),
            )
        })?;
        if is_xml_space(input) {
            return Err(XmlError::new(
                "load-xml-syntax",
                "document is empty".to_owned(),
                base + input.len(),
            ));
        }
        Ok(Tokens {
            input,
            base,
            reader: Reader::from_str(input),
            ns: NamespaceResolver::default(),
            max_depth: limits.max_depth,
            open: Vec::new(),
            seen_root: false,
            pending_end: false,
            finished: false,
            spare: Vec::new(),
            names: Vec::new(),
        })
    }

    /// The next token, `None` after the root element has ended and only trailing
    /// comments, processing instructions and whitespace were left.
    pub(crate) fn next_token(&mut self) -> Result<Option<Token<'a>>, XmlError> {
        if self.pending_end {
            self.pending_end = false;
            return Ok(Some(self.close()));
        }
        loop {
            if self.finished {
                return Ok(None);
            }
            let before = self.position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.syntax(&e)),
            };
            match event {
                Event::Start(e) => return self.start(&e, before).map(Some),
                Event::Empty(e) => {
                    let token = self.start(&e, before)?;
                    self.pending_end = true;
                    return Ok(Some(token));
                }
                Event::End(_) => return Ok(Some(self.close())),
                Event::Text(t) => {
                    if let Some(token) = self.text(t.xml10_content(), before)? {
                        return Ok(Some(token));
                    }
                }
                Event::CData(t) => {
                    if let Some(token) = self.text(t.xml10_content(), before)? {
                        return Ok(Some(token));
                    }
                }
                Event::GeneralRef(r) => {
                    let text = resolve_reference(&r, self.base + before)?;
                    if let Some(token) = self.text(Cow::Owned(text), before)? {
                        return Ok(Some(token));
                    }
                }
                Event::Decl(d) => check_declaration(&d, self.base + before)?,
                Event::DocType(d) => check_doctype(&d, self.base + before)?,
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return self.eof(),
            }
        }
    }

    fn position(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    fn start(&mut self, e: &BytesStart<'a>, at: usize) -> Result<Token<'a>, XmlError> {
        let offset = self.base + at;
        // Namespace errors come first, as quick-xml's namespace reader raises them when it reads
        // the tag; attribute errors wait for the checks below.
        let attrs = self.attributes(e, offset)?;
        let (resolved, local) = self.ns.resolve_element(e.name());
        let oscal = matches!(resolved, ResolveResult::Bound(ns) if ns.as_ref() == OSCAL_NS);
        let name = self.borrow_in(local.as_ref());
        if self.seen_root && self.open.is_empty() {
            return Err(XmlError::new(
                "load-xml-syntax",
                "content after the root element".to_owned(),
                offset,
            ));
        }
        self.seen_root = true;
        if self.open.len() >= self.max_depth {
            return Err(XmlError::new(
                "load-limit",
                format!("elements nested deeper than {}", self.max_depth),
                offset,
            ));
        }
        self.open.push(name.clone());
        Ok(Token::Start {
            name,
            oscal,
            attrs: attrs?,
            offset,
        })
    }

    /// Takes back the attribute list of a start token once it has been read, so that the next
    /// element's attributes reuse its memory instead of allocating.
    pub(crate) fn recycle(&mut self, mut attrs: Vec<Attr<'a>>) {
        attrs.clear();
        // A handful suffices: a reader hands each list back before it opens the next element.
        if attrs.capacity() > 0 && self.spare.len() < 8 {
            self.spare.push(attrs);
        }
    }

    /// One pass over the attributes of a start tag: opens its namespace scope with the
    /// declarations, and gives the unprefixed attributes. The outer error is a namespace error;
    /// the inner one the first bad attribute.
    fn attributes(&mut self, e: &BytesStart<'a>, offset: usize) -> Result<Attrs<'a>, XmlError> {
        let level = self.ns.level();
        let Some(inner) = level.checked_add(1) else {
            return Err(
                self.namespace(quick_xml::name::NamespaceError::TooDeeplyNested(
                    u16::MAX as usize,
                )),
            );
        };
        self.ns.set_level(inner);
        let mut attrs = Vec::new();
        // quick-xml's own duplicate check allocates a list of names for every tag with two
        // attributes or more; this pass keeps them in one reused list instead, and on anything
        // amiss lets the checked pass find the error, so the error is quick-xml's.
        let mut names = std::mem::take(&mut self.names);
        names.clear();
        let mut unchecked = e.attributes();
        unchecked.with_checks(false);
        for attr in unchecked {
            let Ok(attr) = attr else {
                return self.checked_error(e, level, offset);
            };
            let key: &str = attr.key.as_ref();
            let name = self.borrow_in(key);
            if names.contains(&name) {
                return self.checked_error(e, level, offset);
            }
            names.push(name.clone());
            if let Some(prefix) = attr.key.as_namespace_binding() {
                if let Err(err) = self.ns.add(prefix, Namespace(&attr.value)) {
                    return Err(self.namespace(err));
                }
                continue;
            }
            // Qualified attributes (`xsi:`, `xml:`) are not OSCAL flags.
            if key.as_bytes().contains(&b':') {
                continue;
            }
            let at = self.offset_of(key).unwrap_or(offset);
            let value = match attr.normalized_value(XmlVersion::Implicit1_0) {
                Ok(v) => self.borrow_in_cow(v),
                Err(err) => {
                    let err = quick_error(&err, at);
                    return self.attribute_error(e, level, err);
                }
            };
            if attrs.capacity() == 0
                && let Some(spare) = self.spare.pop()
            {
                attrs = spare;
            }
            attrs.push(Attr {
                name,
                value,
                offset: at,
            });
        }
        self.names = names;
        Ok(Ok(attrs))
    }

    /// The first error of quick-xml's checked pass over the attributes (a duplicate name or a
    /// malformed attribute), found again when the unchecked pass met one.
    fn checked_error(
        &mut self,
        e: &BytesStart<'a>,
        level: u16,
        offset: usize,
    ) -> Result<Attrs<'a>, XmlError> {
        let message = match e.attributes().find_map(Result::err) {
            Some(err) => format!("bad attribute: {err}"),
            None => "bad attribute".to_owned(),
        };
        let err = XmlError::new("load-xml-syntax", message, offset);
        self.attribute_error(e, level, err)
    }

    /// A bad attribute stopped the pass: the namespace scope is opened again the way
    /// quick-xml's namespace reader opens it (every declaration up to the first malformed
    /// attribute), so that a namespace error among them still wins.
    fn attribute_error(
        &mut self,
        e: &BytesStart<'a>,
        level: u16,
        err: XmlError,
    ) -> Result<Attrs<'a>, XmlError> {
        self.ns.set_level(level);
        match self.ns.push(e) {
            Ok(()) => Ok(Err(err)),
            Err(ns) => Err(self.namespace(ns)),
        }
    }

    fn namespace(&self, e: quick_xml::name::NamespaceError) -> XmlError {
        self.syntax(&quick_xml::Error::Namespace(e))
    }

    fn close(&mut self) -> Token<'a> {
        self.ns.pop();
        self.open.pop();
        Token::End
    }

    fn text(&mut self, text: Cow<'a, str>, at: usize) -> Result<Option<Token<'a>>, XmlError> {
        if !self.open.is_empty() {
            let text = self.borrow_in_cow(text);
            return Ok(Some(Token::Text {
                text,
                offset: self.base + at,
            }));
        }
        if is_xml_space(&text) {
            return Ok(None);
        }
        let what = if self.seen_root { "after" } else { "before" };
        Err(XmlError::new(
            "load-xml-syntax",
            format!("text {what} the root element"),
            self.base + at,
        ))
    }

    fn eof(&mut self) -> Result<Option<Token<'a>>, XmlError> {
        let end = self.base + self.input.len();
        if let Some(name) = self.open.last() {
            return Err(XmlError::new(
                "load-xml-syntax",
                format!("document ends inside element `{name}`"),
                end,
            ));
        }
        if !self.seen_root {
            return Err(XmlError::new(
                "load-xml-syntax",
                "document has no root element".to_owned(),
                end,
            ));
        }
        self.finished = true;
        Ok(None)
    }

    fn syntax(&self, e: &quick_xml::Error) -> XmlError {
        let at = usize::try_from(self.reader.error_position()).unwrap_or(0);
        quick_error(e, self.base + at)
    }

    /// Byte offset of `part` in the whole input, when it is a slice of it.
    fn offset_of(&self, part: &str) -> Option<usize> {
        let start = (part.as_ptr() as usize).checked_sub(self.input.as_ptr() as usize)?;
        (start + part.len() <= self.input.len()).then_some(self.base + start)
    }

    /// `part` with the input's lifetime: a re-slice when it lies in the input, else a copy.
    fn borrow_in(&self, part: &str) -> Cow<'a, str> {
        let slice = self.offset_of(part).and_then(|at| {
            let start = at - self.base;
            self.input.get(start..start + part.len())
        });
        match slice {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(part.to_owned()),
        }
    }

    fn borrow_in_cow(&self, text: Cow<'_, str>) -> Cow<'a, str> {
        match text {
            Cow::Borrowed(s) => self.borrow_in(s),
            Cow::Owned(s) => Cow::Owned(s),
        }
    }
}

/// The text of a reference: one of the five predefined entities or a character reference.
fn resolve_reference(
    r: &quick_xml::events::BytesRef<'_>,
    offset: usize,
) -> Result<String, XmlError> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => return Ok(c.to_string()),
        Ok(None) => {}
        Err(e) => {
            return Err(XmlError::new(
                "load-xml-syntax",
                format!("bad character reference: {e}"),
                offset,
            ));
        }
    }
    let name: &str = r;
    match resolve_predefined_entity(name) {
        Some(text) => Ok(text.to_owned()),
        None => Err(entity_error(name, offset)),
    }
}

fn entity_error(name: &str, offset: usize) -> XmlError {
    XmlError::new(
        "load-xml-entity",
        format!(
            "entity reference `&{name};` is not expanded: only the predefined entities and character references are allowed"
        ),
        offset,
    )
}

fn quick_error(e: &quick_xml::Error, offset: usize) -> XmlError {
    match e {
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
            entity_error(name, offset)
        }
        _ => XmlError::new("load-xml-syntax", e.to_string(), offset),
    }
}

fn check_declaration(d: &quick_xml::events::BytesDecl<'_>, offset: usize) -> Result<(), XmlError> {
    let Some(encoding) = d.encoding() else {
        return Ok(());
    };
    let encoding = encoding.map_err(|e| {
        XmlError::new(
            "load-xml-syntax",
            format!("bad XML declaration: {e}"),
            offset,
        )
    })?;
    if encoding.eq_ignore_ascii_case("utf-8") {
        Ok(())
    } else {
        Err(XmlError::new(
            "load-encoding",
            format!("document declares encoding `{encoding}`; only UTF-8 is read"),
            offset,
        ))
    }
}

/// A bare `<!DOCTYPE catalog>` is harmless; anything more could declare entities or defaults.
fn check_doctype(d: &quick_xml::events::BytesText<'_>, offset: usize) -> Result<(), XmlError> {
    let body: &str = d;
    let bare = body
        .trim()
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if bare {
        Ok(())
    } else {
        Err(XmlError::new(
            "load-xml-dtd",
            "document type declaration with an internal subset or external DTD is refused"
                .to_owned(),
            offset,
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::xml::{XmlLimits, read};

    #[test]
    fn utf8_bom_is_skipped_and_offsets_count_it() {
        let mut doc = b"\xef\xbb\xbf".to_vec();
        doc.extend_from_slice(
            format!(
                r#"<catalog xmlns="{}" uuid="u"></catalog>"#,
                super::OSCAL_NS
            )
            .as_bytes(),
        );
        read(&doc, &XmlLimits::default()).expect("reads");
        let root = crate::source::pointer::PointerHash::of("/catalog");
        let index = crate::xml::positions(&doc);
        assert_eq!(index.iter().find(|(h, _)| *h == root), Some(&(root, 3)));
    }
}
