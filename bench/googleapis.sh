#!/usr/bin/env bash
# Side-by-side benchmark of protoforge and buf 1.75 on the googleapis corpus, in one run.
#
#   [GOOGLEAPIS=CLONE] [BUF=PATH] bench/googleapis.sh [COMMAND...]     COMMAND: build build-git lint breaking breaking-2025 format lint-one-file
#
# Needs ../shared/corpus/googleapis.bundle (cloned once into target/bench/gapis) and npm (buf is installed
# into target/bench/buf once). Prints wall time and peak RSS for each tool and the ratio buf/protoforge.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bench="$root/target/bench"
mkdir -p "$bench"
bundle="$root/../shared/corpus/googleapis.bundle"
clone="${GOOGLEAPIS:-$bench/gapis}"
[ -d "$clone" ] || git clone -q "$bundle" "$clone"
buf="${BUF:-$bench/buf/node_modules/.bin/buf}"
[ -x "$buf" ] || (mkdir -p "$bench/buf" && cd "$bench/buf" && npm install -s @bufbuild/buf@1.75.0 >/dev/null)
cargo build --release -q
pf="$root/target/release/protoforge"

measure() { # label dir cmd...
  local label=$1 dir=$2; shift 2
  local out="$bench/time.$label"
  (cd "$dir" && /usr/bin/time -o "$out" -f '%e %M' "$@" >/dev/null 2>&1) || true
  tail -n 1 "$out"
}

row() { # name, then args shared by both tools
  local name=$1; shift
  local b p
  b=$(measure buf "$clone" "$buf" "$@")
  p=$(measure protoforge "$clone" "$pf" "$@")
  awk -v n="$name" -v b="$b" -v p="$p" 'BEGIN {
    split(b, bb, " "); split(p, pp, " ");
    printf "%-16s buf %7.2fs %6.0f MB | protoforge %6.2fs %6.0f MB | wall x%.1f, rss x%.1f\n",
      n, bb[1], bb[2]/1024, pp[1], pp[2]/1024, (pp[1] > 0 ? bb[1]/pp[1] : 0), (pp[2] > 0 ? bb[2]/pp[2] : 0) }'
}

cmds=("$@")
[ ${#cmds[@]} -gt 0 ] || cmds=(build build-git lint breaking lint-one-file format)
for c in "${cmds[@]}"; do
  case $c in
    build) row build build ;;
    build-git) row build-git build '.git#tag=upstream-2025-02-11' ;;
    lint) row lint lint --error-format json ;;
    lint-one-file) row lint-one-file lint google/pubsub/v1/pubsub.proto --error-format json ;;
    breaking) row breaking breaking --against '.git#tag=upstream-2026-05-12' --error-format json ;;
    breaking-2025) row breaking-2025 breaking --against '.git#tag=upstream-2025-02-11' --error-format json ;;
    format) row format format -d --exit-code ;;
    *) echo "unknown benchmark $c" >&2; exit 1 ;;
  esac
done
