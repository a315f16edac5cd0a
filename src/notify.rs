//! Desktop notifications: a refusal at the mount's door reaches the person who dragged the file,
//! whose file manager says only "Permission denied". Sent to org.freedesktop.Notifications on
//! the session bus the mount was started in (`DBUS_SESSION_BUS_ADDRESS`, else the mount's
//! user's `/run/user/UID/bus`), through zbus.
//!
//! A whole study refused must not become hundreds of pop-ups: the first refusal is shown at
//! once; refusals that follow within [`WINDOW`] of the last replace it with one notice that
//! counts them, until a window passes with none. Sending happens on a thread of its own, so a
//! slow or absent notification server never holds up a close. Nothing here is a patient value:
//! the file's name in the vault, the rule, the tag and its keyword, and the fix.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use zbus::zvariant::Value;

/// How long after a refusal the next one is counted into the same notice.
pub const WINDOW: Duration = Duration::from_secs(2);

/// One thing to tell the person at the desktop.
#[derive(Clone, Debug)]
pub struct Notice {
    /// The file's path in the vault.
    pub path: String,
    /// What happened: the rule, tag and keyword ("identifying-attribute: (0010,0010) PatientName").
    pub what: String,
    /// What to do about it.
    pub fix: String,
    /// What vault did: "refused" (the gate), "could not keep" (a write failed).
    pub verb: &'static str,
}

/// The sender's handle; notices go to its thread.
pub struct Notifier {
    tx: Sender<Notice>,
}

impl Notifier {
    /// Starts the sending thread for the session bus at hand, if there is one; `vault` names the
    /// vault's drive or image, as `vault log` takes it.
    pub fn start(vault: &str) -> Option<Notifier> {
        let address = bus_address()?;
        let (tx, rx) = channel();
        let vault = vault.to_string();
        std::thread::Builder::new()
            .name("notify".into())
            .spawn(move || send_loop(&address, &vault, rx))
            .ok()?;
        Some(Notifier { tx })
    }

    /// Queues a notice; never blocks.
    pub fn tell(&self, notice: Notice) {
        let _ = self.tx.send(notice);
    }
}

/// The session bus's address: the environment's, else the user's runtime folder's.
fn bus_address() -> Option<String> {
    if let Ok(a) = std::env::var("DBUS_SESSION_BUS_ADDRESS")
        && !a.is_empty()
    {
        return Some(a);
    }
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let path = format!("/run/user/{uid}/bus");
    std::path::Path::new(&path).exists().then(|| format!("unix:path={path}"))
}

/// The notice's title and text for a burst: the first refusal, and how many followed; `vault`
/// names the vault as `vault log` takes it.
pub fn words(first: &Notice, more: usize, vault: &str) -> (String, String) {
    let name = first.path.rsplit('/').next().unwrap_or(&first.path);
    let log = format!("vault log {vault} lists each with its reason.");
    if more == 0 {
        (
            format!("vault {} {name}", first.verb),
            format!("{}\n{}\nFix: {}\n{log}", first.path, first.what, first.fix),
        )
    } else {
        (
            format!("vault {} {} files", first.verb, more + 1),
            format!("{} and {} more; the first: {}\nFix: {}\n{log}", first.path, more, first.what, first.fix),
        )
    }
}

fn send_loop(address: &str, vault: &str, rx: Receiver<Notice>) {
    let mut conn: Option<zbus::blocking::Connection> = None;
    while let Ok(first) = rx.recv() {
        let id = show(&mut conn, address, vault, 0, &first, 0);
        let mut more = 0;
        let mut last = Instant::now();
        loop {
            match rx.recv_timeout(WINDOW.saturating_sub(last.elapsed())) {
                Ok(_) => {
                    more += 1;
                    last = Instant::now();
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    if more > 0 {
                        show(&mut conn, address, vault, id, &first, more);
                    }
                    return;
                }
            }
        }
        if more > 0 {
            show(&mut conn, address, vault, id, &first, more);
        }
    }
}

/// Shows (or, with `replaces`, updates) a notice; its id, 0 when it could not be sent.
fn show(
    conn: &mut Option<zbus::blocking::Connection>,
    address: &str,
    vault: &str,
    replaces: u32,
    first: &Notice,
    more: usize,
) -> u32 {
    if conn.is_none() {
        *conn = zbus::blocking::connection::Builder::address(address).and_then(|b| b.build()).ok();
    }
    let Some(c) = conn.as_ref() else { return 0 };
    let (summary, body) = words(first, more, vault);
    let mut hints: HashMap<&str, Value<'_>> = HashMap::new();
    hints.insert("urgency", Value::U8(1));
    hints.insert("category", Value::from("transfer.error"));
    let reply = c.call_method(
        Some("org.freedesktop.Notifications"),
        "/org/freedesktop/Notifications",
        Some("org.freedesktop.Notifications"),
        "Notify",
        &(
            "vault",
            replaces,
            "dialog-warning",
            summary.as_str(),
            body.as_str(),
            Vec::<&str>::new(),
            hints,
            -1i32,
        ),
    );
    match reply {
        Ok(m) => m.body().deserialize::<u32>().unwrap_or(0),
        Err(zbus::Error::InputOutput(_)) => {
            // The bus went away: connect again next time.
            *conn = None;
            0
        }
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_counted_in_one_notice() {
        let n = Notice {
            path: "/study/a.dcm".into(),
            what: "identifying-attribute: (0010,0010) PatientName".into(),
            fix: "de-identify it first".into(),
            verb: "refused",
        };
        let (title, body) = words(&n, 0, "/tmp/study.img");
        assert_eq!(title, "vault refused a.dcm");
        assert!(body.contains("(0010,0010) PatientName") && body.contains("Fix: de-identify"), "{body}");
        assert!(body.ends_with("vault log /tmp/study.img lists each with its reason."), "{body}");
        let (title, body) = words(&n, 41, "/tmp/study.img");
        assert_eq!(title, "vault refused 42 files");
        assert!(body.starts_with("/study/a.dcm and 41 more; the first: identifying"), "{body}");
    }
}
