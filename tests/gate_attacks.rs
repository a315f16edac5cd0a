//! The attack corpus (`tests/attacks/make.py`): about three hundred files, each carrying a
//! made-up identity that a real reader shows (pydicom, dcmtk's dcmdump, the text of DICOM
//! JSON/XML, the archivers that unpack containers) — in attributes the profile removes, in
//! names written with other VRs, in private elements, in sequences written as UN, in readings
//! readers disagree on (polyglots, raw data sets, duplicates, meta groups, JSON, XML), in every
//! container format — and controls the gate must accept. Every attack must be refused and every
//! control accepted; the count of attacks is held, so readers changing cannot shrink the test
//! silently.

use std::collections::BTreeMap;
use std::process::Command;

/// Attacks the gate is known to let through, and why; nothing else may be on this list. Both
/// draw a bare word (`MADEUP`, 5x7 glyphs, 16x40 pixels) into an original CT slice: OCR does not
/// read original CT, MR and PET slices unless the policy reads every image, and a bare word has
/// no identity's shape and is no value of the (empty) header; README, "Burned-in text".
const KNOWN_GAPS: &[&str] = &["c1_pixels_text_burnedin_NO.dcm", "c1_pixels_text_no_burnedin_attr.dcm"];

#[test]
fn invariant_4_every_attack_in_the_corpus_is_refused_and_every_control_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let make = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/attacks/make.py");
    let out = Command::new("python3").arg(make).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "make.py: {}", String::from_utf8_lossy(&out.stderr));
    eprintln!("{}", String::from_utf8_lossy(&out.stdout).trim());
    let manifest: Vec<serde_json::Value> = std::fs::read_to_string(dir.path().join("manifest.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let attacks = manifest.iter().filter(|e| !matches!(e["class"].as_str(), Some("control" | "law"))).count();
    assert!(attacks >= 290, "only {attacks} attacks verified (readers or tools missing?)");
    let corpus = dir.path().join("corpus");
    let check =
        Command::new(env!("CARGO_BIN_EXE_vault")).args(["check", "--json"]).arg(&corpus).output().unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", String::from_utf8_lossy(&check.stderr));
    let verdicts: BTreeMap<String, serde_json::Value> = String::from_utf8_lossy(&check.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| (v["path"].as_str().unwrap().rsplit('/').next().unwrap().to_string(), v))
        .collect();
    let mut let_through = Vec::new();
    let mut falsely_refused = Vec::new();
    for e in &manifest {
        let file = e["file"].as_str().unwrap();
        let v = &verdicts[file];
        let accepted = v["verdict"] == "accept";
        match e["class"].as_str().unwrap() {
            "control" if !accepted => falsely_refused.push(format!("{file}: {}", v["reasons"])),
            "control" => {}
            "law" if accepted => let_through.push(format!("{file} (the law refuses it)")),
            "law" => {}
            _ if accepted && !KNOWN_GAPS.contains(&file) => {
                let_through.push(format!("{file}: {} (shown by {})", e["description"], e["shown_by"]))
            }
            _ => {
                // Refused for what it carries, never for a value: no reason holds the identity.
                let text = v.to_string();
                assert!(!text.contains("Madeup") && !text.contains("4711913"), "{file}: a value in a reason");
            }
        }
    }
    assert!(let_through.is_empty(), "{} attacks accepted:\n{}", let_through.len(), let_through.join("\n"));
    assert!(
        falsely_refused.is_empty(),
        "{} controls refused:\n{}",
        falsely_refused.len(),
        falsely_refused.join("\n")
    );
    for gap in KNOWN_GAPS {
        assert!(verdicts.contains_key(*gap), "{gap} is no longer in the corpus: take it off the list");
    }
}

/// Identified DICOM files hidden where the gate once did not look (`tests/attacks/hidden.py`):
/// the preamble read as a data set or holding text; a whole Part 10 file in pixel data, after a
/// frame or written over 16-bit pixels, in an extra fragment, in a JPEG segment of a frame (and a frame's JPEG comment), in a
/// PNG's private chunk, in a gzip header's extra field, in a DICOM JSON's or XML's inline binary
/// or `data:` bulk data URI; text after a frame's pixels (in UTF-16 too, in JSON too) or in a
/// LUT; archives after a tar's end blocks or a cpio's trailer; comments in a gzip (any
/// member's), zip or pax header, text in a gzip's or a zip member's extra field, a pax record of
/// a writer's own; DICOM JSON and XML with what the model has no place for (a member, a key, a
/// comment, an element, text after the root); a bare zlib stream, URL-safe unpadded base64,
/// hex, base64 in a web page's `data:` URI and an e-mail's attachment, base64 as other writers lay
/// it out in text (PEM armour, indented YAML lines, groups of four, a JSON string's escapes, a
/// word run into its first line, a quoted e-mail's lines, a program's strings, a JSON array,
/// lines ended by full stops, encodings padded one after another), the whole file as base32,
/// ASCII85, base85, uuencode, quoted-printable, percent-encoding, an xxd dump, spaced hex pairs,
/// a C array, `\x` escapes and a Python bytes literal, a PDF's attachment, raw deflate and raw
/// LZMA2 streams without a header (also after a few bytes, cut short, with bytes after, a zlib
/// stream whose check fails), DICOM JSON under a key of another document, as a string in another (a JSON string, a CSV cell, a
/// web page with its quotes as character references), after a comment, as a JavaScript object literal, or in a note's code
/// block and DICOM XML after a line of text, a tar folder member
/// carrying data. Each is refused, and the same wrappers around
/// conformant files (a LUT's ramp, a 16-bit ramp of pixels, two gzip members, a zip's
/// timestamp field) are not. Scrub
/// cuts the text after a frame, and what it writes passes.
#[test]
fn invariant_4_files_hidden_in_preambles_binary_values_and_past_an_archives_end_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let make = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/attacks/hidden.py");
    let out = Command::new("python3").arg(make).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "hidden.py: {}", String::from_utf8_lossy(&out.stderr));
    let verdicts = |kind: &str| -> BTreeMap<String, serde_json::Value> {
        let folder = dir.path().join(kind);
        let out = Command::new(env!("CARGO_BIN_EXE_vault"))
            .args(["check", "--json"])
            .arg(&folder)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|v| (v["path"].as_str().unwrap().rsplit('/').next().unwrap().to_string(), v))
            .collect()
    };
    let attacks = verdicts("attack");
    assert_eq!(attacks.len(), 83, "{attacks:?}");
    for (file, v) in &attacks {
        // Each carries the identity as bytes a reader can take out (encoded in the .zlib and
        // .txt files, the JSON's inline binary, UTF-16, base64 in text: hidden.py decodes them back).
        let bytes = std::fs::read(dir.path().join("attack").join(file)).unwrap();
        let encoded = [".zlib", ".txt", "inline", "utf16", "base64", "deflate", "raw_", "split", "lzma"]
            .iter()
            .any(|e| file.contains(e));
        assert!(encoded || bytes.windows(13).any(|w| w == b"Madeup^Hidden"), "{file}: no identity in it");
        assert_eq!(v["verdict"], "refuse", "{file} accepted");
        let text = v["reasons"].to_string();
        assert!(!text.contains("Madeup") && !text.contains("4711913"), "{file}: a value in a reason");
    }
    let controls = verdicts("control");
    assert_eq!(controls.len(), 38, "{controls:?}");
    for (file, v) in &controls {
        assert_eq!(v["verdict"], "accept", "{file} refused: {}", v["reasons"]);
    }
    let key = dir.path().join("key");
    std::fs::write(&key, [7u8; 32]).unwrap();
    let scrubbed = dir.path().join("scrubbed");
    let out = Command::new(env!("CARGO_BIN_EXE_vault"))
        .args(["scrub", "--key-file"])
        .arg(&key)
        .arg("--out")
        .arg(&scrubbed)
        .arg(dir.path().join("attack/pixel_data_slack_text.dcm"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(scrubbed.join("pixel_data_slack_text.dcm")).unwrap();
    assert!(!bytes.windows(6).any(|w| w == b"Madeup"), "the text after the frame was kept");
    let check = Command::new(env!("CARGO_BIN_EXE_vault")).arg("check").arg(&scrubbed).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}
