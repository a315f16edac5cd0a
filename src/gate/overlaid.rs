//! The frames of a multi-frame image that are not read one by one ([`pixels::sample`] reads
//! five), laid over one another: each pixel's lightest value across every frame, and its
//! darkest. Text shown in one frame of a cine (a name in frame 2 of 9) stands in the lightest
//! (light text) or the darkest (dark text) wherever the other frames are darker or lighter
//! there — a margin, a ground — and two readings cover every frame, however many.

use crate::ocr::{Frame, Gray};

/// Pixels overlaid at most, all frames together (4,000 frames of 1024 x 1024: an angiography
/// run's); the frames after are not.
pub const MOST_OVERLAID: u64 = 1 << 32;

/// The largest frame overlaid, in pixels (twelve bytes a pixel are held while overlaying).
pub const MOST_PIXELS: usize = 8_000_000;

/// How many levels an overlay must stand beyond the frames read one by one at a pixel for the
/// pixel to show something they do not.
const BEYOND: u8 = 32;

/// Pixels that must show something the frames read one by one do not, for an overlay to be read.
const MIN_NEW: usize = 64;

/// The lightest and the darkest of the first of `count` frames, up to [`MOST_OVERLAID`] pixels
/// in all (`decode` gives
/// a frame's grey levels, all of one size, at most [`MOST_PIXELS`]), each where it shows at least [`MIN_NEW`] pixels that
/// the frames in `read` (read one by one) do not; each labelled with the frame that shows most
/// of them. None where there are no more frames than `read` or a frame does not decode.
pub fn overlays(count: u32, read: &[u32], decode: &mut dyn FnMut(u32) -> Option<Gray>) -> Vec<(u32, Frame)> {
    if count as usize <= read.len() {
        return Vec::new();
    }
    // The value across all frames and the frame that gave it, and the value across the frames
    // read.
    struct Extreme {
        all: Vec<u8>,
        from: Vec<u32>,
        read: Vec<u8>,
        beyond: fn(u8, u8) -> bool,
    }
    let mut extremes: Option<[Extreme; 2]> = None;
    let (mut width, mut height) = (0, 0);
    let mut overlaid = 0;
    for f in 0..count {
        let Some(gray) = decode(f) else { return Vec::new() };
        if gray.pixels.len() > MOST_PIXELS {
            return Vec::new();
        }
        if u64::from(f + 1) * gray.pixels.len() as u64 > MOST_OVERLAID {
            break;
        }
        overlaid = f + 1;
        let e = extremes.get_or_insert_with(|| {
            (width, height) = (gray.width, gray.height);
            let n = gray.pixels.len();
            let extreme = |from: u8, beyond| Extreme {
                all: vec![from; n],
                from: vec![0; n],
                read: vec![from; n],
                beyond,
            };
            [extreme(0, |a, b| a > b), extreme(255, |a, b| a < b)]
        });
        if (gray.width, gray.height) != (width, height) {
            return Vec::new();
        }
        let is_read = read.contains(&f);
        for x in e.iter_mut() {
            for (i, &p) in gray.pixels.iter().enumerate() {
                if (x.beyond)(p, x.all[i]) {
                    x.all[i] = p;
                    x.from[i] = f;
                }
                if is_read && (x.beyond)(p, x.read[i]) {
                    x.read[i] = p;
                }
            }
        }
    }
    let Some(extremes) = extremes else { return Vec::new() };
    let mut out = Vec::new();
    for x in extremes {
        // The frames that show what the frames read do not, pixel by pixel.
        let mut shows = vec![0usize; overlaid as usize];
        for ((&p, &f), &r) in x.all.iter().zip(&x.from).zip(&x.read) {
            if p.abs_diff(r) >= BEYOND {
                shows[f as usize] += 1;
            }
        }
        let new: usize = shows.iter().sum();
        if new < MIN_NEW {
            continue;
        }
        let most = (0..shows.len()).max_by_key(|&f| shows[f]).unwrap_or(0) as u32;
        out.push((most, Frame::grey(Gray::new(width, height, x.all))));
    }
    out
}

/// What [`overlays`] needs of a DICOM image: its frames' grey levels as read for OCR.
pub fn dicom_overlays(
    file: &dicom_object::DefaultDicomObject,
    count: u32,
    read: &[u32],
) -> Vec<(u32, Frame)> {
    use dicom_pixeldata::PixelDecoder;
    let options = dicom_pixeldata::ConvertOptions::new().force_8bit();
    overlays(count, read, &mut |f| {
        let decoded = file.decode_pixel_data_frame(f).ok()?;
        let image = decoded.to_dynamic_image_with_options(0, &options).ok()?;
        let luma = image.to_luma8();
        Some(Gray::new(luma.width(), luma.height(), luma.into_raw()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::pixels;

    /// Nine dark frames of 20 x 10; the second (1, 0-based) has a light patch of 8 x 10.
    fn frames(f: u32) -> Option<Gray> {
        let mut pixels = vec![20u8; 200];
        if f == 1 {
            for y in 0..10 {
                for x in 4..12 {
                    pixels[y * 20 + x] = 230;
                }
            }
        }
        Some(Gray::new(20, 10, pixels))
    }

    #[test]
    fn a_frame_not_read_shows_in_the_lightest_overlay_labelled_as_itself() {
        let read = pixels::sample(9);
        assert!(!read.contains(&1));
        let found = overlays(9, &read, &mut frames);
        assert_eq!(found.len(), 1, "the darkest overlay shows nothing new");
        let (label, frame) = &found[0];
        assert_eq!(*label, 1);
        assert_eq!(frame.gray.pixels[4], 230);
        assert_eq!(frame.gray.pixels[0], 20);
        // Read one by one, it needs no overlay; nor does a file whose frames are all read.
        assert!(overlays(9, &[0, 1, 2, 3, 4, 5, 6, 7, 8], &mut frames).is_empty());
        assert!(overlays(5, &pixels::sample(5), &mut frames).is_empty());
        // Past a thousand frames too: text in frame 1051 of 1100.
        let late = overlays(1100, &pixels::sample(1100), &mut |f| frames(if f == 1050 { 1 } else { 0 }));
        assert_eq!(late.iter().map(|(label, _)| *label).collect::<Vec<_>>(), [1050]);
        // A frame that does not decode leaves the overlays unread (the frames read one by one
        // are decoded already, and refused where they are not).
        assert!(overlays(9, &read, &mut |f| if f == 7 { None } else { frames(f) }).is_empty());
    }
}
