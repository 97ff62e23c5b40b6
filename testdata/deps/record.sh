#!/usr/bin/env bash
# Records what buf 1.75 does, offline, on the dependency fixtures: testdata/deps/golden/<case>/<command>.{out,exit}.
#
#   testdata/deps/record.sh [BUF] [SHARED_DEPS]
#
# BUF defaults to /work/buf/node_modules/.bin/buf; SHARED_DEPS to ../shared/conformance/deps beside the
# checkout (buf's own cache test data; its cases are skipped when it is absent). buf needs a writable cache,
# so everything is copied to a temporary directory first; BUF_CACHE_DIR is given relative to the module
# directory (../cache), so the paths buf prints are stable. tests/suite/deps.rs runs protoforge the same way and
# compares. No network is used: the registries of these modules do not answer here, so buf only succeeds
# if the cache is enough (a fixture buf accepts this way is valid).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
BUF="${1:-/work/buf/node_modules/.bin/buf}"
SHARED="${2:-$here/../../../shared/conformance/deps}"
"$BUF" --version | grep -qx '1.75.0' || { echo "need buf 1.75.0 at $BUF" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$here/golden"
rm -rf "$out"

# run CASE NAME DIR CACHE_REL ARGS...: buf ARGS in DIR with BUF_CACHE_DIR=CACHE_REL; stdout and exit code kept.
run() {
  local case="$1" name="$2" dir="$3" cache="$4"
  shift 4
  mkdir -p "$out/$case"
  local code=0
  (cd "$dir" && BUF_CACHE_DIR="$cache" "$BUF" "$@" >"$out/$case/$name.out" 2>"$tmp/stderr") || code=$?
  echo "$code" >"$out/$case/$name.exit"
  # For failures, keep the digests buf names (the messages themselves differ).
  if [ "$code" != 0 ] && [ "$code" != 100 ]; then
    grep -oE '(b5|shake256):[0-9a-f]{128}' "$tmp/stderr" >"$out/$case/$name.digests" || true
    [ -s "$out/$case/$name.digests" ] || rm "$out/$case/$name.digests"
  fi
}

# image CASE DIR CACHE_REL: the files of `buf build` in image order, "name<TAB>is_import".
image() {
  local case="$1" dir="$2" cache="$3"
  (cd "$dir" && BUF_CACHE_DIR="$cache" "$BUF" build -o "$tmp/image.json")
  python3 - "$tmp/image.json" >"$out/$case/build.files" <<'EOF'
import json, sys
for f in json.load(open(sys.argv[1]))["file"]:
    print(f"{f['name']}\t{str(f.get('bufExtension', {}).get('isImport', False)).lower()}")
EOF
}

# --- our fixture: part of googleapis (two commits), acme/geo, a v1 entry ---
fx="$tmp/fx"
mkdir -p "$fx"
cp -r "$here/cache" "$here/previous" "$here/current" "$here/v1" "$here/workspace" "$fx/"
chmod -R u+w "$fx"
for side in previous current; do
  run "$side" ls-files "$fx/$side" ../cache ls-files --include-imports
  run "$side" ls-files-json "$fx/$side" ../cache ls-files --include-imports --format json
  run "$side" lint "$fx/$side" ../cache lint --error-format json
  image "$side" "$fx/$side" ../cache
done
run current breaking "$fx/current" ../cache breaking --against ../previous --error-format json
run current breaking-exclude-imports "$fx/current" ../cache breaking --against ../previous --exclude-imports --error-format json
run v1 ls-files-json "$fx/v1" ../cache ls-files --include-imports --format json
image v1 "$fx/v1" ../cache
run workspace ls-files-json "$fx/workspace" ../cache ls-files --include-imports --format json

# breaking against a git ref whose buf.lock pins the older googleapis: previous committed, current in the tree.
repo="$tmp/repo"
mkdir -p "$repo"
cp -r "$fx/previous/." "$repo/"
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=t -c user.email=t@t add -A
git -C "$repo" -c user.name=t -c user.email=t@t commit -qm previous
rm -rf "$repo/proto" "$repo/buf.lock"
cp -r "$fx/current/proto" "$fx/current/buf.lock" "$repo/"
run git breaking "$repo" "$fx/cache" breaking --against '.git#branch=main' --error-format json

# A tampered buf.lock digest, a corrupted cache file, an entry without module.yaml.
cp -r "$fx/previous" "$fx/tampered"
python3 - "$fx/tampered/buf.lock" <<'EOF'
import sys
p = sys.argv[1]; s = open(p).read()
i = s.index("digest: b5:") + len("digest: b5:") + 127
open(p, "w").write(s[:i] + ("0" if s[i] != "0" else "1") + s[i + 1:])
EOF
run tampered build "$fx/tampered" ../cache build
cp -r "$fx/cache" "$fx/corrupt_cache"
echo "// changed" >>"$fx/corrupt_cache/v3/modules/b5/buf.build/googleapis/googleapis/bf0d1650571f4d1a94abf9c1f1503d7e/files/google/type/date.proto"
run corrupt_file build "$fx/previous" ../corrupt_cache build
cp -r "$fx/cache" "$fx/incomplete_cache"
rm "$fx/incomplete_cache/v3/modules/b5/buf.build/acme/geo/9925402717db42adad81607c9a1406ed/module.yaml"
run incomplete build "$fx/previous" ../incomplete_cache build

# --- buf's own test data (../shared/conformance/deps) ---
if [ -d "$SHARED/cache" ]; then
  sh="$tmp/shared"
  mkdir -p "$sh"
  cp -r "$SHARED/." "$sh/"
  chmod -R u+w "$sh"
  for module in students school; do
    run "shared_$module" ls-files "$sh/success/$module" ../../cache ls-files --include-imports
    run "shared_$module" ls-files-json "$sh/success/$module" ../../cache ls-files --include-imports --format json
    run "shared_$module" lint "$sh/success/$module" ../../cache lint --error-format json
    image "shared_$module" "$sh/success/$module" ../../cache
  done
  run shared_corrupted_file build "$sh/success/students" ../../corrupted_cache_file build
  run shared_corrupted_dep build "$sh/success/students" ../../corrupted_cache_dep build
  run shared_corrupted_dep ls-files "$sh/success/students" ../../corrupted_cache_dep ls-files --include-imports
else
  echo "note: $SHARED not found: buf's own test data not recorded" >&2
fi
echo "recorded $(find "$out" -type f | wc -l) files under $out"
