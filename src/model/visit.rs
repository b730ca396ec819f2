//! A typed walk over the model. In: a catalog, a profile, any part of one, or an untyped JSON
//! value of the same form. Out: a call per node that references care about ([`Node`]), with the
//! node's place ([`Path`], rendered as a JSON pointer only when asked).
//!
//! The walk goes in the order of the OSCAL JSON form (the order fields serialize in), and sees
//! what a walk of that form would see: every string (markup in either form as its text, at the
//! markup's own place), each object that defines an id or a uuid, and each link. Untyped parts of
//! the model (metadata's roles and parties, a directive) are walked by the same rules, keyed by
//! the name of the member or array that holds them. Users: pruning's reference scan
//! (`resolve::refscan`) and the reference checks (`check::refs`).

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
use crate::source::pointer::escape_token;
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
                Step::Key(k) => out.push_str(&escape_token(k)),
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
    fn depends_on(&mut self, key: &'a str, v: &'a Option<String>) {
        if let Some(s) = v {
            self.at(Step::Key(key), |w| w.node(Node::DependsOn(s)));
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
            // The value of a `depends-on` member itself (not an item of a list there).
            Value::String(s) if w.path.0.last() == Some(&Step::Key("depends-on")) => {
                w.node(Node::DependsOn(s))
            }
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

/// `Type => |node, walker| { what to report first } { how "member" field, … }`, in the order
/// of the JSON form; `how` is a [`Walker`] method.
macro_rules! walk {
    ($($t:ty => |$s:ident, $w:ident| $pre:block { $($how:ident $key:literal $field:ident,)* })*) => {
        $(impl Walk for $t {
            fn walk<'a>(&'a self, $w: &mut Walker<'a, '_>) {
                let $s = self;
                $pre
                $($w.$how($key, &$s.$field);)*
            }
        })*
    };
}

walk! {
    Catalog => |s, w| { w.node(Node::Uuid(&s.uuid)); } {
        member "uuid" uuid, member "metadata" metadata, list "params" params,
        list "controls" controls, list "groups" groups, opt "back-matter" back_matter,
    }
    Group => |s, w| { w.id(s.id.as_deref()); } {
        opt "id" id, opt "class" class, member "title" title, list "params" params,
        list "props" props, list "links" links, list "parts" parts, list "groups" groups,
        list "controls" controls,
    }
    Control => |s, w| { w.id(Some(&s.id)); } {
        member "id" id, opt "class" class, member "title" title, list "params" params,
        list "props" props, list "links" links, list "parts" parts, list "controls" controls,
    }
    Metadata => |s, w| {} {
        member "title" title, opt "published" published, member "last-modified" last_modified,
        member "version" version, member "oscal-version" oscal_version,
        list "revisions" revisions, list "document-ids" document_ids, list "props" props,
        list "links" links, list "roles" roles, list "locations" locations,
        list "parties" parties, list "responsible-parties" responsible_parties,
        list "actions" actions, opt "remarks" remarks,
    }
    BackMatter => |s, w| {} {
        list "resources" resources,
    }
    Resource => |s, w| { w.node(Node::Uuid(&s.uuid)); } {
        member "uuid" uuid, opt "title" title, opt "description" description, list "props" props,
        list "document-ids" document_ids, opt "citation" citation, list "rlinks" rlinks,
        opt "base64" base64, opt "remarks" remarks,
    }
    Rlink => |s, w| {} {
        member "href" href, opt "media-type" media_type, list "hashes" hashes,
    }
    Base64 => |s, w| {} {
        opt "filename" filename, opt "media-type" media_type, member "value" value,
    }
    Property => |s, w| { if let Some(u) = &s.uuid { w.node(Node::Uuid(u)); } } {
        member "name" name, opt "uuid" uuid, opt "ns" ns, member "value" value, opt "class" class,
        opt "group" group, opt "remarks" remarks,
    }
    Link => |s, w| { w.node(Node::Link(&s.href, s.rel.as_deref())); } {
        member "href" href, opt "rel" rel, opt "media-type" media_type,
        opt "resource-fragment" resource_fragment, opt "text" text,
    }
    Part => |s, w| { w.id(s.id.as_deref()); } {
        opt "id" id, member "name" name, opt "ns" ns, opt "class" class, opt "title" title,
        list "props" props, opt "prose" prose, list "parts" parts, list "links" links,
    }
    Parameter => |s, w| { w.id(Some(&s.id)); } {
        member "id" id, opt "class" class, depends_on "depends-on" depends_on, list "props" props,
        list "links" links, opt "label" label, opt "usage" usage, list "constraints" constraints,
        list "guidelines" guidelines, list "values" values, opt "select" select,
        opt "remarks" remarks,
    }
    Constraint => |s, w| {} {
        opt "description" description, list "tests" tests,
    }
    ConstraintTest => |s, w| {} {
        member "expression" expression, opt "remarks" remarks,
    }
    Guideline => |s, w| {} {
        member "prose" prose,
    }
    Select => |s, w| {} {
        opt "how-many" how_many, list "choice" choice,
    }
    Profile => |s, w| { w.node(Node::Uuid(&s.uuid)); } {
        member "uuid" uuid, member "metadata" metadata, list "imports" imports, opt "merge" merge,
        opt "modify" modify, opt "back-matter" back_matter,
    }
    Import => |s, w| {} {
        member "href" href, opt "include-all" include_all,
        list "include-controls" include_controls, list "exclude-controls" exclude_controls,
    }
    SelectControls => |s, w| {} {
        opt "with-child-controls" with_child_controls,
        opt "with-parent-controls" with_parent_controls, list "with-ids" with_ids,
        list "matching" matching,
    }
    Matching => |s, w| {} {
        opt "pattern" pattern, opt "remarks" remarks,
    }
    // `as-is` is a boolean: nothing to report.
    Merge => |s, w| {} {
        opt "combine" combine, opt "flat" flat, opt "custom" custom,
    }
    Combine => |s, w| {} {
        opt "method" method,
    }
    Custom => |s, w| {} {
        list "groups" groups, list "insert-controls" insert_controls,
    }
    ProfileGroup => |s, w| { w.id(s.id.as_deref()); } {
        opt "id" id, opt "class" class, member "title" title, list "params" params,
        list "props" props, list "links" links, list "parts" parts, list "groups" groups,
        list "insert-controls" insert_controls,
    }
    InsertControls => |s, w| {} {
        opt "order" order, opt "include-all" include_all,
        list "include-controls" include_controls, list "exclude-controls" exclude_controls,
    }
    Modify => |s, w| {} {
        list "set-parameters" set_parameters, list "alters" alters,
    }
    SetParameter => |s, w| {} {
        member "param-id" param_id, opt "class" class, depends_on "depends-on" depends_on,
        list "props" props, list "links" links, opt "label" label, opt "usage" usage,
        list "constraints" constraints, list "guidelines" guidelines, list "values" values,
        opt "select" select,
    }
    Alter => |s, w| {} {
        member "control-id" control_id, list "removes" removes, list "adds" adds,
    }
    Remove => |s, w| {} {
        opt "by-name" by_name, opt "by-class" by_class, opt "by-id" by_id,
        opt "by-item-name" by_item_name, opt "by-ns" by_ns,
    }
    Add => |s, w| {} {
        opt "position" position, opt "by-id" by_id, opt "title" title, list "params" params,
        list "props" props, list "links" links, list "parts" parts,
    }
}
