#!/usr/bin/env bash
# Mirror benchmark (issue: mirror and verify). A CT-like study — 600 files of 512 KiB by
# default — in a vault image is mirrored into an empty backup vault image (every copy read back
# from the medium and compared by BLAKE3), against rsync of the same plaintext tree between two
# ext4 loop devices over image files in the same folder (the same disk): `rsync -a` and
# `rsync -a --checksum`, each followed by `sync`. Then `vault verify` of the backup against
# `b3sum` over the plaintext tree, both with cold caches. The mirror is also timed with the
# source mounted (done by the mount's process, through its control socket). Prints MB/s per run, medians and
# ratios. Needs root (losetup, mount). FILES=, FILE_KIB=, RUNS= change the workload.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/study.sh
export DEBIAN_FRONTEND=noninteractive
dpkg -s b3sum >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq b3sum rsync >/dev/null; }
build_vault mirror
loops=()
cleanup() {
    for m in "$work"/a "$work"/b; do mountpoint -q "$m" 2>/dev/null && umount "$m"; done
    for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
make_study "$files" "$kib"
bytes=$((files * kib * 1024))
size=$(( (bytes * 3 / 2) / 1048576 + 64 ))M
printf 'made-up benchmark passphrase\n' > pass
cheap=(--kdf-time 1 --kdf-memory 1)
"$vault" init --image src.img --size "$size" --passphrase-file pass "${cheap[@]}" --json >/dev/null
"$vault" import study src.img:/ --passphrase-file pass >/dev/null

ext4_pair() {
    mkdir -p a b
    for d in a b; do
        truncate -s "$size" "$d.img"; mkfs.ext4 -q -F "$d.img"
        l=$(losetup -f --show "$d.img"); loops+=("$l"); mount "$l" "$d"
    done
    cp -r study a/; sync
}
ext4_unpair() {
    umount a b; for l in "${loops[@]}"; do losetup -d "$l"; done; loops=(); rm -f a.img b.img
}

declare -A rate
for r in $(seq "$runs"); do
    "$vault" init --image dst.img --size "$size" --passphrase-file pass "${cheap[@]}" --json >/dev/null
    drop_caches
    t0=$(now); "$vault" mirror src.img dst.img --passphrase-file pass >/dev/null; t1=$(now)
    rate[mirror]="${rate[mirror]:-} $(mbps "$t0" "$t1")"
    drop_caches
    t0=$(now); "$vault" verify dst.img --passphrase-file pass >/dev/null; t1=$(now)
    rate[verify]="${rate[verify]:-} $(mbps "$t0" "$t1")"
    rm -f dst.img
    # The same mirror with the source mounted: its mount's process does it.
    "$vault" init --image dst.img --size "$size" --passphrase-file pass "${cheap[@]}" --json >/dev/null
    mkdir -p mnt; "$vault" mount src.img mnt --passphrase-file pass >/dev/null
    drop_caches
    t0=$(now); "$vault" mirror src.img dst.img --passphrase-file pass >/dev/null 2>&1; t1=$(now)
    rate[mirror-mounted]="${rate[mirror-mounted]:-} $(mbps "$t0" "$t1")"
    "$vault" umount mnt >/dev/null
    rm -f dst.img
    for mode in plain checksum; do
        ext4_pair
        flags=(-a); [ "$mode" = checksum ] && flags+=(--checksum)
        drop_caches
        t0=$(now); rsync "${flags[@]}" a/study b/; sync; t1=$(now)
        rate[rsync-$mode]="${rate[rsync-$mode]:-} $(mbps "$t0" "$t1")"
        if [ "$mode" = plain ]; then
            drop_caches
            t0=$(now); find b/study -type f -exec b3sum {} + >/dev/null; t1=$(now)
            rate[b3sum]="${rate[b3sum]:-} $(mbps "$t0" "$t1")"
        fi
        ext4_unpair
    done
done
echo "study: $files files of $kib KiB ($((bytes / 1048576)) MiB), $runs runs each; MB/s (cold caches)"
for k in mirror mirror-mounted rsync-plain rsync-checksum verify b3sum; do
    printf '  %-16s %-20s median %s\n' "$k" "${rate[$k]}" "$(median ${rate[$k]})"
done
python3 - "$(median ${rate[mirror]})" "$(median ${rate[rsync-plain]})" "$(median ${rate[rsync-checksum]})" \
          "$(median ${rate[verify]})" "$(median ${rate[b3sum]})" "$(median ${rate[mirror-mounted]})" <<'PY'
import sys
m, rp, rc, v, b, mm = map(float, sys.argv[1:])
print(f"mirror / rsync -a = {m / rp:.2f}; mirror / rsync -a --checksum = {m / rc:.2f}")
print(f"mirror of the mounted source / rsync -a = {mm / rp:.2f} ({mm / m:.2f} of the unmounted mirror)")
print(f"verify / b3sum = {v / b:.2f}")
PY
