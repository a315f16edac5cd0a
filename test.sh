#!/usr/bin/env bash
# Runs the whole test suite (installs what it needs first). As root: the loop-device tests
# attach loop devices.
set -euo pipefail
cd "$(dirname "$0")"
# Variables that change what the tests cover: say which are set, so a run is never shrunk (or
# its documents rewritten instead of compared) silently. CI unsets them all.
declare -A covers=(
    [VAULT_UPDATE_MAN]="man pages and completions are rewritten, not compared"
    [VAULT_CRASH_POINTS]="number of crash points (default 10000)"
    [VAULT_CRASH_SEED]="crash test replays one seed"
    [VAULT_CRASH_CUT]="crash test replays one cut"
    [VAULT_FSX_OPS]="random operations on the mount (default 3000)"
    [VAULT_FSX_SEED]="the mount's random operations replay one seed"
    [VAULT_CORPUS_SEED]="the gate's mutation corpus replays one seed instead of all"
    [VAULT_MIRROR_CUT]="the mirror's interruption test replays one cut point instead of all"
    [VAULT_RACE_ROUNDS]="rounds of the write-against-check race (default 1000)"
    [VAULT_XTS_VECTORS]="the folder the XTS test vectors are read from"
)
for var in "${!covers[@]}"; do
    if [ -n "${!var+x}" ]; then
        echo "test.sh: $var=${!var} is set: ${covers[$var]}" >&2
    fi
done
bash packaging/install-deps.sh
cargo test --workspace --locked --no-fail-fast "$@"
