//! Stage: constraint check (the tree). In: a document's JSON form (`{"catalog": …}`) as a
//! compact [`Json`] (`emit::check_doc` gives it for any input format, leaving markup read from
//! XML as it was read) and the [`Schema`]. Out: a [`Tree`], the
//! document as Metaschema's named nodes (assemblies, fields, flags), which Metapath walks through
//! [`path::Node`](super::path::Node) and which names each node's JSON pointer.
//!
//! Built in one pass over the JSON with an explicit stack (documents can be deep), into one arena:
//! a node's flags and its model children are contiguous ranges of it. JSON keys map to children
//! by the definition's [`Child::json_key`] and [`Group`]; a key the definition does not know is
//! skipped (the schema check reports it), and so is a value of the wrong JSON type. Children are
//! listed in model order, which is the XML order too.

use std::borrow::Cow;
use std::cell::Cell;
use std::ops::Range;

use super::json::{Json, JsonRef, Scalar};
use super::model::{Child, DefId, DefKind, Group, Schema};
use super::path::Node;
use crate::model::common::XML_MARKUP_KEY;

/// Index of a node in its [`Tree`]; the document node is 0.
pub type NodeId = u32;

/// A document as Metaschema's nodes, over a borrowed JSON form and schema.
#[derive(Debug)]
pub struct Tree<'a> {
    schema: &'a Schema,
    slots: Vec<Slot<'a>>,
    /// Node ids in document order.
    in_order: Vec<NodeId>,
    /// The JSON keys of the items of `BY_KEY` groups, which their pointers name
    /// ([`Seg::KeyKey`]).
    keys: Vec<&'a str>,
    /// Nodes handed to Metapath so far, and how many it may have: past the limit every axis is
    /// empty and [`Tree::exhausted`] says so. Bounds the work of a whole check, whatever the
    /// constraints (each evaluation has its own budget too, but a check makes many).
    visits: Cell<u64>,
    limit: u64,
}

/// One node of the arena, packed (a document has a node per flag and per value, so a catalog
/// has hundreds of thousands): its value and its pointer step are kept as a string and a kind
/// each ([`Val`] and [`Seg`] are what is stored, unpacked).
#[derive(Debug)]
struct Slot<'a> {
    /// [`NO_DEF`] for the document node.
    def: DefId,
    name: &'a str,
    flag: bool,
    /// The document node is its own parent; [`Tree::parent`] says `None` for it.
    parent: NodeId,
    flags: Range<NodeId>,
    children: Range<NodeId>,
    /// The value's text, and which [`Val`] it is.
    value: &'a str,
    value_kind: ValKind,
    /// How to reach this node's JSON from its parent's ([`Seg`]): the key, the index in an
    /// array (or of the key in [`Tree::keys`]), and which.
    key: &'a str,
    index: u32,
    seg: SegKind,
    order: u32,
    /// How many entries of [`Tree::in_order`] its subtree takes (itself, its flags, its
    /// descendants and theirs): they follow it there.
    size: u32,
}

/// The `def` of the document node.
const NO_DEF: DefId = DefId::MAX;

/// A node's atomic value.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    None,
    /// A scalar's text (a number as JSON writes it), or a flag whose value is a JSON key (a
    /// `BY_KEY` group, a `json-value-key-flag`).
    Text(&'a str),
    /// Markup read from XML, as a JSON value without Markdown carries it (`{"$xml": …}`):
    /// converted to Markdown only when a constraint reads it.
    Markup(&'a str),
}

impl<'a> Val<'a> {
    fn of(s: Scalar<'a>) -> Self {
        match s {
            Scalar::Str(t) | Scalar::Num(t) => Val::Text(t),
            Scalar::Bool(b) => Val::Text(if b { "true" } else { "false" }),
        }
    }
}

/// One step of a JSON pointer, from the parent node's JSON to this node's.
#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    /// The same JSON as the parent (a flag held as a key, a field's value).
    Same,
    Key(&'a str),
    KeyIndex(&'a str, u32),
    /// A group's key, then the index in [`Tree::keys`] of the item's key.
    KeyKey(&'a str, u32),
}

/// Which [`Val`] a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValKind {
    None,
    Text,
    Markup,
}

/// Which [`Seg`] a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SegKind {
    Same,
    Key,
    KeyIndex,
    KeyKey,
}

/// One node still to expand: its id, its JSON and the flag a `BY_KEY` group gave it.
struct Work<'a> {
    id: NodeId,
    json: JsonRef<'a>,
    def: DefId,
    keyed: Option<(&'a str, &'a str)>,
}

/// A node of a [`Tree`]: what Metapath evaluates over.
#[derive(Debug, Clone, Copy)]
pub struct TreeNode<'t, 'a> {
    tree: &'t Tree<'a>,
    id: NodeId,
}

impl PartialEq for TreeNode<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && std::ptr::eq(self.tree, other.tree)
    }
}

impl<'a> Tree<'a> {
    /// The tree of `json` (a document with its root key) under `schema`'s roots. A root key the
    /// schema does not know, or whose value is no object, gives a tree with the document node
    /// only.
    pub fn new(schema: &'a Schema, json: &'a Json) -> Self {
        let mut tree = Tree {
            schema,
            slots: vec![Slot::new(None, "", false, 0, Val::None, Seg::Same)],
            keys: Vec::new(),
            in_order: Vec::new(),
            visits: Cell::new(0),
            limit: u64::MAX,
        };
        let mut work = Vec::new();
        let json = json.root();
        if json.is_object() {
            let start = tree.next_id();
            for (name, def) in &schema.roots {
                if let Some(v) = json.get(name.as_str()).filter(JsonRef::is_object) {
                    let seg = Seg::Key(name.as_str());
                    if let Some(id) =
                        tree.push(Slot::new(Some(*def), name, false, 0, Val::None, seg))
                    {
                        work.push(Work {
                            id,
                            json: v,
                            def: *def,
                            keyed: None,
                        });
                    }
                }
            }
            let end = tree.next_id();
            if let Some(doc) = tree.slots.first_mut() {
                doc.children = start..end;
            }
        }
        while let Some(w) = work.pop() {
            tree.expand(&w, &mut work);
        }
        tree.number();
        tree
    }

    /// Limits the nodes Metapath may visit over the tree's life to `limit`.
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Whether Metapath has visited more nodes than the limit allows: from then on every axis
    /// gave nothing, so results are incomplete.
    pub fn exhausted(&self) -> bool {
        self.visits.get() > self.limit
    }

    /// How many nodes Metapath has visited.
    pub fn visits(&self) -> u64 {
        self.visits.get()
    }

    /// Counts `n` visits; `false` once over the limit.
    fn visit(&self, n: usize) -> bool {
        let total = self.visits.get().saturating_add(n as u64 + 1);
        self.visits.set(total);
        total <= self.limit
    }

    /// The document node.
    pub fn root(&self) -> TreeNode<'_, 'a> {
        TreeNode { tree: self, id: 0 }
    }

    /// Node `id`.
    pub fn node(&self, id: NodeId) -> TreeNode<'_, 'a> {
        TreeNode { tree: self, id }
    }

    /// How many nodes the tree has, the document node included.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the tree holds the document node only.
    pub fn is_empty(&self) -> bool {
        self.slots.len() <= 1
    }

    /// Every node in document order, the document node first.
    pub fn in_order(&self) -> impl Iterator<Item = TreeNode<'_, 'a>> + '_ {
        self.in_order.iter().map(move |&id| self.node(id))
    }

    /// The id the next pushed node gets.
    fn next_id(&self) -> NodeId {
        NodeId::try_from(self.slots.len()).unwrap_or(NodeId::MAX)
    }

    /// Adds a node; `None` when the arena is full (more nodes than `u32` counts: the rest of
    /// the document is left out rather than mis-numbered).
    fn push(&mut self, slot: Slot<'a>) -> Option<NodeId> {
        let id = self.next_id();
        if id == NodeId::MAX {
            return None;
        }
        self.slots.push(slot);
        Some(id)
    }

    fn slot(&self, id: NodeId) -> Option<&Slot<'a>> {
        self.slots.get(id as usize)
    }

    /// Adds the flags and model children of `w`, and queues the children.
    fn expand(&mut self, w: &Work<'a>, work: &mut Vec<Work<'a>>) {
        let schema = self.schema;
        let Some(def) = schema.defs.get(w.def as usize) else {
            return;
        };
        let object = w.json.is_object().then_some(w.json);
        let flags_start = self.next_id();
        let mut value = Val::None;
        let value_flag = def.json_value_key_flag.as_deref();
        for flag in &def.flags {
            let v = if let Some((_, key)) = w.keyed.filter(|(n, _)| *n == flag.name) {
                Some((Val::Text(key), Seg::Same))
            } else if value_flag == Some(flag.name.as_str()) {
                value_key_flag(object, &def.flags).map(|(k, v)| {
                    value = v.scalar().map_or(Val::None, Val::of);
                    (Val::Text(k), Seg::Same)
                })
            } else {
                object
                    .and_then(|o| o.get(&flag.json_key))
                    .and_then(|v| v.scalar())
                    .map(|v| (Val::of(v), Seg::Key(flag.json_key.as_str())))
            };
            if let Some((val, seg)) = v {
                let slot = Slot::new(Some(flag.def), &flag.name, true, w.id, val, seg);
                if self.push(slot).is_none() {
                    return;
                }
            }
        }
        let flags_end = self.next_id();
        if def.kind == DefKind::Field && value_flag.is_none() {
            value = match (object, def.json_value_key.as_deref()) {
                (Some(o), Some(key)) => o.get(key).map_or(Val::None, field_value),
                _ => field_value(w.json),
            };
        }
        let children_start = self.next_id();
        if def.kind == DefKind::Assembly
            && let Some(o) = object
        {
            // The members present, in model order: an object has a few of the many keys a
            // definition knows, so its members are matched rather than each key looked up.
            let mut present: Vec<(usize, &'a Child, JsonRef<'a>)> = Vec::new();
            for (key, v) in o.members() {
                for (i, child) in def.children.iter().enumerate() {
                    if child.json_key == key {
                        present.push((i, child, v));
                    }
                }
            }
            present.sort_unstable_by_key(|&(i, _, _)| i);
            for (_, child, v) in present {
                self.instances(w.id, child, v, work);
            }
        }
        let children_end = self.next_id();
        if let Some(slot) = self.slots.get_mut(w.id as usize) {
            slot.flags = flags_start..flags_end;
            slot.children = children_start..children_end;
            slot.set_value(value);
        }
    }

    /// Adds the nodes one JSON member `v` holds for model instance `child` of node `parent`.
    fn instances(
        &mut self,
        parent: NodeId,
        child: &'a Child,
        v: JsonRef<'a>,
        work: &mut Vec<Work<'a>>,
    ) {
        let key = child.json_key.as_str();
        // An assembly is an object, a field an object or a scalar: anything else is not one.
        let kind = self.schema.defs.get(child.def as usize).map(|d| d.kind);
        let fits = |json: &JsonRef<'a>| match kind {
            Some(DefKind::Assembly) => json.is_object(),
            Some(DefKind::Field) => json.is_object() || json.scalar().is_some(),
            _ => false,
        };
        let mut add = |tree: &mut Self, json: JsonRef<'a>, seg: Seg<'a>, keyed| {
            if !fits(&json) {
                return;
            }
            let slot = Slot::new(Some(child.def), &child.name, false, parent, Val::None, seg);
            if let Some(id) = tree.push(slot) {
                work.push(Work {
                    id,
                    json,
                    def: child.def,
                    keyed,
                });
            }
        };
        match &child.group {
            Group::Array | Group::SingletonOrArray if v.is_array() => {
                for (i, item) in v.items().enumerate() {
                    let i = u32::try_from(i).unwrap_or(u32::MAX);
                    add(self, item, Seg::KeyIndex(key, i), None);
                }
            }
            Group::ByKey(flag) => {
                for (k, item) in v.members() {
                    let at = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
                    self.keys.push(k);
                    add(self, item, Seg::KeyKey(key, at), Some((flag.as_str(), k)));
                }
            }
            // An array where one is expected is the schema's to report; a single item where an
            // array is expected is taken as one.
            _ if v.is_array() => {}
            _ => add(self, v, Seg::Key(key), None),
        }
    }

    /// Numbers the nodes in document order: a node, its flags, then its children, depth first.
    fn number(&mut self) {
        let mut order = Vec::with_capacity(self.slots.len());
        let mut stack: Vec<NodeId> = vec![0];
        while let Some(id) = stack.pop() {
            order.push(id);
            let Some(slot) = self.slot(id) else { continue };
            order.extend(slot.flags.clone());
            stack.extend(slot.children.clone().rev());
        }
        for (n, &id) in order.iter().enumerate() {
            if let Some(slot) = self.slots.get_mut(id as usize) {
                slot.order = u32::try_from(n).unwrap_or(u32::MAX);
            }
        }
        // A node's id is above its parent's, so one pass from the last id adds each finished
        // subtree to its parent's.
        for id in (1..self.slots.len()).rev() {
            let (size, parent) = self.slots.get(id).map_or((0, 0), |s| (s.size, s.parent));
            if let Some(p) = self.slots.get_mut(parent as usize) {
                p.size = p.size.saturating_add(size);
            }
        }
        self.in_order = order;
    }
}

impl<'a> Slot<'a> {
    fn new(
        def: Option<DefId>,
        name: &'a str,
        flag: bool,
        parent: NodeId,
        value: Val<'a>,
        seg: Seg<'a>,
    ) -> Self {
        let (key, index, seg) = match seg {
            Seg::Same => ("", 0, SegKind::Same),
            Seg::Key(k) => (k, 0, SegKind::Key),
            Seg::KeyIndex(k, i) => (k, i, SegKind::KeyIndex),
            Seg::KeyKey(k, i) => (k, i, SegKind::KeyKey),
        };
        let mut slot = Slot {
            def: def.unwrap_or(NO_DEF),
            name,
            flag,
            parent,
            flags: 0..0,
            children: 0..0,
            value: "",
            value_kind: ValKind::None,
            key,
            index,
            seg,
            order: 0,
            size: 1,
        };
        slot.set_value(value);
        slot
    }

    fn set_value(&mut self, v: Val<'a>) {
        (self.value, self.value_kind) = match v {
            Val::None => ("", ValKind::None),
            Val::Text(t) => (t, ValKind::Text),
            Val::Markup(x) => (x, ValKind::Markup),
        };
    }

    fn value(&self) -> Val<'a> {
        match self.value_kind {
            ValKind::None => Val::None,
            ValKind::Text => Val::Text(self.value),
            ValKind::Markup => Val::Markup(self.value),
        }
    }

    fn seg(&self) -> Seg<'a> {
        match self.seg {
            SegKind::Same => Seg::Same,
            SegKind::Key => Seg::Key(self.key),
            SegKind::KeyIndex => Seg::KeyIndex(self.key, self.index),
            SegKind::KeyKey => Seg::KeyKey(self.key, self.index),
        }
    }
}

/// A field's value: a scalar, or markup in its XML form; anything else is none.
fn field_value(v: JsonRef<'_>) -> Val<'_> {
    if let Some(s) = v.scalar() {
        return Val::of(s);
    }
    match v.members().len() {
        1 => v
            .get(XML_MARKUP_KEY)
            .and_then(|x| x.as_str())
            .map_or(Val::None, Val::Markup),
        _ => Val::None,
    }
}

/// The member of a `json-value-key-flag` field's object that is not one of its flags: its key is
/// the flag's value, its value the field's.
fn value_key_flag<'a>(
    object: Option<JsonRef<'a>>,
    flags: &[Child],
) -> Option<(&'a str, JsonRef<'a>)> {
    object?
        .members()
        .find(|(k, _)| !flags.iter().any(|f| f.json_key == *k))
}

impl<'t, 'a> TreeNode<'t, 'a> {
    fn slot(&self) -> Option<&'t Slot<'a>> {
        self.tree.slot(self.id)
    }

    /// Its id in the tree.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// Its definition; `None` for the document node.
    pub fn def(&self) -> Option<DefId> {
        self.slot().map(|s| s.def).filter(|&d| d != NO_DEF)
    }

    /// The value of its flag `name`, if it has that flag.
    pub fn flag_value(&self, name: &str) -> Option<Cow<'t, str>> {
        let slot = self.slot()?;
        slot.flags
            .clone()
            .map(|id| self.tree.node(id))
            .find(|f| f.slot().is_some_and(|s| s.name == name))
            .and_then(|f| f.owned_value())
    }

    /// Its value, borrowed from the JSON where it is a string.
    fn owned_value(&self) -> Option<Cow<'t, str>> {
        match self.slot()?.value() {
            Val::None => None,
            Val::Text(t) => Some(Cow::Borrowed(t)),
            Val::Markup(x) => Some(Cow::Owned(crate::model::markup::xml_to_markdown(x))),
        }
    }

    /// Its JSON pointer in the document (`/catalog/controls/0/id`); a flag held as a JSON key,
    /// and a field's value, point at their owner's JSON.
    pub fn pointer(&self) -> String {
        let mut segs = Vec::new();
        let mut id = self.id;
        while id != 0 {
            let Some(slot) = self.tree.slot(id) else {
                break;
            };
            segs.push(slot.seg());
            id = slot.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match *seg {
                Seg::Same => {}
                Seg::Key(k) => push_token(&mut out, k),
                Seg::KeyIndex(k, i) => {
                    push_token(&mut out, k);
                    out.push('/');
                    out.push_str(&i.to_string());
                }
                Seg::KeyKey(k, at) => {
                    push_token(&mut out, k);
                    push_token(&mut out, self.tree.keys.get(at as usize).unwrap_or(&""));
                }
            }
        }
        out
    }
}

/// Appends `/token`, escaped as RFC 6901 says.
fn push_token(out: &mut String, token: &str) {
    out.push('/');
    out.push_str(&token.replace('~', "~0").replace('/', "~1"));
}

impl Node for TreeNode<'_, '_> {
    fn name(&self) -> &str {
        self.slot().map_or("", |s| s.name)
    }

    fn is_flag(&self) -> bool {
        self.slot().is_some_and(|s| s.flag)
    }

    fn parent(&self) -> Option<Self> {
        let slot = self.slot()?;
        (self.id != 0).then(|| self.tree.node(slot.parent))
    }

    fn children(&self) -> Vec<Self> {
        let Some(s) = self.slot() else {
            return Vec::new();
        };
        if !self.tree.visit(s.children.len()) {
            return Vec::new();
        }
        s.children.clone().map(|id| self.tree.node(id)).collect()
    }

    fn flags(&self) -> Vec<Self> {
        let Some(s) = self.slot() else {
            return Vec::new();
        };
        if !self.tree.visit(s.flags.len()) {
            return Vec::new();
        }
        s.flags.clone().map(|id| self.tree.node(id)).collect()
    }

    fn value(&self) -> Option<Cow<'_, str>> {
        self.owned_value()
    }

    fn flag(&self, name: &str) -> Option<Self> {
        let slot = self.slot()?;
        if !self.tree.visit(0) {
            return None;
        }
        slot.flags
            .clone()
            .map(|id| self.tree.node(id))
            .find(|f| f.slot().is_some_and(|s| s.name == name))
    }

    fn children_named(&self, name: &str) -> Vec<Self> {
        let Some(slot) = self.slot() else {
            return Vec::new();
        };
        if !self.tree.visit(slot.children.len()) {
            return Vec::new();
        }
        slot.children
            .clone()
            .map(|id| self.tree.node(id))
            .filter(|c| c.slot().is_some_and(|s| s.name == name))
            .collect()
    }

    fn descendants(&self, keep: &mut dyn FnMut(&Self) -> bool) -> Vec<Self> {
        let Some(slot) = self.slot() else {
            return Vec::new();
        };
        let start = (slot.order as usize).saturating_add(1);
        let end = (slot.order as usize).saturating_add(slot.size as usize);
        let Some(ids) = self.tree.in_order.get(start..end) else {
            return Vec::new();
        };
        if !self.tree.visit(ids.len()) {
            return Vec::new();
        }
        ids.iter()
            .map(|&id| self.tree.node(id))
            .filter(|n| !n.is_flag() && keep(n))
            .collect()
    }

    fn child_count(&self) -> usize {
        self.slot().map_or(0, |s| s.children.len())
    }

    fn flag_default(&self, name: &str) -> Option<&str> {
        let schema = self.tree.schema;
        let def = schema.defs.get(self.def()? as usize)?;
        let flag = def.flags.iter().find(|f| f.name == name)?;
        schema.defs.get(flag.def as usize)?.default.as_deref()
    }

    fn order(&self) -> usize {
        self.slot().map_or(0, |s| s.order as usize)
    }
}
