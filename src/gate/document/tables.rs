//! Tables in a document's text: a header that labels its columns and the rows under it
//! (CSV, TSV, bars, fixed widths), and a table written a cell to a line.

use super::fields;
use super::words;

/// A table's cells under the columns its header labels as identity, each as `header: cell`
/// with its line. A header is a line whose cells (split by commas, semicolons, tabs, bars, or
/// runs of spaces in a table of fixed widths) name an identity; the rows after it are its rows
/// until the next header. A column headed `name` alone counts only beside another identity
/// column (a case list names its cases).
pub(super) fn table(lines: &[&str], hold: &[bool], record: bool) -> Vec<(usize, String)> {
    struct Header {
        sep: Option<char>,
        /// Each column's label (as words) and whether it is a loose one, where it has one.
        columns: Vec<Option<(String, bool)>>,
        firm: bool,
    }
    // A column's header as a label: the whole of it, or an identifier's last words
    // (`Pat_Surname`, `patient.dob`). A header of words is a label whole: a sentence that ends
    // in `full name` or `given name` heads no column.
    let label = |cell: &str| {
        if cell.len() > 64 {
            return None;
        }
        if let Some((_, loose)) = fields::column(cell) {
            return Some((cell.to_string(), loose));
        }
        let spaced = words(&cell.replace(['.', '-'], " "));
        let identifier = !cell.trim().contains(char::is_whitespace);
        (identifier && fields::may_hold(&spaced))
            .then(|| fields::key(&spaced, record))
            .flatten()
            .map(|(l, _)| (l, false))
    };
    let header = |line: &str| {
        [Some(','), Some(';'), Some('\t'), Some('|'), None].into_iter().find_map(|sep| {
            let cells = cells(line, sep);
            if cells.iter().filter(|c| !c.is_empty()).count() < 2 {
                return None;
            }
            let columns: Vec<Option<(String, bool)>> = cells.iter().map(|c| label(c)).collect();
            let firm = columns.iter().flatten().any(|(_, loose)| !loose);
            // Columns of fixed width: two labels at least (one word of prose can stand alone).
            let least = if sep.is_none() { 2 } else { 1 };
            (columns.iter().flatten().count() >= least).then_some(Header { sep, columns, firm })
        })
    };
    let mut out = Vec::new();
    let mut current: Option<Header> = None;
    for (n, line) in lines.iter().enumerate() {
        let blank = line.trim().is_empty();
        if hold[n]
            && let Some(h) = header(line)
        {
            current = Some(h);
            continue;
        }
        let Some(h) = &current else { continue };
        // A table's rows follow its header: a data file's each hold its separator (blank
        // lines between them are skipped, as a spreadsheet skips them); a table drawn in text
        // (fixed widths, bars) ends at a blank line or a line of one cell.
        let cells = cells(line, h.sep);
        let row = match h.sep {
            Some(sep @ (',' | ';' | '\t')) => line.contains(sep),
            _ => cells.iter().filter(|c| !c.is_empty()).count() >= 2,
        };
        if !row {
            if !blank || !matches!(h.sep, Some(',' | ';' | '\t')) {
                current = None;
            }
            continue;
        }
        for (i, cell) in cells.into_iter().enumerate() {
            if let Some(Some((label, loose))) = h.columns.get(i)
                && (h.firm || !loose)
            {
                out.push((n, format!("{label}: {cell}")));
            }
        }
    }
    out
}

/// A table written a cell to a line (a spreadsheet's strings, a slide's or a PDF's table, a
/// generic XML table): a run of lines that are each a label, then as many lines of values, read
/// pairwise (`Patient`, `DOB`, `Zelda Madeup`, `1971-02-03`), each with the value's line.
pub(super) fn header_runs(lines: &[&str], hold: &[bool]) -> Vec<(usize, String)> {
    let cells: Vec<(usize, &str, bool)> = lines
        .iter()
        .enumerate()
        .map(|(n, l)| (n, l.trim(), hold[n]))
        .filter(|(_, l, _)| !l.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cells.len() {
        let run = cells[i..].iter().take_while(|(_, l, hold)| *hold && fields::column(l).is_some()).count();
        if run < 2 {
            i += 1;
            continue;
        }
        let firm =
            cells[i..i + run].iter().any(|(_, l, _)| fields::column(l).is_some_and(|(_, loose)| !loose));
        for k in 0..run {
            let (label, value) = (cells[i + k].1, cells.get(i + run + k));
            if let Some((n, value, _)) = value
                && (firm || fields::column(label).is_some_and(|(_, loose)| !loose))
            {
                out.push((*n, format!("{}: {value}", label.trim_end_matches(':'))));
            }
        }
        i += run;
    }
    out
}

/// A line's cells: split at `sep` outside double quotes (None: at runs of two spaces or more),
/// the quotes taken off.
fn cells(line: &str, sep: Option<char>) -> Vec<String> {
    let Some(sep) = sep else {
        return line.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect();
    };
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(String::new()),
            c => out.last_mut().expect("one cell at least").push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}
