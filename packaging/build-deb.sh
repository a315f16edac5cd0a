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
if ! command -v objcopy >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "build-deb: objcopy (binutils) is missing: install it as root" >&2; exit 1; }
    apt-get update -qq && apt-get install -y -qq --no-install-recommends binutils
fi
# The man pages and completions in the package are the committed ones; the docs test keeps
# them equal to what the code generates.
cargo deb --locked --dbgsym "$@"
