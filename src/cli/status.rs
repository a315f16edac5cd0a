//! `vault status`: mounted vaults (or the ones named), their last complete mirror and the
//! backup's age, files the gate has still to check, a mirror in progress.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{PassphraseArgs, print_json};
use crate::control::Client;
use crate::exit::Exit;
use crate::size::count;
use crate::status::{Status, age_words, backup_warning};

#[derive(Args, Debug)]
#[command(after_help = "Without DEVICE: every vault mounted on this machine, asked through its \
    mount's process (no passphrase needed). A DEVICE that is not mounted is opened, with its \
    passphrase. The backup is old when its last complete mirror (every file copied and read \
    back, nothing refused) is older than the vault's policy says (vault policy set \
    --backup-max-age DAYS, default 7); then the exit status is 1.")]
pub struct StatusArgs {
    /// Vaults to show (drives or image files); none: every mounted vault
    pub devices: Vec<PathBuf>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// One JSON object per vault, one per line (JSON Lines)
    #[arg(long)]
    pub json: bool,
}

/// The status of one vault: from its mount's process, or from its store opened here.
fn status_of(device: &Path, mounted_at: Option<&Path>, pass: &PassphraseArgs) -> anyhow::Result<Status> {
    let at = |mut s: Status| {
        s.device = device.display().to_string();
        s.mounted_at = mounted_at.map(|d| d.display().to_string()).or(s.mounted_at);
        s
    };
    if let Some(client) = Client::connect(device) {
        let mounted = crate::mounts::vaults()
            .into_iter()
            .find(|(_, m)| m.vault_device().is_some_and(|d| same_file(Path::new(d), device)))
            .map(|(dir, _)| dir);
        let mut s = at(client.status()?);
        if s.mounted_at.is_none() {
            s.mounted_at = mounted.map(|d| d.display().to_string());
        }
        return Ok(s);
    }
    let volume = match super::unlock(device, pass, None) {
        Ok(v) => v,
        Err(e) if in_use(&e) => {
            return Ok(Status {
                device: device.display().to_string(),
                mounted_at: None,
                read_only: false,
                unchecked: 0,
                mirror_running: false,
                busy: true,
                last_mirror: None,
                backup_max_age_days: 0,
            });
        }
        Err(e) => return Err(e),
    };
    let store = super::target::open_unlocked(volume, "status")?;
    let policy = crate::gate::door::vault_policy(&store)?;
    Ok(at(Status {
        device: String::new(),
        mounted_at: None,
        read_only: false,
        unchecked: crate::gate::door::unchecked(&store)?.len() as u64,
        mirror_running: false,
        busy: false,
        last_mirror: crate::mirror::last(&store)?,
        backup_max_age_days: policy.backup_max_age_days,
    }))
}

fn in_use(e: &anyhow::Error) -> bool {
    e.chain().any(|c| matches!(c.downcast_ref(), Some(vaultfmt::dev::DevError::InUse { .. })))
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

pub fn run(args: StatusArgs) -> anyhow::Result<Exit> {
    let now = vaultfmt::store::Time::now().secs;
    let targets: Vec<(PathBuf, Option<PathBuf>)> = if args.devices.is_empty() {
        crate::mounts::vaults()
            .into_iter()
            .filter_map(|(dir, m)| Some((PathBuf::from(m.vault_device()?), Some(dir))))
            .collect()
    } else {
        args.devices.iter().map(|d| (d.clone(), None)).collect()
    };
    if targets.is_empty() && !args.json {
        println!("No vault is mounted.");
    }
    let mut overdue = false;
    for (device, mounted_at) in targets {
        let s = status_of(&device, mounted_at.as_deref(), &args.passphrase)?;
        let warning =
            if s.busy { None } else { backup_warning(s.last_mirror.as_ref(), s.backup_max_age_days, now) };
        overdue |= warning.is_some();
        if args.json {
            let mut v = serde_json::to_value(&s)?;
            v["backup_age_seconds"] = crate::status::backup_age(s.last_mirror.as_ref(), now).into();
            v["backup_overdue"] = warning.is_some().into();
            print_json(&v);
            continue;
        }
        let place = match &s.mounted_at {
            Some(dir) => format!("mounted at {dir}{}", if s.read_only { " (read-only)" } else { "" }),
            None if s.busy => "in use by another vault process (an import or a mirror is running)".into(),
            None => "not mounted".into(),
        };
        println!("{}: {place}", s.device);
        if s.busy {
            continue;
        }
        match &s.last_mirror {
            Some(l) => println!(
                "  last mirror   {} ago ({}), to {}, {}",
                age_words((now - l.time).max(0)),
                utc(l.time),
                l.backup,
                count(l.files, "file")
            ),
            None => println!("  last mirror   none"),
        }
        if let Some(w) = &warning {
            println!("  warning       {w}");
        }
        println!("  unchecked     {}", count(s.unchecked, "file"));
        if s.mirror_running {
            println!("  mirror        running");
        }
    }
    Ok(if overdue { Exit::Refused } else { Exit::Ok })
}

/// A time as `2026-12-01 21:40 UTC`.
pub fn utc(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| secs.to_string())
}
