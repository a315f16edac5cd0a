//! The `vault` command: the layers above the on-disk format (`vaultfmt`).

pub mod cli;
pub mod control;
pub mod drives;
pub mod exit;
pub mod fs;
pub mod gate;
pub mod mirror;
pub mod mounts;
pub mod notify;
pub mod ocr;
pub mod parallel;
pub mod passphrase;
pub mod scrub;
pub mod settings;
pub mod size;
pub mod status;
pub mod version;
