//! One file's bytes through the scrub: read, de-identified, redacted where asked, written in
//! its transfer syntax, and checked by the gate before it is handed back. Pure: bytes in, bytes
//! (or the reasons there are none) out. Shared by `vault scrub` and `vault import --scrub`.

use dicom_dictionary_std::tags;
use dicom_encoding::transfer_syntax::{Codec, TransferSyntaxIndex};
use dicom_object::{FileMetaTableBuilder, OpenFileOptions};
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

use super::redact::{self, Redaction};
use super::{Profile, ScrubKey, scrub};
use crate::gate::pixels::{self, DataSet};
use crate::gate::{self, Identity, Policy, Sight};

/// What became of a file.
#[derive(Debug)]
pub enum Outcome {
    /// De-identified DICOM the gate accepts.
    Scrubbed(Vec<u8>),
    /// Not DICOM, and the gate accepts it as it is.
    Unchanged,
    /// Not written, and why.
    Refused(Vec<Refusal>),
}

/// One reason a file was not written: the rule, a name from a fixed set (the gate's rules, and
/// the scrub's own below) that an audit record or a network peer may be told, and what a person
/// at the terminal reads — with the tag and the place (a container's member by its name, which
/// can be anything), never a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub rule: &'static str,
    pub said: String,
}

/// The scrub's own rules, beside the gate's.
pub mod rule {
    /// The image metadata beside the pixels (EXIF, text chunks) could not be removed.
    pub const METADATA_NOT_REMOVED: &str = "image-metadata-not-removed";
    /// Burned-in text that no redaction was asked for, or that the redaction could not blank.
    pub const NOT_REDACTED: &str = "burned-in-not-redacted";
    /// A file this scrub cannot read as Part 10.
    pub const UNREADABLE: &str = "unreadable-dicom";
    /// The de-identified file could not be written in its transfer syntax.
    pub const NOT_WRITTEN: &str = "cannot-write";
}

impl Refusal {
    fn new(rule: &'static str, said: String) -> Refusal {
        Refusal { rule, said }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.said)
    }
}

/// The rules of a refusal, each once, in order: what an audit record and a network peer are told.
pub fn rules(why: &[Refusal]) -> String {
    let mut rules: Vec<&str> = Vec::new();
    for r in why {
        if !rules.contains(&r.rule) {
            rules.push(r.rule);
        }
    }
    rules.join("; ")
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

/// Native pixel data cut to the frames the header describes: what lies after them no viewer
/// shows, and the gate refuses when it holds text (`hidden-text`).
fn drop_pixel_slack(obj: &mut dicom_object::InMemDicomObject) {
    use dicom_core::value::{PrimitiveValue, Value};
    let number = |tag| obj.element(tag).ok().and_then(|e| e.to_int::<u64>().ok());
    let Some(len) = gate::pixels::native_len(gate::pixels::GEOMETRY.map(number)) else { return };
    let Ok(e) = obj.element(tags::PIXEL_DATA) else { return };
    let Value::Primitive(PrimitiveValue::U8(bytes)) = e.value() else { return };
    if (bytes.len() as u64) <= len {
        return;
    }
    let kept = bytes[..len as usize].to_vec();
    let vr = e.vr();
    obj.put(dicom_core::DataElement::new(tags::PIXEL_DATA, vr, PrimitiveValue::U8(kept.into())));
}

fn reasons(v: &gate::Verdict) -> Vec<Refusal> {
    v.reasons.iter().map(|r| Refusal::new(r.rule, r.to_string())).collect()
}

/// Burned-in text left in: why, as one refusal.
fn not_redacted(why: impl std::fmt::Display) -> Vec<Refusal> {
    vec![Refusal::new(rule::NOT_REDACTED, format!("burned-in, not redacted: {why}"))]
}

/// True when the gate could not read the pixels: no redaction can prove them clean either.
fn unread(v: &gate::Verdict) -> bool {
    v.reasons.iter().any(|r| r.rule == "burned-in-unread")
}

/// True when the gate refused for burned-in data that a redaction could blank.
fn redactable(v: &gate::Verdict) -> bool {
    v.reasons.iter().any(|r| r.rule.starts_with("burned-in")) && !unread(v)
}

/// The regions to blank in an image whose sampled frames are `frames`: the rules' (`by_rules`),
/// and with OCR what it reads.
fn regions(
    frames: Result<Vec<(u32, crate::ocr::Frame)>, pixels::Unread>,
    by_rules: Vec<[u32; 4]>,
    redaction: &Redaction,
    sight: &Sight<'_>,
) -> Result<Vec<[u32; 4]>, Vec<Refusal>> {
    let mut out = by_rules;
    if redaction.ocr {
        out.extend(ocr_regions(frames, sight)?);
    } else if out.is_empty() {
        return Err(vec![Refusal::new(
            rule::NOT_REDACTED,
            "burned-in: no redaction rule matches this image (--redact auto reads the text)".into(),
        )]);
    }
    Ok(out)
}

/// A file no reading takes for DICOM: unchanged if the gate passes it (and, with `--redact
/// auto`, OCR reads no text in it); an image with text, redacted where asked and passed only if
/// the gate then passes it.
fn not_dicom(bytes: &[u8], policy: &Policy, redact: Option<&Redaction>, sight: &Sight<'_>) -> Outcome {
    let verdict = gate::check_with(bytes, policy, &first_look(sight, redact));
    if verdict.accept && !wants_redaction(&verdict, redact) {
        return Outcome::Unchanged;
    }
    if !verdict.dicom
        && !verdict.reasons.is_empty()
        && verdict.reasons.iter().all(|r| r.rule == "image-metadata")
    {
        // Refused only for what it carries beside its pixels: written again without it, then
        // checked as every output is (with the OCR the first look may have left out).
        let out = match redact::redact_image(bytes, &[]) {
            Ok(out) => out,
            Err(why) => {
                let said = format!("image metadata, not removed: {why}");
                return Outcome::Refused(vec![Refusal::new(rule::METADATA_NOT_REMOVED, said)]);
            }
        };
        let verdict = gate::check_with(&out, policy, sight);
        return if verdict.accept { Outcome::Scrubbed(out) } else { Outcome::Refused(reasons(&verdict)) };
    }
    let Some(redaction) = redact.filter(|_| wants_redaction(&verdict, redact) && !verdict.dicom) else {
        return Outcome::Refused(reasons(&verdict));
    };
    let Some(frames) = pixels::image_frames(bytes) else { return Outcome::Refused(reasons(&verdict)) };
    let mut regions = match regions(frames, Vec::new(), redaction, sight) {
        Ok(r) => r,
        Err(why) => return Outcome::Refused(why),
    };
    if regions.is_empty() && verdict.accept {
        // No text to blank: the gate's own look (the first was blind), nested images and all.
        let verdict = gate::check_with(bytes, policy, sight);
        return if verdict.accept { Outcome::Unchanged } else { Outcome::Refused(reasons(&verdict)) };
    }
    let mut out = bytes.to_vec();
    for pass in 0..PASSES {
        out = match redact::redact_image(&out, &regions) {
            Ok(out) => out,
            Err(why) => return Outcome::Refused(not_redacted(why)),
        };
        if !redaction.ocr || pass + 1 == PASSES {
            break;
        }
        let Some(frames) = pixels::image_frames(&out) else { break };
        regions = match ocr_regions(frames, sight) {
            Ok(r) if r.is_empty() => break,
            Ok(r) => r,
            Err(why) => return Outcome::Refused(why),
        };
    }
    let verdict = gate::check_with(&out, policy, sight);
    if !verdict.accept {
        return Outcome::Refused(reasons(&verdict));
    }
    Outcome::Scrubbed(out)
}

/// An engine that reads no text: with `--redact auto`, the first look at a file needs only the
/// header's verdict and whether the gate reads its pixels; what is written is checked by the
/// gate with its own engine all the same.
struct Blind;

impl crate::ocr::Reader for Blind {
    fn engine(&self) -> Result<String, crate::ocr::OcrError> {
        Ok("none".into())
    }

    fn lines(&self, _: &crate::ocr::Gray) -> Result<Vec<crate::ocr::Line>, crate::ocr::OcrError> {
        Ok(Vec::new())
    }
}

/// The sight a file is first checked with: [`Blind`] where `--redact auto` reads it anyway.
fn first_look<'a>(sight: &Sight<'a>, redact: Option<&Redaction>) -> Sight<'a> {
    if redact.is_some_and(|r| r.ocr) {
        Sight { reader: &Blind, memo: None, also: sight.also.clone() }
    } else {
        Sight { reader: sight.reader, memo: sight.memo, also: sight.also.clone() }
    }
}

/// How many times `--redact auto` reads and blanks: a second reading finds what blanking a line
/// uncovered (a word OCR had read as part of it) and what it read differently.
const PASSES: usize = 2;

/// True when an image is to be redacted: the gate refused it for burned-in text (with or
/// without a redaction asked for: without, the refusal says how), or `--redact auto` is asked
/// and OCR read its pixels (every text OCR reads is blanked, identifying or not: a name written
/// like any other word has no shape to know it by).
fn wants_redaction(verdict: &gate::Verdict, redact: Option<&Redaction>) -> bool {
    (!verdict.accept && redactable(verdict))
        || (redact.is_some_and(|r| r.ocr) && verdict.pixels_read && !unread(verdict))
}

/// The boxes of the text OCR reads in an image's frames ([`redact::text_regions`]).
fn ocr_regions(
    frames: Result<Vec<(u32, crate::ocr::Frame)>, pixels::Unread>,
    sight: &Sight<'_>,
) -> Result<Vec<[u32; 4]>, Vec<Refusal>> {
    let frames = frames.map_err(|why| not_redacted(why.describe()))?;
    redact::text_regions(&frames, &sight.also, sight.reader)
        .map_err(|e| not_redacted(gate::burned::describe(&e)))
}

/// How a door de-identifies what comes in (`import --scrub`, `receive --scrub`): the profile,
/// the vault's key and how burned-in text is blanked.
pub struct Scrubbing {
    pub profile: Profile,
    pub key: ScrubKey,
    pub redaction: Option<Redaction>,
}

impl Scrubbing {
    /// [`scrub_bytes`] with these settings, and the OCR on this machine.
    /// What the import door stores for `bytes` (`vault import --scrub`).
    pub fn prepare(&self, bytes: Vec<u8>, policy: &Policy) -> crate::gate::import::Prepared {
        use crate::gate::import::Prepared;
        match self.apply(&bytes, policy) {
            Outcome::Scrubbed(out) => Prepared::Bytes(out),
            Outcome::Unchanged => Prepared::Bytes(bytes),
            Outcome::Refused(why) => {
                let reasons: Vec<String> = why.iter().map(ToString::to_string).collect();
                Prepared::Refused { rules: rules(&why), why: reasons.join("; ") }
            }
        }
    }

    pub fn apply(&self, bytes: &[u8], policy: &Policy) -> Outcome {
        scrub_bytes(bytes, &self.profile, &self.key, policy, self.redaction.as_ref(), &Sight::system())
    }
}

/// Scrubs one file's bytes. `redact`: how to blank burned-in text (None: images with it are
/// refused). `sight`: the OCR the gate reads images with, before and after redaction.
pub fn scrub_bytes(
    bytes: &[u8],
    profile: &Profile,
    key: &ScrubKey,
    policy: &Policy,
    redact: Option<&Redaction>,
    sight: &Sight<'_>,
) -> Outcome {
    // The header first, without OCR: is it DICOM, can it be read.
    let header_only = Policy { ocr: false, ..policy.clone() };
    let before = gate::check_with(bytes, &header_only, sight);
    if !before.dicom {
        return not_dicom(bytes, policy, redact, sight);
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
            let said = "unreadable-dicom (not a Part 10 file this scrub can read)".into();
            return Outcome::Refused(vec![Refusal::new(rule::UNREADABLE, said)]);
        }
    };
    let mut ts = file.meta().transfer_syntax().to_string();
    let original_meta = file.meta().clone();
    // The patient's values, looked for in the pixels of what is written (the header has lost
    // them by then).
    let mut seeing = Sight { reader: sight.reader, memo: sight.memo, also: Identity::of(&file) };
    seeing.also.extend(&sight.also);
    let sight = &seeing;
    let mut out = scrub(file.into_inner(), profile, key);
    if !ts.contains("1.2.840.10008.1.2.2") {
        native_pixels_as_bytes(&mut out);
        drop_pixel_slack(&mut out);
    }
    let check = |o: &dicom_object::InMemDicomObject, ts: &str| -> Result<Vec<u8>, Vec<Refusal>> {
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
        let cannot =
            |e: &dyn std::fmt::Display| vec![Refusal::new(rule::NOT_WRITTEN, format!("cannot write: {e}"))];
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
    let mut verdict = gate::check_with(&bytes, policy, &first_look(sight, redact));
    if wants_redaction(&verdict, redact) {
        let Some(redaction) = redact else {
            let mut why = reasons(&verdict);
            why.push(Refusal::new(
                rule::NOT_REDACTED,
                "not redacted: pass --redact auto to blank the text".into(),
            ));
            return Outcome::Refused(why);
        };
        let frames = pixels::dicom_frames(DataSet::Part10 { bytes: &bytes, preamble: true });
        let mut regions = match regions(frames, redaction.rules.regions(&out), redaction, sight) {
            Ok(r) => r,
            Err(why) => return Outcome::Refused(why),
        };
        if regions.is_empty() && verdict.accept {
            // No text to blank: the gate's own look (the first was blind).
            let verdict = gate::check_with(&bytes, policy, sight);
            return if verdict.accept {
                Outcome::Scrubbed(bytes)
            } else {
                Outcome::Refused(reasons(&verdict))
            };
        }
        let compressed = out
            .element(tags::PIXEL_DATA)
            .is_ok_and(|e| matches!(e.value(), dicom_core::value::Value::PixelSequence(_)));
        if compressed {
            // Decoded where dicom-pixeldata can, and written uncompressed from here on.
            if let Err(why) = redact::decode_to_native(&mut out, &ts) {
                return Outcome::Refused(not_redacted(why));
            }
            ts = dicom_transfer_syntax_registry::entries::EXPLICIT_VR_LITTLE_ENDIAN.uid().to_string();
        }
        for pass in 0..PASSES {
            if let Err(why) = redact::redact(&mut out, &regions) {
                return Outcome::Refused(vec![Refusal::new(rule::NOT_REDACTED, format!("burned-in: {why}"))]);
            }
            bytes = match check(&out, &ts) {
                Ok(b) => b,
                Err(why) => return Outcome::Refused(why),
            };
            if !redaction.ocr || pass + 1 == PASSES {
                break;
            }
            // What the blanking uncovered to OCR (a word it read as part of a longer line).
            regions = match ocr_regions(
                pixels::dicom_frames(DataSet::Part10 { bytes: &bytes, preamble: true }),
                sight,
            ) {
                Ok(r) if r.is_empty() => break,
                Ok(r) => r,
                Err(why) => return Outcome::Refused(why),
            };
        }
        verdict = gate::check_with(&bytes, policy, sight);
    }
    if !verdict.accept {
        return Outcome::Refused(reasons(&verdict));
    }
    Outcome::Scrubbed(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_told_to_a_log_or_a_peer_by_its_rules_alone_each_once() {
        let why = vec![
            Refusal::new("unsupported-container", "unsupported-container: in Madeup^Zelda!/ (7z)".into()),
            not_redacted("(7FE0,0010) PixelData").remove(0),
            Refusal::new(rule::NOT_REDACTED, "not redacted: pass --redact auto to blank the text".into()),
        ];
        assert_eq!(rules(&why), "unsupported-container; burned-in-not-redacted");
        assert!(why[0].to_string().contains("Madeup"), "the terminal is told where");
    }
}
