//! Text encodings of a whole file other than base64 (`in_text`), as the tools that write them
//! lay them out: hex dumps (`xxd`, pairs split by spaces, a C array's `0x44,`, `\x44` escapes,
//! a Python bytes literal), quoted-printable and percent-encoding, uuencode, ASCII85 (Adobe's,
//! `<~ … ~>`, and RFC 1924's base85) and base32. Each is decoded as its tool decodes it and the
//! bytes are read as a file. What decodes to nothing that reads as a file is passed on as bytes
//! like any others (and judged as such), so a guess that is wrong costs a pass, not a refusal.
//!
//! Written here rather than taken from libraries: each decoder is a few lines, and finding the
//! encoding in text laid out as people lay it out is the part no library does.

/// Fewest bytes a decoding must give to be read as bytes: fewer hold no file a reader takes.
const LEAST: usize = 132;

/// Fewest bytes a decoding that is printable text must give to be read: a labelled line
/// (`MRN: 4711913`) is a dozen. Text that is no encoding seldom decodes to printable text.
const LEAST_TEXT: usize = 12;

/// What the text decodes to in each encoding it could be: the encoding's name and the bytes.
/// A short file of an encoding (a labelled report of four lines in base64) is read when what
/// it decodes to is printable text.
pub fn decodings(text: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let mut add = |name: &'static str, bytes: Option<Vec<u8>>| {
        if let Some(b) = bytes.filter(|b| b.len() >= LEAST || (b.len() >= LEAST_TEXT && printable(b))) {
            out.push((name, b));
        }
    };
    add("(base64)", short_base64(text));
    add("(hex)", short_hex(text));
    add("(xxd)", xxd(text));
    add("(hex)", hex_tokens(text));
    add("(bytes literal)", escaped_bytes(text));
    add("(quoted-printable)", escaped(text, b'='));
    add("(percent-encoded)", escaped(text, b'%'));
    add("(uuencode)", uudecode(text));
    add("(ascii85)", ascii85(text));
    add("(base85)", base85(text));
    add("(base32)", base32(text));
    out
}

/// Printable ASCII text: letters, digits, marks, spaces, tabs and line breaks only.
fn printable(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// A whole text that is base64 too short for [`super::in_text`] to read (fewer letters than a
/// file of base64 has): its letters in groups of four, padded as an encoder pads them.
fn short_base64(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    if !all_of(text, |c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')) {
        return None;
    }
    let letters = letters_of(text);
    if letters.len() >= super::in_text::LEAST || !letters.len().is_multiple_of(4) {
        return None;
    }
    base64::engine::general_purpose::STANDARD.decode(&letters).ok()
}

/// A whole text of hex digits too short to be taken for a hex file (`xxd -p` of a note).
fn short_hex(text: &[u8]) -> Option<Vec<u8>> {
    let letters = letters_of(text);
    let hex = all_of(text, |c| c.is_ascii_hexdigit()) && letters.len().is_multiple_of(2);
    (hex && letters.len() < 360).then(|| pairs(&letters))
}

fn hex(d: u8) -> Option<u8> {
    (d as char).to_digit(16).map(|n| n as u8)
}

/// Hex digits, two to a byte (a last digit alone is no byte; what is not a digit pair is skipped).
pub(super) fn pairs(digits: &[u8]) -> Vec<u8> {
    digits.chunks_exact(2).filter_map(|p| Some(hex(p[0])? << 4 | hex(p[1])?)).collect()
}

/// An `xxd` (or `hexdump -C`) dump: lines of an offset, a colon or spaces, hex groups, and the
/// bytes shown as text after two spaces.
fn xxd(text: &[u8]) -> Option<Vec<u8>> {
    let mut digits = Vec::new();
    let mut lines = 0;
    for line in text.split(|&b| b == b'\n') {
        let offset = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        let rest = &line[offset..];
        let body = match rest {
            [b':', b' ', body @ ..] | [b' ', b' ', body @ ..] if offset >= 6 => body,
            _ => continue,
        };
        // The hex part ends where two spaces do (the text column follows).
        let end = body.windows(2).position(|w| w == b"  ").unwrap_or(body.len());
        let groups = &body[..end];
        if !groups.iter().all(|b| b.is_ascii_hexdigit() || *b == b' ') {
            continue;
        }
        digits.extend(groups.iter().filter(|b| b.is_ascii_hexdigit()));
        lines += 1;
    }
    (lines >= 4).then(|| pairs(&digits))
}

/// Hex bytes as tokens of two digits (or more, in even counts), `0x` or `\x` before each or
/// not, split by spaces, commas, braces, line breaks: `44 49 43 4d`, `{0x44, 0x49}`, `\x44\x49`.
fn hex_tokens(text: &[u8]) -> Option<Vec<u8>> {
    let mut digits = Vec::new();
    let mut i = 0;
    let (mut tokens, mut odd) = (0usize, 0usize);
    while i < text.len() {
        let prefixed = matches!(&text[i..], [b'0', b'x' | b'X', ..] | [b'\\', b'x', ..]);
        let start = if prefixed { i + 2 } else { i };
        let len = text[start..].iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if len > 0 && (prefixed || start == 0 || !text[start - 1].is_ascii_alphanumeric()) {
            let after = text.get(start + len);
            if after.is_none_or(|b| !b.is_ascii_alphanumeric() || prefixed && *b == b'\\') {
                tokens += 1;
                if len % 2 == 1 {
                    odd += 1;
                } else {
                    digits.extend_from_slice(&text[start..start + len]);
                }
            }
            i = start + len;
        } else {
            i += 1;
        }
    }
    (tokens >= 64 && odd * 20 <= tokens).then(|| pairs(&digits))
}

/// A Python bytes literal (`b'DICM\x02\x00…'`): escapes as Python reads them, other characters as
/// themselves.
fn escaped_bytes(text: &[u8]) -> Option<Vec<u8>> {
    let t = text.trim_ascii();
    let quote = match t {
        [b'b', q @ (b'\'' | b'"'), ..] => *q,
        _ => return None,
    };
    let body = t[2..].strip_suffix(&[quote])?;
    let mut out = Vec::with_capacity(body.len() / 2);
    let mut i = 0;
    while i < body.len() {
        match (body[i], body.get(i + 1)) {
            (b'\\', Some(b'x')) => {
                out.push(hex(*body.get(i + 2)?)? << 4 | hex(*body.get(i + 3)?)?);
                i += 4;
            }
            (b'\\', Some(&c)) => {
                out.push(match c {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'0' => 0,
                    c => c,
                });
                i += 2;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

/// Quoted-printable (`=44`, a line ended by `=` goes on) or percent-encoding (`%44`), where it is
/// the text's way of writing bytes (64 escapes or more).
fn escaped(text: &[u8], mark: u8) -> Option<Vec<u8>> {
    let is_escape = |i: usize| {
        text[i] == mark
            && text.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && text.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    };
    if (0..text.len()).filter(|&i| is_escape(i)).take(64).count() < 64 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 3);
    let mut i = 0;
    while i < text.len() {
        if is_escape(i) {
            out.extend(pairs(&text[i + 1..i + 3]));
            i += 3;
        } else if mark == b'='
            && text[i] == b'='
            && matches!(&text[i + 1..], [b'\n', ..] | [b'\r', b'\n', ..])
        {
            i += if text[i + 1] == b'\r' { 3 } else { 2 };
        } else if mark == b'=' && matches!(text[i], b'\n' | b'\r') {
            i += 1;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    Some(out)
}

/// uuencode: `begin MODE NAME`, lines whose first character counts their bytes, `end`.
fn uudecode(text: &[u8]) -> Option<Vec<u8>> {
    let start = memchr::memmem::find(text, b"begin ")?;
    let mut lines = text[start..].split(|&b| b == b'\n').skip(1);
    let mut out = Vec::new();
    for line in lines.by_ref() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"end" || line.is_empty() {
            break;
        }
        let n = usize::from((line[0].wrapping_sub(b' ')) & 63);
        let six = |c: u8| (c.wrapping_sub(b' ')) & 63;
        let mut bytes = Vec::with_capacity(n + 2);
        for g in line[1..].chunks(4) {
            let c: Vec<u8> = (0..4).map(|k| six(*g.get(k).unwrap_or(&b' '))).collect();
            bytes.extend([c[0] << 2 | c[1] >> 4, c[1] << 4 | c[2] >> 2, c[2] << 6 | c[3]]);
        }
        bytes.truncate(n);
        out.extend(bytes);
    }
    Some(out)
}

/// Base-85 groups of five characters, each a digit of `alphabet`, to four bytes; a last group
/// that is short is padded as the encoders pad it.
fn base85_groups(letters: &[u8], digit: impl Fn(u8) -> Option<u32>, z_for_zeros: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(letters.len() / 5 * 4);
    let mut group = Vec::with_capacity(5);
    for &c in letters {
        if z_for_zeros && c == b'z' && group.is_empty() {
            out.extend([0; 4]);
            continue;
        }
        group.push(digit(c)?);
        if group.len() == 5 {
            let n = group.iter().try_fold(0u32, |n, &d| n.checked_mul(85)?.checked_add(d))?;
            out.extend(n.to_be_bytes());
            group.clear();
        }
    }
    if !group.is_empty() {
        let kept = group.len() - 1;
        group.resize(5, 84);
        let n = group.iter().try_fold(0u32, |n, &d| n.checked_mul(85)?.checked_add(d))?;
        out.extend(&n.to_be_bytes()[..kept]);
    }
    Some(out)
}

/// Marks and digits one character in twenty or more, as in an encoding of bytes (a quarter of
/// base85's alphabet is marks, an eighth digits); prose has few.
fn mixed(letters: &[u8]) -> bool {
    let marks = letters.iter().filter(|c| c.is_ascii_punctuation()).count();
    let digits = letters.iter().filter(|c| c.is_ascii_digit()).count();
    marks * 20 >= letters.len() && digits * 20 >= letters.len()
}

/// Whether every character but white space is one `of` takes (stopping at the first that is not).
fn all_of(text: &[u8], of: impl Fn(u8) -> bool) -> bool {
    text.iter().all(|&c| c.is_ascii_whitespace() || of(c))
}

fn letters_of(text: &[u8]) -> Vec<u8> {
    text.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect()
}

/// ASCII85 as Adobe writes it (`<~ … ~>`, `z` for four zero bytes), or a whole text of its
/// alphabet.
fn ascii85(text: &[u8]) -> Option<Vec<u8>> {
    let body = match (memchr::memmem::find(text, b"<~"), memchr::memmem::rfind(text, b"~>")) {
        (Some(a), Some(b)) if b > a => &text[a + 2..b],
        _ => text,
    };
    if !all_of(body, |c| (b'!'..=b'u').contains(&c) || c == b'z') {
        return None;
    }
    let letters = letters_of(body);
    // Outside its marks, letters alone (prose without v to y) are no ASCII85: an encoding's
    // characters are marks and digits a good part of the time.
    if body.len() == text.len() && !mixed(&letters) {
        return None;
    }
    base85_groups(&letters, |c| Some(u32::from(c - b'!')), true)
}

/// RFC 1924's base85 (Python's `b85encode`, git's binary patches): a whole text of its alphabet.
fn base85(text: &[u8]) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] =
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
    let mut of = [false; 256];
    for &c in ALPHABET {
        of[usize::from(c)] = true;
    }
    if !all_of(text, |c| of[usize::from(c)]) {
        return None;
    }
    let letters = letters_of(text);
    if !mixed(&letters) {
        return None;
    }
    base85_groups(&letters, |c| ALPHABET.iter().position(|&a| a == c).map(|p| p as u32), false)
}

/// Base32 (RFC 4648): a whole text of `A`–`Z`, `2`–`7` and padding.
fn base32(text: &[u8]) -> Option<Vec<u8>> {
    if !all_of(text, |c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c) || c == b'=') {
        return None;
    }
    let letters = letters_of(text);
    let body = letters.strip_suffix(b"=").map_or(&letters[..], |_| {
        let end = letters.iter().rposition(|&c| c != b'=').map_or(0, |p| p + 1);
        &letters[..end]
    });
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'2'..=b'7' => Some(c - b'2' + 26),
        _ => None,
    };
    let mut out = Vec::with_capacity(body.len() * 5 / 8);
    let (mut acc, mut bits) = (0u64, 0);
    for &c in body {
        acc = acc << 5 | u64::from(value(c)?);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Vec<u8> {
        let mut d = vec![0u8; 128];
        d.extend_from_slice(b"DICM\x02\x00\x00\x00made-up bytes of a file, long enough to count");
        d.extend((0..=255u8).cycle().take(300));
        d
    }

    /// The first encoding whose decoding holds the data, of those `want` is one of.
    fn found_as(text: &[u8], want: &str) -> Option<&'static str> {
        let d = data();
        let mut names =
            decodings(text).into_iter().filter(|(_, b)| b.windows(d.len()).any(|w| w == d)).map(|(n, _)| n);
        names.find(|&n| n == want)
    }

    fn found(text: &[u8]) -> Option<&'static str> {
        let d = data();
        decodings(text).into_iter().find(|(_, b)| b.windows(d.len()).any(|w| w == d)).map(|(n, _)| n)
    }

    #[test]
    fn each_encoding_is_read_as_its_tool_writes_it() {
        let d = data();
        let hex: Vec<String> = d.iter().map(|b| format!("{b:02x}")).collect();
        let xxd: String = d
            .chunks(16)
            .enumerate()
            .map(|(i, c)| {
                let groups: Vec<String> =
                    c.chunks(2).map(|p| p.iter().map(|b| format!("{b:02x}")).collect()).collect();
                format!("{:08x}: {:<40} {}\n", i * 16, groups.join(" "), ".".repeat(c.len()))
            })
            .collect();
        let c_array = format!(
            "unsigned char f[] = {{{}}};",
            hex.iter().map(|h| format!("0x{h}")).collect::<Vec<_>>().join(", ")
        );
        let escapes: String = hex.iter().map(|h| format!("\\x{h}")).collect();
        let literal = format!("b'{escapes}'");
        let qp: String = d
            .iter()
            .map(|b| format!("={b:02X}"))
            .collect::<Vec<_>>()
            .chunks(25)
            .map(|c| c.concat() + "=\n")
            .collect();
        let percent: String = d.iter().map(|b| format!("%{b:02X}")).collect();
        for (name, text) in [
            ("(xxd)", xxd),
            ("(hex)", hex.join(" ")),
            ("(hex)", c_array),
            ("(hex)", escapes),
            ("(bytes literal)", literal),
            ("(quoted-printable)", qp),
            ("(percent-encoded)", percent),
        ] {
            assert_eq!(found_as(text.as_bytes(), name), Some(name), "{name}");
        }
    }

    #[test]
    fn tools_encodings_decode_back() {
        // Made with the tools on this data: Python's a85encode(adobe=True), b85encode,
        // b32encode and binascii.b2a_uu.
        let d = data();
        let python = |code: &str| -> Vec<u8> {
            let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
            let out = std::process::Command::new("python3")
                .args(["-c", &format!("import base64,binascii,sys; d=bytes.fromhex('{hex}'); sys.stdout.buffer.write({code})")])
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            out.stdout
        };
        let uu = python(
            "b'begin 644 f\\n' + b''.join(binascii.b2a_uu(d[i:i+45]) for i in range(0, len(d), 45)) + b'`\\nend\\n'",
        );
        assert_eq!(found(&uu), Some("(uuencode)"));
        assert_eq!(found(&python("base64.a85encode(d, adobe=True, wrapcol=76)")), Some("(ascii85)"));
        assert_eq!(found(&python("base64.b85encode(d)")), Some("(base85)"));
        assert_eq!(found(&python("base64.b32encode(d)")), Some("(base32)"));
    }

    #[test]
    fn prose_and_numbers_are_no_encoding() {
        let prose = b"The study of 12 slices, 5 mm, 120 kV; series 3 of 4 (axial), repeated. ".repeat(40);
        assert!(decodings(&prose).is_empty());
        let table = b"12 34 56 78 90 11 22 33\n".repeat(4);
        assert!(decodings(&table).is_empty(), "a few numbers are no hex dump");
    }
}
