//! `vault ls`: list a folder of a vault without mounting it.

use clap::Args;
use vaultfmt::store::{Kind, StoreError, audit::format_time};

use super::target::{Target, open_store};
use super::{PassphraseArgs, print_json};
use crate::exit::Exit;

#[derive(Args, Debug)]
pub struct LsArgs {
    /// The vault, and optionally a folder or file inside it: DEVICE[:PATH]
    #[arg(value_name = "DEVICE[:PATH]")]
    pub target: String,
    /// Long listing: mode, size, modification time
    #[arg(short, long)]
    pub long: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// One JSON object per entry, one per line (JSON Lines)
    #[arg(long)]
    pub json: bool,
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::File => "file",
        Kind::Dir => "folder",
        Kind::Symlink => "link",
    }
}

pub fn run(args: LsArgs) -> anyhow::Result<Exit> {
    let target = Target::parse(&args.target);
    let store = open_store(&target.device, &args.passphrase, "ls")?;
    // Files the gate has not passed (left by a mount that ended before checking them) are not
    // listed until a mount or `fsck --repair` checks them.
    let unchecked = crate::gate::door::unchecked(&store)?;
    let view = store.read()?;
    let ino = view
        .resolve(&target.path)?
        .filter(|i| !unchecked.contains(i))
        .ok_or_else(|| StoreError::NotFound { path: target.path.clone() })?;
    let inode = view.inode(ino)?.ok_or_else(|| StoreError::NotFound { path: target.path.clone() })?;
    let entries: Vec<(String, u64)> = if inode.kind == Kind::Dir {
        view.entries(ino)?
            .into_iter()
            .filter(|e| !unchecked.contains(&e.ino))
            .map(|e| (e.name, e.ino))
            .collect()
    } else {
        vec![(target.path.rsplit('/').next().unwrap_or_default().to_string(), ino)]
    };
    for (name, child) in entries {
        let i = view.inode(child)?.ok_or_else(|| StoreError::NotFound { path: name.clone() })?;
        if args.json {
            print_json(&serde_json::json!({
                "name": name, "kind": kind_name(i.kind), "size": i.size, "mode": format!("{:04o}", i.mode),
                "mtime": i.mtime.secs, "target": i.target,
            }));
        } else if args.long {
            let suffix = match (&i.kind, &i.target) {
                (Kind::Dir, _) => "/".to_string(),
                (Kind::Symlink, Some(t)) => format!(" -> {t}"),
                _ => String::new(),
            };
            println!("{:04o} {:>12} {}  {name}{suffix}", i.mode, i.size, format_time(i.mtime.secs));
        } else {
            println!("{name}{}", if i.kind == Kind::Dir { "/" } else { "" });
        }
    }
    Ok(Exit::Ok)
}
