//! Man pages generated from the clap definitions: `vault.1` and one `vault-COMMAND.1` per
//! command. `man/` holds the generated pages; a test fails when they differ from what this
//! produces (regenerate with `VAULT_UPDATE_MAN=1 cargo test --test docs`).

use clap::CommandFactory;
use clap_mangen::Man;

use super::Cli;
use crate::exit::TABLE;

/// (file name, contents) of every generated page.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let top = Cli::command();
    out.push(("vault.1".to_string(), render(&top, true)));
    add_subcommands(&top, "vault", &mut out);
    out
}

fn add_subcommands(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("{prefix}-{}", sub.get_name());
        let page = sub.clone().name(name.clone()).bin_name(name.replace('-', " "));
        out.push((format!("{name}.1"), render(&page, false)));
        add_subcommands(sub, &name, out);
    }
}

fn render(cmd: &clap::Command, top: bool) -> Vec<u8> {
    let man = Man::new(cmd.clone()).date("2026-11-25").source("vault").manual("vault manual");
    let mut buf = Vec::new();
    man.render_title(&mut buf).expect("writing to memory");
    man.render_name_section(&mut buf).expect("writing to memory");
    man.render_synopsis_section(&mut buf).expect("writing to memory");
    man.render_description_section(&mut buf).expect("writing to memory");
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf).expect("writing to memory");
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut buf).expect("writing to memory");
    }
    if !top && let Some(after) = cmd.get_after_help() {
        buf.extend_from_slice(b".SH NOTES\n");
        buf.extend_from_slice(escape(&after.to_string()).as_bytes());
        buf.push(b'\n');
    }
    buf.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for (code, meaning) in TABLE {
        buf.extend_from_slice(format!(".TP\n{}\n{}\n", *code as i32, escape(meaning)).as_bytes());
    }
    buf.extend_from_slice(b".SH \"SEE ALSO\"\n");
    let mut see = vec!["vaultfmt(5)".to_string()];
    if !top {
        see.insert(0, "vault(1)".to_string());
    }
    buf.extend_from_slice(format!("{}\n", see.join(", ")).as_bytes());
    buf
}

/// Escapes text for roff: backslashes, and a leading dot or quote.
fn escape(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l.replace('\\', "\\e");
            if l.starts_with('.') || l.starts_with('\'') { format!("\\&{l}") } else { l }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
