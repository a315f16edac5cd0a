//! `vault check`: the gate's verdict on files and folders, offline, with reasons; no vault
//! needed. Files are checked in parallel; results come out in the order given.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{print_json, with_path};
use crate::exit::{Exit, UsageError};
use crate::gate::door::check_path;
use crate::gate::{Policy, Sight};
use crate::size::count;

#[derive(Args, Debug)]
#[command(after_help = "The law is the de-identification profile: a DICOM file is accepted only when \
    it conforms to DICOM PS3.15 Annex E's basic profile and the options the policy allows and the \
    file declares (see README). Every reading a reader could take is checked: Part 10, raw data \
    sets, DICOM JSON and XML, and every container (zip, gzip, tar, xz, lzma, lzip, bzip2, zstd, lz4, \
    cpio, ar, ISO 9660; 7z, rar, cab and UDF are refused). Other files pass.\n\n\
    Exit status: 0 when every file is accepted, 1 when any is refused, 74 when any could not be read, 2 on a usage error. \
    Reasons name the rule, the tag and where it stands, never the value.")]
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

/// Every file under `path` (itself, when it is one), in name order, each with its path relative
/// to `path`'s parent (`rel` is `path`'s own name).
///
/// Links to files inside a folder are followed; links to folders are not (a link to `.` would
/// never end), unless given by name.
pub fn collect(path: &Path, rel: PathBuf, out: &mut Vec<(PathBuf, PathBuf)>) -> anyhow::Result<()> {
    collect_in(path, rel, out, true)
}

fn collect_in(
    path: &Path,
    rel: PathBuf,
    out: &mut Vec<(PathBuf, PathBuf)>,
    named: bool,
) -> anyhow::Result<()> {
    let link =
        !named && with_path(std::fs::symlink_metadata(path), path, "cannot read")?.file_type().is_symlink();
    let Ok(meta) = std::fs::metadata(path) else {
        // A dangling link inside a folder: nothing to read.
        return if link {
            Ok(())
        } else {
            with_path(std::fs::metadata(path), path, "cannot read").map(|_| ())
        };
    };
    if meta.is_dir() && !link {
        let mut entries: Vec<_> =
            with_path(std::fs::read_dir(path), path, "cannot list")?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            collect_in(&e.path(), rel.join(e.file_name()), out, false)?;
        }
    } else if meta.is_file() {
        out.push((path.to_path_buf(), rel));
    }
    Ok(())
}

/// Reads a policy file.
pub fn load_policy(path: &Path) -> anyhow::Result<Policy> {
    let text = with_path(std::fs::read_to_string(path), path, "cannot read the policy")?;
    serde_json::from_str(&text)
        .map_err(|e| UsageError(format!("{}: not a valid policy: {e}", path.display())).into())
}

pub fn run(args: CheckArgs) -> anyhow::Result<Exit> {
    let policy = match &args.policy {
        Some(p) => load_policy(p)?,
        None => Policy::default(),
    };
    let mut found = Vec::new();
    for p in &args.paths {
        collect(p, PathBuf::new(), &mut found)?;
    }
    let files: Vec<PathBuf> = found.into_iter().map(|(path, _)| path).collect();
    // Reading pixels takes a second or more an image: a bar says how far it got.
    let bar = super::progress_bar(
        args.json,
        Some(files.len() as u64),
        "{bar:40} {pos}/{len} files checked, {eta} left {wide_msg}",
    );
    let results = crate::parallel::map(&files, |path| {
        let result = check_path(path, &policy, &Sight::system()).map_err(|e| e.to_string());
        bar.inc(1);
        result
    });
    bar.finish_and_clear();
    let explain = args.explain;
    let (mut refused, mut errors) = (0, 0);
    for (path, result) in files.iter().zip(results) {
        match result {
            Ok(v) => {
                if !v.accept {
                    refused += 1;
                }
                if args.json {
                    let reasons: Vec<serde_json::Value> = v
                        .reasons
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
                        "verdict": if v.accept { "accept" } else { "refuse" },
                        "dicom": v.dicom,
                        "reasons": reasons,
                    }));
                } else if v.accept {
                    println!("accept  {}", path.display());
                } else {
                    println!("refuse  {}", path.display());
                    for r in &v.reasons {
                        println!("        {r}");
                        if explain {
                            println!("          fix: {}", r.fix());
                        }
                    }
                }
            }
            Err(e) => {
                errors += 1;
                eprintln!("vault: {}: {e}", path.display());
            }
        }
    }
    if !args.json {
        eprintln!(
            "{}: {} accepted, {refused} refused, {errors} unreadable",
            count(files.len(), "file"),
            files.len() - refused - errors
        );
    }
    Ok(Exit::for_files(refused, errors))
}
