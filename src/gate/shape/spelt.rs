//! Text as a person reads it when it is spelt out to get past a reader of shapes: numbers in
//! words (`four seven one one`, `nineteen seventy-one`, `the third of`), letters spaced apart
//! (`M R N 4 7 1 1`), letters standing for digits in a number (`O3.O2.l97l`), and a month in
//! Roman numerals (`3.II.1971`). [`spelt`] writes the text with each as the digits or the word
//! it stands for, so the shapes of `numbers` and `words` see it.

/// Digits in words.
const DIGITS: &[&str] = &["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/// Ordinal words, first to thirty-first: a day of the month.
const ORDINALS: &[&str] = &[
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
];

/// Ten to nineteen, for years spelt as two numbers (`nineteen seventy-one`).
const TEENS: &[&str] = &[
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

/// Twenty to ninety.
const TENS: &[&str] = &["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/// Roman numerals of the months.
const ROMAN: &[&str] = &["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"];

/// A word of `text` (ASCII letters) and where it ends.
fn word_at(text: &[u8], at: usize) -> &[u8] {
    let end = text[at..].iter().position(|b| !b.is_ascii_alphabetic()).map_or(text.len(), |n| at + n);
    &text[at..end]
}

/// Whether `word` (in any case) is a number written as one word (`twelve`, `forty`): a house's
/// number in an address spelt out.
pub(super) fn number_word(word: &[u8]) -> bool {
    [&DIGITS[1..], TEENS, TENS].iter().any(|list| index_of(list, word).is_some())
}

fn index_of(list: &[&str], word: &[u8]) -> Option<usize> {
    list.iter().position(|w| w.as_bytes().eq_ignore_ascii_case(word))
}

/// A number of one or two words at `at` (`seventy-one`, `seventy one`, `eleven`, `nine`):
/// its value and where it ends.
fn number_words(text: &[u8], at: usize) -> Option<(u32, usize)> {
    let first = word_at(text, at);
    let end = at + first.len();
    if let Some(n) = index_of(DIGITS, first) {
        return Some((n as u32, end));
    }
    if let Some(n) = index_of(TEENS, first) {
        return Some((10 + n as u32, end));
    }
    let tens = 20 + 10 * index_of(TENS, first)? as u32;
    let gap = text[end..].iter().take_while(|&&b| b == b'-' || b == b' ').count();
    if (1..=2).contains(&gap) {
        let unit = word_at(text, end + gap);
        if let Some(u) = index_of(DIGITS, unit).filter(|&u| u > 0) {
            return Some((tens + u as u32, end + gap + unit.len()));
        }
    }
    Some((tens, end))
}

/// `text` with what is spelt out written as digits, or None when nothing is.
pub(super) fn spelt(text: &[u8]) -> Option<Vec<u8>> {
    if !text.is_ascii() {
        return None;
    }
    let joined = spaced_joined(text);
    let text = joined.as_deref().unwrap_or(text);
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let starts = i == 0 || !text[i - 1].is_ascii_alphanumeric();
        if starts
            && text[i].is_ascii_alphabetic()
            && let Some((digits, end)) = words_as_digits(text, i)
        {
            out.extend(digits);
            i = end;
            continue;
        }
        if starts
            && text[i].is_ascii_digit()
            && let Some((date, end)) = roman_spaced(text, i)
        {
            out.extend(date);
            i = end;
            continue;
        }
        if starts && text[i].is_ascii_alphanumeric() {
            let end = text[i..].iter().position(|&b| b == b' ' || b == b',').map_or(text.len(), |n| i + n);
            if let Some(number) = number_token(&text[i..end]) {
                out.extend(number);
                i = end;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    (joined.is_some() || out != text).then_some(out)
}

/// Words at `at` that stand for digits: a run of digit words (two or more: `four seven one`), a
/// year (`nineteen seventy-one`, `two thousand and five`), an ordinal (`third` as `3rd`).
fn words_as_digits(text: &[u8], at: usize) -> Option<(Vec<u8>, usize)> {
    let word = word_at(text, at);
    if let Some(n) = index_of(ORDINALS, word) {
        return Some((format!("{}th", n + 1).into_bytes(), at + word.len()));
    }
    // `twenty-third`, `thirty-first`.
    if let Some(t) = index_of(&TENS[..2], word) {
        let gap = text[at + word.len()..].iter().take_while(|&&b| b == b'-' || b == b' ').count();
        let next = word_at(text, at + word.len() + gap);
        if (1..=2).contains(&gap)
            && let Some(n) = index_of(&ORDINALS[..9], next)
        {
            return Some((
                format!("{}th", 20 + 10 * t + n + 1).into_bytes(),
                at + word.len() + gap + next.len(),
            ));
        }
    }
    // A year: nineteen or twenty, then a number of two words; two thousand (and) a number.
    if let Some(century @ (19 | 20)) = index_of(TEENS, word).map(|n| n + 10) {
        let gap = text[at + word.len()..].iter().take_while(|&&b| b == b' ' || b == b'-').count();
        if gap >= 1
            && let Some((n, end)) = number_words(text, at + word.len() + gap)
            && n >= 10
        {
            return Some((format!("{century}{n:02}").into_bytes(), end));
        }
    }
    if word.eq_ignore_ascii_case(b"two")
        && text[at + word.len()..].to_ascii_lowercase().starts_with(b" thousand")
    {
        let mut j = at + word.len() + b" thousand".len();
        for skip in [&b" and"[..], b" "] {
            if text[j..].to_ascii_lowercase().starts_with(skip) {
                j += skip.len();
            }
        }
        let j = j + text[j..].iter().take_while(|&&b| b == b' ').count();
        let (n, end) = number_words(text, j).unwrap_or((0, j));
        return Some((format!("{}", 2000 + n).into_bytes(), end));
    }
    // Twenty to ninety-nine (`seventy-one`: a year of two digits).
    if index_of(TENS, word).is_some() {
        let (n, end) = number_words(text, at)?;
        return Some((n.to_string().into_bytes(), end));
    }
    // Digit words, two or more, with spaces or dashes between.
    let mut digits = Vec::new();
    let mut j = at;
    loop {
        let w = word_at(text, j);
        let Some(d) = index_of(DIGITS, w) else { break };
        digits.push(b'0' + d as u8);
        let end = j + w.len();
        let gap = text[end..].iter().take_while(|&&b| b == b' ' || b == b'-').count();
        j = end;
        if !(1..=2).contains(&gap) || index_of(DIGITS, word_at(text, end + gap)).is_none() {
            break;
        }
        j = end + gap;
    }
    // Digit words counting by one (`levels two three four five`) are a list, not a number.
    (digits.len() >= 2 && !counts_by_one(&digits)).then_some((digits, j))
}

/// Three digits or more that count up or down by one (`1 2 3 4`, `6 5 4`): a list, not a number.
fn counts_by_one(digits: &[u8]) -> bool {
    let steps = |d: i16| digits.windows(2).all(|w| i16::from(w[1]) - i16::from(w[0]) == d);
    digits.len() >= 3 && digits.iter().all(u8::is_ascii_digit) && (steps(1) || steps(-1))
}

/// A token that is a number or a date with letters that look like digits in it (`O3.O2.l97l`),
/// or a month in Roman numerals between a day and a year (`3.II.1971`): as digits.
fn number_token(token: &[u8]) -> Option<Vec<u8>> {
    // Thousands marked (`4.711.913`, `4'711'913`, `4_711_913`): the number.
    let groups: Vec<&[u8]> = token.split(|&b| matches!(b, b'.' | b'\'' | b'_')).collect();
    if groups.len() >= 3
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.iter().all(u8::is_ascii_digit))
    {
        return Some(groups.concat());
    }
    let digit_like = |b: u8| matches!(b, b'O' | b'o' | b'I' | b'l' | b'|');
    let digits = token.iter().filter(|b| b.is_ascii_digit()).count();
    let separator = |b: u8| matches!(b, b'.' | b'/' | b'-');
    // Day, separator, Roman month, the same separator, year.
    if let Some(&sep) = token.iter().find(|&&b| separator(b)) {
        let parts: Vec<&[u8]> = token.split(|&b| b == sep).collect();
        if let [day, month, year] = parts[..]
            && (1..=2).contains(&day.len())
            && day.iter().all(u8::is_ascii_digit)
            && (year.len() == 2 || year.len() == 4)
            && year.iter().all(u8::is_ascii_digit)
            && let Some(m) = index_of(ROMAN, month)
        {
            return Some([day, &[sep], (m + 1).to_string().as_bytes(), &[sep], year].concat());
        }
    }
    if digits >= 2
        && token.iter().any(|&b| digit_like(b))
        && token.iter().all(|&b| b.is_ascii_digit() || digit_like(b) || separator(b))
    {
        return Some(
            token
                .iter()
                .map(|&b| match b {
                    b'O' | b'o' => b'0',
                    b'I' | b'l' | b'|' => b'1',
                    b => b,
                })
                .collect(),
        );
    }
    None
}

/// A day, a month in Roman numerals and a year, a space apart (`3 II 71`, `12 xii 1971`), at
/// `at`: written with dots (`3.2.71`), and where it ends.
fn roman_spaced(text: &[u8], at: usize) -> Option<(Vec<u8>, usize)> {
    let mut parts = text[at..].splitn(4, |&b| b == b' ');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    let year = &year[..year.iter().position(|b| !b.is_ascii_alphanumeric()).unwrap_or(year.len())];
    let digits = |w: &[u8], lens: &[usize]| lens.contains(&w.len()) && w.iter().all(u8::is_ascii_digit);
    // A month in capitals: `12 x 10 mm` is a size.
    let m = index_of(ROMAN, month).filter(|_| month.iter().all(u8::is_ascii_uppercase))?;
    // `12 X 10 mm` too: a unit after the third number.
    let rest = text[at + day.len() + month.len() + year.len() + 2..].trim_ascii_start();
    let rest = rest.to_ascii_lowercase();
    let unit = [&b"mm"[..], b"cm", b"m ", b"px", b"in"].iter().any(|u| rest.starts_with(u)) || rest == b"m";
    (digits(day, &[1, 2]) && digits(year, &[2, 4]) && !unit).then(|| {
        let end = at + day.len() + month.len() + year.len() + 2;
        ([day, b".", (m + 1).to_string().as_bytes(), b".", year].concat(), end)
    })
}

/// Letters and digits spaced one apart, four or more (`M R N 4 7 1 1 9 1 3`, `0 3 / 0 2`),
/// written together; None when there are none.
fn spaced_joined(text: &[u8]) -> Option<Vec<u8>> {
    let single = |i: usize| {
        text[i] != b' ' && (i == 0 || text[i - 1] == b' ') && text.get(i + 1).is_none_or(|&b| b == b' ')
    };
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    let mut changed = false;
    while i < text.len() {
        // A run of single characters, one space apart.
        let mut j = i;
        let mut count = 0;
        while j < text.len() && single(j) {
            count += 1;
            if text.get(j + 1) == Some(&b' ') && text.get(j + 2).is_some_and(|&b| b != b' ') && single(j + 2)
            {
                j += 2;
            } else {
                j += 1;
                break;
            }
        }
        // Digits alone counting by one (`Levels 1 2 3 4 5 6`) are a list, not a number.
        let singles: Vec<u8> = text[i..j].iter().copied().filter(|&b| b != b' ').collect();
        if count >= 4 && !counts_by_one(&singles) {
            out.extend(text[i..j].iter().filter(|&&b| b != b' '));
            changed = true;
            i = j;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(t: &str) -> String {
        String::from_utf8(spelt(t.as_bytes()).unwrap_or_else(|| t.as_bytes().to_vec())).unwrap()
    }

    #[test]
    fn what_is_spelt_out_is_written_as_digits() {
        assert_eq!(read("born on the third of February 1971"), "born on the 3th of February 1971");
        assert_eq!(read("3rd of Feb. nineteen seventy-one"), "3rd of Feb. 1971");
        assert_eq!(read("hospital no. four seven one one nine one three"), "hospital no. 4711913");
        assert_eq!(read("the twenty-first of May two thousand and five"), "the 21th of May 2005");
        assert_eq!(read("Zelda Madeup, M R N 4 7 1 1 9 1 3"), "Zelda Madeup, MRN4711913");
        assert_eq!(read("Madeup O3.O2.l97l"), "Madeup 03.02.1971");
        assert_eq!(read("Madeup 3.II.1971"), "Madeup 3.2.1971");
        assert_eq!(read("CT 3 II 71, axial"), "CT 3.2.71, axial");
        // What is no number stays as it is.
        for plain in [
            "AXIAL 5MM",
            "T1 FLAIR one series",
            "IOL",
            "C 1 2",
            "Lt knee",
            "HEAD/NECK",
            "Oil",
            "Grade II lesion 12 mm",
            "Type 2 IIa 3",
        ] {
            assert_eq!(read(plain), plain);
        }
    }
}
