//! Private elements, bytes after a frame, text in binary values, and the score that tells a
//! data set from bytes that merely parse as one.

use super::*;

impl Law<'_> {
    /// The safe-private entry that names this element, if any.
    pub(super) fn listed(&self, tag: Tag) -> bool {
        let (group, element) = (tag.group(), tag.element());
        let (block, low) = match element {
            0x0010..=0x00FF => (element as u8, None),
            e if e >= 0x1000 => ((e >> 8) as u8, Some((e & 0xFF) as u8)),
            _ => return false,
        };
        let Some(creator) = self.creator_of(group, block) else { return false };
        let creator = trim(creator);
        self.policy.safe_private.iter().any(|s| {
            s.group == group && s.creator.as_bytes() == creator && low.is_none_or(|l| l == s.element)
        })
    }

    pub(super) fn private(&mut self, e: &Element<'_>) {
        let tag = e.tag;
        if tag.element() == 0x0000 {
            // A group length: four bytes, a number, nothing else.
            if !e.value.is_empty() && e.value.len() != 4 {
                self.find("value-not-its-vr", tag, None, readable(e.value), None);
            }
            return;
        }
        if (0x0010..=0x00FF).contains(&tag.element()) {
            let creator = e.value.to_vec();
            self.creators_mut().push(((tag.group(), tag.element() as u8), creator));
        }
        let strong = readable(e.value);
        if !self.listed(tag) {
            self.find("private-element", tag, None, strong, None);
            return;
        }
        let text = e.vr.is_none_or(text_vr) || e.vr == Some(VR::UN);
        if text && let Some(s) = shape::find(e.value, Strength::FreeText) {
            self.find("identity-in-text", tag, None, strong, Some(s.describe()));
            return;
        }
        self.find("private-element", tag, Some(Retain::SafePrivate), false, None);
    }

    /// Native pixel data longer than its frames (and the byte that pads them to even length)
    /// has bytes no viewer shows and any reader can take out: refused when they hold text.
    pub(super) fn slack(&mut self, e: &Element<'_>) {
        let Some(frames) = pixels::native_len(self.facts.geometry) else { return };
        let slack = usize::try_from(frames).ok().and_then(|f| e.value.get(f..)).unwrap_or_default();
        // Text however it is spread: a run, UTF-16, letters between control bytes.
        let letters = slack.iter().filter(|b| b.is_ascii_alphanumeric()).count();
        if self.levels.is_empty() && (crate::gate::runs::has_text(slack) || letters >= SLACK_LETTERS) {
            self.find("hidden-text", e.tag, None, true, Some("text after the last frame's pixels"));
            return;
        }
        // A whole frame more than the header declares, which a viewer does not show and OCR
        // does not read, but a reader of the bytes (or a viewer told of one frame more) shows:
        // pixels, not padding of one value.
        let count = self.facts.geometry[4].unwrap_or(1).max(1);
        let frame = usize::try_from(frames / count).unwrap_or(usize::MAX);
        let varied = slack.first().is_some_and(|&b| slack.iter().any(|&c| c != b));
        if self.levels.is_empty() && frame > 0 && slack.len() >= frame && varied {
            self.find("hidden-text", e.tag, None, true, Some("a frame after the frames the header declares"));
        }
    }

    /// Native pixel data of more than 8 bits a sample holds text only where text was put: two
    /// printable bytes in a row are a value of 8,224 or more with both its bytes letters, which
    /// a CT's or an MR's values seldom are. A run of them that reads as words and has a labelled
    /// field's shape (`PATIENT MADEUP^ZELDA MRN 4711913`), or a patient's record, is identity
    /// that `strings` shows, though no viewer does. In 8-bit pixels, whose mid-greys are printable bytes and where
    /// chance spells a short label (`id:7`), only a patient's record ([`shape::record`]: a name
    /// in `Family^Given` form beside a date or an ID); OCR reads what a viewer shows of them.
    pub(super) fn text_in_pixels(&mut self, e: &Element<'_>) {
        if !self.levels.is_empty() {
            return;
        }
        // One pass over the pixels' runs, however deep their samples.
        let deep = self.facts.geometry[2].is_none_or(|b| b > 8);
        let found = crate::gate::runs::text_runs(e.value).find_map(|run| {
            if shape::record(run) {
                Some("a patient's record in the bytes of the pixels")
            } else if deep && crate::gate::runs::labelled_words(run) {
                Some("a labelled field in the bytes of the pixels")
            } else {
                None
            }
        });
        if let Some(note) = found {
            self.find("identity-in-text", e.tag, None, true, Some(note));
        }
    }

    /// A binary value (a LUT, a list of numbers, data after the pixels) holds numbers: a run of
    /// text in it with a labelled field's shape (`Name:`, `DOB 03/02/1971`, `MRN4711913`) is
    /// identity a `strings` shows. Only that shape, and a patient's record ([`shape::record`]):
    /// a LUT's ramp writes `00112233…` (a digit run), and a segmented LUT of pydicom's test files
    /// holds a name's shape by chance (`gdcm-US-ALOKA-16.dcm`) — but for floating-point values.
    /// Not pixel data ([`Law::text_in_pixels`]).
    pub(super) fn text_in_binary(&mut self, e: &Element<'_>) {
        let vr = e.vr.or_else(|| scan::dictionary_vr(e.tag));
        let pixels = matches!(e.tag, tags::PIXEL_DATA | Tag(0x7FE0, 0x0008) | Tag(0x7FE0, 0x0009));
        if pixels || !vr.is_some_and(binary_vr) || e.value.len() < crate::gate::runs::HIDDEN_TEXT {
            return;
        }
        // Floating-point numbers (FD, FL, OD, OF) spell text only when text was put there: a
        // name's shape counts in them too (`MADEUP^ZELDA` as the bytes of three doubles).
        let floats = matches!(vr, Some(VR::FD | VR::FL | VR::OD | VR::OF));
        let shaped = crate::gate::runs::text_runs(e.value).find_map(|run| match floats {
            true => shape::find(run, Strength::Labels),
            false if shape::record(run) => Some(shape::Shape::PersonName),
            false => shape::labelled(run).then_some(shape::Shape::LabelledField),
        });
        if let Some(shape) = shaped {
            self.find("identity-in-text", e.tag, None, true, Some(shape.describe()));
        }
        // A raw data set inside the value: the gate reads it as a reader given its offset does.
        if crate::gate::embedded::value_readings(e.value).next().is_some() {
            if self.held_bytes + e.value.len() > MAX_HELD {
                self.find("embedded-dicom", e.tag, None, true, Some("too many data sets in binary values"));
            } else {
                self.held_bytes += e.value.len();
                self.held.push((e.tag, e.value.to_vec()));
            }
        }
    }

    /// Scores a top-level element (see [`Law::known`]): one with a value, outside the command
    /// group (whose small tags, (0000,0100) and the like, binaries are full of).
    pub(super) fn score(&mut self, tag: Tag, vr: Option<VR>, len: usize) {
        // Cheap tests first: most elements of a file score nothing past its first few.
        if self.known >= 16 || len == 0 || tag.group() == 0x0000 || tag.element() == 0x0000 {
            return;
        }
        let Some(known) = scan::dictionary_vr(tag) else { return };
        let fits = vr.is_none_or(|v| v == known || v == VR::UN);
        let shaped =
            tag.element() != 0x0000 && tag.group().is_multiple_of(2) && tag.group() != 0x0000 && len > 0;
        if shaped && fits && !self.scored.contains(&tag) && self.known < 16 {
            self.known += 1;
            self.scored.push(tag);
        }
    }
}
