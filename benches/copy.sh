#!/usr/bin/env bash
# Copy benchmark (issue: speed). A CT-like study — 600 files of 512 KiB by default — is copied
# into a folder and made durable (`cp -r`, `sync`, fsync of the folder), its tree listed with
# `find -printf` (a stat of every file) and read back, with cold caches, on:
#   ext4      on a loop device over an image file;
#   gocryptfs, securefs, cryfs   (Debian's packages, installed here) over that same ext4;
#   vault     mounted from an image file of the same size in the same folder (the same disk).
# With --tmpfs, every backing store (the image files, the study) is in memory: what is left is
# each filesystem's own work. Prints per run and medians: MB/s of the copy and of the read,
# milliseconds of the listing, and CPU seconds per GB copied (the FUSE daemon's user+system
# time, plus `cp` and `sync`; for ext4 the kernel's writeback threads are not counted); then
# ratios against ext4 and the fastest peer. Needs root.
# FILES=, FILE_KIB=, RUNS= change the workload (FILES=10000 FILE_KIB=16: small files;
# FILES=1 FILE_KIB=2097152: one 2 GiB file); PEERS= the peers to run (default "gocryptfs securefs
# cryfs"; cryfs takes many minutes over 10,000 files). The passwords are made up for the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/study.sh
export DEBIAN_FRONTEND=noninteractive
for p in gocryptfs securefs cryfs fuse3; do
    dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq gocryptfs securefs cryfs fuse3 >/dev/null; break; }
done
build_vault copy
tmpfs=""
[ "${1:-}" = --tmpfs ] && tmpfs=1
bytes=$((files * kib * 1024))
size=$(( (bytes * 2) / 1048576 + 128 ))M
loop=""
cleanup() {
    cd /
    for m in "$work"/plain "$work"/base; do mountpoint -q "$m" 2>/dev/null && { fusermount3 -uz "$m" 2>/dev/null || umount -l "$m"; }; done
    [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
    mountpoint -q "$work" && umount "$work"
    rm -rf "$work"
}
trap cleanup EXIT
# In memory: the study, the ext4 image and vault's image (one at a time), with room to spare.
[ -n "$tmpfs" ] && mount -t tmpfs -o size=$(( bytes * 4 / 1048576 + 512 ))M tmpfs "$work"
cd "$work"
make_study "$files" "$kib"
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

# fuse_pids: the processes that hold /dev/fuse open (the FUSE daemon of the one mount there is;
# a peer that daemonizes leaves its parent out).
fuse_pids() {
    local p
    for p in /proc/[0-9]*; do
        if ls -l "$p/fd" 2>/dev/null | grep -q ' /dev/fuse$'; then echo "${p#/proc/}"; fi
    done
}
# daemon_ticks PID…: their user+system clock ticks so far (those gone count as 0).
daemon_ticks() {
    local total=0 pid
    for pid in "$@"; do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
hz=$(getconf CLK_TCK)

declare -A write read list cpu
peers=(${PEERS:-gocryptfs securefs cryfs})
all=(ext4 "${peers[@]}" vault)
for fs in "${all[@]}"; do
    for r in $(seq "$runs"); do
        "mount_$fs"
        drop_caches
        # After `sync`, an fsync of the target folder, for every filesystem alike: for vault it is
        # what makes its last changes durable (its own commit), for the others next to nothing.
        pids=$(fuse_pids)
        d0=$(daemon_ticks $pids)
        t0=$(now)
        /usr/bin/time -f "%U %S" -o cp.cpu cp -r study "$target/"
        /usr/bin/time -f "%U %S" -o sync.cpu sync; fsync_dir "$target"
        t1=$(now)
        d1=$(daemon_ticks $pids)
        w=$(mbps "$t0" "$t1")
        c=$(python3 -c "
u = sum(map(float, open('cp.cpu').read().split())) + sum(map(float, open('sync.cpu').read().split()))
print(f'{(u + ($d1 - $d0) / $hz) / ($bytes / 1e9):.2f}')")
        drop_caches
        t0=$(now); find "$target/study" -printf '%s %T@\n' > /dev/null; t1=$(now)
        l=$(python3 -c "print(f'{($t1 - $t0) * 1000:.0f}')")
        drop_caches
        t0=$(now); find "$target/study" -type f -exec cat {} + > /dev/null; t1=$(now)
        rd=$(mbps "$t0" "$t1")
        "umount_$fs"
        write[$fs]="${write[$fs]:-} $w"; read[$fs]="${read[$fs]:-} $rd"
        list[$fs]="${list[$fs]:-} $l"; cpu[$fs]="${cpu[$fs]:-} $c"
    done
done
where=disk; [ -n "$tmpfs" ] && where=tmpfs
echo "study: $files files of $kib KiB ($((bytes / 1048576)) MiB), $runs runs each, backing stores on $where"
printf '%-10s %-20s %-7s %-20s %-7s %-16s %-6s %-18s %s\n' fs "copy+sync MB/s" median "cold read MB/s" median \
    "list ms" median "CPU s/GB copied" median
for fs in "${all[@]}"; do
    printf '%-10s %-20s %-7s %-20s %-7s %-16s %-6s %-18s %s\n' "$fs" "${write[$fs]}" "$(median ${write[$fs]})" \
        "${read[$fs]}" "$(median ${read[$fs]})" "${list[$fs]}" "$(median ${list[$fs]})" "${cpu[$fs]}" "$(median ${cpu[$fs]})"
done
medians() { local fs; for fs in "${all[@]}"; do eval "median \${$1[$fs]}"; done; }
python3 - "${all[*]}" $(medians write) $(medians read) $(medians list) $(medians cpu) <<'PY'
import sys
names = sys.argv[1].split()
n = len(names)
v = list(map(float, sys.argv[2:]))
w, r, l, c = v[0:n], v[n:2 * n], v[2 * n:3 * n], v[3 * n:4 * n]
peers = range(1, n - 1)
best_w, best_r = max(w[i] for i in peers), max(r[i] for i in peers)
print(f"copy: vault / ext4 = {w[-1] / w[0]:.2f}; vault / fastest peer = {w[-1] / best_w:.2f}")
print(f"read: vault / ext4 = {r[-1] / r[0]:.2f}; vault / fastest peer = {r[-1] / best_r:.2f}")
print(f"list: vault / fastest peer (time) = {l[-1] / min(l[i] for i in peers):.2f}")
print("CPU per GB: vault / " + ", ".join(f"{names[i]} = {c[-1] / c[i]:.2f}" for i in peers))
PY
