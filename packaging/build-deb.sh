#!/usr/bin/env bash
# Builds the Debian package with cargo-deb (installed here at the pinned version if missing):
# target/debian/vault_<version>-1_amd64.deb, and beside it the debug symbols as
# vault-dbgsym_<version>-1_amd64.ddeb (the binary in the package is stripped).
# Extra arguments go to cargo deb (e.g. --output DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_DEB_VERSION=3.8.0
if ! cargo deb --version 2>/dev/null | grep -qF "$CARGO_DEB_VERSION"; then
    cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked
fi
command -v objcopy >/dev/null || apt-get install -y --no-install-recommends binutils
# The man pages and completions in the package are the committed ones; the docs test keeps
# them equal to what the code generates.
cargo deb --locked --dbgsym "$@"
