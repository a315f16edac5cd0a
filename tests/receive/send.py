"""Sends DICOM files to a Storage SCP with pynetdicom, a real client independent of vault.

    python3 send.py PORT CALLING_AE ASSOCIATIONS FILE...

The files are shared out over ASSOCIATIONS associations run at once (threads). Prints one JSON
line per file: {"file", "status", "comment"} (status null when the association failed).
"""
import json
import sys
import threading

from pydicom import dcmread
from pynetdicom import AE, StoragePresentationContexts

port, calling, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
files = sys.argv[4:]
lock = threading.Lock()


def send(share):
    ae = AE(ae_title=calling)
    ae.requested_contexts = StoragePresentationContexts
    assoc = ae.associate("127.0.0.1", port, ae_title="VAULT")
    for path in share:
        status, comment = None, None
        if assoc.is_established:
            rsp = assoc.send_c_store(dcmread(path))
            if rsp:
                status = int(rsp.Status)
                comment = str(rsp.get("ErrorComment", "")) or None
        with lock:
            print(json.dumps({"file": path, "status": status, "comment": comment}), flush=True)
    if assoc.is_established:
        assoc.release()


threads = [threading.Thread(target=send, args=(files[i::n],)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
