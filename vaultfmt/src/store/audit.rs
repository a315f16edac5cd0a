//! The audit log: append-only records of what happened to the vault (init, open, import,
//! refusals with rule and tag, mirror runs, fsck). Records name rules, tags, counts and
//! paths inside the vault; never a passphrase, a key or a patient value.

use super::records::AuditRecord;

/// One line for people: `2026-11-25 09:12:03  import  files=12 bytes=6291456`.
pub fn format_line(record: &AuditRecord) -> String {
    let fields: Vec<String> = record.fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}  {}  {}", format_time(record.time.secs), record.event, fields.join(" "))
        .trim_end()
        .to_string()
}

/// UTC date and time of `secs` since the epoch (civil-from-days, H. Hinnant's algorithm).
pub fn format_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(format_time(1_795_000_000), "2026-11-18 11:06:40");
    }
}
