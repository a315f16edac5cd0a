//! Items whose values together say a name: a code of a site's own scheme (a record of someone),
//! and a report's items read one after another as one line, as the gate's law reads them.

use dicom_core::value::PrimitiveValue;
use dicom_core::{DataElement, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use dicom_object::mem::InMemElement;

use crate::gate::shape::{self, Strength};

/// A code of a site's own scheme that holds identity, as the gate's law reads it
/// ([`shape::site_code`]): a site's record of someone, so its value and its meaning both become
/// CLEANED (a name beside a record number is that patient's, whatever shape it has).
pub(super) fn clean_site_code(item: &mut InMemDicomObject) {
    let text = |tag| {
        item.element(tag).ok().and_then(|e| e.value().to_str().ok()).map(|s| s.trim().as_bytes().to_vec())
    };
    // Every value an item holds (Code Value, Long Code Value, URN Code Value), as the law judges
    // each.
    let value_tags: Vec<Tag> = [tags::CODE_VALUE, tags::LONG_CODE_VALUE, tags::URN_CODE_VALUE]
        .into_iter()
        .filter(|&t| item.element(t).is_ok())
        .collect();
    let (scheme, meaning) = (text(tags::CODING_SCHEME_DESIGNATOR), text(tags::CODE_MEANING));
    let values: Vec<Vec<u8>> = value_tags.iter().filter_map(|&t| text(t)).collect();
    let values: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
    if shape::site_code::site_code_of(scheme.as_deref(), &values, meaning.as_deref()).is_none() {
        return;
    }
    for tag in value_tags.into_iter().chain([tags::CODE_MEANING]) {
        let vr = crate::gate::scan::dictionary_vr(tag).unwrap_or(VR::LO);
        item.put(DataElement::new(tag, vr, PrimitiveValue::from("CLEANED")));
    }
}

/// Items a report's reader lists one after another, read as one line as the gate's law reads
/// them (two or three in a row, [`crate::gate::law::IN_TURN`]): their text values as free text,
/// their codes' meanings (a CODE content item's: its concept's) as kept text. Where such a line
/// says a name (`ZELDA`, `QUELLMARK` in two TEXT items; `Zelda`, `Quellmark` as two codes'
/// meanings), what each of its items says becomes CLEANED.
pub(super) fn clean_in_turn(items: &mut [InMemDicomObject]) {
    for (tag, strength) in [(tags::TEXT_VALUE, Strength::FreeText), (tags::CODE_MEANING, Strength::Kept)] {
        let lines: Vec<Option<String>> = items.iter().map(|item| said(item, tag)).collect();
        let mut clear = vec![false; items.len()];
        // Where a line may start: past the last one that said something, as the law reads.
        let mut from = 0;
        for end in 1..items.len() {
            // The shortest line ending here that says one: the items after a name keep theirs.
            for start in (end.saturating_sub(crate::gate::law::IN_TURN - 1).max(from)..end).rev() {
                let Some(line) = lines[start..=end].iter().cloned().collect::<Option<Vec<_>>>() else {
                    break;
                };
                if shape::find(line.join(" ").as_bytes(), strength).is_some() {
                    clear[start..=end].iter_mut().for_each(|c| *c = true);
                    from = end + 1;
                    break;
                }
            }
        }
        for (item, _) in items.iter_mut().zip(&clear).filter(|(_, c)| **c) {
            unsay(item, tag);
        }
    }
}

/// What an item says in its part of a line read in turn: its own value of `tag`, or — for a
/// code's meaning — its concept code's.
fn said(item: &InMemDicomObject, tag: Tag) -> Option<String> {
    // Trimmed as the law trims (spaces and NULs only: a line break is something said).
    let text = |e: &InMemElement| {
        e.value()
            .to_str()
            .ok()
            .map(|t| String::from_utf8_lossy(crate::gate::scan::trim(t.as_bytes())).into_owned())
    };
    let said = match item.element(tag) {
        Ok(e) => text(e)?,
        Err(_) if tag == tags::CODE_MEANING => {
            let concepts = item.element(tags::CONCEPT_CODE_SEQUENCE).ok()?.items()?;
            let meanings = concepts.iter().filter_map(|c| c.element(tags::CODE_MEANING).ok().and_then(text));
            meanings.collect::<Vec<_>>().join(" ")
        }
        Err(_) => return None,
    };
    (!said.is_empty()).then_some(said)
}

/// CLEANED written over what [`said`] read.
fn unsay(item: &mut InMemDicomObject, tag: Tag) {
    let cleaned = |tag, vr| DataElement::new(tag, vr, PrimitiveValue::from("CLEANED"));
    if let Ok(e) = item.element(tag) {
        let vr = e.vr();
        item.put(cleaned(tag, vr));
        return;
    }
    item.update_value(tags::CONCEPT_CODE_SEQUENCE, |v| {
        for concept in v.items_mut().into_iter().flatten() {
            if concept.element(tags::CODE_MEANING).is_ok() {
                concept.put(cleaned(tags::CODE_MEANING, VR::LO));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_item(value: &str, scheme: &str, meaning: &str) -> InMemDicomObject {
        InMemDicomObject::from_element_iter([
            DataElement::new(tags::CODE_VALUE, VR::SH, PrimitiveValue::from(value)),
            DataElement::new(tags::CODING_SCHEME_DESIGNATOR, VR::SH, PrimitiveValue::from(scheme)),
            DataElement::new(tags::CODE_MEANING, VR::LO, PrimitiveValue::from(meaning)),
        ])
    }

    fn code_text(item: &InMemDicomObject, tag: Tag) -> String {
        item.element(tag).unwrap().value().to_str().unwrap().trim().to_string()
    }

    #[test]
    fn a_site_code_holding_identity_is_cleaned_whole_and_a_concept_code_is_kept() {
        for (value, scheme, meaning) in
            [("4711913", "99MRN", "Madeup Zelda"), ("ZM1", "99LOCAL", "Madeup Zelda 1971-02-03")]
        {
            let mut item = code_item(value, scheme, meaning);
            clean_site_code(&mut item);
            assert_eq!(code_text(&item, tags::CODE_VALUE), "CLEANED", "{scheme}");
            assert_eq!(code_text(&item, tags::CODE_MEANING), "CLEANED", "{scheme}");
            assert_eq!(code_text(&item, tags::CODING_SCHEME_DESIGNATOR), scheme);
        }
        for (value, scheme, meaning) in
            [("CTCAP", "99RIS", "CT CHEST ABDOMEN PELVIS"), ("121030", "DCM", "Subject ID")]
        {
            let mut item = code_item(value, scheme, meaning);
            clean_site_code(&mut item);
            assert_eq!(
                (code_text(&item, tags::CODE_VALUE), code_text(&item, tags::CODE_MEANING)),
                (value.into(), meaning.into())
            );
        }
    }
}
