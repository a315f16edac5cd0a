//! The NHS number: ten digits, the last a modulus-11 check digit of the nine before it.

/// Whether `line` holds an NHS number written as the NHS writes it, unlabelled: three digits,
/// three and four, split by one and the same mark (a space, a no-break or thin space, an en
/// dash, a slash), whose check digit (modulus 11) holds. One number of ten digits in eleven holds by
/// chance, so only this form is read (a telephone number is grouped otherwise in the UK, or
/// follows its country code; North America's `608-262-6966` and `608.262.6966` are why a hyphen
/// and a dot do not count).
pub fn nhs_number(line: &str) -> bool {
    if !line.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let chars: Vec<char> = line.chars().collect();
    let mark = |c: char| matches!(c, ' ' | '\u{A0}' | '\u{2009}' | '\u{202F}' | '\u{2013}' | '/');
    (0..chars.len().saturating_sub(11)).any(|i| {
        let number = &chars[i..i + 12];
        let form = number.iter().enumerate().all(|(k, &c)| match k {
            3 | 7 => mark(c) && c == number[3],
            _ => c.is_ascii_digit(),
        });
        if !form {
            return false;
        }
        let before: String = chars[..i].iter().collect();
        let before = before.trim_end();
        let after = &chars[i + 12..];
        // Part of a longer number, a word, or one after a country code.
        let longer = (i > 0 && chars[i - 1].is_alphanumeric())
            || before.ends_with(|c: char| c.is_ascii_digit() || c == '+')
            || after.first().is_some_and(|c| c.is_alphanumeric())
            || (after.first().is_some_and(|&c| mark(c)) && after.get(1).is_some_and(char::is_ascii_digit));
        let digits: Vec<u32> = number.iter().filter_map(|c| c.to_digit(10)).collect();
        !longer && check_digit_holds(&digits)
    })
}

/// Whether `value` is ten digits (and spaces) whose check digit holds as an NHS number's: where
/// a value is a number already (a site's code), its grouping says nothing.
pub fn nhs_digits(value: &[u8]) -> bool {
    let value = value.trim_ascii();
    let digits: Vec<u32> =
        value.iter().filter(|b| **b != b' ').map(|b| u32::from(b.wrapping_sub(b'0'))).collect();
    digits.len() == 10 && digits.iter().all(|d| *d < 10) && check_digit_holds(&digits)
}

/// Whether the tenth of an NHS number's digits is the check digit of the nine before it.
fn check_digit_holds(digits: &[u32]) -> bool {
    let sum: u32 = digits[..9].iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => digits[9] == 0,
        10 => false,
        check => digits[9] == check,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_nhs_number_is_read_where_its_check_digit_holds() {
        assert!(nhs_number("943 476 5919"));
        assert!(nhs_digits(b"9434765919") && nhs_digits(b"943 476 5919 ") && !nhs_digits(b"9434765918"));
        assert!(nhs_number("Liver lesion, 943 476 5919."));
        assert!(nhs_number("943\u{A0}476\u{A0}5919") && nhs_number("943\u{2013}476\u{2013}5919"));
        assert!(nhs_number("943/476/5919"));
        // The check digit fails, a country code leads, a longer number, another grouping.
        for line in [
            "943 476 5918",
            "+44 943 476 5919",
            "1 943 476 5919",
            "943 476 5919 2",
            "9434765919",
            "94 3476 5919",
            "943-476-5919",
            "Phone: 608-262-6966",
        ] {
            assert!(!nhs_number(line), "{line}");
        }
    }
}
