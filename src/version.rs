//! What `vault --version` says: the version, the git commit vault was built from (`+changes`
//! when the work tree differed from it), and the sector cipher's engine this CPU runs.

/// The git commit this binary was built from (see `build.rs`).
pub const COMMIT: &str = env!("VAULT_COMMIT");

/// `0.1.0 (commit 0123456789ab, cipher AES-256-XTS by avx512-vaes)`.
pub fn line() -> String {
    format!(
        "{} (commit {COMMIT}, cipher AES-256-XTS by {})",
        env!("CARGO_PKG_VERSION"),
        vaultfmt::crypt::engine_here()
    )
}
