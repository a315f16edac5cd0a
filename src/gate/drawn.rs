//! Letters drawn with characters (a banner of `#`s, ASCII art): a person reads the letters the
//! characters draw, not the characters, and so does no text rule. A block of text that draws is
//! drawn here as a picture, each character as the mark it leaves in a monospaced font (a block,
//! or the stroke of `|`, `_`, `/`, …), and read by OCR like a frame, every way up.
//!
//! The text values of a data set are read as a viewer shows them, one under another: a drawing
//! split across the items of a structured report is one drawing. A value with no line ends at
//! all is wrapped where its marks line up (as a window wraps it).

use crate::ocr::{Frame, Gray};

/// Lines a block of drawn text spans at least (a letter is five to seven lines of a banner).
const MIN_LINES: usize = 3;
/// Characters a drawn line marks at least.
const MIN_INK: usize = 3;
/// Blocks drawn at most, per data set.
pub const MOST: usize = 8;
/// Lines and columns drawn at most (a value of 64 KiB of art is at most so many).
const MOST_LINES: usize = 400;
const MOST_COLUMNS: usize = 1000;
/// The narrowest and widest a window wraps a value with no line ends at, in characters; and
/// the longest such value looked at (so many lines of the widest).
const WRAP_WIDTHS: std::ops::RangeInclusive<usize> = 16..=400;
const MOST_WRAPPED: usize = 32 << 10;
/// One character's cell, in pixels: as a monospaced font shows it (twice as tall as it is
/// wide), and square (as art made from an image's pixels, a character a pixel, was drawn).
const CELL_W: usize = 3;
const CELL_HEIGHTS: [usize; 2] = [6, 3];
/// White round the drawing.
const MARGIN: usize = 24;

/// A block of lines of text that draws, as characters on a grid (tabs expanded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Art {
    lines: Vec<Vec<char>>,
    /// The values its lines come from (one, or the items a drawing was split across).
    values: usize,
}

/// True when a line draws rather than says: it marks at least [`MIN_INK`] characters, and either
/// one character makes most of its marks (`#`, `*`, `X`, `-`) or symbols make nearly all of them
/// (`|`, `_`, `/`, `\`, box drawing); words are neither.
fn draws(line: &[char]) -> bool {
    let ink: Vec<char> = line.iter().copied().filter(|c| !c.is_whitespace()).collect();
    if ink.len() < MIN_INK {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for &c in &ink {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let most = counts.into_values().max().unwrap_or(0);
    let symbols = ink.iter().filter(|c| !c.is_alphanumeric()).count();
    most * 10 >= ink.len() * 6 || symbols * 10 >= ink.len() * 8
}

/// Runs of marks on a line, apart from one another.
fn runs(line: &[char]) -> usize {
    let mut n = 0;
    let mut inked = false;
    for c in line {
        let now = !c.is_whitespace();
        n += usize::from(now && !inked);
        inked = now;
    }
    n
}

/// What ends a line where a reader shows the text (Python's `splitlines` ends one at each): CR,
/// LF, vertical tab, form feed, the file, group and record separators, NEL and Unicode's line
/// and paragraph separators; and NUL, where a reader that stops at it shows the rest as lines
/// of their own or not at all.
pub const LINE_ENDS: &[char] =
    &['\r', '\n', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\u{85}', '\u{2028}', '\u{2029}', '\0'];

/// True when a value may draw: text with lines (two line ends or value separators at least,
/// and no control characters but those, tabs and escapes: binary values, and a data set read in
/// the wrong encoding, hold line ends by chance), or one long line that draws, which a window
/// wraps. In UTF-8, NEL and Unicode's separators end in 0x85, 0xA8 and 0xA9; NUL counts as a
/// line end in text that is not mostly NULs.
pub fn may_draw(value: &[u8]) -> bool {
    if value.len() > 1 << 16 {
        return false;
    }
    let ends = |b: u8| matches!(b, 0x0a..=0x0d | 0x1c..=0x1e | b'\\' | 0x85 | 0xa8 | 0xa9);
    if !value.iter().all(|&b| b >= 0x20 || ends(b) || matches!(b, b'\t' | 0x1b | 0)) {
        return false;
    }
    let nuls = value.iter().filter(|&&b| b == 0).count();
    let nul_ends = nuls * 8 < value.len();
    let breaks = value.iter().filter(|&&b| ends(b) || (b == 0 && nul_ends)).nth(1).is_some();
    breaks
        || (nuls == 0
            && value.len() >= 3 * WRAP_WIDTHS.start()
            && draws(&cells(&String::from_utf8_lossy(value))))
}

/// A line's characters as cells on a grid: tabs expanded to eights, control characters blank.
fn cells(line: &str) -> Vec<char> {
    let mut cells = Vec::new();
    for c in line.chars() {
        match c {
            '\t' => cells.resize((cells.len() / 8 + 1) * 8, ' '),
            c if c.is_control() => cells.push(' '),
            c => cells.push(c),
        }
    }
    cells
}

/// The lines of a value: ended at [`LINE_ENDS`]; in text with none, at a value separator `\`
/// (where a backslash is a stroke otherwise); in text with neither, where a window
/// [`wrapped`] it.
fn lines_of(value: &[u8]) -> Vec<Vec<char>> {
    let text = String::from_utf8_lossy(value).replace("\r\n", "\n");
    let text = text.trim_end_matches('\0');
    if text.contains(LINE_ENDS) {
        text.split(LINE_ENDS).map(cells).collect()
    } else if text.contains('\\') {
        text.split('\\').map(cells).collect()
    } else {
        wrapped(cells(text))
    }
}

/// One long line cut into lines where its marks line up best: at the width at which a mark's
/// character most often has a mark under it (letters' strokes run down), well above what marks
/// spread at random would show. The line as it is where none stands out.
fn wrapped(line: Vec<char>) -> Vec<Vec<char>> {
    let n = line.len();
    if n < 3 * WRAP_WIDTHS.start() || n > MOST_WRAPPED || !draws(&line) {
        return vec![line];
    }
    let ink: Vec<bool> = line.iter().map(|c| !c.is_whitespace()).collect();
    let density = ink.iter().filter(|&&b| b).count() as f64 / n as f64;
    // Of the marks that have a character `w` on, the share that have a mark there.
    let under = |w: usize| {
        let (mut marks, mut both) = (0usize, 0usize);
        for i in 0..n - w {
            if ink[i] {
                marks += 1;
                both += usize::from(ink[i + w]);
            }
        }
        both as f64 / marks.max(1) as f64
    };
    let widths = *WRAP_WIDTHS.start()..=(*WRAP_WIDTHS.end()).min(n / MIN_LINES);
    let scores: Vec<f64> = widths.clone().map(under).collect();
    let best = scores.iter().copied().fold(0.0, f64::max);
    if best < density + 0.25 {
        return vec![line];
    }
    // The first width near the best (a multiple of the width lines up too), at its own peak.
    let Some(mut i) = scores.iter().position(|&s| s >= best * 0.9) else { return vec![line] };
    while i + 1 < scores.len() && scores[i + 1] > scores[i] {
        i += 1;
    }
    line.chunks(widths.start() + i).map(<[char]>::to_vec).collect()
}

/// The text values of a data set, read one after another: the blocks among them that draw (at
/// least [`MIN_LINES`] drawing lines in a row, two of them with marks apart: a letter's strokes,
/// not a rule of dashes), each with what marks the value it begins in (its tag).
#[derive(Clone, Debug)]
pub struct Page<T> {
    done: Vec<(T, Art)>,
    /// The block being read, the value it began in, and the values it has lines from.
    block: Vec<Vec<char>>,
    first: Option<T>,
    values: usize,
}

impl<T: Copy> Default for Page<T> {
    fn default() -> Self {
        Page { done: Vec::new(), block: Vec::new(), first: None, values: 0 }
    }
}

impl<T: Copy> Page<T> {
    /// Reads one more value (one [`may_draw`] said may), from the element `from`.
    pub fn add(&mut self, from: T, value: &[u8]) {
        if self.done.len() >= MOST {
            return;
        }
        let mut fresh = true;
        for line in lines_of(value) {
            if draws(&line) {
                if self.block.is_empty() {
                    (self.first, self.values, fresh) = (Some(from), 1, false);
                } else if std::mem::take(&mut fresh) {
                    self.values += 1;
                }
                let mut line = line;
                line.truncate(MOST_COLUMNS);
                if self.block.len() < MOST_LINES {
                    self.block.push(line);
                }
            } else if line.iter().filter(|c| !c.is_whitespace()).count() < MIN_INK {
                // A blank line inside a drawing is a blank row of it; a line of a mark or two, a
                // letter's foot (a banner written downwards has many).
                if !self.block.is_empty() && self.block.len() < MOST_LINES {
                    self.block.push(if line.iter().all(|c| c.is_whitespace()) { Vec::new() } else { line });
                }
            } else {
                self.finish();
            }
        }
    }

    fn finish(&mut self) {
        if let Some(art) = self.ended() {
            self.done.push(art);
        }
        self.block.clear();
    }

    /// The block being read as a drawing, if it is one.
    fn ended(&self) -> Option<(T, Art)> {
        let mut lines = self.block.clone();
        while lines.last().is_some_and(Vec::is_empty) {
            lines.pop();
        }
        let drawing = lines.iter().filter(|l| draws(l)).count();
        let apart = lines.iter().filter(|l| runs(l) >= 2).count();
        let first = self.first.filter(|_| drawing >= MIN_LINES && apart >= 2 && self.done.len() < MOST)?;
        Some((first, Art { lines, values: self.values }))
    }

    /// The drawings read so far, the one being read included.
    pub fn drawings(&self) -> Vec<(T, Art)> {
        self.done.iter().cloned().chain(self.ended()).collect()
    }
}

/// The blocks of one value that draw.
pub fn art(text: &[u8]) -> Vec<Art> {
    let mut page = Page::default();
    page.add((), text);
    page.drawings().into_iter().map(|(_, a)| a).collect()
}

impl Art {
    /// The drawing black on white, one cell per character, once in each shape of cell
    /// ([`CELL_HEIGHTS`]): frames 0 and 1.
    pub fn frames(&self) -> Vec<(u32, Frame)> {
        let columns = self.lines.iter().map(Vec::len).max().unwrap_or(0);
        let w = columns * CELL_W + 2 * MARGIN;
        let drawn = |cell_h: usize| {
            let h = self.lines.len() * cell_h + 2 * MARGIN;
            let mut pixels = vec![255u8; w * h];
            for (row, line) in self.lines.iter().enumerate() {
                for (column, &c) in line.iter().enumerate() {
                    let (x0, y0) = (MARGIN + column * CELL_W, MARGIN + row * cell_h);
                    for (x, y) in marks(c, cell_h) {
                        pixels[(y0 + y) * w + x0 + x] = 0;
                    }
                }
            }
            Frame { gray: Gray::new(w as u32, h as u32, pixels), chroma: None, hue: None }
        };
        CELL_HEIGHTS.iter().enumerate().map(|(i, &cell_h)| (i as u32, drawn(cell_h))).collect()
    }
}

impl Art {
    /// Where a box `height` pixels tall `y` pixels down drawing `frame` ([`Art::frames`])
    /// stands in the text: the lines of the block it covers (counted from the block's first).
    pub fn where_drawn(&self, frame: u32, y: u32, height: u32) -> String {
        let cell_h = CELL_HEIGHTS[frame as usize % CELL_HEIGHTS.len()];
        let line = |y: usize| y.saturating_sub(MARGIN) / cell_h + 1;
        let (first, last) = (line(y as usize), line((y + height.max(1) - 1) as usize).min(self.lines.len()));
        let across = match self.values {
            0 | 1 => String::new(),
            n => format!(", drawn across {n} values from this one on"),
        };
        format!("lines {first}-{last} of a drawing {} lines tall{across}", self.lines.len())
    }
}

/// The pixels of a cell a character marks: the strokes of those that draw lines, the whole cell
/// for the rest (a `#`, a letter, a block).
fn marks(c: char, cell_h: usize) -> Vec<(usize, usize)> {
    let all = (0..cell_h).flat_map(|y| (0..CELL_W).map(move |x| (x, y)));
    let (mid_x, mid_y) = (CELL_W / 2, cell_h / 2);
    let stroke = |f: &dyn Fn(usize, usize) -> bool| all.clone().filter(|&(x, y)| f(x, y)).collect();
    // A diagonal across the cell, rising (`/`) or falling (`\`), two pixels wide.
    let diagonal = |rising: bool, x: usize, y: usize| {
        let along = if rising { (cell_h - 1 - y) * CELL_W / cell_h } else { y * CELL_W / cell_h };
        x.abs_diff(along) <= 1
    };
    match c {
        c if c.is_whitespace() => Vec::new(),
        '|' | '!' | '¦' => stroke(&|x, _| x.abs_diff(mid_x) <= 1),
        '_' => stroke(&|_, y| y >= cell_h - 2),
        '-' | '~' | '─' => stroke(&|_, y| y.abs_diff(mid_y) <= 1),
        '=' => stroke(&|_, y| y + 2 == mid_y || y == mid_y + 2),
        '/' => stroke(&|x, y| diagonal(true, x, y)),
        '\\' => stroke(&|x, y| diagonal(false, x, y)),
        '.' | ',' => stroke(&|x, y| y + 3 >= cell_h && x.abs_diff(mid_x) <= 1),
        '\'' | '`' => stroke(&|x, y| y <= 2 && x.abs_diff(mid_x) <= 1),
        _ => all.collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BANNER: &str = concat!(
        " #   #    #    ###\n",
        " ## ##   # #   #  #\n",
        " # # #  #   #  #  #\n",
        " #   #  #####  #  #\n",
        " #   #  #   #  ###",
    );

    #[test]
    fn a_banner_of_characters_is_art_and_words_and_rules_are_not() {
        let found = art(BANNER.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].lines.len(), 5);
        // Lines ended by CR LF, by any other line end a reader honours, or by value
        // separators, draw the same.
        for end in ["\r\n", "\x0c", "\x0b", "\x1e", "\u{2028}", "\u{85}", "\0", "\\"] {
            assert_eq!(art(BANNER.replace('\n', end).as_bytes()), found, "{end:?}");
        }
        // Words, a table's rules, and two drawn lines alone are not.
        for text in [
            "Liver lesion 12 mm\nsegment VI\nfollow up in 3 months",
            "----------\n==========\n----------",
            "#   #\n## ##",
            "Protocol: Acute Stroke\r\nSlices 10-20-30 mm\r\nKernel B30f",
        ] {
            assert!(art(text.as_bytes()).is_empty(), "{text:?}");
        }
        // Strokes draw too (a FIGlet font): symbols make the marks.
        let strokes = " __  __\n|  \\/  |\n| |\\/| |\n|_|  |_|";
        assert_eq!(art(strokes.as_bytes()).len(), 1);
    }

    #[test]
    fn a_drawing_split_across_values_is_one_drawing() {
        let lines: Vec<&str> = BANNER.lines().collect();
        let mut page = Page::default();
        page.add(1, lines[..3].join("\n").as_bytes());
        page.add(2, lines[3..].join("\n").as_bytes());
        let drawings = page.drawings();
        assert_eq!(drawings.len(), 1);
        let (from, drawn) = &drawings[0];
        assert_eq!((*from, drawn.lines.len(), drawn.values), (1, 5, 2));
        assert!(drawn.where_drawn(0, MARGIN as u32, 6).ends_with("across 2 values from this one on"));
        // Words between them end a drawing: two halves are two drawings too short to be any.
        let mut page = Page::default();
        page.add(1, lines[..2].join("\n").as_bytes());
        page.add(2, b"Liver lesion 12 mm\nsegment VI");
        page.add(3, lines[3..].join("\n").as_bytes());
        assert!(page.drawings().is_empty());
    }

    #[test]
    fn a_banner_written_downwards_keeps_the_lines_of_a_mark_or_two() {
        // Each column of the banner a line, top to bottom: a letter's foot is a mark or two.
        let rows: Vec<Vec<char>> = BANNER.lines().map(|l| format!("{l:<19}").chars().collect()).collect();
        let turned: Vec<String> =
            (0..19).map(|x| rows.iter().rev().map(|r| r[x]).collect::<String>()).collect();
        let found = art(turned.join("\n").as_bytes());
        assert_eq!(found.len(), 1, "{turned:?}");
        // From the M's first stroke (column 1) to the D's last (column 18).
        assert_eq!(found[0].lines.len(), 18, "{turned:?}");
    }

    #[test]
    fn a_value_with_no_line_ends_is_wrapped_where_its_marks_line_up() {
        let padded: Vec<String> = BANNER.lines().map(|l| format!("{l:<23}")).collect();
        let found = art(padded.concat().as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].lines.len(), 5);
        assert!(found[0].lines.iter().all(|l| l.len() == 23));
        assert!(may_draw(padded.concat().as_bytes()));
        // Marks at random, and words, are left as one line.
        let words = "Liver lesion in segment VI, 12 mm, follow up in three months ".repeat(3);
        assert!(!may_draw(words.as_bytes()));
        assert_eq!(wrapped(words.chars().collect()).len(), 1);
        let mut noise = 7u32;
        let random: Vec<char> = (0..600)
            .map(|_| {
                noise = noise.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                if noise >> 16 & 1 == 1 { '#' } else { ' ' }
            })
            .collect();
        assert_eq!(wrapped(random).len(), 1);
    }

    #[test]
    fn a_drawing_marks_a_cell_per_character() {
        let found = art(BANNER.as_bytes());
        for (i, frame) in found[0].frames() {
            let cell_h = CELL_HEIGHTS[i as usize];
            let (w, h) = (frame.gray.width as usize, frame.gray.height as usize);
            assert_eq!(w, 19 * CELL_W + 2 * MARGIN);
            assert_eq!(h, 5 * cell_h + 2 * MARGIN);
            let at = |column: usize, row: usize| {
                frame.gray.pixels
                    [(MARGIN + row * cell_h + cell_h / 2) * w + MARGIN + column * CELL_W + CELL_W / 2]
            };
            assert_eq!(at(1, 0), 0, "a # is a block");
            assert_eq!(at(2, 0), 255, "a space is white");
            assert_eq!(
                frame.gray.pixels[..MARGIN * w].iter().filter(|&&p| p == 0).count(),
                0,
                "the margin is white"
            );
            assert_eq!(
                found[0].where_drawn(i, (MARGIN + cell_h) as u32, cell_h as u32 * 2),
                "lines 2-3 of a drawing 5 lines tall"
            );
        }
    }
}
