//! A markup document (HTML, XML, SVG, an Office file's XML members) read as its readers show
//! it: tags taken out (as nothing, as line ends), a table's rows and cells, each element's name
//! as the label of what it holds.

use super::fields;

/// Markup with each table row on a line of its own and its cells split by tabs, other tags
/// taken out.
pub(super) fn rows(text: &str) -> String {
    tags(text, |name| match name {
        "/tr" | "/w:tr" | "/table:table-row" | "/row" => "\n",
        "/td" | "/th" | "/w:tc" | "/table:table-cell" | "/c" => "\t",
        _ => "",
    })
}

/// Markup with each opening tag's name written as a label before what it holds
/// (`PatientName: Zelda Madeup`), each on a line of its own; an element's `value` attribute as
/// what it holds (CDA's `<birthTime value="19710203"/>`), CDATA as its text, comments as nothing.
pub(super) fn elements(text: &str, record: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        if let Some(cdata) = tail.strip_prefix("<![CDATA[") {
            let end = cdata.find("]]>").unwrap_or(cdata.len());
            out.push_str(&cdata[..end]);
            rest = cdata.get(end + 3..).unwrap_or("");
            continue;
        }
        if let Some(comment) = tail.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(close) = tail.find('>') else {
            rest = tail;
            break;
        };
        let tag = &tail[1..close];
        let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
        let opening = !tag.starts_with(['/', '!', '?']) && !name.is_empty();
        out.push('\n');
        if opening {
            let name = name.rsplit(':').next().unwrap_or(name);
            out.push_str(&label(name, record));
            out.push_str(": ");
            if let Some(value) = attribute(tag, "value") {
                // A pair of attributes that names its value (`<field name="patient"
                // value="…"/>`): the name is the label.
                if let Some(named) = attribute(tag, "name").or_else(|| attribute(tag, "key")) {
                    out.push('\n');
                    out.push_str(&label(named, record));
                    out.push_str(": ");
                }
                out.push_str(value);
            }
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    out
}

/// An element's or an attribute's name as the label it ends in ([`fields::key`]:
/// `PatientName`, `birth_date`), or as it is.
fn label(name: &str, record: bool) -> String {
    fields::key(&super::words(name), record).map_or_else(|| name.to_string(), |(label, _)| label)
}

/// The value of the attribute `name` in a tag's text, quoted either way.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.match_indices(name).find(|(i, _)| tag[..*i].ends_with(char::is_whitespace))?.0;
    let after = tag[at + name.len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let inner = &after[1..];
    inner.find(quote).map(|end| &inner[..end])
}

/// `text` with each tag replaced by what `with` gives for its name (`td`, `/td`), as a browser
/// shows it: what it hides taken out (a script, a style sheet, a template, an element marked
/// `hidden` or styled `display:none` or `visibility:hidden`, with everything inside it), and
/// a form field's value shown where the field is.
pub(super) fn tags(text: &str, with: impl Fn(&str) -> &'static str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // The element being hidden, and how deep its own name is nested inside it.
    let mut hiding: Option<(String, usize)> = None;
    while let Some(open) = rest.find('<') {
        if hiding.is_none() {
            out.push_str(&rest[..open]);
        }
        let Some(close) = rest[open..].find('>') else {
            rest = &rest[open..];
            break;
        };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let name =
            tag.split(|c: char| c.is_whitespace() || c == '>').next().unwrap_or("").to_ascii_lowercase();
        if let Some((hidden, depth)) = &mut hiding {
            if name == *hidden && !tag.ends_with('/') {
                *depth += 1;
            } else if name.strip_prefix('/') == Some(hidden.as_str()) {
                *depth -= 1;
                if *depth == 0 {
                    hiding = None;
                }
            }
            continue;
        }
        if hides(&name, tag) {
            if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
                hiding = Some((name, 1));
            }
            continue;
        }
        let shown = with(&name);
        out.push_str(shown);
        // What an element shows that its tag holds: a form field's value, an image's text in
        // its place (shown where the image is missing), Word's symbol by its code.
        let held = match name.as_str() {
            "input" => attribute(tag, "value").map(str::to_string),
            "img" => attribute(tag, "alt").map(str::to_string),
            "w:sym" => attribute(tag, "w:char")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                // A symbol font's codes sit at U+F000 and up, over the ASCII they draw.
                .map(|n| if (0xF020..0xF100).contains(&n) { n - 0xF000 } else { n })
                .and_then(char::from_u32)
                .map(String::from),
            _ => None,
        };
        if let Some(held) = held {
            out.push_str(&held);
            if name != "w:sym" {
                out.push_str(shown);
            }
        }
    }
    if hiding.is_none() {
        out.push_str(rest);
    }
    out
}

/// HTML's elements that have no end tag.
const VOID: &[&str] =
    &["input", "img", "br", "hr", "meta", "link", "area", "base", "col", "embed", "source", "wbr"];

/// Whether a browser hides the element a tag opens, and all it holds.
fn hides(name: &str, tag: &str) -> bool {
    if matches!(name, "script" | "style" | "template") {
        return true;
    }
    let lowered = tag.to_ascii_lowercase();
    let style: String = attribute(&lowered, "style").unwrap_or("").split_whitespace().collect();
    style.contains("display:none")
        || style.contains("visibility:hidden")
        || lowered
            .split_whitespace()
            .skip(1)
            .any(|a| a == "hidden" || a.starts_with("hidden=") || a == "hidden/")
        || (name == "input" && attribute(&lowered, "type") == Some("hidden"))
}

/// `text` with each tag (`<` to `>`) replaced by `with` — but for the tags that are a space or
/// a break where text runs on (OpenDocument's `text:s`, Word's `w:tab`, HTML's `br`), a space.
pub(super) fn untagged(text: &str, with: &'static str) -> String {
    tags(text, |name| if spacing(name.trim_end_matches('/')) { " " } else { with })
}

/// The tags that are a space or a break where text runs on.
fn spacing(name: &str) -> bool {
    matches!(name, "text:s" | "text:tab" | "text:line-break" | "w:tab" | "w:br" | "w:cr" | "br")
}

/// Elements a browser shows in the line of the text around them (HTML's inline elements, and
/// OpenDocument's and Word's runs): a word split by them is one word.
const INLINE: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "cite",
    "code",
    "data",
    "dfn",
    "em",
    "font",
    "i",
    "kbd",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "time",
    "u",
    "var",
    "text:span",
    "w:r",
    "w:t",
];

/// `text` as a browser lays it out: inline elements' tags as nothing, others' (a paragraph, a
/// cell, a heading) as line ends — words split by inline tags in more than one block
/// (`<p>Patient: Zel<span></span>da</p><p>DOB: 03/<i></i>02/1971</p>`) read whole, a block each.
pub(super) fn laid_out(text: &str) -> String {
    tags(text, |name| match name.trim_end_matches('/') {
        n if spacing(n) => " ",
        n if INLINE.contains(&n.trim_start_matches('/')) => "",
        _ => "\n",
    })
}
