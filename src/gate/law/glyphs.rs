//! Text a presentation state writes in pieces: a letter or a word to each text object, each
//! placed where a viewer draws it. No one value says anything; the line a viewer shows does.
//! The text objects under each top-level sequence (a presentation state's annotations: at any
//! depth, over any number of annotation items) are laid out here by their boxes or anchors, each
//! set of units apart (in any case; PIXEL where none is said), and read as lines of text.

use super::*;

/// Text objects laid out at most under one top-level sequence; more are refused
/// (`too-many-text-objects`): no presentation state needs so many, and past a bound some would
/// go unread.
const MOST: usize = 4096;

/// One text object as the law reads it.
#[derive(Default)]
pub(super) struct Glyph {
    text: Vec<u8>,
    box_units: Vec<u8>,
    top_left: Option<[f64; 2]>,
    bottom_right: Option<[f64; 2]>,
    anchor_units: Vec<u8>,
    anchor: Option<[f64; 2]>,
}

/// A text object where it shows: its top left corner (or anchor), and its box's size where it
/// has one.
#[derive(Clone, Debug, PartialEq)]
struct Placed {
    text: String,
    at: [f64; 2],
    size: Option<[f64; 2]>,
}

/// A point as an FL (or FD) value gives it: two numbers, binary or as text (DICOM JSON, XML).
fn point(e: &Element<'_>) -> Option<[f64; 2]> {
    let numbers: Vec<f64> = if e.text {
        std::str::from_utf8(trim(e.value)).ok()?.split('\\').filter_map(|n| n.trim().parse().ok()).collect()
    } else if e.vr == Some(VR::FD) {
        e.value
            .chunks_exact(8)
            .map(|c| {
                let b: [u8; 8] = c.try_into().expect("eight bytes");
                if e.big_endian { f64::from_be_bytes(b) } else { f64::from_le_bytes(b) }
            })
            .collect()
    } else {
        e.value
            .chunks_exact(4)
            .map(|c| {
                let b: [u8; 4] = c.try_into().expect("four bytes");
                f64::from(if e.big_endian { f32::from_be_bytes(b) } else { f32::from_le_bytes(b) })
            })
            .collect()
    };
    match numbers[..] {
        [x, y, ..] if x.is_finite() && y.is_finite() => Some([x, y]),
        _ => None,
    }
}

impl Law<'_> {
    /// A text object starts (an item of a TextObjectSequence).
    pub(super) fn text_object(&mut self) {
        if self.levels.last().is_some_and(|l| l.tag == tags::TEXT_OBJECT_SEQUENCE) {
            self.text_objects += 1;
            if self.glyphs.len() < MOST {
                self.glyphs.push(Glyph::default());
            }
        }
    }

    /// An element of a text object, noted. `again`: a text value as its character set shows it.
    pub(super) fn glyph(&mut self, e: &Element<'_>, again: bool) {
        if self.levels.last().is_none_or(|l| l.tag != tags::TEXT_OBJECT_SEQUENCE) || self.text_objects > MOST
        {
            return;
        }
        let Some(g) = self.glyphs.last_mut() else { return };
        match e.tag {
            tags::UNFORMATTED_TEXT_VALUE if again || g.text.is_empty() => g.text = trim(e.value).to_vec(),
            tags::BOUNDING_BOX_ANNOTATION_UNITS => g.box_units = trim(e.value).to_vec(),
            tags::ANCHOR_POINT_ANNOTATION_UNITS => g.anchor_units = trim(e.value).to_vec(),
            tags::BOUNDING_BOX_TOP_LEFT_HAND_CORNER => g.top_left = point(e),
            tags::BOUNDING_BOX_BOTTOM_RIGHT_HAND_CORNER => g.bottom_right = point(e),
            tags::ANCHOR_POINT => g.anchor = point(e),
            _ => {}
        }
    }

    /// The text objects read so far, laid out and read as lines (at the end of a top-level
    /// sequence, and of the reading).
    pub(super) fn read_glyphs(&mut self) {
        if self.text_objects > MOST {
            self.text_objects = 0;
            self.glyphs.clear();
            self.find(
                "too-many-text-objects",
                tags::TEXT_OBJECT_SEQUENCE,
                None,
                true,
                Some("more text objects than vault lays out to read"),
            );
            return;
        }
        self.text_objects = 0;
        let mut by_units: Vec<(Vec<u8>, Vec<Placed>)> = Vec::new();
        // Units as a viewer takes them: in any case, PIXEL where none (or none it knows) is said.
        let units = |u: &[u8]| match u.to_ascii_uppercase() {
            u if u == b"DISPLAY" || u == b"MATRIX" => u,
            _ => b"PIXEL".to_vec(),
        };
        for g in std::mem::take(&mut self.glyphs) {
            let text = String::from_utf8_lossy(&g.text).into_owned();
            let (units, placed) = match (g.top_left, g.anchor) {
                (Some(tl), _) => {
                    let br = g.bottom_right.unwrap_or(tl);
                    // The corners as given or swapped: the box is the same.
                    let at = [tl[0].min(br[0]), tl[1].min(br[1])];
                    let size = g.bottom_right.map(|br| [(br[0] - tl[0]).abs(), (br[1] - tl[1]).abs()]);
                    (units(&g.box_units), Placed { text, at, size })
                }
                (None, Some(a)) => (units(&g.anchor_units), Placed { text, at: a, size: None }),
                (None, None) => continue,
            };
            match by_units.iter_mut().find(|(u, _)| *u == units) {
                Some((_, all)) => all.push(placed),
                None => by_units.push((units, vec![placed])),
            }
        }
        for (_, placed) in by_units.into_iter().filter(|(_, p)| p.len() >= 2) {
            let shown = lay_out(&placed).join("\n");
            if let Err(Problem::IdentityInText(shape)) =
                self.judge(tags::UNFORMATTED_TEXT_VALUE, Action::Clean, VR::ST, shown.as_bytes())
            {
                let before = self.findings.len();
                self.find(
                    "identity-in-text",
                    tags::UNFORMATTED_TEXT_VALUE,
                    None,
                    true,
                    Some(shape.describe()),
                );
                // Where it stands, on this finding only (`find` keeps none past its bounds).
                if self.findings.len() > before
                    && let Some(f) = self.findings.last_mut()
                {
                    f.reason.location = "TextObjectSequence (the text objects laid out as shown)/".into();
                }
                return;
            }
        }
    }
}

/// The median of some numbers (none: `None`).
fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite() && *x > 0.0);
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// Text objects as the lines a viewer shows: a line is the objects whose tops lie within half
/// a letter's height of its first, read left to right; a space where the gap between two is
/// more than a part of a letter's width. A letter's width is what boxes give (their width over
/// their letters), else the median distance from an object to its nearest neighbour over its
/// letters (objects a letter each stand a letter apart); its height, what boxes give, else
/// twice its width.
fn lay_out(placed: &[Placed]) -> Vec<String> {
    let letters = |p: &Placed| p.text.chars().count().max(1) as f64;
    let widths: Vec<f64> = placed.iter().filter_map(|p| Some(p.size?[0] / letters(p))).collect();
    // Boxes may be drawn larger than their text: a letter is never wider than the objects'
    // spacing says.
    let spacing = {
        let nearest: Vec<f64> = placed
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let d = placed
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, q)| (p.at[0] - q.at[0]).hypot(p.at[1] - q.at[1]))
                    .filter(|d| *d > 0.0)
                    .fold(f64::INFINITY, f64::min);
                d / letters(p)
            })
            .collect();
        median(nearest)
    };
    let letter = match (median(widths), spacing) {
        (Some(w), Some(s)) => Some(w.min(s)),
        (w, s) => w.or(s),
    };
    let Some(letter) = letter else {
        return vec![placed.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(" ")];
    };
    let height = median(placed.iter().filter_map(|p| Some(p.size?[1])).collect())
        .map_or(2.0 * letter, |h| h.min(3.0 * letter));
    let mut order: Vec<&Placed> = placed.iter().collect();
    order.sort_by(|a, b| a.at[1].total_cmp(&b.at[1]).then(a.at[0].total_cmp(&b.at[0])));
    let mut lines: Vec<Vec<&Placed>> = Vec::new();
    for p in order {
        match lines.last_mut() {
            Some(line) if p.at[1] - line[0].at[1] <= height / 2.0 => line.push(p),
            _ => lines.push(vec![p]),
        }
    }
    lines
        .into_iter()
        .map(|mut line| {
            line.sort_by(|a, b| a.at[0].total_cmp(&b.at[0]));
            let mut text = String::new();
            let mut end: Option<f64> = None;
            for p in line {
                if end.is_some_and(|e| p.at[0] - e > 0.4 * letter) {
                    text.push(' ');
                }
                text.push_str(&p.text);
                let width = p.size.map_or(letters(p) * letter, |s| s[0]);
                end = Some(end.map_or(p.at[0] + width, |e: f64| e.max(p.at[0] + width)));
            }
            text
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, x: f64, y: f64, size: Option<[f64; 2]>) -> Placed {
        Placed { text: text.into(), at: [x, y], size }
    }

    #[test]
    fn letters_make_words_and_lines_where_they_stand() {
        let mut placed: Vec<Placed> = "AB CD"
            .chars()
            .enumerate()
            .filter(|(_, c)| *c != ' ')
            .map(|(i, c)| at(&c.to_string(), 10.0 + 8.0 * i as f64, 5.0, Some([8.0, 12.0])))
            .collect();
        placed.push(at("EF", 10.0, 20.0, Some([16.0, 12.0])));
        placed.reverse();
        assert_eq!(lay_out(&placed), ["AB CD", "EF"]);
        // Without boxes: anchors a letter apart, words two apart.
        let anchored: Vec<Placed> =
            [("X", 0.0), ("Y", 1.0), ("Z", 3.0)].iter().map(|(t, x)| at(t, *x, 0.5, None)).collect();
        assert_eq!(lay_out(&anchored), ["XY Z"]);
    }
}
