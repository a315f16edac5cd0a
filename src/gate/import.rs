//! The import door: files and folders of the host copied into a vault without FUSE, every file
//! through the gate ([`super::door::store_checked`]: the bytes judged are the bytes stored) and,
//! with `--scrub`, de-identified first.
//!
//! Each source goes into the folder asked for under its own name, as DIR/NAME, whether DIR
//! existed or not: the same import run again (after an interruption, say) replaces the files it
//! put there instead of nesting a second copy. Files are committed in batches (`crate::batch`):
//! an interrupted import keeps every batch committed before the interruption, each file whole.

use std::fs::File;
use std::io::BufReader;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use vaultfmt::dev::BlockDevice;
use vaultfmt::store::{Kind, SetAttrs, Store, Time, join_path, split_path};

use super::door::{Door, Stored, store_checked};
use super::{Policy, Sight};
use crate::error::with_path;

/// What one entry of the host becomes.
enum Item {
    Dir {
        dest: String,
        meta: std::fs::Metadata,
    },
    File {
        src: PathBuf,
        dest: String,
        meta: std::fs::Metadata,
    },
    Symlink {
        dest: String,
        target: String,
    },
    Skip {
        src: PathBuf,
        why: &'static str,
    },
    /// An entry whose name (or link target) the gate refuses: not copied, nor anything under it;
    /// audited against the folder it would have gone into.
    Named {
        src: PathBuf,
        folder: String,
        reason: super::Reason,
    },
}

/// What an import will copy: every entry under the sources, parents first, in name order.
pub struct Plan {
    items: Vec<Item>,
    /// The folder the sources go into.
    into: String,
    /// Files, and their bytes (a progress bar's totals).
    pub files: u64,
    pub bytes: u64,
}

/// The plan to copy `sources` (each with the name it takes) into the vault's folder `into`.
pub fn plan(sources: &[(PathBuf, String)], into: &str) -> crate::error::Result<Plan> {
    if let Some(reason) = super::check_path(into) {
        let why = format!("the destination folder's name is refused: {reason}; {}", reason.fix());
        return Err(crate::error::Refusal(why).into());
    }
    let mut items = Vec::new();
    for (src, name) in sources {
        walk(src, &join_path(into, name), &mut items)?;
    }
    let files = items.iter().filter(|i| matches!(i, Item::File { .. })).count() as u64;
    let bytes = items.iter().map(|i| if let Item::File { meta, .. } = i { meta.len() } else { 0 }).sum();
    Ok(Plan { items, into: into.to_string(), files, bytes })
}

fn walk(src: &Path, dest: &str, items: &mut Vec<Item>) -> crate::error::Result<()> {
    let meta = with_path(std::fs::symlink_metadata(src), src, "cannot read")?;
    let ft = meta.file_type();
    let (folder, name) = split_path(dest);
    let named = |reason| Item::Named { src: src.to_path_buf(), folder: folder.to_string(), reason };
    if let Some((told, reason)) = super::names::check_named_in(folder, name) {
        items.push(Item::Named { src: src.to_path_buf(), folder: told, reason });
    } else if ft.is_symlink() {
        let target = with_path(std::fs::read_link(src), src, "cannot read the link")?;
        if let Some(reason) = super::check_path(&target.to_string_lossy()) {
            items.push(named(reason));
            return Ok(());
        }
        items.push(Item::Symlink { dest: dest.to_string(), target: target.to_string_lossy().into_owned() });
    } else if ft.is_dir() {
        items.push(Item::Dir { dest: dest.to_string(), meta });
        let mut entries: Vec<_> =
            with_path(std::fs::read_dir(src), src, "cannot list")?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            walk(&e.path(), &join_path(dest, &name), items)?;
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

/// What the caller hears while an import runs (a progress bar, messages).
pub enum Event<'a> {
    /// The `n`-th file of `total` is being stored at `dest`.
    File { n: u64, total: u64, dest: &'a str },
    /// This many more bytes of files were read.
    Read(u64),
    /// A source entry not copied, and why (a refusal names the rule and tag, never a value).
    Skipped { path: &'a str, why: &'a str },
}

#[derive(Debug, Default)]
pub struct Summary {
    pub files: u64,
    pub folders: u64,
    pub bytes: u64,
    /// Each entry not copied, and why.
    pub skipped: Vec<(String, String)>,
    /// Files the gate refused (a hint to `--scrub` when it was not given).
    pub refused_by_gate: usize,
}

/// What de-identifying a file first (`import --scrub`, done by `crate::scrub`) made of it.
pub enum Prepared {
    /// The bytes that go in.
    Bytes(Vec<u8>),
    /// Not de-identified: its rules alone (for the audit record), and the reasons a person reads.
    Refused { rules: String, why: String },
}

/// Carries out `plan` in `store`, with the vault's `policy`; `prepare` de-identifies each file
/// first (`--scrub`).
pub fn import<D: BlockDevice + 'static>(
    store: &Store<D>,
    plan: &Plan,
    policy: &Policy,
    prepare: Option<&dyn Fn(Vec<u8>) -> Prepared>,
    events: &mut dyn FnMut(Event<'_>),
) -> crate::error::Result<Summary> {
    let mut summary = Summary::default();
    let skip = |summary: &mut Summary, events: &mut dyn FnMut(Event<'_>), path: String, why: String| {
        events(Event::Skipped { path: &path, why: &why });
        summary.skipped.push((path, why));
    };
    let door = Door::named(if prepare.is_some() { "import --scrub" } else { "import" });
    let mut tx = store.begin()?;
    tx.mkdir_all(&plan.into, 0o755)?;
    let (mut batch_files, mut batch_bytes, mut n) = (0usize, 0u64, 0u64);
    for item in &plan.items {
        match item {
            Item::Dir { dest, meta } => {
                let ino = tx.mkdir_all(dest, 0o755)?;
                tx.set_attrs(ino, &attrs(meta))?;
                summary.folders += 1;
            }
            Item::Symlink { dest, target } => {
                let (dir, name) = split_path(dest);
                // A target is text a file's bytes could be written as (hex of a compressed
                // data set fits in one): judged as a file's bytes are.
                if let Some(reason) = super::names::link_content(target, policy) {
                    super::door::audit_refusal(&mut tx, door, dir, std::slice::from_ref(&reason))?;
                    let why = format!("refused by the gate: {reason}; {}", reason.fix());
                    skip(&mut summary, events, format!("a link in {dir}/"), why);
                    continue;
                }
                let parent = tx.mkdir_all(dir, 0o755)?;
                if tx.lookup(parent, name)?.is_some() {
                    tx.unlink(parent, name)?;
                }
                tx.create(parent, name, Kind::Symlink, 0o777, Some(target))?;
            }
            Item::Skip { src, why } => skip(&mut summary, events, src.display().to_string(), why.to_string()),
            Item::Named { src, folder, reason } => {
                super::door::audit_refusal(&mut tx, door, folder, std::slice::from_ref(reason))?;
                // The name is not shown: the folder it is in, and what it looked like.
                let at = src.parent().map(|p| p.display().to_string()).unwrap_or_default();
                let why = format!("refused by the gate: {reason}; {}", reason.fix());
                skip(&mut summary, events, format!("a name in {at}/"), why);
            }
            Item::File { src, dest, meta } => {
                // With --scrub, the bytes that go in are the scrubbed ones; without, the file as
                // it is. Either way they are read once, stored, and the gate decides on what was
                // stored before it takes the file's name.
                let scrubbed = match prepare {
                    Some(prepare) => match prepare(with_path(std::fs::read(src), src, "cannot read")?) {
                        Prepared::Bytes(bytes) => Some(bytes),
                        Prepared::Refused { rules, why } => {
                            tx.audit("refused", &super::door::scrub_refusal(door, dest, &rules))?;
                            skip(
                                &mut summary,
                                events,
                                src.display().to_string(),
                                format!("not scrubbed: {why}"),
                            );
                            continue;
                        }
                    },
                    None => None,
                };
                n += 1;
                events(Event::File { n, total: plan.files, dest });
                let (dir, name) = split_path(dest);
                let parent = tx.mkdir_all(dir, 0o755)?;
                let sight = Sight::system();
                let stored = match &scrubbed {
                    Some(bytes) => {
                        events(Event::Read(meta.len()));
                        store_checked(&mut tx, parent, name, dest, &mut &bytes[..], (policy, &sight), door)?
                    }
                    None => {
                        let file = with_path(File::open(src), src, "cannot open")?;
                        let mut reader = Counted { inner: BufReader::with_capacity(1 << 20, file), events };
                        store_checked(&mut tx, parent, name, dest, &mut reader, (policy, &sight), door)?
                    }
                };
                let (ino, stored_bytes) = match stored {
                    Stored::Accepted { ino, bytes } => (ino, bytes),
                    Stored::Refused(verdict) => {
                        let rules: Vec<String> = verdict.reasons.iter().map(|r| r.to_string()).collect();
                        let why = format!("refused by the gate: {}", rules.join("; "));
                        skip(&mut summary, events, src.display().to_string(), why);
                        summary.refused_by_gate += 1;
                        continue;
                    }
                };
                tx.set_attrs(ino, &attrs(meta))?;
                summary.files += 1;
                summary.bytes += stored_bytes;
                batch_files += 1;
                batch_bytes += stored_bytes;
                if crate::batch::full(batch_files, batch_bytes, crate::batch::FILES) {
                    tx.commit()?;
                    tx = store.begin()?;
                    (batch_files, batch_bytes) = (0, 0);
                }
            }
        }
    }
    tx.audit(
        "import",
        &[
            ("dest", &plan.into),
            ("files", &summary.files.to_string()),
            ("bytes", &summary.bytes.to_string()),
            ("skipped", &summary.skipped.len().to_string()),
        ],
    )?;
    tx.commit()?;
    Ok(summary)
}

/// A reader that tells the caller how much it has read.
struct Counted<'e, R> {
    inner: R,
    events: &'e mut dyn FnMut(Event<'_>),
}

impl<R: std::io::Read> std::io::Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.events)(Event::Read(n as u64));
        Ok(n)
    }
}
