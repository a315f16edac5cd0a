//! Identity inside every container the gate opens, containers part way into other bytes, bytes
//! archives skip, raw data sets, bombs, and the names containers carry. All names and values
//! here are made up.

mod common;

use std::io::Write;
use std::process::Command;

use common::dicom::*;
use vault::gate::{self, Policy};

fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    for (name, data) in members {
        let opts =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

fn tar_of(members: &[(&str, Vec<u8>, u8)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data, kind) in members {
        let mut h = tar::Header::new_old();
        h.set_path(name).unwrap();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::new(*kind));
        h.set_cksum();
        out.extend(h.as_bytes());
        out.extend(data);
        out.resize(out.len().next_multiple_of(512), 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn gzip_of(data: &[u8]) -> Vec<u8> {
    let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    g.write_all(data).unwrap();
    g.finish().unwrap()
}

/// A cpio archive in the "newc" form.
fn cpio_of(name: &str, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, d) in [(name, data), ("TRAILER!!!", &[][..])] {
        let header = format!(
            "070701{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}",
            1,
            0o100644,
            0,
            0,
            1,
            0,
            d.len(),
            0,
            0,
            0,
            0,
            n.len() + 1,
            0
        );
        out.extend(header.as_bytes());
        out.extend(n.as_bytes());
        out.push(0);
        out.resize(out.len().next_multiple_of(4), 0);
        out.extend(d);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    out
}

#[test]
fn identity_inside_every_container_is_found_and_clean_containers_pass() {
    let dirty = part10(identified(), EXPLICIT);
    let clean = part10(conformant(), EXPLICIT);
    let zipped = zip_of(&[("study/notes.txt", b"made-up".to_vec()), ("study/ct.dcm", dirty.clone())]);
    assert!(reasons(&zipped).iter().any(|r| r.1 == "PatientName" && r.2 == "study/ct.dcm!/"));
    // Bytes in front of a zip (a self-extracting archive): unzip still finds it.
    let mut prefixed = b"#!/bin/sh\necho made-up self-extractor\nexit 0\n".to_vec();
    prefixed.extend(&zipped);
    assert!(reasons(&prefixed).iter().any(|r| r.1 == "PatientName"), "{:?}", reasons(&prefixed));
    // tar inside gzip inside zip.
    let nested = zip_of(&[("study.tar.gz", gzip_of(&tar_of(&[("s/ct.dcm", dirty.clone(), b'0')])))]);
    assert!(
        reasons(&nested).iter().any(|r| r.2 == "study.tar.gz!/(gunzip)!/s/ct.dcm!/"),
        "{:?}",
        reasons(&nested)
    );
    // Old V7 headers (no ustar magic) and member types GNU tar extracts as files.
    for kind in [b'0', b'\0', b'7', b'X', b'A'] {
        let t = tar_of(&[("ct.dcm", dirty.clone(), kind)]);
        assert!(reasons(&t).iter().any(|r| r.1 == "PatientName"), "type {kind}");
    }
    let cpio = cpio_of("DICOM/IM1", &dirty);
    assert!(reasons(&cpio).iter().any(|r| r.1 == "PatientName" && r.2 == "DICOM/IM1!/"));
    let mut ar = ar::Builder::new(Vec::new());
    ar.append(&ar::Header::new(b"ct.dcm".to_vec(), dirty.len() as u64), &dirty[..]).unwrap();
    let ar = ar.into_inner().unwrap();
    assert!(reasons(&ar).iter().any(|r| r.1 == "PatientName"));
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&dirty).unwrap();
    assert!(reasons(&bz.finish().unwrap()).iter().any(|r| r.1 == "PatientName"));
    // Containers vault does not open are refused, named.
    let mut seven = b"7z\xBC\xAF\x27\x1C\0\x04".to_vec();
    seven.extend([0u8; 64]);
    let r = verdict(&seven);
    assert!(!r.accept && r.reasons[0].rule == "unsupported-container" && r.reasons[0].detail == "7z");
    for (name, head) in [("lzop", &b"\x89LZO\0\r\n\x1a\n\x10\x30"[..]), ("lha", b"\x2a\x15-lh5-\x10\0\0\0")] {
        let mut file = head.to_vec();
        file.extend([0u8; 64]);
        let r = verdict(&file);
        assert!(!r.accept && r.reasons[0].detail == name, "{name}: {r:?}");
    }
    // Clean ones pass.
    assert!(accepted(&zip_of(&[("ct.dcm", clean.clone()), ("n.txt", b"made-up".to_vec())])));
    assert!(accepted(&gzip_of(&tar_of(&[("ct.dcm", clean.clone(), b'0')]))));
    assert!(accepted(&cpio_of("ct.dcm", &clean)));
}

/// Bytes no reader takes for anything (made-up, the same each run).
fn noise(len: usize, seed: u8) -> Vec<u8> {
    let mut out = vec![0u8; len];
    blake3::Hasher::new().update(&[seed]).finalize_xof().fill(&mut out);
    out
}

/// A container part way into other bytes (after a made-up header, before a made-up tail), as a
/// file carver (binwalk, foremost, `7z` when it scans) takes it out: opened where it starts,
/// what decodes counts — a stream cut short gives what it decoded — and a format vault does
/// not open is refused. Noise, and the same containers holding a clean file, pass.
#[test]
fn containers_part_way_into_other_bytes_are_opened_as_a_carver_would() {
    let dirty = part10(identified(), EXPLICIT);
    let clean = part10(conformant(), EXPLICIT);
    let inside = |container: &[u8], seed: u8| {
        let mut out = noise(70_001, seed);
        out.extend(container);
        out.extend(noise(70_003, seed + 1));
        out
    };
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&dirty).unwrap();
    let bz = bz.finish().unwrap();
    let mut cut_gzip = gzip_of(&dirty);
    cut_gzip.truncate(cut_gzip.len() - 12);
    let zipped = zip_of(&[("a/notes.txt", b"made-up".to_vec()), ("a/ct.dcm", dirty.clone())]);
    let cases: [(&str, Vec<u8>); 6] = [
        ("a zip with bytes before and after it", inside(&zipped, 1)),
        ("a gzip stream", inside(&gzip_of(&dirty), 3)),
        ("a gzip stream cut short", inside(&cut_gzip, 5)),
        ("a tar at an offset no block starts at", inside(&tar_of(&[("ct.dcm", dirty.clone(), b'0')]), 7)),
        ("a bzip2 stream", inside(&bz, 9)),
        ("a gzip inside a clean file's pixel data", {
            let mut with = part10(conformant(), EXPLICIT);
            let mut pixels = noise(4_000, 11);
            pixels.extend(gzip_of(&dirty));
            pixels.resize(pixels.len().next_multiple_of(2), 0);
            with.extend([0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0]);
            with.extend((pixels.len() as u32).to_le_bytes());
            with.extend(pixels);
            with
        }),
    ];
    let door =
        |bytes: &[u8]| gate::door::check_in_memory(bytes, &Policy::default(), &gate::burned::Sight::system());
    for (what, bytes) in &cases {
        let r = reasons(bytes);
        assert!(r.iter().any(|r| r.1 == "PatientName"), "{what}: {r:?}");
        // The doors look at a plain file's head and tail first: what hides in its middle
        // still reaches the gate.
        assert!(!door(bytes).accept, "{what}: passed a door");
    }
    // A Part 10 file itself in the middle of other bytes.
    let hidden = inside(&dirty, 20);
    assert!(!door(&hidden).accept && reasons(&hidden).iter().any(|r| r.1 == "PatientName"));
    // The reviewer's ways past the first cut: a file whose first bytes a zlib guess takes;
    // an empty zip end record at the end; a zip written as a stream (sizes after the data).
    let mut guessed = b"\x78\x01\xFF".to_vec();
    guessed.extend(inside(&zipped, 23));
    let mut ended = inside(&zipped, 25);
    ended.extend(b"PK\x05\x06");
    ended.extend([0u8; 18]);
    let mut streamed = zip::ZipWriter::new_stream(Vec::new());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    streamed.start_file("ct.dcm", opts).unwrap();
    streamed.write_all(&dirty).unwrap();
    let streamed = inside(&streamed.finish().unwrap().into_inner(), 27);
    for (what, bytes) in
        [("a zlib guess first", &guessed), ("an end record last", &ended), ("a streamed zip", &streamed)]
    {
        assert!(!verdict(bytes).accept && !door(bytes).accept, "{what}");
    }
    // Escapes over escapes, a megabyte of them: read a few rounds deep, in time.
    let mut deep = "%".to_string();
    deep.push_str(&"25".repeat(500_000));
    deep.push_str("5E");
    let started = std::time::Instant::now();
    let _ = gate::check_name(&format!("Madeup{deep}Person"));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    // A 7z start header (its check right), part way in: refused, named. The signature alone
    // (a constant in a program that reads 7z) is not an archive.
    let mut seven = b"7z\xBC\xAF\x27\x1C\0\x04".to_vec();
    let next_header = noise(20, 13);
    let mut crc = flate2::Crc::new();
    crc.update(&next_header);
    seven.extend(crc.sum().to_le_bytes());
    seven.extend(&next_header);
    let mut constant = b"7z\xBC\xAF\x27\x1C\0\x04".to_vec();
    constant.extend(noise(24, 24));
    assert!(accepted(&inside(&constant, 26)));
    let r = verdict(&inside(&seven, 14));
    assert!(
        r.reasons.iter().any(|r| r.rule == "unsupported-container" && r.detail == "7z"),
        "{:?}",
        r.reasons
    );
    for (what, bytes) in [
        ("noise", noise(1 << 20, 15)),
        ("a clean zip inside", inside(&zip_of(&[("ct.dcm", clean.clone())]), 16)),
        ("a clean gzip inside", inside(&gzip_of(&clean), 18)),
        // gzip's signature by chance (speckle holds one every hundred megabytes or so), its
        // flags saying an extra field, text there, and no stream after it: no container.
        ("a gzip signature by chance", {
            let mut chance = b"\x1f\x8b\x08\x04\0\0\0\0\0\x03\x10\0made-up text ok!".to_vec();
            chance.extend([0xFF; 64]);
            inside(&chance, 22)
        }),
    ] {
        let v = verdict(&bytes);
        assert!(v.accept && door(&bytes).accept, "{what}: {:?}", v.reasons);
    }
}

/// `gap` put before the zip's `member`-th local header, the offsets after it moved on: a
/// zip every reader opens (`unzip` warns of extra bytes) with bytes no member holds.
fn zip_with_gap(zip: &[u8], member: usize, gap: &[u8]) -> Vec<u8> {
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let u16_at = |b: &[u8], at: usize| usize::from(u16::from_le_bytes(b[at..at + 2].try_into().unwrap()));
    let end = zip.len() - 22;
    assert_eq!(&zip[end..end + 4], b"PK\x05\x06");
    let directory = u32_at(zip, end + 16) as usize;
    let (mut tail, mut at, mut index) = (zip[directory..].to_vec(), 0, 0);
    let mut gap_at = directory;
    while tail[at..].starts_with(b"PK\x01\x02") {
        let header = u32_at(&tail, at + 42);
        if index == member {
            gap_at = header as usize;
        }
        if index >= member {
            tail[at + 42..at + 46].copy_from_slice(&(header + gap.len() as u32).to_le_bytes());
        }
        at += 46 + u16_at(&tail, at + 28) + u16_at(&tail, at + 30) + u16_at(&tail, at + 32);
        index += 1;
    }
    let record = tail.len() - 22 + 16;
    tail[record..record + 4].copy_from_slice(&((directory + gap.len()) as u32).to_le_bytes());
    let mut out = zip[..gap_at].to_vec();
    out.extend(gap);
    out.extend(&zip[gap_at..directory]);
    out.extend(tail);
    out
}

/// Bytes an archive's reader skips and a carver reads: between a zip's members, before its
/// central directory, and in the padding of a tar member's last block. Each is read as a file
/// of its own; noise and zeros there pass.
#[test]
fn bytes_an_archive_skips_between_its_members_are_read() {
    let dirty = part10(identified(), EXPLICIT);
    let hidden = gzip_of(&dirty);
    let zipped = zip_of(&[("a/notes.txt", b"made-up".to_vec()), ("a/more.txt", b"made-up too".to_vec())]);
    let mut gap = noise(301, 31);
    gap.extend(&hidden);
    for (what, bytes) in [
        ("between two members", zip_with_gap(&zipped, 1, &gap)),
        ("before the central directory", zip_with_gap(&zipped, 2, &gap)),
    ] {
        let unzipped = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap().len();
        assert_eq!(unzipped, 2, "{what}: not a zip a reader opens");
        let r = reasons(&bytes);
        assert!(r.iter().any(|r| r.1 == "PatientName"), "{what}: {r:?}");
    }
    let mut tarred = tar_of(&[("a.txt", b"m".to_vec(), b'0'), ("b.txt", b"made-up".to_vec(), b'0')]);
    assert!(hidden.len() < 511, "the gzip fits no padding: {} bytes", hidden.len());
    tarred[513..513 + hidden.len()].copy_from_slice(&hidden);
    assert_eq!(tar::Archive::new(&tarred[..]).entries().unwrap().count(), 2);
    let r = reasons(&tarred);
    assert!(r.iter().any(|r| r.1 == "PatientName"), "tar padding: {r:?}");
    for (what, bytes) in [
        ("noise between members", zip_with_gap(&zipped, 1, &noise(4_000, 32))),
        ("zeros between members", zip_with_gap(&zipped, 1, &[0; 4_000])),
        ("a clean gzip between members", zip_with_gap(&zipped, 1, &gzip_of(&part10(conformant(), EXPLICIT)))),
    ] {
        let v = verdict(&bytes);
        assert!(v.accept, "{what}: {:?}", v.reasons);
    }
}

/// A Part 10 file's data set alone (explicit VR little endian): its bytes after the meta group.
fn raw_of(part10: &[u8]) -> Vec<u8> {
    assert_eq!(&part10[132..138], b"\x02\x00\x00\x00UL");
    let meta = u32::from_le_bytes(part10[140..144].try_into().unwrap()) as usize;
    part10[144 + meta..].to_vec()
}

/// A raw data set (no preamble, no `DICM`) part way into other bytes — after noise, a byte, a
/// line of text, in a clean file's pixel data — as pydicom's `read_dataset` reads it given the
/// offset: judged from its patient elements. Bytes that hold a patient element's header by
/// chance (16-bit pixels) and a clean data set in noise pass.
#[test]
fn raw_data_sets_part_way_into_other_bytes_are_read() {
    let dirty = raw_of(&part10(identified(), EXPLICIT));
    let door =
        |bytes: &[u8]| gate::door::check_in_memory(bytes, &Policy::default(), &gate::burned::Sight::system());
    let around = |prefix: Vec<u8>, set: &[u8]| {
        let mut out = prefix;
        out.extend(set);
        out.extend(noise(2_001, 41));
        out
    };
    let in_pixels = {
        let mut with = part10(conformant(), EXPLICIT);
        let mut pixels = noise(4_000, 42);
        pixels.extend(&dirty);
        pixels.resize(pixels.len().next_multiple_of(2), 0);
        with.extend([0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0]);
        with.extend((pixels.len() as u32).to_le_bytes());
        with.extend(pixels);
        with
    };
    for (what, bytes) in [
        ("after noise", around(noise(1_001, 43), &dirty)),
        ("after one byte", around(vec![0], &dirty)),
        ("after a line of text", around(b"Exported record follows:\n".to_vec(), &dirty)),
        ("in a clean file's pixel data", in_pixels),
    ] {
        let r = reasons(&bytes);
        assert!(r.iter().any(|r| r.1 == "PatientName"), "{what}: {r:?}");
        assert!(!door(&bytes).accept, "{what}: passed a door");
    }
    let mut sixteen_bit = Vec::new();
    for i in 0..100_000u32 {
        sixteen_bit.extend([16, 0, 16, 0, (i % 7) as u8, 0, 0, 0]);
    }
    for (what, bytes) in [
        ("16-bit pixels holding the header's bytes", sixteen_bit),
        ("a clean data set in noise", around(noise(1_001, 44), &raw_of(&part10(conformant(), EXPLICIT)))),
    ] {
        let v = verdict(&bytes);
        assert!(v.accept && door(&bytes).accept, "{what}: {:?}", v.reasons);
    }
}

#[test]
fn container_bombs_are_refused_not_expanded() {
    let bomb = gzip_of(&vec![0u8; 200 << 20]);
    let started = std::time::Instant::now();
    let v = verdict(&bomb);
    assert!(!v.accept);
    let bound = |rule: &str| matches!(rule, "archive-ratio" | "archive-too-large");
    assert!(bound(v.reasons[0].rule), "{:?}", v.reasons);
    let zip_bomb = zip_of(&[("zeros", vec![0u8; 256 << 20])]);
    assert!(bound(verdict(&zip_bomb).reasons[0].rule));
    // A zero-filled image a thousandfold smaller zipped is no bomb: within 64 MiB it opens.
    assert!(accepted(&zip_of(&[("zeros.img", vec![0u8; 4 << 20])])));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let mut deep = b"made-up".to_vec();
    for _ in 0..6 {
        deep = gzip_of(&deep);
    }
    assert_eq!(verdict(&deep).reasons[0].rule, "archive-depth");
    let mut broken = zip_of(&[("ct.dcm", b"made-up".to_vec())]);
    broken.truncate(20);
    assert!(!accepted(&broken));
    // An lzip header that asks for a 512 MiB dictionary: refused before any allocation.
    let mut lz = b"LZIP\x01\x1d".to_vec();
    lz.extend([0u8; 40]);
    assert_eq!(verdict(&lz).reasons[0].rule, "archive-too-large");
}

/// The rules of one verdict, and that none of them holds a made-up value.
fn named_rules(bytes: &[u8], values: &[&str]) -> Vec<&'static str> {
    let v = verdict(bytes);
    let shown = format!("{:?}", v.reasons);
    for value in values {
        assert!(!shown.contains(value), "a reason holds the value: {shown}");
    }
    v.reasons.iter().map(|r| r.rule).collect()
}

/// A name a container carries (a member's path, a link's target, an owner, a gzip's stored
/// file name, a disc's labels) is judged as kept text: `Family^Given`, a labelled field, a
/// title and a name are refused, and the reason holds no name. Names of studies as modalities
/// and viewers write them pass.
#[test]
fn names_a_container_carries_are_judged_and_never_shown() {
    let clean = part10(conformant(), EXPLICIT);
    let values = ["Doe", "Jane", "4711913", "1971"];
    let refused = |bytes: &[u8], what: &str| {
        let rules = named_rules(bytes, &values);
        assert!(rules.contains(&"identity-in-name"), "{what}: {rules:?}");
    };
    refused(&zip_of(&[("Doe^Jane/ct.dcm", clean.clone())]), "a zip folder with a person name");
    refused(&zip_of(&[("study/MRN_4711913.dcm", clean.clone())]), "a zip member with a labelled MRN");
    refused(&zip_of(&[("DOB 1971-02-03/", Vec::new())]), "a zip folder with a labelled birth date");
    refused(&tar_of(&[("Doe^Jane/ct.dcm", clean.clone(), b'0')]), "a tar member's name");
    refused(&gzip_of(&tar_of(&[("Mr_Jane_Doe/ct.dcm", clean.clone(), b'0')])), "a title and a name");
    refused(&cpio_of("Patient_Name=Doe/ct.dcm", &clean), "a cpio member's name");
    let mut ar = ar::Builder::new(Vec::new());
    ar.append(&ar::Header::new(b"Doe^Jane".to_vec(), clean.len() as u64), &clean[..]).unwrap();
    refused(&ar.into_inner().unwrap(), "an ar member's name");
    // A tar's owner and a link's target, with a member that is itself clean.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(clean.len() as u64);
    h.set_mode(0o644);
    h.set_username("Doe^Jane").unwrap();
    h.set_cksum();
    b.append_data(&mut h, "ct.dcm", &clean[..]).unwrap();
    refused(&b.into_inner().unwrap(), "a tar owner");
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    b.append_link(&mut h, "latest", "Doe^Jane/ct.dcm").unwrap();
    refused(&b.into_inner().unwrap(), "a link's target");
    // A gzip's stored file name (`gzip -N` restores it).
    let mut g =
        flate2::GzBuilder::new().filename("Doe^Jane.dcm").write(Vec::new(), flate2::Compression::fast());
    g.write_all(&clean).unwrap();
    refused(&g.finish().unwrap(), "a gzip's file name");
    // A disc's volume label and publisher (genisoimage, as a CD writer makes them).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("IM1"), &clean).unwrap();
    for opts in [["-V", "DOE^JANE"], ["-publisher", "Name: Jane Doe"]] {
        let iso = dir.path().join("disc.iso");
        let made = Command::new("genisoimage")
            .args(["-quiet", "-o"])
            .arg(&iso)
            .args(opts)
            .arg(dir.path().join("IM1"))
            .status()
            .expect("genisoimage (packaging/install-deps.sh installs it)");
        assert!(made.success());
        refused(&std::fs::read(&iso).unwrap(), opts[0]);
        std::fs::remove_file(&iso).unwrap();
    }
    // The names studies carry: UIDs, series numbers, modality and date folders, IDs that are
    // a viewer's counters.
    for name in [
        "1.2.840.113619.2.55.3.604688119.969.1/1.3.12.2.1107.5.2.dcm",
        "DICOM/PT000000/ST000000/SE000000/IM000000",
        "CT_2024-01-05/Series_003_AX_SOFT/ID-0001.dcm",
        "Teaching/Chest PA (2)/IMG_0001.dcm",
        "export_20240105/Anonymized_case_12/slice_0004.dcm",
    ] {
        let z = zip_of(&[(name, clean.clone())]);
        assert!(accepted(&z), "{name}: {:?}", verdict(&z).reasons);
        assert!(accepted(&tar_of(&[(name, clean.clone(), b'0')])), "{name} in a tar");
    }
    let mut g =
        flate2::GzBuilder::new().filename("IM000001.dcm").write(Vec::new(), flate2::Compression::fast());
    g.write_all(&clean).unwrap();
    assert!(accepted(&g.finish().unwrap()));
}

/// Base64 of bytes, as `base64` writes it (lines of 76).
fn base64_of(data: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (n, group) in data.chunks(3).enumerate() {
        if n > 0 && n % 19 == 0 {
            out.push('\n');
        }
        let b = [group[0], *group.get(1).unwrap_or(&0), *group.get(2).unwrap_or(&0)];
        let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..4 {
            out.push(if k <= group.len() {
                ALPHABET[(v >> (18 - 6 * k) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out.push('\n');
    out
}

/// Text as UTF-16 (little-endian with a byte-order mark, or big-endian without) or UTF-32.
fn wide(text: &str, form: &str) -> Vec<u8> {
    match form {
        "utf-16le" => {
            [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
        }
        "utf-16be" => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        _ => [0xFF, 0xFE, 0, 0]
            .into_iter()
            .chain(text.chars().flat_map(|c| (c as u32).to_le_bytes()))
            .collect(),
    }
}

/// An identified file written as base64 or hex text, saved in UTF-16 or UTF-32 (as Windows'
/// Notepad saves it): read as the text it stands for, and the file in it found. The same of a
/// conforming file, and a note in UTF-16, pass.
#[test]
fn text_encodings_of_a_file_in_utf16_or_utf32_are_read() {
    let dirty = part10(identified(), EXPLICIT);
    let clean = part10(conformant(), EXPLICIT);
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    for form in ["utf-16le", "utf-16be", "utf-32"] {
        for (what, text) in [("base64", base64_of(&dirty)), ("hex", hex(&dirty))] {
            assert!(!accepted(&wide(&text, form)), "{what} in {form}");
        }
        assert!(accepted(&wide(&base64_of(&clean), form)), "a conforming file's base64 in {form}");
        assert!(accepted(&wide("Teaching notes: CT head, normal study.\r\n", form)), "a note in {form}");
    }
}

/// Text in an encoding, as Python's standard library writes it (`base64`, `binascii`).
fn encoded_as(text: &str, encoding: &str) -> Vec<u8> {
    const SCRIPT: &str = "import sys, base64, binascii\n\
        d = sys.stdin.buffer.read()\n\
        uu = b'begin 644 note.txt\\n' + b''.join(binascii.b2a_uu(d[i:i + 45]) for i in range(0, len(d), 45)) + b'`\\nend\\n'\n\
        out = {'base64': base64.b64encode(d), 'base32': base64.b32encode(d), 'hex': binascii.hexlify(d),\n\
               'uuencode': uu, 'ascii85': base64.a85encode(d, adobe=True), 'base85': base64.b85encode(d)}\n\
        sys.stdout.buffer.write(out[sys.argv[1]])\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", SCRIPT, encoding])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{encoding}");
    out.stdout
}

/// A note of a few lines that labels a patient, saved as a short file of a text encoding (an
/// adversary's round, 2026-12-06: 80 bytes of base64, base32, hex, uuencode and ASCII85 passed,
/// being shorter than a file of bytes in them): read as the text it decodes to. A note of the
/// same length that names no one passes.
#[test]
fn a_short_note_in_a_text_encoding_is_read_as_text() {
    let note = "Patient: Zelda Madeup\nDOB: 03/02/1971\nMRN: 4711913\n";
    let clean = "Series 3 AX T2 FLAIR after contrast, teaching case\n";
    for encoding in ["base64", "base32", "hex", "uuencode", "ascii85", "base85"] {
        assert!(!accepted(&encoded_as(note, encoding)), "a labelled note in {encoding}");
        assert!(accepted(&encoded_as(clean, encoding)), "a clean note in {encoding}");
    }
}

/// A raw data set where the profile keeps binary (an adversary's round, 2026-12-06: each
/// passed, and `vault scrub` kept it): a plain data set in EncryptedContent, where only an
/// encrypted one belongs; in a VOI LUT's data; in a palette's table. Noise of the same length
/// in the same places passes.
#[test]
fn raw_data_sets_inside_binary_values_are_read() {
    use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
    use vault::gate::door::check_in_memory;
    let mut dirty = raw_of(&part10(identified(), EXPLICIT));
    dirty.resize(dirty.len().next_multiple_of(2), 0);
    let clean = noise(dirty.len(), 45);
    let binary = |tag: (u16, u16), vr: VR, value: &[u8]| {
        DataElement::new(Tag(tag.0, tag.1), vr, PrimitiveValue::from(value.to_vec()))
    };
    let placed = |place: &str, value: &[u8]| {
        let mut obj = conformant();
        let mut item = dicom_object::InMemDicomObject::new_empty();
        match place {
            "EncryptedContent" => {
                item.put(text(Tag(0x0400, 0x0510), VR::UI, "1.2.840.10008.1.2.1"));
                item.put(binary((0x0400, 0x0520), VR::OB, value));
                obj.put(DataElement::new(Tag(0x0400, 0x0500), VR::SQ, seq(vec![item])));
            }
            "LUTData" => {
                let entries = (value.len() / 2) as u16;
                item.put(DataElement::new(
                    Tag(0x0028, 0x3002),
                    VR::US,
                    PrimitiveValue::U16([entries, 0, 16].into_iter().collect()),
                ));
                item.put(binary((0x0028, 0x3006), VR::OW, value));
                obj.put(DataElement::new(Tag(0x0028, 0x3010), VR::SQ, seq(vec![item])));
            }
            _ => {
                obj.put(binary((0x0028, 0x1202), VR::OW, value));
            }
        }
        part10(obj, EXPLICIT)
    };
    let sight = gate::burned::Sight::system();
    for place in ["EncryptedContent", "LUTData", "GreenPaletteColorLookupTableData"] {
        let v = check_in_memory(&placed(place, &dirty), &Policy::default(), &sight);
        assert!(!v.accept, "a data set in {place}");
        assert!(v.reasons.iter().any(|r| r.to_string().contains("PatientName")), "{place}: {:?}", v.reasons);
        let v = check_in_memory(&placed(place, &clean), &Policy::default(), &sight);
        assert!(v.accept, "noise in {place}: {:?}", v.reasons);
    }
}

/// A labelled note among bytes that make the file no text file — NULs after it, before it or
/// inside it, a made-up binary header, random bytes round it, the middle of a large file —
/// as `strings` shows it (an adversary's round, 2026-12-06: eight NULs after a labelled note
/// passed it). Runs of text are read for a labelled field as a binary value's are (in a
/// program, only where the bytes but NULs are mostly text). The same bytes round a clean note,
/// and programs (whose strings label things, and whose code is no text) pass.
#[test]
fn labelled_text_among_binary_bytes_is_read_as_strings_shows_it() {
    use vault::gate::door::check_in_memory;
    let note = |name: &str| format!("Name: {name}\nDOB: 03/02/1971\nMRN: 4711913\n").into_bytes();
    let sight = gate::burned::Sight::system();
    let around = |before: &[u8], text: &[u8], after: &[u8]| [before, text, after].concat();
    for (what, clean, dirty) in [
        (
            "eight NULs after",
            around(b"", b"Teaching notes: CT head, normal.\n", &[0; 8]),
            around(b"", &note("Madeup, Zelda"), &[0; 8]),
        ),
        (
            "a NUL before",
            around(&[0], b"Teaching notes: CT head, normal.\n", b""),
            around(&[0], &note("Madeup, Zelda"), b""),
        ),
        (
            "a header before",
            around(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", b"Teaching notes", &[0; 64]),
            around(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", &note("Madeup, Zelda"), &[0; 64]),
        ),
        (
            "noise round it",
            around(&noise(4, 1), b"no findings at all", &noise(4, 2)),
            around(&noise(4, 1), &note("Madeup, Zelda"), &noise(4, 2)),
        ),
        (
            "a fifth of random bytes after",
            around(b"", b"no findings at all, teaching case", &noise(12, 5)),
            around(b"", &note("Madeup, Zelda"), &noise(12, 5)),
        ),
        (
            "the middle of a large note padded with NULs",
            around(&b"No acute findings.\n".repeat(20_000), b"no findings at all", &[0; 300_000]),
            around(&b"No acute findings.\n".repeat(20_000), &note("Madeup, Zelda"), &[0; 300_000]),
        ),
    ] {
        let v = check_in_memory(&dirty, &Policy::default(), &sight);
        assert!(!v.accept, "{what}");
        assert!(v.reasons.iter().any(|r| r.rule.starts_with("identity-in-")), "{what}: {:?}", v.reasons);
        let v = check_in_memory(&clean, &Policy::default(), &sight);
        assert!(v.accept, "{what}, clean: {:?}", v.reasons);
    }
    // NULs inside it, cutting the note short.
    let mut cut = note("Madeup, Zelda");
    cut.truncate(30);
    cut.extend([0; 40]);
    assert!(!check_in_memory(&cut, &Policy::default(), &sight).accept, "a note cut by NULs");
    // Programs: their strings name and label things, but no one.
    for program in ["/bin/sh", "/usr/bin/python3", "/usr/bin/tesseract", "/usr/bin/dcmdump"] {
        let bytes = std::fs::read(std::fs::canonicalize(program).unwrap()).unwrap();
        let v = check_in_memory(&bytes, &Policy::default(), &sight);
        assert!(v.accept, "{program}: {:?}", v.reasons);
    }
}
