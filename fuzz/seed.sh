#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from the repository's fixtures (run from fuzz/).
# The corpus is not committed: `./seed.sh && cargo +nightly fuzz run format -- -jobs=1 -max_total_time=300`.
set -e
cd "$(dirname "$0")"
root=..
mkdir -p corpus/format corpus/compile corpus/config corpus/image corpus/input_spec
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  cp "$f" "corpus/format/$n.proto"
  cp "$f" "corpus/compile/$n.proto"
done < <(find "$root/testdata" "$root/examples" -name '*.proto' -size -64k -print0)
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  cp "$f" "corpus/config/$n.yaml"
done < <(find "$root/testdata" "$root/examples" \( -name 'buf*.yaml' -o -name 'buf.gen.yaml' \) -print0)
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  cp "$f" "corpus/image/$n.binpb"
done < <(find "$root/testdata" -name '*.binpb' -size -1M -print0)
# Images: built from a few fixtures by a protoforge binary, when one is built.
bin=$root/target/release/protoforge
if [ -x "$bin" ]; then
  k=0
  for d in "$root/examples/orders" "$root"/testdata/generate/*/; do
    k=$((k + 1))
    "$bin" build "$d" -o "corpus/image/$k.binpb" 2>/dev/null || true
  done
fi
i=0
for spec in . proto x.proto a.tar.gz '#format=dir' 'x.git#branch=main,subdir=proto' \
  'x.tar.gz#strip_components=1,subdir=a' 'img.binpb#format=binpb' 'img.json' '-#format=binpb' \
  'https://github.com/a/b.git#tag=v1,depth=1' 'x.zip#strip_components=2' 'a#format=tar,compression=gzip'; do
  i=$((i + 1))
  printf '%s' "$spec" > "corpus/input_spec/$i"
done
echo "seeds: $(ls corpus/format | wc -l) protos, $(ls corpus/config | wc -l) configs, $(ls corpus/image | wc -l) images, $i specs"
