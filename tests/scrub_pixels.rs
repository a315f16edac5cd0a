//! `vault scrub` and the pixels: burned-in images refused or redacted, compressed images decoded
//! and written uncompressed, the banners of known devices blanked, colour images blanked to
//! black, an image file's metadata refused and written without it. Every name and value written
//! here is made up.

mod common;

use std::path::Path;
use std::process::Command;

use common::Vault;
use common::dicom::text;
use common::scrub::*;
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_transfer_syntax_registry::entries;

#[test]
fn burned_in_images_are_refused_or_redacted_and_undecodable_ones_never_pass_through() {
    let v = Vault::new();
    write(&v, "in/us.dcm", ultrasound(false), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    // With OCR (the default), a 16 x 16 ultrasound shows no text: written as it is.
    let (code, results, _) = scrub(&v, &["in", "--out", "read"]);
    assert_eq!(code, 0, "{results:?}");
    assert_eq!(value(&read(&v, "read/in/us.dcm"), tags::BURNED_IN_ANNOTATION), None);
    let policy = header_only(&v);
    let (code, results, _) = scrub(&v, &["in", "--out", "plain", "--policy", policy]);
    assert_eq!(code, 1);
    assert!(results[0]["reasons"].to_string().contains("burned-in-likely"), "{results:?}");
    assert!(!v.path("plain/in/us.dcm").exists());
    // A user rectangle: the top-left 8 x 4 pixels.
    std::fs::write(v.path("rules.json"), r#"{"rules": [{"modality": "US", "regions": [[0, 0, 8, 4]]}]}"#)
        .unwrap();
    let (code, _, err) = scrub(&v, &["in", "--out", "red", "--redact", "rules.json", "--policy", policy]);
    assert_eq!(code, 0, "{err}");
    let out = read(&v, "red/in/us.dcm");
    assert_eq!(value(&out, tags::BURNED_IN_ANNOTATION).as_deref(), Some("NO"));
    let pixels = out.element(tags::PIXEL_DATA).unwrap().value().to_bytes().unwrap().into_owned();
    for (i, p) in pixels.iter().enumerate() {
        let (row, col) = (i / 16, i % 16);
        assert_eq!(*p, if row < 4 && col < 8 { 0 } else { 200 }, "pixel ({row}, {col})");
    }
    v.ok(&["check", "red"]);
    // A rule that matches nothing leaves it refused.
    std::fs::write(v.path("other.json"), r#"{"rules": [{"manufacturer": "Nobody", "top_percent": 50}]}"#)
        .unwrap();
    assert_eq!(scrub(&v, &["in", "--out", "none", "--redact", "other.json", "--policy", policy]).0, 1);
    // Compressed pixel data that cannot be decoded: refused, not passed through.
    write(&v, "enc/us.dcm", ultrasound(true), entries::JPEG_BASELINE.uid());
    let (code, results, _) =
        scrub(&v, &["enc", "--out", "enc-out", "--redact", "rules.json", "--policy", policy]);
    assert_eq!(code, 1);
    assert!(results[0]["reasons"].to_string().contains("not redacted"), "{results:?}");
    assert!(!v.path("enc-out/enc/us.dcm").exists());
}

/// A compressed (JPEG baseline) secondary capture from pydicom's test files: decoded, redacted,
/// and written uncompressed.
#[test]
fn compressed_images_are_decoded_redacted_and_written_uncompressed() {
    let v = Vault::new();
    let [test_files, _] = real_files();
    std::fs::create_dir(v.path("in")).unwrap();
    std::fs::copy(Path::new(&test_files).join("SC_rgb_jpeg_gdcm.dcm"), v.path("in/sc.dcm")).unwrap();
    std::fs::write(v.path("rules.json"), r#"{"rules": [{"modality": "OT", "regions": [[0, 0, 20, 10]]}]}"#)
        .unwrap();
    let policy = header_only(&v);
    let (code, results, err) =
        scrub(&v, &["in", "--out", "out", "--redact", "rules.json", "--policy", policy]);
    assert_eq!(code, 0, "{err} {results:?}");
    let out = read(&v, "out/in/sc.dcm");
    assert_eq!(out.meta().transfer_syntax(), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    assert_eq!(value(&out, tags::BURNED_IN_ANNOTATION).as_deref(), Some("NO"));
    assert_eq!(value(&out, tags::PHOTOMETRIC_INTERPRETATION).as_deref(), Some("RGB"));
    let pixels = out.element(tags::PIXEL_DATA).unwrap().value().to_bytes().unwrap().into_owned();
    assert_eq!(pixels.len(), 100 * 100 * 3);
    let at = |row: usize, col: usize| &pixels[(row * 100 + col) * 3..(row * 100 + col) * 3 + 3];
    for row in 0..10 {
        for col in 0..20 {
            assert_eq!(at(row, col), [0, 0, 0], "pixel ({row}, {col}) not blanked");
        }
    }
    assert!((10..100).any(|row| at(row, 50) != [0, 0, 0]), "the rest of the image was blanked too");
    v.ok(&["check", "out"]);
}

/// The shipped rules know the banner layouts of the ultrasound devices in pydicom-data: with
/// `--redact default` the institution, patient and date rows come out blank (checked by eye on
/// the rendered images when the rules were written; here, row by row), the image below not.
#[test]
fn the_default_rules_blank_the_banners_of_known_devices() {
    let v = Vault::new();
    let [_, data_store] = real_files();
    std::fs::create_dir(v.path("in")).unwrap();
    // (file, rows that must be blank, a row that must not be)
    let cases = [
        ("US1_UNCR.dcm", 0..110, 200),
        ("OBXXXX1A.dcm", 0..60, 150),
        ("gdcm-US-ALOKA-16.dcm", 444..480, 300),
    ];
    for (name, _, _) in &cases {
        std::fs::copy(Path::new(&data_store).join(name), v.path(&format!("in/{name}"))).unwrap();
    }
    let policy = header_only(&v);
    let (code, results, err) = scrub(&v, &["in", "--out", "out", "--redact", "default", "--policy", policy]);
    assert_eq!(code, 0, "{err} {results:?}");
    for (name, blank, kept) in cases {
        let out = read(&v, &format!("out/in/{name}"));
        assert_eq!(value(&out, tags::BURNED_IN_ANNOTATION).as_deref(), Some("NO"));
        let number = |t| value(&out, t).unwrap().parse::<usize>().unwrap();
        let (columns, samples, bits) =
            (number(tags::COLUMNS), number(tags::SAMPLES_PER_PIXEL), number(tags::BITS_ALLOCATED));
        let row_bytes = columns * samples * bits / 8;
        let pixels = out.element(tags::PIXEL_DATA).unwrap().value().to_bytes().unwrap().into_owned();
        let row = |r: usize| &pixels[r * row_bytes..(r + 1) * row_bytes];
        for r in blank {
            assert!(row(r).iter().all(|&b| b == 0), "{name}: row {r} is not blank");
        }
        assert!(row(kept).iter().any(|&b| b != 0), "{name}: row {kept} was blanked too");
    }
}

/// Colour images are blanked to black: YBR_FULL's chroma samples to their middle value (a YBR
/// zero is green), and YBR_FULL_422 — two luma samples sharing a chroma pair, as ultrasound
/// machines write it — in whole pairs, so a region starting on an odd column widens by one.
#[test]
fn colour_images_are_blanked_to_black_including_subsampled_ybr() {
    let v = Vault::new();
    std::fs::write(v.path("rules.json"), r#"{"rules": [{"modality": "US", "regions": [[3, 0, 4, 2]]}]}"#)
        .unwrap();
    for (photometric, bytes_per_pixel) in [("YBR_FULL_422", 2usize), ("YBR_FULL", 3)] {
        let mut o = ultrasound(false);
        o.put(DataElement::new(tags::SAMPLES_PER_PIXEL, VR::US, PrimitiveValue::from(3u16)));
        o.put(DataElement::new(tags::PLANAR_CONFIGURATION, VR::US, PrimitiveValue::from(0u16)));
        o.put(text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, photometric));
        let original: Vec<u8> = (0..16 * 16 * bytes_per_pixel).map(|i| (i % 251) as u8).collect();
        o.put(DataElement::new(tags::PIXEL_DATA, VR::OB, PrimitiveValue::U8(original.clone().into())));
        let dir = format!("in-{photometric}");
        write(&v, &format!("{dir}/us.dcm"), o, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
        let out_dir = format!("out-{photometric}");
        let (code, _, err) =
            scrub(&v, &[&dir, "--out", &out_dir, "--redact", "rules.json", "--policy", header_only(&v)]);
        assert_eq!(code, 0, "{photometric}: {err}");
        let out = read(&v, &format!("{out_dir}/{dir}/us.dcm"));
        let pixels = out.element(tags::PIXEL_DATA).unwrap().value().to_bytes().unwrap().into_owned();
        assert_eq!(pixels.len(), original.len());
        for (i, (&p, &was)) in pixels.iter().zip(&original).enumerate() {
            let row = i / (16 * bytes_per_pixel);
            let in_row = i % (16 * bytes_per_pixel);
            let expected = if photometric == "YBR_FULL_422" {
                // Pairs of pixels: columns 2..8 (the region 3..7 widened to whole pairs).
                let (pair, k) = (in_row / 4, in_row % 4);
                if row < 2 && (1..4).contains(&pair) { [0, 0, 128, 128][k] } else { was }
            } else {
                let (col, sample) = (in_row / 3, in_row % 3);
                if row < 2 && (3..7).contains(&col) { [0, 128, 128][sample] } else { was }
            };
            assert_eq!(p, expected, "{photometric}: byte {i} (row {row})");
        }
        v.ok(&["check", &out_dir]);
    }
}

/// An image file whose metadata names the patient (a viewer's PNG export with text chunks; a
/// phone's JPEG with EXIF artist, date and GPS, and an XMP packet): `vault check` refuses each,
/// naming the field and never its value; `vault scrub` writes the pixels again without any of
/// it, and the output passes. Made with Pillow, read back with Pillow.
#[test]
fn image_metadata_is_refused_and_scrub_writes_the_image_without_it() {
    let v = Vault::new();
    let made = Command::new("python3")
        .args([
            "-c",
            r#"
import numpy as np
from PIL import Image, PngImagePlugin
rng = np.random.default_rng(7)
img = Image.fromarray(rng.integers(0, 255, (64, 96), dtype=np.uint8))
info = PngImagePlugin.PngInfo()
info.add_text('Patient', 'Zqxmadeup Wyvernfake')
info.add_text('Comment', 'DOB 17/02/1943', zip=True)
img.save('in/viewer.png', pnginfo=info)
exif = Image.Exif()
exif[0x013B] = 'Zqxmadeup Wyvernfake'
exif[0x0132] = '2026:02:17 10:22:01'
exif.get_ifd(0x8825)[1] = 'N'
xmp = b'<x:xmpmeta><dc:description>MRN: ZQX8841207</dc:description></x:xmpmeta>'
img.convert('RGB').save('in/phone.jpg', exif=exif, xmp=xmp, quality=95)
img.save('in/plain.png')
"#,
        ])
        .current_dir({
            std::fs::create_dir(v.path("in")).unwrap();
            v.dir.path()
        })
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let (code, out, err) = v.run(&["check", "in", "--json"]);
    assert_eq!(code, 1, "{err}");
    let mut fields = Vec::new();
    for line in lines(out.as_bytes()) {
        for r in line["reasons"].as_array().into_iter().flatten() {
            if r["rule"] == "image-metadata" {
                fields.push(format!(
                    "{} {}",
                    line["path"].as_str().unwrap_or(""),
                    r["keyword"].as_str().unwrap_or("")
                ));
            }
        }
    }
    fields.sort();
    for expected in [
        "in/phone.jpg EXIF Artist",
        "in/phone.jpg EXIF DateTime",
        "in/phone.jpg EXIF GPS",
        "in/phone.jpg XMP",
        "in/viewer.png PNG text Comment",
        "in/viewer.png PNG text Patient",
    ] {
        assert!(fields.iter().any(|f| f.ends_with(expected)), "{expected} not refused: {fields:?}");
    }
    assert!(!fields.iter().any(|f| f.contains("plain.png")), "{fields:?}");
    assert!(!out.contains("Zqxmadeup") && !out.contains("1943") && !out.contains("8841207"));

    let (code, _, err) = scrub(&v, &["in", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = v.run(&["check", "out"]);
    assert_eq!(code, 0, "the scrubbed images are refused: {err}");
    for name in ["viewer.png", "phone.jpg"] {
        let bytes = std::fs::read(v.path("out/in").join(name)).unwrap();
        assert!(
            !common::contains(&bytes, b"Zqxmadeup") && !common::contains(&bytes, b"ZQX8841207"),
            "{name}"
        );
    }
    // The pixels are the same (PNG is lossless).
    let same = Command::new("python3")
        .args(["-c", "from PIL import Image; import sys; sys.exit(list(Image.open('in/viewer.png').getdata()) != list(Image.open('out/in/viewer.png').getdata()))"])
        .current_dir(v.dir.path())
        .status()
        .unwrap();
    assert!(same.success(), "the scrubbed PNG's pixels differ");
}
