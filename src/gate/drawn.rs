//! Letters drawn with characters (a banner of `#`s, ASCII art): a person reads the letters the
//! characters draw, not the characters, and so does no text rule. A block of text that draws is
//! drawn here as a picture, each character as the mark it leaves in a monospaced font (a block,
//! or the stroke of `|`, `_`, `/`, …), and read by OCR like a frame.

use crate::ocr::{Frame, Gray};

/// Lines a block of drawn text spans at least (a letter is five to seven lines of a banner).
const MIN_LINES: usize = 3;
/// Characters a drawn line marks at least.
const MIN_INK: usize = 3;
/// Blocks drawn at most, per value and per data set.
pub const MOST: usize = 8;
/// Lines and columns drawn at most (a value of 64 KiB of art is at most so many).
const MOST_LINES: usize = 400;
const MOST_COLUMNS: usize = 1000;
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
/// and paragraph separators.
pub const LINE_ENDS: &[char] =
    &['\r', '\n', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\u{85}', '\u{2028}', '\u{2029}'];

/// The blocks of `text` that draw: at least [`MIN_LINES`] drawing lines in a row (lines end at
/// [`LINE_ENDS`]; in text with none, at a value separator `\`, where a backslash is a stroke
/// otherwise), two of them with marks apart (a letter's strokes, not a rule of dashes).
pub fn art(text: &[u8]) -> Vec<Art> {
    let text = String::from_utf8_lossy(text).replace("\r\n", "\n");
    let ends: &[char] = if text.contains(LINE_ENDS) { LINE_ENDS } else { &['\\'] };
    let mut out = Vec::new();
    let mut block: Vec<Vec<char>> = Vec::new();
    let mut finish = |block: &mut Vec<Vec<char>>| {
        let mut drawn = std::mem::take(block);
        while drawn.last().is_some_and(Vec::is_empty) {
            drawn.pop();
        }
        let drawing = drawn.iter().filter(|l| !l.is_empty()).count();
        if drawing >= MIN_LINES && drawn.iter().filter(|l| runs(l) >= 2).count() >= 2 && out.len() < MOST {
            out.push(Art { lines: drawn });
        }
    };
    for line in text.split(ends) {
        let mut cells = Vec::new();
        for c in line.chars() {
            match c {
                '\t' => cells.resize((cells.len() / 8 + 1) * 8, ' '),
                c if c.is_control() => cells.push(' '),
                c => cells.push(c),
            }
        }
        if draws(&cells) {
            cells.truncate(MOST_COLUMNS);
            if block.len() < MOST_LINES {
                block.push(cells);
            }
        } else if cells.iter().all(|c| c.is_whitespace()) {
            // A blank line inside a drawing is a blank row of it.
            if !block.is_empty() && block.len() < MOST_LINES {
                block.push(Vec::new());
            }
        } else {
            finish(&mut block);
        }
    }
    finish(&mut block);
    out
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
        format!("lines {first}-{last} of a drawing {} lines tall", self.lines.len())
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
        for end in ["\r\n", "\x0c", "\x0b", "\x1e", "\u{2028}", "\u{85}", "\\"] {
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
