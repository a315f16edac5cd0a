//! Any bytes through the readers `vault receive` puts in front of a peer: the upper layer's PDU
//! readers (dicom-ul's, which sets an association up: strict, 16 KiB PDUs and the largest
//! allowed; vault's own, which reads the PDUs after it) and vault's own DIMSE command-set reader. No panic, no hang, bounded memory; a command set
//! that reads answers with a response that reads back to the same request.
#![no_main]

use vault::receive::dimse::{self, Command};
use vault::receive::pdu;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for max in [16_384, 131_072] {
        let _ = dicom_ul::read_pdu(data, max, true);
        let _ = dicom_ul::read_pdu(data, max, false);
        let mut from = data;
        let mut reader = pdu::Reader::new(max);
        while reader.next(&mut from).is_ok() {}
    }
    if let Ok(command) = Command::parse(data) {
        let answer = Command::parse(&dimse::response(&command, dimse::SUCCESS, Some("x")))
            .expect("a response reads back");
        assert_eq!(answer.u16(dimse::MESSAGE_ID_RESPONDED_TO), Some(command.u16(dimse::MESSAGE_ID).unwrap_or_default()));
    }
});
