//! What the kernel has mounted where, read from `/proc/self/mountinfo`: so that `vault mount`
//! does not stack a vault on another mount, and `vault umount` and `vault eject` say what a
//! folder is before they act on it.

use std::path::{Path, PathBuf};

/// A mount: its filesystem type (`fuse`, or `fuse.vault` where the subtype is kept) and source
/// (`vault:v.img` for a vault: the name the mount gives it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub fs_type: String,
    pub source: String,
}

impl Mount {
    /// True for a vault's mount.
    pub fn is_vault(&self) -> bool {
        (self.fs_type == "fuse" || self.fs_type == "fuse.vault") && self.source.starts_with("vault:")
    }

    /// The vault's drive or image as the mount named it (its source without `vault:`).
    pub fn vault_device(&self) -> Option<&str> {
        self.source.strip_prefix("vault:").filter(|_| self.is_vault())
    }
}

/// The mount on `dir` (the topmost, when several are stacked), if `dir` is a mount point.
pub fn at(dir: &Path) -> Option<Mount> {
    let dir = absolute(dir)?;
    let table = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    table.lines().rev().filter_map(parse).find(|(at, _)| *at == dir).map(|(_, m)| m)
}

/// Every vault mounted on this machine: (folder, mount).
pub fn vaults() -> Vec<(PathBuf, Mount)> {
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    table.lines().filter_map(parse).filter(|(_, m)| m.is_vault()).collect()
}

/// The folder the vault on `device` (however spelt) is mounted on, if it is.
pub fn folder_of(device: &Path) -> Option<PathBuf> {
    let device = device.canonicalize().ok()?;
    vaults()
        .into_iter()
        .find(|(_, m)| {
            m.vault_device().is_some_and(|d| Path::new(d).canonicalize().is_ok_and(|d| d == device))
        })
        .map(|(dir, _)| dir)
}

/// `dir` made absolute, links resolved as mountinfo has them; when it cannot be looked into (a
/// dead mount), its folder resolved and its name kept.
fn absolute(dir: &Path) -> Option<PathBuf> {
    if let Ok(resolved) = dir.canonicalize() {
        return Some(resolved);
    }
    let name = dir.file_name();
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = parent.canonicalize().ok()?;
    match name {
        Some(n) if n != ".." => Some(parent.join(n)),
        _ => dir.canonicalize().ok(),
    }
}

/// One line of mountinfo: `id parent major:minor root mount-point options [tags] - type source …`.
fn parse(line: &str) -> Option<(PathBuf, Mount)> {
    let (head, tail) = line.split_once(" - ")?;
    let point = head.split(' ').nth(4)?;
    let mut tail = tail.split(' ');
    let fs_type = unescape(tail.next()?);
    let source = unescape(tail.next()?);
    Some((PathBuf::from(unescape(point)), Mount { fs_type, source }))
}

/// Undoes mountinfo's octal escapes (`\040` for a space).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && (b'0'..=b'3').contains(&b[i + 1])
            && b[i + 2..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let value =
                u32::from(b[i + 1] - b'0') * 64 + u32::from(b[i + 2] - b'0') * 8 + u32::from(b[i + 3] - b'0');
            out.push(value as u8);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mountinfo_line_reads_with_its_escapes() {
        let line = "812 30 0:71 / /tmp/my\\040vault rw,nosuid,nodev,relatime shared:1 - fuse.vault vault:v\\040a.img rw,user_id=0";
        let (at, m) = parse(line).unwrap();
        assert_eq!(at, PathBuf::from("/tmp/my vault"));
        assert_eq!(m.vault_device(), Some("v a.img"));
        let ext4 = parse("29 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw").unwrap().1;
        assert!(!ext4.is_vault() && ext4.vault_device().is_none());
    }
}
