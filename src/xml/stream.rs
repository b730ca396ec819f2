//! Reading content off the checked token stream: field text, markup and unwrapped prose
//! serialized as fragments, and the JSON form of a whole element.
//!
//! Stage: load (XML content). In: the [`Token`]s of one document, each passed through the shape
//! check (`shape.rs`) as it is pulled. Out: text, markup fragments (`{"$xml": …}` in the JSON
//! form, without prefixes or namespace declarations), and [`element_value`]: an element's JSON
//! form, flags in schema order then children in schema order (a child kind in several runs
//! gathered into one array), built with an explicit stack so any nesting the limits allow is
//! read. The serde layer (`de.rs`) drives these for the typed model.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::binding::{Content, Def, Scalar, Shape};
use super::de::{DeError, Element, Path, fail};
use super::dom::{Attr, Token, Tokens};
use super::shape::Check;
use super::{XmlError, XmlLimits, escape_into, is_xml_space};
use crate::model::common::XML_MARKUP_KEY;

/// The token stream with one token of lookahead; every token passes the check once.
pub(super) struct Stream<'a> {
    pub(super) tokens: Tokens<'a>,
    pub(super) peeked: Option<Token<'a>>,
    pub(super) check: Check,
}

impl<'a> Stream<'a> {
    pub(super) fn new(bytes: &'a [u8], limits: &XmlLimits) -> Result<Stream<'a>, XmlError> {
        Ok(Stream {
            tokens: Tokens::new(bytes, limits)?,
            peeked: None,
            check: Check::default(),
        })
    }

    fn pull(&mut self) -> Result<Option<Token<'a>>, DeError> {
        let token = self.tokens.next_token()?;
        if let Some(token) = &token {
            self.check.token(token)?;
        }
        Ok(token)
    }

    pub(super) fn next(&mut self) -> Result<Option<Token<'a>>, DeError> {
        match self.peeked.take() {
            Some(token) => Ok(Some(token)),
            None => self.pull(),
        }
    }

    pub(super) fn peek(&mut self) -> Result<Option<&Token<'a>>, DeError> {
        if self.peeked.is_none() {
            self.peeked = self.pull()?;
        }
        Ok(self.peeked.as_ref())
    }

    /// Reads (and checks) the rest of the document.
    pub(super) fn drain(&mut self) -> Result<(), DeError> {
        while self.next()?.is_some() {}
        Ok(())
    }

    /// Skips whitespace between the children of an assembly (the check refused other text).
    pub(super) fn skip_space(&mut self) -> Result<(), DeError> {
        while let Some(Token::Text { .. }) = self.peek()? {
            self.peeked = None;
        }
        Ok(())
    }

    /// The start of an element, taken from the stream, as the element's deserializer.
    pub(super) fn open<'s>(
        &'s mut self,
        def: &'static Def,
        path: Path<'s>,
    ) -> Result<Element<'s, 'a>, DeError> {
        match self.next()? {
            Some(Token::Start { attrs, .. }) => Ok(Element {
                stream: self,
                def,
                attrs,
                path,
            }),
            _ => fail("expected an element"),
        }
    }

    /// The text of a field up to its end tag.
    pub(super) fn text(&mut self) -> Result<Cow<'a, str>, DeError> {
        let mut text = Cow::Borrowed("");
        loop {
            match self.next()? {
                Some(Token::Text { text: piece, .. }) if text.is_empty() => text = piece,
                Some(Token::Text { text: piece, .. }) => text.to_mut().push_str(&piece),
                Some(Token::End) => return Ok(text),
                _ => return fail("element in a text field"),
            }
        }
    }

    /// The content of a markup element up to its end tag, serialized without prefixes.
    pub(super) fn markup(&mut self, multiline: bool) -> Result<String, DeError> {
        let mut m = Markup {
            multiline,
            ..Markup::default()
        };
        while self.markup_token(&mut m)? {}
        m.flush_pending();
        // The buffer grew by doubling; the fragment lives as long as the model.
        m.buf.shrink_to_fit();
        Ok(m.buf)
    }

    /// Unwrapped prose: the run of block elements that starts at the next token, whitespace
    /// between them dropped. One fragment buffer serves the whole run.
    pub(super) fn prose(&mut self) -> Result<String, DeError> {
        let mut m = Markup {
            multiline: true,
            ..Markup::default()
        };
        loop {
            self.skip_space()?;
            let block = match self.peek()? {
                Some(Token::Start { .. }) => {
                    matches!(self.check.child, Some((_, c)) if c.shape == Shape::Unwrapped)
                }
                _ => false,
            };
            if !block {
                m.buf.shrink_to_fit();
                return Ok(m.buf);
            }
            // The block's start tag opens it; the loop ends with its end tag.
            while self.markup_token(&mut m)? && !m.open.is_empty() {}
        }
    }

    /// One token of markup into `m`; false at an end tag with nothing open in `m` (the end of
    /// the element holding the markup).
    fn markup_token(&mut self, m: &mut Markup) -> Result<bool, DeError> {
        match self.next()? {
            Some(Token::Start { attrs, .. }) => m.start(self.check.open_markup(), &attrs),
            Some(Token::Text { text, .. }) => m.text(&text),
            Some(Token::End) if m.open.is_empty() => return Ok(false),
            Some(Token::End) => m.end(),
            None => return fail("document ends inside markup"),
        }
        Ok(true)
    }
}

/// Markup being serialized: the fragment so far and the elements open in it.
#[derive(Default)]
struct Markup {
    buf: String,
    open: Vec<&'static str>,
    multiline: bool,
    /// Top-level text of multiline markup, kept only if it is not whitespace.
    pending: String,
    /// The last thing written was a start tag (so an immediate end becomes `/>`).
    open_tag: bool,
}

impl Markup {
    /// A start tag; `name` as the check found it among the markup elements.
    fn start(&mut self, name: &'static str, attrs: &[Attr<'_>]) {
        self.flush_pending();
        self.buf.push('<');
        self.buf.push_str(name);
        for attr in attrs {
            self.buf.push(' ');
            self.buf.push_str(&attr.name);
            self.buf.push_str("=\"");
            escape_into(&mut self.buf, &attr.value, true);
            self.buf.push('"');
        }
        self.buf.push('>');
        self.open.push(name);
        self.open_tag = true;
    }

    pub(super) fn text(&mut self, text: &str) {
        if self.multiline && self.open.is_empty() {
            self.pending.push_str(text);
            return;
        }
        if !text.is_empty() {
            self.open_tag = false;
        }
        escape_into(&mut self.buf, text, false);
    }

    /// Closes the innermost element; `<x></x>` is written `<x/>`.
    fn end(&mut self) {
        let Some(name) = self.open.pop() else {
            return;
        };
        if self.open_tag && self.buf.ends_with('>') {
            self.buf.pop();
            self.buf.push_str("/>");
        } else {
            self.buf.push_str("</");
            self.buf.push_str(name);
            self.buf.push('>');
        }
        self.open_tag = false;
    }

    /// Top-level text of multiline markup is kept only when it is more than whitespace.
    fn flush_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        if !is_xml_space(&pending) {
            escape_into(&mut self.buf, &pending, false);
            self.open_tag = false;
        }
    }
}

/// The boolean the text of a boolean field spells; anything but `true`/`false`/`1`/`0` stays a
/// string so that the typed model reports it, located, as a datatype error.
pub(super) fn boolean(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn scalar_value(scalar: Scalar, text: &str) -> Value {
    match scalar {
        Scalar::Boolean if let Some(b) = boolean(text) => Value::Bool(b),
        _ => Value::String(text.to_owned()),
    }
}

pub(super) fn markup_value(xml: String) -> Value {
    let mut map = Map::new();
    map.insert(XML_MARKUP_KEY.to_owned(), Value::String(xml));
    Value::Object(map)
}

/// Attributes in schema order (the flags), then the others in document order.
pub(super) fn schema_order(def: &Def, attrs: &mut [Attr<'_>]) {
    let rank = |a: &Attr<'_>| def.flags.iter().position(|f| *f == a.name);
    if attrs.len() > 1 {
        attrs.sort_by_key(|a| rank(a).unwrap_or(usize::MAX));
    }
}

/// An assembly or empty element being read into its JSON form.
struct Open {
    def: &'static Def,
    map: Map<String, Value>,
    /// What each child position holds so far, in the JSON form.
    slots: Vec<Option<Value>>,
    /// Its child position in the element that holds it.
    slot: usize,
    /// Inside a grouping wrapper: the child position and the items so far.
    group: Option<(usize, Vec<Value>)>,
}

/// The JSON form of an element whose start tag (`def`, `attrs`) has been read, through its end
/// tag. No recursion: an explicit stack of open elements, so that this read takes any nesting
/// the limits allow.
pub(super) fn element_value(
    stream: &mut Stream<'_>,
    def: &'static Def,
    attrs: Vec<Attr<'_>>,
) -> Result<Value, DeError> {
    let mut open = match start_value(stream, def, attrs, 0)? {
        Ok(value) => return Ok(value),
        Err(open) => vec![open],
    };
    while let Some(top) = open.last_mut() {
        stream.skip_space()?;
        match stream.peek()? {
            Some(Token::Start { .. }) => {}
            _ => {
                stream.next()?;
                if let Some((i, items)) = top.group.take() {
                    set_slot(top, i, Value::Array(items));
                    continue;
                }
                let Some(done) = open.pop() else { break };
                let value = finish(done.def, done.map, done.slots);
                match open.last_mut() {
                    Some(parent) => deliver(parent, done.slot, value),
                    None => return Ok(value),
                }
                continue;
            }
        };
        let (i, child) = match (&top.group, stream.check.child) {
            (Some((i, _)), _) => (*i, top.def.children().get(*i)),
            (None, Some((i, child))) => (i, Some(child)),
            (None, None) => return fail("element not allowed here"),
        };
        let Some(child) = child else {
            return fail("element not allowed here");
        };
        match child.shape {
            Shape::Unwrapped => {
                let prose = stream.prose()?;
                let before = top.slots.get_mut(i).and_then(Option::as_mut);
                match before.and_then(|v| v.get_mut(XML_MARKUP_KEY)) {
                    Some(Value::String(before)) => before.push_str(&prose),
                    _ => set_slot(top, i, markup_value(prose)),
                }
            }
            Shape::Grouped(_) if top.group.is_none() => {
                stream.next()?;
                top.group = Some((i, Vec::new()));
            }
            _ => {
                let Some(Token::Start { attrs, .. }) = stream.next()? else {
                    return fail("expected an element");
                };
                match start_value(stream, child.def, attrs, i)? {
                    Ok(value) => deliver(top, i, value),
                    Err(child) => open.push(child),
                }
            }
        }
    }
    fail("element not read to its end")
}

/// A leaf element's value (read through its end tag), or an assembly opened.
fn start_value(
    stream: &mut Stream<'_>,
    def: &'static Def,
    mut attrs: Vec<Attr<'_>>,
    slot: usize,
) -> Result<Result<Value, Open>, DeError> {
    let key = match def.content {
        Content::Markup { multiline } => {
            return Ok(Ok(markup_value(stream.markup(multiline)?)));
        }
        Content::Text { scalar, .. } if def.is_scalar() => {
            return Ok(Ok(scalar_value(scalar, &stream.text()?)));
        }
        Content::Text { scalar, key } => Some((scalar, key)),
        _ => None,
    };
    schema_order(def, &mut attrs);
    let mut map = Map::with_capacity(attrs.len() + def.children().len().min(4));
    for attr in attrs {
        map.insert(
            attr.name.into_owned(),
            Value::String(attr.value.into_owned()),
        );
    }
    if let Some((scalar, key)) = key {
        map.insert(key.to_owned(), scalar_value(scalar, &stream.text()?));
        return Ok(Ok(Value::Object(map)));
    }
    let slots = vec![None; def.children().len()];
    Ok(Err(Open {
        def,
        map,
        slots,
        slot,
        group: None,
    }))
}

fn set_slot(open: &mut Open, i: usize, value: Value) {
    if let Some(slot) = open.slots.get_mut(i) {
        *slot = Some(value);
    }
}

/// A finished child value into child position `i` (or the open group).
fn deliver(open: &mut Open, i: usize, value: Value) {
    if let Some((_, items)) = &mut open.group {
        items.push(value);
        return;
    }
    let many = matches!(open.def.children().get(i), Some(c) if c.shape == Shape::Many);
    match open.slots.get_mut(i) {
        Some(Some(Value::Array(items))) if many => items.push(value),
        Some(slot) if many => *slot = Some(Value::Array(vec![value])),
        Some(slot) => *slot = Some(value),
        None => {}
    }
}

/// The object of an assembly: its flags, then the children in schema order.
fn finish(def: &'static Def, mut map: Map<String, Value>, slots: Vec<Option<Value>>) -> Value {
    for (child, slot) in def.children().iter().zip(slots) {
        if let Some(value) = slot {
            map.insert(child.json.to_owned(), value);
        }
    }
    Value::Object(map)
}
