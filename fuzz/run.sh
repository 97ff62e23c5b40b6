#!/usr/bin/env bash
# Fuzzes each target for SECONDS (default 180), one process each (stops at its first crash), at
# low priority, and prints the executions and findings per target (the numbers in README.md come
# from this when run). Run after ./seed.sh and `cargo +nightly fuzz build -O`; crashes land in
# artifacts/<target>/, logs in logs/<target>.log.
set -u
cd "$(dirname "$0")"
secs=${1:-180}
shift || true
targets=${*:-format compile config image input_spec}
mkdir -p logs
bin=target/x86_64-unknown-linux-gnu/release
for t in $targets; do
  mkdir -p "artifacts/$t"
  nice -n 10 "$bin/$t" "corpus/$t" \
    -max_total_time="$secs" -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" >"logs/$t.log" 2>&1 &
done
wait
for t in $targets; do
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(ls "artifacts/$t" 2>/dev/null | wc -l)
  echo "$t: ${runs:-?} executions, $crashes artifacts"
done
