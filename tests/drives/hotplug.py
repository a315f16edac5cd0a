#!/usr/bin/python3
"""Replays a hotplug: a umockdev testbed, `vault guard --once --json` running in it, then the
recorded device added and its "add" uevent sent, as the kernel would when it is plugged in.
Prints what the guard printed. Usage: hotplug.py VAULT RECORD SYSPATH [POLICY]
With POLICY (the file VAULT_DRIVES_CONFIG names), that file is spoilt after the guard started and
before the drive comes: the guard reads its policy again for each drive.
Run it under umockdev-wrapper (Debian's python3 with gir1.2-umockdev-1.0 and python3-gi), so that
the testbed's uevents reach it and the guard."""
import os, subprocess, sys, time

import gi
gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev

vault, record, syspath = sys.argv[1:4]
policy = sys.argv[4] if len(sys.argv) > 4 else None
testbed = UMockdev.Testbed.new()
env = dict(os.environ, UMOCKDEV_DIR=testbed.get_root_dir(), LD_PRELOAD="libumockdev-preload.so.0")
guard = subprocess.Popen([vault, "guard", "--once", "--json"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
# The guard says on standard error when it is watching; only then is the device plugged in.
line = guard.stderr.readline()
if "watching" not in line:
    sys.exit(f"the guard did not start: {line}{guard.stderr.read()}")
if policy:
    with open(policy, "w") as f:
        f.write("not a drive policy\n")
testbed.add_from_file(record)
time.sleep(0.2)
testbed.uevent(syspath, "add")
try:
    out, err = guard.communicate(timeout=20)
except subprocess.TimeoutExpired:
    guard.kill()
    sys.exit("the guard did not react to the add event within 20 s")
sys.stdout.write(out)
sys.stderr.write(err)
sys.exit(guard.returncode)
