//! A second look: the lines a first reading left half read (`Hosp Noi1E 33362`, `NotrealASage`,
//! `863 O18 2: 475`), cut out of the rendering that read them, enlarged, and read again as lines
//! of text. Tesseract reads small text better three times larger and alone than in a whole frame
//! of speckle, where it also takes the picture for words; enlarging the whole frame instead read
//! less and cost six times as much (README, "Burned-in text").
//!
//! The cut-outs of one frame are stacked on one sheet (a column of lines with white between), so
//! that the engine starts once a sheet, not once a line.

use super::{Box2, Gray, Line, Word};

/// How much a cut-out is enlarged.
pub const SCALE: u32 = 3;
/// White between the cut-outs of a sheet, and round them, in the sheet's pixels.
pub const GAP: u32 = 30;
/// A sheet is at most this tall (a new one begins past it), so that no one read is long.
const SHEET_HEIGHT: u32 = 4000;
/// At most this many lines of one frame are looked at again (a frame of speckle reads as
/// hundreds of two-letter "words"; those are not worth a look, and a bound keeps the cost in
/// hand whatever the frame).
pub const MOST: usize = 120;
/// The tallest and widest line looked at again, in the rendering's pixels (the frame's, unless
/// it was enlarged): the set's text is 9 to 26 pixels tall, its longest line 530 wide. With
/// [`MOST`] they bound a frame's sheets to about 70 MB.
pub const TALLEST: u32 = 32;
pub const WIDEST: u32 = 1000;
/// A cut-out whose levels span at least this many is stretched to the full range.
const STRETCH_FROM: u32 = 16;
/// Words read on a sheet with less confidence than this (0–100) are dropped: enlarged, speckle
/// reads as words too. Measured on the synthetic set: the two clean images a second look made
/// refused were read at 0 to 35; the items it found, at 71 to 80.
const SURE: f32 = 50.0;

/// A sheet of cut-outs and where each came from.
pub struct Sheet {
    pub image: Gray,
    /// (top in the sheet, height in the sheet, left in the sheet, the cut-out's box in the frame).
    places: Vec<(u32, u32, u32, Box2)>,
}

/// True when a line read is worth a second look: a word of three letters or digits or more, one
/// of them a capital or a digit (what names, dates and numbers hold; the speckle's "words" are
/// mostly short and lower-case), in a line no taller than [`TALLEST`] and no wider than
/// [`WIDEST`] (larger text was read well the first time, and a bound on the cut-outs bounds the
/// memory a hostile frame can make a second look take).
pub fn worth(line: &Line) -> bool {
    let area = line.area();
    if area.height > TALLEST || area.width > WIDEST {
        return false;
    }
    line.words.iter().any(|w| {
        let alnum = w.text.chars().filter(|c| c.is_alphanumeric()).count();
        alnum >= 3 && w.text.chars().any(|c| c.is_uppercase() || c.is_ascii_digit())
    })
}

/// The sheets that hold `areas` (boxes in `image`, each grown by half its height), cut out of
/// `image`, each stretched to the full range of levels, turned dark on light where its own
/// ground is dark, and enlarged [`SCALE`] times.
pub fn sheets(image: &Gray, areas: &[Box2]) -> Vec<Sheet> {
    let mut out: Vec<Sheet> = Vec::new();
    let mut cuts: Vec<(Gray, Box2)> = Vec::new();
    for &a in areas {
        let margin = (a.height / 2).max(3);
        let b = a.grown(margin, image.width, image.height);
        if b.width == 0 || b.height == 0 {
            continue;
        }
        let mut pixels = Vec::with_capacity((b.width * b.height) as usize);
        for y in b.y..b.y + b.height {
            let row = (y * image.width + b.x) as usize;
            pixels.extend_from_slice(&image.pixels[row..row + b.width as usize]);
        }
        let mut sorted = pixels.clone();
        sorted.sort_unstable();
        let dark = sorted[sorted.len() / 2] < 128;
        // Its levels stretched to the full range (the 2nd and 98th hundredths to black and
        // white): faint text on a plain ground comes out black on white.
        let (low, high) = (sorted[sorted.len() / 50], sorted[sorted.len() - 1 - sorted.len() / 50]);
        let span = u32::from(high.saturating_sub(low));
        for p in &mut pixels {
            if span >= STRETCH_FROM {
                *p = (u32::from((*p).clamp(low, high) - low) * 255 / span) as u8;
            }
            if dark {
                *p = 255 - *p;
            }
        }
        let cut = super::prepare::enlarge(&Gray::new(b.width, b.height, pixels), SCALE);
        cuts.push((cut, b));
    }
    let mut start = 0;
    while start < cuts.len() {
        let mut end = start;
        let mut height = GAP;
        while end < cuts.len() && (end == start || height + cuts[end].0.height + GAP <= SHEET_HEIGHT) {
            height += cuts[end].0.height + GAP;
            end += 1;
        }
        let width = cuts[start..end].iter().map(|(c, _)| c.width).max().unwrap_or(0) + 2 * GAP;
        let mut pixels = vec![255u8; (width * height) as usize];
        let mut places = Vec::new();
        let mut top = GAP;
        for (cut, from) in &cuts[start..end] {
            for y in 0..cut.height {
                let to = ((top + y) * width + GAP) as usize;
                let row = (y * cut.width) as usize;
                pixels[to..to + cut.width as usize]
                    .copy_from_slice(&cut.pixels[row..row + cut.width as usize]);
            }
            places.push((top, cut.height, GAP, *from));
            top += cut.height + GAP;
        }
        out.push(Sheet { image: Gray::new(width, height, pixels), places });
        start = end;
    }
    out
}

impl Sheet {
    /// The words read on the sheet, each moved to its place in the frame (boxes outward, so a
    /// word never loses a pixel it covered); words that stand on no cut-out (their middle row in
    /// none, or wholly beside it), or were read with less confidence than [`SURE`], are dropped.
    pub fn place(&self, lines: Vec<Line>) -> Vec<Word> {
        let mut out = Vec::new();
        for mut w in lines.into_iter().flat_map(|l| l.words).filter(|w| w.confidence >= SURE) {
            let middle = w.area.y.saturating_add(w.area.height / 2);
            let Some(&(top, height, left, from)) =
                self.places.iter().find(|(top, height, _, _)| (*top..top + height).contains(&middle))
            else {
                continue;
            };
            // Beside the cut-out, in the white: no word of it.
            if w.area.x >= left + from.width * SCALE || w.area.x.saturating_add(w.area.width) <= left {
                continue;
            }
            let x = w.area.x.saturating_sub(left);
            let y = w.area.y.saturating_sub(top);
            let width = w.area.width.min((from.width * SCALE).saturating_sub(x));
            let height = w.area.height.min(height.saturating_sub(y));
            let inside = Box2 { x, y, width, height }.shrunk(SCALE);
            w.area = Box2 {
                x: from.x + inside.x.min(from.width),
                y: from.y + inside.y.min(from.height),
                width: inside.width.min(from.width),
                height: inside.height.min(from.height),
            };
            out.push(w);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::tests::word;

    #[test]
    fn capitals_and_digits_are_worth_a_look_and_speckle_is_not() {
        let line = |words: &[&str]| Line { words: words.iter().map(|t| word(t, 0, 0, 9, 9)).collect() };
        assert!(worth(&line(&["Hosp", "Noi1E"])));
        assert!(worth(&line(&["863", "O18"])));
        assert!(!worth(&line(&["oe", "ee"])));
        assert!(!worth(&line(&["aoh", "a"])), "lower-case only");
        assert!(!worth(&line(&["A1"])), "two characters");
        let tall = Line { words: vec![word("Hosp", 0, 0, 40, TALLEST + 1)] };
        assert!(worth(&Line { words: vec![word("Hosp", 0, 0, 40, TALLEST)] }));
        assert!(!worth(&tall), "large text is read well the first time");
    }

    #[test]
    fn cut_outs_are_stacked_enlarged_and_words_read_on_them_come_back_to_their_place() {
        // A dark frame with two light boxes of "text": each cut out, turned dark on light.
        let (w, h) = (200u32, 100u32);
        let mut pixels = vec![0u8; (w * h) as usize];
        for y in 10..20 {
            for x in 50..90 {
                pixels[(y * w + x) as usize] = 255;
            }
        }
        let image = Gray::new(w, h, pixels);
        let a = Box2 { x: 50, y: 10, width: 40, height: 10 };
        let b = Box2 { x: 120, y: 70, width: 30, height: 8 };
        let s = sheets(&image, &[a, b]);
        assert_eq!(s.len(), 1);
        let sheet = &s[0];
        // The first cut-out: `a` grown by 5 (half its height), three times as large.
        let (top, height, left, from) = sheet.places[0];
        assert_eq!(from, Box2 { x: 45, y: 5, width: 50, height: 20 });
        assert_eq!((top, height, left), (GAP, 60, GAP));
        // Its ground was dark: turned light, the text dark.
        let at = |x: u32, y: u32| sheet.image.pixels[(y * sheet.image.width + x) as usize];
        assert_eq!(at(left + 2, top + 2), 255);
        assert_eq!(at(left + 30, top + 30), 0);
        // A word read over the text comes back over `a`; one read on the gap or beside the
        // cut-out is dropped, and so is one read unsure.
        let mut unsure = word("SPECKLE", left + 15, top + 15, 120, 30);
        unsure.confidence = 30.0;
        let beside = word("y", left + 50 * SCALE + 5, top + 15, 20, 30);
        let lines = vec![Line {
            words: vec![word("TEXT", left + 15, top + 15, 120, 30), word("x", 5, 1, 9, 9), unsure, beside],
        }];
        let placed = sheet.place(lines);
        assert_eq!(placed.len(), 1);
        assert!(placed[0].area.overlaps(a), "{:?}", placed[0].area);
        assert_eq!(placed[0].area, Box2 { x: 50, y: 10, width: 40, height: 10 });
    }

    #[test]
    fn faint_text_on_a_plain_ground_is_stretched_black_on_white() {
        // A light ground (200) with a faint stroke (170).
        let (w, h) = (60u32, 20u32);
        let mut pixels = vec![200u8; (w * h) as usize];
        for x in 10..50 {
            pixels[(10 * w + x) as usize] = 170;
        }
        let s = sheets(&Gray::new(w, h, pixels), &[Box2 { x: 10, y: 8, width: 40, height: 4 }]);
        let (top, _, left, from) = s[0].places[0];
        let at = |x: u32, y: u32| {
            let (x, y) = (left + (x - from.x) * SCALE + 1, top + (y - from.y) * SCALE + 1);
            s[0].image.pixels[(y * s[0].image.width + x) as usize]
        };
        assert_eq!((at(30, 10), at(30, 6)), (0, 255), "the stroke black, the ground white");
    }

    #[test]
    fn many_cut_outs_fill_several_sheets_none_taller_than_the_bound() {
        let image = Gray::new(400, 400, vec![255; 160_000]);
        let areas: Vec<Box2> = (0..60).map(|i| Box2 { x: 10, y: i * 6, width: 100, height: 20 }).collect();
        let s = sheets(&image, &areas);
        assert!(s.len() > 1);
        assert!(s.iter().all(|s| s.image.height <= SHEET_HEIGHT));
        assert_eq!(s.iter().map(|s| s.places.len()).sum::<usize>(), 60);
    }
}
