//! A label of labels (`Age/DOB:`, `Pt Name/ID:`), read label by label.

use super::{Field, column, plain};

/// The fields of a label of labels (`Age/DOB:`, `Name/MRN:`, as an ultrasound's or a form's
/// header writes them): each label with its own value where the values are split as the labels
/// are (`Zelda Madeup / 4711913`), else with the value from each of its words on (`Sex/DOB: F
/// 03/02/1971`).
pub(super) fn compound(line: &str) -> Vec<Field> {
    let Some((head, value)) = line.split_once(':') else { return Vec::new() };
    if !head.contains('/') || head.len() > 80 {
        return Vec::new();
    }
    let mut labels: Vec<String> = head.split('/').map(|p| p.trim().to_string()).collect();
    // The first label is the last words before the slash (`Patient Name/ID`, `Seen: Age/DOB`).
    let first: Vec<String> = labels[0].split_whitespace().map(str::to_string).collect();
    // `Patient Name/ID`: the ID is the patient's.
    let patient = first.first().is_some_and(|w| ["pt", "patient"].iter().any(|p| w.eq_ignore_ascii_case(p)));
    labels[0] = match first.len() {
        0 => return Vec::new(),
        1 => first[0].to_string(),
        n if column(&first[n - 2..].join(" ")).is_some() => first[n - 2..].join(" "),
        n => first[n - 1].to_string(),
    };
    for l in labels.iter_mut().skip(1) {
        if patient && matches!(l.to_ascii_lowercase().as_str(), "id" | "no" | "number") {
            *l = format!("Patient {l}");
        }
    }
    let short = |l: &String| {
        l.len() <= 24
            && l.split_whitespace().count() <= 3
            && l.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '.'))
    };
    if !labels.iter().all(short) || !labels.iter().any(|l| column(l).is_some()) {
        return Vec::new();
    }
    let split = [" / ", "/", " - ", ";", ","].iter().find_map(|sep| {
        let values: Vec<&str> = value.split(sep).collect();
        (values.len() == labels.len()).then_some(values)
    });
    let mut found = Vec::new();
    let mut note = |text: String| {
        for field in plain(&text) {
            if !found.contains(&field) {
                found.push(field);
            }
        }
    };
    match split {
        Some(values) => labels.iter().zip(values).for_each(|(l, v)| note(format!("{l}: {}", v.trim()))),
        None => {
            let starts = value.match_indices(' ').map(|(at, _)| at).take(6);
            for at in std::iter::once(0).chain(starts) {
                labels.iter().for_each(|l| note(format!("{l}: {}", value[at..].trim())));
            }
        }
    }
    found
}
