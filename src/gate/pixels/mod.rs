//! The pixels OCR reads: frames of DICOM pixel data (decoded through dicom-pixeldata, every
//! photometric interpretation, to 8-bit grey) and images in the common file formats (through
//! the `image` crate). A multi-frame image is read on its first frame and a sample of the rest
//! ([`sample`]); what cannot be decoded, or would take more memory than [`MAX_FRAME_BYTES`] to,
//! is an error the gate refuses on, never a pass.

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject, OpenFileOptions};
use dicom_pixeldata::{ConvertOptions, PixelDecoder};

use crate::ocr::Frame;

mod files;
pub use files::{colour_managed, image_format, image_frames, tga, tiff_directory, unread_format};

/// The elements that give native pixel data its size: rows, columns, bits allocated, samples per
/// pixel, frames.
pub const GEOMETRY: [Tag; 5] =
    [tags::ROWS, tags::COLUMNS, tags::BITS_ALLOCATED, tags::SAMPLES_PER_PIXEL, tags::NUMBER_OF_FRAMES];

/// The bytes the frames of native pixel data take (padded to even length), given the values of
/// [`GEOMETRY`] (samples and frames default to 1).
pub fn native_len([rows, columns, bits, samples, frames]: [Option<u64>; 5]) -> Option<u64> {
    let bits = rows?.checked_mul(columns?)?.checked_mul(bits?)?.checked_mul(samples.unwrap_or(1))?;
    let bytes = bits.div_ceil(8).checked_mul(frames.unwrap_or(1).max(1))?;
    Some(bytes + bytes % 2)
}

/// The most frames of one image that are read one by one: the first, the last and evenly
/// between (the rest are read laid over one another: [`super::overlaid`]).
pub const SAMPLED_FRAMES: u32 = 5;

/// The largest decoded frame read (rows x columns x samples x bytes a sample): a frame that
/// claims more is refused unread, so that a header cannot make a decoder allocate gigabytes.
pub const MAX_FRAME_BYTES: u64 = 256 << 20;

/// The most pixels of one frame read (a frame of 8000 x 5000): OCR's renderings take about
/// twenty bytes a pixel, and a mount has more to do than read one image.
pub const MAX_FRAME_PIXELS: u64 = 40_000_000;

/// Why pixels could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unread {
    /// Pixel data (or an image) this vault cannot decode.
    Undecodable,
    /// Frames larger than [`MAX_FRAME_BYTES`].
    TooLarge,
}

impl Unread {
    pub fn describe(self) -> &'static str {
        match self {
            Unread::Undecodable => "pixels this vault cannot decode",
            Unread::TooLarge => "frames too large to read",
        }
    }
}

/// The frames read of `count`: the first, the last and evenly between, at most
/// [`SAMPLED_FRAMES`], in order (0-based).
pub fn sample(count: u32) -> Vec<u32> {
    if count <= SAMPLED_FRAMES {
        return (0..count).collect();
    }
    let last = u64::from(count - 1);
    let mut out: Vec<u32> =
        (0..u64::from(SAMPLED_FRAMES)).map(|i| (i * last / u64::from(SAMPLED_FRAMES - 1)) as u32).collect();
    out.dedup();
    out
}

/// Where a DICOM data set is: a Part 10 file (from its preamble or from `DICM`), or a data set
/// with no meta group at `at`, in a transfer syntax.
#[derive(Clone, Copy, Debug)]
pub enum DataSet<'a> {
    Part10 { bytes: &'a [u8], preamble: bool },
    Raw { bytes: &'a [u8], at: usize, transfer_syntax: &'static str },
}

fn number(obj: &InMemDicomObject, tag: dicom_core::Tag) -> u64 {
    obj.element(tag)
        .ok()
        .and_then(|e| e.value().to_int::<u64>().ok().or_else(|| e.value().to_str().ok()?.trim().parse().ok()))
        .unwrap_or(0)
}

/// A data set the gate's own reading has read to the end, opened with dicom-object (which
/// sizes what it reads by the lengths the bytes declare).
pub fn open(data: DataSet<'_>) -> Result<dicom_object::DefaultDicomObject, Unread> {
    use dicom_object::file::ReadPreamble;
    match data {
        DataSet::Part10 { bytes, preamble } => OpenFileOptions::new()
            .read_preamble(if preamble { ReadPreamble::Always } else { ReadPreamble::Never })
            .from_reader(bytes)
            .map_err(|_| Unread::Undecodable),
        DataSet::Raw { bytes, at, transfer_syntax } => {
            use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
            let ts = dicom_transfer_syntax_registry::TransferSyntaxRegistry
                .get(transfer_syntax)
                .ok_or(Unread::Undecodable)?;
            let obj =
                InMemDicomObject::read_dataset_with_ts(&bytes[at..], ts).map_err(|_| Unread::Undecodable)?;
            // A meta group only for the decoder (it wants the transfer syntax from there).
            let meta = FileMetaTableBuilder::new()
                .transfer_syntax(transfer_syntax)
                .media_storage_sop_class_uid("1.2.840.10008.5.1.4.1.1.7")
                .media_storage_sop_instance_uid("2.25.1");
            obj.with_meta(meta).map_err(|_| Unread::Undecodable)
        }
    }
}

/// The sampled frames of a data set's pixel data, each as 8-bit grey with its number (0-based).
/// Only for bytes the gate's own reading has read to the end: dicom-object sizes what it reads
/// by the lengths the bytes declare.
pub fn dicom_frames(data: DataSet<'_>) -> Result<Vec<(u32, Frame)>, Unread> {
    // The decoder panics on some headers it should refuse (a VOI LUT of more bits than the
    // image's, adversary round 16): such pixels are pixels it cannot decode, and the door that
    // asked goes on.
    DECODING.with(|d| d.set(true));
    let frames = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| frames_of(data)));
    DECODING.with(|d| d.set(false));
    frames.unwrap_or(Err(Unread::Undecodable))
}

thread_local!(static DECODING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });

/// Keeps the decoder's panics ([`dicom_frames`] turns them into [`Unread::Undecodable`]) off
/// standard error: the refusal says what happened, and a backtrace on a terminal would only
/// alarm. Every other panic is reported as before. A process-wide hook, so the binary installs
/// it once at start-up; a library never sets one behind its caller's back.
pub fn quiet_decoder_panics() {
    let before = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !DECODING.with(std::cell::Cell::get) {
            before(info);
        }
    }));
}

fn frames_of(data: DataSet<'_>) -> Result<Vec<(u32, Frame)>, Unread> {
    let file = open(data)?;
    if !offsets_start_at_the_first_fragment(&file) {
        return Err(Unread::Undecodable);
    }
    let (rows, columns) = (number(&file, tags::ROWS), number(&file, tags::COLUMNS));
    if rows == 0 || columns == 0 {
        return Err(Unread::Undecodable);
    }
    // Checked: the header's numbers are the file's to choose.
    let samples = number(&file, tags::SAMPLES_PER_PIXEL).max(1);
    let sample_bytes = number(&file, tags::BITS_ALLOCATED).div_ceil(8).max(1);
    let pixels = rows.checked_mul(columns);
    let frame_bytes = pixels.and_then(|p| p.checked_mul(samples)).and_then(|b| b.checked_mul(sample_bytes));
    if pixels.is_none_or(|p| p > MAX_FRAME_PIXELS) || frame_bytes.is_none_or(|b| b > MAX_FRAME_BYTES) {
        return Err(Unread::TooLarge);
    }
    let count = number(&file, tags::NUMBER_OF_FRAMES).clamp(1, u64::from(u32::MAX)) as u32;
    let options = ConvertOptions::new().force_8bit();
    let mut out = Vec::new();
    let photometric = file
        .element(tags::PHOTOMETRIC_INTERPRETATION)
        .ok()
        .and_then(|e| e.value().to_str().ok().map(|s| s.trim().to_string()));
    // A window or a VOI LUT can hide text (every value it shows past its ends is one shade): the
    // pixels are read through it, as a viewer first shows them, and stretched whole besides.
    let windowed = file.get(tags::WINDOW_CENTER).is_some() || file.get(tags::VOILUT_SEQUENCE).is_some();
    let aspect = aspect_ratio(&file);
    let icc = file.get(tags::ICC_PROFILE).and_then(|e| e.value().to_bytes().ok()).map(|b| b.into_owned());
    let mut shown = Vec::new();
    for f in sample(count) {
        let decoded = file.decode_pixel_data_frame(f);
        let mut wide_frames = decoded.as_ref().ok().map(wide).unwrap_or_default();
        let read = match decoded.as_ref().map(|d| d.to_dynamic_image_with_options(0, &options)) {
            Ok(Ok(image)) => {
                // As a viewer shows it: its pixels' shape, its colours through its ICC profile.
                let shaped = to_aspect(&image, aspect);
                shown.extend(shaped.as_ref().map(frame));
                shown.extend(icc.as_ref().and_then(|icc| colour_managed(icc, &image)));
                frame(&image)
            }
            // Native YBR_FULL_422, as ultrasound machines write it, which dicom-pixeldata does
            // not decode.
            _ if photometric.as_deref() == Some("YBR_FULL_422") => native_ybr_422(&file, f)?,
            _ if !wide_frames.is_empty() => {
                let first = wide_frames.remove(0);
                shown.append(&mut wide_frames);
                first
            }
            _ => return Err(Unread::Undecodable),
        };
        out.push((f, read));
        out.extend(shown.drain(..).map(|s| (f, s)));
        let Ok(decoded) = decoded else { continue };
        // Signed values stretched whole are read by `displayed`: dicom-pixeldata's stretch
        // measures them as unsigned words.
        if windowed && !signed(&decoded) && !shows_every_value(&decoded) {
            let whole = options.clone().with_voi_lut(dicom_pixeldata::VoiLutOption::Normalize);
            if let Ok(image) = decoded.to_dynamic_image_with_options(0, &whole) {
                out.push((f, frame(&image)));
            }
        }
        out.extend(displayed(&file, &decoded).into_iter().map(|shown| (f, shown)));
    }
    out.extend(super::overlaid::dicom_overlays(&file, count, &sample(count)));
    Ok(out)
}

/// True when an encapsulated image's offset tables (the Basic Offset Table in its first item,
/// the Extended Offset Table beside it) start its first frame at its first fragment, and go
/// on in order, as every writer makes them. Readers differ on which they follow (pydicom the
/// extended table, dicom-pixeldata the fragments): an offset that skips a fragment shows one
/// reader a frame the other never decodes.
fn offsets_start_at_the_first_fragment(file: &dicom_object::DefaultDicomObject) -> bool {
    let in_order =
        |offsets: &[u64]| offsets.first().is_none_or(|&o| o == 0) && offsets.windows(2).all(|w| w[0] < w[1]);
    let basic = file.get(tags::PIXEL_DATA).and_then(|e| {
        e.value().offset_table().map(|t| t.iter().map(|&o| u64::from(o)).collect::<Vec<u64>>())
    });
    let extended = file.get(tags::EXTENDED_OFFSET_TABLE).map(|e| match e.value().primitive() {
        Some(dicom_core::PrimitiveValue::U8(b)) => {
            b.chunks_exact(8).map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default())).collect()
        }
        _ => e.value().to_multi_int::<u64>().unwrap_or_else(|_| vec![1]),
    });
    basic.as_deref().is_none_or(in_order) && extended.as_deref().is_none_or(in_order)
}

/// True when the first window spans every value the stored bits can take (after the rescale):
/// then it shows what the values stretched whole show, and one reading is enough. False when
/// the file has a VOI LUT instead, or a window that leaves values out.
fn shows_every_value(d: &dicom_pixeldata::DecodedPixelData<'_>) -> bool {
    let Ok(Some([window, ..])) = d.window() else { return false };
    let rescale = d.rescale().ok().and_then(|r| r.first().copied());
    let (slope, intercept) = rescale.map_or((1.0, 0.0), |r| (r.slope, r.intercept));
    let top = f64::from((1u32 << d.bits_stored().min(31)) - 1);
    let (low, high) = if signed(d) { (-(top + 1.0) / 2.0, (top - 1.0) / 2.0) } else { (0.0, top) };
    let ends = [low * slope + intercept, high * slope + intercept];
    let (least, most) = (ends[0].min(ends[1]), ends[0].max(ends[1]));
    window.center - window.width / 2.0 <= least && window.center + window.width / 2.0 >= most
}

/// What a viewer shows of a frame of one sample a pixel that dicom-pixeldata's image does not:
/// the colours a PALETTE COLOR image's palette gives its indices; the values a Modality LUT
/// Sequence maps the stored ones to; signed values stretched whole; the stored values with the
/// bits above Bits Stored masked off (a viewer ignores them: noise there hides the text in the
/// bits below); and the
/// bit planes that hold a picture under noise ([`hidden_planes`]). Each as a frame of its own,
/// only where the file has what makes it differ.
fn displayed(
    file: &dicom_object::DefaultDicomObject,
    d: &dicom_pixeldata::DecodedPixelData<'_>,
) -> Vec<Frame> {
    let palette =
        matches!(d.photometric_interpretation(), dicom_pixeldata::PhotometricInterpretation::PaletteColor);
    let modality = file
        .get(tags::MODALITY_LUT_SEQUENCE)
        .and_then(|e| e.items()?.first())
        .and_then(|item| Lut::read(item.get(tags::LUT_DESCRIPTOR)?, item.get(tags::LUT_DATA)?));
    let stored = u32::from(d.bits_stored());
    let masked = stored > 0 && stored < u32::from(d.bits_allocated());
    // The stored bits end at High Bit (PS3.5 8.1.1), not always at Bits Stored - 1: a viewer
    // that honours it (dcmtk) shows the bits there, which a decoder reading the low ones shows
    // as noise.
    let shift = (u32::from(d.high_bit()) + 1).saturating_sub(stored).min(31);
    let (width, height) = (d.columns(), d.rows());
    let pixels = width as usize * height as usize;
    let data = d.data();
    let values: Vec<u32> = match d.bits_allocated() {
        8 => data.iter().map(|&b| u32::from(b)).collect(),
        16 => data.chunks_exact(2).map(|w| u32::from(u16::from_le_bytes([w[0], w[1]]))).collect(),
        _ => return Vec::new(),
    };
    if d.samples_per_pixel() != 1 || values.len() < pixels {
        return Vec::new();
    }
    let values = &values[..pixels];
    let grey = |v: Vec<u32>| Frame::grey(crate::ocr::Gray::new(width, height, stretched(&v)));
    let mut out = Vec::new();
    if palette {
        let channels: Option<Vec<Lut>> = [
            (tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR, tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA),
            (tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR, tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA),
            (tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR, tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA),
        ]
        .into_iter()
        .map(|(descriptor, data)| Lut::read(file.get(descriptor)?, file.get(data)?))
        .collect();
        if let Some(channels) = channels {
            let rgb: Vec<u8> =
                values.iter().flat_map(|&v| channels.iter().map(move |c| c.eight_bit(v))).collect();
            out.push(Frame::from_rgb(width, height, &rgb));
        }
    }
    if let Some(lut) = modality {
        out.push(grey(values.iter().map(|&v| lut.map(v)).collect()));
    }
    // Signed values as a viewer reads them, stretched whole. dicom-pixeldata stretches between
    // the least and the greatest stored word taken as unsigned (−1000 as 64536): text drawn in
    // negative values over a positive ground, or the other way, comes out one shade with it.
    // With the sign bit flipped, a signed value's order is its word's.
    // Not where the first window already shows every value.
    let windowed = file.get(tags::WINDOW_CENTER).is_some() || file.get(tags::VOILUT_SEQUENCE).is_some();
    if signed(d) && (1..=16).contains(&stored) && !(windowed && shows_every_value(d)) {
        let (sign, mask) = (1u32 << (stored - 1), (1u32 << stored) - 1);
        out.push(grey(values.iter().map(|&v| ((v >> shift) & mask) ^ sign).collect()));
    }
    out.extend(hidden_planes(values, width, height, stored.max(1)));
    if masked {
        let mask = (1u32 << stored) - 1;
        if values.iter().any(|&v| v & !mask != 0) {
            out.push(grey(values.iter().map(|&v| v & mask).collect()));
        }
        if shift > 0 {
            out.push(grey(values.iter().map(|&v| (v >> shift) & mask).collect()));
        }
    }
    out
}

/// Samples of 32 bits read at most in one frame (16 million: 128 MiB as the numbers ranked); a
/// larger frame is refused unread.
const MOST_WIDE_SAMPLES: usize = 1 << 24;

/// A frame of 32 bits a sample (an RT dose grid, a 32-bit secondary capture), which
/// dicom-pixeldata decodes but does not convert to an image: its stored bits (those Bits Stored
/// and High Bit say, sign-extended where signed, as a viewer takes them) stretched from the
/// least value to the greatest, as a viewer's first window shows them, and again by rank (each
/// distinct value a step of its own), which one far brighter pixel cannot flatten. Empty for
/// any other depth, samples that do not fill the frame, or more than [`MOST_WIDE_SAMPLES`].
fn wide(decoded: &dicom_pixeldata::DecodedPixelData<'_>) -> Vec<Frame> {
    let (width, height) = (decoded.columns(), decoded.rows());
    let pixels = width as usize * height as usize;
    let samples = usize::from(decoded.samples_per_pixel());
    let Ok(data) = decoded.frame_data(0) else { return Vec::new() };
    if decoded.bits_allocated() != 32
        || !matches!(samples, 1 | 3)
        || pixels * samples > MOST_WIDE_SAMPLES
        || data.len() < pixels * samples * 4
    {
        return Vec::new();
    }
    let stored = u32::from(decoded.bits_stored()).clamp(1, 32);
    let shift = (u32::from(decoded.high_bit()) + 1).saturating_sub(stored).min(31);
    let mask = if stored == 32 { u32::MAX } else { (1 << stored) - 1 };
    let value = |w: &[u8]| -> i64 {
        // dicom-pixeldata gives the decoded samples in the machine's order.
        let v = (u32::from_ne_bytes([w[0], w[1], w[2], w[3]]) >> shift) & mask;
        let negative = signed(decoded) && (v >> (stored - 1)) & 1 == 1;
        if negative { i64::from(v) - (1i64 << stored) } else { i64::from(v) }
    };
    let values: Vec<i64> = data.chunks_exact(4).take(pixels * samples).map(value).collect();
    // Samples in pixel order (R, G, B of each pixel), whichever way the frame lays them.
    let ordered: Vec<i64> = if samples == 3
        && decoded.planar_configuration() == dicom_pixeldata::PlanarConfiguration::PixelFirst
    {
        (0..pixels).flat_map(|p| [values[p], values[pixels + p], values[2 * pixels + p]]).collect()
    } else {
        values
    };
    let (lo, hi) = ordered.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let span = (hi - lo).max(1) as f64;
    let stretched: Vec<u8> =
        ordered.iter().map(|&v| ((v - lo) as f64 * 255.0 / span).round() as u8).collect();
    let mut distinct = ordered.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let steps = (distinct.len().max(2) - 1) as f64;
    let ranked: Vec<u8> = ordered
        .iter()
        .map(|v| (distinct.binary_search(v).unwrap_or(0) as f64 * 255.0 / steps).round() as u8)
        .collect();
    [stretched, ranked]
        .into_iter()
        .map(|bytes| match samples {
            1 => Frame::grey(crate::ocr::Gray::new(width, height, bytes)),
            _ => Frame::from_rgb(width, height, &bytes),
        })
        .collect()
}

fn signed(d: &dicom_pixeldata::DecodedPixelData<'_>) -> bool {
    matches!(d.pixel_representation(), dicom_pixeldata::PixelRepresentation::Signed)
}

/// The bit planes of stored values that hold a picture below planes of noise: text in the low
/// bits of values that look like noise, which a lookup table another file carries (a
/// presentation state's VOI LUT, its Presentation LUT, a pseudo-colour palette) shows, and
/// which each file alone does not. A picture's planes go from its shapes (the high bits) to
/// noise (the low); a plane of shapes under a plane of noise is something hidden. Each such
/// plane as a frame, black and white.
fn hidden_planes(values: &[u32], width: u32, height: u32, bits: u32) -> Vec<Frame> {
    // Too small a picture for a line of text, and for the counts below to mean much.
    let w = width as usize;
    if width < 32 || height < 16 || values.len() < w * height as usize {
        return Vec::new();
    }
    // How often a pixel's bit equals its right neighbour's: near one half in noise.
    let alike = |b: u32| {
        let (mut same, mut ones, mut pairs) = (0usize, 0usize, 0usize);
        for row in values.chunks_exact(w) {
            for pair in row.windows(2) {
                let (x, y) = ((pair[0] >> b) & 1, (pair[1] >> b) & 1);
                same += usize::from(x == y);
                ones += x as usize;
                pairs += 1;
            }
        }
        (same as f64 / pairs as f64, ones as f64 / pairs as f64)
    };
    let planes: Vec<(f64, f64)> = (0..bits.min(16)).map(alike).collect();
    let mut out = Vec::new();
    for b in 0..planes.len().saturating_sub(1) {
        let ((same, ones), (above, _)) = (planes[b], planes[b + 1]);
        if same >= 0.85 && (0.005..=0.995).contains(&ones) && above < 0.6 {
            let plane = values.iter().map(|&v| if (v >> b) & 1 == 1 { 255 } else { 0 }).collect();
            out.push(Frame::grey(crate::ocr::Gray::new(width, height, plane)));
        }
    }
    out
}

/// Values stretched to 8 bits, the least to 0 and the greatest to 255.
fn stretched(values: &[u32]) -> Vec<u8> {
    let (low, high) = values.iter().fold((u32::MAX, 0), |(l, h), &v| (l.min(v), h.max(v)));
    let span = u64::from(high.saturating_sub(low)).max(1);
    values.iter().map(|&v| (u64::from(v - low) * 255 / span) as u8).collect()
}

/// A lookup table (a palette's channel, a modality LUT): its descriptor (entries, the first
/// value mapped, bits an entry) and its entries.
struct Lut {
    first: i64,
    bits: u32,
    entries: Vec<u32>,
}

impl Lut {
    fn read(
        descriptor: &dicom_object::mem::InMemElement,
        data: &dicom_object::mem::InMemElement,
    ) -> Option<Lut> {
        let d: Vec<i64> = descriptor.value().to_multi_int().ok()?;
        let (&count, &first, &bits) = (d.first()?, d.get(1)?, d.get(2)?);
        let count = if count == 0 { 65536 } else { count as usize };
        let bits = u32::try_from(bits).ok().filter(|b| (1..=16).contains(b))?;
        let words: Vec<u32> = match data.value().primitive()? {
            dicom_core::PrimitiveValue::U16(w) => w.iter().map(|&w| u32::from(w)).collect(),
            dicom_core::PrimitiveValue::U8(b) if bits > 8 => {
                b.chunks_exact(2).map(|w| u32::from(u16::from_le_bytes([w[0], w[1]]))).collect()
            }
            dicom_core::PrimitiveValue::U8(b) => b.iter().map(|&b| u32::from(b)).collect(),
            _ => data.value().to_multi_int::<u32>().ok()?,
        };
        // Eight-bit entries may come two to a sixteen-bit word.
        let entries = if bits <= 8 && words.len() * 2 >= count && words.len() < count {
            words.iter().flat_map(|&w| [w & 0xFF, w >> 8]).take(count).collect()
        } else {
            words.into_iter().take(count).collect::<Vec<u32>>()
        };
        (!entries.is_empty()).then_some(Lut { first, bits, entries })
    }

    /// The entry for a stored value (values past either end take the end's entry).
    fn map(&self, v: u32) -> u32 {
        let at = (i64::from(v) - self.first).clamp(0, self.entries.len() as i64 - 1);
        self.entries[at as usize]
    }

    /// The entry for a stored value as 8 bits.
    fn eight_bit(&self, v: u32) -> u8 {
        let e = self.map(v);
        if self.bits > 8 { (e >> (self.bits - 8)).min(255) as u8 } else { e.min(255) as u8 }
    }
}

/// Frame `f` of native 8-bit YBR_FULL_422 pixel data (two luma samples, then the pair's Cb and
/// Cr), turned into RGB by PS3.3 C.7.6.3.1.2's equations.
fn native_ybr_422(file: &dicom_object::DefaultDicomObject, f: u32) -> Result<Frame, Unread> {
    // The frame's size was held to MAX_FRAME_PIXELS by the caller.
    let (rows, columns) = (number(file, tags::ROWS) as usize, number(file, tags::COLUMNS) as usize);
    if number(file, tags::BITS_ALLOCATED) != 8 || !columns.is_multiple_of(2) || rows == 0 || columns == 0 {
        return Err(Unread::Undecodable);
    }
    let element = file.element(tags::PIXEL_DATA).map_err(|_| Unread::Undecodable)?;
    let Ok(bytes) = element.value().to_bytes() else { return Err(Unread::Undecodable) };
    let size = rows * columns * 2;
    let at = f as usize * size;
    let data = bytes.get(at..at + size).ok_or(Unread::Undecodable)?;
    let mut rgb = Vec::with_capacity(rows * columns * 3);
    let clamp = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    for pair in data.chunks_exact(4) {
        let (cb, cr) = (f32::from(pair[2]) - 128.0, f32::from(pair[3]) - 128.0);
        for y in [f32::from(pair[0]), f32::from(pair[1])] {
            rgb.extend([clamp(y + 1.402 * cr), clamp(y - 0.3441 * cb - 0.7141 * cr), clamp(y + 1.772 * cb)]);
        }
    }
    Ok(Frame::from_rgb(columns as u32, rows as u32, &rgb))
}

/// A decoded image as OCR reads it: grey, and how coloured where it has colour. Transparent
/// pixels are laid over a middle grey first, as a viewer lays them over its background: dark
/// text and light text on a transparent ground both stand out of it (whatever colour the
/// transparent pixels hold).
fn frame(image: &image::DynamicImage) -> Frame {
    let flat;
    let image = if image.color().has_alpha() {
        flat = flattened(image);
        &flat
    } else {
        image
    };
    if image.color().has_color() {
        let rgb = image.to_rgb8();
        Frame::from_rgb(rgb.width(), rgb.height(), rgb.as_raw())
    } else {
        let luma = image.to_luma8();
        Frame::grey(crate::ocr::Gray::new(luma.width(), luma.height(), luma.into_raw()))
    }
}

fn flattened(image: &image::DynamicImage) -> image::DynamicImage {
    let mut rgba = image.to_rgba8();
    for p in rgba.pixels_mut() {
        let a = u32::from(p[3]);
        for c in 0..3 {
            p[c] = ((u32::from(p[c]) * a + 128 * (255 - a)) / 255) as u8;
        }
        p[3] = 255;
    }
    image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(rgba).to_rgb8())
}

/// A frame stretched to the shape a viewer shows it in, where its pixels are not square: rows
/// further apart than columns (`ratio` = vertical / horizontal spacing) make it taller. Text
/// stored squashed to a sixth of its height is read as it is shown. None when the pixels are
/// near square.
fn to_aspect(image: &image::DynamicImage, ratio: f64) -> Option<image::DynamicImage> {
    // Past this a viewer's picture is a line; and the bound keeps the frame's size sane.
    const MOST: f64 = 16.0;
    if !ratio.is_finite() || ratio <= 0.0 || (0.8..=1.25).contains(&ratio) {
        return None;
    }
    let ratio = ratio.clamp(1.0 / MOST, MOST);
    let (w, h) = (f64::from(image.width()), f64::from(image.height()));
    let (mut w, mut h) = if ratio > 1.0 { (w, h * ratio) } else { (w / ratio, h) };
    let scale = (MAX_FRAME_PIXELS as f64 / 4.0 / (w * h)).sqrt().min(1.0);
    (w, h) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    Some(image.resize_exact(w as u32, h as u32, image::imageops::FilterType::Triangle))
}

/// The ratio of a DICOM image's vertical to its horizontal pixel spacing: its Pixel Aspect
/// Ratio, else its Pixel Spacing (row spacing, column spacing). 1 when it says neither.
fn aspect_ratio(file: &dicom_object::DefaultDicomObject) -> f64 {
    let pair = |tag| -> Option<(f64, f64)> {
        let v: Vec<f64> = file.get(tag)?.value().to_multi_float64().ok()?;
        (v.len() == 2 && v[0] > 0.0 && v[1] > 0.0).then(|| (v[0], v[1]))
    };
    pair(tags::PIXEL_ASPECT_RATIO).or_else(|| pair(tags::PIXEL_SPACING)).map_or(1.0, |(v, h)| v / h)
}

/// Where an image with transparent pixels is opaque, as a grey frame of its own (white where
/// opaque, black where transparent): text drawn opaque on a transparent ground shows there
/// whatever its colour, and whatever ground a viewer lays under it. None for an image with no
/// pixel more transparent than another.
fn coverage(image: &image::DynamicImage) -> Option<Frame> {
    if !image.color().has_alpha() {
        return None;
    }
    let rgba = image.to_rgba8();
    let alpha: Vec<u8> = rgba.pixels().map(|p| p[3]).collect();
    let first = *alpha.first()?;
    if alpha.iter().all(|&a| a == first) {
        return None;
    }
    Some(Frame::grey(crate::ocr::Gray::new(rgba.width(), rgba.height(), alpha)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_holds_the_first_and_last_frames_and_at_most_five() {
        assert_eq!(sample(1), vec![0]);
        assert_eq!(sample(3), vec![0, 1, 2]);
        assert_eq!(sample(300), vec![0, 74, 149, 224, 299]);
        assert_eq!(sample(6), vec![0, 1, 2, 3, 5]);
    }
}
