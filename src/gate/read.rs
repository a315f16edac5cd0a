//! Reading DICOM bytes into a data set with every declared length held to the bytes there are.
//!
//! dicom-rs sizes a value's buffer from the length its header declares before reading it, so a
//! 1 KB file that declares a 4 GB value makes it allocate and zero 4 GB (the gate's fuzzer found
//! this on its first run). Through the mount or `vault check` that is a way to exhaust memory.
//! Here every value read is checked first: a declared length past the end of the bytes is an
//! unreadable file (refused), never an allocation. The file meta group is checked the same way
//! before dicom-object reads it, and a deflated data set is inflated within the archive bounds
//! (at most [`archive::MAX_RATIO`] times its size, inside the check's budget) before it is read.
//!
//! Pixel data, native or encapsulated, is skipped over rather than copied: no rule reads it.

use dicom_core::header::SequenceItemHeader;
use dicom_core::header::{DataElementHeader, HasLength, Header};
use dicom_core::{PrimitiveValue, Tag};
use dicom_dictionary_std::StandardDataDictionary;
use dicom_encoding::decode::Decode;
use dicom_encoding::text::SpecificCharacterSet;
use dicom_encoding::transfer_syntax::{Codec, TransferSyntaxIndex};
use dicom_encoding::{TransferSyntax, decode::explicit_le::ExplicitVRLittleEndianDecoder};
use dicom_object::InMemDicomObject;
use dicom_object::meta::FileMetaTable;
use dicom_parser::stateful::decode::{Error, StatefulDecode, StatefulDecoder};
use dicom_transfer_syntax_registry::{TransferSyntaxRegistry, entries};

use super::archive;

type Result<T, E = Error> = std::result::Result<T, E>;

/// A decoder over a byte slice that refuses to read a value longer than what is left of it.
struct Bounded<S> {
    inner: S,
    total: u64,
}

impl<S: StatefulDecode> Bounded<S> {
    fn fits(&self, len: u32) -> Result<()> {
        if u64::from(len) > self.total.saturating_sub(self.inner.position()) {
            // The one error dicom-parser has for "will not allocate this": the file is unreadable.
            return Err(Error::AllocateValueData { len });
        }
        Ok(())
    }

    fn header_fits(&self, header: &DataElementHeader) -> Result<()> {
        header.length().get().map_or(Ok(()), |len| self.fits(len))
    }

    /// Pixel data is never read: no rule looks at its value (burned-in text is decided by the
    /// attributes), and copying it is most of the cost of a check. It is skipped over, still
    /// held to the bytes there are, and kept as present with no value.
    fn skip_pixels(&mut self, header: &DataElementHeader) -> Result<Option<PrimitiveValue>> {
        const PIXELS: [Tag; 3] = [Tag(0x7FE0, 0x0010), Tag(0x7FE0, 0x0008), Tag(0x7FE0, 0x0009)];
        match header.length().get() {
            Some(len) if PIXELS.contains(&header.tag()) => {
                self.fits(len)?;
                self.inner.skip_bytes(len)?;
                Ok(Some(PrimitiveValue::Empty))
            }
            _ => Ok(None),
        }
    }
}

impl<S: StatefulDecode> StatefulDecode for Bounded<S> {
    type Reader = S::Reader;

    fn decode_header(&mut self) -> Result<DataElementHeader> {
        self.inner.decode_header()
    }

    fn decode_item_header(&mut self) -> Result<SequenceItemHeader> {
        let header = self.inner.decode_item_header()?;
        // dicom-parser reserves an item's declared length before reading it.
        if let SequenceItemHeader::Item { len } = header
            && let Some(len) = len.get()
        {
            self.fits(len)?;
        }
        Ok(header)
    }

    fn read_value(&mut self, header: &DataElementHeader) -> Result<PrimitiveValue> {
        if let Some(skipped) = self.skip_pixels(header)? {
            return Ok(skipped);
        }
        self.header_fits(header)?;
        self.inner.read_value(header)
    }

    fn read_value_preserved(&mut self, header: &DataElementHeader) -> Result<PrimitiveValue> {
        if let Some(skipped) = self.skip_pixels(header)? {
            return Ok(skipped);
        }
        self.header_fits(header)?;
        self.inner.read_value_preserved(header)
    }

    fn read_value_bytes(&mut self, header: &DataElementHeader) -> Result<PrimitiveValue> {
        if let Some(skipped) = self.skip_pixels(header)? {
            return Ok(skipped);
        }
        self.header_fits(header)?;
        self.inner.read_value_bytes(header)
    }

    /// Only the fragments of encapsulated (compressed) pixel data are read this way: skipped
    /// like the rest of the pixel data, and left empty.
    fn read_to_vec(&mut self, length: u32, _vec: &mut Vec<u8>) -> Result<()> {
        self.fits(length)?;
        self.inner.skip_bytes(length)
    }

    fn read_u32_to_vec(&mut self, length: u32, vec: &mut Vec<u32>) -> Result<()> {
        self.fits(length)?;
        self.inner.read_u32_to_vec(length, vec)
    }

    fn read_to<W: std::io::Write>(&mut self, length: u32, out: W) -> Result<()> {
        self.fits(length)?;
        self.inner.read_to(length, out)
    }

    fn skip_bytes(&mut self, length: u32) -> Result<()> {
        self.fits(length)?;
        self.inner.skip_bytes(length)
    }

    fn seek(&mut self, position: u64) -> Result<()>
    where
        Self::Reader: std::io::Seek,
    {
        self.inner.seek(position)
    }

    fn position(&self) -> u64 {
        self.inner.position()
    }
}

/// Reads a data set (no meta group) in the given transfer syntax; None when it cannot be read.
pub fn data_set(bytes: &[u8], ts: &TransferSyntax) -> Option<InMemDicomObject> {
    let decoder = StatefulDecoder::new_with(bytes, ts, SpecificCharacterSet::default(), 0).ok()?;
    let bounded = Bounded { inner: decoder, total: bytes.len() as u64 };
    InMemDicomObject::read_dataset_with_dict(bounded, StandardDataDictionary).ok()
}

/// True when every element of the file meta group (which starts right after `DICM`) declares a
/// length within the bytes there are. Walks the group as dicom-object's reader does: the group
/// length element first, then elements until that many bytes are read. Anything else it finds
/// wrong is left for dicom-object to refuse.
fn meta_lengths_fit(mut rest: &[u8]) -> bool {
    let decoder = ExplicitVRLittleEndianDecoder::default();
    let Ok((first, _)) = decoder.decode_header(&mut rest) else { return true };
    if first.tag() != Tag(0x0002, 0x0000) || first.length().get() != Some(4) || rest.len() < 4 {
        return true;
    }
    let group_length = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
    rest = &rest[4..];
    let mut read = 0u64;
    while read < u64::from(group_length) {
        let Ok((header, header_bytes)) = decoder.decode_header(&mut rest) else { return true };
        let Some(len) = header.length().get() else { return true };
        if len as usize > rest.len() {
            return false;
        }
        rest = &rest[len as usize..];
        read += header_bytes as u64 + u64::from(len);
    }
    true
}

/// Reads a Part 10 file from its `DICM` on: the meta group, then the data set in the transfer
/// syntax it names. None when it cannot be read or a bound stops it.
pub fn part10(bytes: &[u8], budget: &mut archive::Budget) -> Option<InMemDicomObject> {
    if !meta_lengths_fit(bytes.get(4..)?) {
        return None;
    }
    let mut rest = bytes;
    let meta = FileMetaTable::from_reader(&mut rest).ok()?;
    let ts = TransferSyntaxRegistry.get(meta.transfer_syntax())?;
    match ts.codec() {
        // Deflated: inflate within the bounds, then read as the explicit VR little endian it is.
        Codec::Dataset(Some(_)) => {
            let inflater = flate2::read::DeflateDecoder::new(rest);
            let inflated = archive::expand(inflater, rest.len() as u64, budget, "").ok()?;
            data_set(&inflated, &entries::EXPLICIT_VR_LITTLE_ENDIAN.erased())
        }
        Codec::Dataset(None) => None,
        _ => data_set(rest, ts),
    }
}
