#!/usr/bin/env bash
# Start-up of the protoc plugins on a one-file request (what Bazel runs once per target), beside buf's.
#
#   [BUF_BIN_DIR=DIR] bench/plugin.sh
#
# Needs protoc and hyperfine (apt-get install -y protobuf-compiler hyperfine); buf's plugins come from
# BUF_BIN_DIR, else npm installs @bufbuild/buf@1.75.0 into target/bench/buf once. The requests are
# captured from protoc once (a plugin that saves its stdin), then each plugin answers them alone
# (`plugin < request`), and once more under protoc, as Bazel runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bench="$root/target/bench/plugin"
mkdir -p "$bench"
if [ -z "${BUF_BIN_DIR:-}" ]; then
  [ -x "$root/target/bench/buf/node_modules/.bin/buf" ] ||
    (mkdir -p "$root/target/bench/buf" && cd "$root/target/bench/buf" && npm install -s @bufbuild/buf@1.75.0 >/dev/null)
  BUF_BIN_DIR="$root/target/bench/buf/node_modules/@bufbuild/buf-linux-x64/bin"
fi
cargo build --release -q --bin protoc-gen-protoforge-lint --bin protoc-gen-protoforge-breaking --bin protoforge
rel="$root/target/release"

# A one-file module importing a well-known type, its previous version as an image.
ws="$bench/ws"
rm -rf "$ws" "$bench/previous" && mkdir -p "$ws/acme/v1" "$bench/previous/acme/v1"
cat > "$ws/buf.yaml" <<'EOF'
version: v2
lint:
  use: [STANDARD]
EOF
cat > "$ws/acme/v1/user.proto" <<'EOF'
syntax = "proto3";

package acme.v1;

import "google/protobuf/timestamp.proto";

// A user.
message User {
  string id = 1;
  string email = 2;
  google.protobuf.Timestamp created_at = 3;
}

// Reads users.
service UserService {
  // Gets one user.
  rpc GetUser(GetUserRequest) returns (GetUserResponse);
}

// The request.
message GetUserRequest {
  string id = 1;
}

// The response.
message GetUserResponse {
  User user = 1;
}
EOF
sed 's/string email = 2;/string email = 2;\n  int32 age = 4;/' "$ws/acme/v1/user.proto" > "$bench/previous/acme/v1/user.proto"
"$rel/protoforge" build "$bench/previous" -o "$bench/previous.binpb"

# Capture the requests protoc sends.
cat > "$bench/save-request" <<EOF
#!/bin/sh
cat > "$bench/request.\$(basename "\$0")"
EOF
chmod +x "$bench/save-request"
ln -sf "$bench/save-request" "$bench/lint"
ln -sf "$bench/save-request" "$bench/breaking"
mkdir -p "$bench/argv0" && ln -sf "$rel/protoforge" "$bench/argv0/protoc-gen-protoforge-lint"
(cd "$ws" && protoc -I . --plugin=protoc-gen-x="$bench/lint" --x_out=. acme/v1/user.proto)
breaking_opt="{\"against_input\":\"$bench/previous.binpb\",\"limit_to_input_files\":true}"
(cd "$ws" && protoc -I . --plugin=protoc-gen-x="$bench/breaking" "--x_opt=$breaking_opt" --x_out=. acme/v1/user.proto)

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$ws"
# `sh -c 'exec PLUGIN < REQUEST'`: the shell only sets up stdin; the baseline is the same with /bin/true.
run() { echo "sh -c 'exec $1 < $bench/request.$2 > /dev/null'"; }
hyperfine -N --warmup 10 --runs 300 --export-markdown "$bench/lint.md" \
  -n protoforge "$(run "$rel/protoc-gen-protoforge-lint" lint)" \
  -n 'protoforge (argv[0] of the main binary)' "$(run "$bench/argv0/protoc-gen-protoforge-lint" lint)" \
  -n buf "$(run "$BUF_BIN_DIR/protoc-gen-buf-lint" lint)" \
  -n 'baseline (/bin/true)' "$(run /bin/true lint)"
hyperfine -N --warmup 10 --runs 300 --export-markdown "$bench/breaking.md" \
  -n protoforge "$(run "$rel/protoc-gen-protoforge-breaking" breaking)" \
  -n buf "$(run "$BUF_BIN_DIR/protoc-gen-buf-breaking" breaking)" \
  -n 'baseline (/bin/true)' "$(run /bin/true breaking)"
hyperfine -N --warmup 5 --runs 100 --export-markdown "$bench/protoc.md" \
  -n 'protoc + protoforge lint' "protoc -I . --plugin=protoc-gen-x=$rel/protoc-gen-protoforge-lint --x_out=. acme/v1/user.proto" \
  -n 'protoc + buf lint' "protoc -I . --plugin=protoc-gen-x=$BUF_BIN_DIR/protoc-gen-buf-lint --x_out=. acme/v1/user.proto" \
  -n 'protoc alone' "protoc -I . --descriptor_set_out=/dev/null acme/v1/user.proto"
if command -v perf >/dev/null; then
  echo "CPU time (perf stat task-clock of sh -c 'exec PLUGIN < REQUEST', 100 runs each; subtract /bin/true):"
  for p in "/bin/true lint" "$rel/protoc-gen-protoforge-lint lint" "$rel/protoc-gen-protoforge-breaking breaking" \
           "$BUF_BIN_DIR/protoc-gen-buf-lint lint" "$BUF_BIN_DIR/protoc-gen-buf-breaking breaking"; do
    set -- $p
    printf '%-32s ' "$(basename "$1")"
    perf stat -r 100 -e task-clock sh -c "exec $1 < $bench/request.$2 > /dev/null" 2>&1 |
      awk '/task-clock/ {print $1, $2}'
  done
fi
