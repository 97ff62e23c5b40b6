#!/usr/bin/env python3
"""The language server on a googleapis clone, as an editor uses it: time to the first diagnostics
after opening google/pubsub/v1/pubsub.proto, then the median time from an edit (didChange) to the
diagnostics of that version, the server's CPU time and peak RSS. The clone is never written:
edits are unsaved editor contents.

    bench/lsp.py [--server CMD...] [--clone DIR] [--edits N] [--file PATH]

Default server: target/release/protoforge lsp serve. To compare with buf, run buf's own binary (the
npm wrapper is a node process: its CPU time and RSS would not be buf's):
    bench/lsp.py --server /work/buf/node_modules/@bufbuild/buf-linux-x64/bin/buf lsp serve
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lspclient import Client  # noqa: E402


def proc_stats(pid):
    """(cpu seconds, peak RSS in KB) of a running process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    peak = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    return cpu, peak


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--clone", default=os.environ.get("GOOGLEAPIS", "/work/gapis"))
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--file", default="google/pubsub/v1/pubsub.proto")
    ap.add_argument("--server", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    server = a.server or [os.path.join(root, "target/release/protoforge"), "lsp", "serve"]
    path = os.path.join(a.clone, a.file)
    with open(path) as f:
        text = f.read()
    c = Client(server, a.clone)
    c.initialize(a.clone)
    started = time.monotonic()
    c.open(path, text, 1)
    _, at = c.diagnostics(path, timeout=600, version=1)
    first = at - started
    # Edits: a field renamed back and forth (a lint finding appears and goes), and a comment line.
    needle = "string bucket = 1 "
    assert needle in text, needle
    times = []
    for v in range(2, a.edits + 2):
        edited = text.replace(needle, "string badBucket = 1 ", 1) if v % 2 == 0 else text + f"// edit {v}\n"
        sent = time.monotonic()
        c.change(path, edited, v)
        p, at = c.diagnostics(path, timeout=600, version=v)
        while p.get("version") not in (None, v):
            p, at = c.diagnostics(path, timeout=600, version=v)
        times.append(at - sent)
    cpu, peak = proc_stats(c.proc.pid)
    c.shutdown()
    print(f"server: {' '.join(os.path.basename(s) if i == 0 else s for i, s in enumerate(server))}")
    print(f"first diagnostics after didOpen: {first * 1000:.0f} ms")
    print(
        f"diagnostics after an edit: median {statistics.median(times) * 1000:.1f} ms, "
        f"min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms ({len(times)} edits)"
    )
    print(f"server CPU {cpu:.2f} s, peak RSS {peak / 1024:.0f} MB")


if __name__ == "__main__":
    main()
