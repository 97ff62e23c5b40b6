#!/usr/bin/env bash
# Side-by-side benchmark of protoforge and buf 1.75 on the googleapis corpus, in one run.
#
#   [GOOGLEAPIS=CLONE] [BUF=PATH] [PF=BINARY] [RUNS=3] [TRACE=1] bench/googleapis.sh [COMMAND...]
#   COMMAND: build build-o build-git lint breaking breaking-2025 format lint-one-file
#
# Needs ../shared/corpus/googleapis.bundle (cloned once into target/bench/gapis) and npm (buf is installed
# into target/bench/buf once). Runs each command RUNS times per tool, alternating buf and protoforge, and
# prints the medians of wall time, CPU time (user + system) and peak RSS, and the ratios protoforge/buf
# (lower is better). protoforge runs cold: PROTOFORGE_NO_CACHE=1 (no persistent cache). With TRACE=1 it
# then runs each command once more under PROTOFORGE_TRACE=1 and prints its phase breakdown (wall, CPU,
# resident set and its peak at the end of each phase; see src/trace.rs).
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
if [ -z "${PF:-}" ]; then
  cargo build --release -q
  PF="$root/target/release/protoforge"
fi
runs=${RUNS:-3}
export PROTOFORGE_NO_CACHE=1

measure() { # label dir cmd... -> "wall cpu rss_kb"
  local label=$1 dir=$2; shift 2
  local out="$bench/time.$label"
  (cd "$dir" && /usr/bin/time -o "$out" -f '%e %U %S %M' "$@" >/dev/null 2>&1) || true
  tail -n 1 "$out" | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }'
}

median() { # values... -> median
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

row() { # name, then args shared by both tools
  local name=$1; shift
  local bw=() bc=() br=() pw=() pc=() pr=() i
  for ((i = 0; i < runs; i++)); do
    read -r w c r < <(measure buf "$clone" "$buf" "$@"); bw+=("$w"); bc+=("$c"); br+=("$r")
    read -r w c r < <(measure protoforge "$clone" "$PF" "$@"); pw+=("$w"); pc+=("$c"); pr+=("$r")
  done
  awk -v n="$name" -v k="$runs" \
    -v bw="$(median "${bw[@]}")" -v bc="$(median "${bc[@]}")" -v br="$(median "${br[@]}")" \
    -v pw="$(median "${pw[@]}")" -v pc="$(median "${pc[@]}")" -v pr="$(median "${pr[@]}")" 'BEGIN {
    printf "%-14s (median of %d) buf %6.2fs wall %6.2fs cpu %6.0f MB | protoforge %5.2fs wall %5.2fs cpu %5.0f MB | ratio wall %.3f cpu %.3f rss %.3f\n",
      n, k, bw, bc, br / 1024, pw, pc, pr / 1024, pw / bw, pc / bc, pr / br }'
  if [ -n "${TRACE:-}" ]; then
    (cd "$clone" && PROTOFORGE_TRACE=1 "$PF" "$@" 2>&1 >/dev/null) |
      grep -E '^protoforge: ' | grep -Ev '^protoforge: [A-Z0-9_]+ ' | sed 's/^protoforge: /    /' || true
  fi
}

cmds=("$@")
[ ${#cmds[@]} -gt 0 ] || cmds=(build build-o build-git lint breaking lint-one-file format)
for c in "${cmds[@]}"; do
  case $c in
    build) row build build ;;
    build-o) row build-o build -o "$bench/image.binpb" ;;
    build-git) row build-git build '.git#tag=upstream-2025-02-11' ;;
    lint) row lint lint --error-format json ;;
    lint-one-file) row lint-one-file lint google/pubsub/v1/pubsub.proto --error-format json ;;
    breaking) row breaking breaking --against '.git#tag=upstream-2026-05-12' --error-format json ;;
    breaking-2025) row breaking-2025 breaking --against '.git#tag=upstream-2025-02-11' --error-format json ;;
    format) row format format -d --exit-code ;;
    *) echo "unknown benchmark $c" >&2; exit 1 ;;
  esac
done
