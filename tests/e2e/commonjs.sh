# The official CommonJS templates: protocolbuffers/js (protoc-gen-js) and
# grpc/web (protoc-gen-js + protoc-gen-grpc-web), built from third_party/ by
# ops/build-plugins.sh and registered by ops/register-official-templates.sh,
# publish npm packages that npm and pnpm install (file store behind nginx, and
# S3); a Node.js program round-trips a message across two modules' packages
# (the bytes are protoc --encode's), tsc --strict checks a program against
# grpc/web's .d.ts, and headless Chromium runs a bundle of the grpc/web package
# that calls a real gRPC-web server (unary and server streaming); the go
# command builds the Go templates' modules of the same run.

. "$ROOT/tests/lib/goenv.sh"
. "$ROOT/tests/lib/npmenv.sh"
. "$ROOT/tests/lib/s3env.sh"
. "$ROOT/tests/lib/alerts.sh"

JS_WEATHER=@remotegen/acme_weather.protocolbuffers_js
JS_ALERTS=@remotegen/acme_alerts.protocolbuffers_js
WEB_WEATHER=@remotegen/acme_weather.grpc_web
WEB_ALERTS=@remotegen/acme_alerts.grpc_web
JS_PARAM="import_style=commonjs,binary"
WEB_PARAM="import_style=commonjs+dts,mode=grpcweb"

# cjs_publish URL: the official templates, acme/weather and acme/alerts, one run.
cjs_publish() {
  publish_official "$1"
  assert_eq "12" "$(sql "SELECT count(*) FROM generations WHERE state = 'published'")" "published generations (six official templates)"
}

# A CommonJS consumer (no "type": "module") whose @remotegen scope comes from URL.
cjs_consumer() {
  npm_consumer "$1" "$2"
  cat >"$1/package.json" <<'JSON'
{ "name": "consumer", "version": "1.0.0", "private": true }
JSON
}

# cjs_program DIR: round-trips an Alert holding a Forecast of the other module; prints one
# line and the hex of the bytes.
cjs_program() {
  cat >"$1/main.js" <<'JS'
const { Alert } = require('@remotegen/acme_alerts.protocolbuffers_js/acme/alerts/v1/alerts_pb.js')
const { Forecast, Sky } = require('@remotegen/acme_weather.protocolbuffers_js/acme/weather/v1/weather_pb')
const { Timestamp } = require('google-protobuf/google/protobuf/timestamp_pb.js')

const forecast = new Forecast()
forecast.setCity('Oslo')
forecast.setCelsius(-3.5)
forecast.setSky(Sky.SKY_CLOUDY)
const bergen = new Forecast()
bergen.setCity('Bergen')
const at = new Timestamp()
at.setSeconds(1700000000)
const alert = new Alert()
alert.setText('snow')
alert.setForecast(forecast)
alert.setSeverity(3)
alert.getByCityMap().set('Bergen', bergen)
alert.setAt(at)
const bytes = alert.serializeBinary()
const back = Alert.deserializeBinary(bytes)
const f = back.getForecast()
console.log(`text=${back.getText()} city=${f.getCity()} celsius=${f.getCelsius()} sky=${f.getSky()}` +
  ` level=${back.getLevelCase() === Alert.LevelCase.SEVERITY ? 'severity' : 'other'}:${back.getSeverity()}` +
  ` map=${back.getByCityMap().get('Bergen').getCity()} at=${back.getAt().toDate().toISOString()}`)
console.log(Buffer.from(bytes).toString('hex'))
JS
  (cd "$1" && "$NODE24" main.js)
}

CJS_LINE="text=snow city=Oslo celsius=-3.5 sky=2 level=severity:3 map=Bergen at=2023-11-14T22:13:20.000Z"

# npm_install_cjs DIR PKG@VERSION...: npm install into DIR.
npm_install_cjs() {
  local dir=$1
  shift
  (cd "$dir" && npm install --no-audit --no-fund "$@" >"$TMP/npm.log" 2>&1) || fail "npm install $*: $(cat "$TMP/npm.log")"
}

# The installed consumer's program runs and its bytes are protoc's.
assert_round_trip() {
  local out
  out=$(cjs_program "$1") || fail "node: $out"
  assert_eq "$CJS_LINE" "$(printf '%s\n' "$out" | head -n 1)" "program output ($2)"
  assert_eq "$(protoc_hex)" "$(printf '%s\n' "$out" | sed -n 2p)" "serializeBinary bytes = protoc --encode ($2)"
}

test_commonjs_packages_from_file_store_npm_pnpm_and_tsc() {
  trap nginx_stop EXIT
  nginx_start "$STORE_DIR"
  local base="http://127.0.0.1:$NGINX_PORT/npm"
  cjs_publish "$base/"

  # The package documents: CommonJS, runtime packages as peers, the dependency module's package exact.
  local a="$STORE_DIR/npm/$JS_ALERTS" tgz="$STORE_DIR/npm/-/$JS_ALERTS-1.1.1.tgz"
  assert_eq "null" "$(jq -r '.versions."1.1.1".type' "$a")" "no \"type\": \"module\""
  assert_eq "^3.21.2" "$(jq -r '.versions."1.1.1".peerDependencies."google-protobuf"' "$a")" "google-protobuf peer"
  assert_eq "1.1.1" "$(jq -r ".versions.\"1.1.1\".dependencies.\"$JS_WEATHER\"" "$a")" "exact dependency"
  assert_eq "^1.5.0" "$(jq -r '.versions."1.1.1".peerDependencies."grpc-web"' "$STORE_DIR/npm/$WEB_ALERTS")" "grpc-web peer"
  tar xzf "$tgz" -C "$TMP" package/acme/alerts/v1/alerts_pb.js
  grep -q "^var acme_weather_v1_weather_pb = require('$JS_WEATHER/acme/weather/v1/weather_pb.js');\$" \
    "$TMP/package/acme/alerts/v1/alerts_pb.js" || fail "require not rewritten: $(grep require "$TMP/package/acme/alerts/v1/alerts_pb.js")"
  grep -q "require('google-protobuf/google/protobuf/timestamp_pb.js')" "$TMP/package/acme/alerts/v1/alerts_pb.js" ||
    fail "the well-known type is not google-protobuf's"
  assert_eq "acme/alerts/v1/alerts_grpc_web_pb.d.ts acme/alerts/v1/alerts_grpc_web_pb.js acme/alerts/v1/alerts_pb.d.ts acme/alerts/v1/alerts_pb.js package.json" \
    "$(tar tzf "$STORE_DIR/npm/-/$WEB_ALERTS-1.1.1.tgz" | sed 's|^package/||' | sort | tr '\n' ' ' | sed 's/ $//')" "files of the grpc/web package"

  cjs_consumer "$TMP/npm" "$base/"
  npm_install_cjs "$TMP/npm" "$JS_ALERTS@1.1.1"
  assert_eq "1.1.1" "$("$NODE24" -p "require('$TMP/npm/node_modules/$JS_WEATHER/package.json').version")" \
    "the dependency package npm installed"
  assert_round_trip "$TMP/npm" npm

  # pnpm: a project requires only its direct dependencies.
  cjs_consumer "$TMP/pnpm" "$base/"
  (cd "$TMP/pnpm" && pnpm_cmd add --store-dir "$TMP/pnpm-store" "$JS_ALERTS@1.1.1" "$JS_WEATHER@1.1.1" \
    google-protobuf@3.21.4 >"$TMP/pnpm.log" 2>&1) || fail "pnpm add: $(cat "$TMP/pnpm.log")"
  ls -d "$TMP"/pnpm/node_modules/.pnpm/@remotegen+acme_alerts.protocolbuffers_js@1.1.1*/node_modules/$JS_WEATHER \
    >/dev/null || fail "pnpm did not link the dependency package: $(ls "$TMP/pnpm/node_modules/.pnpm")"
  assert_round_trip "$TMP/pnpm" pnpm

  # tsc --strict against grpc/web's .d.ts (google-protobuf's types from @types, as a TypeScript user has them).
  cjs_consumer "$TMP/ts" "$base/"
  npm_install_cjs "$TMP/ts" "$WEB_ALERTS@1.1.1" @types/google-protobuf@3.15.12
  cat >"$TMP/ts/tsconfig.json" <<'JSON'
{ "compilerOptions": { "module": "node16", "moduleResolution": "node16", "target": "es2022",
    "strict": true, "skipLibCheck": false, "noEmit": true }, "files": ["main.ts"] }
JSON
  cat >"$TMP/ts/main.ts" <<'TS'
import { AlertServiceClient } from "@remotegen/acme_alerts.grpc_web/acme/alerts/v1/alerts_grpc_web_pb";
import { Alert } from "@remotegen/acme_alerts.grpc_web/acme/alerts/v1/alerts_pb";
import { Forecast, GetForecastRequest } from "@remotegen/acme_weather.grpc_web/acme/weather/v1/weather_pb";

const client = new AlertServiceClient("http://127.0.0.1:1");
const req = new GetForecastRequest().setCity("Oslo");
const alert: Alert = new Alert().setText("snow").setForecast(new Forecast().setCelsius(-3.5));
const promise: Promise<Alert> = new Promise((resolve, reject) =>
  client.get(req, {}, (err, res) => (err ? reject(err) : resolve(res))));
const stream = client.watch(req, {});
stream.on("data", (a: Alert) => console.log(a.getText(), alert.getSeverity(), promise));
TS
  (cd "$TMP/ts" && "$NODE24" "$ROOT/node_modules/typescript/bin/tsc" -p . >"$TMP/tsc.log" 2>&1) || fail "tsc: $(cat "$TMP/tsc.log")"
  sed -i 's/setCity("Oslo")/setCity(42)/' "$TMP/ts/main.ts"
  if (cd "$TMP/ts" && "$NODE24" "$ROOT/node_modules/typescript/bin/tsc" -p . >"$TMP/tsc2.log" 2>&1); then
    fail "tsc accepted a number for a string field"
  fi
  grep -q "TS2345" "$TMP/tsc2.log" || fail "tsc: $(cat "$TMP/tsc2.log")"

  # The Go templates of the same run, through the go command: protocolbuffers/go builds and
  # encodes as protoc does; grpc/go's module (messages and service code) downloads and verifies.
  go_env "http://127.0.0.1:$NGINX_PORT"
  local P="$REMOTEGEN_GO_PREFIX"
  consumer_gomod "$TMP/goconsumer"
  cat >"$TMP/goconsumer/main.go" <<GO
package main

import (
	"os"

	alertsv1 "$P/protocolbuffers/go/acme/alerts/acme/alerts/v1"
	weatherv1 "$P/protocolbuffers/go/acme/weather/acme/weather/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func main() {
	a := &alertsv1.Alert{Text: "snow",
		Forecast: &weatherv1.Forecast{City: "Oslo", Celsius: -3.5, Sky: weatherv1.Sky_SKY_CLOUDY},
		Level:    &alertsv1.Alert_Severity{Severity: 3},
		ByCity:   map[string]*weatherv1.Forecast{"Bergen": {City: "Bergen"}},
		At:       &timestamppb.Timestamp{Seconds: 1700000000}}
	b, err := proto.Marshal(a)
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(b)
}
GO
  (cd "$TMP/goconsumer" && go get "$P/protocolbuffers/go/acme/alerts@v1.1.1" >"$TMP/get.log" 2>&1 &&
    go build -o app . >>"$TMP/get.log" 2>&1) || fail "go: $(cat "$TMP/get.log")"
  # Go writes the oneof last, protoc in field order: the same message, other bytes.
  local decode=(protoc --decode=acme.alerts.v1.Alert -I "$TMP/alerts" -I "$ROOT/ops/example" acme/alerts/v1/alerts.proto)
  "$TMP/goconsumer/app" >"$TMP/go.bin"
  protoc_bin >"$TMP/protoc.bin"
  "${decode[@]}" <"$TMP/go.bin" >"$TMP/go.txt" || fail "protoc --decode of Go's bytes"
  grep -q '^  key: "Bergen"$' "$TMP/go.txt" || fail "decoded: $(cat "$TMP/go.txt")"
  assert_eq "$("${decode[@]}" <"$TMP/protoc.bin")" "$(cat "$TMP/go.txt")" "Go's message, decoded by protoc"
  grep -q "$P/protocolbuffers/go/acme/weather v1.1.1" "$TMP/goconsumer/go.mod" || fail "go.mod: $(cat "$TMP/goconsumer/go.mod")"
  local zip
  zip=$(cd "$TMP/goconsumer" && go mod download -json "$P/grpc/go/acme/alerts@v1.1.1" | jq -r .Zip)
  unzip -Z1 "$zip" | grep -q "acme/alerts/v1/alerts_grpc.pb.go\$" || fail "grpc/go module: $(unzip -Z1 "$zip")"

  rg verify
  assert_rc 0
  echo "note: npm and pnpm installed $JS_ALERTS@1.1.1 with $JS_WEATHER@1.1.1; tsc --strict checked $WEB_ALERTS; go built protocolbuffers/go and downloaded grpc/go"
}

test_commonjs_packages_from_s3() {
  trap 's3_stop' EXIT
  s3_start npmreg
  export REMOTEGEN_STORE=s3://npmreg/store
  local base="http://127.0.0.1:$S3_PORT/npmreg/store/npm"
  cjs_publish "$base/"
  assert_headers "$base/@remotegen%2facme_alerts.protocolbuffers_js" application/json "public, max-age=60"
  cjs_consumer "$TMP/npm" "$base/"
  npm_install_cjs "$TMP/npm" "$JS_ALERTS@1.1.1"
  assert_round_trip "$TMP/npm" "npm from S3"
  rg verify
  assert_rc 0
}

# The files of each package are protoc's, by hand with the same plugins and
# parameters, but for the requires of the other module's files: the diff is
# exactly those lines.
test_commonjs_parity_with_protoc() {
  cjs_publish "http://127.0.0.1:9/npm/"
  local P="$ROOT/build/plugins" m tpl
  for tpl in protocolbuffers_js grpc_web; do
    for m in weather alerts; do
      mkdir -p "$TMP/hand/$tpl/$m" "$TMP/pkg/$tpl/$m"
      local web=()
      [ "$tpl" = grpc_web ] && web=(--plugin=protoc-gen-grpc-web="$P/protoc-gen-grpc-web" --grpc-web_out="$WEB_PARAM:$TMP/hand/$tpl/$m")
      local src="$ROOT/ops/example" file=acme/weather/v1/weather.proto
      [ "$m" = alerts ] && src="$TMP/alerts" file=acme/alerts/v1/alerts.proto
      protoc --plugin=protoc-gen-js="$P/protoc-gen-js" --js_out="$JS_PARAM:$TMP/hand/$tpl/$m" "${web[@]}" \
        -I "$src" -I "$ROOT/ops/example" "$file"
      tar xzf "$STORE_DIR/npm/-/@remotegen/acme_$m.$tpl-1.1.1.tgz" -C "$TMP/pkg/$tpl/$m"
      rm "$TMP/pkg/$tpl/$m/package/package.json"
    done
    diff -r "$TMP/hand/$tpl/weather" "$TMP/pkg/$tpl/weather/package" >"$TMP/diff.log" ||
      fail "$tpl weather differs from protoc: $(head -c 2000 "$TMP/diff.log")"
    diff -r "$TMP/hand/$tpl/alerts" "$TMP/pkg/$tpl/alerts/package" >"$TMP/diff.log" && fail "$tpl alerts: no require was rewritten"
    # Only changed lines, and each one a require/import of acme/weather's file, before and after.
    local wpkg="@remotegen/acme_weather.$tpl"
    if grep '^[<>]' "$TMP/diff.log" | grep -v "^< .*'\(\.\./\)*acme/weather/v1/weather_pb\(\.js\)\?'" |
      grep -v "^> .*'$wpkg/acme/weather/v1/weather_pb\(\.js\)\?'" | grep -q .; then
      fail "$tpl alerts: other differences: $(cat "$TMP/diff.log")"
    fi
    # protocolbuffers/js: alerts_pb.js; grpc/web: that, alerts_pb.d.ts and alerts_grpc_web_pb.{js,d.ts}.
    local want=1
    [ "$tpl" = grpc_web ] && want=4
    assert_eq "$want $want" "$(grep -c '^<' "$TMP/diff.log") $(grep -c '^>' "$TMP/diff.log")" "$tpl alerts: lines rewritten"
  done
}

# A real browser calling a real gRPC-web server: the grpc/web package (with
# its messages and the dependency module's package) installed from the
# registry, bundled by esbuild, loaded by headless Chromium from a page that
# tests/lib/grpcweb-server.mjs serves on loopback beside the AlertService it
# implements with protoc-gen-es code of the same module (@connectrpc/connect-node).
test_commonjs_grpc_web_in_a_browser() {
  [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "no Chromium (ops/install-deps.sh installs Debian's chromium)"
  trap 'nginx_stop; [ -z "${SERVER_PID:-}" ] || kill "$SERVER_PID" 2>/dev/null || true' EXIT
  nginx_start "$STORE_DIR"
  local base="http://127.0.0.1:$NGINX_PORT/npm"
  cjs_publish "$base/"

  # The browser program, from the packages npm installs.
  cjs_consumer "$TMP/web" "$base/"
  npm_install_cjs "$TMP/web" "$WEB_ALERTS@1.1.1"
  cat >"$TMP/web/main.js" <<'JS'
const { AlertServiceClient } = require('@remotegen/acme_alerts.grpc_web/acme/alerts/v1/alerts_grpc_web_pb.js')
const { GetForecastRequest } = require('@remotegen/acme_weather.grpc_web/acme/weather/v1/weather_pb.js')

const out = { unary: null, stream: [], status: null, errors: [] }
let unaryDone = false, streamDone = false
function finish() {
  if (!unaryDone || !streamDone) return
  document.getElementById('result').textContent = JSON.stringify(out)
  window.__done = true
}
const client = new AlertServiceClient(window.location.origin)
const req = new GetForecastRequest()
req.setCity('Oslo')
client.get(req, {}, (err, alert) => {
  if (err) out.errors.push(`unary: ${err.code} ${err.message}`)
  else out.unary = `${alert.getText()}|${alert.getForecast().getCity()}|${alert.getForecast().getCelsius()}|${alert.getSeverity()}`
  unaryDone = true
  finish()
})
const stream = client.watch(req, {})
stream.on('data', (alert) => out.stream.push(alert.getText()))
stream.on('status', (s) => { out.status = s.code })
stream.on('error', (e) => { out.errors.push(`stream: ${e.code} ${e.message}`); streamDone = true; finish() })
stream.on('end', () => { streamDone = true; finish() })
JS
  mkdir -p "$TMP/site"
  (cd "$TMP/web" && "$ROOT/node_modules/.bin/esbuild" main.js --bundle --format=iife --outfile="$TMP/site/bundle.js" \
    >"$TMP/esbuild.log" 2>&1) || fail "esbuild: $(cat "$TMP/esbuild.log")"
  printf '<!doctype html>\n<title>grpc-web</title>\n<pre id="result"></pre>\n<script src="bundle.js"></script>\n' \
    >"$TMP/site/index.html"

  # The server: protoc-gen-es code of the same two modules, by hand.
  mkdir -p "$TMP/server/gen"
  ln -s "$ROOT/node_modules" "$TMP/server/node_modules"
  protoc --plugin=protoc-gen-es="$ROOT/ops/plugins/protoc-gen-es" --es_out="$TMP/server/gen" --es_opt=target=js,import_extension=js \
    -I "$TMP/alerts" -I "$ROOT/ops/example" acme/alerts/v1/alerts.proto acme/weather/v1/weather.proto
  cp "$ROOT/tests/lib/grpcweb-server.mjs" "$TMP/server/"
  "$NODE24" "$TMP/server/grpcweb-server.mjs" "$TMP/server/gen" "$TMP/site" >"$TMP/server.out" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do grep -q '^ready' "$TMP/server.out" && break; sleep 0.1; done
  local port
  port=$(sed -n 's/^ready //p' "$TMP/server.out")
  [ -n "$port" ] || fail "the gRPC-web server did not start: $(cat "$TMP/server.out")"

  local got
  got=$(cd "$TMP" && TMPDIR="$TMP" "$NODE24" "$ROOT/tests/lib/browser.cjs" "http://127.0.0.1:$port/" 2>"$TMP/browser.err") ||
    fail "browser: $(tail -c 2000 "$TMP/browser.err")"
  assert_eq '{"unary":"alert for Oslo|Oslo|-3.5|3","stream":["Oslo #1","Oslo #2","Oslo #3"],"status":0,"errors":[]}' \
    "$got" "what the page saw"
  echo "note: $(grep '^browser:' "$TMP/browser.err") saw $got"
}

# Bad input: a template whose requires cannot all be classified fails its
# generations, naming the file and the require, and publishes nothing; a
# template mixing ES modules and CommonJS is refused; a plugin build that
# cannot work stops with the plugin named.
test_commonjs_refusals() {
  export REMOTEGEN_NPM_URL="http://127.0.0.1:9/npm/"
  rg migrate
  bash "$ROOT/ops/register-official-templates.sh" "$REMOTEGEN" >"$TMP/register.log" 2>&1 ||
    fail "register-official-templates: $(cat "$TMP/register.log")"
  # grpc-web alone: its _grpc_web_pb.js requires ./alerts_pb.js, which no plugin of the template writes.
  rg template create acme/webonly --plugin "grpc/web=$WEB_PARAM"
  rg template version acme/webonly --plugin grpc/web:v1.5.0
  assert_rc 0
  # protoc-gen-js whose version declares grpc-web but not google-protobuf.
  rg plugin add acme/jsnopeer v1 --exec "$ROOT/build/plugins/protoc-gen-js" --npm-dep grpc-web@^1.5.0 --npm-module commonjs
  rg template create acme/nopeer --plugin "acme/jsnopeer=$JS_PARAM"
  rg template version acme/nopeer --plugin acme/jsnopeer:v1
  assert_rc 0
  # ES modules and CommonJS in one template version.
  setup_es_template
  rg template create acme/mixed --plugin bufbuild/es --plugin protocolbuffers/js
  rg template version acme/mixed --plugin "bufbuild/es:v$ES_VERSION" --plugin protocolbuffers/js:v3.21.2
  assert_rc 2
  assert_err_has "template acme/mixed: plugin bufbuild/es writes esm and plugin protocolbuffers/js commonjs; one npm package has one module format"
  rg plugin add acme/x v1 --exec "$ROOT/build/plugins/protoc-gen-js" --npm-module commonjs
  assert_rc 2
  assert_err_has "--npm-module is for plugins that generate npm packages (--npm-dep)"

  rg module push acme/weather "$ROOT/ops/example"
  rich_alerts_source
  rg module push acme/alerts "$TMP/alerts" --dep acme/weather
  rg run --once
  assert_rc 1
  local webonly nopeer
  webonly=$(sql "SELECT g.last_error FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id WHERE t.name = 'webonly' AND m.name = 'weather'")
  assert_eq "CommonJS output: acme/weather/v1/weather_grpc_web_pb.js: require './weather_pb.js' names acme/weather/v1/weather_pb.js, which is neither a file of this package nor one generated from a dependency module's .proto (a file of this module that the template's plugins did not write?)" \
    "$webonly" "grpc-web without its messages"
  nopeer=$(sql "SELECT g.last_error FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id JOIN commits c ON c.id = g.commit_id JOIN modules m ON m.id = c.module_id WHERE t.name = 'nopeer' AND m.name = 'weather'")
  assert_eq "CommonJS output: acme/weather/v1/weather_pb.js: require 'google-protobuf' needs package google-protobuf, which no plugin version of the template declares (plugin add --npm-dep)" \
    "$nopeer" "an undeclared package"
  assert_no_file "$STORE_DIR/npm/@remotegen/acme_weather.acme_webonly"
  assert_no_file "$STORE_DIR/npm/@remotegen/acme_weather.acme_nopeer"
  assert_eq "14" "$(sql "SELECT count(*) FROM generations g JOIN template_versions tv ON tv.id = g.template_version_id JOIN templates t ON t.id = tv.template_id WHERE t.owner <> 'acme' AND g.state = 'published'")" \
    "the six official templates' and bufbuild/es's generations published"
  rg verify
  assert_rc 0

  # Plugin builds that cannot work.
  cp -r "$ROOT/third_party" "$TMP/src"
  rm -r "$TMP/src/protobuf-21.12-headers"
  build_fails "$TMP/build.log" "^build-plugins: protoc-gen-js: the build failed (g++, sources from $TMP/src):" \
    bash "$ROOT/ops/build-plugins.sh" --src "$TMP/src" --out "$TMP/plugins"
  grep -q "scc.h\|stringprintf.h" "$TMP/build.log" || fail "the compiler's message is missing: $(cat "$TMP/build.log")"
  assert_no_file "$TMP/plugins/protoc-gen-js"
  build_fails "$TMP/build2.log" "^build-plugins: protoc-gen-js: no C++ compiler (/nonexistent/g++" \
    CXX=/nonexistent/g++ bash "$ROOT/ops/build-plugins.sh" --out "$TMP/plugins2"
  cp -r "$ROOT/third_party/protobuf-21.12-headers" "$TMP/src/"
  rm -r "$TMP/src/grpc-web-1.5.0"
  build_fails "$TMP/build3.log" "^build-plugins: protoc-gen-grpc-web: source .* not found (sources from $TMP/src)" \
    bash "$ROOT/ops/build-plugins.sh" --src "$TMP/src" --out "$TMP/plugins3"
}

# build_fails LOG PATTERN [VAR=VALUE]... COMMAND...: the command fails and LOG (its output) matches PATTERN.
build_fails() {
  local log=$1 pattern=$2
  shift 2
  if env "$@" >"$log" 2>&1; then fail "succeeded: $*"; fi
  grep -q "$pattern" "$log" || fail "$*: $(cat "$log")"
}
