//! `vault check`: the gate's verdict on files and folders, offline, with reasons; no vault
//! needed. Files are checked in parallel; results come out in the order given.

use std::path::PathBuf;

use clap::Args;

use super::print_json;
use crate::exit::Exit;
use crate::gate::door::check_path;
use crate::gate::host::Named;
use crate::gate::{Policy, Sight};
use crate::size::count;

/// What `vault check --help` says before its exit note.
const CHECK_BEFORE: &str = "The law is the de-identification profile: a DICOM file is accepted only when \
    it conforms to DICOM PS3.15 Annex E's basic profile and the options the policy allows and the \
    file declares (see README). Every reading a reader could take is checked: Part 10, raw data \
    sets, DICOM JSON and XML (also inside other text), and every container (zip, gzip, tar, xz, lzma, \
    lzip, bzip2, zstd, lz4, cpio, ar, ISO 9660, a PDF's streams, base64, hex and other text encodings \
    of a file, raw deflate and LZMA2 streams without a header; 7z, rar, cab, lzop, LHA, UDF and disk images are refused). Images are read for burned-in text; \
    documents (text, CSV, HTML, JSON, RTF, TeX, a PDF's pages, an HL7 message) are refused when they label a \
    patient's name, birth date or ID. Other files pass. The names a door would store are judged \
    too: the path from each argument's own name to each file checked, to each folder with no \
    file in it and to each link, and a link's target, also read as a file's bytes \
    (identity-in-name); a refused folder or link name counts as a refused file.";

/// What `vault check --help` says after its exit note.
const CHECK_AFTER: &str = "Reasons name the rule, the tag and where it stands, never the value.";

#[derive(Args, Debug)]
#[command(after_help = format!("{CHECK_BEFORE}\n\n{}\n\n{CHECK_AFTER}", crate::exit::status(&[
    (Exit::Ok, "when every file is accepted"),
    (Exit::Refused, "when any is refused"),
    (Exit::Io, "when any could not be read"),
    (Exit::Usage, "on a usage error"),
])))]
pub struct CheckArgs {
    /// Files and folders (folders are checked recursively)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A policy file (JSON, as `vault policy show --json` prints) instead of the default policy
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// With each reason, what would let the file in (which scrub option fixes it)
    #[arg(long)]
    pub explain: bool,
    /// One JSON object per file, one per line (JSON Lines)
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: CheckArgs) -> anyhow::Result<Exit> {
    let policy = match &args.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::default(),
    };
    let mut found = Vec::new();
    let mut names = Vec::new();
    // Folders with no file in them and links: their names and targets are all a door stores.
    let mut others = Vec::new();
    for p in &args.paths {
        let (from, others_from) = (found.len(), others.len());
        crate::gate::host::files_and_names(p, PathBuf::new(), &mut found, &mut others)?;
        // The names a door would store: the argument's own and those under it.
        let base = p.file_name().map(PathBuf::from).unwrap_or_default();
        names.extend(found[from..].iter().map(|(_, rel)| base.join(rel).to_string_lossy().into_owned()));
        for (_, rel, _) in &mut others[others_from..] {
            *rel = base.join(&*rel);
        }
    }
    let refused_names: Vec<(PathBuf, crate::gate::Reason)> = others
        .into_iter()
        .filter_map(|(path, rel, named)| {
            let reason = crate::gate::check_path(&rel.to_string_lossy()).or(match named {
                Named::Link(target) => crate::gate::names::check_link(&target, &policy),
                Named::Folder => None,
            })?;
            Some((path, reason))
        })
        .collect();
    let files: Vec<PathBuf> = found.into_iter().map(|(path, _)| path).collect();
    // Reading pixels takes a second or more an image: a bar says how far it got.
    let bar = super::progress_bar(
        args.json,
        Some(files.len() as u64),
        "{bar:40} {pos}/{len} files checked, {eta} left {wide_msg}",
    );
    let named: Vec<(&PathBuf, &String)> = files.iter().zip(&names).collect();
    let results = crate::parallel::map(&named, |(path, name)| {
        let result = check_path(path, &policy, &Sight::system()).map_err(|e| e.to_string()).map(|mut v| {
            if let Some(reason) = crate::gate::check_path(name) {
                v.accept = false;
                v.reasons.insert(0, reason);
            }
            v
        });
        bar.inc(1);
        result
    });
    bar.finish_and_clear();
    let explain = args.explain;
    let (mut refused, mut errors) = (0, 0);
    for (path, reason) in &refused_names {
        show(path, false, false, std::slice::from_ref(reason), args.json, explain);
    }
    for (path, result) in files.iter().zip(results) {
        match result {
            Ok(v) => {
                if !v.accept {
                    refused += 1;
                }
                show(path, v.accept, v.dicom, &v.reasons, args.json, explain);
            }
            Err(e) => {
                errors += 1;
                eprintln!("vault: {}: {e}", path.display());
            }
        }
    }
    if !args.json {
        let names = match refused_names.len() {
            0 => String::new(),
            n => format!("; {} refused", count(n, "folder or link name")),
        };
        eprintln!(
            "{}: {} accepted, {refused} refused, {errors} unreadable{names}",
            count(files.len(), "file"),
            files.len() - refused - errors
        );
    }
    Ok(Exit::for_files(refused + refused_names.len(), errors))
}

/// One verdict, as a JSON line or as text: `accept` or `refuse`, the path, and each reason (with
/// its fix when `explain`).
fn show(
    path: &std::path::Path,
    accept: bool,
    dicom: bool,
    reasons: &[crate::gate::Reason],
    json: bool,
    explain: bool,
) {
    if json {
        let reasons: Vec<serde_json::Value> = reasons
            .iter()
            .map(|r| {
                let mut j = serde_json::to_value(r).expect("a reason serializes");
                if explain {
                    j["fix"] = r.fix().into();
                }
                j
            })
            .collect();
        print_json(&serde_json::json!({
            "path": path.display().to_string(),
            "verdict": if accept { "accept" } else { "refuse" },
            "dicom": dicom,
            "reasons": reasons,
        }));
    } else if accept {
        println!("accept  {}", path.display());
    } else {
        println!("refuse  {}", path.display());
        for r in reasons {
            println!("        {r}");
            if explain {
                println!("          fix: {}", r.fix());
            }
        }
    }
}
