//! `vault import`: copy files and folders into a vault without FUSE.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::target::{Target, open_store};
use super::{PassphraseArgs, print_json, progress_bar, with_path};
use crate::error::UsageError;
use crate::exit::Exit;
use crate::gate::Policy;
use crate::gate::import;
use crate::size::{count, human};

#[derive(Args, Debug)]
#[command(after_help = "Each SRC goes into DIR under its own name, as DIR/NAME, with everything \
    in it; DIR is made if missing. Unlike cp -r, this holds when DIR did not exist too (import \
    study v.img:/ct makes /ct/study), so the same import run again (after an interruption, say) \
    replaces the files it put there instead of nesting a second copy. A file that exists in the \
    vault is replaced. Every file passes the gate first (see vault-check(1)): a \
    DICOM file that identifies a patient is refused, named with the rule and tag, and recorded in \
    the audit log; the rest go on, and the exit status is 1. Files are committed in batches: an \
    interrupted import keeps the batches already committed, every file in them whole.")]
pub struct ImportArgs {
    /// Files and folders to copy in
    #[arg(required = true, value_name = "SRC")]
    pub sources: Vec<PathBuf>,
    /// The vault and the folder to copy into: DEVICE:DIR (made if missing), or DEVICE for the top
    #[arg(value_name = "DEVICE:DIR")]
    pub dest: String,
    /// De-identify DICOM files on the way in (see vault-scrub(1)), with the vault's key
    #[arg(long)]
    pub scrub: bool,
    #[command(flatten)]
    pub scrub_options: super::ScrubOptions,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// Print the summary as one JSON object
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ImportArgs) -> anyhow::Result<Exit> {
    let target = Target::parse(&args.dest);
    let mut names = Vec::new();
    for src in &args.sources {
        with_path(std::fs::symlink_metadata(src), src, "cannot read")?;
        let name = src
            .file_name()
            .ok_or_else(|| UsageError(format!("{}: name a file or folder, not a root or ..", src.display())))?
            .to_string_lossy()
            .into_owned();
        names.push(name);
    }
    if args.scrub_options.given() && !args.scrub {
        return Err(UsageError("--retain, --basic and --redact go with --scrub".into()).into());
    }
    // Always into DIR, as DIR/NAME (see the module's note in gate::import).
    let sources: Vec<(PathBuf, String)> = args.sources.iter().cloned().zip(names).collect();
    let plan = import::plan(&sources, &target.path)?;
    let store = open_store(&target.device, &args.passphrase, "import")?;
    let policy: Policy = crate::gate::door::vault_policy(&store)?;
    let scrubbing =
        args.scrub_options.scrubbing(args.scrub, &policy, || crate::scrub::key::vault_key(&store))?;
    let bar = progress_bar(args.json, Some(plan.bytes), super::copy_bar());
    let started = Instant::now();
    let json = args.json;
    let prepare = scrubbing.as_ref().map(|s| |bytes| s.prepare(bytes, &policy));
    let prepare = prepare.as_ref().map(|p| p as &dyn Fn(Vec<u8>) -> import::Prepared);
    let summary = import::import(&store, &plan, &policy, prepare, &mut |event| match event {
        import::Event::File { n, total, dest } => bar.set_message(super::bar_message(n, total, dest)),
        import::Event::Read(n) => bar.inc(n),
        // Each skip is said as it happens, above the bar (not after it, mixed into its line).
        import::Event::Skipped { path, why } if !json => {
            bar.suspend(|| eprintln!("{}", super::wrapped(&format!("vault: skipped {path}: {why}"))))
        }
        import::Event::Skipped { .. } => {}
    })?;
    let import::Summary { files, folders, bytes, skipped, refused_by_gate } = summary;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    if args.json {
        let skipped: Vec<_> =
            skipped.iter().map(|(p, w)| serde_json::json!({"path": p, "reason": w})).collect();
        print_json(&serde_json::json!({
            "device": target.device.display().to_string(), "dest": target.path,
            "files": files, "folders": folders, "bytes": bytes, "skipped": skipped, "seconds": secs,
        }));
    } else {
        if refused_by_gate > 0 && !args.scrub {
            eprintln!(
                "vault: {} refused by the gate; `vault import --scrub` de-identifies DICOM files on \
                 the way in, and `vault check FILE` explains each rule with its fix",
                count(refused_by_gate, "file")
            );
        }
        let skipped_note = if skipped.is_empty() {
            String::new()
        } else {
            format!("; {} skipped", count(skipped.len(), "file"))
        };
        println!(
            "Imported {} ({}) and {} into {}:{} in {secs:.1} s ({}/s){skipped_note}.",
            count(files, "file"),
            human(bytes),
            count(folders, "folder"),
            target.device.display(),
            target.path,
            human((bytes as f64 / secs.max(1e-9)) as u64)
        );
    }
    Ok(if skipped.is_empty() { Exit::Ok } else { Exit::Refused })
}
