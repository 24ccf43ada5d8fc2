# The oci runtime: plugins packaged as container images, run with podman
# (runc, cgroupfs) with no network and a read-only root. The images are made
# offline with `podman import` of a tarball holding a static plugin binary.

oci_setup() {
  command -v podman >/dev/null || skip "podman is not installed"
  export REMOTEGEN_OCI_ARGS="--runtime runc --cgroup-manager=cgroupfs"
  OCI_TAG="t$$-$(date +%s)"
  mkdir -p "$TMP/img-go" "$TMP/img-test"
  cp /usr/bin/protoc-gen-go "$TMP/img-go/plugin"
  cp "$TOOLS/testplugin-static" "$TMP/img-test/plugin"
  tar -C "$TMP/img-go" -cf "$TMP/img-go.tar" plugin
  tar -C "$TMP/img-test" -cf "$TMP/img-test.tar" plugin
  podman $REMOTEGEN_OCI_ARGS import --change 'ENTRYPOINT ["/plugin"]' "$TMP/img-go.tar" \
    "localhost/remotegen-test/protoc-gen-go:$OCI_TAG" >/dev/null 2>"$TMP/import.err" ||
    skip "podman cannot import images here: $(tail -n 1 "$TMP/import.err")"
  trap 'podman $REMOTEGEN_OCI_ARGS rmi -f "localhost/remotegen-test/protoc-gen-go:$OCI_TAG" "localhost/remotegen-test/testplugin:$OCI_TAG" >/dev/null 2>&1 || true' EXIT
  podman $REMOTEGEN_OCI_ARGS import --change 'ENTRYPOINT ["/plugin"]' "$TMP/img-test.tar" \
    "localhost/remotegen-test/testplugin:$OCI_TAG" >/dev/null
  if ! podman $REMOTEGEN_OCI_ARGS run --rm -i --network=none --read-only --ulimit nofile=1024:1024 \
      --ulimit nproc=1024:1024 "localhost/remotegen-test/protoc-gen-go:$OCI_TAG" </dev/null >/dev/null 2>"$TMP/run.err"; then
    skip "podman cannot run containers here: $(tail -n 1 "$TMP/run.err")"
  fi
}

test_oci_plugin_output_matches_the_executable() {
  oci_setup
  rg migrate
  # One plugin, two versions: the container image and the executable it holds.
  rg plugin add protocolbuffers/go v1.28.1-oci --image "localhost/remotegen-test/protoc-gen-go:$OCI_TAG" \
    --go-dep google.golang.org/protobuf@v1.28.1
  assert_rc 0
  assert_out_has "runtime oci"
  rg plugin add protocolbuffers/go v1.28.1 --exec /usr/bin/protoc-gen-go --go-dep google.golang.org/protobuf@v1.28.1
  rg template create protocolbuffers/go --plugin protocolbuffers/go
  rg template version protocolbuffers/go --plugin protocolbuffers/go:v1.28.1-oci
  rg module push acme/weather "$ROOT/ops/example"
  rg run --once
  assert_rc 0
  rg template version protocolbuffers/go --plugin protocolbuffers/go:v1.28.1
  rg run --once
  assert_rc 0
  local m=gen.example.com/go/protocolbuffers/go/acme/weather
  assert_eq "v1.1.1
v1.2.1" "$(cat "$STORE_DIR/$m/@v/list")" "list"
  unzip -p "$STORE_DIR/$m/@v/v1.1.1.zip" "$m@v1.1.1/acme/weather/v1/weather.pb.go" >"$TMP/oci.pb.go"
  unzip -p "$STORE_DIR/$m/@v/v1.2.1.zip" "$m@v1.2.1/acme/weather/v1/weather.pb.go" >"$TMP/bwrap.pb.go"
  [ -s "$TMP/oci.pb.go" ] || fail "no output from the container"
  cmp "$TMP/oci.pb.go" "$TMP/bwrap.pb.go" || fail "the container's output differs from the executable's"
  echo "note: oci: protoc-gen-go in a podman container, output identical to the bwrap run"
}

test_oci_limits_and_sandbox() {
  oci_setup
  rg migrate
  local img="localhost/remotegen-test/testplugin:$OCI_TAG"
  rg plugin add acme/ocihang v1 --image "$img" --timeout 3s
  rg template create acme/ocihang --plugin acme/ocihang=hang
  rg template version acme/ocihang --plugin acme/ocihang:v1
  rg plugin add acme/ociprobe v1 --image "$img"
  rg template create acme/ociprobe --plugin "acme/ociprobe=probe,connect=$PGPORT,write=/escaped"
  rg template version acme/ociprobe --plugin acme/ociprobe:v1
  rg module push acme/weather "$ROOT/ops/example"
  REMOTEGEN_RETRY_BASE_MS=10 rg run --once --max-attempts 1
  assert_rc 1
  assert_eq "failed" "$(sql "SELECT g.state FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id WHERE t.name = 'ocihang'")" "hang state"
  assert_err_has "plugin acme/ocihang:v1: killed after the 3000 ms time limit"
  # The killed container is gone.
  if podman $REMOTEGEN_OCI_ARGS ps -a --format '{{.Names}}' | grep -q "^remotegen-"; then
    fail "containers left: $(podman $REMOTEGEN_OCI_ARGS ps -a --format '{{.Names}}')"
  fi
  local z=gen.example.com/go/acme/ociprobe/acme/weather
  unzip -p "$STORE_DIR/$z/@v/v1.1.1.zip" "$z@v1.1.1/probe.txt" >"$TMP/probe.txt"
  grep -q '^shadow: denied' "$TMP/probe.txt" || fail "oci: $(cat "$TMP/probe.txt")"
  grep -q '^connect: denied' "$TMP/probe.txt" || fail "oci: $(cat "$TMP/probe.txt")"
  grep -q '^write: denied' "$TMP/probe.txt" || fail "oci: $(cat "$TMP/probe.txt")"
}
