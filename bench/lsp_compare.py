#!/usr/bin/env python3
"""protoforge's and buf's language servers side by side on one small workspace (made in a temp
directory): the same requests to both, answers compared (diagnostic codes and ranges, formatting,
definition, references, rename). Prints each comparison and exits 1 on a difference.

    bench/lsp_compare.py [--buf PATH] [--protoforge PATH]
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lspclient import Client, uri  # noqa: E402

FILES = {
    "buf.yaml": "version: v2\nlint:\n  use:\n    - STANDARD\n",
    "acme/v1/a.proto": """syntax = "proto3";

package acme.v1;

import "google/protobuf/timestamp.proto";

// A user of the system.
message User {
  string id = 1;
  string badName = 2;
  Status status = 3;
  google.protobuf.Timestamp created = 4;
  message Inner { int32 x = 1; }
  Inner inner = 5;
}

enum Status {
  STATUS_UNSPECIFIED = 0;
  active = 1;
}
""",
    "acme/v1/b.proto": """syntax = "proto3";

package acme.v1;

import "acme/v1/a.proto";

message GetUserRequest {
  User user = 1;
  User.Inner inner = 2;
}

message GetUserResponse {
  acme.v1.User user = 1;
}

service UserService {
  rpc GetUser(GetUserRequest) returns (GetUserResponse);
}
""",
}


def settle_diagnostics(c, path, seconds=4.0):
    """The last diagnostics published for `path` within `seconds` (buf publishes twice)."""
    last = None
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return last
        try:
            last, _ = c.diagnostics(path, timeout=left)
        except Exception:
            return last


def session(argv, ws):
    c = Client(argv, ws)
    c.initialize(ws)
    a = os.path.join(ws, "acme/v1/a.proto")
    b = os.path.join(ws, "acme/v1/b.proto")
    out = {}
    c.open(a)
    d = settle_diagnostics(c, a)
    out["diagnostics a.proto (code, range)"] = sorted(
        (x.get("code"), json.dumps(x["range"], sort_keys=True)) for x in d["diagnostics"]
    )
    broken = FILES["acme/v1/a.proto"].replace("Status status = 3;", "Statu status = 3;")
    c.change(a, broken, 2)
    d = settle_diagnostics(c, a)
    out["compile error ranges"] = sorted(json.dumps(x["range"], sort_keys=True) for x in d["diagnostics"])
    c.change(a, FILES["acme/v1/a.proto"], 3)
    settle_diagnostics(c, a, 2)
    r = c.request("textDocument/formatting", {"textDocument": {"uri": uri(a)}, "options": {"tabSize": 2, "insertSpaces": True}})
    text = FILES["acme/v1/a.proto"]
    out["formatting (result text)"] = apply(text, r["result"] or [])
    c.open(b)
    settle_diagnostics(c, b, 2)

    def at(path, line, ch):
        return {"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": ch}}

    def locs(res):
        res = res or []
        if isinstance(res, dict):
            res = [res]
        return sorted((os.path.relpath(x["uri"][7:], ws) if x["uri"].startswith("file://" + ws) else "(outside)", json.dumps(x["range"], sort_keys=True)) for x in res)

    for name, path, line, ch in [
        ("definition User in b.proto", b, 7, 3),
        ("definition Inner in User.Inner", b, 8, 8),
        ("definition GetUserRequest in rpc", b, 16, 15),
        ("definition Status in a.proto", a, 10, 3),
    ]:
        out[name] = locs(c.request("textDocument/definition", at(path, line, ch))["result"])
    for name, path, line, ch in [("references User", a, 7, 9), ("references Inner", a, 12, 11)]:
        p = at(path, line, ch)
        p["context"] = {"includeDeclaration": True}
        out[name] = locs(c.request("textDocument/references", p)["result"])
    p = at(a, 7, 9)
    p["newName"] = "Person"
    r = c.request("textDocument/rename", p)["result"] or {}
    out["rename User -> Person"] = sorted(
        (os.path.relpath(k[7:], ws), json.dumps(sorted(json.dumps(e["range"], sort_keys=True) for e in v)))
        for k, v in (r.get("changes") or {}).items()
    )
    c.shutdown()
    return out


def apply(text, edits):
    lines = text.split("\n")
    starts = [0]
    for l in lines[:-1]:
        starts.append(starts[-1] + len(l) + 1)

    def off(p):
        if p["line"] >= len(starts):
            return len(text)
        return min(starts[p["line"]] + p["character"], len(text))

    for e in sorted(edits, key=lambda e: off(e["range"]["start"]), reverse=True):
        text = text[: off(e["range"]["start"])] + e["newText"] + text[off(e["range"]["end"]):]
    return text


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--buf", default="/work/buf/node_modules/.bin/buf")
    ap.add_argument("--protoforge", default=os.path.join(root, "target/release/protoforge"))
    a = ap.parse_args()
    results = {}
    for name, argv in [("buf", [a.buf, "lsp", "serve", "--log-format=text"]), ("protoforge", [a.protoforge, "lsp", "serve"])]:
        ws = tempfile.mkdtemp(prefix="lsp-compare-")
        ws = os.path.realpath(ws)
        for rel, text in FILES.items():
            p = os.path.join(ws, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
        results[name] = session(argv, ws)
    differ = 0
    for key in results["buf"]:
        same = results["buf"][key] == results["protoforge"][key]
        differ += not same
        print(f"{'same' if same else 'DIFFERENT'}: {key}")
        if not same:
            print(f"  buf:        {results['buf'][key]}")
            print(f"  protoforge: {results['protoforge'][key]}")
    print(f"{len(results['buf']) - differ} same, {differ} different")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
