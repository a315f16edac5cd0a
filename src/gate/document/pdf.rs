//! A PDF page's text: the strings its content streams show, piece by piece and joined.

/// The text a PDF content stream shows: its strings (literal and hex), those of one `TJ` array
/// run together, a space after `Tj`, a line end where the stream moves or ends a text object.
/// `joined`: the pieces of a text object run together (no space after `Tj`, a space where the
/// stream moves within it or a `TJ` array's gap is wide). None when the text is no content
/// stream.
pub(super) fn pdf_text(text: &str, joined: bool) -> Option<String> {
    // A text object begun with `BT` standing as an operator (between white space or PDF's
    // delimiters), and a string shown: text that only holds the letters (a changelog) is no
    // content stream.
    let apart = |c: Option<u8>| c.is_none_or(|c| c.is_ascii_whitespace() || b"()<>[]{}/%".contains(&c));
    let bytes = text.as_bytes();
    let begins = text
        .match_indices("BT")
        .any(|(at, _)| apart(at.checked_sub(1).map(|k| bytes[k])) && apart(bytes.get(at + 2).copied()));
    if !begins || !(text.contains("Tj") || text.contains("TJ")) {
        return None;
    }
    let b: Vec<u8> = text.chars().map(|c| u8::try_from(c).unwrap_or(b'?')).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'(' => {
                let mut depth = 1;
                i += 1;
                while i < b.len() && depth > 0 {
                    match b[i] {
                        b'\\' => {
                            i += 1;
                            let octal =
                                b[i.min(b.len())..].iter().take(3).take_while(|c| (b'0'..=b'7').contains(c));
                            let digits: Vec<u8> = octal.copied().collect();
                            if digits.is_empty() {
                                out.push(match b.get(i) {
                                    Some(b'n' | b'r') => b'\n',
                                    Some(b't') => b'\t',
                                    Some(&c) => c,
                                    None => break,
                                });
                            } else {
                                let n = digits.iter().fold(0u32, |n, d| n * 8 + u32::from(d - b'0'));
                                out.push(u8::try_from(n).unwrap_or(b'?'));
                                i += digits.len() - 1;
                            }
                        }
                        b'(' => {
                            depth += 1;
                            out.push(b'(');
                        }
                        b')' => {
                            depth -= 1;
                            if depth > 0 {
                                out.push(b')');
                            }
                        }
                        c => out.push(c),
                    }
                    i += 1;
                }
                continue;
            }
            b'<' if b.get(i + 1) != Some(&b'<') => {
                let end = b[i..].iter().position(|&c| c == b'>').map_or(b.len(), |p| i + p);
                let hex: Vec<u8> = b[i + 1..end].iter().copied().filter(u8::is_ascii_hexdigit).collect();
                let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                out.extend(hex.chunks(2).map(|p| digit(p[0]) * 16 + p.get(1).map_or(0, |&c| digit(c))));
                i = end;
            }
            b'<' => i += 1,
            b'T' if b.get(i + 1) == Some(&b'j') && !joined => out.push(b' '),
            b'T' if matches!(b.get(i + 1), Some(b'd' | b'D' | b'm')) => {
                out.push(if joined { b' ' } else { b'\n' })
            }
            b'T' if b.get(i + 1) == Some(&b'*') => out.push(b'\n'),
            // A wide gap in a `TJ` array: a word space, where pieces run on.
            b'-' if joined && b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count() >= 3 => {
                out.push(b' ')
            }
            b'E' if b.get(i + 1) == Some(&b'T') => out.push(b'\n'),
            b'\'' | b'"' => out.push(b'\n'),
            _ => {}
        }
        i += 1;
    }
    Some(out.iter().map(|&c| char::from(c)).collect())
}

/// The text a PostScript page shows (`%!PS`): the strings of each line, run together, a line
/// each (`(Patient: Zel) show (da Madeup) show`: one word split over two `show`s). None when
/// the text is no PostScript.
pub(super) fn ps_text(text: &str) -> Option<String> {
    if !text.starts_with("%!PS") {
        return None;
    }
    let lines: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let mut shown = String::new();
            let mut rest = line;
            while let Some(open) = rest.find('(') {
                let close = rest[open..].find(')').map_or(rest.len(), |c| open + c);
                shown.push_str(&rest[open + 1..close]);
                rest = rest.get(close + 1..).unwrap_or_default();
            }
            (!shown.is_empty()).then_some(shown)
        })
        .collect();
    Some(lines.join("\n"))
}
