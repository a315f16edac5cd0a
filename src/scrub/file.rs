//! One file's bytes through the scrub: read, de-identified, redacted where asked, written in
//! its transfer syntax, and checked by the gate before it is handed back. Pure: bytes in, bytes
//! (or the reasons there are none) out. Shared by `vault scrub` and `vault import --scrub`.

use dicom_dictionary_std::tags;
use dicom_encoding::transfer_syntax::{Codec, TransferSyntaxIndex};
use dicom_object::{FileMetaTableBuilder, OpenFileOptions};
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

use super::redact::{self, Rules};
use super::{Profile, ScrubKey, scrub};
use crate::gate::{self, Policy};

/// What became of a file.
#[derive(Debug)]
pub enum Outcome {
    /// De-identified DICOM the gate accepts.
    Scrubbed(Vec<u8>),
    /// Not DICOM, and the gate accepts it as it is.
    Unchanged,
    /// Not written: why, as rule names (and tags), never values.
    Refused(Vec<String>),
}

/// Native 16-bit pixel data, as dicom-rs reads it (a number per pixel), turned back into its
/// little-endian bytes: the same value, written in one piece instead of a number at a time (most
/// of the cost of writing a CT slice). Not for big-endian files.
fn native_pixels_as_bytes(obj: &mut dicom_object::InMemDicomObject) {
    use dicom_core::value::{PrimitiveValue, Value};
    let Ok(e) = obj.element(tags::PIXEL_DATA) else { return };
    let Value::Primitive(PrimitiveValue::U16(words)) = e.value() else { return };
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let vr = e.vr();
    obj.put(dicom_core::DataElement::new(tags::PIXEL_DATA, vr, PrimitiveValue::U8(bytes.into())));
}

fn reasons(v: &gate::Verdict) -> Vec<String> {
    v.reasons
        .iter()
        .map(|r| {
            let at = if r.location.is_empty() { String::new() } else { format!(" in {}", r.location) };
            format!("{} {} {}{at}", r.rule, r.tag, r.keyword).trim_end().to_string()
        })
        .collect()
}

fn burned_in(v: &gate::Verdict) -> bool {
    v.reasons.iter().any(|r| r.rule.starts_with("burned-in"))
}

/// Scrubs one file's bytes. `redact`: the rules for burned-in images (None: such images are
/// refused).
pub fn scrub_bytes(
    bytes: &[u8],
    profile: &Profile,
    key: &ScrubKey,
    policy: &Policy,
    redact: Option<&Rules>,
) -> Outcome {
    let before = gate::check(bytes, policy);
    if !before.dicom {
        return if before.accept { Outcome::Unchanged } else { Outcome::Refused(reasons(&before)) };
    }
    // What the gate cannot read is not read here either: the reader below sizes buffers from
    // declared lengths, and only the gate's reading holds them to the bytes there are. Once the
    // gate has read a file, every length in it fits.
    if before.reasons.iter().any(|r| r.rule == "unreadable-dicom" || r.rule.contains("archive")) {
        return Outcome::Refused(reasons(&before));
    }
    let file = match OpenFileOptions::new().from_reader(bytes) {
        Ok(f) => f,
        Err(_) => {
            return Outcome::Refused(vec![
                "unreadable-dicom (not a Part 10 file this scrub can read)".into(),
            ]);
        }
    };
    let mut ts = file.meta().transfer_syntax().to_string();
    let original_meta = file.meta().clone();
    let mut out = scrub(file.into_inner(), profile, key);
    if !ts.contains("1.2.840.10008.1.2.2") {
        native_pixels_as_bytes(&mut out);
    }
    let check = |o: &dicom_object::InMemDicomObject, ts: &str| -> Result<Vec<u8>, Vec<String>> {
        let sop_class = o
            .element(tags::SOP_CLASS_UID)
            .ok()
            .and_then(|e| e.value().to_str().ok())
            .map(|s| s.trim_end_matches('\0').to_string());
        let sop_instance = o
            .element(tags::SOP_INSTANCE_UID)
            .ok()
            .and_then(|e| e.value().to_str().ok())
            .map(|s| s.trim_end_matches('\0').to_string());
        let mut meta = FileMetaTableBuilder::new().transfer_syntax(ts);
        meta = meta.media_storage_sop_class_uid(
            sop_class.unwrap_or_else(|| original_meta.media_storage_sop_class_uid().to_string()),
        );
        // Without a SOPInstanceUID in the data set, the meta's own, replaced like any UID.
        let original = original_meta.media_storage_sop_instance_uid().trim_end_matches('\0').to_string();
        meta = meta.media_storage_sop_instance_uid(sop_instance.unwrap_or_else(|| key.uid(&original)));
        let cannot = |e: &dyn std::fmt::Display| vec![format!("cannot write: {e}")];
        let syntax = TransferSyntaxRegistry.get(ts).ok_or_else(|| cannot(&"unknown transfer syntax"))?;
        if let Codec::Dataset(Some(_)) = syntax.codec() {
            // Deflated: through dicom-object's file writer, which deflates.
            let written = o.clone().with_meta(meta).map_err(|e| cannot(&e))?;
            let mut bytes = Vec::new();
            written.write_all(&mut bytes).map_err(|e| cannot(&e))?;
            return Ok(bytes);
        }
        // Preamble, magic, meta group, data set: the file writer's layout, without copying the
        // data set into a file object first.
        let meta = meta.build().map_err(|e| cannot(&e))?;
        let mut bytes = Vec::with_capacity(bytes.len() + 4096);
        bytes.extend_from_slice(&[0u8; 128]);
        bytes.extend_from_slice(b"DICM");
        meta.write(&mut bytes).map_err(|e| cannot(&e))?;
        o.write_dataset_with_ts(&mut bytes, syntax).map_err(|e| cannot(&e))?;
        Ok(bytes)
    };
    let mut bytes = match check(&out, &ts) {
        Ok(b) => b,
        Err(why) => return Outcome::Refused(why),
    };
    let mut verdict = gate::check(&bytes, policy);
    if !verdict.accept && burned_in(&verdict) {
        let Some(rules) = redact else {
            let mut why = reasons(&verdict);
            why.push("not redacted: pass --redact RULES to blank the regions".into());
            return Outcome::Refused(why);
        };
        let regions = rules.regions(&out);
        if regions.is_empty() {
            return Outcome::Refused(vec!["burned-in: no redaction rule matches this image".into()]);
        }
        let compressed = out
            .element(tags::PIXEL_DATA)
            .is_ok_and(|e| matches!(e.value(), dicom_core::value::Value::PixelSequence(_)));
        if compressed {
            // Decoded where dicom-pixeldata can, and written uncompressed from here on.
            if let Err(why) = redact::decode_to_native(&mut out, &ts) {
                return Outcome::Refused(vec![format!("burned-in, not redacted: {why}")]);
            }
            ts = dicom_transfer_syntax_registry::entries::EXPLICIT_VR_LITTLE_ENDIAN.uid().to_string();
        }
        if let Err(why) = redact::redact(&mut out, &regions) {
            return Outcome::Refused(vec![format!("burned-in: {why}")]);
        }
        bytes = match check(&out, &ts) {
            Ok(b) => b,
            Err(why) => return Outcome::Refused(why),
        };
        verdict = gate::check(&bytes, policy);
    }
    if !verdict.accept {
        return Outcome::Refused(reasons(&verdict));
    }
    Outcome::Scrubbed(bytes)
}
