//! Words of languages Debian has no plain word list for, or whose plain lists lack their
//! inflected forms and medicine's words (Polish, Czech, Hungarian, Russian, Portuguese, Italian,
//! Spanish, French): their hunspell dictionaries, whose inflected forms only the affix rules
//! spell out (`ogniskowych`, `vyšetření`, `vizsgálattal`, `colecisti`), checked
//! with `spellbook` (a hunspell-compatible checker in Rust). A plain list of every form (as
//! `wpolish` is) would be some sixty megabytes per language, searched a line at a time.
//!
//! Only the small-letter form is asked, so a dictionary's capitalised names (`Kowalski`) are
//! not words, and a name is not let off as a sentence's first word would be.

use std::sync::OnceLock;

use spellbook::Dictionary;

/// The dictionaries (Debian's `hunspell-pl`, `-cs`, `-hu`, `-ru`, `-pt-pt`, `-it`, `-es`,
/// `-fr`), as `/usr/share/hunspell/NAME.aff` and `.dic`, in the order
/// they are read and asked: each is read the first time a word none before it spells is asked,
/// so a description in Polish reads Polish's alone, and a name no dictionary spells reads all:
/// `vault check` of one file holding such a name took about 0.5 s of CPU and 155 MB here,
/// against 0.4 s and 128 MB with the first five alone. Not Greek's (100 MB and 1.5 s alone),
/// nor those that spell many given and family names as words in small letters and so let a
/// name off (Brazil's `joão`, `conceição`; Croatian's `jasna kralj`, Romanian's `floare
/// vulpe`), nor Norway's and Denmark's, whose plain lists hold their forms
/// (`OTHER_LANGUAGES`); Turkish's affix file is written in a way `spellbook` does not read, and
/// Debian has no Finnish one.
pub const DICTIONARIES: &[&str] = &["pl_PL", "cs_CZ", "hu_HU", "ru_RU", "pt_PT", "it_IT", "es_ES", "fr_FR"];

/// True when a dictionary of [`DICTIONARIES`] spells `lower` (a word in small letters) as it
/// is, and it has four letters or more: these dictionaries hold letters and syllables (`z`,
/// `zel`, `mej`) that are initials and a name's abbreviations here. A word with hyphens is
/// asked part by part, each part so (hunspell itself would let `Z-E-L-D-A` pass letter by
/// letter). A dictionary this machine lacks, or cannot read, spells nothing.
pub(super) fn knows(lower: &str) -> bool {
    lower.split('-').all(|part| {
        part.chars().count() > 3
            && (0..DICTIONARIES.len()).any(|k| dictionary(k).is_some_and(|dictionary| dictionary.check(part)))
    })
}

/// The dictionary `DICTIONARIES[k]`, read the first time it is asked (one file's text held at
/// a time); `None` where this machine lacks it or cannot read it.
fn dictionary(k: usize) -> Option<&'static Dictionary> {
    static READ: [OnceLock<Option<Dictionary>>; DICTIONARIES.len()] =
        [const { OnceLock::new() }; DICTIONARIES.len()];
    READ[k].get_or_init(|| read(DICTIONARIES[k])).as_ref()
}

/// Reads every dictionary now; how many this machine has.
pub(super) fn loaded() -> usize {
    (0..DICTIONARIES.len()).filter(|&k| dictionary(k).is_some()).count()
}

/// One dictionary, decoded from the character set its affix file's `SET` line names
/// (`ISO8859-2` for Polish, `UTF-8` for the others here).
fn read(name: &str) -> Option<Dictionary> {
    let aff = std::fs::read(format!("/usr/share/hunspell/{name}.aff")).ok()?;
    let dic = std::fs::read(format!("/usr/share/hunspell/{name}.dic")).ok()?;
    let set = String::from_utf8_lossy(&aff)
        .lines()
        .find_map(|line| line.strip_prefix("SET ").map(|set| set.trim().replace("ISO8859", "ISO-8859")))
        .unwrap_or_else(|| "UTF-8".into());
    let encoding = encoding_rs::Encoding::for_label(set.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    Dictionary::new(&encoding.decode(&aff).0, &encoding.decode(&dic).0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inflected findings of each language are words; an invented family name is not, nor a
    /// given name a dictionary writes capitalised (`Dariusz`, `Giuseppe`), asked in small
    /// letters; and every dictionary is there (`packaging/install-deps.sh` installs them).
    #[test]
    fn inflected_findings_are_words_and_names_are_not() {
        if !std::path::Path::new("/usr/share/hunspell/pl_PL.aff").exists() {
            panic!("hunspell-pl is missing: run packaging/install-deps.sh");
        }
        for word in [
            "ogniskowych",
            "opłucnej",
            "vyšetření",
            "vizsgálattal",
            "исследование",
            "hepática",
            "colecisti",
            "hallazgos",
            "stéatose",
        ] {
            assert!(knows(word), "{word} should be a word");
        }
        for name in [
            "vandersnick",
            "wąsowicz",
            "teskeveld",
            "dariusz",
            "giuseppe",
            "kesselbach",
            "boateng",
            "kralj",
            "vulpe",
        ] {
            assert!(!knows(name), "{name} should not be a word");
        }
        assert_eq!(loaded(), DICTIONARIES.len(), "a dictionary is missing or unreadable");
    }
}
