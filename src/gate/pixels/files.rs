//! Image files as OCR reads them: the formats the `image` crate decodes that a screenshot or a
//! teaching slide's picture is saved in, the ones vault recognises and does not read, an
//! image's EXIF thumbnail and its colour-managed view.

use super::{MAX_FRAME_BYTES, MAX_FRAME_PIXELS, SAMPLED_FRAMES, Unread, coverage, flattened, frame};
use crate::ocr::Frame;

/// Image file formats whose signature is strong enough that bytes which carry it and cannot be
/// decoded are refused rather than passed (a viewer may still show what it can of them).
fn strong(format: image::ImageFormat) -> bool {
    use image::ImageFormat as F;
    matches!(format, F::Png | F::Jpeg | F::Gif | F::WebP | F::Tiff | F::Qoi | F::Dds)
}

/// The formats read: what a screenshot or a teaching slide's picture is saved as, and the
/// other formats the `image` crate decodes that an image editor saves a screenshot in (QOI,
/// TGA, DDS, ICO).
fn read_format(format: image::ImageFormat) -> bool {
    use image::ImageFormat as F;
    matches!(
        format,
        F::Png | F::Jpeg | F::Gif | F::WebP | F::Tiff | F::Bmp | F::Pnm | F::Qoi | F::Tga | F::Dds | F::Ico
    )
}

/// A TGA file of version 2, which says so in its last 18 bytes (TGA has no signature at its
/// start): true of a file's tail too.
pub fn tga(bytes: &[u8]) -> bool {
    bytes.len() > 44 && bytes.ends_with(b"TRUEVISION-XFILE.\0")
}

/// The image format `bytes` are, if they are one vault reads.
pub fn image_format(bytes: &[u8]) -> Option<image::ImageFormat> {
    if tga(bytes) {
        return Some(image::ImageFormat::Tga);
    }
    image::guess_format(bytes).ok().filter(|f| read_format(*f))
}

/// True unless the bytes (a whole file: a head says nothing, a TIFF's directory most often
/// follows its image) are a TIFF's header whose first directory lies outside them: no TIFF
/// reader finds an image or a field in such a file (libtiff: "Cannot read TIFF directory"). A
/// DICOM file's preamble is such a header where a writer made it a TIFF's for another file
/// (pydicom's CT_small and MR_small keep one): the DICOM file is read as DICOM.
pub fn tiff_directory(bytes: &[u8]) -> bool {
    let offset = match bytes.get(..8) {
        Some([b'I', b'I', 42, 0, o @ ..]) => u32::from_le_bytes([o[0], o[1], o[2], o[3]]),
        Some([b'M', b'M', 0, 42, o @ ..]) => u32::from_be_bytes([o[0], o[1], o[2], o[3]]),
        _ => return true,
    };
    // A directory holds its count of entries (2 bytes) at least.
    offset >= 8 && (offset as usize).saturating_add(2) <= bytes.len()
}

/// Images and videos vault recognises by their signatures and does not decode: what a viewer,
/// an image editor or a video player shows of them is not read, so they are refused
/// (`burned-in-unread`, as pixels vault cannot decode), never passed as plain bytes. The name
/// says which format a signature is; the refusal does not carry it.
pub fn unread_format(bytes: &[u8]) -> Option<&'static str> {
    let at = |i: usize, sig: &[u8]| bytes.get(i..i + sig.len()) == Some(sig);
    let brand = bytes.get(8..12).filter(|_| at(4, b"ftyp"));
    let brand_is = |names: &[&[u8; 4]]| brand.is_some_and(|b| names.iter().any(|n| &n[..] == b));
    let first_line = &bytes[..memchr::memchr(b'\n', bytes).unwrap_or(bytes.len()).min(256)];
    let int = |i: usize, big: bool| -> Option<u32> {
        let b: [u8; 4] = bytes.get(i..i + 4)?.try_into().ok()?;
        Some(if big { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    };
    let header_size = |n: u32| int(0, false) == Some(n) || int(0, true) == Some(n);
    // FreeSurfer's MGH (and MGZ, once the gzip is opened): version 1, three sizes that fit a
    // volume, a type of its four, big endian, and its 284-byte header before the voxels.
    let sizes = (1..4).map(|k| int(4 * k, true)).collect::<Option<Vec<u32>>>();
    let mgh = int(0, true) == Some(1)
        && matches!(int(20, true), Some(0 | 1 | 3 | 4))
        && sizes.is_some_and(|s| s.iter().all(|&d| (1..=32_768).contains(&d)))
        && bytes.len() >= 284;
    let head_text = &bytes[..bytes.len().min(1024)];
    let meta_image = memchr::memmem::find(head_text, b"ObjectType = Image").is_some()
        && memchr::memmem::find(head_text, b"ElementType").is_some();
    let pcx = bytes.len() >= 128
        && bytes[0] == 0x0A
        && matches!(bytes[1], 0 | 2 | 3 | 4 | 5)
        && bytes[2] == 1
        && matches!(bytes[3], 1 | 2 | 4 | 8);
    [
        (at(0, b"8BPS"), "Photoshop (PSD)"),
        (pcx, "PCX"),
        (at(0, &[0x01, 0xDA]) && matches!(bytes.get(2), Some(0 | 1)), "SGI image"),
        (at(0, &[0x59, 0xA6, 0x6A, 0x95]), "Sun raster image"),
        (at(0, b"icns"), "Apple icon (ICNS)"),
        (at(0, b"\0\0\0\x0CjP  \r\n\x87\n") || at(0, &[0xFF, 0x4F, 0xFF, 0x51]), "JPEG 2000"),
        (at(0, b"\0\0\0\x0CJXL \r\n\x87\n"), "JPEG XL"),
        (brand_is(&[b"avif", b"avis"]), "AVIF"),
        (brand_is(&[b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"]), "HEIF (HEIC)"),
        (at(0, b"RIFF") && at(8, b"AVI "), "AVI video"),
        (
            brand_is(&[b"isom", b"iso2", b"mp41", b"mp42", b"qt  ", b"M4V ", b"avc1", b"3gp4", b"3gp5"]),
            "MP4 or QuickTime video",
        ),
        (at(0, &[0x1A, 0x45, 0xDF, 0xA3]), "Matroska or WebM video"),
        (at(0, &[0, 0, 1, 0xBA]) || at(0, &[0, 0, 1, 0xB3]), "MPEG video"),
        (at(0, b"#define ") && first_line.windows(6).any(|w| w == b"_width"), "X bitmap (XBM)"),
        (at(0, b"/* XPM */"), "X pixmap (XPM)"),
        (at(0, b"Image type: "), "PIL image (IM)"),
        (at(0, b"id=ImageMagick"), "ImageMagick image (MIFF)"),
        (at(0, b"#?RADIANCE") || at(0, b"#?RGBE"), "Radiance HDR"),
        (at(0, &[0x76, 0x2F, 0x31, 0x01]), "OpenEXR"),
        (at(0, b"farbfeld"), "farbfeld"),
        (at(0, b"SIMPLE  =") && at(29, b"T"), "FITS image"),
        (at(0, b"AT&TFORM"), "DjVu"),
        // Research formats a DICOM series is converted to (dcm2niix, FreeSurfer, ITK, 3D
        // Slicer): volumes a viewer shows slice by slice.
        (at(344, b"n+1\0") || at(344, b"ni1\0"), "NIfTI-1"),
        (header_size(540) && (at(4, b"n+2\0") || at(4, b"ni2\0")), "NIfTI-2"),
        (header_size(348) && bytes.len() == 348, "Analyze 7.5 header"),
        (mgh, "FreeSurfer MGH"),
        (at(0, b"NRRD000"), "NRRD"),
        (meta_image, "MetaImage (MHA, MHD)"),
        (at(0, b"!INTERFILE"), "Interfile"),
        (at(0, b"MATRIX7") || at(0, b"MATRIX6"), "ECAT"),
        (at(0, b"\x89HDF\r\n\x1a\n") || at(0, b"CDF\x01") || at(0, b"CDF\x02"), "MINC (HDF5, NetCDF)"),
    ]
    .into_iter()
    .find_map(|(found, name)| found.then_some(name))
}

/// An image file's frames as 8-bit grey (a GIF's first frames; the first page of a TIFF).
/// None when the bytes are not an image of a format vault reads (or carry only a weak
/// signature, like BMP's `BM`, and do not decode); an error for an image or a video of a
/// format vault recognises and does not read ([`unread_format`]).
pub fn image_frames(bytes: &[u8]) -> Option<Result<Vec<(u32, Frame)>, Unread>> {
    let whole_tiff = |f: &image::ImageFormat| *f != image::ImageFormat::Tiff || tiff_directory(bytes);
    let Some(format) = image_format(bytes).filter(whole_tiff) else {
        return unread_format(bytes).map(|_| Err(Unread::Undecodable));
    };
    let decoded = decode_image(bytes, format);
    if decoded.is_err() && !strong(format) {
        // A weak signature whose header reads (its size) is that format all the same: what
        // does not decode after it, or is too large to, is refused like any image's.
        let header = image::ImageReader::with_format(std::io::Cursor::new(bytes), format).into_dimensions();
        return match header {
            Ok((w, h)) if u64::from(w) * u64::from(h) > MAX_FRAME_PIXELS => Some(Err(Unread::TooLarge)),
            Ok(_) => Some(decoded),
            Err(_) => None,
        };
    }
    Some(decoded)
}

fn limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_alloc = Some(MAX_FRAME_BYTES);
    l.max_image_width = Some(1 << 15);
    l.max_image_height = Some(1 << 15);
    l
}

fn decode_image(bytes: &[u8], format: image::ImageFormat) -> Result<Vec<(u32, Frame)>, Unread> {
    use image::{AnimationDecoder, ImageDecoder};
    let too_large = |e: &image::ImageError| matches!(e, image::ImageError::Limits(_));
    let fail = |e: image::ImageError| if too_large(&e) { Unread::TooLarge } else { Unread::Undecodable };
    let fits = |(w, h): (u32, u32)| {
        let pixels = u64::from(w) * u64::from(h);
        if pixels * 4 > MAX_FRAME_BYTES || pixels > MAX_FRAME_PIXELS { Err(Unread::TooLarge) } else { Ok(()) }
    };
    let cursor = || std::io::Cursor::new(bytes);
    // An animation's frames (a GIF's; an animated PNG's or WebP's, whose first frame alone a
    // still decoder shows).
    let mut animated = Vec::new();
    match format {
        image::ImageFormat::Gif => {
            let mut decoder = image::codecs::gif::GifDecoder::new(cursor()).map_err(fail)?;
            fits(decoder.dimensions())?;
            decoder.set_limits(limits()).map_err(fail)?;
            return animation(decoder.into_frames(), fail);
        }
        image::ImageFormat::Png => {
            let mut decoder = image::codecs::png::PngDecoder::new(cursor()).map_err(fail)?;
            if decoder.is_apng().map_err(fail)? {
                fits(decoder.dimensions())?;
                decoder.set_limits(limits()).map_err(fail)?;
                animated = animation(decoder.apng().map_err(fail)?.into_frames(), fail)?;
            }
        }
        image::ImageFormat::WebP => {
            let mut decoder = image::codecs::webp::WebPDecoder::new(cursor()).map_err(fail)?;
            if decoder.has_animation() {
                fits(decoder.dimensions())?;
                decoder.set_limits(limits()).map_err(fail)?;
                return animation(decoder.into_frames(), fail);
            }
        }
        _ => {}
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(fail)?;
    // Turned as its EXIF orientation says: as every viewer shows it (a phone's photo, a
    // screenshot stored on its side).
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let mut image = image::DynamicImage::from_decoder(decoder).map_err(fail)?;
    if u64::from(image.width()) * u64::from(image.height()) > MAX_FRAME_PIXELS {
        return Err(Unread::TooLarge);
    }
    image.apply_orientation(orientation);
    let mut out = vec![(0, frame(&image))];
    out.extend(coverage(&image).map(|c| (0, c)));
    out.extend(icc.and_then(|icc| colour_managed(&icc, &image)).map(|c| (0, c)));
    out.extend(thumbnail(bytes)?.map(|t| (0, t)));
    out.extend(animated);
    Ok(out)
}

/// The first [`SAMPLED_FRAMES`] frames of an animation, each as OCR reads it and where it is
/// opaque. Frames come in order; the last is found only by reading them all, so the sample is
/// of the first.
fn animation(
    frames: image::Frames<'_>,
    fail: impl Fn(image::ImageError) -> Unread,
) -> Result<Vec<(u32, Frame)>, Unread> {
    let mut out = Vec::new();
    for (i, frame) in frames.take(SAMPLED_FRAMES as usize).enumerate() {
        let image = image::DynamicImage::ImageRgba8(frame.map_err(&fail)?.into_buffer());
        out.push((i as u32, self::frame(&image)));
        out.extend(coverage(&image).map(|c| (i as u32, c)));
    }
    if out.is_empty() { Err(Unread::Undecodable) } else { Ok(out) }
}

/// An image as a colour-managed viewer shows it: its pixels through its embedded ICC profile
/// (an RGB one) into sRGB, as a frame of its own where that changes what is seen (a profile
/// can make a difference of a few levels under noise into black and white). None when the
/// profile is not RGB, does not read, or shows the pixels much as they are (an sRGB or a
/// display profile).
pub fn colour_managed(icc: &[u8], image: &image::DynamicImage) -> Option<Frame> {
    if icc.get(16..20) != Some(b"RGB ") {
        return None;
    }
    let input = qcms::Profile::new_from_slice(icc, false)?;
    let mut output = qcms::Profile::new_sRGB();
    output.precache_output_transform();
    let transform = qcms::Transform::new(&input, &output, qcms::DataType::RGB8, qcms::Intent::Perceptual)?;
    let shown = if image.color().has_alpha() { flattened(image) } else { image.clone() };
    let mut rgb = shown.to_rgb8();
    let before = image::DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
    transform.apply(&mut rgb);
    let after = image::DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
    // Levels a profile of a real display or camera moves a grey by, at most.
    const MOVED: u8 = 48;
    let differs = before.as_raw().iter().zip(after.as_raw()).any(|(&a, &b)| a.abs_diff(b) > MOVED);
    differs.then(|| Frame::from_rgb(rgb.width(), rgb.height(), rgb.as_raw()))
}

/// The thumbnail an image's EXIF carries (a camera's or an editor's small copy, which a file
/// manager shows in place of the image and which may show what the image no longer does), as a
/// frame. None when there is none; an error when there is one vault cannot read.
fn thumbnail(bytes: &[u8]) -> Result<Option<Frame>, Unread> {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)) else {
        return Ok(None);
    };
    let field = |tag| exif.get_field(tag, exif::In::THUMBNAIL).and_then(|f| f.value.get_uint(0));
    if field(exif::Tag::StripOffsets).is_some() {
        // An uncompressed thumbnail: rare, and not read.
        return Err(Unread::Undecodable);
    }
    let (Some(at), Some(len)) =
        (field(exif::Tag::JPEGInterchangeFormat), field(exif::Tag::JPEGInterchangeFormatLength))
    else {
        return Ok(None);
    };
    let jpeg =
        exif.buf().get(at as usize..(at as usize).saturating_add(len as usize)).ok_or(Unread::Undecodable)?;
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(jpeg), image::ImageFormat::Jpeg);
    reader.limits(limits());
    let image = reader.decode().map_err(|_| Unread::Undecodable)?;
    Ok(Some(frame(&image)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transparent_pixels_are_read_over_a_middle_grey() {
        // Black under the transparent pixels too (as many encoders leave it); the text opaque.
        let mut img = image::RgbaImage::from_pixel(8, 2, image::Rgba([0, 0, 0, 0]));
        img.put_pixel(3, 1, image::Rgba([0, 0, 0, 255]));
        img.put_pixel(4, 1, image::Rgba([255, 255, 255, 255]));
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        let g = &image_frames(&png).unwrap().unwrap()[0].1.gray;
        assert_eq!((g.pixels[0], g.pixels[8 + 3], g.pixels[8 + 4]), (128, 0, 255));
    }

    #[test]
    fn an_image_too_large_to_read_is_refused_even_behind_a_weak_signature() {
        // A BMP header declaring 30000 x 30000 pixels, and nothing after it.
        let mut bmp = b"BM".to_vec();
        for v in [70u32, 0, 54, 40] {
            bmp.extend(v.to_le_bytes());
        }
        for v in [30_000i32, 30_000] {
            bmp.extend(v.to_le_bytes());
        }
        bmp.extend(1u16.to_le_bytes());
        bmp.extend(24u16.to_le_bytes());
        bmp.extend([0u8; 24]);
        bmp.extend([0u8; 16]);
        assert_eq!(image_frames(&bmp), Some(Err(Unread::TooLarge)));
    }

    #[test]
    fn a_png_is_read_and_a_broken_one_is_refused_but_bm_text_is_not_an_image() {
        let img = image::GrayImage::from_pixel(7, 3, image::Luma([200]));
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        let frames = image_frames(&png).unwrap().unwrap();
        let g = &frames[0].1.gray;
        assert_eq!((g.width, g.height, g.pixels[0]), (7, 3, 200));
        assert_eq!(image_frames(&png[..png.len() / 2]), Some(Err(Unread::Undecodable)));
        assert_eq!(image_frames(b"BMW service notes, made up"), None);
    }
}
