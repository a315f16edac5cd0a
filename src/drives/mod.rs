//! Drives: what a device holds, and (with the drive policy) whether it may hold a vault.

pub mod admit;
pub mod classify;
pub mod contents;
pub mod discover;
pub mod guard;
