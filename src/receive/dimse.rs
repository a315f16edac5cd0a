//! DIMSE command sets (PS3.7 §6.3, §9.3, annex E): what a peer asks in a P-DATA command
//! fragment, and the answer sent back.
//!
//! Written by hand, not read with dicom-object: a command set is a flat list of a dozen
//! group-0000 elements in implicit VR little endian, and it comes from whoever connects. This
//! reader takes only what it can hold the declared lengths to (every length inside the bytes
//! there are, none over [`MAX_COMMAND`]), so a hostile peer cannot make it allocate or loop;
//! it is the reader the fuzz target `dimse` drives.

use std::collections::BTreeMap;

/// The largest command set taken (a real one is under 300 bytes).
pub const MAX_COMMAND: usize = 64 << 10;

pub const AFFECTED_SOP_CLASS_UID: u32 = 0x0000_0002;
pub const COMMAND_FIELD: u32 = 0x0000_0100;
pub const MESSAGE_ID: u32 = 0x0000_0110;
pub const MESSAGE_ID_RESPONDED_TO: u32 = 0x0000_0120;
pub const COMMAND_DATA_SET_TYPE: u32 = 0x0000_0800;
pub const STATUS: u32 = 0x0000_0900;
pub const ERROR_COMMENT: u32 = 0x0000_0902;
pub const AFFECTED_SOP_INSTANCE_UID: u32 = 0x0000_1000;

pub const C_STORE_RQ: u16 = 0x0001;
pub const C_ECHO_RQ: u16 = 0x0030;
pub const C_CANCEL_RQ: u16 = 0x0FFF;
/// A response's command field is its request's with this bit set.
pub const RESPONSE: u16 = 0x8000;
/// CommandDataSetType: no data set follows.
pub const NO_DATA_SET: u16 = 0x0101;

/// Statuses (PS3.7 annex C, PS3.4 B.2.3).
pub const SUCCESS: u16 = 0x0000;
pub const REFUSED_NOT_AUTHORIZED: u16 = 0x0124;
pub const UNRECOGNIZED_OPERATION: u16 = 0x0211;
pub const OUT_OF_RESOURCES: u16 = 0xA700;
pub const CANNOT_UNDERSTAND: u16 = 0xC000;
pub const PROCESSING_FAILURE: u16 = 0x0110;

/// True when `status` is a C-STORE failure (PS3.7 C.4, PS3.4 B.2.3): what a refusal may be
/// answered with. Warnings (0001, 0107, 0116, Bxxx) are not: senders count them as stored.
pub fn is_failure(status: u16) -> bool {
    matches!(status, 0x0110 | 0x0117 | 0x0122 | 0x0124 | 0x0211)
        || matches!(status >> 8, 0xA7 | 0xA9 | 0xC0..=0xCF)
}

/// An AE title as DICOM allows one (PS3.5 6.2, AE): 1 to 16 characters of printable ASCII, no
/// backslash; leading and trailing spaces are not significant and are taken off.
pub fn ae_title(text: &str) -> Result<&str, String> {
    let ae = text.trim();
    if ae.is_empty() || ae.len() > 16 || !ae.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'\\') {
        return Err(format!("{ae:?}: an AE title is 1 to 16 characters of printable ASCII, no backslash"));
    }
    // It is written into the policy and the audit log: not a patient's name or number (and not
    // repeated here).
    if crate::gate::check_name(ae).is_some() {
        return Err("is refused: the gate reads a patient's name or number in it (identity-in-name)".into());
    }
    Ok(ae)
}

/// Why a command set could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("the command set is larger than {MAX_COMMAND} bytes")]
    TooLarge,
    #[error("an element of the command set runs past its end")]
    Truncated,
    #[error("the command set has an element outside group 0000")]
    WrongGroup,
    #[error("the command set has no command field")]
    NoCommandField,
}

/// A command set: its elements' values by tag (group 0000).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Command {
    values: BTreeMap<u32, Vec<u8>>,
}

impl Command {
    /// Reads a command set (implicit VR little endian).
    pub fn parse(mut bytes: &[u8]) -> Result<Command, Malformed> {
        if bytes.len() > MAX_COMMAND {
            return Err(Malformed::TooLarge);
        }
        let mut values = BTreeMap::new();
        while !bytes.is_empty() {
            if bytes.len() < 8 {
                return Err(Malformed::Truncated);
            }
            let group = u16::from_le_bytes([bytes[0], bytes[1]]);
            let element = u16::from_le_bytes([bytes[2], bytes[3]]);
            let len = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
            if group != 0 {
                return Err(Malformed::WrongGroup);
            }
            let rest = &bytes[8..];
            if len > rest.len() {
                return Err(Malformed::Truncated);
            }
            values.insert(u32::from(element), rest[..len].to_vec());
            bytes = &rest[len..];
        }
        let command = Command { values };
        if command.u16(COMMAND_FIELD).is_none() {
            return Err(Malformed::NoCommandField);
        }
        Ok(command)
    }

    /// An unsigned short's value (US), if the element is there and two bytes long.
    pub fn u16(&self, tag: u32) -> Option<u16> {
        match self.values.get(&tag)?.as_slice() {
            [a, b] => Some(u16::from_le_bytes([*a, *b])),
            _ => None,
        }
    }

    /// A UID's value, without its padding; None when absent or not a UID's characters.
    pub fn uid(&self, tag: u32) -> Option<String> {
        let v = self.values.get(&tag)?;
        let text = std::str::from_utf8(v).ok()?.trim_end_matches(['\0', ' ']);
        (!text.is_empty() && text.len() <= 64 && text.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
            .then(|| text.to_string())
    }

    /// The command field (C-STORE-RQ, C-ECHO-RQ…).
    pub fn field(&self) -> u16 {
        self.u16(COMMAND_FIELD).unwrap_or_default()
    }

    /// True when a data set follows the command.
    pub fn has_data_set(&self) -> bool {
        self.u16(COMMAND_DATA_SET_TYPE) != Some(NO_DATA_SET)
    }
}

/// A value to encode.
pub enum Value<'a> {
    Us(u16),
    Uid(&'a str),
    Text(&'a str),
}

/// Encodes a command set, group length first, elements in tag order.
pub fn encode(elements: &[(u32, Value<'_>)]) -> Vec<u8> {
    let mut sorted: Vec<&(u32, Value<'_>)> = elements.iter().collect();
    sorted.sort_by_key(|(tag, _)| *tag);
    let mut body = Vec::new();
    for (tag, value) in sorted {
        let bytes: Vec<u8> = match value {
            Value::Us(v) => v.to_le_bytes().to_vec(),
            Value::Uid(s) => padded(s, 0),
            Value::Text(s) => padded(s, b' '),
        };
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&(*tag as u16).to_le_bytes());
        body.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        body.extend_from_slice(&bytes);
    }
    let mut out = Vec::with_capacity(body.len() + 12);
    out.extend_from_slice(&[0, 0, 0, 0, 4, 0, 0, 0]);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

fn padded(s: &str, pad: u8) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    if v.len() % 2 == 1 {
        v.push(pad);
    }
    v
}

/// The response to `request`: its command field with the response bit, the message ID it
/// answers, the status, and for C-STORE the SOP class and instance it names. `comment` (an
/// Error Comment, LO: cut to 64 characters) only with a failure status.
pub fn response(request: &Command, status: u16, comment: Option<&str>) -> Vec<u8> {
    let field = request.field() | RESPONSE;
    let id = request.u16(MESSAGE_ID).unwrap_or_default();
    let class = request.uid(AFFECTED_SOP_CLASS_UID);
    let instance = request.uid(AFFECTED_SOP_INSTANCE_UID);
    let mut elements = vec![
        (COMMAND_FIELD, Value::Us(field)),
        (MESSAGE_ID_RESPONDED_TO, Value::Us(id)),
        (COMMAND_DATA_SET_TYPE, Value::Us(NO_DATA_SET)),
        (STATUS, Value::Us(status)),
    ];
    if let Some(c) = &class {
        elements.push((AFFECTED_SOP_CLASS_UID, Value::Uid(c)));
    }
    if let Some(i) = &instance {
        elements.push((AFFECTED_SOP_INSTANCE_UID, Value::Uid(i)));
    }
    let comment: Option<String> = comment.map(|c| {
        c.chars().filter(|c| c.is_ascii() && !c.is_ascii_control() && *c != '\\').take(64).collect()
    });
    if let Some(c) = &comment {
        elements.push((ERROR_COMMENT, Value::Text(c)));
    }
    encode(&elements)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_rq() -> Vec<u8> {
        encode(&[
            (AFFECTED_SOP_CLASS_UID, Value::Uid("1.2.840.10008.5.1.4.1.1.2")),
            (COMMAND_FIELD, Value::Us(C_STORE_RQ)),
            (MESSAGE_ID, Value::Us(7)),
            (COMMAND_DATA_SET_TYPE, Value::Us(0)),
            (AFFECTED_SOP_INSTANCE_UID, Value::Uid("1.2.3.4.5")),
        ])
    }

    #[test]
    fn a_store_request_reads_back_and_its_response_names_it() {
        let rq = Command::parse(&store_rq()).unwrap();
        assert_eq!(rq.field(), C_STORE_RQ);
        assert!(rq.has_data_set());
        assert_eq!(rq.uid(AFFECTED_SOP_INSTANCE_UID).as_deref(), Some("1.2.3.4.5"));
        let rsp =
            Command::parse(&response(&rq, REFUSED_NOT_AUTHORIZED, Some("gate: patient-name (0010,0010)")))
                .unwrap();
        assert_eq!(rsp.field(), C_STORE_RQ | RESPONSE);
        assert_eq!(rsp.u16(MESSAGE_ID_RESPONDED_TO), Some(7));
        assert_eq!(rsp.u16(STATUS), Some(REFUSED_NOT_AUTHORIZED));
        assert_eq!(rsp.uid(AFFECTED_SOP_INSTANCE_UID).as_deref(), Some("1.2.3.4.5"));
        assert!(!rsp.has_data_set());
        // The group length counts every byte after it.
        let bytes = response(&rq, SUCCESS, None);
        assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize, bytes.len() - 12);
    }

    #[test]
    fn a_refusal_status_is_a_failure_never_a_warning_or_success() {
        for ok in [0x0124, 0x0110, 0xA700, 0xA900, 0xC000, 0xC123] {
            assert!(is_failure(ok), "{ok:04X}");
        }
        for not in [0x0000, 0x0001, 0x0107, 0x0116, 0xB000, 0xB007, 0xFF00, 0x0100] {
            assert!(!is_failure(not), "{not:04X}");
        }
    }

    #[test]
    fn ae_titles() {
        assert_eq!(ae_title("  HOROS "), Ok("HOROS"));
        for ok in ["STORESCU", "OSIRIX", "HOROS_WS1", "PACS-01", "ANY-SCP", "VAULT"] {
            assert_eq!(ae_title(ok), Ok(ok));
        }
        for bad in ["", "   ", "SEVENTEEN_LETTERS", "A\\B", "NAÏVE", "T\tB", "MADEUP^ZELDA", "MRN 4711913"] {
            assert!(ae_title(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_comment_is_cut_to_what_an_lo_holds() {
        let rq = Command::parse(&store_rq()).unwrap();
        let long = "x".repeat(200) + "\\\n";
        let rsp = Command::parse(&response(&rq, CANNOT_UNDERSTAND, Some(&long))).unwrap();
        assert_eq!(rsp.values[&ERROR_COMMENT].len(), 64);
    }

    #[test]
    fn hostile_command_sets_are_errors_not_allocations() {
        let mut huge_len = store_rq();
        huge_len[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Command::parse(&huge_len), Err(Malformed::Truncated));
        assert_eq!(Command::parse(&store_rq()[..11]), Err(Malformed::Truncated));
        let mut other_group = store_rq();
        other_group[0] = 8;
        assert_eq!(Command::parse(&other_group), Err(Malformed::WrongGroup));
        assert_eq!(Command::parse(&vec![0; MAX_COMMAND + 1]), Err(Malformed::TooLarge));
        assert_eq!(Command::parse(&encode(&[(MESSAGE_ID, Value::Us(1))])), Err(Malformed::NoCommandField));
        // A UID with a path in it is no UID.
        let rq = Command::parse(&encode(&[
            (COMMAND_FIELD, Value::Us(C_STORE_RQ)),
            (AFFECTED_SOP_INSTANCE_UID, Value::Uid("../../etc")),
        ]))
        .unwrap();
        assert_eq!(rq.uid(AFFECTED_SOP_INSTANCE_UID), None);
    }
}
