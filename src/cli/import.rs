//! `vault import`: copy files and folders into a vault without FUSE.

use std::fs::File;
use std::io::BufReader;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use indicatif::ProgressBar;
use vaultfmt::store::{Kind, SetAttrs, Time, split_path};

use super::target::{Target, join, open_store};
use super::{PassphraseArgs, print_json, progress_bar, with_path};
use crate::exit::{Exit, UsageError};
use crate::gate::door::{Door, Stored, store_checked};
use crate::gate::{Policy, Sight};
use crate::scrub::file::Outcome;
use crate::size::{count, human};

/// A batch is committed (made durable) after this many files or bytes, and at the end: an
/// interrupted import keeps every batch committed before the interruption, each file whole.
const BATCH_FILES: usize = 256;
const BATCH_BYTES: u64 = 256 << 20;

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
    pub scrub_options: super::scrub::ScrubOptions,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// Print the summary as one JSON object
    #[arg(long)]
    pub json: bool,
}

/// What one source entry becomes.
enum Item {
    Dir { dest: String, meta: std::fs::Metadata },
    File { src: PathBuf, dest: String, meta: std::fs::Metadata },
    Symlink { dest: String, target: String },
    Skip { src: PathBuf, why: &'static str },
}

fn plan(src: &Path, dest: &str, items: &mut Vec<Item>) -> anyhow::Result<()> {
    let meta = with_path(std::fs::symlink_metadata(src), src, "cannot read")?;
    let ft = meta.file_type();
    if ft.is_symlink() {
        let target = with_path(std::fs::read_link(src), src, "cannot read the link")?;
        items.push(Item::Symlink { dest: dest.to_string(), target: target.to_string_lossy().into_owned() });
    } else if ft.is_dir() {
        items.push(Item::Dir { dest: dest.to_string(), meta });
        let mut entries: Vec<_> =
            with_path(std::fs::read_dir(src), src, "cannot list")?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            plan(&e.path(), &join(dest, &name), items)?;
        }
    } else if ft.is_file() {
        items.push(Item::File { src: src.to_path_buf(), dest: dest.to_string(), meta });
    } else {
        items.push(Item::Skip { src: src.to_path_buf(), why: "not a regular file, folder or link" });
    }
    Ok(())
}

fn attrs(meta: &std::fs::Metadata) -> SetAttrs {
    SetAttrs {
        mode: Some(meta.permissions().mode() & 0o7777),
        uid: Some(meta.uid()),
        gid: Some(meta.gid()),
        atime: Some(Time { secs: meta.atime(), nanos: meta.atime_nsec() as u32 }),
        mtime: Some(Time { secs: meta.mtime(), nanos: meta.mtime_nsec() as u32 }),
    }
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
    let store = open_store(&target.device, &args.passphrase, "import")?;
    // Always into DIR, as DIR/NAME: the same import run again (after an interruption, say)
    // replaces what the first put there instead of nesting a second copy, as cp -r would.
    let mut items = Vec::new();
    for (src, name) in args.sources.iter().zip(&names) {
        plan(src, &join(&target.path, name), &mut items)?;
    }
    let total: u64 = items.iter().map(|i| if let Item::File { meta, .. } = i { meta.len() } else { 0 }).sum();
    let policy: Policy = crate::gate::door::vault_policy(&store)?;
    let scrubbing = super::scrub::scrubbing_for(args.scrub, &args.scrub_options, &policy, || {
        crate::scrub::key::vault_key(&store)
    })?;
    let bar = progress_bar(args.json, Some(total), super::copy_bar());
    let file_total = items.iter().filter(|i| matches!(i, Item::File { .. })).count() as u64;
    let mut file_done = 0u64;
    let started = Instant::now();
    let (mut files, mut folders, mut bytes) = (0u64, 0u64, 0u64);
    let mut skipped: Vec<(String, String)> = Vec::new();
    // Each skip is said as it happens, above the bar (not after it, mixed into its line).
    let json = args.json;
    let mut skip = |path: String, why: String| {
        if !json {
            bar.suspend(|| eprintln!("{}", super::wrapped(&format!("vault: skipped {path}: {why}"))));
        }
        skipped.push((path, why));
    };
    let mut gate_refused = 0usize;
    let mut tx = store.begin()?;
    tx.mkdir_all(&target.path, 0o755)?;
    let (mut batch_files, mut batch_bytes) = (0usize, 0u64);
    for item in &items {
        match item {
            Item::Dir { dest, meta } => {
                let ino = tx.mkdir_all(dest, 0o755)?;
                tx.set_attrs(ino, &attrs(meta))?;
                folders += 1;
            }
            Item::Symlink { dest, target: link } => {
                let (dir, name) = split_path(dest);
                let parent = tx.mkdir_all(dir, 0o755)?;
                if tx.lookup(parent, name)?.is_some() {
                    tx.unlink(parent, name)?;
                }
                tx.create(parent, name, Kind::Symlink, 0o777, Some(link))?;
            }
            Item::File { src, dest, meta } => {
                // With --scrub, the bytes that go in are the scrubbed ones; without, the file as
                // it is. Either way they are read once, stored, and the gate decides on what was
                // stored (read back from the vault) before it takes the file's name.
                let scrubbed = match &scrubbing {
                    Some(s) => {
                        let bytes = with_path(std::fs::read(src), src, "cannot read")?;
                        match s.apply(&bytes, &policy) {
                            Outcome::Scrubbed(out) => Some(out),
                            Outcome::Unchanged => Some(bytes),
                            Outcome::Refused(why) => {
                                tx.audit(
                                    "refused",
                                    &[("door", "import --scrub"), ("path", dest), ("rule", "scrub")],
                                )?;
                                skip(src.display().to_string(), format!("not scrubbed: {}", why.join("; ")));
                                continue;
                            }
                        }
                    }
                    None => None,
                };
                file_done += 1;
                bar.set_message(super::bar_message(file_done, file_total, dest));
                let (dir, name) = split_path(dest);
                let parent = tx.mkdir_all(dir, 0o755)?;
                let door = Door::named(if scrubbing.is_some() { "import --scrub" } else { "import" });
                let stored = match &scrubbed {
                    Some(bytes) => {
                        bar.inc(meta.len());
                        store_checked(
                            &mut tx,
                            parent,
                            name,
                            dest,
                            &mut &bytes[..],
                            (&policy, &Sight::system()),
                            door,
                        )?
                    }
                    None => {
                        let file = with_path(File::open(src), src, "cannot open")?;
                        let mut reader =
                            ProgressReader { inner: BufReader::with_capacity(1 << 20, file), bar: &bar };
                        store_checked(
                            &mut tx,
                            parent,
                            name,
                            dest,
                            &mut reader,
                            (&policy, &Sight::system()),
                            door,
                        )?
                    }
                };
                let (ino, n) = match stored {
                    Stored::Accepted { ino, bytes } => (ino, bytes),
                    Stored::Refused(verdict) => {
                        let rules: Vec<String> = verdict.reasons.iter().map(|r| r.to_string()).collect();
                        skip(src.display().to_string(), format!("refused by the gate: {}", rules.join("; ")));
                        gate_refused += 1;
                        continue;
                    }
                };
                tx.set_attrs(ino, &attrs(meta))?;
                files += 1;
                bytes += n;
                batch_files += 1;
                batch_bytes += n;
                if batch_files >= BATCH_FILES || batch_bytes >= BATCH_BYTES {
                    tx.commit()?;
                    tx = store.begin()?;
                    batch_files = 0;
                    batch_bytes = 0;
                }
            }
            Item::Skip { src, why } => skip(src.display().to_string(), why.to_string()),
        }
    }
    tx.audit(
        "import",
        &[
            ("dest", &target.path),
            ("files", &files.to_string()),
            ("bytes", &bytes.to_string()),
            ("skipped", &skipped.len().to_string()),
        ],
    )?;
    tx.commit()?;
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
        if gate_refused > 0 && !args.scrub {
            eprintln!(
                "vault: {} refused by the gate; `vault import --scrub` de-identifies DICOM files on \
                 the way in, and `vault check FILE` explains each rule with its fix",
                count(gate_refused, "file")
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

struct ProgressReader<'a, R> {
    inner: R,
    bar: &'a ProgressBar,
}

impl<R: std::io::Read> std::io::Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}
