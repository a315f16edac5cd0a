//! A postal address in free text, as the countries a teaching file comes from write one: the
//! house number before the street (`12 Nowhere Lane`, `12 Rue de Nullepart`) or after it
//! (`Nowhere Lane no. 12`, `Calle Ninguna 12`, `Nirgendweg 12`, `ул. Нигде, д. 12`); and a
//! label that says an address with a number after it, colon or none (`Postcode ZX1 9QQ`); and
//! where a person lives said in words before a town's name (`lives in Fakeham`, `wohnt in
//! Fakeham`): a town is a place smaller than a country, which the profile removes as it removes a
//! street.

use super::vocabulary::{
    ADDRESS_LABELS, COUNTRIES, FOREIGN_STREETS, HOUSE_NUMBER_MARKS, SMALL_STREET_TYPES, STREET_FILLERS,
    STREET_SUFFIXES, STREET_TYPES,
};
use super::words::described;

/// A street address: a house number and a street in one of the orders above.
pub(super) fn address(text: &[u8]) -> bool {
    let words: Vec<&[u8]> =
        text.split(|b| b.is_ascii_whitespace() || *b == b',').filter(|w| !w.is_empty()).collect();
    (0..words.len()).any(|i| {
        number_first(&words, i)
            || number_last(&words, i)
            || foreign(&words, i)
            || postcode(&words, i)
            || unnumbered(text, &words, i)
    }) || residence(text)
}

/// Where a person lives, in English and the languages descriptions are written in, before the
/// town's name (`lives in`, `resident of`, `wohnt in`, `bor i`, `mieszka w`, `habite à`).
#[rustfmt::skip]
const RESIDES: &[&str] = &[
    "lives in", "living in", "lives at", "resident of", "resident in", "resides in", "residing in",
    "wohnt in", "wohnhaft in", "bor i", "bor på", "mieszka w", "mieszka we", "vive a", "vive en",
    "vive em", "habite à", "habite a", "woont in", "woont te", "woonachtig in", "woonachtig te",
    "bydlí v", "bydlí ve", "abita a", "residente a", "residente en", "residente em", "domiciliado en",
    "domicilié à", "domiciliée à",
];

/// A residence's words ([`RESIDES`]) and then a capitalised word that is no word of English or
/// medicine and no country's name (`lives in Fakeham`, `wohnt in Fakeham`; not `lives in Care
/// Home`, `lives in a flat`, `lives in Germany`).
fn residence(text: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else { return false };
    // Offsets in the small letters are the text's: a letter whose small form is longer or
    // shorter (`ẞ`, `İ`) stays as it is, and no phrase has it.
    let lower: String = text
        .chars()
        .map(|c| {
            let mut small = c.to_lowercase();
            match (small.next(), small.next()) {
                (Some(s), None) if s.len_utf8() == c.len_utf8() => s,
                _ => c,
            }
        })
        .collect();
    let lower = lower.as_bytes();
    RESIDES.iter().any(|phrase| {
        super::words::word_starts(lower, phrase.as_bytes()).any(|i| {
            let after = text.get(i + phrase.len()..).unwrap_or("");
            let town =
                after.trim_start().split(|c: char| !c.is_alphabetic() && c != '-').next().unwrap_or("");
            after.starts_with(char::is_whitespace)
                && town.chars().next().is_some_and(char::is_uppercase)
                && !COUNTRIES.contains(&town.to_lowercase().as_str())
                && super::unknown::unknown_word(town)
        })
    })
}

/// A house number: one to four digits and a letter at most (`12`, `12a`), or in a word
/// (`twelve`).
fn house_number(w: &[u8]) -> bool {
    // `#12`; a range or a flat's number before the house's (`12-14`, `3/12`).
    let w = w.strip_prefix(b"#").unwrap_or(w);
    let one = |w: &[u8]| {
        let digits = w.iter().take_while(|b| b.is_ascii_digit()).count();
        (1..=4).contains(&digits) && w.len() <= digits + 1 && w[0] != b'0'
    };
    let parts: Vec<&[u8]> = w.split(|b| matches!(b, b'-' | b'/')).collect();
    (parts.len() <= 2 && parts.iter().all(|p| !p.is_empty() && one(p))) || super::spelt::number_word(w)
}

/// A word in title case or capitals of any script (`Nowhere`, `Нигде`, `St.`).
fn capitalised(w: &[u8]) -> bool {
    let Ok(w) = std::str::from_utf8(w) else { return false };
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase)
        && w.chars().count() >= 2
        && chars.all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.'))
}

/// The house number at `words[i]`, then one to three capitalised names and a street type
/// (`12 Nowhere Lane`, `4 St. Albans Road`), or all in small letters (`twelve nowhere lane`).
fn number_first(words: &[&[u8]], i: usize) -> bool {
    if !house_number(words[i]) {
        return false;
    }
    (1..=3).any(|k| {
        words.get(i + 1..=i + k + 1).is_some_and(|run| {
            let (street, names) = run.split_last().expect("a run of words");
            // Not a description's words (`64 Detector Row`).
            let ascii_capitalised = |w: &&[u8]| w.is_ascii() && capitalised(w) && !described(w);
            let written = names.iter().all(ascii_capitalised) && street_type(street);
            // In small letters (`12 nowhere lane`, `twelve nowhere lane` spelt as digits): the
            // street types no measure or description ends with (not `close`, `drive`, `court`),
            // after names that are no unit or description's word.
            let small = |n: &&[u8]| n.len() >= 3 && n.iter().all(u8::is_ascii_lowercase) && !described(n);
            written || (names.iter().all(small) && SMALL_STREET_TYPES.iter().any(|t| t.as_bytes() == *street))
        })
    })
}

/// A street with no house number, named with a word no list knows, and a street type no
/// description is written with, then a comma and a town (`Larchwood Row, Fakeham`; not
/// `Detector Row, Siemens`).
fn unnumbered(text: &[u8], words: &[&[u8]], i: usize) -> bool {
    let street = words[i].strip_suffix(b".").unwrap_or(words[i]);
    let typed = street.first().is_some_and(u8::is_ascii_uppercase)
        && SMALL_STREET_TYPES.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(street));
    // Then a town, after a comma (`Larchwood Row, Fakeham`; not `Great Ormond Street`, `Savile
    // Row`, where a place is named for one).
    let end = words[i].as_ptr() as usize - text.as_ptr() as usize + words[i].len();
    let comma = text[end..].trim_ascii_start().starts_with(b",");
    let town = comma && words.get(i + 1).is_some_and(|t| capitalised(t) && !described(t));
    typed && town && i >= 1 && std::str::from_utf8(words[i - 1]).is_ok_and(super::unknown::unlisted)
}

/// One of [`STREET_TYPES`], or one with a full stop after it (`Lane.`, a sentence's end).
fn street_type(w: &[u8]) -> bool {
    let bare = w.strip_suffix(b".").unwrap_or(w);
    STREET_TYPES.iter().any(|t| t.as_bytes() == w || t.as_bytes() == bare)
}

/// One to three capitalised names ending at `words[i]`, a street type no description ends
/// with, and then (past `no.`) the house number: `Nowhere Lane no. 12`. Or one word that is a
/// street by its ending, then the number: `Nirgendweg 12`, `Nirgendstraße 12`.
fn number_last(words: &[&[u8]], i: usize) -> bool {
    let street = words[i];
    let typed = SMALL_STREET_TYPES.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(street))
        && street[0].is_ascii_uppercase();
    let named = (1..=3)
        .any(|k| i >= k && words[i - k..i].iter().all(|n| n.is_ascii() && capitalised(n) && !described(n)));
    let compound = capitalised(street) && {
        let lower = String::from_utf8_lossy(street).to_lowercase();
        STREET_SUFFIXES.iter().any(|s| lower.strip_suffix(s).is_some_and(|stem| stem.chars().count() >= 3))
    };
    ((typed && named) || compound) && numbered(&words[i + 1..])
}

/// A street type of another language before the street's name (`Calle Ninguna`, `Rue de
/// Nullepart`, `ul. Nigdzie`, `ул. Нигде`), with the house number just before it or after the
/// name.
fn foreign(words: &[&[u8]], i: usize) -> bool {
    // Not Latin's `et al.` (`Smith et al. AJR 2010`), though Polish's `al.` is an avenue.
    let et_al = i >= 1 && words[i - 1] == b"et";
    if !FOREIGN_STREETS.iter().any(|t| t.as_bytes() == words[i]) || et_al {
        return false;
    }
    let mut j = i + 1;
    let mut names = 0;
    while j < words.len() && j <= i + 4 {
        let w = words[j];
        if STREET_FILLERS.iter().any(|f| f.as_bytes() == w) {
            j += 1;
        } else if capitalised(w) && !described(w) {
            names += 1;
            j += 1;
        } else {
            break;
        }
    }
    names >= 1 && ((i >= 1 && house_number(words[i - 1])) || numbered(&words[j..]))
}

/// `words` begins with a house number, or a mark that says one (`no.`, `д.`) and then it.
fn numbered(words: &[&[u8]]) -> bool {
    let Some(&first) = words.first() else { return false };
    let mark = HOUSE_NUMBER_MARKS
        .iter()
        .find(|m| first.len() >= m.len() && first[..m.len()].eq_ignore_ascii_case(m.as_bytes()));
    match mark {
        // The mark alone (`no. 12`), or the number written onto it (`no.12`).
        Some(m) if first.len() == m.len() => words.get(1).is_some_and(|w| house_number(w)),
        Some(m) if house_number(&first[m.len()..]) => true,
        _ => house_number(first),
    }
}

/// A British postcode after a town's name (`Fakeham ZX1 9QQ`): an outward code (one or two
/// letters, a digit, and a digit or a letter) and an inward one (a digit and two letters), in
/// capitals, after a capitalised word no description is written with.
fn postcode(words: &[&[u8]], i: usize) -> bool {
    i >= 1
        && words.get(i + 1).is_some_and(|w| inward(w))
        && outward(words[i])
        && words[i - 1].len() >= 4
        && words[i - 1].is_ascii()
        && capitalised(words[i - 1])
        && !described(words[i - 1])
}

/// A postcode's outward code: one or two letters, a digit, and a digit or a letter (`ZX1`).
fn outward(w: &[u8]) -> bool {
    let letters = w.iter().take_while(|b| b.is_ascii_uppercase()).count();
    (1..=2).contains(&letters)
        && (letters + 1..=letters + 2).contains(&w.len())
        && w[letters].is_ascii_digit()
        && w[letters + 1..].iter().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// A postcode's inward code: a digit and two letters (`9QQ`), a full stop after it allowed.
fn inward(w: &[u8]) -> bool {
    let w = w.strip_suffix(b".").unwrap_or(w);
    w.len() == 3 && w[0].is_ascii_digit() && w[1..].iter().all(u8::is_ascii_uppercase)
}

/// A value that is a British postcode and nothing else (`ZX1 9QQ`).
pub(super) fn postcode_alone(value: &[u8]) -> bool {
    let mut words = value.split(|&b| b == b' ').filter(|w| !w.is_empty());
    matches!((words.next(), words.next(), words.next()), (Some(o), Some(i), None) if outward(o) && inward(i))
}

/// A label that says an address, and a digit in one of the three words after it (a house
/// number or a postcode: `Address 12 Nowhere La.`, `Postcode ZX1 9QQ`, `住所 東京都架空区12`);
/// not a machine's (`IP address 10.0.0.7`).
pub(super) fn addressed(lower: &[u8]) -> bool {
    ADDRESS_LABELS.iter().any(|label| {
        super::words::word_starts(lower, label.as_bytes()).any(|i| {
            let after = &lower[i + label.len()..];
            let machine =
                lower[..i].trim_ascii_end().rsplit(|b| b.is_ascii_whitespace()).next().is_some_and(|w| {
                    matches!(w, b"ip" | b"mac" | b"e-mail" | b"email" | b"web" | b"server" | b"network")
                });
            !machine
                && after.first().is_none_or(|b| !b.is_ascii_alphanumeric())
                && after
                    .split(|b| b.is_ascii_whitespace())
                    .filter(|w| !w.is_empty() && *w != b":")
                    .take(3)
                    .any(|w| w.iter().any(u8::is_ascii_digit))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_every_order_are_found() {
        for text in [
            "seen at home, 12 Nowhere Lane",
            "4b St. Albans Road",
            "twelve nowhere lane",
            "12 Nowhere La.",
            "Home: Nowhere Lane no. 12, Fakeham",
            "Calle Ninguna 12, Madrid",
            "12 Rue de Nullepart, 75099 Paris",
            "ul. Nigdzie 12, Warszawa",
            "ул. Нигде, д. 12",
            "wohnhaft Nirgendweg 12",
            "Nirgendstraße 4a",
            "Via Nessuna 7",
            "12 Nowhere Lane. Fakeham",
            "#12 Nowhere Lane",
            "Nowhere Lane no.12",
            "12-14 Nowhere Lane",
            "Flat 3/12 Nowhere Lane",
            "P.O. Box 12, Fakeham ZX1 9QQ",
            // Adversary round 17: small letters, and more street types.
            "12 larchwood row, fakeham",
            "12 Larchwood Way",
            "7 Nowhere Walk",
            "3 Larchwood Hill",
            "9 Nowhere Rise",
            "12 LARCHWOOD WAY",
            "4 nowhere way",
        ] {
            assert!(address(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn what_a_description_says_is_no_address() {
        for text in [
            "lesion 5 mm close to the road",
            "contrast via cannula 2",
            "CT Head 12 Slices",
            "Road traffic collision 2",
            "Gefäß 12 mm",
            "Rue 2",
            "Lane 3",
            "Brain T1 3TE",
            "CT 12/14 Axial",
            "Series 10-20 Lane",
            "64 Detector Row",
            "3 way tap",
            "Phase 2 Walk",
            "the lesion 4 mm way",
            "2 Chamber View",
            "4 Chamber View",
        ] {
            assert!(!address(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn an_address_label_needs_a_number_and_no_machine() {
        for text in
            ["address 12 nowhere la.", "postcode zx1 9qq", "住所 東京都架空区12", "domicilio: calle 12"]
        {
            assert!(addressed(text.as_bytes()), "{text}");
        }
        for text in ["ip address 10.0.0.7", "address book", "addressed to 2", "postcode unknown"] {
            assert!(!addressed(text.as_bytes()), "{text}");
        }
    }
}
