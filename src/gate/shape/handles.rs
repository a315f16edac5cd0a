//! Where a person is found online or on a computer: a social network's handle (`@zelda_madeup`,
//! `instagram: @zelda.m`, `TikTok zeldamadeup`), a profile's address
//! (`linkedin.com/in/zelda-madeup-4711`, `facebook.com/zelda.madeup.77`), and a user's own
//! folder (`C:\Users\zmadeup\Desktop`, `/home/zmadeup/scans`). Each names one person as surely as
//! a name does. A protocol's words beside an `@` (`DWI @b800`, `@t2_tse_tra`, `signal @FLAIR`),
//! a network's name before a word of any language (`WhatsApp inviato`), and a site's own pages
//! (`x.com/home`) are not.

/// A handle, a profile's address or a user's folder in `text`.
pub(super) fn handle(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    profile(&lower) || at_handle(text, &lower) || branded(text) || home_folder(&lower)
}

/// A handle's name as people choose one: letters in small letters, digits, `_` and `.`, a
/// letter first, whose longest run of letters (four or more) is a word no list or dictionary
/// of any language here knows (`zelda_madeup`, `zeldamadeup61`; not `b800`, `t2_tse_tra`,
/// `head_first`, `ASIR`).
fn handle_name(token: &[u8]) -> bool {
    let token = token.strip_suffix(b".").or_else(|| token.strip_suffix(b",")).unwrap_or(token);
    let shaped = token.first().is_some_and(u8::is_ascii_lowercase)
        && token.iter().all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.'));
    let longest = token.split(|b| !b.is_ascii_lowercase()).max_by_key(|run| run.len()).unwrap_or_default();
    shaped && longest.len() >= 4 && std::str::from_utf8(longest).is_ok_and(super::unknown::unknown_anywhere)
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
    "t.me/",
    "youtube.com/@",
    "threads.net/",
    "vk.com/",
    "reddit.com/user/",
    "reddit.com/u/",
    "medium.com/@",
    "mastodon.social/@",
];

/// A profile's host (not part of a longer host's name: `netflix.com/` is no `x.com/`) and a
/// path of two letters or digits or more after it that is no page of the site's own
/// ([`SITE_PAGES`]: `x.com/home`, `facebook.com/help`).
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
            let page = &rest[..rest.iter().position(|b| !b.is_ascii_alphanumeric()).unwrap_or(rest.len())];
            own && path >= 2 && !SITE_PAGES.iter().any(|p| p.as_bytes() == page)
        })
    })
}

/// Pages of a network's own at the start of a path: no one's profile.
#[rustfmt::skip]
const SITE_PAGES: &[&str] = &[
    "home", "help", "search", "about", "explore", "login", "signup", "settings", "privacy", "terms",
    "watch", "share", "sharer", "intent", "hashtag", "topics", "dev", "developers", "business",
    "legal", "policies", "jobs", "careers", "feed", "groups", "events", "pages", "company", "school",
    "learning", "results", "embed", "i",
];

/// Words that say a handle follows (`instagram: @zelda`, `Telegram @zelda`).
#[rustfmt::skip]
const NETWORKS: &[&str] = &[
    "instagram", "insta", "twitter", "telegram", "tiktok", "snapchat", "mastodon", "bluesky", "discord",
    "skype", "whatsapp", "facebook", "linkedin", "youtube",
];

/// A network's name, a colon or none, and a handle without its `@` ([`handle_name`]:
/// `TikTok zeldamadeup`, `Instagram: zelda_madeup`; not `TikTok video`, `WhatsApp inviato`,
/// `YouTube v2.0`).
fn branded(text: &[u8]) -> bool {
    let words: Vec<&[u8]> =
        text.split(|b| b.is_ascii_whitespace() || *b == b':').filter(|w| !w.is_empty()).collect();
    words.windows(2).any(|pair| {
        let network = pair[0].to_ascii_lowercase();
        NETWORKS.iter().any(|n| n.as_bytes() == network)
            && handle_name(pair[1].strip_prefix(b"@").unwrap_or(pair[1]))
    })
}

/// `@` at a word's start and a handle: after a network's name (`instagram @zeldam`), any
/// name of letters, digits, `_` and `.` three or more long; else a handle's name
/// ([`handle_name`]: `@zelda_madeup`; not `DWI @b800`, `@t2_tse_tra`, `@ASIR`). Not an e-mail
/// address (a word before its `@`), not a measure (`@ 120 kV`, `@3T`).
fn at_handle(text: &[u8], lower: &[u8]) -> bool {
    memchr::memchr_iter(b'@', lower).any(|at| {
        if at > 0 && (lower[at - 1].is_ascii_alphanumeric() || matches!(lower[at - 1], b'.' | b'_' | b'-')) {
            return false;
        }
        let len = text[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
            .count();
        let name = &text[at + 1..at + 1 + len];
        let said = lower[at.saturating_sub(16)..at]
            .split(|b| !b.is_ascii_alphanumeric())
            .rfind(|w| !w.is_empty())
            .is_some_and(|w| NETWORKS.iter().any(|n| n.as_bytes() == w));
        (said && name.len() >= 3 && name[0].is_ascii_alphabetic()) || handle_name(name)
    })
}

/// Folders under `Users` or `home` that are no person's: shared ones, and the accounts of
/// systems and services (`/home/orthanc`, `C:\Users\Administrator`).
#[rustfmt::skip]
const SHARED_FOLDERS: &[&str] = &[
    "public", "shared", "default", "all users", "default user", "guest", "administrator", "admin",
    "root", "user", "users", "ubuntu", "debian", "pi", "dicom", "orthanc", "pacs", "pacsadmin",
    "dcm4chee", "conquest", "horos", "osirix", "scanner", "service", "operator", "radiology", "data",
];

/// A user's folder in a path: `users` or `home` between separators (`C:\Users\zmadeup`,
/// `/Users/zmadeup`, `/home/zmadeup`), then a folder's name of two letters or more that is no
/// shared folder's; or a Windows path whose backslashes a DICOM value split into values, read
/// with spaces between them (`c: users zmadeup desktop`).
fn home_folder(lower: &[u8]) -> bool {
    let split = memchr::memmem::find_iter(lower, b": users ").any(|i| {
        i >= 1
            && lower[i - 1].is_ascii_alphabetic()
            && (i < 2 || !lower[i - 2].is_ascii_alphanumeric())
            && own_folder(&lower[i + 8..])
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
            own_folder(&lower[after + 1..])
        })
    })
}

/// The folder `rest` starts with (up to a separator or a space) is a person's: two letters or
/// more, no shared or system folder's name ([`SHARED_FOLDERS`]), and no word of English's
/// (`/users/guide`, `/home/radiology`).
fn own_folder(rest: &[u8]) -> bool {
    let end =
        rest.iter().position(|&b| matches!(b, b'/' | b'\\') || b.is_ascii_whitespace()).unwrap_or(rest.len());
    let folder = &rest[..end];
    folder.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 2
        && !SHARED_FOLDERS.iter().any(|s| s.as_bytes() == folder)
        && std::str::from_utf8(folder).is_ok_and(super::unknown::unknown_word)
}
