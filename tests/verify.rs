//! `vault verify`: every file read back against its BLAKE3, a damaged one named, a time budget
//! that rolls on. Every name and value here is made up.

mod common;

use common::mirror::*;

#[test]
fn verify_names_a_damaged_file_and_a_budget_rolls_on() {
    let v = two_vaults(20);
    assert_eq!(mirror_json(&v, &[]).0, 0);
    let offset = common::chunk_offset(&v.path("dst.img"), "/study/series1/im004.dat");
    v.corrupt("dst.img", offset + 99);
    let (code, out, err) = v.run(&["verify", "dst.img", "--passphrase-file", "pass", "--json"]);
    assert_eq!(code, 65, "{err}");
    let damaged: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &serde_json::Value| e["event"] == "damaged")
        .collect();
    assert_eq!(damaged.len(), 1, "{out}");
    assert_eq!(damaged[0]["path"], "/study/series1/im004.dat");
    // A rolling budget: a run stops when its time is up (after one file at least), the next
    // goes on where it stopped, and together they cover every file once; then a pass begins
    // again.
    let v = two_vaults(40);
    let mut covered = 0;
    let mut runs = 0;
    loop {
        let (code, out, err) =
            v.run(&["verify", "src.img", "--budget", "1ms", "--passphrase-file", "pass", "--json"]);
        assert_eq!(code, 0, "{err}");
        let s: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        let files = s["files"].as_u64().unwrap();
        assert!(files >= 1, "a run under budget verified nothing: {s}");
        covered += files;
        runs += 1;
        if s["pass_complete"] == true {
            break;
        }
        // At least one file a run: a slow machine may need one run per file, never more.
        assert!(runs < 41, "the budget never lets a pass end");
    }
    assert_eq!(covered, 41, "forty files and the notes, each once");
    assert!(runs > 1, "a 1 ms budget did not stop a run");
    let (_, out, _) = v.run(&["verify", "src.img", "--passphrase-file", "pass", "--json"]);
    let s: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!((s["files"].as_u64(), s["started_at"].as_u64()), (Some(41), Some(0)), "{s}");
}
