//! Text in pixels: an 8-bit grey image in, the lines of text an OCR engine reads in it out,
//! each with its box. One small interface ([`Reader`]) stands between vault and the engine, so
//! a better engine can replace Tesseract without the gate or the scrub noticing.
//!
//! What OCR needs from an image (dark text on a light ground, text taken out of the picture
//! under it) is done here ([`prepare`]), whatever the engine; boxes come back in the frame's
//! pixels.

pub mod prepare;
pub mod second;
pub mod tesseract;
pub mod tilt;

pub use prepare::{Prepare, View};

/// An 8-bit grey image, rows top to bottom, one byte a pixel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gray {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl Gray {
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Gray {
        assert_eq!(pixels.len(), width as usize * height as usize, "a grey image is width x height bytes");
        Gray { width, height, pixels }
    }
}

/// One frame to read: its grey levels, and for a colour image how far from grey each pixel is
/// (its largest sample less its smallest) and its hue, where coloured text shows that grey
/// hides: yellow over grey, and magenta over a green as bright as it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub gray: Gray,
    pub chroma: Option<Gray>,
    /// Each pixel's hue, [`HUE_FIRST`] to [`HUE_LAST`] round the colour circle from red; 0 for
    /// a pixel too near grey to have one (chroma below [`HUED`]).
    pub hue: Option<Gray>,
}

/// The first and last hue values (a band of levels either side stays inside the 8 bits).
pub const HUE_FIRST: u8 = 8;
pub const HUE_LAST: u8 = 247;
/// How far from grey a pixel must be to have a hue.
pub const HUED: u8 = 40;

/// The hue of one RGB pixel, or 0 when it is too near grey to have one.
fn hue(r: u8, g: u8, b: u8) -> u8 {
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let delta = f32::from(max - min);
    if max - min < HUED {
        return 0;
    }
    let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
    // Sixths of the circle: red 0, yellow 1, green 2, cyan 3, blue 4, magenta 5.
    let sixths = if max == r as u8 && r >= g && r >= b {
        ((g - b) / delta).rem_euclid(6.0)
    } else if g >= b {
        2.0 + (b - r) / delta
    } else {
        4.0 + (r - g) / delta
    };
    let span = f32::from(HUE_LAST - HUE_FIRST);
    HUE_FIRST + ((sixths / 6.0 * span).round() as u8).min(HUE_LAST - HUE_FIRST)
}

impl Frame {
    /// A frame from interleaved 8-bit RGB.
    pub fn from_rgb(width: u32, height: u32, rgb: &[u8]) -> Frame {
        let mut gray = Vec::with_capacity(rgb.len() / 3);
        let mut chroma = Vec::with_capacity(rgb.len() / 3);
        let mut hues = Vec::with_capacity(rgb.len() / 3);
        for p in rgb.chunks_exact(3) {
            let (r, g, b) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
            // ITU-R BT.601 luma, in integers.
            gray.push(((299 * r + 587 * g + 114 * b) / 1000) as u8);
            chroma.push(p.iter().max().expect("3") - p.iter().min().expect("3"));
            hues.push(hue(p[0], p[1], p[2]));
        }
        Frame {
            gray: Gray::new(width, height, gray),
            chroma: Some(Gray::new(width, height, chroma)),
            hue: Some(Gray::new(width, height, hues)),
        }
    }

    pub fn grey(gray: Gray) -> Frame {
        Frame { gray, chroma: None, hue: None }
    }
}

/// A rectangle in an image's pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Box2 {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Box2 {
    /// The smallest box holding both.
    pub fn union(self, o: Box2) -> Box2 {
        let (x, y) = (self.x.min(o.x), self.y.min(o.y));
        let right = (self.x + self.width).max(o.x + o.width);
        let bottom = (self.y + self.height).max(o.y + o.height);
        Box2 { x, y, width: right - x, height: bottom - y }
    }

    /// True when the boxes share a pixel.
    pub fn overlaps(self, o: Box2) -> bool {
        self.x < o.x + o.width
            && o.x < self.x + self.width
            && self.y < o.y + o.height
            && o.y < self.y + self.height
    }

    /// Divided by `scale`, outward, so that the box never loses a pixel of what it covered.
    pub fn shrunk(self, scale: u32) -> Box2 {
        let (x, y) = (self.x / scale, self.y / scale);
        let (right, bottom) = ((self.x + self.width).div_ceil(scale), (self.y + self.height).div_ceil(scale));
        Box2 { x, y, width: right - x, height: bottom - y }
    }

    /// Grown by `margin` on every side, kept inside an image of `width` x `height`.
    pub fn grown(self, margin: u32, width: u32, height: u32) -> Box2 {
        let (x, y) = (self.x.saturating_sub(margin), self.y.saturating_sub(margin));
        let right = (self.x + self.width + margin).min(width);
        let bottom = (self.y + self.height + margin).min(height);
        Box2 { x, y, width: right.saturating_sub(x), height: bottom.saturating_sub(y) }
    }
}

/// One word as the engine read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub text: String,
    pub area: Box2,
    /// The engine's confidence, 0–100.
    pub confidence: f32,
}

/// Words the engine put on one line, in reading order.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub words: Vec<Word>,
}

impl Line {
    /// The words, one space between each.
    pub fn text(&self) -> String {
        self.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The box that holds every word.
    pub fn area(&self) -> Box2 {
        let mut words = self.words.iter().map(|w| w.area);
        let first = words.next().unwrap_or(Box2 { x: 0, y: 0, width: 0, height: 0 });
        words.fold(first, Box2::union)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OcrError {
    /// The engine, or a part of it, is not installed: the package to install.
    #[error("the OCR engine is not installed (install {0})")]
    Missing(&'static str),
    #[error("the OCR engine failed: {0}")]
    Failed(String),
    #[error("the OCR engine took more than {0} s")]
    TimedOut(u64),
}

/// An OCR engine.
pub trait Reader: Send + Sync {
    /// The engine and its version, as a memo of its readings must be keyed: a new engine reads
    /// differently. An error when the engine is not there.
    fn engine(&self) -> Result<String, OcrError>;

    /// The lines of text in `image` (already prepared: dark text on a light ground).
    fn lines(&self, image: &Gray) -> Result<Vec<Line>, OcrError>;

    /// The lines of a sheet of lines of text, one under another ([`second`]'s cut-outs).
    fn sheet_lines(&self, image: &Gray) -> Result<Vec<Line>, OcrError> {
        self.lines(image)
    }
}

/// Reads every frame with `reader`, each in the renderings `prepare` makes of it, several at
/// once (one engine process per core); each frame's lines, boxes in its pixels. With
/// [`Prepare::second`], the lines that are not `settled` and are [`second::worth`] a look are
/// read again, cut out of the rendering that read them and enlarged ([`second`]); what that reads
/// over a settled line is dropped.
pub fn read(
    reader: &dyn Reader,
    frames: &[&Frame],
    prepare: Prepare,
    settled: &dyn Fn(&Line) -> bool,
) -> Result<Vec<Vec<Line>>, OcrError> {
    let mut work: Vec<(usize, View, Gray)> = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let renderings = prepare.renderings(f);
        let first = prepare.turns && i == 0;
        let base = &renderings[0];
        // Every frame read, levelled where its lines slope (a slope is cheap to find).
        let tilted = if prepare.turns { tilt::slopes(base) } else { Vec::new() };
        let tilted = tilted.into_iter().map(|degrees| View::Tilted {
            degrees,
            width: base.width,
            height: base.height,
        });
        let turns = [View::Clockwise, View::Anticlockwise, View::Half, View::Mirrored];
        let turns = turns.into_iter().filter(|_| first || prepare.every_way).chain(tilted);
        let afar = prepare::AFAR.into_iter().filter(|_| prepare.afar);
        for view in turns.chain(afar) {
            work.push((i, view, view.apply(&renderings[0])));
        }
        work.extend(renderings.into_iter().map(|g| (i, View::Upright, g)));
    }
    let read = crate::parallel::map(&work, |(_, _, image)| reader.lines(image));
    let mut out = vec![Vec::new(); frames.len()];
    // For each frame, (rendering, the box of a line worth a second look); and the boxes of its
    // settled lines.
    let mut again: Vec<Vec<(usize, Box2)>> = vec![Vec::new(); frames.len()];
    let mut done: Vec<Vec<Box2>> = vec![Vec::new(); frames.len()];
    for (w, ((i, view, image), lines)) in work.iter().zip(read).enumerate() {
        let mut lines = regroup(lines?.into_iter().flat_map(|l| l.words).collect());
        if *view != View::Upright {
            // Lines read across the turned image, or from afar, their boxes put back in the
            // frame's pixels.
            for word in lines.iter_mut().flat_map(|l| l.words.iter_mut()) {
                word.area = view.back(word.area, image.width, image.height);
            }
            out[*i].extend(lines);
            continue;
        }
        if prepare.second {
            let looks = lines.iter().filter(|l| !settled(l) && second::worth(l));
            again[*i].extend(looks.map(|l| (w, l.area())));
            done[*i].extend(lines.iter().filter(|l| settled(l)).map(Line::area));
        }
        out[*i].extend(lines);
    }
    if prepare.second {
        // (frame, sheet): the cut-outs of each rendering on sheets of their own.
        let mut sheets: Vec<(usize, second::Sheet)> = Vec::new();
        for (i, looks) in again.iter_mut().enumerate() {
            // One look at a place: a line read in several renderings is cut from the first.
            let mut kept: Vec<(usize, Box2)> = Vec::new();
            for &(w, area) in looks.iter() {
                if kept.len() < second::MOST && !kept.iter().any(|(_, k)| k.overlaps(area)) {
                    kept.push((w, area));
                }
            }
            let mut by_rendering: Vec<usize> = kept.iter().map(|(w, _)| *w).collect();
            by_rendering.sort_unstable();
            by_rendering.dedup();
            for w in by_rendering {
                let areas: Vec<Box2> = kept.iter().filter(|(k, _)| *k == w).map(|(_, a)| *a).collect();
                sheets.extend(second::sheets(&work[w].2, &areas).into_iter().map(|s| (i, s)));
            }
        }
        let read = crate::parallel::map(&sheets, |(_, s)| reader.sheet_lines(&s.image));
        for ((i, sheet), lines) in sheets.iter().zip(read) {
            // What the first look settled stands: a cut-out's margin may hold a settled
            // neighbour, read again worse (a date read as a bare number).
            let new = regroup(sheet.place(lines?)).into_iter();
            out[*i].extend(new.filter(|l| !done[*i].iter().any(|d| d.overlaps(l.area()))));
        }
    }
    if prepare.scale > 1 {
        for w in out.iter_mut().flatten().flat_map(|l| l.words.iter_mut()) {
            w.area = w.area.shrunk(prepare.scale);
        }
    }
    Ok(out)
}

/// Words put in lines by where they stand, whatever lines the engine made of them (in sparse
/// text each word may come alone): a word joins the line whose last word ends at most
/// [`LINE_GAP_TENTHS`] tenths of its height before it and shares half its height with it.
pub fn regroup(mut words: Vec<Word>) -> Vec<Line> {
    words.sort_by_key(|w| (w.area.x, w.area.y));
    let mut lines: Vec<Line> = Vec::new();
    for w in words {
        let a = w.area;
        let joins = lines.iter_mut().find(|l| {
            let last = l.words.last().expect("a line has words").area;
            let height = a.height.max(last.height);
            let gap = i64::from(a.x) - i64::from(last.x + last.width);
            let top = a.y.max(last.y);
            let bottom = (a.y + a.height).min(last.y + last.height);
            let shared = bottom.saturating_sub(top);
            gap >= -i64::from(height) / 2
                && gap <= i64::from(height * LINE_GAP_TENTHS / 10)
                && shared * 2 >= a.height.min(last.height)
        });
        match joins {
            Some(line) => line.words.push(w),
            None => lines.push(Line { words: vec![w] }),
        }
    }
    lines.sort_by_key(|l| (l.area().y, l.area().x));
    lines
}

/// The widest gap between two words of one line, in tenths of their height (a space is about a
/// third of a letter's height; a column gap is wider than two).
const LINE_GAP_TENTHS: u32 = 25;

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub fn word(text: &str, x: u32, y: u32, width: u32, height: u32) -> Word {
        Word { text: text.into(), area: Box2 { x, y, width, height }, confidence: 90.0 }
    }

    #[test]
    fn words_on_one_row_make_one_line_and_a_far_column_another() {
        let lines = regroup(vec![
            word("EMERSON", 120, 11, 70, 14),
            word("IMAGINO,", 40, 10, 72, 15),
            word("16cm", 600, 10, 40, 15),
            word("Liver", 40, 40, 50, 15),
        ]);
        let texts: Vec<String> = lines.iter().map(Line::text).collect();
        assert_eq!(texts, ["IMAGINO, EMERSON", "16cm", "Liver"]);
    }

    #[test]
    fn hues_go_round_the_circle_and_grey_has_none() {
        assert_eq!(hue(255, 0, 0), HUE_FIRST);
        assert_eq!(hue(128, 128, 128), 0);
        assert_eq!(hue(120, 100, 100), 0, "20 levels from grey: no hue");
        let (yellow, green, cyan, blue, magenta) =
            (hue(255, 255, 0), hue(0, 255, 0), hue(0, 255, 255), hue(0, 0, 255), hue(255, 0, 255));
        assert!(HUE_FIRST < yellow && yellow < green && green < cyan && cyan < blue && blue < magenta);
        assert!(
            magenta < HUE_LAST && hue(255, 0, 8) <= HUE_LAST,
            "red with a little blue: the end of the circle"
        );
        // Isoluminant magenta and green: one grey level, two hues far apart.
        let f = Frame::from_rgb(2, 1, &[200, 60, 200, 60, 160, 60]);
        assert!(f.gray.pixels[0].abs_diff(f.gray.pixels[1]) <= 2);
        let h = f.hue.unwrap().pixels;
        assert!(h[0].abs_diff(h[1]) > 60, "{h:?}");
    }

    #[test]
    fn a_box_read_in_a_turned_image_is_put_back_where_it_was() {
        // A 5 x 3 image with one dark pixel at (4, 0), its top right corner.
        let mut pixels = vec![255u8; 15];
        pixels[4] = 0;
        let image = Gray::new(5, 3, pixels);
        for turn in [View::Clockwise, View::Anticlockwise] {
            let turned = turn.apply(&image);
            assert_eq!((turned.width, turned.height), (3, 5));
            let at = turned.pixels.iter().position(|&p| p == 0).unwrap() as u32;
            let found = Box2 { x: at % 3, y: at / 3, width: 1, height: 1 };
            assert_eq!(turn.back(found, 3, 5), Box2 { x: 4, y: 0, width: 1, height: 1 }, "{turn:?}");
        }
        for (view, found) in [
            (View::Half, Box2 { x: 0, y: 2, width: 1, height: 1 }),
            (View::Mirrored, Box2 { x: 0, y: 0, width: 1, height: 1 }),
        ] {
            let seen = view.apply(&image);
            assert_eq!((seen.width, seen.height), (5, 3));
            let at = seen.pixels.iter().position(|&p| p == 0).unwrap() as u32;
            assert_eq!(Box2 { x: at % 5, y: at / 5, width: 1, height: 1 }, found, "{view:?}");
            assert_eq!(view.back(found, 5, 3), Box2 { x: 4, y: 0, width: 1, height: 1 }, "{view:?}");
        }
        // A box two wide in the turned image is two high in the frame.
        let wide = Box2 { x: 0, y: 1, width: 2, height: 1 };
        assert_eq!(View::Clockwise.back(wide, 3, 5), Box2 { x: 1, y: 1, width: 1, height: 2 });
    }

    #[test]
    fn from_afar_marks_merge_and_boxes_are_put_back_at_full_size() {
        // A checkerboard of dark and light pixels (a halftone) is one grey from afar, and a box
        // in the halved image is twice as large in the frame.
        let (w, h) = (8u32, 6u32);
        let pixels = (0..w * h).map(|i| if (i % w + i / w) % 2 == 0 { 0 } else { 255 }).collect();
        let image = Gray::new(w, h, pixels);
        for view in prepare::AFAR {
            let seen = view.apply(&image);
            assert_eq!((seen.width, seen.height), (4, 3), "{view:?}");
            assert!(seen.pixels.iter().all(|&p| p.abs_diff(128) <= 1), "{view:?}: {:?}", seen.pixels);
            let found = Box2 { x: 1, y: 1, width: 2, height: 1 };
            assert_eq!(view.back(found, 4, 3), Box2 { x: 2, y: 2, width: 4, height: 2 });
        }
        // One dark pixel spreads over the square round it, and only there.
        let mut pixels = vec![255u8; 64];
        pixels[3 * 8 + 3] = 0;
        let seen = View::Afar(1).apply(&Gray::new(8, 8, pixels));
        let dark: Vec<usize> = (0..16).filter(|&i| seen.pixels[i] < 255).collect();
        assert_eq!(dark, [0, 1, 2, 4, 5, 6, 8, 9, 10], "{:?}", seen.pixels);
    }

    #[test]
    fn a_box_grows_inside_its_image_and_unions_hold_both() {
        let a = Box2 { x: 2, y: 3, width: 4, height: 5 };
        assert_eq!(a.grown(3, 8, 100), Box2 { x: 0, y: 0, width: 8, height: 11 });
        let b = Box2 { x: 10, y: 1, width: 2, height: 2 };
        assert_eq!(a.union(b), Box2 { x: 2, y: 1, width: 10, height: 7 });
    }
}
