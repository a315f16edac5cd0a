use super::*;

fn png(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut encoded = Vec::new();
    image::GrayImage::from_pixel(8, 8, image::Luma([200]))
        .write_to(&mut std::io::Cursor::new(&mut encoded), image::ImageFormat::Png)
        .unwrap();
    // The chunks go before IEND (the last 12 bytes); the CRC is not checked by the walk, but
    // is written right so that other readers take the file too.
    let (body, end) = encoded.split_at(encoded.len() - 12);
    let mut out = body.to_vec();
    for (kind, data) in chunks {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(&kind[..]);
        crc.update(data);
        out.extend(&kind[..]);
        out.extend(data);
        out.extend(crc.sum().to_be_bytes());
    }
    out.extend(end);
    out
}

fn jpeg_with(segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut encoded = Vec::new();
    image::GrayImage::from_pixel(8, 8, image::Luma([200]))
        .write_to(&mut std::io::Cursor::new(&mut encoded), image::ImageFormat::Jpeg)
        .unwrap();
    let mut out = encoded[..2].to_vec();
    for (marker, data) in segments {
        out.extend([0xFF, *marker]);
        out.extend(((data.len() + 2) as u16).to_be_bytes());
        out.extend(data);
    }
    out.extend(&encoded[2..]);
    out
}

/// EXIF in TIFF form (little-endian): IFD0 holding one ASCII field.
fn exif_ascii(tag: u16, text: &str) -> Vec<u8> {
    let mut value = text.as_bytes().to_vec();
    value.push(0);
    let mut t = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    t.extend(1u16.to_le_bytes());
    t.extend(tag.to_le_bytes());
    t.extend(2u16.to_le_bytes()); // ASCII
    t.extend((value.len() as u32).to_le_bytes());
    if value.len() <= 4 {
        // Four bytes or fewer sit in the field itself.
        value.resize(4, 0);
        t.extend(&value);
        t.extend(0u32.to_le_bytes());
    } else {
        t.extend((8 + 2 + 12 + 4u32).to_le_bytes()); // the value follows the IFD
        t.extend(0u32.to_le_bytes());
        t.extend(value);
    }
    t
}

fn exif_segment(tag: u16, text: &str) -> (u8, Vec<u8>) {
    let mut d = b"Exif\0\0".to_vec();
    d.extend(exif_ascii(tag, text));
    (0xE1, d)
}

fn rules(bytes: &[u8]) -> Vec<(String, &'static str)> {
    reasons(bytes).into_iter().map(|r| (r.keyword, r.detail)).collect()
}

#[test]
fn png_text_chunks_of_every_kind_are_read() {
    let mut z = b"Comment\0\0".to_vec();
    z.extend(miniz_like(b"DOB 12/03/1970"));
    let mut i = b"Description\0\0\0en\0\0".to_vec();
    i.extend(b"Madeup^Persona");
    for (chunk, field) in [
        ((b"tEXt", b"Patient\0Persona Madeup".to_vec()), "PNG text Patient"),
        ((b"zTXt", z), "PNG text Comment"),
        ((b"iTXt", i), "PNG text Description"),
    ] {
        let r = rules(&png(&[chunk]));
        assert_eq!(r.len(), 1, "{field}: {r:?}");
        assert_eq!(r[0].0, field);
    }
    // A screenshot tool's own words are no identity.
    assert!(rules(&png(&[(b"tEXt", b"Software\0Greenshot".to_vec())])).is_empty());
    assert!(rules(&png(&[])).is_empty());
}

fn miniz_like(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut e, data).unwrap();
    e.finish().unwrap()
}

#[test]
fn exif_names_dates_places_and_shaped_text_are_refused() {
    let jpeg = |tag, text| jpeg_with(&[exif_segment(tag, text)]);
    assert_eq!(rules(&jpeg(0x013B, "A Photographer")), [("EXIF Artist".to_string(), "a person's name")]);
    assert_eq!(rules(&jpeg(0x0132, "2024:03:12 10:22:01")), [("EXIF DateTime".to_string(), "a date")]);
    assert_eq!(rules(&jpeg(0x010E, "Patient: Persona Madeup"))[0].1, "a labelled identity field");
    assert!(rules(&jpeg(0x010E, "Left forearm, lateral view")).is_empty());
    let empty = rules(&jpeg(0x013B, ""));
    assert!(empty.is_empty(), "an empty field says nothing: {empty:?}");
    // GPS: an IFD0 pointing at a GPS IFD with a latitude reference.
    let mut t = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    t.extend(1u16.to_le_bytes());
    t.extend(0x8825u16.to_le_bytes()); // GPSInfo pointer
    t.extend(4u16.to_le_bytes()); // LONG
    t.extend(1u32.to_le_bytes());
    t.extend(26u32.to_le_bytes());
    t.extend(0u32.to_le_bytes());
    t.extend(1u16.to_le_bytes());
    t.extend(1u16.to_le_bytes()); // GPSLatitudeRef
    t.extend(2u16.to_le_bytes());
    t.extend(2u32.to_le_bytes());
    t.extend(*b"N\0\0\0");
    t.extend(0u32.to_le_bytes());
    let mut d = b"Exif\0\0".to_vec();
    d.extend(t);
    assert_eq!(rules(&jpeg_with(&[(0xE1, d)])), [("EXIF GPS".to_string(), "a place (GPS position)")]);
}

/// A JPEG's Photoshop segment holding IPTC `datasets` (record 2), after a resource before it.
fn jpeg_with_iptc(datasets: &[(u8, &[u8])]) -> Vec<u8> {
    let mut iptc = vec![0x1C, 2, 0, 0, 2, 0, 4];
    for (n, value) in datasets {
        iptc.extend([0x1C, 2, *n]);
        iptc.extend((value.len() as u16).to_be_bytes());
        iptc.extend(*value);
    }
    let mut app13 = b"Photoshop 3.0\0".to_vec();
    // A resolution resource first (its name empty, padded), then the IPTC.
    app13.extend(b"8BIM\x03\xED\0\0");
    app13.extend(16u32.to_be_bytes());
    app13.extend([0u8; 16]);
    app13.extend(b"8BIM\x04\x04\0\0");
    app13.extend((iptc.len() as u32).to_be_bytes());
    app13.extend(&iptc);
    if iptc.len() % 2 == 1 {
        app13.push(0);
    }
    jpeg_with(&[(0xED, app13)])
}

#[test]
fn a_jpegs_iptc_caption_and_by_line_are_read() {
    let caption = rules(&jpeg_with_iptc(&[(120, b"Patient: Zelda Madeup DOB 1971-02-03")]));
    assert_eq!(caption, [("IPTC 2:120".to_string(), "a labelled identity field")]);
    let by_line = rules(&jpeg_with_iptc(&[(80, b"Zelda Madeup"), (25, b"teaching")]));
    assert_eq!(by_line, [("IPTC 2:80".to_string(), "a person's name")]);
    assert!(rules(&jpeg_with_iptc(&[(120, b"CT head, normal"), (25, b"neuro")])).is_empty());
}

#[test]
fn jpeg_comments_and_xmp_are_read_and_a_tiff_is_its_own_exif() {
    let r = rules(&jpeg_with(&[(0xFE, b"MRN: 4711913".to_vec())]));
    assert_eq!(r, [("JPEG comment".to_string(), "a labelled identity field")]);
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    xmp.extend(b"<x:xmpmeta><dc:creator>Madeup^Persona</dc:creator></x:xmpmeta>");
    assert_eq!(rules(&jpeg_with(&[(0xE1, xmp)]))[0].0, "XMP dc:creator");
    assert!(rules(&jpeg_with(&[(0xFE, b"teaching case 12".to_vec())])).is_empty());
    assert_eq!(rules(&exif_ascii(0x013B, "A Photographer"))[0].0, "EXIF Artist");
}

#[test]
fn what_a_lenient_reader_shows_is_read_however_it_is_hidden() {
    let labelled = b"Patient: Persona Madeup".to_vec();
    // A stray byte before the comment; a comment after the scan; text after the end.
    let mut stray = jpeg_with(&[(0xFE, labelled.clone())]);
    stray.insert(2, 0x00);
    assert_eq!(rules(&stray)[0].0, "JPEG comment");
    let plain = jpeg_with(&[]);
    let eoi = plain.len() - 2;
    let mut after_scan = plain[..eoi].to_vec();
    after_scan.extend([0xFF, 0xFE, 0, (labelled.len() + 2) as u8]);
    after_scan.extend(&labelled);
    after_scan.extend([0xFF, 0xD9]);
    assert_eq!(rules(&after_scan)[0].0, "JPEG comment");
    let mut trailer = plain.clone();
    trailer.extend(&labelled);
    assert_eq!(rules(&trailer)[0].0, "bytes after the image");
    let mut png_trailer = png(&[]);
    png_trailer.extend(&labelled);
    assert_eq!(rules(&png_trailer)[0].0, "bytes after the image");
    // A second EXIF segment; a name written as bytes, not ASCII.
    let two = jpeg_with(&[exif_segment(0x010E, "Left forearm"), exif_segment(0x013B, "A Photographer")]);
    assert_eq!(rules(&two)[0].0, "EXIF Artist");
    let mut as_bytes = exif_ascii(0x013B, "A Photographer");
    as_bytes[8 + 2 + 2] = 1; // BYTE
    assert_eq!(rules(&as_bytes)[0].1, "a person's name");
    // UTF-16, letters spaced by NULs, XML's entities.
    let utf16: Vec<u8> = "MRN: 4711913".encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert!(!rules(&jpeg_with(&[(0xFE, utf16)])).is_empty());
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    xmp.extend(b"<dc:description>Patient&#58; Persona Madeup</dc:description>");
    assert!(!rules(&jpeg_with(&[(0xE1, xmp)])).is_empty());
    // PNG's Author is a person however written; a PNM's header comment is read.
    assert_eq!(rules(&png(&[(b"tEXt", b"Author\0Persona Madeup".to_vec())]))[0].1, "a person's name");
    assert_eq!(rules(b"P5\n# MRN: 4711913\n2 1\n255\n\x00\x00")[0].0, "PNM comment");
    assert!(rules(b"P5\n# made by a scanner\n2 1\n255\n\x00\x00").is_empty());
    // A GIF's comment extension, after its colour table and before its image.
    let mut gif = Vec::new();
    image::RgbaImage::from_pixel(8, 8, image::Rgba([200, 200, 200, 255]))
        .write_to(&mut std::io::Cursor::new(&mut gif), image::ImageFormat::Gif)
        .unwrap();
    let colours = if gif[10] & 0x80 != 0 { 3 << ((gif[10] & 7) + 1) } else { 0 };
    let mut comment = vec![0x21, 0xFE, labelled.len() as u8];
    comment.extend(&labelled);
    comment.push(0);
    let cut = 13 + colours;
    let with_comment = [&gif[..cut], &comment[..], &gif[cut..]].concat();
    assert_eq!(rules(&with_comment)[0].0, "GIF comment");
    assert!(rules(&gif).is_empty());
    // XMP's creator is a person however written.
    let mut creator = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    creator.extend(b"<dc:creator><rdf:Seq><rdf:li>Persona Madeup</rdf:li></rdf:Seq></dc:creator>");
    assert_eq!(rules(&jpeg_with(&[(0xE1, creator)]))[0].0, "XMP dc:creator");
    let mut empty = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    empty.extend(b"<dc:creator><rdf:Seq/></dc:creator>");
    assert!(rules(&jpeg_with(&[(0xE1, empty)])).is_empty());
}

#[test]
fn exif_that_does_not_read_whole_and_text_too_long_to_read_are_refused() {
    // IFD0 whose next-IFD offset points past the end.
    let mut broken = exif_ascii(0x010E, "Left forearm");
    let next = 8 + 2 + 12;
    broken[next..next + 4].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes());
    assert_eq!(
        rules(&jpeg_with(&[(0xE1, [b"Exif\0\0".to_vec(), broken].concat())]))[0].1,
        "EXIF that does not read whole"
    );
    // A compressed text that inflates past the bound: its end is never read, so it is refused.
    let mut big = vec![b' '; MOST_TEXT as usize + 10];
    big.extend(b"MRN: 4711913");
    let mut z = b"Comment\0\0".to_vec();
    z.extend(miniz_like(&big));
    assert_eq!(rules(&png(&[(b"zTXt", z)]))[0].1, "text too long to read whole");
}

#[test]
fn an_icc_profile_s_text_is_read_for_labels_and_names_in_dicom_s_form() {
    let deflated = |data: &[u8]| {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, data).unwrap();
        z.finish().unwrap()
    };
    let iccp = |name: &str, profile: Vec<u8>| {
        let mut data = name.as_bytes().to_vec();
        data.extend([0, 0]);
        data.extend(deflated(&profile));
        png(&[(b"iCCP", data)])
    };
    let app2 = |profile: Vec<u8>| {
        let mut data = b"ICC_PROFILE\0\x01\x01".to_vec();
        data.extend(profile);
        jpeg_with(&[(0xE2, data)])
    };
    for (desc, cprt) in [("MRN 4711913", "made-up"), ("Display", "Madeup^Zelda 19710203")] {
        assert!(!rules(&iccp("ICC profile", icc::profile(desc, cprt))).is_empty(), "{desc} {cprt}");
        assert!(!rules(&app2(icc::profile(desc, cprt))).is_empty(), "{desc} {cprt}");
    }
    assert!(!rules(&iccp("Patient: Zelda Madeup", icc::profile("sRGB", "none"))).is_empty());
    // Every sRGB image's profile.
    let srgb = || icc::profile("sRGB IEC61966-2.1", "Copyright (c) 1998 Hewlett-Packard Company");
    assert_eq!(rules(&iccp("sRGB IEC61966-2.1", srgb())), []);
    assert_eq!(rules(&app2(srgb())), []);
}
