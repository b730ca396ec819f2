//! The XML binding of the catalog and profile models: which XML element or attribute is which JSON
//! key, what is an array (group-as), and what kind of content each element holds.
//!
//! Stage: load and emit (shared data). In: nothing; it is a table. Out: [`Def`]s that `de.rs` and
//! `write.rs` walk, so the reader and the writer cannot disagree about a name.
//!
//! Transcribed from the OSCAL 1.2.3 schemas (`oscal_catalog_schema.xsd`, `oscal_profile_schema.xsd`
//! for element names, order and kinds; the JSON schemas of the same release for group-as names and
//! value keys). Element order here is schema order, which is also the JSON key order NIST uses.

/// How the text of a field is typed in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// A JSON string, the text as written.
    String,
    /// A JSON boolean (`merge/as-is`); XML text `true`/`false`.
    Boolean,
}

/// What an element holds besides its flags (attributes).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Content {
    /// Child elements only, in this order; whitespace between them is insignificant. Without
    /// children, `{}` plus the flags (`include-all`, `flat`, `combine`).
    Assembly(&'static [Child]),
    /// Text. Without flags the JSON value is the scalar itself; with flags it is an object holding
    /// the flags and the text under `key` (`hash` → `{"algorithm", "value"}`).
    Text { scalar: Scalar, key: &'static str },
    /// Markup: inline (`title`, `label`, link `text`, `choice`), or with `multiline` block markup
    /// (`remarks`, `description`, `usage`).
    Markup { multiline: bool },
}

/// One kind of element: its flags in schema order and its content.
#[derive(Debug)]
pub(crate) struct Def {
    /// Attribute names, which are also the JSON keys, in schema order.
    pub(crate) flags: &'static [&'static str],
    /// What the element holds.
    pub(crate) content: Content,
}

/// How a child appears in XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// At most once; the JSON value is the child itself.
    One,
    /// Repeated elements of one name; the JSON value is an array.
    Many,
    /// A wrapper element (the child's `xml` name) holding repeated elements of this name
    /// (`revisions/revision`); the JSON value is an array.
    Grouped(&'static str),
    /// Markup whose block elements (`p`, `ul`, …) are direct children of the parent (`part` prose).
    Unwrapped,
}

/// One child position of an assembly.
#[derive(Debug)]
pub(crate) struct Child {
    /// Element name; empty for [`Shape::Unwrapped`].
    pub(crate) xml: &'static str,
    /// JSON key (the group-as name for arrays).
    pub(crate) json: &'static str,
    /// How it appears in XML.
    pub(crate) shape: Shape,
    /// What the child element is.
    pub(crate) def: &'static Def,
}

/// The elements that may start unwrapped prose: the block elements of markup-multiline.
pub(crate) const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "ul",
    "ol",
    "pre",
    "hr",
    "blockquote",
    "table",
    "img",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// The other elements of OSCAL markup: inline ones, and the insides of lists and tables.
const INLINE_ELEMENTS: &[&str] = &[
    "a", "insert", "br", "code", "em", "i", "b", "strong", "sub", "sup", "q", "li", "tr", "td",
    "th",
];

/// `name` as an element of OSCAL markup (markup-line or markup-multiline, all unprefixed), with
/// its `'static` name.
pub(crate) fn markup_element(name: &str) -> Option<&'static str> {
    let mut known = BLOCK_ELEMENTS.iter().chain(INLINE_ELEMENTS);
    known.find(|n| **n == name).copied()
}

/// The document root for `name` (`catalog` or `profile`), with its `'static` name.
pub(crate) fn root(name: &str) -> Option<(&'static str, &'static Def)> {
    match name {
        "catalog" => Some(("catalog", &CATALOG)),
        "profile" => Some(("profile", &PROFILE)),
        _ => None,
    }
}

impl Def {
    const fn assembly(flags: &'static [&'static str], children: &'static [Child]) -> Def {
        Def {
            flags,
            content: Content::Assembly(children),
        }
    }

    const fn value(flags: &'static [&'static str], scalar: Scalar, key: &'static str) -> Def {
        Def {
            flags,
            content: Content::Text { scalar, key },
        }
    }

    /// The child positions, empty for anything but an assembly.
    pub(crate) fn children(&self) -> &'static [Child] {
        match self.content {
            Content::Assembly(children) => children,
            _ => &[],
        }
    }

    /// True when the JSON form is a bare scalar (a field without flags).
    pub(crate) fn is_scalar(&self) -> bool {
        self.flags.is_empty() && matches!(self.content, Content::Text { .. })
    }
}

const fn one(xml: &'static str, def: &'static Def) -> Child {
    Child {
        xml,
        json: xml,
        shape: Shape::One,
        def,
    }
}

const fn many(xml: &'static str, json: &'static str, def: &'static Def) -> Child {
    Child {
        xml,
        json,
        shape: Shape::Many,
        def,
    }
}

const fn many_same(xml: &'static str, def: &'static Def) -> Child {
    many(xml, xml, def)
}

const fn grouped(xml: &'static str, item: &'static str, def: &'static Def) -> Child {
    Child {
        xml,
        json: xml,
        shape: Shape::Grouped(item),
        def,
    }
}

const fn prose() -> Child {
    Child {
        xml: "",
        json: "prose",
        shape: Shape::Unwrapped,
        def: &MARKUP_MULTILINE,
    }
}

static TEXT: Def = Def::value(&[], Scalar::String, "value");
static BOOL: Def = Def::value(&[], Scalar::Boolean, "value");
static MARKUP_LINE: Def = Def {
    flags: &[],
    content: Content::Markup { multiline: false },
};
static MARKUP_MULTILINE: Def = Def {
    flags: &[],
    content: Content::Markup { multiline: true },
};

static PROPERTY: Def = Def::assembly(
    &["name", "uuid", "ns", "value", "class", "group"],
    &[one("remarks", &MARKUP_MULTILINE)],
);

static LINK: Def = Def::assembly(
    &["href", "rel", "media-type", "resource-fragment"],
    &[one("text", &MARKUP_LINE)],
);

static REVISION: Def = Def::assembly(
    &[],
    &[
        one("title", &MARKUP_LINE),
        one("published", &TEXT),
        one("last-modified", &TEXT),
        one("version", &TEXT),
        one("oscal-version", &TEXT),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        one("remarks", &MARKUP_MULTILINE),
    ],
);

static DOCUMENT_ID: Def = Def::value(&["scheme"], Scalar::String, "identifier");

static ROLE: Def = Def::assembly(
    &["id"],
    &[
        one("title", &MARKUP_LINE),
        one("short-name", &TEXT),
        one("description", &MARKUP_MULTILINE),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        one("remarks", &MARKUP_MULTILINE),
    ],
);

static ADDRESS: Def = Def::assembly(
    &["type"],
    &[
        many("addr-line", "addr-lines", &TEXT),
        one("city", &TEXT),
        one("state", &TEXT),
        one("postal-code", &TEXT),
        one("country", &TEXT),
    ],
);

static TELEPHONE_NUMBER: Def = Def::value(&["type"], Scalar::String, "number");

static LOCATION: Def = Def::assembly(
    &["uuid"],
    &[
        one("title", &MARKUP_LINE),
        one("address", &ADDRESS),
        many("email-address", "email-addresses", &TEXT),
        many("telephone-number", "telephone-numbers", &TELEPHONE_NUMBER),
        many("url", "urls", &TEXT),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        one("remarks", &MARKUP_MULTILINE),
    ],
);

static EXTERNAL_ID: Def = Def::value(&["scheme"], Scalar::String, "id");

static PARTY: Def = Def::assembly(
    &["uuid", "type"],
    &[
        one("name", &TEXT),
        one("short-name", &TEXT),
        many("external-id", "external-ids", &EXTERNAL_ID),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        many("email-address", "email-addresses", &TEXT),
        many("telephone-number", "telephone-numbers", &TELEPHONE_NUMBER),
        many("address", "addresses", &ADDRESS),
        many("location-uuid", "location-uuids", &TEXT),
        many("member-of-organization", "member-of-organizations", &TEXT),
        one("remarks", &MARKUP_MULTILINE),
    ],
);

static RESPONSIBLE_PARTY: Def = Def::assembly(
    &["role-id"],
    &[
        many("party-uuid", "party-uuids", &TEXT),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        one("remarks", &MARKUP_MULTILINE),
    ],
);

static ACTION: Def = Def::assembly(
    &["uuid", "date", "type", "system"],
    &[
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        many(
            "responsible-party",
            "responsible-parties",
            &RESPONSIBLE_PARTY,
        ),
        one("remarks", &MARKUP_MULTILINE),
    ],
);

static METADATA: Def = Def::assembly(
    &[],
    &[
        one("title", &MARKUP_LINE),
        one("published", &TEXT),
        one("last-modified", &TEXT),
        one("version", &TEXT),
        one("oscal-version", &TEXT),
        grouped("revisions", "revision", &REVISION),
        many("document-id", "document-ids", &DOCUMENT_ID),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        many("role", "roles", &ROLE),
        many("location", "locations", &LOCATION),
        many("party", "parties", &PARTY),
        many(
            "responsible-party",
            "responsible-parties",
            &RESPONSIBLE_PARTY,
        ),
        many("action", "actions", &ACTION),
        one("remarks", &MARKUP_MULTILINE),
    ],
);

static CONSTRAINT_TEST: Def = Def::assembly(
    &[],
    &[one("expression", &TEXT), one("remarks", &MARKUP_MULTILINE)],
);

static CONSTRAINT: Def = Def::assembly(
    &[],
    &[
        one("description", &MARKUP_MULTILINE),
        many("test", "tests", &CONSTRAINT_TEST),
    ],
);

static GUIDELINE: Def = Def::assembly(&[], &[prose()]);

static SELECT: Def = Def::assembly(&["how-many"], &[many_same("choice", &MARKUP_LINE)]);

static PARAM: Def = Def::assembly(
    &["id", "class", "depends-on"],
    &[
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        one("label", &MARKUP_LINE),
        one("usage", &MARKUP_MULTILINE),
        many("constraint", "constraints", &CONSTRAINT),
        many("guideline", "guidelines", &GUIDELINE),
        many("value", "values", &TEXT),
        one("select", &SELECT),
        one("remarks", &MARKUP_MULTILINE),
    ],
);

static PART: Def = Def::assembly(
    &["id", "name", "ns", "class"],
    &[
        one("title", &MARKUP_LINE),
        many("prop", "props", &PROPERTY),
        prose(),
        many("part", "parts", &PART),
        many("link", "links", &LINK),
    ],
);

static CONTROL: Def = Def::assembly(
    &["id", "class"],
    &[
        one("title", &MARKUP_LINE),
        many("param", "params", &PARAM),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        many("part", "parts", &PART),
        many("control", "controls", &CONTROL),
    ],
);

static GROUP: Def = Def::assembly(
    &["id", "class"],
    &[
        one("title", &MARKUP_LINE),
        many("param", "params", &PARAM),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        many("part", "parts", &PART),
        many("group", "groups", &GROUP),
        many("control", "controls", &CONTROL),
    ],
);

static CITATION: Def = Def::assembly(
    &[],
    &[
        one("text", &MARKUP_LINE),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
    ],
);

static HASH: Def = Def::value(&["algorithm"], Scalar::String, "value");

static RLINK: Def = Def::assembly(&["href", "media-type"], &[many("hash", "hashes", &HASH)]);

static BASE64: Def = Def::value(&["filename", "media-type"], Scalar::String, "value");

static RESOURCE: Def = Def::assembly(
    &["uuid"],
    &[
        one("title", &MARKUP_LINE),
        one("description", &MARKUP_MULTILINE),
        many("prop", "props", &PROPERTY),
        many("document-id", "document-ids", &DOCUMENT_ID),
        one("citation", &CITATION),
        many("rlink", "rlinks", &RLINK),
        one("base64", &BASE64),
        one("remarks", &MARKUP_MULTILINE),
    ],
);

static BACK_MATTER: Def = Def::assembly(&[], &[many("resource", "resources", &RESOURCE)]);

static CATALOG: Def = Def::assembly(
    &["uuid"],
    &[
        one("metadata", &METADATA),
        many("param", "params", &PARAM),
        many("control", "controls", &CONTROL),
        many("group", "groups", &GROUP),
        one("back-matter", &BACK_MATTER),
    ],
);

static EMPTY: Def = Def::assembly(&[], &[]);

static MATCHING: Def = Def::assembly(&["pattern"], &[one("remarks", &MARKUP_MULTILINE)]);

static SELECT_CONTROL_BY_ID: Def = Def::assembly(
    &["with-child-controls"],
    &[
        many("with-id", "with-ids", &TEXT),
        many_same("matching", &MATCHING),
    ],
);

/// What an import, or an `insert-controls`, selects.
static SELECTION: [Child; 3] = [
    one("include-all", &EMPTY),
    many_same("include-controls", &SELECT_CONTROL_BY_ID),
    many_same("exclude-controls", &SELECT_CONTROL_BY_ID),
];

static IMPORT: Def = Def::assembly(&["href"], &SELECTION);

static COMBINE: Def = Def::assembly(&["method"], &[]);

static INSERT_CONTROLS: Def = Def::assembly(&["order"], &SELECTION);

static PROFILE_GROUP: Def = Def::assembly(
    &["id", "class"],
    &[
        one("title", &MARKUP_LINE),
        many("param", "params", &PARAM),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        many("part", "parts", &PART),
        many("group", "groups", &PROFILE_GROUP),
        many_same("insert-controls", &INSERT_CONTROLS),
    ],
);

static CUSTOM: Def = Def::assembly(
    &[],
    &[
        many("group", "groups", &PROFILE_GROUP),
        many_same("insert-controls", &INSERT_CONTROLS),
    ],
);

static MERGE: Def = Def::assembly(
    &[],
    &[
        one("combine", &COMBINE),
        one("flat", &EMPTY),
        one("as-is", &BOOL),
        one("custom", &CUSTOM),
    ],
);

static SET_PARAMETER: Def = Def::assembly(
    &["param-id", "class", "depends-on"],
    &[
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        one("label", &MARKUP_LINE),
        one("usage", &MARKUP_MULTILINE),
        many("constraint", "constraints", &CONSTRAINT),
        many("guideline", "guidelines", &GUIDELINE),
        many("value", "values", &TEXT),
        one("select", &SELECT),
    ],
);

static REMOVE: Def = Def::assembly(
    &["by-name", "by-class", "by-id", "by-item-name", "by-ns"],
    &[one("remarks", &MARKUP_MULTILINE)],
);

static ADD: Def = Def::assembly(
    &["position", "by-id"],
    &[
        one("title", &MARKUP_LINE),
        many("param", "params", &PARAM),
        many("prop", "props", &PROPERTY),
        many("link", "links", &LINK),
        many("part", "parts", &PART),
    ],
);

static ALTER: Def = Def::assembly(
    &["control-id"],
    &[
        many("remove", "removes", &REMOVE),
        many("add", "adds", &ADD),
    ],
);

static MODIFY: Def = Def::assembly(
    &[],
    &[
        many("set-parameter", "set-parameters", &SET_PARAMETER),
        many("alter", "alters", &ALTER),
    ],
);

static PROFILE: Def = Def::assembly(
    &["uuid"],
    &[
        one("metadata", &METADATA),
        many("import", "imports", &IMPORT),
        one("merge", &MERGE),
        one("modify", &MODIFY),
        one("back-matter", &BACK_MATTER),
    ],
);
