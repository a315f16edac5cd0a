//! The words identity-shaped text is told by, and the words a department writes that look
//! like them but say no one (a table each, read by `words`).

/// Words that label an identity field when a `:`, `#` or `=` and a value follow.
#[rustfmt::skip]
pub(super) const LABELS: &[&str] = &[
    // Other languages' (a teaching file from abroad; UTF-8 as written, ASCII folded to lower
    // case), then English.
    "nome", "naam", "navn", "nombre", "nom", "nazwisko", "jméno", "imię", "nachname", "vorname",
    "patientin", "apellido", "apellidos", "cognome", "prénom", "prenom", "achternaam", "voornaam",
    "geburtsdatum", "geb", "geb.", "date de naissance", "fecha de nacimiento", "data di nascita",
    "geboortedatum", "имя", "Имя", "ИМЯ", "Фамилия", "ФАМИЛИЯ", "Дата рождения", "фамилия",
    "дата рождения", "氏名", "患者氏名", "生年月日", "name", "patient", "pt", "patient name", "pt name",
    "surname", "forename", "first name", "last name", "given name", "family name", "dob", "d.o.b",
    "d.o.b.", "date of birth", "birth date", "birthdate", "born", "mrn", "nhs", "nhs no",
    "nhs number", "hospital number", "hosp no", "hospital no", "id", "pid", "patient id", "pt id",
    "acc", "acc no", "accession", "accession number", "address", "addr", "tel", "phone",
    "telephone", "mobile", "email", "e-mail", "ssn", "postcode", "zip", "birthday", "hospital id",
    "chart", "chart no", "record no", "record number", "case number", "ur number", "ur no",
    "medicare", "medicare no", "chi", "chi no", "unit number", "unit no", "patient number",
    "patient no", "pt no", "pat", "pn", "subject", "client", "owner", "resident", "inpatient",
    "outpatient", "attn", "addressee", "aka", "a.k.a", "known as", "signed", "birth",
    "examinee", "paciente", "paziente", "pacjent", "patiënt", "hasta", "hasta adı", "adı", "soyadı",
    "пациент", "Пациент", "ПАЦИЕНТ", "ФИО", "фио", "адрес", "Адрес", "환자", "환자명", "성명", "이름",
    "患者", "患者名", "患者姓名", "姓名", "住所", "地址", "medical record number", "medical record",
    "nombre del paciente", "nome do paciente", "endereço", "dirección", "indirizzo", "adresse",
    "name des patienten", "hastanın adı", "hastanin adi", "ασθενής", "Ασθενής", "ΑΣΘΕΝΗΣ", "όνομα",
    "Όνομα", "ΟΝΟΜΑ", "ονοματεπώνυμο", "Ονοματεπώνυμο", "اسم المريض", "المريض", "الاسم",
];

/// Labels of a relative or a doctor: a person's name after them is refused (`NOK: Orla Madeup`,
/// `Consultant: Velthorpe`), not a word that says something else (`NOK: informed`,
/// `Consultant: Neuroradiology`, `Referrer: ED`).
#[rustfmt::skip]
pub(super) const PERSON_LABELS: &[&str] = &[
    "nok", "next of kin", "mother", "father", "guardian", "spouse", "emergency contact", "carer",
    "consultant", "referrer", "referring physician", "referring doctor", "gp", "radiologist",
    "interpreter", "contact", "sister", "brother", "son", "daughter", "wife", "husband", "partner",
    "friend", "neighbour", "attending", "kontaktperson", "angehörige", "angehöriger", "next-of-kin",
];

/// Labels specific enough that a number after them is an identity even without `:` (`MRN
/// 4711913`, `DOB 03/02/1971`, `NHS9434765919`).
#[rustfmt::skip]
pub(super) const NUMBER_LABELS: &[&str] = &[
    "mrn", "m.r.n", "nhs", "dob", "d.o.b", "d.o.b.", "pid", "ssn", "hosp no", "acc no", "nhs no",
    "nhs number", "date of birth", "birth date", "birthdate", "birthday", "hospital number",
    "hospital no", "hosp. no", "hospital id", "ur number", "ur no", "medicare", "medicare no",
    "patient id", "pt id", "accession", "phone", "tel", "tel.", "telephone", "mobile",
    "medical record number", "medical record no", "mob", "mob.", "handy", "tlf", "tél", "téléphone",
    "teléfono", "telefono", "telefon", "fødselsdato", "fodselsdato", "födelsedatum",
    // Other countries' patient numbers (France's `IPP`, the Netherlands' `BSN`, Spain's `NHC`,
    // Germany's `Pat-Nr.`, Scandinavia's person numbers).
    "ipp", "bsn", "nhc", "pat-nr", "pat.-nr", "patnr", "pat nr", "patientennummer", "personnummer",
    "cpr", "fødselsnummer", "codice fiscale", "nº historia", "historia clínica", "cartella",
    // Other languages' birth dates, and IDs (a number follows them without a colon).
    "data de nascimento", "fecha de nacimiento", "data di nascita", "date de naissance",
    "geburtsdatum", "geboortedatum", "data urodzenia", "doğum tarihi", "дата рождения",
    "Дата рождения", "д.р.", "生年月日", "出生日期", "생년월일", "病历号", "住院号", "등록번호",
];

/// English birth-date labels (a date after one, written with any marks, is a birth date).
pub(super) const BIRTH_LABELS: &[&str] =
    &["dob", "d.o.b.", "d.o.b", "date of birth", "birth date", "birthdate"];

/// Labels that also count a case, a record or a chart of a teaching file (`Case number 12`):
/// a number after them is an identity when it is as long as an ID (five digits or more).
#[rustfmt::skip]
pub(super) const LONG_NUMBER_LABELS: &[&str] = &[
    "case number", "case no", "record number", "record no", "chart", "chart no", "chi", "chi no",
    "file no", "patient number", "patient no", "pt no", "unit number", "unit no",
    // An accession or an order's number, the label written onto it too (`ACC77120`,
    // `Accn 77120`, `Req# ACC77120`, German's `Auftrag`).
    "acc", "accn", "req", "order", "order no", "auftrag", "auftragsnummer",
    // Adversary round 19's: an order's or an exam's in other words and languages (`Ord#77120`,
    // `RIS# 77120`; not `RIS` alone, a site's scheme of procedure codes), `Exam no 77120`,
    // `Bestellnummer 77120`, `Aanvraag 77120`, `Remiss 77120`.
    "a#", "ord", "ris#", "ris no", "ris nr", "exam no", "exam nr", "study no", "study nr", "auftragsnr", "bestellnummer",
    "bestellnr", "anforderung", "untersuchungsnr", "untersuchungsnummer", "fallnummer", "fallnr",
    "ordre", "demande", "aanvraag", "remiss", "petición", "peticion", "richiesta", "fall-nr",
    "fall nr", "exam number", "study number", "accession", "zugangsnummer", "studien-nr",
];

/// Titles a capitalised name follows.
#[rustfmt::skip]
pub(super) const TITLES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Frau", "Herr", "Mme", "Mlle",
    "Sra", "Srta", "Sig.ra", "Sig.na", "Signora", "Signor", "Pani", "Mevr", "Dhr", "Dott",
    "Dott.ssa", "Señor", "Señora", "Senhor", "Senhora", "Monsieur",
    // German's in the accusative, Dutch's, Swedish's, Danish's and Norwegian's, Italian's and
    // Spanish's (not German's abbreviated `Hr.` and `Fr.`: `5 Fr. Cobra` is a catheter, `24 Hr.
    // Delayed` a wait).
    "Herrn", "Mevrouw", "Meneer", "Fru", "Fröken", "Frøken", "Frk", "Signorina", "Doña",
];

/// Titles no modality or description is written as, so that in capitals too a name follows
/// (`MRS MADEUP`; `MR`, `MS`, `MX` and `DR` in capitals are modalities).
#[rustfmt::skip]
pub(super) const CAPITAL_TITLES: &[&str] = &[
    "MRS", "MISS", "PROF", "SIR", "DAME", "FRAU", "HERR", "MME", "MLLE", "SRA", "SRTA",
];

/// Labels of a name that say what follows without a colon (`Pt name Zelda Madeup`, `surname
/// Madeup`): only those no description uses for anything but a person's name.
#[rustfmt::skip]
pub(super) const NAME_LABELS: &[&str] = &[
    "name is", "patient is", "patientin", "called", "pt is", "nachname", "vorname", "pt name",
    "known as", "aka", "a.k.a.", "christian name", "mister", "madam", "madame",
    "pt's name", "pts name", "patient name", "patient's name", "patients name", "name of patient",
    "name of the patient", "surname", "forename", "forenames", "first name", "last name",
    "given name", "family name", "maiden name", "full name",
];

/// Other languages' words for a patient that two capitalised words follow with no separator
/// (`Пациент Мэйдап З.`, `Paciente Zelda Madeup`): lower case.
#[rustfmt::skip]
pub(super) const FOREIGN_PATIENT: &[&str] = &[
    "пациент", "пациентка", "больной", "больная", "фио", "имя", "患者", "患者名", "患者姓名", "姓名",
    "氏名", "患者氏名", "환자", "환자명", "성명", "이름", "paciente", "paziente", "pacjent", "pacjentka",
    "patiënt", "patientin",
];

/// Labels of another language that say a name, after which a run of letters of a script
/// without case is one (`姓名 张三`).
#[rustfmt::skip]
pub(super) const FOREIGN_NAME: &[&str] = &[
    "фио", "姓名", "患者名", "患者姓名", "氏名", "患者氏名", "환자명", "성명", "이름",
];

/// Words that name a person when two capitalised words follow them (`Name Zelda Madeup`,
/// `PT. ZELDA MADEUP`): one capitalised word after them is a description's, and a position is
/// no name. `Patient` is not one: title-case text says `Retain Patient Characteristics Option`.
#[rustfmt::skip]
pub(super) const LOOSE_LABELS: &[&str] = &[
    "name", "pt.", "pat.", "pt", "pat", "inpatient", "outpatient", "dear",
];

/// Words that name a person when a colon and two capitalised words follow them (`For: Zelda
/// Madeup`), and only then: `Protocol for Acute Stroke` names no one.
#[rustfmt::skip]
pub(super) const COLON_LABELS: &[&str] = &[
    "for", "to", "from", "by", "re", "cc", "attention", "recipient", "sender", "referral",
];

/// What follows `PATIENT` in capitals that is no name (`PATIENT POSITION HFS`): the words of
/// the attributes DICOM names after the patient. `PATIENT` then two other capitalised words
/// is a name (`PATIENT MADEUP ZELDA`); in title case it is not (`Retain Patient
/// Characteristics Option`).
#[rustfmt::skip]
pub(super) const PATIENT_WORDS: &[&str] = &[
    "position", "orientation", "weight", "size", "age", "sex", "comments", "comment",
    "characteristics", "history", "state", "support", "setup", "motion", "identity", "data",
    "info", "information", "protocol", "name", "id", "table", "dose", "entry", "direction",
    "gantry", "prep", "preparation", "instructions", "condition", "type", "status", "level",
    "eye", "left", "right", "head", "feet", "first", "summary", "copy", "images", "study",
    // And what title case writes after `Patient` (`Patient Safety Alert`).
    "safety", "care", "education", "experience", "transport", "services", "service", "record",
    "records", "portal", "list", "leaflet", "consent", "feedback", "monitoring", "monitor",
    "positioning", "registration", "reported", "centred", "centered", "demographics", "details",
    "identification", "identifier", "access", "alert", "notes", "flow", "pathway", "journey",
    "group", "population", "advice", "guide", "module", "modules", "number", "numbers",
    "arms", "arm", "centring", "centering", "centre", "center", "down", "up", "off", "on", "ref",
    "reference", "breathing", "immobilisation", "immobilization", "observations", "gating",
];

/// Things a name or an ID labels that are no person's (`Protocol name:`, `Coil ID:`).
#[rustfmt::skip]
pub(super) const THINGS: &[&str] = &[
    "protocol", "series", "study", "sequence", "coil", "device", "exam", "examination", "contrast",
    "tracer", "radiopharmaceutical", "agent", "scanner", "kernel", "station", "software", "program",
    "application", "model", "product", "file", "folder", "filter", "reconstruction", "recon",
    "algorithm", "view", "phase", "procedure", "scan", "tube", "detector", "collimator", "drug",
    "isotope", "nuclide", "image", "table", "lot", "batch", "plan", "session", "task", "step",
    "body part", "organ", "lesion", "nodule", "trial", "organization", "organisation",
    "institution", "department", "company", "manufacturer", "site", "centre", "center",
];

/// Values that say there is no one's value here (`Name: ANONYMOUS`, `MRN: n/a`).
#[rustfmt::skip]
pub(super) const NO_ONE: &[&str] = &[
    "anonymous", "anonymised", "anonymized", "anon", "removed", "unknown", "n/a", "na", "none",
    "redacted", "cleaned", "withheld", "not given", "not known", "blank", "-", "--", "xxx",
    // Where the value is kept instead (`Patient name: see RIS`, `ID: see label`).
    "see ris", "see label", "see worklist", "see request", "see pacs", "see chart", "see notes",
    "not recorded", "not stated", "not available", "unavailable",
];

/// How a patient lies or is (`Patient: supine`, `Pt: sedated`): what a patient label says in a
/// description that is no one's identity.
#[rustfmt::skip]
pub(super) const POSITIONS: &[&str] = &[
    "supine", "prone", "decubitus", "lateral", "erect", "upright", "seated", "standing", "oblique",
    "feet first", "head first", "hfs", "hfp", "ffs", "ffp", "hfdl", "hfdr", "ffdl", "ffdr",
    "sedated", "anaesthetised", "anesthetized", "uncooperative", "claustrophobic", "phantom",
    "motion", "moved", "intubated", "ventilated", "paediatric", "pediatric", "adult", "obese",
    "bariatric",
];

/// What a description names after a modality that is written like a title (`MR Brain`, `Mx`
/// for mammography, `DR` for digital radiography): a body part, a side, a kind of study.
#[rustfmt::skip]
pub(super) const EXAMINED: &[&str] = &[
    "brain", "head", "neck", "spine", "chest", "thorax", "abdomen", "pelvis", "knee", "hip",
    "shoulder", "hand", "wrist", "ankle", "foot", "elbow", "breast", "bilateral", "left", "right",
    "screening", "angio", "cardiac", "heart", "lumbar", "cervical", "thoracic", "sinus", "sinuses",
    "orbit", "orbits", "liver", "prostate", "pancreas", "kidney", "kidneys", "renal", "whole",
    "spectroscopy", "perfusion", "diffusion", "contrast", "arthrogram", "venogram", "angiogram",
    "protocol", "routine", "skull", "femur", "tibia", "humerus", "pelvic", "abdominal", "facial",
    "iam", "pituitary", "lesion", "lesions", "plaque", "plaques", "enterography", "lat", "lateral",
    "phase", "views", "view", "pa", "ap", "portable",
    // What `MRS` (spectroscopy) is written before.
    "svs", "csi", "press", "steam", "voxel", "single", "multi",
];

/// Words a scanner's protocol tree is made of (Siemens writes `Region^Protocol` into the study
/// description): regions, modalities, kinds of study; and the body parts of [`EXAMINED`].
#[rustfmt::skip]
pub(super) const PROTOCOL_WORDS: &[&str] = &[
    "neuro", "lung", "ca", "cta", "mra", "vascular", "extremity", "extremities", "body",
    "wholebody", "ct", "mr", "mri", "pet", "nm", "us", "xr", "trauma", "adult", "child",
    "pediatric", "paediatric", "library", "research", "service", "test", "phantom", "qa", "onco",
    "oncology", "msk", "colon", "dental", "temporal", "bone", "seq", "standard", "special",
    "emergency", "abd", "aaa", "aorta", "tap", "lspine", "cspine", "tspine",
];

/// Words a series' or a study's description is written with that are not body parts: planes,
/// sequences, phases, windows, reconstructions (`AXIAL, CORONAL`, `PRE, POST`, `FLAIR, DWI`).
#[rustfmt::skip]
pub(super) const IMAGING: &[&str] = &[
    "axial", "coronal", "sagittal", "ax", "cor", "sag", "tra", "trans", "transverse",
    "pre", "post", "flair", "dwi", "adc", "swi", "stir", "tse", "fse", "gre", "epi", "dti", "mip",
    "minip", "mpr", "vr", "scout", "localizer", "localiser", "topogram", "survey", "soft",
    "tissue", "window", "delayed", "arterial", "venous", "portal", "late", "early", "plain",
    "enhanced", "non", "with", "without", "wo", "w", "dynamic", "cine", "thin", "thick", "fat",
    "sat", "water", "inphase", "outphase", "opposed", "dixon", "haste", "trufi", "fiesta", "space",
    "cube", "vibe", "lava", "bolus", "tracking", "calcium", "score", "dose", "report", "summary",
    "screen", "capture", "images", "mediastinum",
    "key", "teaching", "case", "normal", "abnormal", "follow", "up", "fu", "review",
    "limited", "complete", "full", "frame", "frames", "slice", "slices",
    "high", "low", "resolution", "hr", "hrct", "fast", "quick", "corrected", "sub",
    "subtraction", "weighted", "t1", "t2", "pd", "ir", "se", "fl",
    // Cardiac views and planes, whose words English also writes as names (`Long Axis`).
    "long", "short", "axis", "chamber", "outflow", "apical", "parasternal",
    // Breathing, stress tests, nuclear medicine, perfusion maps, views and organs that lists of
    // two are written with (`INSPIRATION, EXPIRATION`, `STRESS/REST`, `GALLBLADDER, CBD`).
    "inspiration", "expiration", "insp", "exp", "stress", "rest", "gated", "planar", "spect",
    "flow", "blood", "pool", "anterior", "posterior", "ant", "opp", "in", "out", "map",
    "maps", "clinical", "question", "indication", "stroke", "tia", "dvt", "ctpa", "cbf", "cbv",
    "mtt", "tmax", "lge", "psir", "mag", "face", "mandible", "maxilla", "gallbladder",
    "cbd", "uterus", "ovaries", "ovary", "carotid", "carotids", "vertebral",
    "vertebrals", "hips", "knees", "sacrum", "coccyx", "tib", "fib", "thyroid", "parathyroid",
    "ureter", "ureters", "bladder", "biliary", "panc", "spleen", "adrenal", "adrenals", "aortic",
    "iliac", "femoral", "popliteal", "runoff", "mesenteric", "hepatic",
    "lungs", "ribs", "clavicle", "scapula", "radius", "ulna", "fingers", "toes",
    "heel", "calcaneum", "calcaneus", "patella", "obl", "dp", "mlo",
    "craniocaudal", "mediolateral", "tomo", "tomosynthesis", "magnification", "spot", "implant",
    "implants", "ultrasound", "doppler", "duplex", "colour", "color", "power", "elastography",
    "bowel", "rectum", "anus", "oesophagus", "esophagus", "stomach", "duodenum",
    "swallow", "meal", "enema", "through", "urethra", "testes", "scrotum", "penis",
    "breasts", "axilla", "axillae", "larynx", "pharynx", "salivary", "parotid",
    // An infection English writes capitalised, as a name (`covid2020`, a teaching folder's).
    "covid",
];

/// Words that say a birth (English, German, French, Spanish, Italian).
#[rustfmt::skip]
pub(super) const BORN: &[&str] = &[
    "born", "geboren", "née", "né", "nee", "nacida", "nacido", "nata", "nato", "født", "fodt",
    "nació", "nacio",
];

/// Words that say a year of birth follows (`geb. 1971`, German's `Jg. 1971`, `YOB 1971`,
/// Swedish's `född 1971`).
#[rustfmt::skip]
pub(super) const YEAR_OF_BIRTH: &[&str] = &[
    "geb", "jg", "jahrgang", "yob", "year of birth", "birth year", "birth-year", "geburtsjahr",
    "född", "årgang", "año de nacimiento", "anno di nascita", "année de naissance",
    "geboortejaar", "fødselsår", "födelseår",
    // As written without accents (`annee de naissance 1971`, `fodselsar 1971`).
    "ano de nacimiento", "annee de naissance", "fodselsar", "fodelsear", "argang",
];

/// Small words between `born` and when (`born on the`, `geboren am`, `née le`).
#[rustfmt::skip]
pub(super) const FILLERS: &[&str] = &[
    "on", "in", "the", "am", "le", "el", "il", "en", "de", "of", "nel", "nell", "im",
];

/// Words of title-case text that no name is (`Name Of Protocol`), besides [`FILLERS`].
#[rustfmt::skip]
pub(super) const NOT_NAMES: &[&str] = &["and", "for", "to", "with", "by", "field"];

/// The street types an address in small letters is told by: none a measure or a description
/// ends with (`5 mm close to`, `2 cm drive`).
#[rustfmt::skip]
pub(super) const SMALL_STREET_TYPES: &[&str] = &[
    "street", "road", "lane", "avenue", "crescent", "terrace", "gardens", "grove", "boulevard", "mews",
    "straße", "strasse", "row", "parade", "wharf", "quay", "parkway", "highway", "way", "walk", "rise",
];

/// The street types a postal address names its street with, as written after the street's name
/// (`12 Nowhere Lane`): title case, or capitals for those no scan is labelled with.
#[rustfmt::skip]
pub(super) const STREET_TYPES: &[&str] = &[
    "Street", "St", "St.", "Road", "Rd", "Rd.", "Lane", "Ln", "Ln.", "Avenue", "Ave", "Ave.",
    "Drive", "Close", "Crescent", "Cres", "Court", "Place", "Gardens", "Terrace", "Grove",
    "Boulevard", "Blvd", "Square", "Mews", "La.", "Straße", "Strasse", "Str.", "Row", "Parade",
    "Wharf", "Quay", "Parkway", "Pkwy", "Highway", "Hwy", "Circus", "Way", "Walk", "Hill", "Rise",
    "Park", "Vale",
    "STREET", "ROAD", "LANE", "AVENUE", "DRIVE", "CLOSE", "CRESCENT", "COURT", "PLACE", "GARDENS",
    "TERRACE", "GROVE", "BOULEVARD", "SQUARE", "MEWS", "PARADE", "PARKWAY", "HIGHWAY", "ROW", "WAY",
    "WALK", "HILL", "RISE",
];

/// Street types of other languages, written before the street's name (`Calle Ninguna 12`, `12
/// Rue de Nullepart`, `ul. Nigdzie 12`, `ул. Нигде, д. 12`): as written, so that English words
/// in small letters (`via`) are not taken for them.
#[rustfmt::skip]
pub(super) const FOREIGN_STREETS: &[&str] = &[
    "Calle", "Avenida", "Avda.", "Av.", "Paseo", "Plaza", "Carrer", "Rua", "Travessa", "Largo",
    "Praça", "Rue", "Avenue", "Boulevard", "Bd", "Chemin", "Allée", "Impasse", "Quai", "Via",
    "Viale", "Piazza", "Corso", "Vicolo", "ul.", "Ul.", "ulica", "al.", "Al.", "aleja", "plac",
    "Plac", "ул.", "Ул.", "улица", "Улица", "пр.", "проспект", "Проспект", "пер.", "переулок",
    "Straße", "Strasse",
];

/// Small words a street's name holds (`Rue de la Paix`, `Via della Nessuna`).
#[rustfmt::skip]
pub(super) const STREET_FILLERS: &[&str] = &[
    "de", "la", "le", "les", "des", "du", "del", "della", "delle", "dei", "di", "do", "da", "dos",
    "das", "von", "am", "an", "der", "den",
];

/// Endings of a street's name written as one word (`Nirgendweg`, `Nirgendstraße`), in small
/// letters.
#[rustfmt::skip]
pub(super) const STREET_SUFFIXES: &[&str] = &[
    "straße", "strasse", "str.", "weg", "gasse", "allee", "platz", "damm", "laan", "straat",
    "gracht", "plein", "vej", "gatan", "gata", "veien",
];

/// What stands before a house number written after its street (`Nowhere Lane no. 12`, `д. 12`).
#[rustfmt::skip]
pub(super) const HOUSE_NUMBER_MARKS: &[&str] = &[
    "no.", "no", "nr.", "nr", "nº", "n°", "n.", "д.", "дом", "#",
];

/// Labels that say an address: a number in either of the two words after one is a house's or
/// a postcode, with or without a colon (`Postcode ZX1 9QQ`). ASCII in small letters, others as
/// written.
#[rustfmt::skip]
pub(super) const ADDRESS_LABELS: &[&str] = &[
    "address", "addr", "addr.", "home address", "postcode", "post code", "postal code", "zip code",
    "anschrift", "wohnhaft", "wohnort", "adresse", "adres", "indirizzo", "dirección", "direccion",
    "endereço", "endereco", "domicilio", "domicile", "residence", "住所", "地址", "주소", "адрес",
    "Адрес", "АДРЕС",
    // A post office's box: an address without a street.
    "po box", "p.o. box", "p. o. box", "p.o.box", "p o box", "pob", "post office box", "postfach",
    "postboks", "apartado de correos", "apartado postal", "apdo.", "caixa postal", "boîte postale", "boite postale", "casella postale",
    "skrytka pocztowa", "τ.θ.", "Τ.Θ.",
];

/// Countries' names of one word, in small letters (ISO 3166-1's short and common names, the
/// United Kingdom's nations, and some as their own people write them, with and without their
/// accents, as the address rule reads both): where a person lives
/// said as a country is no address (the profile keeps a country, and removes a town).
#[rustfmt::skip]
pub(super) const COUNTRIES: &[&str] = &[
    "afghanistan", "albania", "algeria", "andorra", "angola", "anguilla", "antarctica", "argentina",
    "armenia", "aruba", "australia", "austria", "azerbaijan", "bahamas", "bahrain", "bangladesh",
    "barbados", "belarus", "belgique", "belgium", "belgië", "belize", "benin", "bermuda", "bhutan",
    "bolivia", "botswana", "brasil", "brazil", "britain", "bulgaria", "burundi", "cambodia",
    "cameroon", "canada", "chad", "chile", "china", "colombia", "comoros", "congo", "croatia",
    "cuba", "curaçao", "cyprus", "czech", "czechia", "danmark", "denmark", "deutschland",
    "djibouti", "dominica", "ecuador", "egypt", "england", "eritrea", "españa", "estonia",
    "eswatini", "ethiopia", "fiji", "finland", "france", "gabon", "gambia", "georgia", "germany",
    "ghana", "gibraltar", "greece", "greenland", "grenada", "guadeloupe", "guam", "guatemala",
    "guernsey", "guinea", "guinea-bissau", "guyana", "haiti", "holland", "honduras", "hrvatska",
    "hungary", "iceland", "india", "indonesia", "iran", "iraq", "ireland", "israel", "italia",
    "italy", "jamaica", "japan", "jersey", "jordan", "kazakhstan", "kenya", "kiribati", "korea",
    "kuwait", "kyrgyzstan", "laos", "latvia", "lebanon", "lesotho", "liberia", "libya",
    "liechtenstein", "lithuania", "luxembourg", "macao", "madagascar", "magyarország", "malawi",
    "malaysia", "maldives", "mali", "malta", "martinique", "mauritania", "mauritius", "mayotte",
    "mexico", "moldova", "monaco", "mongolia", "montenegro", "montserrat", "morocco", "mozambique",
    "myanmar", "namibia", "nauru", "nederland", "nepal", "netherlands", "nicaragua", "niger",
    "nigeria", "niue", "norge", "norway", "oman", "pakistan", "palau", "panama", "paraguay", "peru",
    "philippines", "pitcairn", "poland", "polska", "portugal", "qatar", "romania", "românia",
    "russia", "rwanda", "réunion", "samoa", "schweiz", "scotland", "senegal", "serbia",
    "seychelles", "singapore", "slovakia", "slovenia", "somalia", "spain", "sudan", "suomi",
    "suriname", "sverige", "sweden", "switzerland", "syria", "taiwan", "tajikistan", "tanzania",
    "thailand", "timor-leste", "togo", "tokelau", "tonga", "tunisia", "turkey", "turkmenistan",
    "tuvalu", "türkiye", "uganda", "ukraine", "uruguay", "uzbekistan", "vanuatu", "venezuela",
    "vietnam", "wales", "yemen", "zambia", "zimbabwe", "éire", "österreich", "česko", "ελλάδα",
    "россия", "osterreich", "espana", "turkiye", "cesko", "eire", "curacao", "reunion", "belgie",
    "magyarorszag", "polsce", "niemczech", "deutschlands",
];
