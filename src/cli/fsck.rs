//! `vault fsck`: check every metadata record and every data chunk; `--repair` sets damaged
//! files aside in /lost+found.

use clap::Args;
use vaultfmt::store::fsck::{self, Report};

use super::target::open_store;
use super::{PassphraseArgs, print_json, progress_bar};
use crate::exit::Exit;
use crate::size::{count, human};

/// What `vault fsck --help` says after its exit note.
const FSCK_AFTER: &str = "Repair moves damaged files into /lost+found (damaged parts read as zeros). Files a \
    mount wrote and ended before the gate checked (it was killed, the power was cut) are counted \
    as problems and hidden from every way out of the vault; --repair runs the gate on them: the \
    ones it refuses are removed (and audited), the rest become visible; a file the gate had \
    passed before the change that was refused or cut short is put back as it was, not removed.";

#[derive(Args, Debug)]
#[command(after_help = format!("{} {FSCK_AFTER}", crate::exit::status(&[
    (Exit::Ok, "when the vault is clean"),
    (Exit::Damaged, "when problems were found (and not repaired)"),
    (Exit::Refused, "when problems were found and --repair fixed them (a second check is clean)"),
])))]
pub struct FsckArgs {
    /// The vault's drive or image file
    pub device: std::path::PathBuf,
    /// Fix what can be fixed: set damaged files aside in /lost+found, drop bad records
    #[arg(long)]
    pub repair: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// Print the report as one JSON object
    #[arg(long)]
    pub json: bool,
}

fn report_json(r: &Report) -> serde_json::Value {
    serde_json::json!({
        "clean": r.clean(), "records": r.records, "files": r.files, "folders": r.folders,
        "chunks": r.chunks, "bytes": r.bytes,
        "problems": r.problems.iter().map(|p| serde_json::json!({"path": p.path, "what": p.what})).collect::<Vec<_>>(),
        "damaged": r.damaged.iter().collect::<Vec<_>>(),
    })
}

pub fn run(args: FsckArgs) -> anyhow::Result<Exit> {
    let store = open_store(&args.device, &args.passphrase, "fsck")?;
    let bar = progress_bar(args.json, None, "{spinner} checked {bytes} {bytes_per_sec}");
    let report = fsck::check(&store, &mut |n| bar.inc(n))?;
    bar.finish_and_clear();
    // Files a mount wrote and ended without checking (killed, a power cut): checked now with
    // --repair (the gate passes them, or they are removed); listed otherwise.
    let unchecked = crate::gate::door::unchecked(&store)?.len();
    let swept = if args.repair && unchecked > 0 {
        let policy = crate::gate::door::vault_policy(&store)?;
        Some(crate::gate::door::sweep(&store, &policy, &crate::gate::Sight::system())?)
    } else {
        None
    };
    // A file put back is a new inode: what the report found of the old one is found again.
    let report = match &swept {
        Some(s) if !s.restored.is_empty() && !report.clean() => fsck::check(&store, &mut |_| {})?,
        _ => report,
    };
    let mut repaired = None;
    let mut after = None;
    if !report.clean() && args.repair {
        repaired = Some(fsck::repair(&store, &report)?);
        after = Some(fsck::check(&store, &mut |_| {})?);
    }
    let mut tx = store.begin()?;
    let problems = report.problems.len().to_string();
    tx.audit("fsck", &[("problems", &problems), ("repair", if repaired.is_some() { "yes" } else { "no" })])?;
    tx.commit()?;
    let exit = match (&after, report.clean()) {
        (_, true) if unchecked == 0 => Exit::Ok,
        (_, true) if swept.is_some() => Exit::Refused,
        (_, true) => Exit::Damaged,
        (Some(a), false) if a.clean() => Exit::Refused,
        _ => Exit::Damaged,
    };
    let usage = store.usage()?;
    if args.json {
        let mut out = report_json(&report);
        out["usage"] = serde_json::json!({
            "files": usage.files, "file_bytes": usage.file_bytes, "data_bytes": usage.data_bytes,
            "metadata_bytes": usage.metadata_bytes, "capacity_bytes": usage.capacity_bytes,
        });
        if let Some(r) = &repaired {
            out["repaired"] = serde_json::json!({
                "set_aside": r.set_aside, "records_dropped": r.records_dropped, "adopted": r.adopted,
                "link_counts": r.link_counts, "free_space_rebuilt": r.free_rebuilt,
            });
            out["clean_after_repair"] = serde_json::json!(after.as_ref().is_some_and(|a| a.clean()));
        }
        out["unchecked"] = serde_json::json!(unchecked);
        if let Some(s) = &swept {
            out["unchecked_checked"] = serde_json::json!({"accepted": s.accepted, "refused": s.refused, "incomplete": s.incomplete,
                    "restored": s.restored});
        }
        print_json(&out);
        return Ok(exit);
    }
    for p in &report.problems {
        println!("{}: {}", p.path, p.what);
    }
    println!(
        "{}: checked {}, {}, {}, {} ({}): {}",
        args.device.display(),
        count(report.records, "record"),
        count(report.files, "file"),
        count(report.folders, "folder"),
        count(report.chunks, "chunk"),
        human(report.bytes),
        if report.clean() { "clean".to_string() } else { count(report.problems.len(), "problem") }
    );
    println!(
        "in use: {} of file data in {} takes {} of data and {} of metadata; {} free",
        human(usage.file_bytes),
        count(usage.files, "file"),
        human(usage.data_bytes),
        human(usage.metadata_bytes),
        human(usage.capacity_bytes - usage.data_bytes)
    );
    match &swept {
        Some(s) => {
            let done = |path: &String| {
                if s.restored.contains(path) { "put back as it was before" } else { "removed" }
            };
            for path in &s.incomplete {
                println!(
                    "{}, its writing never finished (a write failed, or the mount ended first): {path}",
                    done(path)
                );
            }
            for path in &s.refused {
                println!("refused by the gate and {}: {path} (see vault log)", done(path));
            }
            println!(
                "checked {} a mount left unchecked: {} accepted, {} refused",
                count(unchecked, "file"),
                s.accepted,
                s.refused.len()
            );
        }
        None if unchecked > 0 => println!(
            "{unchecked} {} written through a mount that ended before the gate checked {}: hidden until \
             `vault fsck --repair {}` or a mount checks {}",
            if unchecked == 1 { "file was" } else { "files were" },
            if unchecked == 1 { "it" } else { "them" },
            args.device.display(),
            if unchecked == 1 { "it" } else { "them" },
        ),
        None => {}
    }
    if let Some(r) = &repaired {
        for path in &r.set_aside {
            println!("set aside in /lost+found: {path}");
        }
        let state = if after.as_ref().is_some_and(|a| a.clean()) {
            "the vault is clean now"
        } else {
            "problems remain"
        };
        println!(
            "repaired: {} dropped, {} adopted; {state}",
            count(r.records_dropped, "record"),
            count(r.adopted, "orphan")
        );
    } else if !report.clean() {
        println!("run `vault fsck --repair {}` to set damaged files aside", args.device.display());
    }
    Ok(exit)
}
