//! `vault header backup|restore|repair`: keep a copy of the header, put it back, or rewrite a
//! damaged copy from the good one. Headers are plaintext with keyslots inside, so none of
//! these needs the passphrase; a restored header opens only with the passphrases it held.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use vaultfmt::SECTOR_SIZE;
use vaultfmt::dev::{Access, BlockDevice};
use vaultfmt::header::{self, Header, HeaderError};

use super::{open_device, print_json, uuid_string, with_path};
use crate::error::Refusal;
use crate::exit::Exit;

#[derive(Subcommand, Debug)]
pub enum HeaderCommand {
    /// Write the vault's header (4096 bytes) to FILE, which must not exist
    Backup(BackupArgs),
    /// Write the header in FILE to both header copies of DEVICE
    Restore(RestoreArgs),
    /// Rewrite a damaged or stale header copy from the good one
    Repair(RepairArgs),
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The vault's drive or image file
    pub device: PathBuf,
    /// Where to write the header backup
    pub file: PathBuf,
    /// Print the result as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The vault's drive or image file
    pub device: PathBuf,
    /// A header backup made by `vault header backup`
    pub file: PathBuf,
    /// Restore even though the device holds a different vault's header
    #[arg(long)]
    pub yes: bool,
    /// Print the result as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct RepairArgs {
    /// The vault's drive or image file
    pub device: PathBuf,
    /// Print the result as one JSON object
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: HeaderCommand) -> anyhow::Result<Exit> {
    match cmd {
        HeaderCommand::Backup(a) => backup(a),
        HeaderCommand::Restore(a) => restore(a),
        HeaderCommand::Repair(a) => repair(a),
    }
}

fn backup(args: BackupArgs) -> anyhow::Result<Exit> {
    let dev = open_device(&args.device, Access::ReadOnly)?;
    let read = header::read_headers(&dev)?;
    let bytes = read.header.encode();
    let mut file = with_path(
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&args.file),
        &args.file,
        "cannot create the header backup",
    )?;
    with_path(file.write_all(&bytes).and_then(|_| file.sync_all()), &args.file, "write")?;
    let uuid = uuid_string(&read.header.uuid);
    if args.json {
        print_json(&serde_json::json!({
            "device": args.device.display().to_string(), "file": args.file.display().to_string(),
            "uuid": uuid, "sequence": read.header.sequence, "header_source": read.source.name(),
        }));
    } else {
        println!(
            "Header of {} (UUID {uuid}, {} copy) saved to {}.",
            args.device.display(),
            read.source.name(),
            args.file.display()
        );
    }
    Ok(Exit::Ok)
}

/// Reads and checks a header backup file.
fn read_backup(path: &std::path::Path) -> anyhow::Result<Header> {
    let bytes = with_path(std::fs::read(path), path, "cannot read the header backup")?;
    let sector: [u8; SECTOR_SIZE] = bytes.as_slice().try_into().map_err(|_| {
        anyhow::Error::new(HeaderError::BothDamaged {
            device: path.display().to_string(),
            primary: header::CopyFault::Malformed("a header backup is exactly 4096 bytes"),
            backup: header::CopyFault::Malformed("not a header backup"),
        })
    })?;
    Header::decode(&sector).map_err(|fault| {
        anyhow::Error::new(HeaderError::BothDamaged {
            device: path.display().to_string(),
            primary: fault.clone(),
            backup: fault,
        })
        .context(format!("{}: not a usable header backup", path.display()))
    })
}

fn restore(args: RestoreArgs) -> anyhow::Result<Exit> {
    let mut saved = read_backup(&args.file)?;
    let dev = open_device(&args.device, Access::ReadWrite)?;
    if saved.volume_bytes > dev.size() {
        return Err(Refusal(format!(
            "{}: refused: the backup is for a {}-byte vault, larger than the device ({} bytes)",
            args.device.display(),
            saved.volume_bytes,
            dev.size()
        ))
        .into());
    }
    let mut newest = saved.sequence;
    match header::read_headers(&dev) {
        Ok(read) => {
            if read.header.uuid != saved.uuid && !args.yes {
                return Err(Refusal(format!(
                    "{}: refused: it holds a different vault (UUID {}) than the backup (UUID {}); \
                     pass --yes to overwrite its header",
                    args.device.display(),
                    uuid_string(&read.header.uuid),
                    uuid_string(&saved.uuid)
                ))
                .into());
            }
            newest = newest.max(read.header.sequence);
        }
        Err(HeaderError::NotAVault { .. }) | Err(HeaderError::BothDamaged { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    // The restored header must win over any copy still on the device.
    saved.sequence = newest;
    header::write_headers(&dev, &mut saved)?;
    let read = header::read_headers(&dev)?;
    if !read.both_good() || read.header != saved {
        return Err(anyhow::anyhow!("{}: the restored header does not read back", args.device.display()));
    }
    if args.json {
        print_json(&serde_json::json!({
            "device": args.device.display().to_string(), "file": args.file.display().to_string(),
            "uuid": uuid_string(&saved.uuid), "sequence": saved.sequence,
        }));
    } else {
        println!("Header restored to both copies of {} from {}.", args.device.display(), args.file.display());
    }
    Ok(Exit::Ok)
}

fn repair(args: RepairArgs) -> anyhow::Result<Exit> {
    let dev = open_device(&args.device, Access::ReadWrite)?;
    let read = header::read_headers(&dev)?;
    let name = args.device.display().to_string();
    let repaired = !read.both_good();
    if repaired {
        let mut h = read.header.clone();
        header::write_headers(&dev, &mut h)?;
        let again = header::read_headers(&dev)?;
        if !again.both_good() {
            return Err(anyhow::anyhow!("{name}: the rewritten header copies do not read back"));
        }
    }
    if args.json {
        print_json(&serde_json::json!({"device": name, "repaired": repaired, "from": read.source.name()}));
    } else if repaired {
        println!("{name}: both header copies rewritten from the {} copy.", read.source.name());
    } else {
        println!("{name}: both header copies are valid; nothing to repair.");
    }
    Ok(Exit::Ok)
}
