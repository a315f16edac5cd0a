//! Burned-in text: OCR (Tesseract, the real one) reads the pixels of images that can carry text,
//! the gate refuses what shows a patient, and `vault scrub --redact auto` leaves nothing
//! legible — proven by a reading that is not vault's (`tests/ocr/legible.py`: pydicom or
//! Pillow to decode, Tesseract in other modes and renderings).
//!
//! The images: real ultrasound from PyPI `deid-data` and pydicom-data, and a labelled synthetic
//! set (`tests/ocr/make.py`: made-up names, birth dates and IDs drawn in several fonts, sizes,
//! contrasts and places, over plain grounds and over the picture; clean images of each class).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Vault;

fn python(args: &[&str]) -> String {
    // The scripts' shared helpers (`tests/ocr/*.py`) import from there.
    let out = Command::new("python3")
        .env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ocr"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "python3 {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn deid_ultrasound() -> PathBuf {
    let dir = python(&["-c", "import deid_data, os; print(os.path.dirname(deid_data.__file__))"]);
    PathBuf::from(dir.trim()).join("data/ultrasounds")
}

/// The synthetic set, made once per test binary in a temporary folder.
fn synthetic() -> &'static Path {
    static SET: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        python(&[
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ocr/make.py"),
            dir.path().to_str().unwrap(),
            "240",
        ]);
        dir
    })
    .path()
}

/// Runs a Python `script` that writes each of `paths` (given it as its arguments).
fn made_by(script: &str, paths: &[PathBuf]) {
    let args: Vec<&str> =
        ["-c", script].into_iter().chain(paths.iter().map(|p| p.to_str().unwrap())).collect();
    python(&args);
}

fn check_json(args: &[&str], paths: &[PathBuf]) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_vault"))
        .args(["check", "--json"])
        .args(args)
        .args(paths)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn rules(v: &serde_json::Value) -> Vec<String> {
    v["reasons"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap().to_string()).collect()
}

/// Each file named `clean…` accepted; every other refused, for `rule` alone (one reason or more).
fn clean_accepted_others_refused_for(names: &[&str], seen: &[serde_json::Value], rule: &str) {
    for (name, v) in names.iter().zip(seen) {
        if name.starts_with("clean") {
            assert_eq!(v["verdict"], "accept", "{name}: {v}");
        } else {
            assert!(!rules(v).is_empty() && rules(v).iter().all(|r| r == rule), "{name}: {v}");
        }
    }
}

/// The same, each refused file for one reason exactly: its one text found once, however many
/// ways it was read.
fn clean_accepted_others_refused_once_for(names: &[&str], seen: &[serde_json::Value], rule: &str) {
    clean_accepted_others_refused_for(names, seen, rule);
    for (name, v) in names.iter().zip(seen).filter(|(n, _)| !n.starts_with("clean")) {
        assert_eq!(rules(v), [rule], "{name}: {v}");
    }
}

#[test]
fn a_real_ultrasound_that_claims_no_burned_in_annotation_is_refused_for_the_text_in_its_pixels() {
    // Siemens S2000 (RGB, no BurnedInAnnotation): a made-up name, a date and numbers on its
    // banner. Philips EPIQ (grey, says YES). Their headers name the patient too, so a door
    // refuses them without reading the pixels; scrubbed of the header (no --redact), what is
    // left is the text in the pixels, and the scrub's check reads it.
    let us = deid_ultrasound();
    let files = [us.join("RGB_IMAGE.dcm"), us.join("GREYSCALE_IMAGE.dcm")];
    let v = check_json(&[], &files);
    assert!(v.iter().all(|f| f["verdict"] == "refuse"), "{v:?}");
    assert!(rules(&v[1]).contains(&"burned-in-annotation".to_string()));
    let dir = Vault::new();
    let mut scrub = dir.command(&["scrub", "--json", "--key-file", "key", "--out", "out"]);
    let run = scrub.args(&files).output().unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    let results: Vec<serde_json::Value> =
        String::from_utf8_lossy(&run.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for (result, shapes) in results.iter().zip([&["person name", "date", "ID-like"][..], &["labelled"][..]]) {
        assert_eq!(result["result"], "refused", "{result}");
        let text: Vec<&str> = result["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r.as_str())
            .filter(|r| r.starts_with("burned-in-text"))
            .collect();
        for shape in shapes {
            assert!(text.iter().any(|r| r.contains(shape)), "{shape}: {result}");
        }
        // Each names its place (the pixel data, the frame, the box), never its text.
        for r in &text {
            assert!(r.contains("(7FE0,0010) PixelData in frame 1, "), "{r}");
        }
        assert!(result["reasons"].to_string().contains("--redact auto"), "{result}");
    }
}

/// Text as bright as the picture under it, told apart by its colour alone (magenta over a
/// noisy green of the same luma): grey shows nothing, its hue shows the text.
#[test]
fn text_of_another_colour_as_bright_as_the_picture_is_read() {
    let v = Vault::new();
    let (text, plain) = (v.path("isoluminant.png"), v.path("green.png"));
    python(&[
        "-c",
        r#"
import sys, numpy as np
from PIL import Image, ImageDraw, ImageFont
rng = np.random.default_rng(7)
ground = np.clip(np.array([60, 160, 60]) + rng.normal(0, 6, (480, 640, 1)), 0, 255).astype(np.uint8)
Image.fromarray(ground).save(sys.argv[2])
img = Image.fromarray(ground)
font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 28)
ImageDraw.Draw(img).text((40, 200), 'DOB: 14/03/1971', font=font, fill=(200, 60, 200))
img.save(sys.argv[1])
"#,
        text.to_str().unwrap(),
        plain.to_str().unwrap(),
    ]);
    let seen = check_json(&[], &[text, plain]);
    assert_eq!(rules(&seen[0]), ["burned-in-text"], "{}", seen[0]);
    let region = &seen[0]["reasons"][0]["region"];
    assert!((30..=60).contains(&region["x"].as_u64().unwrap()), "{region}");
    assert!((190..=215).contains(&region["y"].as_u64().unwrap()), "{region}");
    assert_eq!(seen[1]["verdict"], "accept", "{}", seen[1]);
}

/// Images a viewer shows otherwise than their pixels are stored: grey text, opaque, on a
/// transparent ground whose hidden colour is the same grey (what a viewer lays under it shows
/// the text; laid over a middle grey it vanishes); a photo stored on its side that its EXIF
/// orientation turns upright; a label written up the image's edge; a card stored upside down, and
/// one mirrored; a screenshot saved as TGA or
/// QOI; text a colour-managed viewer shows through the image's ICC profile; a thumbnail in the
/// EXIF showing what the image does not; and images and videos of formats vault does not decode
/// (PSD, AVI, XBM, PIL's IM, and the research volumes NIfTI, NRRD and MetaImage: refused by their
/// signature, never passed); and animations (PNG, WebP, GIF) whose first frame is blank and
/// whose second shows the text. Beside them, clean images of the same kinds (with an sRGB
/// profile, with a thumbnail of the photo, an animation of the photo), accepted.
#[test]
fn images_are_read_as_a_viewer_shows_them_and_formats_vault_cannot_read_are_refused() {
    let v = Vault::new();
    let names = [
        "transparent.png",
        "sideways.jpg",
        "screenshot.tga",
        "screenshot.qoi",
        "photoshop.psd",
        "recording.avi",
        "side_label.png",
        "upside_down.png",
        "mirrored.png",
        "clean_transparent.png",
        "clean_sideways.jpg",
        "bitmap.xbm",
        "pil.im",
        "colour_managed.png",
        "thumbnail.jpg",
        "clean_srgb.png",
        "clean_thumbnail.jpg",
        "volume.nii",
        "volume.nrrd",
        "volume.mha",
        "animated.png",
        "animated.webp",
        "animated.gif",
        "clean_animated.png",
    ];
    let paths: Vec<PathBuf> = names.iter().map(|n| v.path(n)).collect();
    python(
        &[
            "-c",
            r#"
import struct, sys
from PIL import Image, ImageDraw, ImageFont
out = dict(zip(sys.argv[1].split(','), sys.argv[2:]))
font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 30)
def card(mode, ground, ink, text='NAME: MADEUP ZELDA  DOB: 03/02/1971'):
    img = Image.new(mode, (760, 120), ground)
    ImageDraw.Draw(img).text((20, 40), text, font=font, fill=ink)
    return img
card('LA', (128, 0), (128, 255)).save(out['transparent.png'])
# EXIF orientation 6: turned 90 degrees clockwise to be shown; stored turned the other way.
exif = Image.Exif(); exif[0x0112] = 6
card('L', 235, 20).rotate(90, expand=True).save(out['sideways.jpg'], exif=exif, quality=95)
card('RGB', (0, 0, 0), (230, 230, 230)).save(out['screenshot.tga'])
card('RGB', (0, 0, 0), (230, 230, 230)).save(out['screenshot.qoi'])
with open(out['photoshop.psd'], 'wb') as f:
    f.write(b'8BPS' + struct.pack('>H6xHIIHH', 1, 3, 120, 760, 8, 3) + bytes(2048))
with open(out['recording.avi'], 'wb') as f:
    f.write(b'RIFF' + struct.pack('<I', 4096) + b'AVI LIST' + bytes(4084))
# Written up the image's edge, as a side label: no orientation says to turn it.
card('L', 20, 230).rotate(90, expand=True).save(out['side_label.png'])
# Stored upside down, and mirrored (seen from behind): a person reads both.
card('L', 20, 230).rotate(180).save(out['upside_down.png'])
card('L', 20, 230).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(out['mirrored.png'])
logo = Image.new('LA', (300, 300), (0, 0))
ImageDraw.Draw(logo).ellipse((40, 40, 260, 260), fill=(90, 255))
logo.save(out['clean_transparent.png'])
photo = Image.radial_gradient('L').resize((320, 200))
photo.save(out['clean_sideways.jpg'], exif=exif)
card('1', 1, 0).save(out['bitmap.xbm'])
card('RGB', (0, 0, 0), (230, 230, 230)).save(out['pil.im'], format='IM')
# Colour noise whose blue channel is 16 levels higher in the glyphs; an ICC profile whose blue
# tone curve is a step between the two makes a colour-managed viewer show the text crisp.
import random
from step_icc import step_profile, hidden_in_blue
ink = card('L', 0, 255)
noise = Image.new('RGB', ink.size)
noise.putdata(hidden_in_blue([p > 127 for p in ink.getdata()], random.Random(7)))
noise.save(out['colour_managed.png'], icc_profile=step_profile())
from PIL import ImageCms
photo.convert('RGB').save(out['clean_srgb.png'],
                          icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile('sRGB')).tobytes())
# A thumbnail in the EXIF (IFD1's JPEG), as a camera or an editor writes one: it shows the card
# the image itself no longer shows.
import io
def with_thumbnail(small):
    jpeg = io.BytesIO(); small.save(jpeg, 'JPEG', quality=95); jpeg = jpeg.getvalue()
    ifd0 = struct.pack('<H', 1) + struct.pack('<HHII', 0x0112, 3, 1, 1) + struct.pack('<I', 26)
    ifd1 = struct.pack('<H', 2) + struct.pack('<HHII', 0x0201, 4, 1, 8 + 18 + 30) \
        + struct.pack('<HHII', 0x0202, 4, 1, len(jpeg)) + struct.pack('<I', 0)
    return b'Exif\0\0' + b'II*\0' + struct.pack('<I', 8) + ifd0 + ifd1 + jpeg
photo.convert('RGB').save(out['thumbnail.jpg'], exif=with_thumbnail(card('L', 235, 20).resize((380, 60))))
photo.convert('RGB').save(out['clean_thumbnail.jpg'], exif=with_thumbnail(photo.resize((160, 100))))
# Research volumes a series is converted to, the card as a slice of each: NIfTI-1 (a 348-byte
# header, its magic at 344, the voxels at 352), NRRD and MetaImage (a text header, then bytes).
slice_ = card('L', 0, 255)
w, h = slice_.size
nifti = struct.pack('<i', 348) + bytes(36) + struct.pack('<8h', 3, w, h, 1, 1, 1, 1, 1) + bytes(14)
nifti += struct.pack('<hh', 2, 8) + bytes(4) + struct.pack('<8f', 1, 1, 1, 1, 1, 1, 1, 1) + struct.pack('<f', 352)
nifti += bytes(344 - len(nifti)) + b'n+1\0' + bytes(4)
open(out['volume.nii'], 'wb').write(nifti + slice_.tobytes())
open(out['volume.nrrd'], 'wb').write(('NRRD0004\ntype: uint8\ndimension: 2\nsizes: %d %d\nencoding: raw\n\n'
                                      % (w, h)).encode() + slice_.tobytes())
open(out['volume.mha'], 'wb').write(('ObjectType = Image\nNDims = 2\nDimSize = %d %d\nElementType = MET_UCHAR\n'
                                     'ElementDataFile = LOCAL\n' % (w, h)).encode() + slice_.tobytes())
# Animations whose first frame is blank and whose second shows the card (a still decoder shows
# the first alone); and one of two frames of the photo.
blank = Image.new('RGB', (760, 120), (0, 0, 0))
for name in ('animated.png', 'animated.webp', 'animated.gif'):
    blank.save(out[name], save_all=True, append_images=[card('RGB', (0, 0, 0), (230, 230, 230))],
               duration=500, loop=0)
still = photo.convert('RGB')
still.save(out['clean_animated.png'], save_all=True, append_images=[still.rotate(180)], duration=500, loop=0)
"#,
            &names.join(","),
        ]
        .into_iter()
        .chain(paths.iter().map(|p| p.to_str().unwrap()))
        .collect::<Vec<_>>(),
    );
    let seen = check_json(&[], &paths);
    for (name, v) in names.iter().zip(&seen) {
        let expected = match *name {
            "photoshop.psd" | "recording.avi" | "bitmap.xbm" | "pil.im" | "volume.nii" | "volume.nrrd"
            | "volume.mha" => Some("burned-in-unread"),
            n if n.starts_with("clean") => None,
            _ => Some("burned-in-text"),
        };
        match expected {
            Some(rule) => assert!(rules(v).contains(&rule.to_string()), "{name}: {v}"),
            None => assert_eq!(v["verdict"], "accept", "{name}: {v}"),
        }
    }
}

/// DICOM images whose stored values look like noise and that a viewer shows as text: a PALETTE
/// COLOR image whose palette makes odd indices white and even ones black; a Modality LUT
/// Sequence that does the same to stored values; text in the bits below Bits Stored with noise
/// in the bits above (which a viewer masks off); and text its first window hides (a second
/// window, or the values stretched whole, show it); text stored squashed to a sixth of its
/// height that its Pixel Aspect Ratio stretches back; RGB text only its ICC Profile shows; text
/// in the bits High Bit 15 says are stored, over noise in the bits below them; and text in the
/// lowest bit of noise, with no table in the file (one in another file shows it); and text in
/// samples of 32 bits (grey and RGB), two values above its ground beside one far brighter pixel.
/// Each says BurnedInAnnotation NO. Beside them, the same constructions with no text, accepted.
#[test]
fn dicom_pixels_are_read_as_a_viewer_displays_them_through_palettes_luts_bits_and_windows() {
    let v = Vault::new();
    let kinds = [
        "palette",
        "modality_lut",
        "high_bits",
        "window",
        "aspect",
        "icc",
        "high_bit_15",
        "parity",
        "signed",
        "signed_window",
        "wide",
        "wide_rgb",
    ];
    let mut paths = Vec::new();
    for kind in kinds {
        for text in ["text", "clean"] {
            paths.push(v.path(&format!("{kind}_{text}.dcm")));
        }
    }
    let args: Vec<&str> = paths.iter().map(|p| p.to_str().unwrap()).collect();
    python(
        &[
            &[
                "-c",
                r#"
import sys, numpy as np
from PIL import Image, ImageDraw, ImageFont
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
rng = np.random.default_rng(11)
font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 30)
def mask(text):
    img = Image.new('L', (760, 120), 0)
    if text:
        ImageDraw.Draw(img).text((20, 40), 'NAME: MADEUP ZELDA  DOB: 03/02/1971', font=font, fill=255)
    return np.asarray(img) > 127
def save(path, ds, pixels):
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(None)
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(None), generate_uid(None)
    ds.Modality, ds.PatientName, ds.PatientID, ds.PatientIdentityRemoved = 'OT', '', '', 'YES'
    ds.ConversionType, ds.BurnedInAnnotation, ds.SamplesPerPixel = 'WSD', 'NO', 1
    if pixels.ndim == 3:
        ds.SamplesPerPixel, ds.PlanarConfiguration = pixels.shape[2], 0
    ds.Rows, ds.Columns = pixels.shape[:2]
    if 'PixelRepresentation' not in ds:
        ds.PixelRepresentation = 0
    ds.PixelData = pixels.tobytes()
    ds.save_as(path, enforce_file_format=True)
def parity(m, high):
    # Noise whose low bit is the text: even on the ground, odd in the glyphs.
    return ((rng.integers(0, high // 2, m.shape) * 2) + m).astype(np.uint16 if high > 256 else np.uint8)
paths = iter(sys.argv[1:])
for text in (True, False):
    m = mask(text); ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'PALETTE COLOR', 8, 8, 7
    lut = np.array([0 if i % 2 == 0 else 65535 for i in range(256)], np.uint16).tobytes()
    for c in ('Red', 'Green', 'Blue'):
        setattr(ds, c + 'PaletteColorLookupTableDescriptor', [256, 0, 16])
        setattr(ds, c + 'PaletteColorLookupTableData', lut)
    save(next(paths), ds, parity(m, 256))
for text in (True, False):
    m = mask(text); ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'MONOCHROME2', 16, 12, 11
    item = Dataset()
    item.add_new(0x00283002, 'US', [4096, 0, 16])
    item.ModalityLUTType = 'OD'
    item.add_new(0x00283006, 'US', [0 if i % 2 == 0 else 4095 for i in range(4096)])
    ds.ModalityLUTSequence = [item]
    save(next(paths), ds, parity(m, 4096))
for text in (True, False):
    m = mask(text); ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'MONOCHROME2', 16, 8, 7
    save(next(paths), ds, (rng.integers(0, 256, m.shape).astype(np.uint16) << 8) | (m * 255).astype(np.uint16))
for text in (True, False):
    m = mask(text); ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'MONOCHROME2', 16, 12, 11
    ds.WindowCenter, ds.WindowWidth = [100, 2000], [50, 4000]
    save(next(paths), ds, np.where(m, 3000, 1000).astype(np.uint16))
for text in (True, False):
    # Rows six times further apart than columns: stored squashed to a sixth of its height.
    m = mask(text)[::6]; ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'MONOCHROME2', 8, 8, 7
    ds.PixelAspectRatio = [6, 1]
    save(next(paths), ds, (m * 255).astype(np.uint8))
import random
from step_icc import step_profile, hidden_in_blue
for text in (True, False):
    m = mask(text); ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'RGB', 8, 8, 7
    ds.ICCProfile = step_profile()
    rgb = np.array(hidden_in_blue(m.flatten(), random.Random(7)), np.uint8).reshape(m.shape + (3,))
    save(next(paths), ds, rgb)
for text in (True, False):
    # High Bit 15 with 8 bits stored: the stored bits are the high byte (text), the low byte noise.
    m = mask(text); ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'MONOCHROME2', 16, 8, 15
    save(next(paths), ds, ((m * 255).astype(np.uint16) << 8) | rng.integers(0, 256, m.shape).astype(np.uint16))
for text in (True, False):
    # Noise whose lowest bit is the text, and nothing else: what a presentation state's LUT in
    # another file (odd values white, even black) shows.
    m = mask(text); ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'MONOCHROME2', 16, 12, 11
    save(next(paths), ds, parity(m, 4096))
for text in (True, False):
    # Signed values, as CT stores them (air is -1000): text drawn in negative values over a
    # positive ground, which a stretch of the words taken as unsigned shows as one shade.
    m = mask(text); ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'MONOCHROME2', 16, 16, 15
    ds.PixelRepresentation = 1
    save(next(paths), ds, np.where(m, -1000, 1000).astype(np.int16))
for text in (True, False):
    # The same under a window both values lie below: read stretched whole.
    m = mask(text); ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'MONOCHROME2', 16, 16, 15
    ds.PixelRepresentation, ds.WindowCenter, ds.WindowWidth = 1, 3000, 100
    save(next(paths), ds, np.where(m, -200, -3000).astype(np.int16))
for samples in (1, 3):
    # 32 bits a sample, as RT dose grids and some captures store them: text two values above its
    # ground, and one pixel so bright that a stretch from least to greatest shows one shade.
    for text in (True, False):
        m = mask(text); ds = Dataset()
        ds.PhotometricInterpretation = 'MONOCHROME2' if samples == 1 else 'RGB'
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 32, 32, 31
        grid = np.where(m, 1002, 1000).astype(np.uint32)
        grid[0, 0] = 4000000000
        save(next(paths), ds, grid if samples == 1 else np.stack([grid] * 3, axis=2))
"#,
            ][..],
            &args[..],
        ]
        .concat(),
    );
    let seen = check_json(&[], &paths);
    for (path, v) in paths.iter().zip(&seen) {
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.ends_with("_text.dcm") {
            assert_eq!(rules(v), ["burned-in-text"], "{name}: {v}");
        } else {
            assert_eq!(v["verdict"], "accept", "{name}: {v}");
        }
    }
}

/// Text drawn as lines a viewer draws over an image: a presentation state whose polylines are
/// the strokes of a name (as a viewer applying it shows them), a structure set whose contours
/// are those strokes in a coronal plane (lines, lying in no plane of their own), and one whose
/// closed contours are thin boxes spelling it in an axial plane, an RT plan whose beam's blocks
/// spell it, microscopy bulk annotations whose polygons do, and a surface segmentation whose
/// mesh's triangles do. Beside them a presentation
/// state with an arrow, a circle and an ellipse, and a structure set of two round structures
/// over twenty slices, accepted.
#[test]
fn lines_a_viewer_draws_are_read_as_it_draws_them() {
    let v = Vault::new();
    let names = [
        "gsps_text.dcm",
        "rtstruct_coronal_text.dcm",
        "rtstruct_axial_boxes.dcm",
        "rtplan_blocks.dcm",
        "bulk_annotations.dcm",
        "surface_mesh.dcm",
        "clean_gsps.dcm",
        "clean_rtstruct.dcm",
    ];
    let paths: Vec<PathBuf> = names.iter().map(|n| v.path(n)).collect();
    let script = r#"
import sys, math, numpy as np
from PIL import Image, ImageDraw, ImageFont
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 30)
img = Image.new('L', (760, 60), 0)
ImageDraw.Draw(img).text((10, 10), 'NAME: MADEUP ZELDA  DOB: 03/02/1971', font=font, fill=255)
ink = np.asarray(img) > 127
# Each row's runs of ink: (row, first column, last column).
runs = []
for r, row in enumerate(ink):
    c = 0
    while c < len(row):
        if row[c]:
            start = c
            while c < len(row) and row[c]:
                c += 1
            runs.append((r, start, c - 1))
        else:
            c += 1
def save(path, ds, sop):
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = sop
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(None)
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(None), generate_uid(None)
    ds.PatientName, ds.PatientID, ds.PatientIdentityRemoved = '', '', 'YES'
    ds.save_as(path, enforce_file_format=True)
def gsps(path, objects):
    ds = Dataset(); ds.Modality = 'PR'
    layer = Dataset(); layer.GraphicLayer = 'L1'; layer.GraphicLayerOrder = 1
    ds.GraphicLayerSequence = [layer]
    note = Dataset(); note.GraphicLayer = 'L1'; note.GraphicObjectSequence = objects
    ds.GraphicAnnotationSequence = [note]
    save(path, ds, '1.2.840.10008.5.1.4.1.1.11.1')
def graphic(kind, points):
    g = Dataset(); g.GraphicAnnotationUnits = 'PIXEL'; g.GraphicDimensions = 2
    g.NumberOfGraphicPoints = len(points) // 2; g.GraphicData = [float(p) for p in points]
    g.GraphicType = kind; g.GraphicFilled = 'N'
    return g
def rtstruct(path, rois):
    ds = Dataset(); ds.Modality = 'RTSTRUCT'
    ds.ROIContourSequence = []
    for number, contours in enumerate(rois, 1):
        item = Dataset(); item.ReferencedROINumber = number; item.ContourSequence = []
        for kind, pts in contours:
            c = Dataset(); c.ContourGeometricType = kind; c.NumberOfContourPoints = len(pts)
            c.ContourData = [float(x) for p in pts for x in p]
            item.ContourSequence.append(c)
        ds.ROIContourSequence.append(item)
    save(path, ds, '1.2.840.10008.5.1.4.1.1.481.3')
out = iter(sys.argv[1:])
gsps(next(out), [graphic('POLYLINE', [c0, r, c1 + 1, r]) for r, c0, c1 in runs])
# Coronal: x across, z up (a row lower on the screen is further feet-wards).
rtstruct(next(out), [[('OPEN_PLANAR', [(c0, 40.0, -r), (c1 + 1, 40.0, -r)]) for r, c0, c1 in runs]])
rtstruct(next(out), [[('CLOSED_PLANAR', [(c0, r, 5.0), (c1 + 1, r, 5.0), (c1 + 1, r + 1, 5.0), (c0, r + 1, 5.0)])
                      for r, c0, c1 in runs]])
# A beam's blocks, each a run of ink (the beam's eye view's y grows up the screen).
ds = Dataset(); ds.Modality = 'RTPLAN'
beam = Dataset(); beam.BeamNumber = 1; beam.BlockSequence = []
for r, c0, c1 in runs:
    block = Dataset(); block.BlockNumberOfPoints = 4
    block.BlockData = [float(x) for x in (c0, -r, c1 + 1, -r, c1 + 1, -r - 1, c0, -r - 1)]
    beam.BlockSequence.append(block)
ds.BeamSequence = [beam]
save(next(out), ds, '1.2.840.10008.5.1.4.1.1.481.5')
# Microscopy bulk annotations: a polygon a run, the index list counting coordinates.
ds = Dataset(); ds.Modality = 'SM'; ds.AnnotationCoordinateType = '2D'
group = Dataset(); group.AnnotationGroupNumber = 1; group.GraphicType = 'POLYGON'
group.NumberOfAnnotations = len(runs)
group.PointCoordinatesData = np.array([x for r, c0, c1 in runs for x in (c0, r, c1 + 1, r, c1 + 1, r + 1, c0, r + 1)],
                                      '<f4').tobytes()
group['PointCoordinatesData'].VR = 'OF'
group.LongPrimitivePointIndexList = np.array([1 + 8 * i for i in range(len(runs))], '<u4').tobytes()
group['LongPrimitivePointIndexList'].VR = 'OL'
ds.AnnotationGroupSequence = [group]
save(next(out), ds, '1.2.840.10008.5.1.4.1.1.91.1')
# A surface segmentation's mesh: two flat triangles a run, in the plane z = 0.
ds = Dataset(); ds.Modality = 'SEG'
points = Dataset()
points.PointCoordinatesData = np.array([x for r, c0, c1 in runs for p in ((c0, r), (c1 + 1, r), (c1 + 1, r + 1), (c0, r + 1))
                                        for x in (p[0], p[1], 0.0)], '<f4').tobytes()
points['PointCoordinatesData'].VR = 'OF'
mesh = Dataset()
mesh.LongTrianglePointIndexList = np.array([i for k in range(len(runs)) for i in
                                            (4 * k + 1, 4 * k + 2, 4 * k + 3, 4 * k + 1, 4 * k + 3, 4 * k + 4)],
                                           '<u4').tobytes()
mesh['LongTrianglePointIndexList'].VR = 'OL'
surface = Dataset(); surface.SurfaceNumber = 1
surface.SurfacePointsSequence = [points]; surface.SurfaceMeshPrimitivesSequence = [mesh]
ds.SurfaceSequence = [surface]
save(next(out), ds, '1.2.840.10008.5.1.4.1.1.66.5')
gsps(next(out), [graphic('POLYLINE', [100, 100, 300, 250, 280, 230, 300, 250, 270, 255]),
                 graphic('CIRCLE', [400, 200, 460, 200]),
                 graphic('ELLIPSE', [500, 300, 700, 300, 600, 250, 600, 350])])
def circle(cx, cy, z, radius):
    return ('CLOSED_PLANAR', [(cx + radius * math.cos(t / 20 * math.tau), cy + radius * math.sin(t / 20 * math.tau), z)
                              for t in range(20)])
rtstruct(next(out), [[circle(0, 0, z * 3.0, 30 * math.sqrt(max(1 - (z / 10) ** 2, 0.01))) for z in range(-9, 10)],
                     [circle(60, 20, z * 3.0, 12) for z in range(0, 20)]])
"#;
    made_by(script, &paths);
    let seen = check_json(&[], &paths);
    clean_accepted_others_refused_once_for(&names, &seen, "burned-in-text");
}

/// Letters drawn with characters in a text value (a banner of `#`s, `@`s or `X`s, as a terminal
/// shows it): a person reads the letters, so the gate draws the value and has OCR read it.
/// ImageComments (kept under Clean Descriptors, declared) with a name and a birth date, a name
/// labelled, and DerivationDescription with a record number in values split by `\`: refused
/// (`drawn-text`). So is the record number written upside down, written downwards, split
/// across three items of a structured report, with lines ended by NULs, and with no line ends
/// at all (each line padded to one width, for a window that wide to wrap). Beside them a banner
/// saying TEACHING FILE (with and without line ends) and a comment with a table's rules:
/// accepted.
#[test]
fn letters_drawn_with_characters_in_a_value_are_read_as_drawn() {
    let v = Vault::new();
    let names = [
        "banner_dob.dcm",
        "banner_labelled.dcm",
        "values_mrn.dcm",
        "upside_down.dcm",
        "downwards.dcm",
        "split_across_items.dcm",
        "nul_ended.dcm",
        "unwrapped.dcm",
        "clean_banner.dcm",
        "clean_table.dcm",
        "clean_unwrapped.dcm",
    ];
    let paths: Vec<PathBuf> = names.iter().map(|n| v.path(n)).collect();
    let script = r#"
import sys
from PIL import Image, ImageDraw, ImageFont
from pydicom.dataset import Dataset
import made
def banner(text, size=11, mark='#'):
    font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf', size)
    w = int(font.getlength(text)) + 4
    img = Image.new('1', (w, size + 4), 0)
    ImageDraw.Draw(img).text((2, 0), text, font=font, fill=1)
    return [''.join(mark if img.getpixel((x, y)) else ' ' for x in range(w)).rstrip() for y in range(size + 4)]
def save(path, **values):
    codes = []
    for value, meaning in [('113100', 'Basic Application Confidentiality Profile'),
                           ('113105', 'Clean Descriptors Option')]:
        c = Dataset(); c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning = value, 'DCM', meaning
        codes.append(c)
    made.save(path, made.header(DeidentificationMethodCodeSequence=codes, **values))
out = iter(sys.argv[1:])
save(next(out), ImageComments='\r\n'.join(banner('MADEUP ZELDA') + [''] + banner('DOB 03/02/1971')))
save(next(out), ImageComments='\r\n'.join(banner('NAME: ZELDA MADEUP', 12, '@')))
save(next(out), DerivationDescription='\\'.join(banner('MRN 4711913', 11, 'X')))
# Turned a half, and a quarter (written downwards: many lines hold a mark or two).
mrn = banner('MRN 4711913')
width = max(map(len, mrn))
save(next(out), ImageComments='\n'.join(l.ljust(width)[::-1].rstrip() for l in reversed(mrn)))
save(next(out), ImageComments='\n'.join(''.join(l.ljust(width)[x] * 2 for l in reversed(mrn)).rstrip()
                                        for x in range(width)))
# Split across the items of a structured report, three lines each.
items = []
for i in range(0, len(mrn), 3):
    item = Dataset(); item.RelationshipType, item.ValueType = 'CONTAINS', 'TEXT'
    item.TextValue = '\n'.join(mrn[i:i + 3]); items.append(item)
save(next(out), ContentSequence=items)
save(next(out), ImageComments='\0'.join(mrn))
# No line ends at all: each line as wide as the widest, for a window that wide to wrap.
save(next(out), ImageComments=''.join(l.ljust(width) for l in mrn))
save(next(out), ImageComments='\r\n'.join(banner('TEACHING FILE')))
save(next(out), ImageComments='Liver, segment VI\r\n----------------\r\nlesion | 12 mm\r\n----------------\r\nfollow-up 3 months')
teaching = banner('TEACHING FILE')
save(next(out), ImageComments=''.join(l.ljust(max(map(len, teaching))) for l in teaching))
"#;
    made_by(script, &paths);
    let seen = check_json(&[], &paths);
    clean_accepted_others_refused_for(&names, &seen, "drawn-text");
    for (name, v) in names.iter().zip(&seen).filter(|(n, _)| !n.starts_with("clean")) {
        let location = v["reasons"][0]["where"].as_str().unwrap();
        assert!(location.starts_with("lines "), "{name}: {v}");
    }
}

/// Letters made of small separate marks, which OCR reads as nothing or as specks: a banner
/// drawn with `#`s in a small font (ASCII art in the pixels), letters whose every other pixel is
/// dark (a halftone), and letters struck through by a grid of one-pixel lines every third
/// pixel. A person reads them from a step back; the gate reads each frame from afar too
/// (halved and blurred) and refuses them.
#[test]
fn letters_made_of_small_marks_are_read_from_afar() {
    let v = Vault::new();
    let names = ["ascii_art.dcm", "halftone.dcm", "grid.dcm"];
    let paths: Vec<PathBuf> = names.iter().map(|n| v.path(n)).collect();
    let script = r#"
import sys, numpy as np
from PIL import Image, ImageDraw, ImageFont
import made
SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'
MONO = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf'
LINES = ['NAME: MADEUP ZELDA', 'DOB: 1971-02-03', 'MRN: 4711913']
def text(size, fs, font=SANS, lines=LINES, step=None, at=(20, 20)):
    img = Image.new('L', size, 0)
    d, f = ImageDraw.Draw(img), ImageFont.truetype(font, fs)
    for i, line in enumerate(lines):
        d.text((at[0], at[1] + i * (step or fs + 12)), line, fill=255, font=f)
    return np.asarray(img).copy()
def save(path, pixels):
    made.save(path, made.grey(made.header(ConversionType='WSD'), pixels))
out = iter(sys.argv[1:])
# Each pixel of small letters drawn as a # in an 8-point monospaced font.
small = text((150, 44), 11, MONO, ['MADEUP ZELDA', '1971-02-03', '4711913'], step=13, at=(2, 1)) > 100
art = ['' .join('#' if on else ' ' for on in row).rstrip() for row in small]
big = Image.new('L', (150 * 5 + 10, len(art) * 9 + 10), 0)
d, f = ImageDraw.Draw(big), ImageFont.truetype(MONO, 8)
for i, line in enumerate(art):
    d.text((5, 5 + i * 9), line, fill=255, font=f)
save(next(out), np.asarray(big))
a = text((460, 160), 30)
yy, xx = np.mgrid[0:a.shape[0], 0:a.shape[1]]
a[((yy % 2) + (xx % 2)) != 0] = 0
save(next(out), a)
a = text((460, 160), 30)
a[::3, :] = 0
a[:, ::3] = 0
save(next(out), a)
"#;
    made_by(script, &paths);
    let seen = check_json(&[], &paths);
    clean_accepted_others_refused_for(&names, &seen, "burned-in-text");
}

/// A cine reads five frames one by one (the first, the last and evenly between); the rest are
/// read laid over one another, the lightest and the darkest of each pixel. A name shown in the
/// second of nine frames is refused, the region naming that frame; nine frames of moving
/// speckle with no text are accepted.
#[test]
fn a_frame_between_those_read_one_by_one_is_read_in_the_overlay() {
    let v = Vault::new();
    let names = ["cine_frame2.dcm", "clean_speckle_cine.dcm"];
    let paths: Vec<PathBuf> = names.iter().map(|n| v.path(n)).collect();
    let script = r#"
import sys, numpy as np
from PIL import Image, ImageDraw, ImageFont
import made
def save(path, frames):
    made.save(path, made.grey(made.header(made.MULTIFRAME_SECONDARY_CAPTURE, ConversionType='WSD'), frames))
img = Image.new('L', (560, 160), 0)
ImageDraw.Draw(img).text((20, 50), 'NAME: MADEUP ZELDA  DOB: 03/02/1971',
                         font=ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 24), fill=255)
text = np.asarray(img)
frames = [np.zeros_like(text) for _ in range(9)]
frames[1] = text
out = iter(sys.argv[1:])
save(next(out), frames)
rng = np.random.default_rng(7)
yy, xx = np.mgrid[0:160, 0:560]
sector = ((xx - 280) ** 2 + (yy + 40) ** 2 < 190 ** 2)
save(next(out), [np.where(sector, rng.gamma(2.0, 40.0, (160, 560)).clip(0, 255), 0) for _ in range(9)])
"#;
    made_by(script, &paths);
    let seen = check_json(&[], &paths);
    assert_eq!(rules(&seen[0]), ["burned-in-text"], "{}", seen[0]);
    assert_eq!(seen[0]["reasons"][0]["region"]["frame"], 2, "{}", seen[0]);
    assert_eq!(seen[1]["verdict"], "accept", "{}", seen[1]);
}

/// Text tilted by other than a quarter turn (a person tilts their head): three lines of a name,
/// a birth date and a record number turned 20, 35, 50 and 65 degrees (and -40, falling) are
/// refused: each frame's lines are found sloping and read levelled. One file holds the text
/// turned 40 degrees in the second of three frames; another turned 35 degrees in a corner of a
/// picture of steep stripes (whose own slope bunches best: the image's tiles find the text's).
#[test]
fn text_tilted_at_any_angle_is_read_levelled() {
    let v = Vault::new();
    let angles = [20, 35, 50, 65, -40];
    let mut paths: Vec<PathBuf> = angles.iter().map(|a| v.path(&format!("tilted_{a}.dcm"))).collect();
    paths.push(v.path("cine_tilted_40.dcm"));
    paths.push(v.path("striped_tilted_35.dcm"));
    let script = r#"
import sys, numpy as np
from PIL import Image, ImageDraw, ImageFont
import made
font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 26)
img = Image.new('L', (460, 160), 0)
for i, line in enumerate(['NAME: MADEUP ZELDA', 'DOB: 1971-02-03', 'MRN: 4711913']):
    ImageDraw.Draw(img).text((20, 15 + i * 45), line, font=font, fill=255)
for path in sys.argv[1:]:
    angle = int(path.rsplit('_', 1)[1].split('.')[0])
    pixels = np.asarray(img.rotate(angle, expand=True, resample=Image.BICUBIC, fillcolor=0))
    if 'striped' in path:
        # Over a picture of stripes falling steeply, which bunch far better at their own slope.
        ground = np.zeros((700, 700), np.uint8)
        yy, xx = np.mgrid[0:700, 0:700]
        ground[((xx * 94 + yy * 34) // 100) % 14 < 3] = 255
        ground[350:, 150:620] = 0
        h, w = pixels.shape
        ground[690 - h:690, 160:160 + w] |= pixels
        made.save(path, made.grey(made.header(ConversionType='WSD'), ground))
    elif 'cine' in path:
        frames = [np.zeros_like(pixels), pixels, np.zeros_like(pixels)]
        made.save(path, made.grey(made.header(made.MULTIFRAME_SECONDARY_CAPTURE, ConversionType='WSD'), frames))
    else:
        made.save(path, made.grey(made.header(ConversionType='WSD'), pixels))
"#;
    made_by(script, &paths);
    let seen = check_json(&[], &paths);
    let names: Vec<&str> = paths.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
    clean_accepted_others_refused_for(&names, &seen, "burned-in-text");
    assert_eq!(seen[5]["reasons"][0]["region"]["frame"], 2, "{}", seen[5]);
}

/// Original grey CT, MR and PET slices are not read (they seldom carry text and are most of a
/// study), and only they: a digital X-ray or a photograph whose header says CT, ORIGINAL, is
/// read and refused for the text in its pixels. The slice with the same text is accepted, as
/// the README says: what the exemption costs.
#[test]
fn only_a_real_slice_class_is_spared_reading() {
    let v = Vault::new();
    let names = ["ct_slice.dcm", "dx_says_ct.dcm", "photo_says_ct.dcm"];
    let paths: Vec<PathBuf> = names.iter().map(|n| v.path(n)).collect();
    let script = r#"
import sys, numpy as np
from PIL import Image, ImageDraw, ImageFont
import made
font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 30)
img = Image.new('L', (760, 120), 0)
ImageDraw.Draw(img).text((20, 40), 'NAME: MADEUP ZELDA  DOB: 03/02/1971', font=font, fill=255)
pixels = np.asarray(img).astype(np.uint8)
for path, sop in zip(sys.argv[1:], ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.1.1',
                                    '1.2.840.10008.5.1.4.1.1.77.1.4']):
    ds = made.header(sop, Modality='CT', ImageType=['ORIGINAL', 'PRIMARY', 'AXIAL'])
    made.save(path, made.grey(ds, pixels))
"#;
    made_by(script, &paths);
    let seen = check_json(&[], &paths);
    assert_eq!(seen[0]["verdict"], "accept", "the CT slice is not read: {}", seen[0]);
    for (name, v) in names.iter().zip(&seen).skip(1) {
        assert_eq!(rules(v), ["burned-in-text"], "{name}: {v}");
    }
}

/// An encapsulated frame whose Extended Offset Table starts it at its second fragment: pydicom
/// decodes that fragment (a card with a name), dicom-pixeldata the first (a blank): refused as
/// pixels readers disagree on. The same file with its table starting at the first fragment, as
/// writers make it, is read and accepted.
#[test]
fn an_offset_table_that_skips_a_fragment_is_refused() {
    let v = Vault::new();
    let paths = [v.path("skips.dcm"), v.path("in_order.dcm")];
    let script = r#"
import io, struct, sys
from PIL import Image, ImageDraw, ImageFont
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGBaseline8Bit, generate_uid
font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 30)
def jpeg(text):
    img = Image.new('L', (760, 120), 0)
    if text:
        ImageDraw.Draw(img).text((20, 40), 'NAME: MADEUP ZELDA  DOB: 03/02/1971', font=font, fill=255)
    out = io.BytesIO(); img.save(out, 'JPEG', quality=95); return out.getvalue()
blank, card = jpeg(False), jpeg(True)
for path, first in zip(sys.argv[1:], [8 + len(blank) + len(blank) % 2, 0]):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(None)
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(None), generate_uid(None)
    ds.Modality, ds.PatientName, ds.PatientID, ds.PatientIdentityRemoved = 'OT', '', '', 'YES'
    ds.BurnedInAnnotation = 'NO'
    ds.PhotometricInterpretation, ds.SamplesPerPixel = 'MONOCHROME2', 1
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.Rows, ds.Columns = 120, 760
    ds.PixelData = encapsulate([blank, card] if first else [blank], has_bot=False)
    ds['PixelData'].VR = 'OB'
    ds.ExtendedOffsetTable = struct.pack('<Q', first)
    ds.ExtendedOffsetTableLengths = struct.pack('<Q', len(card) if first else len(blank))
    ds.save_as(path, enforce_file_format=True)
"#;
    made_by(script, &paths);
    let seen = check_json(&[], &paths);
    assert_eq!(rules(&seen[0]), ["burned-in-unread"], "{}", seen[0]);
    assert_eq!(seen[1]["verdict"], "accept", "{}", seen[1]);
}

/// The counts `tests/ocr/score.py` makes of a check of the synthetic set.
fn score(verdicts: &[serde_json::Value], labels: &Path) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("check.jsonl");
    let lines: Vec<String> = verdicts.iter().map(|v| v.to_string()).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = python(&[
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ocr/score.py"),
        labels.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    serde_json::from_str(&out).unwrap()
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e != "jsonl"))
        .collect();
    files.sort();
    files
}

/// Recall and false refusals on the synthetic set. The bounds are what vault measured when this
/// test was written (README, "Burned-in text"), less a margin for Tesseract's versions: a change
/// that reads less fails here.
#[test]
fn the_synthetic_set_is_read_with_the_measured_recall_and_few_false_refusals() {
    let set = synthetic();
    let verdicts = check_json(&[], &files_of(set));
    let s = score(&verdicts, &set.join("labels.jsonl"));
    let by = &s["by"];
    eprintln!(
        "synthetic set: {} identity-shaped items, {} found (recall {}; over a plain ground {}/{}, over the picture {}/{}); \
         {} clean images, {} refused",
        s["shaped_items"],
        s["shaped_found"],
        s["shaped_recall"],
        by["ground plain"]["found"],
        by["ground plain"]["items"],
        by["ground picture"]["found"],
        by["ground picture"]["items"],
        s["clean_files"],
        s["clean_refused"],
    );
    assert!(s["shaped_items"].as_u64().unwrap() >= 200 && s["clean_files"].as_u64().unwrap() >= 60, "{s}");
    assert!(s["shaped_recall"].as_f64().unwrap() >= 0.92, "recall fell: {s}");
    let picture = &by["ground picture"];
    assert!(
        picture["found"].as_f64().unwrap() >= 0.8 * picture["items"].as_f64().unwrap(),
        "over the picture: {s}"
    );
    assert!(s["false_refusal_rate"].as_f64().unwrap() <= 0.02, "clean images refused: {s}");
    // Every identifying file with a shaped item is refused or not, and never for a reason other
    // than its pixels (its header is clean).
    for v in &verdicts {
        for rule in rules(v) {
            assert!(rule == "burned-in-text", "{rule} in {}", v["path"]);
        }
    }
}

#[test]
fn scrub_redact_auto_leaves_nothing_legible_that_an_independent_reading_finds() {
    let set = synthetic();
    let v = Vault::new();
    // The DICOM images as they were before scrubbing (their headers name the patient, so the
    // scrub knows the values to look for), and the image files as they are.
    // Half of the set, chosen by a hash of each name so that no class the set's maker cycles
    // through is left out (scrubbing, reading again and the independent reading cost about 11
    // processor seconds an image, and CI has two cores; the recall test reads all of it).
    let mut inputs = files_of(&set.join("header"));
    inputs.extend(files_of(set).into_iter().filter(|p| p.extension().is_some_and(|e| e != "dcm")));
    inputs.retain(|p| blake3::hash(p.file_name().unwrap().as_encoded_bytes()).as_bytes()[0] & 1 == 0);
    assert!(inputs.len() >= 90, "only {} inputs", inputs.len());
    let out = v.path("out");
    let mut cmd = v.command(&["scrub", "--json", "--redact", "auto", "--key-file", "key", "--out"]);
    cmd.arg(&out).args(&inputs);
    let run = cmd.output().unwrap();
    assert!(matches!(run.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&run.stderr));
    let results: Vec<serde_json::Value> =
        String::from_utf8_lossy(&run.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let written = results.iter().filter(|r| r["result"] == "scrubbed" || r["result"] == "copied").count();
    let refused: Vec<&serde_json::Value> = results.iter().filter(|r| r["result"] == "refused").collect();
    // A refusal names the file and why (rules, regions), never a value.
    for r in &refused {
        assert!(!r["reasons"].as_array().unwrap().is_empty(), "{r}");
    }
    let legible = python(&[
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ocr/legible.py"),
        set.join("labels.jsonl").to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    let legible: serde_json::Value = serde_json::from_str(&legible).unwrap();
    eprintln!(
        "scrub --redact auto: {} inputs, {written} written, {} refused; the independent reading read {} outputs: {}",
        inputs.len(),
        refused.len(),
        legible["read"],
        legible["legible"]
    );
    assert!(
        written * 10 >= inputs.len() * 8,
        "most images are redacted, not refused: {written} of {}",
        inputs.len()
    );
    assert_eq!(legible["legible"], serde_json::json!({}), "a value is still legible");
    // And the gate passes the outputs as written. The scrub judged each with the gate's own
    // function before writing it, so a sample tells whether the file on disk is what was judged:
    // every other output of an image that showed a patient (a reading costs about 3 processor
    // seconds an image, and CI has two cores).
    let labels = std::fs::read_to_string(set.join("labels.jsonl")).unwrap();
    let shown: Vec<PathBuf> = labels
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l["clean"] == false)
        .map(|l| out.join(l["file"].as_str().unwrap()))
        .filter(|p| p.exists())
        .step_by(2)
        .collect();
    assert!(shown.len() * 5 >= written, "{} of {written} outputs sampled", shown.len());
    let again = check_json(&[], &shown);
    assert!(again.iter().all(|v| v["verdict"] == "accept"), "{again:?}");
}

#[test]
fn without_the_ocr_engine_an_image_that_needs_reading_is_refused_naming_the_tool() {
    let set = synthetic();
    let v = Vault::new();
    // A US image (read) and a CT original slice (not read): PATH without tesseract.
    let empty = v.path("bin");
    std::fs::create_dir(&empty).unwrap();
    let ct = v.path("ct.dcm");
    std::fs::write(&ct, common::dicom::part10(common::dicom::conformant(), "1.2.840.10008.1.2.1")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vault"))
        .args(["check", "--json"])
        .arg(set.join("000.dcm"))
        .arg(&ct)
        .env("PATH", &empty)
        .output()
        .unwrap();
    let seen: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rules(&seen[0]), ["burned-in-unread"]);
    assert!(seen[0]["reasons"][0]["detail"].as_str().unwrap().contains("tesseract-ocr"), "{}", seen[0]);
    assert_eq!(seen[1]["verdict"], "accept", "{}", seen[1]);
    // With OCR off in the policy, the header decides: a US image that does not say
    // BurnedInAnnotation NO is refused as likely to carry it.
    let policy = v.path("policy.json");
    std::fs::write(&policy, r#"{"ocr": false}"#).unwrap();
    let us = check_json(&["--policy", policy.to_str().unwrap()], &[set.join("000.dcm")]);
    assert!(rules(&us[0]).iter().all(|r| r.starts_with("burned-in-")), "{}", us[0]);
}

/// A stand-in on PATH for `tesseract` that counts its calls and runs the real one.
fn counting_tesseract(dir: &Path) -> (PathBuf, PathBuf) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.join("calls");
    let real =
        String::from_utf8(Command::new("sh").args(["-c", "command -v tesseract"]).output().unwrap().stdout)
            .unwrap();
    let script = format!("#!/bin/sh\necho call >> {}\nexec {} \"$@\"\n", log.display(), real.trim());
    let shim = bin.join("tesseract");
    std::fs::write(&shim, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    (bin, log)
}

fn reads(log: &Path) -> usize {
    std::fs::read_to_string(log).map(|s| s.lines().count()).unwrap_or(0)
}

#[test]
fn a_vault_remembers_what_ocr_saw_so_a_second_door_reads_no_pixels() {
    let set = synthetic();
    let v = Vault::new();
    v.init_image("v.img", "64M");
    let (bin, log) = counting_tesseract(v.dir.path());
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    // A clean US image (the first clean file of the set that is DICOM).
    let labels = std::fs::read_to_string(set.join("labels.jsonl")).unwrap();
    let clean = labels
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|l| l["clean"] == true && l["format"] == "us_rgb")
        .unwrap();
    let file = set.join(clean["file"].as_str().unwrap());
    let import = |dest: &str| {
        let out = v
            .command(&[
                "import",
                "--passphrase-file",
                "pass",
                file.to_str().unwrap(),
                &format!("v.img:/{dest}"),
            ])
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    import("a.dcm");
    let first = reads(&log);
    assert!(first >= 3, "the first door reads the pixels ({first} engine runs)");
    import("b.dcm");
    // `--version` and `--list-langs` once each, then nothing: the frame is remembered.
    assert_eq!(reads(&log), first + 2, "the second door read the pixels again");
}

/// A secondary capture with a name and a birth date burned in, written as DICOM JSON (pydicom's
/// `to_json`, the pixels as InlineBinary) and as the Native DICOM Model's XML (dcmtk's `dcm2xml
/// -nat +Eb`), and as the second data set of a JSON array whose first has empty pixel data: a
/// reader decodes the pixels and shows the text (an adversary's round,
/// 2026-12-06, found them passed unread). Each is read as the image its elements describe;
/// the same capture without the text passes in both encodings.
#[test]
fn pixels_in_dicom_json_and_xml_are_read_as_an_image() {
    let v = Vault::new();
    let names = ["capture.dcm", "clean_capture.dcm"];
    let paths: Vec<PathBuf> = names.iter().map(|n| v.path(n)).collect();
    made_by(
        r#"
import sys, json, numpy as np
from PIL import Image, ImageDraw, ImageFont
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian
font = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 30)
for n, (path, text) in enumerate(zip(sys.argv[1:], (True, False))):
    img = Image.new('L', (760, 120), 20)
    ImageDraw.Draw(img).ellipse((300, 10, 420, 110), fill=90)
    if text:
        ImageDraw.Draw(img).text((20, 40), 'NAME: MADEUP ZELDA  DOB: 03/02/1971', font=font, fill=235)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = '2.25.%d' % (10**36 + n)
    ds.StudyInstanceUID, ds.SeriesInstanceUID = '2.25.%d' % (10**37 + n), '2.25.%d' % (10**37 + 7 + n)
    ds.Modality, ds.PatientName, ds.PatientID, ds.PatientIdentityRemoved = 'OT', '', '', 'YES'
    ds.ConversionType, ds.BurnedInAnnotation, ds.SamplesPerPixel = 'WSD', 'NO', 1
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 'MONOCHROME2', 8, 8, 7
    ds.PixelRepresentation, ds.Rows, ds.Columns = 0, 120, 760
    ds.PixelData = np.asarray(img).tobytes()
    ds.save_as(path, enforce_file_format=True)
    with open(path[:-4] + '.json', 'w') as f:
        f.write(ds.to_json(bulk_data_threshold=1 << 30))
    # An array whose first data set's pixel data is empty, and whose second is the capture.
    with open(path[:-4] + '_array.json', 'w') as f:
        f.write('[{"7FE00010": {"vr": "OB", "InlineBinary": ""}}, ' + ds.to_json(bulk_data_threshold=1 << 30) + ']')
"#,
        &paths,
    );
    let mut all = Vec::new();
    for path in &paths {
        let xml = path.with_extension("xml");
        let out = Command::new("dcm2xml").args(["-nat", "+Eb"]).arg(path).arg(&xml).output().unwrap();
        assert!(out.status.success(), "dcm2xml: {}", String::from_utf8_lossy(&out.stderr));
        assert!(std::fs::read_to_string(&xml).unwrap().contains("InlineBinary"));
        let array =
            path.with_file_name(format!("{}_array.json", path.file_stem().unwrap().to_str().unwrap()));
        all.extend([path.with_extension("json"), array, xml]);
    }
    let seen = check_json(&[], &all);
    for (path, v) in all.iter().zip(&seen) {
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.starts_with("clean") {
            assert_eq!(v["verdict"], "accept", "{name}: {v}");
        } else {
            assert!(rules(v).iter().any(|r| r == "burned-in-text"), "{name}: {v}");
        }
    }
}
