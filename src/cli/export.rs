//! `vault export`: copy a file or folder out of a vault, every byte verified on the way.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::ProgressBar;
use vaultfmt::dev::FileDevice;
use vaultfmt::store::{Kind, ReadView, join_path};

use super::target::{Target, open_store};
use super::{PassphraseArgs, print_json, progress_bar, with_path};
use crate::exit::Exit;
use crate::size::{count, human};

#[derive(Args, Debug)]
#[command(after_help = "A folder is copied with everything in it. If DEST is an existing folder, \
    the file or folder is copied into it. A file whose data does not verify is not written \
    (what was written of it is removed) and the command fails naming it.")]
pub struct ExportArgs {
    /// The vault and the file or folder inside it: DEVICE:PATH
    #[arg(value_name = "DEVICE:PATH")]
    pub source: String,
    /// Where to copy it
    pub dest: PathBuf,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// Print the summary as one JSON object
    #[arg(long)]
    pub json: bool,
}

struct Counts {
    files: u64,
    bytes: u64,
}

fn export(
    view: &ReadView<'_, FileDevice>,
    unchecked: &std::collections::BTreeSet<u64>,
    ino: u64,
    vault_path: &str,
    dest: &Path,
    bar: &ProgressBar,
    counts: &mut Counts,
) -> anyhow::Result<()> {
    let inode = view.inode(ino)?.ok_or_else(|| anyhow::anyhow!("{vault_path}: vanished while exporting"))?;
    match inode.kind {
        Kind::Dir => {
            if !dest.is_dir() {
                with_path(std::fs::create_dir(dest), dest, "cannot create the folder")?;
            }
            for e in view.entries(ino)?.into_iter().filter(|e| !unchecked.contains(&e.ino)) {
                export(
                    view,
                    unchecked,
                    e.ino,
                    &join_path(vault_path, &e.name),
                    &dest.join(&e.name),
                    bar,
                    counts,
                )?;
            }
            with_path(
                std::fs::set_permissions(dest, std::fs::Permissions::from_mode(inode.mode)),
                dest,
                "chmod",
            )?;
        }
        Kind::Symlink => {
            let target = inode.target.unwrap_or_default();
            with_path(std::os::unix::fs::symlink(&target, dest), dest, "cannot create the link")?;
        }
        Kind::File => {
            bar.set_message(vault_path.to_string());
            let file = with_path(File::create(dest), dest, "cannot create")?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            let copied = view.copy_out(ino, &mut out, &mut |n| bar.inc(n)).and_then(|n| {
                out.flush().map_err(|e| vaultfmt::store::StoreError::Output {
                    path: dest.display().to_string(),
                    source: e,
                })?;
                Ok(n)
            });
            match copied {
                Ok(n) => {
                    counts.files += 1;
                    counts.bytes += n;
                }
                Err(e) => {
                    drop(out);
                    let _ = std::fs::remove_file(dest);
                    return Err(e.into());
                }
            }
            let f = out.into_inner().map_err(|e| anyhow::anyhow!("{}: {}", dest.display(), e.error()))?;
            with_path(f.set_permissions(std::fs::Permissions::from_mode(inode.mode)), dest, "chmod")?;
            let mtime = std::time::UNIX_EPOCH
                + std::time::Duration::new(inode.mtime.secs.max(0) as u64, inode.mtime.nanos);
            with_path(f.set_modified(mtime), dest, "set the modification time")?;
        }
    }
    Ok(())
}

pub fn run(args: ExportArgs) -> anyhow::Result<Exit> {
    let source = Target::parse(&args.source);
    let store = open_store(&source.device, &args.passphrase, "export")?;
    // Files the gate has not passed are not exported (invariant 4).
    let unchecked = crate::gate::door::unchecked(&store)?;
    let view = store.read()?;
    let ino = view
        .resolve(&source.path)?
        .filter(|i| !unchecked.contains(i))
        .ok_or_else(|| vaultfmt::store::StoreError::NotFound { path: source.path.clone() })?;
    let name = source.path.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("vault");
    let dest = if args.dest.is_dir() { args.dest.join(name) } else { args.dest.clone() };
    let bar = progress_bar(args.json, None, "{spinner} {bytes} {bytes_per_sec} {wide_msg}");
    let mut counts = Counts { files: 0, bytes: 0 };
    export(&view, &unchecked, ino, &source.path, &dest, &bar, &mut counts)?;
    bar.finish_and_clear();
    if args.json {
        print_json(&serde_json::json!({
            "device": source.device.display().to_string(), "source": source.path,
            "dest": dest.display().to_string(), "files": counts.files, "bytes": counts.bytes,
        }));
    } else {
        println!(
            "Exported {} ({}) to {}; every byte verified.",
            count(counts.files, "file"),
            human(counts.bytes),
            dest.display()
        );
    }
    Ok(Exit::Ok)
}
