//! What a structured report's content items and a site's codes say: a label in one place and
//! its value in another, read together as a viewer shows them.

use super::*;

impl Law<'_> {
    /// A structured report's content item says a label in its concept name and the value in
    /// its value (`"Patient name" = "ZELDA MADEUP"`, `"Medical record number" = 4711913`), as
    /// `dsrdump` and every SR viewer show them side by side: the concept name's meaning and
    /// each value are gathered here ([`Law::said`] reads them together at the item's end). A
    /// coded value's meaning counts as a value.
    pub(super) fn content_item(&mut self, e: &Element<'_>) {
        const VALUES: [Tag; 7] = [
            tags::TEXT_VALUE,
            tags::PERSON_NAME,
            tags::DATE_TIME,
            tags::DATE,
            tags::TIME,
            tags::NUMERIC_VALUE,
            tags::UID,
        ];
        let n = self.levels.len();
        // Copied only for the elements kept: this runs for every element of every reading.
        let value = || trim(e.value).to_vec();
        if n >= 1 {
            let code = &mut self.levels[n - 1].code;
            match e.tag {
                tags::CODE_VALUE | tags::LONG_CODE_VALUE | tags::URN_CODE_VALUE => {
                    code.values.push((e.tag, value()))
                }
                tags::CODING_SCHEME_DESIGNATOR => code.scheme = Some(value()),
                tags::CODE_MEANING => code.meaning = Some(value()),
                _ => {}
            }
        }
        if e.tag == tags::CODE_MEANING && n >= 2 {
            match self.levels[n - 1].tag {
                tags::CONCEPT_NAME_CODE_SEQUENCE => self.levels[n - 2].concept = Some(value()),
                tags::CONCEPT_CODE_SEQUENCE => {
                    self.levels[n - 2].values.push((tags::CONCEPT_CODE_SEQUENCE, value()))
                }
                tags::MEASUREMENT_UNITS_CODE_SEQUENCE => self.levels[n - 2].heard.push(value()),
                _ => {}
            }
        } else if n >= 1 && VALUES.contains(&e.tag) {
            self.levels[n - 1].values.push((e.tag, value()));
        }
    }

    /// At a content item's end: its concept name's meaning and each of its values read as one
    /// text (`Patient name: ZELDA MADEUP`), for a label and its value.
    ///
    /// A value that could be someone's (two words, or five digits or more) is read too after
    /// each label its context gives: the concept of each content item it lies in (`Patient
    /// name` → `Value` = `ZELDA MADEUP`), and what its own children said and its units
    /// (`Person` = `ZELDA MADEUP` with `Role` = `Patient (name)`; `4711913` in units of
    /// `medical record number`). A measured value's group (no concept of its own) hands its
    /// values and units to the item it is in.
    pub(super) fn said(&mut self) {
        let n = self.levels.len();
        let Some(level) = self.levels.last_mut() else { return };
        let (values, heard) = (std::mem::take(&mut level.values), std::mem::take(&mut level.heard));
        let Some(concept) = level.concept.take() else {
            if n >= 2 {
                let parent = &mut self.levels[n - 2];
                parent.values.extend(values);
                parent.heard.extend(heard);
            }
            return;
        };
        let context: Vec<Vec<u8>> = self.levels[..n - 1]
            .iter()
            .rev()
            .filter_map(|l| l.concept.clone())
            .chain(heard.iter().map(|h| h.iter().copied().filter(|b| !matches!(b, b'(' | b')')).collect()))
            .collect();
        for (tag, value) in &values {
            let labels = std::iter::once(&concept)
                .chain(context.iter().filter(|_| shape::site_code::could_be_someones(value)));
            for label in labels {
                let said = [&label[..], b": ", value].concat();
                if let Some(shape) = shape::find(&said, Strength::Labels) {
                    self.find("identity-in-text", *tag, None, true, Some(shape.describe()));
                    return;
                }
            }
        }
        // What this item said, for the item it lies in.
        if n >= 2 {
            let parent = &mut self.levels[n - 2];
            parent.heard.push(concept);
            parent.heard.extend(values.into_iter().map(|(_, v)| v));
        }
    }
}

impl Law<'_> {
    /// At an item's end: a code of a site's own scheme, read with its scheme's name and its
    /// meaning as a viewer shows them ([`shape::site_code`]).
    pub(super) fn coded(&mut self) {
        let Some(level) = self.levels.last_mut() else { return };
        let code = std::mem::take(&mut level.code);
        let values: Vec<&[u8]> = code.values.iter().map(|(_, v)| v.as_slice()).collect();
        let found = shape::site_code::site_code_of(code.scheme.as_deref(), &values, code.meaning.as_deref());
        if let Some((index, part, shape)) = found {
            let tag = match (part, index) {
                (shape::site_code::Part::Value, Some(i)) => code.values[i].0,
                _ => tags::CODE_MEANING,
            };
            self.find("identity-in-text", tag, None, true, Some(shape.describe()));
        }
    }
}

/// How many items in a row are read as one line: a name split over two or three items.
pub const IN_TURN: usize = 3;

impl Law<'_> {
    /// At an item's end: its text values and its code's meaning read with those of the items
    /// before it in the same sequence, one line each, as a report's reader lists them one after
    /// another (`ZELDA`, `QUELLMARK` in two TEXT items; `Zelda`, `Quellmark` as two codes'
    /// meanings). The text values as free text, the meanings as text the profile keeps.
    pub(super) fn in_turn(&mut self) {
        let Some(level) = self.levels.last_mut() else { return };
        let text: Vec<u8> = level
            .values
            .iter()
            .filter(|(tag, _)| *tag == tags::TEXT_VALUE)
            .flat_map(|(_, v)| [&b" "[..], v].concat())
            .collect();
        // A code item's meaning, or a CODE content item's (its Concept Code Sequence's).
        let meaning = level.code.meaning.clone().unwrap_or_else(|| {
            let concepts = level.values.iter().filter(|(tag, _)| *tag == tags::CONCEPT_CODE_SEQUENCE);
            concepts.flat_map(|(_, v)| [&b" "[..], v].concat()).collect()
        });
        let mut found = None;
        for ((recent, said), (tag, strength)) in level
            .recent
            .iter_mut()
            .zip([text, meaning])
            .zip([(tags::TEXT_VALUE, Strength::FreeText), (tags::CODE_MEANING, Strength::Kept)])
        {
            if trim(&said).is_empty() {
                recent.clear();
                continue;
            }
            recent.push_back(said);
            if recent.len() > IN_TURN {
                recent.pop_front();
            }
            if recent.len() >= 2 && found.is_none() {
                let line = recent.iter().map(|s| trim(s)).collect::<Vec<_>>().join(&b' ');
                found = shape::find(&line, strength).map(|s| (tag, s));
            }
        }
        if let Some((tag, shape)) = found {
            // Said once for the line, not again for each item after it.
            level.recent.iter_mut().for_each(std::collections::VecDeque::clear);
            self.find("identity-in-text", tag, None, true, Some(shape.describe()));
        }
    }
}
