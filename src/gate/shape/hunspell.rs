//! Words of languages Debian has no plain word list for, or none of their inflected forms
//! (Polish, Czech, Hungarian, Russian, Portuguese): their hunspell dictionaries, whose
//! inflected forms only the affix rules spell out (`ogniskowych`, `vyšetření`, `vizsgálattal`), checked with `spellbook`
//! (a hunspell-compatible checker in Rust). A plain list of every form (as `wpolish` is) would
//! be some sixty megabytes per language, searched a line at a time.
//!
//! Only the small-letter form is asked, so a dictionary's capitalised names (`Kowalski`) are
//! not words, and a name is not let off as a sentence's first word would be.

use std::sync::OnceLock;

use spellbook::Dictionary;

/// The dictionaries (Debian's `hunspell-pl`, `-cs`, `-hu`, `-ru`, `-pt-pt`), as
/// `/usr/share/hunspell/NAME.aff` and `.dic`: some 70 MB and 0.4 s of CPU while read, 50 MB
/// after. Not Greek's (100 MB and 1.5 s alone), Brazil's (Portugal's spells most of what a
/// description says), nor Norway's and Denmark's, whose plain lists hold their forms
/// (`OTHER_LANGUAGES`); Turkish's affix file is written in a way `spellbook` does not read.
pub const DICTIONARIES: &[&str] = &["pl_PL", "cs_CZ", "hu_HU", "ru_RU", "pt_PT"];

/// True when a dictionary of [`DICTIONARIES`] spells `lower` (a word in small letters) as it
/// is, and it has four letters or more: these dictionaries hold letters and syllables (`z`,
/// `zel`, `mej`) that are initials and a name's abbreviations here. A word with hyphens is
/// asked part by part, each part so (hunspell itself would let `Z-E-L-D-A` pass letter by
/// letter). A dictionary this machine lacks, or cannot read, spells nothing.
pub(super) fn knows(lower: &str) -> bool {
    lower
        .split('-')
        .all(|part| part.chars().count() > 3 && loaded().iter().any(|dictionary| dictionary.check(part)))
}

/// The dictionaries this machine has, read the first time one is asked, one after another (so
/// that only one file's text is held beside what is read).
pub(super) fn loaded() -> &'static [Dictionary] {
    static LOADED: OnceLock<Vec<Dictionary>> = OnceLock::new();
    LOADED.get_or_init(|| DICTIONARIES.iter().filter_map(|name| read(name)).collect())
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
    /// given name a dictionary writes capitalised (`Dariusz`), asked in small letters.
    #[test]
    fn inflected_findings_are_words_and_names_are_not() {
        if !std::path::Path::new("/usr/share/hunspell/pl_PL.aff").exists() {
            panic!("hunspell-pl is missing: run packaging/install-deps.sh");
        }
        for word in ["ogniskowych", "opłucnej", "vyšetření", "vizsgálattal", "исследование", "hepática"]
        {
            assert!(knows(word), "{word} should be a word");
        }
        for name in ["vandersnick", "wąsowicz", "teskeveld", "dariusz"] {
            assert!(!knows(name), "{name} should not be a word");
        }
    }
}
