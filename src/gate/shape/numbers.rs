//! Shapes made of digits: dates and ID-like numbers.

use super::words::find_from;

/// Japanese eras a year is counted in (Meiji, Taishō, Shōwa, Heisei, Reiwa).
const ERAS: &[&str] = &["明治", "大正", "昭和", "平成", "令和"];

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// Runs of digits: (start, end) of each.
fn digit_runs(text: &[u8]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i].is_ascii_digit() {
            let start = i;
            while i < text.len() && text[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    runs
}

fn number(text: &[u8], run: (usize, usize)) -> u32 {
    text[run.0..run.1].iter().fold(0u32, |n, &d| n.saturating_mul(10).saturating_add(u32::from(d - b'0')))
}

fn plausible(year: u32, month: u32, day: u32) -> bool {
    (1900..=2100).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// A date: `YYYYMMDD`, `YYYY-MM-DD`, `DD/MM/YYYY`, `DD.MM.YY`, `12 Mar 1970`, `March 12, 1970`.
pub(super) fn date(text: &[u8]) -> bool {
    if day_of_month(text) {
        return true;
    }
    if text.iter().filter(|b| b.is_ascii_digit()).count() < 2 {
        return false;
    }
    let runs = digit_runs(text);
    for (k, &run) in runs.iter().enumerate() {
        let len = run.1 - run.0;
        if len == 8 {
            let s = &text[run.0..run.1];
            let n = |a: usize, b: usize| number(s, (a, b));
            if plausible(n(0, 4), n(4, 6), n(6, 8)) || plausible(n(4, 8), n(2, 4), n(0, 2)) {
                return true;
            }
        }
        // Three runs joined by one and the same separator.
        if let (Some(&b), Some(&c)) = (runs.get(k + 1), runs.get(k + 2)) {
            let sep1 = &text[run.1..b.0];
            let sep2 = &text[b.1..c.0];
            // One mark, or one with spaces around it or doubled (`3 / 2 / 1971`, `3--2--1971`);
            // those, `_` and `;` only with a year of four digits.
            let core = sep1.trim_ascii();
            let mark = |c: u8| matches!(c, b'-' | b'/' | b'.' | b'_' | b';' | b':' | b',');
            let plain = sep1.len() == 1 && matches!(sep1[0], b'-' | b'/' | b'.');
            let wide = !plain
                && sep1.len() <= 3
                && (core.len() == 1 && mark(core[0]) || sep1 == b"--")
                && (len == 4 || c.1 - c.0 == 4);
            // Chinese and Japanese: 1971年2月3日; Korean: 1971년 2월 3일.
            let cjk = (sep1 == "年".as_bytes() && sep2 == "月".as_bytes())
                || (sep1.trim_ascii() == "년".as_bytes() && sep2.trim_ascii() == "월".as_bytes());
            // A Japanese era's year (昭和46年2月3日: the 46th year of Shōwa).
            let era = cjk
                && ERAS.iter().any(|e| text[..run.0].trim_ascii_end().ends_with(e.as_bytes()))
                && (1..=64).contains(&number(text, run))
                && plausible(2000, number(text, b), number(text, c));
            if era {
                return true;
            }
            let joined = (sep1 == sep2 && (plain || wide)) || cjk;
            if joined {
                let (l1, l2, l3) = (len, b.1 - b.0, c.1 - c.0);
                let (x, y, z) = (number(text, run), number(text, b), number(text, c));
                // A year of two digits first (`71-02-03`) only where all three have two.
                let ymd = (l1 == 4 && l2 <= 2 && l3 <= 2 && plausible(x, y, z))
                    || (l1 == 2 && l2 == 2 && l3 == 2 && plausible(1900 + x, y, z));
                let dmy = l1 <= 2 && l2 <= 2 && (l3 == 4 || l3 == 2) && {
                    let year = if l3 == 2 { 1900 + z } else { z };
                    plausible(year, y, x) || plausible(year, x, y)
                };
                // Three values counting up before a unit or after what they measure (`5/10/15
                // min`, `TI 10/20/30`), and a version (`Version 4.1.12`, `v2.1.10`).
                let counting = x < y && y < z && (unit_after(text, c.1) || before_is(text, run.0, MEASURES));
                let listed = matches!(sep1[0], b'/' | b'-') && counting;
                let version = sep1[0] == b'.' && before_is(text, run.0, VERSIONS);
                // A fourth value joined the same way: a list (`10-20-30-40`), no date.
                let after =
                    text.get(c.1) == Some(&sep1[0]) && text.get(c.1 + 1).is_some_and(u8::is_ascii_digit);
                let before = run.0 >= 2 && text[run.0 - 1] == sep1[0] && text[run.0 - 2].is_ascii_digit();
                if (ymd || dmy) && !listed && !version && !after && !before {
                    return true;
                }
            }
        }
    }
    // A month's name beside a day (3, 3rd) and a year (1971, 71): two numbers near it. English
    // months by their first three letters; other languages' by their whole names, as a word.
    let lower = text.to_ascii_lowercase();
    for month in MONTHS {
        let mut from = 0;
        while let Some(i) = find_from(&lower, month.as_bytes(), from) {
            from = i + 1;
            if (i == 0 || !lower[i - 1].is_ascii_alphabetic()) && day_and_year_near(text, i, month.len()) {
                return true;
            }
        }
    }
    let Ok(unicode) = std::str::from_utf8(text) else { return false };
    let lower = unicode.to_lowercase();
    let lower = lower.as_bytes();
    let letter = |b: u8| b.is_ascii_alphabetic() || b >= 0x80;
    FOREIGN_MONTHS.iter().any(|month| {
        memchr::memmem::find_iter(lower, month.as_bytes()).any(|i| {
            let end = i + month.len();
            (i == 0 || !letter(lower[i - 1]))
                && lower.get(end).is_none_or(|&b| !letter(b))
                && day_and_year_near(lower, i, month.len())
        })
    })
}

/// A day (one or two digits, 1 to 31) and a year (four digits, 1900 to 2100, or two) apart from
/// it, in the eight bytes before a month's name at `at` and the twenty after it.
fn day_and_year_near(text: &[u8], at: usize, len: usize) -> bool {
    let window = &text[at.saturating_sub(8)..(at + len.max(3) + 17).min(text.len())];
    let runs = digit_runs(window);
    let days: Vec<_> =
        runs.iter().filter(|&&r| r.1 - r.0 <= 2 && (1..=31).contains(&number(window, r))).collect();
    let years: Vec<_> = runs
        .iter()
        .filter(|&&r| (r.1 - r.0 == 4 && (1900..=2100).contains(&number(window, r))) || r.1 - r.0 == 2)
        .collect();
    days.iter().any(|d| years.iter().any(|y| y != d))
}

/// Months' names in other languages a teaching file comes in (French, Spanish, Portuguese,
/// Italian, German, Dutch, Scandinavian, Polish, Czech, Croatian, Hungarian, Romanian, Finnish,
/// Greek, Russian, Turkish), in small letters, in the forms a date takes (`3 lutego 1971`,
/// `3. března 1971`, `3 Μαρτίου 1971`) and as Greek and Turkish are written without their
/// marks: whole words only. Not Czech's `září` (also "shines") nor `leden` (Dutch "members").
#[rustfmt::skip]
const FOREIGN_MONTHS: &[&str] = &[
    "janvier", "février", "fevrier", "avril", "mai", "juin", "juillet", "août", "aout", "septembre",
    "octobre", "novembre", "décembre", "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "setiembre", "septiembre", "octubre", "noviembre", "diciembre", "janeiro",
    "fevereiro", "março", "marco", "maio", "junho", "julho", "setembro", "outubro", "novembro",
    "dezembro", "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre",
    "ottobre", "dicembre", "januar", "jänner", "februar", "märz", "maerz", "juni", "juli",
    "oktober", "dezember", "januari", "februari", "maart", "mei", "augustus", "augusti", "maj",
    "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
    "października", "listopada", "grudnia", "tammikuuta", "helmikuuta", "maaliskuuta",
    "huhtikuuta", "toukokuuta", "kesäkuuta", "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta",
    "marraskuuta", "joulukuuta", "января", "февраля", "марта", "апреля", "мая", "июня", "июля",
    "августа", "сентября", "октября", "ноября", "декабря", "ocak", "şubat", "nisan", "mayıs",
    "haziran", "temmuz", "ağustos", "eylül", "ekim", "kasım", "aralık", "mart", "subat", "mayis",
    "agustos", "eylul", "kasim", "aralik", "mars", "marts", "desember", "tammikuu", "helmikuu",
    "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu", "heinäkuu", "elokuu", "syyskuu", "lokakuu",
    "marraskuu", "joulukuu", "ledna", "února", "března", "dubna", "května", "června", "července",
    "srpna", "října", "listopadu", "prosince", "únor", "březen", "duben",
    "květen", "červen", "červenec", "srpen", "říjen", "listopad", "prosinec", "siječnja",
    "veljače", "ožujka", "travnja", "svibnja", "lipnja", "srpnja", "kolovoza", "rujna",
    "studenoga", "studenog", "prosinca", "siječanj", "veljača", "ožujak", "travanj",
    "svibanj", "lipanj", "srpanj", "kolovoz", "rujan", "studeni", "prosinac", "ianuarie",
    "februarie", "martie", "aprilie", "iunie", "iulie", "septembrie", "octombrie", "noiembrie",
    "decembrie", "január", "február", "március", "április", "május", "június", "július",
    "augusztus", "szeptember", "október", "ιανουαρίου", "φεβρουαρίου", "μαρτίου", "απριλίου",
    "μαΐου", "ιουνίου", "ιουλίου", "αυγούστου", "σεπτεμβρίου", "οκτωβρίου", "νοεμβρίου",
    "δεκεμβρίου", "ιανουαριου", "φεβρουαριου", "μαρτιου", "απριλιου", "μαιου", "ιουνιου",
    "ιουλιου", "αυγουστου", "σεπτεμβριου", "οκτωβριου", "νοεμβριου", "δεκεμβριου", "ιανουάριος",
    "φεβρουάριος", "μάρτιος", "απρίλιος", "μάιος", "ιούνιος", "ιούλιος", "αύγουστος",
    "σεπτέμβριος", "οκτώβριος", "νοέμβριος", "δεκέμβριος",
];

/// `run` digits or more in one run (six in text; seven in what OCR read, where it runs the
/// numbers of a ruler together: `0 5 10 15` as `051015`); or groups of at least two digits joined
/// by single spaces, dashes or brackets, seven digits or more in all (`943 476 5919`, `+44 20
/// 7946 0000`).
pub(super) fn id_number(text: &[u8], run: usize) -> bool {
    let runs = digit_runs(text);
    // A count with its unit (`370000000 Bq`, `130208 Hz`), a trial's registry number, a
    // paper's in PubMed, or a concept's in SNOMED CT where its check digit holds.
    let measured = |r: &(usize, usize)| {
        unit_after(text, r.1)
            || before_is(text, r.0, MEASURES)
            || before_is(text, past_colon(text, r.0), PAPERS)
            || text[..r.0].to_ascii_uppercase().ends_with(b"NCT")
            || ((before_is(text, r.0, CONCEPTS) || snomed_ct(&text[..r.0]))
                && super::site_code::sctid(&text[r.0..r.1]))
    };
    // The digits after a decimal point (`compression ratio 0.084906`): a number of one to three
    // digits, a point, and these, with no other point beside (`1.2.840.10008` is dotted, not a
    // fraction).
    let fraction = |r: &(usize, usize)| {
        let whole = text[..r.0].strip_suffix(b".").map(|before| {
            let digits = before.iter().rev().take_while(|b| b.is_ascii_digit()).count();
            (digits, before.len() - digits)
        });
        let dotted_before = |start: usize| start > 0 && text[start - 1] == b'.';
        let dotted_after = text.get(r.1) == Some(&b'.') && text.get(r.1 + 1).is_some_and(u8::is_ascii_digit);
        whole.is_some_and(|(digits, start)| (1..=3).contains(&digits) && !dotted_before(start))
            && !dotted_after
    };
    if runs.iter().any(|r| r.1 - r.0 >= run && !measured(r) && !fraction(r)) {
        return true;
    }
    if thousands(text).any(|(start, end)| !unit_after(text, end) && !before_is(text, start, MEASURES)) {
        return true;
    }
    // Groups of two digits or more joined by single spaces, dashes or brackets: each chain is
    // judged whole. Values that count up or down, four or more (`TE 12 24 36 48`), or before a
    // unit (`120 100 80 kV`), are a list of settings, not one number.
    let mut chains: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut prev: Option<(usize, usize)> = None;
    for &run in &runs {
        let joined = prev.is_some_and(|p| {
            let sep = &text[p.1..run.0];
            !sep.is_empty()
                && sep.len() <= 2
                && sep.iter().all(|&b| matches!(b, b' ' | b'-' | b'(' | b')' | b'.'))
        });
        match chains.last_mut() {
            Some(chain) if joined && run.1 - run.0 >= 2 && !chain.is_empty() => chain.push(run),
            _ if run.1 - run.0 >= 2 => chains.push(vec![run]),
            _ => chains.push(Vec::new()),
        }
        prev = Some(run);
    }
    chains.iter().filter(|c| !c.is_empty()).any(|chain| {
        let digits: usize = chain.iter().map(|r| r.1 - r.0).sum();
        let values: Vec<u32> = chain.iter().map(|&r| number(text, r)).collect();
        let counting = values.len() >= 4
            && (values.windows(2).all(|w| w[0] < w[1]) || values.windows(2).all(|w| w[0] > w[1]));
        let last = chain[chain.len() - 1];
        // A span of years (`cohort 2015-2019`, `pages 2000-2010`), the later after.
        let year = |r: (usize, usize)| r.1 - r.0 == 4 && (1900..=2099).contains(&number(text, r));
        let span = chain.len() == 2
            && year(chain[0])
            && year(chain[1])
            && number(text, chain[0]) < number(text, chain[1])
            && matches!(&text[chain[0].1..chain[1].0], b"-" | b"/");
        let settings = counting || span || unit_after(text, last.1) || before_is(text, chain[0].0, MEASURES);
        digits >= 7 && !settings && !(chain.len() == 1 && (measured(&last) || fraction(&last)))
    })
}

/// Numbers of seven digits or more written with commas between thousands (`4,711,913`): one to
/// three digits, then groups of three after single commas, with no digit or comma on either side.
/// (start, end) of each.
fn thousands(text: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let digits_at = |i: usize| text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < text.len() {
            let start = at;
            let lead = digits_at(start);
            if lead == 0 {
                at += 1;
                continue;
            }
            let mut end = start + lead;
            let mut groups = 0;
            while text.get(end) == Some(&b',') && digits_at(end + 1) == 3 {
                end += 4;
                groups += 1;
            }
            at = end.max(start + 1);
            let open_before = start == 0 || !matches!(text[start - 1], b',' | b'0'..=b'9');
            let open_after = !matches!(text.get(end), Some(b',' | b'0'..=b'9'));
            if lead <= 3 && groups >= 2 && open_before && open_after && lead + 3 * groups >= 7 {
                return Some((start, end));
            }
        }
        None
    })
}

/// Units a number in a description measures in, and what it counts.
const UNITS: &[&str] = &[
    "mm", "cm", "m", "ms", "s", "sec", "min", "mins", "h", "hr", "hrs", "hour", "hours", "day", "days",
    "week", "weeks", "month", "months", "year", "years", "kv", "kvp", "ma", "mas", "mgy", "gy", "mbq", "bq",
    "kbq", "gbq", "mci", "hz", "khz", "mhz", "counts", "count", "cts", "kcts", "voxels", "pixels", "slices",
    "images", "frames", "deg", "degrees", "ml", "%",
];

/// Settings written before their values (`TI 10/20/30`, `Weeks 4/8/12`).
const MEASURES: &[&str] = &[
    "kv",
    "kvp",
    "ma",
    "mas",
    "ti",
    "te",
    "tr",
    "b",
    "week",
    "weeks",
    "month",
    "months",
    "delay",
    "delayed",
    "slice",
    "slices",
    "phase",
    "phases",
    "time",
    "times",
    "gantry",
    "angle",
    "angles",
    "echo",
    "echoes",
    "up",
    "fu",
    "day",
    "days",
    "counts",
    "activity",
    "bandwidth",
    "static",
    "volume",
    "dose",
    "gated",
    "sequence",
];

/// Where the word before `start` ends when a colon and a space or two stand between
/// (`PMID: 28012345`), else `start`.
fn past_colon(text: &[u8], start: usize) -> usize {
    let head = &text[..start];
    let spaces = head.iter().rev().take_while(|&&b| b == b' ').count().min(2);
    match head[..head.len() - spaces].strip_suffix(b":") {
        Some(before) => before.len(),
        None => start,
    }
}

/// What a paper's number in PubMed or PubMed Central follows (`PMID 28240562`, `PMC1234567`).
const PAPERS: &[&str] = &["pmid", "pmc", "pmcid"];

/// What a SNOMED CT concept's identifier follows (`SNOMED 39607008`, `SCT 24028007`; and
/// `SNOMED CT 363358000`, not `CT` alone: `CT 4711913` is a scan and a patient's number).
const CONCEPTS: &[&str] = &["snomed", "sct", "sctid"];

/// Text that ends with `SNOMED CT` and a space or a colon.
fn snomed_ct(head: &[u8]) -> bool {
    let head = head.trim_ascii_end();
    let head = head.strip_suffix(b":").unwrap_or(head).trim_ascii_end();
    head.len() >= 9 && head[head.len() - 9..].eq_ignore_ascii_case(b"snomed ct")
}

/// What a version number follows (`Version 4.1.12`, `v2.1.10`, `syngo 7.8.90`).
const VERSIONS: &[&str] = &[
    "version", "ver", "vers", "v", "fw", "firmware", "sw", "software", "rev", "revision", "release", "build",
    "proto", "protocol", "syngo",
];

/// True when the word after `end` (past a space or two) is a unit.
pub(super) fn unit_after(text: &[u8], end: usize) -> bool {
    let rest = &text[end..];
    let rest = &rest[rest.iter().take_while(|&&b| b == b' ').count().min(2)..];
    let word: Vec<u8> = rest
        .iter()
        .take_while(|b| b.is_ascii_alphabetic() || **b == b'%')
        .map(u8::to_ascii_lowercase)
        .collect();
    UNITS.iter().any(|u| u.as_bytes() == word.as_slice())
}

/// True when the word before `start` (written against it, or a space or two before it) is one
/// of `words`.
fn before_is(text: &[u8], start: usize, words: &[&str]) -> bool {
    let head = &text[..start];
    let head = &head[..head.len() - head.iter().rev().take_while(|&&b| b == b' ').count().min(2)];
    let word: Vec<u8> =
        head.iter().rev().take_while(|b| b.is_ascii_alphabetic()).map(u8::to_ascii_lowercase).collect();
    let word: Vec<u8> = word.into_iter().rev().collect();
    words.iter().any(|w| w.as_bytes() == word.as_slice())
}

/// A month's name or its abbreviation as a word of its own (`Feb`, `Feb.`, `February`, `Sept`;
/// not `Marker`).
pub(super) fn month_word(lower: &[u8], at: usize) -> bool {
    month_in(lower, at, &[])
}

/// A month's name in English ([`month_word`]) or another language ([`FOREIGN_MONTHS`], as
/// written in ASCII: `februar`, `febrero`, `fevrier`), as a word of its own.
pub(super) fn any_month_word(lower: &[u8], at: usize) -> bool {
    month_in(lower, at, FOREIGN_MONTHS)
}

/// The word at `at` is a month's name in English or in `more`.
fn month_in(lower: &[u8], at: usize, more: &[&str]) -> bool {
    const NAMES: &[&str] = &[
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "sept",
    ];
    let word_end = lower[at..].iter().position(|b| !b.is_ascii_alphabetic()).map_or(lower.len(), |n| at + n);
    let word = &lower[at..word_end];
    (at == 0 || !lower[at - 1].is_ascii_alphabetic())
        && [MONTHS, NAMES, more].iter().any(|list| list.iter().any(|m| m.as_bytes() == word))
}

/// An international telephone number: `+`, a country's code and the number, ten to fifteen
/// digits in all in groups split by single spaces or dashes (`+44 1632 960123`). No version,
/// model or kernel is written so.
pub(super) fn international_phone(text: &[u8]) -> bool {
    memchr::memchr_iter(b'+', text).any(|at| {
        let open = at == 0 || !text[at - 1].is_ascii_alphanumeric();
        let rest = &text[at + 1..];
        let number: &[u8] = &rest[..rest
            .iter()
            .position(|b| !(b.is_ascii_digit() || matches!(b, b' ' | b'-')))
            .unwrap_or(rest.len())];
        let digits = number.iter().filter(|b| b.is_ascii_digit()).count();
        let single = !number.windows(2).any(|w| !w[0].is_ascii_digit() && !w[1].is_ascii_digit());
        open && rest.first().is_some_and(u8::is_ascii_digit) && (10..=15).contains(&digits) && single
    })
}

/// A day of a month without its year, written as a day is said: `3rd Feb`, `3 of February`,
/// `3rd of Feb.` (an ordinal's letters or `of` between them; `3 Feb` alone could be a count).
fn day_of_month(text: &[u8]) -> bool {
    if !text.iter().any(u8::is_ascii_digit) {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    (0..lower.len()).filter(|&at| month_word(&lower, at)).any(|at| {
        let before = lower[..at].trim_ascii_end();
        let (before, of) = match before.strip_suffix(b"of") {
            Some(b) if b.last().is_some_and(|c| !c.is_ascii_alphabetic()) => (b.trim_ascii_end(), true),
            _ => (before, false),
        };
        let suffix = ["st", "nd", "rd", "th"].iter().find_map(|s| before.strip_suffix(s.as_bytes()));
        let number = suffix.unwrap_or(before);
        let digits = number.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        let starts = number.len() == digits || !number[number.len() - digits - 1].is_ascii_alphanumeric();
        let day = number[number.len() - digits..].iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
        (1..=2).contains(&digits) && starts && (1..=31).contains(&day) && (of || suffix.is_some())
    })
}
