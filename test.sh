#!/usr/bin/env bash
# Runs the whole test suite (installs what it needs first). As root: the loop-device tests
# attach loop devices.
set -euo pipefail
cd "$(dirname "$0")"
bash packaging/install-deps.sh
cargo test --workspace --locked --no-fail-fast "$@"
