//! Where the scrub key comes from: the vault's own (kept in it as a setting, MAC'd like every
//! setting, made on first use), or a file of 32 bytes (made, mode 0600, when missing) for
//! scrubbing outside a vault. The scrub itself (`crate::scrub`) takes the key and touches
//! neither.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::ScrubKey;
use crate::error::{Context, with_path};
use crate::settings::SCRUB_KEY;

fn random_key() -> crate::error::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(std::io::Error::from).context("no randomness")?;
    Ok(key)
}

/// The key in a file, made (mode 0600) when missing.
pub fn key_from_file(path: &Path) -> crate::error::Result<ScrubKey> {
    match std::fs::File::open(path) {
        Ok(mut f) => {
            let mut key = [0u8; 32];
            with_path(f.read_exact(&mut key), path, "cannot read the scrub key (32 bytes)")?;
            Ok(ScrubKey(key))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                with_path(std::fs::create_dir_all(dir), dir, "cannot make the folder")?;
            }
            let key = random_key()?;
            let mut f = with_path(
                std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path),
                path,
                "cannot make the scrub key",
            )?;
            with_path(std::io::Write::write_all(&mut f, &key), path, "cannot write the scrub key")?;
            Ok(ScrubKey(key))
        }
        Err(e) => Err(crate::error::Error::file(path, "cannot read the scrub key", e)),
    }
}

/// The vault's scrub key, made (and kept in the vault, MAC'd like every setting) when missing.
pub fn vault_key<D: vaultfmt::dev::BlockDevice + 'static>(
    store: &vaultfmt::store::Store<D>,
) -> crate::error::Result<ScrubKey> {
    if let Some(key) = store.begin_read_setting::<[u8; 32]>(SCRUB_KEY)? {
        return Ok(ScrubKey(key));
    }
    let key = random_key()?;
    let mut tx = store.begin()?;
    tx.put_setting(SCRUB_KEY, &key)?;
    tx.audit("scrub-key", &[("made", "yes")])?;
    tx.commit()?;
    Ok(ScrubKey(key))
}
