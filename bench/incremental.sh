#!/usr/bin/env bash
# The incremental engine and the persistent cache, side by side with buf 1.75 in one run:
# medians of N runs (default 5) of wall time, and the largest peak RSS, on a googleapis clone.
#
#   [GOOGLEAPIS=CLONE] [BUF=PATH] [N=5] bench/incremental.sh [SCENARIO...]
#   SCENARIO: lint-path breaking-path build-path lint-edit lint-edit-imported breaking-warm orders
#
# "cold" = an empty cache directory (files in the OS page cache), "warm" = the cache filled by an
# earlier run of the same question, "after edit" = the target file changed since the cache was filled
# (one field renamed to a new name before each run, so no stored answer fits). CPU = user + system
# time (steadier than wall time on a loaded machine). The clone is restored with `git checkout`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bench="$root/target/bench"
mkdir -p "$bench"
clone="${GOOGLEAPIS:-$bench/gapis}"
[ -d "$clone" ] || git clone -q "$root/../shared/corpus/googleapis.bundle" "$clone"
buf="${BUF:-$bench/buf/node_modules/.bin/buf}"
[ -x "$buf" ] || (mkdir -p "$bench/buf" && cd "$bench/buf" && npm install -s @bufbuild/buf@1.75.0 >/dev/null)
cargo build --release -q
pf="$root/target/release/protoforge"
n=${N:-5}
cache="$bench/cache"
export PROTOFORGE_CACHE_DIR="$cache"
edited=google/pubsub/v1/pubsub.proto

# One timed run: prints "wall_seconds cpu_seconds peak_kb" (wall to the microsecond, around the
# run; /usr/bin/time's own wall time has a resolution of 10 ms).
once() { # dir cmd...
  local dir=$1 t0 t1; shift
  t0=$(date +%s%N)
  (cd "$dir" && /usr/bin/time -o "$bench/time.one" -f '%e %U %S %M' "$@" >/dev/null 2>&1) || true
  t1=$(date +%s%N)
  tail -n 1 "$bench/time.one" |
    awk -v us="$(( (t1 - t0) / 1000 ))" '{ printf "%.6f %.2f %s\n", us / 1e6, $2 + $3, $4 }'
}

# The median of column `k` of runs ("wall cpu rss" lines).
median_of() { # k run...
  local k=$1; shift
  printf '%s\n' "$@" | awk -v k="$k" '{ print $k }' | sort -n |
    awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# Prints a label's line from its runs: median wall, median CPU (user + system) and max RSS.
report() { # label run...
  local label=$1; shift
  local peak
  peak=$(printf '%s\n' "$@" | awk '$3 > m { m = $3 } END { print m }')
  printf "  %-48s %7.3f s wall %6.2f s cpu %6.0f MB\n" "$label" "$(median_of 1 "$@")" \
    "$(median_of 2 "$@")" "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')"
}

# Median wall, median CPU (user + system) and the largest peak RSS of N runs; `before` (a shell
# snippet) runs before each.
stat_of() { # label before dir cmd...
  local label=$1 before=$2 dir=$3; shift 3
  local runs=()
  for _ in $(seq "$n"); do
    eval "$before"
    runs+=("$(once "$dir" "$@")")
  done
  report "$label" "${runs[@]}"
}

# buf, protoforge with an empty cache and protoforge --no-cache, one run of each per round (a
# slow spell of the machine then weighs on all three alike), and the ratios of the medians.
cold_side_by_side() { # cmd...
  local b=() e=() c=()
  for _ in $(seq "$n"); do
    b+=("$(once "$clone" "$buf" "$@")")
    rm -rf "$cache"
    e+=("$(once "$clone" "$pf" "$@")")
    c+=("$(once "$clone" "$pf" --no-cache "$@")")
  done
  report "buf" "${b[@]}"
  report "protoforge cold (empty cache)" "${e[@]}"
  report "protoforge --no-cache" "${c[@]}"
  awk -v b="$(median_of 1 "${b[@]}")" -v e="$(median_of 1 "${e[@]}")" \
    -v c="$(median_of 1 "${c[@]}")" \
    'BEGIN { printf "  ratio of wall medians to buf: empty cache %.2f, --no-cache %.2f\n", e / b, c / b }'
}

cold='rm -rf "$cache"'
# Fills the cache with one untimed run in the clone.
warm() { (cd "$clone" && "$pf" "$@" >/dev/null 2>&1) || true; }
touch_edit() { # renames a field to a name never used before: content no cache has seen
  sed -i "0,/string topic\(_e[0-9]*\)\? = 1 \[/s//string topic_e$(date +%s%N) = 1 [/" "$clone/$edited"
}
# google/type/date.proto is imported by 202 files (76 directly): a comment edit keeps its
# descriptor (only the file is linted again), a field rename does not (its importers are too).
imported=google/type/date.proto
comment_edit() {
  sed -i "s|^// Represents a whole or partial calendar date.*|// Represents a whole or partial calendar date, edit $(date +%s%N).|" "$clone/$imported"
}
field_edit() {
  sed -i "s/int32 year\(_e[0-9]*\)\? = 1;/int32 year_e$(date +%s%N) = 1;/" "$clone/$imported"
}
restore() { (cd "$clone" && git checkout -q -- .); }
trap restore EXIT

echo "# $(date -u +%FT%TZ), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg), N=$n"
cmds=("$@")
[ ${#cmds[@]} -gt 0 ] || cmds=(lint-path breaking-path build-path lint-edit breaking-warm orders)
for c in "${cmds[@]}"; do
  case $c in
    lint-path)
      q=(lint --path "$edited")
      echo "lint --path $edited"
      cold_side_by_side "${q[@]}"
      warm "${q[@]}"
      stat_of "protoforge warm" : "$clone" "$pf" "${q[@]}"
      stat_of "protoforge warm, target edited before each run" touch_edit "$clone" "$pf" "${q[@]}"
      restore ;;
    breaking-path)
      q=(breaking --against '.git#tag=upstream-2026-05-12' --path google/api)
      echo "breaking --against '.git#tag=upstream-2026-05-12' --path google/api"
      stat_of "buf" : "$clone" "$buf" "${q[@]}"
      stat_of "protoforge cold (empty cache)" "$cold" "$clone" "$pf" "${q[@]}"
      warm "${q[@]}"
      stat_of "protoforge warm" : "$clone" "$pf" "${q[@]}" ;;
    build-path)
      q=(build --path google/cloud/aiplatform)
      echo "build --path google/cloud/aiplatform"
      stat_of "buf" : "$clone" "$buf" "${q[@]}"
      stat_of "protoforge cold (empty cache)" "$cold" "$clone" "$pf" "${q[@]}" ;;
    lint-edit)
      echo "lint (whole tree), one file edited since the last run"
      stat_of "buf (whole tree lint)" : "$clone" "$buf" lint
      stat_of "protoforge --no-cache" : "$clone" "$pf" --no-cache lint
      touch_edit # as in lint-edit-imported: the warm-up must store the lint state
      warm lint
      stat_of "protoforge warm, $edited edited before each run" touch_edit "$clone" "$pf" lint
      restore ;;
    lint-edit-imported)
      echo "lint (whole tree), $imported (imported by 202 files) edited since the last run"
      # Warm with an edit no stored answer fits: a plain `lint` of the restored tree may be
      # answered from the answer cache, leaving the lint state of an earlier scenario's edits.
      comment_edit
      warm lint
      stat_of "protoforge warm, a comment edited before each run" comment_edit "$clone" "$pf" lint
      stat_of "protoforge warm, a field renamed before each run" field_edit "$clone" "$pf" lint
      restore ;;
    breaking-warm)
      q=(breaking --against '.git#tag=upstream-2026-05-12')
      echo "breaking --against '.git#tag=upstream-2026-05-12' (whole tree)"
      stat_of "buf" : "$clone" "$buf" "${q[@]}"
      stat_of "protoforge --no-cache" : "$clone" "$pf" --no-cache "${q[@]}"
      warm "${q[@]}"
      stat_of "protoforge warm" : "$clone" "$pf" "${q[@]}" ;;
    orders)
      echo "examples/orders, every command cold (empty cache)"
      o="$root/examples/orders"
      # What the measuring itself costs (a subshell, cd, /usr/bin/time): at ~10 ms per command it
      # is half of what is measured; subtract it to compare with the 15 ms line.
      stat_of "harness alone (/bin/true)" : "$o" /bin/true
      stat_of "protoforge build" "$cold" "$o" "$pf" build
      stat_of "protoforge lint" "$cold" "$o" "$pf" lint
      stat_of "protoforge breaking --against ." "$cold" "$o" "$pf" breaking --against .
      stat_of "protoforge breaking --against git HEAD" "$cold" "$o" "$pf" breaking \
        --against "$root/.git#ref=HEAD,subdir=examples/orders" 
      stat_of "protoforge format -d" "$cold" "$o" "$pf" format -d
      stat_of "protoforge ls-files" "$cold" "$o" "$pf" ls-files
      stat_of "protoforge generate --check -o gen" "$cold" "$o" "$pf" generate --check -o "$bench/orders-gen"
      stat_of "buf lint" : "$o" "$buf" lint ;;
    *) echo "unknown scenario $c" >&2; exit 1 ;;
  esac
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
