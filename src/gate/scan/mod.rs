//! A DICOM data set read exactly as it is encoded, element by element, without copying.
//!
//! Written here rather than taken from dicom-rs because the gate needs what a reader that
//! builds an object cannot give: every element as the file has it (a tag written twice is seen
//! twice, a tag out of order is seen out of order), a reading that stops at the first byte it
//! cannot make sense of while keeping everything before it (a truncated file shows the
//! elements before the cut, as dcmdump and pydicom do), value representation UN read the way
//! dcmtk and pydicom read it (an undefined length is a sequence in implicit VR little endian,
//! CP-246; a defined-length UN whose tag the dictionary calls SQ is that sequence too), and no
//! allocation sized by a length the file declares: values are slices of the input, and every
//! declared length is held to the bytes there are.
//!
//! The reader calls a [`Visitor`] for every element, sequence and item, in file order.
//! Limits: sequences nest at most [`MAX_NESTING`] deep; past that the reading stops.

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;

/// Sequences nested deeper than this end the reading (an error, never a stack overflow).
pub const MAX_NESTING: usize = 32;

const ITEM: Tag = Tag(0xFFFE, 0xE000);
const ITEM_END: Tag = Tag(0xFFFE, 0xE00D);
const SEQUENCE_END: Tag = Tag(0xFFFE, 0xE0DD);
const PIXEL_DATA: Tag = Tag(0x7FE0, 0x0010);
const UNDEFINED: u32 = u32::MAX;

/// How a data set is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    ImplicitLittle,
    ExplicitLittle,
    ExplicitBig,
}

impl Syntax {
    pub const ALL: [Syntax; 3] = [Syntax::ExplicitLittle, Syntax::ImplicitLittle, Syntax::ExplicitBig];

    fn big(self) -> bool {
        self == Syntax::ExplicitBig
    }

    /// The transfer syntax UID.
    pub fn uid(self) -> &'static str {
        match self {
            Syntax::ImplicitLittle => "1.2.840.10008.1.2",
            Syntax::ExplicitLittle => "1.2.840.10008.1.2.1",
            Syntax::ExplicitBig => "1.2.840.10008.1.2.2",
        }
    }

    /// The syntax a transfer syntax UID names for the data set, and whether it is deflated.
    /// Compressed transfer syntaxes encode the data set in explicit VR little endian; so does any
    /// UID this reader does not know.
    pub fn of_transfer_syntax(uid: &[u8]) -> (Syntax, bool) {
        let uid = trim(uid);
        match uid {
            b"1.2.840.10008.1.2" => (Syntax::ImplicitLittle, false),
            b"1.2.840.10008.1.2.2" => (Syntax::ExplicitBig, false),
            // Deflated Explicit VR Little Endian, and JPIP Referenced Deflate (dcmtk inflates it).
            b"1.2.840.10008.1.2.1.99" | b"1.2.840.10008.1.2.4.95" => (Syntax::ExplicitLittle, true),
            _ => (Syntax::ExplicitLittle, false),
        }
    }
}

/// A value with trailing padding (spaces, NULs) and leading spaces taken off.
pub fn trim(value: &[u8]) -> &[u8] {
    let end = value.iter().rposition(|&b| b != b' ' && b != 0).map_or(0, |i| i + 1);
    let start = value[..end].iter().position(|&b| b != b' ').unwrap_or(end);
    &value[start..end]
}

/// The VR the standard dictionary gives a tag, where it gives exactly one.
pub fn dictionary_vr(tag: Tag) -> Option<VR> {
    let entry = StandardDataDictionary.by_tag(tag)?;
    match entry.vr() {
        VirtualVr::Exact(vr) => Some(vr),
        VirtualVr::Xs => Some(VR::US),
        VirtualVr::Ox | VirtualVr::Px => Some(VR::OB),
        VirtualVr::Lt => Some(VR::OW),
        _ => None,
    }
}

/// One element with a value (not a sequence).
#[derive(Clone, Copy, Debug)]
pub struct Element<'a> {
    pub tag: Tag,
    /// The VR the file states; None in implicit VR.
    pub vr: Option<VR>,
    pub value: &'a [u8],
    pub big_endian: bool,
    /// Numbers written as text (DICOM JSON and XML), not as binary.
    pub text: bool,
}

/// Something about how the data set is encoded that readers disagree on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Oddity {
    /// The same tag twice in one data set (dcmtk shows the first, others the last).
    Duplicate,
    /// A tag lower than the one before it.
    OutOfOrder,
    /// DICOM JSON or XML that the model has no place for (a member, an element, an attribute,
    /// a comment, text between): no DICOM reader takes it, any text reader shows it.
    OutsideTheModel,
}

/// What the reader tells as it goes.
pub trait Visitor {
    fn element(&mut self, element: &Element<'_>);
    /// A sequence starts; its items follow, then [`Visitor::end_sequence`].
    fn sequence(&mut self, tag: Tag, vr: Option<VR>);
    fn item(&mut self, index: usize);
    fn end_item(&mut self);
    fn end_sequence(&mut self);
    fn oddity(&mut self, oddity: Oddity, tag: Tag);
    /// One fragment of encapsulated pixel data (a compressed frame, or part of one).
    fn fragment(&mut self, _bytes: &[u8]) {}
    /// True when the visitor has seen enough to know this is no data set: the reading stops
    /// (a megabyte of zeros reads as a hundred thousand empty elements).
    fn gives_up(&self) -> bool {
        false
    }
}

/// Where and why a reading stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stop {
    pub at: usize,
    pub why: &'static str,
}

type Result<T> = std::result::Result<T, Stop>;

/// How a reading went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Elements read at the top level.
    pub elements: usize,
    /// Where it stopped, or None when it read every byte.
    pub stopped: Option<Stop>,
}

/// The transfer syntax the meta group names, found while reading it.
#[derive(Default)]
struct Meta {
    transfer_syntax: Option<Vec<u8>>,
}

struct Reader<'a, 'v, V: Visitor> {
    bytes: &'a [u8],
    visitor: &'v mut V,
}

/// Reads a data set from `at` to the end of `bytes`. When it starts with the file meta group
/// (group 0002, always explicit VR little endian), the rest is read in the transfer syntax that
/// group names (`syntax` only when it names none); a deflated rest is inflated by `inflate`
/// first, and read by `on_inflated` instead.
pub fn read<V: Visitor>(bytes: &[u8], at: usize, syntax: Syntax, visitor: &mut V) -> Reading {
    read_with(bytes, at, syntax, visitor, &mut |_, _| None)
}

/// [`read`], with a way to read a deflated data set: `deflated(rest, visitor)` reads what
/// follows the meta group and says how that went (None: it could not be inflated).
pub fn read_with<V: Visitor>(
    bytes: &[u8],
    at: usize,
    syntax: Syntax,
    visitor: &mut V,
    deflated: &mut dyn FnMut(&[u8], &mut V) -> Option<Reading>,
) -> Reading {
    let mut reader = Reader { bytes, visitor };
    let mut count = 0;
    let mut last = None;
    let mut pos = at;
    // The meta group, if the data set starts with one.
    if peek_group(bytes, pos, Syntax::ExplicitLittle) == Some(0x0002) {
        let mut meta = Meta::default();
        match reader.elements_while(
            &mut pos,
            Syntax::ExplicitLittle,
            0,
            &mut count,
            &mut last,
            Some(&mut meta),
        ) {
            Ok(()) => {}
            Err(stop) => return Reading { elements: count, stopped: Some(stop) },
        }
        let (syntax, is_deflated) = match &meta.transfer_syntax {
            Some(uid) => Syntax::of_transfer_syntax(uid),
            None => (syntax, false),
        };
        if is_deflated {
            return match deflated(&bytes[pos..], reader.visitor) {
                Some(r) => Reading { elements: count + r.elements, stopped: r.stopped },
                None => {
                    Reading { elements: count, stopped: Some(Stop { at: pos, why: "cannot be inflated" }) }
                }
            };
        }
        // The meta group is a structure of its own: the data set's order starts afresh.
        return reader.top(pos, syntax, count, None);
    }
    reader.top(pos, syntax, count, last)
}

/// Where the data set starts after a meta group at `at`, and the syntax the group names (None
/// when it names a deflated one). None when there is no readable meta group.
pub fn after_meta(bytes: &[u8], at: usize) -> Option<(usize, Option<Syntax>)> {
    if peek_group(bytes, at, Syntax::ExplicitLittle) != Some(0x0002) {
        return None;
    }
    let mut probe = Probe;
    let mut reader = Reader { bytes, visitor: &mut probe };
    let (mut pos, mut count, mut last) = (at, 0, None);
    let mut meta = Meta::default();
    reader
        .elements_while(&mut pos, Syntax::ExplicitLittle, 0, &mut count, &mut last, Some(&mut meta))
        .ok()?;
    let (syntax, deflated) = Syntax::of_transfer_syntax(meta.transfer_syntax.as_deref().unwrap_or(b""));
    Some((pos, (!deflated).then_some(syntax)))
}

/// The first element header at `at`: where its value starts and its length (None: undefined).
/// None when no header in this syntax is there.
pub fn first_header(bytes: &[u8], at: usize, syntax: Syntax) -> Option<(usize, Option<u32>)> {
    let mut probe = Probe;
    let reader = Reader { bytes, visitor: &mut probe };
    let tag = reader.tag_at(at, syntax).ok()?;
    if tag.group() == 0xFFFE {
        return None;
    }
    let (len, value_at) = match syntax {
        Syntax::ImplicitLittle => (reader.u32_at(at + 4, syntax).ok()?, at + 8),
        _ => {
            let b = bytes.get(at + 4..at + 6)?;
            let vr = VR::from_binary([b[0], b[1]])?;
            if long_length(vr) {
                (reader.u32_at(at + 8, syntax).ok()?, at + 12)
            } else {
                (u32::from(reader.u16_at(at + 6, syntax).ok()?), at + 8)
            }
        }
    };
    (value_at <= bytes.len()).then_some((value_at, (len != UNDEFINED).then_some(len)))
}

/// The content of each item of a sequence value encoded in implicit VR little endian (a UN
/// value that is a sequence): byte ranges within `value`. None when it is not one, whole.
pub fn item_spans(value: &[u8]) -> Option<Vec<std::ops::Range<usize>>> {
    let mut probe = Probe;
    let mut reader = Reader { bytes: value, visitor: &mut probe };
    let syntax = Syntax::ImplicitLittle;
    let mut spans = Vec::new();
    let mut pos = 0;
    while pos < value.len() {
        if reader.tag_at(pos, syntax).ok()? != ITEM {
            return None;
        }
        let len = reader.u32_at(pos + 4, syntax).ok()?;
        pos += 8;
        let (mut count, mut last) = (0, None);
        if len == UNDEFINED {
            let start = pos;
            reader.level(&mut pos, value.len(), syntax, 1, true, &mut count, &mut last, &mut None).ok()?;
            spans.push(start..pos - 8);
        } else {
            let end = pos.checked_add(len as usize).filter(|&e| e <= value.len())?;
            reader.level(&mut pos, end, syntax, 1, false, &mut count, &mut last, &mut None).ok()?;
            spans.push(end - len as usize..end);
        }
    }
    Some(spans)
}

fn peek_group(bytes: &[u8], at: usize, syntax: Syntax) -> Option<u16> {
    let b = bytes.get(at..at + 2)?;
    Some(if syntax.big() { u16::from_be_bytes([b[0], b[1]]) } else { u16::from_le_bytes([b[0], b[1]]) })
}

/// Value representations whose explicit encoding has a 4-byte length (after 2 reserved bytes).
pub(crate) fn long_length(vr: VR) -> bool {
    matches!(
        vr,
        VR::OB
            | VR::OD
            | VR::OF
            | VR::OL
            | VR::OV
            | VR::OW
            | VR::SQ
            | VR::SV
            | VR::UC
            | VR::UN
            | VR::UR
            | VR::UT
            | VR::UV
    )
}

impl<'a, V: Visitor> Reader<'a, '_, V> {
    fn stop(at: usize, why: &'static str) -> Stop {
        Stop { at, why }
    }

    fn u16_at(&self, at: usize, syntax: Syntax) -> Result<u16> {
        let b = self.bytes.get(at..at + 2).ok_or(Self::stop(at, "ends inside an element header"))?;
        Ok(if syntax.big() { u16::from_be_bytes([b[0], b[1]]) } else { u16::from_le_bytes([b[0], b[1]]) })
    }

    fn u32_at(&self, at: usize, syntax: Syntax) -> Result<u32> {
        let b: [u8; 4] = self
            .bytes
            .get(at..at + 4)
            .ok_or(Self::stop(at, "ends inside an element header"))?
            .try_into()
            .expect("4 bytes");
        Ok(if syntax.big() { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    }

    fn tag_at(&self, at: usize, syntax: Syntax) -> Result<Tag> {
        Ok(Tag(self.u16_at(at, syntax)?, self.u16_at(at + 2, syntax)?))
    }

    /// The bytes of a value of `len` at `at`, held to the bytes there are (and to `end`).
    fn value(&self, at: usize, len: u32, end: usize) -> Result<&'a [u8]> {
        let to = at.checked_add(len as usize).filter(|&to| to <= end);
        to.map(|to| &self.bytes[at..to]).ok_or(Self::stop(at, "a length runs past the end"))
    }

    fn top(&mut self, mut pos: usize, syntax: Syntax, mut count: usize, mut last: Option<Tag>) -> Reading {
        match self.elements_while(&mut pos, syntax, 0, &mut count, &mut last, None) {
            Ok(()) => Reading { elements: count, stopped: None },
            Err(stop) => Reading { elements: count, stopped: Some(stop) },
        }
    }

    /// Reads the elements of one data set level from `*pos` up to `end`. With `meta`, only
    /// group 0002 is read (and its transfer syntax noted); otherwise to `end`, or at depth > 0
    /// until an item delimiter when `end` is the end of the bytes and the item has no length.
    fn elements_while(
        &mut self,
        pos: &mut usize,
        syntax: Syntax,
        depth: usize,
        count: &mut usize,
        last: &mut Option<Tag>,
        mut meta: Option<&mut Meta>,
    ) -> Result<()> {
        self.level(pos, self.bytes.len(), syntax, depth, false, count, last, &mut meta)
    }

    /// One level of a data set. `until_delimiter`: an item of undefined length, which ends at an
    /// item delimiter; otherwise it ends exactly at `end`.
    #[allow(clippy::too_many_arguments)]
    fn level(
        &mut self,
        pos: &mut usize,
        end: usize,
        syntax: Syntax,
        depth: usize,
        until_delimiter: bool,
        count: &mut usize,
        last: &mut Option<Tag>,
        meta: &mut Option<&mut Meta>,
    ) -> Result<()> {
        loop {
            if *pos == end {
                if until_delimiter {
                    return Err(Self::stop(*pos, "an item has no end"));
                }
                return Ok(());
            }
            if meta.is_some() && peek_group(self.bytes, *pos, syntax) != Some(0x0002) {
                return Ok(());
            }
            if self.visitor.gives_up() {
                return Err(Self::stop(*pos, "no data set"));
            }
            let at = *pos;
            let tag = self.tag_at(at, syntax)?;
            if tag == ITEM_END && until_delimiter {
                *pos = at + 8;
                return if *pos <= end {
                    Ok(())
                } else {
                    Err(Self::stop(at, "ends inside an element header"))
                };
            }
            if tag.group() == 0xFFFE {
                return Err(Self::stop(at, "a delimiter where an element belongs"));
            }
            match *last {
                Some(l) if l == tag => self.visitor.oddity(Oddity::Duplicate, tag),
                Some(l) if l > tag => self.visitor.oddity(Oddity::OutOfOrder, tag),
                _ => {}
            }
            *last = Some(tag);
            self.element(pos, end, syntax, depth, tag, meta)?;
            *count += 1;
        }
    }

    /// One element whose tag has been read at `*pos`.
    fn element(
        &mut self,
        pos: &mut usize,
        end: usize,
        syntax: Syntax,
        depth: usize,
        tag: Tag,
        meta: &mut Option<&mut Meta>,
    ) -> Result<()> {
        let at = *pos;
        let (vr, len, value_at) = match syntax {
            Syntax::ImplicitLittle => (None, self.u32_at(at + 4, syntax)?, at + 8),
            Syntax::ExplicitLittle | Syntax::ExplicitBig => {
                let b =
                    self.bytes.get(at + 4..at + 6).ok_or(Self::stop(at, "ends inside an element header"))?;
                let vr =
                    VR::from_binary([b[0], b[1]]).ok_or(Self::stop(at + 4, "not a value representation"))?;
                if long_length(vr) {
                    (Some(vr), self.u32_at(at + 8, syntax)?, at + 12)
                } else {
                    (Some(vr), u32::from(self.u16_at(at + 6, syntax)?), at + 8)
                }
            }
        };
        if value_at > end {
            return Err(Self::stop(at, "ends inside an element header"));
        }
        let known = dictionary_vr(tag);
        // Encapsulated pixel data: fragments, skipped (their bytes are held to the input).
        if tag == PIXEL_DATA && len == UNDEFINED {
            *pos = self.fragments(value_at, end, syntax)?;
            self.visitor.element(&Element { tag, vr, value: &[], big_endian: syntax.big(), text: false });
            return Ok(());
        }
        let is_sequence = match vr {
            Some(VR::SQ) => true,
            Some(VR::UN) => len == UNDEFINED,
            Some(_) => false,
            None => len == UNDEFINED || known == Some(VR::SQ),
        };
        if is_sequence {
            // A UN sequence is implicit VR little endian, whatever the data set's syntax.
            let inner = if vr == Some(VR::UN) { Syntax::ImplicitLittle } else { syntax };
            *pos = self.sequence(value_at, len, end, inner, depth, tag, vr)?;
            return Ok(());
        }
        if len == UNDEFINED {
            return Err(Self::stop(at, "an undefined length on a value"));
        }
        let value = self.value(value_at, len, end)?;
        *pos = value_at + len as usize;
        // A UN value whose tag the dictionary calls a sequence, or that reads whole as items:
        // the sequence dcmtk and pydicom show — its items in implicit VR (CP-246), or, where
        // they do not read so, in explicit VR (pydicom reads them so).
        if vr == Some(VR::UN) && (known == Some(VR::SQ) || value.starts_with(&[0xFE, 0xFF, 0x00, 0xE0])) {
            for inner in [Syntax::ImplicitLittle, Syntax::ExplicitLittle] {
                let mut probe = Probe;
                let mut trial = Reader { bytes: self.bytes, visitor: &mut probe };
                if trial.sequence(value_at, len, *pos, inner, depth, tag, vr).is_ok() {
                    self.sequence(value_at, len, *pos, inner, depth, tag, vr)?;
                    return Ok(());
                }
            }
        }
        if let Some(meta) = meta
            && tag == Tag(0x0002, 0x0010)
        {
            meta.transfer_syntax = Some(value.to_vec());
        }
        self.visitor.element(&Element { tag, vr, value, big_endian: syntax.big(), text: false });
        Ok(())
    }

    /// A sequence's items, from `at`; returns where the sequence ends.
    #[allow(clippy::too_many_arguments)]
    fn sequence(
        &mut self,
        at: usize,
        len: u32,
        end: usize,
        syntax: Syntax,
        depth: usize,
        tag: Tag,
        vr: Option<VR>,
    ) -> Result<usize> {
        if depth >= MAX_NESTING {
            return Err(Self::stop(at, "sequences nested too deep"));
        }
        let seq_end = if len == UNDEFINED {
            None
        } else {
            Some(
                at.checked_add(len as usize)
                    .filter(|&e| e <= end)
                    .ok_or(Self::stop(at, "a length runs past the end"))?,
            )
        };
        self.visitor.sequence(tag, vr);
        let mut pos = at;
        let mut index = 0;
        loop {
            match seq_end {
                Some(e) if pos == e => break,
                _ => {}
            }
            let item_tag = self.tag_at(pos, syntax)?;
            let item_len = self.u32_at(pos + 4, syntax)?;
            if item_tag == SEQUENCE_END && seq_end.is_none() {
                pos += 8;
                break;
            }
            if item_tag != ITEM {
                return Err(Self::stop(pos, "not an item where a sequence's item belongs"));
            }
            pos += 8;
            let limit = seq_end.unwrap_or(end);
            self.visitor.item(index);
            let (mut count, mut last) = (0, None);
            if item_len == UNDEFINED {
                self.level(&mut pos, limit, syntax, depth + 1, true, &mut count, &mut last, &mut None)?;
            } else {
                let item_end = pos
                    .checked_add(item_len as usize)
                    .filter(|&e| e <= limit)
                    .ok_or(Self::stop(pos, "a length runs past the end"))?;
                self.level(&mut pos, item_end, syntax, depth + 1, false, &mut count, &mut last, &mut None)?;
            }
            self.visitor.end_item();
            index += 1;
        }
        self.visitor.end_sequence();
        Ok(pos)
    }

    /// Encapsulated pixel data: items of fragments up to a sequence delimiter; returns the end.
    fn fragments(&mut self, mut pos: usize, end: usize, syntax: Syntax) -> Result<usize> {
        loop {
            let tag = self.tag_at(pos, syntax)?;
            let len = self.u32_at(pos + 4, syntax)?;
            pos += 8;
            if tag == SEQUENCE_END {
                return Ok(pos);
            }
            if tag != ITEM || len == UNDEFINED {
                return Err(Self::stop(pos - 8, "not a fragment in encapsulated pixel data"));
            }
            let fragment = self.value(pos, len, end)?;
            self.visitor.fragment(fragment);
            pos += len as usize;
        }
    }
}

/// A visitor that notes nothing: a trial reading.
struct Probe;

impl Visitor for Probe {
    fn element(&mut self, _: &Element<'_>) {}
    fn sequence(&mut self, _: Tag, _: Option<VR>) {}
    fn item(&mut self, _: usize) {}
    fn end_item(&mut self) {}
    fn end_sequence(&mut self) {}
    fn oddity(&mut self, _: Oddity, _: Tag) {}
}

#[cfg(test)]
mod tests;
