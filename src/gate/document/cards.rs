//! A vCard or an iCalendar file read as a contacts or a calendar program shows it: its folded
//! lines unfolded, each property as `name: value` without its group (`item1.`) and parameters,
//! a value in base64 decoded, a vCard's structured name (`N:Family;Given;…`) as a full name, and
//! iCalendar's escapes (`\n`, `\,`) as what they stand for. Written here: the gate needs only
//! each property's text, from bytes that may be neither.

use base64::Engine;

/// The properties of a vCard or an iCalendar file, a line each, or None when `text` is neither.
pub(super) fn shown(text: &str) -> Option<String> {
    if !text.contains("BEGIN:VCARD") && !text.contains("BEGIN:VCALENDAR") && !text.contains("begin:vcard") {
        return None;
    }
    // RFC 6350 and RFC 5545: a line that begins with a space or a tab goes on the one before.
    let unfolded = text.replace("\r\n", "\n").replace("\n ", "").replace("\n\t", "");
    let mut out = String::with_capacity(unfolded.len());
    for line in unfolded.lines() {
        let Some((head, value)) = line.split_once(':') else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let mut parts = head.split(';');
        let name = parts.next().unwrap_or("");
        let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
        let base64 = parts.any(|p| {
            let p = p.to_ascii_uppercase();
            p == "ENCODING=B" || p == "ENCODING=BASE64"
        });
        let decoded;
        let value = match base64.then(|| base64::engine::general_purpose::STANDARD.decode(value.trim())) {
            Some(Ok(bytes)) => {
                decoded = String::from_utf8_lossy(&bytes).into_owned();
                decoded.as_str()
            }
            _ => value,
        };
        let value = value.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";");
        match name.as_str() {
            "FN" => out.push_str(&format!("Full name: {value}")),
            // Family; given; additional; prefixes; suffixes.
            "N" => {
                let mut names = value.split(';');
                let (family, given) = (names.next().unwrap_or(""), names.next().unwrap_or(""));
                out.push_str(&format!("Full name: {given} {family}"));
            }
            "BDAY" => out.push_str(&format!("Birthday: {value}")),
            _ => out.push_str(&format!("{name}: {value}")),
        }
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn cards_show_their_properties() {
        let card = "BEGIN:VCARD\r\nitem1.fn:Zelda\r\n  Madeup\r\nN:Madeup;Zelda;;;\r\nNOTE;ENCODING=b:UGF0aWVudA==\r\nEND:VCARD\r\n";
        assert_eq!(
            shown(card).unwrap(),
            "BEGIN: VCARD\nFull name: Zelda Madeup\nFull name: Zelda Madeup\nNOTE: Patient\nEND: VCARD\n"
        );
        let event = "BEGIN:VCALENDAR\nDESCRIPTION:Patient: Zel\n da Madeup\\nDOB 1971\nEND:VCALENDAR\n";
        assert!(shown(event).unwrap().contains("DESCRIPTION: Patient: Zelda Madeup\nDOB 1971"));
        assert_eq!(shown("Patient: Zelda"), None);
    }
}
