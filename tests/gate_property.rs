//! Random conforming data sets, wrapped every way the gate reads: each passes, and each with a
//! made-up name planted at any depth is refused.

mod common;

use common::dicom::*;
use dicom_core::value::Value;
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use vault::gate::{self, Policy};

use proptest::prelude::*;

/// Harmless, conforming elements random data sets are made of.
fn harmless(i: u8, n: u32) -> DataElement<InMemDicomObject> {
    match i % 5 {
        0 => text(tags::SLICE_LOCATION, VR::DS, &format!("{}.5", n % 400)),
        1 => text(tags::INSTANCE_NUMBER, VR::IS, &(n % 1000).to_string()),
        2 => text(tags::BODY_PART_EXAMINED, VR::CS, "CHEST"),
        3 => text(tags::KVP, VR::DS, "120"),
        _ => text(tags::CODE_VALUE, VR::SH, "121071"),
    }
}

/// A random conforming data set: harmless elements and nested content sequences.
fn dataset(shape: &[(u8, u32)], depth: usize) -> InMemDicomObject {
    let mut obj = if depth == usize::MAX { InMemDicomObject::new_empty() } else { conformant() };
    for &(i, n) in shape {
        obj.put(harmless(i, n));
    }
    if depth > 0 && depth != usize::MAX {
        let mut item = dataset(shape, usize::MAX);
        if depth > 1 {
            item.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(vec![dataset(shape, depth - 1)])));
        }
        obj.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(vec![item])));
    }
    obj
}

/// Puts `element` at nesting level `level` (through ContentSequence).
fn insert(obj: &mut InMemDicomObject, level: usize, element: DataElement<InMemDicomObject>) {
    if level == 0 {
        obj.put(element);
        return;
    }
    let mut item = obj
        .get(tags::CONTENT_SEQUENCE)
        .and_then(|e| e.value().items())
        .map(|i| i[0].clone())
        .expect("an item");
    insert(&mut item, level - 1, element);
    obj.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(vec![item])));
}

/// The file wrapped as it may arrive: as it is, or in a container.
fn wrap(bytes: Vec<u8>, how: usize) -> Vec<u8> {
    use std::io::Write;
    match how {
        0 => bytes,
        1 => {
            let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            g.write_all(&bytes).unwrap();
            g.finish().unwrap()
        }
        2 => {
            let mut out = std::io::Cursor::new(Vec::new());
            let mut z = zip::ZipWriter::new(&mut out);
            z.start_file("study/IM1", zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(&bytes).unwrap();
            z.finish().unwrap();
            out.into_inner()
        }
        3 => {
            let mut b = tar::Builder::new(Vec::new());
            let mut h = tar::Header::new_ustar();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, "DICOM/IM1", &bytes[..]).unwrap();
            b.into_inner().unwrap()
        }
        4 => {
            let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            w.write_all(&bytes).unwrap();
            w.finish().unwrap()
        }
        _ => {
            let mut w = lz4_flex::frame::FrameEncoder::new(Vec::new());
            w.write_all(&bytes).unwrap();
            w.finish().unwrap()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// An identifying value in a random attribute of the Annex E table, at a random depth,
    /// in a random VR encoding and transfer syntax, wrapped in a random container: refused,
    /// and the reason names where. Its conforming twin passes.
    #[test]
    fn an_identifying_value_anywhere_in_any_encoding_is_refused(
        shape in prop::collection::vec((any::<u8>(), any::<u32>()), 0..8),
        depth in 0usize..4,
        level_seed in any::<usize>(),
        row_seed in any::<usize>(),
        as_un in any::<bool>(),
        ts in 0usize..4,
        container in 0usize..6,
    ) {
        let rows = table_rows();
        let (tag, keyword) = &rows[row_seed % rows.len()];
        let ts = [IMPLICIT, EXPLICIT, BIG, DEFLATED][ts];
        let base = dataset(&shape, depth);
        let clean = wrap(part10(base.clone(), ts), container);
        let v = gate::check(&clean, &Policy::default());
        prop_assert!(v.accept, "the conforming data set was refused: {:?}", v.reasons);
        let level = level_seed % (depth + 1);
        let vr = dictionary_vr(*tag);
        let mut element = identity(*tag, vr);
        if as_un && vr != VR::SQ {
            let bytes = match element.value() {
                Value::Primitive(p) => p.to_bytes().into_owned(),
                _ => unreachable!(),
            };
            element = DataElement::new(*tag, VR::UN, PrimitiveValue::U8(bytes.into()));
        }
        let mut dirty = base;
        insert(&mut dirty, level, element);
        let v = gate::check(&wrap(part10(dirty, ts), container), &Policy::default());
        prop_assert!(!v.accept, "{keyword} accepted at level {level} in {ts}, container {container}");
        let want = format!("({:04X},{:04X})", tag.0, tag.1);
        prop_assert!(
            v.reasons.iter().any(|r| (r.tag == want || r.keyword == "PatientName") && r.location.matches('[').count() >= level),
            "{keyword} at level {level}: {:?}", v.reasons
        );
    }
}
