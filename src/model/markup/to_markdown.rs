//! XML fragment → Markdown.

use super::*;

/// XML fragment → Markdown, as NIST's converter writes it.
///
/// `fragment` is the serialized XML *content* of a markup element, element names unprefixed
/// (OSCAL namespace is the default, no xmlns in the fragment), text escaped as XML
/// (`&amp;` `&lt;` `&gt;` `&quot;` and numeric refs may appear), e.g.
/// `<p>Do <insert type="param" id-ref="ac-1_prm_1"/> now.</p><ul><li>x</li></ul>` or, for a
/// markup-line, `Control <em>B</em>`. Blocks are joined by a blank line, whitespace runs in text
/// become one space (leading and trailing ones kept, as NIST does), and Markdown punctuation in
/// text is escaped only where Markdown would otherwise read it as markup. Malformed XML is
/// converted up to the first error.
///
/// ```
/// use oscalc::model::markup::xml_to_markdown;
/// let md = xml_to_markdown(r#"<p>Do <insert type="param" id-ref="x"/> <em>now</em>.</p><p>b</p>"#);
/// assert_eq!(md, "Do {{ insert: param, x }} *now*.\n\nb");
/// ```
pub fn xml_to_markdown(fragment: &str) -> String {
    blocks_md(&parse_xml(fragment), "\n\n", 0)
}

/// Renders a sequence of block and inline nodes; runs of inline nodes are paragraphs.
pub(super) fn blocks_md(nodes: &[Node], sep: &str, depth: usize) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run: Vec<&Node> = Vec::new();
    // (name, alternate marker) of the list just written, so that two adjacent lists stay two.
    let mut last_list: Option<(&str, bool)> = None;
    for node in nodes {
        let Node::Elem(e) = node else {
            run.push(node);
            continue;
        };
        if !is_block(&e.name) {
            run.push(node);
            continue;
        }
        if flush_paragraph(&mut run, &mut parts, depth) {
            last_list = None;
        }
        let md = match e.name.as_str() {
            name @ ("ul" | "ol") => {
                let alt = last_list == Some((name, false));
                last_list = Some((name, alt));
                list_md(e, alt, depth)
            }
            other => {
                last_list = None;
                block_md(other, e, depth)
            }
        };
        parts.push(md);
    }
    flush_paragraph(&mut run, &mut parts, depth);
    parts.join(sep)
}

/// Writes pending inline nodes as a paragraph unless they are only whitespace.
pub(super) fn flush_paragraph(run: &mut Vec<&Node>, parts: &mut Vec<String>, depth: usize) -> bool {
    let blank = run
        .iter()
        .all(|n| matches!(n, Node::Text(s) if s.chars().all(is_xml_space)));
    let wrote = !blank;
    if wrote {
        let mut w = Writer::at_line_start();
        for node in run.iter() {
            inline_md(node, &mut w, depth);
        }
        parts.push(w.out);
    }
    run.clear();
    wrote
}

pub(super) fn block_md(name: &str, e: &Elem, depth: usize) -> String {
    match name {
        "p" => paragraph_md(&e.children, depth),
        "pre" => pre_md(e),
        "hr" => "---".to_owned(),
        "blockquote" => {
            let inner = blocks_md(&e.children, "\n\n", depth + 1);
            prefix_lines(&inner, "> ", ">")
        }
        "table" => table_md(e, depth),
        heading => heading_md(heading, e, depth),
    }
}

pub(super) fn paragraph_md(nodes: &[Node], depth: usize) -> String {
    let mut w = Writer::at_line_start();
    inline_all(nodes, &mut w, depth + 1);
    w.out
}

pub(super) fn heading_md(name: &str, e: &Elem, depth: usize) -> String {
    let level = name
        .get(1..)
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1);
    let mut w = Writer {
        heading: true,
        ..Writer::default()
    };
    inline_all(&e.children, &mut w, depth + 1);
    let mut text = w.out.trim_matches(' ').to_owned();
    // A closing run of `#` would be taken for the optional closing sequence.
    if text.ends_with('#') {
        let keep = text.trim_end_matches('#').len();
        text.insert(keep, '\\');
    }
    let hashes = "#".repeat(level.clamp(1, 6));
    if text.is_empty() {
        hashes
    } else {
        format!("{hashes} {text}")
    }
}

pub(super) fn pre_md(e: &Elem) -> String {
    let mut code = String::new();
    collect_text(&e.children, &mut code, 0);
    let fence = "`".repeat(longest_run(&code, '`').max(2) + 1);
    format!("{fence}\n{code}\n{fence}")
}

pub(super) fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        cur = if c == ch { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

/// Prefixes every line (`empty` for empty lines, so no trailing spaces are written).
pub(super) fn prefix_lines(text: &str, first: &str, empty: &str) -> String {
    text.split('\n')
        .map(|l| {
            if l.is_empty() {
                empty.to_owned()
            } else {
                format!("{first}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn list_md(e: &Elem, alt: bool, depth: usize) -> String {
    let ordered = e.name == "ol";
    let items: Vec<&Elem> = elems(&e.children).collect();
    // A list whose items hold paragraphs is loose: blank lines between items and blocks.
    let loose = items.iter().any(|li| {
        li.children
            .iter()
            .any(|n| matches!(n, Node::Elem(p) if p.name == "p"))
    });
    let sep = if loose { "\n\n" } else { "\n" };
    let mut out = Vec::with_capacity(items.len());
    for (i, li) in items.iter().enumerate() {
        let marker = match (ordered, alt) {
            (true, false) => format!("{}.", i + 1),
            (true, true) => format!("{})", i + 1),
            (false, false) => "-".to_owned(),
            (false, true) => "*".to_owned(),
        };
        let body = if li.name == "li" {
            blocks_md(&li.children, sep, depth + 1)
        } else {
            blocks_md(
                std::slice::from_ref(&Node::Elem((*li).clone())),
                sep,
                depth + 1,
            )
        };
        out.push(item_md(&marker, &body));
    }
    out.join(sep)
}

pub(super) fn item_md(marker: &str, body: &str) -> String {
    if body.is_empty() {
        return marker.to_owned();
    }
    let indent = " ".repeat(marker.len() + 1);
    let mut lines = body.split('\n');
    let first = lines.next().unwrap_or_default();
    let mut out = if first.is_empty() {
        marker.to_owned()
    } else {
        format!("{marker} {first}")
    };
    for line in lines {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&indent);
            out.push_str(line);
        }
    }
    out
}

pub(super) fn table_md(e: &Elem, depth: usize) -> String {
    let mut rows: Vec<&Elem> = Vec::new();
    for child in elems(&e.children) {
        if child.name == "tr" {
            rows.push(child);
        } else {
            // thead, tbody, tfoot: not OSCAL, but harmless to read through.
            rows.extend(elems(&child.children).filter(|tr| tr.name == "tr"));
        }
    }
    let mut lines = Vec::with_capacity(rows.len() + 1);
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<&Elem> = elems(&row.children).collect();
        let texts: Vec<String> = cells.iter().map(|c| cell_md(c, depth)).collect();
        lines.push(format!("| {} |", texts.join(" | ")));
        if i == 0 {
            let delims: Vec<&str> = cells
                .iter()
                .map(|c| match c.attr("align") {
                    Some("left") => ":---",
                    Some("center") => ":---:",
                    Some("right") => "---:",
                    _ => "---",
                })
                .collect();
            lines.push(format!("| {} |", delims.join(" | ")));
        }
    }
    lines.join("\n")
}

/// The elements among `nodes` (the text between a list's items or a table's rows is layout).
fn elems(nodes: &[Node]) -> impl Iterator<Item = &Elem> {
    nodes.iter().filter_map(|n| match n {
        Node::Elem(e) => Some(e),
        _ => None,
    })
}

pub(super) fn cell_md(cell: &Elem, depth: usize) -> String {
    let mut w = Writer {
        table: true,
        ..Writer::default()
    };
    inline_all(&cell.children, &mut w, depth + 1);
    w.out.trim_matches(' ').to_owned()
}

/// Inline Markdown being written, with the context escaping depends on.
#[derive(Default)]
pub(super) struct Writer {
    out: String,
    /// Nothing written yet on this line: block markers must be escaped.
    line_start: bool,
    /// The last thing written is a space that later whitespace folds into.
    space: bool,
    /// Inside link text: brackets are escaped.
    link: bool,
    /// Inside a table cell: `|` is escaped, line breaks become spaces.
    table: bool,
    /// Inside a heading: line breaks become spaces.
    heading: bool,
}

impl Writer {
    fn at_line_start() -> Self {
        Writer {
            line_start: true,
            ..Writer::default()
        }
    }

    /// A writer for nested content with the same escaping context.
    fn nested(&self) -> Self {
        Writer {
            link: self.link,
            table: self.table,
            heading: self.heading,
            ..Writer::default()
        }
    }

    fn space(&mut self) {
        if !self.space {
            self.out.push(' ');
            self.space = true;
        }
    }

    fn raw(&mut self, s: &str) {
        if !s.is_empty() {
            self.out.push_str(s);
            self.space = false;
            self.line_start = false;
        }
    }

    fn text(&mut self, s: &str) {
        let chars: Vec<char> = s.chars().collect();
        let mut forced = None;
        for (i, &c) in chars.iter().enumerate() {
            if is_xml_space(c) {
                self.space();
                continue;
            }
            if self.line_start {
                forced = line_start_escape(chars.get(i..).unwrap_or_default()).map(|k| i + k);
                self.line_start = false;
            }
            if forced == Some(i) || needs_escape(&chars, i, self) {
                self.out.push('\\');
            }
            self.out.push(c);
            self.space = false;
        }
    }
}

/// Whether `chars[i]` must be escaped to be read back as text (in any position).
pub(super) fn needs_escape(chars: &[char], i: usize, w: &Writer) -> bool {
    let at = |j: Option<usize>| j.and_then(|j| chars.get(j)).copied();
    let (prev, next) = (at(i.checked_sub(1)), at(Some(i + 1)));
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let rest = chars.get(i + 1..).unwrap_or_default();
    match at(Some(i)) {
        // `"`, `~`, `^` are OSCAL's q, sub and sup.
        Some('\\' | '*' | '`' | '"' | '~' | '^') => true,
        // Intraword `_` cannot open or close emphasis; NIST's ids rely on that.
        Some('_') => !(alnum(prev) && alnum(next)),
        Some('[') => w.link,
        Some(']') => w.link || next == Some('('),
        Some('{') => next == Some('{'),
        Some('|') => w.table,
        Some('&') => entity_like(rest),
        // `<BREAK>` (NIST) is read back as inline HTML, which becomes text again.
        Some('<') => !simple_tag(rest),
        _ => false,
    }
}

/// `&` followed by this would be read as an entity or character reference.
pub(super) fn entity_like(rest: &[char]) -> bool {
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    name > 0 && rest.get(name) == Some(&';')
}

/// `<` followed by this is a bare tag (`<BREAK>`): inline HTML without Markdown inside.
pub(super) fn simple_tag(rest: &[char]) -> bool {
    let Some(first) = rest.first() else {
        return false;
    };
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '-')
        .count();
    first.is_ascii_alphabetic() && rest.get(name) == Some(&'>')
}

/// Index in `chars` (which starts at the first character of a line) of a block marker that
/// must be escaped: headings, list items, block quotes, HTML blocks, setext underlines.
pub(super) fn line_start_escape(chars: &[char]) -> Option<usize> {
    let first = *chars.first()?;
    let next = chars.get(1).copied();
    let ends = |c: Option<char>| c.is_none_or(is_xml_space);
    let only = |set: &[char]| chars.iter().all(|c| set.contains(c) || is_xml_space(*c));
    match first {
        '#' | '>' | '<' => Some(0),
        '-' | '+' if ends(next) || only(&['-']) => Some(0),
        '=' if only(&['=']) => Some(0),
        '[' if chars.windows(2).any(|w| w == [']', ':']) => Some(0),
        '0'..='9' => {
            let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
            let punct = chars.get(digits).copied();
            let ok = digits <= 9 && matches!(punct, Some('.' | ')'));
            (ok && ends(chars.get(digits + 1).copied())).then_some(digits)
        }
        _ => None,
    }
}

pub(super) fn inline_all(nodes: &[Node], w: &mut Writer, depth: usize) {
    for node in nodes {
        inline_md(node, w, depth);
    }
}

pub(super) fn inline_md(node: &Node, w: &mut Writer, depth: usize) {
    let e = match node {
        Node::Text(s) => return w.text(s),
        Node::Mark(c) => return w.text(&c.to_string()),
        Node::Elem(e) => e,
    };
    if depth > MAX_DEPTH + 8 {
        return;
    }
    match e.name.as_str() {
        "em" | "i" => emphasis_md(e, w, 1, depth),
        "strong" | "b" => emphasis_md(e, w, 2, depth),
        "q" => wrapped_md(e, w, "\"", depth),
        "sub" => wrapped_md(e, w, "~", depth),
        "sup" => wrapped_md(e, w, "^", depth),
        "code" => code_md(e, w),
        "a" => link_md(e, w, depth),
        "img" => image_md(e, w),
        "insert" => {
            let kind = e.attr("type").unwrap_or("param");
            let id = e.attr("id-ref").unwrap_or_default();
            w.raw(&format!("{{{{ insert: {kind}, {id} }}}}"));
        }
        "br" if w.table || w.heading => w.space(),
        "br" => {
            w.raw("\\\n");
            w.space = true;
            w.line_start = true;
        }
        _ => inline_all(&e.children, w, depth + 1),
    }
}

/// `*…*` (`n` = 1) or `**…**` (`n` = 2); edge spaces move outside, since `* x*` is no emphasis.
pub(super) fn emphasis_md(e: &Elem, w: &mut Writer, n: usize, depth: usize) {
    let mut inner = w.nested();
    inline_all(&e.children, &mut inner, depth + 1);
    let body = inner.out.as_str();
    let core = body.trim_matches(' ');
    if body.starts_with(' ') {
        w.space();
    }
    if !core.is_empty() {
        // `**` next to a nested `*` would merge with it; `_` keeps the runs apart.
        let ch = if core.starts_with('*') || core.ends_with('*') {
            "_"
        } else {
            "*"
        };
        let delim = ch.repeat(n);
        w.raw(&delim);
        w.raw(core);
        w.raw(&delim);
    }
    if body.ends_with(' ') && !core.is_empty() {
        w.space();
    }
}

pub(super) fn wrapped_md(e: &Elem, w: &mut Writer, delim: &str, depth: usize) {
    w.raw(delim);
    inline_all(&e.children, w, depth + 1);
    w.raw(delim);
}

pub(super) fn code_md(e: &Elem, w: &mut Writer) {
    let mut raw = String::new();
    collect_text(&e.children, &mut raw, 0);
    let code = raw.split(is_xml_space).filter(|s| !s.is_empty());
    let mut text = code.collect::<Vec<_>>().join(" ");
    if raw.starts_with(is_xml_space) {
        text.insert(0, ' ');
    }
    if raw.ends_with(is_xml_space) && !text.trim().is_empty() {
        text.push(' ');
    }
    if text.is_empty() {
        return;
    }
    if w.table {
        text = text.replace('|', "\\|");
    }
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    // CommonMark strips one space from each side when both are there, and a tick at an edge
    // would join the fence.
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    let pad = if pad { " " } else { "" };
    w.raw(&format!("{ticks}{pad}{text}{pad}{ticks}"));
}

pub(super) fn link_md(e: &Elem, w: &mut Writer, depth: usize) {
    let mut inner = w.nested();
    inner.link = true;
    inline_all(&e.children, &mut inner, depth + 1);
    escape_trailing(&mut w.out, '!');
    target_md(w, "[", &inner.out, e.attr("href"), e.attr("title"));
}

pub(super) fn image_md(e: &Elem, w: &mut Writer) {
    let mut alt = w.nested();
    alt.link = true;
    alt.text(e.attr("alt").unwrap_or_default());
    target_md(w, "![", &alt.out, e.attr("src"), e.attr("title"));
}

/// The `open`…`](destination "title")` of a link (`[`) or an image (`![`), `text` already escaped.
fn target_md(w: &mut Writer, open: &str, text: &str, dest: Option<&str>, title: Option<&str>) {
    w.raw(open);
    w.out.push_str(text);
    w.raw("](");
    w.raw(&destination(dest.unwrap_or_default()));
    w.raw(&title_md(title));
    w.raw(")");
}

/// A link destination, in `<…>` when it has characters a bare one cannot hold.
pub(super) fn destination(href: &str) -> String {
    let bare = !href.is_empty()
        && !href
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '(' | ')' | '<' | '>'));
    let mut out = String::with_capacity(href.len() + 2);
    let chars: Vec<char> = href.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let entity = *c == '&' && entity_like(chars.get(i + 1..).unwrap_or_default());
        if matches!(c, '\\' | '<' | '>') || entity {
            out.push('\\');
        }
        out.push(*c);
    }
    if bare { out } else { format!("<{out}>") }
}

pub(super) fn title_md(title: Option<&str>) -> String {
    match title {
        None => String::new(),
        Some(t) => format!(" \"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

/// Escapes a final `ch` of `out` unless it already is escaped (`!` before `[` makes an image).
pub(super) fn escape_trailing(out: &mut String, ch: char) {
    let Some(body) = out.strip_suffix(ch) else {
        return;
    };
    let slashes = body.chars().rev().take_while(|c| *c == '\\').count();
    if slashes % 2 == 0 {
        let at = body.len();
        out.insert(at, '\\');
    }
}

// ---------------------------------------------------------------- Markdown in
