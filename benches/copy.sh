#!/usr/bin/env bash
# Copy benchmark (issue: the mount). A CT-like study — 600 files of 512 KiB by default — is
# copied into a folder and made durable (`cp -r`, `sync`, fsync of the folder), then read back
# with cold caches, on:
#   ext4      on a loop device over an image file;
#   gocryptfs, securefs, cryfs   (Debian's packages, installed here) over that same ext4;
#   vault     mounted from an image file of the same size in the same folder (the same disk).
# Prints MB/s per run, medians, and ratios against ext4 and the fastest peer. Needs root.
# FILES=, FILE_KIB=, RUNS= change the workload. The passwords are made up for the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/study.sh
export DEBIAN_FRONTEND=noninteractive
for p in gocryptfs securefs cryfs fuse3; do
    dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq gocryptfs securefs cryfs fuse3 >/dev/null; break; }
done
build_vault copy
loop=""
cleanup() {
    for m in "$work"/plain "$work"/base; do mountpoint -q "$m" 2>/dev/null && { fusermount3 -uz "$m" 2>/dev/null || umount -l "$m"; }; done
    [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
make_study "$files" "$kib"
bytes=$((files * kib * 1024))
size=$(( (bytes * 2) / 1048576 + 128 ))M
printf 'made-up benchmark passphrase\n' > pass
mkdir base plain
# Makes a fresh ext4 at base/ (on a loop device over ext4.img).
fresh_ext4() {
    truncate -s "$size" ext4.img
    mkfs.ext4 -q -F ext4.img
    loop=$(losetup -f --show ext4.img)
    mount "$loop" base
}
# A FUSE peer's process may hold the lower ext4 for a moment after its unmount: retry.
drop_ext4() {
    for _ in $(seq 100); do umount base 2>/dev/null && break; sleep 0.1; done
    losetup -d "$loop"; loop=""; rm -f ext4.img
}

# mount_<fs>: makes plain/ the folder to copy into.
mount_ext4() { fresh_ext4; target=base; }
umount_ext4() { drop_ext4; }
mount_gocryptfs() {
    fresh_ext4; mkdir base/c
    gocryptfs -init -q -extpass "cat $work/pass" base/c >/dev/null
    gocryptfs -q -extpass "cat $work/pass" base/c plain; target=plain
}
umount_gocryptfs() { fusermount3 -u plain; drop_ext4; }
mount_securefs() {
    fresh_ext4; mkdir base/c
    securefs create --pass made-up-benchmark base/c >/dev/null
    securefs mount -b --pass made-up-benchmark base/c plain >/dev/null 2>&1
    for _ in $(seq 50); do mountpoint -q plain && break; sleep 0.1; done; target=plain
}
umount_securefs() { fusermount3 -u plain; drop_ext4; }
mount_cryfs() {
    fresh_ext4; mkdir base/c
    # Each run makes a new filesystem at the same path, which cryfs otherwise refuses.
    echo made-up-benchmark | CRYFS_FRONTEND=noninteractive CRYFS_NO_UPDATE_CHECK=true \
        cryfs --allow-replaced-filesystem base/c plain >/dev/null 2>&1
    target=plain
}
umount_cryfs() { fusermount3 -u plain; drop_ext4; }
mount_vault() {
    "$vault" init --image v.img --size "$size" --passphrase-file pass --kdf-time 1 --kdf-memory 1 --json >/dev/null
    "$vault" mount v.img plain --passphrase-file pass >/dev/null; target=plain
}
umount_vault() { "$vault" umount plain >/dev/null; rm -f v.img; }

declare -A write read
for fs in ext4 gocryptfs securefs cryfs vault; do
    for r in $(seq "$runs"); do
        "mount_$fs"
        drop_caches
        # After `sync`, an fsync of the target folder, for every filesystem alike: for vault it is
        # what makes its last changes durable (its own commit), for the others next to nothing.
        t0=$(now); cp -r study "$target/"; sync; fsync_dir "$target"; t1=$(now)
        w=$(mbps "$t0" "$t1")
        drop_caches
        t0=$(now); find "$target/study" -type f -exec cat {} + > /dev/null; t1=$(now)
        rd=$(mbps "$t0" "$t1")
        "umount_$fs"
        write[$fs]="${write[$fs]:-} $w"; read[$fs]="${read[$fs]:-} $rd"
    done
done
echo "study: $files files of $kib KiB ($((bytes / 1048576)) MiB), $runs runs each; MB/s"
printf '%-10s %-22s %-8s %-22s %s\n' fs "copy+sync runs" median "cold read runs" median
for fs in ext4 gocryptfs securefs cryfs vault; do
    printf '%-10s %-22s %-8s %-22s %s\n' "$fs" "${write[$fs]}" "$(median ${write[$fs]})" "${read[$fs]}" "$(median ${read[$fs]})"
done
python3 - "$(median ${write[ext4]})" "$(median ${write[gocryptfs]})" "$(median ${write[securefs]})" "$(median ${write[cryfs]})" "$(median ${write[vault]})" \
          "$(median ${read[ext4]})" "$(median ${read[gocryptfs]})" "$(median ${read[securefs]})" "$(median ${read[cryfs]})" "$(median ${read[vault]})" <<'PY'
import sys
w = list(map(float, sys.argv[1:6])); r = list(map(float, sys.argv[6:11]))
print(f"copy: vault / ext4 = {w[4] / w[0]:.2f}; vault / fastest peer = {w[4] / max(w[1:4]):.2f}")
print(f"read: vault / ext4 = {r[4] / r[0]:.2f}; vault / fastest peer = {r[4] / max(r[1:4]):.2f}")
PY
