//! XML tokens to the JSON form.
//!
//! Stage: load (XML shape). In: the [`Token`]s of one document. Out: [`XmlRead`]: the value under
//! the root key with keys in schema order, and a JSON pointer → byte offset for every element and
//! attribute. Names, arrays and kinds come from the binding table; markup is kept as an XML
//! fragment (`{"$xml": …}`). Datatypes are not checked here (a bad uuid stays a string).
//!
//! One pass, no recursion: an explicit stack of open frames, one per open element.

use serde_json::{Map, Value};

use super::binding::{self, BLOCK_ELEMENTS, Child, Content, Def, MARKUP_ELEMENTS, Scalar, Shape};
use super::dom::{Attr, Token, Tokens};
use super::{XmlError, XmlLimits, XmlRead, escape_into};

/// Reads an OSCAL XML catalog or profile into its JSON form.
///
/// Never panics and never expands or fetches anything; see [`XmlError`] for the codes.
///
/// ```
/// use oscalc::xml::{read, XmlLimits};
///
/// let doc = br#"<!DOCTYPE profile [<!ENTITY x SYSTEM "file:///etc/passwd">]><profile/>"#;
/// let err = read(doc, &XmlLimits::default()).unwrap_err();
/// assert_eq!(err.code, "load-xml-dtd");
/// ```
pub fn read(bytes: &[u8], limits: &XmlLimits) -> Result<XmlRead, XmlError> {
    let mut tokens = Tokens::new(bytes, limits)?;
    let mut reader = Reader::default();
    while let Some(token) = tokens.next_token()? {
        match token {
            Token::Start {
                name,
                oscal,
                attrs,
                offset,
            } => reader.start(&name, oscal, &attrs, offset)?,
            Token::Text { text, offset } => reader.text(&text, offset)?,
            Token::End => reader.end()?,
        }
    }
    let (root, value) = reader.done.ok_or_else(|| {
        XmlError::new(
            "load-xml-syntax",
            "document has no root element".to_owned(),
            0,
        )
    })?;
    Ok(XmlRead {
        root,
        value,
        positions: reader.positions,
    })
}

/// What a child slot of an open assembly holds so far.
#[derive(Debug, Default)]
enum Slot {
    #[default]
    Unset,
    One(Value),
    Many(Vec<Value>),
    Prose(String),
}

/// An open element that maps to a JSON value through the binding.
#[derive(Debug)]
struct Node {
    def: &'static Def,
    name: &'static str,
    pointer: String,
    /// Index of this node's slot in its parent.
    slot: usize,
    flags: Vec<Option<String>>,
    /// Attributes the binding does not know, kept as strings.
    extra: Vec<(String, String)>,
    slots: Vec<Slot>,
    text: String,
}

/// An open markup element, or one block element of unwrapped prose, being serialized.
#[derive(Debug)]
struct Markup {
    slot: usize,
    buf: String,
    /// Elements open inside the markup (for unwrapped prose, the block itself first).
    open: Vec<&'static str>,
    multiline: bool,
    unwrapped: bool,
    /// Top-level text of multiline markup, kept only if it is not whitespace.
    pending: String,
    /// The last thing written was a start tag (so an immediate end becomes `/>`).
    open_tag: bool,
}

#[derive(Debug)]
enum Frame {
    Node(Node),
    /// A grouping wrapper such as `revisions`, holding `item` elements.
    Group {
        name: &'static str,
        item: &'static str,
        def: &'static Def,
        pointer: String,
        slot: usize,
        items: Vec<Value>,
    },
    Markup(Markup),
}

#[derive(Debug, Default)]
struct Reader {
    stack: Vec<Frame>,
    positions: Vec<(String, u32)>,
    root: &'static str,
    done: Option<(&'static str, Value)>,
}

fn shape(message: String, offset: usize) -> XmlError {
    XmlError::new("load-xml-shape", message, offset)
}

fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

impl Reader {
    fn start(
        &mut self,
        name: &str,
        oscal: bool,
        attrs: &[Attr<'_>],
        offset: usize,
    ) -> Result<(), XmlError> {
        if let Some(Frame::Markup(m)) = self.stack.last_mut() {
            return markup_start(m, name, oscal, attrs, offset);
        }
        let parent = match self.stack.last() {
            Some(Frame::Node(node)) => node.name,
            Some(Frame::Group { name, .. }) => name,
            Some(Frame::Markup(_)) | None => "",
        };
        if !oscal {
            return Err(self.foreign(name, parent, offset));
        }
        match self.stack.last_mut() {
            None => self.root(name, attrs, offset),
            Some(Frame::Group {
                name: group,
                item,
                def,
                pointer,
                items,
                ..
            }) => {
                if name != *item {
                    return Err(shape(
                        format!("element `{name}` is not allowed in `{group}`"),
                        offset,
                    ));
                }
                let pointer = format!("{pointer}/{}", items.len());
                let (def, item) = (*def, *item);
                self.open_node(def, item, pointer, 0, attrs, offset)
            }
            Some(Frame::Node(node)) => {
                let (index, child) = child_for(node, name, offset)?;
                self.open_child(index, child, name, attrs, offset)
            }
            Some(Frame::Markup(_)) => Ok(()),
        }
    }

    fn foreign(&self, name: &str, parent: &str, offset: usize) -> XmlError {
        if self.stack.is_empty() {
            XmlError::new(
                "load-xml-namespace",
                format!(
                    "root element `{name}` is not in the OSCAL namespace `{}`",
                    super::dom::OSCAL_NS
                ),
                offset,
            )
        } else {
            shape(
                format!("element `{name}` in `{parent}` is not in the OSCAL namespace"),
                offset,
            )
        }
    }

    fn root(&mut self, name: &str, attrs: &[Attr<'_>], offset: usize) -> Result<(), XmlError> {
        let Some((root, def)) = binding::root(name) else {
            return Err(shape(
                format!("root element `{name}` is not `catalog` or `profile`"),
                offset,
            ));
        };
        self.root = root;
        self.open_node(def, root, format!("/{root}"), 0, attrs, offset)
    }

    /// Opens the child `child` (slot `index` of the node on top of the stack).
    fn open_child(
        &mut self,
        index: usize,
        child: &'static Child,
        name: &str,
        attrs: &[Attr<'_>],
        offset: usize,
    ) -> Result<(), XmlError> {
        let Some(Frame::Node(node)) = self.stack.last_mut() else {
            return Ok(());
        };
        let slot = node.slots.get(index);
        let pointer = match (child.shape, slot) {
            (Shape::One | Shape::Grouped(_), Some(Slot::Unset)) => {
                format!("{}/{}", node.pointer, child.json)
            }
            (Shape::One | Shape::Grouped(_), _) => {
                return Err(shape(
                    format!("element `{name}` occurs more than once in `{}`", node.name),
                    offset,
                ));
            }
            (Shape::Many, Some(Slot::Many(items))) => {
                format!("{}/{}/{}", node.pointer, child.json, items.len())
            }
            (Shape::Many, _) => format!("{}/{}/0", node.pointer, child.json),
            (Shape::Unwrapped, _) => return self.open_prose(index, name, attrs, offset),
        };
        match child.shape {
            Shape::Grouped(item) => {
                no_attributes(child.xml, attrs)?;
                self.positions.push((pointer.clone(), offset32(offset)));
                self.stack.push(Frame::Group {
                    name: child.xml,
                    item,
                    def: child.def,
                    pointer,
                    slot: index,
                    items: Vec::new(),
                });
                Ok(())
            }
            _ => self.open_node(child.def, child.xml, pointer, index, attrs, offset),
        }
    }

    /// Starts one block element of the unwrapped prose held in slot `index`.
    fn open_prose(
        &mut self,
        index: usize,
        name: &str,
        attrs: &[Attr<'_>],
        offset: usize,
    ) -> Result<(), XmlError> {
        let Some(Frame::Node(node)) = self.stack.last() else {
            return Ok(());
        };
        if !matches!(node.slots.get(index), Some(Slot::Prose(_))) {
            self.positions
                .push((format!("{}/prose", node.pointer), offset32(offset)));
        }
        let mut m = Markup {
            slot: index,
            buf: String::new(),
            open: Vec::new(),
            multiline: true,
            unwrapped: true,
            pending: String::new(),
            open_tag: false,
        };
        markup_start(&mut m, name, true, attrs, offset)?;
        self.stack.push(Frame::Markup(m));
        Ok(())
    }

    fn open_node(
        &mut self,
        def: &'static Def,
        name: &'static str,
        pointer: String,
        slot: usize,
        attrs: &[Attr<'_>],
        offset: usize,
    ) -> Result<(), XmlError> {
        self.positions.push((pointer.clone(), offset32(offset)));
        if matches!(def.content, Content::MarkupLine | Content::MarkupMultiline) {
            no_attributes(name, attrs)?;
            self.stack.push(Frame::Markup(Markup {
                slot,
                buf: String::new(),
                open: Vec::new(),
                multiline: matches!(def.content, Content::MarkupMultiline),
                unwrapped: false,
                pending: String::new(),
                open_tag: false,
            }));
            return Ok(());
        }
        if def.is_scalar() {
            no_attributes(name, attrs)?;
        }
        let mut node = Node {
            def,
            name,
            pointer,
            slot,
            flags: vec![None; def.flags.len()],
            extra: Vec::new(),
            slots: def.children().iter().map(|_| Slot::Unset).collect(),
            text: String::new(),
        };
        for attr in attrs {
            let key: &str = &attr.name;
            self.positions
                .push((format!("{}/{key}", node.pointer), offset32(attr.offset)));
            match def.flags.iter().position(|f| *f == key) {
                Some(i) => {
                    if let Some(flag) = node.flags.get_mut(i) {
                        *flag = Some(attr.value.clone().into_owned());
                    }
                }
                None => node
                    .extra
                    .push((key.to_owned(), attr.value.clone().into_owned())),
            }
        }
        self.stack.push(Frame::Node(node));
        Ok(())
    }

    fn text(&mut self, text: &str, offset: usize) -> Result<(), XmlError> {
        match self.stack.last_mut() {
            Some(Frame::Markup(m)) => {
                markup_text(m, text);
                Ok(())
            }
            Some(Frame::Node(node)) if matches!(node.def.content, Content::Text { .. }) => {
                node.text.push_str(text);
                Ok(())
            }
            Some(Frame::Node(Node { name, .. }) | Frame::Group { name, .. }) => {
                if text.trim().is_empty() {
                    Ok(())
                } else {
                    Err(shape(format!("text is not allowed in `{name}`"), offset))
                }
            }
            None => Ok(()),
        }
    }

    fn end(&mut self) -> Result<(), XmlError> {
        if let Some(Frame::Markup(m)) = self.stack.last_mut()
            && !m.open.is_empty()
        {
            markup_end(m);
            // A block of unwrapped prose is done when its own element closes.
            if !(m.unwrapped && m.open.is_empty()) {
                return Ok(());
            }
        }
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        match frame {
            Frame::Node(node) => {
                let slot = node.slot;
                let value = finish_node(node);
                self.deliver(slot, value);
            }
            Frame::Group { slot, items, .. } => self.deliver_group(slot, items),
            Frame::Markup(m) => self.deliver_markup(m),
        }
        Ok(())
    }

    /// Hands a finished child value to its parent (or makes it the document).
    fn deliver(&mut self, slot: usize, value: Value) {
        match self.stack.last_mut() {
            Some(Frame::Node(parent)) => {
                let shape = parent.def.children().get(slot).map(|c| c.shape);
                if let Some(s) = parent.slots.get_mut(slot) {
                    match (shape, s) {
                        (Some(Shape::Many), Slot::Many(items)) => items.push(value),
                        (Some(Shape::Many), s) => *s = Slot::Many(vec![value]),
                        (_, s) => *s = Slot::One(value),
                    }
                }
            }
            Some(Frame::Group { items, .. }) => items.push(value),
            Some(Frame::Markup(_)) => {}
            None => self.done = Some((self.root, value)),
        }
    }

    /// Slot `slot` of the node on top of the stack.
    fn parent_slot(&mut self, slot: usize) -> Option<&mut Slot> {
        match self.stack.last_mut() {
            Some(Frame::Node(parent)) => parent.slots.get_mut(slot),
            _ => None,
        }
    }

    fn deliver_group(&mut self, slot: usize, items: Vec<Value>) {
        if let Some(s) = self.parent_slot(slot) {
            *s = Slot::Many(items);
        }
    }

    fn deliver_markup(&mut self, mut m: Markup) {
        flush_pending(&mut m);
        if !m.unwrapped {
            self.deliver(m.slot, markup_value(m.buf));
            return;
        }
        match self.parent_slot(m.slot) {
            Some(Slot::Prose(prose)) => prose.push_str(&m.buf),
            Some(s) => *s = Slot::Prose(m.buf),
            None => {}
        }
    }
}

/// The child position of `node` that an element `name` fills.
fn child_for(node: &Node, name: &str, offset: usize) -> Result<(usize, &'static Child), XmlError> {
    let children = node.def.children();
    let by_name = children
        .iter()
        .enumerate()
        .find(|(_, c)| c.shape != Shape::Unwrapped && c.xml == name);
    let found = by_name.or_else(|| {
        BLOCK_ELEMENTS
            .contains(&name)
            .then(|| {
                children
                    .iter()
                    .enumerate()
                    .find(|(_, c)| c.shape == Shape::Unwrapped)
            })
            .flatten()
    });
    found.ok_or_else(|| {
        shape(
            format!("element `{name}` is not allowed in `{}`", node.name),
            offset,
        )
    })
}

fn no_attributes(name: &str, attrs: &[Attr<'_>]) -> Result<(), XmlError> {
    match attrs.first() {
        None => Ok(()),
        Some(attr) => Err(shape(
            format!("attribute `{}` is not allowed on `{name}`", attr.name),
            attr.offset,
        )),
    }
}

/// The JSON value of a finished element: flags in schema order, unknown attributes, then children.
fn finish_node(node: Node) -> Value {
    let def = node.def;
    if let Content::Text { scalar, key } = def.content {
        let value = scalar_value(scalar, node.text);
        if def.is_scalar() {
            return value;
        }
        let mut map = flag_map(def, node.flags, node.extra);
        map.insert(key.to_owned(), value);
        return Value::Object(map);
    }
    let mut map = flag_map(def, node.flags, node.extra);
    for (child, slot) in def.children().iter().zip(node.slots) {
        let value = match slot {
            Slot::Unset => continue,
            Slot::One(v) => v,
            Slot::Many(items) => Value::Array(items),
            Slot::Prose(xml) => markup_value(xml),
        };
        map.insert(child.json.to_owned(), value);
    }
    Value::Object(map)
}

fn flag_map(
    def: &Def,
    flags: Vec<Option<String>>,
    extra: Vec<(String, String)>,
) -> Map<String, Value> {
    let mut map = Map::new();
    for (name, value) in def.flags.iter().zip(flags) {
        if let Some(value) = value {
            map.insert((*name).to_owned(), Value::String(value));
        }
    }
    for (name, value) in extra {
        map.insert(name, Value::String(value));
    }
    map
}

/// Typed text; a boolean that is not `true`/`false`/`1`/`0` stays a string so that the typed
/// model reports it, located, as a datatype error.
fn scalar_value(scalar: Scalar, text: String) -> Value {
    match (scalar, text.trim()) {
        (Scalar::Boolean, "true" | "1") => Value::Bool(true),
        (Scalar::Boolean, "false" | "0") => Value::Bool(false),
        _ => Value::String(text),
    }
}

fn markup_value(xml: String) -> Value {
    let mut map = Map::new();
    map.insert("$xml".to_owned(), Value::String(xml));
    Value::Object(map)
}

fn markup_start(
    m: &mut Markup,
    name: &str,
    oscal: bool,
    attrs: &[Attr<'_>],
    offset: usize,
) -> Result<(), XmlError> {
    let known = MARKUP_ELEMENTS.iter().find(|n| **n == name);
    let (Some(name), true) = (known, oscal) else {
        return Err(shape(
            format!("element `{name}` is not allowed in markup"),
            offset,
        ));
    };
    flush_pending(m);
    m.buf.push('<');
    m.buf.push_str(name);
    for attr in attrs {
        m.buf.push(' ');
        m.buf.push_str(&attr.name);
        m.buf.push_str("=\"");
        escape_into(&mut m.buf, &attr.value, true);
        m.buf.push('"');
    }
    m.buf.push('>');
    m.open.push(name);
    m.open_tag = true;
    Ok(())
}

fn markup_text(m: &mut Markup, text: &str) {
    if m.multiline && m.open.is_empty() {
        m.pending.push_str(text);
        return;
    }
    if !text.is_empty() {
        m.open_tag = false;
    }
    escape_into(&mut m.buf, text, false);
}

/// Closes the innermost element inside markup; `<x></x>` is written `<x/>`.
fn markup_end(m: &mut Markup) {
    let Some(name) = m.open.pop() else {
        return;
    };
    if m.open_tag && m.buf.ends_with('>') {
        m.buf.pop();
        m.buf.push_str("/>");
    } else {
        m.buf.push_str("</");
        m.buf.push_str(name);
        m.buf.push('>');
    }
    m.open_tag = false;
}

/// Top-level text of multiline markup is kept only when it is more than whitespace.
fn flush_pending(m: &mut Markup) {
    if m.pending.is_empty() {
        return;
    }
    let pending = std::mem::take(&mut m.pending);
    if !pending.trim().is_empty() {
        escape_into(&mut m.buf, &pending, false);
        m.open_tag = false;
    }
}
