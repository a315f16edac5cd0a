#!/usr/bin/env bash
# DICOM receiver benchmark (issue: the DICOM network door). A made-up CT series (SLICES slices
# of 512 x 512 x 16 bits, 512 KiB each, ImageType ORIGINAL as a scanner writes; default 200) sent over loopback by dcmtk's storescu in one
# association, into:
#   - dcmtk's storescp writing to a plain folder on the same disk (the peer; then `sync`, as vault
#     commits durably before it answers);
#   - vault receive, the gate only (clean slices: replaced UIDs, no patient);
#   - vault receive --scrub (identified slices, de-identified on the way in).
# Prints instances/s and MB/s per run, medians, the ratios to storescp, and the receivers' CPU
# seconds (user + system) per 100 instances. With --tmpfs every backing store is in memory.
# RUNS= and SLICES= change the workload. Needs dcmtk (storescu, storescp) and pydicom.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/study.sh
slices=${SLICES:-200}
tmpfs=""
[ "${1:-}" = --tmpfs ] && tmpfs=1
build_vault receive
cleanup() {
    pkill -f "storescp.*$work" 2>/dev/null || true
    [ -n "$tmpfs" ] && umount "$work" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
[ -n "$tmpfs" ] && mount -t tmpfs -o size=2G tmpfs "$work"
cd "$work"
make_ct_slices "$slices" clean clean original
make_ct_slices "$slices" identified identified original
bytes=$(du -cb clean | tail -1 | cut -f1)
printf 'made-up benchmark passphrase\n' > pass
port=$((20000 + RANDOM % 10000))
STORESCU=/usr/bin/storescu STORESCP=/usr/bin/storescp
# dcmtk leaves Nagle's algorithm on unless TCP_NODELAY is set: then each PDU's last segment
# waits for a delayed ACK (about 45 ms a slice here). The peer and the client run at their best.
export TCP_NODELAY=1

# cpu PID: the user + system seconds a process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
# rate T0 T1: instances/s and MB/s.
rate() { python3 -c "d = $2 - $1; print(f'{$slices / d:.1f} {$bytes / d / 1e6:.1f}')"; }
wait_port() { for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.1; done; exit 1; }

peer=() vgate=() vscrub=() cpu_peer=() cpu_gate=() cpu_scrub=()
for r in $(seq "$runs"); do
    port=$((port + 1))
    rm -rf out && mkdir out
    "$STORESCP" -aet VAULT -od out "$port" & pid=$!
    wait_port; sync
    t0=$(now); "$STORESCU" +sd -aec VAULT -aet STORESCU 127.0.0.1 "$port" clean; sync; t1=$(now)
    c=$(cpu "$pid"); kill "$pid"; wait "$pid" 2>/dev/null || true
    [ "$(ls out | wc -l)" = "$slices" ] || { echo "storescp stored $(ls out | wc -l) of $slices" >&2; exit 1; }
    peer+=("$(rate "$t0" "$t1")"); cpu_peer+=("$c")

    for mode in gate scrub; do
        port=$((port + 1))
        rm -f v.img
        "$vault" init --image v.img --size 512M --passphrase-file pass --kdf-time 1 --kdf-memory 1 --json >/dev/null
        "$vault" policy set v.img --sender STORESCU --passphrase-file pass >/dev/null
        extra=(); src=clean
        [ "$mode" = scrub ] && extra=(--scrub) src=identified
        "$vault" receive v.img --passphrase-file pass --port "$port" "${extra[@]}" 2>/dev/null >summary & pid=$!
        wait_port; sync
        t0=$(now); "$STORESCU" +sd -aec VAULT -aet STORESCU 127.0.0.1 "$port" "$src"; t1=$(now)
        c=$(cpu "$pid"); kill -TERM "$pid"; wait "$pid"
        grep -q "$slices instances stored, 0 refused" summary || { cat summary >&2; exit 1; }
        if [ "$mode" = gate ]; then vgate+=("$(rate "$t0" "$t1")"); cpu_gate+=("$c")
        else vscrub+=("$(rate "$t0" "$t1")"); cpu_scrub+=("$c"); fi
    done
done
col() { local i=$1; shift; printf '%s\n' "$@" | awk -v i="$i" '{print $i}'; }
med() { median $(col "$@"); }
where=disk; [ -n "$tmpfs" ] && where=tmpfs
echo "receive: $slices slices, $((bytes / 1048576)) MiB, $runs runs, backing stores on $where"
for name in peer vgate vscrub; do
    declare -n runs_of=$name
    label=$(case $name in peer) echo "storescp -od + sync";; vgate) echo "vault receive (gate)";; vscrub) echo "vault receive --scrub";; esac)
    echo "$label  instances/s: $(col 1 "${runs_of[@]}" | tr '\n' ' ') (median $(med 1 "${runs_of[@]}"))  MB/s median $(med 2 "${runs_of[@]}")"
done
python3 - "$(med 1 "${peer[@]}")" "$(med 1 "${vgate[@]}")" "$(med 1 "${vscrub[@]}")" \
    "$(median "${cpu_peer[@]}")" "$(median "${cpu_gate[@]}")" "$(median "${cpu_scrub[@]}")" "$slices" <<'PY'
import sys
p, g, s, cp, cg, cs, n = map(float, sys.argv[1:])
print(f"ratio vault (gate) / storescp: {g / p:.2f}   vault --scrub / storescp: {s / p:.2f}   scrub's cost: {100 * (1 - s / g):.0f} % of the gate-only rate")
print(f"receiver CPU s per 100 instances (medians): storescp {100 * cp / n:.2f}, vault gate {100 * cg / n:.2f}, vault --scrub {100 * cs / n:.2f}")
PY
