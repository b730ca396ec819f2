//! A typed walk over the model. In: a catalog, a profile, any part of one, or an untyped JSON
//! value of the same form. Out: a call per node that references care about ([`Node`]), with the
//! node's place ([`Path`], rendered as a JSON pointer only when asked).
//!
//! The walk goes in the order of the OSCAL JSON form (the order fields serialize in), and sees
//! what a walk of that form would see: every string (markup in either form as its text, at the
//! markup's own place), each object that defines an id or a uuid, and each link. Untyped parts of
//! the model (metadata's roles and parties, a directive) are walked by the same rules, keyed by
//! the name of the member or array that holds them. Users: pruning's reference scan
//! (`resolve::refscan`) and the reference checks (`validate::refs`).

use super::catalog::{BackMatter, Base64, Catalog, Control, Group, Metadata, Resource, Rlink};
use super::common::{
    Constraint, ConstraintTest, Guideline, Link, Markup, MarkupLine, MarkupMultiline, Parameter,
    Part, Property, Select,
};
use super::profile::{
    Add, Alter, Combine, CombineMethod, Custom, Directive, Import, InsertControls, Matching, Merge,
    Modify, Order, Position, Profile, ProfileGroup, Remove, SelectControls, SetParameter, YesNo,
};
use super::{Document, common::XML_MARKUP_KEY};
use serde_json::Value;
use std::fmt::Write as _;

/// What the walk reports at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node<'a> {
    /// An object of a `controls`, `params`, `parts` or `groups` list that has an `id`; the place
    /// is the object's.
    Id(IdKind, &'a str),
    /// An object's `uuid`; the place is the object's.
    Uuid(&'a str),
    /// An object of a `links` list with an `href`, and its `rel` if any; the place is the link's.
    Link(&'a str, Option<&'a str>),
    /// A string (in an untyped part, markup's XML form is its text).
    Text(&'a str),
    /// Typed markup, in the form it was read in.
    Markup(&'a Markup),
    /// A `depends-on` string: a whole parameter id, not text to search.
    DependsOn(&'a str),
}

/// The list an id-bearing object is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `controls`.
    Control,
    /// `params`.
    Param,
    /// `parts`.
    Part,
    /// `groups`.
    Group,
}

impl IdKind {
    fn of(list: &str) -> Option<IdKind> {
        match list {
            "controls" => Some(IdKind::Control),
            "params" => Some(IdKind::Param),
            "parts" => Some(IdKind::Part),
            "groups" => Some(IdKind::Group),
            _ => None,
        }
    }
}

/// One step of a [`Path`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Where a node is: a stack of member names and list indices, cheap to extend as the walk goes.
#[derive(Debug, Default)]
pub struct Path<'a>(Vec<Step<'a>>);

impl Path<'_> {
    /// The place as a JSON pointer (RFC 6901).
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for step in &self.0 {
            out.push('/');
            match step {
                Step::Key(k) => {
                    for c in k.chars() {
                        match c {
                            '~' => out.push_str("~0"),
                            '/' => out.push_str("~1"),
                            c => out.push(c),
                        }
                    }
                }
                // Writing to a String cannot fail.
                Step::Index(i) => {
                    let _ = write!(out, "{i}");
                }
            }
        }
        out
    }

    /// The name of the member or list that holds the node.
    pub fn holder(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            Step::Key(k) => Some(*k),
            Step::Index(_) => None,
        })
    }

    /// Whether the node is the value of the member `key` itself (not an item of a list there).
    fn is_member(&self, key: &str) -> bool {
        self.0.last() == Some(&Step::Key(key))
    }
}

/// The walk in progress: the place and the callback.
pub struct Walker<'a, 'f> {
    path: Path<'a>,
    f: &'f mut dyn FnMut(&Path<'a>, Node<'a>),
}

/// Something the walk goes through.
pub trait Walk {
    /// Reports this node and walks its members, in the order of the JSON form.
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>);
}

/// Walks `node`, calling `f` at each [`Node`]; places are relative to `node`.
pub fn walk<'a, T: Walk + ?Sized>(node: &'a T, f: &mut dyn FnMut(&Path<'a>, Node<'a>)) {
    let mut w = Walker {
        path: Path::default(),
        f,
    };
    node.walk(&mut w);
}

/// A node under a root key (`Under("catalog", &c)`), so places are the whole document's.
pub struct Under<'n, T: ?Sized>(pub &'static str, pub &'n T);

impl<T: Walk + ?Sized> Walk for Under<'_, T> {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.member(self.0, self.1);
    }
}

impl<'a> Walker<'a, '_> {
    fn node(&mut self, n: Node<'a>) {
        (self.f)(&self.path, n);
    }

    fn at(&mut self, step: Step<'a>, g: impl FnOnce(&mut Self)) {
        self.path.0.push(step);
        g(self);
        self.path.0.pop();
    }

    /// The member `key`.
    pub fn member<T: Walk + ?Sized>(&mut self, key: &'a str, v: &'a T) {
        self.at(Step::Key(key), |w| v.walk(w));
    }

    /// The member `key`, if present.
    pub fn opt<T: Walk>(&mut self, key: &'a str, v: &'a Option<T>) {
        if let Some(v) = v {
            self.member(key, v);
        }
    }

    /// The list `key`, item by item.
    pub fn list<T: Walk>(&mut self, key: &'a str, items: &'a [T]) {
        self.at(Step::Key(key), |w| {
            for (i, item) in items.iter().enumerate() {
                w.at(Step::Index(i), |w| item.walk(w));
            }
        });
    }

    /// An object's id, when the list holding it makes it one.
    fn id(&mut self, id: Option<&'a str>) {
        let kind = self.path.holder().and_then(IdKind::of);
        if let (Some(kind), Some(id)) = (kind, id) {
            self.node(Node::Id(kind, id));
        }
    }

    /// A `depends-on` member.
    fn depends_on(&mut self, v: &'a Option<String>) {
        if let Some(s) = v {
            self.at(Step::Key("depends-on"), |w| w.node(Node::DependsOn(s)));
        }
    }
}

impl Walk for String {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.node(Node::Text(self));
    }
}

impl Walk for Markup {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.node(Node::Markup(self));
    }
}

/// Newtypes and tokens walked as what they hold.
macro_rules! through {
    ($($t:ty => |$x:ident| $e:expr;)*) => {
        $(impl Walk for $t {
            fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
                let $x = self;
                $e.walk(w);
            }
        })*
    };
}

/// Tokens are strings in the JSON form.
macro_rules! token {
    ($($t:ty),*) => {
        $(impl Walk for $t {
            fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
                w.node(Node::Text(self.as_str()));
            }
        })*
    };
}

through! {
    MarkupLine => |x| x.0;
    MarkupMultiline => |x| x.0;
    Directive => |x| x.0;
}
token!(YesNo, CombineMethod, Order, Position);

/// An untyped value, walked as its typed counterpart would be.
impl Walk for Value {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        match self {
            Value::String(s) if w.path.is_member("depends-on") => w.node(Node::DependsOn(s)),
            Value::String(s) => w.node(Node::Text(s)),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    w.at(Step::Index(i), |w| item.walk(w));
                }
            }
            Value::Object(map) => {
                // Markup in its XML form: its text, at this place.
                if map.len() == 1
                    && let Some(Value::String(x)) = map.get(XML_MARKUP_KEY)
                {
                    return w.node(Node::Text(x));
                }
                w.id(map.get("id").and_then(Value::as_str));
                if let Some(Value::String(u)) = map.get("uuid") {
                    w.node(Node::Uuid(u));
                }
                if w.path.holder() == Some("links")
                    && let Some(Value::String(href)) = map.get("href")
                {
                    w.node(Node::Link(href, map.get("rel").and_then(Value::as_str)));
                }
                for (k, v) in map {
                    w.member(k, v);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

impl Walk for Document {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        match self {
            Document::Catalog(c) => w.member("catalog", c),
            Document::Profile(p) => w.member("profile", p),
        }
    }
}

impl Walk for Catalog {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.node(Node::Uuid(&self.uuid));
        w.member("uuid", &self.uuid);
        w.member("metadata", &self.metadata);
        w.list("params", &self.params);
        w.list("controls", &self.controls);
        w.list("groups", &self.groups);
        w.opt("back-matter", &self.back_matter);
    }
}

impl Walk for Group {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.id(self.id.as_deref());
        w.opt("id", &self.id);
        w.opt("class", &self.class);
        w.member("title", &self.title);
        w.list("params", &self.params);
        w.list("props", &self.props);
        w.list("links", &self.links);
        w.list("parts", &self.parts);
        w.list("groups", &self.groups);
        w.list("controls", &self.controls);
    }
}

impl Walk for Control {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.id(Some(&self.id));
        w.member("id", &self.id);
        w.opt("class", &self.class);
        w.member("title", &self.title);
        w.list("params", &self.params);
        w.list("props", &self.props);
        w.list("links", &self.links);
        w.list("parts", &self.parts);
        w.list("controls", &self.controls);
    }
}

impl Walk for Metadata {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.member("title", &self.title);
        w.opt("published", &self.published);
        w.member("last-modified", &self.last_modified);
        w.member("version", &self.version);
        w.member("oscal-version", &self.oscal_version);
        w.list("revisions", &self.revisions);
        w.list("document-ids", &self.document_ids);
        w.list("props", &self.props);
        w.list("links", &self.links);
        w.list("roles", &self.roles);
        w.list("locations", &self.locations);
        w.list("parties", &self.parties);
        w.list("responsible-parties", &self.responsible_parties);
        w.list("actions", &self.actions);
        w.opt("remarks", &self.remarks);
    }
}

impl Walk for BackMatter {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.list("resources", &self.resources);
    }
}

impl Walk for Resource {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.node(Node::Uuid(&self.uuid));
        w.member("uuid", &self.uuid);
        w.opt("title", &self.title);
        w.opt("description", &self.description);
        w.list("props", &self.props);
        w.list("document-ids", &self.document_ids);
        w.opt("citation", &self.citation);
        w.list("rlinks", &self.rlinks);
        w.opt("base64", &self.base64);
        w.opt("remarks", &self.remarks);
    }
}

impl Walk for Rlink {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.member("href", &self.href);
        w.opt("media-type", &self.media_type);
        w.list("hashes", &self.hashes);
    }
}

impl Walk for Base64 {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.opt("filename", &self.filename);
        w.opt("media-type", &self.media_type);
        w.member("value", &self.value);
    }
}

impl Walk for Property {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        if let Some(u) = &self.uuid {
            w.node(Node::Uuid(u));
        }
        w.member("name", &self.name);
        w.opt("uuid", &self.uuid);
        w.opt("ns", &self.ns);
        w.member("value", &self.value);
        w.opt("class", &self.class);
        w.opt("group", &self.group);
        w.opt("remarks", &self.remarks);
    }
}

impl Walk for Link {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.node(Node::Link(&self.href, self.rel.as_deref()));
        w.member("href", &self.href);
        w.opt("rel", &self.rel);
        w.opt("media-type", &self.media_type);
        w.opt("resource-fragment", &self.resource_fragment);
        w.opt("text", &self.text);
    }
}

impl Walk for Part {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.id(self.id.as_deref());
        w.opt("id", &self.id);
        w.member("name", &self.name);
        w.opt("ns", &self.ns);
        w.opt("class", &self.class);
        w.opt("title", &self.title);
        w.list("props", &self.props);
        w.opt("prose", &self.prose);
        w.list("parts", &self.parts);
        w.list("links", &self.links);
    }
}

impl Walk for Parameter {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.id(Some(&self.id));
        w.member("id", &self.id);
        w.opt("class", &self.class);
        w.depends_on(&self.depends_on);
        w.list("props", &self.props);
        w.list("links", &self.links);
        w.opt("label", &self.label);
        w.opt("usage", &self.usage);
        w.list("constraints", &self.constraints);
        w.list("guidelines", &self.guidelines);
        w.list("values", &self.values);
        w.opt("select", &self.select);
        w.opt("remarks", &self.remarks);
    }
}

impl Walk for Constraint {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.opt("description", &self.description);
        w.list("tests", &self.tests);
    }
}

impl Walk for ConstraintTest {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.member("expression", &self.expression);
        w.opt("remarks", &self.remarks);
    }
}

impl Walk for Guideline {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.member("prose", &self.prose);
    }
}

impl Walk for Select {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.opt("how-many", &self.how_many);
        w.list("choice", &self.choice);
    }
}

impl Walk for Profile {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.node(Node::Uuid(&self.uuid));
        w.member("uuid", &self.uuid);
        w.member("metadata", &self.metadata);
        w.list("imports", &self.imports);
        w.opt("merge", &self.merge);
        w.opt("modify", &self.modify);
        w.opt("back-matter", &self.back_matter);
    }
}

impl Walk for Import {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.member("href", &self.href);
        w.opt("include-all", &self.include_all);
        w.list("include-controls", &self.include_controls);
        w.list("exclude-controls", &self.exclude_controls);
    }
}

impl Walk for SelectControls {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.opt("with-child-controls", &self.with_child_controls);
        w.opt("with-parent-controls", &self.with_parent_controls);
        w.list("with-ids", &self.with_ids);
        w.list("matching", &self.matching);
    }
}

impl Walk for Matching {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.opt("pattern", &self.pattern);
        w.opt("remarks", &self.remarks);
    }
}

impl Walk for Merge {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.opt("combine", &self.combine);
        w.opt("flat", &self.flat);
        // `as-is` is a boolean: nothing to report.
        w.opt("custom", &self.custom);
    }
}

impl Walk for Combine {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.opt("method", &self.method);
    }
}

impl Walk for Custom {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.list("groups", &self.groups);
        w.list("insert-controls", &self.insert_controls);
    }
}

impl Walk for ProfileGroup {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.id(self.id.as_deref());
        w.opt("id", &self.id);
        w.opt("class", &self.class);
        w.member("title", &self.title);
        w.list("params", &self.params);
        w.list("props", &self.props);
        w.list("links", &self.links);
        w.list("parts", &self.parts);
        w.list("groups", &self.groups);
        w.list("insert-controls", &self.insert_controls);
    }
}

impl Walk for InsertControls {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.opt("order", &self.order);
        w.opt("include-all", &self.include_all);
        w.list("include-controls", &self.include_controls);
        w.list("exclude-controls", &self.exclude_controls);
    }
}

impl Walk for Modify {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.list("set-parameters", &self.set_parameters);
        w.list("alters", &self.alters);
    }
}

impl Walk for SetParameter {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.member("param-id", &self.param_id);
        w.opt("class", &self.class);
        w.depends_on(&self.depends_on);
        w.list("props", &self.props);
        w.list("links", &self.links);
        w.opt("label", &self.label);
        w.opt("usage", &self.usage);
        w.list("constraints", &self.constraints);
        w.list("guidelines", &self.guidelines);
        w.list("values", &self.values);
        w.opt("select", &self.select);
    }
}

impl Walk for Alter {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.member("control-id", &self.control_id);
        w.list("removes", &self.removes);
        w.list("adds", &self.adds);
    }
}

impl Walk for Remove {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.opt("by-name", &self.by_name);
        w.opt("by-class", &self.by_class);
        w.opt("by-id", &self.by_id);
        w.opt("by-item-name", &self.by_item_name);
        w.opt("by-ns", &self.by_ns);
    }
}

impl Walk for Add {
    fn walk<'a>(&'a self, w: &mut Walker<'a, '_>) {
        w.opt("position", &self.position);
        w.opt("by-id", &self.by_id);
        w.opt("title", &self.title);
        w.list("params", &self.params);
        w.list("props", &self.props);
        w.list("links", &self.links);
        w.list("parts", &self.parts);
    }
}
