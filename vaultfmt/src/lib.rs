//! vaultfmt: the on-disk format of a vault and its library.
//!
//! The layers, bottom up: block devices (`dev`), the sector cipher (`crypt`), the header with
//! its keyslots (`header`), and the volume that ties them together (`volume`). Keys live in
//! locked memory (`secret`). This crate knows nothing of DICOM, FUSE, udev or terminals.
//! `man/vaultfmt.5` documents every byte.

pub mod crypt;
pub mod dev;
pub mod header;
pub mod scratch;
pub mod secret;
pub mod store;
pub mod volume;

/// Bytes in one sector: the unit of I/O and of encryption.
pub const SECTOR_SIZE: usize = 4096;

/// Bytes of the master key: the AES-256-XTS key pair (Key1 ‖ Key2).
pub const MASTER_KEY_BYTES: usize = crypt::XTS_KEY_BYTES;

pub use volume::{Secret, Volume, VolumeError};
