//! The law as the element reader's [`Visitor`]: what it does at each element, fragment,
//! sequence and item, and text read again in the character set a data set declares.

use super::*;

impl Law<'_> {
    /// The character set in force where the reading stands: the current item's, else the one
    /// its data set declares, up to the top.
    fn charset(&self) -> Option<&SpecificCharacterSet> {
        self.levels.iter().rev().find_map(|l| l.charset.as_ref()).or(self.charset.as_ref())
    }

    /// A text value as a reader that honours the declared character set shows it, where that
    /// differs from its bytes read plainly (as ASCII, UTF-8, or the 8-bit views
    /// [`shape::views`] takes): two-byte sets, and ISO 2022's escapes.
    fn shown(&self, e: &Element<'_>) -> Option<Vec<u8>> {
        // An implicit VR's element by the dictionary's VR (Rows and Columns are no text).
        let vr = e.vr.or_else(|| StandardDataDictionary.by_tag(e.tag).and_then(|d| d.vr().exact()));
        let text =
            vr.is_some_and(|vr| matches!(vr, VR::SH | VR::LO | VR::ST | VR::LT | VR::UT | VR::UC | VR::PN));
        if !text || e.value.iter().all(|&b| b < 0x80 && b != 0x1B) || e.value.len() > 1 << 20 {
            return None;
        }
        let shown = self.charset()?.decode(e.value).ok()?.into_bytes();
        (shown != e.value).then_some(shown)
    }
}

impl Law<'_> {
    /// Whether the set in force is one of ISO 8859's Latin sets (ISO_IR 100, 101, 109, 110) and
    /// its reading `shown` fits the bytes: no C1 control, which is what the bytes of another
    /// set (a Windows code page's, a Cyrillic set's quotes) read as. Only then are names
    /// written as words judged in that reading alone ([`shape::in_declared_set`]): a reading in
    /// a set that does not fit mixes scripts, and a name in it is judged in every guess.
    fn fits_latin(&self, shown: &[u8]) -> bool {
        let latin = self.charset().is_some_and(|c| {
            matches!(c.name().as_ref(), "ISO_IR 100" | "ISO_IR 101" | "ISO_IR 109" | "ISO_IR 110")
        });
        latin
            && std::str::from_utf8(shown)
                .is_ok_and(|s| !s.chars().any(|c| ('\u{80}'..='\u{9F}').contains(&c)))
    }
}

/// The character set a (0008,0005) value declares that a plain reading does not show: the last
/// of its values a reader knows (the code extension ISO 2022 switches to), unless that is
/// ASCII or UTF-8.
fn declared_charset(value: &[u8]) -> Option<SpecificCharacterSet> {
    let codes = String::from_utf8_lossy(value);
    let last = codes.split('\\').rev().find_map(|c| SpecificCharacterSet::from_code(c.trim()))?;
    (!matches!(last.name().as_ref(), "ISO_IR 6" | "ISO_IR 192")).then_some(last)
}

impl Visitor for Law<'_> {
    /// A compressed frame carries what an image file does beside its pixels (a JPEG's comment
    /// and EXIF, …): judged as an image file's would be; and a labelled field in its bytes is
    /// refused.
    fn fragment(&mut self, bytes: &[u8]) {
        // A fragment's bytes are a codestream, whose runs of printable bytes are short and say
        // nothing; a labelled field in one is text put there (an extra fragment of plain text),
        // and `strings` shows it.
        let labelled = crate::gate::runs::text_runs(bytes).any(shape::labelled);
        if labelled {
            self.find(
                "identity-in-text",
                tags::PIXEL_DATA,
                None,
                true,
                Some(shape::Shape::LabelledField.describe()),
            );
        }
        for mut reason in crate::gate::metadata::reasons(bytes) {
            reason.tag = tag_text(tags::PIXEL_DATA);
            reason.location = format!("{}PixelData fragment/", self.location());
            self.findings.push(Finding {
                reason,
                alternatives: Vec::new(),
                strong: true,
                tag: tags::PIXEL_DATA,
                vr: VR::OB,
                named: false,
            });
        }
    }

    fn element(&mut self, e: &Element<'_>) {
        if self.levels.is_empty() {
            self.score(e.tag, e.vr, e.value.len());
        }
        self.elements += 1;
        if e.tag == tags::SPECIFIC_CHARACTER_SET {
            let declared = declared_charset(e.value);
            match self.levels.last_mut() {
                Some(level) => level.charset = declared,
                None => self.charset = declared,
            }
        }
        // Text in a character set whose letters the bytes do not show plainly (ISO 8859's,
        // GB18030, ISO 2022's Japanese): judged as its bytes read, then again as a reader that
        // honours the set shows it.
        match self.shown(e) {
            Some(shown) => {
                if self.fits_latin(&shown) {
                    shape::in_declared_set(|| self.judged(e, false));
                } else {
                    self.judged(e, false);
                }
                self.judged(&Element { value: &shown, ..*e }, true);
            }
            None => self.judged(e, false),
        }
    }

    fn sequence(&mut self, tag: Tag, vr: Option<VR>) {
        if self.levels.is_empty() {
            self.score(tag, vr, 1);
            self.elements += 1;
        }
        let refused_above = self.refused_here();
        let mut must_be_empty = false;
        if !refused_above {
            if tag.group() % 2 == 1 {
                if !self.listed(tag) {
                    self.find("private-element", tag, None, false, None);
                    self.levels.push(Level::new(tag, must_be_empty));
                    self.refused_from = Some(self.levels.len());
                    return;
                }
            } else {
                let p = profiles();
                let action = p.basic.action(tag, VR::SQ);
                must_be_empty = matches!(action, Action::Remove | Action::Zero)
                    && !p.with.iter().any(|(o, pr)| {
                        !matches!(pr.action(tag, VR::SQ), Action::Remove | Action::Zero) && self.in_force(*o)
                    });
            }
        }
        self.levels.push(Level::new(tag, must_be_empty));
    }

    fn item(&mut self, index: usize) {
        let refused = self.refused_here();
        let Some(level) = self.levels.last_mut() else { return };
        level.index = index;
        level.creators.clear();
        level.concept = None;
        level.values.clear();
        level.charset = None;
        level.code = Code::default();
        if level.must_be_empty && !refused {
            let tag = level.tag;
            level.index = 0;
            // The sequence itself is the finding (its location is where it stands).
            let at = self.levels.pop().expect("a level");
            self.find("identifying-attribute", tag, None, true, None);
            self.levels.push(at);
            self.refused_from = Some(self.levels.len());
        } else if !refused {
            self.text_object();
        }
    }

    fn end_item(&mut self) {
        if !self.refused_here() {
            self.in_turn();
            self.coded();
            self.said();
        }
    }

    fn end_sequence(&mut self) {
        self.levels.pop();
        if self.levels.is_empty() && self.text_objects > 0 {
            self.read_glyphs();
        }
        if self.refused_from.is_some_and(|d| self.levels.len() < d) {
            self.refused_from = None;
        }
    }

    fn gives_up(&self) -> bool {
        self.patience.is_some_and(|p| self.known == 0 && self.elements >= p)
    }

    fn oddity(&mut self, oddity: Oddity, tag: Tag) {
        let rule = match oddity {
            Oddity::Duplicate => "duplicate-element",
            Oddity::OutOfOrder => "element-out-of-order",
            Oddity::OutsideTheModel => "outside-the-model",
        };
        self.find(rule, tag, None, false, None);
    }
}
