//! The store's doors without FUSE — `vault import`, `export`, `ls`, `fsck`, `log` — as a user
//! runs them, on image files. Names, contents and passphrases here are made up.

mod common;

use std::path::Path;
use std::process::Stdio;

use common::{Vault, contains};

/// A small study: nested folders, an empty file, a large file, a link.
fn make_tree(root: &Path) {
    std::fs::create_dir_all(root.join("series1/sub")).unwrap();
    for i in 0..12 {
        let data: Vec<u8> = (0..(i * 40_000 + 1)).map(|b| (b * 7 + i) as u8).collect();
        std::fs::write(root.join(format!("series1/im{i:03}.dcm")), data).unwrap();
    }
    std::fs::write(root.join("series1/sub/empty"), b"").unwrap();
    std::fs::write(root.join("big.bin"), vec![0x5au8; 3 << 20]).unwrap();
    std::fs::write(root.join("readme.txt"), b"made-up teaching note\n").unwrap();
    std::os::unix::fs::symlink("readme.txt", root.join("link")).unwrap();
}

fn diff(a: &Path, b: &Path) {
    let out =
        std::process::Command::new("diff").arg("-r").arg("--no-dereference").arg(a).arg(b).output().unwrap();
    assert!(out.status.success(), "diff -r: {}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn import_ls_export_round_trip() {
    let v = Vault::new();
    v.init_image("v.img", "64M");
    make_tree(&v.path("study"));
    let out = v.json(&["import", "study", "v.img:/teaching", "--passphrase-file", "pass", "--json"]);
    assert_eq!(out["files"], 15);
    assert_eq!(out["folders"], 3);
    let listing = v.ok(&["ls", "v.img:/teaching/study", "--passphrase-file", "pass"]);
    assert_eq!(listing.lines().collect::<Vec<_>>(), ["big.bin", "link", "readme.txt", "series1/"]);
    let entry: serde_json::Value = serde_json::from_str(
        v.ok(&["ls", "v.img:/teaching/study/readme.txt", "--json", "--passphrase-file", "pass"]).trim(),
    )
    .unwrap();
    assert_eq!((entry["kind"].as_str(), entry["size"].as_u64()), (Some("file"), Some(22)));

    v.ok(&["export", "v.img:/teaching/study", "back", "--passphrase-file", "pass"]);
    diff(&v.path("study"), &v.path("back"));
    // Into an existing folder, a single file.
    std::fs::create_dir(v.path("one")).unwrap();
    v.ok(&["export", "v.img:/teaching/study/big.bin", "one", "--passphrase-file", "pass"]);
    assert_eq!(std::fs::read(v.path("one/big.bin")).unwrap(), vec![0x5au8; 3 << 20]);

    // Importing again replaces files; the log records each import.
    v.ok(&["import", "study/readme.txt", "v.img:/teaching/study", "--passphrase-file", "pass"]);
    let log = v.ok(&["log", "v.img", "--json", "--passphrase-file", "pass"]);
    let imports: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &serde_json::Value| r["event"] == "import")
        .collect();
    assert_eq!(imports.len(), 2);
    assert_eq!(imports[0]["fields"]["files"], "15");
    assert_eq!(v.json(&["fsck", "v.img", "--json", "--passphrase-file", "pass"])["clean"], true);

    let (code, _, err) = v.run(&["export", "v.img:/no/such", "x", "--passphrase-file", "pass"]);
    assert_eq!(code, 66, "{err}");
    assert!(err.contains("/no/such"), "{err}");
}

#[test]
fn a_damaged_file_fails_export_by_name_and_fsck_repairs() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    make_tree(&v.path("study"));
    v.ok(&["import", "study", "v.img", "--passphrase-file", "pass"]);
    let offset = common::chunk_offset(&v.path("v.img"), "/study/series1/im005.dcm");
    v.corrupt("v.img", offset + 77);

    let (code, _, err) =
        v.run(&["export", "v.img:/study/series1/im005.dcm", "out.dcm", "--passphrase-file", "pass"]);
    assert_eq!(code, 65, "{err}");
    assert!(err.contains("/study/series1/im005.dcm") && err.contains("does not verify"), "{err}");
    assert!(!v.path("out.dcm").exists(), "a partial file was left behind");
    // The other files still export.
    v.ok(&["export", "v.img:/study/series1/im004.dcm", "ok.dcm", "--passphrase-file", "pass"]);

    let (code, out, _) = v.run(&["fsck", "v.img", "--json", "--passphrase-file", "pass"]);
    assert_eq!(code, 65);
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["damaged"], serde_json::json!(["/study/series1/im005.dcm"]));
    let (code, out, _) = v.run(&["fsck", "v.img", "--repair", "--passphrase-file", "pass"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("set aside in /lost+found: /study/series1/im005.dcm"), "{out}");
    assert_eq!(v.run(&["fsck", "v.img", "--passphrase-file", "pass"]).0, 0);
    let lost = v.ok(&["ls", "v.img:/lost+found", "--passphrase-file", "pass"]);
    assert!(lost.trim().ends_with("im005.dcm"), "{lost}");
}

#[test]
fn invariant_1_imported_names_and_contents_never_reach_the_image() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let dir = v.path("MADE-UP-PATIENT-ZQX-study");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("MADE-UP-PATIENT-ZQX.dcm"), b"MADE-UP-PATIENT-ZQX ".repeat(20_000)).unwrap();
    v.ok(&["import", dir.to_str().unwrap(), "v.img", "--passphrase-file", "pass"]);
    v.ok(&["ls", "v.img:/MADE-UP-PATIENT-ZQX-study", "--passphrase-file", "pass"]);
    let image = std::fs::read(v.path("v.img")).unwrap();
    assert!(!contains(&image, b"MADE-UP-PATIENT-ZQX"), "the marker is in the image");
    assert!(!contains(&image, b"PATIENT-ZQX"));
}

#[test]
fn a_full_vault_refuses_with_no_space_and_keeps_what_was_committed() {
    let v = Vault::new();
    v.init_image("v.img", "24M");
    std::fs::create_dir(v.path("first")).unwrap();
    std::fs::write(v.path("first/a.bin"), vec![1u8; 4 << 20]).unwrap();
    v.ok(&["import", "first", "v.img", "--passphrase-file", "pass"]);
    std::fs::create_dir(v.path("second")).unwrap();
    std::fs::write(v.path("second/huge.bin"), vec![2u8; 30 << 20]).unwrap();
    let (code, _, err) = v.run(&["import", "second", "v.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 73, "{err}");
    assert!(err.contains("/second/huge.bin: no space left in the vault"), "{err}");
    assert_eq!(v.run(&["fsck", "v.img", "--passphrase-file", "pass"]).0, 0);
    v.ok(&["export", "v.img:/first/a.bin", "a.bin", "--passphrase-file", "pass"]);
    assert_eq!(std::fs::read(v.path("a.bin")).unwrap(), vec![1u8; 4 << 20]);
    let listing = v.ok(&["ls", "v.img", "--passphrase-file", "pass"]);
    assert!(!listing.contains("second"), "the failed import left a trace: {listing}");
}

/// A real process killed at random moments: `vault import` of a tree onto an image file,
/// SIGKILLed 50 times at moments spread over the time a whole import takes, each round's sources
/// different from the last's (an import replaces the files it finds). After each kill the vault
/// passes fsck and every file in it is whole: absent, or equal to its source of one round — never
/// half one round's, half another's, nor cut short.
#[test]
fn killed_import_leaves_a_clean_vault_with_whole_files() {
    /// File `i`'s contents in round `round`: a length and bytes of that round's own.
    fn contents(i: u64, round: u64) -> Vec<u8> {
        let len = 20_000 + i * 997 + (round * 4_099) % 65_536;
        (0..len).map(|b| (b ^ i ^ (round * 131)) as u8).collect()
    }
    let v = Vault::new();
    v.init_image("v.img", "160M");
    let src = v.path("src");
    std::fs::create_dir(&src).unwrap();
    let write_round = |round: u64| {
        for i in 0..300u64 {
            std::fs::write(src.join(format!("f{i:03}.dcm")), contents(i, round)).unwrap();
        }
    };
    // How long one whole import takes on this machine now (into a vault of its own): the kills
    // are spread over that time and a little past it, so some land between batches however
    // fast or slow the machine is (a fixed range of delays once never reached the first commit).
    v.init_image("timing.img", "160M");
    write_round(0);
    let started = std::time::Instant::now();
    v.ok(&["import", "src", "timing.img:/r", "--passphrase-file", "pass"]);
    let whole = started.elapsed();
    let mut seen_partial = 0;
    let mut seen_old = 0;
    for round in 0..50u64 {
        write_round(round);
        let mut child = v
            .command(&["import", "src", "v.img:/r", "--passphrase-file", "pass"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole.mul_f64(((round * 37) % 50) as f64 / 40.0));
        let _ = child.kill();
        let _ = child.wait();
        let (code, out, err) = v.run(&["fsck", "v.img", "--json", "--passphrase-file", "pass"]);
        assert_eq!(code, 0, "round {round}: fsck: {out} {err}");
        // Before the first batch commits, not even the folder exists.
        let (code, listing, err) = v.run(&["ls", "v.img:/r/src", "--passphrase-file", "pass"]);
        assert!(code == 0 || code == 66, "round {round}: ls: {err}");
        let present: Vec<String> = listing.lines().map(str::to_string).collect();
        if !present.is_empty() {
            let _ = std::fs::remove_dir_all(v.path("back"));
            v.ok(&["export", "v.img:/r/src", "back", "--passphrase-file", "pass"]);
            for name in &present {
                let i: u64 = name.trim_start_matches('f').trim_end_matches(".dcm").parse().unwrap();
                let got = std::fs::read(v.path("back").join(name)).unwrap();
                // The first byte names the round (131 is odd: r * 131 mod 256 is one-to-one).
                let first = got.first().map_or(0, |&b| u64::from(b) ^ (i & 0xFF));
                let from =
                    (0..=round).find(|&r| (r * 131) & 0xFF == first).filter(|&r| got == contents(i, r));
                assert!(
                    from.is_some(),
                    "round {round}: {name} is no round's whole file ({} bytes)",
                    got.len()
                );
                seen_old += usize::from(from != Some(round));
            }
        }
        if present.len() < 300 {
            seen_partial += 1;
        }
    }
    assert!(seen_partial > 0, "no kill landed before an import finished");
    assert!(seen_old > 0, "no kill left an earlier round's file beside this round's");
}

/// Runs `vault ARGS` on a pseudo-terminal 80 columns wide (util-linux `script`); the lines the
/// terminal shows, each redraw of the bar a line of its own, escape codes removed.
fn on_a_terminal(v: &Vault, args: &str) -> Vec<String> {
    let vault = env!("CARGO_BIN_EXE_vault");
    let out = std::process::Command::new("script")
        .args(["-qfec", &format!("stty cols 80; {vault} {args}"), "/dev/null"])
        .current_dir(v.dir.path())
        .output()
        .expect("script (util-linux)");
    let text = String::from_utf8_lossy(&out.stdout).replace("\x1b[2K", "");
    text.split(['\r', '\n']).map(|l| l.trim_end().to_string()).filter(|l| !l.is_empty()).collect()
}

/// On an 80-column terminal: the bar shows how far, the time left and the file count, the
/// file's name (a long path cut from the front), and a refusal is a line of its own, wrapped
/// between words — for import, and for mirror once it knows its plan.
#[test]
fn progress_on_an_80_column_terminal() {
    let v = Vault::new();
    v.init_image("v.img", "96M");
    v.init_image("b.img", "96M");
    let deep = v.path("study/a-rather-long-folder-name-for-one-series/and-a-second-level");
    std::fs::create_dir_all(&deep).unwrap();
    for i in 0..3 {
        std::fs::write(deep.join(format!("image-number-{i}.dcm")), vec![i as u8; 6 << 20]).unwrap();
    }
    let check = |lines: &[String], what: &str, files: &str| {
        let bars = lines.iter().filter(|l| l.contains('%'));
        assert!(bars.clone().all(|l| l.chars().count() <= 80), "{what}: a bar over 80 columns: {lines:#?}");
        let bar = lines
            .iter()
            .find(|l| l.contains(files))
            .unwrap_or_else(|| panic!("{what}: no count: {lines:#?}"));
        assert!(bar.contains(" left ") && bar.contains('%'), "{what}: {bar}");
        assert!(
            lines.iter().any(|l| l.contains("…") && l.ends_with(".dcm")),
            "{what}: no file name: {lines:#?}"
        );
    };
    std::fs::write(
        v.path("study/identified.dcm"),
        common::dicom::part10(common::dicom::identified(), "1.2.840.10008.1.2.1"),
    )
    .unwrap();
    let lines = on_a_terminal(&v, "import study v.img:/x --passphrase-file pass");
    check(&lines, "import", "/4 files");
    // The refusal: its own lines, none over 80 columns, continued with an indent.
    let at = lines
        .iter()
        .position(|l| l.starts_with("vault: skipped study/identified.dcm:"))
        .expect("the refusal");
    assert!(lines[at].chars().count() <= 80 && lines[at + 1].starts_with("    "), "{lines:#?}");
    assert!(lines.last().unwrap().starts_with("Imported 3 files"), "{lines:#?}");
    let lines = on_a_terminal(&v, "mirror v.img b.img --passphrase-file pass");
    check(&lines, "mirror", "/3 files");
}
