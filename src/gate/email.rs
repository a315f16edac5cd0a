//! An e-mail's parts as a mail reader shows them: each part's body decoded from the transfer
//! encoding its headers name (base64, quoted-printable), and the headers' encoded words
//! (`=?utf-8?B?…?=`, RFC 2047) decoded. Each is judged as a file of its own (a note, a web page,
//! a gzipped attachment). A short base64 body is no run [`super::in_text`] reads (fewer than 180
//! letters), and an encoded word is none at all.
//!
//! Written here rather than with a mail library: the gate needs each body's bytes from text
//! that may be an e-mail only in part (a saved message, a part cut out of one); a parser that
//! wants a whole, well-formed message refuses just those.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Headers an e-mail's first block has two of at least.
const HEADERS: &[&str] = &[
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "received",
    "return-path",
    "cc",
    "reply-to",
    "content-transfer-encoding",
];

/// A lenient base64: padding or none, as mail writers do.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The decoded parts of the e-mail `text` is, each named (`part 2`, `headers`); none when it is
/// no e-mail.
pub(super) fn parts(text: &str) -> Vec<(String, Vec<u8>)> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let known = lines
        .iter()
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| HEADERS.contains(&name.trim().to_ascii_lowercase().as_str()))
        .count();
    if known < 2 {
        return Vec::new();
    }
    let boundaries: Vec<String> = text
        .match_indices("boundary=")
        .map(|(at, b)| {
            let rest = &text[at + b.len()..];
            let quoted = rest.strip_prefix('"');
            let value = quoted.unwrap_or(rest);
            let end =
                value.find(|c: char| if quoted.is_some() { c == '"' } else { c == ';' || c.is_whitespace() });
            format!("--{}", &value[..end.unwrap_or(value.len())])
        })
        .filter(|b| b.len() > 2)
        .collect();
    let boundary = |l: &str| boundaries.iter().any(|b| l.starts_with(b.as_str()));
    // A header block begins the message and each part (after a boundary line).
    let starts = std::iter::once(0).chain((0..lines.len()).filter(|&i| boundary(lines[i])).map(|i| i + 1));
    let mut out = Vec::new();
    for (n, start) in starts.enumerate() {
        let headers_end =
            lines[start.min(lines.len())..].iter().position(|l| l.trim().is_empty()).map(|p| start + p);
        let Some(headers_end) = headers_end else { continue };
        let header = |wanted: &str| {
            lines[start..headers_end]
                .iter()
                .filter_map(|l| l.split_once(':'))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case(wanted))
                .map(|(_, v)| v.trim().to_ascii_lowercase())
        };
        let encoding = header("content-transfer-encoding");
        // A message inside a message (`message/rfc822`, a forwarded mail): its text is an
        // e-mail of its own, read again.
        let message = header("content-type").is_some_and(|t| t.starts_with("message/"));
        let body_end = (headers_end + 1..lines.len()).find(|&i| boundary(lines[i])).unwrap_or(lines.len());
        let body = &lines[(headers_end + 1).min(body_end)..body_end];
        let decoded = match encoding.as_deref() {
            Some("base64") => {
                let letters: String = body.concat().chars().filter(|c| !c.is_whitespace()).collect();
                LENIENT.decode(letters.trim_end_matches('=')).ok()
            }
            Some("quoted-printable") => Some(quoted_printable(&body.join("\n"), false)),
            _ if message && n > 0 => Some(body.join("\n").into_bytes()),
            _ => None,
        };
        if let Some(bytes) = decoded {
            out.push((format!("part {}", n + 1), bytes));
        }
    }
    // Files uuencoded in a body (`begin 644 notes.txt` … `end`), as mail readers decode them.
    for (k, file) in uudecoded(&lines).into_iter().enumerate() {
        out.push((format!("uuencoded {}", k + 1), file));
    }
    // The headers as a reader shows them: folded lines joined, encoded words decoded.
    let mut unfolded = String::new();
    for line in lines.iter().take_while(|l| !l.trim().is_empty()) {
        if line.starts_with([' ', '\t']) {
            unfolded.push(' ');
            unfolded.push_str(line.trim());
        } else {
            unfolded.push('\n');
            unfolded.push_str(line);
        }
    }
    let headers = encoded_words(&unfolded).unwrap_or(unfolded);
    out.push(("headers".to_string(), headers.into_bytes()));
    out
}

/// The files uuencoded among `lines`: each from a `begin MODE NAME` line to `end`, a line's first
/// character its length, each four characters after it three bytes.
fn uudecoded(lines: &[&str]) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let begins = lines[i].strip_prefix("begin ").is_some_and(|rest| {
            rest.split_whitespace().next().is_some_and(|mode| mode.chars().all(|c| c.is_ascii_digit()))
        });
        i += 1;
        if !begins {
            continue;
        }
        let mut file = Vec::new();
        while i < lines.len() && lines[i].trim_end() != "end" {
            let b = lines[i].as_bytes();
            let six = |c: u8| c.wrapping_sub(b' ') & 0x3F;
            if let Some(&first) = b.first() {
                let len = usize::from(six(first));
                let mut bytes = Vec::with_capacity(len + 2);
                for group in b[1..].chunks(4).filter(|g| g.len() == 4) {
                    let (a, b2, c, d) = (six(group[0]), six(group[1]), six(group[2]), six(group[3]));
                    bytes.extend([a << 2 | b2 >> 4, b2 << 4 | c >> 2, c << 6 | d]);
                }
                bytes.truncate(len);
                file.extend(bytes);
            }
            i += 1;
        }
        files.push(file);
    }
    files
}

/// Quoted-printable's bytes: `=XX` a byte, `=` at a line's end no break; in an encoded word
/// (`q`), `_` a space.
fn quoted_printable(text: &str, q: bool) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'=' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b'_' if q => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// `text` with each encoded word (`=?charset?B?…?=`, `=?charset?Q?…?=`) decoded (its bytes read
/// as UTF-8, else Latin-1), or None when it has none.
fn encoded_words(text: &str) -> Option<String> {
    if !text.contains("=?") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut any = false;
    while let Some(at) = rest.find("=?") {
        out.push_str(&rest[..at]);
        let word = &rest[at + 2..];
        let mut pieces = word.splitn(3, '?');
        let (Some(_charset), Some(kind), Some(tail)) = (pieces.next(), pieces.next(), pieces.next()) else {
            out.push_str("=?");
            rest = word;
            continue;
        };
        let Some(end) = tail.find("?=") else {
            out.push_str("=?");
            rest = word;
            continue;
        };
        let data = &tail[..end];
        let bytes = match kind {
            "B" | "b" => LENIENT.decode(data.trim_end_matches('=')).ok(),
            "Q" | "q" => Some(quoted_printable(data, true)),
            _ => None,
        };
        match bytes {
            Some(bytes) => {
                any = true;
                match String::from_utf8(bytes) {
                    Ok(s) => out.push_str(&s),
                    Err(e) => out.extend(e.into_bytes().iter().map(|&b| char::from(b))),
                }
                rest = &tail[end + 2..];
            }
            None => {
                out.push_str("=?");
                rest = word;
            }
        }
    }
    out.push_str(rest);
    any.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_decoded_as_a_mail_reader_shows_them() {
        let body = base64::engine::general_purpose::STANDARD.encode("Patient: Zelda Madeup");
        let mail = format!(
            "From: a@example.org\nTo: b@example.org\nSubject: =?utf-8?B?{}?=\nContent-Type: multipart/mixed; \
             boundary=\"XX\"\n\n--XX\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n{body}\n--XX\n\
             Content-Transfer-Encoding: quoted-printable\n\nPatient=3A Zelda=\n Madeup\n--XX--\n",
            base64::engine::general_purpose::STANDARD.encode("DOB 1971-02-03")
        );
        let parts = parts(&mail);
        let shown: Vec<String> = parts.iter().map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect();
        assert_eq!(shown.iter().filter(|s| *s == "Patient: Zelda Madeup").count(), 2, "{shown:?}");
        assert!(shown.iter().any(|s| s.contains("Subject: DOB 1971-02-03")), "{shown:?}");
    }

    #[test]
    fn a_forwarded_message_and_a_uuencoded_file_are_parts() {
        let mail = "From: a@example.org\nTo: b@example.org\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n\
                    Content-Type: message/rfc822\n\nFrom: c@example.org\nContent-Transfer-Encoding: base64\n\n\
                    UGF0aWVudDogWmVsZGEgTWFkZXVw\n--XX\nContent-Type: text/plain\n\nbegin 644 n.txt\n\
                    54&%T:65N=#H@6F5L9&$@36%D975P\n`\nend\n--XX--\n";
        let parts = parts(mail);
        let forwarded = &parts.iter().find(|(name, _)| name == "part 2").expect("the forwarded message").1;
        let inner: Vec<Vec<u8>> =
            super::parts(&String::from_utf8_lossy(forwarded)).into_iter().map(|(_, b)| b).collect();
        assert!(inner.contains(&b"Patient: Zelda Madeup".to_vec()), "{inner:?}");
        assert!(parts.iter().any(|(name, b)| name == "uuencoded 1" && b == b"Patient: Zelda Madeup"));
    }

    #[test]
    fn text_that_is_no_mail_has_no_parts() {
        assert!(
            parts("Subject: neuro\nNotes about a lecture\n\nContent-Transfer-Encoding: base64\n\nQUJD\n")
                .is_empty()
        );
    }
}
