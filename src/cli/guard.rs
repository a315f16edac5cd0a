//! `vault guard`: USB storage that the drive policy refuses (memory sticks, card readers, small
//! drives) is made read-only the moment it appears, and the guard says why on standard output
//! (the journal, when systemd runs it). Nothing can then be copied onto a stick by accident.
//!
//! Two ways in, both installed by `--install`: a udev rule that runs `vault guard --device
//! $devnode` for every USB disk as it is added (before anything can mount it), and a systemd
//! unit that runs `vault guard` from boot, watching hotplug through a udev monitor.

use std::path::PathBuf;

use clap::Args;

use super::drives::{json, verdict_word};
use super::print_json;
use crate::drives::classify::{DeviceFacts, DrivePolicy};
use crate::drives::{discover, guard};
use crate::error::UsageError;
use crate::exit::Exit;

#[derive(Args, Debug)]
#[command(after_help = "Without options it runs until stopped, handling each USB disk as it is \
    plugged in. It acts on USB storage only: a refused or unclassified USB drive is made \
    read-only (BLKROSET); other drives are reported, never touched. --install writes \
    /etc/udev/rules.d/70-vault-guard.rules and /etc/systemd/system/vault-guard.service (under \
    --root) and, with --root /, enables the unit; --uninstall removes them.")]
pub struct GuardArgs {
    /// Handle one device now (as the udev rule does) instead of watching
    #[arg(long, value_name = "DEVICE", conflicts_with_all = ["install", "uninstall"])]
    pub device: Option<PathBuf>,
    /// Stop after the first device handled
    #[arg(long)]
    pub once: bool,
    /// Put the udev rule and the systemd unit in place, so the guard runs from boot
    #[arg(long, conflicts_with = "uninstall")]
    pub install: bool,
    /// Remove the udev rule and the systemd unit
    #[arg(long)]
    pub uninstall: bool,
    /// The root of the system to install into or remove from
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// One JSON object per device handled, one per line (JSON Lines)
    #[arg(long)]
    pub json: bool,
}

/// Guards one device and says what was done; true when it was (or should have been) made
/// read-only.
fn handle(facts: &DeviceFacts, policy: &DrivePolicy, as_json: bool) -> bool {
    let (c, action) = guard::guard(facts, policy);
    let outcome = action.to_string();
    if as_json {
        let mut v = json(facts, &c);
        v["action"] = outcome.into();
        print_json(&v);
    } else {
        let model = facts.model.as_deref().unwrap_or("unknown model").replace('_', " ");
        println!(
            "vault guard: {} ({model}): {} ({}: {}); {outcome}",
            facts.path,
            verdict_word(c.verdict),
            c.rule,
            c.why
        );
    }
    !matches!(action, guard::Action::LeftAlone)
}

pub fn run(args: GuardArgs) -> anyhow::Result<Exit> {
    if args.install {
        for path in guard::install(&args.root)? {
            println!("wrote {}", path.display());
        }
        return Ok(Exit::Ok);
    }
    if args.uninstall {
        for path in guard::uninstall(&args.root)? {
            println!("removed {}", path.display());
        }
        return Ok(Exit::Ok);
    }
    let policy = discover::load_policy()?;
    if let Some(device) = &args.device {
        let facts = discover::for_path(device)?
            .ok_or_else(|| UsageError(format!("{}: not a block device", device.display())))?;
        handle(&facts, &policy, args.json);
        return Ok(Exit::Ok);
    }
    // On standard error, so that standard output holds only results (and JSON stays JSON).
    eprintln!("vault guard: watching for USB storage");
    // The policy is read again for each drive: a drive accepted since (vault init
    // --accept-drive) is not made read-only by a guard that started before. A policy that no
    // longer reads keeps the last good one, said once per drive.
    let mut policy = policy;
    discover::watch(|facts| {
        match discover::load_policy() {
            Ok(now) => policy = now,
            Err(e) => eprintln!("vault guard: {e}; keeping the policy read before"),
        }
        handle(&facts, &policy, args.json);
        !args.once
    })?;
    Ok(Exit::Ok)
}
