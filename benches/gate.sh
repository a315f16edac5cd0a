#!/usr/bin/env bash
# Gate benchmark (issue: the gate). Two measurements, each against its peer in the same run:
#
# 1. The gate's cost on the mount's copy: a de-identified CT study — 600 DICOM files of about
#    512 KiB by default, made here with pydicom, every value made up — is copied into a freshly
#    mounted vault and made durable (`cp -r`, `sync`, fsync of the folder), against its twin:
#    files of the same sizes that begin with a text line and go on with random bytes, which the
#    gate tells from DICOM and from any container by their first and last bytes and lets through
#    unread. Cost = 1 - dicom / twin (medians).
# 2. `vault check` files per second against a pydicom script that reads the same files
#    (`dcmread` and every element), over the study and the real files of pydicom and
#    pydicom-data, with cold caches (the disk decides) and warm ones (the parsers decide). The
#    script's time is its loop alone (its start-up is left out, in its favour); vault's is the
#    whole command.
#
# Needs root (the mount). FILES=, RUNS= change the workload; PARTS=check skips the copy.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/study.sh
bash packaging/install-deps.sh
build_vault gate
cleanup() {
    mountpoint -q "$work/mnt" 2>/dev/null && { fusermount3 -uz "$work/mnt" 2>/dev/null || umount -l "$work/mnt"; }
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
make_ct_slices "$files" dicom/series1 clean
# The twin: files of the same sizes that are neither DICOM nor a container by any reading.
python3 - <<'PY'
import os
os.makedirs("twin/series1")
for name in sorted(os.listdir("dicom/series1")):
    size = os.path.getsize(f"dicom/series1/{name}")
    with open(f"twin/series1/{name}", "wb") as f:
        f.write(b"made-up twin, not DICOM\n" + os.urandom(size - 24))
PY
"$vault" check twin --json | python3 -c "import json, sys; assert not any(json.loads(l)['dicom'] for l in sys.stdin)" \
    || { echo "gate.sh: a twin file reads as DICOM" >&2; exit 1; }
bytes=$(du -sb dicom | cut -f1)
"$vault" check dicom >/dev/null 2>&1 || { echo "gate.sh: the made-up study is not accepted by the gate" >&2; exit 1; }
size=$(( (bytes * 2) / 1048576 + 128 ))M
printf 'made-up benchmark passphrase\n' > pass
mkdir mnt

declare -A copy
[ "${PARTS:-copy,check}" = check ] || for r in $(seq "$runs"); do
    for set in dicom twin; do
        "$vault" init --image v.img --size "$size" --passphrase-file pass --kdf-time 1 --kdf-memory 1 --json >/dev/null
        "$vault" mount v.img mnt --passphrase-file pass >/dev/null
        sync; echo 3 > /proc/sys/vm/drop_caches
        t0=$(now); cp -r "$set" mnt/; sync; fsync_dir mnt; t1=$(now)
        n=$(find "mnt/$set" -type f | wc -l)
        "$vault" umount mnt >/dev/null; rm -f v.img
        [ "$n" = "$files" ] || { echo "gate.sh: only $n of $files $set files arrived" >&2; exit 1; }
        copy[$set]="${copy[$set]:-} $(mbps "$t0" "$t1")"
    done
done
[ "${PARTS:-copy,check}" = check ] || {
echo "copy into the mount: $files files, $((bytes / 1048576)) MiB, $runs runs, MB/s"
echo "  DICOM (gate reads every file): ${copy[dicom]}   median $(median ${copy[dicom]})"
echo "  twin (gate reads head, tail):  ${copy[twin]}   median $(median ${copy[twin]})"
python3 -c "import sys; d, t = map(float, sys.argv[1:]); print(f'  gate cost = 1 - {d:.0f}/{t:.0f} = {100 * (1 - d / t):.1f} %')" \
    "$(median ${copy[dicom]})" "$(median ${copy[twin]})"
}

real=$(python3 -c "import os, pydicom, data_store; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'), os.path.join(os.path.dirname(data_store.__file__), 'data'))")
cat > read_all.py <<'PY'
import os, sys, time, warnings
import pydicom
warnings.simplefilter("ignore")
paths = []
for p in sys.argv[1:]:
    for root, _, names in os.walk(p):
        paths += [os.path.join(root, n) for n in names]
t0 = time.monotonic()
for path in paths:
    try:
        ds = pydicom.dcmread(path, force=True)
        for _ in ds.iterall():
            pass
    except Exception:
        pass
print(len(paths), time.monotonic() - t0)
PY
declare -A rate
for cache in cold warm; do
    for r in $(seq "$runs"); do
        [ "$cache" = cold ] && { sync; echo 3 > /proc/sys/vm/drop_caches; }
        read -r n secs < <(python3 read_all.py dicom $real)
        rate[pydicom-$cache]="${rate[pydicom-$cache]:-} $(python3 -c "print(f'{$n / $secs:.0f}')")"
        [ "$cache" = cold ] && { sync; echo 3 > /proc/sys/vm/drop_caches; }
        t0=$(now); code=0; "$vault" check --json dicom $real > checked.jsonl 2>/dev/null || code=$?; t1=$(now)
        # Some real files are refused (exit 1); every file is judged, none is an error.
        [ "$code" -le 1 ] && [ "$(wc -l < checked.jsonl)" = "$n" ] \
            || { echo "gate.sh: vault check exited $code with $(wc -l < checked.jsonl) of $n verdicts" >&2; exit 1; }
        rate[vault-$cache]="${rate[vault-$cache]:-} $(python3 -c "print(f'{$n / ($t1 - $t0):.0f}')")"
    done
    echo "check, $cache cache: $n files (the study and the real files), $runs runs, files/s"
    echo "  pydicom dcmread + every element: ${rate[pydicom-$cache]}   median $(median ${rate[pydicom-$cache]})"
    echo "  vault check:                     ${rate[vault-$cache]}   median $(median ${rate[vault-$cache]})"
    python3 -c "import sys; v, p = map(float, sys.argv[1:]); print(f'  vault check / pydicom = {v / p:.1f}')" \
        "$(median ${rate[vault-$cache]})" "$(median ${rate[pydicom-$cache]})"
done
