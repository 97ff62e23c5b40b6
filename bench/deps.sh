#!/usr/bin/env bash
# Cost of registry dependencies, protoforge vs buf 1.75, worst case: the whole googleapis tree (7,235 files,
# 63 MB) as one module `buf.build/googleapis/googleapis` in a buf module cache, and a one-file consumer
# that imports two of its files. Both tools read the module from the cache and verify its b5 digest
# (hash every file) on every run; `ls-files --include-imports` then compiles the consumer.
#
#   [GOOGLEAPIS=CLONE] [BUF=PATH] bench/deps.sh
#
# The cache is written under target/bench/deps (buf gets its own copy: it wants a writable cache).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bench="$root/target/bench/deps"
clone="${GOOGLEAPIS:-$root/target/bench/gapis}"
[ -d "$clone" ] || git clone -q "$root/../shared/corpus/googleapis.bundle" "$clone"
buf="${BUF:-$root/target/bench/buf/node_modules/.bin/buf}"
[ -x "$buf" ] || (mkdir -p "$root/target/bench/buf" && cd "$root/target/bench/buf" && npm install -s @bufbuild/buf@1.75.0 >/dev/null)
cargo build --release -q
pf="$root/target/release/protoforge"
if [ ! -d "$bench/consumer" ]; then
  mkdir -p "$bench"
  python3 - "$clone" "$bench" <<'PY'
import hashlib, os, sys
src, out = sys.argv[1], sys.argv[2]
commit = "5a0e5f0e8f9d4c1b9d7a3c2b1a0f9e8d"
entry = f"{out}/cache/v3/modules/b5/buf.build/googleapis/googleapis/{commit}"
files = {}
for d, dirs, names in os.walk(src):
    dirs[:] = [x for x in dirs if x != ".git" and not (d == src and x == "preview")]
    for n in names:
        p = os.path.relpath(os.path.join(d, n), src)
        if p.endswith(".proto") or p == "LICENSE":
            files[p] = open(os.path.join(src, p), "rb").read()
for p, b in files.items():
    os.makedirs(os.path.dirname(f"{entry}/files/{p}"), exist_ok=True)
    open(f"{entry}/files/{p}", "wb").write(b)
sh = lambda b: hashlib.shake_256(b).hexdigest(64)
manifest = "".join(f"shake256:{sh(files[p])}  {p}\n" for p in sorted(files)).encode()
digest = "b5:" + sh(("shake256:" + sh(manifest)).encode())
open(f"{entry}/module.yaml", "w").write("version: v1\nfiles_dir: files\n")
os.makedirs(f"{out}/consumer/proto/acme/v1", exist_ok=True)
open(f"{out}/consumer/buf.yaml", "w").write("version: v2\nmodules:\n  - path: proto\ndeps:\n  - buf.build/googleapis/googleapis\n")
open(f"{out}/consumer/buf.lock", "w").write(f"version: v2\ndeps:\n  - name: buf.build/googleapis/googleapis\n    commit: {commit}\n    digest: {digest}\n")
open(f"{out}/consumer/proto/acme/v1/a.proto", "w").write('syntax = "proto3";\npackage acme.v1;\nimport "google/api/annotations.proto";\nimport "google/pubsub/v1/pubsub.proto";\nmessage A { google.pubsub.v1.Topic t = 1; }\n')
print(f"{len(files)} files, {sum(map(len, files.values()))} bytes")
PY
  cp -r "$bench/cache" "$bench/cache-buf"
fi
for tool in buf protoforge; do
  for i in 1 2 3; do
    if [ $tool = buf ]; then exe=$buf; cache=$bench/cache-buf; else exe=$pf; cache=$bench/cache; fi
    (cd "$bench/consumer" && BUF_CACHE_DIR="$cache" /usr/bin/time -f "$tool ls-files --include-imports: %e s, %M KB" "$exe" ls-files --include-imports >/dev/null)
  done
done
