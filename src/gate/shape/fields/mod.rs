//! Labelled fields as a document writes them: a label of a patient's identity, a separator,
//! and a value of the shape that identity has (`Patient: Zelda Madeup`, `DOB 03/02/1971`, `MRN
//! 4711913`, `Address: 12 Nowhere Lane`). Stricter than [`super::labelled`], which refuses any
//! value after a label in a DICOM description: a note, a list or a web page uses `name:`,
//! `subject:` and `id:` for other things, so here the value must look like what the label
//! names.

use std::collections::HashMap;
use std::sync::OnceLock;

mod compound;
use compound::compound;

use super::numbers::date;
use super::vocabulary::{EXAMINED, NO_ONE, POSITIONS, PROTOCOL_WORDS, THINGS};

/// What a labelled field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    BirthDate,
    /// A hospital's number for the patient (MRN, patient ID): kept where the policy retains
    /// Patient ID.
    PatientId,
    /// Kept where the policy retains Accession Number.
    Accession,
    /// A national or insurance number (NHS, CHI, SSN, Medicare): never kept.
    NationalId,
    Phone,
    Address,
}

impl Field {
    pub fn describe(self) -> &'static str {
        match self {
            Field::Name => "a name after a name label",
            Field::BirthDate => "a date after a birth-date label",
            Field::PatientId => "a number after a patient-ID label",
            Field::Accession => "a number after an accession label",
            Field::NationalId => "a number after a national-ID label",
            Field::Phone => "a number after a telephone label",
            Field::Address => "an address after an address label",
        }
    }
}

/// How a name label is read: `name` alone labels a study or a case as often as a person, so a
/// table's column headed so counts only beside another identity column ([`label`] says which).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    Field(Field),
    /// `name`, `nom`, `nome`: any name.
    LooseName,
    /// `surname`, `last name`: one word is a name.
    Surname,
}

#[rustfmt::skip]
const TABLE: &[(&str, Label)] = &[
    ("name", Label::LooseName), ("nom", Label::LooseName), ("nome", Label::LooseName),
    ("naam", Label::LooseName), ("navn", Label::LooseName), ("nombre", Label::LooseName),
    ("имя", Label::LooseName), ("이름", Label::LooseName), ("姓名", Label::LooseName),
    ("full name", Label::Field(Field::Name)), ("patient", Label::Field(Field::Name)),
    ("pt", Label::Field(Field::Name)), ("patient name", Label::Field(Field::Name)),
    ("patient/name", Label::Field(Field::Name)), ("patient / name", Label::Field(Field::Name)),
    ("patient's name", Label::Field(Field::Name)), ("pt name", Label::Field(Field::Name)),
    ("patient_name", Label::Field(Field::Name)), ("patientname", Label::Field(Field::Name)),
    ("forename", Label::Field(Field::Name)), ("forenames", Label::Field(Field::Name)),
    ("first name", Label::Field(Field::Name)), ("given name", Label::Surname),
    ("first_name", Label::Field(Field::Name)), ("firstname", Label::Field(Field::Name)),
    ("given_name", Label::Field(Field::Name)), ("examinee", Label::Field(Field::Name)),
    ("paciente", Label::Field(Field::Name)), ("paziente", Label::Field(Field::Name)),
    ("pacjent", Label::Field(Field::Name)), ("patiënt", Label::Field(Field::Name)),
    ("patientin", Label::Field(Field::Name)), ("hasta", Label::Field(Field::Name)),
    ("hasta adı", Label::Field(Field::Name)), ("adı", Label::Field(Field::Name)),
    ("vorname", Label::Field(Field::Name)), ("prénom", Label::Field(Field::Name)),
    ("prenom", Label::Field(Field::Name)), ("voornaam", Label::Field(Field::Name)),
    ("imię", Label::Field(Field::Name)), ("jméno", Label::Field(Field::Name)),
    ("nome do paciente", Label::Field(Field::Name)), ("nombre del paciente", Label::Field(Field::Name)),
    ("пациент", Label::Field(Field::Name)), ("фио", Label::Field(Field::Name)),
    ("환자", Label::Field(Field::Name)), ("환자명", Label::Field(Field::Name)),
    ("성명", Label::Field(Field::Name)), ("患者", Label::Field(Field::Name)),
    ("患者名", Label::Field(Field::Name)), ("患者姓名", Label::Field(Field::Name)),
    ("氏名", Label::Field(Field::Name)), ("患者氏名", Label::Field(Field::Name)),
    ("patname", Label::Field(Field::Name)), ("ptname", Label::Field(Field::Name)),
    ("patdob", Label::Field(Field::BirthDate)), ("patid", Label::Field(Field::PatientId)),
    ("pat name", Label::Field(Field::Name)), ("pat. name", Label::Field(Field::Name)),
    ("pat dob", Label::Field(Field::BirthDate)), ("pt dob", Label::Field(Field::BirthDate)),
    ("patient dob", Label::Field(Field::BirthDate)), ("patient birth date", Label::Field(Field::BirthDate)),
    ("pat id", Label::Field(Field::PatientId)), ("bday", Label::Field(Field::BirthDate)),
    ("surname", Label::Surname), ("last name", Label::Surname), ("family name", Label::Surname),
    ("last_name", Label::Surname), ("lastname", Label::Surname), ("family_name", Label::Surname),
    ("maiden name", Label::Surname), ("nachname", Label::Surname), ("apellido", Label::Surname),
    ("apellidos", Label::Surname), ("cognome", Label::Surname), ("achternaam", Label::Surname),
    ("nazwisko", Label::Surname), ("фамилия", Label::Surname), ("soyadı", Label::Surname),
    ("dob", Label::Field(Field::BirthDate)), ("d.o.b", Label::Field(Field::BirthDate)),
    ("date of birth", Label::Field(Field::BirthDate)), ("birth date", Label::Field(Field::BirthDate)),
    ("birthdate", Label::Field(Field::BirthDate)), ("birth_date", Label::Field(Field::BirthDate)),
    ("birthday", Label::Field(Field::BirthDate)), ("born", Label::Field(Field::BirthDate)),
    ("geb", Label::Field(Field::BirthDate)), ("geburtsdatum", Label::Field(Field::BirthDate)),
    ("date de naissance", Label::Field(Field::BirthDate)), ("fecha de nacimiento", Label::Field(Field::BirthDate)),
    ("data di nascita", Label::Field(Field::BirthDate)), ("geboortedatum", Label::Field(Field::BirthDate)),
    ("data de nascimento", Label::Field(Field::BirthDate)), ("data urodzenia", Label::Field(Field::BirthDate)),
    ("doğum tarihi", Label::Field(Field::BirthDate)), ("дата рождения", Label::Field(Field::BirthDate)),
    ("д.р", Label::Field(Field::BirthDate)), ("生年月日", Label::Field(Field::BirthDate)),
    ("出生日期", Label::Field(Field::BirthDate)), ("생년월일", Label::Field(Field::BirthDate)),
    ("mrn", Label::Field(Field::PatientId)), ("m.r.n", Label::Field(Field::PatientId)),
    ("patient id", Label::Field(Field::PatientId)), ("patient_id", Label::Field(Field::PatientId)),
    ("patientid", Label::Field(Field::PatientId)), ("pt id", Label::Field(Field::PatientId)),
    ("hospital number", Label::Field(Field::PatientId)),
    ("hospital no", Label::Field(Field::PatientId)), ("hosp no", Label::Field(Field::PatientId)),
    ("hospital id", Label::Field(Field::PatientId)), ("medical record number", Label::Field(Field::PatientId)),
    ("medical record no", Label::Field(Field::PatientId)), ("medical record", Label::Field(Field::PatientId)),
    ("record number", Label::Field(Field::PatientId)), ("record no", Label::Field(Field::PatientId)),
    ("chart number", Label::Field(Field::PatientId)), ("chart", Label::Field(Field::PatientId)),
    ("chart no", Label::Field(Field::PatientId)),
    ("unit number", Label::Field(Field::PatientId)), ("ur number", Label::Field(Field::PatientId)),
    ("patient number", Label::Field(Field::PatientId)), ("病历号", Label::Field(Field::PatientId)),
    ("住院号", Label::Field(Field::PatientId)), ("등록번호", Label::Field(Field::PatientId)),
    ("acc", Label::Field(Field::Accession)), ("acc no", Label::Field(Field::Accession)),
    ("accession", Label::Field(Field::Accession)), ("accession number", Label::Field(Field::Accession)),
    ("accession no", Label::Field(Field::Accession)), ("accession_number", Label::Field(Field::Accession)),
    ("nhs", Label::Field(Field::NationalId)), ("nhs no", Label::Field(Field::NationalId)),
    ("nhs number", Label::Field(Field::NationalId)), ("chi", Label::Field(Field::NationalId)),
    ("chi no", Label::Field(Field::NationalId)), ("ssn", Label::Field(Field::NationalId)),
    ("social security number", Label::Field(Field::NationalId)), ("medicare", Label::Field(Field::NationalId)),
    ("medicare no", Label::Field(Field::NationalId)), ("insurance number", Label::Field(Field::NationalId)),
    ("tel", Label::Field(Field::Phone)), ("phone", Label::Field(Field::Phone)),
    ("telephone", Label::Field(Field::Phone)), ("mobile", Label::Field(Field::Phone)),
    ("mob", Label::Field(Field::Phone)), ("cell", Label::Field(Field::Phone)),
    ("phone number", Label::Field(Field::Phone)), ("телефон", Label::Field(Field::Phone)),
    ("address", Label::Field(Field::Address)), ("addr", Label::Field(Field::Address)),
    ("home address", Label::Field(Field::Address)), ("adresse", Label::Field(Field::Address)),
    ("dirección", Label::Field(Field::Address)), ("direccion", Label::Field(Field::Address)),
    ("indirizzo", Label::Field(Field::Address)), ("endereço", Label::Field(Field::Address)),
    ("adres", Label::Field(Field::Address)), ("адрес", Label::Field(Field::Address)),
    ("住所", Label::Field(Field::Address)), ("地址", Label::Field(Field::Address)),
    ("주소", Label::Field(Field::Address)),
];

/// Words a capitalised value after a name label begins with that name no one (`Name: Chest CT
/// teaching set`, `Patient: Male`), besides the vocabulary's body parts, protocol words,
/// positions and things.
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "male", "female", "man", "woman", "boy", "girl", "child", "infant", "case", "cases", "teaching",
    "set", "test", "demo", "sample", "example", "other", "unknown", "anonymous", "study", "series",
    "image", "images", "collection", "volunteer", "see", "as", "not", "no", "yes", "the", "a", "an",
    "this", "that", "normal", "abnormal", "new", "old", "my", "our", "your", "his", "her", "their",
    "history", "source", "files", "file", "folder", "default", "basic", "first", "second", "main",
    "global", "local", "user", "admin", "system", "service", "project", "team", "group", "room",
    "account", "query", "table", "database", "feature", "i'd", "i'm", "i'll", "i've", "it's",
];

/// Labels by their first character, each as lower-case characters, longest first.
type ByFirst = HashMap<char, Vec<(Vec<char>, Label)>>;

/// The labels, by their first character.
fn labels() -> &'static ByFirst {
    static LABELS: OnceLock<ByFirst> = OnceLock::new();
    LABELS.get_or_init(|| {
        let mut by_first = ByFirst::new();
        for &(text, label) in TABLE {
            let chars: Vec<char> = text.chars().collect();
            by_first.entry(chars[0]).or_default().push((chars, label));
        }
        // Longest first: `patient name` before `patient`.
        for list in by_first.values_mut() {
            list.sort_by_key(|(chars, _)| std::cmp::Reverse(chars.len()));
        }
        by_first
    })
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// The field a table's column header names, when the whole header is one label: Some((field,
/// loose)) where `loose` says it is a name label that names things too (`name`).
pub fn column(header: &str) -> Option<(Field, bool)> {
    let h: Vec<char> = header.trim().trim_matches(['"', '\'', '#', ':']).trim().chars().map(lower).collect();
    let list = labels().get(h.first()?)?;
    list.iter().find(|(chars, _)| *chars == h).map(|(_, label)| match label {
        Label::Field(f) => (*f, false),
        Label::LooseName => (Field::Name, true),
        Label::Surname => (Field::Name, false),
    })
}

/// The field a data file's key names (`patient_last_name`, `patientDob`, `patient.name`, written
/// as words): the whole key as a label, or its last words as one that is not loose
/// (`waiterName` names no one). Keys of structured records that are labels only there count
/// too: CDA's `birthTime`, a vCard's `FN`, and FHIR's and CDA's `family` and `given` where
/// `record` says the document holds both keys (fontconfig's `<family>` is a font's). A loose
/// label (`name`) does not. Some((the label as words, field)).
pub fn key(words: &str, record: bool) -> Option<(String, Field)> {
    // No label is longer: a longer "key" is a value (a hex run, a sentence).
    if words.len() > MAX_KEY {
        return None;
    }
    let lowered = words.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let structured = match lowered.as_str() {
        "family" if record => Some(("family name", Field::Name)),
        "given" if record => Some(("given name", Field::Name)),
        "birth time" | "birthtime" => Some(("birth date", Field::BirthDate)),
        // A vCard's formatted name.
        "fn" => Some(("full name", Field::Name)),
        _ => None,
    };
    if let Some((label, field)) = structured {
        return Some((label.to_string(), field));
    }
    if !may_hold(&lowered) {
        return None;
    }
    if let Some((field, loose)) = column(&lowered) {
        return (!loose).then_some((lowered, field));
    }
    // A label of two words or more at the key's end (`patient last name`, `scan birth date`),
    // or any after a word that says whose it is (`pat surname`, `patient dob`): a short label
    // ends other keys too (`per cell`, `a pt`).
    let whose = lowered.split(' ').next().is_some_and(|w| matches!(w, "patient" | "pat" | "pt" | "subject"));
    let chars: Vec<char> = lowered.chars().collect();
    (1..chars.len()).filter(|&i| chars[i - 1] == ' ').find_map(|i| {
        let tail: String = chars[i..].iter().collect();
        match column(&tail) {
            Some((field, false)) if whose || tail.contains(' ') => Some((tail, field)),
            _ => None,
        }
    })
}

/// Whether `line` may hold a label at all: a quick look (one pass for every ASCII label, in
/// any case) before the careful one. A line with other letters is always looked at.
pub fn may_hold(line: &str) -> bool {
    let starts_word = |at: usize| at == 0 || !line.as_bytes()[at - 1].is_ascii_alphanumeric();
    !line.is_ascii() || ascii_labels().find_overlapping_iter(line).any(|m| starts_word(m.start()))
}

/// The ASCII labels as one automaton, in any case.
fn ascii_labels() -> &'static aho_corasick::AhoCorasick {
    static ASCII: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    ASCII.get_or_init(|| {
        let labels = TABLE.iter().map(|(l, _)| *l).filter(|l| l.is_ascii());
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(labels)
            .expect("the labels make an automaton")
    })
}

/// The longest key [`key`] reads, in bytes.
const MAX_KEY: usize = 64;

/// Each kind of labelled field `line` holds (a kind once).
pub fn fields(line: &str) -> Vec<Field> {
    let mut found = plain(line);
    for field in compound(line) {
        if !found.contains(&field) {
            found.push(field);
        }
    }
    found
}

/// Each kind of labelled field `line` holds, its labels read one by one.
pub(super) fn plain(line: &str) -> Vec<Field> {
    let mut found = Vec::new();
    // Where an ASCII line's labels may start (each a character index), from one pass of the
    // automaton; every position of another line.
    let starts: Vec<usize> = match line.is_ascii() {
        true => {
            let mut at: Vec<usize> = ascii_labels().find_overlapping_iter(line).map(|m| m.start()).collect();
            at.dedup();
            at
        }
        false => (0..line.chars().count()).collect(),
    };
    if starts.is_empty() {
        return found;
    }
    let chars: Vec<char> = line.chars().collect();
    let lowered: Vec<char> = chars.iter().copied().map(lower).collect();
    for i in starts {
        // A label starts a word, not a part of one joined by a dash, a dot or an underscore
        // (`Upstream-Name:`, `file_name`).
        let joined = |k: usize| {
            matches!(lowered[k], '-' | '_' | '.' | '/') && k > 0 && lowered[k - 1].is_alphanumeric()
        };
        if i > 0 && (lowered[i - 1].is_alphanumeric() || joined(i - 1)) {
            continue;
        }
        let Some(list) = labels().get(&lowered[i]) else { continue };
        for (label_chars, label) in list {
            let end = i + label_chars.len();
            // A number's label in capitals may be glued to it (`MRN4711913`); a word's may not,
            // nor one in small letters (`acc520924` is a commit).
            let glued =
                matches!(label, Label::Field(Field::PatientId | Field::NationalId | Field::Accession))
                    && lowered.get(end).is_some_and(char::is_ascii_digit)
                    && chars.get(i..end).is_some_and(|l| l.iter().all(|c| !c.is_lowercase()));
            if lowered.get(i..end) != Some(label_chars.as_slice())
                || (lowered.get(end).is_some_and(|c| c.is_alphanumeric()) && !glued)
            {
                continue;
            }
            // `Series name:`, `Protocol name:` name things.
            let thing = *label == Label::LooseName && {
                let before: String = lowered[i.saturating_sub(40)..i].iter().collect();
                let before = before.trim_end();
                THINGS.iter().any(|t| before.ends_with(t))
            };
            let words = 1 + label_chars.iter().filter(|c| **c == ' ').count();
            if let Some(field) = value_after(&chars, end, *label, words).filter(|_| !thing)
                && !found.contains(&field)
            {
                found.push(field);
            }
            break;
        }
    }
    found
}

/// The field when what follows a label at `at` is a value of its shape.
fn value_after(chars: &[char], mut at: usize, label: Label, words: usize) -> Option<Field> {
    let field = match label {
        Label::Field(f) => f,
        Label::LooseName | Label::Surname => Field::Name,
    };
    let gap = at;
    while matches!(chars.get(at), Some(' ' | '.' | '\'' | 's')) && at < gap + 4 {
        // `patient's name` is in the table; `pt.` and `no.` end in a dot.
        if chars[at] == 's' && chars.get(at.wrapping_sub(1)) != Some(&'\'') {
            break;
        }
        at += 1;
    }
    // A dot after a short label is an abbreviation's (`Tel. 0123…`, `Pt. Zelda Madeup`); after
    // a word, it ends a sentence (`… an IPv4 address. On the server …`).
    let dotted = chars[gap..at].contains(&'.') && abbreviation(&chars[..gap]);
    if chars[gap..at].contains(&'.') && !dotted {
        return None;
    }
    // `M.R.N.: 4711913`: an abbreviation's dot, then a separator.
    if dotted && matches!(chars.get(at), Some(':' | '：' | '=' | '#')) {
        at += 1;
    }
    let separated = dotted
        || match chars.get(at) {
            Some(':' | '：' | '=' | '#' | '\t') => {
                at += 1;
                true
            }
            Some('-') if at > gap => {
                at += 1;
                true
            }
            _ => false,
        };
    // Quotes, an arrow's head, and Markdown's emphasis and link marks before the value.
    while matches!(chars.get(at), Some(' ' | '\t' | '"' | '\'' | '>' | '=' | '-' | '*' | '_' | '[' | '`')) {
        at += 1;
    }
    let value = &chars[at.min(chars.len())..];
    let head: String = value.iter().take(40).collect();
    // A number after a name label is the patient's (`Patient #4711913`).
    if label == Label::Field(Field::Name)
        && value.first().is_some_and(char::is_ascii_digit)
        && digits_at_start(value, 5)
    {
        return Some(Field::PatientId);
    }
    let ok = match field {
        // A name needs the separator after one word (`name` and `patient` begin many
        // sentences), not after a label of two (`patient name Zelda Madeup`).
        Field::Name => (separated || words > 1) && name_value(value, label == Label::Surname),
        // A date after the label, not one further on (`Happy Birthday Beddy (2014-01-22)`).
        Field::BirthDate => (separated || starts_a_date(value)) && date(head.as_bytes()),
        Field::PatientId | Field::Accession => digits_at_start(value, 5),
        Field::NationalId => digits_at_start(value, 6),
        // A department's number is written `phone 0123 456789` in its contact lines.
        Field::Phone => separated && digits_at_start(value, 7),
        Field::Address => separated && address_value(value),
    };
    ok.then_some(field)
}

/// Whether `value` starts as a date does: a digit, or a month's name.
fn starts_a_date(value: &[char]) -> bool {
    // A dump's VR before the value (pydicom's `DA: '19710203'`).
    if value.len() > 3 && value[..2].iter().all(char::is_ascii_uppercase) && value[2] == ':' {
        let rest = &value[3..];
        let at = rest.iter().take_while(|c| matches!(c, ' ' | '\'' | '"' | '[')).count();
        return starts_a_date(&rest[at..]);
    }
    let word: String = value.iter().take_while(|c| c.is_alphabetic()).take(3).copied().map(lower).collect();
    value.first().is_some_and(char::is_ascii_digit)
        || ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            .contains(&word.as_str())
}

/// Whether the label that ends `before` may be abbreviated with a dot: its last word is short
/// (`pt`, `tel`, `addr`, `hosp no`) and no word a sentence ends with (`name`, `born`).
fn abbreviation(before: &[char]) -> bool {
    let start = before.iter().rposition(|c| !c.is_alphabetic()).map_or(0, |p| p + 1);
    let word: String = before[start..].iter().copied().map(lower).collect();
    word.chars().count() <= 4
        && !matches!(word.as_str(), "name" | "nom" | "nome" | "naam" | "navn" | "born" | "cell")
}

/// True when the value starts with a number of at least `least` digits (groups split by
/// spaces, dashes, dots or brackets, after letters of a prefix: `RX 4711913`, `+44 1632 960123`).
fn digits_at_start(value: &[char], least: usize) -> bool {
    let prefix = value.iter().take_while(|c| c.is_ascii_alphabetic()).count().min(4);
    let run = value[prefix..]
        .iter()
        .take(24)
        .take_while(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+' | '/' | ','))
        .count();
    let number = &value[prefix..prefix + run];
    let digits = number.iter().filter(|c| c.is_ascii_digit()).count();
    // The number ends a word: `4265617574…c20…` is hex, not an ID.
    let last = number.iter().rposition(char::is_ascii_digit).map_or(0, |p| p + 1);
    let ends = value.get(prefix + last).is_none_or(|c| !c.is_alphanumeric());
    digits >= least && ends
}

/// A name: a caret between letters (`Madeup^Zelda`), a run of letters of a script without
/// case (`張三`), or capitalised words — two or more, or one after a surname label — not
/// beginning with a word a description begins with.
fn name_value(value: &[char], one_word: bool) -> bool {
    let letters = value.iter().take_while(|c| c.is_alphabetic() || **c == '^').count();
    if value[..letters].contains(&'^') && value[..letters].iter().filter(|c| c.is_alphabetic()).count() >= 3 {
        return true;
    }
    let caseless = value.iter().take_while(|c| c.is_alphabetic() && !c.is_uppercase() && !c.is_lowercase());
    if caseless.count() >= 2 {
        return true;
    }
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while words.len() < 4 {
        let start = i;
        while value.get(i).is_some_and(|c| c.is_alphabetic() || matches!(c, '-' | '\'')) {
            i += 1;
        }
        let word: String = value[start..i].iter().collect();
        if camel_case(&word) {
            return false;
        }
        let capital = word.chars().next().is_some_and(char::is_uppercase);
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        // One letter is an initial: with its dot (`Z. Madeup`), or between two words (`Zelda B
        // Madeup`; `Kerley B lines` is an eponym).
        let initial = letters == 1
            && (value.get(i) == Some(&'.')
                || value.get(i + 1).is_some_and(|c| c.is_uppercase()) && value.get(i) == Some(&' '));
        if !capital || (letters < 2 && !initial) {
            break;
        }
        words.push(word);
        // Between words: a space, a dot and a space (an initial), or a comma (`MADEUP, Zelda`).
        match (value.get(i), value.get(i + 1)) {
            (Some(' '), _) => i += 1,
            (Some('.' | ','), Some(' ')) => i += 2,
            (Some(','), _) => i += 1,
            _ => break,
        }
    }
    // The first word, past an initial (`A. Madeup`: `a` begins descriptions too).
    let Some(first) = words.iter().find(|w| w.chars().count() >= 2) else { return false };
    let first = first.to_lowercase();
    let describes = [NOT_NAMES, EXAMINED, PROTOCOL_WORDS, NO_ONE, POSITIONS, THINGS]
        .iter()
        .any(|list| list.iter().any(|w| *w == first));
    !describes && (words.len() >= 2 || one_word)
}

/// A word with a capital inside it after a small letter (`PetSite`, `CloudFront`): a
/// program's or a product's name, not a person's — but for the surnames written so (`McDonald`,
/// `MacLeod`, `DeVito`, `LaToya`, `VanDyke`).
fn camel_case(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    (1..chars.len()).any(|k| {
        let prefix: String = chars[..k].iter().copied().map(lower).collect();
        chars[k].is_uppercase()
            && chars[k - 1].is_lowercase()
            && !matches!(
                prefix.as_str(),
                "mc" | "mac" | "de" | "di" | "da" | "du" | "la" | "le" | "van" | "von" | "fitz"
            )
    })
}

/// An address: a house number or a capitalised word, and another word, within the next 40
/// characters (`12 Nowhere Lane`, `Flat 3, Nowhere House`).
fn address_value(value: &[char]) -> bool {
    let head: String = value.iter().take(40).collect();
    let first = head.split_whitespace().next().unwrap_or("");
    let starts = first.starts_with(|c: char| c.is_ascii_digit() || c.is_uppercase());
    let words = head.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count();
    let says_none = NO_ONE.iter().any(|w| first.to_lowercase().trim_end_matches([',', '.']) == *w);
    starts && words >= 2 && !says_none
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labelled_identity_is_found() {
        for (line, field) in [
            ("Patient: Zelda Madeup", Field::Name),
            ("Name = Zelda Madeup", Field::Name),
            ("patient_name: MADEUP, Zelda", Field::Name),
            ("Surname: Madeup", Field::Name),
            ("Name: Madeup^Zelda", Field::Name),
            ("患者姓名：张三", Field::Name),
            ("Пациент: Зельда Мейдап", Field::Name),
            ("DOB 03/02/1971", Field::BirthDate),
            ("Date of birth: 3 February 1971", Field::BirthDate),
            ("dob: 1971-02-03", Field::BirthDate),
            ("MRN 4711913", Field::PatientId),
            ("Patient ID: RX4711913", Field::PatientId),
            ("Accession: 20240611", Field::Accession),
            ("NHS number 943 476 5919", Field::NationalId),
            ("Tel: 01632 960123", Field::Phone),
            ("Tel. 01632 960123", Field::Phone),
            ("Address: 12 Nowhere Lane, Springfield", Field::Address),
            ("Patient #4711913", Field::PatientId),
            ("Patient #4711913 (Madeup)", Field::PatientId),
            ("Patient name Zelda Madeup", Field::Name),
            ("Patient: **Zelda Madeup**", Field::Name),
            ("Patient/Name: Zelda Madeup", Field::Name),
            ("Patient: A. Madeup", Field::Name),
            ("(0010, 0030) Patient's Birth Date                DA: '19691231'", Field::BirthDate),
            ("Patient: Zelda B Madeup", Field::Name),
            ("MRN4711913", Field::PatientId),
            ("M.R.N.: 4711913", Field::PatientId),
            ("Chart # 4711913", Field::PatientId),
            // A label of labels.
            ("Age/DOB: 54y / 1971-02-03", Field::BirthDate),
            ("Sex/DOB: F 03/02/1971", Field::BirthDate),
            ("Name/MRN: Zelda Madeup / 4711913", Field::Name),
            ("Name/MRN: Zelda Madeup / 4711913", Field::PatientId),
            ("Pt Name/ID: Zelda Madeup, 4711913", Field::PatientId),
        ] {
            assert!(fields(line).contains(&field), "{line:?}: {:?}", fields(line));
        }
    }

    #[test]
    fn what_a_teaching_note_says_is_not_a_field() {
        for line in [
            "name: build",
            "Name: Chest CT teaching set",
            "Name: Kerley B lines - described by Peter Kerley",
            "Name=PetSite,Type=Service",
            "Patient: I. V. contrast given",
            "an IPv4 or IPv6 address. On the server side",
            "Happy Birthday Beddy (2014-01-22)",
            "Patient: Male, 45",
            "Patient: supine",
            "The patient was seen on 2024-03-01 in clinic.",
            "Subject: Pneumothorax",
            "id: 3",
            "Series name: Axial T2",
            "Phone the department for access",
            "Address: see the handbook",
            "Upstream-Name: GNU Gzip",
            "contact the Institute, phone 317-278-4100",
            "accession numbers removed",
            "Name: ANONYMOUS",
            "Study date 2024-03-01",
            "Family: History of asthma",
            "Patient 45",
            "pt:4265617574792069732074727574682c20",
            "<a name=\"id2702654\">",
            "cvename.cgi?name=CVE-2021-23358",
            "Name/Version: vault 1.2",
            "Age/Sex: 54 F",
            "and/or name: see below",
        ] {
            assert!(fields(line).is_empty(), "{line:?}: {:?}", fields(line));
        }
    }

    #[test]
    fn columns_are_told() {
        assert_eq!(column("DOB"), Some((Field::BirthDate, false)));
        assert_eq!(column(" \"name\" "), Some((Field::Name, true)));
        assert_eq!(column("Patient Name"), Some((Field::Name, false)));
        assert_eq!(column("findings"), None);
    }
}
