//! Base64 inside text, laid out as the programs that write it lay it out: a `data:` URI in a web
//! page, an e-mail's attachment (lines of 76), PEM armour (`-----BEGIN …-----`), lines indented
//! in YAML or a pretty-printed document, groups of four split by spaces, a JSON string's `\n` and
//! `\/` escapes. A reader takes the bytes out by dropping what is not of the alphabet and decoding
//! the rest. Where a run of letters begins is not always where the encoding began (a word of the
//! text before it, such as `base64`, reads as letters too), so each run is decoded from each of
//! the four places a group of four could start: one of them is the encoder's.
//!
//! Written here rather than taken from a library: decoders (the `base64` crate among them) take
//! one encoding whole; finding it in text is the part no library does.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Fewest letters a run holds to be read: as many as a whole file of base64 must have.
pub(super) const LEAST: usize = 180;

/// A run of base64 letters in text: where it starts, and its letters with what separated them
/// dropped (and `=` kept: padding ends an encoding).
struct Run {
    start: usize,
    letters: Vec<u8>,
}

/// A letter of either base64 alphabet, or padding.
pub(super) fn letter(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
}

/// The runs of `text`: letters of either alphabet, with spaces, tabs, line breaks and a JSON
/// string's escapes (`\n`, `\r`, `\t`, and `\/` for a slash) between them; any other character
/// ends one.
fn runs(text: &[u8]) -> Vec<Run> {
    let mut out = Vec::new();
    let mut run = Run { start: 0, letters: Vec::new() };
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        let escape = (b == b'\\').then(|| text.get(i + 1).copied()).flatten();
        let step = match (b, escape) {
            (_, Some(b'n' | b'r' | b't')) => 2,
            (_, Some(b'/')) => {
                run.letters.push(b'/');
                2
            }
            (b' ' | b'\t' | b'\r' | b'\n', _) => 1,
            _ if letter(b) => {
                if run.letters.is_empty() {
                    run.start = i;
                }
                run.letters.push(b);
                1
            }
            _ => {
                let ended = std::mem::replace(&mut run, Run { start: 0, letters: Vec::new() });
                if ended.letters.len() >= LEAST {
                    out.push(ended);
                }
                1
            }
        };
        i += step;
    }
    if run.letters.len() >= LEAST {
        out.push(run);
    }
    out
}

/// Tokens of base64 (40 letters or more) with a little of something else between them — a JSON
/// array's `", "`, a program's `" +` and a line break, a full stop, a quoted e-mail's `> ` —
/// joined as a decoder joins them once what is between is taken out; a shorter token within reach
/// ends the group (a last line).
fn groups(text: &[u8]) -> Vec<Run> {
    const GAP: usize = 8;
    let mut out = Vec::new();
    let mut run = Run { start: 0, letters: Vec::new() };
    let mut last_end = 0;
    let mut i = 0;
    let end_group = |run: &mut Run, out: &mut Vec<Run>| {
        let ended = std::mem::replace(run, Run { start: 0, letters: Vec::new() });
        if ended.letters.len() >= LEAST {
            out.push(ended);
        }
    };
    while i < text.len() {
        if !letter(text[i]) {
            i += 1;
            continue;
        }
        let len = text[i..].iter().take_while(|&&b| letter(b)).count();
        // A letter or three between tokens (a program's `+`) is part of what lies between.
        if len < 4 {
            i += len;
            continue;
        }
        let near = !run.letters.is_empty() && i - last_end <= GAP;
        if !near {
            end_group(&mut run, &mut out);
        }
        if len >= 40 || near {
            if run.letters.is_empty() {
                run.start = i;
            }
            run.letters.extend_from_slice(&text[i..i + len]);
            if len < 40 {
                end_group(&mut run, &mut out);
            }
        }
        i += len;
        last_end = i;
    }
    end_group(&mut run, &mut out);
    out
}

/// Letters that could be one encoding in one alphabet: padding ends one (what follows is another),
/// and a character of the other alphabet is not of it (`-----BEGIN`, a `--boundary`). Letters of
/// both alphabets are cut for the one whose longest piece is longest: cut for the other, the
/// encoding falls into pieces at its every `+` and `/` (or `-` and `_`), and a piece is a file cut
/// short.
fn pieces(letters: &[u8]) -> Vec<(&[u8], &'static GeneralPurpose)> {
    let standard = |b: &u8| matches!(b, b'+' | b'/');
    let url_safe = |b: &u8| matches!(b, b'-' | b'_');
    let mut out = Vec::new();
    for padded in letters.split(|&b| b == b'=') {
        let by_standard: Vec<&[u8]> = padded.split(url_safe).collect();
        let by_url_safe: Vec<&[u8]> = padded.split(standard).collect();
        let longest = |pieces: &[&[u8]]| pieces.iter().map(|p| p.len()).max().unwrap_or(0);
        if longest(&by_standard) >= longest(&by_url_safe) {
            out.extend(by_standard.into_iter().map(|p| (p, &STANDARD)));
        } else {
            out.extend(by_url_safe.into_iter().map(|p| (p, &URL_SAFE)));
        }
    }
    out.retain(|(p, _)| p.len() >= LEAST);
    out
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_allow_trailing_bits(true)
    .with_decode_padding_mode(DecodePaddingMode::Indifferent);
static STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
static URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

/// What a reader could decode from the base64 in `text`: for each run of letters long enough to
/// hold a file, where it starts and its bytes decoded from each of the four places an encoding
/// could have begun, each as far as whole groups go.
pub fn decodings(text: &[u8]) -> impl Iterator<Item = (usize, Vec<u8>)> + '_ {
    let mut all = runs(text);
    for g in groups(text) {
        if !all.iter().any(|r| r.letters == g.letters) {
            all.push(g);
        }
    }
    all.into_iter().flat_map(|run| {
        let decode = |piece: &[u8], engine: &GeneralPurpose| {
            // A last group of one letter is no byte.
            let usable = if piece.len() % 4 == 1 { piece.len() - 1 } else { piece.len() };
            engine.decode(&piece[..usable]).ok()
        };
        let mut decoded: Vec<Vec<u8>> = pieces(&run.letters)
            .into_iter()
            .flat_map(|(piece, engine)| (0..4).filter_map(move |skip| decode(&piece[skip..], engine)))
            .collect();
        // Encodings padded one after another (`base64 -d` reads them on): each from its start.
        let padded: Vec<&[u8]> = run.letters.split(|&b| b == b'=').filter(|p| !p.is_empty()).collect();
        if padded.len() > 1 {
            let joined: Vec<u8> = padded.iter().filter_map(|p| decode(p, &STANDARD)).flatten().collect();
            if joined.len() >= LEAST * 3 / 4 {
                decoded.push(joined);
            }
        }
        decoded.into_iter().map(move |bytes| (run.start, bytes))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &[u8] = b"\0\0\0\0DICM a file's bytes, made up, long enough to be worth decoding \
        from text: \xff\xfe\xfd\x01\x02\x03 and on, and on, and on, and on, and on, and on, and \
        on, and on, and on, and on, and on.";

    fn found(text: &[u8]) -> bool {
        decodings(text).any(|(_, bytes)| bytes.windows(DATA.len()).any(|w| w == DATA))
    }

    fn encoded() -> String {
        base64::engine::general_purpose::STANDARD.encode(DATA)
    }

    fn lines(text: &str, width: usize, indent: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        chars.chunks(width).map(|c| format!("{indent}{}\n", c.iter().collect::<String>())).collect()
    }

    #[test]
    fn base64_is_found_as_writers_lay_it_out() {
        let b64 = encoded();
        assert!(b64.contains('/') || b64.contains('+'), "a run of the standard alphabet only");
        for (layout, text) in [
            ("whole", b64.clone()),
            ("pem", format!("-----BEGIN FILE-----\n{}-----END FILE-----\n", lines(&b64, 64, ""))),
            ("indented", format!("file: |\n{}kept: true\n", lines(&b64, 76, "    "))),
            ("grouped", lines(&b64, 4, "").replace('\n', " ")),
            (
                "json",
                format!("{{\"f\": \"{}\"}}", lines(&b64, 76, "").replace('/', "\\/").replace('\n', "\\n")),
            ),
            ("word before", format!("Attached as base64\n{}", lines(&b64, 76, ""))),
            ("url-safe", b64.replace('+', "-").replace('/', "_")),
            ("quoted mail", lines(&b64, 64, "> ")),
            ("full stops", lines(&b64, 64, "").replace('\n', ".\n")),
            (
                "a program's strings",
                format!(
                    "var f = {};",
                    lines(&b64, 64, "")
                        .lines()
                        .map(|l| format!("\"{l}\""))
                        .collect::<Vec<_>>()
                        .join(" +\n  ")
                ),
            ),
            (
                "a JSON array",
                format!(
                    "{{\"lines\": [{}]}}",
                    lines(&b64, 64, "").lines().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
                ),
            ),
        ] {
            assert!(found(text.as_bytes()), "{layout}: not found");
        }
    }

    #[test]
    fn short_runs_are_not_read() {
        let b64 = encoded();
        let cut = lines(&b64, 30, "").replace('\n', ", as the note went on to say. ");
        assert!(!found(cut.as_bytes()), "runs of 30 letters between words were read");
        assert_eq!(decodings(b"a short note, with words\n").count(), 0);
    }
}
