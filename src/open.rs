//! Opening a vault: its device, its header read before any passphrase is asked for, the key
//! slot unlocked, the store opened and the opening audited. The commands, the mount's process
//! (`crate::control`) and the mirror (its backup) all open a vault this way.

use std::path::Path;

use vaultfmt::dev::{Access, BlockDevice, FileDevice};
use vaultfmt::store::Store;
use vaultfmt::volume::header_warning;
use vaultfmt::{Secret, Volume};

/// Opens a device, naming it in the error.
pub fn open_device(path: &Path, access: Access) -> crate::error::Result<FileDevice> {
    Ok(FileDevice::open(path, access)?)
}

/// Prints a header warning (a damaged or stale copy) to stderr.
pub fn warn_header(volume: &Volume<FileDevice>) {
    if let Some(w) = header_warning(volume.opened_from(), volume.device().name()) {
        eprintln!("vault: warning: {w}");
    }
}

/// Opens and unlocks a vault with the passphrase `secret` gives: asked for only once the
/// header has been read, so that "not a vault" comes before a prompt.
pub fn unlock_with(
    path: &Path,
    slot: Option<usize>,
    secret: impl FnOnce() -> crate::error::Result<zeroize::Zeroizing<Vec<u8>>>,
) -> crate::error::Result<Volume<FileDevice>> {
    let dev = open_device(path, Access::ReadWrite)?;
    vaultfmt::header::read_headers(&dev)?;
    let secret = secret()?;
    let volume = Volume::unlock(dev, Secret::Passphrase(&secret), slot)?;
    warn_header(&volume);
    Ok(volume)
}

/// Opens the store of an unlocked vault, recording the opening in the audit log.
pub fn open_unlocked(volume: Volume<FileDevice>, command: &str) -> crate::error::Result<Store<FileDevice>> {
    let slot = volume.unlocked_slot().to_string();
    let store = Store::open(volume)?;
    let mut tx = store.begin()?;
    tx.audit("open", &[("command", command), ("keyslot", &slot)])?;
    tx.commit()?;
    Ok(store)
}
