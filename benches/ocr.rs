//! What each step of the OCR's preparation gains (issue: burned-in text). Reads the first frame
//! of every image given with one preparation and layout, and prints, per image, what the gate
//! would refuse (the boxes of its identity-shaped lines, never their text) as `vault check
//! --json` does, plus the milliseconds the reading took. `benches/ocr.sh` runs it over the
//! labelled synthetic set with each preparation and scores the outputs with
//! `tests/ocr/score.py`.
//!
//! usage: cargo bench --bench ocr -- SCALE,INVERT,LEVELS,COLOUR,LAYOUT,CONTRAST,FLAT,SECOND,DESPECKLE FILE…
//! (for example `1,1,1,1,11,1,1,1,1`, the default: as it is, inverted, levels, colour, Tesseract's
//! sparse-text layout 11, local contrast, flat levels, a second look, crowds of specks cleared;
//! `1,0,0,0,3,0,0,0,0` is Tesseract as it comes.)

use vault::gate::{burned, pixels};
use vault::ocr::{self, Prepare, tesseract::Tesseract};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let Some((variant, files)) = args.split_first() else {
        eprintln!("usage: ocr SCALE,INVERT,LEVELS,COLOUR,LAYOUT,CONTRAST,FLAT,SECOND,DESPECKLE FILE…");
        std::process::exit(2);
    };
    let v: Vec<u32> = variant.split(',').map(|x| x.parse().expect("a number")).collect();
    assert_eq!(v.len(), 9, "nine switches: SCALE,INVERT,LEVELS,COLOUR,LAYOUT,CONTRAST,FLAT,SECOND,DESPECKLE");
    let prepare = Prepare {
        scale: v[0],
        invert: v[1] == 1,
        levels: v[2] == 1,
        colour: v[3] == 1,
        contrast: v[5] == 1,
        flat: v[6] == 1,
        second: v[7] == 1,
        despeckle: v[8] == 1,
        // The turned readings and those from afar go with the second look: on in vault's own
        // variant, off in the peer's and the steps'.
        turns: v[7] == 1,
        every_way: false,
        afar: v[7] == 1,
    };
    let reader = Tesseract::find().with_layout(v[4] as u8);
    for path in files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let frames = match pixels::image_frames(&bytes) {
            Some(frames) => frames,
            None => pixels::dicom_frames(pixels::DataSet::Part10 { bytes: &bytes, preamble: true }),
        }
        .unwrap_or_else(|e| panic!("{path}: pixels not read: {e:?}"));
        let first = [&frames[0].1];
        let started = std::time::Instant::now();
        let lines = ocr::read(&reader, &first, prepare, &|l| burned::line_shape(l).is_some())
            .unwrap_or_else(|e| panic!("{path}: {e:?}"))
            .remove(0);
        let ms = started.elapsed().as_millis();
        let reasons: Vec<_> = lines
            .iter()
            .filter(|l| burned::line_shape(l).is_some())
            .map(|l| {
                let a = l.area();
                serde_json::json!({"rule": "burned-in-text",
                    "region": {"frame": 1, "x": a.x, "y": a.y, "width": a.width, "height": a.height}})
            })
            .collect();
        let verdict = if reasons.is_empty() { "accept" } else { "refuse" };
        println!("{}", serde_json::json!({"path": path, "verdict": verdict, "reasons": reasons, "ms": ms}));
    }
}
