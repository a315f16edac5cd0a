#!/usr/bin/env bash
# Installs what building, demonstrating and testing vault needs on Debian, as root.
# Idempotent and quick when everything is already there. Needs a Rust toolchain >= 1.89
# (rustup); Debian's own cargo is too old for edition 2024.
set -euo pipefail

# Debian packages: the OpenSSL library for the test oracle (openssl crate) and the command for
# `vault bench` and the receiver's TLS test (made-up certificates); argon2 (the reference implementation, a test oracle); losetup, mkfs.ext4 and
# mount for the loop-device tests; script (bsdutils) for the terminal tests; python3-pip for the
# test vectors; fuse3 (fusermount3), stress-ng, fio, rsync, attr and procps for the mount tests;
# libudev-dev for the drive discovery (udev crate); umockdev, gir1.2-umockdev-1.0 and python3-gi
# to replay recorded devices and hotplug events in the drive tests; dicom3tools (dciodvfy) to
# validate scrubbed files against their inputs; time (GNU time) to measure a peak memory size;
# for the gate's attack corpus (tests/attacks): dcmtk (dcmdump, a second DICOM reader),
# genisoimage (patient CDs), p7zip-full, cpio, binutils (ar), xz-utils, zstd, lz4, bzip2, unzip;
# for burned-in text: tesseract-ocr and its English model (the OCR engine the gate runs), and the
# fonts the synthetic test images are drawn with (fonts-dejavu-core, fonts-dejavu-extra,
# fonts-noto-mono); for desktop notifications' tests, a session bus and its monitor (dbus-daemon,
# dbus-bin); the word lists the gate tells words from names with (English, medical, and
# other languages descriptions are written in, as plain lists or hunspell dictionaries); for the package's test, man-db (man -w) and systemd (systemd-analyze verify) besides
# dpkg, binutils and lintian (cargo-deb itself is installed by packaging/build-deb.sh).
packages=(build-essential pkg-config libssl-dev openssl argon2 util-linux bsdutils e2fsprogs mount python3 python3-pip
    fuse3 stress-ng fio rsync attr procps libudev-dev umockdev gir1.2-umockdev-1.0 python3-gi dicom3tools time
    dcmtk genisoimage p7zip-full cpio binutils xz-utils zstd lz4 bzip2 unzip
    tesseract-ocr tesseract-ocr-eng fonts-dejavu-core fonts-dejavu-extra fonts-noto-mono dbus-daemon dbus-bin
    wamerican wbritish hunspell-en-us hunspell-en-med wgerman-medical wngerman wfrench wspanish witalian
    wdutch wswedish wdanish wnorwegian hunspell-pl hunspell-cs hunspell-hu hunspell-ru hunspell-pt-pt
    hunspell-it hunspell-es hunspell-fr
    man-db systemd lintian)

missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" != 0 ]; then
        echo "install-deps: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PyPI: NIST's CAVP XTS vectors, as packaged by the pyca project (read by the cipher tests).
if ! python3 -c 'import cryptography_vectors' 2>/dev/null; then
    echo "install-deps: installing cryptography_vectors from PyPI" >&2
    python3 -m pip install -q --disable-pip-version-check cryptography_vectors==50.0.2 2>&1 \
        | grep -v -i "running pip as the 'root' user" >&2 || true
    python3 -c 'import cryptography_vectors'
fi

# PyPI: pypdf, which the attack corpus reads an encapsulated PDF's text with.
if ! python3 -c 'import pypdf' 2>/dev/null; then
    echo "install-deps: installing pypdf from PyPI" >&2
    python3 -m pip install -q --disable-pip-version-check pypdf==7.1.1 2>&1 \
        | grep -v -i "running pip as the 'root' user" >&2 || true
    python3 -c 'import pypdf'
fi

# PyPI: pydicom and pydicom-data, real DICOM files and the independent reading the gate's
# tests compare against.
if ! python3 -c 'import pydicom, data_store' 2>/dev/null; then
    echo "install-deps: installing pydicom and pydicom-data from PyPI" >&2
    python3 -m pip install -q --disable-pip-version-check pydicom==3.0.2 pydicom-data==1.0.0 2>&1 \
        | grep -v -i "running pip as the 'root' user" >&2 || true
    python3 -c 'import pydicom, data_store'
fi

# PyPI: deid-data (real ultrasound with burned-in text, from the pydicom project's deid), and
# Pillow and NumPy, which draw the synthetic burned-in-text set and read redacted images back.
if ! python3 -c 'import deid_data, PIL, numpy' 2>/dev/null; then
    echo "install-deps: installing deid-data, Pillow and NumPy from PyPI" >&2
    python3 -m pip install -q --disable-pip-version-check deid-data==0.0.20 pillow==13.0.0 numpy==2.4.6 2>&1 \
        | grep -v -i "running pip as the 'root' user" >&2 || true
    python3 -c 'import deid_data, PIL, numpy'
fi

# PyPI: pynetdicom, a second real DICOM client (beside dcmtk's storescu) for vault receive.
if ! python3 -c 'import pynetdicom' 2>/dev/null; then
    echo "install-deps: installing pynetdicom from PyPI" >&2
    python3 -m pip install -q --disable-pip-version-check pynetdicom==3.0.4 2>&1 \
        | grep -v -i "running pip as the 'root' user" >&2 || true
    python3 -c 'import pynetdicom'
fi

if ! command -v cargo >/dev/null; then
    echo "install-deps: no cargo on PATH; install Rust >= 1.89 with rustup" >&2
    exit 1
fi
