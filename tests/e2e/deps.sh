# Dependencies between modules, with real googleapis files: A (google/api,
# google/type, google/rpc) <- B (google/iam/v1) <- C (Secret Manager), and a
# consumer program built with the go command against the published modules.

. "$ROOT/tests/lib/goenv.sh"

GAPI="$ROOT/node_modules/google-proto-files"
P=gen.example.com/go/protocolbuffers/go/googleapis

deps_sources() {
  mkdir -p "$TMP/a" "$TMP/b" "$TMP/c"
  (cd "$GAPI" && cp --parents google/api/*.proto google/type/*.proto google/rpc/*.proto "$TMP/a/")
  (cd "$GAPI" && cp --parents google/iam/v1/*.proto "$TMP/b/")
  (cd "$GAPI" && cp --parents google/cloud/secretmanager/v1/*.proto "$TMP/c/")
}

test_dependencies_a_b_c() {
  trap nginx_stop EXIT
  rg migrate
  setup_go_template
  deps_sources
  # Wrong order: B before A, C before B.
  rg module push googleapis/iam "$TMP/b"
  assert_rc 2
  assert_err_has "google/api/annotations.proto"
  rg module push googleapis/secretmanager "$TMP/c" --dep googleapis/iam
  assert_rc 2
  assert_err_has "dependency googleapis/iam: no such module"
  rg module push googleapis/common "$TMP/a" --dep googleapis/common
  assert_rc 2
  assert_err_has "cannot depend on itself"
  assert_eq 0 "$(sql "SELECT count(*) FROM commits")" "commits after refusals"

  rg module push googleapis/common "$TMP/a"
  assert_rc 0
  rg module push googleapis/iam "$TMP/b" --dep googleapis/common
  assert_rc 0
  # C imports google/rpc/status.proto itself, which B's image does not hold: refused...
  rg module push googleapis/secretmanager "$TMP/c" --dep googleapis/iam
  assert_rc 2
  assert_err_has "google/rpc/status.proto: File not found"
  # ... until A is a dependency too.
  rg module push googleapis/secretmanager "$TMP/c" --dep googleapis/iam --dep googleapis/common
  assert_rc 0
  assert_eq "$(ls "$TMP/c/google/cloud/secretmanager/v1" | wc -l)" \
    "$(sql "SELECT cardinality(own_files) FROM commits c JOIN modules m ON m.id = c.module_id WHERE m.name = 'secretmanager'")" "C's own files"
  rg run --once
  assert_rc 0

  # go.mod files require exactly the generated modules the code imports.
  assert_eq "module $P/iam

go 1.19

require (
	$P/common v1.1.1
	google.golang.org/protobuf v1.28.1
)" "$(cat "$STORE_DIR/$P/iam/@v/v1.1.1.mod")" "B's go.mod"
  assert_eq "module $P/secretmanager

go 1.19

require (
	$P/common v1.1.1
	$P/iam v1.1.1
	google.golang.org/protobuf v1.28.1
)" "$(cat "$STORE_DIR/$P/secretmanager/@v/v1.1.1.mod")" "C's go.mod"
  grep -q "^require google.golang.org/protobuf v1.28.1$" "$STORE_DIR/$P/common/@v/v1.1.1.mod" || fail "A's go.mod"
  # The generated code imports the dependency's generated package, not genproto.
  unzip -p "$STORE_DIR/$P/iam/@v/v1.1.1.zip" "$P/iam@v1.1.1/google/iam/v1/policy.pb.go" >"$TMP/policy.pb.go"
  grep -q "\"$P/common/google/type\"" "$TMP/policy.pb.go" || fail "policy.pb.go does not import the generated google/type"

  nginx_start "$STORE_DIR"
  go_env "http://127.0.0.1:$NGINX_PORT"
  consumer_gomod "$TMP/consumer"
  cat >"$TMP/consumer/main.go" <<GO
package main

import (
	"fmt"

	secretmanagerv1 "$P/secretmanager/google/cloud/secretmanager/v1"
	iamv1 "$P/iam/google/iam/v1"
	typepb "$P/common/google/type"
	"google.golang.org/protobuf/proto"
)

func main() {
	p := &iamv1.Policy{Version: 3, Bindings: []*iamv1.Binding{{Role: "roles/viewer",
		Condition: &typepb.Expr{Expression: "request.time < timestamp('2030-01-01T00:00:00Z')"}}}}
	req := &secretmanagerv1.AddSecretVersionRequest{Parent: "projects/p/secrets/s"}
	b, err := proto.Marshal(p)
	if err != nil {
		panic(err)
	}
	var q iamv1.Policy
	if err := proto.Unmarshal(b, &q); err != nil {
		panic(err)
	}
	fmt.Printf("role=%s expr=%q parent=%s\n", q.Bindings[0].Role, q.Bindings[0].Condition.GetExpression(), req.GetParent())
}
GO
  cd "$TMP/consumer"
  go get "$P/secretmanager@latest" >"$TMP/get.log" 2>&1 || fail "go get: $(cat "$TMP/get.log")"
  go build -o app . >"$TMP/build.log" 2>&1 || fail "go build: $(cat "$TMP/build.log")"
  assert_eq "role=roles/viewer expr=\"request.time < timestamp('2030-01-01T00:00:00Z')\" parent=projects/p/secrets/s" "$(./app)" "program output"
  grep -q "$P/common v1.1.1" go.mod || fail "consumer go.mod: $(cat go.mod)"
}

test_dependency_generations_wait_and_fail_together() {
  rg migrate
  deps_sources
  rg module push googleapis/common "$TMP/a"
  rg module push googleapis/iam "$TMP/b" --dep googleapis/common
  # A template that fails on module common only: iam must not be published without it.
  rg plugin add acme/picky v1 --exec "$TOOLS/testplugin"
  rg template create acme/picky --plugin acme/picky=error
  rg template version acme/picky --plugin acme/picky:v1
  rg run --once
  assert_rc 1
  assert_eq "failed" "$(sql "SELECT g.state FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id WHERE m.name = 'iam'")" "iam state"
  case "$(sql "SELECT g.last_error FROM generations g JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id WHERE m.name = 'iam'")" in
    *"dependency googleapis/common commit 1"*"failed"*) ;;
    *) fail "iam error: $(sql "SELECT last_error FROM generations")" ;;
  esac
  # The dependent's failure is logged and counted like its dependency's.
  assert_err_has "event=failed generation=2 module=googleapis/iam commit=1"
  assert_err_has "event=run_finished published=0 failed=2"
  assert_eq "2" "$(grep -c 'event=failed ' "$ERR")" "event=failed lines"
  rg status
  assert_out_has "failed=2"
  rg generation show 2 --json
  assert_eq "dependency" "$(jq -r '[.attempt_history[].outcome] | join(" ")' "$OUT")" "iam's attempt history"
}
