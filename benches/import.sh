#!/usr/bin/env bash
# Import benchmark (issue: the store). A CT-like study — 600 files of 512 KiB by default —
# copied into a vault image with `vault import`, against `cp -r` + `sync` onto ext4 on a loop
# device over an image file in the same folder (the same disk). Prints MB/s for each run, the
# ratio vault / ext4 of the medians, and the vault's space used against the files' bytes.
# Needs root (losetup, mount). FILES=, FILE_KIB=, RUNS= change the workload.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/study.sh
build_vault import
loop=""
cleanup() {
    mountpoint -q "$work/mnt" 2>/dev/null && umount "$work/mnt"
    [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
make_study "$files" "$kib"
bytes=$((files * kib * 1024))
printf 'made-up benchmark passphrase\n' > pass
image_size=$(( (bytes * 3 / 2) / 1048576 + 64 ))M
mkdir mnt

ext4=()
vault_runs=()
for r in $(seq "$runs"); do
    truncate -s "$image_size" ext4.img
    mkfs.ext4 -q -F ext4.img
    loop=$(losetup -f --show ext4.img)
    mount "$loop" mnt
    sync
    t0=$(now); cp -r study mnt/; sync; t1=$(now)
    umount mnt; losetup -d "$loop"; loop=""; rm ext4.img
    ext4+=("$(mbps "$t0" "$t1")")

    "$vault" init --image v.img --size "$image_size" --passphrase-file pass --kdf-time 1 --kdf-memory 1 --json >/dev/null
    sync
    t0=$(now); "$vault" import study v.img --passphrase-file pass >/dev/null; sync; t1=$(now)
    vault_runs+=("$(mbps "$t0" "$t1")")
    [ "$r" = "$runs" ] || rm v.img
done
me=$(median "${ext4[@]}"); mv=$(median "${vault_runs[@]}")
echo "study: $files files of $kib KiB ($((bytes / 1048576)) MiB), $runs runs each"
echo "ext4 cp -r + sync  MB/s: ${ext4[*]}  (median $me)"
echo "vault import       MB/s: ${vault_runs[*]}  (median $mv)"
python3 -c "print(f'ratio vault / ext4: {$mv / $me:.2f}')"
"$vault" fsck v.img --json --passphrase-file pass > fsck.json
python3 - <<'PY'
import json
u = json.load(open("fsck.json"))["usage"]
files, data, meta = u["file_bytes"], u["data_bytes"], u["metadata_bytes"]
print(f"space: {files} file bytes take {data} data + {meta} metadata bytes: overhead {100 * ((data + meta) / files - 1):.2f} %")
PY
