//! `vault completions SHELL`: the shell's completion script, generated from the clap
//! definitions (clap_complete). `completions/` holds the generated scripts the package
//! installs; a test fails when they differ from what this produces (regenerate with
//! `VAULT_UPDATE_MAN=1 cargo test --test docs`).

use clap::{Args, CommandFactory, ValueEnum};
use clap_complete::Shell;

use super::Cli;
use crate::exit::Exit;

#[derive(Args, Debug)]
#[command(after_help = "Installed by the Debian package. From a build: vault completions bash > \
    /etc/bash_completion.d/vault, vault completions zsh > /usr/local/share/zsh/site-functions/_vault, \
    vault completions fish > ~/.config/fish/completions/vault.fish.")]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

impl CompletionShell {
    fn clap(self) -> Shell {
        match self {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
        }
    }

    /// The file name each shell looks for.
    fn file_name(self) -> &'static str {
        match self {
            CompletionShell::Bash => "vault",
            CompletionShell::Zsh => "_vault",
            CompletionShell::Fish => "vault.fish",
        }
    }
}

/// The script for one shell.
pub fn script(shell: CompletionShell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell.clap(), &mut Cli::command(), "vault", &mut out);
    out
}

/// (file name, contents) of every shell's script, as `completions/` holds them.
pub fn scripts() -> Vec<(String, Vec<u8>)> {
    CompletionShell::value_variants().iter().map(|s| (s.file_name().to_string(), script(*s))).collect()
}

pub fn run(args: CompletionsArgs) -> anyhow::Result<Exit> {
    use std::io::Write;
    std::io::stdout().write_all(&script(args.shell))?;
    Ok(Exit::Ok)
}
