//! Markdown → XML fragment.

use super::to_markdown::*;
use super::*;
use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Alignment, Event, Options, Parser, Tag, TagEnd};

/// Markdown → XML fragment in the form [`xml_to_markdown`] reads.
///
/// `multiline = false` is for markup-line: inline content only, no `<p>` wrapper (block
/// markers at line starts are read as text; blank-line-separated parts are joined by a space).
/// `multiline = true` is for markup-multiline: block content, plain text becomes `<p>`.
/// `{{ insert: param, x }}` becomes `<insert type="param" id-ref="x"/>`, `"…"` `<q>`, `~…~`
/// `<sub>`, `^…^` `<sup>`; raw HTML is kept as text. Blocks are written without whitespace
/// between them; empty elements are self-closing.
///
/// ```
/// use oscalc::model::markup::markdown_to_xml;
/// let xml = markdown_to_xml("Do {{ insert: param, x }} *now*.\n\n- a", true);
/// assert_eq!(xml, r#"<p>Do <insert type="param" id-ref="x"/> <em>now</em>.</p><ul><li>a</li></ul>"#);
/// assert_eq!(markdown_to_xml("H~2~O", false), "H<sub>2</sub>O");
/// ```
pub fn markdown_to_xml(markdown: &str, multiline: bool) -> String {
    let source = if multiline {
        Cow::Borrowed(markdown)
    } else {
        Cow::Owned(neutralise_blocks(markdown))
    };
    let options = if multiline {
        Options::ENABLE_TABLES
    } else {
        Options::empty()
    };
    let mut builder = Builder {
        source: &source,
        multiline,
        stack: vec![Elem::default()],
        ..Builder::default()
    };
    for (event, range) in Parser::new_ext(&source, options).into_offset_iter() {
        builder.event(event, range);
    }
    let nodes = builder.finish();
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 4);
    write_xml(&nodes, &mut out, 0);
    out
}

/// For markup-line: escapes block markers at line starts so the text stays one paragraph.
pub(super) fn neutralise_blocks(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 8);
    for (i, line) in markdown.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim_start_matches([' ', '\t']);
        let chars: Vec<char> = line.chars().collect();
        let mut at = line_start_escape(&chars);
        let first = chars.first().copied();
        let autolink =
            first == Some('<') && looks_like_autolink(chars.get(1..).unwrap_or_default());
        if autolink {
            at = None;
        }
        let fence = (line.starts_with("```") || line.starts_with("~~~"))
            || matches!(first, Some('*' | '_'))
                && chars
                    .iter()
                    .all(|c| Some(*c) == first || *c == ' ' || *c == '\t')
            || first == Some('*') && chars.get(1).is_none_or(|c| *c == ' ' || *c == '\t');
        if at.is_none() && fence {
            at = Some(0);
        }
        let cut = at.and_then(|k| line.char_indices().nth(k)).map(|(b, _)| b);
        match cut.and_then(|b| Some((line.get(..b)?, line.get(b..)?))) {
            Some((head, tail)) => {
                out.push_str(head);
                out.push('\\');
                out.push_str(tail);
            }
            None => out.push_str(line),
        }
    }
    out
}

pub(super) fn looks_like_autolink(rest: &[char]) -> bool {
    let scheme = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        .count();
    scheme >= 2 && rest.get(scheme) == Some(&':')
}

/// Builds the node tree from pulldown-cmark events.
#[derive(Default)]
pub(super) struct Builder<'s> {
    source: &'s str,
    multiline: bool,
    stack: Vec<Elem>,
    /// Live Markdown text not yet scanned for inserts and marks.
    pending: String,
    /// Inside a code block or image text: everything is literal.
    literal: usize,
    aligns: Vec<Alignment>,
    in_head: bool,
    cell: usize,
    /// markup-line: a block ended, so the next one is joined with a space.
    joined: bool,
    /// End of the last text event's source range.
    text_end: usize,
}

impl<'s> Builder<'s> {
    fn top(&mut self) -> Option<&mut Elem> {
        self.stack.last_mut()
    }

    fn push(&mut self, node: Node) {
        if let Some(top) = self.top() {
            top.push(node);
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if let Event::Text(t) = &event {
            return self.text(t, range);
        }
        if matches!(event, Event::SoftBreak) {
            return self.pending.push('\n');
        }
        self.flush();
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::HardBreak => self.push(Node::Elem(Elem::new("br"))),
            Event::Code(t) => {
                let mut code = Elem::new("code");
                code.push_text(&t);
                self.push(Node::Elem(code));
            }
            Event::Rule if self.multiline => self.push(Node::Elem(Elem::new("hr"))),
            Event::Html(t) | Event::InlineHtml(t) => self.push(Node::Text(t.into_string())),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.push(Node::Text(t.into_string())),
            Event::FootnoteReference(t) => self.push(Node::Text(format!("[^{t}]"))),
            _ => {}
        }
    }

    /// Live text goes to `pending`; text from entities or backslash escapes is literal.
    fn text(&mut self, text: &str, range: Range<usize>) {
        let verbatim = self.source.get(range.clone()) == Some(text);
        if self.literal > 0 || !verbatim {
            self.text_end = range.end;
            self.flush();
            return self.push(Node::Text(text.to_owned()));
        }
        // pulldown-cmark starts a text event at an escaped character; a backslash that no text
        // event covered is that escape (O(1), so runs of backslashes stay linear).
        let escaped = range.start > self.text_end
            && self.source.as_bytes().get(range.start - 1) == Some(&b'\\');
        self.text_end = range.end;
        let mut chars = text.chars();
        if escaped && let Some(first) = chars.next() {
            self.flush();
            self.push(Node::Text(first.to_string()));
        }
        self.pending.push_str(chars.as_str());
    }

    /// Scans `pending` for inserts and marks.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let mut rest = pending.as_str();
        let mut text = String::new();
        while let Some(c) = rest.chars().next() {
            let insert = if c == '{' { parse_insert(rest) } else { None };
            let special = insert.is_some() || matches!(c, '"' | '~' | '^');
            if special && !text.is_empty() {
                self.push(Node::Text(std::mem::take(&mut text)));
            }
            let len = match insert {
                Some((elem, len)) => {
                    self.push(Node::Elem(elem));
                    len
                }
                None if special => {
                    self.push(Node::Mark(c));
                    c.len_utf8()
                }
                None => {
                    text.push(c);
                    c.len_utf8()
                }
            };
            rest = rest.get(len..).unwrap_or_default();
        }
        self.push(Node::Text(text));
    }

    fn start(&mut self, tag: Tag<'_>) {
        let block = matches!(
            tag,
            Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::HtmlBlock
                | Tag::List(_)
                | Tag::Item
        );
        if !self.multiline && block && std::mem::take(&mut self.joined) {
            self.push(Node::Text(" ".to_owned()));
        }
        let mut elem = Elem::new(self.name_of(&tag));
        match tag {
            Tag::CodeBlock(_) => self.literal += 1,
            Tag::Table(aligns) => self.aligns = aligns,
            Tag::TableHead => {
                self.in_head = true;
                self.cell = 0;
            }
            Tag::TableRow => self.cell = 0,
            Tag::TableCell => {
                let align = match self.aligns.get(self.cell) {
                    Some(Alignment::Left) => Some("left"),
                    Some(Alignment::Center) => Some("center"),
                    Some(Alignment::Right) => Some("right"),
                    _ => None,
                };
                if let Some(align) = align {
                    elem.attrs.push(("align".into(), align.into()));
                }
                self.cell += 1;
            }
            Tag::Link {
                dest_url, title, ..
            }
            | Tag::Image {
                dest_url, title, ..
            } => {
                // An image's text is its `alt`, taken literally.
                let image = elem.name == "img";
                self.literal += usize::from(image);
                let key = if image { "src" } else { "href" };
                elem.attrs.push((key.into(), dest_url.into_string()));
                if !title.is_empty() {
                    elem.attrs.push(("title".into(), title.into_string()));
                }
            }
            _ => {}
        }
        if self.stack.len() > MAX_DEPTH {
            elem = Elem::default();
        }
        self.stack.push(elem);
    }

    fn name_of(&self, tag: &Tag<'_>) -> &'static str {
        let inline = match tag {
            Tag::Emphasis => "em",
            Tag::Strong => "strong",
            Tag::Superscript => "sup",
            Tag::Subscript => "sub",
            Tag::Link { .. } => "a",
            Tag::Image { .. } => "img",
            _ => "",
        };
        if !inline.is_empty() || !self.multiline {
            return inline;
        }
        match tag {
            Tag::Paragraph | Tag::HtmlBlock => "p",
            Tag::Heading { level, .. } => {
                let names = ["h1", "h2", "h3", "h4", "h5", "h6"];
                names.get(*level as usize - 1).copied().unwrap_or("h6")
            }
            Tag::BlockQuote(_) => "blockquote",
            Tag::CodeBlock(_) => "pre",
            Tag::List(Some(_)) => "ol",
            Tag::List(None) => "ul",
            Tag::Item => "li",
            Tag::Table(_) => "table",
            Tag::TableHead | Tag::TableRow => "tr",
            Tag::TableCell if self.in_head => "th",
            Tag::TableCell => "td",
            _ => "",
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::CodeBlock => {
                self.literal = self.literal.saturating_sub(1);
                if let Some(Node::Text(t)) = self.top().and_then(|e| e.children.last_mut())
                    && t.ends_with('\n')
                {
                    t.pop();
                }
            }
            TagEnd::HtmlBlock => {
                if let Some(Node::Text(t)) = self.top().and_then(|e| e.children.last_mut()) {
                    t.truncate(t.trim_end().len());
                }
            }
            TagEnd::Image => {
                self.literal = self.literal.saturating_sub(1);
                if let Some(img) = self.top() {
                    let mut alt = String::new();
                    collect_text(&img.children, &mut alt, 0);
                    img.children.clear();
                    if !img.name.is_empty() {
                        img.attrs
                            .insert(1.min(img.attrs.len()), ("alt".into(), alt));
                    } else {
                        img.push_text(&alt);
                    }
                }
            }
            TagEnd::TableHead => self.in_head = false,
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item => self.joined = true,
            _ => {}
        }
        close(&mut self.stack);
    }

    fn finish(mut self) -> Vec<Node> {
        self.flush();
        while self.stack.len() > 1 {
            close(&mut self.stack);
        }
        let root = self.stack.pop().unwrap_or_default();
        pair_tree(root.children, 0)
    }
}

/// `{{ insert: type, id }}` at the start of `s`: the element and the length matched.
pub(super) fn parse_insert(s: &str) -> Option<(Elem, usize)> {
    let rest = s.strip_prefix("{{")?.trim_start();
    let rest = rest.strip_prefix("insert")?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let (kind, rest) = token(rest)?;
    let rest = rest.trim_start().strip_prefix(',')?.trim_start();
    let (id, rest) = token(rest)?;
    let rest = rest.trim_start().strip_prefix("}}")?;
    let mut elem = Elem::new("insert");
    elem.attrs.push(("type".into(), kind.into()));
    elem.attrs.push(("id-ref".into(), id.into()));
    Some((elem, s.len() - rest.len()))
}

pub(super) fn token(s: &str) -> Option<(&str, &str)> {
    let end = s
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '{' | '}'))
        .unwrap_or(s.len());
    let (tok, rest) = (s.get(..end)?, s.get(end..)?);
    (!tok.is_empty()).then_some((tok, rest))
}

/// Pairs marks at every level of the tree (code and pre hold none).
pub(super) fn pair_tree(nodes: Vec<Node>, depth: usize) -> Vec<Node> {
    let nodes = nodes
        .into_iter()
        .map(|node| match node {
            Node::Elem(mut e) if depth <= MAX_DEPTH + 8 => {
                e.children = pair_tree(std::mem::take(&mut e.children), depth + 1);
                Node::Elem(e)
            }
            other => other,
        })
        .collect();
    pair_level(nodes)
}

/// Each mark pairs with the next equal mark among its siblings; the nodes between go into
/// `q`, `sub` or `sup`. A mark without a partner is text.
pub(super) fn pair_level(nodes: Vec<Node>) -> Vec<Node> {
    if !nodes.iter().any(|n| matches!(n, Node::Mark(_))) {
        return nodes;
    }
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    let mut next_same: Vec<Option<usize>> = vec![None; slots.len()];
    let mut seen: [Option<usize>; 3] = [None; 3];
    for (i, slot) in slots.iter().enumerate().rev() {
        if let Some(Node::Mark(c)) = slot {
            let k = mark_index(*c);
            if let (Some(entry), Some(ns)) = (seen.get_mut(k), next_same.get_mut(i)) {
                *ns = *entry;
                *entry = Some(i);
            }
        }
    }
    let mut out = Elem::default();
    let mut i = 0;
    while i < slots.len() {
        let node = slots.get_mut(i).and_then(Option::take);
        let partner = next_same.get(i).copied().flatten();
        match (node, partner) {
            (Some(Node::Mark(c)), Some(j)) => {
                let inner: Vec<Node> = (i + 1..j)
                    .filter_map(|k| slots.get_mut(k).and_then(Option::take))
                    .collect();
                let mut wrapper = Elem::new(MARKS[mark_index(c)].1);
                wrapper.children = pair_level(inner);
                out.push(Node::Elem(wrapper));
                if let Some(slot) = slots.get_mut(j) {
                    *slot = None;
                }
                i = j + 1;
                continue;
            }
            (Some(Node::Mark(c)), None) => out.push(Node::Text(c.to_string())),
            (Some(node), _) => out.push(node),
            (None, _) => {}
        }
        i += 1;
    }
    out.children
}

/// Each mark (`"`, `~`, `^`) and the element it pairs into, by index.
const MARKS: [(char, &str); 3] = [('"', "q"), ('~', "sub"), ('^', "sup")];

/// The index of mark `c` in [`MARKS`].
fn mark_index(c: char) -> usize {
    MARKS.iter().position(|(m, _)| *m == c).unwrap_or(2)
}

// ---------------------------------------------------------------- XML out

pub(super) fn write_xml(nodes: &[Node], out: &mut String, depth: usize) {
    for node in nodes {
        match node {
            Node::Text(s) => escape_xml(s, false, out),
            Node::Mark(c) => escape_xml(&c.to_string(), false, out),
            Node::Elem(e) if e.name.is_empty() || depth > MAX_DEPTH + 8 => {
                write_xml(&e.children, out, depth + 1);
            }
            Node::Elem(e) => {
                out.push('<');
                out.push_str(&e.name);
                for (k, v) in &e.attrs {
                    out.push(' ');
                    out.push_str(k);
                    out.push_str("=\"");
                    escape_xml(v, true, out);
                    out.push('"');
                }
                if e.children.is_empty() {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    write_xml(&e.children, out, depth + 1);
                    out.push_str("</");
                    out.push_str(&e.name);
                    out.push('>');
                }
            }
        }
    }
}

/// Escapes for XML text or attribute values, dropping characters XML 1.0 cannot hold.
pub(super) fn escape_xml(s: &str, attr: bool, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\t' | '\n' | '\r' if attr => out.push_str(&format!("&#{};", u32::from(c))),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
}
