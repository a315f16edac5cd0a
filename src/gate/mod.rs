//! The gate: may these bytes become visible in the vault? Pure: bytes and a policy in, a
//! verdict with reasons out. Reasons name the rule, the tag and where it stands, never the
//! value.
//!
//! The law is the de-identification profile (`law`): a DICOM file is accepted only when it
//! conforms to DICOM PS3.15 Annex E's basic profile and the options the policy allows.
//!
//! A file is read as everything a reader could take it for, and refused when any reading
//! finds what the law refuses (`check_in`):
//! - Part 10 (`DICM` at byte 128, or at 0 without the preamble), its data set in the transfer
//!   syntax the meta group names (deflated too), and in the other encodings besides (pydicom
//!   falls back to implicit VR when a file that says explicit is not);
//! - a raw data set (no `DICM`) at byte 0, 128 or 132, in each of implicit VR little endian and
//!   explicit VR little and big endian, starting with any group;
//! - DICOM JSON and DICOM XML;
//! - every container signature the bytes carry (`container`), each member as a file of its own.
//!
//! Images are read for burned-in text (`burned`, `pixels`): the pixel data of a DICOM reading
//! whose class can carry text ([`law::Law::needs_ocr`]), and image files (PNG, JPEG, TIFF, BMP,
//! GIF, WebP), through the OCR engine a [`Sight`] names. An image OCR cannot read is refused.
//!
//! A reading that reads to the end is judged whole. One that stops part way (a truncated file,
//! or bytes that only begin like a data set) counts what it read that reads as a person's text;
//! for Part 10, or a raw reading of several well-formed elements, a reading that stops is itself
//! a refusal (unreadable DICOM).
//!
//! What no reading takes for DICOM is read as a document (`document`): text that labels a
//! patient's identity is refused; so is binary with a note in the text `strings` shows of it
//! (`runs`). Files no reading takes for DICOM, a container, an image or a document that labels
//! a patient pass.

mod bare;
pub mod burned;
pub mod container;
mod document;
pub mod door;
pub mod drawn;
mod email;
mod embedded;
mod encoded;
pub mod host;
pub mod import;
mod in_text;
pub mod law;
pub mod metadata;
pub mod names;
mod overlaid;
pub mod pdf;
pub mod pixels;
pub mod policy;
pub mod profile;
mod read;
pub(crate) mod runs;
pub mod scan;
pub mod shape;
mod signatures;
pub mod terms;
mod textcodes;
mod vectors;
mod verdict;

pub use burned::{Identity, Memo, Sight};
use embedded::{MAX_EMBEDDED, MAX_RAW_READINGS, embedded_part10, embedded_raw, other_reading, raw_starts};
pub use names::{check_name, check_path};
use pixels::DataSet;
pub use policy::{Policy, unfit_dummy};
pub use profile::Retain;
use runs::{HIDDEN_TEXT, has_text, labelled_note, preamble_words, text_like};
use scan::Syntax;
pub use signatures::may_hold_a_file;
pub use verdict::{Reason, Region, Verdict};

use crate::ocr;

/// Bytes a file's head must hold for [`might_need_all`] to decide (an ISO 9660 image says so
/// at byte 32769).
pub const HEAD_BYTES: usize = 0x8000 + 2048;
/// Bytes of a file's tail that [`might_need_all`] looks at (where a zip's directory ends).
pub const TAIL_BYTES: usize = 65535 + 22;

/// False when a file of `len` bytes whose first bytes are `head` and last bytes `tail` is
/// neither DICOM, an image, a container nor text by any reading: the gate accepts it without the rest (all of a
/// short file is in `head`). True when the whole content must be checked.
pub fn might_need_all(head: &[u8], tail: &[u8], len: u64) -> bool {
    if !container::kinds(head).is_empty() || container::kinds(tail).contains(&container::Kind::Zip) {
        return true;
    }
    // An image file, for OCR; a PDF, whose attachments are zlib streams (two bytes no piece of
    // a plain file is searched for).
    if pixels::image_format(head).is_some()
        || pixels::unread_format(head).is_some()
        || pixels::tga(tail)
        || pdf::is_pdf(head)
    {
        return true;
    }
    // A compressed stream without a header, whose head decodes.
    if bare::may_begin(head) {
        return true;
    }
    // Text that may be DICOM JSON or XML (or is blank as far as the head goes, or UTF-16), or
    // that may carry base64 further on.
    let first = head.iter().find(|b| !b.is_ascii_whitespace() && **b != 0);
    if head.len() < 8
        || matches!(first, None | Some(b'<' | b'{' | b'[' | 0xEF | 0xFF | 0xFE))
        || text_like(head)
        || document::as_text(head).is_some()
    {
        return true;
    }
    head.get(128..132) == Some(b"DICM") || head.starts_with(b"DICM") || raw_starts(head, len).next().is_some()
}

/// `bytes` as UTF-8, where they are text in UTF-16 or UTF-32 (a byte-order mark, or the zero
/// bytes of wide ASCII) whose characters are nearly all ASCII: what an encoding of bytes writes
/// (a document in another script is read as a document).
fn wide_text(bytes: &[u8]) -> Option<Vec<u8>> {
    let head = bytes.get(..8)?;
    if !head.contains(&0) && !head.starts_with(&[0xFF, 0xFE]) && !head.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    let std::borrow::Cow::Owned(utf8) = encoded::as_utf8(bytes) else { return None };
    let text = String::from_utf8_lossy(&utf8);
    let (mut chars, mut plain) = (0usize, 0usize);
    for c in text.chars() {
        chars += 1;
        plain += usize::from(c.is_ascii_graphic() || c.is_ascii_whitespace());
    }
    (chars > 0 && plain * 100 >= chars * 95).then_some(utf8)
}

/// How far pieces of a file overlap when it is looked at piece by piece: a signature
/// and the bytes that tell it are never cut off from both.
pub const MIDDLE_OVERLAP: usize = 512;

/// The verdict on one file's bytes, images read by the Tesseract on `PATH` ([`Sight::system`]).
pub fn check(bytes: &[u8], policy: &Policy) -> Verdict {
    check_with(bytes, policy, &Sight::system())
}

/// The verdict on one file's bytes, images read as `sight` says.
pub fn check_with(bytes: &[u8], policy: &Policy, sight: &Sight<'_>) -> Verdict {
    let mut budget = container::Budget::for_input(bytes.len());
    check_in(bytes, policy, sight, "", 0, &mut budget)
}

fn check_in(
    bytes: &[u8],
    policy: &Policy,
    sight: &Sight<'_>,
    location: &str,
    depth: usize,
    budget: &mut container::Budget,
) -> Verdict {
    let mut all = Verdict::plain();
    let at = |mut reasons: Vec<Reason>| {
        for r in &mut reasons {
            r.location = format!("{location}{}", r.location);
        }
        reasons
    };
    let v = dicom(bytes, policy, sight, budget);
    all.dicom |= v.dicom;
    all.pixels_read |= v.pixels_read;
    all.refuse(at(v.reasons));
    // A Part 10 file hidden inside this one is judged as a file of its own, and as what the
    // rest of this file's bytes make it (it seldom ends where they do). Not in a container:
    // its members are read as files, and a stored member's bytes run on into the next header.
    let kinds = container::kinds(bytes);
    // What is itself a container is read as one (its members are files), not searched again —
    // unless what took it for one is a guess a few bytes make (a zlib or lzma header, which
    // decode or are taken for nothing) or a zip's end record at its end with other bytes before
    // its first member (a self-extracting archive, or an end record alone).
    let search = kinds.iter().all(|k| match k {
        container::Kind::Zlib | container::Kind::Lzma => true,
        container::Kind::Zip => !bytes.starts_with(b"PK"),
        _ => false,
    });
    let hidden = if search { Some(embedded_part10(bytes)) } else { None };
    for (n, start) in hidden.into_iter().flatten().enumerate() {
        if depth >= container::MAX_DEPTH {
            all.refuse([container::refusal("archive-depth", location, "DICOM files nested too deep")]);
            break;
        }
        if n == MAX_EMBEDDED {
            all.refuse([container::refusal("embedded-dicom", location, "too many DICOM files inside one")]);
            break;
        }
        let v = dicom(&bytes[start..], policy, sight, budget);
        let mut reasons = v.reasons;
        for r in &mut reasons {
            r.location = format!("{location}@{start} embedded/{}", r.location);
        }
        all.dicom |= v.dicom;
        all.refuse(reasons);
    }
    // A raw data set part way in: what its patient elements say. In a file a reading took for
    // DICOM and read to the end, its own elements are judged already, and its values but the
    // pixel data are read for the data sets they hold: only from its pixel data on. Where the
    // reading stopped part way, from the start.
    if search {
        let from = match v.dicom && !v.torn {
            true => [b"\xE0\x7F\x10\x00", b"\x7F\xE0\x00\x10"]
                .iter()
                .filter_map(|tag| memchr::memmem::find(bytes, *tag))
                .min()
                .unwrap_or(bytes.len()),
            false => 0,
        };
        let mut raw = Verdict::plain();
        for (n, (at, s)) in embedded_raw(bytes, from).enumerate() {
            if n == MAX_RAW_READINGS {
                all.refuse([container::refusal("embedded-dicom", location, "too many data sets inside one")]);
                break;
            }
            other_reading(bytes, at, s, policy, sight, &mut raw);
        }
        all.dicom |= raw.dicom;
        all.refuse(at(raw.reasons));
    }
    // Likewise a container that begins part way in (a zip after a made-up header, a gzip in
    // pixel data): what a carver takes out of it is a file of its own.
    let carved = if search { container::embedded(bytes) } else { Vec::new() };
    for (n, (start, kind)) in carved.into_iter().enumerate() {
        if depth >= container::MAX_DEPTH || n == container::MAX_CARVED {
            all.refuse([container::refusal(
                "archive-depth",
                location,
                "containers inside one file nested too deep, or too many",
            )]);
            break;
        }
        let inner = format!("{location}@{start} ");
        let carved = container::carve(kind, &bytes[start..], &inner, budget, &mut |name, data, budget| {
            all.merge(check_in(data, policy, sight, &format!("{inner}{name}!/"), depth + 1, budget));
        });
        if let Err(reason) = carved {
            all.refuse([reason]);
        }
    }
    // A PDF's streams (an attachment among them) are files of their own — also where a PDF's
    // objects stand in a DICOM file (after its pixels: a reader of PDF finds them from the end).
    if search && (pdf::is_pdf(bytes) || (v.dicom && pdf::has_objects(bytes))) {
        if depth >= container::MAX_DEPTH {
            all.refuse([container::refusal("archive-depth", location, "a PDF nested too deep")]);
        } else {
            let read = pdf::streams(bytes, location, budget, &mut |start, data, budget| {
                let inner = format!("{location}@{start} (pdf stream)!/");
                all.merge(check_in(data, policy, sight, &inner, depth + 1, budget));
            });
            if let Err(reason) = read {
                all.refuse([reason]);
            }
        }
    }
    // What nothing recognises may be a compressed stream without a header.
    // (A zlib or lzma header is a guess of a few bytes: a zlib stream whose check fails is
    // read here as the raw deflate after its header.)
    let guesses = kinds.iter().all(|k| matches!(k, container::Kind::Zlib | container::Kind::Lzma));
    if search && guesses && !v.dicom && !text_like(bytes) {
        let read = bare::streams(bytes, location, budget, &mut |name, data, budget| {
            if depth >= container::MAX_DEPTH {
                all.refuse([container::refusal("archive-depth", location, "a stream nested too deep")]);
                return;
            }
            let inner = format!("{location}{name}!/");
            all.merge(check_in(data, policy, sight, &inner, depth + 1, budget));
        });
        if let Err(reason) = read {
            all.refuse([reason]);
        }
    }
    if policy.refuse_burned_in
        && policy.ocr
        && let Some(frames) = pixels::image_frames(bytes)
    {
        all.pixels_read = true;
        all.refuse(at(burned_in(frames, &Identity::default(), sight, ("", ""), Shown::Pixels)));
    }
    // By the signature alone, not by whether the image decodes: a reader that shows a file's
    // comments need not decode its pixels.
    all.refuse(at(metadata::reasons(bytes)));
    if let Some(encoded::Reading { reasons, binaries, images }) = encoded::readings(bytes, policy) {
        all.dicom = true;
        all.refuse(at(reasons));
        // Its pixels as the image a reader makes of them, read as any image's (OCR).
        for image in images.iter().filter(|_| depth < container::MAX_DEPTH) {
            let inner = format!("{location}(7FE0,0010) InlineBinary as an image!/");
            all.merge(check_in(image, policy, sight, &inner, depth + 1, budget));
        }
        // A binary value a reader decodes from base64 is bytes like any other file's: pixel
        // data that is a whole Part 10 file, an archive, an image.
        for (tag, value) in binaries {
            if depth >= container::MAX_DEPTH {
                all.refuse([container::refusal("archive-depth", location, "")]);
                break;
            }
            let inner = format!("{location}{} InlineBinary!/", law::tag_text(tag));
            all.merge(check_in(&value, policy, sight, &inner, depth + 1, budget));
        }
    }
    // Base64 inside text (a `data:` URI in a web page, an e-mail's attachment, PEM armour, a
    // JSON string) is bytes any reader can take out: each long run is read as a member. So is a
    // whole file in another text encoding (base32 text is of base64's alphabet too, and a hex
    // dump's digits are hex).
    let text_only = kinds.iter().all(|k| matches!(k, container::Kind::Base64 | container::Kind::Hex));
    if text_only && !all.dicom && (text_like(bytes) || document::as_text(bytes).is_some()) {
        let runs = kinds
            .is_empty()
            .then(|| in_text::decodings(bytes))
            .into_iter()
            .flatten()
            .map(|(start, data)| (format!("@{start} (base64)"), data));
        let whole = textcodes::decodings(bytes).into_iter().map(|(name, data)| (name.to_string(), data));
        for (name, data) in runs.chain(whole) {
            if depth >= container::MAX_DEPTH {
                all.refuse([container::refusal("archive-depth", location, "text encodings nested too deep")]);
                break;
            }
            let inner = format!("{location}{name}!/");
            all.merge(check_in(&data, policy, sight, &inner, depth + 1, budget));
        }
    }
    // Text in UTF-16 or UTF-32 (as Windows' Notepad saves it) is read again as the UTF-8 it
    // stands for: base64, hex or uuencoding of a file in it is found as in any text.
    if !all.dicom
        && kinds.is_empty()
        && depth < container::MAX_DEPTH
        && let Some(utf8) = wide_text(bytes)
    {
        all.merge(check_in(&utf8, policy, sight, &format!("{location}(as UTF-8)!/"), depth + 1, budget));
    }
    // A document (a note, a list, a web page, a PDF's page, an HL7 message) that labels a
    // patient's identity.
    let as_text = if all.dicom { None } else { document::as_text(bytes) };
    // Bytes that are no text file (NULs after a note, a binary header before it) but hold text a
    // `strings` shows: a run of words with a labelled field's shape.
    if !all.dicom && as_text.is_none() && labelled_note(bytes) {
        all.refuse([container::refusal(
            "identity-in-text",
            location,
            "a labelled identity field in the file's text, as `strings` shows it",
        )]);
    }
    if let Some(text) = as_text {
        all.refuse(document::reasons(&text, policy, location));
        // An e-mail's parts, decoded from their transfer encodings, are files of their own.
        for (name, data) in email::parts(&text) {
            if depth >= container::MAX_DEPTH {
                all.refuse([container::refusal("archive-depth", location, "e-mail parts nested too deep")]);
                break;
            }
            all.merge(check_in(&data, policy, sight, &format!("{location}{name}!/"), depth + 1, budget));
        }
    }
    for kind in kinds {
        if depth >= container::MAX_DEPTH {
            all.refuse([container::refusal("archive-depth", location, "")]);
            break;
        }
        let walked = container::for_each_member(kind, bytes, location, budget, &mut |name, data, budget| {
            let inner = format!("{location}{name}!/");
            all.merge(check_in(data, policy, sight, &inner, depth + 1, budget));
        });
        if let Err(reason) = walked {
            all.refuse([reason]);
        }
    }
    all
}

fn unreadable(why: &'static str, location: String) -> Reason {
    Reason {
        rule: "unreadable-dicom",
        tag: String::new(),
        keyword: String::new(),
        location,
        detail: why,
        option: None,
        region: None,
    }
}

/// What OCR reads: a file's pixels, or a picture vault drew of the lines a viewer draws over
/// them or of the letters a text value draws with characters.
#[derive(Clone, Copy)]
enum Shown<'a> {
    Pixels,
    Lines,
    Text(&'a drawn::Art),
}

/// What OCR finds in `frames` that identifies (besides `identity`, the values in `sight`), as
/// reasons about the element `tag` (empty for an image file); or why it could not read them.
/// Vault's own drawings are read every way up; what a text value draws is placed in its lines.
fn burned_in(
    frames: Result<Vec<(u32, ocr::Frame)>, pixels::Unread>,
    identity: &Identity,
    sight: &Sight<'_>,
    (tag, keyword): (&str, &str),
    seen: Shown<'_>,
) -> Vec<Reason> {
    let reason = |rule, detail, region| Reason {
        rule,
        tag: tag.to_string(),
        keyword: keyword.to_string(),
        location: String::new(),
        detail,
        option: None,
        region,
    };
    let frames = match frames {
        Ok(f) => f,
        Err(why) => return vec![reason("burned-in-unread", why.describe(), None)],
    };
    let mut all = identity.clone();
    all.extend(&sight.also);
    let prepare = match seen {
        Shown::Pixels => ocr::Prepare::DEFAULT,
        Shown::Lines | Shown::Text(_) => ocr::Prepare::DRAWN,
    };
    match burned::spots(&frames, &all, sight, prepare) {
        Ok(spots) => spots
            .into_iter()
            .map(|s| {
                let a = s.area;
                let region = Region { frame: s.frame + 1, x: a.x, y: a.y, width: a.width, height: a.height };
                match seen {
                    // Where in the value, not where in the picture made of it.
                    Shown::Text(art) => Reason {
                        location: art.where_drawn(s.frame, a.y, a.height),
                        ..reason("drawn-text", s.detail, None)
                    },
                    Shown::Pixels | Shown::Lines => {
                        reason("burned-in-text", s.detail, Some(Box::new(region)))
                    }
                }
            })
            .collect(),
        Err(e) => vec![reason("burned-in-unread", burned::describe(&e), None)],
    }
}

/// The pixel data of a data set a reading read whole, where the law has OCR read it and the
/// header alone does not already refuse it (a door need not pay for reading the pixels of a
/// file it refuses anyway; `vault scrub` reads them after the header is clean).
/// The same of the lines it has a viewer draw ([`vectors`]), and of the letters its text values
/// draw ([`drawn`]).
fn pixel_reasons(data: DataSet<'_>, law: &law::Law<'_>, sight: &Sight<'_>) -> Vec<Reason> {
    if law.refuses() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let id = &law.identity;
    if law.needs_ocr() {
        out = burned_in(pixels::dicom_frames(data), id, sight, ("(7FE0,0010)", "PixelData"), Shown::Pixels);
    }
    if law.needs_drawings_read() {
        let graphics = ("(0070,0022)", "GraphicData");
        match vectors::drawings(data) {
            Ok(d) => {
                out.extend(burned_in(Ok(d.graphics), id, sight, graphics, Shown::Lines));
                out.extend(burned_in(
                    Ok(d.contours),
                    id,
                    sight,
                    ("(3006,0050)", "ContourData"),
                    Shown::Lines,
                ));
            }
            Err(why) => out.extend(burned_in(Err(why), id, sight, graphics, Shown::Lines)),
        }
    }
    if law.needs_art_read() {
        for (tag, art) in &law.written.drawings() {
            let (tag, keyword) = (law::tag_text(*tag), law::keyword(*tag));
            out.extend(burned_in(Ok(art.frames()), id, sight, (&tag, &keyword), Shown::Text(art)));
        }
    }
    out
}

fn syntax_name(s: Syntax) -> &'static str {
    match s {
        Syntax::ImplicitLittle => "implicit VR little endian",
        Syntax::ExplicitLittle => "explicit VR little endian",
        Syntax::ExplicitBig => "explicit VR big endian",
    }
}

/// True when `after` (the bytes after a deflated data set's stream) is what writers put there:
/// nothing, the one NUL that pads the stream to even length (PS3.5 A.5), or a gzip trailer, the
/// CRC-32 and length of `inflated` exactly (some writers deflate with gzip's tools; pydicom's
/// own test file does), padded or not.
fn deflate_trailer(after: &[u8], inflated: &[u8]) -> bool {
    let (trailer, pad) =
        if after.len() % 2 == 1 { after.split_at(after.len() - 1) } else { (after, &[][..]) };
    if pad.iter().any(|&b| b != 0) {
        return false;
    }
    match trailer.len() {
        0 => true,
        8 => {
            let mut crc = flate2::Crc::new();
            crc.update(inflated);
            trailer[..4] == crc.sum().to_le_bytes() && trailer[4..] == (inflated.len() as u32).to_le_bytes()
        }
        _ => false,
    }
}

/// Every binary DICOM reading of the bytes.
fn dicom(bytes: &[u8], policy: &Policy, sight: &Sight<'_>, budget: &mut container::Budget) -> Verdict {
    let mut v = Verdict::plain();
    let magic = if bytes.get(128..132) == Some(b"DICM") {
        Some(128)
    } else if bytes.starts_with(b"DICM") {
        Some(0)
    } else {
        None
    };
    if let Some(m) = magic {
        v.dicom = true;
        let mut law = law::Law::new(policy);
        let reading = scan::read_with(bytes, m + 4, Syntax::ExplicitLittle, &mut law, &mut |rest, law| {
            let mut inflater = flate2::read::DeflateDecoder::new(rest);
            let data = container::expand(&mut inflater, rest.len() as u64, budget, "").ok()?;
            // What follows the deflated stream no reader reads (dcmdump and pydicom stop at its
            // end), so it could carry anything: only what writers put there may follow it.
            let after = rest.get(inflater.total_in() as usize..).unwrap_or_default();
            if !deflate_trailer(after, &data) {
                let why = "bytes after the deflated data set";
                return Some(scan::Reading { elements: 0, stopped: Some(scan::Stop { at: 0, why }) });
            }
            Some(scan::read(&data, 0, Syntax::ExplicitLittle, law))
        });
        v.torn = reading.stopped.is_some();
        match reading.stopped {
            Some(stop) => v.refuse([unreadable(stop.why, String::new())]),
            None => {
                v.pixels_read |= law.needs_ocr() || law.needs_drawings_read() || law.needs_art_read();
                v.refuse(pixel_reasons(
                    DataSet::Part10 { bytes: &bytes[m - m.min(128)..], preamble: m == 128 },
                    &law,
                    sight,
                ))
            }
        }
        let held = std::mem::take(&mut law.held);
        v.refuse(law.reasons(false));
        // Raw data sets inside its binary values, as a reader given their offsets reads them.
        for (tag, value) in held {
            let mut inner = Verdict::plain();
            // The first reading that finds something says it; the headers after it are in it.
            for (at, s) in embedded::value_readings(&value).take(MAX_RAW_READINGS) {
                other_reading(&value, at, s, policy, sight, &mut inner);
                if !inner.reasons.is_empty() {
                    break;
                }
            }
            let element = law::tag_text(tag);
            v.refuse(inner.reasons.into_iter().map(|mut r| {
                r.location = format!("{element} {}", r.location);
                r
            }));
        }
        // The data set in the encodings the meta group does not name.
        if let Some((data_at, named)) = scan::after_meta(bytes, m + 4) {
            for s in Syntax::ALL.into_iter().filter(|&s| Some(s) != named) {
                other_reading(bytes, data_at, s, policy, sight, &mut v);
            }
        }
    }
    // The preamble is the application's (PS3.10), and readers asked to (`dcmdump -f`, pydicom's
    // `read_dataset`) take it for a raw data set; a hex dump shows its text.
    if magic == Some(128) && bytes[..128].iter().any(|&b| b != 0) {
        for (_, s) in raw_starts(bytes, bytes.len() as u64).filter(|&(at, _)| at == 0) {
            other_reading(bytes, 0, s, policy, sight, &mut v);
        }
        if has_text(&bytes[..128]) || preamble_words(&bytes[..128]) >= HIDDEN_TEXT {
            v.refuse([container::refusal("hidden-text", "", "text in the 128-byte preamble")]);
        }
    }
    // Raw readings are what readers fall back to without `DICM`; with it, none reads from
    // elsewhere.
    if magic.is_none() {
        for (at, s) in raw_starts(bytes, bytes.len() as u64) {
            other_reading(bytes, at, s, policy, sight, &mut v);
        }
    }
    if let Some(at) = embedded::torn_patient_value(bytes) {
        v.refuse([unreadable("a patient's value that runs past the end", format!("@{at}"))]);
    }
    v
}
