//! vaultfmt: the on-disk format of a vault and its library.
//!
//! The layers, bottom up: block devices (`dev`), the sector cipher (`crypt`), the header with
//! its keyslots (`header`), and the volume that ties them together (`volume`). This crate knows
//! nothing of DICOM, FUSE, udev or terminals. `man/vaultfmt.5` documents every byte.

pub mod crypt;

/// Bytes in one sector: the unit of I/O and of encryption.
pub const SECTOR_SIZE: usize = 4096;
