# Parity with protoc: remotegen's requests give byte-identical plugin output to
# what protoc itself produces from the same sources (with the go_package that
# managed mode assigns already written in them), on ~300 googleapis files from
# the npm package google-proto-files.

GAPI="$ROOT/node_modules/google-proto-files"
PARITY_DIRS="google/api google/type google/rpc google/rpc/context google/longrunning google/iam/v1
  google/iam/v1/logging google/pubsub/v1 google/monitoring/v3 google/logging/v2 google/logging/type
  google/spanner/v1 google/firestore/v1 google/datastore/v1 google/bigtable/v2 google/storage/v2
  google/cloud/tasks/v2 google/cloud/kms/v1 google/cloud/secretmanager/v1 google/cloud/scheduler/v1
  google/devtools/cloudbuild/v1 google/cloud/run/v2 google/cloud/functions/v2 google/cloud/workflows/v1
  google/cloud/redis/v1 google/cloud/location google/geo/type google/cloud/audit
  google/cloud/dialogflow/v2 google/cloud/securitycenter/v1 google/cloud/dataproc/v1 google/cloud/retail/v2
  google/cloud/speech/v1 google/cloud/language/v1 google/cloud/vision/v1"

# protoc-gen-c 1.4.1 does not support proto3 optional (protoc refuses to run it on such
# files too): its corpus leaves out the files that use it and the directories that need them.
PARITY_C_DIRS="google/api google/type google/rpc google/rpc/context google/longrunning google/iam/v1
  google/iam/v1/logging google/logging/v2 google/logging/type google/spanner/v1 google/firestore/v1
  google/datastore/v1 google/cloud/tasks/v2 google/cloud/scheduler/v1 google/cloud/location google/geo/type
  google/cloud/kms/v1 google/cloud/securitycenter/v1 google/cloud/retail/v2
  google/cloud/vision/v1 google/cloud/speech/v1"

# Copies the corpus directories $3 (default PARITY_DIRS) to $1 and writes managed-mode
# go_package options (for module $2) into them. With $4 = no-optional, drops files that
# use proto3 optional.
managed_corpus() {
  local dst=$1 modpath=$2 dirs=${3:-$PARITY_DIRS} d f opt
  [ -d "$GAPI/google" ] || fail "google-proto-files is not installed (npm ci)"
  mkdir -p "$dst"
  for d in $dirs; do
    (cd "$GAPI" && cp --parents $d/*.proto "$dst/")
  done
  if [ "${4:-}" = no-optional ]; then
    grep -lE '^\s+optional ' $(find "$dst" -name '*.proto') | xargs -r rm
    # Then drop, until the rest compiles, the files that import a dropped file.
    for _ in $(seq 1 20); do
      (cd "$dst" && protoc -o /dev/null $(find . -name '*.proto' | sed 's|^\./||' | sort) 2>"$TMP/drop.err") && break
      sed -n 's/^\([^:]*\.proto\):[0-9]*:[0-9]*: Import ".*" was not found or had errors\.$/\1/p' "$TMP/drop.err" |
        sort -u | (cd "$dst" && xargs -r rm -f)
    done
  fi
  (cd "$dst" && protoc --include_imports -o "$TMP/pre.bin" $(find . -name '*.proto' | sed 's|^\./||' | sort) 2>"$TMP/pre.err") ||
    fail "the corpus does not compile: $(grep -v warning "$TMP/pre.err" | head -n 5)"
  "$TOOLS/gopkgtool" "$modpath" "$TMP/pre.bin" >"$TMP/gopkg.tsv"
  while IFS=$'\t' read -r f opt; do
    sed -i '/^option go_package = /d' "$dst/$f"
    sed -i "0,/^package [^;]*;/s||&\noption go_package = \"$opt\";|" "$dst/$f"
  done <"$TMP/gopkg.tsv"
}

unzip_module() {
  local zip=$1 dst=$2 prefix=$3
  mkdir -p "$dst"
  (cd "$dst" && unzip -q "$zip")
  mv "$dst/$prefix"/* "$dst/"
  rm -rf "$dst/${prefix%%/*}" "$dst/go.mod"
}

test_parity_protoc_gen_go_and_grpc_on_googleapis() {
  local mod=gen.example.com/go/parity/go/googleapis/googleapis n
  rg migrate
  managed_corpus "$TMP/src" "$mod"
  n=$(find "$TMP/src" -name '*.proto' | wc -l)
  [ "$n" -ge 250 ] || fail "corpus has only $n files"
  echo "note: corpus: $n files"
  rg plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go --go-dep google.golang.org/protobuf@v1.28.1
  rg plugin add grpc/go v1.2.0 --exec /usr/bin/protoc-gen-go-grpc --go-dep google.golang.org/grpc@v1.33.3
  rg template create parity/go --plugin protocolbuffers/go --plugin grpc/go
  rg template version parity/go --plugin protocolbuffers/go:v1.28.1 --plugin grpc/go:v1.2.0
  rg module push googleapis/googleapis "$TMP/src"
  assert_rc 0
  rg run --once
  assert_rc 0
  unzip_module "$STORE_DIR/$mod/@v/v1.1.1.zip" "$TMP/ours" "$mod@v1.1.1"
  mkdir -p "$TMP/theirs"
  (cd "$TMP/src" && protoc --go_out="$TMP/theirs" --go_opt=paths=source_relative \
     --go-grpc_out="$TMP/theirs" --go-grpc_opt=paths=source_relative $(find . -name '*.proto' | sed 's|^\./||' | sort) 2>"$TMP/protoc.err")
  diff -r "$TMP/theirs" "$TMP/ours" >"$TMP/diff" || fail "output differs from protoc: $(head -c 3000 "$TMP/diff")"
  go_files=$(find "$TMP/ours" -name '*.pb.go' ! -name '*_grpc.pb.go' | wc -l)
  grpc_files=$(find "$TMP/ours" -name '*_grpc.pb.go' | wc -l)
  [ "$go_files" = "$n" ] || fail "expected $n .pb.go files, got $go_files"
  [ "$grpc_files" -ge 30 ] || fail "only $grpc_files _grpc.pb.go files"
  echo "note: parity: $n .proto files -> $go_files .pb.go + $grpc_files _grpc.pb.go files, byte-identical to protoc"
}

test_parity_protoc_gen_c() {
  local mod=gen.example.com/go/parity/c/googleapis/googleapis n
  rg migrate
  managed_corpus "$TMP/src" "$mod" "$PARITY_C_DIRS" no-optional
  n=$(find "$TMP/src" -name '*.proto' | wc -l)
  rg plugin add protobuf-c/c v1.4.1 --exec /usr/bin/protoc-gen-c
  rg template create parity/c --plugin protobuf-c/c
  rg template version parity/c --plugin protobuf-c/c:v1.4.1
  rg module push googleapis/googleapis "$TMP/src"
  rg run --once
  assert_rc 0
  unzip_module "$STORE_DIR/$mod/@v/v1.1.1.zip" "$TMP/ours" "$mod@v1.1.1"
  mkdir -p "$TMP/theirs"
  (cd "$TMP/src" && protoc --c_out="$TMP/theirs" $(find . -name '*.proto' | sed 's|^\./||' | sort) 2>"$TMP/protoc.err")
  diff -r "$TMP/theirs" "$TMP/ours" >"$TMP/diff" || fail "output differs from protoc: $(head -c 3000 "$TMP/diff")"
  c_files=$(find "$TMP/ours" -name '*.pb-c.c' | wc -l)
  h_files=$(find "$TMP/ours" -name '*.pb-c.h' | wc -l)
  [ "$c_files" = "$n" ] && [ "$h_files" = "$n" ] || fail "expected $n .c and .h files, got $c_files and $h_files"
  [ "$n" -ge 150 ] || fail "C corpus has only $n files"
  echo "note: parity: $n .proto files -> $c_files .pb-c.c + $h_files .pb-c.h files, byte-identical to protoc"
}

test_plugin_without_proto3_optional_support_is_refused() {
  # Real protoc-gen-c 1.4.1 does not declare FEATURE_PROTO3_OPTIONAL; protoc refuses it
  # on such input, and so does remotegen, naming the plugin and the feature.
  rg migrate
  mkdir -p "$TMP/src/acme/opt/v1"
  printf 'syntax = "proto3";\npackage acme.opt.v1;\nmessage M { optional string note = 1; }\n' >"$TMP/src/acme/opt/v1/m.proto"
  (cd "$TMP/src" && ! protoc --c_out="$TMP" acme/opt/v1/m.proto 2>"$TMP/protoc.err") || fail "protoc accepted it"
  grep -q "optional" "$TMP/protoc.err" || fail "protoc said: $(cat "$TMP/protoc.err")"
  rg plugin add protobuf-c/c v1.4.1 --exec /usr/bin/protoc-gen-c
  rg template create acme/c --plugin protobuf-c/c
  rg template version acme/c --plugin protobuf-c/c:v1.4.1
  rg module push acme/opt "$TMP/src"
  rg run --once
  assert_rc 1
  assert_err_has "plugin protobuf-c/c:v1.4.1: the input uses proto3 optional fields but the plugin does not declare FEATURE_PROTO3_OPTIONAL"
  assert_no_file "$STORE_DIR/gen.example.com/go/acme/c/acme/opt/@v/list"
}
