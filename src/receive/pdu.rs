//! The upper layer's PDUs once an association is set up (PS3.8 9.3.5–9.3.8), read by vault
//! itself: a P-DATA-TF's presentation data values, a release request, an abort, and any other
//! type named so that the association can be aborted.
//!
//! Why not dicom-ul's reader, which sets the association up: it reads the socket 8 KiB at a time
//! into a buffer of its own, parses the whole of what it holds again after each read, and copies
//! each value's data into a vector of its own, which the receiver then copied into the file it
//! is making — three copies of every byte received, a fifth of the receiver's time in `perf`
//! (`benches/receive.sh --tmpfs`). Here a PDU is read whole into one buffer kept for the
//! association, with its length known from its header, and its values are slices of it.

use std::io::Read;

/// PDU types (PS3.8 Table 9-11).
const P_DATA_TF: u8 = 0x04;
const A_RELEASE_RQ: u8 = 0x05;
const A_ABORT: u8 = 0x07;

/// One presentation data value of a P-DATA-TF (PS3.8 9.3.5.1 and Annex E.2).
#[derive(Debug, PartialEq, Eq)]
pub struct Value<'b> {
    pub context: u8,
    /// A command's fragment (else a data set's).
    pub command: bool,
    /// The last fragment of its command or data set.
    pub last: bool,
    pub data: &'b [u8],
}

/// A PDU as the receiver acts on it.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming<'b> {
    Data(Vec<Value<'b>>),
    Release,
    Abort,
    /// Any other type: its name (A-ASSOCIATE-RQ, …), for the log; never its contents.
    Unexpected(&'static str),
}

/// Why a PDU was not read: said as the receiver logs it, never with what the peer sent.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PduError {
    #[error("the peer closed the connection")]
    Closed,
    #[error("the connection failed: {0}")]
    Io(std::io::ErrorKind),
    #[error("a PDU of {0} bytes, larger than the receiver offered")]
    TooLarge(u32),
    #[error("a P-DATA-TF whose values do not fill it")]
    Malformed,
}

impl From<std::io::Error> for PduError {
    fn from(e: std::io::Error) -> PduError {
        match e.kind() {
            std::io::ErrorKind::UnexpectedEof => PduError::Closed,
            kind => PduError::Io(kind),
        }
    }
}

/// Reads the PDUs of one association, each whole into a buffer it keeps.
pub struct Reader {
    max: u32,
    buf: Vec<u8>,
}

impl Reader {
    /// A reader that takes PDUs of at most `max` bytes after their 6-byte header (what the
    /// receiver offered as its maximum length).
    pub fn new(max: u32) -> Reader {
        Reader { max, buf: Vec::new() }
    }

    /// The next PDU from `from`, read whole.
    pub fn next<R: Read + ?Sized>(&mut self, from: &mut R) -> Result<Incoming<'_>, PduError> {
        let mut head = [0u8; 6];
        from.read_exact(&mut head)?;
        let len = u32::from_be_bytes([head[2], head[3], head[4], head[5]]);
        let kind = match head[0] {
            P_DATA_TF => None,
            A_RELEASE_RQ => Some(Incoming::Release),
            A_ABORT => Some(Incoming::Abort),
            0x01 => Some(Incoming::Unexpected("A-ASSOCIATE-RQ")),
            0x02 => Some(Incoming::Unexpected("A-ASSOCIATE-AC")),
            0x03 => Some(Incoming::Unexpected("A-ASSOCIATE-RJ")),
            0x06 => Some(Incoming::Unexpected("A-RELEASE-RP")),
            _ => Some(Incoming::Unexpected("PDU of an unknown type")),
        };
        if let Some(other) = kind {
            // A release request's four reserved bytes are read, so that the answer follows them;
            // the rest end the association and are not read.
            if other == Incoming::Release {
                if len != 4 {
                    return Err(PduError::Malformed);
                }
                from.read_exact(&mut [0u8; 4])?;
            }
            return Ok(other);
        }
        if len > self.max {
            return Err(PduError::TooLarge(len));
        }
        let len = len as usize;
        if self.buf.len() < len {
            self.buf.resize(len, 0);
        }
        from.read_exact(&mut self.buf[..len])?;
        values(&self.buf[..len]).map(Incoming::Data)
    }
}

/// A P-DATA-TF's body as its presentation data value items: each a 4-byte length, the
/// presentation context, the message control header, then the fragment; the items fill the
/// body exactly, and there is at least one.
pub fn values(mut body: &[u8]) -> Result<Vec<Value<'_>>, PduError> {
    let mut out = Vec::new();
    while !body.is_empty() {
        let (len, rest) = body.split_first_chunk::<4>().ok_or(PduError::Malformed)?;
        let len = u32::from_be_bytes(*len) as usize;
        if len < 2 || len > rest.len() {
            return Err(PduError::Malformed);
        }
        let (item, after) = rest.split_at(len);
        out.push(Value {
            context: item[0],
            command: item[1] & 1 != 0,
            last: item[1] & 2 != 0,
            data: &item[2..],
        });
        body = after;
    }
    if out.is_empty() {
        return Err(PduError::Malformed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dicom_ul::pdu::{PDataValue, PDataValueType, Pdu};

    fn written(pdu: &Pdu) -> Vec<u8> {
        let mut out = Vec::new();
        dicom_ul::pdu::write_pdu(&mut out, pdu).unwrap();
        out
    }

    #[test]
    fn what_dicom_ul_writes_reads_back_value_by_value() {
        let value = |context, value_type, is_last, data: &[u8]| PDataValue {
            presentation_context_id: context,
            value_type,
            is_last,
            data: data.to_vec(),
        };
        let pdu = Pdu::PData {
            data: vec![
                value(1, PDataValueType::Command, true, b"command"),
                value(3, PDataValueType::Data, false, b"first part"),
                value(3, PDataValueType::Data, true, b""),
            ],
        };
        let mut bytes = written(&pdu);
        bytes.extend(written(&Pdu::ReleaseRQ));
        bytes.extend(written(&Pdu::AbortRQ { source: dicom_ul::pdu::AbortRQSource::ServiceUser }));
        let mut from = &bytes[..];
        let mut reader = Reader::new(1 << 10);
        assert_eq!(
            reader.next(&mut from).unwrap(),
            Incoming::Data(vec![
                Value { context: 1, command: true, last: true, data: b"command" },
                Value { context: 3, command: false, last: false, data: b"first part" },
                Value { context: 3, command: false, last: true, data: b"" },
            ])
        );
        assert_eq!(reader.next(&mut from).unwrap(), Incoming::Release);
        assert_eq!(reader.next(&mut from).unwrap(), Incoming::Abort);
        assert_eq!(reader.next(&mut from).unwrap_err(), PduError::Closed);
    }

    #[test]
    fn a_pdu_that_is_too_large_torn_or_not_filled_by_its_values_is_not_read() {
        let mut reader = Reader::new(16);
        // Larger than offered: not read at all.
        let big = [&[0x04, 0, 0, 0, 0, 17][..], &[0; 17]].concat();
        assert_eq!(reader.next(&mut &big[..]).unwrap_err(), PduError::TooLarge(17));
        // Torn: the connection ends within it.
        assert_eq!(reader.next(&mut &[0x04, 0, 0, 0, 0, 8, 0, 0][..]).unwrap_err(), PduError::Closed);
        // An item longer than the PDU, one shorter than its two header bytes, none at all, and
        // bytes left after the last.
        for body in [&[0, 0, 0, 9, 1, 3, 0][..], &[0, 0, 0, 1, 1], &[], &[0, 0, 0, 2, 1, 3, 0]] {
            let pdu = [&[0x04, 0, 0, 0, 0, body.len() as u8][..], body].concat();
            assert_eq!(reader.next(&mut &pdu[..]).unwrap_err(), PduError::Malformed, "{body:?}");
        }
        // A release request whose length is not four.
        assert_eq!(
            reader.next(&mut &[0x05, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0][..]).unwrap_err(),
            PduError::Malformed
        );
        // Another type: named, not read.
        assert_eq!(
            reader.next(&mut &[0x01, 0, 0xff, 0xff, 0xff, 0xff][..]).unwrap(),
            Incoming::Unexpected("A-ASSOCIATE-RQ")
        );
        assert_eq!(
            reader.next(&mut &[0x09, 0, 0, 0, 0, 0][..]).unwrap(),
            Incoming::Unexpected("PDU of an unknown type")
        );
    }
}
