//! Where a person is found online or on a computer: a social network's handle (`@zelda_madeup`,
//! `instagram: @zelda.m`), a profile's address (`linkedin.com/in/zelda-madeup-4711`,
//! `facebook.com/zelda.madeup.77`), and a user's own folder (`C:\Users\zmadeup\Desktop`,
//! `/home/zmadeup/scans`). Each names one person as surely as a name does; none is a
//! description's.

/// A handle, a profile's address or a user's folder in `text`.
pub(super) fn handle(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    profile(&lower) || at_handle(&lower) || branded(&lower) || home_folder(&lower)
}

/// Social networks' hosts whose paths are people's profiles (with the path's start where it
/// has one of its own, `in/`).
const PROFILE_HOSTS: &[&str] = &[
    "facebook.com/",
    "fb.com/",
    "twitter.com/",
    "x.com/",
    "instagram.com/",
    "linkedin.com/in/",
    "tiktok.com/",
    "github.com/",
    "gitlab.com/",
    "t.me/",
    "youtube.com/@",
    "threads.net/",
    "vk.com/",
    "reddit.com/user/",
    "reddit.com/u/",
    "medium.com/@",
    "mastodon.social/@",
];

/// A profile's host (not part of a longer host's name: `box.com/`) and a path of two letters
/// or digits or more after it.
fn profile(lower: &[u8]) -> bool {
    PROFILE_HOSTS.iter().any(|host| {
        memchr::memmem::find_iter(lower, host.as_bytes()).any(|i| {
            let own =
                i == 0 || matches!(lower[i - 1], b'/' | b'.' | b' ' | b':' | b'(' | b'<' | b'"' | b'\'');
            let rest = &lower[i + host.len()..];
            let path = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'@'))
                .count();
            own && path >= 2
        })
    })
}

/// Words that say a handle follows (`instagram: @zelda`, `Telegram @zelda`).
#[rustfmt::skip]
const NETWORKS: &[&str] = &[
    "instagram", "insta", "ig", "twitter", "telegram", "tiktok", "snapchat", "snap", "handle", "threads",
    "mastodon", "bluesky", "discord", "skype", "signal", "whatsapp",
];

/// Networks' own names, after which a handle may stand without its `@` (`TikTok zeldam`).
#[rustfmt::skip]
const BRANDS: &[&str] = &[
    "instagram", "twitter", "telegram", "tiktok", "snapchat", "facebook", "linkedin", "mastodon", "bluesky",
    "discord", "skype", "whatsapp", "youtube",
];

/// A network's name, a colon or none, and a handle without its `@`: a letter, then letters,
/// digits, `_` and `.`, three or more in all, with a `_`, a `.` or a digit in it, or a word no
/// list knows (`TikTok zelda.m`, `Instagram: zeldamadeup`; not `TikTok video`).
fn branded(lower: &[u8]) -> bool {
    let words: Vec<&[u8]> =
        lower.split(|b| b.is_ascii_whitespace() || *b == b':').filter(|w| !w.is_empty()).collect();
    words.windows(2).any(|pair| {
        let token = pair[1].strip_prefix(b"@").unwrap_or(pair[1]);
        let token = token.strip_suffix(b".").or_else(|| token.strip_suffix(b",")).unwrap_or(token);
        let shaped = token.len() >= 3
            && token[0].is_ascii_alphabetic()
            && token.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'));
        BRANDS.iter().any(|n| n.as_bytes() == pair[0])
            && shaped
            && (token.iter().any(|&b| b == b'_' || b == b'.' || b.is_ascii_digit())
                || std::str::from_utf8(token).is_ok_and(super::unknown::unknown_word))
    })
}

/// `@` at a word's start and a handle: a letter, then letters, digits, `_` and `.`, three or
/// more in all; with a `_`, a `.` or a digit in it (`@zelda_madeup`, `@zelda.m`, `@zelda71`),
/// after a network's word (`instagram @zeldam`), or a word of four letters or more no list
/// knows (`@zeldamadeup`; not `@home`). Not an e-mail address (a word before its `@`), not a
/// measure (`@ 120 kV`, `@3T`).
fn at_handle(lower: &[u8]) -> bool {
    memchr::memchr_iter(b'@', lower).any(|at| {
        if at > 0 && (lower[at - 1].is_ascii_alphanumeric() || matches!(lower[at - 1], b'.' | b'_' | b'-')) {
            return false;
        }
        let rest = &lower[at + 1..];
        let len = rest.iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')).count();
        let name = rest[..len].strip_suffix(b".").unwrap_or(&rest[..len]);
        if name.len() < 3 || !name[0].is_ascii_alphabetic() {
            return false;
        }
        let marked = name.iter().any(|&b| b == b'_' || b == b'.' || b.is_ascii_digit());
        let before = &lower[at.saturating_sub(16)..at];
        let said = before
            .split(|b| !b.is_ascii_alphanumeric())
            .rfind(|w| !w.is_empty())
            .is_some_and(|w| NETWORKS.iter().any(|n| n.as_bytes() == w));
        let unknown = name.len() >= 4
            && name.iter().all(u8::is_ascii_alphabetic)
            && std::str::from_utf8(name).is_ok_and(super::unknown::unknown_word);
        marked || said || unknown
    })
}

/// Folders that are no one's own, under `Users` or `home`.
const SHARED_FOLDERS: &[&str] = &["public", "shared", "default", "all users", "default user", "guest"];

/// A user's folder in a path: `users` or `home` between separators (`C:\Users\zmadeup`,
/// `/Users/zmadeup`, `/home/zmadeup`), then a folder's name of two letters or more that is no
/// shared folder's; or a Windows path whose backslashes a DICOM value split into values, read
/// with spaces between them (`c: users zmadeup desktop`).
fn home_folder(lower: &[u8]) -> bool {
    let split = memchr::memmem::find_iter(lower, b": users ").any(|i| {
        let folder = lower[i + 8..].split(|b| b.is_ascii_whitespace()).next().unwrap_or_default();
        i >= 1
            && lower[i - 1].is_ascii_alphabetic()
            && (i < 2 || !lower[i - 2].is_ascii_alphanumeric())
            && folder.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 2
            && !SHARED_FOLDERS.iter().any(|s| s.as_bytes() == folder)
    });
    split || separated(lower)
}

/// `users` or `home` between separators, then a folder no one shares.
fn separated(lower: &[u8]) -> bool {
    [&b"users"[..], b"home"].iter().any(|dir| {
        memchr::memmem::find_iter(lower, dir).any(|i| {
            let sep = |b: Option<&u8>| matches!(b, Some(b'/' | b'\\'));
            let after = i + dir.len();
            if !(i > 0 && sep(lower.get(i - 1)) && sep(lower.get(after))) {
                return false;
            }
            let rest = &lower[after + 1..];
            let end = rest.iter().position(|&b| matches!(b, b'/' | b'\\')).unwrap_or(rest.len());
            let folder = &rest[..end];
            folder.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 2
                && !SHARED_FOLDERS.iter().any(|s| s.as_bytes() == folder)
        })
    })
}
