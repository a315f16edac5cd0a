# Sourced by the benchmarks: the made-up CT-like study they copy, and their timing helpers.

# make_study FILES KIB: ./study/series1 with FILES files of KIB KiB each. A text line first makes
# every file certainly not DICOM, so the gate lets each through after reading its first bytes.
make_study() {
    python3 - "$1" "$2" <<'PY'
import os, sys
files, kib = int(sys.argv[1]), int(sys.argv[2])
os.makedirs("study/series1")
for i in range(files):
    with open(f"study/series1/ct{i:04d}.dcm", "wb") as f:
        f.write(b"made-up CT-like data\n" + os.urandom(kib * 1024 - 21))
PY
}

now() { date +%s.%N; }
# mbps T0 T1: $bytes over the interval, in MB/s.
mbps() { python3 -c "print(f'{$bytes / ($2 - $1) / 1e6:.0f}')"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
# fsync_dir DIR: an fsync of a folder (for vault: its own durable commit).
fsync_dir() { python3 -c "import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)" "$1"; }
