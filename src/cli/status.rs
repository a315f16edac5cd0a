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
    mount's process (no passphrase needed; a mount whose process does not answer this user is \
    named, never unlocked). A DEVICE that is not mounted is opened, with its passphrase; one that \
    another vault process holds is said to be in use. The backup is old when its last complete mirror (every file copied and read \
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

/// What was learned of one vault.
enum Seen {
    Status(Status),
    /// Mounted, but its mount's process does not answer this user (another user's mount).
    Unanswered,
    /// Another vault process holds it (an import, a mirror of the unmounted vault).
    Busy,
}

/// The status of one vault: from its mount's process, or from its store opened here. A vault
/// found mounted is never unlocked here.
fn status_of(device: &Path, mounted_at: Option<&Path>, pass: &PassphraseArgs) -> anyhow::Result<Seen> {
    if let Some(client) = Client::connect(device) {
        let mut s = client.status()?;
        s.device = device.display().to_string();
        s.mounted_at = mounted_at
            .map(Path::to_path_buf)
            .or_else(|| crate::mounts::folder_of(device))
            .map(|d| d.display().to_string());
        return Ok(Seen::Status(s));
    }
    if mounted_at.is_some() || crate::mounts::folder_of(device).is_some() {
        return Ok(Seen::Unanswered);
    }
    let opened = super::unlock(device, pass, None).and_then(|v| Ok(crate::open::open_unlocked(v, "status")?));
    let store = match opened {
        Ok(store) => store,
        Err(e) if busy(&e) => return Ok(Seen::Busy),
        Err(e) => return Err(e),
    };
    let policy = crate::gate::door::vault_policy(&store)?;
    Ok(Seen::Status(Status {
        device: device.display().to_string(),
        mounted_at: None,
        read_only: false,
        unchecked: crate::gate::door::unchecked(&store)?.len() as u64,
        mirror_running: false,
        last_mirror: crate::mirror::last(&store)?,
        backup_max_age_days: policy.backup_max_age_days,
    }))
}

/// True when another vault process holds the vault: its lock (an image) or O_EXCL (a drive).
fn busy(e: &anyhow::Error) -> bool {
    use vaultfmt::dev::DevError;
    e.chain().any(|c| match c.downcast_ref::<DevError>() {
        Some(DevError::InUse { .. }) => true,
        Some(DevError::Open { source, .. }) => source.raw_os_error() == Some(libc::EBUSY),
        _ => false,
    })
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
    let mut worst = Exit::Ok;
    for (device, mounted_at) in targets {
        let s = match status_of(&device, mounted_at.as_deref(), &args.passphrase) {
            Ok(Seen::Status(s)) => s,
            Ok(other) => {
                let busy = matches!(other, Seen::Busy);
                let what = if busy {
                    "in use by another vault process (an import or a mirror is running)".to_string()
                } else {
                    let dir =
                        mounted_at.clone().or_else(|| crate::mounts::folder_of(&device)).unwrap_or_default();
                    format!(
                        "mounted at {}; its mount's process does not answer this user (another user's mount)",
                        dir.display()
                    )
                };
                if args.json {
                    print_json(
                        &serde_json::json!({"device": device.display().to_string(), "busy": busy, "note": what}),
                    );
                } else {
                    println!("{}: {what}", device.display());
                }
                continue;
            }
            Err(e) => {
                eprintln!("vault: {}", crate::error::message(e.as_ref()));
                let code = crate::error::for_error(e.as_ref());
                if code as i32 > worst as i32 {
                    worst = code;
                }
                continue;
            }
        };
        let warning = backup_warning(s.last_mirror.as_ref(), s.backup_max_age_days, now);
        if warning.is_some() && worst == Exit::Ok {
            worst = Exit::Refused;
        }
        if args.json {
            let mut v = serde_json::to_value(&s)?;
            v["backup_age_seconds"] = crate::status::backup_age(s.last_mirror.as_ref(), now).into();
            v["backup_overdue"] = warning.is_some().into();
            print_json(&v);
            continue;
        }
        let place = match &s.mounted_at {
            Some(dir) => format!("mounted at {dir}{}", if s.read_only { " (read-only)" } else { "" }),
            None => "not mounted".into(),
        };
        println!("{}: {place}", s.device);
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
    Ok(worst)
}

/// A time as `2026-12-01 21:40 UTC`.
pub fn utc(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| secs.to_string())
}
