//! A document written in control words (RTF, TeX and LaTeX) read as its reader shows it: the
//! words that format text taken out (`Pa\b tient\b0:`, `\textbf{Patient}:`), those that break
//! a line or a cell as line ends and tabs, escaped characters as what they stand for (RTF's
//! `\'e9` and `\u8203?`), a soft hyphen (`Pa\-tient`) and RTF's hidden text (`\v … \v0`) as
//! nothing. Written here: no crate
//! reads both, and the gate needs only the text, from bytes that may be neither.

/// The text of an RTF or TeX document, or None when `text` is neither.
pub(super) fn shown(text: &str) -> Option<String> {
    let rtf = text.trim_start().starts_with("{\\rtf");
    let tex = ["\\documentclass", "\\begin{", "\\-", "\\textbf{", "\\section{", "\\par"]
        .iter()
        .any(|c| text.contains(c));
    if !rtf && !tex {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    // The depth of groups, and the depth at which a group whose text no reader shows began
    // (RTF's font and colour tables, style sheets, pictures, `{\*\…}` destinations).
    let (mut depth, mut unseen): (usize, Option<usize>) = (0, None);
    // Whether RTF's text is hidden (`\v`), in each open group: a group's end restores it.
    let mut hidden = vec![false];
    // How many characters stand in for each `\u` character after it (RTF's `\ucN`, 1 unless set).
    let mut stand_ins = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '{' => {
                depth += 1;
                hidden.push(hidden.last().copied().unwrap_or(false));
                let word: String = chars[i..].iter().take(12).collect();
                if rtf
                    && unseen.is_none()
                    && ["\\*", "\\fonttbl", "\\colortbl", "\\stylesheet", "\\pict", "\\listtable"]
                        .iter()
                        .any(|d| word.starts_with(d))
                {
                    unseen = Some(depth);
                }
            }
            '}' => {
                if unseen == Some(depth) {
                    unseen = None;
                }
                depth = depth.saturating_sub(1);
                if hidden.len() > 1 {
                    hidden.pop();
                }
            }
            '\\' => {
                if rtf && let Some(now) = hides(&chars[i..]) {
                    *hidden.last_mut().expect("one state at least") = now;
                }
                if rtf && chars[i..].starts_with(&['u', 'c']) {
                    let n: String = chars[i + 2..].iter().take_while(|c| c.is_ascii_digit()).collect();
                    stand_ins = n.parse().unwrap_or(1);
                }
                let (shows, len) = control(&chars[i..], rtf, stand_ins);
                i += len;
                if unseen.is_none() && hidden.last() != Some(&true) {
                    out.push_str(&shows);
                }
            }
            // TeX's tie is a space, its `&` a table's next cell, its `^^5a` a character; its
            // `%` starts a comment to the line's end.
            '~' if tex && !rtf => out.push(' '),
            '&' if tex && !rtf => out.push('\t'),
            '^' if tex && !rtf && chars.get(i) == Some(&'^') => {
                let hex: String = chars[i + 1..].iter().take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(b) if hex.len() == 2 => {
                        out.push(char::from(b));
                        i += 3;
                    }
                    _ => out.push('^'),
                }
            }
            '%' if tex && !rtf => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            // RTF's line ends in the source are nothing: `\par` ends its lines.
            '\r' | '\n' if rtf => {}
            c if unseen.is_none() && hidden.last() != Some(&true) => out.push(c),
            _ => {}
        }
    }
    Some(out)
}

/// Whether the RTF control word after a backslash hides the text after it (`\v`), shows it
/// again (`\v0`, `\plain`), or neither (None).
fn hides(rest: &[char]) -> Option<bool> {
    let name: String = rest.iter().take_while(|c| c.is_ascii_alphabetic()).collect();
    let number: String = rest[name.len()..].iter().take_while(|c| c.is_ascii_digit()).collect();
    match name.as_str() {
        "v" => Some(number != "0"),
        "plain" => Some(false),
        _ => None,
    }
}

/// TeX's commands whose arguments no reader sees.
const ARGUMENTS_UNSHOWN: &[&str] = &[
    "begin",
    "end",
    "documentclass",
    "usepackage",
    "label",
    "ref",
    "cite",
    "input",
    "include",
    "bibliography",
];

/// What the control word or symbol after a backslash shows, and how many characters it takes
/// (its name, its number, and the one space that ends it).
fn control(rest: &[char], rtf: bool, stand_ins: usize) -> (String, usize) {
    let Some(&first) = rest.first() else { return (String::new(), 0) };
    if !first.is_ascii_alphabetic() {
        return match first {
            // RTF's escaped byte (Windows-1252: Latin-1 for letters).
            '\'' if rtf => {
                let hex: String = rest[1..].iter().take(2).collect();
                let byte = u8::from_str_radix(&hex, 16).ok();
                (byte.map(|b| char::from(b).to_string()).unwrap_or_default(), 1 + hex.len())
            }
            '-' | '/' | '*' | '@' => (String::new(), 1),
            '~' | ',' | ' ' | ';' | ':' => (" ".into(), 1),
            '_' => ("-".into(), 1),
            '\\' if !rtf => ("\n".into(), 1),
            '\n' | '\r' if rtf => ("\n".into(), 1),
            c => (c.to_string(), 1),
        };
    }
    let name: String = rest.iter().take_while(|c| c.is_ascii_alphabetic()).collect();
    let mut len = name.len();
    let number: String = rest[len..]
        .iter()
        .enumerate()
        .take_while(|&(k, c)| c.is_ascii_digit() || (k == 0 && *c == '-' && rtf))
        .map(|(_, c)| *c)
        .collect();
    len += number.len();
    let mut shows = match name.as_str() {
        "par" | "line" | "sect" | "page" | "row" | "newline" | "item" | "section" | "subsection" => {
            "\n".into()
        }
        "tab" | "cell" | "quad" | "qquad" => "\t".into(),
        "emspace" | "enspace" | "qmspace" => " ".into(),
        // RTF's character by number (UTF-16), then the one a reader without Unicode shows.
        "u" if rtf && !number.is_empty() => {
            let n = number.parse::<i32>().unwrap_or(0);
            let n = if n < 0 { n + 65536 } else { n };
            if rest.get(len) == Some(&' ') {
                len += 1;
            }
            for _ in 0..stand_ins {
                len += usize::from(rest.get(len).is_some_and(|c| !matches!(c, '\\' | '{' | '}')));
            }
            return (char::from_u32(n as u32).map(String::from).unwrap_or_default(), len);
        }
        // TeX's character by number (`\char90`).
        "char" if !rtf && !number.is_empty() => {
            let n = number.parse::<u32>().unwrap_or(0);
            len += usize::from(rest.get(len) == Some(&' '));
            return (char::from_u32(n).map(String::from).unwrap_or_default(), len);
        }
        _ => String::new(),
    };
    // One space ends a control word and is part of it.
    if rest.get(len) == Some(&' ') {
        len += 1;
    }
    if !rtf && name == "item" {
        shows.push(' ');
    }
    // TeX's commands whose arguments are names, not text (`\begin{document}`): the arguments
    // too.
    if !rtf && ARGUMENTS_UNSHOWN.contains(&name.as_str()) {
        while let Some(&open @ ('{' | '[')) = rest.get(len) {
            let close = if open == '{' { '}' } else { ']' };
            len += rest[len..].iter().position(|&c| c == close).map_or(rest.len() - len, |p| p + 1);
        }
    }
    (shows, len)
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn rtf_and_tex_show_their_text() {
        let rtf = "{\\rtf1\\ansi{\\fonttbl{\\f0 Times;}}\\f0\\fs24 Pa\\b tient\\b0 : Zelda Made\\'fcp\\par DOB\\tab 1971\\par}";
        assert_eq!(shown(rtf).unwrap(), "Patient: Zelda Madeüp\nDOB\t1971\n");
        assert_eq!(shown("{\\rtf1 Pa\\u173?tient}").unwrap(), "Pa\u{AD}tient");
        assert_eq!(
            shown("{\\rtf1 Patient: {\\v x}Zelda \\v y\\v0 Madeup}").unwrap(),
            "Patient: Zelda Madeup"
        );
        let tex = "\\documentclass{article}\\begin{document}\\textbf{Pa\\-tient}: Zelda~Madeup % note\n\\end{document}";
        assert_eq!(shown(tex).unwrap(), "Patient: Zelda Madeup \n");
        assert_eq!(shown("plain text, no commands"), None);
    }
}
