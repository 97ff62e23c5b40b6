#!/usr/bin/env bash
# Records buf's output for every case folder here into CASE/buf-1.75.txt (tests/suite/compile_errors.rs
# compares protoforge with it; the tests never run buf). Run from this folder:
#   BUF=/path/to/buf ./record.sh            (recorded with buf 1.75.0)
# Each section is one command (run in this folder, so paths start with CASE/), then its exit code,
# stdout and stderr. `_clean` is a module without errors, the other side of `breaking`.
set -u
BUF=${BUF:-buf}
for dir in */; do
  case=${dir%/}
  [ "$case" = _clean ] && continue
  out="$case/buf-1.75.txt"
  : > "$out"
  for cmd in "build $case" "lint $case" "breaking $case --against _clean" "breaking _clean --against $case"; do
    for format in text json; do
      # shellcheck disable=SC2086
      "$BUF" $cmd --error-format "$format" > /tmp/record.stdout 2> /tmp/record.stderr
      code=$?
      {
        echo "### $cmd --error-format $format"
        echo "exit $code"
        echo "--- stdout"
        cat /tmp/record.stdout
        echo "--- stderr"
        cat /tmp/record.stderr
      } >> "$out"
    done
  done
done
